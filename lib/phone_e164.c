/* phone_e164.c - ois_phone_e164(): E.164 input as it is, then the run's cache, then libphonenumber in its module. */
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
/* Enough for any result: 15 digits, ";ext=" and libphonenumber's longest extension. */
#define RESULT_MAX 64

struct slot {
	char *key;        /* raw, NUL, region ("" for none), NUL; NULL when free */
	size_t keylen;
	int rc;           /* 0 or -1, as the library answered with room enough */
	char e164[RESULT_MAX];
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
static int answer(int rc, const char *e164, char *out, size_t outlen)
{
	if (rc != 0)
		return -1;
	size_t n = strlen(e164);
	if (n + 1 > outlen)
		return -1;
	memcpy(out, e164, n + 1);
	return 0;
}

int ois_phone_e164(const char *raw, const char *region, char *out, size_t outlen)
{
	if (!raw || !out || outlen == 0)
		return -1;
	stats.calls++;
	int rc = ois_phone_e164_fast(raw, out, outlen);
	if (rc <= 0) {
		stats.fast++;
		return rc;
	}

	if (!region)
		region = "ZZ"; /* as the module reads it: one key for both */
	size_t rawlen = strlen(raw), reglen = strlen(region);
	char key[CACHE_MAX_RAW + 1 + 8];
	size_t keylen = rawlen + 1 + reglen;
	struct slot *s = NULL;
	if (rawlen <= CACHE_MAX_RAW && reglen < 8) {
		memcpy(key, raw, rawlen + 1);
		memcpy(key + rawlen + 1, region, reglen);
		if (!cache)
			cache = ois_xcalloc(CACHE_SLOTS, sizeof(*cache));
		s = lookup(key, keylen);
		if (s->key) {
			stats.cached++;
			return answer(s->rc, s->e164, out, outlen);
		}
	}

	/* Asked with room enough, so that -1 means "not a number" and can be kept. */
	char e164[RESULT_MAX];
	stats.library++;
	rc = ois_phone_module()(raw, region, e164, sizeof(e164)) == 0 ? 0 : -1;
	stats.module_loaded = 1;
	if (s && cache_used < CACHE_MAX) {
		s->key = ois_xmalloc(keylen);
		memcpy(s->key, key, keylen);
		s->keylen = keylen;
		s->rc = rc;
		memcpy(s->e164, rc == 0 ? e164 : "", rc == 0 ? strlen(e164) + 1 : 1);
		cache_used++;
	}
	return answer(rc, e164, out, outlen);
}
