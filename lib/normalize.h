/* normalize.h - make canonical contact data comparable: Unicode, white space, e-mails, phones, countries. */
#ifndef OIS_NORMALIZE_H
#define OIS_NORMALIZE_H

#include "backend.h"
#include "record.h"

#include <json-c/json.h>

/*
 * Normalize canonical contact data in place, as oisync-transform(1),
 * "Normalization, field by field", documents, so that the same person typed on either side gives the same text (and hash):
 * - every string: Unicode NFC, trimmed, inner white space runs collapsed to
 *   one space (notes and streets keep line breaks, see below);
 * - notes: CRLF and CR become LF, trailing white space of the whole removed;
 * - street: each line trimmed and collapsed, blank lines dropped, LF;
 * - emails: address lower-cased, "mailto:"/"SMTP:"/"EX:" dropped; one
 *   entry per kind (the first), ordered work, home, other; unknown kinds
 *   dropped; "invalid": true on an address ois_email_valid() refuses;
 * - phones: E.164 via ois_phone_e164() for each number libphonenumber calls
 *   valid, read in the contact's own country (its business, else home, else
 *   other address's) when it has no country code, else in region; any
 *   other number is kept, trimmed; white space only is empty; the
 *   OIS_PHONES_TYPED entries (phone_display.h) that name a phone are kept;
 * - addresses: country mapped to ISO 3166-1 alpha-2 (ois_country_alpha2),
 *   unknown names kept;
 * - mailing_address: business, home or other, else dropped;
 * - birthday: YYYY-MM-DD with a real date, else dropped with a warning that
 *   names label;
 * - categories sorted bytewise and unique; custom exactly 4 strings when any
 *   holds text; private only when true;
 * - absent means empty: "", [], {}, null and a false private are removed.
 * Keys the canonical shape does not name are left untouched. The function
 * is idempotent: normalizing its output changes nothing.
 * region is an ISO 3166-1 alpha-2 code ("US"); label names the record in
 * warnings (e.g. "in.jsonl:3: contact \"AAMk…\""); neither is kept.
 */
void ois_contact_normalize(json_object *data, const char *region, const char *label);

/*
 * What oisync-transform makes of a contact once map's to_canonical mapped
 * it: ois_contact_normalize, then the backend's own rule (its finish, such
 * as InterAction's "a nickname equal to the first name is none"). Every
 * comparison of data from a server goes through this first, so that a
 * difference only in format is no difference.
 */
/* keep_typed: fill OIS_PHONES_TYPED with the text each valid number was typed as (phone_format = as-typed). */
void ois_contact_finish(json_object *canon, const struct ois_mapping *map, const char *region, int keep_typed,
			const char *label);

/*
 * Normalize canonical appointment data in place (oisync-transform(1),
 * "Appointments"): subject, location, time_zone, ical_uid, series and
 * activity_type cleaned as text; notes as notes; the organizer and each
 * attendee's address as e-mail addresses; start, end and original_start
 * as "YYYY-MM-DDTHH:MM:SSZ", or as the date written when all_day (a day in
 * the event's own zone; an instant there would move it); attendees a set
 * sorted by address, an unknown role read as required; show_as one of
 * busy, free, tentative, oof, elsewhere; categories as for contacts;
 * all_day and private only when true. A time that does not parse is
 * dropped with a warning naming label. Idempotent.
 */
void ois_appointment_normalize(json_object *data, const char *label);

/*
 * Text rules, each returning a new string the caller frees (never NULL;
 * "" when nothing is left). s must be valid UTF-8 (the record reader has
 * checked it); if Unicode composition fails anyway, s is used as it is.
 */
/* NFC, trim, collapse white space runs (including line breaks) to one space. */
char *ois_text_clean(const char *s);
/* NFC, CRLF/CR to LF, trailing white space of the whole removed. */
char *ois_text_clean_notes(const char *s);
/* NFC, lines split at CRLF/CR/LF, each cleaned, blank lines dropped, joined by LF. */
char *ois_text_clean_lines(const char *s);
/* ois_text_clean, then a leading "mailto:", "smtp:" or "ex:" before "/" (any case) dropped, lower-cased. */
char *ois_email_clean(const char *s);

#endif
