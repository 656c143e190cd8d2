/* graph_appointment.h - Outlook calendar items as Microsoft Graph sends them <-> canonical appointment data. */
#ifndef OIS_GRAPH_APPOINTMENT_H
#define OIS_GRAPH_APPOINTMENT_H

#include <json-c/json.h>

/*
 * native is a Graph v1.0 event resource as a GET returns it. The backend
 * asks with Prefer: outlook.timezone="UTC" and
 * outlook.body-content-type="text"; any zone is read all the same, and the
 * body's content is taken as sent. Returns a new object in the canonical
 * shape of oisync-records(5), "CANONICAL APPOINTMENT DATA"; empty values
 * are left out. start and end (dateTimeTimeZone) are read in their
 * timeZone, a Windows or an IANA name, as UTC instants; an all-day event's
 * become the dates they are in the event's own zone (originalStartTimeZone,
 * originalEndTimeZone for the end), never those of a UTC conversion.
 * time_zone is originalStartTimeZone as an IANA name (a Windows one through
 * CLDR), absent when none maps. originalStart is read as start is. An
 * occurrence's or exception's iCalUId is read as its series' UID, which is
 * what EWS and InterAction hold. Never NULL.
 */
json_object *ois_graph_appointment_to_canonical(json_object *native);

/*
 * The JSON body that writes canonical data to Graph: with fields NULL, a
 * create's (POST), every unit data holds and nothing for an empty one;
 * with fields (an array of unit names), an update's (PATCH), each unit
 * named set to its value in data or cleared when data lacks it (subject
 * null, body and location empty, attendees and categories [], sensitivity
 * normal, showAs busy, Exchange's default). start and end are
 * dateTimeTimeZone in time_zone, an IANA name (Graph takes them), or in UTC
 * when data has none or the system does not know it; an all-day event's
 * are the midnights of its dates there (no end: one day), isAllDay true.
 * Naming any of start, end, all_day and time_zone writes start, end and
 * isAllDay, as they are one thing in Exchange. Never written: what Graph
 * sets itself (organizer, series, original_start, ical_uid: an
 * InterAction occurrence becomes a single event, and Graph makes its own
 * iCalUId), and what Graph lacks (activity_type, status). Returns a new
 * object, or NULL after logging (OIS_EDATA) when data cannot be an event:
 * no start, a start that is not an RFC 3339 time or, all-day, not a date,
 * an end before the start, an unknown show_as, an unknown unit.
 */
json_object *ois_graph_appointment_from_canonical(json_object *data, json_object *fields);

/*
 * The event a GET would return once a create wrote data: the create's
 * body with the originalStartTimeZone and originalEndTimeZone Graph takes
 * from start's and end's timeZone. NULL as for a create.
 */
json_object *ois_graph_appointment_to_native(json_object *data);

/* The value of the $expand query option an event read needs: the op id. Static string. */
const char *ois_graph_appointment_expand(void);

#endif
