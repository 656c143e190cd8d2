/* apply_op.c - send one op to its server, exactly once, and record the answer. */
#include "apply.h"
#include "backend.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ois_apply_open_side(struct ois_apply_run *run, enum ois_side side)
{
	if (run->conn[side])
		return 0;
	const struct ois_backend *be = ois_backend_for(run->cfg, side, run->server);
	if (!be)
		return OIS_ECONFIG;
	struct ois_account_ref ref = { .cfg = run->cfg, .server = run->server, .mailbox = run->account, .user = run->user };
	int rc = OIS_ECONFIG;
	run->conn[side] = be->open(&ref, &rc);
	return run->conn[side] ? 0 : rc;
}

/* Commit the outcome before anything else happens: this row is what a rerun trusts. */
static int record(struct ois_apply_run *run, const char *op_id, enum ois_op_status status,
		  const char *new_id, const char *new_version, json_object *op)
{
	struct ois_applied a = {
		.op_id = (char *)op_id,
		.status = status,
		.new_id = (char *)new_id,
		.new_version = (char *)new_version,
		.op = (char *)json_object_to_json_string_ext(op, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	};
	int rc = ois_state_applied_put(run->st, &a);
	if (rc)
		return rc;
	/*
	 * Test hook for crash-at-every-step tests (see oisync-apply(1),
	 * ENVIRONMENT): after the N-th op's outcome. A create's pending row is
	 * no outcome and does not count, or steps 1..N would stop short of the
	 * last ops.
	 */
	if (run->crash_after > 0 && status != OIS_OP_PENDING && ++run->recorded >= run->crash_after)
		_exit(99);
	return 0;
}

static void write_result(struct ois_apply_run *run, const char *op_id, enum ois_op_status st,
			 const char *id, const char *version, const char *error, json_object *merge)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string("result"));
	json_object_object_add(r, "op_id", json_object_new_string(op_id));
	json_object_object_add(r, "status", json_object_new_string(ois_op_status_name(st)));
	json_object_object_add(r, "id", id ? json_object_new_string(id) : NULL);
	json_object_object_add(r, "version", version ? json_object_new_string(version) : NULL);
	json_object_object_add(r, "error", error ? json_object_new_string(error) : NULL);
	if (merge)
		json_object_object_add(r, "merge", json_object_get(merge));
	ois_jsonl_write(run->out, r);
	json_object_put(r);
	run->counts[st]++;
}

/* Codes that say the server, not this op, is the problem: stop the run. */
static int run_stopping(int rc)
{
	return rc == OIS_ETEMP || rc == OIS_EUNAVAIL || rc == OIS_EPERM || rc == OIS_ECONFIG || rc == OIS_EIO;
}

/*
 * A create's preconditions, checked against the state and the target
 * server, so a create never makes a second item for one pair:
 * - the pair has no item on the target side yet (else OIS_ECONFLICT: some
 *   other op already created or linked it);
 * - no item carries the op's tag. One that does was made by this very op,
 *   in a run whose reply or record was lost (a "pending" row, a killed
 *   apply, a state restored from a backup): it is adopted, not made twice.
 */
static int do_create(struct ois_apply_run *run, struct ois_conn *d, enum ois_side target, json_object *op,
		     const char *op_id, int maybe_sent, char **id, char **version, const char **why,
		     struct ois_adopted *adopted)
{
	const char *kind = ois_json_str(op, "kind");
	struct ois_pair p = { 0 };
	int rc = ois_state_pair_get(run->st, ois_json_str(op, "pair"), &p);
	int has_item = rc == 0 && p.id[target];
	if (has_item)
		ois_notice("pair %s already has %s %s %s: create not sent", p.pair_id, ois_side_name(target), kind,
			   p.id[target]);
	ois_pair_release(&p);
	if (has_item) {
		*why = "the pair already has an item on that side";
		return OIS_ECONFLICT;
	}
	if (rc && rc != OIS_ENOTFOUND)
		return rc;
	rc = d->be->find_by_op(d, kind, op_id, ois_json_obj(op, "data"), id, version);
	if (rc == 0) {
		ois_info("adopted %s %s, created by %s", kind, *id,
			 maybe_sent ? "an interrupted run" : "this op before (its tag is on it)");
		return 0;
	}
	if (rc != OIS_ENOTFOUND)
		return rc;
	rc = record(run, op_id, OIS_OP_PENDING, NULL, NULL, op);
	if (rc)
		return rc;
	rc = d->be->create(d, kind, ois_json_obj(op, "data"), op_id, id, version, adopted);
	/* Made after the sync state this run read: the next read must report it (apply_commit.c). */
	if (rc == 0 && target == OIS_EXCHANGE)
		json_object_object_add(run->made_exchange, op_id, json_object_new_boolean(1));
	return rc;
}

/*
 * Whether an op the applied table has as ok is still done in this state. A
 * create's id is the digest of its content, so the same create comes again
 * when the same item is to be made again: a contact taken off a user's list
 * (its Outlook copy deleted, the pair gone) and put back unchanged. Once
 * folded, a create is done only while its pair still holds the item it
 * made; otherwise it is new work, and its preconditions (the pair, the tag)
 * keep it from making anything twice.
 */
static int still_done(struct ois_apply_run *run, enum ois_action action, json_object *op,
		      const struct ois_applied *prev)
{
	if (action != OIS_ACT_CREATE || prev->status != OIS_OP_OK || !prev->folded)
		return 1;
	int target = ois_side_parse(ois_json_str(op, "target"));
	struct ois_pair p = { 0 };
	int rc = ois_state_pair_get(run->st, ois_json_str(op, "pair"), &p);
	int holds;
	if (rc == OIS_ENOTFOUND)
		holds = 0;
	else if (rc)
		holds = 1; /* cannot tell: never risk sending it twice */
	else
		holds = target >= 0 && ois_str_eq(p.id[target], prev->new_id);
	if (!holds)
		ois_info("create %s was done before, but its pair no longer holds that item: done again", prev->op_id);
	ois_pair_release(&p);
	return holds;
}

int ois_apply_op(struct ois_apply_run *run, json_object *op, const char *where, enum ois_op_status *status)
{
	const char *op_id = ois_json_str(op, "op_id");
	const char *action_name = ois_json_str(op, "action");
	int action = ois_action_parse(action_name);
	struct ois_applied prev = { 0 };
	int maybe_sent = 0;
	/*
	 * link and unlink change only the state, so doing them again is safe, and
	 * needed when the state lost the pair since (a reset makes the same link
	 * op, with the same id, as the first sync did).
	 */
	int state_only = action == OIS_ACT_LINK || action == OIS_ACT_UNLINK;
	int rc = ois_state_applied_get(run->st, op_id, &prev);
	if (rc == 0 && !state_only && ois_op_status_final(prev.status) && still_done(run, action, op, &prev)) {
		/* Done (or refused as a conflict) by an earlier run: never send it again. */
		*status = OIS_OP_SKIPPED;
		write_result(run, op_id, OIS_OP_SKIPPED, prev.new_id, prev.new_version, NULL, NULL);
		ois_applied_release(&prev);
		return 0;
	}
	if (rc == 0)
		maybe_sent = prev.status == OIS_OP_PENDING;
	else if (rc != OIS_ENOTFOUND)
		return rc;
	ois_applied_release(&prev);

	char *new_id = NULL, *new_version = NULL;
	const char *why = NULL;
	struct ois_adopted adopted = { 0 };
	json_object *recorded = NULL, *merge = NULL; /* a create that adopted an item: the merged op, the result's "merge" */
	if (state_only) {
		/* Only the state changes: nothing to send. */
		rc = 0;
	} else {
		int side = ois_side_parse(ois_json_str(op, "target"));
		const char *kind = ois_json_str(op, "kind");
		const char *id = ois_json_str(op, "id");
		const char *if_version = ois_json_str(op, "if_version");
		if (side < 0)
			return ois_fail(OIS_EDATA, "%s: \"target\" must be \"exchange\" or \"interaction\"", where);
		if (action != OIS_ACT_CREATE && !id)
			return ois_fail(OIS_EDATA, "%s: a %s op needs \"id\"", where, action_name);
		if ((rc = ois_apply_open_side(run, (enum ois_side)side)))
			return rc;
		struct ois_conn *d = run->conn[side];
		if (action == OIS_ACT_CREATE) {
			rc = do_create(run, d, (enum ois_side)side, op, op_id, maybe_sent, &new_id, &new_version, &why,
				       &adopted);
			if (!rc && adopted.data)
				rc = ois_apply_merge_adopted(run, op, &adopted, new_id, &new_version, &recorded, &merge);
			ois_adopted_release(&adopted);
		} else if (action == OIS_ACT_UPDATE) {
			rc = d->be->update(d, kind, id, if_version, ois_json_obj(op, "data"),
				       ois_json_arr(op, "fields"), &new_version);
			new_id = ois_xstrdup(id);
		} else if (action == OIS_ACT_DELETE) {
			rc = d->be->remove(d, kind, id, if_version);
			if (rc == OIS_ENOTFOUND)
				rc = 0; /* already gone: what we wanted */
		} else {
			return ois_fail(OIS_EDATA, "%s: unknown action '%s'", where, action_name);
		}
	}

	enum ois_op_status st = OIS_OP_OK;
	const char *error = NULL;
	if (rc == OIS_ECONFLICT || rc == OIS_ENOTFOUND) {
		st = OIS_OP_CONFLICT;
		error = why ? why : rc == OIS_ECONFLICT ? "the item changed on the server since it was read"
						       : "the item no longer exists";
	} else if (rc < 0) {
		st = OIS_OP_FAILED;
		error = "the server refused or failed the request (see the log)";
	}
	int stop = run_stopping(rc) ? rc : 0;
	/* A failure that stops the run leaves a pending create pending: a rerun looks for it first. */
	if (!stop || st != OIS_OP_FAILED) {
		int wrc = record(run, op_id, st, new_id, new_version, recorded ? recorded : op);
		if (wrc) {
			free(new_id);
			free(new_version);
			json_object_put(recorded);
			json_object_put(merge);
			return wrc;
		}
	}
	write_result(run, op_id, st, new_id, new_version, error, merge);
	free(new_id);
	free(new_version);
	json_object_put(recorded);
	json_object_put(merge);
	*status = st;
	return stop;
}
