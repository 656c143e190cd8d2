/* backend.h - a server type as one table of functions: all the stages know of Exchange, InterAction and the next one. */
#ifndef OIS_BACKEND_H
#define OIS_BACKEND_H

#include "config.h"
#include "record.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <time.h>

/*
 * A backend is one way to reach one side's server: EWS for an Exchange
 * mailbox (lib/ews/), the InterAction REST API (lib/interaction/), later
 * Microsoft Graph. Each is one folder under lib/ and one row of the table
 * in lib/backend.c; the stages reach a server only through this struct, so
 * a new server type touches no stage (doc/ARCHITECTURE.md, "Backends").
 *
 * Conventions for every method: canonical data is oisync-records(5)'s,
 * native data is the item as the backend's read writes it in a record's
 * "data"; kind is "contact" or "appointment". Arguments are borrowed;
 * returned strings and objects are owned by the caller. A method returns 0,
 * or a negative enum ois_code after logging: OIS_ECONFLICT when if_version
 * no longer matches, OIS_ENOTFOUND when the item is gone,
 * OIS_ETEMP/OIS_EUNAVAIL/OIS_EPERM for the server's failures, OIS_ECONFIG
 * for a configuration the backend cannot work with.
 */

/* The folders of an account, in the order a read writes them. */
enum ois_folder {
	OIS_CONTACTS = 0,
	OIS_CALENDAR = 1,
};
#define OIS_FOLDERS 2
/* "contacts", "calendar": the "folder" of a record. */
const char *ois_folder_name(enum ois_folder f);
/* The folder named name, or -1. */
int ois_folder_parse(const char *name);

/* Which account to open. */
struct ois_account_ref {
	const struct ois_config *cfg;
	const char *server;   /* the mailbox's [server NAME] section (Exchange side) */
	const char *mailbox;  /* the state account: the user's mailbox, on both sides */
	const char *user;     /* the user's InterAction id (InterAction side) */
	const char *url;      /* the server's URL instead of the configured one, or NULL */
};

/*
 * What a read is asked for. The read writes, through emit, each folder's
 * item records (upserts with native data, deletes), then that folder's
 * checkpoint record, in the order of enum ois_folder. A failed read has
 * written no checkpoint for the folder it failed in, so nothing downstream
 * infers a deletion from a partial read.
 */
struct ois_read {
	unsigned folders;                /* 1 << OIS_CONTACTS | 1 << OIS_CALENDAR: which to read */
	const char *token[OIS_FOLDERS];  /* the folder's committed checkpoint token; NULL: read it whole */
	time_t window_start, window_end; /* the calendar window, when the calendar is read */
	int stats;                       /* print requests, bytes, items and seconds to stderr at the end */
	/* Where records go. Takes the record's reference; 0 or an ois_code. */
	int (*emit)(void *ctx, json_object *record);
	void *ctx;
};

/*
 * An existing item a create adopted instead of making one (InterAction: a
 * firm contact found by e-mail, put on the user's list). Both members are
 * owned by the caller: ois_adopted_release.
 */
struct ois_adopted {
	json_object *data; /* its canonical data as the server holds it, not normalized; NULL: nothing adopted */
	char *modified;    /* its last change (RFC 3339 UTC), or NULL */
};

static inline void ois_adopted_release(struct ois_adopted *a)
{
	json_object_put(a->data);
	free(a->modified);
	a->data = NULL;
	a->modified = NULL;
}

/*
 * The part of a backend that needs no server and no network library:
 * native data to canonical data. oisync-transform links only this part.
 */
struct ois_mapping {
	/*
	 * Native item data to canonical data, as the server holds it, not yet
	 * normalized; NULL when the backend does not map kind (the record then
	 * passes through native).
	 */
	json_object *(*to_canonical)(const char *kind, json_object *native);
	/*
	 * Optional: the backend's own rule on normalized canonical data
	 * (InterAction fills Goes By with the first name, so a nickname equal
	 * to the first name is none). NULL when it has none.
	 */
	void (*finish)(const char *kind, json_object *canonical);
};

struct ois_backend;

/*
 * One write of several sent at once (write_many): what find_by_op, create,
 * update or remove would be called with, and their answer.
 */
enum ois_write_what { OIS_WRITE_FIND, OIS_WRITE_CREATE, OIS_WRITE_UPDATE, OIS_WRITE_REMOVE };
struct ois_write {
	enum ois_write_what what;
	const char *kind;
	const char *id;          /* update, remove */
	const char *if_version;  /* update, remove */
	const char *op_id;       /* find, create */
	json_object *data;       /* find, create, update */
	json_object *fields;     /* update */
	/* The answer: the method's return value, and its id and version (owned by the caller). */
	int rc;
	char *new_id, *new_version;
	struct ois_adopted adopted; /* create: what create fills in *adopted (owned by the caller) */
};

static inline void ois_write_release(struct ois_write *w)
{
	free(w->new_id);
	free(w->new_version);
	w->new_id = w->new_version = NULL;
	ois_adopted_release(&w->adopted);
}

/* One open account. Each backend's connection starts with this. */
struct ois_conn {
	const struct ois_backend *be;
	/* The most writes one request of this account carries (write_many); 0: the backend's write_batch. */
	size_t write_batch;
};

struct ois_backend {
	const struct ois_mapping *map; /* native to canonical */

	/*
	 * Open one account: read the backend's own settings from the
	 * configuration (EWS: its [server] section's URL, auth, batch sizes;
	 * InterAction: [interaction], and the user's appointment_type), read
	 * the secret and make the HTTP client. No request is sent yet. NULL
	 * with *rc set (logged) on failure.
	 */
	struct ois_conn *(*open)(const struct ois_account_ref *ref, int *rc);
	/* Close the connection and free it; NULL is fine. */
	void (*close)(struct ois_conn *c);

	/*
	 * Read the folders asked for from their tokens: changes since a
	 * token, the whole folder (the calendar: the window) without one, or
	 * when the server no longer knows the token. The checkpoint's token
	 * is where the next read starts.
	 */
	int (*read)(struct ois_conn *c, const struct ois_read *r);

	/*
	 * Canonical data to the native item a read would return once a create
	 * wrote it (through the backend's writer, so it lives here and not in
	 * the mapping); NULL for a kind not mapped. No connection needed.
	 */
	json_object *(*to_native)(const char *kind, json_object *canonical);

	/*
	 * Create an item tagged with op_id (EWS: an extended property;
	 * InterAction: an external reference), so a create whose reply was lost
	 * is found by find_by_op and adopted, never sent twice. On InterAction
	 * "create" means: add the firm contact that has one of data's e-mail
	 * addresses to the user's list, or create it when none has. A create
	 * that adopted an existing item that way fills *adopted (when adopted
	 * is not NULL) and leaves the item's shared values as they were: the
	 * caller merges them with data by the conflict policy.
	 */
	int (*create)(struct ois_conn *c, const char *kind, json_object *data, const char *op_id,
		      char **new_id, char **new_version, struct ois_adopted *adopted);
	/*
	 * Change exactly the canonical fields named in fields (an array of
	 * strings such as "first" or "phones.mobile") to their values in data
	 * (absent means clear it), if the item is still at if_version.
	 */
	int (*update)(struct ois_conn *c, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version);
	/*
	 * Remove the item from this account: EWS deletes it (to Deleted Items);
	 * InterAction removes it from the user's list, never the firm contact.
	 */
	int (*remove)(struct ois_conn *c, const char *kind, const char *id, const char *if_version);
	/*
	 * Find an item created by op_id: 0 and its id/version, or OIS_ENOTFOUND.
	 * data is the create's data: where a create takes more than one request
	 * (InterAction: create the firm contact, then put it on the user's list
	 * with the user's own fields), a run killed in between left the item
	 * incomplete, and the backend completes it from data.
	 */
	int (*find_by_op)(struct ois_conn *c, const char *kind, const char *op_id, json_object *data,
			  char **id, char **version);
	/*
	 * Optional (NULL when the side has no such place): record a successful
	 * sync where the account's user sees it. Exchange keeps one item in the
	 * mailbox folder "InterAction Sync" holding the sync id, the time and
	 * the counts (doc/ARCHITECTURE.md, "Sync record in the mailbox").
	 * item_id is the item recorded last time (NULL: find or create the
	 * folder and the item); *new_item_id is the item written. OIS_ENOTFOUND
	 * when item_id is given and gone: someone deleted the folder, which
	 * asks for a fresh match of the account.
	 */
	int (*mark_synced)(struct ois_conn *c, const char *item_id, const char *sync_id, const char *when,
			   const char *summary, char **new_item_id);
	/*
	 * Optional (NULL: not checked online): prove the account can be used,
	 * with the cheapest request that needs the rights a sync needs, for
	 * oisync check. 0, or the error a sync would meet (logged).
	 */
	int (*probe)(struct ois_conn *c);
	/*
	 * Optional, Exchange side (NULL: no directory), for oisync users match:
	 * the server's directory looked up by e-mail address, as the account
	 * the connection opened (EWS: ResolveNames; Graph: /users filtered on
	 * mail). 0 with each mailbox's primary address in (*addresses)[0..*n)
	 * (owned; none found is 0 with *n 0), or the failure's code (logged).
	 */
	int (*find_mailboxes)(struct ois_conn *c, const char *email, char ***addresses, size_t *n);
	/*
	 * Optional, InterAction side: every user the API knows, an array of
	 * objects each with a string "id" (and "name", "email"), owned. The
	 * connection's user is not used.
	 */
	int (*list_users)(struct ois_conn *c, json_object **users);
	/*
	 * Optional: w[0..n) at once, n at most write_batch, in one round trip
	 * where the server allows it (EWS: a CreateItem of many items; Graph: a
	 * $batch), or in requests sent together (InterAction: each step of
	 * every write in one round, up to write_concurrency in flight). Each
	 * write gets the answer its method would give, a create that adopted
	 * an existing item its adopted as create fills it. The writes are
	 * independent of each other: the backend sees that two of them never
	 * write one item at once (InterAction: no two creates of one round
	 * share an e-mail address or adopt one contact). A failure after which
	 * the server takes no more (throttled past the retries, down) leaves
	 * the writes not yet sent unsent, each with that code. Returns 0 when
	 * each has its answer in rc, or the code of a failure that left them
	 * unanswered (every rc is then that code: a create may have been
	 * made, and is found by its op id).
	 */
	int (*write_many)(struct ois_conn *c, struct ois_write *w, size_t n);
	size_t write_batch;
};

/*
 * The mailbox's sync record, whichever backend writes it: the folder under
 * the mailbox's root that holds it, and what its one message says (the
 * subject and the body, for the user who opens it in Outlook). Its extended
 * properties, PublicStrings "oisync-sync-id" and "oisync-last-sync", hold
 * the sync id and the time.
 */
#define OIS_SYNC_FOLDER "InterAction Sync"
#define OIS_SYNC_PROP_SYNC_ID "oisync-sync-id"
#define OIS_SYNC_PROP_LAST_SYNC "oisync-last-sync"
/* *subject and *body (owned) of the record of a sync at when with summary and sync_id. */
void ois_sync_record_text(const char *when, const char *summary, const char *sync_id, char **subject, char **body);

/* Every backend and its mapping, each defined in its folder (lib/backends.def lists them). */
#define OIS_BACKEND(name, side) \
	extern const struct ois_backend ois_backend_##name; \
	extern const struct ois_mapping ois_map_##name;
#include "backends.def"
#undef OIS_BACKEND

/*
 * The backend that serves side for an account: on the Exchange side its
 * server section's type (the side's first backend when not set), on the
 * InterAction side the one InterAction backend. NULL with an error logged
 * when the server section is missing or names no backend of that side.
 */
const struct ois_backend *ois_backend_for(const struct ois_config *cfg, enum ois_side side, const char *server);

/*
 * The mapping of the items a record of side carries, for a stage that has
 * only the record (transform): that of the side's first backend. Defined
 * apart from the backends (lib/backend_map.c), so that a stage using it
 * links no network library.
 */
const struct ois_mapping *ois_mapping_of_side(enum ois_side side);

/*
 * The mapping of a record's items: that of the backend its "backend" key
 * names (a backend that is not its side's first marks what its read
 * writes), else its side's first. NULL for a record of no side, or of a
 * backend this build lacks.
 */
const struct ois_mapping *ois_mapping_of_record(json_object *rec);

#endif
