/* record.c - the record envelope: types, sides, checks. */
#include "record.h"
#include "code.h"
#include "log.h"
#include "op.h"
#include "rfc3339.h"

#include <string.h>

static const char *const side_names[OIS_SIDES] = { "exchange", "interaction" };

static const char *const type_names[] = {
	[OIS_REC_UNKNOWN] = "unknown",
	[OIS_REC_CONTACT] = "contact",
	[OIS_REC_APPOINTMENT] = "appointment",
	[OIS_REC_CHECKPOINT] = "checkpoint",
	[OIS_REC_SYNCINFO] = "syncinfo",
	[OIS_REC_CHANGESET] = "changeset",
	[OIS_REC_OP] = "op",
	[OIS_REC_RESULT] = "result",
};

const char *ois_side_label(enum ois_side side)
{
	return side == OIS_EXCHANGE ? "Outlook" : "InterAction";
}

const char *ois_side_name(enum ois_side side)
{
	return side_names[side];
}

int ois_side_parse(const char *name)
{
	for (int i = 0; name && i < OIS_SIDES; i++)
		if (!strcmp(name, side_names[i]))
			return i;
	return -1;
}

const char *ois_rec_type_name(enum ois_rec_type t)
{
	return type_names[t];
}

enum ois_rec_type ois_record_type(json_object *rec)
{
	const char *t = ois_json_str(rec, "type");
	for (size_t i = 1; t && i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(t, type_names[i]))
			return (enum ois_rec_type)i;
	return OIS_REC_UNKNOWN;
}

const char *ois_json_str(json_object *obj, const char *key)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	/* A value holding U+0000 would read cut short: it is no string to us. */
	const char *s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

json_object *ois_json_obj(json_object *obj, const char *key)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

json_object *ois_json_arr(json_object *obj, const char *key)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

int ois_json_bool(json_object *obj, const char *key, int dflt)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_boolean))
		return dflt;
	return json_object_get_boolean(v);
}

void ois_json_set_str(json_object *obj, const char *key, const char *val)
{
	if (val)
		json_object_object_add(obj, key, json_object_new_string(val));
	else
		json_object_object_del(obj, key);
}

json_object *ois_record_new(const char *type, enum ois_side side, const char *account, const char *user,
			    const char *folder, const char *id)
{
	json_object *r = json_object_new_object();
	ois_json_set_str(r, "type", type);
	ois_json_set_str(r, "side", ois_side_name(side));
	ois_json_set_str(r, "account", account);
	ois_json_set_str(r, "user", user);
	ois_json_set_str(r, "folder", folder);
	ois_json_set_str(r, "id", id);
	return r;
}

json_object *ois_record_checkpoint(enum ois_side side, const char *account, const char *folder, const char *token,
				   int full, const time_t *window)
{
	json_object *r = ois_record_new("checkpoint", side, account, NULL, folder, NULL);
	json_object_object_add(r, "token", json_object_new_string(token));
	json_object_object_add(r, "complete", json_object_new_boolean(1));
	json_object_object_add(r, "full", json_object_new_boolean(full));
	if (window) {
		char a[OIS_TIME_LEN], b[OIS_TIME_LEN];
		ois_time_format(window[0], a);
		ois_time_format(window[1], b);
		json_object *w = json_object_new_object();
		json_object_object_add(w, "start", json_object_new_string(a));
		json_object_object_add(w, "end", json_object_new_string(b));
		json_object_object_add(r, "window", w);
	}
	return r;
}

void ois_record_upsert(json_object *rec, const char *version, const char *modified, const char *op_tag,
		       json_object *data)
{
	ois_json_set_str(rec, "version", version);
	ois_json_set_str(rec, "modified", modified);
	ois_json_set_str(rec, "op", "upsert");
	ois_json_set_str(rec, "op_tag", op_tag);
	json_object_object_add(rec, "data", json_object_get(data));
}

static int need_str(json_object *rec, const char *key, const char *where)
{
	if (!ois_json_str(rec, key))
		return ois_fail(OIS_EDATA, "%s: \"%s\" must be a string", where, key);
	return 0;
}

static int need_side(json_object *rec, const char *key, const char *where)
{
	if (ois_side_parse(ois_json_str(rec, key)) < 0)
		return ois_fail(OIS_EDATA, "%s: \"%s\" must be \"exchange\" or \"interaction\"", where, key);
	return 0;
}

int ois_record_check(json_object *rec, const char *where)
{
	json_object *v;
	enum ois_rec_type t = ois_record_type(rec);
	switch (t) {
	case OIS_REC_UNKNOWN:
		if (!json_object_object_get_ex(rec, "type", &v))
			return ois_fail(OIS_EDATA, "%s: record has no \"type\"", where);
		return ois_fail(OIS_EDATA, "%s: unknown record type %s", where,
				json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	case OIS_REC_CONTACT:
	case OIS_REC_APPOINTMENT: {
		if (need_side(rec, "side", where) || need_str(rec, "account", where) || need_str(rec, "id", where))
			return OIS_EDATA;
		const char *op = ois_json_str(rec, "op");
		if (!op || (strcmp(op, "upsert") && strcmp(op, "delete")))
			return ois_fail(OIS_EDATA, "%s: \"op\" must be \"upsert\" or \"delete\"", where);
		if (!strcmp(op, "upsert") && !ois_json_obj(rec, "data"))
			return ois_fail(OIS_EDATA, "%s: \"data\" must be an object", where);
		return 0;
	}
	case OIS_REC_CHECKPOINT:
		if (need_side(rec, "side", where) || need_str(rec, "account", where) || need_str(rec, "folder", where))
			return OIS_EDATA;
		if (!json_object_object_get_ex(rec, "token", &v) ||
		    !(json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_null)))
			return ois_fail(OIS_EDATA, "%s: \"token\" must be a string or null", where);
		if (!json_object_object_get_ex(rec, "complete", &v) || !json_object_is_type(v, json_type_boolean))
			return ois_fail(OIS_EDATA, "%s: \"complete\" must be true or false", where);
		return 0;
	case OIS_REC_SYNCINFO:
		if (need_side(rec, "side", where) || need_str(rec, "account", where) || need_str(rec, "sync_id", where))
			return OIS_EDATA;
		return 0;
	case OIS_REC_CHANGESET:
		return need_str(rec, "account", where);
	case OIS_REC_OP: {
		if (need_str(rec, "op_id", where) || need_str(rec, "action", where) || need_str(rec, "kind", where))
			return OIS_EDATA;
		/* link and unlink change only the state; the others name the server they change. */
		const char *name = ois_json_str(rec, "action");
		int action = ois_action_parse(name);
		if (action < 0)
			return ois_fail(OIS_EDATA, "%s: unknown action \"%s\"", where, name);
		if (ois_action_sends((enum ois_action)action) && need_side(rec, "target", where))
			return OIS_EDATA;
		return 0;
	}
	case OIS_REC_RESULT:
		return need_str(rec, "op_id", where) || need_str(rec, "status", where) ? OIS_EDATA : 0;
	}
	return 0;
}
