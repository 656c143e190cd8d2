#!/usr/bin/env bats
# ews_ntlm.bats - NTLM in the fake EWS server (tests/fakes/ews/ews_ntlm.py), proven against
# curl, an independent NTLM library (python3-ntlm-auth), exchangelib and oisync-extract.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

FAKES="$BATS_TEST_DIRNAME/fakes/ews"
CLIENTS="$BATS_TEST_DIRNAME/clients"
: "${OISYNC_BUILD:=$BATS_TEST_DIRNAME/../build}"
BIN="$OISYNC_BUILD/bin"
ALICE=alice@firm.example

start_fake() { # [extra args...]
	rm -f "$T/port"
	/usr/bin/python3 "$FAKES/ews_server.py" --port 0 --port-file "$T/port" \
		--seed "$FAKES/seed_example.json" --data-dir "$T/data" \
		--credentials-file "$T/cred" --verbose "$@" 2>>"$T/fake.log" &
	FAKE_PID=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	[ -s "$T/port" ] || { cat "$T/fake.log" >&2; return 1; }
	PORT=$(cat "$T/port")
	URL="http://127.0.0.1:$PORT/EWS/Exchange.asmx"
	CTL="http://127.0.0.1:$PORT/_fake"
}

setup() {
	export LC_ALL=C
	T="$BATS_TEST_TMPDIR"
	cd "$T"
	# Secrets exist only at run time, in 0600 files, never on a command line.
	umask 077
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf 'svc-oisync:%s\nFIRM\\svc-dom:dom-%s\nbearer:tok-%s\n' "$pw" "$pw" "$pw" >cred
	printf '%s\n' "$pw" >ews.secret
	printf 'wrong-%s\n' "$pw" >bad.secret
	printf 'ntlm\nuser = "FIRM\\\\svc-oisync:%s"\n' "$pw" >curl-ntlm
	printf 'ntlm\nuser = "svc-oisync@firm.example:%s"\n' "$pw" >curl-upn
	printf 'ntlm\nuser = "OTHER\\\\svc-dom:dom-%s"\n' "$pw" >curl-otherdom
	printf 'ntlm\nuser = "svc-oisync:wrong-%s"\n' "$pw" >curl-bad
	printf 'user = "svc-oisync:%s"\n' "$pw" >curl-basic
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
	start_fake
}

teardown() {
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	return 0
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
	run /usr/bin/python3 - "$FAKES" <<'EOF'
import sys, hashlib
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/.."]
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
	run /usr/bin/python3 - "$FAKES" "$pw" <<'EOF'
import sys, base64
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/.."]
# cryptography's bindings load OpenSSL 3's legacy provider, which gives hashlib
# the MD4 that ntlm-auth needs (exchangelib imports it too).
from cryptography.hazmat.bindings.openssl.binding import Binding  # noqa: F401
from ntlm_auth.ntlm import NtlmContext
import ews_ntlm as n
pw = sys.argv[2]
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
	grep -q "authenticated 'svc-oisync' (NTLMv2)" fake.log

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
	teardown
	start_fake --auth ntlm
	run post curl-basic
	assert_output 401
	run curl -s -D - -o /dev/null --data-binary @getfolder.xml "$URL"
	assert_output --partial 'WWW-Authenticate: NTLM'
	refute_output --partial 'Basic'
	refute_output --partial 'Bearer'
	run post curl-ntlm
	assert_output 200
	teardown
	start_fake --auth basic
	run post curl-ntlm
	assert_output 401
	run post curl-basic
	assert_output 200
	run /usr/bin/python3 "$FAKES/ews_server.py" --seed x --auth basic,kerberos
	assert_failure 2
	assert_output --partial 'unknown authentication scheme kerberos'
}

@test "exchangelib with auth_type=NTLM creates and reads a contact" {
	run timeout 60 /usr/bin/python3 - "$URL" "$T/ews.secret" <<'EOF'
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
	grep -q "authenticated 'svc-oisync' (NTLMv2)" fake.log
	run bash -c "curl -s '$CTL/dump?mailbox=$ALICE' | jq -r '.contacts[].Surname' | grep -c Tlm"
	assert_output 1
}

write_conf() { # SECRET_FILE
	printf '[global]\nstate_dir = %s/state\nusers_file = users.conf\n\n' "$T" >oisync.conf
	printf '[server ex1]\nurl = %s\nauth = ntlm\nusername = FIRM\\svc-oisync\n' "$URL" >>oisync.conf
	printf 'secret_file = %s/%s\naccess = impersonation\nretries = 2\ntimeout = 10\n\n' "$T" "$1" >>oisync.conf
	printf '[interaction]\nurl = http://127.0.0.1:9/api/v1\nsecret_env = OISYNC_TEST_UNUSED\n' >>oisync.conf
	printf '[user alice]\nmailbox = alice@firm.example\nserver = ex1\n' >users.conf
}

extract() {
	"$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$ALICE" --folder contacts \
		>out.jsonl 2>err.log
}

@test "oisync-extract exchange with auth = ntlm reads the mailbox; wrong password exits 77" {
	write_conf ews.secret
	curl -s -X POST "$CTL/stats/reset" >/dev/null
	run extract
	assert_success
	run jq -s '[.[] | select(.type == "contact")] | length' out.jsonl
	assert_output 2
	run jq -s -r '.[-1] | .type + " " + (.full | tostring)' out.jsonl
	assert_output 'checkpoint true'
	# One handshake for the whole run: the connection stays authenticated.
	run fake_stat auth_challenges
	assert_output 1
	run fake_stat auth_failures
	assert_output 0

	# Dropped connections: curl opens a new one and redoes the handshake.
	curl -s -X POST -d '{"drop": {"next": 2}}' "$CTL/faults" >/dev/null
	curl -s -X POST "$CTL/stats/reset" >/dev/null
	run extract
	assert_success
	run jq -s '[.[] | select(.type == "contact")] | length' out.jsonl
	assert_output 2
	run fake_stat auth_challenges
	[ "$output" -ge 2 ]
	curl -s -X POST -d '{}' "$CTL/faults" >/dev/null

	write_conf bad.secret
	run extract
	assert_failure 77
	[ ! -s out.jsonl ]
	grep -q 'authentication failed' err.log
	run grep -c "$pw" err.log fake.log
	assert_output $'err.log:0\nfake.log:0'
}
