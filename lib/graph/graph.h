/* graph.h - a Microsoft Graph client for one mailbox: sign-in, requests, errors, pages (lib/graph/ only). */
#ifndef OIS_GRAPH_H
#define OIS_GRAPH_H

#include "config.h"
#include "http.h"

#include <json-c/json.h>

struct ois_graph;

/*
 * A client for mailbox (its SMTP address, Graph's userPrincipalName or
 * mail) on ep, a [server] of type graph (oisync.conf(5)); url overrides
 * ep's. Reads the app's secret, or its certificate and key, now; no
 * request is sent yet. 0, or OIS_ECONFIG/OIS_EUNAVAIL after logging.
 */
int ois_graph_open(const struct ois_endpoint *ep, const char *url, const char *mailbox, struct ois_graph **out);
void ois_graph_close(struct ois_graph *g);
/* Keep the app's token in STATE_DIR/graph-SERVER.token for the run's other processes. */
void ois_graph_keep_token(struct ois_graph *g, const char *state_dir);
const struct ois_http_stats *ois_graph_stats(const struct ois_graph *g);

/* One request. */
struct ois_graph_call {
	const char *method;
	/*
	 * After the mailbox's URL (".../users/{mailbox}"), e.g. "/contacts";
	 * or a whole URL the server gave (an @odata.nextLink or deltaLink).
	 */
	const char *path;
	json_object *body;     /* borrowed; NULL: none */
	const char *if_match;  /* an @odata.etag, or NULL */
	const char *prefer;    /* a Prefer header's value, or NULL */
	int quiet_404;         /* 404 is an answer (log at debug) */
	int no_retry;          /* a create: never sent twice by a retry */
};

/*
 * Send c, with a fresh token once if the server refuses the one in use.
 * 0 and *reply (the JSON object of a 2xx reply with a body; NULL for 204),
 * or, logged: OIS_ENOTFOUND (404), OIS_ECONFLICT (412: the etag moved),
 * OIS_ESYNCSTATE (410, or a delta token the server no longer knows:
 * syncStateNotFound, resyncRequired), OIS_EPERM (401 after a fresh token;
 * 403, e.g. ErrorAccessDenied: a mailbox the app may not open),
 * OIS_EDATA (another 4xx: what was sent is wrong), OIS_ETEMP (still
 * throttled), OIS_EUNAVAIL (5xx, no reply, a broken reply).
 */
int ois_graph_call(struct ois_graph *g, const struct ois_graph_call *c, json_object **reply);

/*
 * Every item of a collection or delta query from path, page by page
 * (@odata.nextLink), each given to fn (borrowed; fn's non-zero return
 * stops and is returned). *delta_link (owned) is the last page's
 * @odata.deltaLink, NULL for a plain collection.
 */
typedef int (*ois_graph_item_fn)(json_object *item, void *ctx);
int ois_graph_pages(struct ois_graph *g, const char *path, const char *prefer, ois_graph_item_fn fn, void *ctx,
		    char **delta_link);

/* The mailbox the client opens. */
const char *ois_graph_mailbox(const struct ois_graph *g);
/* Graph's URL with its version ("https://graph.microsoft.com/v1.0"), for a request outside the mailbox. */
const char *ois_graph_base(const struct ois_graph *g);

/*
 * The tenant's users whose mail is email (GET /users?$filter=mail eq '...',
 * which needs User.Read.All): 0 with each one's mail in (*addresses)[0..*n)
 * (owned; none is 0 with *n 0), or the failure's code.
 */
int ois_graph_users_by_mail(struct ois_graph *g, const char *email, char ***addresses, size_t *n);

/* Graph takes at most 20 requests in one $batch ("JSON batching"). */
#define OIS_GRAPH_BATCH_MAX 20

/* One request of a $batch, and its answer. */
struct ois_graph_step {
	const char *method;
	const char *path;      /* after the mailbox's URL, as a call's path */
	json_object *body;     /* borrowed; NULL: none */
	const char *if_match;
	const char *prefer;
	int quiet_404;
	/* The answer (ois_graph_steps_release frees the replies): */
	long status;
	json_object *reply;    /* its JSON body, or NULL */
	long retry_after_ms;   /* its Retry-After, or -1 */
};

/*
 * Send steps[0..n) (n <= 20) as one $batch: 0 with each step's own status
 * and reply, or the error of the batch request itself (nothing answered).
 * A batch with a write in it is never sent twice by a retry.
 */
int ois_graph_batch(struct ois_graph *g, struct ois_graph_step *steps, size_t n);
void ois_graph_steps_release(struct ois_graph_step *steps, size_t n);
/* A step's answer as ois_graph_call's code: 0 for a 2xx, else logged as a call's error is. */
int ois_graph_step_rc(struct ois_graph *g, const struct ois_graph_step *s);
/*
 * 1 when a step must be sent again on its own: Graph throttled it inside the
 * batch (429: not run), or a read met a server error. A write that met a
 * server error may have taken effect, and is not.
 */
int ois_graph_step_again(const struct ois_graph_step *s);
/* Wait the longest Retry-After of the steps that go again: 0, or OIS_ETEMP when too long. */
int ois_graph_pause(struct ois_graph *g, const struct ois_graph_step *steps, size_t n);

/*
 * GET each of paths[0..n) (after the mailbox's URL, as a call's path),
 * 20 to a $batch, each with a Prefer header when prefer is not NULL. fn
 * gets each item as (its index, its JSON object borrowed) or (its index,
 * NULL) when it is gone (404), in order; fn's non-zero return stops and
 * is returned. A request the server throttled or failed inside the batch
 * (its own 429 or 5xx) is sent again on its own, after the longest
 * Retry-After the batch asked for, with the client's retries. Another
 * refusal is the error ois_graph_call gives for its status.
 */
typedef int (*ois_graph_many_fn)(size_t i, json_object *item, void *ctx);
int ois_graph_get_many(struct ois_graph *g, const char *const *paths, size_t n, const char *prefer,
		       ois_graph_many_fn fn, void *ctx);

/*
 * 1 when link (a committed deltaLink) is one this client's server gave: it
 * starts with the configured Graph URL. Any other (an EWS SyncState after
 * a move to Exchange Online, a link to a URL since changed) is never sent,
 * and with it the app's token.
 */
int ois_graph_owns_link(const struct ois_graph *g, const char *link);

#endif
