# ia_access.py - per-field rights of API clients and private contacts in the InterAction fake.
"""Who may change and who may see what, in the InterAction reference server:

- rights: the seed's {"rights":{CLIENT:{"read_only_fields":[...]}}} keeps an
  API client from changing the named contact fields (dotted for nested keys);
  a write that would change one is 403 field_forbidden and writes nothing.
- private contacts: a firm contact with "private_owner" is seen only by that
  user and the users who are the owner's proxies ("proxy_for" in the seed).

StoreAccess is mixed into the server's Store, AccessApi into its Api.
Python 3 standard library only."""

import copy

from ia_model import (ADDRESS_KEYS, ADDRESS_KINDS, EMAIL_KEYS, FIRM_FIELDS, PHONE_KEYS,
                      USER_FIELDS, ApiError, apply_firm, apply_user, blank_firm,
                      new_entry, not_found, split_body)

NESTED = {"emails": EMAIL_KEYS, "phones": PHONE_KEYS, "addresses": ADDRESS_KINDS}
EVERY_CLIENT = "*"


def check_field_path(path):
    """A dotted contact field name of the rights, e.g. "emails.business"."""
    if not isinstance(path, str):
        raise ValueError("read_only_fields holds strings")
    parts = path.split(".")
    if parts[0] not in FIRM_FIELDS + USER_FIELDS or len(parts) > 3:
        raise ValueError("rights: unknown field '%s'" % path)
    if len(parts) >= 2 and parts[1] not in NESTED.get(parts[0], []):
        raise ValueError("rights: unknown field '%s'" % path)
    if len(parts) == 3 and (parts[0] != "addresses" or parts[2] not in ADDRESS_KEYS):
        raise ValueError("rights: unknown field '%s'" % path)
    return path


def check_rights(raw):
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("rights must be an object of client ids")
    out = {}
    for client, r in raw.items():
        if not isinstance(r, dict) or set(r) - {"read_only_fields"}:
            raise ValueError("rights of '%s' must be {\"read_only_fields\":[...]}" % client)
        fields = r.get("read_only_fields", [])
        if not isinstance(fields, list):
            raise ValueError("rights of '%s': read_only_fields must be an array" % client)
        out[client] = {"read_only_fields": [check_field_path(f) for f in fields]}
    return out


def get_path(obj, path):
    for p in path.split("."):
        obj = obj[p]
    return obj


class StoreAccess:
    """Rights and visibility; mixed into Store (caller holds the lock)."""

    def access_init(self):
        self.rights = {}          # client id (or "*") -> {"read_only_fields": [...]}
        self.proxies = {}         # uid -> users whose private contacts uid sees

    def access_seed_user(self, u):
        proxy_for = u.get("proxy_for", [])
        if not isinstance(proxy_for, list) or not all(isinstance(x, str) for x in proxy_for):
            raise ValueError("user '%s': proxy_for must be an array of user ids" % u["id"])
        return list(proxy_for)

    def access_seed(self, seed):
        self.rights = check_rights(seed.get("rights"))
        for u in self.users:
            for other in u["proxy_for"]:
                if other not in self.lists:
                    raise ValueError("user '%s' is proxy for unknown user '%s'"
                                     % (u["id"], other))
        for cid, c in self.contacts.items():
            owner = c.get("private_owner", "")
            if owner and owner not in self.lists:
                raise ValueError("contact %s: private_owner '%s' is no user" % (cid, owner))
        for uid, lst in self.lists.items():
            for cid in lst:
                if not self.visible(uid, cid):
                    raise ValueError("list of '%s': %s is private to '%s'"
                                     % (uid, cid, self.contacts[cid]["private_owner"]))

    def access_load(self, st):
        self.rights = st.get("rights", {})
        for u in self.users:
            u.setdefault("proxy_for", [])

    def proxy_for(self, uid):
        for u in self.users:
            if u["id"] == uid:
                return u["proxy_for"]
        return []

    def visible(self, uid, cid):
        """May user uid see firm contact cid? A private contact: its owner and
        the owner's proxies only."""
        owner = self.contacts[cid].get("private_owner", "")
        return not owner or owner == uid or owner in self.proxy_for(uid)

    def contact_as(self, cid, uid):
        """The firm contact cid, 404 when uid (if given) may not see it."""
        if uid is not None:
            self.user(uid)
        c = self.contact(cid)
        if uid is not None and not self.visible(uid, cid):
            not_found("contact '%s'" % cid)
        return c

    def check_field_rights(self, client, firm, user, cid=None, uid=None):
        """403 field_forbidden when the patches would change a field the client
        may not change: compared on copies, so nothing is written."""
        fields = []
        for key in (EVERY_CLIENT, client):
            if key is not None and key in self.rights:
                fields += self.rights[key]["read_only_fields"]
        if not fields:
            return
        before = blank_firm() if cid is None else self.contacts[cid]
        entry = new_entry()
        if cid is not None and uid is not None and cid in self.lists[uid]:
            entry = self.lists[uid][cid]
        after, after_entry = copy.deepcopy(before), copy.deepcopy(entry)
        apply_firm(after, firm)
        apply_user(after_entry, user)
        for f in fields:
            top = f.split(".")[0]
            old, new = ((entry, after_entry) if top in USER_FIELDS else (before, after))
            if get_path(old, f) != get_path(new, f):
                err = ApiError(403, "field_forbidden",
                               "the API client may not change field '%s'" % f)
                err.extra = {"field": f}
                raise err


class AccessApi:
    """Handlers of private contacts; mixed into Api (self.s is the Store)."""

    def post_user_contact(self, req, p):
        """Create a firm contact and put it on the user's list in one step; with
        "private":true it is private to that user."""
        uid = p["uid"]
        self.s.user(uid)
        firm, user = split_body(req.json(), True, True, "POST /users/{uid}/contacts")
        self.s.check_field_rights(req.client, firm, user)
        if "external_refs" in firm:
            self.s.check_refs(firm["external_refs"])
        cid = self.s.create(firm, private_owner=uid if user.get("private") else "")
        self.s.add_member(uid, cid, user)
        self.s.save()
        hdr = self.etag(cid, uid)
        hdr["Location"] = "/api/v1/users/%s/contacts/%s" % (uid, cid)
        return 201, self.s.view(uid, cid), hdr
