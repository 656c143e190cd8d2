/* apply_op.c - send one op to its server, exactly once, and record the answer. */
#include "apply.h"
#include "backend.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "phone_display.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (run->crash_after > 0 && status != OIS_OP_PENDING && ++run->recorded >= run->crash_after) {
		/*
		 * Inside a group's transaction the kill comes after a commit, so
		 * that step n is n outcomes recorded: every prefix of a group is a
		 * state a real kill (between two groups, or of a run that commits
		 * each row) can leave.
		 */
		if (run->in_group)
			ois_state_commit(run->st);
		_exit(99);
	}
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
 * A group's rows (its creates' pending rows, then its outcomes) go in one
 * transaction: one sync to disk for the group, not one per row. A kill
 * before the commit loses the group's rows: the pending ones mean its
 * creates were not sent (and a rerun looks for their tags anyway), the
 * outcomes that the next run finds again (a create by its tag, an update
 * as a change of its own, a delete as done).
 */
static int group_begin(struct ois_apply_run *run)
{
	int rc = ois_state_begin(run->st);
	run->in_group = rc == 0;
	return rc;
}

static int group_end(struct ois_apply_run *run, int rc)
{
	run->in_group = 0;
	if (rc) {
		ois_state_rollback(run->st);
		return rc;
	}
	return ois_state_commit(run->st);
}

/* One op on its way through apply: what the single and the batched path share. */
struct job {
	json_object *op;
	const char *where, *op_id, *kind, *id, *if_version;
	int action, side;
	int maybe_sent;           /* a pending row: an earlier run may have sent it */
	int state_only;           /* link, unlink: nothing to send */
	int skipped;              /* done by an earlier run: its result line is written */
	int answered;             /* a batch's create answered before the writes: a precondition, its tag found */
	int rc;                   /* the server's answer */
	char *new_id, *new_version;
	const char *why;
	struct ois_adopted adopted;
	json_object *recorded, *merge; /* a create that adopted an item: the merged op, the result's "merge" */
	json_object *sent;        /* the op's data as the server is given it (ois_contact_written) */
};

static void job_release(struct job *j)
{
	free(j->new_id);
	free(j->new_version);
	ois_adopted_release(&j->adopted);
	json_object_put(j->recorded);
	json_object_put(j->merge);
	json_object_put(j->sent);
}

/*
 * A create's first precondition, against the state: the pair has no item
 * on the target side yet (else OIS_ECONFLICT: some other op already created
 * or linked it). The second, that no item carries the op's tag, is the
 * backend's find_by_op.
 */
static int pair_free(struct ois_apply_run *run, struct job *j)
{
	struct ois_pair p = { 0 };
	int rc = ois_state_pair_get(run->st, ois_json_str(j->op, "pair"), &p);
	int has_item = rc == 0 && p.id[j->side];
	if (has_item)
		ois_notice("pair %s already has %s %s %s: create not sent", p.pair_id, ois_side_name((enum ois_side)j->side),
			   j->kind, p.id[j->side]);
	ois_pair_release(&p);
	if (has_item) {
		j->why = "the pair already has an item on that side";
		return OIS_ECONFLICT;
	}
	return rc == OIS_ENOTFOUND ? 0 : rc;
}

/* find_by_op's answer: an item carrying the op's tag was made by this very op, and is adopted. */
static void found_by_tag(struct job *j)
{
	ois_info("adopted %s %s, created by %s", j->kind, j->new_id,
		 j->maybe_sent ? "an interrupted run" : "this op before (its tag is on it)");
}

/* A create about to be sent: pending in the state first, so a rerun looks for it. */
static int about_to_create(struct ois_apply_run *run, struct job *j)
{
	return record(run, j->op_id, OIS_OP_PENDING, NULL, NULL, j->op);
}

/* Made after the sync state this run read: the next read must report it (apply_commit.c). */
static void created(struct ois_apply_run *run, struct job *j)
{
	if (j->side == OIS_EXCHANGE)
		json_object_object_add(run->made_exchange, j->op_id, json_object_new_boolean(1));
}

/*
 * A create's preconditions, checked against the state and the target
 * server, so a create never makes a second item for one pair:
 * - the pair has no item on the target side yet;
 * - no item carries the op's tag. One that does was made by this very op,
 *   in a run whose reply or record was lost (a "pending" row, a killed
 *   apply, a state restored from a backup): it is adopted, not made twice.
 */
static int do_create(struct ois_apply_run *run, struct ois_conn *d, struct job *j)
{
	int rc = pair_free(run, j);
	if (rc)
		return rc;
	rc = d->be->find_by_op(d, j->kind, j->op_id, ois_json_obj(j->op, "data"), &j->new_id, &j->new_version);
	if (rc == 0) {
		found_by_tag(j);
		return 0;
	}
	if (rc != OIS_ENOTFOUND)
		return rc;
	if ((rc = about_to_create(run, j)))
		return rc;
	rc = d->be->create(d, j->kind, j->sent, j->op_id, &j->new_id, &j->new_version, &j->adopted);
	if (rc == 0)
		created(run, j);
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

/*
 * The op before anything is sent: done by an earlier run (j->done, its
 * result written), or checked and its side opened. 0, or a code that stops
 * the run (a malformed op, a backend that cannot open).
 */
static int job_start(struct ois_apply_run *run, struct job *j, json_object *op, const char *where)
{
	memset(j, 0, sizeof(*j));
	j->op = op;
	j->where = where;
	j->op_id = ois_json_str(op, "op_id");
	const char *action_name = ois_json_str(op, "action");
	j->action = ois_action_parse(action_name);
	/*
	 * link and unlink change only the state, so doing them again is safe, and
	 * needed when the state lost the pair since (a reset makes the same link
	 * op, with the same id, as the first sync did).
	 */
	j->state_only = j->action == OIS_ACT_LINK || j->action == OIS_ACT_UNLINK;
	struct ois_applied prev = { 0 };
	int rc = ois_state_applied_get(run->st, j->op_id, &prev);
	if (rc == 0 && !j->state_only && ois_op_status_final(prev.status) &&
	    still_done(run, (enum ois_action)j->action, op, &prev)) {
		/* Done (or refused as a conflict) by an earlier run: never send it again. */
		write_result(run, j->op_id, OIS_OP_SKIPPED, prev.new_id, prev.new_version, NULL, NULL);
		ois_applied_release(&prev);
		j->skipped = 1;
		return 0;
	}
	if (rc == 0)
		j->maybe_sent = prev.status == OIS_OP_PENDING;
	else if (rc != OIS_ENOTFOUND)
		return rc;
	ois_applied_release(&prev);
	if (j->state_only)
		return 0;
	j->side = ois_side_parse(ois_json_str(op, "target"));
	j->kind = ois_json_str(op, "kind");
	j->id = ois_json_str(op, "id");
	j->if_version = ois_json_str(op, "if_version");
	if (j->side < 0)
		return ois_fail(OIS_EDATA, "%s: \"target\" must be \"exchange\" or \"interaction\"", where);
	if (j->action != OIS_ACT_CREATE && j->action != OIS_ACT_UPDATE && j->action != OIS_ACT_DELETE)
		return ois_fail(OIS_EDATA, "%s: unknown action '%s'", where, action_name);
	if (j->action != OIS_ACT_CREATE && !j->id)
		return ois_fail(OIS_EDATA, "%s: a %s op needs \"id\"", where, action_name);
	j->sent = ois_contact_written(ois_json_obj(op, "data"), j->kind, (enum ois_phone_format)run->cfg->phone_format);
	return ois_apply_open_side(run, (enum ois_side)j->side);
}

/* Send one op by itself. */
static void job_send(struct ois_apply_run *run, struct job *j)
{
	struct ois_conn *d = run->conn[j->side];
	if (j->action == OIS_ACT_CREATE) {
		j->rc = do_create(run, d, j);
		if (!j->rc && j->adopted.data)
			j->rc = ois_apply_merge_adopted(run, j->op, &j->adopted, j->new_id, &j->new_version, &j->recorded,
							&j->merge);
	} else if (j->action == OIS_ACT_UPDATE) {
		j->rc = d->be->update(d, j->kind, j->id, j->if_version, j->sent,
				      ois_json_arr(j->op, "fields"), &j->new_version);
		j->new_id = ois_xstrdup(j->id);
	} else {
		j->rc = d->be->remove(d, j->kind, j->id, j->if_version);
		if (j->rc == OIS_ENOTFOUND)
			j->rc = 0; /* already gone: what we wanted */
	}
}

/* Record the op's outcome, write its result line; the code that stops the run, or 0. */
static int job_finish(struct ois_apply_run *run, struct job *j, enum ois_op_status *status)
{
	int rc = j->rc;
	enum ois_op_status st = OIS_OP_OK;
	const char *error = NULL;
	if (rc == OIS_ECONFLICT || rc == OIS_ENOTFOUND) {
		st = OIS_OP_CONFLICT;
		error = j->why ? j->why : rc == OIS_ECONFLICT ? "the item changed on the server since it was read"
							 : "the item no longer exists";
	} else if (rc < 0) {
		st = OIS_OP_FAILED;
		error = "the server refused or failed the request (see the log)";
	}
	int stop = run_stopping(rc) ? rc : 0;
	/* A failure that stops the run leaves a pending create pending: a rerun looks for it first. */
	if (!stop || st != OIS_OP_FAILED) {
		int wrc = record(run, j->op_id, st, j->new_id, j->new_version, j->recorded ? j->recorded : j->op);
		if (wrc)
			return wrc;
	}
	write_result(run, j->op_id, st, j->new_id, j->new_version, error, j->merge);
	*status = st;
	return stop;
}

int ois_apply_op(struct ois_apply_run *run, json_object *op, const char *where, enum ois_op_status *status)
{
	struct job j;
	int rc = job_start(run, &j, op, where);
	if (!rc && j.skipped)
		*status = OIS_OP_SKIPPED;
	else if (!rc) {
		if (!j.state_only)
			job_send(run, &j);
		rc = job_finish(run, &j, status);
	}
	job_release(&j);
	return rc;
}

/* The most ops a group takes, unless one request takes more. */
#define GROUP_MAX 64

/* link and unlink change only the state: nothing is sent. */
static int is_state_only(json_object *rec)
{
	if (ois_record_type(rec) != OIS_REC_OP)
		return 0;
	int action = ois_action_parse(ois_json_str(rec, "action"));
	return action == OIS_ACT_LINK || action == OIS_ACT_UNLINK;
}

/*
 * Ops that change only the state, all in one transaction: one sync to disk
 * for them, not one each. A kill before the commit loses their rows, and
 * the next run does them again (link and unlink are done again anyway).
 * The crash hook commits what is recorded before it kills (record), so a
 * kill after the n-th outcome leaves n outcomes, as one by one.
 */
int ois_apply_state_ops(struct ois_apply_run *run, json_object **ops, const char *const *where, size_t n,
			enum ois_op_status *status)
{
	for (size_t i = 0; i < n; i++)
		status[i] = OIS_OP_FAILED; /* until recorded */
	int rc = group_begin(run);
	for (size_t i = 0; i < n && !rc; i++) {
		struct job j;
		if (!is_state_only(ops[i]))
			OIS_BUG("%s: not a link or unlink", where[i]);
		if (!(rc = job_start(run, &j, ops[i], where[i])))
			rc = job_finish(run, &j, &status[i]);
		job_release(&j);
	}
	return group_end(run, rc);
}

int ois_apply_batchable(const struct ois_apply_run *run, json_object *op, int *side)
{
	int action = ois_action_parse(ois_json_str(op, "action"));
	int s = ois_side_parse(ois_json_str(op, "target"));
	if (s < 0 || (action != OIS_ACT_CREATE && action != OIS_ACT_UPDATE && action != OIS_ACT_DELETE))
		return 0;
	const struct ois_backend *be = run->conn[s] ? run->conn[s]->be : ois_backend_for(run->cfg, (enum ois_side)s, run->server);
	if (!be || !be->write_many || be->write_batch < 2)
		return 0;
	*side = s;
	/*
	 * Whole requests of the account's own size, as many as fit in
	 * GROUP_MAX: a group is two commits, so the bigger the fewer, and
	 * write_many cuts no request short but the group's last.
	 */
	size_t per = run->conn[s] && run->conn[s]->write_batch ? run->conn[s]->write_batch : be->write_batch;
	size_t n = per >= GROUP_MAX ? per : GROUP_MAX / per * per;
	return (int)(n > be->write_batch ? be->write_batch : n); /* write_many's own bound */
}

/* write_many over the jobs at[0..n), filling w (the caller releases its answers). */
static int send_many(struct ois_conn *d, struct ois_write *w, size_t n)
{
	int rc = d->be->write_many(d, w, n);
	if (rc)
		for (size_t i = 0; i < n; i++)
			w[i].rc = rc;
	return rc;
}

int ois_apply_ops(struct ois_apply_run *run, json_object **ops, const char *const *where, size_t n,
		  enum ois_op_status *status)
{
	struct job *jobs = ois_xcalloc(n, sizeof(*jobs));
	struct ois_write *w = ois_xcalloc(n, sizeof(*w));
	size_t *at = ois_xcalloc(n, sizeof(*at));
	size_t started = 0, k;
	int rc = 0, side = -1;
	for (size_t i = 0; i < n; i++)
		status[i] = OIS_OP_FAILED;
	/* Checked and opened first: one that cannot be stops the run before anything of the group is sent. */
	for (; started < n && !rc; started++) {
		rc = job_start(run, &jobs[started], ops[started], where[started]);
		if (!rc && !jobs[started].skipped) {
			if (jobs[started].state_only || (side >= 0 && jobs[started].side != side))
				OIS_BUG("%s: not an op of the batch's side", where[started]);
			side = jobs[started].side;
		}
	}
	if (rc)
		goto out;
	struct ois_conn *d = side >= 0 ? run->conn[side] : NULL;

	/* The creates' preconditions: the pair (the state), then every tag in one round trip. */
	k = 0;
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		if (j->skipped || j->action != OIS_ACT_CREATE)
			continue;
		if ((j->rc = pair_free(run, j))) {
			j->answered = 1;
			continue;
		}
		w[k] = (struct ois_write){ .what = OIS_WRITE_FIND, .kind = j->kind, .op_id = j->op_id,
					   .data = ois_json_obj(j->op, "data") };
		at[k++] = i;
	}
	if (k)
		send_many(d, w, k);
	for (size_t m = 0; m < k; m++) {
		struct job *j = &jobs[at[m]];
		if (w[m].rc == OIS_ENOTFOUND) {
			ois_write_release(&w[m]);
			continue;
		}
		j->rc = w[m].rc;
		j->new_id = w[m].new_id;
		j->new_version = w[m].new_version;
		j->answered = 1;
		if (j->rc == 0)
			found_by_tag(j);
	}

	/* The writes, in one round trip; the creates pending first, all in one commit (one sync to disk). */
	k = 0;
	if ((rc = group_begin(run)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		if (j->skipped || j->answered)
			continue;
		enum ois_write_what what = j->action == OIS_ACT_CREATE ? OIS_WRITE_CREATE
					   : j->action == OIS_ACT_UPDATE ? OIS_WRITE_UPDATE : OIS_WRITE_REMOVE;
		if (what == OIS_WRITE_CREATE && (rc = about_to_create(run, j)))
			break;
		w[k] = (struct ois_write){ .what = what, .kind = j->kind, .id = j->id, .if_version = j->if_version,
					   .op_id = j->op_id, .data = j->sent,
					   .fields = ois_json_arr(j->op, "fields") };
		at[k++] = i;
	}
	if ((rc = group_end(run, rc)))
		goto out;
	if (k)
		send_many(d, w, k);
	for (size_t m = 0; m < k; m++) {
		struct job *j = &jobs[at[m]];
		j->rc = w[m].rc;
		if (j->action == OIS_ACT_CREATE) {
			j->new_id = w[m].new_id;
		} else {
			free(w[m].new_id);
			j->new_id = ois_xstrdup(j->id);
		}
		j->new_version = w[m].new_version;
		if (j->action == OIS_ACT_DELETE && j->rc == OIS_ENOTFOUND)
			j->rc = 0; /* already gone: what we wanted */
		if (j->action == OIS_ACT_CREATE && j->rc == 0) {
			created(run, j);
			j->adopted = w[m].adopted;
			w[m].adopted = (struct ois_adopted){ 0 };
		}
	}
	/* A create that adopted an existing item merges with it, as by itself (job_send). */
	for (size_t m = 0; m < k; m++) {
		struct job *j = &jobs[at[m]];
		if (j->rc == 0 && j->adopted.data)
			j->rc = ois_apply_merge_adopted(run, j->op, &j->adopted, j->new_id, &j->new_version, &j->recorded,
							&j->merge);
	}

	/*
	 * Every answer is recorded, in order, even after one that stops the
	 * run: what a server did must be known to the next run.
	 */
	if ((rc = group_begin(run)))
		goto out;
	int wrc = 0;
	for (size_t i = 0; i < n && !wrc; i++) {
		int stop = jobs[i].skipped ? (status[i] = OIS_OP_SKIPPED, 0) : job_finish(run, &jobs[i], &status[i]);
		/* A state that cannot be written ends the group: what it could not record, the next run finds again. */
		if (stop == OIS_EIO)
			wrc = stop;
		else if (stop && !rc)
			rc = stop;
	}
	if ((wrc = group_end(run, wrc)))
		rc = wrc;
out:
	for (size_t i = 0; i < started; i++)
		job_release(&jobs[i]);
	free(jobs);
	free(w);
	free(at);
	return rc;
}

size_t ois_apply_group(const struct ois_apply_run *run, const struct ois_apply_changeset *cs, size_t i,
		       const unsigned char *done, size_t *idx)
{
	int side, other;
	int max = ois_apply_batchable(run, cs->recs[i], &side);
	idx[0] = i;
	if (is_state_only(cs->recs[i])) {
		/*
		 * The state-only ops from i up to the next checkpoint, passing over
		 * the ops that are sent (reconcile mixes them): a later op of a
		 * pair passed over waits, so one pair's ops keep their order.
		 */
		json_object *passed = json_object_new_object();
		size_t n = 1;
		for (size_t k = i + 1; k < cs->n; k++) {
			json_object *op = cs->recs[k];
			if (ois_record_type(op) == OIS_REC_CHECKPOINT)
				break;
			if (done[k])
				continue; /* sent with an earlier group */
			const char *pair = ois_json_str(op, "pair");
			if (pair && json_object_object_get_ex(passed, pair, NULL))
				continue;
			if (is_state_only(op))
				idx[n++] = k;
			else if (pair)
				json_object_object_add(passed, pair, NULL);
		}
		json_object_put(passed);
		return n;
	}
	if (max < 2)
		return 1;
	/* Pairs the group holds, and pairs of ops passed over: a later op of either waits for a later group. */
	json_object *pairs = json_object_new_object();
	size_t n = 0;
	for (size_t k = i; k < cs->n && n < (size_t)max; k++) {
		json_object *op = cs->recs[k];
		if (ois_record_type(op) == OIS_REC_CHECKPOINT)
			break; /* a checkpoint's ops all come before it */
		if (done[k])
			continue;
		const char *pair = ois_json_str(op, "pair");
		if (pair && json_object_object_get_ex(pairs, pair, NULL))
			continue; /* after an op of its pair that is not sent with this group: it waits */
		if (pair)
			json_object_object_add(pairs, pair, NULL);
		if (ois_record_type(op) == OIS_REC_OP && ois_apply_batchable(run, op, &other) >= 2 && other == side)
			idx[n++] = k;
	}
	json_object_put(pairs);
	return n ? n : 1;
}
