/* canonjson.c - canonical JSON text and hashes of it. */
#include "canonjson.h"
#include "util.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* obj's keys in bytewise order, the canonical order; *n of them. Free the array (the keys are obj's). */
static const char **sorted_keys(json_object *obj, size_t *n)
{
	size_t i = 0;
	*n = (size_t)json_object_object_length(obj);
	const char **keys = ois_xcalloc(*n ? *n : 1, sizeof(*keys));
	json_object_object_foreach(obj, key, val) {
		(void)val;
		keys[i++] = key;
	}
	qsort(keys, *n, sizeof(*keys), cmp_keys);
	return keys;
}

static void add_string(struct ois_buf *out, const char *s, size_t len)
{
	/* json-c escapes exactly as JSON requires; reuse it for one string. */
	json_object *tmp = json_object_new_string_len(s, (int)len);
	ois_buf_adds(out, json_object_to_json_string_ext(tmp, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(tmp);
}

void ois_json_canonical(const json_object *cobj, struct ois_buf *out)
{
	json_object *obj = (json_object *)cobj;
	switch (json_object_get_type(obj)) {
	case json_type_null:
		ois_buf_adds(out, "null");
		break;
	case json_type_boolean:
		ois_buf_adds(out, json_object_get_boolean(obj) ? "true" : "false");
		break;
	case json_type_int:
		ois_buf_addf(out, "%lld", (long long)json_object_get_int64(obj));
		break;
	case json_type_double:
		ois_buf_addf(out, "%.17g", json_object_get_double(obj));
		break;
	case json_type_string:
		add_string(out, json_object_get_string(obj), (size_t)json_object_get_string_len(obj));
		break;
	case json_type_array: {
		size_t n = json_object_array_length(obj);
		ois_buf_add(out, "[", 1);
		for (size_t i = 0; i < n; i++) {
			if (i)
				ois_buf_add(out, ",", 1);
			ois_json_canonical(json_object_array_get_idx(obj, i), out);
		}
		ois_buf_add(out, "]", 1);
		break;
	}
	case json_type_object: {
		size_t n;
		const char **keys = sorted_keys(obj, &n);
		ois_buf_add(out, "{", 1);
		for (size_t i = 0; i < n; i++) {
			if (i)
				ois_buf_add(out, ",", 1);
			add_string(out, keys[i], strlen(keys[i]));
			ois_buf_add(out, ":", 1);
			ois_json_canonical(json_object_object_get(obj, keys[i]), out);
		}
		ois_buf_add(out, "}", 1);
		free(keys);
		break;
	}
	}
}

json_object *ois_json_sorted_copy(json_object *obj)
{
	if (json_object_is_type(obj, json_type_array)) {
		size_t n = json_object_array_length(obj);
		json_object *a = json_object_new_array_ext((int)n);
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, ois_json_sorted_copy(json_object_array_get_idx(obj, i)));
		return a;
	}
	if (!json_object_is_type(obj, json_type_object))
		return json_object_get(obj);
	size_t n;
	const char **keys = sorted_keys(obj, &n);
	json_object *s = json_object_new_object();
	for (size_t i = 0; i < n; i++)
		json_object_object_add(s, keys[i], ois_json_sorted_copy(json_object_object_get(obj, keys[i])));
	free(keys);
	return s;
}

void ois_sha256_hex(const void *data, size_t len, char out[OIS_HASH_LEN])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(digest); i++) {
		static const char hex[] = "0123456789abcdef";
		out[7 + 2 * i] = hex[digest[i] >> 4];
		out[7 + 2 * i + 1] = hex[digest[i] & 15];
	}
	out[OIS_HASH_LEN - 1] = '\0';
}

void ois_json_hash(const json_object *obj, char out[OIS_HASH_LEN])
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_json_canonical(obj, &b);
	ois_sha256_hex(b.data, b.len, out);
	ois_buf_release(&b);
}

int ois_json_equal(const json_object *a, const json_object *b)
{
	struct ois_buf x = OIS_BUF_INIT, y = OIS_BUF_INIT;
	ois_json_canonical(a, &x);
	ois_json_canonical(b, &y);
	int eq = x.len == y.len && !memcmp(x.data, y.data, x.len);
	ois_buf_release(&x);
	ois_buf_release(&y);
	return eq;
}
