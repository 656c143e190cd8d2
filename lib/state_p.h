/* state_p.h - private glue between the state store's files (not for other callers). */
#ifndef OIS_STATE_P_H
#define OIS_STATE_P_H

#include "state.h"

#include <sqlite3.h>

/*
 * An open account state. db is NULL for the empty state that
 * OIS_STATE_READ gives when no database exists yet: every query then finds
 * nothing. path is the database file, for messages.
 */
struct ois_state {
	sqlite3 *db;
	char *path;
	enum ois_state_mode mode;
	unsigned long commits;   /* transactions committed since the writer opened it (ois_state_commits) */
};

/* The schema version this code writes (PRAGMA user_version). */
extern const int ois_state_schema_version;

/*
 * Bring db from its user_version up to ois_state_schema_version, one
 * transaction per migration. path is for messages. 0 or a negative code.
 */
int ois_state_migrate(sqlite3 *db, const char *path);

/* Create STATE_DIR and STATE_DIR/SAFE(SERVER) (server NULL: STATE_DIR only), mode 0700, as needed. */
int ois_state_mkdirs(const char *state_dir, const char *server);

/*
 * Log sqlite's last error on db and return the code for it: OIS_EDATA for
 * a damaged file or one that is not a database, OIS_EIO otherwise.
 */
int ois_state_sqlfail(sqlite3 *db, const char *path);

#endif
