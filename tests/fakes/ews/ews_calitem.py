# ews_calitem.py - CalendarItem and Message XML of the fake EWS server (both directions).
"""t:CalendarItem and t:Message to and from EWS-native JSON, in schema order.

CalendarItem props (keys are EWS element names): Subject, Body, Sensitivity,
Categories, Importance, ExtendedProperties, UID, Start, End (UTC), IsAllDayEvent,
LegacyFreeBusyStatus, Location, When, Organizer {Name, EmailAddress},
RequiredAttendees/OptionalAttendees/Resources [{Name, EmailAddress, ResponseType}],
Recurrence {Pattern {Type, ...}, Range {Type, ...}}, StartTimeZone, EndTimeZone,
MeetingTimeZone (Windows zone names), IsCancelled. Message props: Subject, Body, ...,
ItemClass and IsRead ("true"/"false"; absent means unread, as a new message is).

A "view" says how one calendar entry is shown: a single item, a recurring master, one
occurrence of a master (its props, at its own start) or an exception.
"""

import re

import ews_calendar
from ews_xml import (
    ITEM_ORDER, READ_ONLY, LIST_PROPS, EwsError, attr, esc, ext_property_xml, find_ext,
    local, parse_ext_property, schema_error, text_of, T)
from ews_store import ext_key

FOLDER_CK = "AQAAABYAAAAAAAAAAAAAAAAAAAAAAA=="
CALENDAR_ORDER = [
    "UID", "RecurrenceId", "DateTimeStamp", "Start", "End", "OriginalStart",
    "IsAllDayEvent", "LegacyFreeBusyStatus", "Location", "When", "IsMeeting",
    "IsCancelled", "IsRecurring", "MeetingRequestWasSent", "IsResponseRequested",
    "CalendarItemType", "MyResponseType", "Organizer", "RequiredAttendees",
    "OptionalAttendees", "Resources", "ConflictingMeetingCount", "AdjacentMeetingCount",
    "ConflictingMeetings", "AdjacentMeetings", "Duration", "TimeZone",
    "AppointmentReplyTime", "AppointmentSequenceNumber", "AppointmentState", "Recurrence",
    "FirstOccurrence", "LastOccurrence", "ModifiedOccurrences", "DeletedOccurrences",
    "MeetingTimeZone", "StartTimeZone", "EndTimeZone", "ConferenceType",
    "AllowNewTimeProposal", "IsOnlineMeeting", "MeetingWorkspaceUrl", "NetShowUrl",
    "EnhancedLocation", "StartWallClock", "EndWallClock", "StartTimeZoneId",
    "EndTimeZoneId", "IntendedFreeBusyStatus", "JoinOnlineMeetingUrl",
    "OnlineMeetingSettings", "IsOrganizer", "CalendarActivityData", "DoNotForwardMeeting",
]
MESSAGE_ORDER = [
    "Sender", "ToRecipients", "CcRecipients", "BccRecipients", "IsReadReceiptRequested",
    "IsDeliveryReceiptRequested", "ConversationIndex", "ConversationTopic", "From",
    "InternetMessageId", "IsRead", "IsResponseRequested", "References", "ReplyTo",
    "ReceivedBy", "ReceivedRepresenting", "ApprovalRequestData", "VotingInformation",
    "ReminderMessageData",
]
ITEM_WRITABLE = {"Subject", "Sensitivity", "Body", "Categories", "Importance",
                 "ExtendedProperty"}
CAL_WRITABLE = {"UID", "Start", "End", "IsAllDayEvent", "LegacyFreeBusyStatus", "Location",
                "When", "RequiredAttendees", "OptionalAttendees", "Resources", "Recurrence",
                "MeetingTimeZone", "StartTimeZone", "EndTimeZone"}
CAL_READ_ONLY = {"RecurrenceId", "DateTimeStamp", "OriginalStart", "IsMeeting", "IsCancelled",
                 "IsRecurring", "MeetingRequestWasSent", "CalendarItemType", "MyResponseType",
                 "Organizer", "ConflictingMeetingCount", "AdjacentMeetingCount",
                 "ConflictingMeetings", "AdjacentMeetings", "Duration", "TimeZone",
                 "AppointmentReplyTime", "AppointmentSequenceNumber", "AppointmentState",
                 "FirstOccurrence", "LastOccurrence", "ModifiedOccurrences",
                 "DeletedOccurrences", "IsOnlineMeeting", "IsOrganizer", "StartWallClock",
                 "EndWallClock"}
MSG_WRITABLE = {"ItemClass", "IsRead"}
ATTENDEE_LISTS = ("RequiredAttendees", "OptionalAttendees", "Resources")
ENUMS = {
    "Sensitivity": {"Normal", "Personal", "Private", "Confidential"},
    "Importance": {"Low", "Normal", "High"},
    "LegacyFreeBusyStatus": {"Free", "Tentative", "Busy", "OOF", "WorkingElsewhere", "NoData"},
    "ResponseType": {"Unknown", "Organizer", "Tentative", "Accept", "Decline",
                     "NoResponseReceived"},
}
BOOLS = {"IsAllDayEvent", "IsRead", "IsCancelled"}
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?"
                         r"(Z|[+-]\d{2}:\d{2})?$")
# What a Default/AllProperties shape returns on calendar items and messages.
CAL_DEFAULT = set(CALENDAR_ORDER[:CALENDAR_ORDER.index("ConferenceType")]) - {
    "TimeZone", "ConflictingMeetings", "AdjacentMeetings", "ConflictingMeetingCount",
    "AdjacentMeetingCount", "AppointmentReplyTime", "MeetingTimeZone"}
MSG_DEFAULT = {"IsRead", "ConversationTopic", "IsReadReceiptRequested",
               "IsDeliveryReceiptRequested"}


# ---- XML -> props ---------------------------------------------------------------------
def _mailbox(el):
    mb = el.find(T + "Mailbox")
    if mb is None:
        raise schema_error("%s needs a Mailbox" % local(el))
    out = {}
    for k in ("Name", "EmailAddress"):
        c = mb.find(T + k)
        if c is not None and text_of(c):
            out[k] = text_of(c)
    return out


def _attendees(el):
    out = []
    for a in el:
        if a.tag != T + "Attendee":
            raise schema_error("unexpected %s in %s" % (a.tag, local(el)))
        entry = _mailbox(a)
        rt = a.find(T + "ResponseType")
        if rt is not None:
            if text_of(rt) not in ENUMS["ResponseType"]:
                raise schema_error("bad ResponseType %r" % text_of(rt))
            entry["ResponseType"] = text_of(rt)
        out.append(entry)
    return out


def _recurrence(el):
    kids = list(el)
    if len(kids) != 2:
        raise EwsError("ErrorCalendarInvalidRecurrence",
                       "Recurrence needs one pattern and one range.")
    out = {}
    for key, child, names in (("Pattern", kids[0], ews_calendar.PATTERN_FIELDS),
                              ("Range", kids[1], ews_calendar.RANGES)):
        kind = local(child)
        if kind not in names:
            raise schema_error("unexpected %s in Recurrence" % child.tag)
        d = {"Type": kind}
        for f in child:
            if local(f) not in names[kind]:
                raise schema_error("unexpected %s in %s" % (f.tag, kind))
            d[local(f)] = text_of(f).strip()
        out[key] = d
    try:
        ews_calendar.check_recurrence(out)
    except ews_calendar.CalendarError as e:
        raise EwsError(e.code, e.text) from None
    return out


def parse_item(el):
    """(kind, props) of a t:CalendarItem or t:Message (contacts: ews_xml.parse_contact)."""
    kind = local(el)
    if el.tag != T + kind or kind not in ("CalendarItem", "Message"):
        raise EwsError("ErrorInvalidOperation",
                       "The fake stores contacts, calendar items and messages only.")
    order = ITEM_ORDER + (CALENDAR_ORDER if kind == "CalendarItem" else MESSAGE_ORDER)
    writable = ITEM_WRITABLE | (CAL_WRITABLE if kind == "CalendarItem" else MSG_WRITABLE)
    read_only = (READ_ONLY & set(ITEM_ORDER)) | (CAL_READ_ONLY if kind == "CalendarItem"
                                                 else set())
    props, last = {}, -1
    for child in el:
        name = local(child)
        if child.tag != T + name or name not in order:
            raise schema_error("unexpected element %s in %s" % (child.tag, kind))
        pos = order.index(name)
        if pos < last or (pos == last and name != "ExtendedProperty"):
            raise schema_error("element %s is out of schema order in %s" % (name, kind))
        last = pos
        if name in read_only:
            raise EwsError("ErrorInvalidPropertySet",
                           "Set action is invalid for property. (%s)" % name)
        if name not in writable:
            continue  # accepted by Exchange, not modelled (ReminderIsSet, Culture, ...)
        if name == "ExtendedProperty":
            props.setdefault("ExtendedProperties", []).append(parse_ext_property(child))
        elif name in LIST_PROPS:
            props[name] = [text_of(s) for s in child.findall(T + "String")]
        elif name == "Body":
            btype = child.get("BodyType")
            if btype not in ("Text", "HTML"):
                raise schema_error("Body needs BodyType Text or HTML")
            props["Body"] = text_of(child) if btype == "Text" else {
                "BodyType": "HTML", "Value": text_of(child)}
        elif name in ATTENDEE_LISTS:
            props[name] = _attendees(child)
        elif name == "Recurrence":
            props[name] = _recurrence(child)
        elif name in ("StartTimeZone", "EndTimeZone"):
            props[name] = child.get("Id") or child.get("Name") or "UTC"
        elif name == "MeetingTimeZone":
            props[name] = child.get("TimeZoneName") or "UTC"
        else:
            v = text_of(child).strip() if name != "Subject" else text_of(child)
            if name in ENUMS and v not in ENUMS[name]:
                raise schema_error("invalid value %r for %s" % (v, name))
            if name in BOOLS:
                if v not in ("true", "false", "1", "0"):
                    raise schema_error("invalid boolean %r for %s" % (v, name))
                v = "true" if v in ("true", "1") else "false"
            if name in ("Start", "End") and not DATETIME_RE.match(v):
                raise schema_error("value %r of %s is not an xs:dateTime" % (v, name))
            props[name] = v
    return kind, props


# ---- props -> XML ---------------------------------------------------------------------
def body_xml(props, body_type):
    b = props.get("Body")
    if b is None:
        return ""
    stored_type, value = ("HTML", b["Value"]) if isinstance(b, dict) else ("Text", b)
    out_type = stored_type if body_type == "Best" else body_type
    if out_type == "HTML" and stored_type == "Text":
        value = "<html><body>%s</body></html>" % esc(value).replace("\n", "<br>")
    elif out_type == "Text" and stored_type == "HTML":
        value = re.sub(r"<[^>]*>", "", value)
    return '<t:Body BodyType="%s" IsTruncated="false">%s</t:Body>' % (out_type, esc(value))


def item_fixed(store, smtp, item, p, item_class):
    """Values of the ItemType properties the store computes."""
    created = item["created"]
    return {
        "ItemId": '<t:ItemId Id="%s" ChangeKey="%s"/>' % (item["id"], item["change_key"]),
        "ParentFolderId": '<t:ParentFolderId Id="%s" ChangeKey="%s"/>' % (
            store.folder_id(smtp, item["folder"]), FOLDER_CK),
        "ItemClass": item_class, "Subject": p.get("Subject"),
        "Sensitivity": p.get("Sensitivity", "Normal"),
        "DateTimeReceived": created, "Size": str(200 + len(repr(p))),
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
        "LastModifiedName": smtp.split("@")[0], "LastModifiedTime": item["modified"],
        "IsAssociated": "false",
    }


def _mailbox_xml(d):
    return ("<t:Mailbox>%s%s<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox"
            "</t:MailboxType></t:Mailbox>"
            % ("<t:Name>%s</t:Name>" % esc(d["Name"]) if d.get("Name") else "",
               "<t:EmailAddress>%s</t:EmailAddress>" % esc(d["EmailAddress"])
               if d.get("EmailAddress") else ""))


def _occ_info(tag, occ_id, ck, start, end, orig):
    return ('<t:%s><t:ItemId Id="%s" ChangeKey="%s"/><t:Start>%s</t:Start><t:End>%s</t:End>'
            '<t:OriginalStart>%s</t:OriginalStart></t:%s>' % (tag, occ_id, ck, start, end,
                                                              orig, tag))


def _recurrence_xml(rec):
    out = []
    for key, names in (("Pattern", ews_calendar.PATTERN_FIELDS),
                       ("Range", ews_calendar.RANGES)):
        d = rec[key]
        inner = "".join("<t:%s>%s</t:%s>" % (f, esc(d[f]), f)
                        for f in names[d["Type"]] if f in d)
        out.append("<t:%s>%s</t:%s>" % (d["Type"], inner, d["Type"]))
    return "<t:Recurrence>%s</t:Recurrence>" % "".join(out)


def series_info(store, item):
    """(first, last, modified) OccurrenceInfo XML of a master; deleted ones skipped."""
    p = item["props"]
    until = None
    if p["Recurrence"]["Range"]["Type"] == "NoEndRecurrence":
        until = ews_calendar.parse_dt(p["Start"]).replace(year=9999)
    deleted = set(item.get("deleted") or [])
    exc = item.get("exceptions") or {}
    first = last = None
    for n, (_i, s, e) in enumerate(ews_calendar.occurrences(p, until)):
        orig = ews_calendar.fmt(s)
        if orig in deleted:
            continue
        if orig in exc:
            x = exc[orig]
            info = ("Occurrence", x["id"], x["change_key"], x["props"]["Start"],
                    x["props"]["End"], orig)
        else:
            info = ("Occurrence", store.occurrence_id(item["id"], orig), item["change_key"],
                    orig, ews_calendar.fmt(e), orig)
        first = first or info
        last = info
        if until is not None:
            break
    mods = "".join(_occ_info("Occurrence", x["id"], x["change_key"], x["props"]["Start"],
                             x["props"]["End"], orig) for orig, x in sorted(exc.items()))
    return (_occ_info("FirstOccurrence", *first[1:]) if first else "",
            _occ_info("LastOccurrence", *last[1:]) if last and until is None else "",
            "<t:ModifiedOccurrences>%s</t:ModifiedOccurrences>" % mods if mods else "")


def wants(shape, name, find, default_set):
    if name == "ItemId" or name in shape.fields:
        return True
    if shape.base == "IdOnly" or (find and name == "Body"):
        return False
    from ews_ops import ALL_ITEM  # the ItemType properties Default returns
    return name in ALL_ITEM or name in default_set


def render(store, smtp, item, shape, find=False, view=None):
    """<t:CalendarItem> or <t:Message> of an item. view: None (the item itself), or
    {"type": "Occurrence"|"Exception", "props", "id", "change_key", "original_start",
    "created", "modified"} for one entry of a series (item is then the master)."""
    kind = item.get("kind")
    shown = dict(item, **{k: view[k] for k in ("id", "change_key", "created", "modified")}) \
        if view else item
    p = view["props"] if view else item["props"]
    if kind == "CalendarItem":
        ctype = view["type"] if view else ("RecurringMaster" if p.get("Recurrence")
                                           else "Single")
        fixed = item_fixed(store, smtp, shown, p, "IPM.Appointment")
        fixed.update(_calendar_values(store, smtp, item, p, ctype, view))
        order, default_set = ITEM_ORDER + CALENDAR_ORDER, CAL_DEFAULT
    else:
        fixed = item_fixed(store, smtp, shown, p, p.get("ItemClass", "IPM.Note"))
        fixed.update({"IsRead": p.get("IsRead", "false"), "ConversationTopic": p.get("Subject"),
                      "IsReadReceiptRequested": "false",
                      "IsDeliveryReceiptRequested": "false"})
        order, default_set = ITEM_ORDER + MESSAGE_ORDER, MSG_DEFAULT
    out = []
    for name in order:
        if name == "ExtendedProperty":
            for uri in shape.ext:
                stored = find_ext(p, ext_key(uri))
                if stored is not None:
                    out.append(ext_property_xml(uri, stored))
            continue
        if not wants(shape, name, find, default_set):
            continue
        if name == "Body":
            out.append(body_xml(p, shape.body_type))
        elif name in LIST_PROPS:
            if p.get(name):
                out.append("<t:%s>%s</t:%s>" % (name, "".join(
                    "<t:String>%s</t:String>" % esc(s) for s in p[name]), name))
        else:
            v = fixed.get(name)
            if v is None or v == "":
                continue
            out.append(v if v.startswith("<t:") else "<t:%s>%s</t:%s>" % (name, esc(v), name))
    return "<t:%s>%s</t:%s>" % (kind, "".join(out), kind)


def _calendar_values(store, smtp, item, p, ctype, view):
    """Computed and stored CalendarItem values, as text or ready XML (<t:...>)."""
    v = {k: p.get(k) for k in ("UID", "Start", "End", "Location", "When")}
    attendees = any(p.get(k) for k in ATTENDEE_LISTS)
    zone_id = p.get("StartTimeZone") or p.get("MeetingTimeZone") or "UTC"
    end_zone = p.get("EndTimeZone") or zone_id
    v.update({
        "UID": item["props"].get("UID"),
        "DateTimeStamp": item["created"],
        "IsAllDayEvent": p.get("IsAllDayEvent", "false"),
        "LegacyFreeBusyStatus": p.get("LegacyFreeBusyStatus", "Busy"),
        "IsMeeting": "true" if attendees else "false",
        "IsCancelled": p.get("IsCancelled", "false"),
        # Exchange reports IsRecurring only on the members of a series.
        "IsRecurring": "true" if ctype in ("Occurrence", "Exception") else "false",
        "MeetingRequestWasSent": "false", "IsResponseRequested": "true" if attendees else None,
        "CalendarItemType": ctype, "MyResponseType": "Organizer",
        "Organizer": "<t:Organizer>%s</t:Organizer>" % _mailbox_xml(
            p.get("Organizer") or {"Name": smtp.split("@")[0], "EmailAddress": smtp}),
        "Duration": ews_calendar.duration(p["Start"], p["End"]) if p.get("Start")
        and p.get("End") else None,
        "AppointmentSequenceNumber": "0", "AppointmentState": "1" if attendees else "0",
        "MeetingTimeZone": '<t:MeetingTimeZone TimeZoneName="%s"/>' % attr(zone_id),
        "StartTimeZone": '<t:StartTimeZone Id="%s" Name="%s"/>' % (attr(zone_id),
                                                                    attr(zone_id)),
        "EndTimeZone": '<t:EndTimeZone Id="%s" Name="%s"/>' % (attr(end_zone), attr(end_zone)),
    })
    for k in ATTENDEE_LISTS:
        if p.get(k):
            v[k] = "<t:%s>%s</t:%s>" % (k, "".join(
                "<t:Attendee>%s<t:ResponseType>%s</t:ResponseType></t:Attendee>"
                % (_mailbox_xml(a), a.get("ResponseType", "Unknown")) for a in p[k]), k)
    if view:
        v["RecurrenceId"] = v["OriginalStart"] = view["original_start"]
    if ctype == "RecurringMaster":
        v["Recurrence"] = _recurrence_xml(p["Recurrence"])
        v["FirstOccurrence"], v["LastOccurrence"], v["ModifiedOccurrences"] = \
            series_info(store, item)
        if item.get("deleted"):
            v["DeletedOccurrences"] = "<t:DeletedOccurrences>%s</t:DeletedOccurrences>" % "".join(
                "<t:DeletedOccurrence><t:Start>%s</t:Start></t:DeletedOccurrence>" % d
                for d in item["deleted"])
    return v
