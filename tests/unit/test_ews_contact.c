/* test_ews_contact.c - EWS contact <-> canonical mapping, both ways, and reply parsing. */
#include "unit.h"
#include "canonjson.h"
#include "code.h"
#include "ews_contact.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static void check_json(json_object *got, const char *want_text, const char *what)
{
	json_object *want = json_tokener_parse(want_text);
	if (!want) {
		unit_fail(__FILE__, __LINE__, "%s: bad expected JSON", what);
		return;
	}
	if (!ois_json_equal(got, want))
		unit_fail(__FILE__, __LINE__, "%s\n#   got:  %s\n#   want: %s", what,
			  json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN),
			  json_object_to_json_string_ext(want, JSON_C_TO_STRING_PLAIN));
	json_object_put(want);
}

/* native data -> canonical, one row per mapping rule. */
static void test_to_canonical(void)
{
	static const struct { const char *native, *canon; } cases[] = {
		{ "{}", "{}" },
		{ "{\"GivenName\":\"Ann\",\"MiddleName\":\"B\",\"Surname\":\"Lee\",\"Generation\":\"Jr.\","
		  "\"Nickname\":\"Annie\",\"DisplayName\":\"Ann Lee\",\"FileAs\":\"Lee, Ann\","
		  "\"CompanyName\":\"Firm\",\"JobTitle\":\"Partner\",\"Department\":\"Tax\","
		  "\"AssistantName\":\"Bob\",\"BusinessHomePage\":\"https://x.example\",\"Body\":\"hi\\nthere\"}",
		  "{\"first\":\"Ann\",\"middle\":\"B\",\"last\":\"Lee\",\"suffix\":\"Jr.\",\"nickname\":\"Annie\","
		  "\"display\":\"Ann Lee\",\"file_as\":\"Lee, Ann\",\"company\":\"Firm\",\"job_title\":\"Partner\","
		  "\"department\":\"Tax\",\"assistant\":\"Bob\",\"web\":\"https://x.example\",\"notes\":\"hi\\nthere\"}" },
		/* empty values are absent */
		{ "{\"GivenName\":\"\",\"Surname\":\"  \",\"PhoneNumbers\":{\"MobilePhone\":\"\"},\"Categories\":[]}", "{}" },
		{ "{\"EmailAddresses\":{\"EmailAddress3\":\"c@x\",\"EmailAddress1\":\"SMTP:A@X\",\"EmailAddress2\":\"/o=Firm/ou=EX/cn=bob\"}}",
		  "{\"emails\":[{\"address\":\"A@X\",\"kind\":\"work\"},{\"address\":\"/o=Firm/ou=EX/cn=bob\",\"kind\":\"home\"},"
		  "{\"address\":\"c@x\",\"kind\":\"other\"}]}" },
		{ "{\"PhoneNumbers\":{\"BusinessPhone\":\"1\",\"BusinessPhone2\":\"2\",\"MobilePhone\":\"3\",\"HomePhone\":\"4\","
		  "\"HomePhone2\":\"5\",\"BusinessFax\":\"6\",\"HomeFax\":\"7\",\"AssistantPhone\":\"8\",\"Pager\":\"9\","
		  "\"OtherTelephone\":\"10\",\"CarPhone\":\"11\"}}",
		  "{\"phones\":{\"business\":\"1\",\"business2\":\"2\",\"mobile\":\"3\",\"home\":\"4\",\"home2\":\"5\","
		  "\"business_fax\":\"6\",\"home_fax\":\"7\",\"assistant\":\"8\",\"pager\":\"9\",\"other\":\"10\"}}" },
		{ "{\"PhysicalAddresses\":{\"Business\":{\"Street\":\"1 Main St\\nFloor 2\",\"City\":\"NY\",\"State\":\"NY\","
		  "\"PostalCode\":\"10001\",\"CountryOrRegion\":\"United States\"},\"Home\":{\"City\":\"\"},"
		  "\"Other\":{\"City\":\"Paris\"}},\"PostalAddressIndex\":\"Business\"}",
		  "{\"addresses\":{\"business\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"NY\",\"region\":\"NY\","
		  "\"postal_code\":\"10001\",\"country\":\"United States\"},\"other\":{\"city\":\"Paris\"}},"
		  "\"mailing_address\":\"business\"}" },
		{ "{\"PostalAddressIndex\":\"None\"}", "{}" },
		{ "{\"Birthday\":\"1980-05-15T12:00:00Z\"}", "{\"birthday\":\"1980-05-15\"}" },
		{ "{\"Birthday\":\"1980-05-14T23:00:00Z\"}", "{\"birthday\":\"1980-05-15\"}" },
		{ "{\"Birthday\":\"1980-05-15T04:00:00Z\"}", "{\"birthday\":\"1980-05-15\"}" },
		{ "{\"Birthday\":\"1960-01-01T00:00:00+01:00\"}", "{\"birthday\":\"1960-01-01\"}" },
		{ "{\"Birthday\":\"soon\"}", "{\"birthday\":\"soon\"}" },
		{ "{\"Categories\":[\"b\",\"a\",\"\"]}", "{\"categories\":[\"b\",\"a\"]}" },
		{ "{\"Sensitivity\":\"Private\"}", "{\"private\":true}" },
		{ "{\"Sensitivity\":\"Normal\"}", "{}" },
		{ "{\"CompleteName\":{\"Title\":\"Dr.\",\"FirstName\":\"Ann\"}}", "{\"prefix\":\"Dr.\"}" },
		{ "{\"CompleteName\":{\"Title\":\"Dr.\"},\"ExtendedProperties\":{\"0x3A45\":\"Prof.\"}}", "{\"prefix\":\"Prof.\"}" },
		{ "{\"ExtendedProperties\":{\"00062004-0000-0000-C000-000000000046:0x8050\":\"x\","
		  "\"PublicStrings:oisync-op-id\":\"op1\"}}",
		  "{\"custom\":[\"\",\"x\",\"\",\"\"]}" },
		{ "{\"ExtendedProperties\":{\"00062004-0000-0000-C000-000000000046:0x804F\":\"\"}}", "{}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *n = json_tokener_parse(cases[i].native);
		CHECK(n != NULL);
		json_object *c = ois_ews_contact_to_canonical(n);
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		check_json(c, cases[i].canon, what);
		json_object_put(c);
		json_object_put(n);
	}
}

static void test_birthday_dates(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "2000-02-29", "2000-02-29" },
		{ "2000-02-28T12:00:01Z", "2000-02-29" },
		{ "2000-12-31T22:00:00Z", "2001-01-01" },
		{ "1900-03-01T11:59:00Z", "1900-03-01" },
		{ "1950-06-01T00:00:00.000-05:00", "1950-06-01" },
		{ "2000-13-01", NULL },
		{ "2000-01-01T", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char d[11];
		int rc = ois_ews_birthday_date(cases[i].in, d);
		CHECK_STR(rc ? NULL : d, cases[i].out);
	}
}

int main(void)
{
	ois_log_init("test_ews_contact");
	ois_log_set_verbosity(-1);
	UNIT_RUN(test_to_canonical);
	UNIT_RUN(test_birthday_dates);
	return unit_done();
}
