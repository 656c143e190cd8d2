/* buf.c - a growable byte buffer with a size cap. */
#include "buf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ois_buf_init(struct ois_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void ois_buf_release(struct ois_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void ois_buf_reset(struct ois_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(struct ois_buf *b, size_t extra)
{
	if (b->max && (b->len + extra > b->max || b->len + extra < b->len))
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = ois_xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int ois_buf_add(struct ois_buf *b, const void *data, size_t len)
{
	if (grow(b, len))
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int ois_buf_adds(struct ois_buf *b, const char *s)
{
	return ois_buf_add(b, s, strlen(s));
}

int ois_buf_addf(struct ois_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		OIS_BUG("bad format '%s'", fmt);
	if (grow(b, (size_t)n))
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int ois_buf_add_xml(struct ois_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *esc = NULL;
		switch (*s) {
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '&': esc = "&amp;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&apos;"; break;
		}
		if (esc ? ois_buf_adds(b, esc) : ois_buf_add(b, s, 1))
			return -1;
	}
	return 0;
}

char *ois_buf_detach(struct ois_buf *b, size_t *len)
{
	if (!b->data)
		ois_buf_add(b, "", 0);
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
