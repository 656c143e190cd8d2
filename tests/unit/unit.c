/* unit.c - the tiny unit test runner: TAP lines, one per test. */
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>

int unit_failed_checks;
static int tests_run, tests_failed;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	unit_failed_checks++;
}

void unit_run(const char *name, void (*fn)(void))
{
	int before = unit_failed_checks;
	fflush(stdout);
	fn();
	tests_run++;
	if (unit_failed_checks != before) {
		tests_failed++;
		printf("not ok %d - %s\n", tests_run, name);
	} else {
		printf("ok %d - %s\n", tests_run, name);
	}
	fflush(stdout);
}

int unit_done(void)
{
	printf("1..%d\n", tests_run);
	return tests_failed ? 1 : 0;
}
