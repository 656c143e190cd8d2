/* phone_fast.c - North American numbers in E.164 or in their international form, told valid or not without loading libphonenumber. */
#include "phone_p.h"

#include <string.h>

/* $(BUILD)/gen/nanp_valid.inc, from scripts/gen_nanp.cc: ois_nanp_valid, ois_nanp_mixed. */
#include "nanp_valid.inc"

/*
 * Only what is provably the library's own answer passes here, because both
 * sides' numbers must format alike: "+1" and ten digits whose first is 2-9
 * (the NANP, North America's numbering plan, as E.164 writes it, and what
 * transform gives every US number), or the same written as libphonenumber's
 * international form writes it ("+1 212-555-0100", what apply writes into
 * the servers by default, so what comes back). For such input libphonenumber
 * takes country code 1, strips no national prefix (the number starts 2-9),
 * and E.164 formatting writes "+1" and the same ten digits.
 * Whether it is valid (IsValidNumber) is the table scripts/gen_nanp.cc made
 * from the library at build time: every pattern of its NANP metadata stops
 * at the sixth digit, so the first six digits decide, except for the few
 * prefixes the generator found mixed, which go to the library. Anything
 * else (other countries, whose national prefixes and lengths only the
 * metadata knows, extensions, other punctuation) goes to the library too.
 * tests/unit/test_phone.c compares the two.
 */

/* The ten digits of "+1NNNNNNNNNN" or "+1 NNN-NNN-NNNN" into d; 0, or -1 for any other shape. */
static int nanp_digits(const char *raw, char d[10])
{
	static const char e164[] = "+1dddddddddd", intl[] = "+1 ddd-ddd-dddd";
	if (raw[0] != '+' || raw[1] != '1')
		return -1; /* and raw[2] is not read past a shorter string's end */
	const char *shape = raw[2] == ' ' ? intl : e164;
	size_t k = 0, i;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd') {
			if (raw[i] < '0' || raw[i] > '9')
				return -1;
			d[k++] = raw[i];
		} else if (raw[i] != shape[i])
			return -1;
	}
	return raw[i] == '\0' ? 0 : -1;
}

int ois_phone_e164_fast(const char *raw, char *out, size_t outlen)
{
	char d[10];
	if (nanp_digits(raw, d) || d[0] < '2')
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
