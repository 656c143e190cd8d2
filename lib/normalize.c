/* normalize.c - canonical contact data made comparable field by field (oisync-transform(1)). */
#include "normalize.h"
#include "country.h"
#include "log.h"
#include "phone.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Plain one-line strings. */
static const char *const text_fields[] = {
	"prefix", "first", "middle", "last", "suffix", "nickname", "display", "file_as",
	"company", "job_title", "department", "assistant", "web",
};

/* Canonical e-mail kinds, in canonical order. */
static const char *const email_kinds[] = { "work", "home", "other" };

static const char *const address_kinds[] = { "business", "home", "other" };

#define NCUSTOM 4

/*
 * Apply rule to the string at key: keep the result when it holds anything,
 * else remove the key. A value of another JSON type is removed too: the
 * canonical shape has only strings there. Absent keys stay absent.
 */
static void fix_str(json_object *obj, const char *key, char *(*rule)(const char *))
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

static void fix_birthday(json_object *data, const char *label)
{
	fix_str(data, "birthday", ois_text_clean);
	const char *b = ois_json_str(data, "birthday");
	if (b && !ois_date_valid(b)) {
		ois_warn("%s: birthday \"%s\" is not a YYYY-MM-DD date; dropped", label ? label : "contact", b);
		json_object_object_del(data, "birthday");
	}
}

/* One address per kind, the first seen; work, home, other; nothing else. */
static void fix_emails(json_object *data)
{
	json_object *arr = ois_json_arr(data, "emails");
	if (!arr) {
		json_object_object_del(data, "emails");
		return;
	}
	char *addr[OIS_ARRAY_SIZE(email_kinds)] = { 0 };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *kind = ois_json_str(e, "kind"), *a = ois_json_str(e, "address");
		if (!kind || !a)
			continue;
		for (size_t k = 0; k < OIS_ARRAY_SIZE(email_kinds); k++) {
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
	for (size_t k = 0; k < OIS_ARRAY_SIZE(email_kinds); k++) {
		if (!addr[k])
			continue;
		json_object *e = json_object_new_object();
		json_object_object_add(e, "address", json_object_new_string(addr[k]));
		json_object_object_add(e, "kind", json_object_new_string(email_kinds[k]));
		json_object_array_add(out, e);
		free(addr[k]);
	}
	if (json_object_array_length(out))
		json_object_object_add(data, "emails", out);
	else {
		json_object_put(out);
		json_object_object_del(data, "emails");
	}
}

static void fix_phones(json_object *data, const char *region)
{
	json_object *phones = ois_json_obj(data, "phones");
	if (!phones) {
		json_object_object_del(data, "phones");
		return;
	}
	/* Collect the keys first: changing an object while iterating it is not safe. */
	size_t n = (size_t)json_object_object_length(phones), k = 0;
	char **keys = ois_xcalloc(n ? n : 1, sizeof(*keys));
	json_object_object_foreach(phones, key, val) {
		(void)val;
		keys[k++] = ois_xstrdup(key);
	}
	for (size_t i = 0; i < k; i++) {
		fix_str(phones, keys[i], ois_text_clean);
		const char *raw = ois_json_str(phones, keys[i]);
		char e164[64];
		if (raw && ois_phone_e164(raw, region, e164, sizeof(e164)) == 0)
			ois_json_set_str(phones, keys[i], e164);
		free(keys[i]);
	}
	free(keys);
	drop_if_empty_obj(data, "phones");
}

static void fix_address(json_object *addrs, const char *kind)
{
	json_object *a = ois_json_obj(addrs, kind);
	if (!a) {
		json_object_object_del(addrs, kind);
		return;
	}
	fix_str(a, "street", ois_text_clean_lines);
	fix_str(a, "city", ois_text_clean);
	fix_str(a, "region", ois_text_clean);
	fix_str(a, "postal_code", ois_text_clean);
	fix_str(a, "country", ois_text_clean);
	const char *country = ois_json_str(a, "country");
	const char *code = country ? ois_country_alpha2(country) : NULL;
	if (code)
		ois_json_set_str(a, "country", code);
	drop_if_empty_obj(addrs, kind);
}

static void fix_addresses(json_object *data)
{
	json_object *addrs = ois_json_obj(data, "addresses");
	if (!addrs) {
		json_object_object_del(data, "addresses");
		return;
	}
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_kinds); i++)
		fix_address(addrs, address_kinds[i]);
	drop_if_empty_obj(data, "addresses");
}

static void fix_mailing(json_object *data)
{
	fix_str(data, "mailing_address", ois_text_clean);
	const char *m = ois_json_str(data, "mailing_address");
	if (!m)
		return;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_kinds); i++)
		if (!strcasecmp(m, address_kinds[i])) {
			ois_json_set_str(data, "mailing_address", address_kinds[i]);
			return;
		}
	json_object_object_del(data, "mailing_address");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fix_categories(json_object *data)
{
	json_object *arr = ois_json_arr(data, "categories");
	size_t n = arr ? json_object_array_length(arr) : 0, k = 0;
	if (!n) {
		json_object_object_del(data, "categories");
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
		json_object_object_add(data, "categories", out);
	else {
		json_object_put(out);
		json_object_object_del(data, "categories");
	}
}

static void fix_custom(json_object *data)
{
	json_object *arr = ois_json_arr(data, "custom");
	if (!arr) {
		json_object_object_del(data, "custom");
		return;
	}
	char *v[NCUSTOM];
	int any = 0;
	for (size_t i = 0; i < NCUSTOM; i++) {
		json_object *e = i < json_object_array_length(arr) ? json_object_array_get_idx(arr, i) : NULL;
		v[i] = ois_text_clean(json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "");
		any |= *v[i] != '\0';
	}
	json_object *out = any ? json_object_new_array() : NULL;
	for (size_t i = 0; i < NCUSTOM; i++) {
		if (out)
			json_object_array_add(out, json_object_new_string(v[i]));
		free(v[i]);
	}
	if (out)
		json_object_object_add(data, "custom", out);
	else
		json_object_object_del(data, "custom");
}

static void fix_private(json_object *data)
{
	if (ois_json_bool(data, "private", 0))
		json_object_object_add(data, "private", json_object_new_boolean(1));
	else
		json_object_object_del(data, "private");
}

void ois_contact_normalize(json_object *data, const char *region, const char *label)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(text_fields); i++)
		fix_str(data, text_fields[i], ois_text_clean);
	fix_str(data, "notes", ois_text_clean_notes);
	fix_birthday(data, label);
	fix_emails(data);
	fix_phones(data, region);
	fix_addresses(data);
	fix_mailing(data);
	fix_categories(data);
	fix_custom(data);
	fix_private(data);
}

void ois_contact_finish(json_object *canon, const struct ois_mapping *map, const char *region, const char *label)
{
	ois_contact_normalize(canon, region, label);
	if (map->finish)
		map->finish("contact", canon);
}
