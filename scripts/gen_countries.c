/*
 * gen_countries.c - the country lookup table of lib/country.c, made at build
 * time: the Makefile builds and runs it into $(BUILD)/gen/countries.inc.
 *
 *   gen_countries ISO_3166-1.JSON ALIASES > countries.inc
 *
 * Every key is a name folded by lib/country_fold.c (compiled into this tool,
 * so the table and the lookup fold alike) with the ISO 3166-1 alpha-2 code
 * it stands for. The sources, best first (the rank of a key):
 *
 *   0  ISO's codes, from iso-codes: alpha-2, alpha-3, numeric, and the
 *      flag emoji iso-codes lists;
 *   1  ISO's English names from iso-codes (short, official, common, and the
 *      short name with its inverted part put back in front: "Korea,
 *      Republic of" is also "Republic of Korea"), and CLDR's English names
 *      from ICU (the standard one and its "short" and "variant" forms);
 *   2  the aliases file (lib/country_aliases.txt): everyday English names
 *      no data source has;
 *   3  CLDR's names in the languages a firm's offices use (OFFICE_LANGS),
 *      and each country's name in each language ICU has a locale of that
 *      country for (de_CH, fr_CH, it_CH, rm_CH: Schweiz, Suisse, Svizzera,
 *      Svizra); German names also with ae, oe, ue for the umlauts. A name
 *      here that folds to two letters is left out: it would read as an
 *      alpha-2 code (French "É.-U." folds to "eu").
 *
 * A key takes the code its best rank gives. When that rank gives two codes,
 * the key is left out: a name that is not one country is kept as typed,
 * never guessed. So an English name wins over a foreign name folding alike,
 * and two foreign names that clash leave the key out. The keys left out
 * are listed in a comment at the end of the output.
 *
 * Each row also says whether its key is a bare code that no name spells
 * ("na"), which dotted initials ("N.A.") must not find (lib/country.c).
 *
 * Only codes iso-codes lists are used: CLDR's other territories (EU,
 * "Europe", XK "Kosovo") stay as typed. Exit 1 on any error in the data, or
 * on an alias that contradicts ISO's or CLDR's English names.
 */
#include "country_fold.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uclean.h>
#include <unicode/udata.h>
#include <unicode/uloc.h>
#include <unicode/ulocdata.h>
#include <unicode/ures.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

/* ICU's territory names (its "region" data tree). */
#define REGION_TREE U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "region"

/*
 * The languages of a firm's usual offices, besides English: Western and
 * Northern Europe, the Americas, the Middle East and East Asia.
 * Chinese in both scripts (mainland; Taiwan and Hong Kong), Portuguese of
 * both Brazil and Portugal.
 */
static const char *const OFFICE_LANGS[] = {
	"de", "fr", "it", "es", "nl", "pt", "pt_PT", "ja", "zh", "zh_Hant", "ko",
	"ar", "ru", "pl", "sv", "da", "nb", "fi", "he",
};

/* The three name tables of a CLDR locale: standard, and alt="short", alt="variant". */
static const char *const NAME_TABLES[] = { "Countries", "Countries%short", "Countries%variant" };

struct entry {
	char *key;
	char code[3];
	int rank;
	char from[64]; /* for messages: where the name came from */
};

static struct entry *entries;
static size_t nentries, cap;

/* iso-codes' alpha-2 codes: the only ones a key may give. */
static char (*iso)[3];
static size_t niso;

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "gen_countries: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int is_iso(const char *code)
{
	for (size_t i = 0; i < niso; i++)
		if (!strcmp(iso[i], code))
			return 1;
	return 0;
}

static void add(const char *name, const char *code, int rank, const char *from)
{
	if (!name || !*name)
		return;
	char *key = ois_country_fold(name, NULL);
	if (!key)
		fail("cannot fold \"%s\" (%s)", name, from);
	/*
	 * Two letters are an alpha-2 code to an English reader, and ISO has
	 * assigned or reserved every pair: another language's abbreviation
	 * there would read a code wrongly (French "É.-U." is "eu", the
	 * European Union's reserved code; Dutch "VS" and "VK"). Left out.
	 */
	if (rank == 3 && strlen(key) == 2 && islower((unsigned char)key[0]) && islower((unsigned char)key[1])) {
		free(key);
		return;
	}
	if (nentries == cap) {
		cap = cap ? 2 * cap : 4096;
		entries = realloc(entries, cap * sizeof(*entries));
		if (!entries)
			fail("out of memory");
	}
	struct entry *e = &entries[nentries++];
	e->key = key;
	memcpy(e->code, code, 3);
	e->rank = rank;
	snprintf(e->from, sizeof(e->from), "%s", from);
}

static const char *get(json_object *o, const char *field)
{
	json_object *v;
	if (!json_object_object_get_ex(o, field, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* "Korea, Republic of" -> "Republic of Korea"; "Congo, The Democratic Republic of the" -> "The Democratic ... of the Congo". */
static void add_uninverted(const char *name, const char *code)
{
	const char *comma = strstr(name, ", ");
	if (!comma || strchr(comma + 2, ','))
		return;
	const char *tail = comma + 2;
	size_t tlen = strlen(tail);
	int of = (tlen > 3 && !strcmp(tail + tlen - 3, " of")) || (tlen > 7 && !strcmp(tail + tlen - 7, " of the"));
	if (!of)
		return;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s %.*s", tail, (int)(comma - name), name);
	add(buf, code, 1, "iso-codes short name, uninverted");
}

static void read_iso(const char *path)
{
	json_object *root = json_object_from_file(path), *list;
	if (!root || !json_object_object_get_ex(root, "3166-1", &list) || !json_object_is_type(list, json_type_array))
		fail("cannot read ISO 3166-1 from \"%s\"", path);
	size_t n = json_object_array_length(list);
	iso = calloc(n, sizeof(*iso));
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(list, i);
		const char *a2 = get(c, "alpha_2");
		if (!a2 || strlen(a2) != 2 || !isupper((unsigned char)a2[0]) || !isupper((unsigned char)a2[1]))
			fail("\"%s\": an entry without a two-letter alpha_2", path);
		memcpy(iso[niso++], a2, 3);
		add(a2, a2, 0, "ISO alpha-2");
		add(get(c, "alpha_3"), a2, 0, "ISO alpha-3");
		add(get(c, "numeric"), a2, 0, "ISO numeric");
		add(get(c, "flag"), a2, 0, "iso-codes flag");
		add(get(c, "name"), a2, 1, "ISO short name");
		add(get(c, "official_name"), a2, 1, "ISO official name");
		add(get(c, "common_name"), a2, 1, "ISO common name");
		if (get(c, "name"))
			add_uninverted(get(c, "name"), a2);
	}
	json_object_put(root);
	if (niso < 200)
		fail("\"%s\" lists too few countries", path);
}

/*
 * German written without umlauts spells them ae, oe, ue ("Oesterreich",
 * "Tuerkei"), which folding ("Osterreich") cannot reach: a German name with
 * one is also added so spelled.
 */
static void add_german_spelling(const char *name, const char *code, int rank, const char *from)
{
	static const char *const umlaut[][2] = {
		{ "\xc3\xa4", "ae" }, { "\xc3\xb6", "oe" }, { "\xc3\xbc", "ue" },
		{ "\xc3\x84", "Ae" }, { "\xc3\x96", "Oe" }, { "\xc3\x9c", "Ue" },
	};
	char buf[512], *w = buf;
	int any = 0;
	for (const char *p = name; *p && w < buf + sizeof(buf) - 3;) {
		size_t u = 0;
		while (u < sizeof(umlaut) / sizeof(*umlaut) && strncmp(p, umlaut[u][0], 2))
			u++;
		if (u < sizeof(umlaut) / sizeof(*umlaut)) {
			memcpy(w, umlaut[u][1], 2);
			w += 2;
			p += 2;
			any = 1;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	if (any)
		add(buf, code, rank, from);
}

/* Every name of every ISO country in locale (standard, short, variant). */
static void add_locale(const char *locale, int rank, const char *only_code)
{
	UErrorCode ec = U_ZERO_ERROR;
	UResourceBundle *b = ures_open(REGION_TREE, locale, &ec);
	if (U_FAILURE(ec))
		fail("ICU has no territory names for \"%s\"", locale);
	char from[64];
	snprintf(from, sizeof(from), "CLDR %s", locale);
	for (size_t t = 0; t < sizeof(NAME_TABLES) / sizeof(*NAME_TABLES); t++) {
		UErrorCode e = U_ZERO_ERROR;
		UResourceBundle *tab = ures_getByKey(b, NAME_TABLES[t], NULL, &e);
		if (U_FAILURE(e)) {
			ures_close(tab);
			continue; /* a locale with no short or variant names */
		}
		for (size_t i = 0; i < niso; i++) {
			if (only_code && strcmp(only_code, iso[i]))
				continue;
			UErrorCode e2 = U_ZERO_ERROR;
			int32_t len;
			const UChar *u = ures_getStringByKey(tab, iso[i], &len, &e2);
			if (U_FAILURE(e2))
				continue;
			char name[512];
			u_strToUTF8(name, sizeof(name), NULL, u, len, &e2);
			if (U_FAILURE(e2) || e2 == U_STRING_NOT_TERMINATED_WARNING)
				fail("a name too long in \"%s\" (%s)", locale, iso[i]);
			add(name, iso[i], rank, from);
			if (!strncmp(locale, "de", 2) && (!locale[2] || locale[2] == '_'))
				add_german_spelling(name, iso[i], rank, from);
		}
		ures_close(tab);
	}
	ures_close(b);
}

/* Each available locale with a country: that country's name in the locale's language. */
static void add_own_languages(void)
{
	int32_t n = uloc_countAvailable();
	for (int32_t i = 0; i < n; i++) {
		const char *loc = uloc_getAvailable(i);
		char cc[ULOC_COUNTRY_CAPACITY];
		UErrorCode ec = U_ZERO_ERROR;
		uloc_getCountry(loc, cc, sizeof(cc), &ec);
		if (U_FAILURE(ec) || strlen(cc) != 2 || !is_iso(cc))
			continue;
		add_locale(loc, 3, cc);
	}
}

/* Lines "CODE  Name  # source"; blank lines and lines starting with "#" are comments. */
static void read_aliases(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail("cannot open \"%s\"", path);
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		char *end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		if (!*p)
			continue;
		char code[3] = { p[0], p[1], '\0' };
		if (end - p < 4 || (p[2] != ' ' && p[2] != '\t') || !is_iso(code))
			fail("\"%s\": not \"CODE name\" with an ISO alpha-2 code: \"%s\"", path, line);
		p += 2;
		while (*p == ' ' || *p == '\t')
			p++;
		add(p, code, 2, "aliases");
	}
	fclose(f);
}

static int by_key_rank(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (!c)
		c = x->rank - y->rank;
	if (!c)
		c = strcmp(x->code, y->code);
	return c;
}

/* key as a C string literal: printable ASCII as is, any other byte in octal (three digits, so no digit can follow into it). */
static void print_literal(const char *key)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '?')
			putchar(*p);
		else
			printf("\\%03o", *p);
	}
	printf("\\0\"");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_countries ISO_3166-1.JSON ALIASES > countries.inc\n");
		return 2;
	}
	read_iso(argv[1]);
	add_locale("en", 1, NULL);
	read_aliases(argv[2]);
	for (size_t i = 0; i < sizeof(OFFICE_LANGS) / sizeof(*OFFICE_LANGS); i++)
		add_locale(OFFICE_LANGS[i], 3, NULL);
	add_own_languages();
	qsort(entries, nentries, sizeof(*entries), by_key_rank);

	/* An alias must not contradict a better source: it would be dead, or a code would have two readings. */
	for (size_t i = 0; i < nentries; i++) {
		if (entries[i].rank != 2)
			continue;
		for (size_t j = i; j-- > 0 && !strcmp(entries[j].key, entries[i].key);)
			if (entries[j].rank < 2 && strcmp(entries[j].code, entries[i].code))
				fail("alias \"%s\" contradicts %s", entries[i].key, entries[j].from);
	}

	struct { const char *key; char code[3]; int code_only; } *out = malloc(nentries * sizeof(*out));
	size_t nout = 0;
	struct { const char *key, *codes; int rank; } *left = malloc(nentries * sizeof(*left));
	size_t nleft = 0;
	for (size_t i = 0; i < nentries;) {
		size_t j = i + 1;
		while (j < nentries && !strcmp(entries[j].key, entries[i].key))
			j++;
		/* entries[i..j) share a key, best rank first; the best rank decides. */
		size_t k = i + 1;
		int ambiguous = 0;
		for (; k < j && entries[k].rank == entries[i].rank; k++)
			if (strcmp(entries[k].code, entries[i].code))
				ambiguous = 1;
		if (!ambiguous) {
			out[nout].key = entries[i].key;
			memcpy(out[nout].code, entries[i].code, 3);
			/* A code no name spells: "N.A." is a placeholder, not Namibia (see lib/country.c). */
			out[nout].code_only = entries[i].rank == 0;
			for (size_t m = k; m < j; m++)
				if (!strcmp(entries[m].code, entries[i].code))
					out[nout].code_only = 0;
			nout++;
		} else {
			char *codes = malloc(3 * (k - i) + 1), *w = codes;
			for (size_t m = i; m < k; m++)
				if (m == i || strcmp(entries[m].code, entries[m - 1].code))
					w += sprintf(w, " %s", entries[m].code);
			left[nleft].key = entries[i].key;
			left[nleft].codes = codes;
			left[nleft].rank = entries[i].rank;
			nleft++;
		}
		i = j;
	}

	UVersionInfo icu, cldr;
	char icu_s[U_MAX_VERSION_STRING_LENGTH], cldr_s[U_MAX_VERSION_STRING_LENGTH];
	UErrorCode ec = U_ZERO_ERROR;
	u_getVersion(icu);
	u_versionToString(icu, icu_s);
	ulocdata_getCLDRVersion(cldr, &ec);
	if (U_FAILURE(ec))
		fail("ulocdata_getCLDRVersion: %s", u_errorName(ec));
	u_versionToString(cldr, cldr_s);

	printf("/* Generated by scripts/gen_countries.c from iso-codes (%s), ICU %s (CLDR %s) and %s: do not edit. */\n",
	       argv[1], icu_s, cldr_s, argv[2]);
	printf("static const char ois_country_keys[] =\n");
	size_t off = 0;
	unsigned long *offs = malloc(nout * sizeof(*offs));
	for (size_t i = 0; i < nout; i++) {
		offs[i] = off;
		off += strlen(out[i].key) + 1;
		putchar('\t');
		print_literal(out[i].key);
		putchar('\n');
	}
	printf("\t;\n");
	printf("static const struct ois_country_row ois_country_table[%zu] = {\n", nout);
	for (size_t i = 0; i < nout; i++)
		printf("\t{ %lu, \"%s\", %d },\n", offs[i], out[i].code, out[i].code_only);
	printf("};\n");
	printf("/*\n * Left out, as their best source gives two codes (rank: 0 codes, 1 English,\n"
	       " * 2 aliases, 3 other languages):\n");
	for (size_t i = 0; i < nleft; i++) {
		printf(" *   %d ", left[i].rank);
		for (const char *p = left[i].key; *p; p++)
			putchar(*p == '*' && p[1] == '/' ? '+' : *p);
		printf(":%s\n", left[i].codes);
	}
	printf(" */\n");

	/* Everything handed back, so a sanitizer build's leak check sees a clean exit. */
	for (size_t i = 0; i < nleft; i++)
		free((char *)left[i].codes);
	for (size_t i = 0; i < nentries; i++)
		free(entries[i].key);
	free(left);
	free(out);
	free(offs);
	free(entries);
	free(iso);
	u_cleanup();
	if (fflush(stdout) || ferror(stdout))
		fail("cannot write the table");
	return 0;
}
