/* test_jsonl.c - JSON-lines reader/writer, record envelope and canonical hash. */
#include "unit.h"
#include "canonjson.h"
#include "code.h"
#include "jsonl.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static FILE *mem(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

/* Read every record of text; return the last code, count records in *n. */
static int read_all(const char *text, size_t max, int *n, unsigned long *line)
{
	FILE *fp = mem(text);
	struct ois_jsonl_reader r;
	ois_jsonl_reader_init(&r, fp, "in.jsonl", max);
	json_object *o;
	int rc;
	*n = 0;
	while ((rc = ois_jsonl_read(&r, &o)) == 1) {
		(*n)++;
		json_object_put(o);
	}
	*line = r.line;
	ois_jsonl_reader_release(&r);
	fclose(fp);
	return rc;
}

static void test_reads_lines_and_skips_blank(void)
{
	int n;
	unsigned long line;
	CHECK_INT(read_all("{\"type\":\"contact\"}\n\n{\"a\":1}\n{\"b\":[1,2]}", 0, &n, &line), 0);
	CHECK_INT(n, 3);
	CHECK_INT(line, 4);
}

static void test_bad_lines_name_the_line(void)
{
	static const struct { const char *text; unsigned long line; } cases[] = {
		{ "{\"a\":1}\n{\"a\":\n", 2 },          /* cut inside a value */
		{ "{\"a\":1}\n{\"a\":1}\n[1]\n", 3 },   /* not an object */
		{ "{\"a\":\"\xff\"}\n", 1 },            /* bad UTF-8 */
		{ "{\"a\":\"\xed\xa0\x80\"}\n", 1 },    /* encoded surrogate */
		{ "{\"a\":1} x\n", 1 },                 /* trailing text */
		{ "{}\n{\"a\":tru}\n", 2 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		int n;
		unsigned long line;
		CHECK_INT(read_all(cases[i].text, 0, &n, &line), OIS_EDATA);
		CHECK_INT(line, cases[i].line);
	}
}

static void test_over_long_line_is_refused(void)
{
	char text[200];
	memset(text, ' ', sizeof(text));
	memcpy(text, "{\"a\":\"", 6);
	memcpy(text + 150, "\"}\n", 4);
	int n;
	unsigned long line;
	CHECK_INT(read_all(text, 100, &n, &line), OIS_EDATA);
	CHECK_INT(read_all(text, 200, &n, &line), 0);
	CHECK_INT(n, 1);
}

static void test_unknown_keys_round_trip(void)
{
	const char *in = "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"a@x\",\"id\":\"1\","
			 "\"op\":\"upsert\",\"data\":{\"first\":\"Ann\"},\"x-future\":{\"k\":[1,\"é\"]}}";
	json_object *o = json_tokener_parse(in);
	CHECK(o != NULL);
	CHECK_INT(ois_record_check(o, "t:1"), 0);
	CHECK_INT(ois_record_type(o), OIS_REC_CONTACT);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	CHECK_INT(ois_jsonl_write(out, o), 0);
	fclose(out);
	json_object *back = json_tokener_parse(buf);
	CHECK(ois_json_equal(o, back));
	CHECK(ois_json_obj(back, "x-future") != NULL);
	json_object_put(back);
	json_object_put(o);
	free(buf);
}

static void test_record_check_rejects_bad_envelopes(void)
{
	static const char *const bad[] = {
		"{\"side\":\"exchange\"}",
		"{\"type\":\"contact\",\"side\":\"outlook\",\"account\":\"a\",\"id\":\"1\",\"op\":\"upsert\",\"data\":{}}",
		"{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"a\",\"id\":\"1\",\"op\":\"upsert\"}",
		"{\"type\":\"checkpoint\",\"side\":\"exchange\",\"account\":\"a\",\"folder\":\"contacts\",\"token\":1,\"complete\":true}",
		"{\"type\":\"nonsense\"}",
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(bad); i++) {
		json_object *o = json_tokener_parse(bad[i]);
		CHECK_INT(ois_record_check(o, "t:1"), OIS_EDATA);
		json_object_put(o);
	}
}

static void test_nul_in_a_string_is_refused(void)
{
	static const struct { const char *text; int want; unsigned long line; } cases[] = {
		{ "{\"a\":\"Tara\\u0000hidden\"}\n", OIS_EDATA, 1 },              /* a value */
		{ "{}\n{\"a\":{\"b\":[\"x\",\"\\u0000\"]}}\n", OIS_EDATA, 2 },  /* deep in arrays */
		{ "{\"a\\u0000b\":1}\n", OIS_EDATA, 1 },                          /* a key */
		{ "{\"a\":\"\\\\u0000\"}\n", 0, 1 },                              /* "\\u0000": plain text */
		{ "{\"a\":\"\\u00000\\u0001\"}\n", OIS_EDATA, 1 },
		{ "{\"a\":\"\\u0001\\u0100\"}\n", 0, 1 },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		int n;
		unsigned long line;
		int rc = read_all(cases[i].text, 0, &n, &line);
		if (rc != cases[i].want || line != cases[i].line)
			unit_fail(__FILE__, __LINE__, "%s\n#   got:  %d at line %lu\n#   want: %d at line %lu",
				  cases[i].text, rc, line, cases[i].want, cases[i].line);
	}
}

static void test_nul_path_names_the_value(void)
{
	json_object *o = json_tokener_parse("{\"data\":{\"emails\":[{\"address\":\"a\"},{\"address\":\"b\\u0000\"}]}}");
	struct ois_buf path = OIS_BUF_INIT;
	CHECK_INT(ois_json_nul_path(o, &path), 1);
	CHECK_STR(path.data, "data.emails[1].address");
	ois_buf_release(&path);
	/* The accessor gives no cut-short string. */
	CHECK(ois_json_str(json_object_array_get_idx(ois_json_arr(ois_json_obj(o, "data"), "emails"), 1), "address") == NULL);
	CHECK_STR(ois_json_str(json_object_array_get_idx(ois_json_arr(ois_json_obj(o, "data"), "emails"), 0), "address"), "a");
	json_object_put(o);
}

static void test_canonical_hash_ignores_key_order(void)
{
	json_object *a = json_tokener_parse("{\"b\":1,\"a\":{\"y\":[1,2],\"x\":\"s\"}}");
	json_object *b = json_tokener_parse("{\"a\":{\"x\":\"s\",\"y\":[1,2]},\"b\":1}");
	char ha[OIS_HASH_LEN], hb[OIS_HASH_LEN];
	ois_json_hash(a, ha);
	ois_json_hash(b, hb);
	CHECK_STR(ha, hb);
	struct ois_buf t = OIS_BUF_INIT;
	ois_json_canonical(a, &t);
	CHECK_STR(t.data, "{\"a\":{\"x\":\"s\",\"y\":[1,2]},\"b\":1}");
	ois_buf_release(&t);
	char empty[OIS_HASH_LEN];
	ois_sha256_hex("", 0, empty);
	CHECK_STR(empty, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	json_object_put(a);
	json_object_put(b);
}

static void test_sorted_copy_reads_in_canonical_order(void)
{
	json_object *a = json_tokener_parse("{\"b\":1,\"a\":{\"d\":2,\"c\":[{\"f\":1,\"e\":\"x\"}]},\"A\":null}");
	json_object *s = ois_json_sorted_copy(a);
	CHECK_STR(json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN),
		  "{\"A\":null,\"a\":{\"c\":[{\"e\":\"x\",\"f\":1}],\"d\":2},\"b\":1}");
	CHECK(ois_json_equal(a, s));
	json_object_put(s);
	json_object_put(a);
}

int main(void)
{
	ois_log_init("test_jsonl");
	ois_log_set_verbosity(-1); /* expected errors stay quiet */
	UNIT_RUN(test_reads_lines_and_skips_blank);
	UNIT_RUN(test_sorted_copy_reads_in_canonical_order);
	UNIT_RUN(test_bad_lines_name_the_line);
	UNIT_RUN(test_over_long_line_is_refused);
	UNIT_RUN(test_unknown_keys_round_trip);
	UNIT_RUN(test_record_check_rejects_bad_envelopes);
	UNIT_RUN(test_nul_in_a_string_is_refused);
	UNIT_RUN(test_nul_path_names_the_value);
	UNIT_RUN(test_canonical_hash_ignores_key_order);
	return unit_done();
}
