/* state.h - the per-account state store on SQLite (doc/ARCHITECTURE.md, "State"). */
#ifndef OIS_STATE_H
#define OIS_STATE_H

#include "op.h"
#include "record.h"

/*
 * One SQLite database per account, STATE_DIR/SERVER/ACCOUNT.db, with the
 * lock file ACCOUNT.lock beside it. SERVER and ACCOUNT are made safe for a
 * file name by ois_state_safe_name, so no input steers a path outside
 * STATE_DIR and two different names never share a file.
 * WAL mode, synchronous=FULL, foreign keys on, schema version in
 * PRAGMA user_version with forward migrations.
 */
struct ois_state;

enum ois_state_mode {
	OIS_STATE_READ,   /* reconcile: read-only; a missing database is an empty state */
	OIS_STATE_WRITE,  /* apply: created (folders 0700) when missing */
};

/*
 * A file-name-safe, injective encoding of name: [A-Za-z0-9@._+-] kept except
 * '%'-escaping of anything else and of a leading '.', never empty ("%" for
 * ""), and names longer than 200 bytes cut and suffixed with a digest.
 * Returned string owned by the caller.
 */
char *ois_state_safe_name(const char *name);
/* STATE_DIR/SAFE(SERVER)/SAFE(ACCOUNT)SUFFIX; owned by the caller. */
char *ois_state_path(const char *state_dir, const char *server, const char *account, const char *suffix);

/*
 * Take the exclusive flock on the account's .lock file (creating folders as
 * needed), waiting up to wait_seconds (0: fail at once). Returns a file
 * descriptor >= 0, OIS_ETEMP when another run holds it, OIS_EIO otherwise.
 */
int ois_state_lock(const char *state_dir, const char *server, const char *account, int wait_seconds);
/* Open (creating folders and the file, 0600, as needed) the account's .lock
 * file without locking it: a descriptor >= 0 or OIS_EIO. */
int ois_state_lock_file(const char *state_dir, const char *server, const char *account);
/*
 * Use the account's lock that a caller (oisync-run, which holds it from
 * extract to apply) took and passed down as descriptor fd: fd must be the
 * account's .lock file, and the lock is taken on it without waiting (on
 * the caller's own open file it is already ours). Returns fd,
 * OIS_EUSAGE when fd is not that file, OIS_ETEMP when another run holds
 * the lock.
 */
int ois_state_lock_adopt(const char *state_dir, const char *server, const char *account, int fd);
/*
 * The lock a stage holds for its run: the caller's (fd >= 0, --lock-fd,
 * ois_state_lock_adopt), else its own (ois_state_lock, waiting up to
 * wait_seconds). A stage releases only a lock it took: fd < 0.
 */
int ois_state_lock_take(const char *state_dir, const char *server, const char *account, int fd,
			int wait_seconds);
/*
 * Take the firm-wide lock, STATE_DIR/firm.lock, waiting for it: every
 * process that may create an InterAction firm contact holds it from the
 * search for one with the same e-mail address to the create, so that two
 * users synced at once never both create the same person. A descriptor
 * (release with ois_state_unlock) or OIS_EIO.
 */
int ois_state_firm_lock(const char *state_dir);
void ois_state_unlock(int fd);

/*
 * The account's database checked whole (PRAGMA integrity_check), for
 * oisync check --deep: 0, OIS_ENOTFOUND when there is none yet, or
 * OIS_EDATA naming the damage (logged).
 */
int ois_state_verify(const char *state_dir, const char *server, const char *account);

/*
 * Open the account's database. A database that fails to open, or that the
 * last writer left open (a kill, a crash) and that fails PRAGMA
 * quick_check, is OIS_EDATA with a clear message, never a fresh start;
 * so is a symlink, another program's database, or one written by a newer
 * oisync (its schema version is higher than this code knows).
 * In OIS_STATE_READ mode a missing file gives *out == an empty state and
 * creates nothing. A reader still needs the folder writable: SQLite's WAL
 * mode creates ACCOUNT.db-shm (and may leave an empty -wal) beside it.
 * A reader that meets an older schema upgrades it first (each migration is
 * one transaction). Every later SQL failure is OIS_EIO ("state 'PATH': ..."),
 * or OIS_EDATA when SQLite finds the file damaged.
 */
int ois_state_open(const char *state_dir, const char *server, const char *account,
		   enum ois_state_mode mode, struct ois_state **out);
void ois_state_close(struct ois_state *st);
/* 1 when the state has never been written (no database, or no meta sync_id);
 * 0 when it has; a negative code when the database cannot be read. */
int ois_state_is_new(struct ois_state *st);

/*
 * Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK); 0 or OIS_EIO. In
 * OIS_STATE_READ mode begin is a plain BEGIN: a consistent snapshot to
 * read. Rollback with none open is a no-op. Closing a state with a
 * transaction open rolls it back. Any write on a state opened
 * OIS_STATE_READ is a programming error (OIS_BUG).
 */
int ois_state_begin(struct ois_state *st);
int ois_state_commit(struct ois_state *st);
/*
 * How many transactions the writer has committed since it opened the state
 * (migrations not counted), each one a sync to disk (synchronous=FULL):
 * what a run's batching is judged by. 0 for a reader.
 */
unsigned long ois_state_commits(const struct ois_state *st);
int ois_state_rollback(struct ois_state *st);

/*
 * The generation binds a change set to the state it was computed from.
 * It is 0 for a state never written, and every commit of a run (and every
 * reset) makes it one higher, in the same transaction as the rest of that
 * commit. Reading it is one row: its cost does not follow the number of
 * pairs. changeset is the id of the change set whose commit made the
 * current generation (NULL after a reset), base the generation that change
 * set was computed from: a change set computed at base whose own commits
 * are the only ones since may still be applied (a failed night's replay).
 */
struct ois_generation {
	long number;
	char *changeset;            /* owned; NULL when no change set made it */
	long base;
};
void ois_generation_release(struct ois_generation *g);
int ois_state_generation_get(struct ois_state *st, struct ois_generation *out);
/*
 * Inside the caller's transaction: make the next generation, made by the
 * change set changeset (NULL: not a change set) computed at base. Rows
 * written after it in the same transaction (checkpoints, runs) carry the
 * new number.
 */
int ois_state_generation_bump(struct ois_state *st, const char *changeset, long base);

/* meta: key/value text. get: 0 found (*val owned), OIS_ENOTFOUND, or error.
 * set with val NULL deletes the key. */
/*
 * The meta key that says an account is settled: its last change set had
 * nothing to do and committed whole, so a read with nothing new on either
 * side changes nothing until the time it holds ("": no such time).
 * Absent: the next run goes through reconcile.
 */
#define OIS_META_SETTLED "settled"

int ois_state_meta_get(struct ois_state *st, const char *key, char **val);
int ois_state_meta_set(struct ois_state *st, const char *key, const char *val);

/* checkpoints: last committed token per side and folder (NULL token allowed:
 * get returns 0 with *token NULL; OIS_ENOTFOUND when no row). *token owned. */
int ois_state_checkpoint_get(struct ois_state *st, enum ois_side side, const char *folder, char **token);
int ois_state_checkpoint_set(struct ois_state *st, enum ois_side side, const char *folder, const char *token);
/* The generation that last set the checkpoint (0 for none or one older than generations). */
long ois_state_checkpoint_generation(struct ois_state *st, enum ois_side side, const char *folder);

/* pairs: one synced item. Strings owned by whoever filled the struct. */
struct ois_pair {
	char *pair_id;
	char *kind;                 /* "contact", "appointment" */
	char *id[OIS_SIDES];        /* NULL when that side has none yet */
	char *version[OIS_SIDES];
	char *base;                 /* canonical data both sides agreed on: JSON text */
	char *base_hash;            /* "sha256:..." of base */
	char *op_id;                /* the op that created the pair */
	long exchange_made;         /* generation whose apply made the Exchange item; 0: not made by apply */
};
void ois_pair_release(struct ois_pair *p);

/*
 * Call fn for every pair of kind (NULL: all), in pair_id order; fn's
 * non-zero stops and is returned. p and its strings are borrowed, valid
 * during that call only. fn may read the state; writing pairs while the
 * walk runs gives undefined order.
 */
int ois_state_pairs_foreach(struct ois_state *st, const char *kind,
			    int (*fn)(const struct ois_pair *p, void *ctx), void *ctx);
/*
 * Every pair of kind as pairs_foreach, in the table's own order, not
 * pair_id's: one pass over the rows, without a look-up in the table per
 * row through the index, for a reader that keeps few of them and sorts
 * those itself.
 */
int ois_state_pairs_scan(struct ois_state *st, const char *kind,
			 int (*fn)(const struct ois_pair *p, void *ctx), void *ctx);
/*
 * The pairs of kind that keys name, for a reader that needs only those:
 * side OIS_EXCHANGE or OIS_INTERACTION, the pair holding each key as its
 * item id there; -1, the pair whose pair_id is each key. fn as in
 * pairs_foreach, for each key that has a pair, in the order of keys (a
 * pair named twice comes twice). One look-up in an index per key.
 */
int ois_state_pairs_by_keys(struct ois_state *st, const char *kind, int side, const char *const *keys, size_t n,
			    int (*fn)(const struct ois_pair *p, void *ctx), void *ctx);
/*
 * The pairs of kind that reconcile acts on when neither side reports
 * their items: a pair missing an item on a side (a create that failed, made
 * again), and one whose Exchange item apply made at generation made_since
 * or later (an incremental read must report it, or it was deleted).
 * fn as in pairs_foreach, in no particular order; a pair may come twice.
 */
int ois_state_pairs_unsettled(struct ois_state *st, const char *kind, long made_since,
			      int (*fn)(const struct ois_pair *p, void *ctx), void *ctx);
/* get fills *out with fresh strings (release with ois_pair_release); *out is zeroed first. */
int ois_state_pair_get(struct ois_state *st, const char *pair_id, struct ois_pair *out); /* OIS_ENOTFOUND */
/*
 * Insert or replace by pair_id. An Exchange id already held by another
 * pair (or an InterAction id by another pair of the same kind) is refused
 * with OIS_EIO, never silently taken over. Strings are copied.
 */
/* The pair of kind holding item id on side: 0, OIS_ENOTFOUND, or an error. */
int ois_state_pair_find(struct ois_state *st, const char *kind, enum ois_side side, const char *id,
			struct ois_pair *out);
int ois_state_pair_put(struct ois_state *st, const struct ois_pair *p);
int ois_state_pair_delete(struct ois_state *st, const char *pair_id);
long ois_state_pair_count(struct ois_state *st, const char *kind);
/*
 * Forget the pairs, the checkpoints and the sync id, in one transaction, so
 * the next run reads both sides whole and matches them as on a first sync
 * (linking, never duplicating what matches, never deleting). applied and
 * runs are kept. A reset is a new generation: no change set computed
 * before it applies after it.
 */
int ois_state_reset(struct ois_state *st);

/* applied: one row per op a server confirmed. */
struct ois_applied {
	char *op_id;
	enum ois_op_status status;  /* stored as its name (ois_op_status_name) */
	char *new_id;
	char *new_version;
	char *op;                   /* the op record: JSON text */
	int folded;                 /* 1 once folded into pairs */
};
void ois_applied_release(struct ois_applied *a);
/*
 * get fills *out with fresh strings (release with ois_applied_release). A
 * row whose status is no ois_op_status name is OIS_EDATA, here and in
 * foreach_unfolded.
 */
int ois_state_applied_get(struct ois_state *st, const char *op_id, struct ois_applied *out); /* OIS_ENOTFOUND */
/* Insert or replace, in its own committed transaction unless one is open.
 * Replacing keeps the row's place in insertion order. */
int ois_state_applied_put(struct ois_state *st, const struct ois_applied *a);
/* Every row not yet folded, in insertion order; a is borrowed as in pairs_foreach. */
int ois_state_applied_foreach_unfolded(struct ois_state *st,
				       int (*fn)(const struct ois_applied *a, void *ctx), void *ctx);
int ois_state_applied_mark_folded(struct ois_state *st, const char *op_id);

/* runs: one row per run, for oisync status. counts is JSON text. The row
 * carries the current generation and the change set that made it. */
int ois_state_run_add(struct ois_state *st, const char *started, const char *finished,
		      const char *outcome, const char *counts);

/* One runs row as read back; strings borrowed as in pairs_foreach. */
struct ois_run {
	long id;
	const char *started, *finished;
	const char *outcome;        /* "ok", "partial", "failed" */
	const char *counts;         /* JSON text: ok, skipped, conflict, failed */
	long generation;
	const char *changeset;      /* NULL for a commit that was no change set's */
};
/*
 * Call fn for the last n runs (n <= 0: every run), newest first; fn's
 * non-zero stops and is returned. One query, so oisync status costs the
 * same whatever the length of an account's history.
 */
int ois_state_runs_foreach(struct ois_state *st, long n, int (*fn)(const struct ois_run *r, void *ctx), void *ctx);
/*
 * The applied rows not yet folded into the pairs, counted by status into
 * counts[OIS_OP_STATUSES] (zeroed first): what the next run must still
 * settle. A status no name stands for is OIS_EDATA.
 */
int ois_state_applied_unfolded_count(struct ois_state *st, long counts[OIS_OP_STATUSES]);

#endif
