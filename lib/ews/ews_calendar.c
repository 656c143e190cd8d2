/* ews_calendar.c - EWS calendar reads: FindItem CalendarView, GetItem of calendar items and their masters. */
#include "ews_calendar.h"
#include "code.h"
#include "ews_contact.h"
#include "ews_p.h"
#include "log.h"
#include "rfc3339.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * What the calendar needs beyond AllProperties: the op id oisync tags its
 * creations with, and properties Exchange may leave out of AllProperties
 * (the time zones since Exchange 2010 replaced MeetingTimeZone with them).
 */
#define CALENDAR_EXTRA_PROPS                                       \
	"<t:FieldURI FieldURI=\"calendar:UID\"/>"                  \
	"<t:FieldURI FieldURI=\"calendar:OriginalStart\"/>"        \
	"<t:FieldURI FieldURI=\"calendar:StartTimeZone\"/>"        \
	"<t:FieldURI FieldURI=\"calendar:EndTimeZone\"/>"

static int is_elem(xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && (!name || !strcmp((const char *)n->name, name));
}

/* An integer attribute; -1 when absent or not a number. */
static long attr_long(xmlNode *n, const char *name)
{
	char *v = ois_xml_attr(n, name), *end;
	long x = -1;
	if (v) {
		x = strtol(v, &end, 10);
		if (!*v || *end || x < 0)
			x = -1;
	}
	free(v);
	return x;
}

int ois_ews_calendar_view_parse(xmlNode *msg, const char *where, ois_ews_view_fn fn, void *ctx)
{
	xmlNode *root = ois_xml_child(msg, "RootFolder");
	if (!root)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: FindItem without RootFolder", where);
	xmlNode *items = ois_xml_child(root, "Items");
	char *inc = ois_xml_attr(root, "IncludesLastItemInRange");
	long total = attr_long(root, "TotalItemsInView");
	long count = 0;
	for (xmlNode *c = items ? items->children : NULL; c; c = c->next)
		count += is_elem(c, NULL);
	/*
	 * A CalendarView cannot be paged: when the range holds more than
	 * MaxEntriesReturned, Exchange returns the first ones and says
	 * IncludesLastItemInRange="false" (TotalItemsInView counts them all).
	 * The list is then not the window, and must never pass for it.
	 */
	if (!inc)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: RootFolder without IncludesLastItemInRange", where);
	int partial = (strcmp(inc, "true") && strcmp(inc, "1")) || (total >= 0 && total > count);
	free(inc);
	if (partial)
		return OIS_ETOOMANY;
	if (count && !items)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: FindItem without Items", where);

	int rc = 0;
	for (xmlNode *item = items ? items->children : NULL; item && !rc; item = item->next) {
		if (!is_elem(item, NULL))
			continue;
		xmlNode *iid = ois_xml_child(item, "ItemId");
		char *id = ois_xml_attr(iid, "Id");
		char *ck = ois_xml_attr(iid, "ChangeKey");
		char *type = ois_xml_child(item, "CalendarItemType") ? ois_xml_text(ois_xml_child(item, "CalendarItemType"))
								      : NULL;
		char *uid = ois_xml_child(item, "UID") ? ois_xml_text(ois_xml_child(item, "UID")) : NULL;
		if (!id)
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: a calendar view item without ItemId", where);
		else
			rc = fn(id, ck, ois_str_empty(type) ? "Single" : type, ois_str_empty(uid) ? NULL : uid, ctx);
		free(id);
		free(ck);
		free(type);
		free(uid);
	}
	return rc;
}

int ois_ews_calendar_view(struct ois_ews *ews, const char *folder, time_t start, time_t end, int max_entries,
			  ois_ews_view_fn fn, void *ctx)
{
	struct ois_buf b = OIS_BUF_INIT;
	char from[21], to[21];
	xmlDoc *doc;
	xmlNode *messages;
	ois_time_format(start, from);
	ois_time_format(end, to);
	/* types.xsd orders FindItem's children: ItemShape, the view, ..., ParentFolderIds. */
	ois_buf_adds(&b, "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
		     "<t:AdditionalProperties><t:FieldURI FieldURI=\"calendar:CalendarItemType\"/>"
		     "<t:FieldURI FieldURI=\"calendar:UID\"/></t:AdditionalProperties></m:ItemShape>");
	ois_buf_addf(&b, "<m:CalendarView MaxEntriesReturned=\"%d\" StartDate=\"%s\" EndDate=\"%s\"/>", max_entries,
		     from, to);
	ois_buf_adds(&b, "<m:ParentFolderIds>");
	ois_ews_add_folder(ews, &b, folder);
	ois_buf_adds(&b, "</m:ParentFolderIds></m:FindItem>");
	int rc = ois_ews_call(ews, "FindItem", b.data, &doc, &messages);
	ois_buf_release(&b);
	if (rc)
		return rc;
	xmlNode *msg = ois_xml_child(messages, NULL);
	if (!msg)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: FindItem without a response message", ois_ews_url(ews));
	else if (!(rc = ois_ews_message_rc(ews, "FindItem", msg)))
		rc = ois_ews_calendar_view_parse(msg, ois_ews_url(ews), fn, ctx);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- GetItem ---- */

typedef int (*item_node_fn)(size_t i, xmlNode *item, void *ctx);

/*
 * GetItem of the n item id elements in ids_xml with shape (an m:ItemShape):
 * one response message per id, in order; fn(i, t:Item element) for each
 * found; ErrorItemNotFound skipped with a note naming names[i].
 */
static int get_items(struct ois_ews *ews, const char *shape, const char *ids_xml, size_t n,
		     const char *const *names, item_node_fn fn, void *ctx)
{
	struct ois_buf b = OIS_BUF_INIT;
	xmlDoc *doc;
	xmlNode *messages;
	ois_buf_adds(&b, "<m:GetItem>");
	ois_buf_adds(&b, shape);
	ois_buf_adds(&b, "<m:ItemIds>");
	ois_buf_adds(&b, ids_xml);
	ois_buf_adds(&b, "</m:ItemIds></m:GetItem>");
	int rc = ois_ews_call(ews, "GetItem", b.data, &doc, &messages);
	ois_buf_release(&b);
	if (rc)
		return rc;
	size_t seen = 0;
	for (xmlNode *msg = messages->children; msg && !rc; msg = msg->next) {
		if (!is_elem(msg, NULL))
			continue;
		if (seen == n) {
			seen++;
			break;
		}
		size_t i = seen++;
		rc = ois_ews_message_rc(ews, "GetItem", msg);
		if (rc == OIS_ENOTFOUND) {
			ois_info("item '%s' is gone (deleted since the calendar view): skipped", names[i]);
			rc = 0;
			continue;
		}
		if (rc)
			break;
		xmlNode *item = ois_xml_child(ois_xml_child(msg, "Items"), NULL);
		if (!item || !ois_xml_child(item, "ItemId")) {
			rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: GetItem message without Items/ItemId",
				      ois_ews_url(ews));
			break;
		}
		rc = fn(i, item, ctx);
	}
	if (!rc && seen != n)
		rc = ois_fail(OIS_EUNAVAIL, "broken reply from %s: %zu GetItem messages for %zu ids", ois_ews_url(ews),
			      seen, n);
	xmlFreeDoc(doc);
	return rc;
}

struct item_call {
	ois_ews_item_fn item_fn;
	ois_ews_master_fn master_fn;
	void *ctx;
};

static int one_item(size_t i, xmlNode *item, void *ctx)
{
	struct item_call *c = ctx;
	(void)i;
	xmlNode *iid = ois_xml_child(item, "ItemId");
	char *id = ois_xml_attr(iid, "Id");
	char *ck = ois_xml_attr(iid, "ChangeKey");
	xmlNode *lm = ois_xml_child(item, "LastModifiedTime");
	char *modified = lm ? ois_xml_text(lm) : NULL;
	json_object *native = ois_ews_calendar_item_json(item);
	int rc = id ? c->item_fn(native, id, ck, modified, c->ctx) : OIS_EUNAVAIL;
	json_object_put(native);
	free(id);
	free(ck);
	free(modified);
	return rc;
}

int ois_ews_get_calendar_items(struct ois_ews *ews, const char *const *ids, size_t n, ois_ews_item_fn fn,
			       void *ctx)
{
	struct ois_buf shape = OIS_BUF_INIT, idx = OIS_BUF_INIT;
	struct item_call c = { .item_fn = fn, .ctx = ctx };
	if (!n)
		return 0;
	ois_buf_adds(&shape, "<m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:BodyType>Text</t:BodyType>"
			     "<t:AdditionalProperties>" CALENDAR_EXTRA_PROPS);
	ois_buf_adds(&shape, ois_ews_op_id_uri());
	ois_buf_adds(&shape, "</t:AdditionalProperties></m:ItemShape>");
	for (size_t i = 0; i < n; i++) {
		ois_buf_adds(&idx, "<t:ItemId Id=\"");
		ois_buf_add_xml(&idx, ids[i]);
		ois_buf_adds(&idx, "\"/>");
	}
	int rc = get_items(ews, shape.data, idx.data, n, ids, one_item, &c);
	ois_buf_release(&shape);
	ois_buf_release(&idx);
	return rc;
}

static int one_master(size_t i, xmlNode *item, void *ctx)
{
	struct item_call *c = ctx;
	xmlNode *iid = ois_xml_child(item, "ItemId");
	char *id = ois_xml_attr(iid, "Id");
	char *ck = ois_xml_attr(iid, "ChangeKey");
	int rc = id ? c->master_fn(i, id, ck, c->ctx) : OIS_EUNAVAIL;
	free(id);
	free(ck);
	return rc;
}

int ois_ews_get_masters(struct ois_ews *ews, const char *const *occurrence_ids, size_t n, ois_ews_master_fn fn,
			void *ctx)
{
	struct ois_buf idx = OIS_BUF_INIT;
	struct item_call c = { .master_fn = fn, .ctx = ctx };
	if (!n)
		return 0;
	/* Any occurrence's or exception's id names its series' master (MS-OXWSCORE RecurringMasterItemIdType). */
	for (size_t i = 0; i < n; i++) {
		ois_buf_adds(&idx, "<t:RecurringMasterItemId OccurrenceId=\"");
		ois_buf_add_xml(&idx, occurrence_ids[i]);
		ois_buf_adds(&idx, "\"/>");
	}
	int rc = get_items(ews, "<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>", idx.data, n,
			   occurrence_ids, one_master, &c);
	ois_buf_release(&idx);
	return rc;
}

/* ---- native JSON ---- */

static int is_list(const char *name)
{
	static const char *const lists[] = {
		"RequiredAttendees", "OptionalAttendees", "Resources",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(lists); i++)
		if (!strcmp(lists[i], name))
			return 1;
	return 0;
}

json_object *ois_ews_calendar_item_json(xmlNode *item)
{
	json_object *o = ois_ews_item_json(item);
	for (xmlNode *c = item->children; c; c = c->next) {
		if (!is_elem(c, NULL) || !ois_xml_child(c, NULL))
			continue;
		const char *name = (const char *)c->name;
		if (is_list(name)) {
			/* One attendee or many: always an array of them. */
			json_object *arr = json_object_new_array();
			for (xmlNode *e = c->children; e; e = e->next)
				if (is_elem(e, NULL))
					json_object_array_add(arr, ois_ews_item_json(e));
			json_object_object_add(o, name, arr);
			continue;
		}
		json_object *v;
		if (!c->properties || !json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_object))
			continue;
		/* StartTimeZone Id="Eastern Standard Time" Name="..." holds Periods too: keep both. */
		for (xmlAttr *a = c->properties; a; a = a->next) {
			const char *an = (const char *)a->name;
			if (json_object_object_get_ex(v, an, NULL))
				continue;
			char *av = ois_xml_attr(c, an);
			json_object_object_add(v, an, json_object_new_string(av ? av : ""));
			free(av);
		}
	}
	return o;
}
