/* ews_resolve.c - ResolveNames: who in the Exchange directory has an e-mail address, for oisync users match. */
#include "code.h"
#include "ews_p.h"
#include "log.h"
#include "util.h"

#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

/*
 * ResolveNames of one address in the directory only (SearchScope
 * ActiveDirectory: the caller's own contacts are no mailboxes), without
 * a routing type, so Exchange matches it against primary SMTP addresses.
 * Success is one resolution, the Warning ErrorNameResolutionMultipleResults
 * several, the Error ErrorNameResolutionNoResults none: an answer, not a
 * failure. Each t:Resolution/t:Mailbox's EmailAddress (a contact found
 * through the directory has one too) goes into *addresses.
 */
int ois_ews_resolve_names(struct ois_ews *ews, const char *email, char ***addresses, size_t *n)
{
	*addresses = NULL;
	*n = 0;
	struct ois_buf body = OIS_BUF_INIT;
	ois_buf_adds(&body, "<m:ResolveNames ReturnFullContactData=\"false\" SearchScope=\"ActiveDirectory\">"
			    "<m:UnresolvedEntry>");
	ois_buf_add_xml(&body, email);
	ois_buf_adds(&body, "</m:UnresolvedEntry></m:ResolveNames>");
	xmlDoc *doc = NULL;
	xmlNode *msg;
	int rc = ois_ews_call_message(ews, "ResolveNames", &body, &doc, &msg);
	if (rc)
		return rc;
	char *code = ois_xml_text(ois_xml_child(msg, "ResponseCode"));
	int none = !strcmp(code, "ErrorNameResolutionNoResults");
	free(code);
	rc = none ? 0 : ois_ews_message_rc(ews, "ResolveNames", msg);
	xmlNode *set = rc || none ? NULL : ois_xml_child(msg, "ResolutionSet");
	for (xmlNode *r = set ? set->children : NULL; r; r = r->next) {
		if (r->type != XML_ELEMENT_NODE || strcmp((const char *)r->name, "Resolution"))
			continue;
		char *addr = ois_xml_text(ois_xml_child(ois_xml_child(r, "Mailbox"), "EmailAddress"));
		if (!*addr) {
			free(addr);
			continue;
		}
		*addresses = ois_xrealloc(*addresses, (*n + 1) * sizeof(**addresses));
		(*addresses)[(*n)++] = addr;
	}
	xmlFreeDoc(doc);
	return rc;
}
