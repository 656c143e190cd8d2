/* test_backend.c - the table of backends: choosing one, folders, and each backend's mapping both ways. */
#include "backend.h"
#include "canonjson.h"
#include "code.h"
#include "config.h"
#include "log.h"
#include "unit.h"
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

/* A configuration with one Exchange server ex1 of type (NULL: unset). */
static void config_with(struct ois_config *cfg, struct ois_endpoint *ep, const char *type)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(ep, 0, sizeof(*ep));
	ep->name = "ex1";
	ep->type = (char *)type;
	cfg->servers = ep;
	cfg->nservers = 1;
	cfg->path = "test.conf";
}

static void test_choose_by_type(void)
{
	struct ois_config cfg;
	struct ois_endpoint ep;
	config_with(&cfg, &ep, NULL);
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, "ex1") == &ois_backend_ews);
	CHECK(ois_backend_for(&cfg, OIS_INTERACTION, "ex1") == &ois_backend_interaction);
	/* The InterAction side has no server section to look at. */
	CHECK(ois_backend_for(&cfg, OIS_INTERACTION, NULL) == &ois_backend_interaction);
	config_with(&cfg, &ep, "ews");
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, "ex1") == &ois_backend_ews);
	/* A type of the other side, or of no backend, is a configuration error, never a guess. */
	config_with(&cfg, &ep, "interaction");
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, "ex1") == NULL);
	config_with(&cfg, &ep, "owa");
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, "ex1") == NULL);
	config_with(&cfg, &ep, "graph");
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, "ex1") == &ois_backend_graph);
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, "ex2") == NULL);
	CHECK(ois_backend_for(&cfg, OIS_EXCHANGE, NULL) == NULL);
	/* Each backend's mapping is the one transform finds for its side. */
	CHECK(ois_mapping_of_side(OIS_EXCHANGE) == ois_backend_ews.map);
	CHECK(ois_mapping_of_side(OIS_INTERACTION) == ois_backend_interaction.map);
}

/* transform finds a record's mapping by its "backend", its side's first backend's without one. */
static void test_mapping_of_record(void)
{
	static const struct {
		const char *record;
		const struct ois_mapping *map;
	} cases[] = {
		{ "{\"side\":\"exchange\"}", &ois_map_ews },
		{ "{\"side\":\"exchange\",\"backend\":\"graph\"}", &ois_map_graph },
		{ "{\"side\":\"exchange\",\"backend\":\"ews\"}", &ois_map_ews },
		{ "{\"side\":\"interaction\"}", &ois_map_interaction },
		/* A backend of the other side, or of none: no mapping, so transform refuses the line. */
		{ "{\"side\":\"interaction\",\"backend\":\"graph\"}", NULL },
		{ "{\"side\":\"exchange\",\"backend\":\"owa\"}", NULL },
		{ "{\"side\":\"exchange\",\"backend\":7}", NULL },
		{ "{\"side\":\"both\"}", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *rec = json_tokener_parse(cases[i].record);
		CHECK(ois_mapping_of_record(rec) == cases[i].map);
		json_object_put(rec);
	}
}

static void test_folders(void)
{
	CHECK_STR(ois_folder_name(OIS_CONTACTS), "contacts");
	CHECK_STR(ois_folder_name(OIS_CALENDAR), "calendar");
	CHECK_INT(ois_folder_parse("contacts"), OIS_CONTACTS);
	CHECK_INT(ois_folder_parse("calendar"), OIS_CALENDAR);
	CHECK_INT(ois_folder_parse("Contacts"), -1);
	CHECK_INT(ois_folder_parse(NULL), -1);
}

/* canonical -> native -> canonical through be gives back want (canonical JSON text). */
static void check_round_trip(const struct ois_backend *be, const char *kind, const char *canonical, const char *want)
{
	json_object *in = parse(canonical);
	json_object *native = be->to_native(kind, in);
	CHECK(native != NULL);
	json_object *back = native ? be->map->to_canonical(kind, native) : NULL;
	struct ois_buf got = OIS_BUF_INIT;
	if (back)
		ois_json_canonical(back, &got);
	CHECK_STR(got.data, want);
	ois_buf_release(&got);
	json_object_put(back);
	json_object_put(native);
	json_object_put(in);
}

static const char contact[] =
	"{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"job_title\":\"Partner\","
	"\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],"
	"\"phones\":{\"business\":\"+12125550100\",\"mobile\":\"+12125550101\"},"
	"\"categories\":[\"Clients\"],\"notes\":\"met in NY\"}";

/* Canonical JSON text: keys sorted. */
static const char appointment[] =
	"{\"attendees\":[{\"email\":\"bob@firm.example\",\"name\":\"Bob Roe\",\"role\":\"required\"}],"
	"\"categories\":[\"Clients\"],\"end\":\"2026-11-10T20:00:00Z\",\"location\":\"Board room\","
	"\"notes\":\"Agenda attached\",\"private\":true,\"show_as\":\"busy\",\"start\":\"2026-11-10T19:00:00Z\","
	"\"subject\":\"Partners' meeting\",\"time_zone\":\"America/New_York\"}";

static void test_round_trips(void)
{
	/* Both sides carry each of these units, so both give back the same data. */
	const char *want = "{\"categories\":[\"Clients\"],\"company\":\"Acme\","
			   "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],\"first\":\"Ann\","
			   "\"job_title\":\"Partner\",\"last\":\"Lee\",\"notes\":\"met in NY\","
			   "\"phones\":{\"business\":\"+12125550100\",\"mobile\":\"+12125550101\"}}";
	check_round_trip(&ois_backend_ews, "contact", contact, want);
	check_round_trip(&ois_backend_interaction, "contact", contact, want);
	/* Both sides carry these appointment units too. */
	check_round_trip(&ois_backend_ews, "appointment", appointment, appointment);
	check_round_trip(&ois_backend_interaction, "appointment", appointment, appointment);
	/* A kind a backend does not map is no item of it. */
	json_object *in = parse(contact);
	CHECK(ois_backend_ews.to_native("message", in) == NULL);
	CHECK(ois_backend_ews.map->to_canonical("message", in) == NULL);
	CHECK(ois_backend_interaction.map->to_canonical("message", in) == NULL);
	json_object_put(in);
}

static void test_interaction_finish(void)
{
	/* InterAction's Goes By equal to the first name is no nickname; on Exchange it stays one. */
	json_object *a = parse("{\"first\":\"Ann\",\"nickname\":\"Ann\"}");
	ois_backend_interaction.map->finish("contact", a);
	CHECK(!json_object_object_get_ex(a, "nickname", NULL));
	json_object_put(a);
	a = parse("{\"first\":\"Ann\",\"nickname\":\"Annie\"}");
	ois_backend_interaction.map->finish("contact", a);
	CHECK_STR(ois_json_str(a, "nickname"), "Annie");
	json_object_put(a);
	CHECK(ois_backend_ews.map->finish == NULL);
}

int main(void)
{
	ois_log_init("test_backend");
	UNIT_RUN(test_choose_by_type);
	UNIT_RUN(test_mapping_of_record);
	UNIT_RUN(test_folders);
	UNIT_RUN(test_round_trips);
	UNIT_RUN(test_interaction_finish);
	return unit_done();
}
