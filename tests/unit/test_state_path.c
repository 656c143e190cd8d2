/* test_state_path.c - safe state file names: inside STATE_DIR, never empty or dotted, injective. */
#include "unit.h"
#include "code.h"
#include "log.h"
#include "state.h"
#include "util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *long_name(char c, size_t n, const char *tail)
{
	char *s = ois_xmalloc(n + strlen(tail) + 1);
	memset(s, c, n);
	strcpy(s + n, tail);
	return s;
}

/* Undo the percent encoding of a name that was not cut; NULL when it is not a valid encoding. */
static char *decode(const char *enc)
{
	if (!strcmp(enc, "%"))
		return ois_xstrdup("");
	char *out = ois_xmalloc(strlen(enc) + 1), *o = out;
	for (const char *p = enc; *p; p++) {
		unsigned v;
		if (*p != '%') {
			*o++ = *p;
		} else if (sscanf(p + 1, "%2X", &v) == 1 && p[1] && p[2]) {
			*o++ = (char)v;
			p += 2;
		} else {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	return out;
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void test_safe_name_table(void)
{
	static const struct { const char *name, *want; } cases[] = {
		{ "alice@firm.example", "alice@firm.example" },
		{ "a/b", "a%2Fb" },
		{ "a%2Fb", "a%252Fb" },
		{ ".", "%2E" },
		{ "..", "%2E." },
		{ "../x", "%2E.%2Fx" },
		{ ".hidden", "%2Ehidden" },
		{ "", "%" },
		{ "%", "%25" },
		{ "a\nb", "a%0Ab" },
		{ "\x01", "%01" },
		{ "a b~c", "a%20b%7Ec" },
		{ "Ann.O'Neil+x_y-z", "Ann.O%27Neil+x_y-z" },
		{ "\xc3\xa9", "%C3%A9" },
		{ "EXCH01\\alice", "EXCH01%5Calice" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *got = ois_state_safe_name(cases[i].name);
		CHECK_STR(got, cases[i].want);
		char *back = decode(got);
		CHECK_STR(back, cases[i].name);
		free(back);
		free(got);
	}
}

static void test_long_names_are_cut_with_a_digest(void)
{
	char *n200 = long_name('a', 200, "");
	char *n201 = long_name('a', 201, "");
	char *n300 = long_name('a', 300, "");
	char *n301 = long_name('a', 301, "");
	char *slash = long_name('/', 300, "");
	char *aslash = long_name('/', 300, "");
	aslash[0] = 'a'; /* "a" then escapes: the 180-byte cut falls inside one */

	char *got = ois_state_safe_name(n200);
	CHECK_STR(got, n200); /* exactly the limit: kept as is */
	free(got);

	char *const names[] = { n201, n300, n301, slash, aslash };
	char *enc[OIS_ARRAY_SIZE(names)];
	for (size_t i = 0; i < OIS_ARRAY_SIZE(names); i++) {
		enc[i] = ois_state_safe_name(names[i]);
		size_t len = strlen(enc[i]);
		CHECK(len <= 200);
		char *tilde = strchr(enc[i], '~');
		CHECK(tilde != NULL);
		if (!tilde)
			continue;
		CHECK_INT(strlen(tilde + 1), 16);
		CHECK(tilde - enc[i] <= 180 && tilde - enc[i] >= 178);
		/* The cut never splits an escape: the part before '~' decodes. */
		char *head = ois_xstrndup(enc[i], (size_t)(tilde - enc[i]));
		char *back = decode(head);
		CHECK(back != NULL);
		CHECK(back && !strncmp(back, names[i], strlen(back)));
		free(back);
		free(head);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(enc[i], enc[j]) != 0);
	}
	CHECK_INT(strchr(enc[4], '~') - enc[4], 178);
	/* A name spelled like a cut encoding is escaped, so it cannot collide with it. */
	got = ois_state_safe_name(enc[1]);
	CHECK(strcmp(got, enc[1]) != 0);
	free(got);
	for (size_t i = 0; i < OIS_ARRAY_SIZE(names); i++)
		free(enc[i]);
	free(n200);
	free(n201);
	free(n300);
	free(n301);
	free(slash);
	free(aslash);
}

static void test_tricky_pairs_differ(void)
{
	static const struct { const char *a, *b; } cases[] = {
		{ "a/b", "a%2Fb" },
		{ "", "%" },
		{ "", "%25" },
		{ ".", "%2E" },
		{ "..", "%2E." },
		{ ".a", "%2Ea" },
		{ "a.", "a%2E" },
		{ "%", "%25" },
		{ "a b", "a%20b" },
		{ "A", "a" },
		{ "~", "%7E" },
		{ "a\nb", "a%0Ab" },
		{ "a\nb", "a%0ab" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *a = ois_state_safe_name(cases[i].a);
		char *b = ois_state_safe_name(cases[i].b);
		if (!strcmp(a, b))
			unit_fail(__FILE__, __LINE__, "\"%s\" and \"%s\" both give \"%s\"", cases[i].a, cases[i].b, a);
		free(a);
		free(b);
	}
}

/* Every hostile account and server name lands in its own file inside STATE_DIR/SAFE(SERVER). */
static void test_hostile_names_stay_inside(void)
{
	char tmpl[] = "/tmp/oisync-test-XXXXXX";
	char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL);
	if (!dir)
		return;
	char *a300 = long_name('a', 300, "");
	const char *names[] = { "../x", "a/b", ".", "..", "", a300, "a\nb", "\x01", "%2F", "a%2Fb",
				"/etc/passwd", "x/../../y", "alice@firm.example" };
	const char *servers[] = { "exch01", "../up", "" };
	size_t n = OIS_ARRAY_SIZE(names);
	char *paths[OIS_ARRAY_SIZE(names)];
	char real_dir[PATH_MAX];
	CHECK(realpath(dir, real_dir) != NULL);

	for (size_t s = 0; s < OIS_ARRAY_SIZE(servers); s++) {
		char *safe_server = ois_state_safe_name(servers[s]);
		char *want_parent = ois_xasprintf("%s/%s", real_dir, safe_server);
		for (size_t i = 0; i < n; i++) {
			paths[i] = ois_state_path(dir, servers[s], names[i], ".lock");
			int fd = ois_state_lock(dir, servers[s], names[i], 0);
			CHECK(fd >= 0);
			ois_state_unlock(fd);

			char *slash = strrchr(paths[i], '/');
			CHECK(slash != NULL);
			if (!slash)
				continue;
			const char *leaf = slash + 1;
			CHECK(strcmp(leaf, ".lock") != 0);
			CHECK(leaf[0] != '.');
			CHECK(!has_ctl(leaf));
			CHECK(strlen(leaf) < 255);
			char *parent = ois_xstrndup(paths[i], (size_t)(slash - paths[i]));
			char real_parent[PATH_MAX];
			CHECK(realpath(parent, real_parent) != NULL);
			CHECK_STR(real_parent, want_parent);
			free(parent);
			struct stat sb;
			CHECK_INT(lstat(paths[i], &sb), 0);
			CHECK(S_ISREG(sb.st_mode));
			CHECK_INT(sb.st_mode & 0777, 0600);
			for (size_t j = 0; j < i; j++)
				CHECK(strcmp(paths[i], paths[j]) != 0);
		}
		/* As many files as names: none shared one. */
		DIR *d = opendir(want_parent);
		CHECK(d != NULL);
		size_t files = 0;
		struct dirent *e;
		while (d && (e = readdir(d)))
			files += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
		if (d)
			closedir(d);
		CHECK_INT(files, n);
		struct stat sb;
		CHECK_INT(stat(want_parent, &sb), 0);
		CHECK_INT(sb.st_mode & 0777, 0700);
		for (size_t i = 0; i < n; i++) {
			unlink(paths[i]);
			free(paths[i]);
		}
		rmdir(want_parent);
		free(want_parent);
		free(safe_server);
	}
	/* Nothing escaped: STATE_DIR is empty again and its parent holds no "x" or "up". */
	CHECK_INT(rmdir(dir), 0);
	free(a300);
}

/* The firm-wide lock excludes every other holder, even in one process, until it is let go. */
static void test_firm_lock_excludes_others(void)
{
	char tmpl[] = "/tmp/oisync-test-XXXXXX";
	char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL);
	if (!dir)
		return;
	char *state = ois_xasprintf("%s/state/deeper", dir), *path = ois_xasprintf("%s/firm.lock", state);
	int fd = ois_state_firm_lock(state);
	CHECK(fd >= 0);
	struct stat st;
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	int other = open(path, O_RDWR);
	CHECK(other >= 0);
	CHECK(flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK);
	ois_state_unlock(fd);
	CHECK_INT(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	fd = ois_state_firm_lock(state);
	CHECK(fd >= 0);
	ois_state_unlock(fd);
	unlink(path);
	rmdir(state);
	free(path);
	free(state);
	state = ois_xasprintf("%s/state", dir);
	rmdir(state);
	free(state);
	rmdir(dir);
}

int main(void)
{
	ois_log_init("test_state_path");
	ois_log_set_verbosity(-1);
	UNIT_RUN(test_safe_name_table);
	UNIT_RUN(test_long_names_are_cut_with_a_digest);
	UNIT_RUN(test_tricky_pairs_differ);
	UNIT_RUN(test_hostile_names_stay_inside);
	UNIT_RUN(test_firm_lock_excludes_others);
	return unit_done();
}
