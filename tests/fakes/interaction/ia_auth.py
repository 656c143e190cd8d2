# ia_auth.py - OAuth client credentials and bearer tokens of the InterAction fake.
"""The token endpoint's clients and the bearer tokens of the InterAction
reference server (interaction_server.py). Python 3 standard library only."""

import os
import secrets
import sys

from fakeserver import CLOCK
from ia_model import ApiError


class Auth:
    def __init__(self, clients_file, ttl):
        self.ttl = ttl
        self.open = clients_file is None
        self.clients = {}
        self.static = set()
        self.tokens = {}          # token -> expiry (fakeserver.CLOCK seconds)
        self.token_client = {}    # token -> the client id it was issued to
        if clients_file:
            st = os.stat(clients_file)
            if st.st_mode & 0o077:
                print("interaction_server: warning: '%s' is readable by others"
                      % clients_file, file=sys.stderr)
            with open(clients_file, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    cid, sep, secret = line.partition(":")
                    if not sep or not cid or not secret:
                        raise ValueError("%s:%d: expected ID:SECRET" % (clients_file, n))
                    if cid == "token":
                        self.static.add(secret)
                    else:
                        self.clients[cid] = secret

    def reset(self):
        """Forget every issued token (POST /_fake/reset)."""
        self.tokens.clear()
        self.token_client.clear()

    def issue(self, client_id, client_secret):
        if not self.open:
            want = self.clients.get(client_id)
            if want is None or not secrets.compare_digest(want, client_secret or ""):
                raise ApiError(401, "invalid_client", "unknown client or wrong secret")
        now = CLOCK.time()
        for t in [t for t, exp in self.tokens.items() if exp <= now]:
            del self.tokens[t]
            self.token_client.pop(t, None)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = now + self.ttl
        self.token_client[token] = client_id
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl}

    def check(self, header):
        """The client id of a valid bearer token (None: a static token or an
        open server); 401 otherwise."""
        if self.open:
            return None
        scheme, _, token = (header or "").strip().partition(" ")
        token = token.strip()
        ok = False
        if scheme.lower() == "bearer" and token:
            if token in self.static:
                ok = True
            else:
                exp = self.tokens.get(token)
                ok = exp is not None and exp > CLOCK.time()
        if not ok:
            raise ApiError(401, "unauthorized",
                           "missing, unknown or expired bearer token",
                           {"WWW-Authenticate": 'Bearer realm="interaction"'})
        return self.token_client.get(token)
