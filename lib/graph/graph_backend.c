/* graph_backend.c - the Graph backend: an Exchange Online mailbox's contacts and calendar over Microsoft Graph. */
#include "graph_backend.h"
#include "code.h"
#include "graph_appointment.h"
#include "graph_contact.h"
#include "graph_ext.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define GRAPH(conn) (((struct graph_conn *)(conn))->g)

/* What the backend writes, one row per record type. */
struct kind {
	const char *name;      /* the record's type */
	const char *create;    /* the collection a create POSTs to: the default folder's */
	const char *item;      /* an item's path, before its id */
	const char *prefer;    /* every request's Prefer header, or NULL */
	/* A create's (fields NULL) or an update's body; NULL after logging. */
	json_object *(*body)(json_object *data, json_object *fields);
};

static const struct kind kinds[] = {
	{ "contact", "/contacts", "/contacts/", NULL, ois_graph_contact_from_canonical },
	{ "appointment", "/calendar/events", "/events/", OIS_GRAPH_EVENT_PREFER, ois_graph_appointment_from_canonical },
};

static const struct kind *kind_of(const char *kind)
{
	for (size_t i = 0; kind && i < OIS_ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].name, kind))
			return &kinds[i];
	return NULL;
}

/* The row of kind, or NULL after logging: apply checked the op, so another kind is a bug upstream. */
static const struct kind *kind_ok(const char *kind, int *rc)
{
	const struct kind *k = kind_of(kind);
	*rc = k ? 0 : ois_fail(OIS_ESOFTWARE, "graph: kind '%s' is not supported", kind ? kind : "");
	return k;
}

char *ois_graph_version(json_object *item)
{
	const char *etag = ois_json_str(item, "@odata.etag"), *ck = ois_json_str(item, "changeKey");
	if (!ois_str_empty(etag))
		return ois_xstrdup(etag);
	return ois_str_empty(ck) ? NULL : ois_xasprintf("W/\"%s\"", ck);
}

json_object *ois_graph_record(const struct graph_conn *c, const char *type, const char *folder, const char *id,
			      json_object *native)
{
	json_object *r = ois_record_new(type, OIS_EXCHANGE, c->account, NULL, folder, id);
	json_object_object_add(r, "backend", json_object_new_string(OIS_GRAPH_BACKEND));
	if (!native) {
		json_object_object_add(r, "op", json_object_new_string("delete"));
		return r;
	}
	char *version = ois_graph_version(native);
	/* The op id an item carries when oisync created it: apply adopts, never duplicates. */
	const char *tag = ois_graph_op_tag(native);
	ois_record_upsert(r, version, ois_json_str(native, "lastModifiedDateTime"), ois_str_empty(tag) ? NULL : tag,
			  native);
	free(version);
	return r;
}

/* The id and version of a reply's item; OIS_EUNAVAIL when it has no id. */
static int id_of(json_object *item, const char *what, char **id, char **version)
{
	const char *i = ois_json_str(item, "id");
	if (ois_str_empty(i))
		return ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the %s has no id", what);
	*id = ois_xstrdup(i);
	*version = ois_graph_version(item);
	return 0;
}

static int drv_create(struct ois_conn *conn, const char *kind, json_object *data, const char *op_id,
		      char **new_id, char **new_version, struct ois_adopted *adopted)
{
	int rc;
	if (adopted) /* a mailbox has no shared items to adopt: every create makes one */
		*adopted = (struct ois_adopted){ 0 };
	*new_id = *new_version = NULL;
	const struct kind *k = kind_ok(kind, &rc);
	if (rc)
		return rc;
	json_object *body = k->body(data, NULL);
	if (!body)
		return OIS_EDATA;
	if (op_id) {
		ois_graph_set_op_id(body, op_id);
		/* Graph's own guard against an event POSTed twice ("event resource type"). */
		if (!strcmp(k->name, "appointment"))
			json_object_object_add(body, "transactionId", json_object_new_string(op_id));
	}
	/* Never sent twice by a retry: a create whose answer was lost is found by its op id. */
	struct ois_graph_call c = { .method = "POST", .path = k->create, .body = body, .prefer = k->prefer,
				    .no_retry = 1 };
	json_object *reply = NULL;
	rc = ois_graph_call(GRAPH(conn), &c, &reply);
	if (!rc)
		rc = id_of(reply, k->name, new_id, new_version);
	json_object_put(reply);
	json_object_put(body);
	return rc;
}

static int drv_update(struct ois_conn *conn, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version)
{
	int rc;
	*new_version = NULL;
	const struct kind *k = kind_ok(kind, &rc);
	if (rc)
		return rc;
	json_object *body = k->body(data, fields);
	if (!body)
		return OIS_EDATA;
	char *path = ois_xasprintf("%s%s", k->item, id);
	json_object *reply = NULL;
	if (json_object_object_length(body) == 0 && if_version) {
		/* Nothing Graph carries changed: no request. */
		*new_version = ois_xstrdup(if_version);
	} else {
		int empty = json_object_object_length(body) == 0;
		struct ois_graph_call c = { .method = empty ? "GET" : "PATCH", .path = path, .body = empty ? NULL : body,
					    .if_match = empty ? NULL : if_version, .prefer = k->prefer };
		rc = ois_graph_call(GRAPH(conn), &c, &reply);
		if (!rc && !(*new_version = ois_graph_version(reply)))
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the %s has no changeKey", k->name);
	}
	if (rc == OIS_ECONFLICT)
		ois_info("%s '%s' changed in Exchange since version '%s': not overwritten", k->name, id,
			 if_version ? if_version : "");
	json_object_put(reply);
	json_object_put(body);
	free(path);
	return rc;
}

/* DELETE takes If-Match: an item edited in Outlook since reconcile saw it is a conflict (edit beats delete). */
static int drv_remove(struct ois_conn *conn, const char *kind, const char *id, const char *if_version)
{
	int rc;
	const struct kind *k = kind_ok(kind, &rc);
	if (rc)
		return rc;
	char *path = ois_xasprintf("%s%s", k->item, id);
	struct ois_graph_call c = { .method = "DELETE", .path = path, .if_match = if_version, .quiet_404 = 1 };
	json_object *reply = NULL;
	rc = ois_graph_call(GRAPH(conn), &c, &reply);
	if (rc == OIS_ECONFLICT)
		ois_info("%s '%s' changed in Exchange since version '%s': not deleted", k->name, id,
			 if_version ? if_version : "");
	json_object_put(reply);
	free(path);
	return rc;
}

/* A POST is one request: an item found by its tag is complete, data is not needed. */
static int drv_find_by_op(struct ois_conn *conn, const char *kind, const char *op_id, json_object *data,
			  char **id, char **version)
{
	int rc;
	(void)data;
	*id = *version = NULL;
	const struct kind *k = kind_ok(kind, &rc);
	if (rc)
		return rc;
	if (strchr(op_id, '\''))
		return ois_fail(OIS_ESOFTWARE, "graph: op id '%s' cannot be quoted in a $filter", op_id);
	/* The documented way to find items by an extended property's value ("Get singleValueExtendedProperty"). */
	char *filter = ois_xasprintf(OIS_GRAPH_EXT_KEY "/Any(ep: ep/id eq '" OIS_GRAPH_OP_ID "' and ep/value eq '%s')",
				     op_id);
	char *enc = ois_pct_encode(filter);
	char *path = ois_xasprintf("%s?$filter=%s&$select=id", k->create, enc);
	struct ois_graph_call c = { .method = "GET", .path = path };
	json_object *reply = NULL;
	rc = ois_graph_call(GRAPH(conn), &c, &reply);
	json_object *items = rc ? NULL : ois_json_arr(reply, "value");
	if (!rc && !items)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a list without \"value\"");
	else if (!rc && json_object_array_length(items) == 0)
		rc = OIS_ENOTFOUND;
	else if (!rc)
		rc = id_of(json_object_array_get_idx(items, 0), k->name, id, version);
	json_object_put(reply);
	free(path);
	free(enc);
	free(filter);
	return rc;
}

static int drv_mark_synced(struct ois_conn *conn, const char *item_id, const char *sync_id, const char *when,
			   const char *summary, char **new_item_id)
{
	return ois_graph_syncinfo_write(GRAPH(conn), item_id, sync_id, when, summary, new_item_id);
}

static void drv_close(struct ois_conn *conn)
{
	struct graph_conn *c = (struct graph_conn *)conn;
	if (!c)
		return;
	ois_graph_close(c->g);
	free(c->account);
	free(c);
}

static struct ois_conn *drv_open(const struct ois_account_ref *ref, int *rc)
{
	const struct ois_endpoint *ep = ref->server ? ois_config_server(ref->cfg, ref->server) : NULL;
	if (!ep) {
		*rc = ois_fail(OIS_ECONFIG, "no [server %s] in '%s'", ref->server ? ref->server : "", ref->cfg->path);
		return NULL;
	}
	struct ois_graph *g = NULL;
	if ((*rc = ois_graph_open(ep, ref->url, ref->mailbox, &g)))
		return NULL;
	/* One token for the run's processes, not one per process. */
	if (!ois_str_empty(ref->cfg->state_dir))
		ois_graph_keep_token(g, ref->cfg->state_dir);
	struct graph_conn *c = ois_xcalloc(1, sizeof(*c));
	c->base.be = &ois_backend_graph;
	c->g = g;
	c->account = ois_xstrdup(ref->mailbox);
	return &c->base;
}

/* A token, and one contact id of the mailbox: what an app without the right mailbox scope is refused. */
static int drv_probe(struct ois_conn *conn)
{
	struct ois_graph_call c = { .method = "GET", .path = "/contactFolders/contacts/contacts?$top=1&$select=id" };
	json_object *reply = NULL;
	int rc = ois_graph_call(GRAPH(conn), &c, &reply);
	json_object_put(reply);
	return rc;
}

/* Each folder ends with its own checkpoint: a failure in the second leaves the first one whole. */
static int drv_read(struct ois_conn *conn, const struct ois_read *r)
{
	struct graph_conn *c = (struct graph_conn *)conn;
	int rc = 0;
	if (r->folders & 1u << OIS_CONTACTS)
		rc = ois_graph_read_contacts(c, r);
	if (!rc && r->folders & 1u << OIS_CALENDAR)
		rc = ois_graph_read_calendar(c, r);
	return rc;
}

/* What a GET of the item a create made returns, as far as the mapping reads it. */
static json_object *drv_to_native(const char *kind, json_object *canonical)
{
	const struct kind *k = kind_of(kind);
	if (!k)
		return NULL;
	if (!strcmp(k->name, "appointment"))
		return ois_graph_appointment_to_native(canonical);
	return ois_graph_contact_from_canonical(canonical, NULL);
}

const struct ois_backend ois_backend_graph = {
	.map = &ois_map_graph,
	.open = drv_open,
	.close = drv_close,
	.read = drv_read,
	.to_native = drv_to_native,
	.create = drv_create,
	.update = drv_update,
	.remove = drv_remove,
	.find_by_op = drv_find_by_op,
	.mark_synced = drv_mark_synced,
	.probe = drv_probe,
};
