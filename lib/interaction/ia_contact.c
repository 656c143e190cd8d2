/* ia_contact.c - InterAction contact (user view) <-> canonical contact data, both ways. */
#include "ia_contact.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * The field mapping InterAction publishes for its own Outlook sync
 * (doc/ARCHITECTURE.md, "Field mapping"). Canonical units are the names reconcile puts in an op's
 * "fields": "first", "phones.mobile", "emails.work", "addresses.business",
 * "custom.1". A unit InterAction does not carry (display, file_as,
 * phones.home2, birthday) maps to nothing and is ignored when writing.
 */
struct map {
	const char *canon;
	const char *api;
};

/* Plain strings; nickname (goes_by) has its own rule below. */
static const struct map scalars[] = {
	{ "prefix", "title" },
	{ "first", "first_name" },
	{ "middle", "middle_name" },
	{ "last", "last_name" },
	{ "suffix", "suffix" },
	{ "company", "company_name" },
	{ "job_title", "job_title" },
	{ "department", "department" },
	{ "assistant", "assistant" },
	{ "web", "web_site" },
	{ "notes", "my_notes" },
};

/* Canonical e-mail kinds in their canonical order. */
static const struct map emails[] = {
	{ "work", "business" },
	{ "home", "home" },
	{ "other", "other" },
};

static const struct map phones[] = {
	{ "business", "direct" },
	{ "business2", "company" },
	{ "mobile", "mobile" },
	{ "home", "home" },
	{ "other", "other" },
	{ "business_fax", "business_fax" },
	{ "home_fax", "home_fax" },
	{ "assistant", "assistant" },
	{ "pager", "pager" },
};

/* Address kinds have the same names on both sides. */
static const char *const addr_kinds[] = { "business", "home", "other" };

static const struct map addr_parts[] = {
	{ "street", "street" },
	{ "city", "city" },
	{ "region", "state" },
	{ "postal_code", "postal_code" },
	{ "country", "country" },
};

#define NCUSTOM 4

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
static void categories_to_canonical(json_object *native, json_object *out)
{
	json_object *arr = ois_json_arr(native, "categories");
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
		json_object_object_add(out, "categories", cats);
	else
		json_object_put(cats);
}

json_object *ois_ia_contact_to_canonical(json_object *native)
{
	json_object *out = json_object_new_object();

	for (size_t i = 0; i < OIS_ARRAY_SIZE(scalars); i++)
		put_text(out, scalars[i].canon, ois_json_str(native, scalars[i].api));

	/*
	 * InterAction fills Goes By with the first name when there is no
	 * nickname, so goes_by equal to first_name is "no nickname".
	 */
	const char *goes_by = text_at(native, "goes_by");
	const char *first = ois_json_str(native, "first_name");
	if (goes_by && !(first && !strcmp(goes_by, first)))
		put_text(out, "nickname", goes_by);

	json_object *nemails = ois_json_obj(native, "emails");
	json_object *cemails = json_object_new_array();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(emails); i++) {
		const char *addr = text_at(nemails, emails[i].api);
		if (!addr)
			continue;
		json_object *e = json_object_new_object();
		json_object_object_add(e, "address", json_object_new_string(addr));
		json_object_object_add(e, "kind", json_object_new_string(emails[i].canon));
		json_object_array_add(cemails, e);
	}
	if (json_object_array_length(cemails))
		json_object_object_add(out, "emails", cemails);
	else
		json_object_put(cemails);

	json_object *nphones = ois_json_obj(native, "phones");
	json_object *cphones = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(phones); i++)
		put_text(cphones, phones[i].canon, ois_json_str(nphones, phones[i].api));
	add_nonempty(out, "phones", cphones);

	json_object *naddrs = ois_json_obj(native, "addresses");
	json_object *caddrs = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(addr_kinds); i++) {
		json_object *na = ois_json_obj(naddrs, addr_kinds[i]);
		json_object *ca = json_object_new_object();
		for (size_t j = 0; j < OIS_ARRAY_SIZE(addr_parts); j++)
			put_text(ca, addr_parts[j].canon, ois_json_str(na, addr_parts[j].api));
		add_nonempty(caddrs, addr_kinds[i], ca);
	}
	add_nonempty(out, "addresses", caddrs);

	const char *mailing = ois_json_str(native, "mailing_address");
	for (size_t i = 0; mailing && i < OIS_ARRAY_SIZE(addr_kinds); i++)
		if (!strcmp(mailing, addr_kinds[i]))
			put_text(out, "mailing_address", mailing);

	/* custom: exactly four strings, only when one of them holds text. */
	json_object *ncustom = ois_json_arr(native, "custom");
	const char *cv[NCUSTOM] = { 0 };
	int any = 0;
	for (size_t i = 0; ncustom && i < NCUSTOM && i < json_object_array_length(ncustom); i++) {
		json_object *e = json_object_array_get_idx(ncustom, i);
		if (json_object_is_type(e, json_type_string) && has_text(json_object_get_string(e))) {
			cv[i] = json_object_get_string(e);
			any = 1;
		}
	}
	if (any) {
		json_object *c = json_object_new_array();
		for (size_t i = 0; i < NCUSTOM; i++)
			json_object_array_add(c, json_object_new_string(cv[i] ? cv[i] : ""));
		json_object_object_add(out, "custom", c);
	}

	categories_to_canonical(native, out);

	json_object *priv;
	if (json_object_object_get_ex(native, "private", &priv) &&
	    json_object_is_type(priv, json_type_boolean) && json_object_get_boolean(priv))
		json_object_object_add(out, "private", json_object_new_boolean(1));
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

/* The canonical e-mail address of kind, or NULL. */
static const char *canon_email(json_object *data, const char *kind)
{
	json_object *arr = ois_json_arr(data, "emails");
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
	const char *nick = text_at(data, "nickname");
	json_object_object_add(body, "goes_by",
			       json_object_new_string(nick ? nick : or_empty(ois_json_str(data, "first"))));
}

static void set_email(json_object *data, json_object *body, size_t i)
{
	json_object_object_add(sub_obj(body, "emails"), emails[i].api,
			       json_object_new_string(or_empty(canon_email(data, emails[i].canon))));
}

static void set_phone(json_object *data, json_object *body, size_t i)
{
	json_object_object_add(sub_obj(body, "phones"), phones[i].api,
			       json_object_new_string(or_empty(ois_json_str(ois_json_obj(data, "phones"),
									     phones[i].canon))));
}

static void set_addr_part(json_object *data, json_object *body, size_t k, size_t j)
{
	json_object *ca = ois_json_obj(ois_json_obj(data, "addresses"), addr_kinds[k]);
	json_object *na = sub_obj(sub_obj(body, "addresses"), addr_kinds[k]);
	json_object_object_add(na, addr_parts[j].api,
			       json_object_new_string(or_empty(ois_json_str(ca, addr_parts[j].canon))));
}

/* The API keeps custom as one array: any custom unit sends all four. */
static void set_custom(json_object *data, json_object *body)
{
	json_object *c = ois_json_arr(data, "custom");
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < NCUSTOM; i++) {
		json_object *e = c ? json_object_array_get_idx(c, i) : NULL;
		const char *s = e && json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";
		json_object_array_add(arr, json_object_new_string(s));
	}
	json_object_object_add(body, "custom", arr);
}

static void set_categories(json_object *data, json_object *body)
{
	json_object *c = ois_json_arr(data, "categories");
	json_object *arr = json_object_new_array();
	for (size_t i = 0; c && i < json_object_array_length(c); i++) {
		json_object *e = json_object_array_get_idx(c, i);
		if (json_object_is_type(e, json_type_string) && has_text(json_object_get_string(e)))
			json_object_array_add(arr, json_object_new_string(json_object_get_string(e)));
	}
	json_object_object_add(body, "categories", arr);
}

static void set_mailing(json_object *data, json_object *body)
{
	json_object_object_add(body, "mailing_address",
			       json_object_new_string(or_empty(ois_json_str(data, "mailing_address"))));
}

static void set_private(json_object *data, json_object *body)
{
	json_object_object_add(body, "private", json_object_new_boolean(ois_json_bool(data, "private", 0)));
}

/* Index of name in a map table, or -1. */
static int map_find(const struct map *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].canon, name))
			return (int)i;
	return -1;
}

/* "addresses", "addresses.business" or "addresses.business.city". */
static void set_addresses(json_object *data, json_object *body, const char *rest)
{
	for (size_t k = 0; k < OIS_ARRAY_SIZE(addr_kinds); k++) {
		size_t kl = strlen(addr_kinds[k]);
		if (rest && (strncmp(rest, addr_kinds[k], kl) || (rest[kl] && rest[kl] != '.')))
			continue;
		const char *part = rest && rest[kl] == '.' ? rest + kl + 1 : NULL;
		for (size_t j = 0; j < OIS_ARRAY_SIZE(addr_parts); j++)
			if (!part || !strcmp(part, addr_parts[j].canon))
				set_addr_part(data, body, k, j);
	}
}

/* Put the API keys for one canonical unit into body. */
static void set_unit(json_object *data, json_object *body, const char *unit)
{
	int i;
	if ((i = map_find(scalars, OIS_ARRAY_SIZE(scalars), unit)) >= 0) {
		json_object_object_add(body, scalars[i].api,
				       json_object_new_string(or_empty(ois_json_str(data, scalars[i].canon))));
		/* Goes By follows the first name while there is no nickname. */
		if (!strcmp(unit, "first"))
			set_goes_by(data, body);
	} else if (!strcmp(unit, "nickname")) {
		set_goes_by(data, body);
	} else if (!strcmp(unit, "emails")) {
		for (size_t e = 0; e < OIS_ARRAY_SIZE(emails); e++)
			set_email(data, body, e);
	} else if (!strncmp(unit, "emails.", 7)) {
		if ((i = map_find(emails, OIS_ARRAY_SIZE(emails), unit + 7)) >= 0)
			set_email(data, body, (size_t)i);
	} else if (!strcmp(unit, "phones")) {
		for (size_t p = 0; p < OIS_ARRAY_SIZE(phones); p++)
			set_phone(data, body, p);
	} else if (!strncmp(unit, "phones.", 7)) {
		if ((i = map_find(phones, OIS_ARRAY_SIZE(phones), unit + 7)) >= 0)
			set_phone(data, body, (size_t)i);
		else
			ois_debug("interaction has no field for \"%s\"", unit);
	} else if (!strcmp(unit, "addresses")) {
		set_addresses(data, body, NULL);
	} else if (!strncmp(unit, "addresses.", 10)) {
		set_addresses(data, body, unit + 10);
	} else if (!strcmp(unit, "mailing_address")) {
		set_mailing(data, body);
	} else if (!strcmp(unit, "custom") || !strncmp(unit, "custom.", 7)) {
		set_custom(data, body);
	} else if (!strcmp(unit, "categories")) {
		set_categories(data, body);
	} else if (!strcmp(unit, "private")) {
		set_private(data, body);
	} else {
		/* display, file_as, birthday: InterAction has no place for them. */
		ois_debug("interaction has no field for \"%s\"", unit);
	}
}

json_object *ois_ia_contact_from_canonical(json_object *data, json_object *fields)
{
	json_object *body = json_object_new_object();
	if (!fields) {
		static const char *const all[] = {
			"prefix", "first", "middle", "last", "suffix", "nickname", "company",
			"job_title", "department", "assistant", "web", "notes", "emails",
			"phones", "addresses", "mailing_address", "custom", "categories", "private",
		};
		for (size_t i = 0; i < OIS_ARRAY_SIZE(all); i++)
			set_unit(data, body, all[i]);
		return body;
	}
	if (!json_object_is_type(fields, json_type_array))
		OIS_BUG("fields must be an array");
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		if (json_object_is_type(f, json_type_string))
			set_unit(data, body, json_object_get_string(f));
	}
	return body;
}
