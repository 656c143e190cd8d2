/* main.c - oisync-reconcile: canonical records of both sides + the account's state in, a change set out. */
#include "calendar_token.h"
#include "canonjson.h"
#include "cli.h"
#include "code.h"
#include "config.h"
#include "json_scan.h"
#include "jsonl.h"
#include "log.h"
#include "op.h"
#include "reconcile.h"
#include "record.h"
#include "rfc3339.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define PROG "oisync-reconcile"

static const char usage_text[] =
	"usage: " PROG " [options] [FILE...]\n"
	"\n"
	"Read the canonical records of both sides of one account (oisync-transform's\n"
	"output) from the FILEs or stdin, and the account's state, and write the\n"
	"change set that brings both sides in step. Nothing is changed anywhere.\n"
	"\n"
	"  -s, --state DIR        state folder (default: the configuration's state_dir)\n"
	"      --server NAME      Exchange server the account lives on (default: the user's)\n"
	"  -a, --account SMTP     mailbox (default: the records' \"account\")\n"
	"  -u, --user ID          InterAction user (default: the records' \"user\")\n"
	"  -c, --config FILE      configuration (default $OISYNC_CONF, /etc/oisync/oisync.conf;\n"
	"                         none: built-in defaults)\n"
	"      --conflict POLICY  newest-wins, exchange-wins or interaction-wins\n"
	"      --allow-mass-delete  write deletes past the mass-delete guard\n"
	"      --now TIME         the change set's \"created\" (RFC 3339), for tests\n"
	"      --max-line BYTES   longest input line accepted (default 16777216)\n"
	"      --stats            print the pairs read from the state, of how many, at the end\n"
	"  -v, --verbose          more messages (repeat for debug)\n"
	"      --log-format F     text (default) or json\n"
	"  -h, --help             this text\n"
	"  -V, --version          print the version\n";

enum { OPT_SERVER = 0x100, OPT_CONFLICT, OPT_ALLOW, OPT_NOW, OPT_MAX_LINE, OPT_STATS };

struct options {
	const char *state_dir, *server, *account, *user, *config_path, *now;
	int conflict;          /* -1: from the settings */
	int allow_mass_delete;
	int stats;
	size_t max_line;
};

/* What is reconciled: each kind on its own, with its own pairs, folder and checkpoints. */
enum kind { CONTACTS, CALENDAR, KINDS };
static const char *const kind_names[KINDS] = { "contact", "appointment" };
static const char *const kind_folders[KINDS] = { "contacts", "calendar" };

/* Everything read from the input; one account's worth, all in memory. */
struct input {
	char *account;
	char *user;
	char *sync_id;         /* the exchange side's syncinfo, NULL when none */
	long generation;       /* the state's, which the change set is bound to */
	long exchange_cp_generation; /* the generation that committed the Exchange contacts checkpoint */
	json_object *unrecorded_creates; /* op id -> create op that may have reached its server unrecorded */
	size_t pairs_read[KINDS];   /* pairs read from the state and held, for --stats */
	size_t pairs_settled[KINDS]; /* pairs compared and passed over (settled()), for --stats */
	json_object **checkpoints;
	size_t ncheckpoints, alloc_checkpoints;
	size_t alloc_items[KINDS][OIS_SIDES];
	size_t seq;
	struct ois_rc_input rc[KINDS];
};


/* -1 to go on, else the exit status (0 after --help or --version). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "account", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "config", required_argument, NULL, 'c' },
		{ "conflict", required_argument, NULL, OPT_CONFLICT },
		{ "allow-mass-delete", no_argument, NULL, OPT_ALLOW },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "max-line", required_argument, NULL, OPT_MAX_LINE },
		{ "stats", no_argument, NULL, OPT_STATS },
		OIS_CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;
	while ((c = getopt_long(argc, argv, "s:a:u:c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->state_dir = optarg; break;
		case OPT_SERVER: o->server = optarg; break;
		case 'a': o->account = optarg; break;
		case 'u': o->user = optarg; break;
		case 'c': o->config_path = optarg; break;
		case OPT_ALLOW: o->allow_mass_delete = 1; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_CONFLICT:
			/* The words of the conflict key of oisync.conf(5). */
			if ((o->conflict = ois_conflict_parse(optarg)) < 0) {
				ois_error("--conflict must be newest-wins, exchange-wins or interaction-wins, not '%s'", optarg);
				return EX_USAGE;
			}
			break;
		case OPT_NOW:
			if (ois_time_parse(optarg, 0, &(time_t){ 0 })) {
				ois_error("--now needs an RFC 3339 time such as 2026-11-24T10:00:00Z, not '%s'", optarg);
				return EX_USAGE;
			}
			o->now = optarg;
			break;
		case OPT_MAX_LINE:
			if (ois_cli_parse_size("--max-line", optarg, &o->max_line))
				return EX_USAGE;
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': ois_cli_version(PROG); return 0;
		default:
			rc = ois_cli_common(c, optarg);
			if (rc == 1)
				break;
			if (rc == 0)
				fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
	return -1;
}

static char *dup_str(json_object *rec, const char *key)
{
	const char *s = ois_json_str(rec, key);
	return s ? ois_xstrdup(s) : NULL;
}

/* Every record must belong to the one account: the first one read (or --account) says which. */
static int check_account(struct input *in, json_object *rec, const char *where)
{
	const char *acc = ois_json_str(rec, "account");
	if (!in->account) {
		in->account = ois_xstrdup(acc);
		ois_log_set_account(acc);
		return 0;
	}
	/* Mailbox addresses are case-insensitive (RFC 5321 in practice, Exchange always). */
	if (strcasecmp(acc, in->account))
		return ois_fail(OIS_EDATA, "%s: account \"%s\" is not \"%s\": one account per run", where, acc,
				in->account);
	return 0;
}

static struct ois_rc_item *new_item(struct input *in, enum kind kind, enum ois_side side)
{
	struct ois_rc_input *rc = &in->rc[kind];
	size_t *alloc = &in->alloc_items[kind][side];
	if (rc->nitems[side] == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 256;
		rc->items[side] = ois_xrealloc(rc->items[side], *alloc * sizeof(*rc->items[side]));
	}
	struct ois_rc_item *it = &rc->items[side][rc->nitems[side]++];
	memset(it, 0, sizeof(*it));
	it->seq = in->seq++;
	free(rc->u[side]); /* stale (and pointing into the old array): made again when needed */
	rc->u[side] = NULL;
	return it;
}

static void add_item(struct input *in, enum kind kind, enum ois_side side, json_object *rec)
{
	struct ois_rc_item *it = new_item(in, kind, side);
	it->id = dup_str(rec, "id");
	it->version = dup_str(rec, "version");
	it->modified = dup_str(rec, "modified");
	it->op_tag = dup_str(rec, "op_tag");
	it->deleted = !strcmp(ois_json_str(rec, "op"), "delete");
	it->data = it->deleted ? NULL : json_object_get(ois_json_obj(rec, "data"));
}

static char *dup_span(const struct ois_rc_span *sp)
{
	return sp->s ? ois_xstrndup(sp->s, sp->n) : NULL;
}

static char *arena_span(struct ois_arena *a, const struct ois_rc_span *sp)
{
	return sp->s ? ois_arena_strndup(a, sp->s, sp->n) : NULL;
}

/*
 * A contact the scanner read (scan.c): held as its data's text, no tree,
 * so a full read of many contacts costs little memory, and a pair whose
 * items match its base is never parsed (settled()). 0, or -1 when the line
 * must go through json-c after all: another account (take_record names
 * it). Nothing is kept before that is known.
 */
static int take_scanned(struct input *in, const struct ois_rc_scanned *sc)
{
	if (in->account && (strlen(in->account) != sc->account.n ||
			    strncasecmp(in->account, sc->account.s, sc->account.n)))
		return -1;
	if (!in->account) {
		in->account = dup_span(&sc->account);
		ois_log_set_account(in->account);
	}
	if (sc->side == OIS_INTERACTION && !in->user && sc->user.s)
		in->user = dup_span(&sc->user);
	struct ois_rc_item *it = new_item(in, CONTACTS, sc->side);
	struct ois_arena *a = &in->rc[CONTACTS].strings;
	it->in_arena = 1;
	it->id = arena_span(a, &sc->id);
	it->version = arena_span(a, &sc->version);
	it->modified = arena_span(a, &sc->modified);
	it->op_tag = arena_span(a, &sc->op_tag);
	it->deleted = sc->deleted;
	if (!sc->deleted)
		it->data_text = arena_span(a, &sc->data);
	return 0;
}

/* The kind whose checkpoints a folder has, or -1. */
static int folder_kind(const char *folder)
{
	for (int k = 0; k < KINDS; k++)
		if (ois_str_eq(folder, kind_folders[k]))
			return k;
	return -1;
}

static int take_record(struct input *in, json_object *rec, const char *where)
{
	int rc = ois_record_check(rec, where);
	if (rc)
		return rc;
	enum ois_rec_type t = ois_record_type(rec);
	if (t != OIS_REC_CONTACT && t != OIS_REC_APPOINTMENT && t != OIS_REC_CHECKPOINT && t != OIS_REC_SYNCINFO)
		return ois_fail(OIS_EDATA, "%s: a %s record is not input for " PROG, where, ois_rec_type_name(t));
	if ((rc = check_account(in, rec, where)))
		return rc;
	enum ois_side side = (enum ois_side)ois_side_parse(ois_json_str(rec, "side"));
	switch (t) {
	case OIS_REC_CONTACT:
	case OIS_REC_APPOINTMENT:
		if (side == OIS_INTERACTION && !in->user && ois_json_str(rec, "user"))
			in->user = dup_str(rec, "user");
		add_item(in, t == OIS_REC_CONTACT ? CONTACTS : CALENDAR, side, rec);
		break;
	case OIS_REC_CHECKPOINT:
		if (in->ncheckpoints == in->alloc_checkpoints) {
			in->alloc_checkpoints = in->alloc_checkpoints ? 2 * in->alloc_checkpoints : 8;
			in->checkpoints = ois_xrealloc(in->checkpoints, in->alloc_checkpoints * sizeof(*in->checkpoints));
		}
		in->checkpoints[in->ncheckpoints++] = json_object_get(rec);
		int k = folder_kind(ois_json_str(rec, "folder"));
		if (k >= 0 && ois_json_bool(rec, "complete", 0)) {
			in->rc[k].complete[side] = 1;
			in->rc[k].full[side] = ois_json_bool(rec, "full", 0);
			/* The calendar's token keeps the window it was read for (lib/calendar_token.h). */
			char *sync = NULL;
			if (k == CALENDAR && ois_calendar_token_parse(ois_json_str(rec, "token"), &sync,
								  &in->rc[k].window[side][0], &in->rc[k].window[side][1]))
				in->rc[k].window[side][0] = in->rc[k].window[side][1] = 0;
			free(sync);
		}
		break;
	case OIS_REC_SYNCINFO:
		if (side == OIS_EXCHANGE) {
			free(in->sync_id);
			in->sync_id = dup_str(rec, "sync_id");
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Read one input to its end; the first bad line stops everything (no output at all). */
static int read_stream(struct input *in, FILE *fp, const char *name, size_t max_line)
{
	struct ois_jsonl_reader r;
	json_object *rec;
	int rc;
	ois_jsonl_reader_init(&r, fp, name, max_line);
	while ((rc = ois_jsonl_next_line(&r)) == 1) {
		/* Most lines of a big read are contacts the scanner takes; the rest is json-c's, as before. */
		struct ois_rc_scanned sc;
		if (ois_utf8_valid(r.cur.data, r.cur.len, NULL) && !ois_rc_scan_item(r.cur.data, r.cur.len, &sc) &&
		    !take_scanned(in, &sc))
			continue;
		if ((rc = ois_jsonl_parse_line(&r, &rec)) != 1)
			break;
		char where[512];
		snprintf(where, sizeof(where), "%s:%lu", name, r.line);
		rc = take_record(in, rec, where);
		json_object_put(rec);
		if (rc)
			break;
	}
	ois_jsonl_reader_release(&r);
	return rc;
}

static int read_inputs(struct input *in, char *const *files, size_t max_line)
{
	int rc = 0;
	for (; *files && !rc; files++) {
		int is_stdin = !strcmp(*files, "-");
		FILE *fp = is_stdin ? stdin : fopen(*files, "re");
		if (!fp)
			return ois_fail(OIS_ENOINPUT, "cannot open '%s': %s", *files, strerror(errno));
		rc = read_stream(in, fp, is_stdin ? "stdin" : *files, max_line);
		if (!is_stdin)
			fclose(fp);
	}
	return rc;
}

/*
 * The configuration is optional: an administrator piping stages by hand
 * gives --state and needs nothing else. Only a file that was asked for
 * (-c, $OISYNC_CONF) or that exists must load.
 */
static int load_config(const struct options *o, struct ois_config *cfg, int *have)
{
	return ois_config_load_optional(o->config_path, cfg, have);
}

/* Creates apply sent but never recorded as done (killed, or the answer lost). */
static int collect_unrecorded(const struct ois_applied *a, void *ctx)
{
	struct input *in = ctx;
	if (ois_op_status_final(a->status))
		return 0;
	json_object *op = a->op ? json_tokener_parse(a->op) : NULL;
	if (op && ois_action_parse(ois_json_str(op, "action")) == OIS_ACT_CREATE &&
	    ois_json_str(op, "pair") && ois_side_parse(ois_json_str(op, "target")) >= 0)
		json_object_object_add(in->unrecorded_creates, a->op_id, op);
	else
		json_object_put(op);
	return 0;
}

struct pair_load {
	struct ois_rc_input *in;
	size_t alloc;
	const char *path;
	int rc;
	/* For passing over settled pairs (settled()): */
	int pass_settled;
	json_object *unrecorded;                /* unrecorded creates by op id (input's) */
	json_object *unrecorded_pairs;          /* their pairs' ids, as keys */
	long exchange_cp_generation;
	size_t settled;                         /* pairs passed over */
	char *damaged;                          /* the smallest pair_id whose base is damaged, else NULL */
	struct ois_buf canon;                   /* an item's canonical text */
};

/*
 * 1 when the item's data is the base: its text, or that text in canonical
 * form (a base is canonical text, lib/canonjson.h), is the base's very
 * text. 0 also for data outside the scanner's subset: parsed, it is merged.
 */
static int same_as_base(struct pair_load *pl, const struct ois_rc_item *it, const char *base)
{
	if (!it->data_text)
		return 0;
	if (!strcmp(it->data_text, base))
		return 1;
	ois_buf_reset(&pl->canon);
	return !ois_json_scan_canonical(it->data_text, strlen(it->data_text), &pl->canon) &&
	       !strcmp(pl->canon.data, base);
}

static char *dup_or_null(const char *s)
{
	return s ? ois_xstrdup(s) : NULL;
}

/*
 * A pair of a whole read of the contacts that do_pairs would leave alone,
 * found without parsing anything: on each side its item is reported with
 * the base's very text (its canonical text, take_scanned) and no other
 * version, or is not reported by an incremental read (unchanged there).
 * The merge would find no unit changed and no version moved, and write
 * nothing. So the pair is not held: its items are marked used, as do_pairs
 * marks them. Kept are the pairs that may act: a side missing an item, a
 * delete, an item missing from a full read, an Outlook item apply made that
 * an incremental read must report (infer_unseen_deletes), a pair that a
 * lost create names or whose items carry a lost create's tag
 * (recover_unrecorded looks for those), and anything whose text differs,
 * even in key order or spacing: that one is parsed and merged as before.
 */
static int settled(struct pair_load *pl, const struct ois_pair *p)
{
	const struct ois_rc_input *in = pl->in;
	struct ois_rc_item *it[OIS_SIDES];
	if (!pl->pass_settled || !p->base)
		return 0;
	for (int s = 0; s < OIS_SIDES; s++) {
		if (!p->id[s])
			return 0;
		it[s] = ois_rc_find_item(in->u[s], in->nu[s], p->id[s]);
		if (it[s]) {
			/* An item equal to the base vouches for it; unreported on both sides, the base is checked as a parse would. */
			if (it[s]->deleted || !same_as_base(pl, it[s], p->base) ||
			    (it[s]->version && !ois_str_eq(it[s]->version, p->version[s])) ||
			    (it[s]->op_tag && json_object_object_get_ex(pl->unrecorded, it[s]->op_tag, NULL)))
				return 0;
		} else if (in->full[s] ||
			   (s == OIS_EXCHANGE && in->complete[s] && p->exchange_made &&
			    p->exchange_made >= pl->exchange_cp_generation)) {
			return 0;
		}
	}
	if (json_object_object_get_ex(pl->unrecorded_pairs, p->pair_id, NULL))
		return 0;
	if (!it[OIS_EXCHANGE] && !it[OIS_INTERACTION] && !ois_json_scan_is_object(p->base, strlen(p->base)))
		return 0; /* parsed, so that a damaged base is found as before */
	for (int s = 0; s < OIS_SIDES; s++)
		if (it[s])
			it[s]->used = 1;
	pl->settled++;
	return 1;
}

static int load_pair(const struct ois_pair *p, void *ctx)
{
	struct pair_load *pl = ctx;
	struct ois_rc_input *in = pl->in;
	if (settled(pl, p))
		return 0;
	json_object *base = p->base ? json_tokener_parse(p->base) : NULL;
	if (!json_object_is_type(base, json_type_object)) {
		json_object_put(base);
		if (pl->pass_settled) {
			/* A scan is in table order: go on, and name the first damaged pair in pair_id order, as a walk by pair_id would. */
			if (!pl->damaged || strcmp(p->pair_id, pl->damaged) < 0) {
				free(pl->damaged);
				pl->damaged = ois_xstrdup(p->pair_id);
			}
			return 0;
		}
		pl->rc = ois_fail(OIS_EDATA, "state '%s': pair \"%s\" has a damaged base", pl->path, p->pair_id);
		return 1;
	}
	if (in->npairs == pl->alloc) {
		pl->alloc = pl->alloc ? 2 * pl->alloc : 256;
		in->pairs = ois_xrealloc(in->pairs, pl->alloc * sizeof(*in->pairs));
	}
	struct ois_rc_pair *rp = &in->pairs[in->npairs++];
	memset(rp, 0, sizeof(*rp));
	rp->pair_id = ois_xstrdup(p->pair_id);
	for (int s = 0; s < OIS_SIDES; s++) {
		rp->id[s] = dup_or_null(p->id[s]);
		rp->version[s] = dup_or_null(p->version[s]);
	}
	rp->base = base;
	rp->base_hash = dup_or_null(p->base_hash);
	rp->exchange_made = p->exchange_made;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct ois_rc_pair *)a)->pair_id, ((const struct ois_rc_pair *)b)->pair_id);
}

/* Pairs read by several look-ups: pair_id order, each once, as a whole read gives them. */
static void sort_pairs(struct ois_rc_input *rc)
{
	if (!rc->npairs)
		return;
	qsort(rc->pairs, rc->npairs, sizeof(*rc->pairs), cmp_pair);
	size_t m = 1;
	for (size_t i = 1; i < rc->npairs; i++) {
		if (!strcmp(rc->pairs[m - 1].pair_id, rc->pairs[i].pair_id))
			ois_rc_pair_release(&rc->pairs[i]);
		else
			rc->pairs[m++] = rc->pairs[i];
	}
	rc->npairs = m;
}

/*
 * Whether the contacts' pairs may be read by name. With both sides read
 * completely and incrementally, a pair that neither side reports is
 * unchanged on both (do_pairs: seen base twice, no op), unless it is
 * unsettled (ois_state_pairs_unsettled). So the pairs that can act are the
 * reported items', the unsettled ones and those of lost creates
 * (recover_unrecorded); reading only them makes the cost follow the
 * changes, not the state. A full read (an item it lacks is deleted), an
 * incomplete one and a first sync read every pair.
 */
static int by_name(const struct ois_rc_input *rc)
{
	return !rc->first_sync && rc->complete[OIS_EXCHANGE] && !rc->full[OIS_EXCHANGE] &&
	       rc->complete[OIS_INTERACTION] && !rc->full[OIS_INTERACTION];
}

static int load_named_pairs(struct input *in, struct ois_state *st, struct pair_load *pl)
{
	struct ois_rc_input *rc = pl->in;
	size_t most = rc->nitems[OIS_EXCHANGE] + rc->nitems[OIS_INTERACTION] +
		      (size_t)json_object_object_length(in->unrecorded_creates);
	const char **keys = ois_xcalloc(most + 1, sizeof(*keys));
	int r = 0;
	for (int s = 0; s < OIS_SIDES && !r; s++) {
		for (size_t i = 0; i < rc->nitems[s]; i++)
			keys[i] = rc->items[s][i].id;
		r = ois_state_pairs_by_keys(st, rc->kind, s, keys, rc->nitems[s], load_pair, pl);
	}
	size_t n = 0;
	json_object_object_foreach(in->unrecorded_creates, op_id, op) {
		(void)op_id;
		if (ois_str_eq(ois_json_str(op, "kind"), rc->kind))
			keys[n++] = ois_json_str(op, "pair");
	}
	if (!r)
		r = ois_state_pairs_by_keys(st, rc->kind, -1, keys, n, load_pair, pl);
	if (!r)
		r = ois_state_pairs_unsettled(st, rc->kind, in->exchange_cp_generation, load_pair, pl);
	free(keys);
	sort_pairs(rc);
	return r;
}

/*
 * Every pair of the contacts, for a full or incomplete read: each row is
 * compared with the items read, and only the pairs that may act are held
 * and parsed (settled()). So a full read costs one pass over the rows,
 * and memory and parsing that follow what changed.
 */
static int load_whole(struct input *in, struct ois_state *st, struct pair_load *pl)
{
	struct ois_rc_input *rc = pl->in;
	pl->pass_settled = 1;
	pl->unrecorded = in->unrecorded_creates;
	pl->unrecorded_pairs = json_object_new_object();
	pl->exchange_cp_generation = in->exchange_cp_generation;
	json_object_object_foreach(in->unrecorded_creates, op_id, op) {
		(void)op_id;
		const char *pair = ois_json_str(op, "pair");
		if (pair && ois_str_eq(ois_json_str(op, "kind"), rc->kind))
			json_object_object_add(pl->unrecorded_pairs, pair, NULL);
	}
	ois_rc_index(rc); /* kept for ois_reconcile, unless an item is added meanwhile */
	int r = ois_state_pairs_scan(st, rc->kind, load_pair, pl);
	json_object_put(pl->unrecorded_pairs);
	ois_buf_release(&pl->canon);
	sort_pairs(rc);
	if (!r && pl->damaged)
		pl->rc = ois_fail(OIS_EDATA, "state '%s': pair \"%s\" has a damaged base", pl->path, pl->damaged);
	free(pl->damaged);
	return r;
}

/* Pairs (pair_id order) and the first-sync decision from the state, opened read-only. */
static int load_state(struct input *in, const char *state_dir, const char *server)
{
	struct ois_state *st;
	int rc = ois_state_open(state_dir, server, in->account, OIS_STATE_READ, &st);
	if (rc)
		return rc;
	struct pair_load pl[KINDS];
	char *path = ois_state_path(state_dir, server, in->account, ".db");
	for (int k = 0; k < KINDS; k++)
		pl[k] = (struct pair_load){ .in = &in->rc[k], .path = path };
	/* One snapshot: the pairs are those of the generation the change set names. */
	rc = ois_state_begin(st);
	if (!rc) {
		struct ois_generation g;
		if (!(rc = ois_state_generation_get(st, &g)))
			in->generation = g.number;
		ois_generation_release(&g);
	}
	if (!rc)
		in->exchange_cp_generation = ois_state_checkpoint_generation(st, OIS_EXCHANGE, "contacts");
	if (!rc)
		rc = ois_state_applied_foreach_unfolded(st, collect_unrecorded, in);
	char *meta_id = NULL;
	if (!rc) {
		int mrc = ois_state_meta_get(st, "sync_id", &meta_id);
		if (mrc && mrc != OIS_ENOTFOUND)
			rc = mrc;
	}
	/* Counted, not read: the guard measures deletes against every pair (oisync-reconcile(1), "Guard"). */
	for (int k = 0; k < KINDS && !rc; k++) {
		long n = ois_state_pair_count(st, kind_names[k]);
		if (n < 0)
			rc = (int)n;
		else
			in->rc[k].pairs_total = (size_t)n;
	}
	if (!rc) {
		/*
		 * First sync, per kind: nothing of it paired yet (the calendar
		 * switched on later matches as on a first sync too), or the mailbox
		 * was synced by another state (its sync id differs).
		 */
		int other = in->sync_id && !ois_str_eq(in->sync_id, meta_id);
		for (int k = 0; k < KINDS; k++)
			in->rc[k].first_sync = in->rc[k].pairs_total == 0 || other;
		if (other && (meta_id || in->rc[CONTACTS].pairs_total)) {
			ois_notice("mailbox sync id \"%s\" is not the state's (\"%s\"): matching as on a first sync",
				   in->sync_id, meta_id ? meta_id : "none");
		}
	}
	/* The calendar's pairs are read whole: its window bounds them, and its time rules look at each. */
	for (int k = 0; k < KINDS && !rc; k++) {
		if (k == CONTACTS && by_name(&in->rc[k]))
			rc = load_named_pairs(in, st, &pl[k]);
		else if (k == CONTACTS && !in->rc[k].first_sync)
			rc = load_whole(in, st, &pl[k]);
		else
			rc = ois_state_pairs_foreach(st, kind_names[k], load_pair, &pl[k]);
		/* load_pair stops the walk with 1; what it found wrong is the status. */
		if (pl[k].rc)
			rc = pl[k].rc;
		in->pairs_read[k] = in->rc[k].npairs;
		in->pairs_settled[k] = pl[k].settled;
	}
	free(meta_id);
	free(path);
	ois_state_rollback(st); /* a reader's snapshot: nothing to keep */
	ois_state_close(st);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Exchange reports an item made after the sync state a read starts from as
 * a Create of that read, and an item made and deleted since as nothing at
 * all (SyncFolderItems sends net changes). So an item apply made after the
 * state this read started from (its pair's exchange_made is no older than
 * the checkpoint's generation) must be in a complete incremental read; one
 * that is not was deleted in Outlook, and is taken as that delete.
 */
static void infer_unseen_deletes(struct input *in)
{
	/* The calendar's changed reads are whole windows: nothing to infer there. */
	struct ois_rc_input *rc = &in->rc[CONTACTS];
	if (rc->first_sync || !rc->complete[OIS_EXCHANGE] || rc->full[OIS_EXCHANGE])
		return;
	size_t n = rc->nitems[OIS_EXCHANGE];
	char **seen = ois_xcalloc(n + 1, sizeof(*seen));
	for (size_t i = 0; i < n; i++)
		seen[i] = rc->items[OIS_EXCHANGE][i].id;
	qsort(seen, n, sizeof(*seen), cmp_id);
	for (size_t i = 0; i < rc->npairs; i++) {
		const struct ois_rc_pair *p = &rc->pairs[i];
		const char *id = p->id[OIS_EXCHANGE];
		if (!id || !p->exchange_made || p->exchange_made < in->exchange_cp_generation ||
		    bsearch(&id, seen, n, sizeof(*seen), cmp_id))
			continue;
		ois_info("Outlook contact %s, made by the run of generation %ld, is not in this read: deleted since",
			 id, p->exchange_made);
		json_object *rec = json_object_new_object();
		json_object_object_add(rec, "id", json_object_new_string(id));
		json_object_object_add(rec, "op", json_object_new_string("delete"));
		add_item(in, CONTACTS, OIS_EXCHANGE, rec);
		json_object_put(rec);
	}
	free(seen);
}

static int has_pair(const struct ois_rc_input *rc, const char *pair_id)
{
	for (size_t i = 0; i < rc->npairs; i++)
		if (!strcmp(rc->pairs[i].pair_id, pair_id))
			return 1;
	return 0;
}

/*
 * An item carrying the tag of a create that apply sent but never recorded
 * (killed, or the server's answer lost) is that create's item: the pair is
 * rebuilt from the op, with the op's data as the base both sides agreed on
 * when it was sent. Matched as a stranger instead, its values would be a
 * side's fresh edits, and an edit made meanwhile on the other side could
 * lose a no-base merge to the copy it was made from.
 */
static void recover_unrecorded(struct input *in, enum kind kind)
{
	struct ois_rc_input *rc = &in->rc[kind];
	if (rc->first_sync || !in->unrecorded_creates)
		return;
	for (int s = 0; s < OIS_SIDES; s++) {
		for (size_t i = 0; i < rc->nitems[s]; i++) {
			const struct ois_rc_item *it = &rc->items[s][i];
			json_object *op;
			if (!it->op_tag || it->deleted ||
			    !json_object_object_get_ex(in->unrecorded_creates, it->op_tag, &op) ||
			    ois_side_parse(ois_json_str(op, "target")) != s || !ois_str_eq(ois_json_str(op, "kind"), rc->kind) ||
			    has_pair(rc, ois_json_str(op, "pair")))
				continue;
			json_object *data = ois_json_obj(op, "data");
			if (!data)
				continue;
			rc->pairs = ois_xrealloc(rc->pairs, (rc->npairs + 1) * sizeof(*rc->pairs));
			struct ois_rc_pair *p = &rc->pairs[rc->npairs++];
			memset(p, 0, sizeof(*p));
			p->pair_id = ois_xstrdup(ois_json_str(op, "pair"));
			p->id[s] = ois_xstrdup(it->id);
			p->id[!s] = dup_or_null(ois_json_str(ois_json_obj(op, "ids"), ois_side_name(!s)));
			p->version[!s] = dup_or_null(ois_json_str(ois_json_obj(op, "versions"), ois_side_name(!s)));
			p->base = json_object_get(data);
			p->unrecorded = 1;
			rc->pairs_total++;
			ois_info("%s item %s carries the tag of create %s, whose answer was lost: pair %s recovered",
				 ois_side_name(s), it->id, it->op_tag, p->pair_id);
		}
	}
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_changeset(const struct input *in, const struct ois_rc_result res[KINDS], const char *server,
			   const char *created, int quiet, time_t quiet_until)
{
	/*
	 * The change set's id, by which apply knows its own commits: a digest of
	 * where it belongs, the generation it read, its time and every op and
	 * checkpoint. Two change sets with one id would do the same thing, and
	 * reconcile stays a function of its input (--now makes it repeatable).
	 */
	char id[OIS_HASH_LEN];
	json_object *what = json_object_new_array();
	json_object_array_add(what, json_object_new_string(in->account));
	json_object_array_add(what, json_object_new_string(server));
	json_object_array_add(what, str_or_null(in->user));
	json_object_array_add(what, json_object_new_string(created));
	json_object_array_add(what, json_object_new_int64(in->generation));
	for (int k = 0; k < KINDS; k++)
		for (size_t i = 0; i < res[k].nops; i++)
			json_object_array_add(what, json_object_get(json_object_object_get(res[k].ops[i].op, "op_id")));
	/* Checkpoints in a fixed order: the order of the input is not what the change set does. */
	char **cps = ois_xcalloc(in->ncheckpoints + 1, sizeof(*cps));
	for (size_t i = 0; i < in->ncheckpoints; i++) {
		struct ois_buf text = OIS_BUF_INIT;
		ois_json_canonical(in->checkpoints[i], &text);
		cps[i] = ois_buf_detach(&text, NULL);
	}
	qsort(cps, in->ncheckpoints, sizeof(*cps), cmp_str);
	for (size_t i = 0; i < in->ncheckpoints; i++) {
		json_object_array_add(what, json_object_new_string(cps[i]));
		free(cps[i]);
	}
	free(cps);
	ois_json_hash(what, id);
	json_object_put(what);
	int rc;
	json_object *h = json_object_new_object();
	json_object_object_add(h, "type", json_object_new_string("changeset"));
	json_object_object_add(h, "account", json_object_new_string(in->account));
	json_object_object_add(h, "server", json_object_new_string(server));
	json_object_object_add(h, "user", str_or_null(in->user));
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "id", json_object_new_string(id));
	json_object_object_add(h, "state", json_object_new_int64(in->generation));
	json_object_object_add(h, "first_sync", json_object_new_boolean(in->rc[CONTACTS].first_sync));
	json_object *counts = json_object_new_object();
	for (size_t i = 0; i < OIS_ACTIONS; i++) {
		enum ois_action a = ois_action_order[i];
		json_object_object_add(counts, ois_action_name(a),
				       json_object_new_int64((int64_t)(res[CONTACTS].counts[a] + res[CALENDAR].counts[a])));
	}
	json_object_object_add(h, "counts", counts);
	/* The server ops again, by the side they change: what oisync-run's metrics count per side. */
	size_t by_side[OIS_SIDES][OIS_ACTIONS] = { { 0 } };
	for (int k = 0; k < KINDS; k++)
		for (size_t i = 0; i < res[k].nops; i++)
			if (res[k].ops[i].target >= 0)
				by_side[res[k].ops[i].target][res[k].ops[i].action]++;
	json_object *targets = json_object_new_object();
	for (int s = 0; s < OIS_SIDES; s++) {
		json_object *t = json_object_new_object();
		for (size_t i = 0; i < OIS_ACTIONS; i++) {
			enum ois_action a = ois_action_order[i];
			if (a == OIS_ACT_CREATE || a == OIS_ACT_UPDATE || a == OIS_ACT_DELETE)
				json_object_object_add(t, ois_action_name(a), json_object_new_int64((int64_t)by_side[s][a]));
		}
		json_object_object_add(targets, ois_side_name((enum ois_side)s), t);
	}
	json_object_object_add(h, "targets", targets);
	if (quiet) {
		json_object_object_add(h, "quiet", json_object_new_boolean(1));
		if (quiet_until) {
			char until[OIS_TIME_LEN];
			ois_time_format(quiet_until, until);
			json_object_object_add(h, "quiet_until", json_object_new_string(until));
		}
	}
	rc = ois_jsonl_write(stdout, h);
	json_object_put(h);
	for (int k = 0; k < KINDS; k++)
		for (size_t i = 0; !rc && i < res[k].nops; i++)
			rc = ois_jsonl_write(stdout, res[k].ops[i].op);
	/* Checkpoints last, in input order: apply commits each only after every op before it succeeded. */
	for (size_t i = 0; !rc && i < in->ncheckpoints; i++) {
		int side = ois_side_parse(ois_json_str(in->checkpoints[i], "side"));
		int k = folder_kind(ois_json_str(in->checkpoints[i], "folder"));
		if (k >= 0 && res[k].hold_checkpoint[side])
			continue; /* its deletes were held back: the next run must see them again */
		rc = ois_jsonl_write(stdout, in->checkpoints[i]);
	}
	return rc;
}

static void input_release(struct input *in)
{
	for (int k = 0; k < KINDS; k++)
		ois_rc_input_release(&in->rc[k]);
	for (size_t i = 0; i < in->ncheckpoints; i++)
		json_object_put(in->checkpoints[i]);
	free(in->checkpoints);
	free(in->account);
	free(in->user);
	free(in->sync_id);
	json_object_put(in->unrecorded_creates);
}

int main(int argc, char **argv)
{
	struct options o = { .conflict = -1 };
	struct input in = { 0 };
	struct ois_config cfg;
	struct ois_rc_result res[KINDS] = { 0 };
	int have_cfg = 0, rc;

	ois_log_init(PROG);
	if ((rc = parse_options(argc, argv, &o)) >= 0)
		return rc;
	if (o.account) {
		in.account = ois_xstrdup(o.account);
		ois_log_set_account(o.account);
	}
	if (o.user)
		in.user = ois_xstrdup(o.user);
	for (int k = 0; k < KINDS; k++)
		in.rc[k].kind = kind_names[k];
	in.unrecorded_creates = json_object_new_object();

	/* All input first: the change set is all or nothing, so a bad line leaves stdout empty. */
	static char *const stdin_only[] = { "-", NULL };
	rc = read_inputs(&in, optind < argc ? argv + optind : stdin_only, o.max_line);
	if (!rc)
		rc = load_config(&o, &cfg, &have_cfg);
	if (rc)
		goto done;
	if (!in.account) {
		rc = ois_fail(OIS_EUSAGE, "no account: the input has no records; give --account");
		goto done;
	}
	const struct ois_user *user = have_cfg ? ois_config_user_by_mailbox(&cfg, in.account) : NULL;
	struct ois_sync_settings settings = user ? user->settings : have_cfg ? cfg.defaults
		: (struct ois_sync_settings){ .conflict = OIS_NEWEST_WINS, .calendar_direction = OIS_DIR_TO_INTERACTION,
					      .mass_delete_percent = 20, .mass_delete_min = 10 };
	if (o.conflict >= 0)
		settings.conflict = (enum ois_conflict)o.conflict;
	time_t now = time(NULL);
	if (o.now)
		ois_time_parse(o.now, 0, &now);
	for (int k = 0; k < KINDS; k++) {
		in.rc[k].settings = settings;
		in.rc[k].allow_mass_delete = o.allow_mass_delete;
		in.rc[k].now = now;
	}
	/* The calendar has a direction of its own: by default it follows Outlook. */
	in.rc[CALENDAR].settings.direction = settings.calendar_direction;
	if (!in.user && user)
		in.user = ois_xstrdup(user->id);
	const char *state_dir = o.state_dir ? o.state_dir : have_cfg ? cfg.state_dir : NULL;
	const char *server = o.server ? o.server : user ? user->server : NULL;
	if (!state_dir || !server) {
		rc = ois_fail(OIS_EUSAGE, "no %s: give %s or a configuration that names it", state_dir ? "server" : "state folder",
			      state_dir ? "--server" : "--state");
		goto done;
	}
	if ((rc = load_state(&in, state_dir, server)))
		goto done;
	infer_unseen_deletes(&in);
	for (int k = 0; k < KINDS; k++)
		recover_unrecorded(&in, (enum kind)k);

	for (int k = 0; k < KINDS; k++)
		rc |= ois_reconcile(&in.rc[k], &res[k]);
	char created[32];
	if (o.now)
		snprintf(created, sizeof(created), "%s", o.now);
	else
		ois_time_now(created);
	/*
	 * Quiet: nothing to do and nothing held back, so a later read that
	 * finds nothing new on either side needs no reconcile until the
	 * calendar's next meeting ends (oisync-extract --commit-quiet).
	 */
	int quiet = !rc && res[CONTACTS].nops + res[CALENDAR].nops == 0;
	int wrc = write_changeset(&in, res, server, created, quiet, quiet ? ois_rc_calendar_due(&in.rc[CALENDAR]) : 0);
	for (int k = 0; k < KINDS; k++)
		if (k == CONTACTS || res[k].nops)
			ois_info("%s%zu ops: %zu create, %zu update, %zu delete, %zu link, %zu unlink%s",
				 k == CONTACTS ? "" : "calendar: ", res[k].nops, res[k].counts[OIS_ACT_CREATE],
				 res[k].counts[OIS_ACT_UPDATE], res[k].counts[OIS_ACT_DELETE], res[k].counts[OIS_ACT_LINK],
				 res[k].counts[OIS_ACT_UNLINK], in.rc[k].first_sync ? " (first sync)" : "");
	if (o.stats)
		/* Work counted, not timed: what a test can pin (tests/reconcile.bats). */
		fprintf(stderr, "%s: %s: pairs read: %zu contact of %zu, %zu appointment of %zu; settled, passed over: %zu\n",
			ois_log_prog(), in.account, in.pairs_read[CONTACTS], in.rc[CONTACTS].pairs_total,
			in.pairs_read[CALENDAR], in.rc[CALENDAR].pairs_total, in.pairs_settled[CONTACTS]);
	int crc = wrc ? (fclose(stdout), wrc) : ois_close_stdout();
	if (crc)
		rc = crc;
done:
	for (int k = 0; k < KINDS; k++)
		ois_rc_result_release(&res[k]);
	if (have_cfg)
		ois_config_release(&cfg);
	input_release(&in);
	return ois_exit_status(rc);
}
