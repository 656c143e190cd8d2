/* test_ia_driver.c - the InterAction apply driver and client against the reference server. */
#include "unit.h"
#include "code.h"
#include "backend.h"
#include "interaction/interaction.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Run from the top of the tree (tests/run-all.sh does); OISYNC_SRC may say otherwise. */
#define FAKE "tests/fakes/interaction/interaction_server.py"

static char tmp[] = "/tmp/oisync-ia-driver.XXXXXX";
static pid_t fake_pid = -1;
static struct ois_endpoint ep;

/* The InterAction backend opened for user, new appointments of type (NULL: the server's default). */
static struct ois_conn *open_user(const char *user, const char *type, int *rc)
{
	struct ois_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.interaction = ep;
	cfg.defaults.appointment_type = (char *)type;
	struct ois_account_ref ref = { .cfg = &cfg, .mailbox = "mailbox@firm.example", .user = user };
	return ois_backend_interaction.open(&ref, rc);
}
static char url[128];
static int up;

static const char seed[] =
	"{\"users\":[{\"id\":\"alice\",\"name\":\"A\",\"email\":\"alice@firm.example\"},"
	"{\"id\":\"bob\",\"name\":\"B\",\"email\":\"bob@firm.example\"}],"
	"\"contacts\":[{\"id\":\"c-000001\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
	"\"emails\":{\"business\":\"Ann@Acme.example\"}}],"
	"\"lists\":{\"alice\":[],\"bob\":[{\"id\":\"c-000001\"}]}}";

static void write_file(const char *name, const char *text)
{
	char *path = ois_xasprintf("%s/%s", tmp, name);
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp))
		OIS_BUG("cannot write %s", path);
	chmod(path, 0600);
	free(path);
}

static void kill_fake(void);

static void stop_fake(void)
{
	kill_fake();
	char *cmd = ois_xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", tmp);
	free(cmd);
}

static int fake_port;

/* Start the fake on port (0: any) keeping its state in TMP/data; 0 or -1. */
static int spawn_fake(int port)
{
	const char *src = getenv("OISYNC_SRC");
	char *fake = ois_xasprintf("%s%s%s", src ? src : "", src ? "/" : "", FAKE);
	char *seedp = ois_xasprintf("%s/seed.json", tmp), *portp = ois_xasprintf("%s/port", tmp),
	     *clientsp = ois_xasprintf("%s/clients", tmp), *logp = ois_xasprintf("%s/fake.log", tmp),
	     *datap = ois_xasprintf("%s/data", tmp), *portarg = ois_xasprintf("%d", port);
	unlink(portp);
	fake_pid = fork();
	if (fake_pid == 0) {
		if (!freopen(logp, "a", stderr))
			_exit(127);
		execl("/usr/bin/python3", "python3", fake, "--port", portarg, "--port-file", portp, "--seed", seedp,
		      "--clients-file", clientsp, "--data-dir", datap, (char *)NULL);
		_exit(127);
	}
	int got = 0;
	for (int i = 0; i < 200 && !got; i++) {
		FILE *fp = fopen(portp, "r");
		if (fp) {
			if (fscanf(fp, "%d", &got) != 1)
				got = 0;
			fclose(fp);
		}
		if (!got)
			usleep(25000);
	}
	free(seedp);
	free(portp);
	free(clientsp);
	free(logp);
	free(datap);
	free(portarg);
	free(fake);
	fake_port = got;
	return got ? 0 : -1;
}

static void kill_fake(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGTERM);
		waitpid(fake_pid, NULL, 0);
		fake_pid = -1;
	}
}

static int start_fake(void)
{
	if (!mkdtemp(tmp))
		return -1;
	write_file("seed.json", seed);
	char *datap = ois_xasprintf("%s/data", tmp);
	mkdir(datap, 0700);
	free(datap);
	/* Made up at run time: no secret lives in the tree. */
	char secret[40];
	snprintf(secret, sizeof(secret), "t%lx%lx", (unsigned long)time(NULL), (unsigned long)getpid());
	char *clients = ois_xasprintf("oisync:%s\n", secret);
	write_file("clients", clients);
	free(clients);
	char *sec = ois_xasprintf("%s\n", secret);
	write_file("secret", sec);
	free(sec);
	if (spawn_fake(0))
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1", fake_port);
	ep.name = "interaction";
	ep.url = url;
	ep.client_id = "oisync";
	ep.secret_file = ois_xasprintf("%s/secret", tmp);
	ep.timeout_s = 10;
	ep.connect_timeout_s = 5;
	ep.retries = 1;
	return 0;
}

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);
	if (!o)
		OIS_BUG("bad test JSON: %s", text);
	return o;
}

/* The user view of id on alice's list, read through the client; NULL when absent. */
static json_object *alice_view(const char *id)
{
	struct ois_ia *ia;
	json_object *v = NULL;
	if (ois_ia_open(&ep, NULL, &ia))
		return NULL;
	if (ois_ia_user_contact_get(ia, "alice", id, &v))
		v = NULL;
	ois_ia_close(ia);
	return v;
}

static json_object *firm(const char *id)
{
	struct ois_ia *ia;
	json_object *v = NULL;
	if (ois_ia_open(&ep, NULL, &ia))
		return NULL;
	if (ois_ia_contact_get(ia, id, &v))
		v = NULL;
	ois_ia_close(ia);
	return v;
}

static void test_create_adds_the_firm_contact_with_that_email(void)
{
	if (!up)
		return;
	int rc;
	struct ois_conn *d = open_user("alice", NULL, &rc);
	CHECK(d != NULL);
	if (!d)
		return;
	json_object *data = parse("{\"first\":\"Ann\",\"last\":\"Leigh\",\"notes\":\"hi\",\"categories\":[\"Clients\"],"
				  "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}]}");
	char *id = NULL, *version = NULL;
	struct ois_adopted adopted = { 0 };
	CHECK_INT(d->be->create(d, "contact", data, "op-a", &id, &version, &adopted), 0);
	CHECK_STR(id, "c-000001");
	CHECK(version != NULL);
	/* The caller gets the firm's values to merge, as canonical data, and when they last changed. */
	CHECK_STR(ois_json_str(adopted.data, "last"), "Lee");
	CHECK(adopted.modified != NULL);
	ois_adopted_release(&adopted);
	json_object *v = alice_view("c-000001");
	CHECK_STR(ois_json_str(v, "my_notes"), "hi");
	/* The firm's data stays as the firm keeps it. */
	CHECK_STR(ois_json_str(v, "last_name"), "Lee");
	CHECK_INT(json_object_array_length(ois_json_arr(v, "categories")), 1);
	json_object_put(v);
	free(id);
	free(version);
	json_object_put(data);
	d->be->close(d);
}

static void test_create_new_then_update_remove(void)
{
	if (!up)
		return;
	int rc;
	struct ois_conn *d = open_user("alice", NULL, &rc);
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(d->be == &ois_backend_interaction);
	json_object *data = parse("{\"first\":\"Zed\",\"last\":\"New\",\"nickname\":\"Z\","
				  "\"emails\":[{\"address\":\"zed@new.example\",\"kind\":\"work\"}],"
				  "\"phones\":{\"business\":\"+12125550100\"},\"private\":true}");
	char *id = NULL, *version = NULL, *v2 = NULL, *fid = NULL, *fver = NULL;
	struct ois_adopted adopted = { 0 };
	CHECK_INT(d->be->create(d, "contact", data, "op-b", &id, &version, &adopted), 0);
	CHECK(id && version);
	CHECK(adopted.data == NULL); /* made, not adopted */
	if (!id || !version)
		goto out;
	json_object *f = firm(id);
	CHECK_STR(ois_ia_op_tag(f), "op-b");
	CHECK_STR(ois_json_str(ois_json_obj(f, "phones"), "direct"), "+12125550100");
	json_object_put(f);
	json_object *v = alice_view(id);
	CHECK_STR(ois_json_str(v, "goes_by"), "Z");
	CHECK_INT(ois_json_bool(v, "private", 0), 1);
	json_object_put(v);

	/* A create whose reply was lost is found by its op id. */
	CHECK_INT(d->be->find_by_op(d, "contact", "op-b", NULL, &fid, &fver), 0);
	CHECK_STR(fid, id);
	CHECK_STR(fver, version);
	free(fid);
	free(fver);
	fid = fver = NULL;
	CHECK_INT(d->be->find_by_op(d, "contact", "op-none", NULL, &fid, &fver), OIS_ENOTFOUND);
	CHECK(fid == NULL);

	/* Exactly the named fields change, under If-Match. */
	json_object *upd = parse("{\"first\":\"Zedd\",\"nickname\":\"Z\",\"last\":\"IGNORED\",\"phones\":{\"mobile\":\"+1555\"}}");
	json_object *fields = parse("[\"first\",\"phones.mobile\",\"phones.business\"]");
	CHECK_INT(d->be->update(d, "contact", id, version, upd, fields, &v2), 0);
	CHECK(v2 && strcmp(v2, version));
	v = alice_view(id);
	CHECK_STR(ois_json_str(v, "first_name"), "Zedd");
	CHECK_STR(ois_json_str(v, "last_name"), "New");
	CHECK_STR(ois_json_str(v, "goes_by"), "Z");
	CHECK_STR(ois_json_str(ois_json_obj(v, "phones"), "mobile"), "+1555");
	CHECK_STR(ois_json_str(ois_json_obj(v, "phones"), "direct"), "");
	json_object_put(v);
	char *v3 = NULL;
	CHECK_INT(d->be->update(d, "contact", id, version, upd, fields, &v3), OIS_ECONFLICT);
	CHECK(v3 == NULL);
	json_object_put(fields);
	json_object_put(upd);

	/* Removal takes it off the list only, and only at the expected version. */
	CHECK_INT(d->be->remove(d, "contact", id, version), OIS_ECONFLICT);
	CHECK_INT(d->be->remove(d, "contact", id, v2), 0);
	v = alice_view(id);
	CHECK(v == NULL);
	json_object_put(v);
	f = firm(id);
	CHECK(f != NULL);
	json_object_put(f);
	CHECK_INT(d->be->remove(d, "contact", id, NULL), OIS_ENOTFOUND);

	/* Found by its op id but off the list: put back and adopted. */
	CHECK_INT(d->be->find_by_op(d, "contact", "op-b", NULL, &fid, &fver), 0);
	CHECK_STR(fid, id);
	v = alice_view(id);
	CHECK(v != NULL);
	json_object_put(v);
	free(fid);
	free(fver);
	fid = fver = NULL;
	/* A kind the driver does not know is refused before any request. */
	CHECK_INT(d->be->create(d, "task", data, "op-c", &fid, &fver, NULL), OIS_EDATA);
out:
	free(fid);
	free(fver);
	free(id);
	free(version);
	free(v2);
	json_object_put(data);
	d->be->close(d);
}

/* POST a fault set to the fake's control endpoint. */
static int set_faults(const char *json)
{
	struct ois_http_opts o = { .auth = OIS_AUTH_NONE };
	struct ois_http *h = ois_http_new(&o);
	char *u = ois_xasprintf("%.*s/_fake/faults", (int)(strlen(url) - strlen("/api/v1")), url);
	const char *const hdr[] = { "Content-Type: application/json", NULL };
	struct ois_http_request req = { .method = "POST", .url = u, .headers = hdr, .body = json, .body_len = strlen(json) };
	struct ois_http_response r;
	int rc = ois_http_send(h, &req, &r);
	if (!rc && r.status != 200)
		rc = -1;
	ois_http_response_release(&r);
	free(u);
	ois_http_free(h);
	return rc;
}

static void test_create_whose_reply_was_lost_is_adopted(void)
{
	if (!up)
		return;
	int rc;
	struct ois_conn *d = open_user("alice", NULL, &rc);
	CHECK(d != NULL);
	if (!d)
		return;
	char *id = NULL, *version = NULL;
	/* A first call fetches the token, so the fault hits the POST itself. */
	CHECK_INT(d->be->find_by_op(d, "contact", "op-lost", NULL, &id, &version), OIS_ENOTFOUND);
	CHECK_INT(set_faults("{\"drop\":{\"next\":1,\"after\":true}}"), 0);
	json_object *data = parse("{\"first\":\"Lost\",\"last\":\"Reply\"}");
	CHECK_INT(d->be->create(d, "contact", data, "op-lost", &id, &version, NULL), 0);
	CHECK(id != NULL);
	json_object *f = id ? firm(id) : NULL;
	CHECK_STR(ois_ia_op_tag(f), "op-lost");
	json_object_put(f);
	json_object *v = id ? alice_view(id) : NULL;
	CHECK_STR(ois_json_str(v, "first_name"), "Lost");
	json_object_put(v);
	free(id);
	free(version);
	json_object_put(data);
	d->be->close(d);
}

/* A server that forgot its tokens (restarted) answers 401: one new token, same call goes through. */
/* The appointment id as the server has it now, through the client; NULL when gone. */
static json_object *appointment(const char *id)
{
	struct ois_ia *ia;
	json_object *v = NULL;
	if (ois_ia_open(&ep, NULL, &ia))
		return NULL;
	if (ois_ia_appointment_get(ia, id, &v))
		v = NULL;
	ois_ia_close(ia);
	return v;
}

static void test_appointments_create_update_complete_remove(void)
{
	if (!up)
		return;
	int rc;
	struct ois_conn *d = open_user("alice", "Call", &rc);
	CHECK(d != NULL);
	if (!d)
		return;
	/* A future meeting: an appointment of the configured type, tagged with the op id. */
	json_object *data = parse("{\"subject\":\"Closing\",\"start\":\"2099-12-01T09:00:00Z\","
				  "\"end\":\"2099-12-01T10:00:00Z\",\"location\":\"Room 4\","
				  "\"attendees\":[{\"email\":\"ann@acme.example\",\"name\":\"Ann\",\"role\":\"optional\"}]}");
	char *id = NULL, *version = NULL, *v2 = NULL;
	CHECK_INT(d->be->create(d, "appointment", data, "op-appt", &id, &version, NULL), 0);
	json_object *a = id ? appointment(id) : NULL;
	CHECK_STR(ois_json_str(a, "status"), "appointment");
	CHECK_STR(ois_json_str(a, "type"), "Call");
	CHECK_STR(ois_json_str(a, "owner"), "alice");
	CHECK_STR(ois_ia_op_tag(a), "op-appt");
	json_object_put(a);

	/* find_by_op finds it again. */
	char *fid = NULL, *fver = NULL;
	CHECK_INT(d->be->find_by_op(d, "appointment", "op-appt", data, &fid, &fver), 0);
	CHECK_STR(fid, id);
	CHECK_STR(fver, version);
	free(fid);
	free(fver);
	CHECK_INT(d->be->find_by_op(d, "appointment", "op-none", data, &fid, &fver), OIS_ENOTFOUND);

	/* An update sends exactly the named fields; a stale version is a conflict. */
	json_object *upd = parse("{\"subject\":\"Closing (moved)\",\"start\":\"2099-12-01T09:00:00Z\","
				 "\"end\":\"2099-12-01T10:00:00Z\"}");
	json_object *fields = parse("[\"subject\",\"location\"]");
	CHECK_INT(d->be->update(d, "appointment", id, version, upd, fields, &v2), 0);
	a = appointment(id);
	CHECK_STR(ois_json_str(a, "subject"), "Closing (moved)");
	CHECK_STR(ois_json_str(a, "location"), "");
	CHECK_STR(ois_json_str(json_object_array_get_idx(ois_json_arr(a, "attendees"), 0), "role"), "optional");
	json_object_put(a);
	char *v3 = NULL;
	CHECK_INT(d->be->update(d, "appointment", id, version, upd, fields, &v3), OIS_ECONFLICT);
	CHECK(v3 == NULL);

	/* Moved into the past: the meeting is over, so it becomes an activity. */
	json_object *past = parse("{\"start\":\"2020-01-01T09:00:00Z\",\"end\":\"2020-01-01T10:00:00Z\"}");
	json_object *when = parse("[\"start\",\"end\"]");
	CHECK_INT(d->be->update(d, "appointment", id, v2, past, when, &v3), 0);
	a = appointment(id);
	CHECK_STR(ois_json_str(a, "status"), "activity");
	char *now = ois_ia_version_str(a);
	CHECK_STR(v3, now);
	free(now);
	json_object_put(a);

	/* A create of a past meeting is an activity at once. */
	char *pid = NULL, *pver = NULL;
	json_object *old = parse("{\"subject\":\"Kick-off\",\"start\":\"2021-03-01T09:00:00Z\",\"end\":\"2021-03-01T09:30:00Z\","
				 "\"activity_type\":\"Meeting\"}");
	CHECK_INT(d->be->create(d, "appointment", old, "op-past", &pid, &pver, NULL), 0);
	a = pid ? appointment(pid) : NULL;
	CHECK_STR(ois_json_str(a, "status"), "activity");
	CHECK_STR(ois_json_str(a, "type"), "Meeting");
	json_object_put(a);

	/* Remove deletes it; a second remove finds it gone. */
	CHECK_INT(d->be->remove(d, "appointment", id, v3), 0);
	a = appointment(id);
	CHECK(a == NULL);
	CHECK_INT(d->be->remove(d, "appointment", id, NULL), OIS_ENOTFOUND);
	CHECK_INT(d->be->remove(d, "appointment", pid, NULL), 0);

	json_object_put(old);
	json_object_put(when);
	json_object_put(past);
	json_object_put(fields);
	json_object_put(upd);
	json_object_put(data);
	free(pid);
	free(pver);
	free(v3);
	free(v2);
	free(id);
	free(version);
	d->be->close(d);
}

/* A fresh fake holding seed text (the state of the earlier tests is dropped); 0 or -1. */
static int restart_fake(const char *text)
{
	kill_fake();
	char *cmd = ois_xasprintf("rm -rf '%s/data' && mkdir -m 700 '%s/data'", tmp, tmp);
	int rc = system(cmd) == 0 ? 0 : -1;
	free(cmd);
	write_file("seed.json", text);
	if (rc || spawn_fake(0))
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1", fake_port);
	return 0;
}

/* Alice's private contact, a contact of bob's, and a service user that may not change company_name. */
static const char access_seed[] =
	"{\"users\":[{\"id\":\"alice\",\"name\":\"A\",\"email\":\"alice@firm.example\"},"
	"{\"id\":\"bob\",\"name\":\"B\",\"email\":\"bob@firm.example\"}],"
	"\"contacts\":[{\"id\":\"c-000001\",\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"private_owner\":\"alice\","
	"\"emails\":{\"business\":\"ann@acme.example\"}},"
	"{\"id\":\"c-000002\",\"first_name\":\"Zed\",\"last_name\":\"Ray\",\"company_name\":\"Acme LLP\"}],"
	"\"lists\":{\"alice\":[{\"id\":\"c-000001\"}],\"bob\":[{\"id\":\"c-000002\"}]},"
	"\"rights\":{\"oisync\":{\"read_only_fields\":[\"company_name\"]}}}";

static void test_private_contact_of_another_user_is_never_found(void)
{
	if (!up)
		return;
	int rc;
	struct ois_conn *d = open_user("bob", NULL, &rc);
	CHECK(d != NULL);
	if (!d)
		return;
	/* Bob's Outlook has the same address as alice's private contact. */
	json_object *data = parse("{\"first\":\"Ann\",\"last\":\"Lee\","
				  "\"emails\":[{\"address\":\"ann@acme.example\",\"kind\":\"work\"}]}");
	char *id = NULL, *version = NULL;
	CHECK_INT(d->be->create(d, "contact", data, "op-bob-ann", &id, &version, NULL), 0);
	CHECK(id && strcmp(id, "c-000001"));
	if (!id) {
		json_object_put(data);
		d->be->close(d);
		return;
	}
	/* Bob got a new firm contact; alice's stays hers alone. */
	struct ois_ia *ia;
	CHECK_INT(ois_ia_open(&ep, NULL, &ia), 0);
	json_object *v = NULL;
	CHECK_INT(ois_ia_user_contact_get(ia, "bob", "c-000001", &v), OIS_ENOTFOUND);
	CHECK_INT(ois_ia_user_contact_get(ia, "bob", id, &v), 0);
	CHECK_STR(ois_json_str(v, "first_name"), "Ann");
	json_object_put(v);
	json_object *hits = NULL;
	CHECK_INT(ois_ia_contact_search(ia, "bob", "email", "ann@acme.example", &hits), 0);
	CHECK_INT(json_object_array_length(hits), 1);
	CHECK_STR(ois_json_str(json_object_array_get_idx(hits, 0), "id"), id);
	json_object_put(hits);
	CHECK_INT(ois_ia_contact_search(ia, "alice", "email", "ann@acme.example", &hits), 0);
	CHECK_INT(json_object_array_length(hits), 2);
	json_object_put(hits);
	ois_ia_close(ia);
	free(id);
	free(version);
	json_object_put(data);
	d->be->close(d);
}

static void test_read_only_field_is_eperm_naming_it(void)
{
	if (!up)
		return;
	int rc;
	struct ois_conn *d = open_user("bob", NULL, &rc);
	CHECK(d != NULL);
	if (!d)
		return;
	json_object *view = NULL;
	struct ois_ia *ia;
	CHECK_INT(ois_ia_open(&ep, NULL, &ia), 0);
	CHECK_INT(ois_ia_user_contact_get(ia, "bob", "c-000002", &view), 0);
	char *before = ois_ia_version_str(view);
	json_object_put(view);
	json_object *data = parse("{\"first\":\"Zed\",\"last\":\"Ray\",\"company\":\"Acme Partners LLP\",\"job_title\":\"CFO\"}");
	json_object *fields = parse("[\"company\",\"job_title\"]");
	/* The message names the field; catch it from stderr. */
	char *errp = ois_xasprintf("%s/stderr", tmp);
	fflush(stderr);
	int saved = dup(2);
	FILE *cap = fopen(errp, "w+");
	if (!cap || saved < 0)
		OIS_BUG("cannot capture stderr");
	dup2(fileno(cap), 2);
	char *nv = NULL;
	rc = d->be->update(d, "contact", "c-000002", before, data, fields, &nv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK_INT(rc, OIS_EPERM);
	CHECK(nv == NULL);
	char line[512] = "";
	rewind(cap);
	size_t n = fread(line, 1, sizeof(line) - 1, cap);
	line[n] = '\0';
	fclose(cap);
	if (!strstr(line, "interaction: the service user may not change 'company_name' (403)"))
		unit_fail(__FILE__, __LINE__, "the log does not name the field: %s", line);
	/* Nothing was written: not even the allowed job title. */
	CHECK_INT(ois_ia_user_contact_get(ia, "bob", "c-000002", &view), 0);
	CHECK_STR(ois_json_str(view, "company_name"), "Acme LLP");
	CHECK_STR(ois_json_str(view, "job_title"), "");
	char *after = ois_ia_version_str(view);
	CHECK_STR(after, before);
	free(after);
	json_object_put(view);
	ois_ia_close(ia);
	free(before);
	free(errp);
	json_object_put(fields);
	json_object_put(data);
	d->be->close(d);
}

static void test_refused_token_is_renewed_once(void)
{
	if (!up)
		return;
	struct ois_ia *ia;
	CHECK_INT(ois_ia_open(&ep, NULL, &ia), 0);
	struct ois_ia_page p;
	CHECK_INT(ois_ia_list_page(ia, "alice", 10, NULL, &p), 0);
	ois_ia_page_release(&p);
	kill_fake();
	CHECK_INT(spawn_fake(fake_port), 0);
	CHECK_INT(ois_ia_list_page(ia, "alice", 10, NULL, &p), 0);
	CHECK(p.contacts && json_object_array_length(p.contacts) > 0);
	ois_ia_page_release(&p);
	struct ois_http_stats st;
	ois_ia_stats(ia, &st);
	/* token, page, refused page, token, page */
	CHECK_INT(st.requests, 5);
	ois_ia_close(ia);
}

static void test_bad_secret_is_eperm(void)
{
	if (!up)
		return;
	write_file("secret", "not-the-secret\n");
	struct ois_ia *ia;
	CHECK_INT(ois_ia_open(&ep, NULL, &ia), 0);
	struct ois_ia_page p;
	CHECK_INT(ois_ia_list_page(ia, "alice", 10, NULL, &p), OIS_EPERM);
	ois_ia_close(ia);
}

int main(void)
{
	ois_log_init("test_ia_driver");
	up = start_fake() == 0;
	if (!up)
		unit_fail(__FILE__, __LINE__, "cannot start %s (run from the top of the tree)", FAKE);
	UNIT_RUN(test_create_adds_the_firm_contact_with_that_email);
	UNIT_RUN(test_create_new_then_update_remove);
	UNIT_RUN(test_create_whose_reply_was_lost_is_adopted);
	UNIT_RUN(test_appointments_create_update_complete_remove);
	if (up && restart_fake(access_seed)) {
		unit_fail(__FILE__, __LINE__, "cannot restart %s with the access seed", FAKE);
		up = 0;
	}
	UNIT_RUN(test_private_contact_of_another_user_is_never_found);
	UNIT_RUN(test_read_only_field_is_eperm_naming_it);
	UNIT_RUN(test_refused_token_is_renewed_once);
	UNIT_RUN(test_bad_secret_is_eperm);
	stop_fake();
	free(ep.secret_file);
	return unit_done();
}
