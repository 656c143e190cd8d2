/* graph_read.c - read a mailbox's contacts folder over Microsoft Graph as item records, checkpoint last. */
#include "code.h"
#include "graph_backend.h"
#include "graph_contact.h"
#include "log.h"
#include "progress.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOLDER "contacts"
/* The default Contacts folder, by its well-known name. */
#define CONTACTS "/contactFolders/contacts/contacts"
/* A delta round asks for ids only: delta cannot expand the extended properties a contact needs. */
#define DELTA CONTACTS "/delta?$select=id"
/* The largest page Graph gives a delta round or a list ($top). */
#define PAGE 1000
#define DELTA_PREFER "odata.maxpagesize=1000"

/*
 * The changes of one delta round, deduplicated: each id once, with its
 * latest state (a round may report an id more than once). Only ids are
 * held, never items.
 */
struct changes {
	char **ids;
	unsigned char *removed;
	size_t n, cap;
	json_object *index; /* id -> position */
	int keep;           /* collect them: an incremental round (a whole folder is listed instead) */
};

struct rd {
	struct graph_conn *c;
	const struct ois_read *r;
	struct changes ch;
	struct ois_progress progress;
	unsigned long items, deletes;
};

static void changes_release(struct changes *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		free(ch->ids[i]);
	free(ch->ids);
	free(ch->removed);
	json_object_put(ch->index);
	int keep = ch->keep;
	memset(ch, 0, sizeof(*ch));
	ch->keep = keep;
}

static int note_change(json_object *item, void *ctx)
{
	struct rd *x = ctx;
	struct changes *ch = &x->ch;
	const char *id = ois_json_str(item, "id");
	if (ois_str_empty(id))
		return ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a contacts delta entry without an id");
	if (!ch->keep)
		return 0;
	int removed = json_object_object_get_ex(item, "@removed", NULL);
	json_object *pos;
	if (!ch->index)
		ch->index = json_object_new_object();
	if (json_object_object_get_ex(ch->index, id, &pos)) {
		ch->removed[json_object_get_int64(pos)] = (unsigned char)removed;
		return 0;
	}
	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? ch->cap * 2 : 256;
		ch->ids = ois_xrealloc(ch->ids, ch->cap * sizeof(*ch->ids));
		ch->removed = ois_xrealloc(ch->removed, ch->cap);
	}
	ch->ids[ch->n] = ois_xstrdup(id);
	ch->removed[ch->n] = (unsigned char)removed;
	json_object_object_add(ch->index, id, json_object_new_int64((int64_t)ch->n));
	ch->n++;
	ois_progress_update(&x->progress, (unsigned long)ch->n);
	return 0;
}

/* The round from link (NULL: from the beginning) to its deltaLink, *next (owned). */
static int delta_round(struct rd *x, const char *link, char **next)
{
	return ois_graph_pages(x->c->g, link ? link : DELTA, DELTA_PREFER, note_change, x, next);
}

static int emit(struct rd *x, json_object *item)
{
	const char *id = ois_json_str(item, "id");
	if (ois_str_empty(id))
		return ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a contact without an id");
	json_object *r = ois_graph_record(x->c, "contact", FOLDER, id, item);
	x->items++;
	ois_progress_update(&x->progress, x->items);
	return x->r->emit(x->r->ctx, r);
}

static int emit_listed(json_object *item, void *ctx)
{
	return emit(ctx, item);
}

/* A full read: every contact with its extended properties, a page of 1000 a request. */
static int list_all(struct rd *x)
{
	char *expand = ois_pct_encode(ois_graph_contact_expand());
	char *path = ois_xasprintf(CONTACTS "?$top=%d&$expand=%s", PAGE, expand);
	char *none = NULL;
	int rc = ois_graph_pages(x->c->g, path, NULL, emit_listed, x, &none);
	free(none);
	free(path);
	free(expand);
	return rc;
}

/* An item of get_many: NULL when deleted since the round, which the next round reports. */
static int emit_fetched(size_t i, json_object *item, void *ctx)
{
	(void)i;
	return item ? emit(ctx, item) : 0;
}

/* An incremental read: the changed contacts in $batches of 20, then one record per deletion. */
static int emit_changes(struct rd *x)
{
	struct changes *ch = &x->ch;
	char *expand = ois_pct_encode(ois_graph_contact_expand());
	char **paths = ois_xcalloc(ch->n + 1, sizeof(*paths));
	size_t n = 0;
	int rc;
	for (size_t i = 0; i < ch->n; i++) {
		if (ch->removed[i])
			continue;
		char *id = ois_pct_encode(ch->ids[i]);
		paths[n++] = ois_xasprintf("/contacts/%s?$expand=%s", id, expand);
		free(id);
	}
	ois_progress_total(&x->progress, (unsigned long)n);
	rc = ois_graph_get_many(x->c->g, (const char *const *)paths, n, NULL, emit_fetched, x);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(expand);
	for (size_t i = 0; i < ch->n && !rc; i++) {
		if (!ch->removed[i])
			continue;
		x->deletes++;
		rc = x->r->emit(x->r->ctx, ois_graph_record(x->c, "contact", FOLDER, ch->ids[i], NULL));
	}
	return rc;
}

static int emit_checkpoint(struct rd *x, const char *token, int full)
{
	return x->r->emit(x->r->ctx, ois_record_checkpoint(OIS_EXCHANGE, x->c->account, FOLDER, token, full, NULL));
}

/*
 * The mailbox's sync record as a syncinfo record, on a full read only, as
 * over EWS: that is when the state is new or lost.
 */
static int emit_syncinfo(struct rd *x)
{
	struct ois_graph_syncinfo si;
	int rc = ois_graph_syncinfo_read(x->c->g, &si);
	if (rc == OIS_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	json_object *r = ois_record_new("syncinfo", OIS_EXCHANGE, x->c->account, NULL, NULL, NULL);
	json_object_object_add(r, "sync_id", json_object_new_string(si.sync_id));
	if (si.last_sync)
		json_object_object_add(r, "last_sync", json_object_new_string(si.last_sync));
	rc = x->r->emit(x->r->ctx, r);
	ois_graph_syncinfo_release(&si);
	return rc;
}

static void print_stats(const struct rd *x, const struct ois_http_stats *before, double seconds)
{
	const struct ois_http_stats *s = ois_graph_stats(x->c->g);
	fprintf(stderr,
		"%s: %s: graph contacts: %lu requests (%lu retries), %llu bytes sent, %llu received, "
		"%lu items, %lu deletes, %.2f s (%.2f s in requests)\n",
		ois_log_prog(), x->c->account, s->requests - before->requests, s->retries - before->retries,
		s->bytes_sent - before->bytes_sent, s->bytes_received - before->bytes_received, x->items, x->deletes,
		seconds, s->seconds - before->seconds);
}

/*
 * From the committed deltaLink: the round's changes, the changed contacts
 * fetched whole. Without one (or when Graph no longer knows it): a round
 * from the beginning for the new deltaLink, then the folder listed whole;
 * a change made between the two is seen again by the next round, never
 * missed.
 */
int ois_graph_read_contacts(struct graph_conn *c, const struct ois_read *r)
{
	struct rd x = { .c = c, .r = r };
	struct ois_http_stats before = *ois_graph_stats(c->g);
	double start = ois_monotonic_seconds();
	const char *token = r->token[OIS_CONTACTS];
	char *next = NULL;
	int rc;

	if (token && !ois_graph_owns_link(c->g, token)) {
		ois_warn("the committed contacts token is not a delta link of this server's; reading the whole folder");
		token = NULL;
	}
	if (!token && (rc = emit_syncinfo(&x)))
		return rc;
	ois_progress_init(&x.progress, c->account, FOLDER);
	if (token)
		ois_info("reading changes since the committed delta link");
	else
		ois_info("no committed delta link: reading the whole folder");
	x.ch.keep = token != NULL;
	rc = delta_round(&x, token, &next);
	if (rc == OIS_ESYNCSTATE && token) {
		/* Nothing is written until the round is done, so starting over is safe. */
		ois_warn("delta link rejected by Microsoft Graph (expired); reading the whole folder");
		changes_release(&x.ch);
		x.ch.keep = 0;
		token = NULL;
		if (!(rc = emit_syncinfo(&x)))
			rc = delta_round(&x, NULL, &next);
	}
	if (rc == OIS_ESYNCSTATE)
		rc = ois_fail(OIS_EUNAVAIL, "Microsoft Graph rejected a delta round from the beginning of the folder");
	if (!rc && !next)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the delta round ended without a deltaLink");
	if (!rc)
		rc = token ? emit_changes(&x) : list_all(&x);
	ois_progress_end(&x.progress);
	if (!rc)
		rc = emit_checkpoint(&x, next, token == NULL);
	if (r->stats)
		print_stats(&x, &before, ois_monotonic_seconds() - start);
	changes_release(&x.ch);
	free(next);
	return rc;
}
