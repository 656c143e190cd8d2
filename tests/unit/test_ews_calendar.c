/* test_ews_calendar.c - calendar views and items from canned EWS replies; the calendar window and token. */
#include "buf.h"
#include "code.h"
#include "config.h"
#include "ews/ews.h"
#include "ews/ews_calendar.h"
#include "rfc3339.h"
#include "calendar_token.h"
#include "../../extract/extract.h"
#include "unit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		unit_fail(__FILE__, __LINE__, "cannot open '%s' (run from the top folder)", path);
		return NULL;
	}
	struct ois_buf b = OIS_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ois_buf_add(&b, chunk, n);
	fclose(fp);
	return ois_buf_detach(&b, len);
}

/* The first response message of a canned reply to op; *doc to free. */
static xmlNode *first_message(const char *path, const char *op, xmlDoc **doc)
{
	size_t len;
	char *xml = slurp(path, &len);
	*doc = NULL;
	if (!xml)
		return NULL;
	int rc = ois_ews_parse(xml, len, "test", doc);
	free(xml);
	CHECK_INT(rc, 0);
	if (rc)
		return NULL;
	char resp[64];
	snprintf(resp, sizeof(resp), "%sResponse", op);
	return ois_xml_child(ois_xml_child(ois_xml_child(ois_xml_child(xmlDocGetRootElement(*doc), "Body"), resp),
					   "ResponseMessages"), NULL);
}

static int collect(const char *id, const char *change_key, const char *type, const char *uid, void *ctx)
{
	struct ois_buf *b = ctx;
	ois_buf_addf(b, "%s %s %s %s;", id, change_key ? change_key : "-", type, uid ? uid : "-");
	return 0;
}

static void test_view_complete(void)
{
	xmlDoc *doc;
	xmlNode *msg = first_message("tests/data/ews/calendar_view.xml", "FindItem", &doc);
	struct ois_buf b = OIS_BUF_INIT;
	CHECK_INT(ois_ews_calendar_view_parse(msg, "test", collect, &b), 0);
	CHECK_STR(b.data, "AAMkSingle1 DwAAABYA1 Single 040000008200E00074C5B7101A82E0080000000011;"
			  "AAMkOcc1 DwAAABYA2 Occurrence 040000008200E00074C5B7101A82E0080000000022;"
			  "AAMkExc1 DwAAABYA3 Exception -;");
	ois_buf_release(&b);
	xmlFreeDoc(doc);
}

/* More items in the range than returned: never a short window, and nothing handed out. */
static void test_view_partial(void)
{
	xmlDoc *doc;
	xmlNode *msg = first_message("tests/data/ews/calendar_view_partial.xml", "FindItem", &doc);
	struct ois_buf b = OIS_BUF_INIT;
	CHECK_INT(ois_ews_calendar_view_parse(msg, "test", collect, &b), OIS_ETOOMANY);
	CHECK_INT(b.len, 0);
	/* TotalItemsInView above the count says the same, whatever IncludesLastItemInRange claims. */
	xmlNode *root = ois_xml_child(msg, "RootFolder");
	xmlSetProp(root, (const xmlChar *)"IncludesLastItemInRange", (const xmlChar *)"true");
	CHECK_INT(ois_ews_calendar_view_parse(msg, "test", collect, &b), OIS_ETOOMANY);
	xmlSetProp(root, (const xmlChar *)"TotalItemsInView", (const xmlChar *)"2");
	CHECK_INT(ois_ews_calendar_view_parse(msg, "test", collect, &b), 0);
	CHECK_STR(b.data, "AAMkA 1 Single -;AAMkB 1 Single -;");
	/* Without the flag or the root folder the reply is broken. */
	xmlUnsetProp(root, (const xmlChar *)"IncludesLastItemInRange");
	CHECK_INT(ois_ews_calendar_view_parse(msg, "test", collect, &b), OIS_EUNAVAIL);
	xmlUnlinkNode(root);
	xmlFreeNode(root);
	CHECK_INT(ois_ews_calendar_view_parse(msg, "test", collect, &b), OIS_EUNAVAIL);
	ois_buf_release(&b);
	xmlFreeDoc(doc);
}

static void test_item_json(void)
{
	xmlDoc *doc;
	xmlNode *msg = first_message("tests/data/ews/getitem_calendar.xml", "GetItem", &doc);
	xmlNode *item = ois_xml_child(ois_xml_child(msg, "Items"), "CalendarItem");
	CHECK(item != NULL);
	if (!item) {
		xmlFreeDoc(doc);
		return;
	}
	json_object *o = ois_ews_calendar_item_json(item);
	CHECK_STR(ois_json_str(o, "Subject"), "Weekly partners' meeting");
	CHECK_STR(ois_json_str(o, "CalendarItemType"), "Occurrence");
	CHECK_STR(ois_json_str(o, "RecurrenceId"), "2026-11-26T14:00:00Z");
	CHECK_STR(ois_json_str(o, "Body"), "Agenda follows.");
	CHECK(!json_object_object_get_ex(o, "ItemId", NULL));
	/* One attendee is still a list. */
	json_object *req = ois_json_arr(o, "RequiredAttendees");
	CHECK_INT(req ? json_object_array_length(req) : 0, 1);
	CHECK_STR(ois_json_str(ois_json_obj(json_object_array_get_idx(req, 0), "Mailbox"), "EmailAddress"),
		  "bob@firm.example");
	CHECK_STR(ois_json_str(ois_json_obj(ois_json_obj(o, "Organizer"), "Mailbox"), "EmailAddress"),
		  "alice@firm.example");
	/* The Windows zone name is an attribute of an element that also holds elements. */
	json_object *tz = ois_json_obj(o, "StartTimeZone");
	CHECK_STR(ois_json_str(tz, "Id"), "Eastern Standard Time");
	CHECK_STR(ois_json_str(tz, "Name"), "(UTC-05:00) Eastern Time (US & Canada)");
	CHECK(ois_json_obj(tz, "Periods") != NULL);
	CHECK_STR(json_object_to_json_string(ois_json_arr(o, "Categories")), "[ \"Firm\" ]");
	json_object_put(o);
	xmlFreeDoc(doc);
}

static void test_window(void)
{
	struct ois_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.defaults.calendar_history_days = 30;
	cfg.defaults.calendar_future_days = 180;
	struct extract_args args = { .cfg = &cfg, .mailbox = "alice@firm.example" };
	time_t now = 1795478400 + 37800, start, end; /* 2026-11-24T10:30:00Z */
	CHECK_INT(extract_calendar_window(&args, now, &start, &end), 0);
	char a[21], b[21];
	ois_time_format(start, a);
	ois_time_format(end, b);
	CHECK_STR(a, "2026-10-25T00:00:00Z");
	CHECK_STR(b, "2027-05-24T00:00:00Z");
	/* The same day gives the same window: it moves once a day. */
	time_t s2, e2;
	CHECK_INT(extract_calendar_window(&args, now + 40000, &s2, &e2), 0);
	CHECK(s2 == start && e2 == end);
	args.window_start = "2026-11-01";
	args.window_end = "2026-12-01T00:00:00Z";
	CHECK_INT(extract_calendar_window(&args, now, &start, &end), 0);
	ois_time_format(start, a);
	ois_time_format(end, b);
	CHECK_STR(a, "2026-11-01T00:00:00Z");
	CHECK_STR(b, "2026-12-01T00:00:00Z");
	args.window_end = "2026-10-01";
	CHECK_INT(extract_calendar_window(&args, now, &start, &end), OIS_EUSAGE);
	args.window_end = "tomorrow";
	CHECK_INT(extract_calendar_window(&args, now, &start, &end), OIS_EUSAGE);
}

static void test_token(void)
{
	char *tok = ois_calendar_token("H4sIAAA\"/=", 1795478400, 1795478400 + 86400);
	CHECK_STR(tok, "{\"v\":1,\"sync\":\"H4sIAAA\\\"/=\",\"start\":\"2026-11-24T00:00:00Z\",\"end\":\"2026-11-25T00:00:00Z\"}");
	char *sync = NULL;
	time_t s = 0, e = 0;
	CHECK_INT(ois_calendar_token_parse(tok, &sync, &s, &e), 0);
	CHECK_STR(sync, "H4sIAAA\"/=");
	CHECK_INT(s, 1795478400);
	CHECK_INT(e, 1795478400 + 86400);
	free(sync);
	free(tok);
	static const char *const bad[] = {
		"H4sIAAAAAAAEAO29B2AcSZYlJi9tynt",    /* a bare SyncState */
		"{\"v\":2,\"sync\":\"x\",\"start\":\"2026-11-24\",\"end\":\"2026-11-25\"}",
		"{\"v\":1,\"sync\":\"\",\"start\":\"2026-11-24\",\"end\":\"2026-11-25\"}",
		"{\"v\":1,\"sync\":\"x\",\"start\":\"yesterday\",\"end\":\"2026-11-25\"}",
		"{\"v\":1,\"sync\":\"x\"}",
		"{",
		"",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad); i++) {
		CHECK_INT(ois_calendar_token_parse(bad[i], &sync, &s, &e), -1);
		CHECK(sync == NULL);
	}
}

int main(void)
{
	UNIT_RUN(test_view_complete);
	UNIT_RUN(test_view_partial);
	UNIT_RUN(test_item_json);
	UNIT_RUN(test_window);
	UNIT_RUN(test_token);
	return unit_done();
}
