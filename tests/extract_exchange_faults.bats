#!/usr/bin/env bats
# extract_exchange_faults.bats - oisync-extract exchange on a busy, flaky or broken EWS server:
# every item exactly once and a checkpoint, or a named failure and no checkpoint.

load helper

MAKE_MAILBOX="$ROOT/bench/make_mailbox.py"

setup_file() {
	# Generated mailboxes (bench/make_mailbox.py: names, 1-3 e-mails, 2-4 phones, ...).
	/usr/bin/python3 "$MAKE_MAILBOX" 300 "$BATS_FILE_TMPDIR/seed300.json"
	/usr/bin/python3 "$MAKE_MAILBOX" 1000 "$BATS_FILE_TMPDIR/seed1000.json"
}

setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	# Secrets are written at run time, never committed (doc/ARCHITECTURE.md, "Tests").
	head -c 18 /dev/urandom | base64 | tr -d '/+=' >ews.secret
	printf 'svc-oisync:%s\n' "$(cat ews.secret)" >credentials
}

teardown() {
	stop_fake EWS
}

# start_ews SEED: the fake as the demo runs it (credentials, a data folder).
start_ews() {
	start_fake EWS ews/ews_server.py --seed "$1" --data-dir data --credentials-file credentials
	EWS_URL="http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
}

fake() { ctl EWS "$@"; }

extract() { # [OPTION...]
	"$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$ALICE" "$@" >out.jsonl 2>err.log
}

checkpoints() { jq -c 'select(.type == "checkpoint")' out.jsonl; }
# "id version" of every contact record, and of every contact the fake holds.
emitted() { jq -r 'select(.type == "contact") | .id + " " + .version' out.jsonl | sort; }
held() { fake "dump?mailbox=$ALICE" | jq -r '.contacts[] | .ItemId.Id + " " + .ItemId.ChangeKey' | sort; }

@test "10% ErrorServerBusy and 2% dropped connections: every contact exactly once, then the checkpoint" {
	start_ews "$BATS_FILE_TMPDIR/seed300.json"
	# Small batches make ~60 requests, so the rates fire; retries enough that
	# a run of bad luck on one request stays far below the limit.
	write_conf server.getitem_batch=5 server.retries=8
	# "next": 1 makes sure each kind fires at least once; the rate does the rest.
	fake faults '{"server_busy": {"next": 1, "rate": 0.1, "backoff_ms": 20},
		"drop": {"next": 1, "rate": 0.02}}' >/dev/null
	run extract --full --stats
	assert_success
	run jq -c '[.faults_fired.server_busy >= 1, .faults_fired.drop >= 1]' <<<"$(ctl EWS "stats")"
	assert_output '[true,true]'
	# Exactly the items there are: each id once, with the version the server holds.
	[ "$(emitted | wc -l)" -eq 300 ]
	assert_equal "$(emitted)" "$(held)"
	[ -z "$(jq -r 'select(.type == "contact") | .id' out.jsonl | sort | uniq -d)" ]
	# The checkpoint last, complete and full.
	run jq -r '.type' out.jsonl
	assert_line --index 300 checkpoint
	run checkpoints
	assert_output --regexp '"complete":true,"full":true'
	# --stats counts the retries the faults caused.
	run grep -E 'exchange contacts: [0-9]+ requests \([1-9][0-9]* retries\).* 300 items' err.log
	assert_success
}

@test "a truncated body on every reply: the run fails naming the problem, no checkpoint" {
	start_ews "$BATS_FILE_TMPDIR/seed300.json"
	write_conf server.retries=1
	fake faults '{"truncate": {"rate": 1}}' >/dev/null
	run extract --full
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
	assert_equal "$(cat out.jsonl)" ""
	run cat err.log
	assert_output --regexp "(transfer closed|partial|bytes remaining)"
	assert_output --partial "127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
}

@test "truncated replies in the middle of a read: whatever was written, no checkpoint" {
	start_ews "$BATS_FILE_TMPDIR/seed300.json"
	write_conf server.getitem_batch=10 server.retries=0
	# About a third of the replies are cut short, the sync's or a GetItem's.
	fake faults '{"truncate": {"rate": 0.34}}' >/dev/null
	run extract --full
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
	run cat err.log
	assert_output --regexp "(transfer closed|partial|bytes remaining)"
}

@test "HTTP 503 with Retry-After on the next 2 requests: waits as asked, then reads everything" {
	start_ews "$BATS_FILE_TMPDIR/seed300.json"
	write_conf server.retries=3
	fake faults '{"http_status": {"code": 503, "next": 2, "retry_after": 1}}' >/dev/null
	# The waits are logged, not made: no clock, no sleeping.
	OISYNC_TEST_SLEEP_LOG="$T/waits" run extract --full --stats
	assert_success
	# Two waits of at least the server's one second each.
	run cat "$T/waits"
	assert_equal "${#lines[@]}" 2
	[ "${lines[0]}" -ge 1000 ] && [ "${lines[1]}" -ge 1000 ]
	assert_equal "$(emitted)" "$(held)"
	run checkpoints
	assert_output --regexp '"complete":true,"full":true'
	run grep -c '(2 retries)' err.log
	assert_output 1
	run jq .faults_fired.http_status <<<"$(ctl EWS "stats")"
	assert_output 2
}

@test "HTTP 429 on every request: exit 75 (throttled), nothing written" {
	start_ews "$BATS_FILE_TMPDIR/seed300.json"
	write_conf server.retries=2
	fake faults '{"http_status": {"code": 429, "rate": 1}}' >/dev/null
	run extract --full
	assert_equal "$status" 75
	assert_equal "$(checkpoints)" ""
	assert_equal "$(cat out.jsonl)" ""
	run cat err.log
	assert_output --partial "HTTP 429"
	# The first try and the configured 2 retries, no more.
	run jq .requests <<<"$(ctl EWS "stats")"
	assert_output 3
}

@test "1,000 contacts: at most ceil(1000/512) SyncFolderItems and ceil(1000/B) GetItem for B = 100" {
	start_ews "$BATS_FILE_TMPDIR/seed1000.json"
	write_conf server.getitem_batch=100
	fake stats/reset '{}' >/dev/null
	run extract --full
	assert_success
	[ "$(emitted | wc -l)" -eq 1000 ]
	assert_equal "$(emitted)" "$(held)"
	run jq -c '[.operations.SyncFolderItems <= 2,
		.operations.GetItem <= 10, .operations.FindFolder == 1,
		.requests == .operations.SyncFolderItems + .operations.GetItem + .operations.FindFolder]' <<<"$(ctl EWS "stats")"
	# The one FindFolder: a full read looks for the mailbox's sync record.
	assert_output '[true,true,true,true]'
}
