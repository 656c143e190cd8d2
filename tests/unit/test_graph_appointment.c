/* test_graph_appointment.c - Microsoft Graph events <-> canonical appointments, both ways, and the updates. */
#include "unit.h"
#include "backend.h"
#include "canonjson.h"
#include "graph/graph_appointment.h"
#include "graph/graph_contact.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void check_canonical(const char *native_text, const char *want, const char *what)
{
	json_object *native = parse(native_text);
	json_object *c = ois_graph_appointment_to_canonical(native);
	check_json(c, want, what);
	json_object_put(c);
	json_object_put(native);
}

/* The canonical New York meeting each of the reads below is. */
#define NY_MEETING                                                                                                  \
	"{\"subject\":\"Partners' meeting\",\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\","         \
	"\"time_zone\":\"America/New_York\",\"location\":\"Board room\",\"notes\":\"Agenda attached\","                  \
	"\"organizer\":\"alice@firm.example\","                                                                        \
	"\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob Roe\",\"role\":\"required\"},"                      \
	"{\"email\":\"carol@client.example\",\"role\":\"optional\"},"                                                  \
	"{\"email\":\"room1@firm.example\",\"name\":\"Board room\",\"role\":\"resource\"}],"                              \
	"\"categories\":[\"Clients\",\"Firm\"],\"private\":true,\"show_as\":\"tentative\","                              \
	"\"ical_uid\":\"040000008200E00074C5B7101A82E00800000000D0A0\"}"

/* Every field but the times, as a GET returns them. */
#define NY_FIELDS                                                                                                   \
	"\"subject\":\"Partners' meeting\",\"sensitivity\":\"private\",\"isAllDay\":false,"                              \
	"\"body\":{\"contentType\":\"text\",\"content\":\"Agenda attached\"},"                                          \
	"\"categories\":[\"Clients\",\"\",\"Firm\"],\"iCalUId\":\"040000008200E00074C5B7101A82E00800000000D0A0\","         \
	"\"showAs\":\"tentative\",\"location\":{\"displayName\":\"Board room\",\"locationType\":\"default\"},"           \
	"\"type\":\"singleInstance\",\"seriesMasterId\":null,\"originalStart\":null,"                                  \
	"\"organizer\":{\"emailAddress\":{\"name\":\"Alice\",\"address\":\"alice@firm.example\"}},"                      \
	"\"attendees\":[{\"type\":\"required\",\"status\":{\"response\":\"accepted\"},"                                  \
	"\"emailAddress\":{\"name\":\"Bob Roe\",\"address\":\"bob@firm.example\"}},"                                   \
	"{\"type\":\"optional\",\"emailAddress\":{\"address\":\"carol@client.example\"}},"                               \
	"{\"type\":\"optional\",\"emailAddress\":{\"name\":\"\",\"address\":\"\"}},"                                     \
	"{\"type\":\"resource\",\"emailAddress\":{\"name\":\"Board room\",\"address\":\"room1@firm.example\"}}],"         \
	"\"@odata.etag\":\"W/\\\"DwAAABYA\\\"\""

/* A New York meeting read three ways: in UTC (what the backend asks for), in its Windows zone, in its IANA zone. */
static void test_new_york_meeting(void)
{
	check_canonical("{" NY_FIELDS ",\"originalStartTimeZone\":\"Eastern Standard Time\","
			"\"originalEndTimeZone\":\"Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-11-10T19:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-11-10T20:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			NY_MEETING, "in UTC, Prefer: outlook.timezone=\"UTC\"");
	check_canonical("{" NY_FIELDS ",\"originalStartTimeZone\":\"Eastern Standard Time\","
			"\"originalEndTimeZone\":\"Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-11-10T14:00:00.0000000\",\"timeZone\":\"Eastern Standard Time\"},"
			"\"end\":{\"dateTime\":\"2026-11-10T15:00:00.0000000\",\"timeZone\":\"Eastern Standard Time\"}}",
			NY_MEETING, "in Eastern Standard Time");
	check_canonical("{" NY_FIELDS ",\"originalStartTimeZone\":\"America/New_York\","
			"\"originalEndTimeZone\":\"America/New_York\","
			"\"start\":{\"dateTime\":\"2026-11-10T14:00:00\",\"timeZone\":\"America/New_York\"},"
			"\"end\":{\"dateTime\":\"2026-11-10T15:00:00\",\"timeZone\":\"America/New_York\"}}",
			NY_MEETING, "in America/New_York");
	/* Summer: New York is UTC-4. */
	check_canonical("{\"originalStartTimeZone\":\"Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-07-01T09:30:00.0000000\",\"timeZone\":\"Eastern Standard Time\"},"
			"\"end\":{\"dateTime\":\"2026-07-01T10:00:00.0000000\",\"timeZone\":\"America/New_York\"}}",
			"{\"start\":\"2026-07-01T13:30:00Z\",\"end\":\"2026-07-01T14:00:00Z\",\"time_zone\":\"America/New_York\"}",
			"in summer");
}

/* One rule per row. */
static void test_to_canonical_rules(void)
{
	static const struct {
		const char *native, *canon;
	} cases[] = {
		{ "{}", "{}" },
		/* Empty is absent. */
		{ "{\"subject\":\"\",\"location\":{\"displayName\":\"  \"},\"categories\":[],\"attendees\":[],\"iCalUId\":\"\","
		  "\"body\":{\"contentType\":\"text\",\"content\":\"\"},\"organizer\":{\"emailAddress\":{}},"
		  "\"start\":{\"dateTime\":\"\",\"timeZone\":\"UTC\"},\"originalStartTimeZone\":\"\",\"isAllDay\":false}",
		  "{}" },
		/* A dateTime with an offset is an instant already; one without a timeZone is UTC. */
		{ "{\"start\":{\"dateTime\":\"2026-11-10T14:00:00-05:00\",\"timeZone\":\"Pacific Standard Time\"},"
		  "\"end\":{\"dateTime\":\"2026-11-10T20:00:00\"}}",
		  "{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\"}" },
		/* Graph's own name for UTC. */
		{ "{\"start\":{\"dateTime\":\"2026-11-10T19:00:00.0000000\",\"timeZone\":\"tzone://Microsoft/Utc\"},"
		  "\"originalStartTimeZone\":\"tzone://Microsoft/Utc\"}",
		  "{\"start\":\"2026-11-10T19:00:00Z\",\"time_zone\":\"Etc/UTC\"}" },
		/* Private and confidential are private; normal and personal are not. */
		{ "{\"sensitivity\":\"confidential\"}", "{\"private\":true}" },
		{ "{\"sensitivity\":\"Private\"}", "{\"private\":true}" },
		{ "{\"sensitivity\":\"normal\"}", "{}" },
		{ "{\"sensitivity\":\"personal\"}", "{}" },
		/* Each showAs; unknown says nothing. */
		{ "{\"showAs\":\"free\"}", "{\"show_as\":\"free\"}" },
		{ "{\"showAs\":\"busy\"}", "{\"show_as\":\"busy\"}" },
		{ "{\"showAs\":\"oof\"}", "{\"show_as\":\"oof\"}" },
		{ "{\"showAs\":\"workingElsewhere\"}", "{\"show_as\":\"elsewhere\"}" },
		{ "{\"showAs\":\"unknown\"}", "{}" },
		/* A zone that maps to no IANA name is no time_zone: a custom zone, a made-up one. */
		{ "{\"originalStartTimeZone\":\"tzone://Microsoft/Custom\"}", "{}" },
		{ "{\"originalStartTimeZone\":\"Mars Standard Time\"}", "{}" },
		{ "{\"originalStartTimeZone\":\"W. Europe Standard Time\"}", "{\"time_zone\":\"Europe/Berlin\"}" },
		{ "{\"originalStartTimeZone\":\"Europe/Berlin\"}", "{\"time_zone\":\"Europe/Berlin\"}" },
		/* A time in a zone unknown is kept as sent, with its zone: normalization drops it, and says so. */
		{ "{\"start\":{\"dateTime\":\"2026-11-10T14:00:00.0000000\",\"timeZone\":\"Mars Standard Time\"}}",
		  "{\"start\":\"2026-11-10T14:00:00.0000000 Mars Standard Time\"}" },
		{ "{\"start\":{\"dateTime\":\"soon\",\"timeZone\":\"UTC\"}}", "{\"start\":\"soon UTC\"}" },
		{ "{\"originalStart\":\"soon\"}", "{\"original_start\":\"soon\"}" },
		/* An attendee of another type is required; one with a name only is kept, one with neither not. */
		{ "{\"attendees\":[{\"type\":\"chair\",\"emailAddress\":{\"name\":\"Dan\"}},{\"emailAddress\":{\"address\":\"e@x\"}},"
		  "{\"type\":\"required\"},7]}",
		  "{\"attendees\":[{\"name\":\"Dan\",\"role\":\"required\"},{\"email\":\"e@x\",\"role\":\"required\"}]}" },
		/* The body's content as sent: the read asks for text. */
		{ "{\"body\":{\"contentType\":\"text\",\"content\":\"line 1\\r\\nline 2\"}}", "{\"notes\":\"line 1\\r\\nline 2\"}" },
		/* A uid that is no GlobalObjectId is kept as it is, even on an occurrence. */
		{ "{\"iCalUId\":\"meeting-42@client.example\",\"type\":\"occurrence\"}",
		  "{\"ical_uid\":\"meeting-42@client.example\"}" },
		/* What is not the shape Graph sends is nothing. */
		{ "{\"start\":\"2026-11-10T19:00:00Z\",\"attendees\":{},\"categories\":\"a\",\"location\":\"x\",\"isAllDay\":\"yes\"}",
		  "{}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		check_canonical(cases[i].native, cases[i].canon, what);
	}
	json_object *c = ois_graph_appointment_to_canonical(NULL);
	check_json(c, "{}", "no native data");
	json_object_put(c);
}

/* Christmas Day all day in Sydney: its dates in its own zone, however Graph gives the times. */
static void test_all_day_sydney(void)
{
	/* In UTC (the backend's Prefer): Sydney's midnights are the day before's afternoons. */
	check_canonical("{\"subject\":\"Christmas Day\",\"isAllDay\":true,\"showAs\":\"free\","
			"\"originalStartTimeZone\":\"AUS Eastern Standard Time\",\"originalEndTimeZone\":\"AUS Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-12-24T13:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-12-25T13:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			"{\"subject\":\"Christmas Day\",\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,"
			"\"time_zone\":\"Australia/Sydney\",\"show_as\":\"free\"}",
			"all day in Sydney, in UTC");
	/* In its own zone, as Graph sends without the Prefer. */
	check_canonical("{\"isAllDay\":true,\"originalStartTimeZone\":\"Australia/Sydney\","
			"\"start\":{\"dateTime\":\"2026-12-25T00:00:00.0000000\",\"timeZone\":\"Australia/Sydney\"},"
			"\"end\":{\"dateTime\":\"2026-12-26T00:00:00.0000000\",\"timeZone\":\"Australia/Sydney\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
			"all day in Sydney, in Sydney");
	/* Sydney's winter is UTC+10: the midnight moves, the date does not. */
	check_canonical("{\"isAllDay\":true,\"originalStartTimeZone\":\"AUS Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-07-09T14:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-07-11T14:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			"{\"start\":\"2026-07-10\",\"end\":\"2026-07-12\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
			"two days in Sydney's winter");
	/* The end in its own zone when the event has one. */
	check_canonical("{\"isAllDay\":true,\"originalStartTimeZone\":\"AUS Eastern Standard Time\","
			"\"originalEndTimeZone\":\"Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-12-24T13:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-12-25T05:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-25\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
			"the end in New York");
	/* Without a zone: the nearest midnight UTC. */
	check_canonical("{\"isAllDay\":true,"
			"\"start\":{\"dateTime\":\"2026-12-24T13:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-12-25T05:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-25\",\"all_day\":true}", "all day, no zone");
}

/* Occurrences of a series: the master's id, where it was first scheduled, and the series' UID. */
static void test_occurrence(void)
{
	/* Graph's iCalUId carries the instance date (2026-11-09: 07EA 0B 09); the series' UID has zeros there. */
	check_canonical("{\"subject\":\"Weekly\",\"type\":\"occurrence\",\"seriesMasterId\":\"AAMkMaster\","
			"\"iCalUId\":\"040000008200E00074C5B7101A82E00807EA0B0900000000C0FFEE\","
			"\"originalStart\":\"2026-11-09T19:00:00Z\",\"originalStartTimeZone\":\"Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-11-10T19:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-11-10T20:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			"{\"subject\":\"Weekly\",\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\","
			"\"time_zone\":\"America/New_York\",\"series\":\"AAMkMaster\",\"original_start\":\"2026-11-09T19:00:00Z\","
			"\"ical_uid\":\"040000008200E00074C5B7101A82E0080000000000000000C0FFEE\"}",
			"a moved occurrence");
	/* An exception is one too; Graph's originalStart may carry a fraction. */
	check_canonical("{\"type\":\"exception\",\"iCalUId\":\"040000008200e00074c5b7101a82e00807ea0b0900000000\","
			"\"originalStart\":\"2026-11-09T19:00:00.0000000Z\"}",
			"{\"ical_uid\":\"040000008200e00074c5b7101a82e0080000000000000000\","
			"\"original_start\":\"2026-11-09T19:00:00Z\"}",
			"an exception");
	/* A single event's and a series master's UID are the series' own already. */
	check_canonical("{\"type\":\"seriesMaster\",\"iCalUId\":\"040000008200E00074C5B7101A82E00800000000C0FFEE\"}",
			"{\"ical_uid\":\"040000008200E00074C5B7101A82E00800000000C0FFEE\"}", "a series master");
	check_canonical("{\"type\":\"singleInstance\",\"iCalUId\":\"040000008200E00074C5B7101A82E00807EA0B09C0FFEE\"}",
			"{\"ical_uid\":\"040000008200E00074C5B7101A82E00807EA0B09C0FFEE\"}", "a single event");
	/* An all-day occurrence's original start is a date in its zone too. */
	check_canonical("{\"isAllDay\":true,\"type\":\"occurrence\",\"seriesMasterId\":\"AAMkMaster\","
			"\"originalStart\":\"2026-12-24T13:00:00Z\",\"originalStartTimeZone\":\"AUS Eastern Standard Time\","
			"\"start\":{\"dateTime\":\"2026-12-24T13:00:00.0000000\",\"timeZone\":\"UTC\"},"
			"\"end\":{\"dateTime\":\"2026-12-25T13:00:00.0000000\",\"timeZone\":\"UTC\"}}",
			"{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\","
			"\"series\":\"AAMkMaster\",\"original_start\":\"2026-12-25\"}",
			"an all-day occurrence");
}

/* ---- canonical -> body ---- */

static void check_body(const char *data_text, const char *fields_text, const char *want, const char *what)
{
	json_object *data = parse(data_text), *fields = fields_text ? parse(fields_text) : NULL;
	json_object *body = ois_graph_appointment_from_canonical(data, fields);
	if (want)
		check_json(body, want, what);
	else if (body)
		unit_fail(__FILE__, __LINE__, "%s: a body, want NULL: %s", what,
			  json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	json_object_put(body);
	json_object_put(fields);
	json_object_put(data);
}

/* A create: every field Graph writes, the times in the event's zone; what Graph sets itself is not written. */
static void test_create_body(void)
{
	check_body(NY_MEETING, NULL,
		   "{\"subject\":\"Partners' meeting\","
		   "\"start\":{\"dateTime\":\"2026-11-10T14:00:00\",\"timeZone\":\"America/New_York\"},"
		   "\"end\":{\"dateTime\":\"2026-11-10T15:00:00\",\"timeZone\":\"America/New_York\"},"
		   "\"location\":{\"displayName\":\"Board room\"},"
		   "\"body\":{\"contentType\":\"text\",\"content\":\"Agenda attached\"},"
		   "\"attendees\":[{\"emailAddress\":{\"address\":\"bob@firm.example\",\"name\":\"Bob Roe\"},\"type\":\"required\"},"
		   "{\"emailAddress\":{\"address\":\"carol@client.example\"},\"type\":\"optional\"},"
		   "{\"emailAddress\":{\"address\":\"room1@firm.example\",\"name\":\"Board room\"},\"type\":\"resource\"}],"
		   "\"categories\":[\"Clients\",\"Firm\"],\"sensitivity\":\"private\",\"showAs\":\"tentative\"}",
		   "a New York meeting");
	/* All day: the midnights of its dates in its zone, never shifted by a UTC conversion. */
	check_body("{\"subject\":\"Christmas Day\",\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,"
		   "\"time_zone\":\"Australia/Sydney\",\"show_as\":\"free\"}",
		   NULL,
		   "{\"subject\":\"Christmas Day\",\"isAllDay\":true,"
		   "\"start\":{\"dateTime\":\"2026-12-25T00:00:00\",\"timeZone\":\"Australia/Sydney\"},"
		   "\"end\":{\"dateTime\":\"2026-12-26T00:00:00\",\"timeZone\":\"Australia/Sydney\"},\"showAs\":\"free\"}",
		   "all day in Sydney");
	/* No end: one day; no zone, or one the system does not know: UTC. */
	check_body("{\"start\":\"2026-12-25\",\"all_day\":true}", NULL,
		   "{\"isAllDay\":true,\"start\":{\"dateTime\":\"2026-12-25T00:00:00\",\"timeZone\":\"UTC\"},"
		   "\"end\":{\"dateTime\":\"2026-12-26T00:00:00\",\"timeZone\":\"UTC\"}}",
		   "all day, no zone, no end");
	check_body("{\"start\":\"2026-11-10T19:00:00Z\",\"time_zone\":\"Mars/Olympus_Mons\"}", NULL,
		   "{\"start\":{\"dateTime\":\"2026-11-10T19:00:00\",\"timeZone\":\"UTC\"},"
		   "\"end\":{\"dateTime\":\"2026-11-10T19:00:00\",\"timeZone\":\"UTC\"}}",
		   "an unknown zone, no end");
	/* A start with an offset is the same instant; summer in New York is UTC-4. */
	check_body("{\"start\":\"2026-07-01T09:30:00-04:00\",\"end\":\"2026-07-01T14:00:00Z\",\"time_zone\":\"America/New_York\"}",
		   NULL,
		   "{\"start\":{\"dateTime\":\"2026-07-01T09:30:00\",\"timeZone\":\"America/New_York\"},"
		   "\"end\":{\"dateTime\":\"2026-07-01T10:00:00\",\"timeZone\":\"America/New_York\"}}",
		   "summer in New York");
	/* Never written: Graph's own, and what it lacks. */
	check_body("{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\",\"time_zone\":\"Etc/UTC\","
		   "\"organizer\":\"alice@firm.example\",\"series\":\"a-1\",\"original_start\":\"2026-11-09T19:00:00Z\","
		   "\"ical_uid\":\"x\",\"activity_type\":\"Meeting\",\"status\":\"activity\"}",
		   NULL,
		   "{\"start\":{\"dateTime\":\"2026-11-10T19:00:00\",\"timeZone\":\"Etc/UTC\"},"
		   "\"end\":{\"dateTime\":\"2026-11-10T20:00:00\",\"timeZone\":\"Etc/UTC\"}}",
		   "Graph's own");
	/* What cannot be an event. */
	check_body("{}", NULL, NULL, "no start");
	check_body("{\"start\":\"tomorrow\"}", NULL, NULL, "a start that is no time");
	check_body("{\"start\":\"2026-11-10\"}", NULL, NULL, "a date, not all day");
	check_body("{\"start\":\"2026-12-25T00:00:00Z\",\"all_day\":true}", NULL, NULL, "a time, all day");
	check_body("{\"start\":\"2026-02-30\",\"all_day\":true}", NULL, NULL, "a date that does not exist");
	check_body("{\"start\":\"2026-12-25\",\"end\":\"soon\",\"all_day\":true}", NULL, NULL, "an end that is no date");
	check_body("{\"start\":\"2026-11-10T20:00:00Z\",\"end\":\"2026-11-10T19:00:00Z\"}", NULL, NULL, "end before start");
	check_body("{\"start\":\"2026-12-26\",\"end\":\"2026-12-25\",\"all_day\":true}", NULL, NULL, "end day before start");
	check_body("{\"start\":\"2026-11-10T19:00:00Z\",\"show_as\":\"away\"}", NULL, NULL, "an unknown show_as");
}

/* An update: the units named, the times together, a cleared unit as Graph takes it. */
static void test_update_body(void)
{
	check_body(NY_MEETING, "[\"subject\",\"location\",\"categories\"]",
		   "{\"subject\":\"Partners' meeting\",\"location\":{\"displayName\":\"Board room\"},"
		   "\"categories\":[\"Clients\",\"Firm\"]}",
		   "set");
	check_body("{\"start\":\"2026-11-10T19:00:00Z\"}",
		   "[\"subject\",\"location\",\"notes\",\"attendees\",\"categories\",\"private\",\"show_as\"]",
		   "{\"subject\":null,\"location\":{\"displayName\":\"\"},\"body\":{\"contentType\":\"text\",\"content\":\"\"},"
		   "\"attendees\":[],\"categories\":[],\"sensitivity\":\"normal\",\"showAs\":\"busy\"}",
		   "cleared");
	/* Any of the times writes all of them, once. */
	check_body(NY_MEETING, "[\"end\",\"time_zone\",\"start\"]",
		   "{\"start\":{\"dateTime\":\"2026-11-10T14:00:00\",\"timeZone\":\"America/New_York\"},"
		   "\"end\":{\"dateTime\":\"2026-11-10T15:00:00\",\"timeZone\":\"America/New_York\"},\"isAllDay\":false}",
		   "the times");
	check_body("{\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
		   "[\"all_day\"]",
		   "{\"start\":{\"dateTime\":\"2026-12-25T00:00:00\",\"timeZone\":\"Australia/Sydney\"},"
		   "\"end\":{\"dateTime\":\"2026-12-26T00:00:00\",\"timeZone\":\"Australia/Sydney\"},\"isAllDay\":true}",
		   "made all day");
	/* What Graph sets itself or lacks is skipped. */
	check_body(NY_MEETING, "[\"organizer\",\"series\",\"original_start\",\"ical_uid\",\"activity_type\",\"status\"]",
		   "{}", "not Graph's to write");
	check_body(NY_MEETING, "[]", "{}", "nothing named");
	check_body("{}", "[\"start\"]", NULL, "the times without a start");
	check_body("{\"show_as\":\"away\"}", "[\"show_as\"]", NULL, "an unknown show_as");
	check_body("{\"show_as\":\"away\"}", "[\"subject\"]", "{\"subject\":null}", "show_as checked only when named");
	check_body("{}", "[\"colour\"]", NULL, "an unknown unit");
	check_body("{}", "[7]", NULL, "a name that is no string");
	check_body("{}", "{}", NULL, "fields that are no array");
}

/* Canonical data -> the event a read would see once a create wrote it -> the same canonical data. */
static void test_round_trip(void)
{
	static const char *const cases[] = {
		"{\"subject\":\"Partners' meeting\",\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\","
		"\"time_zone\":\"America/New_York\",\"location\":\"Board room\",\"notes\":\"Agenda attached\","
		"\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob Roe\",\"role\":\"required\"},"
		"{\"name\":\"Carol\",\"role\":\"optional\"},{\"email\":\"room1@firm.example\",\"role\":\"resource\"}],"
		"\"categories\":[\"Clients\",\"Firm\"],\"private\":true,\"show_as\":\"elsewhere\"}",
		"{\"subject\":\"Christmas Day\",\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"all_day\":true,"
		"\"time_zone\":\"Australia/Sydney\",\"show_as\":\"free\"}",
		"{\"start\":\"2026-07-10\",\"end\":\"2026-07-12\",\"all_day\":true,\"time_zone\":\"Australia/Sydney\"}",
		"{\"start\":\"2026-03-08T07:00:00Z\",\"end\":\"2026-03-08T08:00:00Z\",\"time_zone\":\"America/New_York\"}",
		"{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\",\"time_zone\":\"Etc/UTC\"}",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *data = parse(cases[i]);
		json_object *native = ois_graph_appointment_to_native(data);
		CHECK(native != NULL);
		json_object *back = ois_graph_appointment_to_canonical(native);
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		check_json(back, cases[i], what);
		json_object_put(back);
		json_object_put(native);
		json_object_put(data);
	}
	/* Data Graph cannot take has no native form. */
	json_object *bad = parse("{\"subject\":\"no start\"}");
	CHECK(ois_graph_appointment_to_native(bad) == NULL);
	json_object_put(bad);
	/* Without a zone the event is UTC's, and reads back so. */
	json_object *data = parse("{\"start\":\"2026-11-10T19:00:00Z\"}");
	json_object *native = ois_graph_appointment_to_native(data);
	json_object *back = ois_graph_appointment_to_canonical(native);
	check_json(back, "{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T19:00:00Z\",\"time_zone\":\"Etc/UTC\"}",
		   "no zone");
	json_object_put(back);
	json_object_put(native);
	json_object_put(data);
}

static void test_expand(void)
{
	CHECK_STR(ois_graph_appointment_expand(),
		  "singleValueExtendedProperties($filter=id eq "
		  "'String {00020329-0000-0000-C000-000000000046} Name oisync-op-id')");
}

/* The mapping transform uses (lib/graph/graph_map.c; lib/backends.def declares it once the backend is in the table). */
extern const struct ois_mapping ois_map_graph;

static void test_mapping(void)
{
	json_object *event = parse("{\"subject\":\"Weekly\"}"), *contact = parse("{\"givenName\":\"Ann\"}");
	json_object *c = ois_map_graph.to_canonical("appointment", event);
	check_json(c, "{\"subject\":\"Weekly\"}", "an appointment");
	json_object_put(c);
	c = ois_map_graph.to_canonical("contact", contact);
	check_json(c, "{\"first\":\"Ann\"}", "a contact");
	json_object_put(c);
	CHECK(ois_map_graph.to_canonical("message", contact) == NULL);
	CHECK(ois_map_graph.to_canonical(NULL, contact) == NULL);
	CHECK(ois_map_graph.finish == NULL);
	json_object_put(contact);
	json_object_put(event);
}

int main(void)
{
	UNIT_RUN(test_new_york_meeting);
	UNIT_RUN(test_to_canonical_rules);
	UNIT_RUN(test_all_day_sydney);
	UNIT_RUN(test_occurrence);
	UNIT_RUN(test_create_body);
	UNIT_RUN(test_update_body);
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_expand);
	UNIT_RUN(test_mapping);
	return unit_done();
}
