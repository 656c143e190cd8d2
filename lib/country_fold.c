/*
 * country_fold.c - the spelling-blind form of a country name (see
 * country_fold.h). Plain C and utf8proc only: scripts/gen_countries.c
 * compiles this file into the build tool as it is.
 */
#include "country_fold.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Apostrophes people and servers type; before decomposition, so "´" does not become a space and a mark. */
static utf8proc_int32_t apostrophe(utf8proc_int32_t c, void *data)
{
	(void)data;
	switch (c) {
	case 0x0060: /* grave accent */
	case 0x00b4: /* acute accent */
	case 0x02bc: /* modifier letter apostrophe */
	case 0x2018: /* left single quotation mark */
	case 0x2019: /* right single quotation mark */
	case 0x201b: /* single high-reversed-9 quotation mark */
	case 0xff07: /* full-width apostrophe */
		return '\'';
	default:
		return c;
	}
}

/* Latin letters with no canonical decomposition, read as their base letter(s); NULL for any other. */
static const char *latin_base(utf8proc_int32_t c)
{
	switch (c) {
	case 0x00e6: return "ae";
	case 0x00f8: return "o";
	case 0x0111: return "d";
	case 0x0127: return "h";
	case 0x0131: return "i";
	case 0x0142: return "l";
	case 0x0153: return "oe";
	case 0x0167: return "t";
	default: return NULL;
	}
}

static int is_break(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
		return 1;
	default:
		return 0;
	}
}

struct word {
	const char *s;
	size_t len;
	int dot; /* a full stop in the break before it */
};

static int word_is(const struct word *w, const char *lit)
{
	return w->len == strlen(lit) && !memcmp(w->s, lit, w->len);
}

/* One code point long: the parts of "U.S.A." once the dots are word breaks. */
static int one_letter(const struct word *w)
{
	utf8proc_int32_t c;
	return utf8proc_iterate((const utf8proc_uint8_t *)w->s, (utf8proc_ssize_t)w->len, &c) == (utf8proc_ssize_t)w->len;
}

/*
 * Pass 1: from the decomposed, case-folded text d into out, words
 * separated by one byte: '.' where the break between them held a full
 * stop ("U.S."), else ' '; none at either end. Returns the number of words.
 */
static size_t spaced(const utf8proc_uint8_t *d, char *out)
{
	char *w = out;
	size_t nwords = 0;
	int gap = 1;    /* at a word break: the next letter starts a word */
	char sep = ' '; /* what the break seen so far is */
	utf8proc_int32_t c;
	for (utf8proc_ssize_t n; *d; d += n) {
		n = utf8proc_iterate(d, -1, &c);
		const char *add;
		size_t addlen;
		if (c == '\'' || (c >= 0x0300 && c <= 0x036f))
			continue;
		if (c == '&') {
			/* A word of its own: "Bosnia&Herzegovina". */
			add = "and";
			addlen = 3;
			gap = 1;
		} else if (is_break(c)) {
			if (c == '.')
				sep = '.';
			gap = 1;
			continue;
		} else if ((add = latin_base(c)) != NULL) {
			addlen = strlen(add);
		} else {
			add = (const char *)d;
			addlen = (size_t)n;
		}
		if (gap) {
			if (nwords)
				*w++ = sep;
			nwords++;
			gap = 0;
			sep = ' ';
		}
		memcpy(w, add, addlen);
		w += addlen;
		if (c == '&')
			gap = 1;
	}
	*w = '\0';
	return nwords;
}

/* Names up to this many bytes are folded in buffers on the stack: a lookup's malloc calls cost more than the rest. */
#define SMALL 64

/*
 * Step 1: NFKD, case-folded, apostrophes made one, default-ignorable
 * characters gone; into buf (SMALL + 1 bytes) when it fits, else newly
 * allocated. Most names are ASCII, where that is lower case alone: no
 * utf8proc, which costs most of a lookup.
 */
static utf8proc_uint8_t *decomposed(const char *s, utf8proc_uint8_t *buf)
{
	size_t n = 0;
	while (s[n] && !(s[n] & 0x80))
		n++;
	if (s[n]) {
		utf8proc_uint8_t *d = NULL;
		if (utf8proc_map_custom((const utf8proc_uint8_t *)s, 0, &d,
				UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
				UTF8PROC_CASEFOLD | UTF8PROC_LUMP | UTF8PROC_IGNORE, apostrophe, NULL) < 0)
			return NULL;
		return d;
	}
	utf8proc_uint8_t *d = n <= SMALL ? buf : malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)s[i];
		d[i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : (utf8proc_uint8_t)apostrophe(c, NULL);
	}
	return d;
}

char *ois_country_fold_in(const char *s, int *initials, char *buf, size_t cap)
{
	if (initials)
		*initials = 0;
	utf8proc_uint8_t dbuf[SMALL + 1];
	utf8proc_uint8_t *d = s ? decomposed(s, dbuf) : NULL;
	if (!d)
		return NULL;
	size_t dlen = strlen((const char *)d);
	/*
	 * One block for the words, pass 1's text and the result. Worst growth:
	 * a one-byte "&" becomes "and" and a break (x4), then "st" "saint".
	 */
	struct small {
		struct word words[SMALL + 1];
		char text[5 * SMALL + 1 + 10 * SMALL + 8];
	} small;
	struct word *words = dlen <= SMALL ? small.words
		: malloc((dlen + 1) * sizeof(*words) + 5 * dlen + 1 + 10 * dlen + 8);
	if (!words) {
		if (d != dbuf)
			free(d);
		return NULL;
	}
	char *sp = words == small.words ? small.text : (char *)(words + dlen + 1), *joined = sp + 5 * dlen + 1;
	size_t nw = spaced(d, sp);
	if (d != dbuf)
		free(d);
	for (size_t k = 0, at = 0; k < nw; k++) {
		words[k].s = sp + at;
		words[k].len = strcspn(sp + at, " .");
		words[k].dot = k > 0 && sp[at - 1] == '.';
		at += words[k].len + 1;
	}
	size_t first = 0, end = nw;
	if (end - first > 1 && word_is(&words[first], "the"))
		first++;
	if (end - first > 1 && word_is(&words[end - 1], "the"))
		end--;
	char *w = joined;
	int ascii = 1;
	for (size_t i = first; i < end; i++) {
		struct word wd = words[i];
		if (word_is(&wd, "st"))
			wd.s = "saint", wd.len = 5;
		else if (word_is(&wd, "ste"))
			wd.s = "sainte", wd.len = 6;
		/* One-letter words with full stops between are one: "U.S.A." and "U. S. A." are "usa", "N/A" stays "n a". */
		int glue = i > first && wd.dot && one_letter(&wd) && one_letter(&words[i - 1]);
		if (glue && initials)
			*initials = 1;
		if (w != joined && !glue)
			*w++ = ' ';
		for (size_t b = 0; b < wd.len; b++)
			ascii &= !(wd.s[b] & 0x80);
		memcpy(w, wd.s, wd.len);
		w += wd.len;
	}
	*w = '\0';
	/* A numeric code: "004", "04" and "4" are Afghanistan's 004. */
	char *start = joined;
	if (strspn(joined, "0123456789") == (size_t)(w - joined))
		start += strspn(joined, "0");
	char *out = NULL;
	size_t len = (size_t)(w - start);
	if (!*start)
		out = NULL;
	else if (ascii && buf && len < cap)
		out = memcpy(buf, start, len + 1);
	else if (ascii)
		out = strdup(start);
	else if (utf8proc_map((const utf8proc_uint8_t *)start, 0, (utf8proc_uint8_t **)&out,
			      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE) < 0)
		out = NULL;
	if (words != small.words)
		free(words);
	return out;
}

char *ois_country_fold(const char *s, int *initials)
{
	return ois_country_fold_in(s, initials, NULL, 0);
}
