/* canonjson.h - a canonical JSON text (sorted keys, no spaces) and its SHA-256. */
#ifndef OIS_CANONJSON_H
#define OIS_CANONJSON_H

#include "buf.h"

#include <json-c/json.h>

/*
 * Append obj to out with object keys sorted bytewise and no insignificant
 * white space, so equal values always give equal text. Doubles print with
 * %.17g. A NULL obj prints as null.
 */
void ois_json_canonical(const json_object *obj, struct ois_buf *out);

/*
 * A copy of obj with every object's keys in canonical order, so a value
 * also reads in the order its hash covers (diff, jq). Scalars are shared,
 * not copied (a reference is taken).
 */
json_object *ois_json_sorted_copy(json_object *obj);

#define OIS_HASH_LEN (7 + 64 + 1) /* "sha256:" + hex + NUL */

/* "sha256:<hex>" of the canonical text of obj, into out. */
void ois_json_hash(const json_object *obj, char out[OIS_HASH_LEN]);
/* "sha256:<hex>" of len bytes at data. */
void ois_sha256_hex(const void *data, size_t len, char out[OIS_HASH_LEN]);

/* 1 when a and b have the same canonical text. */
int ois_json_equal(const json_object *a, const json_object *b);

#endif
