# ia_control.py - the /_fake/ control endpoints and fault injection of the InterAction fake.
"""Control endpoints (stats, dump, simulated user edits) and injected faults of
the InterAction reference server (interaction_server.py). Python 3 standard
library only."""

import copy

from ia_model import bad, firm_view, split_body


def need_str(body, key):
    v = body.get(key) if isinstance(body, dict) else None
    if not isinstance(v, str) or not v:
        bad("control body needs a string '%s'" % key)
    return v


class Control:
    """The /_fake/ endpoints."""

    def __init__(self, server):
        self.srv = server
        self.s = server.store

    def stats(self, req):
        if req.method == "DELETE":
            self.srv.stats.clear()
            self.srv.stats_status.clear()
            return 204, None
        return 200, {"requests": dict(sorted(self.srv.stats.items())),
                     "status": dict(sorted(self.srv.stats_status.items())),
                     "total": sum(self.srv.stats.values())}

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

    def delete(self, req):
        cid = need_str(req.json(), "contact_id")
        self.s.contact(cid)
        self.s.delete_contact(cid)
        self.s.save()
        return 200, {"deleted": cid}

    def faults(self, req):
        if req.method == "POST":
            self.srv.faults.configure(req.json())
        return 200, self.srv.faults.describe()


class Faults:
    def __init__(self):
        self.set = {}

    def configure(self, body):
        if not isinstance(body, dict):
            bad("faults must be a JSON object")
        new = {}
        for k, v in body.items():
            if k == "latency_ms":
                if not isinstance(v, int) or v < 0:
                    bad("latency_ms must be a non-negative integer")
                new[k] = v
            elif k in ("http_status", "drop", "truncate"):
                if not isinstance(v, dict):
                    bad("fault '%s' must be an object" % k)
                allowed = {"http_status": ("code", "next", "retry_after"),
                           "drop": ("next", "after"), "truncate": ("next",)}[k]
                for x in v:
                    if x not in allowed:
                        bad("unknown field '%s.%s'" % (k, x))
                f = dict(v)
                if not isinstance(f.get("next", 1), int) or f.get("next", 1) < 0:
                    bad("'%s.next' must be a non-negative integer" % k)
                f.setdefault("next", 1)
                if k == "http_status":
                    if f.get("code") not in (429, 500, 502, 503, 504):
                        bad("http_status.code must be 429, 500, 502, 503 or 504")
                    ra = f.get("retry_after", 1)
                    if not isinstance(ra, int) or ra < 0:
                        bad("http_status.retry_after must be a non-negative integer")
                    f["retry_after"] = ra
                if k == "drop":
                    f["after"] = bool(f.get("after", False))
                new[k] = f
            else:
                bad("unknown fault '%s'" % k)
        self.set = new

    def describe(self):
        return {"faults": copy.deepcopy(self.set)}

    def take(self, kind):
        """Use up one shot of a fault; the fault's settings or None."""
        f = self.set.get(kind)
        if not f or f["next"] <= 0:
            return None
        f["next"] -= 1
        return dict(f)


STATUS_CODES = {429: "rate_limited", 500: "internal", 502: "bad_gateway",
                503: "unavailable", 504: "gateway_timeout"}
