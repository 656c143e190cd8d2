/* ews_read_calendar.c - read a mailbox's calendar window as appointment records, checkpoint last; the backend's read. */
#include "calendar_token.h"
#include "code.h"
#include "ews_backend.h"
#include "ews_calendar.h"
#include "log.h"
#include "progress.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOLDER "calendar"
#define DAY ((time_t)86400)
/* SyncFolderItems' largest page (MaxChangesReturned is 1..512). */
#define MAX_CHANGES 512
/* A CalendarView range may not exceed two years; 730 days never does. */
#define MAX_SLICE (730 * DAY)
/* Below this a range that still holds too many items is an error, not a split. */
#define MIN_SLICE ((time_t)3600)
/* Items a CalendarView returns at most: Exchange's default EWSFindCountLimit. */
#define VIEW_MAX 1000

/* One item of the window, as the calendar view listed it. */
struct entry {
	char *id;
	char *uid;               /* NULL when the view did not say */
	int recurring;           /* an occurrence or an exception */
};

struct cal {
	struct ews_conn *conn;
	const struct ois_read *r;
	struct ois_ews *ews;
	struct entry *e;
	size_t n, cap;
	json_object *index;      /* id -> 1: each item once, though slices overlap */
	json_object *masters;    /* series key (UID, else the occurrence id) -> master ItemId */
	struct ois_progress progress;
	unsigned long changes;   /* SyncFolderItems changes seen */
	char **changed;          /* ids SyncFolderItems reported created or updated (an incremental read only) */
	size_t nchanged;
	int note_changed;        /* collect them: the read started from a sync state */
	unsigned long slices;    /* CalendarView requests */
	unsigned long items;     /* records written */
};

/* ---- has anything changed? ---- */

static int count_change(const char *id, const char *change_key, const char *item_type, int deleted, void *ctx)
{
	struct cal *c = ctx;
	(void)change_key;
	c->changes++;
	/*
	 * An item changed since the last read that the window no longer holds
	 * was moved out of it (or is a series' master): it is looked up, so
	 * that reconcile sees where it went instead of taking it for deleted.
	 */
	if (c->note_changed && !deleted && id && (!item_type || !strcmp(item_type, "CalendarItem"))) {
		c->changed = ois_xrealloc(c->changed, (c->nchanged + 1) * sizeof(*c->changed));
		c->changed[c->nchanged++] = ois_xstrdup(id);
	}
	return 0;
}

/* Every change since state (NULL: the whole folder); only counted. *new_state owned by the caller. */
static int sync_all(struct cal *c, const char *state, char **new_state)
{
	char *cur = state ? ois_xstrdup(state) : NULL;
	int rc = 0, last = 0;
	*new_state = NULL;
	while (!last) {
		unsigned long before = c->changes;
		char *next = NULL;
		rc = ois_ews_sync_folder_items(c->ews, FOLDER, cur, MAX_CHANGES, count_change, c, &next, &last);
		if (rc)
			break;
		int moved = c->changes != before || ois_str_empty(cur) || strcmp(cur, next);
		free(cur);
		cur = next;
		/* A server that says "more" but moves nowhere would loop forever. */
		if (!last && !moved) {
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from the server: SyncFolderItems reports more changes but returns none");
			break;
		}
	}
	if (rc)
		free(cur);
	else
		*new_state = cur;
	return rc;
}

/* ---- the window ---- */

static void entries_release(struct cal *c)
{
	for (size_t i = 0; i < c->nchanged; i++)
		free(c->changed[i]);
	free(c->changed);
	c->changed = NULL;
	c->nchanged = 0;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].id);
		free(c->e[i].uid);
	}
	free(c->e);
	c->e = NULL;
	c->n = c->cap = 0;
	json_object_put(c->index);
	json_object_put(c->masters);
	c->index = c->masters = NULL;
}

static int note_entry(const char *id, const char *change_key, const char *type, const char *uid, void *ctx)
{
	struct cal *c = ctx;
	(void)change_key;
	/* An item crossing a slice boundary is in both slices. */
	if (json_object_object_get_ex(c->index, id, NULL))
		return 0;
	json_object_object_add(c->index, id, NULL);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 128;
		c->e = ois_xrealloc(c->e, c->cap * sizeof(*c->e));
	}
	struct entry *e = &c->e[c->n++];
	e->id = ois_xstrdup(id);
	e->uid = uid ? ois_xstrdup(uid) : NULL;
	e->recurring = !strcmp(type, "Occurrence") || !strcmp(type, "Exception");
	ois_progress_update(&c->progress, (unsigned long)c->n);
	return 0;
}

/* Exchange's default EWSFindCountLimit is 1000; a server set lower says so in the config. */
static int view_max(const struct ews_conn *c)
{
	int v = c->view_max;
	return v >= 1 && v <= VIEW_MAX ? v : VIEW_MAX;
}

/*
 * The window in slices of at most two years; a slice the server holds too
 * many items for is halved and retried, and later slices keep that size.
 */
static int read_window(struct cal *c, time_t start, time_t end)
{
	int max = view_max(c->conn);
	time_t len = end - start < MAX_SLICE ? end - start : MAX_SLICE;
	time_t t = start;
	while (t < end) {
		time_t e = end - t < len ? end : t + len;
		c->slices++;
		int rc = ois_ews_calendar_view(c->ews, FOLDER, t, e, max, note_entry, c);
		if (rc == OIS_ETOOMANY) {
			char a[OIS_TIME_LEN], b[OIS_TIME_LEN];
			ois_time_format(t, a);
			ois_time_format(e, b);
			if (e - t <= MIN_SLICE)
				return ois_fail(OIS_EUNAVAIL, "more than %d calendar items between %s and %s: cannot read the calendar",
						max, a, b);
			ois_debug("calendar view %s .. %s holds more than %d items: halving it", a, b, max);
			len = (e - t) / 2;
			continue;
		}
		if (rc)
			return rc;
		t = e;
	}
	return 0;
}

/* ---- series ---- */

static const char *series_key(const struct entry *e)
{
	return e->uid ? e->uid : e->id;
}

struct master_batch {
	struct cal *c;
	const char **keys;
};

static int note_master(size_t i, const char *master_id, const char *change_key, void *ctx)
{
	struct master_batch *mb = ctx;
	(void)change_key;
	json_object_object_add(mb->c->masters, mb->keys[i], json_object_new_string(master_id));
	return 0;
}

/* The master of every series with an occurrence or exception in the window: one lookup per series. */
static int find_masters(struct cal *c, int batch)
{
	const char **ids = ois_xcalloc((size_t)batch, sizeof(*ids));
	struct master_batch mb = { .c = c, .keys = ois_xcalloc((size_t)batch, sizeof(char *)) };
	json_object *asked = json_object_new_object();
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i <= c->n && !rc; i++) {
		if (i < c->n && c->e[i].recurring && !json_object_object_get_ex(asked, series_key(&c->e[i]), NULL)) {
			json_object_object_add(asked, series_key(&c->e[i]), NULL);
			mb.keys[n] = series_key(&c->e[i]);
			ids[n++] = c->e[i].id;
		}
		if (n && (n == (size_t)batch || i == c->n)) {
			rc = ois_ews_get_masters(c->ews, ids, n, note_master, &mb);
			n = 0;
		}
	}
	json_object_put(asked);
	free(mb.keys);
	free(ids);
	return rc;
}

/* ---- records ---- */

/* An occurrence or exception carries its series' master id and where it was first scheduled. */
static void add_series(struct cal *c, json_object *native, const char *id)
{
	const char *type = ois_json_str(native, "CalendarItemType");
	if (!type || (strcmp(type, "Occurrence") && strcmp(type, "Exception")))
		return;
	json_object *m = NULL;
	const char *uid = ois_json_str(native, "UID");
	if (!(uid && json_object_object_get_ex(c->masters, uid, &m)))
		json_object_object_get_ex(c->masters, id, &m);
	if (m)
		json_object_object_add(native, "RecurringMasterId", json_object_get(m));
	else
		ois_warn("no recurring master found for calendar item '%s'", id);
	if (!ois_json_str(native, "OriginalStart")) {
		/* RecurrenceId is the original start too (MS-OXWSCDATA); an occurrence never moved. */
		const char *o = ois_json_str(native, "RecurrenceId");
		if (!o && !strcmp(type, "Occurrence"))
			o = ois_json_str(native, "Start");
		if (o)
			json_object_object_add(native, "OriginalStart", json_object_new_string(o));
	}
}

static int is_true(json_object *native, const char *key)
{
	const char *v = ois_json_str(native, key);
	return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

static int emit_item(json_object *native, const char *id, const char *change_key, const char *modified, void *ctx)
{
	struct cal *c = ctx;
	const char *type = ois_json_str(native, "CalendarItemType");
	if (type && !strcmp(type, "RecurringMaster"))
		return 0; /* a series is synced as its occurrences; its master only names them */
	json_object *r;
	if (is_true(native, "IsCancelled")) {
		/* A cancelled meeting stays in the calendar until removed, but it no longer takes place. */
		r = ois_record_new("appointment", OIS_EXCHANGE, c->conn->account, NULL, FOLDER, id);
		json_object_object_add(r, "op", json_object_new_string("delete"));
		json_object_object_add(r, "reason", json_object_new_string("cancelled"));
		c->items++;
		return c->r->emit(c->r->ctx, r);
	}
	add_series(c, native, id);
	r = ois_ews_upsert_record(c->conn, "appointment", FOLDER, native, id, change_key, modified);
	c->items++;
	ois_progress_update(&c->progress, c->items);
	return c->r->emit(c->r->ctx, r);
}

static int emit_items(struct cal *c, int batch)
{
	const char **ids = ois_xcalloc((size_t)batch, sizeof(*ids));
	int rc = 0;
	size_t n = 0;
	ois_progress_total(&c->progress, (unsigned long)c->n);
	for (size_t i = 0; i <= c->n && !rc; i++) {
		if (i < c->n)
			ids[n++] = c->e[i].id;
		if (n && (n == (size_t)batch || i == c->n)) {
			rc = ois_ews_get_calendar_items(c->ews, ids, n, emit_item, c);
			n = 0;
		}
	}
	free(ids);
	return rc;
}

/* The changed items the window did not hold, looked up in batches (see count_change). */
static int emit_changed_outside(struct cal *c, int batch)
{
	const char **ids = ois_xcalloc((size_t)batch, sizeof(*ids));
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i <= c->nchanged && !rc; i++) {
		if (i < c->nchanged && !json_object_object_get_ex(c->index, c->changed[i], NULL)) {
			json_object_object_add(c->index, c->changed[i], NULL); /* reported twice: looked up once */
			ids[n++] = c->changed[i];
		}
		if (n && (n == (size_t)batch || i == c->nchanged)) {
			rc = ois_ews_get_calendar_items(c->ews, ids, n, emit_item, c);
			n = 0;
		}
	}
	free(ids);
	return rc;
}

static int emit_checkpoint(struct cal *c, const char *token, int full, time_t start, time_t end)
{
	const time_t window[2] = { start, end };
	return c->r->emit(c->r->ctx, ois_record_checkpoint(OIS_EXCHANGE, c->conn->account, FOLDER, token, full, window));
}

static void print_stats(const struct cal *c, const struct ois_http_stats *before, double seconds)
{
	const struct ois_http_stats *s = ois_ews_stats(c->ews);
	fprintf(stderr,
		"%s: %s: exchange calendar: %lu requests (%lu retries), %llu bytes sent, %llu received, "
		"%lu items, %lu views, %.2f s (%.2f s in requests)\n",
		ois_log_prog(), c->conn->account, s->requests - before->requests, s->retries - before->retries,
		s->bytes_sent - before->bytes_sent, s->bytes_received - before->bytes_received, c->items, c->slices,
		seconds, s->seconds - before->seconds);
}

int ois_ews_read_calendar(struct ews_conn *conn, const struct ois_read *r)
{
	struct cal c = { .conn = conn, .r = r, .ews = conn->ews };
	struct ois_http_stats before = *ois_ews_stats(conn->ews);
	double t0 = ois_monotonic_seconds();
	const char *committed = r->token[OIS_CALENDAR];
	char *sync = NULL, *new_state = NULL, *token = NULL;
	time_t start = r->window_start, end = r->window_end, was_start = 0, was_end = 0;
	int batch = conn->batch, rc;

	ois_progress_init(&c.progress, conn->account, FOLDER);
	if (committed && ois_calendar_token_parse(committed, &sync, &was_start, &was_end))
		ois_warn("the committed calendar token is not one this version wrote; reading the whole calendar");

	/*
	 * Microsoft's guidance for a calendar window: SyncFolderItems tells
	 * whether anything in the folder changed; only then is the window read
	 * again. Its SyncState is taken before the read, so a change made while
	 * the window is read shows up at the next run.
	 */
	c.note_changed = sync != NULL;
	rc = sync_all(&c, sync, &new_state);
	if (rc == OIS_ESYNCSTATE && sync) {
		ois_warn("calendar sync state rejected by the server; reading the whole calendar");
		free(sync);
		sync = NULL;
		entries_release(&c);
		c.note_changed = 0;
		rc = sync_all(&c, NULL, &new_state);
	}
	if (rc == OIS_ESYNCSTATE)
		rc = ois_fail(OIS_EUNAVAIL, "the server rejected a sync from the beginning of the calendar");
	if (rc)
		goto out;

	int moved = was_start != start || was_end != end;
	if (sync && !c.changes && !moved) {
		/*
		 * Nothing changed and the window is the one last read: no items,
		 * and full:false, so downstream infers nothing from their absence.
		 */
		ois_info("calendar unchanged since the committed sync state");
		token = ois_calendar_token(new_state, start, end);
		rc = emit_checkpoint(&c, token, 0, start, end);
		goto out;
	}
	if (!sync)
		ois_info("no committed calendar sync state: reading the calendar window");
	else if (c.changes)
		ois_info("%lu calendar changes since the committed sync state: reading the calendar window", c.changes);
	else
		ois_info("the calendar window moved: reading it again");

	c.index = json_object_new_object();
	c.masters = json_object_new_object();
	if ((rc = read_window(&c, start, end)))
		goto out;
	if ((rc = find_masters(&c, batch)))
		goto out;
	if ((rc = emit_items(&c, batch)))
		goto out;
	if ((rc = emit_changed_outside(&c, batch)))
		goto out;
	ois_progress_end(&c.progress);
	token = ois_calendar_token(new_state, start, end);
	rc = emit_checkpoint(&c, token, 1, start, end);
out:
	ois_progress_end(&c.progress);
	if (r->stats)
		print_stats(&c, &before, ois_monotonic_seconds() - t0);
	entries_release(&c);
	free(sync);
	free(new_state);
	free(token);
	return rc;
}
