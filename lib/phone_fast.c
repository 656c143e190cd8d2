/* phone_fast.c - North American numbers in their common written forms, told valid or not without loading libphonenumber. */
#include "phone_p.h"

#include <string.h>

/* $(BUILD)/gen/nanp_valid.inc, from scripts/gen_nanp.cc: ois_nanp_valid, ois_nanp_mixed. */
#include "nanp_valid.inc"

/*
 * Only what is provably the library's own answer passes here, because both
 * sides' numbers must format alike: North American numbers (the NANP) as
 * people and servers write them, "+12125550100", "+1 212-555-0100" (the
 * international form apply writes, so what comes back), "(212) 555-0100",
 * "212.555.0100", "1-212-555-0100": an optional '+' first, then only ASCII
 * digits, spaces, '-', '.', '(' and ')', the digits being "1" and ten more
 * (after a '+', or read in US or Canada) or just ten (read in US or
 * Canada), the ten starting 2-9. For such input libphonenumber takes
 * country code 1 (given after the '+', or the region's), reads the
 * punctuation as nothing, strips the national prefix "1" (the ten digits
 * that remain fit the plan), and E.164 formatting writes "+1" and the ten
 * digits. Anything else (other regions and countries, whose prefixes and
 * lengths only the metadata knows, extensions, letters, other
 * punctuation, full-width digits) goes to the library.
 * Whether it is valid (IsValidNumber) is the table scripts/gen_nanp.cc made
 * from the library at build time: every pattern of its NANP metadata stops
 * at the sixth digit, so the first six digits decide, except for the few
 * prefixes the generator found mixed, which go to the library.
 * tests/unit/test_phone.c compares the two on every shape.
 */

/* The ten national digits of a NANP number written as above into d; 0, or -1 for any other shape. */
static int nanp_digits(const char *raw, const char *region, char d[10])
{
	int plus = raw[0] == '+';
	int nanp_region = region && (!strcmp(region, "US") || !strcmp(region, "CA"));
	char all[12];
	size_t n = 0;
	for (const char *p = raw + plus; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == sizeof(all))
				return -1;
			all[n++] = *p;
		} else if (!strchr(" -.()", *p))
			return -1;
	}
	const char *ten;
	if (n == 11 && all[0] == '1' && (plus || nanp_region))
		ten = all + 1;
	else if (n == 10 && !plus && nanp_region)
		ten = all;
	else
		return -1;
	if (ten[0] < '2')
		return -1;
	memcpy(d, ten, 10);
	return 0;
}

int ois_phone_e164_fast(const char *raw, const char *region, char *out, size_t outlen)
{
	char d[10];
	if (nanp_digits(raw, region, d))
		return 1;
	long prefix = 0;
	for (int i = 0; i < 6; i++)
		prefix = prefix * 10 + (d[i] - '0');
	long bit = prefix - OIS_NANP_FIRST;
	if (ois_nanp_valid[bit / 8] & (1u << (bit % 8))) {
		if (outlen < 13)
			return -1;
		out[0] = '+', out[1] = '1';
		memcpy(out + 2, d, 10);
		out[12] = '\0';
		return 0;
	}
	for (size_t i = 0; i < sizeof(ois_nanp_mixed) / sizeof(ois_nanp_mixed[0]); i++)
		if (ois_nanp_mixed[i] == prefix)
			return 1;
	return -2;
}
