/* main.c - oisync-extract: read one account's items from a server as JSON lines. */
#include "cli.h"
#include "code.h"
#include "config.h"
#include "extract.h"
#include "jsonl.h"
#include "log.h"
#include "rfc3339.h"
#include "state.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: oisync-extract [options] exchange --mailbox SMTP [--server NAME]\n"
	"       oisync-extract [options] interaction --user ID\n"
	"       oisync-extract [options] account --user ID [--server NAME]\n"
	"       oisync-extract [options] quiet --server NAME < USER-IDS\n"
	"\n"
	"Write an account's items as JSON lines on stdout: incremental from the\n"
	"committed checkpoint, the whole folder on the first run, checkpoint last.\n"
	"'account' reads both sides of the user's account in one process: what\n"
	"'exchange' then 'interaction' would write, as oisync-run reads them.\n"
	"'quiet' reads, for each user id on stdin, what 'account --commit-quiet'\n"
	"would, and commits it when nothing is new; it prints one line per user:\n"
	"ID, quiet|failed|pipeline, exit status, requests, throttling waits, their ms.\n"
	"\n"
	"  -c, --config FILE    configuration (default $OISYNC_CONF, /etc/oisync/oisync.conf)\n"
	"  -m, --mailbox SMTP   exchange: the mailbox to read\n"
	"  -s, --server NAME    exchange, account: the [server NAME] section (default: the\n"
	"                       mailbox's server in the users file)\n"
	"  -u, --user ID        interaction, account: the InterAction user\n"
	"      --url URL        use this server URL instead of the configured one\n"
	"  -f, --folder NAME    contacts or calendar; default: contacts, and the\n"
	"                       calendar when the user's settings have it on\n"
	"      --window-start T --window-end T\n"
	"                       the calendar window (RFC 3339) instead of the\n"
	"                       configured calendar_history_days/calendar_future_days\n"
	"      --state DIR      state folder (default: state_dir of the configuration)\n"
	"      --full           ignore the committed checkpoint: read everything\n"
	"      --stats          print requests, bytes, items and seconds at the end\n"
	"      --commit-quiet   account: when neither side has anything new and the\n"
	"                       account is settled, commit the checkpoints here and\n"
	"                       write nothing (takes the account's lock)\n"
	"      --lock-fd N      the account's lock, already taken by the caller (oisync-run)\n"
	"  -v, --verbose        more messages (repeat for debug)\n"
	"      --log-format F   text (default) or json\n"
	"  -h, --help           this text\n"
	"  -V, --version        print the version\n";

enum { OPT_URL = 0x100, OPT_STATE, OPT_FULL, OPT_STATS, OPT_WINDOW_START, OPT_WINDOW_END, OPT_COMMIT_QUIET,
       OPT_LOCK_FD };

/* The sources: the sides each reads, in side order, and whether --mailbox or --user names the account. */
static const struct source {
	const char *name;
	unsigned sides;  /* 1 << enum ois_side */
	int by_mailbox;
} sources[] = {
	{ "exchange", 1u << OIS_EXCHANGE, 1 },
	{ "interaction", 1u << OIS_INTERACTION, 0 },
	{ "account", 1u << OIS_EXCHANGE | 1u << OIS_INTERACTION, 0 },
};
#define BOTH_SIDES (1u << OIS_EXCHANGE | 1u << OIS_INTERACTION)

static int usage_error(const char *msg)
{
	ois_fail(OIS_EUSAGE, "%s (see --help)", msg);
	return EX_USAGE;
}

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "mailbox", required_argument, NULL, 'm' },
	{ "server", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "url", required_argument, NULL, OPT_URL },
	{ "folder", required_argument, NULL, 'f' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "window-start", required_argument, NULL, OPT_WINDOW_START },
	{ "window-end", required_argument, NULL, OPT_WINDOW_END },
	{ "commit-quiet", no_argument, NULL, OPT_COMMIT_QUIET },
	{ "lock-fd", required_argument, NULL, OPT_LOCK_FD },
	OIS_CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* --commit-quiet and the lock it needs. */
struct quiet_opts {
	int commit;
	int lock_fd;   /* -1: take the lock here */
};

/*
 * Parse options up to the first operand ("+" stops there), so that options
 * may come before and after the source name. Returns -1 to go on, else the
 * exit status.
 */
static int parse_options(int argc, char **argv, struct extract_args *args, const char **config_path,
			 struct quiet_opts *q)
{
	int c, rc;
	while ((c = getopt_long(argc, argv, "+c:m:s:u:f:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': *config_path = optarg; break;
		case 'm': args->mailbox = optarg; break;
		case 's': args->server = optarg; break;
		case 'u': args->user = optarg; break;
		case 'f': args->folder = optarg; break;
		case OPT_URL: args->url = optarg; break;
		case OPT_STATE: args->state_dir = optarg; break;
		case OPT_FULL: args->full = 1; break;
		case OPT_STATS: args->stats = 1; break;
		case OPT_WINDOW_START: args->window_start = optarg; break;
		case OPT_WINDOW_END: args->window_end = optarg; break;
		case OPT_COMMIT_QUIET: q->commit = 1; break;
		case OPT_LOCK_FD:
			if (ois_cli_parse_fd("--lock-fd", optarg, &q->lock_fd))
				return EX_USAGE;
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': ois_cli_version("oisync-extract"); return 0;
		default:
			rc = ois_cli_common(c, optarg);
			if (rc == 1)
				break;
			if (rc == 0)
				fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
	return -1;
}

/* oisync-extract quiet: the accounts named on stdin, each under its own lock (batch.c). */
static int quiet_batch(struct extract_args *args, const char *config_path, const struct quiet_opts *quiet)
{
	if (!args->server)
		return usage_error("quiet needs --server NAME: the users on stdin are that server's");
	if (args->mailbox || args->user || args->url || args->folder || args->full || args->window_start ||
	    args->window_end || args->stats || quiet->commit || quiet->lock_fd >= 0)
		return usage_error("quiet takes the users on stdin and reads as --commit-quiet does: "
				   "no --mailbox, --user, --url, --folder, --full, --window-*, --stats or --lock-fd");
	struct ois_config cfg;
	int rc = ois_config_load(config_path, &cfg);
	if (rc)
		return ois_exit_status(rc);
	const char *state_dir = args->state_dir ? args->state_dir : cfg.state_dir;
	if (!ois_config_server(&cfg, args->server))
		rc = ois_fail(OIS_ECONFIG, "no [server %s] section in '%s'", args->server, cfg.path);
	else if (ois_str_empty(state_dir))
		rc = ois_fail(OIS_ECONFIG, "no state folder: set state_dir or --state");
	else
		rc = extract_quiet_batch(&cfg, state_dir, args->server, stdin, stdout);
	if (!rc)
		rc = ois_close_stdout();
	ois_config_release(&cfg);
	return ois_exit_status(rc);
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	struct extract_sink sink = { .out = stdout };
	struct extract_args args = { .sink = &sink };
	struct quiet_opts quiet = { .lock_fd = -1 };
	int rc, lock = -1;
	char started[OIS_TIME_LEN] = "";

	ois_log_init("oisync-extract");
	if ((rc = parse_options(argc, argv, &args, &config_path, &quiet)) >= 0)
		return rc;
	if (optind >= argc)
		return usage_error("missing source: 'exchange' or 'interaction'");
	const char *source = argv[optind++];
	if ((rc = parse_options(argc, argv, &args, &config_path, &quiet)) >= 0)
		return rc;
	if (optind < argc)
		return usage_error("unexpected argument");
	if (args.folder && ois_folder_parse(args.folder) < 0)
		return usage_error("--folder must be 'contacts' or 'calendar'");

	if (!strcmp(source, "quiet"))
		return quiet_batch(&args, config_path, &quiet);

	const struct source *src = NULL;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(sources); i++)
		if (!strcmp(source, sources[i].name))
			src = &sources[i];
	if (!src)
		return usage_error("source must be 'exchange', 'interaction' or 'account'");
	if (src->by_mailbox ? !args.mailbox : !args.user) {
		ois_fail(OIS_EUSAGE, "%s needs %s (see --help)", src->name, src->by_mailbox ? "--mailbox SMTP" : "--user ID");
		return EX_USAGE;
	}
	/* Both sides: the mailbox is the user's, and one URL cannot name two servers. */
	if (src->sides == BOTH_SIDES && (args.mailbox || args.url))
		return usage_error("account takes the mailbox and the URLs from the configuration, not --mailbox or --url");
	/* Quiet is a fact about both sides, and only committed checkpoints say what is new. */
	if (quiet.commit && (src->sides != BOTH_SIDES || args.full || args.folder))
		return usage_error("--commit-quiet reads an account's enabled folders from their checkpoints: "
				   "'account', without --full or --folder");
	if (quiet.lock_fd >= 0 && !quiet.commit)
		return usage_error("--lock-fd goes with --commit-quiet");

	struct ois_config cfg;
	rc = ois_config_load(config_path, &cfg);
	if (rc)
		return ois_exit_status(rc);
	args.cfg = &cfg;
	if (!args.state_dir)
		args.state_dir = cfg.state_dir;

	/* The account is the mailbox on both sides; the users file ties them. */
	const struct ois_user *u = src->by_mailbox ? ois_config_user_by_mailbox(&cfg, args.mailbox)
						   : ois_config_user(&cfg, args.user);
	if (src->by_mailbox) {
		if (!args.server && u)
			args.server = u->server;
		if (!args.server && cfg.nservers == 1)
			args.server = cfg.servers[0].name;
		if (!args.server) {
			rc = ois_fail(OIS_ECONFIG, "mailbox '%s' is not in the users file: name its --server", args.mailbox);
			goto out;
		}
	} else {
		if (!u) {
			rc = ois_fail(OIS_ECONFIG, "InterAction user '%s' is not in the users file '%s'", args.user, cfg.users_file);
			goto out;
		}
		args.mailbox = u->mailbox;
		if (!args.server)
			args.server = u->server;
	}
	ois_log_set_account(args.mailbox);

	if (quiet.commit) {
		/* Held from before the read to the commit: no other run commits in between. */
		if (ois_str_empty(args.state_dir)) {
			rc = ois_fail(OIS_ECONFIG, "no state folder: set state_dir or --state");
			goto out;
		}
		lock = ois_state_lock_take(args.state_dir, args.server, args.mailbox, quiet.lock_fd, 0);
		if (lock < 0) {
			rc = lock;
			goto out;
		}
		sink.held = json_object_new_array();
		ois_time_now(started);
	}

	/* account: each side only once the one before it is read whole, as `exchange && interaction`. */
	for (int side = 0; side < OIS_SIDES && rc == 0; side++)
		if (src->sides & 1u << side)
			rc = extract_side(&args, (enum ois_side)side);
	if (rc == 0)
		rc = extract_commit_quiet(&args, &sink);
	if (rc == 0)
		rc = ois_close_stdout();
	/* A run that stops here never reaches apply's commit: its failure is recorded all the same. */
	if (rc && lock >= 0)
		extract_record_failure(&args, started, rc);
out:
	/* A failed read writes no checkpoint it held: nothing downstream may take the folder as read. */
	json_object_put(sink.held);
	if (lock >= 0 && quiet.lock_fd < 0)
		ois_state_unlock(lock);
	ois_config_release(&cfg);
	return ois_exit_status(rc);
}
