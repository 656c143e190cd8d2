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

/* The backend's read (ia_read.c): the contract is struct ois_backend's read. */
int ois_ia_read(struct ia_conn *c, const struct ois_read *r);

#endif
