/* fuzz_op.c - fuzz target: the op checker on every record of a change set. */
#include "fuzz.h"
#include "jsonl.h"
#include "op_check.h"
#include "record.h"

#include <stdio.h>

/* As apply's pre-scan: every op record of the input through ois_op_check. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	struct ois_jsonl_reader r;
	ois_jsonl_reader_init(&r, fp, "fuzz.jsonl", 0);
	json_object *rec;
	char where[64];
	while (ois_jsonl_read(&r, &rec) == 1) {
		snprintf(where, sizeof(where), "fuzz.jsonl:%lu", r.line);
		/* Records of any type: the checker must hold up to what is not an op, too. */
		(void)ois_op_check(rec, where);
		json_object_put(rec);
	}
	ois_jsonl_reader_release(&r);
	fclose(fp);
	/* And the whole input as one JSON value, as a caller outside the reader could pass it. */
	json_tokener *tok = json_tokener_new();
	json_object *v = json_tokener_parse_ex(tok, (const char *)data, (int)(size > 1 << 20 ? 1 << 20 : size));
	if (v)
		(void)ois_op_check(v, "fuzz:1");
	json_object_put(v);
	json_tokener_free(tok);
	return 0;
}
