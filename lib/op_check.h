/* op_check.h - check one op record of a change set completely, before anything runs. */
#ifndef OIS_OP_CHECK_H
#define OIS_OP_CHECK_H

#include <json-c/json.h>

/*
 * Check op (a record of type "op", see oisync-records(5)) as a whole:
 * the JSON type of every key an op has (op_id, action, target, kind, pair,
 * id, if_version, data, fields, ids, versions, reason); action one of
 * create, update, delete, link, unlink; target "exchange" or "interaction"
 * wherever the action sends something (create, update, delete); kind
 * "contact" or "appointment"; a pair on every op; data an object for
 * create, update and link; id for update and delete, and none for create;
 * both ids for link; and no string anywhere in op holding U+0000.
 * Unknown keys are fine (records keep them), and so is anything in an
 * update's old, conflicts and source_modified: words for people (oisync
 * show), which apply never reads. Reads op only, so apply can
 * check a whole change set before its first server call.
 * Returns 0, or OIS_EDATA after logging "WHERE: what is wrong" (where is
 * "FILE:LINE").
 */
int ois_op_check(json_object *op, const char *where);

#endif
