# soak_edits.py - bench/soak's users: the seed and random edits on both sides.
"""What the people of the soak do between runs: create, edit and delete
contacts in Outlook; create and edit firm contacts in InterAction, take them
off a user's list and put them on it. Every edit goes through the fakes'
/_fake/ endpoints (as a user would, outside oisync) and into the model.
Python 3 standard library only."""

from soak_fakes import FakeError
from soak_model import FIRM_FIELDS

OUTLOOK_FIELD = {"job": "JobTitle", "company": "CompanyName", "notes": "Body"}
IA_FIELD = {"job": "job_title", "company": "company_name", "notes": "my_notes"}


def seed(model, users):
    """The fakes' seeds and the model that matches them: eight firm contacts
    on overlapping lists, Outlook copies of some of them (linked by e-mail on
    the first sync), and people only in Outlook, one of them in two mailboxes."""
    ews = {"service_accounts": {"svc-oisync": {"impersonate": ["*"]}},
           "mailboxes": {mb: {"contacts": []} for _, mb in users}}
    ia = {"users": [{"id": u, "name": u.capitalize() + " Soak", "email": mb} for u, mb in users],
          "contacts": [], "lists": {u: [] for u, _ in users}}
    uids = [u for u, _ in users]
    mailbox = dict(users)
    people = []
    for n in range(12):
        email = model.new_email("seed")
        given, surname = "Given%d" % n, "Seed%05d" % model.serial
        job, company = "Job seed %d" % n, "Company seed %d" % (n % 4)
        people.append((email, given, surname, job, company))
    lists = {uids[0]: range(0, 5), uids[1]: range(3, 8), uids[2]: (0, 2, 4, 6)}
    outlook = {uids[0]: (0, 1, 8, 9), uids[1]: (9, 10), uids[2]: (11,)}
    for n, (email, given, surname, job, company) in enumerate(people):
        on_firm = n < 8
        if on_firm:
            ia["contacts"].append({"id": "c-%06d" % (n + 1), "first_name": given, "last_name": surname,
                                   "job_title": job, "company_name": company,
                                   "emails": {"business": email}})
        model.person(email, given, surname, job, company, "seed", on_firm)
    for uid in uids:
        for n in sorted(set(lists[uid]) | set(outlook[uid])):
            email, given, surname, job, company = people[n]
            model.add(uid, email, "", "seed")
            if n in lists[uid]:
                ia["lists"][uid].append({"id": "c-%06d" % (n + 1)})
            if n in outlook[uid]:
                ews["mailboxes"][mailbox[uid]]["contacts"].append({
                    "GivenName": given, "Surname": surname, "JobTitle": job,
                    "CompanyName": company, "EmailAddresses": {"EmailAddress1": email}})
    return ews, ia


class Editor:
    """One round's edits. A person's membership changes at most once a
    round; a person deleted or taken off a list this round is not edited
    (an edit racing a delete has no single intended result), nor one typed
    into Outlook from the firm's values (its first sync decides which copy
    is the base); people created this round may be edited, on the side that
    holds them already."""

    def __init__(self, model, fakes, rng, users, views, round_no, note):
        self.m, self.f, self.rng = model, fakes, rng
        self.note = note
        self.users = [u for u, _ in users]
        self.mailbox = dict(users)
        self.v = views
        self.round = round_no
        self.moved = set()      # people whose membership changed this round
        self.frozen = set()     # of those, people not to be edited this round
        self.created = set()    # people created or added this round
        self.moved_by = {}      # person -> the user whose membership changed
        self.edited = set()     # people edited this round
        self.serial = 0
        self.done = {}          # op name -> count
        self.failed = 0

    def value(self, field, source):
        self.serial += 1
        return "%s r%d %s %d" % (field, self.round, source, self.serial)

    def _count(self, op, uid, email):
        self.done[op] = self.done.get(op, 0) + 1
        self.note("round %d: %s: %s %s" % (self.round, uid, op, email))

    # ---- choosing

    def _held(self, uid, email, side="both"):
        """The Outlook item and list entry of a member, when each is held once."""
        ol = self.v.outlook[uid].get(email, [])
        il = self.v.lists[uid].get(email, [])
        ok_ol, ok_il = len(ol) == 1, len(il) == 1
        if side == "outlook":
            return ol[0] if ok_ol else None
        if side == "interaction":
            return il[0] if ok_il else None
        return (ol[0], il[0]) if ok_ol and ok_il else None

    def _members(self, uid, side="both"):
        return [e for e in sorted(self.m.member[uid])
                if e not in self.frozen and self._held(uid, e, side) is not None]

    def _outsiders(self, uid):
        """People on the firm side, settled, not the user's: to add to the list."""
        out = []
        for e in sorted(self.m.people):
            if e in self.m.member[uid] or e in self.moved or e in self.edited:
                continue
            if not self.m.people[e]["firm"] or len(self.v.firm.get(e, [])) != 1:
                continue
            if e in self.v.outlook[uid] or e in self.v.lists[uid]:
                continue
            if self.m.firm_values(e) is None:
                continue
            out.append(e)
        return out

    def look(self, views):
        """What the fakes hold now (ids of items made since the round began)."""
        self.v = views

    def after_run(self, views, done):
        """A run has synced this round's edits for the users in `done` (it
        exited 0 for them): what it created for them may now be deleted or
        taken off a list again, as a user does the morning after a night's
        run. (After a failed run oisync cannot tell a contact the user
        deleted from one its run never made.)"""
        self.v = views
        self.moved -= {e for e in self.created - self.frozen - self.edited
                       if self.moved_by.get(e) in done}

    def delete_fresh(self):
        """Delete in Outlook a contact the last run has just put there."""
        pool = [(self.moved_by[e], e) for e in sorted(self.created - self.moved - self.edited)
                if self._held(self.moved_by[e], e, "outlook") is not None]
        if pool:
            uid, email = self.rng.choice(pool)
            self._outlook_delete(uid, email)

    def batch(self, n, uid=None, edits_only=False):
        """n random edits, by one user or by random users."""
        for _ in range(n):
            who = uid or self.rng.choice(self.users)
            size = len(self.m.member[who])
            grow = 0 if edits_only else 0.3 if size > 18 else 1.0
            shrink = 0 if edits_only else 0.2 if size < 6 else 1.0
            ops = [("outlook create", 2 * grow), ("interaction create", 2 * grow),
                   ("outlook create known", 1 * grow), ("interaction add", 1.5 * grow),
                   ("outlook delete", 1.5 * shrink), ("interaction remove", 1.5 * shrink),
                   ("outlook edit", 4), ("interaction firm edit", 2),
                   ("interaction user edit", 3), ("edit both sides", 1.5)]
            op = self.rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
            try:
                getattr(self, "op_" + op.replace(" ", "_"))(who)
            except FakeError as e:
                # An edit the fake refused (the item moved since the round
                # began) is not in the model: no one made it.
                self.failed += 1
                self.note("round %d: %s refused: %s" % (self.round, op, e))

    # ---- the ops (each changes the fakes first, then the model)

    def _new_person(self, tag):
        email = self.m.new_email(tag)
        return email, "Given%d" % self.m.serial, "Soak%05d" % self.m.serial

    def op_outlook_create(self, uid):
        email, given, surname = self._new_person("o")
        src = "outlook:" + uid
        job, company, notes = (self.value("job", src), self.value("company", src),
                               self.value("notes", src))
        self.f.ews_ctl("create", {"mailbox": self.mailbox[uid], "contact": {
            "GivenName": given, "Surname": surname, "CompanyName": company, "JobTitle": job,
            "EmailAddresses": {"EmailAddress1": email}, "Body": notes}})
        self.m.person(email, given, surname, job, company, src, False)
        self.m.add(uid, email, notes, src)
        self.moved.add(email)
        self.moved_by[email] = uid
        self.created.add(email)
        self._count("outlook create", uid, email)

    def op_interaction_create(self, uid):
        email, given, surname = self._new_person("i")
        job, company, notes = (self.value("job", "ia"), self.value("company", "ia"),
                               self.value("notes", "ia"))
        self.f.ia_ctl("add", {"user": uid, "contact": {
            "first_name": given, "last_name": surname, "job_title": job, "company_name": company,
            "emails": {"business": email}, "my_notes": notes}})
        self.m.person(email, given, surname, job, company, "interaction", True)
        self.m.add(uid, email, notes, "interaction")
        self.moved.add(email)
        self.moved_by[email] = uid
        self.created.add(email)
        self._count("interaction create", uid, email)

    def op_outlook_create_known(self, uid):
        """A firm contact the user does not have yet, typed into Outlook with
        the firm's values: oisync links it by e-mail, creates nothing."""
        pool = self._outsiders(uid)
        if not pool:
            return self.op_outlook_create(uid)
        email = self.rng.choice(pool)
        vals = self.m.firm_values(email)
        given, surname = self.m.people[email]["name"]
        src = "outlook:" + uid
        notes = self.value("notes", src)
        self.f.ews_ctl("create", {"mailbox": self.mailbox[uid], "contact": {
            "GivenName": given, "Surname": surname, "CompanyName": vals["company"],
            "JobTitle": vals["job"], "EmailAddresses": {"EmailAddress1": email}, "Body": notes}})
        self.m.add(uid, email, notes, src)
        self.moved.add(email)
        self.frozen.add(email)
        self._count("outlook create known", uid, email)

    def op_interaction_add(self, uid):
        pool = self._outsiders(uid)
        if not pool:
            return self.op_interaction_create(uid)
        email = self.rng.choice(pool)
        cid = self.v.firm[email][0]["cid"]
        notes = self.value("notes", "ia") if self.rng.random() < 0.5 else ""
        body = {"user": uid, "contact_id": cid}
        if notes:
            body["set"] = {"my_notes": notes}
        self.f.ia_ctl("add", body)
        self.m.add(uid, email, notes, "interaction")
        self.moved.add(email)
        self.moved_by[email] = uid
        self.created.add(email)
        self._count("interaction add", uid, email)

    def _pick_unedited(self, uid, side):
        pool = [e for e in self._members(uid, side) if e not in self.edited and e not in self.moved]
        # After a run, prefer what it just created (see after_run).
        fresh = [e for e in pool if e in self.created]
        if fresh and self.rng.random() < 0.8:
            pool = fresh
        return self.rng.choice(pool) if pool else None

    def op_outlook_delete(self, uid):
        email = self._pick_unedited(uid, "outlook")
        if email is not None:
            self._outlook_delete(uid, email)

    def _outlook_delete(self, uid, email):
        self.f.ews_ctl("delete", {"mailbox": self.mailbox[uid],
                                  "id": self._held(uid, email, "outlook")["id"]})
        self.m.remove(uid, email)
        self.moved.add(email)
        self.frozen.add(email)
        self._count("outlook delete", uid, email)

    def op_interaction_remove(self, uid):
        email = self._pick_unedited(uid, "interaction")
        if email is None:
            return
        self.f.ia_ctl("remove", {"user": uid, "contact_id": self._held(uid, email, "interaction")["cid"]})
        self.m.remove(uid, email)
        self.moved.add(email)
        self.frozen.add(email)
        self._count("interaction remove", uid, email)

    def _pick_member(self, uid, side):
        pool = self._members(uid, side)
        # Edits of contacts created moments ago are what stale change sets
        # and overlapping runs get wrong: prefer them when there are some.
        fresh = [e for e in pool if e in self.created]
        if fresh and self.rng.random() < 0.8:
            pool = fresh
        return self.rng.choice(pool) if pool else None

    def _edit_outlook(self, uid, email, field):
        src = "outlook:" + uid
        v = self.value(field, src)
        self.f.ews_ctl("edit", {"mailbox": self.mailbox[uid], "id": self._held(uid, email, "outlook")["id"],
                                "set": {OUTLOOK_FIELD[field]: v}})
        if field == "notes":
            self.m.edit_notes(uid, email, v, src)
        else:
            self.m.edit_firm(email, field, v, src)
        self.edited.add(email)

    def _edit_interaction(self, uid, email, field):
        v = self.value(field, "ia")
        body = {"contact_id": self._held(uid, email, "interaction")["cid"], "set": {IA_FIELD[field]: v}}
        if field == "notes" or self.rng.random() < 0.5:
            body["user"] = uid
        self.f.ia_ctl("edit", body)
        if field == "notes":
            self.m.edit_notes(uid, email, v, "interaction")
        else:
            self.m.edit_firm(email, field, v, "interaction")
        self.edited.add(email)

    def op_outlook_edit(self, uid):
        email = self._pick_member(uid, "outlook")
        if email is not None:
            self._edit_outlook(uid, email, self.rng.choice(FIRM_FIELDS + ("notes",)))
            self._count("outlook edit", uid, email)

    def op_interaction_firm_edit(self, uid):
        email = self._pick_member(uid, "interaction")
        if email is not None:
            self._edit_interaction(uid, email, self.rng.choice(FIRM_FIELDS))
            self._count("interaction firm edit", uid, email)

    def op_interaction_user_edit(self, uid):
        email = self._pick_member(uid, "interaction")
        if email is not None:
            self._edit_interaction(uid, email, "notes")
            self._count("interaction user edit", uid, email)

    def op_edit_both_sides(self, uid):
        """The same field changed in Outlook and in InterAction: a conflict."""
        email = self._pick_member(uid, "both")
        if email is None:
            return
        field = self.rng.choice(FIRM_FIELDS + ("notes",))
        first, second = ((self._edit_outlook, self._edit_interaction) if self.rng.random() < 0.5
                         else (self._edit_interaction, self._edit_outlook))
        first(uid, email, field)
        second(uid, email, field)
        self._count("edit both sides", uid, email)
