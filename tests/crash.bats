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
