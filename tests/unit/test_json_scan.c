/* test_json_scan.c - the strict scanner: what it accepts json-c reads the same, and canonical text as canonjson's. */
#include "unit.h"
#include "canonjson.h"
#include "json_scan.h"
#include "util.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inside the subset: the scanner's canonical text is ois_json_canonical of json-c's parse. */
static const char *const inside[] = {
	"{}",
	"[]",
	"{\"b\":1,\"a\":2}",
	"  {\"b\" : [ 1 , -2, 0 ,true,false,null ] ,\t\"a\":{}}\r",
	"{\"z\":{\"y\":{\"x\":\"deep\"},\"b\":\"a\"},\"ab\":1,\"a\":2}",
	"{\"first\":\"Chlo\xc3\xa9\",\"notes\":\"line\\nbreak \\\"q\\\" back\\\\slash\\ttab\\b\\f\\r\"}",
	"{\"slash\":\"a/b\",\"big\":123456789012345678,\"neg\":-123456789012345678}",
	"{\"emails\":[{\"kind\":\"work\",\"address\":\"u@x.example\"},{\"address\":\"v@x.example\"}]}",
	"{\"aa\":1,\"a\":2,\"a b\":3,\"A\":4,\"\xc3\xa9\":5,\"~\":6}",
	"\"just a string\"",
	"42",
};

/* Outside: the scanner says -1 and leaves the work to json-c. */
static const char *const outside[] = {
	"{\"a\":1.5}",
	"{\"a\":1e3}",
	"{\"a\":-0}",
	"{\"a\":01}",
	"{\"a\":1234567890123456789}",
	"{\"a\":\"\\u00e9\"}",
	"{\"a\":\"\\/\"}",
	"{\"a\":\"tab\there\"}",          /* a raw control character */
	"{\"a\\n\":1}",                   /* an escape in a key */
	"{\"a\":1,\"a\":2}",              /* a key twice */
	"{\"a\":{\"b\":1,\"b\":1}}",
	"{\"a\":1,}",
	"[1,]",
	"{\"a\":tru}",
	"{\"a\":True}",
	"{'a':1}",
	"{\"a\":1} x",
	"{\"a\":1}\n",                    /* a newline is no white space of one line */
	"{\"a\":\"unterminated}",
	"{\"a\" 1}",
	"{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}",
	"",
	"/* comment */ {}",
};

static void check_inside(const char *text)
{
	struct ois_buf got = OIS_BUF_INIT, want = OIS_BUF_INIT;
	json_object *o = json_tokener_parse(text);
	CHECK(o != NULL);
	ois_json_canonical(o, &want);
	CHECK_INT(ois_json_scan_canonical(text, strlen(text), &got), 0);
	CHECK_STR(got.data, want.data);
	json_object_put(o);
	ois_buf_release(&got);
	ois_buf_release(&want);
}

static void test_canonical_text_is_canonjsons(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(inside); i++)
		check_inside(inside[i]);
}

static void test_outside_the_subset_is_minus_one(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(outside); i++) {
		struct ois_buf b = OIS_BUF_INIT;
		ois_buf_adds(&b, "kept");
		if (ois_json_scan_canonical(outside[i], strlen(outside[i]), &b) != -1)
			unit_fail(__FILE__, __LINE__, "accepted: %s", outside[i]);
		CHECK_STR(b.data, "kept"); /* the buffer as it was */
		ois_buf_release(&b);
	}
}

static void test_members_of_a_line(void)
{
	const char *line = " {\"type\":\"contact\",\"id\":\"AAMk\",\"version\":7,\"note\":\"a\\\"b\",\"data\":{\"b\":1, \"a\":[2]}} ";
	struct ois_json_member m[8];
	int n = ois_json_scan_object(line, strlen(line), m, OIS_ARRAY_SIZE(m));
	CHECK_INT(n, 5);
	const char *s;
	size_t len;
	CHECK(ois_json_member_is(&m[0], "type"));
	CHECK(!ois_json_member_is(&m[0], "typ"));
	CHECK_INT(ois_json_member_string(&m[1], &s, &len), 1);
	CHECK_INT(len, 4);
	CHECK(!memcmp(s, "AAMk", 4));
	CHECK_INT(ois_json_member_string(&m[2], &s, &len), 0);  /* a number is no string */
	CHECK_INT(ois_json_member_string(&m[3], &s, &len), -1); /* an escape: json-c's to read */
	CHECK_INT(m[4].value_len, strlen("{\"b\":1, \"a\":[2]}"));
	CHECK(!memcmp(m[4].value, "{\"b\":1, \"a\":[2]}", m[4].value_len));
	/* More members than room, a key twice at the top, not an object: -1. */
	CHECK_INT(ois_json_scan_object(line, strlen(line), m, 4), -1);
	CHECK_INT(ois_json_scan_object("{\"a\":1,\"a\":1}", 13, m, 8), -1);
	CHECK_INT(ois_json_scan_object("[1]", 3, m, 8), -1);
	CHECK_INT(ois_json_scan_object("{}", 2, m, 8), 0);
}

static void test_is_object(void)
{
	CHECK(ois_json_scan_is_object("{\"a\":[1,{}]}", 12));
	CHECK(!ois_json_scan_is_object("not json", 8));
	CHECK(!ois_json_scan_is_object("[1]", 3));
	CHECK(!ois_json_scan_is_object("{\"a\":1.5}", 9));
}

int main(void)
{
	UNIT_RUN(test_canonical_text_is_canonjsons);
	UNIT_RUN(test_outside_the_subset_is_minus_one);
	UNIT_RUN(test_members_of_a_line);
	UNIT_RUN(test_is_object);
	return unit_done();
}
