#!/usr/bin/env bats
# reliability_firmmatch.bats - an Outlook contact that meets an existing firm
# contact by e-mail is merged by the conflict policy, in the same run: no
# value is replaced unless the policy decides it, the loser is reported, the
# next run is quiet, and a difference only in format is none (issue 8,
# defects 2 and 7).

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

teardown() { e2e_teardown; }

# Seeds: alice's Tara Quinn and the firm's Tara Quinn-Byrne share an address
# but not name, title, company nor mobile; each side also has a value the
# other lacks (Outlook a business phone, the firm a business city). Nobody
# has the firm contact on a list yet. The firm last changed it at $1.
tara_seeds() { # FIRM_UPDATED_AT
	cat >"$BATS_TEST_TMPDIR/ews.json" <<'JSON'
{"service_accounts":{"svc-oisync":{"impersonate":["alice@firm.example","bob@firm.example"]}},
 "mailboxes":{"alice@firm.example":{"contacts":[
   {"GivenName":"Tara","Surname":"Quinn","CompanyName":"Quinn Legal","JobTitle":"Associate",
    "EmailAddresses":{"EmailAddress1":"tara@quinn.example"},
    "PhoneNumbers":{"MobilePhone":"(212) 555-0101","BusinessPhone":"212.555.0199"}}]},
  "bob@firm.example":{"contacts":[]}}}
JSON
	cat >"$BATS_TEST_TMPDIR/ia.json" <<JSON
{"users":[{"id":"alice","name":"Alice Smith","email":"alice@firm.example"},
          {"id":"bob","name":"Bob Jones","email":"bob@firm.example"}],
 "contacts":[{"id":"c-000001","updated_at":"$1","first_name":"Tara","last_name":"Quinn-Byrne",
   "company_name":"Byrne & Quinn LLP","job_title":"Partner","emails":{"business":"tara@quinn.example"},
   "phones":{"mobile":"+1 646 555 0102"},"addresses":{"business":{"city":"Dublin"}}}],
 "lists":{"alice":[],"bob":[]}}
JSON
	e2e_setup "$BATS_TEST_TMPDIR/ews.json" "$BATS_TEST_TMPDIR/ia.json"
}

set_policy() { # POLICY
	sed -i "s/^conflict = .*/conflict = $1/" "$D/oisync.conf"
}

# Tara on both sides: "last|company|job|mobile|business phone|city".
outlook_tara() {
	ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq -r '.contacts[] | select(.GivenName == "Tara") |
		"\(.Surname)|\(.CompanyName)|\(.JobTitle)|\(.PhoneNumbers.MobilePhone)|\(.PhoneNumbers.BusinessPhone)|\(.PhysicalAddresses.Business.City)"'
}
firm_tara() {
	ia_ctl "$D" dump | jq -r '.contacts["c-000001"] |
		"\(.last_name)|\(.company_name)|\(.job_title)|\(.phones.mobile)|\(.phones.direct)|\(.addresses.business.city)"'
}

last_results() { # USER
	local c
	c=$(last_changes "$1")
	echo "${c%.jsonl}.results.jsonl"
}

# Three runs: the first merges, the second and third change nothing.
# What oisync writes into a server is in the international form (phone_format's
# default); what a user typed stays as typed where nothing overwrote it.
three_runs() {
	run oisync-run ex1
	assert_success
	refute_output --partial "differs"
	first_output=$output
	results1=$(last_results alice)
	outlook1=$(outlook_tara) firm1=$(firm_tara)
	# One firm contact: Tara was put on alice's list, not created again.
	[ "$(ia_ctl "$D" dump | jq '.contacts | length')" -eq 1 ]

	run oisync-run ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(outlook_tara)" = "$outlook1" ]
	[ "$(firm_tara)" = "$firm1" ]

	run oisync-run ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(ops_in "$(last_changes bob)")" -eq 0 ]
}

@test "newest-wins, Outlook newer: the firm contact takes alice's values, she keeps all of hers, the conflict is reported" {
	tara_seeds "2001-01-01T00:00:00Z"
	three_runs
	# Nothing of alice's replaced; the firm's city (she had none) reaches her.
	[ "$outlook1" = "Quinn|Quinn Legal|Associate|(212) 555-0101|212.555.0199|Dublin" ]
	[ "$firm1" = "Quinn|Quinn Legal|Associate|+1 212-555-0101|+1 212-555-0199|Dublin" ]
	# The conflict is reported with both values, so the loser stays visible.
	run jq -r 'select(.merge) | .merge | "\(.policy) kept \(.kept): \(.conflicts | keys | join(","))"' "$results1"
	assert_output "newest-wins kept exchange: company,job_title,last,phones.mobile"
	run jq -r 'select(.merge) | .merge.conflicts.job_title | "\(.exchange)|\(.interaction)"' "$results1"
	assert_output "Associate|Partner"
	run grep -c "conflict on last, company, job_title, phones.mobile: Outlook kept (newest-wins)" <<<"$first_output"
	assert_output 1
}

@test "newest-wins, firm newer: the firm's values win the conflicts, alice's own values stay and reach the firm" {
	tara_seeds "2099-01-01T00:00:00Z"
	three_runs
	[ "$outlook1" = "Quinn-Byrne|Byrne & Quinn LLP|Partner|+1 646-555-0102|212.555.0199|Dublin" ]
	[ "$firm1" = "Quinn-Byrne|Byrne & Quinn LLP|Partner|+1 646 555 0102|+1 212-555-0199|Dublin" ]
	run jq -r 'select(.merge) | .merge | "\(.policy) kept \(.kept): \(.conflicts["phones.mobile"].exchange) lost"' "$results1"
	assert_output "newest-wins kept interaction: +12125550101 lost"
}

@test "exchange-wins: alice's values win every conflict" {
	tara_seeds "2099-01-01T00:00:00Z"
	set_policy exchange-wins
	three_runs
	[ "$outlook1" = "Quinn|Quinn Legal|Associate|(212) 555-0101|212.555.0199|Dublin" ]
	[ "$firm1" = "Quinn|Quinn Legal|Associate|+1 212-555-0101|+1 212-555-0199|Dublin" ]
	run jq -r 'select(.merge) | .merge | "\(.policy) kept \(.kept)"' "$results1"
	assert_output "exchange-wins kept exchange"
}

@test "interaction-wins: the firm's values win every conflict, reported, and alice's other values are kept" {
	tara_seeds "2001-01-01T00:00:00Z"
	set_policy interaction-wins
	three_runs
	[ "$outlook1" = "Quinn-Byrne|Byrne & Quinn LLP|Partner|+1 646-555-0102|212.555.0199|Dublin" ]
	[ "$firm1" = "Quinn-Byrne|Byrne & Quinn LLP|Partner|+1 646 555 0102|+1 212-555-0199|Dublin" ]
	run jq -r 'select(.merge) | .merge | "\(.policy) kept \(.kept): \(.conflicts | keys | join(","))"' "$results1"
	assert_output "interaction-wins kept interaction: company,job_title,last,phones.mobile"
}

@test "two users create the same person with different phone formats: nobody loses a value, nothing is a conflict" {
	cat >"$BATS_TEST_TMPDIR/ews.json" <<'JSON'
{"service_accounts":{"svc-oisync":{"impersonate":["alice@firm.example","bob@firm.example"]}},
 "mailboxes":{"alice@firm.example":{"contacts":[
   {"GivenName":"Uma","Surname":"Patel","JobTitle":"Director","EmailAddresses":{"EmailAddress1":"uma@patel.example"},
    "PhoneNumbers":{"MobilePhone":"(212) 555-0111"}}]},
  "bob@firm.example":{"contacts":[
   {"GivenName":"Uma","Surname":"Patel","EmailAddresses":{"EmailAddress1":"uma@patel.example"},
    "PhoneNumbers":{"MobilePhone":"212.555.0111","BusinessPhone":"+1 212 555 0112"}}]}}}
JSON
	cat >"$BATS_TEST_TMPDIR/ia.json" <<'JSON'
{"users":[{"id":"alice","name":"Alice Smith","email":"alice@firm.example"},
          {"id":"bob","name":"Bob Jones","email":"bob@firm.example"}],
 "contacts":[], "lists":{"alice":[],"bob":[]}}
JSON
	e2e_setup "$BATS_TEST_TMPDIR/ews.json" "$BATS_TEST_TMPDIR/ia.json"
	outlook_uma() { # MAILBOX
		ews_ctl "$D" "dump?mailbox=$1" | jq -r '.contacts[] | select(.GivenName == "Uma") |
			"\(.JobTitle)|\(.PhoneNumbers.MobilePhone)|\(.PhoneNumbers.BusinessPhone)"'
	}
	# One user after the other: the story below has alice's run first.
	run oisync-run -j 1 ex1
	assert_success
	refute_output --partial "differs"
	refute_output --partial "conflict on"
	# alice made the firm contact; bob's Uma was merged into it: his business
	# phone reached the firm, alice's title reached him; his mobile, the same
	# number in another format, was left as he typed it.
	[ "$(ia_ctl "$D" dump | jq '.contacts | length')" -eq 1 ]
	run jq -r 'select(.merge) | "\(.merge.conflicts // "none") \(.merge.updated | join(","))"' "$(last_results bob)"
	assert_output "none exchange,interaction"
	[ "$(outlook_uma bob@firm.example)" = "Director|212.555.0111|+1 212 555 0112" ]
	# The firm contact changed after alice's run: her next run brings her the business phone.
	run oisync-run -j 1 ex1
	assert_success
	[ "$(outlook_uma bob@firm.example)" = "Director|212.555.0111|+1 212 555 0112" ]
	[ "$(server_ops_in "$(last_changes bob)")" -eq 0 ]
	run oisync-run -j 1 ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	[ "$(ops_in "$(last_changes bob)")" -eq 0 ]
	[ "$(outlook_uma alice@firm.example)" = "Director|(212) 555-0111|+1 212-555-0112" ]
	[ "$(outlook_uma bob@firm.example)" = "Director|212.555.0111|+1 212 555 0112" ]
}

@test "a firm contact that differs from Outlook only in format is no difference: no notice, no conflict, no write" {
	cat >"$BATS_TEST_TMPDIR/ews.json" <<'JSON'
{"service_accounts":{"svc-oisync":{"impersonate":["alice@firm.example","bob@firm.example"]}},
 "mailboxes":{"alice@firm.example":{"contacts":[
   {"GivenName":"Erik","Surname":"Nilsson","CompanyName":"Nordvik AB","EmailAddresses":{"EmailAddress1":"Erik.Nilsson@Nordvik.example"},
    "PhoneNumbers":{"BusinessPhone":"+46 8 123 456 78"},
    "PhysicalAddresses":{"Business":{"City":"Stockholm","CountryOrRegion":"Sweden"}}}]},
  "bob@firm.example":{"contacts":[]}}}
JSON
	cat >"$BATS_TEST_TMPDIR/ia.json" <<'JSON'
{"users":[{"id":"alice","name":"Alice Smith","email":"alice@firm.example"},
          {"id":"bob","name":"Bob Jones","email":"bob@firm.example"}],
 "contacts":[{"id":"c-000001","updated_at":"2001-01-01T00:00:00Z","first_name":"Erik","last_name":"Nilsson ",
   "company_name":"Nordvik  AB","emails":{"business":"erik.nilsson@nordvik.example"},
   "phones":{"direct":"+46 (0)8-123 456 78"},"addresses":{"business":{"city":"Stockholm","country":"SE"}}}],
 "lists":{"alice":[],"bob":[]}}
JSON
	e2e_setup "$BATS_TEST_TMPDIR/ews.json" "$BATS_TEST_TMPDIR/ia.json"
	firm_before=$(ia_ctl "$D" dump | jq -c '.contacts["c-000001"] | del(.version, .updated_at)')
	run oisync-run -v ex1
	assert_success
	refute_output --partial "differs"
	refute_output --partial "conflict on"
	run jq -r 'select(.merge) | "\(.merge.conflicts // "none") \(.merge.updated | length)"' "$(last_results alice)"
	assert_output "none 0"
	# Neither side was written: the firm keeps its format, Outlook its own.
	[ "$(ia_ctl "$D" dump | jq -c '.contacts["c-000001"] | del(.version, .updated_at)')" = "$firm_before" ]
	run oisync-run ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
}
