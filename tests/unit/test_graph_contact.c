/* test_graph_contact.c - Microsoft Graph contact <-> canonical mapping, both ways, and the extended properties. */
#include "unit.h"
#include "canonjson.h"
#include "graph/graph_contact.h"
#include "graph/graph_ext.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_SET "{00062004-0000-0000-C000-000000000046}"

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);
	if (!o)
		unit_fail(__FILE__, __LINE__, "bad JSON in the test: %s", text);
	return o;
}

static void check_json(json_object *got, const char *want_text, const char *what)
{
	json_object *want = parse(want_text);
	if (!ois_json_equal(got, want))
		unit_fail(__FILE__, __LINE__, "%s\n#   got:  %s\n#   want: %s", what,
			  got ? json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN) : "NULL",
			  json_object_to_json_string_ext(want, JSON_C_TO_STRING_PLAIN));
	json_object_put(want);
}

/* native data -> canonical, one row per mapping rule. */
static void test_to_canonical(void)
{
	static const struct {
		const char *native, *canon;
	} cases[] = {
		{ "{}", "{}" },
		/* Every string property. */
		{ "{\"title\":\"Dr.\",\"givenName\":\"Ann\",\"middleName\":\"B\",\"surname\":\"Lee\",\"generation\":\"Jr.\","
		  "\"nickName\":\"Annie\",\"displayName\":\"Ann Lee\",\"fileAs\":\"Lee, Ann\",\"companyName\":\"Firm\","
		  "\"jobTitle\":\"Partner\",\"department\":\"Tax\",\"assistantName\":\"Bob\","
		  "\"businessHomePage\":\"https://x.example\",\"personalNotes\":\"hi\\nthere\",\"mobilePhone\":\"3\","
		  "\"initials\":\"A.L.\",\"officeLocation\":\"12th floor\",\"@odata.etag\":\"W/\\\"EQAAABYA\\\"\"}",
		  "{\"prefix\":\"Dr.\",\"first\":\"Ann\",\"middle\":\"B\",\"last\":\"Lee\",\"suffix\":\"Jr.\",\"nickname\":\"Annie\","
		  "\"display\":\"Ann Lee\",\"file_as\":\"Lee, Ann\",\"company\":\"Firm\",\"job_title\":\"Partner\","
		  "\"department\":\"Tax\",\"assistant\":\"Bob\",\"web\":\"https://x.example\",\"notes\":\"hi\\nthere\","
		  "\"phones\":{\"mobile\":\"3\"}}" },
		/* Empty, blank and null values are absent. */
		{ "{\"givenName\":\"\",\"surname\":\"  \",\"middleName\":null,\"mobilePhone\":\"\",\"categories\":[],"
		  "\"emailAddresses\":[],\"businessPhones\":[\"\"],\"homeAddress\":{},\"birthday\":null,"
		  "\"businessAddress\":{\"street\":\"\",\"city\":null}}",
		  "{}" },
		/* E-mail slots 0-2 are work, home, other: Email1-3, as EWS's EmailAddress1-3. */
		{ "{\"emailAddresses\":[{\"name\":\"Ann\",\"address\":\"A@X\"},{\"address\":\"b@x\"},{\"name\":\"c\",\"address\":\"c@x\"}]}",
		  "{\"emails\":[{\"address\":\"A@X\",\"kind\":\"work\"},{\"address\":\"b@x\",\"kind\":\"home\"},"
		  "{\"address\":\"c@x\",\"kind\":\"other\"}]}" },
		/* An empty slot keeps the next in its own. */
		{ "{\"emailAddresses\":[{\"name\":\"\",\"address\":\"\"},{\"address\":\"b@x\"}]}",
		  "{\"emails\":[{\"address\":\"b@x\",\"kind\":\"home\"}]}" },
		/* Phones: the collections' slots, the mobile, and the extended properties by tag. */
		{ "{\"businessPhones\":[\"1\",\"2\"],\"homePhones\":[\"4\",\"5\"],\"mobilePhone\":\"3\","
		  "\"singleValueExtendedProperties\":[{\"id\":\"String 0x3A24\",\"value\":\"6\"},"
		  "{\"id\":\"String 0x3A25\",\"value\":\"7\"},{\"id\":\"String 0x3A2E\",\"value\":\"8\"},"
		  "{\"id\":\"String 0x3A21\",\"value\":\"9\"},{\"id\":\"String 0x3A1F\",\"value\":\"10\"}]}",
		  "{\"phones\":{\"business\":\"1\",\"business2\":\"2\",\"mobile\":\"3\",\"home\":\"4\",\"home2\":\"5\","
		  "\"business_fax\":\"6\",\"home_fax\":\"7\",\"assistant\":\"8\",\"pager\":\"9\",\"other\":\"10\"}}" },
		{ "{\"businessPhones\":[\"\",\"2\"],\"homePhones\":[\"4\"]}",
		  "{\"phones\":{\"business2\":\"2\",\"home\":\"4\"}}" },
		/* Graph may send an id back in its own case. */
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"String 0x3a24\",\"value\":\"6\"},"
		  "{\"id\":\"String {00062004-0000-0000-c000-000000000046} Id 0x804f\",\"value\":\"x\"}]}",
		  "{\"phones\":{\"business_fax\":\"6\"},\"custom\":[\"x\",\"\",\"\",\"\"]}" },
		/* Addresses, and the mailing address: PidLidPostalAddressId 1 home, 2 work, 3 other. */
		{ "{\"businessAddress\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"NY\",\"state\":\"NY\","
		  "\"postalCode\":\"10001\",\"countryOrRegion\":\"United States\"},\"homeAddress\":{\"city\":\"\"},"
		  "\"otherAddress\":{\"city\":\"Paris\"},\"singleValueExtendedProperties\":[{\"id\":"
		  "\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"2\"}]}",
		  "{\"addresses\":{\"business\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"NY\",\"region\":\"NY\","
		  "\"postal_code\":\"10001\",\"country\":\"United States\"},\"other\":{\"city\":\"Paris\"}},"
		  "\"mailing_address\":\"business\"}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"1\"}]}",
		  "{\"mailing_address\":\"home\"}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"3\"}]}",
		  "{\"mailing_address\":\"other\"}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"0\"}]}", "{}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"7\"}]}", "{}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"2x\"}]}", "{}" },
		/* A birthday at some zone's midnight is that date; what is no date is kept as sent. */
		{ "{\"birthday\":\"1974-07-22T00:00:00Z\"}", "{\"birthday\":\"1974-07-22\"}" },
		{ "{\"birthday\":\"1974-07-21T14:00:00Z\"}", "{\"birthday\":\"1974-07-22\"}" },
		{ "{\"birthday\":\"1974-07-22T05:00:00Z\"}", "{\"birthday\":\"1974-07-22\"}" },
		{ "{\"birthday\":\"1974-07-22T12:00:00Z\"}", "{\"birthday\":\"1974-07-22\"}" },
		{ "{\"birthday\":\"soon\"}", "{\"birthday\":\"soon\"}" },
		{ "{\"categories\":[\"b\",\"a\",\"\",7]}", "{\"categories\":[\"b\",\"a\"]}" },
		/* PidTagSensitivity 2 is private, as EWS's Sensitivity Private; the rest is not. */
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer 0x0036\",\"value\":\"2\"}]}", "{\"private\":true}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer 0x0036\",\"value\":\"0\"}]}", "{}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"Integer 0x0036\",\"value\":\"3\"}]}", "{}" },
		/* User Fields 1-4; the op id is no field. */
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"String " ADDR_SET " Id 0x8050\",\"value\":\"x\"},"
		  "{\"id\":\"String " ADDR_SET " Id 0x8052\",\"value\":\"z\"},"
		  "{\"id\":\"String {00020329-0000-0000-C000-000000000046} Name oisync-op-id\",\"value\":\"op1\"}]}",
		  "{\"custom\":[\"\",\"x\",\"\",\"z\"]}" },
		{ "{\"singleValueExtendedProperties\":[{\"id\":\"String " ADDR_SET " Id 0x804F\",\"value\":\" \"}]}", "{}" },
		/* What is not the shape Graph sends is nothing. */
		{ "{\"emailAddresses\":{\"address\":\"a@x\"},\"businessPhones\":\"1\",\"singleValueExtendedProperties\":{},"
		  "\"businessAddress\":\"1 Main St\",\"categories\":\"a\"}",
		  "{}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *n = parse(cases[i].native);
		json_object *c = ois_graph_contact_to_canonical(n);
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		check_json(c, cases[i].canon, what);
		json_object_put(c);
		json_object_put(n);
	}
	json_object *c = ois_graph_contact_to_canonical(NULL);
	check_json(c, "{}", "no native data");
	json_object_put(c);
}

#define EVERY_FIELD                                                                                                 \
	"{\"prefix\":\"Dr.\",\"first\":\"Ann\",\"middle\":\"B\",\"last\":\"Lee\",\"suffix\":\"Jr.\",\"nickname\":\"Annie\","\
	"\"display\":\"Ann Lee\",\"file_as\":\"Lee, Ann\",\"company\":\"Acme LLP\",\"job_title\":\"Partner\","           \
	"\"department\":\"Tax\",\"assistant\":\"Bob Roe\",\"web\":\"https://acme.example\",\"birthday\":\"1970-05-01\","  \
	"\"notes\":\"met at the tax conference\",\"mailing_address\":\"business\",\"private\":true,"                      \
	"\"categories\":[\"Clients\",\"VIP\"],"                                                                        \
	"\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"},{\"address\":\"ann@home.example\",\"kind\":\"home\"},"\
	"{\"address\":\"ann@other.example\",\"kind\":\"other\"}],"                                                     \
	"\"phones\":{\"business\":\"+12125550100\",\"business2\":\"+12125550101\",\"mobile\":\"+12125550199;ext=12\","    \
	"\"home\":\"+12125550102\",\"home2\":\"+12125550103\",\"business_fax\":\"+12125550104\","                         \
	"\"home_fax\":\"+12125550105\",\"assistant\":\"+12125550106\",\"pager\":\"+12125550107\","                        \
	"\"other\":\"+12125550108\"},"                                                                                 \
	"\"addresses\":{\"business\":{\"street\":\"1 Main St\",\"city\":\"New York\",\"region\":\"NY\","                  \
	"\"postal_code\":\"10001\",\"country\":\"US\"},\"home\":{\"city\":\"Brooklyn\"},\"other\":{\"country\":\"FR\"}}," \
	"\"custom\":[\"A\",\"\",\"C\",\"\"]}"

/* A create's body: every unit where Graph keeps it, nothing for what is empty. */
static void test_create_body(void)
{
	json_object *data = parse(EVERY_FIELD);
	json_object *body = ois_graph_contact_from_canonical(data, NULL);
	check_json(body,
		   "{\"title\":\"Dr.\",\"givenName\":\"Ann\",\"middleName\":\"B\",\"surname\":\"Lee\",\"generation\":\"Jr.\","
		   "\"nickName\":\"Annie\",\"displayName\":\"Ann Lee\",\"fileAs\":\"Lee, Ann\",\"companyName\":\"Acme LLP\","
		   "\"jobTitle\":\"Partner\",\"department\":\"Tax\",\"assistantName\":\"Bob Roe\","
		   "\"businessHomePage\":\"https://acme.example\",\"birthday\":\"1970-05-01T12:00:00Z\","
		   "\"personalNotes\":\"met at the tax conference\",\"categories\":[\"Clients\",\"VIP\"],"
		   "\"emailAddresses\":[{\"address\":\"ann@acme.example\"},{\"address\":\"ann@home.example\"},"
		   "{\"address\":\"ann@other.example\"}],"
		   "\"businessPhones\":[\"+12125550100\",\"+12125550101\"],\"mobilePhone\":\"+12125550199;ext=12\","
		   "\"homePhones\":[\"+12125550102\",\"+12125550103\"],"
		   "\"businessAddress\":{\"street\":\"1 Main St\",\"city\":\"New York\",\"state\":\"NY\","
		   "\"postalCode\":\"10001\",\"countryOrRegion\":\"US\"},"
		   "\"homeAddress\":{\"city\":\"Brooklyn\"},\"otherAddress\":{\"countryOrRegion\":\"FR\"},"
		   "\"singleValueExtendedProperties\":["
		   "{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"2\"},"
		   "{\"id\":\"Integer 0x0036\",\"value\":\"2\"},"
		   "{\"id\":\"String 0x3A24\",\"value\":\"+12125550104\"},"
		   "{\"id\":\"String 0x3A25\",\"value\":\"+12125550105\"},"
		   "{\"id\":\"String 0x3A2E\",\"value\":\"+12125550106\"},"
		   "{\"id\":\"String 0x3A21\",\"value\":\"+12125550107\"},"
		   "{\"id\":\"String 0x3A1F\",\"value\":\"+12125550108\"},"
		   "{\"id\":\"String " ADDR_SET " Id 0x804F\",\"value\":\"A\"},"
		   "{\"id\":\"String " ADDR_SET " Id 0x8051\",\"value\":\"C\"}]}",
		   "every field");
	/* And back: a read of what the create wrote is the data. */
	json_object *back = ois_graph_contact_to_canonical(body);
	check_json(back, EVERY_FIELD, "every field, read back");
	json_object_put(back);
	json_object_put(body);
	json_object_put(data);

	/* Nothing: an empty body (no nulls: Graph refuses a null complex value in a create). */
	data = parse("{\"phones\":{},\"emails\":[],\"custom\":[\"\",\"\",\"\",\"\"],\"private\":false}");
	body = ois_graph_contact_from_canonical(data, NULL);
	check_json(body, "{}", "nothing");
	json_object_put(body);
	json_object_put(data);

	/* A later slot keeps its place: the slot before it is written empty. */
	data = parse("{\"emails\":[{\"address\":\"o@x\",\"kind\":\"other\"}],\"phones\":{\"home2\":\"+1\"}}");
	body = ois_graph_contact_from_canonical(data, NULL);
	check_json(body, "{\"emailAddresses\":[{\"address\":\"\"},{\"address\":\"\"},{\"address\":\"o@x\"}],"
			 "\"homePhones\":[\"\",\"+1\"]}", "later slots");
	back = ois_graph_contact_to_canonical(body);
	check_json(back, "{\"emails\":[{\"address\":\"o@x\",\"kind\":\"other\"}],\"phones\":{\"home2\":\"+1\"}}",
		   "later slots, read back");
	json_object_put(back);
	json_object_put(body);
	json_object_put(data);
}

/* The op id: written on a create's body, read back as a record's op_tag; and the $expand a read sends. */
static void test_op_id_and_expand(void)
{
	json_object *body = parse("{\"givenName\":\"Ann\"}");
	ois_graph_set_op_id(body, "op-1");
	check_json(body, "{\"givenName\":\"Ann\",\"singleValueExtendedProperties\":[{\"id\":"
			 "\"String {00020329-0000-0000-C000-000000000046} Name oisync-op-id\",\"value\":\"op-1\"}]}",
		   "tagged");
	CHECK_STR(ois_graph_op_tag(body), "op-1");
	json_object *native = parse("{\"singleValueExtendedProperties\":[{\"id\":"
				    "\"String {00020329-0000-0000-c000-000000000046} Name oisync-op-id\",\"value\":\"op-2\"}]}");
	CHECK_STR(ois_graph_op_tag(native), "op-2");
	CHECK(ois_graph_op_tag(NULL) == NULL);
	json_object_put(native);
	json_object_put(body);

	CHECK_STR(ois_graph_contact_expand(),
		  "singleValueExtendedProperties($filter="
		  "id eq 'String {00020329-0000-0000-C000-000000000046} Name oisync-op-id'"
		  " or id eq 'Integer {00062004-0000-0000-C000-000000000046} Id 0x8022'"
		  " or id eq 'Integer 0x0036'"
		  " or id eq 'String 0x3A24' or id eq 'String 0x3A25' or id eq 'String 0x3A2E'"
		  " or id eq 'String 0x3A21' or id eq 'String 0x3A1F'"
		  " or id eq 'String {00062004-0000-0000-C000-000000000046} Id 0x804F'"
		  " or id eq 'String {00062004-0000-0000-C000-000000000046} Id 0x8050'"
		  " or id eq 'String {00062004-0000-0000-C000-000000000046} Id 0x8051'"
		  " or id eq 'String {00062004-0000-0000-C000-000000000046} Id 0x8052')");
}

static void check_update(const char *data_text, const char *fields_text, const char *want, const char *what)
{
	json_object *data = parse(data_text), *fields = parse(fields_text);
	json_object *body = ois_graph_contact_from_canonical(data, fields);
	if (want)
		check_json(body, want, what);
	else if (body)
		unit_fail(__FILE__, __LINE__, "%s: a body, want NULL: %s", what,
			  json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	json_object_put(body);
	json_object_put(fields);
	json_object_put(data);
}

/* An update's body: the units named, set or cleared as Graph expects; the rest left out. */
static void test_update_body(void)
{
	check_update(EVERY_FIELD, "[\"first\",\"phones.mobile\",\"birthday\"]",
		     "{\"givenName\":\"Ann\",\"mobilePhone\":\"+12125550199;ext=12\",\"birthday\":\"1970-05-01T12:00:00Z\"}",
		     "set");
	check_update("{}", "[\"first\",\"phones.mobile\",\"birthday\",\"notes\",\"addresses.home\"]",
		     "{\"givenName\":null,\"mobilePhone\":null,\"birthday\":null,\"personalNotes\":null,\"homeAddress\":null}",
		     "cleared: null");
	check_update("{}", "[\"categories\",\"emails.work\",\"phones.business2\"]",
		     "{\"categories\":[],\"emailAddresses\":[],\"businessPhones\":[]}", "cleared collections: []");
	check_update("{}", "[\"phones.pager\",\"custom.2\",\"mailing_address\",\"private\"]",
		     "{\"singleValueExtendedProperties\":[{\"id\":\"String 0x3A21\",\"value\":\"\"},"
		     "{\"id\":\"String " ADDR_SET " Id 0x8050\",\"value\":\"\"},"
		     "{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"0\"},"
		     "{\"id\":\"Integer 0x0036\",\"value\":\"0\"}]}",
		     "cleared extended properties: empty, 0");
	/* One unit of a collection writes the collection whole, each value in its slot. */
	check_update(EVERY_FIELD, "[\"emails.home\"]",
		     "{\"emailAddresses\":[{\"address\":\"ann@acme.example\"},{\"address\":\"ann@home.example\"},"
		     "{\"address\":\"ann@other.example\"}]}",
		     "one e-mail");
	check_update("{\"emails\":[{\"address\":\"h@x\",\"kind\":\"home\"}]}", "[\"emails.work\"]",
		     "{\"emailAddresses\":[{\"address\":\"\"},{\"address\":\"h@x\"}]}", "the work e-mail cleared");
	check_update("{\"phones\":{\"business\":\"+1\"}}", "[\"phones.business2\",\"phones.business\"]",
		     "{\"businessPhones\":[\"+1\"]}", "two units of one collection");
	/* A group is each of its units; a part of an address, the whole address. */
	check_update("{\"phones\":{\"home\":\"+2\",\"pager\":\"+3\"}}", "[\"phones\"]",
		     "{\"businessPhones\":[],\"mobilePhone\":null,\"homePhones\":[\"+2\"],"
		     "\"singleValueExtendedProperties\":[{\"id\":\"String 0x3A24\",\"value\":\"\"},"
		     "{\"id\":\"String 0x3A25\",\"value\":\"\"},{\"id\":\"String 0x3A2E\",\"value\":\"\"},"
		     "{\"id\":\"String 0x3A21\",\"value\":\"+3\"},{\"id\":\"String 0x3A1F\",\"value\":\"\"}]}",
		     "the phones");
	check_update(EVERY_FIELD, "[\"addresses.home.city\"]",
		     "{\"homeAddress\":{\"street\":\"\",\"city\":\"Brooklyn\",\"state\":\"\",\"postalCode\":\"\","
		     "\"countryOrRegion\":\"\"}}",
		     "an address part: the whole address, every part named");
	check_update(EVERY_FIELD, "[\"custom.3\",\"custom.3\",\"private\",\"mailing_address\"]",
		     "{\"singleValueExtendedProperties\":[{\"id\":\"String " ADDR_SET " Id 0x8051\",\"value\":\"C\"},"
		     "{\"id\":\"Integer 0x0036\",\"value\":\"2\"},"
		     "{\"id\":\"Integer " ADDR_SET " Id 0x8022\",\"value\":\"2\"}]}",
		     "extended properties, once each");
	check_update(EVERY_FIELD, "[]", "{}", "nothing named");
	/* What Graph cannot carry, or no unit at all: no body. */
	check_update("{\"birthday\":\"12/01/1970\"}", "[\"birthday\"]", NULL, "a birthday that is no date");
	check_update("{\"birthday\":\"2026-02-31\"}", "[\"birthday\"]", NULL, "a date that does not exist");
	check_update("{\"mailing_address\":\"work\"}", "[\"mailing_address\"]", NULL, "an unknown mailing address");
	check_update("{}", "[\"nonsense\"]", NULL, "an unknown unit");
	check_update("{}", "[\"phones.car\"]", NULL, "an unknown phone");
	check_update("{}", "[\"custom.5\"]", NULL, "a fifth custom field");
	check_update("{}", "[7]", NULL, "a name that is no string");
	check_update("{}", "{}", NULL, "fields that are no array");
	json_object *bad = parse("{\"birthday\":\"soon\"}");
	CHECK(ois_graph_contact_from_canonical(bad, NULL) == NULL);
	json_object_put(bad);
}

/* A birthday written is read back as the same date in every zone Outlook might show it in. */
static void test_birthday(void)
{
	static const char *const dates[] = { "1970-05-01", "2000-02-29", "1899-12-31", "2026-12-31" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(dates); i++) {
		char text[64];
		snprintf(text, sizeof(text), "{\"birthday\":\"%s\"}", dates[i]);
		json_object *data = parse(text);
		json_object *body = ois_graph_contact_from_canonical(data, NULL);
		json_object *back = ois_graph_contact_to_canonical(body);
		check_json(back, text, dates[i]);
		json_object_put(back);
		json_object_put(body);
		json_object_put(data);
	}
}

int main(void)
{
	UNIT_RUN(test_to_canonical);
	UNIT_RUN(test_create_body);
	UNIT_RUN(test_op_id_and_expand);
	UNIT_RUN(test_update_body);
	UNIT_RUN(test_birthday);
	return unit_done();
}
