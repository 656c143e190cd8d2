/* json_scan.c - the strict JSON scanner of json_scan.h: members and canonical text, no tree. */
#include "json_scan.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The end of the string whose opening quote is at p, or NULL; *esc is set when it holds an escape. */
static const char *string_end(const char *p, const char *e, int *esc)
{
	for (p++; p < e; p++) {
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

/* An object; with out, written in canonical order (a key twice is outside the subset). */
static const char *object(const char *p, const char *e, int depth, struct ois_buf *out)
{
	if (depth > OIS_JSON_SCAN_DEPTH)
		return NULL;
	struct ois_json_member small[16];
	struct members ms = { .v = small, .cap = OIS_ARRAY_SIZE(small), .grow = 1 };
	const char *end = object_members(p, e, depth, &ms);
	if (end && out) {
		qsort(ms.v, ms.n, sizeof(*ms.v), cmp_member);
		ois_buf_add(out, "{", 1);
		for (size_t i = 0; end && i < ms.n; i++) {
			if (i && !cmp_member(&ms.v[i - 1], &ms.v[i])) {
				end = NULL;
				break;
			}
			if (i)
				ois_buf_add(out, ",", 1);
			ois_buf_add(out, ms.v[i].key - 1, ms.v[i].key_len + 2);
			ois_buf_add(out, ":", 1);
			if (!value(ms.v[i].value, ms.v[i].value + ms.v[i].value_len, depth, out))
				end = NULL;
		}
		ois_buf_add(out, "}", 1);
	}
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
