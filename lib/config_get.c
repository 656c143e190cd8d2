/* config_get.c - one setting back as text, found through the key tables (oisync(1) config). */
#include "config.h"
#include "code.h"
#include "config_keys.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* "a, b" from {"a", "b", NULL}; NULL for no list. */
static char *join_list(char *const *list)
{
	if (!list)
		return NULL;
	size_t len = 1;
	for (char *const *l = list; *l; l++)
		len += strlen(*l) + 2;
	char *out = ois_xcalloc(1, len);
	for (char *const *l = list; *l; l++) {
		if (l != list)
			strcat(out, ", ");
		strcat(out, *l);
	}
	return out;
}

/* The int a word kind stores, whatever its C type. */
static int word_kind_value(const struct conf_key *k, const void *at)
{
	switch (k->kind) {
	case K_AUTH: return (int)*(const enum ois_http_auth *)at;
	case K_ACCESS: return (int)*(const enum ois_access *)at;
	case K_DIRECTION:
	case K_CALDIR: return (int)*(const enum ois_direction *)at;
	case K_CONFLICT: return (int)*(const enum ois_conflict *)at;
	default: return *(const int *)at;
	}
}

/* k's value in the struct at base, spelled as the file takes it; NULL when unset. */
static char *key_text(const struct conf_key *k, const void *base)
{
	const void *at = (const char *)base + k->off;
	switch (k->kind) {
	case K_STR:
	case K_PATH:
	case K_REGION: {
		const char *s = *(char *const *)at;
		return s ? ois_xstrdup(s) : NULL;
	}
	case K_LIST:
	case K_TYPEMAP: return join_list(*(char **const *)at);
	case K_LONG: return ois_xasprintf("%ld", *(const long *)at);
	case K_INT: return ois_xasprintf("%d", *(const int *)at);
	default: break;
	}
	int v = word_kind_value(k, at);
	for (const struct conf_word *w = conf_kind_words(k->kind); w && w->name; w++)
		if (w->value == v)
			return ois_xstrdup(w->name);
	return NULL;
}

/* name in table t, if it belongs where (0: anywhere): 1 and *value, else 0. */
static int table_get(const struct conf_table *t, unsigned where, const void *base, const char *name, char **value)
{
	size_t i;
	const struct conf_key *k = conf_find(t, name, &i);
	if (!k || (where && !(k->where & where)))
		return 0;
	*value = key_text(k, base);
	return 1;
}

/* "NAME.KEY" after a prefix: NAME may hold dots, KEY never does. */
static char *split_name(const char *rest, const char **key)
{
	const char *dot = strrchr(rest, '.');
	if (!dot || dot == rest || !dot[1])
		return NULL;
	*key = dot + 1;
	return ois_xstrndup(rest, (size_t)(dot - rest));
}

static int server_get(const struct ois_config *cfg, const char *rest, char **value)
{
	const char *key;
	char *name = split_name(rest, &key);
	if (!name)
		return OIS_EUSAGE;
	const struct ois_endpoint *e = ois_config_server(cfg, name);
	int rc = OIS_EUSAGE;
	if (!e && conf_find(&conf_endpoint, key, &(size_t){ 0 })) {
		ois_error("no [server %s] in '%s'", name, cfg->path);
		rc = OIS_ECONFIG;
	} else if (e && table_get(&conf_endpoint, W_EXCHANGE, e, key, value))
		rc = OIS_OK;
	free(name);
	return rc;
}

static int user_get(const struct ois_config *cfg, const char *rest, char **value)
{
	const char *key;
	char *id = split_name(rest, &key);
	if (!id)
		return OIS_EUSAGE;
	const struct ois_user *u = ois_config_user(cfg, id);
	size_t i;
	int rc = OIS_EUSAGE;
	if (!u && (conf_find(&conf_user, key, &i) || conf_find(&conf_settings, key, &i))) {
		ois_error("no [user %s] in '%s'", id, cfg->users_file);
		rc = OIS_ECONFIG;
	} else if (u && (table_get(&conf_user, 0, u, key, value) ||
			 table_get(&conf_settings, 0, &u->settings, key, value)))
		rc = OIS_OK;
	free(id);
	return rc;
}

int ois_config_get(const struct ois_config *cfg, const char *key, char **value)
{
	*value = NULL;
	if (!strncmp(key, "server.", 7))
		return server_get(cfg, key + 7, value);
	if (!strncmp(key, "user.", 5))
		return user_get(cfg, key + 5, value);
	if (!strncmp(key, "interaction.", 12))
		return table_get(&conf_endpoint, W_INTERACTION, &cfg->interaction, key + 12, value) ? OIS_OK : OIS_EUSAGE;
	if (!strncmp(key, "defaults.", 9))
		return table_get(&conf_settings, 0, &cfg->defaults, key + 9, value) ? OIS_OK : OIS_EUSAGE;
	return table_get(&conf_global, 0, cfg, key, value) ? OIS_OK : OIS_EUSAGE;
}
