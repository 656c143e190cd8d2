#!/usr/bin/python3
# make_calendar.py - seeds for both fakes: one user's Outlook calendar of N appointments in the sync window (stdlib only).
"""Write the seeds of bench/calendar: alice's mailbox (EWS fake) and the firm (InterAction fake).

    make_calendar.py N SERIES EWS.json IA.json SUMMARY.json [--seed INT] [--today YYYY-MM-DD]
                     [--history-days 30] [--future-days 180]

EWS side: alice@firm.example's calendar holds N items inside the window
(calendar_history_days before today to calendar_future_days after, as
oisync-extract reads it): SERIES weekly series, each with 2-30 occurrences in
the window (one in three with a moved occurrence, one in four with a deleted
one), the rest single meetings. Subjects, locations, bodies, categories,
organizers and attendees are drawn from lists; a third of the attendees are
InterAction firm contacts (by e-mail), the others colleagues or strangers.
About 2% of the singles are all-day events, 2% private. Times are business
hours in one of six zones, on weekdays, spread evenly across the window; every
item lies at least two days inside it, so a run near midnight UTC reads the
same set. Another 2% of N lie before the window (history; not counted in N).
No contacts on either side: the figures are the calendar's.

InterAction side: alice (an empty contact list), 200 firm contacts, and 1% of
N appointments of alice's that match Outlook singles by subject and start (a
first sync links these rather than create them).

SUMMARY.json: the counts the bench checks the sync against. The output is
the same for the same arguments and --today; --today defaults to the real
date (UTC), as the window does.
"""

import argparse
import datetime
import json
import random
import unicodedata
from zoneinfo import ZoneInfo

UTC = datetime.timezone.utc
MAILBOX = "alice@firm.example"
# Windows zone names (what the EWS fake takes) and their IANA names; weights.
ZONES = [("Eastern Standard Time", "America/New_York", 55), ("GMT Standard Time", "Europe/London", 15),
         ("W. Europe Standard Time", "Europe/Berlin", 10), ("Pacific Standard Time", "America/Los_Angeles", 10),
         ("Central Standard Time", "America/Chicago", 6), ("Tokyo Standard Time", "Asia/Tokyo", 4)]
FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
         "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Chloé José Zoë "
         "Øystein Małgorzata Siobhán Renée Jürgen Ana Wei Priya Kenji Fatima Olu").split()
LAST = ("Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez|"
        "Lopez|Gonzalez|Wilson|Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|O'Brien|"
        "Müller|Nguyen|Kowalski|Rossi|Dubois|Sánchez|Ivanova|Tanaka|Okafor|Van der Berg").split("|")
COMPANY = ("Acme Widgets LLC|Globex Corporation|Initech|Umbrella Holdings plc|Stark & Wayne LLP|"
           "Wonka Industries|Hooli Inc.|Vandelay Import/Export|Soylent GmbH|Tyrell Corp.|"
           "Cyberdyne Systems|Oceanic Airlines|Wayne Enterprises|Dunder Mifflin|Pied Piper").split("|")
TITLE = ("General Counsel|Partner|Associate|CFO|CEO|VP Sales|Head of IP|Director, Compliance|"
         "Senior Analyst|Managing Director").split("|")
SUBJECTS = ["{co}: matter review", "Call with {name}", "Lunch with {name}", "{co} - pitch",
            "Deposition prep: {co} v. {co2}", "Closing: {co} acquisition", "Board call ({co})",
            "Hearing: {co} v. {co2}", "Billing review", "Practice group meeting", "1:1 with {colleague}",
            "Term sheet walk-through with {name}", "Réunion {co}", "Besprechung {co} & Partner",
            "CLE: Ethics update", "Conflicts check - {co}", "Client dinner: {co}",
            "Due diligence kick-off \u2013 {co}", "Settlement conference <{co}>", "Follow-up with {name}"]
SERIES_SUBJECTS = ["Partners' meeting", "Litigation team stand-up", "{co} weekly status",
                   "IP docket review", "Associates' training", "{co} deal call",
                   "Business development lunch", "Knowledge management hour", "Pro bono clinic",
                   "1:1 with {colleague}"]
PRIVATE_SUBJECTS = ["Doctor", "Dentist", "School pickup", "Parent-teacher conference", "Gym"]
ALLDAY_SUBJECTS = ["Firm offsite", "Out of office", "{co} trial day", "Conference: Legal Tech Week",
                   "Public holiday", "Travel to London"]
LOCATIONS = ["", "", "Conference Room 12A", "Conference Room 3", "Microsoft Teams Meeting",
             "Zoom: https://zoom.example/j/8841", "{co} offices", "Café Luna, 12 Main St",
             "Courtroom 4B, 500 Pearl Street", "Dial-in +1 212 555 0100, PIN 4411#",
             "London office, 7th floor", "München, Maximilianstraße 35"]
BODIES = ["Agenda to follow.", "Bring the draft agreement.", "Dial-in details below.\nPIN: 4411#",
          "Please review the memo beforehand.", "Prep: exhibits A-F.", "Parking at the rear entrance.",
          "Notes from the last meeting attached.", ""]
CATEGORIES = [[], [], ["Clients"], ["Clients", "VIP"], ["Calls"], ["Internal"], ["Court"],
              ["Business development"], ["Clients", "Calls"]]
DURATIONS = [30, 30, 60, 60, 60, 90, 120]
RESPONSES = ["Accept", "Accept", "Tentative", "NoResponseReceived", "Unknown", "Decline"]


def ascii_local(s):
    """An e-mail local part for a name: accents dropped (José -> jose), spaces and
    apostrophes too."""
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if c.isascii() and c.isalnum())


def firm_contacts(r, n):
    out = []
    for i in range(n):
        first, last = r.choice(FIRST), r.choice(LAST)
        company = r.choice(COMPANY)
        domain = ascii_local(company.split()[0].strip(".,&")) + ".example"
        out.append({"id": "c-%06d" % (i + 1), "version": 1, "updated_at": "2026-01-05T09:00:00Z",
                    "first_name": first, "last_name": last, "company_name": company,
                    "job_title": r.choice(TITLE),
                    "emails": {"business": "%s.%s%d@%s" % (ascii_local(first), ascii_local(last), i, domain)}})
    return out


class Gen:
    def __init__(self, r, contacts):
        self.r = r
        self.contacts = contacts
        self.colleagues = [("%s %s" % (f, l), "%s.%s@firm.example" % (ascii_local(f), ascii_local(l)))
                           for f, l in zip(r.sample(FIRST, 20), r.sample(LAST, 20))]
        self.zones = [z for z in ZONES for _ in range(z[2])]

    def person(self, kind):
        r = self.r
        if kind == "firm":
            c = r.choice(self.contacts)
            return "%s %s" % (c["first_name"], c["last_name"]), c["emails"]["business"]
        if kind == "colleague":
            return r.choice(self.colleagues)
        first, last = r.choice(FIRST), r.choice(LAST)
        return "%s %s" % (first, last), "%s.%s@%s.example" % (
            ascii_local(first), ascii_local(last), r.choice(["gmail", "outlook", "othercounsel", "court"]))

    def text(self, template):
        r = self.r
        co, co2 = r.sample(COMPANY, 2)
        return template.format(co=co, co2=co2, name=self.person("firm")[0],
                               colleague=self.person("colleague")[0])

    def common(self, subject):
        """Props every meeting has: subject, location, body, categories, people."""
        r = self.r
        item = {"Subject": subject, "Categories": r.choice(CATEGORIES),
                "Body": r.choice(BODIES), "Location": self.text(r.choice(LOCATIONS))}
        if not item["Body"]:
            del item["Body"]
        if not item["Location"]:
            del item["Location"]
        if not item["Categories"]:
            del item["Categories"]
        attendees = {}
        for _ in range(r.choice([0, 1, 2, 2, 3, 3, 4, 5, 7])):
            name, email = self.person(r.choices(["firm", "colleague", "stranger"], [35, 35, 30])[0])
            attendees[email] = {"Name": name, "EmailAddress": email, "ResponseType": r.choice(RESPONSES)}
        people = list(attendees.values())
        if people:
            optional = r.randint(0, min(2, len(people) - 1))
            item["RequiredAttendees"] = people[:len(people) - optional]
            if optional:
                item["OptionalAttendees"] = people[len(people) - optional:]
        if people and r.random() < 0.4:
            org = r.choice(people)
            item["Organizer"] = {"Name": org["Name"], "EmailAddress": org["EmailAddress"]}
        else:
            item["Organizer"] = {"Name": "Alice Smith", "EmailAddress": MAILBOX}
        return item

    def zone(self):
        return self.r.choice(self.zones)

    def weekday(self, lo, hi):
        """A weekday in [lo, hi] (dates); lo when the range has none."""
        for _ in range(50):
            d = lo + datetime.timedelta(days=self.r.randint(0, (hi - lo).days))
            if d.weekday() < 5:
                return d
        return lo


def local_iso(d, minutes):
    return "%sT%02d:%02d:00" % (d.isoformat(), minutes // 60, minutes % 60)


def utc_of(d, minutes, iana):
    t = datetime.datetime.combine(d, datetime.time(minutes // 60, minutes % 60), ZoneInfo(iana))
    return t.astimezone(UTC)


def z(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def single(g, d, kind):
    r = g.r
    wz, iana, _ = g.zone()
    if kind == "private":
        item = {"Subject": r.choice(PRIVATE_SUBJECTS), "Sensitivity": "Private",
                "Organizer": {"Name": "Alice Smith", "EmailAddress": MAILBOX}}
    elif kind == "allday":
        item = g.common(g.text(r.choice(ALLDAY_SUBJECTS)))
        days = r.choice([1, 1, 1, 2, 3])
        item.update({"IsAllDayEvent": "true", "LegacyFreeBusyStatus": r.choice(["Free", "OOF"]),
                     "Start": local_iso(d, 0),
                     "End": local_iso(d + datetime.timedelta(days=days), 0), "StartTimeZone": wz})
        return item, None
    else:
        item = g.common(g.text(r.choice(SUBJECTS)))
    start = r.randint(16, 36) * 30  # 08:00 - 18:00 local
    length = r.choice(DURATIONS)
    item.update({"Start": local_iso(d, start), "End": local_iso(d, start + length), "StartTimeZone": wz})
    if r.random() < 0.1:
        item["LegacyFreeBusyStatus"] = "Tentative"
    return item, (utc_of(d, start, iana), utc_of(d, start + length, iana))


def series(g, lo, hi, count):
    """A weekly series of `count` occurrences between the dates lo and hi; returns
    (the master, occurrences in the window, exceptions, deleted)."""
    r = g.r
    wz, iana, _ = g.zone()
    last_start = hi - datetime.timedelta(days=7 * (count - 1))
    first = g.weekday(lo, max(lo, last_start))
    start = r.randint(16, 34) * 30
    length = r.choice([30, 60, 60, 90])
    item = g.common(g.text(r.choice(SERIES_SUBJECTS)))
    day = first.strftime("%A")
    item.update({"Start": local_iso(first, start), "End": local_iso(first, start + length),
                 "StartTimeZone": wz,
                 "Recurrence": {"Pattern": {"Type": "WeeklyRecurrence", "Interval": "1", "DaysOfWeek": day,
                                            "FirstDayOfWeek": "Sunday"},
                                "Range": {"Type": "NumberedRecurrence", "StartDate": first.isoformat(),
                                          "NumberOfOccurrences": str(count)}}})
    dates = [first + datetime.timedelta(days=7 * k) for k in range(count)]
    modified = deleted = 0
    # Exceptions and deletions among the occurrences after the first, never the same one.
    picks = r.sample(range(1, count), min(count - 1, 2)) if count > 1 else []
    if picks and r.random() < 0.33:
        d = dates[picks[0]]
        item["ModifiedOccurrences"] = [{
            "OriginalStart": z(utc_of(d, start, iana)),
            "Start": z(utc_of(d, start + 60, iana)), "End": z(utc_of(d, start + 60 + length, iana)),
            "Subject": item["Subject"] + " (moved)"}]
        modified = 1
    if len(picks) > 1 and r.random() < 0.25:
        item["DeletedOccurrences"] = [z(utc_of(dates[picks[1]], start, iana))]
        deleted = 1
    return item, count - deleted, modified, deleted


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("series", type=int)
    ap.add_argument("ews_out")
    ap.add_argument("ia_out")
    ap.add_argument("summary_out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--today", default=datetime.datetime.now(UTC).date().isoformat())
    ap.add_argument("--history-days", type=int, default=30)
    ap.add_argument("--future-days", type=int, default=180)
    args = ap.parse_args()
    r = random.Random(args.seed)
    today = datetime.date.fromisoformat(args.today)
    # Two days inside the window at either end: see the docstring.
    lo = today - datetime.timedelta(days=args.history_days - 2)
    hi = today + datetime.timedelta(days=args.future_days - 2)
    contacts = firm_contacts(r, 200)
    g = Gen(r, contacts)

    # Series first: about 30% of the window's items, 2-30 occurrences each.
    n, s = args.count, args.series
    span_weeks = (hi - lo).days // 7 + 1
    per = max(2, min(30, span_weeks, int(n * 0.3 / s) if s else 0))
    calendar, in_series = [], 0
    modified = deleted = 0
    for _ in range(s):
        count = r.randint(max(2, per // 2), min(span_weeks, per + per // 2))
        item, inside, m, dl = series(g, lo, hi, count)
        calendar.append(item)
        in_series += inside
        modified += m
        deleted += dl
    singles = n - in_series
    if singles < 0:
        raise SystemExit("make_calendar.py: %d series hold %d items, more than %d" % (s, in_series, n))

    kinds = ["meeting"] * singles
    for i in range(singles):
        x = r.random()
        kinds[i] = "allday" if x < 0.02 else "private" if x < 0.04 else "meeting"
    matches = []
    for kind in kinds:
        item, times = single(g, g.weekday(lo, hi), kind)
        calendar.append(item)
        # 1% of N: the same meeting already in InterAction (future ones, so still appointments).
        if kind == "meeting" and times[0].date() > today and len(matches) < max(1, n // 100):
            matches.append({"owner": "alice", "subject": item["Subject"], "start": z(times[0]),
                            "end": z(times[1]), "type": "Meeting"})
    outside = max(1, n // 50)
    for _ in range(outside):
        d = g.weekday(today - datetime.timedelta(days=400), lo - datetime.timedelta(days=7))
        calendar.append(single(g, d, "meeting")[0])
    r.shuffle(calendar)

    ews = {"service_accounts": {"svc-oisync": {"impersonate": ["*"]}},
           "mailboxes": {MAILBOX: {"contacts": [], "calendar": calendar}}}
    ia = {"users": [{"id": "alice", "name": "Alice Smith", "email": MAILBOX}],
          "contacts": contacts, "lists": {"alice": []}, "appointments": matches}
    summary = {"today": today.isoformat(), "window_items": n, "series": s, "occurrences": in_series,
               "exceptions": modified, "deleted_occurrences": deleted, "singles": singles,
               "all_day": kinds.count("allday"), "private": kinds.count("private"),
               "outside_window": outside, "ia_matching": len(matches), "firm_contacts": len(contacts)}
    for path, data in ((args.ews_out, ews), (args.ia_out, ia), (args.summary_out, summary)):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
