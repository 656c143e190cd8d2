/* syncinfo.c - the mailbox's sync record as a syncinfo record, for reconcile. */
#include "code.h"
#include "ews/ews_syncinfo.h"
#include "extract.h"
#include "log.h"

#include <json-c/json.h>

/*
 * Read on a full read only: that is when the local state is new or lost
 * (the case the record is for), and a quiet incremental run must cost one
 * SyncFolderItems per folder and nothing more.
 */
int extract_exchange_syncinfo(struct ois_ews *ews, const struct extract_args *args)
{
	struct ois_ews_syncinfo si;
	int rc = ois_ews_syncinfo_read(ews, &si);
	if (rc == OIS_ENOTFOUND)
		return 0; /* never synced, or the user deleted the folder */
	if (rc)
		return rc;
	json_object *r = extract_record_new(args, OIS_EXCHANGE, "syncinfo", NULL, NULL);
	json_object_object_add(r, "sync_id", json_object_new_string(si.sync_id));
	if (si.last_sync)
		json_object_object_add(r, "last_sync", json_object_new_string(si.last_sync));
	rc = extract_record_write(args, r);
	ois_ews_syncinfo_release(&si);
	return rc;
}
