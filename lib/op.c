/* op.c - the names of an op's actions and statuses, as records and the state spell them. */
#include "op.h"

#include <string.h>

static const char *const action_names[OIS_ACTIONS] = {
	[OIS_ACT_LINK] = "link",
	[OIS_ACT_UPDATE] = "update",
	[OIS_ACT_CREATE] = "create",
	[OIS_ACT_DELETE] = "delete",
	[OIS_ACT_UNLINK] = "unlink",
};

const enum ois_action ois_action_order[OIS_ACTIONS] = {
	OIS_ACT_CREATE, OIS_ACT_UPDATE, OIS_ACT_DELETE, OIS_ACT_LINK, OIS_ACT_UNLINK,
};

static const char *const status_names[OIS_OP_STATUSES] = {
	[OIS_OP_OK] = "ok",
	[OIS_OP_SKIPPED] = "skipped",
	[OIS_OP_CONFLICT] = "conflict",
	[OIS_OP_FAILED] = "failed",
	[OIS_OP_PENDING] = "pending",
};

static int parse(const char *name, const char *const *names, int n)
{
	for (int i = 0; name && i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

const char *ois_action_name(enum ois_action a)
{
	return action_names[a];
}

int ois_action_parse(const char *name)
{
	return parse(name, action_names, OIS_ACTIONS);
}

int ois_action_sends(enum ois_action a)
{
	return a == OIS_ACT_CREATE || a == OIS_ACT_UPDATE || a == OIS_ACT_DELETE;
}

const char *ois_op_status_name(enum ois_op_status s)
{
	return status_names[s];
}

int ois_op_status_parse(const char *name)
{
	return parse(name, status_names, OIS_OP_STATUSES);
}

int ois_op_status_final(enum ois_op_status s)
{
	return s != OIS_OP_PENDING && s != OIS_OP_FAILED;
}
