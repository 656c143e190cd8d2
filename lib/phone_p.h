/* phone_p.h - inside ois_phone_e164(): the fast path, the module that holds libphonenumber, counters for tests. */
#ifndef OIS_PHONE_P_H
#define OIS_PHONE_P_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * oisync-phone.so (lib/phone_module.cc) exports this one function, with
 * ois_phone_e164()'s contract but no fast path and no cache; format is an
 * enum ois_phone_format: OIS_PHONE_INTERNATIONAL gives the display form
 * ois_phone_display() documents, any other E.164. The name changes with the
 * signature, so a stale module fails to load instead of being misread.
 */
#define OIS_PHONE_MODULE_FN ois_phone_module_format
#define OIS_PHONE_MODULE_SYM "ois_phone_module_format"
typedef int ois_phone_fn(const char *raw, const char *region, int format, char *out, size_t outlen);
int OIS_PHONE_MODULE_FN(const char *raw, const char *region, int format, char *out, size_t outlen);

#ifndef __cplusplus
/*
 * The module's entry point, opened on the first call (lib/phone_module.c):
 * OIS_MODULE_DIR (relative to the executable's folder, as make install lays
 * it out) / oisync-phone.so. A module that cannot be opened is a broken
 * installation: it logs why and exits 70 rather than keep every number as
 * typed, which would make the two sides' numbers differ.
 */
ois_phone_fn *ois_phone_module(void);

/*
 * North American numbers in their common written forms (lib/phone_fast.c),
 * read in region, told without libphonenumber as it would tell them: 0
 * with the E.164 form in out, -1 when out is too small, -2 when the library
 * would call it no valid number (kept as typed), 1 when the library must
 * decide.
 */
int ois_phone_e164_fast(const char *raw, const char *region, char *out, size_t outlen);

/* What this process's calls cost, for tests that count work. */
struct ois_phone_stats {
	unsigned long calls;     /* ois_phone_e164() and ois_phone_display() calls */
	unsigned long fast;      /* answered by the fast path */
	unsigned long cached;    /* answered by the run's cache */
	unsigned long library;   /* answered by libphonenumber */
	int module_loaded;       /* oisync-phone.so is open */
};
const struct ois_phone_stats *ois_phone_stats(void);
#endif

#ifdef __cplusplus
}
#endif

#endif
