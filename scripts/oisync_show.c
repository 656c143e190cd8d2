/* oisync_show.c - oisync show FILE: a saved change set in words, with what its results say. */
#include "oisync.h"
#include "apply.h"
#include "code.h"
#include "jsonl.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *side_title(const char *side)
{
	return side && !strcmp(side, "exchange") ? "Outlook" : side && !strcmp(side, "interaction") ? "InterAction" : "?";
}

/* A value as a person reads it: a string quoted, anything else as JSON. */
static void print_value(json_object *v)
{
	if (!v || json_object_is_type(v, json_type_null))
		fputs("nothing", stdout);
	else if (json_object_is_type(v, json_type_string))
		printf("'%s'", json_object_get_string(v));
	else
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), stdout);
}

/*
 * The results oisync-run saved beside the change set (STAMP-USER.jsonl's
 * STAMP-USER.results.jsonl), by op id: NULL when there are none, that is
 * the change set was not applied (or by hand, elsewhere).
 */
static json_object *read_results(const char *file, char **path_out)
{
	size_t n = strlen(file);
	const char *ext = ".jsonl";
	char *path = n > strlen(ext) && !strcmp(file + n - strlen(ext), ext)
		? ois_xasprintf("%.*s.results.jsonl", (int)(n - strlen(ext)), file) : ois_xasprintf("%s.results.jsonl", file);
	*path_out = path;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	struct ois_jsonl_reader r;
	ois_jsonl_reader_init(&r, fp, path, 0);
	json_object *by_id = json_object_new_object(), *rec;
	while (ois_jsonl_read(&r, &rec) == 1) {
		const char *id = ois_json_str(rec, "op_id");
		if (id)
			json_object_object_add(by_id, id, json_object_get(rec));
		json_object_put(rec);
	}
	ois_jsonl_reader_release(&r);
	fclose(fp);
	return by_id;
}

/*
 * What apply said of one op, when it was not a plain success: a conflict
 * (the item moved on; nothing was overwritten), a failure, and for a
 * create that met an existing item each field both held differently,
 * with both values and the side kept (the other side's value is the one
 * that lost).
 */
static void print_result(json_object *res, unsigned long tally[OIS_OP_STATUSES])
{
	int st = ois_op_status_parse(ois_json_str(res, "status"));
	if (st >= 0)
		tally[st]++;
	const char *error = ois_json_str(res, "error");
	if (st != OIS_OP_OK && st != OIS_OP_SKIPPED)
		printf("    result: %s%s%s\n", st >= 0 ? ois_op_status_name((enum ois_op_status)st) : "unknown",
		       error ? ": " : "", error ? error : "");
	json_object *merge = ois_json_obj(res, "merge");
	json_object *conflicts = merge ? ois_json_obj(merge, "conflicts") : NULL;
	if (!conflicts)
		return;
	const char *kept = ois_json_str(merge, "kept");
	json_object_object_foreach(conflicts, field, both)
	{
		printf("    conflict on %s: Outlook had ", field);
		print_value(json_object_object_get(both, "exchange"));
		fputs(", InterAction had ", stdout);
		print_value(json_object_object_get(both, "interaction"));
		printf("; %s kept\n", side_title(kept));
	}
}

static void print_header(const char *file, json_object *h)
{
	printf("%s: change set of %s (%s on %s), made %s from state generation %s\n", file,
	       ois_json_str(h, "user") ? ois_json_str(h, "user") : "?",
	       ois_json_str(h, "account") ? ois_json_str(h, "account") : "?",
	       ois_json_str(h, "server") ? ois_json_str(h, "server") : "?",
	       ois_json_str(h, "created") ? ois_json_str(h, "created") : "?",
	       json_object_get_string(json_object_object_get(h, "state")));
}

/* show FILE */
int oisync_show(const struct ois_config *cfg, int argc, char **argv)
{
	(void)cfg;
	if (argc != 2)
		return oisync_usage_error(argc < 2 ? "name a change set for 'show'" : "one change set at a time for 'show'");
	const char *file = argv[1];
	FILE *fp = fopen(file, "r");
	if (!fp)
		return ois_exit_status(ois_fail(OIS_ENOINPUT, "cannot open '%s': %s", file, strerror(errno)));
	char *results_path = NULL;
	json_object *results = read_results(file, &results_path);
	struct ois_jsonl_reader r;
	ois_jsonl_reader_init(&r, fp, file, 0);
	json_object *rec;
	int rc;
	unsigned long ops = 0, tally[OIS_OP_STATUSES] = { 0 };
	while ((rc = ois_jsonl_read(&r, &rec)) == 1) {
		int t = ois_record_type(rec);
		if (t == OIS_REC_CHANGESET) {
			print_header(file, rec);
		} else if (t == OIS_REC_OP) {
			ops++;
			ois_apply_describe(stdout, rec, OIS_DESCRIBE_SAVED);
			json_object *res = NULL;
			const char *id = ois_json_str(rec, "op_id");
			if (results && id && json_object_object_get_ex(results, id, &res))
				print_result(res, tally);
			else if (results)
				puts("    result: none (apply stopped before it)");
		}
		json_object_put(rec);
	}
	ois_jsonl_reader_release(&r);
	fclose(fp);
	if (!rc) {
		if (!results)
			printf("%lu ops; not applied: no results in '%s'\n", ops, results_path);
		else
			printf("%lu ops: %lu ok, %lu already done, %lu conflicts, %lu failed (results '%s')\n", ops,
			       tally[OIS_OP_OK], tally[OIS_OP_SKIPPED], tally[OIS_OP_CONFLICT], tally[OIS_OP_FAILED],
			       results_path);
	}
	json_object_put(results);
	free(results_path);
	return ois_exit_status(rc);
}
