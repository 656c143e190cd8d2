/* phone_display.h - canonical contact data in the form apply writes into a server. */
#ifndef OIS_PHONE_DISPLAY_H
#define OIS_PHONE_DISPLAY_H

#include "phone.h"

#include <json-c/json.h>

/*
 * The key of canonical contact data that keeps, when phone_format is
 * as-typed, the text a valid number was typed as: an object from the E.164
 * value (a value of "phones") to that text, {"+12125550100": "(212)
 * 555-0100"}, with an entry only where the two differ. It is no merge unit:
 * reconcile never compares it, so two spellings of one number are one
 * value; it travels with the values it names (ois_phones_typed_carry).
 */
#define OIS_PHONES_TYPED "phones_typed"

/*
 * data (canonical data of kind, "contact" or "appointment") as a server is
 * to be given it: a contact's phones each in format (ois_phone_display:
 * "+12125550100" becomes "+1 212-555-0100"; as-typed: the text
 * OIS_PHONES_TYPED keeps for the value, else the value), everything else as
 * it is. The
 * canonical data itself, with its E.164 values, is what reconcile compares
 * and the state keeps; only what is sent differs, and it reads back as the
 * same E.164 value. Returns a new reference the caller puts: data itself
 * when nothing changes (no phones, format OIS_PHONE_E164, data NULL), else
 * a copy. libphonenumber loads on the first number to format.
 */
json_object *ois_contact_written(json_object *data, const char *kind, enum ois_phone_format format);

/*
 * Set data's OIS_PHONES_TYPED to the entries of from[0..n) (each canonical
 * contact data or NULL; the first that has a value wins) whose E.164 value
 * is one of data's phones, so that the merged data reconcile or apply
 * builds from several items writes each number as it was typed where it
 * came from. Removed when none is left.
 */
void ois_phones_typed_carry(json_object *data, json_object *const *from, size_t n);

#endif
