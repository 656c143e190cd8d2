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

struct ois_graph {
	struct ois_http *http;
	char *base;             /* Graph's URL without a trailing '/', e.g. https://graph.microsoft.com/v1.0 */
	char *user;             /* base + "/users/" + the mailbox, percent-encoded */
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

static int status_rc(struct ois_graph *g, const struct ois_graph_call *c, const struct ois_http_response *r,
		     const char *name)
{
	const char *why;
	json_object *o = ois_json_reply(&r->body, &why);
	const char *code = error_code(o);
	char *e = ois_json_error_text(r);
	int rc;
	if (r->status == 410 || !strcmp(code, "syncStateNotFound") || !strcmp(code, "resyncRequired") ||
	    !strcmp(code, "SyncStateNotFound")) {
		ois_info("%s: the server no longer knows the delta token: %s", name, e);
		rc = OIS_ESYNCSTATE;
	} else if (r->status == 404) {
		if (c->quiet_404)
			ois_debug("%s: %s", name, e);
		else
			ois_error("%s: not found: %s", name, e);
		rc = OIS_ENOTFOUND;
	} else if (r->status == 412) {
		rc = ois_fail(OIS_ECONFLICT, "%s: the item changed since %s: %s", name, c->if_match ? c->if_match : "?", e);
	} else if (r->status == 401) {
		rc = ois_fail(OIS_EPERM, "%s: Microsoft Graph refused the app's token: %s", name, e);
	} else if (r->status == 403) {
		rc = ois_fail(OIS_EPERM, "%s: the app may not open mailbox %s (an application access policy or RBAC for "
				       "Applications must include it): %s", name, g->mailbox, e);
	} else if (r->status == 429 || r->status == 503) {
		rc = ois_fail(OIS_ETEMP, "%s: throttled by [server %s]: %s", name, g->server, e);
	} else if (r->status >= 400 && r->status < 500) {
		rc = ois_fail(OIS_EDATA, "%s: refused: %s", name, e);
	} else {
		rc = ois_fail(OIS_EUNAVAIL, "%s: %s", name, e);
	}
	free(e);
	json_object_put(o);
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
	rc = status_rc(g, c, &resp, name);
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
