/* test_op.c - an op's actions and statuses: each name parses back to its value, nothing else does. */
#include "unit.h"
#include "op.h"

static void test_actions(void)
{
	for (int a = 0; a < OIS_ACTIONS; a++)
		CHECK_INT(ois_action_parse(ois_action_name((enum ois_action)a)), a);
	/* The names and the sort order of a change set's ops, as oisync-records(5) and reconcile have them. */
	CHECK_STR(ois_action_name(OIS_ACT_LINK), "link");
	CHECK_STR(ois_action_name(OIS_ACT_UPDATE), "update");
	CHECK_STR(ois_action_name(OIS_ACT_CREATE), "create");
	CHECK_STR(ois_action_name(OIS_ACT_DELETE), "delete");
	CHECK_STR(ois_action_name(OIS_ACT_UNLINK), "unlink");
	CHECK(OIS_ACT_LINK < OIS_ACT_UPDATE && OIS_ACT_UPDATE < OIS_ACT_CREATE && OIS_ACT_CREATE < OIS_ACT_DELETE &&
	      OIS_ACT_DELETE < OIS_ACT_UNLINK);
	static const char *const listed[] = { "create", "update", "delete", "link", "unlink" };
	for (int i = 0; i < OIS_ACTIONS; i++)
		CHECK_STR(ois_action_name(ois_action_order[i]), listed[i]);
	CHECK_INT(ois_action_parse(NULL), -1);
	CHECK_INT(ois_action_parse(""), -1);
	CHECK_INT(ois_action_parse("Create"), -1);
	CHECK_INT(ois_action_parse("upsert"), -1);
	CHECK_INT(ois_action_sends(OIS_ACT_CREATE), 1);
	CHECK_INT(ois_action_sends(OIS_ACT_UPDATE), 1);
	CHECK_INT(ois_action_sends(OIS_ACT_DELETE), 1);
	CHECK_INT(ois_action_sends(OIS_ACT_LINK), 0);
	CHECK_INT(ois_action_sends(OIS_ACT_UNLINK), 0);
}

static void test_statuses(void)
{
	for (int s = 0; s < OIS_OP_STATUSES; s++)
		CHECK_INT(ois_op_status_parse(ois_op_status_name((enum ois_op_status)s)), s);
	/* The state's applied.status column and result lines hold these very words. */
	CHECK_STR(ois_op_status_name(OIS_OP_OK), "ok");
	CHECK_STR(ois_op_status_name(OIS_OP_SKIPPED), "skipped");
	CHECK_STR(ois_op_status_name(OIS_OP_CONFLICT), "conflict");
	CHECK_STR(ois_op_status_name(OIS_OP_FAILED), "failed");
	CHECK_STR(ois_op_status_name(OIS_OP_PENDING), "pending");
	CHECK_INT(ois_op_status_parse(NULL), -1);
	CHECK_INT(ois_op_status_parse("done"), -1);
	CHECK_INT(ois_op_status_final(OIS_OP_OK), 1);
	CHECK_INT(ois_op_status_final(OIS_OP_SKIPPED), 1);
	CHECK_INT(ois_op_status_final(OIS_OP_CONFLICT), 1);
	CHECK_INT(ois_op_status_final(OIS_OP_FAILED), 0);
	CHECK_INT(ois_op_status_final(OIS_OP_PENDING), 0);
}

int main(void)
{
	UNIT_RUN(test_actions);
	UNIT_RUN(test_statuses);
	return unit_done();
}
