/* test_graph_client.c - lib/graph/graph.c against the Graph fake: sign-in, requests, Graph's errors, pages, delta. */
#include "unit.h"
#include "code.h"
#include "config.h"
#include "graph/graph.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The tenant and app of tests/fakes/graph/seed_example.json. */
#define TENANT "6f1e0c5a-3b0d-4c8e-9f4a-0a1b2c3d4e5f"
#define CLIENT "0c3b5a1e-7d2f-4e8a-9b6c-1a2b3c4d5e6f"
#define SECRET "not-a-real-secret-made-for-this-test"

static char dir[] = "/tmp/oisync-graph-XXXXXX";
static char base[64];
static pid_t server_pid = -1;

static char *fakes(const char *rel)
{
	const char *slash = strrchr(__FILE__, '/');
	int len = slash ? (int)(slash - __FILE__) : 0;
	return len ? ois_xasprintf("%.*s/../fakes/%s", len, __FILE__, rel) : ois_xasprintf("../fakes/%s", rel);
}

static char *path(const char *name)
{
	return ois_xasprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");
	if (!f || fputs(text, f) < 0)
		unit_fail(__FILE__, __LINE__, "cannot write %s", p);
	if (f)
		fclose(f);
	chmod(p, mode);
	free(p);
}

static int sh(const char *cmd)
{
	char *full = ois_xasprintf("cd '%s' && { %s; } >sh.out 2>&1", dir, cmd);
	int rc = system(full);
	free(full);
	return rc;
}

/* The example seed, with a certificate registered for the app (made here by openssl). */
static int make_seed(void)
{
	if (sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout app.key -out app.pem -days 1 -subj /CN=oisync-app"))
		return -1;
	chmod(dir, 0700);
	char *seed = fakes("graph/seed_example.json"), *pem = path("app.pem");
	json_object *s = json_object_from_file(seed), *cert = json_object_from_file(pem);
	free(seed);
	FILE *f = fopen(pem, "r");
	char buf[8192] = "";
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	free(pem);
	json_object_put(cert);
	json_object *app = ois_json_obj(ois_json_obj(s, "apps"), CLIENT);
	if (!app)
		return -1;
	json_object *certs = json_object_new_array();
	json_object_array_add(certs, json_object_new_string(buf));
	json_object_object_add(app, "certificates", certs);
	char *out = path("seed.json");
	int rc = json_object_to_file(out, s);
	free(out);
	json_object_put(s);
	write_file("credentials", CLIENT ":" SECRET "\n", 0600);
	write_file("secret", SECRET "\n", 0600);
	return rc;
}

static int start_server(void)
{
	char *portfile = path("port"), *script = fakes("graph/graph_server.py"), *seed = path("seed.json"),
	     *creds = path("credentials");
	server_pid = fork();
	if (server_pid == 0) {
		execl("/usr/bin/python3", "python3", script, "--port", "0", "--port-file", portfile, "--seed", seed,
		      "--credentials-file", creds, (char *)NULL);
		_exit(127);
	}
	int port = 0;
	for (int i = 0; i < 1000 && !port; i++) {
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
	free(script);
	free(seed);
	free(creds);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	return port ? 0 : -1;
}

/* A [server] of type graph for the fake, as oisync.conf would give it. */
static struct ois_endpoint endpoint(int certificate)
{
	static char url[128], token_url[160], secret_file[128], cert_file[128], key_file[128];
	snprintf(url, sizeof(url), "%s/v1.0", base);
	snprintf(token_url, sizeof(token_url), "%s/%s/oauth2/v2.0/token", base, TENANT);
	snprintf(secret_file, sizeof(secret_file), "%s/secret", dir);
	snprintf(cert_file, sizeof(cert_file), "%s/app.pem", dir);
	snprintf(key_file, sizeof(key_file), "%s/app.key", dir);
	struct ois_endpoint e = {
		.name = "online", .type = "graph", .url = url, .token_url = token_url, .tenant = TENANT,
		.client_id = CLIENT, .retries = 0, .max_backoff_s = 300,
	};
	if (certificate) {
		e.certificate_file = cert_file;
		e.key_file = key_file;
	} else {
		e.secret_file = secret_file;
	}
	return e;
}

static struct ois_graph *open_for(const char *mailbox, int certificate)
{
	struct ois_endpoint e = endpoint(certificate);
	struct ois_graph *g = NULL;
	CHECK_INT(ois_graph_open(&e, NULL, mailbox, &g), 0);
	if (!g) {
		fprintf(stderr, "cannot open the Graph client: the tests after this one would crash\n");
		kill(server_pid, SIGTERM);
		exit(1);
	}
	return g;
}

static int count_item(json_object *item, void *ctx)
{
	(void)item;
	(*(int *)ctx)++;
	return 0;
}

/* The fake's control endpoints, through the client (an absolute URL). */
static json_object *control(struct ois_graph *g, const char *method, const char *what, const char *body)
{
	char *url = ois_xasprintf("%s/_fake/%s", base, what);
	json_object *b = body ? json_tokener_parse(body) : NULL, *reply = NULL;
	struct ois_graph_call c = { .method = method, .path = url, .body = b };
	CHECK_INT(ois_graph_call(g, &c, &reply), 0);
	json_object_put(b);
	free(url);
	return reply;
}

static void test_secret_sign_in_and_a_folder(void)
{
	struct ois_graph *g = open_for("alice@firm.example", 0);
	json_object *r = NULL;
	struct ois_graph_call c = { .method = "GET", .path = "/contactFolders/contacts/contacts" };
	CHECK_INT(ois_graph_call(g, &c, &r), 0);
	json_object *v = ois_json_arr(r, "value");
	CHECK(v && json_object_array_length(v) == 2);
	json_object_put(r);
	ois_graph_close(g);
}

static void test_pages_and_delta(void)
{
	struct ois_graph *g = open_for("alice@firm.example", 0);
	int n = 0;
	char *delta = NULL;
	CHECK_INT(ois_graph_pages(g, "/contacts?$top=1", NULL, count_item, &n, &delta), 0);
	CHECK_INT(n, 2);
	CHECK(delta == NULL);
	n = 0;
	CHECK_INT(ois_graph_pages(g, "/contactFolders/contacts/contacts/delta", "odata.maxpagesize=1", count_item, &n,
				  &delta),
		  0);
	CHECK_INT(n, 2);
	CHECK(delta != NULL);
	/* Nothing changed since: the delta link gives nothing, and a new link. */
	char *again = NULL;
	n = 0;
	if (delta)
		CHECK_INT(ois_graph_pages(g, delta, NULL, count_item, &n, &again), 0);
	CHECK_INT(n, 0);
	CHECK(again != NULL);
	free(again);
	/* A token the server no longer knows is OIS_ESYNCSTATE: read the folder whole again. */
	json_object_put(control(g, "POST", "expire-delta", "{}"));
	again = NULL;
	if (delta)
		CHECK_INT(ois_graph_pages(g, delta, NULL, count_item, &n, &again), OIS_ESYNCSTATE);
	free(again);
	free(delta);
	ois_graph_close(g);
}

static void test_errors(void)
{
	struct ois_graph *g = open_for("alice@firm.example", 0);
	json_object *r = NULL;
	/* A stale etag: 412, a conflict, nothing written. */
	struct ois_graph_call list = { .method = "GET", .path = "/contacts?$top=1" };
	CHECK_INT(ois_graph_call(g, &list, &r), 0);
	const char *id = ois_json_str(json_object_array_get_idx(ois_json_arr(r, "value"), 0), "id");
	char *p = ois_xasprintf("/contacts/%s", id ? id : "x");
	json_object *body = json_tokener_parse("{\"jobTitle\":\"CEO\"}");
	struct ois_graph_call stale = { .method = "PATCH", .path = p, .body = body, .if_match = "W/\"stale\"" };
	json_object *r2 = NULL;
	CHECK_INT(ois_graph_call(g, &stale, &r2), OIS_ECONFLICT);
	json_object_put(body);
	/* Gone: 404 is OIS_ENOTFOUND; a delete answers 204, no body. */
	struct ois_graph_call del = { .method = "DELETE", .path = p };
	CHECK_INT(ois_graph_call(g, &del, &r2), 0);
	CHECK(r2 == NULL);
	struct ois_graph_call missing = { .method = "GET", .path = p, .quiet_404 = 1 };
	CHECK_INT(ois_graph_call(g, &missing, &r2), OIS_ENOTFOUND);
	/* An id Graph cannot read is bad data (400), not a missing item. */
	struct ois_graph_call malformed = { .method = "GET", .path = "/contacts/no-such-id" };
	CHECK_INT(ois_graph_call(g, &malformed, &r2), OIS_EDATA);
	free(p);
	json_object_put(r);
	ois_graph_close(g);
	/* A mailbox the app may not open: a permission error, not an outage. */
	g = open_for("carol@firm.example", 0);
	struct ois_graph_call c = { .method = "GET", .path = "/contacts", .quiet_404 = 1 };
	CHECK_INT(ois_graph_call(g, &c, &r), OIS_EPERM);
	ois_graph_close(g);
}

/* An expired token is refused (401); the client fetches a new one, once, and goes on. */
static void test_expired_token_is_renewed(void)
{
	struct ois_graph *g = open_for("alice@firm.example", 0);
	json_object *r = NULL;
	struct ois_graph_call c = { .method = "GET", .path = "/contacts" };
	CHECK_INT(ois_graph_call(g, &c, &r), 0);
	json_object_put(r);
	json_object_put(control(g, "POST", "clock", "{\"advance_s\": 7200}"));
	CHECK_INT(ois_graph_call(g, &c, &r), 0);
	json_object_put(r);
	json_object *st = control(g, "GET", "stats", NULL);
	json_object *issued = ois_json_obj(st, "tokens_issued");
	int total = 0;
	json_object_object_foreach(issued, k, v) {
		(void)k;
		total += json_object_get_int(v);
	}
	CHECK(total >= 2);
	json_object_put(st);
	ois_graph_close(g);
}

static void test_certificate_sign_in(void)
{
	struct ois_graph *g = open_for("alice@firm.example", 1);
	json_object *r = NULL;
	struct ois_graph_call c = { .method = "GET", .path = "/contacts" };
	CHECK_INT(ois_graph_call(g, &c, &r), 0);
	json_object_put(r);
	ois_graph_close(g);
}

int main(void)
{
	ois_log_init("test_graph_client");
	if (!mkdtemp(dir) || make_seed() || start_server()) {
		fprintf(stderr, "cannot start the Graph fake in %s\n", dir);
		if (server_pid > 0)
			kill(server_pid, SIGTERM);
		return 1;
	}
	UNIT_RUN(test_secret_sign_in_and_a_folder);
	UNIT_RUN(test_pages_and_delta);
	UNIT_RUN(test_errors);
	/* Before the clock moves: an assertion is good for ten minutes of the server's time. */
	UNIT_RUN(test_certificate_sign_in);
	UNIT_RUN(test_expired_token_is_renewed);
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
	char *rm = ois_xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(rm);
	return unit_done();
}
