/* graph_ext.c - read and write an item's singleValueExtendedProperties. */
#include "graph_ext.h"
#include "record.h"

#include <strings.h>

/* The entry of id in item's array, or NULL. */
static json_object *entry(json_object *item, const char *id)
{
	json_object *arr = ois_json_arr(item, OIS_GRAPH_EXT_KEY);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *eid = ois_json_str(e, "id");
		if (eid && !strcasecmp(eid, id))
			return e;
	}
	return NULL;
}

const char *ois_graph_ext_get(json_object *item, const char *id)
{
	return ois_json_str(entry(item, id), "value");
}

void ois_graph_ext_set(json_object *body, const char *id, const char *value)
{
	json_object *e = entry(body, id);
	if (!e) {
		json_object *arr = ois_json_arr(body, OIS_GRAPH_EXT_KEY);
		if (!arr) {
			arr = json_object_new_array();
			json_object_object_add(body, OIS_GRAPH_EXT_KEY, arr);
		}
		e = json_object_new_object();
		json_object_object_add(e, "id", json_object_new_string(id));
		json_object_array_add(arr, e);
	}
	json_object_object_add(e, "value", json_object_new_string(value));
}

const char *ois_graph_op_tag(json_object *item)
{
	const char *tag = ois_graph_ext_get(item, OIS_GRAPH_OP_ID);
	/*
	 * A delta query cannot expand extended properties: an event carries its
	 * op id as the transactionId the create set too.
	 */
	return tag ? tag : ois_json_str(item, "transactionId");
}

void ois_graph_set_op_id(json_object *body, const char *op_id)
{
	ois_graph_ext_set(body, OIS_GRAPH_OP_ID, op_id);
}
