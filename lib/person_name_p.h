/* person_name_p.h - the word table of lib/person_name.def, asked word by word (lib/person_name*.c only). */
#ifndef OIS_PERSON_NAME_P_H
#define OIS_PERSON_NAME_P_H

#include <stddef.h>

/* The classes of lib/person_name.def, as bits: a word may be in several. */
enum ois_nw_class {
	NW_TITLE, NW_SUFFIX, NW_SUFFIX_EXACT, NW_PARTICLE, NW_ORG, NW_LEGAL_EXACT,
	NW_ROLE, NW_ROLE_ANY, NW_CONJ, NW_PLACEHOLDER,
};
#define NW(c) (1u << NW_##c)
#define NW_ANY_SUFFIX (NW(SUFFIX) | NW(SUFFIX_EXACT))

/* The classes word w belongs to (dots ignored; case ignored but for the exact classes). */
unsigned ois_nw_classes(const char *w);
/* 1 when the whole of s, lower-cased and stripped of punctuation, is a placeholder or holds no letter. */
int ois_nw_placeholder(const char *s);
/* 1 when w has a letter and no lower-case letter, and at least min letters ("SMITH"). */
int ois_nw_upper(const char *w, size_t min);
/* 1 when w is initials run together ("J.R.R."): one ASCII letter and a dot, at least twice. */
int ois_nw_initials(const char *w);

#endif
