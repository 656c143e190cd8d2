#!/usr/bin/env bats
# ews_ntlm.bats - NTLM in the fake EWS server (tests/fakes/ews/ews_ntlm.py), proven against
# curl, an independent NTLM library (python3-ntlm-auth) and exchangelib
# (oisync-extract over NTLM: tests/extract_ntlm.bats).

load ../helper

# One server for the file (--verbose: the log tells how each client was
# authenticated), reset before every test; --auth tests start their own.
# Secrets exist only at run time, in 0600 files, never on a command line.
setup_file() {
	local pw
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	(umask 077
	 cd "$BATS_FILE_TMPDIR" || exit 1
	 printf '%s\n' "$pw" >pw
	 printf 'svc-oisync:%s\nFIRM\\svc-dom:dom-%s\nbearer:tok-%s\n' "$pw" "$pw" "$pw" >cred
	 printf '%s\n' "$pw" >ews.secret
	 printf 'ntlm\nuser = "FIRM\\\\svc-oisync:%s"\n' "$pw" >curl-ntlm
	 printf 'ntlm\nuser = "svc-oisync@firm.example:%s"\n' "$pw" >curl-upn
	 printf 'ntlm\nuser = "OTHER\\\\svc-dom:dom-%s"\n' "$pw" >curl-otherdom
	 printf 'ntlm\nuser = "svc-oisync:wrong-%s"\n' "$pw" >curl-bad
	 printf 'user = "svc-oisync:%s"\n' "$pw" >curl-basic)
	start_fake EWS ews/ews_server.py --seed "$FAKES/ews/seed_example.json" \
		--data-dir "$BATS_FILE_TMPDIR/data" --credentials-file "$BATS_FILE_TMPDIR/cred" --verbose
}

teardown_file() {
	stop_fake EWS
}

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	cp "$BATS_FILE_TMPDIR"/curl-* .
	printf '%s' '<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
 xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/><t:ExchangeImpersonation>
<t:ConnectingSID><t:PrimarySmtpAddress>alice@firm.example</t:PrimarySmtpAddress>
</t:ConnectingSID></t:ExchangeImpersonation></s:Header>
<s:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>
<m:FolderIds><t:DistinguishedFolderId Id="contacts"/></m:FolderIds></m:GetFolder></s:Body>
</s:Envelope>' >getfolder.xml
	use_fake EWS
	reset_fake EWS
	# What the shared fake logs from here on is this test's.
	LOG_FROM=$(($(wc -l <"$BATS_FILE_TMPDIR/EWS.log") + 1))
}

teardown() {
	stop_fake SOLO
}

# use_fake NAME: URL and CTL point at fake NAME.
use_fake() {
	local port="${1}_PORT"
	URL="http://127.0.0.1:${!port}/EWS/Exchange.asmx"
	CTL="http://127.0.0.1:${!port}/_fake"
}

# fake_log: what the file's fake logged during this test.
fake_log() {
	tail -n "+$LOG_FROM" "$BATS_FILE_TMPDIR/EWS.log"
}

post() { # CURLCFG [URL...]: POST getfolder.xml; the HTTP statuses on stdout
	local cfg=$1
	shift
	local urls=("$@")
	[ ${#urls[@]} -gt 0 ] || urls=("$URL")
	curl -s -o /dev/null -w '%{http_code}\n' -K "$cfg" -H 'Content-Type: text/xml; charset=utf-8' \
		--data-binary @getfolder.xml "${urls[@]}"
}

fake_stat() { curl -s "$CTL/stats" | jq -r ".$1"; }

@test "MD4 (RFC 1320), DES (FIPS 46) and the MS-NLMP 4.2 test vectors" {
	run "$PYTHON" - "$FAKES" <<'EOF'
import sys, hashlib
sys.path[:0] = [sys.argv[1] + "/ews", sys.argv[1]]
import ews_ntlm as n
for text, want in [("", "31d6cfe0d16ae931b73c59d7e0c089c0"),
                   ("a", "bde52cb31de33e46245e05fbdbd6fb24"),
                   ("abc", "a448017aaf21d8525fc10ae87aa6729d"),
                   ("message digest", "d9130a8164549fe818874806e1c7014b"),
                   ("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"),
                   ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                    "043f8582f241db351ce627e153e7f0e4"),
                   ("1234567890" * 8, "e33b4ddc9c38f2199c3e7b164fcc0536")]:
    assert n.md4(text.encode()).hex() == want, text
assert n.des_encrypt(bytes.fromhex("133457799bbcdff1"),
                     bytes.fromhex("0123456789abcdef")).hex() == "85e813540f0ab405"
# [MS-NLMP] 4.2: User "User", domain "Domain", password "Password".
sc, cc = bytes.fromhex("0123456789abcdef"), b"\xaa" * 8
nt = n.ntowfv1("Password")
assert nt.hex() == "a4f49c406510bdcab6824ee7c30fd852"
assert n.desl(nt, sc).hex() == "67c43011f30298a2ad35ece64f16331c44bdbed927841f94"  # 4.2.2
assert n.desl(nt, hashlib.md5(sc + cc).digest()[:8]).hex() == \
    "7537f803ae367128ca458204bde7caf81e97ed2683267232"  # 4.2.3
assert n.ntowfv2("Password", "User", "Domain").hex() == "0c868a403bfd7a93a3001ef22ef02e3f"
pairs = n._av(2, "Domain".encode("utf-16-le")) + n._av(1, "Server".encode("utf-16-le")) + n._av(0, b"")
temp = b"\x01\x01" + b"\0" * 14 + cc + b"\0" * 4 + pairs + b"\0" * 4
proof = bytes.fromhex("68cd0ab851e51c96aabc927bebef6a1c")  # 4.2.4.2.2
auth = {"user": "User", "domain": "Domain", "flags": 0, "lm": b"", "nt": proof + temp,
        "session_key": b""}
assert n.verify("Password", auth, sc) == "NTLMv2"
assert n.verify("Passw0rd", auth, sc) is None
v1 = dict(auth, nt=n.desl(nt, sc))
assert n.verify("Password", v1, sc) == "NTLMv1"
print("vectors ok")
EOF
	assert_success
	assert_output 'vectors ok'
}

@test "an independent client (python3-ntlm-auth): NTLMv1, NTLM2 session, NTLMv2 with MIC" {
	run "$PYTHON" - "$FAKES" "$BATS_FILE_TMPDIR/pw" <<'EOF'
import sys, base64
sys.path[:0] = [sys.argv[1] + "/ews", sys.argv[1]]
# cryptography's bindings load OpenSSL 3's legacy provider, which gives hashlib
# the MD4 that ntlm-auth needs (exchangelib imports it too).
from cryptography.hazmat.bindings.openssl.binding import Binding  # noqa: F401
from ntlm_auth.ntlm import NtlmContext
import ews_ntlm as n
pw = open(sys.argv[2]).read().strip()
srv = n.NtlmAuth({"svc-oisync": pw, "FIRM\\svc-dom": "d" + pw})

def login(user, dom, password, level, tamper=False):
    st, c = {}, NtlmContext(user, password, dom, ntlm_compatibility=level)
    principal, hdrs = srv.check(base64.b64encode(c.step()).decode(), st)
    assert principal is None and hdrs[0][1].startswith("NTLM "), hdrs
    t3 = bytearray(c.step(base64.b64decode(hdrs[0][1][5:])))
    if tamper:
        t3[80] ^= 1  # inside the MIC
    principal, _ = srv.check(base64.b64encode(bytes(t3)).decode(), st)
    assert principal == srv.connection_principal(st)
    return principal

for level in (0, 1, 2, 3):  # 0: NTLMv1, 1-2: NTLM2 session response, 3: NTLMv2
    assert login("svc-oisync", "FIRM", pw, level) == "svc-oisync", level
    assert login("SVC-OISYNC", "", pw, level) == "svc-oisync", level
    assert login("svc-oisync", "FIRM", "x" + pw, level) is None, level
    assert login("svc-dom", "firm", "d" + pw, level) == "svc-dom", level
    assert login("svc-dom", "OTHER", "d" + pw, level) is None, level
assert login("svc-oisync", "FIRM", pw, 3, tamper=True) is None
print("ntlm-auth ok")
EOF
	assert_success
	assert_output 'ntlm-auth ok'
}

@test "curl --ntlm: one handshake authenticates the connection; wrong password 401" {
	# Two requests on one keep-alive connection: the second carries no Authorization.
	run bash -c "curl -sv -o /dev/null -K curl-ntlm -H 'Content-Type: text/xml' \
		--data-binary @getfolder.xml '$URL' '$URL' 2>&1 | grep -cE '^> Authorization: NTLM'"
	assert_output 2
	run fake_stat auth_challenges
	assert_output 1
	run fake_stat operations.GetFolder
	assert_output 2
	fake_log | grep -q "authenticated 'svc-oisync' (NTLMv2)"

	run post curl-upn
	assert_output 200
	run post curl-bad
	assert_output 401
	run post curl-otherdom
	assert_output 401
	run fake_stat auth_failures
	assert_output 2
	# Unauthenticated: every enabled scheme is offered.
	run curl -s -D - -o /dev/null --data-binary @getfolder.xml "$URL"
	assert_output --partial 'WWW-Authenticate: NTLM'
	assert_output --partial 'WWW-Authenticate: Basic realm="EWS"'
	assert_output --partial 'WWW-Authenticate: Bearer realm="EWS"'
}

@test "--auth chooses the schemes offered" {
	start_fake SOLO ews/ews_server.py --seed "$FAKES/ews/seed_example.json" \
		--credentials-file "$BATS_FILE_TMPDIR/cred" --auth ntlm
	use_fake SOLO
	run post curl-basic
	assert_output 401
	run curl -s -D - -o /dev/null --data-binary @getfolder.xml "$URL"
	assert_output --partial 'WWW-Authenticate: NTLM'
	refute_output --partial 'Basic'
	refute_output --partial 'Bearer'
	run post curl-ntlm
	assert_output 200
	stop_fake SOLO
	start_fake SOLO ews/ews_server.py --seed "$FAKES/ews/seed_example.json" \
		--credentials-file "$BATS_FILE_TMPDIR/cred" --auth basic
	use_fake SOLO
	run post curl-ntlm
	assert_output 401
	run post curl-basic
	assert_output 200
	run "$PYTHON" "$FAKES/ews/ews_server.py" --seed x --auth basic,kerberos
	assert_failure 2
	assert_output --partial 'unknown authentication scheme kerberos'
}

@test "exchangelib with auth_type=NTLM creates and reads a contact" {
	run timeout 60 "$PYTHON" - "$URL" "$BATS_FILE_TMPDIR/ews.secret" <<'EOF'
import sys
from exchangelib import (Account, Configuration, Credentials, NTLM, IMPERSONATION,
                         Version, Build, Contact)
from exchangelib.indexed_properties import EmailAddress
secret = open(sys.argv[2]).read().strip()
cfg = Configuration(service_endpoint=sys.argv[1], auth_type=NTLM,
                    credentials=Credentials("FIRM\\svc-oisync", secret),
                    version=Version(build=Build(15, 1)))
acc = Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
              config=cfg, autodiscover=False)
c = Contact(folder=acc.contacts, display_name="Nina Tlm", given_name="Nina", surname="Tlm",
            email_addresses=[EmailAddress(label="EmailAddress1", email="nina@tlm.example")])
c.save()
back = acc.contacts.get(id=c.id)
assert (back.given_name, back.surname) == ("Nina", "Tlm"), back
assert back.email_addresses[0].email == "nina@tlm.example"
print("exchangelib ntlm ok")
EOF
	assert_success
	assert_output --partial 'exchangelib ntlm ok'
	fake_log | grep -q "authenticated 'svc-oisync' (NTLMv2)"
	run bash -c "curl -s '$CTL/dump?mailbox=$ALICE' | jq -r '.contacts[].Surname' | grep -c Tlm"
	assert_output 1
}

@test "a reset forgets the connections NTLM authenticated" {
	run "$PYTHON" - "$EWS_PORT" "$BATS_FILE_TMPDIR/pw" "$T/getfolder.xml" <<'EOF'
import base64, http.client, sys
# cryptography's bindings load OpenSSL 3's legacy provider (MD4 for ntlm-auth).
from cryptography.hazmat.bindings.openssl.binding import Binding  # noqa: F401
from ntlm_auth.ntlm import NtlmContext
port, pw = int(sys.argv[1]), open(sys.argv[2]).read().strip()
body = open(sys.argv[3], "rb").read()
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
def post(path, data, auth=None):
    hdrs = {"Content-Type": "text/xml; charset=utf-8"}
    if auth:
        hdrs["Authorization"] = auth
    conn.request("POST", path, body=data, headers=hdrs)
    r = conn.getresponse()
    r.read()
    return r
ctx = NtlmContext("svc-oisync", pw, "FIRM", ntlm_compatibility=3)
r = post("/EWS/Exchange.asmx", body, "NTLM " + base64.b64encode(ctx.step()).decode())
assert r.status == 401, r.status
chal = base64.b64decode(r.getheader("WWW-Authenticate")[5:])
r = post("/EWS/Exchange.asmx", body, "NTLM " + base64.b64encode(ctx.step(chal)).decode())
assert r.status == 200, r.status
assert post("/EWS/Exchange.asmx", body).status == 200      # the connection is authenticated
assert post("/_fake/reset", b"{}").status == 200             # on that same connection
assert post("/EWS/Exchange.asmx", body).status == 401      # as if it were a new one
print("forgotten")
EOF
	assert_success
	assert_output forgotten
	run fake_stat auth_failures
	assert_output 1
}
