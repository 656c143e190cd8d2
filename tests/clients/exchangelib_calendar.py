#!/usr/bin/python3
# exchangelib_calendar.py - drive the fake EWS calendar with Debian's exchangelib (a real client).
"""exchangelib_calendar.py URL CREDFILE

Creates a single appointment, an all-day event and a weekly series with one modified
and one deleted occurrence in alice's calendar, reads them back (CalendarView,
FindItem, GetItem, OccurrenceItemId, sync_items), updates and deletes, and checks that
what comes back is what was written. Prints "exchangelib calendar ok" at the end and
the ids it made as JSON on the line before, for the bats suite to compare with the
fake's dump."""

import datetime
import json
import sys

from exchangelib import (Account, Attendee, BASIC, Build, CalendarItem, Configuration,
                         Credentials, EWSDate, EWSDateTime, EWSTimeZone, IMPERSONATION,
                         Mailbox, Message, Version)
from exchangelib.extended_properties import ExtendedProperty
from exchangelib.folders import Folder
from exchangelib.recurrence import Recurrence, WeeklyPattern


class OpId(ExtendedProperty):
    distinguished_property_set_id = "PublicStrings"
    property_name = "oisync-op-id"
    property_type = "String"


CalendarItem.register("op_id", OpId)
Message.register("op_id", OpId)


def check(cond, what):
    if not cond:
        raise SystemExit("FAILED: %s" % what)


def main(url, credfile):
    secret = dict(line.rstrip("\n").split(":", 1) for line in open(credfile))["svc-oisync"]
    cfg = Configuration(service_endpoint=url, credentials=Credentials("svc-oisync", secret),
                        auth_type=BASIC, version=Version(build=Build(15, 1)))
    acc = Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
                  config=cfg, autodiscover=False, default_timezone=EWSTimeZone("UTC"))
    cal = acc.calendar
    berlin = EWSTimeZone("Europe/Berlin")
    utc = EWSTimeZone("UTC")

    list(cal.sync_items())  # start the sync: the seeded calendar
    state0 = cal.item_sync_state

    # 1. a single meeting, in Berlin time, with everything the canonical record needs
    single = CalendarItem(
        folder=cal, subject="Budget review", body="Bring the figures.",
        start=EWSDateTime(2026, 3, 3, 14, 0, tzinfo=berlin),
        end=EWSDateTime(2026, 3, 3, 15, 30, tzinfo=berlin), location="Room 4",
        legacy_free_busy_status="Tentative", sensitivity="Private", categories=["Clients"],
        required_attendees=[Attendee(mailbox=Mailbox(email_address="bob@firm.example",
                                                     name="Bob Smith"),
                                     response_type="Accept")],
        optional_attendees=[Attendee(mailbox=Mailbox(email_address="carol@firm.example",
                                                     name="Carol"),
                                     response_type="Unknown")],
        resources=[Attendee(mailbox=Mailbox(email_address="room4@firm.example",
                                            name="Room 4"), response_type="Unknown")],
        op_id="op-cal-1")
    single.save(send_meeting_invitations="SendToNone")
    got = cal.get(id=single.id)
    check((got.subject, got.location, got.legacy_free_busy_status, got.sensitivity,
           got.categories, got.op_id, got.type) ==
          ("Budget review", "Room 4", "Tentative", "Private", ["Clients"], "op-cal-1", "Single"),
          "single read back: %r" % got)
    check(got.start == EWSDateTime(2026, 3, 3, 13, 0, tzinfo=utc) and
          got.end == EWSDateTime(2026, 3, 3, 14, 30, tzinfo=utc), "single times %s %s"
          % (got.start, got.end))
    check(str(got._start_timezone) == "Europe/Berlin", "start zone %s" % got._start_timezone)
    check(got.body == "Bring the figures.", "body %r" % got.body)
    check([(a.mailbox.email_address, a.mailbox.name, a.response_type)
           for a in got.required_attendees] == [("bob@firm.example", "Bob Smith", "Accept")],
          "required attendees %r" % got.required_attendees)
    check(got.optional_attendees[0].mailbox.email_address == "carol@firm.example",
          "optional attendees")
    check(got.resources[0].mailbox.email_address == "room4@firm.example", "resources")
    check(got.organizer.email_address == "alice@firm.example", "organizer %r" % got.organizer)
    check(got.uid and got.is_meeting, "uid and is_meeting")

    # 2. an all-day event
    allday = CalendarItem(folder=cal, subject="Firm holiday", is_all_day=True,
                          start=EWSDate(2026, 3, 6), end=EWSDate(2026, 3, 6))
    allday.save(send_meeting_invitations="SendToNone")
    got = cal.get(id=allday.id)
    check(got.is_all_day and got.subject == "Firm holiday", "all-day read back %r" % got)
    # exchangelib's end date of an all-day event is its last day (it writes End as the
    # next midnight, which is what EWS means)
    check(got.start == EWSDate(2026, 3, 6) and got.end == EWSDate(2026, 3, 6),
          "all-day dates %r %r" % (got.start, got.end))

    # 3. a weekly series, Mondays and Thursdays 09:00 Berlin, 8 times, across the DST
    #    change of 29 March 2026
    master = CalendarItem(
        folder=cal, subject="Team call", start=EWSDateTime(2026, 3, 16, 9, 0, tzinfo=berlin),
        end=EWSDateTime(2026, 3, 16, 9, 30, tzinfo=berlin),
        recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=["Monday", "Thursday"]),
                              start=EWSDate(2026, 3, 16), number=8))
    master.save(send_meeting_invitations="SendToNone")
    third = master.occurrence(3)            # OccurrenceItemId: Monday 23 March
    third.refresh()
    check(third.type == "Occurrence" and third.start == EWSDateTime(2026, 3, 23, 8, 0, tzinfo=utc),
          "third occurrence %r %s" % (third.type, third.start))
    third.subject = "Team call (moved)"
    third.start = EWSDateTime(2026, 3, 23, 11, 0, tzinfo=berlin)
    third.end = EWSDateTime(2026, 3, 23, 11, 30, tzinfo=berlin)
    third.save(update_fields=["subject", "start", "end"],
               send_meeting_invitations="SendToNone")
    fifth = master.occurrence(5)            # Monday 30 March, after the DST change
    fifth.refresh()
    check(fifth.start == EWSDateTime(2026, 3, 30, 7, 0, tzinfo=utc),
          "DST: 09:00 Berlin is 07:00 UTC after 29 March, got %s" % fifth.start)
    fifth.delete(send_meeting_cancellations="SendToNone")

    # 4. read back: CalendarView expands the series
    start = EWSDateTime(2026, 3, 1, tzinfo=utc)
    end = EWSDateTime(2026, 5, 1, tzinfo=utc)
    view = list(cal.view(start=start, end=end))
    series = [v for v in view if v.subject.startswith("Team call")]
    check(len(series) == 7, "7 of 8 occurrences in the view, got %d" % len(series))
    check(len({v.id for v in view}) == len(view), "distinct ids in the view")
    types = sorted(v.type for v in series)
    check(types == ["Exception"] + ["Occurrence"] * 6, "types %r" % types)
    exc = [v for v in series if v.type == "Exception"][0]
    check(exc.subject == "Team call (moved)" and
          exc.start == EWSDateTime(2026, 3, 23, 10, 0, tzinfo=utc) and
          exc.original_start == EWSDateTime(2026, 3, 23, 8, 0, tzinfo=utc),
          "exception %s %s %s" % (exc.subject, exc.start, exc.original_start))
    check(all(v.original_start == v.start for v in series if v.type == "Occurrence"),
          "occurrences have OriginalStart")
    check(EWSDateTime(2026, 3, 30, 7, 0, tzinfo=utc) not in [v.start for v in series],
          "the deleted occurrence is not in the view")
    check({v.uid for v in series} == {master.uid} if master.uid else True, "one UID")
    check(sorted(v.subject for v in view if not v.subject.startswith("Team call")) ==
          ["Budget review", "Firm holiday"], "singles in the view")
    back = exc.recurring_master()           # RecurringMasterItemId
    back.refresh()
    check(back.id == master.id, "the master is reachable from an exception")

    # the master, as FindItem without CalendarView and GetItem show it
    listed = {i.id: i for i in cal.all()}
    check(set(listed) >= {single.id, allday.id, master.id} and
          all(i.type in ("Single", "RecurringMaster") for i in listed.values()),
          "FindItem lists singles and masters only")
    m = cal.get(id=master.id)
    check(m.type == "RecurringMaster", "master type %s" % m.type)
    check(m.recurrence.pattern.weekdays == [1, 4] or
          [str(d) for d in m.recurrence.pattern.weekdays] in (["Monday", "Thursday"], ["1", "4"]),
          "pattern days %r" % m.recurrence.pattern.weekdays)
    check(m.recurrence.boundary.number == 8, "NumberedRecurrence %r" % m.recurrence.boundary)
    check([o.start for o in m.modified_occurrences] ==
          [EWSDateTime(2026, 3, 23, 10, 0, tzinfo=utc)], "ModifiedOccurrences")
    check([o.start for o in m.deleted_occurrences] ==
          [EWSDateTime(2026, 3, 30, 7, 0, tzinfo=utc)], "DeletedOccurrences")
    check(m.first_occurrence.start == EWSDateTime(2026, 3, 16, 8, 0, tzinfo=utc) and
          m.last_occurrence.start == EWSDateTime(2026, 4, 9, 7, 0, tzinfo=utc),
          "first/last occurrence %s %s" % (m.first_occurrence.start, m.last_occurrence.start))

    # 5. sync_items: three creates since state0 (singles and the master, no occurrences)
    cal.item_sync_state = state0
    changes = [(k, i.id if hasattr(i, "id") else i) for k, i in cal.sync_items()]
    check(sorted(changes) == sorted([("create", single.id), ("create", allday.id),
                                     ("create", master.id)]), "sync creates %r" % changes)

    # 6. update and delete
    got = cal.get(id=single.id)
    got.subject = "Budget review (final)"
    got.location = "Room 5"
    got.save(update_fields=["subject", "location"],
             send_meeting_invitations="SendToNone")
    again = cal.get(id=single.id)
    check((again.subject, again.location) == ("Budget review (final)", "Room 5"), "updated")
    check(sorted(k for k, _ in cal.sync_items()) == ["update"], "sync sees the update")
    again.delete(send_meeting_cancellations="SendToNone")
    check([k for k, _ in cal.sync_items()] == ["delete"], "sync sees the delete")

    # 7. a folder of our own, with a message carrying the op id (the last-sync record)
    top = acc.msg_folder_root
    mine = Folder(parent=top, name="InterAction Sync")
    mine.save()
    found = [f for f in top.children if f.name == "InterAction Sync"]
    check(len(found) == 1 and found[0].id == mine.id, "FindFolder finds the new folder")
    note = Message(folder=mine, subject="oisync last sync", body="2026-03-01T00:00:00Z",
                   op_id="sync-id-1")
    note.save()
    got = mine.get(id=note.id)
    check((got.subject, got.op_id) == ("oisync last sync", "sync-id-1"), "message read back")
    check([i.id for i in mine.filter(op_id="sync-id-1")] == [note.id], "FindItem on the op id")

    print(json.dumps({"single": single.id, "allday": allday.id, "master": master.id,
                      "exception": exc.id, "folder": mine.id, "message": note.id}))
    print("exchangelib calendar ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    sys.exit(0)
_ = datetime  # imported for interactive use
