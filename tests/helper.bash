# helper.bash - loaded by every bats suite (`load helper`, or `load ../helper`
# from tests/fakes/): the paths, the fakes' start and stop, one oisync.conf
# writer and the SOAP helpers. A suite adds only what is its own.
#
#   start_fake NAME SCRIPT [ARG...]  run a fake (tests/fakes/...) on a free port;
#                                    sets and exports NAME_PID and NAME_PORT
#                                    (so one started in setup_file serves the tests)
#   stop_fake NAME                   stop it (safe when it never started)
#   fake_ctl NAME PATH [JSON]        its /_fake/PATH (POST with JSON); reply on stdout
#   reset_fake NAME [SEED]           POST /_fake/reset: as started (or from SEED)
#   wait_port FILE PID               (tests/fakes/fakes.sh) the port, once written
#   write_conf [SECTION.KEY=VALUE...] oisync.conf and users.conf in the cwd
#   ctl NAME PATH [JSON]             GET (or POST JSON to) fake NAME's /_fake/PATH
#   soap BODY [MAILBOX [CURLCFG]]    POST an EWS request; prints the HTTP status
#   xget PATH [ATTR]                 values at an ElementTree path of the reply
#   ews_fake_for_file [ACCOUNT...]   (setup_file) the EWS fake for the file, seeded from stdin
#   ews_fake_test                    (setup) the test's folder, the fake reset, oisync.conf
#   graph_fake_for_file [CLIENT_ID...] (setup_file) the Graph fake for the file, HTTP
#                                    and HTTPS, seeded from stdin
#   graph_fake_test                  (setup) the test's folder, the Graph fake reset
#   first_migration                  the SQL of the state schema's first migration
#   apply_ops OP_JSON...             oisync-apply of a change set of these ops for alice
# bats-support, then bats-assert: their files hold function definitions only.
# Sourced directly because their load.bash forks dirname once per file, some
# fifteen processes before every test (a third of a second on a loaded machine).
for _f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
	source "$_f"
done
unset _f

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OISYNC_BUILD="${OISYNC_BUILD:-$ROOT/build}"
BIN="$OISYNC_BUILD/bin"

# sanitized_build: true when $BIN holds the ASan+UBSan build. A test whose
# stage code other suites already run under the sanitizers, and which costs
# minutes of sanitizer time (a randomized soak, the whole demo), runs in the
# plain pass only, so make check stays under ten minutes on two cores.
sanitized_build() { grep -qa __asan_init "$BIN/oisync-reconcile"; }
# Under ASan: eight frames of each allocation's stack are enough to find a
# bug, and recording the default 30 at every malloc cost a malloc-heavy stage
# (reconcile, on 50,000 pairs) about 15% of its sanitized CPU.
case ":${ASAN_OPTIONS:-}:" in
*:malloc_context_size=*) ;;
*) export ASAN_OPTIONS="malloc_context_size=8${ASAN_OPTIONS:+:$ASAN_OPTIONS}" ;;
esac
FAKES="$ROOT/tests/fakes"
CLIENTS="$ROOT/tests/clients"
ALICE=alice@firm.example
export LC_ALL=C
# The fakes listen on 127.0.0.1 only: a proxy from the environment must not see them.
export no_proxy='*' NO_PROXY='*'
. "$FAKES/fakes.sh"

# Where a fake keeps its port file and log: the test's folder, or the file's
# folder when started from setup_file.
_fake_dir() {
	echo "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}"
}

start_fake() { # NAME SCRIPT [ARG...]
	local name=$1 script=$2 dir port pid
	shift 2
	dir=$(_fake_dir)
	rm -f "$dir/$name.port"
	# fd 3 closed: bats waits on it, and would wait for a fake started in setup_file.
	"$PYTHON" "$FAKES/$script" --port 0 --port-file "$dir/$name.port" "$@" \
		2>>"$dir/$name.log" 3>&- &
	pid=$!
	printf -v "${name}_PID" '%s' "$pid"
	if ! port=$(wait_port "$dir/$name.port" "$pid"); then
		echo "start_fake: $script did not start; its log:" >&2
		cat "$dir/$name.log" >&2
		return 1
	fi
	printf -v "${name}_PORT" '%s' "$port"
	export "${name}_PID" "${name}_PORT"
}

stop_fake() { # NAME
	local var="${1}_PID"
	if [ -n "${!var:-}" ]; then
		kill "${!var}" 2>/dev/null && wait "${!var}" 2>/dev/null
		printf -v "$var" '%s' ""
	fi
	return 0
}

# fake_ctl NAME PATH [JSON]: a control request to fake NAME (see
# tests/fakes/README.md); fails on an HTTP error, printing the reply.
fake_ctl() {
	local port="${1}_PORT"
	_fakes_ctl "http://127.0.0.1:${!port}" "$2" "${3:-}"
}

# reset_fake NAME [SEED]: fake NAME as it started (data, faults, stats, clock,
# tokens, connections' authentication), or from the absolute path SEED.
reset_fake() {
	if [ -n "${2:-}" ]; then
		fake_ctl "$1" reset "{\"seed\": \"$2\"}" >/dev/null
	else
		fake_ctl "$1" reset '{}' >/dev/null
	fi
}

# write_conf [SECTION.KEY=VALUE...]: write oisync.conf and users.conf in the
# current folder. The base is one EWS server "ex1" (EWS_URL, else a closed
# port), InterAction at IA_URL (else a closed port), and user alice. Each
# argument sets a key of "global", "server" (ex1), "interaction", "defaults"
# or "user" (alice); an empty VALUE removes the key. A suite's own base keys,
# if any, are in the array CONF_BASE, applied before the arguments. State
# lives under $T.
write_conf() {
	local t=${T:-$PWD} arg key
	local -a order=()
	local -A value=()
	for arg in \
		"global.state_dir=$t/state" "global.users_file=users.conf" \
		"server.url=${EWS_URL:-http://127.0.0.1:9/EWS/Exchange.asmx}" \
		server.auth=basic server.access=impersonation server.username=svc-oisync \
		"server.secret_file=$t/ews.secret" server.retries=2 server.timeout=10 \
		"interaction.url=${IA_URL:-http://127.0.0.1:9/api/v1}" \
		interaction.secret_env=OISYNC_TEST_UNUSED interaction.retries=2 interaction.timeout=10 \
		"user.mailbox=$ALICE" user.server=ex1 ${CONF_BASE[@]+"${CONF_BASE[@]}"} "$@"; do
		key=${arg%%=*}
		[ -n "${value[$key]+set}" ] || order+=("$key")
		value[$key]=${arg#*=}
	done
	_conf_section() { # SECTION TITLE
		local k
		printf '[%s]\n' "$2"
		for k in "${order[@]}"; do
			[ "${k%%.*}" = "$1" ] && [ -n "${value[$k]}" ] && printf '%s = %s\n' "${k#*.}" "${value[$k]}"
		done
		printf '\n'
	}
	{
		_conf_section global global
		_conf_section server "server ex1"
		_conf_section interaction interaction
		_conf_section defaults defaults
	} >oisync.conf
	_conf_section user "user alice" >users.conf
}

ctl() { # NAME PATH [JSON]
	local var="${1}_PORT"
	_fakes_ctl "http://127.0.0.1:${!var}" "${@:2}"
}

# soap BODY [MAILBOX [CURLCFG]]: POST an EWS request to $URL impersonating
# MAILBOX (none if empty), with the curl config $BATS_TEST_TMPDIR/CURLCFG
# (default curl-svc). The reply goes to $BATS_TEST_TMPDIR/out; the HTTP status
# is printed.
soap() {
	local body=$1 mbx=${2-$ALICE} cfg=${3:-curl-svc} hdr=""
	if [ -n "$mbx" ]; then
		hdr="<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>$mbx</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
	fi
	printf '%s' "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"
 xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"
 xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">
<s:Header><t:RequestServerVersion Version=\"Exchange2016\"/>$hdr</s:Header>
<s:Body>$body</s:Body></s:Envelope>" >"$BATS_TEST_TMPDIR/req.xml"
	curl -s -o "$BATS_TEST_TMPDIR/out" -w '%{http_code}' -K "$BATS_TEST_TMPDIR/$cfg" \
		-H 'Content-Type: text/xml; charset=utf-8' -H "X-AnchorMailbox: $mbx" \
		--data-binary @"$BATS_TEST_TMPDIR/req.xml" "$URL"
}

# xget PATH [ATTR]: the text (or ATTR) of each element at an ElementTree path
# (prefixes s: m: t: e:) in the last reply.
xget() {
	"$PYTHON" - "$1" "${2:-}" "$BATS_TEST_TMPDIR/out" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://schemas.xmlsoap.org/soap/envelope/",
      "m": "http://schemas.microsoft.com/exchange/services/2006/messages",
      "t": "http://schemas.microsoft.com/exchange/services/2006/types",
      "e": "http://schemas.microsoft.com/exchange/services/2006/errors"}
root = ET.parse(sys.argv[3]).getroot()
for el in root.findall(sys.argv[1], ns):
    print(el.get(sys.argv[2]) if sys.argv[2] else (el.text or ""))
EOF
}

# ews_fake_for_file [ACCOUNT...]: in setup_file, the EWS fake for the whole
# file, seeded with the JSON on stdin. The ACCOUNTs (default svc-oisync)
# share one secret made at run time; ews.secret, the credentials, the seed
# and the fake's data folder are the file's ($BATS_FILE_TMPDIR), 0600.
ews_fake_for_file() {
	local -a accounts=("$@")
	[ $# -gt 0 ] || accounts=(svc-oisync)
	(
		cd "$BATS_FILE_TMPDIR" || exit 1
		umask 077
		# Secrets are written at run time, never committed (doc/ARCHITECTURE.md, "Tests").
		secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
		printf "%s:$secret\n" "${accounts[@]}" >credentials
		printf '%s\n' "$secret" >ews.secret
		cat >seed.json
	) || return 1
	start_fake EWS ews/ews_server.py --seed "$BATS_FILE_TMPDIR/seed.json" \
		--data-dir "$BATS_FILE_TMPDIR/data" --credentials-file "$BATS_FILE_TMPDIR/credentials"
}

# ews_fake_test: in setup, the test's own folder ($T, the cwd; umask 077) with
# its copy of ews.secret, which a test may spoil, the fake put back to its
# seed (data, faults, stats, clock), EWS_URL and oisync.conf (write_conf).
ews_fake_test() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	cp "$BATS_FILE_TMPDIR/ews.secret" ews.secret
	reset_fake EWS
	EWS_URL="http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
	write_conf
}

# graph_fake_for_file [CLIENT_ID...]: in setup_file, the Graph fake
# (tests/fakes/graph) for the whole file, seeded with the JSON on stdin. The
# apps CLIENT_ID (default GRAPH_CLIENT_ID, tests/fakes/fakes.sh) share one client
# secret made at run time: $BATS_FILE_TMPDIR/graph.secret, and the credentials
# file graph-credentials (0600). It serves HTTP on GRAPH_PORT and HTTPS on
# GRAPH_TLS_PORT with the certificate $BATS_FILE_TMPDIR/graph-tls.pem (its key
# made by openssl, 0600).
graph_fake_for_file() {
	local f=$BATS_FILE_TMPDIR
	local -a apps=("$@")
	[ $# -gt 0 ] || apps=("$GRAPH_CLIENT_ID")
	(
		cd "$f" || exit 1
		umask 077
		# Secrets are written at run time, never committed (doc/ARCHITECTURE.md, "Tests").
		_fakes_secret >graph.secret
		printf "%s:$(cat graph.secret)\n" "${apps[@]}" >graph-credentials
		cat >graph-seed.json
	) || return 1
	graph_tls_cert "$f" || return 1
	start_fake GRAPH graph/graph_server.py --seed "$f/graph-seed.json" \
		--credentials-file "$f/graph-credentials" --tls-cert "$f/graph-tls.pem" \
		--tls-key "$f/graph-tls.key" --tls-port-file "$f/GRAPH.tls-port" || return 1
	GRAPH_TLS_PORT=$(cat "$f/GRAPH.tls-port")
	export GRAPH_TLS_PORT
}

# graph_fake_test: in setup, the test's own folder ($T, the cwd; umask 077), the
# Graph fake put back to its seed (data, tokens, delta states, faults, stats,
# clock), GRAPH_URL and GRAPH_HTTPS_URL.
graph_fake_test() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	reset_fake GRAPH
	GRAPH_URL="http://127.0.0.1:$GRAPH_PORT"
	GRAPH_HTTPS_URL="https://127.0.0.1:$GRAPH_TLS_PORT"
}

# first_migration: the SQL of the schema's first migration in lib/state_schema.c.
# A suite writes it once, in setup_file, to $BATS_FILE_TMPDIR/schema.sql (a
# Python start per file, not one per committed token).
first_migration() {
	/usr/bin/python3 - "$ROOT/lib/state_schema.c" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
body = src[src.index("migrations[] = {") + 16:]
sql, pos = [], 0
tok = re.compile(r'\s+|/\*.*?\*/|//[^\n]*|"((?:[^"\\]|\\.)*)"|,', re.S)
while True:
    m = tok.match(body, pos)
    if m.group(0) == ",":
        break
    if m.group(1) is not None:
        sql.append(m.group(1).encode().decode("unicode_escape"))
    pos = m.end()
print("".join(sql))
EOF
}

# apply_ops OP_JSON...: run oisync-apply on a change set of these ops for alice,
# computed from the state's current generation ($T/apply-state); the results go
# to results.jsonl, the log to apply.log, in the cwd.
apply_ops() {
	local db="$T/apply-state/ex1/$ALICE.db" gen=0
	[ ! -f "$db" ] || gen=$(sqlite3 "$db" "select coalesce((select value from meta where key = 'generation'), 0)")
	{
		printf '{"type":"changeset","account":"%s","server":"ex1","created":"2026-11-24T10:00:00Z","state":%s}\n' "$ALICE" "$gen"
		printf '%s\n' "$@"
	} >changes.jsonl
	"$BIN/oisync-apply" -c "$T/oisync.conf" --state "$T/apply-state" changes.jsonl >results.jsonl 2>apply.log
}
