/* phone_fast.c - numbers already in E.164 that libphonenumber would give back unchanged, told without loading it. */
#include "phone_p.h"

#include <string.h>

/*
 * Only what is provably the library's own answer passes here, because both
 * sides' numbers must format alike: "+1" and ten digits whose first is 2-9
 * (the NANP, North America's numbering plan, as E.164 writes it, and what
 * transform gives every US number). For such input libphonenumber takes
 * country code 1, whose main region is US; US strips no national prefix here
 * (its prefix is "1" and the number starts 2-9); ten digits are a possible
 * length for US (IsPossibleNumber, not IsValidNumber, is the test), and
 * E.164 formatting writes "+1" and the same ten digits. Anything else (other
 * countries, whose national prefixes and lengths only the metadata knows,
 * extensions, punctuation) goes to the library. tests/unit/test_phone.c
 * compares the two.
 */
int ois_phone_e164_fast(const char *raw, char *out, size_t outlen)
{
	if (raw[0] != '+' || raw[1] != '1' || raw[2] < '2' || raw[2] > '9')
		return 1;
	for (int i = 3; i < 12; i++)
		if (raw[i] < '0' || raw[i] > '9')
			return 1;
	if (raw[12] != '\0')
		return 1;
	if (outlen < 13)
		return -1;
	memcpy(out, raw, 13);
	return 0;
}
