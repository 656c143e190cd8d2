/* unit.h - a tiny table-friendly unit test runner printing TAP. */
#ifndef OIS_UNIT_H
#define OIS_UNIT_H

#include <string.h>

/*
 * A test is a void function; CHECK* record failures with "got / want" and
 * let the test go on. main() calls UNIT_RUN(fn) for each test and returns
 * unit_done(), which prints the TAP plan and exits non-zero on any failure.
 */
extern int unit_failed_checks;

void unit_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void unit_run(const char *name, void (*fn)(void));
int unit_done(void);

#define UNIT_RUN(fn) unit_run(#fn, fn)

#define CHECK(cond) \
	do { if (!(cond)) unit_fail(__FILE__, __LINE__, "check failed: %s", #cond); } while (0)

#define CHECK_INT(got, want) \
	do { long long g_ = (long long)(got), w_ = (long long)(want); \
	     if (g_ != w_) unit_fail(__FILE__, __LINE__, "%s\n#   got:  %lld\n#   want: %lld", #got, g_, w_); } while (0)

#define CHECK_STR(got, want) \
	do { const char *g_ = (got), *w_ = (want); \
	     if (!(g_ == w_ || (g_ && w_ && !strcmp(g_, w_)))) \
		unit_fail(__FILE__, __LINE__, "%s\n#   got:  \"%s\"\n#   want: \"%s\"", #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } while (0)

#endif
