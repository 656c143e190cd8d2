/* canon_fields.h - the merge units of canonical data: which exist, which side carries them, get/set. */
#ifndef OIS_CANON_FIELDS_H
#define OIS_CANON_FIELDS_H

#include "record.h"

#include <json-c/json.h>

/*
 * A merge unit is the smallest part of canonical data (oisync-records(5),
 * "CANONICAL CONTACT DATA") that reconcile compares, merges and writes on
 * its own: a string field, the address of one e-mail kind, one phone by
 * kind, one whole address object, one custom field, the whole sorted
 * category list, the private flag.
 *
 * lib/contact_fields.def and lib/appointment_fields.def declare them, in
 * the order of an op's "fields", with the sides that carry each. A unit a
 * side does not carry is "unknown" there, never "empty": reconcile never
 * compares it on that side. A name both kinds use (notes, categories,
 * private) means the same in both, and both sides carry it in both, so a
 * unit name alone says how it merges.
 */

/*
 * The unit names of kind ("contact", "appointment") in table order,
 * NULL-terminated; NULL for a kind without a table. Static storage.
 */
const char *const *ois_canon_units(const char *kind);
/* Number of units of kind (0 for an unknown kind). */
size_t ois_canon_unit_count(const char *kind);
/* Position of unit in kind's table, or -1 when kind has no such unit. */
int ois_canon_unit_index(const char *kind, const char *unit);

/* 1 when side carries unit (any kind), 0 when not or when unit is unknown. */
int ois_canon_side_supports(enum ois_side side, const char *unit);

/*
 * The value of unit in canonical data: a string (most units, emails.KIND is
 * the address), the categories array, an address object, or true for
 * private. Empty values ("" [] {} false null) and absent keys give NULL,
 * because absent means empty. The pointer is borrowed from data (no
 * reference taken); data NULL gives NULL.
 */
json_object *ois_canon_get(json_object *data, const char *unit);

/*
 * Set unit in data to a deep copy of value (borrowed; NULL or an empty
 * value clears the unit), keeping the canonical shape: the emails list is
 * rebuilt in work, home, other order with one entry per kind; a phones or
 * addresses object left empty is removed; custom stays an array of exactly
 * four strings, removed when all are empty. Unknown units are a bug
 * (OIS_BUG): callers take names from the table.
 */
void ois_canon_set(json_object *data, const char *unit, json_object *value);

/* 1 when unit has the same value in a and b (NULL data counts as empty). */
int ois_canon_unit_equal(json_object *a, json_object *b, const char *unit);

/* 1 when two values ois_canon_get returned are equal (NULL equals only NULL). */
int ois_canon_value_equal(json_object *va, json_object *vb);

/* 1 when v is null, "", [], {} or false: what canonical data never holds. */
int ois_canon_is_empty(json_object *v);

#endif
