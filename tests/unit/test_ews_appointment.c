/* test_ews_appointment.c - Exchange calendar items <-> canonical appointments, both ways, and the updates. */
#include "unit.h"
#include "buf.h"
#include "canonjson.h"
#include "code.h"
#include "ews/ews.h"
#include "ews/ews_appointment.h"
#include "ews/ews_calendar.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_NS "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\""
#define OP_ID_PROP                                                                                              \
	"<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" "                   \
	"PropertyName=\"oisync-op-id\" PropertyType=\"String\"/><t:Value>op-1</t:Value></t:ExtendedProperty>"

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
			  json_object_to_json_string_ext(got, JSON_C_TO_STRING_PLAIN),
			  json_object_to_json_string_ext(want, JSON_C_TO_STRING_PLAIN));
	json_object_put(want);
}

static void check_canonical(const char *native_text, const char *want, const char *what)
{
	json_object *native = parse(native_text);
	json_object *c = ois_ews_appointment_to_canonical(native);
	check_json(c, want, what);
	json_object_put(c);
	json_object_put(native);
}

/* A timed meeting in New York with every field Exchange sends: each to its canonical key. */
static void test_every_field_to_canonical(void)
{
	check_canonical(
		"{\"Subject\":\"Partners' meeting\",\"Sensitivity\":\"Private\",\"Body\":\"Agenda attached\","
		"\"Categories\":[\"Clients\",\"\",\"Firm\"],\"UID\":\"040000008200E000\","
		"\"Start\":\"2026-11-10T19:00:00Z\",\"End\":\"2026-11-10T20:00:00Z\",\"IsAllDayEvent\":\"false\","
		"\"LegacyFreeBusyStatus\":\"Tentative\",\"Location\":\"Board room\",\"CalendarItemType\":\"Single\","
		"\"Organizer\":{\"Mailbox\":{\"Name\":\"Alice\",\"EmailAddress\":\"SMTP:alice@firm.example\","
		"\"RoutingType\":\"SMTP\"}},"
		"\"RequiredAttendees\":[{\"Mailbox\":{\"Name\":\"Bob Roe\",\"EmailAddress\":\"bob@firm.example\"},"
		"\"ResponseType\":\"Accept\"}],"
		"\"OptionalAttendees\":[{\"Mailbox\":{\"EmailAddress\":\"carol@client.example\"}},"
		"{\"Mailbox\":{\"RoutingType\":\"SMTP\"}}],"
		"\"Resources\":[{\"Mailbox\":{\"Name\":\"Board room\",\"EmailAddress\":\"room1@firm.example\"}}],"
		"\"StartTimeZone\":{\"Id\":\"Eastern Standard Time\",\"Name\":\"(UTC-05:00) Eastern Time\"},"
		"\"EndTimeZone\":{\"Id\":\"Eastern Standard Time\"},"
		"\"ExtendedProperties\":{\"PublicStrings:oisync-op-id\":\"op-1\"}}",
		"{\"subject\":\"Partners' meeting\",\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\","
		"\"time_zone\":\"America/New_York\",\"location\":\"Board room\",\"notes\":\"Agenda attached\","
		"\"organizer\":\"alice@firm.example\","
		"\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob Roe\",\"role\":\"required\"},"
		"{\"email\":\"carol@client.example\",\"role\":\"optional\"},"
		"{\"email\":\"room1@firm.example\",\"name\":\"Board room\",\"role\":\"resource\"}],"
		"\"categories\":[\"Clients\",\"Firm\"],\"private\":true,\"show_as\":\"tentative\","
		"\"ical_uid\":\"040000008200E000\"}",
		"every field");
}

/* One rule per row. */
static void test_to_canonical_rules(void)
{
	static const struct {
		const char *native, *canon;
	} cases[] = {
		{ "{}", "{}" },
		/* Empty is absent. */
		{ "{\"Subject\":\"\",\"Location\":\"  \",\"Categories\":[],\"RequiredAttendees\":[],\"UID\":\"\"}", "{}" },
		/* A time with an offset, or none, is UTC in canonical data. */
		{ "{\"Start\":\"2026-11-10T14:00:00-05:00\",\"End\":\"2026-11-10T20:00:00\"}",
		  "{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\"}" },
		/* Private and Confidential are private; Normal and Personal are not. */
		{ "{\"Sensitivity\":\"Confidential\"}", "{\"private\":true}" },
		{ "{\"Sensitivity\":\"Normal\"}", "{}" },
		{ "{\"Sensitivity\":\"Personal\"}", "{}" },
		/* Each free/busy status; NoData says nothing. */
		{ "{\"LegacyFreeBusyStatus\":\"Free\"}", "{\"show_as\":\"free\"}" },
		{ "{\"LegacyFreeBusyStatus\":\"Busy\"}", "{\"show_as\":\"busy\"}" },
		{ "{\"LegacyFreeBusyStatus\":\"OOF\"}", "{\"show_as\":\"oof\"}" },
		{ "{\"LegacyFreeBusyStatus\":\"WorkingElsewhere\"}", "{\"show_as\":\"elsewhere\"}" },
		{ "{\"LegacyFreeBusyStatus\":\"NoData\"}", "{}" },
		/* A zone CLDR does not know is no time_zone; an Exchange 2007 item's MeetingTimeZone is one. */
		{ "{\"StartTimeZone\":{\"Id\":\"Mars Standard Time\"}}", "{}" },
		{ "{\"MeetingTimeZone\":{\"TimeZoneName\":\"W. Europe Standard Time\"}}",
		  "{\"time_zone\":\"Europe/Berlin\"}" },
		/* One attendee as a plain parse shows it; one with a name only; one with neither is skipped. */
		{ "{\"RequiredAttendees\":{\"Attendee\":{\"Mailbox\":{\"Name\":\"Dan\"}}},"
		  "\"Resources\":[{\"Mailbox\":{\"Name\":\"  \"}}]}",
		  "{\"attendees\":[{\"name\":\"Dan\",\"role\":\"required\"}]}" },
		/* An organizer outside SMTP keeps its address as sent. */
		{ "{\"Organizer\":{\"Mailbox\":{\"EmailAddress\":\"/o=Firm/ou=EX/cn=alice\",\"RoutingType\":\"EX\"}}}",
		  "{\"organizer\":\"/o=Firm/ou=EX/cn=alice\"}" },
		/* What is no time is kept as sent. */
		{ "{\"Start\":\"soon\"}", "{\"start\":\"soon\"}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		check_canonical(cases[i].native, cases[i].canon, what);
	}
}

/* Christmas Day all day in Sydney: Exchange holds Sydney's midnights in UTC, the day before. */
static void test_all_day_sydney(void)
{
	check_canonical("{\"Subject\":\"Christmas Day\",\"Start\":\"2026-12-24T13:00:00Z\","
			"\"End\":\"2026-12-25T13:00:00Z\",\"IsAllDayEvent\":\"true\","
			"\"StartTimeZone\":{\"Id\":\"AUS Eastern Standard Time\"},"
			"\"EndTimeZone\":{\"Id\":\"AUS Eastern Standard Time\"},\"LegacyFreeBusyStatus\":\"Free\"}",
			"{\"subject\":\"Christmas Day\",\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,"
			"\"time_zone\":\"Australia/Sydney\",\"show_as\":\"free\"}",
			"all day in Sydney");
	/* Sydney's winter is UTC+10: the midnight moves, the date does not. */
	check_canonical("{\"Start\":\"2026-07-09T14:00:00Z\",\"End\":\"2026-07-11T14:00:00Z\",\"IsAllDayEvent\":\"true\","
			"\"StartTimeZone\":{\"Id\":\"AUS Eastern Standard Time\"}}",
			"{\"start\":\"2026-07-10\",\"end\":\"2026-07-12\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
			"two days in Sydney's winter");
	/* The end in its own zone when the item has one. */
	check_canonical("{\"Start\":\"2026-12-24T13:00:00Z\",\"End\":\"2026-12-25T05:00:00Z\",\"IsAllDayEvent\":\"true\","
			"\"StartTimeZone\":{\"Id\":\"AUS Eastern Standard Time\"},"
			"\"EndTimeZone\":{\"Id\":\"Eastern Standard Time\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-25\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
			"the end in New York");
	/* New York is behind UTC: its midnight is the same day's morning in UTC. */
	check_canonical("{\"Start\":\"2026-12-25T05:00:00Z\",\"End\":\"2026-12-26T05:00:00Z\",\"IsAllDayEvent\":\"true\","
			"\"StartTimeZone\":{\"Id\":\"Eastern Standard Time\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"America/New_York\"}",
			"all day in New York");
	/* Without a zone: the nearest midnight UTC. */
	check_canonical("{\"Start\":\"2026-12-24T13:00:00Z\",\"End\":\"2026-12-25T05:00:00Z\",\"IsAllDayEvent\":\"true\"}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-25\",\"all_day\":true}", "all day, no zone");
	/* UTC itself is a zone like any other. */
	check_canonical("{\"Start\":\"2026-12-25T00:00:00Z\",\"End\":\"2026-12-26T00:00:00Z\",\"IsAllDayEvent\":\"true\","
			"\"StartTimeZone\":{\"Id\":\"UTC\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"Etc/UTC\"}",
			"all day in UTC");
}

/* An occurrence of a series: its master (which the read adds) and where it was first scheduled. */
static void test_occurrence(void)
{
	check_canonical("{\"Subject\":\"Weekly\",\"CalendarItemType\":\"Occurrence\",\"RecurringMasterId\":\"AAMkMaster\","
			"\"OriginalStart\":\"2026-11-09T19:00:00Z\",\"Start\":\"2026-11-10T19:00:00Z\","
			"\"End\":\"2026-11-10T20:00:00Z\",\"StartTimeZone\":{\"Id\":\"Eastern Standard Time\"}}",
			"{\"subject\":\"Weekly\",\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\","
			"\"time_zone\":\"America/New_York\",\"series\":\"AAMkMaster\","
			"\"original_start\":\"2026-11-09T19:00:00Z\"}",
			"a moved occurrence");
	/* An all-day occurrence's original start is a date in its zone too. */
	check_canonical("{\"IsAllDayEvent\":\"true\",\"RecurringMasterId\":\"AAMkMaster\","
			"\"OriginalStart\":\"2026-12-24T13:00:00Z\",\"Start\":\"2026-12-24T13:00:00Z\","
			"\"End\":\"2026-12-25T13:00:00Z\",\"StartTimeZone\":{\"Id\":\"AUS Eastern Standard Time\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\","
			"\"series\":\"AAMkMaster\",\"original_start\":\"2026-12-25\"}",
			"an all-day occurrence");
}

/* A canned GetItem reply, through the JSON the read makes of it. */
static void test_canned_item(void)
{
	FILE *fp = fopen("tests/data/ews/getitem_calendar.xml", "rb");
	if (!fp) {
		unit_fail(__FILE__, __LINE__, "cannot open tests/data/ews/getitem_calendar.xml (run from the top folder)");
		return;
	}
	struct ois_buf b = OIS_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ois_buf_add(&b, chunk, n);
	fclose(fp);
	xmlDoc *doc = NULL;
	CHECK_INT(ois_ews_parse(b.data, b.len, "test", &doc), 0);
	xmlNode *item = ois_xml_child(ois_xml_child(ois_xml_child(ois_xml_child(ois_xml_child(ois_xml_child(
		xmlDocGetRootElement(doc), "Body"), "GetItemResponse"), "ResponseMessages"), NULL), "Items"), "CalendarItem");
	CHECK(item != NULL);
	if (item) {
		json_object *native = ois_ews_calendar_item_json(item);
		json_object *c = ois_ews_appointment_to_canonical(native);
		check_json(c,
			   "{\"subject\":\"Weekly partners' meeting\",\"notes\":\"Agenda follows.\",\"categories\":[\"Firm\"],"
			   "\"ical_uid\":\"040000008200E00074C5B7101A82E0080000000022\",\"start\":\"2026-11-26T14:00:00Z\","
			   "\"end\":\"2026-11-26T15:00:00Z\",\"show_as\":\"busy\",\"location\":\"Board room\","
			   "\"organizer\":\"alice@firm.example\","
			   "\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob\",\"role\":\"required\"}],"
			   "\"time_zone\":\"America/New_York\"}",
			   "getitem_calendar.xml");
		json_object_put(c);
		json_object_put(native);
	}
	xmlFreeDoc(doc);
	ois_buf_release(&b);
}

/* ---- canonical -> XML ---- */

static void check_xml(const char *data_text, const char *op_id, int want_rc, const char *want, const char *what)
{
	json_object *data = parse(data_text);
	struct ois_buf b = OIS_BUF_INIT;
	int rc = ois_ews_appointment_xml(data, op_id, &b);
	if (rc != want_rc)
		unit_fail(__FILE__, __LINE__, "%s: rc %d, want %d", what, rc, want_rc);
	if (want && strcmp(b.data ? b.data : "", want))
		unit_fail(__FILE__, __LINE__, "%s\n#   got:  %s\n#   want: %s", what, b.data ? b.data : "", want);
	ois_buf_release(&b);
	json_object_put(data);
}

/* Every field Exchange writes, in schema order; what it sets itself is not written. */
static void test_xml_every_field(void)
{
	check_xml("{\"subject\":\"Partners' meeting\",\"start\":\"2026-11-10T14:00:00-05:00\","
		  "\"end\":\"2026-11-10T20:00:00Z\",\"time_zone\":\"America/New_York\",\"location\":\"Board room\","
		  "\"notes\":\"Agenda\\r\\nattached <draft>\",\"organizer\":\"alice@firm.example\","
		  "\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob Roe\",\"role\":\"required\"},"
		  "{\"email\":\"carol@client.example\",\"role\":\"optional\"},"
		  "{\"email\":\"room1@firm.example\",\"name\":\"Board room\",\"role\":\"resource\"},"
		  "{\"email\":\"dan@firm.example\",\"role\":\"chair\"},{\"role\":\"optional\"}],"
		  "\"categories\":[\"Clients\",\"Firm\"],\"private\":true,\"show_as\":\"elsewhere\","
		  "\"ical_uid\":\"040000008200E000\",\"series\":\"a-000001\",\"original_start\":\"2026-11-09T19:00:00Z\","
		  "\"activity_type\":\"Meeting\"}",
		  "op-1", 0,
		  "<t:CalendarItem><t:Subject>Partners&apos; meeting</t:Subject><t:Sensitivity>Private</t:Sensitivity>"
		  "<t:Body BodyType=\"Text\">Agenda&#13;\nattached &lt;draft&gt;</t:Body>"
		  "<t:Categories><t:String>Clients</t:String><t:String>Firm</t:String></t:Categories>" OP_ID_PROP
		  "<t:UID>040000008200E000</t:UID><t:Start>2026-11-10T19:00:00Z</t:Start><t:End>2026-11-10T20:00:00Z</t:End>"
		  "<t:LegacyFreeBusyStatus>WorkingElsewhere</t:LegacyFreeBusyStatus><t:Location>Board room</t:Location>"
		  "<t:RequiredAttendees>"
		  "<t:Attendee><t:Mailbox><t:Name>Bob Roe</t:Name><t:EmailAddress>bob@firm.example</t:EmailAddress></t:Mailbox></t:Attendee>"
		  "<t:Attendee><t:Mailbox><t:EmailAddress>dan@firm.example</t:EmailAddress></t:Mailbox></t:Attendee>"
		  "</t:RequiredAttendees><t:OptionalAttendees>"
		  "<t:Attendee><t:Mailbox><t:EmailAddress>carol@client.example</t:EmailAddress></t:Mailbox></t:Attendee>"
		  "</t:OptionalAttendees><t:Resources>"
		  "<t:Attendee><t:Mailbox><t:Name>Board room</t:Name><t:EmailAddress>room1@firm.example</t:EmailAddress></t:Mailbox></t:Attendee>"
		  "</t:Resources>"
		  "<t:StartTimeZone Id=\"Eastern Standard Time\"/><t:EndTimeZone Id=\"Eastern Standard Time\"/></t:CalendarItem>",
		  "every field");
	/* Untagged, no zone, no end: a moment, in UTC. */
	check_xml("{\"start\":\"2026-11-10T19:00:00Z\"}", NULL, 0,
		  "<t:CalendarItem><t:Start>2026-11-10T19:00:00Z</t:Start><t:End>2026-11-10T19:00:00Z</t:End></t:CalendarItem>",
		  "a moment");
	/* A zone with no Windows zone is left out: the times are instants anyway. */
	check_xml("{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\",\"time_zone\":\"Mars/Base\"}",
		  NULL, 0,
		  "<t:CalendarItem><t:Start>2026-11-10T19:00:00Z</t:Start><t:End>2026-11-10T20:00:00Z</t:End></t:CalendarItem>",
		  "a zone Windows lacks");
}

static void test_xml_all_day(void)
{
	/* 2026-12-25 all day in Sydney: midnight there is 13:00 UTC the day before. */
	check_xml("{\"subject\":\"Christmas Day\",\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,"
		  "\"time_zone\":\"Australia/Sydney\",\"show_as\":\"free\"}",
		  "op-1", 0,
		  "<t:CalendarItem><t:Subject>Christmas Day</t:Subject>" OP_ID_PROP
		  "<t:Start>2026-12-24T13:00:00Z</t:Start><t:End>2026-12-25T13:00:00Z</t:End>"
		  "<t:IsAllDayEvent>true</t:IsAllDayEvent><t:LegacyFreeBusyStatus>Free</t:LegacyFreeBusyStatus>"
		  "<t:StartTimeZone Id=\"AUS Eastern Standard Time\"/><t:EndTimeZone Id=\"AUS Eastern Standard Time\"/>"
		  "</t:CalendarItem>",
		  "all day in Sydney");
	/* Across New York's change to summer time: each midnight under its own offset; no end is one day. */
	check_xml("{\"start\":\"2026-03-08\",\"all_day\":true,\"time_zone\":\"America/New_York\"}", NULL, 0,
		  "<t:CalendarItem><t:Start>2026-03-08T05:00:00Z</t:Start><t:End>2026-03-09T04:00:00Z</t:End>"
		  "<t:IsAllDayEvent>true</t:IsAllDayEvent>"
		  "<t:StartTimeZone Id=\"Eastern Standard Time\"/><t:EndTimeZone Id=\"Eastern Standard Time\"/></t:CalendarItem>",
		  "the day New York springs forward");
	/* No zone Exchange knows: UTC's midnights, and the item says UTC. */
	check_xml("{\"start\":\"2026-12-25\",\"end\":\"2026-12-27\",\"all_day\":true}", NULL, 0,
		  "<t:CalendarItem><t:Start>2026-12-25T00:00:00Z</t:Start><t:End>2026-12-27T00:00:00Z</t:End>"
		  "<t:IsAllDayEvent>true</t:IsAllDayEvent><t:StartTimeZone Id=\"UTC\"/><t:EndTimeZone Id=\"UTC\"/>"
		  "</t:CalendarItem>",
		  "all day without a zone");
}

/* What cannot be an Exchange appointment fails, and nothing is written. */
static void test_xml_bad_data(void)
{
	static const char *const bad[] = {
		"{\"subject\":\"no start\"}",
		"{\"start\":\"tomorrow\"}",
		"{\"start\":\"2026-11-10\"}",                     /* a date, not all-day */
		"{\"start\":\"2026-12-25T00:00:00Z\",\"all_day\":true}", /* all-day, not a date */
		"{\"start\":\"2026-02-30\",\"all_day\":true}",
		"{\"start\":\"2026-12-25\",\"end\":\"soon\",\"all_day\":true}",
		"{\"start\":\"2026-11-10T20:00:00Z\",\"end\":\"2026-11-10T19:00:00Z\"}",
		"{\"start\":\"2026-12-26\",\"end\":\"2026-12-25\",\"all_day\":true}",
		"{\"start\":\"2026-11-10T19:00:00Z\",\"show_as\":\"away\"}",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad); i++) {
		char what[32];
		snprintf(what, sizeof(what), "bad case %zu", i);
		check_xml(bad[i], "op-1", OIS_EDATA, "", what);
	}
}

/* canonical -> t:CalendarItem -> the read's JSON -> canonical: what Exchange writes comes back. */
static void test_round_trip(void)
{
	static const struct {
		const char *data, *want; /* want NULL: data itself */
	} cases[] = {
		{ "{\"subject\":\"Christmas Day\",\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,"
		  "\"time_zone\":\"Australia/Sydney\",\"show_as\":\"free\",\"private\":true}",
		  NULL },
		{ "{\"subject\":\"Partners' meeting\",\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\","
		  "\"time_zone\":\"America/New_York\",\"location\":\"Board room\",\"notes\":\"line 1\\nline 2\","
		  "\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob Roe\",\"role\":\"required\"},"
		  "{\"email\":\"carol@client.example\",\"role\":\"optional\"},"
		  "{\"email\":\"room1@firm.example\",\"name\":\"Board room\",\"role\":\"resource\"}],"
		  "\"categories\":[\"Clients\"],\"show_as\":\"oof\",\"ical_uid\":\"uid-1\"}",
		  NULL },
		/* The organizer, the series and the original start are Exchange's own. */
		{ "{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\",\"organizer\":\"bob@firm.example\","
		  "\"series\":\"a-1\",\"original_start\":\"2026-11-09T19:00:00Z\",\"activity_type\":\"Meeting\"}",
		  "{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\"}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char what[32];
		snprintf(what, sizeof(what), "round trip %zu", i);
		json_object *data = parse(cases[i].data);
		struct ois_buf b = OIS_BUF_INIT;
		ois_buf_adds(&b, "<w " T_NS ">");
		CHECK_INT(ois_ews_appointment_xml(data, "op-1", &b), 0);
		ois_buf_adds(&b, "</w>");
		xmlDoc *doc = NULL;
		CHECK_INT(ois_ews_parse(b.data, b.len, what, &doc), 0);
		xmlNode *item = doc ? ois_xml_child(xmlDocGetRootElement(doc), "CalendarItem") : NULL;
		CHECK(item != NULL);
		if (item) {
			json_object *native = ois_ews_calendar_item_json(item);
			json_object *back = ois_ews_appointment_to_canonical(native);
			check_json(back, cases[i].want ? cases[i].want : cases[i].data, what);
			json_object_put(back);
			json_object_put(native);
		}
		xmlFreeDoc(doc);
		ois_buf_release(&b);
		json_object_put(data);
	}
}

/* ---- updates ---- */

static void check_updates(const char *data_text, const char *fields_text, int want_rc, int want_n, const char *want,
			  const char *what)
{
	json_object *data = parse(data_text), *fields = parse(fields_text);
	struct ois_buf b = OIS_BUF_INIT;
	int n = -1;
	int rc = ois_ews_appointment_updates_xml(data, fields, &b, &n);
	if (rc != want_rc)
		unit_fail(__FILE__, __LINE__, "%s: rc %d, want %d", what, rc, want_rc);
	if (!want_rc && n != want_n)
		unit_fail(__FILE__, __LINE__, "%s: n %d, want %d", what, n, want_n);
	if (want && strcmp(b.data ? b.data : "", want))
		unit_fail(__FILE__, __LINE__, "%s\n#   got:  %s\n#   want: %s", what, b.data ? b.data : "", want);
	ois_buf_release(&b);
	json_object_put(fields);
	json_object_put(data);
}

#define SET(uri, inner) \
	"<t:SetItemField><t:FieldURI FieldURI=\"" uri "\"/><t:CalendarItem>" inner "</t:CalendarItem></t:SetItemField>"
#define DEL(uri) "<t:DeleteItemField><t:FieldURI FieldURI=\"" uri "\"/></t:DeleteItemField>"

static void test_updates(void)
{
	const char *meeting = "{\"subject\":\"Partners' meeting\",\"start\":\"2026-11-10T19:00:00Z\","
			      "\"end\":\"2026-11-10T20:00:00Z\",\"time_zone\":\"America/New_York\",\"private\":true,"
			      "\"notes\":\"Agenda\",\"categories\":[\"Clients\"],\"ical_uid\":\"uid-1\","
			      "\"attendees\":[{\"email\":\"room1@firm.example\",\"role\":\"resource\"}]}";
	check_updates(meeting, "[\"subject\",\"location\",\"notes\",\"categories\",\"private\",\"show_as\"]", 0, 6,
		      SET("item:Subject", "<t:Subject>Partners&apos; meeting</t:Subject>")
		      DEL("calendar:Location")
		      SET("item:Body", "<t:Body BodyType=\"Text\">Agenda</t:Body>")
		      SET("item:Categories", "<t:Categories><t:String>Clients</t:String></t:Categories>")
		      SET("item:Sensitivity", "<t:Sensitivity>Private</t:Sensitivity>")
		      SET("calendar:LegacyFreeBusyStatus", "<t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus>"),
		      "plain fields; show_as cleared is Busy");
	/* The times are one change, written once however many of them are named. */
	check_updates(meeting, "[\"start\",\"time_zone\",\"end\"]", 0, 5,
		      SET("calendar:StartTimeZone", "<t:StartTimeZone Id=\"Eastern Standard Time\"/>")
		      SET("calendar:EndTimeZone", "<t:EndTimeZone Id=\"Eastern Standard Time\"/>")
		      SET("calendar:IsAllDayEvent", "<t:IsAllDayEvent>false</t:IsAllDayEvent>")
		      SET("calendar:Start", "<t:Start>2026-11-10T19:00:00Z</t:Start>")
		      SET("calendar:End", "<t:End>2026-11-10T20:00:00Z</t:End>"),
		      "the times");
	/* An all-day event in Sydney: midnights there, and its zone. */
	check_updates("{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
		      "[\"all_day\"]", 0, 5,
		      SET("calendar:StartTimeZone", "<t:StartTimeZone Id=\"AUS Eastern Standard Time\"/>")
		      SET("calendar:EndTimeZone", "<t:EndTimeZone Id=\"AUS Eastern Standard Time\"/>")
		      SET("calendar:IsAllDayEvent", "<t:IsAllDayEvent>true</t:IsAllDayEvent>")
		      SET("calendar:Start", "<t:Start>2026-12-24T13:00:00Z</t:Start>")
		      SET("calendar:End", "<t:End>2026-12-25T13:00:00Z</t:End>"),
		      "all day in Sydney");
	/* No zone on a timed event: the item's own is left alone, never deleted. */
	check_updates("{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\"}", "[\"time_zone\"]", 0, 3,
		      SET("calendar:IsAllDayEvent", "<t:IsAllDayEvent>false</t:IsAllDayEvent>")
		      SET("calendar:Start", "<t:Start>2026-11-10T19:00:00Z</t:Start>")
		      SET("calendar:End", "<t:End>2026-11-10T20:00:00Z</t:End>"),
		      "no zone");
	/* Each attendee list on its own; an empty one is deleted. */
	check_updates(meeting, "[\"attendees\"]", 0, 3,
		      DEL("calendar:RequiredAttendees") DEL("calendar:OptionalAttendees")
		      SET("calendar:Resources", "<t:Resources><t:Attendee><t:Mailbox><t:EmailAddress>room1@firm.example"
						"</t:EmailAddress></t:Mailbox></t:Attendee></t:Resources>"),
		      "attendees");
	/* Exchange's own fields are skipped, not counted; a UID is set, never cleared. */
	check_updates(meeting, "[\"organizer\",\"series\",\"original_start\",\"activity_type\"]", 0, 0, "",
		      "what Exchange cannot write");
	check_updates(meeting, "[\"ical_uid\"]", 0, 1, SET("calendar:UID", "<t:UID>uid-1</t:UID>"), "a UID");
	check_updates("{\"start\":\"2026-11-10T19:00:00Z\"}", "[\"ical_uid\",\"private\"]", 0, 1,
		      SET("item:Sensitivity", "<t:Sensitivity>Normal</t:Sensitivity>"), "no UID; private cleared");
	check_updates(meeting, "[]", 0, 0, "", "nothing");
	/* Unknown names and bad values fail. */
	check_updates(meeting, "[\"colour\"]", OIS_EDATA, 0, NULL, "an unknown field");
	check_updates(meeting, "[1]", OIS_EDATA, 0, NULL, "not a name");
	check_updates(meeting, "{}", OIS_EDATA, 0, NULL, "not an array");
	check_updates("{\"start\":\"2026-11-10T19:00:00Z\",\"show_as\":\"away\"}", "[\"show_as\"]", OIS_EDATA, 0, NULL,
		      "a bad show_as");
	check_updates("{\"start\":\"2026-11-10\",\"all_day\":false}", "[\"start\"]", OIS_EDATA, 0, NULL,
		      "a date that is not all-day");
}

int main(void)
{
	ois_log_init("test_ews_appointment");
	UNIT_RUN(test_every_field_to_canonical);
	UNIT_RUN(test_to_canonical_rules);
	UNIT_RUN(test_all_day_sydney);
	UNIT_RUN(test_occurrence);
	UNIT_RUN(test_canned_item);
	UNIT_RUN(test_xml_every_field);
	UNIT_RUN(test_xml_all_day);
	UNIT_RUN(test_xml_bad_data);
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_updates);
	return unit_done();
}
