/* interaction.c - the InterAction API client: token, requests, replies checked before use. */
#include "interaction.h"
#include "canonjson.h"
#include "code.h"
#include "json_reply.h"
#include "oauth.h"
#include "jsonl.h"
#include "log.h"
#include "record.h"
#include "secret.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ois_ia {
	struct ois_http *http;
	char *base;          /* API URL without a trailing '/' */
	struct ois_oauth oauth; /* the token; without a client id the secret is a static bearer token */
};

static char *enc(const char *s)
{
	return ois_pct_encode(s);
}

/* The token endpoint by default: the API URL's root (without /api/...) + /oauth/token. */
static char *default_token_url(const char *base)
{
	const char *scheme = strstr(base, "://");
	const char *host = scheme ? scheme + 3 : base;
	const char *api = strstr(host, "/api/");
	if (!api) {
		size_t l = strlen(host);
		if (l >= 4 && !strcmp(host + l - 4, "/api"))
			api = host + l - 4;
	}
	size_t keep = api ? (size_t)(api - base) : strlen(base);
	return ois_xasprintf("%.*s/oauth/token", (int)keep, base);
}

int ois_ia_open(const struct ois_endpoint *ep, const char *url, struct ois_ia **out)
{
	*out = NULL;
	if (!url)
		url = ep->url;
	if (ois_str_empty(url))
		return ois_fail(OIS_ECONFIG, "no url in the [interaction] section");
	char *secret = NULL;
	int rc = ois_secret_read(ep->secret_file, ep->secret_env, &secret);
	if (rc)
		return rc;

	struct ois_ia *ia = ois_xcalloc(1, sizeof(*ia));
	ia->base = ois_xstrdup(url);
	for (size_t l = strlen(ia->base); l && ia->base[l - 1] == '/'; l--)
		ia->base[l - 1] = '\0';
	ia->oauth.who = "interaction";
	ia->oauth.secret = secret;
	if (!ois_str_empty(ep->client_id)) {
		ia->oauth.client_id = ois_xstrdup(ep->client_id);
		ia->oauth.token_url = !ois_str_empty(ep->token_url) ? ois_xstrdup(ep->token_url)
								    : default_token_url(ia->base);
	} else {
		ia->oauth.token = ois_xstrdup(secret);
	}

	struct ois_http_opts opts = {
		.auth = OIS_AUTH_BEARER,
		.secret = ia->oauth.token,
		.ca_file = ep->ca_file,
		.connect_timeout_ms = ep->connect_timeout_s > 0 ? ep->connect_timeout_s * 1000 : 0,
		.timeout_ms = ep->timeout_s > 0 ? ep->timeout_s * 1000 : 0,
		.max_retries = ep->retries,
		.max_backoff_ms = ep->max_backoff_s * 1000,
		.section = "interaction",
		.max_in_flight = ep->write_concurrency,
	};
	ia->http = ois_http_new(&opts);
	if (!ia->http) {
		ois_ia_close(ia);
		return OIS_EUNAVAIL;
	}
	*out = ia;
	return 0;
}

void ois_ia_close(struct ois_ia *ia)
{
	if (!ia)
		return;
	ois_http_free(ia->http);
	free(ia->base);
	ois_oauth_release(&ia->oauth);
	free(ia);
}

void ois_ia_stats(const struct ois_ia *ia, struct ois_http_stats *out)
{
	*out = *ois_http_stats(ia->http);
}

static json_object *parse_body(const struct ois_buf *b, const char **why)
{
	return ois_json_reply(b, why);
}

int ois_ia_parse_reply(const char *body, size_t len, const char *what, json_object **out)
{
	const struct ois_buf b = { .data = (char *)body, .len = len };
	const char *why;
	*out = parse_body(&b, &why);
	if (json_object_is_type(*out, json_type_object))
		return 0;
	if (*out)
		why = "not a JSON object";
	json_object_put(*out);
	*out = NULL;
	return ois_fail(OIS_EUNAVAIL, "broken reply from %s: %s (%zu bytes)", what, why, len);
}

static char *error_text(const struct ois_http_response *r)
{
	return ois_json_error_text(r);
}

void ois_ia_keep_token(struct ois_ia *ia, const char *state_dir)
{
	ois_oauth_keep(&ia->oauth, state_dir, "interaction.token");
}

/* One API call. */
struct call {
	const char *method;
	char *path;            /* after the base URL, query included; owned */
	json_object *body;     /* borrowed; NULL: no body */
	const char *if_match;  /* version, or NULL */
	int no_retry;
	int quiet_404;         /* 404 is an answer, not a failure: log at debug */
	int want_reply;        /* the reply must be a JSON object */
};

/* "METHOD /path" without the query, for messages. Owned. */
static char *call_name(const struct call *c)
{
	return ois_xasprintf("%s %.*s", c->method, (int)strcspn(c->path, "?"), c->path);
}

/* A call made ready to send: what ia_call_many builds for each call before any is sent. */
struct ready {
	struct ois_http_request req;
	char *url, *name, *if_match;
	const char *headers[4];
};

static void ready_init(struct ois_ia *ia, const struct call *c, struct ready *p)
{
	memset(p, 0, sizeof(*p));
	p->url = ois_xasprintf("%s%s", ia->base, c->path);
	p->name = call_name(c);
	size_t nh = 0;
	p->headers[nh++] = "Accept: application/json";
	if (c->body)
		p->headers[nh++] = "Content-Type: application/json; charset=utf-8";
	if (c->if_match) {
		/* Versions travel as quoted entity tags: If-Match: "7". */
		p->if_match = c->if_match[0] == '"' ? ois_xasprintf("If-Match: %s", c->if_match)
						    : ois_xasprintf("If-Match: \"%s\"", c->if_match);
		p->headers[nh++] = p->if_match;
	}
	p->headers[nh] = NULL;
	const char *body = c->body ? json_object_to_json_string_ext(c->body, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	p->req = (struct ois_http_request){
		.method = c->method,
		.url = p->url,
		.headers = p->headers,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.no_retry = c->no_retry,
	};
}

static void ready_release(struct ready *p)
{
	free(p->if_match);
	free(p->name);
	free(p->url);
}

/* c's answer in resp: 0 with *reply (a JSON object when want_reply, else NULL), OIS_ESYNCSTATE on 410, or an error (logged). */
static int answer(const struct call *c, const char *name, const struct ois_http_response *resp, json_object **reply)
{
	*reply = NULL;
	long st = resp->status;
	if (st >= 200 && st < 300)
		return c->want_reply ? ois_ia_parse_reply(resp->body.data, resp->body.len, name, reply) : 0;
	int rc;
	char *e = error_text(resp);
	switch (st) {
	case 401:
		rc = ois_fail(OIS_EPERM, "%s: interaction refused the credentials: %s", name, e);
		break;
	case 403: {
		/* A field the service user may not change: name it, as the admin fixes rights per field. */
		const char *why;
		json_object *o = parse_body(&resp->body, &why);
		json_object *eo = ois_json_obj(o, "error");
		const char *code = ois_json_str(eo, "code"), *field = ois_json_str(eo, "field");
		if (code && !strcmp(code, "field_forbidden") && field)
			rc = ois_fail(OIS_EPERM, "interaction: the service user may not change '%s' (403)", field);
		else
			rc = ois_fail(OIS_EPERM, "%s: access denied: %s", name, e);
		json_object_put(o);
		break;
	}
	case 404:
		if (c->quiet_404)
			ois_debug("%s: %s", name, e);
		else
			ois_error("%s: not found: %s", name, e);
		rc = OIS_ENOTFOUND;
		break;
	case 410:
		ois_info("%s: %s", name, e);
		rc = OIS_ESYNCSTATE;
		break;
	case 412:
		rc = ois_fail(OIS_ECONFLICT, "%s: the item changed since version %s: %s", name,
			      c->if_match ? c->if_match : "?", e);
		break;
	case 409:
		/* A create whose external ref is taken: an earlier try got through
		 * (libcurl resends a request whose reused connection died). */
		ois_info("%s: %s", name, e);
		rc = OIS_ECONFLICT;
		break;
	case 429:
	case 503:
		rc = ois_fail(OIS_ETEMP, "%s: throttled: %s", name, e);
		break;
	default:
		if (st >= 400 && st < 500)
			rc = ois_fail(OIS_EDATA, "%s: interaction refused the request: %s", name, e);
		else
			rc = ois_fail(OIS_EUNAVAIL, "%s failed: %s", name, e);
	}
	free(e);
	return rc;
}

/*
 * Send c; return 0 with *reply (a JSON object when want_reply, else NULL),
 * OIS_ESYNCSTATE on 410, or an error code after logging.
 */
static int ia_call(struct ois_ia *ia, const struct call *c, json_object **reply)
{
	*reply = NULL;
	struct ready p;
	ready_init(ia, c, &p);
	struct ois_http_response resp = { 0 };
	int rc = ois_oauth_send(&ia->oauth, ia->http, &p.req, &resp, p.name);
	if (!rc)
		rc = answer(c, p.name, &resp, reply);
	ois_http_response_release(&resp);
	ready_release(&p);
	return rc;
}

/* ia_call for c[0..n), sent at once (ois_http_send_many): each answer in rc[i] and reply[i]. */
static void ia_call_many(struct ois_ia *ia, const struct call *c, json_object **reply, int *rc, size_t n)
{
	struct ready *p = ois_xcalloc(n, sizeof(*p));
	struct ois_http_request *req = ois_xcalloc(n, sizeof(*req));
	struct ois_http_response *resp = ois_xcalloc(n, sizeof(*resp));
	for (size_t i = 0; i < n; i++) {
		ready_init(ia, &c[i], &p[i]);
		req[i] = p[i].req;
	}
	ois_oauth_send_many(&ia->oauth, ia->http, req, resp, rc, n);
	for (size_t i = 0; i < n; i++) {
		reply[i] = NULL;
		if (!rc[i])
			rc[i] = answer(&c[i], p[i].name, &resp[i], &reply[i]);
		ois_http_response_release(&resp[i]);
		ready_release(&p[i]);
	}
	free(resp);
	free(req);
	free(p);
}

/* Build a path with every %s argument percent-encoded. Owned. */
static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	/* Callers pass up to four strings; encode them all before formatting. */
	va_list ap;
	va_start(ap, fmt);
	const char *args[4] = { 0 };
	char *e[4] = { 0 };
	int n = 0;
	for (const char *p = fmt; *p; p++)
		if (p[0] == '%' && p[1] == 's') {
			if (n == 4)
				OIS_BUG("pathf: too many arguments");
			args[n++] = va_arg(ap, const char *);
		}
	va_end(ap);
	for (int i = 0; i < n; i++)
		e[i] = enc(args[i]);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	char *s = ois_xasprintf(fmt, e[0], e[1], e[2], e[3]);
#pragma GCC diagnostic pop
	for (int i = 0; i < n; i++)
		free(e[i]);
	return s;
}

static int broken(const char *what, const char *why)
{
	return ois_fail(OIS_EUNAVAIL, "broken reply from %s: %s", what, why);
}

/* Every element an object with a non-empty string "id". */
static int check_contacts(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *c = json_object_array_get_idx(arr, i);
		const char *id = ois_json_str(c, "id");
		if (!json_object_is_type(c, json_type_object) || ois_str_empty(id))
			return -1;
	}
	return 0;
}

/* Take a new reference to the array at key. */
static json_object *take_arr(json_object *o, const char *key)
{
	json_object *a = ois_json_arr(o, key);
	return a ? json_object_get(a) : NULL;
}

void ois_ia_page_release(struct ois_ia_page *p)
{
	json_object_put(p->contacts);
	free(p->next);
	free(p->cursor);
	memset(p, 0, sizeof(*p));
}

/*
 * One page of a list reply: the array under key (items with ids), "next"
 * (string or null) and "cursor". On 0 *items, *next (NULL on the last page)
 * and *cursor are the caller's; on failure nothing is (a broken reply).
 */
static int parse_page(json_object *r, const char *key, const char *what, json_object **items,
		      char **next_out, char **cursor_out)
{
	json_object *next = json_object_object_get(r, "next");
	const char *cursor = ois_json_str(r, "cursor");
	char msg[96];
	json_object *arr = take_arr(r, key);
	int rc = 0;
	if (!arr || check_contacts(arr)) {
		snprintf(msg, sizeof(msg), "\"%s\" must be an array of items with ids", key);
		rc = broken(what, msg);
	} else if (next && !json_object_is_type(next, json_type_string)) {
		rc = broken(what, "\"next\" must be a string or null");
	} else if (!cursor) {
		rc = broken(what, "no \"cursor\"");
	}
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	*items = arr;
	*next_out = next && *json_object_get_string(next) ? ois_xstrdup(json_object_get_string(next)) : NULL;
	*cursor_out = ois_xstrdup(cursor);
	return 0;
}

int ois_ia_list_page(struct ois_ia *ia, const char *uid, int limit, const char *page, struct ois_ia_page *out)
{
	memset(out, 0, sizeof(*out));
	char lim[24];
	snprintf(lim, sizeof(lim), "%d", limit > 0 ? limit : 100);
	struct call c = {
		.method = "GET",
		.path = page ? pathf("/users/%s/contacts?limit=%s&page=%s", uid, lim, page)
			     : pathf("/users/%s/contacts?limit=%s", uid, lim),
		.want_reply = 1,
	};
	json_object *r;
	int rc = ia_call(ia, &c, &r);
	if (rc)
		goto out;
	rc = ois_ia_list_page_parse(r, out);
	json_object_put(r);
out:
	free(c.path);
	return rc;
}

int ois_ia_users(struct ois_ia *ia, json_object **users)
{
	*users = NULL;
	struct call c = { .method = "GET", .path = "/users", .want_reply = 1 };
	json_object *r;
	int rc = ia_call(ia, &c, &r);
	if (rc)
		return rc;
	json_object *arr;
	if (!json_object_object_get_ex(r, "users", &arr) || !json_object_is_type(arr, json_type_array)) {
		json_object_put(r);
		return broken("GET /users", "no \"users\" array");
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *u = json_object_array_get_idx(arr, i), *id;
		if (!json_object_is_type(u, json_type_object) || !json_object_object_get_ex(u, "id", &id) ||
		    !json_object_is_type(id, json_type_string)) {
			json_object_put(r);
			return broken("GET /users", "a user without a string \"id\"");
		}
	}
	*users = json_object_get(arr);
	json_object_put(r);
	return 0;
}

int ois_ia_list_page_parse(json_object *reply, struct ois_ia_page *out)
{
	memset(out, 0, sizeof(*out));
	return parse_page(reply, "contacts", "the contact list", &out->contacts, &out->next, &out->cursor);
}

void ois_ia_changes_release(struct ois_ia_changes *c)
{
	json_object_put(c->changes);
	free(c->cursor);
	memset(c, 0, sizeof(*c));
}

static int check_changes(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *ch = json_object_array_get_idx(arr, i);
		const char *op = ois_json_str(ch, "op");
		if (!op)
			return -1;
		if (!strcmp(op, "upsert")) {
			json_object *c = ois_json_obj(ch, "contact");
			if (!c)
				c = ois_json_obj(ch, "appointment");
			if (!c || ois_str_empty(ois_json_str(c, "id")))
				return -1;
		} else if (!strcmp(op, "delete")) {
			if (ois_str_empty(ois_json_str(ch, "id")))
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

int ois_ia_changes(struct ois_ia *ia, const char *uid, const char *cursor, int limit, struct ois_ia_changes *out)
{
	memset(out, 0, sizeof(*out));
	char lim[24];
	snprintf(lim, sizeof(lim), "%d", limit > 0 ? limit : 100);
	struct call c = {
		.method = "GET",
		.path = pathf("/users/%s/changes?cursor=%s&limit=%s", uid, cursor, lim),
		.want_reply = 1,
	};
	json_object *r;
	int rc = ia_call(ia, &c, &r);
	if (rc)
		goto out;
	rc = ois_ia_changes_parse(r, out);
	json_object_put(r);
out:
	free(c.path);
	return rc;
}

int ois_ia_changes_parse(json_object *reply, struct ois_ia_changes *out)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	json_object *more = json_object_object_get(reply, "more");
	const char *next = ois_json_str(reply, "cursor");
	out->changes = take_arr(reply, "changes");
	if (!out->changes || check_changes(out->changes))
		rc = broken("the change feed", "\"changes\" must be an array of upserts and deletes with ids");
	else if (!next || !*next)
		rc = broken("the change feed", "no \"cursor\"");
	else if (!json_object_is_type(more, json_type_boolean))
		rc = broken("the change feed", "\"more\" must be true or false");
	if (!rc) {
		out->cursor = ois_xstrdup(next);
		out->more = json_object_get_boolean(more);
	} else {
		ois_ia_changes_release(out);
	}
	return rc;
}

/* A reply that must be one contact: an object with an id. */
static int contact_call(struct ois_ia *ia, struct call *c, json_object **out)
{
	json_object *r = NULL;
	c->want_reply = 1;
	int rc = ia_call(ia, c, &r);
	if (!rc && ois_str_empty(ois_json_str(r, "id"))) {
		char *name = call_name(c);
		rc = broken(name, "the contact has no \"id\"");
		free(name);
	}
	if (rc) {
		json_object_put(r);
		r = NULL;
	}
	free(c->path);
	*out = r;
	return rc;
}

int ois_ia_contact_get(struct ois_ia *ia, const char *id, json_object **out)
{
	struct call c = { .method = "GET", .path = pathf("/contacts/%s", id) };
	return contact_call(ia, &c, out);
}

int ois_ia_change_is_appointment(json_object *change)
{
	if (ois_json_obj(change, "appointment"))
		return 1;
	const char *kind = ois_json_str(change, "kind");
	return kind && !strcmp(kind, "appointment");
}

/* A copy of body carrying op_id's external reference (when op_id is not NULL). */
static json_object *with_op_ref(json_object *body, const char *op_id)
{
	json_object *b = NULL;
	json_object_deep_copy(body, &b, NULL);
	if (op_id) {
		json_object *refs = json_object_new_array();
		char *ref = ois_xasprintf(OIS_IA_OP_REF_PREFIX "%s", op_id);
		json_object_array_add(refs, json_object_new_string(ref));
		free(ref);
		json_object_object_add(b, "external_refs", refs);
	}
	return b;
}

/* The call r stands for: its path owned by c, *tmp a body made for it (the caller puts it). */
static void req_call(const struct ois_ia_req *r, struct call *c, json_object **tmp)
{
	*tmp = NULL;
	memset(c, 0, sizeof(*c));
	c->want_reply = 1;
	switch (r->what) {
	case OIS_IA_SEARCH: {
		char *k = enc(r->key), *v = enc(r->value), *u = r->uid ? enc(r->uid) : NULL;
		c->method = "GET";
		c->path = u ? ois_xasprintf("/contacts?%s=%s&as_user=%s", k, v, u) : ois_xasprintf("/contacts?%s=%s", k, v);
		free(u);
		free(k);
		free(v);
		break;
	}
	case OIS_IA_CREATE:
		/* Not retried: a create is not idempotent (see the header). */
		*tmp = with_op_ref(r->body, r->op_id);
		c->method = "POST";
		c->path = ois_xstrdup("/contacts");
		c->body = *tmp;
		c->no_retry = 1;
		break;
	case OIS_IA_LIST_ADD:
		/* The reply is the user view (oisync-interaction-api(7)): no second request to read it. */
		if (!r->body)
			*tmp = json_object_new_object();
		c->method = "PUT";
		c->path = pathf("/users/%s/contacts/%s", r->uid, r->id);
		c->body = r->body ? r->body : *tmp;
		break;
	case OIS_IA_VIEW_GET:
		c->method = "GET";
		c->path = pathf("/users/%s/contacts/%s", r->uid, r->id);
		c->quiet_404 = 1;
		break;
	case OIS_IA_VIEW_PATCH:
		c->method = "PATCH";
		c->path = pathf("/users/%s/contacts/%s", r->uid, r->id);
		c->body = r->body;
		c->if_match = r->if_version;
		break;
	case OIS_IA_LIST_REMOVE:
		c->method = "DELETE";
		c->path = pathf("/users/%s/contacts/%s", r->uid, r->id);
		c->if_match = r->if_version;
		c->quiet_404 = 1; /* already off the list: the caller decides */
		c->want_reply = 0;
		break;
	default:
		OIS_BUG("interaction: request %d", (int)r->what);
	}
}

/* r's answer from its call's (rc, reply: taken), checked as every call's is. */
static void req_answer(struct ois_ia_req *r, const struct call *c, int rc, json_object *reply)
{
	r->out = NULL;
	if (!rc && r->what == OIS_IA_SEARCH) {
		r->out = take_arr(reply, "contacts");
		if (!r->out || check_contacts(r->out)) {
			json_object_put(r->out);
			r->out = NULL;
			rc = broken("a contact search", "\"contacts\" must be an array of contacts with ids");
		}
	} else if (!rc && r->what != OIS_IA_LIST_REMOVE) {
		if (ois_str_empty(ois_json_str(reply, "id"))) {
			char *name = call_name(c);
			rc = broken(name, "the contact has no \"id\"");
			free(name);
		} else {
			r->out = json_object_get(reply);
		}
	}
	json_object_put(reply);
	r->rc = rc;
}

void ois_ia_send_many(struct ois_ia *ia, struct ois_ia_req *r, size_t n)
{
	if (n == 0)
		return;
	struct call *c = ois_xcalloc(n, sizeof(*c));
	json_object **tmp = ois_xcalloc(n, sizeof(*tmp)), **reply = ois_xcalloc(n, sizeof(*reply));
	int *rc = ois_xcalloc(n, sizeof(*rc));
	for (size_t i = 0; i < n; i++)
		req_call(&r[i], &c[i], &tmp[i]);
	if (n == 1)
		rc[0] = ia_call(ia, &c[0], &reply[0]);
	else
		ia_call_many(ia, c, reply, rc, n);
	for (size_t i = 0; i < n; i++) {
		req_answer(&r[i], &c[i], rc[i], reply[i]);
		free(c[i].path);
		json_object_put(tmp[i]);
	}
	free(rc);
	free(reply);
	free(tmp);
	free(c);
}

void ois_ia_req_release(struct ois_ia_req *r)
{
	json_object_put(r->out);
	r->out = NULL;
}

/* One request by itself: its code, *out its answer (owned). */
static int req_one(struct ois_ia *ia, struct ois_ia_req r, json_object **out)
{
	ois_ia_send_many(ia, &r, 1);
	if (out)
		*out = r.out;
	else
		json_object_put(r.out);
	return r.rc;
}

int ois_ia_user_contact_get(struct ois_ia *ia, const char *uid, const char *id, json_object **out)
{
	return req_one(ia, (struct ois_ia_req){ .what = OIS_IA_VIEW_GET, .uid = uid, .id = id }, out);
}

int ois_ia_contact_search(struct ois_ia *ia, const char *as_user, const char *key, const char *value,
			  json_object **out)
{
	return req_one(ia, (struct ois_ia_req){ .what = OIS_IA_SEARCH, .uid = as_user, .key = key, .value = value },
		       out);
}

int ois_ia_contact_create(struct ois_ia *ia, json_object *body, const char *op_id, json_object **out)
{
	return req_one(ia, (struct ois_ia_req){ .what = OIS_IA_CREATE, .body = body, .op_id = op_id }, out);
}

int ois_ia_user_contact_patch(struct ois_ia *ia, const char *uid, const char *id, const char *if_version,
			      json_object *body, json_object **out)
{
	return req_one(ia, (struct ois_ia_req){ .what = OIS_IA_VIEW_PATCH, .uid = uid, .id = id,
						.if_version = if_version, .body = body }, out);
}

int ois_ia_list_add(struct ois_ia *ia, const char *uid, const char *id, json_object *body, json_object **out)
{
	return req_one(ia, (struct ois_ia_req){ .what = OIS_IA_LIST_ADD, .uid = uid, .id = id, .body = body }, out);
}

int ois_ia_list_remove(struct ois_ia *ia, const char *uid, const char *id, const char *if_version)
{
	return req_one(ia, (struct ois_ia_req){ .what = OIS_IA_LIST_REMOVE, .uid = uid, .id = id,
						.if_version = if_version }, NULL);
}

/* ---- appointments and activities ---- */

void ois_ia_appt_page_release(struct ois_ia_appt_page *p)
{
	json_object_put(p->appointments);
	free(p->next);
	free(p->cursor);
	memset(p, 0, sizeof(*p));
}

int ois_ia_appointment_page(struct ois_ia *ia, const char *uid, const char *start, const char *end, int limit,
			    const char *page, struct ois_ia_appt_page *out)
{
	memset(out, 0, sizeof(*out));
	char lim[24];
	snprintf(lim, sizeof(lim), "%d", limit > 0 ? limit : 100);
	struct call c = {
		.method = "GET",
		.path = pathf("/users/%s/appointments?start=%s&end=%s&limit=%s", uid, start, end, lim),
		.want_reply = 1,
	};
	if (page) {
		/* pathf takes four strings: append the page token by hand. */
		char *p = enc(page);
		char *full = ois_xasprintf("%s&page=%s", c.path, p);
		free(p);
		free(c.path);
		c.path = full;
	}
	json_object *r;
	int rc = ia_call(ia, &c, &r);
	if (rc)
		goto out;
	rc = ois_ia_appt_page_parse(r, out);
	json_object_put(r);
out:
	free(c.path);
	return rc;
}

int ois_ia_appt_page_parse(json_object *reply, struct ois_ia_appt_page *out)
{
	memset(out, 0, sizeof(*out));
	return parse_page(reply, "appointments", "the appointment list", &out->appointments, &out->next, &out->cursor);
}

int ois_ia_appointment_get(struct ois_ia *ia, const char *id, json_object **out)
{
	struct call c = { .method = "GET", .path = pathf("/appointments/%s", id), .quiet_404 = 1 };
	return contact_call(ia, &c, out);
}

int ois_ia_appointment_search(struct ois_ia *ia, const char *ref, json_object **out)
{
	*out = NULL;
	struct call c = { .method = "GET", .path = pathf("/appointments?external_ref=%s", ref), .want_reply = 1 };
	json_object *r;
	int rc = ia_call(ia, &c, &r);
	if (!rc) {
		*out = take_arr(r, "appointments");
		if (!*out || check_contacts(*out)) {
			json_object_put(*out);
			*out = NULL;
			rc = broken("an appointment search", "\"appointments\" must be an array of appointments with ids");
		}
		json_object_put(r);
	}
	free(c.path);
	return rc;
}

int ois_ia_appointment_create(struct ois_ia *ia, const char *uid, json_object *body, const char *op_id,
			      json_object **out)
{
	json_object *b = with_op_ref(body, op_id);
	/* Not retried: a create is not idempotent (see the header). */
	struct call c = { .method = "POST", .path = pathf("/users/%s/appointments", uid), .body = b, .no_retry = 1 };
	int rc = contact_call(ia, &c, out);
	json_object_put(b);
	return rc;
}

int ois_ia_appointment_patch(struct ois_ia *ia, const char *id, const char *if_version, json_object *body,
			     json_object **out)
{
	struct call c = { .method = "PATCH", .path = pathf("/appointments/%s", id), .body = body, .if_match = if_version };
	return contact_call(ia, &c, out);
}

int ois_ia_appointment_delete(struct ois_ia *ia, const char *id, const char *if_version)
{
	struct call c = { .method = "DELETE", .path = pathf("/appointments/%s", id), .if_match = if_version, .quiet_404 = 1 };
	json_object *r;
	int rc = ia_call(ia, &c, &r);
	free(c.path);
	return rc;
}

int ois_ia_appointment_complete(struct ois_ia *ia, const char *id, const char *if_version, json_object **out)
{
	json_object *empty = json_object_new_object();
	struct call c = {
		.method = "POST",
		.path = pathf("/appointments/%s/complete", id),
		.body = empty,
		.if_match = if_version,
	};
	int rc = contact_call(ia, &c, out);
	json_object_put(empty);
	return rc;
}

int ois_ia_appointment_reopen(struct ois_ia *ia, const char *id, const char *if_version, json_object **out)
{
	json_object *empty = json_object_new_object();
	struct call c = {
		.method = "POST",
		.path = pathf("/appointments/%s/reopen", id),
		.body = empty,
		.if_match = if_version,
	};
	int rc = contact_call(ia, &c, out);
	json_object_put(empty);
	return rc;
}

const char *ois_ia_op_tag(json_object *contact)
{
	json_object *refs = ois_json_arr(contact, "external_refs");
	size_t plen = strlen(OIS_IA_OP_REF_PREFIX);
	for (size_t i = 0; refs && i < json_object_array_length(refs); i++) {
		json_object *r = json_object_array_get_idx(refs, i);
		const char *s = json_object_is_type(r, json_type_string) ? json_object_get_string(r) : NULL;
		if (s && !strncmp(s, OIS_IA_OP_REF_PREFIX, plen) && s[plen])
			return s + plen;
	}
	return NULL;
}

char *ois_ia_version_str(json_object *contact)
{
	json_object *v;
	if (!json_object_object_get_ex(contact, "version", &v))
		return NULL;
	if (json_object_is_type(v, json_type_int))
		return ois_xasprintf("%lld", (long long)json_object_get_int64(v));
	if (json_object_is_type(v, json_type_string) && *json_object_get_string(v))
		return ois_xstrdup(json_object_get_string(v));
	return NULL;
}
