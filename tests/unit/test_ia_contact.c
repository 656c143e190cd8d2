/* test_ia_contact.c - InterAction contact <-> canonical mapping, both directions. */
#include "unit.h"
#include "canonjson.h"
#include "interaction/ia_contact.h"
#include "util.h"

#include <stdlib.h>

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);
	if (!o)
		unit_fail(__FILE__, __LINE__, "bad test JSON: %s", text);
	return o;
}

/* Compare canonical texts; print got / want on a difference. */
static void check_json(const char *what, json_object *got, const char *want_text)
{
	json_object *want = parse(want_text);
	if (!ois_json_equal(got, want)) {
		struct ois_buf g = OIS_BUF_INIT, w = OIS_BUF_INIT;
		ois_json_canonical(got, &g);
		ois_json_canonical(want, &w);
		unit_fail(__FILE__, __LINE__, "%s\n#   got:  %s\n#   want: %s", what, g.data, w.data);
		ois_buf_release(&g);
		ois_buf_release(&w);
	}
	json_object_put(want);
}

static const struct {
	const char *name, *native, *canonical;
} to_cases[] = {
	{ "empty", "{}", "{}" },
	{ "empty values and ids dropped",
	  "{\"id\":\"c-1\",\"version\":3,\"kind\":\"person\",\"title\":\"\",\"first_name\":\"  \","
	  "\"emails\":{\"business\":\"\",\"home\":\"\",\"other\":\"\"},\"phones\":{\"direct\":\"\"},"
	  "\"addresses\":{\"business\":{\"street\":\"\"},\"home\":{}},\"custom\":[\"\",\"\",\"\",\"\"],"
	  "\"categories\":[\"\"],\"private\":false,\"goes_by\":\"\",\"my_notes\":\"\","
	  "\"external_refs\":[\"oisync:op:x\"],\"updated_at\":\"2026-01-01T00:00:00Z\",\"mailing_address\":\"\"}",
	  "{}" },
	{ "names and work fields",
	  "{\"title\":\"Dr.\",\"first_name\":\"Ann\",\"middle_name\":\"B\",\"last_name\":\"Lee\","
	  "\"suffix\":\"Jr.\",\"company_name\":\"Acme LLP\",\"job_title\":\"Partner\","
	  "\"department\":\"Tax\",\"assistant\":\"Bob\",\"web_site\":\"https://acme.example\","
	  "\"my_notes\":\"met at conf\\nline 2\"}",
	  "{\"prefix\":\"Dr.\",\"first\":\"Ann\",\"middle\":\"B\",\"last\":\"Lee\",\"suffix\":\"Jr.\","
	  "\"company\":\"Acme LLP\",\"job_title\":\"Partner\",\"department\":\"Tax\",\"assistant\":\"Bob\","
	  "\"web\":\"https://acme.example\",\"notes\":\"met at conf\\nline 2\"}" },
	{ "goes_by equal to first is no nickname",
	  "{\"first_name\":\"Ann\",\"goes_by\":\"Ann\"}", "{\"first\":\"Ann\"}" },
	{ "goes_by other than first is the nickname",
	  "{\"first_name\":\"Ann\",\"goes_by\":\"Annie\"}", "{\"first\":\"Ann\",\"nickname\":\"Annie\"}" },
	{ "goes_by without first is the nickname",
	  "{\"goes_by\":\"Annie\"}", "{\"nickname\":\"Annie\"}" },
	{ "emails in canonical order",
	  "{\"emails\":{\"other\":\"o@x.example\",\"home\":\"\",\"business\":\"Ann@Acme.example\"}}",
	  "{\"emails\":[{\"address\":\"Ann@Acme.example\",\"kind\":\"work\"},"
	  "{\"address\":\"o@x.example\",\"kind\":\"other\"}]}" },
	{ "every phone",
	  "{\"phones\":{\"direct\":\"1\",\"company\":\"2\",\"mobile\":\"3\",\"home\":\"4\",\"other\":\"5\","
	  "\"business_fax\":\"6\",\"home_fax\":\"7\",\"assistant\":\"8\",\"pager\":\"9\"}}",
	  "{\"phones\":{\"business\":\"1\",\"business2\":\"2\",\"mobile\":\"3\",\"home\":\"4\",\"other\":\"5\","
	  "\"business_fax\":\"6\",\"home_fax\":\"7\",\"assistant\":\"8\",\"pager\":\"9\"}}" },
	{ "addresses and mailing address",
	  "{\"addresses\":{\"business\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"New York\","
	  "\"state\":\"NY\",\"postal_code\":\"10001\",\"country\":\"United States\"},"
	  "\"home\":{\"city\":\"\"},\"other\":{\"country\":\"FR\"}},\"mailing_address\":\"business\"}",
	  "{\"addresses\":{\"business\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"New York\","
	  "\"region\":\"NY\",\"postal_code\":\"10001\",\"country\":\"United States\"},"
	  "\"other\":{\"country\":\"FR\"}},\"mailing_address\":\"business\"}" },
	{ "unknown mailing address dropped", "{\"mailing_address\":\"moon\"}", "{}" },
	{ "custom kept as four strings",
	  "{\"custom\":[\"\",\"b\"]}", "{\"custom\":[\"\",\"b\",\"\",\"\"]}" },
	{ "categories sorted unique",
	  "{\"categories\":[\"Zeta\",\"Clients\",\"\",\"Zeta\",7]}", "{\"categories\":[\"Clients\",\"Zeta\"]}" },
	{ "private true", "{\"private\":true}", "{\"private\":true}" },
};

static void test_to_canonical(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(to_cases); i++) {
		json_object *n = parse(to_cases[i].native);
		json_object *c = ois_ia_contact_to_canonical(n);
		check_json(to_cases[i].name, c, to_cases[i].canonical);
		json_object_put(c);
		json_object_put(n);
	}
}

static const struct {
	const char *name, *data, *fields, *body;
} from_cases[] = {
	{ "one scalar", "{\"last\":\"Lee\",\"first\":\"Ann\"}", "[\"last\"]", "{\"last_name\":\"Lee\"}" },
	{ "cleared scalar", "{\"first\":\"Ann\"}", "[\"job_title\"]", "{\"job_title\":\"\"}" },
	{ "first carries goes_by when no nickname", "{\"first\":\"Ann\"}", "[\"first\"]",
	  "{\"first_name\":\"Ann\",\"goes_by\":\"Ann\"}" },
	{ "first keeps the nickname as goes_by", "{\"first\":\"Ann\",\"nickname\":\"Annie\"}", "[\"first\"]",
	  "{\"first_name\":\"Ann\",\"goes_by\":\"Annie\"}" },
	{ "nickname cleared falls back to first", "{\"first\":\"Ann\"}", "[\"nickname\"]",
	  "{\"goes_by\":\"Ann\"}" },
	{ "one email", "{\"emails\":[{\"address\":\"h@x.example\",\"kind\":\"home\"}]}", "[\"emails.home\",\"emails.work\"]",
	  "{\"emails\":{\"home\":\"h@x.example\",\"business\":\"\"}}" },
	{ "phones map", "{\"phones\":{\"business\":\"+1\",\"business2\":\"+2\"}}",
	  "[\"phones.business\",\"phones.business2\",\"phones.pager\",\"phones.home2\"]",
	  "{\"phones\":{\"direct\":\"+1\",\"company\":\"+2\",\"pager\":\"\"}}" },
	{ "whole address", "{\"addresses\":{\"home\":{\"city\":\"Paris\",\"region\":\"IDF\"}}}", "[\"addresses.home\"]",
	  "{\"addresses\":{\"home\":{\"street\":\"\",\"city\":\"Paris\",\"state\":\"IDF\",\"postal_code\":\"\",\"country\":\"\"}}}" },
	{ "one address part", "{\"addresses\":{\"home\":{\"region\":\"IDF\"}}}", "[\"addresses.home.region\"]",
	  "{\"addresses\":{\"home\":{\"state\":\"IDF\"}}}" },
	{ "custom sends all four", "{\"custom\":[\"a\",\"\",\"c\",\"\"]}", "[\"custom.3\"]",
	  "{\"custom\":[\"a\",\"\",\"c\",\"\"]}" },
	{ "custom cleared", "{}", "[\"custom.1\"]", "{\"custom\":[\"\",\"\",\"\",\"\"]}" },
	{ "per-user fields", "{\"notes\":\"n\",\"categories\":[\"A\"],\"private\":true}",
	  "[\"notes\",\"categories\",\"private\",\"mailing_address\",\"web\"]",
	  "{\"my_notes\":\"n\",\"categories\":[\"A\"],\"private\":true,\"mailing_address\":\"\",\"web_site\":\"\"}" },
	{ "units interaction lacks", "{\"display\":\"A\",\"birthday\":\"2000-01-01\"}",
	  "[\"display\",\"file_as\",\"birthday\",\"phones.home2\"]", "{}" },
};

static void test_from_canonical(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(from_cases); i++) {
		json_object *d = parse(from_cases[i].data);
		json_object *f = parse(from_cases[i].fields);
		json_object *b = ois_ia_contact_from_canonical(d, f);
		check_json(from_cases[i].name, b, from_cases[i].body);
		json_object_put(b);
		json_object_put(f);
		json_object_put(d);
	}
}

static void test_create_body_is_complete(void)
{
	json_object *d = parse("{\"first\":\"Ann\"}");
	json_object *b = ois_ia_contact_from_canonical(d, NULL);
	CHECK_STR(json_object_get_string(json_object_object_get(b, "goes_by")), "Ann");
	CHECK_STR(json_object_get_string(json_object_object_get(b, "last_name")), "");
	json_object *ph = json_object_object_get(b, "phones");
	CHECK_INT(json_object_object_length(ph), 9);
	json_object *ad = json_object_object_get(b, "addresses");
	CHECK_INT(json_object_object_length(ad), 3);
	CHECK_INT(json_object_array_length(json_object_object_get(b, "custom")), 4);
	CHECK_INT(json_object_array_length(json_object_object_get(b, "categories")), 0);
	CHECK_INT(json_object_get_boolean(json_object_object_get(b, "private")), 0);
	json_object_put(b);
	json_object_put(d);
}

/* An organisation transform marked is created as a company; a person, an update or another mark sets no kind. */
static void test_organisation_is_a_company(void)
{
	static const struct {
		const char *data;
		int create;
		const char *kind;
	} cases[] = {
		{ "{\"display\":\"Acme LLP\",\"company\":\"Acme LLP\",\"entity\":\"organization\"}", 1, "company" },
		{ "{\"display\":\"Acme LLP\",\"company\":\"Acme LLP\",\"entity\":\"organization\"}", 0, NULL },
		{ "{\"display\":\"TBD\",\"entity\":\"placeholder\"}", 1, NULL },
		{ "{\"first\":\"Ann\",\"last\":\"Lee\"}", 1, NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *d = parse(cases[i].data);
		json_object *f = cases[i].create ? NULL : parse("[\"company\"]");
		json_object *b = ois_ia_contact_from_canonical(d, f);
		CHECK_STR(json_object_get_string(json_object_object_get(b, "kind")), cases[i].kind);
		json_object_put(b);
		json_object_put(f);
		json_object_put(d);
	}
}

/* Everything InterAction carries survives canonical -> body -> canonical. */
static const char *const round_trips[] = {
	"{}",
	"{\"first\":\"Ann\"}",
	"{\"prefix\":\"Dr.\",\"first\":\"Ann\",\"middle\":\"B\",\"last\":\"Lee\",\"suffix\":\"Jr.\","
	"\"nickname\":\"Annie\",\"company\":\"Acme LLP\",\"job_title\":\"Partner\",\"department\":\"Tax\","
	"\"assistant\":\"Bob\",\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"},"
	"{\"address\":\"ann@home.example\",\"kind\":\"home\"},{\"address\":\"a@o.example\",\"kind\":\"other\"}],"
	"\"phones\":{\"business\":\"+12125550100\",\"business2\":\"+12125550101\",\"mobile\":\"+1\","
	"\"home\":\"+2\",\"other\":\"+3\",\"business_fax\":\"+4\",\"home_fax\":\"+5\",\"assistant\":\"+6;ext=7\","
	"\"pager\":\"+8\"},\"addresses\":{\"business\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"New York\","
	"\"region\":\"NY\",\"postal_code\":\"10001\",\"country\":\"US\"},\"home\":{\"city\":\"Paris\"},"
	"\"other\":{\"country\":\"DE\"}},\"mailing_address\":\"home\",\"web\":\"https://acme.example\","
	"\"notes\":\"line 1\\nline 2\",\"categories\":[\"Clients\",\"VIP\"],\"custom\":[\"\",\"\",\"\",\"x\"],"
	"\"private\":true}",
	"{\"emails\":[{\"address\":\"h@x.example\",\"kind\":\"home\"}],\"custom\":[\"a\",\"\",\"\",\"\"]}",
};

static void test_round_trip(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(round_trips); i++) {
		json_object *d = parse(round_trips[i]);
		json_object *b = ois_ia_contact_from_canonical(d, NULL);
		json_object *c = ois_ia_contact_to_canonical(b);
		check_json("round trip", c, round_trips[i]);
		json_object_put(c);
		json_object_put(b);
		json_object_put(d);
	}
}

/* Units InterAction lacks are lost on the way, and only they. */
static void test_round_trip_drops_what_interaction_lacks(void)
{
	json_object *d = parse("{\"first\":\"Ann\",\"display\":\"Ann Lee\",\"file_as\":\"Lee, Ann\","
			       "\"birthday\":\"1990-02-03\",\"phones\":{\"home2\":\"+1\",\"mobile\":\"+2\"}}");
	json_object *b = ois_ia_contact_from_canonical(d, NULL);
	json_object *c = ois_ia_contact_to_canonical(b);
	check_json("lossy round trip", c, "{\"first\":\"Ann\",\"phones\":{\"mobile\":\"+2\"}}");
	json_object_put(c);
	json_object_put(b);
	json_object_put(d);
}

int main(void)
{
	UNIT_RUN(test_to_canonical);
	UNIT_RUN(test_from_canonical);
	UNIT_RUN(test_create_body_is_complete);
	UNIT_RUN(test_organisation_is_a_company);
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_round_trip_drops_what_interaction_lacks);
	return unit_done();
}
