# ews_ops.py - the EWS operations of the fake server (one function per SOAP operation).
"""EWS operations on the store: SyncFolderItems, GetItem, FindItem, CreateItem,
UpdateItem, DeleteItem (folder operations: ews_folders.py; calendar series and
CalendarView: ews_calops.py; CalendarItem and Message XML: ews_calitem.py).

`dispatch(ctx, op_el)` returns the rendered <m:OpResponse> text or raises SoapFault.
Per-item failures become ResponseClass="Error" messages (EwsError), as in Exchange.
"""

import copy
import json
import re
import xml.etree.ElementTree as ET

import ews_calendar
import ews_calitem
from ews_calops import (
    SEND_CHANGED, SEND_VALUES, check_send_attr, check_times, delete_member,
    entry_change_key, make_view, op_calendar_view, resolve, update_member)
from ews_folders import op_create_folder, op_find_folder, op_get_folder
from ews_resolve import op_resolve_names
from ews_store import FOLDERS, StoreError, calendar_props, ext_key, now_iso
from ews_xml import (
    M, T, INDEXED, ADDRESS_PARTS, SCHEMA_ORDER, LIST_PROPS, EwsError, SoapFault,
    complete_name, error_message, esc, ext_property_xml, ext_uri_attrs, find_ext,
    indexed_xml, local, ok_message, parse_contact, response, schema_error, text_of)

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
FOLDER_CK = "AQAAABYAAAAAAAAAAAAAAAAAAAAAAA=="
# Properties an AllProperties (or Default) item shape returns; FindItem never returns Body.
ALL_ITEM = {"ItemId", "ParentFolderId", "ItemClass", "Subject", "Sensitivity", "Body",
            "DateTimeReceived", "Size", "Categories", "Importance", "IsSubmitted",
            "IsDraft", "IsFromMe", "IsResend", "IsUnmodified", "DateTimeSent",
            "DateTimeCreated", "ReminderIsSet", "ReminderMinutesBeforeStart",
            "HasAttachments", "Culture", "EffectiveRights", "LastModifiedName",
            "LastModifiedTime", "IsAssociated"}
FIELD_ALIASES = {"EmailAddress": "EmailAddresses", "PhoneNumber": "PhoneNumbers",
                 "PhysicalAddress": "PhysicalAddresses", "ImAddress": "ImAddresses"}
INDEXED_BY_URI = {uri: name for name, (uri, _keys) in INDEXED.items()}


class Ctx:
    """One request: who is asking, and for which mailbox (impersonation)."""

    def __init__(self, store, principal, auth_required, impersonated=None):
        self.store = store
        self.principal = principal
        self.auth_required = auth_required
        self.impersonated = impersonated

    def may_access(self, smtp, kind):
        """May the principal open mailbox smtp ("impersonate" or "delegate")?"""
        p = self.principal
        if p is None:
            return not self.auth_required
        if p.lower() == smtp.lower():
            return True
        sa = self.store.service_account(p)
        if sa is None:
            return p == "bearer"  # an app-only token may open every mailbox
        allowed = sa.get(kind, sa.get("impersonate", [])) if kind == "delegate" \
            else sa.get("impersonate", [])
        return "*" in allowed or smtp.lower() in (a.lower() for a in allowed)

    def folder(self, el):
        """(smtp, folder name) for a DistinguishedFolderId or FolderId element."""
        if el.tag == T + "DistinguishedFolderId":
            name = el.get("Id")
            mbx_el = el.find(T + "Mailbox/" + T + "EmailAddress")
            mbx = (mbx_el.text or "").strip() if mbx_el is not None else None
            if name not in FOLDERS:
                raise EwsError("ErrorFolderNotFound")
            if self.impersonated:
                if mbx and mbx.lower() != self.impersonated.lower():
                    raise EwsError("ErrorAccessDenied")
                return self.impersonated, name
            if mbx:
                if self.store.mailbox(mbx) is None:
                    raise EwsError("ErrorNonExistentMailbox")
                if not self.may_access(mbx, "delegate"):
                    raise EwsError("ErrorAccessDenied")
                return self.store.mailbox(mbx)["smtp"], name
            own = self.store.mailbox(self.principal)
            if own is None:
                raise EwsError("ErrorNonExistentMailbox")
            return own["smtp"], name
        if el.tag == T + "FolderId":
            try:
                smtp, name = self.store.decode_folder_id(el.get("Id"))
            except StoreError as e:
                raise EwsError(e.code) from None
            self.check_mailbox(smtp, "ErrorFolderNotFound")
            return smtp, name
        raise schema_error("unexpected folder id element %s" % el.tag)

    def check_mailbox(self, smtp, not_found):
        if self.impersonated:
            if smtp.lower() != self.impersonated.lower():
                raise EwsError(not_found)
        elif not self.may_access(smtp, "delegate"):
            raise EwsError("ErrorAccessDenied")

    def item(self, id_el):
        """(smtp, item) for a t:ItemId element, or raise EwsError."""
        if id_el.tag != T + "ItemId":
            raise EwsError("ErrorInvalidOperation", "Only ItemId is supported by the fake.")
        try:
            smtp = self.store.mailbox_of_item_id(id_el.get("Id"))
            self.check_mailbox(smtp, "ErrorItemNotFound")
            return smtp, self.store.get(smtp, id_el.get("Id"))
        except StoreError as e:
            raise EwsError(e.code) from None


# ---- shapes ---------------------------------------------------------------------
class Shape:
    """An ItemShape/FolderShape: base shape, extra properties, body type."""

    def __init__(self, el, default="IdOnly"):
        self.base = default
        self.fields = set()
        self.indexed = {}
        self.ext = []
        self.body_type = "Best"
        if el is None:
            return
        b = el.find(T + "BaseShape")
        if b is None or text_of(b) not in ("IdOnly", "Default", "AllProperties"):
            raise schema_error("ItemShape needs BaseShape IdOnly, Default or AllProperties")
        self.base = text_of(b)
        bt = el.find(T + "BodyType")
        if bt is not None:
            self.body_type = text_of(bt)
        add = el.find(T + "AdditionalProperties")
        for p in (add if add is not None else []):
            if p.tag == T + "FieldURI":
                name = p.get("FieldURI", "").split(":")[-1]
                self.fields.add(FIELD_ALIASES.get(name, name))
            elif p.tag == T + "IndexedFieldURI":
                uri, idx = p.get("FieldURI", ""), p.get("FieldIndex")
                base, _, sub = uri.partition(":PhysicalAddress:")
                name = "PhysicalAddresses" if sub else INDEXED_BY_URI.get(uri)
                if name:
                    keys = self.indexed.setdefault(name, {})
                    if sub:
                        keys.setdefault(idx, set()).add(sub)
                    else:
                        keys[idx] = None
            elif p.tag == T + "ExtendedFieldURI":
                self.ext.append(ext_uri_attrs(p))

    def wants(self, name, find=False):
        if name == "ItemId":
            return True
        if name in self.fields:
            return True
        if self.base == "IdOnly":
            return False
        if find and name == "Body":
            return False
        return name in ALL_ITEM or name in INDEXED or name in WRITABLE_CONTACT or name in (
            "CompleteName", "ContactSource", "PostalAddressIndex", "HasPicture")


WRITABLE_CONTACT = set(SCHEMA_ORDER[SCHEMA_ORDER.index("FileAs"):])


body_xml = ews_calitem.body_xml


def render_item(store, smtp, item, shape, find=False, view=None):
    """<t:Contact>, <t:CalendarItem> or <t:Message> for an item (or, with view, for one
    member of a recurring series), children in schema order."""
    if item.get("kind", "Contact") != "Contact":
        return ews_calitem.render(store, smtp, item, shape, find, view)
    p = item["props"]
    created, modified = item["created"], item["modified"]
    fixed = {
        "ItemId": '<t:ItemId Id="%s" ChangeKey="%s"/>' % (item["id"], item["change_key"]),
        "ParentFolderId": '<t:ParentFolderId Id="%s" ChangeKey="%s"/>' % (
            store.folder_id(smtp, item["folder"]), FOLDER_CK),
        "ItemClass": "IPM.Contact", "Subject": p.get("Subject") or p.get("DisplayName"),
        "Sensitivity": p.get("Sensitivity", "Normal"),
        "DateTimeReceived": created, "Size": str(200 + len(json.dumps(p))),
        "Importance": p.get("Importance", "Normal"), "IsSubmitted": "false",
        "IsDraft": "false", "IsFromMe": "false", "IsResend": "false",
        "IsUnmodified": "false", "DateTimeSent": created, "DateTimeCreated": created,
        "ReminderIsSet": "false", "ReminderMinutesBeforeStart": "0",
        "HasAttachments": "false", "Culture": "en-US",
        "EffectiveRights": "<t:EffectiveRights><t:CreateAssociated>false"
                           "</t:CreateAssociated><t:CreateContents>false</t:CreateContents>"
                           "<t:CreateHierarchy>false</t:CreateHierarchy><t:Delete>true"
                           "</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read>"
                           "<t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights>",
        "LastModifiedName": smtp.split("@")[0], "LastModifiedTime": modified,
        "IsAssociated": "false", "ContactSource": "Store",
        "PostalAddressIndex": p.get("PostalAddressIndex", "None"), "HasPicture": "false",
    }
    out = []
    for name in SCHEMA_ORDER:
        if name == "ExtendedProperty":
            for uri in shape.ext:
                stored = find_ext(p, ext_key(uri))
                if stored is not None:
                    out.append(ext_property_xml(uri, stored))
            continue
        indexed_only = shape.indexed.get(name)
        if not shape.wants(name, find) and indexed_only is None:
            continue
        if name == "Body":
            if not find:
                out.append(body_xml(p, shape.body_type))
        elif name == "CompleteName":
            out.append(complete_name(p))
        elif name in INDEXED:
            if name in p:
                only = None if shape.wants(name, find) else indexed_only
                out.append(indexed_xml(name, p[name], only))
        elif name in LIST_PROPS:
            if p.get(name):
                out.append("<t:%s>%s</t:%s>" % (name, "".join(
                    "<t:String>%s</t:String>" % esc(s) for s in p[name]), name))
        else:
            v = fixed.get(name, p.get(name))
            if v is None or isinstance(v, (dict, list)):
                continue
            out.append(v if v.startswith("<t:") and name in ("ItemId", "ParentFolderId",
                                                            "EffectiveRights")
                       else "<t:%s>%s</t:%s>" % (name, esc(v), name))
    return "<t:Contact>%s</t:Contact>" % "".join(out)


# ---- operations -----------------------------------------------------------------
def children(el, path):
    found = el.find(path)
    return list(found) if found is not None else []


def op_get_item(ctx, op):
    shape = Shape(op.find(M + "ItemShape"))
    msgs = []
    for id_el in children(op, M + "ItemIds"):
        try:
            smtp, item, entry = resolve(ctx, id_el)
            view = make_view(ctx.store, item, entry) if entry else None
            msgs.append(ok_message("GetItem", "<m:Items>%s</m:Items>"
                                   % render_item(ctx.store, smtp, item, shape, view=view)))
        except EwsError as e:
            msgs.append(error_message("GetItem", e, "<m:Items/>"))
    return response("GetItem", msgs)


def op_sync_folder_items(ctx, op):
    shape = Shape(op.find(M + "ItemShape"))
    fid = children(op, M + "SyncFolderId")
    mcr = op.find(M + "MaxChangesReturned")
    if len(fid) != 1 or mcr is None:
        raise schema_error("SyncFolderItems needs SyncFolderId and MaxChangesReturned")
    try:
        limit = int(text_of(mcr))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 512:
        raise schema_error("MaxChangesReturned must be 1..512")
    ignore = {i.get("Id") for i in children(op, M + "Ignore")}
    try:
        smtp, folder = ctx.folder(fid[0])
        state_el = op.find(M + "SyncState")
        token = text_of(state_el).strip() if state_el is not None else ""
        since = ctx.store.parse_sync_token(smtp, folder, token) if token else 0
    except EwsError as e:
        return response("SyncFolderItems", [error_message("SyncFolderItems", e)])
    except StoreError as e:
        return response("SyncFolderItems", [error_message("SyncFolderItems", EwsError(e.code))])
    changes, seq, last = ctx.store.changes_since(smtp, folder, since, limit)
    out = []
    for kind, obj in changes:
        if obj["id"] in ignore:
            continue
        if kind == "Delete":
            out.append('<t:Delete><t:ItemId Id="%s"/></t:Delete>' % obj["id"])
        elif kind == "ReadFlagChange":
            # SyncFolderItemsReadFlagType: the ItemId and the flag, never the item.
            out.append('<t:ReadFlagChange><t:ItemId Id="%s" ChangeKey="%s"/><t:IsRead>%s'
                       '</t:IsRead></t:ReadFlagChange>'
                       % (obj["id"], obj["change_key"], obj["props"].get("IsRead", "false")))
        else:
            out.append("<t:%s>%s</t:%s>" % (kind, render_item(ctx.store, smtp, obj, shape), kind))
    inner = ("<m:SyncState>%s</m:SyncState><m:IncludesLastItemInRange>%s"
             "</m:IncludesLastItemInRange><m:Changes>%s</m:Changes>"
             % (ctx.store.sync_token(smtp, folder, seq), "true" if last else "false",
                "".join(out)))
    return response("SyncFolderItems", [ok_message("SyncFolderItems", inner)])


def check_dates(props):
    for k in ("Birthday", "WeddingAnniversary"):
        if k in props and not DATETIME_RE.match(props[k]):
            raise schema_error("value %r of %s is not an xs:dateTime" % (props[k], k))


DEFAULT_FOLDER = {"Contact": "contacts", "CalendarItem": "calendar", "Message": "inbox"}
ITEM_PREFIXES = ("item", "contacts", "calendar", "message")


def parse_any(item_el):
    """(kind, props) of a t:Contact, t:CalendarItem or t:Message element."""
    if item_el.tag == T + "Contact":
        props = parse_contact(item_el)
        check_dates(props)
        return "Contact", props
    return ews_calitem.parse_item(item_el)


def op_create_item(ctx, op):
    saved = children(op, M + "SavedItemFolderId")
    items = op.find(M + "Items")
    if items is None:
        raise schema_error("CreateItem needs Items")
    check_send_attr(op, "SendMeetingInvitations", SEND_VALUES)
    check_send_attr(op, "MessageDisposition", ("SaveOnly", "SendOnly", "SendAndSaveCopy"))
    msgs = []
    for item_el in items:
        try:
            kind, props = parse_any(item_el)
            smtp, folder = ctx.folder(saved[0] if saved else ET.Element(
                T + "DistinguishedFolderId", {"Id": DEFAULT_FOLDER[kind]}))
            if folder in ("root", "msgfolderroot"):
                raise EwsError("ErrorInvalidOperation")
            held = ctx.store.folder_kind(smtp, folder)
            if kind == "CalendarItem" and held != "CalendarItem":
                raise EwsError("ErrorCannotCreateCalendarItemInNonCalendarFolder")
            if kind == "Contact" and held != "Contact":
                raise EwsError("ErrorCannotCreateContactInNonContactFolder")
            if kind == "CalendarItem":
                props.setdefault("Start", now_iso())  # Exchange's default: now
                props.setdefault("End", props["Start"])
                check_times(props)
            with ctx.store.lock:
                try:
                    item = ctx.store.create(smtp, folder, props, kind)
                except ews_calendar.CalendarError as e:
                    raise EwsError(e.code, e.text) from None
                msgs.append(ok_message("CreateItem",
                                       '<m:Items><t:%s><t:ItemId Id="%s" ChangeKey="%s"/>'
                                       '</t:%s></m:Items>'
                                       % (kind, item["id"], item["change_key"], kind)))
        except EwsError as e:
            msgs.append(error_message("CreateItem", e, "<m:Items/>"))
    return response("CreateItem", msgs)


def path_of(el):
    """('field', Name) | ('indexed', Name, Key, Sub) | ('ext', attrs) for a path element."""
    if el.tag == T + "FieldURI":
        uri = el.get("FieldURI", "")
        name = uri.split(":")[-1]
        if uri.split(":")[0] not in ITEM_PREFIXES:
            raise EwsError("ErrorInvalidPropertySet")
        return ("field", FIELD_ALIASES.get(name, name) if uri.startswith("contacts:") else name)
    if el.tag == T + "IndexedFieldURI":
        uri, key = el.get("FieldURI", ""), el.get("FieldIndex")
        if uri.startswith("contacts:PhysicalAddress:"):
            sub = uri.split(":")[-1]
            if sub not in ADDRESS_PARTS or key not in INDEXED["PhysicalAddresses"][1]:
                raise schema_error("bad IndexedFieldURI %s %s" % (uri, key))
            return ("indexed", "PhysicalAddresses", key, sub)
        name = INDEXED_BY_URI.get(uri)
        if name is None or name == "PhysicalAddresses" or key not in INDEXED[name][1]:
            raise schema_error("bad IndexedFieldURI %s %s" % (uri, key))
        return ("indexed", name, key, None)
    if el.tag == T + "ExtendedFieldURI":
        return ("ext", ext_uri_attrs(el))
    raise schema_error("unexpected %s in update" % el.tag)


def apply_set(props, path, item_el):
    new = parse_any(item_el)[1]
    count = EwsError("ErrorIncorrectUpdatePropertyCount",
                     "An object within a change description must contain one and only "
                     "one property to modify.")
    if path[0] == "field":
        name = path[1]
        if set(new) != {name}:
            raise count
        props[name] = new[name]
    elif path[0] == "indexed":
        _, name, key, sub = path
        entries = new.get(name, {})
        if set(new) != {name} or set(entries) != {key}:
            raise count
        if sub:
            if set(entries[key]) != {sub}:
                raise count
            props.setdefault(name, {}).setdefault(key, {})[sub] = entries[key][sub]
        else:
            props.setdefault(name, {})[key] = entries[key]
    else:
        want = ext_key(path[1])
        got = new.get("ExtendedProperties", [])
        if set(new) != {"ExtendedProperties"} or len(got) != 1 or ext_key(got[0]) != want:
            raise count
        props["ExtendedProperties"] = [e for e in props.get("ExtendedProperties", [])
                                       if ext_key(e) != want] + got


DELETABLE = {"Subject", "Sensitivity", "Body", "Categories", "Importance"} | (
    (ews_calitem.CAL_WRITABLE | ews_calitem.MSG_WRITABLE) - {"Start", "End", "UID"})


def apply_delete(props, path):
    if path[0] == "field":
        name = path[1]
        if name not in WRITABLE_CONTACT and name not in DELETABLE \
                or name in ("CompleteName", "ContactSource", "HasPicture", "Notes", "Alias"):
            raise EwsError("ErrorInvalidPropertyDelete")
        props.pop(name, None)
    elif path[0] == "indexed":
        _, name, key, sub = path
        entries = props.get(name, {})
        if sub:
            entries.get(key, {}).pop(sub, None)
        else:
            entries.pop(key, None)
    else:
        want = ext_key(path[1])
        props["ExtendedProperties"] = [e for e in props.get("ExtendedProperties", [])
                                       if ext_key(e) != want]


ITEM_ID_TAGS = (T + "ItemId", T + "OccurrenceItemId", T + "RecurringMasterItemId")


def op_update_item(ctx, op):
    policy = op.get("ConflictResolution", "AutoResolve")
    if policy not in ("NeverOverwrite", "AutoResolve", "AlwaysOverwrite"):
        raise schema_error("bad ConflictResolution %r" % policy)
    check_send_attr(op, "SendMeetingInvitationsOrCancellations", SEND_CHANGED)
    check_send_attr(op, "MessageDisposition", ("SaveOnly", "SendOnly", "SendAndSaveCopy"))
    msgs = []
    for change in children(op, M + "ItemChanges"):
        try:
            id_el = next((c for c in change if c.tag in ITEM_ID_TAGS), None)
            if id_el is None:
                raise schema_error("ItemChange needs ItemId")
            with ctx.store.lock:
                smtp, item, entry = resolve(ctx, id_el)
                ck = id_el.get("ChangeKey")
                if policy != "AlwaysOverwrite" and ck and ck != entry_change_key(item, entry):
                    raise EwsError("ErrorIrresolvableConflict")
                if entry is None:
                    props = copy.deepcopy(item["props"])
                else:
                    props = copy.deepcopy(make_view(ctx.store, item, entry)["props"])
                kind = item.get("kind", "Contact")
                # Setting a message's read flag and nothing else is what SyncFolderItems
                # reports as a ReadFlagChange.
                read_flag_only = kind == "Message" and entry is None
                for upd in children(change, T + "Updates"):
                    kids = list(upd)
                    if not kids:
                        raise schema_error("empty %s" % local(upd))
                    path = path_of(kids[0])
                    read_flag_only = read_flag_only and local(upd) == "SetItemField" \
                        and path == ("field", "IsRead")
                    if local(upd) in ("SetItemField", "AppendToItemField"):
                        if len(kids) != 2:
                            raise schema_error("SetItemField needs a path and an item")
                        apply_set(props, path, kids[1])
                    elif local(upd) == "DeleteItemField":
                        apply_delete(props, path)
                    else:
                        raise schema_error("unexpected %s" % upd.tag)
                if not children(change, T + "Updates"):
                    read_flag_only = False
                try:
                    if entry is not None:
                        done = update_member(ctx.store, smtp, item, entry, props)
                    else:
                        if kind == "CalendarItem":
                            check_times(props)
                            calendar_props(props)
                            if props.get("Recurrence") != item["props"].get("Recurrence"):
                                # a new pattern drops the old series' exceptions (Outlook)
                                item["exceptions"], item["deleted"] = {}, []
                        item["props"] = props
                        ctx.store.touch(smtp, item, read_flag_only)
                        done = item
                except ews_calendar.CalendarError as e:
                    raise EwsError(e.code, e.text) from None
                msgs.append(ok_message(
                    "UpdateItem", '<m:Items><t:%s><t:ItemId Id="%s" ChangeKey="%s"/>'
                    '</t:%s></m:Items><m:ConflictResults><t:Count>0</t:Count>'
                    '</m:ConflictResults>' % (kind, done["id"], done["change_key"], kind)))
        except EwsError as e:
            msgs.append(error_message("UpdateItem", e, "<m:Items/>"))
    return response("UpdateItem", msgs)


def op_delete_item(ctx, op):
    kind = op.get("DeleteType")
    if kind not in ("HardDelete", "SoftDelete", "MoveToDeletedItems"):
        raise schema_error("DeleteItem needs DeleteType")
    check_send_attr(op, "SendMeetingCancellations", SEND_VALUES)
    check_send_attr(op, "AffectedTaskOccurrences", ("AllOccurrences",
                                                    "SpecifiedOccurrenceOnly"))
    msgs = []
    for id_el in children(op, M + "ItemIds"):
        try:
            with ctx.store.lock:
                smtp, item, entry = resolve(ctx, id_el)
                if entry is not None:
                    delete_member(ctx.store, smtp, item, entry)
                else:
                    move = "deleteditems" if kind == "MoveToDeletedItems" \
                        and item["folder"] != "deleteditems" else None
                    ctx.store.remove(smtp, item["id"], move_to=move)
            msgs.append(ok_message("DeleteItem"))
        except EwsError as e:
            msgs.append(error_message("DeleteItem", e))
    return response("DeleteItem", msgs)


# ---- FindItem and restrictions ---------------------------------------------------
def value_of(props, path):
    if path[0] == "field":
        return props.get(path[1])
    if path[0] == "indexed":
        _, name, key, sub = path
        v = props.get(name, {}).get(key)
        return v.get(sub) if sub and isinstance(v, dict) else v
    e = find_ext(props, ext_key(path[1]))
    if e is None:
        return None
    return e.get("Value", e.get("Values"))


def item_values(item):
    """props plus the computed values a restriction may test."""
    kind = item.get("kind", "Contact")
    cls = {"Contact": "IPM.Contact", "CalendarItem": "IPM.Appointment"}.get(
        kind, item["props"].get("ItemClass", "IPM.Note"))
    return dict(item["props"], ItemClass=cls)


def matches(props, el):
    name = local(el)
    kids = list(el)
    if name == "And":
        return all(matches(props, k) for k in kids)
    if name == "Or":
        return any(matches(props, k) for k in kids)
    if name == "Not":
        return not matches(props, kids[0])
    if name == "Exists":
        return value_of(props, path_of(kids[0])) is not None
    v = value_of(props, path_of(kids[0]))
    if name == "Contains":
        const = kids[1].get("Value", "") if len(kids) > 1 else ""
        vals = v if isinstance(v, list) else [v]
        return any(x is not None and const.lower() in x.lower() for x in vals)
    cmp = {"IsEqualTo": lambda a, b: a == b, "IsNotEqualTo": lambda a, b: a != b,
           "IsGreaterThan": lambda a, b: a > b, "IsLessThan": lambda a, b: a < b,
           "IsGreaterThanOrEqualTo": lambda a, b: a >= b,
           "IsLessThanOrEqualTo": lambda a, b: a <= b}.get(name)
    if cmp is None or len(kids) != 2:
        raise schema_error("unsupported restriction %s" % name)
    const_el = kids[1].find(T + "Constant")
    if const_el is None:
        raise EwsError("ErrorUnsupportedQueryFilter", "Only constants are supported.")
    const = const_el.get("Value", "")
    if v is None:
        return name == "IsNotEqualTo"
    vals = v if isinstance(v, list) else [v]
    # Exchange compares strings without regard to case.
    return any(cmp(str(x).lower(), const.lower()) for x in vals)


def op_find_item(ctx, op):
    if op.get("Traversal") not in ("Shallow", "Deep", "SoftDeleted", "Associated"):
        raise schema_error("FindItem needs Traversal")
    shape = Shape(op.find(M + "ItemShape"))
    page = op.find(M + "IndexedPageItemView")
    restriction = op.find(M + "Restriction")
    msgs = []
    for fel in children(op, M + "ParentFolderIds"):
        try:
            smtp, folder = ctx.folder(fel)
            items = [] if op.get("Traversal") in ("Associated", "SoftDeleted") \
                else ctx.store.items_in(smtp, folder)
            cv = op.find(M + "CalendarView")
            if cv is not None:
                msgs.append(op_calendar_view(ctx, cv, shape, smtp, folder, render_item))
                continue
            if restriction is not None and len(restriction):
                items = [it for it in items if matches(item_values(it), restriction[0])]
            total = len(items)
            offset, count = 0, total
            if page is not None:
                count = int(page.get("MaxEntriesReturned", total) or total)
                offset = int(page.get("Offset", "0"))
                if page.get("BasePoint") == "End":
                    offset = max(0, total - offset - count)
            chosen = items[offset:offset + count]
            last = offset + len(chosen) >= total
            inner = ('<m:RootFolder IndexedPagingOffset="%d" TotalItemsInView="%d" '
                     'IncludesLastItemInRange="%s"><t:Items>%s</t:Items></m:RootFolder>'
                     % (offset + len(chosen), total, "true" if last else "false",
                        "".join(render_item(ctx.store, smtp, it, shape, find=True)
                                for it in chosen)))
            msgs.append(ok_message("FindItem", inner))
        except EwsError as e:
            msgs.append(error_message("FindItem", e))
    return response("FindItem", msgs)


OPERATIONS = {
    "GetFolder": op_get_folder,
    "GetItem": op_get_item,
    "SyncFolderItems": op_sync_folder_items,
    "FindItem": op_find_item,
    "CreateItem": op_create_item,
    "UpdateItem": op_update_item,
    "DeleteItem": op_delete_item,
    "FindFolder": op_find_folder,
    "CreateFolder": op_create_folder,
    "ResolveNames": op_resolve_names,
}


def dispatch(ctx, op_el):
    fn = OPERATIONS.get(local(op_el)) if op_el.tag.startswith(M) else None
    if fn is None:
        raise SoapFault("ErrorInvalidRequest",
                        "The request is invalid: operation %s is not supported."
                        % local(op_el))
    with ctx.store.writing():
        return fn(ctx, op_el)
