/* changeset.c - from items and pairs to the ordered, guarded ops of a change set. */
#include "reconcile.h"
#include "buf.h"
#include "canon_fields.h"
#include "canonjson.h"
#include "code.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ois_rc_pair_id(enum ois_side side, const char *id, char out[35])
{
	char hash[OIS_HASH_LEN];
	char *text = ois_xasprintf("%s\n%s", ois_side_name(side), id);
	ois_sha256_hex(text, strlen(text), hash);
	free(text);
	memcpy(out, "p-", 2);
	memcpy(out + 2, hash + 7, 32);
	out[34] = '\0';
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* What the ops of one item know of both sides before they run. */
struct known {
	const char *pair_id;
	const char *id[OIS_SIDES];
	const char *version[OIS_SIDES];
	const char *modified[OIS_SIDES];       /* the records' "modified", NULL when not reported */
	json_object *current[OIS_SIDES];       /* what each side holds as far as this run knows
						  (its record's data, else the base), NULL when nothing */
	enum ois_conflict policy;              /* the effective policy and direction, for a create's "merge" */
	enum ois_direction direction;
};

/*
 * A create may meet an item that exists already (InterAction: a firm
 * contact with the same e-mail address, not yet on the user's list), which
 * the driver adopts instead of making a new one. apply then merges the two
 * as this stage merges two items matched without a base: this says how
 * (oisync-records(5), "merge").
 */
static json_object *merge_key(const struct known *k, enum ois_side source)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "policy", json_object_new_string(ois_conflict_name(k->policy)));
	json_object_object_add(m, "direction", json_object_new_string(ois_direction_name(k->direction)));
	json_object_object_add(m, "modified", str_or_null(k->modified[source]));
	return m;
}

/* What each side holds before the ops run, as the merge saw it: set after the decision's inputs are final. */
static void know_current(struct known *k, const struct ois_merge_in *mi)
{
	for (int s = 0; s < OIS_SIDES; s++)
		k->current[s] = mi->seen[s] == OIS_SEEN_UPSERT ? mi->data[s] : mi->seen[s] == OIS_SEEN_BASE ? mi->base : NULL;
}

/*
 * An update's "old": the target's values of the fields it writes, before
 * it writes them, as canonical data (a field it lacks is empty there). So
 * oisync show can say "'Partner' -> 'Senior Partner'".
 */
static json_object *old_values(json_object *current, json_object *fields)
{
	json_object *old = json_object_new_object();
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		const char *unit = json_object_get_string(json_object_array_get_idx(fields, i));
		ois_canon_set(old, unit, ois_canon_get(current, unit));
	}
	return old;
}

struct ops {
	struct ois_rc_op *v;
	size_t n, alloc;
	size_t skipped; /* creates not made: the target side was not read to the end */
};

static json_object *side_obj(const char *const val[OIS_SIDES])
{
	json_object *o = json_object_new_object();
	for (int s = 0; s < OIS_SIDES; s++)
		json_object_object_add(o, ois_side_name((enum ois_side)s), str_or_null(val[s]));
	return o;
}

/* The op record of oisync-records(5), "CHANGE SET": keys in a fixed order, op_id a digest of the rest without reason. */
static json_object *build_op(const char *kind, const struct known *k, const struct ois_decision *d)
{
	const char *ids[OIS_SIDES], *versions[OIS_SIDES];
	for (int s = 0; s < OIS_SIDES; s++) {
		/* A create makes a new item: the target's old id and version (if any) are dead. */
		int dead = d->action == OIS_ACT_CREATE && d->target == s;
		ids[s] = dead ? NULL : k->id[s];
		versions[s] = dead ? NULL : k->version[s];
	}
	int targeted = d->action == OIS_ACT_UPDATE || d->action == OIS_ACT_DELETE;
	json_object *core = json_object_new_object();
	json_object_object_add(core, "type", json_object_new_string("op"));
	json_object_object_add(core, "action", json_object_new_string(ois_action_name(d->action)));
	if (d->target >= 0)
		json_object_object_add(core, "target", json_object_new_string(ois_side_name((enum ois_side)d->target)));
	json_object_object_add(core, "kind", json_object_new_string(kind));
	json_object_object_add(core, "pair", json_object_new_string(k->pair_id));
	json_object_object_add(core, "id", str_or_null(targeted ? ids[d->target] : NULL));
	json_object_object_add(core, "if_version", str_or_null(targeted ? versions[d->target] : NULL));
	if (d->data)
		json_object_object_add(core, "data", json_object_get(d->data));
	if (d->fields)
		json_object_object_add(core, "fields", json_object_get(d->fields));
	json_object_object_add(core, "ids", side_obj(ids));
	json_object_object_add(core, "versions", side_obj(versions));
	if (d->action == OIS_ACT_CREATE && ois_canon_units(kind))
		json_object_object_add(core, "merge", merge_key(k, (enum ois_side)!d->target));

	char op_id[OIS_HASH_LEN];
	ois_json_hash(core, op_id);
	json_object *op = json_object_new_object();
	json_object_object_foreach(core, key, val) {
		json_object_object_add(op, key, json_object_get(val));
		if (!strcmp(key, "type"))
			json_object_object_add(op, "op_id", json_object_new_string(op_id));
	}
	/*
	 * What a person reads besides reason, and like it no part of op_id:
	 * the same write is the same op whatever it replaces. Apply never
	 * reads them (oisync-records(5), "CHANGE SET").
	 */
	if (d->action == OIS_ACT_UPDATE && d->fields) {
		json_object_object_add(op, "old", old_values(k->current[d->target], d->fields));
		if (d->conflicts)
			json_object_object_add(op, "conflicts", json_object_get(d->conflicts));
		if (k->modified[!d->target])
			json_object_object_add(op, "source_modified", json_object_new_string(k->modified[!d->target]));
	}
	json_object_object_add(op, "reason", json_object_new_string(d->reason));
	json_object_put(core);
	return op;
}

static void emit(struct ops *ops, const char *kind, const struct known *k, struct ois_merge_out *out)
{
	if (out->skipped) {
		ois_notice("%s: %s", k->pair_id, out->skipped);
		ops->skipped++;
	}
	for (size_t i = 0; i < out->n; i++) {
		if (ops->n == ops->alloc) {
			ops->alloc = ops->alloc ? 2 * ops->alloc : 64;
			ops->v = ois_xrealloc(ops->v, ops->alloc * sizeof(*ops->v));
		}
		struct ois_rc_op *o = &ops->v[ops->n++];
		o->pair_id = ois_xstrdup(k->pair_id);
		o->action = out->d[i].action;
		o->target = out->d[i].target;
		o->op = build_op(kind, k, &out->d[i]);
	}
}

static int cmp_item(const void *a, const void *b)
{
	const struct ois_rc_item *x = *(const struct ois_rc_item *const *)a, *y = *(const struct ois_rc_item *const *)b;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

json_object *ois_rc_item_data(const struct ois_rc_item *it)
{
	if (!it->data && it->data_text) {
		/* The scanner accepted this text, and json-c accepts all it does. */
		json_object *d = json_tokener_parse(it->data_text);
		if (!json_object_is_type(d, json_type_object))
			OIS_BUG("scanned data does not parse: %s", it->data_text);
		((struct ois_rc_item *)it)->data = d;
	}
	return it->data;
}

struct ois_rc_item **ois_rc_unique_items(struct ois_rc_item *items, size_t n, size_t *nout)
{
	struct ois_rc_item **v = ois_xmalloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &items[i];
	qsort(v, n, sizeof(*v), cmp_item);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && !strcmp(v[m - 1]->id, v[i]->id))
			m--;
		v[m++] = v[i];
	}
	*nout = m;
	return v;
}

struct ois_rc_item *ois_rc_find_item(struct ois_rc_item *const *v, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid]->id, id);
		if (!c)
			return v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Private items and, with a category filter, contacts in none of its
 * categories stay out of new pairs. The filter is the contact list's: a
 * meeting's categories choose its appointment type instead.
 */
static const char *filtered(const char *kind, const struct ois_rc_item *it, const struct ois_sync_settings *st)
{
	json_object *data = ois_rc_item_data(it);
	if (!st->sync_private && ois_json_bool(data, "private", 0))
		return "private";
	if (!st->categories || strcmp(kind, "contact"))
		return NULL;
	json_object *cats = ois_json_arr(data, "categories");
	for (size_t i = 0; cats && i < json_object_array_length(cats); i++) {
		const char *c = json_object_get_string(json_object_array_get_idx(cats, i));
		for (char **want = st->categories; c && *want; want++)
			if (!strcasecmp(c, *want))
				return NULL;
	}
	return "in none of the synced categories";
}

/*
 * Transform marks an Outlook contact whose only name is no person's
 * ("entity", oisync-records(5)): an organisation becomes an InterAction
 * company (the InterAction backend writes its kind), but a couple, a
 * shared mailbox or a placeholder would only become a person with a made-up
 * name, so it is not created there. The mark, or NULL to create.
 */
static const char *no_person(const char *kind, enum ois_side s, const struct ois_rc_item *it)
{
	const char *entity = s == OIS_EXCHANGE && !strcmp(kind, "contact") ? ois_json_str(ois_rc_item_data(it), "entity") : NULL;
	return entity && strcmp(entity, "organization") ? entity : NULL;
}

static int is_calendar(const struct ois_rc_input *in)
{
	return !strcmp(in->kind, "appointment");
}

static void do_pairs(struct ois_rc_input *in, struct ois_rc_item **u[OIS_SIDES], const size_t nu[OIS_SIDES],
		     struct ops *ops)
{
	int calendar = is_calendar(in);
	for (size_t p = 0; p < in->npairs; p++) {
		struct ois_rc_pair *pr = &in->pairs[p];
		struct ois_merge_in mi = { .kind = in->kind, .base = pr->base, .policy = ois_sync_policy(&in->settings),
					   .unrecorded = pr->unrecorded };
		struct known k = { .pair_id = pr->pair_id, .policy = mi.policy, .direction = in->settings.direction };
		for (int s = 0; s < OIS_SIDES; s++) {
			mi.complete[s] = in->complete[s];
			k.id[s] = pr->id[s];
			k.version[s] = pr->version[s];
			struct ois_rc_item *it = pr->id[s] ? ois_rc_find_item(u[s], nu[s], pr->id[s]) : NULL;
			if (!pr->id[s]) {
				mi.seen[s] = OIS_SEEN_ABSENT;
			} else if (it) {
				it->used = 1;
				mi.seen[s] = it->deleted ? OIS_SEEN_DELETED : OIS_SEEN_UPSERT;
				mi.data[s] = ois_rc_item_data(it);
				mi.modified[s] = k.modified[s] = it->modified;
				mi.version_moved[s] = !it->deleted && it->version && !ois_str_eq(it->version, pr->version[s]);
				if (it->version)
					k.version[s] = it->version;
			} else {
				/* Not reported: unchanged, unless the side sent its whole folder without it. */
				mi.seen[s] = in->full[s] ? OIS_SEEN_DELETED : OIS_SEEN_BASE;
			}
			if (calendar && pr->id[s])
				ois_rc_calendar_seen(in, (enum ois_side)s, it, &mi);
		}
		struct ois_merge_out out;
		json_object *awake = NULL;
		if (calendar && ois_rc_calendar_dormant(in, &mi, &awake, &out)) {
			pr->dormant = out.n == 0; /* a restored occurrence may still wake it (do_unpaired) */
			know_current(&k, &mi);
			emit(ops, in->kind, &k, &out);
			ois_merge_out_release(&out);
			continue;
		}
		ois_merge(&mi, &out);
		if (calendar)
			ois_rc_calendar_rules(in, &mi, k.id, &out);
		ois_rc_calendar_wake(awake, &out);
		know_current(&k, &mi);
		emit(ops, in->kind, &k, &out);
		ois_merge_out_release(&out);
		json_object_put(awake);
	}
}

/*
 * An unpaired Outlook meeting that is a dormant pair's (an occurrence
 * deleted, its activity kept, then restored by a change of the series
 * under a new id): that pair wakes with the new item, instead of a second
 * InterAction item being made. 1 when it did.
 */
static int wake_restored(struct ois_rc_input *in, struct ois_rc_item *it, struct ops *ops)
{
	long p = ois_rc_calendar_restored(in, it);
	if (p < 0)
		return 0;
	struct ois_rc_pair *pr = &in->pairs[p];
	pr->dormant = 0;
	it->used = 1;
	struct ois_merge_in mi = { .kind = in->kind, .base = pr->base, .policy = ois_sync_policy(&in->settings) };
	struct known k = { .pair_id = pr->pair_id, .policy = mi.policy, .direction = in->settings.direction };
	for (int s = 0; s < OIS_SIDES; s++) {
		mi.complete[s] = in->complete[s];
		k.id[s] = pr->id[s];
		k.version[s] = pr->version[s];
		mi.seen[s] = OIS_SEEN_BASE;
	}
	k.id[OIS_EXCHANGE] = it->id;
	k.version[OIS_EXCHANGE] = it->version;
	mi.seen[OIS_EXCHANGE] = OIS_SEEN_UPSERT;
	mi.data[OIS_EXCHANGE] = ois_rc_item_data(it);
	mi.modified[OIS_EXCHANGE] = k.modified[OIS_EXCHANGE] = it->modified;
	json_object *awake = NULL;
	struct ois_merge_out out;
	if (ois_rc_calendar_dormant(in, &mi, &awake, &out)) {
		ois_merge_out_release(&out);
		return 0;
	}
	ois_merge(&mi, &out);
	ois_rc_calendar_rules(in, &mi, k.id, &out);
	/* The new Outlook id must reach the state even when no value moved. */
	int linked = 0;
	for (size_t i = 0; i < out.n; i++)
		linked |= out.d[i].data != NULL;
	if (!linked)
		ois_rc_calendar_wake(awake, &out);
	know_current(&k, &mi);
	emit(ops, in->kind, &k, &out);
	ois_merge_out_release(&out);
	json_object_put(awake);
	return 1;
}

/* New items on one side or both: match across, link or create. */
static void do_unpaired(struct ois_rc_input *in, struct ois_rc_item **u[OIS_SIDES], const size_t nu[OIS_SIDES],
			struct ops *ops)
{
	struct ois_rc_item **cand[OIS_SIDES];
	size_t nc[OIS_SIDES];
	int calendar = is_calendar(in);
	for (int s = 0; s < OIS_SIDES; s++) {
		cand[s] = ois_xmalloc((nu[s] ? nu[s] : 1) * sizeof(*cand[s]));
		nc[s] = 0;
		/* A delete of an unknown id is nothing to do; an appointment outside the window is not synced. */
		for (size_t i = 0; i < nu[s]; i++)
			if (!u[s][i]->used && !u[s][i]->deleted && !u[s][i]->outside &&
			    !(calendar && s == OIS_EXCHANGE && wake_restored(in, u[s][i], ops)))
				cand[s][nc[s]++] = u[s][i];
	}
	long *match = ois_xmalloc((nc[OIS_EXCHANGE] ? nc[OIS_EXCHANGE] : 1) * sizeof(*match));
	const char **how = ois_xmalloc((nc[OIS_EXCHANGE] ? nc[OIS_EXCHANGE] : 1) * sizeof(*how));
	ois_rc_match(in->kind, cand[OIS_EXCHANGE], nc[OIS_EXCHANGE], cand[OIS_INTERACTION], nc[OIS_INTERACTION], match, how);

	enum ois_conflict policy = ois_sync_policy(&in->settings);
	for (size_t i = 0; i < nc[OIS_EXCHANGE]; i++) {
		if (match[i] < 0)
			continue;
		struct ois_rc_item *it[OIS_SIDES] = { cand[OIS_EXCHANGE][i], cand[OIS_INTERACTION][match[i]] };
		it[0]->used = it[1]->used = 1;
		const char *why = filtered(in->kind, it[0], &in->settings);
		if (!why)
			why = filtered(in->kind, it[1], &in->settings);
		if (why) {
			/* Matched, so neither is created on the other side; but a filtered item does not sync. */
			ois_info("not linked (%s): exchange \"%s\" and interaction \"%s\"", why, it[0]->id, it[1]->id);
			continue;
		}
		char pair_id[35];
		ois_rc_pair_id(OIS_EXCHANGE, it[0]->id, pair_id);
		struct ois_merge_in mi = { .kind = in->kind, .policy = policy };
		struct known k = { .pair_id = pair_id, .policy = policy, .direction = in->settings.direction };
		for (int s = 0; s < OIS_SIDES; s++) {
			mi.seen[s] = OIS_SEEN_UPSERT;
			mi.data[s] = ois_rc_item_data(it[s]);
			mi.modified[s] = k.modified[s] = it[s]->modified;
			mi.complete[s] = in->complete[s];
			k.id[s] = it[s]->id;
			k.version[s] = it[s]->version;
		}
		mi.matched_by = how[i];
		struct ois_merge_out out;
		ois_merge(&mi, &out);
		if (calendar)
			ois_rc_calendar_rules(in, &mi, k.id, &out);
		know_current(&k, &mi);
		emit(ops, in->kind, &k, &out);
		ois_merge_out_release(&out);
	}
	for (int s = 0; s < OIS_SIDES; s++)
		for (size_t i = 0; i < nc[s]; i++) {
			struct ois_rc_item *it = cand[s][i];
			if (it->used)
				continue;
			it->used = 1;
			const char *why = filtered(in->kind, it, &in->settings);
			if (why) {
				ois_info("not synced (%s): %s \"%s\"", why, ois_side_name((enum ois_side)s), it->id);
				continue;
			}
			if ((why = no_person(in->kind, (enum ois_side)s, it))) {
				ois_notice("not created in InterAction (%s, not a person): exchange \"%s\"", why, it->id);
				continue;
			}
			char pair_id[35];
			ois_rc_pair_id((enum ois_side)s, it->id, pair_id);
			struct ois_merge_in mi = { .kind = in->kind, .policy = policy };
			struct known k = { .pair_id = pair_id, .policy = policy, .direction = in->settings.direction };
			mi.seen[s] = OIS_SEEN_UPSERT;
			mi.seen[!s] = OIS_SEEN_ABSENT;
			mi.data[s] = ois_rc_item_data(it);
			mi.modified[s] = k.modified[s] = it->modified;
			k.id[s] = it->id;
			k.version[s] = it->version;
			for (int t = 0; t < OIS_SIDES; t++)
				mi.complete[t] = in->complete[t];
			struct ois_merge_out out;
			ois_merge(&mi, &out);
			if (calendar)
				ois_rc_calendar_rules(in, &mi, k.id, &out);
			know_current(&k, &mi);
			emit(ops, in->kind, &k, &out);
			ois_merge_out_release(&out);
		}
	free(how);
	free(match);
	for (int s = 0; s < OIS_SIDES; s++)
		free(cand[s]);
}

static int cmp_op(const void *a, const void *b)
{
	const struct ois_rc_op *x = a, *y = b;
	int c = strcmp(x->pair_id, y->pair_id);
	if (c)
		return c;
	if (x->action != y->action)
		return x->action < y->action ? -1 : 1;
	return x->target < y->target ? -1 : x->target > y->target;
}

static void drop_op(struct ois_rc_op *o)
{
	free(o->pair_id);
	json_object_put(o->op);
	o->pair_id = NULL;
	o->op = NULL;
}

/* Keep the ops keep() accepts, in order. */
static void filter_ops(struct ois_rc_result *res, int (*keep)(const struct ois_rc_op *, void *), void *ctx)
{
	size_t m = 0;
	for (size_t i = 0; i < res->nops; i++) {
		if (keep(&res->ops[i], ctx))
			res->ops[m++] = res->ops[i];
		else
			drop_op(&res->ops[i]);
	}
	res->nops = m;
}

static int keep_direction(const struct ois_rc_op *o, void *ctx)
{
	enum ois_direction dir = *(enum ois_direction *)ctx;
	if (dir == OIS_DIR_TO_INTERACTION && o->target == OIS_EXCHANGE)
		return 0;
	if (dir == OIS_DIR_TO_EXCHANGE && o->target == OIS_INTERACTION)
		return 0;
	return 1;
}

static int keep_non_delete(const struct ois_rc_op *o, void *ctx)
{
	struct ois_rc_result *res = ctx;
	if (o->action != OIS_ACT_DELETE)
		return 1;
	res->hold_checkpoint[!o->target] = 1; /* the side whose deletions caused it */
	res->held_back++;
	return 0;
}

/* oisync-reconcile(1), "Guard": more deletes than max(min, percent of the pairs) wait for a person. */
static int guard(const struct ois_rc_input *in, struct ois_rc_result *res)
{
	size_t limit = (size_t)(in->settings.mass_delete_percent > 0 ? in->settings.mass_delete_percent : 0) *
		       in->pairs_total / 100;
	if (limit < (size_t)(in->settings.mass_delete_min > 0 ? in->settings.mass_delete_min : 0))
		limit = (size_t)in->settings.mass_delete_min;
	size_t deletes = res->counts[OIS_ACT_DELETE];
	if (deletes <= limit || in->allow_mass_delete)
		return 0;
	filter_ops(res, keep_non_delete, res);
	res->counts[OIS_ACT_DELETE] = 0;
	ois_error("held back %zu deletes, more than %zu of %zu pairs; check the source and run again "
		  "with --allow-mass-delete to confirm", deletes, limit, in->pairs_total);
	return 1;
}

void ois_rc_index(struct ois_rc_input *in)
{
	for (int s = 0; s < OIS_SIDES; s++)
		if (!in->u[s])
			in->u[s] = ois_rc_unique_items(in->items[s], in->nitems[s], &in->nu[s]);
}

int ois_reconcile(struct ois_rc_input *in, struct ois_rc_result *res)
{
	struct ops ops = { 0 };
	memset(res, 0, sizeof(*res));
	if (is_calendar(in))
		ois_rc_calendar_mark(in);
	ois_rc_index(in);
	/* First sync: pairs are ignored entirely, so nothing can look deleted. */
	if (!in->first_sync)
		do_pairs(in, in->u, in->nu, &ops);
	do_unpaired(in, in->u, in->nu, &ops);
	res->skipped_creates = ops.skipped;

	res->ops = ops.v;
	res->nops = ops.n;
	filter_ops(res, keep_direction, &in->settings.direction);
	if (res->nops)
		qsort(res->ops, res->nops, sizeof(*res->ops), cmp_op);
	for (size_t i = 0; i < res->nops; i++)
		res->counts[res->ops[i].action]++;
	return guard(in, res);
}

void ois_rc_result_release(struct ois_rc_result *res)
{
	for (size_t i = 0; i < res->nops; i++)
		drop_op(&res->ops[i]);
	free(res->ops);
	memset(res, 0, sizeof(*res));
}

void ois_rc_pair_release(struct ois_rc_pair *p)
{
	free(p->pair_id);
	for (int s = 0; s < OIS_SIDES; s++) {
		free(p->id[s]);
		free(p->version[s]);
	}
	json_object_put(p->base);
	free(p->base_hash);
}

void ois_rc_input_release(struct ois_rc_input *in)
{
	for (int s = 0; s < OIS_SIDES; s++) {
		for (size_t i = 0; i < in->nitems[s]; i++) {
			struct ois_rc_item *it = &in->items[s][i];
			json_object_put(it->data);
			if (it->in_arena)
				continue;
			free(it->id);
			free(it->version);
			free(it->modified);
			free(it->op_tag);
			free(it->data_text);
		}
		free(in->items[s]);
		in->items[s] = NULL;
		in->nitems[s] = 0;
		free(in->u[s]);
		in->u[s] = NULL;
	}
	ois_arena_release(&in->strings);
	for (size_t i = 0; i < in->npairs; i++)
		ois_rc_pair_release(&in->pairs[i]);
	free(in->pairs);
	in->pairs = NULL;
	in->npairs = 0;
}
