/* ews_probe.c - the cheapest EWS request a sync's rights are needed for, for oisync check. */
#include "code.h"
#include "ews_p.h"
#include "log.h"

#include <libxml/tree.h>

/*
 * One GetFolder (IdOnly) of the distinguished folder, as the mailbox (the
 * impersonation header or the delegate's mailbox element that every call
 * carries): a wrong password, a missing impersonation right or an unknown
 * mailbox all fail here as they would at the run's first SyncFolderItems.
 */
int ois_ews_probe_folder(struct ois_ews *ews, const char *folder)
{
	struct ois_buf body = OIS_BUF_INIT;
	ois_buf_adds(&body, "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>");
	ois_ews_add_folder(ews, &body, folder);
	ois_buf_adds(&body, "</m:FolderIds></m:GetFolder>");
	xmlDoc *doc = NULL;
	xmlNode *msg;
	int rc = ois_ews_call_message(ews, "GetFolder", &body, &doc, &msg);
	if (rc)
		return rc;
	rc = ois_ews_message_rc(ews, "GetFolder", msg);
	xmlFreeDoc(doc);
	return rc;
}
