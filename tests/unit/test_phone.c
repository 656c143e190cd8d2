/* test_phone.c - phone numbers: the table of cases, the fast path against libphonenumber, the cache and module loads. */
#include "phone.h"
#include "phone_display.h"
#include "phone_p.h"
#include "unit.h"
#include "util.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct phone_case {
	const char *raw, *region;
	const char *e164;     /* NULL: not valid, kept as typed */
	const char *display;  /* OIS_PHONE_INTERNATIONAL of e164 */
} cases[] = {
#include "phone_cases.inc"
};

/* Runs first: E.164 input in the NANP never opens the module. */
static void test_e164_input_loads_no_library(void)
{
	static const char *const numbers[] = {
		"+12125550100", "+12025550123", "+14155550132", "+18005550100", "+16045550175",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(numbers); i++) {
		char out[64];
		CHECK_INT(ois_phone_e164(numbers[i], "US", out, sizeof(out)), 0);
		CHECK_STR(out, numbers[i]);
		CHECK_INT(ois_phone_e164(numbers[i], "GB", out, sizeof(out)), 0);
		CHECK_STR(out, numbers[i]);
	}
	/* The display form apply writes reads back without the library too, and so do national forms in the US. */
	char out[64];
	CHECK_INT(ois_phone_e164("+1 212-555-0100", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+12125550100");
	static const char *const national[] = { "(212) 555-0100", "212.555.0100", "1-212-555-0100", "2125550100" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(national); i++) {
		CHECK_INT(ois_phone_e164(national[i], "US", out, sizeof(out)), 0);
		CHECK_STR(out, "+12125550100");
	}
	/* A placeholder is told invalid without it: 555 is no area code, 200 has no exchange 000. */
	CHECK_INT(ois_phone_e164("+15555555555", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("+12000000000", "US", out, sizeof(out)), -1);
	char tight[13], tiny[12];
	CHECK_INT(ois_phone_e164("+12125550100", "US", tight, sizeof(tight)), 0);
	CHECK_STR(tight, "+12125550100");
	CHECK_INT(ois_phone_e164("+12125550100", "US", tiny, sizeof(tiny)), -1);
	CHECK_INT(ois_phone_stats()->library, 0);
	CHECK_INT(ois_phone_stats()->module_loaded, 0);
	CHECK_INT(ois_phone_stats()->fast, 2 * OIS_ARRAY_SIZE(numbers) + OIS_ARRAY_SIZE(national) + 5);
}

/*
 * Every case: E.164 only for a valid number; the display form; and
 * idempotence: the E.164 value and the display form, read again in the
 * case's region or in none, give the same E.164 value, so a written number
 * never reads back as a change.
 */
static void test_cases(void)
{
	size_t valid = 0, kept = 0;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const struct phone_case *c = &cases[i];
		char out[96], shown[96], again[96];
		int rc = ois_phone_e164(c->raw, c->region, out, sizeof(out));
		if (!c->e164) {
			kept++;
			if (rc != -1)
				unit_fail(__FILE__, __LINE__, "\"%s\" in %s: got \"%s\", want it kept as typed", c->raw,
					  c->region, out);
			continue;
		}
		valid++;
		if (rc != 0) {
			unit_fail(__FILE__, __LINE__, "\"%s\" in %s: got not valid, want \"%s\"", c->raw, c->region, c->e164);
			continue;
		}
		CHECK_STR(out, c->e164);
		CHECK_INT(ois_phone_display(out, OIS_PHONE_INTERNATIONAL, shown, sizeof(shown)), 0);
		CHECK_STR(shown, c->display);
		CHECK_INT(ois_phone_display(out, OIS_PHONE_E164, again, sizeof(again)), 0);
		CHECK_STR(again, c->e164);
		static const char *const regions[] = { NULL, "US", "GB" };
		for (size_t r = 0; r < OIS_ARRAY_SIZE(regions); r++) {
			const char *region = regions[r] ? regions[r] : c->region;
			CHECK_INT(ois_phone_e164(c->e164, region, again, sizeof(again)), 0);
			CHECK_STR(again, c->e164);
			CHECK_INT(ois_phone_e164(shown, region, again, sizeof(again)), 0);
			CHECK_STR(again, c->e164);
		}
	}
	/* The floor, and both kinds well represented. */
	CHECK(OIS_ARRAY_SIZE(cases) >= 150);
	CHECK(valid >= 100);
	CHECK(kept >= 50);
}

/* Display of what is no E.164 value: the text itself, in every format; a short buffer is refused. */
static void test_display_keeps_text(void)
{
	static const char *const kept[] = { "(555) 555-5555", "000-000-0000", "+15555555555", "see notes", "+1 (0) 212 555 0100" };
	char out[64];
	for (size_t i = 0; i < OIS_ARRAY_SIZE(kept); i++) {
		CHECK_INT(ois_phone_display(kept[i], OIS_PHONE_INTERNATIONAL, out, sizeof(out)), 0);
		CHECK_STR(out, kept[i]);
		CHECK_INT(ois_phone_display(kept[i], OIS_PHONE_E164, out, sizeof(out)), 0);
		CHECK_STR(out, kept[i]);
	}
	char tiny[8];
	CHECK_INT(ois_phone_display("+442079460018", OIS_PHONE_INTERNATIONAL, tiny, sizeof(tiny)), -1);
	CHECK_INT(ois_phone_display("+442079460018", OIS_PHONE_E164, tiny, sizeof(tiny)), -1);
}

/* What apply sends: phones in the display form, the canonical data untouched, no copy when nothing changes. */
static void test_contact_written(void)
{
	json_object *data = json_tokener_parse("{\"first\":\"Ann\",\"phones\":{\"business\":\"+442079460018;ext=12\","
					       "\"mobile\":\"+12125550100\",\"other\":\"(555) 555-5555\"}}");
	json_object *sent = ois_contact_written(data, "contact", OIS_PHONE_INTERNATIONAL);
	CHECK(sent != data);
	json_object *p = json_object_object_get(sent, "phones");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "business")), "+44 20 7946 0018 ext. 12");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "mobile")), "+1 212-555-0100");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "other")), "(555) 555-5555");
	CHECK_STR(json_object_get_string(json_object_object_get(sent, "first")), "Ann");
	p = json_object_object_get(data, "phones");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "business")), "+442079460018;ext=12");
	json_object_put(sent);
	sent = ois_contact_written(data, "contact", OIS_PHONE_E164);
	CHECK(sent == data);
	json_object_put(sent);
	/* as-typed: the text kept for the value, else the value. */
	json_object_object_add(data, "phones_typed", json_tokener_parse("{\"+12125550100\":\"(212) 555-0100\","
									"\"+19999999999\":\"stale\"}"));
	sent = ois_contact_written(data, "contact", OIS_PHONE_AS_TYPED);
	p = json_object_object_get(sent, "phones");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "mobile")), "(212) 555-0100");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "business")), "+442079460018;ext=12");
	CHECK_STR(json_object_get_string(json_object_object_get(p, "other")), "(555) 555-5555");
	json_object_put(sent);
	/* Carried: only the entries that name a phone of the data. */
	json_object *from[] = { NULL, data };
	ois_phones_typed_carry(data, from, 2);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(data, "phones_typed"), JSON_C_TO_STRING_PLAIN),
		  "{\"+12125550100\":\"(212) 555-0100\"}");
	sent = ois_contact_written(data, "appointment", OIS_PHONE_INTERNATIONAL);
	CHECK(sent == data);
	json_object_put(sent);
	CHECK(ois_contact_written(NULL, "contact", OIS_PHONE_INTERNATIONAL) == NULL);
	json_object_put(data);
}

/*
 * What the fast path answers, libphonenumber answers the same; what it
 * does not, it leaves to it. want_fast: 1 it must answer, 0 it must not,
 * -1 it answers exactly when the library calls the number valid or invalid
 * (all but the few prefixes scripts/gen_nanp.cc found mixed). Returns 1
 * when the fast path left it to the library.
 */
static int check_agrees(const char *raw, const char *region, int want_fast)
{
	char fast[64], lib[64];
	int frc = ois_phone_e164_fast(raw, region, fast, sizeof(fast));
	int lrc = ois_phone_module()(raw, region, OIS_PHONE_E164, lib, sizeof(lib));
	if (frc == 1) {
		if (want_fast == 1)
			unit_fail(__FILE__, __LINE__, "fast path left \"%s\" in %s to the library", raw, region);
		return 1;
	}
	if (!want_fast)
		unit_fail(__FILE__, __LINE__, "fast path answered \"%s\" in %s", raw, region);
	if (frc == -2) {
		if (lrc == 0)
			unit_fail(__FILE__, __LINE__, "fast path: \"%s\" in %s not valid; library: \"%s\"", raw, region, lib);
		return 0;
	}
	if (lrc != 0)
		unit_fail(__FILE__, __LINE__, "fast path: \"%s\" in %s valid; library: not", raw, region);
	else
		CHECK_STR(fast, lib);
	return 0;
}

static void test_fast_path_agrees_with_library(void)
{
	static const struct { const char *raw; int us, gb; } fixed[] = {
		{ "+12125550100", 1, 1 },
		{ "+12025550123", 1, 1 },
		{ "+1 212-555-0100", 1, 1 },      /* the display form */
		{ "+1 212 555 0100", 1, 1 },
		{ "+1-212-555-0100", 1, 1 },
		{ "+1 (212) 555-0100", 1, 1 },
		{ "+1.212.555.0100", 1, 1 },
		{ "+ 1 212 555 0100", 1, 1 },
		{ "(212) 555-0100", 1, 0 },       /* national: the region's country code */
		{ "212-555-0100", 1, 0 },
		{ "212.555.0100", 1, 0 },
		{ "2125550100", 1, 0 },
		{ "1 (212) 555-0100", 1, 0 },
		{ "12125550100", 1, 0 },
		{ ")212( 555--0100.", 1, 0 },     /* punctuation anywhere is nothing */
		{ "+18005550100", 1, 1 },
		{ "+15555550100", 1, 1 },         /* told not valid */
		{ "(555) 555-5555", 1, 0 },
		{ "000-000-0000", 0, 0 },         /* area code from 0: library's call */
		{ "+12000000000", 1, 1 },
		{ "+19999999999", 1, 1 },
		{ "+10125550100", 0, 0 },
		{ "+11125550100", 0, 0 },         /* a national prefix after the country code */
		{ "+1212555010", 0, 0 },          /* short */
		{ "+121255501000", 0, 0 },        /* long */
		{ "212555010", 0, 0 },
		{ "+12125550100;ext=42", 0, 0 },
		{ "212-555-0100 x42", 0, 0 },
		{ "+1 212-555-0100 ext. 4", 0, 0 },
		{ "1-800-FLOWERS", 0, 0 },
		{ "+1/212/555/0100", 0, 0 },
		{ "011 44 20 7946 0958", 0, 0 },
		{ "+442079460958", 0, 0 },
		{ "+4402079460958", 0, 0 },       /* UK's national prefix, which the library drops */
		{ "+390612345678", 0, 0 },        /* Italy keeps its leading zero */
		{ "+49301234567", 0, 0 },
		{ "+2125550100", 0, 0 },          /* country code 21x, not 1 */
		{ "+1212555010a", 0, 0 },
		{ "\xef\xbc\x92\xef\xbc\x91\xef\xbc\x92 555 0100", 0, 0 }, /* full-width digits */
		{ "+", 0, 0 },
		{ "", 0, 0 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(fixed); i++) {
		check_agrees(fixed[i].raw, "US", fixed[i].us);
		check_agrees(fixed[i].raw, "CA", fixed[i].us);
		check_agrees(fixed[i].raw, "GB", fixed[i].gb);
		check_agrees(fixed[i].raw, NULL, fixed[i].gb);
	}
	/*
	 * Every area code and exchange shape, in every written form, with
	 * punctuation strewn anywhere: a fixed sequence, not a clock's.
	 */
	uint64_t x = 88172645463325252ULL;
	int left = 0, valid = 0;
	static const char *const forms[] = { "+1%s", "+1 %.3s-%.3s-%s", "(%.3s) %.3s-%s", "%.3s.%.3s.%s", "1 %.3s %.3s %s", "%s" };
	for (int i = 0; i < 5000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		char ten[11], raw[48], lib[64];
		snprintf(ten, sizeof(ten), "%d%09llu", 2 + (int)(x % 8), (unsigned long long)((x >> 8) % 1000000000ULL));
		const char *form = forms[i % OIS_ARRAY_SIZE(forms)];
		if (i % OIS_ARRAY_SIZE(forms) == 0)
			snprintf(raw, sizeof(raw), form, ten);
		else if (i % OIS_ARRAY_SIZE(forms) == OIS_ARRAY_SIZE(forms) - 1) {
			/* The ten digits with separators put in at random. */
			size_t k = 0;
			uint64_t y = x;
			for (int d = 0; d < 10; d++) {
				if (y & 1)
					raw[k++] = " -.()"[(y >> 1) % 5];
				y >>= 4;
				raw[k++] = ten[d];
			}
			raw[k] = '\0';
		} else
			snprintf(raw, sizeof(raw), form, ten, ten + 3, ten + 6);
		left += check_agrees(raw, "US", -1);
		valid += ois_phone_module()(raw, "US", OIS_PHONE_E164, lib, sizeof(lib)) == 0;
	}
	/* The mixed prefixes are a handful of 800,000: 5,000 tries hit none, or next to none. */
	CHECK(left <= 3);
	/* Both answers were exercised: about 40% of these numbers are valid. */
	CHECK(valid > 1000 && valid < 4000);
}

/* The same number twice costs one parse; an answer kept for a big buffer still fits the caller's. */
static void test_run_caches_parsed_numbers(void)
{
	const struct ois_phone_stats *st = ois_phone_stats();
	unsigned long lib0 = st->library, cached0 = st->cached;
	char out[64];
	CHECK_INT(ois_phone_e164("020 7946 0111", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+442079460111");
	CHECK_INT(ois_phone_e164("020 7946 0111", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+442079460111");
	CHECK_INT(st->library - lib0, 1);
	CHECK_INT(st->cached - cached0, 1);

	/* Region is part of the key. */
	CHECK_INT(ois_phone_e164("020 7946 0959", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+442079460959");
	CHECK_INT(ois_phone_e164("020 7946 0959", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("020 7946 0959", NULL, out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("020 7946 0959", "GB", out, sizeof(out)), 0);
	CHECK_STR(out, "+442079460959");
	CHECK_INT(st->library - lib0, 4);
	CHECK_INT(st->cached - cached0, 2);

	/* "Not a number" is kept too, and so is "not valid". */
	CHECK_INT(ois_phone_e164("not a number either", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("not a number either", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("000-000-0001", "US", out, sizeof(out)), -1);
	CHECK_INT(ois_phone_e164("000-000-0001", "US", out, sizeof(out)), -1);
	CHECK_INT(st->library - lib0, 6);
	CHECK_INT(st->cached - cached0, 4);

	/* The format is part of the key: the display form of a number is a parse of its own, once. */
	CHECK_INT(ois_phone_display("+442079460959", OIS_PHONE_INTERNATIONAL, out, sizeof(out)), 0);
	CHECK_STR(out, "+44 20 7946 0959");
	CHECK_INT(ois_phone_display("+442079460959", OIS_PHONE_INTERNATIONAL, out, sizeof(out)), 0);
	CHECK_STR(out, "+44 20 7946 0959");
	CHECK_INT(st->library - lib0, 7);
	CHECK_INT(st->cached - cached0, 5);

	/* Too small a buffer is the caller's, not the number's. */
	char tiny[5];
	CHECK_INT(ois_phone_e164("212-555-0111 x42", "US", tiny, sizeof(tiny)), -1);
	CHECK_INT(ois_phone_e164("212-555-0111 x42", "US", out, sizeof(out)), 0);
	CHECK_STR(out, "+12125550111;ext=42");
	CHECK_INT(ois_phone_e164("212-555-0111 x42", "US", tiny, sizeof(tiny)), -1);
	CHECK_INT(st->library - lib0, 8);
	CHECK_INT(st->cached - cached0, 7);
	CHECK_INT(st->module_loaded, 1);
}

/* --dump: the cases as JSON lines, for tests/phone_reference.bats. */
static int dump(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "raw", json_object_new_string(cases[i].raw));
		json_object_object_add(o, "region", json_object_new_string(cases[i].region));
		json_object_object_add(o, "e164", cases[i].e164 ? json_object_new_string(cases[i].e164) : NULL);
		json_object_object_add(o, "display", cases[i].display ? json_object_new_string(cases[i].display) : NULL);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--dump"))
		return dump();
	UNIT_RUN(test_e164_input_loads_no_library);
	UNIT_RUN(test_cases);
	UNIT_RUN(test_display_keeps_text);
	UNIT_RUN(test_contact_written);
	UNIT_RUN(test_fast_path_agrees_with_library);
	UNIT_RUN(test_run_caches_parsed_numbers);
	return unit_done();
}
