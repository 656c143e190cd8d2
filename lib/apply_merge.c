/* apply_merge.c - a create that adopted an existing item merges with it in the same run, as a pair without a base. */
#include "apply.h"
#include "canon_fields.h"
#include "canon_merge.h"
#include "code.h"
#include "log.h"
#include "normalize.h"
#include "phone_display.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * How to merge: the op's "merge" (the policy and direction reconcile
 * used), else the account's settings, for a change set made by hand.
 */
static void merge_rules(struct ois_apply_run *run, json_object *op, enum ois_conflict *policy, enum ois_direction *dir,
			const char **modified)
{
	json_object *m = ois_json_obj(op, "merge");
	const struct ois_user *u = ois_config_user_by_mailbox(run->cfg, run->account);
	const struct ois_sync_settings *set = u ? &u->settings : &run->cfg->defaults;
	int p = ois_conflict_parse(ois_json_str(m, "policy")), d = ois_direction_parse(ois_json_str(m, "direction"));
	*dir = d >= 0 ? (enum ois_direction)d : set->direction;
	*policy = p >= 0 ? (enum ois_conflict)p : ois_sync_policy(set);
	*modified = ois_json_str(m, "modified");
}

/* 0 when a one-way sync keeps side as it is: only its source side is never written. */
static int writable(enum ois_direction dir, enum ois_side side)
{
	if (dir == OIS_DIR_TO_INTERACTION)
		return side == OIS_INTERACTION;
	if (dir == OIS_DIR_TO_EXCHANGE)
		return side == OIS_EXCHANGE;
	return 1;
}

/* "merge" of the result line: who the item met, which values differed (both, so the loser stays visible), what was written. */
static json_object *report(json_object *const data[OIS_SIDES], const struct ois_merge2 *m,
			   enum ois_conflict policy, const char *id, json_object *written)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "with", json_object_new_string(id));
	json_object_object_add(r, "policy", json_object_new_string(ois_conflict_name(policy)));
	if (m->conflicts) {
		json_object *c = json_object_new_object();
		for (size_t i = 0; i < json_object_array_length(m->conflicts); i++) {
			const char *unit = json_object_get_string(json_object_array_get_idx(m->conflicts, i));
			json_object *both = json_object_new_object();
			for (int s = 0; s < OIS_SIDES; s++) {
				json_object *v = NULL;
				if (json_object_deep_copy(ois_canon_get(data[s], unit), &v, NULL) != 0)
					OIS_BUG("json_object_deep_copy failed");
				json_object_object_add(both, ois_side_name((enum ois_side)s), v);
			}
			json_object_object_add(c, unit, both);
		}
		json_object_object_add(r, "conflicts", c);
		json_object_object_add(r, "kept", json_object_new_string(ois_side_name(m->winner)));
	}
	json_object_object_add(r, "updated", json_object_get(written));
	return r;
}

static char *unit_list(json_object *units)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "");
	for (size_t i = 0; i < json_object_array_length(units); i++)
		ois_buf_addf(&b, "%s%s", i ? ", " : "", json_object_get_string(json_object_array_get_idx(units, i)));
	return ois_buf_detach(&b, NULL);
}

int ois_apply_merge_adopted(struct ois_apply_run *run, json_object *op, const struct ois_adopted *adopted, const char *id,
			char **version, json_object **recorded, json_object **result_key)
{
	*recorded = *result_key = NULL;
	const char *kind = ois_json_str(op, "kind");
	int target = ois_side_parse(ois_json_str(op, "target"));
	if (target < 0 || !ois_canon_units(kind))
		return 0; /* nothing to merge unit by unit: the item is taken as it is */
	enum ois_side source = (enum ois_side)!target;

	/* Compare normalized with normalized, as reconcile would: a difference in format is none. */
	json_object *theirs = NULL;
	if (json_object_deep_copy(adopted->data, &theirs, NULL) != 0)
		OIS_BUG("json_object_deep_copy failed");
	char *label = ois_xasprintf("%s %s", ois_side_name((enum ois_side)target), id);
	const char *region = ois_config_phone_region(run->cfg, run->user ? ois_config_user(run->cfg, run->user) : NULL);
	ois_contact_finish(theirs, run->conn[target]->be->map, region,
			   run->cfg->phone_format == OIS_PHONE_AS_TYPED, label);
	free(label);

	enum ois_conflict policy;
	enum ois_direction dir;
	const char *modified[OIS_SIDES];
	merge_rules(run, op, &policy, &dir, &modified[source]);
	modified[target] = adopted->modified;
	json_object *data[OIS_SIDES];
	data[source] = ois_json_obj(op, "data");
	data[target] = theirs;
	struct ois_merge2 m;
	ois_merge2_data(kind, data, ois_merge_winner(policy, modified), &m);
	ois_phones_typed_carry(m.data, data, OIS_SIDES);

	/*
	 * The source first: its version is the older one (read by extract),
	 * so a change made there since is found before the target is touched.
	 * A side that moved is a conflict: nothing of this merge is folded,
	 * the checkpoints stay, and the next run matches the two again.
	 */
	json_object *written = json_object_new_array();
	/* Sent as the servers are written (phone_format), compared and folded as canonical. */
	json_object *sent = ois_contact_written(m.data, kind, (enum ois_phone_format)run->cfg->phone_format);
	char *source_version = NULL;
	int rc = 0;
	const char *sid = ois_json_str(ois_json_obj(op, "ids"), ois_side_name(source));
	if (m.fields[source] && writable(dir, source) && !sid)
		ois_notice("%s %s: the op names no %s item to merge into; %s left as it is", kind, id,
			   ois_side_name(source), ois_side_label(source));
	if (m.fields[source] && writable(dir, source) && sid) {
		if (!(rc = ois_apply_open_side(run, source))) {
			struct ois_conn *d = run->conn[source];
			rc = d->be->update(d, kind, sid, ois_json_str(ois_json_obj(op, "versions"), ois_side_name(source)),
				       sent, m.fields[source], &source_version);
		}
		if (!rc)
			json_object_array_add(written, json_object_new_string(ois_side_name(source)));
	}
	if (!rc && m.fields[target] && writable(dir, (enum ois_side)target)) {
		struct ois_conn *d = run->conn[target];
		char *v = NULL;
		rc = d->be->update(d, kind, id, *version, sent, m.fields[target], &v);
		if (!rc) {
			free(*version);
			*version = v;
			json_object_array_add(written, json_object_new_string(ois_side_name((enum ois_side)target)));
		}
	}
	if (m.conflicts) {
		char *units = unit_list(m.conflicts);
		ois_notice("%s %s matched an existing %s item by e-mail; conflict on %s: %s kept (%s)%s", kind, id,
			   ois_side_label((enum ois_side)target), units, ois_side_label(m.winner), ois_conflict_name(policy),
			   rc ? "; not written" : "");
		free(units);
	} else if (json_object_array_length(written)) {
		ois_info("%s %s merged with the existing %s item", kind, id, ois_side_label((enum ois_side)target));
	}
	*result_key = report(data, &m, policy, id, written);
	if (!rc) {
		/* What the fold makes the pair's base: the merged data, at the versions just written. */
		if (json_object_deep_copy(op, recorded, NULL) != 0)
			OIS_BUG("json_object_deep_copy failed");
		json_object_object_add(*recorded, "data", json_object_get(m.data));
		json_object *versions = ois_json_obj(*recorded, "versions");
		if (source_version && versions)
			json_object_object_add(versions, ois_side_name(source), json_object_new_string(source_version));
	}
	free(source_version);
	json_object_put(sent);
	json_object_put(written);
	ois_merge2_release(&m);
	json_object_put(theirs);
	return rc;
}
