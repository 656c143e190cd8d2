/* log.h - one line per event on stderr: "oisync-STAGE: account: message", or JSON. */
#ifndef OIS_LOG_H
#define OIS_LOG_H

enum ois_log_level {
	OIS_LOG_DEBUG,
	OIS_LOG_INFO,
	OIS_LOG_NOTICE,
	OIS_LOG_WARN,
	OIS_LOG_ERROR,
};

enum ois_log_format {
	OIS_LOG_TEXT,
	OIS_LOG_JSON, /* {"ts":…,"prog":…,"level":…,"run":…,"account":…,"msg":…}; run: $OISYNC_RUN_ID */
};

/* prog is the executable's name, e.g. "oisync-extract". Not copied: pass a literal. */
void ois_log_init(const char *prog);
void ois_log_set_format(enum ois_log_format fmt);
/* Parse "text" or "json"; -1 when it is neither. */
int ois_log_parse_format(const char *s);
/* 0 shows notice and above; each -v shows one level more. */
void ois_log_set_verbosity(int verbose);
/* The account named in every following line; NULL for none. Copied. */
void ois_log_set_account(const char *account);
const char *ois_log_prog(void);

void ois_log(enum ois_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Log at error level and return OIS_EFAIL, for "return ois_error(...)". */
int ois_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log at error level and return code, for "return ois_fail(OIS_EDATA, ...)". */
int ois_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ois_warn(...) ois_log(OIS_LOG_WARN, __VA_ARGS__)
#define ois_notice(...) ois_log(OIS_LOG_NOTICE, __VA_ARGS__)
#define ois_info(...) ois_log(OIS_LOG_INFO, __VA_ARGS__)
#define ois_debug(...) ois_log(OIS_LOG_DEBUG, __VA_ARGS__)

#endif
