/* graph_contact.h - Outlook contacts as Microsoft Graph sends them <-> canonical contact data. */
#ifndef OIS_GRAPH_CONTACT_H
#define OIS_GRAPH_CONTACT_H

#include <json-c/json.h>

/*
 * native is a Graph v1.0 contact resource as a GET returns it, with the
 * singleValueExtendedProperties ois_graph_contact_expand asks for. Returns
 * a new object in the canonical shape of oisync-records(5), values as
 * typed (transform normalizes phones, e-mail case, countries, Unicode); a
 * value of white space only is none. Never NULL.
 */
json_object *ois_graph_contact_to_canonical(json_object *native);

/*
 * The JSON body that writes canonical data to Graph (lib/contact_fields.def,
 * the Graph column): with fields NULL, a create's (POST): every unit data
 * holds, and nothing for an empty one (Graph refuses a null complex value
 * in a create). With fields, an update's (PATCH): each unit named (an array
 * of strings such as "first", "phones.mobile", "custom.1"; a group name
 * such as "phones" means all its units, "addresses.business.city" the
 * whole address) set to its value in data, or cleared when data lacks it:
 * null for a property, [] for a collection, "" for a String extended
 * property, 0 for the mailing address and private. A collection
 * (emailAddresses, businessPhones, homePhones) is written whole from data
 * whichever of its units is named, its slots in table order ("" for an
 * empty slot before a filled one). Returns a new object, or NULL after
 * logging (OIS_EDATA) when data holds what Graph cannot carry: a birthday
 * that is not YYYY-MM-DD, a mailing address that is not business, home or
 * other, an unknown unit.
 */
json_object *ois_graph_contact_from_canonical(json_object *data, json_object *fields);

/*
 * The value of the $expand query option a contact read needs (not
 * URL-encoded): singleValueExtendedProperties($filter=...) naming the op id
 * and every extended property of the table. Static string.
 */
const char *ois_graph_contact_expand(void);

#endif
