/* normalize.c - canonical contact data made comparable field by field (oisync-transform(1)). */
#include "normalize.h"
#include "normalize_p.h"
#include "country.h"
#include "email.h"
#include "log.h"
#include "phone.h"
#include "phone_display.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The rules of lib/contact_fields.def's norm column. */
enum norm { TEXT, NOTES, DATE, EMAIL, PHONE, ADDRESS, MAILING, LIST, CUSTOM, FLAG };

struct field_rule {
	const char *unit;
	enum norm norm;
};

#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, norm },
static const struct field_rule rules[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD

#define NRULES OIS_ARRAY_SIZE(rules)

/* The part after "group." of each unit whose rule is norm, in table order; returns how many. */
static size_t keys_of(enum norm norm, const char *keys[NRULES])
{
	size_t n = 0;
	for (size_t i = 0; i < NRULES; i++)
		if (rules[i].norm == norm)
			keys[n++] = strchr(rules[i].unit, '.') ? strchr(rules[i].unit, '.') + 1 : rules[i].unit;
	return n;
}

/* The part before the dot of a grouped unit ("phones" of "phones.home"), at most size bytes. */
static void group_of(const char *unit, char *out, size_t size)
{
	size_t len = strcspn(unit, ".");
	snprintf(out, size, "%.*s", (int)len, unit);
}

/* 1 when a and b are units of one group ("phones.home", "phones.other"). */
static int same_group(const char *a, const char *b)
{
	size_t la = strcspn(a, "."), lb = strcspn(b, ".");
	return a[la] && b[lb] && la == lb && !strncmp(a, b, la);
}

void ois_norm_str(json_object *obj, const char *key, char *(*rule)(const char *))
{
	json_object *v;
	if (!json_object_object_get_ex(obj, key, &v))
		return;
	if (!json_object_is_type(v, json_type_string)) {
		json_object_object_del(obj, key);
		return;
	}
	char *s = rule(json_object_get_string(v));
	ois_json_set_str(obj, key, *s ? s : NULL);
	free(s);
}

/* Remove key when its value is not an object, or is an empty one. */
static void drop_if_empty_obj(json_object *obj, const char *key)
{
	json_object *v = ois_json_obj(obj, key);
	if (!v || json_object_object_length(v) == 0)
		json_object_object_del(obj, key);
}

static void fix_date(json_object *data, const char *unit, const char *label)
{
	ois_norm_str(data, unit, ois_text_clean);
	const char *b = ois_json_str(data, unit);
	if (b && !ois_date_valid(b)) {
		ois_warn("%s: %s \"%s\" is not a YYYY-MM-DD date; dropped", label ? label : "contact", unit, b);
		json_object_object_del(data, unit);
	}
}

/*
 * One address per kind, the first seen; work, home, other; nothing else.
 * An address that is not a valid SMTP address (an unresolved X.500 one, a
 * typo) is kept, so that nothing a user typed is lost, and marked
 * "invalid": true, so that reconcile never matches two contacts by it.
 * The mark is made from the address alone, here and by reconcile's merge
 * (lib/canon_fields.c), so a source can neither set nor keep a stale one.
 */
static void fix_emails(json_object *data, const char *group)
{
	json_object *arr = ois_json_arr(data, group);
	if (!arr) {
		json_object_object_del(data, group);
		return;
	}
	const char *email_kinds[NRULES];
	size_t nkinds = keys_of(EMAIL, email_kinds);
	char *addr[NRULES] = { 0 };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *kind = ois_json_str(e, "kind"), *a = ois_json_str(e, "address");
		if (!kind || !a)
			continue;
		for (size_t k = 0; k < nkinds; k++) {
			if (strcmp(kind, email_kinds[k]) || addr[k])
				continue;
			char *c = ois_email_clean(a);
			if (*c)
				addr[k] = c;
			else
				free(c);
		}
	}
	json_object *out = json_object_new_array();
	for (size_t k = 0; k < nkinds; k++) {
		if (!addr[k])
			continue;
		json_object *e = json_object_new_object();
		json_object_object_add(e, "address", json_object_new_string(addr[k]));
		if (!ois_email_valid(addr[k]))
			json_object_object_add(e, "invalid", json_object_new_boolean(1));
		json_object_object_add(e, "kind", json_object_new_string(email_kinds[k]));
		json_object_array_add(out, e);
		free(addr[k]);
	}
	if (json_object_array_length(out))
		json_object_object_add(data, group, out);
	else {
		json_object_put(out);
		json_object_object_del(data, group);
	}
}

/*
 * The region a number written without a country code is read in: the
 * contact's own country, from its business address, else its home, else
 * its other address (the address kinds in table order; the first whose
 * country is an ISO code once normalized), else region (the user's, else
 * the firm's, as the caller picked it). A London contact's "020 7946 0018"
 * is a London number whoever's list it is in. One region for all of a
 * contact's numbers: a home number abroad is rare, and is written with its
 * country code when it is.
 */
static const char *contact_region(json_object *data, const char *region)
{
	json_object *addrs = ois_json_obj(data, "addresses");
	const char *address_kinds[NRULES];
	size_t nkinds = addrs ? keys_of(ADDRESS, address_kinds) : 0;
	for (size_t i = 0; i < nkinds; i++) {
		const char *c = ois_json_str(ois_json_obj(addrs, address_kinds[i]), "country");
		const char *code = c ? ois_country_alpha2(c) : NULL;
		if (code && !strcmp(code, c))
			return code;
	}
	return region;
}

/*
 * Each number: cleaned as text (white space only is empty, so the key
 * goes), then E.164 when libphonenumber calls it valid in the contact's
 * region, else kept as cleaned. With keep_typed, the cleaned text of each
 * number that became another E.164 text goes into OIS_PHONES_TYPED; the
 * entries already there stay while they name a phone (so normalizing again
 * changes nothing).
 */
static void fix_phones(json_object *data, const char *group, const char *region, int keep_typed)
{
	json_object *phones = ois_json_obj(data, group);
	if (!phones) {
		json_object_object_del(data, group);
		json_object_object_del(data, OIS_PHONES_TYPED); /* it names no phone */
		return;
	}
	/* Collect the keys first: changing an object while iterating it is not safe. */
	size_t n = (size_t)json_object_object_length(phones), k = 0;
	char **keys = ois_xcalloc(n ? n : 1, sizeof(*keys));
	json_object_object_foreach(phones, key, val) {
		(void)val;
		keys[k++] = ois_xstrdup(key);
	}
	json_object *typed = keep_typed ? json_object_new_object() : NULL;
	for (size_t i = 0; i < k; i++) {
		ois_norm_str(phones, keys[i], ois_text_clean);
		const char *raw = ois_json_str(phones, keys[i]);
		char e164[64];
		if (raw && ois_phone_e164(raw, region, e164, sizeof(e164)) == 0) {
			if (typed && strcmp(raw, e164) && !json_object_object_get_ex(typed, e164, NULL))
				json_object_object_add(typed, e164, json_object_new_string(raw));
			ois_json_set_str(phones, keys[i], e164);
		}
		free(keys[i]);
	}
	free(keys);
	drop_if_empty_obj(data, group);
	if (!typed && !json_object_object_get_ex(data, OIS_PHONES_TYPED, NULL))
		return; /* nothing to keep and nothing kept: the common case costs nothing more */
	/* This read's texts first, then what the data already kept, for the values it holds. */
	json_object *read = json_object_new_object();
	if (typed)
		json_object_object_add(read, OIS_PHONES_TYPED, typed); /* takes typed */
	json_object *from[2] = { read, data };
	ois_phones_typed_carry(data, from, 2);
	json_object_put(read);
}

static void fix_address(json_object *addrs, const char *kind)
{
	json_object *a = ois_json_obj(addrs, kind);
	if (!a) {
		json_object_object_del(addrs, kind);
		return;
	}
	ois_norm_str(a, "street", ois_text_clean_lines);
	ois_norm_str(a, "city", ois_text_clean);
	ois_norm_str(a, "region", ois_text_clean);
	ois_norm_str(a, "postal_code", ois_text_clean);
	ois_norm_str(a, "country", ois_text_clean);
	const char *country = ois_json_str(a, "country");
	const char *code = country ? ois_country_alpha2(country) : NULL;
	if (code)
		ois_json_set_str(a, "country", code);
	drop_if_empty_obj(addrs, kind);
}

static void fix_addresses(json_object *data, const char *group)
{
	json_object *addrs = ois_json_obj(data, group);
	if (!addrs) {
		json_object_object_del(data, group);
		return;
	}
	const char *address_kinds[NRULES];
	size_t nkinds = keys_of(ADDRESS, address_kinds);
	for (size_t i = 0; i < nkinds; i++)
		fix_address(addrs, address_kinds[i]);
	drop_if_empty_obj(data, group);
}

/* The mailing address names one of the address kinds (lower case), else it goes. */
static void fix_mailing(json_object *data, const char *unit)
{
	ois_norm_str(data, unit, ois_text_clean);
	const char *m = ois_json_str(data, unit);
	if (!m)
		return;
	const char *address_kinds[NRULES];
	size_t nkinds = keys_of(ADDRESS, address_kinds);
	for (size_t i = 0; i < nkinds; i++)
		if (!strcasecmp(m, address_kinds[i])) {
			ois_json_set_str(data, unit, address_kinds[i]);
			return;
		}
	json_object_object_del(data, unit);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ois_norm_list(json_object *data, const char *unit)
{
	json_object *arr = ois_json_arr(data, unit);
	size_t n = arr ? json_object_array_length(arr) : 0, k = 0;
	if (!n) {
		json_object_object_del(data, unit);
		return;
	}
	char **v = ois_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(e, json_type_string))
			continue;
		char *c = ois_text_clean(json_object_get_string(e));
		if (*c)
			v[k++] = c;
		else
			free(c);
	}
	qsort(v, k, sizeof(*v), cmp_str);
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < k; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]))
			json_object_array_add(out, json_object_new_string(v[i]));
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	if (json_object_array_length(out))
		json_object_object_add(data, unit, out);
	else {
		json_object_put(out);
		json_object_object_del(data, unit);
	}
}

/* custom: one string per CUSTOM row, all kept when any holds text. */
static void fix_custom(json_object *data, const char *group)
{
	json_object *arr = ois_json_arr(data, group);
	if (!arr) {
		json_object_object_del(data, group);
		return;
	}
	const char *slots[NRULES];
	size_t nslots = keys_of(CUSTOM, slots);
	char *v[NRULES];
	int any = 0;
	for (size_t i = 0; i < nslots; i++) {
		json_object *e = i < json_object_array_length(arr) ? json_object_array_get_idx(arr, i) : NULL;
		v[i] = ois_text_clean(json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "");
		any |= *v[i] != '\0';
	}
	json_object *out = any ? json_object_new_array() : NULL;
	for (size_t i = 0; i < nslots; i++) {
		if (out)
			json_object_array_add(out, json_object_new_string(v[i]));
		free(v[i]);
	}
	if (out)
		json_object_object_add(data, group, out);
	else
		json_object_object_del(data, group);
}

void ois_norm_flag(json_object *data, const char *unit)
{
	if (ois_json_bool(data, unit, 0))
		json_object_object_add(data, unit, json_object_new_boolean(1));
	else
		json_object_object_del(data, unit);
}

static void contact_normalize(json_object *data, const char *region, int keep_typed, const char *label)
{
	/* Each rule touches only its own keys, so table order is as good as any. */
	for (size_t i = 0; i < NRULES; i++) {
		const char *unit = rules[i].unit;
		char group[32];
		group_of(unit, group, sizeof(group));
		/* A grouped unit's rule does the whole group, once: at its first row. */
		if (i > 0 && same_group(rules[i - 1].unit, unit))
			continue;
		switch (rules[i].norm) {
		case TEXT: ois_norm_str(data, unit, ois_text_clean); break;
		case NOTES: ois_norm_str(data, unit, ois_text_clean_notes); break;
		case DATE: fix_date(data, unit, label); break;
		case EMAIL: fix_emails(data, group); break;
		case PHONE: break; /* after the addresses, below: their country is the region */
		case ADDRESS: fix_addresses(data, group); break;
		case MAILING: fix_mailing(data, unit); break;
		case LIST: ois_norm_list(data, unit); break;
		case CUSTOM: fix_custom(data, group); break;
		case FLAG: ois_norm_flag(data, unit); break;
		}
	}
	for (size_t i = 0; i < NRULES; i++)
		if (rules[i].norm == PHONE) {
			char group[32];
			group_of(rules[i].unit, group, sizeof(group));
			fix_phones(data, group, contact_region(data, region), keep_typed);
			break; /* one group */
		}
	/* After the text rules: the display name it splits is cleaned. */
	ois_norm_person_name(data);
}

void ois_contact_normalize(json_object *data, const char *region, const char *label)
{
	contact_normalize(data, region, 0, label);
}

void ois_contact_finish(json_object *canon, const struct ois_mapping *map, const char *region, int keep_typed,
			const char *label)
{
	contact_normalize(canon, region, keep_typed, label);
	if (map->finish)
		map->finish("contact", canon);
}
