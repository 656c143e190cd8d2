#!/usr/bin/python3
# graph_server.py - a fake Microsoft Graph (and token endpoint) for oisync's tests (stdlib only).
"""Fake Microsoft Graph v1.0 for the mailbox data oisync syncs: contacts, events and
a sync folder of messages, with the Microsoft identity platform's token endpoint
(client credentials: secret or certificate), delta queries, JSON batching and
Outlook's throttling. Listens on 127.0.0.1 (plain HTTP; with --tls-cert also
HTTPS on a second port, as Microsoft's SDK sends tokens to https hosts only).
tests/fakes/README.md ("The Microsoft Graph fake") documents it."""

import argparse
import json
import os
import ssl
import sys
import threading
import traceback
import uuid
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
FAKES = os.path.dirname(HERE)
sys.path[:0] = [HERE, FAKES, os.path.join(FAKES, "ews")]  # this fake, fakeserver, ews_calendar

from fakeserver import (COMMON_KINDS, ControlError, FakeHandler, FakeServer,  # noqa: E402
                        HttpError, ListenError, json_body, remove_port_file, serve,
                        write_port_file)
import graph_batch  # noqa: E402
import graph_control  # noqa: E402
from graph_api import Api  # noqa: E402
from graph_auth import OPENID_RE, TENANT_RE, AadError, Auth  # noqa: E402
from graph_delta import SyncStates  # noqa: E402
from graph_odata import GraphError, parse_prefer  # noqa: E402
from graph_throttle import MailboxSlots, fault_error  # noqa: E402
from graph_users import list_users  # noqa: E402

USAGE_EPILOG = """\
credentials file (mode 0600, written by tests at run time; never commit a secret):
  CLIENT_ID:SECRET          a client secret of an app (several lines: several secrets)
  # comment, blank lines    ignored
Without a credentials file and without "apps" in the seed, any client id gets a
token with any secret and may open every mailbox.

seed file (JSON; see tests/fakes/README.md):
  {"tenant": {"id": "GUID", "domains": ["firm.example"]},
   "apps": {"CLIENT_ID": {"displayName": "oisync", "mailboxes": ["alice@firm.example"],
                          "roles": ["Contacts.ReadWrite", "Calendars.ReadWrite"],
                          "certificates": ["-----BEGIN CERTIFICATE-----..."]}},
   "users": {"alice@firm.example": {"displayName": "Alice Smith",
                                    "contacts": [{Graph contact JSON}],
                                    "contactFolders": {"Clients": [{...}]},
                                    "events": [{Graph event JSON}],
                                    "mailFolders": {"InterAction Sync": [{message}]}}}}

endpoints:
  POST /{tenant}/oauth2/v2.0/token           client credentials (secret or assertion)
  GET  /{tenant}/v2.0/.well-known/openid-configuration
  /v1.0/users/{id|upn}/contacts, /contactFolders/{id}/contacts[/delta], /events,
  /calendar/events, /events/{id}/instances, /calendarView[/delta], /mailFolders,
  /mailFolders/{id}/messages, /messages;  POST /v1.0/$batch

control endpoints (no auth): /_fake/stats, /_fake/faults, /_fake/clock, /_fake/reset,
  /_fake/barrier (tests/fakes/fakeserver.py), /_fake/dump[?mailbox=UPN],
  /_fake/create, /_fake/edit, /_fake/delete, /_fake/expire-delta
"""

MAX_BODY = 4 * 1024 * 1024
GRAPH_CTYPE = ("application/json;odata.metadata=minimal;odata.streaming=true;"
               "IEEE754Compatible=false;charset=utf-8")
# The fault kinds, in the order they are tried: the outer requests' (the common
# ones) and batch_item, which only $batch's inner requests take.
FAULT_KINDS = {k: COMMON_KINDS[k] for k in ("drop", "http_status", "truncate")}
FAULT_KINDS["batch_item"] = {"code": 429, "retry_after": 1}
OUTER_KINDS = ("drop", "http_status", "truncate")
STATS = {"requests": {}, "status": {}, "tokens_issued": {}, "token_failures": 0,
         "mailbox_inflight_max": {}, "mailbox_throttled": {},
         "batch": {"batches": 0, "requests": 0}, "writes": 0, "control": 0}


class Headers:
    """Case-insensitive request headers (repeated ones joined by ", ")."""

    def __init__(self, pairs):
        self.d = {}
        for k, v in pairs:
            k = k.lower()
            self.d[k] = v if k not in self.d else self.d[k] + ", " + v

    def get(self, name, default=None):
        return self.d.get(name.lower(), default)


class Request:
    """A Graph request (an outer one, or an inner one of a $batch)."""

    def __init__(self, method, target, headers, body, base, app=None):
        url = urlsplit(target)
        self.method, self.path, self.headers, self.body = method, url.path, headers, body
        self.query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.base = base
        self.app = app
        self.prefer = parse_prefer([headers.get("Prefer", "")])

    def json(self):
        if not self.body.strip():
            raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise GraphError(400, "BadRequest",
                             "Unable to read JSON request payload. Please ensure Content-Type "
                             "header is set and payload is of valid JSON format.") from None

    def url(self, path, query):
        """An absolute link to path (as received) with query (names such as $skip)."""
        q = urlencode(query, quote_via=quote, safe="$'(),:")
        return "%s%s%s" % (self.base, path, "?" + q if q else "")

    def derive(self, method, target, headers, body):
        return Request(method, target, Headers(headers.items()), body, self.base, self.app)


class Handler(FakeHandler):
    server_version = "oisync-graph-fake/1"

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def base(self):
        scheme = getattr(self.server, "scheme", "http")
        host = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
        return "%s://%s" % (scheme, host)

    def dispatch(self, method):
        srv = self.server
        path = urlsplit(self.path).path
        self.crid = self.headers.get("client-request-id") or str(uuid.uuid4())
        self.rid = str(uuid.uuid4())
        try:
            try:
                body = self.read_body(MAX_BODY)
            except HttpError as e:
                raise GraphError(e.status, "BadRequest" if e.status != 413 else
                                 "RequestEntityTooLarge", e.message) from None
            if path.startswith("/_fake/"):
                return self.control(method, path, body)
            m = TENANT_RE.match(path)
            if m:
                return self.token(method, m.group(1), body)
            m = OPENID_RE.match(path)
            if m and method == "GET":
                srv.count_request(method, "/{tenant}/v2.0/.well-known/openid-configuration")
                return self.send_json(200, srv.auth.openid_configuration(self.base(),
                                                                         m.group(1)), {},
                                      "application/json; charset=utf-8")
            req = Request(method, self.path, Headers(self.headers.items()), body, self.base())
            if path in ("/v1.0/$batch", "/v1.0/%24batch"):
                return self.batch(req)
            self.graph(req)
        except GraphError as e:
            self.send_json(e.status, e.body(self.crid, self.rid), e.headers)
        except Exception as e:  # a bug in the fake: say so, keep serving
            traceback.print_exc()
            self.send_json(500, GraphError(500, "generalException",
                                           "fake server bug: %s" % e).body(self.crid, self.rid),
                           {})

    def outer_fault(self):
        """(True, None) when a drop closed the connection; else (False, error or None)."""
        picked = self.take_fault(OUTER_KINDS)
        if not picked:
            return False, None
        kind, spec = picked
        if kind == "drop":
            return True, None
        return False, fault_error(spec["code"], spec.get("retry_after"))

    def graph(self, req):
        srv = self.server
        if not req.path.startswith("/v1.0/"):
            srv.count_request(req.method, "(unknown)")
            raise GraphError(400, "BadRequest", "Invalid version: the fake serves /v1.0 only.")
        if req.path.rstrip("/") == "/v1.0/users" and req.method == "GET":
            with srv.lock:
                srv.count_request(req.method, "/users")
                req.app = srv.auth.check(req.headers.get("Authorization"))
                return self.send_json(200, list_users(srv.store, req.app, req.query), {})
        with srv.lock:
            req.app = srv.auth.check(req.headers.get("Authorization"))
            prep = srv.api.prepare(req, req.app)
        srv.slots.acquire(req.app.client_id, prep.mbx.upn)
        try:
            dropped, err = self.outer_fault()
            if dropped:
                return
            if err:
                raise err
            with srv.lock:
                status, obj, hdr = srv.api.execute(req, prep)
        finally:
            srv.slots.release(req.app.client_id, prep.mbx.upn)
        self.send_json(status, obj, hdr)

    def batch(self, req):
        srv = self.server
        srv.count_request(req.method, "/$batch")
        if req.method != "POST":
            raise GraphError(405, "BadRequest", "$batch takes POST.", {"Allow": "POST"})
        with srv.lock:
            req.app = srv.auth.check(req.headers.get("Authorization"))
        dropped, err = self.outer_fault()
        if dropped:
            return
        if err:
            raise err
        self.send_json(*graph_batch.run(srv, req))

    def token(self, method, tenant, body):
        srv = self.server
        srv.count_request(method, "/{tenant}/oauth2/v2.0/token")
        try:
            if method != "POST":
                raise AadError(405, "invalid_request", 900561,
                               "The endpoint only accepts POST requests.")
            dropped, err = self.outer_fault()
            if dropped:
                return
            if err:
                raise AadError(err.status, "temporarily_unavailable", 90033,
                               "A transient error has occurred. Please try again.")
            host = self.headers.get("Host") or ""
            path = "/%s/oauth2/v2.0/token" % tenant
            urls = {"%s://%s%s" % (s, host, path) for s in ("http", "https")}
            urls.add("https://login.microsoftonline.com" + path)
            with srv.lock:
                reply = srv.auth.token(tenant, body, self.headers, urls, srv.stats)
            self.send_json(200, reply, {"Cache-Control": "no-store, no-cache",
                                        "Pragma": "no-cache"}, "application/json; charset=utf-8")
        except AadError as e:
            srv.stats.count("token_failures")
            hdr = {"Retry-After": "1"} if e.status in (429, 503) else {}
            self.send_json(e.status, e.body(), hdr, "application/json; charset=utf-8")

    def control(self, method, path, body):
        srv = self.server
        srv.stats.count("control")
        try:
            data = json_body(body)
            common = srv.control(method, path, data)
            if common is not None:
                return self.send_json(common[0], common[1], {}, "application/json")
            name = path[len("/_fake/"):].strip("/")
            allowed = {"dump": "GET", "create": "POST", "edit": "POST", "delete": "POST",
                       "expire-delta": "POST"}
            if name not in allowed:
                raise ControlError(404, "no control endpoint /_fake/%s" % name)
            if method != allowed[name]:
                raise ControlError(405, "/_fake/%s takes %s" % (name, allowed[name]))
            with srv.lock:
                obj = getattr(self, "ctl_" + name.replace("-", "_"))(data or {})
            self.send_json(200, obj, {}, "application/json")
        except ControlError as e:
            self.send_json(e.status, {"error": {"code": "control", "message": e.message}}, {},
                           "application/json")
        except GraphError as e:
            self.send_json(e.status, e.body(), e.headers, "application/json")

    def mailbox(self, data):
        mbx = self.server.store.directory.find(data.get("mailbox") or "")
        if mbx is None:
            raise ControlError(404, "no mailbox '%s'" % data.get("mailbox"))
        return mbx

    def ctl_dump(self, data):
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        d = self.server.store.directory
        if query.get("mailbox"):
            return graph_control.dump_mailbox(self.mailbox(query), self.base())
        return {"mailboxes": {m.upn: graph_control.dump_mailbox(m, self.base())
                              for m in d.mailboxes.values()}}

    def ctl_create(self, data):
        mbx = self.mailbox(data)
        kind = data.get("kind", "contact")
        if kind not in graph_control.KINDS or not isinstance(data.get("item"), dict):
            raise ControlError(400, 'create takes {"mailbox", "kind": "contact"|"event"|'
                               '"message", "folder", "item": {...}}')
        item = graph_control.create(mbx, kind, data["item"], data.get("folder"))
        self.server.store_changed()
        return {"id": item.id, "changeKey": item.change_key}

    def ctl_edit(self, data):
        out = graph_control.edit(self.mailbox(data), data.get("id"), data.get("set"))
        self.server.store_changed()
        return out

    def ctl_delete(self, data):
        graph_control.delete(self.mailbox(data), data.get("id"))
        self.server.store_changed()
        return {"ok": True}

    def ctl_expire_delta(self, data):
        return {"expired": self.server.sync.expire(data.get("mailbox"))}

    def send_json(self, status, obj, headers, ctype=GRAPH_CTYPE):
        data = b"" if obj is None else json.dumps(obj, ensure_ascii=False).encode("utf-8")
        hdr = {"request-id": getattr(self, "rid", ""),
               "client-request-id": getattr(self, "crid", "")}
        hdr.update(headers or {})
        if 200 <= status < 300 and ctype == GRAPH_CTYPE:
            hdr["OData-Version"] = "4.0"
        if self.reply(status, data, hdr, None if status == 204 else ctype):
            self.server.stats.count("status", str(status))


class Store:
    """The server's data: the directory of users and mailboxes."""

    def __init__(self, directory):
        self.directory = directory


class Server(FakeServer):
    name = "graph_server"
    scheme = "http"

    def __init__(self, port, args):
        self.args = args
        self.lock = threading.RLock()
        self.auth = Auth(args.credentials_file, args.token_ttl)
        self.api = Api(self)
        self.load(args.seed)
        super().__init__(port, Handler, FAULT_KINDS, STATS, args.verbose)
        self.slots = MailboxSlots(args.mailbox_concurrency, args.throttle_retry_after,
                                  self.stats)

    def load(self, seed_path):
        seed = {}
        if seed_path:
            with open(seed_path, encoding="utf-8") as f:
                seed = json.load(f)
        directory = graph_control.load_seed(seed)
        with self.lock:
            self.auth.configure(seed, directory)
            self.store = Store(directory)
            self.sync = SyncStates()

    def reset_state(self, seed):
        """As at a first start from the seed: no issued tokens, no sync states (old
        delta tokens get 410)."""
        self.load(seed or self.args.seed)

    def count_request(self, method, template):
        self.stats.count("requests", "%s %s" % (method, template))

    def store_changed(self):
        self.stats.count("writes")

    def stats_view(self):
        out = super().stats_view()
        for k in ("requests", "status", "tokens_issued", "mailbox_inflight_max",
                  "mailbox_throttled"):
            out[k] = dict(sorted(out[k].items()))
        out["mailbox_inflight"] = self.slots.now()
        out["total"] = sum(out["requests"].values())
        return out


class TlsFront(ThreadingHTTPServer):
    """The HTTPS listener: the same server (state, stats, faults) on a second port.
    The handshake runs in the connection's own thread."""

    daemon_threads = True
    scheme = "https"

    def __init__(self, main, port, context):
        self.main = main
        self.context = context
        try:
            super().__init__(("127.0.0.1", port), Handler)
        except OSError as e:
            raise ListenError("cannot listen on 127.0.0.1:%d: %s" % (port, e)) from None

    def __getattr__(self, name):  # stats, faults, barrier, store... are the main server's
        return getattr(self.main, name)

    def finish_request(self, request, client_address):
        try:
            request.settimeout(30)
            conn = self.context.wrap_socket(request, server_side=True)
            conn.settimeout(None)
        except (ssl.SSLError, OSError) as e:
            self.main.log("TLS handshake with %s failed: %s" % (client_address[0], e))
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass


def main(argv):
    ap = argparse.ArgumentParser(
        prog="graph_server.py", epilog=USAGE_EPILOG,
        description="Fake Microsoft Graph for oisync tests (127.0.0.1 only).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="HTTP port (0: any free port)")
    ap.add_argument("--port-file", help="write the HTTP port here once listening")
    ap.add_argument("--seed", help="seed JSON file")
    ap.add_argument("--credentials-file", help="client secrets, CLIENT_ID:SECRET lines (0600)")
    ap.add_argument("--token-ttl", type=int, default=3599,
                    help="expires_in of issued tokens, seconds (default 3599)")
    ap.add_argument("--mailbox-concurrency", type=int, default=4,
                    help="requests in flight per app and mailbox before 429 (default 4)")
    ap.add_argument("--throttle-retry-after", type=int, default=1,
                    help="Retry-After of a MailboxConcurrency 429, seconds (default 1)")
    ap.add_argument("--tls-cert", help="PEM certificate: also serve HTTPS")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    ap.add_argument("--tls-port", type=int, default=0, help="HTTPS port (0: any free port)")
    ap.add_argument("--tls-port-file", help="write the HTTPS port here once listening")
    ap.add_argument("--verbose", "-v", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)
    if args.token_ttl < 1 or args.mailbox_concurrency < 1 or args.throttle_retry_after < 0:
        ap.error("--token-ttl and --mailbox-concurrency must be >= 1")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.seed:
        args.seed = os.path.abspath(args.seed)
    try:
        srv = Server(args.port, args)
        front = None
        if args.tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(args.tls_cert, args.tls_key)
            front = TlsFront(srv, args.tls_port, ctx)
    except ListenError as e:
        print("graph_server: %s" % e, file=sys.stderr)
        return 69
    except (OSError, ValueError, KeyError, ssl.SSLError) as e:
        print("graph_server: cannot start: %s" % e, file=sys.stderr)
        return 78
    if front is not None:
        threading.Thread(target=front.serve_forever, daemon=True).start()
        if args.tls_port_file:
            write_port_file(args.tls_port_file, front.server_address[1])
    try:
        return serve(srv, args.port_file)
    finally:
        if front is not None and args.tls_port_file:
            remove_port_file(args.tls_port_file, front.server_address[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
