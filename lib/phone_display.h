/* phone_display.h - canonical contact data in the form apply writes into a server. */
#ifndef OIS_PHONE_DISPLAY_H
#define OIS_PHONE_DISPLAY_H

#include "phone.h"

#include <json-c/json.h>

/*
 * data (canonical data of kind, "contact" or "appointment") as a server is
 * to be given it: a contact's phones each in format (ois_phone_display:
 * "+12125550100" becomes "+1 212-555-0100"), everything else as it is. The
 * canonical data itself, with its E.164 values, is what reconcile compares
 * and the state keeps; only what is sent differs, and it reads back as the
 * same E.164 value. Returns a new reference the caller puts: data itself
 * when nothing changes (no phones, format OIS_PHONE_E164, data NULL), else
 * a copy. libphonenumber loads on the first number to format.
 */
json_object *ois_contact_written(json_object *data, const char *kind, enum ois_phone_format format);

#endif
