/* phone.h - telephone numbers to E.164 with libphonenumber, behind a C API. */
#ifndef OIS_PHONE_H
#define OIS_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Format raw (UTF-8, as a person typed it) as E.164, "+12125550100", with
 * ";ext=N" appended when the number has an extension. region is the ISO
 * 3166-1 alpha-2 code used for numbers written without a country code
 * ("US"). A number only has to be possible (right length for its country),
 * not assigned, so fictional 555 numbers still normalize.
 * Returns 0 with the result in out (NUL-terminated), or -1 when raw is not a
 * telephone number or out is too small; the caller then keeps raw as typed.
 * The library's metadata loads on the first call only (it costs tens of
 * milliseconds), so a run without phone numbers never pays for it.
 * Logs nothing; never throws.
 */
int ois_phone_e164(const char *raw, const char *region, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
