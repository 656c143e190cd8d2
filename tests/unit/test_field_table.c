/* test_field_table.c - every row of the field tables round-trips through each backend that carries it, and no other. */
#include "unit.h"
#include "buf.h"
#include "canon_fields.h"
#include "canonjson.h"
#include "ews/ews.h"
#include "ews/ews_contact.h"
#include "graph/graph_appointment.h"
#include "graph/graph_contact.h"
#include "backend.h"
#include "interaction/ia_appointment.h"
#include "interaction/ia_contact.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
	const char *unit, *kind, *norm;
	const char *ews_how, *ews_name, *ews_uri; /* ews_how NULL: Exchange lacks the unit */
	const char *graph_how, *graph_name;       /* graph_how NULL: Graph lacks it */
	const char *ia_how, *ia_key;              /* ia_how NULL: InterAction lacks it */
};

#define EWS(how, name, uri, order) #how, name, uri
#define NO_EWS NULL, NULL, NULL
#define GRAPH(how, name, slot) #how, name
#define NO_GRAPH NULL, NULL
#define IA(how, key, order, who) #how, key
#define NO_IA NULL, NULL
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, #kind, #norm, exchange, graph, interaction },
static const struct row rows[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD

#define NROWS OIS_ARRAY_SIZE(rows)
#define T_NS "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\""

static char *text(json_object *o)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_json_canonical(o, &b);
	return ois_buf_detach(&b, NULL);
}

static void check_same(const char *what, const char *unit, json_object *got, json_object *want)
{
	if (ois_json_equal(got, want))
		return;
	char *g = text(got), *w = text(want);
	unit_fail(__FILE__, __LINE__, "%s of %s\n#   got:  %s\n#   want: %s", what, unit, g, w);
	free(g);
	free(w);
}

/* A value the unit of row r can hold, one no other unit has: a swap of two units shows. */
static json_object *value_for(const struct row *r)
{
	char s[160];
	int i = (int)(r - rows);
	if (!strcmp(r->norm, "DATE"))
		return json_object_new_string("1970-05-01");
	if (!strcmp(r->norm, "MAILING"))
		return json_object_new_string("home");
	snprintf(s, sizeof(s), !strcmp(r->norm, "PHONE") ? "+121255501%02d" : "ann%d@lee.example", i);
	if (!strcmp(r->norm, "PHONE") || !strcmp(r->norm, "EMAIL"))
		return json_object_new_string(s);
	if (!strcmp(r->kind, "FLAG"))
		return json_object_new_boolean(1);
	if (!strcmp(r->kind, "LIST"))
		return json_tokener_parse("[\"A\",\"B b\"]");
	if (!strcmp(r->norm, "ADDRESS")) {
		snprintf(s, sizeof(s), "{\"street\":\"%d Main St\\nFloor 2\",\"city\":\"City %d\",\"region\":\"RM\","
			 "\"postal_code\":\"00100\",\"country\":\"IT\"}", i, i);
		return json_tokener_parse(s);
	}
	if (!strcmp(r->norm, "NOTES"))
		return json_object_new_string("line 1\nline 2 & <more>");
	snprintf(s, sizeof(s), "Value of %s & <co>", r->unit);
	return json_object_new_string(s);
}

/* Canonical data holding only the unit of row r (NULL: every unit of the table). */
static json_object *data_with(const struct row *r)
{
	json_object *d = json_object_new_object();
	for (size_t i = 0; i < NROWS; i++) {
		if (r && &rows[i] != r)
			continue;
		json_object *v = value_for(&rows[i]);
		ois_canon_set(d, rows[i].unit, v);
		json_object_put(v);
	}
	return d;
}

/* data -> CreateItem's t:Contact -> the native JSON extract reads -> canonical. */
static json_object *ews_round_trip(json_object *data, char **xml_out)
{
	struct ois_buf xml = OIS_BUF_INIT;
	json_object *back = NULL;
	ois_buf_adds(&xml, "<r " T_NS ">");
	CHECK_INT(ois_ews_contact_xml(data, NULL, &xml), 0);
	ois_buf_adds(&xml, "</r>");
	xmlDoc *doc = NULL;
	CHECK_INT(ois_ews_parse(xml.data, xml.len, "test", &doc), 0);
	if (doc) {
		json_object *native = ois_ews_item_json(ois_xml_child(xmlDocGetRootElement(doc), "Contact"));
		back = ois_ews_contact_to_canonical(native);
		json_object_put(native);
		xmlFreeDoc(doc);
	}
	if (xml_out)
		*xml_out = ois_xstrdup(xml.data);
	ois_buf_release(&xml);
	return back ? back : json_object_new_object();
}

/* data -> Graph's body of a create (fields NULL) or an update -> canonical, as a read of it gives. */
static json_object *graph_round_trip(json_object *data, json_object *fields, char **body_out)
{
	json_object *body = ois_graph_contact_from_canonical(data, fields);
	CHECK(body != NULL);
	json_object *back = ois_graph_contact_to_canonical(body);
	if (body_out)
		*body_out = text(body);
	json_object_put(body);
	return back;
}

/* data -> the API body of a create (fields NULL) or an update -> canonical. */
static json_object *ia_round_trip(json_object *data, json_object *fields, char **body_out)
{
	json_object *body = ois_ia_contact_from_canonical(data, fields);
	json_object *back = ois_ia_contact_to_canonical(body);
	if (body_out)
		*body_out = text(body);
	json_object_put(body);
	return back;
}

static json_object *one_field(const char *unit)
{
	json_object *f = json_object_new_array();
	json_object_array_add(f, json_object_new_string(unit));
	return f;
}

static void test_table_is_the_unit_list(void)
{
	const char *const *u = ois_canon_units("contact");
	CHECK_INT(ois_canon_unit_count("contact"), NROWS);
	for (size_t i = 0; i < NROWS; i++) {
		CHECK_STR(u[i], rows[i].unit);
		CHECK_INT(ois_canon_unit_index("contact", rows[i].unit), (int)i);
		CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, rows[i].unit), rows[i].ews_how != NULL);
		/* A side's units do not depend on the backend serving it: Graph's are EWS's. */
		CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, rows[i].unit), rows[i].graph_how != NULL);
		CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, rows[i].unit), rows[i].ia_how != NULL);
		/* A User Field's LID and its PropertyId are one number, in hex and decimal. */
		if (rows[i].ews_how && !strcmp(rows[i].ews_how, "USER_FIELD"))
			CHECK_INT(strtol(rows[i].ews_name, NULL, 16), strtol(rows[i].ews_uri, NULL, 10));
	}
	CHECK(u[NROWS] == NULL);
}

/* Each unit alone: canonical -> native -> canonical is exact on a side that carries it. */
static void test_each_field_round_trips(void)
{
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		json_object *data = data_with(r);
		json_object *fields = one_field(r->unit);
		char *xml = NULL, *body = NULL;
		if (r->ews_how) {
			json_object *back = ews_round_trip(data, &xml);
			check_same("EWS create round trip", r->unit, back, data);
			json_object_put(back);
			struct ois_buf upd = OIS_BUF_INIT;
			int n = -1;
			CHECK_INT(ois_ews_contact_updates_xml(data, fields, &upd, &n), 0);
			if (n < 1 || !upd.data || !strstr(upd.data, r->ews_uri))
				unit_fail(__FILE__, __LINE__, "EWS update of %s: n %d, names not %s", r->unit, n, r->ews_uri);
			ois_buf_release(&upd);
		}
		if (r->graph_how) {
			char *gbody = NULL;
			json_object *back = graph_round_trip(data, NULL, NULL);
			check_same("Graph create round trip", r->unit, back, data);
			json_object_put(back);
			back = graph_round_trip(data, fields, &gbody);
			check_same("Graph update round trip", r->unit, back, data);
			if (!gbody || !strstr(gbody, r->graph_name))
				unit_fail(__FILE__, __LINE__, "Graph update of %s: %s names not %s", r->unit, gbody, r->graph_name);
			json_object_put(back);
			free(gbody);
			/* Cleared, the unit reads back as none. */
			json_object *empty = json_object_new_object();
			back = graph_round_trip(empty, fields, &gbody);
			check_same("Graph update clearing", r->unit, back, empty);
			if (!gbody || !strstr(gbody, r->graph_name))
				unit_fail(__FILE__, __LINE__, "Graph clear of %s: %s names not %s", r->unit, gbody, r->graph_name);
			json_object_put(back);
			json_object_put(empty);
			free(gbody);
		}
		if (r->ia_how) {
			json_object *back = ia_round_trip(data, NULL, &body);
			check_same("InterAction create round trip", r->unit, back, data);
			json_object_put(back);
			back = ia_round_trip(data, fields, NULL);
			check_same("InterAction update round trip", r->unit, back, data);
			json_object_put(back);
		}
		free(xml);
		free(body);
		json_object_put(fields);
		json_object_put(data);
	}
}

/* A side that lacks a unit: never written to, and never read back from it (so never "deleted" there). */
static void test_missing_fields_are_unknown(void)
{
	json_object *empty = json_object_new_object();
	json_object *all = data_with(NULL);
	char *xml_empty = NULL, *body_empty = NULL;
	json_object_put(ews_round_trip(empty, &xml_empty));
	json_object_put(ia_round_trip(empty, NULL, &body_empty));
	/* Every unit at once: what a side carries comes back whole, the rest never. */
	json_object *ews_back = ews_round_trip(all, NULL);
	json_object *graph_back = graph_round_trip(all, NULL, NULL);
	json_object *ia_back = ia_round_trip(all, NULL, NULL);
	char *graph_body_empty = NULL;
	json_object_put(graph_round_trip(empty, NULL, &graph_body_empty));
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		json_object *want = ois_canon_get(all, r->unit);
		CHECK(ois_canon_value_equal(ois_canon_get(ews_back, r->unit), r->ews_how ? want : NULL));
		CHECK(ois_canon_value_equal(ois_canon_get(graph_back, r->unit), r->graph_how ? want : NULL));
		CHECK(ois_canon_value_equal(ois_canon_get(ia_back, r->unit), r->ia_how ? want : NULL));

		json_object *data = data_with(r);
		json_object *fields = one_field(r->unit);
		if (!r->ews_how) {
			CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, r->unit), 0);
			char *xml = NULL;
			json_object_put(ews_round_trip(data, &xml));
			CHECK_STR(xml, xml_empty);
			free(xml);
			struct ois_buf upd = OIS_BUF_INIT;
			int n = -1;
			CHECK_INT(ois_ews_contact_updates_xml(data, fields, &upd, &n), 0);
			CHECK_INT(n, 0);
			ois_buf_release(&upd);
		}
		if (!r->graph_how) {
			CHECK_INT(ois_canon_side_supports(OIS_EXCHANGE, r->unit), 0);
			char *body = NULL;
			json_object_put(graph_round_trip(data, NULL, &body));
			CHECK_STR(body, graph_body_empty);
			free(body);
			json_object *upd = ois_graph_contact_from_canonical(data, fields);
			CHECK_INT(json_object_object_length(upd), 0);
			json_object_put(upd);
		}
		if (!r->ia_how) {
			CHECK_INT(ois_canon_side_supports(OIS_INTERACTION, r->unit), 0);
			char *body = NULL;
			json_object *back = ia_round_trip(data, NULL, &body);
			CHECK_STR(body, body_empty);
			CHECK(ois_canon_get(back, r->unit) == NULL);
			json_object_put(back);
			free(body);
			json_object *upd = ois_ia_contact_from_canonical(data, fields);
			CHECK_INT(json_object_object_length(upd), 0);
			json_object_put(upd);
		}
		json_object_put(fields);
		json_object_put(data);
	}
	/* The whole table, both ways, on each side. */
	json_object *ia_want = data_with(NULL);
	for (size_t i = 0; i < NROWS; i++)
		if (!rows[i].ia_how)
			ois_canon_set(ia_want, rows[i].unit, NULL);
	check_same("EWS round trip", "every unit", ews_back, all);
	check_same("Graph round trip", "every unit", graph_back, all);
	check_same("InterAction round trip", "every unit", ia_back, ia_want);
	json_object_put(ia_want);
	json_object_put(ews_back);
	json_object_put(graph_back);
	json_object_put(ia_back);
	free(graph_body_empty);
	json_object_put(all);
	json_object_put(empty);
	free(xml_empty);
	free(body_empty);
}

struct appointment_row {
	const char *unit, *kind;
	int ews;            /* 0: Exchange lacks it */
	int ews_writes;     /* 0: Exchange sets it (order 0) or lacks it: a write never does */
	int graph;          /* 0: Graph lacks it */
	int graph_writes;   /* 0: Graph sets it or lacks it: a write never does */
	const char *ia_key; /* NULL: InterAction lacks it */
};

#undef EWS
#undef NO_EWS
#undef IA
#undef NO_IA
#undef GRAPH
#undef NO_GRAPH
#define EWS(how, name, uri, order) 1, (order) != 0
#define NO_EWS 0, 0
#define GRAPH(how, name, writes) 1, writes
#define NO_GRAPH 0, 0
#define IA(key) key
#define NO_IA NULL
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, #kind, exchange, graph, interaction },
static const struct appointment_row appointment_rows[] = {
#include "appointment_fields.def"
};
#undef OIS_APPOINTMENT_FIELD

/* A value of the row's kind no other row has, as canonical data holds it. */
static json_object *appointment_value(const struct appointment_row *r)
{
	char s[80];
	snprintf(s, sizeof(s), "value of %s", r->unit);
	if (!strcmp(r->kind, "FLAG"))
		return json_object_new_boolean(1);
	if (!strcmp(r->kind, "LIST")) {
		json_object *a = json_object_new_array();
		json_object_array_add(a, json_object_new_string(s));
		return a;
	}
	if (!strcmp(r->kind, "ATTENDEES")) {
		json_object *a = json_object_new_array(), *o = json_object_new_object();
		json_object_object_add(o, "email", json_object_new_string("bob@firm.example"));
		json_object_object_add(o, "name", json_object_new_string(s));
		json_object_object_add(o, "role", json_object_new_string("optional"));
		json_object_array_add(a, o);
		return a;
	}
	if (strcmp(r->kind, "STRING"))
		unit_fail(__FILE__, __LINE__, "appointment field %s: a kind the test does not know: %s", r->unit, r->kind);
	return json_object_new_string(s);
}

/* Each appointment row alone, then all of them, through InterAction's body and back. */
static void test_each_appointment_field_round_trips(void)
{
	json_object *all = json_object_new_object();
	size_t carried = 0;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(appointment_rows); i++) {
		const struct appointment_row *r = &appointment_rows[i];
		if (!strcmp(r->unit, "status"))
			continue; /* the server's own: test_status_is_read_only */
		carried += r->ia_key != NULL;
		json_object *data = json_object_new_object();
		json_object_object_add(data, r->unit, appointment_value(r));
		json_object_object_add(all, r->unit, appointment_value(r));
		json_object *body = ois_ia_appointment_from_canonical(data, NULL);
		json_object *v = NULL;
		/* The row's key carries the value. */
		if (r->ia_key)
			CHECK(json_object_object_get_ex(body, r->ia_key, &v) && !ois_canon_is_empty(v));
		json_object *back = ois_ia_appointment_to_canonical(body);
		if (r->ia_key)
			check_same("InterAction round trip", r->unit, back, data);
		else
			CHECK(!json_object_object_get_ex(back, r->unit, NULL));
		json_object_put(back);
		json_object_put(body);
		json_object_put(data);
	}
	json_object *body = ois_ia_appointment_from_canonical(all, NULL);
	json_object *back = ois_ia_appointment_to_canonical(body);
	check_same("InterAction round trip", "all appointment fields", back, all);
	/* The body holds a key per row InterAction carries and nothing else: a field it lacks is never written. */
	CHECK_INT(json_object_object_length(body), carried);
	json_object_put(back);
	json_object_put(body);
	json_object_put(all);
}

/* InterAction sets status itself (complete, reopen): read, never written; an appointment's is absent. */
static void test_status_is_read_only(void)
{
	json_object *data = json_tokener_parse("{\"status\":\"activity\",\"subject\":\"x\"}");
	json_object *body = ois_ia_appointment_from_canonical(data, NULL);
	CHECK(!json_object_object_get_ex(body, "status", NULL));
	json_object *back = ois_ia_appointment_to_canonical(data);
	CHECK_STR(ois_json_str(back, "status"), "activity");
	json_object_put(back);
	json_object *appt = json_tokener_parse("{\"status\":\"appointment\"}");
	back = ois_ia_appointment_to_canonical(appt);
	CHECK(!json_object_object_get_ex(back, "status", NULL));
	json_object_put(back);
	json_object_put(appt);
	json_object_put(body);
	json_object_put(data);
}

/*
 * Values Exchange checks, by unit: an appointment needs a start, an
 * all-day one dates, show_as one of its words. Every other row takes
 * appointment_value's.
 */
static const struct {
	const char *unit, *data; /* merged into the times every item needs */
} ews_values[] = {
	{ "start", "{\"start\":\"2026-11-10T18:00:00Z\"}" },
	{ "end", "{\"end\":\"2026-11-10T21:00:00Z\"}" },
	/* An all-day event's dates are its zone's (one without a zone is written in UTC, and reads back so). */
	{ "all_day", "{\"all_day\":true,\"start\":\"2026-12-25\",\"end\":\"2026-12-26\",\"time_zone\":\"Australia/Sydney\"}" },
	{ "time_zone", "{\"time_zone\":\"Europe/Berlin\"}" },
	{ "show_as", "{\"show_as\":\"tentative\"}" },
};

#define APPOINTMENT_TIMES "{\"start\":\"2026-11-10T19:00:00Z\",\"end\":\"2026-11-10T20:00:00Z\"}"

/* The times plus the row's value, as data an Exchange item can hold. */
static void ews_data_add(json_object *data, const struct appointment_row *r)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(ews_values); i++)
		if (!strcmp(ews_values[i].unit, r->unit)) {
			json_object *v = json_tokener_parse(ews_values[i].data);
			json_object_object_foreach(v, k, val) json_object_object_add(data, k, json_object_get(val));
			json_object_put(v);
			return;
		}
	json_object_object_add(data, r->unit, appointment_value(r));
}

/*
 * Each appointment row alone, then all of them, through the t:CalendarItem
 * a create writes and back: a row Exchange writes comes back as it was,
 * one it only reads (the organizer, an occurrence's series) or lacks never
 * does.
 */
static void test_each_appointment_field_through_exchange(void)
{
	json_object *all = json_tokener_parse(APPOINTMENT_TIMES), *all_want = json_tokener_parse("{}");
	for (size_t i = 0; i < OIS_ARRAY_SIZE(appointment_rows); i++) {
		const struct appointment_row *r = &appointment_rows[i];
		json_object *data = json_tokener_parse(APPOINTMENT_TIMES);
		ews_data_add(data, r);
		ews_data_add(all, r);
		json_object *native = ois_backend_ews.to_native("appointment", data);
		CHECK(native != NULL);
		json_object *back = ois_backend_ews.map->to_canonical("appointment", native);
		json_object *want = json_tokener_parse("{}");
		json_object_object_foreach(data, k, v) {
			const struct appointment_row *kr = NULL;
			for (size_t j = 0; j < OIS_ARRAY_SIZE(appointment_rows); j++)
				if (!strcmp(appointment_rows[j].unit, k))
					kr = &appointment_rows[j];
			if (kr && kr->ews_writes)
				json_object_object_add(want, k, json_object_get(v));
		}
		check_same("EWS round trip", r->unit, back, want);
		CHECK(r->ews_writes || !json_object_object_get_ex(back, r->unit, NULL));
		json_object_put(want);
		json_object_put(back);
		json_object_put(native);
		json_object_put(data);
	}
	json_object_object_foreach(all, k, v) {
		for (size_t j = 0; j < OIS_ARRAY_SIZE(appointment_rows); j++)
			if (!strcmp(appointment_rows[j].unit, k) && appointment_rows[j].ews_writes)
				json_object_object_add(all_want, k, json_object_get(v));
	}
	json_object *native = ois_backend_ews.to_native("appointment", all);
	json_object *back = native ? ois_backend_ews.map->to_canonical("appointment", native) : NULL;
	check_same("EWS round trip", "all appointment fields", back, all_want);
	json_object_put(back);
	json_object_put(native);
	json_object_put(all_want);
	json_object_put(all);
}

/* What a read of data written through Graph gives: each unit Graph writes; an event written without a zone is UTC's. */
static json_object *graph_want(json_object *data)
{
	json_object *want = json_tokener_parse("{}");
	json_object_object_foreach(data, k, v) {
		for (size_t j = 0; j < OIS_ARRAY_SIZE(appointment_rows); j++)
			if (!strcmp(appointment_rows[j].unit, k) && appointment_rows[j].graph_writes)
				json_object_object_add(want, k, json_object_get(v));
	}
	if (!json_object_object_get_ex(want, "time_zone", NULL))
		json_object_object_add(want, "time_zone", json_object_new_string("Etc/UTC"));
	return want;
}

/*
 * The same through Graph: the body a create sends, as the event a read
 * then returns, and back; and each row's update. A row Graph writes comes
 * back as it was, one it only reads (the organizer, the series, iCalUId,
 * which Graph makes itself) or lacks never does, nor does an update send it.
 */
static void test_each_appointment_field_through_graph(void)
{
	json_object *all = json_tokener_parse(APPOINTMENT_TIMES);
	for (size_t i = 0; i < OIS_ARRAY_SIZE(appointment_rows); i++) {
		const struct appointment_row *r = &appointment_rows[i];
		json_object *data = json_tokener_parse(APPOINTMENT_TIMES);
		ews_data_add(data, r);
		ews_data_add(all, r);
		CHECK(r->graph || !r->graph_writes);
		json_object *native = ois_graph_appointment_to_native(data);
		CHECK(native != NULL);
		json_object *back = ois_graph_appointment_to_canonical(native);
		json_object *want = graph_want(data);
		check_same("Graph round trip", r->unit, back, want);
		CHECK(r->graph_writes || !json_object_object_get_ex(back, r->unit, NULL));
		json_object_put(want);
		json_object_put(back);
		json_object_put(native);

		/* An update names the row's property, and a read of it gives the value (the times: all three). */
		json_object *fields = one_field(r->unit);
		json_object *body = ois_graph_appointment_from_canonical(data, fields);
		CHECK(body != NULL);
		if (body && !r->graph_writes)
			CHECK_INT(json_object_object_length(body), 0);
		if (body && r->graph_writes) {
			CHECK(json_object_object_length(body) > 0);
			json_object *upd = ois_graph_appointment_to_canonical(body);
			if (!json_object_object_get_ex(body, "start", NULL))
				CHECK(ois_canon_unit_equal(upd, data, r->unit));
			json_object_put(upd);
		}
		json_object_put(body);
		json_object_put(fields);
		json_object_put(data);
	}
	json_object *all_want = graph_want(all);
	json_object *native = ois_graph_appointment_to_native(all);
	json_object *back = native ? ois_graph_appointment_to_canonical(native) : NULL;
	check_same("Graph round trip", "all appointment fields", back, all_want);
	json_object_put(back);
	json_object_put(native);
	json_object_put(all_want);
	json_object_put(all);
}

int main(void)
{
	UNIT_RUN(test_table_is_the_unit_list);
	UNIT_RUN(test_each_appointment_field_round_trips);
	UNIT_RUN(test_status_is_read_only);
	UNIT_RUN(test_each_appointment_field_through_exchange);
	UNIT_RUN(test_each_appointment_field_through_graph);
	UNIT_RUN(test_each_field_round_trips);
	UNIT_RUN(test_missing_fields_are_unknown);
	return unit_done();
}
