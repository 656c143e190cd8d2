/* oisync_config.c - oisync config KEY: one configuration value, as git config prints one. */
#include "oisync.h"
#include "code.h"
#include "config.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* config KEY: the value on stdout; 1 when it is not set. */
int oisync_config(const struct ois_config *cfg, int argc, char **argv)
{
	if (argc != 2)
		return oisync_usage_error("'config' wants one KEY");
	const char *key = argv[1];
	char *value = NULL;
	if (!strcmp(key, "path"))
		value = ois_xstrdup(cfg->path);
	else if (!strcmp(key, "servers")) {
		for (size_t i = 0; i < cfg->nservers; i++)
			printf("%s\n", cfg->servers[i].name);
		return 0;
	} else {
		int rc = ois_config_get(cfg, key, &value);
		if (rc == OIS_EUSAGE)
			return oisync_usage_error("unknown key '%s' (see oisync.conf(5))", key);
		if (rc)
			return ois_exit_status(rc);
	}
	if (!value)
		return 1; /* not set, as git config */
	printf("%s\n", value);
	free(value);
	return 0;
}
