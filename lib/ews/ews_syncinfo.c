/* ews_syncinfo.c - read and write the mailbox's "InterAction Sync" record over EWS. */
#include "ews_syncinfo.h"
#include "code.h"
#include "ews_p.h"
#include "log.h"
#include "util.h"

#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#define URI_SYNC_ID "<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" " \
		    "PropertyName=\"" OIS_SYNC_PROP_SYNC_ID "\" PropertyType=\"String\"/>"
#define URI_LAST_SYNC "<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" " \
		      "PropertyName=\"" OIS_SYNC_PROP_LAST_SYNC "\" PropertyType=\"String\"/>"

void ois_ews_syncinfo_release(struct ois_ews_syncinfo *si)
{
	free(si->item_id);
	free(si->sync_id);
	free(si->last_sync);
	memset(si, 0, sizeof(*si));
}

/* Send body as op and hand back its single response message, checked. */
static int call_one(struct ois_ews *ews, const char *op, struct ois_buf *body, xmlDoc **doc, xmlNode **msg)
{
	int rc = ois_ews_call_message(ews, op, body, doc, msg);
	if (!rc && (rc = ois_ews_message_rc(ews, op, *msg))) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	return rc;
}

/* The id attribute of the first NAME element below node (depth first); owned, or NULL. */
static char *first_id(xmlNode *node, const char *name)
{
	for (xmlNode *n = node ? node->children : NULL; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, name))
			return ois_xml_attr(n, "Id");
		char *id = first_id(n, name);
		if (id)
			return id;
	}
	return NULL;
}

/* The folder under the mailbox root: 0 and *id, or OIS_ENOTFOUND. */
static int find_folder(struct ois_ews *ews, char **id)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "<m:FindFolder Traversal=\"Shallow\"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>"
		     "</m:FolderShape><m:Restriction><t:IsEqualTo><t:FieldURI FieldURI=\"folder:DisplayName\"/>"
		     "<t:FieldURIOrConstant><t:Constant Value=\"" OIS_SYNC_FOLDER "\"/></t:FieldURIOrConstant>"
		     "</t:IsEqualTo></m:Restriction><m:ParentFolderIds>");
	ois_ews_add_folder(ews, &b, "msgfolderroot");
	ois_buf_adds(&b, "</m:ParentFolderIds></m:FindFolder>");
	xmlDoc *doc;
	xmlNode *msg;
	int rc = call_one(ews, "FindFolder", &b, &doc, &msg);
	if (rc)
		return rc;
	*id = first_id(ois_xml_child(msg, "RootFolder"), "FolderId");
	xmlFreeDoc(doc);
	return *id ? 0 : OIS_ENOTFOUND;
}

static int create_folder(struct ois_ews *ews, char **id)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "<m:CreateFolder><m:ParentFolderId>");
	ois_ews_add_folder(ews, &b, "msgfolderroot");
	ois_buf_adds(&b, "</m:ParentFolderId><m:Folders><t:Folder><t:FolderClass>IPF.Note</t:FolderClass>"
		     "<t:DisplayName>" OIS_SYNC_FOLDER "</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>");
	xmlDoc *doc;
	xmlNode *msg;
	int rc = call_one(ews, "CreateFolder", &b, &doc, &msg);
	if (rc)
		return rc;
	*id = first_id(msg, "FolderId");
	xmlFreeDoc(doc);
	return *id ? 0 : ois_fail(OIS_EUNAVAIL, "broken reply from %s: CreateFolder returned no FolderId",
				  ois_ews_url(ews));
}

/* The value of the extended property named name on item, owned, or NULL. */
static char *extended_value(xmlNode *item, const char *name)
{
	for (xmlNode *n = item->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "ExtendedProperty"))
			continue;
		char *pname = ois_xml_attr(ois_xml_child(n, "ExtendedFieldURI"), "PropertyName");
		int match = pname && !strcmp(pname, name);
		free(pname);
		if (match)
			return ois_xml_text(ois_xml_child(n, "Value"));
	}
	return NULL;
}

/* The record in folder: 0 and *out, or OIS_ENOTFOUND. */
static int find_record(struct ois_ews *ews, const char *folder_id, struct ois_ews_syncinfo *out)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>"
		     "<t:AdditionalProperties>" URI_SYNC_ID URI_LAST_SYNC "</t:AdditionalProperties></m:ItemShape>"
		     "<m:Restriction><t:Exists>" URI_SYNC_ID "</t:Exists></m:Restriction>"
		     "<m:ParentFolderIds><t:FolderId Id=\"");
	ois_buf_add_xml(&b, folder_id);
	ois_buf_adds(&b, "\"/></m:ParentFolderIds></m:FindItem>");
	xmlDoc *doc;
	xmlNode *msg;
	int rc = call_one(ews, "FindItem", &b, &doc, &msg);
	if (rc)
		return rc;
	xmlNode *items = ois_xml_child(ois_xml_child(msg, "RootFolder"), "Items");
	xmlNode *item = ois_xml_child(items, NULL);
	rc = OIS_ENOTFOUND;
	if (item) {
		out->item_id = ois_xml_attr(ois_xml_child(item, "ItemId"), "Id");
		out->sync_id = extended_value(item, OIS_SYNC_PROP_SYNC_ID);
		out->last_sync = extended_value(item, OIS_SYNC_PROP_LAST_SYNC);
		rc = out->item_id && out->sync_id ? 0 : OIS_ENOTFOUND;
		if (rc)
			ois_ews_syncinfo_release(out);
	}
	xmlFreeDoc(doc);
	return rc;
}

int ois_ews_syncinfo_read(struct ois_ews *ews, struct ois_ews_syncinfo *out)
{
	memset(out, 0, sizeof(*out));
	char *folder = NULL;
	int rc = find_folder(ews, &folder);
	if (rc == 0)
		rc = find_record(ews, folder, out);
	free(folder);
	return rc;
}

static void add_text_field(struct ois_buf *b, const char *elem, const char *attrs, const char *text)
{
	ois_buf_addf(b, "<t:%s%s>", elem, attrs);
	ois_buf_add_xml(b, text);
	ois_buf_addf(b, "</t:%s>", elem);
}

static void add_extended(struct ois_buf *b, const char *uri, const char *value)
{
	ois_buf_adds(b, "<t:ExtendedProperty>");
	ois_buf_adds(b, uri);
	add_text_field(b, "Value", "", value);
	ois_buf_adds(b, "</t:ExtendedProperty>");
}

static int update_record(struct ois_ews *ews, const char *item_id, const char *sync_id,
			 const char *subject, const char *body, const char *when)
{
	struct ois_buf b = OIS_BUF_INIT;
	/* Our own record: AlwaysOverwrite; MessageDisposition is required for messages. */
	ois_buf_adds(&b, "<m:UpdateItem MessageDisposition=\"SaveOnly\" ConflictResolution=\"AlwaysOverwrite\">"
		     "<m:ItemChanges><t:ItemChange><t:ItemId Id=\"");
	ois_buf_add_xml(&b, item_id);
	ois_buf_adds(&b, "\"/><t:Updates><t:SetItemField><t:FieldURI FieldURI=\"item:Subject\"/><t:Message>");
	add_text_field(&b, "Subject", "", subject);
	ois_buf_adds(&b, "</t:Message></t:SetItemField><t:SetItemField><t:FieldURI FieldURI=\"item:Body\"/><t:Message>");
	add_text_field(&b, "Body", " BodyType=\"Text\"", body);
	ois_buf_adds(&b, "</t:Message></t:SetItemField><t:SetItemField>" URI_SYNC_ID "<t:Message>");
	add_extended(&b, URI_SYNC_ID, sync_id);
	ois_buf_adds(&b, "</t:Message></t:SetItemField><t:SetItemField>" URI_LAST_SYNC "<t:Message>");
	add_extended(&b, URI_LAST_SYNC, when);
	ois_buf_adds(&b, "</t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>");
	xmlDoc *doc;
	xmlNode *msg;
	int rc = call_one(ews, "UpdateItem", &b, &doc, &msg);
	if (!rc)
		xmlFreeDoc(doc);
	return rc;
}

static int create_record(struct ois_ews *ews, const char *folder_id, const char *sync_id,
			 const char *subject, const char *body, const char *when, char **item_id)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_buf_adds(&b, "<m:CreateItem MessageDisposition=\"SaveOnly\"><m:SavedItemFolderId><t:FolderId Id=\"");
	ois_buf_add_xml(&b, folder_id);
	ois_buf_adds(&b, "\"/></m:SavedItemFolderId><m:Items><t:Message>");
	add_text_field(&b, "Subject", "", subject);
	add_text_field(&b, "Body", " BodyType=\"Text\"", body);
	add_extended(&b, URI_SYNC_ID, sync_id);
	add_extended(&b, URI_LAST_SYNC, when);
	ois_buf_adds(&b, "</t:Message></m:Items></m:CreateItem>");
	xmlDoc *doc;
	xmlNode *msg;
	int rc = call_one(ews, "CreateItem", &b, &doc, &msg);
	if (rc)
		return rc;
	*item_id = first_id(msg, "ItemId");
	xmlFreeDoc(doc);
	return *item_id ? 0 : ois_fail(OIS_EUNAVAIL, "broken reply from %s: CreateItem returned no ItemId",
				       ois_ews_url(ews));
}

int ois_ews_syncinfo_write(struct ois_ews *ews, const char *item_id, const char *sync_id,
			   const char *when, const char *summary, char **new_item_id)
{
	char *subject, *body, *folder = NULL;
	struct ois_ews_syncinfo found = { 0 };
	int rc;
	*new_item_id = NULL;
	ois_sync_record_text(when, summary, sync_id, &subject, &body);
	if (item_id) {
		/* The item we wrote last time; gone means the user deleted the folder. */
		rc = update_record(ews, item_id, sync_id, subject, body, when);
		if (!rc)
			*new_item_id = ois_xstrdup(item_id);
		goto out;
	}
	rc = find_folder(ews, &folder);
	if (rc == OIS_ENOTFOUND)
		rc = create_folder(ews, &folder);
	if (rc)
		goto out;
	rc = find_record(ews, folder, &found);
	if (rc == 0) {
		rc = update_record(ews, found.item_id, sync_id, subject, body, when);
		if (!rc)
			*new_item_id = ois_xstrdup(found.item_id);
	} else if (rc == OIS_ENOTFOUND) {
		rc = create_record(ews, folder, sync_id, subject, body, when, new_item_id);
	}
out:
	ois_ews_syncinfo_release(&found);
	free(folder);
	free(subject);
	free(body);
	return rc;
}
