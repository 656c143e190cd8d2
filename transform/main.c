/* main.c - oisync-transform: raw item records in, canonical records (normalized data, hash) out. */
#include "backend.h"
#include "canonjson.h"
#include "cli.h"
#include "code.h"
#include "config.h"
#include "jsonl.h"
#include "log.h"
#include "normalize.h"
#include "phone.h"
#include "record.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "oisync-transform"

static const char usage_text[] =
	"usage: " PROG " [options] [FILE...]\n"
	"\n"
	"Rewrite the \"data\" of each contact record (oisync-extract's output) into\n"
	"the canonical form, normalized, and add its \"hash\". Other records pass\n"
	"through unchanged. Reads the FILEs in turn, or stdin when none or \"-\".\n"
	"\n"
	"  -c, --config FILE    configuration, for phone_region (default $OISYNC_CONF,\n"
	"                       /etc/oisync/oisync.conf; none: built-in defaults)\n"
	"      --region CC      region for phone numbers without a country code on\n"
	"                       contacts with no address country (ISO 3166-1\n"
	"                       alpha-2; default the account's user's phone_region,\n"
	"                       else the firm's, else US)\n"
	"      --max-line BYTES longest input line accepted (default 16777216)\n"
	"  -v, --verbose        more messages (repeat for debug)\n"
	"      --log-format F   text (default) or json\n"
	"  -h, --help           this text\n"
	"  -V, --version        print the version\n";

enum { OPT_REGION = 0x100, OPT_MAX_LINE };

struct options {
	const char *config_path;
	const char *region;     /* --region, as given */
	size_t max_line;
};

struct counts {
	unsigned long records, contacts;
	int write_failed;       /* already said so: do not say it again at close */
};

/* -1 to go on, else the exit status (0 after --help or --version). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "max-line", required_argument, NULL, OPT_MAX_LINE },
		OIS_CLI_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case OPT_REGION: o->region = optarg; break;
		case OPT_MAX_LINE:
			if (ois_cli_parse_size("--max-line", optarg, &o->max_line))
				return EX_USAGE;
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': ois_cli_version(PROG); return 0;
		default:
			rc = ois_cli_common(c, optarg);
			if (rc == 1)
				break;
			if (rc == 0)
				fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
	return -1;
}

/*
 * Where the phone region of an account comes from: --region, else the
 * configuration (the user whose mailbox the account is, else the firm).
 * The configuration is optional here: transform needs nothing else from it,
 * and an administrator piping stages by hand on a machine without one
 * should not have to write one. So only a file that was asked for (-c,
 * $OISYNC_CONF) or that exists must load.
 */
struct regions {
	char given[3];            /* --region, else "" */
	struct ois_config cfg;
	int loaded;               /* cfg holds a configuration */
};

static int regions_load(const struct options *o, struct regions *r)
{
	memset(r, 0, sizeof(*r));
	if (o->region) {
		if (ois_region_parse(o->region, r->given))
			return ois_fail(OIS_EUSAGE, "--region needs an ISO 3166-1 alpha-2 code such as US, not '%s'", o->region);
		return 0;
	}
	return ois_config_load_optional(o->config_path, &r->cfg, &r->loaded);
}

/* The region of account's numbers (the configuration checked every phone_region when it read it). */
static const char *region_of(const struct regions *r, const char *account)
{
	if (r->given[0])
		return r->given;
	if (!r->loaded)
		return OIS_DEFAULT_PHONE_REGION;
	return ois_config_phone_region(&r->cfg, account ? ois_config_user_by_mailbox(&r->cfg, account) : NULL);
}

/*
 * Rewrite an item upsert's native data into canonical data, normalized
 * (ois_contact_finish, ois_appointment_normalize), and add its hash; the native data is dropped, as
 * everything downstream works on the canonical form. A kind the side's
 * backend does not map yet passes through native. Returns 1 when mapped,
 * or OIS_EDATA (logged) when the record names a backend this build lacks.
 */
static int canonicalize(json_object *rec, const char *where, const char *region, int keep_typed)
{
	const struct ois_mapping *map = ois_mapping_of_record(rec);
	if (!map && json_object_object_get_ex(rec, "backend", NULL))
		return ois_fail(OIS_EDATA, "%s: \"backend\" \"%s\" names no backend of the %s side", where,
				ois_json_str(rec, "backend") ? ois_json_str(rec, "backend") : "", ois_json_str(rec, "side"));
	json_object *canon = map ? map->to_canonical(ois_json_str(rec, "type"), ois_json_obj(rec, "data")) : NULL;
	if (!canon)
		return 0;
	if (ois_record_type(rec) == OIS_REC_CONTACT) {
		char *label = ois_xasprintf("%s: contact \"%s\"", where, ois_json_str(rec, "id"));
		ois_contact_finish(canon, map, region, keep_typed, label);
		free(label);
	} else if (ois_record_type(rec) == OIS_REC_APPOINTMENT) {
		char *label = ois_xasprintf("%s: appointment \"%s\"", where, ois_json_str(rec, "id"));
		ois_appointment_normalize(canon, label);
		if (map->finish)
			map->finish("appointment", canon);
		free(label);
	}
	char hash[OIS_HASH_LEN];
	ois_json_hash(canon, hash);
	/* Keys in the order of the canonical text the hash covers: equal data of both sides reads the same. */
	json_object_object_add(rec, "data", ois_json_sorted_copy(canon)); /* puts the native data */
	json_object_put(canon);
	json_object_object_add(rec, "hash", json_object_new_string(hash));
	return 1;
}

/* 1 when rec is an item upsert not yet transformed (a "hash" says it was). */
static int needs_transform(json_object *rec)
{
	enum ois_rec_type t = ois_record_type(rec);
	return (t == OIS_REC_CONTACT || t == OIS_REC_APPOINTMENT) && !strcmp(ois_json_str(rec, "op"), "upsert") &&
	       !json_object_object_get_ex(rec, "hash", NULL);
}

/* One input, record by record: only one record is ever in memory. */
static int transform_stream(FILE *in, const char *name, const struct options *o,
			    const struct regions *regions, struct counts *n)
{
	struct ois_jsonl_reader r;
	json_object *rec;
	char *where = NULL;
	int rc;
	ois_jsonl_reader_init(&r, in, name, o->max_line);
	while ((rc = ois_jsonl_read(&r, &rec)) == 1) {
		free(where);
		where = ois_xasprintf("%s:%lu", name, r.line);
		rc = ois_record_check(rec, where);
		if (!rc) {
			n->records++;
			if (needs_transform(rec)) {
				ois_log_set_account(ois_json_str(rec, "account"));
				int mapped = canonicalize(rec, where, region_of(regions, ois_json_str(rec, "account")),
							  regions->loaded && regions->cfg.phone_format == OIS_PHONE_AS_TYPED);
				ois_log_set_account(NULL);
				if (mapped < 0)
					rc = mapped;
				else
					n->contacts += (unsigned long)mapped;
			}
			if (!rc) {
				rc = ois_jsonl_write(stdout, rec);
				n->write_failed = rc != 0;
			}
		}
		json_object_put(rec);
		if (rc)
			break;
	}
	free(where);
	ois_jsonl_reader_release(&r);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct counts n = { 0 };
	struct regions regions;
	int rc;

	ois_log_init(PROG);
	if ((rc = parse_options(argc, argv, &o)) >= 0)
		return rc;
	if ((rc = regions_load(&o, &regions)))
		return ois_exit_status(rc);

	static char *const stdin_only[] = { "-", NULL };
	char *const *files = optind < argc ? argv + optind : stdin_only;
	for (; *files && !rc; files++) {
		int is_stdin = !strcmp(*files, "-");
		FILE *in = is_stdin ? stdin : fopen(*files, "r");
		if (!in) {
			ois_error("cannot open '%s': %s", *files, strerror(errno));
			rc = OIS_ENOINPUT;
			break;
		}
		rc = transform_stream(in, is_stdin ? "stdin" : *files, &o, &regions, &n);
		if (!is_stdin)
			fclose(in);
	}
	ois_info("%lu records, %lu contacts transformed", n.records, n.contacts);
	if (regions.loaded)
		ois_config_release(&regions.cfg);
	/* Close stdout even after an error: records already written stay whole. */
	int crc = OIS_EIO;
	if (n.write_failed)
		fclose(stdout);
	else
		crc = ois_close_stdout();
	return ois_exit_status(rc ? rc : crc);
}
