/* json_scan.h - a strict JSON scanner: an object's members and a value's canonical text without a json-c tree. */
#ifndef OIS_JSON_SCAN_H
#define OIS_JSON_SCAN_H

#include "buf.h"

#include <stddef.h>

/*
 * For a reader that holds many records and needs a few keys of each (the
 * reconcile of a full read), a json-c tree per record costs more than the
 * work. This scanner reads a subset of JSON with no allocation and says
 * -1 for anything outside it; the caller then parses with json-c, which
 * accepts more and names what is wrong. So -1 says nothing of validity,
 * and every text the scanner accepts is one json-c parses to the same
 * value. The subset:
 *   - white space: space, tab and CR;
 *   - strings without control characters, whose escapes are only \" \\ \b
 *     \f \n \r \t (json-c writes those back as they were); object keys
 *     without any escape;
 *   - integers of at most 18 digits, without a fraction, an exponent, a
 *     leading zero or "-0";
 *   - true, false, null; nesting at most OIS_JSON_SCAN_DEPTH deep; no key
 *     twice in one object.
 * The text must be valid UTF-8 (ois_utf8_valid): the scanner does not look.
 */
#define OIS_JSON_SCAN_DEPTH 16

/* One member of a scanned object: borrowed from the scanned text. */
struct ois_json_member {
	const char *key;      /* the key's bytes, without quotes (no escapes in the subset) */
	size_t key_len;
	const char *value;    /* the value's text, white space around it left out */
	size_t value_len;
};

/*
 * The members of the object that text[0..len) holds, white space around it
 * allowed (one JSON-lines line), in text order, at most max of them, into
 * m. Returns how many, or -1 outside the subset or with more than max.
 */
int ois_json_scan_object(const char *text, size_t len, struct ois_json_member *m, size_t max);

/*
 * What a scanned member's value is as a C string: 1 for a string without
 * escapes (*s, *n: its bytes, no quotes; the same bytes json-c gives), 0
 * for a value that is not a string, -1 for a string with an escape.
 */
int ois_json_member_string(const struct ois_json_member *m, const char **s, size_t *n);

/* 1 when the member's key is key. */
int ois_json_member_is(const struct ois_json_member *m, const char *key);

/* 1 when text[0..len) is one object of the subset (so json-c parses it to an object). */
int ois_json_scan_is_object(const char *text, size_t len);

/*
 * Append the canonical text (ois_json_canonical, lib/canonjson.h) of the
 * value text[0..len) holds to out: the same bytes as the canonical text of
 * what json-c parses from it. Returns 0, or -1 outside the subset (out is
 * then left as it was).
 */
int ois_json_scan_canonical(const char *text, size_t len, struct ois_buf *out);

#endif
