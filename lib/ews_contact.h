/* ews_contact.h - Outlook contacts as EWS sends them <-> canonical contact data. */
#ifndef OIS_EWS_CONTACT_H
#define OIS_EWS_CONTACT_H

#include "buf.h"

#include <json-c/json.h>

/*
 * native is the "data" oisync-extract exchange writes for a contact: the
 * t:Contact element as JSON (see oisync-records(5)). Returns a new object in
 * the canonical shape of DESIGN.md section 2, values as typed (transform
 * normalizes phones, e-mail case, countries, Unicode). Never NULL.
 */
json_object *ois_ews_contact_to_canonical(json_object *native);

#endif
