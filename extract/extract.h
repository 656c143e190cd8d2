/* extract.h - what oisync-extract's main hands to each source's reader. */
#ifndef OIS_EXTRACT_H
#define OIS_EXTRACT_H

#include "config.h"
#include "record.h"

#include <json-c/json.h>

#include <stdio.h>

struct extract_args {
	const struct ois_config *cfg;
	const char *server;      /* exchange: the [server NAME] section */
	const char *mailbox;     /* exchange: --mailbox SMTP */
	const char *url;         /* --url overrides the configured URL */
	const char *user;        /* interaction: --user ID */
	const char *folder;      /* --folder contacts|calendar, NULL for all enabled */
	const char *state_dir;   /* where committed checkpoints are read */
	const char *account;     /* the state account: the mailbox, on both sides */
	int full;                /* --full: ignore committed checkpoints */
	int stats;               /* --stats: counters to stderr at the end */
	const char *window_start; /* --window-start: the calendar window (RFC 3339), NULL: configured */
	const char *window_end;   /* --window-end */
	FILE *out;               /* records go here */
};

/*
 * Each reader writes its item records, then one checkpoint per folder, to
 * args->out, and returns 0 or a negative enum ois_code. On failure it has
 * written no checkpoint, so nothing downstream infers a deletion.
 */
int extract_exchange(const struct extract_args *args);

/*
 * A new record starting with type, side, account, then folder and id when
 * not NULL (extract/records.c); the caller adds the rest. Write it with
 * extract_record_write, which puts it: 0 or OIS_EIO.
 */
json_object *extract_record_new(const struct extract_args *args, enum ois_side side, const char *type,
				const char *folder, const char *id);
int extract_record_write(const struct extract_args *args, json_object *r);
/*
 * An Exchange upsert record of type in folder: version (ChangeKey), modified,
 * op_tag (the oisync-op-id property, when set) and native as data (a
 * reference is taken).
 */
json_object *extract_exchange_upsert(const struct extract_args *args, const char *type, const char *folder,
				     json_object *native, const char *id, const char *change_key,
				     const char *modified);

struct ois_ews;
/*
 * Write the syncinfo record of the mailbox's "InterAction Sync" folder, when
 * there is one (oisync-extract(1), "The mailbox's sync record";
 * doc/ARCHITECTURE.md, "Sync record in the mailbox"). 0 or an ois_code.
 */
int extract_exchange_syncinfo(struct ois_ews *ews, const struct extract_args *args);

/*
 * The token (EWS SyncState, InterAction cursor) apply last committed for
 * side's folder, or NULL for a full read: none yet, or --full. *token is
 * owned by the caller.
 */
int extract_committed_token(const struct extract_args *args, enum ois_side side, const char *folder,
			    char **token);
int extract_interaction(const struct extract_args *args);

#endif
