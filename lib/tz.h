/*
 * tz.h - time zones: Windows names <-> IANA names (CLDR's windowsZones,
 * generated at build time from ICU), and wall times <-> UTC through the
 * system tz database (tzdata). Exchange names zones the Windows way
 * ("W. Europe Standard Time"); canonical appointment data and InterAction
 * use IANA names ("Europe/Berlin").
 */
#ifndef OIS_TZ_H
#define OIS_TZ_H

#include <time.h>

/*
 * The IANA zone CLDR maps a Windows zone id to for the world (territory
 * "001"): "W. Europe Standard Time" -> "Europe/Berlin", "UTC" -> "Etc/UTC".
 * Compared without regard to ASCII case. NULL when CLDR has no such id.
 * Static storage.
 */
const char *ois_tz_from_windows(const char *windows_id);

/*
 * The Windows zone id Exchange expects for an IANA zone: the one whose
 * CLDR entry lists the zone for any territory ("America/Detroit" -> "Eastern
 * Standard Time"), through tzdata's links and ICU's aliases
 * ("US/Eastern", "Asia/Calcutta"). NULL when no Windows zone covers it.
 * Static storage.
 */
const char *ois_tz_to_windows(const char *iana);

/*
 * 1 when the system tz database has zone (a tz file under $TZDIR when set,
 * else /usr/share/zoneinfo), else 0. Only names made of [A-Za-z0-9/_+-]
 * not starting with '/' count (no "..", so nothing outside the folder), and
 * never "right/..." (leap-second zones: time_t counts none) nor "localtime".
 */
int ois_tz_known(const char *zone);

/*
 * A wall-clock time in zone (y, mon 1-12, day, h, min, s as written) to
 * the UTC instant, as Outlook does it:
 * - in a gap (spring forward: 02:30 on a day that jumps from 02:00 to
 *   03:00) the wall time is read with the offset before the change, so it
 *   lands as far after the gap's end as it was after its start (03:30);
 * - in an overlap (fall back: 02:30 happens twice) the earlier instant,
 *   that is the first 02:30, under the offset before the change.
 * 0 and *out, or -1 when zone is unknown or the fields are out of range.
 */
int ois_tz_wall_to_utc(const char *zone, int y, int mon, int day, int h, int min, int s, time_t *out);

/*
 * The UTC instant t as a wall-clock time in zone: *out as localtime_r
 * fills it (tm_year from 1900, tm_mon 0-11, tm_gmtoff the zone's offset
 * then). 0, or -1 when zone is unknown.
 */
int ois_tz_utc_to_wall(const char *zone, time_t t, struct tm *out);

/*
 * The date an all-day event's instant t stands for in zone: the midnight
 * nearest to it, so a time off midnight (the zone's rules changed since the
 * item was written) still gives its day; after noon is the next day.
 * "YYYY-MM-DD" into out (11 bytes): 0, or -1 when zone is unknown.
 */
int ois_tz_midnight_date(const char *zone, time_t t, char out[11]);

/*
 * ois_tz_wall_to_utc and ois_tz_utc_to_wall work through the C library:
 * they set TZ to ":zone" and leave it so, which spares the next call for
 * the same zone its file read. oisync reads no local time elsewhere (logs
 * and records are UTC, through gmtime_r and timegm). Not thread-safe.
 */

#endif
