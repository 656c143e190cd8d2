/* apply_failure.c - a run that stopped before apply's commit, recorded in the state all the same. */
#include "apply.h"
#include "rfc3339.h"

#include <json-c/json.h>

int ois_apply_record_failure(struct ois_state *st, const char *started, const char *stage, int exit_status)
{
	char finished[OIS_TIME_LEN];
	ois_time_now(finished);
	json_object *counts = json_object_new_object();
	json_object_object_add(counts, "stage", json_object_new_string(stage));
	json_object_object_add(counts, "exit", json_object_new_int(exit_status));
	int rc = ois_state_run_add(st, started ? started : finished, finished, "failed",
				   json_object_to_json_string_ext(counts, JSON_C_TO_STRING_PLAIN));
	json_object_put(counts);
	return rc;
}
