/* config_keys.c - every key of oisync.conf and the users file, with its kind and range. */
#include "config_keys.h"
#include "config.h"
#include "phone.h"
#include "util.h"

#include <stddef.h>
#include <string.h>

#define G(n, k, lo, hi) { #n, k, offsetof(struct ois_config, n), lo, hi, 0 }
static const struct conf_key global_keys[] = {
	G(state_dir, K_PATH, 0, 0),
	G(changes_dir, K_PATH, 0, 0),
	G(users_file, K_PATH, 0, 0),
	G(phone_region, K_REGION, 0, 0),
	G(phone_format, K_PHONE_FORMAT, 0, 0),
	G(keep_changes_days, K_INT, 0, 36500),
	G(metrics_dir, K_PATH, 0, 0),
};

#define E(n, k, lo, hi, w) { #n, k, offsetof(struct ois_endpoint, n), lo, hi, w }
static const struct conf_key endpoint_keys[] = {
	E(url, K_STR, 0, 0, W_BOTH),
	E(type, K_STR, 0, 0, W_EXCHANGE),
	E(token_url, K_STR, 0, 0, W_BOTH),
	E(client_id, K_STR, 0, 0, W_BOTH),
	E(tenant, K_STR, 0, 0, W_EXCHANGE),
	E(certificate_file, K_PATH, 0, 0, W_EXCHANGE),
	E(key_file, K_PATH, 0, 0, W_EXCHANGE),
	E(auth, K_AUTH, 0, 0, W_BOTH),
	E(access, K_ACCESS, 0, 0, W_EXCHANGE),
	E(username, K_STR, 0, 0, W_BOTH),
	E(secret_file, K_PATH, 0, 0, W_BOTH),
	E(secret_env, K_STR, 0, 0, W_BOTH),
	E(ca_file, K_PATH, 0, 0, W_BOTH),
	{ "timeout", K_LONG, offsetof(struct ois_endpoint, timeout_s), 1, 86400, W_BOTH },
	{ "connect_timeout", K_LONG, offsetof(struct ois_endpoint, connect_timeout_s), 1, 3600, W_BOTH },
	E(retries, K_INT, 0, 100, W_BOTH),
	{ "max_backoff", K_LONG, offsetof(struct ois_endpoint, max_backoff_s), 1, 86400, W_BOTH },
	E(getitem_batch, K_INT, 1, 1000, W_EXCHANGE),
	E(write_batch, K_INT, 1, 100, W_EXCHANGE),
	E(calendar_view_max, K_INT, 1, 1000, W_EXCHANGE),
	E(concurrency, K_INT, 1, 64, W_EXCHANGE),
	E(write_concurrency, K_INT, 1, 64, W_INTERACTION),
};

#define S(n, k, lo, hi) { #n, k, offsetof(struct ois_sync_settings, n), lo, hi, 0 }
static const struct conf_key settings_keys[] = {
	S(direction, K_DIRECTION, 0, 0),
	S(conflict, K_CONFLICT, 0, 0),
	{ "private", K_PRIVATE, offsetof(struct ois_sync_settings, sync_private), 0, 0, 0 },
	S(categories, K_LIST, 0, 0),
	S(calendar, K_BOOL, 0, 0),
	S(calendar_direction, K_CALDIR, 0, 0),
	S(calendar_history_days, K_INT, 0, 3650),
	S(calendar_future_days, K_INT, 0, 3650),
	S(appointment_type, K_STR, 0, 0),
	S(appointment_types, K_TYPEMAP, 0, 0),
	S(mass_delete_percent, K_INT, 0, 100),
	S(mass_delete_min, K_INT, 0, 1000000),
};

#define U(n, k) { #n, k, offsetof(struct ois_user, n), 0, 0, 0 }
static const struct conf_key user_keys[] = {
	U(mailbox, K_STR),
	U(server, K_STR),
	U(enabled, K_BOOL),
	U(phone_region, K_REGION),
};

#define TABLE(keys) { keys, OIS_ARRAY_SIZE(keys) }
const struct conf_table conf_global = TABLE(global_keys);
const struct conf_table conf_endpoint = TABLE(endpoint_keys);
const struct conf_table conf_settings = TABLE(settings_keys);
const struct conf_table conf_user = TABLE(user_keys);

static const struct conf_word auth_words[] = {
	{ "ntlm", OIS_AUTH_NTLM }, { "negotiate", OIS_AUTH_NEGOTIATE }, { "basic", OIS_AUTH_BASIC },
	{ "bearer", OIS_AUTH_BEARER }, { "none", OIS_AUTH_NONE }, { NULL, 0 },
};
static const struct conf_word access_words[] = {
	{ "impersonation", OIS_ACCESS_IMPERSONATION }, { "delegate", OIS_ACCESS_DELEGATE }, { NULL, 0 },
};
const struct conf_word conf_direction_words[] = {
	{ "both", OIS_DIR_BOTH }, { "to-interaction", OIS_DIR_TO_INTERACTION },
	{ "to-exchange", OIS_DIR_TO_EXCHANGE }, { NULL, 0 },
};
const struct conf_word conf_conflict_words[] = {
	{ "newest-wins", OIS_NEWEST_WINS }, { "exchange-wins", OIS_EXCHANGE_WINS },
	{ "interaction-wins", OIS_INTERACTION_WINS }, { NULL, 0 },
};
/* The calendar follows Outlook by default, as the product oisync replaces does. */
static const struct conf_word caldir_words[] = {
	{ "to-interaction", OIS_DIR_TO_INTERACTION }, { "two-way", OIS_DIR_BOTH }, { NULL, 0 },
};
/* How apply writes a valid number into the servers (lib/phone.h); the first is the default. */
static const struct conf_word phone_format_words[] = {
	{ "international", OIS_PHONE_INTERNATIONAL }, { "e164", OIS_PHONE_E164 },
	{ "as-typed", OIS_PHONE_AS_TYPED }, { NULL, 0 },
};
static const struct conf_word private_words[] = { { "skip", 0 }, { "sync", 1 }, { NULL, 0 } };
static const struct conf_word bool_words[] = {
	{ "yes", 1 }, { "no", 0 }, { "on", 1 }, { "off", 0 }, { "true", 1 }, { "false", 0 },
	{ "1", 1 }, { "0", 0 }, { NULL, 0 },
};


const struct conf_word *conf_kind_words(enum conf_kind kind)
{
	switch (kind) {
	case K_BOOL: return bool_words;
	case K_PRIVATE: return private_words;
	case K_AUTH: return auth_words;
	case K_ACCESS: return access_words;
	case K_DIRECTION: return conf_direction_words;
	case K_CALDIR: return caldir_words;
	case K_CONFLICT: return conf_conflict_words;
	case K_PHONE_FORMAT: return phone_format_words;
	default: return NULL;
	}
}

const struct conf_key *conf_find(const struct conf_table *t, const char *name, size_t *index)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->keys[i].name, name)) {
			*index = i;
			return &t->keys[i];
		}
	return NULL;
}
