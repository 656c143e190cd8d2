#!/usr/bin/env bats
# crash.bats - crash apply after every recorded op (as isync's run-tests.pl
# does), rerun, and require the same end state as a run never interrupted.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

SEEDS=("$BATS_TEST_DIRNAME/data/crash/ews_seed.json" "$BATS_TEST_DIRNAME/data/crash/interaction_seed.json")

teardown() { fakes_stop "${D:-/nonexistent}"; }

@test "a killed apply, run again, finishes without duplicating or losing anything" {
	# The uninterrupted run: how many ops, and the end state.
	e2e_setup "${SEEDS[@]}"
	run oisync-run ex1
	assert_success
	steps=$(ops_in "$(last_changes alice)")
	[ "$steps" -ge 5 ]
	want=$(holdings)
	# Bob's mailbox and list are empty in these seeds: the runs below are
	# alice's alone (-u), a third fewer processes per step.
	[ "$(ops_in "$(last_changes bob)")" -eq 0 ]
	e2e_teardown
	rm -rf "$D"

	for n in $(seq 1 "$steps"); do
		e2e_setup "${SEEDS[@]}"
		OISYNC_TEST_CRASH_AFTER=$n run oisync-run -u alice ex1
		assert_failure
		assert_line --partial "alice@firm.example: failed (exit 99)"
		run oisync-run -u alice ex1
		assert_success
		got=$(holdings)
		[ "$got" = "$want" ] || { echo "after a crash at step $n:"; diff <(echo "$want") <(echo "$got"); false; }
		run oisync-run -u alice ex1
		assert_success
		[ "$(ops_in "$(last_changes alice)")" -eq 0 ] || { echo "step $n: a third run still had ops"; cat "$(last_changes alice)"; false; }
		e2e_teardown
		rm -rf "$D"
	done
}

@test "calendar: a killed apply, run again, makes each meeting exactly once, at the same instants" {
	# Only alice's calendar moves here (no contact on either side), across a
	# window that holds the seed's fixed dates: a past meeting becomes an
	# activity, the rest appointments, a series three occurrences.
	local seeds=("$BATS_TEST_DIRNAME/data/crash_calendar/ews_seed.json"
		"$BATS_TEST_DIRNAME/data/crash_calendar/interaction_seed.json")
	calendar_on() {
		sed -i '/^\[user alice\]/a calendar = on' "$D/users.conf"
		printf 'calendar_history_days = 3650\ncalendar_future_days = 3650\nappointment_types = Calls -> Call\n' >>"$D/oisync.conf"
	}
	e2e_setup "${seeds[@]}"
	calendar_on
	run oisync-run -u alice ex1
	assert_success
	steps=$(ops_in "$(last_changes alice)")
	[ "$steps" -ge 6 ]
	want=$(holdings)
	# What the uninterrupted run made: six items, one an activity, one participant linked.
	run jq -r '.mailboxes["alice@firm.example"].interaction_calendar | map(.status) | group_by(.) | map("\(.[0]) \(length)") | join(", ")' <<<"$want"
	assert_output "activity 1, appointment 5"
	e2e_teardown
	rm -rf "$D"

	for n in $(seq 1 "$steps"); do
		e2e_setup "${seeds[@]}"
		calendar_on
		OISYNC_TEST_CRASH_AFTER=$n run oisync-run -u alice ex1
		assert_failure
		assert_line --partial "alice@firm.example: failed (exit 99)"
		run oisync-run -u alice ex1
		assert_success
		got=$(holdings)
		[ "$got" = "$want" ] || { echo "after a crash at step $n:"; diff <(echo "$want") <(echo "$got"); false; }
		run oisync-run -u alice ex1
		assert_success
		[ "$(ops_in "$(last_changes alice)")" -eq 0 ] || { echo "step $n: a third run still had ops"; cat "$(last_changes alice)"; false; }
		e2e_teardown
		rm -rf "$D"
	done
}
