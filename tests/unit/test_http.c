/* test_http.c - the HTTP client against tests/fakes/http_test_server.py: retries, caps, auth, stats. */
#include "unit.h"
#include "code.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/oisync-http-XXXXXX";
static pid_t server_pid;
static char base[64];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
	double seconds; /* wall time of the call */
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
	double start = now_s();
	r.rc = ois_http_send(h, &req, &resp);
	r.seconds = now_s() - start;
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
	struct result r = get("/retry-after/1?times=1");
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.retries, 1);
	CHECK(r.seconds >= 1.0);
	/* An HTTP-date two seconds ahead: at least one whole second left. */
	r = get("/retry-after-date/2?times=1");
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.retries, 1);
	CHECK(r.seconds >= 0.9);
	/* Never more than retry_max_ms per wait. */
	struct ois_http_opts o = quick();
	o.retry_max_ms = 100;
	r = send_with(&o, "GET", "/retry-after/30?times=1&key=cap", NULL, 0);
	CHECK_INT(r.rc, 0);
	CHECK(r.seconds < 2.0);
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
	CHECK_INT(r.rc, OIS_EDATA);
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
	double start = now_s();
	CHECK_INT(ois_http_send(h, &req, &resp), 0);
	CHECK(now_s() - start >= 0.2);
	CHECK_INT(calls, 2);
	CHECK_INT(ois_http_stats(h)->retries, 1);
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

/* Every message, at debug level, with a password and a token in play. */
static void test_logs_hold_no_secret(void)
{
	char *logpath = ois_xasprintf("%s/stderr", dir);
	int fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	ois_log_set_verbosity(3);

	struct ois_http_opts o = quick();
	o.auth = OIS_AUTH_BASIC;
	o.user = "svc";
	o.secret = "Very-Secret-1";
	struct result r = send_with(&o, "GET", "/status/503?times=1&key=log&token=Query-Secret-3", NULL, 0);
	CHECK_INT(r.rc, 0);
	o.auth = OIS_AUTH_BEARER;
	o.secret = "Very-Secret-2";
	r = send_with(&o, "GET", "/status/503?times=1&key=log2", NULL, 0);
	CHECK_INT(r.rc, 0);
	char *url = ois_xasprintf("http://svc:Very-Secret-4@%s/drop?key=log3", base + 7);
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
	static const char *const secrets[] = { "Very-Secret-1", "Very-Secret-2", "Very-Secret-4",
					       "c3ZjOlZlcnktU2VjcmV0LTE" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(secrets); i++)
		if (strstr(text, secrets[i]))
			unit_fail(__FILE__, __LINE__, "'%s' was logged", secrets[i]);
	unlink(logpath);
	free(logpath);
}

int main(void)
{
	ois_log_init("test_http");
	if (!mkdtemp(dir) || start_server()) {
		printf("Bail out! cannot start the fake HTTP server\n");
		stop_server();
		return 1;
	}
	/* Retries and refusals log on purpose; keep the TAP output readable. */
	fflush(stderr);
	int devnull = open("/dev/null", O_WRONLY);
	int saved = dup(2);
	dup2(devnull, 2);
	UNIT_RUN(test_statuses_and_retries);
	UNIT_RUN(test_retry_after_is_honoured);
	UNIT_RUN(test_connection_refused);
	UNIT_RUN(test_response_cap);
	UNIT_RUN(test_auth_headers);
	UNIT_RUN(test_methods_on_one_handle);
	UNIT_RUN(test_headers_captured);
	UNIT_RUN(test_hook_and_no_retry);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	UNIT_RUN(test_logs_hold_no_secret);
	stop_server();
	char *cmd = ois_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return unit_done();
}
