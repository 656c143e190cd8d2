/* interaction.c - oisync-extract interaction: one user's contact list as item records, checkpoint last. */
#include "code.h"
#include "extract.h"
#include "interaction.h"
#include "jsonl.h"
#include "log.h"
#include "record.h"
#include "state.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FOLDER "contacts"
/* The API's largest page: fewest round trips for a full read. */
#define PAGE_LIMIT 500

struct ia_extract {
	const struct extract_args *args;
	struct ois_ia *ia;
	unsigned long items;
	unsigned long deletes;
};

/* The envelope every record of this reader starts with. */
static json_object *envelope(const struct ia_extract *x, const char *type)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string(type));
	json_object_object_add(r, "side", json_object_new_string("interaction"));
	json_object_object_add(r, "account", json_object_new_string(x->args->account));
	return r;
}

static int write_rec(json_object *r, FILE *out)
{
	int rc = ois_jsonl_write(out, r);
	json_object_put(r);
	return rc;
}

/* An upsert item record carrying the user view as the API sent it. */
static int emit_contact(struct ia_extract *x, json_object *contact)
{
	json_object *r = envelope(x, "contact");
	json_object_object_add(r, "user", json_object_new_string(x->args->user));
	json_object_object_add(r, "folder", json_object_new_string(FOLDER));
	json_object_object_add(r, "id", json_object_new_string(ois_json_str(contact, "id")));
	char *version = ois_ia_version_str(contact);
	if (version)
		json_object_object_add(r, "version", json_object_new_string(version));
	free(version);
	const char *modified = ois_json_str(contact, "updated_at");
	if (modified)
		json_object_object_add(r, "modified", json_object_new_string(modified));
	json_object_object_add(r, "op", json_object_new_string("upsert"));
	const char *tag = ois_ia_op_tag(contact);
	if (tag)
		json_object_object_add(r, "op_tag", json_object_new_string(tag));
	json_object_object_add(r, "data", json_object_get(contact));
	x->items++;
	return write_rec(r, x->args->out);
}

static int emit_delete(struct ia_extract *x, json_object *change)
{
	json_object *r = envelope(x, "contact");
	json_object_object_add(r, "user", json_object_new_string(x->args->user));
	json_object_object_add(r, "folder", json_object_new_string(FOLDER));
	json_object_object_add(r, "id", json_object_new_string(ois_json_str(change, "id")));
	json_object_object_add(r, "op", json_object_new_string("delete"));
	const char *reason = ois_json_str(change, "reason");
	json_object_object_add(r, "reason", json_object_new_string(reason ? reason : "removed_from_list"));
	x->deletes++;
	return write_rec(r, x->args->out);
}

static int emit_checkpoint(struct ia_extract *x, const char *cursor, int full)
{
	json_object *r = envelope(x, "checkpoint");
	json_object_object_add(r, "folder", json_object_new_string(FOLDER));
	json_object_object_add(r, "token", json_object_new_string(cursor));
	json_object_object_add(r, "complete", json_object_new_boolean(1));
	json_object_object_add(r, "full", json_object_new_boolean(full));
	return write_rec(r, x->args->out);
}

/*
 * The whole list, page by page. The cursor of the first page is where the
 * feed stood before the read began, so a change made during the read shows
 * up again next time rather than never.
 */
static int full_read(struct ia_extract *x)
{
	char *cursor = NULL, *page = NULL;
	int rc;
	for (;;) {
		struct ois_ia_page p;
		if ((rc = ois_ia_list_page(x->ia, x->args->user, PAGE_LIMIT, page, &p)))
			break;
		if (!cursor)
			cursor = ois_xstrdup(p.cursor);
		for (size_t i = 0; !rc && i < json_object_array_length(p.contacts); i++)
			rc = emit_contact(x, json_object_array_get_idx(p.contacts, i));
		free(page);
		page = p.next ? ois_xstrdup(p.next) : NULL;
		ois_ia_page_release(&p);
		if (rc || !page)
			break;
	}
	if (!rc)
		rc = emit_checkpoint(x, cursor, 1);
	free(page);
	free(cursor);
	return rc;
}

/* The changes since cursor; OIS_IA_CURSOR_EXPIRED when the server forgot it. */
static int feed_read(struct ia_extract *x, const char *start)
{
	char *cursor = ois_xstrdup(start);
	int rc, more = 1;
	for (int call = 0; more; call++) {
		struct ois_ia_changes ch;
		rc = ois_ia_changes(x->ia, x->args->user, cursor, PAGE_LIMIT, &ch);
		/* A cursor the server just gave out cannot fall back to a full
		 * read: records of the feed are already out. Fail; the next run
		 * starts again from the committed cursor. */
		if (rc == OIS_IA_CURSOR_EXPIRED && call > 0)
			rc = ois_fail(OIS_EUNAVAIL, "change cursor expired while reading the feed");
		if (rc)
			break;
		for (size_t i = 0; !rc && i < json_object_array_length(ch.changes); i++) {
			json_object *c = json_object_array_get_idx(ch.changes, i);
			if (!strcmp(ois_json_str(c, "op"), "upsert"))
				rc = emit_contact(x, ois_json_obj(c, "contact"));
			else
				rc = emit_delete(x, c);
		}
		free(cursor);
		cursor = ois_xstrdup(ch.cursor);
		more = ch.more;
		ois_ia_changes_release(&ch);
		if (rc)
			break;
	}
	if (!rc)
		rc = emit_checkpoint(x, cursor, 0);
	free(cursor);
	return rc;
}



static void print_stats(const struct ia_extract *x, double seconds)
{
	struct ois_http_stats s;
	ois_ia_stats(x->ia, &s);
	fprintf(stderr,
		"%s: %s: interaction contacts: %lu requests (%lu retries), %llu bytes sent, %llu received, "
		"%lu items, %lu deletes, %.2f s (%.2f s in requests)\n",
		ois_log_prog(), x->args->account, s.requests, s.retries, s.bytes_sent, s.bytes_received,
		x->items, x->deletes, seconds, s.seconds);
}

int extract_interaction(const struct extract_args *args)
{
	struct ia_extract x = { .args = args };
	double start = ois_monotonic_seconds();
	char *cursor = NULL;
	int rc = extract_committed_token(args, OIS_INTERACTION, FOLDER, &cursor);
	if (rc)
		return rc;
	if ((rc = ois_ia_open(&args->cfg->interaction, args->url, &x.ia)))
		goto out;
	if (cursor) {
		ois_info("reading changes since the committed cursor");
		rc = feed_read(&x, cursor);
		if (rc == OIS_IA_CURSOR_EXPIRED) {
			/* Nothing was written for the feed yet: the first reply was the 410. */
			ois_warn("change cursor expired; reading the whole list");
			rc = full_read(&x);
		}
	} else {
		ois_info("no committed cursor: reading the whole list");
		rc = full_read(&x);
	}
	/* The list and the feed are the user's: a 404 means InterAction has no such user. */
	if (rc == OIS_ENOTFOUND)
		rc = ois_fail(OIS_ECONFIG, "InterAction has no user '%s' (check the users file)", args->user);
	if (args->stats)
		print_stats(&x, ois_monotonic_seconds() - start);
out:
	ois_ia_close(x.ia);
	free(cursor);
	return rc;
}
