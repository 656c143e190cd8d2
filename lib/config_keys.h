/*
 * config_keys.h - the keys of oisync.conf and the users file, as tables:
 * the one place a key is declared. config.c reads a file through them and
 * config_get.c prints a value back through them, so a key added here is
 * at once parsed, checked and known to oisync(1) config. Internal to lib/.
 */
#ifndef OIS_CONFIG_KEYS_H
#define OIS_CONFIG_KEYS_H

#include <stddef.h>

/* What a key's value is, and so how it is checked, stored and printed. */
enum conf_kind {
	K_STR,       /* char *, empty means unset */
	K_PATH,      /* char *, relative to the configuration's folder */
	K_LONG,      /* long in [min, max] */
	K_INT,       /* int in [min, max] */
	K_BOOL,      /* int: yes/no, on/off, true/false, 1/0 */
	K_AUTH,      /* enum ois_http_auth */
	K_ACCESS,    /* enum ois_access */
	K_DIRECTION, /* enum ois_direction */
	K_CONFLICT,  /* enum ois_conflict */
	K_PRIVATE,   /* int sync_private: skip/sync */
	K_LIST,      /* char **, comma-separated, NULL when empty */
	K_REGION,    /* char *, ISO 3166 alpha-2, stored upper-case */
	K_CALDIR,    /* enum ois_direction: to-interaction or two-way */
	K_TYPEMAP,   /* char **, as K_LIST, each entry "CATEGORY -> TYPE" */
	K_PHONE_FORMAT, /* int, an enum ois_phone_format */
};

/* Which endpoint sections a key belongs to. */
enum { W_EXCHANGE = 1, W_INTERACTION = 2, W_BOTH = 3 };

struct conf_key {
	const char *name;
	enum conf_kind kind;
	size_t off;        /* offset in the struct the section fills */
	long min, max;     /* K_LONG, K_INT */
	unsigned where;    /* endpoint keys: W_* */
};

/* A word a key takes, and the value it stands for. Lists end with a NULL name. */
struct conf_word {
	const char *name;
	int value;
};

struct conf_table {
	const struct conf_key *keys;
	size_t n;
};

extern const struct conf_table conf_global;   /* [global]: struct ois_config */
extern const struct conf_table conf_endpoint; /* [server NAME], [interaction]: struct ois_endpoint */
extern const struct conf_table conf_settings; /* [defaults], users: struct ois_sync_settings */
extern const struct conf_table conf_user;     /* [user ID]: struct ois_user */

extern const struct conf_word conf_conflict_words[];
extern const struct conf_word conf_direction_words[];

/* The words of a word kind (K_BOOL, K_AUTH, ...), the first one of each value being its
 * spelling; NULL for other kinds. */
const struct conf_word *conf_kind_words(enum conf_kind kind);

/* The key called name in t, or NULL; *index is its row. */
const struct conf_key *conf_find(const struct conf_table *t, const char *name, size_t *index);

#endif
