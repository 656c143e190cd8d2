# ia_control.py - the InterAction fake's own /_fake/ control endpoints.
"""Control endpoints of the InterAction reference server (interaction_server.py)
that act on its data: dump and simulated user edits. Stats, faults, the clock
and reset are fakeserver.py's, common to both fakes. Python 3 standard library
only."""

from ia_appointments import appt_view, check_appt_body
from ia_model import bad, firm_view, split_body


def need_str(body, key):
    v = body.get(key) if isinstance(body, dict) else None
    if not isinstance(v, str) or not v:
        bad("control body needs a string '%s'" % key)
    return v


class Control:
    """The /_fake/ endpoints on the store (the caller holds its lock)."""

    def __init__(self, store):
        self.s = store

    def dump(self, req):
        return 200, self.s.to_json()

    def edit(self, req):
        body = req.json()
        cid = need_str(body, "contact_id")
        uid = body.get("user")
        self.s.contact(cid)
        if uid is not None:
            self.s.member(uid, cid)
        firm, user = split_body(body.get("set", {}), True, uid is not None, "/_fake/edit")
        if self.s.update(cid, firm, uid, user):
            self.s.save()
        if uid is None:
            return 200, firm_view(self.s.contacts[cid])
        return 200, self.s.view(uid, cid)

    def remove(self, req):
        body = req.json()
        uid, cid = need_str(body, "user"), need_str(body, "contact_id")
        self.s.member(uid, cid)
        self.s.remove_member(uid, cid)
        self.s.save()
        return 200, {"removed": cid}

    def add(self, req):
        body = req.json()
        uid = need_str(body, "user")
        self.s.user(uid)
        if "contact_id" in body:
            cid = need_str(body, "contact_id")
            self.s.contact_as(cid, uid)
            _, user = split_body(body.get("set", {}), False, True, "/_fake/add")
            self.s.add_member(uid, cid, user)
        else:
            firm, user = split_body(body.get("contact", {}), True, True, "/_fake/add")
            cid = self.s.create(firm, private_owner=uid if user.get("private") else "")
            self.s.add_member(uid, cid, user)
        self.s.save()
        return 201, {"id": cid}

    def appointment_edit(self, req):
        """A user's edit of an appointment in InterAction (no If-Match)."""
        body = req.json()
        aid = need_str(body, "id")
        self.s.appointment(aid)
        if self.s.appt_update(aid, check_appt_body(body.get("set", {}), self.s.activity_types)):
            self.s.save()
        return 200, appt_view(self.s.appointments[aid])

    def delete(self, req):
        cid = need_str(req.json(), "contact_id")
        self.s.contact(cid)
        self.s.delete_contact(cid)
        self.s.save()
        return 200, {"deleted": cid}


# The error code of each status an http_status fault may answer with.
STATUS_CODES = {429: "rate_limited", 500: "internal", 502: "bad_gateway",
                503: "unavailable", 504: "gateway_timeout"}
