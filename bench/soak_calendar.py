# soak_calendar.py - bench/soak's model of the calendar, and its check.
"""What each calendar user's InterAction appointments should be once the
system has settled, and the comparison with what the fakes hold.

A meeting is one occurrence: a single Outlook meeting, or one occurrence of
a weekly series, known by its iCalendar UID and its original start ("" for a
single), the key both sides carry (InterAction's ical_uid and
original_start). Per user the model keeps every occurrence the soak made and
what became of it:
- live: in Outlook, not private, not cancelled: exactly one InterAction item
  with its subject, location and times (each a soak_model.Field: the latest
  edit of each side; two sides in one round may end either way, but the
  same on both), an "activity" once it has ended, else an "appointment";
  for a two-way user the Outlook occurrence shows the same values;
- deleted (by the user in Outlook, cancelled, or taken out of a series by a
  new pattern): the InterAction item of a meeting that was still to come
  goes; that of a meeting already over (an activity) stays as it was, the
  pair forgotten (oisync-reconcile(1), "Calendar"): the model keeps it as
  a record that must stay, unchanged;
- made private in Outlook: leaves the sync; its InterAction item stays as
  it was, like a deleted past meeting's;
- deleted in InterAction (two-way users): gone from both sides.
A kept item the user edits or deletes in InterAction takes that edit there,
and nothing of it reaches Outlook: the meeting was deleted there, or is
private.
Times are computed from the clock when the soak makes them, hours away from
any moment a round can reach; whether a meeting is over is judged against
the time of the check, and a meeting that ended while its round ran may be
either. Python 3 standard library only."""

import calendar
import time

from soak_model import KINDS, Field

HOUR, DAY, WEEK = 3600, 86400, 7 * 86400
FIELDS = ("subject", "location", "time")
# Seconds around a round's runs within which a meeting's end may count as
# past or not: the runs read the clock at moments the soak does not know.
SLACK = 5


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def key_str(key):
    uid, orig = key
    return uid + (" of " + orig if orig else "")


# ---- what the fakes hold

def _true(v):
    return v is True or str(v).lower() in ("true", "1")


def occurrences(m):
    """The original starts of a weekly, numbered series the soak made:
    every WEEK from its first start, NumberOfOccurrences of them."""
    rng = m["Recurrence"]["Range"]
    first = epoch(m["Start"])
    return [iso(first + k * WEEK) for k in range(int(rng["NumberOfOccurrences"]))]


def outlook_calendar(items):
    """(uid, original start) -> [{id, subject, location, start, end, private}]
    of one mailbox's calendar: singles as they are, each series expanded into
    its occurrences (less the deleted, exceptions as they were changed);
    cancelled meetings no longer take place, so they are left out."""
    out = {}

    def add(key, p, start, end, iid):
        out.setdefault(key, []).append({
            "id": iid, "subject": p.get("Subject", ""), "location": p.get("Location", ""),
            "time": (start, end), "private": p.get("Sensitivity") in ("Private", "Confidential")})

    for m in items:
        if _true(m.get("IsCancelled")):
            continue
        uid = m.get("UID", "")
        if not m.get("Recurrence"):
            add((uid, ""), m, m["Start"], m["End"], m["ItemId"]["Id"])
            continue
        length = epoch(m["End"]) - epoch(m["Start"])
        deleted = set(m.get("DeletedOccurrences") or [])
        changed = {e["OriginalStart"]: e for e in m.get("ModifiedOccurrences") or []}
        for orig in occurrences(m):
            if orig in deleted:
                continue
            e = changed.get(orig)
            if e:
                add((uid, orig), e, e["Start"], e["End"], e["ItemId"]["Id"])
            else:
                add((uid, orig), m, orig, iso(epoch(orig) + length), None)
    return out


def interaction_calendar(ia, uid):
    """(ical_uid, original_start) -> [{id, subject, location, start, end, status}]
    of one user's InterAction appointments and activities."""
    out = {}
    for aid, a in sorted((ia.get("appointments") or {}).items()):
        if a.get("owner") != uid:
            continue
        out.setdefault((a.get("ical_uid") or "", a.get("original_start") or ""), []).append({
            "id": aid, "subject": a.get("subject") or "", "location": a.get("location") or "",
            "time": (a.get("start", ""), a.get("end", "")), "status": a.get("status", "")})
    return out


class CalViews:
    """Both calendars of every user, as the fakes hold them."""

    def __init__(self, ews, ia, users):
        ia_user = {u["email"].lower(): u["id"] for u in ia["users"]}
        self.outlook, self.interaction = {}, {}
        for uid, mailbox in users:
            self.outlook[uid] = outlook_calendar(ews[mailbox].get("calendar") or [])
            self.interaction[uid] = interaction_calendar(ia, ia_user.get(mailbox.lower(), uid))


# ---- the model

class Occ:
    """One occurrence and what it should become."""

    def __init__(self, key, subject, location, start, end, source, series=None):
        self.key = key
        self.series = series      # the series' UID, None for a single
        self.ews_id = None        # a single's Outlook ItemId, once known
        self.f = {"subject": Field(subject, source), "location": Field(location, source),
                  "time": Field((start, end), source)}
        self.state = "live"       # live, deleting (in Outlook; decided at the check), gone, private
        self.seen = False         # InterAction held it at a check
        self.held = None          # what InterAction held at the last check that found it right
        self.by = source

    def values(self):
        """The settled values (None while any field has an edit pending)."""
        out = {}
        for name, fld in self.f.items():
            if fld.fresh and len(fld.allowed()) > 1:
                return None
            out[name] = next(iter(fld.allowed()))
        return out


class CalModel:
    def __init__(self, users, directions):
        self.users = [u for u, _ in users]
        self.direction = dict(directions)      # calendar user -> to-interaction | two-way
        self.occ = {u: {} for u in self.direction}   # key -> Occ
        self.kept = {u: {} for u in self.direction}  # key -> the InterAction item that must stay as it is
        self.series = {u: {} for u in self.direction}  # series UID -> {"start", "length", "n", "dead"}
        self.open = {}
        self.serial = 0

    def new_uid(self, tag):
        self.serial += 1
        return "soak-m%05d.%s@soak.example" % (self.serial, tag)

    # ---- the soak's edits, as the model sees them

    def add(self, user, key, subject, location, start, end, source, private=False, series=None):
        o = Occ(key, subject, location, start, end, source, series)
        if private:
            o.state = "private"
        self.occ[user][key] = o
        return o

    def add_series(self, user, suid, start, length, n, subject, location, source):
        """A weekly series of n occurrences from start (epoch seconds)."""
        self.series[user][suid] = {"start": start, "length": length, "n": n, "dead": False}
        for k in range(n):
            s = start + k * WEEK
            self.add(user, (suid, iso(s)), subject, location, iso(s), iso(s + length), source,
                     series=suid)

    def series_keys(self, user, suid):
        return sorted(k for k, o in self.occ[user].items() if o.series == suid)

    def pattern(self, user, suid, n, subject, location, source):
        """The series now has n occurrences. As in Outlook, a new pattern
        drops the series' exceptions and deleted occurrences: every
        occurrence is the master's again, those past the new end are
        deleted, and those it brings back or adds are new."""
        s = self.series[user][suid]
        s["n"] = n
        origs = [s["start"] + k * WEEK for k in range(n)]
        keep = {iso(t) for t in origs}
        for key in self.series_keys(user, suid):
            if key[1] not in keep and self.occ[user][key].state == "live":
                self.delete(user, key)
        for t in origs:
            key = (suid, iso(t))
            o = self.occ[user].get(key)
            vals = {"subject": subject, "location": location, "time": (iso(t), iso(t + s["length"]))}
            if o is not None and o.state == "live":
                for f, v in vals.items():
                    o.f[f].edit(v, source)
            else:
                self.add(user, key, subject, location, vals["time"][0], vals["time"][1], source,
                         series=suid)

    def delete_series(self, user, suid):
        self.series[user][suid]["dead"] = True
        for key in self.series_keys(user, suid):
            if self.occ[user][key].state == "live":
                self.delete(user, key)

    def edit(self, user, key, field, value, source):
        self.occ[user][key].f[field].edit(value, source)

    def delete(self, user, key):
        """Deleted or cancelled in Outlook (or dropped from its series)."""
        o = self.occ[user][key]
        o.state = "deleting" if o.seen else "gone"

    def ia_delete(self, user, key):
        self.occ[user][key].state = "gone"

    def kept_edit(self, user, key, field, value):
        """A user's edit in InterAction of an item that left the sync: it
        stays there, and nothing of it goes back to Outlook."""
        self.kept[user][key][field] = value

    def kept_delete(self, user, key):
        del self.kept[user][key]

    def make_private(self, user, key):
        o = self.occ[user][key]
        o.state = "private"
        if o.seen:
            self.kept[user][key] = dict(o.held, maybe=False)

    # ---- the check

    def check(self, views, stuck, since, now):
        """Compare the fakes with the model after a round whose runs read the
        clock between since and now (time.time()); returns ({kind: new
        defects}, [lines describing them]). Users in `stuck` are checked for
        duplicates only; a defect that stays is counted once."""
        found = {}
        for uid in self.users:
            ia, ol = views.interaction[uid], views.outlook[uid]
            for side, held in (("interaction", ia), ("outlook", ol)):
                for key, items in held.items():
                    if len(items) > 1:
                        found[("cal-dup", uid, side, key)] = (
                            "duplicated", "%s: %s calendar holds %s %d times"
                            % (uid, side, key_str(key), len(items)))
            if uid in stuck:
                continue
            if uid not in self.direction:
                for key in sorted(ia):
                    found[("cal-extra", uid, "interaction", key)] = (
                        "unexpected", "%s: InterAction holds appointment %s, but the calendar is off"
                        % (uid, key_str(key)))
                continue
            self._check_user(uid, ia, ol, since, now, found)
        keep = {k: v for k, v in self.open.items()
                if k[0] != "cal-dup" and k[1] in stuck}
        new = {k: v for k, v in found.items() if k not in self.open}
        self.open = keep
        self.open.update(found)
        counts = {k: 0 for k in KINDS}
        lines = []
        for kind, line in sorted(new.values(), key=lambda v: v[1]):
            counts[kind] += 1
            lines.append("%s: %s" % (kind, line))
        return counts, lines

    def _decide(self, uid, o, since, now):
        """An occurrence deleted in Outlook: its InterAction item goes when the
        meeting was still to come, and stays (kept) when it was over or had
        been recorded as an activity."""
        h = o.held
        end = epoch(h["time"][1])
        o.state = "gone"
        if h["status"] == "activity" or end <= since - SLACK:
            self.kept[uid][o.key] = dict(h, maybe=False)
        elif end < now + SLACK:
            self.kept[uid][o.key] = dict(h, maybe=True)   # over while the runs ran: either

    def _check_user(self, uid, ia, ol, since, now, found):
        occ, kept = self.occ[uid], self.kept[uid]
        for o in occ.values():
            if o.state == "deleting":
                self._decide(uid, o, since, now)
        for key in sorted(set(ia) - set(occ) - set(kept)):
            found[("cal-extra", uid, "interaction", key)] = (
                "unexpected", "%s: InterAction holds appointment %s, which the soak never made"
                % (uid, key_str(key)))
        for key in sorted(set(ol) - set(occ)):
            found[("cal-extra", uid, "outlook", key)] = (
                "unexpected", "%s: Outlook holds meeting %s, which the soak never made"
                % (uid, key_str(key)))
        for key in sorted(set(occ) | set(kept)):
            o, k = occ.get(key), kept.get(key)
            name = key_str(key)
            items, oitems = ia.get(key), ol.get(key)
            live = o is not None and o.state == "live"
            if o is not None and o.state in ("live", "private") and not oitems:
                found[("cal-absent", uid, "outlook", key)] = (
                    "wrongly deleted", "%s: Outlook lost meeting %s, which no one deleted" % (uid, name))
            if o is not None and o.state == "gone" and oitems:
                found[("cal-back", uid, "outlook", key)] = (
                    "lost", "%s: Outlook still holds meeting %s, which was deleted" % (uid, name))
            if (items and len(items) > 1) or (oitems and len(oitems) > 1):
                continue    # a duplicate, counted above: which copy to compare is anyone's guess
            if live:
                if not items:
                    found[("cal-absent", uid, "interaction", key)] = (
                        ("wrongly deleted", "%s: InterAction lost appointment %s, which no one deleted"
                         % (uid, name)) if o.seen else
                        ("lost", "%s: InterAction lacks appointment %s, made this round" % (uid, name)))
                    continue
                self._check_live(uid, o, items[0], oitems[0] if oitems else None, since, now, found)
            elif k is not None:
                if not items:
                    if not k["maybe"]:
                        found[("cal-absent", uid, "interaction", key)] = (
                            "wrongly deleted", "%s: InterAction lost %s %s, which must stay"
                            % (uid, "the activity" if k["status"] == "activity" else "appointment", name))
                    else:
                        del kept[key]
                    continue
                got = dict((f, items[0][f]) for f in FIELDS + ("status",))
                want = dict((f, k[f]) for f in FIELDS + ("status",))
                if got != want:
                    found[("cal-kept", uid, key)] = (
                        "unexpected", "%s: InterAction changed %s, which left the sync: %r, was %r"
                        % (uid, name, got, want))
            elif items:
                found[("cal-back", uid, "interaction", key)] = (
                    ("lost", "%s: InterAction still holds appointment %s, which was deleted" % (uid, name))
                    if o.seen or o.state != "private" else
                    ("unexpected", "%s: InterAction holds private meeting %s" % (uid, name)))

    def _check_live(self, uid, o, item, oitem, since, now, found):
        name = key_str(o.key)
        ok = True
        for f in FIELDS:
            fld = o.f[f]
            v = item[f]
            if v not in fld.allowed():
                ok = False
                found[("cal-value", uid, o.key, f)] = (
                    "lost", "%s: InterAction shows %s of %s as %r, expected one of %s"
                    % (uid, f, name, v, sorted(fld.allowed())))
            elif oitem is not None and oitem[f] != v:
                ok = False
                found[("cal-differ", uid, o.key, f)] = (
                    "lost", "%s: %s of %s differs: Outlook %r, InterAction %r"
                    % (uid, f, name, oitem[f], v))
        end = epoch(item["time"][1])
        want = "activity" if end <= since - SLACK else "appointment" if end >= now + SLACK else None
        if want and item["status"] != want:
            ok = False
            found[("cal-status", uid, o.key)] = (
                "lost", "%s: %s ends %s but InterAction holds it as %r, expected %r"
                % (uid, name, item["time"][1], item["status"], want))
        if ok:
            for f in FIELDS:
                o.f[f].settle(item[f])
            o.seen = True
            o.held = dict(item)
