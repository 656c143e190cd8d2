/* state_schema.c - open the account database, check it, and migrate its schema forward. */
#include "state_p.h"

#include "code.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* PRAGMA application_id: "oisy", so `file` and we can tell our databases from others. */
#define OIS_APPLICATION_ID 0x6f697379

/*
 * Migration i takes a database from schema i to i + 1. Append only: a
 * released migration never changes, because databases out there already
 * ran it. Each runs in one transaction with its user_version bump.
 */
static const char *const migrations[] = {
	/* 1: the first schema (doc/ARCHITECTURE.md, "State"). */
	"PRAGMA application_id = 1869181817;" /* OIS_APPLICATION_ID */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT);"
	"CREATE TABLE checkpoints ("
	"  side TEXT NOT NULL,"
	"  folder TEXT NOT NULL,"
	"  token TEXT,"
	"  updated TEXT,"
	"  PRIMARY KEY (side, folder));"
	/* exchange_id is unique on its own: EWS and Graph ids are mailbox-wide.
	 * InterAction numbers contacts and appointments apart, so its id is
	 * unique per kind. NULLs (no partner yet) never collide. */
	"CREATE TABLE pairs ("
	"  pair_id TEXT PRIMARY KEY NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  exchange_id TEXT UNIQUE,"
	"  exchange_version TEXT,"
	"  interaction_id TEXT,"
	"  interaction_version TEXT,"
	"  base TEXT NOT NULL,"
	"  base_hash TEXT NOT NULL,"
	"  op_id TEXT,"
	"  updated TEXT,"
	"  UNIQUE (kind, interaction_id));"
	"CREATE INDEX pairs_by_kind ON pairs (kind, pair_id);"
	"CREATE TABLE applied ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  op_id TEXT UNIQUE NOT NULL,"
	"  status TEXT NOT NULL,"
	"  new_id TEXT,"
	"  new_version TEXT,"
	"  op TEXT,"
	"  folded INTEGER NOT NULL DEFAULT 0,"
	"  at TEXT);"
	"CREATE INDEX applied_unfolded ON applied (seq) WHERE folded = 0;"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started TEXT,"
	"  finished TEXT,"
	"  outcome TEXT,"
	"  counts TEXT);",
	/*
	 * 2: a change set is bound to the state it was computed from. Every
	 * commit bumps meta "generation"; each run row says which generation
	 * it made and from which change set, and each checkpoint which
	 * generation wrote it, so an older change set can never move it back.
	 */
	"ALTER TABLE checkpoints ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN generation INTEGER;"
	"ALTER TABLE runs ADD COLUMN changeset TEXT;",
	/*
	 * 3: the generation whose apply made a pair's Exchange item. Exchange
	 * reports an item made after a sync state as a Create of the next
	 * incremental read, and one made and deleted since as nothing at all;
	 * knowing which items must show up is how such a deletion is seen.
	 */
	"ALTER TABLE pairs ADD COLUMN exchange_made INTEGER;",
	/*
	 * 4: an incremental reconcile reads only the pairs that can act, among
	 * them those whose Outlook item apply made since the checkpoint
	 * (ois_state_pairs_unsettled): found here, not by a pass over every
	 * pair. Partial: a pair apply did not make has none.
	 */
	"CREATE INDEX pairs_made ON pairs (exchange_made) WHERE exchange_made IS NOT NULL;",
	/*
	 * 5: the pairs of each kind, counted as they come and go: the
	 * mass-delete guard measures every run's deletes against them, and a
	 * count(*) read the whole table, which an incremental reconcile
	 * otherwise never touches (ois_state_pair_count). Triggers, so that no
	 * writer can forget; the upsert in ois_state_pair_put is an INSERT or
	 * an UPDATE, never a REPLACE, whose deletes would fire no trigger.
	 */
	"CREATE TABLE pair_counts (kind TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO pair_counts SELECT kind, count(*) FROM pairs GROUP BY kind;"
	"CREATE TRIGGER pairs_counted_in AFTER INSERT ON pairs BEGIN"
	" INSERT INTO pair_counts VALUES (new.kind, 1) ON CONFLICT (kind) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER pairs_counted_out AFTER DELETE ON pairs BEGIN"
	" UPDATE pair_counts SET n = n - 1 WHERE kind = old.kind; END;"
	"CREATE TRIGGER pairs_counted_kind AFTER UPDATE OF kind ON pairs WHEN new.kind IS NOT old.kind BEGIN"
	" UPDATE pair_counts SET n = n - 1 WHERE kind = old.kind;"
	" INSERT INTO pair_counts VALUES (new.kind, 1) ON CONFLICT (kind) DO UPDATE SET n = n + 1; END;",
};

const int ois_state_schema_version = (int)OIS_ARRAY_SIZE(migrations);

int ois_state_sqlfail(sqlite3 *db, const char *path)
{
	int ec = sqlite3_errcode(db) & 0xff;
	const char *msg = sqlite3_errmsg(db);
	if (ec == SQLITE_NOTADB)
		return ois_fail(OIS_EDATA, "state '%s' is not an SQLite database: %s", path, msg);
	if (ec == SQLITE_CORRUPT)
		return ois_fail(OIS_EDATA, "state '%s' is damaged: %s", path, msg);
	return ois_fail(OIS_EIO, "state '%s': %s", path, msg);
}

/* Run sql, which returns nothing we need. */
static int exec(sqlite3 *db, const char *path, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ois_state_sqlfail(db, path);
	return 0;
}

/* The integer a one-row query (a PRAGMA) returns. */
static int query_int(sqlite3 *db, const char *path, const char *sql, int *out)
{
	sqlite3_stmt *stmt;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return ois_state_sqlfail(db, path);
	int rc = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int(stmt, 0);
	else
		rc = ois_state_sqlfail(db, path);
	sqlite3_finalize(stmt);
	return rc;
}

int ois_state_migrate(sqlite3 *db, const char *path)
{
	for (;;) {
		/* IMMEDIATE, and read the version inside: another process may
		 * have migrated between our check and our write lock. */
		int rc = exec(db, path, "BEGIN IMMEDIATE");
		if (rc)
			return rc;
		int v = 0;
		rc = query_int(db, path, "PRAGMA user_version", &v);
		if (rc || v >= ois_state_schema_version) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		char *bump = ois_xasprintf("PRAGMA user_version = %d", v + 1);
		rc = exec(db, path, migrations[v]);
		if (!rc)
			rc = exec(db, path, bump);
		if (!rc)
			rc = exec(db, path, "COMMIT");
		free(bump);
		if (rc) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		ois_debug("state '%s': schema now at version %d", path, v + 1);
	}
}

/*
 * quick_check's complaint as one short log line: its rows hold newlines
 * and a "*** in database main ***" banner, and may be many.
 */
static char *one_line(const char *s)
{
	static const char banner[] = "*** in database main ***";
	while (*s == '\n' || *s == ' ')
		s++;
	if (!strncmp(s, banner, sizeof(banner) - 1))
		s += sizeof(banner) - 1;
	while (*s == '\n' || *s == ' ')
		s++;
	char *out = ois_xmalloc(2 * 200 + 1), *o = out;
	for (size_t n = 0; *s && n < 200; s++, n++) {
		if (*s == '\n' && s[1]) {
			*o++ = ';';
			*o++ = ' ';
		} else {
			*o++ = (unsigned char)*s < 0x20 ? ' ' : *s;
		}
	}
	*o = '\0';
	return out;
}

/*
 * PRAGMA quick_check (or integrity_check) must say exactly "ok"; otherwise
 * its first complaint names the damage. A file that is not a database fails
 * here too, before anything could write to it.
 */
static int check_intact(sqlite3 *db, const char *path, const char *pragma)
{
	sqlite3_stmt *stmt;
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA %s", pragma);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return ois_state_sqlfail(db, path);
	int rc = 0;
	int step = sqlite3_step(stmt);
	if (step != SQLITE_ROW) {
		rc = ois_state_sqlfail(db, path);
	} else {
		const char *res = (const char *)sqlite3_column_text(stmt, 0);
		if (!res || strcmp(res, "ok") != 0) {
			char *what = one_line(res ? res : "the check failed");
			rc = ois_fail(OIS_EDATA, "state '%s' is damaged: %s", path, what);
			free(what);
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Refuse a database this code cannot read: a newer schema, another
 * program's file. *empty is set for a database with no schema at all
 * (a file created but never migrated).
 */
static int check_schema(sqlite3 *db, const char *path, int *version, int *empty)
{
	int appid = 0, tables = 0;
	int rc = query_int(db, path, "PRAGMA user_version", version);
	if (!rc)
		rc = query_int(db, path, "PRAGMA application_id", &appid);
	if (!rc)
		rc = query_int(db, path, "SELECT count(*) FROM sqlite_master", &tables);
	if (rc)
		return rc;
	if (appid != 0 && appid != OIS_APPLICATION_ID)
		return ois_fail(OIS_EDATA, "state '%s' is not an oisync state (application_id %d)", path, appid);
	if (*version > ois_state_schema_version)
		return ois_fail(OIS_EDATA, "state '%s' was written by a newer oisync (schema %d)", path, *version);
	if (*version == 0 && tables > 0)
		return ois_fail(OIS_EDATA, "state '%s' is not an oisync state (tables but no schema version)", path);
	*empty = *version == 0;
	return 0;
}

/* 1 when PATH-wal holds frames: the last connection did not close (SQLite removes it when it does). */
static int left_open(const char *path)
{
	char *wal = ois_xasprintf("%s-wal", path);
	struct stat sb;
	int open = stat(wal, &sb) == 0 && sb.st_size > 0;
	free(wal);
	return open;
}

static int open_db(const char *path, int flags, sqlite3 **out)
{
	sqlite3 *db = NULL;
#ifdef SQLITE_OPEN_NOFOLLOW
	flags |= SQLITE_OPEN_NOFOLLOW; /* sqlite >= 3.31: a symlink is refused */
#endif
	int rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		int ext = db ? sqlite3_extended_errcode(db) : rc;
		int err = db ? sqlite3_system_errno(db) : 0;
		if (ext == SQLITE_CANTOPEN_SYMLINK)
			rc = ois_fail(OIS_EDATA, "state '%s' cannot be opened: it is a symbolic link", path);
		else
			rc = ois_fail(OIS_EDATA, "state '%s' cannot be opened: %s%s%s", path,
				      db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
				      err ? ": " : "", err ? strerror(err) : "");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_extended_result_codes(db, 1);
	/* Another process migrating or checkpointing holds the lock briefly. */
	sqlite3_busy_timeout(db, 5000);
	*out = db;
	return 0;
}

/* The settings every connection needs; journal_mode only a writer can set. */
static int set_pragmas(sqlite3 *db, const char *path, int writer)
{
	int rc = exec(db, path, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
	if (rc || !writer)
		return rc;
	sqlite3_stmt *stmt;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK)
		return ois_state_sqlfail(db, path);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = ois_state_sqlfail(db, path);
	} else {
		const char *mode = (const char *)sqlite3_column_text(stmt, 0);
		if (!mode || strcmp(mode, "wal") != 0)
			rc = ois_fail(OIS_EIO, "state '%s' cannot use WAL mode (journal_mode %s)", path,
				      mode ? mode : "unknown");
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The database file is made by us, not by sqlite, so that it is 0600
 * whatever the umask lets sqlite's default 0644 become; sqlite gives the
 * -wal and -shm files the mode of the database. O_NOFOLLOW: a planted
 * symlink is refused rather than followed.
 */
static int precreate(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ois_fail(OIS_EDATA, "state '%s' cannot be opened: %s", path, strerror(errno));
	close(fd);
	return 0;
}

/*
 * A read-only connection cannot migrate; an older database met by a reader
 * (reconcile runs before apply) is upgraded through a short writer
 * connection, safe because each migration is one transaction.
 */
static int upgrade_for_reader(const char *path)
{
	sqlite3 *db;
	int rc = open_db(path, SQLITE_OPEN_READWRITE, &db);
	if (rc)
		return rc;
	rc = set_pragmas(db, path, 1);
	if (!rc)
		rc = ois_state_migrate(db, path);
	/*
	 * The reader's own connection is still open, so this close is not the
	 * last and leaves the migration in the -wal; a read-only connection
	 * never checkpoints it. A -wal with frames reads as a crash
	 * (left_open), and every later open would run quick_check over the
	 * whole file until a writer came by: fold it in now.
	 */
	if (!rc)
		rc = exec(db, path, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	return rc;
}

/* sqlite's commit hook: every transaction of the writer's, its own statement's or an explicit one, lets it commit. */
static int count_commit(void *ctx)
{
	((struct ois_state *)ctx)->commits++;
	return 0;
}

/*
 * OIS_STATE_READ opens with plain SQLITE_OPEN_READONLY. A reader of a WAL
 * database still needs the -shm file (and reads the -wal), and creates -shm
 * when missing, so the state folder must be writable by the reader; it is,
 * since the same service account runs apply there.
 */
int ois_state_open(const char *state_dir, const char *server, const char *account,
		   enum ois_state_mode mode, struct ois_state **out)
{
	struct ois_state *st = ois_xcalloc(1, sizeof(*st));
	st->path = ois_state_path(state_dir, server, account, ".db");
	st->mode = mode;
	int rc, version = 0, empty = 0;
	*out = NULL;

	int unclean = left_open(st->path);
	if (mode == OIS_STATE_READ) {
		struct stat sb;
		if (lstat(st->path, &sb) != 0) {
			if (errno == ENOENT || errno == ENOTDIR) {
				ois_debug("state '%s' does not exist yet: empty state", st->path);
				*out = st;
				return 0;
			}
			rc = ois_fail(OIS_EDATA, "state '%s' cannot be opened: %s", st->path, strerror(errno));
			goto fail;
		}
		if (!S_ISREG(sb.st_mode)) {
			rc = ois_fail(OIS_EDATA, "state '%s' cannot be opened: %s", st->path,
				      S_ISLNK(sb.st_mode) ? "it is a symbolic link" : "not a regular file");
			goto fail;
		}
		rc = open_db(st->path, SQLITE_OPEN_READONLY, &st->db);
	} else {
		rc = ois_state_mkdirs(state_dir, server);
		if (!rc)
			rc = precreate(st->path);
		if (!rc)
			rc = open_db(st->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &st->db);
	}
	/*
	 * A whole check costs a read of every page, so it runs only when the
	 * last writer did not close the file (a WAL is left: a kill, a crash,
	 * or a process that has it open now), and on demand (oisync check
	 * --deep, ois_state_verify). A damaged page met later is OIS_EDATA all
	 * the same (ois_state_sqlfail).
	 */
	if (!rc && unclean) {
		ois_debug("state '%s' was not closed cleanly: checking it", st->path);
		rc = check_intact(st->db, st->path, "quick_check");
	}
	if (!rc)
		rc = check_schema(st->db, st->path, &version, &empty);
	if (!rc)
		rc = set_pragmas(st->db, st->path, mode == OIS_STATE_WRITE);
	if (rc)
		goto fail;

	if (mode == OIS_STATE_WRITE) {
		rc = ois_state_migrate(st->db, st->path);
		if (!rc)
			sqlite3_commit_hook(st->db, count_commit, st);
	} else if (empty) {
		/* Created but never written: nothing to read, and no tables to read it from. */
		sqlite3_close(st->db);
		st->db = NULL;
	} else if (version < ois_state_schema_version) {
		rc = upgrade_for_reader(st->path);
	}
	if (rc)
		goto fail;
	*out = st;
	return 0;
fail:
	ois_state_close(st);
	return rc;
}

void ois_state_close(struct ois_state *st)
{
	if (!st)
		return;
	/* An open transaction is rolled back: only a commit makes changes real. */
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		OIS_BUG("state '%s' closed with statements still open", st->path);
	free(st->path);
	free(st);
}

/*
 * Schema 5 on: every kind's count (pair_counts, kept by triggers) is the
 * number of its pairs. A mismatch would move the mass-delete guard's
 * limit, so --deep says so. An older schema has no counts to check.
 */
static int check_pair_counts(sqlite3 *db, const char *path)
{
	int version, wrong;
	int rc = query_int(db, path, "PRAGMA user_version", &version);
	if (rc || version < 5)
		return rc;
	rc = query_int(db, path,
		       "SELECT count(*) FROM (SELECT kind FROM (SELECT kind, 1 AS pairs, 0 AS counted FROM pairs"
		       " UNION ALL SELECT kind, 0, n FROM pair_counts) GROUP BY kind HAVING sum(pairs) != sum(counted))",
		       &wrong);
	if (!rc && wrong)
		rc = ois_fail(OIS_EDATA, "state '%s' is damaged: the pair counts of %d kind%s disagree with its pairs",
			      path, wrong, wrong == 1 ? "" : "s");
	return rc;
}

int ois_state_verify(const char *state_dir, const char *server, const char *account)
{
	char *path = ois_state_path(state_dir, server, account, ".db");
	struct stat sb;
	sqlite3 *db = NULL;
	int rc;
	if (lstat(path, &sb) != 0) {
		rc = OIS_ENOTFOUND;
	} else if (!(rc = open_db(path, SQLITE_OPEN_READONLY, &db))) {
		rc = check_intact(db, path, "integrity_check");
		if (!rc)
			rc = check_pair_counts(db, path);
	}
	sqlite3_close(db);
	free(path);
	return rc;
}
