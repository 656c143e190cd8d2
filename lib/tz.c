/*
 * tz.c - time zones: CLDR's Windows <-> IANA tables (generated from ICU at
 * build time by scripts/gen_windows_zones.c, so no executable links ICU),
 * and wall times <-> UTC through the C library and the system tz database.
 */
#include "tz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ois_tz_pair {
	const char *key;
	const char *value;
};

/* ois_tz_from_windows_table, ois_tz_to_windows_table: $(BUILD)/gen, made by the Makefile. */
#include "windows_zones.inc"

/* Longer than any tz name: the longest today is 32 characters. */
#define ZONE_MAX 255

/* Windows ids compare without regard to ASCII case (not the locale's: ids are ASCII). */
static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

static int key_casecmp(const void *key, const void *row)
{
	return ascii_casecmp(key, ((const struct ois_tz_pair *)row)->key);
}

static int key_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct ois_tz_pair *)row)->key);
}

const char *ois_tz_from_windows(const char *windows_id)
{
	if (!windows_id)
		return NULL;
	const struct ois_tz_pair *p = bsearch(windows_id, ois_tz_from_windows_table,
		sizeof ois_tz_from_windows_table / sizeof *ois_tz_from_windows_table,
		sizeof *ois_tz_from_windows_table, key_casecmp);
	return p ? p->value : NULL;
}

const char *ois_tz_to_windows(const char *iana)
{
	if (!iana)
		return NULL;
	const struct ois_tz_pair *p = bsearch(iana, ois_tz_to_windows_table,
		sizeof ois_tz_to_windows_table / sizeof *ois_tz_to_windows_table,
		sizeof *ois_tz_to_windows_table, key_cmp);
	return p ? p->value : NULL;
}

/*
 * A name that can only be a path below the zoneinfo folder: letters,
 * digits, '/', '_', '+', '-' (no '.', so no "..": nothing climbs out), not
 * starting with '/'. Not "right/...": those files count leap seconds, which
 * time_t does not, and every wall time would be off by them. Not
 * "localtime": the machine's own zone, which a record must never depend on.
 */
static int zone_name_ok(const char *zone)
{
	size_t n = 0;
	if (!zone || !*zone || *zone == '/')
		return 0;
	for (const char *p = zone; *p; p++, n++) {
		char c = *p;
		if (n >= ZONE_MAX || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		                       c == '/' || c == '_' || c == '+' || c == '-'))
			return 0;
	}
	return strncmp(zone, "right/", 6) && strcmp(zone, "localtime");
}

int ois_tz_known(const char *zone)
{
	if (!zone_name_ok(zone))
		return 0;
	/* Where the C library looks for it: $TZDIR when set, as glibc's tzset does. */
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, zone) >= sizeof path)
		return 0;
	/* A tz file starts "TZif"; the folder also holds directories and tables (leapseconds). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	struct stat st;
	char magic[4];
	int ok = !fstat(fd, &st) && S_ISREG(st.st_mode) && read(fd, magic, 4) == 4 && !memcmp(magic, "TZif", 4);
	close(fd);
	return ok;
}

/*
 * Make zone the C library's local time: TZ=":zone" and tzset. The zone
 * last set is kept, so a run of calls for one zone checks and reads its
 * file once (glibc's tzset itself returns at once while TZ is unchanged).
 * TZ is left so after the call: nothing in oisync reads local time (logs
 * and records are UTC, through gmtime_r and timegm).
 */
static int use_zone(const char *zone)
{
	static char current[ZONE_MAX + 2]; /* ":zone", the value this file last gave TZ */
	if (!zone)
		return -1;
	const char *tz = getenv("TZ");
	if (!(current[0] && tz && !strcmp(tz, current) && !strcmp(current + 1, zone))) {
		if (!ois_tz_known(zone))
			return -1;
		snprintf(current, sizeof current, ":%s", zone);
		if (setenv("TZ", current, 1)) {
			current[0] = '\0';
			return -1;
		}
	}
	tzset();
	return 0;
}

/* The zone's offset from UTC at t, in seconds east; -1 with *off untouched when t is beyond the C library. */
static int offset_at(time_t t, long *off)
{
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

static int days_in_month(int y, int mon)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return days[mon - 1] + (mon == 2 && leap);
}

int ois_tz_wall_to_utc(const char *zone, int y, int mon, int day, int h, int min, int s, time_t *out)
{
	/* Years as RFC 3339 writes them; a leap second (:60) is the next second, as ois_time_parse reads it. */
	if (y < 1 || y > 9999 || mon < 1 || mon > 12 || day < 1 || day > days_in_month(y, mon) ||
	    h < 0 || h > 23 || min < 0 || min > 59 || s < 0 || s > 60)
		return -1;
	if (use_zone(zone) < 0)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = day,
	                 .tm_hour = h, .tm_min = min, .tm_sec = s };
	/* The wall time's digits read as UTC: the instant is wall - offset, for the offset in force then. */
	time_t wall = timegm(&tm);
	/*
	 * No zone is a day or more away from UTC, so the instant lies within a
	 * day of wall, and (one change at most in those two days) the offset
	 * then is the one a day before or the one a day after. An offset fits
	 * when the zone really has it at wall - offset.
	 */
	long before, after, at;
	if (offset_at(wall - 86400, &before) < 0 || offset_at(wall + 86400, &after) < 0)
		return -1;
	int before_fits = offset_at(wall - before, &at) == 0 && at == before;
	int after_fits = offset_at(wall - after, &at) == 0 && at == after;
	long off;
	if (before_fits && after_fits)
		off = before > after ? before : after; /* an overlap: the earlier instant has the larger offset */
	else if (after_fits)
		off = after;
	else
		off = before; /* in force, or a gap: read with the offset before the change */
	*out = wall - off;
	return 0;
}

int ois_tz_utc_to_wall(const char *zone, time_t t, struct tm *out)
{
	if (use_zone(zone) < 0)
		return -1;
	return localtime_r(&t, out) ? 0 : -1;
}

int ois_tz_midnight_date(const char *zone, time_t t, char out[11])
{
	struct tm w;
	if (ois_tz_utc_to_wall(zone, t, &w))
		return -1;
	struct tm mid = { .tm_year = w.tm_year, .tm_mon = w.tm_mon, .tm_mday = w.tm_mday };
	time_t day = timegm(&mid);
	if (w.tm_hour * 3600 + w.tm_min * 60 + w.tm_sec > 43200)
		day += 86400;
	struct tm d;
	if (!gmtime_r(&day, &d) || strftime(out, 11, "%Y-%m-%d", &d) != 10)
		return -1;
	return 0;
}
