# ia_appointments.py - appointments, activities and activity types of the InterAction fake.
"""Appointments (future meetings) and activities (past meetings) of the
InterAction reference server, as man/oisync-interaction-api.7 defines them.

StoreAppointments is mixed into the server's Store (it uses its lock-held
state, change log and save), ApptApi into its Api; route_appointments maps
the /api/v1 paths. Python 3 standard library only."""

import copy
import re
from datetime import datetime, timezone

from ia_model import (ApiError, bad, check_str, check_str_list, decode_token,
                      encode_token, not_found, now_utc, parse_if_match, parse_limit,
                      unique_nonempty)

DEFAULT_TYPES = [{"id": "meeting", "name": "Meeting", "appointment": True},
                 {"id": "call", "name": "Call", "appointment": True},
                 {"id": "email", "name": "E-mail", "appointment": False}]

APPT_ORDER = ["id", "version", "status", "type", "subject", "start", "end", "all_day",
              "time_zone", "location", "notes", "organizer", "organizer_contact_id",
              "organizer_user_id", "attendees", "categories",
              "private", "show_as", "ical_uid", "series", "original_start", "owner",
              "external_refs", "updated_at"]
APPT_READ_ONLY = ["id", "version", "status", "owner", "updated_at", "organizer_contact_id",
                  "organizer_user_id"]
APPT_STRINGS = ["subject", "time_zone", "location", "notes", "organizer", "ical_uid",
                "series", "original_start"]
SHOW_AS = ["busy", "free", "tentative", "oof", "elsewhere"]
ROLES = ["required", "optional", "resource"]
ATTENDEE_KEYS = ["email", "name", "role", "contact_id", "user_id"]
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def check_types(raw):
    """The seed's activity types, or the default set."""
    if raw is None:
        return copy.deepcopy(DEFAULT_TYPES)
    if not isinstance(raw, list):
        raise ValueError("activity_types must be an array")
    out, seen = [], set()
    for t in raw:
        if (not isinstance(t, dict) or not isinstance(t.get("id"), str) or not t["id"]
                or not isinstance(t.get("name"), str) or not t["name"]
                or not isinstance(t.get("appointment", False), bool)):
            raise ValueError("every activity type needs string id and name and a "
                             "boolean appointment")
        if t["id"] in seen:
            raise ValueError("duplicate activity type '%s'" % t["id"])
        seen.add(t["id"])
        out.append({"id": t["id"], "name": t["name"],
                    "appointment": t.get("appointment", False)})
    return out


def parse_instant(name, v):
    """An RFC 3339 time with offset -> UTC 'YYYY-MM-DDTHH:MM:SSZ'."""
    if not isinstance(v, str) or "T" not in v.upper():
        bad("field '%s' must be an RFC 3339 time, e.g. 2026-12-01T09:00:00Z" % name)
    try:
        t = datetime.fromisoformat(v.upper().replace("Z", "+00:00"))
    except ValueError:
        bad("field '%s' must be an RFC 3339 time, e.g. 2026-12-01T09:00:00Z" % name)
    if t.tzinfo is None:
        bad("field '%s' needs a UTC offset or Z" % name)
    return t.astimezone(timezone.utc).strftime(UTC_FORMAT)


def parse_date(name, v):
    if not isinstance(v, str) or not DATE_RE.match(v):
        bad("field '%s' of an all-day appointment must be a date, e.g. 2026-12-01" % name)
    try:
        datetime.strptime(v, "%Y-%m-%d")
    except ValueError:
        bad("field '%s' is not a valid date" % name)
    return v


def utc_key(v):
    """start/end of either kind as a comparable UTC stamp (dates at 00:00Z)."""
    return v + "T00:00:00Z" if DATE_RE.match(v) else v


def check_attendees(v):
    if v is None or v == "":
        return []
    if not isinstance(v, list):
        bad("field 'attendees' must be an array of objects")
    out = []
    for i, a in enumerate(v):
        where = "attendees[%d]" % i
        if not isinstance(a, dict):
            bad("field '%s' must be an object" % where)
        for k in a:
            if k not in ATTENDEE_KEYS:
                bad("unknown field '%s.%s'" % (where, k))
        role = check_str(where + ".role", a.get("role")) or "required"
        if role not in ROLES:
            bad("field '%s.role' must be one of %s" % (where, ", ".join(ROLES)))
        # contact_id and user_id are the server's: filled by e-mail match, ignored on writes.
        out.append({"email": check_str(where + ".email", a.get("email")),
                    "name": check_str(where + ".name", a.get("name")),
                    "role": role, "contact_id": None, "user_id": None})
    return out


def check_appt_body(body, types):
    """Validate an appointment write body; the patch of the keys sent."""
    if not isinstance(body, dict):
        bad("the body must be a JSON object")
    out = {}
    for k, v in body.items():
        if k in APPT_READ_ONLY:
            continue   # read-only keys a client may echo back: ignored
        if k in APPT_STRINGS:
            out[k] = check_str(k, v)
        elif k in ("start", "end"):
            out[k] = check_str(k, v)   # checked against all_day once merged
        elif k in ("all_day", "private"):
            if v is None:
                v = False
            if not isinstance(v, bool):
                bad("field '%s' must be true or false" % k)
            out[k] = v
        elif k == "type":
            out[k] = check_type(check_str(k, v), types)
        elif k == "show_as":
            v = check_str(k, v) or "busy"
            if v not in SHOW_AS:
                bad("field 'show_as' must be one of %s" % ", ".join(SHOW_AS))
            out[k] = v
        elif k == "attendees":
            out[k] = check_attendees(v)
        elif k in ("categories", "external_refs"):
            out[k] = unique_nonempty(check_str_list(k, v))
        else:
            bad("unknown field '%s'" % k)
    return out


def appointment_types(types):
    return [t for t in types if t["appointment"]]


def check_type(v, types):
    """A type given by id or name -> its name; "" -> the first usable type."""
    usable = appointment_types(types)
    if not v:
        return usable[0]["name"] if usable else ""
    for t in usable:
        if v in (t["id"], t["name"]):
            return t["name"]
    bad("unknown activity type '%s' (GET /activity-types lists the usable ones)" % v)


def finish_times(a):
    """Check and normalize the merged start/end of appointment a."""
    if not a["start"] or not a["end"]:
        bad("an appointment needs 'start' and 'end'")
    if a["all_day"]:
        a["start"] = parse_date("start", a["start"])
        a["end"] = parse_date("end", a["end"])
        if a["end"] <= a["start"]:
            bad("the end of an all-day appointment is exclusive: it must be after its start")
    else:
        a["start"] = parse_instant("start", a["start"])
        a["end"] = parse_instant("end", a["end"])
        if a["end"] < a["start"]:
            bad("'end' is before 'start'")
    if a["original_start"]:
        a["original_start"] = (parse_date if DATE_RE.match(a["original_start"])
                               else parse_instant)("original_start", a["original_start"])


def blank_appointment(types):
    a = {k: "" for k in APPT_ORDER}
    usable = appointment_types(types)
    a.update(id="", version=1, status="appointment",
             type=usable[0]["name"] if usable else "", all_day=False, attendees=[],
             categories=[], private=False, show_as="busy", external_refs=[])
    return a


def appt_view(a):
    return {k: copy.deepcopy(a[k]) for k in APPT_ORDER}


def parse_range_param(q, name):
    v = q.get(name)
    if v is None or v == "":
        return None
    if DATE_RE.match(v):
        return parse_date(name, v) + "T00:00:00Z"
    return parse_instant(name, v)


class StoreAppointments:
    """Appointment state and operations; mixed into Store (caller holds the lock)."""

    def appt_init(self):
        self.appointments = {}     # id -> appointment (full shape, see APPT_ORDER)
        self.next_appt_id = 1
        self.activity_types = copy.deepcopy(DEFAULT_TYPES)

    def appt_seed(self, seed):
        self.activity_types = check_types(seed.get("activity_types"))
        for raw in seed.get("appointments", []):
            if not isinstance(raw, dict):
                raise ValueError("every seed appointment must be an object")
            body = dict(raw)
            aid = body.pop("id", None)
            owner = body.pop("owner", None)
            status = body.pop("status", "appointment")
            version = body.pop("version", 1)
            updated = body.pop("updated_at", now_utc())
            if owner not in self.lists:
                raise ValueError("seed appointment %s: unknown owner %r" % (aid, owner))
            if status not in ("appointment", "activity"):
                raise ValueError("seed appointment %s: bad status" % aid)
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise ValueError("seed appointment %s: bad version" % aid)
            try:
                aid = self.appt_create(owner, check_appt_body(body, self.activity_types),
                                       aid=aid, log=False)
            except ApiError as e:
                raise ValueError("seed appointment %s: %s" % (aid or "", e.message))
            self.appointments[aid].update(status=status, version=version,
                                          updated_at=updated)

    def appt_to_json(self):
        return {"appointments": self.appointments, "next_appt_id": self.next_appt_id,
                "activity_types": self.activity_types}

    def appt_load(self, st):
        self.appointments = st.get("appointments", {})
        self.next_appt_id = st.get("next_appt_id", 1)
        self.activity_types = st.get("activity_types", copy.deepcopy(DEFAULT_TYPES))

    # -- lookups and writes

    def appointment(self, aid):
        if aid not in self.appointments:
            not_found("appointment '%s'" % aid)
        return self.appointments[aid]

    def appt_check_version(self, aid, if_match):
        if if_match is None:
            return
        want = parse_if_match(if_match)
        have = self.appointments[aid]["version"]
        if want != have:
            raise ApiError(412, "version_mismatch",
                           "appointment '%s' is at version %d, not %d" % (aid, have, want),
                           {"ETag": '"%d"' % have})

    def appt_check_refs(self, refs, aid=None):
        for ref in refs:
            for other in self.appointments.values():
                if other["id"] != aid and ref in other["external_refs"]:
                    raise ApiError(409, "already_exists",
                                   "external_ref '%s' is already on appointment '%s'"
                                   % (ref, other["id"]))

    def match_email(self, owner, email):
        """(contact_id, user_id) of an address: the lowest-id firm contact the
        owner may see with it (any of its three), and the firm user whose
        address it is; None for each not found."""
        want = (email or "").casefold()
        if not want:
            return None, None
        cid = next((cid for cid in self.with_email(want) if self.visible(owner, cid)), None)
        uid = next((u["id"] for u in self.users if (u.get("email") or "").casefold() == want), None)
        return cid, uid

    def fill_attendees(self, a):
        """The participants: each attendee's and the organizer's contact and user."""
        for att in a["attendees"]:
            att["contact_id"], att["user_id"] = self.match_email(a["owner"], att["email"])
        a["organizer_contact_id"], a["organizer_user_id"] = self.match_email(a["owner"], a["organizer"])

    def appt_create(self, uid, patch, aid=None, log=True):
        if "external_refs" in patch:
            self.appt_check_refs(patch["external_refs"])
        a = blank_appointment(self.activity_types)
        a.update(patch)
        a["owner"] = uid
        finish_times(a)
        if aid is None:
            while "a-%06d" % self.next_appt_id in self.appointments:
                self.next_appt_id += 1
            aid = "a-%06d" % self.next_appt_id
            self.next_appt_id += 1
        elif not isinstance(aid, str) or not aid or aid in self.appointments:
            raise ValueError("bad or duplicate appointment id %r" % (aid,))
        elif aid.startswith("a-") and aid[2:].isdigit():
            self.next_appt_id = max(self.next_appt_id, int(aid[2:]) + 1)
        a.update(id=aid, updated_at=now_utc())
        self.fill_attendees(a)
        self.appointments[aid] = a
        if log:
            self.record(aid, "create", [uid], key="appointment")
        return aid

    def appt_update(self, aid, patch):
        """Apply a validated patch; True when something changed."""
        a = self.appointments[aid]
        if "external_refs" in patch:
            self.appt_check_refs(patch["external_refs"], aid)
        new = copy.deepcopy(a)
        new.update(patch)
        finish_times(new)
        self.fill_attendees(new)
        if new == a:
            return False
        new["version"] += 1
        new["updated_at"] = now_utc()
        self.appointments[aid] = new
        self.record(aid, "update", [a["owner"]], key="appointment")
        return True

    def appt_complete(self, aid):
        a = self.appointments[aid]
        if a["status"] == "activity":
            return False
        if utc_key(a["end"]) > now_utc():
            raise ApiError(409, "not_past",
                           "appointment '%s' ends %s, in the future: only a past meeting "
                           "becomes an activity" % (aid, a["end"]))
        a["status"] = "activity"
        a["version"] += 1
        a["updated_at"] = now_utc()
        self.record(aid, "complete", [a["owner"]], key="appointment")
        return True

    def appt_reopen(self, aid):
        a = self.appointments[aid]
        if a["status"] == "appointment":
            return False
        if utc_key(a["end"]) <= now_utc():
            raise ApiError(409, "not_future",
                           "activity '%s' ended %s, in the past: only a meeting moved into "
                           "the future becomes an appointment again" % (aid, a["end"]))
        a["status"] = "appointment"
        a["version"] += 1
        a["updated_at"] = now_utc()
        self.record(aid, "reopen", [a["owner"]], key="appointment")
        return True

    def appt_delete(self, aid):
        owner = self.appointments.pop(aid)["owner"]
        self.record(aid, "delete", [owner], key="appointment")

    # -- reads

    def appt_page(self, uid, start, end, limit, page):
        self.user(uid)
        if page:
            parts = decode_token(page)
            if (not parts or len(parts) != 5 or parts[0] != "apage"
                    or parts[1] != self.generation or parts[2] != uid
                    or not isinstance(parts[3], int) or not isinstance(parts[4], str)):
                bad("invalid page token")
            cursor_seq, after = parts[3], parts[4]
        else:
            cursor_seq, after = self.seq, ""
        ids = []
        for aid in sorted(self.appointments):
            a = self.appointments[aid]
            if a["owner"] != uid or aid <= after:
                continue
            s, e = utc_key(a["start"]), utc_key(a["end"])
            # Overlap of [s, e) with [start, end); a zero-length one counts at s.
            if end is not None and s >= end:
                continue
            if start is not None and (e <= start if e > s else s < start):
                continue
            ids.append(aid)
        chunk = ids[:limit]
        nxt = None
        if len(ids) > limit:
            nxt = encode_token(["apage", self.generation, uid, cursor_seq, chunk[-1]])
        return {"appointments": [appt_view(self.appointments[a]) for a in chunk],
                "next": nxt, "cursor": self.cursor(uid, cursor_seq)}

    def appt_search(self, ref):
        return [appt_view(self.appointments[aid]) for aid in sorted(self.appointments)
                if ref in self.appointments[aid]["external_refs"]]


def route_appointments(parts):
    """(template, handlers, params) of an appointment path, or None."""
    n = len(parts)
    if n == 1 and parts[0] == "activity-types":
        return "/activity-types", {"GET": "get_activity_types"}, {}
    if n == 3 and parts[0] == "users" and parts[2] == "appointments":
        return ("/users/{uid}/appointments",
                {"GET": "get_appointments", "POST": "post_appointment"}, {"uid": parts[1]})
    if n == 1 and parts[0] == "appointments":
        return "/appointments", {"GET": "search_appointments"}, {}
    if n == 2 and parts[0] == "appointments":
        return ("/appointments/{id}",
                {"GET": "get_appointment", "PATCH": "patch_appointment",
                 "DELETE": "delete_appointment"}, {"id": parts[1]})
    if n == 3 and parts[0] == "appointments" and parts[2] == "complete":
        return ("/appointments/{id}/complete", {"POST": "complete_appointment"},
                {"id": parts[1]})
    if n == 3 and parts[0] == "appointments" and parts[2] == "reopen":
        return ("/appointments/{id}/reopen", {"POST": "reopen_appointment"},
                {"id": parts[1]})
    return None


class ApptApi:
    """The appointment handlers; mixed into Api (self.s is the Store)."""

    def appt_etag(self, aid):
        return {"ETag": '"%d"' % self.s.appointments[aid]["version"]}

    def get_activity_types(self, req, p):
        return 200, {"types": copy.deepcopy(self.s.activity_types)}, {}

    def get_appointments(self, req, p):
        q = req.query
        start, end = parse_range_param(q, "start"), parse_range_param(q, "end")
        if start is not None and end is not None and end < start:
            bad("'end' is before 'start'")
        return 200, self.s.appt_page(p["uid"], start, end, parse_limit(q),
                                     q.get("page") or ""), {}

    def post_appointment(self, req, p):
        uid = p["uid"]
        self.s.user(uid)
        aid = self.s.appt_create(uid, check_appt_body(req.json(), self.s.activity_types))
        self.s.save()
        hdr = self.appt_etag(aid)
        hdr["Location"] = "/api/v1/appointments/" + aid
        return 201, appt_view(self.s.appointments[aid]), hdr

    def get_appointment(self, req, p):
        return 200, appt_view(self.s.appointment(p["id"])), self.appt_etag(p["id"])

    def patch_appointment(self, req, p):
        aid = p["id"]
        self.s.appointment(aid)
        patch = check_appt_body(req.json(), self.s.activity_types)
        if req.if_match is None:
            raise ApiError(428, "precondition_required",
                           "PATCH needs If-Match with the appointment's version")
        self.s.appt_check_version(aid, req.if_match)
        if self.s.appt_update(aid, patch):
            self.s.save()
        return 200, appt_view(self.s.appointments[aid]), self.appt_etag(aid)

    def delete_appointment(self, req, p):
        aid = p["id"]
        self.s.appointment(aid)
        self.s.appt_check_version(aid, req.if_match)
        self.s.appt_delete(aid)
        self.s.save()
        return 204, None, {}

    def complete_appointment(self, req, p):
        aid = p["id"]
        self.s.appointment(aid)
        if req.if_match is None:
            raise ApiError(428, "precondition_required",
                           "complete needs If-Match with the appointment's version")
        self.s.appt_check_version(aid, req.if_match)
        if self.s.appt_complete(aid):
            self.s.save()
        return 200, appt_view(self.s.appointments[aid]), self.appt_etag(aid)

    def reopen_appointment(self, req, p):
        aid = p["id"]
        self.s.appointment(aid)
        if req.if_match is None:
            raise ApiError(428, "precondition_required",
                           "reopen needs If-Match with the activity's version")
        self.s.appt_check_version(aid, req.if_match)
        if self.s.appt_reopen(aid):
            self.s.save()
        return 200, appt_view(self.s.appointments[aid]), self.appt_etag(aid)

    def search_appointments(self, req, p):
        ref = req.query.get("external_ref")
        if not ref:
            bad("give ?external_ref=")
        return 200, {"appointments": self.s.appt_search(ref)}, {}
