/* graph_read_calendar.c - read a mailbox's calendar window over Microsoft Graph as appointment records, checkpoint last. */
#include "calendar_token.h"
#include "code.h"
#include "graph_backend.h"
#include "log.h"
#include "progress.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOLDER "calendar"
/* Prefer for a delta round: every event request's, and the largest page. */
#define DELTA_PREFER OIS_GRAPH_EVENT_PREFER ", odata.maxpagesize=1000"

struct cal {
	struct graph_conn *c;
	const struct ois_read *r;
	json_object *seen;       /* id -> the latest event of the round, or NULL when removed */
	struct ois_progress progress;
	unsigned long items, deletes;
};

/* Note an entry of the round: the latest one of an id wins (a round may report an id twice). */
static int note_event(json_object *ev, void *ctx)
{
	struct cal *c = ctx;
	const char *id = ois_json_str(ev, "id");
	if (ois_str_empty(id))
		return ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a calendar delta entry without an id");
	int removed = json_object_object_get_ex(ev, "@removed", NULL);
	json_object_object_add(c->seen, id, removed ? NULL : json_object_get(ev));
	ois_progress_update(&c->progress, (unsigned long)json_object_object_length(c->seen));
	return 0;
}

static int is_true(json_object *ev, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(ev, key, &v) && json_object_get_boolean(v);
}

static int emit_event(struct cal *c, const char *id, json_object *ev)
{
	json_object *r;
	const char *type = ois_json_str(ev, "type");
	if (type && !strcmp(type, "seriesMaster"))
		return 0; /* a series is synced as its occurrences; its master only names them */
	if (is_true(ev, "isCancelled")) {
		/* A cancelled meeting stays in the calendar until removed, but it no longer takes place. */
		r = ois_graph_record(c->c, "appointment", FOLDER, id, NULL);
		json_object_object_add(r, "reason", json_object_new_string("cancelled"));
		c->deletes++;
	} else {
		r = ois_graph_record(c->c, "appointment", FOLDER, id, ev);
		c->items++;
	}
	return c->r->emit(c->r->ctx, r);
}

/* A removed event looked up: its ids, for the ones that are gone. */
struct lookup {
	struct cal *c;
	const char **ids;
};

static int emit_found(size_t i, json_object *ev, void *ctx)
{
	struct lookup *l = ctx;
	if (ev)
		return emit_event(l->c, l->ids[i], ev);
	l->c->deletes++;
	return l->c->r->emit(l->c->r->ctx, ois_graph_record(l->c->c, "appointment", FOLDER, l->ids[i], NULL));
}

/*
 * An event a round reports removed has left the window, or is gone. One
 * that only moved out is looked up and sent as it is now, so reconcile
 * sees where it went instead of taking it for deleted (as over EWS); the
 * rest are deletes.
 */
static int emit_removed(struct cal *c)
{
	size_t n = 0, cap = (size_t)json_object_object_length(c->seen);
	char **paths = ois_xcalloc(cap + 1, sizeof(*paths));
	struct lookup l = { .c = c, .ids = ois_xcalloc(cap + 1, sizeof(char *)) };
	json_object_object_foreach(c->seen, id, ev) {
		if (ev)
			continue;
		char *enc = ois_pct_encode(id);
		l.ids[n] = id;
		paths[n++] = ois_xasprintf("/events/%s", enc);
		free(enc);
	}
	int rc = ois_graph_get_many(c->c->g, (const char *const *)paths, n, OIS_GRAPH_EVENT_PREFER, emit_found, &l);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(l.ids);
	return rc;
}

static int emit_checkpoint(struct cal *c, const char *token, int full, time_t start, time_t end)
{
	const time_t window[2] = { start, end };
	return c->r->emit(c->r->ctx, ois_record_checkpoint(OIS_EXCHANGE, c->c->account, FOLDER, token, full, window));
}

static void print_stats(const struct cal *c, const struct ois_http_stats *before, double seconds)
{
	const struct ois_http_stats *s = ois_graph_stats(c->c->g);
	fprintf(stderr,
		"%s: %s: graph calendar: %lu requests (%lu retries), %llu bytes sent, %llu received, "
		"%lu items, %lu deletes, %.2f s (%.2f s in requests)\n",
		ois_log_prog(), c->c->account, s->requests - before->requests, s->retries - before->retries,
		s->bytes_sent - before->bytes_sent, s->bytes_received - before->bytes_received, c->items, c->deletes,
		seconds, s->seconds - before->seconds);
}

/* The first request of a round over the window: Graph fixes the window there, for every later round. */
static char *window_path(time_t start, time_t end)
{
	char a[OIS_TIME_LEN], b[OIS_TIME_LEN];
	ois_time_format(start, a);
	ois_time_format(end, b);
	return ois_xasprintf("/calendarView/delta?startDateTime=%s&endDateTime=%s", a, b);
}

/*
 * A calendarView delta over the window: the whole window without a
 * committed deltaLink for this window (first read, a window that moved, a
 * link Graph no longer knows), else the round's changes.
 */
int ois_graph_read_calendar(struct graph_conn *conn, const struct ois_read *r)
{
	struct cal c = { .c = conn, .r = r, .seen = json_object_new_object() };
	struct ois_http_stats before = *ois_graph_stats(conn->g);
	double t0 = ois_monotonic_seconds();
	const char *committed = r->token[OIS_CALENDAR];
	char *link = NULL, *next = NULL, *token = NULL;
	time_t start = r->window_start, end = r->window_end, was_start = 0, was_end = 0;
	int rc;

	ois_progress_init(&c.progress, conn->account, FOLDER);
	if (committed && (ois_calendar_token_parse(committed, &link, &was_start, &was_end) ||
			  !ois_graph_owns_link(conn->g, link))) {
		ois_warn("the committed calendar token is not a delta link of this server's; reading the whole window");
		free(link);
		link = NULL;
	}
	if (link && (was_start != start || was_end != end)) {
		ois_info("the calendar window moved: reading it again");
		free(link);
		link = NULL;
	}
	char *first = window_path(start, end);
	rc = ois_graph_pages(conn->g, link ? link : first, DELTA_PREFER, note_event, &c, &next);
	if (rc == OIS_ESYNCSTATE && link) {
		ois_warn("calendar delta link rejected by Microsoft Graph (expired); reading the whole window");
		free(link);
		link = NULL;
		json_object_put(c.seen);
		c.seen = json_object_new_object();
		rc = ois_graph_pages(conn->g, first, DELTA_PREFER, note_event, &c, &next);
	}
	free(first);
	if (rc == OIS_ESYNCSTATE)
		rc = ois_fail(OIS_EUNAVAIL, "Microsoft Graph rejected a calendar delta round over the whole window");
	if (!rc && !next)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the calendar delta round ended without a deltaLink");
	if (rc)
		goto out;
	if (!link)
		ois_info("no committed calendar delta link for this window: reading the window");
	else if (json_object_object_length(c.seen))
		ois_info("%d calendar changes since the committed delta link", (int)json_object_object_length(c.seen));
	else
		ois_info("calendar unchanged since the committed delta link");
	json_object_object_foreach(c.seen, id, ev) {
		if (ev && (rc = emit_event(&c, id, ev)))
			goto out;
	}
	/* A whole window's round lists only what is in it: nothing there was removed. */
	if (link && (rc = emit_removed(&c)))
		goto out;
	ois_progress_end(&c.progress);
	token = ois_calendar_token(next, start, end);
	rc = emit_checkpoint(&c, token, link == NULL, start, end);
out:
	ois_progress_end(&c.progress);
	if (r->stats)
		print_stats(&c, &before, ois_monotonic_seconds() - t0);
	json_object_put(c.seen);
	free(link);
	free(next);
	free(token);
	return rc;
}
