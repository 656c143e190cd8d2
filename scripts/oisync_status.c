/* oisync_status.c - oisync status: each user's last runs from its state, as a table, JSON or an HTML page. */
#include "oisync.h"
#include "oisync_status.h"
#include "code.h"
#include "config.h"
#include "log.h"
#include "rfc3339.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *status_outcome(const struct status_user *su)
{
	if (su->problem)
		return "unreadable";
	if (!su->nruns)
		return "never run";
	return su->runs[0].outcome ? su->runs[0].outcome : "unknown";
}

long status_last(const struct status_user *su, enum ois_op_status st)
{
	return su->nruns ? su->runs[0].counts[st] : 0;
}

/* A run row copied out: its counts read from their JSON, its length from its two times. */
static int add_run(const struct ois_run *r, void *ctx)
{
	struct status_user *su = ctx;
	struct status_run *out = &su->runs[su->nruns++];
	out->started = r->started ? ois_xstrdup(r->started) : NULL;
	out->finished = r->finished ? ois_xstrdup(r->finished) : NULL;
	out->outcome = r->outcome ? ois_xstrdup(r->outcome) : NULL;
	json_object *counts = r->counts ? json_tokener_parse(r->counts) : NULL;
	for (int s = 0; s < OIS_OP_STATUSES; s++) {
		json_object *v;
		if (counts && json_object_object_get_ex(counts, ois_op_status_name((enum ois_op_status)s), &v))
			out->counts[s] = (long)json_object_get_int64(v);
	}
	json_object_put(counts);
	time_t a, b;
	out->seconds = r->started && r->finished && !ois_time_parse(r->started, 0, &a) &&
		       !ois_time_parse(r->finished, 0, &b) && b >= a ? (long)(b - a) : -1;
	return 0;
}

/*
 * One user's state, read-only and in one snapshot: a run that commits
 * meanwhile is seen whole or not at all. A state that cannot be read is
 * the user's problem, shown with the others, never the end of the report.
 */
static void gather_user(const struct ois_config *cfg, struct status_user *su)
{
	const struct ois_user *u = su->u;
	struct ois_state *st = NULL;
	su->runs = ois_xcalloc(STATUS_HISTORY, sizeof(*su->runs));
	int rc = ois_state_open(cfg->state_dir, u->server, u->mailbox, OIS_STATE_READ, &st);
	if (!rc && !(rc = ois_state_begin(st))) {
		rc = ois_state_meta_get(st, "last_sync", &su->last_success);
		if (rc == OIS_ENOTFOUND)
			rc = 0;
		if (!rc)
			rc = ois_state_runs_foreach(st, STATUS_HISTORY, add_run, su);
		if (!rc)
			rc = ois_state_applied_unfolded_count(st, su->unsettled);
		if (!rc && (su->pairs = ois_state_pair_count(st, NULL)) < 0)
			rc = (int)su->pairs;
		ois_state_rollback(st);
	}
	if (st)
		ois_state_close(st);
	if (rc) {
		su->problem = ois_xasprintf("its state cannot be read (exit %d; oisync check --deep says more)",
					    ois_exit_status(rc));
		su->pairs = 0;
	}
	su->failing = su->problem || (su->nruns && (!su->runs[0].outcome || strcmp(su->runs[0].outcome, "ok")));
}

static void release_user(struct status_user *su)
{
	for (size_t i = 0; i < su->nruns; i++) {
		free(su->runs[i].started);
		free(su->runs[i].finished);
		free(su->runs[i].outcome);
	}
	free(su->runs);
	free(su->problem);
	free(su->last_success);
}

/* Failing users first; otherwise the users file's order. */
static int by_failing(const void *pa, const void *pb)
{
	const struct status_user *a = pa, *b = pb;
	if (a->failing != b->failing)
		return b->failing - a->failing;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void add_slow(struct status_server *sv, struct status_user *su)
{
	if (!su->nruns || su->runs[0].seconds < 0)
		return;
	for (size_t i = 0; i < STATUS_SLOWEST; i++) {
		if (!sv->slowest[i] || sv->slowest[i]->runs[0].seconds < su->runs[0].seconds) {
			memmove(&sv->slowest[i + 1], &sv->slowest[i], (STATUS_SLOWEST - 1 - i) * sizeof(sv->slowest[0]));
			sv->slowest[i] = su;
			return;
		}
	}
}

/* Every user of server (NULL: of every server), their states read, the totals made. */
static void gather(const struct ois_config *cfg, const char *server, struct status *s)
{
	memset(s, 0, sizeof(*s));
	ois_time_now(s->generated);
	s->users = ois_xcalloc(cfg->nusers + 1, sizeof(*s->users));
	for (size_t i = 0; i < cfg->nusers; i++) {
		if (server && strcmp(cfg->users[i].server, server))
			continue;
		struct status_user *su = &s->users[s->nusers++];
		su->u = &cfg->users[i];
		su->order = i;
		gather_user(cfg, su);
	}
	qsort(s->users, s->nusers, sizeof(*s->users), by_failing);
	s->servers = ois_xcalloc(cfg->nservers + 1, sizeof(*s->servers));
	for (size_t k = 0; k < cfg->nservers; k++) {
		if (server && strcmp(cfg->servers[k].name, server))
			continue;
		struct status_server *sv = &s->servers[s->nservers++];
		sv->name = cfg->servers[k].name;
		for (size_t i = 0; i < s->nusers; i++) {
			struct status_user *su = &s->users[i];
			if (strcmp(su->u->server, sv->name))
				continue;
			sv->users++;
			sv->enabled += su->u->enabled != 0;
			if (su->failing)
				sv->failing++;
			else if (!su->nruns)
				sv->never++;
			else
				sv->ok++;
			for (int st = 0; st < OIS_OP_STATUSES; st++)
				sv->counts[st] += status_last(su, (enum ois_op_status)st);
			add_slow(sv, su);
		}
	}
}

static void release(struct status *s)
{
	for (size_t i = 0; i < s->nusers; i++)
		release_user(&s->users[i]);
	free(s->users);
	free(s->servers);
}

static long unsettled(const struct status_user *su)
{
	long n = 0;
	for (int st = 0; st < OIS_OP_STATUSES; st++)
		n += su->unsettled[st];
	return n;
}

/* --- the table --- */

enum { C_USER, C_SERVER, C_ENABLED, C_OUTCOME, C_LAST, C_SUCCESS, C_OK, C_CONFLICTS, C_ERRORS, C_UNSETTLED,
       C_CALENDAR, NCOLS };
static const char *const heads[NCOLS] = { "USER", "SERVER", "ENABLED", "OUTCOME", "LAST RUN", "LAST SUCCESS",
					  "OK", "CONFLICTS", "ERRORS", "UNSETTLED", "CALENDAR" };

static void print_row(char *const *cells, const size_t *width)
{
	for (int c = 0; c < NCOLS; c++) {
		if (c == NCOLS - 1)
			printf("%s\n", cells[c]);
		else
			printf("%-*s  ", (int)width[c], cells[c]);
	}
}

static void print_table(const struct status *s)
{
	char *(*cells)[NCOLS] = ois_xcalloc(s->nusers + 1, sizeof(*cells));
	size_t width[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(heads[c]);
	for (size_t i = 0; i < s->nusers; i++) {
		const struct status_user *su = &s->users[i];
		char **row = cells[i];
		row[C_USER] = ois_xstrdup(su->u->id);
		row[C_SERVER] = ois_xstrdup(su->u->server);
		row[C_ENABLED] = ois_xstrdup(su->u->enabled ? "yes" : "no");
		row[C_OUTCOME] = ois_xstrdup(status_outcome(su));
		row[C_LAST] = ois_xstrdup(su->nruns && su->runs[0].started ? su->runs[0].started : "-");
		row[C_SUCCESS] = ois_xstrdup(su->last_success ? su->last_success : "-");
		row[C_OK] = ois_xasprintf("%ld", status_last(su, OIS_OP_OK));
		row[C_CONFLICTS] = ois_xasprintf("%ld", status_last(su, OIS_OP_CONFLICT));
		row[C_ERRORS] = ois_xasprintf("%ld", status_last(su, OIS_OP_FAILED));
		row[C_UNSETTLED] = ois_xasprintf("%ld", unsettled(su));
		row[C_CALENDAR] = ois_xstrdup(su->u->settings.calendar ? "on" : "off");
		for (int c = 0; c < NCOLS; c++)
			if (strlen(row[c]) > width[c])
				width[c] = strlen(row[c]);
	}
	print_row((char *const *)heads, width);
	for (size_t i = 0; i < s->nusers; i++) {
		print_row(cells[i], width);
		for (int c = 0; c < NCOLS; c++)
			free(cells[i][c]);
	}
	free(cells);
	for (size_t i = 0; i < s->nusers; i++)
		if (s->users[i].problem)
			printf("%s: %s\n", s->users[i].u->id, s->users[i].problem);
	for (size_t k = 0; k < s->nservers; k++) {
		const struct status_server *sv = &s->servers[k];
		printf("%sserver %s: %zu users (%zu enabled): %zu ok, %zu failing, %zu never run; "
		       "last runs: %ld ok, %ld skipped, %ld conflicts, %ld failed",
		       k ? "" : "\n", sv->name, sv->users, sv->enabled, sv->ok, sv->failing, sv->never,
		       sv->counts[OIS_OP_OK], sv->counts[OIS_OP_SKIPPED], sv->counts[OIS_OP_CONFLICT],
		       sv->counts[OIS_OP_FAILED]);
		for (size_t i = 0; i < STATUS_SLOWEST && sv->slowest[i]; i++)
			printf("%s%s %ld s", i ? ", " : "; slowest: ", sv->slowest[i]->u->id, sv->slowest[i]->runs[0].seconds);
		putchar('\n');
	}
}

/* --- JSON --- */

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* {"ok":N,"skipped":N,"conflict":N,"failed":N}: a result's statuses, never pending. */
static json_object *counts_json(const long *counts)
{
	json_object *o = json_object_new_object();
	for (int st = 0; st < OIS_OP_STATUSES; st++)
		if (st != OIS_OP_PENDING)
			json_object_object_add(o, ois_op_status_name((enum ois_op_status)st),
					       json_object_new_int64(counts[st]));
	return o;
}

static json_object *user_json(const struct status_user *su)
{
	json_object *o = json_object_new_object();
	const struct status_run *last = su->nruns ? &su->runs[0] : NULL;
	json_object_object_add(o, "user", json_object_new_string(su->u->id));
	json_object_object_add(o, "mailbox", json_object_new_string(su->u->mailbox));
	json_object_object_add(o, "server", json_object_new_string(su->u->server));
	json_object_object_add(o, "enabled", json_object_new_boolean(su->u->enabled));
	json_object_object_add(o, "calendar", json_object_new_boolean(su->u->settings.calendar));
	json_object_object_add(o, "outcome", json_object_new_string(status_outcome(su)));
	json_object_object_add(o, "failing", json_object_new_boolean(su->failing));
	json_object_object_add(o, "problem", str_or_null(su->problem));
	json_object_object_add(o, "last_run", str_or_null(last ? last->started : NULL));
	json_object_object_add(o, "last_finished", str_or_null(last ? last->finished : NULL));
	json_object_object_add(o, "last_success", str_or_null(su->last_success));
	json_object_object_add(o, "seconds", last && last->seconds >= 0 ? json_object_new_int64(last->seconds) : NULL);
	json_object_object_add(o, "counts", last ? counts_json(last->counts) : NULL);
	json_object_object_add(o, "conflicts", json_object_new_int64(status_last(su, OIS_OP_CONFLICT)));
	json_object_object_add(o, "errors", json_object_new_int64(status_last(su, OIS_OP_FAILED)));
	json_object_object_add(o, "unsettled", json_object_new_int64(unsettled(su)));
	json_object_object_add(o, "pairs", json_object_new_int64(su->pairs));
	json_object *h = json_object_new_array();
	for (size_t i = 0; i < su->nruns; i++) {
		const struct status_run *r = &su->runs[i];
		json_object *ro = json_object_new_object();
		json_object_object_add(ro, "started", str_or_null(r->started));
		json_object_object_add(ro, "finished", str_or_null(r->finished));
		json_object_object_add(ro, "outcome", str_or_null(r->outcome));
		json_object_object_add(ro, "seconds", r->seconds >= 0 ? json_object_new_int64(r->seconds) : NULL);
		json_object_object_add(ro, "counts", counts_json(r->counts));
		json_object_array_add(h, ro);
	}
	json_object_object_add(o, "history", h);
	return o;
}

static void print_json(const struct status *s)
{
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "generated", json_object_new_string(s->generated));
	json_object *servers = json_object_new_array();
	for (size_t k = 0; k < s->nservers; k++) {
		const struct status_server *sv = &s->servers[k];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "server", json_object_new_string(sv->name));
		json_object_object_add(o, "users", json_object_new_int64((int64_t)sv->users));
		json_object_object_add(o, "enabled", json_object_new_int64((int64_t)sv->enabled));
		json_object_object_add(o, "ok", json_object_new_int64((int64_t)sv->ok));
		json_object_object_add(o, "failing", json_object_new_int64((int64_t)sv->failing));
		json_object_object_add(o, "never_run", json_object_new_int64((int64_t)sv->never));
		json_object_object_add(o, "counts", counts_json(sv->counts));
		json_object *slow = json_object_new_array();
		for (size_t i = 0; i < STATUS_SLOWEST && sv->slowest[i]; i++) {
			json_object *so = json_object_new_object();
			json_object_object_add(so, "user", json_object_new_string(sv->slowest[i]->u->id));
			json_object_object_add(so, "seconds", json_object_new_int64(sv->slowest[i]->runs[0].seconds));
			json_object_array_add(slow, so);
		}
		json_object_object_add(o, "slowest", slow);
		json_object_array_add(servers, o);
	}
	json_object_object_add(doc, "servers", servers);
	json_object *users = json_object_new_array();
	for (size_t i = 0; i < s->nusers; i++)
		json_object_array_add(users, user_json(&s->users[i]));
	json_object_object_add(doc, "users", users);
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

/* --- the page --- */

/*
 * The page replaces the old one whole: written beside it, synced, then
 * renamed over it, so a web server publishing it never serves half a page.
 */
static int write_html(const char *path, const struct status *s)
{
	char *tmp = ois_xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int rc = ois_fail(OIS_EIO, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	FILE *fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return ois_fail(OIS_EOS, "fdopen: %s", strerror(errno));
	}
	status_html(fp, s);
	/* Readable by the web server that publishes it (mkstemp made it 0600). */
	int bad = fflush(fp) || ferror(fp) || fchmod(fd, 0644) || fsync(fd);
	bad = fclose(fp) || bad;
	if (bad || rename(tmp, path)) {
		int rc = ois_fail(OIS_EIO, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return rc;
	}
	free(tmp);
	return 0;
}

/* status [--server NAME] [--json] [--html FILE] */
int oisync_status(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server = NULL, *html = NULL;
	int json = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+s:", opts, NULL)) != -1) {
		if (c == 's')
			server = optarg;
		else if (c == 'j')
			json = 1;
		else if (c == 'H')
			html = optarg;
		else
			return oisync_usage_error("bad option for 'status'");
	}
	if (optind < argc)
		return oisync_usage_error("unexpected argument '%s' for 'status'", argv[optind]);
	if (server && !ois_config_server(cfg, server)) {
		ois_error("no [server %s] in '%s'", server, cfg->path);
		return EX_CONFIG;
	}
	struct status s;
	gather(cfg, server, &s);
	int rc = 0;
	if (html)
		rc = write_html(html, &s);
	if (json)
		print_json(&s);
	else if (!html)
		print_table(&s);
	release(&s);
	return rc ? ois_exit_status(rc) : 0;
}
