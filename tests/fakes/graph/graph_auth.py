# graph_auth.py - the Graph fake's Microsoft identity platform: apps, tokens, access.
"""OAuth 2.0 client credentials as the Microsoft identity platform serves them at
POST /{tenant}/oauth2/v2.0/token (scope https://graph.microsoft.com/.default):
the app proves itself with a client secret (client_secret in the form, or HTTP
Basic) or with a certificate, a JWT client assertion (client_assertion_type
urn:ietf:params:oauth:client-assertion-type:jwt-bearer) signed RS256 with the
header x5t (the certificate's SHA-1 thumbprint) or PS256 with x5t#S256 (SHA-256),
checked against the certificates registered for the app in the seed (graph_rsa).
Errors are the platform's JSON: {"error", "error_description": "AADSTS...",
"error_codes", "timestamp", "trace_id", "correlation_id"}.

Access tokens are Bearer, JWT-shaped (the claims a Graph app-only token has) but
only this server's to check: it remembers what it issued and until when
(expires_in, by fakeserver.CLOCK). Graph answers a missing, unknown or expired
token with 401 InvalidAuthenticationToken.

The seed's "apps" say which mailboxes each app may open (an application access
policy, or RBAC for Applications, scoping the app) and which application
permissions (roles) it has."""

import base64
import hashlib
import hmac
import json
import os
import re
import sys
import uuid
from urllib.parse import parse_qs

import graph_rsa
from fakeserver import CLOCK
from graph_odata import GraphError

GRAPH_RESOURCES = ("https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALL_ROLES = ["Contacts.ReadWrite", "Calendars.ReadWrite", "Mail.ReadWrite", "User.Read.All"]
DEFAULT_TENANT = "6f1e0c5a-3b0d-4c8e-9f4a-0a1b2c3d4e5f"
CLOCK_SKEW = 300  # seconds a client assertion's times may be off, as the platform allows


class AadError(Exception):
    """An error of the token endpoint."""

    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description

    def body(self):
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = CLOCK.now().strftime("%Y-%m-%d %H:%M:%SZ")
        return {"error": self.error,
                "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                                     % (self.code, self.description, trace, corr, stamp),
                "error_codes": [self.code], "timestamp": stamp, "trace_id": trace,
                "correlation_id": corr,
                "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.code}


class App:
    def __init__(self, client_id, spec):
        self.client_id = client_id
        self.name = spec.get("displayName", client_id)
        self.secrets = []
        self.keys = []
        for c in spec.get("certificates", []):
            if isinstance(c, str):
                c = {"pem": c}
            if not isinstance(c, dict) or set(c) - {"pem", "file", "thumbprint"}:
                raise ValueError("app %s: a certificate is a PEM string or {pem|file, thumbprint}"
                                 % client_id)
            pem = c.get("pem")
            if pem is None:
                with open(c["file"], encoding="ascii") as f:
                    pem = f.read()
            try:
                self.keys.append(graph_rsa.load_key(pem, c.get("thumbprint")))
            except graph_rsa.KeyProblem as e:
                raise ValueError("app %s: %s" % (client_id, e)) from None
        boxes = spec.get("mailboxes", "*")
        if boxes != "*" and (not isinstance(boxes, list) or
                             not all(isinstance(b, str) for b in boxes)):
            raise ValueError("app %s: mailboxes is \"*\" or a list of users" % client_id)
        self.mailboxes = None if boxes == "*" else {b.lower() for b in boxes}
        roles = spec.get("roles", ALL_ROLES)
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError("app %s: roles is a list of permission names" % client_id)
        self.roles = set(roles)
        unknown = set(spec) - {"displayName", "certificates", "mailboxes", "roles"}
        if unknown:
            raise ValueError("app %s: unknown key %s" % (client_id, sorted(unknown)[0]))

    def may_open(self, mbx):
        return self.mailboxes is None or mbx.upn.lower() in self.mailboxes \
            or mbx.id.lower() in self.mailboxes

    def has_role(self, area, write):
        """Whether the app holds AREA.ReadWrite (or AREA.Read to read)."""
        return ("%s.ReadWrite" % area in self.roles
                or (not write and "%s.Read" % area in self.roles))


def read_secrets(path):
    """{client id: [secrets]} of a credentials file: lines CLIENT_ID:SECRET."""
    out = {}
    if st_mode_open(path):
        print("graph_server: warning: '%s' is readable by others" % path, file=sys.stderr)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            cid, sep, secret = line.partition(":")
            if not sep or not cid or not secret:
                raise ValueError("%s:%d: expected CLIENT_ID:SECRET" % (path, n))
            out.setdefault(cid, []).append(secret)
    return out


def st_mode_open(path):
    return bool(os.stat(path).st_mode & 0o077)


class Auth:
    """Apps, tenant and issued tokens. `open` (no credentials file and no apps in
    the seed): any client id gets a token with a secret, and may open every mailbox."""

    def __init__(self, credentials_file, ttl):
        self.ttl = ttl
        self.secrets = read_secrets(credentials_file) if credentials_file else {}
        self.tokens = {}      # token -> (client id, expiry in CLOCK seconds)
        self.apps = {}
        self.tenant = DEFAULT_TENANT
        self.domains = set()
        self.open = True

    def configure(self, seed, directory):
        """The seed's tenant and apps (at start and at every reset)."""
        tenant = seed.get("tenant") or {}
        if not isinstance(tenant, dict) or set(tenant) - {"id", "domains"}:
            raise ValueError('tenant is {"id": GUID, "domains": [...]}')
        self.tenant = tenant.get("id", DEFAULT_TENANT).lower()
        self.domains = {d.lower() for d in tenant.get("domains", [])}
        self.domains |= {m.upn.split("@")[1].lower() for m in directory.mailboxes.values()}
        apps = seed.get("apps") or {}
        if not isinstance(apps, dict):
            raise ValueError("apps is {CLIENT_ID: {...}}")
        self.apps = {cid: App(cid, spec) for cid, spec in apps.items()}
        for cid in self.secrets:
            self.apps.setdefault(cid, App(cid, {}))
        for cid, app in self.apps.items():
            app.secrets = self.secrets.get(cid, [])
        self.open = not self.apps
        self.tokens = {}

    # -- the token endpoint
    def token(self, tenant, raw_form, headers, endpoint_urls, stats):
        """The reply to POST /{tenant}/oauth2/v2.0/token; AadError when refused."""
        if tenant.lower() not in {self.tenant} | self.domains:
            raise AadError(400, "invalid_request", 90002,
                           "Tenant '%s' not found. Check to make sure you have the correct "
                           "tenant ID and are signing into the correct cloud." % tenant)
        ctype = headers.get("Content-Type", "")
        form = {}
        if "application/x-www-form-urlencoded" in ctype.lower():
            try:
                form = {k: v[-1] for k, v in parse_qs(raw_form.decode("utf-8"),
                                                      keep_blank_values=True).items()}
            except UnicodeDecodeError:
                form = {}
        for name in ("grant_type", "client_id", "scope"):
            if not form.get(name):
                raise AadError(400, "invalid_request", 900144,
                               "The request body must contain the following parameter: '%s'."
                               % name)
        if form["grant_type"] != "client_credentials":
            raise AadError(400, "unsupported_grant_type", 70003,
                           "The app requested an unsupported grant type '%s'."
                           % form["grant_type"])
        self._check_scope(form["scope"])
        cid = form["client_id"]
        basic = headers.get("Authorization", "")
        secret = form.get("client_secret")
        if basic.lower().startswith("basic "):
            try:
                bid, _, secret = base64.b64decode(basic[6:].strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                bid = None
            if bid != cid:
                raise AadError(401, "invalid_client", 7000215, "Invalid client secret provided.")
        app = self.apps.get(cid)
        if app is None and not self.open:
            raise AadError(400, "unauthorized_client", 700016,
                           "Application with identifier '%s' was not found in the directory "
                           "'%s'." % (cid, tenant))
        if form.get("client_assertion") is not None or form.get("client_assertion_type"):
            if app is None:
                app = App(cid, {})
            self._check_assertion(app, form, endpoint_urls)
        elif secret is not None:
            if app is not None and not any(hmac.compare_digest(s.encode(), secret.encode())
                                           for s in app.secrets):
                raise AadError(401, "invalid_client", 7000215,
                               "Invalid client secret provided. Ensure the secret being sent in "
                               "the request is the client secret value, not the client secret "
                               "ID, for a secret added to app '%s'." % cid)
            app = app or App(cid, {})
        else:
            raise AadError(401, "invalid_client", 7000218,
                           "The request body must contain the following parameter: "
                           "'client_assertion' or 'client_secret'.")
        stats.count("tokens_issued", cid)
        return self._issue(app)

    @staticmethod
    def _check_scope(scope):
        scopes = [s for s in scope.split() if s not in ("openid", "profile", "offline_access")]
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            raise AadError(400, "invalid_scope", 1002012,
                           "The provided value for scope %s is not valid. Client credential "
                           "flows must have a scope value with /.default suffixed to the "
                           "resource identifier (application ID URI)." % scope)
        resource = scopes[0][:-len("/.default")].rstrip("/")
        if resource.lower() not in GRAPH_RESOURCES:
            raise AadError(400, "invalid_resource", 500011,
                           "The resource principal named %s was not found in the tenant."
                           % resource)

    def _check_assertion(self, app, form, endpoint_urls):
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise AadError(400, "invalid_request", 50027,
                           "client_assertion_type must be %s." % ASSERTION_TYPE)
        parts = (form.get("client_assertion") or "").split(".")
        try:
            header = json.loads(graph_rsa.b64url_decode(parts[0]))
            claims = json.loads(graph_rsa.b64url_decode(parts[1]))
            signature = graph_rsa.b64url_decode(parts[2])
            if len(parts) != 3 or not isinstance(header, dict) or not isinstance(claims, dict):
                raise ValueError("not a JWS")
        except (ValueError, IndexError):
            raise AadError(400, "invalid_request", 50027,
                           "JWT token is invalid or malformed.") from None
        alg = header.get("alg")
        if alg == "RS256":
            key = next((k for k in app.keys if k.x5t and k.x5t == header.get("x5t")), None)
        elif alg == "PS256":
            key = next((k for k in app.keys if k.x5t_s256 and
                        k.x5t_s256 == header.get("x5t#S256")), None)
        else:
            raise AadError(401, "invalid_client", 5002738,
                           "The client assertion's alg '%s' is not supported: use RS256 with "
                           "x5t or PS256 with x5t#S256." % alg)
        if key is None:
            raise AadError(401, "invalid_client", 700027,
                           "The certificate with identifier used to sign the client assertion "
                           "is not registered on application. [Reason - The key was not "
                           "found.]")
        signing_input = ("%s.%s" % (parts[0], parts[1])).encode("ascii")
        if not graph_rsa.verify(key, alg, signing_input, signature):
            raise AadError(401, "invalid_client", 700027,
                           "Client assertion failed signature validation.")
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            raise AadError(401, "invalid_client", 700021,
                           "Client assertion application identifier doesn't match "
                           "'client_id' parameter.")
        if claims.get("aud") not in endpoint_urls:
            raise AadError(401, "invalid_client", 700212,
                           "No matching federated identity record found for presented "
                           "assertion audience '%s'." % claims.get("aud"))
        now = CLOCK.time()
        exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat", now))
        if not isinstance(exp, (int, float)) or not isinstance(nbf, (int, float)) \
                or exp + CLOCK_SKEW < now or nbf - CLOCK_SKEW > now:
            raise AadError(401, "invalid_client", 700024,
                           "Client assertion is not within its valid time range.")

    def _issue(self, app):
        now = int(CLOCK.time())
        oid = str(uuid.UUID(bytes=hashlib.sha256(app.client_id.encode()).digest()[:16], version=4))
        claims = {"aud": "https://graph.microsoft.com",
                  "iss": "https://sts.windows.net/%s/" % self.tenant, "iat": now, "nbf": now,
                  "exp": now + self.ttl, "app_displayname": app.name, "appid": app.client_id,
                  "appidacr": "2" if app.keys else "1", "idtyp": "app", "oid": oid,
                  "roles": sorted(app.roles), "sub": oid, "tid": self.tenant, "ver": "1.0"}
        head = graph_rsa.b64url(json.dumps({"typ": "JWT", "alg": "RS256", "x5t": "oisync-fake"})
                                .encode())
        token = "%s.%s.%s" % (head, graph_rsa.b64url(json.dumps(claims).encode()),
                              graph_rsa.b64url(os.urandom(32)))
        for t in [t for t, (_, exp) in self.tokens.items() if exp <= now]:
            del self.tokens[t]
        self.tokens[token] = (app.client_id, now + self.ttl)
        return {"token_type": "Bearer", "expires_in": self.ttl, "ext_expires_in": self.ttl,
                "access_token": token}

    # -- Graph requests
    def check(self, header):
        """The App of a request's bearer token; GraphError 401 otherwise."""
        challenge = {"WWW-Authenticate": 'Bearer realm="", authorization_uri='
                     '"https://login.microsoftonline.com/common/oauth2/authorize", '
                     'client_id="00000003-0000-0000-c000-000000000000"'}
        scheme, _, token = (header or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.",
                             challenge)
        entry = self.tokens.get(token)
        if entry is None:
            msg = ("IDX14100: JWT is not well formed, there are no dots (.)."
                   if "." not in token else "Access token validation failure. Invalid audience.")
            raise GraphError(401, "InvalidAuthenticationToken", msg, challenge)
        cid, exp = entry
        if exp <= CLOCK.time():
            raise GraphError(401, "InvalidAuthenticationToken",
                             "Lifetime validation failed, the token is expired.", challenge)
        return self.apps.get(cid) or App(cid, {})

    def openid_configuration(self, base, tenant):
        """The tenant's OpenID Connect metadata (GET /{tenant}/v2.0/.well-known/...)."""
        t = self.tenant
        return {"token_endpoint": "%s/%s/oauth2/v2.0/token" % (base, tenant),
                "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                          "private_key_jwt",
                                                          "client_secret_basic"],
                "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base, tenant),
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token",
                                             "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": "%s/%s/v2.0" % (base, t),
                "request_uri_parameter_supported": False,
                "authorization_endpoint": "%s/%s/oauth2/v2.0/authorize" % (base, tenant),
                "device_authorization_endpoint": "%s/%s/oauth2/v2.0/devicecode" % (base, tenant),
                "end_session_endpoint": "%s/%s/oauth2/v2.0/logout" % (base, tenant),
                "tenant_region_scope": "EU", "cloud_instance_name": "microsoftonline.com"}


TENANT_RE = re.compile(r"^/([^/]+)/oauth2/v2\.0/token/?$")
OPENID_RE = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration/?$")
