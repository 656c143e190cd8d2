/* apply_syncmark.c - tell the mailbox's user when the last successful sync ran. */
#include "apply.h"
#include "code.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

/* How often a quiet account's record is rewritten all the same, so it still shows the sync alive. */
#define REWRITE_AFTER_S (24 * 3600)

/*
 * 1 when this run changes nothing the record shows (no op at all) and the
 * record was written less than a day before when: the mailbox is left
 * alone, so a quiet run costs its change tracking and nothing more.
 */
static int record_is_fresh(struct ois_apply_run *run, const char *when)
{
	for (int s = 0; s < OIS_OP_STATUSES; s++)
		if (run->counts[s])
			return 0;
	char *written = NULL;
	time_t then, now;
	int fresh = ois_state_meta_get(run->st, "syncinfo_written", &written) == 0 &&
		    ois_time_parse(written, 0, &then) == 0 && ois_time_parse(when, 0, &now) == 0 &&
		    now >= then && now - then < REWRITE_AFTER_S;
	free(written);
	return fresh;
}

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
	if (item && record_is_fresh(run, when)) {
		ois_debug("nothing changed and the mailbox's sync record is less than a day old: left as it is");
		goto out;
	}
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
	} else if ((!ois_str_eq(item, new_item) && ois_state_meta_set(run->st, "syncinfo_item", new_item)) ||
		   ois_state_meta_set(run->st, "syncinfo_written", when)) {
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
