/* extract.h - what oisync-extract's main shares with its reading loop. */
#ifndef OIS_EXTRACT_H
#define OIS_EXTRACT_H

#include "backend.h"
#include "config.h"

#include <json-c/json.h>

#include <stdio.h>
#include <time.h>

struct extract_args {
	const struct ois_config *cfg;
	const char *server;      /* the mailbox's [server NAME] section */
	const char *mailbox;     /* the mailbox: the state account, on both sides */
	const char *url;         /* --url overrides the configured URL */
	const char *user;        /* the InterAction user */
	const char *folder;      /* --folder contacts|calendar, NULL for all enabled */
	const char *state_dir;   /* where committed checkpoints are read */
	int full;                /* --full: ignore committed checkpoints */
	int stats;               /* --stats: counters to stderr at the end */
	const char *window_start; /* --window-start: the calendar window (RFC 3339), NULL: configured */
	const char *window_end;   /* --window-end */
	struct extract_sink *sink; /* records go here */
	struct ois_state *st;    /* the account's state, open under its lock (quiet batch); NULL: open it when needed */
};

/*
 * Where records go: out, at once; or, for --commit-quiet, held back while
 * they are only checkpoints (held, an array; NULL once anything else came).
 */
struct extract_sink {
	FILE *out;
	json_object *held;
	int stop_on_news;  /* a quiet batch: the first other record ends the read (EXTRACT_NEWS) */
	int news;          /* an other record came */
};

/*
 * What a quiet batch's sink returns for the first record that is not a
 * checkpoint: the read stops there, since the account goes through the
 * whole pipeline, which reads it again under its own lock. Positive, so it
 * is never taken for an ois_code, and no backend logs it as a failure.
 */
#define EXTRACT_NEWS 1

/*
 * oisync-extract quiet: user ids on in, one per line; for each, under its
 * lock, the read --commit-quiet makes, committed when nothing is new. One
 * line on out per user: "ID\tOUTCOME\tEXIT\tREQUESTS\tWAITS\tWAIT_MS",
 * OUTCOME one of quiet (committed), failed (EXIT, recorded in the state),
 * or pipeline (the user needs transform, reconcile and apply: not settled,
 * something new, locked by another run, or not this server's). Returns 0,
 * or an ois_code when in or out fails.
 */
int extract_quiet_batch(const struct ois_config *cfg, const char *state_dir, const char *server, FILE *in,
			FILE *out);

/* Write rec (taken) to the sink, or hold it back (quiet.c). 0 or an ois_code. */
int extract_sink_emit(void *ctx, json_object *rec);
/* Write what is held back and hold nothing more. */
int extract_sink_flush(struct extract_sink *s);
/*
 * At the end of a --commit-quiet read: when only checkpoints came, commit
 * them (ois_apply_quiet) and write nothing; when the account is not
 * settled, write them for reconcile. The caller holds the account's lock
 * since before the read. 0 or an ois_code.
 */
int extract_commit_quiet(const struct extract_args *args, struct extract_sink *s);
/*
 * A --commit-quiet read that failed (rc, an ois_code) never reaches apply's
 * commit: a run row with outcome "failed" and counts {"stage":"extract",
 * "exit":N} records it, so `oisync status` shows the failure, not the last
 * success. Best effort: a state that cannot be written is only a warning.
 */
void extract_record_failure(const struct extract_args *args, const char *started, int rc);

/*
 * Read side's folders of the account through its backend, from the
 * committed checkpoints, writing item records and then each folder's
 * checkpoint to args->out. Returns 0 or a negative enum ois_code; a failed
 * folder has no checkpoint, so nothing downstream infers a deletion.
 */
int extract_side(const struct extract_args *args, enum ois_side side);

/* The folders a read makes, as bits 1 << enum ois_folder: --folder, else contacts, and the calendar when the user's settings have it on. */
unsigned extract_folders(const struct extract_args *args);

/*
 * The calendar window: --window-start/--window-end when given, else from
 * 00:00 UTC calendar_history_days before now to 24:00 UTC calendar_future_days
 * after now (the mailbox's user settings, else [defaults]). OIS_EUSAGE for
 * a bad option, an empty or reversed window.
 */
int extract_calendar_window(const struct extract_args *args, time_t now, time_t *start, time_t *end);

/*
 * The token apply last committed for side's folder, or NULL for a full
 * read: none yet, or --full. *token is owned by the caller.
 */
int extract_committed_token(const struct extract_args *args, enum ois_side side, const char *folder,
			    char **token);

#endif
