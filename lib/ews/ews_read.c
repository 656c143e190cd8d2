/* ews_read.c - read a mailbox's contacts folder as item records, checkpoint last; the backend's read. */
#include "code.h"
#include "ews_backend.h"
#include "ews_syncinfo.h"
#include "log.h"
#include "progress.h"
#include "record.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FOLDER "contacts"
/* SyncFolderItems' largest page (MaxChangesReturned is 1..512). */
#define MAX_CHANGES 512

/*
 * The changes of one sync, deduplicated: each id once, with its latest
 * operation. Only ids are held, never items, so a large mailbox costs a
 * few hundred bytes per contact.
 */
struct change_list {
	char **ids;
	unsigned char *deleted;
	size_t n, cap;
	json_object *index;          /* id -> position in ids */
};

struct ex_extract {
	struct ews_conn *c;
	const struct ois_read *r;
	struct ois_ews *ews;
	struct change_list changes;
	struct ois_progress progress;
	unsigned long items;
	unsigned long deletes;
	unsigned long skipped;       /* not contacts (distribution lists) */
};

static void changes_release(struct change_list *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->ids[i]);
	free(c->ids);
	free(c->deleted);
	json_object_put(c->index);
	memset(c, 0, sizeof(*c));
}

static int note_change(const char *id, const char *change_key, const char *item_type, int deleted, void *ctx)
{
	struct ex_extract *x = ctx;
	struct change_list *c = &x->changes;
	(void)change_key;
	/* A contacts folder also holds distribution lists: only contacts are synced. */
	if (!deleted && strcmp(item_type, "Contact")) {
		x->skipped++;
		return 0;
	}
	json_object *pos;
	if (!c->index)
		c->index = json_object_new_object();
	if (json_object_object_get_ex(c->index, id, &pos)) {
		c->deleted[json_object_get_int64(pos)] = (unsigned char)deleted;
		return 0;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->ids = ois_xrealloc(c->ids, c->cap * sizeof(*c->ids));
		c->deleted = ois_xrealloc(c->deleted, c->cap);
	}
	c->ids[c->n] = ois_xstrdup(id);
	c->deleted[c->n] = (unsigned char)deleted;
	json_object_object_add(c->index, id, json_object_new_int64((int64_t)c->n));
	c->n++;
	ois_progress_update(&x->progress, (unsigned long)c->n);
	return 0;
}

/* Every change since token (NULL: the whole folder); *new_state owned by the caller. */
static int sync_all(struct ex_extract *x, const char *token, char **new_state)
{
	char *state = token ? ois_xstrdup(token) : NULL;
	int rc = 0, last = 0;
	*new_state = NULL;
	while (!last) {
		size_t before = x->changes.n;
		unsigned long skipped = x->skipped;
		char *next = NULL;
		rc = ois_ews_sync_folder_items(x->ews, FOLDER, state, MAX_CHANGES, note_change, x, &next, &last);
		if (rc)
			break;
		int progress = x->changes.n != before || x->skipped != skipped || ois_str_empty(state) ||
			       strcmp(state, next);
		free(state);
		state = next;
		/* A server that says "more" but moves nowhere would loop forever. */
		if (!last && !progress) {
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from the server: SyncFolderItems reports more changes but returns none");
			break;
		}
	}
	if (rc)
		free(state);
	else
		*new_state = state;
	return rc;
}

json_object *ois_ews_upsert_record(const struct ews_conn *c, const char *type, const char *folder,
				   json_object *native, const char *id, const char *change_key, const char *modified)
{
	json_object *r = ois_record_new(type, OIS_EXCHANGE, c->account, NULL, folder, id);
	/* The op id an item carries when oisync created it: apply adopts, never duplicates. */
	const char *tag = ois_json_str(ois_json_obj(native, "ExtendedProperties"), "PublicStrings:oisync-op-id");
	ois_record_upsert(r, change_key, modified, ois_str_empty(tag) ? NULL : tag, native);
	return r;
}

static int emit_item(json_object *native, const char *id, const char *change_key, const char *modified, void *ctx)
{
	struct ex_extract *x = ctx;
	json_object *r = ois_ews_upsert_record(x->c, "contact", FOLDER, native, id, change_key, modified);
	x->items++;
	ois_progress_update(&x->progress, x->items);
	return x->r->emit(x->r->ctx, r);
}

/* Full items in batches of getitem_batch, then one record per delete. */
static int emit_changes(struct ex_extract *x, int batch)
{
	struct change_list *c = &x->changes;
	const char **ids = ois_xcalloc((size_t)batch, sizeof(*ids));
	int rc = 0;
	size_t n = 0, upserts = 0;
	for (size_t i = 0; i < c->n; i++)
		upserts += !c->deleted[i];
	/* An estimate: an item deleted since the sync is skipped. */
	ois_progress_total(&x->progress, (unsigned long)upserts);
	for (size_t i = 0; i <= c->n && !rc; i++) {
		if (i < c->n && !c->deleted[i])
			ids[n++] = c->ids[i];
		if (n && (n == (size_t)batch || i == c->n)) {
			rc = ois_ews_get_items(x->ews, ids, n, emit_item, x);
			n = 0;
		}
	}
	free(ids);
	for (size_t i = 0; i < c->n && !rc; i++) {
		if (!c->deleted[i])
			continue;
		json_object *r = ois_record_new("contact", OIS_EXCHANGE, x->c->account, NULL, FOLDER, c->ids[i]);
		json_object_object_add(r, "op", json_object_new_string("delete"));
		x->deletes++;
		rc = x->r->emit(x->r->ctx, r);
	}
	return rc;
}

static int emit_checkpoint(struct ex_extract *x, const char *token, int full)
{
	return x->r->emit(x->r->ctx, ois_record_checkpoint(OIS_EXCHANGE, x->c->account, FOLDER, token, full, NULL));
}

/*
 * The mailbox's sync record as a syncinfo record, for reconcile
 * (oisync-extract(1), "The mailbox's sync record"). Read on a full read
 * only: that is when the local state is new or lost (the case the record
 * is for), and a quiet incremental run must cost one SyncFolderItems per
 * folder and nothing more.
 */
static int emit_syncinfo(struct ex_extract *x)
{
	struct ois_ews_syncinfo si;
	int rc = ois_ews_syncinfo_read(x->ews, &si);
	if (rc == OIS_ENOTFOUND)
		return 0; /* never synced, or the user deleted the folder */
	if (rc)
		return rc;
	json_object *r = ois_record_new("syncinfo", OIS_EXCHANGE, x->c->account, NULL, NULL, NULL);
	json_object_object_add(r, "sync_id", json_object_new_string(si.sync_id));
	if (si.last_sync)
		json_object_object_add(r, "last_sync", json_object_new_string(si.last_sync));
	rc = x->r->emit(x->r->ctx, r);
	ois_ews_syncinfo_release(&si);
	return rc;
}


static void print_stats(const struct ex_extract *x, const struct ois_http_stats *before, double seconds)
{
	const struct ois_http_stats *s = ois_ews_stats(x->ews);
	fprintf(stderr,
		"%s: %s: exchange contacts: %lu requests (%lu retries), %llu bytes sent, %llu received, "
		"%lu items, %lu deletes, %.2f s (%.2f s in requests)\n",
		ois_log_prog(), x->c->account, s->requests - before->requests, s->retries - before->retries,
		s->bytes_sent - before->bytes_sent, s->bytes_received - before->bytes_received, x->items, x->deletes,
		seconds, s->seconds - before->seconds);
}

/* The contacts folder: every change since the committed sync state, checkpoint last. */
int ois_ews_read_contacts(struct ews_conn *c, const struct ois_read *r)
{
	struct ex_extract x = { .c = c, .r = r, .ews = c->ews };
	struct ois_http_stats before = *ois_ews_stats(c->ews);
	double start = ois_monotonic_seconds();
	const char *token = r->token[OIS_CONTACTS];
	char *new_state = NULL;
	int rc;

	/* A full read is when the state is new or lost: say what the mailbox knows. */
	if (!token && (rc = emit_syncinfo(&x)))
		return rc;
	ois_progress_init(&x.progress, c->account, FOLDER);
	if (token)
		ois_info("reading changes since the committed sync state");
	else
		ois_info("no committed sync state: reading the whole folder");
	rc = sync_all(&x, token, &new_state);
	if (rc == OIS_ESYNCSTATE && token) {
		/* Nothing is written until the sync is done, so starting over is safe. */
		ois_warn("sync state rejected by the server; reading the whole folder");
		changes_release(&x.changes);
		token = NULL;
		rc = sync_all(&x, NULL, &new_state);
	}
	if (rc == OIS_ESYNCSTATE)
		rc = ois_fail(OIS_EUNAVAIL, "the server rejected a sync from the beginning of the folder");
	if (rc)
		goto out;
	if (x.skipped)
		ois_info("%lu items that are not contacts (distribution lists) skipped", x.skipped);
	if ((rc = emit_changes(&x, c->batch)))
		goto out;
	ois_progress_end(&x.progress);
	rc = emit_checkpoint(&x, new_state, token == NULL);
out:
	ois_progress_end(&x.progress);
	if (r->stats)
		print_stats(&x, &before, ois_monotonic_seconds() - start);
	changes_release(&x.changes);
	free(new_state);
	return rc;
}
