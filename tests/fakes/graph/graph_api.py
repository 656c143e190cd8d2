# graph_api.py - the /v1.0/users/{id}/... resources of the Graph fake.
"""Routing and handlers of the Graph requests the fake serves (one mailbox each):
contacts and contact folders, events, calendar views and their delta, mail
folders and messages, the user. A request is prepared (route, mailbox, access:
404 for an unknown user, 403 for one the app may not open or a permission it
lacks) and then executed under the store's lock; graph_server counts it against
the mailbox's concurrency limit in between, and $batch runs inner requests
through the same two steps."""

import re
from urllib.parse import unquote

import graph_contacts
import graph_delta
import graph_events
import graph_messages
import graph_time
from graph_odata import (Filter, GraphError, bad_request, parse_count, parse_expand,
                         parse_select, select)

LIST_DEFAULT = 10      # Outlook's default page of a collection without $top
LIST_MAX = 1000
ID = r"(?P<id>[^/]+)"
FID = r"(?P<fid>[^/]+)"


def route_table():
    """(pattern, template, area, {method: handler name}) in match order."""
    t = [
        (r"", "", None, {"GET": "get_user"}),
        (r"contacts", "/contacts", "Contacts", {"GET": "list_contacts", "POST": "create_contact"}),
        (r"contacts/delta", "/contacts/delta", "Contacts", {"GET": "contacts_delta"}),
        (r"contacts/" + ID, "/contacts/{id}", "Contacts",
         {"GET": "get_contact", "PATCH": "update_contact", "DELETE": "delete_contact"}),
        (r"contactFolders", "/contactFolders", "Contacts",
         {"GET": "list_contact_folders", "POST": "create_contact_folder"}),
        (r"contactFolders/" + FID, "/contactFolders/{id}", "Contacts",
         {"GET": "get_contact_folder"}),
        (r"contactFolders/" + FID + "/childFolders", "/contactFolders/{id}/childFolders",
         "Contacts", {"GET": "list_contact_folders", "POST": "create_contact_folder"}),
        (r"contactFolders/" + FID + "/contacts", "/contactFolders/{id}/contacts", "Contacts",
         {"GET": "list_contacts", "POST": "create_contact"}),
        (r"contactFolders/" + FID + "/contacts/delta", "/contactFolders/{id}/contacts/delta",
         "Contacts", {"GET": "contacts_delta"}),
        (r"contactFolders/" + FID + "/contacts/" + ID, "/contactFolders/{id}/contacts/{id}",
         "Contacts", {"GET": "get_contact", "PATCH": "update_contact",
                      "DELETE": "delete_contact"}),
        (r"calendar", "/calendar", "Calendars", {"GET": "get_calendar"}),
        (r"calendars", "/calendars", "Calendars", {"GET": "list_calendars"}),
        (r"(?:calendar|calendars/(?P<cid>[^/]+))/events", "/calendar/events", "Calendars",
         {"GET": "list_events", "POST": "create_event"}),
        (r"(?:calendar|calendars/(?P<cid>[^/]+))/events/" + ID, "/calendar/events/{id}",
         "Calendars", {"GET": "get_event", "PATCH": "update_event", "DELETE": "delete_event"}),
        (r"events", "/events", "Calendars", {"GET": "list_events", "POST": "create_event"}),
        (r"events/" + ID, "/events/{id}", "Calendars",
         {"GET": "get_event", "PATCH": "update_event", "DELETE": "delete_event"}),
        (r"events/" + ID + "/instances", "/events/{id}/instances", "Calendars",
         {"GET": "list_instances"}),
        (r"(?:calendar/)?calendarView", "/calendarView", "Calendars", {"GET": "calendar_view"}),
        (r"calendarView/delta", "/calendarView/delta", "Calendars", {"GET": "calendar_delta"}),
        (r"mailFolders", "/mailFolders", "Mail",
         {"GET": "list_mail_folders", "POST": "create_mail_folder"}),
        (r"mailFolders/" + FID, "/mailFolders/{id}", "Mail", {"GET": "get_mail_folder"}),
        (r"mailFolders/" + FID + "/childFolders", "/mailFolders/{id}/childFolders", "Mail",
         {"GET": "list_mail_folders", "POST": "create_mail_folder"}),
        (r"mailFolders/" + FID + "/messages", "/mailFolders/{id}/messages", "Mail",
         {"GET": "list_messages", "POST": "create_message"}),
        (r"mailFolders/" + FID + "/messages/" + ID, "/mailFolders/{id}/messages/{id}", "Mail",
         {"GET": "get_message", "PATCH": "update_message", "DELETE": "delete_message"}),
        (r"messages", "/messages", "Mail", {"GET": "list_messages", "POST": "create_message"}),
        (r"messages/" + ID, "/messages/{id}", "Mail",
         {"GET": "get_message", "PATCH": "update_message", "DELETE": "delete_message"}),
    ]
    return [(re.compile("^%s$" % p, re.I), tpl, area, h) for p, tpl, area, h in t]


ROUTES = route_table()


class Prepared:
    """A Graph request ready to run: its handler, path parameters and mailbox."""

    def __init__(self, template, handler, params, mbx, write):
        self.template, self.handler, self.params = template, handler, params
        self.mbx, self.write = mbx, write


def split_user_path(path):
    """(user reference, the rest of the path) of /v1.0/users/{u}/..., decoded per
    segment; GraphError 400 for paths the fake does not serve."""
    segs = [unquote(s) for s in path.split("/")]
    if len(segs) < 2 or segs[1] != "v1.0":
        raise bad_request("Invalid version: '%s'." % (segs[1] if len(segs) > 1 else ""))
    rest = [s for s in segs[2:]]
    if rest and rest[-1] == "":
        rest.pop()
    if rest[:1] == ["me"]:
        raise bad_request("/me request is only valid with delegated authentication flow.")
    m = re.fullmatch(r"users\('(.*)'\)", rest[0]) if rest else None  # users('upn')
    if m:
        rest = ["users", m.group(1).replace("''", "'")] + rest[1:]
    if len(rest) < 2 or rest[0] != "users":
        raise bad_request("Resource not found for the segment '%s'." %
                          (rest[0] if rest else ""))
    user = rest[1]
    tail = ["delta" if s.lower() == "microsoft.graph.delta" else s for s in rest[2:]]
    return user, "/".join(tail)


def if_match(req, item):
    """412 when If-Match names another changeKey (W/"ck", "ck" or *)."""
    want = req.headers.get("If-Match")
    if want is None or want.strip() == "*":
        return
    tags = [t.strip() for t in want.split(",")]
    have = item.change_key
    for t in tags:
        t = t[2:] if t.startswith("W/") else t
        if t.strip('"') == have:
            return
    raise GraphError(412, "ErrorIrresolvableConflict",
                     "The send or update operation could not be performed because the change "
                     "key passed in the request does not match the current change key for the "
                     "item.")


class Api:
    def __init__(self, server):
        self.srv = server

    @property
    def store(self):
        return self.srv.store

    # -- preparing
    def prepare(self, req, app):
        user_ref, rest = split_user_path(req.path)
        for pattern, template, area, handlers in ROUTES:
            m = pattern.match(rest)
            if m:
                break
        else:
            raise bad_request("Resource not found for the segment '%s'." % rest.split("/")[0])
        template = "/users/{id}" + template
        self.srv.count_request(req.method, template)
        if req.method not in handlers:
            raise GraphError(405, "ErrorInvalidRequest",
                             "The OData request is not supported: %s %s."
                             % (req.method, template), {"Allow": ", ".join(sorted(handlers))})
        mbx = self.store.directory.find(user_ref)
        if mbx is None:
            raise GraphError(404, "ErrorInvalidUser",
                             "The requested user '%s' is invalid." % user_ref)
        app = req.app
        if not app.may_open(mbx):
            raise GraphError(403, "ErrorAccessDenied",
                             "Access to OData is disabled: [RAOP] : Blocked by tenant "
                             "configured AppOnly AccessPolicy settings.")
        write = req.method != "GET"
        if area and not app.has_role(area, write):
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and "
                             "try again.")
        return Prepared(template, handlers[req.method], m.groupdict(), mbx, write)

    def execute(self, req, prep):
        """(status, JSON object or None, headers)."""
        return getattr(self, prep.handler)(req, prep.mbx, prep.params)

    # -- helpers
    def context(self, req, what):
        return "%s/v1.0/$metadata#%s" % (req.base, what)

    def zone_name(self, req):
        name = req.prefer.get("outlook.timezone")
        if name is None:
            return "UTC", {}
        graph_time.zone(name)
        return name, {"Preference-Applied": 'outlook.timezone="%s"' % name}

    def shape(self, obj, item, sel, expand):
        """obj with the extended properties $expand asks for, then $select applied."""
        if expand is not None:
            props = [p for p in item.ext_list() if expand.matches(p)]
            if props:
                obj["singleValueExtendedProperties"] = props
        if sel is not None:
            keep = sel + (["singleValueExtendedProperties"] if expand is not None else [])
            obj = select(obj, keep)
        return obj

    def collection(self, req, entity, rows, known):
        """A page of a collection: rows are (item, rendered JSON) in order; $filter,
        $orderby, $top, $skip, $select and $expand apply. The reply and headers."""
        q = req.query
        sel = parse_select(q.get("$select"), known, entity)
        expand = parse_expand(q.get("$expand"))
        if q.get("$filter"):
            flt = Filter(q["$filter"])
            rows = [(i, o) for i, o in rows
                    if flt.matches(dict(o, singleValueExtendedProperties=i.ext_list()))]
        if q.get("$orderby"):
            rows = order_by(rows, q["$orderby"], known, entity)
        top = parse_count(q, "$top", LIST_DEFAULT, LIST_MAX) or LIST_DEFAULT
        skip = parse_count(q, "$skip", 0, 10 ** 9)
        page = rows[skip:skip + top]
        out = {"@odata.context": self.context(req, "Collection(%s)" % entity),
               "value": [self.shape(o, i, sel, expand) for i, o in page]}
        if skip + top < len(rows):
            nxt = dict(q)
            nxt["$top"], nxt["$skip"] = str(top), str(skip + top)
            out["@odata.nextLink"] = req.url(req.path, nxt)
        return out

    def one(self, req, entity, item, obj, known, status=200, extra=None):
        q = req.query
        obj = self.shape(obj, item, parse_select(q.get("$select"), known, entity),
                         parse_expand(q.get("$expand")))
        obj = dict({"@odata.context": self.context(req, "%s/$entity" % entity)}, **obj)
        return status, obj, dict(extra or {})

    # -- the user
    def get_user(self, req, mbx, p):
        obj = dict({"@odata.context": self.context(req, "users/$entity")},
                   **self.store.directory.user_json(mbx))
        return 200, obj, {}

    # -- contacts
    def contact_folder(self, mbx, p):
        return mbx.folder(p["fid"], "contacts") if p.get("fid") else mbx.default("contacts")

    def list_contacts(self, req, mbx, p):
        folder = self.contact_folder(mbx, p)
        rows = [(i, graph_contacts.render(i)) for i in folder.items.values()]
        return 200, self.collection(req, "contact", rows, graph_contacts.KNOWN), {}

    def create_contact(self, req, mbx, p):
        folder = self.contact_folder(mbx, p)
        body = req.json()
        props = graph_contacts.blank()
        props.update(graph_contacts.check(body, True))
        item = mbx.add_item("contact", folder, props)
        try:
            item.set_ext(body.get("singleValueExtendedProperties"), "contact")
        except GraphError:
            mbx.remove(item)
            raise
        self.srv.store_changed()
        return self.one(req, "contact", item, graph_contacts.render(item),
                        graph_contacts.KNOWN, 201)

    def get_contact(self, req, mbx, p):
        item = mbx.item(p["id"], "contact", self.contact_folder(mbx, p) if p.get("fid") else None)
        return self.one(req, "contact", item, graph_contacts.render(item), graph_contacts.KNOWN)

    def update_contact(self, req, mbx, p):
        item = mbx.item(p["id"], "contact", self.contact_folder(mbx, p) if p.get("fid") else None)
        body = req.json()
        changes = graph_contacts.check(body, False)
        if_match(req, item)
        ext = dict(item.ext)
        item.set_ext(body.get("singleValueExtendedProperties"), "contact")
        if changes or item.ext != ext:
            item.props.update(changes)
            item.touch()
            self.srv.store_changed()
        return self.one(req, "contact", item, graph_contacts.render(item), graph_contacts.KNOWN)

    def delete_contact(self, req, mbx, p):
        item = mbx.item(p["id"], "contact", self.contact_folder(mbx, p) if p.get("fid") else None)
        if_match(req, item)
        mbx.remove(item)
        self.srv.store_changed()
        return 204, None, {}

    def contacts_delta(self, req, mbx, p):
        folder = self.contact_folder(mbx, p)
        for opt in ("$filter", "$orderby", "$expand", "$search", "$top", "$skip"):
            if opt in req.query:
                raise GraphError(400, "ErrorInvalidUrlQuery",
                                 "The following parameters are not supported with change "
                                 "tracking over the 'Contacts' resource: '%s'." % opt)
        first = {}
        if not req.query.get("$skiptoken") and not req.query.get("$deltatoken"):
            parse_select(req.query.get("$select"), graph_contacts.KNOWN, "contact")
            if req.query.get("$select"):
                first["$select"] = req.query["$select"]

        def current(options):
            return {i.id: i.change_key for i in folder.items.values()}

        def render(item_id, options):
            item = folder.items.get(item_id)
            if item is None:
                return None
            sel = parse_select(options.get("$select"), graph_contacts.KNOWN, "contact")
            obj = dict({"@odata.type": "#microsoft.graph.contact"}, **graph_contacts.render(item))
            return select(obj, sel)

        value, nxt, delta, applied = graph_delta.run(
            self.srv.sync, req, mbx.upn, "contacts:" + folder.id, first, current, render,
            "#microsoft.graph.contact")
        return 200, delta_page(req, "contact", value, nxt, delta), applied_header(applied)

    # -- contact folders
    def list_contact_folders(self, req, mbx, p):
        parent = self.contact_folder(mbx, p)
        rows = [(f, {"id": f.id, "displayName": f.name, "parentFolderId": f.parent})
                for f in mbx.children(parent.id, "contacts")]
        return 200, self.folder_collection(req, "contactFolder", rows), {}

    def folder_collection(self, req, entity, rows):
        if req.query.get("$filter"):
            flt = Filter(req.query["$filter"])
            rows = [(f, o) for f, o in rows if flt.matches(o)]
        sel = parse_select(req.query.get("$select"), set(rows[0][1]) if rows else
                           {"id", "displayName", "parentFolderId"}, entity)
        top = parse_count(req.query, "$top", LIST_DEFAULT, LIST_MAX) or LIST_DEFAULT
        skip = parse_count(req.query, "$skip", 0, 10 ** 9)
        out = {"@odata.context": self.context(req, "Collection(%s)" % entity),
               "value": [select(o, sel) for _, o in rows[skip:skip + top]]}
        if skip + top < len(rows):
            nxt = dict(req.query)
            nxt["$top"], nxt["$skip"] = str(top), str(skip + top)
            out["@odata.nextLink"] = req.url(req.path, nxt)
        return out

    def create_contact_folder(self, req, mbx, p):
        parent = self.contact_folder(mbx, p)
        name = folder_name(req.json())
        if any(f.name.lower() == name.lower() for f in mbx.children(parent.id, "contacts")):
            raise folder_exists()
        f = mbx.add_folder("contacts", name, parent.id)
        self.srv.store_changed()
        obj = {"@odata.context": self.context(req, "contactFolders/$entity"), "id": f.id,
               "displayName": f.name, "parentFolderId": f.parent}
        return 201, obj, {}

    def get_contact_folder(self, req, mbx, p):
        f = self.contact_folder(mbx, p)
        obj = {"@odata.context": self.context(req, "contactFolders/$entity"), "id": f.id,
               "displayName": f.name, "parentFolderId": f.parent}
        return 200, obj, {}

    # -- events
    def calendar_folder(self, mbx, p):
        cal = mbx.default("calendar")
        if p.get("cid") and p["cid"] != cal.id and p["cid"].lower() != "calendar":
            raise GraphError(404, "ErrorItemNotFound",
                             "The specified object was not found in the store.")
        return cal

    def render_event(self, req, mbx, inst, zone_name):
        return graph_events.render(inst, mbx, zone_name, req.base)

    def list_events(self, req, mbx, p):
        folder = self.calendar_folder(mbx, p)
        zone_name, hdr = self.zone_name(req)
        rows = []
        for item in folder.items.values():
            inst = graph_events.Instance(item, "seriesMaster" if item.props.get("recurrence")
                                         else "singleInstance")
            rows.append((item, self.render_event(req, mbx, inst, zone_name)))
        return 200, self.collection(req, "event", rows, graph_events.KNOWN), hdr

    def create_event(self, req, mbx, p):
        folder = self.calendar_folder(mbx, p)
        zone_name, hdr = self.zone_name(req)
        body = req.json()
        changes = graph_events.check(body, True)
        item = mbx.add_item("event", folder, graph_events.blank())
        try:
            graph_events.merge(item, changes, True)
            item.set_ext(body.get("singleValueExtendedProperties"), "event")
        except GraphError:
            mbx.remove(item)
            raise
        item.props["iCalUId"] = item.props.get("iCalUId") or graph_events.new_icaluid(item.id)
        self.srv.store_changed()
        inst = graph_events.find_instance(mbx, item.id)
        return self.one(req, "event", item, self.render_event(req, mbx, inst, zone_name),
                        graph_events.KNOWN, 201, hdr)

    def get_event(self, req, mbx, p):
        self.calendar_folder(mbx, p)
        zone_name, hdr = self.zone_name(req)
        inst = graph_events.find_instance(mbx, p["id"])
        return self.one(req, "event", inst.item, self.render_event(req, mbx, inst, zone_name),
                        graph_events.KNOWN, 200, hdr)

    def update_event(self, req, mbx, p):
        self.calendar_folder(mbx, p)
        zone_name, hdr = self.zone_name(req)
        inst = graph_events.find_instance(mbx, p["id"])
        body = req.json()
        changes = graph_events.check(body, False)
        if_match(req, inst.item)
        if inst.original is not None:
            if body.get("singleValueExtendedProperties") is not None:
                raise GraphError(400, "ErrorInvalidRequest",
                                 "Extended properties of one occurrence are not supported by "
                                 "the fake: set them on the series master.")
            graph_events.edit_occurrence(inst, changes)
        else:
            item = inst.item
            ext = dict(item.ext)
            item.set_ext(body.get("singleValueExtendedProperties"), "event")
            if changes or item.ext != ext:
                graph_events.merge(item, changes, False)
                item.touch()
        self.srv.store_changed()
        inst = graph_events.find_instance(mbx, p["id"])
        return self.one(req, "event", inst.item, self.render_event(req, mbx, inst, zone_name),
                        graph_events.KNOWN, 200, hdr)

    def delete_event(self, req, mbx, p):
        self.calendar_folder(mbx, p)
        inst = graph_events.find_instance(mbx, p["id"])
        if_match(req, inst.item)
        if inst.original is not None:
            graph_events.cancel_occurrence(inst)
        else:
            mbx.remove(inst.item)
        self.srv.store_changed()
        return 204, None, {}

    def window(self, req):
        start = graph_time.parse_offset_time(req.query.get("startDateTime"), "startDateTime")
        end = graph_time.parse_offset_time(req.query.get("endDateTime"), "endDateTime")
        if end < start:
            raise GraphError(400, "ErrorInvalidParameter",
                             "The EndDateTime must be later than the StartDateTime.")
        return start, end

    def list_instances(self, req, mbx, p):
        zone_name, hdr = self.zone_name(req)
        start, end = self.window(req)
        item = mbx.item(p["id"], "event")
        found = (graph_events.instances(mbx.default("calendar"), start, end, item)
                 if item.props.get("recurrence") else [])
        rows = [(i.item, self.render_event(req, mbx, i, zone_name)) for i in found]
        return 200, self.collection(req, "event", rows, graph_events.KNOWN), hdr

    def calendar_view(self, req, mbx, p):
        zone_name, hdr = self.zone_name(req)
        start, end = self.window(req)
        found = graph_events.instances(mbx.default("calendar"), start, end)
        rows = [(i.item, self.render_event(req, mbx, i, zone_name)) for i in found]
        return 200, self.collection(req, "event", rows, graph_events.KNOWN), hdr

    def calendar_delta(self, req, mbx, p):
        zone_name, hdr = self.zone_name(req)
        for opt in ("$select", "$expand", "$filter", "$orderby", "$search", "$top", "$skip"):
            if opt in req.query:
                raise GraphError(400, "ErrorInvalidUrlQuery",
                                 "The following parameters are not supported with change "
                                 "tracking over the 'CalendarView' resource: '%s'." % opt)
        first = {}
        if not req.query.get("$skiptoken") and not req.query.get("$deltatoken"):
            start, end = self.window(req)
            first = {"startDateTime": graph_time.utc_text(start),
                     "endDateTime": graph_time.utc_text(end)}
        folder = mbx.default("calendar")

        def bounds(options):
            return (graph_time.parse_offset_time(options["startDateTime"], "startDateTime"),
                    graph_time.parse_offset_time(options["endDateTime"], "endDateTime"))

        def current(options):
            # Rendered in UTC and with no host: a round read over the other port
            # (HTTP, HTTPS) or in another zone reports nothing new.
            found = graph_events.instances(folder, *bounds(options))
            return {i.id: graph_delta.signature(graph_events.render(i, mbx, "UTC", ""))
                    for i in found}

        def render(item_id, options):
            try:
                inst = graph_events.find_instance(mbx, item_id)
            except GraphError:
                return None
            if not graph_events.overlaps(inst.span, *bounds(options)):
                return None
            obj = self.render_event(req, mbx, inst, zone_name)
            return dict({"@odata.type": "#microsoft.graph.event"}, **obj)

        value, nxt, delta, applied = graph_delta.run(
            self.srv.sync, req, mbx.upn, "calendarView", first, current, render,
            "#microsoft.graph.event")
        hdr = dict(hdr)
        if applied:
            hdr["Preference-Applied"] = ", ".join(
                x for x in (applied, hdr.get("Preference-Applied")) if x)
        return 200, delta_page(req, "event", value, nxt, delta), hdr

    def get_calendar(self, req, mbx, p):
        obj = dict({"@odata.context": self.context(req, "calendars/$entity")},
                   **calendar_json(mbx))
        return 200, obj, {}

    def list_calendars(self, req, mbx, p):
        return 200, {"@odata.context": self.context(req, "Collection(calendar)"),
                     "value": [calendar_json(mbx)]}, {}

    # -- mail folders and messages
    def mail_parent(self, mbx, p):
        return mbx.folder(p["fid"], "mail") if p.get("fid") else mbx.folder("msgfolderroot",
                                                                            "mail")

    def list_mail_folders(self, req, mbx, p):
        parent = self.mail_parent(mbx, p)
        rows = [(f, graph_messages.render_folder(mbx, f)) for f in mbx.children(parent.id, "mail")]
        return 200, self.folder_collection(req, "mailFolder", rows), {}

    def create_mail_folder(self, req, mbx, p):
        parent = self.mail_parent(mbx, p)
        name = folder_name(req.json(), {"isHidden"})
        if any(f.name.lower() == name.lower() for f in mbx.children(parent.id, "mail")):
            raise folder_exists()
        f = mbx.add_folder("mail", name, parent.id)
        self.srv.store_changed()
        obj = dict({"@odata.context": self.context(req, "mailFolders/$entity")},
                   **graph_messages.render_folder(mbx, f))
        return 201, obj, {}

    def get_mail_folder(self, req, mbx, p):
        f = mbx.folder(p["fid"], "mail")
        obj = dict({"@odata.context": self.context(req, "mailFolders/$entity")},
                   **graph_messages.render_folder(mbx, f))
        return 200, obj, {}

    def message_folder(self, mbx, p):
        return mbx.folder(p["fid"], "mail") if p.get("fid") else None

    def list_messages(self, req, mbx, p):
        folder = self.message_folder(mbx, p)
        items = (folder.items.values() if folder else
                 [i for i in mbx.items.values() if i.kind == "message"])
        rows = [(i, graph_messages.render(i)) for i in items]
        return 200, self.collection(req, "message", rows, graph_messages.KNOWN), {}

    def create_message(self, req, mbx, p):
        folder = self.message_folder(mbx, p) or mbx.folder("drafts", "mail")
        body = req.json()
        props = graph_messages.blank()
        props.update(graph_messages.check(body))
        item = mbx.add_item("message", folder, props)
        try:
            item.set_ext(body.get("singleValueExtendedProperties"), "message")
        except GraphError:
            mbx.remove(item)
            raise
        self.srv.store_changed()
        return self.one(req, "message", item, graph_messages.render(item),
                        graph_messages.KNOWN, 201)

    def get_message(self, req, mbx, p):
        item = mbx.item(p["id"], "message", self.message_folder(mbx, p))
        return self.one(req, "message", item, graph_messages.render(item), graph_messages.KNOWN)

    def update_message(self, req, mbx, p):
        item = mbx.item(p["id"], "message", self.message_folder(mbx, p))
        body = req.json()
        changes = graph_messages.check(body)
        if_match(req, item)
        item.set_ext(body.get("singleValueExtendedProperties"), "message")
        item.props.update(changes)
        item.touch()
        self.srv.store_changed()
        return self.one(req, "message", item, graph_messages.render(item), graph_messages.KNOWN)

    def delete_message(self, req, mbx, p):
        item = mbx.item(p["id"], "message", self.message_folder(mbx, p))
        if_match(req, item)
        mbx.remove(item)
        self.srv.store_changed()
        return 204, None, {}


def calendar_json(mbx):
    cal = mbx.default("calendar")
    return {"id": cal.id, "name": cal.name, "color": "auto", "isDefaultCalendar": True,
            "changeKey": "", "canShare": True, "canViewPrivateItems": True, "canEdit": True,
            "owner": {"name": mbx.display_name, "address": mbx.upn}}


def delta_page(req, entity, value, nxt, delta):
    out = {"@odata.context": "%s/v1.0/$metadata#Collection(%s)" % (req.base, entity)}
    if nxt:
        out["@odata.nextLink"] = nxt
    if delta:
        out["@odata.deltaLink"] = delta
    out["value"] = value
    return out


def applied_header(applied):
    return {"Preference-Applied": applied} if applied else {}


def folder_name(body, extra=frozenset()):
    if not isinstance(body, dict) or not isinstance(body.get("displayName"), str) \
            or not body["displayName"].strip():
        raise GraphError(400, "ErrorInvalidRequest", "A folder needs a displayName.")
    unknown = set(body) - {"displayName", "@odata.type"} - set(extra)
    if unknown:
        raise GraphError(400, "RequestBodyRead",
                         "The property '%s' does not exist on type "
                         "'Microsoft.OutlookServices.Folder'." % sorted(unknown)[0])
    return body["displayName"].strip()


def folder_exists():
    return GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")


def order_by(rows, text, known, entity):
    m = re.fullmatch(r"\s*([A-Za-z/]+)(?:\s+(asc|desc))?\s*", text, re.I)
    if not m:
        raise bad_request("The fake sorts by one property: $orderby=NAME [asc|desc].")
    path = m.group(1).split("/")
    if path[0] not in known:
        raise GraphError(400, "RequestBroker--ParseUri",
                         "Could not find a property named '%s' on type 'microsoft.graph.%s'."
                         % (path[0], entity))

    def value(row):
        v = row[1]
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
        return (v is None, str(v).casefold() if v is not None else "")

    return sorted(rows, key=value, reverse=(m.group(2) or "").lower() == "desc")

