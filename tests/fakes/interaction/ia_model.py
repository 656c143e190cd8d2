# ia_model.py - the InterAction reference server's contact model: fields, checks, views.
"""Contact fields, validation and views of the InterAction reference server
(interaction_server.py), plus the errors, tokens and parameters every
resource module shares. Python 3 standard library only."""

import base64
import copy
import json

from fakeserver import CLOCK

MAX_BODY = 1 << 20
MAX_STRING = 65536
DEFAULT_LIMIT = 100
MAX_LIMIT = 500

STRING_FIELDS = ["title", "first_name", "middle_name", "last_name", "suffix",
                 "company_name", "job_title", "department", "assistant"]
EMAIL_KEYS = ["business", "home", "other"]
PHONE_KEYS = ["direct", "company", "mobile", "home", "other", "business_fax",
              "home_fax", "assistant", "pager"]
ADDRESS_KINDS = ["business", "home", "other"]
ADDRESS_KEYS = ["street", "city", "state", "postal_code", "country"]
KINDS = ["person", "company"]
MAILING = ["", "business", "home", "other"]
FIRM_FIELDS = (["kind"] + STRING_FIELDS
               + ["emails", "phones", "addresses", "mailing_address", "web_site",
                  "custom", "external_refs"])
USER_FIELDS = ["categories", "goes_by", "my_notes", "private"]
READ_ONLY = ["id", "version", "updated_at"]

CLEAR = object()  # a nested object set to null or "": clear all of it


class ApiError(Exception):
    """An error reply: HTTP status, stable code, message, extra headers."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad(message):
    raise ApiError(400, "bad_request", message)


def not_found(what):
    raise ApiError(404, "not_found", "no such %s" % what)


def now_utc():
    return CLOCK.iso()


# ---------------------------------------------------------------- contact fields

def blank_firm():
    c = {"id": "", "version": 1, "kind": "person"}
    for k in STRING_FIELDS:
        c[k] = ""
    c["emails"] = {k: "" for k in EMAIL_KEYS}
    c["phones"] = {k: "" for k in PHONE_KEYS}
    c["addresses"] = {a: {k: "" for k in ADDRESS_KEYS} for a in ADDRESS_KINDS}
    c["mailing_address"] = ""
    c["web_site"] = ""
    c["custom"] = ["", "", "", ""]
    c["external_refs"] = []
    c["updated_at"] = ""
    return c


def blank_user_data():
    return {"categories": [], "goes_by": "", "my_notes": "", "private": False}


def new_entry():
    """A list entry: per-user data plus its own version and time of change.

    The per-user version counts changes to this user's data only, so the
    user view's version (firm + per-user) moves exactly when what this user
    sees moves, never with another user's per-user edits."""
    e = blank_user_data()
    e["version"] = 0
    e["updated_at"] = ""
    return e


def user_data(entry):
    return {k: entry[k] for k in USER_FIELDS}


def check_str(name, v):
    if v is None:
        return ""
    if not isinstance(v, str):
        bad("field '%s' must be a string" % name)
    if len(v) > MAX_STRING:
        bad("field '%s' is too long" % name)
    return v


def check_str_list(name, v, limit=None):
    if v is None:
        return []
    if not isinstance(v, list):
        bad("field '%s' must be an array of strings" % name)
    if limit is not None and len(v) > limit:
        bad("field '%s' holds at most %d strings" % (name, limit))
    return [check_str("%s[%d]" % (name, i), x) for i, x in enumerate(v)]


def unique_nonempty(items):
    out = []
    for x in items:
        if x and x not in out:
            out.append(x)
    return out


def check_object(name, v, keys):
    """A nested object of strings: CLEAR for null/"", else {key: str}."""
    if v is None or v == "":
        return CLEAR
    if not isinstance(v, dict):
        bad("field '%s' must be an object" % name)
    out = {}
    for k, x in v.items():
        if k not in keys:
            bad("unknown field '%s.%s'" % (name, k))
        out[k] = check_str("%s.%s" % (name, k), x)
    return out


def check_firm_value(k, v):
    if k == "kind":
        v = check_str(k, v) or "person"
        if v not in KINDS:
            bad("field 'kind' must be one of %s" % ", ".join(KINDS))
        return v
    if k in STRING_FIELDS or k == "web_site":
        return check_str(k, v)
    if k == "mailing_address":
        v = check_str(k, v)
        if v not in MAILING:
            bad("field 'mailing_address' must be business, home, other or empty")
        return v
    if k == "emails":
        return check_object(k, v, EMAIL_KEYS)
    if k == "phones":
        return check_object(k, v, PHONE_KEYS)
    if k == "addresses":
        if v is None or v == "":
            return CLEAR
        if not isinstance(v, dict):
            bad("field 'addresses' must be an object")
        out = {}
        for a, sub in v.items():
            if a not in ADDRESS_KINDS:
                bad("unknown field 'addresses.%s'" % a)
            out[a] = check_object("addresses." + a, sub, ADDRESS_KEYS)
        return out
    if k == "custom":
        vals = check_str_list(k, v, 4)
        return vals + [""] * (4 - len(vals))
    if k == "external_refs":
        return unique_nonempty(check_str_list(k, v))
    raise AssertionError(k)


def check_user_value(k, v):
    if k == "categories":
        return unique_nonempty(check_str_list(k, v))
    if k == "private":
        if v is None:
            return False
        if not isinstance(v, bool):
            bad("field 'private' must be true or false")
        return v
    return check_str(k, v)


def split_body(body, allow_firm, allow_user, where):
    """Validate a contact body; return (firm patch, per-user patch)."""
    if not isinstance(body, dict):
        bad("the body must be a JSON object")
    firm, user = {}, {}
    for k, v in body.items():
        if k in READ_ONLY:
            continue  # read-only keys a client may echo back: ignored
        if k in USER_FIELDS:
            if not allow_user:
                bad("field '%s' is per-user data: %s takes firm fields only "
                    "(set it through /users/{uid}/contacts/{id})" % (k, where))
            user[k] = check_user_value(k, v)
        elif k in FIRM_FIELDS:
            if not allow_firm:
                bad("field '%s' is a firm field: %s takes per-user fields only" % (k, where))
            firm[k] = check_firm_value(k, v)
        else:
            bad("unknown field '%s'" % k)
    return firm, user


def apply_firm(contact, patch):
    """Merge a validated firm patch into contact; True when something changed."""
    before = copy.deepcopy(contact)
    for k, v in patch.items():
        if k in ("emails", "phones"):
            if v is CLEAR:
                for x in contact[k]:
                    contact[k][x] = ""
            else:
                contact[k].update(v)
        elif k == "addresses":
            items = ADDRESS_KINDS if v is CLEAR else list(v)
            for a in items:
                sub = CLEAR if v is CLEAR else v[a]
                if sub is CLEAR:
                    for x in contact[k][a]:
                        contact[k][a][x] = ""
                else:
                    contact[k][a].update(sub)
        else:
            contact[k] = v
    return contact != before


def apply_user(entry, patch):
    """Merge a validated per-user patch into a list entry; True when changed."""
    before = user_data(entry)
    entry.update(patch)
    return user_data(entry) != before


FIRM_ORDER = (["id", "version", "kind"] + STRING_FIELDS
              + ["emails", "phones", "addresses", "mailing_address", "web_site", "custom"])


def firm_view(c):
    v = {k: copy.deepcopy(c[k]) for k in FIRM_ORDER}
    v["external_refs"] = list(c["external_refs"])
    v["updated_at"] = c["updated_at"]
    return v


def view_version(c, entry):
    """A user view's version: both parts only grow, so the sum changes
    exactly when the firm fields or this user's per-user data change."""
    return c["version"] + entry["version"]


def user_view(c, entry):
    v = {k: copy.deepcopy(c[k]) for k in FIRM_ORDER}
    v["version"] = view_version(c, entry)
    v["categories"] = list(entry["categories"])
    v["goes_by"] = entry["goes_by"]
    v["my_notes"] = entry["my_notes"]
    v["private"] = entry["private"]
    v["external_refs"] = list(c["external_refs"])
    # RFC 3339 UTC stamps of one format sort as strings.
    v["updated_at"] = max(c["updated_at"], entry["updated_at"])
    return v


def encode_token(parts):
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        parts = json.loads(raw.decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return parts if isinstance(parts, list) else None


def parse_limit(q):
    s = q.get("limit")
    if s is None or s == "":
        return DEFAULT_LIMIT
    try:
        n = int(s)
    except ValueError:
        n = 0
    if n < 1:
        bad("limit must be a positive integer")
    return min(n, MAX_LIMIT)


def parse_if_match(value):
    """If-Match '"7"', '7' or 'W/"7"' -> 7."""
    s = value.strip()
    if s.startswith("W/"):
        s = s[2:]
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        s = s[1:-1]
    try:
        return int(s)
    except ValueError:
        bad("If-Match must hold a contact version, e.g. \"7\"")
