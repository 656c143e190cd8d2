/* batch.c - oisync-extract quiet: many accounts' quiet reads in one process, each committed when nothing is new. */
#include "apply.h"
#include "code.h"
#include "extract.h"
#include "http.h"
#include "log.h"
#include "rfc3339.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Why a batch: a quiet account costs its change-tracking requests, and a
 * process of its own spends several times their CPU loading libcurl,
 * libxml2 and SQLite. One process per concurrency slot reads account after
 * account, so a firm's quiet run pays that once per slot, not per user.
 */

enum outcome { QUIET, FAILED, PIPELINE };
static const char *const outcome_names[] = { "quiet", "failed", "pipeline" };

/* The account's lock, without waiting and without a word when another run holds it. */
static int lock_quietly(const char *state_dir, const char *server, const char *mailbox, int *busy)
{
	*busy = 0;
	int fd = ois_state_lock_file(state_dir, server, mailbox);
	if (fd < 0)
		return fd;
	int got;
	while ((got = flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR)
		;
	if (got == 0)
		return fd;
	if (errno == EWOULDBLOCK)
		*busy = 1;
	else
		ois_warn("cannot lock the account: %s", strerror(errno));
	close(fd);
	return OIS_ETEMP;
}

/* 1 when a committed token exists for every folder the read will make: only then can it be incremental. */
static int every_folder_has_token(const struct extract_args *args)
{
	unsigned folders = extract_folders(args);
	for (int side = 0; side < OIS_SIDES; side++)
		for (int f = 0; f < OIS_FOLDERS; f++) {
			if (!(folders & 1u << f))
				continue;
			char *token = NULL;
			int rc = extract_committed_token(args, (enum ois_side)side, ois_folder_name((enum ois_folder)f),
							 &token);
			free(token);
			if (rc || !token)
				return 0;
		}
	return 1;
}

/*
 * One account, its lock held: PIPELINE without a request when a quiet
 * commit is out of the question (no state yet, not settled, a folder never
 * read), else the read, committed when only checkpoints came.
 */
static enum outcome sync_locked(struct extract_args *args, int *rc)
{
	/* Nothing is ever written: the first other record stops the read. */
	struct extract_sink sink = { .out = NULL, .stop_on_news = 1 };
	char started[OIS_TIME_LEN];
	ois_time_now(started);
	char *db = ois_state_path(args->state_dir, args->server, args->mailbox, ".db");
	struct stat sb;
	int exists = lstat(db, &sb) == 0;
	free(db);
	if (!exists)
		return PIPELINE; /* a first sync */
	if ((*rc = ois_state_open(args->state_dir, args->server, args->mailbox, OIS_STATE_WRITE, &args->st)))
		return FAILED;
	enum outcome out = PIPELINE;
	*rc = ois_apply_settled(args->st, time(NULL));
	if (*rc < 0) {
		out = FAILED;
		goto done;
	}
	if (*rc == 0 || !every_folder_has_token(args))
		goto done;
	*rc = 0;
	args->sink = &sink;
	sink.held = json_object_new_array();
	for (int side = 0; side < OIS_SIDES && !*rc; side++)
		*rc = extract_side(args, (enum ois_side)side);
	if (*rc == EXTRACT_NEWS) {
		*rc = 0; /* the pipeline reads it again under its lock */
	} else if (*rc) {
		out = FAILED;
		extract_record_failure(args, started, *rc);
	} else {
		/* Nothing new: committed here. Not settled after all (a time reached): the pipeline's. */
		*rc = ois_apply_quiet(args->st, args->cfg, args->server, args->mailbox, sink.held, time(NULL));
		if (*rc == 1)
			out = QUIET;
		else if (*rc < 0)
			out = FAILED;
		*rc = *rc == 1 ? 0 : *rc;
	}
	json_object_put(sink.held);
done:
	ois_state_close(args->st);
	args->st = NULL;
	args->sink = NULL;
	return out;
}

static enum outcome sync_one(const struct ois_config *cfg, const char *state_dir, const char *server,
			     const char *id, int *rc)
{
	*rc = 0;
	const struct ois_user *u = ois_config_user(cfg, id);
	/* Not for this batch: the pipeline says what is wrong, as for any user. */
	if (!u || !u->enabled || strcmp(u->server, server))
		return PIPELINE;
	ois_log_set_account(u->mailbox);
	struct extract_args args = { .cfg = cfg, .server = server, .mailbox = u->mailbox, .user = u->id,
				     .state_dir = state_dir };
	int busy, lock = lock_quietly(state_dir, server, u->mailbox, &busy);
	if (lock < 0) {
		if (!busy)
			*rc = lock;
		return busy ? PIPELINE : FAILED;
	}
	enum outcome out = sync_locked(&args, rc);
	ois_state_unlock(lock);
	return out;
}

/* One line, one write: the lines of the slots running at once share the caller's pipe whole. */
static int report(FILE *out, const char *id, enum outcome o, int rc, const struct ois_http_tally *before)
{
	struct ois_http_tally now;
	ois_http_tally_get(&now);
	if (fprintf(out, "%s\t%s\t%d\t%lu\t%lu\t%ld\n", id, outcome_names[o], ois_exit_status(rc),
		    now.requests - before->requests, now.throttle_waits - before->throttle_waits,
		    now.throttle_ms - before->throttle_ms) < 0 ||
	    fflush(out))
		return ois_fail(OIS_EIO, "cannot write the outcome of user '%s': %s", id, strerror(errno));
	return 0;
}

int extract_quiet_batch(const struct ois_config *cfg, const char *state_dir, const char *server, FILE *in,
			FILE *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int rc = 0;
	while (!rc && (n = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (!n)
			continue;
		if (strchr(line, '\t')) {
			rc = ois_fail(OIS_EDATA, "stdin line %lu: a user id has no tab in it", lineno);
			break;
		}
		struct ois_http_tally before;
		ois_http_tally_get(&before);
		int urc;
		enum outcome o = sync_one(cfg, state_dir, server, line, &urc);
		ois_log_set_account(NULL);
		rc = report(out, line, o, urc, &before);
	}
	if (!rc && ferror(in))
		rc = ois_fail(OIS_EIO, "cannot read user ids from stdin: %s", strerror(errno));
	free(line);
	return rc;
}
