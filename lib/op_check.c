/* op_check.c - check one op record of a change set completely, before anything runs. */
#include "op_check.h"
#include "buf.h"
#include "code.h"
#include "jsonl.h"
#include "log.h"
#include "op.h"
#include "record.h"
#include "util.h"

#include <string.h>

/* What a key of an op must hold when it is there. */
enum want {
	W_STR,          /* a string */
	W_STR_OR_NULL,  /* a string or null */
	W_OBJ,          /* an object */
	W_STR_ARR,      /* an array of strings */
	W_STR_MAP,      /* an object whose values are strings or null */
};

static const char *const want_words[] = {
	[W_STR] = "a string",
	[W_STR_OR_NULL] = "a string or null",
	[W_OBJ] = "an object",
	[W_STR_ARR] = "an array of strings",
	[W_STR_MAP] = "an object of strings or nulls",
};

/*
 * The values a string key may take, each a function giving the i-th of
 * them in the order a message lists them, or NULL past the last.
 */
typedef const char *one_of_fn(size_t i);

static const char *op_type(size_t i)
{
	return i == 0 ? "op" : NULL;
}

static const char *actions(size_t i)
{
	return i < OIS_ACTIONS ? ois_action_name(ois_action_order[i]) : NULL;
}

static const char *sides(size_t i)
{
	return i < OIS_SIDES ? ois_side_name((enum ois_side)i) : NULL;
}

static const char *kinds(size_t i)
{
	static const char *const names[] = { "contact", "appointment" };
	return i < OIS_ARRAY_SIZE(names) ? names[i] : NULL;
}

static const struct key {
	const char *name;
	enum want want;
	one_of_fn *one_of; /* NULL for any string */
} keys[] = {
	{ "type", W_STR, op_type },
	{ "op_id", W_STR, NULL },
	{ "action", W_STR, actions },
	{ "target", W_STR, sides },
	{ "kind", W_STR, kinds },
	{ "pair", W_STR, NULL },
	{ "id", W_STR_OR_NULL, NULL },
	{ "if_version", W_STR_OR_NULL, NULL },
	{ "data", W_OBJ, NULL },
	{ "fields", W_STR_ARR, NULL },
	{ "ids", W_STR_MAP, NULL },
	{ "versions", W_STR_MAP, NULL },
	{ "reason", W_STR, NULL },
};

/*
 * What an action needs besides op_id, action, kind and pair, which every op
 * needs, and a target, which every action that changes a server needs
 * (ois_action_sends).
 */
enum need {
	N_DATA = 1 << 0,    /* data: what the item becomes (create, update) or the pair's new base (link) */
	N_ID = 1 << 1,      /* a non-null id: the target's item it changes */
	N_NO_ID = 1 << 2,   /* no id (or null): a create makes a new item */
	N_IDS = 1 << 3,     /* ids of both sides: the items a link pairs */
};

static const unsigned needs[OIS_ACTIONS] = {
	[OIS_ACT_CREATE] = N_DATA | N_NO_ID,
	[OIS_ACT_UPDATE] = N_DATA | N_ID,
	[OIS_ACT_DELETE] = N_ID,
	[OIS_ACT_LINK] = N_DATA | N_IDS,
	[OIS_ACT_UNLINK] = 0,
};

static int is_str(json_object *v)
{
	return json_object_is_type(v, json_type_string);
}

static int in_list(const char *s, one_of_fn *list)
{
	for (size_t i = 0; list(i); i++)
		if (!strcmp(s, list(i)))
			return 1;
	return 0;
}

/* "\"a\", \"b\" or \"c\"" for a message. */
static void list_words(struct ois_buf *b, one_of_fn *list)
{
	for (size_t i = 0; list(i); i++)
		ois_buf_addf(b, "%s\"%s\"", i == 0 ? "" : list(i + 1) ? ", " : " or ", list(i));
}

static int check_key(json_object *op, const struct key *k, const char *where)
{
	json_object *v;
	if (!json_object_object_get_ex(op, k->name, &v))
		return 0; /* whether it must be there depends on the action */
	int ok = 1;
	switch (k->want) {
	case W_STR:
		ok = is_str(v);
		break;
	case W_STR_OR_NULL:
		ok = !v || is_str(v);
		break;
	case W_OBJ:
		ok = json_object_is_type(v, json_type_object);
		break;
	case W_STR_ARR:
		ok = json_object_is_type(v, json_type_array);
		for (size_t i = 0; ok && i < json_object_array_length(v); i++)
			ok = is_str(json_object_array_get_idx(v, i));
		break;
	case W_STR_MAP:
		ok = json_object_is_type(v, json_type_object);
		if (ok) {
			json_object_object_foreach(v, side, val) {
				if (val && !is_str(val))
					return ois_fail(OIS_EDATA, "%s: \"%s.%s\" must be a string or null", where,
							k->name, side);
			}
		}
		break;
	}
	if (!ok)
		return ois_fail(OIS_EDATA, "%s: \"%s\" must be %s", where, k->name, want_words[k->want]);
	if (k->one_of && !in_list(json_object_get_string(v), k->one_of)) {
		struct ois_buf b = OIS_BUF_INIT;
		list_words(&b, k->one_of);
		int rc = ois_fail(OIS_EDATA, "%s: \"%s\" must be %s, not \"%s\"", where, k->name, b.data,
				  json_object_get_string(v));
		ois_buf_release(&b);
		return rc;
	}
	return 0;
}

static int need_key(json_object *op, const char *key, const char *action, const char *where)
{
	json_object *v;
	if (!json_object_object_get_ex(op, key, &v) || !v)
		return ois_fail(OIS_EDATA, "%s: a%s %s op needs \"%s\"", where,
				strchr("aeiou", action[0]) ? "n" : "", action, key);
	return 0;
}

int ois_op_check(json_object *op, const char *where)
{
	if (!json_object_is_type(op, json_type_object))
		return ois_fail(OIS_EDATA, "%s: an op must be a JSON object", where);
	/* First: every later check reads strings, which must not be cut short. */
	struct ois_buf path = OIS_BUF_INIT;
	if (ois_json_nul_path(op, &path)) {
		int rc = ois_fail(OIS_EDATA, "%s: \"%s\" contains a NUL character (\\u0000)", where, path.data);
		ois_buf_release(&path);
		return rc;
	}
	ois_buf_release(&path);

	for (size_t i = 0; i < OIS_ARRAY_SIZE(keys); i++)
		if (check_key(op, &keys[i], where))
			return OIS_EDATA;
	static const char *const always[] = { "op_id", "action", "kind", "pair" };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(always); i++) {
		if (!json_object_object_get_ex(op, always[i], NULL))
			return ois_fail(OIS_EDATA, "%s: an op needs \"%s\"", where, always[i]);
	}

	/* check_key has made sure action is one of them. */
	const char *action = ois_json_str(op, "action");
	enum ois_action a = (enum ois_action)ois_action_parse(action);
	unsigned need = needs[a];
	if (ois_action_sends(a) && need_key(op, "target", action, where))
		return OIS_EDATA;
	if ((need & N_DATA) && need_key(op, "data", action, where))
		return OIS_EDATA;
	if ((need & N_ID) && need_key(op, "id", action, where))
		return OIS_EDATA;
	if ((need & N_NO_ID) && ois_json_str(op, "id"))
		return ois_fail(OIS_EDATA, "%s: a %s op has no \"id\" (it makes a new item)", where, action);
	if (need & N_IDS) {
		json_object *ids = ois_json_obj(op, "ids");
		for (int s = 0; s < OIS_SIDES; s++)
			if (!ois_json_str(ids, ois_side_name((enum ois_side)s)))
				return ois_fail(OIS_EDATA, "%s: a %s op needs \"ids.%s\"", where, action,
						ois_side_name((enum ois_side)s));
	}
	return 0;
}
