/* graph.c - the Microsoft Graph client: Entra ID sign-in, one request, Graph's errors as oisync's codes, paging. */
#include "graph.h"
#include "code.h"
#include "json_reply.h"
#include "log.h"
#include "oauth.h"
#include "record.h"
#include "secret.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct ois_graph {
	struct ois_http *http;
	char *base;             /* Graph's URL without a trailing '/', e.g. https://graph.microsoft.com/v1.0 */
	char *user;             /* base + "/users/" + the mailbox, percent-encoded */
	const char *user_path;  /* "/users/..." of user: a $batch step's URL is relative to the version */
	char *mailbox;
	char *server;           /* the [server] section's name, for messages and the token file */
	char *section;          /* "server NAME": the http client borrows it for its messages */
	struct ois_oauth oauth;
};

/*
 * The scope a token is asked for: Graph's resource with "/.default" (the
 * permissions granted to the app). A national cloud's Graph is its own
 * resource (https://graph.microsoft.us); any other url (a proxy, a test
 * server) still speaks for Microsoft Graph's.
 */
static char *scope_of(const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	if (strncmp(url, "https://graph.", 14))
		return ois_xstrdup("https://graph.microsoft.com/.default");
	return ois_xasprintf("%.*s/.default", (int)((size_t)(host - url) + strcspn(host, "/")), url);
}

/* A certificate is public: any readable file (the key, a secret, goes through ois_secret_read). */
static int read_certificate(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	struct ois_buf b = OIS_BUF_INIT;
	char chunk[4096];
	size_t n;
	*out = NULL;
	if (!f)
		return ois_fail(OIS_ECONFIG, "cannot open certificate_file '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 1024 * 1024)
		ois_buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		ois_buf_release(&b);
		return ois_fail(OIS_ECONFIG, "cannot read certificate_file '%s'", path);
	}
	*out = ois_buf_detach(&b, NULL);
	return 0;
}

int ois_graph_open(const struct ois_endpoint *ep, const char *url, const char *mailbox, struct ois_graph **out)
{
	*out = NULL;
	if (!url)
		url = ep->url ? ep->url : OIS_GRAPH_URL;
	struct ois_graph *g = ois_xcalloc(1, sizeof(*g));
	g->base = ois_xstrdup(url);
	for (size_t l = strlen(g->base); l && g->base[l - 1] == '/'; l--)
		g->base[l - 1] = '\0';
	char *m = ois_pct_encode(mailbox);
	g->user = ois_xasprintf("%s/users/%s", g->base, m);
	g->user_path = g->user + strlen(g->base);
	free(m);
	g->mailbox = ois_xstrdup(mailbox);
	g->server = ois_xstrdup(ep->name);
	g->oauth.who = "Entra ID";
	g->oauth.client_id = ois_xstrdup(ep->client_id ? ep->client_id : "");
	g->oauth.scope = scope_of(g->base);
	g->oauth.token_url = ep->token_url ? ois_xstrdup(ep->token_url)
		: ois_xasprintf("https://login.microsoftonline.com/%s/oauth2/v2.0/token", ep->tenant ? ep->tenant : "");
	int rc = 0;
	if (ep->certificate_file) {
		rc = read_certificate(ep->certificate_file, &g->oauth.cert_pem);
		if (!rc)
			rc = ois_secret_read(ep->key_file, NULL, &g->oauth.key_pem);
	} else {
		rc = ois_secret_read(ep->secret_file, ep->secret_env, &g->oauth.secret);
	}
	if (rc) {
		ois_graph_close(g);
		return rc;
	}
	g->section = ois_xasprintf("server %s", ep->name);
	struct ois_http_opts opts = {
		.auth = OIS_AUTH_BEARER,
		.ca_file = ep->ca_file,
		.connect_timeout_ms = ep->connect_timeout_s > 0 ? ep->connect_timeout_s * 1000 : 0,
		.timeout_ms = ep->timeout_s > 0 ? ep->timeout_s * 1000 : 0,
		.max_retries = ep->retries,
		.max_backoff_ms = ep->max_backoff_s * 1000,
		.section = g->section,
	};
	g->http = ois_http_new(&opts);
	if (!g->http) {
		ois_graph_close(g);
		return OIS_EUNAVAIL;
	}
	*out = g;
	return 0;
}

void ois_graph_close(struct ois_graph *g)
{
	if (!g)
		return;
	ois_http_free(g->http);
	ois_oauth_release(&g->oauth);
	free(g->base);
	free(g->user);
	free(g->mailbox);
	free(g->server);
	free(g->section);
	free(g);
}

void ois_graph_keep_token(struct ois_graph *g, const char *state_dir)
{
	char *file = ois_xasprintf("graph-%s.token", g->server);
	ois_oauth_keep(&g->oauth, state_dir, file);
	free(file);
}

const struct ois_http_stats *ois_graph_stats(const struct ois_graph *g)
{
	return ois_http_stats(g->http);
}

/* "METHOD /path" without the query or the host, for messages. Owned. */
static char *call_name(const struct ois_graph_call *c)
{
	const char *p = c->path;
	if (strstr(p, "://")) {
		p = strstr(p, "://") + 3;
		p += strcspn(p, "/");
	}
	return ois_xasprintf("%s %.*s", c->method, (int)strcspn(p, "?"), p);
}

/* Graph's error code of a reply ({"error":{"code":...}}), or "" (static or borrowed from o). */
static const char *error_code(json_object *o)
{
	const char *code = ois_json_str(ois_json_obj(o, "error"), "code");
	return code ? code : "";
}

/* "HTTP 412 code: message" from a reply's status and parsed body (NULL: none). Owned. */
static char *error_text(long status, json_object *o)
{
	json_object *err = ois_json_obj(o, "error");
	const char *code = ois_json_str(err, "code"), *msg = ois_json_str(err, "message");
	if (!code)
		return ois_xasprintf("HTTP %ld", status);
	return ois_xasprintf("HTTP %ld %s%s%s", status, code, msg ? ": " : "", msg ? msg : "");
}

/* 1 when an error body says the mailbox itself is missing, not an item in it. */
static int mailbox_missing(json_object *o)
{
	const char *code = error_code(o);
	return !strcmp(code, "ErrorInvalidUser") || !strcmp(code, "MailboxNotEnabledForRESTAPI");
}

/* A reply's failure as oisync's code, logged; e is its text, o its parsed body (may be NULL). */
static int status_rc(struct ois_graph *g, const struct ois_graph_call *c, long status, json_object *o,
		     const char *e, const char *name)
{
	const char *code = error_code(o);
	int rc;
	if (status == 410 || !strcmp(code, "syncStateNotFound") || !strcmp(code, "resyncRequired") ||
	    !strcmp(code, "SyncStateNotFound")) {
		ois_info("%s: the server no longer knows the delta token: %s", name, e);
		rc = OIS_ESYNCSTATE;
	} else if (mailbox_missing(o)) {
		/* Graph's 404 for the user, not for an item: the users file names a mailbox the tenant lacks. */
		rc = ois_fail(OIS_ECONFIG, "%s: mailbox %s is not one of the tenant's, or has no Exchange Online "
					"mailbox (the users file, [server %s]): %s", name, g->mailbox, g->server, e);
	} else if (status == 404) {
		if (c->quiet_404)
			ois_debug("%s: %s", name, e);
		else
			ois_error("%s: not found: %s", name, e);
		rc = OIS_ENOTFOUND;
	} else if (status == 412) {
		/* An answer, not a failure: the caller decides (an edit beats a delete). */
		ois_info("%s: the item changed since %s: %s", name, c->if_match ? c->if_match : "?", e);
		rc = OIS_ECONFLICT;
	} else if (status == 401) {
		rc = ois_fail(OIS_EPERM, "%s: Microsoft Graph refused the app's token: %s", name, e);
	} else if (status == 403) {
		/* Graph says ErrorAccessDenied both for a mailbox out of the app's scope and for a permission it lacks. */
		rc = ois_fail(OIS_EPERM, "%s: the app may not open mailbox %s (an application access policy or RBAC for "
				       "Applications must include it, and the app needs the permissions oisync.conf(5) "
				       "lists): %s", name, g->mailbox, e);
	} else if (status == 429 || status == 503) {
		rc = ois_fail(OIS_ETEMP, "%s: throttled by [server %s]: %s", name, g->server, e);
	} else if (status >= 400 && status < 500) {
		rc = ois_fail(OIS_EDATA, "%s: refused: %s", name, e);
	} else {
		rc = ois_fail(OIS_EUNAVAIL, "%s: %s", name, e);
	}
	return rc;
}

int ois_graph_call(struct ois_graph *g, const struct ois_graph_call *c, json_object **reply)
{
	*reply = NULL;
	char *url = strstr(c->path, "://") ? ois_xstrdup(c->path) : ois_xasprintf("%s%s", g->user, c->path);
	char *name = call_name(c);
	char *if_match = c->if_match ? ois_xasprintf("If-Match: %s", c->if_match) : NULL;
	char *prefer = c->prefer ? ois_xasprintf("Prefer: %s", c->prefer) : NULL;
	const char *headers[5];
	size_t nh = 0;
	headers[nh++] = "Accept: application/json";
	if (c->body)
		headers[nh++] = "Content-Type: application/json";
	if (if_match)
		headers[nh++] = if_match;
	if (prefer)
		headers[nh++] = prefer;
	headers[nh] = NULL;
	const char *body = c->body ? json_object_to_json_string_ext(c->body, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	struct ois_http_request req = {
		.method = c->method,
		.url = url,
		.headers = headers,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.no_retry = c->no_retry,
	};
	struct ois_http_response resp = { 0 };
	int rc;
	/* 401 InvalidAuthenticationToken: an expired or revoked token, renewed once there. */
	if ((rc = ois_oauth_send(&g->oauth, g->http, &req, &resp, name)))
		goto out;
	if (resp.status >= 200 && resp.status < 300) {
		if (resp.body.len) {
			const char *why;
			*reply = ois_json_reply(&resp.body, &why);
			if (!json_object_is_type(*reply, json_type_object)) {
				json_object_put(*reply);
				*reply = NULL;
				rc = ois_fail(OIS_EUNAVAIL, "broken reply to %s: %s (%zu bytes)", name, why, resp.body.len);
			}
		}
		goto out;
	}
	const char *why;
	json_object *o = ois_json_reply(&resp.body, &why);
	char *e = ois_json_error_text(&resp);
	rc = status_rc(g, c, resp.status, o, e, name);
	free(e);
	json_object_put(o);
out:
	ois_http_response_release(&resp);
	free(prefer);
	free(if_match);
	free(name);
	free(url);
	return rc;
}

int ois_graph_pages(struct ois_graph *g, const char *path, const char *prefer, ois_graph_item_fn fn, void *ctx,
		    char **delta_link)
{
	char *next = ois_xstrdup(path);
	int rc = 0;
	*delta_link = NULL;
	while (next && !rc) {
		struct ois_graph_call c = { .method = "GET", .path = next, .prefer = prefer };
		json_object *page = NULL;
		rc = ois_graph_call(g, &c, &page);
		if (rc)
			break;
		json_object *items = ois_json_arr(page, "value");
		if (!items) {
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a page without \"value\"");
			json_object_put(page);
			break;
		}
		for (size_t i = 0; i < json_object_array_length(items) && !rc; i++)
			rc = fn(json_object_array_get_idx(items, i), ctx);
		const char *n = ois_json_str(page, "@odata.nextLink"), *d = ois_json_str(page, "@odata.deltaLink");
		/* A server that says "more" but points where it already was would loop forever. */
		if (!rc && n && !strcmp(n, next))
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: @odata.nextLink points to the same page");
		free(next);
		next = !rc && n ? ois_xstrdup(n) : NULL;
		if (!rc && !n && d)
			*delta_link = ois_xstrdup(d);
		json_object_put(page);
	}
	free(next);
	return rc;
}

int ois_graph_owns_link(const struct ois_graph *g, const char *link)
{
	size_t n = strlen(g->base);
	return link && !strncmp(link, g->base, n) && link[n] == '/';
}

/* ---- $batch ---- */

const char *ois_graph_mailbox(const struct ois_graph *g)
{
	return g->mailbox;
}

const char *ois_graph_base(const struct ois_graph *g)
{
	return g->base;
}

/* The Retry-After of one batch response, in ms (its headers are an object of strings), or -1. */
static long inner_retry_after(json_object *resp)
{
	json_object *h = ois_json_obj(resp, "headers");
	json_object_object_foreach(h, k, v) {
		if (!strcasecmp(k, "Retry-After") && json_object_is_type(v, json_type_string))
			return ois_http_retry_after_ms(json_object_get_string(v), time(NULL));
	}
	return -1;
}

/* "METHOD /path" of a step, without its query, for messages. Owned. */
static char *step_name(const struct ois_graph_step *s)
{
	return ois_xasprintf("%s %.*s", s->method, (int)strcspn(s->path, "?"), s->path);
}

static json_object *step_json(const struct ois_graph *g, const struct ois_graph_step *s, size_t i)
{
	json_object *r = json_object_new_object(), *h = json_object_new_object();
	char id[24];
	snprintf(id, sizeof(id), "%zu", i);
	json_object_object_add(r, "id", json_object_new_string(id));
	json_object_object_add(r, "method", json_object_new_string(s->method));
	char *url = ois_xasprintf("%s%s", g->user_path, s->path);
	json_object_object_add(r, "url", json_object_new_string(url));
	free(url);
	if (s->body) {
		json_object_object_add(r, "body", json_object_get(s->body));
		json_object_object_add(h, "Content-Type", json_object_new_string("application/json"));
	}
	if (s->if_match)
		json_object_object_add(h, "If-Match", json_object_new_string(s->if_match));
	if (s->prefer)
		json_object_object_add(h, "Prefer", json_object_new_string(s->prefer));
	if (json_object_object_length(h))
		json_object_object_add(r, "headers", h);
	else
		json_object_put(h);
	return r;
}

int ois_graph_batch(struct ois_graph *g, struct ois_graph_step *steps, size_t n)
{
	if (n > OIS_GRAPH_BATCH_MAX)
		OIS_BUG("a $batch of more than 20 requests");
	json_object *body = json_object_new_object(), *reqs = json_object_new_array();
	json_object_object_add(body, "requests", reqs);
	int writes = 0;
	for (size_t i = 0; i < n; i++) {
		steps[i].status = 0;
		steps[i].reply = NULL;
		steps[i].retry_after_ms = -1;
		json_object_array_add(reqs, step_json(g, &steps[i], i));
		writes |= strcmp(steps[i].method, "GET") != 0;
	}
	char *url = ois_xasprintf("%s/$batch", g->base);
	/* A batch that writes is sent once, as a create is: what it made is found again, never made twice. */
	struct ois_graph_call c = { .method = "POST", .path = url, .body = body, .no_retry = writes };
	json_object *reply = NULL;
	int rc = ois_graph_call(g, &c, &reply);
	free(url);
	json_object_put(body);
	if (rc)
		return rc;
	json_object *resps = ois_json_arr(reply, "responses");
	size_t got = resps ? json_object_array_length(resps) : 0;
	for (size_t k = 0; !rc && k < got; k++) {
		json_object *resp = json_object_array_get_idx(resps, k), *st = NULL;
		const char *id = ois_json_str(resp, "id");
		char *end = NULL;
		unsigned long i = id ? strtoul(id, &end, 10) : n;
		if (!id || *end || i >= n || steps[i].status || !json_object_object_get_ex(resp, "status", &st) ||
		    json_object_get_int64(st) < 100) {
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a $batch response with an unknown id");
			break;
		}
		steps[i].status = (long)json_object_get_int64(st);
		steps[i].reply = json_object_get(ois_json_obj(resp, "body"));
		steps[i].retry_after_ms = inner_retry_after(resp);
	}
	for (size_t i = 0; !rc && i < n; i++)
		if (!steps[i].status)
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: $batch answered %zu of %zu requests",
				      got, n);
	json_object_put(reply);
	if (rc)
		ois_graph_steps_release(steps, n);
	return rc;
}

void ois_graph_steps_release(struct ois_graph_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object_put(steps[i].reply);
		steps[i].reply = NULL;
	}
}

int ois_graph_step_rc(struct ois_graph *g, const struct ois_graph_step *s)
{
	if (s->status >= 200 && s->status < 300)
		return 0;
	char *name = step_name(s), *e = error_text(s->status, s->reply);
	struct ois_graph_call c = { .method = s->method, .path = s->path, .if_match = s->if_match,
				    .quiet_404 = s->quiet_404 };
	int rc = status_rc(g, &c, s->status, s->reply, e, name);
	free(e);
	free(name);
	return rc;
}

int ois_graph_step_again(const struct ois_graph_step *s)
{
	/* 429: Graph throttled it before running it, whatever the method. */
	if (s->status == 429)
		return 1;
	/* A server error may have come after a write took effect: only a read goes again. */
	return (s->status >= 500) && !strcmp(s->method, "GET");
}

int ois_graph_pause(struct ois_graph *g, const struct ois_graph_step *steps, size_t n)
{
	long wait = -1;
	for (size_t i = 0; i < n; i++)
		if (ois_graph_step_again(&steps[i]) && steps[i].retry_after_ms > wait)
			wait = steps[i].retry_after_ms;
	return wait > 0 ? ois_http_pause(g->http, wait, "a $batch of Microsoft Graph requests") : 0;
}

int ois_graph_get_many(struct ois_graph *g, const char *const *paths, size_t n, const char *prefer,
		       ois_graph_many_fn fn, void *ctx)
{
	struct ois_graph_step steps[OIS_GRAPH_BATCH_MAX];
	int rc = 0;
	for (size_t from = 0; from < n && !rc; from += OIS_GRAPH_BATCH_MAX) {
		size_t k = n - from < OIS_GRAPH_BATCH_MAX ? n - from : OIS_GRAPH_BATCH_MAX;
		for (size_t i = 0; i < k; i++)
			steps[i] = (struct ois_graph_step){ .method = "GET", .path = paths[from + i], .prefer = prefer,
							    .quiet_404 = 1 };
		if ((rc = ois_graph_batch(g, steps, k)))
			break;
		/*
		 * Graph throttles a batch's requests one by one: the ones it
		 * refused go again on their own after the longest wait it asked
		 * for, each with the client's own retries.
		 */
		rc = ois_graph_pause(g, steps, k);
		for (size_t i = 0; i < k && !rc; i++) {
			json_object *item = NULL;
			int r;
			if (ois_graph_step_again(&steps[i])) {
				struct ois_graph_call c = { .method = "GET", .path = paths[from + i], .prefer = prefer,
							    .quiet_404 = 1 };
				r = ois_graph_call(g, &c, &item);
			} else {
				r = ois_graph_step_rc(g, &steps[i]);
				item = r ? NULL : json_object_get(steps[i].reply);
			}
			/* Gone since it was listed (404): the next delta round says so. */
			if (r == OIS_ENOTFOUND)
				rc = fn(from + i, NULL, ctx);
			else if (r)
				rc = r;
			else
				rc = fn(from + i, item, ctx);
			json_object_put(item);
		}
		ois_graph_steps_release(steps, k);
	}
	return rc;
}
