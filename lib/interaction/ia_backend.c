/* ia_backend.c - the InterAction backend: one user's contact list and appointments over the REST API. */
#include "canonjson.h"
#include "code.h"
#include "ia_appointment.h"
#include "ia_backend.h"
#include "ia_contact.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "state.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keys of a contact body that are the user's own, not the firm's: lib/contact_fields.def's USER rows. */
#define IA_KEY_USER(key) key,
#define IA_KEY_FIRM(key)
#define IA(how, key, order, who) IA_KEY_##who(key)
#define NO_IA
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) interaction
static const char *const user_keys[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD
#undef IA
#undef NO_IA
#undef IA_KEY_USER
#undef IA_KEY_FIRM

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_appointment(const char *kind)
{
	return kind && !strcmp(kind, "appointment");
}

static int is_contact(const char *kind)
{
	return kind && !strcmp(kind, "contact");
}

static int only_contacts(const char *kind)
{
	if (is_contact(kind))
		return 0;
	return ois_fail(OIS_EDATA, "interaction driver: cannot write a '%s' (contacts and appointments only)",
			kind ? kind : "(none)");
}

json_object *ois_ia_split_user_fields(json_object *body)
{
	/* Bytewise order of the keys: the user body's order, whatever the table's. */
	const char *keys[OIS_ARRAY_SIZE(user_keys)];
	memcpy(keys, user_keys, sizeof(keys));
	qsort(keys, OIS_ARRAY_SIZE(keys), sizeof(keys[0]), cmp_key);
	json_object *user = json_object_new_object();
	for (size_t i = 0; i < OIS_ARRAY_SIZE(keys); i++) {
		json_object *v;
		if (json_object_object_get_ex(body, keys[i], &v)) {
			json_object_object_add(user, keys[i], json_object_get(v));
			json_object_object_del(body, keys[i]);
		}
	}
	return user;
}

int ois_ia_take_id_version(json_object *view, char **id, char **version)
{
	if (id)
		*id = ois_xstrdup(ois_json_str(view, "id"));
	*version = ois_ia_version_str(view);
	if (!*version) {
		if (id) {
			free(*id);
			*id = NULL;
		}
		return ois_fail(OIS_EUNAVAIL, "broken reply from interaction: contact '%s' has no version",
				ois_json_str(view, "id"));
	}
	return 0;
}

/*
 * Put contact id on the user's list with the per-user fields, and read the
 * user view back; with adopted, hand it back as canonical data too.
 */
static int add_to_list(struct ia_conn *c, const char *id, json_object *user_fields, char **new_id, char **new_version,
		       struct ois_adopted *adopted)
{
	json_object *view = NULL;
	int rc = ois_ia_list_add(c->ia, c->uid, id, user_fields, &view);
	if (!rc)
		rc = ois_ia_take_id_version(view, new_id, new_version);
	if (!rc && adopted)
		adopted->data = ois_ia_contact_to_canonical(view);
	json_object_put(view);
	return rc;
}

/* A firm contact having one of data's e-mail addresses: 0 and *found, OIS_ENOTFOUND, or an error. */
static int find_by_email(struct ia_conn *c, json_object *data, json_object **found)
{
	*found = NULL;
	json_object *emails = ois_json_arr(data, "emails");
	for (size_t i = 0; emails && i < json_object_array_length(emails); i++) {
		const char *addr = ois_json_str(json_object_array_get_idx(emails, i), "address");
		if (ois_str_empty(addr))
			continue;
		json_object *hits;
		int rc = ois_ia_contact_search(c->ia, c->uid, "email", addr, &hits);
		if (rc)
			return rc;
		if (json_object_array_length(hits)) {
			if (json_object_array_length(hits) > 1)
				ois_notice("%zu firm contacts have e-mail '%s'; using the first, %s", json_object_array_length(hits),
					   addr, ois_json_str(json_object_array_get_idx(hits, 0), "id"));
			*found = json_object_get(json_object_array_get_idx(hits, 0));
			json_object_put(hits);
			return 0;
		}
		json_object_put(hits);
	}
	return OIS_ENOTFOUND;
}

/* The firm contact carrying op_id's external reference: 0 and *found, OIS_ENOTFOUND, or an error. */
static int find_by_ref(struct ia_conn *c, const char *op_id, json_object **found)
{
	*found = NULL;
	char *ref = ois_xasprintf(OIS_IA_OP_REF_PREFIX "%s", op_id);
	json_object *hits;
	int rc = ois_ia_contact_search(c->ia, c->uid, "external_ref", ref, &hits);
	free(ref);
	if (rc)
		return rc;
	if (!json_object_array_length(hits)) {
		json_object_put(hits);
		return OIS_ENOTFOUND;
	}
	*found = json_object_get(json_object_array_get_idx(hits, 0));
	json_object_put(hits);
	return 0;
}

/* ---- appointments ---- */

/*
 * The item follows the meeting's time, as the firm's users keep it by
 * hand: an appointment whose end has passed is completed into an activity,
 * and an activity whose meeting was moved back into the future is reopened
 * as an appointment. *appt is replaced by what the server answers; a 409
 * (the server's clock disagrees) leaves the item as it is, to be settled
 * by a later run.
 */
static int follow_time(struct ia_conn *c, json_object **appt)
{
	const char *status = ois_json_str(*appt, "status");
	int activity = ois_str_eq(status, "activity");
	time_t end;
	/* InterAction may send a time without a zone: it is UTC. */
	if (ois_time_parse(ois_json_str(*appt, "end"), OIS_TIME_DATE | OIS_TIME_NOZONE, &end))
		return 0;
	int past = end <= time(NULL);
	if (past == activity || (status && !activity && strcmp(status, "appointment")))
		return 0;
	char *version = ois_ia_version_str(*appt);
	const char *id = ois_json_str(*appt, "id");
	json_object *now = NULL;
	int rc = past ? ois_ia_appointment_complete(c->ia, id, version, &now)
		      : ois_ia_appointment_reopen(c->ia, id, version, &now);
	free(version);
	if (rc == OIS_ECONFLICT) {
		ois_info("%s %s: the server's clock disagrees; left as it is", past ? "appointment" : "activity", id);
		return 0;
	}
	if (rc)
		return rc;
	ois_info(past ? "appointment %s is over: recorded as an activity"
		      : "activity %s was moved into the future: an appointment again", id);
	json_object_put(*appt);
	*appt = now;
	return 0;
}

/*
 * The attendees the server matched to no firm contact and no firm user are
 * no participants, and no contact is made for them: they are kept in the
 * notes (ia_appointment.h, OIS_IA_GUESTS_MARK). One more request, only
 * when the block the reply's attendees call for is not the one there.
 */
static int keep_guests(struct ia_conn *c, json_object **appt)
{
	const char *notes = ois_json_str(*appt, "notes");
	char *want = ois_ia_notes_with_guests(notes, ois_json_arr(*appt, "attendees"));
	int rc = 0;
	if (strcmp(want, notes ? notes : "")) {
		char *version = ois_ia_version_str(*appt);
		json_object *body = json_object_new_object(), *now = NULL;
		json_object_object_add(body, "notes", json_object_new_string(want));
		rc = ois_ia_appointment_patch(c->ia, ois_json_str(*appt, "id"), version, body, &now);
		if (!rc) {
			json_object_put(*appt);
			*appt = now;
		}
		json_object_put(body);
		free(version);
	}
	free(want);
	return rc;
}

static int appt_result(struct ia_conn *c, json_object **appt, char **new_id, char **new_version)
{
	int rc = keep_guests(c, appt);
	if (!rc)
		rc = follow_time(c, appt);
	if (!rc)
		rc = ois_ia_take_id_version(*appt, new_id, new_version);
	return rc;
}

/* The appointment carrying op_id's external reference: 0 and *found, OIS_ENOTFOUND, or an error. */
static int find_appt_by_ref(struct ia_conn *c, const char *op_id, json_object **found)
{
	*found = NULL;
	char *ref = ois_xasprintf(OIS_IA_OP_REF_PREFIX "%s", op_id);
	json_object *hits;
	int rc = ois_ia_appointment_search(c->ia, ref, &hits);
	free(ref);
	if (rc)
		return rc;
	if (json_object_array_length(hits))
		*found = json_object_get(json_object_array_get_idx(hits, 0));
	json_object_put(hits);
	return *found ? 0 : OIS_ENOTFOUND;
}

static int appt_create(struct ia_conn *c, json_object *data, const char *op_id, char **new_id, char **new_version)
{
	json_object *body = ois_ia_appointment_from_canonical(data, NULL);
	/* No type at all: the server takes the firm's first appointment type. */
	if (ois_str_empty(ois_json_str(body, "type")) && c->appointment_type)
		ois_json_set_str(body, "type", c->appointment_type);
	json_object *appt = NULL;
	int rc = ois_ia_appointment_create(c->ia, c->uid, body, op_id, &appt);
	if (op_id && (rc == OIS_EUNAVAIL || rc == OIS_ETEMP || rc == OIS_ECONFLICT)) {
		/* The reply may be what was lost: look for the tag before giving up. */
		if (find_appt_by_ref(c, op_id, &appt) == 0) {
			ois_info("appointment %s was created although its reply was lost", ois_json_str(appt, "id"));
			rc = 0;
		}
	}
	if (!rc)
		rc = appt_result(c, &appt, new_id, new_version);
	json_object_put(appt);
	json_object_put(body);
	return rc;
}

static int appt_update(struct ia_conn *c, const char *id, const char *if_version, json_object *data,
		       json_object *fields, char **new_version)
{
	if (!fields)
		return ois_fail(OIS_EDATA, "interaction: an update of %s names no fields", id);
	json_object *body = ois_ia_appointment_from_canonical(data, fields);
	if (json_object_object_get(body, "type") && ois_str_empty(ois_json_str(body, "type")))
		json_object_object_del(body, "type"); /* an activity keeps a type */
	json_object *appt = NULL;
	int rc;
	if (json_object_object_length(body) == 0) {
		rc = ois_ia_appointment_get(c->ia, id, &appt);
		char *v = rc ? NULL : ois_ia_version_str(appt);
		if (!rc && if_version && v && strcmp(if_version, v))
			rc = ois_fail(OIS_ECONFLICT, "appointment %s changed since version %s", id, if_version);
		free(v);
	} else {
		rc = ois_ia_appointment_patch(c->ia, id, if_version, body, &appt);
	}
	if (!rc)
		rc = appt_result(c, &appt, NULL, new_version);
	json_object_put(appt);
	json_object_put(body);
	return rc;
}

static int appt_find_by_op(struct ia_conn *c, const char *op_id, char **id, char **version)
{
	json_object *appt = NULL;
	int rc = find_appt_by_ref(c, op_id, &appt);
	if (!rc)
		rc = appt_result(c, &appt, id, version);
	json_object_put(appt);
	return rc;
}

static int ia_create(struct ois_conn *conn, const char *kind, json_object *data, const char *op_id,
		     char **new_id, char **new_version, struct ois_adopted *adopted)
{
	struct ia_conn *c = (struct ia_conn *)conn;
	*new_id = *new_version = NULL;
	if (adopted)
		*adopted = (struct ois_adopted){ 0 };
	if (is_appointment(kind))
		return appt_create(c, data, op_id, new_id, new_version);
	int rc = only_contacts(kind);
	if (rc)
		return rc;
	/*
	 * From the search to the create, no other process may create a firm
	 * contact: two users synced at once, or two servers' runs, would each
	 * find none and both create the same person.
	 */
	int lock = c->state_dir ? ois_state_firm_lock(c->state_dir) : -1;
	if (lock == OIS_EIO)
		return lock;
	json_object *body = ois_ia_contact_from_canonical(data, NULL);
	json_object *user = ois_ia_split_user_fields(body);
	json_object *found = NULL;

	rc = find_by_email(c, data, &found);
	if (rc == 0) {
		/*
		 * The firm contact stays as the firm keeps it here: its values and
		 * data's are merged by the caller, by the conflict policy, on
		 * normalized values (a difference in format is none).
		 */
		const char *id = ois_json_str(found, "id");
		ois_info("firm contact %s has the same e-mail address: adding it to %s's list", id, c->uid);
		rc = add_to_list(c, id, user, new_id, new_version, adopted);
		/*
		 * When the firm's values last changed: the user view's time is the
		 * list entry's just now, and putting a contact on a list is no edit
		 * that newest-wins should weigh.
		 */
		const char *modified = ois_json_str(found, "updated_at");
		if (!rc && adopted && modified)
			adopted->modified = ois_xstrdup(modified);
		goto out;
	}
	if (rc != OIS_ENOTFOUND)
		goto out;

	rc = ois_ia_contact_create(c->ia, body, op_id, &found);
	if (rc == OIS_EUNAVAIL || rc == OIS_ETEMP || rc == OIS_ECONFLICT) {
		/* The reply may be what was lost (or the contact exists from an
		 * earlier try: 409): look for the tag before giving up. */
		int frc = find_by_ref(c, op_id, &found);
		if (frc == 0)
			ois_info("contact %s was created although its reply was lost", ois_json_str(found, "id"));
		else
			goto out;
		rc = 0;
	}
	if (rc)
		goto out;
	rc = add_to_list(c, ois_json_str(found, "id"), user, new_id, new_version, NULL);
out:
	ois_state_unlock(lock);
	json_object_put(found);
	json_object_put(user);
	json_object_put(body);
	return rc;
}

static int ia_update(struct ois_conn *conn, const char *kind, const char *id, const char *if_version,
		     json_object *data, json_object *fields, char **new_version)
{
	struct ia_conn *c = (struct ia_conn *)conn;
	*new_version = NULL;
	if (is_appointment(kind))
		return appt_update(c, id, if_version, data, fields, new_version);
	int rc = only_contacts(kind);
	if (rc)
		return rc;
	if (!fields)
		return ois_fail(OIS_EDATA, "interaction: an update of %s names no fields", id);
	json_object *body = ois_ia_contact_from_canonical(data, fields);
	json_object *view = NULL;
	if (json_object_object_length(body) == 0) {
		/* Only units InterAction does not carry changed: nothing to send. */
		rc = ois_ia_user_contact_get(c->ia, c->uid, id, &view);
		if (!rc)
			rc = ois_ia_take_id_version(view, NULL, new_version);
		if (!rc && if_version && strcmp(if_version, *new_version)) {
			free(*new_version);
			*new_version = NULL;
			rc = ois_fail(OIS_ECONFLICT, "contact %s changed since version %s", id, if_version);
		}
	} else {
		rc = ois_ia_user_contact_patch(c->ia, c->uid, id, if_version, body, &view);
		if (!rc)
			rc = ois_ia_take_id_version(view, NULL, new_version);
	}
	json_object_put(view);
	json_object_put(body);
	return rc;
}

static int ia_remove(struct ois_conn *conn, const char *kind, const char *id, const char *if_version)
{
	struct ia_conn *c = (struct ia_conn *)conn;
	if (is_appointment(kind)) {
		int rc = ois_ia_appointment_delete(c->ia, id, if_version);
		if (rc == OIS_ENOTFOUND)
			ois_info("appointment %s is already gone", id);
		return rc;
	}
	int rc = only_contacts(kind);
	if (rc)
		return rc;
	/* Off the user's list only: the firm contact belongs to everyone. */
	rc = ois_ia_list_remove(c->ia, c->uid, id, if_version);
	if (rc == OIS_ENOTFOUND)
		ois_info("contact %s is no longer on %s's list", id, c->uid);
	return rc;
}

static int ia_find_by_op(struct ois_conn *conn, const char *kind, const char *op_id, json_object *data,
			 char **id, char **version)
{
	struct ia_conn *c = (struct ia_conn *)conn;
	*id = *version = NULL;
	if (is_appointment(kind))
		return appt_find_by_op(c, op_id, id, version);
	int rc = only_contacts(kind);
	if (rc)
		return rc;
	json_object *found = NULL, *view = NULL;
	if ((rc = find_by_ref(c, op_id, &found)))
		goto out;
	const char *cid = ois_json_str(found, "id");
	rc = ois_ia_user_contact_get(c->ia, c->uid, cid, &view);
	if (rc == OIS_ENOTFOUND) {
		/* Created, but the run stopped before it reached the list. */
		ois_info("contact %s created by op %s is not on %s's list: adding it", cid, op_id, c->uid);
		json_object *body = data ? ois_ia_contact_from_canonical(data, NULL) : NULL;
		json_object *user = body ? ois_ia_split_user_fields(body) : NULL;
		rc = add_to_list(c, cid, user, id, version, NULL);
		json_object_put(user);
		json_object_put(body);
		goto out;
	}
	if (!rc)
		rc = ois_ia_take_id_version(view, id, version);
out:
	json_object_put(view);
	json_object_put(found);
	return rc;
}

static void ia_close(struct ois_conn *conn)
{
	struct ia_conn *c = (struct ia_conn *)conn;
	if (!c)
		return;
	ois_ia_close(c->ia);
	free(c->appointment_type);
	free(c->uid);
	free(c->account);
	free(c->state_dir);
	free(c);
}

static struct ois_conn *ia_open(const struct ois_account_ref *ref, int *rc)
{
	struct ois_ia *ia;
	if (!ref->user) {
		*rc = ois_fail(OIS_ECONFIG, "no InterAction user for '%s' in the users file", ref->mailbox);
		return NULL;
	}
	*rc = ois_ia_open(&ref->cfg->interaction, ref->url, &ia);
	if (*rc)
		return NULL;
	struct ia_conn *c = ois_xcalloc(1, sizeof(*c));
	c->base.be = &ois_backend_interaction;
	c->ia = ia;
	c->uid = ois_xstrdup(ref->user);
	c->account = ois_xstrdup(ref->mailbox);
	/* New appointments get the user's appointment type (oisync.conf(5)). */
	const struct ois_user *u = ois_config_user(ref->cfg, ref->user);
	const char *type = (u ? &u->settings : &ref->cfg->defaults)->appointment_type;
	c->appointment_type = ois_str_empty(type) ? NULL : ois_xstrdup(type);
	c->state_dir = ois_str_empty(ref->cfg->state_dir) ? NULL : ois_xstrdup(ref->cfg->state_dir);
	ois_ia_keep_token(ia, c->state_dir);
	return &c->base;
}

static int ia_read(struct ois_conn *conn, const struct ois_read *r)
{
	return ois_ia_read((struct ia_conn *)conn, r);
}

/* The body a create sends is what the API returns for the item, less the keys the server adds. */
static json_object *ia_to_native(const char *kind, json_object *canonical)
{
	if (is_appointment(kind))
		return ois_ia_appointment_from_canonical(canonical, NULL);
	return is_contact(kind) ? ois_ia_contact_from_canonical(canonical, NULL) : NULL;
}

/* The user's list, its first contact: a token, and a user the API knows (404 when not). */
static int ia_probe(struct ois_conn *conn)
{
	struct ia_conn *c = (struct ia_conn *)conn;
	struct ois_ia_page page = { 0 };
	int rc = ois_ia_list_page(c->ia, c->uid, 1, NULL, &page);
	ois_ia_page_release(&page);
	return rc;
}

static int ia_list_users(struct ois_conn *conn, json_object **users)
{
	return ois_ia_users(((struct ia_conn *)conn)->ia, users);
}

const struct ois_backend ois_backend_interaction = {
	.map = &ois_map_interaction,
	.open = ia_open,
	.close = ia_close,
	.read = ia_read,
	.to_native = ia_to_native,
	.create = ia_create,
	.update = ia_update,
	.remove = ia_remove,
	.find_by_op = ia_find_by_op,
	.probe = ia_probe,
	.list_users = ia_list_users,
	.write_many = ois_ia_write_many,
	.write_batch = OIS_IA_WRITE_BATCH,
};
