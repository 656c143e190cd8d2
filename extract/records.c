/* records.c - the envelope every extract record starts with, and writing one. */
#include "extract.h"
#include "jsonl.h"
#include "util.h"

json_object *extract_record_new(const struct extract_args *args, enum ois_side side, const char *type,
				const char *folder, const char *id)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string(type));
	json_object_object_add(r, "side", json_object_new_string(ois_side_name(side)));
	json_object_object_add(r, "account", json_object_new_string(args->account));
	if (folder)
		json_object_object_add(r, "folder", json_object_new_string(folder));
	if (id)
		json_object_object_add(r, "id", json_object_new_string(id));
	return r;
}

json_object *extract_exchange_upsert(const struct extract_args *args, const char *type, const char *folder,
				     json_object *native, const char *id, const char *change_key,
				     const char *modified)
{
	json_object *r = extract_record_new(args, OIS_EXCHANGE, type, folder, id);
	if (change_key)
		json_object_object_add(r, "version", json_object_new_string(change_key));
	if (modified)
		json_object_object_add(r, "modified", json_object_new_string(modified));
	json_object_object_add(r, "op", json_object_new_string("upsert"));
	/* The op id an item carries when oisync created it: apply adopts, never duplicates. */
	const char *tag = ois_json_str(ois_json_obj(native, "ExtendedProperties"), "PublicStrings:oisync-op-id");
	if (!ois_str_empty(tag))
		json_object_object_add(r, "op_tag", json_object_new_string(tag));
	json_object_object_add(r, "data", json_object_get(native));
	return r;
}

int extract_record_write(const struct extract_args *args, json_object *r)
{
	int rc = ois_jsonl_write(args->out, r);
	json_object_put(r);
	return rc;
}
