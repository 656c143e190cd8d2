/* cli.h - what every executable's main does the same way: logging options, version. */
#ifndef OIS_CLI_H
#define OIS_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Print "PROG (oisync) VERSION" to stdout: --version. */
void ois_cli_version(const char *prog);

/*
 * Handle the shared long options inside a getopt_long loop: call for an
 * option main does not know itself. Returns 1 when handled (-v,
 * --log-format), 0 when not one of them, OIS_EUSAGE for a bad value.
 */
int ois_cli_common(int opt, const char *arg);

/* A positive byte count for option opt (e.g. --max-line): 0, or OIS_EUSAGE (logged). */
int ois_cli_parse_size(const char *opt, const char *arg, size_t *out);

/* An open descriptor's number for option opt (--lock-fd): 0, or OIS_EUSAGE (logged). */
int ois_cli_parse_fd(const char *opt, const char *arg, int *out);

/* The shared entries for a struct option table. */
#define OIS_CLI_LOG_FORMAT 0x1001
#define OIS_CLI_COMMON_OPTIONS \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "log-format", required_argument, NULL, OIS_CLI_LOG_FORMAT }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }

#endif
