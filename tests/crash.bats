#!/usr/bin/env bats
# crash.bats - crash apply after every recorded op (as isync's run-tests.pl
# does), rerun, and require the same end state as a run never interrupted:
# contacts and the calendar, on Exchange Server (EWS) and on Exchange Online
# (Microsoft Graph). One loop (crash_each_step) serves the four. The plain
# pass runs all four; under the sanitizers the Graph contacts variant alone,
# which takes every path of apply's (batched and one by one) and costs a
# minute less: the loop's code is the same for the four.

load e2e_helper

# The three fakes once for the file; each run's e2e_setup puts them back to
# the seeds it names. The Graph fake's seed is set per run too (crash_setup).
setup_file() { e2e_graph_setup_file "$BATS_TEST_DIRNAME/data/crash_graph/graph_seed.json"; }
teardown_file() { e2e_teardown_file; }

teardown() { fakes_stop "${D:-/nonexistent}"; }

# crash_setup DATA SERVER: a run's fakes and configuration. The fakes hold
# tests/data/DATA (Exchange Server and InterAction) and tests/data/DATA_graph
# (Exchange Online, the same items as Graph has them); alice and bob are on
# SERVER, ex1 (EWS) or online (Graph); the state is empty. The calendar data
# has alice's calendar on, over a window that holds the seeds' fixed dates.
crash_setup() {
	local data=$BATS_TEST_DIRNAME/data/$1
	e2e_setup "$data/ews_seed.json" "$data/interaction_seed.json" "${data}_graph/graph_seed.json"
	if [ "$2" = online ]; then
		graph_users
	else
		# holdings would read the Graph fake's alice over the EWS fake's.
		rm "$D/graph.url"
	fi
	if [[ $1 == *calendar* ]]; then
		sed -i '/^\[user alice\]/a calendar = on' "$D/users.conf"
		printf 'calendar_history_days = 3650\ncalendar_future_days = 3650\nappointment_types = Calls -> Call\n' >>"$D/oisync.conf"
	fi
}

crash_teardown() {
	e2e_teardown
	rm -rf "$D"
}

# settled SERVER STEP: the run after the rerun has nothing to do: no op at
# all. On Exchange Online it may first record what Graph made of the items
# the rerun created (the display name Graph gives a contact made without
# one, as the second run after an uninterrupted first does): link ops only,
# which touch no server; then the next run has no op.
settled() {
	local server=$1 n=$2 cs
	run oisync-run -u alice "$server"
	assert_success
	cs=$(last_changes alice "$server")
	if [ "$server" = online ] && [ "$(ops_in "$cs")" -gt 0 ]; then
		[ "$(grep '"type":"op"' "$cs" | grep -vc '"action":"link"')" -eq 0 ] ||
			{ echo "step $n: a third run had more than links"; cat "$cs"; false; }
		run oisync-run -u alice "$server"
		assert_success
		cs=$(last_changes alice "$server")
	fi
	[ "$(ops_in "$cs")" -eq 0 ] || { echo "step $n: a third run still had ops"; cat "$cs"; false; }
}

# crash_each_step DATA SERVER MIN_STEPS [CHECK]: the uninterrupted run of
# everyone on SERVER (crash_setup DATA SERVER) makes at least MIN_STEPS ops
# for alice and none for bob; its end state is $want, which CHECK (a
# function, if given) may look into (a global, as settled reads it too).
# Then for each step n, a fresh start whose apply is killed after its n-th
# op's outcome, and a rerun: the same end state, and nothing left to do
# (settled).
crash_each_step() {
	local data=$1 server=$2 min=$3 check=${4:-} n steps got
	crash_setup "$data" "$server"
	run oisync-run "$server"
	assert_success
	steps=$(ops_in "$(last_changes alice "$server")")
	[ "$steps" -ge "$min" ]
	# Bob's mailbox and list are empty in these seeds: the runs below are
	# alice's alone (-u), a third fewer processes per step.
	[ "$(ops_in "$(last_changes bob "$server")")" -eq 0 ]
	want=$(holdings)
	[ -z "$check" ] || "$check"
	crash_teardown

	for n in $(seq 1 "$steps"); do
		crash_setup "$data" "$server"
		OISYNC_TEST_CRASH_AFTER=$n run oisync-run -u alice "$server"
		assert_failure
		assert_line --partial "alice@firm.example: failed (exit 99)"
		# Killed right after its n-th op's outcome was recorded (a create's
		# "pending" row before it is sent is not an outcome): each op's turn.
		got=$(sqlite3 "$D/state/$server/alice@firm.example.db" "select count(*) from applied where status != 'pending'")
		[ "$got" -eq "$n" ] || { echo "a crash at step $n came after $got outcomes"; false; }
		run oisync-run -u alice "$server"
		assert_success
		got=$(holdings)
		[ "$got" = "$want" ] || { echo "after a crash at step $n:"; diff <(echo "$want") <(echo "$got"); false; }
		settled "$server" "$n"
		crash_teardown
	done
}

# What the uninterrupted calendar run made: six items, one an activity (the
# past meeting), one participant linked (the board meeting's Dana Okafor).
calendar_made() {
	run jq -r '.mailboxes["alice@firm.example"].interaction_calendar | map(.status) | group_by(.) | map("\(.[0]) \(length)") | join(", ")' <<<"$want"
	assert_output "activity 1, appointment 5"
	run jq '[.mailboxes["alice@firm.example"].interaction_calendar[].participants] | add' <<<"$want"
	assert_output 1
}

@test "a killed apply, run again, finishes without duplicating or losing anything" {
	! sanitized_build || skip "plain pass only: the Graph contacts variant runs this loop under the sanitizers"
	crash_each_step crash ex1 5
}

@test "calendar: a killed apply, run again, makes each meeting exactly once, at the same instants" {
	! sanitized_build || skip "plain pass only: the Graph contacts variant runs this loop under the sanitizers"
	# Only alice's calendar moves here (no contact on either side): a past
	# meeting becomes an activity, the rest appointments, a series three occurrences.
	crash_each_step crash_calendar ex1 6 calendar_made
}

@test "Graph: a killed apply, run again, finishes without duplicating or losing anything" {
	crash_each_step crash online 5
}

@test "Graph calendar: a killed apply, run again, makes each meeting exactly once, at the same instants" {
	! sanitized_build || skip "plain pass only: the Graph contacts variant runs this loop under the sanitizers"
	crash_each_step crash_calendar online 6 calendar_made
}
