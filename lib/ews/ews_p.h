/* ews_p.h - what lib/ews/ews.c shares with the other lib/ews/ files only (not for stages). */
#ifndef OIS_EWS_P_H
#define OIS_EWS_P_H

#include "buf.h"
#include "ews.h"

/* The namespaces of an EWS request and reply. */
#define NS_SOAP "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_M "http://schemas.microsoft.com/exchange/services/2006/messages"
#define NS_T "http://schemas.microsoft.com/exchange/services/2006/types"

/*
 * Send body (the contents of soap:Body) as operation op, retried on
 * throttling and transport failures, and check the reply: HTTP status,
 * well-formed XML, no SOAP fault, m:OPResponse/m:ResponseMessages present.
 * On 0, *doc (free with xmlFreeDoc) and *messages (inside it); else both
 * NULL and the failure logged (codes as in ews.h).
 */
int ois_ews_call(struct ois_ews *ews, const char *op, const char *body, xmlDoc **doc, xmlNode **messages);
/*
 * ois_ews_call of a request of one item (body released): its single
 * response message in *msg, not checked (ois_ews_message_rc). A reply
 * without one is OIS_EUNAVAIL, logged, with *doc NULL.
 */
int ois_ews_call_message(struct ois_ews *ews, const char *op, struct ois_buf *body, xmlDoc **doc, xmlNode **msg);
/* A response message's ResponseClass: 0 for Success or Warning, else its code mapped as in ews.h. */
int ois_ews_message_rc(struct ois_ews *ews, const char *op, xmlNode *msg);
/* Append the t:DistinguishedFolderId of folder (naming the mailbox for delegate access). */
void ois_ews_add_folder(struct ois_ews *ews, struct ois_buf *b, const char *folder);
/*
 * The retry hook of every EWS call (an ois_http_retry_fn): 1 when the reply
 * is ErrorServerBusy (a SOAP fault or a response message), with *delay_ms
 * its BackOffMilliseconds (LONG_MAX when too large for a long; -1 when
 * absent or not a number); else 0. ctx is unused.
 */
int ois_ews_server_busy(const struct ois_http_response *resp, long *delay_ms, void *ctx);
/* The endpoint URL, for messages. Borrowed. */
const char *ois_ews_url(const struct ois_ews *ews);

#endif
