/* ews.c - EWS SOAP calls for one mailbox: envelopes, sending, response classes and codes. */
#include "ews.h"
#include "code.h"
#include "ews_contact.h"
#include "ews_p.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>


struct ois_ews {
	char *url;
	char *mailbox;
	char *anchor;            /* "X-AnchorMailbox: SMTP" */
	enum ois_access access;
	char *user;
	char *secret;
	char *section;           /* "server ex1", for messages */
	struct ois_http *http;
};

/* A reply taken apart: the document and its response messages. */
struct reply {
	xmlDoc *doc;
	xmlNode *messages;       /* m:ResponseMessages */
};

static void reply_release(struct reply *r)
{
	if (r->doc)
		xmlFreeDoc(r->doc);
	r->doc = NULL;
	r->messages = NULL;
}

/* An address we put in XML and in an HTTP header: no controls, no spaces, one '@'. */
static int mailbox_ok(const char *m)
{
	const char *at = strchr(m, '@');
	if (!at || at == m || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)m; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"')
			return 0;
	return 1;
}

struct ois_ews *ois_ews_open(const struct ois_endpoint *ep, const char *url, const char *mailbox, int *rc)
{
	if (!url)
		url = ep->url;
	if (ois_str_empty(url)) {
		*rc = ois_fail(OIS_ECONFIG, "no url in the [server %s] section", ep->name);
		return NULL;
	}
	if (!mailbox || !mailbox_ok(mailbox)) {
		*rc = ois_fail(OIS_EUSAGE, "mailbox '%s' is not an SMTP address", mailbox ? mailbox : "");
		return NULL;
	}
	char *secret = NULL;
	if (ep->auth != OIS_AUTH_NEGOTIATE && ep->auth != OIS_AUTH_NONE) {
		*rc = ois_secret_read(ep->secret_file, ep->secret_env, &secret);
		if (*rc)
			return NULL;
	}
	struct ois_ews *ews = ois_xcalloc(1, sizeof(*ews));
	ews->url = ois_xstrdup(url);
	ews->mailbox = ois_xstrdup(mailbox);
	ews->anchor = ois_xasprintf("X-AnchorMailbox: %s", mailbox);
	ews->access = ep->access;
	ews->user = ep->username ? ois_xstrdup(ep->username) : NULL;
	ews->secret = secret;
	ews->section = ois_xasprintf("server %s", ep->name);
	struct ois_http_opts opts = {
		.auth = ep->auth,
		.user = ews->user,
		.secret = ews->secret,
		.ca_file = ep->ca_file,
		.connect_timeout_ms = ep->connect_timeout_s > 0 ? ep->connect_timeout_s * 1000 : 0,
		.timeout_ms = ep->timeout_s > 0 ? ep->timeout_s * 1000 : 0,
		.max_response = OIS_EWS_MAX_REPLY,
		.max_retries = ep->retries,
		.max_backoff_ms = ep->max_backoff_s * 1000,
		.section = ews->section,
	};
	ews->http = ois_http_new(&opts);
	if (!ews->http) {
		ois_ews_free(ews);
		*rc = OIS_EUNAVAIL;
		return NULL;
	}
	*rc = 0;
	return ews;
}

void ois_ews_free(struct ois_ews *ews)
{
	if (!ews)
		return;
	ois_http_free(ews->http);
	free(ews->url);
	free(ews->mailbox);
	free(ews->anchor);
	free(ews->user);
	free(ews->section);
	ois_secret_free(ews->secret);
	free(ews);
}

const struct ois_http_stats *ois_ews_stats(const struct ois_ews *ews)
{
	return ois_http_stats(ews->http);
}

const char *ois_ews_mailbox(const struct ois_ews *ews)
{
	return ews->mailbox;
}

/* ---- requests ---- */

/* A distinguished folder of the mailbox: delegate access names the mailbox in the id. */
static void add_folder(struct ois_ews *ews, struct ois_buf *b, const char *folder)
{
	ois_buf_adds(b, "<t:DistinguishedFolderId Id=\"");
	ois_buf_add_xml(b, folder);
	if (ews->access == OIS_ACCESS_DELEGATE) {
		ois_buf_adds(b, "\"><t:Mailbox><t:EmailAddress>");
		ois_buf_add_xml(b, ews->mailbox);
		ois_buf_adds(b, "</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>");
	} else {
		ois_buf_adds(b, "\"/>");
	}
}

static void add_item_id(struct ois_buf *b, const char *id, const char *change_key)
{
	ois_buf_adds(b, "<t:ItemId Id=\"");
	ois_buf_add_xml(b, id);
	if (change_key) {
		ois_buf_adds(b, "\" ChangeKey=\"");
		ois_buf_add_xml(b, change_key);
	}
	ois_buf_adds(b, "\"/>");
}

static void envelope(struct ois_ews *ews, struct ois_buf *b, const char *body)
{
	ois_buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		     "<soap:Envelope xmlns:soap=\"" NS_SOAP "\" xmlns:m=\"" NS_M "\" xmlns:t=\"" NS_T "\">"
		     "<soap:Header><t:RequestServerVersion Version=\"Exchange2016\"/>");
	if (ews->access == OIS_ACCESS_IMPERSONATION) {
		ois_buf_adds(b, "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>");
		ois_buf_add_xml(b, ews->mailbox);
		ois_buf_adds(b, "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>");
	}
	ois_buf_adds(b, "</soap:Header><soap:Body>");
	ois_buf_adds(b, body);
	ois_buf_adds(b, "</soap:Body></soap:Envelope>");
}

/* The ResponseCode of a reply, from a message or a SOAP fault's detail; NULL when none. */
static char *find_code(xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, "ResponseCode"))
			return ois_xml_text(n);
		char *c = find_code(n->children);
		if (c)
			return c;
	}
	return NULL;
}

/* BackOffMilliseconds from MessageXml (t:Value Name="BackOffMilliseconds"); -1 when absent. */
static long find_backoff(xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, "Value")) {
			char *name = ois_xml_attr(n, "Name");
			int hit = name && !strcmp(name, "BackOffMilliseconds");
			free(name);
			if (hit) {
				char *t = ois_xml_text(n), *end;
				long ms = strtol(t, &end, 10);
				int ok = *t && !*end && ms >= 0;
				free(t);
				if (ok)
					return ms;
			}
		}
		long ms = find_backoff(n->children);
		if (ms >= 0)
			return ms;
	}
	return -1;
}

/*
 * The http retry hook: ErrorServerBusy (a SOAP fault, or a message's code)
 * asks us to come back after BackOffMilliseconds. Only a reply naming that
 * code is parsed, so ordinary replies cost one memmem.
 */
int ois_ews_server_busy(const struct ois_http_response *resp, long *delay_ms, void *ctx)
{
	(void)ctx;
	if (!resp->body.data || !memmem(resp->body.data, resp->body.len, "ErrorServerBusy", 15))
		return 0;
	xmlDoc *doc;
	if (resp->body.len > OIS_EWS_MAX_REPLY ||
	    memmem(resp->body.data, resp->body.len, "<!DOCTYPE", 9) ||
	    memmem(resp->body.data, resp->body.len, "<!ENTITY", 8))
		return 0;
	doc = xmlReadMemory(resp->body.data, (int)resp->body.len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return 0;
	char *code = find_code(xmlDocGetRootElement(doc));
	int busy = code && !strcmp(code, "ErrorServerBusy");
	if (!busy && !code) {
		/* A fault without detail names the code in faultcode ("a:ErrorServerBusy"). */
		xmlNode *root = xmlDocGetRootElement(doc);
		xmlNode *fault = ois_xml_child(ois_xml_child(root, "Body"), "Fault");
		char *fc = ois_xml_text(ois_xml_child(fault, "faultcode"));
		const char *colon = strrchr(fc, ':');
		busy = !strcmp(colon ? colon + 1 : fc, "ErrorServerBusy");
		free(fc);
	}
	*delay_ms = busy ? find_backoff(xmlDocGetRootElement(doc)) : -1;
	free(code);
	xmlFreeDoc(doc);
	return busy;
}

/* What an EWS error code means to us (ews.h lists the mapping). */
static int code_rc(const char *code, int in_message)
{
	static const struct { const char *code; int rc; } map[] = {
		{ "ErrorImpersonateUserDenied", OIS_EPERM },
		{ "ErrorImpersonationDenied", OIS_EPERM },
		{ "ErrorAccessDenied", OIS_EPERM },
		{ "ErrorNonExistentMailbox", OIS_ECONFIG },
		{ "ErrorServerBusy", OIS_ETEMP },
		{ "ErrorTimeoutExpired", OIS_ETEMP },
		{ "ErrorMailboxMoveInProgress", OIS_ETEMP },
		{ "ErrorMailboxStoreUnavailable", OIS_ETEMP },
		{ "ErrorInternalServerTransientError", OIS_ETEMP },
		{ "ErrorItemNotFound", OIS_ENOTFOUND },
		{ "ErrorIrresolvableConflict", OIS_ECONFLICT },
		{ "ErrorInvalidSyncStateData", OIS_ESYNCSTATE },
		{ "ErrorCalendarViewRangeTooBig", OIS_ETOOMANY },
		{ "ErrorExceededFindCountLimit", OIS_ETOOMANY },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(map); i++)
		if (!strcmp(map[i].code, code))
			return map[i].rc;
	return in_message ? OIS_EFAIL : OIS_EUNAVAIL;
}

/* Log an error code in words an administrator can act on. */
static int code_fail(struct ois_ews *ews, const char *op, const char *code, const char *text, int in_message)
{
	int rc = code_rc(code, in_message);
	switch (rc) {
	case OIS_EPERM:
		return ois_fail(rc, "access to mailbox '%s' denied (%s): %s", ews->mailbox, code, text);
	case OIS_ECONFIG:
		return ois_fail(rc, "mailbox '%s' does not exist (%s)", ews->mailbox, code);
	case OIS_ETEMP:
		return ois_fail(rc, "%s: server busy (%s): %s", op, code, text);
	case OIS_ENOTFOUND:
	case OIS_ECONFLICT:
	case OIS_ESYNCSTATE:
	case OIS_ETOOMANY:
		/* The caller decides: skipped, a conflict, a full sync, a smaller range. */
		ois_debug("%s: %s: %s", op, code, text);
		return rc;
	default:
		return ois_fail(rc, "%s failed (%s): %s", op, code, text);
	}
}

/*
 * Send body (the contents of soap:Body) and take the reply apart: HTTP
 * status, well-formed XML, no SOAP fault, an m:OPResponse with
 * m:ResponseMessages. write: a non-idempotent request, sent once.
 */
static int call(struct ois_ews *ews, const char *op, const char *body, int write, struct reply *r)
{
	struct ois_buf req = OIS_BUF_INIT;
	struct ois_http_response resp;
	char *soap_action = ois_xasprintf("SOAPAction: \"" NS_M "/%s\"", op);
	const char *headers[] = {
		"Content-Type: text/xml; charset=utf-8",
		"Accept: text/xml",
		soap_action,
		ews->anchor,
		NULL,
	};
	memset(r, 0, sizeof(*r));
	envelope(ews, &req, body);
	struct ois_http_request hr = {
		.method = "POST",
		.url = ews->url,
		.headers = headers,
		.body = req.data,
		.body_len = req.len,
		.should_retry = ois_ews_server_busy,
		.no_retry = write,
	};
	int rc = ois_http_send(ews->http, &hr, &resp);
	ois_buf_release(&req);
	free(soap_action);
	if (rc)
		goto out;

	if (resp.status == 401) {
		rc = ois_fail(OIS_EPERM, "authentication failed at %s (HTTP 401): check the username and secret of the server section",
			      ews->url);
		goto out;
	}
	if (resp.status == 403) {
		rc = ois_fail(OIS_EPERM, "access denied at %s (HTTP 403)", ews->url);
		goto out;
	}
	if (resp.status != 200 && resp.status != 500) {
		rc = ois_fail(OIS_EUNAVAIL, "%s: HTTP %ld from %s", op, resp.status, ews->url);
		goto out;
	}
	/* EWS sends SOAP faults with status 500; anything else at 500 is a broken server. */
	rc = ois_ews_parse(resp.body.data, resp.body.len, ews->url, &r->doc);
	if (rc)
		goto out;
	xmlNode *root = xmlDocGetRootElement(r->doc);
	xmlNode *sbody = ois_xml_child(root, "Body");
	if (!root || strcmp((const char *)root->name, "Envelope") || !sbody) {
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: not a SOAP envelope", ews->url);
		goto out;
	}
	xmlNode *fault = ois_xml_child(sbody, "Fault");
	if (fault) {
		char *code = find_code(fault->children);
		char *text = ois_xml_text(ois_xml_child(fault, "faultstring"));
		if (!code) {
			char *fc = ois_xml_text(ois_xml_child(fault, "faultcode"));
			const char *colon = strrchr(fc, ':');
			code = ois_xstrdup(colon ? colon + 1 : fc);
			free(fc);
		}
		rc = code_fail(ews, op, code, text, 0);
		free(code);
		free(text);
		goto out;
	}
	if (resp.status != 200) {
		rc = ois_fail(OIS_EUNAVAIL, "%s: HTTP %ld from %s", op, resp.status, ews->url);
		goto out;
	}
	char want[64];
	snprintf(want, sizeof(want), "%sResponse", op);
	r->messages = ois_xml_child(ois_xml_child(sbody, want), "ResponseMessages");
	if (!r->messages)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: no %s/ResponseMessages", ews->url, want);
out:
	ois_http_response_release(&resp);
	if (rc)
		reply_release(r);
	return rc;
}

/* A response message's class and code: 0 for Success (and Warning), else the mapped code. */
static int message_rc(struct ois_ews *ews, const char *op, xmlNode *msg)
{
	char *cls = ois_xml_attr(msg, "ResponseClass");
	int rc = 0;
	if (!cls) {
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: %s without ResponseClass", ews->url,
			      (const char *)msg->name);
	} else if (strcmp(cls, "Success") && strcmp(cls, "Warning")) {
		char *code = ois_xml_text(ois_xml_child(msg, "ResponseCode"));
		char *text = ois_xml_text(ois_xml_child(msg, "MessageText"));
		rc = code_fail(ews, op, code[0] ? code : "no ResponseCode", text, 1);
		free(code);
		free(text);
	}
	free(cls);
	return rc;
}

/* The first response message (element) of a reply that must hold exactly one. */
static int single_message(struct ois_ews *ews, const char *op, struct reply *r, xmlNode **msg)
{
	*msg = ois_xml_child(r->messages, NULL);
	if (!*msg)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: %s without a response message", ews->url, op);
	return message_rc(ews, op, *msg);
}

/* ItemId of the first item under Items: id and ChangeKey (owned). */
static int first_item_id(struct ois_ews *ews, xmlNode *msg, char **id, char **change_key)
{
	xmlNode *item = ois_xml_child(ois_xml_child(msg, "Items"), NULL);
	xmlNode *iid = ois_xml_child(item, "ItemId");
	char *i = ois_xml_attr(iid, "Id");
	if (!i)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: no Items/ItemId", ews->url);
	*id = i;
	if (change_key)
		*change_key = ois_xml_attr(iid, "ChangeKey");
	return 0;
}

/* ---- operations ---- */

int ois_ews_sync_folder_items(struct ois_ews *ews, const char *folder, const char *sync_state,
			      int max_changes, ois_ews_change_fn fn, void *ctx,
			      char **new_state, int *last)
{
	struct ois_buf b = OIS_BUF_INIT;
	struct reply r;
	xmlNode *msg;
	*new_state = NULL;
	*last = 0;
	ois_buf_adds(&b, "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>"
		     "<m:SyncFolderId>");
	add_folder(ews, &b, folder);
	ois_buf_adds(&b, "</m:SyncFolderId>");
	if (sync_state) {
		ois_buf_adds(&b, "<m:SyncState>");
		ois_buf_add_xml(&b, sync_state);
		ois_buf_adds(&b, "</m:SyncState>");
	}
	ois_buf_addf(&b, "<m:MaxChangesReturned>%d</m:MaxChangesReturned></m:SyncFolderItems>", max_changes);
	int rc = call(ews, "SyncFolderItems", b.data, 0, &r);
	ois_buf_release(&b);
	if (rc)
		return rc;
	if ((rc = single_message(ews, "SyncFolderItems", &r, &msg)))
		goto out;

	xmlNode *st = ois_xml_child(msg, "SyncState");
	xmlNode *inc = ois_xml_child(msg, "IncludesLastItemInRange");
	xmlNode *changes = ois_xml_child(msg, "Changes");
	if (!st || !inc) {
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: SyncFolderItems without SyncState or IncludesLastItemInRange",
			      ews->url);
		goto out;
	}
	for (xmlNode *c = changes ? changes->children : NULL; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *kind = (const char *)c->name;
		int deleted = !strcmp(kind, "Delete");
		if (!deleted && strcmp(kind, "Create") && strcmp(kind, "Update"))
			continue; /* ReadFlagChange: nothing for contacts */
		xmlNode *item = deleted ? c : ois_xml_child(c, NULL);
		xmlNode *iid = ois_xml_child(item, "ItemId");
		char *id = ois_xml_attr(iid, "Id");
		char *ck = ois_xml_attr(iid, "ChangeKey");
		if (!id)
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: a %s change without ItemId", ews->url, kind);
		else
			rc = fn(id, ck, deleted ? NULL : (const char *)item->name, deleted, ctx);
		free(id);
		free(ck);
	}
	if (rc)
		goto out;
	char *inc_text = ois_xml_text(inc);
	*last = !strcmp(inc_text, "true") || !strcmp(inc_text, "1");
	free(inc_text);
	*new_state = ois_xml_text(st);
out:
	reply_release(&r);
	return rc;
}

static void item_shape(struct ois_buf *b, int id_only)
{
	if (id_only) {
		ois_buf_adds(b, "<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>");
		return;
	}
	ois_buf_adds(b, "<m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:BodyType>Text</t:BodyType>"
		     "<t:AdditionalProperties>");
	ois_buf_adds(b, ois_ews_contact_extended_uris());
	ois_buf_adds(b, "</t:AdditionalProperties></m:ItemShape>");
}

int ois_ews_get_items(struct ois_ews *ews, const char *const *ids, size_t n, ois_ews_item_fn fn, void *ctx)
{
	struct ois_buf b = OIS_BUF_INIT;
	struct reply r;
	if (!n)
		return 0;
	ois_buf_adds(&b, "<m:GetItem>");
	item_shape(&b, 0);
	ois_buf_adds(&b, "<m:ItemIds>");
	for (size_t i = 0; i < n; i++)
		add_item_id(&b, ids[i], NULL);
	ois_buf_adds(&b, "</m:ItemIds></m:GetItem>");
	int rc = call(ews, "GetItem", b.data, 0, &r);
	ois_buf_release(&b);
	if (rc)
		return rc;

	/* One GetItemResponseMessage per id, in the order asked. */
	size_t seen = 0;
	for (xmlNode *msg = r.messages->children; msg && !rc; msg = msg->next) {
		if (msg->type != XML_ELEMENT_NODE)
			continue;
		seen++;
		rc = message_rc(ews, "GetItem", msg);
		if (rc == OIS_ENOTFOUND) {
			ois_info("item '%s' is gone (deleted since the sync): skipped",
				 seen <= n ? ids[seen - 1] : "?");
			rc = 0;
			continue;
		}
		if (rc)
			break;
		xmlNode *item = ois_xml_child(ois_xml_child(msg, "Items"), NULL);
		xmlNode *iid = ois_xml_child(item, "ItemId");
		char *id = ois_xml_attr(iid, "Id");
		if (!id) {
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: GetItem message without Items/ItemId", ews->url);
			break;
		}
		char *ck = ois_xml_attr(iid, "ChangeKey");
		xmlNode *lm = ois_xml_child(item, "LastModifiedTime");
		char *modified = lm ? ois_xml_text(lm) : NULL;
		json_object *native = ois_ews_item_json(item);
		rc = fn(native, id, ck, modified, ctx);
		json_object_put(native);
		free(id);
		free(ck);
		free(modified);
	}
	if (!rc && seen != n)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: %zu GetItem messages for %zu ids", ews->url, seen, n);
	reply_release(&r);
	return rc;
}

int ois_ews_get_change_key(struct ois_ews *ews, const char *id, char **change_key)
{
	struct ois_ews_answer a;
	int rc = ois_ews_get_change_keys(ews, &id, 1, &a);
	free(a.id);
	*change_key = rc ? NULL : a.change_key;
	return rc ? rc : a.rc;
}

int ois_ews_create_item(struct ois_ews *ews, const char *folder, const char *attrs, const char *item_xml,
			char **id, char **change_key)
{
	struct ois_ews_answer a;
	int rc = ois_ews_create_items(ews, folder, attrs, &item_xml, 1, &a);
	*id = rc ? NULL : a.id;
	*change_key = rc ? NULL : a.change_key;
	return rc ? rc : a.rc;
}

int ois_ews_update_item(struct ois_ews *ews, const char *id, const char *change_key, const char *attrs,
			const char *updates_xml, char **new_change_key)
{
	struct ois_ews_answer a;
	int rc = ois_ews_update_items(ews, attrs, &id, &change_key, &updates_xml, 1, &a);
	free(a.id);
	*new_change_key = rc ? NULL : a.change_key;
	return rc ? rc : a.rc;
}

int ois_ews_delete_item(struct ois_ews *ews, const char *id, const char *change_key, const char *attrs)
{
	struct ois_ews_answer a;
	int rc = ois_ews_delete_items(ews, attrs, &id, &change_key, 1, &a);
	return rc ? rc : a.rc;
}

int ois_ews_find_by_extended(struct ois_ews *ews, const char *folder, const char *uri_xml,
			     const char *value, char **id, char **change_key)
{
	struct ois_ews_answer a;
	int rc = ois_ews_find_by_extended_many(ews, folder, uri_xml, &value, 1, &a);
	*id = rc ? NULL : a.id;
	*change_key = rc ? NULL : a.change_key;
	return rc ? rc : a.rc;
}


/* ---- for the other lib/ews/ files (ews_p.h) ---- */

/*
 * One item's response message in a request that carried several: a
 * Warning says the item was not processed (the store went away in the
 * middle of the batch: Exchange stops there and reports the rest so), so it
 * is no success but the server's trouble (OIS_ETEMP), the run stops and
 * the next one does it. Else as message_rc.
 */
static int item_rc(struct ois_ews *ews, const char *op, xmlNode *msg)
{
	char *cls = ois_xml_attr(msg, "ResponseClass");
	int rc;
	if (cls && !strcmp(cls, "Warning")) {
		char *code = ois_xml_text(ois_xml_child(msg, "ResponseCode"));
		char *text = ois_xml_text(ois_xml_child(msg, "MessageText"));
		rc = ois_fail(OIS_ETEMP, "%s: an item was not processed (%s): %s", op, code[0] ? code : "Warning", text);
		free(code);
		free(text);
	} else {
		rc = message_rc(ews, op, msg);
	}
	free(cls);
	return rc;
}

/*
 * The answers of a request that carried n items: one response message per
 * item, in the order sent (Exchange's rule for CreateItem, GetItem,
 * UpdateItem and DeleteItem), each its item's own: one refused item does not
 * fail the others. with_item: each message of a success holds the item's
 * Items/ItemId, taken into out[i]. Another number of messages leaves no item
 * answered: which one did what cannot be told.
 */
static int answers(struct ois_ews *ews, const char *op, struct reply *r, size_t n, int with_item,
		   struct ois_ews_answer *out)
{
	size_t seen = 0;
	for (xmlNode *msg = r->messages->children; msg; msg = msg->next) {
		if (msg->type != XML_ELEMENT_NODE)
			continue;
		if (seen == n) {
			seen++;
			break;
		}
		struct ois_ews_answer *a = &out[seen++];
		if (!(a->rc = item_rc(ews, op, msg)) && with_item)
			a->rc = first_item_id(ews, msg, &a->id, &a->change_key);
	}
	if (seen == n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		free(out[i].id);
		free(out[i].change_key);
	}
	memset(out, 0, n * sizeof(*out));
	return ois_fail(OIS_EUNAVAIL, "broken reply from %s: %zu %s messages for %zu items", ews->url, seen, op, n);
}

/* Send body as op (write: never retried) and take its n answers. */
static int call_many(struct ois_ews *ews, const char *op, struct ois_buf *body, int write, size_t n, int with_item,
		     struct ois_ews_answer *out)
{
	struct reply r;
	memset(out, 0, n * sizeof(*out));
	int rc = call(ews, op, body->data, write, &r);
	ois_buf_release(body);
	if (rc)
		return rc;
	rc = answers(ews, op, &r, n, with_item, out);
	reply_release(&r);
	return rc;
}

int ois_ews_create_items(struct ois_ews *ews, const char *folder, const char *attrs, const char *const *item_xml,
			 size_t n, struct ois_ews_answer *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_addf(&b, "<m:CreateItem%s><m:SavedItemFolderId>", attrs ? attrs : "");
	add_folder(ews, &b, folder);
	ois_buf_adds(&b, "</m:SavedItemFolderId><m:Items>");
	for (size_t i = 0; i < n; i++)
		ois_buf_adds(&b, item_xml[i]);
	ois_buf_adds(&b, "</m:Items></m:CreateItem>");
	return call_many(ews, "CreateItem", &b, 1, n, 1, out);
}

int ois_ews_get_change_keys(struct ois_ews *ews, const char *const *ids, size_t n, struct ois_ews_answer *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "<m:GetItem>");
	item_shape(&b, 1);
	ois_buf_adds(&b, "<m:ItemIds>");
	for (size_t i = 0; i < n; i++)
		add_item_id(&b, ids[i], NULL);
	ois_buf_adds(&b, "</m:ItemIds></m:GetItem>");
	return call_many(ews, "GetItem", &b, 0, n, 1, out);
}

int ois_ews_update_items(struct ois_ews *ews, const char *attrs, const char *const *ids, const char *const *change_keys,
			 const char *const *updates_xml, size_t n, struct ois_ews_answer *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	/* NeverOverwrite: a stale ChangeKey is ErrorIrresolvableConflict, never a silent overwrite. */
	ois_buf_addf(&b, "<m:UpdateItem ConflictResolution=\"NeverOverwrite\"%s><m:ItemChanges>", attrs ? attrs : "");
	for (size_t i = 0; i < n; i++) {
		ois_buf_adds(&b, "<t:ItemChange>");
		add_item_id(&b, ids[i], change_keys[i]);
		ois_buf_adds(&b, "<t:Updates>");
		ois_buf_adds(&b, updates_xml[i]);
		ois_buf_adds(&b, "</t:Updates></t:ItemChange>");
	}
	ois_buf_adds(&b, "</m:ItemChanges></m:UpdateItem>");
	return call_many(ews, "UpdateItem", &b, 0, n, 1, out);
}

int ois_ews_delete_items(struct ois_ews *ews, const char *attrs, const char *const *ids, const char *const *change_keys,
			 size_t n, struct ois_ews_answer *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_addf(&b, "<m:DeleteItem DeleteType=\"MoveToDeletedItems\"%s><m:ItemIds>", attrs ? attrs : "");
	for (size_t i = 0; i < n; i++)
		add_item_id(&b, ids[i], change_keys[i]);
	ois_buf_adds(&b, "</m:ItemIds></m:DeleteItem>");
	return call_many(ews, "DeleteItem", &b, 0, n, 0, out);
}

/* The value of the extended property an item carries (the one a FindItem asked for), or NULL. Owned. */
static char *extended_value(xmlNode *item)
{
	for (xmlNode *n = item ? item->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "ExtendedProperty"))
			return ois_xml_text(ois_xml_child(n, "Value"));
	return NULL;
}

int ois_ews_find_by_extended_many(struct ois_ews *ews, const char *folder, const char *uri_xml,
				  const char *const *values, size_t n, struct ois_ews_answer *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	struct reply r;
	xmlNode *msg;
	for (size_t i = 0; i < n; i++)
		out[i] = (struct ois_ews_answer){ .rc = OIS_ENOTFOUND };
	if (!n)
		return 0;
	/* IdOnly, plus the property itself: it says which value each item matched. */
	ois_buf_adds(&b, "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
		     "<t:AdditionalProperties>");
	ois_buf_adds(&b, uri_xml);
	ois_buf_adds(&b, "</t:AdditionalProperties></m:ItemShape><m:Restriction>");
	if (n > 1)
		ois_buf_adds(&b, "<t:Or>");
	for (size_t i = 0; i < n; i++) {
		ois_buf_adds(&b, "<t:IsEqualTo>");
		ois_buf_adds(&b, uri_xml);
		ois_buf_adds(&b, "<t:FieldURIOrConstant><t:Constant Value=\"");
		ois_buf_add_xml(&b, values[i]);
		ois_buf_adds(&b, "\"/></t:FieldURIOrConstant></t:IsEqualTo>");
	}
	if (n > 1)
		ois_buf_adds(&b, "</t:Or>");
	ois_buf_adds(&b, "</m:Restriction><m:ParentFolderIds>");
	add_folder(ews, &b, folder);
	ois_buf_adds(&b, "</m:ParentFolderIds></m:FindItem>");
	int rc = call(ews, "FindItem", b.data, 0, &r);
	ois_buf_release(&b);
	if (rc)
		return rc;
	if ((rc = single_message(ews, "FindItem", &r, &msg)))
		goto out;
	xmlNode *root = ois_xml_child(msg, "RootFolder");
	if (!root) {
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: FindItem without RootFolder", ews->url);
		goto out;
	}
	for (xmlNode *item = ois_xml_child(root, "Items") ? ois_xml_child(root, "Items")->children : NULL; item;
	     item = item->next) {
		if (item->type != XML_ELEMENT_NODE)
			continue;
		char *v = extended_value(item);
		for (size_t i = 0; v && i < n; i++) {
			if (out[i].rc != OIS_ENOTFOUND || strcmp(values[i], v))
				continue;
			xmlNode *iid = ois_xml_child(item, "ItemId");
			out[i].id = ois_xml_attr(iid, "Id");
			out[i].change_key = ois_xml_attr(iid, "ChangeKey");
			out[i].rc = out[i].id ? 0 : ois_fail(OIS_EUNAVAIL, "broken reply from %s: FindItem item without ItemId",
							     ews->url);
		}
		free(v);
	}
out:
	reply_release(&r);
	return rc;
}

int ois_ews_call(struct ois_ews *ews, const char *op, const char *body, xmlDoc **doc, xmlNode **messages)
{
	struct reply r;
	int rc = call(ews, op, body, 0, &r);
	*doc = rc ? NULL : r.doc;
	*messages = rc ? NULL : r.messages;
	return rc;
}

int ois_ews_call_message(struct ois_ews *ews, const char *op, struct ois_buf *body, xmlDoc **doc, xmlNode **msg)
{
	xmlNode *messages;
	*msg = NULL;
	int rc = ois_ews_call(ews, op, body->data, doc, &messages);
	ois_buf_release(body);
	if (rc)
		return rc;
	*msg = ois_xml_child(messages, NULL);
	if (!*msg) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: %s has no response message", ois_ews_url(ews), op);
	}
	return 0;
}

int ois_ews_message_rc(struct ois_ews *ews, const char *op, xmlNode *msg)
{
	return message_rc(ews, op, msg);
}

void ois_ews_add_folder(struct ois_ews *ews, struct ois_buf *b, const char *folder)
{
	add_folder(ews, b, folder);
}

const char *ois_ews_url(const struct ois_ews *ews)
{
	return ews->url;
}
