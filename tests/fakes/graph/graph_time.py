# graph_time.py - time zones and dateTimeTimeZone values of the Graph fake.
"""Graph writes an event's start and end as dateTimeTimeZone {"dateTime":
"2026-03-16T09:00:00.0000000", "timeZone": "W. Europe Standard Time"}: a wall
time and a zone, Windows or IANA named. Replies are in the zone of the request's
`Prefer: outlook.timezone="..."`, UTC without one. The Windows names are the EWS
fake's table (ews_calendar.WINDOWS_TO_IANA, CLDR windowsZones): one table for
both fakes."""

import datetime
import re

import ews_calendar
from graph_odata import GraphError

try:
    import zoneinfo
except ImportError:  # pragma: no cover - Python < 3.9
    zoneinfo = None

UTC = datetime.timezone.utc
DT_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?"
                   r"(Z|[+-]\d{2}:\d{2})?$")


def zone_error(name):
    return GraphError(400, "TimeZoneNotSupportedException",
                      "A valid TimeZone value must be specified. The following TimeZone "
                      "value is not supported: '%s'." % (name,))


def zone(name):
    """tzinfo of a Windows or IANA zone name ("UTC" too); GraphError 400 for others."""
    if not isinstance(name, str) or not name.strip():
        raise zone_error(name)
    name = name.strip()
    if name.upper() in ("UTC", "ETC/UTC", "GMT", "COORDINATED UNIVERSAL TIME"):
        return UTC
    iana = ews_calendar.WINDOWS_TO_IANA.get(name)
    if zoneinfo is not None:
        for candidate in ([iana] if iana else []) + [name]:
            try:
                return zoneinfo.ZoneInfo(candidate)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                continue
    raise zone_error(name)


def parse_wall(text, what):
    """A naive datetime of a dateTime value; an aware one when it carries Z or an
    offset (the fake then takes it as that instant). GraphError 400 otherwise."""
    m = DT_RE.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise GraphError(400, "RequestBodyRead",
                         "Cannot convert the literal '%s' to the expected type 'Edm.DateTime'"
                         " (%s)." % (text, what))
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    micro = int((frac or "0").ljust(6, "0")[:6])
    try:
        dt = datetime.datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), micro)
    except ValueError:
        raise GraphError(400, "RequestBodyRead", "'%s' is not a date-time (%s)." % (text, what)) \
            from None
    if off == "Z":
        return dt.replace(tzinfo=UTC)
    if off:
        sign = 1 if off[0] == "+" else -1
        return dt.replace(tzinfo=datetime.timezone(
            sign * datetime.timedelta(hours=int(off[1:3]), minutes=int(off[4:6]))))
    return dt


def parse_dttz(value, what):
    """(aware UTC datetime, zone name as given) of a dateTimeTimeZone object."""
    if not isinstance(value, dict) or set(value) - {"dateTime", "timeZone", "@odata.type"}:
        raise GraphError(400, "RequestBodyRead",
                         "'%s' must be a dateTimeTimeZone {dateTime, timeZone}." % what)
    name = value.get("timeZone") or "UTC"
    tz = zone(name)
    wall = parse_wall(value.get("dateTime"), what)
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=tz)
    return wall.astimezone(UTC), name


def wall_text(dt):
    """Graph's dateTime text: seven fraction digits, no offset."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%07d" % (dt.microsecond * 10)


def render(instant, zone_name):
    """The dateTimeTimeZone of an aware instant in the named zone."""
    return {"dateTime": wall_text(instant.astimezone(zone(zone_name)).replace(tzinfo=None)),
            "timeZone": zone_name}


def utc_text(instant):
    """DateTimeOffset as Graph writes it: "2026-03-16T08:00:00Z"."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_offset_time(text, what):
    """An aware datetime of a DateTimeOffset query value (startDateTime=...): UTC when
    it carries no offset, as the calendarView documentation says."""
    dt = parse_wall(text, what) if text else None
    if dt is None:
        raise GraphError(400, "ErrorInvalidParameter",
                         "This request requires a time window specified by the query string"
                         " parameters StartDateTime and EndDateTime.")
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
