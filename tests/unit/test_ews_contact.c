/* test_ews_contact.c - EWS contact <-> canonical mapping, both ways, and reply parsing. */
#include "unit.h"
#include "canonjson.h"
#include "code.h"
#include "ews/ews.h"
#include "ews/ews_contact.h"
#include "jsonl.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <libxml/parser.h>
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
		{ "2026-02-31T12:00:00Z", NULL },
		{ "1980-05-15Z", "1980-05-15" },
		{ "1980-05-15T12:00", "1980-05-15" },
		{ "2000-01-01T", NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char d[11];
		int rc = ois_ews_birthday_date(cases[i].in, d);
		CHECK_STR(rc ? NULL : d, cases[i].out);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		unit_fail(__FILE__, __LINE__, "cannot open '%s' (run from the top folder)", path);
		return NULL;
	}
	struct ois_buf b = OIS_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ois_buf_add(&b, chunk, n);
	fclose(fp);
	return ois_buf_detach(&b, len);
}

/* A canned GetItem reply: each found contact's native JSON and canonical data as expected. */
static void test_getitem_reply(void)
{
	size_t len;
	char *xml = slurp("tests/data/ews/getitem_reply.xml", &len);
	FILE *exp = fopen("tests/data/ews/getitem_reply.expected.jsonl", "r");
	if (!xml || !exp) {
		free(xml);
		if (exp)
			fclose(exp);
		CHECK(0);
		return;
	}
	struct ois_jsonl_reader rd;
	ois_jsonl_reader_init(&rd, exp, "expected", 0);
	xmlDoc *doc;
	CHECK_INT(ois_ews_parse(xml, len, "test", &doc), 0);
	xmlNode *msgs = ois_xml_child(ois_xml_child(ois_xml_child(ois_xml_child(xmlDocGetRootElement(doc), "Body"),
								   "GetItemResponse"), "ResponseMessages"), NULL);
	int found = 0, missing = 0;
	for (xmlNode *m = msgs; m; m = m->next) {
		if (m->type != XML_ELEMENT_NODE)
			continue;
		char *cls = ois_xml_attr(m, "ResponseClass");
		if (strcmp(cls, "Success")) {
			char *code = ois_xml_text(ois_xml_child(m, "ResponseCode"));
			CHECK_STR(code, "ErrorItemNotFound");
			free(code);
			missing++;
			free(cls);
			continue;
		}
		free(cls);
		xmlNode *item = ois_xml_child(ois_xml_child(m, "Items"), "Contact");
		json_object *want = NULL;
		CHECK_INT(ois_jsonl_read(&rd, &want), 1);
		json_object *native = ois_ews_item_json(item);
		check_json(native, json_object_to_json_string(ois_json_obj(want, "native")), "native");
		json_object *canon = ois_ews_contact_to_canonical(native);
		check_json(canon, json_object_to_json_string(ois_json_obj(want, "canonical")), "canonical");
		json_object_put(canon);
		json_object_put(native);
		json_object_put(want);
		found++;
	}
	CHECK_INT(found, 2);
	CHECK_INT(missing, 1);
	xmlFreeDoc(doc);
	ois_jsonl_reader_release(&rd);
	fclose(exp);
	free(xml);
}

/* Replies that must never be believed: each is OIS_EUNAVAIL, never an empty list. */
static void test_parse_refuses_bad_replies(void)
{
	static const char *const bad[] = {
		"",
		"<s:Envelope xmlns:s=\"x\"><s:Body>",                       /* cut short */
		"not xml at all",
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
		"<a>&lol2;</a>",                                              /* entity expansion */
		"<?xml version=\"1.0\"?><!DOCTYPE a SYSTEM \"http://127.0.0.1:1/x.dtd\"><a/>",
		"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
		"<a>&undefined;</a>",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad); i++) {
		xmlDoc *doc = NULL;
		CHECK_INT(ois_ews_parse(bad[i], strlen(bad[i]), "test", &doc), OIS_EUNAVAIL);
		CHECK(doc == NULL);
	}
	xmlDoc *doc;
	const char *ok = "<a xmlns=\"urn:x\">t &amp; &#233;</a>";
	CHECK_INT(ois_ews_parse(ok, strlen(ok), "test", &doc), 0);
	char *t = ois_xml_text(xmlDocGetRootElement(doc));
	CHECK_STR(t, "t & \xc3\xa9");
	free(t);
	xmlFreeDoc(doc);
}

#define T_NS "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\""

/* canonical -> t:Contact XML -> native JSON -> canonical gives the same data. */
static void test_create_round_trip(void)
{
	static const char *const cases[] = {
		"{}",
		"{\"first\":\"Ann\",\"last\":\"Lee\",\"display\":\"Ann Lee\",\"file_as\":\"Lee, Ann\"}",
		"{\"prefix\":\"Dr.\",\"first\":\"Ann\",\"middle\":\"B\",\"last\":\"Lee\",\"suffix\":\"III\","
		"\"nickname\":\"Annie\",\"company\":\"Lee & <Sons>\",\"job_title\":\"CEO\",\"department\":\"Ops\","
		"\"assistant\":\"Bo\",\"web\":\"https://lee.example/?a=1&b=\\\"2\\\"\",\"notes\":\"line 1\\nline 2\\ttab\","
		"\"emails\":[{\"address\":\"ann@lee.example\",\"kind\":\"work\"},{\"address\":\"x@y.example\",\"kind\":\"other\"}],"
		"\"phones\":{\"business\":\"+12125550100;ext=12\",\"business2\":\"+2\",\"mobile\":\"+3\",\"home\":\"+4\","
		"\"home2\":\"+5\",\"business_fax\":\"+6\",\"home_fax\":\"+7\",\"assistant\":\"+8\",\"pager\":\"+9\",\"other\":\"+10\"},"
		"\"addresses\":{\"business\":{\"street\":\"1 Main St\\nFloor 2\",\"city\":\"New York\",\"region\":\"NY\","
		"\"postal_code\":\"10001\",\"country\":\"US\"},\"other\":{\"country\":\"FR\"}},"
		"\"mailing_address\":\"other\",\"birthday\":\"1970-01-01\",\"categories\":[\"A\",\"B b\"],"
		"\"custom\":[\"\",\"two\",\"\",\"four\"],\"private\":true}",
		"{\"first\":\"\xc3\x89mile\",\"notes\":\"caf\xc3\xa9\"}",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *data = json_tokener_parse(cases[i]);
		struct ois_buf xml = OIS_BUF_INIT;
		ois_buf_adds(&xml, "<r " T_NS ">");
		CHECK_INT(ois_ews_contact_xml(data, "op-1", &xml), 0);
		ois_buf_adds(&xml, "</r>");
		xmlDoc *doc;
		CHECK_INT(ois_ews_parse(xml.data, xml.len, "test", &doc), 0);
		if (doc) {
			json_object *native = ois_ews_item_json(ois_xml_child(xmlDocGetRootElement(doc), "Contact"));
			CHECK_STR(ois_json_str(ois_json_obj(native, "ExtendedProperties"), OIS_EWS_OP_ID_KEY), "op-1");
			json_object *back = ois_ews_contact_to_canonical(native);
			char what[32];
			snprintf(what, sizeof(what), "round trip %zu", i);
			check_json(back, cases[i], what);
			json_object_put(back);
			json_object_put(native);
			xmlFreeDoc(doc);
		}
		ois_buf_release(&xml);
		json_object_put(data);
	}
}

static void test_create_xml_order(void)
{
	json_object *data = json_tokener_parse("{\"last\":\"Lee\",\"first\":\"Ann\",\"private\":true,"
					       "\"notes\":\"n\",\"prefix\":\"Dr.\",\"phones\":{\"mobile\":\"+1\"}}");
	struct ois_buf xml = OIS_BUF_INIT;
	CHECK_INT(ois_ews_contact_xml(data, NULL, &xml), 0);
	CHECK_STR(xml.data, "<t:Contact><t:Sensitivity>Private</t:Sensitivity><t:Body BodyType=\"Text\">n</t:Body>"
		  "<t:ExtendedProperty><t:ExtendedFieldURI PropertyTag=\"0x3A45\" PropertyType=\"String\"/>"
		  "<t:Value>Dr.</t:Value></t:ExtendedProperty><t:GivenName>Ann</t:GivenName>"
		  "<t:PhoneNumbers><t:Entry Key=\"MobilePhone\">+1</t:Entry></t:PhoneNumbers>"
		  "<t:Surname>Lee</t:Surname></t:Contact>");
	ois_buf_reset(&xml);
	json_object *bad = json_tokener_parse("{\"birthday\":\"12/01/1970\"}");
	CHECK_INT(ois_ews_contact_xml(bad, NULL, &xml), OIS_EDATA);
	json_object_put(bad);
	/* A date that does not exist is refused here as transform drops it: one rule. */
	ois_buf_reset(&xml);
	bad = json_tokener_parse("{\"birthday\":\"2026-02-31\"}");
	CHECK_INT(ois_ews_contact_xml(bad, NULL, &xml), OIS_EDATA);
	json_object_put(bad);
	ois_buf_release(&xml);
	json_object_put(data);
}

/* canonical units -> SetItemField / DeleteItemField, one row per shape of unit. */
static void test_updates_xml(void)
{
	static const struct { const char *data, *fields, *xml; int n; } cases[] = {
		{ "{\"first\":\"Ann\"}", "[\"first\"]",
		  "<t:SetItemField><t:FieldURI FieldURI=\"contacts:GivenName\"/><t:Contact><t:GivenName>Ann</t:GivenName>"
		  "</t:Contact></t:SetItemField>", 1 },
		{ "{}", "[\"last\",\"notes\"]",
		  "<t:DeleteItemField><t:FieldURI FieldURI=\"contacts:Surname\"/></t:DeleteItemField>"
		  "<t:DeleteItemField><t:FieldURI FieldURI=\"item:Body\"/></t:DeleteItemField>", 2 },
		{ "{\"emails\":[{\"address\":\"a@b\",\"kind\":\"home\"}]}", "[\"emails.home\",\"emails.work\"]",
		  "<t:SetItemField><t:IndexedFieldURI FieldURI=\"contacts:EmailAddress\" FieldIndex=\"EmailAddress2\"/>"
		  "<t:Contact><t:EmailAddresses><t:Entry Key=\"EmailAddress2\">a@b</t:Entry></t:EmailAddresses></t:Contact>"
		  "</t:SetItemField><t:DeleteItemField><t:IndexedFieldURI FieldURI=\"contacts:EmailAddress\" "
		  "FieldIndex=\"EmailAddress1\"/></t:DeleteItemField>", 2 },
		{ "{\"phones\":{\"mobile\":\"+1\"}}", "[\"phones.mobile\"]",
		  "<t:SetItemField><t:IndexedFieldURI FieldURI=\"contacts:PhoneNumber\" FieldIndex=\"MobilePhone\"/>"
		  "<t:Contact><t:PhoneNumbers><t:Entry Key=\"MobilePhone\">+1</t:Entry></t:PhoneNumbers></t:Contact>"
		  "</t:SetItemField>", 1 },
		{ "{\"addresses\":{\"home\":{\"city\":\"Paris\"}}}", "[\"addresses.home\"]",
		  "<t:DeleteItemField><t:IndexedFieldURI FieldURI=\"contacts:PhysicalAddress:Street\" FieldIndex=\"Home\"/>"
		  "</t:DeleteItemField><t:SetItemField><t:IndexedFieldURI FieldURI=\"contacts:PhysicalAddress:City\" "
		  "FieldIndex=\"Home\"/><t:Contact><t:PhysicalAddresses><t:Entry Key=\"Home\"><t:City>Paris</t:City>"
		  "</t:Entry></t:PhysicalAddresses></t:Contact></t:SetItemField><t:DeleteItemField><t:IndexedFieldURI "
		  "FieldURI=\"contacts:PhysicalAddress:State\" FieldIndex=\"Home\"/></t:DeleteItemField><t:DeleteItemField>"
		  "<t:IndexedFieldURI FieldURI=\"contacts:PhysicalAddress:CountryOrRegion\" FieldIndex=\"Home\"/>"
		  "</t:DeleteItemField><t:DeleteItemField><t:IndexedFieldURI FieldURI=\"contacts:PhysicalAddress:PostalCode\" "
		  "FieldIndex=\"Home\"/></t:DeleteItemField>", 5 },
		{ "{\"custom\":[\"\",\"x\",\"\",\"\"]}", "[\"custom.2\",\"custom.1\"]",
		  "<t:SetItemField><t:ExtendedFieldURI PropertySetId=\"00062004-0000-0000-C000-000000000046\" "
		  "PropertyId=\"32848\" PropertyType=\"String\"/><t:Contact><t:ExtendedProperty><t:ExtendedFieldURI "
		  "PropertySetId=\"00062004-0000-0000-C000-000000000046\" PropertyId=\"32848\" PropertyType=\"String\"/>"
		  "<t:Value>x</t:Value></t:ExtendedProperty></t:Contact></t:SetItemField><t:DeleteItemField>"
		  "<t:ExtendedFieldURI PropertySetId=\"00062004-0000-0000-C000-000000000046\" PropertyId=\"32847\" "
		  "PropertyType=\"String\"/></t:DeleteItemField>", 2 },
		{ "{}", "[\"private\",\"mailing_address\"]",
		  "<t:SetItemField><t:FieldURI FieldURI=\"item:Sensitivity\"/><t:Contact><t:Sensitivity>Normal"
		  "</t:Sensitivity></t:Contact></t:SetItemField><t:SetItemField><t:FieldURI "
		  "FieldURI=\"contacts:PostalAddressIndex\"/><t:Contact><t:PostalAddressIndex>None</t:PostalAddressIndex>"
		  "</t:Contact></t:SetItemField>", 2 },
		{ "{\"birthday\":\"1980-05-15\",\"categories\":[\"a\"]}", "[\"birthday\",\"categories\"]",
		  "<t:SetItemField><t:FieldURI FieldURI=\"contacts:Birthday\"/><t:Contact><t:Birthday>1980-05-15T12:00:00Z"
		  "</t:Birthday></t:Contact></t:SetItemField><t:SetItemField><t:FieldURI FieldURI=\"item:Categories\"/>"
		  "<t:Contact><t:Categories><t:String>a</t:String></t:Categories></t:Contact></t:SetItemField>", 2 },
		{ "{}", "[\"prefix\"]",
		  "<t:DeleteItemField><t:ExtendedFieldURI PropertyTag=\"0x3A45\" PropertyType=\"String\"/>"
		  "</t:DeleteItemField>", 1 },
		{ "{}", "[\"phones\"]", NULL, 10 },
		{ "{}", "[]", "", 0 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *data = json_tokener_parse(cases[i].data);
		json_object *fields = json_tokener_parse(cases[i].fields);
		struct ois_buf out = OIS_BUF_INIT;
		int n = -1;
		CHECK_INT(ois_ews_contact_updates_xml(data, fields, &out, &n), 0);
		CHECK_INT(n, cases[i].n);
		if (cases[i].xml)
			CHECK_STR(out.data ? out.data : "", cases[i].xml);
		ois_buf_release(&out);
		json_object_put(fields);
		json_object_put(data);
	}
	static const char *const bad_fields[] = { "[\"nonsense\"]", "[\"phones.car\"]", "[\"custom.5\"]", "[1]", "{}" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad_fields); i++) {
		json_object *f = json_tokener_parse(bad_fields[i]);
		struct ois_buf out = OIS_BUF_INIT;
		int n;
		CHECK_INT(ois_ews_contact_updates_xml(NULL, f, &out, &n), OIS_EDATA);
		ois_buf_release(&out);
		json_object_put(f);
	}
}

int main(void)
{
	ois_log_init("test_ews_contact");
	ois_log_set_verbosity(-1);
	UNIT_RUN(test_to_canonical);
	UNIT_RUN(test_birthday_dates);
	UNIT_RUN(test_getitem_reply);
	UNIT_RUN(test_parse_refuses_bad_replies);
	UNIT_RUN(test_create_round_trip);
	UNIT_RUN(test_create_xml_order);
	UNIT_RUN(test_updates_xml);
	xmlCleanupParser();
	return unit_done();
}
