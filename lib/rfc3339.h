/*
 * rfc3339.h - times and dates as the records carry them (RFC 3339): parse,
 * validate, format, compare, and "now". The one place that knows the
 * grammar; every stage and backend uses it. (Not "time.h": with -Ilib that
 * name would hide the C library's <time.h>.)
 */
#ifndef OIS_RFC3339_H
#define OIS_RFC3339_H

#include <time.h>

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define OIS_TIME_LEN 21

/* What ois_time_parse accepts beyond a full RFC 3339 date-time. */
enum {
	OIS_TIME_DATE = 1,      /* a bare date, "2026-12-01": 00:00 UTC that day */
	OIS_TIME_NOZONE = 2,    /* a date-time without Z or offset: read as UTC */
	OIS_TIME_NOSECONDS = 4, /* "…T10:30" without seconds (EWS sends it for dates) */
	OIS_TIME_DATE_ZONE = 8, /* with OIS_TIME_DATE: the date may carry a zone, "2026-12-01Z" (xs:date) */
};

/*
 * Parse s: "YYYY-MM-DD", "T" (or "t" or a space), "HH:MM:SS", an optional
 * fraction, then "Z" (or "z") or "+HH:MM"/"-HH:MM"; FLAGS widen that. Every
 * field is range-checked and the date must exist (no 2026-02-31); a leap
 * second (:60) is read as the next second. 0 and *t, or -1.
 */
int ois_time_parse(const char *s, unsigned flags, time_t *t);

/* 1 when s is exactly "YYYY-MM-DD" and a date that exists, else 0. */
int ois_date_valid(const char *s);

/*
 * The date a time stored as a midnight stands for when its zone is not
 * known (Outlook keeps a birthday as a local midnight in UTC): s, a date-time
 * (seconds and zone may be missing: UTC) or a date, as the UTC day that runs
 * from noon (exclusive) to noon (inclusive), so local midnight anywhere from
 * UTC-12 to UTC+11 lands on its own date. "YYYY-MM-DD" into out (11
 * bytes): 0, or -1 when s is not a date.
 */
int ois_date_of_midnight(const char *s, char out[11]);

/* t as "YYYY-MM-DDTHH:MM:SSZ" into out (OIS_TIME_LEN bytes). */
void ois_time_format(time_t t, char out[OIS_TIME_LEN]);

/* The current time, formatted as ois_time_format does. */
void ois_time_now(char out[OIS_TIME_LEN]);

/*
 * Order two RFC 3339 UTC times ("…Z"): the "YYYY-MM-DDTHH:MM:SS" part as
 * text, then the fraction digit by digit, so "…:00.5Z" is later than
 * "…:00Z" (strcmp would say earlier: '.' sorts before 'Z'). <0, 0 or >0.
 */
int ois_time_cmp(const char *a, const char *b);

#endif
