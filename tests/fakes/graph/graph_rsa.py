# graph_rsa.py - RSA signature checks of the Graph fake's token endpoint (stdlib only).
"""What the token endpoint needs to check a certificate-signed client assertion:
PEM and minimal DER parsing (an X.509 certificate, a SubjectPublicKeyInfo or a
PKCS#1 RSAPublicKey), certificate thumbprints (x5t, x5t#S256), and RS256
(RSASSA-PKCS1-v1_5) and PS256 (RSASSA-PSS, MGF1-SHA256) verification with pow()
on the public modulus and exponent (RFC 8017). Python's standard library has no
RSA; verification needs only the public key, so this is all of it.

Never used to sign: the private keys are the clients' (made by the tests at run
time with openssl)."""

import base64
import hashlib
import hmac
import re

RSA_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1 rsaEncryption
# DER of DigestInfo{sha256} up to the hash (RFC 8017 9.2 note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
PEM_RE = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.S)


class KeyProblem(ValueError):
    """A certificate or key the fake cannot use."""


def pem_blocks(text):
    """[(label, DER bytes)] of every PEM block in text."""
    out = []
    for label, body in PEM_RE.findall(text):
        try:
            out.append((label, base64.b64decode("".join(body.split()), validate=True)))
        except ValueError:
            raise KeyProblem("a %s PEM block is not base64" % label) from None
    return out


def _tlv(data, pos):
    """(tag, start of the value, end of the value) of the DER element at pos."""
    if pos + 2 > len(data):
        raise KeyProblem("truncated DER")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            raise KeyProblem("bad DER length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    if pos + length > len(data):
        raise KeyProblem("truncated DER")
    return tag, pos, pos + length


def _children(data, start, end):
    """The (tag, start, end) of each element inside a constructed value."""
    out = []
    while start < end:
        tag, s, e = _tlv(data, start)
        out.append((tag, s, e))
        start = e
    return out


def _rsa_public_key(data, start, end):
    """(n, e) of a PKCS#1 RSAPublicKey SEQUENCE {n INTEGER, e INTEGER}."""
    tag, s, e = _tlv(data, start)
    if tag != 0x30 or e > end:
        raise KeyProblem("an RSAPublicKey is a SEQUENCE")
    parts = _children(data, s, e)
    if len(parts) != 2 or any(p[0] != 0x02 for p in parts):
        raise KeyProblem("an RSAPublicKey holds two INTEGERs")
    n, ex = (int.from_bytes(data[ps:pe], "big") for _, ps, pe in parts)
    if n < 2 ** 1023 or ex < 3:
        raise KeyProblem("the RSA key is under 1024 bits or its exponent is bad")
    return n, ex


def _spki(data, start, end):
    """(n, e) of a SubjectPublicKeyInfo SEQUENCE {AlgorithmIdentifier, BIT STRING}."""
    parts = _children(data, start, end)
    if len(parts) != 2 or parts[0][0] != 0x30 or parts[1][0] != 0x03:
        raise KeyProblem("not a SubjectPublicKeyInfo")
    alg = _children(data, parts[0][1], parts[0][2])
    if not alg or alg[0][0] != 0x06 or data[alg[0][1]:alg[0][2]] != RSA_OID:
        raise KeyProblem("not an RSA public key")
    _, bs, be = parts[1]
    if data[bs] != 0:
        raise KeyProblem("the key's BIT STRING has unused bits")
    return _rsa_public_key(data, bs + 1, be)


def cert_public_key(der):
    """(n, e) of an X.509 certificate's RSA key: Certificate{tbsCertificate{[0]
    version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo,
    ...}, ...}."""
    tag, s, e = _tlv(der, 0)
    if tag != 0x30:
        raise KeyProblem("a certificate is a SEQUENCE")
    tbs = _children(der, s, e)[0]
    fields = _children(der, tbs[1], tbs[2])
    if fields and fields[0][0] == 0xA0:  # explicit version tag
        fields = fields[1:]
    if len(fields) < 6:
        raise KeyProblem("a tbsCertificate too short")
    _, ks, ke = fields[5]
    return _spki(der, ks, ke)


class PublicKey:
    """A registered key: (n, e) and the thumbprints a JWT header names it by."""

    def __init__(self, n, e, sha1=None, sha256=None):
        self.n, self.e = n, e
        self.sha1, self.sha256 = sha1, sha256  # of the certificate's DER (bytes)

    @property
    def x5t(self):
        return b64url(self.sha1) if self.sha1 else None

    @property
    def x5t_s256(self):
        return b64url(self.sha256) if self.sha256 else None


def load_key(pem, thumbprint=None):
    """The PublicKey of a PEM certificate (thumbprints computed from its DER), or of
    a PEM public key ("PUBLIC KEY" or "RSA PUBLIC KEY") with the certificate's
    SHA-1 thumbprint given in hex, as the Azure portal shows it."""
    blocks = pem_blocks(pem)
    if not blocks:
        raise KeyProblem("no PEM block")
    label, der = blocks[0]
    if label == "CERTIFICATE":
        n, e = cert_public_key(der)
        return PublicKey(n, e, hashlib.sha1(der).digest(), hashlib.sha256(der).digest())
    if label == "PUBLIC KEY":
        tag, s, end = _tlv(der, 0)
        n, e = _spki(der, s, end)
    elif label == "RSA PUBLIC KEY":
        n, e = _rsa_public_key(der, 0, len(der))
    else:
        raise KeyProblem("a %s is neither a certificate nor a public key" % label)
    if not thumbprint or not re.fullmatch(r"[0-9A-Fa-f]{40}", thumbprint):
        raise KeyProblem("a bare public key needs its certificate's SHA-1 thumbprint "
                         "(40 hex digits)")
    return PublicKey(n, e, bytes.fromhex(thumbprint))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mgf1(seed, length):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def verify(key, alg, message, signature):
    """True when signature is key's RS256 or PS256 signature of message (bytes)."""
    k = (key.n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    m = pow(s, key.e, key.n)
    digest = hashlib.sha256(message).digest()
    if alg == "RS256":
        em = m.to_bytes(k, "big")
        t = SHA256_DIGEST_INFO + digest
        want = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        return hmac.compare_digest(em, want)
    if alg == "PS256":
        return _pss_verify(m, key.n.bit_length() - 1, digest)
    return False


def _pss_verify(m, em_bits, digest):
    """EMSA-PSS-VERIFY (RFC 8017 9.1.2) with SHA-256 and any salt length."""
    h_len = 32
    em_len = (em_bits + 7) // 8
    if m.bit_length() > em_bits or em_len < h_len + 2:
        return False
    em = m.to_bytes(em_len, "big")
    if em[-1] != 0xBC:
        return False
    masked, h = em[:em_len - h_len - 1], em[em_len - h_len - 1:-1]
    top = 8 * em_len - em_bits
    if top and masked[0] >> (8 - top):
        return False  # the bits above emBits must be zero
    db = bytes(a ^ b for a, b in zip(masked, _mgf1(h, len(masked))))
    db = bytes([db[0] & (0xFF >> top)]) + db[1:]
    i = 0
    while i < len(db) and db[i] == 0:
        i += 1
    if i == len(db) or db[i] != 1:
        return False
    salt = db[i + 1:]
    return hmac.compare_digest(h, hashlib.sha256(b"\x00" * 8 + digest + salt).digest())
