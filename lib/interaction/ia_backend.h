/* ia_backend.h - what the InterAction backend's files share (lib/interaction/ only, not for stages). */
#ifndef OIS_IA_BACKEND_H
#define OIS_IA_BACKEND_H

#include "backend.h"
#include "interaction.h"

/* One open user. The base is the first member, so close frees both. */
struct ia_conn {
	struct ois_conn base;
	struct ois_ia *ia;
	char *uid;              /* the InterAction user */
	char *account;          /* the user's mailbox, the records' account */
	char *appointment_type; /* for appointments whose data names none; NULL: the server's default */
	char *state_dir;        /* where the firm-wide lock is (ois_state_firm_lock); NULL: none taken */
};

/* Move the per-user keys of body (ia_backend.c, user_keys) into a new object (returned). */
json_object *ois_ia_split_user_fields(json_object *body);
/* id (when id is not NULL) and version of a user view, as the backend hands them back: 0 or OIS_EUNAVAIL. */
int ois_ia_take_id_version(json_object *view, char **id, char **version);

/*
 * The backend's write_many (ia_write_many.c): the contract is struct
 * ois_backend's. Every op's step of a round goes out in one
 * ois_ia_send_many, up to write_concurrency in flight.
 */
int ois_ia_write_many(struct ois_conn *c, struct ois_write *w, size_t n);
/* The most writes apply hands over at once: two commits a group, so the larger the fewer. */
#define OIS_IA_WRITE_BATCH 64

/* The backend's read (ia_read.c): the contract is struct ois_backend's read. */
int ois_ia_read(struct ia_conn *c, const struct ois_read *r);

#endif
