#!/usr/bin/env bats
# e2e.bats - the whole pipeline through oisync-run against both fakes.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() { e2e_setup; }
teardown() { e2e_teardown; }

next_run() { run oisync-run ex1; }

@test "first sync links by e-mail, creates the rest both ways, and a second run does nothing" {
	run oisync-run ex1
	assert_success
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed"
	holdings >"$D/h1.json"
	# alice: 14 Outlook contacts, 8 on her list, 5 of them the same people.
	run jq -r '.mailboxes["alice@firm.example"] | "\(.outlook|length) \(.interaction|length)"' "$D/h1.json"
	assert_output "17 17"
	run jq -r '.mailboxes["bob@firm.example"] | "\(.outlook|length) \(.interaction|length)"' "$D/h1.json"
	assert_output "14 14"
	# Firm-wide: 13 seeded, 9 new from alice, 4 new from bob; bob's Ann Lee and
	# the 4 people alice already brought in are linked, not created twice.
	run jq -r '.firm_contacts' "$D/h1.json"
	assert_output "26"
	# Same people on both sides, no e-mail twice in a list.
	run jq -r '.mailboxes[] | [(.outlook|map(.email)|sort), (.interaction|map(.email)|sort)] | (.[0] == .[1]) and ((.[0]|unique|length) == (.[0]|length))' "$D/h1.json"
	assert_output $'true\ntrue'

	# The second run changes no server: it may only refresh versions that
	# moved when bob's run touched contacts alice shares (link ops).
	next_run
	assert_success
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(server_ops_in "$(last_changes bob)")" -eq 0 ]
	holdings >"$D/h2.json"
	cmp "$D/h1.json" "$D/h2.json"
	# The third has nothing at all to do.
	next_run
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(ops_in "$(last_changes bob)")" -eq 0 ]
}

@test "edits between runs move exactly once, to the right side" {
	run oisync-run ex1
	assert_success
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Lee)\",\"set\":{\"JobTitle\":\"Senior Partner\"}}"
	ews_ctl "$D" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Haddad)\"}"
	ews_ctl "$D" create '{"mailbox":"alice@firm.example","contact":{"GivenName":"Grace","Surname":"Hopper","EmailAddresses":{"EmailAddress1":"grace@navylabs.example"}}}'
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Diaz)\",\"set\":{\"phones\":{\"mobile\":\"+34 600 999 888\"}}}"
	ia_ctl "$D" remove "{\"user\":\"bob\",\"contact_id\":\"$(ia_id Adams)\"}"
	firm_before=$(holdings | jq .firm_contacts)

	# One user after the other: bob's run reads the firm contact alice's run
	# just changed (at -j 2 it may read it first and take the change a run later).
	run oisync-run -j 1 ex1
	assert_success
	a=$(last_changes alice) b=$(last_changes bob)
	# alice: Grace to InterAction, Ann's title to InterAction, Carlos's mobile
	# to Outlook, Omar off her list.
	run jq -rs 'map(select(.type=="op" and .action != "link")) | map("\(.action) \(.target)") | sort | join(",")' "$a"
	assert_output "create interaction,delete interaction,update exchange,update interaction"
	# bob: Ann Lee is a firm contact he has too, so her new title reaches his
	# Outlook; Zoe left his list, so she leaves his Outlook.
	run jq -rs 'map(select(.type=="op" and .action != "link")) | map("\(.action) \(.target)") | sort | join(",")' "$b"
	assert_output "delete exchange,update exchange"
	holdings >"$D/h.json"
	run jq -r '.mailboxes["alice@firm.example"].interaction[] | select(.name=="Ann Lee") | .job' "$D/h.json"
	assert_output "Senior Partner"
	run jq -r '.mailboxes["bob@firm.example"].outlook[] | select(.name=="Ann Lee") | .job' "$D/h.json"
	assert_output "Senior Partner"
	# Written in the international form (phone_format's default), compared as E.164.
	run jq -r '.mailboxes["alice@firm.example"].outlook[] | select(.name=="Carlos Diaz") | .mobile' "$D/h.json"
	assert_output "+34 600 99 98 88"
	run jq -r '[.mailboxes["alice@firm.example"].interaction[] | select(.name=="Omar Haddad")] | length' "$D/h.json"
	assert_output "0"
	run jq -r '[.mailboxes["bob@firm.example"].outlook[] | select(.name=="Zoe Adams")] | length' "$D/h.json"
	assert_output "0"
	run jq -r '[.mailboxes["alice@firm.example"].interaction[] | select(.name=="Grace Hopper")] | length' "$D/h.json"
	assert_output "1"
	# Removing from a list never deletes the firm contact: one more (Grace), none fewer.
	[ "$(jq .firm_contacts "$D/h.json")" -eq $((firm_before + 1)) ]

	next_run
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(server_ops_in "$(last_changes bob)")" -eq 0 ]
	next_run
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(ops_in "$(last_changes bob)")" -eq 0 ]
}

@test "a contact edited on both sides in different fields keeps both edits" {
	run oisync-run ex1
	assert_success
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Okafor)\",\"set\":{\"JobTitle\":\"Chief Financial Officer\"}}"
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Okafor)\",\"set\":{\"phones\":{\"mobile\":\"(415) 555-0100\"}}}"
	next_run
	assert_success
	holdings >"$D/h.json"
	# Outlook gets the mobile (in the international form), InterAction the title; each keeps its own edit.
	run jq -r '.mailboxes["alice@firm.example"].outlook[] | select(.name=="Dana Okafor") | "\(.job)|\(.mobile)"' "$D/h.json"
	assert_output "Chief Financial Officer|+1 415-555-0100"
	run jq -r '.mailboxes["alice@firm.example"].interaction[] | select(.name=="Dana Okafor") | "\(.job)|\(.mobile)"' "$D/h.json"
	assert_output "Chief Financial Officer|(415) 555-0100"
}

@test "a second run for a locked account exits 75 and changes nothing" {
	run oisync-run ex1
	assert_success
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Okafor)\",\"set\":{\"JobTitle\":\"CEO\"}}"
	before=$(holdings)
	db="$D/state/ex1/alice@firm.example.db"
	pairs_before=$(sqlite3 "$db" 'select pair_id, exchange_version, interaction_version, base_hash from pairs order by 1')
	cps_before=$(sqlite3 "$db" 'select side, folder, token from checkpoints order by 1, 2')
	# Another run holds alice's lock until its stdin closes; it says when it has it.
	coproc HOLDER { flock "$D/state/ex1/alice@firm.example.lock" -c 'echo held; read -r _'; }
	read -r ready <&"${HOLDER[0]}"
	[ "$ready" = held ]
	next_run
	exec {HOLDER[1]}>&-
	wait "$HOLDER_PID" || true
	assert_failure 75
	assert_line --partial "alice@firm.example: failed (exit 75)"
	assert_line --partial "bob@firm.example: ok"
	[ "$(holdings)" = "$before" ]
	[ "$(sqlite3 "$db" 'select pair_id, exchange_version, interaction_version, base_hash from pairs order by 1')" = "$pairs_before" ]
	[ "$(sqlite3 "$db" 'select side, folder, token from checkpoints order by 1, 2')" = "$cps_before" ]
	# Once the lock is free, the edit goes through.
	next_run
	assert_success
	run jq -r '.mailboxes["alice@firm.example"].interaction[] | select(.name=="Dana Okafor") | .job' <<<"$(holdings)"
	assert_output "CEO"
}

@test "an Exchange read cut short deletes nothing and the next run catches up" {
	run oisync-run ex1
	assert_success
	ews_ctl "$D" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Okafor)\"}"
	before=$(holdings | jq '.mailboxes["alice@firm.example"].interaction | length')
	# Every EWS reply truncated: extract fails before its checkpoint.
	ews_ctl "$D" faults '{"truncate":{"next":100}}'
	next_run
	assert_failure
	assert_line --partial "alice@firm.example: failed"
	[ "$(holdings | jq '.mailboxes["alice@firm.example"].interaction | length')" -eq "$before" ]
	ews_ctl "$D" faults '{"truncate":{"next":0}}'
	next_run
	assert_success
	[ "$(holdings | jq '.mailboxes["alice@firm.example"].interaction | length')" -eq $((before - 1)) ]
}

# oisync-run reads both sides with one `account` process; it must write what
# the two sides' own extracts write, record for record, first sync and after.
@test "oisync-extract account writes what exchange then interaction write, in that order" {
	for pass in first later; do
		{ oisync-extract exchange --mailbox alice@firm.example && oisync-extract interaction --user alice; } >"$D/two.jsonl"
		oisync-extract account --user alice >"$D/one.jsonl"
		[ "$(grep -c '"type":"checkpoint"' "$D/one.jsonl")" -ge 2 ]
		[ "$(grep -c '"side":"interaction"' "$D/one.jsonl")" -gt 0 ]
		cmp "$D/two.jsonl" "$D/one.jsonl"
		[ "$pass" = later ] || { run oisync-run ex1; assert_success; }
	done
}

@test "display-only Outlook contacts: a person is split, an organisation becomes a company, a couple and a placeholder nothing" {
	jq '.mailboxes["alice@firm.example"].contacts += [
		{"DisplayName": "Dr. Maria de la Cruz-López, PhD", "EmailAddresses": {"EmailAddress1": "maria@cruz.example"}},
		{"DisplayName": "Smith & Jones LLP", "EmailAddresses": {"EmailAddress1": "office@smithjones.example"}},
		{"DisplayName": "John and Jane Smith", "EmailAddresses": {"EmailAddress1": "smiths@home.example"}},
		{"DisplayName": "TBD"}]' "${DEMO_SEEDS[0]}" >"$BATS_TEST_TMPDIR/ews_seed.json"
	e2e_setup "$BATS_TEST_TMPDIR/ews_seed.json" "${DEMO_SEEDS[1]}"
	run oisync-run ex1
	assert_success
	dump=$(ia_ctl "$D" dump)
	assert_equal "$(jq -c '.contacts[] | select(.emails.business == "maria@cruz.example") | [.kind, .title, .first_name, .last_name, .suffix]' <<<"$dump")" \
		'["person","Dr.","Maria","de la Cruz-López","PhD"]'
	assert_equal "$(jq -c '.contacts[] | select(.emails.business == "office@smithjones.example") | [.kind, .company_name, .first_name, .last_name]' <<<"$dump")" \
		'["company","Smith & Jones LLP","",""]'
	assert_equal "$(jq '[.contacts[] | select(.emails.business == "smiths@home.example")] | length' <<<"$dump")" 0
	# No create toward InterAction for the couple or the placeholder (which has no address to look for).
	assert_equal "$(jq -s '[.[] | select(.action == "create" and .target == "interaction") | .data.display] | map(select(. == "TBD" or . == "John and Jane Smith")) | length' "$(last_changes alice)")" 0
	assert_equal "$(jq -s '[.[] | select(.action == "create" and .target == "interaction") | .data.display] | map(select(. == "Smith & Jones LLP" or . == "Dr. Maria de la Cruz-López, PhD")) | length' "$(last_changes alice)")" 2
	assert_output --partial 'not created in InterAction (couple, not a person)'
	assert_output --partial 'not created in InterAction (placeholder, not a person)'
	# The next run has nothing to do for them: the derived names and company are stable.
	next_run
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
}

@test "phone_format = as-typed: a number reaches the other side as it was typed there, and never moves back" {
	sed -i 's/^phone_region = US$/&\nphone_format = as-typed/' "$OISYNC_CONF"
	grep -qx 'phone_format = as-typed' "$OISYNC_CONF"
	run oisync-run ex1
	assert_success
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Okafor)\",\"set\":{\"phones\":{\"mobile\":\"(415) 555-0100\"}}}"
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Okafor)\",\"set\":{\"PhoneNumbers.BusinessPhone\":\"415.555.0199\"}}"
	next_run
	assert_success
	mobile=$(ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq -r '.contacts[] | select(.Surname == "Okafor") | .PhoneNumbers.MobilePhone')
	assert_equal "$mobile" "(415) 555-0100"
	direct=$(ia_ctl "$D" dump | jq -r --arg id "$(ia_id Okafor)" '.contacts[$id].phones.direct')
	assert_equal "$direct" "415.555.0199"
	# The two spellings are one E.164 value on each side: nothing moves again.
	next_run
	assert_success
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ]
	next_run
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(ops_in "$(last_changes bob)")" -eq 0 ]
}
