/* test_rfc3339.c - the one parser, validator, formatter and comparator of times and dates. */
#include "unit.h"
#include "rfc3339.h"
#include "util.h"

#include <string.h>

#define DAY_2026_11_24 1795478400LL

/* A full date-time, and with OIS_TIME_DATE a bare date, as the calendar window and appointments use. */
static void test_parse_date_time(void)
{
	static const struct { const char *in; long long want; } cases[] = {
		{ "2026-11-24", DAY_2026_11_24 },
		{ "2026-11-24T00:00:00Z", DAY_2026_11_24 },
		{ "2026-11-24T10:30:00Z", DAY_2026_11_24 + 37800 },
		{ "2026-11-24t10:30:00z", DAY_2026_11_24 + 37800 },
		{ "2026-11-24 10:30:00Z", DAY_2026_11_24 + 37800 },
		{ "2026-11-24T10:30:00.250Z", DAY_2026_11_24 + 37800 },
		{ "2026-11-24T05:30:00-05:00", DAY_2026_11_24 + 37800 },
		{ "2026-11-24T12:30:00+02:00", DAY_2026_11_24 + 37800 },
		{ "2026-11-24T16:15:00+05:45", DAY_2026_11_24 + 37800 },
		{ "2024-02-29", 1709164800LL },
		{ "2000-02-29", 951782400LL },
		{ "1900-02-29", -1 },
		{ "2026-02-29", -1 },
		{ "2026-02-30", -1 },
		{ "2026-02-31", -1 },
		{ "2026-04-31", -1 },
		{ "2026-13-01", -1 },
		{ "2026-00-10", -1 },
		{ "0000-01-01", -1 },
		{ "2026-11-24T24:00:00Z", -1 },
		{ "2026-11-24T10:60:00Z", -1 },
		{ "2026-11-24T10:30:61Z", -1 },
		{ "2026-11-24T10:30:00.Z", -1 },
		{ "2026-11-24T10:30:00+24:00", -1 },
		{ "2026-11-24T10:30:00+0200", -1 },
		{ "2026-11-24T10:30:00", -1 },
		{ "2026-11-24T10:30Z", -1 },
		{ "2026-11-24Z", -1 },
		{ "26-11-24", -1 },
		{ "", -1 },
		{ "2026-11-24T10:30:00Zjunk", -1 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		time_t t = 0;
		int rc = ois_time_parse(cases[i].in, OIS_TIME_DATE, &t);
		if (cases[i].want < 0) {
			CHECK_INT(rc, -1);
		} else {
			CHECK_INT(rc, 0);
			CHECK_INT(t, cases[i].want);
		}
	}
	time_t t = 0;
	CHECK_INT(ois_time_parse(NULL, OIS_TIME_DATE, &t), -1);
}

/* Each flag widens exactly what it says, and nothing is accepted without it. */
static void test_parse_flags(void)
{
	time_t t = 0;
	/* A bare date needs OIS_TIME_DATE: reconcile's --now wants a time. */
	CHECK_INT(ois_time_parse("2026-11-24", 0, &t), -1);
	CHECK_INT(ois_time_parse("2026-11-24T10:30:00Z", 0, &t), 0);
	CHECK_INT(t, DAY_2026_11_24 + 37800);
	/* No zone: UTC, only when told (InterAction sends such times). */
	CHECK_INT(ois_time_parse("2026-11-24T10:30:00", OIS_TIME_NOZONE, &t), 0);
	CHECK_INT(t, DAY_2026_11_24 + 37800);
	/* No seconds, only when told (EWS dates). */
	CHECK_INT(ois_time_parse("2026-11-24T10:30Z", OIS_TIME_NOSECONDS, &t), 0);
	CHECK_INT(t, DAY_2026_11_24 + 37800);
	CHECK_INT(ois_time_parse("2026-11-24T10:30", OIS_TIME_NOSECONDS, &t), -1);
	CHECK_INT(ois_time_parse("2026-11-24T10:30", OIS_TIME_NOSECONDS | OIS_TIME_NOZONE, &t), 0);
	/* A date with a zone (xs:date): midnight there. */
	CHECK_INT(ois_time_parse("2026-11-24Z", OIS_TIME_DATE | OIS_TIME_DATE_ZONE, &t), 0);
	CHECK_INT(t, DAY_2026_11_24);
	CHECK_INT(ois_time_parse("2026-11-24+01:00", OIS_TIME_DATE | OIS_TIME_DATE_ZONE, &t), 0);
	CHECK_INT(t, DAY_2026_11_24 - 3600);
	CHECK_INT(ois_time_parse("2026-11-24Z", OIS_TIME_DATE_ZONE, &t), -1);
	/* No flag lets a date that does not exist through. */
	CHECK_INT(ois_time_parse("2026-02-31T12:00", ~0u, &t), -1);
}

static void test_date_valid(void)
{
	CHECK_INT(ois_date_valid("2026-12-01"), 1);
	CHECK_INT(ois_date_valid("2024-02-29"), 1);
	CHECK_INT(ois_date_valid("2026-02-29"), 0);
	/* Transform and the EWS writer used to disagree on this one. */
	CHECK_INT(ois_date_valid("2026-02-31"), 0);
	CHECK_INT(ois_date_valid("2026-12-01T00:00:00Z"), 0);
	CHECK_INT(ois_date_valid("12/01/1970"), 0);
	CHECK_INT(ois_date_valid("2026-1-01"), 0);
	CHECK_INT(ois_date_valid(""), 0);
	CHECK_INT(ois_date_valid(NULL), 0);
}

/* A midnight of an unknown zone: the nearest midnight UTC, noon (inclusive) the earlier day's. */
static void test_date_of_midnight(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "1974-07-22T00:00:00Z", "1974-07-22" },     /* midnight UTC, as Graph often sends one */
		{ "1974-07-21T14:00:00Z", "1974-07-22" },     /* Sydney's midnight */
		{ "1974-07-22T05:00:00Z", "1974-07-22" },     /* New York's */
		{ "1974-07-22T12:00:00Z", "1974-07-22" },     /* noon: still that day */
		{ "1974-07-22T12:00:01Z", "1974-07-23" },
		{ "1974-07-22T11:59:00.0000000Z", "1974-07-22" },
		{ "1974-07-22", "1974-07-22" },
		{ "1969-12-31T23:00:00Z", "1970-01-01" },     /* before the epoch */
		{ "1974-07-32T00:00:00Z", NULL },
		{ "soon", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char d[11];
		int rc = ois_date_of_midnight(cases[i].in, d);
		CHECK_STR(rc ? NULL : d, cases[i].out);
	}
}

static void test_format_and_now(void)
{
	char out[OIS_TIME_LEN];
	ois_time_format((time_t)(DAY_2026_11_24 + 37800), out);
	CHECK_STR(out, "2026-11-24T10:30:00Z");
	ois_time_format(0, out);
	CHECK_STR(out, "1970-01-01T00:00:00Z");
	/* now is in the same form, and the parser reads it back. */
	time_t t = 0;
	ois_time_now(out);
	CHECK_INT(strlen(out), OIS_TIME_LEN - 1);
	CHECK_INT(ois_time_parse(out, 0, &t), 0);
	char again[OIS_TIME_LEN];
	ois_time_format(t, again);
	CHECK_STR(again, out);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_cmp(void)
{
	static const struct { const char *a, *b; int want; } cases[] = {
		{ "2026-11-24T10:30:00Z", "2026-11-24T10:30:00Z", 0 },
		{ "2026-11-24T10:30:01Z", "2026-11-24T10:30:00Z", 1 },
		{ "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", -1 },
		/* A fraction is later than none: strcmp says the opposite. */
		{ "2026-11-24T10:30:00.5Z", "2026-11-24T10:30:00Z", 1 },
		{ "2026-11-24T10:30:00.10Z", "2026-11-24T10:30:00.1Z", 0 },
		{ "2026-11-24T10:30:00.09Z", "2026-11-24T10:30:00.1Z", -1 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		CHECK_INT(sign(ois_time_cmp(cases[i].a, cases[i].b)), cases[i].want);
		CHECK_INT(sign(ois_time_cmp(cases[i].b, cases[i].a)), -cases[i].want);
	}
}

int main(void)
{
	UNIT_RUN(test_parse_date_time);
	UNIT_RUN(test_parse_flags);
	UNIT_RUN(test_date_valid);
	UNIT_RUN(test_date_of_midnight);
	UNIT_RUN(test_format_and_now);
	UNIT_RUN(test_cmp);
	return unit_done();
}
