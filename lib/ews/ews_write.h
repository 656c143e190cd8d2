/* ews_write.h - the text pieces of the XML every EWS item write sends (contacts and calendar items alike). */
#ifndef OIS_EWS_WRITE_H
#define OIS_EWS_WRITE_H

#include "buf.h"

#include <json-c/json.h>

/*
 * Written as text into a struct ois_buf, never through libxml2: the
 * mappings that use these are linked into oisync-transform, which links no
 * XML library (tests/layout.bats). The "t" prefix is bound to the EWS types
 * namespace by the caller's envelope.
 */

/* ItemType's ExtendedProperty's place in the schema (its children count from 1): where an op id tag goes. */
#define OIS_EWS_ORDER_EXTENDED_PROPERTY 30

/* s when it holds something other than white space, else NULL. */
const char *ois_ews_nonblank(const char *s);

/* An address as EWS may send it, "SMTP:addr", without the prefix; other routing types (EX, X500) as they are. */
const char *ois_ews_strip_smtp(const char *addr);

/* XML text: escaped, with the C0 controls XML 1.0 cannot carry dropped, CR kept as a reference. */
void ois_ews_add_text(struct ois_buf *out, const char *s);
/* <t:name>val</t:name> */
void ois_ews_add_elem(struct ois_buf *out, const char *name, const char *val);
/* <t:name BodyType="Text">text</t:name> */
void ois_ews_add_body(struct ois_buf *out, const char *name, const char *text);
/* 1 when arr is an array holding a non-blank string. */
int ois_ews_has_strings(json_object *arr);
/* <t:name> with a t:String per non-blank string of arr </t:name> (Categories). */
void ois_ews_add_strings(struct ois_buf *out, const char *name, json_object *arr);
/* A t:ExtendedProperty: uri (a t:ExtendedFieldURI element) and its t:Value. */
void ois_ews_add_ext(struct ois_buf *out, const char *uri, const char *val);

/*
 * One change of an UpdateItem's t:Updates: a t:SetItemField of the field
 * uri_elem names (a t:FieldURI, t:IndexedFieldURI or t:ExtendedFieldURI
 * element) to the element in inner, wrapped in t:item ("Contact",
 * "CalendarItem"), or a t:DeleteItemField when inner is empty. inner is
 * emptied, and *n counts the change.
 */
void ois_ews_change(struct ois_buf *out, const char *item, const char *uri_elem, struct ois_buf *inner, int *n);

#endif
