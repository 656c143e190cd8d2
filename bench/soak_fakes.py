# soak_fakes.py - the two fakes of bench/soak: started once, driven through /_fake/.
"""Start the EWS fake and the InterAction reference server (tests/fakes/) on
127.0.0.1 for the whole soak, write the configuration and users file oisync
reads, and talk to the fakes' control endpoints: user edits on both sides,
faults, and what each side holds. A few edits no control endpoint makes (one
occurrence of a series, a series' pattern, an appointment deleted in
InterAction) go through the servers' own APIs, as a user's client would send
them. Python 3 standard library only."""

import base64
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKES = os.path.join(ROOT, "tests", "fakes")
PYTHON = "/usr/bin/python3"
HTTP_TIMEOUT = 30
# The fakes listen on 127.0.0.1 only: never go through a proxy to reach them.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SOAP = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
 xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/><t:ExchangeImpersonation><t:ConnectingSID>\
<t:PrimarySmtpAddress>%s</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header>
<s:Body>%s</s:Body></s:Envelope>"""
MSG = "{http://schemas.microsoft.com/exchange/services/2006/messages}"


class FakeError(Exception):
    pass


def _write_secret(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _wait_port(path, proc, what):
    """The port a fake wrote to its port file; at most 15 s."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise FakeError("the %s fake exited with %d at start" % (what, proc.returncode))
        try:
            with open(path) as f:
                s = f.read().strip()
            if s:
                return int(s)
        except OSError:
            pass
        time.sleep(0.05)
    raise FakeError("the %s fake did not start within 15 s" % what)


class Fakes:
    """Both fakes, one process each, for the whole soak."""

    def __init__(self, workdir, users, ews_seed, ia_seed, settings=None):
        self.dir = workdir
        self.users = users            # [(InterAction user id, mailbox)]
        self.settings = settings or {}  # user id -> {users file key: value}
        self.procs = []
        self.ia_token = None
        sec = os.path.join(workdir, "secrets")
        os.makedirs(sec, mode=0o700, exist_ok=True)
        ews_secret, ia_secret = secrets.token_hex(16), secrets.token_hex(16)
        _write_secret(os.path.join(sec, "ews.secret"), ews_secret)
        _write_secret(os.path.join(sec, "interaction.secret"), ia_secret)
        _write_secret(os.path.join(sec, "ews-credentials"), "svc-oisync:%s\n" % ews_secret)
        _write_secret(os.path.join(sec, "ia-clients"), "oisync:%s\n" % ia_secret)
        self.ews_secret, self.ia_secret = ews_secret, ia_secret
        for name, seed in (("ews-seed.json", ews_seed), ("ia-seed.json", ia_seed)):
            with open(os.path.join(workdir, name), "w") as f:
                json.dump(seed, f, indent=1)
        self.ews_port = self._start(
            "EWS", "ews", [os.path.join(FAKES, "ews", "ews_server.py"), "--seed",
                           os.path.join(workdir, "ews-seed.json"), "--credentials-file",
                           os.path.join(sec, "ews-credentials")])
        self.ia_port = self._start(
            "InterAction", "ia", [os.path.join(FAKES, "interaction", "interaction_server.py"), "--seed",
                                  os.path.join(workdir, "ia-seed.json"), "--clients-file",
                                  os.path.join(sec, "ia-clients")])
        self.ews = "http://127.0.0.1:%d" % self.ews_port
        self.ia = "http://127.0.0.1:%d" % self.ia_port
        self.conf = os.path.join(workdir, "oisync.conf")
        self._write_config()

    def _start(self, what, tag, argv):
        port_file = os.path.join(self.dir, tag + ".port")
        log = open(os.path.join(self.dir, tag + ".log"), "ab")
        proc = subprocess.Popen([PYTHON] + argv + ["--port", "0", "--port-file", port_file],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
        log.close()
        self.procs.append(proc)
        return _wait_port(port_file, proc, what)

    def _write_config(self):
        with open(self.conf, "w") as f:
            f.write("""; written by bench/soak for its fakes
[global]
state_dir = state
users_file = users.conf
phone_region = US

[server ex1]
url = %s/EWS/Exchange.asmx
auth = basic
access = impersonation
username = svc-oisync
secret_file = secrets/ews.secret
retries = 3
timeout = 30
connect_timeout = 5

[interaction]
url = %s/api/v1
client_id = oisync
secret_file = secrets/interaction.secret
retries = 3
timeout = 30
connect_timeout = 5

[defaults]
conflict = newest-wins
""" % (self.ews, self.ia))
        self.write_users()

    def write_users(self):
        """The users file, with each user's settings (rewritten when they change)."""
        with open(os.path.join(self.dir, "users.conf"), "w") as f:
            for uid, mailbox in self.users:
                f.write("[user %s]\nmailbox = %s\nserver = ex1\nenabled = yes\n" % (uid, mailbox))
                for k, v in sorted(self.settings.get(uid, {}).items()):
                    f.write("%s = %s\n" % (k, v))
                f.write("\n")

    def alive(self):
        return all(p.poll() is None for p in self.procs)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    # ---- control endpoints

    @staticmethod
    def _call(base, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(base + "/_fake/" + path, data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with OPENER.open(req, timeout=HTTP_TIMEOUT) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raise FakeError("%s/_fake/%s: HTTP %d: %s" % (base, path, e.code,
                                                          e.read()[:300].decode("utf-8", "replace")))
        except OSError as e:
            raise FakeError("%s/_fake/%s: %s" % (base, path, e))
        return json.loads(raw) if raw.strip() else None

    def ews_ctl(self, path, body=None):
        return self._call(self.ews, path, body)

    def ia_ctl(self, path, body=None):
        return self._call(self.ia, path, body)

    def ews_soap(self, mailbox, body):
        """One EWS request as the mailbox's own Outlook would send it (the
        service account impersonating it); FakeError unless every response
        message says Success."""
        auth = base64.b64encode(("svc-oisync:%s" % self.ews_secret).encode()).decode()
        req = urllib.request.Request(
            self.ews + "/EWS/Exchange.asmx", data=(SOAP % (mailbox, body)).encode(),
            headers={"Content-Type": "text/xml; charset=utf-8", "Authorization": "Basic " + auth,
                     "X-AnchorMailbox": mailbox})
        try:
            with OPENER.open(req, timeout=HTTP_TIMEOUT) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raise FakeError("EWS: HTTP %d: %s" % (e.code, e.read()[:300].decode("utf-8", "replace")))
        except OSError as e:
            raise FakeError("EWS: %s" % e)
        for msg in ET.fromstring(raw).iter():
            if msg.get("ResponseClass") not in (None, "Success"):
                code = msg.find(MSG + "ResponseCode")
                raise FakeError("EWS: %s" % (code.text if code is not None else msg.get("ResponseClass")))
        return raw

    def ia_api(self, method, path, body=None):
        """One InterAction API request (/api/v1 + path) with the client's
        token, fetched once and again when refused."""
        for attempt in (0, 1):
            if self.ia_token is None:
                form = "grant_type=client_credentials&client_id=oisync&client_secret=" + self.ia_secret
                req = urllib.request.Request(self.ia + "/oauth/token", data=form.encode(), headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
                try:
                    with OPENER.open(req, timeout=HTTP_TIMEOUT) as r:
                        self.ia_token = json.loads(r.read())["access_token"]
                except (OSError, ValueError, KeyError) as e:
                    raise FakeError("InterAction token: %s" % e)
            data = None if body is None else json.dumps(body).encode()
            headers = {"Authorization": "Bearer " + self.ia_token}
            if data:
                headers["Content-Type"] = "application/json"
            req = urllib.request.Request(self.ia + "/api/v1" + path, data=data, method=method,
                                         headers=headers)
            try:
                with OPENER.open(req, timeout=HTTP_TIMEOUT) as r:
                    raw = r.read()
                return json.loads(raw) if raw.strip() else None
            except urllib.error.HTTPError as e:
                if e.code == 401 and attempt == 0:
                    self.ia_token = None
                    continue
                raise FakeError("InterAction %s %s: HTTP %d: %s" % (
                    method, path, e.code, e.read()[:300].decode("utf-8", "replace")))
            except OSError as e:
                raise FakeError("InterAction %s %s: %s" % (method, path, e))
        raise FakeError("InterAction %s %s: token refused twice" % (method, path))

    def set_faults(self, ews, ia):
        self.ews_ctl("faults", ews)
        self.ia_ctl("faults", ia)

    def clear_faults(self):
        self.set_faults({}, {})

    def faults_fired(self):
        return self.ews_ctl("stats").get("faults_fired", {})

    def holdings(self):
        """What both sides hold: Outlook contacts per mailbox, the InterAction
        firm contacts and each user's list (raw fake JSON)."""
        ews = self.ews_ctl("dump")["mailboxes"]
        ia = self.ia_ctl("dump")
        return ews, ia


def die(msg):
    sys.stderr.write("soak: %s\n" % msg)
    sys.exit(2)
