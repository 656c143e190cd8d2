/*
 * test_tz.c - time zones: CLDR's Windows <-> IANA tables, and wall times
 * <-> UTC on the very days the clocks change, north and south, by an hour
 * and by half an hour, in zones a quarter hour off the hour.
 */
#include "unit.h"
#include "rfc3339.h"
#include "tz.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/oisync-tz-XXXXXX";

/* zone's wall time as the RFC 3339 UTC instant ois_tz_wall_to_utc makes of it, or "-1". */
static const char *utc(const char *zone, int y, int mon, int day, int h, int min, int s)
{
	static char out[OIS_TIME_LEN];
	time_t t = 0;
	if (ois_tz_wall_to_utc(zone, y, mon, day, h, min, s, &t) < 0)
		return "-1";
	ois_time_format(t, out);
	return out;
}

static time_t instant(const char *rfc3339)
{
	time_t t = 0;
	if (ois_time_parse(rfc3339, 0, &t) < 0)
		unit_fail(__FILE__, __LINE__, "bad fixture %s", rfc3339);
	return t;
}

/* The days the clocks change, and around them: a gap reads with the offset before it, an overlap takes the first. */
static void test_wall_to_utc_on_change_days(void)
{
	static const struct {
		const char *zone;
		int y, mon, day, h, min, s;
		const char *want;
	} cases[] = {
		/* New York springs forward 2026-03-08 02:00 EST -> 03:00 EDT. */
		{ "America/New_York", 2026, 3, 8, 1, 59, 0, "2026-03-08T06:59:00Z" },
		{ "America/New_York", 2026, 3, 8, 1, 59, 59, "2026-03-08T06:59:59Z" },
		{ "America/New_York", 2026, 3, 8, 2, 0, 0, "2026-03-08T07:00:00Z" },   /* gap: 03:00 EDT */
		{ "America/New_York", 2026, 3, 8, 2, 30, 0, "2026-03-08T07:30:00Z" },  /* gap: 03:30 EDT */
		{ "America/New_York", 2026, 3, 8, 2, 59, 59, "2026-03-08T07:59:59Z" },
		{ "America/New_York", 2026, 3, 8, 3, 0, 0, "2026-03-08T07:00:00Z" },
		{ "America/New_York", 2026, 3, 8, 3, 30, 0, "2026-03-08T07:30:00Z" },
		{ "America/New_York", 2026, 3, 8, 12, 0, 0, "2026-03-08T16:00:00Z" },
		{ "America/New_York", 2026, 3, 8, 0, 0, 0, "2026-03-08T05:00:00Z" },
		{ "America/New_York", 2026, 3, 8, 23, 59, 59, "2026-03-09T03:59:59Z" },
		/* ... and falls back 2026-11-01 02:00 EDT -> 01:00 EST: 01:00-01:59 twice. */
		{ "America/New_York", 2026, 11, 1, 0, 59, 0, "2026-11-01T04:59:00Z" },
		{ "America/New_York", 2026, 11, 1, 1, 0, 0, "2026-11-01T05:00:00Z" },  /* overlap: EDT */
		{ "America/New_York", 2026, 11, 1, 1, 30, 0, "2026-11-01T05:30:00Z" }, /* overlap: EDT */
		{ "America/New_York", 2026, 11, 1, 1, 59, 59, "2026-11-01T05:59:59Z" },
		{ "America/New_York", 2026, 11, 1, 2, 0, 0, "2026-11-01T07:00:00Z" },
		{ "America/New_York", 2026, 11, 1, 23, 0, 0, "2026-11-02T04:00:00Z" },
		/* US/Eastern is a link to the same zone. */
		{ "US/Eastern", 2026, 3, 8, 2, 30, 0, "2026-03-08T07:30:00Z" },
		/* Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET. */
		{ "Europe/Berlin", 2026, 3, 29, 1, 59, 0, "2026-03-29T00:59:00Z" },
		{ "Europe/Berlin", 2026, 3, 29, 2, 30, 0, "2026-03-29T01:30:00Z" },    /* gap: 03:30 CEST */
		{ "Europe/Berlin", 2026, 3, 29, 3, 0, 0, "2026-03-29T01:00:00Z" },
		{ "Europe/Berlin", 2026, 10, 25, 1, 59, 0, "2026-10-24T23:59:00Z" },
		{ "Europe/Berlin", 2026, 10, 25, 2, 30, 0, "2026-10-25T00:30:00Z" },   /* overlap: CEST */
		{ "Europe/Berlin", 2026, 10, 25, 3, 0, 0, "2026-10-25T02:00:00Z" },
		/* Sydney, south: 2026-10-04 02:00 AEST -> 03:00 AEDT; 2026-04-05 03:00 AEDT -> 02:00 AEST. */
		{ "Australia/Sydney", 2026, 10, 4, 1, 59, 0, "2026-10-03T15:59:00Z" },
		{ "Australia/Sydney", 2026, 10, 4, 2, 30, 0, "2026-10-03T16:30:00Z" }, /* gap: 03:30 AEDT */
		{ "Australia/Sydney", 2026, 10, 4, 3, 0, 0, "2026-10-03T16:00:00Z" },
		{ "Australia/Sydney", 2026, 4, 5, 1, 59, 0, "2026-04-04T14:59:00Z" },
		{ "Australia/Sydney", 2026, 4, 5, 2, 30, 0, "2026-04-04T15:30:00Z" },  /* overlap: AEDT */
		{ "Australia/Sydney", 2026, 4, 5, 3, 0, 0, "2026-04-04T17:00:00Z" },
		/* Lord Howe moves half an hour: 2026-10-04 02:00 +10:30 -> 02:30 +11; 2026-04-05 02:00 +11 -> 01:30 +10:30. */
		{ "Australia/Lord_Howe", 2026, 10, 4, 1, 59, 0, "2026-10-03T15:29:00Z" },
		{ "Australia/Lord_Howe", 2026, 10, 4, 2, 15, 0, "2026-10-03T15:45:00Z" }, /* gap: 02:45 +11 */
		{ "Australia/Lord_Howe", 2026, 10, 4, 2, 30, 0, "2026-10-03T15:30:00Z" },
		{ "Australia/Lord_Howe", 2026, 4, 5, 1, 29, 0, "2026-04-04T14:29:00Z" },
		{ "Australia/Lord_Howe", 2026, 4, 5, 1, 45, 0, "2026-04-04T14:45:00Z" },  /* overlap: +11 */
		{ "Australia/Lord_Howe", 2026, 4, 5, 2, 0, 0, "2026-04-04T15:30:00Z" },
		{ "Australia/Lord_Howe", 2026, 7, 1, 12, 0, 0, "2026-07-01T01:30:00Z" },
		/* Off the hour, no changes: India +05:30, Nepal +05:45. */
		{ "Asia/Kolkata", 2026, 7, 1, 12, 0, 0, "2026-07-01T06:30:00Z" },
		{ "Asia/Kolkata", 2026, 1, 1, 0, 0, 0, "2025-12-31T18:30:00Z" },
		{ "Asia/Calcutta", 2026, 7, 1, 12, 0, 0, "2026-07-01T06:30:00Z" },
		{ "Asia/Kathmandu", 2026, 7, 1, 12, 0, 0, "2026-07-01T06:15:00Z" },
		/* Chatham: +12:45, and +13:45 in its (southern) summer. */
		{ "Pacific/Chatham", 2026, 7, 1, 12, 0, 0, "2026-06-30T23:15:00Z" },
		{ "Pacific/Chatham", 2026, 1, 15, 12, 0, 0, "2026-01-14T22:15:00Z" },
		/* Across the date line, and UTC itself. */
		{ "Pacific/Kiritimati", 2026, 1, 1, 0, 0, 0, "2025-12-31T10:00:00Z" },
		{ "Etc/UTC", 2026, 2, 28, 23, 59, 59, "2026-02-28T23:59:59Z" },
		/* A leap second is the next second, as ois_time_parse reads it; 29 February where it exists. */
		{ "Etc/UTC", 2026, 12, 31, 23, 59, 60, "2027-01-01T00:00:00Z" },
		{ "Europe/Berlin", 2024, 2, 29, 12, 0, 0, "2024-02-29T11:00:00Z" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const char *got = utc(cases[i].zone, cases[i].y, cases[i].mon, cases[i].day,
		                      cases[i].h, cases[i].min, cases[i].s);
		if (strcmp(got, cases[i].want))
			unit_fail(__FILE__, __LINE__, "%s %04d-%02d-%02d %02d:%02d:%02d\n#   got:  %s\n#   want: %s",
			          cases[i].zone, cases[i].y, cases[i].mon, cases[i].day, cases[i].h, cases[i].min,
			          cases[i].s, got, cases[i].want);
	}
}

/* Instants as the zone's wall clock, with the offset in force then. */
static void test_utc_to_wall(void)
{
	static const struct {
		const char *zone, *at;
		int y, mon, day, h, min, isdst;
		long gmtoff;
	} cases[] = {
		/* The two 01:30s of New York's fall-back day, and both sides of its gap. */
		{ "America/New_York", "2026-11-01T05:30:00Z", 2026, 11, 1, 1, 30, 1, -4 * 3600 },
		{ "America/New_York", "2026-11-01T06:30:00Z", 2026, 11, 1, 1, 30, 0, -5 * 3600 },
		{ "America/New_York", "2026-03-08T06:59:00Z", 2026, 3, 8, 1, 59, 0, -5 * 3600 },
		{ "America/New_York", "2026-03-08T07:00:00Z", 2026, 3, 8, 3, 0, 1, -4 * 3600 },
		{ "Europe/Berlin", "2026-10-25T00:30:00Z", 2026, 10, 25, 2, 30, 1, 2 * 3600 },
		{ "Europe/Berlin", "2026-10-25T01:30:00Z", 2026, 10, 25, 2, 30, 0, 3600 },
		{ "Australia/Sydney", "2026-10-03T16:30:00Z", 2026, 10, 4, 3, 30, 1, 11 * 3600 },
		{ "Australia/Sydney", "2026-07-01T00:00:00Z", 2026, 7, 1, 10, 0, 0, 10 * 3600 },
		{ "Australia/Lord_Howe", "2026-07-01T01:30:00Z", 2026, 7, 1, 12, 0, 0, 37800 },
		{ "Australia/Lord_Howe", "2026-01-01T01:00:00Z", 2026, 1, 1, 12, 0, 1, 39600 },
		{ "Asia/Kolkata", "2026-07-01T06:30:00Z", 2026, 7, 1, 12, 0, 0, 19800 },
		{ "Asia/Kathmandu", "2026-07-01T06:15:00Z", 2026, 7, 1, 12, 0, 0, 20700 },
		{ "Pacific/Chatham", "2026-06-30T23:15:00Z", 2026, 7, 1, 12, 0, 0, 45900 },
		{ "Pacific/Chatham", "2026-01-14T22:15:00Z", 2026, 1, 15, 12, 0, 1, 49500 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		CHECK_INT(ois_tz_utc_to_wall(cases[i].zone, instant(cases[i].at), &tm), 0);
		CHECK_INT(tm.tm_year + 1900, cases[i].y);
		CHECK_INT(tm.tm_mon + 1, cases[i].mon);
		CHECK_INT(tm.tm_mday, cases[i].day);
		CHECK_INT(tm.tm_hour, cases[i].h);
		CHECK_INT(tm.tm_min, cases[i].min);
		CHECK_INT(tm.tm_sec, 0);
		CHECK_INT(tm.tm_isdst > 0, cases[i].isdst);
		CHECK_INT(tm.tm_gmtoff, cases[i].gmtoff);
	}
	struct tm tm;
	CHECK_INT(ois_tz_utc_to_wall("Mars/Olympus_Mons", 0, &tm), -1);
	CHECK_INT(ois_tz_utc_to_wall(NULL, 0, &tm), -1);
}

/* Every wall time that exists comes back unchanged (an hour of a gap does not exist; it moves on). */
static void test_round_trip(void)
{
	static const char *const zones[] = { "America/New_York", "Europe/Berlin", "Australia/Sydney",
	                                     "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu" };
	for (size_t z = 0; z < OIS_ARRAY_SIZE(zones); z++) {
		/* Every quarter hour of 2026: the changes of each zone are among them. */
		time_t start = instant("2026-01-01T00:00:00Z");
		int bad = 0;
		for (time_t t = start; t < start + 365 * 86400 && bad < 3; t += 900) {
			struct tm tm;
			time_t back = 0;
			if (ois_tz_utc_to_wall(zones[z], t, &tm) < 0 ||
			    ois_tz_wall_to_utc(zones[z], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			                       tm.tm_min, tm.tm_sec, &back) < 0) {
				unit_fail(__FILE__, __LINE__, "%s at %lld failed", zones[z], (long long)t);
				bad++;
				continue;
			}
			/* Only the second pass of an overlap maps back to the first: an offset's worth earlier. */
			if (back != t && !(back < t && t - back <= 3600 && tm.tm_isdst == 0)) {
				unit_fail(__FILE__, __LINE__, "%s: %lld -> %02d:%02d -> %lld", zones[z], (long long)t,
				          tm.tm_hour, tm.tm_min, (long long)back);
				bad++;
			}
		}
	}
}

/* An all-day event's instant is its zone's midnight; one off midnight gives the nearest day. */
static void test_midnight_date(void)
{
	static const struct { const char *zone, *t, *date; } cases[] = {
		{ "Australia/Sydney", "2026-12-24T13:00:00Z", "2026-12-25" },  /* summer, UTC+11 */
		{ "Australia/Sydney", "2026-07-09T14:00:00Z", "2026-07-10" },  /* winter, UTC+10 */
		{ "Australia/Sydney", "2026-12-24T14:00:00Z", "2026-12-25" },  /* an hour off: still that day */
		{ "America/New_York", "2026-12-25T05:00:00Z", "2026-12-25" },
		{ "America/New_York", "2026-12-25T17:00:00Z", "2026-12-25" },  /* noon there: that day */
		{ "America/New_York", "2026-12-25T17:00:01Z", "2026-12-26" },  /* after noon: the next */
		{ "Etc/UTC", "2026-12-25T00:00:00Z", "2026-12-25" },
		{ "Mars/Olympus_Mons", "2026-12-25T00:00:00Z", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char d[11];
		int rc = ois_tz_midnight_date(cases[i].zone, instant(cases[i].t), d);
		CHECK_STR(rc ? NULL : d, cases[i].date);
	}
}

/* Names, and fields, that are not a wall time in a zone. */
static void test_refusals(void)
{
	time_t t = 12345;
	static const char *const bad_zones[] = {
		"Mars/Olympus_Mons", "", "../etc/passwd", "Europe/../../etc/passwd", "/etc/localtime",
		"/usr/share/zoneinfo/Europe/Berlin", "Europe", "Europe/", "zone.tab", "tzdata.zi",
		"localtime", "right/Europe/Berlin", "Europe/Berlin ", "Europe/Berlin\n", "Europe\\Berlin",
		"EST5EDT,M3.2.0,M11.1.0", "<+03>-3",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad_zones); i++) {
		if (ois_tz_known(bad_zones[i]))
			unit_fail(__FILE__, __LINE__, "ois_tz_known(\"%s\") is 1", bad_zones[i]);
		if (ois_tz_wall_to_utc(bad_zones[i], 2026, 7, 1, 12, 0, 0, &t) != -1)
			unit_fail(__FILE__, __LINE__, "ois_tz_wall_to_utc(\"%s\") is not -1", bad_zones[i]);
	}
	CHECK_INT(ois_tz_known(NULL), 0);
	CHECK_INT(ois_tz_wall_to_utc(NULL, 2026, 7, 1, 12, 0, 0, &t), -1);
	char longname[600];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK_INT(ois_tz_known(longname), 0);
	CHECK_INT(t, 12345); /* a refusal leaves *out alone */

	static const struct { int y, mon, day, h, min, s; } bad_fields[] = {
		{ 2026, 0, 1, 12, 0, 0 }, { 2026, 13, 1, 12, 0, 0 }, { 2026, 1, 0, 12, 0, 0 },
		{ 2026, 1, 32, 12, 0, 0 }, { 2026, 2, 29, 12, 0, 0 }, { 2100, 2, 29, 12, 0, 0 },
		{ 2026, 4, 31, 12, 0, 0 }, { 2026, 7, 1, 24, 0, 0 }, { 2026, 7, 1, -1, 0, 0 },
		{ 2026, 7, 1, 12, 60, 0 }, { 2026, 7, 1, 12, -1, 0 }, { 2026, 7, 1, 12, 0, 61 },
		{ 2026, 7, 1, 12, 0, -1 }, { 0, 7, 1, 12, 0, 0 }, { 10000, 7, 1, 12, 0, 0 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad_fields); i++)
		if (ois_tz_wall_to_utc("Europe/Berlin", bad_fields[i].y, bad_fields[i].mon, bad_fields[i].day,
		                       bad_fields[i].h, bad_fields[i].min, bad_fields[i].s, &t) != -1)
			unit_fail(__FILE__, __LINE__, "%04d-%02d-%02d %02d:%02d:%02d was accepted", bad_fields[i].y,
			          bad_fields[i].mon, bad_fields[i].day, bad_fields[i].h, bad_fields[i].min,
			          bad_fields[i].s);
	CHECK_INT(t, 12345);
	CHECK_INT(ois_tz_known("Europe/Berlin"), 1);
	CHECK_INT(ois_tz_known("US/Eastern"), 1);
	CHECK_INT(ois_tz_known("Etc/GMT+5"), 1);
	CHECK_INT(ois_tz_known("EST5EDT"), 1);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n = in < 0 || out < 0 ? -1 : read(in, buf, sizeof buf);
	int ok = n > 0 && write(out, buf, (size_t)n) == n;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok ? 0 : -1;
}

/* $TZDIR, as the C library honours it: a zone is known when a tz file is there, under that name. */
static void test_tzdir(void)
{
	char *sub = ois_xasprintf("%s/My", dir), *zone = ois_xasprintf("%s/My/Zone", dir),
	     *text = ois_xasprintf("%s/My/Text", dir);
	CHECK_INT(mkdir(sub, 0755), 0);
	CHECK_INT(copy_file("/usr/share/zoneinfo/Europe/Berlin", zone), 0);
	FILE *f = fopen(text, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("not a tz file\n", f);
		fclose(f);
	}
	setenv("TZDIR", dir, 1);
	CHECK_INT(ois_tz_known("My/Zone"), 1);
	CHECK_INT(ois_tz_known("My/Text"), 0);
	CHECK_INT(ois_tz_known("My"), 0);
	CHECK_INT(ois_tz_known("Europe/Berlin"), 0);
	CHECK_STR(utc("My/Zone", 2026, 3, 29, 2, 30, 0), "2026-03-29T01:30:00Z");
	unsetenv("TZDIR");
	CHECK_INT(ois_tz_known("My/Zone"), 0);
	CHECK_INT(ois_tz_known("Europe/Berlin"), 1);
	unlink(zone);
	unlink(text);
	rmdir(sub);
	free(sub);
	free(zone);
	free(text);
}

/* Whoever changes TZ between calls, each call still answers for its own zone. */
static void test_tz_changed_between_calls(void)
{
	CHECK_STR(utc("Europe/Berlin", 2026, 7, 1, 12, 0, 0), "2026-07-01T10:00:00Z");
	setenv("TZ", ":Asia/Kolkata", 1);
	tzset();
	CHECK_STR(utc("Europe/Berlin", 2026, 7, 1, 12, 0, 0), "2026-07-01T10:00:00Z");
	setenv("TZ", ":Asia/Kolkata", 1);
	CHECK_STR(utc("Europe/Berlin", 2026, 7, 1, 12, 0, 0), "2026-07-01T10:00:00Z");
	unsetenv("TZ");
	CHECK_STR(utc("Europe/Berlin", 2026, 7, 1, 12, 0, 0), "2026-07-01T10:00:00Z");
	/* And times oisync writes stay UTC whatever zone was used last. */
	char out[OIS_TIME_LEN];
	ois_time_format(instant("2026-07-01T10:00:00Z"), out);
	CHECK_STR(out, "2026-07-01T10:00:00Z");
}

/* CLDR's windowsZones, both ways. */
static void test_windows(void)
{
	CHECK_STR(ois_tz_from_windows("Eastern Standard Time"), "America/New_York");
	CHECK_STR(ois_tz_from_windows("eastern standard TIME"), "America/New_York");
	CHECK_STR(ois_tz_from_windows("W. Europe Standard Time"), "Europe/Berlin");
	CHECK_STR(ois_tz_from_windows("AUS Eastern Standard Time"), "Australia/Sydney");
	/* CLDR keeps its first names of renamed zones: tzdata links them to Asia/Kolkata, Asia/Kathmandu. */
	CHECK_STR(ois_tz_from_windows("India Standard Time"), "Asia/Calcutta");
	CHECK_STR(ois_tz_from_windows("Nepal Standard Time"), "Asia/Katmandu");
	CHECK_STR(ois_tz_from_windows("UTC"), "Etc/UTC");
	CHECK_STR(ois_tz_from_windows("Lord Howe Standard Time"), "Australia/Lord_Howe");
	CHECK_STR(ois_tz_from_windows("Chatham Islands Standard Time"), "Pacific/Chatham");
	CHECK_STR(ois_tz_from_windows("Eastern Standard Time "), NULL);
	CHECK_STR(ois_tz_from_windows("Mars Standard Time"), NULL);
	CHECK_STR(ois_tz_from_windows(""), NULL);
	CHECK_STR(ois_tz_from_windows(NULL), NULL);

	CHECK_STR(ois_tz_to_windows("America/New_York"), "Eastern Standard Time");
	CHECK_STR(ois_tz_to_windows("US/Eastern"), "Eastern Standard Time");
	CHECK_STR(ois_tz_to_windows("America/Detroit"), "Eastern Standard Time");
	CHECK_STR(ois_tz_to_windows("Europe/Berlin"), "W. Europe Standard Time");
	CHECK_STR(ois_tz_to_windows("Australia/Sydney"), "AUS Eastern Standard Time");
	CHECK_STR(ois_tz_to_windows("Australia/Melbourne"), "AUS Eastern Standard Time");
	CHECK_STR(ois_tz_to_windows("Asia/Kathmandu"), "Nepal Standard Time");
	CHECK_STR(ois_tz_to_windows("Asia/Katmandu"), "Nepal Standard Time");
	CHECK_STR(ois_tz_to_windows("Asia/Kolkata"), "India Standard Time");
	CHECK_STR(ois_tz_to_windows("Asia/Calcutta"), "India Standard Time");
	CHECK_STR(ois_tz_to_windows("Etc/UTC"), "UTC");
	CHECK_STR(ois_tz_to_windows("Mars/Olympus_Mons"), NULL);
	CHECK_STR(ois_tz_to_windows(""), NULL);
	CHECK_STR(ois_tz_to_windows(NULL), NULL);

	/* Each Windows zone's IANA zone is one the system knows, and maps back. */
	static const char *const ids[] = { "Eastern Standard Time", "W. Europe Standard Time",
	                                   "AUS Eastern Standard Time", "India Standard Time",
	                                   "Nepal Standard Time", "UTC", "Lord Howe Standard Time" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(ids); i++) {
		const char *iana = ois_tz_from_windows(ids[i]);
		CHECK_INT(ois_tz_known(iana), 1);
		CHECK_STR(ois_tz_to_windows(iana), ids[i]);
	}
}

int main(void)
{
	/* A zone no test uses, far from UTC: a result that leaned on local time would show. */
	setenv("TZ", "Pacific/Kiritimati", 1);
	tzset();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	UNIT_RUN(test_wall_to_utc_on_change_days);
	UNIT_RUN(test_utc_to_wall);
	UNIT_RUN(test_round_trip);
	UNIT_RUN(test_midnight_date);
	UNIT_RUN(test_refusals);
	UNIT_RUN(test_tzdir);
	UNIT_RUN(test_tz_changed_between_calls);
	UNIT_RUN(test_windows);
	rmdir(dir);
	return unit_done();
}
