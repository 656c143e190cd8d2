/* oisync_check.c - oisync check: the configuration, the users and every secret, each problem said. */
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
 * Open each enabled user's mailbox through its server's backend and make
 * the backend's probe request (Graph: a token, then one contact id; EWS:
 * one GetFolder of the contacts folder as the mailbox), so a missing
 * permission or mailbox scope shows here, not at 2 a.m. Without online,
 * Exchange Online mailboxes only, as check always did: the others need
 * the servers on the network, which a check of a configuration being
 * written (or of a package just installed) may not have. With online,
 * every mailbox, and each user's InterAction list (its first contact: the
 * API knows the user). The worst failure's exit status, or 0.
 */
static int check_mailboxes(const struct ois_config *cfg, int online, size_t *probed)
{
	int worst = 0;
	*probed = 0;
	const struct ois_backend *ia = online ? ois_backend_for(cfg, OIS_INTERACTION, NULL) : NULL;
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct ois_user *u = &cfg->users[i];
		if (!u->enabled)
			continue;
		const struct ois_backend *be = ois_backend_for(cfg, OIS_EXCHANGE, u->server);
		const struct ois_endpoint *server = ois_config_server(cfg, u->server);
		if (!be || !server) {
			worse(&worst, EX_CONFIG);
			continue;
		}
		int graph = server->type && !strcmp(server->type, OIS_GRAPH_TYPE);
		if (be->probe && (online || graph)) {
			int rc = probe(cfg, be, u);
			(*probed)++;
			if (rc) {
				ois_error("user %s: mailbox %s on [server %s] cannot be used", u->id, u->mailbox, u->server);
				worse(&worst, status_of(rc));
			} else {
				printf("user %s: mailbox %s on [server %s] opens\n", u->id, u->mailbox, u->server);
			}
		}
		if (ia && ia->probe) {
			int rc = probe(cfg, ia, u);
			(*probed)++;
			if (rc == OIS_ENOTFOUND) {
				/* The users file names a user InterAction does not have: the file is to fix. */
				ois_error("user %s: InterAction has no such user (its list is not found)", u->id);
				worse(&worst, EX_CONFIG);
			} else if (rc) {
				ois_error("user %s: the InterAction list cannot be read", u->id);
				worse(&worst, status_of(rc));
			} else {
				printf("user %s: InterAction list exists\n", u->id);
			}
		}
	}
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
	int deep = 0, online = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deep"))
			deep = 1;
		else if (!strcmp(argv[i], "--online"))
			online = 1;
		else
			return oisync_usage_error("unexpected argument '%s' for 'check'", argv[i]);
	}
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
	size_t probed;
	int status = deep ? check_states(cfg) : 0;
	worse(&status, check_mailboxes(cfg, online, &probed));
	if (status)
		return status;
	printf("%s: ok: %zu %s, %zu %s (%zu enabled)\n", cfg->path, cfg->nservers,
	       cfg->nservers == 1 ? "server" : "servers", cfg->nusers, cfg->nusers == 1 ? "user" : "users", enabled);
	return 0;
}
