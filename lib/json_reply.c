/* json_reply.c - a REST server's JSON reply, whole, and its error body. */
#include "json_reply.h"
#include "jsonl.h"
#include "record.h"
#include "util.h"

#include <ctype.h>

json_object *ois_json_reply(const struct ois_buf *b, const char **why)
{
	*why = "not JSON";
	if (!b->len)
		return NULL;
	json_tokener *tok = json_tokener_new();
	json_object *obj = json_tokener_parse_ex(tok, b->data, (int)b->len);
	if (obj && json_tokener_get_error(tok) == json_tokener_success) {
		for (size_t i = json_tokener_get_parse_end(tok); i < b->len; i++)
			if (!isspace((unsigned char)b->data[i])) {
				json_object_put(obj);
				obj = NULL;
				break;
			}
	} else {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	if (obj && ois_json_text_has_nul(b->data, b->len)) {
		json_object_put(obj);
		obj = NULL;
		*why = "a string holds a NUL character (\\u0000)";
	}
	return obj;
}

char *ois_json_error_text(const struct ois_http_response *r)
{
	const char *why;
	json_object *o = ois_json_reply(&r->body, &why);
	json_object *e = ois_json_obj(o, "error");
	const char *code = ois_json_str(e, "code"), *msg = ois_json_str(e, "message");
	if (!e) {
		/* A token endpoint's error (RFC 6749 section 5.2): {"error":"invalid_client","error_description":...}. */
		code = ois_json_str(o, "error");
		msg = ois_json_str(o, "error_description");
	}
	char *s = code ? ois_xasprintf("HTTP %ld %s%s%s", r->status, code, msg ? ": " : "", msg ? msg : "")
		       : ois_xasprintf("HTTP %ld", r->status);
	json_object_put(o);
	return s;
}
