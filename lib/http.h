/* http.h - one libcurl handle per process: keep-alive, TLS verified, bounded retries. */
#ifndef OIS_HTTP_H
#define OIS_HTTP_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum ois_http_auth {
	OIS_AUTH_NONE,
	OIS_AUTH_BASIC,     /* user + secret */
	OIS_AUTH_BEARER,    /* secret is the token */
	OIS_AUTH_NTLM,      /* user (DOMAIN\user or user@domain) + secret */
	OIS_AUTH_NEGOTIATE, /* Kerberos/SPNEGO from the credential cache */
};

/* How a client talks to one server. Strings are borrowed: keep them alive. */
struct ois_http_opts {
	enum ois_http_auth auth;
	const char *user;
	const char *secret;       /* password or bearer token: never logged */
	const char *ca_file;      /* extra CA bundle; TLS verification is always on */
	long connect_timeout_ms;  /* default 10000 */
	long timeout_ms;          /* whole request, default 120000 */
	size_t max_response;      /* response body cap, default 64 MiB */
	int max_retries;          /* retries after the first try; 0: none (the
	                           * configuration's default is 5) */
	long retry_base_ms;       /* first backoff, doubled each retry, default 500 */
	long retry_max_ms;        /* cap of our own backoff, default 60000; a delay
	                           * the server asks for is never cut to it */
	long max_backoff_ms;      /* longest delay a server may ask for and be
	                           * waited for, default 300000; a longer one
	                           * fails at once with OIS_ETEMP */
	const char *section;      /* the configuration section, for messages
	                           * ("server ex1"); NULL: none named */
	const char *user_agent;   /* default "oisync/VERSION" */
	int max_in_flight;        /* most requests ois_http_send_many has out
	                           * at once, default 1 */
};

struct ois_http_response {
	long status;              /* HTTP status; 0 when no response came */
	struct ois_buf body;      /* owned; NUL-terminated */
	long retry_after_ms;      /* from Retry-After, -1 when absent */
	char *content_type;       /* owned, may be NULL */
	char *etag;               /* owned, may be NULL */
};

void ois_http_response_release(struct ois_http_response *r);

/* Counters for --stats. */
struct ois_http_stats {
	unsigned long requests;   /* every try, retries included */
	unsigned long retries;
	unsigned long long bytes_sent;
	unsigned long long bytes_received;
	double seconds;           /* wall time spent in requests */
};

struct ois_http;

/*
 * Create the client (one per process and server: the handle keeps the
 * connection alive). Returns NULL after logging if libcurl cannot start.
 */
struct ois_http *ois_http_new(const struct ois_http_opts *opts);
void ois_http_free(struct ois_http *h);

/*
 * Decides whether a reply should be retried and after how long, for
 * protocol-level throttling inside a 200 or 500 reply (EWS's ErrorServerBusy
 * with BackOffMilliseconds). Return 1 to retry, setting *delay_ms (-1: use
 * the backoff), 0 to accept the reply as it is.
 */
typedef int (*ois_http_retry_fn)(const struct ois_http_response *resp, long *delay_ms, void *ctx);

struct ois_http_request {
	const char *method;        /* "GET", "POST", "PATCH", "PUT", "DELETE" */
	const char *url;
	const char *const *headers;/* NULL-terminated "Name: value" list, may be NULL */
	const char *body;          /* may be NULL */
	size_t body_len;
	ois_http_retry_fn should_retry; /* may be NULL */
	void *retry_ctx;
	int no_retry;              /* 1: never retry (a non-idempotent write):
	                            * sent at most once, libcurl's own resend
	                            * on a new connection included */
};

/*
 * Send a request. Transport failures (connection refused or dropped, timeout,
 * a body cut short), HTTP 429, 502, 503 and 504 are retried up to max_retries
 * times with exponential backoff and full jitter (ois_http_backoff_ms). A
 * delay the server asks for (Retry-After, or should_retry's) is waited in
 * full, never shortened; when it is longer than max_backoff_ms no retry is
 * made and the call fails with OIS_ETEMP at once, logging the UTC time after
 * which a retry makes sense ("throttled by [server ex1]: ... retry after
 * 2026-12-02T14:05:00Z").
 * Returns 0 when a response arrived (any status: the caller judges it; 401
 * and 403 are the caller's to turn into OIS_EPERM), OIS_ETEMP when still
 * throttled (429/503) after the last retry or asked to wait too long,
 * OIS_EUNAVAIL when the server could not be reached or kept failing, or sent
 * a reply larger than max_response. Errors are logged without secrets. resp
 * is filled in every case and must be released; what it held before the call
 * is overwritten, not freed. no_retry also skips should_retry, and a
 * no_retry request whose kept-alive connection closed before any reply is
 * OIS_EUNAVAIL at once (it may have been done). Each retry is logged at info level
 * ("retrying POST URL after HTTP 503 (attempt 2 of 6, waiting 1200 ms)", the
 * URL without user:password and query); curl's trace goes to the debug level
 * with Authorization and Cookie headers hidden and bodies left out.
 * A test hook: with OISYNC_TEST_SLEEP_LOG=FILE in the environment when the
 * client is created, each wait is appended to FILE (milliseconds, one a line)
 * instead of being slept, so tests see the waits without waiting.
 */
int ois_http_send(struct ois_http *h, const struct ois_http_request *req, struct ois_http_response *resp);

/*
 * Send req[0..n) as ois_http_send sends each, up to max_in_flight at once
 * (libcurl's multi interface; each in flight on a connection of its own,
 * kept alive for the next), each answered in resp[i] (released by the
 * caller in every case) and rc[i]. The requests are independent: they may
 * arrive in any order. Shared back-off: when a reply asks to try again
 * (429, 503, should_retry; a transport failure), no request starts until
 * every one in flight is back, then the longest delay asked is waited once
 * (through the same test hook) and the rest goes on; a reply saying the
 * server is busy also halves how many go out at once, for the rest of the
 * client's life: fewer requests, not more. Once a request fails with
 * OIS_ETEMP (throttled past the retries or max_backoff) or, unless it was
 * no_retry, OIS_EUNAVAIL (the server down or failing) no other starts:
 * each one not sent has that code and a response with status 0, and that
 * code is returned; else 0.
 */
int ois_http_send_many(struct ois_http *h, const struct ois_http_request *req, struct ois_http_response *resp,
		       int *rc, size_t n);

/*
 * Wait ms before sending again, as the server asked in a reply that
 * ois_http_send could not retry itself (one request of a Graph $batch
 * answered 429 with its own Retry-After): 0 after the wait (logged like
 * the send's, and through the same test hook), or OIS_ETEMP without
 * waiting when ms is longer than max_backoff_ms.
 */
int ois_http_pause(struct ois_http *h, long ms, const char *why);

/*
 * The milliseconds a Retry-After value asks to wait, counted from now
 * (seconds since the epoch): delta-seconds or an HTTP-date (RFC 9110 section
 * 10.2.3); a date in the past is 0, a delay too large for a long is LONG_MAX.
 * -1 when the value is neither.
 */
long ois_http_retry_after_ms(const char *value, time_t now);

/*
 * The wait before retry number retry (0 for the first): our own backoff is
 * base_ms doubled each retry up to max_ms, with full jitter (a wait drawn
 * from [0, backoff] by rnd). server_ms >= 0 is the delay the server asked
 * for: the wait is then the longer of it and the jittered backoff, so the
 * jitter only ever lengthens it and max_ms never shortens it.
 */
long ois_http_backoff_ms(long base_ms, long max_ms, int retry, long server_ms, uint64_t rnd);

/*
 * "2026-12-02T14:05:00Z": the UTC time ms milliseconds after now, rounded up
 * to the second, for "retry after ..." messages.
 */
void ois_http_retry_time(time_t now, long ms, char out[32]);

const struct ois_http_stats *ois_http_stats(const struct ois_http *h);

/*
 * The process's tally over every client (http_tally.c): each try, and
 * each wait before a retry (counted when the server throttled). When
 * $OISYNC_TALLY names a file, "REQUESTS WAITS WAIT_MS" is appended to
 * it at exit, for oisync-run's metrics.
 */
void ois_http_tally_request(void);
void ois_http_tally_wait(long ms, int throttled);
/* The tally so far, for a process that serves many accounts and reports each one's share. */
struct ois_http_tally {
	unsigned long requests, throttle_waits;
	long throttle_ms;
};
void ois_http_tally_get(struct ois_http_tally *t);
/* Replace the secret (a refreshed bearer token). The string is borrowed. */
void ois_http_set_secret(struct ois_http *h, const char *secret);

#endif
