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
	uint32_t key;  /* offset of the folded name in ois_country_keys */
	char code[3];  /* alpha-2, upper case */
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

const char *ois_country_alpha2(const char *name)
{
	if (!name || !*name)
		return NULL;
	char *key = ois_country_fold(name);
	if (!key)
		return NULL;
	const struct ois_country_row *hit = bsearch(key, ois_country_table,
		sizeof ois_country_table / sizeof *ois_country_table, sizeof *ois_country_table, key_cmp);
	free(key);
	return hit ? hit->code : NULL;
}
