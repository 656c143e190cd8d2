/* replay.c - run a fuzz target over its corpus without libFuzzer, as a test: one TAP line. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * replay FILE|DIR...: call LLVMFuzzerTestOneInput on each file (each file of
 * a folder, in name order, so a failure is reproducible). A crash, a leak or
 * a sanitizer report ends the process with a failing status: that is the
 * test failing. Otherwise prints "ok 1 - NAME: N inputs".
 */
static int run_file(const char *path, unsigned long *n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		printf("# cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += got;
		if (len == cap) {
			unsigned char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	}
	int bad = ferror(fp) || !buf;
	fclose(fp);
	if (bad) {
		free(buf);
		printf("# cannot read '%s'\n", path);
		return -1;
	}
	/* A copy of exactly len bytes, so ASan sees any read past the input. */
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	fflush(stdout);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	(*n)++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *dir, unsigned long *n)
{
	struct dirent **names;
	int count = scandir(dir, &names, NULL, by_name), rc = 0;
	if (count < 0) {
		printf("# cannot read folder '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < count; i++) {
		if (names[i]->d_name[0] != '.') {
			size_t size = strlen(dir) + strlen(names[i]->d_name) + 2;
			char *path = malloc(size);
			struct stat st;
			if (!path)
				return -1;
			snprintf(path, size, "%s/%s", dir, names[i]->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path, n))
				rc = -1;
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int name_len = (int)strcspn(base, ".");
	unsigned long n = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc |= run_dir(argv[i], &n);
		else
			rc |= run_file(argv[i], &n);
	}
	printf("%s 1 - %.*s: %lu inputs replayed\n1..1\n", rc || !n ? "not ok" : "ok", name_len, base, n);
	return rc || !n ? 1 : 0;
}
