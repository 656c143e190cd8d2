/* phone.h - telephone numbers: E.164 for comparison and a display form, with libphonenumber, behind a C API. */
#ifndef OIS_PHONE_H
#define OIS_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How a valid number is written into Outlook and InterAction (phone_format
 * in oisync.conf(5), which spells them in lib/config_keys.c). Comparison
 * always uses E.164, and the written form is either a function of it or
 * the text typed for that very E.164 value, so no form makes the two sides
 * differ.
 */
enum ois_phone_format {
	OIS_PHONE_INTERNATIONAL,  /* "+44 20 7946 0018", " ext. 123": the default */
	OIS_PHONE_E164,           /* "+442079460018", ";ext=123": as compared */
	OIS_PHONE_AS_TYPED,       /* the text typed on the side the value came from (phone_display.h) */
};

/*
 * Format raw (UTF-8, as a person typed it) as E.164, "+12125550100", with
 * ";ext=N" appended when the number has an extension. region is the ISO
 * 3166-1 alpha-2 code used for numbers written without a country code
 * ("US"). Only a number libphonenumber calls valid (in an assigned range of
 * its country) is formatted: a merely possible one (000-000-0000,
 * (555) 555-5555, an unassigned area code) gets -1 and is kept as typed, so
 * that no placeholder turns into a real-looking number. A national number
 * read in the wrong region ("020 7946 0018" as a US number) is not valid
 * either, which is why the caller picks the region with care
 * (oisync-transform(1), "Phone numbers").
 * Returns 0 with the result in out (NUL-terminated), or -1 when raw is not a
 * valid telephone number or out is too small; the caller then keeps raw.
 * The library's metadata loads on the first call only (it costs tens of
 * milliseconds), so a run without phone numbers never pays for it.
 * Logs nothing; never throws.
 */
int ois_phone_e164(const char *raw, const char *region, char *out, size_t outlen);

/*
 * The display form of value, a phone as canonical data holds it (E.164 with
 * ";ext=", or text kept as typed), in format: OIS_PHONE_INTERNATIONAL gives
 * "+44 20 7946 0018" and "+1 212-555-0100 ext. 42" (libphonenumber's
 * international grouping, then " ext. " and the extension); E164 and
 * AS_TYPED give value itself (the typed text is the record's, see
 * ois_contact_written). Text that is no E.164 number is value itself
 * in every format. ois_phone_e164() of the result, in any region, is value
 * again: a display form never reads back as a change. 0, or -1 when out is
 * too small.
 */
int ois_phone_display(const char *value, enum ois_phone_format format, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
