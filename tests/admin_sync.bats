#!/usr/bin/env bats
# admin_sync.bats - the admin commands that touch a user's sync, against both
# fakes: users disable/enable, reset, replay.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() { e2e_setup; }
teardown() { e2e_teardown; }

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
