/* log.c - diagnostics on stderr, one line per event. */
#include "log.h"
#include "code.h"
#include "rfc3339.h"
#include "util.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *log_prog = "oisync";
static enum ois_log_format log_format = OIS_LOG_TEXT;
static int log_min = OIS_LOG_NOTICE;
static char *log_account;
/* oisync-run's id of the run this process is part of ($OISYNC_RUN_ID), on every JSON line. */
static const char *log_run;

static const char *const level_names[] = { "debug", "info", "notice", "warning", "error" };

void ois_log_init(const char *prog)
{
	log_prog = prog;
	log_run = getenv("OISYNC_RUN_ID");
	if (log_run && !*log_run)
		log_run = NULL;
}

const char *ois_log_prog(void)
{
	return log_prog;
}

void ois_log_set_format(enum ois_log_format fmt)
{
	log_format = fmt;
}

int ois_log_parse_format(const char *s)
{
	if (!strcmp(s, "text"))
		return OIS_LOG_TEXT;
	if (!strcmp(s, "json"))
		return OIS_LOG_JSON;
	return -1;
}

void ois_log_set_verbosity(int verbose)
{
	log_min = OIS_LOG_NOTICE - verbose;
	if (log_min < OIS_LOG_DEBUG)
		log_min = OIS_LOG_DEBUG;
}

void ois_log_set_account(const char *account)
{
	free(log_account);
	log_account = account ? ois_xstrdup(account) : NULL;
}

static void vlog(enum ois_log_level level, const char *fmt, va_list ap)
{
	if ((int)level < log_min)
		return;
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_format == OIS_LOG_JSON) {
		char ts[OIS_TIME_LEN];
		ois_time_now(ts);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ts", json_object_new_string(ts));
		json_object_object_add(o, "prog", json_object_new_string(log_prog));
		json_object_object_add(o, "level", json_object_new_string(level_names[level]));
		if (log_run)
			json_object_object_add(o, "run", json_object_new_string(log_run));
		if (log_account)
			json_object_object_add(o, "account", json_object_new_string(log_account));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		fprintf(stderr, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (log_account) {
		fprintf(stderr, "%s: %s: %s%s\n", log_prog, log_account,
			level == OIS_LOG_WARN ? "warning: " : "", msg);
	} else {
		fprintf(stderr, "%s: %s%s\n", log_prog, level == OIS_LOG_WARN ? "warning: " : "", msg);
	}
}

void ois_log(enum ois_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int ois_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(OIS_LOG_ERROR, fmt, ap);
	va_end(ap);
	return OIS_EFAIL;
}

int ois_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(OIS_LOG_ERROR, fmt, ap);
	va_end(ap);
	return code;
}
