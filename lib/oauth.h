/* oauth.h - OAuth 2.0 client credentials: get a bearer token, renew it, share it with the run's other processes. */
#ifndef OIS_OAUTH_H
#define OIS_OAUTH_H

#include "canonjson.h" /* OIS_HASH_LEN */
#include "http.h"

/*
 * One client of one token endpoint (RFC 6749 section 4.4): the InterAction
 * API's, or Entra ID's for Microsoft Graph. The app proves itself with a
 * client secret, or with a client assertion signed by its certificate's
 * key (RFC 7523; lib/oauth_assertion.h). Every string is owned by the
 * struct (set them with ois_xstrdup; ois_oauth_release frees and wipes).
 * Without a token_url there is no token endpoint: the secret is a static
 * bearer token.
 */
struct ois_oauth {
	const char *who;          /* "interaction", "graph server online": in messages */
	char *token_url;
	char *client_id;
	char *scope;              /* NULL: none asked for (InterAction) */
	char *secret;             /* the client secret, or the static token; NULL with a certificate */
	char *cert_pem, *key_pem; /* certificate credentials: the files' text */
	char *token;              /* the bearer token in use */
	double expires;           /* CLOCK_MONOTONIC seconds */
	char *cache_path;         /* where the run's token is kept (ois_oauth_keep); NULL: nowhere */
	char cache_key[OIS_HASH_LEN];
};

/*
 * A token valid for a minute more at least, set as http's bearer secret:
 * the one in use, else one an earlier process of the run kept, else a new
 * one from the endpoint. force: the server refused the one in use (401),
 * so fetch a new one. 0, OIS_EPERM when the endpoint refuses the
 * credentials, OIS_EUNAVAIL/OIS_ETEMP for its failures (logged).
 */
int ois_oauth_ensure(struct ois_oauth *o, struct ois_http *http, int force);

/*
 * Keep tokens in STATE_DIR/file (lib/token_cache.h) for the run's next
 * processes. The cache key digests the endpoint, the client and its
 * credentials, so a changed configuration never uses a token it did not
 * get. Nothing without a state folder or a token endpoint.
 */
void ois_oauth_keep(struct ois_oauth *o, const char *state_dir, const char *file);

/*
 * Send req with the token (ois_oauth_ensure), and when the server refuses
 * it (401: expired or revoked), once more with a fresh one. name says the
 * request in messages. As ois_http_send: 0 with any status in *resp (the
 * caller judges it), or the ensure's or the send's error.
 */
int ois_oauth_send(struct ois_oauth *o, struct ois_http *http, const struct ois_http_request *req,
		   struct ois_http_response *resp, const char *name);

/*
 * ois_oauth_send for req[0..n) through ois_http_send_many: one token for
 * them all, and those the server refused it for (401) sent once more with
 * a fresh one. Each answer in resp[i] and rc[i]; returns what
 * ois_http_send_many returns, or the token's failure.
 */
int ois_oauth_send_many(struct ois_oauth *o, struct ois_http *http, const struct ois_http_request *req,
			struct ois_http_response *resp, int *rc, size_t n);

void ois_oauth_release(struct ois_oauth *o);

#endif
