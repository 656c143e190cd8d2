/* json_scan.c - the strict JSON scanner of json_scan.h: members and canonical text, no tree. */
#include "json_scan.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* 1 when one of the 8 bytes in v is a quote, a backslash or a control character (SWAR, no branch per byte). */
static int special8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((v - ones * 0x20) & ~v)) & highs ? 1 : 0;
}

/* The end of the string whose opening quote is at p, or NULL; *esc is set when it holds an escape. */
static const char *string_end(const char *p, const char *e, int *esc)
{
	/* Names, addresses and notes are mostly plain bytes: step over them 8 at a time. */
	for (p++; e - p >= 8; p += 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		if (special8(v))
			break;
	}
	for (; p < e; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p == e)
				return NULL;
			switch (*p) {
			case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
				*esc = 1;
				break;
			default:
				return NULL; /* \/ and \u: json-c would write the character back otherwise */
			}
		}
	}
	return NULL;
}

/* An integer json-c reads as an int64 and ois_json_canonical prints back as it is ("%lld"). */
static const char *number_end(const char *p, const char *e)
{
	int neg = p < e && *p == '-';
	const char *d = p + neg, *q = d;
	while (q < e && *q >= '0' && *q <= '9')
		q++;
	size_t n = (size_t)(q - d);
	if (n == 0 || n > 18 || (*d == '0' && (n > 1 || neg)))
		return NULL;
	if (q < e && (*q == '.' || *q == 'e' || *q == 'E'))
		return NULL;
	return q;
}

static const char *literal_end(const char *p, const char *e, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(e - p) >= n && !memcmp(p, word, n) ? p + n : NULL;
}

/* Members of one object: the caller's array, grown on the heap when allowed. */
struct members {
	struct ois_json_member *v;
	size_t n, cap;
	int grow;
	struct ois_json_member *heap;
};

static int members_add(struct members *ms, const struct ois_json_member *m)
{
	if (ms->n == ms->cap) {
		if (!ms->grow)
			return 0;
		struct ois_json_member *v = ois_xmalloc(2 * ms->cap * sizeof(*v));
		memcpy(v, ms->v, ms->n * sizeof(*v));
		free(ms->heap);
		ms->heap = ms->v = v;
		ms->cap *= 2;
	}
	ms->v[ms->n++] = *m;
	return 1;
}

/* Bytewise, shorter first: strcmp's order, the canonical one (keys hold no NUL). */
static int cmp_member(const void *a, const void *b)
{
	const struct ois_json_member *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->key_len < y->key_len ? x->key_len : y->key_len);
	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static const char *value(const char *p, const char *e, int depth, struct ois_buf *out);

/* The members of the object whose '{' is at p, into ms (values checked, not written); its end, or NULL. */
static const char *object_members(const char *p, const char *e, int depth, struct members *ms)
{
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}')
		return p + 1;
	for (;;) {
		if (p == e || *p != '"')
			return NULL;
		int esc = 0;
		const char *kend = string_end(p, e, &esc);
		if (!kend || esc)
			return NULL;
		struct ois_json_member m = { .key = p + 1, .key_len = (size_t)(kend - p - 2) };
		p = skip_ws(kend, e);
		if (p == e || *p != ':')
			return NULL;
		p = skip_ws(p + 1, e);
		const char *vend = value(p, e, depth, NULL);
		if (!vend)
			return NULL;
		m.value = p;
		m.value_len = (size_t)(vend - p);
		if (!members_add(ms, &m))
			return NULL;
		p = skip_ws(vend, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		return p < e && *p == '}' ? p + 1 : NULL;
	}
}

/* A member whose canonical value is already in the output buffer, at off for len bytes. */
struct placed {
	const char *key;
	size_t key_len;
	size_t off, len;
};

static int cmp_placed(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->key_len < y->key_len ? x->key_len : y->key_len);
	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/*
 * An object in canonical form, in one pass: each value's canonical text is
 * written to out as it is met (a nested object sorts itself the same way),
 * then the members are put in key order behind "{" with their keys. A
 * key twice is outside the subset.
 */
static const char *object_canonical(const char *p, const char *e, int depth, struct ois_buf *out)
{
	struct placed small[16], *v = small, *heap = NULL;
	size_t n = 0, cap = OIS_ARRAY_SIZE(small), mark = out->len;
	const char *end = NULL;
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}') {
		end = p + 1;
		goto done;
	}
	for (;;) {
		if (p == e || *p != '"')
			goto done;
		int esc = 0;
		const char *kend = string_end(p, e, &esc);
		if (!kend || esc)
			goto done;
		if (n == cap) {
			struct placed *w = ois_xrealloc(heap, 2 * cap * sizeof(*w));
			if (!heap)
				memcpy(w, small, sizeof(small));
			heap = v = w;
			cap *= 2;
		}
		v[n] = (struct placed){ .key = p + 1, .key_len = (size_t)(kend - p - 2), .off = out->len };
		p = skip_ws(kend, e);
		if (p == e || *p != ':')
			goto done;
		p = skip_ws(p + 1, e);
		const char *vend = value(p, e, depth, out);
		if (!vend)
			goto done;
		v[n].len = out->len - v[n].off;
		n++;
		p = skip_ws(vend, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}')
			end = p + 1;
		goto done;
	}
done:
	if (end) {
		qsort(v, n, sizeof(*v), cmp_placed);
		for (size_t i = 1; i < n; i++)
			if (!cmp_placed(&v[i - 1], &v[i]))
				end = NULL;
	}
	if (end) {
		/* The values as written, then the object rebuilt over them in key order. */
		size_t vlen = out->len - mark;
		char *values = ois_xmalloc(vlen + 1);
		if (vlen) /* out->data is NULL while nothing was written: "{}" first */
			memcpy(values, out->data + mark, vlen);
		out->len = mark;
		ois_buf_add(out, "{", 1);
		for (size_t i = 0; i < n; i++) {
			if (i)
				ois_buf_add(out, ",", 1);
			ois_buf_add(out, v[i].key - 1, v[i].key_len + 2);
			ois_buf_add(out, ":", 1);
			ois_buf_add(out, values + (v[i].off - mark), v[i].len);
		}
		ois_buf_add(out, "}", 1);
		free(values);
	}
	free(heap);
	return end;
}

/* An object; with out, written in canonical order. */
static const char *object(const char *p, const char *e, int depth, struct ois_buf *out)
{
	if (depth > OIS_JSON_SCAN_DEPTH)
		return NULL;
	if (out)
		return object_canonical(p, e, depth, out);
	struct ois_json_member small[16];
	struct members ms = { .v = small, .cap = OIS_ARRAY_SIZE(small), .grow = 1 };
	const char *end = object_members(p, e, depth, &ms);
	free(ms.heap);
	return end;
}

static const char *array(const char *p, const char *e, int depth, struct ois_buf *out)
{
	if (depth > OIS_JSON_SCAN_DEPTH)
		return NULL;
	if (out)
		ois_buf_add(out, "[", 1);
	p = skip_ws(p + 1, e);
	if (p < e && *p == ']') {
		if (out)
			ois_buf_add(out, "]", 1);
		return p + 1;
	}
	for (;;) {
		const char *vend = value(p, e, depth, out);
		if (!vend)
			return NULL;
		p = skip_ws(vend, e);
		if (p < e && *p == ',') {
			if (out)
				ois_buf_add(out, ",", 1);
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == ']') {
			if (out)
				ois_buf_add(out, "]", 1);
			return p + 1;
		}
		return NULL;
	}
}

/*
 * The value at p: its end, or NULL outside the subset. With out, its
 * canonical text is appended: a scalar of the subset is already canonical
 * (json-c escapes exactly the characters the subset allows escaped).
 */
static const char *value(const char *p, const char *e, int depth, struct ois_buf *out)
{
	const char *end;
	int esc = 0;
	if (p == e)
		return NULL;
	switch (*p) {
	case '{':
		return object(p, e, depth + 1, out);
	case '[':
		return array(p, e, depth + 1, out);
	case '"':
		end = string_end(p, e, &esc);
		break;
	case 't':
		end = literal_end(p, e, "true");
		break;
	case 'f':
		end = literal_end(p, e, "false");
		break;
	case 'n':
		end = literal_end(p, e, "null");
		break;
	default:
		end = number_end(p, e);
		break;
	}
	if (end && out)
		ois_buf_add(out, p, (size_t)(end - p));
	return end;
}

int ois_json_scan_object(const char *text, size_t len, struct ois_json_member *m, size_t max)
{
	const char *e = text + len, *p = skip_ws(text, e);
	if (p == e || *p != '{')
		return -1;
	struct members ms = { .v = m, .cap = max };
	const char *end = object_members(p, e, 1, &ms);
	if (!end || skip_ws(end, e) != e)
		return -1;
	/* json-c keeps the last of a key given twice; this reader would take the first. */
	for (size_t i = 0; i < ms.n; i++)
		for (size_t j = i + 1; j < ms.n; j++)
			if (!cmp_member(&ms.v[i], &ms.v[j]))
				return -1;
	return (int)ms.n;
}

int ois_json_member_string(const struct ois_json_member *m, const char **s, size_t *n)
{
	if (!m->value_len || m->value[0] != '"')
		return 0;
	*s = m->value + 1;
	*n = m->value_len - 2;
	return memchr(*s, '\\', *n) ? -1 : 1;
}

int ois_json_member_is(const struct ois_json_member *m, const char *key)
{
	return strlen(key) == m->key_len && !memcmp(m->key, key, m->key_len);
}

int ois_json_scan_canonical(const char *text, size_t len, struct ois_buf *out)
{
	const char *e = text + len, *p = skip_ws(text, e);
	size_t mark = out->len;
	const char *end = value(p, e, 0, out);
	if (end && skip_ws(end, e) == e)
		return 0;
	out->len = mark;
	if (out->data)
		out->data[mark] = '\0';
	return -1;
}

int ois_json_scan_is_object(const char *text, size_t len)
{
	const char *e = text + len, *p = skip_ws(text, e);
	const char *end = p < e && *p == '{' ? value(p, e, 0, NULL) : NULL;
	return end && skip_ws(end, e) == e;
}
