/* state.c - the state store's queries: transactions, meta, checkpoints, pairs, applied, runs. */
#include "state_p.h"

#include "code.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQL's own clock, so every row's time has one format: RFC 3339 UTC. */
#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* A write on a read-only state is a programming error, not a user's. */
static void need_writer(const struct ois_state *st)
{
	if (st->mode != OIS_STATE_WRITE)
		OIS_BUG("state '%s' written while opened read-only", st->path);
}

static int fail(struct ois_state *st)
{
	return ois_state_sqlfail(st->db, st->path);
}

/*
 * Prepare sql and bind the n strings of args (NULL binds SQL NULL) to its
 * ?1..?n. Values only ever reach SQL through bindings.
 */
static int prep(struct ois_state *st, const char *sql, sqlite3_stmt **stmt, int n, const char *const *args)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return fail(st);
	for (int i = 0; i < n; i++) {
		int rc = args[i] ? sqlite3_bind_text(*stmt, i + 1, args[i], -1, SQLITE_STATIC)
				 : sqlite3_bind_null(*stmt, i + 1);
		if (rc != SQLITE_OK) {
			rc = fail(st);
			sqlite3_finalize(*stmt);
			*stmt = NULL;
			return rc;
		}
	}
	return 0;
}

/* Run a statement that returns no rows, binding args. */
static int run(struct ois_state *st, const char *sql, int n, const char *const *args)
{
	sqlite3_stmt *stmt;
	int rc = prep(st, sql, &stmt, n, args);
	if (rc)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = fail(st);
	sqlite3_finalize(stmt);
	return rc;
}

/* A column as a fresh string, NULL for SQL NULL. */
static char *col_dup(sqlite3_stmt *stmt, int i)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);
	return s ? ois_xstrdup(s) : NULL;
}

/* Borrowed: valid until the next step or finalize. */
static char *col(sqlite3_stmt *stmt, int i)
{
	return (char *)sqlite3_column_text(stmt, i);
}

/*
 * Run a query expected to return at most one row of one column: 0 with
 * *val set (NULL for SQL NULL), OIS_ENOTFOUND, or an error.
 */
static int get_one(struct ois_state *st, const char *sql, int n, const char *const *args, char **val)
{
	*val = NULL;
	if (!st->db)
		return OIS_ENOTFOUND;
	sqlite3_stmt *stmt;
	int rc = prep(st, sql, &stmt, n, args);
	if (rc)
		return rc;
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		*val = col_dup(stmt, 0);
	else if (step == SQLITE_DONE)
		rc = OIS_ENOTFOUND;
	else
		rc = fail(st);
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_is_new(struct ois_state *st)
{
	char *id = NULL;
	int rc = ois_state_meta_get(st, "sync_id", &id);
	free(id);
	if (rc == OIS_ENOTFOUND)
		return 1;
	return rc ? rc : 0;
}

/* --- transactions --- */

int ois_state_begin(struct ois_state *st)
{
	if (!st->db)
		return 0;
	/* A reader's BEGIN is a snapshot; a writer takes the write lock at once,
	 * so it never fails half-way on SQLITE_BUSY. */
	return run(st, st->mode == OIS_STATE_WRITE ? "BEGIN IMMEDIATE" : "BEGIN", 0, NULL);
}

int ois_state_commit(struct ois_state *st)
{
	return st->db ? run(st, "COMMIT", 0, NULL) : 0;
}

unsigned long ois_state_commits(const struct ois_state *st)
{
	return st ? st->commits : 0;
}

int ois_state_rollback(struct ois_state *st)
{
	if (!st->db || sqlite3_get_autocommit(st->db))
		return 0; /* nothing open: sqlite may already have rolled back on error */
	return run(st, "ROLLBACK", 0, NULL);
}

/* --- meta --- */

int ois_state_meta_get(struct ois_state *st, const char *key, char **val)
{
	const char *args[] = { key };
	return get_one(st, "SELECT value FROM meta WHERE key = ?1", 1, args, val);
}

int ois_state_meta_set(struct ois_state *st, const char *key, const char *val)
{
	need_writer(st);
	const char *args[] = { key, val };
	if (!val)
		return run(st, "DELETE FROM meta WHERE key = ?1", 1, args);
	return run(st, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
		       " ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2, args);
}

/* --- generation --- */

/* The current generation as SQL, for rows that carry it. */
#define GENERATION "(SELECT coalesce(CAST(value AS INTEGER), 0) FROM meta WHERE key = 'generation')"

void ois_generation_release(struct ois_generation *g)
{
	free(g->changeset);
	memset(g, 0, sizeof(*g));
}

/* A meta value that holds a number; 0 when absent. */
static int meta_long(struct ois_state *st, const char *key, long *out)
{
	char *val = NULL;
	int rc = ois_state_meta_get(st, key, &val);
	*out = 0;
	if (rc == 0 && val) {
		char *end;
		*out = strtol(val, &end, 10);
		if (*end || *out < 0)
			rc = ois_fail(OIS_EDATA, "state '%s': meta \"%s\" is not a number: '%s'", st->path, key, val);
	}
	free(val);
	return rc == OIS_ENOTFOUND ? 0 : rc;
}

int ois_state_generation_get(struct ois_state *st, struct ois_generation *out)
{
	memset(out, 0, sizeof(*out));
	int rc = meta_long(st, "generation", &out->number);
	if (!rc)
		rc = meta_long(st, "generation_base", &out->base);
	if (!rc) {
		rc = ois_state_meta_get(st, "generation_changeset", &out->changeset);
		if (rc == OIS_ENOTFOUND)
			rc = 0;
	}
	if (rc)
		ois_generation_release(out);
	return rc;
}

int ois_state_generation_bump(struct ois_state *st, const char *changeset, long base)
{
	need_writer(st);
	struct ois_generation g;
	int rc = ois_state_generation_get(st, &g);
	if (rc)
		return rc;
	char next[32], from[32];
	snprintf(next, sizeof(next), "%ld", g.number + 1);
	snprintf(from, sizeof(from), "%ld", base);
	ois_generation_release(&g);
	if ((rc = ois_state_meta_set(st, "generation", next)) ||
	    (rc = ois_state_meta_set(st, "generation_changeset", changeset)) ||
	    (rc = ois_state_meta_set(st, "generation_base", changeset ? from : NULL)))
		return rc;
	return 0;
}

/* --- checkpoints --- */

int ois_state_checkpoint_get(struct ois_state *st, enum ois_side side, const char *folder, char **token)
{
	const char *args[] = { ois_side_name(side), folder };
	return get_one(st, "SELECT token FROM checkpoints WHERE side = ?1 AND folder = ?2", 2, args, token);
}

int ois_state_checkpoint_set(struct ois_state *st, enum ois_side side, const char *folder, const char *token)
{
	need_writer(st);
	const char *args[] = { ois_side_name(side), folder, token };
	return run(st, "INSERT INTO checkpoints (side, folder, token, updated, generation)"
		       " VALUES (?1, ?2, ?3, " NOW ", coalesce(" GENERATION ", 0))"
		       " ON CONFLICT (side, folder) DO UPDATE SET token = excluded.token, updated = excluded.updated,"
		       " generation = excluded.generation",
		   3, args);
}

long ois_state_checkpoint_generation(struct ois_state *st, enum ois_side side, const char *folder)
{
	const char *args[] = { ois_side_name(side), folder };
	char *val = NULL;
	int rc = get_one(st, "SELECT generation FROM checkpoints WHERE side = ?1 AND folder = ?2", 2, args, &val);
	long gen = rc == 0 && val ? strtol(val, NULL, 10) : 0;
	free(val);
	return gen;
}

/* --- pairs --- */

#define PAIR_COLS "pair_id, kind, exchange_id, exchange_version, interaction_id, interaction_version," \
		  " base, base_hash, op_id, exchange_made"

/* Point p's strings at the current row (borrowed). */
static void pair_from_row(sqlite3_stmt *stmt, struct ois_pair *p)
{
	p->pair_id = col(stmt, 0);
	p->kind = col(stmt, 1);
	p->id[OIS_EXCHANGE] = col(stmt, 2);
	p->version[OIS_EXCHANGE] = col(stmt, 3);
	p->id[OIS_INTERACTION] = col(stmt, 4);
	p->version[OIS_INTERACTION] = col(stmt, 5);
	p->base = col(stmt, 6);
	p->base_hash = col(stmt, 7);
	p->op_id = col(stmt, 8);
	p->exchange_made = (long)sqlite3_column_int64(stmt, 9);
}

void ois_pair_release(struct ois_pair *p)
{
	free(p->pair_id);
	free(p->kind);
	for (int s = 0; s < OIS_SIDES; s++) {
		free(p->id[s]);
		free(p->version[s]);
	}
	free(p->base);
	free(p->base_hash);
	free(p->op_id);
	memset(p, 0, sizeof(*p));
}

/* Call fn for each row stmt (bound) gives; the statement is left for the caller to reset or finalize. */
static int pairs_each_row(struct ois_state *st, sqlite3_stmt *stmt, int (*fn)(const struct ois_pair *p, void *ctx),
			  void *ctx)
{
	int step, rc = 0;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ois_pair p;
		pair_from_row(stmt, &p);
		if ((rc = fn(&p, ctx)) != 0)
			return rc;
	}
	return step == SQLITE_DONE ? 0 : fail(st);
}

/* Run a pairs query with its arguments, fn for each row. */
static int pairs_query(struct ois_state *st, const char *sql, int n, const char *const *args,
		       int (*fn)(const struct ois_pair *p, void *ctx), void *ctx)
{
	if (!st->db)
		return 0;
	sqlite3_stmt *stmt;
	int rc = prep(st, sql, &stmt, n, args);
	if (rc)
		return rc;
	rc = pairs_each_row(st, stmt, fn, ctx);
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_pairs_foreach(struct ois_state *st, const char *kind,
			    int (*fn)(const struct ois_pair *p, void *ctx), void *ctx)
{
	/* Two statements, not "?1 IS NULL OR kind = ?1": planned before the
	 * binding, that one walks every pair, of any kind, by pair_id. */
	const char *args[] = { kind };
	return pairs_query(st, kind ? "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 ORDER BY pair_id"
			   : "SELECT " PAIR_COLS " FROM pairs ORDER BY pair_id", kind ? 1 : 0, args, fn, ctx);
}

int ois_state_pairs_scan(struct ois_state *st, const char *kind,
			 int (*fn)(const struct ois_pair *p, void *ctx), void *ctx)
{
	/* "+kind": no index for the term, so the plan walks the table itself, in rowid order. */
	const char *args[] = { kind };
	return pairs_query(st, "SELECT " PAIR_COLS " FROM pairs WHERE +kind = ?1", 1, args, fn, ctx);
}

int ois_state_pairs_by_keys(struct ois_state *st, const char *kind, int side, const char *const *keys, size_t n,
			    int (*fn)(const struct ois_pair *p, void *ctx), void *ctx)
{
	if (!st->db || !n)
		return 0;
	/* One statement prepared, then bound and stepped per key: each a look-up in a unique index. */
	const char *sql = side == OIS_EXCHANGE ? "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND exchange_id = ?2"
			: side == OIS_INTERACTION ? "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND interaction_id = ?2"
			: "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND pair_id = ?2";
	const char *args[] = { kind, NULL };
	sqlite3_stmt *stmt;
	int rc = prep(st, sql, &stmt, 1, args);
	for (size_t i = 0; !rc && i < n; i++) {
		if (sqlite3_bind_text(stmt, 2, keys[i], -1, SQLITE_STATIC) != SQLITE_OK)
			rc = fail(st);
		else
			rc = pairs_each_row(st, stmt, fn, ctx);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_pairs_unsettled(struct ois_state *st, const char *kind, long made_since,
			      int (*fn)(const struct ois_pair *p, void *ctx), void *ctx)
{
	char since[32];
	snprintf(since, sizeof(since), "%ld", made_since);
	const char *args[] = { kind, since };
	/*
	 * Three queries, so that each takes its own index: the missing ids
	 * theirs, exchange_made pairs_made (+kind keeps the planner off
	 * pairs_by_kind). A pair may come twice.
	 */
	return pairs_query(st, "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND exchange_id IS NULL"
			       " UNION ALL SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND interaction_id IS NULL"
			       " UNION ALL SELECT " PAIR_COLS " FROM pairs WHERE +kind = ?1"
			       " AND exchange_made >= max(CAST(?2 AS INTEGER), 1)",
			   2, args, fn, ctx);
}

/* The first pair the query (with its arguments) finds, copied into out. */
static int pair_query_one(struct ois_state *st, const char *sql, int nargs, const char *const *args,
			  struct ois_pair *out)
{
	memset(out, 0, sizeof(*out));
	if (!st->db)
		return OIS_ENOTFOUND;
	sqlite3_stmt *stmt;
	int rc = prep(st, sql, &stmt, nargs, args);
	if (rc)
		return rc;
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		struct ois_pair p;
		pair_from_row(stmt, &p);
		out->pair_id = ois_xstrdup(p.pair_id);
		out->kind = ois_xstrdup(p.kind);
		for (int s = 0; s < OIS_SIDES; s++) {
			out->id[s] = p.id[s] ? ois_xstrdup(p.id[s]) : NULL;
			out->version[s] = p.version[s] ? ois_xstrdup(p.version[s]) : NULL;
		}
		out->base = ois_xstrdup(p.base);
		out->base_hash = ois_xstrdup(p.base_hash);
		out->op_id = p.op_id ? ois_xstrdup(p.op_id) : NULL;
		out->exchange_made = p.exchange_made;
	} else if (step == SQLITE_DONE) {
		rc = OIS_ENOTFOUND;
	} else {
		rc = fail(st);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_pair_get(struct ois_state *st, const char *pair_id, struct ois_pair *out)
{
	const char *args[] = { pair_id };
	return pair_query_one(st, "SELECT " PAIR_COLS " FROM pairs WHERE pair_id = ?1", 1, args, out);
}

int ois_state_pair_find(struct ois_state *st, const char *kind, enum ois_side side, const char *id,
			struct ois_pair *out)
{
	const char *args[] = { kind, id };
	return pair_query_one(st, side == OIS_EXCHANGE
			      ? "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND exchange_id = ?2"
			      : "SELECT " PAIR_COLS " FROM pairs WHERE kind = ?1 AND interaction_id = ?2",
			      2, args, out);
}

int ois_state_pair_put(struct ois_state *st, const struct ois_pair *p)
{
	need_writer(st);
	char made[32];
	snprintf(made, sizeof(made), "%ld", p->exchange_made);
	const char *args[] = {
		p->pair_id, p->kind, p->id[OIS_EXCHANGE], p->version[OIS_EXCHANGE],
		p->id[OIS_INTERACTION], p->version[OIS_INTERACTION], p->base, p->base_hash, p->op_id,
		p->exchange_made ? made : NULL,
	};
	/* An upsert on pair_id, not INSERT OR REPLACE: REPLACE would silently
	 * delete another pair that holds the same item id; this fails instead. */
	return run(st, "INSERT INTO pairs (" PAIR_COLS ", updated)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, CAST(?10 AS INTEGER), " NOW ")"
		       " ON CONFLICT (pair_id) DO UPDATE SET kind = excluded.kind,"
		       " exchange_id = excluded.exchange_id, exchange_version = excluded.exchange_version,"
		       " interaction_id = excluded.interaction_id, interaction_version = excluded.interaction_version,"
		       " base = excluded.base, base_hash = excluded.base_hash, op_id = excluded.op_id,"
		       " exchange_made = excluded.exchange_made,"
		       " updated = excluded.updated",
		   (int)OIS_ARRAY_SIZE(args), args);
}

int ois_state_pair_delete(struct ois_state *st, const char *pair_id)
{
	need_writer(st);
	const char *args[] = { pair_id };
	return run(st, "DELETE FROM pairs WHERE pair_id = ?1", 1, args);
}

int ois_state_reset(struct ois_state *st)
{
	need_writer(st);
	int rc = ois_state_begin(st);
	if (rc)
		return rc;
	if ((rc = ois_state_generation_bump(st, NULL, 0)) ||
	    (rc = run(st, "DELETE FROM pairs", 0, NULL)) ||
	    (rc = run(st, "DELETE FROM pair_counts", 0, NULL)) || /* zero, unless something had put them wrong */
	    (rc = run(st, "DELETE FROM checkpoints", 0, NULL)) ||
	    (rc = run(st, "DELETE FROM meta WHERE key IN ('sync_id', 'syncinfo_item', '" OIS_META_SETTLED "')", 0, NULL))) {
		ois_state_rollback(st);
		return rc;
	}
	return ois_state_commit(st);
}

long ois_state_pair_count(struct ois_state *st, const char *kind)
{
	if (!st->db)
		return 0;
	const char *args[] = { kind };
	sqlite3_stmt *stmt;
	/* Kept by triggers (schema 5): no pass over the pairs. */
	int rc = kind ? prep(st, "SELECT coalesce(sum(n), 0) FROM pair_counts WHERE kind = ?1", &stmt, 1, args)
		      : prep(st, "SELECT coalesce(sum(n), 0) FROM pair_counts", &stmt, 0, args);
	if (rc)
		return rc;
	long n;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(stmt, 0);
	else
		n = fail(st);
	sqlite3_finalize(stmt);
	return n;
}

/* --- applied --- */

#define APPLIED_COLS "op_id, status, new_id, new_version, op, folded"

/* The row's status, parsed where the row is read: 0, or OIS_EDATA for a name that is none. */
static int applied_status(struct ois_state *st, sqlite3_stmt *stmt, struct ois_applied *a)
{
	const char *name = col(stmt, 1);
	int s = ois_op_status_parse(name);
	if (s < 0)
		return ois_fail(OIS_EDATA, "state '%s': applied op \"%s\" has an unknown status '%s'", st->path,
				col(stmt, 0), name ? name : "");
	a->status = (enum ois_op_status)s;
	return 0;
}

static int applied_from_row(struct ois_state *st, sqlite3_stmt *stmt, struct ois_applied *a)
{
	a->op_id = col(stmt, 0);
	a->new_id = col(stmt, 2);
	a->new_version = col(stmt, 3);
	a->op = col(stmt, 4);
	a->folded = sqlite3_column_int(stmt, 5);
	return applied_status(st, stmt, a);
}

void ois_applied_release(struct ois_applied *a)
{
	free(a->op_id);
	free(a->new_id);
	free(a->new_version);
	free(a->op);
	memset(a, 0, sizeof(*a));
}

int ois_state_applied_get(struct ois_state *st, const char *op_id, struct ois_applied *out)
{
	memset(out, 0, sizeof(*out));
	if (!st->db)
		return OIS_ENOTFOUND;
	const char *args[] = { op_id };
	sqlite3_stmt *stmt;
	int rc = prep(st, "SELECT " APPLIED_COLS " FROM applied WHERE op_id = ?1", &stmt, 1, args);
	if (rc)
		return rc;
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		rc = applied_status(st, stmt, out);
		if (!rc) {
			out->op_id = col_dup(stmt, 0);
			out->new_id = col_dup(stmt, 2);
			out->new_version = col_dup(stmt, 3);
			out->op = col_dup(stmt, 4);
			out->folded = sqlite3_column_int(stmt, 5);
		}
	} else if (step == SQLITE_DONE) {
		rc = OIS_ENOTFOUND;
	} else {
		rc = fail(st);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_applied_put(struct ois_state *st, const struct ois_applied *a)
{
	need_writer(st);
	const char *args[] = { a->op_id, ois_op_status_name(a->status), a->new_id, a->new_version, a->op,
			       a->folded ? "1" : "0" };
	/*
	 * With no transaction open (sqlite3_get_autocommit), this one statement
	 * is its own transaction, committed and synced (synchronous=FULL)
	 * before we return: a killed apply finds the row. Inside the caller's
	 * transaction it commits with it. An upsert keeps the row's seq, so
	 * unfolded rows stay in the order their ops were first recorded.
	 */
	return run(st, "INSERT INTO applied (" APPLIED_COLS ", at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " NOW ")"
		       " ON CONFLICT (op_id) DO UPDATE SET status = excluded.status, new_id = excluded.new_id,"
		       " new_version = excluded.new_version, op = excluded.op, folded = excluded.folded,"
		       " at = excluded.at",
		   (int)OIS_ARRAY_SIZE(args), args);
}

int ois_state_applied_foreach_unfolded(struct ois_state *st,
				       int (*fn)(const struct ois_applied *a, void *ctx), void *ctx)
{
	if (!st->db)
		return 0;
	sqlite3_stmt *stmt;
	int rc = prep(st, "SELECT " APPLIED_COLS " FROM applied WHERE folded = 0 ORDER BY seq", &stmt, 0, NULL);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ois_applied a;
		if ((rc = applied_from_row(st, stmt, &a)) || (rc = fn(&a, ctx)) != 0)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(st);
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_applied_mark_folded(struct ois_state *st, const char *op_id)
{
	need_writer(st);
	const char *args[] = { op_id };
	return run(st, "UPDATE applied SET folded = 1 WHERE op_id = ?1", 1, args);
}

/* --- runs --- */

int ois_state_run_add(struct ois_state *st, const char *started, const char *finished,
		      const char *outcome, const char *counts)
{
	need_writer(st);
	const char *args[] = { started, finished, outcome, counts };
	return run(st, "INSERT INTO runs (started, finished, outcome, counts, generation, changeset)"
		       " VALUES (?1, ?2, ?3, ?4, coalesce(" GENERATION ", 0),"
		       " (SELECT value FROM meta WHERE key = 'generation_changeset'))", 4, args);
}

int ois_state_runs_foreach(struct ois_state *st, long n, int (*fn)(const struct ois_run *r, void *ctx), void *ctx)
{
	if (!st->db)
		return 0;
	char limit[32];
	snprintf(limit, sizeof(limit), "%ld", n > 0 ? n : -1L);
	const char *args[] = { limit };
	sqlite3_stmt *stmt;
	int rc = prep(st, "SELECT id, started, finished, outcome, counts, generation, changeset FROM runs"
			  " ORDER BY id DESC LIMIT CAST(?1 AS INTEGER)", &stmt, 1, args);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct ois_run r = {
			.id = (long)sqlite3_column_int64(stmt, 0),
			.started = col(stmt, 1),
			.finished = col(stmt, 2),
			.outcome = col(stmt, 3),
			.counts = col(stmt, 4),
			.generation = (long)sqlite3_column_int64(stmt, 5),
			.changeset = col(stmt, 6),
		};
		if ((rc = fn(&r, ctx)) != 0)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(st);
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_applied_unfolded_count(struct ois_state *st, long counts[OIS_OP_STATUSES])
{
	for (int i = 0; i < OIS_OP_STATUSES; i++)
		counts[i] = 0;
	if (!st->db)
		return 0;
	sqlite3_stmt *stmt;
	/* The partial index applied_unfolded holds exactly these rows. */
	int rc = prep(st, "SELECT status, count(*) FROM applied WHERE folded = 0 GROUP BY status", &stmt, 0, NULL);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = col(stmt, 0);
		int s = ois_op_status_parse(name);
		if (s < 0) {
			rc = ois_fail(OIS_EDATA, "state '%s': an applied op has an unknown status '%s'", st->path,
				      name ? name : "");
			break;
		}
		counts[s] += (long)sqlite3_column_int64(stmt, 1);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(st);
	sqlite3_finalize(stmt);
	return rc;
}
