/* rfc3339.c - RFC 3339 times and dates: the one parser, formatter and comparator (see rfc3339.h). */
#include "rfc3339.h"

#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n decimal digits at s into *v: 0, or -1 when one is not a digit. */
static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at s, a date that exists from year 1 on: what follows it, or NULL. */
static const char *parse_date(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' || digits(s + 8, 2, d))
		return NULL;
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return NULL;
	return s + 10;
}

/* "HH:MM[:SS[.fraction]]" at s: what follows it, or NULL. */
static const char *parse_clock(const char *s, unsigned flags, int *h, int *mi, int *sec)
{
	*sec = 0;
	if (digits(s, 2, h) || s[2] != ':' || digits(s + 3, 2, mi) || *h > 23 || *mi > 59)
		return NULL;
	s += 5;
	if (*s != ':')
		return flags & OIS_TIME_NOSECONDS ? s : NULL;
	if (digits(s + 1, 2, sec) || *sec > 60)
		return NULL;
	s += 3;
	if (*s == '.') {
		if (!is_digit(*++s))
			return NULL;
		while (is_digit(*s))
			s++;
	}
	return s;
}

/* "Z" or "±HH:MM" at s into *off (seconds east of UTC): what follows it, or NULL when neither. */
static const char *parse_zone(const char *s, long *off)
{
	int oh, om;
	*off = 0;
	if (*s == 'Z' || *s == 'z')
		return s + 1;
	if ((*s != '+' && *s != '-') || digits(s + 1, 2, &oh) || s[3] != ':' || digits(s + 4, 2, &om) ||
	    oh > 23 || om > 59)
		return NULL;
	*off = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
	return s + 6;
}

int ois_time_parse(const char *s, unsigned flags, time_t *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	long off = 0;
	const char *p = s ? parse_date(s, &y, &mo, &d) : NULL;
	if (!p)
		return -1;
	int has_clock = *p == 'T' || *p == 't' || *p == ' ';
	if (has_clock) {
		if (!(p = parse_clock(p + 1, flags, &h, &mi, &sec)))
			return -1;
	} else if (!(flags & OIS_TIME_DATE)) {
		return -1;
	}
	/* A zone is required after a clock, unless told otherwise; a bare date
	 * carries one only when told (xs:date). */
	if (*p) {
		if ((!has_clock && !(flags & OIS_TIME_DATE_ZONE)) || !(p = parse_zone(p, &off)) || *p)
			return -1;
	} else if (has_clock && !(flags & OIS_TIME_NOZONE)) {
		return -1;
	}
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec };
	*t = timegm(&tm) - off;
	return 0;
}

int ois_date_valid(const char *s)
{
	int y, m, d;
	const char *end = s ? parse_date(s, &y, &m, &d) : NULL;
	return end && !*end;
}

static long long floor_div(long long a, long long b)
{
	long long q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int ois_date_of_midnight(const char *s, char out[11])
{
	time_t parsed;
	/* A date-time, or a date (an xs:date may carry a zone); seconds and zone may be missing. */
	if (ois_time_parse(s, OIS_TIME_DATE | OIS_TIME_DATE_ZONE | OIS_TIME_NOZONE | OIS_TIME_NOSECONDS, &parsed))
		return -1;
	long long t = (long long)parsed;
	/* Days run from noon (exclusive) to noon (inclusive) UTC: the midnight nearest t, a tie the earlier. */
	long long day = -floor_div(-(t - 43200), 86400);
	time_t mid = (time_t)(day * 86400);
	struct tm out_tm;
	if (!gmtime_r(&mid, &out_tm))
		return -1;
	if (strftime(out, 11, "%Y-%m-%d", &out_tm) != 10)
		return -1;
	return 0;
}

void ois_time_format(time_t t, char out[OIS_TIME_LEN])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, OIS_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

void ois_time_now(char out[OIS_TIME_LEN])
{
	ois_time_format(time(NULL), out);
}

int ois_time_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int c = strncmp(a, b, 19);
	if (c || la < 19 || lb < 19)
		return c ? c : (int)la - (int)lb;
	a += 19;
	b += 19;
	if (*a == '.')
		a++;
	if (*b == '.')
		b++;
	for (;;) {
		int da = is_digit(*a) ? *a++ - '0' : 0;
		int db = is_digit(*b) ? *b++ - '0' : 0;
		if (da != db)
			return da - db;
		if (!is_digit(*a) && !is_digit(*b))
			return 0;
	}
}
