# soak_caledits.py - the soak's calendar: the seed, and what users do to their meetings between runs.
"""Meetings in Outlook: singles and weekly series, created, edited (subject,
location), moved (also into the past and back), cancelled, deleted, made
private; one occurrence of a series changed or deleted, a series' number of
occurrences changed; and for a two-way user the InterAction items edited and
deleted. Every edit goes to a fake first (its /_fake/ endpoints, else the
server's own API as a user's client would send it), then into the model
(soak_calendar.py).

Times come from the clock when an edit is made: a meeting starts on a whole
hour 11 to 15 hours from now plus whole days, and lasts an hour, so every
meeting begins or ends at least 6 hours away from the edit (a moved
occurrence is checked for that); a round lasts seconds, so no meeting ends
while the round that made it runs. Python 3 standard library only."""

import time

from soak_calendar import DAY, HOUR, WEEK, epoch, iso
from soak_fakes import FakeError

# Known product defects the soak can keep away from (--avoid), so that a
# fixed-seed test stays about everything else; bench/README.md describes them.
AVOID = ("restored-occurrence", "kept-edit")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A moved occurrence stays clear of its neighbours (a week apart); a moved
# single may go anywhere in this span of days around today.
SPAN = (-10, 30)
MARGIN = 6 * HOUR      # no edit puts a meeting's start or end closer to now


def anchor(now):
    """12 hours after the hour now began: whole days from it are >= 11 hours from now."""
    return int(now) // HOUR * HOUR + 12 * HOUR


def single_item(uid, subject, location, start, end, private=False):
    item = {"Subject": subject, "Location": location, "Start": iso(start), "End": iso(end),
            "StartTimeZone": "UTC", "UID": uid}
    if private:
        item["Sensitivity"] = "Private"
    return item


def series_item(uid, subject, location, start, length, n):
    item = single_item(uid, subject, location, start, start + length)
    item["Recurrence"] = {
        "Pattern": {"Type": "WeeklyRecurrence", "Interval": "1",
                    "DaysOfWeek": DAYS[time.gmtime(start).tm_wday], "FirstDayOfWeek": "Sunday"},
        "Range": {"Type": "NumberedRecurrence", "StartDate": iso(start)[:10],
                  "NumberOfOccurrences": str(n)}}
    return item


def recurrence_xml(start, n):
    return ("<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>%s"
            "</t:DaysOfWeek><t:FirstDayOfWeek>Sunday</t:FirstDayOfWeek></t:WeeklyRecurrence>"
            "<t:NumberedRecurrence><t:StartDate>%s</t:StartDate><t:NumberOfOccurrences>%d"
            "</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence>"
            % (DAYS[time.gmtime(start).tm_wday], iso(start)[:10], n))


def seed_calendar(model, users, now=None):
    """Each calendar user's Outlook calendar, in the model too: meetings
    over (2 and 6 days ago) and to come (in 1, 4 and 9 days), a private one,
    and a weekly series of 6 from 15 days ago (3 over, 3 to come)."""
    base = anchor(time.time() if now is None else now)
    out = {}
    for uid, mailbox in users:
        if uid not in model.direction:
            continue
        items = []
        for n, d in enumerate((-6, -2, 1, 4, 9)):
            key = (model.new_uid("seed"), "")
            s = base + d * DAY + (n % 4) * HOUR
            subject, location = "subject seed %s %d" % (uid, n), "location seed %d" % n
            items.append(single_item(key[0], subject, location, s, s + HOUR))
            model.add(uid, key, subject, location, iso(s), iso(s + HOUR), "seed")
        key = (model.new_uid("seed"), "")
        s = base + 2 * DAY + HOUR
        items.append(single_item(key[0], "private seed %s" % uid, "", s, s + HOUR, private=True))
        model.add(uid, key, "private seed %s" % uid, "", iso(s), iso(s + HOUR), "seed", private=True)
        suid = model.new_uid("series")
        s = base - 15 * DAY + 2 * HOUR
        items.append(series_item(suid, "series seed %s" % uid, "room seed", s, HOUR, 6))
        model.add_series(uid, suid, s, HOUR, 6, "series seed %s" % uid, "room seed", "seed")
        out[mailbox] = items
    return out


class CalEditor:
    """One round's calendar edits. An occurrence deleted, cancelled or made
    private this round is not also edited, nor one edited deleted (an edit
    racing a delete has no single intended result); a series whose pattern
    changed or that was deleted is left alone for the rest of the round, and
    a series' pattern changes only when none of its occurrences changed this
    round. Deletes and series changes take only meetings the last check found
    in InterAction (a meeting that never reached it has no item to keep)."""

    def __init__(self, model, fakes, rng, users, views, round_no, note, clock=time.time, avoid=()):
        self.m, self.f, self.rng = model, fakes, rng
        self.note = note
        self.clock = clock
        self.users = [u for u, _ in users if u in model.direction]
        self.mailbox = dict(users)
        self.v = views
        self.round = round_no
        self.touched = set()    # (user, key) edited this round
        self.frozen = set()     # (user, key) deleted or made private this round
        self.frozen_series = set()
        self.avoid = set(avoid)  # known defects not to provoke (AVOID)
        self.serial = 0
        self.done = {}
        self.failed = 0

    def look(self, views):
        self.v = views

    def value(self, field, source):
        self.serial += 1
        return "%s r%d %s %d" % (field, self.round, source, self.serial)

    def _count(self, op, uid, what):
        self.done[op] = self.done.get(op, 0) + 1
        self.note("round %d: %s: %s %s" % (self.round, uid, op, what))

    # ---- choosing

    def _live(self, uid, seen=False, untouched=False, single=None):
        """Live occurrences that may be edited (seen: the last check found
        them in InterAction; untouched: not edited this round either)."""
        out = []
        for key, o in sorted(self.m.occ[uid].items()):
            if o.state != "live" or (uid, key) in self.frozen:
                continue
            if o.series is not None and ((uid, o.series) in self.frozen_series
                                         or self.m.series[uid][o.series]["dead"]):
                continue
            if single is not None and (o.series is None) != single:
                continue
            if seen and not (o.seen and len(self.v.interaction[uid].get(key, [])) == 1):
                continue
            if untouched and (uid, key) in self.touched:
                continue
            if o.series is None and self._single_id(uid, o) is None:
                continue
            out.append(key)
        return out

    def _single_id(self, uid, o):
        if o.ews_id is None:
            held = self.v.outlook[uid].get(o.key, [])
            if len(held) == 1:
                o.ews_id = held[0]["id"]
        return o.ews_id

    def _series(self, uid, untouched):
        """Live series; untouched: none of their occurrences changed this round."""
        out = []
        for suid, s in sorted(self.m.series[uid].items()):
            if s["dead"] or (uid, suid) in self.frozen_series:
                continue
            keys = self.m.series_keys(uid, suid)
            if any((uid, k) in self.frozen for k in keys):
                continue
            if untouched:
                if "restored-occurrence" in self.avoid and any(k in self.m.kept[uid] for k in keys):
                    continue
                live = [k for k in keys if self.m.occ[uid][k].state == "live"]
                if any((uid, k) in self.touched for k in keys) or not all(
                        self.m.occ[uid][k].seen for k in live):
                    continue
            out.append(suid)
        return out

    def _master(self, uid, suid):
        """The series' master as the EWS fake holds it now."""
        dump = self.f.ews_ctl("dump?mailbox=%s&folder=calendar" % self.mailbox[uid])
        for m in dump["calendar"]:
            if m.get("UID") == suid and m.get("Recurrence"):
                return m
        raise FakeError("no series %s in %s's calendar" % (suid, uid))

    def _index(self, uid, key):
        s = self.m.series[uid][key[0]]
        return (epoch(key[1]) - s["start"]) // WEEK + 1

    def _occurrence_id(self, uid, key):
        master = self._master(uid, key[0])
        return '<t:OccurrenceItemId RecurringMasterId="%s" InstanceIndex="%d"/>' % (
            master["ItemId"]["Id"], self._index(uid, key))

    def _slot(self, past=None):
        """A new start, an hour long: whole hours off now (see anchor), in SPAN."""
        base = anchor(self.clock())
        days = range(SPAN[0], SPAN[1] + 1)
        if past is not None:
            days = [d for d in days if (d < 0) == past]
        s = base + self.rng.choice(days) * DAY + self.rng.randint(0, 3) * HOUR
        return s, s + HOUR

    # ---- Outlook writes (fake first, then the model)

    def _outlook_set(self, uid, key, props, soap_fields, control_only):
        """props on a single (/_fake/edit), or on one occurrence (UpdateItem)."""
        o = self.m.occ[uid][key]
        if o.series is None:
            self.f.ews_ctl("edit", {"mailbox": self.mailbox[uid], "id": o.ews_id, "set": props})
            return
        if control_only:
            raise FakeError("an occurrence is changed through EWS, not during a run")
        sets = "".join('<t:SetItemField><t:FieldURI FieldURI="%s"/><t:CalendarItem>%s</t:CalendarItem>'
                       '</t:SetItemField>' % f for f in soap_fields)
        self.f.ews_soap(self.mailbox[uid], (
            '<m:UpdateItem ConflictResolution="AlwaysOverwrite" '
            'SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>%s'
            '<t:Updates>%s</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>')
            % (self._occurrence_id(uid, key), sets))

    def _edit_outlook(self, uid, key, field, control_only):
        src = "outlook:" + uid
        v = self.value(field, src)
        if field == "subject":
            self._outlook_set(uid, key, {"Subject": v},
                              [("item:Subject", "<t:Subject>%s</t:Subject>" % v)], control_only)
        else:
            self._outlook_set(uid, key, {"Location": v},
                              [("calendar:Location", "<t:Location>%s</t:Location>" % v)], control_only)
        self.m.edit(uid, key, field, v, src)
        self.touched.add((uid, key))

    def _edit_interaction(self, uid, key, field):
        v = self.value(field, "ia")
        aid = self.v.interaction[uid][key][0]["id"]
        self.f.ia_ctl("appointment-edit", {"id": aid, "set": {field: v}})
        self.m.edit(uid, key, field, v, "ia")
        self.touched.add((uid, key))

    def op_outlook_create(self, uid, control_only=False):
        private = self.rng.random() < 0.1
        s, e = self._slot()
        src = "outlook:" + uid
        key = (self.m.new_uid("o"), "")
        subject, location = self.value("subject", src), self.value("location", src)
        r = self.f.ews_ctl("create", {"mailbox": self.mailbox[uid], "folder": "calendar",
                                      "item": single_item(key[0], subject, location, s, e, private)})
        o = self.m.add(uid, key, subject, location, iso(s), iso(e), src, private=private)
        o.ews_id = r["id"]
        self.touched.add((uid, key))
        self._count("outlook create" + (" private" if private else ""), uid, key[0])

    def op_outlook_create_series(self, uid, control_only=False):
        if sum(1 for s in self.m.series[uid].values() if not s["dead"]) >= 3:
            return self.op_outlook_create(uid, control_only)
        src = "outlook:" + uid
        suid = self.m.new_uid("os")
        start = anchor(self.clock()) + self.rng.randint(-16, -1) * DAY + self.rng.randint(0, 3) * HOUR
        n = self.rng.randint(3, 8)
        subject, location = self.value("subject", src), self.value("location", src)
        self.f.ews_ctl("create", {"mailbox": self.mailbox[uid], "folder": "calendar",
                                  "item": series_item(suid, subject, location, start, HOUR, n)})
        self.m.add_series(uid, suid, start, HOUR, n, subject, location, src)
        for key in self.m.series_keys(uid, suid):
            self.touched.add((uid, key))
        self._count("outlook create series", uid, "%s (%d)" % (suid, n))

    def op_outlook_edit(self, uid, control_only=False):
        """A single's or an occurrence's subject or location, or a series'
        (which changes every occurrence that is not an exception)."""
        field = self.rng.choice(("subject", "location"))
        series = self._series(uid, False)
        if series and self.rng.random() < 0.25:
            suid = self.rng.choice(series)
            master = self._master(uid, suid)
            skip = {e["OriginalStart"] for e in master.get("ModifiedOccurrences") or []}
            skip |= set(master.get("DeletedOccurrences") or [])
            src = "outlook:" + uid
            v = self.value(field, src)
            self.f.ews_ctl("edit", {"mailbox": self.mailbox[uid], "id": master["ItemId"]["Id"],
                                    "set": {field.capitalize(): v}})
            for key in self.m.series_keys(uid, suid):
                if self.m.occ[uid][key].state == "live" and key[1] not in skip:
                    self.m.edit(uid, key, field, v, src)
                    self.touched.add((uid, key))
            return self._count("outlook series edit", uid, suid)
        pool = self._live(uid, single=True if control_only else None)
        if pool:
            key = self.rng.choice(pool)
            self._edit_outlook(uid, key, field, control_only)
            self._count("outlook edit", uid, key)

    def op_outlook_move(self, uid, control_only=False):
        pool = self._live(uid, single=True if control_only else None)
        if not pool:
            return
        key = self.rng.choice(pool)
        o = self.m.occ[uid][key]
        start, end = (epoch(t) for t in next(iter(o.f["time"].allowed())))
        now = self.clock()
        if o.series is None:
            # Over meetings mostly go back into the future, and the reverse.
            s, e = self._slot(past=None if self.rng.random() < 0.3 else end > now)
        else:
            # Within two days of where the pattern put it, clear of the
            # occurrences a week before and after.
            orig = epoch(key[1])
            options = [orig + d for d in (-2 * DAY, -DAY, 0, DAY, 2 * DAY, -2 * HOUR, -HOUR, HOUR, 2 * HOUR)
                       if orig + d != start and abs(orig + d - now) >= MARGIN
                       and abs(orig + d + (end - start) - now) >= MARGIN]
            if not options:
                return
            s = self.rng.choice(options)
            e = s + (end - start)
        self._outlook_set(uid, key, {"Start": iso(s), "End": iso(e)},
                          [("calendar:Start", "<t:Start>%s</t:Start>" % iso(s)),
                           ("calendar:End", "<t:End>%s</t:End>" % iso(e))], control_only)
        self.m.edit(uid, key, "time", (iso(s), iso(e)), "outlook:" + uid)
        self.touched.add((uid, key))
        self._count("outlook move", uid, "%s to %s" % (key, iso(s)))

    def op_outlook_cancel(self, uid, control_only=False):
        pool = self._live(uid, seen=True, untouched=True, single=True)
        if pool:
            key = self.rng.choice(pool)
            self.f.ews_ctl("edit", {"mailbox": self.mailbox[uid], "id": self.m.occ[uid][key].ews_id,
                                    "set": {"IsCancelled": "true"}})
            self.m.delete(uid, key)
            self.frozen.add((uid, key))
            self._count("outlook cancel", uid, key)

    def op_outlook_private(self, uid, control_only=False):
        pool = self._live(uid, seen=True, untouched=True, single=True)
        if pool:
            key = self.rng.choice(pool)
            self.f.ews_ctl("edit", {"mailbox": self.mailbox[uid], "id": self.m.occ[uid][key].ews_id,
                                    "set": {"Sensitivity": "Private"}})
            self.m.make_private(uid, key)
            self.frozen.add((uid, key))
            self._count("outlook private", uid, key)

    def op_outlook_delete(self, uid, control_only=False):
        """A single, one occurrence, or now and then a whole series."""
        series = [] if control_only else self._series(uid, True)
        if series and self.rng.random() < 0.1:
            suid = self.rng.choice(series)
            self.f.ews_ctl("delete", {"mailbox": self.mailbox[uid],
                                      "id": self._master(uid, suid)["ItemId"]["Id"]})
            for key in self.m.series_keys(uid, suid):
                self.frozen.add((uid, key))
            self.m.delete_series(uid, suid)
            self.frozen_series.add((uid, suid))
            return self._count("outlook delete series", uid, suid)
        pool = self._live(uid, seen=True, untouched=True, single=True if control_only else None)
        if not pool:
            return
        key = self.rng.choice(pool)
        o = self.m.occ[uid][key]
        if o.series is None:
            self.f.ews_ctl("delete", {"mailbox": self.mailbox[uid], "id": o.ews_id})
        else:
            self.f.ews_soap(self.mailbox[uid], (
                '<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToNone">'
                '<m:ItemIds>%s</m:ItemIds></m:DeleteItem>') % self._occurrence_id(uid, key))
        self.m.delete(uid, key)
        self.frozen.add((uid, key))
        self._count("outlook delete", uid, key)

    def op_outlook_pattern(self, uid, control_only=False):
        """A series' number of occurrences changed (its exceptions and
        deleted occurrences go, as in Outlook)."""
        series = [] if control_only else self._series(uid, True)
        if not series:
            return
        suid = self.rng.choice(series)
        s = self.m.series[uid][suid]
        n = self.rng.choice([k for k in range(3, 10) if k != s["n"]])
        master = self._master(uid, suid)
        self.f.ews_soap(self.mailbox[uid], (
            '<m:UpdateItem ConflictResolution="AlwaysOverwrite" '
            'SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>'
            '<t:ItemId Id="%s"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="calendar:Recurrence"/>'
            '<t:CalendarItem>%s</t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange>'
            '</m:ItemChanges></m:UpdateItem>') % (master["ItemId"]["Id"], recurrence_xml(s["start"], n)))
        self.m.pattern(uid, suid, n, master.get("Subject", ""), master.get("Location", ""),
                       "outlook:" + uid)
        for key in self.m.series_keys(uid, suid):
            self.frozen.add((uid, key))
        self.frozen_series.add((uid, suid))
        self._count("outlook series pattern", uid, "%s: %d occurrences" % (suid, n))

    # ---- InterAction (two-way users)

    def op_interaction_edit(self, uid, control_only=False):
        pool = self._live(uid, seen=True)
        if pool:
            key = self.rng.choice(pool)
            self._edit_interaction(uid, key, self.rng.choice(("subject", "location")))
            self._count("interaction edit", uid, key)

    def op_interaction_delete(self, uid, control_only=False):
        if control_only:
            return self.op_interaction_edit(uid, control_only)
        pool = [k for k in self._live(uid, seen=True, untouched=True)
                if self.m.occ[uid][k].series is None or self._series_clear(uid, k[0])]
        if pool:
            key = self.rng.choice(pool)
            self.f.ia_api("DELETE", "/appointments/" + self.v.interaction[uid][key][0]["id"])
            self.m.ia_delete(uid, key)
            self.frozen.add((uid, key))
            self._count("interaction delete", uid, key)

    def op_interaction_edit_kept(self, uid, control_only=False):
        """The InterAction item a deleted (or private) meeting left behind,
        edited (say, the notes of what was agreed) or deleted there."""
        pool = [k for k, v in sorted(self.m.kept[uid].items())
                if not v["maybe"] and (uid, k) not in self.frozen
                and getattr(self.m.occ[uid].get(k), "state", None) != "live"
                and len(self.v.interaction[uid].get(k, [])) == 1]
        if not pool:
            return
        key = self.rng.choice(pool)
        aid = self.v.interaction[uid][key][0]["id"]
        edit = self.rng.random() < 0.6 and "kept-edit" not in self.avoid
        if edit:
            field = self.rng.choice(("subject", "location"))
            v = self.value(field, "ia")
            self.f.ia_ctl("appointment-edit", {"id": aid, "set": {field: v}})
            self.m.kept_edit(uid, key, field, v)
            return self._count("interaction edit kept", uid, key)
        if control_only:
            return      # a delete goes through the API
        self.f.ia_api("DELETE", "/appointments/" + aid)
        self.m.kept_delete(uid, key)
        self.frozen.add((uid, key))
        self._count("interaction delete kept", uid, key)

    def _series_clear(self, uid, suid):
        return (uid, suid) not in self.frozen_series

    def op_edit_both_sides(self, uid, control_only=False):
        """The same field changed in Outlook and in InterAction: a conflict."""
        pool = self._live(uid, seen=True, single=True if control_only else None)
        if not pool:
            return
        key = self.rng.choice(pool)
        field = self.rng.choice(("subject", "location"))
        if self.rng.random() < 0.5:
            self._edit_outlook(uid, key, field, control_only)
            self._edit_interaction(uid, key, field)
        else:
            self._edit_interaction(uid, key, field)
            self._edit_outlook(uid, key, field, control_only)
        self._count("edit both sides", uid, key)

    def batch(self, n, uid=None, control_only=False):
        """n random edits, by one calendar user or by random ones;
        control_only: only through /_fake/ endpoints (while a run may have
        faults armed on the servers' APIs)."""
        for _ in range(n):
            self.one(uid, control_only)

    def one(self, uid=None, control_only=False):
        who = uid or self.rng.choice(self.users)
        size = sum(1 for o in self.m.occ[who].values() if o.state == "live")
        grow = 0.3 if size > 30 else 1.0
        shrink = 0.3 if size < 8 else 1.0
        ops = [("outlook create", 1.5 * grow), ("outlook create series", 0.3 * grow),
               ("outlook edit", 4), ("outlook move", 3), ("outlook cancel", 0.7 * shrink),
               ("outlook delete", 1.5 * shrink), ("outlook private", 0.4 * shrink),
               ("outlook pattern", 1)]
        if self.m.kept[who]:
            ops.append(("interaction edit kept", 0.7))
        if self.m.direction[who] == "two-way":
            ops += [("interaction edit", 3), ("interaction delete", 1 * shrink),
                    ("edit both sides", 1.5)]
        op = self.rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
        try:
            getattr(self, "op_" + op.replace(" ", "_"))(who, control_only)
        except FakeError as e:
            # Refused by a fake: not in the model, no one made it.
            self.failed += 1
            self.note("round %d: %s refused: %s" % (self.round, op, e))
