/* read.c - one side of an account through its backend: which folders, from which checkpoints, records out. */
#include "code.h"
#include "extract.h"
#include "log.h"
#include "rfc3339.h"

#include <stdlib.h>
#include <string.h>

#define DAY ((time_t)86400)

int extract_calendar_window(const struct extract_args *args, time_t now, time_t *start, time_t *end)
{
	const struct ois_user *u = ois_config_user_by_mailbox(args->cfg, args->mailbox);
	const struct ois_sync_settings *s = u ? &u->settings : &args->cfg->defaults;
	time_t today = now - now % DAY;
	*start = today - (time_t)s->calendar_history_days * DAY;
	*end = today + ((time_t)s->calendar_future_days + 1) * DAY;
	if (args->window_start && ois_time_parse(args->window_start, OIS_TIME_DATE, start))
		return ois_fail(OIS_EUSAGE, "--window-start '%s' is not an RFC 3339 date or time", args->window_start);
	if (args->window_end && ois_time_parse(args->window_end, OIS_TIME_DATE, end))
		return ois_fail(OIS_EUSAGE, "--window-end '%s' is not an RFC 3339 date or time", args->window_end);
	if (*end <= *start)
		return ois_fail(OIS_EUSAGE, "the calendar window ends before it starts");
	return 0;
}

unsigned extract_folders(const struct extract_args *args)
{
	int f = ois_folder_parse(args->folder);
	if (f >= 0)
		return 1u << f;
	const struct ois_user *u = ois_config_user_by_mailbox(args->cfg, args->mailbox);
	int calendar = u ? u->settings.calendar : args->cfg->defaults.calendar;
	return 1u << OIS_CONTACTS | (calendar ? 1u << OIS_CALENDAR : 0);
}

int extract_side(const struct extract_args *args, enum ois_side side)
{
	const struct ois_backend *be = ois_backend_for(args->cfg, side, args->server);
	if (!be)
		return OIS_ECONFIG;
	struct ois_read r = { .folders = extract_folders(args), .stats = args->stats, .emit = extract_sink_emit,
			      .ctx = args->sink };
	char *token[OIS_FOLDERS] = { NULL };
	struct ois_conn *c = NULL;
	int rc = 0;
	if (r.folders & 1u << OIS_CALENDAR)
		rc = extract_calendar_window(args, time(NULL), &r.window_start, &r.window_end);
	for (int f = 0; f < OIS_FOLDERS && !rc; f++)
		if (r.folders & 1u << f) {
			rc = extract_committed_token(args, side, ois_folder_name((enum ois_folder)f), &token[f]);
			r.token[f] = token[f];
		}
	struct ois_account_ref ref = {
		.cfg = args->cfg, .server = args->server, .mailbox = args->mailbox, .user = args->user, .url = args->url,
	};
	if (!rc && (c = be->open(&ref, &rc))) {
		rc = be->read(c, &r);
		be->close(c);
	}
	for (int f = 0; f < OIS_FOLDERS; f++)
		free(token[f]);
	return rc;
}
