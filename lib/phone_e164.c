/* phone_e164.c - ois_phone_e164() and ois_phone_display(): the fast path, then the run's cache, then libphonenumber in its module. */
#include "phone.h"
#include "phone_p.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

/*
 * The run's cache: the same numbers come back in every run (a firm's main
 * line on hundreds of contacts, each contact on both sides), and each costs
 * libphonenumber a parse. Open addressing over a fixed table; once it is
 * three quarters full new numbers are no longer kept, so a run's memory
 * stays bounded whatever it reads. Not locked: no stage normalizes from two
 * threads.
 */
#define CACHE_SLOTS 4096            /* a power of two */
#define CACHE_MAX (CACHE_SLOTS / 4 * 3)
#define CACHE_MAX_RAW 128           /* longer input is not kept */
/* Enough for any result: 15 digits and their spaces, " ext. " and libphonenumber's longest extension. */
#define RESULT_MAX 80

struct slot {
	char *key;        /* raw, NUL, region, NUL, format digit; NULL when free */
	size_t keylen;
	int rc;           /* 0 or -1, as the library answered with room enough */
	char result[RESULT_MAX]; /* the answer, in the key's format */
};

static struct slot *cache;
static size_t cache_used;
static struct ois_phone_stats stats;

const struct ois_phone_stats *ois_phone_stats(void)
{
	return &stats;
}

/* FNV-1a: short keys, no adversary (a clash costs a probe, not a wrong answer). */
static uint64_t hash(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding key, or the free one where it belongs. */
static struct slot *lookup(const char *key, size_t keylen)
{
	size_t i = (size_t)hash(key, keylen) & (CACHE_SLOTS - 1);
	for (;;) {
		struct slot *s = &cache[i];
		if (!s->key || (s->keylen == keylen && memcmp(s->key, key, keylen) == 0))
			return s;
		i = (i + 1) & (CACHE_SLOTS - 1);
	}
}

/* The answer for rc and result as the caller's buffer can take it. */
static int answer(int rc, const char *result, char *out, size_t outlen)
{
	if (rc != 0)
		return -1;
	size_t n = strlen(result);
	if (n + 1 > outlen)
		return -1;
	memcpy(out, result, n + 1);
	return 0;
}

/* The cache, then the module: raw read in region, formatted in format. */
static int format_number(const char *raw, const char *region, enum ois_phone_format format, char *out, size_t outlen)
{
	if (!region)
		region = "ZZ"; /* as the module reads it: one key for both */
	size_t rawlen = strlen(raw), reglen = strlen(region);
	char key[CACHE_MAX_RAW + 1 + 8 + 2];
	size_t keylen = rawlen + 1 + reglen + 2;
	struct slot *s = NULL;
	if (rawlen <= CACHE_MAX_RAW && reglen < 8) {
		memcpy(key, raw, rawlen + 1);
		memcpy(key + rawlen + 1, region, reglen);
		key[rawlen + 1 + reglen] = '\0';
		key[rawlen + 2 + reglen] = (char)('0' + (int)format);
		if (!cache)
			cache = ois_xcalloc(CACHE_SLOTS, sizeof(*cache));
		s = lookup(key, keylen);
		if (s->key) {
			stats.cached++;
			return answer(s->rc, s->result, out, outlen);
		}
	}

	/* Asked with room enough, so that -1 means "not a number" and can be kept. */
	char res[RESULT_MAX];
	stats.library++;
	int rc = ois_phone_module()(raw, region, (int)format, res, sizeof(res)) == 0 ? 0 : -1;
	stats.module_loaded = 1;
	if (s && cache_used < CACHE_MAX) {
		s->key = ois_xmalloc(keylen);
		memcpy(s->key, key, keylen);
		s->keylen = keylen;
		s->rc = rc;
		memcpy(s->result, rc == 0 ? res : "", rc == 0 ? strlen(res) + 1 : 1);
		cache_used++;
	}
	return answer(rc, res, out, outlen);
}

/*
 * A valid number whose line is one digit seven times over ("+44 20 0000
 * 0000", "01 00 00 00 00" in France) is a placeholder all the same:
 * libphonenumber judges a number's range, not its line, and calls these
 * valid. Kept as typed, as any other placeholder, so that none becomes a
 * real-looking number. e164 is "+DIGITS", maybe with ";ext=N".
 */
static int is_placeholder(const char *e164)
{
	const char *end = strchr(e164, ';');
	if (!end)
		end = e164 + strlen(e164);
	if (end - e164 < 8)
		return 0;
	for (const char *p = end - 7; p < end - 1; p++)
		if (*p != end[-1])
			return 0;
	return 1;
}

int ois_phone_e164(const char *raw, const char *region, char *out, size_t outlen)
{
	if (!raw || !out || outlen == 0)
		return -1;
	stats.calls++;
	int rc = ois_phone_e164_fast(raw, region, out, outlen);
	if (rc <= 0)
		stats.fast++;
	else
		rc = format_number(raw, region, OIS_PHONE_E164, out, outlen);
	return rc == 0 && !is_placeholder(out) ? 0 : -1;
}

/* value itself into out: 0, or -1 when out is too small. */
static int copy_value(const char *value, char *out, size_t outlen)
{
	size_t n = strlen(value);
	if (n + 1 > outlen)
		return -1;
	memcpy(out, value, n + 1);
	return 0;
}

int ois_phone_display(const char *value, enum ois_phone_format format, char *out, size_t outlen)
{
	if (!value || !out || outlen == 0)
		return -1;
	/* Only E.164 (what a valid number became) has another form: text kept as typed stays so. */
	if (format != OIS_PHONE_INTERNATIONAL || value[0] != '+')
		return copy_value(value, out, outlen);
	stats.calls++;
	char res[RESULT_MAX];
	if (format_number(value, NULL, OIS_PHONE_INTERNATIONAL, res, sizeof(res)) == 0)
		return copy_value(res, out, outlen);
	return copy_value(value, out, outlen);
}
