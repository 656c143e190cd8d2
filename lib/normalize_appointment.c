/* normalize_appointment.c - canonical appointment data made comparable field by field (oisync-transform(1)). */
#include "normalize.h"
#include "normalize_p.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How lib/appointment_fields.def's kinds are cleaned; the units below have rules of their own. */
enum appt_kind { STRING, FLAG, LIST, ATTENDEES };

static const struct {
	const char *unit;
	enum appt_kind kind;
} units[] = {
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, kind },
#include "appointment_fields.def"
#undef OIS_APPOINTMENT_FIELD
};

static const char *const time_units[] = { "start", "end", "original_start" };
static const char *const show_as_words[] = { "busy", "free", "tentative", "oof", "elsewhere" };
static const char *const roles[] = { "required", "optional", "resource" };

static int is_one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return 1;
	return 0;
}

/*
 * A time of an all-day event is the date in the event's own zone, so a
 * date-time there keeps its date as written: converting it to UTC would
 * move a day in Sydney to the day before. A timed one is the UTC instant.
 */
static void fix_time(json_object *data, const char *unit, int all_day, const char *label)
{
	ois_norm_str(data, unit, ois_text_clean);
	const char *v = ois_json_str(data, unit);
	time_t t;
	if (!v)
		return;
	if (all_day) {
		char date[11];
		snprintf(date, sizeof(date), "%s", v);
		if (ois_date_valid(date)) {
			ois_json_set_str(data, unit, date);
			return;
		}
	} else if (!ois_time_parse(v, OIS_TIME_DATE | OIS_TIME_NOZONE | OIS_TIME_NOSECONDS, &t)) {
		char out[OIS_TIME_LEN];
		ois_time_format(t, out);
		ois_json_set_str(data, unit, out);
		return;
	}
	ois_warn("%s: %s \"%s\" is not a %s; dropped", label ? label : "appointment", unit, v,
		 all_day ? "date" : "time");
	json_object_object_del(data, unit);
}

static void fix_show_as(json_object *data)
{
	ois_norm_str(data, "show_as", ois_text_clean);
	const char *v = ois_json_str(data, "show_as");
	if (!v)
		return;
	char low[16];
	size_t n = strlen(v);
	for (size_t i = 0; i < n && i < sizeof(low) - 1; i++)
		low[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
	low[n < sizeof(low) - 1 ? n : sizeof(low) - 1] = '\0';
	if (is_one_of(low, show_as_words, OIS_ARRAY_SIZE(show_as_words)))
		ois_json_set_str(data, "show_as", low);
	else
		json_object_object_del(data, "show_as");
}

struct attendee {
	char *email, *name;
	const char *role;
};

static int cmp_attendee(const void *a, const void *b)
{
	const struct attendee *x = a, *y = b;
	int c = strcmp(x->email, y->email);
	return c ? c : strcmp(x->name, y->name);
}

/*
 * The participants as a set: addresses cleaned and lower-cased, names
 * cleaned, an unknown role read as required, sorted by address then name,
 * one entry per address (the first one's name and role). Exchange and
 * InterAction list them in orders of their own.
 */
static void fix_attendees(json_object *data)
{
	json_object *arr = ois_json_arr(data, "attendees");
	size_t n = arr ? json_object_array_length(arr) : 0, k = 0;
	struct attendee *v = ois_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(arr, i);
		const char *email = ois_json_str(a, "email"), *name = ois_json_str(a, "name"),
			   *role = ois_json_str(a, "role");
		struct attendee at = { ois_email_clean(email ? email : ""), ois_text_clean(name ? name : ""),
				       is_one_of(role, roles, OIS_ARRAY_SIZE(roles)) ? role : "required" };
		if (!*at.email && !*at.name) {
			free(at.email);
			free(at.name);
			continue;
		}
		v[k++] = at;
	}
	/* Stable for equal keys: the first of one address wins, whatever the sort does with the rest. */
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < i; j++)
			if (*v[i].email && !strcmp(v[i].email, v[j].email)) {
				free(v[i].name);
				v[i].name = ois_xstrdup(v[j].name);
				v[i].role = v[j].role;
			}
	qsort(v, k, sizeof(*v), cmp_attendee);
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && *v[i].email && !strcmp(v[i].email, v[i - 1].email))
			continue;
		json_object *o = json_object_new_object();
		if (*v[i].email)
			json_object_object_add(o, "email", json_object_new_string(v[i].email));
		if (*v[i].name)
			json_object_object_add(o, "name", json_object_new_string(v[i].name));
		json_object_object_add(o, "role", json_object_new_string(v[i].role));
		json_object_array_add(out, o);
	}
	for (size_t i = 0; i < k; i++) {
		free(v[i].email);
		free(v[i].name);
	}
	free(v);
	if (json_object_array_length(out))
		json_object_object_add(data, "attendees", out);
	else {
		json_object_put(out);
		json_object_object_del(data, "attendees");
	}
}

void ois_appointment_normalize(json_object *data, const char *label)
{
	ois_norm_flag(data, "all_day");
	int all_day = ois_json_bool(data, "all_day", 0);
	for (size_t i = 0; i < OIS_ARRAY_SIZE(units); i++) {
		const char *unit = units[i].unit;
		if (is_one_of(unit, time_units, OIS_ARRAY_SIZE(time_units)))
			fix_time(data, unit, all_day, label);
		else if (!strcmp(unit, "show_as"))
			fix_show_as(data);
		else if (!strcmp(unit, "notes"))
			ois_norm_str(data, unit, ois_text_clean_notes);
		else if (!strcmp(unit, "organizer"))
			ois_norm_str(data, unit, ois_email_clean);
		else if (units[i].kind == STRING)
			ois_norm_str(data, unit, ois_text_clean);
		else if (units[i].kind == FLAG)
			ois_norm_flag(data, unit);
		else if (units[i].kind == LIST)
			ois_norm_list(data, unit);
		else
			fix_attendees(data);
	}
}
