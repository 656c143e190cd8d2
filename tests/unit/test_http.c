/* test_http.c - the HTTP client against tests/fakes/http_test_server.py: retries, caps, auth, stats. */
#include "unit.h"
#include "code.h"
#include "ews/ews_p.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <nettle/base64.h>
#include <sys/random.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/oisync-http-XXXXXX";
static pid_t server_pid;
static char base[64];

/* The fake sits beside this file's folder: tests/fakes/. */
static char *server_script(void)
{
	const char *self = __FILE__;
	const char *slash = strrchr(self, '/');
	size_t len = slash ? (size_t)(slash - self) : 0;
	if (len)
		return ois_xasprintf("%.*s/../fakes/http_test_server.py", (int)len, self);
	return ois_xstrdup("../fakes/http_test_server.py");
}

static int start_server(void)
{
	char *portfile = ois_xasprintf("%s/port", dir);
	char *script = server_script();
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		execl("/usr/bin/python3", "python3", script, portfile, (char *)NULL);
		_exit(127);
	}
	free(script);
	int port = 0;
	for (int i = 0; i < 500 && !port; i++) {
		FILE *fp = fopen(portfile, "r");
		if (fp) {
			if (fscanf(fp, "%d", &port) != 1)
				port = 0;
			fclose(fp);
		}
		if (!port)
			usleep(10000);
	}
	free(portfile);
	if (!port)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return 0;
}

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
}

/*
 * Every wait goes to this file (OISYNC_TEST_SLEEP_LOG) instead of being
 * slept: the tests see each wait exactly, and never wait.
 */
static char *sleep_log;

/* The waits logged since the last call, in ms, in order; *n of them. The log is emptied. */
static size_t waits(long *out, size_t max)
{
	size_t n = 0;
	FILE *fp = fopen(sleep_log, "r");
	if (fp) {
		while (n < max && fscanf(fp, "%ld", &out[n]) == 1)
			n++;
		fclose(fp);
	}
	unlink(sleep_log);
	return n;
}

/* Options for a quick test: tiny waits so the retries cost milliseconds. */
static struct ois_http_opts quick(void)
{
	struct ois_http_opts o = { 0 };
	o.timeout_ms = 5000;
	o.connect_timeout_ms = 2000;
	o.max_retries = 3;
	o.retry_base_ms = 10;
	o.retry_max_ms = 3000;
	return o;
}

struct result {
	int rc;
	long status;
	char body[256];
	unsigned long requests, retries;
};

static struct result send_with(const struct ois_http_opts *o, const char *method, const char *path,
			       const char *body, int no_retry)
{
	struct result r = { 0 };
	struct ois_http *h = ois_http_new(o);
	CHECK(h != NULL);
	char *url = ois_xasprintf("%s%s", base, path);
	struct ois_http_request req = { .method = method, .url = url, .body = body,
					.body_len = body ? strlen(body) : 0, .no_retry = no_retry };
	struct ois_http_response resp;
	r.rc = ois_http_send(h, &req, &resp);
	r.status = resp.status;
	CHECK(resp.body.data != NULL); /* NUL-terminated even when empty */
	snprintf(r.body, sizeof(r.body), "%s", resp.body.data ? resp.body.data : "(null)");
	r.requests = ois_http_stats(h)->requests;
	r.retries = ois_http_stats(h)->retries;
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(url);
	return r;
}

static struct result get(const char *path)
{
	struct ois_http_opts o = quick();
	return send_with(&o, "GET", path, NULL, 0);
}

static void test_statuses_and_retries(void)
{
	static const struct {
		const char *path;
		int rc;
		long status;
		const char *body;
		unsigned long requests;
	} cases[] = {
		{ "/ok", 0, 200, "hello", 1 },
		{ "/status/404", 0, 404, "failing", 1 },          /* the caller judges */
		{ "/status/401", 0, 401, "failing", 1 },
		{ "/status/500", 0, 500, "failing", 1 },          /* not retried without a hook */
		{ "/status/503?times=2&key=a", 0, 200, "ok", 3 }, /* 503 twice, then 200 */
		{ "/status/502?times=1&key=a", 0, 200, "ok", 2 },
		{ "/status/504?times=3&key=a", 0, 200, "ok", 4 }, /* the last retry succeeds */
		{ "/status/429", OIS_ETEMP, 429, "failing", 4 },  /* still throttled */
		{ "/status/503?key=b", OIS_ETEMP, 503, "failing", 4 },
		{ "/status/502?key=b", OIS_EUNAVAIL, 502, "failing", 4 },
		{ "/drop?times=1&key=a", 0, 200, "ok", 2 },      /* connection closed, no reply */
		{ "/truncate?times=2&key=a", 0, 200, "ok", 3 },  /* body cut short */
		{ "/drop?key=b", OIS_EUNAVAIL, 0, "", 4 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		struct result r = get(cases[i].path);
		if (r.rc != cases[i].rc || r.status != cases[i].status || strcmp(r.body, cases[i].body) ||
		    r.requests != cases[i].requests || r.retries != cases[i].requests - 1)
			unit_fail(__FILE__, __LINE__,
				  "%s\n#   got:  rc %d, status %ld, body \"%s\", %lu requests, %lu retries\n"
				  "#   want: rc %d, status %ld, body \"%s\", %lu requests",
				  cases[i].path, r.rc, r.status, r.body, r.requests, r.retries, cases[i].rc,
				  cases[i].status, cases[i].body, cases[i].requests);
	}
}

static void test_retry_after_is_honoured(void)
{
	long w[8];
	waits(w, 8);
	struct result r = get("/retry-after/1?times=1");
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.retries, 1);
	CHECK_INT(waits(w, 8), 1);
	CHECK_INT(w[0], 1000); /* our own jitter (at most 10 ms here) is shorter */
	/*
	 * An HTTP-date a minute ahead: the wait is what is left of the minute.
	 * The date has whole seconds and the machine may stall between the
	 * reply and its reading, so the bound is ten seconds wide, not one: a
	 * loaded machine once took more than a second there.
	 */
	r = get("/retry-after-date/60?times=1");
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.retries, 1);
	CHECK_INT(waits(w, 8), 1);
	CHECK(w[0] >= 50000 && w[0] <= 60000);
	/* The server's delay is waited in full, however short our own cap. */
	struct ois_http_opts o = quick();
	o.retry_max_ms = 100;
	r = send_with(&o, "GET", "/retry-after/30?times=1&key=cap", NULL, 0);
	CHECK_INT(r.rc, 0);
	CHECK_INT(waits(w, 8), 1);
	CHECK_INT(w[0], 30000);
}

/* A server asking to wait longer than max_backoff: no retry at all, OIS_ETEMP. */
static void test_max_backoff(void)
{
	long w[8];
	waits(w, 8);
	struct result r = get("/retry-after/999999999");
	CHECK_INT(r.rc, OIS_ETEMP);
	CHECK_INT(r.status, 503);
	CHECK_INT(r.requests, 1);
	CHECK_INT(waits(w, 8), 0);
	/* Up to max_backoff the wait is made, past it not. */
	struct ois_http_opts o = quick();
	o.max_backoff_ms = 30000;
	r = send_with(&o, "GET", "/retry-after/30?times=1&key=mb1", NULL, 0);
	CHECK_INT(r.rc, 0);
	CHECK_INT(waits(w, 8), 1);
	CHECK_INT(w[0], 30000);
	o.max_backoff_ms = 29999;
	r = send_with(&o, "GET", "/retry-after/30?times=1&key=mb2", NULL, 0);
	CHECK_INT(r.rc, OIS_ETEMP);
	CHECK_INT(r.requests, 1);
	CHECK_INT(waits(w, 8), 0);
	/* The default is 300 s. */
	o = quick();
	r = send_with(&o, "GET", "/retry-after/300?times=1&key=mb3", NULL, 0);
	CHECK_INT(r.rc, 0);
	r = send_with(&o, "GET", "/retry-after/301?times=1&key=mb4", NULL, 0);
	CHECK_INT(r.rc, OIS_ETEMP);
	CHECK_INT(waits(w, 8), 1);
	CHECK_INT(w[0], 300000);
}

static void test_parse_retry_after(void)
{
	const time_t now = 1796217600; /* 2026-12-02T13:20:00Z */
	static const struct {
		const char *value;
		long ms;
	} cases[] = {
		{ "0", 0 },
		{ "1", 1000 },
		{ "120", 120000 },
		{ "999999999", 999999999000L },
		{ "99999999999999999999", LONG_MAX }, /* too large for a long: as long as can be */
		{ "Wed, 02 Dec 2026 13:25:00 GMT", 300000 },
		{ "Wednesday, 02-Dec-26 13:20:30 GMT", 30000 }, /* RFC 850, obsolete but allowed */
		{ "Wed Dec  2 13:21:00 2026", 60000 },          /* asctime */
		{ "Wed, 02 Dec 2026 13:00:00 GMT", 0 },         /* the past: no wait asked */
		{ "-5", -1 },
		{ "1.5", -1 },
		{ "soon", -1 },
		{ "", -1 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		long got = ois_http_retry_after_ms(cases[i].value, now);
		if (got != cases[i].ms)
			unit_fail(__FILE__, __LINE__, "Retry-After \"%s\"\n#   got:  %ld\n#   want: %ld",
				  cases[i].value, got, cases[i].ms);
	}
}

/* EWS's ErrorServerBusy: its BackOffMilliseconds is the delay asked for. */
static void test_parse_backoff_milliseconds(void)
{
#define FAULT(detail) \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">" \
	"<s:Body><s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/exchange/services/2006/types\">" \
	"a:ErrorServerBusy</faultcode><faultstring xml:lang=\"en-US\">The server cannot service this request " \
	"right now. Try again later.</faultstring>" detail "</s:Fault></s:Body></s:Envelope>"
#define DETAIL(ms) \
	"<detail><e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">" \
	"ErrorServerBusy</e:ResponseCode><e:Message xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/" \
	"errors\">The server cannot service this request right now. Try again later.</e:Message>" \
	"<t:MessageXml xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">" \
	"<t:Value Name=\"BackOffMilliseconds\">" ms "</t:Value></t:MessageXml></detail>"
	static const struct {
		const char *body;
		int busy;
		long ms;
	} cases[] = {
		{ FAULT(DETAIL("297749")), 1, 297749 },
		{ FAULT(DETAIL("0")), 1, 0 },
		{ FAULT(DETAIL("99999999999999999999")), 1, LONG_MAX }, /* past any max_backoff */
		{ FAULT(DETAIL("-5")), 1, -1 },                          /* not a delay: our own backoff */
		{ FAULT(DETAIL("soon")), 1, -1 },
		{ FAULT(""), 1, -1 },                                     /* faultcode only */
		{ "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:GetItemResponse "
		  "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"><m:ResponseMessages>"
		  "<m:GetItemResponseMessage ResponseClass=\"Error\"><m:MessageText>busy</m:MessageText>"
		  "<m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:MessageXml><t:Value xmlns:t=\"http://schemas."
		  "microsoft.com/exchange/services/2006/types\" Name=\"BackOffMilliseconds\">1500</t:Value>"
		  "</m:MessageXml></m:GetItemResponseMessage></m:ResponseMessages></m:GetItemResponse></s:Body>"
		  "</s:Envelope>", 1, 1500 },
		{ "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:X xmlns:m=\"m\">"
		  "<m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:MessageText>not ErrorServerBusy</m:MessageText>"
		  "</m:X></s:Body></s:Envelope>", 0, -1 },
		{ "<ok/>", 0, -1 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		struct ois_http_response resp = { .status = 500 };
		ois_buf_init(&resp.body, 1 << 20);
		ois_buf_adds(&resp.body, cases[i].body);
		long ms = -2;
		int busy = ois_ews_server_busy(&resp, &ms, NULL);
		if (busy != cases[i].busy || (busy && ms != cases[i].ms))
			unit_fail(__FILE__, __LINE__, "case %zu\n#   got:  busy %d, %ld ms\n#   want: busy %d, %ld ms", i,
				  busy, ms, cases[i].busy, cases[i].ms);
		ois_buf_release(&resp.body);
	}
#undef FAULT
#undef DETAIL
}

static void test_backoff_decision(void)
{
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 1000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int retry = i % 8;
		/* Our own backoff: full jitter under base * 2^retry, capped. */
		long w = ois_http_backoff_ms(500, 60000, retry, -1, x);
		long want_max = 500L << retry;
		CHECK(w >= 0 && w <= (want_max < 60000 ? want_max : 60000));
		/* A server's delay: never shortened, whatever the jitter and the cap. */
		w = ois_http_backoff_ms(500, 60000, retry, 297749, x);
		CHECK(w >= 297749);
		CHECK_INT(ois_http_backoff_ms(500, 60000, retry, 297749, x), 297749);
		w = ois_http_backoff_ms(500, 60000, retry, 100, x);
		CHECK(w >= 100 && w <= (want_max < 60000 ? want_max : 60000));
		CHECK_INT(ois_http_backoff_ms(500, 60000, retry, 0, 0), 0);
	}
	CHECK_INT(ois_http_backoff_ms(500, 60000, 50, -1, UINT64_MAX - 3), (long)((UINT64_MAX - 3) % 60001));

	char when[32];
	ois_http_retry_time(1796217600, 0, when);
	CHECK_STR(when, "2026-12-02T13:20:00Z");
	ois_http_retry_time(1796217600, 297749, when); /* rounded up: never too early */
	CHECK_STR(when, "2026-12-02T13:24:58Z");
	ois_http_retry_time(1796217600, 999999999000L, when);
	CHECK_STR(when, "2058-08-10T15:06:39Z");
	ois_http_retry_time(1796217600, LONG_MAX, when);
	CHECK_STR(when, "9999-12-31T23:59:59Z");
}

static void test_connection_refused(void)
{
	/* A port that was free a moment ago: nobody listens there. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	CHECK_INT(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_INT(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", ntohs(sa.sin_port));
	struct ois_http_opts o = quick();
	o.max_retries = 2;
	struct ois_http *h = ois_http_new(&o);
	struct ois_http_request req = { .method = "GET", .url = url };
	struct ois_http_response resp;
	CHECK_INT(ois_http_send(h, &req, &resp), OIS_EUNAVAIL);
	CHECK_INT(resp.status, 0);
	CHECK_INT(ois_http_stats(h)->requests, 3);
	CHECK_INT(ois_http_stats(h)->retries, 2);
	ois_http_response_release(&resp);
	/* A malformed URL is not worth a retry. */
	req.url = "gopher://127.0.0.1/x";
	CHECK_INT(ois_http_send(h, &req, &resp), OIS_EUNAVAIL);
	CHECK_INT(ois_http_stats(h)->requests, 4);
	ois_http_response_release(&resp);
	ois_http_free(h);
}

static void test_response_cap(void)
{
	struct ois_http_opts o = quick();
	o.max_response = 1000;
	struct result r = send_with(&o, "GET", "/big?bytes=1000", NULL, 0);
	CHECK_INT(r.rc, 0);
	CHECK_INT(strlen(r.body), 255);
	r = send_with(&o, "GET", "/big?bytes=5000", NULL, 0);
	CHECK_INT(r.rc, OIS_EUNAVAIL); /* the server's fault, not bad input of ours */
	CHECK_INT(r.requests, 1); /* a reply too big stays too big */
}

static void test_auth_headers(void)
{
	static const struct {
		enum ois_http_auth auth;
		const char *user, *secret, *want;
	} cases[] = {
		{ OIS_AUTH_NONE, NULL, NULL, "none" },
		{ OIS_AUTH_BASIC, "svc", "pa55", "Basic c3ZjOnBhNTU=" },
		{ OIS_AUTH_BEARER, NULL, "tok-1", "Bearer tok-1" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		struct ois_http_opts o = quick();
		o.auth = cases[i].auth;
		o.user = cases[i].user;
		o.secret = cases[i].secret;
		struct result r = send_with(&o, "GET", "/echo-auth", NULL, 0);
		CHECK_INT(r.rc, 0);
		CHECK_STR(r.body, cases[i].want);
	}
	/* A refreshed token replaces the old one on the same connection. */
	struct ois_http_opts o = quick();
	o.auth = OIS_AUTH_BEARER;
	o.secret = "tok-1";
	struct ois_http *h = ois_http_new(&o);
	char *url = ois_xasprintf("%s/echo-auth", base);
	struct ois_http_request req = { .method = "GET", .url = url };
	struct ois_http_response resp;
	ois_http_set_secret(h, "tok-2");
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK_STR(resp.body.data, "Bearer tok-2");
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(url);
}

static void test_methods_on_one_handle(void)
{
	struct ois_http_opts o = quick();
	struct ois_http *h = ois_http_new(&o);
	char *url = ois_xasprintf("%s/echo", base);
	static const struct { const char *method, *body, *want; } cases[] = {
		{ "POST", "<a/>", "POST 4 <a/>" },
		{ "GET", NULL, "GET 0 " },     /* nothing left over from the POST */
		{ "PATCH", "{}", "PATCH 2 {}" },
		{ "DELETE", NULL, "DELETE 0 " },
		{ "PUT", "x", "PUT 1 x" },
		{ "POST", NULL, "POST 0 " },
		{ NULL, NULL, "GET 0 " },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		const char *hdrs[] = { "Content-Type: text/plain", NULL };
		struct ois_http_request req = { .method = cases[i].method, .url = url, .headers = hdrs,
						.body = cases[i].body,
						.body_len = cases[i].body ? strlen(cases[i].body) : 0 };
		struct ois_http_response resp;
		CHECK_INT(ois_http_send(h, &req, &resp), 0);
		CHECK_STR(resp.body.data, cases[i].want);
		ois_http_response_release(&resp);
	}
	const struct ois_http_stats *st = ois_http_stats(h);
	CHECK_INT(st->requests, OIS_ARRAY_SIZE(cases));
	CHECK_INT(st->retries, 0);
	CHECK(st->bytes_sent >= 8);
	CHECK(st->bytes_received > 0);
	CHECK(st->seconds > 0);
	ois_http_free(h);
	free(url);
}

static void test_headers_captured(void)
{
	struct ois_http_opts o = quick();
	struct ois_http *h = ois_http_new(&o);
	char *url = ois_xasprintf("%s/headers", base);
	struct ois_http_request req = { .method = "GET", .url = url };
	struct ois_http_response resp;
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK_STR(resp.content_type, "application/json");
	CHECK_STR(resp.etag, "\"v42\"");
	CHECK_INT(resp.retry_after_ms, -1);
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(url);
}

static int busy_once(const struct ois_http_response *resp, long *delay_ms, void *ctx)
{
	int *calls = ctx;
	(void)resp;
	if ((*calls)++)
		return 0;
	*delay_ms = 200; /* as EWS's BackOffMilliseconds */
	return 1;
}

static void test_hook_and_no_retry(void)
{
	struct ois_http_opts o = quick();
	struct ois_http *h = ois_http_new(&o);
	char *url = ois_xasprintf("%s/ok", base);
	int calls = 0;
	struct ois_http_request req = { .method = "POST", .url = url, .should_retry = busy_once, .retry_ctx = &calls };
	struct ois_http_response resp;
	long w[8];
	waits(w, 8);
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK_INT(calls, 2);
	CHECK_INT(ois_http_stats(h)->retries, 1);
	CHECK_INT(waits(w, 8), 1);
	CHECK_INT(w[0], 200);
	ois_http_response_release(&resp);

	/* no_retry: one try, throttling still reported as such. */
	free(url);
	url = ois_xasprintf("%s/status/503?key=nr", base);
	req = (struct ois_http_request){ .method = "POST", .url = url, .no_retry = 1 };
	CHECK_INT(ois_http_send(h, &req, &resp), OIS_ETEMP);
	CHECK_INT(resp.status, 503);
	CHECK_INT(ois_http_stats(h)->requests, 3);
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(url);
}

/*
 * A write (no_retry) on a kept-alive connection that closes after the
 * server read it, before any reply: libcurl would send it again on a new
 * connection by itself, making a second item. It goes once, and the caller
 * hears that no reply came.
 */
static void test_no_retry_never_resent(void)
{
	struct ois_http_opts o = quick();
	struct ois_http *h = ois_http_new(&o);
	char *ok = ois_xasprintf("%s/ok", base), *drop = ois_xasprintf("%s/drop?times=1&key=once", base);
	char *hits = ois_xasprintf("%s/hits?of=/drop&key=once", base);
	struct ois_http_request req = { .method = "GET", .url = ok };
	struct ois_http_response resp;
	CHECK_INT(ois_http_send(h, &req, &resp), 0); /* the connection stays open for the next request */
	ois_http_response_release(&resp);
	req = (struct ois_http_request){ .method = "POST", .url = drop, .body = "{}", .body_len = 2, .no_retry = 1 };
	CHECK_INT(ois_http_send(h, &req, &resp), OIS_EUNAVAIL);
	CHECK_INT(resp.status, 0);
	ois_http_response_release(&resp);
	req = (struct ois_http_request){ .method = "GET", .url = hits };
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK_STR(resp.body.data, "1");
	ois_http_response_release(&resp);
	/* A read on the same handle still gets libcurl's and our retries. */
	req = (struct ois_http_request){ .method = "GET", .url = drop };
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK_INT(resp.status, 200);
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(hits);
	free(drop);
	free(ok);
}

static int busy_long(const struct ois_http_response *resp, long *delay_ms, void *ctx)
{
	int *calls = ctx;
	(void)resp;
	if ((*calls)++)
		return 0;
	*delay_ms = 297749; /* what a busy Exchange asked for */
	return 1;
}

/* A hook's delay (EWS's BackOffMilliseconds) is honoured as a Retry-After is. */
static void test_hook_delay_not_capped(void)
{
	long w[8];
	waits(w, 8);
	struct ois_http_opts o = quick();
	o.retry_max_ms = 60000;
	o.max_backoff_ms = 600000;
	struct ois_http *h = ois_http_new(&o);
	char *url = ois_xasprintf("%s/ok", base);
	int calls = 0;
	struct ois_http_request req = { .method = "POST", .url = url, .should_retry = busy_long, .retry_ctx = &calls };
	struct ois_http_response resp;
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK_INT(calls, 2);
	CHECK_INT(waits(w, 8), 1);
	CHECK(w[0] >= 297749);
	ois_http_response_release(&resp);
	ois_http_free(h);

	o.max_backoff_ms = 60000;
	h = ois_http_new(&o);
	calls = 0;
	CHECK_INT(ois_http_send(h, &req, &resp), OIS_ETEMP);
	CHECK_INT(calls, 1);
	CHECK_INT(ois_http_stats(h)->requests, 1);
	CHECK_INT(waits(w, 8), 0);
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(url);
}

/* Run fn with stderr in a file; the text written, owned. */
static char *captured(void (*fn)(void))
{
	char *path = ois_xasprintf("%s/captured", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *text = ois_xcalloc(1, 65536);
	ssize_t n = pread(fd, text, 65535, 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	free(path);
	return text;
}

static void send_throttled(void)
{
	struct ois_http_opts o = quick();
	o.max_backoff_ms = 60000;
	o.section = "server ex1";
	struct result r = send_with(&o, "GET", "/retry-after/297?times=1&key=msg", NULL, 0);
	CHECK_INT(r.rc, OIS_ETEMP);
	o.max_retries = 0;
	r = send_with(&o, "GET", "/retry-after/2?key=msg2", NULL, 0);
	CHECK_INT(r.rc, OIS_ETEMP);
	o.max_response = 100;
	r = send_with(&o, "GET", "/big?bytes=5000", NULL, 0);
	CHECK_INT(r.rc, OIS_EUNAVAIL);
}

/* The messages say who throttled, for how long, and when to come back; what was too big. */
static void test_throttle_messages(void)
{
	char *text = captured(send_throttled);
	int failed = unit_failed_checks;
	CHECK(strstr(text, "/retry-after/297?...: throttled by [server ex1] (HTTP 503): it asks to wait 297.0 s, "
			   "more than max_backoff (60 s); retry after 2") != NULL);
	const char *when = strstr(text, "retry after ");
	/* 2026-12-02T14:05:00Z: a UTC time in full; which one depends on the clock. */
	CHECK(when && strlen(when) >= 12 + 20 && when[12 + 4] == '-' && when[12 + 10] == 'T' &&
	      when[12 + 19] == 'Z');
	CHECK(strstr(text, "still throttled (HTTP 503) after 1 try; retry after 2") != NULL);
	char *big = ois_xasprintf("GET %s/big?...: the reply is larger than the limit of 100 bytes", base);
	CHECK(strstr(text, big) != NULL);
	if (unit_failed_checks != failed)
		printf("# the log was:\n%s", text);
	free(big);
	free(text);
}

/* Every message, at debug level, with a password and a token in play. */
/* A secret made at run time, so that none is written in the source: "NAME-" and 12 hex digits. */
static char *run_time_secret(const char *name)
{
	unsigned char raw[6];
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		abort();
	return ois_xasprintf("%s-%02x%02x%02x%02x%02x%02x", name, raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]);
}

static void test_logs_hold_no_secret(void)
{
	char *basic = run_time_secret("basic"), *bearer = run_time_secret("bearer");
	char *in_url = run_time_secret("url");
	/* Basic's header value: base64 of "svc:SECRET" (the whole, without padding). */
	char *userpass = ois_xasprintf("svc:%s", basic);
	char b64[BASE64_ENCODE_RAW_LENGTH(64) + 1] = "";
	base64_encode_raw(b64, strlen(userpass), (const uint8_t *)userpass);
	b64[BASE64_ENCODE_RAW_LENGTH(strlen(userpass))] = '\0';
	b64[strcspn(b64, "=")] = '\0';

	char *logpath = ois_xasprintf("%s/stderr", dir);
	int fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	ois_log_set_verbosity(3);

	struct ois_http_opts o = quick();
	o.auth = OIS_AUTH_BASIC;
	o.user = "svc";
	o.secret = basic;
	struct result r = send_with(&o, "GET", "/status/503?times=1&key=log&token=Query-Secret-3", NULL, 0);
	CHECK_INT(r.rc, 0);
	o.auth = OIS_AUTH_BEARER;
	o.secret = bearer;
	r = send_with(&o, "GET", "/status/503?times=1&key=log2", NULL, 0);
	CHECK_INT(r.rc, 0);
	char *url = ois_xasprintf("http://svc:%s@%s/drop?key=log3", in_url, base + 7);
	struct ois_http_opts q = quick();
	q.max_retries = 1;
	struct ois_http *h = ois_http_new(&q);
	struct ois_http_request req = { .method = "GET", .url = url };
	struct ois_http_response resp;
	CHECK_INT(ois_http_send(h, &req, &resp), OIS_EUNAVAIL);
	ois_http_response_release(&resp);
	ois_http_free(h);
	free(url);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ois_log_set_verbosity(0);
	static char text[256 * 1024];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	CHECK(strstr(text, "retrying GET http://127.0.0.1:") != NULL);
	CHECK(strstr(text, "/status/503?... after HTTP 503 (attempt 2 of 4, waiting") != NULL);
	CHECK(strstr(text, "Authorization: [hidden]") != NULL); /* the trace ran */
	/* The query, which may carry a token, stays out of messages; only the
	 * debug trace's request line shows it. */
	const char *retry = strstr(text, "retrying GET");
	CHECK(retry && !memmem(retry, strcspn(retry, "\n"), "Query-Secret-3", 14));
	const char *const secrets[] = { basic, bearer, in_url, b64 };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(secrets); i++)
		if (strstr(text, secrets[i]))
			unit_fail(__FILE__, __LINE__, "'%s' was logged", secrets[i]);
	unlink(logpath);
	free(logpath);
	free(userpass);
	free(in_url);
	free(bearer);
	free(basic);
}

/* send_many of n GETs of path, up to width at once: each rc in rc[], statuses in status[]; the client's stats in *st. */
static int send_many(const char *path, size_t n, int width, int retries, int *rc, long *status,
		     struct ois_http_stats *st)
{
	struct ois_http_opts o = quick();
	o.max_in_flight = width;
	o.max_retries = retries;
	struct ois_http *h = ois_http_new(&o);
	CHECK(h != NULL);
	char *url = ois_xasprintf("%s%s", base, path);
	struct ois_http_request *req = ois_xcalloc(n, sizeof(*req));
	struct ois_http_response *resp = ois_xcalloc(n, sizeof(*resp));
	for (size_t i = 0; i < n; i++)
		req[i] = (struct ois_http_request){ .method = "GET", .url = url };
	int stop = ois_http_send_many(h, req, resp, rc, n);
	for (size_t i = 0; i < n; i++) {
		status[i] = resp[i].status;
		ois_http_response_release(&resp[i]);
	}
	*st = *ois_http_stats(h);
	ois_http_free(h);
	free(resp);
	free(req);
	free(url);
	return stop;
}

/*
 * Four out at once, two told to come back in a second: one wait for the
 * batch (not one each), then the two again and the two not yet sent, two
 * at a time.
 */
static void test_send_many_shares_the_wait(void)
{
	long w[8];
	int rc[6];
	long status[6];
	struct ois_http_stats st;
	waits(w, 8);
	CHECK_INT(send_many("/retry-after/1?times=2&key=many", 6, 4, 3, rc, status, &st), 0);
	for (int i = 0; i < 6; i++) {
		CHECK_INT(rc[i], 0);
		CHECK_INT(status[i], 200);
	}
	CHECK_INT(st.requests, 8);
	CHECK_INT(st.retries, 2);
	CHECK_INT(waits(w, 8), 1);
	CHECK_INT(w[0], 1000);
	struct result r = get("/hits?of=/retry-after/1&key=many");
	CHECK_STR(r.body, "8");
}

/*
 * A server that stays busy: two out, both refused, one wait, then one at
 * a time; the first whose retries are spent stops the batch, and what was
 * not sent stays unsent, with the same code.
 */
static void test_send_many_stops_when_still_busy(void)
{
	long w[8];
	int rc[6];
	long status[6];
	struct ois_http_stats st;
	waits(w, 8);
	CHECK_INT(send_many("/status/503?key=stuck", 6, 2, 1, rc, status, &st), OIS_ETEMP);
	for (int i = 0; i < 6; i++)
		CHECK_INT(rc[i], OIS_ETEMP);
	CHECK_INT(st.requests, 3);
	CHECK_INT(waits(w, 8), 1);
	struct result r = get("/hits?of=/status/503&key=stuck");
	CHECK_STR(r.body, "3");
}

int main(void)
{
	ois_log_init("test_http");
	if (!mkdtemp(dir) || start_server()) {
		printf("Bail out! cannot start the fake HTTP server\n");
		stop_server();
		return 1;
	}
	sleep_log = ois_xasprintf("%s/waits", dir);
	setenv("OISYNC_TEST_SLEEP_LOG", sleep_log, 1);
	/* Retries and refusals log on purpose; keep the TAP output readable. */
	fflush(stderr);
	int devnull = open("/dev/null", O_WRONLY);
	int saved = dup(2);
	dup2(devnull, 2);
	UNIT_RUN(test_statuses_and_retries);
	UNIT_RUN(test_retry_after_is_honoured);
	UNIT_RUN(test_max_backoff);
	UNIT_RUN(test_parse_retry_after);
	UNIT_RUN(test_parse_backoff_milliseconds);
	UNIT_RUN(test_backoff_decision);
	UNIT_RUN(test_hook_delay_not_capped);
	UNIT_RUN(test_connection_refused);
	UNIT_RUN(test_response_cap);
	UNIT_RUN(test_auth_headers);
	UNIT_RUN(test_methods_on_one_handle);
	UNIT_RUN(test_headers_captured);
	UNIT_RUN(test_hook_and_no_retry);
	UNIT_RUN(test_no_retry_never_resent);
	UNIT_RUN(test_send_many_shares_the_wait);
	UNIT_RUN(test_send_many_stops_when_still_busy);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	UNIT_RUN(test_throttle_messages);
	UNIT_RUN(test_logs_hold_no_secret);
	stop_server();
	free(sleep_log);
	char *cmd = ois_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return unit_done();
}
