# ews_ntlm.py - server side of NTLM over HTTP for the fake EWS server (stdlib only).
"""NTLM authentication as IIS in front of Exchange does it, written from [MS-NLMP].

The handshake authenticates a connection: the client sends NEGOTIATE (type 1), the
server answers 401 with CHALLENGE (type 2), the client sends AUTHENTICATE (type 3) with
the request again, and from then on requests on that connection need no header.
NTLMv2 (with MIC when the client sends one), NTLMv1 and NTLMv1 with extended session
security ("NTLM2 session response") are verified. MD4, DES and RC4 are here in pure
Python: OpenSSL 3 no longer gives hashlib MD4, and the standard library has no DES.
"""

import base64
import hashlib
import hmac
import os
import struct

from fakeserver import CLOCK

M32 = 0xFFFFFFFF


# ---- MD4 (RFC 1320) ------------------------------------------------------------------
def _rotl(x, n):
    x &= M32
    return ((x << n) | (x >> (32 - n))) & M32


def md4(data):
    """The MD4 digest of data (bytes)."""
    msg = bytes(data)
    bits = (len(msg) * 8) & 0xFFFFFFFFFFFFFFFF
    msg += b"\x80" + b"\x00" * ((55 - len(msg)) % 64) + struct.pack("<Q", bits)
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476]
    r1, r2, r3 = (3, 7, 11, 19), (3, 5, 9, 13), (3, 9, 11, 15)
    o2 = (0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)
    o3 = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        a, b, c, d = h
        for i in range(16):
            f = (b & c) | (~b & d)
            a, b, c, d = d, _rotl(a + f + x[i], r1[i % 4]), b, c
        for i in range(16):
            g = (b & c) | (b & d) | (c & d)
            a, b, c, d = d, _rotl(a + g + x[o2[i]] + 0x5A827999, r2[i % 4]), b, c
        for i in range(16):
            a, b, c, d = d, _rotl(a + (b ^ c ^ d) + x[o3[i]] + 0x6ED9EBA1, r3[i % 4]), b, c
        h = [(v + w) & M32 for v, w in zip(h, (a, b, c, d))]
    return struct.pack("<4I", *h)


# ---- DES (FIPS 46-3), encryption of one block only: all NTLMv1 needs ------------------
_IP = (58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
       62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
       57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
       61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7)
_FP = tuple(_IP.index(i) + 1 for i in range(1, 65))
_E = (32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
      16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30,
      31, 32, 1)
_P = (16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
      2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25)
_PC1 = (57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
        10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4)
_PC2 = (14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8,
        16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
        44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32)
_SHIFTS = (1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1)
_S = (
    (14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
     0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
     4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
     15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13),
    (15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
     3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
     0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
     13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9),
    (10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
     13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
     13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
     1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12),
    (7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
     13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
     10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
     3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14),
    (2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
     14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
     4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
     11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3),
    (12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
     10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
     9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
     4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13),
    (4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
     13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
     1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
     6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12),
    (13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
     1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
     7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
     2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11),
)


def _permute(value, width, table):
    """Bit permutation, bits numbered from 1 at the most significant end as in FIPS 46."""
    out = 0
    for pos in table:
        out = (out << 1) | ((value >> (width - pos)) & 1)
    return out


def des_encrypt(key, block):
    """DES-encrypt one 8-byte block with an 8-byte key (parity bits ignored)."""
    k = _permute(int.from_bytes(key, "big"), 64, _PC1)
    c, d = k >> 28, k & 0xFFFFFFF
    subkeys = []
    for s in _SHIFTS:
        c = ((c << s) | (c >> (28 - s))) & 0xFFFFFFF
        d = ((d << s) | (d >> (28 - s))) & 0xFFFFFFF
        subkeys.append(_permute((c << 28) | d, 56, _PC2))
    v = _permute(int.from_bytes(block, "big"), 64, _IP)
    left, right = v >> 32, v & M32
    for sk in subkeys:
        x = _permute(right, 32, _E) ^ sk
        f = 0
        for i in range(8):
            six = (x >> (42 - 6 * i)) & 0x3F
            f = (f << 4) | _S[i][((six & 0x20) >> 4 | (six & 1)) * 16 + ((six >> 1) & 0xF)]
        left, right = right, left ^ _permute(f, 32, _P)
    return _permute((right << 32) | left, 64, _FP).to_bytes(8, "big")


def _des_key7(k7):
    """A 7-byte key spread over 8 bytes, 7 bits each, parity bit left 0."""
    n = int.from_bytes(k7, "big")
    return bytes(((n >> (49 - 7 * i)) & 0x7F) << 1 for i in range(8))


def desl(key16, data8):
    """DESL() of [MS-NLMP] 6: three DES blocks under the 16-byte key padded to 21."""
    k = key16 + b"\x00" * 5
    return b"".join(des_encrypt(_des_key7(k[i:i + 7]), data8) for i in (0, 7, 14))


def rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 0xFF
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for ch in data:
        i = (i + 1) & 0xFF
        j = (j + s[i]) & 0xFF
        s[i], s[j] = s[j], s[i]
        out.append(ch ^ s[(s[i] + s[j]) & 0xFF])
    return bytes(out)


def _hmac_md5(key, data):
    return hmac.new(key, data, hashlib.md5).digest()


# ---- one-way functions of [MS-NLMP] 3.3 ----------------------------------------------
def ntowfv1(password):
    return md4(password.encode("utf-16-le"))


def ntowfv2(password, user, domain):
    return _hmac_md5(ntowfv1(password), (user.upper() + domain).encode("utf-16-le"))


# ---- message layout ([MS-NLMP] 2.2) --------------------------------------------------
SIGNATURE = b"NTLMSSP\x00"
NEGOTIATE_UNICODE = 0x00000001
NEGOTIATE_OEM = 0x00000002
REQUEST_TARGET = 0x00000004
NEGOTIATE_SIGN = 0x00000010
NEGOTIATE_SEAL = 0x00000020
NEGOTIATE_LM_KEY = 0x00000080
NEGOTIATE_NTLM = 0x00000200
NEGOTIATE_ALWAYS_SIGN = 0x00008000
TARGET_TYPE_DOMAIN = 0x00010000
NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000
NEGOTIATE_TARGET_INFO = 0x00800000
NEGOTIATE_VERSION = 0x02000000
NEGOTIATE_128 = 0x20000000
NEGOTIATE_KEY_EXCH = 0x40000000
NEGOTIATE_56 = 0x80000000
# What the server grants when the client asks for it.
MIRRORED = (NEGOTIATE_SIGN | NEGOTIATE_SEAL | NEGOTIATE_EXTENDED_SESSIONSECURITY |
            NEGOTIATE_128 | NEGOTIATE_KEY_EXCH | NEGOTIATE_56)

AV_EOL, AV_NB_COMPUTER, AV_NB_DOMAIN, AV_DNS_COMPUTER, AV_DNS_DOMAIN, AV_DNS_TREE = range(6)
AV_FLAGS, AV_TIMESTAMP = 6, 7
AV_FLAG_MIC = 0x2
# Windows Server 2016, build 14393, NTLM revision 15: what Exchange 2016 hosts report.
VERSION = struct.pack("<BBH3xB", 10, 0, 14393, 15)
FILETIME_EPOCH = 116444736000000000  # 1601-01-01 to 1970-01-01 in 100 ns ticks


class NtlmError(ValueError):
    """A message that is not well-formed NTLM."""


def _field(msg, off):
    """The payload a (len, maxlen, offset) field at off points at."""
    if off + 8 > len(msg):
        raise NtlmError("message too short")
    n, _, start = struct.unpack_from("<HHI", msg, off)
    if n and (start < 8 or start + n > len(msg)):
        raise NtlmError("field outside the message")
    return msg[start:start + n] if n else b""


def av_pairs(data):
    """{AvId: value} of an AV_PAIR list, up to MsvAvEOL."""
    out, off = {}, 0
    while off + 4 <= len(data):
        av_id, n = struct.unpack_from("<HH", data, off)
        if av_id == AV_EOL:
            return out
        if off + 4 + n > len(data):
            raise NtlmError("AV pair outside the list")
        out[av_id] = data[off + 4:off + 4 + n]
        off += 4 + n
    raise NtlmError("AV pair list without MsvAvEOL")


def _av(av_id, value):
    return struct.pack("<HH", av_id, len(value)) + value


def filetime(now=None):
    t = CLOCK.time() if now is None else now
    return struct.pack("<Q", int(t * 10000000) + FILETIME_EPOCH)


def parse_negotiate(msg):
    """The flags of a NEGOTIATE_MESSAGE."""
    if len(msg) < 16 or msg[:8] != SIGNATURE or struct.unpack_from("<I", msg, 8)[0] != 1:
        raise NtlmError("not an NTLM NEGOTIATE message")
    return struct.unpack_from("<I", msg, 12)[0]


def build_challenge(client_flags, server_challenge, names, now=None):
    """A CHALLENGE_MESSAGE; names: nb_domain, nb_computer, dns_domain, dns_computer."""
    unicode = bool(client_flags & NEGOTIATE_UNICODE) or not client_flags & NEGOTIATE_OEM
    flags = (NEGOTIATE_UNICODE if unicode else NEGOTIATE_OEM) | NEGOTIATE_NTLM | \
        NEGOTIATE_ALWAYS_SIGN | NEGOTIATE_TARGET_INFO | NEGOTIATE_VERSION | \
        (client_flags & MIRRORED)
    if client_flags & REQUEST_TARGET:
        flags |= REQUEST_TARGET | TARGET_TYPE_DOMAIN
    enc = "utf-16-le" if unicode else "latin-1"
    target = names["nb_domain"].encode(enc)
    info = b"".join([
        _av(AV_NB_DOMAIN, names["nb_domain"].encode("utf-16-le")),
        _av(AV_NB_COMPUTER, names["nb_computer"].encode("utf-16-le")),
        _av(AV_DNS_DOMAIN, names["dns_domain"].encode("utf-16-le")),
        _av(AV_DNS_COMPUTER, names["dns_computer"].encode("utf-16-le")),
        _av(AV_DNS_TREE, names["dns_domain"].encode("utf-16-le")),
        _av(AV_TIMESTAMP, filetime(now)),
        _av(AV_EOL, b""),
    ])
    head = 56
    return (SIGNATURE + struct.pack("<I", 2) +
            struct.pack("<HHI", len(target), len(target), head) +
            struct.pack("<I", flags) + server_challenge + b"\x00" * 8 +
            struct.pack("<HHI", len(info), len(info), head + len(target)) +
            VERSION + target + info)


def parse_authenticate(msg):
    """The fields of an AUTHENTICATE_MESSAGE as a dict."""
    if len(msg) < 64 or msg[:8] != SIGNATURE or struct.unpack_from("<I", msg, 8)[0] != 3:
        raise NtlmError("not an NTLM AUTHENTICATE message")
    flags = struct.unpack_from("<I", msg, 60)[0]
    enc = "utf-16-le" if flags & NEGOTIATE_UNICODE else "latin-1"
    try:
        text = {name: _field(msg, off).decode(enc) for name, off in
                (("domain", 28), ("user", 36), ("workstation", 44))}
    except UnicodeDecodeError:
        raise NtlmError("a name is not valid text") from None
    return dict(text, flags=flags, lm=_field(msg, 12), nt=_field(msg, 20),
                session_key=_field(msg, 52))


# ---- verification ([MS-NLMP] 3.2.5.1.2, 3.3) -----------------------------------------
def _v2_key(password, user, domain, nt, server_challenge):
    """NTLMv2: the session base key when nt is the proof for these names, else None."""
    key = ntowfv2(password, user, domain)
    proof = _hmac_md5(key, server_challenge + nt[16:])
    if hmac.compare_digest(proof, nt[:16]):
        return _hmac_md5(key, proof)
    return None


def verify(password, auth, server_challenge, messages=None):
    """Check an AUTHENTICATE message's responses against password. auth is
    parse_authenticate()'s dict; messages (negotiate, challenge, authenticate bytes)
    lets a MIC be checked. Returns the protocol that matched ("NTLMv2", "NTLM2
    session", "NTLMv1") or None."""
    nt, lm, sc = auth["nt"], auth["lm"], server_challenge
    if len(nt) > 24:
        if len(nt) < 48 or nt[16:18] != b"\x01\x01":
            return None
        # Windows computes with the domain as sent, then with none (a local account).
        for dom in dict.fromkeys((auth["domain"], "")):
            base = _v2_key(password, auth["user"], dom, nt, sc)
            if base is not None:
                return "NTLMv2" if _mic_ok(auth, base, nt, messages) else None
        return None
    if len(nt) == 24:
        key = ntowfv1(password)
        ess = auth["flags"] & NEGOTIATE_EXTENDED_SESSIONSECURITY and len(lm) >= 8
        data = hashlib.md5(sc + lm[:8]).digest()[:8] if ess else sc
        if hmac.compare_digest(desl(key, data), nt):
            return "NTLM2 session" if ess else "NTLMv1"
        return None
    if len(lm) == 24:  # LMv2 alone: a client that sent no NT response
        key = ntowfv2(password, auth["user"], auth["domain"])
        if hmac.compare_digest(_hmac_md5(key, sc + lm[16:]), lm[:16]):
            return "LMv2"
    return None


def _mic_ok(auth, session_base_key, nt, messages):
    """The MIC, when the client's AV pairs say it sent one ([MS-NLMP] 3.2.5.1.2)."""
    try:
        pairs = av_pairs(nt[44:])
    except NtlmError:
        return False
    flags = struct.unpack("<I", pairs[AV_FLAGS])[0] if len(pairs.get(AV_FLAGS, b"")) == 4 else 0
    if not flags & AV_FLAG_MIC:
        return True
    if messages is None:
        return True
    negotiate, challenge, authenticate = messages
    if len(authenticate) < 88:
        return False
    key = session_base_key  # KeyExchangeKey for NTLMv2
    if auth["flags"] & NEGOTIATE_KEY_EXCH and len(auth["session_key"]) == 16:
        key = rc4(key, auth["session_key"])
    zeroed = authenticate[:72] + b"\x00" * 16 + authenticate[88:]
    mic = _hmac_md5(key, negotiate + challenge + zeroed)
    return hmac.compare_digest(mic, authenticate[72:88])


# ---- accounts --------------------------------------------------------------------------
def find_account(users, user, domain):
    """(principal, password) for the name an NTLM client sent, or None.

    users maps the names of the credentials file to passwords; a name there may be
    `DOMAIN\\user` (then the client's domain must match) or plain. The client's user
    may be `user`, `user@dns.domain` or, in the message's own fields, user plus
    domain. Names match case-insensitively; the principal is the file's name without
    its domain, so service-account grants keyed by it apply."""
    want = user.lower()
    cands = [(want, domain.lower())]
    if "@" in want:  # a UPN: the whole of it may be a file name (a mailbox), or its user
        u, _, d = want.partition("@")
        cands.append((u, d))
    for cu, cd in cands:
        for name, password in users.items():
            fdom, _, fuser = name.rpartition("\\")
            if fuser.lower() != cu:
                continue
            if fdom and cd and fdom.lower() not in (cd, cd.split(".")[0]):
                continue
            return fuser, password
    return None


# ---- the HTTP scheme --------------------------------------------------------------------
class NtlmAuth:
    """The fake's `Authorization: NTLM` scheme (same interface as ews_server's
    AuthScheme). State lives in the connection's dict: the pending handshake under
    "ntlm", and once it succeeded the connection's principal under "ntlm_principal"."""

    name = "NTLM"

    def __init__(self, users, names=None, log=None):
        self.users = users
        self.names = names or {"nb_domain": "FIRM", "nb_computer": "EXCH01",
                               "dns_domain": "firm.example",
                               "dns_computer": "exch01.firm.example"}
        self.log = log or (lambda msg: None)

    def challenge(self):
        return "NTLM" if self.users else None

    def connection_principal(self, conn_state):
        """Who authenticated this connection with NTLM, or None."""
        return conn_state.get("ntlm_principal")

    def check(self, value, conn_state):
        """(principal or None, extra 401 headers) for `Authorization: NTLM value`."""
        conn_state.pop("ntlm_principal", None)  # a new handshake starts over
        pending = conn_state.pop("ntlm", None)
        try:
            msg = base64.b64decode(value.strip(), validate=True)
        except ValueError:
            return None, []
        try:
            kind = struct.unpack_from("<I", msg, 8)[0] if msg[:8] == SIGNATURE else 0
            if kind == 1:
                flags = parse_negotiate(msg)
                sc = os.urandom(8)
                chal = build_challenge(flags, sc, self.names)
                conn_state["ntlm"] = {"negotiate": msg, "challenge": chal, "sc": sc}
                return None, [("WWW-Authenticate",
                               "NTLM " + base64.b64encode(chal).decode("ascii"))]
            if kind != 3 or pending is None:
                self.log("ntlm: %s without a pending challenge on this connection"
                         % ("AUTHENTICATE" if kind == 3 else "unknown message"))
                return None, []
            auth = parse_authenticate(msg)
        except (NtlmError, struct.error) as e:
            self.log("ntlm: bad message: %s" % e)
            return None, []
        acct = find_account(self.users, auth["user"], auth["domain"])
        if acct is None or not auth["user"]:
            self.log("ntlm: unknown user %r domain %r" % (auth["user"], auth["domain"]))
            return None, []
        principal, password = acct
        how = verify(password, auth, pending["sc"],
                     (pending["negotiate"], pending["challenge"], msg))
        if how is None:
            self.log("ntlm: wrong password (or MIC) for %r" % principal)
            return None, []
        self.log("ntlm: %s authenticated %r (%s)" % (auth["user"], principal, how))
        conn_state["ntlm_principal"] = principal
        return principal, []
