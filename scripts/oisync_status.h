/* oisync_status.h - what oisync status gathers from the users' states, shared by its three forms. */
#ifndef OIS_ADMIN_OISYNC_STATUS_H
#define OIS_ADMIN_OISYNC_STATUS_H

#include "op.h"

#include <stddef.h>
#include <stdio.h>

struct ois_config;
struct ois_user;

/* Runs of each user's history the page draws (and --json lists). */
#define STATUS_HISTORY 20
/* Slowest users named per server. */
#define STATUS_SLOWEST 3

/* One runs row, copied out of the state. */
struct status_run {
	char *started, *finished, *outcome;
	long counts[OIS_OP_STATUSES];  /* by enum ois_op_status, from the row's counts JSON */
	long seconds;                  /* finished - started; -1 when either is unreadable */
};

/* One user as status shows it. */
struct status_user {
	const struct ois_user *u;      /* borrowed from the configuration */
	size_t order;                  /* place in the users file */
	char *problem;                 /* the state could not be read: why; NULL otherwise */
	char *last_success;            /* meta last_sync: the last run that did everything; NULL: never */
	struct status_run *runs;       /* newest first, at most STATUS_HISTORY */
	size_t nruns;
	long unsettled[OIS_OP_STATUSES]; /* applied rows not folded: what the next run still settles */
	long pairs;
	int failing;
};

/* One server's users. */
struct status_server {
	const char *name;
	size_t users, enabled, ok, failing, never;
	long counts[OIS_OP_STATUSES];  /* over each user's last run */
	struct status_user *slowest[STATUS_SLOWEST]; /* by their last run's length, longest first */
};

struct status {
	char generated[32];
	struct status_user *users;     /* failing first, then in the users file's order */
	size_t nusers;
	struct status_server *servers;
	size_t nservers;
};

/* The word for a user's state: "ok", "partial", "failed", "never run" or "unreadable". */
const char *status_outcome(const struct status_user *su);
/* The last run's count of ops with status st; 0 for a user never run. */
long status_last(const struct status_user *su, enum ois_op_status st);

/* The page for --html: a whole, self-contained HTML document on fp. */
void status_html(FILE *fp, const struct status *s);

#endif
