#!/usr/bin/env bats
# run_concurrency.bats - oisync-run syncs several users at once (-j, a server's
# concurrency): proven by the fake's barrier, which holds requests until that
# many clients are in flight, never by timing. The output keeps the users
# file's order; a busy server halves the users synced at once.

load e2e_helper

BOB=bob@firm.example

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() { e2e_setup; }
teardown() { e2e_teardown; }

# The EWS fake's [barrier_met, barrier_timeouts].
barrier() { ews_ctl "$D" stats | jq -c '[.barrier_met, .barrier_timeouts]'; }

server_conf() { # LINE: add LINE to [server ex1]
	sed -i "/^\[server ex1\]\$/a $1" "$OISYNC_CONF"
}

# The summary lines come in the users file's order, whichever user finished first.
in_users_order() {
	local a b
	a=$(grep -n "^oisync-run: $ALICE: " <<<"$output" | cut -d: -f1)
	b=$(grep -n "^oisync-run: $BOB: " <<<"$output" | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

@test "-j 2: both users are in flight at once, every contact lands once, the summary keeps the users' order" {
	ews_ctl "$D" barrier '{"parties": 2, "timeout_s": 120}' >/dev/null
	run oisync-run -j 2 ex1
	assert_success
	assert_equal "$(barrier)" "[1,0]"
	in_users_order
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed"
	# The same holdings as one user after the other: no firm contact twice,
	# though alice and bob bring some of the same people (firm.lock).
	run jq -r '[.firm_contacts, (.mailboxes[] | .outlook, .interaction | length)] | map(tostring) | join(" ")' <<<"$(holdings)"
	assert_output "26 17 17 14 14"
	run oisync-run -j 2 ex1
	assert_success
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
}

@test "-j 1, or concurrency = 1: one user after the other; -j overrides the configuration" {
	# One party alone gives up after the timeout: nobody else was ever in flight.
	ews_ctl "$D" barrier '{"parties": 2, "timeout_s": 0.5}' >/dev/null
	run oisync-run -j 1 ex1
	assert_success
	assert_equal "$(barrier)" "[0,1]"
	server_conf "concurrency = 1"
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ews_ctl "$D" barrier '{"parties": 2, "timeout_s": 0.5}' >/dev/null
	run oisync-run ex1
	assert_success
	assert_equal "$(barrier)" "[0,1]"
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ews_ctl "$D" barrier '{"parties": 2, "timeout_s": 120}' >/dev/null
	run oisync-run --jobs=2 ex1
	assert_success
	assert_equal "$(barrier)" "[1,0]"
	in_users_order
}

@test "a server too busy for one user: that user fails with 75, the other syncs, and fewer users go at once" {
	server_conf "max_backoff = 60"
	ews_ctl "$D" faults '{"server_busy": {"next": 1, "backoff_ms": 297749}}' >/dev/null
	run oisync-run ex1
	assert_equal "$status" 75
	assert_line --regexp "^oisync-run: ($ALICE|$BOB): failed \(exit 75\), try again later"
	assert_line --partial "ex1: 2 users, 1 ok, 1 failed;"
	assert_line "oisync-run: ex1 is busy: syncing at most 4 users at once from now on"
	in_users_order
}

@test "a dry run's words come whole, user by user, in the users' order" {
	run oisync-run -j 2 --dry-run ex1
	assert_success
	# Every line of alice's plan comes before any line of bob's.
	local last_alice first_bob
	last_alice=$(grep -n "^$ALICE: " <<<"$output" | tail -1 | cut -d: -f1)
	first_bob=$(grep -n "^$BOB: " <<<"$output" | head -1 | cut -d: -f1)
	[ -n "$last_alice" ] && [ -n "$first_bob" ] && [ "$last_alice" -lt "$first_bob" ]
}

@test "-j takes a number of users from 1" {
	for j in 0 -1 x 1x ''; do
		run oisync-run -j "$j" ex1
		assert_failure 64
		assert_output --partial "--jobs needs a number of users from 1"
	done
}

@test "a run starts no text tool: counts come from the change set's header, read by the shell" {
	local tool
	mkdir -p "$D/shim"
	# Each tool records that it ran, then does its job.
	for tool in grep sed tr cut awk wc head tail; do
		printf '#!/bin/sh\necho %s >>"%s"\nexec %s "$@"\n' "$tool" "$D/shim.log" "$(command -v "$tool")" >"$D/shim/$tool"
		chmod +x "$D/shim/$tool"
	done
	PATH="$D/shim:$PATH" run oisync-run ex1
	assert_success
	assert_line --regexp "^oisync-run: $ALICE: ok: [1-9][0-9]* create"
	PATH="$D/shim:$PATH" run oisync-run --dry-run ex1
	assert_success
	# A dry run prefixes apply's words with the mailbox: one sed per user, and nothing else.
	run cat "$D/shim.log"
	assert_output $'sed\nsed'
}
