/* test_ia_appointment.c - InterAction appointments <-> canonical appointment data, both ways. */
#include "unit.h"
#include "canonjson.h"
#include "interaction/ia_appointment.h"
#include "log.h"
#include "record.h"

#include <json-c/json.h>

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);
	CHECK(o != NULL);
	return o;
}

static const char native_text[] =
	"{\"id\":\"a-000001\",\"version\":3,\"status\":\"appointment\",\"type\":\"Meeting\","
	"\"subject\":\"Closing\",\"start\":\"2026-12-01T09:00:00Z\",\"end\":\"2026-12-01T10:00:00Z\","
	"\"all_day\":false,\"time_zone\":\"Europe/Berlin\",\"location\":\"Room 4\",\"notes\":\"bring the deed\","
	"\"organizer\":\"alice@firm.example\","
	"\"attendees\":[{\"email\":\"ann.lee@acme.example\",\"name\":\"Ann Lee\",\"role\":\"required\",\"contact_id\":\"c-000001\"},"
	"{\"email\":\"room4@firm.example\",\"name\":\"\",\"role\":\"resource\",\"contact_id\":null},"
	"{\"email\":\"\",\"name\":\"\",\"role\":\"optional\"}],"
	"\"categories\":[\"Clients\",\"\"],\"private\":true,\"show_as\":\"busy\",\"ical_uid\":\"uid-1\","
	"\"series\":\"\",\"original_start\":\"\",\"owner\":\"alice\",\"external_refs\":[\"oisync:op:ab\"],"
	"\"updated_at\":\"2026-11-20T09:00:00Z\"}";

static void test_native_to_canonical(void)
{
	json_object *n = parse(native_text);
	json_object *c = ois_ia_appointment_to_canonical(n);
	json_object *want = parse(
		"{\"subject\":\"Closing\",\"start\":\"2026-12-01T09:00:00Z\",\"end\":\"2026-12-01T10:00:00Z\","
		"\"time_zone\":\"Europe/Berlin\",\"location\":\"Room 4\",\"notes\":\"bring the deed\","
		"\"organizer\":\"alice@firm.example\","
		"\"attendees\":[{\"email\":\"ann.lee@acme.example\",\"name\":\"Ann Lee\",\"role\":\"required\"},"
		"{\"email\":\"room4@firm.example\",\"role\":\"resource\"}],"
		"\"categories\":[\"Clients\"],\"private\":true,\"show_as\":\"busy\",\"ical_uid\":\"uid-1\","
		"\"activity_type\":\"Meeting\"}");
	if (!ois_json_equal(c, want))
		unit_fail(__FILE__, __LINE__, "got %s", json_object_to_json_string(c));
	json_object_put(want);
	json_object_put(c);
	json_object_put(n);
}

/* A server's list that is not a list holds nothing (json-c aborted on its length: found by fuzz_interaction). */
static void test_lists_that_are_not_arrays(void)
{
	static const char *const natives[] = {
		"{\"id\":\"a-1\",\"subject\":\"x\",\"categories\":\"Clients\",\"attendees\":\"ann@acme.example\"}",
		"{\"id\":\"a-1\",\"subject\":\"x\",\"categories\":{\"a\":1},\"attendees\":7}",
		"{\"id\":\"a-1\",\"subject\":\"x\",\"categories\":null,\"attendees\":{}}",
	};
	for (size_t i = 0; i < sizeof(natives) / sizeof(natives[0]); i++) {
		json_object *n = parse(natives[i]);
		json_object *c = ois_ia_appointment_to_canonical(n);
		json_object *want = parse("{\"subject\":\"x\"}");
		if (!ois_json_equal(c, want))
			unit_fail(__FILE__, __LINE__, "%s\n#   got:  %s\n#   want: {\"subject\":\"x\"}", natives[i],
				  json_object_to_json_string(c));
		json_object_put(want);
		json_object_put(c);
		json_object_put(n);
	}
}

static void test_all_day_and_occurrence(void)
{
	json_object *n = parse("{\"subject\":\"Holiday\",\"start\":\"2026-12-24\",\"end\":\"2026-12-25\",\"all_day\":true,"
			       "\"series\":\"a-000009\",\"original_start\":\"2026-12-24\",\"type\":\"Call\","
			       "\"attendees\":[{\"email\":\"x@y.example\",\"role\":\"chair\"}]}");
	json_object *c = ois_ia_appointment_to_canonical(n);
	CHECK(ois_json_bool(c, "all_day", 0));
	CHECK_STR(ois_json_str(c, "start"), "2026-12-24");
	CHECK_STR(ois_json_str(c, "series"), "a-000009");
	CHECK_STR(ois_json_str(c, "original_start"), "2026-12-24");
	CHECK_STR(ois_json_str(c, "activity_type"), "Call");
	/* An unknown role reads as required, the API's default. */
	CHECK_STR(ois_json_str(json_object_array_get_idx(ois_json_arr(c, "attendees"), 0), "role"), "required");
	json_object_put(c);
	json_object_put(n);
}

static void test_canonical_to_body_for_create_and_update(void)
{
	json_object *c = parse("{\"subject\":\"Call\",\"start\":\"2026-12-01T09:00:00Z\",\"end\":\"2026-12-01T09:30:00Z\","
			       "\"attendees\":[{\"email\":\"a@b.example\",\"role\":\"optional\"}],\"activity_type\":\"Call\"}");
	json_object *b = ois_ia_appointment_from_canonical(c, NULL);
	/* A create sends every key: absent is empty. */
	CHECK_STR(ois_json_str(b, "subject"), "Call");
	CHECK_STR(ois_json_str(b, "type"), "Call");
	CHECK_STR(ois_json_str(b, "location"), "");
	CHECK(json_object_object_get(b, "private") && !ois_json_bool(b, "private", 1));
	CHECK_INT(json_object_array_length(ois_json_arr(b, "categories")), 0);
	json_object *a = json_object_array_get_idx(ois_json_arr(b, "attendees"), 0);
	CHECK_STR(ois_json_str(a, "email"), "a@b.example");
	CHECK_STR(ois_json_str(a, "name"), "");
	CHECK_STR(ois_json_str(a, "role"), "optional");
	CHECK_INT(json_object_object_length(b), 16);
	json_object_put(b);

	/* An update sends exactly the named units; a unit gone from data is cleared. */
	json_object *fields = parse("[\"subject\",\"location\",\"activity_type\",\"categories\"]");
	b = ois_ia_appointment_from_canonical(c, fields);
	json_object *want = parse("{\"subject\":\"Call\",\"location\":\"\",\"type\":\"Call\",\"categories\":[]}");
	if (!ois_json_equal(b, want))
		unit_fail(__FILE__, __LINE__, "got %s", json_object_to_json_string(b));
	json_object_put(want);
	json_object_put(fields);
	json_object_put(b);
	json_object_put(c);
}

static void test_round_trip(void)
{
	/* native -> canonical -> body -> canonical again: nothing lost, nothing added. */
	json_object *n = parse(native_text);
	json_object *c1 = ois_ia_appointment_to_canonical(n);
	json_object *body = ois_ia_appointment_from_canonical(c1, NULL);
	json_object *c2 = ois_ia_appointment_to_canonical(body);
	if (!ois_json_equal(c1, c2))
		unit_fail(__FILE__, __LINE__, "round trip\n#   got:  %s\n#   want: %s", json_object_to_json_string(c2),
			  json_object_to_json_string(c1));
	json_object_put(c2);
	json_object_put(body);
	json_object_put(c1);
	json_object_put(n);

	/* Empty in, empty out. */
	json_object *e = json_object_new_object();
	json_object *ce = ois_ia_appointment_to_canonical(e);
	CHECK_INT(json_object_object_length(ce), 0);
	json_object_put(ce);
	json_object_put(e);
}

/* Attendees InterAction matched to nobody are kept in the notes, and the mapping cuts them off again. */
static void test_guests_in_notes(void)
{
	json_object *att = json_tokener_parse(
		"[{\"email\":\"erik@nordvik.example\",\"name\":\"Erik\",\"contact_id\":\"c-000001\",\"user_id\":null},"
		"{\"email\":\"bob@firm.example\",\"name\":\"Bob\",\"contact_id\":null,\"user_id\":\"bob\"},"
		"{\"email\":\"v@elsewhere.example\",\"name\":\"A Visitor\",\"contact_id\":null,\"user_id\":null},"
		"{\"email\":\"w@elsewhere.example\",\"contact_id\":null,\"user_id\":null}]");
	char *n = ois_ia_notes_with_guests("Scope and fees.", att);
	CHECK_STR(n, "Scope and fees.\n\n" OIS_IA_GUESTS_MARK "\nA Visitor <v@elsewhere.example>\nw@elsewhere.example");
	/* Written again over itself: the same block, once. */
	char *again = ois_ia_notes_with_guests(n, att);
	CHECK_STR(again, n);
	char *own = ois_ia_notes_without_guests(n);
	CHECK_STR(own, "Scope and fees.");
	free(own);
	/* No notes of the meeting's own: the block alone, and nothing once cut. */
	char *only = ois_ia_notes_with_guests(NULL, att);
	CHECK(!strncmp(only, OIS_IA_GUESTS_MARK "\n", strlen(OIS_IA_GUESTS_MARK) + 1));
	own = ois_ia_notes_without_guests(only);
	CHECK_STR(own, "");
	free(own);
	json_object *native = json_object_new_object();
	json_object_object_add(native, "notes", json_object_new_string(n));
	json_object *c = ois_ia_appointment_to_canonical(native);
	CHECK_STR(ois_json_str(c, "notes"), "Scope and fees.");
	json_object_put(c);
	json_object_object_add(native, "notes", json_object_new_string(only));
	c = ois_ia_appointment_to_canonical(native);
	CHECK(!json_object_object_get_ex(c, "notes", NULL));
	json_object_put(c);
	/* Everyone matched: no block. */
	json_object *matched = json_tokener_parse("[{\"email\":\"bob@firm.example\",\"user_id\":\"bob\"}]");
	char *plain = ois_ia_notes_with_guests("x", matched);
	CHECK_STR(plain, "x");
	free(plain);
	json_object_put(matched);
	json_object_put(native);
	free(only);
	free(again);
	free(n);
	json_object_put(att);
}

int main(void)
{
	ois_log_init("test_ia_appointment");
	ois_log_set_verbosity(-1);
	UNIT_RUN(test_native_to_canonical);
	UNIT_RUN(test_lists_that_are_not_arrays);
	UNIT_RUN(test_all_day_and_occurrence);
	UNIT_RUN(test_canonical_to_body_for_create_and_update);
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_guests_in_notes);
	return unit_done();
}
