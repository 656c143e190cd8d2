#!/usr/bin/python3
# exchangelib_write_all.py - write (and read back) every property behind a canonical field with exchangelib.
"""exchangelib_write_all.py URL CREDFILE write
   exchangelib_write_all.py URL CREDFILE read ITEMID

write: creates in alice's mailbox, with Debian's exchangelib (a real EWS client), one
contact carrying every property behind a canonical contact field of oisync-records(5)
(the prefix as PidTagDisplayNamePrefix 0x3A45, since exchangelib's CompleteName is read
only; User Fields 1-4 as Outlook's named properties 0x804F..0x8052), one meeting with
every property behind a canonical appointment field, an all-day event and a weekly
series with one exception; reads each back with exchangelib and checks it is what was
written. Prints the ids as JSON, then "exchangelib write-all ok".

read: prints the contact ITEMID as exchangelib reads it, as JSON with exchangelib's
attribute names (phones, addresses and e-mails keyed by their EWS labels), for the
bats suite to compare with what oisync-apply wrote.

CREDFILE holds "svc-oisync:PASSWORD" lines (the fake's credentials file, mode 0600)."""

import json
import sys

from exchangelib import (Account, Attendee, BASIC, Build, CalendarItem, Configuration,
                         Contact, Credentials, EWSDate, EWSDateTime, EWSTimeZone,
                         IMPERSONATION, Mailbox, Version)
from exchangelib.extended_properties import ExtendedProperty
from exchangelib.indexed_properties import EmailAddress, PhoneNumber, PhysicalAddress
from exchangelib.recurrence import Recurrence, WeeklyPattern

OUTLOOK_USER_FIELDS = "00062004-0000-0000-C000-000000000046"


class Prefix(ExtendedProperty):
    """PidTagDisplayNamePrefix: what EWS shows as CompleteName/Title."""
    property_tag = 0x3A45
    property_type = "String"


def user_field(n):
    return type("UserField%d" % n, (ExtendedProperty,),
                {"property_set_id": OUTLOOK_USER_FIELDS, "property_id": 0x804F + n - 1,
                 "property_type": "String"})


class OpId(ExtendedProperty):
    distinguished_property_set_id = "PublicStrings"
    property_name = "oisync-op-id"
    property_type = "String"


Contact.register("prefix", Prefix)
for _n in range(1, 5):
    Contact.register("user_field_%d" % _n, user_field(_n))
Contact.register("op_id", OpId)

# What the contact is written with; the bats suite checks the same values in
# oisync-extract's data and oisync-transform's canonical record.
PHONES = {"BusinessPhone": "+1 212-555-0100 ext. 12", "BusinessPhone2": "+1 212 555 0102",
          "MobilePhone": "(212) 555-0103", "HomePhone": "+12125550104",
          "HomePhone2": "+1-212-555-0105", "BusinessFax": "+1 212 555 0106",
          "HomeFax": "+1 212 555 0107", "AssistantPhone": "+1 212 555 0108",
          "Pager": "+1 212 555 0109", "OtherTelephone": "+44 20 7946 0110"}
ADDRESSES = {
    "Business": {"street": "1 Main Street\nSuite 400", "city": "New York", "state": "NY",
                 "zipcode": "10001", "country": "United States"},
    "Home": {"street": "12 Rue de la Paix\nApt 3", "city": "Paris", "state": "Ile-de-France",
             "zipcode": "75002", "country": "France"},
    "Other": {"street": "9 Side Road\nUnit B", "city": "Berlin", "state": "Berlin",
              "zipcode": "10115", "country": "Germany"},
}
EMAILS = {"EmailAddress1": "ann.lee@lee.example", "EmailAddress2": "ann@home.example",
          "EmailAddress3": "ann.other@mail.example"}
CONTACT = dict(
    prefix="Dr.", given_name="Ann", middle_name="B.", surname="Lee", generation="III",
    nickname="Annie", display_name="Dr. Ann B. Lee III", file_as="Lee, Ann",
    company_name="Lee & <Sons>", job_title="Chief Executive", department="Operations",
    assistant_name="Bo Day", business_homepage="https://lee.example/?a=1&b=2",
    postal_address_index="Home", birthday=EWSDate(1970, 6, 15),
    body="Met at the 2024 IP conference.\nPrefers e-mail.\n\tIndented line.",
    categories=["Clients", "VIP b"], sensitivity="Private",
    user_field_1="Matter 2024-001", user_field_2="two", user_field_3="three",
    user_field_4="four")


def check(cond, what):
    if not cond:
        raise SystemExit("FAILED: %s" % what)


def account(url, credfile):
    with open(credfile) as f:
        secret = dict(line.rstrip("\n").split(":", 1) for line in f if ":" in line)["svc-oisync"]
    cfg = Configuration(service_endpoint=url, credentials=Credentials("svc-oisync", secret),
                        auth_type=BASIC, version=Version(build=Build(15, 1)))
    return Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
                   config=cfg, autodiscover=False, default_timezone=EWSTimeZone("UTC"))


def contact_json(c):
    """A contact as exchangelib reads it: every attribute behind a canonical field."""
    out = {k: getattr(c, k) for k in CONTACT if k not in ("birthday", "body")}
    out["birthday"] = c.birthday.isoformat() if c.birthday else None
    out["body"] = str(c.body) if c.body is not None else None
    out["complete_name_title"] = c.complete_name.title if c.complete_name else None
    out["op_id"] = c.op_id
    out["emails"] = {e.label: e.email for e in c.email_addresses or []}
    out["phones"] = {p.label: p.phone_number for p in c.phone_numbers or []}
    out["addresses"] = {a.label: {k: getattr(a, k) for k in
                                  ("street", "city", "state", "zipcode", "country")
                                  if getattr(a, k) is not None}
                        for a in c.physical_addresses or []}
    return out


def write_contact(acc):
    c = Contact(folder=acc.contacts, **CONTACT)
    c.email_addresses = [EmailAddress(label=k, email=v) for k, v in EMAILS.items()]
    c.phone_numbers = [PhoneNumber(label=k, phone_number=v) for k, v in PHONES.items()]
    c.physical_addresses = [PhysicalAddress(label=k, **v) for k, v in ADDRESSES.items()]
    c.save()
    got = contact_json(acc.contacts.get(id=c.id))
    want = dict(CONTACT, birthday=CONTACT["birthday"].isoformat(), complete_name_title="Dr.",
                op_id=None, emails=EMAILS, phones=PHONES, addresses=ADDRESSES)
    for key in want:
        check(got[key] == want[key], "contact %s: wrote %r, read %r" % (key, want[key], got[key]))
    return c.id


def write_calendar(acc):
    cal = acc.calendar
    ny = EWSTimeZone("America/New_York")
    utc = EWSTimeZone("UTC")
    uid = "oisync-write-all-0001@firm.example"
    single = CalendarItem(
        folder=cal, subject="Budget review", uid=uid,
        body="Bring the figures.\nAnd the draft.",
        start=EWSDateTime(2026, 3, 3, 14, 0, tzinfo=ny),
        end=EWSDateTime(2026, 3, 3, 15, 30, tzinfo=ny), location="Room 4",
        legacy_free_busy_status="Tentative", sensitivity="Private",
        categories=["Clients", "Billing"],
        required_attendees=[Attendee(mailbox=Mailbox(email_address="bob@firm.example",
                                                     name="Bob Smith"), response_type="Accept")],
        optional_attendees=[Attendee(mailbox=Mailbox(email_address="carol@firm.example",
                                                     name="Carol Jones"),
                                     response_type="Tentative")],
        resources=[Attendee(mailbox=Mailbox(email_address="room4@firm.example",
                                            name="Room 4"), response_type="Unknown")])
    single.save(send_meeting_invitations="SendToNone")
    got = cal.get(id=single.id)
    check((got.subject, got.uid, got.location, got.legacy_free_busy_status, got.sensitivity,
           got.categories, str(got.body), got.type) ==
          ("Budget review", uid, "Room 4", "Tentative", "Private", ["Clients", "Billing"],
           "Bring the figures.\nAnd the draft.", "Single"), "single read back: %r" % got)
    check((got.start, got.end) == (EWSDateTime(2026, 3, 3, 19, 0, tzinfo=utc),
                                   EWSDateTime(2026, 3, 3, 20, 30, tzinfo=utc)),
          "single times %s %s" % (got.start, got.end))
    check(str(got._start_timezone) == "America/New_York", "zone %s" % got._start_timezone)
    check(got.organizer.email_address == "alice@firm.example", "organizer %r" % got.organizer)
    check([(a.mailbox.email_address, a.mailbox.name, a.response_type)
           for a in got.required_attendees + got.optional_attendees + got.resources] ==
          [("bob@firm.example", "Bob Smith", "Accept"),
           ("carol@firm.example", "Carol Jones", "Tentative"),
           ("room4@firm.example", "Room 4", "Unknown")], "attendees")

    allday = CalendarItem(folder=cal, subject="Firm holiday", is_all_day=True,
                          legacy_free_busy_status="Free",
                          start=EWSDate(2026, 3, 6), end=EWSDate(2026, 3, 6))
    allday.save(send_meeting_invitations="SendToNone")
    got = cal.get(id=allday.id)
    check(got.is_all_day and (got.start, got.end) == (EWSDate(2026, 3, 6), EWSDate(2026, 3, 6)),
          "all-day read back %r %r" % (got.start, got.end))

    # Tuesdays 10:00 New York, six times from 2026-03-10 (across the US DST change
    # of 8 March: 14:00Z); the third (24 March) moves to Wednesday 11:00.
    master = CalendarItem(
        folder=cal, subject="Partners' meeting", location="Board room",
        start=EWSDateTime(2026, 3, 10, 10, 0, tzinfo=ny),
        end=EWSDateTime(2026, 3, 10, 11, 0, tzinfo=ny),
        recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=["Tuesday"]),
                              start=EWSDate(2026, 3, 10), number=6))
    master.save(send_meeting_invitations="SendToNone")
    third = master.occurrence(3)
    third.refresh()
    check(third.start == EWSDateTime(2026, 3, 24, 14, 0, tzinfo=utc), "third %s" % third.start)
    third.subject = "Partners' meeting (moved)"
    third.start = EWSDateTime(2026, 3, 25, 11, 0, tzinfo=ny)
    third.end = EWSDateTime(2026, 3, 25, 12, 0, tzinfo=ny)
    third.save(update_fields=["subject", "start", "end"], send_meeting_invitations="SendToNone")
    view = [v for v in cal.view(start=EWSDateTime(2026, 3, 1, tzinfo=utc),
                                end=EWSDateTime(2026, 5, 1, tzinfo=utc))
            if v.subject.startswith("Partners")]
    check(sorted(v.type for v in view) == ["Exception"] + ["Occurrence"] * 5,
          "series in the view %r" % [v.type for v in view])
    exc = [v for v in view if v.type == "Exception"][0]
    check((exc.start, exc.original_start) == (EWSDateTime(2026, 3, 25, 15, 0, tzinfo=utc),
                                              EWSDateTime(2026, 3, 24, 14, 0, tzinfo=utc)),
          "exception %s %s" % (exc.start, exc.original_start))
    return {"single": single.id, "uid": uid, "allday": allday.id, "master": master.id,
            "master_uid": cal.get(id=master.id).uid, "exception": exc.id}


def main(argv):
    url, credfile, mode = argv[1:4]
    acc = account(url, credfile)
    if mode == "write":
        ids = {"contact": write_contact(acc)}
        ids.update(write_calendar(acc))
        print(json.dumps(ids))
        print("exchangelib write-all ok")
    elif mode == "read":
        print(json.dumps(contact_json(acc.contacts.get(id=argv[4])), sort_keys=True))
    else:
        raise SystemExit("usage: exchangelib_write_all.py URL CREDFILE write|read [ITEMID]")


if __name__ == "__main__":
    main(sys.argv)
