#!/usr/bin/python3
"""http_test_server.py PORT_FILE - a tiny HTTP server whose paths are faults, for test_http.

Listens on 127.0.0.1, port 0, writes the port to PORT_FILE and serves until killed.
Paths (a `key=` query parameter separates counters of different tests):
  /ok                         200 "hello"
  /status/CODE?times=N        CODE for the first N hits (all when no times), then 200 "ok"
  /retry-after/SECS?times=N   503 with Retry-After: SECS for the first N hits, then 200
  /retry-after-date/SECS      as above with an HTTP-date SECS seconds ahead
  /drop?times=N               close the connection without a reply N times, then 200
  /truncate?times=N           promise 1000 bytes, send 10 and close, N times, then 200
  /big?bytes=N                200 with N bytes
  /echo-auth                  200, the Authorization header received (or "none")
  /echo                       200, "METHOD LENGTH BODY" of the request
  /headers                    200 with ETag and Content-Type set
  /hits?of=PATH&key=K         200, how many requests PATH?key=K got (this one not counted)
"""
import email.utils
import http.server
import os
import sys
import threading
import time
import urllib.parse

hits = {}
lock = threading.Lock()


def count(key):
    with lock:
        hits[key] = hits.get(key, 0) + 1
        return hits[key]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        times = int(q.get("times", ["-1"])[0])
        key = url.path + "?" + q.get("key", [""])[0]
        parts = url.path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts[0] == "hits":
            with lock:
                n = hits.get(q["of"][0] + "?" + q.get("key", [""])[0], 0)
            self.reply(200, str(n))
            return
        n = count(key)
        faulty = times < 0 or n <= times
        if parts[0] == "ok":
            self.reply(200, "hello", [("Content-Type", "text/plain")])
        elif parts[0] == "status":
            self.reply(int(parts[1]) if faulty else 200, "failing" if faulty else "ok")
        elif parts[0] in ("retry-after", "retry-after-date"):
            secs = int(parts[1])
            if parts[0] == "retry-after":
                value = str(secs)
            else:
                value = email.utils.formatdate(time.time() + secs, usegmt=True)
            if faulty:
                self.reply(503, "busy", [("Retry-After", value)])
            else:
                self.reply(200, "ok")
        elif parts[0] == "drop":
            if faulty:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.reply(200, "ok")
        elif parts[0] == "truncate":
            if faulty:
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"x" * 10)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.reply(200, "ok")
        elif parts[0] == "big":
            self.reply(200, b"b" * int(q["bytes"][0]))
        elif parts[0] == "echo-auth":
            self.reply(200, self.headers.get("Authorization", "none"))
        elif parts[0] == "echo":
            self.reply(200, b"%s %d " % (self.command.encode(), len(body)) + body)
        elif parts[0] == "headers":
            self.reply(200, "{}", [("Content-Type", "application/json"), ("ETag", '"v42"')])
        else:
            self.reply(404, "no such fault")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
