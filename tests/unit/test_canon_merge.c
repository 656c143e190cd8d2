/* test_canon_merge.c - the no-base merge over whole data objects, as apply merges an adopted firm contact. */
#include "unit.h"
#include "buf.h"
#include "canon_merge.h"
#include "canonjson.h"

#include <stdlib.h>

struct m2case {
	const char *name;
	const char *ex, *ia;
	enum ois_side winner;
	const char *want_data;               /* canonical text */
	const char *want_fields[OIS_SIDES];  /* canonical text of the arrays, NULL: none */
	const char *want_conflicts;          /* canonical text, NULL: none */
};

static const struct m2case cases[] = {
	{ "equal data: nothing to write", "{\"first\":\"Ann\",\"last\":\"Lee\"}", "{\"first\":\"Ann\",\"last\":\"Lee\"}",
	  OIS_EXCHANGE, "{\"first\":\"Ann\",\"last\":\"Lee\"}", { NULL, NULL }, NULL },
	{ "a value only one side has is kept and flows to the other",
	  "{\"last\":\"Lee\",\"job_title\":\"CFO\"}", "{\"last\":\"Lee\",\"phones\":{\"mobile\":\"+12125550100\"}}",
	  OIS_INTERACTION, "{\"job_title\":\"CFO\",\"last\":\"Lee\",\"phones\":{\"mobile\":\"+12125550100\"}}",
	  { "[\"phones.mobile\"]", "[\"job_title\"]" }, NULL },
	{ "different values: Outlook wins, InterAction is written",
	  "{\"last\":\"Lee\",\"company\":\"Acme\"}", "{\"last\":\"Lee\",\"company\":\"Initech\"}", OIS_EXCHANGE,
	  "{\"company\":\"Acme\",\"last\":\"Lee\"}", { NULL, "[\"company\"]" }, "[\"company\"]" },
	{ "different values: InterAction wins, Outlook is written",
	  "{\"last\":\"Lee\",\"company\":\"Acme\",\"first\":\"Ann\"}", "{\"last\":\"Lee\",\"company\":\"Initech\",\"first\":\"Anne\"}",
	  OIS_INTERACTION, "{\"company\":\"Initech\",\"first\":\"Anne\",\"last\":\"Lee\"}",
	  { "[\"first\",\"company\"]", NULL }, "[\"first\",\"company\"]" },
	{ "a unit InterAction does not carry keeps Outlook's value and is no conflict",
	  "{\"last\":\"Lee\",\"birthday\":\"1980-02-03\"}", "{\"last\":\"Lee\"}", OIS_INTERACTION,
	  "{\"birthday\":\"1980-02-03\",\"last\":\"Lee\"}", { NULL, NULL }, NULL },
};

static char *text(json_object *o)
{
	if (!o)
		return NULL;
	struct ois_buf b = OIS_BUF_INIT;
	ois_json_canonical(o, &b);
	return ois_buf_detach(&b, NULL);
}

static void check_text(const char *name, const char *what, json_object *got, const char *want)
{
	char *g = text(got);
	if (!(g == want || (g && want && !strcmp(g, want))))
		unit_fail(__FILE__, __LINE__, "%s: %s\n#   got:  %s\n#   want: %s", name, what, g ? g : "(none)",
			  want ? want : "(none)");
	free(g);
}

static void test_merge2_data(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct m2case *c = &cases[i];
		json_object *data[OIS_SIDES] = { json_tokener_parse(c->ex), json_tokener_parse(c->ia) };
		struct ois_merge2 m;
		ois_merge2_data("contact", data, c->winner, &m);
		check_text(c->name, "data", m.data, c->want_data);
		check_text(c->name, "exchange fields", m.fields[OIS_EXCHANGE], c->want_fields[OIS_EXCHANGE]);
		check_text(c->name, "interaction fields", m.fields[OIS_INTERACTION], c->want_fields[OIS_INTERACTION]);
		check_text(c->name, "conflicts", m.conflicts, c->want_conflicts);
		CHECK_INT(m.winner, c->winner);
		ois_merge2_release(&m);
		json_object_put(data[0]);
		json_object_put(data[1]);
	}
}

/* Merging the result with either side's write applied gives nothing more to do: the next run is quiet. */
static void test_merge2_settles(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct m2case *c = &cases[i];
		json_object *data[OIS_SIDES] = { json_tokener_parse(c->ex), json_tokener_parse(c->ia) };
		struct ois_merge2 m, again;
		ois_merge2_data("contact", data, c->winner, &m);
		json_object *both[OIS_SIDES] = { m.data, m.data };
		ois_merge2_data("contact", both, c->winner, &again);
		CHECK(!again.fields[OIS_EXCHANGE] && !again.fields[OIS_INTERACTION] && !again.conflicts);
		ois_merge2_release(&again);
		ois_merge2_release(&m);
		json_object_put(data[0]);
		json_object_put(data[1]);
	}
}

static void test_winner(void)
{
	const char *t[OIS_SIDES] = { "2026-11-24T10:00:00Z", "2026-11-24T10:00:00.5Z" };
	CHECK_INT(ois_merge_winner(OIS_NEWEST_WINS, t), OIS_INTERACTION);
	const char *none[OIS_SIDES] = { NULL, "2026-11-24T10:00:00Z" };
	CHECK_INT(ois_merge_winner(OIS_NEWEST_WINS, none), OIS_EXCHANGE);
	CHECK_INT(ois_merge_winner(OIS_EXCHANGE_WINS, t), OIS_EXCHANGE);
	CHECK_INT(ois_merge_winner(OIS_INTERACTION_WINS, none), OIS_INTERACTION);
}

int main(void)
{
	UNIT_RUN(test_merge2_data);
	UNIT_RUN(test_merge2_settles);
	UNIT_RUN(test_winner);
	return unit_done();
}
