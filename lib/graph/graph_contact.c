/* graph_contact.c - map a Microsoft Graph contact (native JSON) to and from canonical contact data. */
#include "graph_contact.h"
#include "email.h"
#include "graph_ext.h"
#include "canon_fields.h"
#include "code.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The Graph column of lib/contact_fields.def, one row per canonical unit;
 * both directions read it, so a field mapped one way is mapped the other.
 * Names are the v1.0 contact resource's ("contact resource type" on
 * learn.microsoft.com); what it lacks is an extended property by the tag
 * or LID EWS uses, so both backends read and write the same MAPI property.
 */
enum how {
	PROP,         /* a string property */
	BIRTHDAY,     /* a DateTimeOffset at some midnight; written at noon UTC */
	CATEGORIES,   /* an array of strings */
	EMAIL,        /* the address of the entry at slot of the collection name */
	PHONES,       /* the string at slot of the collection name */
	ADDRESS,      /* a physicalAddress, parts below */
	EXT_TAG,      /* a String extended property by tag */
	USER_FIELD,   /* a String of PSETID_Address by LID */
	POSTAL_INDEX, /* PidLidPostalAddressId: which address is the mailing address, a number */
	SENSITIVITY,  /* PidTagSensitivity: 2 is private */
};

struct field {
	const char *unit;   /* canonical unit */
	enum how how;
	const char *name;   /* property, collection, or tag or LID; NULL: Graph lacks the unit */
	int slot;           /* place in the collection (EMAIL, PHONES) */
	const char *ext_id; /* an extended property's Graph id, else NULL */
};

/* The Graph id of a row's extended property by how (else NO_EXT_ID). */
#define EXT_ID_EXT_TAG(name) "String " name
#define EXT_ID_USER_FIELD(name) "String " OIS_GRAPH_PSETID_ADDRESS " Id " name
#define EXT_ID_POSTAL_INDEX(name) "Integer " OIS_GRAPH_PSETID_ADDRESS " Id " name
#define EXT_ID_SENSITIVITY(name) "Integer " name
#define EXT_ID_PROP(name) NO_EXT_ID
#define EXT_ID_BIRTHDAY(name) NO_EXT_ID
#define EXT_ID_CATEGORIES(name) NO_EXT_ID
#define EXT_ID_EMAIL(name) NO_EXT_ID
#define EXT_ID_PHONES(name) NO_EXT_ID
#define EXT_ID_ADDRESS(name) NO_EXT_ID

#define NO_EXT_ID NULL
#define GRAPH(how, name, slot) how, name, slot, EXT_ID_##how(name)
#define NO_GRAPH PROP, NULL, 0, NULL
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, graph },
static const struct field fields[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD
#undef GRAPH
#undef NO_GRAPH
#undef NO_EXT_ID

#define NFIELDS OIS_ARRAY_SIZE(fields)

/* physicalAddress's parts, by canonical name. */
static const struct {
	const char *canon, *graph;
} address_parts[] = {
	{ "street", "street" },
	{ "city", "city" },
	{ "region", "state" },
	{ "postal_code", "postalCode" },
	{ "country", "countryOrRegion" },
};

/*
 * PidLidPostalAddressId ([MS-OXOCNTC]): 0 none, 1 home, 2 work, 3 other;
 * canonical data names the address by its kind. EWS's PostalAddressIndex
 * is the same property.
 */
static const struct {
	const char *kind;
	long id;
} postal_ids[] = {
	{ "home", 1 },
	{ "business", 2 },
	{ "other", 3 },
};
#define POSTAL_NONE 0

/* PidTagSensitivity: 0 normal, 1 personal, 2 private, 3 confidential; EWS's Sensitivity Private is 2. */
#define SENSITIVITY_PRIVATE 2
#define SENSITIVITY_NORMAL 0

const char *ois_graph_contact_expand(void)
{
	/* The table's extended properties as one string literal, after the op id's. */
#define TERM(id) " or " OIS_GRAPH_EXT_TERM(id)
#define EXPAND_EXT_TAG(name) TERM(EXT_ID_EXT_TAG(name))
#define EXPAND_USER_FIELD(name) TERM(EXT_ID_USER_FIELD(name))
#define EXPAND_POSTAL_INDEX(name) TERM(EXT_ID_POSTAL_INDEX(name))
#define EXPAND_SENSITIVITY(name) TERM(EXT_ID_SENSITIVITY(name))
#define EXPAND_PROP(name)
#define EXPAND_BIRTHDAY(name)
#define EXPAND_CATEGORIES(name)
#define EXPAND_EMAIL(name)
#define EXPAND_PHONES(name)
#define EXPAND_ADDRESS(name)
#define GRAPH(how, name, slot) EXPAND_##how(name)
#define NO_GRAPH
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) graph
	return OIS_GRAPH_EXT_KEY "($filter=" OIS_GRAPH_EXT_TERM(OIS_GRAPH_OP_ID)
#include "contact_fields.def"
		")";
#undef OIS_CONTACT_FIELD
#undef GRAPH
#undef NO_GRAPH
#undef TERM
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

static json_object *new_text(const char *s)
{
	return text(s) ? json_object_new_string(s) : NULL;
}

/* The element at a row's slot of its collection, or NULL. */
static json_object *slot_of(json_object *native, const struct field *f)
{
	json_object *arr = ois_json_arr(native, f->name);
	return arr && (size_t)f->slot < json_object_array_length(arr) ? json_object_array_get_idx(arr, (size_t)f->slot)
								       : NULL;
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

static json_object *address_to_canonical(json_object *a)
{
	json_object *c = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_parts); i++) {
		const char *v = text(ois_json_str(a, address_parts[i].graph));
		if (v)
			json_object_object_add(c, address_parts[i].canon, json_object_new_string(v));
	}
	return c;
}

/* An Integer extended property's value (Graph sends it as a decimal string), or -1 when none. */
static long integer(const char *s)
{
	char *end;
	if (!s)
		return -1;
	errno = 0;
	long n = strtol(s, &end, 10);
	return end == s || *end || errno || n < 0 ? -1 : n;
}

/*
 * An emailAddresses entry's address; when that is an Exchange legacy
 * (X.500) address, the SMTP address its name carries ("ann@x.example",
 * "Ann Lee <ann@x.example>"), as Outlook's entries often do: only what the
 * item holds, never a directory lookup. Else the address as sent, which
 * normalization keeps and marks invalid.
 */
static json_object *email_to_canonical(json_object *entry)
{
	const char *a = ois_json_str(entry, "address");
	if (a && ois_email_x500(a)) {
		char *smtp = ois_email_smtp_in(ois_json_str(entry, "name"));
		if (smtp) {
			json_object *v = json_object_new_string(smtp);
			free(smtp);
			return v;
		}
	}
	return new_text(a);
}

/* The canonical value of row f in native (a new object), or NULL when it has none. */
static json_object *native_value(json_object *native, const struct field *f)
{
	const char *v;
	char buf[11];
	long n;
	switch (f->how) {
	case PROP:
		return new_text(ois_json_str(native, f->name));
	case BIRTHDAY:
		v = text(ois_json_str(native, f->name));
		/* What is no date is kept as sent: normalization drops it, and says so. */
		return v ? json_object_new_string(ois_date_of_midnight(v, buf) ? v : buf) : NULL;
	case CATEGORIES:
		return strings_of(ois_json_arr(native, f->name));
	case EMAIL:
		return email_to_canonical(slot_of(native, f));
	case PHONES: {
		json_object *e = slot_of(native, f);
		return json_object_is_type(e, json_type_string) ? new_text(json_object_get_string(e)) : NULL;
	}
	case ADDRESS:
		return address_to_canonical(ois_json_obj(native, f->name));
	case EXT_TAG:
	case USER_FIELD:
		return new_text(ois_graph_ext_get(native, f->ext_id));
	case POSTAL_INDEX:
		n = integer(ois_graph_ext_get(native, f->ext_id));
		for (size_t i = 0; i < OIS_ARRAY_SIZE(postal_ids); i++)
			if (n == postal_ids[i].id)
				return json_object_new_string(postal_ids[i].kind);
		return NULL;
	case SENSITIVITY:
		n = integer(ois_graph_ext_get(native, f->ext_id));
		return n == SENSITIVITY_PRIVATE ? json_object_new_boolean(1) : NULL;
	}
	return NULL;
}

json_object *ois_graph_contact_to_canonical(json_object *native)
{
	json_object *c = json_object_new_object();
	if (!json_object_is_type(native, json_type_object))
		return c;
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		json_object *v = f->name ? native_value(native, f) : NULL;
		/* ois_canon_set keeps the canonical shape: the e-mail list in kind order, custom's four slots. */
		if (v && !ois_canon_is_empty(v))
			ois_canon_set(c, f->unit, v);
		json_object_put(v);
	}
	return c;
}

/* ---- canonical -> body ---- */

/* An Integer extended property's value as Graph takes it. */
static void set_integer(json_object *body, const char *id, long n)
{
	char v[24];
	snprintf(v, sizeof(v), "%ld", n);
	ois_graph_ext_set(body, id, v);
}

/* The text of a string unit in data, or NULL when empty. */
static const char *unit_text(json_object *data, const struct field *f)
{
	json_object *v = ois_canon_get(data, f->unit);
	return json_object_is_type(v, json_type_string) ? text(json_object_get_string(v)) : NULL;
}

static const struct field *field_by_unit(const char *unit)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].unit, unit))
			return &fields[i];
	return NULL;
}

/*
 * A collection, whole: the rows of f's how and name by slot, up to the
 * last that holds a value, an empty slot before it kept empty so each
 * value stays in its slot (Outlook keeps Email1-3, two business and two
 * home phones behind them).
 */
static json_object *collection(json_object *data, const struct field *f)
{
	const char *v[NFIELDS] = { 0 };
	int n = 0;
	for (const struct field *g = fields; g < fields + NFIELDS; g++) {
		if (g->how != f->how || !g->name || strcmp(g->name, f->name))
			continue;
		if (g->slot < 0 || (size_t)g->slot >= NFIELDS)
			OIS_BUG("lib/contact_fields.def: %s has no slot of %s", g->unit, g->name);
		v[g->slot] = unit_text(data, g);
		if (v[g->slot] && g->slot + 1 > n)
			n = g->slot + 1;
	}
	json_object *arr = json_object_new_array();
	for (int i = 0; i < n; i++) {
		if (f->how == PHONES) {
			json_object_array_add(arr, json_object_new_string(v[i] ? v[i] : ""));
			continue;
		}
		json_object *e = json_object_new_object();
		json_object_object_add(e, "address", json_object_new_string(v[i] ? v[i] : ""));
		json_object_array_add(arr, e);
	}
	return arr;
}

/* 1 when the canonical address a has a part to write. */
static int address_any(json_object *a)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_parts); i++)
		if (text(ois_json_str(a, address_parts[i].canon)))
			return 1;
	return 0;
}

static json_object *address_body(json_object *a, int update)
{
	json_object *b = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_parts); i++) {
		const char *v = text(ois_json_str(a, address_parts[i].canon));
		/* An update names every part: Graph might merge a partial physicalAddress into the old one. */
		if (v || update)
			json_object_object_add(b, address_parts[i].graph, json_object_new_string(v ? v : ""));
	}
	return b;
}

/*
 * Set key to v, a new object; with none, in an update, to what clears it
 * (a new object, or NULL: null), else leave key out: a create writes only
 * values (Graph refuses a null complex value there).
 */
static void put(json_object *body, const char *key, json_object *v, int update, json_object *clear)
{
	if (v) {
		json_object_object_add(body, key, v);
		json_object_put(clear);
	} else if (update) {
		json_object_object_add(body, key, clear);
	} else {
		json_object_put(clear);
	}
}

/* arr when it has an element, else NULL (and arr is freed). */
static json_object *nonempty(json_object *arr)
{
	if (json_object_array_length(arr))
		return arr;
	json_object_put(arr);
	return NULL;
}

/* The body's part for row f: its value in data, or (update) what clears it. 0, or OIS_EDATA logged. */
static int put_field(json_object *body, json_object *data, const struct field *f, int update)
{
	const char *v = unit_text(data, f);
	json_object *a;
	char date[32];
	switch (f->how) {
	case PROP:
		put(body, f->name, v ? json_object_new_string(v) : NULL, update, NULL);
		break;
	case BIRTHDAY:
		if (v && !ois_date_valid(v))
			return ois_fail(OIS_EDATA, "%s '%s' is not a YYYY-MM-DD date", f->unit, v);
		/* At noon UTC, as EWS writes it: Outlook shows that date from UTC-11 to UTC+11. */
		snprintf(date, sizeof(date), "%sT12:00:00Z", v ? v : "");
		put(body, f->name, v ? json_object_new_string(date) : NULL, update, NULL);
		break;
	case CATEGORIES:
		put(body, f->name, nonempty(strings_of(ois_canon_get(data, f->unit))), update, json_object_new_array());
		break;
	case EMAIL:
	case PHONES:
		put(body, f->name, nonempty(collection(data, f)), update, json_object_new_array());
		break;
	case ADDRESS:
		a = ois_canon_get(data, f->unit);
		put(body, f->name, address_any(a) ? address_body(a, update) : NULL, update, NULL);
		break;
	case EXT_TAG:
	case USER_FIELD:
		/* Graph deletes no extended property: an empty string is none. */
		if (v || update)
			ois_graph_ext_set(body, f->ext_id, v ? v : "");
		break;
	case POSTAL_INDEX: {
		long id = v ? -1 : POSTAL_NONE;
		for (size_t i = 0; v && i < OIS_ARRAY_SIZE(postal_ids); i++)
			if (!strcmp(v, postal_ids[i].kind))
				id = postal_ids[i].id;
		if (id < 0)
			return ois_fail(OIS_EDATA, "mailing address '%s' is not business, home or other", v);
		if (v || update)
			set_integer(body, f->ext_id, id);
		break;
	}
	case SENSITIVITY:
		if (ois_canon_get(data, f->unit) || update)
			set_integer(body, f->ext_id, ois_canon_get(data, f->unit) ? SENSITIVITY_PRIVATE : SENSITIVITY_NORMAL);
		break;
	}
	return 0;
}

/* One named unit of an update, a group ("phones": each of its units) or an address part (the whole address). */
static int put_unit(json_object *body, json_object *data, const char *unit)
{
	const struct field *f = field_by_unit(unit);
	if (f && !f->name) {
		ois_debug("graph has no field for \"%s\"", unit);
		return 0;
	}
	if (f)
		return put_field(body, data, f, 1);
	size_t len = strlen(unit);
	int found = 0, rc = 0;
	for (const struct field *g = fields; g < fields + NFIELDS && !rc; g++)
		if (g->name && !strncmp(g->unit, unit, len) && g->unit[len] == '.') {
			found = 1;
			rc = put_field(body, data, g, 1);
		}
	if (found)
		return rc;
	const char *dot = strchr(unit, '.');
	const char *part = dot ? strchr(dot + 1, '.') : NULL;
	if (part) {
		char *whole = ois_xasprintf("%.*s", (int)(part - unit), unit);
		f = field_by_unit(whole);
		free(whole);
		if (f && f->name && f->how == ADDRESS)
			return put_field(body, data, f, 1);
	}
	return ois_fail(OIS_EDATA, "unknown contact field '%s'", unit);
}

json_object *ois_graph_contact_from_canonical(json_object *data, json_object *names)
{
	json_object *body = json_object_new_object();
	int rc = 0;
	if (!names) {
		for (const struct field *f = fields; f < fields + NFIELDS && !rc; f++)
			if (f->name)
				rc = put_field(body, data, f, 0);
	} else if (!json_object_is_type(names, json_type_array)) {
		rc = ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
	} else {
		for (size_t i = 0; i < json_object_array_length(names) && !rc; i++) {
			json_object *n = json_object_array_get_idx(names, i);
			rc = json_object_is_type(n, json_type_string)
				     ? put_unit(body, data, json_object_get_string(n))
				     : ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
		}
	}
	if (rc) {
		json_object_put(body);
		return NULL;
	}
	return body;
}
