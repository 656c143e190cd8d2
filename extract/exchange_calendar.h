/* exchange_calendar.h - oisync-extract exchange's calendar folder, and its window and token (for tests). */
#ifndef OIS_EXCHANGE_CALENDAR_H
#define OIS_EXCHANGE_CALENDAR_H

#include "ews/ews.h"
#include "extract.h"

#include <time.h>

/*
 * Read the calendar folder of the open mailbox ews, writing the appointment
 * records, then the checkpoint, to args->out (the scheme is in
 * oisync-extract(1), "The calendar folder"). batch is the GetItem batch
 * size. Returns 0 or a negative enum ois_code after logging; no checkpoint
 * on failure.
 */
int extract_exchange_calendar(const struct extract_args *args, struct ois_ews *ews, int batch);

/*
 * The calendar window: --window-start/--window-end when given, else from
 * 00:00 UTC calendar_past_days before now to 24:00 UTC calendar_future_days
 * after now (the mailbox's user settings, else [defaults]). OIS_EUSAGE for
 * a bad option, an empty or reversed window.
 */
int extract_calendar_window(const struct extract_args *args, time_t now, time_t *start, time_t *end);

/*
 * The calendar checkpoint's token wraps the server's SyncState with the
 * window of the last full read: {"v":1,"sync":S,"start":T,"end":T} (JSON
 * text, times as RFC 3339 UTC). _token returns a new string; _token_parse
 * sets *sync (owned by the caller) and the window, or returns -1 for a
 * token that is not one of these.
 */
char *extract_calendar_token(const char *sync, time_t start, time_t end);
int extract_calendar_token_parse(const char *token, char **sync, time_t *start, time_t *end);

#endif
