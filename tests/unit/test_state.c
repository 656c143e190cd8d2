/* test_state.c - the per-account SQLite state: schema, queries, transactions, refusals, lock. */
#include "unit.h"
#include "code.h"
#include "log.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SERVER "exch01"
#define ACCOUNT "alice@firm.example"

static char dir_buf[64];

static const char *tmpdir(void)
{
	strcpy(dir_buf, "/tmp/oisync-test-XXXXXX");
	if (!mkdtemp(dir_buf))
		OIS_BUG("mkdtemp: %s", strerror(errno));
	return dir_buf;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *db_path(const char *dir)
{
	return ois_state_path(dir, SERVER, ACCOUNT, ".db");
}

/* Run SQL on the database behind the store's back, as an administrator with sqlite3 would. */
static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt = NULL;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static struct ois_state *open_write(const char *dir)
{
	struct ois_state *st = NULL;
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_WRITE, &st), 0);
	if (!st)
		OIS_BUG("cannot open the test state");
	return st;
}

static struct ois_pair pair(const char *pair_id, const char *kind, const char *ex_id, const char *ia_id)
{
	struct ois_pair p = {
		.pair_id = (char *)pair_id,
		.kind = (char *)kind,
		.id = { (char *)ex_id, (char *)ia_id },
		.version = { (char *)"ck1", (char *)"v1" },
		.base = (char *)"{\"first\":\"Ann\"}",
		.base_hash = (char *)"sha256:00",
		.op_id = (char *)"op-create",
	};
	return p;
}

static void test_create_open_close(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	CHECK_INT(ois_state_is_new(st), 1);
	CHECK_INT(ois_state_meta_set(st, "sync_id", "6f1c"), 0);
	CHECK_INT(ois_state_is_new(st), 0);
	ois_state_close(st);

	char *path = db_path(dir);
	struct stat sb;
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	char *server_dir = ois_xasprintf("%s/%s", dir, SERVER);
	CHECK_INT(stat(server_dir, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0700);
	CHECK_INT(raw_int(path, "PRAGMA user_version"), 5);
	CHECK_STR(raw_int(path, "PRAGMA application_id") == 0x6f697379 ? "oisy" : "other", "oisy");
	CHECK_INT(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
				"('meta', 'checkpoints', 'pairs', 'applied', 'runs')"), 5);

	/* Reopen both ways: the data is there and the file stays in WAL mode. */
	st = open_write(dir);
	CHECK_INT(ois_state_is_new(st), 0);
	ois_state_close(st);
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), 0);
	char *val = NULL;
	CHECK_INT(ois_state_meta_get(st, "sync_id", &val), 0);
	CHECK_STR(val, "6f1c");
	free(val);
	ois_state_close(st);
	{
		sqlite3 *db;
		sqlite3_stmt *stmt;
		sqlite3_open(path, &db);
		sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL);
		CHECK_INT(sqlite3_step(stmt), SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(stmt, 0), "wal");
		sqlite3_finalize(stmt);
		sqlite3_close(db);
	}
	ois_state_close(NULL);
	free(server_dir);
	free(path);
	rm_rf(dir);
}

static void test_meta(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	static const struct { const char *key, *val; } sets[] = {
		{ "sync_id", "a" }, { "settings", "sha256:1" }, { "sync_id", "b" }, { "quote'd", "x\"y'z;--" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(sets); i++)
		CHECK_INT(ois_state_meta_set(st, sets[i].key, sets[i].val), 0);
	static const struct { const char *key, *want; int rc; } gets[] = {
		{ "sync_id", "b", 0 }, { "settings", "sha256:1", 0 }, { "quote'd", "x\"y'z;--", 0 },
		{ "nothing", NULL, OIS_ENOTFOUND },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(gets); i++) {
		char *val = (char *)"junk";
		CHECK_INT(ois_state_meta_get(st, gets[i].key, &val), gets[i].rc);
		CHECK_STR(val, gets[i].want);
		free(val);
	}
	/* NULL deletes. */
	CHECK_INT(ois_state_meta_set(st, "settings", NULL), 0);
	char *val;
	CHECK_INT(ois_state_meta_get(st, "settings", &val), OIS_ENOTFOUND);
	ois_state_close(st);
	rm_rf(dir);
}

static void test_checkpoints(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	CHECK_INT(ois_state_checkpoint_set(st, OIS_EXCHANGE, "contacts", "ex-1"), 0);
	CHECK_INT(ois_state_checkpoint_set(st, OIS_INTERACTION, "contacts", "ia-1"), 0);
	CHECK_INT(ois_state_checkpoint_set(st, OIS_EXCHANGE, "calendar", NULL), 0);
	CHECK_INT(ois_state_checkpoint_set(st, OIS_EXCHANGE, "contacts", "ex-2"), 0);
	static const struct { enum ois_side side; const char *folder, *want; int rc; } cases[] = {
		{ OIS_EXCHANGE, "contacts", "ex-2", 0 },
		{ OIS_INTERACTION, "contacts", "ia-1", 0 },
		{ OIS_EXCHANGE, "calendar", NULL, 0 }, /* a NULL token is a row too */
		{ OIS_INTERACTION, "calendar", NULL, OIS_ENOTFOUND },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *tok = (char *)"junk";
		CHECK_INT(ois_state_checkpoint_get(st, cases[i].side, cases[i].folder, &tok), cases[i].rc);
		CHECK_STR(tok, cases[i].want);
		free(tok);
	}
	ois_state_close(st);
	rm_rf(dir);
}

/*
 * The generation: 0 for a new state, one more per bump, with the change set
 * that made it; rows written in the bump's transaction carry it; a reset
 * is a generation of its own, made by no change set.
 */
static void test_generation(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	struct ois_generation g;
	CHECK_INT(ois_state_generation_get(st, &g), 0);
	CHECK_INT(g.number, 0);
	CHECK_STR(g.changeset, NULL);
	ois_generation_release(&g);

	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_generation_bump(st, "cs-a", 0), 0);
	CHECK_INT(ois_state_checkpoint_set(st, OIS_EXCHANGE, "contacts", "t1"), 0);
	CHECK_INT(ois_state_commit(st), 0);
	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_generation_bump(st, "cs-a", 0), 0);
	CHECK_INT(ois_state_rollback(st), 0); /* a rolled back bump is no generation */
	CHECK_INT(ois_state_generation_get(st, &g), 0);
	CHECK_INT(g.number, 1);
	CHECK_STR(g.changeset, "cs-a");
	CHECK_INT(g.base, 0);
	ois_generation_release(&g);
	CHECK_INT(ois_state_checkpoint_generation(st, OIS_EXCHANGE, "contacts"), 1);
	CHECK_INT(ois_state_checkpoint_generation(st, OIS_INTERACTION, "contacts"), 0);

	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_generation_bump(st, "cs-b", 1), 0);
	CHECK_INT(ois_state_run_add(st, "s", "f", "ok", "{}"), 0);
	CHECK_INT(ois_state_commit(st), 0);
	CHECK_INT(ois_state_reset(st), 0);
	CHECK_INT(ois_state_generation_get(st, &g), 0);
	CHECK_INT(g.number, 3);
	CHECK_STR(g.changeset, NULL);
	ois_generation_release(&g);
	ois_state_close(st);
	char *path = db_path(dir);
	CHECK_INT(raw_int(path, "SELECT generation FROM runs WHERE changeset = 'cs-b'"), 2);
	free(path);
	rm_rf(dir);
}

struct seen {
	char ids[8][16];
	int n, stop_at;
};

static int collect_pair(const struct ois_pair *p, void *ctx)
{
	struct seen *s = ctx;
	snprintf(s->ids[s->n++], sizeof(s->ids[0]), "%s", p->pair_id);
	return s->n == s->stop_at ? 42 : 0;
}

static void test_pairs(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	struct ois_pair p3 = pair("p3", "contact", "AAMk3", "103");
	struct ois_pair p1 = pair("p1", "contact", "AAMk1", "101");
	struct ois_pair p2 = pair("p2", "appointment", "AAMk2", "101"); /* same InterAction id, other kind */
	struct ois_pair p4 = pair("p4", "contact", NULL, NULL);
	CHECK_INT(ois_state_pair_put(st, &p3), 0);
	CHECK_INT(ois_state_pair_put(st, &p1), 0);
	CHECK_INT(ois_state_pair_put(st, &p2), 0);
	CHECK_INT(ois_state_pair_put(st, &p4), 0);

	struct ois_pair got;
	CHECK_INT(ois_state_pair_get(st, "p1", &got), 0);
	CHECK_STR(got.pair_id, "p1");
	CHECK_STR(got.kind, "contact");
	CHECK_STR(got.id[OIS_EXCHANGE], "AAMk1");
	CHECK_STR(got.id[OIS_INTERACTION], "101");
	CHECK_STR(got.version[OIS_EXCHANGE], "ck1");
	CHECK_STR(got.version[OIS_INTERACTION], "v1");
	CHECK_STR(got.base, "{\"first\":\"Ann\"}");
	CHECK_STR(got.base_hash, "sha256:00");
	CHECK_STR(got.op_id, "op-create");
	ois_pair_release(&got);
	ois_pair_release(&got); /* release of a released pair is safe */
	CHECK_INT(ois_state_pair_get(st, "p4", &got), 0);
	CHECK_STR(got.id[OIS_EXCHANGE], NULL);
	ois_pair_release(&got);
	CHECK_INT(ois_state_pair_get(st, "nope", &got), OIS_ENOTFOUND);

	static const struct { const char *kind; int stop_at, rc, n; const char *ids; } walks[] = {
		{ NULL, 0, 0, 4, "p1 p2 p3 p4" },
		{ "contact", 0, 0, 3, "p1 p3 p4" },
		{ "appointment", 0, 0, 1, "p2" },
		{ "task", 0, 0, 0, "" },
		{ NULL, 2, 42, 2, "p1 p2" }, /* fn's non-zero stops the walk and is returned */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(walks); i++) {
		struct seen s = { .stop_at = walks[i].stop_at };
		CHECK_INT(ois_state_pairs_foreach(st, walks[i].kind, collect_pair, &s), walks[i].rc);
		char joined[64] = "";
		for (int k = 0; k < s.n; k++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", k ? " " : "", s.ids[k]);
		CHECK_STR(joined, walks[i].ids);
		CHECK_INT(ois_state_pair_count(st, walks[i].kind), walks[i].stop_at ? 4 : walks[i].n);
	}

	/* put replaces by pair_id. */
	p1.version[OIS_EXCHANGE] = (char *)"ck2";
	p1.base = (char *)"{\"first\":\"Anne\"}";
	CHECK_INT(ois_state_pair_put(st, &p1), 0);
	CHECK_INT(ois_state_pair_get(st, "p1", &got), 0);
	CHECK_STR(got.version[OIS_EXCHANGE], "ck2");
	CHECK_STR(got.base, "{\"first\":\"Anne\"}");
	ois_pair_release(&got);
	CHECK_INT(ois_state_pair_count(st, NULL), 4);

	/* Two pairs never share an item: refused, and the first pair survives. */
	static const struct { const char *kind, *ex, *ia; } clashes[] = {
		{ "contact", "AAMk1", NULL },     /* same Exchange id */
		{ "appointment", "AAMk1", NULL }, /* Exchange ids are unique across kinds */
		{ "contact", NULL, "101" },       /* same InterAction id, same kind */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(clashes); i++) {
		struct ois_pair c = pair("p9", clashes[i].kind, clashes[i].ex, clashes[i].ia);
		CHECK_INT(ois_state_pair_put(st, &c), OIS_EIO);
		CHECK_INT(ois_state_pair_get(st, "p1", &got), 0);
		ois_pair_release(&got);
		CHECK_INT(ois_state_pair_get(st, "p9", &got), OIS_ENOTFOUND);
	}

	CHECK_INT(ois_state_pair_delete(st, "p3"), 0);
	CHECK_INT(ois_state_pair_delete(st, "p3"), 0); /* deleting nothing is fine */
	CHECK_INT(ois_state_pair_get(st, "p3", &got), OIS_ENOTFOUND);
	CHECK_INT(ois_state_pair_count(st, "contact"), 2);

	/* The counts (kept by triggers) follow a pair that changes kind, and a reset. */
	p4.kind = (char *)"appointment";
	CHECK_INT(ois_state_pair_put(st, &p4), 0);
	CHECK_INT(ois_state_pair_count(st, "contact"), 1);
	CHECK_INT(ois_state_pair_count(st, "appointment"), 2);
	CHECK_INT(ois_state_pair_count(st, NULL), 3);
	ois_state_close(st);
	CHECK_INT(ois_state_verify(dir, SERVER, ACCOUNT), 0);
	/* A count that disagrees with the pairs is damage that check --deep names. */
	char *db = db_path(dir);
	CHECK_INT(raw_exec(db, "UPDATE pair_counts SET n = n + 1 WHERE kind = 'contact'"), SQLITE_OK);
	CHECK_INT(ois_state_verify(dir, SERVER, ACCOUNT), OIS_EDATA);
	free(db);
	st = open_write(dir);
	CHECK_INT(ois_state_reset(st), 0);
	CHECK_INT(ois_state_pair_count(st, NULL), 0);
	ois_state_close(st);
	CHECK_INT(ois_state_verify(dir, SERVER, ACCOUNT), 0);
	rm_rf(dir);
}

struct unfolded {
	char ids[8][16];
	int n;
};

static int collect_applied(const struct ois_applied *a, void *ctx)
{
	struct unfolded *u = ctx;
	CHECK_INT(a->folded, 0);
	snprintf(u->ids[u->n++], sizeof(u->ids[0]), "%s", a->op_id);
	return 0;
}

static void unfolded_ids(struct ois_state *st, char *out, size_t size)
{
	struct unfolded u = { .n = 0 };
	CHECK_INT(ois_state_applied_foreach_unfolded(st, collect_applied, &u), 0);
	out[0] = '\0';
	for (int k = 0; k < u.n; k++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", k ? " " : "", u.ids[k]);
}

static void test_applied(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	static const struct ois_applied rows[] = {
		{ "op-b", OIS_OP_OK, "AAMk9", "ck9", "{\"action\":\"create\"}", 0 },
		{ "op-a", OIS_OP_CONFLICT, NULL, NULL, "{\"action\":\"update\"}", 0 },
		{ "op-c", OIS_OP_FAILED, NULL, NULL, NULL, 0 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(rows); i++)
		CHECK_INT(ois_state_applied_put(st, &rows[i]), 0);

	struct ois_applied got;
	CHECK_INT(ois_state_applied_get(st, "op-b", &got), 0);
	CHECK_STR(got.op_id, "op-b");
	CHECK_INT(got.status, OIS_OP_OK);
	CHECK_STR(got.new_id, "AAMk9");
	CHECK_STR(got.new_version, "ck9");
	CHECK_STR(got.op, "{\"action\":\"create\"}");
	CHECK_INT(got.folded, 0);
	ois_applied_release(&got);
	CHECK_INT(ois_state_applied_get(st, "op-x", &got), OIS_ENOTFOUND);

	/* Each put is committed at once: another connection already sees it. */
	struct ois_state *rd;
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &rd), 0);
	CHECK_INT(ois_state_applied_get(rd, "op-c", &got), 0);
	CHECK_INT(got.status, OIS_OP_FAILED);
	ois_applied_release(&got);

	char ids[64];
	unfolded_ids(st, ids, sizeof(ids));
	CHECK_STR(ids, "op-b op-a op-c"); /* insertion order, not op_id order */

	/* A retried op replaces its row but keeps its place. */
	struct ois_applied retry = { "op-b", OIS_OP_OK, "AAMk9", "ck10", NULL, 0 };
	CHECK_INT(ois_state_applied_put(st, &retry), 0);
	unfolded_ids(st, ids, sizeof(ids));
	CHECK_STR(ids, "op-b op-a op-c");
	CHECK_INT(ois_state_applied_get(st, "op-b", &got), 0);
	CHECK_STR(got.new_version, "ck10");
	ois_applied_release(&got);

	CHECK_INT(ois_state_applied_mark_folded(st, "op-a"), 0);
	unfolded_ids(st, ids, sizeof(ids));
	CHECK_STR(ids, "op-b op-c");
	CHECK_INT(ois_state_applied_get(rd, "op-a", &got), 0);
	CHECK_INT(got.folded, 1);
	ois_applied_release(&got);

	/* Inside the caller's transaction, a put commits or rolls back with it. */
	struct ois_applied d = { "op-d", OIS_OP_OK, NULL, NULL, NULL, 0 };
	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_applied_put(st, &d), 0);
	CHECK_INT(ois_state_applied_get(rd, "op-d", &got), OIS_ENOTFOUND);
	CHECK_INT(ois_state_rollback(st), 0);
	CHECK_INT(ois_state_applied_get(st, "op-d", &got), OIS_ENOTFOUND);

	CHECK_INT(ois_state_run_add(st, "2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z", "ok", "{\"ops\":3}"), 0);
	ois_state_close(rd);
	ois_state_close(st);
	char *path = db_path(dir);
	CHECK_INT(raw_int(path, "SELECT count(*) FROM runs WHERE outcome = 'ok' AND counts = '{\"ops\":3}'"), 1);
	/* The status column holds the status's name, as it always has. */
	CHECK_INT(raw_int(path, "SELECT count(*) FROM applied WHERE op_id = 'op-a' AND status = 'conflict'"), 1);
	CHECK_INT(raw_int(path, "SELECT count(*) FROM applied WHERE op_id = 'op-c' AND status = 'failed'"), 1);
	free(path);
	rm_rf(dir);
}

static int count_applied(const struct ois_applied *a, void *ctx)
{
	(void)a;
	++*(int *)ctx;
	return 0;
}

/* A status the code does not know is a damaged row, never taken for one it does. */
static void test_applied_unknown_status_is_refused(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	struct ois_applied a = { "op-1", OIS_OP_PENDING, NULL, NULL, NULL, 0 };
	CHECK_INT(ois_state_applied_put(st, &a), 0);
	char *path = db_path(dir);
	CHECK_INT(raw_int(path, "SELECT count(*) FROM applied WHERE status = 'pending'"), 1);
	CHECK_INT(raw_exec(path, "UPDATE applied SET status = 'sent'"), 0);
	struct ois_applied got;
	CHECK_INT(ois_state_applied_get(st, "op-1", &got), OIS_EDATA);
	int n = 0;
	CHECK_INT(ois_state_applied_foreach_unfolded(st, count_applied, &n), OIS_EDATA);
	CHECK_INT(n, 0);
	ois_state_close(st);
	free(path);
	rm_rf(dir);
}

/* Collects the runs oisync status reads: their outcomes, newest first. */
static int list_runs(const struct ois_run *r, void *ctx)
{
	char *out = ctx;
	strcat(out, *out ? " " : "");
	strcat(out, r->outcome);
	return 0;
}

/* oisync status's reads: the last N runs newest first, the unfolded rows by status; a missing state has none. */
static void test_runs_and_unfolded_counts(void)
{
	const char *dir = tmpdir();
	struct ois_state *st;
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), 0);
	char got[128] = "";
	long counts[OIS_OP_STATUSES];
	CHECK_INT(ois_state_runs_foreach(st, 20, list_runs, got), 0);
	CHECK_STR(got, "");
	CHECK_INT(ois_state_applied_unfolded_count(st, counts), 0);
	CHECK_INT(counts[OIS_OP_FAILED], 0);
	ois_state_close(st);

	st = open_write(dir);
	static const char *const outcomes[] = { "ok", "partial", "failed", "ok" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(outcomes); i++)
		CHECK_INT(ois_state_run_add(st, "2026-11-24T10:00:00Z", "2026-11-24T10:01:00Z", outcomes[i],
					    "{\"ok\":1}"), 0);
	static const struct ois_applied rows[] = {
		{ "op-1", OIS_OP_FAILED, NULL, NULL, NULL, 0 },
		{ "op-2", OIS_OP_PENDING, NULL, NULL, NULL, 0 },
		{ "op-3", OIS_OP_FAILED, NULL, NULL, NULL, 0 },
		{ "op-4", OIS_OP_CONFLICT, NULL, NULL, NULL, 1 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(rows); i++)
		CHECK_INT(ois_state_applied_put(st, &rows[i]), 0);
	CHECK_INT(ois_state_runs_foreach(st, 3, list_runs, got), 0);
	CHECK_STR(got, "ok failed partial");
	got[0] = '\0';
	CHECK_INT(ois_state_runs_foreach(st, 0, list_runs, got), 0);
	CHECK_STR(got, "ok failed partial ok");
	CHECK_INT(ois_state_applied_unfolded_count(st, counts), 0);
	CHECK_INT(counts[OIS_OP_FAILED], 2);
	CHECK_INT(counts[OIS_OP_PENDING], 1);
	CHECK_INT(counts[OIS_OP_CONFLICT], 0); /* folded */
	ois_state_close(st);
	rm_rf(dir);
}

static void test_rollback_leaves_nothing(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	struct ois_pair p = pair("p1", "contact", "AAMk1", "101");
	struct ois_applied a = { "op-1", OIS_OP_OK, NULL, NULL, NULL, 0 };

	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_meta_set(st, "sync_id", "x"), 0);
	CHECK_INT(ois_state_checkpoint_set(st, OIS_EXCHANGE, "contacts", "tok"), 0);
	CHECK_INT(ois_state_pair_put(st, &p), 0);
	CHECK_INT(ois_state_applied_put(st, &a), 0);
	CHECK_INT(ois_state_run_add(st, "s", "f", "ok", "{}"), 0);
	CHECK_INT(ois_state_pair_count(st, NULL), 1); /* visible inside */
	CHECK_INT(ois_state_rollback(st), 0);
	CHECK_INT(ois_state_rollback(st), 0); /* nothing open: harmless */

	char *val;
	struct ois_pair gp;
	struct ois_applied ga;
	CHECK_INT(ois_state_meta_get(st, "sync_id", &val), OIS_ENOTFOUND);
	CHECK_INT(ois_state_checkpoint_get(st, OIS_EXCHANGE, "contacts", &val), OIS_ENOTFOUND);
	CHECK_INT(ois_state_pair_get(st, "p1", &gp), OIS_ENOTFOUND);
	CHECK_INT(ois_state_applied_get(st, "op-1", &ga), OIS_ENOTFOUND);
	CHECK_INT(ois_state_pair_count(st, NULL), 0);
	CHECK_INT(ois_state_is_new(st), 1);

	/* The same, committed, is all there after a reopen. */
	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_meta_set(st, "sync_id", "x"), 0);
	CHECK_INT(ois_state_pair_put(st, &p), 0);
	CHECK_INT(ois_state_commit(st), 0);
	ois_state_close(st);
	st = open_write(dir);
	CHECK_INT(ois_state_pair_count(st, NULL), 1);
	CHECK_INT(ois_state_is_new(st), 0);

	/* Closing with a transaction open rolls it back. */
	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_pair_delete(st, "p1"), 0);
	ois_state_close(st);
	st = open_write(dir);
	CHECK_INT(ois_state_pair_count(st, NULL), 1);
	ois_state_close(st);
	rm_rf(dir);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, data, len), (long long)len);
	close(fd);
}

static int file_equals(const char *path, const void *data, size_t len)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)len && !memcmp(buf, data, len);
}

static void test_garbage_is_refused_not_replaced(void)
{
	static const struct { const char *what; size_t len; } garbage[] = {
		{ "this is not a database, it is a shopping list\n", 0 },
		{ "SQLite format 3", 16 },                 /* the magic alone, cut short */
		{ "SQLite format 3\0\x10\0\x01\x01\0@  \0\0\0\x01", 28 }, /* a header, no pages */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(garbage); i++) {
		const char *dir = tmpdir();
		size_t len = garbage[i].len ? garbage[i].len : strlen(garbage[i].what);
		char *server_dir = ois_xasprintf("%s/%s", dir, SERVER);
		mkdir(server_dir, 0700);
		char *path = db_path(dir);
		char *block = ois_xcalloc(1, 2048);
		memcpy(block, garbage[i].what, len);
		if (i == 0)
			len = 2048; /* a page-sized file */
		write_file(path, block, len);
		static const enum ois_state_mode modes[] = { OIS_STATE_WRITE, OIS_STATE_READ };
		for (size_t m = 0; m < OIS_ARRAY_SIZE(modes); m++) {
			struct ois_state *st = (struct ois_state *)1;
			CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, modes[m], &st), OIS_EDATA);
			CHECK(st == NULL);
			CHECK(file_equals(path, block, len));
		}
		free(block);
		free(path);
		free(server_dir);
		rm_rf(dir);
	}
}

static int count_pair(const struct ois_pair *p, void *ctx)
{
	(void)p;
	(*(long *)ctx)++;
	return 0;
}

/* The database's path with suffix appended ("-wal"). */
static char *db_path_suffix(const char *dir, const char *suffix)
{
	char *db = db_path(dir), *out = ois_xasprintf("%s%s", db, suffix);
	free(db);
	return out;
}

static void test_damaged_database_is_refused(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = open_write(dir);
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(ois_state_begin(st), 0);
	for (int i = 0; i < 200; i++) {
		char id[32], ex[32];
		snprintf(id, sizeof(id), "pair-%04d", i);
		snprintf(ex, sizeof(ex), "AAMk%04d", i);
		struct ois_pair p = pair(id, "contact", ex, NULL);
		p.base = big;
		CHECK_INT(ois_state_pair_put(st, &p), 0);
	}
	CHECK_INT(ois_state_commit(st), 0);
	ois_state_close(st); /* the last close folds the WAL into the file */

	/* Scribble over pages in the middle of the file. */
	char *path = db_path(dir);
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	char junk[4096 * 4];
	memset(junk, 0x5a, sizeof(junk));
	CHECK_INT(pwrite(fd, junk, sizeof(junk), 4096 * 20), (long long)sizeof(junk));
	close(fd);
	/* On demand (oisync check --deep), the whole file is checked: refused. */
	CHECK_INT(ois_state_verify(dir, SERVER, ACCOUNT), OIS_EDATA);
	/* Closed cleanly, it opens without a check; reading the damaged pages is refused. */
	st = NULL;
	int rc = ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st);
	if (rc == 0) {
		long n = 0;
		rc = ois_state_pairs_foreach(st, "contact", count_pair, &n);
		ois_state_close(st);
	}
	CHECK_INT(rc, OIS_EDATA);
	/* Left open by its writer (a WAL with frames: killed), the open checks it first and refuses. */
	char *wal = db_path_suffix(dir, "-wal");
	for (int mode = 0; mode < 2; mode++) {
		/* (Each open may recover the WAL away: it is left again before each.) */
		fd = open(wal, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0);
		CHECK_INT(write(fd, junk, 100), 100);
		close(fd);
		st = (struct ois_state *)1;
		CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, mode ? OIS_STATE_READ : OIS_STATE_WRITE, &st), OIS_EDATA);
		CHECK(st == NULL);
	}
	free(wal);
	free(path);
	rm_rf(dir);
}

static void test_read_missing_is_empty_and_creates_nothing(void)
{
	const char *dir = tmpdir();
	struct ois_state *st = NULL;
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), 0);
	CHECK(st != NULL);
	char *val = (char *)"junk";
	struct ois_pair p;
	struct ois_applied a;
	struct seen s = { .n = 0 };
	CHECK_INT(ois_state_is_new(st), 1);
	CHECK_INT(ois_state_meta_get(st, "sync_id", &val), OIS_ENOTFOUND);
	CHECK_STR(val, NULL);
	CHECK_INT(ois_state_checkpoint_get(st, OIS_EXCHANGE, "contacts", &val), OIS_ENOTFOUND);
	CHECK_INT(ois_state_pair_get(st, "p1", &p), OIS_ENOTFOUND);
	CHECK_INT(ois_state_pairs_foreach(st, NULL, collect_pair, &s), 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(ois_state_pair_count(st, NULL), 0);
	CHECK_INT(ois_state_applied_get(st, "op", &a), OIS_ENOTFOUND);
	CHECK_INT(ois_state_applied_foreach_unfolded(st, collect_applied, NULL), 0);
	CHECK_INT(ois_state_begin(st), 0);
	CHECK_INT(ois_state_commit(st), 0);
	ois_state_close(st);
	CHECK_INT(rmdir(dir), 0); /* still empty: no folder, no file */

	/* A database file created but never migrated reads as empty too, and a writer migrates it. */
	dir = tmpdir();
	char *server_dir = ois_xasprintf("%s/%s", dir, SERVER);
	mkdir(server_dir, 0700);
	char *path = db_path(dir);
	write_file(path, "", 0);
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), 0);
	CHECK_INT(ois_state_is_new(st), 1);
	CHECK_INT(ois_state_pair_count(st, NULL), 0);
	ois_state_close(st);
	st = open_write(dir);
	CHECK_INT(ois_state_pair_count(st, NULL), 0);
	ois_state_close(st);
	CHECK_INT(raw_int(path, "PRAGMA user_version"), 5);
	free(path);
	free(server_dir);
	rm_rf(dir);
}

static void test_reader_sees_only_commits(void)
{
	const char *dir = tmpdir();
	struct ois_state *w = open_write(dir), *r;
	struct ois_pair p = pair("p1", "contact", "AAMk1", "101");
	CHECK_INT(ois_state_pair_put(w, &p), 0);
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &r), 0);
	CHECK_INT(ois_state_begin(w), 0);
	CHECK_INT(ois_state_pair_delete(w, "p1"), 0);
	CHECK_INT(ois_state_pair_count(r, NULL), 1); /* WAL: the reader is not blocked */
	CHECK_INT(ois_state_commit(w), 0);
	CHECK_INT(ois_state_pair_count(r, NULL), 0);
	ois_state_close(r);
	ois_state_close(w);
	rm_rf(dir);
}

static void test_refuses_newer_and_foreign_databases(void)
{
	static const struct { const char *sql; } cases[] = {
		{ "PRAGMA user_version = 99" },                               /* a newer oisync */
		{ "PRAGMA application_id = 1234" },                           /* another program's */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const char *dir = tmpdir();
		struct ois_state *st = open_write(dir);
		ois_state_close(st);
		char *path = db_path(dir);
		CHECK_INT(raw_exec(path, cases[i].sql), SQLITE_OK);
		st = (struct ois_state *)1;
		CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_WRITE, &st), OIS_EDATA);
		CHECK(st == NULL);
		CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), OIS_EDATA);
		if (i == 0)
			CHECK_INT(raw_int(path, "PRAGMA user_version"), 99); /* untouched */
		free(path);
		rm_rf(dir);
	}
	/* Some other SQLite database where ours should be: tables, no version. */
	const char *dir = tmpdir();
	char *server_dir = ois_xasprintf("%s/%s", dir, SERVER);
	mkdir(server_dir, 0700);
	char *path = db_path(dir);
	sqlite3 *db;
	sqlite3_open(path, &db);
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE pairs (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct ois_state *st;
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_WRITE, &st), OIS_EDATA);
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), OIS_EDATA);
	free(path);
	free(server_dir);
	rm_rf(dir);
}

static void test_symlink_is_refused(void)
{
	const char *dir = tmpdir();
	char *server_dir = ois_xasprintf("%s/%s", dir, SERVER);
	mkdir(server_dir, 0700);
	char *target = ois_xasprintf("%s/elsewhere.db", dir);
	char *path = db_path(dir);
	CHECK_INT(symlink(target, path), 0);
	struct ois_state *st;
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_WRITE, &st), OIS_EDATA);
	CHECK_INT(access(target, F_OK), -1); /* nothing created through the link */
	write_file(target, "", 0);
	CHECK_INT(ois_state_open(dir, SERVER, ACCOUNT, OIS_STATE_READ, &st), OIS_EDATA);
	free(target);
	free(path);
	free(server_dir);
	rm_rf(dir);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_lock_in_process(void)
{
	const char *dir = tmpdir();
	int fd = ois_state_lock(dir, SERVER, ACCOUNT, 0);
	CHECK(fd >= 0);
	double t0 = now();
	CHECK_INT(ois_state_lock(dir, SERVER, ACCOUNT, 0), OIS_ETEMP);
	CHECK(now() - t0 < 0.5); /* at once */
	int other = ois_state_lock(dir, SERVER, "bob@firm.example", 0); /* other accounts are free */
	CHECK(other >= 0);
	ois_state_unlock(other);
	ois_state_unlock(fd);
	fd = ois_state_lock(dir, SERVER, ACCOUNT, 0);
	CHECK(fd >= 0);
	ois_state_unlock(fd);
	ois_state_unlock(-1);
	rm_rf(dir);
}

static void test_lock_across_processes(void)
{
	const char *dir = tmpdir();
	int ready[2];
	CHECK_INT(pipe(ready), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		/* Child: hold the lock for 300 ms, then exit, which releases it. */
		close(ready[0]);
		int fd = ois_state_lock(dir, SERVER, ACCOUNT, 0);
		char c = fd >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		struct timespec t = { 0, 300 * 1000 * 1000 };
		nanosleep(&t, NULL);
		_exit(fd >= 0 ? 0 : 1);
	}
	CHECK(pid > 0);
	close(ready[1]);
	char c = 0;
	CHECK_INT(read(ready[0], &c, 1), 1);
	close(ready[0]);
	CHECK_INT(c, 'y');

	double t0 = now();
	CHECK_INT(ois_state_lock(dir, SERVER, ACCOUNT, 0), OIS_ETEMP);
	CHECK(now() - t0 < 0.2);
	int fd = ois_state_lock(dir, SERVER, ACCOUNT, 5);
	double waited = now() - t0;
	CHECK(fd >= 0);
	CHECK(waited >= 0.15 && waited < 3);
	ois_state_unlock(fd);
	int status = -1;
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rm_rf(dir);
}

static void test_lock_wait_times_out(void)
{
	const char *dir = tmpdir();
	int fd = ois_state_lock(dir, SERVER, ACCOUNT, 0);
	CHECK(fd >= 0);
	double t0 = now();
	CHECK_INT(ois_state_lock(dir, SERVER, ACCOUNT, 1), OIS_ETEMP);
	double waited = now() - t0;
	CHECK(waited >= 0.9 && waited < 2);
	ois_state_unlock(fd);
	rm_rf(dir);
}

int main(void)
{
	ois_log_init("test_state");
	ois_log_set_verbosity(-1); /* expected errors stay quiet */
	UNIT_RUN(test_create_open_close);
	UNIT_RUN(test_meta);
	UNIT_RUN(test_checkpoints);
	UNIT_RUN(test_generation);
	UNIT_RUN(test_pairs);
	UNIT_RUN(test_applied);
	UNIT_RUN(test_applied_unknown_status_is_refused);
	UNIT_RUN(test_runs_and_unfolded_counts);
	UNIT_RUN(test_rollback_leaves_nothing);
	UNIT_RUN(test_garbage_is_refused_not_replaced);
	UNIT_RUN(test_damaged_database_is_refused);
	UNIT_RUN(test_read_missing_is_empty_and_creates_nothing);
	UNIT_RUN(test_reader_sees_only_commits);
	UNIT_RUN(test_refuses_newer_and_foreign_databases);
	UNIT_RUN(test_symlink_is_refused);
	UNIT_RUN(test_lock_in_process);
	UNIT_RUN(test_lock_across_processes);
	UNIT_RUN(test_lock_wait_times_out);
	return unit_done();
}
