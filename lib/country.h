/* country.h - country names to ISO 3166-1 alpha-2 codes. */
#ifndef OIS_COUNTRY_H
#define OIS_COUNTRY_H

/*
 * The upper-case alpha-2 code for name, or NULL when name is no country we
 * know (callers keep the name as typed: nothing is guessed). name may be:
 * - an ISO 3166-1 code: alpha-2 or alpha-3 in any case ("us", "USA"), or
 *   numeric with or without leading zeros ("276", "040", "40");
 * - an English name: ISO's short, official or common one ("Korea, Republic
 *   of", "South Korea"), or CLDR's ("Bosnia & Herzegovina", "St. Lucia");
 * - an everyday English alias (lib/country_aliases.txt: "UK", "Holland");
 * - a country's name in the languages of a firm's usual offices or in its
 *   own languages, from CLDR ("Deutschland", "Suisse", "日本").
 * Matching is through ois_country_fold (country_fold.h): case, accents,
 * punctuation, apostrophes, white space, a leading "The", "&" and "St."
 * make no difference. A name that two countries share is no country.
 * The table is compiled in: a call reads no file, and allocates only for a long
 * or non-ASCII name. The returned string is static.
 */
const char *ois_country_alpha2(const char *name);

#endif
