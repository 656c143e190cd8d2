/* test_op_check.c - ois_op_check: every rule an op of a change set must keep. */
#include "unit.h"
#include "code.h"
#include "log.h"
#include "op_check.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

/* A good op of each action, as reconcile writes them; cases edit one key. */
#define UPDATE "\"type\":\"op\",\"op_id\":\"sha256:1\",\"action\":\"update\",\"target\":\"interaction\"," \
	"\"kind\":\"contact\",\"pair\":\"p-1\",\"id\":\"c-1\",\"if_version\":\"7\"," \
	"\"data\":{\"first\":\"Tara\",\"emails\":[{\"address\":\"t@x.example\",\"kind\":\"work\"}]}," \
	"\"fields\":[\"first\"],\"ids\":{\"exchange\":\"AAM\",\"interaction\":\"c-1\"}," \
	"\"versions\":{\"exchange\":\"CK\",\"interaction\":\"7\"},\"reason\":\"first changed in Outlook\""
#define CREATE "\"type\":\"op\",\"op_id\":\"sha256:2\",\"action\":\"create\",\"target\":\"exchange\"," \
	"\"kind\":\"contact\",\"pair\":\"p-2\",\"id\":null,\"if_version\":null,\"data\":{\"last\":\"Lee\"}," \
	"\"ids\":{\"exchange\":null,\"interaction\":\"c-2\"},\"versions\":{\"exchange\":null,\"interaction\":\"1\"}," \
	"\"reason\":\"new in InterAction\""
#define DELETE "\"type\":\"op\",\"op_id\":\"sha256:3\",\"action\":\"delete\",\"target\":\"interaction\"," \
	"\"kind\":\"contact\",\"pair\":\"p-3\",\"id\":\"c-3\",\"if_version\":\"2\",\"reason\":\"deleted in Outlook\""
#define LINK "\"type\":\"op\",\"op_id\":\"sha256:4\",\"action\":\"link\",\"kind\":\"contact\",\"pair\":\"p-4\"," \
	"\"id\":null,\"if_version\":null,\"data\":{\"last\":\"Lee\"}," \
	"\"ids\":{\"exchange\":\"AAM4\",\"interaction\":\"c-4\"},\"versions\":{\"exchange\":\"CK\",\"interaction\":\"1\"}," \
	"\"reason\":\"matched\""
#define UNLINK "\"type\":\"op\",\"op_id\":\"sha256:5\",\"action\":\"unlink\",\"kind\":\"appointment\",\"pair\":\"p-5\"," \
	"\"id\":null,\"if_version\":null,\"ids\":{\"exchange\":\"AAM5\",\"interaction\":\"a-5\"}," \
	"\"versions\":{\"exchange\":null,\"interaction\":null},\"reason\":\"deleted on both sides\""

static const struct {
	const char *name;
	const char *op;    /* the op, without its outer braces */
	const char *want;  /* the message after "WHERE: "; NULL: the op is good */
} cases[] = {
	{ "good update", UPDATE, NULL },
	{ "good create", CREATE, NULL },
	{ "good delete", DELETE, NULL },
	{ "good link", LINK, NULL },
	{ "good unlink", UNLINK, NULL },
	{ "unknown keys are kept", UPDATE ",\"x-note\":[1,{\"a\":null}]", NULL },
	/* The words for people are apply's to ignore, whatever they hold (oisync show copes). */
	{ "an update's old, conflicts and source_modified", UPDATE ",\"old\":{\"first\":\"Tina\"},\"conflicts\":[\"first\"],"
	  "\"source_modified\":\"2026-12-03T03:58:00Z\"", NULL },
	{ "old, conflicts and source_modified not read", UPDATE ",\"old\":7,\"conflicts\":{},\"source_modified\":null", NULL },
	{ "update without fields sets every field", CREATE ",\"action\":\"update\",\"id\":\"AAM2\"", NULL },

	/* types of every key */
	{ "type not op", UPDATE ",\"type\":\"result\"", "\"type\" must be \"op\", not \"result\"" },
	{ "op_id a number", UPDATE ",\"op_id\":1", "\"op_id\" must be a string" },
	{ "action unknown", UPDATE ",\"action\":\"merge\"",
	  "\"action\" must be \"create\", \"update\", \"delete\", \"link\" or \"unlink\", not \"merge\"" },
	{ "action null", UPDATE ",\"action\":null", "\"action\" must be a string" },
	{ "target unknown", UPDATE ",\"target\":\"graph\"",
	  "\"target\" must be \"exchange\" or \"interaction\", not \"graph\"" },
	{ "target on a link still typed", LINK ",\"target\":3", "\"target\" must be a string" },
	{ "kind unknown", UPDATE ",\"kind\":\"task\"", "\"kind\" must be \"contact\" or \"appointment\", not \"task\"" },
	{ "pair an object", UPDATE ",\"pair\":{}", "\"pair\" must be a string" },
	{ "id a number", UPDATE ",\"id\":42", "\"id\" must be a string or null" },
	{ "if_version a number", UPDATE ",\"if_version\":7", "\"if_version\" must be a string or null" },
	{ "data a string on update", UPDATE ",\"data\":\"string\"", "\"data\" must be an object" },
	{ "data an array on create", CREATE ",\"data\":[]", "\"data\" must be an object" },
	{ "data null on delete", DELETE ",\"data\":null", "\"data\" must be an object" },
	{ "fields a string", UPDATE ",\"fields\":\"first\"", "\"fields\" must be an array of strings" },
	{ "fields holding a number", UPDATE ",\"fields\":[\"first\",2]", "\"fields\" must be an array of strings" },
	{ "fields holding null", UPDATE ",\"fields\":[null]", "\"fields\" must be an array of strings" },
	{ "ids an array", UPDATE ",\"ids\":[]", "\"ids\" must be an object of strings or nulls" },
	{ "ids holding a number", UPDATE ",\"ids\":{\"exchange\":1}", "\"ids.exchange\" must be a string or null" },
	{ "versions holding an object", UPDATE ",\"versions\":{\"interaction\":{}}",
	  "\"versions.interaction\" must be a string or null" },
	{ "reason a bool", UPDATE ",\"reason\":true", "\"reason\" must be a string" },

	/* keys every op needs */
	{ "no op_id", "\"action\":\"unlink\",\"kind\":\"contact\",\"pair\":\"p\"", "an op needs \"op_id\"" },
	{ "no action", "\"op_id\":\"o\",\"kind\":\"contact\",\"pair\":\"p\"", "an op needs \"action\"" },
	{ "no kind", "\"op_id\":\"o\",\"action\":\"unlink\",\"pair\":\"p\"", "an op needs \"kind\"" },
	{ "no pair", "\"op_id\":\"o\",\"action\":\"unlink\",\"kind\":\"contact\"", "an op needs \"pair\"" },

	/* what each action needs */
	{ "update without target", UPDATE ",\"target\":null", "\"target\" must be a string" },
	{ "create without target", "\"op_id\":\"o\",\"action\":\"create\",\"kind\":\"contact\",\"pair\":\"p\",\"data\":{}",
	  "a create op needs \"target\"" },
	{ "delete without target", "\"op_id\":\"o\",\"action\":\"delete\",\"kind\":\"contact\",\"pair\":\"p\",\"id\":\"i\"",
	  "a delete op needs \"target\"" },
	{ "update without data",
	  "\"op_id\":\"o\",\"action\":\"update\",\"target\":\"exchange\",\"kind\":\"contact\",\"pair\":\"p\",\"id\":\"i\"",
	  "an update op needs \"data\"" },
	{ "create without data", "\"op_id\":\"o\",\"action\":\"create\",\"target\":\"exchange\",\"kind\":\"contact\",\"pair\":\"p\"",
	  "a create op needs \"data\"" },
	{ "link without data",
	  "\"op_id\":\"o\",\"action\":\"link\",\"kind\":\"contact\",\"pair\":\"p\",\"ids\":{\"exchange\":\"e\",\"interaction\":\"i\"}",
	  "a link op needs \"data\"" },
	{ "update with a null id", UPDATE ",\"id\":null", "an update op needs \"id\"" },
	{ "delete without id", "\"op_id\":\"o\",\"action\":\"delete\",\"target\":\"exchange\",\"kind\":\"contact\",\"pair\":\"p\"",
	  "a delete op needs \"id\"" },
	{ "create with an id", CREATE ",\"id\":\"AAM9\"", "a create op has no \"id\" (it makes a new item)" },
	{ "link without ids", "\"op_id\":\"o\",\"action\":\"link\",\"kind\":\"contact\",\"pair\":\"p\",\"data\":{}",
	  "a link op needs \"ids.exchange\"" },
	{ "link with one id", LINK ",\"ids\":{\"exchange\":\"e\",\"interaction\":null}", "a link op needs \"ids.interaction\"" },

	/* no NUL in any string, at any depth */
	{ "NUL in a data value", UPDATE ",\"data\":{\"job_title\":\"Partner\\u0000evil\"}",
	  "\"data.job_title\" contains a NUL character (\\u0000)" },
	{ "NUL deep in data", UPDATE ",\"data\":{\"emails\":[{\"address\":\"t@x.example\\u0000\"}]}",
	  "\"data.emails[0].address\" contains a NUL character (\\u0000)" },
	{ "NUL in the id", UPDATE ",\"id\":\"c-1\\u0000c-2\"", "\"id\" contains a NUL character (\\u0000)" },
	{ "NUL in fields", UPDATE ",\"fields\":[\"first\",\"\\u0000\"]", "\"fields[1]\" contains a NUL character (\\u0000)" },
	{ "NUL in an unknown key", UPDATE ",\"x\":{\"y\":\"\\u0000\"}", "\"x.y\" contains a NUL character (\\u0000)" },
};

/* Run ois_op_check on text; return its code and the message it logged (owned, "" for none). */
static int check(const char *text, char **msg)
{
	json_object *op = json_tokener_parse(text);
	if (!op) {
		*msg = ois_xasprintf("(test bug: not JSON: %s)", text);
		return 99;
	}
	size_t len = 0;
	FILE *saved = stderr;
	stderr = open_memstream(msg, &len);
	int rc = ois_op_check(op, "cs.jsonl:7");
	fclose(stderr);
	stderr = saved;
	json_object_put(op);
	/* "test_op_check: cs.jsonl:7: what\n" -> "what" */
	const char *prefix = "test_op_check: cs.jsonl:7: ";
	if (!strncmp(*msg, prefix, strlen(prefix)))
		memmove(*msg, *msg + strlen(prefix), strlen(*msg) - strlen(prefix) + 1);
	len = strlen(*msg);
	if (len && (*msg)[len - 1] == '\n')
		(*msg)[len - 1] = '\0';
	return rc;
}

static void test_rules(void)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		/* A later key replaces an earlier one in json-c: cases override by appending. */
		char *text = ois_xasprintf("{%s}", cases[i].op);
		char *msg;
		int rc = check(text, &msg);
		if (rc != (cases[i].want ? OIS_EDATA : 0) || strcmp(msg, cases[i].want ? cases[i].want : ""))
			unit_fail(__FILE__, __LINE__, "%s\n#   got:  %d \"%s\"\n#   want: %d \"%s\"", cases[i].name, rc, msg,
				  cases[i].want ? OIS_EDATA : 0, cases[i].want ? cases[i].want : "");
		free(msg);
		free(text);
	}
}

static void test_not_an_object(void)
{
	char *msg;
	CHECK_INT(check("[1]", &msg), OIS_EDATA);
	CHECK_STR(msg, "an op must be a JSON object");
	free(msg);
}

int main(void)
{
	ois_log_init("test_op_check");
	UNIT_RUN(test_rules);
	UNIT_RUN(test_not_an_object);
	return unit_done();
}
