# graph_odata.py - Graph errors and the OData query options the fake understands.
"""Microsoft Graph's error shape, and the parts of OData the fake serves: the
Prefer header, $select, $top/$skip, $expand of singleValueExtendedProperties and a
$filter subset (comparisons, and/or/not, startswith, and lambda any() over
collections such as singleValueExtendedProperties or emailAddresses).

Errors are {"error": {"code", "message", "innerError": {"date", "request-id",
"client-request-id"}}}, as /graph/errors documents."""

import datetime
import re
import uuid

from fakeserver import CLOCK


class GraphError(Exception):
    """An HTTP error in Graph's JSON shape."""

    def __init__(self, status, code, message, headers=None, inner_code=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.inner_code = inner_code  # innerError.code, when Graph gives one

    def body(self, client_request_id=None, request_id=None):
        inner = {"date": CLOCK.now().strftime("%Y-%m-%dT%H:%M:%S"),
                 "request-id": request_id or str(uuid.uuid4()),
                 "client-request-id": client_request_id or str(uuid.uuid4())}
        if self.inner_code:
            inner["code"] = self.inner_code
        return {"error": {"code": self.code, "message": self.message, "innerError": inner}}


def bad_request(message, code="BadRequest"):
    return GraphError(400, code, message)


def not_found_item():
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def unknown_property(name, entity):
    return GraphError(400, "RequestBodyRead",
                      "The property '%s' does not exist on type 'Microsoft.OutlookServices.%s'."
                      " Make sure to only use property names that are defined by the type or"
                      " mark the type as open type." % (name, entity))


def bad_value(name, entity, why):
    return GraphError(400, "RequestBodyRead",
                      "Cannot convert the value of property '%s' of type "
                      "'Microsoft.OutlookServices.%s': %s" % (name, entity, why))


# ---- Prefer ---------------------------------------------------------------------
def parse_prefer(values):
    """{name (lower case): value or ""} of Prefer header values ('odata.maxpagesize=2,
    outlook.timezone="Pacific Standard Time"'); quotes are removed."""
    out = {}
    for value in values:
        for part in re.findall(r'(?:[^,"]|"[^"]*")+', value or ""):
            name, _, v = part.strip().partition("=")
            if name:
                v = v.strip()
                if len(v) >= 2 and v[0] == v[-1] == '"':
                    v = v[1:-1]
                out[name.strip().lower()] = v
    return out


# ---- $select ----------------------------------------------------------------------
def parse_select(text, known, entity):
    """The properties of $select (None: all), each checked against `known`."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    lower = {k.lower(): k for k in known}
    out = []
    for n in names:
        if n.lower() not in lower:
            raise GraphError(400, "RequestBroker--ParseUri",
                             "Could not find a property named '%s' on type 'microsoft.graph.%s'."
                             % (n, entity))
        out.append(lower[n.lower()])
    return out


def select(obj, names):
    """obj with only the selected properties (and the annotations and id kept)."""
    if names is None:
        return obj
    keep = set(names) | {"id"}
    return {k: v for k, v in obj.items() if k in keep or k.startswith("@odata.")}


def parse_count(query, name, default, maximum):
    """An integer query option ($top, $skip) within 0..maximum, or the default."""
    text = query.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,9}", text):
        raise bad_request("Invalid value '%s' for %s: an integer is expected." % (text, name))
    return min(int(text), maximum)


# ---- extended properties -------------------------------------------------------
EXT_TYPES = ["Binary", "Boolean", "Currency", "CLSID", "Double", "Integer", "Long",
             "Object", "Short", "String", "SystemTime"]
EXT_ID_RE = re.compile(
    r"^\s*(\w+)\s+(?:(\{[0-9A-Fa-f-]{36}\})\s+(Name|Id)\s+(.+?)|(0x[0-9A-Fa-f]{1,4}))\s*$")


def ext_key(prop_id):
    """The canonical form of an extended property id ('String {GUID} Name X',
    'String {GUID} Id 0x8005', 'String 0x3A45'): type and GUID in lower case,
    hex in lower case, the name as given (MAPI names are case-sensitive).
    GraphError 400 for an id that is none of these."""
    m = EXT_ID_RE.match(prop_id or "") if isinstance(prop_id, str) else None
    if not m or m.group(1).lower() not in [t.lower() for t in EXT_TYPES]:
        raise GraphError(400, "ErrorInvalidProperty",
                         "The extended property id '%s' is not valid." % (prop_id,))
    typ, guid, kind, name, tag = m.groups()
    if tag:
        return "%s %s" % (typ.lower(), tag.lower())
    if kind.lower() == "id":
        name = name.lower()
    return "%s %s %s %s" % (typ.lower(), guid.lower(), kind.lower(), name)


# ---- $filter ----------------------------------------------------------------------
TOKEN_RE = re.compile(r"""\s*(?:
    (?P<str>'(?:[^']|'')*')
  | (?P<dt>\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<punct>[(),:/])
  | (?P<word>[A-Za-z_@][\w.@]*)
)""", re.X)
COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}


def bad_filter(detail=""):
    return GraphError(400, "ErrorInvalidUrlQueryFilter",
                      "The query filter contains one or more invalid nodes." +
                      (" (%s)" % detail if detail else ""))


class Filter:
    """A parsed $filter: Filter(text).matches(item) with item a rendered resource
    (dict). Strings compare case-insensitively, as Exchange does."""

    def __init__(self, text):
        self.tokens = self._lex(text)
        self.pos = 0
        self.tree = self._or()
        if self.pos != len(self.tokens):
            raise bad_filter("unexpected '%s'" % self.tokens[self.pos][1])

    @staticmethod
    def _lex(text):
        out, pos = [], 0
        text = text.strip()
        while pos < len(text):
            m = TOKEN_RE.match(text, pos)
            if not m or m.end() == pos:
                raise bad_filter("cannot read '%s'" % text[pos:pos + 20])
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "str":
                value = value[1:-1].replace("''", "'")
            out.append((kind, value))
            pos = m.end()
        return out

    def _peek(self, kind=None, value=None):
        if self.pos >= len(self.tokens):
            return False
        k, v = self.tokens[self.pos]
        return (kind is None or k == kind) and (value is None or v.lower() == value)

    def _take(self, kind=None, value=None):
        if not self._peek(kind, value):
            raise bad_filter("expected %s" % (value or kind))
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def _or(self):
        node = self._and()
        while self._peek("word", "or"):
            self.pos += 1
            node = ("or", node, self._and())
        return node

    def _and(self):
        node = self._unary()
        while self._peek("word", "and"):
            self.pos += 1
            node = ("and", node, self._unary())
        return node

    def _unary(self):
        if self._peek("word", "not"):
            self.pos += 1
            return ("not", self._unary())
        if self._peek("punct", "("):
            self.pos += 1
            node = self._or()
            self._take("punct", ")")
            return node
        if self._peek("word", "startswith"):
            self.pos += 1
            self._take("punct", "(")
            path = self._path()
            self._take("punct", ",")
            lit = self._literal()
            self._take("punct", ")")
            return ("startswith", path, lit)
        path = self._path()
        if self._peek("punct", "/"):  # a lambda: path/any(v: ...)
            self.pos += 1
            fn = self._take("word").lower()
            if fn not in ("any", "all"):
                raise bad_filter("only any() and all() lambdas")
            self._take("punct", "(")
            var = self._take("word")
            self._take("punct", ":")
            body = self._or()
            self._take("punct", ")")
            return (fn, path, var, body)
        op = self._take("word").lower()
        if op not in COMPARE:
            raise bad_filter("unknown operator '%s'" % op)
        return ("cmp", op, path, self._literal())

    def _path(self):
        parts = [self._take("word")]
        # a/b/c, but not the '/' that starts a lambda (a/any(...))
        while (self._peek("punct", "/") and self.pos + 2 < len(self.tokens)
               and self.tokens[self.pos + 1][0] == "word"
               and self.tokens[self.pos + 1][1].lower() not in ("any", "all")):
            self.pos += 1
            parts.append(self._take("word"))
        return parts

    def _literal(self):
        if self.pos >= len(self.tokens):
            raise bad_filter("a value is missing")
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "str":
            return value
        if kind == "num":
            return float(value)
        if kind == "dt":
            try:
                return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise bad_filter("bad date-time %s" % value) from None
        if kind == "word" and value.lower() in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value.lower()]
        raise bad_filter("'%s' is not a value" % value)

    # -- evaluation
    def matches(self, item):
        return bool(self._eval(self.tree, {"$it": item}))

    def _get(self, path, env):
        if path[0] in env:
            cur = env[path[0]]
            rest = path[1:]
        else:
            cur = env["$it"]
            rest = path
        for p in rest:
            if not isinstance(cur, dict):
                return None
            low = {k.lower(): k for k in cur}
            cur = cur.get(low.get(p.lower(), p))
        return cur

    def _eval(self, node, env):
        kind = node[0]
        if kind == "or":
            return self._eval(node[1], env) or self._eval(node[2], env)
        if kind == "and":
            return self._eval(node[1], env) and self._eval(node[2], env)
        if kind == "not":
            return not self._eval(node[1], env)
        if kind == "startswith":
            v = self._get(node[1], env)
            return (isinstance(v, str) and isinstance(node[2], str)
                    and v.casefold().startswith(node[2].casefold()))
        if kind in ("any", "all"):
            coll = self._get(node[1], env) or []
            if not isinstance(coll, list):
                raise bad_filter("%s is not a collection" % "/".join(node[1]))
            test = (lambda x: self._eval(node[3], dict(env, **{node[2]: x})))
            return any(map(test, coll)) if kind == "any" else all(map(test, coll))
        _, op, path, lit = node
        return compare(op, self._get(path, env), lit, path)


def compare(op, have, want, path):
    if path and path[-1].lower() == "id" and isinstance(have, str) and isinstance(want, str) \
            and " " in have:
        # an extended property id: compared in canonical form
        try:
            have, want = ext_key(have), ext_key(want)
        except GraphError:
            pass
    if isinstance(want, datetime.datetime) and isinstance(have, str):
        try:
            have = datetime.datetime.fromisoformat(have.replace("Z", "+00:00"))
        except ValueError:
            return False
    if isinstance(have, str) and isinstance(want, str):
        have, want = have.casefold(), want.casefold()
    if isinstance(have, bool) or isinstance(want, bool) or have is None or want is None:
        if op == "eq":
            return have == want
        if op == "ne":
            return have != want
        return False
    try:
        return {"eq": have == want, "ne": have != want, "gt": have > want,
                "ge": have >= want, "lt": have < want, "le": have <= want}[op]
    except TypeError:
        return False


EXPAND_RE = re.compile(r"^\s*(singleValueExtendedProperties|multiValueExtendedProperties)"
                       r"\s*(?:\(\s*\$filter\s*=\s*(.*)\))?\s*$", re.I | re.S)


def parse_expand(text):
    """A Filter over the extended properties $expand asks for, or None without
    $expand. Graph documents $expand=singleValueExtendedProperties($filter=id eq
    '...'); the fake requires that filter, as the documentation does."""
    if text is None:
        return None
    m = EXPAND_RE.match(text)
    if not m or m.group(1).lower() != "singlevalueextendedproperties":
        raise GraphError(400, "BadRequest",
                         "The fake expands singleValueExtendedProperties($filter=id eq "
                         "'...') only.")
    if not m.group(2):
        raise GraphError(400, "ErrorInvalidUrlQuery",
                         "Expanding singleValueExtendedProperties needs a $filter on id.")
    return Filter(m.group(2))
