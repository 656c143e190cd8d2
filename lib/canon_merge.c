/* canon_merge.c - the unit-by-unit merge rules shared by reconcile's decision and apply's adoption merge. */
#include "canon_merge.h"
#include "canon_fields.h"
#include "rfc3339.h"
#include "util.h"

#include <string.h>

enum ois_side ois_merge_winner(enum ois_conflict policy, const char *const modified[OIS_SIDES])
{
	switch (policy) {
	case OIS_EXCHANGE_WINS:
		return OIS_EXCHANGE;
	case OIS_INTERACTION_WINS:
		return OIS_INTERACTION;
	case OIS_NEWEST_WINS:
		break;
	}
	/* Only a strictly newer InterAction edit beats Exchange; missing times or a tie keep Exchange. */
	if (modified[OIS_EXCHANGE] && modified[OIS_INTERACTION] &&
	    ois_time_cmp(modified[OIS_INTERACTION], modified[OIS_EXCHANGE]) > 0)
		return OIS_INTERACTION;
	return OIS_EXCHANGE;
}

size_t ois_canon_view(const char *const *u, json_object *data, json_object **v)
{
	size_t n = 0;
	for (; u[n]; n++) {
		if (n == OIS_CANON_MAX_UNITS)
			OIS_BUG("more than %d merge units", OIS_CANON_MAX_UNITS);
		v[n] = ois_canon_get(data, u[n]);
	}
	return n;
}

void ois_canon_merge2(const char *const *u, size_t n, json_object *const *vc[OIS_SIDES], enum ois_side winner,
		      json_object **m, unsigned char *conflict)
{
	for (size_t i = 0; i < n; i++) {
		conflict[i] = 0;
		json_object *ex = vc[OIS_EXCHANGE][i], *ia = vc[OIS_INTERACTION][i];
		if (!ois_canon_side_supports(OIS_INTERACTION, u[i]))
			m[i] = ex; /* only Outlook carries it */
		else if (!ois_canon_side_supports(OIS_EXCHANGE, u[i]))
			m[i] = ia; /* only InterAction carries it */
		else if (ois_canon_value_equal(ex, ia))
			m[i] = ex; /* both agree */
		else if (!ex || !ia)
			m[i] = ex ? ex : ia; /* one side has nothing there */
		else {
			m[i] = winner == OIS_EXCHANGE ? ex : ia; /* conflict: the policy decides */
			conflict[i] = 1;
		}
	}
}

json_object *ois_canon_fields_to_write(const char *const *u, size_t n, enum ois_side side, json_object *const *vc,
				       json_object *const *m)
{
	json_object *f = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!ois_canon_side_supports(side, u[i]) || ois_canon_value_equal(vc[i], m[i]))
			continue;
		if (!f)
			f = json_object_new_array();
		json_object_array_add(f, json_object_new_string(u[i]));
	}
	return f;
}

json_object *ois_canon_build(const char *const *u, size_t n, json_object *base, json_object *const *vb,
			     json_object *const *m)
{
	json_object *obj = NULL;
	if (!base)
		obj = json_object_new_object();
	else if (json_object_deep_copy(base, &obj, NULL) != 0)
		OIS_BUG("json_object_deep_copy failed");
	for (size_t i = 0; i < n; i++)
		if (!ois_canon_value_equal(m[i], vb[i]))
			ois_canon_set(obj, u[i], m[i]);
	return obj;
}

void ois_merge2_data(const char *kind, json_object *const data[OIS_SIDES], enum ois_side winner,
		     struct ois_merge2 *out)
{
	const char *const *u = ois_canon_units(kind);
	if (!u)
		OIS_BUG("no merge units for kind \"%s\"", kind ? kind : "(null)");
	json_object *vb[OIS_CANON_MAX_UNITS] = { 0 }, *vcs[OIS_SIDES][OIS_CANON_MAX_UNITS], *m[OIS_CANON_MAX_UNITS];
	json_object *const *vc[OIS_SIDES] = { vcs[OIS_EXCHANGE], vcs[OIS_INTERACTION] };
	size_t n = 0;
	for (int s = 0; s < OIS_SIDES; s++)
		n = ois_canon_view(u, data[s], vcs[s]);
	unsigned char conflict[OIS_CANON_MAX_UNITS];
	ois_canon_merge2(u, n, vc, winner, m, conflict);
	memset(out, 0, sizeof(*out));
	out->winner = winner;
	out->data = ois_canon_build(u, n, NULL, vb, m);
	for (int s = 0; s < OIS_SIDES; s++)
		out->fields[s] = ois_canon_fields_to_write(u, n, (enum ois_side)s, vc[s], m);
	for (size_t i = 0; i < n; i++) {
		if (!conflict[i])
			continue;
		if (!out->conflicts)
			out->conflicts = json_object_new_array();
		json_object_array_add(out->conflicts, json_object_new_string(u[i]));
	}
}

void ois_merge2_release(struct ois_merge2 *out)
{
	json_object_put(out->data);
	for (int s = 0; s < OIS_SIDES; s++)
		json_object_put(out->fields[s]);
	json_object_put(out->conflicts);
	memset(out, 0, sizeof(*out));
}
