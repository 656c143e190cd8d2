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
 * Open each enabled user's mailbox through its server's backend and make
 * the backend's probe request (Graph: a token, then one contact id), so
 * a missing permission or mailbox scope shows here, not at 2 a.m. The
 * first failure's code, or 0; backends without a probe are skipped.
 */
static int check_mailboxes(const struct ois_config *cfg, size_t *probed)
{
	int worst = 0;
	*probed = 0;
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct ois_user *u = &cfg->users[i];
		if (!u->enabled)
			continue;
		const struct ois_backend *be = ois_backend_for(cfg, OIS_EXCHANGE, u->server);
		if (!be) {
			worst = worst ? worst : OIS_ECONFIG;
			continue;
		}
		if (!be->probe)
			continue;
		struct ois_account_ref ref = { .cfg = cfg, .server = u->server, .mailbox = u->mailbox, .user = u->id };
		int rc = 0;
		struct ois_conn *c = be->open(&ref, &rc);
		if (c) {
			rc = be->probe(c);
			be->close(c);
		}
		(*probed)++;
		if (rc) {
			ois_error("user %s: mailbox %s on [server %s] cannot be used", u->id, u->mailbox, u->server);
			worst = worst ? worst : rc;
		} else {
			printf("user %s: mailbox %s on [server %s] opens\n", u->id, u->mailbox, u->server);
		}
	}
	return worst;
}

/*
 * --deep: every user's state database read whole (PRAGMA integrity_check),
 * the check an open no longer makes each time. The first damage's code, or 0.
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
			worst = worst ? worst : rc;
		} else {
			printf("user %s: state of mailbox %s on [server %s] intact\n", u->id, u->mailbox, u->server);
		}
	}
	return worst;
}

int oisync_check(const struct ois_config *cfg, int argc, char **argv)
{
	int deep = argc == 2 && !strcmp(argv[1], "--deep");
	if (argc != 1 && !deep)
		return oisync_usage_error("unexpected argument '%s' for 'check'", argv[1]);
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
	int rc = deep ? check_states(cfg) : 0;
	int mrc = check_mailboxes(cfg, &probed);
	rc = rc ? rc : mrc;
	/* A code that is no sysexits one (an item not found) still says "a server failed". */
	if (rc)
		return -rc >= EX__BASE ? -rc : EX_UNAVAILABLE;
	printf("%s: ok: %zu %s, %zu %s (%zu enabled)\n", cfg->path, cfg->nservers,
	       cfg->nservers == 1 ? "server" : "servers", cfg->nusers, cfg->nusers == 1 ? "user" : "users", enabled);
	return 0;
}
