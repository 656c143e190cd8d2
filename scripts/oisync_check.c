/* oisync_check.c - oisync check: the configuration, every secret, and each enabled user's mailbox and list, each problem said. */
#include "oisync.h"
#include "backend.h"
#include "code.h"
#include "config.h"
#include "log.h"
#include "secret.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read one endpoint's secret to prove it is there; the secret itself is dropped at once. */
static int check_endpoint(const struct ois_endpoint *e, const char *what)
{
	int problems = 0;
	if (e->secret_file || e->secret_env) {
		char *secret = NULL;
		if (ois_secret_read(e->secret_file, e->secret_env, &secret)) {
			ois_error("%s: its secret cannot be used", what);
			problems++;
		}
		ois_secret_free(secret);
	}
	if (e->ca_file && access(e->ca_file, R_OK)) {
		ois_error("%s: cannot read ca_file '%s': %s", what, e->ca_file, strerror(errno));
		problems++;
	}
	return problems;
}

/*
 * How bad a check's failure is, for the exit status of several: what the
 * administrator must fix (configuration, rights, damaged data) above a
 * server that is down, above one that asks to wait (it passes by itself).
 */
static int severity(int status)
{
	switch (status) {
	case 0: return 0;
	case EX_TEMPFAIL: return 1;
	case EX_UNAVAILABLE: return 2;
	case EX_DATAERR: return 3;
	case EX_NOPERM: return 4;
	case EX_CONFIG: return 5;
	default: return 2;
	}
}

static void worse(int *worst, int status)
{
	if (severity(status) > severity(*worst))
		*worst = status;
}

/* A code as check's exit status: one that is no sysexits one (an item not found) still says "a server failed". */
static int status_of(int rc)
{
	return -rc >= EX__BASE ? -rc : EX_UNAVAILABLE;
}

/* Open one side of u through backend be and make its probe request: 0 or the code. */
static int probe(const struct ois_config *cfg, const struct ois_backend *be, const struct ois_user *u)
{
	struct ois_account_ref ref = { .cfg = cfg, .server = u->server, .mailbox = u->mailbox, .user = u->id };
	int rc = 0;
	struct ois_conn *c = be->open(&ref, &rc);
	if (c) {
		rc = be->probe(c);
		be->close(c);
	}
	return rc;
}

/*
 * A server unavailable to one user (69: down, unreachable, failing as a
 * whole) is not asked again for the next: behind a dead server a thousand
 * users would each wait out the retries. The users it was not asked for
 * are still named, each on its own line.
 */
struct reach {
	const char *down_for; /* the user the server was unavailable to, NULL while it answers */
};

/* rc, a probe's answer for u, noted in r when it says the server is unavailable. */
static int note_reach(struct reach *r, const struct ois_user *u, int rc)
{
	if (rc == OIS_EUNAVAIL && !r->down_for)
		r->down_for = u->id;
	return rc;
}

/* The mailbox of u through its server's backend: its line, and 0 or the exit status. */
static int check_mailbox(const struct ois_config *cfg, const struct ois_user *u, struct reach *reach)
{
	const struct ois_backend *be = ois_backend_for(cfg, OIS_EXCHANGE, u->server);
	if (!be)
		return EX_CONFIG;
	if (!be->probe)
		return 0; /* a backend with no probe: nothing to open ahead of a run */
	if (reach->down_for) {
		ois_error("user %s: mailbox %s on [server %s] not checked: the server was unavailable to user %s",
			  u->id, u->mailbox, u->server, reach->down_for);
		return EX_UNAVAILABLE;
	}
	int rc = note_reach(reach, u, probe(cfg, be, u));
	if (rc) {
		ois_error("user %s: mailbox %s on [server %s] cannot be used", u->id, u->mailbox, u->server);
		return status_of(rc);
	}
	printf("user %s: mailbox %s on [server %s] opens\n", u->id, u->mailbox, u->server);
	return 0;
}

/* The InterAction list of u (its first contact: the API knows the user): its line, and 0 or the exit status. */
static int check_list(const struct ois_config *cfg, const struct ois_backend *ia, const struct ois_user *u,
		      struct reach *reach)
{
	if (!ia->probe)
		return 0;
	if (reach->down_for) {
		ois_error("user %s: InterAction list not checked: InterAction was unavailable to user %s", u->id,
			  reach->down_for);
		return EX_UNAVAILABLE;
	}
	int rc = note_reach(reach, u, probe(cfg, ia, u));
	if (rc == OIS_ENOTFOUND) {
		/* The users file names a user InterAction does not have: the file is to fix. */
		ois_error("user %s: InterAction has no such user (its list is not found)", u->id);
		return EX_CONFIG;
	}
	if (rc) {
		ois_error("user %s: the InterAction list cannot be read", u->id);
		return status_of(rc);
	}
	printf("user %s: InterAction list exists\n", u->id);
	return 0;
}

/*
 * Open each enabled user's mailbox through its server's backend with the
 * backend's probe request (EWS: one GetFolder of the contacts folder as
 * the mailbox; Graph: a token, then one contact id) and read the user's
 * InterAction list, so a missing right, mailbox or user shows here, not
 * at 2 a.m. The worst failure's exit status, or 0; *failing counts the
 * users with a failure.
 */
static int check_users(const struct ois_config *cfg, size_t *failing)
{
	int worst = 0;
	*failing = 0;
	const struct ois_backend *ia = ois_backend_for(cfg, OIS_INTERACTION, NULL);
	struct reach ia_reach = { 0 };
	struct reach *server_reach = ois_xcalloc(cfg->nservers ? cfg->nservers : 1, sizeof(*server_reach));
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct ois_user *u = &cfg->users[i];
		if (!u->enabled)
			continue;
		const struct ois_endpoint *server = ois_config_server(cfg, u->server);
		int mailbox = EX_CONFIG;
		if (server)
			mailbox = check_mailbox(cfg, u, &server_reach[server - cfg->servers]);
		else
			ois_error("user %s: mailbox %s: no [server %s] in '%s'", u->id, u->mailbox, u->server, cfg->path);
		int list = ia ? check_list(cfg, ia, u, &ia_reach) : EX_CONFIG; /* ois_backend_for said why */
		worse(&worst, mailbox);
		worse(&worst, list);
		*failing += mailbox || list;
	}
	free(server_reach);
	return worst;
}

/*
 * --deep: every user's state database read whole (PRAGMA integrity_check),
 * the check an open no longer makes each time. The worst damage's exit status, or 0.
 */
static int check_states(const struct ois_config *cfg)
{
	int worst = 0;
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct ois_user *u = &cfg->users[i];
		int rc = ois_state_verify(cfg->state_dir, u->server, u->mailbox);
		if (rc == OIS_ENOTFOUND)
			continue; /* never synced */
		if (rc) {
			ois_error("user %s: the state of mailbox %s on [server %s] is damaged: restore it from a backup, or move "
				  "it aside and the next run matches the mailbox afresh", u->id, u->mailbox, u->server);
			worse(&worst, status_of(rc));
		} else {
			printf("user %s: state of mailbox %s on [server %s] intact\n", u->id, u->mailbox, u->server);
		}
	}
	return worst;
}

int oisync_check(const struct ois_config *cfg, int argc, char **argv)
{
	int deep = 0, offline = 0, online = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deep"))
			deep = 1;
		else if (!strcmp(argv[i], "--offline"))
			offline = 1;
		else if (!strcmp(argv[i], "--online"))
			online = 1; /* what check does without --offline; kept for scripts that say it */
		else
			return oisync_usage_error("unexpected argument '%s' for 'check'", argv[i]);
	}
	if (offline && online)
		return oisync_usage_error("'check' takes --offline or --online, not both");
	int problems = 0;
	for (size_t i = 0; i < cfg->nservers; i++) {
		char *what = ois_xasprintf("[server %s]", cfg->servers[i].name);
		problems += check_endpoint(&cfg->servers[i], what);
		free(what);
	}
	if (cfg->interaction.url)
		problems += check_endpoint(&cfg->interaction, "[interaction]");
	struct stat st;
	if (stat(cfg->state_dir, &st))
		ois_warn("state_dir '%s' does not exist yet: %s", cfg->state_dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode)) {
		ois_error("state_dir '%s' is not a folder", cfg->state_dir);
		problems++;
	} else if (access(cfg->state_dir, W_OK | X_OK)) {
		ois_error("cannot write in state_dir '%s': %s", cfg->state_dir, strerror(errno));
		problems++;
	}
	size_t enabled = 0;
	for (size_t i = 0; i < cfg->nusers; i++)
		enabled += cfg->users[i].enabled != 0;
	if (problems) {
		ois_error("'%s': %d %s", cfg->path, problems, problems == 1 ? "problem" : "problems");
		return EX_CONFIG;
	}
	size_t failing = 0;
	int status = deep ? check_states(cfg) : 0;
	if (!offline)
		worse(&status, check_users(cfg, &failing));
	if (failing)
		ois_error("'%s': %zu of %zu enabled %s cannot be synced", cfg->path, failing, enabled,
			  enabled == 1 ? "user" : "users");
	if (status)
		return status;
	printf("%s: ok: %zu %s, %zu %s (%zu enabled)\n", cfg->path, cfg->nservers,
	       cfg->nservers == 1 ? "server" : "servers", cfg->nusers, cfg->nusers == 1 ? "user" : "users", enabled);
	return 0;
}
