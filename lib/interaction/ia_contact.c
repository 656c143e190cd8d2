/* ia_contact.c - InterAction contact (user view) <-> canonical contact data, both ways. */
#include "ia_contact.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The field mapping InterAction publishes for its own Outlook sync
 * (doc/ARCHITECTURE.md, "Field mapping"): the InterAction columns of
 * lib/contact_fields.def, one row per canonical unit (the names reconcile
 * puts in an op's "fields": "first", "phones.mobile", "emails.work",
 * "addresses.business", "custom.1"). A unit InterAction does not carry has
 * no key: it maps to nothing and is ignored when writing.
 */
enum how {
	STRING,  /* a string at key */
	GOES_BY, /* the nickname: Goes By, which InterAction fills with the first name */
	EMAIL,   /* key of "emails" */
	PHONE,   /* key of "phones" */
	ADDRESS, /* key of "addresses": an object of the parts below */
	MAILING, /* which address is the mailing address: an address kind */
	CUSTOM,  /* one slot of the array at key: any custom unit writes them all */
	LIST,    /* the sorted category list */
	FLAG,    /* true or false */
};

struct field {
	const char *unit;
	enum how how;
	const char *key; /* NULL: InterAction lacks the unit */
	int order;       /* place in a body, and in what is read back */
};

/* who (FIRM or USER) is ia_backend.c's: it splits the body by it. */
#define IA(how, key, order, who) how, key, order
#define NO_IA STRING, NULL, 0
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, interaction },
static const struct field fields[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD
#undef IA
#undef NO_IA

#define NFIELDS OIS_ARRAY_SIZE(fields)

/* With no nickname, Goes By holds this unit's value (the first name). */
#define GOES_BY_FALLBACK "first"

/*
 * InterAction's "emails", "phones" and "addresses" have the canonical
 * group's name; so has "custom", whose slots are the CUSTOM rows in order.
 */
static const char *unit_group(const struct field *f, char *g, size_t size)
{
	snprintf(g, size, "%.*s", (int)strcspn(f->unit, "."), f->unit);
	return g;
}

/* The part of a grouped unit after its dot: the key in canonical data ("mobile" of "phones.mobile"). */
static const char *unit_key(const struct field *f)
{
	const char *dot = strchr(f->unit, '.');
	return dot ? dot + 1 : f->unit;
}

/* Address parts: the same kinds of address on both sides, parts named alike but region. */
struct map {
	const char *canon;
	const char *api;
};

static const struct map addr_parts[] = {
	{ "street", "street" },
	{ "city", "city" },
	{ "region", "state" },
	{ "postal_code", "postal_code" },
	{ "country", "country" },
};

/* The rows InterAction carries, in body order (table order within one order). */
static size_t body_order(const struct field *out[NFIELDS])
{
	size_t n = 0;
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (!f->key)
			continue;
		size_t i = n++;
		for (; i > 0 && out[i - 1]->order > f->order; i--)
			out[i] = out[i - 1];
		out[i] = f;
	}
	return n;
}

static const struct field *field_by_unit(const char *unit)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].unit, unit))
			return &fields[i];
	return NULL;
}

/* 1 for the hows whose rows make one canonical group, read together. */
static int is_group(enum how how)
{
	return how == EMAIL || how == PHONE || how == ADDRESS || how == CUSTOM;
}

/* The number of CUSTOM rows: the length of the custom array on both sides. */
static size_t custom_slots(void)
{
	size_t n = 0;
	for (size_t i = 0; i < NFIELDS; i++)
		n += fields[i].how == CUSTOM && fields[i].key;
	return n;
}

/* 1 when s holds something other than white space. */
static int has_text(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return 1;
	return 0;
}

/* The string at key when it holds text, else NULL. */
static const char *text_at(json_object *obj, const char *key)
{
	const char *s = ois_json_str(obj, key);
	return has_text(s) ? s : NULL;
}

static void put_text(json_object *obj, const char *key, const char *s)
{
	if (has_text(s))
		json_object_object_add(obj, key, json_object_new_string(s));
}

/* Add sub to obj under key when it has any key; else drop it. */
static void add_nonempty(json_object *obj, const char *key, json_object *sub)
{
	if (json_object_object_length(sub) > 0)
		json_object_object_add(obj, key, sub);
	else
		json_object_put(sub);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Categories: the non-empty strings, sorted bytewise and unique. */
static void categories_to_canonical(json_object *native, const struct field *f, json_object *out)
{
	json_object *arr = ois_json_arr(native, f->key);
	size_t n = arr ? json_object_array_length(arr) : 0, k = 0;
	if (!n)
		return;
	const char **v = ois_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e, json_type_string) && has_text(json_object_get_string(e)))
			v[k++] = json_object_get_string(e);
	}
	qsort(v, k, sizeof(*v), cmp_str);
	json_object *cats = json_object_new_array();
	for (size_t i = 0; i < k; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]))
			json_object_array_add(cats, json_object_new_string(v[i]));
	free(v);
	if (json_object_array_length(cats))
		json_object_object_add(out, f->unit, cats);
	else
		json_object_put(cats);
}

/* custom: exactly one string per slot, only when one of them holds text. */
static void custom_to_canonical(json_object *native, const struct field *f, json_object *out)
{
	char g[32];
	json_object *ncustom = ois_json_arr(native, f->key);
	size_t nslots = custom_slots();
	const char *cv[NFIELDS] = { 0 };
	int any = 0;
	for (size_t i = 0; ncustom && i < nslots && i < json_object_array_length(ncustom); i++) {
		json_object *e = json_object_array_get_idx(ncustom, i);
		if (json_object_is_type(e, json_type_string) && has_text(json_object_get_string(e))) {
			cv[i] = json_object_get_string(e);
			any = 1;
		}
	}
	if (any) {
		json_object *c = json_object_new_array();
		for (size_t i = 0; i < nslots; i++)
			json_object_array_add(c, json_object_new_string(cv[i] ? cv[i] : ""));
		json_object_object_add(out, unit_group(f, g, sizeof(g)), c);
	}
}

/* The rows of one group (EMAIL, PHONE, ADDRESS), row[0..n) in body order, into out. */
static void group_to_canonical(json_object *native, const struct field *const *row, size_t n, json_object *out)
{
	char g[32];
	unit_group(row[0], g, sizeof(g));
	json_object *in = ois_json_obj(native, g);
	json_object *c = row[0]->how == EMAIL ? json_object_new_array() : json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		const struct field *f = row[i];
		if (f->how == EMAIL) {
			const char *addr = text_at(in, f->key);
			if (!addr)
				continue;
			json_object *e = json_object_new_object();
			json_object_object_add(e, "address", json_object_new_string(addr));
			json_object_object_add(e, "kind", json_object_new_string(unit_key(f)));
			json_object_array_add(c, e);
		} else if (f->how == PHONE) {
			put_text(c, unit_key(f), ois_json_str(in, f->key));
		} else {
			json_object *na = ois_json_obj(in, f->key);
			json_object *ca = json_object_new_object();
			for (size_t j = 0; j < OIS_ARRAY_SIZE(addr_parts); j++)
				put_text(ca, addr_parts[j].canon, ois_json_str(na, addr_parts[j].api));
			add_nonempty(c, unit_key(f), ca);
		}
	}
	if (row[0]->how != EMAIL)
		add_nonempty(out, g, c);
	else if (json_object_array_length(c))
		json_object_object_add(out, g, c);
	else
		json_object_put(c);
}

static void field_to_canonical(json_object *native, const struct field *f, json_object *out)
{
	const char *v;
	json_object *priv;
	switch (f->how) {
	case STRING:
		put_text(out, f->unit, ois_json_str(native, f->key));
		break;
	case GOES_BY: {
		/*
		 * InterAction fills Goes By with the first name when there is no
		 * nickname, so goes_by equal to first_name is "no nickname".
		 */
		const struct field *ff = field_by_unit(GOES_BY_FALLBACK);
		const char *goes_by = text_at(native, f->key);
		const char *first = ois_json_str(native, ff->key);
		if (goes_by && !(first && !strcmp(goes_by, first)))
			put_text(out, f->unit, goes_by);
		break;
	}
	case MAILING:
		/* InterAction names an address by its kind, as canonical data does. */
		v = ois_json_str(native, f->key);
		for (size_t i = 0; v && i < NFIELDS; i++)
			if (fields[i].how == ADDRESS && fields[i].key && !strcmp(v, fields[i].key))
				put_text(out, f->unit, unit_key(&fields[i]));
		break;
	case CUSTOM:
		custom_to_canonical(native, f, out);
		break;
	case LIST:
		categories_to_canonical(native, f, out);
		break;
	case FLAG:
		if (json_object_object_get_ex(native, f->key, &priv) &&
		    json_object_is_type(priv, json_type_boolean) && json_object_get_boolean(priv))
			json_object_object_add(out, f->unit, json_object_new_boolean(1));
		break;
	case EMAIL:
	case PHONE:
	case ADDRESS:
		break; /* group_to_canonical */
	}
}

json_object *ois_ia_contact_to_canonical(json_object *native)
{
	json_object *out = json_object_new_object();
	const struct field *row[NFIELDS];
	size_t n = body_order(row);

	/* The strings first, then the rest, each in body order (the canonical key order of old). */
	for (size_t i = 0; i < n; i++)
		if (row[i]->how == STRING)
			field_to_canonical(native, row[i], out);
	for (size_t i = 0; i < n; i++) {
		if (row[i]->how == STRING)
			continue;
		/* A group's rows are read together: e-mails, phones, addresses, the custom array. */
		size_t j = i + 1;
		while (j < n && row[j]->how == row[i]->how && is_group(row[i]->how))
			j++;
		if (row[i]->how == EMAIL || row[i]->how == PHONE || row[i]->how == ADDRESS)
			group_to_canonical(native, row + i, j - i, out);
		else
			field_to_canonical(native, row[i], out);
		i = j - 1;
	}
	return out;
}

/* ---- canonical -> API body ---- */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The sub-object key of body, created when missing. Borrowed. */
static json_object *sub_obj(json_object *body, const char *key)
{
	json_object *o = ois_json_obj(body, key);
	if (!o) {
		o = json_object_new_object();
		json_object_object_add(body, key, o);
	}
	return o;
}

/* The canonical e-mail address of kind in group, or NULL. */
static const char *canon_email(json_object *data, const char *group, const char *kind)
{
	json_object *arr = ois_json_arr(data, group);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *k = ois_json_str(e, "kind");
		if (k && !strcmp(k, kind))
			return ois_json_str(e, "address");
	}
	return NULL;
}

static void set_goes_by(json_object *data, json_object *body)
{
	/* Writing: Goes By = nickname, else the first name (as InterAction does). */
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (f->how != GOES_BY || !f->key)
			continue;
		const char *nick = text_at(data, f->unit);
		json_object_object_add(body, f->key,
				       json_object_new_string(nick ? nick : or_empty(ois_json_str(data, GOES_BY_FALLBACK))));
	}
}

/* One part of an address (part NULL: every part). */
static void set_address(json_object *data, json_object *body, const struct field *f, const char *part)
{
	char g[32];
	unit_group(f, g, sizeof(g));
	json_object *ca = ois_json_obj(ois_json_obj(data, g), unit_key(f));
	json_object *na = sub_obj(sub_obj(body, g), f->key);
	for (size_t j = 0; j < OIS_ARRAY_SIZE(addr_parts); j++)
		if (!part || !strcmp(part, addr_parts[j].canon))
			json_object_object_add(na, addr_parts[j].api,
					       json_object_new_string(or_empty(ois_json_str(ca, addr_parts[j].canon))));
}

/* The API keeps custom as one array: any custom unit sends every slot. */
static void set_custom(json_object *data, json_object *body, const struct field *f)
{
	char g[32];
	json_object *c = ois_json_arr(data, unit_group(f, g, sizeof(g)));
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < custom_slots(); i++) {
		json_object *e = c ? json_object_array_get_idx(c, i) : NULL;
		const char *s = e && json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";
		json_object_array_add(arr, json_object_new_string(s));
	}
	json_object_object_add(body, f->key, arr);
}

static void set_categories(json_object *data, json_object *body, const struct field *f)
{
	json_object *c = ois_json_arr(data, f->unit);
	json_object *arr = json_object_new_array();
	for (size_t i = 0; c && i < json_object_array_length(c); i++) {
		json_object *e = json_object_array_get_idx(c, i);
		if (json_object_is_type(e, json_type_string) && has_text(json_object_get_string(e)))
			json_object_array_add(arr, json_object_new_string(json_object_get_string(e)));
	}
	json_object_object_add(body, f->key, arr);
}

/* Put the API keys for the unit of row f into body. */
static void set_field(json_object *data, json_object *body, const struct field *f)
{
	char g[32];
	switch (f->how) {
	case STRING:
	case MAILING:
		json_object_object_add(body, f->key, json_object_new_string(or_empty(ois_json_str(data, f->unit))));
		/* Goes By follows the first name while there is no nickname. */
		if (!strcmp(f->unit, GOES_BY_FALLBACK))
			set_goes_by(data, body);
		break;
	case GOES_BY:
		set_goes_by(data, body);
		break;
	case EMAIL:
		unit_group(f, g, sizeof(g));
		json_object_object_add(sub_obj(body, g), f->key,
				       json_object_new_string(or_empty(canon_email(data, g, unit_key(f)))));
		break;
	case PHONE:
		unit_group(f, g, sizeof(g));
		json_object_object_add(sub_obj(body, g), f->key,
				       json_object_new_string(or_empty(ois_json_str(ois_json_obj(data, g), unit_key(f)))));
		break;
	case ADDRESS:
		set_address(data, body, f, NULL);
		break;
	case CUSTOM:
		set_custom(data, body, f);
		break;
	case LIST:
		set_categories(data, body, f);
		break;
	case FLAG:
		json_object_object_add(body, f->key, json_object_new_boolean(ois_json_bool(data, f->unit, 0)));
		break;
	}
}

/* Put the API keys for one canonical unit, a group ("phones") or an address part into body. */
static void set_unit(json_object *data, json_object *body, const char *unit)
{
	const struct field *f = field_by_unit(unit);
	if (f && f->key) {
		set_field(data, body, f);
		return;
	}
	if (!f) {
		/* A group: each of its units, in body order. */
		const struct field *row[NFIELDS];
		size_t n = body_order(row), len = strlen(unit);
		int found = 0;
		for (size_t i = 0; i < n; i++)
			if (!strncmp(row[i]->unit, unit, len) && row[i]->unit[len] == '.') {
				set_field(data, body, row[i]);
				found = 1;
			}
		if (found)
			return;
		/* One part of an address: "addresses.business.city". */
		const char *dot = strchr(unit, '.');
		const char *part = dot ? strchr(dot + 1, '.') : NULL;
		if (part) {
			char *whole = ois_xasprintf("%.*s", (int)(part - unit), unit);
			f = field_by_unit(whole);
			free(whole);
			if (f && f->key && f->how == ADDRESS) {
				set_address(data, body, f, part + 1);
				return;
			}
		}
	}
	ois_debug("interaction has no field for \"%s\"", unit);
}

json_object *ois_ia_contact_from_canonical(json_object *data, json_object *fields_)
{
	json_object *body = json_object_new_object();
	if (!fields_) {
		/*
		 * An organisation (transform's "entity", oisync-records(5)) is
		 * created as an InterAction company, never as a person. Only a
		 * create sets it: a contact's kind is the firm's to change.
		 */
		const char *entity = ois_json_str(data, "entity");
		if (entity && !strcmp(entity, "organization"))
			json_object_object_add(body, "kind", json_object_new_string("company"));
		const struct field *row[NFIELDS];
		size_t n = body_order(row);
		for (size_t i = 0; i < n; i++)
			set_field(data, body, row[i]);
		return body;
	}
	if (!json_object_is_type(fields_, json_type_array))
		OIS_BUG("fields must be an array");
	for (size_t i = 0; i < json_object_array_length(fields_); i++) {
		json_object *f = json_object_array_get_idx(fields_, i);
		if (json_object_is_type(f, json_type_string))
			set_unit(data, body, json_object_get_string(f));
	}
	return body;
}
