#!/usr/bin/env bats
# interaction_canonical.bats - oisync-extract interaction reads back exactly what
# the reference server holds: every canonical field InterAction carries, after transform.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() { e2e_setup "$ROOT/tests/data/ia_full/ews_seed.json" "$ROOT/tests/data/ia_full/interaction_seed.json"; }
teardown() { e2e_teardown; }

@test "every canonical contact field InterAction carries survives extract and transform" {
	oisync-extract interaction --user alice --full | oisync-transform --region US >"$D/out.jsonl"
	run jq -cS 'select(.type == "contact") | .data' "$D/out.jsonl"
	assert_success
	want='{"addresses":{"business":{"city":"New York","country":"US","postal_code":"10001","region":"NY","street":"1 Main St\nFloor 20"},"home":{"city":"Brooklyn","country":"US","postal_code":"11201","region":"NY","street":"2 Elm St"},"other":{"city":"Paris","country":"FR","postal_code":"75001","street":"3 Rue de Rivoli"}},"assistant":"Bob Byrne","categories":["Clients","VIP"],"company":"Acme LLP","custom":["key client","B","","D"],"department":"Tax","emails":[{"address":"ann.lee@acme.example","kind":"work"},{"address":"ann@home.example","kind":"home"},{"address":"a.lee@other.example","kind":"other"}],"first":"Ann","job_title":"Partner","last":"Lee","mailing_address":"home","middle":"B.","nickname":"Annie","notes":"Met at the tax conference.\nPrefers e-mail.","phones":{"assistant":"+12125550102;ext=7","business":"+12125550100","business2":"+12125550111","business_fax":"+12125550101","home":"+17185550123","home_fax":"+17185550124","mobile":"+12125550199","other":"+442079460958","pager":"+12125550103"},"prefix":"Dr.","private":true,"suffix":"Jr.","web":"https://acme.example"}'
	assert_equal "$output" "$(jq -cS . <<<"$want")"
	# Every unit InterAction carries is there (display, file_as, home2 and birthday it has not).
	run jq -r 'select(.type == "contact") | .data | [has("prefix","first","middle","last","suffix","nickname",
		"company","job_title","department","assistant","emails","phones","addresses","mailing_address",
		"web","notes","categories","custom","private")] | all' "$D/out.jsonl"
	assert_output true
	run jq -r 'select(.type == "checkpoint") | "\(.folder) \(.full)"' "$D/out.jsonl"
	assert_output "contacts true"
}

@test "InterAction appointments come out of transform canonical, with a hash" {
	e2e_teardown
	rm -rf "$D"
	e2e_setup "$ROOT/tests/data/ia_full/ews_seed.json" "$ROOT/tests/fakes/interaction/seed_example.json"
	oisync-extract interaction --user alice --folder calendar --full \
		--window-start 2000-01-01T00:00:00Z --window-end 2100-01-01T00:00:00Z | oisync-transform >"$D/out.jsonl"
	n=$(jq -s 'map(select(.type == "appointment")) | length' "$D/out.jsonl")
	[ "$n" -gt 0 ]
	# Canonical keys only (oisync-records(5), "CANONICAL APPOINTMENT DATA"), each record hashed.
	run jq -r 'select(.type == "appointment") | (.hash | startswith("sha256:")) and
		((.data | keys) - ["subject","start","end","all_day","time_zone","location","notes","organizer",
		  "attendees","categories","private","show_as","ical_uid","series","original_start","activity_type"] == [])
		and (.data | has("subject") and has("start") and has("end"))' "$D/out.jsonl"
	assert_success
	refute_output --partial false
	run jq -r 'select(.type == "checkpoint") | "\(.folder) \(.full)"' "$D/out.jsonl"
	assert_output "calendar true"
}
