# graph_messages.py - messages and mail folders of the Graph fake (what a sync keeps there).
"""A subset of the message resource (/graph/api/resources/message, v1.0): enough
for a client to keep a record in a folder of its own (a message tagged with a
single-value extended property), as oisync keeps its last-synchronization record
in an "InterAction Sync" folder under msgfolderroot. A message made by POST is a
draft (isDraft true), as in Graph; nothing is ever sent."""

from graph_odata import GraphError, bad_value, unknown_property

ENTITY = "Message"
WRITABLE = {"subject", "body", "categories", "importance", "isRead", "toRecipients",
            "ccRecipients", "from", "internetMessageId"}
READ_ONLY = {"id", "changeKey", "createdDateTime", "lastModifiedDateTime", "parentFolderId",
             "isDraft", "receivedDateTime", "sentDateTime", "bodyPreview", "hasAttachments",
             "conversationId", "webLink", "@odata.etag", "@odata.context", "@odata.type"}
ORDER = ["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories",
         "receivedDateTime", "sentDateTime", "hasAttachments", "internetMessageId", "subject",
         "bodyPreview", "importance", "parentFolderId", "isRead", "isDraft", "body", "from",
         "toRecipients", "ccRecipients"]
KNOWN = set(ORDER) | {"singleValueExtendedProperties"}


def _recipients(name, v):
    if not isinstance(v, list):
        raise bad_value(name, ENTITY, "a collection of recipient is expected")
    out = []
    for r in v:
        e = r.get("emailAddress") if isinstance(r, dict) else None
        if not isinstance(e, dict) or not isinstance(e.get("address"), str):
            raise bad_value(name, ENTITY, "a recipient is {emailAddress: {name, address}}")
        out.append({"emailAddress": {"name": e.get("name") or e["address"],
                                     "address": e["address"]}})
    return out


def check(body):
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The body must be a message object.")
    out = {}
    for k, v in body.items():
        if k in READ_ONLY or k == "singleValueExtendedProperties":
            continue
        if k not in WRITABLE:
            raise unknown_property(k, ENTITY)
        if k in ("subject", "internetMessageId"):
            if v is not None and not isinstance(v, str):
                raise bad_value(k, ENTITY, "a string is expected")
            out[k] = v
        elif k == "body":
            if not isinstance(v, dict) or v.get("contentType", "text") not in ("text", "html"):
                raise bad_value(k, ENTITY, "an itemBody {contentType, content} is expected")
            out[k] = {"contentType": v.get("contentType", "text"), "content": v.get("content", "")}
        elif k == "categories":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise bad_value(k, ENTITY, "a collection of strings is expected")
            out[k] = v
        elif k == "importance":
            if v not in ("low", "normal", "high"):
                raise bad_value(k, ENTITY, "low, normal or high")
            out[k] = v
        elif k == "isRead":
            if not isinstance(v, bool):
                raise bad_value(k, ENTITY, "true or false is expected")
            out[k] = v
        elif k == "from":
            out[k] = _recipients(k, [v])[0] if v is not None else None
        else:
            out[k] = _recipients(k, v)
    return out


def blank():
    return {"subject": None, "body": {"contentType": "text", "content": ""}, "categories": [],
            "importance": "normal", "isRead": True, "toRecipients": [], "ccRecipients": [],
            "from": None, "internetMessageId": None}


def render(item):
    p = item.props
    meta = {"id": item.id, "createdDateTime": item.created,
            "lastModifiedDateTime": item.modified, "changeKey": item.change_key,
            "receivedDateTime": item.created, "sentDateTime": None, "hasAttachments": False,
            "bodyPreview": " ".join((p["body"].get("content") or "").split())[:255],
            "parentFolderId": item.folder, "isDraft": True}
    out = {"@odata.etag": 'W/"%s"' % item.change_key}
    for k in ORDER:
        out[k] = meta[k] if k in meta else p.get(k)
    return out


def render_folder(mbx, f):
    return {"id": f.id, "displayName": f.name, "parentFolderId": f.parent or "",
            "childFolderCount": len(mbx.children(f.id, "mail")),
            "unreadItemCount": sum(1 for i in f.items.values() if not i.props.get("isRead")),
            "totalItemCount": len(f.items), "isHidden": False}
