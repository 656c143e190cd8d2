/* token_cache.c - read and write a token the run keeps for its next processes. */
#include "token_cache.h"
#include "log.h"
#include "record.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Far more than a token, key and expiry take: anything bigger is not ours. */
#define MAX_FILE 65536

/* The whole file, NUL-terminated, when it is a regular file of ours that nobody else may read. */
static char *read_private(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & 077) && st.st_uid == geteuid() &&
	    st.st_size > 0 && st.st_size < MAX_FILE) {
		buf = ois_xmalloc((size_t)st.st_size + 1);
		ssize_t n = read(fd, buf, (size_t)st.st_size);
		if (n != st.st_size) {
			explicit_bzero(buf, (size_t)st.st_size);
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	} else {
		ois_debug("token cache '%s' is not a private file of this user: not used", path);
	}
	close(fd);
	return buf;
}

int ois_token_cache_load(const char *path, const char *key, char **token, double *seconds_left)
{
	*token = NULL;
	char *text = read_private(path);
	if (!text)
		return -1;
	size_t len = strlen(text);
	json_object *o = json_tokener_parse(text);
	explicit_bzero(text, len);
	free(text);
	json_object *exp;
	const char *tok = ois_json_str(o, "access_token");
	int ok = tok && *tok && ois_str_eq(ois_json_str(o, "key"), key) &&
		 json_object_object_get_ex(o, "expires_at", &exp) && json_object_is_type(exp, json_type_int);
	if (ok) {
		*seconds_left = (double)(json_object_get_int64(exp) - (int64_t)time(NULL));
		*token = ois_xstrdup(tok);
	}
	json_object_put(o);
	return ok ? 0 : -1;
}

void ois_token_cache_store(const char *path, const char *key, const char *token, double seconds_left)
{
	char *tmp = ois_xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp); /* 0600 */
	if (fd < 0) {
		ois_debug("cannot keep the interaction token in '%s': %s", path, strerror(errno));
		free(tmp);
		return;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "expires_at", json_object_new_int64((int64_t)time(NULL) + (int64_t)seconds_left));
	json_object_object_add(o, "access_token", json_object_new_string(token));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	int ok = write(fd, text, len) == (ssize_t)len;
	explicit_bzero((char *)text, len);
	json_object_put(o);
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		ois_debug("cannot keep the interaction token in '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
}
