/* secret.c - read a password or token from a private file or an environment variable. */
#include "secret.h"
#include "code.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A secret is a password or a token: anything bigger is the wrong file. */
#define SECRET_MAX (64 * 1024)

static int read_file(const char *file, char **out)
{
	/* O_NOFOLLOW: a link could lead to a file someone else controls; the
	 * mode checked must be that of the file the configuration names. */
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ELOOP)
			return ois_fail(OIS_ECONFIG, "secret file '%s' is a symbolic link: name the file itself", file);
		return ois_fail(OIS_ECONFIG, "cannot open secret file '%s': %s", file, strerror(errno));
	}
	int rc = OIS_ECONFIG;
	char *buf = NULL;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		rc = ois_fail(OIS_ECONFIG, "cannot stat secret file '%s': %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = ois_fail(OIS_ECONFIG, "secret file '%s' is not a regular file", file);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = ois_fail(OIS_ECONFIG, "secret file '%s' is readable by group or others (mode %04o): chmod 600 it",
			      file, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > SECRET_MAX) {
		rc = ois_fail(OIS_ECONFIG, "secret file '%s' is larger than %d bytes", file, SECRET_MAX);
		goto out;
	}
	/* Read up to one byte past the cap so a file that grew after fstat is caught too. */
	buf = ois_xmalloc(SECRET_MAX + 2);
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, SECRET_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ois_fail(OIS_ECONFIG, "cannot read secret file '%s': %s", file, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SECRET_MAX) {
			rc = ois_fail(OIS_ECONFIG, "secret file '%s' is larger than %d bytes", file, SECRET_MAX);
			goto out;
		}
	}
	buf[len] = '\0';
	/* Editors add one newline at the end; "\r\n" from a Windows editor too. */
	if (len && buf[len - 1] == '\n') {
		buf[--len] = '\0';
		if (len && buf[len - 1] == '\r')
			buf[--len] = '\0';
	}
	if (!len) {
		rc = ois_fail(OIS_ECONFIG, "secret file '%s' is empty", file);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		rc = ois_fail(OIS_ECONFIG, "secret file '%s' holds a NUL byte", file);
		goto out;
	}
	*out = ois_xstrdup(buf);
	rc = 0;
out:
	if (buf) {
		explicit_bzero(buf, SECRET_MAX + 2);
		free(buf);
	}
	close(fd);
	return rc;
}

int ois_secret_read(const char *file, const char *env, char **out)
{
	*out = NULL;
	if (!ois_str_empty(file))
		return read_file(file, out);
	if (ois_str_empty(env))
		return ois_fail(OIS_ECONFIG, "no secret configured: set secret_file or secret_env");
	const char *v = getenv(env);
	if (ois_str_empty(v))
		return ois_fail(OIS_ECONFIG, "environment variable '%s' with the secret is unset or empty", env);
	if (strlen(v) > SECRET_MAX)
		return ois_fail(OIS_ECONFIG, "environment variable '%s' is longer than %d bytes", env, SECRET_MAX);
	*out = ois_xstrdup(v);
	return 0;
}

void ois_secret_free(char *secret)
{
	if (!secret)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
