/* interaction.c - oisync-extract interaction: one user's contact list and calendar window as item records, checkpoints last. */
#include "code.h"
#include "exchange_calendar.h"
#include "extract.h"
#include "interaction/interaction.h"
#include "jsonl.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "state.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONTACTS "contacts"
#define CALENDAR "calendar"
/* The API's largest page: fewest round trips for a full read. */
#define PAGE_LIMIT 500
#define DAY 86400

struct ia_extract {
	const struct extract_args *args;
	struct ois_ia *ia;
	int contacts, calendar;     /* which folders this run reads */
	time_t win_start, win_end;  /* the calendar window */
	char ws[24], we[24];        /* the same as RFC 3339 UTC */
	unsigned long items, deletes;
	unsigned long appts, appt_deletes, outside;
};

/* An upsert item record of folder carrying the object as the API sent it. */
static int emit_item(struct ia_extract *x, const char *type, const char *folder, json_object *item)
{
	json_object *r = extract_record_new(x->args, OIS_INTERACTION, type, NULL, NULL);
	json_object_object_add(r, "user", json_object_new_string(x->args->user));
	json_object_object_add(r, "folder", json_object_new_string(folder));
	json_object_object_add(r, "id", json_object_new_string(ois_json_str(item, "id")));
	char *version = ois_ia_version_str(item);
	if (version)
		json_object_object_add(r, "version", json_object_new_string(version));
	free(version);
	const char *modified = ois_json_str(item, "updated_at");
	if (modified)
		json_object_object_add(r, "modified", json_object_new_string(modified));
	json_object_object_add(r, "op", json_object_new_string("upsert"));
	const char *tag = ois_ia_op_tag(item);
	if (tag)
		json_object_object_add(r, "op_tag", json_object_new_string(tag));
	json_object_object_add(r, "data", json_object_get(item));
	return extract_record_write(x->args, r);
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
	return s < x->win_end && e > x->win_start;
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
	json_object *r = extract_record_new(x->args, OIS_INTERACTION, appt ? "appointment" : "contact", NULL, NULL);
	json_object_object_add(r, "user", json_object_new_string(x->args->user));
	json_object_object_add(r, "folder", json_object_new_string(appt ? CALENDAR : CONTACTS));
	json_object_object_add(r, "id", json_object_new_string(ois_json_str(change, "id")));
	json_object_object_add(r, "op", json_object_new_string("delete"));
	const char *reason = ois_json_str(change, "reason");
	json_object_object_add(r, "reason", json_object_new_string(reason ? reason : appt ? "deleted" : "removed_from_list"));
	if (appt)
		x->appt_deletes++;
	else
		x->deletes++;
	return extract_record_write(x->args, r);
}

static int emit_checkpoint(struct ia_extract *x, const char *folder, const char *cursor, int full)
{
	json_object *r = extract_record_new(x->args, OIS_INTERACTION, "checkpoint", NULL, NULL);
	char *token = NULL;
	/* The calendar's token keeps the window it was read for: a moved window is a full read. */
	if (!strcmp(folder, CALENDAR))
		token = extract_calendar_token(cursor, x->win_start, x->win_end);
	json_object_object_add(r, "folder", json_object_new_string(folder));
	json_object_object_add(r, "token", json_object_new_string(token ? token : cursor));
	json_object_object_add(r, "complete", json_object_new_boolean(1));
	json_object_object_add(r, "full", json_object_new_boolean(full));
	free(token);
	return extract_record_write(x->args, r);
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
		if ((rc = ois_ia_list_page(x->ia, x->args->user, PAGE_LIMIT, page, &p)))
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
		if ((rc = ois_ia_appointment_page(x->ia, x->args->user, x->ws, x->we, PAGE_LIMIT, page, &p)))
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
		rc = ois_ia_changes(x->ia, x->args->user, cursor, PAGE_LIMIT, &ch);
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

/*
 * The window as for Exchange (oisync-extract(1), "The calendar folder"):
 * --window-start/--window-end, else from 00:00 UTC calendar_past_days ago
 * to 24:00 UTC calendar_future_days ahead, from the user's settings.
 */
static int window(struct ia_extract *x, const struct ois_sync_settings *s)
{
	const struct extract_args *a = x->args;
	time_t now = time(NULL), today = now - now % DAY;
	x->win_start = today - (time_t)s->calendar_past_days * DAY;
	x->win_end = today + ((time_t)s->calendar_future_days + 1) * DAY;
	if (a->window_start && ois_time_parse(a->window_start, OIS_TIME_DATE, &x->win_start))
		return ois_fail(OIS_EUSAGE, "--window-start '%s' is not an RFC 3339 date or time", a->window_start);
	if (a->window_end && ois_time_parse(a->window_end, OIS_TIME_DATE, &x->win_end))
		return ois_fail(OIS_EUSAGE, "--window-end '%s' is not an RFC 3339 date or time", a->window_end);
	if (x->win_end <= x->win_start)
		return ois_fail(OIS_EUSAGE, "the calendar window ends before it starts");
	ois_time_format(x->win_start, x->ws);
	ois_time_format(x->win_end, x->we);
	return 0;
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
	if (extract_calendar_token_parse(committed, &cursor, &was_start, &was_end)) {
		ois_warn("the committed calendar token is not one this version wrote; reading the whole window");
		return NULL;
	}
	if (was_start != x->win_start || was_end != x->win_end) {
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
		ois_log_prog(), x->args->account, s.requests, s.retries, s.bytes_sent, s.bytes_received,
		x->items, x->deletes, seconds, s.seconds);
	if (x->calendar)
		fprintf(stderr, "%s: %s: interaction calendar: %lu items, %lu deletes, %lu changes outside the window\n",
			ois_log_prog(), x->args->account, x->appts, x->appt_deletes, x->outside);
}

int extract_interaction(const struct extract_args *args)
{
	struct ia_extract x = { .args = args };
	double start = ois_monotonic_seconds();
	const struct ois_user *u = ois_config_user(args->cfg, args->user);
	const struct ois_sync_settings *set = u ? &u->settings : &args->cfg->defaults;
	x.contacts = !args->folder || !strcmp(args->folder, CONTACTS);
	x.calendar = args->folder ? !strcmp(args->folder, CALENDAR) : set->calendar;
	if (!x.contacts && !x.calendar)
		return ois_fail(OIS_EUSAGE, "unknown folder '%s': contacts or calendar", args->folder);
	char *cursor = NULL, *committed = NULL, *cal = NULL;
	int rc = 0;
	if (x.calendar && (rc = window(&x, set)))
		return rc;
	if (x.contacts && (rc = extract_committed_token(args, OIS_INTERACTION, CONTACTS, &cursor)))
		goto out;
	if (x.calendar) {
		if ((rc = extract_committed_token(args, OIS_INTERACTION, CALENDAR, &committed)))
			goto out;
		cal = calendar_cursor(&x, committed);
	}
	if ((rc = ois_ia_open(&args->cfg->interaction, args->url, &x.ia)))
		goto out;
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
		rc = ois_fail(OIS_ECONFIG, "InterAction has no user '%s' (check the users file)", args->user);
	if (args->stats)
		print_stats(&x, ois_monotonic_seconds() - start);
out:
	ois_ia_close(x.ia);
	free(cal);
	free(committed);
	free(cursor);
	return rc;
}
