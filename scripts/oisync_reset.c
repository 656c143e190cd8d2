/* oisync_reset.c - oisync reset USER: forget one user's pairs and checkpoints, after a confirmation. */
#include "oisync.h"
#include "code.h"
#include "config.h"
#include "log.h"
#include "state.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The administrator types the user id back: a reset makes the next run read
 * both sides whole, which is slow for a big mailbox, so a slip of the
 * history key must not start one. --yes is for scripts.
 */
static int confirmed(const struct ois_user *u)
{
	fprintf(stderr,
		"oisync: reset forgets the pairs and checkpoints of user %s (mailbox %s on [server %s]);\n"
		"the next run reads both sides whole and matches them as on a first sync.\n"
		"Type the user id to go on: ",
		u->id, u->mailbox, u->server);
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	int ok = n > 0 && !strcmp(line, u->id);
	free(line);
	return ok;
}

/*
 * reset [--yes] USER: ois_state_reset under the account's lock, so that no
 * run is half-way through this account meanwhile (75 when one is: try
 * again later). Pairs, checkpoints and the sync id go; the applied ops stay,
 * so a change set saved before is refused (a new generation) rather than
 * applied twice. Matching afresh links what both sides hold: no duplicates.
 */
int oisync_reset(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int yes = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+y", opts, NULL)) != -1) {
		if (c != 'y')
			return oisync_usage_error("bad option for 'reset'");
		yes = 1;
	}
	if (argc - optind != 1)
		return oisync_usage_error("reset takes one user id (see --help)");
	const struct ois_user *u = ois_config_user(cfg, argv[optind]);
	if (!u)
		return oisync_usage_error("no [user %s] in '%s'", argv[optind], cfg->users_file);

	char *db = ois_state_path(cfg->state_dir, u->server, u->mailbox, ".db");
	struct stat st;
	int exists = !stat(db, &st);
	int serr = errno;
	free(db);
	if (!exists && serr == ENOENT) {
		printf("user %s: mailbox %s on [server %s] has no state yet: nothing to reset\n", u->id, u->mailbox,
		       u->server);
		return 0;
	}
	if (!yes && !confirmed(u)) {
		ois_error("not confirmed: nothing reset");
		return 1;
	}
	int lock = ois_state_lock(cfg->state_dir, u->server, u->mailbox, 0);
	if (lock < 0) {
		if (lock == OIS_ETEMP)
			ois_error("user %s: a run holds the account's lock: try again when it is done", u->id);
		return ois_exit_status(lock);
	}
	struct ois_state *state = NULL;
	int rc = ois_state_open(cfg->state_dir, u->server, u->mailbox, OIS_STATE_WRITE, &state);
	long pairs = rc ? 0 : ois_state_pair_count(state, NULL);
	if (!rc && pairs < 0)
		rc = (int)pairs;
	if (!rc)
		rc = ois_state_reset(state);
	ois_state_close(state);
	ois_state_unlock(lock);
	if (rc)
		return ois_exit_status(rc);
	printf("user %s: %ld %s of mailbox %s on [server %s] forgotten; the next run matches afresh\n", u->id, pairs,
	       pairs == 1 ? "pair" : "pairs", u->mailbox, u->server);
	return 0;
}
