/* ews_write.c - the text pieces of the XML every EWS item write sends. */
#include "ews_write.h"

#include <ctype.h>
#include <strings.h>

const char *ois_ews_nonblank(const char *s)
{
	if (!s)
		return NULL;
	for (const char *p = s; *p; p++)
		if (!isspace((unsigned char)*p))
			return s;
	return NULL;
}

const char *ois_ews_strip_smtp(const char *addr)
{
	if (addr && !strncasecmp(addr, "SMTP:", 5))
		return addr + 5;
	return addr;
}

void ois_ews_add_text(struct ois_buf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			continue;
		if (ch == '\r') {
			/* A literal CR would be read back as LF (XML 1.0 end-of-line handling). */
			ois_buf_adds(out, "&#13;");
			continue;
		}
		char one[2] = { (char)ch, 0 };
		ois_buf_add_xml(out, one);
	}
}

void ois_ews_add_elem(struct ois_buf *out, const char *name, const char *val)
{
	ois_buf_addf(out, "<t:%s>", name);
	ois_ews_add_text(out, val);
	ois_buf_addf(out, "</t:%s>", name);
}

void ois_ews_add_body(struct ois_buf *out, const char *name, const char *text)
{
	ois_buf_addf(out, "<t:%s BodyType=\"Text\">", name);
	ois_ews_add_text(out, text);
	ois_buf_addf(out, "</t:%s>", name);
}

static const char *string_at(json_object *arr, size_t i)
{
	json_object *v = json_object_array_get_idx(arr, i);
	return json_object_is_type(v, json_type_string) ? ois_ews_nonblank(json_object_get_string(v)) : NULL;
}

int ois_ews_has_strings(json_object *arr)
{
	if (!json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (string_at(arr, i))
			return 1;
	return 0;
}

void ois_ews_add_strings(struct ois_buf *out, const char *name, json_object *arr)
{
	ois_buf_addf(out, "<t:%s>", name);
	for (size_t i = 0; json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++)
		if (string_at(arr, i))
			ois_ews_add_elem(out, "String", string_at(arr, i));
	ois_buf_addf(out, "</t:%s>", name);
}

void ois_ews_add_ext(struct ois_buf *out, const char *uri, const char *val)
{
	ois_buf_adds(out, "<t:ExtendedProperty>");
	ois_buf_adds(out, uri);
	ois_ews_add_elem(out, "Value", val);
	ois_buf_adds(out, "</t:ExtendedProperty>");
}

void ois_ews_change(struct ois_buf *out, const char *item, const char *uri_elem, struct ois_buf *inner, int *n)
{
	if (inner->len) {
		ois_buf_adds(out, "<t:SetItemField>");
		ois_buf_adds(out, uri_elem);
		ois_buf_addf(out, "<t:%s>", item);
		ois_buf_adds(out, inner->data);
		ois_buf_addf(out, "</t:%s></t:SetItemField>", item);
	} else {
		ois_buf_adds(out, "<t:DeleteItemField>");
		ois_buf_adds(out, uri_elem);
		ois_buf_adds(out, "</t:DeleteItemField>");
	}
	ois_buf_reset(inner);
	(*n)++;
}
