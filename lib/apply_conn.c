/* apply_conn.c - each side's backend connection of an apply run, opened on first use. */
#include "apply.h"
#include "code.h"

int ois_apply_open_side(struct ois_apply_run *run, enum ois_side side)
{
	if (run->conn[side])
		return 0;
	const struct ois_backend *be = ois_backend_for(run->cfg, side, run->server);
	if (!be)
		return OIS_ECONFIG;
	struct ois_account_ref ref = { .cfg = run->cfg, .server = run->server, .mailbox = run->account, .user = run->user };
	int rc = OIS_ECONFIG;
	run->conn[side] = be->open(&ref, &rc);
	return run->conn[side] ? 0 : rc;
}

void ois_apply_close_sides(struct ois_apply_run *run)
{
	for (int s = 0; s < OIS_SIDES; s++)
		if (run->conn[s]) {
			run->conn[s]->be->close(run->conn[s]);
			run->conn[s] = NULL;
		}
}
