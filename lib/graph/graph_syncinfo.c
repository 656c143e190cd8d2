/* graph_syncinfo.c - read and write the mailbox's "InterAction Sync" record over Microsoft Graph. */
#include "code.h"
#include "graph_backend.h"
#include "graph_ext.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The properties EWS names PublicStrings:oisync-sync-id and :oisync-last-sync. */
#define SYNC_ID "String " OIS_GRAPH_PS_PUBLIC_STRINGS " Name " OIS_SYNC_PROP_SYNC_ID
#define LAST_SYNC "String " OIS_GRAPH_PS_PUBLIC_STRINGS " Name " OIS_SYNC_PROP_LAST_SYNC
#define EXPAND OIS_GRAPH_EXT_KEY "($filter=" OIS_GRAPH_EXT_TERM(SYNC_ID) " or " OIS_GRAPH_EXT_TERM(LAST_SYNC) ")"
#define FOLDER_FILTER "displayName eq '" OIS_SYNC_FOLDER "'"

void ois_graph_syncinfo_release(struct ois_graph_syncinfo *si)
{
	free(si->item_id);
	free(si->sync_id);
	free(si->last_sync);
	memset(si, 0, sizeof(*si));
}

/* The first item's id of a GET of path, OIS_ENOTFOUND when the list is empty. */
static int first_of(struct ois_graph *g, const char *path, json_object **first, json_object **reply)
{
	struct ois_graph_call c = { .method = "GET", .path = path, .quiet_404 = 1 };
	*first = NULL;
	int rc = ois_graph_call(g, &c, reply);
	if (rc)
		return rc;
	json_object *items = ois_json_arr(*reply, "value");
	if (!items)
		return ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a list without \"value\"");
	if (!json_object_array_length(items))
		return OIS_ENOTFOUND;
	*first = json_object_array_get_idx(items, 0);
	return ois_str_empty(ois_json_str(*first, "id"))
		? ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a listed item without an id") : 0;
}

/* The folder under the mailbox's root (beside Inbox), OIS_ENOTFOUND when there is none. */
static int find_folder(struct ois_graph *g, char **id)
{
	char *enc = ois_pct_encode(FOLDER_FILTER);
	char *path = ois_xasprintf("/mailFolders?$filter=%s&$select=id", enc);
	json_object *reply = NULL, *first;
	int rc = first_of(g, path, &first, &reply);
	*id = rc ? NULL : ois_xstrdup(ois_json_str(first, "id"));
	json_object_put(reply);
	free(path);
	free(enc);
	return rc;
}

static int create_folder(struct ois_graph *g, char **id)
{
	json_object *body = json_object_new_object(), *reply = NULL;
	json_object_object_add(body, "displayName", json_object_new_string(OIS_SYNC_FOLDER));
	/* Sent once: a retry after a lost reply would meet 409 ErrorFolderExists; the caller looks again instead. */
	struct ois_graph_call c = { .method = "POST", .path = "/mailFolders", .body = body, .no_retry = 1 };
	int rc = ois_graph_call(g, &c, &reply);
	const char *i = ois_json_str(reply, "id");
	if (!rc && ois_str_empty(i))
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the new folder has no id");
	*id = rc ? NULL : ois_xstrdup(i);
	json_object_put(reply);
	json_object_put(body);
	return rc;
}

/* The folder's record message, OIS_ENOTFOUND when the folder holds none with a sync id. */
static int find_record(struct ois_graph *g, const char *folder, struct ois_graph_syncinfo *out)
{
	char *f = ois_pct_encode(folder), *x = ois_pct_encode(EXPAND);
	char *path = ois_xasprintf("/mailFolders/%s/messages?$top=1&$select=id&$expand=%s", f, x);
	json_object *reply = NULL, *first;
	int rc = first_of(g, path, &first, &reply);
	if (!rc) {
		const char *sync_id = ois_graph_ext_get(first, SYNC_ID), *last = ois_graph_ext_get(first, LAST_SYNC);
		if (ois_str_empty(sync_id)) {
			rc = OIS_ENOTFOUND;
		} else {
			out->item_id = ois_xstrdup(ois_json_str(first, "id"));
			out->sync_id = ois_xstrdup(sync_id);
			out->last_sync = ois_str_empty(last) ? NULL : ois_xstrdup(last);
		}
	}
	json_object_put(reply);
	free(path);
	free(x);
	free(f);
	return rc;
}

int ois_graph_syncinfo_read(struct ois_graph *g, struct ois_graph_syncinfo *out)
{
	char *folder = NULL;
	memset(out, 0, sizeof(*out));
	int rc = find_folder(g, &folder);
	if (!rc)
		rc = find_record(g, folder, out);
	free(folder);
	return rc;
}

static json_object *record_body(const char *sync_id, const char *when, const char *summary)
{
	char *subject, *text;
	ois_sync_record_text(when, summary, sync_id, &subject, &text);
	json_object *body = json_object_new_object(), *b = json_object_new_object();
	json_object_object_add(body, "subject", json_object_new_string(subject));
	json_object_object_add(b, "contentType", json_object_new_string("text"));
	json_object_object_add(b, "content", json_object_new_string(text));
	json_object_object_add(body, "body", b);
	ois_graph_ext_set(body, SYNC_ID, sync_id);
	ois_graph_ext_set(body, LAST_SYNC, when);
	free(subject);
	free(text);
	return body;
}

/* Our own record: written without If-Match, whoever touched it last. */
static int update_record(struct ois_graph *g, const char *item_id, json_object *body)
{
	char *enc = ois_pct_encode(item_id);
	char *path = ois_xasprintf("/messages/%s", enc);
	struct ois_graph_call c = { .method = "PATCH", .path = path, .body = body, .quiet_404 = 1 };
	json_object *reply = NULL;
	int rc = ois_graph_call(g, &c, &reply);
	json_object_put(reply);
	free(path);
	free(enc);
	return rc;
}

static int create_record(struct ois_graph *g, const char *folder, json_object *body, char **item_id)
{
	char *enc = ois_pct_encode(folder);
	char *path = ois_xasprintf("/mailFolders/%s/messages", enc);
	/* A lost answer leaves a second message at worst: the read takes the first one. */
	struct ois_graph_call c = { .method = "POST", .path = path, .body = body, .no_retry = 1 };
	json_object *reply = NULL;
	int rc = ois_graph_call(g, &c, &reply);
	const char *i = ois_json_str(reply, "id");
	if (!rc && ois_str_empty(i))
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the new message has no id");
	*item_id = rc ? NULL : ois_xstrdup(i);
	json_object_put(reply);
	free(path);
	free(enc);
	return rc;
}

int ois_graph_syncinfo_write(struct ois_graph *g, const char *item_id, const char *sync_id, const char *when,
			     const char *summary, char **new_item_id)
{
	json_object *body = record_body(sync_id, when, summary);
	struct ois_graph_syncinfo found = { 0 };
	char *folder = NULL;
	int rc;
	*new_item_id = NULL;
	if (item_id) {
		/* The message written last time; gone means the user deleted the folder. */
		if (!(rc = update_record(g, item_id, body)))
			*new_item_id = ois_xstrdup(item_id);
		goto out;
	}
	rc = find_folder(g, &folder);
	if (rc == OIS_ENOTFOUND && (rc = create_folder(g, &folder)) && rc != OIS_EPERM && rc != OIS_ETEMP) {
		/* Made after all (a lost reply), or by another run at once (409): the folder is there, use it. */
		if (!find_folder(g, &folder)) {
			ois_info("the \"%s\" folder is there after all", OIS_SYNC_FOLDER);
			rc = 0;
		}
	}
	if (rc)
		goto out;
	rc = find_record(g, folder, &found);
	if (!rc) {
		if (!(rc = update_record(g, found.item_id, body)))
			*new_item_id = ois_xstrdup(found.item_id);
	} else if (rc == OIS_ENOTFOUND) {
		rc = create_record(g, folder, body, new_item_id);
	}
out:
	ois_graph_syncinfo_release(&found);
	free(folder);
	json_object_put(body);
	return rc;
}
