#!/usr/bin/env bats
# extract_interaction.bats - oisync-extract interaction against the reference InterAction server.

load helper

EXTRACT="$BIN/oisync-extract"
# Exchange is never called here; InterAction's secret is set per test.
CONF_BASE=(server.username=svc server.secret_file= server.secret_env=OISYNC_TEST_UNUSED interaction.secret_env=)
DB_REL="state/ex1/alice@firm.example.db"

# One fake for the file, put back before every test by reset_fake (data,
# faults, stats, clock, issued tokens): starting a fake costs a Python process,
# a reset one request. A test that needs other data resets it from a seed of
# its own (reset_fake IA /abs/seed.json); the next test's reset brings back the
# file's seed. Its files (seed, clients) are the file's; each test has its own
# folder for the configuration, the state and the secrets oisync reads, which
# a test may spoil. No test here needs a fresh process.
setup_file() {
	(
		cd "$BATS_FILE_TMPDIR" || exit 1
		umask 077
		# Secrets are written at run time, never committed (doc/ARCHITECTURE.md, "Tests").
		secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
		printf 'oisync:%s\ntoken:static-%s\n' "$secret" "$secret" >clients
		printf '%s\n' "$secret" >ia.secret
		printf 'static-%s\n' "$secret" >ia.token
		cat >seed.json <<'EOF'
{"users":[{"id":"alice","name":"Alice Smith","email":"alice@firm.example"},
          {"id":"bob","name":"Bob Jones","email":"bob@firm.example"}],
 "contacts":[
  {"id":"c-000001","version":3,"updated_at":"2026-11-20T09:00:00Z","first_name":"Ann","last_name":"Lee",
   "company_name":"Acme LLP","job_title":"Partner","emails":{"business":"ann@acme.example"},
   "phones":{"direct":"+1 212 555 0100"}},
  {"id":"c-000002","version":1,"updated_at":"2026-11-20T09:00:00Z","first_name":"Carlos","last_name":"Diaz",
   "external_refs":["crm:42","oisync:op:feedbeef"]},
  {"id":"c-000003","version":1,"updated_at":"2026-11-20T09:00:00Z","first_name":"Dana","last_name":"Okafor"},
  {"id":"c-000004","version":1,"updated_at":"2026-11-20T09:00:00Z","first_name":"Eve","last_name":"Bob-only"}],
 "lists":{"alice":[{"id":"c-000001","goes_by":"Annie","categories":["Clients"]},{"id":"c-000002"},{"id":"c-000003"}],
          "bob":[{"id":"c-000004"}]}}
EOF
		# The calendar tests' seed (calendar_seed): the same, plus appointments.
		jq '. + {"appointments":[
		  {"id":"a-000001","owner":"alice","subject":"Closing","start":"2026-12-01T09:00:00Z","end":"2026-12-01T10:00:00Z",
		   "type":"Meeting","attendees":[{"email":"ann@acme.example","name":"Ann Lee","role":"required"}],
		   "updated_at":"2026-11-20T09:00:00Z"},
		  {"id":"a-000002","owner":"alice","status":"activity","subject":"Kick-off call","type":"Call",
		   "start":"2026-11-10T15:00:00Z","end":"2026-11-10T15:30:00Z"},
		  {"id":"a-000003","owner":"alice","subject":"Holiday","all_day":true,"start":"2026-12-24","end":"2026-12-25"},
		  {"id":"a-000004","owner":"alice","subject":"Far away","start":"2027-06-01T09:00:00Z","end":"2027-06-01T10:00:00Z"},
		  {"id":"a-000005","owner":"bob","subject":"Bob only","start":"2026-12-02T09:00:00Z","end":"2026-12-02T10:00:00Z"}]}' \
			seed.json >cal.json
	) || return 1
	first_migration >"$BATS_FILE_TMPDIR/schema.sql"
	start_fake IA interaction/interaction_server.py --seed "$BATS_FILE_TMPDIR/seed.json" \
		--clients-file "$BATS_FILE_TMPDIR/clients"
}

teardown_file() {
	stop_fake IA
}

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	cp "$BATS_FILE_TMPDIR/ia.secret" "$BATS_FILE_TMPDIR/ia.token" .
	read -r secret <ia.secret
	reset_fake IA
	IA_URL="http://127.0.0.1:$IA_PORT/api/v1"
	write_conf interaction.client_id=oisync "interaction.secret_file=$T/ia.secret"
}

teardown() {
	if [ -n "${LIAR_PID:-}" ]; then
		kill "$LIAR_PID" 2>/dev/null || true
	fi
}

fake() { # METHOD PATH [JSON]
	curl -sf -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "http://127.0.0.1:$IA_PORT$2" >/dev/null
}

extract() {
	"$EXTRACT" -c "$T/oisync.conf" interaction --user alice "$@" >out.jsonl 2>err.log
}

ids() { jq -r 'select(.type == "contact") | .id + " " + .op' out.jsonl | sort; }
checkpoints() { jq -c 'select(.type == "checkpoint")' out.jsonl; }


# The state database as apply leaves it: the schema's first migration (never
# changed once released; later ones run on open) plus the cursor.
commit_cursor() { # TOKEN
	mkdir -p state/ex1
	sqlite3 "$DB_REL" <"$BATS_FILE_TMPDIR/schema.sql"
	sqlite3 "$DB_REL" "PRAGMA user_version = 1; INSERT INTO checkpoints (side, folder, token, updated)
		VALUES ('interaction', 'contacts', '$1', '2026-11-24T10:00:00Z');"
}

@test "full read emits every list member, then a full checkpoint" {
	run extract
	assert_success
	run ids
	assert_output $'c-000001 upsert\nc-000002 upsert\nc-000003 upsert'
	# The checkpoint is the last line, full, complete.
	run jq -c 'select(.type == "checkpoint") | [.side, .account, .folder, .complete, .full]' out.jsonl
	assert_output '["interaction","alice@firm.example","contacts",true,true]'
	run bash -c "tail -n 1 out.jsonl | jq -r .type"
	assert_output checkpoint
	# Item envelope and the user view as the API sent it.
	run jq -c 'select(.id == "c-000001") | [.side, .account, .user, .folder, .version, .modified, .data.goes_by, .data.categories]' out.jsonl
	assert_output '["interaction","alice@firm.example","alice","contacts","3","2026-11-20T09:00:00Z","Annie",["Clients"]]'
	run jq -r 'select(.id == "c-000002") | .op_tag' out.jsonl
	assert_output feedbeef
	run jq -r 'select(.id == "c-000001") | has("op_tag")' out.jsonl
	assert_output false
}

@test "--stats counts; the secret never reaches the log, even at debug level" {
	run extract -vv --stats
	assert_success
	run grep -F "$secret" err.log out.jsonl
	assert_failure
	run grep -E 'requests.*3 items' err.log
	assert_success
}

# The fake's count of token requests.
token_requests() { curl -sf "http://127.0.0.1:$IA_PORT/_fake/stats" | jq '.requests["POST /oauth/token"] // 0'; }

@test "one token per run: the next process takes the one kept in the state folder, 0600, never logged" {
	mkdir -p state
	run extract -vv
	assert_success
	run extract -vv
	assert_success
	assert_equal "$(token_requests)" 1
	[ "$(stat -c %a state/interaction.token)" = 600 ]
	grep -q "using the interaction token kept by an earlier process" err.log
	# The token is in the file, and in no log or output.
	tok=$(jq -r .access_token state/interaction.token)
	[ -n "$tok" ]
	run grep -rF "$tok" err.log out.jsonl
	assert_failure
}

@test "a kept token the server refuses is replaced once; an expired one, a file others may read, or a new secret is not used" {
	mkdir -p state
	run extract
	assert_success
	# Refused (the fake forgot it): one new token, the request sent again, the file rewritten.
	jq -c '.access_token = "forgotten"' state/interaction.token >t && cat t >state/interaction.token
	run extract
	assert_success
	assert_equal "$(token_requests)" 2
	[ "$(jq -r .access_token state/interaction.token)" != forgotten ]
	# Expired: a new one.
	jq -c '.expires_at = 1' state/interaction.token >t && cat t >state/interaction.token
	run extract
	assert_success
	assert_equal "$(token_requests)" 3
	# Readable by others: not trusted, replaced by a private file.
	chmod 644 state/interaction.token
	run extract
	assert_success
	assert_equal "$(token_requests)" 4
	[ "$(stat -c %a state/interaction.token)" = 600 ]
	# A wrong secret is found out at once, not hidden by the kept token.
	printf 'x%s\n' "$secret" >ia.secret
	run extract
	assert_equal "$status" 77
}

@test "a static bearer token works without a client id" {
	write_conf "interaction.secret_file=$T/ia.token"
	run extract
	assert_success
	run ids
	assert_output $'c-000001 upsert\nc-000002 upsert\nc-000003 upsert'
}

@test "a bad client secret exits 77 with no checkpoint" {
	bad="x$secret"
	printf '%s\n' "$bad" >ia.secret
	run extract
	assert_equal "$status" 77
	assert_equal "$(checkpoints)" ""
	run grep -F "$bad" err.log
	assert_failure
}

@test "a user InterAction does not know exits 78 with no checkpoint" {
	printf '[user carol]\nmailbox = carol@firm.example\nserver = ex1\n' >>users.conf
	run "$EXTRACT" -c "$T/oisync.conf" interaction --user carol
	assert_equal "$status" 78
	assert_output --partial "no user 'carol'"
	refute_output --partial '"checkpoint"'
}

@test "a server that is down exits 69 with no checkpoint" {
	# Nothing listens on port 9 (write_conf's closed port): what a stopped
	# server looks like, without stopping the file's fake.
	write_conf interaction.client_id=oisync "interaction.secret_file=$T/ia.secret" \
		interaction.url=http://127.0.0.1:9/api/v1
	run extract
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
}

@test "truncated bodies fail the run with no checkpoint" {
	fake POST /_fake/faults '{"truncate":{"next":100}}'
	run extract
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
}

# A server that answers every request with status 200 and the body BODY.
start_liar() { # BODY
	printf '%s' "$1" >liar.body
	/usr/bin/python3 - "$T" <<'EOF' 2>liar.log &
import http.server, sys, os
d = sys.argv[1]
body = open(os.path.join(d, "liar.body"), "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(d, "liar.port.tmp"), "w").write(str(s.server_address[1]))
os.rename(os.path.join(d, "liar.port.tmp"), os.path.join(d, "liar.port"))
s.serve_forever()
EOF
	LIAR_PID=$!
	wait_port liar.port "$LIAR_PID" >/dev/null
	write_conf "interaction.url=http://127.0.0.1:$(cat liar.port)/api/v1" "interaction.secret_file=$T/ia.token"
}

@test "a reply of the wrong shape is a broken reply (69), never an empty list" {
	for body in '{"contacts":{},"next":null,"cursor":"c"}' '{"contacts":[],"next":null}' \
		    '{"contacts":[{"first_name":"no id"}],"cursor":"c"}' '{"contacts":[' '[]' 'not json'; do
		rm -f liar.port
		start_liar "$body"
		run extract
		kill "$LIAR_PID"
		wait "$LIAR_PID" 2>/dev/null || true
		assert_equal "$status" 69
		assert_equal "$(checkpoints)" ""
		run grep -c 'broken reply from' err.log
		assert_output 1
	done
}

@test "429 with Retry-After, then success, gives the same records" {
	run extract
	assert_success
	cp out.jsonl clean.jsonl
	fake POST /_fake/faults '{"http_status":{"code":429,"next":2,"retry_after":1}}'
	run extract -v
	assert_success
	run grep -c 'retrying' err.log
	assert_output 2
	run diff clean.jsonl out.jsonl
	assert_success
}

@test "from a committed cursor: an edit and a removal" {
	run extract
	assert_success
	cursor=$(jq -r 'select(.type == "checkpoint") | .token' out.jsonl)
	commit_cursor "$cursor"
	fake POST /_fake/edit '{"user":"alice","contact_id":"c-000001","set":{"job_title":"Senior Partner"}}'
	fake POST /_fake/remove '{"user":"alice","contact_id":"c-000002"}'
	fake POST /_fake/edit '{"user":"bob","contact_id":"c-000004","set":{"job_title":"not alice"}}'
	run extract
	assert_success
	run ids
	assert_output $'c-000001 upsert\nc-000002 delete'
	run jq -r 'select(.id == "c-000001") | .data.job_title' out.jsonl
	assert_output "Senior Partner"
	run jq -c 'select(.op == "delete") | [.side, .account, .user, .folder, .reason, has("data")]' out.jsonl
	assert_output '["interaction","alice@firm.example","alice","contacts","removed_from_list",false]'
	run jq -c 'select(.type == "checkpoint") | [.complete, .full, .token != "'"$cursor"'"]' out.jsonl
	assert_output '[true,false,true]'
	# Nothing changed since: an empty feed still ends with a checkpoint.
	commit_cursor_token=$(jq -r 'select(.type == "checkpoint") | .token' out.jsonl)
	sqlite3 "$DB_REL" "UPDATE checkpoints SET token = '$commit_cursor_token'"
	run extract
	assert_success
	assert_equal "$(ids)" ""
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output false
}

@test "--full ignores the committed cursor" {
	commit_cursor "bogus"
	run extract --full
	assert_success
	run grep -c 'expired' err.log
	assert_output 0
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
}

@test "an expired cursor falls back to a full read with a warning" {
	commit_cursor "expired-cursor"
	run extract
	assert_success
	run grep -F 'change cursor expired; reading the whole list' err.log
	assert_success
	run ids
	assert_output $'c-000001 upsert\nc-000002 upsert\nc-000003 upsert'
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
}

@test "paging: a list longer than one page is read whole" {
	/usr/bin/python3 -c '
import json
n = 1234
print(json.dumps({"users": [{"id": "alice", "name": "Alice", "email": "alice@firm.example"}],
                  "contacts": [{"id": "c-%06d" % i, "first_name": "P%d" % i} for i in range(1, n + 1)],
                  "lists": {"alice": [{"id": "c-%06d" % i} for i in range(1, n + 1)]}}))' >big.json
	reset_fake IA "$T/big.json"
	run extract --stats
	assert_success
	run bash -c "jq -r 'select(.type == \"contact\") | .id' out.jsonl | sort -u | wc -l"
	assert_output 1234
	# 500 a page: a token and three pages.
	run grep -E ' 4 requests' err.log
	assert_success
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
}

# ---- the calendar (appointments and activities) ----

# api METHOD PATH [JSON] [IF-MATCH]: the API as a client, the token from a 0600 header file.
api() {
	[ -s auth.hdr ] || printf 'Authorization: Bearer %s\n' "$(cat ia.token)" >auth.hdr
	curl -sf -X "$1" -H @auth.hdr -H 'Content-Type: application/json' ${4:+-H "If-Match: \"$4\""} \
		${3:+--data "$3"} "http://127.0.0.1:$IA_PORT/api/v1$2"
}

# commit_token FOLDER TOKEN: as apply commits a checkpoint (the state made by commit_cursor).
commit_token() {
	[ -s "$DB_REL" ] || commit_cursor "$(jq -r 'select(.type == "checkpoint" and .folder == "contacts") | .token' out.jsonl)"
	sqlite3 "$DB_REL" "INSERT OR REPLACE INTO checkpoints (side, folder, token, updated)
		VALUES ('interaction', '$1', '$(printf '%s' "$2" | sed "s/'/''/g")', '2026-11-24T10:00:00Z');"
}

# calendar_seed: the fake from the file's calendar seed (made in setup_file),
# and alice's calendar on.
calendar_seed() {
	reset_fake IA "$BATS_FILE_TMPDIR/cal.json"
	printf 'calendar = on\n' >>users.conf
}

WINDOW=(--window-start 2026-11-01 --window-end 2027-01-01)
appts() { jq -r 'select(.type == "appointment") | .id + " " + .op' out.jsonl | sort; }

@test "calendar on: appointments and activities inside the window, then a full calendar checkpoint" {
	calendar_seed
	run extract "${WINDOW[@]}"
	assert_success
	run appts
	assert_output $'a-000001 upsert\na-000002 upsert\na-000003 upsert'
	run ids
	assert_output $'c-000001 upsert\nc-000002 upsert\nc-000003 upsert'
	run jq -c 'select(.id == "a-000001") | [.side, .account, .user, .folder, .version, .modified, .data.subject, .data.attendees[0].contact_id]' out.jsonl
	assert_output '["interaction","alice@firm.example","alice","calendar","1","2026-11-20T09:00:00Z","Closing","c-000001"]'
	run jq -r 'select(.id == "a-000002") | .data.status + " " + .data.type' out.jsonl
	assert_output "activity Call"
	# One checkpoint per folder, contacts first, the calendar's last, wrapping the window.
	run jq -c 'select(.type == "checkpoint") | [.folder, .full, .complete]' out.jsonl
	assert_output $'["contacts",true,true]\n["calendar",true,true]'
	run bash -c "tail -n 1 out.jsonl | jq -r '.token | fromjson | [.v, .start, .end] | @tsv'"
	assert_output $'1\t2026-11-01T00:00:00Z\t2027-01-01T00:00:00Z'
}

@test "calendar off: contacts only, exactly as before" {
	calendar_seed
	sed -i '/^calendar = on$/d' users.conf
	run extract "${WINDOW[@]}"
	assert_success
	assert_equal "$(appts)" ""
	run jq -c 'select(.type == "checkpoint") | .folder' out.jsonl
	assert_output '"contacts"'
}

@test "calendar from the committed cursor: an edit, a delete, a change outside the window, one feed request" {
	calendar_seed
	run extract "${WINDOW[@]}"
	assert_success
	commit_token contacts "$(jq -r 'select(.type == "checkpoint" and .folder == "contacts") | .token' out.jsonl)"
	commit_token calendar "$(jq -r 'select(.type == "checkpoint" and .folder == "calendar") | .token' out.jsonl)"
	api PATCH /appointments/a-000001 '{"location":"Room 4"}' 1 >/dev/null
	api DELETE /appointments/a-000003 >/dev/null
	api PATCH /appointments/a-000004 '{"subject":"still far"}' 1 >/dev/null
	api PATCH /appointments/a-000005 '{"subject":"bob again"}' 1 >/dev/null
	fake POST /_fake/stats/reset
	run extract "${WINDOW[@]}" --stats
	assert_success
	run appts
	assert_output $'a-000001 upsert\na-000003 delete'
	assert_equal "$(ids)" ""
	run jq -r 'select(.id == "a-000001") | .version + " " + .data.location' out.jsonl
	assert_output "2 Room 4"
	run jq -c 'select(.op == "delete") | [.type, .folder, .reason, has("data")]' out.jsonl
	assert_output '["appointment","calendar","deleted",false]'
	run jq -c 'select(.type == "checkpoint") | [.folder, .full]' out.jsonl
	assert_output $'["contacts",false]\n["calendar",false]'
	# Both folders from one cursor: one pass over the feed.
	run jq -c '[.requests | to_entries[] | select(.key | test("changes"))] | map(.value)' <<<"$(ctl IA "stats")"
	assert_output '[1]'
	run grep -F 'interaction calendar: 1 items, 1 deletes, 1 changes outside the window' err.log
	assert_success
}

@test "a moved calendar window is a full read of the calendar; contacts stay incremental" {
	calendar_seed
	run extract "${WINDOW[@]}"
	assert_success
	commit_token contacts "$(jq -r 'select(.type == "checkpoint" and .folder == "contacts") | .token' out.jsonl)"
	commit_token calendar "$(jq -r 'select(.type == "checkpoint" and .folder == "calendar") | .token' out.jsonl)"
	run extract -v --window-start 2026-11-15 --window-end 2027-07-01
	assert_success
	run grep -F 'the calendar window moved' err.log
	assert_success
	run appts
	assert_output $'a-000001 upsert\na-000003 upsert\na-000004 upsert'
	run jq -c 'select(.type == "checkpoint") | [.folder, .full]' out.jsonl
	assert_output $'["contacts",false]\n["calendar",true]'
}

@test "a quiet second run of 300 contacts sends one change-feed request and nothing else" {
	/usr/bin/python3 -c '
import json
n = 300
print(json.dumps({"users": [{"id": "alice", "name": "Alice", "email": "alice@firm.example"}],
                  "contacts": [{"id": "c-%06d" % i, "first_name": "P%d" % i} for i in range(1, n + 1)],
                  "lists": {"alice": [{"id": "c-%06d" % i} for i in range(1, n + 1)]}}))' >q.json
	reset_fake IA "$T/q.json"
	write_conf "interaction.secret_file=$T/ia.token"
	run extract
	assert_success
	commit_cursor "$(jq -r 'select(.type == "checkpoint") | .token' out.jsonl)"
	fake POST /_fake/stats/reset
	run extract --stats
	assert_success
	assert_equal "$(ids)" ""
	run jq -c '.requests' <<<"$(ctl IA "stats")"
	assert_output '{"GET /api/v1/users/{uid}/changes":1}'
	run grep -E ' 1 requests' err.log
	assert_success
}

@test "an expired calendar cursor reads the whole window; the contacts' own cursor still serves them" {
	calendar_seed
	run extract "${WINDOW[@]}"
	assert_success
	commit_token contacts "$(jq -r 'select(.type == "checkpoint" and .folder == "contacts") | .token' out.jsonl)"
	commit_token calendar '{"v":1,"sync":"expired-cursor","start":"2026-11-01T00:00:00Z","end":"2027-01-01T00:00:00Z"}'
	run extract "${WINDOW[@]}"
	assert_success
	run grep -F 'change cursor expired; reading the whole calendar window' err.log
	assert_success
	assert_equal "$(ids)" ""
	run appts
	assert_output $'a-000001 upsert\na-000002 upsert\na-000003 upsert'
	run jq -c 'select(.type == "checkpoint") | [.folder, .full]' out.jsonl
	assert_output $'["contacts",false]\n["calendar",true]'
}

@test "a calendar token this version did not write is a full read of the window, with a warning" {
	calendar_seed
	run extract "${WINDOW[@]}"
	assert_success
	commit_token contacts "$(jq -r 'select(.type == "checkpoint" and .folder == "contacts") | .token' out.jsonl)"
	commit_token calendar "a-bare-cursor"
	run extract "${WINDOW[@]}"
	assert_success
	run grep -F 'the committed calendar token is not one this version wrote' err.log
	assert_success
	run jq -c 'select(.type == "checkpoint") | [.folder, .full]' out.jsonl
	assert_output $'["contacts",false]\n["calendar",true]'
}
