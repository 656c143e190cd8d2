/* quiet.c - --commit-quiet: a read with nothing new is committed here, without transform, reconcile or apply. */
#include "apply.h"
#include "code.h"
#include "extract.h"
#include "jsonl.h"
#include "log.h"
#include "rfc3339.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int extract_sink_emit(void *ctx, json_object *rec)
{
	struct extract_sink *s = ctx;
	/*
	 * Checkpoints wait while they are all there is: a read that finds
	 * nothing new writes nothing when it commits here. The first other
	 * record lets them out, in their order, and everything after it goes
	 * straight out, so a changed account still streams.
	 */
	if (s->held && ois_record_type(rec) == OIS_REC_CHECKPOINT) {
		json_object_array_add(s->held, rec);
		return 0;
	}
	if (s->stop_on_news) {
		s->news = 1;
		json_object_put(rec);
		return EXTRACT_NEWS;
	}
	int rc = extract_sink_flush(s);
	if (!rc)
		rc = ois_jsonl_write(s->out, rec);
	json_object_put(rec);
	return rc;
}

int extract_sink_flush(struct extract_sink *s)
{
	if (!s->held)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < json_object_array_length(s->held) && !rc; i++)
		rc = ois_jsonl_write(s->out, json_object_array_get_idx(s->held, i));
	json_object_put(s->held);
	s->held = NULL;
	return rc;
}

int extract_commit_quiet(const struct extract_args *args, struct extract_sink *s)
{
	if (!s->held)
		return 0; /* something was read: it goes to reconcile */
	struct ois_state *st = args->st;
	int rc = st ? 0 : ois_state_open(args->state_dir, args->server, args->mailbox, OIS_STATE_WRITE, &st);
	if (!rc) {
		rc = ois_apply_quiet(st, args->cfg, args->server, args->mailbox, s->held, time(NULL));
		if (st != args->st)
			ois_state_close(st);
	}
	if (rc == 1) {
		json_object_put(s->held);
		s->held = NULL;
		return 0;
	}
	return rc ? rc : extract_sink_flush(s);
}

void extract_record_failure(const struct extract_args *args, const char *started, int rc)
{
	struct ois_state *st = args->st;
	if (!st && ois_state_open(args->state_dir, args->server, args->mailbox, OIS_STATE_WRITE, &st))
		return; /* said why; the exit status says the rest */
	if (ois_apply_record_failure(st, started, "extract", ois_exit_status(rc)))
		ois_warn("could not record the failed run in the state");
	if (st != args->st)
		ois_state_close(st);
}
