/* person_name_words.c - which classes of lib/person_name.def a word belongs to. */
#include "person_name_p.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct row {
	enum ois_nw_class cls;
	const char *word;
};

#define OIS_NAME_WORD(cls, word) { NW_##cls, word },
static const struct row rows[] = {
#include "person_name.def"
};
#undef OIS_NAME_WORD

/* Longer words are in no class: the table's longest is far shorter. */
#define WORD_MAX 64

/* w without dots, and with a right single quote read as an apostrophe ("O’" is "O'"); 0 when too long. */
static int undot(const char *w, char out[WORD_MAX])
{
	size_t n = 0;
	for (const char *p = w; *p; p++) {
		if (*p == '.')
			continue;
		if (!strncmp(p, "\xe2\x80\x99", 3)) {
			p += 2;
			out[n++] = '\'';
		} else
			out[n++] = *p;
		if (n == WORD_MAX)
			return 0;
	}
	out[n] = '\0';
	return 1;
}

static int exact(enum ois_nw_class c)
{
	return c == NW_SUFFIX_EXACT || c == NW_LEGAL_EXACT;
}

/* ASCII letters lower-cased in place: what a word is compared by, but in the exact classes. */
static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * Each row's word as compared (undotted; lower-cased unless exact), sorted,
 * made once: a word is looked up for every contact without a structured
 * name, so by binary search, not row by row. Filled on first use with the
 * same values whoever fills it.
 */
#define NROWS OIS_ARRAY_SIZE(rows)
struct key {
	char text[WORD_MAX];
	enum ois_nw_class cls;
};
static struct key keys[NROWS];
static int keys_ready;

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct key *)a)->text, ((const struct key *)b)->text);
}

static void make_keys(void)
{
	for (size_t i = 0; i < NROWS; i++) {
		if (!undot(rows[i].word, keys[i].text))
			OIS_BUG("person_name.def: \"%s\" is too long", rows[i].word);
		if (!exact(rows[i].cls))
			lower(keys[i].text);
		keys[i].cls = rows[i].cls;
	}
	qsort(keys, NROWS, sizeof(keys[0]), cmp_key);
	keys_ready = 1;
}

/* The classes of the rows whose key is k, among the exact classes or the others. */
static unsigned lookup(const char *k, int want_exact)
{
	size_t lo = 0, hi = NROWS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(keys[mid].text, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	unsigned mask = 0;
	for (; lo < NROWS && !strcmp(keys[lo].text, k); lo++)
		if (exact(keys[lo].cls) == want_exact)
			mask |= 1u << keys[lo].cls;
	return mask;
}

unsigned ois_nw_classes(const char *w)
{
	char a[WORD_MAX], b[WORD_MAX];
	if (!keys_ready)
		make_keys();
	if (!undot(w, a) || !*a)
		return 0;
	memcpy(b, a, sizeof(a));
	lower(b);
	return (lookup(a, 1) | lookup(b, 0)) & ~NW(PLACEHOLDER);
}

int ois_nw_placeholder(const char *s)
{
	/* Lower-case ASCII letters and digits, other bytes of UTF-8 as they are, one space between words. */
	size_t len = strlen(s), n = 0;
	char *k = ois_xmalloc(len + 1);
	int letter = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p >= 0x80) {
			k[n++] = (char)tolower(*p);
			letter |= isalpha(*p) || *p >= 0x80;
		} else if (*p == ' ' && n && k[n - 1] != ' ')
			k[n++] = ' ';
	}
	while (n && k[n - 1] == ' ')
		n--;
	k[n] = '\0';
	if (!keys_ready)
		make_keys();
	int hit = !letter || (n < WORD_MAX && lookup(k, 0) & NW(PLACEHOLDER));
	free(k);
	return hit;
}

int ois_nw_upper(const char *w, size_t min)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)w;
	size_t letters = 0;
	utf8proc_int32_t c;
	utf8proc_ssize_t n;
	while (*p && (n = utf8proc_iterate(p, -1, &c)) > 0) {
		utf8proc_category_t cat = utf8proc_category(c);
		if (cat == UTF8PROC_CATEGORY_LL)
			return 0;
		letters += cat == UTF8PROC_CATEGORY_LU;
		p += n;
	}
	return letters && letters >= min;
}

int ois_nw_initials(const char *w)
{
	size_t n = 0;
	for (; isalpha((unsigned char)w[0]) && w[1] == '.'; w += 2)
		n++;
	return n >= 2 && !*w;
}
