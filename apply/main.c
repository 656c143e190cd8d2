/* main.c - oisync-apply: execute a change set against both servers and commit the state. */
#include "apply.h"
#include "cli.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"usage: oisync-apply [options] [FILE]\n"
	"       oisync-apply [options] --replay FILE\n"
	"       oisync-apply [options] --failed STAGE:EXIT --server NAME --account SMTP\n"
	"\n"
	"Execute a change set (oisync-reconcile's output) against Exchange and\n"
	"InterAction, one result line per op on stdout, then commit pairs and\n"
	"checkpoints to the account's state. Ops already done are skipped.\n"
	"\n"
	"  -c, --config FILE    configuration (default $OISYNC_CONF, /etc/oisync/oisync.conf)\n"
	"      --state DIR      state folder (default: state_dir of the configuration)\n"
	"      --wait SECONDS   wait this long for another run of the account (default 0)\n"
	"      --lock-fd N      the account's lock, already taken by the caller (oisync-run)\n"
	"  -n, --dry-run        say what would be done; change nothing\n"
	"      --replay FILE    apply a saved change set; commits no checkpoint\n"
	"      --failed STAGE:EXIT  record in the account's state that its run stopped\n"
	"                       in STAGE (extract, transform or reconcile) with exit\n"
	"                       status EXIT: no change set came (oisync-run)\n"
	"      --server NAME, --account SMTP  the account, with --failed\n"
	"  -v, --verbose        more messages (repeat for debug)\n"
	"      --log-format F   text (default) or json\n"
	"  -h, --help           this text\n"
	"  -V, --version        print the version\n";

enum { OPT_STATE = 0x100, OPT_WAIT, OPT_REPLAY, OPT_LOCK_FD, OPT_FAILED, OPT_SERVER, OPT_ACCOUNT };

struct options {
	const char *config_path, *state_dir, *file;
	int wait_seconds, dry_run, replay, lock_fd;
	const char *failed, *server, *account; /* --failed STAGE:EXIT for the account */
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "lock-fd", required_argument, NULL, OPT_LOCK_FD },
		{ "failed", required_argument, NULL, OPT_FAILED },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		OIS_CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;
	char *end;
	while ((c = getopt_long(argc, argv, "c:nvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case OPT_STATE: o->state_dir = optarg; break;
		case 'n': o->dry_run = 1; break;
		case OPT_REPLAY: o->replay = 1; o->file = optarg; break;
		case OPT_WAIT:
			o->wait_seconds = (int)strtol(optarg, &end, 10);
			if (*end || o->wait_seconds < 0) {
				ois_error("--wait needs a number of seconds, not '%s'", optarg);
				return EX_USAGE;
			}
			break;
		case OPT_LOCK_FD:
			if (ois_cli_parse_fd("--lock-fd", optarg, &o->lock_fd))
				return EX_USAGE;
			break;
		case OPT_FAILED: o->failed = optarg; break;
		case OPT_SERVER: o->server = optarg; break;
		case OPT_ACCOUNT: o->account = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': ois_cli_version("oisync-apply"); return 0;
		default:
			rc = ois_cli_common(c, optarg);
			if (rc == 1)
				break;
			if (rc == 0)
				fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		if (o->file || optind + 1 < argc) {
			ois_error("one change set at a time (see --help)");
			return EX_USAGE;
		}
		o->file = argv[optind];
	}
	if (!o->failed != (!o->server && !o->account) || (o->failed && (!o->server || !o->account))) {
		ois_error("--failed, --server and --account go together (see --help)");
		return EX_USAGE;
	}
	if (o->failed && (o->file || o->replay || o->dry_run)) {
		ois_error("--failed records a run that made no change set: no FILE, --replay or --dry-run");
		return EX_USAGE;
	}
	return -1;
}

/*
 * --failed STAGE:EXIT: the run stopped before a change set; the account's
 * runs row says where, under the lock the caller holds from extract on.
 */
static int record_failure(const struct options *o)
{
	static const char *const stages[] = { "extract", "transform", "reconcile" };
	const char *colon = strchr(o->failed, ':');
	char *end = NULL;
	long status = colon ? strtol(colon + 1, &end, 10) : 0;
	const char *stage = NULL;
	for (size_t i = 0; colon && i < OIS_ARRAY_SIZE(stages); i++)
		if ((size_t)(colon - o->failed) == strlen(stages[i]) && !strncmp(o->failed, stages[i], strlen(stages[i])))
			stage = stages[i];
	if (!stage || !end || *end || end == colon + 1 || status < 1 || status > 255) {
		ois_error("--failed needs STAGE:EXIT, a stage of extract, transform or reconcile and an exit status "
			  "from 1 to 255, not '%s'", o->failed);
		return EX_USAGE;
	}
	struct ois_config cfg;
	int rc = ois_config_load(o->config_path, &cfg);
	if (rc)
		return ois_exit_status(rc);
	const char *state_dir = o->state_dir ? o->state_dir : cfg.state_dir;
	ois_log_set_account(o->account);
	int lock = ois_state_lock_take(state_dir, o->server, o->account, o->lock_fd, o->wait_seconds);
	struct ois_state *st = NULL;
	rc = lock < 0 ? lock : ois_state_open(state_dir, o->server, o->account, OIS_STATE_WRITE, &st);
	if (!rc)
		rc = ois_apply_record_failure(st, NULL, stage, (int)status);
	if (!rc)
		ois_info("run recorded as failed in %s (exit %ld)", stage, status);
	if (st)
		ois_state_close(st);
	if (lock >= 0 && o->lock_fd < 0)
		ois_state_unlock(lock);
	ois_config_release(&cfg);
	return ois_exit_status(rc);
}

/* --dry-run: words, not actions; the state is only read. */
static void dry_run(const struct ois_apply_changeset *cs, struct ois_state *st)
{
	for (size_t i = 0; i < cs->n; i++) {
		json_object *rec = cs->recs[i];
		if (ois_record_type(rec) != OIS_REC_OP)
			continue;
		struct ois_applied a = { 0 };
		int done = st && ois_state_applied_get(st, ois_json_str(rec, "op_id"), &a) == 0 &&
			   ois_op_status_final(a.status);
		ois_applied_release(&a);
		ois_apply_describe(stdout, rec, done ? OIS_DESCRIBE_DONE : OIS_DESCRIBE_WOULD);
	}
}

int main(int argc, char **argv)
{
	struct options o = { .lock_fd = -1 };
	struct ois_config cfg;
	struct ois_jsonl_reader reader;
	struct ois_apply_changeset cs = { 0 };
	struct ois_apply_run run = { .out = stdout, .cs = &cs, .made_exchange = json_object_new_object() };
	json_object *failed_pairs = json_object_new_object(), *checkpoints = json_object_new_array();
	int rc, lock = -1, cfg_loaded = 0, stop = 0, all_ok = 1;
	FILE *in = stdin;

	ois_log_init("oisync-apply");
	if ((rc = parse_options(argc, argv, &o)) >= 0)
		goto done_early;
	if (o.failed) {
		rc = record_failure(&o);
		goto done_early;
	}
	if (o.file && strcmp(o.file, "-") && !(in = fopen(o.file, "r"))) {
		rc = ois_fail(OIS_EUSAGE, "cannot open '%s': %m", o.file);
		goto out_noreader;
	}
	ois_jsonl_reader_init(&reader, in, o.file && strcmp(o.file, "-") ? o.file : "stdin", 0);
	if ((rc = ois_config_load(o.config_path, &cfg)))
		goto out;
	cfg_loaded = 1;
	run.cfg = &cfg;
	/* The whole change set is read and checked first: a bad line stops the run before any server call. */
	if ((rc = ois_apply_changeset_read(&reader, &cfg, &cs)))
		goto out;
	run.account = cs.account;
	run.server = cs.server;
	run.user = cs.user;
	if (!o.state_dir)
		o.state_dir = cfg.state_dir;
	const char *crash = getenv("OISYNC_TEST_CRASH_AFTER");
	run.crash_after = crash ? atol(crash) : 0;

	if (o.dry_run) {
		rc = ois_state_open(o.state_dir, run.server, run.account, OIS_STATE_READ, &run.st);
		if (!rc)
			rc = ois_apply_check_generation(run.st, &cs, reader.name);
		if (!rc)
			dry_run(&cs, run.st);
		goto out;
	}
	lock = ois_state_lock_take(o.state_dir, run.server, run.account, o.lock_fd, o.wait_seconds);
	if (lock < 0) {
		rc = lock;
		goto out;
	}
	if ((rc = ois_state_open(o.state_dir, run.server, run.account, OIS_STATE_WRITE, &run.st)))
		goto out;
	/* Under the lock, so no other run can commit between this check and our commit. */
	if ((rc = ois_apply_check_generation(run.st, &cs, reader.name)))
		goto out;

	char started[32];
	ois_time_now(started);
	/* Ops go in change-set order, except that a backend that takes several writes at once gets them together. */
	unsigned char *done = ois_xcalloc(cs.n + 1, 1);
	size_t *idx = ois_xcalloc(cs.n + 1, sizeof(*idx));
	for (size_t i = 0; i < cs.n && !stop; i++) {
		json_object *rec = cs.recs[i];
		if (done[i])
			continue;
		if (ois_record_type(rec) == OIS_REC_CHECKPOINT) {
			json_object_array_add(checkpoints, json_object_get(rec));
			continue;
		}
		/* Opened first, so the group is cut to the account's own request size (a failure is reported with the op). */
		int side = -1;
		if (ois_apply_batchable(&run, rec, &side) && !run.conn[side])
			(void)ois_apply_open_side(&run, (enum ois_side)side);
		size_t n = ois_apply_group(&run, &cs, i, done, idx);
		json_object **ops = ois_xcalloc(n, sizeof(*ops));
		char **wheres = ois_xcalloc(n, sizeof(*wheres));
		enum ois_op_status *st = ois_xcalloc(n, sizeof(*st));
		for (size_t k = 0; k < n; k++) {
			ops[k] = cs.recs[idx[k]];
			wheres[k] = ois_xasprintf("%s:%lu", reader.name, cs.lines[idx[k]]);
			done[idx[k]] = 1;
		}
		if (n == 1)
			stop = ois_apply_op(&run, ops[0], wheres[0], &st[0]);
		else if (side < 0)
			stop = ois_apply_state_ops(&run, ops, (const char *const *)wheres, n, st);
		else
			stop = ois_apply_ops(&run, ops, (const char *const *)wheres, n, st);
		for (size_t k = 0; k < n; k++) {
			if (stop || (st[k] != OIS_OP_OK && st[k] != OIS_OP_SKIPPED)) {
				all_ok = 0;
				const char *pair = ois_json_str(ops[k], "pair");
				if (pair)
					json_object_object_add(failed_pairs, pair, json_object_new_boolean(1));
			}
			free(wheres[k]);
		}
		free(ops);
		free(wheres);
		free(st);
	}
	free(done);
	free(idx);

	/*
	 * Checkpoints move only when every op before them succeeded, so a failure
	 * anywhere means the next run sees the same changes again. A replayed
	 * change set is old news: its checkpoints are never committed.
	 */
	int commit_checkpoints = all_ok && !stop && !o.replay;
	const char *outcome = stop ? "failed" : all_ok ? "ok" : "partial";
	unsigned long unfolded = 0;
	int crc = ois_apply_commit(&run, failed_pairs, commit_checkpoints ? checkpoints : NULL, started, outcome,
			       &unfolded);
	if (unfolded)
		commit_checkpoints = all_ok = 0;
	/* A sync run (its change set ends with checkpoints), not a hand-made list of ops. */
	if (!crc && commit_checkpoints && json_object_array_length(checkpoints) > 0) {
		char finished[32];
		ois_time_now(finished);
		ois_apply_mark_synced(&run, finished);
	}
	ois_notice("%lu ok, %lu already done, %lu conflicts, %lu failed%s", run.counts[OIS_OP_OK],
		   run.counts[OIS_OP_SKIPPED], run.counts[OIS_OP_CONFLICT], run.counts[OIS_OP_FAILED] + unfolded,
		   commit_checkpoints ? "" : "; checkpoints not committed");
	ois_info("the state: %lu commits", ois_state_commits(run.st));
	rc = stop ? stop : crc ? crc : all_ok ? 0 : OIS_EFAIL;
out:
	ois_jsonl_reader_release(&reader);
	if (in != stdin)
		fclose(in);
out_noreader:
	ois_apply_close_sides(&run);
	if (run.st)
		ois_state_close(run.st);
	if (lock >= 0 && o.lock_fd < 0)
		ois_state_unlock(lock);
	if (cfg_loaded)
		ois_config_release(&cfg);
	ois_apply_changeset_release(&cs);
	json_object_put(run.made_exchange);
	json_object_put(failed_pairs);
	json_object_put(checkpoints);
	{
		int crc2 = ois_close_stdout();
		if (!rc)
			rc = crc2;
	}
	return ois_exit_status(rc);
done_early:
	json_object_put(run.made_exchange);
	json_object_put(failed_pairs);
	json_object_put(checkpoints);
	return rc;
}
