#!/usr/bin/python3
# ews_server.py - fake Exchange 2016 EWS server for oisync's tests and demo (stdlib only).
"""Fake Exchange Web Services endpoint.

    ews_server.py --port 0 --port-file FILE --seed SEED.json
                  [--data-dir DIR] [--credentials-file FILE]
                  [--auth basic,bearer,ntlm] [--verbose]

Serves POST /EWS/Exchange.asmx (SOAP 1.1) on 127.0.0.1, and the control endpoints
under /_fake/ (no authentication) described in tests/fakes/README.md.
"""

import argparse
import base64
import hmac
import json
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # this fake's modules, then fakeserver

from fakeserver import (COMMON_KINDS, ControlError, FakeHandler, FakeServer,  # noqa: E402
                        HttpError, ListenError, json_body, serve)
from ews_ntlm import NtlmAuth  # noqa: E402
from ews_store import Store, StoreError, clean_props  # noqa: E402
from ews_ops import Ctx, dispatch  # noqa: E402
from ews_xml import S, T, WRITABLE, SoapFault, envelope, fault_body, local  # noqa: E402

MAX_BODY = 10 * 1024 * 1024
# The attribute of each operation that says whom Exchange mails about a calendar item
# (meeting requests, updates, cancellations): counted in /_fake/stats "meeting_mail",
# so a test sees what a client asked for (the fake itself never sends mail).
MEETING_MAIL_ATTRS = {"CreateItem": "SendMeetingInvitations",
                      "UpdateItem": "SendMeetingInvitationsOrCancellations",
                      "DeleteItem": "SendMeetingCancellations"}


# ---- authentication ----------------------------------------------------------------
class AuthScheme:
    """One HTTP authentication scheme. `check` gets the Authorization header value and
    a per-connection dict (NTLM's handshake spans requests on one connection, and
    NTLM keeps its state there, ews_ntlm.NtlmAuth) and returns (principal or None,
    extra response headers)."""

    name = ""

    def challenge(self):
        return None

    def connection_principal(self, conn_state):
        """Who authenticated the connection itself (NTLM), for requests without a header."""
        return None

    def check(self, value, conn_state):
        return None, []


class BasicAuth(AuthScheme):
    name = "Basic"

    def __init__(self, users):
        self.users = users

    def challenge(self):
        return 'Basic realm="EWS"'

    def check(self, value, conn_state):
        try:
            user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, []
        want = self.users.get(user)
        if want is not None and hmac.compare_digest(want.encode(), password.encode()):
            return user, []
        return None, []


class BearerAuth(AuthScheme):
    name = "Bearer"

    def __init__(self, tokens):
        self.tokens = tokens

    def challenge(self):
        return 'Bearer realm="EWS"' if self.tokens else None

    def check(self, value, conn_state):
        for tok in self.tokens:
            if hmac.compare_digest(tok.encode(), value.strip().encode()):
                return "bearer", []
        return None, []


AUTH_SCHEMES = ("basic", "bearer", "ntlm")


def load_credentials(path, wanted=AUTH_SCHEMES, log=None):
    """username:password lines; `bearer:TOKEN` lines are OAuth bearer tokens. Returns
    the schemes in `wanted`, in that order (the order of the 401's challenges)."""
    users, tokens = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or line.startswith("#") or ":" not in line:
                continue
            user, _, secret = line.partition(":")
            if user == "bearer":
                tokens.append(secret)
            else:
                users[user] = secret
    make = {"basic": lambda: BasicAuth(users), "bearer": lambda: BearerAuth(tokens),
            "ntlm": lambda: NtlmAuth(users, log=log)}
    return [make[w]() for w in wanted]


def auth_list(text):
    """--auth's comma-separated scheme names."""
    names = [w.strip().lower() for w in text.split(",") if w.strip()]
    bad = [w for w in names if w not in AUTH_SCHEMES]
    if bad or not names:
        raise argparse.ArgumentTypeError("unknown authentication scheme %s (known: %s)"
                                         % (", ".join(bad) or "''", ",".join(AUTH_SCHEMES)))
    return list(dict.fromkeys(names))


# ---- fault injection ----------------------------------------------------------------
# The fault kinds, in the order they are tried (fakeserver.Faults): the common
# ones plus Exchange's throttling fault and a reply over oisync's size cap.
FAULT_KINDS = {
    "server_busy": {"backoff_ms": 500},
    "http_status": COMMON_KINDS["http_status"],
    "drop": COMMON_KINDS["drop"],
    "truncate": COMMON_KINDS["truncate"],
    "oversize": {"bytes": (64 << 20) + 1},
}


# ---- the server ----------------------------------------------------------------------
class FakeEws(FakeServer):
    name = "ews_server"

    def __init__(self, port, seed, data_dir, schemes, verbose=False):
        self.seed = seed
        self.data_dir = data_dir
        self.store = load_store(seed, data_dir, keep=True)
        self.store.start_saving()
        self.schemes = schemes
        super().__init__(port, Handler, FAULT_KINDS,
                         {"requests": 0, "operations": {}, "meeting_mail": {}, "auth_failures": 0,
                          "auth_challenges": 0, "soap_faults": {}, "control": 0},
                         verbose)

    def count(self, key, sub=None):
        self.stats.count(key, sub)

    def reset_state(self, seed):
        """The store built from the seed as at a first start: a new epoch, and
        with --data-dir a state file holding just that."""
        store = load_store(seed or self.seed, self.data_dir, keep=False)
        with self.store.lock:
            self.store.retire()
            store.start_saving()
            self.store = store

    def close_state(self):
        with self.store.lock:
            self.store.close()


class Handler(FakeHandler):
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    # ---- plumbing
    def send(self, status, body, ctype="text/xml; charset=utf-8", headers=()):
        self.reply(status, body, headers, ctype)

    def send_json(self, status, obj):
        self.send(status, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode(),
                  "application/json")

    def read_body(self):
        try:
            return super().read_body(MAX_BODY, chunked=False)
        except HttpError as e:
            self.send(e.status, e.message.encode() + b"\n", "text/plain",
                      [("Connection", "close")])
            return None

    # ---- routing
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control("GET", url, b"")
        if not url.path.lower().endswith("/ews/exchange.asmx"):
            return self.send(404, b"not found\n", "text/plain")
        # IIS authenticates before EWS sees the method: a GET without credentials
        # gets the 401 and its challenges, and an NTLM handshake may open with a GET.
        self.server.count("requests")
        if self.authorize() is False:
            return
        self.send(405, b"405 - HTTP verb used to access this page is not allowed.\n",
                  "text/html", [("Allow", "POST")])

    def do_POST(self):
        body = self.read_body()
        if body is None:
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control("POST", url, body)
        if not url.path.lower().endswith("/ews/exchange.asmx"):
            return self.send(404, b"not found\n", "text/plain")
        self.ews(body)

    # ---- EWS
    def authenticate(self):
        """(principal, ok, extra 401 headers). A scheme that is mid-handshake (NTLM's
        type 2 challenge) returns no principal and the headers to send with the 401."""
        if not self.server.schemes:
            h = self.headers.get("Authorization", "")
            if h.startswith("Basic "):
                try:
                    return base64.b64decode(h[6:]).decode().partition(":")[0], True, []
                except (ValueError, UnicodeDecodeError):
                    pass
            return None, True, []
        header = self.headers.get("Authorization", "")
        if not header.strip():
            for s in self.server.schemes:
                principal = s.connection_principal(self.conn_state)
                if principal:
                    return principal, True, []
            return None, False, []
        scheme, _, value = header.partition(" ")
        for s in self.server.schemes:
            if s.name.lower() == scheme.lower():
                principal, extra = s.check(value, self.conn_state)
                if principal:
                    return principal, True, []
                return None, False, extra
        return None, False, []

    def authorize(self):
        """The principal (None without authentication), or False once a 401 went out."""
        srv = self.server
        principal, ok, extra = self.authenticate()
        if ok:
            return principal
        # A handshake's challenge (NTLM type 2) is a step, not a failure.
        srv.count("auth_challenges" if extra else "auth_failures")
        hdrs = extra or [("WWW-Authenticate", c) for c in
                         (s.challenge() for s in srv.schemes) if c]
        self.send(401, b"401 - Unauthorized: Access is denied due to invalid "
                  b"credentials.\n", "text/html", hdrs)
        return False

    def ews(self, body):
        srv = self.server
        srv.count("requests")
        principal = self.authorize()
        if principal is False:
            return
        try:
            if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
                raise SoapFault("ErrorInvalidRequest", "DTDs are not allowed.", 400)
            try:
                root = ET.fromstring(body)
            except ET.ParseError as e:
                raise SoapFault("ErrorInvalidRequest", "The request is not valid XML: %s"
                                % e, 400) from None
            soap_body = root.find(S + "Body")
            if root.tag != S + "Envelope" or soap_body is None or len(soap_body) != 1:
                raise SoapFault("ErrorInvalidRequest", "Not a SOAP 1.1 envelope.", 400)
            op = soap_body[0]
            srv.count("operations", local(op))
            mail_attr = MEETING_MAIL_ATTRS.get(local(op))
            if mail_attr and op.get(mail_attr) is not None:
                srv.count("meeting_mail", "%s %s=%s" % (local(op), mail_attr, op.get(mail_attr)))
            if self.inject_fault():
                return
            ctx = Ctx(srv.store, principal, bool(srv.schemes),
                      self.impersonation(root, principal))
            out = envelope(dispatch(ctx, op))
        except SoapFault as f:
            srv.count("soap_faults", f.code)
            return self.send(f.status, fault_body(f))
        except StoreError as e:
            f = SoapFault(e.code)
            srv.count("soap_faults", f.code)
            return self.send(500, fault_body(f))
        self.send(200, out)

    def impersonation(self, root, principal):
        """The impersonated mailbox's SMTP address, or None; faults like Exchange."""
        header = root.find(S + "Header")
        imp = header.find(T + "ExchangeImpersonation") if header is not None else None
        if imp is None:
            return None
        sid = imp.find(T + "ConnectingSID")
        if sid is None or len(sid) != 1:
            raise SoapFault("ErrorSchemaValidation",
                            "The request failed schema validation: ConnectingSID.")
        kind, value = local(sid[0]), (sid[0].text or "").strip()
        if kind not in ("PrimarySmtpAddress", "SmtpAddress", "PrincipalName"):
            raise SoapFault("ErrorNonExistentMailbox",
                            "The fake server only knows mailboxes by SMTP address.")
        box = self.server.store.mailbox(value)
        if box is None:
            raise SoapFault("ErrorNonExistentMailbox")
        ctx = Ctx(self.server.store, principal, bool(self.server.schemes))
        if not ctx.may_access(box["smtp"], "impersonate"):
            raise SoapFault("ErrorImpersonateUserDenied")
        return box["smtp"]

    def inject_fault(self):
        """Apply latency and this request's fault; True when it was answered."""
        picked = self.take_fault()
        if picked is None:
            return False
        kind, spec = picked
        if kind == "server_busy":
            f = SoapFault("ErrorServerBusy", message_xml='<t:Value Name="BackOffMilliseconds">'
                          '%d</t:Value>' % spec["backoff_ms"])
            self.send(500, fault_body(f))
        elif kind == "http_status":
            hdrs = [("Retry-After", str(spec["retry_after"]))] if "retry_after" in spec else []
            self.send(spec["code"], b"Service Unavailable\n", "text/html", hdrs)
        elif kind == "oversize":
            self.send_oversize(spec["bytes"])
        return True  # a drop has closed the connection already

    def send_oversize(self, size):
        """A 200 of size bytes (a SOAP envelope padded with blanks), written in
        pieces so that no copy of it is held; the client may hang up early."""
        head = (b'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="'
                b'http://schemas.xmlsoap.org/soap/envelope/"><s:Body>')
        tail = b"</s:Body></s:Envelope>"
        size = max(size, len(head) + len(tail))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        pad = b" " * (1 << 20)
        left = size - len(head) - len(tail)
        try:
            self.wfile.write(head)
            while left > 0:
                n = min(left, len(pad))
                self.wfile.write(pad[:n])
                left -= n
            self.wfile.write(tail)
            self.wfile.flush()
        except OSError:
            pass  # the client stopped reading at its limit

    # ---- control endpoints (no authentication; tests and demo only)
    def control(self, method, url, body):
        srv, store = self.server, self.server.store
        srv.count("control")
        q = urllib.parse.parse_qs(url.query)
        try:
            req = json_body(body)
            common = srv.control(method, url.path, req)
            if common is not None:
                return self.send_json(*common)
        except ControlError as e:
            return self.send_json(e.status, {"error": e.message})
        req = req or {}
        route = (method, url.path)
        try:
            if route == ("GET", "/_fake/dump"):
                return self.send_json(200, dump(store, (q.get("mailbox") or [None])[0],
                                                (q.get("folder") or [None])[0]))
            if route == ("POST", "/_fake/create"):
                with store.writing():
                    smtp = mailbox_or_404(store, req.get("mailbox"))
                    item = store.create(smtp, req.get("folder") or "contacts",
                                        req.get("item") or req.get("contact") or {})
                    return self.send_json(200, {"id": item["id"],
                                                "change_key": item["change_key"]})
            if route == ("POST", "/_fake/edit"):
                with store.writing():
                    smtp = mailbox_or_404(store, req.get("mailbox"))
                    item = store.get(smtp, req.get("id"))
                    for path, value in (req.get("set") or {}).items():
                        set_path(item["props"], path, value)
                    store.touch(smtp, item)
                    return self.send_json(200, {"id": item["id"],
                                                "change_key": item["change_key"]})
            if route == ("POST", "/_fake/delete"):
                with store.writing():
                    smtp = mailbox_or_404(store, req.get("mailbox"))
                    store.remove(smtp, req.get("id"))
                    return self.send_json(200, {"ok": True})
        except StoreError as e:
            return self.send_json(404, {"error": e.code})
        except (ValueError, TypeError, AttributeError) as e:
            return self.send_json(400, {"error": str(e)})
        return self.send_json(404, {"error": "no such control endpoint"})


def mailbox_or_404(store, smtp):
    box = store.mailbox(smtp)
    if box is None:
        raise StoreError("ErrorNonExistentMailbox")
    return box["smtp"]


def set_path(props, path, value):
    """Set "Field" or "Field.Key" or "Field.Key.Sub" in EWS-native props (None deletes)."""
    parts = path.split(".")
    d = props
    for p in parts[:-1]:
        d = d.setdefault(p, {})
        if not isinstance(d, dict):
            raise ValueError("%s is not an object" % path)
    if value is None:
        d.pop(parts[-1], None)
    else:
        d[parts[-1]] = value
    props.update(clean_props(props))


def dump(store, smtp, folder=None):
    return store.dump(smtp, folder)  # ews_store.Store.dump: contacts and calendar


SEED_KEYS = set(WRITABLE) - {"ExtendedProperty"}


def check_seed(seed):
    """Refuse seed contacts with fields the fake does not model (typos, mostly)."""
    for smtp, mb in seed.get("mailboxes", {}).items():
        for c in (mb or {}).get("contacts", []):
            unknown = [k for k in c if k != "ExtendedProperties" and k not in SEED_KEYS]
            if unknown:
                raise ValueError("seed contact of %s has unknown fields %s"
                                 % (smtp, ", ".join(unknown)))


def load_store(seed_path, data_dir, keep):
    """The store: with `keep` the state --data-dir holds, if any, else the seed;
    its start_saving() writes it to --data-dir. ValueError or OSError when the
    seed is unusable, before anything is written."""
    with open(seed_path, encoding="utf-8") as f:
        seed = json.load(f)
    if not isinstance(seed, dict):
        raise ValueError("the seed must be a JSON object")
    check_seed(seed)
    fresh = Store(None)
    fresh.load(seed)
    if not data_dir:
        return fresh
    os.makedirs(data_dir, exist_ok=True)
    store = Store(data_dir)
    if keep and os.path.exists(store.state_path()):
        store.load(seed)
        return store
    store.state = fresh.state
    store.reindex()
    return store


def main(argv=None):
    ap = argparse.ArgumentParser(description="fake Exchange EWS server (tests, demo)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--seed", required=True)
    ap.add_argument("--data-dir")
    ap.add_argument("--credentials-file")
    ap.add_argument("--auth", type=auth_list, default=list(AUTH_SCHEMES),
                    help="schemes offered with --credentials-file (default basic,bearer,ntlm)")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    log = (lambda msg: sys.stderr.write("ews_server: %s\n" % msg)) if args.verbose else None
    try:
        schemes = load_credentials(args.credentials_file, args.auth, log) \
            if args.credentials_file else []
        srv = FakeEws(args.port, os.path.abspath(args.seed), args.data_dir, schemes,
                      args.verbose)
    except ListenError as e:
        sys.stderr.write("ews_server: %s\n" % e)
        return 69
    except (OSError, ValueError) as e:
        sys.stderr.write("ews_server: cannot start: %s\n" % e)
        return 78
    return serve(srv, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
