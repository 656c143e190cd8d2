/* ews_calendar.h - the calendar through EWS: CalendarView windows, calendar items, recurring masters. */
#ifndef OIS_EWS_CALENDAR_H
#define OIS_EWS_CALENDAR_H

#include "ews.h"

#include <time.h>

/*
 * One entry of a calendar view: an item as the calendar shows it. type is
 * the CalendarItemType ("Single", "Occurrence", "Exception"; a view never
 * holds "RecurringMaster"), uid the iCalendar UID shared by a series (NULL
 * when the server did not send it). All borrowed for the call.
 */
typedef int (*ois_ews_view_fn)(const char *id, const char *change_key, const char *type, const char *uid,
			       void *ctx);

/*
 * FindItem with a CalendarView of the distinguished folder from start to
 * end (UTC; EWS returns every item that ends after start and starts before
 * end, recurring series expanded into occurrences and exceptions), at most
 * max_entries, IdOnly plus CalendarItemType and UID. fn is called per entry
 * in the server's order; its non-zero return stops and is returned.
 *
 * OIS_ETOOMANY (not logged) when the range holds more than the server
 * returned (IncludesLastItemInRange false, or TotalItemsInView above the
 * count) or the server refused it (ErrorCalendarViewRangeTooBig,
 * ErrorExceededFindCountLimit); fn has then not been called: ask for a
 * smaller range. The caller keeps ranges within two years.
 */
int ois_ews_calendar_view(struct ois_ews *ews, const char *folder, time_t start, time_t end, int max_entries,
			  ois_ews_view_fn fn, void *ctx);

/*
 * The checks and the walk of ois_ews_calendar_view on one
 * m:FindItemResponseMessage that reported Success (for tests on canned
 * replies). where names the server in messages.
 */
int ois_ews_calendar_view_parse(xmlNode *msg, const char *where, ois_ews_view_fn fn, void *ctx);

/*
 * GetItem of n calendar items (AllProperties, the body as text, plus UID,
 * OriginalStart, StartTimeZone, EndTimeZone and the op id tag). fn as for
 * ois_ews_get_items, with native = ois_ews_calendar_item_json of the item.
 * An id whose message is ErrorItemNotFound (deleted meanwhile) is skipped.
 */
int ois_ews_get_calendar_items(struct ois_ews *ews, const char *const *ids, size_t n, ois_ews_item_fn fn,
			       void *ctx);

/*
 * The recurring master of each of n occurrence or exception ids (GetItem
 * of t:RecurringMasterItemId, IdOnly). fn(i, master id, master ChangeKey)
 * per master found, i the index into occurrence_ids; an occurrence gone
 * meanwhile (ErrorItemNotFound) is skipped.
 */
typedef int (*ois_ews_master_fn)(size_t i, const char *master_id, const char *change_key, void *ctx);
int ois_ews_get_masters(struct ois_ews *ews, const char *const *occurrence_ids, size_t n, ois_ews_master_fn fn,
			void *ctx);

/*
 * A t:CalendarItem as native JSON: ois_ews_item_json, plus the attributes
 * of elements that also hold elements (StartTimeZone's Id and Name), and
 * the attendee lists (RequiredAttendees, OptionalAttendees, Resources) as
 * arrays of attendees whatever their length.
 * Returns a new object.
 */
json_object *ois_ews_calendar_item_json(xmlNode *item);


#endif
