/* oisync.c - the admin command: its options and which command runs (one per scripts/oisync_*.c). */
#include "oisync.h"
#include "cli.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *fp)
{
	fputs("usage: oisync [options] COMMAND [ARGS]\n"
	      "\n"
	      "commands:\n"
	      "  users [--server S] [--enabled] [--lockfile]\n"
	      "                                  list users: id, mailbox, server, enabled (tab-separated),\n"
	      "                                  and with --lockfile the account's lock file\n"
	      "  config KEY                      print one configuration value: state_dir, changes_dir,\n"
	      "                                  users_file, phone_region, servers, interaction.KEY,\n"
	      "                                  server.NAME.KEY, defaults.KEY\n"
	      "  check [--offline] [--deep]      load the configuration, the users and every secret,\n"
	      "                                  open every enabled user's mailbox and InterAction list,\n"
	      "                                  and report each problem; --offline checks the\n"
	      "                                  configuration only (no server is asked); --deep also\n"
	      "                                  reads every user's state whole\n"
	      "  lockfile MAILBOX                print the account's lock file (created if missing), which\n"
	      "                                  oisync-run holds from extract to apply\n"
	      "  status [--server S] [--json] [--html FILE]\n"
	      "                                  each user's last run, last success, counts and conflicts,\n"
	      "                                  failing users first, and each server's totals: a table,\n"
	      "                                  one JSON document, or a static HTML page written to FILE\n"
	      "  show FILE                       a saved change set in words, with its results' conflicts\n"
	      "  users match [--server S] [--write]\n"
	      "                                  propose a mailbox (by e-mail, from the server's\n"
	      "                                  directory) for each InterAction user not in the users\n"
	      "                                  file; --write appends them, disabled\n"
	      "  users enable|disable USER...|--all\n"
	      "                                  set users' enabled key in the users file, in place\n"
	      "  reset [--yes] USER              forget one user's pairs and checkpoints (asks for the\n"
	      "                                  user id unless --yes): the next run matches afresh\n"
	      "  replay [--dry-run] FILE         apply a saved change set again: oisync-apply --replay\n"
	      "\n"
	      "options:\n"
	      "  -c, --config FILE     configuration (default $OISYNC_CONF, /etc/oisync/oisync.conf)\n"
	      "  -v, --verbose         more messages\n"
	      "      --log-format FMT  text or json\n"
	      "  -h, --help            this text\n"
	      "  -V, --version         print the version\n",
	      fp);
}

int oisync_usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ois_error("%s", msg);
	fprintf(stderr, "try 'oisync --help'\n");
	return EX_USAGE;
}

static const struct command {
	const char *name;
	int (*run)(const struct ois_config *cfg, int argc, char **argv);
} commands[] = {
	{ "users", oisync_users },
	{ "config", oisync_config },
	{ "check", oisync_check },
	{ "lockfile", oisync_lockfile },
	{ "status", oisync_status },
	{ "show", oisync_show },
	{ "reset", oisync_reset },
	{ "replay", oisync_replay },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		OIS_CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	ois_log_init("oisync");
	const char *path = NULL;
	int c;
	/* "+": options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return ois_exit_status(ois_close_stdout());
		case 'V':
			ois_cli_version("oisync");
			return ois_exit_status(ois_close_stdout());
		default: {
			int rc = ois_cli_common(c, optarg);
			if (rc == 1)
				break;
			if (rc == 0)
				fprintf(stderr, "try 'oisync --help'\n");
			return EX_USAGE;
		}
		}
	}
	if (optind >= argc)
		return oisync_usage_error("name a command: users, config, check, lockfile, status, show, reset or replay (see --help)");
	const char *cmd = argv[optind];
	const struct command *run = NULL;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd, commands[i].name))
			run = &commands[i];
	if (!run)
		return oisync_usage_error("unknown command '%s' (see --help)", cmd);

	struct ois_config cfg;
	int rc = ois_config_load(path, &cfg);
	if (rc)
		return ois_exit_status(rc);
	int status = run->run(&cfg, argc - optind, argv + optind);
	ois_config_release(&cfg);
	int out = ois_close_stdout();
	if (out && !status)
		status = ois_exit_status(out);
	return status;
}
