/*
 * json_roundtrip.c - bench/transform's floor: each line parsed by json-c and
 * written back plain, the least transform does to a record (it is built
 * with the same json-c transform links).
 *
 *   json_roundtrip < IN.jsonl > OUT.jsonl
 */
#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	json_tokener *tok = json_tokener_new();
	while ((len = getline(&line, &cap, stdin)) > 0) {
		json_tokener_reset(tok);
		json_object *o = json_tokener_parse_ex(tok, line, (int)len);
		if (!o) {
			fprintf(stderr, "json_roundtrip: a line is not JSON\n");
			return 1;
		}
		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), stdout);
		putchar('\n');
		json_object_put(o);
	}
	json_tokener_free(tok);
	free(line);
	return 0;
}
