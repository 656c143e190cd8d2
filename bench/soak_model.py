# soak_model.py - bench/soak's model of what both sides should hold, and the check.
"""The intended result of the soak's edits, and the comparison with what the
fakes hold once the system has settled.

A person is one firm contact, known by the unique e-mail address the soak gave
it. Per user the model keeps the people that should be in the user's Outlook
contacts and on the user's InterAction list (the same set), the firm fields
every copy should show (job title, company) and the user's own note (Outlook
Notes, InterAction My Notes). A field edited since its last check has the set
of values that may win: the latest edit of each source (a user's Outlook, the
InterAction side); one source alone means that value, several sources in one
round mean any of their values, but every copy must then show the same one.
Python 3 standard library only."""

FIRM_FIELDS = ("job", "company")
KINDS = ("lost", "duplicated", "wrongly deleted", "unexpected")


def _body_text(b):
    if isinstance(b, dict):
        b = b.get("Value", "")
    return (b or "").strip()


def outlook_view(contacts):
    """email -> [{id, job, company, notes}] of one mailbox's contacts folder."""
    out = {}
    for c in contacts:
        email = ((c.get("EmailAddresses") or {}).get("EmailAddress1") or "").lower()
        if not email:
            continue
        out.setdefault(email, []).append({
            "id": c["ItemId"]["Id"], "job": c.get("JobTitle", ""),
            "company": c.get("CompanyName", ""), "notes": _body_text(c.get("Body"))})
    return out


def firm_view(ia):
    """email -> [{cid, job, company}] of every InterAction firm contact."""
    out = {}
    for cid, c in sorted(ia["contacts"].items()):
        email = ((c.get("emails") or {}).get("business") or "").lower()
        if email:
            out.setdefault(email, []).append({"cid": cid, "job": c.get("job_title", ""),
                                              "company": c.get("company_name", "")})
    return out


def list_view(ia, uid):
    """email -> [{cid, job, company, notes}] of one user's InterAction list."""
    out = {}
    lst = ia["lists"].get(uid) or {}
    for cid, entry in sorted(lst.items()):
        c = ia["contacts"].get(cid)
        if c is None:
            continue
        email = ((c.get("emails") or {}).get("business") or "").lower()
        if email:
            out.setdefault(email, []).append({
                "cid": cid, "job": c.get("job_title", ""), "company": c.get("company_name", ""),
                "notes": (entry.get("my_notes") or "").strip()})
    return out


class Views:
    """What the fakes hold, per user and firm-wide."""

    def __init__(self, ews, ia, users):
        ia_user = {u["email"].lower(): u["id"] for u in ia["users"]}
        self.outlook, self.lists = {}, {}
        for uid, mailbox in users:
            self.outlook[uid] = outlook_view(ews[mailbox]["contacts"])
            self.lists[uid] = list_view(ia, ia_user.get(mailbox.lower(), uid))
        self.firm = firm_view(ia)


class Field:
    """One field's intended value: the values that may win, by source."""

    def __init__(self, value, source):
        self.value = value            # the value last checked (or first given)
        self.edits = {source: value}  # edits since the last check
        self.fresh = True             # edits since the last check exist

    def edit(self, value, source):
        if not self.fresh:
            self.edits = {}
        self.edits[source] = value
        self.fresh = True

    def allowed(self):
        return set(self.edits.values()) if self.fresh else {self.value}

    def settle(self, value):
        self.value = value
        self.edits = {}
        self.fresh = False


class Model:
    def __init__(self, users):
        self.users = [u for u, _ in users]
        self.people = {}        # email -> {"name": (given, surname), "firm": checked on the firm side, "by": creator source}
        self.member = {u: set() for u in self.users}
        self.checked = {u: set() for u in self.users}   # membership at the last check
        self.ever = {u: set() for u in self.users}
        self.firm = {}          # (email, field) -> Field
        self.notes = {}         # (user, email) -> Field
        self.open = {}          # defect key -> kind, found at the last check
        self.serial = 0

    # ---- the soak's edits, as the model sees them

    def new_email(self, tag):
        self.serial += 1
        return "p%05d.%s@soak.example" % (self.serial, tag)

    def person(self, email, given, surname, job, company, source, on_firm):
        self.people[email] = {"name": (given, surname), "firm": on_firm, "by": source}
        for f, v in (("job", job), ("company", company)):
            self.firm[(email, f)] = Field(v, source)

    def add(self, uid, email, notes, source):
        self.member[uid].add(email)
        self.ever[uid].add(email)
        self.notes[(uid, email)] = Field(notes, source)

    def remove(self, uid, email):
        self.member[uid].discard(email)
        self.notes.pop((uid, email), None)

    def edit_firm(self, email, field, value, source):
        self.firm[(email, field)].edit(value, source)

    def edit_notes(self, uid, email, value, source):
        self.notes[(uid, email)].edit(value, source)

    def firm_values(self, email):
        """The firm fields when they are settled (no edit pending), else None."""
        out = {}
        for f in FIRM_FIELDS:
            fld = self.firm[(email, f)]
            if fld.fresh and len(fld.allowed()) > 1:
                return None
            out[f] = next(iter(fld.allowed()))
        return out

    # ---- the check

    def check(self, views, stuck):
        """Compare the fakes with the model; returns ({kind: new defects},
        [lines describing them]). Users in `stuck` are not compared (their
        runs never finished) except for duplicates, nor fields with an edit
        from a stuck user's Outlook still on its way."""
        found = {}
        stuck_src = {"outlook:" + u for u in stuck}

        def blocked(fld):
            return fld.fresh and any(s in stuck_src for s in fld.edits)

        for uid in self.users:
            sides = (("outlook", views.outlook[uid]), ("interaction", views.lists[uid]))
            # A duplicate is never intended, settled or not.
            for side, held in sides:
                for email, items in held.items():
                    if len(items) > 1:
                        found[("dup", uid, side, email)] = (
                            "duplicated", "%s: %s holds %s %d times"
                            % (uid, side, email, len(items)))
            if uid in stuck:
                continue
            for side, held in sides:
                for email in sorted(self.member[uid]):
                    if email in held:
                        continue
                    # One key for both kinds: a person missing stays one defect.
                    if email in self.checked[uid]:
                        found[("absent", uid, side, email)] = (
                            "wrongly deleted", "%s: %s lost %s, which no one deleted"
                            % (uid, side, email))
                    else:
                        found[("absent", uid, side, email)] = (
                            "lost", "%s: %s lacks %s, added this round" % (uid, side, email))
                for email in sorted(set(held) - self.member[uid]):
                    if email in self.ever[uid]:
                        found[("back", uid, side, email)] = (
                            "lost", "%s: %s still holds %s, which was deleted"
                            % (uid, side, email))
                    else:
                        found[("extra", uid, side, email)] = (
                            "unexpected", "%s: %s holds %s, which was never added for this user"
                            % (uid, side, email))
            # notes: both copies the same, and a value that may win
            for email in sorted(self.member[uid]):
                ol, il = views.outlook[uid].get(email), views.lists[uid].get(email)
                if not ol or not il:
                    continue
                fld = self.notes[(uid, email)]
                if blocked(fld):
                    continue
                o, i = ol[0]["notes"], il[0]["notes"]
                if o != i:
                    found[("notes-differ", uid, email)] = (
                        "lost", "%s: notes of %s differ: Outlook %r, InterAction %r"
                        % (uid, email, o, i))
                elif i not in fld.allowed():
                    found[("notes", uid, email)] = (
                        "lost", "%s: notes of %s are %r, expected one of %s"
                        % (uid, email, i, sorted(fld.allowed())))
                else:
                    fld.settle(i)

        for email, p in sorted(self.people.items()):
            held = views.firm.get(email, [])
            if len(held) > 1:
                found[("firm-dup", email)] = (
                    "duplicated", "firm: %d firm contacts for %s (%s)"
                    % (len(held), email, ", ".join(h["cid"] for h in held)))
            if not held:
                if not p["firm"] and not any(email in m for m in self.member.values()):
                    continue    # deleted in Outlook before it ever reached the firm
                if p["firm"]:
                    found[("firm-gone", email)] = (
                        "wrongly deleted", "firm: the firm contact of %s is gone" % email)
                elif p["by"] not in stuck_src:
                    found[("firm-missing", email)] = (
                        "lost", "firm: no firm contact for %s (created in %s)" % (email, p["by"]))
                continue
            p["firm"] = True
            for f in FIRM_FIELDS:
                fld = self.firm[(email, f)]
                if blocked(fld):
                    continue
                value = held[0][f]
                ok = True
                if value not in fld.allowed():
                    ok = False
                    found[("firm-value", email, f)] = (
                        "lost", "firm: %s of %s is %r, expected one of %s"
                        % (f, email, value, sorted(fld.allowed())))
                for uid in self.users:
                    if uid in stuck or email not in self.member[uid]:
                        continue
                    for side, items in (("outlook", views.outlook[uid].get(email)),
                                        ("interaction", views.lists[uid].get(email))):
                        if items and items[0][f] != value:
                            ok = False
                            found[("copy-value", uid, side, email, f)] = (
                                "lost", "%s: %s shows %s of %s as %r, the firm %r"
                                % (uid, side, f, email, items[0][f], value))
                if ok:
                    fld.settle(value)

        for uid in self.users:
            if uid not in stuck:
                self.checked[uid] = set(self.member[uid])
        # A defect that stays is counted once, when it first shows; a stuck
        # user's defects stay open until that user is compared again.
        keep = {k: v for k, v in self.open.items()
                if k[0] != "dup" and k[1] in stuck and k[1] in self.users}
        new = {k: v for k, v in found.items() if k not in self.open}
        self.open = keep
        self.open.update(found)
        counts = {k: 0 for k in KINDS}
        lines = []
        for k, (kind, line) in sorted(new.items(), key=lambda kv: kv[1][1]):
            counts[kind] += 1
            lines.append("%s: %s" % (kind, line))
        return counts, lines
