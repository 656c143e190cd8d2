/* fuzz_person_name.c - fuzz target: the name splitter on any display name a contact may carry. */
#include "fuzz.h"
#include "jsonl.h"
#include "normalize.h"
#include "person_name.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * Transform splits a display name once it is valid UTF-8 (the record reader
 * checks) and cleaned (ois_text_clean): so does this. Besides memory
 * errors, it checks what the normalizer relies on: a person has a first or
 * a last name, no part is empty, anything else has no parts, and splitting
 * is a function of the text.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memchr(data, '\0', size) || !ois_utf8_valid((const char *)data, size, NULL))
		return 0;
	char *raw = ois_xstrndup((const char *)data, size);
	char *s = ois_text_clean(raw);
	struct ois_person_name a, b;
	ois_person_name_split(s, &a);
	ois_person_name_split(s, &b);
	const char *parts[] = { a.prefix, a.first, a.middle, a.last, a.suffix, a.nickname };
	for (size_t i = 0; i < OIS_ARRAY_SIZE(parts); i++)
		if ((parts[i] && !*parts[i]) || (parts[i] && a.entity != OIS_NAME_PERSON))
			abort();
	if (a.entity == OIS_NAME_PERSON && !a.first && !a.last)
		abort();
	if (a.entity != b.entity || !same(a.first, b.first) || !same(a.last, b.last) || !same(a.suffix, b.suffix))
		abort();
	ois_person_name_release(&a);
	ois_person_name_release(&b);
	free(s);
	free(raw);
	return 0;
}
