#!/usr/bin/env bats
# extract_graph.bats - oisync-extract and oisync-apply on an Exchange Online
# mailbox through the Microsoft Graph fake, well and badly served: the records
# and delta links of full and incremental reads, tokens Graph does not know,
# throttled, failing and cut-off replies, a create whose reply is lost, writes
# against items edited since, a mailbox the app may not open. Requests are
# counted by the fake (/_fake/stats); the http client's waits are logged, not
# made (OISYNC_TEST_SLEEP_LOG), so no test sleeps or reads a clock.

load e2e_helper
# The Graph backend's own suite: LeakSanitizer's exit check stays on (e2e_helper.bash turns it off).
export ASAN_OPTIONS=detect_leaks=1

CAROL=carol@firm.example

# The fakes once for the file: EWS and InterAction with the demo's data, and
# Exchange Online with carol's and dave's mailboxes, which the app's access
# policy lists, and bob's, which it leaves out. Each test's e2e_setup puts
# them back as they started.
setup_file() {
	cat >"$BATS_FILE_TMPDIR/graph_seed.json" <<'EOF'
{
 "tenant": {"id": "6f1e0c5a-3b0d-4c8e-9f4a-0a1b2c3d4e5f", "domains": ["firm.example"]},
 "apps": {"0c3b5a1e-7d2f-4e8a-9b6c-1a2b3c4d5e6f": {"displayName": "oisync",
   "mailboxes": ["carol@firm.example", "dave@firm.example"],
   "roles": ["Contacts.ReadWrite", "Calendars.ReadWrite", "Mail.ReadWrite"]}},
 "users": {
  "carol@firm.example": {"displayName": "Carol White",
   "contacts": [
    {"givenName": "Ivan", "surname": "Petrov", "companyName": "Volga Trading", "jobTitle": "CEO",
     "emailAddresses": [{"name": "Ivan Petrov", "address": "ivan@volga.example"}],
     "mobilePhone": "+7 916 555 0199", "categories": ["Clients"]},
    {"givenName": "Sofia", "surname": "Lindqvist", "companyName": "Fjord Shipping", "jobTitle": "Counsel",
     "emailAddresses": [{"address": "sofia@fjord.example"}], "businessPhones": ["+47 22 55 01 02"],
     "businessAddress": {"city": "Oslo", "countryOrRegion": "Norway"}},
    {"givenName": "Hana", "surname": "Sato", "emailAddresses": [{"address": "hana@sato.example"}],
     "singleValueExtendedProperties": [{"id": "String {00020329-0000-0000-C000-000000000046} Name oisync-op-id",
                                        "value": "op-1234"}]}],
   "events": [
    {"subject": "Review", "location": {"displayName": "Room 2"},
     "start": {"dateTime": "2030-01-15T10:00:00", "timeZone": "UTC"},
     "end": {"dateTime": "2030-01-15T11:00:00", "timeZone": "UTC"}},
    {"subject": "Weekly", "start": {"dateTime": "2030-03-04T09:00:00", "timeZone": "UTC"},
     "end": {"dateTime": "2030-03-04T09:30:00", "timeZone": "UTC"},
     "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                    "range": {"type": "numbered", "startDate": "2030-03-04", "numberOfOccurrences": 3}}}]},
  "dave@firm.example": {"displayName": "Dave Brown",
   "contacts": [{"givenName": "Ben", "surname": "Cole", "companyName": "Granite Partners",
                 "emailAddresses": [{"address": "ben.cole@granite.example"}]}]},
  "bob@firm.example": {"displayName": "Bob Jones"}
 }
}
EOF
	# The same with 1,200 contacts in carol's folder: a delta round and a
	# listing of two pages each (Graph's largest page is 1,000).
	/usr/bin/python3 - "$BATS_FILE_TMPDIR/graph_seed.json" "$BATS_FILE_TMPDIR/graph_seed_1200.json" <<'EOF'
import json, sys
seed = json.load(open(sys.argv[1]))
seed["users"]["carol@firm.example"]["contacts"] = [
    {"givenName": "Given%04d" % i, "surname": "Surname%04d" % i,
     "emailAddresses": [{"address": "c%04d@example.com" % i}]} for i in range(1200)]
json.dump(seed, open(sys.argv[2], "w"))
EOF
	e2e_graph_setup_file "$BATS_FILE_TMPDIR/graph_seed.json"
	first_migration >"$BATS_FILE_TMPDIR/schema.sql"
}
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	printf '\n[user carol]\nmailbox = carol@firm.example\nserver = online\nenabled = yes\n' >>"$D/users.conf"
	printf '\n[user dave]\nmailbox = dave@firm.example\nserver = online\nenabled = yes\n' >>"$D/users.conf"
	cd "$D" || return 1
	GRAPH="$(cat "$D/graph.url")/v1.0"
}
teardown() { e2e_teardown; }

gfake() { graph_ctl "$D" "$@"; }

extract() { # [MAILBOX] [OPTION...]
	local box=$CAROL
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then box=$1; shift; fi
	oisync-extract exchange --mailbox "$box" --server online "$@" >out.jsonl 2>err.log
}

# The calendar over a window that holds the seed's meetings.
extract_calendar() { # [OPTION...]
	extract --folder calendar --window-start 2030-01-01T00:00:00Z --window-end 2030-06-01T00:00:00Z "$@"
}

checkpoint() { jq -c 'select(.type == "checkpoint")' out.jsonl; }
token() { jq -r 'select(.type == "checkpoint") | .token' out.jsonl; }
# "op surname" of each contact record, sorted.
contacts() { jq -r 'select(.type == "contact") | .op + " " + (.data.surname // .id)' out.jsonl | sort; }
# "id version" of each contact record, and of each contact carol's mailbox holds.
emitted() { jq -r 'select(.type == "contact") | .id + " " + .version' out.jsonl | sort; }
held() { gfake "dump?mailbox=$CAROL" | jq -r '.contactFolders[].contacts[] | .id + " " + .["@odata.etag"]' | sort; }

# The id of carol's contact with this surname, of her event with this subject.
contact_id() { gfake "dump?mailbox=$CAROL" | jq -r --arg s "$1" '.contactFolders[].contacts[] | select(.surname == $s) | .id'; }
event_id() { gfake "dump?mailbox=$CAROL" | jq -r --arg s "$1" '.events[] | select(.subject == $s) | .id'; }

# requests KEY...: the fake's count of each request kind ("GET /users/{id}/mailFolders"), one a line.
requests() {
	local stats k
	stats=$(gfake stats)
	for k in "$@"; do jq --arg k "$k" '.requests[$k] // 0' <<<"$stats"; done
}

DELTA="GET /users/{id}/contactFolders/{id}/contacts/delta"
LIST="GET /users/{id}/contactFolders/{id}/contacts"

# carol's state as apply leaves it (the schema's first migration, taken from
# lib/state_schema.c; later ones run on open) with this committed token.
commit_token() { # FOLDER TOKEN
	local db="state/online/$CAROL.db" q="'"
	mkdir -p state/online
	[ -f "$db" ] || { cat "$BATS_FILE_TMPDIR/schema.sql"; echo "PRAGMA user_version = 1;"; } | sqlite3 "$db"
	sqlite3 "$db" "INSERT OR REPLACE INTO checkpoints (side, folder, token, updated)
		VALUES ('exchange', '$1', '${2//$q/$q$q}', '2026-11-24T10:00:00Z');"
}

# apply_cs OP_JSON...: oisync-apply of a change set of these ops for carol,
# computed from her state's current generation; the results go to
# results.jsonl, the log (-v) to apply.log.
apply_cs() {
	local db="state/online/$CAROL.db" gen=0
	[ ! -f "$db" ] || gen=$(sqlite3 "$db" "select coalesce((select value from meta where key = 'generation'), 0)")
	{
		printf '{"type":"changeset","account":"%s","server":"online","user":"carol","created":"2026-12-03T10:00:00Z","state":%s}\n' "$CAROL" "$gen"
		printf '%s\n' "$@"
	} >changes.jsonl
	oisync-apply -v changes.jsonl >results.jsonl 2>apply.log
}

@test "full read: every contact once, from Graph, with its id, etag and op tag; then a delta link as the checkpoint" {
	run extract --stats
	assert_success
	assert_equal "$(contacts)" $'upsert Lindqvist\nupsert Petrov\nupsert Sato'
	# Each record says where it came from, and carries the server's id and version.
	run jq -c 'select(.type == "contact") | [.side, .account, .folder, .backend, .op]' out.jsonl
	assert_output - <<'EOF'
["exchange","carol@firm.example","contacts","graph","upsert"]
["exchange","carol@firm.example","contacts","graph","upsert"]
["exchange","carol@firm.example","contacts","graph","upsert"]
EOF
	assert_equal "$(emitted)" "$(held)"
	run jq -c 'select(.type == "contact") | [.data.surname, .op_tag]' out.jsonl
	assert_line '["Sato","op-1234"]'
	assert_line '["Petrov",null]'
	# The checkpoint last: complete, full, and Graph's deltaLink of the folder.
	run jq -r '.type' out.jsonl
	assert_line --index 3 checkpoint
	run checkpoint
	assert_output --regexp '"complete":true,"full":true'
	[[ $(token) == "$GRAPH/users/carol%40firm.example/contactFolders/contacts/contacts/delta?"*'$deltatoken='* ]]
	# The sign-in, the mailbox's sync record looked for, a delta round for the
	# link, the folder listed: one request each.
	run requests "POST /{tenant}/oauth2/v2.0/token" "GET /users/{id}/mailFolders" "$DELTA" "$LIST" "POST /\$batch"
	assert_output $'1\n1\n1\n1\n0'
	run grep -c 'graph contacts: 4 requests (0 retries), .* 3 items, 0 deletes' err.log
	assert_output 1
}

@test "incremental read from the committed delta link: the edit, the new contact and the deletion, nothing more" {
	run extract
	assert_success
	commit_token contacts "$(token)"
	old=$(jq -r 'select(.data.surname == "Lindqvist") | .version' out.jsonl)
	gfake edit "{\"mailbox\":\"$CAROL\",\"id\":\"$(contact_id Lindqvist)\",\"set\":{\"jobTitle\":\"General Counsel\"}}" >/dev/null
	gfake create "{\"mailbox\":\"$CAROL\",\"kind\":\"contact\",\"item\":{\"givenName\":\"Nina\",\"surname\":\"Novak\"}}" >/dev/null
	hana=$(contact_id Sato)
	gfake delete "{\"mailbox\":\"$CAROL\",\"id\":\"$hana\"}" >/dev/null
	gfake stats/reset '{}' >/dev/null
	run extract
	assert_success
	assert_equal "$(contacts)" $'delete '"$hana"$'\nupsert Lindqvist\nupsert Novak'
	run jq -c --arg old "$old" 'select(.data.surname == "Lindqvist") | [.backend, .data.jobTitle, .version != $old]' out.jsonl
	assert_output '["graph","General Counsel",true]'
	# A deletion is the id alone.
	run jq -c 'select(.op == "delete") | [.type, .backend, .folder, has("data"), has("version")]' out.jsonl
	assert_output '["contact","graph","contacts",false,false]'
	run checkpoint
	assert_output --regexp '"complete":true,"full":false'
	[[ $(token) == "$GRAPH/users/carol%40firm.example/contactFolders/contacts/contacts/delta?"*'$deltatoken='* ]]
	# One delta round, the two changed contacts fetched in one $batch; no
	# listing, no sync record, no sign-in (the token is kept in the state folder).
	run requests "$DELTA" "POST /\$batch" "$LIST" "GET /users/{id}/mailFolders" "POST /{tenant}/oauth2/v2.0/token"
	assert_output $'1\n1\n0\n0\n0'
	assert_equal "$(gfake stats | jq -c .batch)" '{"batches":1,"requests":2}'
	# From the new link nothing changed: the checkpoint alone, for one request.
	commit_token contacts "$(token)"
	gfake stats/reset '{}' >/dev/null
	run extract
	assert_success
	run jq -c '[.type, .full]' out.jsonl
	assert_output '["checkpoint",false]'
	assert_equal "$(gfake stats | jq .total)" 1
}

@test "calendar: the window's meetings and occurrences, then the changes since the committed link" {
	run extract_calendar
	assert_success
	# A single meeting and the series' three occurrences; the master only names them.
	run jq -r 'select(.type == "appointment") | [.backend, .op, .data.subject, .data.type] | join(" ")' out.jsonl
	assert_output - <<'EOF'
graph upsert Review singleInstance
graph upsert Weekly occurrence
graph upsert Weekly occurrence
graph upsert Weekly occurrence
EOF
	run jq -c 'select(.type == "checkpoint") | [.folder, .complete, .full, .window.start, .window.end]' out.jsonl
	assert_output '["calendar",true,true,"2030-01-01T00:00:00Z","2030-06-01T00:00:00Z"]'
	[[ $(token | jq -r .sync) == "$GRAPH/users/carol%40firm.example/calendarView/delta?"*'$deltatoken='* ]]
	commit_token calendar "$(token)"
	occurrence=$(jq -r 'select(.data.type == "occurrence") | .id' out.jsonl | head -n 1)
	gfake edit "{\"mailbox\":\"$CAROL\",\"id\":\"$(event_id Review)\",\"set\":{\"subject\":\"Review (moved)\"}}" >/dev/null
	gfake delete "{\"mailbox\":\"$CAROL\",\"id\":\"$occurrence\"}" >/dev/null
	gfake stats/reset '{}' >/dev/null
	run extract_calendar
	assert_success
	# The edit; the cancelled occurrence a delete (looked up: gone, not moved
	# out of the window); the series' other occurrences again, as Graph
	# reports every instance of a series that changed.
	run jq -r --arg o "$occurrence" 'select(.type == "appointment") | [.op, .id == $o, .data.subject // "-"] | join(" ")' out.jsonl
	assert_output - <<'EOF'
upsert false Review (moved)
upsert false Weekly
upsert false Weekly
delete true -
EOF
	run jq -c 'select(.type == "checkpoint") | [.complete, .full]' out.jsonl
	assert_output '[true,false]'
	run requests "GET /users/{id}/calendarView/delta" "POST /\$batch"
	assert_output $'1\n1'
}

@test "a committed token that is no delta link of this server (an EWS SyncState, another Graph) is never sent: a warning and a full read" {
	# What an EWS mailbox left when it moved to Exchange Online.
	commit_token contacts "AU9TU3Nub3RhdG9rZW4="
	run extract
	assert_success
	run cat err.log
	assert_output --partial "the committed contacts token is not a delta link of this server's; reading the whole folder"
	assert_equal "$(contacts)" $'upsert Lindqvist\nupsert Petrov\nupsert Sato'
	run checkpoint
	assert_output --regexp '"complete":true,"full":true'
	# A link of another Graph (a URL since changed): never followed, so the
	# app's token never goes there.
	commit_token contacts "https://graph.microsoft.com/v1.0/users/carol%40firm.example/contactFolders/contacts/contacts/delta?\$deltatoken=x"
	commit_token calendar '{"v":1,"sync":"https://graph.microsoft.com/v1.0/users/carol%40firm.example/calendarView/delta?$deltatoken=y","start":"2030-01-01T00:00:00Z","end":"2030-06-01T00:00:00Z"}'
	gfake stats/reset '{}' >/dev/null
	run extract
	assert_success
	run cat err.log
	assert_output --partial "the committed contacts token is not a delta link of this server's; reading the whole folder"
	[ "$(jq -s 'map(select(.type == "contact")) | length' out.jsonl)" -eq 3 ]
	run extract_calendar
	assert_success
	run cat err.log
	assert_output --partial "the committed calendar token is not a delta link of this server's; reading the whole window"
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 4 ]
	run checkpoint
	assert_output --regexp '"complete":true,"full":true'
	# Each read from the beginning, one round each: nothing else was asked.
	run requests "$DELTA" "GET /users/{id}/calendarView/delta"
	assert_output $'1\n1'
}

@test "a delta link Graph no longer knows (410 syncStateNotFound): a warning and a full read, contacts and calendar" {
	run extract
	assert_success
	commit_token contacts "$(token)"
	want=$(emitted)
	run extract_calendar
	assert_success
	commit_token calendar "$(token)"
	gfake expire-delta "{\"mailbox\":\"$CAROL\"}" >/dev/null
	gfake stats/reset '{}' >/dev/null
	run extract
	assert_success
	run cat err.log
	assert_output --partial "delta link rejected by Microsoft Graph (expired); reading the whole folder"
	assert_equal "$(emitted)" "$want"
	run checkpoint
	assert_output --regexp '"complete":true,"full":true'
	[[ $(token) == "$GRAPH/users/carol%40firm.example/contactFolders/contacts/contacts/delta?"*'$deltatoken='* ]]
	run extract_calendar
	assert_success
	run cat err.log
	assert_output --partial "calendar delta link rejected by Microsoft Graph (expired); reading the whole window"
	[ "$(jq -s 'map(select(.type == "appointment" and .op == "upsert")) | length' out.jsonl)" -eq 4 ]
	run jq -c 'select(.type == "checkpoint") | [.complete, .full]' out.jsonl
	assert_output '[true,true]'
	# Each old link asked once (410), then one round from the beginning; never retried.
	run requests "$DELTA" "GET /users/{id}/calendarView/delta"
	assert_output $'2\n2'
	assert_equal "$(gfake stats | jq '.status["410"]')" 2
}

@test "an inner 429 of a \$batch with Retry-After: that request alone again, after waiting as long as asked" {
	run extract
	assert_success
	commit_token contacts "$(token)"
	for s in Petrov Lindqvist; do
		gfake edit "{\"mailbox\":\"$CAROL\",\"id\":\"$(contact_id $s)\",\"set\":{\"jobTitle\":\"Partner\"}}" >/dev/null
	done
	gfake stats/reset '{}' >/dev/null
	# The first request inside the next $batch is throttled; the batch itself is 200.
	gfake faults '{"batch_item": {"code": 429, "retry_after": 3}}' >/dev/null
	OISYNC_TEST_SLEEP_LOG="$D/waits" run extract --stats
	assert_success
	# One wait, of at least the 3 s asked (logged, not slept).
	run cat "$D/waits"
	assert_equal "${#lines[@]}" 1
	[ "${lines[0]}" -ge 3000 ]
	# Both contacts, each once, as the server has them now.
	assert_equal "$(contacts)" $'upsert Lindqvist\nupsert Petrov'
	run jq -r 'select(.type == "contact") | .data.jobTitle' out.jsonl
	assert_output $'Partner\nPartner'
	run checkpoint
	assert_output --regexp '"complete":true,"full":false'
	# One $batch of the two, then the throttled one alone: three GETs of a contact in all.
	assert_equal "$(gfake stats | jq -c '[.faults_fired.batch_item, .batch]')" '[1,{"batches":1,"requests":2}]'
	run requests "$DELTA" "POST /\$batch" "GET /users/{id}/contacts/{id}"
	assert_output $'1\n1\n3'
}

@test "a dropped connection, a 503 and a cut-off body on GETs of a two-page read: each retried, every contact exactly once" {
	gfake reset "{\"seed\": \"$BATS_FILE_TMPDIR/graph_seed_1200.json\"}" >/dev/null
	# The read's requests: the sign-in, the sync record looked for, the delta
	# round's two pages, the listing's two. The second delta page's connection
	# drops (skip 3); the listing's second page is 503 with Retry-After
	# (skip 5: the requests that reach this kind), then cut off halfway (skip 5),
	# after the first page's 1,000 contacts were written.
	gfake faults '{"drop": {"skip": 3}, "http_status": {"code": 503, "retry_after": 1, "skip": 5},
		"truncate": {"skip": 5}}' >/dev/null
	OISYNC_TEST_SLEEP_LOG="$D/waits" run extract --stats
	assert_success
	assert_equal "$(gfake stats | jq -c .faults_fired)" '{"drop":1,"http_status":1,"truncate":1,"batch_item":0}'
	# Where they landed: the second delta page asked twice, the listing's second page three times.
	run requests "$DELTA" "$LIST"
	assert_output $'3\n4'
	# The dropped GET went again at once, uncounted: its connection had served
	# a page before, and libcurl sends a read again on a new connection by
	# itself. The other two were retried after a wait, the 503 at least the
	# second it asked for (logged, not slept).
	run grep -c 'graph contacts: 8 requests (2 retries), .* 1200 items, 0 deletes' err.log
	assert_output 1
	run cat "$D/waits"
	assert_equal "${#lines[@]}" 2
	[ "$(sort -n "$D/waits" | tail -n 1)" -ge 1000 ]
	# Each contact once, with the version the server holds; the checkpoint last.
	[ -z "$(jq -r 'select(.type == "contact") | .id' out.jsonl | sort | uniq -d)" ]
	[ "$(emitted | wc -l)" -eq 1200 ]
	assert_equal "$(emitted)" "$(held)"
	run jq -r '.type' out.jsonl
	assert_line --index 1200 checkpoint
	run checkpoint
	assert_output --regexp '"complete":true,"full":true'
}

@test "a create whose reply is lost is never sent again: the next run adopts what it made, by its op id" {
	# The sign-in first, so that the fault below lands where it is meant to.
	run extract
	assert_success
	gfake stats/reset '{}' >/dev/null
	op='{"type":"op","op_id":"sha256:test-create-novak","action":"create","target":"exchange","kind":"contact","pair":"p-novak","id":null,"if_version":null,"data":{"first":"Nina","last":"Novak","emails":[{"address":"nina@novak.example","kind":"work"}]},"ids":{"exchange":null,"interaction":"c-000099"},"versions":{"exchange":null,"interaction":"1"},"reason":"new in InterAction"}'
	# apply looks for an item tagged with the op id (none), then POSTs: Graph
	# makes the contact, and the connection drops before the reply.
	gfake faults '{"drop": {"after": true, "skip": 1}}' >/dev/null
	run apply_cs "$op"
	assert_failure 69
	run cat apply.log
	assert_output --partial "/users/carol%40firm.example/contacts: the connection closed before any reply; not sent again, as it may have been done"
	assert_equal "$(jq -r .status results.jsonl)" failed
	# Sent once (libcurl would have sent it again on a new connection), made once.
	assert_equal "$(gfake stats | jq -c '[.faults_fired.drop, .requests["POST /users/{id}/contacts"]]')" '[1,1]'
	novak=$(contact_id Novak)
	[ -n "$novak" ]
	# The next run finds it by the op id it carries and records it: no second POST.
	run apply_cs "$op"
	assert_success
	run cat apply.log
	assert_output --partial "adopted contact $novak, created by an interrupted run"
	assert_equal "$(jq -c '[.status, .id]' results.jsonl)" "[\"ok\",\"$novak\"]"
	assert_equal "$(gfake stats | jq '.requests["POST /users/{id}/contacts"]')" 1
	run gfake "dump?mailbox=$CAROL"
	assert_equal "$(jq -c '[.contactFolders[].contacts[] | select(.surname == "Novak") | .singleValueExtendedProperties[].value]' <<<"$output")" \
		'["sha256:test-create-novak"]'
	# The pair holds it.
	assert_equal "$(sqlite3 "state/online/$CAROL.db" "select exchange_id from pairs where pair_id = 'p-novak'")" "$novak"
}

# sofia_op ACTION VERSION: an op on carol's Sofia Lindqvist, as reconcile
# writes one, made against VERSION.
sofia_op() {
	jq -cn --arg a "$1" --arg id "$(contact_id Lindqvist)" --arg v "$2" '{type: "op", op_id: ("sha256:test-" + $a),
		action: $a, target: "exchange", kind: "contact", pair: "p-test", id: $id, if_version: $v,
		data: {first: "Sofia", last: "Lindqvist", job_title: "Partner", emails: [{address: "sofia@fjord.example", kind: "work"}]},
		fields: ["job_title"], reason: "changed in InterAction: job_title"}'
}

@test "an update of a contact edited in Outlook since it was read: 412, a conflict, the edit kept" {
	run extract
	assert_success
	id=$(contact_id Lindqvist)
	old=$(jq -r --arg id "$id" 'select(.id == $id) | .version' out.jsonl)
	gfake edit "{\"mailbox\":\"$CAROL\",\"id\":\"$id\",\"set\":{\"jobTitle\":\"General Counsel\"}}" >/dev/null
	gfake stats/reset '{}' >/dev/null
	run apply_cs "$(sofia_op update "$old")"
	assert_failure 1
	assert_equal "$(jq -r .status results.jsonl)" conflict
	run cat apply.log
	assert_output --partial "contact '$id' changed in Exchange since version '$old': not overwritten"
	# One PATCH, with If-Match, refused: never sent again, nothing overwritten.
	assert_equal "$(gfake stats | jq -c '[.requests["PATCH /users/{id}/contacts/{id}"], .status["412"]]')" '[1,1]'
	assert_equal "$(gfake "dump?mailbox=$CAROL" | jq -r --arg id "$id" '.contactFolders[].contacts[] | select(.id == $id) | .jobTitle')" \
		"General Counsel"
}

@test "a delete of a contact edited in Outlook since it was read: a conflict, the contact stays" {
	run extract
	assert_success
	id=$(contact_id Lindqvist)
	old=$(jq -r --arg id "$id" 'select(.id == $id) | .version' out.jsonl)
	gfake edit "{\"mailbox\":\"$CAROL\",\"id\":\"$id\",\"set\":{\"jobTitle\":\"General Counsel\"}}" >/dev/null
	gfake stats/reset '{}' >/dev/null
	run apply_cs "$(sofia_op delete "$old")"
	assert_failure 1
	assert_equal "$(jq -r .status results.jsonl)" conflict
	run cat apply.log
	assert_output --partial "contact '$id' changed in Exchange since version '$old': not deleted"
	assert_equal "$(gfake stats | jq -c '[.requests["DELETE /users/{id}/contacts/{id}"], .status["412"]]')" '[1,1]'
	assert_equal "$(gfake "dump?mailbox=$CAROL" | jq -r --arg id "$id" '.contactFolders[].contacts[] | select(.id == $id) | .jobTitle')" \
		"General Counsel"
}

@test "a mailbox the app may not open (403 ErrorAccessDenied): that user fails with 77, naming the mailbox and the fix; the others sync" {
	run extract bob@firm.example
	assert_failure 77
	run cat err.log
	assert_output --partial "the app may not open mailbox bob@firm.example (an application access policy or RBAC for Applications must include it, and the app needs the permissions oisync.conf(5) lists): HTTP 403 ErrorAccessDenied"
	assert_equal "$(cat out.jsonl)" ""
	# bob on Exchange Online beside carol and dave: his run fails, theirs go on.
	graph_users bob
	run oisync-run online
	assert_failure 77
	assert_line --partial "bob@firm.example: failed (exit 77)"
	assert_line --partial "carol@firm.example: ok"
	assert_line --partial "dave@firm.example: ok"
	assert_line --partial "online: 3 users, 2 ok, 1 failed"
	assert_output --partial "the app may not open mailbox bob@firm.example (an application access policy or RBAC for Applications must include it, and the app needs the permissions oisync.conf(5) lists)"
	# carol's and dave's lists now hold what their mailboxes do.
	run jq -r '.mailboxes["carol@firm.example", "dave@firm.example"] |
		[(.outlook | map(.email) | sort), (.interaction | map(.email) | sort)] | .[0] == .[1] and (.[0] | length) > 0' <<<"$(holdings)"
	assert_output $'true\ntrue'
}
