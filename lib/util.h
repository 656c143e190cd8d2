/* util.h - allocation that never returns NULL, invariant checks, small string helpers. */
#ifndef OIS_UTIL_H
#define OIS_UTIL_H

#include <stddef.h>

/*
 * Out of memory is fatal: these print a message and abort, so no caller
 * checks for NULL (as isync's util.c). Memory returned is owned by the caller.
 */
void *ois_xmalloc(size_t size);
void *ois_xcalloc(size_t nmemb, size_t size);
void *ois_xrealloc(void *ptr, size_t size);
char *ois_xstrdup(const char *s);
char *ois_xstrndup(const char *s, size_t n);
/* printf into a fresh allocation. */
char *ois_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An invariant was violated: a programming error, never a user error. Aborts. */
#define OIS_BUG(...) ois_bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void ois_bug_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Seconds on the monotonic clock, for measuring how long something took. */
double ois_monotonic_seconds(void);

/* A random (version 4) UUID in out, lower-case hex with dashes: 0, or
 * OIS_EOS (logged) when the system has no random bytes to give. */
int ois_uuid4(char out[37]);

#define OIS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when s is NULL or "". */
int ois_str_empty(const char *s);
/* 1 when a and b are equal strings; NULL equals NULL and "". */
int ois_str_eq(const char *a, const char *b);

/* Percent-encode everything but RFC 3986's unreserved characters (for a query or a form). Owned. */
char *ois_pct_encode(const char *s);

#endif
