/* config.c - read oisync.conf and the users file into struct ois_config. */
#include "config.h"
#include "config_keys.h"
#include "code.h"
#include "log.h"
#include "phone.h"
#include "util.h"

#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_CONF "/etc/oisync/oisync.conf"


enum section { S_NONE, S_SKIP, S_GLOBAL, S_SERVER, S_INTERACTION, S_DEFAULTS, S_USER };

struct parser {
	struct ois_config *cfg;
	const char *file;        /* as named, for messages */
	const char *dir;         /* the configuration's folder, for relative paths */
	FILE *fp;
	char *line;
	size_t cap;
	unsigned long lineno;
	int users;               /* reading the users file */
	int errors;
	enum section sect;
	char *title;             /* "server ex1": the header as read, for messages */
	unsigned long sect_line;
	size_t index;            /* the server or user being filled in */
	uint64_t seen;           /* keys already set in this section */
	int seen_global, seen_interaction, seen_defaults;
};

__attribute__((format(printf, 3, 4)))
static void perr(struct parser *p, unsigned long line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		ois_error("%s:%lu: %s", p->file, line, msg);
	else
		ois_error("%s: %s", p->file, msg);
	p->errors++;
}

static void free_list(char **list)
{
	if (!list)
		return;
	for (char **l = list; *l; l++)
		free(*l);
	free(list);
}

static char **copy_list(char *const *list)
{
	if (!list)
		return NULL;
	size_t n = 0;
	while (list[n])
		n++;
	char **out = ois_xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = ois_xstrdup(list[i]);
	return out;
}

/* "Clients, Personal" -> {"Clients", "Personal", NULL}; NULL when no item. */
static char **parse_list(const char *value)
{
	char **out = NULL;
	size_t n = 0;
	const char *p = value;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *s = p, *e = p + len;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s) {
			out = ois_xrealloc(out, (n + 2) * sizeof(*out));
			out[n++] = ois_xstrndup(s, (size_t)(e - s));
			out[n] = NULL;
		}
		p += len + (p[len] == ',');
	}
	return out;
}

static void settings_release(struct ois_sync_settings *s)
{
	free_list(s->categories);
	free_list(s->appointment_types);
	free(s->appointment_type);
	memset(s, 0, sizeof(*s));
}

static void settings_copy(struct ois_sync_settings *dst, const struct ois_sync_settings *src)
{
	*dst = *src;
	dst->categories = copy_list(src->categories);
	dst->appointment_types = copy_list(src->appointment_types);
	dst->appointment_type = src->appointment_type ? ois_xstrdup(src->appointment_type) : NULL;
}

static void endpoint_release(struct ois_endpoint *e)
{
	free(e->name);
	free(e->type);
	free(e->url);
	free(e->token_url);
	free(e->client_id);
	free(e->username);
	free(e->tenant);
	free(e->certificate_file);
	free(e->key_file);
	free(e->secret_file);
	free(e->secret_env);
	free(e->ca_file);
	memset(e, 0, sizeof(*e));
}

static void endpoint_init(struct ois_endpoint *e, const char *name, int interaction)
{
	memset(e, 0, sizeof(*e));
	e->name = ois_xstrdup(name);
	e->auth = interaction ? OIS_AUTH_BEARER : OIS_AUTH_NTLM;
	e->access = OIS_ACCESS_IMPERSONATION;
	e->timeout_s = 120;
	e->connect_timeout_s = 10;
	e->retries = 5;
	e->max_backoff_s = 300;
	e->getitem_batch = 64;
	e->write_batch = 50;
	e->calendar_view_max = 1000;
	e->concurrency = 8;
	e->write_concurrency = 8;
}

static const char *word_list(const struct conf_word *w, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; w[i].name; i++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", i ? (w[i + 1].name ? ", " : " or ") : "",
				     w[i].name);
	return buf;
}

static int parse_word(struct parser *p, const struct conf_key *k, const struct conf_word *w, const char *value, int *out)
{
	for (size_t i = 0; w[i].name; i++)
		if (!strcasecmp(value, w[i].name)) {
			*out = w[i].value;
			return 0;
		}
	char want[256];
	perr(p, p->lineno, "bad value '%s' for '%s' in [%s]: want %s", value, k->name, p->title,
	     word_list(w, want, sizeof(want)));
	return -1;
}

static int parse_number(struct parser *p, const struct conf_key *k, const char *value, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (end == value || *end || errno) {
		perr(p, p->lineno, "'%s' for '%s' in [%s] is not a number", value, k->name, p->title);
		return -1;
	}
	if (v < k->min || v > k->max) {
		perr(p, p->lineno, "'%s' for '%s' in [%s] is out of range: want %ld to %ld", value, k->name,
		     p->title, k->min, k->max);
		return -1;
	}
	*out = v;
	return 0;
}

static char *resolve_path(struct parser *p, const char *value)
{
	if (value[0] == '/')
		return ois_xstrdup(value);
	return ois_xasprintf("%s/%s", p->dir, value);
}

static int ascii_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int ois_region_parse(const char *s, char out[3])
{
	if (!s || strlen(s) != 2 || !ascii_alpha(s[0]) || !ascii_alpha(s[1]))
		return -1;
	out[0] = (char)(s[0] & ~0x20);
	out[1] = (char)(s[1] & ~0x20);
	out[2] = '\0';
	return 0;
}

/* s[0..len) without the blanks around it, malloc'd. */
static char *trimmed(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return ois_xstrndup(s, len);
}

int ois_type_map_split(const char *entry, char **category, char **type)
{
	const char *arrow = strstr(entry, "->");
	*category = *type = NULL;
	if (!arrow || strstr(arrow + 2, "->"))
		return -1;
	*category = trimmed(entry, (size_t)(arrow - entry));
	*type = trimmed(arrow + 2, strlen(arrow + 2));
	if (**category && **type)
		return 0;
	free(*category);
	free(*type);
	*category = *type = NULL;
	return -1;
}

char *ois_appointment_type_for(const struct ois_sync_settings *settings, const char *const *categories, size_t n)
{
	for (char **e = settings->appointment_types; e && *e; e++) {
		char *c, *t;
		if (ois_type_map_split(*e, &c, &t))
			continue;
		int has = 0;
		for (size_t i = 0; i < n && !has; i++)
			has = categories[i] && !strcasecmp(categories[i], c);
		free(c);
		if (has)
			return t;
		free(t);
	}
	return settings->appointment_type ? ois_xstrdup(settings->appointment_type) : NULL;
}

/* Check value as k says and store it at base + k->off. */
static void set_value(struct parser *p, const struct conf_key *k, void *base, const char *value)
{
	void *at = (char *)base + k->off;
	char **str = at;
	const struct conf_word *words = NULL;
	int iv;
	long lv;
	switch (k->kind) {
	case K_STR:
		free(*str);
		*str = *value ? ois_xstrdup(value) : NULL;
		return;
	case K_PATH:
		free(*str);
		*str = *value ? resolve_path(p, value) : NULL;
		return;
	case K_REGION: {
		char code[3];
		if (ois_region_parse(value, code)) {
			perr(p, p->lineno, "bad value '%s' for '%s' in [%s]: want a two-letter ISO 3166 code such as US",
			     value, k->name, p->title);
			return;
		}
		free(*str);
		*str = ois_xstrdup(code);
		return;
	}
	case K_LIST:
		free_list(*(char ***)at);
		*(char ***)at = parse_list(value);
		return;
	case K_TYPEMAP: {
		char **list = parse_list(value);
		for (char **e = list; e && *e; e++) {
			char *c, *t;
			if (ois_type_map_split(*e, &c, &t)) {
				perr(p, p->lineno, "bad entry '%s' for '%s' in [%s]: want CATEGORY -> TYPE", *e, k->name,
				     p->title);
				free_list(list);
				return;
			}
			free(c);
			free(t);
		}
		free_list(*(char ***)at);
		*(char ***)at = list;
		return;
	}
	case K_LONG:
		if (!parse_number(p, k, value, &lv))
			*(long *)at = lv;
		return;
	case K_INT:
		if (!parse_number(p, k, value, &lv))
			*(int *)at = (int)lv;
		return;
	default: words = conf_kind_words(k->kind); break;
	}
	if (parse_word(p, k, words, value, &iv))
		return;
	switch (k->kind) {
	case K_AUTH: *(enum ois_http_auth *)at = (enum ois_http_auth)iv; break;
	case K_ACCESS: *(enum ois_access *)at = (enum ois_access)iv; break;
	case K_DIRECTION:
	case K_CALDIR: *(enum ois_direction *)at = (enum ois_direction)iv; break;
	case K_CONFLICT: *(enum ois_conflict *)at = (enum ois_conflict)iv; break;
	default: *(int *)at = iv; break;
	}
}

/* A key may be set once per section: a second one is a mistake, not an override. */
static int first_time(struct parser *p, size_t bit, const char *name)
{
	if (p->seen & ((uint64_t)1 << bit)) {
		perr(p, p->lineno, "duplicate key '%s' in [%s]", name, p->title);
		return 0;
	}
	p->seen |= (uint64_t)1 << bit;
	return 1;
}

static void user_key(struct parser *p, const char *name, const char *value)
{
	struct ois_config *cfg = p->cfg;
	struct ois_user *u = &cfg->users[p->index];
	size_t i;
	const struct conf_key *k = conf_find(&conf_user, name, &i);
	if (k) {
		if (!first_time(p, i, name))
			return;
		set_value(p, k, u, value);
		if (k->off == offsetof(struct ois_user, server) && u->server && !ois_config_server(cfg, u->server))
			perr(p, p->lineno, "[%s] names unknown server '%s'", p->title, u->server);
		if (k->off == offsetof(struct ois_user, mailbox) && u->mailbox) {
			if (!strchr(u->mailbox, '@'))
				perr(p, p->lineno, "mailbox '%s' in [%s] is not an address", u->mailbox, p->title);
			for (size_t j = 0; j < p->index; j++)
				if (cfg->users[j].mailbox && !strcasecmp(cfg->users[j].mailbox, u->mailbox))
					perr(p, p->lineno, "mailbox '%s' in [%s] is already [user %s]'s", u->mailbox,
					     p->title, cfg->users[j].id);
		}
		return;
	}
	k = conf_find(&conf_settings, name, &i);
	if (k) {
		if (first_time(p, conf_user.n + i, name))
			set_value(p, k, &u->settings, value);
		return;
	}
	perr(p, p->lineno, "unknown key '%s' in [%s]", name, p->title);
}

static int handler(void *ctx, const char *section, const char *name, const char *value)
{
	struct parser *p = ctx;
	(void)section; /* our reader tracks sections itself, see read_line */
	const struct conf_table *keys = NULL;
	size_t i;
	void *base = NULL;
	unsigned where = 0;
	switch (p->sect) {
	case S_NONE:
		perr(p, p->lineno, "key '%s' before any [section]", name);
		return 1;
	case S_SKIP:
		return 1; /* the section header was reported already */
	case S_USER:
		user_key(p, name, value);
		return 1;
	case S_GLOBAL:
		keys = &conf_global, base = p->cfg;
		break;
	case S_SERVER:
		keys = &conf_endpoint, base = &p->cfg->servers[p->index];
		where = W_EXCHANGE;
		break;
	case S_INTERACTION:
		keys = &conf_endpoint, base = &p->cfg->interaction;
		where = W_INTERACTION;
		break;
	case S_DEFAULTS:
		keys = &conf_settings, base = &p->cfg->defaults;
		break;
	}
	const struct conf_key *k = conf_find(keys, name, &i);
	if (!k || (where && !(k->where & where))) {
		perr(p, p->lineno, "unknown key '%s' in [%s]", name, p->title);
		return 1;
	}
	if (first_time(p, i, name))
		set_value(p, k, base, value);
	return 1;
}

static int url_ok(struct parser *p, const char *url)
{
	if (!strncasecmp(url, "https://", 8))
		return 1;
	if (strncasecmp(url, "http://", 7)) {
		perr(p, p->sect_line, "[%s] url '%s' is not an http or https URL", p->title, url);
		return 0;
	}
	/* Plain http is for the fakes on this machine; anywhere else the
	 * credentials and the contacts would cross the network in clear. */
	const char *host = url + 7;
	if (strncmp(host, "127.0.0.1", 9) && strncmp(host, "localhost", 9) && strncmp(host, "[::1]", 5))
		ois_warn("%s:%lu: [%s] url is not https: credentials and data travel in clear", p->file,
			 p->sect_line, p->title);
	return 1;
}

/*
 * A Microsoft Graph server signs in as an Entra ID app: its tenant and
 * client id, and either a client secret or a certificate with its key.
 * Graph's URL is the default; the token endpoint follows from the tenant.
 */
static void finish_graph(struct parser *p, struct ois_endpoint *e)
{
	if (!e->url)
		e->url = ois_xstrdup(OIS_GRAPH_URL);
	url_ok(p, e->url);
	if (!e->tenant)
		perr(p, p->sect_line, "[%s] has no 'tenant' (the Entra ID tenant of the app registration)", p->title);
	if (!e->client_id)
		perr(p, p->sect_line, "[%s] has no 'client_id' (the app registration's application id)", p->title);
	int secret = e->secret_file || e->secret_env, cert = e->certificate_file || e->key_file;
	if (secret && cert)
		perr(p, p->sect_line, "[%s] has a secret and a certificate: keep one", p->title);
	else if (!secret && !cert)
		perr(p, p->sect_line, "[%s] has neither 'secret_file' nor 'certificate_file' and 'key_file'", p->title);
	else if (cert && (!e->certificate_file || !e->key_file))
		perr(p, p->sect_line, "[%s] needs both 'certificate_file' and 'key_file'", p->title);
	if (e->secret_file && e->secret_env)
		perr(p, p->sect_line, "[%s] has both 'secret_file' and 'secret_env': keep one", p->title);
}

/* Checks that need the whole section. */
static void finish_section(struct parser *p)
{
	struct ois_endpoint *e = NULL;
	if (p->sect == S_SERVER)
		e = &p->cfg->servers[p->index];
	else if (p->sect == S_INTERACTION)
		e = &p->cfg->interaction;
	if (e && e->type && !strcmp(e->type, OIS_GRAPH_TYPE)) {
		finish_graph(p, e);
	} else if (e) {
		if (!e->url)
			perr(p, p->sect_line, "[%s] has no 'url'", p->title);
		else
			url_ok(p, e->url);
		if (e->tenant || e->certificate_file || e->key_file)
			perr(p, p->sect_line, "[%s] has 'tenant', 'certificate_file' or 'key_file', which only a 'type = graph' "
			     "server takes", p->title);
		if ((e->auth == OIS_AUTH_BASIC || e->auth == OIS_AUTH_NTLM) && !e->username)
			perr(p, p->sect_line, "[%s] has no 'username' for %s authentication", p->title,
			     e->auth == OIS_AUTH_BASIC ? "basic" : "ntlm");
		int needs_secret = e->auth == OIS_AUTH_BASIC || e->auth == OIS_AUTH_NTLM || e->auth == OIS_AUTH_BEARER;
		if (needs_secret && !e->secret_file && !e->secret_env)
			perr(p, p->sect_line, "[%s] has neither 'secret_file' nor 'secret_env'", p->title);
		if (e->secret_file && e->secret_env)
			perr(p, p->sect_line, "[%s] has both 'secret_file' and 'secret_env': keep one", p->title);
		if (e->token_url && !e->client_id)
			perr(p, p->sect_line, "[%s] has a 'token_url' but no 'client_id'", p->title);
	}
	if (p->sect == S_USER) {
		struct ois_user *u = &p->cfg->users[p->index];
		if (!u->mailbox)
			perr(p, p->sect_line, "[%s] has no 'mailbox'", p->title);
		/* With one Exchange server there is nothing to choose. */
		if (!u->server && p->cfg->nservers == 1)
			u->server = ois_xstrdup(p->cfg->servers[0].name);
		else if (!u->server)
			perr(p, p->sect_line, "[%s] has no 'server'", p->title);
	}
	free(p->title);
	p->title = NULL;
	p->sect = S_NONE;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '[' || *s == ']')
			return 0;
	return 1;
}

/* "[server ex1]" begins: set up what its keys fill in. */
static void start_section(struct parser *p, const char *title)
{
	struct ois_config *cfg = p->cfg;
	finish_section(p);
	p->title = ois_xstrdup(title);
	p->sect_line = p->lineno;
	p->seen = 0;
	p->sect = S_SKIP;
	size_t wlen = strcspn(title, " \t");
	const char *arg = title + wlen + strspn(title + wlen, " \t");
	int has_arg = *arg != '\0';

	if (p->users) {
		if (wlen != 4 || strncmp(title, "user", 4) || !valid_name(arg)) {
			perr(p, p->lineno, "unknown section [%s]: want [user ID]", title);
			return;
		}
		if (ois_config_user(cfg, arg)) {
			perr(p, p->lineno, "duplicate section [%s]", title);
			return;
		}
		cfg->users = ois_xrealloc(cfg->users, (cfg->nusers + 1) * sizeof(*cfg->users));
		struct ois_user *u = &cfg->users[cfg->nusers];
		memset(u, 0, sizeof(*u));
		u->id = ois_xstrdup(arg);
		u->enabled = 1;
		settings_copy(&u->settings, &cfg->defaults);
		p->index = cfg->nusers++;
		p->sect = S_USER;
		return;
	}
	if (wlen == 6 && !strncmp(title, "server", 6) && has_arg) {
		if (!valid_name(arg)) {
			perr(p, p->lineno, "bad server name in [%s]", title);
			return;
		}
		if (ois_config_server(cfg, arg)) {
			perr(p, p->lineno, "duplicate section [%s]", title);
			return;
		}
		cfg->servers = ois_xrealloc(cfg->servers, (cfg->nservers + 1) * sizeof(*cfg->servers));
		endpoint_init(&cfg->servers[cfg->nservers], arg, 0);
		p->index = cfg->nservers++;
		p->sect = S_SERVER;
		return;
	}
	static const struct { const char *name; enum section sect; size_t seen; } single[] = {
		{ "global", S_GLOBAL, offsetof(struct parser, seen_global) },
		{ "interaction", S_INTERACTION, offsetof(struct parser, seen_interaction) },
		{ "defaults", S_DEFAULTS, offsetof(struct parser, seen_defaults) },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(single); i++) {
		if (strcmp(title, single[i].name))
			continue;
		int *seen = (int *)((char *)p + single[i].seen);
		if (*seen) {
			perr(p, p->lineno, "duplicate section [%s]", title);
			return;
		}
		*seen = 1;
		p->sect = single[i].sect;
		return;
	}
	perr(p, p->lineno, "unknown section [%s]", title);
}

/*
 * inih's line reader. We read whole lines ourselves so that every message
 * has its line number (Debian's inih has no INI_HANDLER_LINENO), section
 * headers are seen even when the section is empty, and leading blanks are
 * dropped: inih would take an indented "key = value" as the continuation of
 * the previous value. inih still splits "key = value" and strips comments.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parser *p = stream;
	ssize_t n = getline(&p->line, &p->cap, p->fp);
	if (n < 0)
		return NULL;
	p->lineno++;
	char *s = p->line;
	/* A NUL byte would silently cut the line short ("alice@firm.example\0evil" read as alice). */
	if (memchr(s, '\0', (size_t)n)) {
		perr(p, p->lineno, "the line contains a NUL character");
		str[0] = '\0';
		return str;
	}
	if (p->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3; /* a byte-order mark from a Windows editor */
	s += strspn(s, " \t");
	size_t len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	str[0] = '\0';
	if (!len || *s == ';' || *s == '#')
		return str;
	if (*s == '[') {
		char *end = strchr(s, ']');
		char *after = end ? end + 1 + strspn(end + 1, " \t") : NULL;
		if (!end || (*after && *after != ';' && *after != '#')) {
			perr(p, p->lineno, "bad section header: want [name]");
			finish_section(p);
			p->sect = S_SKIP;
			return str;
		}
		*end = '\0';
		char *t = s + 1 + strspn(s + 1, " \t");
		size_t tlen = strlen(t);
		while (tlen && (t[tlen - 1] == ' ' || t[tlen - 1] == '\t'))
			t[--tlen] = '\0';
		start_section(p, t);
		return str;
	}
	if (!strpbrk(s, "=:")) {
		perr(p, p->lineno, "expected 'key = value' or '[section]'");
		return str;
	}
	if (len + 2 > (size_t)num) {
		perr(p, p->lineno, "line longer than %d characters", num - 2);
		return str;
	}
	memcpy(str, s, len + 1);
	return str;
}

static int parse_file(struct parser *p, const char *file, FILE *fp, int users)
{
	p->file = file;
	p->fp = fp;
	p->users = users;
	p->lineno = 0;
	p->sect = S_NONE;
	int rc = ini_parse_stream(read_line, p, handler, p);
	finish_section(p);
	if (ferror(fp)) {
		perr(p, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (rc > 0 && !p->errors) /* inih found a syntax error our reader let through */
		perr(p, (unsigned long)rc, "syntax error");
	return 0;
}

static void defaults_init(struct ois_sync_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->direction = OIS_DIR_BOTH;
	s->conflict = OIS_NEWEST_WINS;
	s->sync_private = 0;
	s->calendar = 0;
	s->calendar_direction = OIS_DIR_TO_INTERACTION;
	s->calendar_history_days = 30;
	s->calendar_future_days = 180;
	s->appointment_type = ois_xstrdup("Meeting");
	s->mass_delete_percent = 20;
	s->mass_delete_min = 10;
}

/* The configuration's folder, absolute, for relative paths inside it. */
static char *config_dir(const char *path)
{
	char *copy = ois_xstrdup(path);
	const char *name = dirname(copy);
	char *dir = realpath(name, NULL);
	if (!dir)
		dir = ois_xstrdup(name);
	free(copy);
	return dir;
}

int ois_config_load_optional(const char *path, struct ois_config *cfg, int *loaded)
{
	*loaded = 0;
	if (ois_str_empty(path) && ois_str_empty(getenv("OISYNC_CONF")) && access(DEFAULT_CONF, F_OK) != 0)
		return 0;
	int rc = ois_config_load(path, cfg);
	*loaded = rc == 0;
	return rc;
}

int ois_config_load(const char *path, struct ois_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (ois_str_empty(path))
		path = getenv("OISYNC_CONF");
	if (ois_str_empty(path))
		path = DEFAULT_CONF;
	cfg->path = ois_xstrdup(path);
	cfg->keep_changes_days = OIS_DEFAULT_KEEP_CHANGES_DAYS;
	cfg->phone_format = OIS_PHONE_INTERNATIONAL;
	defaults_init(&cfg->defaults);
	endpoint_init(&cfg->interaction, "interaction", 1);

	FILE *fp = fopen(path, "re");
	if (!fp) {
		int rc = ois_fail(OIS_ECONFIG, "cannot open configuration '%s': %s", path, strerror(errno));
		ois_config_release(cfg);
		return rc;
	}
	struct parser p = { .cfg = cfg };
	char *dir = config_dir(path);
	p.dir = dir;
	parse_file(&p, cfg->path, fp, 0);
	fclose(fp);

	if (!cfg->state_dir)
		perr(&p, 0, "[global] has no 'state_dir'");
	else if (!cfg->changes_dir)
		cfg->changes_dir = ois_xasprintf("%s/changes", cfg->state_dir);
	if (!cfg->users_file)
		cfg->users_file = ois_xasprintf("%s/users.conf", dir);
	if (!cfg->phone_region)
		cfg->phone_region = ois_xstrdup(OIS_DEFAULT_PHONE_REGION);

	fp = fopen(cfg->users_file, "re");
	if (fp) {
		parse_file(&p, cfg->users_file, fp, 1);
		fclose(fp);
	} else if (errno != ENOENT) {
		perr(&p, 0, "cannot open users file '%s': %s", cfg->users_file, strerror(errno));
	}
	if (cfg->nusers && !cfg->interaction.url && !p.seen_interaction) {
		p.file = cfg->path;
		perr(&p, 0, "users are configured but there is no [interaction] section with a 'url'");
	}

	free(p.line);
	free(p.title);
	free(dir);
	if (p.errors) {
		ois_config_release(cfg);
		return OIS_ECONFIG;
	}
	return 0;
}

void ois_config_release(struct ois_config *cfg)
{
	free(cfg->path);
	free(cfg->state_dir);
	free(cfg->changes_dir);
	free(cfg->users_file);
	free(cfg->phone_region);
	free(cfg->metrics_dir);
	for (size_t i = 0; i < cfg->nservers; i++)
		endpoint_release(&cfg->servers[i]);
	free(cfg->servers);
	endpoint_release(&cfg->interaction);
	settings_release(&cfg->defaults);
	for (size_t i = 0; i < cfg->nusers; i++) {
		struct ois_user *u = &cfg->users[i];
		free(u->id);
		free(u->mailbox);
		free(u->server);
		free(u->phone_region);
		settings_release(&u->settings);
	}
	free(cfg->users);
	memset(cfg, 0, sizeof(*cfg));
}

const struct ois_endpoint *ois_config_server(const struct ois_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nservers; i++)
		if (!strcmp(cfg->servers[i].name, name))
			return &cfg->servers[i];
	return NULL;
}

const struct ois_user *ois_config_user(const struct ois_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->nusers; i++)
		if (!strcmp(cfg->users[i].id, id))
			return &cfg->users[i];
	return NULL;
}

const struct ois_user *ois_config_user_by_mailbox(const struct ois_config *cfg, const char *mailbox)
{
	/* Addresses compare without case, as Exchange does. */
	for (size_t i = 0; i < cfg->nusers; i++)
		if (cfg->users[i].mailbox && !strcasecmp(cfg->users[i].mailbox, mailbox))
			return &cfg->users[i];
	return NULL;
}

const char *ois_config_phone_region(const struct ois_config *cfg, const struct ois_user *u)
{
	return u && u->phone_region ? u->phone_region : cfg->phone_region;
}

const char *ois_conflict_name(enum ois_conflict c)
{
	for (size_t i = 0; conf_conflict_words[i].name; i++)
		if (conf_conflict_words[i].value == (int)c)
			return conf_conflict_words[i].name;
	return "unknown";
}

const char *ois_direction_name(enum ois_direction d)
{
	for (size_t i = 0; conf_direction_words[i].name; i++)
		if (conf_direction_words[i].value == (int)d)
			return conf_direction_words[i].name;
	return "unknown";
}

static int word_value(const struct conf_word *words, const char *name)
{
	for (size_t i = 0; name && words[i].name; i++)
		if (!strcmp(words[i].name, name))
			return words[i].value;
	return -1;
}

int ois_conflict_parse(const char *name)
{
	return word_value(conf_conflict_words, name);
}

int ois_direction_parse(const char *name)
{
	return word_value(conf_direction_words, name);
}

enum ois_conflict ois_sync_policy(const struct ois_sync_settings *settings)
{
	if (settings->direction == OIS_DIR_TO_INTERACTION)
		return OIS_EXCHANGE_WINS;
	if (settings->direction == OIS_DIR_TO_EXCHANGE)
		return OIS_INTERACTION_WINS;
	return settings->conflict;
}
