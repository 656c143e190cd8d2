/* oisync_users_match.c - oisync users match: a mailbox proposed for each InterAction user the users file lacks. */
#include "oisync.h"
#include "buf.h"
#include "code.h"
#include "config.h"
#include "backend.h"
#include "log.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a users file takes as ID in "[user ID]" (lib/config.c): no blank, no bracket, not empty. */
static int id_ok(const char *id)
{
	if (!*id)
		return 0;
	for (const char *s = id; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '[' || *s == ']' || *s == ';' || *s == '#')
			return 0;
	return 1;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

/* The Exchange server to match on: the one named, else the only one. */
static int pick_server(const struct ois_config *cfg, const char *name, const struct ois_endpoint **out)
{
	if (!name && cfg->nservers != 1)
		return oisync_usage_error("'users match' needs --server NAME when there are %zu servers", cfg->nservers);
	const struct ois_endpoint *e = name ? ois_config_server(cfg, name) : &cfg->servers[0];
	if (!e) {
		ois_error("no [server %s] in '%s'", name, cfg->path);
		return EX_CONFIG;
	}
	*out = e;
	return 0;
}

/*
 * The server's directory, through its backend's find_mailboxes (EWS
 * ResolveNames; Graph /users filtered on mail, which needs User.Read.All).
 * The connection is opened on first use, as one of that server's users in
 * the users file (EWS impersonates it), else as the first address looked
 * up.
 */
struct directory {
	const struct ois_config *cfg;
	const struct ois_endpoint *server;
	const struct ois_backend *be;
	struct ois_conn *conn;
};

static int directory_find(struct directory *d, const char *email, char ***found, size_t *n)
{
	if (!d->conn) {
		const char *anchor = email;
		for (size_t i = 0; i < d->cfg->nusers; i++)
			if (!strcmp(d->cfg->users[i].server, d->server->name)) {
				anchor = d->cfg->users[i].mailbox;
				break;
			}
		struct ois_account_ref ref = { .cfg = d->cfg, .server = d->server->name, .mailbox = anchor };
		int rc = 0;
		if (!(d->conn = d->be->open(&ref, &rc)))
			return rc;
	}
	return d->be->find_mailboxes(d->conn, email, found, n);
}

/* InterAction's users, through its backend (no user of its own: the id is left empty). */
static int interaction_users(const struct ois_config *cfg, json_object **users)
{
	const struct ois_backend *ia = ois_backend_for(cfg, OIS_INTERACTION, NULL);
	if (!ia)
		return OIS_ECONFIG;
	if (!ia->list_users)
		return ois_fail(OIS_ESOFTWARE, "the InterAction backend cannot list users");
	struct ois_account_ref ref = { .cfg = cfg, .mailbox = "", .user = "" };
	int rc = 0;
	struct ois_conn *c = ia->open(&ref, &rc);
	if (!c)
		return rc;
	rc = ia->list_users(c, users);
	ia->close(c);
	return rc;
}

/*
 * users match [--server S] [--write]: every InterAction user (GET /users)
 * without a [user ID] in the users file, its e-mail looked up in the
 * server's directory. Printed as users-file sections,
 * enabled = no, for the administrator to review; with --write they are
 * also appended to the users file (atomically, the rest kept), still
 * disabled: matching by e-mail is a guess until a person has looked, and
 * a wrong mailbox would sync one lawyer's contacts into another's list.
 * A user that cannot be matched is said, with why, as a comment line.
 */
int oisync_users_match(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "write", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL;
	int append = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+s:w", opts, NULL)) != -1) {
		if (c == 's')
			server = optarg;
		else if (c == 'w')
			append = 1;
		else
			return oisync_usage_error("bad option for 'users match'");
	}
	if (optind < argc)
		return oisync_usage_error("unexpected argument '%s' for 'users match'", argv[optind]);
	const struct ois_endpoint *e = NULL;
	int status = pick_server(cfg, server, &e);
	if (status)
		return status;
	if (!cfg->interaction.url) {
		ois_error("no [interaction] url in '%s'", cfg->path);
		return EX_CONFIG;
	}
	struct directory dir = { .cfg = cfg, .server = e, .be = ois_backend_for(cfg, OIS_EXCHANGE, e->name) };
	if (!dir.be)
		return EX_CONFIG;
	if (!dir.be->find_mailboxes) {
		ois_error("[server %s]: its backend has no directory to match users in", e->name);
		return EX_CONFIG;
	}
	json_object *users = NULL;
	int rc = interaction_users(cfg, &users);
	if (rc)
		return ois_exit_status(rc);

	struct ois_buf out = OIS_BUF_INIT, why = OIS_BUF_INIT;
	size_t proposed = 0, unmatched = 0;
	for (size_t i = 0; !rc && i < json_object_array_length(users); i++) {
		json_object *u = json_object_array_get_idx(users, i);
		const char *id = str_of(u, "id"), *name = str_of(u, "name"), *email = str_of(u, "email");
		if (ois_config_user(cfg, id))
			continue;
		char *reason = NULL, *mailbox = NULL;
		if (!id_ok(id)) {
			reason = ois_xstrdup("its id cannot be a [user ID] of the users file");
		} else if (!*email) {
			reason = ois_xstrdup("no e-mail address in InterAction");
		} else {
			char **found = NULL;
			size_t n = 0;
			if ((rc = directory_find(&dir, email, &found, &n)))
				break;
			const struct ois_user *taken = n == 1 ? ois_config_user_by_mailbox(cfg, found[0]) : NULL;
			if (n == 0) {
				reason = ois_xasprintf("no mailbox with %s in the directory of [server %s]", email, e->name);
			} else if (n > 1) {
				struct ois_buf list = OIS_BUF_INIT;
				for (size_t k = 0; k < n; k++)
					ois_buf_addf(&list, "%s%s", k ? ", " : "", found[k]);
				reason = ois_xasprintf("%zu mailboxes with %s in the directory of [server %s]: %s", n, email,
						       e->name, list.data);
				ois_buf_release(&list);
			} else if (taken) {
				reason = ois_xasprintf("its mailbox %s is already [user %s]'s", found[0], taken->id);
			} else {
				mailbox = ois_xstrdup(found[0]);
			}
			for (size_t k = 0; k < n; k++)
				free(found[k]);
			free(found);
		}
		if (mailbox) {
			ois_buf_addf(&out, "\n; %s <%s>: proposed by oisync users match\n[user %s]\nmailbox = %s\nserver = %s\n"
				     "enabled = no\n", name, email, id, mailbox, e->name);
			proposed++;
		} else {
			ois_buf_addf(&why, "; not matched: [user %s] %s%s%s%s: %s\n", id, name, *email ? " <" : "", email,
				     *email ? ">" : "", reason);
			unmatched++;
		}
		free(mailbox);
		free(reason);
	}
	if (dir.conn)
		dir.be->close(dir.conn);
	json_object_put(users);
	if (!rc) {
		fputs(out.data ? out.data : "", stdout);
		if (why.data)
			printf("\n%s", why.data);
		if (append && proposed) {
			size_t len = 0;
			char *text = oisync_users_file_read(cfg->users_file, &len, &rc);
			struct ois_buf all = OIS_BUF_INIT;
			if (text)
				ois_buf_add(&all, text, len);
			free(text);
			if (all.len && all.data[all.len - 1] != '\n')
				ois_buf_adds(&all, "\n");
			ois_buf_add(&all, out.data, out.len);
			if (!rc)
				rc = oisync_users_file_write(cfg, all.data, all.len);
			ois_buf_release(&all);
		}
		if (!rc)
			ois_notice("%zu proposed%s, %zu not matched", proposed,
				   append && proposed ? " and added to the users file, disabled" : "", unmatched);
	}
	ois_buf_release(&out);
	ois_buf_release(&why);
	return ois_exit_status(rc);
}
