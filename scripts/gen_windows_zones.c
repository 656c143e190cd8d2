/*
 * gen_windows_zones.c - CLDR's windowsZones as C tables for lib/tz.c, made
 * at build time from ICU (which carries CLDR's mapping and the tz names):
 * the Makefile builds and runs it into $(BUILD)/gen/windows_zones.inc.
 * Only this build tool links ICU: opening ICU's zone data would cost a
 * stage time at every start, and the mapping never changes between builds. The output, on stdout, is two arrays of string pairs:
 *
 * - ois_tz_from_windows_table: every Windows zone id with its IANA zone for
 *   territory "001" (the world), sorted by the id without regard to ASCII
 *   case (tz.c compares that way: Exchange's ids are not case-sensitive);
 * - ois_tz_to_windows_table: every zone id ICU knows, canonical and alias
 *   ("US/Eastern", "Asia/Calcutta"), with the Windows id CLDR files it
 *   under, sorted by strcmp; ids no Windows zone covers are left out.
 *
 * tz.c defines struct ois_tz_pair, includes the file and binary-searches
 * each array. Exit 1 on any ICU error or on a name the table could not
 * hold as a plain C string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/uclean.h>
#include <unicode/uenum.h>
#include <unicode/ulocdata.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

/* Longer than any zone id (tz's own limit is 14 characters a component). */
#define ID_MAX 128

struct pair {
	char key[ID_MAX];
	char value[ID_MAX];
};

static void die(const char *what, UErrorCode ec)
{
	fprintf(stderr, "gen_windows_zones: %s: %s\n", what, u_errorName(ec));
	exit(1);
}

/*
 * The table holds names as plain string literals: printable ASCII without
 * '"' and '\\'. Anything else would be a change in ICU worth a look, not
 * something to escape quietly.
 */
static void check_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\') {
			fprintf(stderr, "gen_windows_zones: unexpected character in zone id \"%s\"\n", s);
			exit(1);
		}
}

/* Exchange compares Windows ids without regard to case; so does tz.c, in ASCII (no locale). */
static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

static int by_key_nocase(const void *a, const void *b)
{
	return ascii_casecmp(((const struct pair *)a)->key, ((const struct pair *)b)->key);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->key, ((const struct pair *)b)->key);
}

static struct pair *grow(struct pair *v, size_t n, size_t *cap)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 256;
	v = realloc(v, *cap * sizeof *v);
	if (!v) {
		fprintf(stderr, "gen_windows_zones: out of memory\n");
		exit(1);
	}
	return v;
}

/* ICU's ids are invariant characters: one UChar each way. */
static void to_uchars(const char *s, UChar *out)
{
	size_t n = strlen(s);
	if (n >= ID_MAX) {
		fprintf(stderr, "gen_windows_zones: zone id too long: \"%s\"\n", s);
		exit(1);
	}
	u_charsToUChars(s, out, (int32_t)n + 1);
}

static void from_uchars(const UChar *u, int32_t len, char *out)
{
	u_UCharsToChars(u, out, len);
	out[len] = '\0';
}

static void print_table(const char *name, const struct pair *v, size_t n)
{
	printf("static const struct ois_tz_pair %s[] = {\n", name);
	for (size_t i = 0; i < n; i++)
		printf("\t{ \"%s\", \"%s\" },\n", v[i].key, v[i].value);
	printf("};\n");
}

int main(void)
{
	UErrorCode ec = U_ZERO_ERROR;
	/* Every zone id ICU knows: canonical ones and their aliases and links. */
	UEnumeration *ids = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_ANY, NULL, NULL, &ec);
	if (U_FAILURE(ec))
		die("ucal_openTimeZoneIDEnumeration", ec);

	struct pair *to_win = NULL, *from_win = NULL;
	size_t n_to = 0, cap_to = 0, n_from = 0, cap_from = 0;
	const char *id;
	int32_t len;
	while ((id = uenum_next(ids, &len, &ec)) && U_SUCCESS(ec)) {
		UChar uid[ID_MAX], uwin[ID_MAX];
		check_name(id);
		to_uchars(id, uid);
		int32_t wlen = ucal_getWindowsTimeZoneID(uid, -1, uwin, ID_MAX, &ec);
		if (U_FAILURE(ec) || ec == U_STRING_NOT_TERMINATED_WARNING)
			die(id, ec);
		if (wlen == 0)
			continue; /* no Windows zone covers it (e.g. Antarctica/Troll) */
		to_win = grow(to_win, n_to, &cap_to);
		snprintf(to_win[n_to].key, ID_MAX, "%s", id);
		from_uchars(uwin, wlen, to_win[n_to].value);
		check_name(to_win[n_to].value);
		n_to++;
	}
	if (U_FAILURE(ec))
		die("uenum_next", ec);
	uenum_close(ids);
	qsort(to_win, n_to, sizeof *to_win, by_key);

	/*
	 * ICU lists no Windows ids, but every one of them covers some zone: the
	 * distinct values of the reverse table are all of them.
	 */
	for (size_t i = 0; i < n_to; i++) {
		size_t j;
		for (j = 0; j < n_from; j++)
			if (!strcmp(from_win[j].key, to_win[i].value))
				break;
		if (j < n_from)
			continue;
		UChar uwin[ID_MAX], uid[ID_MAX];
		to_uchars(to_win[i].value, uwin);
		int32_t ilen = ucal_getTimeZoneIDForWindowsID(uwin, -1, "001", uid, ID_MAX, &ec);
		if (U_FAILURE(ec) || ec == U_STRING_NOT_TERMINATED_WARNING || ilen == 0) {
			fprintf(stderr, "gen_windows_zones: no zone for territory 001 of \"%s\"\n", to_win[i].value);
			exit(1);
		}
		from_win = grow(from_win, n_from, &cap_from);
		snprintf(from_win[n_from].key, ID_MAX, "%s", to_win[i].value);
		from_uchars(uid, ilen, from_win[n_from].value);
		check_name(from_win[n_from].value);
		n_from++;
	}
	qsort(from_win, n_from, sizeof *from_win, by_key_nocase);
	/* A Windows zone written through its IANA zone comes back as itself: lib/tz.c's users count on it. */
	for (size_t i = 0; i < n_from; i++) {
		struct pair probe;
		snprintf(probe.key, ID_MAX, "%s", from_win[i].value);
		const struct pair *back = bsearch(&probe, to_win, n_to, sizeof *to_win, by_key);
		if (!back || strcmp(back->value, from_win[i].key)) {
			fprintf(stderr, "gen_windows_zones: \"%s\" -> \"%s\" -> \"%s\"\n", from_win[i].key,
				from_win[i].value, back ? back->value : "(none)");
			exit(1);
		}
	}
	for (size_t i = 1; i < n_from; i++)
		if (!by_key_nocase(&from_win[i - 1], &from_win[i])) {
			fprintf(stderr, "gen_windows_zones: Windows ids \"%s\" and \"%s\" differ only in case\n",
				from_win[i - 1].key, from_win[i].key);
			exit(1);
		}

	UVersionInfo icu, cldr;
	char icu_s[U_MAX_VERSION_STRING_LENGTH], cldr_s[U_MAX_VERSION_STRING_LENGTH];
	u_getVersion(icu);
	u_versionToString(icu, icu_s);
	ulocdata_getCLDRVersion(cldr, &ec);
	if (U_FAILURE(ec))
		die("ulocdata_getCLDRVersion", ec);
	u_versionToString(cldr, cldr_s);
	const char *tzdata = ucal_getTZDataVersion(&ec);
	if (U_FAILURE(ec))
		die("ucal_getTZDataVersion", ec);

	printf("/* Generated by scripts/gen_windows_zones.c from ICU %s (CLDR %s, tz %s): do not edit. */\n",
	       icu_s, cldr_s, tzdata);
	print_table("ois_tz_from_windows_table", from_win, n_from);
	print_table("ois_tz_to_windows_table", to_win, n_to);
	free(to_win);
	free(from_win);
	/* Hands ICU's caches back, so a sanitizer build's leak check sees a clean exit. */
	u_cleanup();
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "gen_windows_zones: cannot write the table\n");
		return 1;
	}
	return 0;
}
