/* test_config.c - oisync.conf and users file: defaults, relative paths, errors with file:line. */
#include "unit.h"
#include "code.h"
#include "config.h"
#include "phone.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/oisync-config-XXXXXX";

static char *write_file(const char *name, const char *text)
{
	char *path = ois_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	CHECK(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load path with stderr caught; returns the code, the messages in log. */
static int load(const char *path, struct ois_config *cfg, char *log, size_t size)
{
	char *logpath = ois_xasprintf("%s/stderr", dir);
	int fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	int rc = ois_config_load(path, cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t n = pread(fd, log, size - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(logpath);
	free(logpath);
	return rc;
}

static const char good_conf[] =
	"; a comment\n"
	"[global]\n"
	"state_dir = state\n"
	"phone_region = gb\n"
	"phone_format = e164\n"
	"\n"
	"[server ex1]\n"
	"url = https://ex1.firm.example/EWS/Exchange.asmx\n"
	"  auth = ntlm   ; indented keys are keys, not continuations\n"
	"username = FIRM\\svc-oisync\n"
	"secret_file = ex1.secret\n"
	"access = delegate\n"
	"\n"
	"[server ex2]\n"
	"url = https://ex2.firm.example/EWS/Exchange.asmx\n"
	"auth = negotiate\n"
	"timeout = 30\n"
	"retries = 0\n"
	"max_backoff = 900\n"
	"getitem_batch = 10\n"
	"\n"
	"[interaction]\n"
	"url = https://ia.firm.example/api/v1\n"
	"token_url = https://ia.firm.example/oauth/token\n"
	"client_id = oisync\n"
	"secret_env = IA_SECRET\n"
	"max_backoff = 60\n"
	"write_concurrency = 3\n"
	"\n"
	"[defaults]\n"
	"categories = Clients, , Personal \n"
	"calendar = on\n";

static const char good_users[] =
	"[user alice]\n"
	"mailbox = alice@firm.example\n"
	"server = ex1\n"
	"\n"
	"[user bob]\n"
	"mailbox = Bob@Firm.example\n"
	"server = ex2\n"
	"enabled = no\n"
	"phone_region = de\n"
	"conflict = exchange-wins\n"
	"categories =\n"
	"calendar = off\n";

static void test_good_config_with_defaults(void)
{
	char *conf = write_file("oisync.conf", good_conf);
	char *users = write_file("users.conf", good_users);
	struct ois_config cfg;
	char log[4096];
	CHECK_INT(load(conf, &cfg, log, sizeof(log)), 0);
	CHECK_STR(log, "");
	char *want;
	want = ois_xasprintf("%s/state", dir);
	CHECK_STR(cfg.state_dir, want);
	free(want);
	want = ois_xasprintf("%s/state/changes", dir);
	CHECK_STR(cfg.changes_dir, want);
	free(want);
	CHECK_STR(cfg.users_file, users);
	CHECK_STR(cfg.phone_region, "GB");
	CHECK_INT(cfg.phone_format, OIS_PHONE_E164);
	CHECK_INT(cfg.nservers, 2);

	const struct ois_endpoint *e = ois_config_server(&cfg, "ex1");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->name, "ex1");
		CHECK_INT(e->auth, OIS_AUTH_NTLM);
		CHECK_INT(e->access, OIS_ACCESS_DELEGATE);
		CHECK_STR(e->username, "FIRM\\svc-oisync");
		want = ois_xasprintf("%s/ex1.secret", dir);
		CHECK_STR(e->secret_file, want);
		free(want);
		CHECK_INT(e->timeout_s, 120);
		CHECK_INT(e->connect_timeout_s, 10);
		CHECK_INT(e->retries, 5);
		CHECK_INT(e->max_backoff_s, 300);
		CHECK_INT(e->getitem_batch, 64);
		CHECK_INT(e->write_concurrency, 8);
	}
	e = ois_config_server(&cfg, "ex2");
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->auth, OIS_AUTH_NEGOTIATE);
		CHECK_INT(e->access, OIS_ACCESS_IMPERSONATION);
		CHECK_INT(e->timeout_s, 30);
		CHECK_INT(e->retries, 0);
		CHECK_INT(e->max_backoff_s, 900);
		CHECK_INT(e->getitem_batch, 10);
	}
	CHECK(ois_config_server(&cfg, "ex3") == NULL);
	CHECK_STR(cfg.interaction.name, "interaction");
	CHECK_STR(cfg.interaction.url, "https://ia.firm.example/api/v1");
	CHECK_STR(cfg.interaction.client_id, "oisync");
	CHECK_STR(cfg.interaction.secret_env, "IA_SECRET");
	CHECK_INT(cfg.interaction.max_backoff_s, 60);
	CHECK_INT(cfg.interaction.write_concurrency, 3);
	CHECK_INT(cfg.interaction.auth, OIS_AUTH_BEARER);

	const struct ois_sync_settings *d = &cfg.defaults;
	CHECK_INT(d->direction, OIS_DIR_BOTH);
	CHECK_INT(d->conflict, OIS_NEWEST_WINS);
	CHECK_INT(d->sync_private, 0);
	CHECK_INT(d->calendar, 1);
	CHECK_INT(d->calendar_history_days, 30);
	CHECK_INT(d->calendar_future_days, 180);
	CHECK_STR(d->appointment_type, "Meeting");
	CHECK_INT(d->mass_delete_percent, 20);
	CHECK_INT(d->mass_delete_min, 10);
	CHECK(d->categories != NULL);
	if (d->categories) {
		CHECK_STR(d->categories[0], "Clients");
		CHECK_STR(d->categories[1], "Personal");
		CHECK(d->categories[2] == NULL);
	}

	CHECK_INT(cfg.nusers, 2);
	const struct ois_user *u = ois_config_user(&cfg, "alice");
	CHECK(u != NULL);
	if (u) {
		CHECK_STR(u->mailbox, "alice@firm.example");
		CHECK_STR(u->server, "ex1");
		CHECK_INT(u->enabled, 1);
		CHECK_INT(u->settings.conflict, OIS_NEWEST_WINS);
		CHECK_INT(u->settings.calendar, 1);
		CHECK(u->settings.categories && !strcmp(u->settings.categories[1], "Personal"));
		/* No region of her own: the firm's. */
		CHECK(u->phone_region == NULL);
		CHECK_STR(ois_config_phone_region(&cfg, u), "GB");
	}
	u = ois_config_user_by_mailbox(&cfg, "bob@firm.EXAMPLE");
	CHECK(u != NULL);
	if (u) {
		CHECK_STR(u->id, "bob");
		CHECK_INT(u->enabled, 0);
		CHECK_INT(u->settings.conflict, OIS_EXCHANGE_WINS);
		CHECK_INT(u->settings.calendar, 0);
		CHECK(u->settings.categories == NULL);
		CHECK_STR(u->phone_region, "DE");
		CHECK_STR(ois_config_phone_region(&cfg, u), "DE");
	}
	CHECK_STR(ois_config_phone_region(&cfg, NULL), "GB");
	CHECK(ois_config_user(&cfg, "carol") == NULL);
	CHECK_STR(ois_conflict_name(OIS_INTERACTION_WINS), "interaction-wins");
	CHECK_STR(ois_direction_name(OIS_DIR_TO_EXCHANGE), "to-exchange");
	ois_config_release(&cfg);
	ois_config_release(&cfg); /* safe twice */
	unlink(users);
	free(users);
	free(conf);
}

static void test_minimal_config_and_missing_users_file(void)
{
	char *conf = write_file("min.conf", "[global]\nstate_dir = /var/lib/oisync\nusers_file = nobody.conf\n");
	struct ois_config cfg;
	char log[4096];
	CHECK_INT(load(conf, &cfg, log, sizeof(log)), 0);
	CHECK_STR(log, "");
	CHECK_STR(cfg.state_dir, "/var/lib/oisync");
	CHECK_STR(cfg.changes_dir, "/var/lib/oisync/changes");
	CHECK_STR(cfg.phone_region, "US");
	CHECK_INT(cfg.phone_format, OIS_PHONE_INTERNATIONAL);
	CHECK_INT(cfg.nservers, 0);
	CHECK_INT(cfg.nusers, 0);
	CHECK(cfg.interaction.url == NULL);
	ois_config_release(&cfg);
	free(conf);
}

static void test_env_names_the_file(void)
{
	char *conf = write_file("env.conf", "[global]\nstate_dir = /srv/oisync\nusers_file = none.conf\n");
	setenv("OISYNC_CONF", conf, 1);
	struct ois_config cfg;
	char log[4096];
	CHECK_INT(load(NULL, &cfg, log, sizeof(log)), 0);
	CHECK_STR(cfg.path, conf);
	CHECK_STR(cfg.state_dir, "/srv/oisync");
	ois_config_release(&cfg);
	setenv("OISYNC_CONF", "/nonexistent/oisync.conf", 1);
	CHECK_INT(load(NULL, &cfg, log, sizeof(log)), OIS_ECONFIG);
	CHECK(strstr(log, "/nonexistent/oisync.conf") != NULL);
	unsetenv("OISYNC_CONF");
	free(conf);
}

/* transform and reconcile: a configuration asked for must load; none asked for and none there is fine. */
static void test_optional_load(void)
{
	struct ois_config cfg;
	int loaded = -1;
	char *conf = write_file("optional.conf", "[global]\nstate_dir = /srv/oisync\nusers_file = none.conf\n");
	unsetenv("OISYNC_CONF");
	CHECK_INT(ois_config_load_optional(conf, &cfg, &loaded), 0);
	CHECK_INT(loaded, 1);
	CHECK_STR(cfg.state_dir, "/srv/oisync");
	ois_config_release(&cfg);
	setenv("OISYNC_CONF", conf, 1);
	loaded = -1;
	CHECK_INT(ois_config_load_optional(NULL, &cfg, &loaded), 0);
	CHECK_INT(loaded, 1);
	ois_config_release(&cfg);
	/* Asked for and missing: an error, as for every stage. */
	setenv("OISYNC_CONF", "/nonexistent/oisync.conf", 1);
	CHECK_INT(ois_config_load_optional(NULL, &cfg, &loaded), OIS_ECONFIG);
	CHECK_INT(loaded, 0);
	/* Nothing asked for, and no default file on this machine: nothing loaded, no error. */
	unsetenv("OISYNC_CONF");
	if (access("/etc/oisync/oisync.conf", F_OK) != 0) {
		loaded = -1;
		CHECK_INT(ois_config_load_optional(NULL, &cfg, &loaded), 0);
		CHECK_INT(loaded, 0);
	}
	free(conf);
}

#define HEAD "[global]\nstate_dir = s\nusers_file = users-err.conf\n" /* lines 1-3 */
#define EX1 "[server ex1]\nurl = https://ex1/EWS\nauth = negotiate\n"  /* 3 lines */

static void test_errors_name_file_and_line(void)
{
	static const struct {
		const char *conf;
		const char *users; /* NULL: no users file */
		const char *want;  /* in the log, after "DIR/" */
	} cases[] = {
		{ HEAD "colour = blue\n", NULL, "err.conf:4: unknown key 'colour' in [global]" },
		{ HEAD EX1 "tiemout = 5\n", NULL, "err.conf:7: unknown key 'tiemout' in [server ex1]" },
		{ HEAD "[interaction]\nurl = https://ia/api\ntenant = firm\n", NULL,
		  "err.conf:6: unknown key 'tenant' in [interaction]" },
		{ HEAD EX1 "tenant = firm\n", NULL,
		  "err.conf:4: [server ex1] has 'tenant', 'certificate_file' or 'key_file', which only a 'type = graph' server takes" },
		/* Exchange Online: an app registration's tenant, client id, and a secret or a certificate. */
		{ HEAD "[server online]\ntype = graph\n", NULL,
		  "err.conf:4: [server online] has no 'tenant' (the Entra ID tenant of the app registration)" },
		{ HEAD "[server online]\ntype = graph\ntenant = t\n", NULL,
		  "err.conf:4: [server online] has no 'client_id'" },
		{ HEAD "[server online]\ntype = graph\ntenant = t\nclient_id = c\n", NULL,
		  "err.conf:4: [server online] has neither 'secret_file' nor 'certificate_file' and 'key_file'" },
		{ HEAD "[server online]\ntype = graph\ntenant = t\nclient_id = c\nsecret_env = S\ncertificate_file = c.pem\n",
		  NULL, "err.conf:4: [server online] has a secret and a certificate: keep one" },
		{ HEAD "[server online]\ntype = graph\ntenant = t\nclient_id = c\ncertificate_file = c.pem\n", NULL,
		  "err.conf:4: [server online] needs both 'certificate_file' and 'key_file'" },
		{ HEAD EX1 "access = sudo\n", NULL,
		  "err.conf:7: bad value 'sudo' for 'access' in [server ex1]: want impersonation or delegate" },
		{ HEAD "[defaults]\nconflict = oldest-wins\n", NULL,
		  "err.conf:5: bad value 'oldest-wins' for 'conflict' in [defaults]" },
		{ HEAD EX1 "timeout = soon\n", NULL, "err.conf:7: 'soon' for 'timeout' in [server ex1] is not a number" },
		{ HEAD EX1 "retries = -1\n", NULL, "err.conf:7: '-1' for 'retries' in [server ex1] is out of range" },
		{ HEAD EX1 "write_concurrency = 4\n", NULL, "err.conf:7: unknown key 'write_concurrency' in [server ex1]" },
		{ HEAD "[interaction]\nurl = https://ia\nwrite_concurrency = 0\n", NULL,
		  "err.conf:6: '0' for 'write_concurrency' in [interaction] is out of range: want 1 to 64" },
		{ HEAD EX1 "max_backoff = 0\n", NULL,
		  "err.conf:7: '0' for 'max_backoff' in [server ex1] is out of range: want 1 to 86400" },
		{ HEAD "[defaults]\nmass_delete_percent = 101\n", NULL, "err.conf:5: '101' for 'mass_delete_percent'" },
		{ HEAD "[servers ex1]\nurl = x\n", NULL, "err.conf:4: unknown section [servers ex1]" },
		{ HEAD "[global]\n", NULL, "err.conf:4: duplicate section [global]" },
		{ HEAD EX1 EX1, NULL, "err.conf:7: duplicate section [server ex1]" },
		{ HEAD EX1 "url = https://again\n", NULL, "err.conf:7: duplicate key 'url' in [server ex1]" },
		{ HEAD "[server ex1]\nauth = basic\n", NULL, "err.conf:4: [server ex1] has no 'url'" },
		{ HEAD "[server ex1]\nurl = https://x\nauth = basic\n", NULL,
		  "err.conf:4: [server ex1] has no 'username' for basic authentication" },
		{ HEAD "[server ex1]\nurl = ftp://x\nauth = none\n", NULL, "err.conf:4: [server ex1] url 'ftp://x'" },
		{ HEAD "just words\n", NULL, "err.conf:4: expected 'key = value' or '[section]'" },
		{ HEAD "[global\n", NULL, "err.conf:4: bad section header" },
		{ "state_dir = s\n", NULL, "err.conf:1: key 'state_dir' before any [section]" },
		{ "[global]\nphone_region = USA\n", NULL, "err.conf:2: bad value 'USA' for 'phone_region'" },
		{ "[global]\nphone_format = pretty\n", NULL, "err.conf:2: bad value 'pretty' for 'phone_format'" },
		{ HEAD EX1, "[user alice]\nmailbox = a@x\nphone_region = Britain\n",
		  "users-err.conf:3: bad value 'Britain' for 'phone_region' in [user alice]" },
		{ "[global]\n", NULL, "err.conf: [global] has no 'state_dir'" },
		{ HEAD EX1, "[user alice]\nmailbox = a@x\nserver = ex9\n",
		  "users-err.conf:3: [user alice] names unknown server 'ex9'" },
		{ HEAD EX1, "[user alice]\nmailbox = a@x\n[user bob]\nmailbox = A@X\n",
		  "users-err.conf:4: mailbox 'A@X' in [user bob] is already [user alice]'s" },
		{ HEAD EX1, "[user alice]\nmailbox = a@x\nfavourite = 1\n",
		  "users-err.conf:3: unknown key 'favourite' in [user alice]" },
		{ HEAD EX1, "[user alice]\nmailbox = a@x\ncalendar = maybe\n",
		  "users-err.conf:3: bad value 'maybe' for 'calendar' in [user alice]" },
		{ HEAD EX1, "[user alice]\nserver = ex1\n", "users-err.conf:1: [user alice] has no 'mailbox'" },
		{ HEAD EX1, "[global]\n", "users-err.conf:1: unknown section [global]: want [user ID]" },
		{ HEAD EX1, "[user a]\nmailbox = a@x\n[user a]\n", "users-err.conf:3: duplicate section [user a]" },
		{ HEAD EX1, "[user alice]\nmailbox = a@x\n",
		  "err.conf: users are configured but there is no [interaction] section" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *conf = write_file("err.conf", cases[i].conf);
		char *users = ois_xasprintf("%s/users-err.conf", dir);
		unlink(users);
		if (cases[i].users)
			free(write_file("users-err.conf", cases[i].users));
		struct ois_config cfg;
		char log[4096];
		int rc = load(conf, &cfg, log, sizeof(log));
		char *want = ois_xasprintf("%s/%s", dir, cases[i].want);
		if (rc != OIS_ECONFIG || !strstr(log, want))
			unit_fail(__FILE__, __LINE__, "case %zu\n#   got:  %d %s#   want: %d %s", i, rc, log,
				  OIS_ECONFIG, want);
		CHECK(cfg.path == NULL); /* released on failure */
		free(want);
		unlink(users);
		free(users);
		free(conf);
	}
}

/* A Graph server needs no url: Microsoft Graph's is the default. */
static void test_graph_server(void)
{
	char *conf = write_file("graph.conf", HEAD "[server online]\ntype = graph\ntenant = firm.onmicrosoft.com\n"
					      "client_id = 1111\ncertificate_file = app.pem\nkey_file = app.key\n");
	struct ois_config cfg;
	char log[4096];
	CHECK_INT(load(conf, &cfg, log, sizeof(log)), 0);
	const struct ois_endpoint *e = ois_config_server(&cfg, "online");
	CHECK(e != NULL);
	CHECK_STR(e->url, OIS_GRAPH_URL);
	CHECK_STR(e->tenant, "firm.onmicrosoft.com");
	CHECK(e->key_file && strstr(e->key_file, "/app.key")); /* relative to the file */
	ois_config_release(&cfg);
	free(conf);
}

static void test_one_server_is_the_default(void)
{
	char *conf = write_file("one.conf", HEAD EX1 "[interaction]\nurl = http://127.0.0.1:1/api\nauth = none\n");
	char *users = write_file("users-err.conf", "[user carol]\nmailbox = carol@firm.example\n");
	struct ois_config cfg;
	char log[4096];
	CHECK_INT(load(conf, &cfg, log, sizeof(log)), 0);
	CHECK_STR(log, ""); /* no warning for plain http on this machine */
	CHECK_INT(cfg.nusers, 1);
	CHECK_STR(cfg.nusers ? cfg.users[0].server : NULL, "ex1");
	ois_config_release(&cfg);
	unlink(users);
	free(users);
	free(conf);
}

static void test_region_parse(void)
{
	char r[3];
	CHECK_INT(ois_region_parse("gb", r), 0);
	CHECK_STR(r, "GB");
	CHECK_INT(ois_region_parse("De", r), 0);
	CHECK_STR(r, "DE");
	CHECK_INT(ois_region_parse("GBR", r), -1);
	CHECK_INT(ois_region_parse("g1", r), -1);
	CHECK_INT(ois_region_parse("\xc3\xa9s", r), -1);
	CHECK_INT(ois_region_parse("", r), -1);
	CHECK_INT(ois_region_parse(NULL, r), -1);
}

int main(void)
{
	ois_log_init("test_config");
	UNIT_RUN(test_region_parse);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	UNIT_RUN(test_good_config_with_defaults);
	UNIT_RUN(test_minimal_config_and_missing_users_file);
	UNIT_RUN(test_env_names_the_file);
	UNIT_RUN(test_optional_load);
	UNIT_RUN(test_errors_name_file_and_line);
	UNIT_RUN(test_one_server_is_the_default);
	UNIT_RUN(test_graph_server);
	char *cmd = ois_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return unit_done();
}
