# ews_store.py - mailbox state of the fake EWS server: contacts, ids, change log, persistence.
"""State of the fake Exchange server, independent of HTTP and XML.

Contacts are kept in "EWS-native JSON": keys are EWS element names (GivenName,
EmailAddresses {EmailAddress1: ...}, PhysicalAddresses {Business: {Street: ...}},
Categories [...], Body "text", ExtendedProperties [{<ExtendedFieldURI attributes>,
"Value": ...}]).

Change tracking: each mailbox has a sequence number bumped by every change; each item
remembers the sequence numbers of its changes (and, for messages, which of them changed
only the read flag), and deleted items leave a tombstone, so SyncFolderItems can work
out Create/Update/Delete/ReadFlagChange since any earlier sequence number.
"""

import base64
import contextlib
import copy
import datetime
import hashlib
import json
import os
import struct
import threading
import uuid

import ews_calendar
from fakeserver import CLOCK
from journal import Journal

# Distinguished property sets as the EWS schema names them, and their GUIDs.
PROPERTY_SETS = {
    "Meeting": "6ed8da90-450b-101b-98da-00aa003f1305",
    "Appointment": "00062002-0000-0000-c000-000000000046",
    "Common": "00062008-0000-0000-c000-000000000046",
    "PublicStrings": "00020329-0000-0000-c000-000000000046",
    "Address": "00062004-0000-0000-c000-000000000046",
    "InternetHeaders": "00020386-0000-0000-c000-000000000046",
    "CalendarAssistant": "11000e07-b51b-40d6-af21-caa85edab1d0",
    "UnifiedMessaging": "4442858e-a9e3-4e80-b900-317a210cc15b",
    "Task": "00062003-0000-0000-c000-000000000046",
    "Sharing": "00062040-0000-0000-c000-000000000046",
}
URI_ATTRS = ("DistinguishedPropertySetId", "PropertySetId", "PropertyTag",
             "PropertyName", "PropertyId", "PropertyType")
PR_DISPLAY_NAME_PREFIX = 0x3A45

# Distinguished folders each fake mailbox has: name -> (EWS folder element, class, display).
FOLDERS = {
    "root": ("Folder", "", "Top of Information Store"),
    "msgfolderroot": ("Folder", "IPF.Note", "Top of Information Store"),
    "contacts": ("ContactsFolder", "IPF.Contact", "Contacts"),
    "calendar": ("CalendarFolder", "IPF.Appointment", "Calendar"),
    "deleteditems": ("Folder", "IPF.Note", "Deleted Items"),
    "inbox": ("Folder", "IPF.Note", "Inbox"),
}
FOLDER_PARENT = {"root": None, "msgfolderroot": "root"}
# The kind of item each distinguished folder holds; any other folder holds messages.
FOLDER_KIND = {"contacts": "Contact", "calendar": "CalendarItem"}
CALENDAR_FOLDER_CLASS = "IPF.Appointment"


class StoreError(Exception):
    """An EWS error code raised by the store (e.g. ErrorItemNotFound)."""

    def __init__(self, code, text=None):
        super().__init__(code)
        self.code = code
        self.text = text


def now_iso():
    return CLOCK.iso()


def ext_key(attrs):
    """Canonical identity of an ExtendedFieldURI (dict of its attributes), or None."""
    tag = attrs.get("PropertyTag")
    if tag:
        try:
            return "tag:0x%x" % int(str(tag), 0)
        except ValueError:
            return None
    setid = attrs.get("PropertySetId")
    if setid:
        guid = setid.strip("{}").lower()
    elif attrs.get("DistinguishedPropertySetId") in PROPERTY_SETS:
        guid = PROPERTY_SETS[attrs["DistinguishedPropertySetId"]]
    else:
        return None
    if attrs.get("PropertyName") is not None:
        return "name:%s:%s" % (guid, attrs["PropertyName"])
    if attrs.get("PropertyId") is not None:
        try:
            return "id:%s:%d" % (guid, int(str(attrs["PropertyId"]), 0))
        except ValueError:
            return None
    return None


def mailbox_hash(smtp):
    return hashlib.md5(smtp.lower().encode()).digest()


class Store:
    """All mailboxes. Every public method takes the lock; callers may also hold it.

    With a data_dir the state is DIR/ews-state.json plus DIR/ews-state.journal
    (journal.py): a change marks the objects it touched (_mark) and save()
    journals them, at once or, inside writing(), once when it ends."""

    def __init__(self, data_dir=None):
        self.lock = threading.RLock()
        self.data_dir = data_dir
        self.state = None
        self.by_hash = {}         # mailbox_hash -> mailbox key (lower-case SMTP)
        self.depth = 0            # writing() blocks open (in the lock holder)
        self.journal = (Journal(self.state_path(), lambda: self.state, indent=1,
                                sort_keys=True) if data_dir else None)

    # ---- loading and saving -------------------------------------------------
    def state_path(self):
        return os.path.join(self.data_dir, "ews-state.json") if self.data_dir else None

    def load(self, seed):
        """Load persisted state if there is some (its journal replayed), else build
        it from the seed dict. start_saving() then writes it to the data_dir."""
        st = self.journal.load() if self.journal else None
        if st is not None:
            self.state = st
            self.reindex()
            return
        self.state = {"format": 1, "epoch": uuid.uuid4().hex[:12], "counter": 0,
                      "service_accounts": seed.get("service_accounts", {}),
                      "directory": seed.get("directory", []),
                      "mailboxes": {}}
        for smtp, mb in seed.get("mailboxes", {}).items():
            box = self._new_mailbox(smtp)
            for folder in ("contacts", "calendar"):
                for props in (mb or {}).get(folder, []):
                    self._create(box, folder, props)

    def reindex(self):
        self.by_hash = {mailbox_hash(k): k for k in self.state["mailboxes"]}

    def start_saving(self):
        """The state file holds this store whole, from now on."""
        if self.journal:
            self.journal.rewrite()

    def close(self):
        """At a clean stop: the state file whole, no journal left."""
        if self.journal:
            self.journal.close()

    def retire(self):
        """Replaced by a reset: a request still on this store writes nothing."""
        if self.journal:
            self.journal.retire()

    @contextlib.contextmanager
    def writing(self):
        """The lock, and one journal line for all that changes under it (one
        request), written when it ends, however it ends."""
        with self.lock:
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                self.save()

    def _mark(self, box, *path):
        """A change of box (its sequence, the id counter, and what path names)."""
        if self.journal:
            key = box["smtp"].lower()
            self.journal.mark("counter")
            self.journal.mark("mailboxes", key, "seq")
            if path:
                self.journal.mark("mailboxes", key, *path)

    def save(self):
        if self.journal and self.depth == 0:
            self.journal.commit()

    # ---- ids ----------------------------------------------------------------
    def _next(self):
        self.state["counter"] += 1
        return self.state["counter"]

    def _new_item_id(self, smtp):
        raw = (b"\x00\x03\x24\x00" + mailbox_hash(smtp) + b"\x46\x00"
               + struct.pack(">Q", self._next()) + os.urandom(6))
        return base64.b64encode(raw).decode()

    def _new_change_key(self):
        raw = b"\x0f\x00\x00\x00\x16\x00\x00\x00" + struct.pack(">Q", self._next()) + os.urandom(8)
        return base64.b64encode(raw).decode()

    def folder_id(self, smtp, name):
        raw = b"\x00\x01\x2e\x00" + mailbox_hash(smtp) + b"\x01\x00" + name.encode()
        return base64.b64encode(raw).decode()

    def decode_folder_id(self, fid):
        """(smtp, folder name) for a FolderId; raises StoreError."""
        raw = _b64(fid)
        if raw is None or len(raw) < 23 or raw[:4] != b"\x00\x01\x2e\x00":
            raise StoreError("ErrorInvalidIdMalformed")
        smtp = self.mailbox_by_hash(raw[4:20])
        name = raw[22:].decode("ascii", "replace")
        if smtp is None or self.folder_info(smtp, name) is None:
            raise StoreError("ErrorFolderNotFound")
        return smtp, name

    def mailbox_of_item_id(self, iid):
        """smtp of the mailbox an ItemId (or an occurrence's ItemId) belongs to."""
        raw = _b64(iid)
        if raw is not None and len(raw) == 48 and raw[:4] == OCCURRENCE_MARK:
            raw = raw[4:40]
        if raw is None or len(raw) != 36 or raw[:4] != b"\x00\x03\x24\x00":
            raise StoreError("ErrorInvalidIdMalformed")
        smtp = self.mailbox_by_hash(raw[4:20])
        if smtp is None:
            raise StoreError("ErrorItemNotFound")
        return smtp

    def occurrence_id(self, master_id, original_start):
        """The ItemId of one occurrence: the master's id plus its original start."""
        secs = int(ews_calendar.parse_dt(original_start).timestamp())
        return base64.b64encode(OCCURRENCE_MARK + base64.b64decode(master_id)
                                + struct.pack(">q", secs)).decode()

    def decode_occurrence_id(self, iid):
        """(master id, original start) for an occurrence ItemId, or None."""
        raw = _b64(iid)
        if raw is None or len(raw) != 48 or raw[:4] != OCCURRENCE_MARK:
            return None
        secs = struct.unpack(">q", raw[40:48])[0]
        start = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
        return base64.b64encode(raw[4:40]).decode(), ews_calendar.fmt(start)

    def mailbox_by_hash(self, h):
        return self.by_hash.get(h)

    # ---- mailboxes ----------------------------------------------------------
    def _new_mailbox(self, smtp):
        box = {"smtp": smtp, "seq": 0, "items": {}, "tombstones": {}}
        self.state["mailboxes"][smtp.lower()] = box
        self.by_hash[mailbox_hash(smtp)] = smtp.lower()
        return box

    def mailbox(self, smtp):
        """The mailbox dict for an SMTP address (case-insensitive) or None."""
        if not smtp:
            return None
        return self.state["mailboxes"].get(smtp.strip().lower())

    def folder_info(self, smtp, name):
        """(element, class, display name, parent) of a folder of a mailbox, or None."""
        if name in FOLDERS:
            ftype, fclass, display = FOLDERS[name]
            return ftype, fclass, display, FOLDER_PARENT.get(name, "msgfolderroot")
        box = self.mailbox(smtp)
        f = (box.get("folders") or {}).get(name) if box else None
        if f is None:
            return None
        return f["type"], f["class"], f["display"], f["parent"]

    def child_folders(self, smtp, name):
        """Names of the folders directly under a folder, distinguished ones first."""
        kids = [n for n, par in FOLDER_PARENT.items() if par == name]
        if name == "msgfolderroot":
            kids = [n for n in FOLDERS if n not in FOLDER_PARENT]
        box = self.mailbox(smtp)
        kids += [n for n, f in sorted((box.get("folders") or {}).items())
                 if f["parent"] == name]
        return kids

    def create_folder(self, smtp, parent, display, ftype="Folder", fclass="IPF.Note"):
        """A new user folder under parent; raises ErrorFolderExists on a name clash."""
        with self.lock:
            box = self.mailbox(smtp)
            for kid in self.child_folders(smtp, parent):
                if self.folder_info(smtp, kid)[2].lower() == display.lower():
                    raise StoreError("ErrorFolderExists")
            name = "u%d" % self._next()
            box.setdefault("folders", {})[name] = {
                "type": ftype, "class": fclass, "display": display, "parent": parent}
            self._mark(box, "folders")
            self.save()
            return name

    def folder_kind(self, smtp, name):
        """The item kind a folder holds: Contact, CalendarItem or Message."""
        if name in FOLDER_KIND:
            return FOLDER_KIND[name]
        info = self.folder_info(smtp, name)
        return "CalendarItem" if info and info[1] == CALENDAR_FOLDER_CLASS else "Message"

    def service_account(self, name):
        return self.state.get("service_accounts", {}).get(name)

    # ---- items --------------------------------------------------------------
    def _create(self, box, folder, props, kind=None):
        box["seq"] += 1
        t = now_iso()
        iid = self._new_item_id(box["smtp"])
        props = copy.deepcopy(props)
        item = {"id": iid, "change_key": self._new_change_key(), "folder": folder,
                "created_seq": box["seq"], "changes": [box["seq"]], "created": t,
                "modified": t, "kind": kind or self.folder_kind(box["smtp"], folder)}
        if item["kind"] == "CalendarItem":
            # Seeds and /_fake/create may describe a series' exceptions and deletions.
            item["deleted"] = sorted(ews_calendar.utc(d) for d in
                                     props.pop("DeletedOccurrences", []) or [])
            mods = props.pop("ModifiedOccurrences", []) or []
            props = calendar_props(props)
            if not props.get("UID"):
                props["UID"] = "040000008200E00074C5B7101A82E00800000000" + uuid.uuid4().hex.upper()
            item["exceptions"] = {}
            for m in mods:
                m = dict(m)
                orig = ews_calendar.utc(m.pop("OriginalStart"))
                exc = dict(props)
                exc.pop("Recurrence", None)
                exc.update(calendar_props(m))
                item["exceptions"][orig] = self._new_exception(iid, orig, exc, t)
        item["props"] = clean_props(utc_times(props))
        box["items"][iid] = item
        self._mark(box, "items", iid)
        return item

    def _new_exception(self, master_id, orig, props, t=None):
        # As in Exchange, an exception keeps the ItemId of the occurrence it replaces.
        t = t or now_iso()
        return {"id": self.occurrence_id(master_id, orig),
                "change_key": self._new_change_key(), "created": t, "modified": t,
                "props": clean_props(utc_times(props))}

    def create(self, smtp, folder, props, kind=None):
        with self.lock:
            item = self._create(self.mailbox(smtp), folder, props, kind)
            self.save()
            return item

    def add_exception(self, smtp, master, original_start, props):
        """Turn one occurrence of master into an exception with props; the master
        changes too (its ModifiedOccurrences), as in Exchange."""
        exc = self._new_exception(master["id"], original_start, calendar_props(props))
        master.setdefault("exceptions", {})[original_start] = exc
        self.touch(smtp, master)
        return exc

    def find_exception(self, smtp, iid):
        """(master, original start, exception) for an exception's ItemId, or None."""
        box = self.mailbox(smtp)
        for it in box["items"].values():
            for orig, exc in (it.get("exceptions") or {}).items():
                if exc["id"] == iid:
                    return it, orig, exc
        return None

    def get(self, smtp, iid):
        """The live item (any folder) or raise ErrorItemNotFound."""
        box = self.mailbox(smtp)
        item = box["items"].get(iid) if box else None
        if item is None:
            raise StoreError("ErrorItemNotFound")
        return item

    def touch(self, smtp, item, read_flag_only=False):
        """Record that item changed: new ChangeKey, time and change sequence.
        read_flag_only: the change set nothing but a message's IsRead, which
        SyncFolderItems reports as a ReadFlagChange rather than an Update."""
        box = self.mailbox(smtp)
        box["seq"] += 1
        item["changes"].append(box["seq"])
        if read_flag_only:
            item.setdefault("read_changes", []).append(box["seq"])
        item["change_key"] = self._new_change_key()
        item["modified"] = now_iso()
        if item.get("kind") == "CalendarItem":
            item["props"] = calendar_props(item["props"])
        item["props"] = clean_props(utc_times(item["props"]))
        self._mark(box, "items", item["id"])
        self.save()

    def remove(self, smtp, iid, move_to=None):
        """Take an item out of its folder (tombstone); optionally move a copy."""
        box = self.mailbox(smtp)
        item = self.get(smtp, iid)
        box["seq"] += 1
        del box["items"][iid]
        box["tombstones"][iid] = {"id": iid, "folder": item["folder"],
                                  "created_seq": item["created_seq"],
                                  "changes": item["changes"] + [box["seq"]],
                                  "deleted_seq": box["seq"]}
        self._mark(box, "items", iid)
        self._mark(box, "tombstones", iid)
        moved = None
        if move_to and move_to != item["folder"]:
            moved = self._create(box, move_to, item["props"], item.get("kind"))
        self.save()
        return moved

    def items_in(self, smtp, folder):
        box = self.mailbox(smtp)
        return [it for it in box["items"].values() if it["folder"] == folder]

    def dump(self, smtp=None, folder=None):
        """What /_fake/dump shows: per mailbox its sequence, "contacts" and "calendar"
        (or only `folder`), items as EWS-native JSON plus ItemId, times and, on a
        recurring master, DeletedOccurrences and ModifiedOccurrences."""
        with self.lock:
            boxes = [self.mailbox(smtp)] if smtp else list(self.state["mailboxes"].values())
            if smtp and boxes[0] is None:
                raise StoreError("ErrorNonExistentMailbox")
            out = {}
            for box in boxes:
                d = {"sequence": box["seq"]}
                for f in ([folder] if folder else ["contacts", "calendar"]):
                    d[f] = [self._dump_item(it) for it in self.items_in(box["smtp"], f)]
                out[box["smtp"]] = d
            return out[boxes[0]["smtp"]] if smtp else {"mailboxes": out}

    @staticmethod
    def _dump_item(it):
        c = {"ItemId": {"Id": it["id"], "ChangeKey": it["change_key"]},
             "LastModifiedTime": it["modified"], "DateTimeCreated": it["created"]}
        c.update(it["props"])
        if it.get("deleted"):
            c["DeletedOccurrences"] = list(it["deleted"])
        if it.get("exceptions"):
            c["ModifiedOccurrences"] = [
                dict({"ItemId": {"Id": e["id"], "ChangeKey": e["change_key"]},
                      "OriginalStart": orig}, **e["props"])
                for orig, e in sorted(it["exceptions"].items())]
        return c

    # ---- synchronization ----------------------------------------------------
    def sync_token(self, smtp, folder, seq):
        blob = json.dumps({"e": self.state["epoch"], "m": smtp.lower(), "f": folder,
                           "s": seq}, separators=(",", ":")).encode()
        return base64.b64encode(b"\x01OSS" + blob + hashlib.sha1(blob).digest()[:4]).decode()

    def parse_sync_token(self, smtp, folder, token):
        """The sequence a SyncState stands for; raises ErrorInvalidSyncStateData."""
        bad = StoreError("ErrorInvalidSyncStateData")
        raw = _b64(token)
        if raw is None or len(raw) < 9 or raw[:4] != b"\x01OSS":
            raise bad
        blob, check = raw[4:-4], raw[-4:]
        if hashlib.sha1(blob).digest()[:4] != check:
            raise bad
        try:
            d = json.loads(blob)
        except ValueError:
            raise bad from None
        box = self.mailbox(smtp)
        if (d.get("e") != self.state["epoch"] or d.get("m") != smtp.lower()
                or d.get("f") != folder or not isinstance(d.get("s"), int)
                or not 0 <= d["s"] <= box["seq"]):
            raise bad
        return d["s"]

    def changes_since(self, smtp, folder, since, limit):
        """([(kind, item_or_tombstone)], new_seq, includes_last).

        Net changes since `since`, ordered by each item's first change after it, so
        that a page boundary at sequence B means "every item changed in (since, B] is
        in this page" and the next page may start at B. An item whose every change
        since `since` touched only its read flag is a "ReadFlagChange"; any other
        change as well makes it an "Update".
        """
        box = self.mailbox(smtp)
        cands = []
        for it in box["items"].values():
            if it["folder"] != folder:
                continue
            after = [s for s in it["changes"] if s > since]
            if after:
                kind = "Create" if it["created_seq"] > since else "Update"
                if kind == "Update" and set(after) <= set(it.get("read_changes", ())):
                    kind = "ReadFlagChange"
                cands.append((after[0], kind, it))
        for tb in box["tombstones"].values():
            if tb["folder"] != folder or tb["deleted_seq"] <= since:
                continue
            after = [s for s in tb["changes"] if s > since]
            if tb["created_seq"] > since:
                # created and deleted since: the client never needs to hear of it,
                # but it still occupies its place in the order.
                cands.append((after[0], None, tb))
            else:
                cands.append((after[0], "Delete", tb))
        cands.sort(key=lambda c: c[0])
        out = []
        for i, (first, kind, obj) in enumerate(cands):
            if kind is None:
                continue
            if len(out) == limit:
                return out, first - 1, False
            out.append((kind, obj))
        return out, box["seq"], True


OCCURRENCE_MARK = b"\x00\x07\x30\x00"


def calendar_props(props):
    """CalendarItem props with Start/End normalized to UTC (naive times are in the
    item's StartTimeZone, as Exchange reads them) and the recurrence checked."""
    out = dict(props)
    tz = ews_calendar.start_zone(out)
    for k in ("Start", "End"):
        if out.get(k):
            out[k] = ews_calendar.utc(out[k], tz)
    if out.get("IsAllDayEvent") == "true" and out.get("Start") and out.get("End"):
        # Exchange moves an all-day event's start back to the previous local midnight
        # and its end on to the next one.
        out["Start"] = ews_calendar.fmt(ews_calendar.local_midnight(out["Start"], tz))
        end_tz = ews_calendar.zone(out.get("EndTimeZone")) if out.get("EndTimeZone") else tz
        end = ews_calendar.local_midnight(out["End"], end_tz, up=True)
        out["End"] = ews_calendar.fmt(end)
    if out.get("Recurrence"):
        ews_calendar.check_recurrence(out["Recurrence"])
    return utc_times(out)


# The xs:dateTime properties of a contact (a calendar item's Start and End need its
# zone: calendar_props), and the extended property types that hold xs:dateTime.
DATETIME_PROPS = ("Birthday", "WeddingAnniversary")
DATETIME_EXT_TYPES = ("SystemTime", "SystemTimeArray")


def _utc_or_same(value):
    try:
        return ews_calendar.utc(value)
    except ValueError:
        return value  # not an xs:dateTime: the operations refuse such values first


def utc_times(props):
    """props with every xs:dateTime as Exchange keeps it: in UTC, to the second, so
    replies say "1990-12-10T12:00:00Z" whatever offset or fraction the client wrote
    (EWS's DateTimePrecision defaults to seconds); a value without an offset is UTC."""
    out = dict(props)
    for k in DATETIME_PROPS:
        if isinstance(out.get(k), str) and out[k]:
            out[k] = _utc_or_same(out[k])
    if out.get("ExtendedProperties"):
        exts = []
        for e in out["ExtendedProperties"]:
            if e.get("PropertyType") in DATETIME_EXT_TYPES:
                e = dict(e)
                if "Value" in e:
                    e["Value"] = _utc_or_same(e["Value"])
                if "Values" in e:
                    e["Values"] = [_utc_or_same(v) for v in e["Values"]]
            exts.append(e)
        out["ExtendedProperties"] = exts
    return out


def _b64(s):
    try:
        return base64.b64decode((s or "").strip(), validate=True)
    except (ValueError, TypeError):
        return None


def clean_props(props):
    """Drop empty values so that absent and empty mean the same thing."""
    out = {}
    for k, v in props.items():
        if isinstance(v, dict):
            v = {ik: (clean_props(iv) if isinstance(iv, dict) else iv)
                 for ik, iv in v.items()}
            v = {ik: iv for ik, iv in v.items() if iv not in (None, "", {}, [])}
        elif isinstance(v, list) and k != "ExtendedProperties":
            v = [x for x in v if x not in (None, "")]
        if v in (None, "", {}, []):
            continue
        out[k] = v
    return out
