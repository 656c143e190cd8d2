/* canon_merge.h - two sides' canonical data merged unit by unit: the pure rules reconcile and apply share. */
#ifndef OIS_CANON_MERGE_H
#define OIS_CANON_MERGE_H

#include "config.h"
#include "record.h"

#include <json-c/json.h>
#include <stddef.h>

/*
 * Values here are what ois_canon_get returns: borrowed from the data they
 * were read from, NULL when the unit is empty. u is a kind's unit table
 * (ois_canon_units), n its length.
 */

/* The most units a kind has; the table is small and fixed. */
#define OIS_CANON_MAX_UNITS 64

/* Each unit's value in data into v (up to OIS_CANON_MAX_UNITS): looked up once per item. Returns n. */
size_t ois_canon_view(const char *const *u, json_object *data, json_object **v);

/*
 * The side whose value wins a conflict under policy: newest-wins compares
 * modified (RFC 3339 UTC); missing or equal times give Exchange.
 */
enum ois_side ois_merge_winner(enum ois_conflict policy, const char *const modified[OIS_SIDES]);

/*
 * Two-way merge of two items matched without a base, into m: equal units
 * stay; a unit one side does not carry or leaves empty takes the other's
 * value; two different values are a conflict the winner's value takes,
 * and conflict[i] says so (1; else 0).
 */
void ois_canon_merge2(const char *const *u, size_t n, json_object *const *vc[OIS_SIDES], enum ois_side winner,
		      json_object **m, unsigned char *conflict);

/* Units side carries whose value vc is not the merged one m, in table order: a new array, NULL when none. */
json_object *ois_canon_fields_to_write(const char *const *u, size_t n, enum ois_side side, json_object *const *vc,
				       json_object *const *m);

/* The merged data as a new object: base (NULL: nothing) with every unit whose m differs from vb set. */
json_object *ois_canon_build(const char *const *u, size_t n, json_object *base, json_object *const *vb,
			     json_object *const *m);

/* ois_canon_merge2 over whole data objects, for a caller that holds no unit views. */
struct ois_merge2 {
	json_object *data;               /* the merged data */
	json_object *fields[OIS_SIDES];  /* units to write on each side to reach data, NULL when none */
	json_object *conflicts;          /* units both sides held differently (array of names), NULL when none */
	enum ois_side winner;            /* whose values settled them */
};

/*
 * Merge data[EXCHANGE] and data[INTERACTION] of kind ("contact"), both
 * canonical and normalized, as reconcile merges two items matched without
 * a base. out is overwritten and owns what it holds: ois_merge2_release.
 * A kind without units is a bug.
 */
void ois_merge2_data(const char *kind, json_object *const data[OIS_SIDES], enum ois_side winner,
		     struct ois_merge2 *out);
void ois_merge2_release(struct ois_merge2 *out);

#endif
