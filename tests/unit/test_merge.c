/* test_merge.c - the merge decision, table-driven, and a seeded random model of whole syncs. */
#include "unit.h"
#include "../../reconcile/merge.h"
#include "../../reconcile/reconcile.h"
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

/* "action>target fields (lost: conflicts); ..." */
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
		for (size_t j = 0; d->conflicts && j < json_object_array_length(d->conflicts); j++)
			ois_buf_addf(&b, "%s%s", j ? " " : " (lost: ",
				     json_object_get_string(json_object_array_get_idx(d->conflicts, j)));
		if (d->conflicts)
			ois_buf_adds(&b, ")");
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
	  "update>interaction first (lost: first)", "first", "Anne" },
	{ "same field, interaction-wins", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-02T10:00:00Z", "2026-01-01T10:00:00Z" }, { 0 }, { 0 }, IAW,
	  "update>exchange first (lost: first)", "first", "Annie" },
	{ "same field, newest-wins, InterAction newer", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-01T10:00:00Z", "2026-01-01T10:00:00.5Z" }, { 0 }, { 0 }, NEWEST,
	  "update>exchange first (lost: first)", "first", "Annie" },
	{ "same field, newest-wins, Outlook newer", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-03T10:00:00Z", "2026-01-01T10:00:00Z" }, { 0 }, { 0 }, NEWEST,
	  "update>interaction first (lost: first)", "first", "Anne" },
	{ "same field, newest-wins, same time: Outlook", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { "2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z" }, { 0 }, { 0 }, NEWEST,
	  "update>interaction first (lost: first)", "first", "Anne" },
	{ "same field, newest-wins, no times: Outlook", BASE, { U, U },
	  { "{\"first\":\"Anne\",\"last\":\"Lee\",\"company\":\"Acme\",\"birthday\":\"1980-02-03\",\"display\":\"Ann Lee\"}",
	    "{\"first\":\"Annie\",\"last\":\"Lee\",\"company\":\"Acme\"}" },
	  { 0 }, { 0 }, { 0 }, NEWEST, "update>interaction first (lost: first)", "first", "Anne" },
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
	  { 0 }, { 0 }, { 0 }, IAW, "link; update>exchange company (lost: company)", "company", "ACME Inc" },
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

/*
 * phone_format = as-typed: the text each number was typed as travels with
 * the op that writes it, from the side the value came from; it is never
 * compared, so two spellings of one number make no op.
 */
static void test_typed_phones_travel(void)
{
	static const char base[] = "{\"first\":\"Ann\",\"phones\":{\"mobile\":\"+12125550100\"},"
				   "\"phones_typed\":{\"+12125550100\":\"(212) 555-0100\"}}";
	struct ois_merge_out out;
	struct ois_merge_in in = { .kind = "contact", .policy = OIS_NEWEST_WINS, .complete = { 1, 1 } };
	in.base = parse(base);
	/* Outlook changed the mobile, typed its own way; InterAction spells the old one differently. */
	in.seen[OIS_EXCHANGE] = OIS_SEEN_UPSERT;
	in.data[OIS_EXCHANGE] = parse("{\"first\":\"Ann\",\"phones\":{\"mobile\":\"+442079460018\"},"
				      "\"phones_typed\":{\"+442079460018\":\"020 7946 0018\"}}");
	in.seen[OIS_INTERACTION] = OIS_SEEN_UPSERT;
	in.data[OIS_INTERACTION] = parse("{\"first\":\"Ann\",\"phones\":{\"mobile\":\"+12125550100\"},"
					 "\"phones_typed\":{\"+12125550100\":\"212.555.0100\"}}");
	ois_merge(&in, &out);
	char *got = summary(&out);
	CHECK_STR(got, "update>interaction phones.mobile");
	free(got);
	if (out.n == 1)
		CHECK_STR(json_object_to_json_string_ext(ois_json_obj(out.d[0].data, "phones_typed"), JSON_C_TO_STRING_PLAIN),
			  "{\"+442079460018\":\"020 7946 0018\"}");
	ois_merge_out_release(&out);
	json_object_put(in.data[OIS_EXCHANGE]);
	/* Only the spelling differs: nothing to do. */
	in.data[OIS_EXCHANGE] = parse("{\"first\":\"Ann\",\"phones\":{\"mobile\":\"+12125550100\"},"
				      "\"phones_typed\":{\"+12125550100\":\"+1 (212) 555-0100\"}}");
	ois_merge(&in, &out);
	CHECK_INT(out.n, 0);
	ois_merge_out_release(&out);
	/* New on one side: the create carries that side's texts. */
	json_object_put(in.base);
	in.base = NULL;
	in.seen[OIS_INTERACTION] = OIS_SEEN_ABSENT;
	ois_merge(&in, &out);
	CHECK_INT(out.n, 1);
	if (out.n == 1)
		CHECK_STR(json_object_to_json_string_ext(ois_json_obj(out.d[0].data, "phones_typed"), JSON_C_TO_STRING_PLAIN),
			  "{\"+12125550100\":\"+1 (212) 555-0100\"}");
	ois_merge_out_release(&out);
	json_object_put(in.data[OIS_EXCHANGE]);
	json_object_put(in.data[OIS_INTERACTION]);
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

/*
 * A seeded random model of whole syncs (vdirsyncer's SyncMachine): both
 * sides and the pairs live in memory; each round edits, deletes and creates
 * at random on both sides, runs ois_reconcile on what the sides report
 * (full or incremental, sometimes cut before the checkpoint), and applies
 * the ops as apply would. Checked: no lost edit, no duplicate, and in the
 * end both sides equal on what they carry, with a further sync doing nothing.
 */
#define M_MAXI 64
#define M_MAXP 128

struct m_item {
	char id[16];
	int version;
	char modified[32];
	json_object *data;
	int alive;
	int changed;          /* to report in the next incremental stream */
	int paired_at_start;  /* paired when the round began: its edits must flow */
};

struct m_side {
	struct m_item it[M_MAXI];
	int n;
};

struct m_pair {
	char pair_id[40];
	char id[OIS_SIDES][16];  /* "" for none */
	char ver[OIS_SIDES][16];
	json_object *base;
	int alive;
};

struct m_edit {
	int side;
	char id[16];
	const char *unit;
	json_object *value;      /* NULL: cleared */
};

struct model {
	struct m_side side[OIS_SIDES];
	struct m_pair pair[M_MAXP];
	int npairs;
	struct m_edit edit[256];
	int nedits;
	unsigned rnd;
	int clock;
	enum ois_conflict policy;
	int debug;
};

/* Copy src (NULL: "") into a small model buffer of size n. */
static void m_copy(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;
	if (len >= n)
		OIS_BUG("model string too long: %s", src);
	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
}

static unsigned m_rand(struct model *m, unsigned n)
{
	m->rnd = m->rnd * 1103515245u + 12345u;
	return ((m->rnd >> 16) & 0x7fff) % n;
}

static const char *const m_units[] = { "first", "last", "company", "job_title", "notes", "emails.work",
				       "emails.home", "phones.mobile", "phones.home2", "birthday", "display",
				       "categories", "addresses.business", "custom.2" };

static json_object *m_value(struct model *m, const char *unit)
{
	unsigned r = m_rand(m, 6);
	if (r == 0)
		return NULL; /* cleared */
	if (!strcmp(unit, "categories")) {
		json_object *a = json_object_new_array();
		json_object_array_add(a, json_object_new_string(r % 2 ? "Clients" : "Friends"));
		if (r > 3)
			json_object_array_add(a, json_object_new_string("Zeta"));
		return a;
	}
	if (!strcmp(unit, "addresses.business")) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "city", json_object_new_string(r % 2 ? "Rome" : "Oslo"));
		return o;
	}
	if (!strcmp(unit, "birthday"))
		return json_object_new_string(r % 2 ? "1980-01-02" : "1990-03-04");
	char buf[32];
	if (!strncmp(unit, "emails.", 7))
		snprintf(buf, sizeof(buf), "m%u@x.example", m_rand(m, 12));
	else if (!strncmp(unit, "phones.", 7))
		snprintf(buf, sizeof(buf), "+1212555%04u", m_rand(m, 10));
	else
		snprintf(buf, sizeof(buf), "%s-%u", unit, m_rand(m, 5));
	return json_object_new_string(buf);
}

static json_object *m_strip(int side, json_object *data)
{
	if (side == OIS_EXCHANGE) {
		json_object *c = NULL;
		json_object_deep_copy(data, &c, NULL);
		return c;
	}
	return as_interaction(data);
}

static void m_tick(struct model *m, struct m_item *it)
{
	m->clock++;
	snprintf(it->modified, sizeof(it->modified), "2026-01-01T%02d:%02d:%02dZ",
		 (m->clock / 3600) % 24, (m->clock / 60) % 60, m->clock % 60);
	it->version++;
	it->changed = 1;
}

static struct m_item *m_new(struct model *m, int s, json_object *data)
{
	struct m_side *sd = &m->side[s];
	if (sd->n == M_MAXI)
		OIS_BUG("model side full");
	struct m_item *it = &sd->it[sd->n];
	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%c%d", s == OIS_EXCHANGE ? 'e' : 'i', sd->n);
	sd->n++;
	it->data = m_strip(s, data);
	it->alive = 1;
	m_tick(m, it);
	return it;
}

static struct m_item *m_find(struct model *m, int s, const char *id)
{
	for (int i = 0; id && i < m->side[s].n; i++)
		if (!strcmp(m->side[s].it[i].id, id))
			return &m->side[s].it[i];
	return NULL;
}

static struct m_pair *m_pair_of(struct model *m, int s, const char *id)
{
	for (int p = 0; p < m->npairs; p++)
		if (m->pair[p].alive && !strcmp(m->pair[p].id[s], id))
			return &m->pair[p];
	return NULL;
}

static json_object *m_contact(struct model *m)
{
	json_object *d = json_object_new_object();
	char buf[32];
	snprintf(buf, sizeof(buf), "F%u", m_rand(m, 4));
	json_object_object_add(d, "first", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "L%u", m_rand(m, 4));
	json_object_object_add(d, "last", json_object_new_string(buf));
	if (m_rand(m, 2)) {
		json_object *v = m_value(m, "emails.work");
		ois_canon_set(d, "emails.work", v);
		json_object_put(v);
	}
	if (m_rand(m, 2))
		json_object_object_add(d, "birthday", json_object_new_string("1970-05-06"));
	return d;
}

static void m_random_changes(struct model *m)
{
	int k = (int)m_rand(m, 5);
	for (int i = 0; i < k; i++) {
		int s = (int)m_rand(m, 2);
		struct m_side *sd = &m->side[s];
		unsigned what = m_rand(m, 10);
		struct m_item *it = sd->n ? &sd->it[m_rand(m, (unsigned)sd->n)] : NULL;
		if (what < 2 || !it || !it->alive) {
			if (sd->n < M_MAXI - 8) {
				json_object *d = m_contact(m);
				m_new(m, s, d);
				json_object_put(d);
			}
		} else if (what < 3) {
			it->alive = 0; /* deleted by the user */
			m_tick(m, it);
		} else {
			const char *u = m_units[m_rand(m, OIS_ARRAY_SIZE(m_units))];
			if (!ois_canon_side_supports((enum ois_side)s, u))
				continue;
			json_object *v = m_value(m, u);
			ois_canon_set(it->data, u, v);
			m_tick(m, it);
			struct m_edit *e = NULL;
			for (int j = 0; j < m->nedits; j++)
				if (m->edit[j].side == s && !strcmp(m->edit[j].id, it->id) && !strcmp(m->edit[j].unit, u))
					e = &m->edit[j];
			if (!e && m->nedits < (int)OIS_ARRAY_SIZE(m->edit)) {
				e = &m->edit[m->nedits++];
				memset(e, 0, sizeof(*e));
			}
			if (!e) {
				json_object_put(v);
				continue;
			}
			if (e->unit)
				json_object_put(e->value);
			e->side = s;
			m_copy(e->id, sizeof(e->id), it->id);
			e->unit = u;
			e->value = v;
		}
	}
}

static int cmp_mpair(const void *a, const void *b)
{
	return strcmp(((const struct ois_rc_pair *)a)->pair_id, ((const struct ois_rc_pair *)b)->pair_id);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? ois_xstrdup(s) : NULL;
}

/* What extract and transform would hand reconcile this round. */
static void m_input(struct model *m, struct ois_rc_input *in, const int full[OIS_SIDES], const int complete[OIS_SIDES])
{
	memset(in, 0, sizeof(*in));
	in->kind = "contact";
	for (int s = 0; s < OIS_SIDES; s++) {
		struct m_side *sd = &m->side[s];
		in->items[s] = ois_xcalloc((size_t)sd->n + 1, sizeof(struct ois_rc_item));
		for (int i = 0; i < sd->n; i++) {
			struct m_item *it = &sd->it[i];
			int report = full[s] ? it->alive : it->changed;
			if (!complete[s] && m_rand(m, 2))
				report = 0; /* the stream was cut: this one never came */
			if (!report)
				continue;
			struct ois_rc_item *r = &in->items[s][in->nitems[s]];
			r->seq = in->nitems[s]++;
			r->id = ois_xstrdup(it->id);
			if (it->alive) {
				r->version = ois_xasprintf("v%d", it->version);
				r->modified = ois_xstrdup(it->modified);
				r->data = json_object_get(it->data);
			} else
				r->deleted = 1;
		}
		in->complete[s] = complete[s];
		in->full[s] = full[s] && complete[s];
	}
	in->pairs = ois_xcalloc((size_t)m->npairs + 1, sizeof(*in->pairs));
	for (int p = 0; p < m->npairs; p++) {
		struct m_pair *mp = &m->pair[p];
		if (!mp->alive)
			continue;
		struct ois_rc_pair *rp = &in->pairs[in->npairs++];
		rp->pair_id = ois_xstrdup(mp->pair_id);
		for (int s = 0; s < OIS_SIDES; s++) {
			rp->id[s] = dup_or_null(mp->id[s]);
			rp->version[s] = dup_or_null(mp->ver[s]);
		}
		rp->base = json_object_get(mp->base);
		char h[OIS_HASH_LEN];
		ois_json_hash(mp->base, h);
		rp->base_hash = ois_xstrdup(h);
	}
	qsort(in->pairs, in->npairs, sizeof(*in->pairs), cmp_mpair);
	in->first_sync = in->npairs == 0;
	in->settings.conflict = m->policy;
	in->settings.direction = OIS_DIR_BOTH;
	in->settings.sync_private = 1;
	in->settings.mass_delete_percent = 20;
	in->settings.mass_delete_min = 10;
	in->allow_mass_delete = 1;
}

static void m_set(char dst[16], const char *src)
{
	m_copy(dst, 16, src);
}

/* Apply the ops as oisync-apply does: servers first, then fold into the pairs. */
static void m_apply(struct model *m, struct ois_rc_result *res)
{
	int failed[M_MAXP + 64] = { 0 };
	char new_id[M_MAXP + 64][16];
	char new_ver[M_MAXP + 64][16];
	if (res->nops > OIS_ARRAY_SIZE(failed))
		OIS_BUG("too many ops for the model");
	for (size_t i = 0; i < res->nops; i++) {
		json_object *op = res->ops[i].op;
		int t = res->ops[i].target;
		new_id[i][0] = new_ver[i][0] = '\0';
		struct m_item *it = t >= 0 ? m_find(m, t, ois_json_str(op, "id")) : NULL;
		switch (res->ops[i].action) {
		case OIS_ACT_UPDATE: {
			if (!it || !it->alive) {
				failed[i] = 1; /* gone meanwhile: a cut stream hid its delete */
				break;
			}
			char v[16];
			snprintf(v, sizeof(v), "v%d", it->version);
			if (strcmp(v, ois_json_str(op, "if_version"))) {
				failed[i] = 1; /* moved on since read (a cut stream hid it): a conflict, not overwritten */
				break;
			}
			json_object *fields = ois_json_arr(op, "fields"), *data = ois_json_obj(op, "data");
			for (size_t f = 0; f < json_object_array_length(fields); f++) {
				const char *u = json_object_get_string(json_object_array_get_idx(fields, f));
				CHECK(ois_canon_side_supports((enum ois_side)t, u));
				ois_canon_set(it->data, u, ois_canon_get(data, u));
			}
			m_tick(m, it);
			snprintf(new_ver[i], 16, "v%d", it->version);
			break;
		}
		case OIS_ACT_CREATE:
			it = m_new(m, t, ois_json_obj(op, "data"));
			m_set(new_id[i], it->id);
			snprintf(new_ver[i], 16, "v%d", it->version);
			break;
		case OIS_ACT_DELETE:
			if (it && it->alive) {
				it->alive = 0;
				m_tick(m, it);
			}
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < res->nops; i++) {
		if (!failed[i])
			continue;
		for (size_t j = 0; j < res->nops; j++)
			if (!strcmp(res->ops[j].pair_id, res->ops[i].pair_id))
				failed[j] |= 2; /* the pair's base must not move */
	}
	for (size_t i = 0; i < res->nops; i++) {
		json_object *op = res->ops[i].op;
		struct m_pair *mp = NULL;
		for (int p = 0; p < m->npairs; p++)
			if (m->pair[p].alive && !strcmp(m->pair[p].pair_id, res->ops[i].pair_id))
				mp = &m->pair[p];
		if (res->ops[i].action == OIS_ACT_DELETE || res->ops[i].action == OIS_ACT_UNLINK) {
			if (mp) {
				mp->alive = 0;
				json_object_put(mp->base);
				mp->base = NULL;
			}
			continue;
		}
		if (!mp) {
			if (failed[i])
				continue;
			if (m->npairs == M_MAXP)
				OIS_BUG("model pairs full");
			mp = &m->pair[m->npairs++];
			memset(mp, 0, sizeof(*mp));
			m_copy(mp->pair_id, sizeof(mp->pair_id), res->ops[i].pair_id);
			mp->alive = 1;
		}
		/* What reconcile knew of both sides first, then what the servers answered, so a later op of
		 * the pair does not put back a version an earlier op replaced. */
		json_object *ids = ois_json_obj(op, "ids"), *vers = ois_json_obj(op, "versions");
		for (int s = 0; s < OIS_SIDES; s++) {
			m_set(mp->id[s], ois_json_str(ids, ois_side_name((enum ois_side)s)));
			m_set(mp->ver[s], ois_json_str(vers, ois_side_name((enum ois_side)s)));
		}
		for (size_t j = 0; j < res->nops; j++) {
			int t = res->ops[j].target;
			if (t < 0 || strcmp(res->ops[j].pair_id, res->ops[i].pair_id))
				continue;
			if (new_id[j][0])
				m_set(mp->id[t], new_id[j]);
			if (new_ver[j][0])
				m_set(mp->ver[t], new_ver[j]);
		}
		if (!failed[i]) {
			json_object_put(mp->base);
			mp->base = NULL; /* deep_copy refuses a non-NULL destination */
			json_object_deep_copy(ois_json_obj(op, "data"), &mp->base, NULL);
		}
	}
}

/* One sync; returns the number of ops. */
static size_t m_sync(struct model *m, const int full[OIS_SIDES], const int complete[OIS_SIDES])
{
	struct ois_rc_input in;
	struct ois_rc_result res;
	m_input(m, &in, full, complete);
	ois_reconcile(&in, &res);
	if (m->debug) {
		fprintf(stderr, "# sync full=%d,%d complete=%d,%d\n", full[0], full[1], complete[0], complete[1]);
		for (int s = 0; s < OIS_SIDES; s++)
			for (size_t i = 0; i < in.nitems[s]; i++)
				fprintf(stderr, "#  in %s %s\n", in.items[s][i].id,
					in.items[s][i].data ? json_object_to_json_string(in.items[s][i].data) : "deleted");
		for (size_t i = 0; i < res.nops; i++)
			fprintf(stderr, "#  op %s\n", json_object_to_json_string(res.ops[i].op));
	}
	m_apply(m, &res);
	size_t n = res.nops;
	ois_rc_result_release(&res);
	ois_rc_input_release(&in);
	/* A side whose checkpoint was read and committed reports only newer changes next time. */
	for (int s = 0; s < OIS_SIDES; s++)
		if (complete[s])
			for (int i = 0; i < m->side[s].n; i++)
				m->side[s].it[i].changed = 0;
	return n;
}

static int m_check_edits(struct model *m, unsigned seed, int round)
{
	int bad = 0;
	for (int e = 0; e < m->nedits; e++) {
		struct m_edit *ed = &m->edit[e];
		struct m_item *it = m_find(m, ed->side, ed->id);
		if (!it->alive || !it->paired_at_start)
			continue;
		struct m_pair *mp = m_pair_of(m, ed->side, ed->id);
		if (!mp) {
			unit_fail(__FILE__, __LINE__, "seed %u round %d: %s lost its pair", seed, round, ed->id);
			return 1;
		}
		struct m_item *twin = m_find(m, !ed->side, mp->id[!ed->side]);
		int contested = 0;
		for (int f = 0; f < m->nedits; f++)
			if (m->edit[f].side != ed->side && twin && !strcmp(m->edit[f].id, twin->id) &&
			    !strcmp(m->edit[f].unit, ed->unit))
				contested = 1;
		if (contested)
			continue;
		json_object *want = ed->value;
		if (!ois_canon_unit_equal(it->data, NULL, ed->unit) || want) {
			json_object *got = ois_canon_get(it->data, ed->unit);
			if (!(got == want || (got && want && ois_json_equal(got, want)))) {
				unit_fail(__FILE__, __LINE__, "seed %u round %d: edit of %s on %s overwritten", seed, round,
					  ed->unit, ed->id);
				bad = 1;
			}
		}
		if (!twin || !twin->alive) {
			unit_fail(__FILE__, __LINE__, "seed %u round %d: twin of edited %s gone", seed, round, ed->id);
			bad = 1;
			continue;
		}
		if (!ois_canon_side_supports((enum ois_side)!ed->side, ed->unit))
			continue;
		json_object *got = ois_canon_get(twin->data, ed->unit);
		if (!(got == want || (got && want && ois_json_equal(got, want)))) {
			unit_fail(__FILE__, __LINE__, "seed %u round %d: edit of %s on %s lost on %s: got %s want %s", seed,
				  round, ed->unit, ed->id, twin->id, got ? json_object_get_string(got) : "(none)",
				  want ? json_object_get_string(want) : "(none)");
			bad = 1;
		}
	}
	return bad;
}

static int m_check_converged(struct model *m, unsigned seed)
{
	int alive[OIS_SIDES] = { 0, 0 }, pairs = 0;
	for (int s = 0; s < OIS_SIDES; s++)
		for (int i = 0; i < m->side[s].n; i++) {
			struct m_item *it = &m->side[s].it[i];
			if (!it->alive)
				continue;
			alive[s]++;
			int n = 0;
			for (int p = 0; p < m->npairs; p++)
				n += m->pair[p].alive && !strcmp(m->pair[p].id[s], it->id);
			if (n != 1) {
				unit_fail(__FILE__, __LINE__, "seed %u: %s in %d pairs", seed, it->id, n);
				return 1;
			}
		}
	for (int p = 0; p < m->npairs; p++) {
		if (!m->pair[p].alive)
			continue;
		pairs++;
		struct m_item *a = m_find(m, OIS_EXCHANGE, m->pair[p].id[0]), *b = m_find(m, OIS_INTERACTION, m->pair[p].id[1]);
		if (!a || !b || !a->alive || !b->alive) {
			unit_fail(__FILE__, __LINE__, "seed %u: pair %s has a dead side", seed, m->pair[p].pair_id);
			return 1;
		}
		json_object *ia = as_interaction(a->data);
		if (!ois_json_equal(ia, b->data)) {
			unit_fail(__FILE__, __LINE__, "seed %u: %s and %s differ:\n#   %s\n#   %s", seed, a->id, b->id,
				  json_object_to_json_string(ia), json_object_to_json_string(b->data));
			json_object_put(ia);
			return 1;
		}
		json_object_put(ia);
	}
	if (alive[0] != pairs || alive[1] != pairs) {
		unit_fail(__FILE__, __LINE__, "seed %u: %d/%d items for %d pairs", seed, alive[0], alive[1], pairs);
		return 1;
	}
	return 0;
}

static void m_release(struct model *m)
{
	for (int s = 0; s < OIS_SIDES; s++)
		for (int i = 0; i < m->side[s].n; i++)
			json_object_put(m->side[s].it[i].data);
	for (int p = 0; p < m->npairs; p++)
		json_object_put(m->pair[p].base);
	for (int e = 0; e < m->nedits; e++)
		json_object_put(m->edit[e].value);
}

static void m_clear_edits(struct model *m)
{
	for (int e = 0; e < m->nedits; e++)
		json_object_put(m->edit[e].value);
	m->nedits = 0;
}

static void test_model(void)
{
	static const enum ois_conflict policies[] = { OIS_NEWEST_WINS, OIS_EXCHANGE_WINS, OIS_INTERACTION_WINS };
	int failures = 0;
	ois_log_set_verbosity(-1); /* skipped creates are expected here: keep the output quiet */
	for (unsigned seed = 1; seed <= 500 && failures < 3; seed++) {
		struct model *m = ois_xcalloc(1, sizeof(*m));
		m->rnd = seed;
		m->policy = policies[seed % 3];
		m->debug = getenv("MODEL_SEED") && (unsigned)atoi(getenv("MODEL_SEED")) == seed;
		for (int i = 0, n = (int)m_rand(m, 6); i < n; i++) {
			json_object *d = m_contact(m);
			m_new(m, (int)m_rand(m, 2), d);
			json_object_put(d);
		}
		int bad = 0;
		for (int round = 0; round < 8 && !bad; round++) {
			for (int s = 0; s < OIS_SIDES; s++)
				for (int i = 0; i < m->side[s].n; i++)
					m->side[s].it[i].paired_at_start = m_pair_of(m, s, m->side[s].it[i].id) != NULL;
			m_random_changes(m);
			int full[OIS_SIDES] = { (int)m_rand(m, 2), (int)m_rand(m, 2) };
			int complete[OIS_SIDES] = { m_rand(m, 5) != 0, m_rand(m, 5) != 0 };
			m_sync(m, full, complete);
			if (complete[0] && complete[1])
				bad |= m_check_edits(m, seed, round);
			m_clear_edits(m);
		}
		/* Quiet rounds: everything settles, then a sync finds nothing to do. */
		const int all[OIS_SIDES] = { 1, 1 };
		for (int q = 0; q < 3 && !bad; q++)
			m_sync(m, (const int[OIS_SIDES]){ q == 0, q == 0 }, all);
		if (!bad) {
			size_t again = m_sync(m, all, all);
			if (again) {
				unit_fail(__FILE__, __LINE__, "seed %u: %zu ops after convergence", seed, again);
				bad = 1;
			}
		}
		if (!bad)
			bad = m_check_converged(m, seed);
		failures += bad;
		m_release(m);
		free(m);
	}
	ois_log_set_verbosity(0);
}

/* The same input twice gives the same ops, ids and order. */
static void test_determinism(void)
{
	char *text[2] = { NULL, NULL };
	for (int run = 0; run < 2; run++) {
		struct model *m = ois_xcalloc(1, sizeof(*m));
		m->rnd = 42;
		m->policy = OIS_NEWEST_WINS;
		for (int i = 0; i < 12; i++) {
			json_object *d = m_contact(m);
			m_new(m, i % 2, d);
			json_object_put(d);
		}
		const int all[OIS_SIDES] = { 1, 1 };
		m_sync(m, all, all);
		m_random_changes(m);
		m_random_changes(m);
		struct ois_rc_input in;
		struct ois_rc_result res;
		m_input(m, &in, all, all);
		ois_reconcile(&in, &res);
		struct ois_buf b = OIS_BUF_INIT;
		ois_buf_adds(&b, "");
		for (size_t i = 0; i < res.nops; i++)
			ois_buf_addf(&b, "%s\n", json_object_to_json_string_ext(res.ops[i].op, JSON_C_TO_STRING_PLAIN));
		text[run] = ois_buf_detach(&b, NULL);
		ois_rc_result_release(&res);
		ois_rc_input_release(&in);
		m_clear_edits(m);
		m_release(m);
		free(m);
	}
	CHECK(strlen(text[0]) > 0);
	CHECK_STR(text[0], text[1]);
	free(text[0]);
	free(text[1]);
}

int main(void)
{
	ois_log_init("test_merge");
	UNIT_RUN(test_merge_cases);
	UNIT_RUN(test_idempotence);
	UNIT_RUN(test_winner);
	UNIT_RUN(test_typed_phones_travel);
	UNIT_RUN(test_determinism);
	UNIT_RUN(test_model);
	return unit_done();
}
