/* lazy_sqlite.c - the SQLite functions oisync calls, opening libsqlite3 on the first (see lazy.h). */
#include "lazy.h"

#include <sqlite3.h>
#include <string.h>

#ifndef OIS_SQLITE_SONAME
#error "OIS_SQLITE_SONAME must name the libsqlite3 oisync is built against (the Makefile reads it)"
#endif

static struct ois_lazy_lib sqlite = { OIS_SQLITE_SONAME, NULL };

int sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs)
{
	OIS_LAZY_FN(sqlite, sqlite3_open_v2);
	return real_sqlite3_open_v2(filename, db, flags, vfs);
}

int sqlite3_close(sqlite3 *db)
{
	/* Closing nothing needs no SQLite (it is a no-op there too). */
	if (!db)
		return SQLITE_OK;
	OIS_LAZY_FN(sqlite, sqlite3_close);
	return real_sqlite3_close(db);
}

void *sqlite3_commit_hook(sqlite3 *db, int (*fn)(void *), void *arg)
{
	OIS_LAZY_FN(sqlite, sqlite3_commit_hook);
	return real_sqlite3_commit_hook(db, fn, arg);
}

int sqlite3_reset(sqlite3_stmt *stmt)
{
	OIS_LAZY_FN(sqlite, sqlite3_reset);
	return real_sqlite3_reset(stmt);
}

int sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **), void *arg,
                 char **errmsg)
{
	OIS_LAZY_FN(sqlite, sqlite3_exec);
	return real_sqlite3_exec(db, sql, callback, arg, errmsg);
}

int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int nbyte, sqlite3_stmt **stmt, const char **tail)
{
	OIS_LAZY_FN(sqlite, sqlite3_prepare_v2);
	return real_sqlite3_prepare_v2(db, sql, nbyte, stmt, tail);
}

int sqlite3_step(sqlite3_stmt *stmt)
{
	OIS_LAZY_FN(sqlite, sqlite3_step);
	return real_sqlite3_step(stmt);
}

int sqlite3_finalize(sqlite3_stmt *stmt)
{
	/* Finalizing nothing needs no SQLite (it is a no-op there too). */
	if (!stmt)
		return SQLITE_OK;
	OIS_LAZY_FN(sqlite, sqlite3_finalize);
	return real_sqlite3_finalize(stmt);
}

int sqlite3_bind_text(sqlite3_stmt *stmt, int i, const char *text, int n, void (*destructor)(void *))
{
	OIS_LAZY_FN(sqlite, sqlite3_bind_text);
	return real_sqlite3_bind_text(stmt, i, text, n, destructor);
}

int sqlite3_bind_null(sqlite3_stmt *stmt, int i)
{
	OIS_LAZY_FN(sqlite, sqlite3_bind_null);
	return real_sqlite3_bind_null(stmt, i);
}

const unsigned char *sqlite3_column_text(sqlite3_stmt *stmt, int col)
{
	OIS_LAZY_FN(sqlite, sqlite3_column_text);
	return real_sqlite3_column_text(stmt, col);
}

int sqlite3_column_int(sqlite3_stmt *stmt, int col)
{
	OIS_LAZY_FN(sqlite, sqlite3_column_int);
	return real_sqlite3_column_int(stmt, col);
}

sqlite3_int64 sqlite3_column_int64(sqlite3_stmt *stmt, int col)
{
	OIS_LAZY_FN(sqlite, sqlite3_column_int64);
	return real_sqlite3_column_int64(stmt, col);
}

int sqlite3_get_autocommit(sqlite3 *db)
{
	OIS_LAZY_FN(sqlite, sqlite3_get_autocommit);
	return real_sqlite3_get_autocommit(db);
}

int sqlite3_busy_timeout(sqlite3 *db, int ms)
{
	OIS_LAZY_FN(sqlite, sqlite3_busy_timeout);
	return real_sqlite3_busy_timeout(db, ms);
}

int sqlite3_extended_result_codes(sqlite3 *db, int onoff)
{
	OIS_LAZY_FN(sqlite, sqlite3_extended_result_codes);
	return real_sqlite3_extended_result_codes(db, onoff);
}

int sqlite3_errcode(sqlite3 *db)
{
	OIS_LAZY_FN(sqlite, sqlite3_errcode);
	return real_sqlite3_errcode(db);
}

int sqlite3_extended_errcode(sqlite3 *db)
{
	OIS_LAZY_FN(sqlite, sqlite3_extended_errcode);
	return real_sqlite3_extended_errcode(db);
}

int sqlite3_system_errno(sqlite3 *db)
{
	OIS_LAZY_FN(sqlite, sqlite3_system_errno);
	return real_sqlite3_system_errno(db);
}

const char *sqlite3_errmsg(sqlite3 *db)
{
	OIS_LAZY_FN(sqlite, sqlite3_errmsg);
	return real_sqlite3_errmsg(db);
}

const char *sqlite3_errstr(int rc)
{
	OIS_LAZY_FN(sqlite, sqlite3_errstr);
	return real_sqlite3_errstr(rc);
}
