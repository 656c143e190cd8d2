/* calendar_token.c - wrap and unwrap a calendar checkpoint's token. */
#include "calendar_token.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <json-c/json.h>

char *ois_calendar_token(const char *sync, time_t start, time_t end)
{
	char a[OIS_TIME_LEN], b[OIS_TIME_LEN];
	ois_time_format(start, a);
	ois_time_format(end, b);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "v", json_object_new_int(1));
	json_object_object_add(o, "sync", json_object_new_string(sync));
	json_object_object_add(o, "start", json_object_new_string(a));
	json_object_object_add(o, "end", json_object_new_string(b));
	char *s = ois_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

int ois_calendar_token_parse(const char *token, char **sync, time_t *start, time_t *end)
{
	*sync = NULL;
	json_object *o = token && token[0] == '{' ? json_tokener_parse(token) : NULL;
	json_object *v;
	const char *st = ois_json_str(o, "sync"), *a = ois_json_str(o, "start"), *b = ois_json_str(o, "end");
	int ok = o && json_object_object_get_ex(o, "v", &v) && json_object_get_int(v) == 1 && !ois_str_empty(st) &&
		 a && b && !ois_time_parse(a, OIS_TIME_DATE, start) && !ois_time_parse(b, OIS_TIME_DATE, end);
	if (ok)
		*sync = ois_xstrdup(st);
	json_object_put(o);
	return ok ? 0 : -1;
}
