/* state_path.c - safe file names for the state store, its folders and the per-account lock. */
#include "state_p.h"

#include "code.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Longer encodings are cut to SAFE_KEEP bytes plus "~" and a digest. */
#define SAFE_MAX 200
#define SAFE_KEEP 180
#define SAFE_DIGEST_HEX 16

static int keep_byte(unsigned char c, size_t pos)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	if (c == '.')
		return pos > 0; /* no ".", "..", nor a hidden file */
	return c == '@' || c == '_' || c == '+' || c == '-';
}

/*
 * Why this is injective: a kept byte stands for itself and '%' only ever
 * starts a "%XX" escape, so a short encoding decodes back to exactly one
 * name. "" alone maps to "%", which no escape can produce. A cut encoding
 * is the only kind holding '~' (never kept, so always escaped), so it never
 * equals a short one, and two cut ones differ unless 64 bits of SHA-256 of
 * different names collide. Case is kept: on a case-insensitive file system
 * "Alice" and "alice" would share a file; oisync's state folder lives on a
 * Linux file system, where they do not.
 */
char *ois_state_safe_name(const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(name);
	if (len == 0)
		return ois_xstrdup("%");
	char *out = ois_xmalloc(3 * len + 1);
	size_t n = 0, cut = 0; /* cut: longest escape-aligned prefix <= SAFE_KEEP */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (keep_byte(c, i)) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
		if (n <= SAFE_KEEP)
			cut = n;
	}
	out[n] = '\0';
	if (n <= SAFE_MAX)
		return out;

	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)name);
	sha256_digest(&ctx, sizeof(digest), digest);
	char *p = out + cut;
	*p++ = '~';
	for (size_t i = 0; i < SAFE_DIGEST_HEX / 2; i++) {
		*p++ = "0123456789abcdef"[digest[i] >> 4];
		*p++ = "0123456789abcdef"[digest[i] & 15];
	}
	*p = '\0';
	return out;
}

char *ois_state_path(const char *state_dir, const char *server, const char *account, const char *suffix)
{
	char *s = ois_state_safe_name(server);
	char *a = ois_state_safe_name(account);
	char *path = ois_xasprintf("%s/%s/%s%s", state_dir, s, a, suffix ? suffix : "");
	free(a);
	free(s);
	return path;
}

/* mkdir one folder 0700 unless a folder is already there. */
static int mkdir_one(const char *dir)
{
	struct stat sb;
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return ois_fail(OIS_EIO, "cannot create state folder '%s': %s", dir, strerror(errno));
}

int ois_state_mkdirs(const char *state_dir, const char *server)
{
	/* STATE_DIR may be missing with its parents on a first run: mkdir -p. */
	char *dir = ois_xstrdup(state_dir);
	int rc = 0;
	for (char *p = dir; *p && !rc; p++) {
		if (*p != '/' || p == dir || p[-1] == '/')
			continue;
		*p = '\0';
		rc = mkdir_one(dir);
		*p = '/';
	}
	if (!rc)
		rc = mkdir_one(dir);
	free(dir);
	if (rc || !server)
		return rc;
	char *s = ois_state_safe_name(server);
	dir = ois_xasprintf("%s/%s", state_dir, s);
	rc = mkdir_one(dir);
	free(dir);
	free(s);
	return rc;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int ois_state_lock_file(const char *state_dir, const char *server, const char *account)
{
	int rc = ois_state_mkdirs(state_dir, server);
	if (rc)
		return rc;
	char *path = ois_state_path(state_dir, server, account, ".lock");
	/* O_NOFOLLOW: a symlink planted as ACCOUNT.lock must not make us create files elsewhere. */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fd = ois_fail(OIS_EIO, "cannot open lock '%s': %s", path, strerror(errno));
	free(path);
	return fd;
}

int ois_state_lock(const char *state_dir, const char *server, const char *account, int wait_seconds)
{
	int rc, fd = ois_state_lock_file(state_dir, server, account);
	if (fd < 0)
		return fd;
	char *path = ois_state_path(state_dir, server, account, ".lock");
	double deadline = now_seconds() + (wait_seconds > 0 ? wait_seconds : 0);
	int said = 0;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			rc = fd;
			goto out;
		}
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = ois_fail(OIS_EIO, "cannot lock '%s': %s", path, strerror(errno));
			break;
		}
		if (now_seconds() >= deadline) {
			rc = ois_fail(OIS_ETEMP, "account '%s' is locked by another run", account);
			break;
		}
		if (!said++)
			ois_info("account '%s' is locked by another run; waiting up to %d s", account, wait_seconds);
		/* Poll: flock has no timeout, and an alarm would disturb the caller's signals. */
		struct timespec tick = { 0, 100 * 1000 * 1000 };
		nanosleep(&tick, NULL);
	}
	close(fd);
out:
	free(path);
	return rc;
}

int ois_state_lock_take(const char *state_dir, const char *server, const char *account, int fd,
			int wait_seconds)
{
	return fd >= 0 ? ois_state_lock_adopt(state_dir, server, account, fd)
		       : ois_state_lock(state_dir, server, account, wait_seconds);
}

int ois_state_lock_adopt(const char *state_dir, const char *server, const char *account, int fd)
{
	char *path = ois_state_path(state_dir, server, account, ".lock");
	struct stat want, have;
	int rc = fd;
	if (lstat(path, &want) != 0 || fstat(fd, &have) != 0 || !S_ISREG(want.st_mode) ||
	    want.st_dev != have.st_dev || want.st_ino != have.st_ino) {
		rc = ois_fail(OIS_EUSAGE, "descriptor %d is not the lock '%s' of account '%s'", fd, path, account);
	} else {
		int got;
		while ((got = flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR)
			;
		if (got != 0 && errno == EWOULDBLOCK)
			rc = ois_fail(OIS_ETEMP, "account '%s' is locked by another run", account);
		else if (got != 0)
			rc = ois_fail(OIS_EIO, "cannot lock '%s': %s", path, strerror(errno));
	}
	free(path);
	return rc;
}

int ois_state_firm_lock(const char *state_dir)
{
	int rc = ois_state_mkdirs(state_dir, NULL);
	if (rc)
		return rc;
	char *path = ois_xasprintf("%s/firm.lock", state_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fd = ois_fail(OIS_EIO, "cannot open lock '%s': %s", path, strerror(errno));
	/* Held for a search and a create, a few requests: wait for it. */
	while (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		ois_fail(OIS_EIO, "cannot lock '%s': %s", path, strerror(errno));
		close(fd);
		fd = OIS_EIO;
	}
	free(path);
	return fd;
}

void ois_state_unlock(int fd)
{
	/* Closing the only descriptor of the open file description drops the flock. */
	if (fd >= 0)
		close(fd);
}
