/* scan.c - a contact record read without a json-c tree: the keys reconcile uses, its data kept as text. */
#include "reconcile.h"
#include "json_scan.h"
#include "util.h"

#include <string.h>

/* A string member as a borrowed span: 0, or -1 when it is a string json-c would have to unescape. */
static int span(const struct ois_json_member *m, struct ois_rc_span *out)
{
	const char *s;
	size_t n;
	int r = m ? ois_json_member_string(m, &s, &n) : 0;
	if (r < 0)
		return -1;
	*out = r ? (struct ois_rc_span){ s, n } : (struct ois_rc_span){ NULL, 0 };
	return 0;
}

static int span_is(const struct ois_rc_span *sp, const char *word)
{
	return sp->s && sp->n == strlen(word) && !memcmp(sp->s, word, sp->n);
}

int ois_rc_scan_item(const char *line, size_t len, struct ois_rc_scanned *out)
{
	static const char *const names[] = { "type", "side", "account", "user", "id", "op",
					     "version", "modified", "op_tag", "data" };
	enum { TYPE, SIDE, ACCOUNT, USER, ID, OP, VERSION, MODIFIED, OP_TAG, DATA, NKEYS };
	struct ois_json_member m[32];
	const struct ois_json_member *at[NKEYS] = { NULL };
	int n = ois_json_scan_object(line, len, m, OIS_ARRAY_SIZE(m));
	if (n < 0)
		return -1;
	size_t lens[NKEYS];
	for (int k = 0; k < NKEYS; k++)
		lens[k] = strlen(names[k]);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < NKEYS; k++)
			if (m[i].key_len == lens[k] && !memcmp(m[i].key, names[k], lens[k]))
				at[k] = &m[i];
	struct ois_rc_span type, side, op, account, user;
	memset(out, 0, sizeof(*out));
	if (span(at[TYPE], &type) || span(at[SIDE], &side) || span(at[OP], &op) || span(at[ACCOUNT], &account) ||
	    span(at[USER], &user) || span(at[ID], &out->id) || span(at[VERSION], &out->version) ||
	    span(at[MODIFIED], &out->modified) || span(at[OP_TAG], &out->op_tag))
		return -1;
	/*
	 * Only a well-formed contact is taken here; anything else (another
	 * type, a missing or mistyped key) goes through json-c and
	 * ois_record_check, which name what is wrong.
	 */
	if (!span_is(&type, "contact") || !account.s || !out->id.s)
		return -1;
	if (span_is(&side, "exchange"))
		out->side = OIS_EXCHANGE;
	else if (span_is(&side, "interaction"))
		out->side = OIS_INTERACTION;
	else
		return -1;
	if (span_is(&op, "delete"))
		out->deleted = 1;
	else if (!span_is(&op, "upsert") || !at[DATA] || at[DATA]->value[0] != '{')
		return -1;
	else
		out->data = (struct ois_rc_span){ at[DATA]->value, at[DATA]->value_len };
	out->account = account;
	out->user = user;
	return 0;
}
