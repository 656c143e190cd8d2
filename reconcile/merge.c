/* merge.c - the decision for one item: each case one commented branch, as vdirsyncer's _get_actions. */
#include "merge.h"
#include "buf.h"
#include "canon_fields.h"
#include "canon_merge.h"
#include "phone_display.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static json_object *copy(json_object *v)
{
	json_object *c = NULL;
	if (!v)
		return json_object_new_object();
	if (json_object_deep_copy(v, &c, NULL) != 0)
		OIS_BUG("json_object_deep_copy failed");
	return c;
}

static const char *const *units_of(const char *kind)
{
	const char *const *u = ois_canon_units(kind);
	if (!u)
		OIS_BUG("no merge units for kind \"%s\"", kind ? kind : "(null)");
	return u;
}

static struct ois_decision *add(struct ois_merge_out *out, enum ois_action a, int target,
				json_object *data, char *reason)
{
	if (out->n == OIS_MERGE_MAX)
		OIS_BUG("more than %d decisions for one item", OIS_MERGE_MAX);
	struct ois_decision *d = &out->d[out->n++];
	d->action = a;
	d->target = target;
	d->data = data;
	d->fields = NULL;
	d->conflicts = NULL;
	d->reason = reason;
	return d;
}

/* 1 when cur differs from base in a unit that side carries: an edit. */
static int edited(const char *kind, enum ois_side side, json_object *cur, json_object *base)
{
	const char *const *u = units_of(kind);
	for (size_t i = 0; u[i]; i++)
		if (ois_canon_side_supports(side, u[i]) && !ois_canon_unit_equal(cur, base, u[i]))
			return 1;
	return 0;
}

/*
 * Merged data m takes along the text each of its numbers was typed as
 * (phone_format = as-typed), from the items its values came from: a value
 * one side holds has that side's text, one only the base holds the base's.
 */
static void carry_typed(json_object *m, json_object *a, json_object *b, json_object *base)
{
	json_object *from[] = { a, b, base };
	ois_phones_typed_carry(m, from, OIS_ARRAY_SIZE(from));
}

/* The data side keeps carrying, completed from base where side does not carry a unit. */
static json_object *restore(const char *kind, enum ois_side side, json_object *cur, json_object *base)
{
	json_object *m = copy(base);
	const char *const *u = units_of(kind);
	for (size_t i = 0; u[i]; i++)
		if (ois_canon_side_supports(side, u[i]))
			ois_canon_set(m, u[i], ois_canon_get(cur, u[i]));
	carry_typed(m, cur, NULL, base);
	return m;
}

static void note_conflict(struct ois_buf *conflicts, const char *unit)
{
	ois_buf_addf(conflicts, "%s%s", conflicts->len ? ", " : "", unit);
}

/*
 * Three-way merge against base (oisync-reconcile(1), "Merge rules"): a unit changed on one side
 * only takes that side's value; changed on both to one value takes it;
 * changed on both differently is a conflict the policy's winner takes.
 * A unit a side does not carry never counts as changed there.
 */
static void merge3(const char *const *u, size_t n, json_object *const *vb, json_object *const *vc[OIS_SIDES],
		   enum ois_side winner, json_object **m, unsigned char *conflict)
{
	for (size_t i = 0; i < n; i++) {
		int ch[OIS_SIDES];
		conflict[i] = 0;
		for (int s = 0; s < OIS_SIDES; s++)
			ch[s] = ois_canon_side_supports((enum ois_side)s, u[i]) && !ois_canon_value_equal(vc[s][i], vb[i]);
		if (!ch[OIS_EXCHANGE] && !ch[OIS_INTERACTION])
			m[i] = vb[i]; /* neither side changed it: base stays */
		else if (!ch[OIS_INTERACTION])
			m[i] = vc[OIS_EXCHANGE][i]; /* only Outlook changed it */
		else if (!ch[OIS_EXCHANGE])
			m[i] = vc[OIS_INTERACTION][i]; /* only InterAction changed it */
		else if (ois_canon_value_equal(vc[OIS_EXCHANGE][i], vc[OIS_INTERACTION][i]))
			m[i] = vc[OIS_EXCHANGE][i]; /* the same edit on both sides */
		else {
			m[i] = vc[winner][i]; /* conflict: the policy decides */
			conflict[i] = 1;
		}
	}
}

/*
 * The conflicts an update toward side settles against it: units both sides
 * changed differently whose merged value is not side's (the winner's own
 * update, if any, never names them). A new array, NULL when none.
 */
static json_object *lost(enum ois_side side, const char *const *u, size_t n, const unsigned char *conflict,
			 json_object *const *vc, json_object *const *m)
{
	json_object *a = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!conflict[i] || !ois_canon_side_supports(side, u[i]) || ois_canon_value_equal(vc[i], m[i]))
			continue;
		if (!a)
			a = json_object_new_array();
		json_object_array_add(a, json_object_new_string(u[i]));
	}
	return a;
}

static char *update_reason(enum ois_side target, json_object *fields, const char *conflicts,
			   enum ois_side winner, enum ois_conflict policy)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_addf(&b, "changed in %s:", ois_side_label(!target));
	for (size_t i = 0; i < json_object_array_length(fields); i++)
		ois_buf_addf(&b, "%s %s", i ? "," : "", json_object_get_string(json_object_array_get_idx(fields, i)));
	if (*conflicts)
		ois_buf_addf(&b, "; conflict on %s: %s kept (%s)", conflicts, ois_side_label(winner),
			     ois_conflict_name(policy));
	return ois_buf_detach(&b, NULL);
}

/* Both items are there: merge, then update each side that lacks part of the result. */
static void both_present(const struct ois_merge_in *in, json_object *const cur[OIS_SIDES],
			 struct ois_merge_out *out)
{
	const char *const *u = units_of(in->kind);
	json_object *vb[OIS_CANON_MAX_UNITS], *vcs[OIS_SIDES][OIS_CANON_MAX_UNITS], *mv[OIS_CANON_MAX_UNITS];
	json_object *const *vc[OIS_SIDES] = { vcs[OIS_EXCHANGE], vcs[OIS_INTERACTION] };
	size_t n = ois_canon_view(u, in->base, vb); /* all NULL without a base */
	for (int s = 0; s < OIS_SIDES; s++)
		ois_canon_view(u, cur[s], vcs[s]);
	struct ois_buf conflicts = OIS_BUF_INIT;
	unsigned char conflict[OIS_CANON_MAX_UNITS];
	enum ois_side w = ois_merge_winner(in->policy, in->modified);
	if (in->base)
		merge3(u, n, vb, vc, w, mv, conflict);
	else
		ois_canon_merge2(u, n, vc, w, mv, conflict);
	for (size_t i = 0; i < n; i++)
		if (conflict[i])
			note_conflict(&conflicts, u[i]);
	const char *cf = conflicts.len ? conflicts.data : "";

	json_object *fields[OIS_SIDES];
	for (int s = 0; s < OIS_SIDES; s++)
		fields[s] = ois_canon_fields_to_write(u, n, (enum ois_side)s, vc[s], mv);
	const char *refresh = NULL;
	if (in->base && !fields[OIS_EXCHANGE] && !fields[OIS_INTERACTION]) {
		int moved = 0;
		for (size_t i = 0; i < n && !moved; i++)
			moved = !ois_canon_value_equal(mv[i], vb[i]);
		if (moved)
			/* Nothing to write, yet the agreed data moved (the same edit on both sides): refresh the base. */
			refresh = "same change on both sides";
		else if ((in->seen[OIS_EXCHANGE] == OIS_SEEN_UPSERT && in->version_moved[OIS_EXCHANGE]) ||
			 (in->seen[OIS_INTERACTION] == OIS_SEEN_UPSERT && in->version_moved[OIS_INTERACTION]))
			/* A change outside the synced units moved a version: record it, or the next write would conflict. */
			refresh = "new version, no synced change";
		else if (in->unrecorded)
			/* Both as the lost create left them: the pair itself is what is missing. */
			refresh = "made by a create whose answer was lost";
		else {
			/* Both unchanged: nothing to do (the common case: no object is built). */
			ois_buf_release(&conflicts);
			return;
		}
	}
	json_object *m = ois_canon_build(u, n, in->base, vb, mv);
	carry_typed(m, cur[OIS_EXCHANGE], cur[OIS_INTERACTION], in->base);
	if (!in->base) {
		/* Matched across sides (first sync or two new items): pair them, no create. */
		struct ois_buf why = OIS_BUF_INIT;
		ois_buf_addf(&why, "matched %s and %s items", ois_side_label(OIS_EXCHANGE), ois_side_label(OIS_INTERACTION));
		if (in->matched_by)
			ois_buf_addf(&why, " by %s", in->matched_by);
		if (conflicts.len)
			ois_buf_addf(&why, "; conflict on %s: %s kept (%s)", cf, ois_side_label(w), ois_conflict_name(in->policy));
		add(out, OIS_ACT_LINK, -1, json_object_get(m), ois_buf_detach(&why, NULL));
	}
	if (refresh)
		add(out, OIS_ACT_LINK, -1, json_object_get(m), ois_xstrdup(refresh));
	for (int s = 0; s < OIS_SIDES; s++) {
		if (!fields[s])
			continue; /* this side already holds every unit of the result it carries */
		struct ois_decision *d = add(out, OIS_ACT_UPDATE, s, json_object_get(m),
					     update_reason((enum ois_side)s, fields[s], cf, w, in->policy));
		d->fields = fields[s];
		d->conflicts = lost((enum ois_side)s, u, n, conflict, vc[s], mv);
	}
	json_object_put(m);
	ois_buf_release(&conflicts);
}

/* A create toward target, unless target's folder was not read completely (its twin may be unread). */
static void create_on(const struct ois_merge_in *in, enum ois_side target, json_object *data,
		      char *reason, struct ois_merge_out *out)
{
	if (!in->complete[target]) {
		out->skipped = ois_xasprintf("not created in %s (%s): its folder was not read to the end",
					     ois_side_label(target), reason);
		free(reason);
		json_object_put(data);
		return;
	}
	add(out, OIS_ACT_CREATE, target, data, reason);
}

void ois_merge(const struct ois_merge_in *in, struct ois_merge_out *out)
{
	enum ois_seen seen[OIS_SIDES];
	json_object *cur[OIS_SIDES];
	memset(out, 0, sizeof(*out));
	for (int s = 0; s < OIS_SIDES; s++) {
		seen[s] = in->seen[s];
		/* A delete from a side whose checkpoint was not read is not trusted: the item counts as unchanged. */
		if (seen[s] == OIS_SEEN_DELETED && !in->complete[s])
			seen[s] = in->base ? OIS_SEEN_BASE : OIS_SEEN_ABSENT;
		/* A delete of an item no pair knows is nothing to act on. */
		if (seen[s] == OIS_SEEN_DELETED && !in->base)
			seen[s] = OIS_SEEN_ABSENT;
		if (seen[s] == OIS_SEEN_BASE && !in->base)
			OIS_BUG("an unpaired item cannot be unchanged since a base");
		cur[s] = seen[s] == OIS_SEEN_UPSERT ? in->data[s] : seen[s] == OIS_SEEN_BASE ? in->base : NULL;
	}
	int gone[OIS_SIDES];
	for (int s = 0; s < OIS_SIDES; s++)
		gone[s] = seen[s] == OIS_SEEN_DELETED || seen[s] == OIS_SEEN_ABSENT;

	if (!in->base) {
		if (gone[OIS_EXCHANGE] && gone[OIS_INTERACTION])
			return; /* nothing on either side (an unknown delete): nothing to do */
		for (int s = 0; s < OIS_SIDES; s++)
			if (gone[!s]) {
				/* New on side s only, no twin found: create it on the other side. */
				create_on(in, (enum ois_side)!s, copy(cur[s]),
					  ois_xasprintf("new in %s", ois_side_label((enum ois_side)s)), out);
				return;
			}
		both_present(in, cur, out); /* two unpaired items matched: link and merge */
		return;
	}

	if (gone[OIS_EXCHANGE] && gone[OIS_INTERACTION]) {
		/* Gone on both sides: forget the pair, no server call. */
		add(out, OIS_ACT_UNLINK, -1, NULL, ois_xstrdup(seen[OIS_EXCHANGE] == OIS_SEEN_DELETED &&
							       seen[OIS_INTERACTION] == OIS_SEEN_DELETED
							       ? "deleted on both sides" : "no item left on either side"));
		return;
	}
	for (int g = 0; g < OIS_SIDES; g++) {
		if (!gone[g])
			continue;
		enum ois_side o = (enum ois_side)!g;
		if (seen[g] == OIS_SEEN_ABSENT) {
			/* The pair never got an item on side g (a create that failed): make it now. */
			create_on(in, (enum ois_side)g, restore(in->kind, o, cur[o], in->base),
				  ois_xasprintf("missing in %s", ois_side_label((enum ois_side)g)), out);
			return;
		}
		if (!edited(in->kind, o, cur[o], in->base)) {
			/* Deleted on g, unchanged on the other side: delete it there too. */
			add(out, OIS_ACT_DELETE, o, NULL,
			    ois_xasprintf("deleted in %s", ois_side_label((enum ois_side)g)));
			return;
		}
		/* Deleted on g but edited on the other side: the edit wins, the item comes back on g. */
		create_on(in, (enum ois_side)g, restore(in->kind, o, cur[o], in->base),
			  ois_xasprintf("deleted in %s but edited in %s: kept", ois_side_label((enum ois_side)g),
					ois_side_label(o)), out);
		return;
	}
	if (seen[OIS_EXCHANGE] == OIS_SEEN_BASE && seen[OIS_INTERACTION] == OIS_SEEN_BASE)
		return; /* neither side reported it: unchanged on both, nothing to do */
	/* Present on both sides: three-way merge against the base. */
	both_present(in, cur, out);
}

void ois_merge_out_release(struct ois_merge_out *out)
{
	for (size_t i = 0; i < out->n; i++) {
		json_object_put(out->d[i].data);
		json_object_put(out->d[i].fields);
		json_object_put(out->d[i].conflicts);
		free(out->d[i].reason);
	}
	free(out->skipped);
	memset(out, 0, sizeof(*out));
}
