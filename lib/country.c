/* country.c - country names to ISO 3166-1 alpha-2 codes, from Debian's iso-codes. */
#include "country.h"
#include "log.h"
#include "util.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct country_key {
	char *key;     /* folded name or code */
	char code[3];  /* alpha-2, upper case */
};

/*
 * Names people type that iso-codes does not list (it keeps only the short,
 * official and common names). Kept short on purpose: anything not here or
 * in iso-codes stays as typed, which is safe.
 */
static const struct { const char *name, *code; } aliases[] = {
	{ "UK", "GB" },
	{ "U.K.", "GB" },
	{ "Great Britain", "GB" },
	{ "U.S.", "US" },
	{ "U.S.A.", "US" },
	{ "Russia", "RU" },
	{ "Czech Republic", "CZ" },
	{ "Turkey", "TR" },
	{ "The Netherlands", "NL" },
};

static struct country_key *table;
static size_t ntable, table_cap;
static int loaded;

/*
 * Fold for matching: NFC-compose, case-fold, strip accents, and collapse
 * white space runs (trimmed), so the lookup key does not depend on how a
 * person or a server happened to type the name. NULL for invalid UTF-8.
 */
static char *fold(const char *s)
{
	utf8proc_uint8_t *f = NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &f,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
			 UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP) < 0)
		return NULL;
	char *out = (char *)f, *w = out;
	int space = 0;
	for (const char *r = out; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r' || *r == '\f' || *r == '\v') {
			space = 1;
			continue;
		}
		if (space && w != out)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return out;
}

static void add_key(const char *name, const char *code)
{
	if (!name || !code || strlen(code) != 2)
		return;
	char *k = fold(name);
	if (!k)
		return;
	if (ntable == table_cap) {
		table_cap = table_cap ? 2 * table_cap : 1024;
		table = ois_xrealloc(table, table_cap * sizeof(*table));
	}
	table[ntable].key = k;
	table[ntable].code[0] = code[0];
	table[ntable].code[1] = code[1];
	table[ntable].code[2] = '\0';
	ntable++;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct country_key *)a)->key, ((const struct country_key *)b)->key);
}

static const char *get(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void load(void)
{
	static const char *const fields[] = { "alpha_2", "alpha_3", "name", "official_name", "common_name" };
	loaded = 1;
	json_object *root = json_object_from_file(OIS_ISO3166_JSON);
	json_object *list;
	if (!root || !json_object_object_get_ex(root, "3166-1", &list) || !json_object_is_type(list, json_type_array)) {
		ois_warn("cannot read the country table '%s': country names stay as typed", OIS_ISO3166_JSON);
		json_object_put(root);
		return;
	}
	size_t n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(list, i);
		const char *code = get(c, "alpha_2");
		for (size_t f = 0; f < OIS_ARRAY_SIZE(fields); f++)
			add_key(get(c, fields[f]), code);
	}
	json_object_put(root);
	for (size_t i = 0; i < OIS_ARRAY_SIZE(aliases); i++)
		add_key(aliases[i].name, aliases[i].code);
	if (ntable)
		qsort(table, ntable, sizeof(*table), key_cmp);
}

const char *ois_country_alpha2(const char *name)
{
	if (!name || !*name)
		return NULL;
	if (!loaded)
		load();
	if (!ntable)
		return NULL;
	struct country_key want = { .key = fold(name) };
	if (!want.key)
		return NULL;
	const struct country_key *hit = bsearch(&want, table, ntable, sizeof(*table), key_cmp);
	free(want.key);
	return hit ? hit->code : NULL;
}
