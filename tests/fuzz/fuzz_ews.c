/* fuzz_ews.c - fuzz target: EWS SOAP reply bodies, as the client parses and maps them. */
#include "fuzz.h"
#include "buf.h"
#include "ews/ews.h"
#include "ews/ews_appointment.h"
#include "ews/ews_calendar.h"
#include "ews/ews_contact.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

static int view_entry(const char *id, const char *change_key, const char *type, const char *uid, void *ctx)
{
	(void)change_key;
	(void)uid;
	*(size_t *)ctx += strlen(id) + strlen(type);
	return 0;
}

/* What the client does with each element of a reply, whatever the operation. */
static void use_element(xmlNode *e)
{
	xmlNode *iid = ois_xml_child(e, "ItemId");
	if (iid) {
		/* An item (GetItem, SyncFolderItems, FindItem): to native JSON, then canonical. */
		free(ois_xml_attr(iid, "Id"));
		free(ois_xml_attr(iid, "ChangeKey"));
		json_object *native = ois_ews_item_json(e);
		json_object_put(ois_ews_contact_to_canonical(native));
		json_object_put(native);
		/* A calendar item: canonical, and the XML a create of that data would write. */
		native = ois_ews_calendar_item_json(e);
		json_object *appointment = ois_ews_appointment_to_canonical(native);
		struct ois_buf xml = OIS_BUF_INIT;
		(void)ois_ews_appointment_xml(appointment, "op", &xml);
		ois_buf_release(&xml);
		json_object_put(appointment);
		json_object_put(native);
	}
	if (ois_xml_child(e, "RootFolder")) {
		/* A FindItem response message: the calendar view walk. */
		size_t seen = 0;
		(void)ois_ews_calendar_view_parse(e, "fuzz", view_entry, &seen);
	}
	if (!strcmp((const char *)e->name, "ResponseCode") || !strcmp((const char *)e->name, "SyncState"))
		free(ois_xml_text(e));
	free(ois_xml_attr(e, "ResponseClass"));
}

static void walk(xmlNode *n, int depth)
{
	/* libxml2 limits depth to 256 without XML_PARSE_HUGE; recursion stays bounded. */
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		use_element(n);
		walk(n->children, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlDoc *doc;
	if (ois_ews_parse((const char *)data, size, "fuzz", &doc))
		return 0;
	walk(xmlDocGetRootElement(doc), 0);
	xmlFreeDoc(doc);
	return 0;
}
