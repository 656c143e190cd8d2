/* op.h - an op's action and an applied op's status (oisync-records(5)): one enum and one name table each. */
#ifndef OIS_OP_H
#define OIS_OP_H

/*
 * Op actions, in the order reconcile writes the ops of one pair. Never
 * renumber: it is the sort key of a change set's ops.
 */
enum ois_action {
	OIS_ACT_LINK,
	OIS_ACT_UPDATE,
	OIS_ACT_CREATE,
	OIS_ACT_DELETE,
	OIS_ACT_UNLINK,
};
#define OIS_ACTIONS 5

/* The actions in the order oisync-records(5) lists them, for messages and counts. */
extern const enum ois_action ois_action_order[OIS_ACTIONS];

const char *ois_action_name(enum ois_action a);
/* The action a record's "action" names; -1 for NULL or a name that is none. */
int ois_action_parse(const char *name);
/* 1 when the action changes its target's server (create, update, delete);
 * 0 for link and unlink, which change only the state. */
int ois_action_sends(enum ois_action a);

/*
 * An op's status: in a result line (all but pending) and in the state's
 * applied table (all but skipped), where it is stored as its name.
 */
enum ois_op_status {
	OIS_OP_OK,
	OIS_OP_SKIPPED,   /* already done by an earlier run */
	OIS_OP_CONFLICT,  /* the item moved on; nothing overwritten */
	OIS_OP_FAILED,
	OIS_OP_PENDING,   /* state only: a create about to be sent, its answer not yet recorded */
};
#define OIS_OP_STATUSES 5

const char *ois_op_status_name(enum ois_op_status s);
/* The status name names; -1 for NULL or a name that is none. */
int ois_op_status_parse(const char *name);
/*
 * 1 when a rerun must not send the op again (ok, skipped, conflict); 0 for
 * pending and failed, which a rerun tries again.
 */
int ois_op_status_final(enum ois_op_status s);

#endif
