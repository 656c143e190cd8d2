/* apply_quiet.c - a settled account whose read found nothing new: its checkpoints committed without a change set. */
#include "apply.h"
#include "code.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Every checkpoint complete and incremental: the reads said what changed, and it was nothing. */
static int reads_incremental(json_object *checkpoints)
{
	size_t n = json_object_array_length(checkpoints);
	for (size_t i = 0; i < n; i++) {
		json_object *cp = json_object_array_get_idx(checkpoints, i);
		if (!ois_json_bool(cp, "complete", 0) || ois_json_bool(cp, "full", 0))
			return 0;
	}
	return n > 0;
}

static int any_unfolded(const struct ois_applied *a, void *ctx)
{
	(void)a;
	(void)ctx;
	return 1; /* stops the walk: one is enough */
}

/*
 * 1 when the state is settled at now (OIS_META_SETTLED present, its time,
 * if any, not reached) and no op is left unfolded; *settled is the value,
 * owned by the caller.
 */
static int settled_at(struct ois_state *st, time_t now, char **settled, int *err)
{
	*err = 0;
	*settled = NULL;
	int rc = ois_state_meta_get(st, OIS_META_SETTLED, settled);
	if (rc) {
		if (rc != OIS_ENOTFOUND)
			*err = rc;
		return 0;
	}
	time_t until;
	if (**settled && (ois_time_parse(*settled, 0, &until) || now >= until)) {
		ois_debug("settled until %s, now past: reconciling", *settled);
		return 0;
	}
	rc = ois_state_applied_foreach_unfolded(st, any_unfolded, NULL);
	if (rc < 0)
		*err = rc;
	return rc == 0;
}

int ois_apply_settled(struct ois_state *st, time_t now)
{
	char *settled;
	int err, rc = settled_at(st, now, &settled, &err);
	free(settled);
	return err ? err : rc;
}

int ois_apply_quiet(struct ois_state *st, const struct ois_config *cfg, const char *server, const char *account,
		    json_object *checkpoints, time_t now)
{
	if (!reads_incremental(checkpoints))
		return 0;
	char *settled = NULL;
	int err;
	if (!settled_at(st, now, &settled, &err)) {
		free(settled);
		return err;
	}
	struct ois_generation g;
	int rc = ois_state_generation_get(st, &g);
	if (rc) {
		free(settled);
		return rc;
	}
	/* An empty change set, quiet again: the commit is the one apply makes for it. */
	const struct ois_user *u = ois_config_user_by_mailbox(cfg, account);
	struct ois_apply_changeset cs = { .account = account, .server = server, .user = u ? u->id : NULL,
					  .generation = g.number, .settled = settled };
	ois_generation_release(&g);
	struct ois_apply_run run = { .st = st, .cfg = cfg, .server = server, .account = account, .user = cs.user,
				     .cs = &cs, .made_exchange = json_object_new_object() };
	char started[OIS_TIME_LEN];
	ois_time_now(started);
	unsigned long unfolded = 0;
	rc = ois_apply_commit(&run, NULL, checkpoints, started, "ok", &unfolded);
	if (!rc) {
		ois_info("nothing new on either side: checkpoints committed as generation %ld", run.generation);
		char finished[OIS_TIME_LEN];
		ois_time_now(finished);
		ois_apply_mark_synced(&run, finished); /* once a day, the mailbox's record that the sync is alive */
	}
	ois_apply_close_sides(&run);
	json_object_put(run.made_exchange);
	free(settled);
	return rc ? rc : 1;
}
