/* oisync_users.c - oisync users: the users file, one tab-separated line per user. */
#include "oisync.h"
#include "code.h"
#include "config.h"
#include "log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * users [--server S] [--enabled] [--lockfile]: with --lockfile a fifth
 * column, so that oisync-run learns its users and their locks in one process
 * rather than one more per user. A lock file that cannot be made is said,
 * its column left empty and the exit status that of the failure, after every
 * user is listed: one account's trouble must not hide the others.
 */
int oisync_users(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "enabled", no_argument, NULL, 'e' },
		{ "lockfile", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	/* The users file's own sub-commands, each in its own file. */
	if (argc > 1 && (!strcmp(argv[1], "enable") || !strcmp(argv[1], "disable")))
		return oisync_users_enable(cfg, argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "match"))
		return oisync_users_match(cfg, argc - 1, argv + 1);
	const char *server = NULL;
	int enabled_only = 0, lockfiles = 0, c, status = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+s:el", opts, NULL)) != -1) {
		if (c == 's')
			server = optarg;
		else if (c == 'e')
			enabled_only = 1;
		else if (c == 'l')
			lockfiles = 1;
		else
			return oisync_usage_error("bad option for 'users'");
	}
	if (optind < argc)
		return oisync_usage_error("unexpected argument '%s' for 'users'", argv[optind]);
	if (server && !ois_config_server(cfg, server)) {
		ois_error("no [server %s] in '%s'", server, cfg->path);
		return EX_CONFIG;
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct ois_user *u = &cfg->users[i];
		if ((server && strcmp(u->server, server)) || (enabled_only && !u->enabled))
			continue;
		printf("%s\t%s\t%s\t%s", u->id, u->mailbox, u->server, u->enabled ? "yes" : "no");
		if (lockfiles) {
			int rc = 0;
			char *path = oisync_account_lockfile(cfg, u, &rc);
			if (!path && !status)
				status = ois_exit_status(rc);
			printf("\t%s", path ? path : "");
			free(path);
		}
		putchar('\n');
	}
	return status;
}
