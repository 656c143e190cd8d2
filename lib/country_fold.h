/*
 * country_fold.h - the one spelling-blind form of a country name, shared by
 * the lookup (lib/country.c) and the build tool that makes its table
 * (scripts/gen_countries.c), so a name typed and a name in the data meet.
 */
#ifndef OIS_COUNTRY_FOLD_H
#define OIS_COUNTRY_FOLD_H

#include <stddef.h>

/*
 * The folded form of s, newly allocated (caller frees), or NULL when s is
 * not valid UTF-8 or folds to nothing. In this order:
 * - compatibility-decomposed (NFKD: full-width letters are plain ones) and
 *   case-folded ("STRASSE" and "straße" are "strasse");
 * - accents dropped: the combining marks U+0300..U+036F, and the Latin
 *   letters with no decomposition read as their base (ø o, ł l, đ d, ħ h,
 *   ı i, ŧ t; æ ae, œ oe); marks of other scripts stay, as they tell
 *   names apart there (Japanese dakuten);
 * - apostrophes (straight, curly, modifier, grave, acute) dropped, so
 *   "d'Ivoire", "d’Ivoire" and "dIvoire" are one;
 * - "&" read as " and ";
 * - every other punctuation mark, space or control character a word break;
 * - words, then: a leading or trailing "the" dropped when other words
 *   remain ("The Gambia", "Gambia, The"); "st" read as "saint" and "ste"
 *   as "sainte" ("St. Lucia", "St Lucia"); one-letter words with a
 *   full stop between them joined ("U.S.A." and "U. S. A." are "usa",
 *   while "N/A" stays two words; *initials, when initials is not NULL,
 *   says whether that happened);
 * - a name of digits only without its leading zeros ("004" is "4");
 * - words joined by one space, NFC-composed.
 */
char *ois_country_fold(const char *s, int *initials);

/*
 * The same, into buf (cap bytes) when the folded form fits there and is
 * ASCII, as most are, so a lookup need not allocate; else newly allocated.
 * The caller frees the result when it is not buf.
 */
char *ois_country_fold_in(const char *s, int *initials, char *buf, size_t cap);

#endif
