# graph_events.py - the event resource of the Graph fake: fields, recurrence, instances.
"""Events as /graph/api/resources/event documents them (v1.0), in Exchange's model:
a single event or a series master is one item of the calendar; a series'
occurrences are not items but are expanded from its patternedRecurrence when
read (calendarView, instances, an occurrence's id). Editing an occurrence makes
it an exception (the master keeps the overrides); deleting one cancels it (the
master keeps its original start). Either changes the master's changeKey, which
every instance of the series shows, as in Exchange where exceptions live in the
master. Changing a master's recurrence, start, end or isAllDay drops its
exceptions and cancellations, as Outlook does.

start and end are kept as written (a wall time and its zone) and replies give
them in the zone of `Prefer: outlook.timezone`, UTC without one. An all-day
event is floating: its dates are the same in every zone, so a reply shows its
midnights labelled with the requested zone.

The pattern is expanded by the EWS fake's ews_calendar (one recurrence engine for
both fakes) in the series' zone (range.recurrenceTimeZone, else the start's zone),
so a weekly 09:00 Berlin meeting stays at 09:00 Berlin across a DST change."""

import base64
import datetime
import html
import re

import ews_calendar
import graph_time
from graph_odata import GraphError, bad_value, unknown_property
from graph_store import ID_PREFIX, ITEM_MARK, OCCURRENCE_MARK, b64url_id, raw_id

ENTITY = "Event"
UTC = datetime.timezone.utc
ENUMS = {"sensitivity": ["normal", "personal", "private", "confidential"],
         "showAs": ["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"],
         "importance": ["low", "normal", "high"],
         "onlineMeetingProvider": ["unknown", "teamsForBusiness", "skypeForBusiness",
                                   "skypeForConsumer"]}
BOOLS = ["isAllDay", "isReminderOn", "responseRequested", "allowNewTimeProposals",
         "hideAttendees", "isOnlineMeeting"]
STRINGS = ["subject", "transactionId"]
WRITABLE = (set(ENUMS) | set(BOOLS) | set(STRINGS) |
            {"body", "start", "end", "categories", "location", "locations", "attendees",
             "organizer", "recurrence", "reminderMinutesBeforeStart"})
# Read-only properties a client may send back: ignored. iCalUId and isCancelled are
# read-only in Graph; the seed and /_fake/ may set them (the organizer's side).
READ_ONLY = {"id", "changeKey", "createdDateTime", "lastModifiedDateTime", "iCalUId", "type",
             "seriesMasterId", "originalStart", "originalStartTimeZone", "originalEndTimeZone",
             "isOrganizer", "webLink", "isCancelled", "bodyPreview", "hasAttachments",
             "responseStatus", "isDraft", "onlineMeeting", "onlineMeetingUrl",
             "@odata.etag", "@odata.context", "@odata.type"}
OWNER_ONLY = {"iCalUId", "isCancelled"}   # writable through the seed and /_fake/ only
ORDER = ["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories",
         "transactionId", "originalStartTimeZone", "originalEndTimeZone", "iCalUId",
         "reminderMinutesBeforeStart", "isReminderOn", "hasAttachments", "subject",
         "bodyPreview", "importance", "sensitivity", "isAllDay", "isCancelled", "isOrganizer",
         "responseRequested", "seriesMasterId", "showAs", "type", "webLink",
         "onlineMeetingUrl", "isOnlineMeeting", "onlineMeetingProvider",
         "allowNewTimeProposals", "isDraft", "hideAttendees", "originalStart", "responseStatus",
         "body", "start", "end", "location", "locations", "recurrence", "attendees",
         "organizer", "onlineMeeting"]
KNOWN = set(ORDER) | {"singleValueExtendedProperties"}
DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
INDEXES = ["first", "second", "third", "fourth", "last"]
PATTERNS = {"daily": "DailyRecurrence", "weekly": "WeeklyRecurrence",
            "absoluteMonthly": "AbsoluteMonthlyRecurrence",
            "relativeMonthly": "RelativeMonthlyRecurrence",
            "absoluteYearly": "AbsoluteYearlyRecurrence",
            "relativeYearly": "RelativeYearlyRecurrence"}
RANGES = {"endDate": "EndDateRecurrence", "noEnd": "NoEndRecurrence",
          "numbered": "NumberedRecurrence"}
GOID_HEAD = "040000008200E00074C5B7101A82E008"
NEVER = "0001-01-01T00:00:00Z"


def invalid(message):
    return GraphError(400, "ErrorPropertyValidationFailure", message)


# ---- checking what a client writes ------------------------------------------------
def _dttz(name, v):
    instant, zone_name = graph_time.parse_dttz(v, name)
    wall = instant.astimezone(graph_time.zone(zone_name)).replace(tzinfo=None)
    return {"dateTime": wall.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": zone_name}


def _email(name, v):
    if not isinstance(v, dict) or set(v) - {"name", "address", "@odata.type"} \
            or not isinstance(v.get("address"), str) \
            or not isinstance(v.get("name", ""), (str, type(None))):
        raise bad_value(name, ENTITY, "an emailAddress {name, address} is expected")
    return {"name": v.get("name") or v["address"], "address": v["address"]}


def _attendees(v):
    if not isinstance(v, list):
        raise bad_value("attendees", ENTITY, "a collection of attendee is expected")
    out = []
    for a in v:
        if not isinstance(a, dict) or set(a) - {"type", "status", "emailAddress", "@odata.type",
                                                "proposedNewTime"}:
            raise bad_value("attendees", ENTITY, "an attendee is {type, emailAddress, status}")
        typ = a.get("type", "required")
        if typ not in ("required", "optional", "resource"):
            raise bad_value("attendees", ENTITY, "type must be required, optional or resource")
        status = a.get("status") or {}
        if not isinstance(status, dict):
            raise bad_value("attendees", ENTITY, "status is a responseStatus")
        out.append({"type": typ,
                    "status": {"response": status.get("response", "none"),
                               "time": status.get("time", NEVER)},
                    "emailAddress": _email("attendees", a.get("emailAddress"))})
    return out


def _location(v):
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise bad_value("location", ENTITY, "a location object is expected")
    allowed = {"displayName", "locationType", "locationUri", "uniqueId", "uniqueIdType",
               "address", "coordinates", "locationEmailAddress", "@odata.type"}
    if set(v) - allowed:
        raise unknown_property(sorted(set(v) - allowed)[0], "Location")
    if not isinstance(v.get("displayName", ""), (str, type(None))):
        raise bad_value("location", ENTITY, "displayName is a string")
    return {k: x for k, x in v.items() if k != "@odata.type"}


def _body(v):
    if v is None:
        return {"contentType": "html", "content": ""}
    if not isinstance(v, dict) or set(v) - {"contentType", "content", "@odata.type"}:
        raise bad_value("body", ENTITY, "an itemBody {contentType, content} is expected")
    ctype = v.get("contentType", "text")
    if ctype not in ("text", "html") or not isinstance(v.get("content", ""), str):
        raise bad_value("body", ENTITY, "contentType is text or html, content a string")
    return {"contentType": ctype, "content": v.get("content", "")}


def check_recurrence(v, start_zone):
    """A patternedRecurrence, checked and with Graph's defaults filled in; None."""
    if v is None:
        return None
    if not isinstance(v, dict) or set(v) - {"pattern", "range", "@odata.type"}:
        raise bad_value("recurrence", ENTITY, "a patternedRecurrence {pattern, range} is expected")
    p, r = v.get("pattern") or {}, v.get("range") or {}
    if not isinstance(p, dict) or not isinstance(r, dict):
        raise bad_value("recurrence", ENTITY, "pattern and range are objects")
    typ = p.get("type")
    if typ not in PATTERNS:
        raise invalid("recurrence.pattern.type must be one of %s." % ", ".join(PATTERNS))
    pattern = {"type": typ, "interval": p.get("interval", 1), "month": p.get("month", 0),
               "dayOfMonth": p.get("dayOfMonth", 0), "daysOfWeek": p.get("daysOfWeek", []),
               "firstDayOfWeek": p.get("firstDayOfWeek", "sunday"),
               "index": p.get("index", "first")}
    unknown = set(p) - set(pattern) - {"@odata.type"}
    if unknown:
        raise unknown_property(sorted(unknown)[0], "RecurrencePattern")
    for k in ("interval", "month", "dayOfMonth"):
        if not isinstance(pattern[k], int) or isinstance(pattern[k], bool) or pattern[k] < 0:
            raise invalid("recurrence.pattern.%s must be a non-negative integer." % k)
    if not isinstance(pattern["daysOfWeek"], list) or \
            any(d not in DAYS for d in pattern["daysOfWeek"]):
        raise invalid("recurrence.pattern.daysOfWeek holds day names (sunday..saturday).")
    if pattern["firstDayOfWeek"] not in DAYS or pattern["index"] not in INDEXES:
        raise invalid("recurrence.pattern.firstDayOfWeek or index is not valid.")
    rtype = r.get("type")
    if rtype not in RANGES:
        raise invalid("recurrence.range.type must be endDate, noEnd or numbered.")
    rng = {"type": rtype, "startDate": r.get("startDate"),
           "endDate": r.get("endDate", "0001-01-01"),
           "recurrenceTimeZone": r.get("recurrenceTimeZone") or start_zone,
           "numberOfOccurrences": r.get("numberOfOccurrences", 0)}
    unknown = set(r) - set(rng) - {"@odata.type"}
    if unknown:
        raise unknown_property(sorted(unknown)[0], "RecurrenceRange")
    graph_time.zone(rng["recurrenceTimeZone"])
    rec = {"pattern": pattern, "range": rng}
    try:
        ews_calendar.check_recurrence(to_ews(rec))
    except ews_calendar.CalendarError as e:
        raise invalid("The recurrence is not valid: %s." % (e.text or e.code)) from None
    return rec


def to_ews(rec):
    """The EWS-native Recurrence of a Graph patternedRecurrence (for ews_calendar)."""
    p, r = rec["pattern"], rec["range"]
    pat = {"Type": PATTERNS[p["type"]]}
    days = " ".join(d.capitalize() for d in p["daysOfWeek"])
    if p["type"] in ("daily", "weekly", "absoluteMonthly", "relativeMonthly"):
        pat["Interval"] = str(p["interval"])
    if p["type"] in ("weekly", "relativeMonthly", "relativeYearly"):
        pat["DaysOfWeek"] = days
    if p["type"] == "weekly":
        pat["FirstDayOfWeek"] = p["firstDayOfWeek"].capitalize()
    if p["type"] in ("relativeMonthly", "relativeYearly"):
        pat["DayOfWeekIndex"] = p["index"].capitalize()
    if p["type"] in ("absoluteMonthly", "absoluteYearly"):
        pat["DayOfMonth"] = str(p["dayOfMonth"])
    if p["type"] in ("absoluteYearly", "relativeYearly"):
        month = p["month"]
        pat["Month"] = ews_calendar.MONTHS[month - 1] if 1 <= month <= 12 else str(month)
    rng = {"Type": RANGES[r["type"]], "StartDate": r["startDate"] or ""}
    if r["type"] == "endDate":
        rng["EndDate"] = r["endDate"]
    if r["type"] == "numbered":
        rng["NumberOfOccurrences"] = str(r["numberOfOccurrences"])
    return {"Pattern": pat, "Range": rng}


def check(body, creating, owner=False):
    """The writable properties of a POST or PATCH body (or, with owner, of the seed
    or a /_fake/ edit), checked and normalized."""
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The body must be an event object.")
    out = {}
    for k, v in body.items():
        if k == "singleValueExtendedProperties" or k in ("exceptions", "cancelledOccurrences"):
            continue
        if k in READ_ONLY and not (owner and k in OWNER_ONLY):
            if k == "@odata.type" and v not in ("#microsoft.graph.event", "microsoft.graph.event"):
                raise bad_value(k, ENTITY, "not an event")
            continue
        if k not in WRITABLE and not (owner and k in OWNER_ONLY):
            raise unknown_property(k, ENTITY)
        if k in ENUMS:
            if v not in ENUMS[k]:
                raise bad_value(k, ENTITY, "'%s' is not one of %s" % (v, ", ".join(ENUMS[k])))
            out[k] = v
        elif k in BOOLS or k == "isCancelled":
            if not isinstance(v, bool):
                raise bad_value(k, ENTITY, "true or false is expected")
            out[k] = v
        elif k in STRINGS or k == "iCalUId":
            if v is not None and not isinstance(v, str):
                raise bad_value(k, ENTITY, "a string is expected")
            out[k] = v or ("" if k == "subject" else None)
        elif k in ("start", "end"):
            out[k] = _dttz(k, v)
        elif k == "categories":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise bad_value(k, ENTITY, "a collection of strings is expected")
            out[k] = list(v)
        elif k == "body":
            out[k] = _body(v)
        elif k == "location":
            out[k] = _location(v)
        elif k == "locations":
            if not isinstance(v, list):
                raise bad_value(k, ENTITY, "a collection of location is expected")
            out[k] = [_location(x) for x in v]
        elif k == "attendees":
            out[k] = _attendees(v)
        elif k == "organizer":
            if not isinstance(v, dict) or set(v) - {"emailAddress", "@odata.type"}:
                raise bad_value(k, ENTITY, "a recipient {emailAddress} is expected")
            out[k] = {"emailAddress": _email(k, v.get("emailAddress"))}
        elif k == "reminderMinutesBeforeStart":
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise bad_value(k, ENTITY, "a non-negative integer is expected")
            out[k] = v
        elif k == "recurrence":
            out[k] = v  # checked in merge(), which knows the start's zone
    if creating and ("start" not in out or "end" not in out):
        raise GraphError(400, "ErrorInvalidRequest", "An event needs a start and an end.")
    return out


def blank():
    return {"subject": "", "body": {"contentType": "html", "content": ""},
            "categories": [], "importance": "normal", "sensitivity": "normal",
            "showAs": "busy", "isAllDay": False, "isCancelled": False,
            "isReminderOn": True, "reminderMinutesBeforeStart": 15,
            "responseRequested": True, "allowNewTimeProposals": True, "hideAttendees": False,
            "isOnlineMeeting": False, "onlineMeetingProvider": "unknown", "transactionId": None,
            "location": {}, "locations": [], "attendees": [], "organizer": None,
            "recurrence": None, "iCalUId": None}


def instant(dttz):
    """The aware UTC instant of a stored {dateTime, timeZone}."""
    wall = datetime.datetime.strptime(dttz["dateTime"], "%Y-%m-%dT%H:%M:%S")
    return wall.replace(tzinfo=graph_time.zone(dttz["timeZone"])).astimezone(UTC)


def validate_times(props):
    """400 for an end before the start, or an all-day event not on whole days."""
    start, end = instant(props["start"]), instant(props["end"])
    if end < start:
        raise GraphError(400, "ErrorCalendarEndDateIsEarlierThanStartDate",
                         "The end date occurs before the start date.")
    if props.get("isAllDay"):
        s, e = props["start"]["dateTime"], props["end"]["dateTime"]
        if not s.endswith("T00:00:00") or not e.endswith("T00:00:00") or s == e:
            raise GraphError(400, "ErrorPropertyValidationFailure",
                             "An all-day event starts and ends at midnight and lasts whole days.")


SERIES_KEYS = ("recurrence", "start", "end", "isAllDay")


def merge(item, changes, creating):
    """Apply checked changes to a stored single event or series master (the
    recurrence is checked here, against the start's zone). Changing the series'
    shape drops its exceptions and cancellations."""
    props = dict(item.props)
    props.update(changes)
    if "recurrence" in changes or creating:
        props["recurrence"] = check_recurrence(props.get("recurrence"), props["start"]["timeZone"])
    validate_times(props)
    if not creating and any(k in changes and changes[k] != item.props.get(k) for k in SERIES_KEYS):
        item.exceptions, item.cancelled = {}, []
    item.props = props


def new_icaluid(item_id):
    """An iCalUId in Exchange's GlobalObjectId form (hex), the date bytes zero."""
    body = base64.b16encode(raw_id(item_id) or item_id.encode()).decode()
    return GOID_HEAD + "00000000" + "0" * 16 + "0" * 16 + "%08X" % (len(body) // 2) + body


def instance_icaluid(uid, original):
    """The iCalUId of one occurrence: Graph's differs per occurrence (the
    GlobalObjectId with the instance's date), where the series master's has zeros."""
    date = "%04X%02X%02X" % (original.year, original.month, original.day)
    if uid and uid.upper().startswith(GOID_HEAD) and len(uid) >= len(GOID_HEAD) + 8:
        return uid[:len(GOID_HEAD)] + date + uid[len(GOID_HEAD) + 8:]
    return "%s_%s" % (uid, original.strftime("%Y%m%d"))


# ---- occurrences --------------------------------------------------------------------
def occurrence_id(master_id, original):
    raw = raw_id(master_id)
    return b64url_id(ID_PREFIX + OCCURRENCE_MARK + raw[len(ID_PREFIX) + 1:] +
                     int(original.timestamp()).to_bytes(8, "big", signed=True))


def split_occurrence_id(item_id):
    """(master id, original start) of an occurrence id, or None."""
    raw = raw_id(item_id)
    if raw is None or raw[len(ID_PREFIX):len(ID_PREFIX) + 1] != OCCURRENCE_MARK or len(raw) < 13:
        return None
    master = b64url_id(ID_PREFIX + ITEM_MARK + raw[len(ID_PREFIX) + 1:-8])
    when = datetime.datetime.fromtimestamp(int.from_bytes(raw[-8:], "big", signed=True), UTC)
    return master, when


def series_zone(item):
    rec = item.props["recurrence"]
    return graph_time.zone(rec["range"]["recurrenceTimeZone"] or item.props["start"]["timeZone"])


def original_starts(item, until):
    """The original start of every occurrence of a series master that starts before
    `until`, in order (aware UTC)."""
    p = item.props
    spec = {"Recurrence": to_ews(p["recurrence"]),
            "Start": ews_calendar.fmt(instant(p["start"])),
            "End": ews_calendar.fmt(instant(p["end"]))}
    return [s for _, s, _ in ews_calendar.occurrences(spec, until=until, tz=series_zone(item))]


def occurrence_exists(item, original):
    return (item.props.get("recurrence") is not None
            and original in original_starts(item, original + datetime.timedelta(seconds=1)))


def key(original):
    return original.strftime("%Y-%m-%dT%H:%M:%SZ")


class Instance:
    """One entry of a calendar view: a single event, or an occurrence or exception
    of a series (master, its original start, and the props as they apply)."""

    def __init__(self, item, kind, original=None):
        self.item = item
        self.kind = kind          # singleInstance, occurrence, exception, seriesMaster
        self.original = original
        self.props = dict(item.props)
        if original is not None:
            self.props["recurrence"] = None
            self.props["start"], self.props["end"] = occurrence_times(item, original)
            self.props.update(item.exceptions.get(key(original), {}))
        self.id = item.id if original is None else occurrence_id(item.id, original)

    @property
    def span(self):
        return instant(self.props["start"]), instant(self.props["end"])


def occurrence_times(item, original):
    """The start and end ({dateTime, timeZone}) of the occurrence of a series that
    originally starts at `original`: the master's duration from there, or for an
    all-day series its number of days from that midnight (a day across a DST change
    is not 24 hours)."""
    p = item.props
    wall = "%Y-%m-%dT%H:%M:%S"
    if p.get("isAllDay"):
        first = original.astimezone(series_zone(item)).replace(tzinfo=None)
        days = (datetime.datetime.strptime(p["end"]["dateTime"], wall) -
                datetime.datetime.strptime(p["start"]["dateTime"], wall)).days
        last = first + datetime.timedelta(days=days)
        return ({"dateTime": first.strftime(wall), "timeZone": p["start"]["timeZone"]},
                {"dateTime": last.strftime(wall), "timeZone": p["end"]["timeZone"]})
    end = original + (instant(p["end"]) - instant(p["start"]))
    return tuple({"dateTime": t.astimezone(graph_time.zone(d["timeZone"])).strftime(wall),
                  "timeZone": d["timeZone"]}
                 for t, d in ((original, p["start"]), (end, p["end"])))


def overlaps(span, start, end):
    s, e = span
    return (s < end and e > start) or (s == e and start <= s < end)


def instances(folder, start, end, master=None):
    """Every single event, occurrence and exception of the calendar folder (or of
    one series) that overlaps [start, end), sorted by start."""
    out = []
    for item in folder.items.values():
        if master is not None and item is not master:
            continue
        rec = item.props.get("recurrence")
        if rec is None:
            if master is None and overlaps(Instance(item, "singleInstance").span, start, end):
                out.append(Instance(item, "singleInstance"))
            continue
        exceptions = set(item.exceptions)
        cancelled = set(item.cancelled)
        for original in original_starts(item, end):
            k = key(original)
            if k in cancelled or k in exceptions:
                continue
            inst = Instance(item, "occurrence", original)
            if overlaps(inst.span, start, end):
                out.append(inst)
        for k in sorted(exceptions - cancelled):
            original = datetime.datetime.strptime(k, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            inst = Instance(item, "exception", original)
            if overlaps(inst.span, start, end):
                out.append(inst)
    out.sort(key=lambda i: (i.span[0], i.id))
    return out


def find_instance(mbx, item_id):
    """The Instance an id names: a single event or series master (an item), or an
    occurrence or exception (None when cancelled or not in the series)."""
    occ = split_occurrence_id(item_id)
    if occ is None:
        item = mbx.item(item_id, "event")
        return Instance(item, "seriesMaster" if item.props.get("recurrence") else "singleInstance")
    master_id, original = occ
    item = mbx.item(master_id, "event")
    k = key(original)
    if k in item.cancelled or not occurrence_exists(item, original):
        raise GraphError(404, "ErrorItemNotFound",
                         "The specified object was not found in the store.")
    return Instance(item, "exception" if k in item.exceptions else "occurrence", original)


def edit_occurrence(inst, changes):
    """PATCH of an occurrence or exception: its overrides, kept by the master."""
    if "recurrence" in changes:
        raise invalid("An occurrence of a series has no recurrence of its own.")
    overrides = dict(inst.item.exceptions.get(key(inst.original), {}))
    overrides.update(changes)
    props = dict(inst.props)
    props.update(overrides)
    validate_times(props)
    inst.item.exceptions[key(inst.original)] = overrides
    inst.item.touch()


def cancel_occurrence(inst):
    k = key(inst.original)
    inst.item.exceptions.pop(k, None)
    if k not in inst.item.cancelled:
        inst.item.cancelled.append(k)
    inst.item.touch()


# ---- rendering --------------------------------------------------------------------
def preview(body):
    text = body.get("content", "")
    if body.get("contentType") == "html":
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    return " ".join(text.split())[:255]


def render_time(dttz, all_day, zone_name):
    if all_day:  # floating: the same dates in every zone
        return {"dateTime": dttz["dateTime"] + ".0000000", "timeZone": zone_name}
    return graph_time.render(instant(dttz), zone_name)


def render(inst, mbx, zone_name, web_base):
    """The full event JSON of an Instance, times in zone_name."""
    item, p = inst.item, inst.props
    organizer = p.get("organizer") or {"emailAddress": {"name": mbx.display_name,
                                                         "address": mbx.upn}}
    is_organizer = organizer["emailAddress"]["address"].lower() == mbx.upn.lower()
    location = dict({"displayName": "", "locationType": "default", "uniqueIdType": "unknown",
                     "address": {}, "coordinates": {}}, **(p.get("location") or {}))
    uid = p.get("iCalUId") or new_icaluid(item.id)
    meta = {
        "id": inst.id, "createdDateTime": item.created,
        "lastModifiedDateTime": item.modified, "changeKey": item.change_key,
        "originalStartTimeZone": item.props["start"]["timeZone"],
        "originalEndTimeZone": item.props["end"]["timeZone"],
        "iCalUId": instance_icaluid(uid, inst.original) if inst.original else uid,
        "hasAttachments": False, "bodyPreview": preview(p.get("body") or {}),
        "isOrganizer": is_organizer,
        "seriesMasterId": item.id if inst.original else None, "type": inst.kind,
        "webLink": "%s/owa/?itemid=%s&exvsurl=1&path=/calendar/item" % (web_base, inst.id),
        "onlineMeetingUrl": None, "isDraft": False,
        "originalStart": graph_time.utc_text(inst.original) if inst.original else None,
        "responseStatus": {"response": "organizer" if is_organizer else "none", "time": NEVER},
        "start": render_time(p["start"], p.get("isAllDay"), zone_name),
        "end": render_time(p["end"], p.get("isAllDay"), zone_name),
        "location": location,
        "locations": p.get("locations") or ([location] if location.get("displayName") else []),
        "organizer": organizer, "onlineMeeting": None,
    }
    out = {"@odata.etag": 'W/"%s"' % item.change_key}
    for k in ORDER:
        out[k] = meta[k] if k in meta else p.get(k)
    return out
