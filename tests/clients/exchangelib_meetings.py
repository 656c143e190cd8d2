#!/usr/bin/python3
# exchangelib_meetings.py - a user's meetings written by Debian's exchangelib (a real EWS client), for the calendar's end-to-end suite.
"""exchangelib_meetings.py URL CREDFILE create|edit

create: in alice's calendar, relative to today,
  - "Acme kickoff": tomorrow 10:00-11:00 New York time, with attendees;
  - "Sydney offsite": an all-day event in Sydney ten days from now;
  - "Berlin jour fixe": a weekly series at 09:00 Berlin time, four Mondays
    around the next March change to summer time, the second moved an hour
    later, the third deleted;
  - "Doctor": a private meeting tomorrow;
  - "Yesterday's call": ended yesterday, in the category "Calls".
Prints one JSON object: per subject what InterAction must hold, the UTC
instants computed here with Python's zoneinfo (not by oisync's code).

edit: renames "Acme kickoff" to "Acme kickoff (agenda)" and deletes the
"Sydney offsite" event; prints "edited"."""

import datetime
import json
import sys
from zoneinfo import ZoneInfo

from exchangelib import (Account, Attendee, BASIC, Build, CalendarItem, Configuration,
                         Credentials, EWSDate, EWSDateTime, EWSTimeZone, IMPERSONATION,
                         Mailbox, Version)
from exchangelib.recurrence import Recurrence, WeeklyPattern

UTC = datetime.timezone.utc


def z(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def account(url, credfile):
    secret = dict(line.rstrip("\n").split(":", 1) for line in open(credfile))["svc-oisync"]
    cfg = Configuration(service_endpoint=url, credentials=Credentials("svc-oisync", secret),
                        auth_type=BASIC, version=Version(build=Build(15, 1)))
    return Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
                   config=cfg, autodiscover=False, default_timezone=EWSTimeZone("UTC"))


def ews_dt(d, hour, zone):
    return EWSDateTime(d.year, d.month, d.day, hour, 0, tzinfo=EWSTimeZone(zone))


def py_dt(d, hour, zone):
    return datetime.datetime(d.year, d.month, d.day, hour, 0, tzinfo=ZoneInfo(zone))


def next_march_change(today):
    """The last Sunday of March (Europe's change to summer time) after today."""
    year = today.year if today < datetime.date(today.year, 3, 25) else today.year + 1
    d = datetime.date(year, 3, 31)
    return d - datetime.timedelta(days=(d.weekday() + 1) % 7)


def create(acc):
    cal = acc.calendar
    today = datetime.datetime.now(UTC).date()
    tomorrow = today + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    want = {}

    ny = "America/New_York"
    CalendarItem(
        folder=cal, subject="Acme kickoff", location="Acme HQ", body="Scope and fees.",
        start=ews_dt(tomorrow, 10, ny), end=ews_dt(tomorrow, 11, ny),
        required_attendees=[
            Attendee(mailbox=Mailbox(email_address="erik.nilsson@nordvik.example", name="Erik Nilsson"),
                     response_type="Accept"),
            Attendee(mailbox=Mailbox(email_address="bob@firm.example", name="Bob Jones"),
                     response_type="Accept")],
        optional_attendees=[
            Attendee(mailbox=Mailbox(email_address="visitor@elsewhere.example", name="A Visitor"),
                     response_type="Unknown")],
    ).save(send_meeting_invitations="SendToNone")
    want["Acme kickoff"] = {"start": z(py_dt(tomorrow, 10, ny)), "end": z(py_dt(tomorrow, 11, ny)),
                            "time_zone": ny, "all_day": False}

    sydney = "Australia/Sydney"
    day = today + datetime.timedelta(days=10)
    # The event's own zone, as Outlook in Sydney writes it: Start is that day's
    # midnight in Sydney, the day before in UTC.
    CalendarItem(folder=cal, subject="Sydney offsite", is_all_day=True,
                 start=EWSDate(day.year, day.month, day.day), end=EWSDate(day.year, day.month, day.day),
                 _start_timezone=EWSTimeZone(sydney), _end_timezone=EWSTimeZone(sydney),
                 ).save(send_meeting_invitations="SendToNone")
    want["Sydney offsite"] = {"start": day.isoformat(), "time_zone": sydney,
                              "end": (day + datetime.timedelta(days=1)).isoformat(), "all_day": True}

    berlin = "Europe/Berlin"
    change = next_march_change(today)
    first = change - datetime.timedelta(days=13)  # the Monday two weeks before
    master = CalendarItem(
        folder=cal, subject="Berlin jour fixe",
        start=ews_dt(first, 9, berlin), end=EWSDateTime(first.year, first.month, first.day, 9, 30,
                                                        tzinfo=EWSTimeZone(berlin)),
        recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=["Monday"]),
                              start=EWSDate(first.year, first.month, first.day), number=4))
    master.save(send_meeting_invitations="SendToNone")
    second = master.occurrence(2)
    second.refresh()
    d2 = first + datetime.timedelta(days=7)
    second.start = ews_dt(d2, 10, berlin)
    second.end = EWSDateTime(d2.year, d2.month, d2.day, 10, 30, tzinfo=EWSTimeZone(berlin))
    second.save(update_fields=["start", "end"], send_meeting_invitations="SendToNone")
    third = master.occurrence(3)
    third.refresh()
    third.delete(send_meeting_cancellations="SendToNone")
    series = []
    for i, hour in ((0, 9), (1, 10), (3, 9)):
        d = first + datetime.timedelta(days=7 * i)
        series.append({"start": z(py_dt(d, hour, berlin)),
                       "original_start": z(py_dt(d, 9, berlin))})
    want["Berlin jour fixe"] = {"occurrences": series, "time_zone": berlin}

    CalendarItem(folder=cal, subject="Doctor", sensitivity="Private",
                 start=ews_dt(tomorrow, 8, "UTC"), end=ews_dt(tomorrow, 9, "UTC"),
                 ).save(send_meeting_invitations="SendToNone")

    CalendarItem(folder=cal, subject="Yesterday's call", categories=["Calls"],
                 start=ews_dt(yesterday, 14, "UTC"), end=ews_dt(yesterday, 15, "UTC"),
                 ).save(send_meeting_invitations="SendToNone")
    want["Yesterday's call"] = {"start": z(py_dt(yesterday, 14, "UTC")), "status": "activity",
                                "type": "Call"}
    return want


def edit(acc):
    cal = acc.calendar
    for item in cal.all():
        if item.subject == "Acme kickoff":
            item.subject = "Acme kickoff (agenda)"
            item.save(update_fields=["subject"], send_meeting_invitations="SendToNone")
        elif item.subject == "Sydney offsite":
            item.delete(send_meeting_cancellations="SendToNone")


def main(url, credfile, what):
    acc = account(url, credfile)
    if what == "create":
        print(json.dumps(create(acc), sort_keys=True))
    elif what == "edit":
        edit(acc)
        print("edited")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
