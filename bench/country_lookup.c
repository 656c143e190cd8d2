/*
 * country_lookup.c - bench/countries' harness: the cost of
 * ois_country_alpha2, linked either with the build's generated table or with
 * the implementation it replaced (iso-codes' JSON read at the first call).
 *
 *   country_lookup NAMES_FILE PASSES
 *
 * Reads one name a line, then looks each up PASSES times over. Prints one
 * JSON line: the first call's time (for the old one, the JSON read), the
 * mean time a lookup after it, how many names were found, and the peak RSS.
 * PASSES 0: only the first name, once (a process that meets one country).
 */
#include "country.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Peak resident set of this process image (VmHWM): a spawned child's getrusage maxrss starts as its parent's. */
static long peak_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	FILE *f = fopen(argv[1], "r");
	if (!f)
		return 2;
	char **names = NULL, line[512];
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(line);
	}
	fclose(f);
	long passes = atol(argv[2]);
	if (!n)
		return 2;
	double t0 = now_ns();
	const char *first = ois_country_alpha2(names[0]);
	double first_ns = now_ns() - t0;
	size_t found = 0, calls = 0;
	t0 = now_ns();
	for (long p = 0; p < passes; p++)
		for (size_t i = 0; i < n; i++, calls++)
			found += ois_country_alpha2(names[i]) != NULL;
	double loop_ns = now_ns() - t0;
	printf("{\"first_us\":%.1f,\"first\":\"%s\",\"per_lookup_ns\":%.1f,\"found\":%zu,\"names\":%zu,\"maxrss_kb\":%ld}\n",
	       first_ns / 1e3, first ? first : "", calls ? loop_ns / calls : 0.0, passes ? found / passes : 0, n,
	       peak_kb());
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}
