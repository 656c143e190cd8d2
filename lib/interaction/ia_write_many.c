/* ia_write_many.c - the InterAction backend's writes several at once: each step of every op in one round of requests, up to write_concurrency in flight. */
#include "code.h"
#include "ia_backend.h"
#include "ia_contact.h"
#include "log.h"
#include "state.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * A contact write takes several requests in a row (a create: its e-mail
 * searches, the create, the list entry). Sent op by op, an apply of
 * thousands waits thousands of round trips for each step. Here every op of
 * the batch takes its step in the same round, and a round's requests go
 * out together (ois_ia_send_many): the batch costs one round trip a step
 * per write_concurrency ops. What each op sends, and its answer, are the
 * single methods' (ia_backend.c); an appointment write, whose steps depend
 * on the replies (ia_backend.c, keep_guests, follow_time), goes one by one.
 */

/* One round: the requests and which write each is for. */
struct round {
	struct ois_ia_req *r;
	size_t *of;
	size_t n, cap;
};

static void round_add(struct round *rd, size_t of, struct ois_ia_req req)
{
	if (rd->n == rd->cap) {
		rd->cap = rd->cap ? rd->cap * 2 : 16;
		rd->r = ois_xrealloc(rd->r, rd->cap * sizeof(*rd->r));
		rd->of = ois_xrealloc(rd->of, rd->cap * sizeof(*rd->of));
	}
	rd->r[rd->n] = req;
	rd->of[rd->n++] = of;
}

static void round_clear(struct round *rd)
{
	for (size_t i = 0; i < rd->n; i++)
		ois_ia_req_release(&rd->r[i]);
	rd->n = 0;
}

static void round_free(struct round *rd)
{
	round_clear(rd);
	free(rd->r);
	free(rd->of);
}

/* What one write is at between rounds. */
struct wjob {
	struct ois_write *w;
	int done;               /* w->rc is its answer */
	json_object *body;      /* create: the firm's fields */
	json_object *user;      /* create, find: the user's own fields */
	size_t email;           /* create: the next of data's addresses to search */
	json_object *found;     /* create: the firm contact found by e-mail, or made */
	char *cid;              /* find: the contact carrying the op's tag */
	int made;               /* create: found is the contact this op made (not adopted) */
};

struct batch {
	struct ia_conn *c;
	struct wjob *j;
	size_t n;
	int stop;               /* a failure that leaves the rest unsent: every write not done gets it */
	struct round rd;
};

static void answer(struct wjob *j, int rc)
{
	j->w->rc = rc;
	j->done = 1;
}

/*
 * Send the round and note a failure after which nothing more is sent: the
 * server throttling past the retries or down (ois_ia_send_many left the
 * rest unsent), or refusing the service user.
 */
static void round_send(struct batch *b)
{
	ois_ia_send_many(b->c->ia, b->rd.r, b->rd.n);
	for (size_t i = 0; i < b->rd.n && !b->stop; i++) {
		int rc = b->rd.r[i].rc;
		if (rc == OIS_ETEMP || rc == OIS_EPERM || rc == OIS_ECONFIG ||
		    (rc == OIS_EUNAVAIL && b->rd.r[i].what != OIS_IA_CREATE))
			b->stop = rc;
	}
}

/* A reply that puts the write's item on the list: its id and version are the write's answer. */
static void take_view(struct wjob *j, int rc, json_object *view)
{
	if (!rc)
		rc = ois_ia_take_id_version(view, &j->w->new_id, &j->w->new_version);
	answer(j, rc);
}

/* The e-mail address of data at *k or after that is not empty, lower case (owned), or NULL. */
static char *email_at(json_object *data, size_t *k)
{
	json_object *emails = ois_json_arr(data, "emails");
	for (; emails && *k < json_object_array_length(emails); ++*k) {
		const char *addr = ois_json_str(json_object_array_get_idx(emails, *k), "address");
		if (ois_str_empty(addr))
			continue;
		char *low = ois_xstrdup(addr);
		for (char *p = low; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return low;
	}
	return NULL;
}

/* ---- find_by_op ---- */

static void find_all(struct batch *b, const size_t *at, size_t n)
{
	struct round *rd = &b->rd;
	char **refs = ois_xcalloc(n, sizeof(*refs));
	for (size_t m = 0; m < n; m++) {
		refs[m] = ois_xasprintf(OIS_IA_OP_REF_PREFIX "%s", b->j[at[m]].w->op_id);
		round_add(rd, at[m], (struct ois_ia_req){ .what = OIS_IA_SEARCH, .uid = b->c->uid, .key = "external_ref",
							   .value = refs[m] });
	}
	round_send(b);
	for (size_t i = 0; i < rd->n; i++) {
		struct wjob *j = &b->j[rd->of[i]];
		json_object *hits = rd->r[i].out;
		if (rd->r[i].rc)
			answer(j, rd->r[i].rc);
		else if (!json_object_array_length(hits))
			answer(j, OIS_ENOTFOUND);
		else
			j->cid = ois_xstrdup(ois_json_str(json_object_array_get_idx(hits, 0), "id"));
	}
	round_clear(rd);
	for (size_t m = 0; m < n; m++)
		free(refs[m]);
	free(refs);

	/* Made by the op: on the list already, or not yet when a run stopped in between. */
	for (size_t m = 0; m < n && !b->stop; m++)
		if (!b->j[at[m]].done)
			round_add(rd, at[m], (struct ois_ia_req){ .what = OIS_IA_VIEW_GET, .uid = b->c->uid,
								   .id = b->j[at[m]].cid });
	if (!rd->n)
		return;
	round_send(b);
	struct round add = { 0 };
	for (size_t i = 0; i < rd->n; i++) {
		struct wjob *j = &b->j[rd->of[i]];
		if (rd->r[i].rc != OIS_ENOTFOUND) {
			take_view(j, rd->r[i].rc, rd->r[i].out);
			continue;
		}
		ois_info("contact %s created by op %s is not on %s's list: adding it", j->cid, j->w->op_id, b->c->uid);
		json_object *body = j->w->data ? ois_ia_contact_from_canonical(j->w->data, NULL) : NULL;
		j->user = body ? ois_ia_split_user_fields(body) : NULL;
		json_object_put(body);
		round_add(&add, rd->of[i], (struct ois_ia_req){ .what = OIS_IA_LIST_ADD, .uid = b->c->uid, .id = j->cid,
								.body = j->user });
	}
	round_clear(rd);
	if (add.n && !b->stop) {
		struct round keep = *rd;
		*rd = add;
		round_send(b);
		for (size_t i = 0; i < rd->n; i++)
			take_view(&b->j[rd->of[i]], rd->r[i].rc, rd->r[i].out);
		add = *rd;
		*rd = keep;
	}
	round_free(&add);
}

/* ---- update, remove ---- */

static void update_remove_all(struct batch *b, const size_t *at, size_t n)
{
	struct round *rd = &b->rd;
	for (size_t m = 0; m < n; m++) {
		struct wjob *j = &b->j[at[m]];
		struct ois_write *w = j->w;
		if (w->what == OIS_WRITE_REMOVE) {
			/* Off the user's list only: the firm contact belongs to everyone. */
			round_add(rd, at[m], (struct ois_ia_req){ .what = OIS_IA_LIST_REMOVE, .uid = b->c->uid, .id = w->id,
								   .if_version = w->if_version });
			continue;
		}
		if (!w->fields) {
			answer(j, ois_fail(OIS_EDATA, "interaction: an update of %s names no fields", w->id));
			continue;
		}
		j->body = ois_ia_contact_from_canonical(w->data, w->fields);
		/* Only units InterAction does not carry changed: nothing to send but the version to check. */
		int empty = json_object_object_length(j->body) == 0;
		round_add(rd, at[m], (struct ois_ia_req){ .what = empty ? OIS_IA_VIEW_GET : OIS_IA_VIEW_PATCH,
							   .uid = b->c->uid, .id = w->id, .if_version = w->if_version,
							   .body = empty ? NULL : j->body });
	}
	if (!rd->n)
		return;
	round_send(b);
	for (size_t i = 0; i < rd->n; i++) {
		struct wjob *j = &b->j[rd->of[i]];
		struct ois_write *w = j->w;
		int rc = rd->r[i].rc;
		if (w->what == OIS_WRITE_REMOVE) {
			if (rc == OIS_ENOTFOUND)
				ois_info("contact %s is no longer on %s's list", w->id, b->c->uid);
			answer(j, rc);
			continue;
		}
		if (!rc)
			rc = ois_ia_take_id_version(rd->r[i].out, NULL, &w->new_version);
		if (!rc && rd->r[i].what == OIS_IA_VIEW_GET && w->if_version && strcmp(w->if_version, w->new_version)) {
			free(w->new_version);
			w->new_version = NULL;
			rc = ois_fail(OIS_ECONFLICT, "contact %s changed since version %s", w->id, w->if_version);
		}
		answer(j, rc);
	}
	round_clear(rd);
}

/* ---- create ---- */

/*
 * The creates of one wave: no two of them share an e-mail address, so no
 * two can find, or make, the same person. Each searches the firm's
 * contacts by its addresses (a round per address, for those still
 * without a match), then adopts what it found or creates, then puts that
 * on the user's list. A create that found the contact an earlier one of
 * the wave adopts (a person with two addresses, one in each) waits for the
 * next wave (*deferred), which searches again once this one is done: two
 * requests of one round never write one contact. The batch's updates and
 * removes are done before any create's round starts.
 */
static void create_wave(struct batch *b, const size_t *wave, size_t n, json_object *claimed, size_t *deferred,
			size_t *nd)
{
	struct round *rd = &b->rd;
	for (size_t m = 0; m < n; m++) {
		struct wjob *j = &b->j[wave[m]];
		j->email = 0;
		json_object_put(j->found);
		j->found = NULL;
		if (!j->body) {
			j->body = ois_ia_contact_from_canonical(j->w->data, NULL);
			j->user = ois_ia_split_user_fields(j->body);
		}
	}
	/* The searches, a round per address. */
	for (int more = 1; more && !b->stop;) {
		more = 0;
		char **addr = ois_xcalloc(n, sizeof(*addr));
		for (size_t m = 0; m < n; m++) {
			struct wjob *j = &b->j[wave[m]];
			if (j->done || j->found || !(addr[m] = email_at(j->w->data, &j->email)))
				continue;
			round_add(rd, wave[m], (struct ois_ia_req){ .what = OIS_IA_SEARCH, .uid = b->c->uid, .key = "email",
								    .value = addr[m] });
		}
		if (rd->n) {
			round_send(b);
			for (size_t i = 0; i < rd->n; i++) {
				struct wjob *j = &b->j[rd->of[i]];
				json_object *hits = rd->r[i].out;
				j->email++;
				if (rd->r[i].rc) {
					answer(j, rd->r[i].rc);
				} else if (json_object_array_length(hits)) {
					if (json_object_array_length(hits) > 1)
						ois_notice("%zu firm contacts have e-mail '%s'; using the first, %s",
							   json_object_array_length(hits), rd->r[i].value,
							   ois_json_str(json_object_array_get_idx(hits, 0), "id"));
					j->found = json_object_get(json_object_array_get_idx(hits, 0));
				} else {
					more = 1;
				}
			}
			round_clear(rd);
		}
		for (size_t m = 0; m < n; m++)
			free(addr[m]);
		free(addr);
	}
	if (b->stop)
		return;

	/* Adopt what was found, create what was not. */
	for (size_t m = 0; m < n; m++) {
		struct wjob *j = &b->j[wave[m]];
		if (j->done)
			continue;
		if (j->found) {
			const char *id = ois_json_str(j->found, "id");
			if (json_object_object_get_ex(claimed, id, NULL)) {
				deferred[(*nd)++] = wave[m];
				continue;
			}
			json_object_object_add(claimed, id, NULL);
			ois_info("firm contact %s has the same e-mail address: adding it to %s's list", id, b->c->uid);
			round_add(rd, wave[m], (struct ois_ia_req){ .what = OIS_IA_LIST_ADD, .uid = b->c->uid, .id = id,
								    .body = j->user });
		} else {
			round_add(rd, wave[m], (struct ois_ia_req){ .what = OIS_IA_CREATE, .body = j->body,
								    .op_id = j->w->op_id });
		}
	}
	if (!rd->n)
		return;
	round_send(b);
	struct round lost = { 0 };
	for (size_t i = 0; i < rd->n; i++) {
		struct wjob *j = &b->j[rd->of[i]];
		int rc = rd->r[i].rc;
		if (rd->r[i].what == OIS_IA_LIST_ADD) {
			/* Adopted: the caller merges the firm's values with the op's (struct ois_write, adopted). */
			take_view(j, rc, rd->r[i].out);
			if (!j->w->rc) {
				j->w->adopted.data = ois_ia_contact_to_canonical(rd->r[i].out);
				/* The firm's last change, not the list entry's just now: newest-wins weighs edits. */
				const char *modified = ois_json_str(j->found, "updated_at");
				if (modified)
					j->w->adopted.modified = ois_xstrdup(modified);
			}
		} else if (!rc) {
			j->found = json_object_get(rd->r[i].out);
			j->made = 1;
		} else if ((rc == OIS_EUNAVAIL || rc == OIS_ETEMP || rc == OIS_ECONFLICT) && !b->stop) {
			/* The reply may be what was lost (or the contact exists from an earlier try: 409): look for the tag. */
			round_add(&lost, rd->of[i], (struct ois_ia_req){ .what = OIS_IA_SEARCH, .uid = b->c->uid,
									 .key = "external_ref" });
			answer(j, rc);
			j->done = 0; /* unless the tag is found */
		} else {
			answer(j, rc);
		}
	}
	round_clear(rd);
	if (lost.n) {
		char **refs = ois_xcalloc(lost.n, sizeof(*refs));
		for (size_t i = 0; i < lost.n; i++)
			lost.r[i].value = refs[i] = ois_xasprintf(OIS_IA_OP_REF_PREFIX "%s", b->j[lost.of[i]].w->op_id);
		struct round keep = *rd;
		*rd = lost;
		round_send(b);
		for (size_t i = 0; i < rd->n; i++) {
			struct wjob *j = &b->j[rd->of[i]];
			json_object *hits = rd->r[i].out;
			if (rd->r[i].rc || !json_object_array_length(hits)) {
				j->done = 1; /* the create's own failure stands */
				continue;
			}
			j->found = json_object_get(json_object_array_get_idx(hits, 0));
			j->made = 1;
			j->w->rc = 0;
			ois_info("contact %s was created although its reply was lost", ois_json_str(j->found, "id"));
		}
		lost = *rd;
		*rd = keep;
		for (size_t i = 0; i < lost.n; i++)
			free(refs[i]);
		free(refs);
		round_free(&lost);
	}
	if (b->stop)
		return;

	/* What this wave made goes on the user's list, with the user's own fields. */
	for (size_t m = 0; m < n; m++) {
		struct wjob *j = &b->j[wave[m]];
		if (!j->done && j->made)
			round_add(rd, wave[m], (struct ois_ia_req){ .what = OIS_IA_LIST_ADD, .uid = b->c->uid,
								    .id = ois_json_str(j->found, "id"), .body = j->user });
	}
	if (!rd->n)
		return;
	round_send(b);
	for (size_t i = 0; i < rd->n; i++)
		take_view(&b->j[rd->of[i]], rd->r[i].rc, rd->r[i].out);
	round_clear(rd);
}

/* Whether the create at k shares an e-mail address with one in wave[0..n). */
static int shares_email(struct batch *b, size_t k, const size_t *wave, size_t n)
{
	size_t a = 0;
	for (char *mine; (mine = email_at(b->j[k].w->data, &a)); a++) {
		for (size_t m = 0; m < n; m++) {
			size_t o = 0;
			for (char *theirs; (theirs = email_at(b->j[wave[m]].w->data, &o)); o++) {
				int same = !strcmp(mine, theirs);
				free(theirs);
				if (same) {
					free(mine);
					return 1;
				}
			}
		}
		free(mine);
	}
	return 0;
}

static void create_all(struct batch *b, const size_t *at, size_t n)
{
	size_t *todo = ois_xcalloc(n, sizeof(*todo)), *wave = ois_xcalloc(n, sizeof(*wave));
	size_t *later = ois_xcalloc(n, sizeof(*later));
	size_t nt = n;
	memcpy(todo, at, n * sizeof(*at));
	while (nt && !b->stop) {
		/* A wave: the creates left, in order, but for one sharing an address with one taken: it waits. */
		size_t nw = 0, nl = 0;
		for (size_t m = 0; m < nt; m++) {
			if (shares_email(b, todo[m], wave, nw))
				later[nl++] = todo[m];
			else
				wave[nw++] = todo[m];
		}
		/* The wave's first create always claims what it finds: every wave does one at least. */
		json_object *claimed = json_object_new_object();
		size_t nd = 0;
		create_wave(b, wave, nw, claimed, later + nl, &nd);
		json_object_put(claimed);
		nl += nd;
		memcpy(todo, later, nl * sizeof(*later));
		nt = nl;
	}
	free(todo);
	free(wave);
	free(later);
}

/* ---- the batch ---- */

/* A write the rounds do not take (an appointment, a kind not written): by itself, through the single method. */
static int one_by_one(struct ia_conn *c, struct ois_write *w)
{
	const struct ois_backend *be = c->base.be;
	switch (w->what) {
	case OIS_WRITE_FIND:
		return be->find_by_op(&c->base, w->kind, w->op_id, w->data, &w->new_id, &w->new_version);
	case OIS_WRITE_CREATE:
		return be->create(&c->base, w->kind, w->data, w->op_id, &w->new_id, &w->new_version, &w->adopted);
	case OIS_WRITE_UPDATE:
		return be->update(&c->base, w->kind, w->id, w->if_version, w->data, w->fields, &w->new_version);
	case OIS_WRITE_REMOVE:
		return be->remove(&c->base, w->kind, w->id, w->if_version);
	}
	OIS_BUG("interaction: write %d", (int)w->what);
}

int ois_ia_write_many(struct ois_conn *conn, struct ois_write *w, size_t n)
{
	struct batch b = { .c = (struct ia_conn *)conn, .n = n };
	b.j = ois_xcalloc(n, sizeof(*b.j));
	size_t *at[4], nat[4] = { 0 };
	for (int k = 0; k < 4; k++)
		at[k] = ois_xcalloc(n, sizeof(*at[k]));
	/*
	 * From the searches to the creates, no other process may create a firm
	 * contact (ia_backend.c, ia_create): the lock spans the batch, taken
	 * before anything is sent.
	 */
	int lock = -1;
	for (size_t i = 0; i < n && lock == -1; i++)
		if (w[i].what == OIS_WRITE_CREATE && b.c->state_dir && (lock = ois_state_firm_lock(b.c->state_dir)) == OIS_EIO) {
			free(b.j);
			return OIS_EIO;
		}
	for (size_t i = 0; i < n; i++) {
		b.j[i].w = &w[i];
		w[i].new_id = w[i].new_version = NULL;
		w[i].adopted = (struct ois_adopted){ 0 };
		if (w[i].kind && !strcmp(w[i].kind, "contact"))
			at[w[i].what][nat[w[i].what]++] = i;
		else if (!b.stop) {
			answer(&b.j[i], one_by_one(b.c, &w[i]));
			if (w[i].rc == OIS_ETEMP || w[i].rc == OIS_EUNAVAIL || w[i].rc == OIS_EPERM)
				b.stop = w[i].rc;
		}
	}
	if (nat[OIS_WRITE_FIND] && !b.stop)
		find_all(&b, at[OIS_WRITE_FIND], nat[OIS_WRITE_FIND]);
	size_t nur = 0;
	size_t *ur = ois_xcalloc(n, sizeof(*ur));
	for (int k = OIS_WRITE_UPDATE; k <= OIS_WRITE_REMOVE; k++)
		for (size_t m = 0; m < nat[k]; m++)
			ur[nur++] = at[k][m];
	if (nur && !b.stop)
		update_remove_all(&b, ur, nur);
	/* Updates and removes before the creates: one that adopts what one of them holds comes after it. */
	if (nat[OIS_WRITE_CREATE] && !b.stop)
		create_all(&b, at[OIS_WRITE_CREATE], nat[OIS_WRITE_CREATE]);
	ois_state_unlock(lock);
	for (size_t i = 0; i < n; i++) {
		struct wjob *j = &b.j[i];
		if (!j->done)
			w[i].rc = b.stop ? b.stop : OIS_EUNAVAIL;
		if (w[i].rc) {
			free(w[i].new_id);
			free(w[i].new_version);
			w[i].new_id = w[i].new_version = NULL;
			ois_adopted_release(&w[i].adopted);
		}
		json_object_put(j->body);
		json_object_put(j->user);
		json_object_put(j->found);
		free(j->cid);
	}
	round_free(&b.rd);
	free(ur);
	for (int k = 0; k < 4; k++)
		free(at[k]);
	free(b.j);
	return 0;
}
