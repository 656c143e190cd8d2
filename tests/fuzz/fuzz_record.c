/* fuzz_record.c - fuzz target: the JSON lines reader and the record envelope check. */
#include "fuzz.h"
#include "jsonl.h"
#include "record.h"

#include <stdio.h>

/* Every stage's input loop: read a line, check its envelope, use its keys. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size, "r");
	if (!fp)
		return 0;
	struct ois_jsonl_reader r;
	/* A small line cap, so the cap's path is reached too. */
	ois_jsonl_reader_init(&r, fp, "fuzz.jsonl", 4096);
	json_object *rec;
	char where[64];
	while (ois_jsonl_read(&r, &rec) == 1) {
		snprintf(where, sizeof(where), "fuzz.jsonl:%lu", r.line);
		if (ois_record_check(rec, where) == 0) {
			(void)ois_rec_type_name(ois_record_type(rec));
			(void)ois_side_parse(ois_json_str(rec, "side"));
			(void)ois_json_bool(rec, "complete", 0);
		}
		json_object_put(rec);
	}
	ois_jsonl_reader_release(&r);
	fclose(fp);
	return 0;
}
