#!/usr/bin/env bats
# admin_sync.bats - the admin commands that touch a user's sync, against both
# fakes: users disable/enable, reset, replay.

load e2e_helper
bats_require_minimum_version 1.5.0

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() { e2e_setup; }
# A test's own Graph fake (users match on Exchange Online) is in $D: stopped here.
teardown() {
	e2e_teardown
	[ ! -f "$D/graph.pid" ] || fakes_stop "$D"
}

@test "users disable keeps the state: a disabled user is skipped, enabled again it carries on without a create" {
	run oisync-run ex1
	assert_success
	holdings >"$D/h1.json"
	run oisync users disable bob
	assert_success
	run oisync-run ex1
	assert_success
	assert_line --partial "ex1: 1 users, 1 ok, 0 failed"
	refute_output --partial "bob@firm.example"
	[ -f "$D/state/ex1/bob@firm.example.db" ] # his pairs and checkpoints are still there
	run oisync users enable bob
	assert_success
	run oisync-run ex1
	assert_success
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	holdings >"$D/h2.json"
	cmp "$D/h1.json" "$D/h2.json"
}

@test "reset --yes forgets one user's pairs and checkpoints; the next run re-matches without a create on either side" {
	run oisync-run ex1
	assert_success
	holdings >"$D/h1.json"
	db=$D/state/ex1/bob@firm.example.db
	pairs=$(sqlite3 "$db" 'select count(*) from pairs')
	[ "$pairs" -gt 0 ]
	run oisync reset --yes bob
	assert_success
	assert_output "user bob: $pairs pairs of mailbox bob@firm.example on [server ex1] forgotten; the next run matches afresh"
	[ "$(sqlite3 "$db" 'select count(*) from pairs')" -eq 0 ]
	[ "$(sqlite3 "$db" 'select count(*) from checkpoints')" -eq 0 ]
	[ "$(sqlite3 "$D/state/ex1/alice@firm.example.db" 'select count(*) from pairs')" -gt 0 ] # alice untouched
	run oisync-run ex1
	assert_success
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	holdings >"$D/h2.json"
	cmp "$D/h1.json" "$D/h2.json"
	[ "$(sqlite3 "$db" 'select count(*) from pairs')" -gt 0 ] # matched again
}

@test "reset asks for the user id; another answer resets nothing (1); a held lock is 75; an unknown user 64" {
	run oisync-run ex1
	assert_success
	db=$D/state/ex1/bob@firm.example.db
	pairs=$(sqlite3 "$db" 'select count(*) from pairs')
	run oisync reset bob <<<"alice"
	assert_failure 1
	assert_output --partial "Type the user id to go on"
	assert_output --partial "not confirmed: nothing reset"
	[ "$(sqlite3 "$db" 'select count(*) from pairs')" -eq "$pairs" ]
	run oisync reset bob </dev/null
	assert_failure 1
	run flock "$(oisync lockfile bob@firm.example)" oisync reset --yes bob
	assert_failure 75
	assert_output --partial "a run holds the account's lock"
	[ "$(sqlite3 "$db" 'select count(*) from pairs')" -eq "$pairs" ]
	run oisync reset --yes dave
	assert_failure 64
	run oisync reset bob <<<"bob"
	assert_success
	[ "$(sqlite3 "$db" 'select count(*) from pairs')" -eq 0 ]
}

@test "replay finishes a change set whose apply was cut short: each op done once, as by an uninterrupted run" {
	run oisync-run -u alice ex1
	assert_success
	want=$(holdings)
	# The same start again, and alice's apply killed after its third recorded op.
	rm -rf "$D/state"
	e2e_setup
	OISYNC_TEST_CRASH_AFTER=3 run oisync-run -u alice ex1
	assert_failure
	assert_line --partial "alice@firm.example: failed (exit 99)"
	cs=$(last_changes alice)
	n=$(ops_in "$cs")
	[ "$n" -gt 3 ]
	# What it would do first, in words: the three done ones said so.
	run oisync replay --dry-run "$cs"
	assert_success
	[ "$(grep -c "already done" <<<"$output")" -eq 3 ]
	# Of the three, those that changed a server are skipped; a link (state only) is simply done again.
	db=$D/state/ex1/alice@firm.example.db
	done_ids=$(sqlite3 "$db" "select op_id from applied where status != 'pending'")
	skipped=$(jq -r 'select(.type == "op" and (.action | test("create|update|delete"))) | .op_id' "$cs" | grep -cxF "$done_ids" || true)
	run oisync replay "$cs"
	assert_success
	[ "$(grep -c '"status":"skipped"' <<<"$output")" -eq "$skipped" ]
	[ "$(grep -c '"status":"ok"' <<<"$output")" -eq $((n - skipped)) ]
	[ "$(sqlite3 "$db" "select count(distinct op_id) from applied where status = 'ok'")" -eq "$n" ]
	[ "$(holdings)" = "$want" ]
	# Replaying it again changes nothing.
	run oisync replay "$cs"
	assert_success
	[ "$(grep -c '"status":"skipped"' <<<"$output")" -eq "$(server_ops_in "$cs")" ]
	[ "$(holdings)" = "$want" ]
}

@test "check: each enabled user's mailbox opens and InterAction list exists; the worst problem is the exit status" {
	run oisync check
	assert_success
	assert_line "user alice: mailbox alice@firm.example on [server ex1] opens"
	assert_line "user alice: InterAction list exists"
	assert_line "user bob: mailbox bob@firm.example on [server ex1] opens"
	assert_line "user bob: InterAction list exists"
	assert_line --regexp "^$D/oisync.conf: ok: 1 server, 2 users \(2 enabled\)\$"
	# A user InterAction does not know, with a mailbox Exchange does not have.
	printf '\n[user zed]\nmailbox = zed@firm.example\nserver = ex1\n' >>"$D/users.conf"
	run oisync check
	assert_output --partial "user zed: InterAction has no such user"
	assert_output --partial "user zed: mailbox zed@firm.example on [server ex1] cannot be used"
	assert_output --partial "$D/oisync.conf': 1 of 3 enabled users cannot be synced"
	assert_failure 78
	# --online, which check once needed for this, is still understood.
	run oisync check --online
	assert_failure 78
	assert_output --partial "user zed: InterAction has no such user"
	# --offline checks the configuration only: no server is asked, zed passes.
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ia_ctl "$D" stats/reset '{}' >/dev/null
	run oisync check --offline
	assert_success
	assert_output "$D/oisync.conf: ok: 1 server, 3 users (3 enabled)"
	[ "$(ews_ctl "$D" stats | jq .requests)" -eq 0 ]
	[ "$(ia_ctl "$D" stats | jq '[.requests[]] | add // 0')" -eq 0 ]
	run oisync check --offline --online
	assert_failure 64
	# Disabled, zed is not checked.
	oisync users disable zed
	run oisync check
	assert_success
	refute_output --partial zed
}

@test "check: an InterAction that refuses the token is 77 over a server that is down (69)" {
	echo wrong >"$D/secrets/interaction.secret"
	sed -i 's|^url = .*/EWS/Exchange.asmx$|url = http://127.0.0.1:9/EWS/Exchange.asmx|; s/^retries = .*/retries = 0/' "$D/oisync.conf"
	run oisync check
	assert_failure 77
	assert_output --partial "the InterAction list cannot be read"
	assert_output --partial "user alice: mailbox alice@firm.example on [server ex1] cannot be used"
	# The server unavailable to alice is not asked again for bob: he is named, not checked.
	assert_output --partial "user bob: mailbox bob@firm.example on [server ex1] not checked: the server was unavailable to user alice"
	assert_output --partial "2 of 2 enabled users cannot be synced"
}

@test "check: an InterAction that is down is asked once, each user still named" {
	sed -i 's|^url = \(https\?://127.0.0.1:\)[0-9]*\(/api.*\)$|url = \19\2|; s/^retries = .*/retries = 0/' "$D/oisync.conf"
	grep -q '^url = .*127.0.0.1:9/api' "$D/oisync.conf"
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync check
	assert_failure 69
	assert_line --partial "user alice: the InterAction list cannot be read"
	assert_line --partial "user bob: InterAction list not checked: InterAction was unavailable to user alice"
	# Exchange is asked for both mailboxes all the same.
	assert_line "user alice: mailbox alice@firm.example on [server ex1] opens"
	assert_line "user bob: mailbox bob@firm.example on [server ex1] opens"
}

# match_seeds: the demo seeds, with an Exchange directory that knows carol by
# another primary address and dave twice, and InterAction users without an
# e-mail (erin), unknown to the directory (frank), and whose address is
# already a configured user's mailbox (gina).
match_seeds() {
	jq '.directory = [
		{"smtp": "carol.white@firm.example", "name": "Carol White", "proxies": ["carol@firm.example"]},
		{"smtp": "dave.brown@firm.example", "name": "Dave Brown", "proxies": ["dave@firm.example"]},
		{"smtp": "d.brown@firm.example", "name": "D. Brown", "proxies": ["dave@firm.example"]}]' \
		"${DEMO_SEEDS[0]}" >"$BATS_TEST_TMPDIR/ews_seed.json"
	jq '.users += [{"id": "erin", "name": "Erin Gray"},
		{"id": "frank", "name": "Frank Hall", "email": "frank@firm.example"},
		{"id": "gina", "name": "Gina Alt", "email": "ALICE@firm.example"}]' \
		"${DEMO_SEEDS[1]}" >"$BATS_TEST_TMPDIR/ia_seed.json"
	e2e_setup "$BATS_TEST_TMPDIR/ews_seed.json" "$BATS_TEST_TMPDIR/ia_seed.json"
}

@test "users match: proposes a mailbox for each InterAction user the users file lacks, names the rest and why; --write adds them disabled" {
	match_seeds
	cp "$D/users.conf" "$D/before.conf"
	resolves() { ews_ctl "$D" stats | jq '.operations.ResolveNames // 0'; }
	before=$(resolves)
	run --separate-stderr oisync users match
	assert_success
	assert_output "$(cat <<'OUT'

; Carol White <carol@firm.example>: proposed by oisync users match
[user carol]
mailbox = carol.white@firm.example
server = ex1
enabled = no

; not matched: [user dave] Dave Brown <dave@firm.example>: 2 mailboxes with dave@firm.example in the directory of [server ex1]: dave.brown@firm.example, d.brown@firm.example
; not matched: [user erin] Erin Gray: no e-mail address in InterAction
; not matched: [user frank] Frank Hall <frank@firm.example>: no mailbox with frank@firm.example in the directory of [server ex1]
; not matched: [user gina] Gina Alt <ALICE@firm.example>: its mailbox alice@firm.example is already [user alice]'s
OUT
)"
	[[ "$stderr" == *"1 proposed, 4 not matched"* ]]
	cmp "$D/before.conf" "$D/users.conf" # only printed
	# One ResolveNames per unconfigured user with an e-mail (carol, dave, frank, gina).
	[ $(($(resolves) - before)) -eq 4 ]
	run oisync users match --write
	assert_success
	run oisync users
	assert_line "$(printf 'carol\tcarol.white@firm.example\tex1\tno')"
	head -c "$(stat -c %s "$D/before.conf")" "$D/users.conf" | cmp - "$D/before.conf" # the old file kept, byte for byte
	# Matched now, carol is proposed no more.
	run --separate-stderr oisync users match
	refute_output --partial "[user carol]"
	run oisync users enable carol
	assert_success
}

@test "users match --server online: Graph's /users by mail, with User.Read.All; without it 77 and nothing written" {
	jq '.apps[].roles += ["User.Read.All"]' "$ROOT/tests/data/demo/graph_seed.json" >"$BATS_TEST_TMPDIR/graph_seed.json"
	fakes_add_graph "$D" "$BATS_TEST_TMPDIR/graph_seed.json"
	run --separate-stderr oisync users match --server online
	assert_success
	assert_output "$(cat <<'OUT'

; Carol White <carol@firm.example>: proposed by oisync users match
[user carol]
mailbox = carol@firm.example
server = online
enabled = no

; Dave Brown <dave@firm.example>: proposed by oisync users match
[user dave]
mailbox = dave@firm.example
server = online
enabled = no
OUT
)"
	[ "$(graph_ctl "$D" stats | jq '.requests["GET /users"]')" -eq 2 ]
	# An app without the directory right is refused, and says so.
	graph_ctl "$D" reset "{\"seed\": \"$ROOT/tests/data/demo/graph_seed.json\"}" >/dev/null
	cp "$D/users.conf" "$D/before.conf"
	run --separate-stderr oisync users match --server online --write
	assert_failure 77
	[[ "$stderr" == *"Insufficient privileges"* ]]
	cmp "$D/before.conf" "$D/users.conf"
}
