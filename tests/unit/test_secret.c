/* test_secret.c - secrets come from a private file or the environment, and never reach a log. */
#include "unit.h"
#include "code.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "s3cr3t-Pa55w0rd"

static char dir[] = "/tmp/oisync-secret-XXXXXX";

static char *write_file(const char *name, const char *text, mode_t mode)
{
	char *path = ois_xasprintf("%s/%s", dir, name);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
	CHECK_INT(chmod(path, mode), 0);
	return path;
}

static void test_files(void)
{
	static const struct {
		const char *text;
		mode_t mode;
		int rc;
		const char *want;
	} cases[] = {
		{ SECRET, 0600, 0, SECRET },
		{ SECRET "\n", 0600, 0, SECRET },          /* one trailing newline dropped */
		{ SECRET "\r\n", 0400, 0, SECRET },        /* a Windows editor's too */
		{ SECRET "\n\n", 0600, 0, SECRET "\n" },   /* only one */
		{ " " SECRET " ", 0600, 0, " " SECRET " " }, /* blanks are the secret's own */
		{ SECRET, 0644, OIS_ECONFIG, NULL },
		{ SECRET, 0640, OIS_ECONFIG, NULL },
		{ SECRET, 0604, OIS_ECONFIG, NULL },
		{ "\n", 0600, OIS_ECONFIG, NULL },         /* empty */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *path = write_file("pw", cases[i].text, cases[i].mode);
		char *got = (char *)"untouched";
		CHECK_INT(ois_secret_read(path, NULL, &got), cases[i].rc);
		CHECK_STR(got, cases[i].want);
		ois_secret_free(got);
		free(path);
	}
}

static void test_symlink_and_folder_refused(void)
{
	char *target = write_file("real", SECRET, 0600);
	char *link = ois_xasprintf("%s/link", dir);
	unlink(link);
	CHECK_INT(symlink(target, link), 0);
	char *got;
	CHECK_INT(ois_secret_read(link, NULL, &got), OIS_ECONFIG);
	CHECK(got == NULL);
	CHECK_INT(ois_secret_read(dir, NULL, &got), OIS_ECONFIG);
	char *missing = ois_xasprintf("%s/missing", dir);
	CHECK_INT(ois_secret_read(missing, NULL, &got), OIS_ECONFIG);
	unlink(link);
	free(missing);
	free(link);
	free(target);
}

static void test_environment(void)
{
	char *got;
	setenv("OISYNC_TEST_SECRET", SECRET, 1);
	CHECK_INT(ois_secret_read(NULL, "OISYNC_TEST_SECRET", &got), 0);
	CHECK_STR(got, SECRET);
	ois_secret_free(got);
	/* A file, when named, wins over the variable. */
	char *path = write_file("pw", "from-file\n", 0600);
	CHECK_INT(ois_secret_read(path, "OISYNC_TEST_SECRET", &got), 0);
	CHECK_STR(got, "from-file");
	ois_secret_free(got);
	free(path);
	setenv("OISYNC_TEST_SECRET", "", 1);
	CHECK_INT(ois_secret_read(NULL, "OISYNC_TEST_SECRET", &got), OIS_ECONFIG);
	unsetenv("OISYNC_TEST_SECRET");
	CHECK_INT(ois_secret_read(NULL, "OISYNC_TEST_SECRET", &got), OIS_ECONFIG);
	CHECK_INT(ois_secret_read(NULL, NULL, &got), OIS_ECONFIG);
	CHECK_INT(ois_secret_read("", "", &got), OIS_ECONFIG);
	CHECK(got == NULL);
}

/* Run every failure with stderr in a file, then look for the secret in it. */
static void test_messages_never_hold_the_secret(void)
{
	char *log = ois_xasprintf("%s/stderr", dir);
	int fd = open(log, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	ois_log_set_verbosity(3); /* debug: everything that could be said */

	char *got;
	char *path = write_file("pw", SECRET "\n", 0644);
	ois_secret_read(path, NULL, &got);
	free(path);
	path = write_file("pw", SECRET "\n", 0600);
	if (!ois_secret_read(path, NULL, &got))
		ois_secret_free(got);
	free(path);
	setenv("OISYNC_TEST_SECRET", SECRET, 1);
	if (!ois_secret_read(NULL, "OISYNC_TEST_SECRET", &got))
		ois_secret_free(got);
	unsetenv("OISYNC_TEST_SECRET");
	ois_secret_read(NULL, "OISYNC_TEST_SECRET", &got);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ois_log_set_verbosity(0);
	char text[8192];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	CHECK(n > 0); /* the refusals were explained */
	text[n > 0 ? n : 0] = '\0';
	CHECK(strstr(text, "chmod 600") != NULL);
	CHECK(strstr(text, "OISYNC_TEST_SECRET") != NULL);
	if (strstr(text, SECRET))
		unit_fail(__FILE__, __LINE__, "the secret was printed:\n%s", text);
	unlink(log);
	free(log);
}

int main(void)
{
	ois_log_init("test_secret");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* The refusals log on purpose; keep the TAP output readable. */
	fflush(stderr);
	int devnull = open("/dev/null", O_WRONLY);
	int saved = dup(2);
	dup2(devnull, 2);
	UNIT_RUN(test_files);
	UNIT_RUN(test_symlink_and_folder_refused);
	UNIT_RUN(test_environment);
	dup2(saved, 2);
	UNIT_RUN(test_messages_never_hold_the_secret);
	close(devnull);
	close(saved);
	char *cmd = ois_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return unit_done();
}
