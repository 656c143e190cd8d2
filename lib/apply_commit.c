/* apply_commit.c - fold confirmed ops into pairs and commit checkpoints, in one transaction. */
#include "apply.h"
#include "canonjson.h"
#include "code.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct row {
	char *op_id, *new_id, *new_version, *op;
	enum ois_op_status status;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static int collect(const struct ois_applied *a, void *ctx)
{
	struct rows *rs = ctx;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 64;
		rs->v = ois_xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	struct row *r = &rs->v[rs->n++];
	r->op_id = ois_xstrdup(a->op_id);
	r->status = a->status;
	r->new_id = a->new_id ? ois_xstrdup(a->new_id) : NULL;
	r->new_version = a->new_version ? ois_xstrdup(a->new_version) : NULL;
	r->op = a->op ? ois_xstrdup(a->op) : NULL;
	return 0;
}

static void rows_release(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].op_id);
		free(rs->v[i].new_id);
		free(rs->v[i].new_version);
		free(rs->v[i].op);
	}
	free(rs->v);
}

static void set_str(char **dst, const char *val)
{
	free(*dst);
	*dst = val ? ois_xstrdup(val) : NULL;
}

/*
 * A new pair may name an item another pair already holds: a run killed after
 * its ops were confirmed but before they were folded left those ops for this
 * fold, while reconcile, not seeing them, matched the same items again under
 * a pair of its own. The newer pairing knows as much or more: it replaces.
 */
static int drop_stale_pairs(struct ois_apply_run *run, json_object *op)
{
	json_object *ids = ois_json_obj(op, "ids");
	const char *kind = ois_json_str(op, "kind");
	for (int s = 0; s < OIS_SIDES; s++) {
		const char *id = ois_json_str(ids, ois_side_name(s));
		struct ois_pair old = { 0 };
		int rc = id ? ois_state_pair_find(run->st, kind, s, id, &old) : OIS_ENOTFOUND;
		if (rc == 0) {
			ois_info("pair %s replaces %s for the same %s item", ois_json_str(op, "pair"),
				 old.pair_id, ois_side_name(s));
			rc = ois_state_pair_delete(run->st, old.pair_id);
		}
		ois_pair_release(&old);
		if (rc && rc != OIS_ENOTFOUND)
			return rc;
	}
	return 0;
}

/*
 * 1 when another pair than p already holds one of p's items: folding p
 * would break the one-pair-per-item rule (the state refuses it). Said
 * once, clearly; the caller leaves the op unfolded.
 */
static int taken_by_another(struct ois_apply_run *run, const struct ois_pair *p, int *err)
{
	for (int s = 0; s < OIS_SIDES; s++) {
		struct ois_pair other = { 0 };
		int rc = p->id[s] ? ois_state_pair_find(run->st, p->kind, s, p->id[s], &other) : OIS_ENOTFOUND;
		int taken = rc == 0 && strcmp(other.pair_id, p->pair_id);
		if (taken)
			ois_error("cannot record pair %s: its %s %s %s is already paired as %s; the op is done on the "
				  "server but left out of the state, and the next run matches that item again",
				  p->pair_id, ois_side_name(s), p->kind, p->id[s], other.pair_id);
		ois_pair_release(&other);
		if (rc && rc != OIS_ENOTFOUND) {
			*err = rc;
			return 0;
		}
		if (taken)
			return 1;
	}
	return 0;
}

/*
 * Fold one confirmed op into its pair. The base (what both sides agreed on)
 * moves to the op's data only when every op of the pair in this run
 * succeeded: if one side's update failed, that side still holds the old
 * values, and a moved base would make them look like fresh edits that then
 * overwrite the other side. Ids and versions always follow the server.
 */
static int fold_op(struct ois_apply_run *run, json_object *op, const struct row *r, json_object *failed_pairs,
		   int *unfoldable)
{
	int action = ois_action_parse(ois_json_str(op, "action"));
	const char *pair_id = ois_json_str(op, "pair");
	if (!pair_id)
		return 0;
	if (action == OIS_ACT_DELETE || action == OIS_ACT_UNLINK)
		return ois_state_pair_delete(run->st, pair_id);

	int failed = failed_pairs && json_object_object_get_ex(failed_pairs, pair_id, NULL);
	struct ois_pair p = { 0 };
	int rc = ois_state_pair_get(run->st, pair_id, &p);
	if (rc && rc != OIS_ENOTFOUND)
		return rc;
	int is_new = rc == OIS_ENOTFOUND;
	if (is_new && failed)
		return 0; /* half-linked: the next run matches the two again */
	if (is_new && (rc = drop_stale_pairs(run, op)))
		return rc;
	if (is_new) {
		p.pair_id = ois_xstrdup(pair_id);
		p.kind = ois_xstrdup(ois_json_str(op, "kind"));
		p.op_id = ois_xstrdup(r->op_id);
	}
	/*
	 * What reconcile read of each side is newer than what the pair holds
	 * (a version moves when another user's own fields change, too); the
	 * target side's answer from the server, below, is newer still.
	 */
	json_object *ids = ois_json_obj(op, "ids"), *versions = ois_json_obj(op, "versions");
	for (int s = 0; s < OIS_SIDES; s++) {
		const char *id = ois_json_str(ids, ois_side_name(s));
		if (id || is_new) {
			set_str(&p.id[s], id);
			set_str(&p.version[s], ois_json_str(versions, ois_side_name(s)));
		}
	}
	int target = ois_side_parse(ois_json_str(op, "target"));
	if (target >= 0 && (action == OIS_ACT_CREATE || action == OIS_ACT_UPDATE)) {
		if (r->new_id)
			set_str(&p.id[target], r->new_id);
		set_str(&p.version[target], r->new_version);
	}
	/*
	 * An Exchange item this process made is newer than the sync state the
	 * run read: the next incremental read must report it, and not seeing it
	 * there means it was deleted since (reconcile). An item adopted, or made
	 * by an earlier run, may be older than that state: never marked.
	 */
	if (target == OIS_EXCHANGE && action == OIS_ACT_CREATE &&
	    json_object_object_get_ex(run->made_exchange, r->op_id, NULL))
		p.exchange_made = run->generation;
	json_object *data = ois_json_obj(op, "data");
	if (data && (!failed || is_new)) {
		char hash[OIS_HASH_LEN];
		struct ois_buf text = OIS_BUF_INIT;
		ois_json_canonical(data, &text);
		ois_json_hash(data, hash);
		free(p.base);
		p.base = ois_buf_detach(&text, NULL);
		set_str(&p.base_hash, hash);
	}
	if (p.base && taken_by_another(run, &p, &rc))
		*unfoldable = 1;
	else if (!rc && p.base)
		rc = ois_state_pair_put(run->st, &p);
	ois_pair_release(&p);
	return rc;
}

/*
 * A checkpoint a newer generation wrote is never replaced by this change
 * set's older one: that would make the next run read changes it has
 * already synced as if new, and lose the deletions in between.
 */
static int older_than_state(struct ois_apply_run *run, json_object *cp)
{
	int side = ois_side_parse(ois_json_str(cp, "side"));
	const char *folder = ois_json_str(cp, "folder");
	long at = ois_state_checkpoint_generation(run->st, (enum ois_side)side, folder);
	if (at <= run->cs->generation)
		return 0;
	ois_notice("%s %s checkpoint left as it is: generation %ld wrote it, this change set was computed at %ld",
		   ois_side_name(side), folder, at, run->cs->generation);
	return 1;
}

int ois_apply_commit(struct ois_apply_run *run, json_object *failed_pairs, json_object *checkpoints,
		 const char *started, const char *outcome, unsigned long *unfolded)
{
	struct rows rs = { 0 };
	int rc = ois_state_applied_foreach_unfolded(run->st, collect, &rs);
	if (rc)
		goto out;
	*unfolded = 0;
	if ((rc = ois_state_begin(run->st)))
		goto out;
	/* First, so that every row this commit writes carries the new generation. */
	if ((rc = ois_state_generation_bump(run->st, run->cs->id, run->cs->generation)))
		goto rollback;
	struct ois_generation g;
	if ((rc = ois_state_generation_get(run->st, &g)))
		goto rollback;
	run->generation = g.number;
	ois_generation_release(&g);
	for (size_t i = 0; i < rs.n; i++) {
		struct row *r = &rs.v[i];
		if (!ois_op_status_final(r->status))
			continue; /* not done: a rerun tries again */
		if (r->status == OIS_OP_OK) {
			json_object *op = json_tokener_parse(r->op ? r->op : "");
			if (!op) {
				rc = ois_fail(OIS_EDATA, "state: applied op %s is not readable JSON", r->op_id);
				goto rollback;
			}
			int unfoldable = 0;
			rc = fold_op(run, op, r, failed_pairs, &unfoldable);
			if (!rc && unfoldable) {
				/* Not trusted as done: a rerun looks for its item (by its tag) and tries again. */
				struct ois_applied a = { .op_id = r->op_id, .status = OIS_OP_FAILED, .new_id = r->new_id,
							 .new_version = r->new_version, .op = r->op };
				rc = ois_state_applied_put(run->st, &a);
				++*unfolded;
			}
			json_object_put(op);
			if (rc)
				goto rollback;
			if (unfoldable)
				continue;
		}
		if ((rc = ois_state_applied_mark_folded(run->st, r->op_id)))
			goto rollback;
	}
	size_t ncp = checkpoints && !*unfolded ? json_object_array_length(checkpoints) : 0;
	for (size_t i = 0; i < ncp; i++) {
		json_object *cp = json_object_array_get_idx(checkpoints, i);
		if (older_than_state(run, cp))
			continue;
		rc = ois_state_checkpoint_set(run->st, ois_side_parse(ois_json_str(cp, "side")),
					      ois_json_str(cp, "folder"), ois_json_str(cp, "token"));
		if (rc)
			goto rollback;
	}
	/*
	 * Settled: the next read that finds nothing new may commit its
	 * checkpoints without a change set (ois_apply_quiet). Only a quiet
	 * change set committed whole says so; every other commit takes it back.
	 */
	const char *settled = ncp && !*unfolded && !strcmp(outcome, "ok") ? run->cs->settled : NULL;
	if ((rc = ois_state_meta_set(run->st, OIS_META_SETTLED, settled)))
		goto rollback;
	char *sync_id = NULL;
	rc = ois_state_meta_get(run->st, "sync_id", &sync_id);
	if (rc == OIS_ENOTFOUND) {
		char uuid[37];
		if ((rc = ois_uuid4(uuid)) || (rc = ois_state_meta_set(run->st, "sync_id", uuid)))
			goto rollback;
	} else if (rc) {
		goto rollback;
	}
	free(sync_id);
	char finished[32], counts[160];
	ois_time_now(finished);
	snprintf(counts, sizeof(counts), "{\"ok\":%lu,\"skipped\":%lu,\"conflict\":%lu,\"failed\":%lu}",
		 run->counts[OIS_OP_OK], run->counts[OIS_OP_SKIPPED], run->counts[OIS_OP_CONFLICT],
		 run->counts[OIS_OP_FAILED]);
	if ((rc = ois_state_run_add(run->st, started, finished, *unfolded ? "failed" : outcome, counts)))
		goto rollback;
	if (!*unfolded && !strcmp(outcome, "ok") && (rc = ois_state_meta_set(run->st, "last_sync", finished)))
		goto rollback;
	rc = ois_state_commit(run->st);
	goto out;
rollback:
	ois_state_rollback(run->st);
out:
	rows_release(&rs);
	return rc;
}
