/* cli.c - shared command-line handling: logging options and --version. */
#include "cli.h"
#include "code.h"
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef OIS_VERSION
#define OIS_VERSION "unknown"
#endif

static int verbosity;

void ois_cli_version(const char *prog)
{
	printf("%s (oisync) %s\n", prog, OIS_VERSION);
}

int ois_cli_common(int opt, const char *arg)
{
	switch (opt) {
	case 'v':
		ois_log_set_verbosity(++verbosity);
		return 1;
	case OIS_CLI_LOG_FORMAT: {
		int f = ois_log_parse_format(arg);
		if (f < 0)
			return ois_fail(OIS_EUSAGE, "--log-format must be 'text' or 'json', not '%s'", arg);
		ois_log_set_format((enum ois_log_format)f);
		return 1;
	}
	}
	return 0;
}

int ois_cli_parse_fd(const char *opt, const char *arg, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < 0 || n > INT_MAX)
		return ois_fail(OIS_EUSAGE, "%s needs a descriptor number, not '%s'", opt, arg);
	*out = (int)n;
	return 0;
}

int ois_cli_parse_size(const char *opt, const char *arg, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || n == 0 || arg[0] == '-' || n > SIZE_MAX / 2)
		return ois_fail(OIS_EUSAGE, "%s needs a number of bytes, not '%s'", opt, arg);
	*out = (size_t)n;
	return 0;
}
