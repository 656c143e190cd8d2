/* ia_appointment.h - InterAction appointments and activities as the API sends them <-> canonical appointment data. */
#ifndef OIS_IA_APPOINTMENT_H
#define OIS_IA_APPOINTMENT_H

#include <json-c/json.h>

/*
 * native is an appointment (or activity) of the InterAction API
 * (oisync-interaction-api(7)), as oisync-extract interaction writes it in
 * "data". Returns a new object in the canonical shape of oisync-records(5),
 * "CANONICAL APPOINTMENT DATA" (subject, start, end, all_day, time_zone, location, notes,
 * organizer, attendees[{email, name, role}], categories, private, show_as,
 * ical_uid, series, original_start, activity_type, status: "activity" for an
 * activity, absent for an appointment); empty values are left out, as
 * absent means empty. Never NULL.
 */
json_object *ois_ia_appointment_to_canonical(json_object *native);

/*
 * The API body that sets the canonical units in fields (an array of names;
 * NULL: every unit, for a create) to their values in data; a unit absent
 * from data is cleared ("", false or [] in the body). activity_type is the
 * API's "type"; status is never written (the server's own). Returns a new
 * object.
 */
json_object *ois_ia_appointment_from_canonical(json_object *data, json_object *fields);

/*
 * An attendee InterAction matches to no firm contact and no firm user is
 * no participant of the appointment, and oisync creates no contact for
 * one: the backend keeps them in the notes instead, in a block after this
 * line, one "Name <address>" per line. The block is the backend's, not the
 * meeting's: the mapping to canonical data cuts it off.
 */
#define OIS_IA_GUESTS_MARK "Other attendees (not in InterAction):"
/* notes without the block (a new string; "" for NULL). */
char *ois_ia_notes_without_guests(const char *notes);
/*
 * notes (the block cut off first) with a block for the attendees (the
 * API's array, contact_id and user_id set by the server) that have
 * neither; a new string.
 */
char *ois_ia_notes_with_guests(const char *notes, json_object *attendees);

#endif
