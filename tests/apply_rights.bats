#!/usr/bin/env bats
# apply_rights.bats - a change InterAction's service user may not make (403) stops
# the run with 77: nothing overwritten, nothing lost, tried again next run.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	mkdir -p "$BATS_TEST_TMPDIR/seed"
	# The API client "oisync" may not change a contact's web site.
	jq '. + {"rights":{"oisync":{"read_only_fields":["web_site"]}}}' \
		"$BATS_TEST_DIRNAME/data/demo/interaction_seed.json" >"$BATS_TEST_TMPDIR/seed/ia.json"
	e2e_setup "$BATS_TEST_DIRNAME/data/demo/ews_seed.json" "$BATS_TEST_TMPDIR/seed/ia.json"
}
teardown() { e2e_teardown; }

@test "an update of a field the service user may not change exits 77 and keeps the edit for the next run" {
	run oisync-run -u alice ex1
	assert_success
	db="$D/state/ex1/alice@firm.example.db"
	cps=$(sqlite3 "$db" 'select side, token from checkpoints order by side')
	id=$(ews_id alice@firm.example Nilsson)
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$id\",\"set\":{\"BusinessHomePage\":\"https://nordvik.example\"}}" >/dev/null
	run oisync-run -u alice ex1
	assert_failure 77
	assert_output --partial "may not change 'web_site'"
	# Nothing written in InterAction, no checkpoint moved: the edit is not lost.
	run jq -r --arg id "$(ia_id Nilsson)" '.contacts[$id].web_site' <<<"$(ia_ctl "$D" dump)"
	assert_output ""
	assert_equal "$(sqlite3 "$db" 'select side, token from checkpoints order by side')" "$cps"
	# The next run meets the same refusal: the change is tried again, never dropped.
	run oisync-run -u alice ex1
	assert_failure 77
	assert_output --partial "may not change 'web_site'"
}
