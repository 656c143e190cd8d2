# ews_folders.py - folder operations of the fake EWS server: GetFolder, FindFolder, CreateFolder.
"""Distinguished folders (root, msgfolderroot, contacts, calendar, deleteditems, inbox)
and folders a client creates (CreateFolder: e.g. "InterAction Sync" under
msgfolderroot, holding messages). FindFolder walks the tree Shallow or Deep, with an
optional Restriction on folder:DisplayName (IsEqualTo, Contains, And/Or/Not)."""

from ews_store import StoreError
from ews_xml import (
    M, T, EwsError, error_message, esc, local, ok_message, response, schema_error, text_of)

FOLDER_CK = "AQAAABYAAAAAAAAAAAAAAAAAAAAAAA=="
FOLDER_TYPES = {"Folder": "IPF.Note", "CalendarFolder": "IPF.Appointment",
                "ContactsFolder": "IPF.Contact", "TasksFolder": "IPF.Task",
                "SearchFolder": None}


class FolderShape:
    def __init__(self, el):
        self.base, self.fields = "IdOnly", set()
        if el is None:
            return
        b = el.find(T + "BaseShape")
        if b is None or text_of(b) not in ("IdOnly", "Default", "AllProperties"):
            raise schema_error("FolderShape needs BaseShape IdOnly, Default or AllProperties")
        self.base = text_of(b)
        add = el.find(T + "AdditionalProperties")
        for p in (add if add is not None else []):
            if p.tag == T + "FieldURI":
                self.fields.add(p.get("FieldURI", "").split(":")[-1])


def render_folder(store, smtp, name, shape):
    ftype, fclass, display, parent = store.folder_info(smtp, name)
    kids = store.child_folders(smtp, name)
    total = len(store.items_in(smtp, name))
    every = shape.base == "AllProperties"
    dflt = every or shape.base == "Default"
    want = lambda f, d=False: f in shape.fields or every or (d and dflt)  # noqa: E731
    out = ['<t:FolderId Id="%s" ChangeKey="%s"/>' % (store.folder_id(smtp, name), FOLDER_CK)]
    if parent and want("ParentFolderId"):
        out.append('<t:ParentFolderId Id="%s" ChangeKey="%s"/>'
                   % (store.folder_id(smtp, parent), FOLDER_CK))
    if want("FolderClass") and fclass:
        out.append("<t:FolderClass>%s</t:FolderClass>" % esc(fclass))
    if want("DisplayName", True):
        out.append("<t:DisplayName>%s</t:DisplayName>" % esc(display))
    if want("TotalCount", True):
        out.append("<t:TotalCount>%d</t:TotalCount>" % total)
    if want("ChildFolderCount", True):
        out.append("<t:ChildFolderCount>%d</t:ChildFolderCount>" % len(kids))
    if want("EffectiveRights"):
        out.append("<t:EffectiveRights><t:CreateAssociated>true</t:CreateAssociated>"
                   "<t:CreateContents>true</t:CreateContents><t:CreateHierarchy>true"
                   "</t:CreateHierarchy><t:Delete>true</t:Delete><t:Modify>true</t:Modify>"
                   "<t:Read>true</t:Read><t:ViewPrivateItems>true</t:ViewPrivateItems>"
                   "</t:EffectiveRights>")
    if want("DistinguishedFolderId") and not name.startswith("u"):
        out.append("<t:DistinguishedFolderId>%s</t:DistinguishedFolderId>" % name)
    if ftype == "Folder" and want("UnreadCount", True):
        out.append("<t:UnreadCount>0</t:UnreadCount>")
    return "<t:%s>%s</t:%s>" % (ftype, "".join(out), ftype)


def children(el, path):
    found = el.find(path)
    return list(found) if found is not None else []


def op_get_folder(ctx, op):
    shape = FolderShape(op.find(M + "FolderShape"))
    msgs = []
    for fel in children(op, M + "FolderIds"):
        try:
            smtp, name = ctx.folder(fel)
            msgs.append(ok_message("GetFolder", "<m:Folders>%s</m:Folders>"
                                   % render_folder(ctx.store, smtp, name, shape)))
        except EwsError as e:
            msgs.append(error_message("GetFolder", e))
    return response("GetFolder", msgs)


def _display_matches(display, el):
    name = local(el)
    kids = list(el)
    if name == "And":
        return all(_display_matches(display, k) for k in kids)
    if name == "Or":
        return any(_display_matches(display, k) for k in kids)
    if name == "Not":
        return not _display_matches(display, kids[0])
    if len(kids) < 2 or kids[0].get("FieldURI") != "folder:DisplayName":
        raise EwsError("ErrorUnsupportedPathForQuery",
                       "The fake restricts folders on folder:DisplayName only.")
    if name == "Contains":
        return kids[1].get("Value", "").lower() in display.lower()
    const = kids[1].find(T + "Constant")
    if const is None:
        raise EwsError("ErrorUnsupportedQueryFilter")
    if name == "IsEqualTo":
        return display.lower() == const.get("Value", "").lower()
    if name == "IsNotEqualTo":
        return display.lower() != const.get("Value", "").lower()
    raise EwsError("ErrorUnsupportedQueryFilter")


def op_find_folder(ctx, op):
    traversal = op.get("Traversal")
    if traversal not in ("Shallow", "Deep", "SoftDeleted"):
        raise schema_error("FindFolder needs Traversal Shallow or Deep")
    shape = FolderShape(op.find(M + "FolderShape"))
    restriction = op.find(M + "Restriction")
    page = op.find(M + "IndexedPageFolderView")
    msgs = []
    for fel in children(op, M + "ParentFolderIds"):
        try:
            smtp, parent = ctx.folder(fel)
            found, todo = [], list(ctx.store.child_folders(smtp, parent))
            while todo and traversal != "SoftDeleted":
                name = todo.pop(0)
                found.append(name)
                if traversal == "Deep":
                    todo[0:0] = ctx.store.child_folders(smtp, name)
            if restriction is not None and len(restriction):
                found = [n for n in found if _display_matches(
                    ctx.store.folder_info(smtp, n)[2], restriction[0])]
            total, offset, count = len(found), 0, len(found)
            if page is not None:
                count = int(page.get("MaxEntriesReturned", total) or total)
                offset = int(page.get("Offset", "0"))
            chosen = found[offset:offset + count]
            last = offset + len(chosen) >= total
            msgs.append(ok_message("FindFolder", (
                '<m:RootFolder IndexedPagingOffset="%d" TotalItemsInView="%d" '
                'IncludesLastItemInRange="%s"><t:Folders>%s</t:Folders></m:RootFolder>')
                % (offset + len(chosen), total, "true" if last else "false",
                   "".join(render_folder(ctx.store, smtp, n, shape) for n in chosen))))
        except EwsError as e:
            msgs.append(error_message("FindFolder", e))
    return response("FindFolder", msgs)


def op_create_folder(ctx, op):
    parent_el = children(op, M + "ParentFolderId")
    folders = op.find(M + "Folders")
    if len(parent_el) != 1 or folders is None:
        raise schema_error("CreateFolder needs ParentFolderId and Folders")
    msgs = []
    for fel in folders:
        try:
            smtp, parent = ctx.folder(parent_el[0])
            ftype = local(fel)
            if fel.tag != T + ftype or ftype not in FOLDER_TYPES or ftype == "SearchFolder":
                raise EwsError("ErrorInvalidOperation", "Unsupported folder %s." % fel.tag)
            name_el, class_el = fel.find(T + "DisplayName"), fel.find(T + "FolderClass")
            display = text_of(name_el).strip() if name_el is not None else ""
            if not display:
                raise EwsError("ErrorFolderSavePropertyError",
                               "A folder needs a DisplayName.")
            fclass = text_of(class_el) if class_el is not None else FOLDER_TYPES[ftype]
            try:
                name = ctx.store.create_folder(smtp, parent, display, ftype, fclass)
            except StoreError as e:
                raise EwsError(e.code, "A folder with the specified name already exists."
                               if e.code == "ErrorFolderExists" else None) from None
            msgs.append(ok_message("CreateFolder", '<m:Folders><t:%s><t:FolderId Id="%s" '
                                   'ChangeKey="%s"/></t:%s></m:Folders>'
                                   % (ftype, ctx.store.folder_id(smtp, name), FOLDER_CK, ftype)))
        except EwsError as e:
            msgs.append(error_message("CreateFolder", e, "<m:Folders/>"))
    return response("CreateFolder", msgs)
