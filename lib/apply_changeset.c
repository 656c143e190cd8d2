/* apply_changeset.c - is a change set this account's to apply, now: its header, its records, its state generation. */
#include "apply.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "rfc3339.h"
#include "op_check.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void ois_apply_changeset_release(struct ois_apply_changeset *cs)
{
	json_object_put(cs->header);
	for (size_t i = 0; i < cs->n; i++)
		json_object_put(cs->recs[i]);
	free(cs->recs);
	free(cs->lines);
	memset(cs, 0, sizeof(*cs));
}

/*
 * The header names where the change set belongs. Nothing in it is taken on
 * trust: the server must be configured, the account must be a user of that
 * server in the users file, and a user id, when given, must be that user's.
 * Otherwise a file could steer apply to another account's list or state.
 */
static int check_header(struct ois_apply_changeset *cs, const struct ois_config *cfg, const char *where)
{
	json_object *h = cs->header, *v;
	if (ois_record_type(h) != OIS_REC_CHANGESET)
		return ois_fail(OIS_EDATA, "%s: a change set starts with a \"changeset\" record", where);
	if (ois_record_check(h, where))
		return OIS_EDATA;
	cs->account = ois_json_str(h, "account");
	cs->server = ois_json_str(h, "server");
	cs->id = ois_json_str(h, "id");
	if (!cs->server)
		return ois_fail(OIS_EDATA, "%s: the changeset record needs \"account\" and \"server\"", where);
	if (json_object_object_get_ex(h, "user", &v) && !json_object_is_type(v, json_type_null) &&
	    !json_object_is_type(v, json_type_string))
		return ois_fail(OIS_EDATA, "%s: \"user\" must be a string or null", where);
	if (!json_object_object_get_ex(h, "state", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0) {
		if (json_object_is_type(v, json_type_string))
			return ois_fail(OIS_EDATA, "%s: this change set was made by an older oisync (its \"state\" is a "
					"hash, not a generation) and cannot be applied; run oisync-run again for this user",
					where);
		return ois_fail(OIS_EDATA, "%s: \"state\" must be the state generation, a number", where);
	}
	cs->generation = (long)json_object_get_int64(v);
	if (json_object_object_get_ex(h, "id", &v) && !cs->id)
		return ois_fail(OIS_EDATA, "%s: \"id\" must be a string", where);
	if (ois_json_bool(h, "quiet", 0)) {
		const char *until = ois_json_str(h, "quiet_until");
		if (json_object_object_get_ex(h, "quiet_until", &v) && (!until || ois_time_parse(until, 0, &(time_t){ 0 })))
			return ois_fail(OIS_EDATA, "%s: \"quiet_until\" must be an RFC 3339 time", where);
		cs->settled = until ? until : "";
	}

	if (!ois_config_server(cfg, cs->server))
		return ois_fail(OIS_EDATA, "%s: server \"%s\" is not in '%s'; this change set is not for this host",
				where, cs->server, cfg->path);
	const struct ois_user *u = ois_config_user_by_mailbox(cfg, cs->account);
	if (!u)
		return ois_fail(OIS_EDATA, "%s: account \"%s\" is not in the users file '%s'", where, cs->account,
				cfg->users_file ? cfg->users_file : "(none)");
	if (strcmp(u->server, cs->server))
		return ois_fail(OIS_EDATA, "%s: account \"%s\" belongs to server \"%s\", not \"%s\"", where,
				cs->account, u->server, cs->server);
	const char *user = ois_json_str(h, "user");
	if (user && strcmp(user, u->id))
		return ois_fail(OIS_EDATA, "%s: account \"%s\" is InterAction user \"%s\", not \"%s\"", where,
				cs->account, u->id, user);
	cs->user = u->id;
	return 0;
}

/* One record after the header: well formed, and this account's. */
static int check_record(const struct ois_apply_changeset *cs, json_object *rec, const char *where)
{
	if (ois_record_check(rec, where))
		return OIS_EDATA;
	switch (ois_record_type(rec)) {
	case OIS_REC_OP:
		return ois_op_check(rec, where);
	case OIS_REC_CHECKPOINT:
		/* A checkpoint says how far this account's folder was read: another account's has no place here. */
		if (strcmp(ois_json_str(rec, "account"), cs->account))
			return ois_fail(OIS_EDATA, "%s: a checkpoint of account \"%s\" in a change set of \"%s\"", where,
					ois_json_str(rec, "account"), cs->account);
		return 0;
	case OIS_REC_CHANGESET:
		return ois_fail(OIS_EDATA, "%s: a second changeset record", where);
	default:
		return ois_fail(OIS_EDATA, "%s: a change set holds ops and checkpoints, not \"%s\" records", where,
				ois_json_str(rec, "type"));
	}
}

int ois_apply_changeset_read(struct ois_jsonl_reader *r, const struct ois_config *cfg, struct ois_apply_changeset *cs)
{
	char where[300];
	size_t alloc = 0;
	json_object *rec;
	memset(cs, 0, sizeof(*cs));
	int rc = ois_jsonl_read(r, &cs->header);
	if (rc == 0)
		return ois_fail(OIS_EDATA, "%s: empty change set", r->name);
	if (rc < 0)
		return rc;
	snprintf(where, sizeof(where), "%s:%lu", r->name, r->line);
	if ((rc = check_header(cs, cfg, where)))
		return rc;
	ois_log_set_account(cs->account);
	/* Every record is checked before the first server call: a bad line changes nothing. */
	while ((rc = ois_jsonl_read(r, &rec)) == 1) {
		snprintf(where, sizeof(where), "%s:%lu", r->name, r->line);
		if (cs->n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			cs->recs = ois_xrealloc(cs->recs, alloc * sizeof(*cs->recs));
			cs->lines = ois_xrealloc(cs->lines, alloc * sizeof(*cs->lines));
		}
		cs->recs[cs->n] = rec;
		cs->lines[cs->n++] = r->line;
		if (ois_record_type(rec) == OIS_REC_OP)
			cs->settled = NULL; /* quiet means no op: a hand-edited file is taken at its ops */
		if ((rc = check_record(cs, rec, where)))
			return rc;
	}
	return rc;
}

/*
 * A change set applies only to the world it was computed from. The state's
 * generation moves on every commit; the change set carries the generation
 * it read. The same generation: nothing happened since. A later one is
 * still this change set's world when every commit since was its own (a run
 * that failed half-way, replayed): those commits are the ops it already
 * did, which the applied table skips. Anything else means another run has
 * already synced since, from newer data, and doing this one's ops now would
 * duplicate or overwrite what that run did.
 */
int ois_apply_check_generation(struct ois_state *st, const struct ois_apply_changeset *cs, const char *name)
{
	struct ois_generation g;
	int rc = ois_state_generation_get(st, &g);
	if (rc)
		return rc;
	int own = g.number > cs->generation && cs->id && ois_str_eq(g.changeset, cs->id) &&
		  g.base == cs->generation;
	if (g.number != cs->generation && !own)
		rc = ois_fail(OIS_EDATA, "%s: change set computed from state generation %ld, but the account's state is "
			      "at generation %ld: %s; nothing was applied. Run `oisync-run -u %s %s` to sync this "
			      "user from what the servers hold now", name, cs->generation, g.number,
			      g.number > cs->generation ? "another run has committed since" :
							  "the state is older than the change set (restored or reset?)",
			      cs->user, cs->server);
	ois_generation_release(&g);
	return rc;
}
