# graph_store.py - mailboxes, folders and items of the Graph fake.
"""What the Graph fake holds: one tenant's users, each with a mailbox of folders
(a contacts folder with child contact folders, a calendar, mail folders under
msgfolderroot) and items. An item keeps its writable properties as Graph-native
JSON (graph_contacts, graph_events, graph_messages render it), its single-value
extended properties, an id and a changeKey that changes with every write.

Ids look like Exchange's (base64url of bytes that begin 00 03 24, so "AAMk...")
and are made from the mailbox and a counter, so one seed and one sequence of
requests always give the same ids. An occurrence of a recurring series has an id
of its own that encodes the series master's id and the occurrence's original
start (graph_events)."""

import base64
import hashlib
import re
import uuid

from fakeserver import CLOCK
from graph_odata import GraphError, ext_key, not_found_item

ID_PREFIX = b"\x00\x03\x24"
ITEM_MARK = b"I"
OCCURRENCE_MARK = b"O"
KIND_BYTE = {"folder": 1, "contact": 2, "event": 3, "message": 4}
# Mail folders Exchange makes in every mailbox, under msgfolderroot: well-known name
# and display name.
MAIL_FOLDERS = [("inbox", "Inbox"), ("drafts", "Drafts"), ("sentitems", "Sent Items"),
                ("deleteditems", "Deleted Items"), ("junkemail", "Junk Email"),
                ("outbox", "Outbox"), ("archive", "Archive")]


def b64url_id(raw):
    return base64.urlsafe_b64encode(raw).decode("ascii")


def raw_id(text):
    """The bytes of an id the fake made, or None."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]+=*", text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    return raw if raw.startswith(ID_PREFIX) and len(raw) > 4 else None


class Item:
    """One contact, event (a single event or a series master) or message."""

    def __init__(self, item_id, kind, folder, props):
        self.id = item_id
        self.kind = kind
        self.folder = folder
        self.props = props
        self.ext = {}           # canonical extended property id -> {"id", "value"}
        self.version = 0
        self.change_key = ""
        self.created = self.modified = CLOCK.iso()
        # events only: {original start "YYYY-MM-DDTHH:MM:SSZ": {overridden props}} and
        # the original starts of the occurrences deleted from the series
        self.exceptions = {}
        self.cancelled = []

    def touch(self):
        """A new version: a new changeKey and lastModifiedDateTime."""
        self.version += 1
        digest = hashlib.sha256(("%s|%d" % (self.id, self.version)).encode()).digest()
        self.change_key = base64.b64encode(b"\x10\x00\x00\x00" + digest[:12]).decode("ascii")
        self.modified = CLOCK.iso()

    def set_ext(self, props, entity):
        """Add or replace single-value extended properties [{"id", "value"}]."""
        if props is None:
            return
        if not isinstance(props, list):
            raise GraphError(400, "RequestBodyRead",
                             "singleValueExtendedProperties must be a collection.")
        for p in props:
            if not isinstance(p, dict) or set(p) - {"id", "value", "@odata.type"} \
                    or not isinstance(p.get("value"), str):
                raise GraphError(400, "RequestBodyRead",
                                 "Each single-value extended property of a %s is "
                                 "{\"id\": ..., \"value\": \"string\"}." % entity)
            self.ext[ext_key(p.get("id"))] = {"id": p["id"].strip(), "value": p["value"]}

    def ext_list(self):
        return [dict(v) for v in self.ext.values()]


class Folder:
    def __init__(self, folder_id, kind, name, parent, well_known=None):
        self.id = folder_id
        self.kind = kind          # "contacts", "calendar" or "mail"
        self.name = name
        self.parent = parent      # the parent folder's id (None: the top)
        self.well_known = well_known
        self.items = {}           # id -> Item, in creation order


class Mailbox:
    def __init__(self, number, upn, user_id, display_name):
        self.number = number
        self.upn = upn
        self.id = user_id
        self.display_name = display_name
        self.counter = 0
        self.folders = {}         # id -> Folder
        self.well_known = {}      # well-known name -> folder id
        self.items = {}           # id -> Item, every folder's
        root = self.add_folder("mail", "Top of Information Store", None, "msgfolderroot")
        for wk, name in MAIL_FOLDERS:
            self.add_folder("mail", name, root.id, wk)
        self.add_folder("contacts", "Contacts", root.id, "contacts")
        self.add_folder("calendar", "Calendar", root.id, "calendar")

    def new_id(self, kind):
        self.counter += 1
        tail = hashlib.sha256(("%s|%d" % (self.upn, self.counter)).encode()).digest()[:6]
        raw = (ID_PREFIX + ITEM_MARK + self.number.to_bytes(2, "big") +
               bytes([KIND_BYTE[kind]]) + self.counter.to_bytes(4, "big") + tail)
        return b64url_id(raw)

    def add_folder(self, kind, name, parent, well_known=None):
        f = Folder(self.new_id("folder"), kind, name, parent, well_known)
        self.folders[f.id] = f
        if well_known:
            self.well_known[well_known] = f.id
        return f

    def folder(self, ref, kind):
        """The folder of kind named by id or well-known name; 400 for a name that is
        neither, 404 for one that names no such folder here."""
        fid = self.well_known.get(ref.lower(), ref) if isinstance(ref, str) else None
        f = self.folders.get(fid)
        if f is not None and f.kind == kind:
            return f
        if raw_id(ref) is None and fid == ref:
            raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
        raise not_found_item()

    def default(self, kind):
        return self.folders[self.well_known["contacts" if kind == "contacts" else "calendar"]]

    def children(self, parent_id, kind):
        return [f for f in self.folders.values() if f.parent == parent_id and f.kind == kind]

    def add_item(self, kind, folder, props):
        item = Item(self.new_id(kind), kind, folder.id, props)
        item.touch()
        folder.items[item.id] = item
        self.items[item.id] = item
        return item

    def item(self, item_id, kind, folder=None):
        """The item of kind with that id (in folder when given); 400 for an id that
        is not one, 404 for one that names nothing here."""
        if raw_id(item_id) is None:
            raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
        it = self.items.get(item_id)
        if it is None or it.kind != kind or (folder is not None and it.folder != folder.id):
            raise not_found_item()
        return it

    def remove(self, item):
        del self.folders[item.folder].items[item.id]
        del self.items[item.id]


def user_guid(upn):
    """A user's object id: stable for one UPN, as a GUID."""
    return str(uuid.UUID(bytes=hashlib.sha256(upn.lower().encode()).digest()[:16], version=4))


class Directory:
    """The tenant's users and their mailboxes."""

    def __init__(self):
        self.mailboxes = {}       # upn (lower case) -> Mailbox
        self.by_id = {}           # object id (lower case) -> Mailbox

    def add_user(self, upn, user_id=None, display_name=None):
        if not isinstance(upn, str) or "@" not in upn:
            raise ValueError("a user's key must be a userPrincipalName: %r" % (upn,))
        if upn.lower() in self.mailboxes:
            raise ValueError("duplicate user %s" % upn)
        user_id = user_id or user_guid(upn)
        mbx = Mailbox(len(self.mailboxes) + 1, upn, user_id,
                      display_name or upn.split("@")[0].capitalize())
        self.mailboxes[upn.lower()] = mbx
        self.by_id[user_id.lower()] = mbx
        return mbx

    def find(self, ref):
        """The mailbox of a user id or userPrincipalName, or None."""
        if not isinstance(ref, str):
            return None
        return self.mailboxes.get(ref.lower()) or self.by_id.get(ref.lower())

    def user_json(self, mbx):
        return {"id": mbx.id, "userPrincipalName": mbx.upn, "displayName": mbx.display_name,
                "mail": mbx.upn}
