# ews_xml.py - EWS XML for the fake server: envelopes, faults, contacts to and from XML.
"""XML helpers shared by the fake EWS operations.

Output is written as text (so element order and prefixes are exactly Exchange's:
s: soap, m: messages, t: types); input is parsed with xml.etree.ElementTree, which
never fetches external entities.
"""

from ews_store import URI_ATTRS, PR_DISPLAY_NAME_PREFIX, ext_key

NS_S = "http://schemas.xmlsoap.org/soap/envelope/"
NS_M = "http://schemas.microsoft.com/exchange/services/2006/messages"
NS_T = "http://schemas.microsoft.com/exchange/services/2006/types"
NS_E = "http://schemas.microsoft.com/exchange/services/2006/errors"
S = "{%s}" % NS_S
M = "{%s}" % NS_M
T = "{%s}" % NS_T

SERVER_VERSION = ('<h:ServerVersionInfo MajorVersion="15" MinorVersion="1" '
                  'MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11" '
                  'xmlns:h="%s" xmlns="%s" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xmlns:xsd="http://www.w3.org/2001/XMLSchema"/>' % (NS_T, NS_T))

MESSAGES = {
    "ErrorItemNotFound": "The specified object was not found in the store., "
                         "The process failed to get the correct properties.",
    "ErrorFolderNotFound": "The specified folder could not be found in the store.",
    "ErrorInvalidSyncStateData": "Synchronization state data is corrupt or otherwise invalid.",
    "ErrorIrresolvableConflict": "The send or update operation could not be performed "
                                 "because the change key passed in the request does not "
                                 "match the current change key for the item., Cannot save "
                                 "changes made to an item to store.",
    "ErrorImpersonateUserDenied": "The account does not have permission to impersonate "
                                  "the requested user.",
    "ErrorNonExistentMailbox": "The SMTP address has no mailbox associated with it.",
    "ErrorServerBusy": "The server cannot service this request right now. Try again later.",
    "ErrorInvalidIdMalformed": "Id is malformed.",
    "ErrorAccessDenied": "Access is denied. Check credentials and try again.",
    "ErrorInvalidPropertySet": "Set action is invalid for property.",
    "ErrorInvalidPropertyDelete": "Delete action is invalid for property.",
    "ErrorInvalidRequest": "The request is invalid.",
    "ErrorSchemaValidation": "The request failed schema validation.",
    "ErrorInvalidOperation": "The operation is invalid.",
    "ErrorChangeKeyRequiredForWriteOperations": "ChangeKey is required for this operation.",
}

# Schema order of the ItemType and ContactItemType children (types.xsd, Exchange2016).
ITEM_ORDER = [
    "MimeContent", "ItemId", "ParentFolderId", "ItemClass", "Subject", "Sensitivity",
    "Body", "Attachments", "DateTimeReceived", "Size", "Categories", "Importance",
    "InReplyTo", "IsSubmitted", "IsDraft", "IsFromMe", "IsResend", "IsUnmodified",
    "InternetMessageHeaders", "DateTimeSent", "DateTimeCreated", "ResponseObjects",
    "ReminderDueBy", "ReminderIsSet", "ReminderNextTime", "ReminderMinutesBeforeStart",
    "DisplayCc", "DisplayTo", "HasAttachments", "ExtendedProperty", "Culture",
    "EffectiveRights", "LastModifiedName", "LastModifiedTime", "IsAssociated",
    "WebClientReadFormQueryString", "WebClientEditFormQueryString", "ConversationId",
    "UniqueBody", "Flag", "StoreEntryId", "InstanceKey", "NormalizedBody",
    "EntityExtractionResult", "PolicyTag", "ArchiveTag", "RetentionDate", "Preview",
    "RightsManagementLicenseData", "PredictedActionReasons", "IsClutter", "BlockStatus",
    "HasBlockedImages", "TextBody", "IconIndex", "SearchKey", "SortKey", "Hashtags",
    "Mentions", "MentionedMe", "MentionsPreview", "MentionsEx", "AppliedHashtags",
    "AppliedHashtagsPreview", "Likes", "LikesPreview", "PendingSocialActivityTagIds",
    "AtAllMention", "CanDelete", "InferenceClassification",
]
CONTACT_ORDER = [
    "FileAs", "FileAsMapping", "DisplayName", "GivenName", "Initials", "MiddleName",
    "Nickname", "CompleteName", "CompanyName", "EmailAddresses", "AbchEmailAddresses",
    "PhysicalAddresses", "PhoneNumbers", "AssistantName", "Birthday", "BusinessHomePage",
    "Children", "Companies", "ContactSource", "Department", "Generation", "ImAddresses",
    "JobTitle", "Manager", "Mileage", "OfficeLocation", "PostalAddressIndex", "Profession",
    "SpouseName", "Surname", "WeddingAnniversary", "HasPicture", "PhoneticFullName",
    "PhoneticFirstName", "PhoneticLastName", "Alias", "Notes", "Photo",
    "UserSMIMECertificate", "MSExchangeCertificate", "DirectoryId", "ManagerMailbox",
    "DirectReports",
]
SCHEMA_ORDER = ITEM_ORDER + CONTACT_ORDER
# Properties a client may write on a contact (the rest are computed or not modelled).
WRITABLE = {
    "Subject", "Sensitivity", "Body", "Categories", "Importance", "FileAs",
    "FileAsMapping", "DisplayName", "GivenName", "Initials", "MiddleName", "Nickname",
    "CompanyName", "EmailAddresses", "PhysicalAddresses", "PhoneNumbers", "AssistantName",
    "Birthday", "BusinessHomePage", "Children", "Companies", "Department", "Generation",
    "ImAddresses", "JobTitle", "Manager", "Mileage", "OfficeLocation",
    "PostalAddressIndex", "Profession", "SpouseName", "Surname", "WeddingAnniversary",
    "ExtendedProperty",
}
# Read-only in the schema: setting them fails like on Exchange (ErrorInvalidPropertySet).
READ_ONLY = {
    "ItemId", "ParentFolderId", "DateTimeReceived", "Size", "IsSubmitted", "IsDraft",
    "IsFromMe", "IsResend", "IsUnmodified", "DateTimeSent", "DateTimeCreated",
    "ResponseObjects", "DisplayCc", "DisplayTo", "HasAttachments", "EffectiveRights",
    "LastModifiedName", "LastModifiedTime", "IsAssociated", "WebClientReadFormQueryString",
    "WebClientEditFormQueryString", "ConversationId", "UniqueBody", "StoreEntryId",
    "InstanceKey", "NormalizedBody", "Preview", "TextBody", "CompleteName", "HasPicture",
    "Alias", "Notes", "Photo", "DirectoryId", "ManagerMailbox", "DirectReports",
    "ContactSource", "AbchEmailAddresses",
}
LIST_PROPS = {"Categories": "String", "Children": "String", "Companies": "String"}
INDEXED = {  # element -> (IndexedFieldURI name, valid keys)
    "EmailAddresses": ("contacts:EmailAddress",
                       {"EmailAddress1", "EmailAddress2", "EmailAddress3"}),
    "ImAddresses": ("contacts:ImAddress", {"ImAddress1", "ImAddress2", "ImAddress3"}),
    "PhoneNumbers": ("contacts:PhoneNumber", {
        "AssistantPhone", "BusinessFax", "BusinessPhone", "BusinessPhone2", "Callback",
        "CarPhone", "CompanyMainPhone", "HomeFax", "HomePhone", "HomePhone2", "Isdn",
        "MobilePhone", "OtherFax", "OtherTelephone", "Pager", "PrimaryPhone",
        "RadioPhone", "Telex", "TtyTddPhone"}),
    "PhysicalAddresses": ("contacts:PhysicalAddress", {"Business", "Home", "Other"}),
}
ADDRESS_PARTS = ["Street", "City", "State", "CountryOrRegion", "PostalCode"]
ENUMS = {
    "Sensitivity": {"Normal", "Personal", "Private", "Confidential"},
    "Importance": {"Low", "Normal", "High"},
    "PostalAddressIndex": {"Business", "Home", "Other", "None"},
}


class SoapFault(Exception):
    """A request-level failure: HTTP 500 (or other) with a SOAP fault body."""

    def __init__(self, code, text=None, status=500, message_xml=""):
        super().__init__(code)
        self.code = code
        self.text = text or MESSAGES.get(code, code)
        self.status = status
        self.message_xml = message_xml


class EwsError(Exception):
    """A failure of one response message (ResponseClass="Error")."""

    def __init__(self, code, text=None, message_xml=""):
        super().__init__(code)
        self.code = code
        self.text = text or MESSAGES.get(code, code)
        self.message_xml = message_xml


def esc(s):
    s = str(s)
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#xD;"))


def attr(s):
    return esc(s).replace('"', "&quot;").replace("\n", "&#xA;").replace("\t", "&#x9;")


def envelope(body):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<s:Envelope xmlns:s="%s"><s:Header>%s</s:Header>'
            '<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema">%s</s:Body></s:Envelope>'
            % (NS_S, SERVER_VERSION, body)).encode("utf-8")


def fault_body(f):
    detail = ('<e:ResponseCode xmlns:e="%s">%s</e:ResponseCode>'
              '<e:Message xmlns:e="%s">%s</e:Message>' % (NS_E, f.code, NS_E, esc(f.text)))
    if f.message_xml:
        detail += '<t:MessageXml xmlns:t="%s">%s</t:MessageXml>' % (NS_T, f.message_xml)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<s:Envelope xmlns:s="%s"><s:Body><s:Fault>'
            '<faultcode xmlns:a="%s">a:%s</faultcode>'
            '<faultstring xml:lang="en-US">%s</faultstring>'
            '<detail>%s</detail></s:Fault></s:Body></s:Envelope>'
            % (NS_S, NS_T, f.code, esc(f.text), detail)).encode("utf-8")


def response(op, messages):
    """<m:OpResponse> holding already-rendered response messages."""
    return ('<m:%sResponse xmlns:m="%s" xmlns:t="%s"><m:ResponseMessages>%s'
            '</m:ResponseMessages></m:%sResponse>' % (op, NS_M, NS_T, "".join(messages), op))


def ok_message(op, inner=""):
    return ('<m:%sResponseMessage ResponseClass="Success"><m:ResponseCode>NoError'
            '</m:ResponseCode>%s</m:%sResponseMessage>' % (op, inner, op))


def error_message(op, err, tail=""):
    mx = "<m:MessageXml>%s</m:MessageXml>" % err.message_xml if err.message_xml else ""
    return ('<m:%sResponseMessage ResponseClass="Error"><m:MessageText>%s</m:MessageText>'
            '<m:ResponseCode>%s</m:ResponseCode><m:DescriptiveLinkKey>0'
            '</m:DescriptiveLinkKey>%s%s</m:%sResponseMessage>'
            % (op, esc(err.text), err.code, mx, tail, op))


def local(el):
    return el.tag.rsplit("}", 1)[-1]


def text_of(el):
    return el.text or ""


def schema_error(what):
    return SoapFault("ErrorSchemaValidation",
                     "The request failed schema validation: %s" % what,
                     message_xml='<t:Violation>%s</t:Violation>' % esc(what))


# ---- contacts: XML -> EWS-native JSON -----------------------------------------
def ext_uri_attrs(uri_el):
    attrs = {k: uri_el.get(k) for k in URI_ATTRS if uri_el.get(k) is not None}
    if ext_key(attrs) is None or "PropertyType" not in attrs:
        raise schema_error("invalid ExtendedFieldURI %r" % attrs)
    return attrs


def parse_ext_property(el):
    uri = el.find(T + "ExtendedFieldURI")
    if uri is None:
        raise schema_error("ExtendedProperty without ExtendedFieldURI")
    entry = ext_uri_attrs(uri)
    val = el.find(T + "Value")
    vals = el.find(T + "Values")
    if val is not None:
        entry["Value"] = text_of(val)
    elif vals is not None:
        entry["Values"] = [text_of(v) for v in vals.findall(T + "Value")]
    else:
        raise schema_error("ExtendedProperty without Value")
    return entry


def parse_contact(el, check_order=True):
    """EWS-native props from a t:Contact element; checks schema order like Exchange."""
    props = {}
    last = -1
    for child in el:
        name = local(child)
        if child.tag != T + name or name not in SCHEMA_ORDER:
            raise schema_error("unexpected element %s in Contact" % child.tag)
        pos = SCHEMA_ORDER.index(name)
        if check_order and pos < last:
            raise schema_error("element %s is out of schema order in Contact" % name)
        if name != "ExtendedProperty" and pos == last:
            raise schema_error("element %s repeated in Contact" % name)
        last = pos
        if name in READ_ONLY:
            raise EwsError("ErrorInvalidPropertySet",
                           "Set action is invalid for property. (%s)" % name)
        if name not in WRITABLE:
            continue  # accepted by Exchange but not modelled (ReminderIsSet, Culture, ...)
        if name == "ExtendedProperty":
            props.setdefault("ExtendedProperties", []).append(parse_ext_property(child))
        elif name in LIST_PROPS:
            props[name] = [text_of(s) for s in child.findall(T + "String")]
        elif name in INDEXED:
            valid = INDEXED[name][1]
            d = {}
            for entry in child:
                key = entry.get("Key")
                if local(entry) != "Entry" or key not in valid or key in d:
                    raise schema_error("bad Entry Key %r in %s" % (key, name))
                if name == "PhysicalAddresses":
                    parts = {}
                    for part in entry:
                        p = local(part)
                        if p not in ADDRESS_PARTS or (parts and ADDRESS_PARTS.index(p)
                                                      <= ADDRESS_PARTS.index(list(parts)[-1])):
                            raise schema_error("bad or misordered %s in address" % p)
                        parts[p] = text_of(part)
                    d[key] = parts
                else:
                    d[key] = text_of(entry)
            props[name] = d
        elif name == "Body":
            btype = child.get("BodyType")
            if btype not in ("Text", "HTML"):
                raise schema_error("Body needs BodyType Text or HTML")
            props["Body"] = text_of(child) if btype == "Text" else {
                "BodyType": "HTML", "Value": text_of(child)}
        else:
            v = text_of(child)
            if name in ENUMS and v not in ENUMS[name]:
                raise schema_error("invalid value %r for %s" % (v, name))
            props[name] = v
    return props


# ---- contacts: EWS-native JSON -> XML ------------------------------------------
def uri_xml(attrs):
    parts = []
    for k in URI_ATTRS:
        if k in attrs:
            v = attrs[k]
            if k == "PropertyTag":
                v = "0x%x" % int(str(v), 0)
            parts.append('%s="%s"' % (k, attr(v)))
    return "<t:ExtendedFieldURI %s/>" % " ".join(parts)


def ext_property_xml(uri_attrs, stored):
    if "Values" in stored:
        val = "<t:Values>%s</t:Values>" % "".join(
            "<t:Value>%s</t:Value>" % esc(v) for v in stored["Values"])
    else:
        val = "<t:Value>%s</t:Value>" % esc(stored.get("Value", ""))
    return "<t:ExtendedProperty>%s%s</t:ExtendedProperty>" % (uri_xml(uri_attrs), val)


def find_ext(props, key):
    for e in props.get("ExtendedProperties", []):
        if ext_key(e) == key:
            return e
    return None


def complete_name(props):
    title = find_ext(props, "tag:0x%x" % PR_DISPLAY_NAME_PREFIX)
    parts = [("Title", title.get("Value") if title else None),
             ("FirstName", props.get("GivenName")), ("MiddleName", props.get("MiddleName")),
             ("LastName", props.get("Surname")), ("Suffix", props.get("Generation")),
             ("Initials", props.get("Initials"))]
    full = props.get("DisplayName") or " ".join(
        v for k, v in parts if v and k != "Initials")
    parts += [("FullName", full), ("Nickname", props.get("Nickname"))]
    inner = "".join("<t:%s>%s</t:%s>" % (k, esc(v), k) for k, v in parts if v)
    return "<t:CompleteName>%s</t:CompleteName>" % inner if inner else ""


def indexed_xml(name, d, only=None):
    out = []
    for key in sorted(d):
        if only is not None and key not in only:
            continue
        v = d[key]
        if name == "PhysicalAddresses":
            subs = only.get(key) if only is not None else None
            inner = "".join("<t:%s>%s</t:%s>" % (p, esc(v[p]), p) for p in ADDRESS_PARTS
                            if p in v and (subs is None or p in subs))
            out.append('<t:Entry Key="%s">%s</t:Entry>' % (key, inner))
        else:
            out.append('<t:Entry Key="%s">%s</t:Entry>' % (key, esc(v)))
    return "<t:%s>%s</t:%s>" % (name, "".join(out), name) if out else ""
