/* json_reply.h - a REST server's JSON reply, whole, and its error body, for the JSON backends. */
#ifndef OIS_JSON_REPLY_H
#define OIS_JSON_REPLY_H

#include "buf.h"
#include "http.h"

#include <json-c/json.h>

/*
 * Parse a whole reply body as one JSON value; NULL when it is not exactly
 * that (empty, cut short, trailing bytes, a string holding U+0000, which
 * every C-string accessor would cut short), with why in *why.
 */
json_object *ois_json_reply(const struct ois_buf *b, const char **why);

/*
 * "HTTP 412 code: message" from an error body {"error":{"code","message"}}
 * (the InterAction API's and Microsoft Graph's shape) or an OAuth token
 * endpoint's {"error","error_description"}, or "HTTP 412".
 * Owned.
 */
char *ois_json_error_text(const struct ois_http_response *r);

#endif
