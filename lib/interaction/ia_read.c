/* ia_read.c - read one user's contact list and calendar window as item records, checkpoints last; the backend's read. */
#include "calendar_token.h"
#include "code.h"
#include "ia_backend.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONTACTS "contacts"
#define CALENDAR "calendar"
/* The API's largest page: fewest round trips for a full read. */
#define PAGE_LIMIT 500

struct ia_extract {
	struct ia_conn *c;
	const struct ois_read *r;
	struct ois_ia *ia;
	int contacts, calendar;     /* which folders this run reads */
	char ws[OIS_TIME_LEN], we[OIS_TIME_LEN]; /* the calendar window (r's) as RFC 3339 UTC, for the API */
	unsigned long items, deletes;
	unsigned long appts, appt_deletes, outside;
};

/* An upsert item record of folder carrying the object as the API sent it. */
static int emit_item(struct ia_extract *x, const char *type, const char *folder, json_object *item)
{
	json_object *r = ois_record_new(type, OIS_INTERACTION, x->c->account, x->c->uid, folder, ois_json_str(item, "id"));
	char *version = ois_ia_version_str(item);
	ois_record_upsert(r, version, ois_json_str(item, "updated_at"), ois_ia_op_tag(item), item);
	free(version);
	return x->r->emit(x->r->ctx, r);
}

static int emit_contact(struct ia_extract *x, json_object *contact)
{
	x->items++;
	return emit_item(x, "contact", CONTACTS, contact);
}

/* 1 when the appointment overlaps the window (as the API's range does: ends after start, starts before end). */
static int in_window(const struct ia_extract *x, json_object *appt)
{
	time_t s, e;
	if (ois_time_parse(ois_json_str(appt, "start"), OIS_TIME_DATE, &s) ||
	    ois_time_parse(ois_json_str(appt, "end"), OIS_TIME_DATE, &e))
		return 0;
	if (e == s)
		e++; /* a point in time still lies somewhere */
	return s < x->r->window_end && e > x->r->window_start;
}

static int emit_appointment(struct ia_extract *x, json_object *appt)
{
	if (!in_window(x, appt)) {
		x->outside++;
		return 0;
	}
	x->appts++;
	return emit_item(x, "appointment", CALENDAR, appt);
}

static int emit_delete(struct ia_extract *x, json_object *change)
{
	int appt = ois_ia_change_is_appointment(change);
	json_object *r = ois_record_new(appt ? "appointment" : "contact", OIS_INTERACTION, x->c->account, x->c->uid,
					appt ? CALENDAR : CONTACTS, ois_json_str(change, "id"));
	json_object_object_add(r, "op", json_object_new_string("delete"));
	const char *reason = ois_json_str(change, "reason");
	json_object_object_add(r, "reason", json_object_new_string(reason ? reason : appt ? "deleted" : "removed_from_list"));
	if (appt)
		x->appt_deletes++;
	else
		x->deletes++;
	return x->r->emit(x->r->ctx, r);
}

static int emit_checkpoint(struct ia_extract *x, const char *folder, const char *cursor, int full)
{
	char *token = NULL;
	/* The calendar's token keeps the window it was read for: a moved window is a full read. */
	if (!strcmp(folder, CALENDAR))
		token = ois_calendar_token(cursor, x->r->window_start, x->r->window_end);
	json_object *r = ois_record_checkpoint(OIS_INTERACTION, x->c->account, folder, token ? token : cursor, full, NULL);
	free(token);
	return x->r->emit(x->r->ctx, r);
}

/*
 * The whole list, page by page. The cursor of the first page is where the
 * feed stood before the read began, so a change made during the read shows
 * up again next time rather than never.
 */
static int full_read(struct ia_extract *x)
{
	char *cursor = NULL, *page = NULL;
	int rc;
	for (;;) {
		struct ois_ia_page p;
		if ((rc = ois_ia_list_page(x->ia, x->c->uid, PAGE_LIMIT, page, &p)))
			break;
		if (!cursor)
			cursor = ois_xstrdup(p.cursor);
		for (size_t i = 0; !rc && i < json_object_array_length(p.contacts); i++)
			rc = emit_contact(x, json_object_array_get_idx(p.contacts, i));
		free(page);
		page = p.next ? ois_xstrdup(p.next) : NULL;
		ois_ia_page_release(&p);
		if (rc || !page)
			break;
	}
	if (!rc)
		rc = emit_checkpoint(x, CONTACTS, cursor, 1);
	free(page);
	free(cursor);
	return rc;
}

/* Every appointment and activity of the window, page by page; the cursor as for contacts. */
static int full_read_calendar(struct ia_extract *x)
{
	char *cursor = NULL, *page = NULL;
	int rc;
	for (;;) {
		struct ois_ia_appt_page p;
		if ((rc = ois_ia_appointment_page(x->ia, x->c->uid, x->ws, x->we, PAGE_LIMIT, page, &p)))
			break;
		if (!cursor)
			cursor = ois_xstrdup(p.cursor);
		for (size_t i = 0; !rc && i < json_object_array_length(p.appointments); i++)
			rc = emit_appointment(x, json_object_array_get_idx(p.appointments, i));
		free(page);
		page = p.next ? ois_xstrdup(p.next) : NULL;
		ois_ia_appt_page_release(&p);
		if (rc || !page)
			break;
	}
	if (!rc)
		rc = emit_checkpoint(x, CALENDAR, cursor, 1);
	free(page);
	free(cursor);
	return rc;
}

/*
 * The changes since start for the folders asked for (the feed carries
 * both; the other folder's entries are skipped). *end is where the feed
 * stopped. OIS_ESYNCSTATE when the server forgot start.
 */
static int feed_read(struct ia_extract *x, const char *start, int contacts, int calendar, char **end)
{
	char *cursor = ois_xstrdup(start);
	int rc = 0, more = 1;
	*end = NULL;
	for (int call = 0; more; call++) {
		struct ois_ia_changes ch;
		rc = ois_ia_changes(x->ia, x->c->uid, cursor, PAGE_LIMIT, &ch);
		/* A cursor the server just gave out cannot fall back to a full
		 * read: records of the feed are already out. Fail; the next run
		 * starts again from the committed cursor. */
		if (rc == OIS_ESYNCSTATE && call > 0)
			rc = ois_fail(OIS_EUNAVAIL, "change cursor expired while reading the feed");
		if (rc)
			break;
		for (size_t i = 0; !rc && i < json_object_array_length(ch.changes); i++) {
			json_object *c = json_object_array_get_idx(ch.changes, i);
			int appt = ois_ia_change_is_appointment(c);
			if (appt ? !calendar : !contacts)
				continue;
			if (strcmp(ois_json_str(c, "op"), "upsert"))
				rc = emit_delete(x, c);
			else if (appt)
				rc = emit_appointment(x, ois_json_obj(c, "appointment"));
			else
				rc = emit_contact(x, ois_json_obj(c, "contact"));
		}
		free(cursor);
		cursor = ois_xstrdup(ch.cursor);
		more = ch.more;
		ois_ia_changes_release(&ch);
		if (rc)
			break;
	}
	if (rc)
		free(cursor);
	else
		*end = cursor;
	return rc;
}

/* The contacts folder alone: the feed from cursor, or the whole list. */
static int read_contacts(struct ia_extract *x, const char *cursor)
{
	if (!cursor) {
		ois_info("no committed cursor: reading the whole list");
		return full_read(x);
	}
	ois_info("reading changes since the committed cursor");
	char *end;
	int rc = feed_read(x, cursor, 1, 0, &end);
	if (rc == OIS_ESYNCSTATE) {
		/* Nothing was written for the feed yet: the first reply was the 410. */
		ois_warn("change cursor expired; reading the whole list");
		return full_read(x);
	}
	if (!rc)
		rc = emit_checkpoint(x, CONTACTS, end, 0);
	free(end);
	return rc;
}

/* The calendar folder alone: the feed from cursor, or the whole window. */
static int read_calendar(struct ia_extract *x, const char *cursor)
{
	if (!cursor)
		return full_read_calendar(x);
	char *end;
	int rc = feed_read(x, cursor, 0, 1, &end);
	if (rc == OIS_ESYNCSTATE) {
		ois_warn("change cursor expired; reading the whole calendar window");
		return full_read_calendar(x);
	}
	if (!rc)
		rc = emit_checkpoint(x, CALENDAR, end, 0);
	free(end);
	return rc;
}

/*
 * Both folders from one cursor: one pass over the feed serves both, so a
 * quiet run costs one request. A 410 reads both in full.
 */
static int read_both(struct ia_extract *x, const char *cursor)
{
	ois_info("reading changes since the committed cursor");
	char *end;
	int rc = feed_read(x, cursor, 1, 1, &end);
	if (rc == OIS_ESYNCSTATE) {
		ois_warn("change cursor expired; reading the whole list and calendar window");
		rc = full_read(x);
		return rc ? rc : full_read_calendar(x);
	}
	if (!rc)
		rc = emit_checkpoint(x, CONTACTS, end, 0);
	if (!rc)
		rc = emit_checkpoint(x, CALENDAR, end, 0);
	free(end);
	return rc;
}

/* The committed calendar cursor, or NULL when the window must be read whole. Owned. */
static char *calendar_cursor(struct ia_extract *x, const char *committed)
{
	char *cursor = NULL;
	time_t was_start, was_end;
	if (!committed) {
		ois_info("no committed calendar cursor: reading the whole window");
		return NULL;
	}
	if (ois_calendar_token_parse(committed, &cursor, &was_start, &was_end)) {
		ois_warn("the committed calendar token is not one this version wrote; reading the whole window");
		return NULL;
	}
	if (was_start != x->r->window_start || was_end != x->r->window_end) {
		ois_info("the calendar window moved: reading the whole window");
		free(cursor);
		return NULL;
	}
	return cursor;
}

static void print_stats(const struct ia_extract *x, double seconds)
{
	struct ois_http_stats s;
	ois_ia_stats(x->ia, &s);
	fprintf(stderr,
		"%s: %s: interaction contacts: %lu requests (%lu retries), %llu bytes sent, %llu received, "
		"%lu items, %lu deletes, %.2f s (%.2f s in requests)\n",
		ois_log_prog(), x->c->account, s.requests, s.retries, s.bytes_sent, s.bytes_received,
		x->items, x->deletes, seconds, s.seconds);
	if (x->calendar)
		fprintf(stderr, "%s: %s: interaction calendar: %lu items, %lu deletes, %lu changes outside the window\n",
			ois_log_prog(), x->c->account, x->appts, x->appt_deletes, x->outside);
}

int ois_ia_read(struct ia_conn *c, const struct ois_read *r)
{
	struct ia_extract x = { .c = c, .r = r, .ia = c->ia };
	double start = ois_monotonic_seconds();
	x.contacts = (r->folders & 1u << OIS_CONTACTS) != 0;
	x.calendar = (r->folders & 1u << OIS_CALENDAR) != 0;
	const char *cursor = x.contacts ? r->token[OIS_CONTACTS] : NULL;
	char *cal = NULL;
	int rc = 0;
	if (x.calendar) {
		ois_time_format(r->window_start, x.ws);
		ois_time_format(r->window_end, x.we);
		cal = calendar_cursor(&x, r->token[OIS_CALENDAR]);
	}
	if (x.contacts && x.calendar && cursor && cal && !strcmp(cursor, cal)) {
		rc = read_both(&x, cursor);
	} else {
		/* Contacts first with their checkpoint: a calendar failure leaves them whole. */
		if (x.contacts)
			rc = read_contacts(&x, cursor);
		if (!rc && x.calendar)
			rc = read_calendar(&x, cal);
	}
	/* The list and the feed are the user's: a 404 means InterAction has no such user. */
	if (rc == OIS_ENOTFOUND)
		rc = ois_fail(OIS_ECONFIG, "InterAction has no user '%s' (check the users file)", c->uid);
	if (r->stats)
		print_stats(&x, ois_monotonic_seconds() - start);
	free(cal);
	return rc;
}
