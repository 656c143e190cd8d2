/* records.c - the envelope every extract record starts with, and writing one. */
#include "extract.h"
#include "jsonl.h"

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

int extract_record_write(const struct extract_args *args, json_object *r)
{
	int rc = ois_jsonl_write(args->out, r);
	json_object_put(r);
	return rc;
}
