/* ews.h - the EWS (Exchange Web Services) client: SOAP calls for one mailbox, replies checked. */
#ifndef OIS_EWS_H
#define OIS_EWS_H

#include "config.h"
#include "http.h"

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stddef.h>

/*
 * One mailbox on one Exchange server, opened through the service account of
 * the [server] section: ExchangeImpersonation (access = impersonation) or
 * the mailbox named in every folder id (access = delegate). Every request
 * carries RequestServerVersion Exchange2016 and X-AnchorMailbox.
 *
 * Failures are logged and returned as enum ois_code:
 *   HTTP 401/403, ErrorImpersonateUserDenied, ErrorAccessDenied -> OIS_EPERM
 *   ErrorNonExistentMailbox                                     -> OIS_ECONFIG
 *   ErrorServerBusy (after the retries, which wait the
 *   reply's whole BackOffMilliseconds), 429/503 after the
 *   retries, a delay asked for over max_backoff                 -> OIS_ETEMP
 *   a reply over OIS_EWS_MAX_REPLY                              -> OIS_EUNAVAIL
 *   ErrorItemNotFound                                           -> OIS_ENOTFOUND
 *   ErrorIrresolvableConflict (stale ChangeKey)                 -> OIS_ECONFLICT
 *   ErrorInvalidSyncStateData                                   -> OIS_ESYNCSTATE
 *   ErrorCalendarViewRangeTooBig, ErrorExceededFindCountLimit   -> OIS_ETOOMANY
 *   no connection; a reply that is not well-formed XML, has a
 *   DOCTYPE, or lacks the expected response elements           -> OIS_EUNAVAIL
 *   another error code in a response message                    -> OIS_EFAIL
 */

/*
 * OIS_ESYNCSTATE comes only from ois_ews_sync_folder_items, and the caller
 * starts over without a SyncState; OIS_ETOOMANY only from a FindItem (a
 * calendar view range too big or holding too many items), and the caller
 * asks for a smaller range.
 */

/* Largest reply accepted (bytes). */
#define OIS_EWS_MAX_REPLY ((size_t)64 << 20)

struct ois_ews;

/*
 * Open a client for mailbox (an SMTP address) on ep; url, when not NULL,
 * replaces ep->url. Reads the secret (ep->secret_file / ep->secret_env) and
 * creates the HTTP client. Returns NULL with *rc set (logged) on failure.
 */
struct ois_ews *ois_ews_open(const struct ois_endpoint *ep, const char *url, const char *mailbox, int *rc);
void ois_ews_free(struct ois_ews *ews);
const struct ois_http_stats *ois_ews_stats(const struct ois_ews *ews);
const char *ois_ews_mailbox(const struct ois_ews *ews);

/*
 * One SyncFolderItems page of the distinguished folder (e.g. "contacts"),
 * from sync_state (NULL: from the beginning), IdOnly, at most max_changes.
 * fn is called per change in order: deleted 0 for Create/Update, 1 for
 * Delete; item_type is the element's local name ("Contact",
 * "DistributionList", ...; NULL for a delete). fn's non-zero return stops and
 * is returned. On success *new_state (owned by the caller) and *last
 * (IncludesLastItemInRange) are set.
 */
typedef int (*ois_ews_change_fn)(const char *id, const char *change_key, const char *item_type,
				 int deleted, void *ctx);
int ois_ews_sync_folder_items(struct ois_ews *ews, const char *folder, const char *sync_state,
			      int max_changes, ois_ews_change_fn fn, void *ctx,
			      char **new_state, int *last);

/*
 * GetItem for n ids (AllProperties, Text body, plus the extended properties
 * of ois_ews_contact_extended_uris). fn is called per item found, in order,
 * with the native JSON of ois_ews_item_json (borrowed: take a reference to
 * keep it) and the item's id, ChangeKey and LastModifiedTime (may be NULL).
 * An id whose message is ErrorItemNotFound (deleted meanwhile) is skipped.
 */
typedef int (*ois_ews_item_fn)(json_object *native, const char *id, const char *change_key,
			       const char *modified, void *ctx);
int ois_ews_get_items(struct ois_ews *ews, const char *const *ids, size_t n, ois_ews_item_fn fn, void *ctx);

/* One GetFolder (IdOnly) of a distinguished folder, for oisync check: 0 or the code a sync would meet. */
int ois_ews_probe_folder(struct ois_ews *ews, const char *folder);

/*
 * ResolveNames of email in the Exchange directory: 0 with the primary SMTP
 * address of each mailbox found in (*addresses)[0..*n) (owned; none is 0
 * with *n 0), or the failure's code.
 */
int ois_ews_resolve_names(struct ois_ews *ews, const char *email, char ***addresses, size_t *n);

/* The current ChangeKey of one item (GetItem IdOnly); OIS_ENOTFOUND when gone. */
int ois_ews_get_change_key(struct ois_ews *ews, const char *id, char **change_key);

/*
 * The writes below take attrs: more attributes of the operation's element,
 * written as given (" SendMeetingInvitations=\"SendToNone\"": Exchange
 * requires the meeting ones on calendar items), or NULL for none.
 */

/*
 * CreateItem of item_xml (one t:Contact, t:CalendarItem ... element) in the
 * distinguished folder. Sent once, never retried on a transport failure
 * (the caller finds a lost create by its op id). *id and *change_key owned
 * by the caller.
 */
int ois_ews_create_item(struct ois_ews *ews, const char *folder, const char *attrs, const char *item_xml,
			char **id, char **change_key);
/*
 * UpdateItem with ConflictResolution NeverOverwrite: updates_xml is the
 * contents of t:Updates; change_key is the version the caller expects
 * (ErrorIrresolvableConflict -> OIS_ECONFLICT). *new_change_key owned by the caller.
 */
int ois_ews_update_item(struct ois_ews *ews, const char *id, const char *change_key, const char *attrs,
			const char *updates_xml, char **new_change_key);
/* DeleteItem MoveToDeletedItems. */
int ois_ews_delete_item(struct ois_ews *ews, const char *id, const char *change_key, const char *attrs);
/*
 * FindItem (Shallow, IdOnly) in the distinguished folder for an item whose
 * extended property uri_xml (a t:ExtendedFieldURI element) equals value.
 * 0 and the first match's id/ChangeKey (owned by the caller), or OIS_ENOTFOUND.
 */
int ois_ews_find_by_extended(struct ois_ews *ews, const char *folder, const char *uri_xml,
			     const char *value, char **id, char **change_key);

/* One answer of a request that carried several items. */
struct ois_ews_answer {
	int rc;            /* 0, or the item's own error (logged), OIS_ENOTFOUND for a find without a match */
	char *id;          /* owned by the caller */
	char *change_key;
};

/*
 * ois_ews_create_item for n items at once (item_xml[i] each), in one
 * CreateItem: each item's answer in out[i], from its own response message.
 * Sent once, never retried. Returns 0 when every item has its answer, else
 * the error of the request (no item has one).
 */
int ois_ews_create_items(struct ois_ews *ews, const char *folder, const char *attrs, const char *const *item_xml,
			 size_t n, struct ois_ews_answer *out);
/*
 * ois_ews_get_change_key for n ids at once, in one GetItem (IdOnly): out[i]
 * from the i-th response message (OIS_ENOTFOUND for an item gone).
 * Returns 0 when every id has its answer, else the error of the request.
 */
int ois_ews_get_change_keys(struct ois_ews *ews, const char *const *ids, size_t n, struct ois_ews_answer *out);
/*
 * ois_ews_update_item for n items at once, in one UpdateItem of n
 * t:ItemChange (ids[i], change_keys[i] (may be NULL), updates_xml[i]):
 * out[i].change_key is the item's new ChangeKey, or out[i].rc its own error
 * (a stale ChangeKey: OIS_ECONFLICT for that item alone). Returns 0 when
 * every item has its answer, else the error of the request.
 */
int ois_ews_update_items(struct ois_ews *ews, const char *attrs, const char *const *ids, const char *const *change_keys,
			 const char *const *updates_xml, size_t n, struct ois_ews_answer *out);
/* ois_ews_delete_item for n items at once, in one DeleteItem: out[i].rc each item's answer. */
int ois_ews_delete_items(struct ois_ews *ews, const char *attrs, const char *const *ids, const char *const *change_keys,
			 size_t n, struct ois_ews_answer *out);
/*
 * A Warning message in any of these says its item was not processed
 * (Exchange stopped the batch there): OIS_ETEMP for that item.
 */
/*
 * ois_ews_find_by_extended for n values at once, in one FindItem (an Or of
 * the values): out[i] is the first item whose property is values[i], or
 * OIS_ENOTFOUND. Returns 0, or the error of the request.
 */
int ois_ews_find_by_extended_many(struct ois_ews *ews, const char *folder, const char *uri_xml,
				  const char *const *values, size_t n, struct ois_ews_answer *out);

/* ---- XML (lib/ews/ews_xml.c) ---- */

/*
 * Parse a reply safely: at most OIS_EWS_MAX_REPLY bytes, no network, no
 * entity substitution, no DTD loading, and any DOCTYPE refused. Returns 0
 * and *doc (free with xmlFreeDoc), or OIS_EUNAVAIL after logging
 * "broken reply from WHERE: problem".
 */
int ois_ews_parse(const char *body, size_t len, const char *where, xmlDoc **doc);

/*
 * An item element (t:Contact ...) as native JSON: child elements become keys
 * by local name; text-only elements strings; Entry lists (EmailAddresses,
 * PhoneNumbers, PhysicalAddresses, ImAddresses) objects keyed by the Key
 * attribute; Categories and other String lists arrays; t:ExtendedProperty
 * elements one "ExtendedProperties" object keyed "SET:NAME", "GUID:0xID" or
 * "0xTAG"; ItemId and ParentFolderId left out. Returns a new object.
 */
json_object *ois_ews_item_json(xmlNode *item);

/* Element helpers: the first child element with local name (any namespace), its text (owned). */
xmlNode *ois_xml_child(xmlNode *parent, const char *name);
char *ois_xml_text(xmlNode *node);
char *ois_xml_attr(xmlNode *node, const char *name);

#endif
