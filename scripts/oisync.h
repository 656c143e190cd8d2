/* oisync.h - the admin command's parts: main and options in oisync.c, one command per oisync_*.c. */
#ifndef OIS_ADMIN_OISYNC_H
#define OIS_ADMIN_OISYNC_H

#include <stddef.h>

struct ois_config;
struct ois_user;

/*
 * One command: argv[0] is its name, the rest its own arguments and options
 * (getopt starts afresh). It prints on stdout and returns the exit status
 * (0, 1 for a value not set, 64 usage, 78 configuration, or that of an
 * ois_code); main closes stdout after it.
 */
int oisync_users(const struct ois_config *cfg, int argc, char **argv);
int oisync_config(const struct ois_config *cfg, int argc, char **argv);
int oisync_check(const struct ois_config *cfg, int argc, char **argv);
int oisync_lockfile(const struct ois_config *cfg, int argc, char **argv);
int oisync_status(const struct ois_config *cfg, int argc, char **argv);
int oisync_show(const struct ois_config *cfg, int argc, char **argv);
int oisync_reset(const struct ois_config *cfg, int argc, char **argv);
int oisync_replay(const struct ois_config *cfg, int argc, char **argv);

/* users match: oisync_users_match.c. */
int oisync_users_match(const struct ois_config *cfg, int argc, char **argv);
/* users enable|disable (argv[0] says which): oisync_users_edit.c. */
int oisync_users_enable(const struct ois_config *cfg, int argc, char **argv);
/* The users file whole (owned), or NULL with *len 0 when there is none; *rc OIS_EIO (logged) when it cannot be read. */
char *oisync_users_file_read(const char *path, size_t *len, int *rc);
/*
 * Replace the users file by text, atomically: a temporary file beside it,
 * synced, renamed over it, with the old file's mode. 0 or OIS_EIO (logged).
 */
int oisync_users_file_write(const struct ois_config *cfg, const char *text, size_t len);

/* Log the message and where to look for help: the usage exit status (64). */
int oisync_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The account's lock file, created when missing: the lock oisync-run takes
 * with flock(1) and hands to oisync-apply (--lock-fd), so one account's
 * extract, reconcile and apply run as one. The path comes from the state
 * store, the one place that names it. Returns it (owned), or NULL and *rc.
 */
char *oisync_account_lockfile(const struct ois_config *cfg, const struct ois_user *u, int *rc);

#endif
