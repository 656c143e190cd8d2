/* ia_contact.h - InterAction contacts as the API sends them <-> canonical contact data. */
#ifndef OIS_IA_CONTACT_H
#define OIS_IA_CONTACT_H

#include <json-c/json.h>

/*
 * native is a user view of a contact from the InterAction API (see
 * oisync-interaction-api(7)), as oisync-extract interaction writes it in
 * "data". Returns a new object in the canonical shape of oisync-records(5),
 * values as typed (transform normalizes). Never NULL.
 */
json_object *ois_ia_contact_to_canonical(json_object *native);

/*
 * The API body that sets the canonical units in fields (NULL: every unit
 * InterAction carries, for a create) to their values in data; a unit absent
 * from data is cleared ("" in the body). Returns a new object.
 */
json_object *ois_ia_contact_from_canonical(json_object *data, json_object *fields);

#endif
