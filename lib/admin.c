/* admin.c - the oisync admin command: list users, print configuration values, check it all. */
#include "admin.h"
#include "cli.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "secret.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	      "  check                           load the configuration, the users and every secret,\n"
	      "                                  and report each problem\n"
	      "  lockfile MAILBOX                print the account's lock file (created if missing), which\n"
	      "                                  oisync-run holds from extract to apply\n"
	      "\n"
	      "options:\n"
	      "  -c, --config FILE     configuration (default $OISYNC_CONF, /etc/oisync/oisync.conf)\n"
	      "  -v, --verbose         more messages\n"
	      "      --log-format FMT  text or json\n"
	      "  -h, --help            this text\n"
	      "  -V, --version         print the version\n",
	      fp);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
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

/*
 * The account's lock file, created when missing: the lock oisync-run takes
 * with flock(1) and hands to oisync-apply (--lock-fd), so one account's
 * extract, reconcile and apply run as one. The path comes from the state
 * store, the one place that names it. Returns it, or NULL and *rc.
 */
static char *account_lockfile(const struct ois_config *cfg, const struct ois_user *u, int *rc)
{
	int fd = ois_state_lock_file(cfg->state_dir, u->server, u->mailbox);
	if (fd < 0) {
		*rc = fd;
		return NULL;
	}
	close(fd);
	return ois_state_path(cfg->state_dir, u->server, u->mailbox, ".lock");
}

/*
 * users [--server S] [--enabled] [--lockfile]: with --lockfile a fifth
 * column, so that oisync-run learns its users and their locks in one process
 * rather than one more per user. A lock file that cannot be made is said,
 * its column left empty and the exit status that of the failure, after every
 * user is listed: one account's trouble must not hide the others.
 */
static int cmd_users(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "enabled", no_argument, NULL, 'e' },
		{ "lockfile", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
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
			return usage_error("bad option for 'users'");
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' for 'users'", argv[optind]);
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
			char *path = account_lockfile(cfg, u, &rc);
			if (!path && !status)
				status = ois_exit_status(rc);
			printf("\t%s", path ? path : "");
			free(path);
		}
		putchar('\n');
	}
	return status;
}

/* config KEY: the value on stdout; 1 when it is not set. */
static int cmd_config(const struct ois_config *cfg, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("'config' wants one KEY");
	const char *key = argv[1];
	char *value = NULL;
	if (!strcmp(key, "path"))
		value = ois_xstrdup(cfg->path);
	else if (!strcmp(key, "servers")) {
		for (size_t i = 0; i < cfg->nservers; i++)
			printf("%s\n", cfg->servers[i].name);
		return 0;
	} else {
		int rc = ois_config_get(cfg, key, &value);
		if (rc == OIS_EUSAGE)
			return usage_error("unknown key '%s' (see oisync.conf(5))", key);
		if (rc)
			return ois_exit_status(rc);
	}
	if (!value)
		return 1; /* not set, as git config */
	printf("%s\n", value);
	free(value);
	return 0;
}

/* Read one endpoint's secret to prove it is there; the secret itself is dropped at once. */
static int check_endpoint(const struct ois_endpoint *e, const char *what)
{
	int problems = 0;
	if (e->secret_file || e->secret_env) {
		char *secret = NULL;
		if (ois_secret_read(e->secret_file, e->secret_env, &secret)) {
			ois_error("%s: its secret cannot be used", what);
			problems++;
		}
		ois_secret_free(secret);
	}
	if (e->ca_file && access(e->ca_file, R_OK)) {
		ois_error("%s: cannot read ca_file '%s': %s", what, e->ca_file, strerror(errno));
		problems++;
	}
	return problems;
}

/* lockfile MAILBOX: that account's lock file (see account_lockfile). */
static int cmd_lockfile(const struct ois_config *cfg, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("lockfile takes one mailbox (see --help)");
	const struct ois_user *u = ois_config_user_by_mailbox(cfg, argv[1]);
	if (!u)
		return ois_exit_status(ois_fail(OIS_EUSAGE, "no user with mailbox '%s' in '%s'", argv[1],
						cfg->users_file ? cfg->users_file : cfg->path));
	int rc = 0;
	char *path = account_lockfile(cfg, u, &rc);
	if (!path)
		return ois_exit_status(rc);
	printf("%s\n", path);
	free(path);
	return 0;
}

static int cmd_check(const struct ois_config *cfg, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return usage_error("unexpected argument '%s' for 'check'", argv[1]);
	int problems = 0;
	for (size_t i = 0; i < cfg->nservers; i++) {
		char *what = ois_xasprintf("[server %s]", cfg->servers[i].name);
		problems += check_endpoint(&cfg->servers[i], what);
		free(what);
	}
	if (cfg->interaction.url)
		problems += check_endpoint(&cfg->interaction, "[interaction]");
	struct stat st;
	if (stat(cfg->state_dir, &st))
		ois_warn("state_dir '%s' does not exist yet: %s", cfg->state_dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode)) {
		ois_error("state_dir '%s' is not a folder", cfg->state_dir);
		problems++;
	} else if (access(cfg->state_dir, W_OK | X_OK)) {
		ois_error("cannot write in state_dir '%s': %s", cfg->state_dir, strerror(errno));
		problems++;
	}
	size_t enabled = 0;
	for (size_t i = 0; i < cfg->nusers; i++)
		enabled += cfg->users[i].enabled != 0;
	if (problems) {
		ois_error("'%s': %d %s", cfg->path, problems, problems == 1 ? "problem" : "problems");
		return EX_CONFIG;
	}
	printf("%s: ok: %zu %s, %zu %s (%zu enabled)\n", cfg->path, cfg->nservers,
	       cfg->nservers == 1 ? "server" : "servers", cfg->nusers, cfg->nusers == 1 ? "user" : "users", enabled);
	return 0;
}

int ois_admin_main(int argc, char **argv)
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
		return usage_error("name a command: users, config, check or lockfile (see --help)");
	const char *cmd = argv[optind];
	int (*run)(const struct ois_config *, int, char **) = NULL;
	if (!strcmp(cmd, "users"))
		run = cmd_users;
	else if (!strcmp(cmd, "config"))
		run = cmd_config;
	else if (!strcmp(cmd, "check"))
		run = cmd_check;
	else if (!strcmp(cmd, "lockfile"))
		run = cmd_lockfile;
	else
		return usage_error("unknown command '%s' (see --help)", cmd);

	struct ois_config cfg;
	int rc = ois_config_load(path, &cfg);
	if (rc)
		return ois_exit_status(rc);
	int status = run(&cfg, argc - optind, argv + optind);
	ois_config_release(&cfg);
	int out = ois_close_stdout();
	if (out && !status)
		status = ois_exit_status(out);
	return status;
}
