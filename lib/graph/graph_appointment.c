/* graph_appointment.c - map a Microsoft Graph event (native JSON) to and from canonical appointment data. */
#include "graph_appointment.h"
#include "graph_ext.h"
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
 * The Graph column of lib/appointment_fields.def, one row per canonical
 * unit; both directions read it. Names are the v1.0 event resource's
 * ("event resource type", "dateTimeTimeZone", "attendee" on
 * learn.microsoft.com).
 */
enum how {
	PROP,        /* a string property */
	UID,         /* iCalUId */
	BODY,        /* body: {contentType, content} */
	TIME,        /* a dateTimeTimeZone */
	ALL_DAY,     /* isAllDay */
	TIME_ZONE,   /* originalStartTimeZone (originalEndTimeZone the end's) */
	LOCATION,    /* location's displayName */
	ORGANIZER,   /* organizer's emailAddress's address */
	ATTENDEES,   /* attendees: {type, emailAddress: {name, address}} */
	CATEGORIES,  /* an array of strings */
	SENSITIVITY, /* normal, personal, private, confidential */
	SHOW_AS,     /* showAs */
	INSTANT,     /* a DateTimeOffset */
};

struct field {
	const char *unit; /* canonical unit */
	enum how how;
	const char *name; /* the property; NULL: Graph lacks the unit */
	int writes;       /* 0: Graph sets it, a write never does */
};

#define GRAPH(how, name, writes) how, name, writes
#define NO_GRAPH PROP, NULL, 0
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, graph },
static const struct field fields[] = {
#include "appointment_fields.def"
};
#undef OIS_APPOINTMENT_FIELD
#undef GRAPH
#undef NO_GRAPH

#define NFIELDS OIS_ARRAY_SIZE(fields)
#define DAY ((time_t)86400)

/* The end's zone: originalStartTimeZone's companion, which no row names. */
#define END_TIME_ZONE "originalEndTimeZone"
/* The kind of event: an occurrence or exception of a series carries its instance in iCalUId. */
#define EVENT_TYPE "type"

/* attendee's type <-> canonical role; another type is required, as InterAction reads it. */
static const char *const roles[] = { "required", "optional", "resource" };

/* showAs <-> show_as; unknown (Graph knows nothing) is no show_as. */
static const struct {
	const char *canon, *graph;
} show_as[] = {
	{ "free", "free" },
	{ "tentative", "tentative" },
	{ "busy", "busy" },
	{ "oof", "oof" },
	{ "elsewhere", "workingElsewhere" },
};

/* What Exchange makes of an event written without a status, and of a status cleared (as EWS's Busy). */
#define SHOW_AS_DEFAULT "busy"
#define SENSITIVITY_PRIVATE "private"
#define SENSITIVITY_NORMAL "normal"
#define BODY_TYPE "text"

/* The name Graph gives UTC as a zone in some replies, beside Windows and IANA names. */
#define GRAPH_UTC "tzone://Microsoft/Utc"

/* The zone a write names when data has none it can use. */
#define WRITE_UTC "UTC"

const char *ois_graph_appointment_expand(void)
{
	return OIS_GRAPH_EXT_KEY "($filter=" OIS_GRAPH_EXT_TERM(OIS_GRAPH_OP_ID) ")";
}

static const struct field *field_by_unit(const char *unit)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].unit, unit))
			return &fields[i];
	return NULL;
}

/* The row of a unit this file handles by name (the times, read and written together). */
static const struct field *row(const char *unit)
{
	const struct field *f = field_by_unit(unit);
	if (!f || !f->name)
		OIS_BUG("lib/appointment_fields.def has no Graph row for \"%s\"", unit);
	return f;
}

/* The row of the one unit Graph holds that way (ALL_DAY, TIME_ZONE, SHOW_AS). */
static const struct field *field_by_how(enum how how)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].how == how && fields[i].name)
			return &fields[i];
	OIS_BUG("lib/appointment_fields.def lacks a Graph row of a how graph_appointment.c needs");
}

/* s when it holds something other than white space, else NULL. */
static const char *text(const char *s)
{
	for (const char *p = s; p && *p; p++)
		if (!strchr(" \t\r\n\f\v", *p))
			return s;
	return NULL;
}

/* ---- native -> canonical ---- */

static void put_str(json_object *obj, const char *key, const char *val)
{
	if (text(val))
		json_object_object_add(obj, key, json_object_new_string(val));
}

/*
 * The IANA zone of a zone name Graph sends: a Windows id through CLDR
 * (what Outlook writes), an IANA name the system knows as it is (what
 * other clients, and oisync, write), Graph's own name for UTC. NULL when
 * none (a custom zone, "tzone://Microsoft/Custom", has no name). Static
 * storage or name itself.
 */
static const char *iana_of(const char *name)
{
	if (!text(name))
		return NULL;
	if (!strcasecmp(name, GRAPH_UTC))
		return ois_tz_from_windows("UTC");
	const char *z = ois_tz_from_windows(name);
	return z ? z : ois_tz_known(name) ? name : NULL;
}

/*
 * A dateTimeTimeZone's instant: its dateTime ("2026-11-10T19:00:00.0000000",
 * no offset) as a wall time in its timeZone; a dateTime with an offset is
 * an instant already, and one without a timeZone is UTC. 0, 1 when it has
 * no dateTime, -1 when it is no time or its zone is unknown.
 */
static int when_instant(json_object *dtz, time_t *t)
{
	const char *dt = text(ois_json_str(dtz, "dateTime")), *name = text(ois_json_str(dtz, "timeZone"));
	const char *zone = name ? iana_of(name) : ois_tz_from_windows("UTC");
	time_t wall;
	struct tm tm;
	if (!dt)
		return 1;
	if (!ois_time_parse(dt, 0, t))
		return 0;
	if (!zone || ois_time_parse(dt, OIS_TIME_NOZONE | OIS_TIME_NOSECONDS, &wall) || !gmtime_r(&wall, &tm))
		return -1;
	return ois_tz_wall_to_utc(zone, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				  tm.tm_sec, t) ? -1 : 0;
}

/* An instant as canonical data holds it: UTC, or for an all-day event the date in zone (NULL: unknown). */
static void put_time(json_object *c, const char *unit, time_t t, int all_day, const char *zone)
{
	char buf[OIS_TIME_LEN], date[11];
	ois_time_format(t, buf);
	if (!all_day)
		put_str(c, unit, buf);
	else if (zone && !ois_tz_midnight_date(zone, t, date))
		put_str(c, unit, date);
	else if (!ois_date_of_midnight(buf, date))
		/* No zone to read the date in: the nearest midnight UTC, as EWS reads one. */
		put_str(c, unit, date);
}

/* A TIME row: what is no time in a zone known is kept as sent, with its zone, and normalization drops it. */
static void time_to_canonical(json_object *c, const struct field *f, json_object *dtz, int all_day, const char *zone)
{
	time_t t;
	int rc = when_instant(dtz, &t);
	if (!rc) {
		put_time(c, f->unit, t, all_day, zone);
	} else if (rc < 0) {
		char *raw = ois_xasprintf("%s %s", ois_json_str(dtz, "dateTime"),
					  text(ois_json_str(dtz, "timeZone")) ? ois_json_str(dtz, "timeZone") : "");
		put_str(c, f->unit, raw);
		free(raw);
	}
}

/* An INSTANT row, a DateTimeOffset; what is no time is kept as sent. */
static void instant_to_canonical(json_object *c, const struct field *f, const char *raw, int all_day, const char *zone)
{
	time_t t;
	if (!text(raw))
		return;
	if (ois_time_parse(raw, OIS_TIME_NOZONE | OIS_TIME_NOSECONDS, &t))
		put_str(c, f->unit, raw);
	else
		put_time(c, f->unit, t, all_day, zone);
}

/*
 * iCalUId. An occurrence's and an exception's carry the instance: they are
 * the series' PidLidGlobalObjectId with the instance date in bytes 16-19
 * ([MS-OXOCAL] 2.2.1.27), hex digits 32-39. EWS's UID, and so InterAction's,
 * is the series' own for each (PidLidCleanGlobalObjectId: those bytes zero),
 * and reconcile matches occurrences by UID and original start: read
 * Graph's the same way.
 */
#define GOID_CLASS "040000008200E00074C5B7101A82E008" /* the first 16 bytes of every Outlook GlobalObjectId */
#define GOID_DATE 32                                  /* hex digits before the instance date */
#define GOID_DATE_LEN 8

static int is_instance(json_object *native)
{
	const char *type = ois_json_str(native, EVENT_TYPE);
	return (type && (!strcasecmp(type, "occurrence") || !strcasecmp(type, "exception"))) ||
	       text(ois_json_str(native, row("series")->name));
}

static void uid_to_canonical(json_object *c, const struct field *f, json_object *native)
{
	const char *uid = text(ois_json_str(native, f->name));
	if (!uid)
		return;
	size_t len = strlen(uid);
	int goid = len >= GOID_DATE + GOID_DATE_LEN && !strncasecmp(uid, GOID_CLASS, strlen(GOID_CLASS)) &&
		   strspn(uid, "0123456789ABCDEFabcdef") == len;
	if (!goid || !is_instance(native)) {
		put_str(c, f->unit, uid);
		return;
	}
	char *series = ois_xstrdup(uid);
	memset(series + GOID_DATE, '0', GOID_DATE_LEN);
	put_str(c, f->unit, series);
	free(series);
}

static void add_nonempty_array(json_object *c, const char *key, json_object *arr)
{
	if (json_object_array_length(arr))
		json_object_object_add(c, key, arr);
	else
		json_object_put(arr);
}

/* The attendees with an address or a name: email, name, role. */
static void attendees_to_canonical(json_object *c, const struct field *f, json_object *list)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++) {
		json_object *a = json_object_array_get_idx(list, i);
		json_object *ea = ois_json_obj(a, "emailAddress");
		const char *email = text(ois_json_str(ea, "address")), *name = text(ois_json_str(ea, "name"));
		const char *type = ois_json_str(a, "type"), *role = roles[0];
		if (!email && !name)
			continue;
		for (size_t r = 0; type && r < OIS_ARRAY_SIZE(roles); r++)
			if (!strcasecmp(type, roles[r]))
				role = roles[r];
		json_object *o = json_object_new_object();
		put_str(o, "email", email);
		put_str(o, "name", name);
		json_object_object_add(o, "role", json_object_new_string(role));
		json_object_array_add(arr, o);
	}
	add_nonempty_array(c, f->unit, arr);
}

static json_object *strings_of(json_object *arr)
{
	json_object *out = json_object_new_array();
	for (size_t i = 0; json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e, json_type_string) && text(json_object_get_string(e)))
			json_object_array_add(out, json_object_new_string(json_object_get_string(e)));
	}
	return out;
}

json_object *ois_graph_appointment_to_canonical(json_object *native)
{
	json_object *c = json_object_new_object();
	if (!json_object_is_type(native, json_type_object))
		return c;
	int all_day = ois_json_bool(native, field_by_how(ALL_DAY)->name, 0);
	const char *zone = iana_of(ois_json_str(native, field_by_how(TIME_ZONE)->name));
	const char *end_zone = iana_of(ois_json_str(native, END_TIME_ZONE));
	const char *v;

	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (!f->name)
			continue;
		switch (f->how) {
		case PROP:
			put_str(c, f->unit, ois_json_str(native, f->name));
			break;
		case UID:
			uid_to_canonical(c, f, native);
			break;
		case BODY:
			put_str(c, f->unit, ois_json_str(ois_json_obj(native, f->name), "content"));
			break;
		case TIME:
			/* The end is a midnight of the end's zone; the start of the start's. */
			time_to_canonical(c, f, ois_json_obj(native, f->name), all_day,
					  f == row("end") && end_zone ? end_zone : zone);
			break;
		case INSTANT:
			instant_to_canonical(c, f, ois_json_str(native, f->name), all_day, zone);
			break;
		case ALL_DAY:
			if (all_day)
				json_object_object_add(c, f->unit, json_object_new_boolean(1));
			break;
		case TIME_ZONE:
			put_str(c, f->unit, zone);
			break;
		case LOCATION:
			put_str(c, f->unit, ois_json_str(ois_json_obj(native, f->name), "displayName"));
			break;
		case ORGANIZER:
			put_str(c, f->unit, ois_json_str(ois_json_obj(ois_json_obj(native, f->name), "emailAddress"), "address"));
			break;
		case ATTENDEES:
			attendees_to_canonical(c, f, ois_json_arr(native, f->name));
			break;
		case CATEGORIES:
			add_nonempty_array(c, f->unit, strings_of(ois_json_arr(native, f->name)));
			break;
		case SENSITIVITY:
			v = ois_json_str(native, f->name);
			if (v && (!strcasecmp(v, "private") || !strcasecmp(v, "confidential")))
				json_object_object_add(c, f->unit, json_object_new_boolean(1));
			break;
		case SHOW_AS:
			v = ois_json_str(native, f->name);
			for (size_t i = 0; v && i < OIS_ARRAY_SIZE(show_as); i++)
				if (!strcasecmp(v, show_as[i].graph))
					json_object_object_add(c, f->unit, json_object_new_string(show_as[i].canon));
			break;
		}
	}
	return c;
}

/* ---- canonical -> body ---- */

static const char *canon_str(json_object *data, const char *key)
{
	return text(ois_json_str(data, key));
}

/* The times as Graph takes them, worked out once from start, end, all_day and time_zone. */
struct when {
	char start[OIS_TIME_LEN], end[OIS_TIME_LEN]; /* wall times in zone, "YYYY-MM-DDTHH:MM:SS" */
	int all_day;
	const char *zone; /* the timeZone to write */
};

/* A canonical date's midnight, as a dateTime. */
static int midnight(const char *unit, const char *date, char out[OIS_TIME_LEN])
{
	if (!date || !ois_date_valid(date))
		return ois_fail(OIS_EDATA, "all-day appointment: %s '%s' is not a YYYY-MM-DD date", unit,
				date ? date : "");
	snprintf(out, OIS_TIME_LEN, "%sT00:00:00", date);
	return 0;
}

/* A canonical instant, and its wall time in zone as a dateTime. */
static int wall(const char *unit, const char *s, const char *zone, time_t *t, char out[OIS_TIME_LEN])
{
	struct tm tm;
	if (!s || ois_time_parse(s, 0, t))
		return ois_fail(OIS_EDATA, "appointment: %s '%s' is not an RFC 3339 time", unit, s ? s : "");
	if (!strcmp(zone, WRITE_UTC) ? !gmtime_r(t, &tm) : ois_tz_utc_to_wall(zone, *t, &tm) != 0)
		return ois_fail(OIS_EDATA, "appointment: %s '%s' has no wall time in '%s'", unit, s, zone);
	strftime(out, OIS_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	return 0;
}

/* The day after a valid date, "YYYY-MM-DD", into out (11 bytes). */
static void next_day(const char *date, char out[11])
{
	time_t t = 0;
	char full[OIS_TIME_LEN];
	ois_time_parse(date, OIS_TIME_DATE, &t);
	ois_time_format(t + DAY, full);
	snprintf(out, 11, "%.10s", full);
}

static int when_of(json_object *data, struct when *w)
{
	const char *start_unit = row("start")->unit, *end_unit = row("end")->unit;
	const char *start = canon_str(data, start_unit), *end = canon_str(data, end_unit);
	const char *tz = canon_str(data, field_by_how(TIME_ZONE)->unit);
	int rc;
	memset(w, 0, sizeof(*w));
	w->all_day = ois_json_bool(data, field_by_how(ALL_DAY)->unit, 0);
	/* Graph takes IANA names; one the system does not know could not be checked, nor converted to. */
	w->zone = tz && ois_tz_known(tz) ? tz : WRITE_UTC;
	if (tz && w->zone != tz)
		ois_debug("time zone '%s' is unknown: the appointment is written in UTC", tz);
	if (!start)
		return ois_fail(OIS_EDATA, "an appointment needs a %s", start_unit);
	if (w->all_day) {
		char next[11];
		if (!end && ois_date_valid(start)) {
			next_day(start, next); /* one day, end exclusive */
			end = next;
		}
		if ((rc = midnight(start_unit, start, w->start)) || (rc = midnight(end_unit, end, w->end)))
			return rc;
		if (strcmp(end, start) < 0)
			return ois_fail(OIS_EDATA, "appointment: %s '%s' is before %s '%s'", end_unit, end, start_unit, start);
		return 0;
	}
	time_t ts, te;
	if ((rc = wall(start_unit, start, w->zone, &ts, w->start)) ||
	    (rc = wall(end_unit, end ? end : start, w->zone, &te, w->end)))
		return rc;
	if (te < ts)
		return ois_fail(OIS_EDATA, "appointment: %s '%s' is before %s '%s'", end_unit, end, start_unit, start);
	return 0;
}

static json_object *date_time_zone(const char *date_time, const char *zone)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "dateTime", json_object_new_string(date_time));
	json_object_object_add(o, "timeZone", json_object_new_string(zone));
	return o;
}

static void put_when(json_object *body, const struct when *w, int update)
{
	json_object_object_add(body, row("start")->name, date_time_zone(w->start, w->zone));
	json_object_object_add(body, row("end")->name, date_time_zone(w->end, w->zone));
	if (w->all_day || update)
		json_object_object_add(body, field_by_how(ALL_DAY)->name, json_object_new_boolean(w->all_day));
}

static const char *show_as_of(json_object *data, const struct field *f)
{
	const char *v = canon_str(data, f->unit);
	for (size_t i = 0; v && i < OIS_ARRAY_SIZE(show_as); i++)
		if (!strcmp(v, show_as[i].canon))
			return show_as[i].graph;
	return NULL;
}

static int check_show_as(json_object *data)
{
	const struct field *f = field_by_how(SHOW_AS);
	const char *v = canon_str(data, f->unit);
	if (v && !show_as_of(data, f))
		return ois_fail(OIS_EDATA, "appointment: %s '%s' is not free, tentative, busy, oof or elsewhere",
				f->unit, v);
	return 0;
}

/* The attendees as Graph takes them; any role but optional and resource is required. */
static json_object *attendees_body(json_object *list)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++) {
		json_object *a = json_object_array_get_idx(list, i);
		const char *email = canon_str(a, "email"), *name = canon_str(a, "name"), *role = ois_json_str(a, "role");
		const char *type = roles[0];
		if (!email && !name)
			continue;
		for (size_t r = 0; role && r < OIS_ARRAY_SIZE(roles); r++)
			if (!strcmp(role, roles[r]))
				type = roles[r];
		json_object *ea = json_object_new_object();
		if (email)
			json_object_object_add(ea, "address", json_object_new_string(email));
		if (name)
			json_object_object_add(ea, "name", json_object_new_string(name));
		json_object *o = json_object_new_object();
		json_object_object_add(o, "emailAddress", ea);
		json_object_object_add(o, "type", json_object_new_string(type));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* {key: s} for a complex property holding one string (body, location). */
static json_object *holding(const char *key, const char *s, const char *type)
{
	json_object *o = json_object_new_object();
	if (type)
		json_object_object_add(o, "contentType", json_object_new_string(type));
	json_object_object_add(o, key, json_object_new_string(s ? s : ""));
	return o;
}

/* The body's part for row f (not the times: put_when); in a create only a value, in an update what clears it too. */
static void put_field(json_object *body, json_object *data, const struct field *f, int update)
{
	const char *v = canon_str(data, f->unit);
	json_object *arr;
	switch (f->how) {
	case PROP:
		if (v || update)
			json_object_object_add(body, f->name, v ? json_object_new_string(v) : NULL);
		break;
	case BODY:
		if (v || update)
			json_object_object_add(body, f->name, holding("content", v, BODY_TYPE));
		break;
	case LOCATION:
		if (v || update)
			json_object_object_add(body, f->name, holding("displayName", v, NULL));
		break;
	case ATTENDEES:
		arr = attendees_body(ois_json_arr(data, f->unit));
		if (json_object_array_length(arr) || update)
			json_object_object_add(body, f->name, arr);
		else
			json_object_put(arr);
		break;
	case CATEGORIES:
		arr = strings_of(ois_json_arr(data, f->unit));
		if (json_object_array_length(arr) || update)
			json_object_object_add(body, f->name, arr);
		else
			json_object_put(arr);
		break;
	case SENSITIVITY:
		if (ois_json_bool(data, f->unit, 0) || update)
			json_object_object_add(body, f->name, json_object_new_string(
				ois_json_bool(data, f->unit, 0) ? SENSITIVITY_PRIVATE : SENSITIVITY_NORMAL));
		break;
	case SHOW_AS:
		if (v || update)
			json_object_object_add(body, f->name, json_object_new_string(v ? show_as_of(data, f) : SHOW_AS_DEFAULT));
		break;
	case UID:
	case TIME:
	case ALL_DAY:
	case TIME_ZONE:
	case ORGANIZER:
	case INSTANT:
		break; /* the times are put_when's; the rest Graph's own */
	}
}

static int is_when(const struct field *f)
{
	return f->how == TIME || f->how == ALL_DAY || f->how == TIME_ZONE;
}

/* One unit an update names: its part of the body (the times: all of them, once). 0, or OIS_EDATA logged. */
static int put_unit(json_object *body, json_object *data, json_object *name, int *when_done)
{
	struct when w;
	int rc;
	if (!json_object_is_type(name, json_type_string))
		return ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
	const struct field *f = field_by_unit(json_object_get_string(name));
	if (!f)
		return ois_fail(OIS_EDATA, "unknown appointment field '%s'", json_object_get_string(name));
	if (!f->name || !f->writes) {
		ois_debug("graph cannot write the appointment's \"%s\"", f->unit);
		return 0;
	}
	if (is_when(f)) {
		if ((*when_done)++)
			return 0;
		if ((rc = when_of(data, &w)))
			return rc;
		put_when(body, &w, 1);
		return 0;
	}
	if (f->how == SHOW_AS && (rc = check_show_as(data)))
		return rc;
	put_field(body, data, f, 1);
	return 0;
}

json_object *ois_graph_appointment_from_canonical(json_object *data, json_object *names)
{
	struct when w;
	int rc = 0, when_done = 0;
	json_object *body = json_object_new_object();
	if (names && !json_object_is_type(names, json_type_array))
		rc = ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
	for (size_t i = 0; names && !rc && i < json_object_array_length(names); i++)
		rc = put_unit(body, data, json_object_array_get_idx(names, i), &when_done);
	if (!names && !(rc = when_of(data, &w)) && !(rc = check_show_as(data))) {
		for (const struct field *f = fields; f < fields + NFIELDS; f++) {
			if (!f->name || !f->writes)
				continue;
			if (!is_when(f))
				put_field(body, data, f, 0);
			else if (!when_done++)
				put_when(body, &w, 0);
		}
	}
	if (rc) {
		json_object_put(body);
		return NULL;
	}
	return body;
}

json_object *ois_graph_appointment_to_native(json_object *data)
{
	json_object *body = ois_graph_appointment_from_canonical(data, NULL);
	if (!body)
		return NULL;
	/* Graph keeps the zones a create names as the event's own. */
	const char *zone = ois_json_str(ois_json_obj(body, row("start")->name), "timeZone");
	const char *end_zone = ois_json_str(ois_json_obj(body, row("end")->name), "timeZone");
	json_object_object_add(body, field_by_how(TIME_ZONE)->name, json_object_new_string(zone ? zone : WRITE_UTC));
	json_object_object_add(body, END_TIME_ZONE, json_object_new_string(end_zone ? end_zone : WRITE_UTC));
	return body;
}
