/* test_normalize.c - transform's normalizer: text, e-mail, phone and country rules, idempotence. */
#include "unit.h"
#include "canonjson.h"
#include "country.h"
#include "log.h"
#include "phone.h"
#include "util.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>

struct str_case {
	const char *in, *want;
};

/* Run rule over every case, then over its own output: a second pass changes nothing. */
static void check_rule(char *(*rule)(const char *), const struct str_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = rule(cases[i].in);
		CHECK_STR(got, cases[i].want);
		char *again = rule(got);
		CHECK_STR(again, got);
		free(again);
		free(got);
	}
}

static void test_text_clean(void)
{
	static const struct str_case cases[] = {
		{ "Ann", "Ann" },
		{ "  Ann  ", "Ann" },
		{ "Mary \t Ann\r\nSmith", "Mary Ann Smith" },
		{ "Jose\xcc\x81", "Jos\xc3\xa9" },                     /* e + combining acute -> é */
		{ "Jos\xc3\xa9", "Jos\xc3\xa9" },
		{ "\xc2\xa0" "Ann\xc2\xa0\xc2\xa0" "Lee\xe2\x80\x83", "Ann Lee" }, /* NBSP, em space */
		{ "A\xe2\x80\xa8" "B", "A B" },                         /* line separator */
		{ "", "" },
		{ " \t\r\n ", "" },
		{ "Ren\xc3\xa9\xcc\x81", "Ren\xc3\xa9\xcc\x81" },       /* é + extra acute: no composite */
		{ "Angstro\xcc\x88m \xe2\x84\xab", "Angstr\xc3\xb6m \xc3\x85" }, /* Å sign -> Å (NFC) */
	};
	check_rule(ois_text_clean, cases, OIS_ARRAY_SIZE(cases));
}

static void test_notes_keep_line_breaks(void)
{
	static const struct str_case cases[] = {
		{ "line 1\r\nline 2\rline 3\nline 4", "line 1\nline 2\nline 3\nline 4" },
		{ "  indented\r\n\r\n  two  spaces  \r\n \t \r\n", "  indented\n\n  two  spaces" },
		{ "Caf\x65\xcc\x81", "Caf\xc3\xa9" },
		{ " \r\n ", "" },
		{ "x\r\r\ny", "x\n\ny" },
	};
	check_rule(ois_text_clean_notes, cases, OIS_ARRAY_SIZE(cases));
}

static void test_street_lines(void)
{
	static const struct str_case cases[] = {
		{ "1 Main  St\r\nSuite 200", "1 Main St\nSuite 200" },
		{ "  1 Main St \r\n\r\n  Floor 3 \n", "1 Main St\nFloor 3" },
		{ "Stra\xc3\x9f" "e 1\rHof", "Stra\xc3\x9f" "e 1\nHof" },
		{ "\r\n", "" },
	};
	check_rule(ois_text_clean_lines, cases, OIS_ARRAY_SIZE(cases));
}

static void test_email_clean(void)
{
	static const struct str_case cases[] = {
		{ "Ann.Lee@Firm.Example", "ann.lee@firm.example" },
		{ "  ann@firm.example ", "ann@firm.example" },
		{ "mailto:Ann@Firm.Example", "ann@firm.example" },
		{ "MAILTO: ann@firm.example", "ann@firm.example" },
		{ "SMTP:Ann@Firm.Example", "ann@firm.example" },
		{ "smtp:ann@firm.example", "ann@firm.example" },
		{ "J\xc3\x96RG@FIRM.EXAMPLE", "j\xc3\xb6rg@firm.example" },
		{ "", "" },
	};
	check_rule(ois_email_clean, cases, OIS_ARRAY_SIZE(cases));
}

static void test_phone_e164(void)
{
	static const struct { const char *raw, *region, *want; } cases[] = {
		{ "(212) 555-0100", "US", "+12125550100" },
		{ "+44 20 7946 0958", "US", "+442079460958" },
		{ "020 7946 0958", "GB", "+442079460958" },
		{ "212-555-0100 x42", "US", "+12125550100;ext=42" },
		{ "212 555 0100 ext. 7", "US", "+12125550100;ext=7" },
		{ "+12125550100;ext=42", "US", "+12125550100;ext=42" },
		{ "+12125550100", "DE", "+12125550100" },
		{ "030 1234567", "DE", "+49301234567" },
		{ "not a number", "US", NULL },
		{ "555-0100", "US", NULL },   /* local only: no E.164 without an area code */
		{ "123", "US", NULL },
		{ "", "US", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char out[64];
		int rc = ois_phone_e164(cases[i].raw, cases[i].region, out, sizeof(out));
		CHECK_STR(rc == 0 ? out : NULL, cases[i].want);
		if (rc == 0) {
			char again[64];
			CHECK_INT(ois_phone_e164(out, cases[i].region, again, sizeof(again)), 0);
			CHECK_STR(again, out);
		}
	}
	char tiny[5];
	CHECK_INT(ois_phone_e164("(212) 555-0100", "US", tiny, sizeof(tiny)), -1);
}

static void test_country_alpha2(void)
{
	static const struct str_case cases[] = {
		{ "United States", "US" },
		{ "united states of america", "US" },
		{ "UNITED  STATES", "US" },
		{ "USA", "US" },
		{ "us", "US" },
		{ "Germany", "DE" },
		{ "deu", "DE" },
		{ "Deutschland", "DE" },
		{ "United Kingdom", "GB" },
		{ "UK", "GB" },
		{ "South Korea", "KR" },
		{ "Korea, Republic of", "KR" },
		{ "C\xc3\xb4te d'Ivoire", "CI" },
		{ "cote d\xe2\x80\x99ivoire", "CI" },
		{ "T\xc3\xbcrkiye", "TR" },
		{ "Atlantis", NULL },
		{ "XX", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++)
		CHECK_STR(ois_country_alpha2(cases[i].in), cases[i].want);
}

/* Normalize the JSON text in; return the canonical text of the result (caller frees). */
static char *normalized(const char *in, const char *region)
{
	json_object *o = json_tokener_parse(in);
	if (!o)
		return ois_xstrdup("(bad test JSON)");
	ois_contact_normalize(o, region, "t.jsonl:1: contact \"x\"");
	struct ois_buf b = OIS_BUF_INIT;
	ois_json_canonical(o, &b);
	json_object_put(o);
	return ois_buf_detach(&b, NULL);
}

static const struct str_case contact_cases[] = {
	/* names: white space and decomposed Unicode */
	{ "{\"first\":\"  Jose\xcc\x81 \",\"last\":\"Garc\xc3\xad" "a\\t Lopez\",\"middle\":\"  \",\"company\":\"\"}",
	  "{\"first\":\"Jos\xc3\xa9\",\"last\":\"Garc\xc3\xad" "a Lopez\"}" },
	{ "{\"prefix\":null,\"suffix\":3,\"display\":\"Lee,  Ann\",\"file_as\":\"Lee, Ann\\r\\n\"}",
	  /* no structured name: the display name is split (oisync-transform(1), NAMES) */
	  "{\"display\":\"Lee, Ann\",\"file_as\":\"Lee, Ann\",\"first\":\"Ann\",\"last\":\"Lee\"}" },
	/* notes keep line breaks */
	{ "{\"notes\":\"Met at\\r\\nthe  conference.\\r\\n\\r\\n\"}",
	  "{\"notes\":\"Met at\\nthe  conference.\"}" },
	/* e-mails: case, prefixes, order work/home/other, one per kind, empty dropped */
	{ "{\"emails\":[{\"address\":\"SMTP:Home@Mail.Example\",\"kind\":\"home\"},"
	  "{\"address\":\" Ann@Firm.Example \",\"kind\":\"work\"},"
	  "{\"address\":\"second@firm.example\",\"kind\":\"work\"},"
	  "{\"address\":\"\",\"kind\":\"other\"},{\"address\":\"x@y\",\"kind\":\"fax\"}]}",
	  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"},"
	  "{\"address\":\"home@mail.example\",\"kind\":\"home\"}]}" },
	{ "{\"emails\":[{\"address\":\"mailto:\",\"kind\":\"work\"}]}", "{}" },
	{ "{\"emails\":[]}", "{}" },
	/* phones */
	{ "{\"phones\":{\"business\":\"(212) 555-0100\",\"mobile\":\"+44 20 7946 0958\","
	  "\"business2\":\"212-555-0100 x42\",\"other\":\"  not   a number \",\"home\":\"\",\"pager\":null}}",
	  "{\"phones\":{\"business\":\"+12125550100\",\"business2\":\"+12125550100;ext=42\","
	  "\"mobile\":\"+442079460958\",\"other\":\"not a number\"}}" },
	{ "{\"phones\":{\"home\":\" \"}}", "{}" },
	/* addresses: countries, street lines, empties */
	{ "{\"addresses\":{\"business\":{\"street\":\"1 Main St\\r\\nSuite  200\",\"city\":\" New York \","
	  "\"region\":\"NY\",\"postal_code\":\"10001\",\"country\":\"United States\"},"
	  "\"home\":{\"country\":\"Ruritania\"},\"other\":{\"city\":\"\",\"country\":\"\"}}}",
	  "{\"addresses\":{\"business\":{\"city\":\"New York\",\"country\":\"US\",\"postal_code\":\"10001\","
	  "\"region\":\"NY\",\"street\":\"1 Main St\\nSuite 200\"},\"home\":{\"country\":\"Ruritania\"}}}" },
	{ "{\"addresses\":{\"home\":{\"country\":\"united states of america\"},\"other\":{\"country\":\"usa\"},"
	  "\"business\":{\"country\":\"Germany\"}}}",
	  "{\"addresses\":{\"business\":{\"country\":\"DE\"},\"home\":{\"country\":\"US\"},\"other\":{\"country\":\"US\"}}}" },
	{ "{\"addresses\":{\"home\":{}}}", "{}" },
	/* mailing address */
	{ "{\"mailing_address\":\"Business\"}", "{\"mailing_address\":\"business\"}" },
	{ "{\"mailing_address\":\"office\"}", "{}" },
	/* birthday */
	{ "{\"birthday\":\"1980-02-29\"}", "{\"birthday\":\"1980-02-29\"}" },
	{ "{\"birthday\":\"1981-02-29\"}", "{}" },
	{ "{\"birthday\":\"17/05/1980\"}", "{}" },
	{ "{\"birthday\":\"1980-05-17T00:00:00Z\"}", "{}" },
	{ "{\"birthday\":\" 1980-05-17 \"}", "{\"birthday\":\"1980-05-17\"}" },
	/* categories sorted bytewise, unique, non-empty */
	{ "{\"categories\":[\"clients\",\" Personal \",\"Clients\",\"\",\"clients\",7,\"Personal\"]}",
	  "{\"categories\":[\"Clients\",\"Personal\",\"clients\"]}" },
	{ "{\"categories\":[\" \"]}", "{}" },
	/* custom: four strings only when any holds text */
	{ "{\"custom\":[\"\",\" a \"]}", "{\"custom\":[\"\",\"a\",\"\",\"\"]}" },
	{ "{\"custom\":[\"\",\" \",\"\",\"\"]}", "{}" },
	{ "{\"custom\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}", "{\"custom\":[\"1\",\"2\",\"3\",\"4\"]}" },
	/* private only when true */
	{ "{\"private\":false,\"first\":\"A\"}", "{\"first\":\"A\"}" },
	{ "{\"private\":true}", "{\"private\":true}" },
	/* keys the shape does not name are left alone */
	{ "{\"x-future\":{\"k\":\"  v  \"},\"first\":\"A\"}", "{\"first\":\"A\",\"x-future\":{\"k\":\"  v  \"}}" },
};

static void test_contact_normalize(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(contact_cases); i++) {
		char *got = normalized(contact_cases[i].in, "US");
		CHECK_STR(got, contact_cases[i].want);
		free(got);
	}
}

static void test_normalize_is_idempotent(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(contact_cases); i++) {
		char *once = normalized(contact_cases[i].in, "US");
		char *twice = normalized(once, "US");
		CHECK_STR(twice, once);
		/* another region does not move an already normalized number */
		char *elsewhere = normalized(once, "GB");
		CHECK_STR(elsewhere, once);
		free(elsewhere);
		free(twice);
		free(once);
	}
}

static void test_region_applies_to_national_numbers(void)
{
	char *got = normalized("{\"phones\":{\"home\":\"020 7946 0958\"}}", "GB");
	CHECK_STR(got, "{\"phones\":{\"home\":\"+442079460958\"}}");
	free(got);
	got = normalized("{\"phones\":{\"home\":\"020 7946 0958\"}}", "US");
	CHECK_STR(got, "{\"phones\":{\"home\":\"020 7946 0958\"}}");
	free(got);
}

/*
 * The contact's own country comes first: business address, then home, then
 * other, the first that names a country; the given region (the user's, else
 * the firm's) only when none does. Idempotent: the result normalized again
 * is the same.
 */
static void test_contact_country_is_the_phone_region(void)
{
	static const struct { const char *in, *region, *want; } cases[] = {
		/* A London office in a US user's list. */
		{ "{\"addresses\":{\"business\":{\"city\":\"London\",\"country\":\"United Kingdom\"}},"
		  "\"phones\":{\"business\":\"020 7946 0018\",\"mobile\":\"(212) 555-0100\"}}", "US",
		  "{\"addresses\":{\"business\":{\"city\":\"London\",\"country\":\"GB\"}},"
		  "\"phones\":{\"business\":\"+442079460018\",\"mobile\":\"(212) 555-0100\"}}" },
		/* Business first, before home. */
		{ "{\"addresses\":{\"home\":{\"country\":\"US\"},\"business\":{\"country\":\"Deutschland\"}},"
		  "\"phones\":{\"business\":\"089 1234567\"}}", "GB",
		  "{\"addresses\":{\"business\":{\"country\":\"DE\"},\"home\":{\"country\":\"US\"}},"
		  "\"phones\":{\"business\":\"+49891234567\"}}" },
		/* A business address without a country: home's. */
		{ "{\"addresses\":{\"business\":{\"city\":\"Paris\"},\"home\":{\"country\":\"France\"}},"
		  "\"phones\":{\"home\":\"01 42 68 53 00\"}}", "US",
		  "{\"addresses\":{\"business\":{\"city\":\"Paris\"},\"home\":{\"country\":\"FR\"}},"
		  "\"phones\":{\"home\":\"+33142685300\"}}" },
		/* A country nobody knows is no region: the given one reads the number. */
		{ "{\"addresses\":{\"other\":{\"country\":\"Atlantis\"}},\"phones\":{\"home\":\"020 7946 0018\"}}", "GB",
		  "{\"addresses\":{\"other\":{\"country\":\"Atlantis\"}},\"phones\":{\"home\":\"+442079460018\"}}" },
		/* No address: the given region. */
		{ "{\"phones\":{\"home\":\"(02) 9374 4000\"}}", "AU", "{\"phones\":{\"home\":\"+61293744000\"}}" },
		/* Placeholders stay as typed whatever the region; white space only is empty. */
		{ "{\"addresses\":{\"business\":{\"country\":\"US\"}},\"phones\":{\"business\":\"(555) 555-5555\","
		  "\"mobile\":\"000-000-0000\",\"home\":\" \\t \",\"other\":\"\\u00a0\"}}", "US",
		  "{\"addresses\":{\"business\":{\"country\":\"US\"}},\"phones\":{\"business\":\"(555) 555-5555\","
		  "\"mobile\":\"000-000-0000\"}}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *got = normalized(cases[i].in, cases[i].region);
		CHECK_STR(got, cases[i].want);
		char *again = normalized(got, cases[i].region);
		CHECK_STR(again, got);
		free(again);
		free(got);
	}
}

/* Typed texts already in the data stay while they name a phone, and go when not. */
static void test_typed_texts_kept_while_they_name_a_phone(void)
{
	char *got = normalized("{\"phones\":{\"mobile\":\"+12125550100\",\"home\":\"(212) 555-0111\"},"
			       "\"phones_typed\":{\"+12125550100\":\"(212) 555-0100\",\"+442079460018\":\"020 7946 0018\"}}",
			       "US");
	/* ois_contact_normalize adds no text of its own (transform does, with phone_format = as-typed). */
	CHECK_STR(got, "{\"phones\":{\"home\":\"+12125550111\",\"mobile\":\"+12125550100\"},"
		       "\"phones_typed\":{\"+12125550100\":\"(212) 555-0100\"}}");
	free(got);
	got = normalized("{\"first\":\"Ann\",\"phones_typed\":{\"+12125550100\":\"(212) 555-0100\"}}", "US");
	CHECK_STR(got, "{\"first\":\"Ann\"}");
	free(got);
	got = normalized("{\"phones\":{\"home\":\" \"},\"phones_typed\":{\"+12125550100\":\"(212) 555-0100\"}}", "US");
	CHECK_STR(got, "{}");
	free(got);
}

int main(void)
{
	ois_log_init("test_normalize");
	ois_log_set_verbosity(-2); /* expected warnings (bad birthdays) stay quiet */
	UNIT_RUN(test_text_clean);
	UNIT_RUN(test_notes_keep_line_breaks);
	UNIT_RUN(test_street_lines);
	UNIT_RUN(test_email_clean);
	UNIT_RUN(test_phone_e164);
	UNIT_RUN(test_country_alpha2);
	UNIT_RUN(test_contact_normalize);
	UNIT_RUN(test_normalize_is_idempotent);
	UNIT_RUN(test_region_applies_to_national_numbers);
	UNIT_RUN(test_contact_country_is_the_phone_region);
	UNIT_RUN(test_typed_texts_kept_while_they_name_a_phone);
	return unit_done();
}
