# fakeserver.py - what the fake servers share: HTTP plumbing, faults, stats, a clock, reset.
"""The common part of the fake EWS server (ews/ews_server.py), the InterAction
reference server (interaction/interaction_server.py) and the Microsoft Graph fake
(graph/graph_server.py). Python 3 standard library only; each server puts
tests/fakes on sys.path and imports this module.

- FakeServer / FakeHandler: HTTP/1.1 on 127.0.0.1; every accepted socket gets
  TCP_NODELAY and every reply goes out in one send (headers and body in one
  buffer), so no reply waits for the client's delayed ACK.
- Faults: one set of fault kinds and one control API for both servers; a server
  adds its own kinds as data (a name and its fields' defaults).
- CLOCK: the "now" of everything in the fakes; tests move it (POST /_fake/clock).
- POST /_fake/reset: the server as it started (seed, faults, stats, clock,
  issued tokens, connection state), so a suite starts one server per file.
- serve(): the port file (written atomically once listening), clean stop on
  SIGTERM or SIGINT (the state on disk left whole: close_state()).

The control endpoints this module answers, for both servers (no authentication):
  GET  /_fake/stats         counters (server-specific ones, plus faults_fired,
                            delayed, delayed_ms, in_flight_max: the most API
                            requests held at once, from arrival to reply)
  POST /_fake/stats/reset   zero them
  GET  /_fake/faults        {"faults": {...}}, what is left of the set
  POST /_fake/faults        replace the fault set ({} clears it)
  GET  /_fake/clock         {"now": RFC3339}
  POST /_fake/clock         {"advance_s": N} or {"set": RFC3339}
  POST /_fake/reset         [{"seed": "/abs/path.json"}]
  POST /_fake/barrier       {"parties": N, "timeout_s": T}: the next N requests
                            each wait until all N have arrived (counted in
                            barrier_met), or T seconds (each one that gave up
                            counts in barrier_timeouts, and goes on); then the
                            barrier is gone. Proves N clients in flight at once
                            without a test reading a clock.
"""

import copy
import datetime
import email.utils
import json
import os
import random
import selectors
import signal
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UTC = datetime.timezone.utc


class ControlError(Exception):
    """A control request the fake refuses: HTTP status and a message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class ListenError(Exception):
    """The server cannot listen on its port."""


class HttpError(Exception):
    """A request the HTTP layer refuses (body too large, bad framing)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


# ---- the clock -------------------------------------------------------------------
class Clock:
    """The fakes' now: the real time plus an offset that tests set. Token
    expiry, change stamps, LastModifiedTime, NTLM time stamps and the Date
    header all read it, so a test moves time instead of sleeping."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offset = 0.0

    def time(self):
        """Seconds since the epoch."""
        with self._lock:
            return time.time() + self._offset

    def now(self):
        return datetime.datetime.fromtimestamp(self.time(), UTC)

    def iso(self):
        """RFC 3339 in UTC, whole seconds: "2026-03-16T09:00:00Z"."""
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def advance(self, seconds):
        with self._lock:
            self._offset += seconds

    def set(self, when):
        """Make now the aware datetime `when`; time goes on from there."""
        with self._lock:
            self._offset = when.timestamp() - time.time()

    def reset(self):
        """Back to the real time; returns the offset it had."""
        with self._lock:
            old, self._offset = self._offset, 0.0
            return old


CLOCK = Clock()


def parse_rfc3339(text):
    """An aware datetime of "2026-03-16T09:00:00Z" or with an offset; ValueError else."""
    if not isinstance(text, str) or "T" not in text.upper():
        raise ValueError("not an RFC 3339 date-time: %r" % (text,))
    dt = datetime.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError("an RFC 3339 date-time needs Z or an offset: %r" % text)
    return dt


# ---- faults ----------------------------------------------------------------------
HTTP_FAULT_CODES = (429, 500, 502, 503, 504)


def _count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


# Every field a fault kind may have: its check and what the check wants.
FIELDS = {
    "next": (_count, "a non-negative integer"),
    "skip": (_count, "a non-negative integer"),
    "rate": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
             and 0 <= v <= 1, "a number from 0 to 1"),
    "code": (lambda v: v in HTTP_FAULT_CODES,
             ", ".join(map(str, HTTP_FAULT_CODES[:-1])) + " or %d" % HTTP_FAULT_CODES[-1]),
    "retry_after": (lambda v: _count(v) or (isinstance(v, str) and v.strip() != ""),
                    "seconds or an HTTP-date"),
    "after": (lambda v: isinstance(v, bool), "true or false"),
    "backoff_ms": (_count, "a non-negative integer"),
    "bytes": (_count, "a non-negative integer"),
}

# The kinds both servers have, as {kind: {field: default}} (None: no default).
# http_status answers with that status (Retry-After only when retry_after is
# given); drop closes the connection with no reply, before doing the request or,
# with "after", after it; truncate does the request and sends half the body
# under the full Content-Length. The server renders http_status; FakeHandler
# does drop and truncate.
COMMON_KINDS = {
    "http_status": {"code": 503, "retry_after": None},
    "drop": {"after": False},
    "truncate": {},
}


class Faults:
    """The faults of POST /_fake/faults. Each kind fires on the next N requests
    the server subjects to faults ({"next": N}, default 1) or at random
    ({"rate": 0.1}; seeded, so one fault set and one request sequence always
    give the same faults), after letting K pass ({"skip": K}); "latency_ms"
    delays every such request. `kinds` ({kind: {field: default}}) lists the
    kinds in the order they are tried."""

    def __init__(self, kinds, stats):
        self.kinds = kinds
        self.stats = stats
        self.lock = threading.Lock()
        self.config = {}
        self.rng = random.Random(0)

    def configure(self, body):
        """Replace the whole set; ControlError(400) names what is wrong."""
        if not isinstance(body, dict):
            raise ControlError(400, "faults must be a JSON object")
        new = {}
        for kind, spec in body.items():
            if kind == "latency_ms":
                if not _count(spec):
                    raise ControlError(400, "latency_ms must be a non-negative integer")
                new[kind] = spec
                continue
            if kind not in self.kinds:
                raise ControlError(400, "unknown fault '%s' (known: latency_ms, %s)"
                                   % (kind, ", ".join(self.kinds)))
            if not isinstance(spec, dict):
                raise ControlError(400, "fault '%s' must be an object" % kind)
            own = self.kinds[kind]
            for field, value in spec.items():
                if field not in ("next", "skip", "rate") and field not in own:
                    raise ControlError(400, "unknown field '%s.%s'" % (kind, field))
                check, want = FIELDS[field]
                if not check(value):
                    raise ControlError(400, "%s.%s must be %s" % (kind, field, want))
            f = {k: v for k, v in own.items() if v is not None}
            f.update(spec)
            f.setdefault("next", 0 if "rate" in spec else 1)
            new[kind] = f
        with self.lock:
            self.config = new
            self.rng = random.Random(0)

    def describe(self):
        with self.lock:
            return {"faults": copy.deepcopy(self.config)}

    def latency_ms(self):
        with self.lock:
            return self.config.get("latency_ms", 0)

    def take(self, kinds=None):
        """This request's fault: (kind, its settings) or None. `kinds`: the kinds to
        try (default all), for a server whose requests nest (the Graph fake's $batch
        takes its outer and inner requests' faults apart)."""
        with self.lock:
            for kind in self.kinds:
                if kinds is not None and kind not in kinds:
                    continue
                spec = self.config.get(kind)
                if spec is None:
                    continue
                if spec.get("skip", 0) > 0:
                    spec["skip"] -= 1
                    continue
                if spec["next"] > 0:
                    spec["next"] -= 1
                elif not (spec.get("rate") and self.rng.random() < spec["rate"]):
                    continue
                self.stats.count("faults_fired", kind)
                return kind, dict(spec)
        return None


# ---- barrier ---------------------------------------------------------------------
class Barrier:
    """One use of threading.Barrier across requests (POST /_fake/barrier)."""

    def __init__(self, stats):
        self.lock = threading.Lock()
        self.stats = stats
        self.barrier = None
        self.timeout = 0
        self.arrived = 0

    def configure(self, body):
        if (not isinstance(body, dict) or set(body) - {"parties", "timeout_s"}
                or not isinstance(body.get("parties"), int) or body["parties"] < 0
                or not isinstance(body.get("timeout_s", 30), (int, float))):
            raise ControlError(400, 'barrier takes {"parties": N, "timeout_s": T}')
        with self.lock:
            self.barrier = threading.Barrier(body["parties"]) if body["parties"] > 1 else None
            self.timeout = body.get("timeout_s", 30)
            self.arrived = 0

    def reset(self):
        with self.lock:
            self.barrier = None

    def wait(self):
        """A request arrives: wait with the others when a barrier is up."""
        with self.lock:
            b = self.barrier
            if b is not None:
                self.arrived += 1
                if self.arrived >= b.parties:
                    self.barrier = None  # the last party: the barrier is used up
        if b is None:
            return
        try:
            if b.wait(self.timeout) == 0:
                self.stats.count("barrier_met")
        except threading.BrokenBarrierError:
            self.stats.count("barrier_timeouts")
            with self.lock:
                if self.barrier is b:
                    self.barrier = None


# ---- stats -----------------------------------------------------------------------
class Stats:
    """Counters: the server's own (a template of zeros) and the common ones:
    faults_fired per kind, delayed (requests held back by latency_ms) and
    delayed_ms (the time they were held), in_flight_max (the most requests
    the server held at once, from their arrival to their reply: how many a
    client had out at once)."""

    def __init__(self, template, kinds):
        self.lock = threading.Lock()
        self.template = dict(template, faults_fired={k: 0 for k in kinds},
                             delayed=0, delayed_ms=0, barrier_met=0, barrier_timeouts=0,
                             in_flight_max=0)
        self.in_flight = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.data = copy.deepcopy(self.template)
            # The requests held now stay counted: they leave through leave().
            self.data["in_flight_max"] = self.in_flight

    def enter(self):
        with self.lock:
            self.in_flight += 1
            self.data["in_flight_max"] = max(self.data["in_flight_max"], self.in_flight)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def count(self, key, sub=None, n=1):
        with self.lock:
            if sub is None:
                self.data[key] += n
            else:
                self.data[key][sub] = self.data[key].get(sub, 0) + n

    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.data)


# ---- HTTP ------------------------------------------------------------------------
class FakeServer(ThreadingHTTPServer):
    """A fake on 127.0.0.1. A subclass sets `name`, implements reset_state(seed)
    and may extend stats_view()."""

    daemon_threads = True
    allow_reuse_address = True
    name = "fake"

    def __init__(self, port, handler, kinds, stats_template, verbose=False):
        self.verbose = verbose
        self.stats = Stats(stats_template, kinds)
        self.faults = Faults(kinds, self.stats)
        self.barrier = Barrier(self.stats)
        # Per-connection state (NTLM) older than this generation is forgotten.
        self.generation = 0
        try:
            super().__init__(("127.0.0.1", port), handler)
        except OSError as e:
            raise ListenError("cannot listen on 127.0.0.1:%d: %s" % (port, e)) from None

    def log(self, msg):
        if self.verbose:
            sys.stderr.write("%s: %s\n" % (self.name, msg))

    def reset_state(self, seed):
        """Rebuild the server's own state from `seed` (a path; None: the seed it
        started with); ValueError when the seed is unusable (nothing changes)."""
        raise NotImplementedError

    def close_state(self):
        """At a clean stop: a server that keeps its state on disk (--data-dir)
        leaves it whole there (journal.py)."""

    def reset(self, seed=None):
        # The clock first: the seed's data is stamped as at a first start.
        offset = CLOCK.reset()
        try:
            self.reset_state(seed)
        except BaseException:
            CLOCK.advance(offset)  # a seed that cannot be loaded changes nothing
            raise
        self.faults.configure({})
        self.barrier.reset()
        self.stats.reset()
        self.generation += 1

    def stats_view(self):
        return self.stats.snapshot()

    def control(self, method, path, body):
        """The common /_fake/ endpoints: (status, JSON object), or None when
        `path` is none of them. `body` is the request's JSON (None if empty).
        ControlError for a refused request."""
        routes = {"/_fake/stats": ("GET",), "/_fake/stats/reset": ("POST",),
                  "/_fake/faults": ("GET", "POST"), "/_fake/clock": ("GET", "POST"),
                  "/_fake/reset": ("POST",), "/_fake/barrier": ("POST",)}
        path = path.rstrip("/")
        if path not in routes:
            return None
        if method not in routes[path]:
            raise ControlError(405, "%s takes %s" % (path, " or ".join(routes[path])))
        if path == "/_fake/stats":
            return 200, self.stats_view()
        if path == "/_fake/stats/reset":
            self.stats.reset()
            return 200, {"ok": True}
        if path == "/_fake/faults":
            if method == "POST":
                self.faults.configure({} if body is None else body)
            return 200, self.faults.describe()
        if path == "/_fake/barrier":
            self.barrier.configure(body)
            return 200, {"ok": True}
        if path == "/_fake/clock":
            if method == "POST":
                clock_move(body)
            return 200, {"now": CLOCK.iso()}
        seed = None
        if body:
            if not isinstance(body, dict) or set(body) - {"seed"}:
                raise ControlError(400, 'reset takes {} or {"seed": "/abs/path.json"}')
            seed = body.get("seed")
            if not isinstance(seed, str) or not os.path.isabs(seed):
                raise ControlError(400, "seed must be an absolute path")
        try:
            self.reset(seed)
        except (OSError, ValueError, KeyError) as e:
            raise ControlError(400, "cannot reset: %s" % e) from None
        return 200, {"ok": True}


def clock_move(body):
    if not isinstance(body, dict) or len(body) != 1 or not set(body) <= {"advance_s", "set"}:
        raise ControlError(400, 'clock takes {"advance_s": N} or {"set": RFC3339}')
    if "advance_s" in body:
        n = body["advance_s"]
        if not isinstance(n, (int, float)) or isinstance(n, bool):
            raise ControlError(400, "advance_s must be a number of seconds")
        CLOCK.advance(n)
    else:
        try:
            CLOCK.set(parse_rfc3339(body["set"]))
        except ValueError as e:
            raise ControlError(400, str(e)) from None


class FakeHandler(BaseHTTPRequestHandler):
    """Request plumbing of both fakes: body reading, one-send replies, faults."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY on every accepted socket

    def setup(self):
        super().setup()
        self._conn_state = {}
        self._conn_generation = self.server.generation

    def parse_request(self):
        self._pending = None  # a truncate or drop-after for this request's reply
        return super().parse_request()

    def handle_one_request(self):
        self._in_flight = False
        try:
            super().handle_one_request()
        finally:
            self.leave()

    def leave(self):
        """The request is answered: out of in_flight before the client can see the
        reply (and send its next one)."""
        if self._in_flight:
            self._in_flight = False
            self.server.stats.leave()

    @property
    def conn_state(self):
        """State kept per connection (NTLM's handshake); a reset forgets it."""
        if self._conn_generation != self.server.generation:
            self._conn_state = {}
            self._conn_generation = self.server.generation
        return self._conn_state

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(CLOCK.time() if timestamp is None else timestamp,
                                      usegmt=True)

    def log_message(self, fmt, *args):
        self.server.log("%s %s" % (self.address_string(), fmt % args))

    def read_body(self, limit, chunked=True):
        """The request body (b"" when there is none). HttpError (the connection
        then closes) when it is over `limit` bytes, chunked and `chunked` is
        false (411), or badly framed."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            if not chunked:
                self.close_connection = True
                raise HttpError(411, "chunked bodies are not supported")
            out = b""
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    raise HttpError(400, "bad chunked encoding") from None
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    return out
                if len(out) + size > limit:
                    self.close_connection = True
                    raise HttpError(413, "the body is over %d bytes" % limit)
                out += self.rfile.read(size)
                self.rfile.readline(16)
        n = self.headers.get("Content-Length")
        if not n:
            return b""
        try:
            n = int(n)
        except ValueError:
            n = -1
        if n < 0:
            self.close_connection = True
            raise HttpError(400, "bad Content-Length")
        if n > limit:
            self.close_connection = True
            raise HttpError(413, "the body is over %d bytes" % limit)
        return self.rfile.read(n)

    def take_fault(self, kinds=None):
        """Hold the request for latency_ms, then take its fault (of `kinds`, default
        all). None: go on (a truncate or a drop after the request is done by
        reply()). Otherwise (kind, settings) for the server to answer; a drop
        before the request has already closed the connection and comes back as
        ("drop", ...)."""
        srv = self.server
        if not self._in_flight:  # once per request (the Graph fake asks again inside a $batch)
            self._in_flight = True
            srv.stats.enter()
        srv.barrier.wait()
        ms = srv.faults.latency_ms()
        if ms:
            time.sleep(ms / 1000.0)
            srv.stats.count("delayed")
            srv.stats.count("delayed_ms", n=ms)
        picked = srv.faults.take(kinds)
        if picked is None:
            return None
        kind, spec = picked
        if kind == "truncate" or (kind == "drop" and spec.get("after")):
            self._pending = kind
            return None
        if kind == "drop":
            self.drop()
        return picked

    def drop(self):
        """Close the connection without a reply."""
        self.leave()
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def reply(self, status, body=b"", headers=(), ctype=None):
        """Send a whole reply with one write: status line, headers (pairs or a
        dict), Content-Length, and the body, unless this request's fault says
        to drop it (then False) or send half of it."""
        if self._pending == "drop":
            self.drop()
            return False
        self.leave()
        headers = list(headers.items() if isinstance(headers, dict) else headers)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if status != 204 and status != 304:
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        if self._pending == "truncate":
            self.send_header("Connection", "close")
            self.close_connection = True
            body = body[:len(body) // 2]
        elif self.close_connection and not any(k.lower() == "connection" for k, _ in headers):
            # The client asked to close (or spoke HTTP/1.0): a reply that does not say
            # so leaves the connection in the client's pool, dead (RFC 9112 9.6).
            self.send_header("Connection", "close")
        if self.command == "HEAD":
            body = b""
        self._headers_buffer.append(b"\r\n" + body)
        data = b"".join(self._headers_buffer)
        self._headers_buffer = []
        try:
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client went away
        return True


# ---- start and stop --------------------------------------------------------------
def write_port_file(path, port):
    """Write the port to `path` atomically, so a reader never sees it half written."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".port.", dir=d)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def remove_port_file(path, port):
    """Remove the port file at exit, unless another server has written it since."""
    try:
        with open(path) as f:
            if f.read().strip() == str(port):
                os.unlink(path)
    except (OSError, TypeError):
        pass


def serve(srv, port_file=None):
    """Serve until SIGTERM or SIGINT; the port file exists while it listens.
    The signal's wake-up byte ends the loop at once, whichever thread the
    signal hit and however close to the select it came (no poll interval)."""
    port = srv.server_address[1]
    wake_r, wake_w = socket.socketpair()
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)  # the wake-up byte does the work
    try:
        if port_file:
            write_port_file(port_file, port)
        srv.log("listening on 127.0.0.1:%d" % port)
        with selectors.DefaultSelector() as sel:
            sel.register(srv, selectors.EVENT_READ)
            sel.register(wake_r, selectors.EVENT_READ)
            while not any(key.fileobj is wake_r for key, _ in sel.select()):
                srv._handle_request_noblock()  # accept; a thread serves the connection
    finally:
        srv.server_close()
        srv.close_state()
        remove_port_file(port_file, port)
    return 0


def json_body(raw):
    """The JSON of a control request's body; None when empty; ControlError(400)."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ControlError(400, "the body is not valid JSON: %s" % e) from None
