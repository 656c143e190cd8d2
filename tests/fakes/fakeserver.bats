#!/usr/bin/env bats
# fakeserver.bats - what both fakes share (tests/fakes/fakeserver.py): one control API
# for faults, stats, the clock and reset, answered alike by both; one send per reply
# and TCP_NODELAY on every accepted socket.

load ../helper

FAKE_NAMES="EWS IA"

setup_file() {
	start_fake EWS ews/ews_server.py --seed "$FAKES/ews/seed_example.json"
	start_fake IA interaction/interaction_server.py --seed "$FAKES/interaction/seed_example.json"
}

teardown_file() {
	stop_fake EWS
	stop_fake IA
}

setup() {
	reset_fake EWS
	reset_fake IA
	envelope '<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="contacts"/></m:FolderIds></m:GetFolder>' \
		>"$BATS_TEST_TMPDIR/getfolder.xml"
}

# envelope BODY: an EWS request impersonating alice (the fakes run without credentials).
envelope() {
	printf '%s' "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"
 xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"
 xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">
<s:Header><t:RequestServerVersion Version=\"Exchange2016\"/><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>$ALICE</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header>
<s:Body>$1</s:Body></s:Envelope>"
}

# hit NAME: one request of the kind faults apply to; prints "HTTP status/curl exit"
# (000/52: dropped, 200/18: truncated).
hit() {
	local rc=0 code
	case $1 in
	EWS) code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
		--data-binary @"$BATS_TEST_TMPDIR/getfolder.xml" \
		"http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx") || rc=$? ;;
	IA) code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IA_PORT/api/v1/users") || rc=$? ;;
	esac
	echo "$code/$rc"
}

# ctl NAME PATH [JSON]: the control reply, normalized (sorted keys, one line).
ctl() {
	fake_ctl "$@" | jq -cS .
}

# hit_together FAKE N: N requests at once, held by a barrier of N parties until all are in flight.
hit_together() {
	local i pids=()
	fake_ctl "$1" barrier "{\"parties\": $2, \"timeout_s\": 60}" >/dev/null
	for ((i = 0; i < $2; i++)); do
		hit "$1" >/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
}

@test "both fakes: one fault verb, the same answers, the same counters" {
	for f in $FAKE_NAMES; do
		run ctl "$f" faults '{"http_status": {"code": 503, "retry_after": 7}}'
		assert_success
		assert_output '{"faults":{"http_status":{"code":503,"next":1,"retry_after":7}}}'
		run hit "$f"
		assert_output 503/0
		run hit "$f"
		assert_output 200/0
		run ctl "$f" faults
		assert_output '{"faults":{"http_status":{"code":503,"next":0,"retry_after":7}}}'
		[ "$(ctl "$f" stats | jq -c '[.faults_fired.http_status, .faults_fired.drop, .faults_fired.truncate]')" = "[1,0,0]" ]
		run ctl "$f" stats/reset '{}'
		assert_output '{"ok":true}'
		[ "$(ctl "$f" stats | jq .faults_fired.http_status)" -eq 0 ]
		# What a fault set may not hold is named, and nothing changes.
		for bad in '{"bogus": {}}' '{"http_status": {"code": 418}}' '{"drop": {"next": -1}}' \
			'{"truncate": {"after": true}}' '{"drop": {"rate": 2}}' '{"latency_ms": "x"}' '[]'; do
			run fake_ctl "$f" faults "$bad"
			assert_failure
		done
		run fake_ctl "$f" faults '{"http_status": {"code": 418}}'
		assert_output --partial 'http_status.code must be 429, 500, 502, 503 or 504'
		run ctl "$f" faults
		assert_output '{"faults":{"http_status":{"code":503,"next":0,"retry_after":7}}}'
	done
}

@test "both fakes: skip, next and a seeded rate give the same faults for the same requests" {
	for f in $FAKE_NAMES; do
		fake_ctl "$f" faults '{"truncate": {"skip": 2, "next": 1}}' >/dev/null
		run bash -c "$(declare -f hit); for i in 1 2 3 4; do hit $f; done"
		assert_output $'200/0\n200/0\n200/18\n200/0'
		pattern() {
			fake_ctl "$f" faults '{"drop": {"rate": 0.5}}' >/dev/null
			for i in $(seq 16); do hit "$f"; done | tr '\n' ' '
		}
		first=$(pattern)
		[ "$(pattern)" = "$first" ]
		[[ "$first" == *000/52* && "$first" == *200/0* ]]
	done
}

@test "both fakes: latency is counted, not timed" {
	for f in $FAKE_NAMES; do
		fake_ctl "$f" faults '{"latency_ms": 20}' >/dev/null
		hit "$f" >/dev/null
		hit "$f" >/dev/null
		hit "$f" >/dev/null
		[ "$(ctl "$f" stats | jq -c '[.delayed, .delayed_ms]')" = "[3,60]" ]
	done
}

@test "both fakes: a barrier holds requests until its parties are all in flight, once" {
	local f
	for f in $FAKE_NAMES; do
		hit_together "$f" 3
		[ "$(ctl "$f" stats | jq -c '[.barrier_met, .barrier_timeouts]')" = "[1,0]" ]
		# Used up: the next request goes straight through.
		hit "$f" >/dev/null
		[ "$(ctl "$f" stats | jq -c '[.barrier_met, .barrier_timeouts]')" = "[1,0]" ]
		# One request alone gives up after timeout_s, and says so.
		fake_ctl "$f" barrier '{"parties": 2, "timeout_s": 0.2}' >/dev/null
		hit "$f" >/dev/null
		[ "$(ctl "$f" stats | jq -c '[.barrier_met, .barrier_timeouts]')" = "[1,1]" ]
	done
}

@test "both fakes: in_flight_max is the most requests held at once, from arrival to reply" {
	local f
	for f in $FAKE_NAMES; do
		hit "$f" >/dev/null
		hit "$f" >/dev/null
		[ "$(ctl "$f" stats | jq .in_flight_max)" = 1 ]
		# Three held together by a barrier: all three in flight at once.
		hit_together "$f" 3
		[ "$(ctl "$f" stats | jq -c '[.in_flight_max, .barrier_met]')" = "[3,1]" ]
		# Zeroed with the other counters; the control requests are never counted.
		ctl "$f" stats/reset "{}" >/dev/null
		hit "$f" >/dev/null
		[ "$(ctl "$f" stats | jq .in_flight_max)" = 1 ]
	done
}

@test "both fakes: a drop after the request does it and loses the reply" {
	fake_ctl EWS faults '{"drop": {"after": true}}' >/dev/null
	envelope '<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id="contacts"/></m:SavedItemFolderId><m:Items><t:Contact><t:Surname>Lost</t:Surname></t:Contact></m:Items></m:CreateItem>' \
		>"$BATS_TEST_TMPDIR/create.xml"
	run curl -s -o /dev/null -H 'Content-Type: text/xml; charset=utf-8' \
		--data-binary @"$BATS_TEST_TMPDIR/create.xml" "http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
	assert_equal "$status" 52
	[ "$(fake_ctl EWS 'dump?mailbox=alice@firm.example' | jq '[.contacts[] | select(.Surname == "Lost")] | length')" -eq 1 ]
	fake_ctl IA faults '{"drop": {"after": true}}' >/dev/null
	run curl -s -o /dev/null -X PATCH -H 'If-Match: 1' --json '{"job_title":"Lost reply"}' \
		"http://127.0.0.1:$IA_PORT/api/v1/contacts/c-000002"
	assert_equal "$status" 52
	[ "$(fake_ctl IA dump | jq -r '.contacts["c-000002"].job_title')" = "Lost reply" ]
}

@test "both fakes: the clock moves and resets alike; bad moves are refused" {
	for f in $FAKE_NAMES; do
		run ctl "$f" clock '{"set": "2031-05-06T07:08:00+02:00"}'
		assert_output --regexp '^\{"now":"2031-05-06T05:08:[0-9]{2}Z"\}$'
		run ctl "$f" clock '{"advance_s": -3600}'
		assert_output --regexp '^\{"now":"2031-05-06T04:08:[0-9]{2}Z"\}$'
		for bad in '{"advance_s": "1"}' '{"set": "2031-05-06T07:08:00"}' '{"set": "x"}' '{}' \
			'{"advance_s": 1, "set": "2031-05-06T07:08:00Z"}' '{"later": 1}'; do
			run fake_ctl "$f" clock "$bad"
			assert_failure
		done
		reset_fake "$f"
		[[ "$(ctl "$f" clock | jq -r .now)" != 2031-* ]]
	done
}

@test "both fakes: reset refuses a relative seed, a missing one and GET, changing nothing" {
	for f in $FAKE_NAMES; do
		fake_ctl "$f" clock '{"set": "2031-05-06T07:08:00Z"}' >/dev/null
		run fake_ctl "$f" reset '{"seed": "seed.json"}'
		assert_failure
		assert_output --partial 'absolute path'
		run fake_ctl "$f" reset '{"seed": "/nonexistent/seed.json"}'
		assert_failure
		assert_output --partial 'No such file'
		run fake_ctl "$f" reset '{"other": 1}'
		assert_failure
		run fake_ctl "$f" reset
		assert_failure
		assert_output --partial 'takes POST'
		[[ "$(ctl "$f" clock | jq -r .now)" == 2031-05-06T07:* ]]
	done
}

@test "a reply is one write (headers and body), on a socket with TCP_NODELAY; truncate halves it" {
	run "$PYTHON" - "$FAKES" <<'EOF'
import http.client, socket, sys, threading
sys.path.insert(0, sys.argv[1])
import fakeserver

class Handler(fakeserver.FakeHandler):
    def do_GET(self):
        self.take_fault()
        nodelay = self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        real, writes = self.wfile, []
        class Recorder:
            def write(self, data):
                writes.append(bytes(data))
                return real.write(data)
        self.wfile = Recorder()
        self.reply(200, b"x" * 5000, {"X-Test": "1"}, "text/plain")
        self.wfile = real
        self.server.seen.append((nodelay, writes))

class Server(fakeserver.FakeServer):
    def reset_state(self, seed):
        pass

srv = Server(0, Handler, fakeserver.COMMON_KINDS, {})
srv.seen = []
threading.Thread(target=srv.serve_forever, daemon=True).start()
conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=10)
for _ in range(2):
    conn.request("GET", "/")
    r = conn.getresponse()
    assert r.read() == b"x" * 5000 and r.getheader("X-Test") == "1"
for nodelay, writes in srv.seen:
    assert nodelay and len(writes) == 1, (nodelay, [len(w) for w in writes])
    assert writes[0].startswith(b"HTTP/1.1 200 ") and writes[0].endswith(b"\r\n\r\n" + b"x" * 5000)
srv.faults.configure({"truncate": {}})
conn.request("GET", "/")
r = conn.getresponse()
assert r.getheader("Content-Length") == "5000" and r.getheader("Connection") == "close"
try:
    r.read()
    raise AssertionError("a truncated body read whole")
except http.client.IncompleteRead as e:
    assert len(e.partial) == 2500, len(e.partial)
nodelay, writes = srv.seen[-1]
assert len(writes) == 1
print("one write each")
EOF
	assert_success
	assert_output 'one write each'
}

# keep NAME: a change through fake NAME's control API (its id on stdout).
keep() {
	case $1 in
	EWS) fake_ctl KEPT create "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Kept\"}}" | jq -r .id ;;
	IA) fake_ctl KEPT add '{"user":"alice","contact":{"first_name":"Kept"}}' | jq -r .id ;;
	esac
}

# start_kept NAME DIR: fake NAME with --data-dir DIR, as KEPT.
start_kept() {
	case $1 in
	EWS) start_fake KEPT ews/ews_server.py --seed "$FAKES/ews/seed_example.json" --data-dir "$2" ;;
	IA) start_fake KEPT interaction/interaction_server.py \
		--seed "$FAKES/interaction/seed_example.json" --data-dir "$2" ;;
	esac
}

@test "both fakes: --data-dir writes one journal line per change, keeps all it answered through SIGKILL, and a clean stop leaves the state file whole" {
	for f in $FAKE_NAMES; do
		d="$BATS_TEST_TMPDIR/$f"
		start_kept "$f" "$d"
		state=$(ls "$d"/*state.json)
		journal=${state%.json}.journal
		cp "$state" "$BATS_TEST_TMPDIR/start.json"
		ids=()
		for i in 1 2 3; do ids+=("$(keep "$f")"); done
		# Work per change does not grow with the state: the state file is as it
		# was at start, and the journal holds its id line and one line per change.
		cmp "$state" "$BATS_TEST_TMPDIR/start.json"
		assert_equal "$(wc -l <"$journal")" 4
		kill -9 "$KEPT_PID"
		wait "$KEPT_PID" || true
		KEPT_PID=
		# A line torn by a kill in the middle of a write is dropped.
		printf '[["set",["torn"' >>"$journal"
		start_kept "$f" "$d"
		for id in "${ids[@]}"; do
			fake_ctl KEPT dump | grep -q "$id"
		done
		[ ! -e "$journal" ]
		keep "$f" >/dev/null
		[ -s "$journal" ]
		stop_fake KEPT
		[ ! -e "$journal" ]
		run grep -c Kept "$state"
		assert_output 4
	done
}

@test "journal: a torn last line is dropped, a journal of an earlier state file ignored" {
	run "$PYTHON" - "$FAKES" "$BATS_TEST_TMPDIR" <<'EOF'
import json, os, sys
sys.path.insert(0, sys.argv[1])
import journal
state = {"a": {"x": 1}, "log": [1, 2]}
j = journal.Journal(os.path.join(sys.argv[2], "s.json"), lambda: state, indent=1)
j.rewrite()
state["a"]["y"] = 2
j.mark("a", "y")
state["log"] = [2, 3]
j.add(["trim", ["log"], 1])
j.add(["append", ["log"], [3]])
j.commit()
del state["a"]["x"]
j.mark("a", "x")
j.commit()
want = {"a": {"y": 2}, "log": [2, 3]}
assert journal.Journal(j.path, None).load() == want
with open(j.journal_path, "a") as f:
    f.write('[["set",["a","z"],')
assert journal.Journal(j.path, None).load() == want
old = open(j.journal_path).read()
j.rewrite()          # as if the fake stopped after the rename, before the unlink
open(j.journal_path, "w").write(old)
assert journal.Journal(j.path, None).load() == want
print("ok")
EOF
	assert_success
	assert_output ok
}
