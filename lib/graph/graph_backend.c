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

/* A write as one Graph request: what prepare made, for a call or a $batch step. */
struct req {
	const struct kind *k;
	struct ois_graph_step step;
	json_object *body;   /* owned */
	char *path;          /* owned */
	int answered;        /* prepare answered the write itself: no request */
};

static void req_release(struct req *q)
{
	json_object_put(q->body);
	free(q->path);
	memset(q, 0, sizeof(*q));
}

/* The path of a find: the documented $filter on an extended property's value ("Get singleValueExtendedProperty"). */
static char *find_path(const struct kind *k, const char *op_id)
{
	char *filter = ois_xasprintf(OIS_GRAPH_EXT_KEY "/Any(ep: ep/id eq '" OIS_GRAPH_OP_ID "' and ep/value eq '%s')",
				     op_id);
	char *enc = ois_pct_encode(filter);
	char *path = ois_xasprintf("%s?$filter=%s&$select=id", k->create, enc);
	free(enc);
	free(filter);
	return path;
}

/*
 * The request for w, or its answer when none is needed or possible
 * (q->answered, w->rc set): data Graph cannot carry (OIS_EDATA), an update
 * of nothing Graph carries.
 */
static void prepare(struct ois_write *w, struct req *q)
{
	memset(q, 0, sizeof(*q));
	w->new_id = w->new_version = NULL;
	q->k = kind_ok(w->kind, &w->rc);
	if (w->rc) {
		q->answered = 1;
		return;
	}
	const struct kind *k = q->k;
	struct ois_graph_step *st = &q->step;
	st->prefer = k->prefer;
	switch (w->what) {
	case OIS_WRITE_FIND:
		if (strchr(w->op_id, '\'')) {
			w->rc = ois_fail(OIS_ESOFTWARE, "graph: op id '%s' cannot be quoted in a $filter", w->op_id);
			q->answered = 1;
			return;
		}
		q->path = find_path(k, w->op_id);
		st->method = "GET";
		st->prefer = NULL;
		break;
	case OIS_WRITE_CREATE:
		if (!(q->body = k->body(w->data, NULL))) {
			w->rc = OIS_EDATA;
			q->answered = 1;
			return;
		}
		if (w->op_id) {
			ois_graph_set_op_id(q->body, w->op_id);
			/* Graph's own guard against an event POSTed twice ("event resource type"). */
			if (!strcmp(k->name, "appointment"))
				json_object_object_add(q->body, "transactionId", json_object_new_string(w->op_id));
		}
		q->path = ois_xstrdup(k->create);
		st->method = "POST";
		break;
	case OIS_WRITE_UPDATE:
		if (!(q->body = k->body(w->data, w->fields))) {
			w->rc = OIS_EDATA;
			q->answered = 1;
			return;
		}
		q->path = ois_xasprintf("%s%s", k->item, w->id);
		if (json_object_object_length(q->body) == 0) {
			/* Nothing Graph carries changed: no request, or a GET for the version. */
			if (w->if_version) {
				w->new_version = ois_xstrdup(w->if_version);
				w->rc = 0;
				q->answered = 1;
				return;
			}
			st->method = "GET";
			json_object_put(q->body);
			q->body = NULL;
			break;
		}
		st->method = "PATCH";
		st->if_match = w->if_version;
		break;
	case OIS_WRITE_REMOVE:
		/* DELETE takes If-Match: an item edited in Outlook since reconcile saw it is a conflict (edit beats delete). */
		q->path = ois_xasprintf("%s%s", k->item, w->id);
		st->method = "DELETE";
		st->if_match = w->if_version;
		st->quiet_404 = 1;
		st->prefer = NULL;
		break;
	}
	st->path = q->path;
	st->body = q->body;
}

/* w's answer from its request's code and reply. */
static void answer(struct ois_write *w, const struct req *q, int rc, json_object *reply)
{
	const struct kind *k = q->k;
	if (!rc) {
		switch (w->what) {
		case OIS_WRITE_FIND: {
			json_object *items = ois_json_arr(reply, "value");
			if (!items)
				rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: a list without \"value\"");
			else if (json_object_array_length(items) == 0)
				rc = OIS_ENOTFOUND;
			else
				rc = id_of(json_object_array_get_idx(items, 0), k->name, &w->new_id, &w->new_version);
			break;
		}
		case OIS_WRITE_CREATE:
			rc = id_of(reply, k->name, &w->new_id, &w->new_version);
			break;
		case OIS_WRITE_UPDATE:
			if (!(w->new_version = ois_graph_version(reply)))
				rc = ois_fail(OIS_EUNAVAIL, "broken reply from Microsoft Graph: the %s has no changeKey", k->name);
			break;
		case OIS_WRITE_REMOVE:
			break;
		}
	}
	if (rc == OIS_ECONFLICT && (w->what == OIS_WRITE_UPDATE || w->what == OIS_WRITE_REMOVE))
		ois_info("%s '%s' changed in Exchange since version '%s': not %s", k->name, w->id,
			 w->if_version ? w->if_version : "", w->what == OIS_WRITE_UPDATE ? "overwritten" : "deleted");
	w->rc = rc;
}

/* One write, one request: a create is never sent twice by a retry (it is found by its op id). */
static void write_one(struct ois_graph *g, struct ois_write *w)
{
	struct req q;
	prepare(w, &q);
	if (!q.answered) {
		struct ois_graph_call c = { .method = q.step.method, .path = q.step.path, .body = q.step.body,
					    .if_match = q.step.if_match, .prefer = q.step.prefer,
					    .quiet_404 = q.step.quiet_404 || w->what == OIS_WRITE_FIND,
					    .no_retry = w->what == OIS_WRITE_CREATE };
		json_object *reply = NULL;
		int rc = ois_graph_call(g, &c, &reply);
		answer(w, &q, rc, reply);
		json_object_put(reply);
	}
	req_release(&q);
}

/*
 * Up to 20 writes in one $batch. A write Graph throttled inside it (429:
 * not run) goes again alone after the Retry-After; one that met a server
 * error is a failure (a create may have been made: found later by its op id).
 */
static int drv_write_many(struct ois_conn *conn, struct ois_write *w, size_t n)
{
	struct ois_graph *g = GRAPH(conn);
	struct req q[OIS_GRAPH_BATCH_MAX];
	struct ois_graph_step steps[OIS_GRAPH_BATCH_MAX];
	size_t at[OIS_GRAPH_BATCH_MAX], k = 0;
	if (n > OIS_GRAPH_BATCH_MAX)
		OIS_BUG("write_many of %zu writes", n);
	for (size_t i = 0; i < n; i++) {
		prepare(&w[i], &q[i]);
		if (!q[i].answered) {
			steps[k] = q[i].step;
			at[k++] = i;
		}
	}
	int rc = 0;
	if (k == 1) {
		req_release(&q[at[0]]);
		write_one(g, &w[at[0]]);
	} else if (k > 1) {
		rc = ois_graph_batch(g, steps, k);
		int sent = rc == 0;
		if (!rc)
			rc = ois_graph_pause(g, steps, k);
		for (size_t j = 0; j < k; j++) {
			struct ois_write *wi = &w[at[j]];
			if (!rc && ois_graph_step_again(&steps[j]))
				write_one(g, wi);
			else if (!rc || (sent && !ois_graph_step_again(&steps[j])))
				answer(wi, &q[at[j]], ois_graph_step_rc(g, &steps[j]), steps[j].reply);
			else
				wi->rc = rc;
		}
		if (sent)
			ois_graph_steps_release(steps, k);
	}
	for (size_t i = 0; i < n; i++)
		req_release(&q[i]);
	return rc;
}

static int drv_create(struct ois_conn *conn, const char *kind, json_object *data, const char *op_id,
		      char **new_id, char **new_version, struct ois_adopted *adopted)
{
	if (adopted) /* a mailbox has no shared items to adopt: every create makes one */
		*adopted = (struct ois_adopted){ 0 };
	struct ois_write w = { .what = OIS_WRITE_CREATE, .kind = kind, .data = data, .op_id = op_id };
	write_one(GRAPH(conn), &w);
	*new_id = w.new_id;
	*new_version = w.new_version;
	return w.rc;
}

static int drv_update(struct ois_conn *conn, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version)
{
	struct ois_write w = { .what = OIS_WRITE_UPDATE, .kind = kind, .id = id, .if_version = if_version,
			       .data = data, .fields = fields };
	write_one(GRAPH(conn), &w);
	free(w.new_id);
	*new_version = w.new_version;
	return w.rc;
}

static int drv_remove(struct ois_conn *conn, const char *kind, const char *id, const char *if_version)
{
	struct ois_write w = { .what = OIS_WRITE_REMOVE, .kind = kind, .id = id, .if_version = if_version };
	write_one(GRAPH(conn), &w);
	ois_write_release(&w);
	return w.rc;
}

/* A POST is one request: an item found by its tag is complete, data is not needed. */
static int drv_find_by_op(struct ois_conn *conn, const char *kind, const char *op_id, json_object *data,
			  char **id, char **version)
{
	struct ois_write w = { .what = OIS_WRITE_FIND, .kind = kind, .op_id = op_id, .data = data };
	write_one(GRAPH(conn), &w);
	*id = w.new_id;
	*version = w.new_version;
	return w.rc;
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

static int drv_find_mailboxes(struct ois_conn *conn, const char *email, char ***addresses, size_t *n)
{
	return ois_graph_users_by_mail(GRAPH(conn), email, addresses, n);
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
	.find_mailboxes = drv_find_mailboxes,
	.write_many = drv_write_many,
	.write_batch = OIS_GRAPH_BATCH_MAX,
};
