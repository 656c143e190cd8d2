/* graph_ext.h - Outlook's extended properties as Microsoft Graph carries them: singleValueExtendedProperties. */
#ifndef OIS_GRAPH_EXT_H
#define OIS_GRAPH_EXT_H

#include <json-c/json.h>

/*
 * Graph names an extended property by an id made of its type and either
 * a MAPI tag ("String 0x3A24") or a property set and a LID or name
 * ("String {00062004-0000-0000-C000-000000000046} Id 0x804F"), and
 * carries it in the item's singleValueExtendedProperties, an array of
 * {"id", "value"} with the value as a string ("Outlook extended
 * properties overview" in the Graph v1.0 documentation). A read sees only
 * the ones it names in $expand=singleValueExtendedProperties($filter=...).
 */
#define OIS_GRAPH_EXT_KEY "singleValueExtendedProperties"

/* PSETID_Address: Outlook's contact properties (User Fields 1-4, the mailing address). */
#define OIS_GRAPH_PSETID_ADDRESS "{00062004-0000-0000-C000-000000000046}"
/* PS_PUBLIC_STRINGS: the set EWS calls PublicStrings, where oisync's op id lives. */
#define OIS_GRAPH_PS_PUBLIC_STRINGS "{00020329-0000-0000-C000-000000000046}"

/*
 * The op id that tags what oisync creates: the property EWS writes as
 * PublicStrings:oisync-op-id, so an item created through either backend is
 * found through the other.
 */
#define OIS_GRAPH_OP_ID "String " OIS_GRAPH_PS_PUBLIC_STRINGS " Name oisync-op-id"

/* The $filter term that asks for one property: "id eq '...'". */
#define OIS_GRAPH_EXT_TERM(id) "id eq '" id "'"

/*
 * The value of the extended property id in item (native data or a body),
 * or NULL. Ids compare without regard to ASCII case, as Graph may send a
 * GUID or tag back in another case than it was asked for. Borrowed.
 */
const char *ois_graph_ext_get(json_object *item, const char *id);

/* Set the extended property id of body to value (a string), replacing one of that id. */
void ois_graph_ext_set(json_object *body, const char *id, const char *value);

/* The op id an item carries (OIS_GRAPH_OP_ID, else an event's transactionId), or NULL: a record's op_tag. Borrowed. */
const char *ois_graph_op_tag(json_object *item);

/* Tag a create's body with op_id. */
void ois_graph_set_op_id(json_object *body, const char *op_id);

#endif
