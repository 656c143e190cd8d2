/* test_merge.c - the merge decision, table-driven, and a seeded random model of whole syncs. */
#include "unit.h"
#include "../../reconcile/merge.h"
#include "buf.h"
#include "canon_fields.h"
#include "canonjson.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

enum { B = OIS_SEEN_BASE, U = OIS_SEEN_UPSERT, D = OIS_SEEN_DELETED, A = OIS_SEEN_ABSENT };
#define NEWEST OIS_NEWEST_WINS
#define EXW OIS_EXCHANGE_WINS
#define IAW OIS_INTERACTION_WINS

static const char BASE[] = "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\","
			   "\"display\":\"Ann Lee\",\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],"
			   "\"phones\":{\"mobile\":\"+12125550100\"}}";
/* What InterAction shows of BASE: no display, no birthday. */
static const char BASE_IA[] = "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\","
			      "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],"
			      "\"phones\":{\"mobile\":\"+12125550100\"}}";

struct mcase {
	const char *name;
	const char *base;                 /* NULL: not paired */
	int seen[OIS_SIDES];
	const char *data[OIS_SIDES];
	const char *modified[OIS_SIDES];
	int moved[OIS_SIDES];
	int incomplete[OIS_SIDES];        /* 1: that side's checkpoint was not read */
	enum ois_conflict policy;
	const char *want;                 /* summary of the decisions */
	const char *want_unit, *want_value; /* optional: a unit of the first decision's data */
};

/* "action>target fields; ..." */
static char *summary(const struct ois_merge_out *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "");
	for (size_t i = 0; i < out->n; i++) {
		const struct ois_decision *d = &out->d[i];
		ois_buf_addf(&b, "%s%s", i ? "; " : "", ois_action_name(d->action));
		if (d->target >= 0)
			ois_buf_addf(&b, ">%s", ois_side_name((enum ois_side)d->target));
		for (size_t j = 0; d->fields && j < json_object_array_length(d->fields); j++)
			ois_buf_addf(&b, " %s", json_object_get_string(json_object_array_get_idx(d->fields, j)));
	}
	return ois_buf_detach(&b, NULL);
}

static json_object *parse(const char *s)
{
	return s ? json_tokener_parse(s) : NULL;
}

static void run_case(const struct mcase *c, struct ois_merge_out *out, json_object *keep[3])
{
	struct ois_merge_in in = { .kind = "contact", .policy = c->policy };
	keep[0] = in.base = parse(c->base);
	for (int s = 0; s < OIS_SIDES; s++) {
		in.seen[s] = (enum ois_seen)c->seen[s];
		keep[1 + s] = in.data[s] = parse(c->data[s]);
		in.modified[s] = c->modified[s];
		in.version_moved[s] = c->moved[s];
		in.complete[s] = !c->incomplete[s];
	}
	ois_merge(&in, out);
}

static const struct mcase cases[] = {
	{ "both unchanged", BASE, { B, B }, { 0 }, { 0 }, { 0 }, { 0 }, NEWEST, "", 0, 0 },
	{ "both reported, unchanged", BASE, { U, U }, { BASE, BASE_IA }, { 0 }, { 0 }, { 0 }, NEWEST, "", 0, 0 },
	{ "different fields on both sides keep both edits", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\","
	    "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],\"phones\":{\"mobile\":\"+12125550100\"}}",
	    "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],"
	    "\"phones\":{\"mobile\":\"+12125550199\"}}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "update>exchange phones.mobile; update>interaction first", "first", "Anne" },
	{ "same field, exchange-wins", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z" }, { 0 }, { 0 }, EXW,
	  "update>interaction first", "first", "Anne" },
	{ "same field, interaction-wins", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-02T10:00:00Z", "2026-01-01T10:00:00Z" }, { 0 }, { 0 }, IAW,
	  "update>exchange first", "first", "Annie" },
	{ "same field, newest-wins, InterAction newer", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-01T10:00:00Z", "2026-01-01T10:00:00.5Z" }, { 0 }, { 0 }, NEWEST,
	  "update>exchange first", "first", "Annie" },
	{ "same field, newest-wins, Outlook newer", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-03T10:00:00Z", "2026-01-01T10:00:00Z" }, { 0 }, { 0 }, NEWEST,
	  "update>interaction first", "first", "Anne" },
	{ "same field, newest-wins, same time: Outlook", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z" }, { 0 }, { 0 }, NEWEST,
	  "update>interaction first", "first", "Anne" },
	{ "same field, newest-wins, no times: Outlook", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "update>interaction first", "first", "Anne" },
	{ "same edit on both sides refreshes the base", BASE, { U, U },
	  { "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme Corp\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\","
	    "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],\"phones\":{\"mobile\":\"+12125550100\"}}",
	    "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme Corp\",\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],"
	    "\"phones\":{\"mobile\":\"+12125550100\"}}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "link", "company", "Acme Corp" },
	{ "a moved version alone is recorded", BASE, { B, U }, { NULL, BASE_IA }, { 0 }, { 0, 1 }, { 0 }, NEWEST, "link", 0, 0 },
	{ "edit in InterAction vs delete in Outlook keeps the edit", BASE, { D, U },
	  { NULL, "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"job_title\":\"CFO\"}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "create>exchange", "job_title", "CFO" },
	{ "edit in Outlook vs delete in InterAction keeps the edit", BASE, { U, D },
	  { "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"job_title\":\"CFO\"}", NULL },
	  { 0 }, { 0 }, { 0 }, NEWEST, "create>interaction", "job_title", "CFO" },
	{ "edit-vs-delete keeps what InterAction does not carry", BASE, { D, U },
	  { NULL, "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"job_title\":\"CFO\"}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "create>exchange", "birthday", "1980-02-03" },
	{ "both deleted: unlink", BASE, { D, D }, { 0 }, { 0 }, { 0 }, { 0 }, NEWEST, "unlink", 0, 0 },
	{ "deleted in Outlook, unchanged in InterAction", BASE, { D, B }, { 0 }, { 0 }, { 0 }, { 0 }, NEWEST,
	  "delete>interaction", 0, 0 },
	{ "deleted in InterAction, reported unchanged in Outlook", BASE, { U, D }, { BASE, NULL }, { 0 }, { 0 }, { 0 }, NEWEST,
	  "delete>exchange", 0, 0 },
	{ "delete without the deleting side's checkpoint is ignored", BASE, { D, B }, { 0 }, { 0 }, { 0 }, { 1, 0 }, NEWEST,
	  "", 0, 0 },
	{ "birthday unknown in InterAction never looks deleted", BASE, { B, U }, { NULL, BASE_IA }, { 0 }, { 0 }, { 0 }, NEWEST,
	  "", 0, 0 },
	{ "birthday absent in InterAction while Outlook edits another field", BASE, { U, U },
	  { "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\","
	    "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],\"phones\":{\"mobile\":\"+12125550100\"},\"web\":\"w\"}",
	    BASE_IA }, { 0 }, { 0 }, { 0 }, NEWEST, "update>interaction web", "birthday", "1980-02-03" },
	{ "birthday changed in Outlook: nothing to write, base refreshed", BASE, { U, B },
	  { "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1981-02-03\",\"display\":\"Ann Lee\","
	    "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],\"phones\":{\"mobile\":\"+12125550100\"}}", NULL },
	  { 0 }, { 0 }, { 0 }, NEWEST, "link", "birthday", "1981-02-03" },
	{ "new in Outlook", NULL, { U, A }, { BASE, NULL }, { 0 }, { 0 }, { 0 }, NEWEST, "create>interaction", "first", "Ann" },
	{ "new in InterAction", NULL, { A, U }, { NULL, BASE_IA }, { 0 }, { 0 }, { 0 }, NEWEST, "create>exchange", "first", "Ann" },
	{ "new in Outlook, InterAction not read to the end", NULL, { U, A }, { BASE, NULL }, { 0 }, { 0 }, { 0, 1 }, NEWEST, "", 0, 0 },
	{ "unknown delete is ignored", NULL, { D, A }, { 0 }, { 0 }, { 0 }, { 0 }, NEWEST, "", 0, 0 },
	{ "matched items merge without base", NULL, { U, U },
	  { BASE, "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\",\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}],"
		  "\"phones\":{\"home\":\"+12125550111\"}}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "link; update>exchange phones.home; update>interaction phones.mobile", "phones.home", "+12125550111" },
	{ "matched items conflict", NULL, { U, U },
	  { "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"Acme\"}", "{\"first\":\"Ann\",\"last\":\"Lee\",\"company\":\"ACME Inc\"}" },
	  { 0 }, { 0 }, { 0 }, IAW, "link; update>exchange company", "company", "ACME Inc" },
	{ "pair with no item on one side: create it", BASE, { B, A }, { 0 }, { 0 }, { 0 }, { 0 }, NEWEST, "create>interaction", "first", "Ann" },
};

static void test_merge_cases(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const struct mcase *c = &cases[i];
		struct ois_merge_out out;
		json_object *keep[3];
		run_case(c, &out, keep);
		char *got = summary(&out);
		if (strcmp(got, c->want))
			unit_fail(__FILE__, __LINE__, "%s\n#   got:  \"%s\"\n#   want: \"%s\"", c->name, got, c->want);
		if (c->want_unit) {
			json_object *v = out.n ? ois_canon_get(out.d[0].data, c->want_unit) : NULL;
			const char *gv = v ? json_object_get_string(v) : "(none)";
			if (strcmp(gv, c->want_value))
				unit_fail(__FILE__, __LINE__, "%s: %s\n#   got:  \"%s\"\n#   want: \"%s\"", c->name,
					  c->want_unit, gv, c->want_value);
		}
		/* Every op says why. */
		for (size_t j = 0; j < out.n; j++)
			CHECK(out.d[j].reason && *out.d[j].reason);
		free(got);
		ois_merge_out_release(&out);
		for (int k = 0; k < 3; k++)
			json_object_put(keep[k]);
	}
}

/* What InterAction keeps of data: the units it carries. */
static json_object *as_interaction(json_object *data)
{
	json_object *c = json_object_new_object();
	const char *const *u = ois_canon_units("contact");
	for (size_t i = 0; u[i]; i++)
		if (ois_canon_side_supports(OIS_INTERACTION, u[i]))
			ois_canon_set(c, u[i], ois_canon_get(data, u[i]));
	return c;
}

/* Feeding the merged result on both sides, with it as the base, gives no ops. */
static void test_idempotence(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		struct ois_merge_out out;
		json_object *keep[3];
		run_case(&cases[i], &out, keep);
		json_object *m = NULL;
		for (size_t j = 0; j < out.n; j++)
			if (out.d[j].data && out.d[j].action != OIS_ACT_CREATE)
				m = out.d[j].data;
		if (m) {
			json_object *ia = as_interaction(m);
			struct ois_merge_in again = { .kind = "contact", .base = m, .seen = { OIS_SEEN_UPSERT, OIS_SEEN_UPSERT }, .data = { m, ia },
						      .complete = { 1, 1 }, .policy = cases[i].policy };
			struct ois_merge_out out2;
			ois_merge(&again, &out2);
			char *got = summary(&out2);
			if (*got)
				unit_fail(__FILE__, __LINE__, "%s: second sync\n#   got:  \"%s\"\n#   want: \"\"", cases[i].name, got);
			free(got);
			ois_merge_out_release(&out2);
			json_object_put(ia);
		}
		ois_merge_out_release(&out);
		for (int k = 0; k < 3; k++)
			json_object_put(keep[k]);
	}
}

static void test_winner(void)
{
	const char *t[2] = { "2026-01-01T00:00:00.25Z", "2026-01-01T00:00:00.3Z" };
	CHECK_INT(ois_merge_winner(OIS_NEWEST_WINS, t), OIS_INTERACTION);
	const char *t2[2] = { "2026-01-01T00:00:01Z", "2026-01-01T00:00:00.999Z" };
	CHECK_INT(ois_merge_winner(OIS_NEWEST_WINS, t2), OIS_EXCHANGE);
	const char *t3[2] = { NULL, "2026-01-01T00:00:00Z" };
	CHECK_INT(ois_merge_winner(OIS_NEWEST_WINS, t3), OIS_EXCHANGE);
	CHECK_INT(ois_merge_winner(OIS_INTERACTION_WINS, t3), OIS_INTERACTION);
}

int main(void)
{
	ois_log_init("test_merge");
	UNIT_RUN(test_merge_cases);
	UNIT_RUN(test_idempotence);
	UNIT_RUN(test_winner);
	return unit_done();
}
