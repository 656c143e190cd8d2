#!/usr/bin/python3
# interaction_server.py - the InterAction API v1 reference server (oisync tests, demo).
"""InterAction API v1 reference server for oisync.

Implements the contract of man/oisync-interaction-api.7: OAuth client
credentials, firm contacts, users' contact lists with per-user data, a change
feed with opaque cursors, versions with If-Match (a firm version per contact,
a per-user version per list entry; a user view's version is their sum, so
another user's per-user edits never make it stale), and fake-only control
endpoints under /_fake/ for tests (stats, dump, simulated user edits, faults,
clock, reset).
Python 3 standard library only; listens on 127.0.0.1 only.
"""

import argparse
import base64
import bisect
import json
import os
import secrets
import sys
import threading
import traceback
from urllib.parse import parse_qs, unquote, urlsplit

USAGE_EPILOG = """\
clients file (mode 0600, written by tests at run time; never commit a secret):
  CLIENT_ID:CLIENT_SECRET   credentials POST /oauth/token accepts
  token:STATIC              a bearer token accepted as is, never expires
  # comment, blank lines    ignored
Without --clients-file the server runs open: no Authorization is checked and
/oauth/token issues a token for any credentials.

seed file (JSON):
  {"users":[{"id":"alice","name":"Alice Smith","email":"alice@firm.example"},
             {"id":"bob",...,"proxy_for":["alice"]}],
   "contacts":[{"id":"c-000001","first_name":"Ann","last_name":"Lee",...},
               {"id":"c-000009",...,"private_owner":"alice"}],
   "lists":{"alice":[{"id":"c-000001","goes_by":"Annie","my_notes":"",
                      "categories":["Clients"],"private":false}]},
   "activity_types":[{"id":"meeting","name":"Meeting","appointment":true},...],
   "appointments":[{"id":"a-000001","owner":"alice","subject":"...",
                    "start":"2026-12-01T09:00:00Z","end":"2026-12-01T10:00:00Z",...}],
   "rights":{"oisync":{"read_only_fields":["company_name","emails.business"]}}}
  Contact "id" is optional (ids are "c-%06d"); its firm "version" (default 1)
  and "updated_at" may be given. A list entry may give its per-user "version"
  (default 0); a user view's version is firm version + per-user version.
  A contact with "private_owner" is seen only by that user and the users who
  are proxy for them. Appointment ids are "a-%06d"; "status" (appointment or
  activity) and "version" may be given. Without "activity_types": meeting,
  call (usable for appointments) and e-mail. "rights" maps a client id ("*":
  every caller, also static tokens) to the contact fields it may not change.

--data-dir DIR keeps the state in DIR/state.json and what changed since in
DIR/state.journal (one line per change; tests/fakes/journal.py), and loads
them instead of the seed when they exist.

API (see man/oisync-interaction-api.7):
  POST /oauth/token                         grant_type=client_credentials
  GET  /api/v1/users                        GET /api/v1/users/{uid}
  GET  /api/v1/users/{uid}/contacts?limit=N&page=TOKEN   POST .../users/{uid}/contacts
  GET|PUT|PATCH|DELETE /api/v1/users/{uid}/contacts/{id}
  GET  /api/v1/users/{uid}/changes?cursor=CURSOR&limit=N
  GET  /api/v1/contacts?email=ADDR | ?external_ref=REF [&as_user=UID]
  POST /api/v1/contacts                     GET|PATCH /api/v1/contacts/{id}[?as_user=UID]
  GET  /api/v1/activity-types
  GET|POST /api/v1/users/{uid}/appointments?start=T&end=T&limit=N&page=TOKEN
  GET|PATCH|DELETE /api/v1/appointments/{id}   POST /api/v1/appointments/{id}/complete
  GET  /api/v1/appointments?external_ref=REF

control endpoints (no auth; stats, faults, clock and reset are common to both
fakes, tests/fakes/fakeserver.py):
  GET  /_fake/stats          requests per "METHOD /route", statuses, faults_fired,
                             delayed (requests held by latency_ms), delayed_ms
  POST /_fake/stats/reset    zero the counters
  GET  /_fake/dump           the whole state
  POST /_fake/edit           {"user":U,"contact_id":ID,"set":{...}}  (no If-Match)
  POST /_fake/remove         {"user":U,"contact_id":ID}
  POST /_fake/add            {"user":U,"contact":{...}} -> {"id":ID}
                             or {"user":U,"contact_id":ID} to list an existing one
  POST /_fake/delete         {"contact_id":ID}  delete a firm contact everywhere
  POST /_fake/appointment-edit {"id":ID,"set":{...}}  a user's edit of an appointment
  GET|POST /_fake/faults     {"latency_ms":N,
                              "http_status":{"code":429|500|502|503|504,"retry_after":S},
                              "drop":{"after":false},
                              "truncate":{}}
                             each kind also takes "next":N (default 1), "rate":R
                             (0..1, seeded) and "skip":K; each POST replaces the
                             whole set ({} clears); faults hit /api/v1 and
                             /oauth/token only. "drop" closes the connection
                             without a reply (with "after":true it does so after
                             doing the request); "truncate" does the request and
                             sends half the body under the full Content-Length;
                             Retry-After only when retry_after is given.
  GET|POST /_fake/clock      {"now":T}; POST {"advance_s":N} or {"set":T} moves the
                             server's clock (token expiry, updated_at, change stamps)
  POST /_fake/reset          back to the state at start from the seed (faults,
                             stats, clock and issued tokens too; new generation, so
                             old cursors get 410); {"seed":"/abs/path.json"}: from
                             that seed this once

The server stops cleanly on SIGTERM or SIGINT.
"""

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # this fake's modules, then fakeserver
from fakeserver import (COMMON_KINDS, ControlError, FakeHandler, FakeServer,  # noqa: E402
                        HttpError, ListenError, json_body, serve)
from journal import Journal  # noqa: E402
from ia_model import (  # noqa: E402
    MAX_BODY, ApiError, bad, not_found, now_utc, blank_firm, new_entry,
    split_body, apply_firm, apply_user, firm_view, view_version, user_view,
    encode_token, decode_token, parse_limit, parse_if_match)
from ia_appointments import (  # noqa: E402
    ApptApi, StoreAppointments, appt_view, route_appointments)
from ia_access import AccessApi, StoreAccess  # noqa: E402
from ia_auth import Auth  # noqa: E402
from ia_control import STATUS_CODES, Control  # noqa: E402

STATE_FORMAT = "oisync-interaction-fake/2"
OLD_STATE_FORMAT = "oisync-interaction-fake/1"   # upgraded on load
# The fault kinds, in the order they are tried (fakeserver.Faults).
FAULT_KINDS = {k: COMMON_KINDS[k] for k in ("drop", "http_status", "truncate")}

# ---------------------------------------------------------------- the state

class Store(StoreAppointments, StoreAccess):
    """Everything the server knows; callers hold self.lock.

    Indexes keep every request's work independent of the firm's size: the
    contacts by e-mail address (casefolded) and by external_ref, and each
    user's change log entries. With --data-dir, save() journals what changed
    since the last save (every change goes through record(), which marks it)."""

    def __init__(self, retention, data_dir):
        self.lock = threading.RLock()
        self.retention = retention
        self.journal = (Journal(os.path.join(data_dir, "state.json"), self.to_json,
                                ensure_ascii=False, indent=1) if data_dir else None)
        self.generation = secrets.token_hex(4)
        self.users = []
        self.contacts = {}        # id -> firm contact (full shape)
        self.lists = {}           # uid -> {contact id -> entry (see new_entry)}
        self.log = []             # change log, seq floor+1 .. seq
        self.seq = 0
        self.floor = 0            # highest seq dropped from the log
        self.next_id = 1
        self.by_email = {}        # casefolded address -> {contact id}
        self.by_ref = {}          # external_ref -> {contact id}
        self.user_seqs = {}       # uid -> [seq of each log entry naming uid], rising
        self.saved = (0, 0)       # (seq, floor) at the last save
        self.appt_init()
        self.access_init()

    # -- loading and saving

    def load_seed(self, seed):
        if not isinstance(seed, dict):
            raise ValueError("the seed must be a JSON object")
        for k in seed:
            if k not in ("users", "contacts", "lists", "activity_types", "appointments",
                         "rights"):
                raise ValueError("unknown seed key '%s'" % k)
        for u in seed.get("users", []):
            if not isinstance(u, dict) or not isinstance(u.get("id"), str) or not u["id"]:
                raise ValueError("every seed user needs a string id")
            if u["id"] in self.lists:
                raise ValueError("duplicate user '%s'" % u["id"])
            self.users.append({"id": u["id"], "name": u.get("name", ""),
                               "email": u.get("email", ""),
                               "proxy_for": self.access_seed_user(u)})
            self.lists[u["id"]] = {}
        stamp = now_utc()
        for raw in seed.get("contacts", []):
            if not isinstance(raw, dict):
                raise ValueError("every seed contact must be an object")
            body = dict(raw)
            cid = body.pop("id", None)
            version = body.pop("version", 1)
            updated = body.pop("updated_at", stamp)
            private_owner = body.pop("private_owner", "")
            try:
                firm, user = split_body(body, True, False, "a seed contact")
            except ApiError as e:
                raise ValueError("seed contact %s: %s" % (cid or "", e.message))
            if cid is None:
                while "c-%06d" % self.next_id in self.contacts:
                    self.next_id += 1
                cid = "c-%06d" % self.next_id
            if not isinstance(cid, str) or not cid or cid in self.contacts:
                raise ValueError("bad or duplicate seed contact id %r" % (cid,))
            if not isinstance(version, int) or version < 1:
                raise ValueError("seed contact %s: bad version" % cid)
            c = blank_firm()
            apply_firm(c, firm)
            c.update(id=cid, version=version, updated_at=updated)
            if private_owner:
                c["private_owner"] = private_owner
            self.contacts[cid] = c
            self.index(cid)
            if cid.startswith("c-") and cid[2:].isdigit():
                self.next_id = max(self.next_id, int(cid[2:]) + 1)
        for uid, entries in seed.get("lists", {}).items():
            if uid not in self.lists:
                raise ValueError("list for unknown user '%s'" % uid)
            for e in entries:
                body = dict(e) if isinstance(e, dict) else {"id": e}
                cid = body.pop("id", None)
                version = body.pop("version", 0)
                if cid not in self.contacts:
                    raise ValueError("list of '%s': unknown contact %r" % (uid, cid))
                if (not isinstance(version, int) or isinstance(version, bool)
                        or version < 0):
                    raise ValueError("list of '%s', %s: bad version" % (uid, cid))
                try:
                    _, user = split_body(body, False, True, "a seed list entry")
                except ApiError as err:
                    raise ValueError("list of '%s', %s: %s" % (uid, cid, err.message))
                entry = new_entry()
                entry.update(user, version=version)
                self.lists[uid][cid] = entry
        self.access_seed(seed)
        self.appt_seed(seed)

    def to_json(self):
        st = {"format": STATE_FORMAT, "generation": self.generation,
              "seq": self.seq, "floor": self.floor, "next_id": self.next_id,
              "users": self.users, "contacts": self.contacts, "lists": self.lists,
              "log": self.log}
        st.update(self.appt_to_json())
        st["rights"] = self.rights
        return st

    def load_state(self, st):
        fmt = st.get("format")
        if fmt not in (STATE_FORMAT, OLD_STATE_FORMAT):
            raise ValueError("not a state file of this server")
        self.generation = st["generation"]
        self.seq, self.floor, self.next_id = st["seq"], st["floor"], st["next_id"]
        self.users, self.log = st["users"], st["log"]
        self.contacts = {}
        for cid, c in st["contacts"].items():
            full = blank_firm()   # fill keys a hand-edited file may lack
            full.update(c)
            self.contacts[cid] = full
            self.index(cid)
        for e in self.log:
            for u in e["users"]:
                self.user_seqs.setdefault(u, []).append(e["seq"])
        # Format 1 had one version per contact and no per-user versions: its
        # entries start at per-user version 0, so every view keeps the version
        # a client last saw.
        self.lists = {}
        for uid, lst in st["lists"].items():
            self.lists[uid] = {}
            for cid, e in lst.items():
                full = new_entry()
                full.update(e)
                self.lists[uid][cid] = full
        self.appt_load(st)
        self.access_load(st)

    def start_saving(self):
        """--data-dir: the state file holds this store whole, from now on."""
        self.saved = (self.seq, self.floor)
        if self.journal:
            self.journal.rewrite()

    def save(self):
        """--data-dir: one journal line of what changed since the last save: the
        objects record() marked, the counters, the log's new and dropped entries."""
        j = self.journal
        if j is None:
            return
        for k in ("seq", "floor", "next_id", "next_appt_id"):
            j.mark(k)
        seq0, floor0 = self.saved
        if self.floor > floor0 and min(self.floor, seq0) > floor0:
            j.add(["trim", ["log"], min(self.floor, seq0) - floor0])
        new = self.log[max(seq0, self.floor) - self.floor:]
        if new:
            j.add(["append", ["log"], new])
        self.saved = (self.seq, self.floor)
        j.commit()

    def close(self):
        """At a clean stop: the state file whole, no journal left."""
        if self.journal:
            self.journal.close()

    # -- indexes

    def index(self, cid):
        c = self.contacts[cid]
        for e in c["emails"].values():
            if e:
                self.by_email.setdefault(e.casefold(), set()).add(cid)
        for ref in c["external_refs"]:
            self.by_ref.setdefault(ref, set()).add(cid)

    def unindex(self, cid):
        c = self.contacts[cid]
        for e in c["emails"].values():
            if e:
                self.by_email.get(e.casefold(), set()).discard(cid)
        for ref in c["external_refs"]:
            self.by_ref.get(ref, set()).discard(cid)

    def with_email(self, email):
        """Ids of the contacts with that address (any of three, any case), sorted."""
        return sorted(self.by_email.get(email.casefold(), ()))

    # -- lookups

    def user(self, uid):
        if uid not in self.lists:
            not_found("user '%s'" % uid)
        return self.lists[uid]

    def contact(self, cid):
        if cid not in self.contacts:
            not_found("contact '%s'" % cid)
        return self.contacts[cid]

    def member(self, uid, cid):
        lst = self.user(uid)
        if cid not in lst:
            not_found("contact '%s' on the list of '%s'" % (cid, uid))
        return lst[cid]

    def holders(self, cid):
        return [u for u, lst in self.lists.items() if cid in lst]

    def view(self, uid, cid):
        return user_view(self.contacts[cid], self.lists[uid][cid])

    def view_version(self, uid, cid):
        return view_version(self.contacts[cid], self.lists[uid][cid])

    # -- changes

    def record(self, oid, what, users, key="contact"):
        """Log a change of contact (or with key="appointment" appointment) oid
        that the given users' feeds report; the next save() writes the object
        (and the users' list entries of a contact)."""
        self.seq += 1
        self.log.append({"seq": self.seq, key: oid, "what": what,
                         "users": sorted(users), "at": now_utc()})
        for u in users:
            self.user_seqs.setdefault(u, []).append(self.seq)
        if self.journal:
            self.journal.mark(key + "s", oid)
            if key == "contact":
                for u in users:
                    self.journal.mark("lists", u, oid)
        if self.retention is not None and len(self.log) > self.retention:
            drop = len(self.log) - self.retention
            self.floor = self.log[drop - 1]["seq"]
            del self.log[:drop]

    def bump_firm(self, cid):
        c = self.contacts[cid]
        c["version"] += 1
        c["updated_at"] = now_utc()

    def bump_user(self, uid, cid):
        e = self.lists[uid][cid]
        e["version"] += 1
        e["updated_at"] = now_utc()

    def check_version(self, cid, if_match, uid=None):
        """If-Match against the firm version, or with uid the user view's."""
        if if_match is None:
            return
        want = parse_if_match(if_match)
        have = (self.contacts[cid]["version"] if uid is None
                else self.view_version(uid, cid))
        if want != have:
            raise ApiError(412, "version_mismatch",
                           "contact '%s' is at version %d, not %d" % (cid, have, want),
                           {"ETag": '"%d"' % have})

    def check_refs(self, refs, cid=None):
        for ref in refs:
            others = sorted(self.by_ref.get(ref, set()) - {cid})
            if others:
                raise ApiError(409, "already_exists",
                               "external_ref '%s' is already on contact '%s'"
                               % (ref, others[0]))

    def create(self, firm, private_owner=""):
        if "external_refs" in firm:
            self.check_refs(firm["external_refs"])
        while "c-%06d" % self.next_id in self.contacts:
            self.next_id += 1
        cid = "c-%06d" % self.next_id
        self.next_id += 1
        c = blank_firm()
        apply_firm(c, firm)
        c.update(id=cid, version=1, updated_at=now_utc())
        if private_owner:
            c["private_owner"] = private_owner
        self.contacts[cid] = c
        self.index(cid)
        self.record(cid, "create", [])
        return cid

    def update(self, cid, firm, uid=None, user=None):
        """Apply firm and per-user patches as one change; True when changed."""
        c = self.contacts[cid]
        user = user or {}
        if "external_refs" in firm:
            self.check_refs(firm["external_refs"], cid)
        self.unindex(cid)
        firm_changed = apply_firm(c, firm)
        self.index(cid)
        user_changed = bool(user) and apply_user(self.lists[uid][cid], user)
        if user.get("private") is False and c.get("private_owner") == uid:
            del c["private_owner"]   # its owner made it an ordinary shared contact
        if firm_changed:
            self.bump_firm(cid)
            self.record(cid, "firm", self.holders(cid))
        if user_changed:
            self.bump_user(uid, cid)
            self.record(cid, "user_data", [uid])
        return firm_changed or user_changed

    def add_member(self, uid, cid, user):
        lst = self.lists[uid]
        if cid in lst:
            return False
        entry = new_entry()    # re-adding starts over at per-user version 0
        lst[cid] = entry
        if apply_user(entry, user):
            self.bump_user(uid, cid)
        self.record(cid, "add", [uid])
        return True

    def remove_member(self, uid, cid):
        del self.lists[uid][cid]
        self.record(cid, "remove", [uid])

    def delete_contact(self, cid):
        holders = self.holders(cid)
        for u in holders:
            del self.lists[u][cid]
        self.unindex(cid)
        del self.contacts[cid]
        self.record(cid, "delete", holders)

    # -- reads

    def search(self, email, ref, as_user=None):
        if as_user is not None:
            self.user(as_user)
        out = []
        if email is not None:
            cids = self.with_email(email)
        else:
            cids = sorted(self.by_ref.get(ref, ()))
        for cid in cids:
            c = self.contacts[cid]
            if ref is not None and ref not in c["external_refs"]:
                continue
            if as_user is not None and not self.visible(as_user, cid):
                continue
            out.append(firm_view(c))
        return out

    def list_page(self, uid, limit, page):
        lst = self.user(uid)
        if page:
            parts = decode_token(page)
            if (not parts or len(parts) != 5 or parts[0] != "page"
                    or parts[1] != self.generation or parts[2] != uid
                    or not isinstance(parts[3], int) or not isinstance(parts[4], str)):
                bad("invalid page token")
            cursor_seq, after = parts[3], parts[4]
        else:
            cursor_seq, after = self.seq, ""
        ids = [cid for cid in sorted(lst) if cid > after]
        chunk = ids[:limit]
        nxt = None
        if len(ids) > limit:
            nxt = encode_token(["page", self.generation, uid, cursor_seq, chunk[-1]])
        return {"contacts": [self.view(uid, cid) for cid in chunk], "next": nxt,
                "cursor": self.cursor(uid, cursor_seq)}

    def cursor(self, uid, seq):
        return encode_token(["cursor", self.generation, uid, seq])

    def changes(self, uid, cursor, limit):
        self.user(uid)
        parts = decode_token(cursor)
        if (not parts or len(parts) != 4 or parts[0] != "cursor"
                or parts[1] != self.generation or parts[2] != uid
                or not isinstance(parts[3], int)):
            raise ApiError(410, "cursor_expired", "unknown cursor: do a full read")
        since = parts[3]
        if since < self.floor or since > self.seq:
            raise ApiError(410, "cursor_expired",
                           "cursor too old (changes dropped): do a full read")
        last = {}   # (kind, id) -> seq of its latest change this user sees
        seqs = self.user_seqs.get(uid, [])
        del seqs[:bisect.bisect_right(seqs, self.floor)]   # dropped from the log
        for s in seqs[bisect.bisect_right(seqs, since):]:
            e = self.log[s - self.floor - 1]
            key = (("appointment", e["appointment"]) if "appointment" in e
                   else ("contact", e["contact"]))
            last[key] = e["seq"]
        todo = sorted(last.items(), key=lambda kv: kv[1])
        page = todo[:limit]
        more = len(todo) > limit
        out = []
        for (kind, oid), _ in page:
            if kind == "appointment":
                if oid in self.appointments:
                    out.append({"op": "upsert",
                                "appointment": appt_view(self.appointments[oid])})
                else:
                    out.append({"op": "delete", "kind": "appointment", "id": oid,
                                "reason": "deleted"})
            elif oid in self.lists[uid]:
                out.append({"op": "upsert", "contact": self.view(uid, oid)})
            else:
                reason = "removed_from_list" if oid in self.contacts else "deleted"
                out.append({"op": "delete", "kind": "contact", "id": oid,
                            "reason": reason})
        upto = page[-1][1] if more else self.seq
        return {"changes": out, "cursor": self.cursor(uid, upto), "more": more}


# ---------------------------------------------------------------- routes

def route(method, parts):
    """Map a split /api/v1 path to (template, handler name, params)."""
    appt = route_appointments(parts)
    if appt:
        return appt
    n = len(parts)
    if n == 1 and parts[0] == "users":
        return "/users", {"GET": "get_users"}, {}
    if n >= 2 and parts[0] == "users":
        p = {"uid": parts[1]}
        if n == 2:
            return "/users/{uid}", {"GET": "get_user"}, p
        if n == 3 and parts[2] == "contacts":
            return ("/users/{uid}/contacts",
                    {"GET": "get_list", "POST": "post_user_contact"}, p)
        if n == 4 and parts[2] == "contacts":
            p["id"] = parts[3]
            return ("/users/{uid}/contacts/{id}",
                    {"GET": "get_member", "PUT": "put_member",
                     "PATCH": "patch_member", "DELETE": "delete_member"}, p)
        if n == 3 and parts[2] == "changes":
            return "/users/{uid}/changes", {"GET": "get_changes"}, p
    if n == 1 and parts[0] == "contacts":
        return "/contacts", {"GET": "search", "POST": "post_contact"}, {}
    if n == 2 and parts[0] == "contacts":
        return ("/contacts/{id}", {"GET": "get_contact", "PATCH": "patch_contact"},
                {"id": parts[1]})
    return None, None, None


class Api(ApptApi, AccessApi):
    """The /api/v1 handlers: (store, request) -> (status, body, headers)."""

    def __init__(self, store):
        self.s = store

    def etag(self, cid, uid=None):
        """The firm version, or with uid the user view's version."""
        v = (self.s.contacts[cid]["version"] if uid is None
             else self.s.view_version(uid, cid))
        return {"ETag": '"%d"' % v}

    def get_users(self, req, p):
        return 200, {"users": self.s.users}, {}

    def get_user(self, req, p):
        self.s.user(p["uid"])
        return 200, next(u for u in self.s.users if u["id"] == p["uid"]), {}

    def get_list(self, req, p):
        q = req.query
        return 200, self.s.list_page(p["uid"], parse_limit(q), q.get("page") or ""), {}

    def get_member(self, req, p):
        self.s.member(p["uid"], p["id"])
        return 200, self.s.view(p["uid"], p["id"]), self.etag(p["id"], p["uid"])

    def put_member(self, req, p):
        uid, cid = p["uid"], p["id"]
        self.s.contact_as(cid, uid)
        body = req.json(optional=True)
        _, user = split_body(body if body is not None else {}, False, True,
                             "PUT /users/{uid}/contacts/{id}")
        self.s.check_field_rights(req.client, {}, user, cid, uid)
        if self.s.add_member(uid, cid, user):
            status = 201
        else:
            status = 200
            self.s.update(cid, {}, uid, user)
        self.s.save()
        return status, self.s.view(uid, cid), self.etag(cid, uid)

    def patch_member(self, req, p):
        uid, cid = p["uid"], p["id"]
        self.s.member(uid, cid)
        body = req.json()
        firm, user = split_body(body, True, True, "PATCH /users/{uid}/contacts/{id}")
        if req.if_match is None:
            raise ApiError(428, "precondition_required",
                           "PATCH needs If-Match with the contact's version")
        self.s.check_version(cid, req.if_match, uid)
        self.s.check_field_rights(req.client, firm, user, cid, uid)
        if self.s.update(cid, firm, uid, user):
            self.s.save()
        return 200, self.s.view(uid, cid), self.etag(cid, uid)

    def delete_member(self, req, p):
        uid, cid = p["uid"], p["id"]
        self.s.member(uid, cid)
        self.s.check_version(cid, req.if_match, uid)
        self.s.remove_member(uid, cid)
        self.s.save()
        return 204, None, {}

    def get_changes(self, req, p):
        self.s.user(p["uid"])
        cursor = req.query.get("cursor")
        if not cursor:
            raise ApiError(400, "cursor_required",
                           "give ?cursor= (the cursor of a full read or of the last page)")
        return 200, self.s.changes(p["uid"], cursor, parse_limit(req.query)), {}

    def search(self, req, p):
        email = req.query.get("email")
        ref = req.query.get("external_ref")
        if email is None and ref is None:
            bad("give ?email= or ?external_ref=")
        return 200, {"contacts": self.s.search(email, ref, req.query.get("as_user"))}, {}

    def post_contact(self, req, p):
        firm, _ = split_body(req.json(), True, False, "POST /contacts")
        self.s.check_field_rights(req.client, firm, {})
        cid = self.s.create(firm)
        self.s.save()
        hdr = self.etag(cid)
        hdr["Location"] = "/api/v1/contacts/" + cid
        return 201, firm_view(self.s.contacts[cid]), hdr

    def get_contact(self, req, p):
        c = self.s.contact_as(p["id"], req.query.get("as_user"))
        return 200, firm_view(c), self.etag(p["id"])

    def patch_contact(self, req, p):
        cid = p["id"]
        self.s.contact(cid)
        firm, _ = split_body(req.json(), True, False, "PATCH /contacts/{id}")
        if req.if_match is None:
            raise ApiError(428, "precondition_required",
                           "PATCH needs If-Match with the contact's version")
        self.s.check_version(cid, req.if_match)
        self.s.check_field_rights(req.client, firm, {}, cid)
        if self.s.update(cid, firm):
            self.s.save()
        return 200, firm_view(self.s.contacts[cid]), self.etag(cid)


# ---------------------------------------------------------------- HTTP

class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.if_match = headers.get("If-Match")
        self.client = None   # the API client of the bearer token, when known

    def json(self, optional=False):
        if not self.body.strip():
            if optional:
                return None
            bad("the request needs a JSON body")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            bad("the body is not valid JSON: %s" % e)


class Handler(FakeHandler):
    server_version = "oisync-interaction-fake/1"

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        srv = self.server
        self._last_status = 0
        try:
            try:
                body = self.read_body(MAX_BODY)
            except HttpError as e:
                raise ApiError(e.status, "too_large" if e.status == 413 else "bad_request",
                               e.message) from None
            req = Request(method, url.path, query, self.headers, body)
            if url.path.startswith("/_fake/"):
                self.control(req)
                return
            self.serve_api(req)
        except ApiError as e:
            self.send_error_json(e)
        except Exception as e:   # a bug in the fake: say so, keep serving
            traceback.print_exc()
            self.send_error_json(ApiError(500, "internal", "fake server bug: %s" % e))
        finally:
            srv.count_status(getattr(self, "_last_status", 0))

    def control(self, req):
        try:
            common = self.server.control(req.method, req.path, json_body(req.body))
        except ControlError as e:
            raise ApiError(e.status, {400: "bad_request", 405: "method_not_allowed"}
                           .get(e.status, "bad_request"), e.message) from None
        if common is not None:
            return self.send_json(*common)
        name = req.path[len("/_fake/"):].strip("/")
        methods = {"dump": ("GET",), "edit": ("POST",), "remove": ("POST",),
                   "add": ("POST",), "delete": ("POST",), "appointment-edit": ("POST",)}
        if name not in methods:
            not_found("control endpoint '/_fake/%s'" % name)
        if req.method not in methods[name]:
            raise ApiError(405, "method_not_allowed", "use %s" % ", ".join(methods[name]),
                           {"Allow": ", ".join(methods[name])})
        with self.server.store.lock:
            status, obj = getattr(Control(self.server.store), name.replace("-", "_"))(req)
        self.send_json(status, obj)

    def serve_api(self, req):
        srv = self.server
        path = req.path
        if path == "/oauth/token":
            template, handlers, params = "/oauth/token", {"POST": "token"}, {}
        elif path.startswith("/api/v1/"):
            parts = [unquote(x) for x in path[len("/api/v1/"):].split("/")]
            if parts and parts[-1] == "":
                parts.pop()
            template, handlers, params = route(req.method, parts)
            if template:
                template = "/api/v1" + template
        else:
            template = None
        srv.count(req.method, template or "(unknown)")
        picked = self.take_fault()
        if picked:
            kind, spec = picked
            if kind == "drop":
                return
            hdr = {"Retry-After": str(spec["retry_after"])} if "retry_after" in spec else {}
            raise ApiError(spec["code"], STATUS_CODES[spec["code"]], "injected fault", hdr)
        if template is None:
            not_found("resource '%s'" % path)
        if req.method not in handlers:
            allow = ", ".join(sorted(handlers))
            raise ApiError(405, "method_not_allowed",
                           "%s takes %s" % (template, allow), {"Allow": allow})
        with srv.store.lock:
            if template == "/oauth/token":
                status, obj, hdr = 200, self.token(req), {"Cache-Control": "no-store"}
            else:
                req.client = srv.auth.check(req.headers.get("Authorization"))
                status, obj, hdr = getattr(srv.api, handlers[req.method])(req, params)
        self.send_json(status, obj, hdr)

    def token(self, req):
        ctype = req.headers.get("Content-Type", "")
        if "json" in ctype:
            form = req.json()
            if not isinstance(form, dict):
                bad("the body must be a form or a JSON object")
        else:
            try:
                form = {k: v[-1] for k, v in
                        parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()}
            except UnicodeDecodeError:
                bad("the form is not UTF-8")
        if form.get("grant_type") != "client_credentials":
            raise ApiError(400, "unsupported_grant_type",
                           "grant_type must be client_credentials")
        cid, secret = form.get("client_id"), form.get("client_secret")
        basic = req.headers.get("Authorization", "")
        if basic.lower().startswith("basic "):
            try:
                raw = base64.b64decode(basic[6:].strip()).decode("utf-8")
                cid, _, secret = raw.partition(":")
            except (ValueError, UnicodeDecodeError):
                raise ApiError(401, "invalid_client", "bad Basic credentials")
        return self.server.auth.issue(cid or "", secret or "")

    def send_error_json(self, e):
        err = {"code": e.code, "message": e.message}
        err.update(getattr(e, "extra", {}))
        self.send_json(e.status, {"error": err}, e.headers)

    def send_json(self, status, obj, headers=None):
        data = b""
        if obj is not None:
            data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                    + "\n").encode("utf-8")
        headers = dict(headers or {})
        if self.close_connection:
            headers["Connection"] = "close"
        if self.reply(status, data, headers,
                      None if status == 204 else "application/json; charset=utf-8"):
            self._last_status = status  # a dropped reply has no status


class Server(FakeServer):
    name = "interaction_server"

    def __init__(self, port, args, verbose):
        self.args = args
        self.store = load_store(args.seed, args.cursor_retention, args.data_dir, keep=True)
        self.store.start_saving()
        self.api = Api(self.store)
        self.auth = Auth(args.clients_file, args.token_ttl)
        super().__init__(port, Handler, FAULT_KINDS, {"requests": {}, "status": {}}, verbose)

    def count(self, method, template):
        self.stats.count("requests", "%s %s" % (method, template))

    def count_status(self, status):
        if status:
            self.stats.count("status", str(status))

    def stats_view(self):
        out = super().stats_view()
        out["requests"] = dict(sorted(out["requests"].items()))
        out["status"] = dict(sorted(out["status"].items()))
        out["total"] = sum(out["requests"].values())
        return out

    def reset_state(self, seed):
        """As at a first start from the seed: a new generation (old cursors and
        page tokens are refused), no issued tokens, and with --data-dir a
        state file holding just that."""
        store = load_store(seed or self.args.seed, self.args.cursor_retention,
                           self.args.data_dir, keep=False)
        with self.store.lock:
            if self.store.journal:
                self.store.journal.retire()   # a request still on it writes nothing
            store.start_saving()
            self.store, self.api = store, Api(store)
            self.auth.reset()

    def close_state(self):
        with self.store.lock:
            self.store.close()


def load_store(seed, retention, data_dir, keep):
    """The store: with `keep` the state --data-dir holds, if any, else the seed
    (none: empty); start_saving() then writes it to --data-dir. ValueError,
    KeyError or OSError when the seed or state is unusable."""
    store = Store(retention, data_dir)
    if data_dir:
        os.makedirs(data_dir, exist_ok=True)
    st = store.journal.load() if keep and store.journal else None
    if st is not None:
        store.load_state(st)
    elif seed:
        with open(seed, encoding="utf-8") as f:
            store.load_seed(json.load(f))
    return store


def main(argv):
    ap = argparse.ArgumentParser(
        prog="interaction_server.py",
        description="InterAction API v1 reference server for oisync tests "
                    "(127.0.0.1 only).",
        epilog=USAGE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="TCP port (0: any free port)")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--seed", help="seed JSON file (ignored when --data-dir holds a state)")
    ap.add_argument("--data-dir", help="keep the state in DIR/state.json and DIR/state.journal")
    ap.add_argument("--clients-file", help="OAuth clients and static tokens (0600)")
    ap.add_argument("--token-ttl", type=int, default=3600,
                    help="lifetime of issued tokens in seconds (default 3600)")
    ap.add_argument("--cursor-retention", type=int, default=None, metavar="N",
                    help="keep only the last N changes; older cursors get 410 "
                         "(default: keep everything)")
    ap.add_argument("--verbose", "-v", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)
    if args.cursor_retention is not None and args.cursor_retention < 0:
        ap.error("--cursor-retention must be >= 0")
    if args.token_ttl < 1:
        ap.error("--token-ttl must be >= 1")
    if args.seed:
        args.seed = os.path.abspath(args.seed)

    try:
        srv = Server(args.port, args, args.verbose)
    except ListenError as e:
        print("interaction_server: %s" % e, file=sys.stderr)
        return 69
    except (OSError, ValueError, KeyError) as e:
        print("interaction_server: cannot start: %s" % e, file=sys.stderr)
        return 78
    return serve(srv, args.port_file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
