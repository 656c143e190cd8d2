/* apply_syncmark.c - tell the mailbox's user when the last successful sync ran. */
#include "apply.h"
#include "code.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

/* On side, when its backend has a place for it (Exchange: the "InterAction Sync" folder). */
static void mark_side(struct ois_apply_run *run, enum ois_side side, const char *when)
{
	const struct ois_backend *be = ois_backend_for(run->cfg, side, run->server);
	if (!be || !be->mark_synced || ois_apply_open_side(run, side))
		return;
	struct ois_conn *d = run->conn[side];
	char *sync_id = NULL, *item = NULL, *new_item = NULL;
	if (ois_state_meta_get(run->st, "sync_id", &sync_id))
		goto out;
	int rc = ois_state_meta_get(run->st, "syncinfo_item", &item);
	if (rc && rc != OIS_ENOTFOUND)
		goto out;
	char summary[200];
	snprintf(summary, sizeof(summary), "%lu changes applied, %lu already done, %lu conflicts, %lu failed",
		 run->counts[OIS_OP_OK], run->counts[OIS_OP_SKIPPED], run->counts[OIS_OP_CONFLICT],
		 run->counts[OIS_OP_FAILED]);
	rc = d->be->mark_synced(d, item, sync_id, when, summary, &new_item);
	if (rc == OIS_ENOTFOUND) {
		/* Deleting the folder asks for a fresh match (oisync-apply(1), DESCRIPTION). */
		ois_notice("the mailbox's \"InterAction Sync\" folder is gone: the next run matches "
			   "Outlook and InterAction afresh, as on a first sync");
		if (ois_state_reset(run->st))
			ois_warn("could not reset the state; run 'oisync reset' for this account");
	} else if (rc) {
		ois_warn("could not record this sync in the mailbox; the sync itself is committed");
	} else if (!ois_str_eq(item, new_item) && ois_state_meta_set(run->st, "syncinfo_item", new_item)) {
		ois_warn("could not remember the mailbox's sync record; the next run looks for it again");
	}
out:
	free(sync_id);
	free(item);
	free(new_item);
}

void ois_apply_mark_synced(struct ois_apply_run *run, const char *when)
{
	for (int side = 0; side < OIS_SIDES; side++)
		mark_side(run, (enum ois_side)side, when);
}
