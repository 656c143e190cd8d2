/* ia_appointment.c - InterAction appointments <-> canonical appointment data (oisync-records(5)). */
#include "ia_appointment.h"
#include "buf.h"
#include "record.h"
#include "util.h"

#include <string.h>

enum unit_kind { U_STRING, U_FLAG, U_LIST, U_ATTENDEES };

/* Canonical unit, its API key (NULL: InterAction lacks it), and how its value looks: lib/appointment_fields.def. */
static const struct unit {
	const char *canon;
	const char *api;
	enum unit_kind kind;
} units[] = {
#define IA(key) key
#define NO_IA NULL
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, interaction, U_##kind },
#include "appointment_fields.def"
#undef OIS_APPOINTMENT_FIELD
#undef NO_IA
#undef IA
};

static const char *const roles[] = { "required", "optional", "resource" };

/*
 * status is the server's to set (the API ignores it on writes): a body
 * never carries it; the backend completes or reopens the item instead.
 */
static int writable(const struct unit *u)
{
	return u->api && strcmp(u->api, "status");
}

/*
 * The attendees as canonical: email, name, role; the server's contact_id is
 * its own business. arr may be anything a server sent: what is not an array
 * holds no attendees (json-c aborts on the length of a non-array).
 */
static json_object *attendees_copy(json_object *arr, int to_canon)
{
	json_object *out = json_object_new_array();
	if (!json_object_is_type(arr, json_type_array))
		return out;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *a = json_object_array_get_idx(arr, i);
		const char *email = ois_json_str(a, "email"), *name = ois_json_str(a, "name"),
			   *role = ois_json_str(a, "role");
		if (ois_str_empty(email) && ois_str_empty(name))
			continue;
		int known = 0;
		for (size_t r = 0; role && r < OIS_ARRAY_SIZE(roles); r++)
			known |= !strcmp(role, roles[r]);
		json_object *o = json_object_new_object();
		if (!ois_str_empty(email) || !to_canon)
			json_object_object_add(o, "email", json_object_new_string(email ? email : ""));
		if (!ois_str_empty(name) || !to_canon)
			json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
		/* An unknown role is kept as the API's default, required. */
		json_object_object_add(o, "role", json_object_new_string(known ? role : "required"));
		json_object_array_add(out, o);
	}
	return out;
}

/* The non-empty strings of arr, as a new array; none when arr is not an array. */
static json_object *strings_copy(json_object *arr)
{
	json_object *out = json_object_new_array();
	if (!json_object_is_type(arr, json_type_array))
		return out;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (json_object_is_type(v, json_type_string) && *json_object_get_string(v))
			json_object_array_add(out, json_object_new_string(json_object_get_string(v)));
	}
	return out;
}

char *ois_ia_notes_without_guests(const char *notes)
{
	static const char mark[] = "\n\n" OIS_IA_GUESTS_MARK "\n";
	if (!notes)
		return ois_xstrdup("");
	if (!strncmp(notes, mark + 2, sizeof(mark) - 3))
		return ois_xstrdup("");
	const char *cut = NULL;
	for (const char *p = strstr(notes, mark); p; p = strstr(p + 1, mark))
		cut = p;
	return cut ? ois_xstrndup(notes, (size_t)(cut - notes)) : ois_xstrdup(notes);
}

char *ois_ia_notes_with_guests(const char *notes, json_object *attendees)
{
	struct ois_buf b = OIS_BUF_INIT;
	char *own = ois_ia_notes_without_guests(notes);
	ois_buf_adds(&b, own);
	free(own);
	size_t n = json_object_is_type(attendees, json_type_array) ? json_object_array_length(attendees) : 0;
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(attendees, i);
		const char *email = ois_json_str(a, "email"), *name = ois_json_str(a, "name");
		if (ois_json_str(a, "contact_id") || ois_json_str(a, "user_id") || (ois_str_empty(email) && ois_str_empty(name)))
			continue;
		if (!any++)
			ois_buf_adds(&b, b.len ? "\n\n" OIS_IA_GUESTS_MARK : OIS_IA_GUESTS_MARK);
		ois_buf_adds(&b, "\n");
		if (!ois_str_empty(name))
			ois_buf_addf(&b, ois_str_empty(email) ? "%s" : "%s <%s>", name, email ? email : "");
		else
			ois_buf_adds(&b, email);
	}
	return ois_buf_detach(&b, NULL);
}

json_object *ois_ia_appointment_to_canonical(json_object *native)
{
	json_object *c = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(units); i++) {
		const struct unit *u = &units[i];
		json_object *v = NULL;
		if (!u->api || !json_object_object_get_ex(native, u->api, &v) || !v)
			continue;
		switch (u->kind) {
		case U_STRING:
			if (!strcmp(u->canon, "notes") && json_object_is_type(v, json_type_string)) {
				char *own = ois_ia_notes_without_guests(json_object_get_string(v));
				if (*own)
					json_object_object_add(c, u->canon, json_object_new_string(own));
				free(own);
				break;
			}
			/* "appointment" is the status of every item not yet held: absent means that. */
			if (json_object_is_type(v, json_type_string) && *json_object_get_string(v) &&
			    !(!strcmp(u->canon, "status") && !strcmp(json_object_get_string(v), "appointment")))
				json_object_object_add(c, u->canon, json_object_new_string(json_object_get_string(v)));
			break;
		case U_FLAG:
			if (json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))
				json_object_object_add(c, u->canon, json_object_new_boolean(1));
			break;
		case U_LIST:
		case U_ATTENDEES: {
			json_object *a = u->kind == U_LIST ? strings_copy(v) : attendees_copy(v, 1);
			if (json_object_array_length(a))
				json_object_object_add(c, u->canon, a);
			else
				json_object_put(a);
			break;
		}
		}
	}
	return c;
}

static int named(json_object *fields, const char *name)
{
	if (!json_object_is_type(fields, json_type_array))
		OIS_BUG("fields must be an array");
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		if (json_object_is_type(f, json_type_string) && !strcmp(json_object_get_string(f), name))
			return 1;
	}
	return 0;
}

json_object *ois_ia_appointment_from_canonical(json_object *data, json_object *fields)
{
	json_object *b = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(units); i++) {
		const struct unit *u = &units[i];
		if (!writable(u) || (fields && !named(fields, u->canon)))
			continue;
		json_object *v = NULL;
		json_object_object_get_ex(data, u->canon, &v);
		switch (u->kind) {
		case U_STRING:
			json_object_object_add(b, u->api, json_object_new_string(
				json_object_is_type(v, json_type_string) ? json_object_get_string(v) : ""));
			break;
		case U_FLAG:
			json_object_object_add(b, u->api, json_object_new_boolean(
				json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v)));
			break;
		case U_LIST:
			json_object_object_add(b, u->api, strings_copy(v));
			break;
		case U_ATTENDEES:
			json_object_object_add(b, u->api, attendees_copy(v, 0));
			break;
		}
	}
	return b;
}
