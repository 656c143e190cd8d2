/* country.h - country names to ISO 3166-1 alpha-2 codes, from Debian's iso-codes. */
#ifndef OIS_COUNTRY_H
#define OIS_COUNTRY_H

/* Where iso-codes installs the table (Debian package iso-codes). */
#define OIS_ISO3166_JSON "/usr/share/iso-codes/json/iso_3166-1.json"

/*
 * The upper-case alpha-2 code for name, or NULL when name is no country we
 * know. name may be an English short name ("United States"), official name
 * ("United States of America"), common name ("South Korea"), an alpha-2 or
 * alpha-3 code in any case ("us", "USA"), or one of a few everyday aliases
 * ("UK", "U.S.A."). Matching ignores case, accents and runs of white space,
 * so "cote d'ivoire" finds "CI".
 * The table is read on the first call only, so a run whose records carry no
 * country never opens the file; if it cannot be read, one warning is logged
 * and every lookup returns NULL (callers keep the name as typed).
 * The returned string is borrowed and lives as long as the process.
 */
const char *ois_country_alpha2(const char *name);

#endif
