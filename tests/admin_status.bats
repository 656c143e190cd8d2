#!/usr/bin/env bats
# admin_status.bats - oisync status (table, --json, --html rendered by headless
# Chromium) and oisync show after real runs against the fakes.

load e2e_helper

bats_require_minimum_version 1.5.0

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	CHANGES=$(oisync config changes_dir)/ex1
	# carol is configured but has never run: her state does not exist.
	printf '\n[user carol]\nmailbox = carol@firm.example\nserver = ex1\nenabled = no\ncalendar = on\n' >>"$D/users.conf"
}
teardown() { e2e_teardown; }

# changes_by_hand USER MAILBOX FILE: the user's change set, made by the stages as an admin would.
changes_by_hand() {
	{ oisync-extract exchange --mailbox "$2" && oisync-extract interaction --user "$1"; } |
		oisync-transform | oisync-reconcile --server ex1 --account "$2" --user "$1" >"$3"
}

# bob_fails: bob's Outlook edit is reconciled, then applied while InterAction
# is down, as oisync-run would save it: his last run failed, alice's is ok.
bob_fails() {
	run oisync-run ex1
	assert_success
	ews_ctl "$D" edit "{\"mailbox\":\"bob@firm.example\",\"id\":\"$(ews_id bob@firm.example Rossi)\",\"set\":{\"JobTitle\":\"Counsel\"}}" >/dev/null
	BOB="$CHANGES/20261203T010000Z-bob.jsonl"
	changes_by_hand bob bob@firm.example "$BOB"
	[ "$(server_ops_in "$BOB")" -ge 1 ]
	ia_ctl "$D" faults '{"http_status":{"code":503,"next":1000,"retry_after":0}}' >/dev/null
	run oisync-apply "$BOB"
	assert_failure 75
	ia_ctl "$D" faults '{}' >/dev/null
}

@test "oisync status: the failing user first in the table and in --json, a user never run, each server's totals" {
	bob_fails
	run oisync status
	assert_success
	# Header, then bob (failing) before alice, though the users file lists alice first.
	assert_line --index 0 --regexp '^USER +SERVER +ENABLED +OUTCOME +LAST RUN +LAST SUCCESS +OK +CONFLICTS +ERRORS +UNSETTLED +CALENDAR$'
	assert_line --index 1 --regexp '^bob +ex1 +yes +failed +20[0-9T:-]+Z +20[0-9T:-]+Z +0 +0 +[0-9]+ +[0-9]+ +off$'
	assert_line --index 2 --regexp '^alice +ex1 +yes +ok +20[0-9T:-]+Z +20[0-9T:-]+Z +[0-9]+ +0 +0 +0 +off$'
	assert_line --index 3 --regexp '^carol +ex1 +no +never run +- +- +0 +0 +0 +0 +on$'
	assert_line --regexp '^server ex1: 3 users \(2 enabled\): 1 ok, 1 failing, 1 never run; last runs: [0-9]+ ok, [0-9]+ skipped, 0 conflicts, [0-9]+ failed; slowest: '
	# The columns line up: OUTCOME starts at the same place on every user's line.
	cols=$(printf '%s\n' "${lines[@]:0:4}" | awk '{ print index($0, $4) }' | sort -u | wc -l)
	[ "$cols" -eq 1 ]

	# --json: the same, as one document with its keys.
	oisync status --json >"$D/status.json"
	run jq -r '.users | map(.user) | join(",")' "$D/status.json"
	assert_output "bob,alice,carol"
	run jq -r '.users[0] | [.outcome, .failing, .enabled, .calendar, .mailbox, .server, (.last_run | test("Z$")), .seconds >= 0, (.history | length), .history[0].outcome] | map(tostring) | join(" ")' "$D/status.json"
	assert_output "failed true true false bob@firm.example ex1 true true 2 failed"
	# bob's last success is his first run, before the failure.
	run jq -r '.users[0] | (.last_success <= .last_run) and (.counts | keys == ["conflict","failed","ok","skipped"]) and .pairs > 0 and .problem == null' "$D/status.json"
	assert_output true
	run jq -r '.users[1] | [.outcome, .failing, .errors, .conflicts, .unsettled, (.history | length)] | map(tostring) | join(" ")' "$D/status.json"
	assert_output "ok false 0 0 0 1"
	run jq -r '.users[2] | [.outcome, .failing, .enabled, .calendar, .last_run, .last_success, .counts, (.history | length)] | map(tostring) | join(" ")' "$D/status.json"
	assert_output "never run false false true null null null 0"
	run jq -r '.servers[0] | [.server, .users, .enabled, .ok, .failing, .never_run, (.slowest | map(.user) | sort | join("+"))] | map(tostring) | join(" ")' "$D/status.json"
	assert_output "ex1 3 2 1 1 1 alice+bob"
	run jq -r '.generated | test("^20[0-9-]+T[0-9:]+Z$")' "$D/status.json"
	assert_output true

	run oisync status --server nosuch
	assert_failure 78
}

@test "oisync status: a state that cannot be read is that user's problem; the others are still reported" {
	mkdir -p "$D/state/ex1"
	printf 'not a database, not at all; long enough to be read as a header..........................\n' >"$D/state/ex1/carol@firm.example.db"
	run --separate-stderr oisync status
	assert_success
	[[ $stderr == *"carol@firm.example.db"* ]] # the state's own message says which file
	assert_line --index 1 --regexp '^carol +ex1 +no +unreadable +- +- '
	assert_line --index 2 --regexp '^alice +ex1 +yes +never run '
	assert_line --regexp "^carol: its state cannot be read \(exit 65; oisync check --deep says more\)\$"
	run --separate-stderr oisync status --json
	assert_success
	run jq -r '.users[0] | [.user, .outcome, .failing, (.problem | test("cannot be read"))] | map(tostring) | join(" ")' <<<"$output"
	assert_output "carol unreadable true true"
}

@test "oisync status --html: a page headless Chromium renders, the failing user's row first" {
	bob_fails
	run oisync status --html "$D/www/status.html"
	assert_failure # no such folder: nothing half-written is left
	mkdir "$D/www"
	run oisync status --html "$D/www/status.html"
	assert_success
	assert_output ""
	[ "$(ls "$D/www")" = status.html ] # the temporary file was renamed, not left
	[ "$(stat -c %a "$D/www/status.html")" = 644 ]
	# Self-contained: no script, no external resource.
	! grep -Eqi '<script|<link|src=|@import|url\(' "$D/www/status.html"
	grep -q '<svg class="history"' "$D/www/status.html"
	if ! command -v chromium >/dev/null; then
		skip "chromium is not installed (scripts/deps.sh installs it): the page was not rendered"
	fi
	# One browser start both renders the DOM and takes the screenshot.
	DBUS_SESSION_BUS_ADDRESS=disabled: chromium --headless --disable-gpu --no-sandbox --no-first-run \
		--user-data-dir="$BATS_TEST_TMPDIR/chromium" --window-size=1400,600 \
		--screenshot="$D/status.png" --dump-dom "file://$D/www/status.html" >"$D/dom.html" 2>"$D/chromium.log"
	# The rendered page's user rows, in order: bob's is first and marked failing.
	run grep -o '<tr class="user[^"]*" data-user="[a-z]*"' "$D/dom.html"
	assert_line --index 0 '<tr class="user failing" data-user="bob"'
	assert_line --index 1 '<tr class="user" data-user="alice"'
	assert_line --index 2 '<tr class="user" data-user="carol"'
	grep -q '<td class="outcome">failed</td>' "$D/dom.html"
	# bob's chart has both runs, the failed one red.
	grep -o '<tr class="user failing" data-user="bob">.*</tr>' "$D/dom.html" | grep -o '<rect class="[a-z]*"' >"$D/bars"
	[ "$(cat "$D/bars")" = $'<rect class="failed"\n<rect class="ok"' ]
	# A PNG was drawn.
	[ -s "$D/status.png" ]
	[ "$(head -c 8 "$D/status.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

@test "oisync show: a saved change set in words, with the field values it replaces and writes and the conflicts its results report" {
	run oisync-run ex1
	assert_success
	# Ann Lee is promoted in InterAction; the change set takes it to alice's Outlook...
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Lee)\",\"set\":{\"job_title\":\"Senior Partner\"}}" >/dev/null
	CS="$CHANGES/20261203T020000Z-alice.jsonl"
	changes_by_hand alice alice@firm.example "$CS"
	run oisync show "$CS"
	assert_success
	assert_line --index 0 --regexp "^$CS: change set of alice \\(alice@firm.example on ex1\\), made 20[0-9T:-]+Z from state generation [0-9]+\$"
	assert_line --regexp "^update contact in Outlook: Ann Lee <[^>]+> \\(job_title\\) - changed in InterAction: job_title\$"
	assert_line --regexp "^    changed in InterAction at 20[0-9T:.-]+Z\$"
	assert_line "    job_title: 'Partner' -> 'Senior Partner'"
	assert_line --regexp "^[0-9]+ ops; not applied: no results in '$CHANGES/20261203T020000Z-alice.results.jsonl'\$"
	# ...but alice edits her Outlook copy before apply runs: a conflict, nothing overwritten.
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Lee)\",\"set\":{\"JobTitle\":\"Managing Partner\"}}" >/dev/null
	run oisync-apply "$CS"
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" | grep '"type":"result"' >"${CS%.jsonl}.results.jsonl"
	run oisync show "$CS"
	assert_success
	assert_line "    result: conflict: the item changed on the server since it was read"
	assert_line --regexp "^[0-9]+ ops: [0-9]+ ok, 0 already done, 1 conflicts, 0 failed \\(results '.*alice.results.jsonl'\\)\$"
	# oisync-apply --dry-run's words are the same describer's.
	run oisync-apply --dry-run "$CS"
	assert_line --regexp "^already done: update contact in Outlook: Ann Lee <[^>]+> \\(job_title\\) - changed in InterAction: job_title\$"

	run oisync show "$D/nosuch.jsonl"
	assert_failure 66
	run oisync show
	assert_failure 64
}

@test "oisync show: a create that met an existing item names each field both held, with the losing value" {
	mkdir -p "$CHANGES"
	CS="$CHANGES/20261203T030000Z-alice.jsonl"
	printf '%s\n' '{"type":"changeset","account":"alice@firm.example","server":"ex1","user":"alice","created":"2026-12-03T03:00:00Z","id":"sha256:x","state":3,"first_sync":false,"counts":{"create":1}}' \
		'{"type":"op","op_id":"sha256:c1","action":"create","target":"interaction","kind":"contact","pair":"p-1","data":{"first":"Ann","last":"Lee","job_title":"Associate"},"reason":"new in Outlook"}' >"$CS"
	printf '%s\n' '{"type":"result","op_id":"sha256:c1","status":"ok","id":"c-000001","version":"3","error":null,"merge":{"with":"c-000001","policy":"newest-wins","kept":"exchange","conflicts":{"job_title":{"exchange":"Associate","interaction":"Partner"}},"updated":["interaction"]}}' >"${CS%.jsonl}.results.jsonl"
	run oisync show "$CS"
	assert_success
	assert_line "create contact in InterAction: Ann Lee - new in Outlook"
	assert_line "    conflict on job_title: Outlook had 'Associate', InterAction had 'Partner'; Outlook kept"
	assert_line --regexp "^1 ops: 1 ok, 0 already done, 0 conflicts, 0 failed"
}

# The words of oisync show, line for line: an update with the values it
# replaces, one whose old value lost a conflict, one saved before change sets
# recorded old values, a create and a delete.
@test "oisync show: exact lines for an update, a conflict, an update saved without old values, a create and a delete" {
	mkdir -p "$CHANGES"
	CS="$CHANGES/20261203T040000Z-alice.jsonl"
	local ids='"ids":{"exchange":"e-ann","interaction":"i-ann"},"versions":{"exchange":"ck-1","interaction":"7"}'
	printf '%s\n' \
		'{"type":"changeset","account":"alice@firm.example","server":"ex1","user":"alice","created":"2026-12-03T04:00:00Z","id":"sha256:x","state":5,"first_sync":false}' \
		'{"type":"op","op_id":"sha256:u1","action":"update","target":"exchange","kind":"contact","pair":"p-ann","id":"e-ann","if_version":"ck-1","data":{"first":"Ann","last":"Lee","job_title":"Senior Partner","phones":{"mobile":"+12125550100"}},"fields":["job_title","phones.mobile","web"],'"$ids"',"old":{"job_title":"Partner","web":"https://acme.example"},"source_modified":"2026-12-03T03:58:00Z","reason":"changed in InterAction: job_title, phones.mobile, web"}' \
		'{"type":"op","op_id":"sha256:u2","action":"update","target":"exchange","kind":"contact","pair":"p-bob","id":"e-bob","if_version":"ck-2","data":{"first":"Bob","last":"Roe","company":"Acme Inc"},"fields":["company"],'"$ids"',"old":{"company":"ACME"},"conflicts":["company"],"source_modified":"2026-12-03T03:59:00Z","reason":"changed in InterAction: company; conflict on company: InterAction kept (newest-wins)"}' \
		'{"type":"op","op_id":"sha256:u3","action":"update","target":"interaction","kind":"contact","pair":"p-cy","id":"i-cy","if_version":"3","data":{"first":"Cy","last":"Vance","job_title":"Counsel"},"fields":["job_title"],'"$ids"',"reason":"changed in Outlook: job_title"}' \
		'{"type":"op","op_id":"sha256:c1","action":"create","target":"interaction","kind":"contact","pair":"p-dee","id":null,"if_version":null,"data":{"first":"Dee","last":"Park","emails":[{"address":"dee@park.example","kind":"work"}]},"merge":{"policy":"newest-wins","direction":"both","modified":"2026-12-02T08:00:00Z"},"reason":"new in Outlook"}' \
		'{"type":"op","op_id":"sha256:d1","action":"delete","target":"interaction","kind":"contact","pair":"p-eve","id":"i-eve","if_version":"9","reason":"deleted in Outlook"}' >"$CS"
	run oisync show "$CS"
	assert_success
	assert_output "$CS: change set of alice (alice@firm.example on ex1), made 2026-12-03T04:00:00Z from state generation 5
update contact in Outlook: Ann Lee (job_title, phones.mobile, web) - changed in InterAction: job_title, phones.mobile, web
    changed in InterAction at 2026-12-03T03:58:00Z
    job_title: 'Partner' -> 'Senior Partner'
    phones.mobile: nothing -> '+12125550100'
    web: 'https://acme.example' -> nothing
update contact in Outlook: Bob Roe (company) - changed in InterAction: company; conflict on company: InterAction kept (newest-wins)
    changed in InterAction at 2026-12-03T03:59:00Z
    company: 'ACME' -> 'Acme Inc' (conflict: Outlook's value lost)
update contact in InterAction: Cy Vance (job_title) - changed in Outlook: job_title
    job_title: (old value not recorded) -> 'Counsel'
create contact in InterAction: Dee Park <dee@park.example> - new in Outlook
    changed in Outlook at 2026-12-02T08:00:00Z
remove from the contact list the contact in InterAction: i-eve - deleted in Outlook
5 ops; not applied: no results in '$CHANGES/20261203T040000Z-alice.results.jsonl'"
}
