/* jsonl.h - streaming JSON-lines reader and writer on json-c. */
#ifndef OIS_JSONL_H
#define OIS_JSONL_H

#include "buf.h"

#include <json-c/json.h>
#include <stdio.h>

#define OIS_JSONL_MAX_LINE_DEFAULT ((size_t)16 << 20) /* 16 MiB */

/*
 * Reads one JSON object per line from fp, never holding more than one line
 * (capped at max_line bytes) in memory. name is used in messages, as
 * "NAME:LINE: what is wrong"; it is not copied. Empty lines are skipped.
 */
struct ois_jsonl_reader {
	FILE *fp;
	const char *name;
	unsigned long line;     /* number of the line last returned, 1-based */
	size_t max_line;
	struct ois_buf cur;
	json_tokener *tok;
	char *chunk;            /* read_line's buffer */
};

void ois_jsonl_reader_init(struct ois_jsonl_reader *r, FILE *fp, const char *name, size_t max_line);
void ois_jsonl_reader_release(struct ois_jsonl_reader *r);
/*
 * Read the next object. Returns 1 and stores a new reference in *out (the
 * caller puts it), 0 at end of input, OIS_EDATA for a bad line (bad UTF-8,
 * bad JSON, not an object, too long) or OIS_EIO for a read error; both are
 * already logged with the file name and line number.
 */
int ois_jsonl_read(struct ois_jsonl_reader *r, json_object **out);
/*
 * ois_jsonl_read in two steps, for a reader that scans some lines without
 * json-c (lib/json_scan.h): next_line reads the next line that is not
 * blank into r->cur (1; 0 at end of input; OIS_EDATA or OIS_EIO, logged),
 * parse_line parses it as ois_jsonl_read does (1 and *out, or OIS_EDATA).
 */
int ois_jsonl_next_line(struct ois_jsonl_reader *r);
int ois_jsonl_parse_line(struct ois_jsonl_reader *r, json_object **out);

/* Write obj as one line. Returns 0 or OIS_EIO (logged). */
int ois_jsonl_write(FILE *fp, const json_object *obj);

/*
 * Flush and close stdout, failing on a full disk or a closed pipe (as sbase's
 * fshut): a filter's last call before exit. Returns 0 or OIS_EIO (logged).
 */
int ois_close_stdout(void);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int ois_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/*
 * U+0000 inside a JSON string. json-c keeps such a value whole, but every
 * C-string accessor cuts it short ("Tara\u0000hidden" reads as "Tara"), and
 * json-c itself cuts object keys there; so oisync refuses it wherever JSON
 * comes in, instead of acting on a truncated value.
 *
 * ois_json_text_has_nul: 1 when the JSON text (already parsed without
 * error) escapes U+0000 in any string, key or value, at any depth.
 * ois_json_nul_path: 1 when a string value in obj holds U+0000, with where
 * it is appended to path ("data.emails[0].address"); 0 when none does.
 * ois_json_check_nul: both, for a text and what it parsed to: 0, or
 * OIS_EDATA after logging "WHERE: "PATH" contains a NUL character (\u0000)".
 */
int ois_json_text_has_nul(const char *text, size_t len);
int ois_json_nul_path(json_object *obj, struct ois_buf *path);
int ois_json_check_nul(const char *text, size_t len, json_object *obj, const char *where);

#endif
