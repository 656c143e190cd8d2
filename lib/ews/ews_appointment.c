/* ews_appointment.c - map an EWS t:CalendarItem (native JSON, or XML to write) to and from canonical appointment data. */
#include "ews_appointment.h"
#include "ews_contact.h"
#include "ews_write.h"
#include "code.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "tz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * The EWS column of lib/appointment_fields.def, one row per canonical
 * unit; both directions read it. Names are EWS's (Exchange2016 schema,
 * "CalendarItem" on learn.microsoft.com).
 */
enum how {
	ELEM,        /* a t:CalendarItem child holding the string */
	UID,         /* the same, but Exchange cannot clear it */
	BODY,        /* item:Body, as text */
	TIME,        /* an xs:dateTime in UTC; a date in the event's zone when all-day */
	ALL_DAY,     /* IsAllDayEvent */
	TIME_ZONE,   /* StartTimeZone, and EndTimeZone the next in the schema */
	ORGANIZER,   /* Organizer/Mailbox/EmailAddress */
	ATTENDEES,   /* RequiredAttendees, and the two lists after it (attendee_lists) */
	CATEGORIES,  /* a list of t:String */
	SENSITIVITY, /* Private or Confidential is private */
	FREE_BUSY,   /* LegacyFreeBusyStatus (show_as) */
	MASTER,      /* RecurringMasterId: the read adds the series' master ItemId */
};

struct field {
	const char *unit; /* canonical unit */
	enum how how;
	const char *name; /* the element; NULL: Exchange lacks the unit */
	const char *uri;  /* its FieldURI */
	int order;        /* its place in the schema; 0: Exchange sets it, a write never does */
};

#define EWS(how, name, uri, order) how, name, uri, order
#define NO_EWS ELEM, NULL, NULL, 0
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, exchange },
static const struct field fields[] = {
#include "appointment_fields.def"
};
#undef OIS_APPOINTMENT_FIELD
#undef EWS
#undef NO_EWS

#define NFIELDS OIS_ARRAY_SIZE(fields)
#define ITEM "CalendarItem"
#define DAY ((time_t)86400)

/* The attendee lists by role, in schema order from the ATTENDEES row's element on. */
static const struct {
	const char *role; /* canonical */
	const char *list; /* the element */
} attendee_lists[] = {
	{ "required", "RequiredAttendees" },
	{ "optional", "OptionalAttendees" },
	{ "resource", "Resources" },
};

/* The TIME_ZONE row's element is StartTimeZone; EndTimeZone follows it in the schema. */
#define END_TIME_ZONE "EndTimeZone"

/* LegacyFreeBusyStatus <-> show_as; NoData (Exchange knows nothing) is no show_as. */
static const struct {
	const char *canon;
	const char *ews;
} free_busy[] = {
	{ "free", "Free" },
	{ "tentative", "Tentative" },
	{ "busy", "Busy" },
	{ "oof", "OOF" },
	{ "elsewhere", "WorkingElsewhere" },
};

/* What Exchange makes of an item written without a status, and of a status cleared. */
#define FREE_BUSY_DEFAULT "Busy"

static const struct field *field_by_unit(const char *unit)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].unit, unit))
			return &fields[i];
	return NULL;
}

/* The row of a unit this file handles by name (the times, which are read and written together). */
static const struct field *row(const char *unit)
{
	const struct field *f = field_by_unit(unit);
	if (!f || !f->name)
		OIS_BUG("lib/appointment_fields.def has no Exchange row for \"%s\"", unit);
	return f;
}

/* The row of the one unit Exchange holds that way (ALL_DAY, TIME_ZONE, FREE_BUSY). */
static const struct field *field_by_how(enum how how)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].how == how && fields[i].name)
			return &fields[i];
	OIS_BUG("lib/appointment_fields.def lacks an Exchange row of a how ews_appointment.c needs");
}

static int is_true(const char *s)
{
	return s && (!strcasecmp(s, "true") || !strcmp(s, "1"));
}

/* ---- native -> canonical ---- */

static void put_str(json_object *obj, const char *key, const char *val)
{
	if (ois_ews_nonblank(val))
		json_object_object_add(obj, key, json_object_new_string(val));
}

/*
 * The IANA zone of a native zone element: StartTimeZone or EndTimeZone
 * (its Id, a Windows zone id), else the MeetingTimeZone an Exchange 2007
 * item has (its TimeZoneName, also a Windows id). NULL when none maps.
 */
static const char *native_zone(json_object *native, const char *elem)
{
	const char *id = ois_json_str(ois_json_obj(native, elem), "Id");
	if (!ois_ews_nonblank(id))
		id = ois_json_str(ois_json_obj(native, "MeetingTimeZone"), "TimeZoneName");
	return ois_ews_nonblank(id) ? ois_tz_from_windows(id) : NULL;
}

/* t's UTC calendar date, "YYYY-MM-DD", into out (11 bytes). */
static void utc_date(time_t t, char out[11])
{
	char full[OIS_TIME_LEN];
	ois_time_format(t, full);
	snprintf(out, 11, "%.10s", full);
}

/* A TIME row's value: UTC, or for an all-day event the date in zone (NULL: the zone is unknown). */
static void time_to_canonical(json_object *c, const struct field *f, const char *raw, int all_day,
			      const char *zone)
{
	time_t t;
	char buf[OIS_TIME_LEN];
	if (!ois_ews_nonblank(raw))
		return;
	/* Exchange sends UTC with a Z; a time without one is UTC too. What is no time is kept as sent. */
	if (ois_time_parse(raw, OIS_TIME_NOZONE | OIS_TIME_NOSECONDS, &t)) {
		put_str(c, f->unit, raw);
		return;
	}
	if (!all_day)
		ois_time_format(t, buf);
	else if (!zone || ois_tz_midnight_date(zone, t, buf))
		/* No zone to read the date in: the nearest midnight UTC, as a birthday is read. */
		ois_ews_birthday_date(raw, buf);
	put_str(c, f->unit, buf);
}

/* The attendees of one native list: an array of t:Attendee (ois_ews_calendar_item_json), or {"Attendee": one or many}. */
static void attendees_of(json_object *list, const char *role, json_object *out)
{
	json_object *one = NULL;
	if (json_object_is_type(list, json_type_object) && json_object_object_get_ex(list, "Attendee", &one))
		list = one;
	size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 1;
	for (size_t i = 0; list && i < n; i++) {
		json_object *a = json_object_is_type(list, json_type_array) ? json_object_array_get_idx(list, i) : list;
		json_object *mb = ois_json_obj(a, "Mailbox");
		const char *email = ois_ews_nonblank(ois_ews_strip_smtp(ois_json_str(mb, "EmailAddress")));
		const char *name = ois_ews_nonblank(ois_json_str(mb, "Name"));
		if (!email && !name)
			continue;
		json_object *o = json_object_new_object();
		put_str(o, "email", email);
		put_str(o, "name", name);
		json_object_object_add(o, "role", json_object_new_string(role));
		json_object_array_add(out, o);
	}
}

static void add_nonempty_array(json_object *c, const char *key, json_object *arr)
{
	if (json_object_array_length(arr))
		json_object_object_add(c, key, arr);
	else
		json_object_put(arr);
}

static void categories_to_canonical(json_object *native, const struct field *f, json_object *c)
{
	json_object *v = NULL, *arr = json_object_new_array();
	json_object_object_get_ex(native, f->name, &v);
	if (json_object_is_type(v, json_type_string) && ois_ews_nonblank(json_object_get_string(v)))
		json_object_array_add(arr, json_object_new_string(json_object_get_string(v)));
	for (size_t i = 0; json_object_is_type(v, json_type_array) && i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (json_object_is_type(e, json_type_string) && ois_ews_nonblank(json_object_get_string(e)))
			json_object_array_add(arr, json_object_new_string(json_object_get_string(e)));
	}
	add_nonempty_array(c, f->unit, arr);
}

json_object *ois_ews_appointment_to_canonical(json_object *native)
{
	json_object *c = json_object_new_object();
	if (!native || !json_object_is_type(native, json_type_object))
		return c;
	int all_day = is_true(ois_json_str(native, field_by_how(ALL_DAY)->name));
	const char *zone = native_zone(native, field_by_how(TIME_ZONE)->name);
	const char *end_zone = native_zone(native, END_TIME_ZONE);
	const char *v;

	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (!f->name)
			continue;
		switch (f->how) {
		case ELEM:
		case UID:
		case BODY:
		case MASTER:
			put_str(c, f->unit, ois_json_str(native, f->name));
			break;
		case TIME:
			/* The end is a midnight of the end's zone; the start and original start of the start's. */
			time_to_canonical(c, f, ois_json_str(native, f->name), all_day,
					  f == row("end") && end_zone ? end_zone : zone);
			break;
		case ALL_DAY:
			if (all_day)
				json_object_object_add(c, f->unit, json_object_new_boolean(1));
			break;
		case TIME_ZONE:
			put_str(c, f->unit, zone);
			break;
		case ORGANIZER:
			v = ois_json_str(ois_json_obj(ois_json_obj(native, f->name), "Mailbox"), "EmailAddress");
			put_str(c, f->unit, ois_ews_strip_smtp(v));
			break;
		case ATTENDEES: {
			json_object *arr = json_object_new_array();
			for (size_t i = 0; i < OIS_ARRAY_SIZE(attendee_lists); i++) {
				json_object *list = NULL;
				if (json_object_object_get_ex(native, attendee_lists[i].list, &list))
					attendees_of(list, attendee_lists[i].role, arr);
			}
			add_nonempty_array(c, f->unit, arr);
			break;
		}
		case CATEGORIES:
			categories_to_canonical(native, f, c);
			break;
		case SENSITIVITY:
			v = ois_json_str(native, f->name);
			if (v && (!strcasecmp(v, "Private") || !strcasecmp(v, "Confidential")))
				json_object_object_add(c, f->unit, json_object_new_boolean(1));
			break;
		case FREE_BUSY:
			v = ois_json_str(native, f->name);
			for (size_t i = 0; v && i < OIS_ARRAY_SIZE(free_busy); i++)
				if (!strcasecmp(v, free_busy[i].ews))
					json_object_object_add(c, f->unit, json_object_new_string(free_busy[i].canon));
			break;
		}
	}
	return c;
}

/* ---- canonical -> XML ---- */

static const char *canon_str(json_object *data, const char *key)
{
	return ois_ews_nonblank(ois_json_str(data, key));
}

/* The times as Exchange takes them, worked out once from start, end, all_day and time_zone. */
struct when {
	char start[OIS_TIME_LEN], end[OIS_TIME_LEN]; /* UTC */
	int all_day;
	const char *zone_id; /* the Windows zone to write, or NULL: none */
};

/* A canonical date to the UTC instant of its midnight in zone. */
static int midnight(const char *unit, const char *date, const char *zone, char out[OIS_TIME_LEN])
{
	int y, m, d;
	time_t t;
	if (!date || !ois_date_valid(date) || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return ois_fail(OIS_EDATA, "all-day appointment: %s '%s' is not a YYYY-MM-DD date", unit,
				date ? date : "");
	if (ois_tz_wall_to_utc(zone, y, m, d, 0, 0, 0, &t))
		return ois_fail(OIS_EDATA, "all-day appointment: no midnight of %s in '%s'", date, zone);
	ois_time_format(t, out);
	return 0;
}

static int instant(const char *unit, const char *s, char out[OIS_TIME_LEN])
{
	time_t t;
	if (!s || ois_time_parse(s, 0, &t))
		return ois_fail(OIS_EDATA, "appointment: %s '%s' is not an RFC 3339 time", unit, s ? s : "");
	ois_time_format(t, out);
	return 0;
}

/* The day after a valid date, "YYYY-MM-DD", into out (11 bytes). */
static void next_day(const char *date, char out[11])
{
	time_t t = 0;
	ois_time_parse(date, OIS_TIME_DATE, &t);
	utc_date(t + DAY, out);
}

static int when_of(json_object *data, struct when *w)
{
	const char *start_unit = row("start")->unit, *end_unit = row("end")->unit;
	const char *start = canon_str(data, start_unit), *end = canon_str(data, end_unit);
	const char *tz = canon_str(data, field_by_how(TIME_ZONE)->unit);
	int rc;
	memset(w, 0, sizeof(*w));
	w->all_day = ois_json_bool(data, field_by_how(ALL_DAY)->unit, 0);
	w->zone_id = tz ? ois_tz_to_windows(tz) : NULL;
	if (tz && !w->zone_id)
		ois_debug("time zone '%s' has no Windows zone: the appointment is written without one", tz);
	if (!start)
		return ois_fail(OIS_EDATA, "an appointment needs a %s", start_unit);
	if (w->all_day) {
		/* The dates are the zone's; without a zone Exchange knows, UTC's, and the item says so. */
		const char *zone = tz;
		if (!w->zone_id || !ois_tz_known(tz)) {
			zone = "UTC";
			w->zone_id = "UTC";
		}
		char next[11];
		if (!end && ois_date_valid(start)) {
			next_day(start, next); /* one day, end exclusive */
			end = next;
		}
		if ((rc = midnight(start_unit, start, zone, w->start)) || (rc = midnight(end_unit, end, zone, w->end)))
			return rc;
	} else {
		if ((rc = instant(start_unit, start, w->start)))
			return rc;
		if ((rc = instant(end_unit, end ? end : start, w->end)))
			return rc;
	}
	if (strcmp(w->end, w->start) < 0)
		return ois_fail(OIS_EDATA, "appointment: %s '%s' is before %s '%s'", end_unit, end, start_unit, start);
	return 0;
}

static const char *free_busy_of(json_object *data, const struct field *f)
{
	const char *v = canon_str(data, f->unit);
	for (size_t i = 0; v && i < OIS_ARRAY_SIZE(free_busy); i++)
		if (!strcmp(v, free_busy[i].canon))
			return free_busy[i].ews;
	return NULL;
}

static int check_free_busy(json_object *data)
{
	const struct field *f = field_by_how(FREE_BUSY);
	const char *v = canon_str(data, f->unit);
	if (v && !free_busy_of(data, f))
		return ois_fail(OIS_EDATA, "appointment: %s '%s' is not free, tentative, busy, oof or elsewhere",
				f->unit, v);
	return 0;
}

/* The t:Attendee of one canonical attendee. */
static void add_attendee(struct ois_buf *out, json_object *a)
{
	const char *name = canon_str(a, "name"), *email = canon_str(a, "email");
	/* The schema's order inside t:Mailbox: Name, EmailAddress. */
	ois_buf_adds(out, "<t:Attendee><t:Mailbox>");
	if (name)
		ois_ews_add_elem(out, "Name", name);
	if (email)
		ois_ews_add_elem(out, "EmailAddress", email);
	ois_buf_adds(out, "</t:Mailbox></t:Attendee>");
}

/* Canonical roles other than optional and resource are required, as InterAction reads them. */
static int role_is(json_object *a, size_t list)
{
	const char *role = ois_json_str(a, "role");
	if (list == 0) {
		for (size_t i = 1; i < OIS_ARRAY_SIZE(attendee_lists); i++)
			if (ois_str_eq(role, attendee_lists[i].role))
				return 0;
		return 1;
	}
	return ois_str_eq(role, attendee_lists[list].role);
}

/* The attendee list of role list (an attendee_lists index), when it has anyone. */
static void add_attendee_list(struct ois_buf *out, json_object *data, const struct field *f, size_t list)
{
	json_object *arr = ois_json_arr(data, f->unit);
	int any = 0;
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *a = json_object_array_get_idx(arr, i);
		if (!role_is(a, list) || (!canon_str(a, "email") && !canon_str(a, "name")))
			continue;
		if (!any++)
			ois_buf_addf(out, "<t:%s>", attendee_lists[list].list);
		add_attendee(out, a);
	}
	if (any)
		ois_buf_addf(out, "</t:%s>", attendee_lists[list].list);
}

static void add_zone(struct ois_buf *out, const char *elem, const char *zone_id)
{
	ois_buf_addf(out, "<t:%s Id=\"", elem);
	ois_buf_add_xml(out, zone_id);
	ois_buf_adds(out, "\"/>");
}

/* The element(s) of one row of a create; the values were checked. */
static void add_field(struct ois_buf *out, json_object *data, const struct field *f, const struct when *w)
{
	const char *v = canon_str(data, f->unit);
	switch (f->how) {
	case ELEM:
	case UID:
		if (v)
			ois_ews_add_elem(out, f->name, v);
		break;
	case BODY:
		if (v)
			ois_ews_add_body(out, f->name, v);
		break;
	case TIME:
		/* Only start and end: original_start is never written (order 0). */
		ois_ews_add_elem(out, f->name, f == row("start") ? w->start : w->end);
		break;
	case ALL_DAY:
		if (w->all_day)
			ois_ews_add_elem(out, f->name, "true");
		break;
	case TIME_ZONE:
		if (w->zone_id) {
			add_zone(out, f->name, w->zone_id);
			add_zone(out, END_TIME_ZONE, w->zone_id);
		}
		break;
	case ATTENDEES:
		for (size_t i = 0; i < OIS_ARRAY_SIZE(attendee_lists); i++)
			add_attendee_list(out, data, f, i);
		break;
	case CATEGORIES:
		if (ois_ews_has_strings(ois_json_arr(data, f->unit)))
			ois_ews_add_strings(out, f->name, ois_json_arr(data, f->unit));
		break;
	case SENSITIVITY:
		if (ois_json_bool(data, f->unit, 0))
			ois_ews_add_elem(out, f->name, "Private");
		break;
	case FREE_BUSY:
		if (free_busy_of(data, f))
			ois_ews_add_elem(out, f->name, free_busy_of(data, f));
		break;
	case ORGANIZER:
	case MASTER:
		break; /* Exchange's own: order 0, never written */
	}
}

/* The rows a write may set, in schema order. */
static size_t schema_order(const struct field *out[NFIELDS])
{
	size_t n = 0;
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (!f->name || !f->order)
			continue;
		size_t i = n++;
		for (; i > 0 && out[i - 1]->order > f->order; i--)
			out[i] = out[i - 1];
		out[i] = f;
	}
	return n;
}

int ois_ews_appointment_xml(json_object *data, const char *op_id, struct ois_buf *out)
{
	struct when w;
	int rc = when_of(data, &w);
	if (!rc)
		rc = check_free_busy(data);
	if (rc)
		return rc;
	const struct field *rows[NFIELDS];
	size_t n = schema_order(rows);

	/* ItemType's elements first, then CalendarItemType's, each in schema order; the tag at ExtendedProperty's place. */
	ois_buf_adds(out, "<t:" ITEM ">");
	int op_done = !op_id;
	for (size_t i = 0; i < n; i++) {
		if (!op_done && rows[i]->order >= OIS_EWS_ORDER_EXTENDED_PROPERTY) {
			ois_ews_add_ext(out, ois_ews_op_id_uri(), op_id);
			op_done = 1;
		}
		add_field(out, data, rows[i], &w);
	}
	if (!op_done)
		ois_ews_add_ext(out, ois_ews_op_id_uri(), op_id);
	ois_buf_adds(out, "</t:" ITEM ">");
	return 0;
}

/* ---- canonical units -> UpdateItem changes ---- */

/* Set the field uri (a FieldURI's value) to the element in inner, or delete it. */
static void change_uri(struct ois_buf *out, const char *uri, struct ois_buf *inner, int *n)
{
	char *u = ois_xasprintf("<t:FieldURI FieldURI=\"%s\"/>", uri);
	ois_ews_change(out, ITEM, u, inner, n);
	free(u);
}

static void set_elem(struct ois_buf *out, const char *uri, const char *name, const char *val, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	ois_ews_add_elem(&inner, name, val);
	change_uri(out, uri, &inner, n);
	ois_buf_release(&inner);
}

/*
 * start, end, all_day and time_zone as one change: the zones first (the
 * times are read in them), then IsAllDayEvent, Start and End. A zone is
 * never deleted: an item without one is not what Exchange keeps.
 */
static int change_when(struct ois_buf *out, json_object *data, int *n)
{
	struct when w;
	int rc = when_of(data, &w);
	if (rc)
		return rc;
	if (w.zone_id) {
		const struct field *z = field_by_how(TIME_ZONE);
		struct ois_buf inner = OIS_BUF_INIT;
		add_zone(&inner, z->name, w.zone_id);
		change_uri(out, z->uri, &inner, n);
		add_zone(&inner, END_TIME_ZONE, w.zone_id);
		change_uri(out, "calendar:" END_TIME_ZONE, &inner, n);
		ois_buf_release(&inner);
	}
	const struct field *a = field_by_how(ALL_DAY), *s = row("start"), *e = row("end");
	set_elem(out, a->uri, a->name, w.all_day ? "true" : "false", n);
	set_elem(out, s->uri, s->name, w.start, n);
	set_elem(out, e->uri, e->name, w.end, n);
	return 0;
}

/* The changes that bring row f to its value in data (not the times: change_when). */
static int change_field(struct ois_buf *out, json_object *data, const struct field *f, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	const char *v = canon_str(data, f->unit);
	int rc = 0;
	switch (f->how) {
	case ELEM:
		if (v)
			ois_ews_add_elem(&inner, f->name, v);
		change_uri(out, f->uri, &inner, n);
		break;
	case UID:
		/* Exchange cannot clear a UID: an absent one leaves the item's own. */
		if (v)
			set_elem(out, f->uri, f->name, v, n);
		break;
	case BODY:
		if (v)
			ois_ews_add_body(&inner, f->name, v);
		change_uri(out, f->uri, &inner, n);
		break;
	case ATTENDEES:
		for (size_t i = 0; i < OIS_ARRAY_SIZE(attendee_lists); i++) {
			char *uri = ois_xasprintf("calendar:%s", attendee_lists[i].list);
			add_attendee_list(&inner, data, f, i);
			change_uri(out, uri, &inner, n);
			free(uri);
		}
		break;
	case CATEGORIES:
		if (ois_ews_has_strings(ois_json_arr(data, f->unit)))
			ois_ews_add_strings(&inner, f->name, ois_json_arr(data, f->unit));
		change_uri(out, f->uri, &inner, n);
		break;
	case SENSITIVITY:
		set_elem(out, f->uri, f->name, ois_json_bool(data, f->unit, 0) ? "Private" : "Normal", n);
		break;
	case FREE_BUSY:
		if (!(rc = check_free_busy(data)))
			set_elem(out, f->uri, f->name, v ? free_busy_of(data, f) : FREE_BUSY_DEFAULT, n);
		break;
	case TIME:
	case ALL_DAY:
	case TIME_ZONE:
	case ORGANIZER:
	case MASTER:
		break; /* the caller's */
	}
	ois_buf_release(&inner);
	return rc;
}

static int is_when(const struct field *f)
{
	return f->how == TIME || f->how == ALL_DAY || f->how == TIME_ZONE;
}

int ois_ews_appointment_updates_xml(json_object *data, json_object *names, struct ois_buf *out, int *n)
{
	int when_done = 0, rc = 0;
	*n = 0;
	if (!json_object_is_type(names, json_type_array))
		return ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
	for (size_t i = 0; i < json_object_array_length(names) && !rc; i++) {
		json_object *name = json_object_array_get_idx(names, i);
		if (!json_object_is_type(name, json_type_string))
			return ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
		const struct field *f = field_by_unit(json_object_get_string(name));
		if (!f)
			return ois_fail(OIS_EDATA, "unknown appointment field '%s'", json_object_get_string(name));
		if (!f->name || !f->order) {
			ois_debug("exchange cannot write the appointment's \"%s\"", f->unit);
			continue;
		}
		if (!is_when(f))
			rc = change_field(out, data, f, n);
		else if (!when_done++)
			rc = change_when(out, data, n);
	}
	return rc;
}
