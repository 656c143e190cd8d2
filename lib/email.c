/* email.c - what an e-mail address is: SMTP, Exchange's legacy X.500 form, or invalid. */
#include "email.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ois_email_x500(const char *a)
{
	if (!a)
		return 0;
	if (!strncasecmp(a, "EX:", 3))
		a += 3;
	/* "/o=", "/ou=", "/cn=": a slash, a short attribute name, "=". */
	if (*a++ != '/')
		return 0;
	size_t n = 0;
	while (isalpha((unsigned char)a[n]))
		n++;
	return n >= 1 && n <= 3 && a[n] == '=';
}

static int local_ok(const char *p, size_t n)
{
	if (n == 0 || n > 64 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c == 0x7f || strchr("()<>,;:\\\"[]@", c))
			return 0;
		if (c == '.' && p[i + 1] == '.')
			return 0;
	}
	return 1;
}

static int domain_ok(const char *p, size_t n)
{
	size_t labels = 0, len = 0;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)p[i] : '.';
		if (c == '.') {
			if (len == 0 || len > 63 || p[i - 1] == '-' || p[i - len] == '-')
				return 0;
			labels++;
			len = 0;
		} else if (isalnum(c) || c == '-' || c >= 0x80) {
			len++;
		} else {
			return 0;
		}
	}
	return labels >= 1;
}

int ois_email_valid(const char *a)
{
	if (!a)
		return 0;
	const char *at = strchr(a, '@');
	if (!at || strchr(at + 1, '@'))
		return 0;
	return local_ok(a, (size_t)(at - a)) && domain_ok(at + 1, strlen(at + 1));
}

/* A copy of p[0..n) trimmed of spaces when it is a valid address, else NULL. */
static char *valid_span(const char *p, size_t n)
{
	while (n && *p == ' ')
		p++, n--;
	while (n && p[n - 1] == ' ')
		n--;
	char *s = ois_xasprintf("%.*s", (int)n, p);
	if (ois_email_valid(s))
		return s;
	free(s);
	return NULL;
}

char *ois_email_smtp_in(const char *s)
{
	if (!s)
		return NULL;
	char *whole = valid_span(s, strlen(s));
	if (whole)
		return whole;
	static const char *const pairs[] = { "<>", "()" };
	for (size_t k = 0; k < OIS_ARRAY_SIZE(pairs); k++) {
		for (const char *o = strchr(s, pairs[k][0]); o; o = strchr(o + 1, pairs[k][0])) {
			const char *c = strchr(o + 1, pairs[k][1]);
			if (!c)
				break;
			char *in = valid_span(o + 1, (size_t)(c - o - 1));
			if (in)
				return in;
		}
	}
	return NULL;
}
