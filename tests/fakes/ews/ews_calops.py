# ews_calops.py - calendar parts of the fake EWS operations: ids of series members, views.
"""Occurrences and exceptions of recurring series, and FindItem's CalendarView.

Exchange's model, which the fake follows: a recurring master is one item in the
calendar folder; its occurrences are not items (SyncFolderItems and a FindItem
without CalendarView never list them) but have ItemIds of their own, which GetItem,
UpdateItem and DeleteItem accept, as they accept OccurrenceItemId (master id +
1-based InstanceIndex) and RecurringMasterItemId (an occurrence's id -> its master).
Updating an occurrence makes it an exception (listed in the master's
ModifiedOccurrences); deleting one adds it to the master's DeletedOccurrences. Either
changes the master (new ChangeKey, an Update in SyncFolderItems).
"""

import datetime

import ews_calendar
from ews_store import StoreError, calendar_props, now_iso
from ews_xml import EwsError, local, ok_message, schema_error

# FindItem with CalendarView: the range may span at most two years
# (ErrorCalendarViewRangeTooBig) and return at most this many entries
# (ErrorExceededFindCountLimit, the EWSFindCountLimit throttling default).
FIND_COUNT_LIMIT = 1000


def occurrence_at(master, orig):
    """(index, start, end) of the occurrence of master originally at `orig`, or None."""
    want = ews_calendar.parse_dt(orig)
    for i, s, e in ews_calendar.occurrences(master["props"], want + datetime.timedelta(seconds=1)):
        if s == want:
            return i, s, e
    return None


def occurrence_by_index(master, index):
    until = None
    if master["props"]["Recurrence"]["Range"]["Type"] == "NoEndRecurrence":
        until = ews_calendar.parse_dt(master["props"]["Start"]).replace(year=9999)
    for i, s, e in ews_calendar.occurrences(master["props"], until):
        if i == index:
            return ews_calendar.fmt(s)
    return None


def member(master, orig, deleted_code="ErrorItemNotFound"):
    """The entry for one member of a series: {"orig", "exc"}; raises EwsError."""
    if master.get("kind") != "CalendarItem" or not master["props"].get("Recurrence"):
        raise EwsError("ErrorItemNotFound")
    if orig in (master.get("deleted") or []):
        raise EwsError(deleted_code)
    exc = (master.get("exceptions") or {}).get(orig)
    if exc is None and occurrence_at(master, orig) is None:
        raise EwsError("ErrorItemNotFound")
    return {"orig": orig, "exc": exc}


def resolve(ctx, id_el):
    """(smtp, item, entry) for an ItemId, OccurrenceItemId or RecurringMasterItemId:
    entry is None for the item itself, else the member of the series item is master of."""
    store, tag = ctx.store, local(id_el)
    try:
        if tag == "ItemId":
            return _by_item_id(ctx, id_el.get("Id"))
        if tag == "OccurrenceItemId":
            master_id = id_el.get("RecurringMasterId")
            smtp = store.mailbox_of_item_id(master_id)
            ctx.check_mailbox(smtp, "ErrorItemNotFound")
            master = store.get(smtp, master_id)
            if master.get("kind") != "CalendarItem" or not master["props"].get("Recurrence"):
                raise EwsError("ErrorCalendarCannotUseIdForRecurringMasterId")
            try:
                index = int(id_el.get("InstanceIndex", ""))
            except ValueError:
                raise schema_error("InstanceIndex must be an integer") from None
            orig = occurrence_by_index(master, index) if index >= 1 else None
            if orig is None:
                raise EwsError("ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange")
            return smtp, master, member(master, orig,
                                        "ErrorCalendarOccurrenceIsDeletedFromRecurrence")
        if tag == "RecurringMasterItemId":
            smtp, item, entry = _by_item_id(ctx, id_el.get("OccurrenceId"))
            if entry is None:
                raise EwsError("ErrorCalendarCannotUseIdForOccurrenceId")
            return smtp, item, None
    except StoreError as e:
        raise EwsError(e.code) from None
    raise EwsError("ErrorInvalidOperation", "Unsupported item id %s." % tag)


def _by_item_id(ctx, iid):
    store = ctx.store
    smtp = store.mailbox_of_item_id(iid)
    ctx.check_mailbox(smtp, "ErrorItemNotFound")
    occ = store.decode_occurrence_id(iid)
    if occ:
        return smtp, store.get(smtp, occ[0]), member(store.get(smtp, occ[0]), occ[1])
    try:
        return smtp, store.get(smtp, iid), None
    except StoreError:
        found = store.find_exception(smtp, iid)
        if found is None:
            raise
        master, orig, _exc = found
        return smtp, master, member(master, orig)


def make_view(store, master, entry):
    """The render view of one member of a series (see ews_calitem.render)."""
    orig = entry["orig"]
    exc = entry["exc"]
    if exc is not None:
        return {"type": "Exception", "props": exc["props"], "id": exc["id"],
                "change_key": exc["change_key"], "original_start": orig,
                "created": exc["created"], "modified": exc["modified"]}
    return {"type": "Occurrence", "props": occurrence_props(master, orig),
            "id": store.occurrence_id(master["id"], orig), "change_key": master["change_key"],
            "original_start": orig, "created": master["created"],
            "modified": master["modified"]}


def occurrence_props(master, orig):
    p = dict(master["props"])
    p.pop("Recurrence", None)
    length = ews_calendar.parse_dt(p["End"]) - ews_calendar.parse_dt(p["Start"])
    p["Start"] = orig
    p["End"] = ews_calendar.fmt(ews_calendar.parse_dt(orig) + length)
    return p


def entry_change_key(item, entry):
    return entry["exc"]["change_key"] if entry and entry["exc"] else item["change_key"]


def update_member(store, smtp, master, entry, props):
    """Store new props of an occurrence or exception; returns the exception."""
    props.pop("Recurrence", None)
    check_times(props)
    if entry["exc"] is None:
        return store.add_exception(smtp, master, entry["orig"], props)
    exc = entry["exc"]
    exc["props"] = calendar_props(props)
    exc["change_key"] = store._new_change_key()
    exc["modified"] = now_iso()
    store.touch(smtp, master)
    return exc


def delete_member(store, smtp, master, entry):
    deleted = set(master.get("deleted") or [])
    deleted.add(entry["orig"])
    master["deleted"] = sorted(deleted)
    (master.get("exceptions") or {}).pop(entry["orig"], None)
    store.touch(smtp, master)


def check_times(props):
    s, e = props.get("Start"), props.get("End")
    if s and e:
        tz = ews_calendar.start_zone(props)
        try:
            if ews_calendar.parse_dt(e, tz) < ews_calendar.parse_dt(s, tz):
                raise EwsError("ErrorCalendarEndDateIsEarlierThanStartDate")
        except ValueError:
            raise schema_error("Start or End is not an xs:dateTime") from None


def window_entries(store, smtp, folder, start, end):
    """[(start, item, view)] of every single item, occurrence and exception overlapping
    [start, end] as CalendarView defines it: an entry is left out when it ends before
    StartDate or starts on or after EndDate."""
    out = []

    def inside(s, e):
        return not (e < start or s >= end)

    for it in store.items_in(smtp, folder):
        if it.get("kind") != "CalendarItem":
            continue
        p = it["props"]
        if not p.get("Recurrence"):
            s, e = ews_calendar.parse_dt(p["Start"]), ews_calendar.parse_dt(p["End"])
            if inside(s, e):
                out.append((s, it, None))
            continue
        deleted = set(it.get("deleted") or [])
        exceptions = it.get("exceptions") or {}
        for _i, s, e in ews_calendar.occurrences(p, end):
            orig = ews_calendar.fmt(s)
            if orig in deleted or orig in exceptions:
                continue
            if inside(s, e):
                out.append((s, it, make_view(store, it, {"orig": orig, "exc": None})))
        for orig, exc in exceptions.items():  # an exception may have moved anywhere
            s = ews_calendar.parse_dt(exc["props"]["Start"])
            e = ews_calendar.parse_dt(exc["props"]["End"])
            if orig not in deleted and inside(s, e):
                out.append((s, it, make_view(store, it, {"orig": orig, "exc": exc})))
    out.sort(key=lambda x: (x[0], x[1]["id"]))
    return out


def two_years_after(dt):
    try:
        return dt.replace(year=dt.year + 2)
    except ValueError:  # 29 February
        return dt.replace(year=dt.year + 2, day=28)


def op_calendar_view(ctx, cv, shape, smtp, folder, render_item):
    """One FindItem response message for a CalendarView on one folder."""
    if ctx.store.folder_kind(smtp, folder) != "CalendarItem":
        raise EwsError("ErrorCalendarFolderIsInvalidForCalendarView")
    try:
        start = ews_calendar.parse_dt(cv.get("StartDate"))
        end = ews_calendar.parse_dt(cv.get("EndDate"))
    except ValueError:
        raise schema_error("CalendarView needs StartDate and EndDate (xs:dateTime)") from None
    max_el = cv.get("MaxEntriesReturned")
    try:
        limit = int(max_el) if max_el is not None else None
    except ValueError:
        raise schema_error("MaxEntriesReturned must be an integer") from None
    if limit is not None and limit < 1:
        raise schema_error("MaxEntriesReturned must be positive")
    if end < start:
        raise EwsError("ErrorCalendarEndDateIsEarlierThanStartDate")
    if end > two_years_after(start):
        raise EwsError("ErrorCalendarViewRangeTooBig",
                       "The calendar view range may not be larger than two years.")
    entries = window_entries(ctx.store, smtp, folder, start, end)
    if len(entries) > FIND_COUNT_LIMIT and (limit is None or limit > FIND_COUNT_LIMIT):
        raise EwsError("ErrorExceededFindCountLimit",
                       "You have exceeded the maximum number of objects that can be returned "
                       "for the find operation. Use paging to reduce the result size and try "
                       "your request again.")
    chosen = entries if limit is None else entries[:limit]
    items = "".join(render_item(ctx.store, smtp, it, shape, find=True, view=view)
                    for _s, it, view in chosen)
    return ok_message("FindItem", '<m:RootFolder TotalItemsInView="%d" '
                      'IncludesLastItemInRange="%s"><t:Items>%s</t:Items></m:RootFolder>'
                      % (len(entries), "true" if len(chosen) == len(entries) else "false",
                         items))


def check_send_attr(op, name, values):
    v = op.get(name)
    if v is not None and v not in values:
        raise schema_error("bad %s %r" % (name, v))


SEND_VALUES = ("SendToNone", "SendOnlyToAll", "SendToAllAndSaveCopy")
SEND_CHANGED = SEND_VALUES + ("SendOnlyToChanged", "SendToChangedAndSaveCopy")
