/* checkpoint.c - where an extract starts: the token apply last committed. */
#include "code.h"
#include "extract.h"
#include "log.h"
#include "state.h"
#include "util.h"

#include <stdlib.h>

int extract_committed_token(const struct extract_args *args, enum ois_side side, const char *folder,
			    char **token)
{
	*token = NULL;
	if (args->full)
		return 0;
	if (ois_str_empty(args->state_dir))
		return ois_fail(OIS_ECONFIG, "no state folder: set state_dir or --state");
	struct ois_state *st = args->st;
	/* Read-only: extract writes the state only to commit a quiet read (quiet.c). */
	int rc = st ? 0 : ois_state_open(args->state_dir, args->server, args->mailbox, OIS_STATE_READ, &st);
	if (rc)
		return rc;
	rc = ois_state_checkpoint_get(st, side, folder, token);
	if (rc == OIS_ENOTFOUND)
		rc = 0;
	if (st != args->st)
		ois_state_close(st);
	if (!rc && ois_str_empty(*token)) {
		free(*token);
		*token = NULL;
	}
	return rc;
}
