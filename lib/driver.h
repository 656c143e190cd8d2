/* driver.h - what apply asks of one side's server, as a struct of function pointers. */
#ifndef OIS_DRIVER_H
#define OIS_DRIVER_H

#include <json-c/json.h>
#include <stdlib.h>

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
 * One side's connection for one account (an Exchange mailbox, an InterAction
 * user), opened by that side's client (lib/ews/, lib/interaction/). Apply
 * only sees this interface, so another access path (Graph, the vendor's REST
 * API) is one more implementation, not a change to the stages.
 *
 * kind is "contact" (or, later, "appointment"). data is canonical
 * (oisync-records(5)) and borrowed. Returned strings are owned by the caller.
 * Every method returns 0, or a negative enum ois_code after logging:
 * OIS_ECONFLICT when if_version no longer matches, OIS_ENOTFOUND when the item
 * is gone, OIS_ETEMP/OIS_EUNAVAIL/OIS_EPERM for the server's failures.
 */
struct ois_driver {
	const char *name; /* "exchange", "interaction" */
	void *conn;

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
	int (*create)(void *conn, const char *kind, json_object *data, const char *op_id,
		      char **new_id, char **new_version, struct ois_adopted *adopted);
	/*
	 * Change exactly the canonical fields named in fields (an array of
	 * strings such as "first" or "phones.mobile") to their values in data
	 * (absent means clear it), if the item is still at if_version.
	 */
	int (*update)(void *conn, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version);
	/*
	 * Remove the item from this account: EWS deletes it (to Deleted Items);
	 * InterAction removes it from the user's list, never the firm contact.
	 */
	int (*remove)(void *conn, const char *kind, const char *id, const char *if_version);
	/*
	 * Find an item created by op_id: 0 and its id/version, or OIS_ENOTFOUND.
	 * data is the create's data: where a create takes more than one request
	 * (InterAction: create the firm contact, then put it on the user's list
	 * with the user's own fields), a run killed in between left the item
	 * incomplete, and the driver completes it from data.
	 */
	int (*find_by_op)(void *conn, const char *kind, const char *op_id, json_object *data,
			  char **id, char **version);
	/*
	 * Optional (NULL when the side has no such place): record a successful
	 * sync where the account's user sees it. Exchange keeps one item in the
	 * mailbox folder "InterAction Sync" holding the sync id, the time and
	 * the counts (doc/ARCHITECTURE.md, "Sync record in the mailbox").
	 * item_id is the item recorded last
	 * time (NULL: find or create the folder and the item); *new_item_id
	 * (owned by the caller) is the item written. OIS_ENOTFOUND when item_id
	 * is given and gone: someone deleted the folder, which asks for a fresh
	 * match of the account.
	 */
	int (*mark_synced)(void *conn, const char *item_id, const char *sync_id, const char *when,
			   const char *summary, char **new_item_id);
	/* Close the connection and free conn. */
	void (*close)(void *conn);
};

#endif
