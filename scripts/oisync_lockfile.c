/* oisync_lockfile.c - oisync lockfile MAILBOX: the account's lock file, made when missing. */
#include "oisync.h"
#include "code.h"
#include "config.h"
#include "log.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *oisync_account_lockfile(const struct ois_config *cfg, const struct ois_user *u, int *rc)
{
	int fd = ois_state_lock_file(cfg->state_dir, u->server, u->mailbox);
	if (fd < 0) {
		*rc = fd;
		return NULL;
	}
	close(fd);
	return ois_state_path(cfg->state_dir, u->server, u->mailbox, ".lock");
}

/* lockfile MAILBOX: that account's lock file (see oisync_account_lockfile). */
int oisync_lockfile(const struct ois_config *cfg, int argc, char **argv)
{
	if (argc != 2)
		return oisync_usage_error("lockfile takes one mailbox (see --help)");
	const struct ois_user *u = ois_config_user_by_mailbox(cfg, argv[1]);
	if (!u)
		return ois_exit_status(ois_fail(OIS_EUSAGE, "no user with mailbox '%s' in '%s'", argv[1],
						cfg->users_file ? cfg->users_file : cfg->path));
	int rc = 0;
	char *path = oisync_account_lockfile(cfg, u, &rc);
	if (!path)
		return ois_exit_status(rc);
	printf("%s\n", path);
	free(path);
	return 0;
}
