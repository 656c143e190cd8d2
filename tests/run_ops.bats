#!/usr/bin/env bats
# run_ops.bats - what oisync-run leaves for operators: Prometheus metrics, JSON logs, pruned change sets.

load e2e_helper
bats_require_minimum_version 1.5.0

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	mkdir -p "$D/metrics"
	sed -i "/^\[global\]/a metrics_dir = $D/metrics" "$OISYNC_CONF"
}
teardown() { e2e_teardown; }

# The first test runs the stages' tally (lib/http_tally.c) under the
# sanitizers; the others are the driver's shell and run in the plain pass.
plain_only() {
	! sanitized_build || skip "plain pass only: the first test runs this code under the sanitizers"
}

PROM() { echo "$D/metrics/oisync-ex1.prom"; }
# metric NAME{LABELS}: its value in the metrics file (fails when absent).
metric() { awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' "$(PROM)"; }
# requests both fakes answered, all kinds.
requests() { echo $(($(ews_ctl "$D" stats | jq '[.operations[]] | add // 0') + $(ia_ctl "$D" stats | jq '[.requests[]] | add // 0'))); }

@test "metrics: runs, users, ops by side, requests as the servers counted them, written whole" {
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ia_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-run ex1
	assert_success
	# Every request each stage sent, as both fakes counted them (the stats calls are the fakes' own).
	assert_equal "$(metric 'oisync_run_requests{server="ex1"}')" "$(requests)"
	assert_equal "$(metric 'oisync_runs_total{server="ex1"}')" 1
	assert_equal "$(metric 'oisync_run_users{server="ex1",outcome="ok"}')" 2
	assert_equal "$(metric 'oisync_run_users{server="ex1",outcome="failed"}')" 0
	# The first sync's creates, by the side they land on, add up to the summary's.
	ex=$(metric 'oisync_run_ops{server="ex1",side="exchange",action="create"}')
	ia=$(metric 'oisync_run_ops{server="ex1",side="interaction",action="create"}')
	[ "$ex" -gt 0 ] && [ "$ia" -gt 0 ]
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed; $((ex + ia)) created"
	t1=$(metric 'oisync_user_last_success_timestamp_seconds{server="ex1",user="alice@firm.example"}')
	# Every metric has its HELP and TYPE; nothing half-written is left beside the file.
	run awk '!/^#/ { sub(/\{.*/, "", $1); seen[$1] = 1 } /^# TYPE/ { typed[$3] = 1 } END { for (m in seen) if (!typed[m]) print m }' "$(PROM)"
	assert_output ""
	[ "$(ls "$D/metrics")" = "oisync-ex1.prom" ]

	# A second run: the counter carries over; a user who fails keeps the time of its last success.
	ia_ctl "$D" faults '{"http_status": {"code": 500, "rate": 1}}' >/dev/null
	run oisync-run -u alice ex1
	assert_failure
	ia_ctl "$D" faults '{}' >/dev/null
	assert_equal "$(metric 'oisync_runs_total{server="ex1"}')" 2
	assert_equal "$(metric 'oisync_run_users{server="ex1",outcome="failed"}')" 1
	assert_equal "$(metric 'oisync_user_last_success_timestamp_seconds{server="ex1",user="alice@firm.example"}')" "$t1"
	metric 'oisync_user_last_success_timestamp_seconds{server="ex1",user="bob@firm.example"}'
}

@test "metrics: the waits a throttling server asked for are counted" {
	plain_only
	run oisync-run ex1
	assert_success
	ia_ctl "$D" faults '{"http_status": {"code": 429, "next": 2, "retry_after": 1}}' >/dev/null
	run oisync-run ex1
	assert_success
	assert_equal "$(metric 'oisync_run_throttle_waits{server="ex1"}')" 2
	[ "$(metric 'oisync_run_throttle_wait_seconds{server="ex1"}')" != "0.000" ]
}

@test "--log-format json: every message of the run is a JSON line with the run's id" {
	plain_only
	printf '[user nobody]\nmailbox = nobody@firm.example\nserver = ex1\nenabled = yes\n' >>"$D/users.conf"
	run --separate-stderr oisync-run --log-format json -v ex1
	[ -n "$stderr" ]
	ids=$(jq -r '.run' <<<"$stderr" | sort -u)
	[ "$(wc -l <<<"$ids")" -eq 1 ]
	[[ $ids == ex1-* ]]
	# Stages and the script alike; every line parses.
	[ "$(jq -s 'length' <<<"$stderr")" -eq "$(wc -l <<<"$stderr")" ]
	jq -e -s 'map(.prog) | index("oisync-extract") and index("oisync-apply")' <<<"$stderr" >/dev/null
	run oisync-run --log-format yaml ex1
	assert_failure 64
}

@test "keep_changes_days: old change sets go with their results; one with ops never applied stays" {
	plain_only
	sed -i "/^\[global\]/a keep_changes_days = 7" "$OISYNC_CONF"
	dir="$D/state/changes/ex1"
	mkdir -p "$dir"
	empty='{"type":"changeset","counts":{"create":0,"update":0,"delete":0,"link":0,"unlink":0}}'
	ops='{"type":"changeset","counts":{"create":2,"update":0,"delete":0,"link":0,"unlink":0}}'
	echo "$empty" >"$dir/20260101T000000Z-alice.jsonl"
	echo "$ops" >"$dir/20260101T000001Z-alice.jsonl"
	echo '{}' >"$dir/20260101T000001Z-alice.results.jsonl"
	echo "$ops" >"$dir/20260101T000002Z-alice.jsonl"
	echo "$ops" >"$dir/20260101T000003Z-bob.jsonl"
	touch -d '8 days ago' "$dir"/2026*
	echo "$empty" >"$dir/20260102T000000Z-bob.jsonl"
	touch -d '6 days ago' "$dir/20260102T000000Z-bob.jsonl"
	run oisync-run ex1
	assert_success
	[ ! -e "$dir/20260101T000000Z-alice.jsonl" ]
	[ ! -e "$dir/20260101T000001Z-alice.jsonl" ]
	[ ! -e "$dir/20260101T000001Z-alice.results.jsonl" ]
	[ -e "$dir/20260101T000002Z-alice.jsonl" ]
	[ -e "$dir/20260101T000003Z-bob.jsonl" ]
	[ -e "$dir/20260102T000000Z-bob.jsonl" ]
	# 0 keeps everything.
	sed -i "s/^keep_changes_days = 7/keep_changes_days = 0/" "$OISYNC_CONF"
	touch -d '400 days ago' "$dir/20260102T000000Z-bob.jsonl"
	run oisync-run ex1
	assert_success
	[ -e "$dir/20260102T000000Z-bob.jsonl" ]
}
