/* ews_syncinfo.h - the mailbox's "InterAction Sync" folder: when the last sync ran, and as whom. */
#ifndef OIS_EWS_SYNCINFO_H
#define OIS_EWS_SYNCINFO_H

#include "backend.h"
#include "ews.h"

/*
 * At the first sync apply creates the folder
 * OIS_SYNC_FOLDER (lib/backend.h) under the mailbox's root (beside Inbox, outside the
 * synced folders) holding one message whose subject and body say when the
 * last successful sync ran, and whose extended properties (PublicStrings
 * "oisync-sync-id" and "oisync-last-sync") hold the account's sync id and
 * that time. extract reads it back on a full read, so a lost or moved state
 * is noticed; deleting the folder asks for a fresh match
 * (doc/ARCHITECTURE.md, "Sync record in the mailbox").
 */

struct ois_ews_syncinfo {
	char *item_id;
	char *sync_id;
	char *last_sync; /* may be NULL */
};
void ois_ews_syncinfo_release(struct ois_ews_syncinfo *si);

/* Read the record: 0 and *out (release it), OIS_ENOTFOUND when there is none, or an error. */
int ois_ews_syncinfo_read(struct ois_ews *ews, struct ois_ews_syncinfo *out);

/*
 * Write the record: update item_id when given (OIS_ENOTFOUND when it is gone),
 * else find or create the folder and the message. *new_item_id is owned by
 * the caller.
 */
int ois_ews_syncinfo_write(struct ois_ews *ews, const char *item_id, const char *sync_id,
			   const char *when, const char *summary, char **new_item_id);

#endif
