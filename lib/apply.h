/*
 * apply.h - applying a change set exactly once: reading and checking it,
 * executing each op through the backends, folding the results into the
 * state. oisync-apply is its main; it lives in lib because every way of
 * applying a change set (oisync-apply, its --replay, an admin's replay of a
 * saved one) must take this one path, and its --dry-run words serve anyone
 * who shows a change set to a person.
 */
#ifndef OIS_APPLY_H
#define OIS_APPLY_H

#include "backend.h"
#include "op.h"
#include "record.h"
#include "state.h"

#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

struct ois_config;
struct ois_jsonl_reader;

/*
 * A change set read whole and checked before anything is sent: its header
 * (borrowed strings point into it), then every record with its line.
 */
struct ois_apply_changeset {
	json_object *header;
	const char *account, *server;
	const char *user;                   /* InterAction user id, from the users file */
	const char *id;                     /* the change set's id; NULL in a hand-made one */
	long generation;                    /* the state generation it was computed from */
	/*
	 * What its commit records as the state's "settled" meta when every
	 * checkpoint commits: "" or the header's quiet_until, for a change set
	 * reconcile called quiet (no op, nothing held back); NULL otherwise.
	 */
	const char *settled;
	json_object **recs;
	unsigned long *lines;
	size_t n;
};

/*
 * Read the whole change set from r and check it: the header's server and
 * account are configured and belong together, every op is well formed
 * (ois_op_check), every checkpoint is the header account's. 0, or
 * OIS_EDATA (logged with the line) and nothing may be applied.
 */
int ois_apply_changeset_read(struct ois_jsonl_reader *r, const struct ois_config *cfg, struct ois_apply_changeset *cs);
void ois_apply_changeset_release(struct ois_apply_changeset *cs);
/*
 * Under the account's lock: 0 when cs may be applied to st now (its
 * generation is the state's, or the only commits since are its own),
 * else OIS_EDATA saying why and what to do. name is for the message.
 */
int ois_apply_check_generation(struct ois_state *st, const struct ois_apply_changeset *cs, const char *name);

/* What one run of apply works with. */
struct ois_apply_run {
	struct ois_state *st;
	struct ois_conn *conn[OIS_SIDES]; /* each side's backend, opened on first use */
	const struct ois_config *cfg;
	const char *server;
	const char *account;                /* mailbox */
	const char *user;                   /* InterAction user id */
	const struct ois_apply_changeset *cs;
	json_object *made_exchange;         /* op ids whose create this process sent to Exchange */
	long generation;                    /* the one this run's commit makes (set by ois_apply_commit) */
	int dry_run;
	long crash_after;                   /* test hook: _exit after this many recorded ops */
	long recorded;                      /* op outcomes recorded (pending rows not counted) */
	int in_group;                       /* a group's rows are in an open transaction (apply_op.c) */
	unsigned long counts[OIS_OP_STATUSES]; /* by enum ois_op_status (never pending) */
	FILE *out;                          /* result lines */
};

/*
 * Execute one op record against its target server, recording the outcome in
 * the state's applied table before returning (so a killed apply knows what is
 * done), and write its result line. Returns the op's status in *status and 0,
 * or a negative ois_code when the whole run must stop (server unavailable,
 * throttled, permission denied, state unwritable).
 */
int ois_apply_op(struct ois_apply_run *run, json_object *op, const char *where, enum ois_op_status *status);

/*
 * How many ops like op (a create, update or delete of the same target,
 * *side) may go to the server together: its backend's write_batch, or 0
 * when they go one by one (a backend without write_many).
 */
int ois_apply_batchable(const struct ois_apply_run *run, json_object *op, int *side);

/*
 * ois_apply_op for ops[0..n), each a create, update or delete of one target
 * side (ois_apply_batchable), no two of one pair: the creates' tags looked
 * for in one round trip, then the writes sent in one, through the
 * backend's write_many; each op recorded and its result written, in order,
 * as ois_apply_op does, with its status in status[i]. Returns 0, or the
 * code that stops the run.
 */
int ois_apply_ops(struct ois_apply_run *run, json_object **ops, const char *const *where, size_t n,
		  enum ois_op_status *status);

/*
 * ois_apply_op for ops[0..n), each a link or unlink (nothing to send), in
 * one transaction of the state; a kill after the k-th outcome (the crash
 * hook) leaves k outcomes recorded all the same. Returns 0, or the code
 * that stops the run.
 */
int ois_apply_state_ops(struct ois_apply_run *run, json_object **ops, const char *const *where, size_t n,
			enum ois_op_status *status);

/*
 * The ops of cs apply takes together with the op at i: idx[0] is i, and
 * the next ones, up to the next checkpoint, that ois_apply_ops may send
 * with it (the same target, a backend with write_many, up to its
 * write_batch), passing over ops of the other side, and over an op whose
 * pair an earlier op has, so two ops of one pair keep their order. When
 * the op at i is a link or unlink: it and every later link and unlink up
 * to the next checkpoint, passing over the ops that are sent (and the later
 * ops of their pairs), for ois_apply_state_ops. done
 * marks the ops already applied. Returns how many (idx has room for cs->n).
 */
size_t ois_apply_group(const struct ois_apply_run *run, const struct ois_apply_changeset *cs, size_t i,
		       const unsigned char *done, size_t *idx);

/*
 * A create that adopted an existing item (adopted, from the target's
 * driver; id its id there) instead of making one: merge the two in this run
 * by the rules of a pair without a base (apply_merge.c), with the op's
 * "merge" policy, writing what each side lacks of the result; *version (the
 * target's version, owned) moves with the write. On 0, *recorded (may stay
 * NULL: nothing merged) is the op to record for the fold: data is the
 * merged data, versions what was written. *result_key (NULL or owned) is
 * the result line's "merge". Else an ois_code from a backend; OIS_ECONFLICT
 * when a side moved since it was read.
 */
int ois_apply_merge_adopted(struct ois_apply_run *run, json_object *op, const struct ois_adopted *adopted, const char *id,
			char **version, json_object **recorded, json_object **result_key);

/* Open side's backend for the run's account unless it is open: 0 or an ois_code. */
int ois_apply_open_side(struct ois_apply_run *run, enum ois_side side);
/* Close every side's backend the run opened. */
void ois_apply_close_sides(struct ois_apply_run *run);

/*
 * After a successful run: record the sync id, the time and the counts where
 * the mailbox's user sees them (the backend's mark_synced). When the user
 * deleted that record, reset the state so the next run matches both sides
 * afresh. A failure here is a warning: the sync itself is committed.
 */
void ois_apply_mark_synced(struct ois_apply_run *run, const char *when);

/* How ois_apply_describe words an op: the one describer of ops for people. */
enum ois_describe {
	OIS_DESCRIBE_WOULD,  /* oisync-apply --dry-run: "would update contact in Outlook: ..." */
	OIS_DESCRIBE_DONE,   /* --dry-run, an op an earlier run did: "already done: ..." */
	OIS_DESCRIBE_SAVED,  /* oisync show: "update contact in Outlook: ...", then when the
				source changed, and one line per field an update writes:
				the value it replaces, the value it writes, a conflict lost */
};
/* Describe op in words, one line (more for OIS_DESCRIBE_SAVED). */
void ois_apply_describe(FILE *out, json_object *op, enum ois_describe how);

/*
 * In one transaction: fold every confirmed, not yet folded op into pairs
 * (keeping a pair's old base when one of its ops in failed_pairs did not
 * succeed), commit checkpoints (an array, may be NULL) unless an op could
 * not be folded or the state already holds a newer one, make the account's
 * sync id on its first run, move to the next generation and add the run
 * row. An op whose pair would take an item another pair holds is not
 * folded: it is logged, its applied row marked failed, and *unfolded
 * counts it (the run then fails; the next run matches that item again).
 */
int ois_apply_commit(struct ois_apply_run *run, json_object *failed_pairs, json_object *checkpoints,
		 const char *started, const char *outcome, unsigned long *unfolded);

/*
 * A read that found nothing new: checkpoints (an array of the read's
 * checkpoint records, the only records it made) committed as apply commits
 * a change set with no op, when every one is complete and incremental and
 * the state is settled at now (OIS_META_SETTLED; its last change set was
 * quiet and nothing since is unfolded). No reconcile, no change set: with
 * nothing read and nothing pending, reconcile would write none. st is open
 * for writing under the account's lock, held since the read. Returns 1
 * when committed, 0 when the run must go through reconcile, or an ois_code.
 */
int ois_apply_quiet(struct ois_state *st, const struct ois_config *cfg, const char *server, const char *account,
		    json_object *checkpoints, time_t now);
/*
 * Whether ois_apply_quiet could commit at now, asked before the read: 1
 * when the state is settled, 0 when the run must go through reconcile,
 * or an ois_code. A read of an account that is not settled can never be
 * committed quietly, so it need not be made twice.
 */
int ois_apply_settled(struct ois_state *st, time_t now);

/*
 * A run that stopped before apply's commit (extract's read, transform or
 * reconcile failed), recorded all the same: a runs row with outcome
 * "failed" and counts {"stage":STAGE,"exit":N}, so `oisync status` shows
 * the failure rather than the last success. st is open for writing under
 * the account's lock. 0 or an ois_code.
 */
int ois_apply_record_failure(struct ois_state *st, const char *started, const char *stage, int exit_status);

#endif
