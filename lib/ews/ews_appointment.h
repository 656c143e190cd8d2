/* ews_appointment.h - Outlook calendar items as EWS sends them <-> canonical appointment data. */
#ifndef OIS_EWS_APPOINTMENT_H
#define OIS_EWS_APPOINTMENT_H

#include "buf.h"

#include <json-c/json.h>

/*
 * native is the "data" oisync-extract exchange writes for an appointment:
 * the t:CalendarItem as ois_ews_calendar_item_json makes it, plus the
 * RecurringMasterId and OriginalStart the read adds to an occurrence.
 * Returns a new object in the canonical shape of oisync-records(5),
 * "CANONICAL APPOINTMENT DATA"; empty values are left out. Start, End and
 * OriginalStart are UTC instants; an all-day event's become the dates they
 * are in the event's own zone (StartTimeZone, EndTimeZone for the end), so
 * 2026-12-24T13:00:00Z in "AUS Eastern Standard Time" is "2026-12-25".
 * time_zone is the IANA name of StartTimeZone's Windows id, absent when
 * the id maps to none. Never NULL.
 */
json_object *ois_ews_appointment_to_canonical(json_object *native);

/*
 * Append to out the t:CalendarItem that CreateItem needs to create an
 * appointment holding the canonical data, tagged with op_id (NULL:
 * untagged), its elements in the schema's order. Start and End are written
 * in UTC; an all-day event's are the midnights of its dates in time_zone
 * (UTC when time_zone has no Windows zone). The organizer, series and
 * original_start are not written: Exchange makes the mailbox owner the
 * organizer, and an occurrence of an InterAction series becomes a single
 * item. Returns 0, or OIS_EDATA after logging when data cannot be an
 * Exchange appointment (no start, a start that is not an RFC 3339 time or,
 * all-day, not a date; an end before the start; an unknown show_as).
 */
int ois_ews_appointment_xml(json_object *data, const char *op_id, struct ois_buf *out);

/*
 * Append to out the t:SetItemField / t:DeleteItemField elements (the
 * contents of t:Updates) that set each canonical unit of fields (an array
 * of strings) to its value in data; a unit absent from data is cleared.
 * start, end, all_day and time_zone are one thing in Exchange (an all-day
 * event's Start is a midnight in its zone): naming any of them writes
 * StartTimeZone and EndTimeZone (when time_zone has a Windows zone, or UTC
 * for an all-day event without one), IsAllDayEvent, Start and End.
 * show_as cleared is Busy, Exchange's default; private cleared is Normal.
 * Units Exchange cannot write are skipped: organizer, series,
 * original_start, activity_type, and ical_uid when absent (Exchange cannot
 * clear a UID). Sets *n to the number of elements written. Returns 0, or
 * OIS_EDATA after logging for an unknown unit or a value Exchange cannot
 * carry (as for ois_ews_appointment_xml).
 */
int ois_ews_appointment_updates_xml(json_object *data, json_object *fields, struct ois_buf *out, int *n);

#endif
