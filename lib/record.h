/* record.h - the record envelope of oisync-records(5): types, sides, checks. */
#ifndef OIS_RECORD_H
#define OIS_RECORD_H

#include <json-c/json.h>
#include <time.h>

enum ois_rec_type {
	OIS_REC_UNKNOWN,
	OIS_REC_CONTACT,
	OIS_REC_APPOINTMENT,
	OIS_REC_CHECKPOINT,
	OIS_REC_SYNCINFO,
	OIS_REC_CHANGESET,
	OIS_REC_OP,
	OIS_REC_RESULT,
};

/* The two sides are an array index. */
enum ois_side {
	OIS_EXCHANGE = 0,
	OIS_INTERACTION = 1,
};
#define OIS_SIDES 2

const char *ois_side_name(enum ois_side side);
/* "Outlook" or "InterAction": side names for people, in reasons and messages. */
const char *ois_side_label(enum ois_side side);
/* Side for "exchange" or "interaction"; -1 otherwise. */
int ois_side_parse(const char *name);

/* Type of a record from its "type" key; OIS_REC_UNKNOWN when absent or unknown. */
enum ois_rec_type ois_record_type(json_object *rec);
const char *ois_rec_type_name(enum ois_rec_type t);

/*
 * Check a record has the keys its type requires, with the right JSON types
 * (item: side, account, id, op upsert|delete, data object on upsert;
 * checkpoint: side, account, folder, token, complete; syncinfo: side,
 * account, sync_id; op: op_id, action, target, kind). Unknown keys are fine:
 * every stage keeps them. Returns 0, or OIS_EDATA after logging
 * "WHERE: problem" (where is "file:line").
 */
int ois_record_check(json_object *rec, const char *where);

/*
 * A new record of type (a backend's read writes them): type, side,
 * account, then user (InterAction's records name the user), folder and id
 * when not NULL, in that key order. The caller adds the rest.
 */
json_object *ois_record_new(const char *type, enum ois_side side, const char *account, const char *user,
			    const char *folder, const char *id);
/*
 * A folder's checkpoint record, the last one its read writes: complete,
 * with token and full, and for a calendar the window it was read for
 * (window[0], window[1]; NULL for a folder without one).
 */
json_object *ois_record_checkpoint(enum ois_side side, const char *account, const char *folder, const char *token,
				   int full, const time_t *window);
/* Add an upsert's version, modified and op tag (each when not NULL), op "upsert" and data (its reference is taken). */
void ois_record_upsert(json_object *rec, const char *version, const char *modified, const char *op_tag,
		       json_object *data);

/*
 * Small accessors that return NULL (or the default) when the key is absent
 * or of another type; ois_json_str also when the string holds U+0000, which
 * a C string would cut short. Returned pointers are borrowed from rec.
 */
const char *ois_json_str(json_object *obj, const char *key);
json_object *ois_json_obj(json_object *obj, const char *key);
json_object *ois_json_arr(json_object *obj, const char *key);
int ois_json_bool(json_object *obj, const char *key, int dflt);
/* Set key to a new string, or delete it when val is NULL. */
void ois_json_set_str(json_object *obj, const char *key, const char *val);

#endif
