/*
 * test_country.c - country names to ISO 3166-1 alpha-2 (lib/country.c,
 * lib/country_fold.c): the sources of the generated table, the folding
 * rules, what must stay as typed, and idempotence.
 */
#include "unit.h"
#include "canonjson.h"
#include "country.h"
#include "country_fold.h"
#include "log.h"
#include "normalize.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

struct country_case {
	const char *in;
	const char *want; /* NULL: no country, kept as typed */
};

static const struct country_case cases[] = {
	/* ISO alpha-2, any case */
	{ "US", "US" }, { "us", "US" }, { "De", "DE" }, { "gb", "GB" }, { "CH", "CH" },
	{ "na", "NA" }, { "JP", "JP" }, { "ax", "AX" },
	/* ISO alpha-3 */
	{ "USA", "US" }, { "deu", "DE" }, { "GBR", "GB" }, { "CHE", "CH" }, { "NLD", "NL" },
	{ "jpn", "JP" }, { "KOR", "KR" }, { "PRK", "KP" }, { "civ", "CI" }, { "BIH", "BA" },
	/* ISO numeric, with and without leading zeros */
	{ "840", "US" }, { "0840", "US" }, { "276", "DE" }, { "826", "GB" }, { "756", "CH" },
	{ "036", "AU" }, { "36", "AU" }, { "0036", "AU" }, { "004", "AF" }, { "4", "AF" },
	{ "040", "AT" }, { "40", "AT" }, { "392", "JP" }, { "250", "FR" },
	{ "999", NULL }, { "123", NULL }, { "0", NULL }, { "000", NULL },
	/* ISO short names (iso-codes) */
	{ "United States", "US" }, { "Germany", "DE" }, { "United Kingdom", "GB" },
	{ "Netherlands", "NL" }, { "Switzerland", "CH" }, { "Japan", "JP" },
	{ "Korea, Republic of", "KR" }, { "Iran, Islamic Republic of", "IR" },
	{ "Congo, The Democratic Republic of the", "CD" }, { "Congo", "CG" },
	{ "Holy See (Vatican City State)", "VA" }, { "Russian Federation", "RU" },
	{ "Viet Nam", "VN" }, { "Czechia", "CZ" }, { "T\xc3\xbcrkiye", "TR" },
	{ "Eswatini", "SZ" }, { "North Macedonia", "MK" }, { "Timor-Leste", "TL" },
	/* ISO official names */
	{ "United States of America", "US" }, { "Czech Republic", "CZ" },
	{ "United Kingdom of Great Britain and Northern Ireland", "GB" },
	{ "Kingdom of the Netherlands", "NL" }, { "People's Republic of China", "CN" },
	{ "Kingdom of Saudi Arabia", "SA" }, { "Republic of Moldova", "MD" },
	/* ISO short names uninverted */
	{ "Republic of Korea", "KR" }, { "Islamic Republic of Iran", "IR" },
	{ "Democratic Republic of the Congo", "CD" }, { "State of Palestine", "PS" },
	{ "United Republic of Tanzania", "TZ" }, { "Federated States of Micronesia", "FM" },
	/* ISO common names */
	{ "South Korea", "KR" }, { "North Korea", "KP" }, { "Bolivia", "BO" },
	{ "Taiwan", "TW" }, { "Iran", "IR" }, { "Syria", "SY" }, { "Laos", "LA" },
	{ "Venezuela", "VE" }, { "Moldova", "MD" }, { "Tanzania", "TZ" },
	/* CLDR English: standard, short, variant */
	{ "Russia", "RU" }, { "Vietnam", "VN" }, { "Vatican City", "VA" },
	{ "Hong Kong SAR China", "HK" }, { "Congo - Kinshasa", "CD" }, { "Congo - Brazzaville", "CG" },
	{ "UK", "GB" }, { "Bosnia", "BA" }, { "Palestine", "PS" }, { "Macau", "MO" },
	{ "Ivory Coast", "CI" }, { "Swaziland", "SZ" }, { "East Timor", "TL" },
	{ "Cape Verde", "CV" }, { "Cabo Verde", "CV" }, { "Turkey", "TR" },
	{ "Myanmar (Burma)", "MM" }, { "Aotearoa New Zealand", "NZ" }, { "Congo (DRC)", "CD" },
	/* the aliases file: names no data source has */
	{ "Great Britain", "GB" }, { "Britain", "GB" }, { "England", "GB" }, { "Scotland", "GB" },
	{ "Wales", "GB" }, { "Northern Ireland", "GB" }, { "America", "US" }, { "UAE", "AE" },
	{ "Holland", "NL" }, { "Korea", "KR" }, { "Vatican", "VA" }, { "Holy See", "VA" },
	{ "Burma", "MM" }, { "Macedonia", "MK" }, { "DRC", "CD" }, { "DR Congo", "CD" },
	{ "Democratic Republic of Congo", "CD" }, { "Republic of Ireland", "IE" },
	{ "KSA", "SA" }, { "PRC", "CN" }, { "Emirates", "AE" }, { "Bosnia-Herzegovina", "BA" },
	{ "Lao PDR", "LA" },
	/* CLDR, the languages of a firm's offices */
	{ "Deutschland", "DE" }, { "Allemagne", "DE" }, { "Germania", "DE" }, { "Alemania", "DE" },
	{ "Duitsland", "DE" }, { "Alemanha", "DE" }, { "Niemcy", "DE" }, { "Tyskland", "DE" },
	{ "Saksa", "DE" }, { "\xd0\x93\xd0\xb5\xd1\x80\xd0\xbc\xd0\xb0\xd0\xbd\xd0\xb8\xd1\x8f", "DE" },
	{ "\xe3\x83\x89\xe3\x82\xa4\xe3\x83\x84", "DE" },           /* ドイツ */
	{ "\xe5\xbe\xb7\xe5\x9b\xbd", "DE" },                       /* 德国 */
	{ "\xe5\xbe\xb7\xe5\x9c\x8b", "DE" },                       /* 德國 */
	{ "\xeb\x8f\x85\xec\x9d\xbc", "DE" },                       /* 독일 */
	{ "\xd8\xa3\xd9\x84\xd9\x85\xd8\xa7\xd9\x86\xd9\x8a\xd8\xa7", "DE" }, /* ألمانيا */
	{ "\xd7\x92\xd7\xa8\xd7\x9e\xd7\xa0\xd7\x99\xd7\x94", "DE" }, /* גרמניה */
	{ "Espa\xc3\xb1" "a", "ES" }, { "Schweiz", "CH" }, { "Suisse", "CH" }, { "Svizzera", "CH" },
	{ "Nederland", "NL" }, { "Pays-Bas", "NL" }, { "Niederlande", "NL" },
	{ "Pa\xc3\xad" "ses Bajos", "NL" }, { "\xc3\x96sterreich", "AT" }, { "Autriche", "AT" },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "JP" },                       /* 日本 */
	{ "Belgique", "BE" }, { "Belgi\xc3\xab", "BE" }, { "Belgien", "BE" }, { "Italia", "IT" },
	{ "Frankreich", "FR" }, { "Brasil", "BR" }, { "M\xc3\xa9xico", "MX" }, { "Sverige", "SE" },
	{ "Norge", "NO" }, { "Danmark", "DK" }, { "Suomi", "FI" }, { "Polska", "PL" },
	{ "\xd0\xa0\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f", "RU" }, /* Россия */
	{ "\xe4\xb8\xad\xe5\x9b\xbd", "CN" },                       /* 中国 */
	{ "\xeb\x8c\x80\xed\x95\x9c\xeb\xaf\xbc\xea\xb5\xad", "KR" }, /* 대한민국 */
	{ "\xd7\x99\xd7\xa9\xd7\xa8\xd7\x90\xd7\x9c", "IL" },       /* ישראל */
	{ "\xd9\x85\xd8\xb5\xd8\xb1", "EG" },                       /* مصر */
	/* CLDR, each country's own languages */
	{ "Svizra", "CH" }, { "\xc3\x89ire", "IE" }, { "\xc4\x8c" "esko", "CZ" },
	{ "Magyarorsz\xc3\xa1g", "HU" }, { "Rom\xc3\xa2nia", "RO" }, { "Hrvatska", "HR" },
	{ "Slovensko", "SK" }, { "Eesti", "EE" }, { "Lietuva", "LT" }, { "Latvija", "LV" },
	{ "L\xc3\xabtzebuerg", "LU" }, { "\xc3\x8dsland", "IS" }, { "F\xc3\xb8royar", "FO" },
	{ "Kalaallit Nunaat", "GL" }, { "Pilipinas", "PH" }, { "Suid-Afrika", "ZA" },
	{ "\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1", "GR" }, /* Ελλάδα */
	{ "\xe0\xa4\xad\xe0\xa4\xbe\xe0\xa4\xb0\xe0\xa4\xa4", "IN" }, /* भारत */
	{ "\xe1\x83\xa1\xe1\x83\x90\xe1\x83\xa5\xe1\x83\x90\xe1\x83\xa0\xe1\x83\x97\xe1\x83\x95\xe1\x83\x94\xe1\x83\x9a\xe1\x83\x9d", "GE" }, /* საქართველო */
	/* German written without umlauts */
	{ "Oesterreich", "AT" }, { "Tuerkei", "TR" }, { "Daenemark", "DK" },
	/* several languages with slashes, one country */
	{ "Schweiz/Suisse/Svizzera", "CH" }, { "Belgique / Belgi\xc3\xab", "BE" }, { "UK/GB", "GB" },
	{ "Bosnia/Herzegovina", "BA" }, /* as one name: "Bosnia-Herzegovina" */
	{ "US/Canada", NULL }, { "Bosnia/Serbia", NULL },
	/* folding: case, accents, white space */
	{ "UNITED  STATES", "US" }, { "  germany\t", "DE" }, { "united\nkingdom", "GB" },
	{ "cote d'ivoire", "CI" }, { "COTE D'IVOIRE", "CI" }, { "Curacao", "CW" }, { "Cura\xc3\xa7" "ao", "CW" },
	{ "Osterreich", "AT" }, { "Reunion", "RE" }, { "R\xc3\xa9union", "RE" },
	{ "Sa\xcc\x83o Tome\xcc\x81 and Pri\xcc\x81ncipe", "ST" }, /* decomposed accents */
	{ "\xef\xbc\xb5\xef\xbc\xb3\xef\xbc\xa1", "US" },           /* full-width ＵＳＡ */
	{ "Aland Islands", "AX" }, { "\xc3\x85land Islands", "AX" },
	/* apostrophes: straight, curly, acute, none */
	{ "C\xc3\xb4te d\xe2\x80\x99Ivoire", "CI" }, { "C\xc3\xb4te d\xc2\xb4Ivoire", "CI" },
	{ "Cote dIvoire", "CI" }, { "Lao People\xe2\x80\x99s Democratic Republic", "LA" },
	{ "Democratic People's Republic of Korea", "KP" },
	/* punctuation */
	{ "Guinea-Bissau", "GW" }, { "Guinea Bissau", "GW" }, { "Korea (Republic of)", "KR" },
	{ "Virgin Islands, U.S.", "VI" }, { "U.S. Virgin Islands", "VI" }, { "US Virgin Islands", "VI" },
	{ "Timor Leste", "TL" }, { "Congo-Brazzaville", "CG" },
	/* a leading (or trailing) "The" */
	{ "The Netherlands", "NL" }, { "the Bahamas", "BS" }, { "The Gambia", "GM" },
	{ "Gambia, The", "GM" }, { "The Philippines", "PH" }, { "THE UNITED STATES", "US" },
	/* "&" read as "and" */
	{ "Bosnia & Herzegovina", "BA" }, { "Bosnia&Herzegovina", "BA" }, { "Trinidad & Tobago", "TT" },
	{ "Antigua & Barbuda", "AG" }, { "S\xc3\xa3o Tom\xc3\xa9 & Pr\xc3\xadncipe", "ST" },
	{ "Turks & Caicos Islands", "TC" }, { "Wallis & Futuna", "WF" },
	/* "St." read as "Saint" */
	{ "St. Lucia", "LC" }, { "St Lucia", "LC" }, { "Saint Lucia", "LC" }, { "St.Lucia", "LC" },
	{ "St. Kitts & Nevis", "KN" }, { "St. Vincent and the Grenadines", "VC" },
	{ "St. Pierre & Miquelon", "PM" }, { "St. Helena", "SH" }, { "St. Barth\xc3\xa9lemy", "BL" },
	{ "Ste-Lucie", "LC" }, { "Sainte-Lucie", "LC" },
	/* initials with full stops find names only */
	{ "U.S.A.", "US" }, { "U. S. A.", "US" }, { "U.S.", "US" }, { "U.K.", "GB" }, { "U.A.E.", "AE" },
	{ "N.A.", NULL }, { "S.A.", NULL }, { "N.Z.", NULL },
	/* flags, as iso-codes lists them */
	{ "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa", "DE" },               /* 🇩🇪 */
	/* ISO names that are also other things: the field is a country, ISO's name is one country */
	{ "Georgia", "GE" }, { "Jersey", "JE" }, { "Guernsey", "GG" }, { "Guinea", "GN" },
	{ "Dominica", "DM" }, { "Dominican Republic", "DO" }, { "Niger", "NE" }, { "Nigeria", "NG" },
	/* not one country: kept as typed */
	{ "Kongo", NULL },              /* CLDR: CD in Norwegian, CG in Polish; left out */
	{ "EU", NULL }, { "European Union", NULL }, { "Europe", NULL }, { "UN", NULL },
	{ "Kosovo", NULL }, { "XK", NULL },  /* CLDR's, not ISO 3166-1's */
	{ "ZZ", NULL }, { "XX", NULL }, { "New Jersey", NULL }, { "Georgia, USA", NULL },
	{ "New York", NULL }, { "California", NULL }, { "Bavaria", NULL }, { "Herzegovina", NULL },
	{ "Scandinavia", NULL }, { "Benelux", NULL }, { "Asia", NULL }, { "Latin America", NULL },
	{ "Middle East", NULL }, { "Caribbean", NULL }, { "World", NULL },
	{ "Soviet Union", NULL }, { "USSR", NULL }, { "Yugoslavia", NULL }, { "Czechoslovakia", NULL },
	{ "West Germany", NULL }, { "Persia", NULL }, { "Ceylon", NULL },
	/* no fuzzy match: misspellings stay */
	{ "Columbia", NULL }, { "Phillipines", NULL }, { "Untied States", NULL }, { "Germay", NULL },
	{ "Korea South", NULL }, { "Cote d Ivoire", NULL },
	/* placeholders */
	{ "N/A", NULL }, { "n/a", NULL }, { "Unknown", NULL }, { "None", NULL }, { "TBD", NULL },
	{ "-", NULL }, { "?", NULL }, { "Other", NULL }, { "", NULL }, { "   ", NULL },
	/* not UTF-8 */
	{ "Espa\xf1" "a", NULL },
};

static void test_country_cases(void)
{
	size_t mapped = 0;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const char *got = ois_country_alpha2(cases[i].in);
		if (!(got == cases[i].want || (got && cases[i].want && !strcmp(got, cases[i].want))))
			unit_fail(__FILE__, __LINE__, "ois_country_alpha2(\"%s\")\n#   got:  %s\n#   want: %s",
				  cases[i].in, got ? got : "(null)", cases[i].want ? cases[i].want : "(null)");
		mapped += got != NULL;
	}
	/* The floor: 150 countries found, besides those kept as typed. */
	CHECK(mapped >= 150);
	CHECK(OIS_ARRAY_SIZE(cases) - mapped >= 50);
}

/* A code out is a code in: every output maps to itself, and so does every ISO code ("UK" is GB's name, not a code). */
static void test_idempotent(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++)
		if (cases[i].want)
			CHECK_STR(ois_country_alpha2(cases[i].want), cases[i].want);
	size_t codes = 0;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			char code[3] = { a, b, '\0' };
			const char *got = ois_country_alpha2(code);
			if (got) {
				CHECK_STR(ois_country_alpha2(got), got);
				codes += !strcmp(got, code);
			}
		}
	/* iso-codes 4.15 lists 249; a newer ISO 3166-1 adds, seldom removes. */
	CHECK(codes >= 249);
}

static void test_fold(void)
{
	static const struct { const char *in, *want; int initials; } folds[] = {
		{ "  The   UNITED\tStates  ", "united states", 0 },
		{ "C\xc3\xb4te d\xe2\x80\x99Ivoire", "cote divoire", 0 },
		{ "Bosnia&Herzegovina", "bosnia and herzegovina", 0 },
		{ "St. Kitts", "saint kitts", 0 },
		{ "U.S.A.", "usa", 1 },
		{ "N/A", "n a", 0 },
		{ "Gambia, The", "gambia", 0 },
		{ "The", "the", 0 },
		{ "0040", "40", 0 },
		{ "Stra\xc3\x9f" "e", "strasse", 0 },
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba", "lodz", 0 },
		{ "\xc3\x86" "r\xc3\xb8", "aero", 0 },
		{ "\xe3\x83\x89\xe3\x82\xa4\xe3\x83\x84", "\xe3\x83\x89\xe3\x82\xa4\xe3\x83\x84", 0 }, /* dakuten kept */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(folds); i++) {
		int initials = -1;
		char *got = ois_country_fold(folds[i].in, &initials);
		CHECK_STR(got, folds[i].want);
		CHECK_INT(initials, folds[i].initials);
		/* The fold of a fold is itself (but for initials, which a fold joins). */
		char *again = ois_country_fold(got, NULL);
		if (!folds[i].initials)
			CHECK_STR(again, got);
		free(again);
		free(got);
	}
	CHECK_STR(ois_country_fold("", NULL), NULL);
	CHECK_STR(ois_country_fold(" . - ", NULL), NULL);
	CHECK_STR(ois_country_fold("000", NULL), NULL);
	CHECK_STR(ois_country_fold("\xff", NULL), NULL);
	CHECK_STR(ois_country_fold(NULL, NULL), NULL);
}

/* In a record: a country found becomes its code, anything else stays exactly as typed (trimmed). */
static void test_in_a_contact(void)
{
	static const struct { const char *in, *want; } rows[] = {
		{ "Deutschland", "DE" },
		{ " St. Lucia ", "LC" },
		{ "Kongo", "Kongo" },
		{ "Georgia, USA", "Georgia, USA" },
		{ "n/a", "n/a" },
		{ "Untied States", "Untied States" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(rows); i++) {
		json_object *o = json_object_new_object(), *addrs = json_object_new_object(), *a = json_object_new_object();
		json_object_object_add(a, "country", json_object_new_string(rows[i].in));
		json_object_object_add(addrs, "home", a);
		json_object_object_add(o, "addresses", addrs);
		ois_contact_normalize(o, "US", "t.jsonl:1: contact \"x\"");
		json_object *h, *c;
		const char *got = json_object_object_get_ex(o, "addresses", &addrs) &&
			json_object_object_get_ex(addrs, "home", &h) && json_object_object_get_ex(h, "country", &c)
			? json_object_get_string(c) : NULL;
		CHECK_STR(got, rows[i].want);
		json_object_put(o);
	}
}

int main(void)
{
	ois_log_init("test_country");
	UNIT_RUN(test_country_cases);
	UNIT_RUN(test_idempotent);
	UNIT_RUN(test_fold);
	UNIT_RUN(test_in_a_contact);
	return unit_done();
}
