/* canon_fields.c - the merge-unit table and get/set of a unit on canonical data. */
#include "canon_fields.h"
#include "canonjson.h"
#include "email.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ATTENDEES: the whole attendee list is one unit, as an item's participants change together. */
enum unit_kind { STRING, FLAG, LIST, EMAIL, KEYED, SLOT, ATTENDEES };

struct unit {
	const char *name;
	enum unit_kind kind;
	unsigned sides; /* bit per side that carries the unit */
};

/*
 * A side's units are the same whichever backend serves an account: records
 * name their side, not their backend, and reconcile reads a unit a side
 * does not carry as unknown there but one it carries and an item lacks as
 * empty. A unit EWS carries and Graph lacked would read as cleared on every
 * Graph mailbox, and reconcile would clear it in InterAction. So the
 * Exchange side's backends must carry the same units: checked here, when
 * the tables build.
 */
#define EWS(...) 1
#define NO_EWS 0
#define GRAPH(...) 1
#define NO_GRAPH 0
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) \
	_Static_assert((exchange) == (graph), "EWS and Graph differ on the contact unit " unit);
#include "contact_fields.def"
#undef OIS_CONTACT_FIELD
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) \
	_Static_assert((exchange) == (graph), "EWS and Graph differ on the appointment unit " unit);
#include "appointment_fields.def"
#undef OIS_APPOINTMENT_FIELD
#undef EWS
#undef NO_EWS
#undef GRAPH
#undef NO_GRAPH

/* lib/contact_fields.def: a side carries a unit when its column is not NO_* (Exchange's: EWS's, which is Graph's). */
#define EWS(...) (1u << OIS_EXCHANGE)
#define NO_EWS 0u
#define IA(...) (1u << OIS_INTERACTION)
#define NO_IA 0u
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, kind, (exchange) | (interaction) },
static const struct unit contact_units[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD
#undef EWS
#undef NO_EWS
#undef IA
#undef NO_IA

/* lib/appointment_fields.def, read the same way. */
#define EWS(...) (1u << OIS_EXCHANGE)
#define NO_EWS 0u
#define IA(...) (1u << OIS_INTERACTION)
#define NO_IA 0u
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, kind, (exchange) | (interaction) },
static const struct unit appointment_units[] = {
#include "appointment_fields.def"
};
#undef OIS_APPOINTMENT_FIELD
#undef EWS
#undef NO_EWS
#undef IA
#undef NO_IA

#define NCONTACT OIS_ARRAY_SIZE(contact_units)
#define NAPPOINTMENT OIS_ARRAY_SIZE(appointment_units)
static const char *contact_names[NCONTACT + 1];
static const char *appointment_names[NAPPOINTMENT + 1];

static const struct {
	const char *kind;
	const struct unit *units;
	size_t n;
	const char **names;
} tables[] = {
	{ "contact", contact_units, NCONTACT, contact_names },
	{ "appointment", appointment_units, NAPPOINTMENT, appointment_names },
};

static const struct unit *table(const char *kind, size_t *n)
{
	for (size_t i = 0; kind && i < OIS_ARRAY_SIZE(tables); i++)
		if (!strcmp(kind, tables[i].kind)) {
			*n = tables[i].n;
			return tables[i].units;
		}
	*n = 0;
	return NULL;
}

/*
 * A name in two tables must mean one thing: ois_canon_side_supports and
 * ois_canon_set answer by name alone. A table edit that breaks that is a
 * bug every process would hit at once, so it is checked on first use.
 */
static void check_shared_names(void)
{
	for (size_t t = 1; t < OIS_ARRAY_SIZE(tables); t++)
		for (size_t i = 0; i < tables[t].n; i++)
			for (size_t s = 0; s < t; s++)
				for (size_t j = 0; j < tables[s].n; j++)
					if (!strcmp(tables[t].units[i].name, tables[s].units[j].name) &&
					    (tables[t].units[i].sides != tables[s].units[j].sides ||
					     tables[t].units[i].kind != tables[s].units[j].kind))
						OIS_BUG("unit \"%s\" of %s and of %s differ in kind or sides",
							tables[t].units[i].name, tables[t].kind, tables[s].kind);
}

const char *const *ois_canon_units(const char *kind)
{
	for (size_t t = 0; kind && t < OIS_ARRAY_SIZE(tables); t++) {
		if (strcmp(kind, tables[t].kind))
			continue;
		/* Filled on first use; idempotent, so a race between threads writes the same values. */
		if (!tables[t].names[0]) {
			check_shared_names();
			for (size_t i = 0; i < tables[t].n; i++)
				tables[t].names[i] = tables[t].units[i].name;
		}
		return tables[t].names;
	}
	return NULL;
}

size_t ois_canon_unit_count(const char *kind)
{
	size_t n;
	table(kind, &n);
	return n;
}

int ois_canon_unit_index(const char *kind, const char *unit)
{
	size_t n;
	const struct unit *t = table(kind, &n);
	/* Callers mostly pass names taken from the table: find those by address, cheaply. */
	for (size_t i = 0; i < n; i++)
		if (t[i].name == unit)
			return (int)i;
	for (size_t i = 0; unit && i < n; i++)
		if (!strcmp(t[i].name, unit))
			return (int)i;
	return -1;
}

/*
 * The row of unit in any kind's table. A name both kinds have (notes,
 * categories, private) means the same thing in both, and both sides carry
 * it in both: the first table's row answers for it.
 */
static const struct unit *any_unit(const char *unit)
{
	for (size_t t = 0; t < OIS_ARRAY_SIZE(tables); t++) {
		int i = ois_canon_unit_index(tables[t].kind, unit);
		if (i >= 0)
			return &tables[t].units[i];
	}
	return NULL;
}

int ois_canon_side_supports(enum ois_side side, const char *unit)
{
	const struct unit *u = any_unit(unit);
	return u ? (u->sides >> side) & 1u : 0;
}

int ois_canon_is_empty(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	case json_type_array:
		return json_object_array_length(v) == 0;
	case json_type_object:
		return json_object_object_length(v) == 0;
	default:
		return 0;
	}
}

static json_object *nonempty(json_object *v)
{
	return ois_canon_is_empty(v) ? NULL : v;
}

/* Split "group.key" into group (copied into g, at most gsize) and key; NULL key for a plain unit. */
static const char *split(const char *unit, char *g, size_t gsize)
{
	const char *dot = strchr(unit, '.');
	if (!dot) {
		g[0] = '\0';
		return NULL;
	}
	size_t len = (size_t)(dot - unit);
	if (len >= gsize)
		OIS_BUG("unit name too long: \"%s\"", unit);
	memcpy(g, unit, len);
	g[len] = '\0';
	return dot + 1;
}

static json_object *email_of_kind(json_object *data, const char *kind)
{
	json_object *arr = ois_json_arr(data, "emails");
	size_t n = arr ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *k = ois_json_str(e, "kind");
		if (k && !strcmp(k, kind)) {
			json_object *a;
			if (json_object_object_get_ex(e, "address", &a))
				return nonempty(a);
		}
	}
	return NULL;
}

/* custom.N -> index N-1, or -1 when N is not 1..4. */
static int custom_index(const char *key)
{
	if (key[0] >= '1' && key[0] <= '4' && key[1] == '\0')
		return key[0] - '1';
	return -1;
}

json_object *ois_canon_get(json_object *data, const char *unit)
{
	char g[16];
	const char *key = split(unit, g, sizeof(g));
	json_object *v;
	if (!data)
		return NULL;
	if (!key)
		return json_object_object_get_ex(data, unit, &v) ? nonempty(v) : NULL;
	if (!strcmp(g, "emails"))
		return email_of_kind(data, key);
	if (!strcmp(g, "custom")) {
		json_object *arr = ois_json_arr(data, "custom");
		int i = custom_index(key);
		if (!arr || i < 0 || (size_t)i >= json_object_array_length(arr))
			return NULL;
		return nonempty(json_object_array_get_idx(arr, (size_t)i));
	}
	json_object *grp = ois_json_obj(data, g);
	return grp && json_object_object_get_ex(grp, key, &v) ? nonempty(v) : NULL;
}

static json_object *copy(json_object *v)
{
	json_object *c = NULL;
	if (json_object_deep_copy(v, &c, NULL) != 0)
		OIS_BUG("json_object_deep_copy failed");
	return c;
}

/* The kinds of the EMAIL rows, in table order (the order of the canonical list); returns how many. */
static size_t email_kinds(const char *kinds[NCONTACT])
{
	size_t n = 0;
	for (size_t i = 0; i < NCONTACT; i++)
		if (contact_units[i].kind == EMAIL)
			kinds[n++] = strchr(contact_units[i].name, '.') + 1;
	return n;
}

static void set_email(json_object *data, const char *kind, json_object *value)
{
	const char *kinds[NCONTACT];
	json_object *addr[NCONTACT];
	size_t n = email_kinds(kinds);
	for (size_t i = 0; i < n; i++) {
		addr[i] = email_of_kind(data, kinds[i]);
		if (addr[i])
			json_object_get(addr[i]); /* survives the old list's removal */
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kind, kinds[i])) {
			json_object_put(addr[i]);
			addr[i] = value ? copy(value) : NULL;
		}
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		if (!addr[i])
			continue;
		json_object *e = json_object_new_object();
		/* The same mark normalization makes (lib/normalize.c, fix_emails). */
		int bad = !ois_email_valid(json_object_get_string(addr[i]));
		json_object_object_add(e, "address", addr[i]); /* reference moves into e */
		if (bad)
			json_object_object_add(e, "invalid", json_object_new_boolean(1));
		json_object_object_add(e, "kind", json_object_new_string(kinds[i]));
		json_object_array_add(arr, e);
	}
	if (json_object_array_length(arr))
		json_object_object_add(data, "emails", arr);
	else {
		json_object_put(arr);
		json_object_object_del(data, "emails");
	}
}

static void set_custom(json_object *data, int idx, json_object *value)
{
	const char *vals[4] = { "", "", "", "" };
	json_object *arr = ois_json_arr(data, "custom");
	json_object *fresh = json_object_new_array();
	int any = 0;
	for (size_t i = 0; i < 4; i++) {
		json_object *v = arr && i < json_object_array_length(arr) ? json_object_array_get_idx(arr, i) : NULL;
		if ((int)i == idx)
			v = value;
		if (json_object_is_type(v, json_type_string))
			vals[i] = json_object_get_string(v);
		any |= vals[i][0] != '\0';
		json_object_array_add(fresh, json_object_new_string(vals[i]));
	}
	/* fresh holds copies, so the old array may go now. */
	if (any)
		json_object_object_add(data, "custom", fresh);
	else {
		json_object_put(fresh);
		json_object_object_del(data, "custom");
	}
}

void ois_canon_set(json_object *data, const char *unit, json_object *value)
{
	char g[16];
	const char *key = split(unit, g, sizeof(g));
	if (!any_unit(unit))
		OIS_BUG("unknown merge unit \"%s\"", unit);
	value = nonempty(value);
	if (!key) {
		if (value)
			json_object_object_add(data, unit, copy(value));
		else
			json_object_object_del(data, unit);
		return;
	}
	if (!strcmp(g, "emails")) {
		set_email(data, key, value);
		return;
	}
	if (!strcmp(g, "custom")) {
		set_custom(data, custom_index(key), value);
		return;
	}
	json_object *grp = ois_json_obj(data, g);
	if (!grp) {
		if (!value)
			return;
		grp = json_object_new_object();
		json_object_object_add(data, g, grp);
	}
	if (value)
		json_object_object_add(grp, key, copy(value));
	else
		json_object_object_del(grp, key);
	if (json_object_object_length(grp) == 0)
		json_object_object_del(data, g);
}

int ois_canon_value_equal(json_object *va, json_object *vb)
{
	if (!va || !vb)
		return va == vb;
	/* Most units are strings: compare them without building canonical texts. */
	if (json_object_is_type(va, json_type_string) && json_object_is_type(vb, json_type_string))
		return json_object_get_string_len(va) == json_object_get_string_len(vb) &&
		       !memcmp(json_object_get_string(va), json_object_get_string(vb), (size_t)json_object_get_string_len(va));
	return ois_json_equal(va, vb);
}

int ois_canon_unit_equal(json_object *a, json_object *b, const char *unit)
{
	return ois_canon_value_equal(ois_canon_get(a, unit), ois_canon_get(b, unit));
}
