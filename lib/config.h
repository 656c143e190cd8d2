/* config.h - oisync.conf and the users file, read with libinih. */
#ifndef OIS_CONFIG_H
#define OIS_CONFIG_H

#include "http.h"

/*
 * oisync.conf (see oisync.conf(5)):
 *
 *   [global]
 *   state_dir   = /var/lib/oisync
 *   changes_dir = /var/lib/oisync/changes   ; saved change sets
 *   users_file  = /etc/oisync/users.conf    ; relative paths: relative to this file
 *   phone_region = US                       ; ISO 3166 alpha-2 region for phone
 *                                           ; numbers without a country code
 *   phone_format = international | e164 | as-typed  ; how apply writes valid numbers
 *   keep_changes_days = 30                  ; oisync-run removes older change sets (0: never)
 *   metrics_dir = /var/lib/prometheus/node-exporter  ; oisync-run writes oisync-SERVER.prom there
 *
 *   [server ex1]                            ; one section per Exchange server
 *   url = https://ex1.firm.example/EWS/Exchange.asmx
 *   auth = ntlm | negotiate | basic | bearer
 *   access = impersonation | delegate
 *   username = FIRM\svc-oisync
 *   secret_file = /etc/oisync/ex1.secret    ; or secret_env = NAME
 *   ca_file = ...  timeout = 120  connect_timeout = 10  retries = 5
 *   max_backoff = 300          ; a server asking to wait longer stops the run (75)
 *   getitem_batch = 64
 *   write_batch = 50           ; items one write request of apply's carries (CreateItem, UpdateItem, ...)
 *   calendar_view_max = 1000   ; lower for a server whose EWSFindCountLimit is lower
 *   concurrency = 8            ; users oisync-run syncs at once
 *
 *   [server online]                         ; Exchange Online through Microsoft Graph
 *   type = graph
 *   tenant = firm.onmicrosoft.com
 *   client_id = 11111111-2222-3333-4444-555555555555
 *   secret_file = /etc/oisync/graph.secret  ; or certificate_file + key_file
 *   url, token_url                          ; Graph's and Entra ID's, unless set
 *
 *   [interaction]
 *   url = https://interaction.firm.example/api/v1
 *   token_url = https://.../oauth/token     ; OAuth2 client credentials
 *   client_id = oisync
 *   secret_file = /etc/oisync/interaction.secret   ; or secret_env = NAME
 *   auth = ...                              ; as above; the default here is bearer
 *   username, ca_file, timeout, connect_timeout, retries, max_backoff as above
 *   write_concurrency = 8      ; apply's requests in flight at once for one user
 *
 *   [defaults]                              ; for each user unless overridden
 *   direction = both | to-interaction | to-exchange
 *   conflict = newest-wins | exchange-wins | interaction-wins
 *   private = skip | sync
 *   categories = Clients, Personal          ; only these sync; empty: all
 *   calendar = off | on
 *   calendar_direction = to-interaction | two-way
 *   calendar_history_days = 30             ; past meetings stay in step this long
 *   calendar_future_days = 180
 *   appointment_type = Meeting
 *   appointment_types = Client meeting -> Meeting, Calls -> Call   ; by category
 *   mass_delete_percent = 20
 *   mass_delete_min = 10
 *
 * The users file has one [user ID] section per InterAction user:
 *   mailbox = alice@firm.example, server = ex1, enabled = yes|no,
 *   phone_region = GB (the user's own region for phone numbers, before the
 *   firm's), and any [defaults] key as an override.
 *
 * Defaults: changes_dir = STATE_DIR/changes, users_file = users.conf beside
 * this file, phone_region = US; a server's auth = ntlm, access =
 * impersonation, timeout = 120, connect_timeout = 10, retries = 5,
 * max_backoff = 300, getitem_batch = 64, write_batch = 50; [defaults] as shown first in each list above, with
 * categories empty (all) and the numbers shown. state_dir and each
 * endpoint's url are required; ntlm and basic need a username, and ntlm,
 * basic and bearer a secret_file or a secret_env (not both). A user's server
 * may be left out when there is one server; [interaction] with a url is
 * required once there are users. Relative paths are relative to the folder
 * of the file they are in; leading blanks on a line are ignored (no
 * continuation lines), ';' or '#' starts a comment line and " ;" a comment
 * after a value; a line may hold 198 characters (Debian's inih reads lines
 * into a 200-byte buffer). Each key may be set once per section.
 *
 * Unknown sections or keys and bad values are errors naming the file and
 * line, returned as OIS_ECONFIG; every error in both files is reported.
 */

enum ois_direction { OIS_DIR_BOTH, OIS_DIR_TO_INTERACTION, OIS_DIR_TO_EXCHANGE };
enum ois_conflict { OIS_NEWEST_WINS, OIS_EXCHANGE_WINS, OIS_INTERACTION_WINS };
enum ois_access { OIS_ACCESS_IMPERSONATION, OIS_ACCESS_DELEGATE };

/* Per-user sync settings: [defaults], then the user's overrides. */
struct ois_sync_settings {
	enum ois_direction direction;
	enum ois_conflict conflict;
	int sync_private;          /* private = sync */
	char **categories;         /* NULL-terminated, NULL for all */
	int calendar;
	enum ois_direction calendar_direction; /* OIS_DIR_TO_INTERACTION or OIS_DIR_BOTH */
	int calendar_history_days;
	int calendar_future_days;
	char *appointment_type;
	char **appointment_types;  /* "CATEGORY -> TYPE" entries, NULL-terminated; NULL for none */
	int mass_delete_percent;
	int mass_delete_min;
};

/* A server endpoint: an Exchange server or the InterAction API. */
struct ois_endpoint {
	char *name;                /* section name; "interaction" for that one */
	char *type;                /* exchange only: the backend (lib/backend.h), NULL: ews */
	char *url;                 /* a graph server's default: OIS_GRAPH_URL */
	char *token_url;           /* OAuth2 token endpoint: interaction, graph */
	char *client_id;           /* OAuth2 client: interaction, graph (the app registration) */
	char *tenant;              /* graph only: the Entra ID tenant (id or domain) */
	char *certificate_file;    /* graph only: the app's certificate (PEM), with key_file */
	char *key_file;            /* graph only: its private key (PEM, mode 0600) */
	enum ois_http_auth auth;
	enum ois_access access;    /* exchange only */
	char *username;
	char *secret_file;
	char *secret_env;
	char *ca_file;
	long timeout_s;
	long connect_timeout_s;
	int retries;
	long max_backoff_s;        /* longest server-asked delay waited for, seconds */
	int getitem_batch;         /* exchange only */
	int write_batch;           /* exchange only: items per write request of apply's (oisync.conf(5)), 1..100 */
	int calendar_view_max;     /* exchange only: items one CalendarView asks for, 1..1000 */
	int concurrency;           /* exchange only: users oisync-run syncs at once, 1..64 */
	int write_concurrency;     /* interaction only: apply's requests in flight at once per user, 1..64 */
};

struct ois_user {
	char *id;                  /* InterAction user id */
	char *mailbox;
	char *server;
	int enabled;
	char *phone_region;        /* two upper-case letters; NULL: the firm's phone_region */
	struct ois_sync_settings settings;
};

struct ois_config {
	char *path;                /* the file read */
	char *state_dir;
	char *changes_dir;
	char *users_file;
	char *phone_region;        /* two upper-case letters, default OIS_DEFAULT_PHONE_REGION */
	int phone_format;          /* enum ois_phone_format (lib/phone.h), default OIS_PHONE_INTERNATIONAL */
	int keep_changes_days;     /* saved change sets older than this go; 0: kept for ever */
	char *metrics_dir;         /* where oisync-run writes oisync-SERVER.prom; NULL: no metrics */
	struct ois_endpoint *servers;
	size_t nservers;
	struct ois_endpoint interaction;
	struct ois_sync_settings defaults;
	struct ois_user *users;
	size_t nusers;
};

/*
 * Load path (NULL: $OISYNC_CONF, else /etc/oisync/oisync.conf) and the users
 * file it names (a missing users file is an empty list). Returns 0, or
 * OIS_ECONFIG after logging "FILE:LINE: problem". cfg is owned by the caller:
 * ois_config_release it.
 */
int ois_config_load(const char *path, struct ois_config *cfg);
/*
 * For the stages an administrator pipes by hand, which need little or
 * nothing from the configuration: load it only when there is one, that is a
 * file asked for (path, else $OISYNC_CONF), or the default file when it
 * exists. 0 with *loaded 1 (cfg to release), 0 with *loaded 0 (none there,
 * cfg untouched), or ois_config_load's error.
 */
int ois_config_load_optional(const char *path, struct ois_config *cfg, int *loaded);
void ois_config_release(struct ois_config *cfg);

/* Lookups; NULL when absent. Pointers are borrowed from cfg. */
const struct ois_endpoint *ois_config_server(const struct ois_config *cfg, const char *name);
const struct ois_user *ois_config_user(const struct ois_config *cfg, const char *id);
const struct ois_user *ois_config_user_by_mailbox(const struct ois_config *cfg, const char *mailbox);
/*
 * The region for phone numbers without a country code that u (NULL: no
 * user) reads contacts in: the user's phone_region, else the firm's. A
 * contact's own address country comes before both (ois_contact_normalize).
 */
const char *ois_config_phone_region(const struct ois_config *cfg, const struct ois_user *u);

/*
 * One setting as the file spells it, for oisync(1) config: a [global] key
 * (state_dir), interaction.KEY, defaults.KEY, server.NAME.KEY, or user.ID.KEY
 * (the user's own keys and resolved sync settings). Found through the same
 * tables the file is read with, so every key the file takes is known here.
 * Returns 0 with *value malloc'd, or NULL when the key is not set; OIS_EUSAGE
 * for a key no table has; OIS_ECONFIG (logged) when NAME or ID is not configured.
 */
int ois_config_get(const struct ois_config *cfg, const char *key, char **value);

/* Microsoft Graph, for a [server] of type graph without a url. */
#define OIS_GRAPH_URL "https://graph.microsoft.com/v1.0"
#define OIS_GRAPH_TYPE "graph"

/* The phone region without a configuration, and the configuration's default. */
#define OIS_DEFAULT_PHONE_REGION "US"
#define OIS_DEFAULT_KEEP_CHANGES_DAYS 30
/*
 * A region as phone_region takes it: two ASCII letters, an ISO 3166-1
 * alpha-2 code, into out upper-cased. 0, or -1 when s is not one.
 */
int ois_region_parse(const char *s, char out[3]);

/*
 * One appointment_types entry, "CATEGORY -> TYPE", split into its two
 * sides (trimmed, both non-empty, malloc'd). 0, or -1 when entry is not one.
 */
int ois_type_map_split(const char *entry, char **category, char **type);

/*
 * The appointment type for an Outlook item in categories (n strings): the
 * type of the first entry of settings' appointment_types whose category
 * the item has (ASCII case ignored), else settings' appointment_type (NULL
 * when none). malloc'd.
 */
char *ois_appointment_type_for(const struct ois_sync_settings *settings, const char *const *categories, size_t n);

/* Names for messages and for oisync(1)'s output. */
const char *ois_conflict_name(enum ois_conflict c);
const char *ois_direction_name(enum ois_direction d);
/* The value a name above stands for, or -1 when none does. */
int ois_conflict_parse(const char *name);
int ois_direction_parse(const char *name);

/*
 * The policy that settles conflicts under settings: a one-way sync keeps
 * its source side's values whatever conflict says, so its edits are never
 * lost in a conflict.
 */
enum ois_conflict ois_sync_policy(const struct ois_sync_settings *settings);

#endif
