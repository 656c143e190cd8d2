/* ews_backend.c - the EWS backend: an Exchange mailbox's contacts and calendar over Exchange Web Services. */
#include "code.h"
#include "ews_appointment.h"
#include "ews_backend.h"
#include "ews_calendar.h"
#include "ews_contact.h"
#include "ews_p.h"
#include "ews_syncinfo.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mailbox's client: every method is given the base of its struct ews_conn. */
#define EWS(conn) (((struct ews_conn *)(conn))->ews)

/* What the backend writes, one row per record type. */
struct kind {
	const char *name;   /* the record's type */
	const char *folder; /* the distinguished folder its items are created in */
	const char *item;   /* the item's element */
	/*
	 * Attributes of CreateItem, UpdateItem and DeleteItem: a calendar item
	 * with attendees is a meeting, and a sync must never mail them an
	 * invitation, an update or a cancellation.
	 */
	const char *create_attrs, *update_attrs, *delete_attrs;
	int (*xml)(json_object *data, const char *op_id, struct ois_buf *out);
	int (*updates_xml)(json_object *data, json_object *fields, struct ois_buf *out, int *n);
	json_object *(*native)(xmlNode *item); /* the item's XML as a read makes it native data */
};

static const struct kind kinds[] = {
	{ "contact", "contacts", "Contact", NULL, NULL, NULL, ois_ews_contact_xml, ois_ews_contact_updates_xml,
	  ois_ews_item_json },
	{ "appointment", "calendar", "CalendarItem", " SendMeetingInvitations=\"SendToNone\"",
	  " SendMeetingInvitationsOrCancellations=\"SendToNone\"", " SendMeetingCancellations=\"SendToNone\"",
	  ois_ews_appointment_xml, ois_ews_appointment_updates_xml, ois_ews_calendar_item_json },
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
	*rc = k ? 0 : ois_fail(OIS_ESOFTWARE, "exchange: kind '%s' is not supported", kind ? kind : "");
	return k;
}

static int drv_create(struct ois_conn *conn, const char *kind, json_object *data, const char *op_id,
		      char **new_id, char **new_version, struct ois_adopted *adopted)
{
	struct ois_buf xml = OIS_BUF_INIT;
	int rc;
	if (adopted) /* a mailbox has no shared items to adopt: every create makes one */
		*adopted = (struct ois_adopted){ 0 };
	*new_id = *new_version = NULL;
	const struct kind *k = kind_ok(kind, &rc);
	if (!rc)
		rc = k->xml(data, op_id, &xml);
	if (!rc)
		rc = ois_ews_create_item(EWS(conn), k->folder, k->create_attrs, xml.data, new_id, new_version);
	ois_buf_release(&xml);
	return rc;
}

static int write_chunk(struct ois_conn *conn, struct ois_write *w, size_t n);

/* One update or delete is a batch of one: the requests and their checks are write_chunk's. */
static int write_one(struct ois_conn *conn, struct ois_write *w, char **new_version)
{
	write_chunk(conn, w, 1);
	free(w->new_id);
	if (new_version)
		*new_version = w->new_version;
	else
		free(w->new_version);
	return w->rc;
}

static int drv_update(struct ois_conn *conn, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version)
{
	struct ois_write w = { .what = OIS_WRITE_UPDATE, .kind = kind, .id = id, .if_version = if_version,
			       .data = data, .fields = fields };
	return write_one(conn, &w, new_version);
}

static int drv_remove(struct ois_conn *conn, const char *kind, const char *id, const char *if_version)
{
	struct ois_write w = { .what = OIS_WRITE_REMOVE, .kind = kind, .id = id, .if_version = if_version };
	return write_one(conn, &w, NULL);
}

/* CreateItem is one request: an item found by its tag is complete, data is not needed. */
static int drv_find_by_op(struct ois_conn *conn, const char *kind, const char *op_id, json_object *data,
			  char **id, char **version)
{
	int rc;
	(void)data;
	*id = *version = NULL;
	const struct kind *k = kind_ok(kind, &rc);
	if (rc)
		return rc;
	return ois_ews_find_by_extended(EWS(conn), k->folder, ois_ews_op_id_uri(), op_id, id, version);
}

/* The most writes apply hands over at once: write_batch's upper bound (oisync.conf(5)). */
#define WRITE_BATCH 100

/*
 * One chunk of writes on its way: each write's first answer stands, so a
 * request that fails later in the chunk leaves the answers before it be.
 */
struct chunk {
	struct ois_conn *conn;
	struct ois_write *w;
	size_t n;
	unsigned char *answered;
	char **update_xml;                /* an update's t:Updates contents; NULL: nothing Exchange holds changed */
	/* Room for n: one request's arguments and answers. */
	const char **ids, **cks, **args;
	char **xml;
	size_t *at;
	struct ois_ews_answer *ans;
};

static void answer(struct chunk *c, size_t i, int rc)
{
	c->w[i].rc = rc;
	c->answered[i] = 1;
}

/* The finds of kind k: one FindItem, an Or of op ids. */
static int send_finds(struct chunk *c, const struct kind *k)
{
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++)
		if (!c->answered[i] && c->w[i].what == OIS_WRITE_FIND && !strcmp(c->w[i].kind, k->name)) {
			c->args[m] = c->w[i].op_id;
			c->at[m++] = i;
		}
	int rc = m ? ois_ews_find_by_extended_many(EWS(c->conn), k->folder, ois_ews_op_id_uri(), c->args, m, c->ans) : 0;
	for (size_t j = 0; j < m && !rc; j++) {
		struct ois_write *w = &c->w[c->at[j]];
		w->new_id = c->ans[j].id;
		w->new_version = c->ans[j].change_key;
		answer(c, c->at[j], c->ans[j].rc);
	}
	return rc;
}

/* The creates of kind k: one CreateItem; data Exchange cannot hold is that write's error alone. */
static int send_creates(struct chunk *c, const struct kind *k)
{
	size_t m = 0;
	int rc;
	for (size_t i = 0; i < c->n; i++) {
		struct ois_write *w = &c->w[i];
		if (c->answered[i] || w->what != OIS_WRITE_CREATE || strcmp(w->kind, k->name))
			continue;
		struct ois_buf b = OIS_BUF_INIT;
		if ((rc = k->xml(w->data, w->op_id, &b))) {
			ois_buf_release(&b);
			answer(c, i, rc);
			continue;
		}
		c->xml[m] = ois_buf_detach(&b, NULL);
		c->at[m++] = i;
	}
	rc = m ? ois_ews_create_items(EWS(c->conn), k->folder, k->create_attrs, (const char *const *)c->xml, m, c->ans) : 0;
	for (size_t j = 0; j < m; j++) {
		if (!rc) {
			c->w[c->at[j]].new_id = c->ans[j].id;
			c->w[c->at[j]].new_version = c->ans[j].change_key;
			answer(c, c->at[j], c->ans[j].rc);
		}
		free(c->xml[j]);
		c->xml[j] = NULL;
	}
	return rc;
}

/*
 * Each update's t:Updates. One that carries nothing Exchange holds is sent
 * no UpdateItem (an empty t:Updates is a schema error): its version is the
 * one it expects, or, when it expects none, the item's current one, read
 * with the deletes' (read_change_keys).
 */
static void prepare_updates(struct chunk *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct ois_write *w = &c->w[i];
		if (c->answered[i] || w->what != OIS_WRITE_UPDATE)
			continue;
		const struct kind *k = kind_of(w->kind);
		struct ois_buf b = OIS_BUF_INIT;
		int fields = 0, rc = k->updates_xml(w->data, w->fields, &b, &fields);
		if (!rc && fields)
			c->update_xml[i] = ois_buf_detach(&b, NULL);
		ois_buf_release(&b);
		if (rc) {
			answer(c, i, rc);
		} else if (!fields && w->if_version) {
			w->new_version = ois_xstrdup(w->if_version);
			answer(c, i, 0);
		}
	}
}

/* The writes that need an item's ChangeKey before anything is sent. */
static int needs_change_key(const struct chunk *c, size_t i)
{
	const struct ois_write *w = &c->w[i];
	if (c->answered[i])
		return 0;
	if (w->what == OIS_WRITE_UPDATE)
		return !c->update_xml[i];
	return w->what == OIS_WRITE_REMOVE && w->if_version;
}

/*
 * DeleteItem does not check a ChangeKey, so a delete looks first: an item
 * edited in Outlook since reconcile saw it is a conflict (edit beats
 * delete), not a deletion; one gone already is the answer (OIS_ENOTFOUND).
 * Every such look of the chunk is one GetItem of many ids.
 */
static int read_change_keys(struct chunk *c)
{
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++)
		if (needs_change_key(c, i)) {
			c->ids[m] = c->w[i].id;
			c->at[m++] = i;
		}
	int rc = m ? ois_ews_get_change_keys(EWS(c->conn), c->ids, m, c->ans) : 0;
	for (size_t j = 0; j < m && !rc; j++) {
		struct ois_write *w = &c->w[c->at[j]];
		char *ck = c->ans[j].change_key;
		free(c->ans[j].id);
		if (w->what == OIS_WRITE_UPDATE) {
			w->new_version = ck;
			answer(c, c->at[j], c->ans[j].rc);
			continue;
		}
		if (c->ans[j].rc) {
			answer(c, c->at[j], c->ans[j].rc);
		} else if (ck && strcmp(ck, w->if_version)) {
			ois_info("%s '%s' changed in Exchange since version '%s': not deleted", w->kind, w->id, w->if_version);
			answer(c, c->at[j], OIS_ECONFLICT);
		}
		free(ck);
	}
	return rc;
}

/* The updates of kind k: one UpdateItem of many t:ItemChange, each with its own answer. */
static int send_updates(struct chunk *c, const struct kind *k)
{
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct ois_write *w = &c->w[i];
		if (c->answered[i] || w->what != OIS_WRITE_UPDATE || strcmp(w->kind, k->name))
			continue;
		c->ids[m] = w->id;
		c->cks[m] = w->if_version;
		c->args[m] = c->update_xml[i];
		c->at[m++] = i;
	}
	int rc = m ? ois_ews_update_items(EWS(c->conn), k->update_attrs, c->ids, c->cks, c->args, m, c->ans) : 0;
	for (size_t j = 0; j < m && !rc; j++) {
		struct ois_write *w = &c->w[c->at[j]];
		free(c->ans[j].id);
		w->new_version = c->ans[j].change_key;
		if (c->ans[j].rc == OIS_ECONFLICT)
			ois_info("%s '%s' changed in Exchange since version '%s': not overwritten", k->name, w->id,
				 w->if_version ? w->if_version : "");
		answer(c, c->at[j], c->ans[j].rc);
	}
	return rc;
}

/* The deletes of kind k whose look found them unchanged (or that expect no version): one DeleteItem. */
static int send_deletes(struct chunk *c, const struct kind *k)
{
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct ois_write *w = &c->w[i];
		if (c->answered[i] || w->what != OIS_WRITE_REMOVE || strcmp(w->kind, k->name))
			continue;
		c->ids[m] = w->id;
		c->cks[m] = w->if_version;
		c->at[m++] = i;
	}
	int rc = m ? ois_ews_delete_items(EWS(c->conn), k->delete_attrs, c->ids, c->cks, m, c->ans) : 0;
	for (size_t j = 0; j < m && !rc; j++)
		answer(c, c->at[j], c->ans[j].rc);
	return rc;
}

/*
 * Several writes at once, every item with its own response message: each
 * kind's finds in one FindItem (an Or of op ids), its creates in one
 * CreateItem, its updates in one UpdateItem, its deletes in one DeleteItem
 * after one GetItem of the ChangeKeys they expect. A request that fails
 * gives its failure to the writes not yet answered; the others keep theirs.
 */
static int write_chunk(struct ois_conn *conn, struct ois_write *w, size_t n)
{
	struct chunk c = {
		.conn = conn, .w = w, .n = n,
		.answered = ois_xcalloc(n + 1, 1),
		.update_xml = ois_xcalloc(n + 1, sizeof(char *)),
		.ids = ois_xcalloc(n + 1, sizeof(char *)),
		.cks = ois_xcalloc(n + 1, sizeof(char *)),
		.args = ois_xcalloc(n + 1, sizeof(char *)),
		.xml = ois_xcalloc(n + 1, sizeof(char *)),
		.at = ois_xcalloc(n + 1, sizeof(size_t)),
		.ans = ois_xcalloc(n + 1, sizeof(struct ois_ews_answer)),
	};
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		w[i].new_id = w[i].new_version = NULL;
		if (!kind_of(w[i].kind)) {
			kind_ok(w[i].kind, &w[i].rc);
			c.answered[i] = 1;
		}
	}
	for (size_t ki = 0; ki < OIS_ARRAY_SIZE(kinds) && !rc; ki++)
		if (!(rc = send_finds(&c, &kinds[ki])))
			rc = send_creates(&c, &kinds[ki]);
	prepare_updates(&c);
	if (!rc)
		rc = read_change_keys(&c);
	for (size_t ki = 0; ki < OIS_ARRAY_SIZE(kinds) && !rc; ki++)
		if (!(rc = send_updates(&c, &kinds[ki])))
			rc = send_deletes(&c, &kinds[ki]);
	for (size_t i = 0; i < n; i++) {
		if (rc && !c.answered[i]) {
			ois_write_release(&w[i]);
			w[i].rc = rc;
		}
		free(c.update_xml[i]);
	}
	free(c.answered);
	free(c.update_xml);
	free(c.ids);
	free(c.cks);
	free(c.args);
	free(c.xml);
	free(c.at);
	free(c.ans);
	return rc;
}

/*
 * In chunks of the server's write_batch (the apply group may be larger). A
 * chunk whose request failed gives its writes and the ones after it that
 * failure as their answer; the chunks before keep theirs.
 */
static int drv_write_many(struct ois_conn *conn, struct ois_write *w, size_t n)
{
	size_t per = (size_t)((struct ews_conn *)conn)->write_batch;
	for (size_t from = 0; from < n; from += per) {
		size_t k = n - from < per ? n - from : per;
		int r = write_chunk(conn, w + from, k);
		if (r) {
			for (size_t i = from + k; i < n; i++)
				w[i].rc = r;
			break;
		}
	}
	return 0;
}

static int drv_mark_synced(struct ois_conn *conn, const char *item_id, const char *sync_id, const char *when,
			   const char *summary, char **new_item_id)
{
	return ois_ews_syncinfo_write(EWS(conn), item_id, sync_id, when, summary, new_item_id);
}

static void drv_close(struct ois_conn *conn)
{
	struct ews_conn *c = (struct ews_conn *)conn;
	if (!c)
		return;
	ois_ews_free(c->ews);
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
	struct ois_ews *ews = ois_ews_open(ep, ref->url, ref->mailbox, rc);
	if (!ews)
		return NULL;
	struct ews_conn *c = ois_xcalloc(1, sizeof(*c));
	c->base.be = &ois_backend_ews;
	c->ews = ews;
	c->account = ois_xstrdup(ref->mailbox);
	c->batch = ep->getitem_batch > 0 ? ep->getitem_batch : 64;
	c->write_batch = ep->write_batch > 0 ? ep->write_batch : 50;
	c->base.write_batch = (size_t)c->write_batch;
	c->view_max = ep->calendar_view_max;
	return &c->base;
}

/* Each folder ends with its own checkpoint: a failure in the second leaves the first one whole. */
static int drv_read(struct ois_conn *conn, const struct ois_read *r)
{
	struct ews_conn *c = (struct ews_conn *)conn;
	int rc = 0;
	if (r->folders & 1u << OIS_CONTACTS)
		rc = ois_ews_read_contacts(c, r);
	if (!rc && r->folders & 1u << OIS_CALENDAR)
		rc = ois_ews_read_calendar(c, r);
	return rc;
}

/* What a GetItem of the item CreateItem would make returns: the XML written, read back. */
static json_object *drv_to_native(const char *kind, json_object *canonical)
{
	struct ois_buf xml = OIS_BUF_INIT;
	json_object *native = NULL;
	xmlDoc *doc = NULL;
	const struct kind *k = kind_of(kind);
	if (!k)
		return NULL;
	ois_buf_adds(&xml, "<w xmlns:t=\"" NS_T "\">");
	if (k->xml(canonical, NULL, &xml))
		goto out;
	ois_buf_adds(&xml, "</w>");
	char where[64];
	snprintf(where, sizeof(where), "the %s's XML", k->name);
	if (ois_ews_parse(xml.data, xml.len, where, &doc))
		goto out;
	native = k->native(ois_xml_child(xmlDocGetRootElement(doc), k->item));
out:
	xmlFreeDoc(doc);
	ois_buf_release(&xml);
	return native;
}

static int drv_find_mailboxes(struct ois_conn *conn, const char *email, char ***addresses, size_t *n)
{
	return ois_ews_resolve_names(EWS(conn), email, addresses, n);
}

/* The contacts folder, as the mailbox: the folder every sync reads first. */
static int drv_probe(struct ois_conn *conn)
{
	return ois_ews_probe_folder(EWS(conn), "contacts");
}

const struct ois_backend ois_backend_ews = {
	.map = &ois_map_ews,
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
	.write_batch = WRITE_BATCH,
};
