# graph_contacts.py - the contact resource of the Graph fake: its fields, checks, JSON.
"""The contact resource as /graph/api/resources/contact documents it (v1.0). The
store keeps a contact as Graph-native JSON of its writable properties; this
module checks what a client writes (unknown properties: 400 RequestBodyRead, as
Graph answers) and renders the full resource, every property present (null, []
or {} when unset), as Graph does."""

import datetime

from graph_odata import GraphError, bad_value, unknown_property

ENTITY = "Contact"
STRINGS = ["assistantName", "businessHomePage", "companyName", "department", "displayName",
           "fileAs", "generation", "givenName", "initials", "jobTitle", "manager",
           "middleName", "mobilePhone", "nickName", "officeLocation", "personalNotes",
           "profession", "spouseName", "surname", "title", "yomiCompanyName",
           "yomiGivenName", "yomiSurname"]
STRING_LISTS = ["businessPhones", "homePhones", "imAddresses", "children", "categories"]
ADDRESSES = ["businessAddress", "homeAddress", "otherAddress"]
ADDRESS_FIELDS = ["street", "city", "state", "countryOrRegion", "postalCode"]
WRITABLE = set(STRINGS) | set(STRING_LISTS) | set(ADDRESSES) | {"emailAddresses", "birthday"}
# Read-only properties a client may send back (a GET's JSON): ignored, as Graph does.
READ_ONLY = {"id", "changeKey", "createdDateTime", "lastModifiedDateTime", "parentFolderId",
             "@odata.etag", "@odata.context", "@odata.type"}
# The order of the documented JSON representation.
ORDER = ["assistantName", "birthday", "businessAddress", "businessHomePage", "businessPhones",
         "categories", "changeKey", "children", "companyName", "createdDateTime", "department",
         "displayName", "emailAddresses", "fileAs", "generation", "givenName", "homeAddress",
         "homePhones", "id", "imAddresses", "initials", "jobTitle", "lastModifiedDateTime",
         "manager", "middleName", "mobilePhone", "nickName", "officeLocation", "otherAddress",
         "parentFolderId", "personalNotes", "profession", "spouseName", "surname", "title",
         "yomiCompanyName", "yomiGivenName", "yomiSurname"]
KNOWN = set(ORDER) | {"singleValueExtendedProperties"}
# Exchange keeps three e-mail addresses (EmailAddress1..3) and two business and two
# home phones (BusinessPhone, BusinessPhone2, HomePhone, HomePhone2).
LIMITS = {"emailAddresses": 3, "businessPhones": 2, "homePhones": 2}


def _string(name, v):
    if v is not None and not isinstance(v, str):
        raise bad_value(name, ENTITY, "a string or null is expected")
    return v or None


def _strings(name, v):
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise bad_value(name, ENTITY, "a collection of strings is expected")
    return list(v)


def _address(name, v):
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise bad_value(name, ENTITY, "a physicalAddress object is expected")
    out = {}
    for k, x in v.items():
        if k == "@odata.type":
            continue
        if k not in ADDRESS_FIELDS:
            raise GraphError(400, "RequestBodyRead",
                             "The property '%s' does not exist on type "
                             "'Microsoft.OutlookServices.PhysicalAddress'." % k)
        if x is not None and not isinstance(x, str):
            raise bad_value("%s.%s" % (name, k), ENTITY, "a string or null is expected")
        if x:
            out[k] = x
    return out


def _emails(v):
    if v is None:
        return []
    if not isinstance(v, list):
        raise bad_value("emailAddresses", ENTITY, "a collection of emailAddress is expected")
    out = []
    for e in v:
        if not isinstance(e, dict) or set(e) - {"name", "address", "@odata.type"}:
            raise bad_value("emailAddresses", ENTITY, "each entry is {name, address}")
        addr, name = e.get("address"), e.get("name")
        if not isinstance(addr, str) or (name is not None and not isinstance(name, str)):
            raise bad_value("emailAddresses", ENTITY, "address and name are strings")
        # Exchange stores a display name with every address: the address itself
        # when the client gives none.
        out.append({"name": name or addr, "address": addr})
    return out


def _birthday(v):
    if v is None:
        return None
    if not isinstance(v, str):
        raise bad_value("birthday", ENTITY, "a DateTimeOffset string is expected")
    try:
        dt = datetime.datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise bad_value("birthday", ENTITY, "'%s' is not a DateTimeOffset" % v) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check(body, creating):
    """The writable properties of a POST or PATCH body, checked and normalized
    ({property: value}); extended properties are returned apart, unparsed."""
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The body must be a contact object.")
    out = {}
    for k, v in body.items():
        if k in READ_ONLY:
            if k == "@odata.type" and v not in ("#microsoft.graph.contact",
                                                "microsoft.graph.contact"):
                raise bad_value(k, ENTITY, "not a contact")
            continue
        if k == "singleValueExtendedProperties":
            continue
        if k not in WRITABLE:
            raise unknown_property(k, ENTITY)
        if k in STRINGS:
            out[k] = _string(k, v)
        elif k in STRING_LISTS:
            out[k] = _strings(k, v)
        elif k in ADDRESSES:
            out[k] = _address(k, v)
        elif k == "emailAddresses":
            out[k] = _emails(v)
        else:
            out[k] = _birthday(v)
        if k in LIMITS and len(out[k]) > LIMITS[k]:
            raise GraphError(400, "ErrorInvalidArgument",
                             "A contact holds at most %d %s." % (LIMITS[k], k))
    if creating and not out.get("displayName"):
        # Exchange makes the display name of a new contact from its name parts.
        parts = [out.get(k) for k in ("givenName", "middleName", "surname", "generation")]
        name = " ".join(p for p in parts if p)
        if name:
            out["displayName"] = name
    return out


def blank():
    """A contact's stored properties before any write."""
    props = {k: None for k in STRINGS}
    props.update({k: [] for k in STRING_LISTS})
    props.update({k: {} for k in ADDRESSES})
    props.update(emailAddresses=[], birthday=None)
    return props


def render(item):
    """The full contact JSON of a stored item (see graph_store.Item)."""
    props = item.props
    out = {"@odata.etag": 'W/"%s"' % item.change_key}
    meta = {"id": item.id, "changeKey": item.change_key,
            "createdDateTime": item.created, "lastModifiedDateTime": item.modified,
            "parentFolderId": item.folder}
    for k in ORDER:
        out[k] = meta[k] if k in meta else props.get(k)
    return out
