/*
 * country.c - country names to ISO 3166-1 alpha-2 codes, through a table
 * generated at build time (scripts/gen_countries.c: iso-codes, CLDR's names
 * from ICU, lib/country_aliases.txt), so no run reads or parses a data file.
 */
#include "country.h"
#include "country_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ois_country_row {
	uint32_t key;           /* offset of the folded name in ois_country_keys */
	char code[3];           /* alpha-2, upper case */
	unsigned char code_only; /* 1: the key is an ISO code and no name of that country */
};

/*
 * ois_country_keys, ois_country_table (sorted by key): $(BUILD)/gen, made by
 * the Makefile. Offsets into one string rather than pointers: the table
 * needs no relocation when an executable starts.
 */
#include "countries.inc"

static int key_cmp(const void *key, const void *row)
{
	return strcmp(key, ois_country_keys + ((const struct ois_country_row *)row)->key);
}

/*
 * The code of one name, or NULL. Initials with full stops ("U.S.", "U.A.E.")
 * are a name's abbreviation, so they find only keys some name or alias
 * spells: "N.A." and "S.A." are placeholders and company forms, not Namibia
 * and Saudi Arabia, though "NA" and "SA" are those countries' codes.
 */
static const char *lookup(const char *name)
{
	int initials;
	char buf[128];
	char *key = ois_country_fold_in(name, &initials, buf, sizeof(buf));
	if (!key)
		return NULL;
	const struct ois_country_row *hit = bsearch(key, ois_country_table,
		sizeof ois_country_table / sizeof *ois_country_table, sizeof *ois_country_table, key_cmp);
	if (key != buf)
		free(key);
	if (!hit || (initials && hit->code_only))
		return NULL;
	return hit->code;
}

/*
 * A name given in several languages with slashes, as a multilingual
 * country's letterhead does ("Schweiz/Suisse/Svizzera", "Belgique/België"):
 * the code when every part is a name of the same country, else NULL
 * ("US/Canada", "N/A").
 */
static const char *lookup_each(const char *name)
{
	const char *code = NULL;
	for (const char *p = name;;) {
		size_t n = strcspn(p, "/");
		char *part = strndup(p, n);
		const char *c = part ? lookup(part) : NULL;
		free(part);
		if (!c || (code && strcmp(c, code)))
			return NULL;
		code = c;
		if (!p[n])
			return code;
		p += n + 1;
	}
}

const char *ois_country_alpha2(const char *name)
{
	if (!name || !*name)
		return NULL;
	const char *code = lookup(name);
	if (!code && strchr(name, '/'))
		code = lookup_each(name);
	return code;
}
