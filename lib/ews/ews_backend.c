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

static int drv_update(struct ois_conn *conn, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version)
{
	struct ois_buf xml = OIS_BUF_INIT;
	int n = 0, rc;
	*new_version = NULL;
	const struct kind *k = kind_ok(kind, &rc);
	if (!rc)
		rc = k->updates_xml(data, fields, &xml, &n);
	if (!rc && n == 0) {
		/* Nothing Exchange carries changed: an empty t:Updates is a schema error. */
		if (if_version)
			*new_version = ois_xstrdup(if_version);
		else
			rc = ois_ews_get_change_key(EWS(conn), id, new_version);
	} else if (!rc) {
		rc = ois_ews_update_item(EWS(conn), id, if_version, k->update_attrs, xml.data, new_version);
	}
	ois_buf_release(&xml);
	if (rc == OIS_ECONFLICT)
		ois_info("%s '%s' changed in Exchange since version '%s': not overwritten", k->name, id,
			 if_version ? if_version : "");
	return rc;
}

/*
 * DeleteItem does not check a ChangeKey, so look first: an item edited in
 * Outlook since reconcile saw it is a conflict (edit beats delete), not a
 * deletion.
 */
static int drv_remove(struct ois_conn *conn, const char *kind, const char *id, const char *if_version)
{
	int rc;
	const struct kind *k = kind_ok(kind, &rc);
	if (rc)
		return rc;
	if (if_version) {
		char *ck = NULL;
		rc = ois_ews_get_change_key(EWS(conn), id, &ck);
		if (!rc && ck && strcmp(ck, if_version)) {
			ois_info("%s '%s' changed in Exchange since version '%s': not deleted", k->name, id, if_version);
			rc = OIS_ECONFLICT;
		}
		free(ck);
		if (rc)
			return rc;
	}
	return ois_ews_delete_item(EWS(conn), id, if_version, k->delete_attrs);
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
 * Several writes at once: each kind's finds in one FindItem (an Or of op
 * ids) and its creates in one CreateItem, every item with its own response
 * message. Updates and deletes go one by one: a delete looks at the
 * ChangeKey first (drv_remove), and an update may carry nothing Exchange
 * holds.
 */
static int write_chunk(struct ois_conn *conn, struct ois_write *w, size_t n)
{
	const char **args = ois_xcalloc(n + 1, sizeof(*args));
	char **xml = ois_xcalloc(n + 1, sizeof(*xml));
	size_t *at = ois_xcalloc(n + 1, sizeof(*at));
	struct ois_ews_answer *ans = ois_xcalloc(n + 1, sizeof(*ans));
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		w[i].new_id = w[i].new_version = NULL;
	for (size_t ki = 0; ki < OIS_ARRAY_SIZE(kinds) && !rc; ki++) {
		const struct kind *k = &kinds[ki];
		/* The finds of this kind. */
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (w[i].what == OIS_WRITE_FIND && !strcmp(w[i].kind, k->name)) {
				args[m] = w[i].op_id;
				at[m++] = i;
			}
		if (m && !(rc = ois_ews_find_by_extended_many(EWS(conn), k->folder, ois_ews_op_id_uri(), args, m, ans)))
			for (size_t j = 0; j < m; j++) {
				w[at[j]].rc = ans[j].rc;
				w[at[j]].new_id = ans[j].id;
				w[at[j]].new_version = ans[j].change_key;
			}
		/* The creates of this kind; data Exchange cannot hold is that write's error alone. */
		m = 0;
		for (size_t i = 0; i < n && !rc; i++) {
			if (w[i].what != OIS_WRITE_CREATE || strcmp(w[i].kind, k->name))
				continue;
			struct ois_buf b = OIS_BUF_INIT;
			if ((w[i].rc = k->xml(w[i].data, w[i].op_id, &b))) {
				ois_buf_release(&b);
				continue;
			}
			xml[m] = ois_buf_detach(&b, NULL);
			at[m++] = i;
		}
		if (m && !rc && !(rc = ois_ews_create_items(EWS(conn), k->folder, k->create_attrs,
							   (const char *const *)xml, m, ans)))
			for (size_t j = 0; j < m; j++) {
				w[at[j]].rc = ans[j].rc;
				w[at[j]].new_id = ans[j].id;
				w[at[j]].new_version = ans[j].change_key;
			}
		for (size_t j = 0; j < m; j++) {
			free(xml[j]);
			xml[j] = NULL;
		}
	}
	for (size_t i = 0; i < n && !rc; i++) {
		if (!kind_of(w[i].kind)) {
			kind_ok(w[i].kind, &w[i].rc);
		} else if (w[i].what == OIS_WRITE_UPDATE) {
			w[i].rc = drv_update(conn, w[i].kind, w[i].id, w[i].if_version, w[i].data, w[i].fields,
					     &w[i].new_version);
		} else if (w[i].what == OIS_WRITE_REMOVE) {
			w[i].rc = drv_remove(conn, w[i].kind, w[i].id, w[i].if_version);
		}
	}
	if (rc)
		for (size_t i = 0; i < n; i++) {
			ois_write_release(&w[i]);
			w[i].rc = rc;
		}
	free(ans);
	free(at);
	free(xml);
	free(args);
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
