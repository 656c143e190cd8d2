/* ews_driver.c - struct ois_driver for an Exchange mailbox over EWS (contacts). */
#include "code.h"
#include "drivers.h"
#include "ews.h"
#include "ews_contact.h"
#include "ews_syncinfo.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define FOLDER "contacts"

#define EWS(conn) (((struct ews_conn *)(conn))->ews)

/* The driver lives inside its connection, so close frees both. */
struct ews_conn {
	struct ois_driver drv;
	struct ois_ews *ews;
};

static int kind_ok(const char *kind)
{
	if (kind && !strcmp(kind, "contact"))
		return 0;
	return ois_fail(OIS_ESOFTWARE, "exchange: kind '%s' is not supported", kind ? kind : "");
}

static int drv_create(void *conn, const char *kind, json_object *data, const char *op_id,
		      char **new_id, char **new_version, struct ois_adopted *adopted)
{
	struct ois_buf xml = OIS_BUF_INIT;
	if (adopted) /* a mailbox has no shared items to adopt: every create makes one */
		*adopted = (struct ois_adopted){ 0 };
	*new_id = *new_version = NULL;
	int rc = kind_ok(kind);
	if (!rc)
		rc = ois_ews_contact_xml(data, op_id, &xml);
	if (!rc)
		rc = ois_ews_create_item(EWS(conn), FOLDER, xml.data, new_id, new_version);
	ois_buf_release(&xml);
	return rc;
}

static int drv_update(void *conn, const char *kind, const char *id, const char *if_version,
		      json_object *data, json_object *fields, char **new_version)
{
	struct ois_buf xml = OIS_BUF_INIT;
	int n = 0;
	*new_version = NULL;
	int rc = kind_ok(kind);
	if (!rc)
		rc = ois_ews_contact_updates_xml(data, fields, &xml, &n);
	if (!rc && n == 0) {
		/* Nothing Exchange carries changed: an empty t:Updates is a schema error. */
		if (if_version)
			*new_version = ois_xstrdup(if_version);
		else
			rc = ois_ews_get_change_key(EWS(conn), id, new_version);
	} else if (!rc) {
		rc = ois_ews_update_item(EWS(conn), id, if_version, xml.data, new_version);
	}
	ois_buf_release(&xml);
	if (rc == OIS_ECONFLICT)
		ois_info("contact '%s' changed in Exchange since version '%s': not overwritten", id,
			 if_version ? if_version : "");
	return rc;
}

/*
 * DeleteItem does not check a ChangeKey, so look first: an item edited in
 * Outlook since reconcile saw it is a conflict (edit beats delete), not a
 * deletion.
 */
static int drv_remove(void *conn, const char *kind, const char *id, const char *if_version)
{
	int rc = kind_ok(kind);
	if (rc)
		return rc;
	if (if_version) {
		char *ck = NULL;
		rc = ois_ews_get_change_key(EWS(conn), id, &ck);
		if (!rc && ck && strcmp(ck, if_version)) {
			ois_info("contact '%s' changed in Exchange since version '%s': not deleted", id, if_version);
			rc = OIS_ECONFLICT;
		}
		free(ck);
		if (rc)
			return rc;
	}
	return ois_ews_delete_item(EWS(conn), id, if_version);
}

/* CreateItem is one request: an item found by its tag is complete, data is not needed. */
static int drv_find_by_op(void *conn, const char *kind, const char *op_id, json_object *data,
			  char **id, char **version)
{
	(void)data;
	*id = *version = NULL;
	int rc = kind_ok(kind);
	if (rc)
		return rc;
	return ois_ews_find_by_extended(EWS(conn), FOLDER, ois_ews_op_id_uri(), op_id, id, version);
}

static int drv_mark_synced(void *conn, const char *item_id, const char *sync_id, const char *when,
			   const char *summary, char **new_item_id)
{
	return ois_ews_syncinfo_write(EWS(conn), item_id, sync_id, when, summary, new_item_id);
}

static void drv_close(void *conn)
{
	struct ews_conn *c = conn;
	if (!c)
		return;
	ois_ews_free(c->ews);
	free(c);
}

struct ois_driver *ois_ews_driver_open(const struct ois_endpoint *ep, const char *mailbox, int *rc)
{
	struct ois_ews *ews = ois_ews_open(ep, NULL, mailbox, rc);
	if (!ews)
		return NULL;
	struct ews_conn *c = ois_xcalloc(1, sizeof(*c));
	c->ews = ews;
	c->drv = (struct ois_driver){
		.name = "exchange",
		.conn = c,
		.create = drv_create,
		.update = drv_update,
		.remove = drv_remove,
		.find_by_op = drv_find_by_op,
		.mark_synced = drv_mark_synced,
		.close = drv_close,
	};
	return &c->drv;
}
