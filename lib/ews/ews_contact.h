/* ews_contact.h - Outlook contacts as EWS sends them <-> canonical contact data. */
#ifndef OIS_EWS_CONTACT_H
#define OIS_EWS_CONTACT_H

#include "buf.h"

#include <json-c/json.h>

/*
 * Keys of "ExtendedProperties" in the native data (see oisync-extract(1),
 * DATA FORMAT): the op id that tags what oisync creates, and the property
 * set of Outlook's User Fields 1-4 (their LIDs, and the tags of other
 * extended properties, are in lib/contact_fields.def).
 */
#define OIS_EWS_OP_ID_KEY "PublicStrings:oisync-op-id"
#define OIS_EWS_PSETID_ADDRESS "00062004-0000-0000-C000-000000000046"

/*
 * native is the "data" oisync-extract exchange writes for a contact: the
 * t:Contact element as JSON (see oisync-extract(1), DATA FORMAT). Returns a
 * new object in the canonical shape of oisync-records(5), values as typed
 * (transform normalizes phones, e-mail case, countries, Unicode). Never NULL.
 */
json_object *ois_ews_contact_to_canonical(json_object *native);

/*
 * Append to out the t:Contact element (with the "t" prefix bound to the EWS
 * types namespace by the caller's envelope) that CreateItem needs to create a
 * contact holding the canonical data, tagged with op_id (NULL: untagged).
 * Elements come in the schema's order. Returns 0, or OIS_EDATA after logging
 * when data holds a value EWS cannot carry (a birthday not YYYY-MM-DD).
 */
int ois_ews_contact_xml(json_object *data, const char *op_id, struct ois_buf *out);

/*
 * Append to out the t:SetItemField / t:DeleteItemField elements (the
 * contents of t:Updates) that set each canonical unit of fields (an array of
 * strings: "first", "phones.mobile", "emails.work", "addresses.business",
 * "custom.1", "categories", ...; a group name such as "phones" means all its
 * units) to its value in data; a unit absent from data is deleted. Units
 * Exchange does not carry are ignored. Sets *n to the number of elements
 * written. Returns 0, or OIS_EDATA after logging for an unknown unit or a
 * value EWS cannot carry.
 */
int ois_ews_contact_updates_xml(json_object *data, json_object *fields, struct ois_buf *out, int *n);

/*
 * The t:ExtendedFieldURI elements a GetItem must ask for in
 * AdditionalProperties so ois_ews_contact_to_canonical sees every field:
 * the op id, User Fields 1-4 and the display name prefix. Static string.
 */
const char *ois_ews_contact_extended_uris(void);
/* The t:ExtendedFieldURI of the op id tag (for FindItem). Static string. */
const char *ois_ews_op_id_uri(void);

/*
 * Birthday as EWS sends it (an xs:dateTime, or a date) -> "YYYY-MM-DD" in
 * buf (11 bytes). Outlook stores a birthday as local midnight in UTC, so a
 * time after noon UTC belongs to the next day (ois_date_of_midnight).
 * Returns 0, or -1 when s is not a date.
 */
int ois_ews_birthday_date(const char *s, char out[11]);

#endif
