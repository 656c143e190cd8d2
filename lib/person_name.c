/* person_name.c - split a one-line name into prefix, first, middle, last, suffix, nickname (oisync-transform(1), NAMES). */
#include "person_name.h"
#include "person_name_p.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A word and its classes in lib/person_name.def, looked up once: the rules ask often. */
struct tok {
	char *s;
	unsigned cls;
};

/* The words of a name; a comma is a word of its own (","), as it separates parts. */
struct words {
	struct tok *w;
	size_t n, alloc;
};

static void push(struct words *ws, const char *s, size_t len)
{
	if (ws->n == ws->alloc) {
		ws->alloc = ws->alloc ? 2 * ws->alloc : 16;
		ws->w = ois_xrealloc(ws->w, ws->alloc * sizeof(*ws->w));
	}
	char *w = ois_xstrndup(s, len);
	ws->w[ws->n++] = (struct tok){ w, ois_nw_classes(w) };
}

static void words_release(struct words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->w[i].s);
	free(ws->w);
}

static int is_comma(const char *w)
{
	return !strcmp(w, ",");
}

/* Split at spaces; commas apart; "J.R.R." as "J." "R." "R." so initials read alike with or without spaces. */
static void tokenize(const char *s, struct words *ws)
{
	while (*s) {
		size_t len = strcspn(s, " ,");
		if (len) {
			char *w = ois_xstrndup(s, len);
			if (ois_nw_initials(w) && !ois_nw_classes(w))
				for (size_t i = 0; i < len; i += 2)
					push(ws, w + i, 2);
			else
				push(ws, s, len);
			free(w);
		}
		s += len;
		if (*s == ',')
			push(ws, ",", 1);
		if (*s)
			s++;
	}
}

/* Openers and their closers: a nickname is quoted or in parentheses. */
static const struct {
	const char *open, *close[3];
} quotes[] = {
	{ "\"", { "\"", "\xe2\x80\x9d", NULL } },
	{ "\xe2\x80\x9c", { "\xe2\x80\x9d", "\"", NULL } },
	{ "'", { "'", "\xe2\x80\x99", NULL } },
	{ "\xe2\x80\x98", { "\xe2\x80\x99", "'", NULL } },
	{ "(", { ")", NULL, NULL } },
};

static size_t ends_with(const char *w, const char *tail)
{
	size_t lw = strlen(w), lt = strlen(tail);
	return lw >= lt && !strcmp(w + lw - lt, tail) ? lt : 0;
}

/*
 * Take quoted and parenthesised runs out of ws: the first quoted one, or a
 * parenthesised one before the end of the name or after "Last, First", is
 * the nickname; the rest (an e-mail address, "(Acme)" at the end) is no
 * part of the name.
 */
static void take_nicknames(struct words *ws, char **nickname)
{
	size_t out = 0;
	int comma = 0;
	for (size_t i = 0; i < ws->n; i++) {
		char *w = ws->w[i].s;
		size_t q = 0, j = ws->n, cut = 0;
		for (; q < OIS_ARRAY_SIZE(quotes); q++)
			if (!strncmp(w, quotes[q].open, strlen(quotes[q].open)))
				break;
		for (size_t k = i; q < OIS_ARRAY_SIZE(quotes) && k < ws->n && j == ws->n; k++)
			for (int c = 0; c < 3 && quotes[q].close[c] && j == ws->n; c++)
				if ((cut = ends_with(ws->w[k].s, quotes[q].close[c])) &&
				    (k > i || strlen(w) >= strlen(quotes[q].open) + cut))
					j = k;
		if (j == ws->n) {
			comma |= is_comma(w);
			ws->w[out++] = ws->w[i];
			continue;
		}
		/* Words i..j: join them, without the opener and the closer. */
		char *inner = ois_xstrdup(w + strlen(quotes[q].open));
		for (size_t k = i + 1; k <= j; k++) {
			char *t = ois_xasprintf("%s %s", inner, ws->w[k].s);
			free(inner);
			inner = t;
		}
		inner[strlen(inner) - cut] = '\0';
		size_t lead = strspn(inner, " "), len = strlen(inner);
		while (len > lead && inner[len - 1] == ' ')
			inner[--len] = '\0';
		int paren = quotes[q].open[0] == '(', at_end = j + 1 == ws->n;
		if (!*nickname && len > lead && !strchr(inner, '@') && (!paren || !at_end || comma))
			*nickname = ois_xstrdup(inner + lead);
		free(inner);
		for (size_t k = i; k <= j; k++)
			free(ws->w[k].s);
		i = j;
	}
	ws->n = out;
}

/* Append w to *dst after sep. */
static void add(char **dst, const char *w, const char *sep)
{
	char *t = *dst ? ois_xasprintf("%s%s%s", *dst, sep, w) : ois_xstrdup(w);
	free(*dst);
	*dst = t;
}

static void add_range(char **dst, const struct tok *w, size_t a, size_t b, const char *sep)
{
	for (size_t i = a; i < b; i++)
		add(dst, w[i].s, sep);
}

static int has(const struct tok *t, unsigned mask)
{
	return (t->cls & mask) != 0;
}

static int is_the(const char *w)
{
	return !strcasecmp(w, "the");
}

/*
 * A name joined by "and" or "&": a couple when the second side is a whole
 * name or the first only titles ("John and Jane Smith", "Mr. and Mrs.
 * Smith"); two single names ("Smith & Jones") or a list with commas are
 * the way firms are named.
 */
static enum ois_name_entity joined(const struct tok *w, size_t n, size_t c, int comma)
{
	size_t left = 0, right = 0;
	for (size_t i = 0; i < n; i++)
		if (i != c && !has(&w[i], NW(TITLE)))
			*(i < c ? &left : &right) += 1;
	if (comma || (right < 2 && left != 0))
		return OIS_NAME_ORGANIZATION;
	return OIS_NAME_COUPLE;
}

/* What the words (commas left out) name, before any split: a person, or who else. */
static enum ois_name_entity classify(const struct tok *w, size_t n, int comma)
{
	size_t roles = 0, conj = n;
	for (size_t i = 0; i < n; i++) {
		unsigned c = w[i].cls;
		if (c & NW(ORG) || (i > 0 && c & NW(LEGAL_EXACT)) || (strchr(w[i].s, '&') && strcmp(w[i].s, "&")))
			return OIS_NAME_ORGANIZATION;
		if (i == 0 && is_the(w[i].s) && n > 1 && !has(&w[1], NW(TITLE)))
			return OIS_NAME_ORGANIZATION;
		if (c & NW(ROLE_ANY))
			return OIS_NAME_ROLE;
		roles += (c & NW(ROLE)) || (c & NW(CONJ));
		if (c & NW(CONJ) && i > 0 && i + 1 < n && conj == n)
			conj = i;
	}
	if (roles == n)
		return OIS_NAME_ROLE;
	return conj < n ? joined(w, n, conj, comma) : OIS_NAME_PERSON;
}

/* Leading titles of w[*a, b) into prefix, a name word always left. */
static void take_titles(const struct tok *w, size_t *a, size_t b, struct ois_person_name *o)
{
	while (*a + 1 < b) {
		if (has(&w[*a], NW(TITLE)))
			add(&o->prefix, w[(*a)++].s, " ");
		else if (is_the(w[*a].s) && *a + 2 < b && has(&w[*a + 1], NW(TITLE)))
			add(&o->prefix, w[(*a)++].s, " ");
		else
			break;
	}
}

/* Trailing suffixes of w[a, *b) into suffix, a name word always left. */
static void take_suffixes(const struct tok *w, size_t a, size_t *b, struct ois_person_name *o)
{
	size_t e = *b;
	while (e > a + 1 && has(&w[e - 1], NW_ANY_SUFFIX))
		e--;
	add_range(&o->suffix, w, e, *b, ", ");
	*b = e;
}

/* First word, middle words, last name of w[a, b) written "First Middle Last". */
static void given_order(const struct tok *w, size_t a, size_t b, int suffixed, struct ois_person_name *o)
{
	if (b - a == 1) {
		/* One word: a title or a suffix says it is a surname ("Dr. Who"), else it is what Outlook makes it, a first name. */
		add(o->prefix || o->suffix || suffixed ? &o->last : &o->first, w[a].s, " ");
		return;
	}
	/* "SMITH John": capitals before a name in mixed case are the last name. */
	size_t r = a;
	if (ois_nw_upper(w[a].s, 3) || (ois_nw_upper(w[a].s, 1) && has(&w[a], NW(PARTICLE))))
		while (r < b && ois_nw_upper(w[r].s, 1))
			r++;
	if (r > a && r < b) {
		add_range(&o->last, w, a, r, " ");
		add(&o->first, w[r].s, " ");
		add_range(&o->middle, w, r + 1, b, " ");
		return;
	}
	/* The last name starts at the first particle after the first word that a name word follows. */
	size_t p = b - 1;
	for (size_t i = a + 1; i + 1 < b && p == b - 1; i++)
		if (has(&w[i], NW(PARTICLE)))
			for (size_t k = i + 1; k < b && p == b - 1; k++)
				if (!has(&w[k], NW(PARTICLE)))
					p = i;
	add(&o->first, w[a].s, " ");
	add_range(&o->middle, w, a + 1, p, " ");
	add_range(&o->last, w, p, b, " ");
}

/* A person's words, commas included: "First Last", "Last, First Middle", each with ", Suffix" parts. */
static int person(const struct tok *w, size_t n, struct ois_person_name *o)
{
	size_t start[8], end[8], parts = 0, s = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || is_comma(w[i].s)) {
			if (i > s) {
				if (parts == OIS_ARRAY_SIZE(start))
					return 0;
				start[parts] = s;
				end[parts++] = i;
			}
			s = i + 1;
		}
	/* Parts after the name that hold only suffixes: ", Jr., PhD". */
	size_t tail = parts;
	while (tail > 1) {
		int all = 1;
		for (size_t i = start[tail - 1]; i < end[tail - 1] && all; i++)
			all = has(&w[i], NW_ANY_SUFFIX);
		if (!all)
			break;
		tail--;
	}
	if (tail == 0 || tail > 2)
		return 0;
	if (tail == 1) {
		size_t a = start[0], b = end[0];
		take_titles(w, &a, b, o);
		take_suffixes(w, a, &b, o);
		given_order(w, a, b, tail < parts, o);
	} else {
		size_t a0 = start[0], b0 = end[0], a1 = start[1], b1 = end[1];
		take_titles(w, &a0, b0, o);
		take_suffixes(w, a0, &b0, o);
		take_titles(w, &a1, b1, o);
		take_suffixes(w, a1, &b1, o);
		add_range(&o->last, w, a0, b0, " ");
		add(&o->first, w[a1].s, " ");
		add_range(&o->middle, w, a1 + 1, b1, " ");
	}
	for (size_t p = tail; p < parts; p++)
		add_range(&o->suffix, w, start[p], end[p], ", ");
	return 1;
}

void ois_person_name_split(const char *s, struct ois_person_name *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return;
	struct words ws = { 0 };
	tokenize(s, &ws);
	take_nicknames(&ws, &out->nickname);
	/* The words without commas, to tell what the name is. */
	struct tok *plain = ois_xmalloc((ws.n ? ws.n : 1) * sizeof(*plain));
	size_t n = 0;
	int comma = 0;
	for (size_t i = 0; i < ws.n; i++) {
		comma |= is_comma(ws.w[i].s);
		if (!is_comma(ws.w[i].s))
			plain[n++] = ws.w[i];
	}
	int at = 0;
	for (size_t i = 0; i < n; i++)
		at |= strchr(plain[i].s, '@') != NULL;
	if (ois_nw_placeholder(s))
		out->entity = OIS_NAME_PLACEHOLDER;
	else if (n && !at)
		out->entity = classify(plain, n, comma);
	if (out->entity == OIS_NAME_PERSON && !person(ws.w, ws.n, out))
		out->entity = OIS_NAME_UNKNOWN;
	if (out->entity != OIS_NAME_PERSON) {
		enum ois_name_entity e = out->entity;
		ois_person_name_release(out);
		out->entity = e;
	}
	free(plain);
	words_release(&ws);
}

void ois_person_name_release(struct ois_person_name *n)
{
	free(n->prefix);
	free(n->first);
	free(n->middle);
	free(n->last);
	free(n->suffix);
	free(n->nickname);
	memset(n, 0, sizeof(*n));
}

const char *ois_name_entity_key(enum ois_name_entity e)
{
	switch (e) {
	case OIS_NAME_ORGANIZATION: return "organization";
	case OIS_NAME_COUPLE: return "couple";
	case OIS_NAME_ROLE: return "role";
	case OIS_NAME_PLACEHOLDER: return "placeholder";
	case OIS_NAME_UNKNOWN:
	case OIS_NAME_PERSON: break;
	}
	return NULL;
}
