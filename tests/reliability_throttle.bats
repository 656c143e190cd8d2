#!/usr/bin/env bats
# reliability_throttle.bats - throttling as the server asks (issue 8, items 8 and 9):
# a server's delay is waited in full, a delay past max_backoff stops the user's run
# with 75 and says when to come back, the work already done is kept, and a reply
# over the size cap is the server's failure (69).
#
# No test sleeps or reads a clock: OISYNC_TEST_SLEEP_LOG makes the HTTP layer
# write each wait (ms) to a file instead of sleeping.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

ALICE=alice@firm.example
BOB=bob@firm.example
# "retry after 2026-12-02T14:05:00Z": a whole UTC time.
WHEN='retry after [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

setup() {
	e2e_setup
	export OISYNC_TEST_SLEEP_LOG="$D/waits"
	DB="$D/state/ex1/$ALICE.db"
}
teardown() { e2e_teardown; }

# conf_add SECTION LINE: a line at the top of [SECTION] of the configuration.
conf_add() {
	sed -i "/^\[$1\]\$/a $2" "$OISYNC_CONF"
}

# The waits the HTTP layer made (ms, one a line); empty when none.
waits() { cat "$D/waits" 2>/dev/null || true; }

extract_ews() { # [OPTION...]
	oisync-extract exchange --mailbox "$ALICE" "$@" >"$D/out.jsonl" 2>"$D/err.log"
}

checkpoints() { jq -c 'select(.type == "checkpoint")' "$D/out.jsonl"; }
ews_requests() { ews_ctl "$D" stats | jq .requests; }

@test "ErrorServerBusy asking for 297,749 ms with max_backoff 600: all of it is waited, then the retry succeeds" {
	conf_add "server ex1" "max_backoff = 600"
	ews_ctl "$D" faults '{"server_busy": {"next": 1, "backoff_ms": 297749}}' >/dev/null
	run extract_ews --full
	assert_success
	# One wait, the server's whole delay: no 60 s cap, no jitter cutting it short.
	run waits
	assert_equal "${#lines[@]}" 1
	[ "${lines[0]}" -ge 297749 ] || { echo "waited only ${lines[0]} ms"; false; }
	run checkpoints
	assert_output --regexp '"folder":"contacts".*"complete":true,"full":true'
	[ "$(ews_ctl "$D" stats | jq .faults_fired.server_busy)" -eq 1 ]
}

@test "ErrorServerBusy asking for 297,749 ms with max_backoff 60: exit 75 at once, the retry time named, no checkpoint" {
	conf_add "server ex1" "max_backoff = 60"
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ews_ctl "$D" faults '{"server_busy": {"next": 1, "backoff_ms": 297749}}' >/dev/null
	run extract_ews --full
	assert_equal "$status" 75
	assert_equal "$(checkpoints)" ""
	assert_equal "$(waits)" ""
	# One request: no retry inside the server's window.
	assert_equal "$(ews_requests)" 1
	run cat "$D/err.log"
	assert_output --regexp "throttled by \[server ex1\] \(HTTP 500 asking to back off\): it asks to wait 297\.7 s, more than max_backoff \(60 s\); $WHEN"
}

@test "HTTP 503 with Retry-After: 999999999 is exit 75, not a retry 60 s later" {
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ews_ctl "$D" faults '{"http_status": {"code": 503, "rate": 1, "retry_after": 999999999}}' >/dev/null
	run extract_ews --full
	assert_equal "$status" 75
	assert_equal "$(checkpoints)" ""
	assert_equal "$(waits)" ""
	assert_equal "$(ews_requests)" 1
	run cat "$D/err.log"
	# The default max_backoff is 300 s; 999999999 s from now is in 2058 or later.
	assert_output --regexp "throttled by \[server ex1\] \(HTTP 503\): it asks to wait 999999999\.0 s, more than max_backoff \(300 s\); retry after 2(0[5-9][0-9]|[1-9][0-9][0-9])-"
}

@test "HTTP 429 with Retry-After as an HTTP-date in the past: retried at once, never before the date" {
	ews_ctl "$D" faults '{"http_status": {"code": 429, "next": 1, "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT"}}' >/dev/null
	run extract_ews --full
	assert_success
	# A date already past asks for no wait: our own jittered backoff (at most 500 ms) is all.
	run waits
	assert_equal "${#lines[@]}" 1
	[ "${lines[0]}" -le 500 ]
}

@test "InterAction 429 with Retry-After within max_backoff is waited in full; past it, exit 75 naming [interaction]" {
	ia_ctl "$D" faults '{"http_status": {"code": 429, "next": 1, "retry_after": 120}}' >/dev/null
	run oisync-extract interaction --user alice
	assert_success
	assert_output --partial '"type":"checkpoint"'
	assert_equal "$(waits)" 120000

	rm -f "$D/waits"
	conf_add interaction "max_backoff = 119"
	ia_ctl "$D" faults '{"http_status": {"code": 429, "next": 1, "retry_after": 120}}' >/dev/null
	oisync-extract interaction --user alice >"$D/out.jsonl" 2>"$D/err.log" || status=$?
	assert_equal "${status:-0}" 75
	assert_equal "$(checkpoints)" ""
	assert_equal "$(waits)" ""
	run cat "$D/err.log"
	assert_output --regexp "throttled by \[interaction\] \(HTTP 429\): it asks to wait 120\.0 s, more than max_backoff \(119 s\); $WHEN"
}

@test "max_backoff is a setting of [server NAME] and [interaction], 300 s by default, 1 to 86400" {
	run oisync config server.ex1.max_backoff
	assert_output 300
	conf_add "server ex1" "max_backoff = 900"
	conf_add interaction "max_backoff = 30"
	run oisync config server.ex1.max_backoff
	assert_output 900
	run oisync config interaction.max_backoff
	assert_output 30
	sed -i 's/^max_backoff = 900$/max_backoff = 0/' "$OISYNC_CONF"
	run oisync check
	assert_equal "$status" 78
	assert_output --partial "'0' for 'max_backoff' in [server ex1] is out of range: want 1 to 86400"
}

@test "throttled in the middle of a read: the records so far are whole lines, no checkpoint, and the next run reads it all" {
	conf_add "server ex1" "max_backoff = 60"
	conf_add "server ex1" "getitem_batch = 1"
	# FindFolder, SyncFolderItems and 3 GetItem pass, then Exchange asks for 10 minutes.
	ews_ctl "$D" faults '{"server_busy": {"skip": 5, "next": 1, "backoff_ms": 600000}}' >/dev/null
	run extract_ews --full
	assert_equal "$status" 75
	assert_equal "$(checkpoints)" ""
	[ "$(jq -c 'select(.type == "contact")' "$D/out.jsonl" | wc -l)" -eq 3 ] # every line whole JSON
	run cat "$D/err.log"
	assert_output --regexp "$WHEN"
	# Nothing was committed, so the next run starts from the same place and finishes.
	[ ! -e "$DB" ] || [ -z "$(sqlite3 "$DB" 'select * from checkpoints')" ]
	run extract_ews
	assert_success
	run checkpoints
	assert_output --regexp '"folder":"contacts".*"complete":true,"full":true'
}

@test "oisync-run: a user throttled past max_backoff fails with 75 and no checkpoint; the next user is synced; the summary says so" {
	conf_add "server ex1" "max_backoff = 60"
	# alice is first (one user at a time, so the order is sure): her first
	# EWS request is turned away for ~5 minutes.
	ews_ctl "$D" faults '{"server_busy": {"next": 1, "backoff_ms": 297749}}' >/dev/null
	run oisync-run -j 1 ex1
	assert_equal "$status" 75
	assert_line --partial "$ALICE: failed (exit 75), try again later"
	assert_line --regexp "^oisync-run: $BOB: ok: "
	assert_line --regexp "ex1: 2 users, 1 ok, 1 failed;"
	assert_output --regexp "throttled by \[server ex1\].*$WHEN"
	assert_equal "$(waits)" ""
	# No checkpoint for alice; bob's are committed.
	[ ! -e "$DB" ] || [ -z "$(sqlite3 "$DB" 'select * from checkpoints')" ]
	[ -n "$(sqlite3 "$D/state/ex1/$BOB.db" 'select * from checkpoints')" ]
	# The next run, the server no longer busy, syncs alice.
	run oisync-run ex1
	assert_success
	assert_line --regexp "ex1: 2 users, 2 ok, 0 failed;"
	[ -n "$(sqlite3 "$DB" 'select * from checkpoints')" ]
}

@test "a throttled apply keeps the ops it finished; the next run ends where an unthrottled one does" {
	# Where an uninterrupted sync ends.
	run oisync-run ex1
	assert_success
	want=$(holdings)
	e2e_teardown
	rm -rf "$D"
	setup

	# alice's first change set, made by the stages by hand.
	{ oisync-extract exchange --mailbox "$ALICE" && oisync-extract interaction --user alice; } |
		oisync-transform | oisync-reconcile --server ex1 --account "$ALICE" --user alice >"$D/cs.jsonl"
	# The side of the first op that changes a server works; the other side turns
	# every request away for a day, far longer than max_backoff.
	first=$(jq -r 'select(.type == "op" and .target != null) | .target' "$D/cs.jsonl" | head -n 1)
	if [ "$first" = exchange ]; then
		ia_ctl "$D" faults '{"http_status": {"code": 429, "next": 1000, "retry_after": 86400}}' >/dev/null
		who=interaction
	else
		ews_ctl "$D" faults '{"http_status": {"code": 503, "rate": 1, "retry_after": 86400}}' >/dev/null
		who="server ex1"
	fi
	run oisync-apply "$D/cs.jsonl"
	assert_equal "$status" 75
	assert_output --regexp "throttled by \[$who\].*$WHEN"
	# What was done before is recorded and folded into the pairs; no checkpoint moved.
	done_ops=$(sqlite3 "$DB" "select count(*) from applied where status = 'ok'")
	[ "$done_ops" -ge 1 ]
	[ "$(sqlite3 "$DB" "select count(*) from pairs where exchange_id is not null and interaction_id is not null")" -ge 1 ]
	[ -z "$(sqlite3 "$DB" 'select * from checkpoints')" ]

	# The next run, the server no longer busy: nothing duplicated, nothing lost.
	ia_ctl "$D" faults '{}' >/dev/null
	ews_ctl "$D" faults '{}' >/dev/null
	run oisync-run ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -lt "$(ops_in "$D/cs.jsonl")" ]
	got=$(holdings)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); false; }
	[ -n "$(sqlite3 "$DB" 'select * from checkpoints')" ]
	run oisync-run ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
}

@test "a reply over the size cap: exit 69 (server unavailable), naming the URL and the cap" {
	ews_ctl "$D" faults '{"oversize": {"next": 1}}' >/dev/null
	run extract_ews --full
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
	run cat "$D/err.log"
	assert_output --partial "$(cat "$D/ews.url")/EWS/Exchange.asmx: the reply is larger than the limit of 67108864 bytes"
	# Not retried: the same request would get the same reply.
	[ "$(ews_ctl "$D" stats | jq .faults_fired.oversize)" -eq 1 ]
}
