/* fuzz_config.c - fuzz target: the configuration reader on oisync.conf and the users file. */
#include "fuzz.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The reader takes files: the input goes to a private folder as
 * oisync.conf and, after a line "===", users.conf beside it (where the
 * configuration looks for it by default).
 */
static char dir[] = "/tmp/oisync-fuzz-config-XXXXXX";
static char conf_path[sizeof(dir) + 16], users_path[sizeof(dir) + 16];

static void cleanup(void)
{
	unlink(conf_path);
	unlink(users_path);
	rmdir(dir);
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	int bad = fwrite(data, 1, size, fp) != size;
	return fclose(fp) || bad ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		ready = 1;
		if (!mkdtemp(dir))
			abort();
		snprintf(conf_path, sizeof(conf_path), "%s/oisync.conf", dir);
		snprintf(users_path, sizeof(users_path), "%s/users.conf", dir);
		atexit(cleanup);
	}
	/*
	 * A users_file naming another path could make the reader open any
	 * file (/dev/zero never ends): the users file is always the one
	 * written here.
	 */
	if (memmem(data, size, "users_file", 10))
		return 0;
	const uint8_t *sep = memmem(data, size, "\n===\n", 5);
	size_t conf_len = sep ? (size_t)(sep - data) + 1 : size;
	unlink(users_path);
	if (write_file(conf_path, data, conf_len) ||
	    (sep && write_file(users_path, sep + 5, size - conf_len - 4)))
		abort();
	struct ois_config cfg;
	if (ois_config_load(conf_path, &cfg) == 0) {
		for (size_t i = 0; i < cfg.nusers; i++) {
			(void)ois_config_user(&cfg, cfg.users[i].id);
			(void)ois_config_user_by_mailbox(&cfg, cfg.users[i].mailbox);
			(void)ois_config_server(&cfg, cfg.users[i].server);
		}
		ois_config_release(&cfg);
	}
	return 0;
}
