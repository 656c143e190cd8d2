#!/usr/bin/env bats
# syncinfo.bats - the mailbox's "InterAction Sync" record, a lost state, a forced fresh match.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() { e2e_setup; }
teardown() { e2e_teardown; }

DB() { echo "$D/state/ex1/alice@firm.example.db"; }
meta() { sqlite3 "$(DB)" "select value from meta where key = '$1'"; }
# age_record: the record was last written two days ago.
age_record() {
	sqlite3 "$(DB)" "update meta set value = '2000-01-01T00:00:00Z' where key = 'syncinfo_written'"
	[ "$(meta syncinfo_written)" = 2000-01-01T00:00:00Z ]
}

@test "a run writes the mailbox's sync record once; a quiet run leaves it alone for a day; a change updates it" {
	run oisync-run -u alice ex1
	assert_success
	# extract's full read looks for the record (none yet); apply looks again and creates it.
	ops=$(ews_ctl "$D" stats | jq -c '.operations | {CreateFolder, FindFolder}')
	assert_equal "$ops" '{"CreateFolder":1,"FindFolder":2}'
	item=$(meta syncinfo_item)
	[ -n "$item" ]
	[ -n "$(meta sync_id)" ]
	[ -n "$(meta syncinfo_written)" ]
	# Nothing to change: the record is left alone. (This run still reads the
	# contacts the first one made, which came after its sync state.)
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-run -u alice ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	assert_equal "$(ews_ctl "$D" stats | jq -c .operations.UpdateItem)" null
	# Quiet: the mailbox hears one SyncFolderItems and nothing else.
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-run -u alice ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	assert_equal "$(ews_ctl "$D" stats | jq -c .operations)" '{"SyncFolderItems":1}'
	# A day later a quiet run rewrites the record it knows: no new folder, no search.
	age_record
	run oisync-run -u alice ex1
	assert_success
	ops=$(ews_ctl "$D" stats | jq -c '.operations | {CreateFolder, FindFolder, UpdateItem}')
	assert_equal "$ops" '{"CreateFolder":null,"FindFolder":null,"UpdateItem":1}'
	assert_equal "$(meta syncinfo_item)" "$item"
	[ "$(meta syncinfo_written)" != 2000-01-01T00:00:00Z ]
	# A run that changes something rewrites it at once.
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Lee)\",\"set\":{\"JobTitle\":\"Senior Partner\"}}" >/dev/null
	run oisync-run -u alice ex1
	assert_success
	assert_equal "$(ews_ctl "$D" stats | jq -c .operations.UpdateItem)" 2
}

@test "deleting the sync record makes the next run match both sides afresh, duplicating nothing" {
	run oisync-run ex1
	assert_success
	want=$(holdings)
	ews_ctl "$D" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(meta syncinfo_item)\"}" >/dev/null
	# A quiet run finds out when it next writes the record: at most a day later.
	age_record
	run oisync-run ex1
	assert_success
	assert_output --partial '"InterAction Sync" folder is gone: the next run matches Outlook and InterAction afresh'
	assert_equal "$(sqlite3 "$(DB)" 'select count(*) from pairs')" 0
	assert_equal "$(sqlite3 "$(DB)" 'select count(*) from checkpoints')" 0
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	grep -q '"first_sync":true' "$(last_changes alice)"
	[ "$(sqlite3 "$(DB)" 'select count(*) from pairs')" -eq 17 ]
	[ "$(holdings)" = "$want" ]
}

@test "a lost state database re-matches both sides without duplicating or deleting" {
	run oisync-run ex1
	assert_success
	want=$(holdings)
	rm -f "$D/state/ex1/alice@firm.example.db"*
	run oisync-run ex1
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(holdings)" = "$want" ]
	run oisync-run ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
}

@test "a full read reports the mailbox's sync id; an incremental read costs nothing extra" {
	run oisync-extract exchange --mailbox alice@firm.example
	assert_success
	refute_output --partial '"type":"syncinfo"'
	run oisync-run -u alice ex1
	assert_success
	run oisync-extract exchange --mailbox alice@firm.example --full
	assert_success
	assert_line --index 0 --partial '"type":"syncinfo"'
	assert_equal "$(jq -r 'select(.type=="syncinfo") | .sync_id' <<<"$output")" "$(meta sync_id)"
	assert_equal "$(jq -r 'select(.type=="syncinfo") | .last_sync' <<<"$output")" "$(meta last_sync)"
	# A second run commits a sync state past apply's own writes.
	run oisync-run -u alice ex1
	assert_success
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-extract exchange --mailbox alice@firm.example
	assert_success
	refute_output --partial '"type":"syncinfo"'
	assert_equal "$(ews_ctl "$D" stats | jq -c .operations)" '{"SyncFolderItems":1}'
}

@test "a mailbox synced from another host is matched afresh, not merged against this host's pairs" {
	run oisync-run -u alice ex1
	assert_success
	want=$(holdings)
	# Another host took the mailbox over: its sync id is in the mailbox, not here.
	sqlite3 "$(DB)" "update meta set value = 'another-host' where key = 'sync_id'; delete from checkpoints"
	run oisync-run -u alice ex1
	assert_success
	grep -q '"first_sync":true' "$(last_changes alice)"
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(holdings)" = "$want" ]
}
