# graph_control.py - the Graph fake's seed, and its /_fake/ endpoints of the owner's side.
"""The seed (a JSON file, see tests/fakes/README.md) and what /_fake/create,
/_fake/edit and /_fake/delete do: the mailbox owner's own changes, as if made in
Outlook (no If-Match, new changeKeys, seen by the next delta round), and
/_fake/dump, everything a mailbox holds as Graph renders it."""

import graph_contacts
import graph_events
import graph_messages
import graph_time
from fakeserver import ControlError
from graph_odata import GraphError
from graph_store import Directory

SEED_KEYS = {"tenant", "apps", "users"}
USER_KEYS = {"id", "displayName", "contacts", "contactFolders", "events", "mailFolders"}
KINDS = ("contact", "event", "message")


def load_seed(seed):
    """The Directory of a seed (a dict); ValueError names what is wrong."""
    if not isinstance(seed, dict):
        raise ValueError("the seed must be a JSON object")
    unknown = set(seed) - SEED_KEYS
    if unknown:
        raise ValueError("unknown seed key '%s'" % sorted(unknown)[0])
    users = seed.get("users") or {}
    if not isinstance(users, dict):
        raise ValueError('users is {"upn": {...}}')
    d = Directory()
    for upn, spec in users.items():
        spec = spec or {}
        if not isinstance(spec, dict) or set(spec) - USER_KEYS:
            raise ValueError("user %s: unknown key %s" % (upn, sorted(set(spec) - USER_KEYS)))
        mbx = d.add_user(upn, spec.get("id"), spec.get("displayName"))
        try:
            for c in spec.get("contacts", []):
                create(mbx, "contact", c)
            for name, contacts in (spec.get("contactFolders") or {}).items():
                f = mbx.add_folder("contacts", name, mbx.default("contacts").id)
                for c in contacts:
                    create(mbx, "contact", c, f.id)
            for e in spec.get("events", []):
                create(mbx, "event", e)
            for name, messages in (spec.get("mailFolders") or {}).items():
                f = mail_folder(mbx, name, make=True)
                for m in messages:
                    create(mbx, "message", m, f.id)
        except GraphError as e:
            raise ValueError("user %s: %s" % (upn, e.message)) from None
    return d


def mail_folder(mbx, ref, make=False):
    """A mail folder by id, well-known name or display name (made under
    msgfolderroot when `make`)."""
    for f in mbx.folders.values():
        if f.kind == "mail" and (f.id == ref or f.well_known == ref.lower()
                                 or f.name.lower() == ref.lower()):
            return f
    if not make:
        raise ControlError(404, "no mail folder '%s'" % ref)
    return mbx.add_folder("mail", ref, mbx.well_known["msgfolderroot"])


def folder_of(mbx, kind, ref):
    if kind == "message":
        return mail_folder(mbx, ref or "drafts")
    want = "contacts" if kind == "contact" else "calendar"
    if not ref:
        return mbx.default(want)
    for f in mbx.folders.values():
        if f.kind == want and (f.id == ref or f.name.lower() == ref.lower()):
            return f
    raise ControlError(404, "no %s folder '%s'" % (want, ref))


def create(mbx, kind, body, folder=None):
    """A new item from Graph JSON (the owner's side: an event may carry iCalUId,
    isCancelled, "exceptions": [{"originalStart", ...changes}] and
    "cancelledOccurrences": [original starts])."""
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "an item is a JSON object")
    f = folder_of(mbx, kind, folder)
    if kind == "contact":
        props = graph_contacts.blank()
        props.update(graph_contacts.check(body, True))
        item = mbx.add_item("contact", f, props)
    elif kind == "message":
        props = graph_messages.blank()
        props.update(graph_messages.check(body))
        item = mbx.add_item("message", f, props)
    else:
        changes = graph_events.check(body, True, owner=True)
        item = mbx.add_item("event", f, graph_events.blank())
        try:
            graph_events.merge(item, changes, True)
            seed_series(mbx, item, body)
        except GraphError:
            mbx.remove(item)
            raise
        item.props["iCalUId"] = item.props.get("iCalUId") or graph_events.new_icaluid(item.id)
    try:
        item.set_ext(body.get("singleValueExtendedProperties"), kind)
    except GraphError:
        mbx.remove(item)
        raise
    return item


def seed_series(mbx, item, body):
    for exc in body.get("exceptions") or []:
        exc = dict(exc)
        original = graph_time.parse_offset_time(exc.pop("originalStart", None),
                                                             "originalStart")
        inst = graph_events.find_instance(mbx, graph_events.occurrence_id(item.id, original))
        graph_events.edit_occurrence(inst, graph_events.check(exc, False, owner=True))
    for when in body.get("cancelledOccurrences") or []:
        original = graph_time.parse_offset_time(when, "cancelledOccurrences")
        graph_events.cancel_occurrence(
            graph_events.find_instance(mbx, graph_events.occurrence_id(item.id, original)))


def set_paths(current, changes):
    """The top-level properties a /_fake/edit "set" touches, with its dotted paths
    ("businessAddress.city") applied to copies of their current values."""
    out = {}
    for path, value in changes.items():
        head, _, rest = path.partition(".")
        if not rest:
            out[head] = value
            continue
        base = out.get(head, current.get(head))
        node = dict(base) if isinstance(base, dict) else {}
        out[head] = node
        parts = rest.split(".")
        for p in parts[:-1]:
            node[p] = dict(node.get(p) or {})
            node = node[p]
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return out


def edit(mbx, item_id, changes):
    """The owner's edit of any item, or of one occurrence (which becomes an
    exception); returns the id and new changeKey."""
    if not isinstance(changes, dict):
        raise ControlError(400, 'edit takes {"mailbox", "id", "set": {...}}')
    occ = graph_events.split_occurrence_id(item_id)
    if occ is not None:
        inst = graph_events.find_instance(mbx, item_id)
        graph_events.edit_occurrence(
            inst, graph_events.check(set_paths(inst.props, changes), False, owner=True))
        return {"id": item_id, "changeKey": inst.item.change_key}
    item = mbx.items.get(item_id)
    if item is None:
        raise ControlError(404, "no item '%s' in %s" % (item_id, mbx.upn))
    body = set_paths(item.props, changes)
    ext = body.pop("singleValueExtendedProperties", None)
    if item.kind == "contact":
        item.props.update(graph_contacts.check(body, False))
    elif item.kind == "message":
        item.props.update(graph_messages.check(body))
    else:
        graph_events.merge(item, graph_events.check(body, False, owner=True), False)
    item.set_ext(ext, item.kind)
    item.touch()
    return {"id": item.id, "changeKey": item.change_key}


def delete(mbx, item_id):
    if graph_events.split_occurrence_id(item_id) is not None:
        graph_events.cancel_occurrence(graph_events.find_instance(mbx, item_id))
        return
    item = mbx.items.get(item_id)
    if item is None:
        raise ControlError(404, "no item '%s' in %s" % (item_id, mbx.upn))
    mbx.remove(item)


def dump_mailbox(mbx, base):
    """Everything a mailbox holds, times in UTC; a series master shows its
    exceptions (original start and changes) and cancelled occurrences."""
    def with_ext(obj, item):
        if item.ext:
            obj["singleValueExtendedProperties"] = item.ext_list()
        return obj

    out = {"id": mbx.id, "userPrincipalName": mbx.upn, "displayName": mbx.display_name,
           "contactFolders": [], "events": [], "mailFolders": []}
    for f in mbx.folders.values():
        if f.kind == "contacts":
            out["contactFolders"].append(
                {"id": f.id, "displayName": f.name, "parentFolderId": f.parent,
                 "contacts": [with_ext(graph_contacts.render(i), i) for i in f.items.values()]})
        elif f.kind == "mail":
            out["mailFolders"].append(
                {"id": f.id, "displayName": f.name, "parentFolderId": f.parent,
                 "wellKnownName": f.well_known,
                 "messages": [with_ext(graph_messages.render(i), i) for i in f.items.values()]})
        else:
            for item in f.items.values():
                kind = "seriesMaster" if item.props.get("recurrence") else "singleInstance"
                obj = graph_events.render(graph_events.Instance(item, kind), mbx, "UTC", base)
                if item.exceptions:
                    obj["exceptions"] = [dict(v, originalStart=k)
                                         for k, v in sorted(item.exceptions.items())]
                if item.cancelled:
                    obj["cancelledOccurrences"] = sorted(item.cancelled)
                out["events"].append(with_ext(obj, item))
    return out
