/* interaction.h - the InterAction API client: OAuth2, user contact lists, change feed, firm contacts. */
#ifndef OIS_INTERACTION_H
#define OIS_INTERACTION_H

#include "config.h"
#include "http.h"

#include <json-c/json.h>

/*
 * Speaks the API of oisync-interaction-api(7) (the project's contract, which
 * tests/fakes/interaction/interaction_server.py implements). One client per process.
 *
 * Authentication: with a client_id, OAuth2 client credentials against
 * token_url (default: the URL's root + /oauth/token), the secret only in the
 * form body; the token is renewed 60 s before it expires and once when the
 * API answers 401. Without a client_id the secret is a static bearer token.
 *
 * Every call returns 0, or a negative enum ois_code after logging:
 * OIS_EPERM (401 after a fresh token, 403; a 403 field_forbidden names the
 * field: "interaction: the service user may not change 'company_name' (403)"),
 * OIS_ENOTFOUND (404),
 * OIS_ECONFLICT (412; 409 on a create), OIS_ETEMP (still throttled), OIS_EUNAVAIL (server
 * down, 5xx, or a reply that is not the JSON expected: "broken reply from"),
 * OIS_EDATA (the server refused the request as malformed).
 * JSON objects handed out are new references the caller puts.
 */
struct ois_ia;

/*
 * Open a client for the [interaction] endpoint; url, when not NULL,
 * replaces ep->url (--url). Reads the secret (ois_secret_read); no request
 * is sent yet. Returns 0 and *out, or OIS_ECONFIG/OIS_EUNAVAIL.
 */
int ois_ia_open(const struct ois_endpoint *ep, const char *url, struct ois_ia **out);
void ois_ia_close(struct ois_ia *ia);
/*
 * Keep the OAuth token in STATE_DIR/interaction.token between the processes
 * of a run (token_cache.h), so a run fetches one token, not one per
 * process. Nothing to do for a static bearer token.
 */
void ois_ia_keep_token(struct ois_ia *ia, const char *state_dir);

/* Requests, retries, bytes and seconds of both the API and the token requests. */
void ois_ia_stats(const struct ois_ia *ia, struct ois_http_stats *out);

/* One page of a user's contact list. */
struct ois_ia_page {
	json_object *contacts;   /* array of user views, each an object with a string "id" */
	char *next;              /* page token of the next page, NULL on the last */
	char *cursor;            /* change-feed position when the first page was read */
};
void ois_ia_page_release(struct ois_ia_page *p);

/*
 * GET /users: every InterAction user, as an array of objects each with a
 * string "id" (and "name", "email" when the API knows them). *users owned.
 */
int ois_ia_users(struct ois_ia *ia, json_object **users);

/* GET /users/{uid}/contacts?limit=&page= (page NULL: the first). */
int ois_ia_list_page(struct ois_ia *ia, const char *uid, int limit, const char *page, struct ois_ia_page *out);

struct ois_ia_changes {
	/*
	 * array: {"op":"upsert","contact":{…}} | {"op":"upsert","appointment":{…}}
	 * | {"op":"delete","id":…,"reason":…,"kind":"contact"|"appointment"}
	 * (no kind: a contact). ois_ia_change_is_appointment tells them apart.
	 */
	json_object *changes;
	char *cursor;            /* where the next call starts */
	int more;                /* 1 when more changes wait */
};
void ois_ia_changes_release(struct ois_ia_changes *c);

/*
 * GET /users/{uid}/changes?cursor=&limit=. Returns 0, OIS_ESYNCSTATE
 * (410: the caller reads the whole list instead; logged at info only), or
 * an error. Every change is checked: op upsert with a contact object that
 * has an id, or op delete with an id.
 */
int ois_ia_changes(struct ois_ia *ia, const char *uid, const char *cursor, int limit, struct ois_ia_changes *out);

/* GET /contacts/{id}: the firm contact. */
int ois_ia_contact_get(struct ois_ia *ia, const char *id, json_object **out);
/* GET /users/{uid}/contacts/{id}: the user view; OIS_ENOTFOUND when not on the list (logged at debug). */
int ois_ia_user_contact_get(struct ois_ia *ia, const char *uid, const char *id, json_object **out);
/*
 * GET /contacts?KEY=VALUE&as_user=AS_USER (key "email" or "external_ref"):
 * *out an array of firm contacts. as_user is the user the search is for
 * (NULL only for firm-wide tools): the server then hides contacts private
 * to someone else, which must never be found, let alone put on a list.
 */
int ois_ia_contact_search(struct ois_ia *ia, const char *as_user, const char *key, const char *value,
			  json_object **out);
/*
 * POST /contacts with body (borrowed; firm fields) plus external_refs
 * ["oisync:op:OP_ID"] when op_id is not NULL. Sent once, never retried, as a
 * create is not idempotent: a lost reply is healed by a search on the ref.
 * OIS_ECONFLICT (409, logged at info) when a contact already has that ref.
 */
int ois_ia_contact_create(struct ois_ia *ia, json_object *body, const char *op_id, json_object **out);
/* PATCH /users/{uid}/contacts/{id} with If-Match: "IF_VERSION" (NULL: none). *out the user view. */
int ois_ia_user_contact_patch(struct ois_ia *ia, const char *uid, const char *id, const char *if_version,
			      json_object *body, json_object **out);
/* PUT /users/{uid}/contacts/{id} with per-user fields in body (may be NULL); *out (may be NULL) the user view. */
int ois_ia_list_add(struct ois_ia *ia, const char *uid, const char *id, json_object *body, json_object **out);
/* DELETE /users/{uid}/contacts/{id}, If-Match when if_version is not NULL; OIS_ENOTFOUND logged at debug. */
int ois_ia_list_remove(struct ois_ia *ia, const char *uid, const char *id, const char *if_version);

/*
 * Requests of the calls above sent several at once (ois_ia_send_many), up
 * to the endpoint's write_concurrency in flight: each is the call it names,
 * with the same arguments, checks and logging, answered in rc and out.
 */
enum ois_ia_what {
	OIS_IA_SEARCH,      /* ois_ia_contact_search(uid as as_user, key, value): out the array */
	OIS_IA_CREATE,      /* ois_ia_contact_create(body, op_id): out the firm contact */
	OIS_IA_LIST_ADD,    /* ois_ia_list_add(uid, id, body): out the user view */
	OIS_IA_VIEW_GET,    /* ois_ia_user_contact_get(uid, id): out the user view */
	OIS_IA_VIEW_PATCH,  /* ois_ia_user_contact_patch(uid, id, if_version, body): out the user view */
	OIS_IA_LIST_REMOVE, /* ois_ia_list_remove(uid, id, if_version): out NULL */
};
struct ois_ia_req {
	enum ois_ia_what what;
	const char *uid, *id, *if_version, *key, *value, *op_id; /* borrowed */
	json_object *body;                                        /* borrowed */
	int rc;           /* the call's return value */
	json_object *out; /* its answer, owned (ois_ia_req_release); NULL on failure */
};
/*
 * r[0..n) at once (ois_http_send_many: a server that throttles makes them
 * fewer at once, and one that stays busy or down leaves the rest unsent,
 * with its code in rc).
 */
void ois_ia_send_many(struct ois_ia *ia, struct ois_ia_req *r, size_t n);
void ois_ia_req_release(struct ois_ia_req *r);

/* 1 when a change of the feed is about an appointment, 0 for a contact. */
int ois_ia_change_is_appointment(json_object *change);

/*
 * Appointments (future) and activities (past meetings) of a user, as the
 * API sends them (oisync-interaction-api(7), "Appointments"). Objects handed
 * out have a string "id".
 */
struct ois_ia_appt_page {
	json_object *appointments; /* array of appointment objects */
	char *next;                /* page token of the next page, NULL on the last */
	char *cursor;              /* change-feed position when the page was read */
};
void ois_ia_appt_page_release(struct ois_ia_appt_page *p);
/* GET /users/{uid}/appointments?start=&end=&limit=&page= (page NULL: the first); start/end RFC 3339. */
int ois_ia_appointment_page(struct ois_ia *ia, const char *uid, const char *start, const char *end, int limit,
			    const char *page, struct ois_ia_appt_page *out);

/*
 * The reply parsers the calls above use, apart from the transport (so the
 * fuzz targets in tests/fuzz/ reach them without a server).
 * ois_ia_parse_reply: body must be exactly one JSON object, and no string
 * in it (key or value) may hold U+0000, which C strings would cut short;
 * 0 and *out (a new reference), or OIS_EUNAVAIL after logging "broken reply
 * from WHAT: why". The _parse functions check reply as the calls above do
 * and fill out (released with its _release), or return OIS_EUNAVAIL
 * (logged) with out empty.
 */
int ois_ia_parse_reply(const char *body, size_t len, const char *what, json_object **out);
int ois_ia_list_page_parse(json_object *reply, struct ois_ia_page *out);
int ois_ia_appt_page_parse(json_object *reply, struct ois_ia_appt_page *out);
int ois_ia_changes_parse(json_object *reply, struct ois_ia_changes *out);
/* GET /appointments/{id}; OIS_ENOTFOUND logged at debug. */
int ois_ia_appointment_get(struct ois_ia *ia, const char *id, json_object **out);
/* GET /appointments?external_ref=REF: *out an array of appointments. */
int ois_ia_appointment_search(struct ois_ia *ia, const char *ref, json_object **out);
/*
 * POST /users/{uid}/appointments with body (borrowed) plus external_refs
 * ["oisync:op:OP_ID"] when op_id is not NULL; sent once, never retried, as
 * ois_ia_contact_create. OIS_ECONFLICT (409) when the ref is taken.
 */
int ois_ia_appointment_create(struct ois_ia *ia, const char *uid, json_object *body, const char *op_id,
			      json_object **out);
/* PATCH /appointments/{id} with If-Match (NULL: none): only the keys of body change. */
int ois_ia_appointment_patch(struct ois_ia *ia, const char *id, const char *if_version, json_object *body,
			     json_object **out);
/* DELETE /appointments/{id}, If-Match when if_version is not NULL; OIS_ENOTFOUND logged at debug. */
int ois_ia_appointment_delete(struct ois_ia *ia, const char *id, const char *if_version);
/*
 * POST /appointments/{id}/complete with If-Match: a past appointment
 * becomes an activity. OIS_ECONFLICT on 412 and on 409 not_past.
 */
int ois_ia_appointment_complete(struct ois_ia *ia, const char *id, const char *if_version, json_object **out);
/*
 * POST /appointments/{id}/reopen with If-Match: an activity whose meeting
 * was moved back into the future becomes an appointment again.
 * OIS_ECONFLICT on 412 and on 409 not_future.
 */
int ois_ia_appointment_reopen(struct ois_ia *ia, const char *id, const char *if_version, json_object **out);

/* The external reference oisync puts on what it creates: "oisync:op:" + op id. */
#define OIS_IA_OP_REF_PREFIX "oisync:op:"
/* The op id of the first oisync:op: external ref of a contact, or NULL; borrowed. */
const char *ois_ia_op_tag(json_object *contact);
/* A contact's version as a string ("7"), or NULL when it has none; owned by the caller. */
char *ois_ia_version_str(json_object *contact);

#endif
