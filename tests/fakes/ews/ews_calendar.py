# ews_calendar.py - calendar arithmetic of the fake EWS server: times, zones, recurrence.
"""Times and recurrence expansion for CalendarItems (standard library only).

Stored times are UTC strings "YYYY-MM-DDTHH:MM:SSZ". A recurring master's pattern is
expanded in the master's start time zone (StartTimeZone, a Windows zone name), so a
weekly 09:00 meeting in "W. Europe Standard Time" stays at 09:00 local across a DST
change, as in Exchange. Recurrence is kept in EWS-native JSON:

    {"Pattern": {"Type": "WeeklyRecurrence", "Interval": "1",
                 "DaysOfWeek": "Monday Thursday", "FirstDayOfWeek": "Sunday"},
     "Range": {"Type": "EndDateRecurrence", "StartDate": "2026-01-05",
               "EndDate": "2026-03-30"}}

Patterns: DailyRecurrence, WeeklyRecurrence, AbsoluteMonthlyRecurrence,
RelativeMonthlyRecurrence, AbsoluteYearlyRecurrence, RelativeYearlyRecurrence.
Ranges: NoEndRecurrence, EndDateRecurrence, NumberedRecurrence.
"""

import calendar
import datetime
import re

try:
    import zoneinfo
except ImportError:  # pragma: no cover - Python < 3.9
    zoneinfo = None

UTC = datetime.timezone.utc
# Windows time zone names (what Exchange sends) to IANA names; CLDR windowsZones "001".
WINDOWS_TO_IANA = {
    "UTC": "UTC", "Coordinated Universal Time": "UTC",
    "GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin", "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau", "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest", "Turkey Standard Time": "Europe/Istanbul",
    "Russian Standard Time": "Europe/Moscow", "Israel Standard Time": "Asia/Jerusalem",
    "South Africa Standard Time": "Africa/Johannesburg", "Arabian Standard Time": "Asia/Dubai",
    "India Standard Time": "Asia/Calcutta", "China Standard Time": "Asia/Shanghai",
    "Singapore Standard Time": "Asia/Singapore", "Tokyo Standard Time": "Asia/Tokyo",
    "Korea Standard Time": "Asia/Seoul", "AUS Eastern Standard Time": "Australia/Sydney",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver", "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles", "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu", "Atlantic Standard Time": "America/Halifax",
    "Canada Central Standard Time": "America/Regina",
    "E. South America Standard Time": "America/Sao_Paulo",
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_SETS = {"Day": set(range(7)), "Weekday": {0, 1, 2, 3, 4}, "WeekendDay": {5, 6}}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
INDEXES = ["First", "Second", "Third", "Fourth", "Last"]
PATTERNS = ["RelativeYearlyRecurrence", "AbsoluteYearlyRecurrence",
            "RelativeMonthlyRecurrence", "AbsoluteMonthlyRecurrence", "WeeklyRecurrence",
            "DailyRecurrence"]
# Children of each pattern in schema order (types.xsd).
PATTERN_FIELDS = {
    "RelativeYearlyRecurrence": ["DaysOfWeek", "DayOfWeekIndex", "Month"],
    "AbsoluteYearlyRecurrence": ["DayOfMonth", "Month"],
    "RelativeMonthlyRecurrence": ["Interval", "DaysOfWeek", "DayOfWeekIndex"],
    "AbsoluteMonthlyRecurrence": ["Interval", "DayOfMonth"],
    "WeeklyRecurrence": ["Interval", "DaysOfWeek", "FirstDayOfWeek"],
    "DailyRecurrence": ["Interval"],
}
RANGES = {"NoEndRecurrence": ["StartDate"], "EndDateRecurrence": ["StartDate", "EndDate"],
          "NumberedRecurrence": ["StartDate", "NumberOfOccurrences"]}
DT_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d+)?)?"
                   r"(Z|[+-]\d{2}:\d{2})?$")
MAX_STEPS = 200000  # dates examined per expansion: a guard against runaway patterns


class CalendarError(ValueError):
    """An EWS error code for a calendar request (ErrorCalendarInvalidRecurrence, ...)."""

    def __init__(self, code, text=None):
        super().__init__(code)
        self.code = code
        self.text = text


def zone(windows_name):
    """tzinfo for a Windows zone name; UTC for unknown names or without zoneinfo."""
    iana = WINDOWS_TO_IANA.get(windows_name or "UTC")
    if iana and zoneinfo is not None:
        try:
            return zoneinfo.ZoneInfo(iana)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def parse_dt(s, tz=UTC):
    """Aware datetime for an xs:dateTime (or xs:date: midnight); naive values are in tz."""
    m = DT_RE.match((s or "").strip())
    if not m:
        raise ValueError("not an xs:dateTime: %r" % s)
    y, mo, d, hh, mi, ss, _frac, off = m.groups()
    dt = datetime.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    if off == "Z":
        return dt.replace(tzinfo=UTC)
    if off:
        sign = 1 if off[0] == "+" else -1
        delta = datetime.timedelta(hours=int(off[1:3]), minutes=int(off[4:6]))
        return dt.replace(tzinfo=datetime.timezone(sign * delta))
    return dt.replace(tzinfo=tz)


def fmt(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(s, tz=UTC):
    """Normalize an xs:dateTime to the stored UTC form."""
    return fmt(parse_dt(s, tz))


def parse_date(s):
    """datetime.date of an xs:date ("2026-01-05", "2026-01-05Z", "2026-01-05+01:00")."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", (s or "").strip())
    if not m:
        raise CalendarError("ErrorCalendarInvalidRecurrence", "bad date %r" % s)
    return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def check_recurrence(rec):
    """Raise CalendarError unless rec is a pattern and a range the fake can expand."""
    bad = "ErrorCalendarInvalidRecurrence"
    pat, rng = rec.get("Pattern") or {}, rec.get("Range") or {}
    if pat.get("Type") not in PATTERN_FIELDS or rng.get("Type") not in RANGES:
        raise CalendarError(bad, "recurrence needs a pattern and a range")
    for f in PATTERN_FIELDS[pat["Type"]]:
        if f == "FirstDayOfWeek":
            continue
        if f not in pat:
            raise CalendarError(bad, "%s needs %s" % (pat["Type"], f))
    if "Interval" in pat and not str(pat["Interval"]).isdigit() or \
            "Interval" in pat and int(pat["Interval"]) < 1:
        raise CalendarError(bad, "Interval must be a positive integer")
    days = (pat.get("DaysOfWeek") or "").split()
    if any(d not in DAYS and d not in DAY_SETS for d in days):
        raise CalendarError("ErrorCalendarInvalidDayForWeeklyRecurrence"
                            if pat["Type"] == "WeeklyRecurrence" else bad,
                            "bad DaysOfWeek %r" % pat.get("DaysOfWeek"))
    if "Month" in pat and pat["Month"] not in MONTHS:
        raise CalendarError(bad, "bad Month %r" % pat["Month"])
    if "DayOfWeekIndex" in pat and pat["DayOfWeekIndex"] not in INDEXES:
        raise CalendarError(bad, "bad DayOfWeekIndex %r" % pat["DayOfWeekIndex"])
    if "DayOfMonth" in pat and not (str(pat["DayOfMonth"]).isdigit()
                                    and 1 <= int(pat["DayOfMonth"]) <= 31):
        raise CalendarError(bad, "bad DayOfMonth %r" % pat["DayOfMonth"])
    for f in RANGES[rng["Type"]]:
        if f not in rng:
            raise CalendarError(bad, "%s needs %s" % (rng["Type"], f))
    parse_date(rng["StartDate"])
    if "EndDate" in rng and parse_date(rng["EndDate"]) < parse_date(rng["StartDate"]):
        raise CalendarError(bad, "EndDate before StartDate")
    if "NumberOfOccurrences" in rng and not (str(rng["NumberOfOccurrences"]).isdigit()
                                             and int(rng["NumberOfOccurrences"]) >= 1):
        raise CalendarError(bad, "bad NumberOfOccurrences")


def _day_set(pat):
    out = set()
    for d in (pat.get("DaysOfWeek") or "").split():
        out |= DAY_SETS[d] if d in DAY_SETS else {DAYS.index(d)}
    return out


def _nth_in_month(year, month, days, index):
    """The date of the First..Fourth/Last day in `days` (weekday numbers) of a month."""
    n = calendar.monthrange(year, month)[1]
    hits = [datetime.date(year, month, d) for d in range(1, n + 1)
            if datetime.date(year, month, d).weekday() in days]
    if not hits:
        return None
    i = INDEXES.index(index)
    return hits[-1] if i == 4 else (hits[i] if i < len(hits) else None)


def _add_months(year, month, k):
    m = month - 1 + k
    return year + m // 12, m % 12 + 1


def _dates(pat, start):
    """Candidate local dates of a pattern from `start` (a date) on, in order."""
    kind = pat["Type"]
    interval = int(pat.get("Interval", 1) or 1)
    if kind == "DailyRecurrence":
        d = start
        while True:
            yield d
            d += datetime.timedelta(days=interval)
    elif kind == "WeeklyRecurrence":
        first = DAYS.index(pat.get("FirstDayOfWeek") or "Sunday")
        days = sorted(_day_set(pat), key=lambda w: (w - first) % 7)
        week = start - datetime.timedelta(days=(start.weekday() - first) % 7)
        while True:
            for w in days:
                d = week + datetime.timedelta(days=(w - first) % 7)
                if d >= start:
                    yield d
            week += datetime.timedelta(days=7 * interval)
    else:
        yearly = "Yearly" in kind
        step = 12 if yearly else interval
        year, month = start.year, start.month
        if yearly:
            month = MONTHS.index(pat["Month"]) + 1
            if month < start.month:
                year += 1
        k = 0
        while True:
            y, m = _add_months(year, month, k)
            k += step
            if y > 9999:
                return
            if kind.startswith("Absolute"):
                dom = min(int(pat["DayOfMonth"]), calendar.monthrange(y, m)[1])
                d = datetime.date(y, m, dom)
            else:
                d = _nth_in_month(y, m, _day_set(pat), pat["DayOfWeekIndex"])
            if d is not None and d >= start:
                yield d


def occurrences(props, until=None, tz=None):
    """(index, original start, end) of every occurrence of a master, in order, as aware
    UTC datetimes; index is 1-based (InstanceIndex). Stops at the range's end, or at the
    first occurrence starting at or after `until` (needed for NoEndRecurrence). The
    pattern is expanded in tz, by default the master's start zone (the Graph fake
    passes the zone of its series, which may be an IANA one)."""
    rec = props["Recurrence"]
    pat, rng = rec["Pattern"], rec["Range"]
    tz = tz or start_zone(props)
    first = parse_dt(props["Start"])
    duration = parse_dt(props["End"]) - first
    local_time = first.astimezone(tz).time()
    start_date = parse_date(rng["StartDate"])
    end_date = parse_date(rng["EndDate"]) if "EndDate" in rng else None
    count = int(rng["NumberOfOccurrences"]) if "NumberOfOccurrences" in rng else None
    if end_date is None and count is None and until is None:
        raise ValueError("a NoEndRecurrence needs a limit")
    index = 0
    for steps, d in enumerate(_dates(pat, start_date)):
        if steps > MAX_STEPS or (end_date and d > end_date) or (count and index >= count):
            return
        s = datetime.datetime.combine(d, local_time).replace(tzinfo=tz).astimezone(UTC)
        if until is not None and s >= until:
            return
        index += 1
        yield index, s, s + duration


def local_midnight(s, tz, up=False):
    """The local midnight at or before (up: at or after) a stored UTC time, in tz."""
    local = parse_dt(s).astimezone(tz)
    day = local.date()
    if up and local.time() != datetime.time(0):
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0)).replace(tzinfo=tz).astimezone(UTC)


def start_zone(props):
    """tzinfo of an item's start: StartTimeZone, else MeetingTimeZone (Exchange 2007)."""
    return zone(props.get("StartTimeZone") or props.get("MeetingTimeZone"))


def duration(start, end):
    """xs:duration of end - start, as Exchange writes it (PT1H30M, P1D)."""
    secs = int((parse_dt(end) - parse_dt(start)).total_seconds())
    days, rest = divmod(max(secs, 0), 86400)
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    t = "".join("%d%s" % (v, u) for v, u in ((h, "H"), (m, "M"), (sec, "S")) if v)
    return "P" + ("%dD" % days if days else "") + ("T" + t if t else "") if secs else "PT0S"
