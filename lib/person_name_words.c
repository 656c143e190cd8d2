/* person_name_words.c - which classes of lib/person_name.def a word belongs to. */
#include "person_name_p.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

unsigned ois_nw_classes(const char *w)
{
	char a[WORD_MAX], b[WORD_MAX];
	unsigned mask = 0;
	if (!undot(w, a) || !*a)
		return 0;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(rows); i++) {
		if (rows[i].cls == NW_PLACEHOLDER || !undot(rows[i].word, b))
			continue;
		if (exact(rows[i].cls) ? !strcmp(a, b) : !strcasecmp(a, b))
			mask |= 1u << rows[i].cls;
	}
	return mask;
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
	int hit = !letter;
	for (size_t i = 0; !hit && i < OIS_ARRAY_SIZE(rows); i++)
		hit = rows[i].cls == NW_PLACEHOLDER && !strcmp(k, rows[i].word);
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
