/* http.c - requests over one reused libcurl handle; bounded, jittered retries that wait what the server asks. */
#include "http.h"
#include "code.h"
#include "log.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/*
 * One transfer: an easy handle and what its callbacks fill in for the try
 * under way. ois_http_send uses the client's own; ois_http_send_many one
 * of a pool per request in flight.
 */
struct xfer {
	struct ois_http *h;
	CURL *curl;
	struct ois_http_response *resp;
	int too_big;
	int once;                   /* the request must not be sent twice (no_retry) */
	int sent;                   /* this try's request went out once already */
	int answered;               /* a reply's status line came since it went out */
	int resend_stopped;         /* prereq_cb kept libcurl from sending it again */
	char errbuf[CURL_ERROR_SIZE];
};

struct ois_http {
	struct xfer main;           /* the handle of ois_http_send: keeps its connection alive */
	struct ois_http_opts opts;  /* defaults filled in */
	const char *secret;         /* borrowed */
	char *user_agent;
	struct ois_http_stats stats;
	uint64_t rng;               /* xorshift state for the jitter */
	char *sleep_log;            /* OISYNC_TEST_SLEEP_LOG: waits logged, not slept */
	/* ois_http_send_many: the multi handle, its easy handles (opts.max_in_flight), the width now. */
	CURLM *multi;
	struct xfer *pool;
	int width;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ois_http_response_release(struct ois_http_response *r)
{
	ois_buf_release(&r->body);
	free(r->content_type);
	free(r->etag);
	r->content_type = r->etag = NULL;
	r->status = 0;
	r->retry_after_ms = -1;
}

/* Forget what a previous try left, keeping the body's allocation. */
static void response_reset(struct ois_http_response *r)
{
	ois_buf_reset(&r->body);
	free(r->content_type);
	free(r->etag);
	r->content_type = r->etag = NULL;
	r->status = 0;
	r->retry_after_ms = -1;
}

/*
 * The URL as it may appear in a log: no user:password@ and no query, which
 * can carry tokens (delta links, signed URLs). Owned by the caller.
 */
static char *loggable_url(const char *url)
{
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	size_t hostlen = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', hostlen);
	const char *host = at ? at + 1 : auth;
	size_t rest = strcspn(host, "?#");
	int has_query = host[rest] == '?';
	return ois_xasprintf("%.*s%.*s%s", (int)(auth - url), url, (int)rest, host, has_query ? "?..." : "");
}

static size_t write_cb(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;
	if (ois_buf_add(&x->resp->body, data, len)) {
		x->too_big = 1;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	return len;
}

/* A header's value: leading and trailing blanks (and the CRLF) dropped. Owned. */
static char *header_value(const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return ois_xstrndup(v, len);
}

long ois_http_retry_after_ms(const char *v, time_t now)
{
	char *end;
	errno = 0;
	long secs = strtol(v, &end, 10);
	if (end != v && *v >= '0' && *v <= '9' && !*end) {
		if (errno == ERANGE || secs > LONG_MAX / 1000)
			return LONG_MAX;
		return errno ? -1 : secs * 1000;
	}
	time_t when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	if (when <= now)
		return 0;
	return when - now > LONG_MAX / 1000 ? LONG_MAX : (long)(when - now) * 1000;
}

static size_t header_cb(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	struct ois_http_response *r = x->resp;
	size_t len = size * n;
	/* Each response of one exchange (100 Continue, the 401 of an NTLM
	 * handshake, the final reply) starts with a status line: keep only the last. */
	if (len >= 5 && !memcmp(data, "HTTP/", 5)) {
		x->answered = 1;
		ois_buf_reset(&r->body);
		free(r->content_type);
		free(r->etag);
		r->content_type = r->etag = NULL;
		r->retry_after_ms = -1;
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon)
		return len;
	size_t nlen = (size_t)(colon - data);
	const char *v = colon + 1;
	size_t vlen = len - nlen - 1;
	if (nlen == 11 && !strncasecmp(data, "Retry-After", 11)) {
		char *s = header_value(v, vlen);
		r->retry_after_ms = ois_http_retry_after_ms(s, time(NULL));
		free(s);
	} else if (nlen == 12 && !strncasecmp(data, "Content-Type", 12)) {
		free(r->content_type);
		r->content_type = header_value(v, vlen);
	} else if (nlen == 4 && !strncasecmp(data, "ETag", 4)) {
		free(r->etag);
		r->etag = header_value(v, vlen);
	}
	return len;
}

/* Headers that carry credentials or sessions never reach the log. */
static int secret_header(const char *line, size_t len)
{
	static const char *const names[] = { "authorization:", "proxy-authorization:", "cookie:", "set-cookie:" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i]);
		if (len >= n && !strncasecmp(line, names[i], n))
			return 1;
	}
	return 0;
}

/* curl's verbose trace, line by line at debug level, minus the secrets. */
static int debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *ctx)
{
	(void)curl;
	(void)ctx;
	const char *tag;
	switch (type) {
	case CURLINFO_TEXT: tag = "*"; break;
	case CURLINFO_HEADER_IN: tag = "<"; break;
	case CURLINFO_HEADER_OUT: tag = ">"; break;
	default: return 0; /* bodies and TLS records stay out */
	}
	const char *p = data, *end = data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t show = len;
		if (show && p[show - 1] == '\r')
			show--;
		if (show && !secret_header(p, show))
			ois_debug("http %s %.*s", tag, (int)show, p);
		else if (show)
			ois_debug("http %s %.*s: [hidden]", tag, (int)(strcspn(p, ":")), p);
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

/*
 * Called by libcurl before each request it sends. When a kept-alive
 * connection closes before any byte of the reply came, libcurl sends the
 * request again on a new connection by itself ("Connection died, retrying
 * a fresh connect"), whatever the method: right for a read, but for a
 * create whose reply was lost (the server made the item, then the
 * connection broke) a second item. A request that must go once is stopped
 * there: the caller learns no reply came, and finds what the first one
 * did (an item's op id). A second request after a reply (a 401 of an NTLM
 * handshake) goes on.
 */
static int prereq_cb(void *ctx, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct xfer *x = ctx;
	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (x->once && x->sent && !x->answered) {
		x->resend_stopped = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	x->sent = 1;
	x->answered = 0;
	return CURL_PREREQFUNC_OK;
}

static uint64_t next_random(struct ois_http *h)
{
	/* xorshift64: the jitter needs spread, not secrecy. */
	uint64_t x = h->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return h->rng = x;
}

static void set_auth(struct ois_http *h, CURL *c)
{
	switch (h->opts.auth) {
	case OIS_AUTH_NONE:
	case OIS_AUTH_BEARER: /* a header of its own, built per request */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_NONE);
		break;
	case OIS_AUTH_BASIC:
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		break;
	case OIS_AUTH_NTLM:
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_NTLM);
		break;
	case OIS_AUTH_NEGOTIATE:
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_NEGOTIATE);
		break;
	}
	if (h->opts.auth == OIS_AUTH_BASIC || h->opts.auth == OIS_AUTH_NTLM) {
		/* Options, never the URL: a URL ends up in logs and traces. */
		curl_easy_setopt(c, CURLOPT_USERNAME, h->opts.user ? h->opts.user : "");
		curl_easy_setopt(c, CURLOPT_PASSWORD, h->secret ? h->secret : "");
	} else if (h->opts.auth == OIS_AUTH_NEGOTIATE) {
		/* An empty user makes curl take the identity from the credential cache. */
		curl_easy_setopt(c, CURLOPT_USERNAME, "");
		curl_easy_setopt(c, CURLOPT_PASSWORD, "");
	}
}

/* An easy handle for x, set up as every request of h goes: 0, or -1 (logged) when libcurl cannot make one. */
static int xfer_init(struct ois_http *h, struct xfer *x)
{
	CURL *c = curl_easy_init();
	if (!c)
		return ois_error("cannot start libcurl: curl_easy_init failed");
	const struct ois_http_opts *o = &h->opts;
	x->h = h;
	x->curl = c;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, x);
	/* The trace goes through debug_cb, which drops credentials; ois_debug
	 * drops the lines unless the log is at debug level. */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	set_auth(h, c);
	return 0;
}

struct ois_http *ois_http_new(const struct ois_http_opts *opts)
{
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		ois_error("cannot start libcurl: %s", curl_easy_strerror(global_rc));
		return NULL;
	}
	struct ois_http *h = ois_xcalloc(1, sizeof(*h));
	h->opts = *opts;
	struct ois_http_opts *o = &h->opts;
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = 10000;
	if (o->timeout_ms <= 0)
		o->timeout_ms = 120000;
	if (!o->max_response)
		o->max_response = 64u << 20;
	if (o->max_retries < 0)
		o->max_retries = 0;
	if (o->retry_base_ms <= 0)
		o->retry_base_ms = 500;
	if (o->retry_max_ms <= 0)
		o->retry_max_ms = 60000;
	if (o->max_backoff_ms <= 0)
		o->max_backoff_ms = 300000;
	if (o->max_in_flight < 1)
		o->max_in_flight = 1;
	h->width = o->max_in_flight;
	h->user_agent = o->user_agent ? ois_xstrdup(o->user_agent) : ois_xstrdup("oisync/" OIS_VERSION);
	o->user_agent = h->user_agent;
	h->secret = o->secret;
	const char *sleep_log = getenv("OISYNC_TEST_SLEEP_LOG");
	if (!ois_str_empty(sleep_log))
		h->sleep_log = ois_xstrdup(sleep_log);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16) ^ (uintptr_t)h;
	if (!h->rng)
		h->rng = 0x9e3779b97f4a7c15ull;
	if (xfer_init(h, &h->main)) {
		ois_http_free(h);
		return NULL;
	}
	return h;
}

void ois_http_free(struct ois_http *h)
{
	if (!h)
		return;
	if (h->pool)
		for (int i = 0; i < h->opts.max_in_flight; i++)
			if (h->pool[i].curl)
				curl_easy_cleanup(h->pool[i].curl);
	free(h->pool);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	if (h->main.curl)
		curl_easy_cleanup(h->main.curl);
	free(h->user_agent);
	free(h->sleep_log);
	free(h);
}

const struct ois_http_stats *ois_http_stats(const struct ois_http *h)
{
	return &h->stats;
}

void ois_http_set_secret(struct ois_http *h, const char *secret)
{
	h->secret = secret;
	set_auth(h, h->main.curl);
	if (h->pool)
		for (int i = 0; i < h->opts.max_in_flight; i++)
			if (h->pool[i].curl)
				set_auth(h, h->pool[i].curl);
}

/* Free a header list after wiping it: the Bearer line holds the token. */
static void slist_wipe_free(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

static struct curl_slist *build_headers(struct ois_http *h, const struct ois_http_request *req)
{
	struct curl_slist *list = NULL;
	if (req->headers)
		for (const char *const *p = req->headers; *p; p++)
			list = curl_slist_append(list, *p);
	/* No "Expect: 100-continue" round trip: some proxies in front of
	 * Exchange never answer it and curl would wait a second per POST. */
	list = curl_slist_append(list, "Expect:");
	if (h->opts.auth == OIS_AUTH_BEARER && h->secret) {
		char *line = ois_xasprintf("Authorization: Bearer %s", h->secret);
		list = curl_slist_append(list, line);
		explicit_bzero(line, strlen(line));
		free(line);
	}
	if (!list)
		OIS_BUG("curl_slist_append failed");
	return list;
}

static void set_method(CURL *c, const struct ois_http_request *req)
{
	const char *m = req->method ? req->method : "GET";
	/* Reset what a previous request on this handle set. */
	curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		return;
	}
	if (req->body || !strcmp(m, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}
	if (strcmp(m, "GET") && strcmp(m, "POST"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

/* Transport failures worth another try: the request may never have arrived. */
static int transient_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
		return 1;
	default:
		return 0;
	}
}

static int throttled_status(long status)
{
	return status == 429 || status == 503;
}

static int retry_status(long status)
{
	return throttled_status(status) || status == 502 || status == 504;
}

long ois_http_backoff_ms(long base, long max, int retry, long server_ms, uint64_t rnd)
{
	if (base <= 0)
		base = 1;
	if (max < base)
		max = base;
	long backoff = base;
	for (int i = 0; i < retry && backoff < max; i++)
		backoff = backoff > max / 2 ? max : backoff * 2;
	/* Full jitter (a random wait in [0, backoff]) spreads the clients that
	 * a busy server turned away at the same moment. */
	long wait = (long)(rnd % ((uint64_t)backoff + 1));
	/* The server knows its load: its delay is a floor, never cut short. */
	return server_ms > wait ? server_ms : wait;
}

void ois_http_retry_time(time_t now, long ms, char out[32])
{
	struct tm tm;
	long secs = ms / 1000 + (ms % 1000 != 0);
	/* Beyond year 9999 a time says nothing an administrator can use. */
	if (secs > 253402300799 - now || !gmtime_r(&(time_t){ now + secs }, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "9999-12-31T23:59:59Z");
}

static void sleep_ms(struct ois_http *h, long ms)
{
	if (h->sleep_log) {
		FILE *fp = fopen(h->sleep_log, "ae");
		if (fp) {
			fprintf(fp, "%ld\n", ms);
			if (!fclose(fp))
				return;
		}
		ois_warn("cannot log a wait to '%s' (OISYNC_TEST_SLEEP_LOG): %s; sleeping", h->sleep_log,
			 strerror(errno));
	}
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int ois_http_pause(struct ois_http *h, long ms, const char *why)
{
	if (ms > h->opts.max_backoff_ms)
		return ois_fail(OIS_ETEMP, "%s: throttled by %s%s%s: it asks to wait %.1f s, more than max_backoff (%ld s)",
				why, h->opts.section ? "[" : "the server", h->opts.section ? h->opts.section : "",
				h->opts.section ? "]" : "", ms / 1000.0, h->opts.max_backoff_ms / 1000);
	if (ms > 0) {
		ois_info("%s: waiting %ld ms, as the server asks", why, ms);
		h->stats.retries++;
		sleep_ms(h, ms);
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_bytes(struct ois_http *h, CURL *c)
{
	curl_off_t up = 0, down = 0;
	long head = 0;
	if (curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &head) == CURLE_OK && head > 0)
		h->stats.bytes_sent += (unsigned long long)head;
	if (curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up > 0)
		h->stats.bytes_sent += (unsigned long long)up;
	if (curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &down) == CURLE_OK && down > 0)
		h->stats.bytes_received += (unsigned long long)down;
}

/* One request on its way: its headers, its URL for the log, its tries. */
struct sending {
	const struct ois_http_request *req;
	struct ois_http_response *resp;
	struct curl_slist *headers;
	char *url_log;
	int attempt, tries;
	int rc;
};

static void sending_init(struct ois_http *h, struct sending *s, const struct ois_http_request *req,
			 struct ois_http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	ois_buf_init(&resp->body, h->opts.max_response);
	resp->retry_after_ms = -1;
	s->req = req;
	s->resp = resp;
	s->headers = build_headers(h, req);
	s->url_log = loggable_url(req->url);
	s->attempt = 0;
	s->tries = req->no_retry ? 1 : h->opts.max_retries + 1;
	s->rc = 0;
}

static void sending_release(struct sending *s)
{
	struct ois_http_response *resp = s->resp;
	slist_wipe_free(s->headers);
	free(s->url_log);
	s->headers = NULL;
	s->url_log = NULL;
	/* The body is NUL-terminated even when empty. */
	if (!resp->body.data) {
		size_t max = resp->body.max;
		resp->body.max = 0;
		ois_buf_add(&resp->body, "", 0);
		resp->body.max = max;
	}
}

/* Set x up for the next try of s. */
static void try_start(struct xfer *x, struct sending *s)
{
	curl_easy_setopt(x->curl, CURLOPT_URL, s->req->url);
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, s->headers);
	set_method(x->curl, s->req);
	x->resp = s->resp;
	x->once = s->req->no_retry;
	response_reset(s->resp);
	x->too_big = 0;
	x->sent = x->answered = x->resend_stopped = 0;
	x->errbuf[0] = '\0';
	s->attempt++;
	x->h->stats.requests++;
	ois_http_tally_request();
}

/* x is free again: nothing of s's stays set on it. */
static void try_end(struct xfer *x)
{
	x->resp = NULL;
	curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(x->curl, CURLOPT_POSTFIELDS, NULL);
}

/*
 * What a try of s on x that ended with cc came to: 0 when s is done (its
 * code in s->rc, logged), else 1 with the wait before the next try in
 * *wait (logged) and *throttled when the server said it is busy.
 */
static int try_judge(struct ois_http *h, struct xfer *x, struct sending *s, CURLcode cc, long *wait, int *throttled)
{
	const struct ois_http_request *req = s->req;
	struct ois_http_response *resp = s->resp;
	const char *method = req->method ? req->method : "GET";
	const char *url_log = s->url_log;
	char reason[CURL_ERROR_SIZE + 64];
	long server_ms = -1;
	*throttled = 0;
	count_bytes(h, x->curl);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &resp->status);
		if (retry_status(resp->status)) {
			snprintf(reason, sizeof(reason), "HTTP %ld", resp->status);
			server_ms = resp->retry_after_ms;
			*throttled = throttled_status(resp->status);
		} else if (req->should_retry && !req->no_retry && req->should_retry(resp, &server_ms, req->retry_ctx)) {
			snprintf(reason, sizeof(reason), "HTTP %ld asking to back off", resp->status);
			*throttled = 1;
		} else {
			s->rc = 0;
			return 0;
		}
	} else if (x->resend_stopped) {
		/* Sent once, no reply: it may have been done. */
		resp->status = 0;
		ois_buf_reset(&resp->body);
		s->rc = ois_fail(OIS_EUNAVAIL, "%s %s: the connection closed before any reply; not sent again, "
				 "as it may have been done", method, url_log);
		return 0;
	} else if (x->too_big) {
		/* The server's fault, not our input's: a retry would get the same. */
		s->rc = ois_fail(OIS_EUNAVAIL, "%s %s: the reply is larger than the limit of %zu bytes", method, url_log,
				 h->opts.max_response);
		return 0;
	} else {
		/* No (whole) response: never hand back half a body as a reply. */
		resp->status = 0;
		ois_buf_reset(&resp->body);
		snprintf(reason, sizeof(reason), "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		if (!transient_curl_error(cc)) {
			s->rc = ois_fail(OIS_EUNAVAIL, "%s %s failed: %s", method, url_log, reason);
			return 0;
		}
	}
	char when[32] = "";
	if (server_ms >= 0)
		ois_http_retry_time(time(NULL), server_ms, when);
	if (server_ms > h->opts.max_backoff_ms) {
		/* Retrying inside the server's window would only prolong the throttling. */
		s->rc = ois_fail(OIS_ETEMP, "%s %s: throttled by %s%s%s (%s): it asks to wait %.1f s, more than "
				 "max_backoff (%ld s); retry after %s", method, url_log,
				 h->opts.section ? "[" : "the server", h->opts.section ? h->opts.section : "",
				 h->opts.section ? "]" : "", reason, server_ms / 1000.0, h->opts.max_backoff_ms / 1000, when);
		return 0;
	}
	if (s->attempt >= s->tries) {
		if (*throttled)
			s->rc = ois_fail(OIS_ETEMP, "%s %s: still throttled (%s) after %d %s%s%s", method, url_log, reason,
					 s->attempt, s->attempt == 1 ? "try" : "tries", *when ? "; retry after " : "", when);
		else
			s->rc = ois_fail(OIS_EUNAVAIL, "%s %s failed: %s (after %d %s)", method, url_log, reason,
					 s->attempt, s->attempt == 1 ? "try" : "tries");
		return 0;
	}
	*wait = ois_http_backoff_ms(h->opts.retry_base_ms, h->opts.retry_max_ms, s->attempt - 1, server_ms,
				    next_random(h));
	ois_info("retrying %s %s after %s (attempt %d of %d, waiting %ld ms)", method, url_log, reason,
		 s->attempt + 1, s->tries, *wait);
	h->stats.retries++;
	ois_http_tally_wait(*wait, *throttled);
	return 1;
}

int ois_http_send(struct ois_http *h, const struct ois_http_request *req, struct ois_http_response *resp)
{
	struct sending s;
	struct xfer *x = &h->main;
	sending_init(h, &s, req, resp);
	for (;;) {
		long wait = 0;
		int throttled;
		try_start(x, &s);
		double start = now_s();
		CURLcode cc = curl_easy_perform(x->curl);
		h->stats.seconds += now_s() - start;
		if (!try_judge(h, x, &s, cc, &wait, &throttled))
			break;
		sleep_ms(h, wait);
	}
	try_end(x);
	sending_release(&s);
	return s.rc;
}

/* The multi handle and its easy handles, made at the first ois_http_send_many: 0 or -1 (logged). */
static int multi_init(struct ois_http *h)
{
	if (h->multi)
		return 0;
	h->multi = curl_multi_init();
	if (!h->multi)
		return ois_error("cannot start libcurl: curl_multi_init failed");
	/*
	 * A connection for each request in flight stays open for the next
	 * round. libcurl's own bound, four for each handle added at the time,
	 * shrinks as a round ends and would close them, to open (and with TLS
	 * shake hands) again.
	 */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)h->opts.max_in_flight);
	h->pool = ois_xcalloc((size_t)h->opts.max_in_flight, sizeof(*h->pool));
	for (int i = 0; i < h->opts.max_in_flight; i++) {
		if (xfer_init(h, &h->pool[i]) == 0)
			continue;
		while (i--)
			curl_easy_cleanup(h->pool[i].curl);
		free(h->pool);
		h->pool = NULL;
		curl_multi_cleanup(h->multi);
		h->multi = NULL;
		return -1;
	}
	return 0;
}

/*
 * A request's failure that says the server takes no more for now: still
 * throttled, or down after the retries. A request sent once only (a
 * create) whose reply was lost says nothing of the server.
 */
static int stops(int rc, const struct ois_http_request *req)
{
	return rc == OIS_ETEMP || (rc == OIS_EUNAVAIL && !req->no_retry);
}

int ois_http_send_many(struct ois_http *h, const struct ois_http_request *req, struct ois_http_response *resp,
		       int *rc, size_t n)
{
	if (n == 0)
		return 0;
	if (h->opts.max_in_flight == 1 || n == 1 || multi_init(h)) {
		/* One at a time, on the kept-alive handle (a multi handle that cannot start: the same, slower). */
		int stop = 0;
		for (size_t i = 0; i < n; i++) {
			if (stop) {
				memset(&resp[i], 0, sizeof(resp[i]));
				ois_buf_init(&resp[i].body, 0);
				resp[i].retry_after_ms = -1;
				rc[i] = stop;
				continue;
			}
			rc[i] = ois_http_send(h, &req[i], &resp[i]);
			if (stops(rc[i], &req[i]))
				stop = rc[i];
		}
		return stop;
	}
	struct sending *s = ois_xcalloc(n, sizeof(*s));
	/* Which request each easy handle carries (SIZE_MAX: free), and the queue: requests not yet done, in order. */
	size_t *on = ois_xcalloc((size_t)h->opts.max_in_flight, sizeof(*on));
	unsigned char *queued = ois_xcalloc(n, 1);
	for (int i = 0; i < h->opts.max_in_flight; i++)
		on[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		sending_init(h, &s[i], &req[i], &resp[i]);
		queued[i] = 1;
	}
	int in_flight = 0, stop = 0;
	long busy_wait = -1; /* a reply asked to wait: nothing starts until those in flight are back */
	size_t next = 0;     /* no queued request before it */
	double start = now_s();
	for (;;) {
		while (!stop && busy_wait < 0 && in_flight < h->width) {
			while (next < n && !queued[next])
				next++;
			if (next == n)
				break;
			int slot = 0;
			while (on[slot] != SIZE_MAX)
				slot++;
			queued[next] = 0;
			on[slot] = next;
			try_start(&h->pool[slot], &s[next]);
			curl_multi_add_handle(h->multi, h->pool[slot].curl);
			in_flight++;
			next++;
		}
		if (in_flight == 0) {
			if (busy_wait < 0 || stop)
				break;
			/*
			 * Every request that was out is back: wait once, the longest any
			 * reply asked for, then go on from the first one left.
			 */
			sleep_ms(h, busy_wait);
			busy_wait = -1;
			next = 0;
			continue;
		}
		int running = 0;
		CURLMcode mc = curl_multi_perform(h->multi, &running);
		if (mc == CURLM_OK && running)
			mc = curl_multi_poll(h->multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK)
			OIS_BUG("curl_multi: %s", curl_multi_strerror(mc));
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(h->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			int slot = 0;
			while (slot < h->opts.max_in_flight && h->pool[slot].curl != msg->easy_handle)
				slot++;
			if (slot == h->opts.max_in_flight)
				OIS_BUG("curl_multi: a transfer of no request");
			CURLcode cc = msg->data.result;
			struct xfer *x = &h->pool[slot];
			size_t i = on[slot];
			curl_multi_remove_handle(h->multi, x->curl);
			on[slot] = SIZE_MAX;
			in_flight--;
			long wait = 0;
			int throttled;
			int again = try_judge(h, x, &s[i], cc, &wait, &throttled);
			try_end(x);
			if (again) {
				queued[i] = 1;
				if (i < next)
					next = i;
				if (throttled && busy_wait < 0 && h->width > 1) {
					/* The server is busy: fewer requests at once from now on, not more. */
					h->width = h->width / 2;
					ois_info("[%s] is busy: %d request%s at once from now on", h->opts.section ? h->opts.section : "server",
						 h->width, h->width == 1 ? "" : "s");
				}
				if (wait > busy_wait)
					busy_wait = wait;
			} else {
				rc[i] = s[i].rc;
				/* Throttled past the retries, or down: what is not sent yet stays unsent. */
				if (!stop && stops(s[i].rc, s[i].req))
					stop = s[i].rc;
			}
		}
	}
	h->stats.seconds += now_s() - start;
	for (size_t i = 0; i < n; i++) {
		if (queued[i]) {
			rc[i] = stop; /* never sent (or not sent again): the server stopped the batch */
			response_reset(&resp[i]);
		}
		sending_release(&s[i]);
	}
	free(queued);
	free(on);
	free(s);
	return stop;
}
