/* calendar_token.h - a calendar checkpoint's token: the server's own token and the window it was read for. */
#ifndef OIS_CALENDAR_TOKEN_H
#define OIS_CALENDAR_TOKEN_H

#include <time.h>

/*
 * A calendar is read for a window of time, so its checkpoint keeps the
 * window with the server's token (EWS SyncState, InterAction cursor): a
 * window that moved since is read whole. The token is JSON text,
 * {"v":1,"sync":S,"start":T,"end":T}, times as RFC 3339 UTC.
 * ois_calendar_token returns a new string; ois_calendar_token_parse sets
 * *sync (owned by the caller) and the window, or returns -1 for a token
 * that is not one of these.
 */
char *ois_calendar_token(const char *sync, time_t start, time_t end);
int ois_calendar_token_parse(const char *token, char **sync, time_t *start, time_t *end);

#endif
