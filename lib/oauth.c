/* oauth.c - OAuth 2.0 client credentials, with a secret or a signed assertion, and the run's token cache. */
#include "oauth.h"
#include "buf.h"
#include "code.h"
#include "json_reply.h"
#include "log.h"
#include "oauth_assertion.h"
#include "record.h"
#include "secret.h"
#include "token_cache.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Renew the token this long before it expires, so no request carries a dying one. */
#define TOKEN_MARGIN_S 60.0

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void add_param(struct ois_buf *b, const char *name, const char *value)
{
	char *v = ois_pct_encode(value);
	if (b->len)
		ois_buf_adds(b, "&");
	ois_buf_adds(b, name);
	ois_buf_adds(b, "=");
	ois_buf_adds(b, v);
	explicit_bzero(v, strlen(v)); /* it may be the secret */
	free(v);
}

/* The request body: the credentials go only in it, never in the URL or a header. */
static int token_body(struct ois_oauth *o, struct ois_buf *b)
{
	add_param(b, "grant_type", "client_credentials");
	add_param(b, "client_id", o->client_id);
	if (o->scope)
		add_param(b, "scope", o->scope);
	if (o->secret) {
		add_param(b, "client_secret", o->secret);
		return 0;
	}
	char *jwt;
	int rc = ois_oauth_client_assertion(o->cert_pem, o->key_pem, o->client_id, o->token_url, time(NULL), &jwt);
	if (rc)
		return rc;
	add_param(b, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
	add_param(b, "client_assertion", jwt);
	ois_secret_free(jwt);
	return 0;
}

static int fetch_token(struct ois_oauth *o, struct ois_http *http)
{
	struct ois_buf body = OIS_BUF_INIT;
	struct ois_http_response resp = { 0 };
	int rc = token_body(o, &body);
	if (rc) {
		ois_buf_release(&body);
		return rc;
	}
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded",
		"Accept: application/json",
		NULL,
	};
	struct ois_http_request req = {
		.method = "POST",
		.url = o->token_url,
		.headers = headers,
		.body = body.data,
		.body_len = body.len,
	};
	/* No Authorization header on the token request itself. */
	ois_http_set_secret(http, NULL);
	wipe_free(o->token);
	o->token = NULL;
	rc = ois_http_send(http, &req, &resp);
	explicit_bzero(body.data, body.len);
	ois_buf_release(&body);
	if (rc)
		goto out;
	if (resp.status == 400 || resp.status == 401 || resp.status == 403) {
		char *e = ois_json_error_text(&resp);
		rc = ois_fail(OIS_EPERM, "%s refused the credentials of client '%s' at '%s': %s", o->who, o->client_id,
			      o->token_url, e);
		free(e);
		goto out;
	}
	if (resp.status != 200) {
		char *e = ois_json_error_text(&resp);
		rc = ois_fail(OIS_EUNAVAIL, "cannot get a %s token from '%s': %s", o->who, o->token_url, e);
		free(e);
		goto out;
	}
	const char *why;
	json_object *j = ois_json_reply(&resp.body, &why);
	const char *tok = ois_json_str(j, "access_token");
	json_object *exp;
	if (!tok || !*tok) {
		json_object_put(j);
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from '%s': no access_token", o->token_url);
		goto out;
	}
	double expires_in = 3600;
	if (json_object_object_get_ex(j, "expires_in", &exp) &&
	    (json_object_is_type(exp, json_type_int) || json_object_is_type(exp, json_type_double)))
		expires_in = json_object_get_double(exp);
	o->token = ois_xstrdup(tok);
	o->expires = mono_s() + expires_in;
	ois_debug("got a %s token valid for %.0f s", o->who, expires_in);
	/* Scrub the reply: it held the token. */
	explicit_bzero(resp.body.data, resp.body.len);
	json_object_put(j);
out:
	ois_http_set_secret(http, o->token);
	ois_http_response_release(&resp);
	return rc;
}

void ois_oauth_keep(struct ois_oauth *o, const char *state_dir, const char *file)
{
	if (!o->token_url || ois_str_empty(state_dir))
		return;
	free(o->cache_path);
	o->cache_path = ois_xasprintf("%s/%s", state_dir, file);
	char *what = ois_xasprintf("oisync token cache\n%s\n%s\n%s\n%s%s", o->token_url, o->client_id,
				   o->scope ? o->scope : "", o->secret ? o->secret : o->cert_pem,
				   o->secret ? "" : o->key_pem);
	ois_sha256_hex(what, strlen(what), o->cache_key);
	wipe_free(what);
}

/* The token an earlier process of the run kept, while it has TOKEN_MARGIN_S left: 1 when taken. */
static int take_kept_token(struct ois_oauth *o, struct ois_http *http)
{
	char *tok;
	double left;
	if (!o->cache_path || ois_token_cache_load(o->cache_path, o->cache_key, &tok, &left))
		return 0;
	if (left <= TOKEN_MARGIN_S) {
		wipe_free(tok);
		return 0;
	}
	wipe_free(o->token);
	o->token = tok;
	o->expires = mono_s() + left;
	ois_http_set_secret(http, o->token);
	ois_debug("using the %s token kept by an earlier process, valid for %.0f s more", o->who, left);
	return 1;
}

int ois_oauth_ensure(struct ois_oauth *o, struct ois_http *http, int force)
{
	if (!o->token_url)
		return 0; /* static token */
	if (!force && o->token && mono_s() < o->expires - TOKEN_MARGIN_S)
		return 0;
	/* Forced after a 401: the kept token is the one refused. */
	if (!force && take_kept_token(o, http))
		return 0;
	int rc = fetch_token(o, http);
	if (!rc && o->cache_path)
		ois_token_cache_store(o->cache_path, o->cache_key, o->token, o->expires - mono_s());
	return rc;
}

int ois_oauth_send(struct ois_oauth *o, struct ois_http *http, const struct ois_http_request *req,
		   struct ois_http_response *resp, const char *name)
{
	int rc;
	for (int fresh = 0;; fresh++) {
		if ((rc = ois_oauth_ensure(o, http, fresh)))
			return rc;
		if ((rc = ois_http_send(http, req, resp)))
			return rc;
		/* An unknown or expired token: fetch a new one once and try again; a static one stays. */
		if (resp->status != 401 || !o->token_url || fresh)
			return 0;
		ois_info("%s: token refused, fetching a new one", name);
		ois_http_response_release(resp);
	}
}

int ois_oauth_send_many(struct ois_oauth *o, struct ois_http *http, const struct ois_http_request *req,
			struct ois_http_response *resp, int *rc, size_t n)
{
	int erc = ois_oauth_ensure(o, http, 0);
	if (erc) {
		for (size_t i = 0; i < n; i++) {
			memset(&resp[i], 0, sizeof(resp[i]));
			resp[i].retry_after_ms = -1;
			rc[i] = erc;
		}
		return erc;
	}
	int stop = ois_http_send_many(http, req, resp, rc, n);
	if (!o->token_url)
		return stop;
	/* Those refused for the token (none was done): once more each, with a fresh one. */
	size_t *again = ois_xcalloc(n, sizeof(*again)), k = 0;
	for (size_t i = 0; i < n; i++)
		if (rc[i] == 0 && resp[i].status == 401)
			again[k++] = i;
	if (k && (erc = ois_oauth_ensure(o, http, 1)) == 0) {
		ois_info("%s: token refused, fetching a new one", o->who);
		struct ois_http_request *r2 = ois_xcalloc(k, sizeof(*r2));
		struct ois_http_response *p2 = ois_xcalloc(k, sizeof(*p2));
		int *rc2 = ois_xcalloc(k, sizeof(*rc2));
		for (size_t m = 0; m < k; m++)
			r2[m] = req[again[m]];
		int stop2 = ois_http_send_many(http, r2, p2, rc2, k);
		for (size_t m = 0; m < k; m++) {
			ois_http_response_release(&resp[again[m]]);
			resp[again[m]] = p2[m];
			rc[again[m]] = rc2[m];
		}
		if (!stop)
			stop = stop2;
		free(r2);
		free(p2);
		free(rc2);
	} else if (k && !stop) {
		stop = erc;
	}
	free(again);
	return stop;
}

void ois_oauth_release(struct ois_oauth *o)
{
	free(o->token_url);
	free(o->client_id);
	free(o->scope);
	ois_secret_free(o->secret);
	ois_secret_free(o->cert_pem);
	ois_secret_free(o->key_pem);
	wipe_free(o->token);
	free(o->cache_path);
	memset(o, 0, sizeof(*o));
}
