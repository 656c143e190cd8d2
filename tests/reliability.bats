#!/usr/bin/env bats
# reliability.bats - each way a change set could be applied to a world it was
# not computed from, reproduced: stale replays, overlapping runs, creates
# without a precondition, foreign headers and checkpoints.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	DB="$D/state/ex1/alice@firm.example.db"
}
teardown() { e2e_teardown; }

# changes_by_hand FILE: alice's change set, made by the stages as an admin would.
changes_by_hand() {
	{ oisync-extract exchange --mailbox alice@firm.example && oisync-extract interaction --user alice; } |
		oisync-transform | oisync-reconcile --server ex1 --account alice@firm.example --user alice >"$1"
}

# Requests the fakes saw that change something.
writes() {
	{ ews_ctl "$D" stats; echo; ia_ctl "$D" stats; } |
		jq -s '(.[0].operations | to_entries | map(select(.key | test("CreateItem|UpdateItem|DeleteItem"))) | map(.value) | add // 0)
		     + (.[1].requests | to_entries | map(select(.key | test("^(POST|PUT|PATCH|DELETE) /api"))) | map(.value) | add // 0)'
}

# Every request either fake saw.
requests() {
	{ ews_ctl "$D" stats; echo; ia_ctl "$D" stats; } | jq -s '.[0].requests + .[1].total'
}

# No person twice in alice's Outlook or on her InterAction list.
no_duplicates() {
	holdings | jq -e '.mailboxes["alice@firm.example"] | [.outlook, .interaction]
		| map(map(.name) | (length == (unique | length))) | all' >/dev/null
}

generation() { sqlite3 "$DB" "select coalesce((select value from meta where key = 'generation'), 0)"; }

# header_ops ACCOUNT SERVER STATE OP...: a hand-made change set on stdout.
header_ops() {
	local account=$1 server=$2 state=$3
	shift 3
	printf '{"type":"changeset","account":"%s","server":"%s","created":"2026-11-24T10:00:00Z","state":%s}\n' \
		"$account" "$server" "$state"
	[ $# -eq 0 ] || printf '%s\n' "$@"
}

@test "a change set computed before a later run committed is refused, with --replay or without; nothing changes" {
	run oisync-run ex1
	assert_success
	# Zed is created in Outlook; an admin saves a change set, then the scheduled run syncs Zed.
	ews_ctl "$D" create '{"mailbox":"alice@firm.example","item":{"GivenName":"Zed","Surname":"Stale","EmailAddresses":{"EmailAddress1":"zed@stale.example"}}}' >/dev/null
	changes_by_hand "$D/old.jsonl"
	[ "$(server_ops_in "$D/old.jsonl")" -gt 0 ]
	# Alice edits Zed before the scheduled run, which syncs the edited Zed.
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Stale)\",\"set\":{\"JobTitle\":\"v2\"}}" >/dev/null
	run oisync-run ex1
	assert_success
	gen=$(generation)
	before=$(writes)
	cps=$(sqlite3 "$DB" 'select side, folder, token from checkpoints order by 1, 2')
	for how in --replay ""; do
		run oisync-apply $how "$D/old.jsonl"
		assert_failure 65
		assert_output --partial "old.jsonl: change set computed from state generation $((gen - 1)), but the account's state is at generation $gen: another run has committed since; nothing was applied"
		assert_output --partial 'Run `oisync-run -u alice ex1`'
	done
	[ "$(writes)" = "$before" ]
	[ "$(generation)" = "$gen" ]
	[ "$(sqlite3 "$DB" 'select side, folder, token from checkpoints order by 1, 2')" = "$cps" ]
	no_duplicates
	# And the account is not stuck: the next run is quiet, Zed is there once with his edit.
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	run jq -r '.mailboxes["alice@firm.example"].interaction[] | select(.name == "Zed Stale") | .job' <<<"$(holdings)"
	assert_output v2
}

@test "a failed night's change set replays while the only commits since are its own, and finishes the job once" {
	run oisync-run ex1
	assert_success
	ews_ctl "$D" create '{"mailbox":"alice@firm.example","item":{"GivenName":"Yan","Surname":"Night","EmailAddresses":{"EmailAddress1":"yan@night.example"}}}' >/dev/null
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Nilsson)\",\"set\":{\"job_title\":\"Night Editor\"}}" >/dev/null
	changes_by_hand "$D/night.jsonl"
	[ "$(server_ops_in "$D/night.jsonl")" -ge 2 ]
	# InterAction is throttled all night: apply stops with 75 and commits what it did.
	ia_ctl "$D" faults '{"http_status":{"code":503,"next":1000,"retry_after":0}}' >/dev/null
	run oisync-apply "$D/night.jsonl"
	assert_failure 75
	ia_ctl "$D" faults '{}' >/dev/null
	[ "$(sqlite3 "$DB" "select changeset from runs order by id desc limit 1")" = "$(jq -r 'select(.type == "changeset") | .id' "$D/night.jsonl")" ]
	# In the morning the admin replays it: what was done is skipped, the rest done.
	run oisync-apply --replay "$D/night.jsonl"
	assert_success
	no_duplicates
	run jq -r '.mailboxes["alice@firm.example"] | [(.outlook[] | select(.name == "Yan Night") | .name), (.interaction[] | select(.name == "Yan Night") | .name), (.outlook[] | select(.name == "Erik Nilsson") | .job)] | join("|")' <<<"$(holdings)"
	assert_output "Yan Night|Yan Night|Night Editor"
	# Replaying it once more changes nothing and the next run is quiet.
	before=$(writes)
	run oisync-apply --replay "$D/night.jsonl"
	assert_success
	[ "$(writes)" = "$before" ]
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
}

@test "oisync-run holds the account's lock from extract on: while another run holds it, nothing is even read" {
	run oisync-run ex1
	assert_success
	lockfile=$(oisync lockfile alice@firm.example)
	[ "$lockfile" = "$D/state/ex1/alice@firm.example.lock" ]
	# A holder that keeps the lock until its stdin closes; ready once it says so.
	coproc HOLDER { flock "$lockfile" -c 'echo held; read -r _'; }
	read -r ready <&"${HOLDER[0]}"
	[ "$ready" = held ]
	before=$(requests)
	run oisync-run -u alice ex1
	exec {HOLDER[1]}>&-
	wait "$HOLDER_PID" || true
	assert_failure 75
	assert_line --partial "alice@firm.example: locked by another run of this account"
	[ "$(requests)" -eq "$before" ]
}

@test "oisync-apply --lock-fd takes only the account's own lock file" {
	run oisync-run ex1
	assert_success
	changes_by_hand "$D/cs.jsonl"
	exec {fd}<>"$D/not-the-lock"
	run oisync-apply --lock-fd "$fd" "$D/cs.jsonl"
	exec {fd}>&-
	assert_failure 64
	assert_output --partial "is not the lock '$D/state/ex1/alice@firm.example.lock' of account 'alice@firm.example'"
	exec {fd}<>"$(oisync lockfile alice@firm.example)"
	run oisync-apply --lock-fd "$fd" "$D/cs.jsonl"
	exec {fd}>&-
	assert_success
}

@test "a create for a pair that already has its item on the target side is a conflict, and nothing is sent" {
	run oisync-run ex1
	assert_success
	pair=$(sqlite3 "$DB" "select pair_id from pairs where interaction_id is not null limit 1")
	header_ops alice@firm.example ex1 "$(generation)" \
		"{\"type\":\"op\",\"op_id\":\"op-dup-1\",\"action\":\"create\",\"target\":\"interaction\",\"kind\":\"contact\",\"pair\":\"$pair\",\"id\":null,\"if_version\":null,\"data\":{\"first\":\"Dup\",\"last\":\"Licate\"},\"reason\":\"test\"}" >"$D/dup.jsonl"
	before=$(writes)
	run oisync-apply "$D/dup.jsonl"
	assert_failure 1
	assert_output --partial '"status":"conflict"'
	assert_output --partial "the pair already has an item on that side"
	[ "$(writes)" = "$before" ]
}

@test "a create whose tagged item is already on the server is adopted, not made twice, even when the state forgot it" {
	op='{"type":"op","op_id":"op-tagged-1","action":"create","target":"exchange","kind":"contact","pair":"p-tagged","id":null,"if_version":null,"data":{"first":"Tess","last":"Tagged","emails":[{"address":"tess@tag.example","kind":"work"}]},"reason":"test"}'
	header_ops alice@firm.example ex1 0 "$op" >"$D/t.jsonl"
	run oisync-apply "$D/t.jsonl"
	assert_success
	# The state is lost (a restore from an old backup): the same op comes again.
	rm -f "$DB" "$DB-wal" "$DB-shm"
	run oisync-apply "$D/t.jsonl"
	assert_success
	assert_output --partial '"status":"ok"'
	[ "$(ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq '[.contacts[] | select(.Surname == "Tagged")] | length')" -eq 1 ]
}

@test "a header naming another host's server, an unknown account or another user is refused before any server call" {
	op='{"type":"op","op_id":"op-foreign-1","action":"create","target":"interaction","kind":"contact","pair":"p-f","id":null,"if_version":null,"data":{"first":"For","last":"Eign"},"reason":"test"}'
	before=$(writes)
	header_ops alice@firm.example ex9 0 "$op" >"$D/f1.jsonl"
	run oisync-apply "$D/f1.jsonl"
	assert_failure 65
	assert_output --partial 'f1.jsonl:1: server "ex9" is not in'
	header_ops mallory@evil.example ex1 0 "$op" >"$D/f2.jsonl"
	run oisync-apply "$D/f2.jsonl"
	assert_failure 65
	assert_output --partial 'f2.jsonl:1: account "mallory@evil.example" is not in the users file'
	printf '{"type":"changeset","account":"alice@firm.example","server":"ex1","user":"bob","state":0}\n%s\n' "$op" >"$D/f3.jsonl"
	run oisync-apply "$D/f3.jsonl"
	assert_failure 65
	assert_output --partial 'f3.jsonl:1: account "alice@firm.example" is InterAction user "alice", not "bob"'
	[ "$(writes)" = "$before" ]
	[ ! -e "$D/state/ex9" ]
	[ ! -e "$DB" ]
	[ ! -e "$D/state/ex1/mallory@evil.example.db" ]
}

@test "a checkpoint of another account inside a change set is refused before anything is done" {
	op='{"type":"op","op_id":"op-cp-1","action":"create","target":"interaction","kind":"contact","pair":"p-c","id":null,"if_version":null,"data":{"first":"Chuck","last":"Point"},"reason":"test"}'
	cp='{"type":"checkpoint","side":"interaction","account":"bob@firm.example","folder":"contacts","token":"999","complete":true}'
	header_ops alice@firm.example ex1 0 "$op" "$cp" >"$D/cp.jsonl"
	before=$(writes)
	run oisync-apply "$D/cp.jsonl"
	assert_failure 65
	assert_output --partial 'cp.jsonl:3: a checkpoint of account "bob@firm.example" in a change set of "alice@firm.example"'
	[ "$(writes)" = "$before" ]
	[ ! -e "$DB" ]
}

@test "a checkpoint never moves back: one written by a newer generation is left as it is" {
	run oisync-run ex1
	assert_success
	changes_by_hand "$D/cs.jsonl"
	run oisync-apply "$D/cs.jsonl"
	assert_success
	# The same change set again: its own commit is the only one since, so it
	# may apply, but the checkpoints its first apply wrote are newer.
	run oisync-apply "$D/cs.jsonl"
	assert_success
	assert_output --partial "contacts checkpoint left as it is: generation"
}

@test "a change set made by an older oisync (a state hash, not a generation) is refused with what to do" {
	printf '{"type":"changeset","account":"alice@firm.example","server":"ex1","state":"sha256:0"}\n' >"$D/old.jsonl"
	run oisync-apply "$D/old.jsonl"
	assert_failure 65
	assert_output --partial "made by an older oisync"
	assert_output --partial "run oisync-run again for this user"
}

# made_in_outlook: the last name of a contact the first sync made in alice's Outlook from her list.
made_in_outlook() {
	jq -r 'select(.type == "op" and .action == "create" and .target == "exchange") | .data.last' \
		"$(last_changes alice)" | head -n 1
}

@test "a contact taken off a user's list and put back unchanged comes back to Outlook" {
	run oisync-run ex1
	assert_success
	last=$(made_in_outlook)
	[ -n "$last" ]
	id=$(ia_id "$last")
	ia_ctl "$D" remove "{\"user\":\"alice\",\"contact_id\":\"$id\"}" >/dev/null
	run oisync-run ex1
	assert_success
	[ -z "$(ews_id alice@firm.example "$last")" ]
	ia_ctl "$D" add "{\"user\":\"alice\",\"contact_id\":\"$id\"}" >/dev/null
	run oisync-run ex1
	assert_success
	# The same create as the first sync's (same content, same op id): done again, not skipped.
	[ "$(ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq --arg s "$last" '[.contacts[] | select(.Surname == $s)] | length')" -eq 1 ]
	no_duplicates
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
}

@test "an Outlook contact the last run created, deleted by the user before the next run, leaves the user's list" {
	run oisync-run ex1
	assert_success
	id=$(ia_id Nilsson)
	ia_ctl "$D" remove "{\"user\":\"alice\",\"contact_id\":\"$id\"}" >/dev/null
	run oisync-run ex1
	assert_success
	# Put back on the list: this run creates the Outlook copy after the sync state it read.
	ia_ctl "$D" add "{\"user\":\"alice\",\"contact_id\":\"$id\"}" >/dev/null
	run oisync-run ex1
	assert_success
	made=$(ews_id alice@firm.example Nilsson)
	[ -n "$made" ]
	# The user deletes it the next morning: created and deleted since the state, Exchange reports nothing.
	ews_ctl "$D" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$made\"}" >/dev/null
	run oisync-run ex1
	assert_success
	run jq -r '.mailboxes["alice@firm.example"].interaction[] | select(.name == "Erik Nilsson") | .name' <<<"$(holdings)"
	assert_output ""
	# The firm contact itself stays; the next run is quiet.
	[ -n "$(ia_id Nilsson)" ]
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
}

@test "a create whose answer was lost, then an edit on the other side: the edit wins, as with any recorded pair" {
	run oisync-run ex1
	assert_success
	cid=$(ia_ctl "$D" add '{"user":"alice","contact":{"first_name":"Lena","last_name":"Lost","job_title":"Counsel","emails":{"business":"lena@lost.example"}}}' | jq -r .id)
	changes_by_hand "$D/cs.jsonl"
	[ "$(jq -c 'select(.type == "op") | [.action, .target]' "$D/cs.jsonl")" = '["create","exchange"]' ]
	# The Outlook contact is made, but the answer to CreateItem is cut short (FindItem passes).
	ews_ctl "$D" faults '{"truncate":{"next":1,"skip":1}}' >/dev/null
	run oisync-apply "$D/cs.jsonl"
	assert_failure 69
	ews_ctl "$D" faults '{}' >/dev/null
	[ "$(ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq '[.contacts[] | select(.Surname == "Lost")] | length')" -eq 1 ]
	# Before the next run, the firm gives Lena a new title.
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$cid\",\"set\":{\"job_title\":\"Partner\"}}" >/dev/null
	run oisync-run ex1
	assert_success
	refute_output --partial "conflict on job_title"
	run jq -r '.mailboxes["alice@firm.example"] | [(.outlook[] | select(.name == "Lena Lost") | .job), (.interaction[] | select(.name == "Lena Lost") | .job)] | join("|")' <<<"$(holdings)"
	assert_output "Partner|Partner"
	no_duplicates
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
}
