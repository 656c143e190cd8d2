/* jsonl.c - streaming JSON-lines reader and writer. */
#include "jsonl.h"
#include "code.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSONL_CHUNK 16384

void ois_jsonl_reader_init(struct ois_jsonl_reader *r, FILE *fp, const char *name, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->name = name;
	r->max_line = max_line ? max_line : OIS_JSONL_MAX_LINE_DEFAULT;
	ois_buf_init(&r->cur, 0);
	r->tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	r->chunk = ois_xmalloc(JSONL_CHUNK);
	memset(r->chunk, '\n', JSONL_CHUNK); /* read_line's sentinel */
}

void ois_jsonl_reader_release(struct ois_jsonl_reader *r)
{
	ois_buf_release(&r->cur);
	free(r->chunk);
	r->chunk = NULL;
	if (r->tok)
		json_tokener_free(r->tok);
	r->tok = NULL;
}

int ois_utf8_valid(const char *str, size_t len, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		/* ASCII, the bulk of a record, 8 bytes at a time. */
		uint64_t v;
		if (len - i >= 8 && (memcpy(&v, s + i, 8), !(v & 0x8080808080808080u))) {
			i += 8;
			continue;
		}
		unsigned c = s[i];
		size_t n;
		unsigned min, cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			goto bad;
		}
		if (i + n >= len)
			goto bad;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += n + 1;
	}
	return 1;
bad:
	if (bad_offset)
		*bad_offset = i;
	return 0;
}

int ois_json_text_has_nul(const char *text, size_t len)
{
	/*
	 * A backslash appears only inside strings in valid JSON; skipping the
	 * character after each one keeps an escaped backslash followed by
	 * "u0000" (plain text) from counting.
	 */
	const char *p = text, *end = text + len;
	while ((p = memchr(p, '\\', (size_t)(end - p)))) {
		if (end - p >= 6 && !memcmp(p + 1, "u0000", 5))
			return 1;
		p += 2;
		if (p >= end)
			break;
	}
	return 0;
}

int ois_json_nul_path(json_object *obj, struct ois_buf *path)
{
	size_t mark = path->len;
	switch (json_object_get_type(obj)) {
	case json_type_string:
		return strlen(json_object_get_string(obj)) != (size_t)json_object_get_string_len(obj);
	case json_type_object: {
		json_object_object_foreach(obj, key, val) {
			ois_buf_addf(path, "%s%s", mark ? "." : "", key);
			if (ois_json_nul_path(val, path))
				return 1;
			path->len = mark;
		}
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(obj); i++) {
			ois_buf_addf(path, "[%zu]", i);
			if (ois_json_nul_path(json_object_array_get_idx(obj, i), path))
				return 1;
			path->len = mark;
		}
		break;
	default:
		break;
	}
	if (path->data)
		path->data[mark] = '\0';
	return 0;
}

int ois_json_check_nul(const char *text, size_t len, json_object *obj, const char *where)
{
	if (!ois_json_text_has_nul(text, len))
		return 0;
	struct ois_buf path = OIS_BUF_INIT;
	int rc;
	if (ois_json_nul_path(obj, &path) && path.len)
		rc = ois_fail(OIS_EDATA, "%s: \"%s\" contains a NUL character (\\u0000)", where, path.data);
	else if (path.len == 0 && json_object_is_type(obj, json_type_string))
		rc = ois_fail(OIS_EDATA, "%s: the string contains a NUL character (\\u0000)", where);
	else
		rc = ois_fail(OIS_EDATA, "%s: a key contains a NUL character (\\u0000)", where);
	ois_buf_release(&path);
	return rc;
}

/*
 * Read up to and excluding the next '\n' into r->cur. 1 line, 0 eof, <0 error.
 * fgets copies a line at memchr speed, a loop of getc at some 14
 * instructions a byte; but it says not how much it read, and a line may
 * hold NUL bytes. So the chunk is kept full of '\n' between calls: after a
 * call, the last NUL in it is the one fgets wrote, and only the bytes fgets
 * wrote are set back.
 */
static int read_line(struct ois_jsonl_reader *r)
{
	ois_buf_reset(&r->cur);
	int any = 0;
	char *c = r->chunk;
	while (fgets(c, JSONL_CHUNK, r->fp)) {
		any = 1;
		size_t n = strlen(c);
		if (n != JSONL_CHUNK - 1 && !(n && c[n - 1] == '\n'))
			n = (size_t)((char *)memrchr(c, '\0', JSONL_CHUNK) - c); /* a NUL inside, or the last line without '\n' */
		int eol = n && c[n - 1] == '\n';
		size_t len = n - (size_t)eol;
		int over = r->cur.len + len > r->max_line;
		if (!over)
			ois_buf_add(&r->cur, c, len);
		memset(c, '\n', n + 1);
		if (over)
			goto too_long;
		if (eol)
			break;
	}
	if (ferror(r->fp))
		return ois_fail(OIS_EIO, "%s: read error after line %lu: %s", r->name, r->line, strerror(errno));
	if (!any)
		return 0;
	r->line++;
	return 1;
too_long:
	r->line++;
	return ois_fail(OIS_EDATA, "%s:%lu: line longer than the limit of %zu bytes", r->name, r->line, r->max_line);
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int ois_jsonl_next_line(struct ois_jsonl_reader *r)
{
	for (;;) {
		int rc = read_line(r);
		if (rc <= 0 || !blank(r->cur.data, r->cur.len))
			return rc;
	}
}

int ois_jsonl_read(struct ois_jsonl_reader *r, json_object **out)
{
	*out = NULL;
	int rc = ois_jsonl_next_line(r);
	return rc <= 0 ? rc : ois_jsonl_parse_line(r, out);
}

int ois_jsonl_parse_line(struct ois_jsonl_reader *r, json_object **out)
{
	*out = NULL;
	size_t bad;
	if (!ois_utf8_valid(r->cur.data, r->cur.len, &bad))
		return ois_fail(OIS_EDATA, "%s:%lu: invalid UTF-8 at byte %zu", r->name, r->line, bad + 1);
	json_tokener_reset(r->tok);
	json_object *obj = json_tokener_parse_ex(r->tok, r->cur.data, (int)r->cur.len);
	enum json_tokener_error jerr = json_tokener_get_error(r->tok);
	if (jerr == json_tokener_continue)
		return ois_fail(OIS_EDATA, "%s:%lu: invalid JSON: the line ends inside a value", r->name, r->line);
	if (!obj || jerr != json_tokener_success)
		return ois_fail(OIS_EDATA, "%s:%lu: invalid JSON at byte %zu: %s", r->name, r->line,
				json_tokener_get_parse_end(r->tok) + 1, json_tokener_error_desc(jerr));
	size_t end = json_tokener_get_parse_end(r->tok);
	if (!blank(r->cur.data + end, r->cur.len - end)) {
		json_object_put(obj);
		return ois_fail(OIS_EDATA, "%s:%lu: unexpected text after the JSON value at byte %zu", r->name, r->line, end + 1);
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return ois_fail(OIS_EDATA, "%s:%lu: expected a JSON object", r->name, r->line);
	}
	char where[300];
	snprintf(where, sizeof(where), "%s:%lu", r->name, r->line);
	if (ois_json_check_nul(r->cur.data, r->cur.len, obj, where)) {
		json_object_put(obj);
		return OIS_EDATA;
	}
	*out = obj;
	return 1;
}

int ois_jsonl_write(FILE *fp, const json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length((json_object *)obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (fwrite(s, 1, len, fp) != len || putc('\n', fp) == EOF)
		return ois_fail(OIS_EIO, "cannot write output: %s", strerror(errno));
	return 0;
}

int ois_close_stdout(void)
{
	int err = fflush(stdout) != 0 || ferror(stdout);
	int saved = errno;
	if (fclose(stdout) != 0 && !err) {
		err = 1;
		saved = errno;
	}
	if (err)
		return ois_fail(OIS_EIO, "cannot write output: %s", strerror(saved));
	return 0;
}
