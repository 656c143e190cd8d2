/* oisync_replay.c - oisync replay FILE: a saved change set applied again, by oisync-apply --replay itself. */
#include "oisync.h"
#include "code.h"
#include "config.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * oisync-apply, found as oisync-run finds its stages: in $OISYNC_BIN, else
 * beside this executable (an installed or built tree keeps them together),
 * else on PATH. Owned.
 */
static char *apply_path(void)
{
	const char *bin = getenv("OISYNC_BIN");
	if (bin && *bin)
		return ois_xasprintf("%s/oisync-apply", bin);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *path = ois_xasprintf("%s/oisync-apply", self);
			if (!access(path, X_OK))
				return path;
			free(path);
		}
	}
	return ois_xstrdup("oisync-apply");
}

/*
 * replay [--dry-run] FILE: exec oisync-apply --replay FILE with this
 * configuration, rather than a second copy of the apply loop here. lib/apply.h
 * asks that every way of applying a change set take one path; the loop that
 * groups ops, records each outcome before the next and folds them into the
 * state is oisync-apply's main, so running that very program is the one way
 * to be sure replay does what --replay does, now and after any change to it:
 * ops already recorded done are skipped (exactly once), the account's lock is
 * taken (75 when a run holds it), a change set from before the state's last
 * commit is refused (65), checkpoints are never committed, and the exit
 * status is apply's own. The cost, one exec, is nothing beside the requests.
 */
int oisync_replay(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int dry_run = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+n", opts, NULL)) != -1) {
		if (c != 'n')
			return oisync_usage_error("bad option for 'replay'");
		dry_run = 1;
	}
	if (argc - optind != 1)
		return oisync_usage_error("replay takes one saved change set (see --help)");
	char *apply = apply_path();
	char *args[8];
	int n = 0;
	args[n++] = apply;
	args[n++] = "-c";
	args[n++] = cfg->path;
	if (dry_run)
		args[n++] = "--dry-run";
	args[n++] = "--replay";
	args[n++] = argv[optind];
	args[n] = NULL;
	/* Our own buffered output must not be lost or repeated across the exec. */
	fflush(stdout);
	fflush(stderr);
	if (strchr(apply, '/'))
		execv(apply, args);
	else
		execvp(apply, args);
	ois_error("cannot run '%s': %s", apply, strerror(errno));
	free(apply);
	return errno == ENOENT ? EX_UNAVAILABLE : EX_OSERR;
}
