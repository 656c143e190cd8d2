/* test_phone.c - ois_phone_e164()'s fast path agrees with libphonenumber, its cache and module load count. */
#include "phone.h"
#include "phone_p.h"
#include "unit.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>

/* Runs first: E.164 input in the NANP never opens the module. */
static void test_e164_input_loads_no_library(void)
{
	static const char *const numbers[] = {
		"+12125550100", "+12025550123", "+19995550100", "+12000000000", "+19999999999",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(numbers); i++) {
		char out[64];
		CHECK_INT(ois_phone_e164(numbers[i], "US", out, sizeof(out)), 0);
		CHECK_STR(out, numbers[i]);
		CHECK_INT(ois_phone_e164(numbers[i], "GB", out, sizeof(out)), 0);
		CHECK_STR(out, numbers[i]);
	}
	char tight[13], tiny[12];
	CHECK_INT(ois_phone_e164("+12125550100", "US", tight, sizeof(tight)), 0);
	CHECK_STR(tight, "+12125550100");
	CHECK_INT(ois_phone_e164("+12125550100", "US", tiny, sizeof(tiny)), -1);
	CHECK_INT(ois_phone_stats()->library, 0);
	CHECK_INT(ois_phone_stats()->module_loaded, 0);
	CHECK_INT(ois_phone_stats()->fast, 2 * OIS_ARRAY_SIZE(numbers) + 2);
}

/* What the fast path answers, libphonenumber answers the same; what it does not, it leaves to it. */
static void check_agrees(const char *raw, const char *region, int want_fast)
{
	char fast[64], lib[64];
	int frc = ois_phone_e164_fast(raw, fast, sizeof(fast));
	int lrc = ois_phone_module()(raw, region, lib, sizeof(lib));
	if (frc == 1) {
		if (want_fast)
			unit_fail(__FILE__, __LINE__, "fast path left \"%s\" to the library", raw);
		return;
	}
	if (!want_fast)
		unit_fail(__FILE__, __LINE__, "fast path answered \"%s\"", raw);
	CHECK_INT(frc, lrc);
	if (frc == 0 && lrc == 0)
		CHECK_STR(fast, lib);
}

static void test_fast_path_agrees_with_library(void)
{
	static const struct { const char *raw; int fast; } cases[] = {
		{ "+12125550100", 1 },
		{ "+12025550123", 1 },
		{ "+12000000000", 1 },
		{ "+19999999999", 1 },
		{ "+18005550100", 1 },
		{ "+15555550100", 1 },
		{ "+10125550100", 0 },         /* area code from 0: library's call */
		{ "+11125550100", 0 },         /* a national prefix after the country code */
		{ "+1212555010", 0 },          /* short */
		{ "+121255501000", 0 },        /* long */
		{ "+12125550100;ext=42", 0 },
		{ "+1 212 555 0100", 0 },
		{ "+1-212-555-0100", 0 },
		{ "+442079460958", 0 },
		{ "+4402079460958", 0 },       /* UK's national prefix, which the library drops */
		{ "+390612345678", 0 },        /* Italy keeps its leading zero */
		{ "+49301234567", 0 },
		{ "12125550100", 0 },
		{ "+1212555010a", 0 },
		{ "+", 0 },
		{ "", 0 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		check_agrees(cases[i].raw, "US", cases[i].fast);
		check_agrees(cases[i].raw, "GB", cases[i].fast);
	}
	/* Every area code and exchange shape: a fixed sequence, not a clock's. */
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 5000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		char raw[16];
		snprintf(raw, sizeof(raw), "+1%d%09llu", 2 + (int)(x % 8), (unsigned long long)((x >> 8) % 1000000000ULL));
		check_agrees(raw, "US", 1);
	}
}

/* The same number twice costs one parse; an answer kept for a big buffer still fits the caller's. */
static void test_run_caches_parsed_numbers(void)
{
	const struct ois_phone_stats *st = ois_phone_stats();
	unsigned long lib0 = st->library, cached0 = st->cached;
	char out[64];
	CHECK_INT(ois_phone_e164("(212) 555-0100", "US", out, sizeof(out)), 0);
	CHECK_STR(out, "+12125550100");
	CHECK_INT(ois_phone_e164("(212) 555-0100", "US", out, sizeof(out)), 0);
	CHECK_STR(out, "+12125550100");
	CHECK_INT(st->library - lib0, 1);
	CHECK_INT(st->cached - cached0, 1);

	/* Region is part of the key. */
	CHECK_INT(ois_phone_e164("020 7946 0958", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+442079460958");
	CHECK_INT(ois_phone_e164("020 7946 0958", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("020 7946 0958", NULL, out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("020 7946 0958", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+442079460958");
	CHECK_INT(st->library - lib0, 4);
	CHECK_INT(st->cached - cached0, 2);

	/* "Not a number" is kept too. */
	CHECK_INT(ois_phone_e164("not a number", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("not a number", "US", out, sizeof(out)), -1);
	CHECK_INT(st->library - lib0, 5);
	CHECK_INT(st->cached - cached0, 3);

	/* Too small a buffer is the caller's, not the number's. */
	char tiny[5];
	CHECK_INT(ois_phone_e164("212-555-0100 x42", "US", tiny, sizeof(tiny)), -1);
	CHECK_INT(ois_phone_e164("212-555-0100 x42", "US", out, sizeof(out)), 0);
	CHECK_STR(out, "+12125550100;ext=42");
	CHECK_INT(ois_phone_e164("212-555-0100 x42", "US", tiny, sizeof(tiny)), -1);
	CHECK_INT(st->library - lib0, 6);
	CHECK_INT(st->cached - cached0, 5);
	CHECK_INT(st->module_loaded, 1);
}

int main(void)
{
	UNIT_RUN(test_e164_input_loads_no_library);
	UNIT_RUN(test_fast_path_agrees_with_library);
	UNIT_RUN(test_run_caches_parsed_numbers);
	return unit_done();
}
