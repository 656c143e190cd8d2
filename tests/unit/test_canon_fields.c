/* test_canon_fields.c - merge units: table, side support, get/set keeping the canonical shape. */
#include "unit.h"
#include "canon_fields.h"
#include "canonjson.h"
#include "util.h"

#include <stdlib.h>

static char *text(json_object *o)
{
	return ois_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void test_table(void)
{
	const char *const *u = ois_canon_units("contact");
	CHECK(u != NULL);
	size_t n = 0;
	while (u[n])
		n++;
	CHECK_INT(n, ois_canon_unit_count("contact"));
	CHECK_INT(n, 38);
	CHECK_STR(u[0], "prefix");
	CHECK_INT(ois_canon_unit_index("contact", "custom.4"), (int)n - 1);
	CHECK_INT(ois_canon_unit_index("contact", "nope"), -1);
	const char *const *a = ois_canon_units("appointment");
	CHECK(a != NULL);
	CHECK_STR(a[0], "subject");
	CHECK_INT(ois_canon_unit_index("appointment", "attendees") >= 0, 1);
	CHECK_INT(ois_canon_unit_index("appointment", "first"), -1);
	CHECK(ois_canon_units("task") == NULL);
	/* InterAction's own: the type, and whether the meeting is recorded as held. */
	CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, "activity_type"), 0);
	CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, "activity_type"), 1);
	CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, "status"), 0);
	CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, "birthday"), 0);
	CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, "display"), 0);
	CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, "file_as"), 0);
	CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, "phones.home2"), 0);
	CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, "phones.home"), 1);
	CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, "birthday"), 1);
	CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, "bogus"), 0);
}

static void test_get(void)
{
	json_object *d = json_tokener_parse(
		"{\"first\":\"Ann\",\"middle\":\"\",\"emails\":[{\"address\":\"a@x\",\"kind\":\"work\"},"
		"{\"address\":\"o@x\",\"kind\":\"other\"}],\"phones\":{\"mobile\":\"+1\"},"
		"\"addresses\":{\"home\":{\"city\":\"Rome\"}},\"custom\":[\"\",\"c2\",\"\",\"\"],"
		"\"private\":false,\"categories\":[\"A\",\"B\"]}");
	CHECK_STR(json_object_get_string(ois_canon_get(d, "first")), "Ann");
	CHECK(ois_canon_get(d, "middle") == NULL);
	CHECK(ois_canon_get(d, "last") == NULL);
	CHECK_STR(json_object_get_string(ois_canon_get(d, "emails.work")), "a@x");
	CHECK(ois_canon_get(d, "emails.home") == NULL);
	CHECK_STR(json_object_get_string(ois_canon_get(d, "emails.other")), "o@x");
	CHECK_STR(json_object_get_string(ois_canon_get(d, "phones.mobile")), "+1");
	CHECK(ois_canon_get(d, "phones.home") == NULL);
	CHECK(ois_canon_get(d, "addresses.home") != NULL);
	CHECK(ois_canon_get(d, "custom.1") == NULL);
	CHECK_STR(json_object_get_string(ois_canon_get(d, "custom.2")), "c2");
	CHECK(ois_canon_get(d, "private") == NULL);
	CHECK_INT(json_object_array_length(ois_canon_get(d, "categories")), 2);
	CHECK(ois_canon_get(NULL, "first") == NULL);
	json_object_put(d);
}

static void test_set_keeps_shape(void)
{
	static const struct { const char *before, *unit, *value, *after; } cases[] = {
		{ "{}", "first", "\"Ann\"", "{\"first\":\"Ann\"}" },
		{ "{\"first\":\"Ann\"}", "first", NULL, "{}" },
		{ "{\"first\":\"Ann\"}", "first", "\"\"", "{}" },
		{ "{}", "emails.other", "\"o@x\"", "{\"emails\":[{\"address\":\"o@x\",\"kind\":\"other\"}]}" },
		{ "{\"emails\":[{\"address\":\"o@x\",\"kind\":\"other\"}]}", "emails.work", "\"w@x\"",
		  "{\"emails\":[{\"address\":\"w@x\",\"kind\":\"work\"},{\"address\":\"o@x\",\"kind\":\"other\"}]}" },
		{ "{\"emails\":[{\"address\":\"o@x\",\"kind\":\"other\"}]}", "emails.other", NULL, "{}" },
		{ "{}", "phones.mobile", "\"+1\"", "{\"phones\":{\"mobile\":\"+1\"}}" },
		{ "{\"phones\":{\"mobile\":\"+1\"}}", "phones.mobile", NULL, "{}" },
		{ "{\"phones\":{\"mobile\":\"+1\",\"home\":\"+2\"}}", "phones.mobile", NULL, "{\"phones\":{\"home\":\"+2\"}}" },
		{ "{}", "addresses.home", "{\"city\":\"Rome\"}", "{\"addresses\":{\"home\":{\"city\":\"Rome\"}}}" },
		{ "{}", "addresses.home", "{}", "{}" },
		{ "{}", "custom.3", "\"x\"", "{\"custom\":[\"\",\"\",\"x\",\"\"]}" },
		{ "{\"custom\":[\"\",\"\",\"x\",\"\"]}", "custom.3", NULL, "{}" },
		{ "{\"custom\":[\"a\",\"\",\"x\",\"\"]}", "custom.3", NULL, "{\"custom\":[\"a\",\"\",\"\",\"\"]}" },
		{ "{}", "private", "false", "{}" },
		{ "{}", "private", "true", "{\"private\":true}" },
		{ "{}", "categories", "[]", "{}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		json_object *d = json_tokener_parse(cases[i].before);
		json_object *v = cases[i].value ? json_tokener_parse(cases[i].value) : NULL;
		ois_canon_set(d, cases[i].unit, v);
		char *got = text(d);
		CHECK_STR(got, cases[i].after);
		free(got);
		json_object_put(v);
		json_object_put(d);
	}
}

static void test_set_from_own_value(void)
{
	/* Setting a unit to the value it already holds must not read freed memory. */
	json_object *d = json_tokener_parse("{\"emails\":[{\"address\":\"w@x\",\"kind\":\"work\"}],\"phones\":{\"home\":\"+2\"},\"first\":\"A\"}");
	const char *const *u = ois_canon_units("contact");
	for (size_t i = 0; u[i]; i++)
		ois_canon_set(d, u[i], ois_canon_get(d, u[i]));
	char *got = text(d);
	CHECK_STR(got, "{\"emails\":[{\"address\":\"w@x\",\"kind\":\"work\"}],\"phones\":{\"home\":\"+2\"},\"first\":\"A\"}");
	free(got);
	json_object_put(d);
}

static void test_unit_equal(void)
{
	json_object *a = json_tokener_parse("{\"addresses\":{\"home\":{\"city\":\"Rome\",\"country\":\"IT\"}}}");
	json_object *b = json_tokener_parse("{\"addresses\":{\"home\":{\"country\":\"IT\",\"city\":\"Rome\"}},\"first\":\"\"}");
	CHECK(ois_canon_unit_equal(a, b, "addresses.home"));
	CHECK(ois_canon_unit_equal(a, b, "first"));
	CHECK(ois_canon_unit_equal(a, NULL, "first"));
	CHECK(!ois_canon_unit_equal(a, NULL, "addresses.home"));
	json_object_put(a);
	json_object_put(b);
}

int main(void)
{
	UNIT_RUN(test_table);
	UNIT_RUN(test_get);
	UNIT_RUN(test_set_keeps_shape);
	UNIT_RUN(test_set_from_own_value);
	UNIT_RUN(test_unit_equal);
	return unit_done();
}
