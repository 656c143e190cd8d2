/* oisync_users_edit.c - oisync users enable|disable: one key of the users file changed in place. */
#include "oisync.h"
#include "code.h"
#include "config.h"
#include "buf.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The users file is the administrator's: its comments, order and spacing
 * are kept byte for byte. So it is not written back from the parsed
 * configuration but edited as text, line by line, read the way
 * lib/config.c reads it (a byte-order mark, leading blanks, "[user ID]",
 * "key = value" or "key: value", " ;" or " #" starting a trailing comment).
 * The file was already checked whole by ois_config_load, so every line
 * here is one it accepted.
 */

int oisync_users_file_write(const struct ois_config *cfg, const char *text, size_t len)
{
	const char *path = cfg->users_file;
	struct stat st;
	mode_t mode = 0640;
	if (!stat(path, &st))
		mode = st.st_mode & 07777;
	else if (errno != ENOENT) {
		ois_error("cannot stat users file '%s': %s", path, strerror(errno));
		return OIS_EIO;
	}
	/*
	 * A temporary file in the same folder, synced, then renamed over: oisync-run
	 * reading the file at the same moment sees the old one or the new one whole,
	 * and a crash leaves one of them, never half of each.
	 */
	char *tmp = ois_xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		ois_error("cannot create a temporary file beside '%s': %s", path, strerror(errno));
		free(tmp);
		return OIS_EIO;
	}
	int ok = fchmod(fd, mode) == 0;
	if (ok && !stat(path, &st) && (st.st_uid != geteuid() || st.st_gid != getegid()))
		ok = fchown(fd, st.st_uid, st.st_gid) == 0 || errno == EPERM;
	for (size_t done = 0; ok && done < len;) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		done += n > 0 ? (size_t)n : 0;
	}
	ok = ok && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		ois_error("cannot write users file '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return OIS_EIO;
	}
	free(tmp);
	/* The rename itself is durable only once the folder is synced. */
	char *dir = ois_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	return 0;
}

char *oisync_users_file_read(const char *path, size_t *len, int *rc)
{
	*len = 0;
	*rc = 0;
	FILE *fp = fopen(path, "re");
	if (!fp) {
		if (errno != ENOENT) {
			ois_error("cannot open users file '%s': %s", path, strerror(errno));
			*rc = OIS_EIO;
		}
		return NULL;
	}
	size_t cap = 4096;
	char *buf = ois_xmalloc(cap);
	size_t n;
	while ((n = fread(buf + *len, 1, cap - *len, fp)) > 0) {
		*len += n;
		if (*len == cap)
			buf = ois_xrealloc(buf, cap *= 2);
	}
	if (ferror(fp)) {
		ois_error("cannot read users file '%s': %s", path, strerror(errno));
		*rc = OIS_EIO;
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/*
 * The user id of a "[user ID]" line (into id, at most idsz), 1; 0 for another
 * section header, -1 for a line that is no header.
 */
static int user_header(const char *s, const char *end, char *id, size_t idsz)
{
	if (s == end || *s != '[')
		return -1;
	const char *close = memchr(s, ']', (size_t)(end - s));
	if (!close)
		return -1;
	const char *t = skip_blanks(s + 1, close);
	if (close - t < 5 || strncmp(t, "user", 4) || (t[4] != ' ' && t[4] != '\t'))
		return 0;
	t = skip_blanks(t + 4, close);
	const char *e = close;
	while (e > t && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if ((size_t)(e - t) >= idsz)
		return 0;
	memcpy(id, t, (size_t)(e - t));
	id[e - t] = '\0';
	return 1;
}

/* Where the value of an "enabled" line starts and ends (before a comment or the line's end), or 0. */
static int enabled_value(const char *s, const char *end, const char **vstart, const char **vend)
{
	static const char key[] = "enabled";
	size_t klen = sizeof(key) - 1;
	if ((size_t)(end - s) < klen || strncmp(s, key, klen))
		return 0;
	const char *p = skip_blanks(s + klen, end);
	if (p == end || (*p != '=' && *p != ':'))
		return 0;
	p = skip_blanks(p + 1, end);
	const char *q = p;
	/* inih ends a value at " ;" or " #" (a comment after blanks), or the line's end. */
	while (q < end && !((*q == ';' || *q == '#') && q > p && (q[-1] == ' ' || q[-1] == '\t')))
		q++;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	*vstart = p;
	*vend = q;
	return 1;
}

struct edit {
	const struct ois_config *cfg;
	char **ids;       /* the users to change; NULL: every user */
	int nids;
	const char *word; /* "yes" or "no" */
};

static int wanted(const struct edit *e, const char *id)
{
	if (!e->ids)
		return 1;
	for (int i = 0; i < e->nids; i++)
		if (!strcmp(e->ids[i], id))
			return 1;
	return 0;
}

/*
 * A chosen section has ended without an "enabled" line (so it is enabled):
 * to disable it, "enabled = WORD" goes right after its header. 1 when added.
 */
static int add_missing(struct ois_buf *out, int missing, size_t header_end, const char *word, const char *eol)
{
	if (!missing || !strcmp(word, "yes"))
		return 0;
	char *rest = ois_xstrndup(out->data + header_end, out->len - header_end);
	size_t rlen = out->len - header_end;
	/* A header on the file's last line, without its line end, gets one first. */
	int ended = header_end > 0 && out->data[header_end - 1] == '\n';
	out->len = header_end;
	ois_buf_addf(out, "%senabled = %s%s", ended ? "" : eol, word, eol);
	ois_buf_add(out, rest, rlen);
	free(rest);
	return 1;
}

/*
 * The file with each chosen user's "enabled" set to e->word: the value of
 * its "enabled" line replaced, else "enabled = WORD" added right after its
 * header (with the header's line ending). Every other byte stays. The
 * number of users changed in *changed.
 */
static void rewrite(const struct edit *e, const char *in, size_t len, struct ois_buf *out, int *changed)
{
	char id[256];
	int in_user = 0;   /* inside a chosen user's section */
	int has_key = 0;   /* its "enabled" line seen */
	const char *eol_of_header = "\n";
	size_t header_end = 0; /* where in out the chosen section's header line ends */
	*changed = 0;
	for (const char *line = in; line < in + len;) {
		const char *nl = memchr(line, '\n', (size_t)(in + len - line));
		const char *next = nl ? nl + 1 : in + len;
		const char *end = nl ? nl : in + len;
		const char *cr = end > line && end[-1] == '\r' ? end - 1 : end;
		const char *s = line;
		if (line == in && cr - s >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
			s += 3;
		s = skip_blanks(s, cr);
		int h = user_header(s, cr, id, sizeof(id));
		if (h >= 0) {
			*changed += add_missing(out, in_user && !has_key, header_end, e->word, eol_of_header);
			in_user = h == 1 && ois_config_user(e->cfg, id) && wanted(e, id);
			has_key = 0;
			ois_buf_add(out, line, (size_t)(next - line));
			header_end = out->len;
			eol_of_header = cr < end ? "\r\n" : "\n";
			line = next;
			continue;
		}
		const char *vs, *ve;
		if (in_user && enabled_value(s, cr, &vs, &ve)) {
			has_key = 1;
			size_t vlen = (size_t)(ve - vs);
			if (vlen != strlen(e->word) || strncasecmp(vs, e->word, vlen))
				(*changed)++;
			ois_buf_add(out, line, (size_t)(vs - line));
			ois_buf_adds(out, e->word);
			ois_buf_add(out, ve, (size_t)(next - ve));
		} else {
			ois_buf_add(out, line, (size_t)(next - line));
		}
		line = next;
	}
	*changed += add_missing(out, in_user && !has_key, header_end, e->word, eol_of_header);
}

/*
 * users enable|disable USER... | --all: every user named must be in the
 * users file, else nothing changes. 64: the command line is wrong, as
 * for oisync lockfile with an unknown mailbox; the configuration is not,
 * and 78 would send the administrator to fix a file that is fine. Only
 * the "enabled" key changes: the user's state, pairs and checkpoints stay,
 * so a user enabled again carries on where it stopped.
 */
int oisync_users_enable(const struct ois_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int all = 0, c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return oisync_usage_error("bad option for 'users %s'", argv[0]);
		all = 1;
	}
	if (all == (optind < argc))
		return oisync_usage_error("'users %s' takes user ids or --all, not both", argv[0]);
	int unknown = 0;
	for (int i = optind; i < argc; i++)
		if (!ois_config_user(cfg, argv[i])) {
			ois_error("no [user %s] in '%s'", argv[i], cfg->users_file);
			unknown++;
		}
	if (unknown) {
		ois_error("nothing changed");
		return EX_USAGE;
	}
	struct edit e = {
		.cfg = cfg,
		.ids = all ? NULL : argv + optind,
		.nids = all ? 0 : argc - optind,
		.word = strcmp(argv[0], "enable") ? "no" : "yes",
	};
	size_t len;
	int rc;
	char *in = oisync_users_file_read(cfg->users_file, &len, &rc);
	if (rc)
		return ois_exit_status(rc);
	struct ois_buf out = OIS_BUF_INIT;
	int changed = 0;
	rewrite(&e, in ? in : "", len, &out, &changed);
	free(in);
	if (changed)
		rc = oisync_users_file_write(cfg, out.data, out.len);
	ois_buf_release(&out);
	if (rc)
		return ois_exit_status(rc);
	printf("%s: %d %s %sd\n", cfg->users_file, changed, changed == 1 ? "user" : "users", argv[0]);
	return 0;
}
