#!/usr/bin/env bats
# apply.bats - oisync-apply on its own: dry run, replay, bad input, conflicts.

load e2e_helper
# apply's own suite keeps LeakSanitizer's exit check (e2e_helper.bash turns it off).
export ASAN_OPTIONS=detect_leaks=1

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	# alice's first change set, made by the stages by hand.
	{ oisync-extract exchange --mailbox alice@firm.example && oisync-extract interaction --user alice; } |
		oisync-transform | oisync-reconcile --server ex1 --account alice@firm.example --user alice >"$D/cs.jsonl"
	DB="$D/state/ex1/alice@firm.example.db"
}
teardown() { e2e_teardown; }

# Requests the fakes saw that change something.
writes() {
	{ ews_ctl "$D" stats; echo; ia_ctl "$D" stats; } |
		jq -s '(.[0].operations | to_entries | map(select(.key | test("CreateItem|UpdateItem|DeleteItem"))) | map(.value) | add // 0)
		     + (.[1].requests | to_entries | map(select(.key | test("^(POST|PUT|PATCH|DELETE) /api"))) | map(.value) | add // 0)'
}

@test "--dry-run says what it would do in words and changes nothing" {
	before=$(writes)
	run oisync-apply --dry-run "$D/cs.jsonl"
	assert_success
	assert_line --partial "would create contact in InterAction: Ann Lee <ann.lee@acme.example> - new in Outlook"
	assert_line --partial "would pair the Outlook and InterAction contact: Erik Nilsson"
	[ "$(writes)" = "$before" ]
	[ ! -e "$DB" ]
}

@test "a replayed change set skips what is done and commits no checkpoint" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	tokens=$(sqlite3 "$DB" 'select side, token from checkpoints order by side')
	[ -n "$tokens" ]
	sqlite3 "$DB" "delete from checkpoints"
	before=$(writes)
	run oisync-apply --replay "$D/cs.jsonl"
	assert_success
	# Server ops are skipped; link ops (state only) are simply done again.
	n=$(server_ops_in "$D/cs.jsonl")
	[ "$n" -gt 0 ]
	[ "$(grep -c '"status":"skipped"' <<<"$output")" -eq "$n" ]
	[ "$(writes)" = "$before" ]
	[ -z "$(sqlite3 "$DB" 'select * from checkpoints')" ]
}

@test "a bad line stops apply with 65 naming it before any server call; nothing is recorded" {
	# The bad line comes right after the first op that changes a server.
	k=$(grep -nE '"action":"(create|update|delete)"' "$D/cs.jsonl" | head -n 1 | cut -d: -f1)
	{ head -n "$k" "$D/cs.jsonl"; echo '{"type":"op","op_id":"x"'; tail -n +$((k + 1)) "$D/cs.jsonl"; } >"$D/bad.jsonl"
	before=$(writes)
	run oisync-apply "$D/bad.jsonl"
	assert_failure 65
	assert_output --partial "bad.jsonl:$((k + 1)): invalid JSON"
	[ "$(writes)" = "$before" ]
	[ ! -e "$DB" ] || [ "$(sqlite3 "$DB" "select count(*) from applied")" -eq 0 ]
	# Run again with the good file: everything is done, nothing was done before.
	run oisync-apply "$D/cs.jsonl"
	assert_success
	[ "$(grep -c '"status":"skipped"' <<<"$output")" -eq 0 ]
	[ -n "$(sqlite3 "$DB" 'select * from checkpoints')" ]
}

@test "an op whose item moved on is a conflict: nothing overwritten, exit 1, checkpoints kept back" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	id=$(ia_id Nilsson)
	# reconcile read version N; InterAction moves on before apply runs.
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$id\",\"set\":{\"job_title\":\"General Counsel\"}}" >/dev/null
	ver=$(sqlite3 "$DB" "select interaction_version from pairs where interaction_id = '$id'")
	hdr=$(head -n 1 "$D/cs.jsonl")
	op=$(jq -c --arg id "$id" --arg v "$ver" -n '{type:"op",op_id:"sha256:test-conflict",action:"update",target:"interaction",kind:"contact",pair:"p-x",id:$id,if_version:$v,data:{first:"Erik",last:"Nilsson",job_title:"Partner"},fields:["job_title"],reason:"test"}')
	cp=$(grep '"type":"checkpoint"' "$D/cs.jsonl" | head -n 1 | jq -c '.token = "moved"')
	printf '%s\n%s\n%s\n' "$hdr" "$op" "$cp" >"$D/conflict.jsonl"
	run oisync-apply "$D/conflict.jsonl"
	assert_failure 1
	assert_line --partial '"status":"conflict"'
	run jq -r --arg id "$id" '.contacts[$id].job_title' <<<"$(ia_ctl "$D" dump)"
	assert_output "General Counsel"
	[ "$(sqlite3 "$DB" "select count(*) from checkpoints where token = 'moved'")" -eq 0 ]
}

@test "an update's words for people (old, conflicts, source_modified) are not read: the version is the only precondition" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	id=$(ia_id Nilsson)
	ver=$(sqlite3 "$DB" "select interaction_version from pairs where interaction_id = '$id'")
	pair=$(sqlite3 "$DB" "select pair_id from pairs where interaction_id = '$id'")
	hdr=$(head -n 1 "$D/cs.jsonl")
	# An old value that is not the server's: apply neither checks it nor writes it.
	op=$(jq -c --arg id "$id" --arg v "$ver" --arg p "$pair" -n '{type:"op",op_id:"sha256:test-old",action:"update",target:"interaction",kind:"contact",pair:$p,id:$id,if_version:$v,data:{first:"Erik",last:"Nilsson",job_title:"Senior Partner"},fields:["job_title"],old:{job_title:"not what InterAction holds"},conflicts:["job_title"],source_modified:"2026-12-03T03:58:00Z",reason:"test"}')
	printf '%s\n%s\n' "$hdr" "$op" >"$D/old.jsonl"
	run oisync-apply "$D/old.jsonl"
	assert_success
	assert_line --partial '"status":"ok"'
	run jq -r --arg id "$id" '.contacts[$id].job_title' <<<"$(ia_ctl "$D" dump)"
	assert_output "Senior Partner"
}

@test "input that is not a change set is refused with 65" {
	printf '{"type":"contact","side":"exchange","account":"a","id":"1","op":"delete"}\n' >"$D/notcs.jsonl"
	run oisync-apply "$D/notcs.jsonl"
	assert_failure 65
	assert_output --partial 'notcs.jsonl:1: a change set starts with a "changeset" record'
	run oisync-apply </dev/null
	assert_failure 65
	assert_output --partial "empty change set"
}

@test "an InterAction create costs its look-ups, the POST and the PUT onto the list: the PUT's reply is the user view, not read again" {
	jq -c 'select(.type != "op" or (.action == "create" and .target == "interaction"))' "$D/cs.jsonl" >"$D/creates.jsonl"
	n=$(ops_in "$D/creates.jsonl")
	[ "$n" -ge 2 ]
	ia_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/creates.jsonl"
	assert_success
	run ia_ctl "$D" stats
	# One PUT per create, and no GET of a user's contact after it.
	assert_equal "$(jq -c --argjson n "$n" '[(.requests["PUT /api/v1/users/{uid}/contacts/{id}"] // 0) == $n,
		.requests["GET /api/v1/users/{uid}/contacts/{id}"] // 0]' <<<"$output")" '[true,0]'
	# What the state holds for each is the list entry's id and version, as a read gives them.
	oisync-extract interaction --user alice --full | jq -r 'select(.type == "contact") | "\(.id) \(.version)"' | sort >"$D/read.txt"
	sqlite3 "$DB" "select interaction_id || ' ' || interaction_version from pairs where exchange_id is not null and op_id is not null" |
		sort >"$D/state.txt"
	[ "$(wc -l <"$D/state.txt")" -ge "$n" ]
	run comm -23 "$D/state.txt" "$D/read.txt"
	assert_output ""
}

@test "Outlook creates go up to 50 to a request: their tags looked for in one FindItem, the items made in one CreateItem" {
	jq -c 'select(.type != "op" or (.action == "create" and .target == "exchange"))' "$D/cs.jsonl" >"$D/creates.jsonl"
	n=$(ops_in "$D/creates.jsonl")
	[ "$n" -ge 2 ]
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/creates.jsonl"
	assert_success
	assert_output --partial "$n ok, 0 already done, 0 conflicts, 0 failed"
	# One at a time that was n FindItems and n CreateItems; the one more of
	# each is the mailbox's sync record, looked for and made.
	run ews_ctl "$D" stats
	assert_equal "$(jq -c '[.operations.FindItem, .operations.CreateItem]' <<<"$output")" '[2,2]'
	# Each made once, with the id and ChangeKey the state now holds.
	assert_equal "$(sqlite3 "$DB" "select count(distinct exchange_id) from pairs where op_id is not null and exchange_id is not null")" "$n"
	run oisync-apply "$D/creates.jsonl"
	assert_output --partial "0 ok, $n already done"
}

# pair_ops ACTION: a hand-made change set ($D/many.jsonl, at the state's
# generation) of one ACTION (update or delete) of every paired Outlook
# contact, each at the version the state holds; prints how many.
pair_ops() {
	local gen
	gen=$(sqlite3 "$DB" "select value from meta where key = 'generation'")
	{
		printf '{"type":"changeset","account":"alice@firm.example","server":"ex1","created":"2026-11-24T10:00:00Z","state":%s}\n' "$gen"
		sqlite3 -json "$DB" "select pair_id, exchange_id, exchange_version, base from pairs
			where kind = 'contact' and exchange_id is not null and interaction_id is not null order by pair_id" |
			jq -c --arg a "$1" '.[] | {type: "op", op_id: ("sha256:many-" + $a + "-" + .pair_id), action: $a,
				target: "exchange", kind: "contact", pair: .pair_id, id: .exchange_id, if_version: .exchange_version,
				reason: "test"}
				+ (if $a == "update" then {data: ((.base | fromjson) + {job_title: ("Title of " + .pair_id)}), fields: ["job_title"]} else {} end)'
	} >"$D/many.jsonl"
	ops_in "$D/many.jsonl"
}

@test "Outlook updates go write_batch to an UpdateItem, each item with its own answer: a stale one fails no other" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	sed -i '/^\[server ex1\]/a write_batch = 2' "$D/oisync.conf"
	n=$(pair_ops update)
	[ "$n" -ge 3 ]
	# The second item was edited in Outlook since: its update is refused, alone.
	stale=$(jq -r 'select(.type == "op") | .id' "$D/many.jsonl" | sed -n 2p)
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$stale\",\"set\":{\"Department\":\"Edited\"}}" >/dev/null
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/many.jsonl"
	assert_failure 1
	assert_output --partial "$((n - 1)) ok, 0 already done, 1 conflicts, 0 failed"
	# One UpdateItem per two items, nothing else.
	run ews_ctl "$D" stats
	assert_equal "$(jq -c '.operations' <<<"$output")" "{\"UpdateItem\":$(((n + 1) / 2))}"
	run ews_ctl "$D" "dump?mailbox=alice@firm.example"
	assert_equal "$(jq '[.contacts[] | select(.JobTitle // "" | startswith("Title of "))] | length' <<<"$output")" "$((n - 1))"
	assert_equal "$(jq -r --arg id "$stale" '.contacts[] | select(.ItemId.Id == $id) | .JobTitle // "" | startswith("Title of ")' <<<"$output")" false
	# Each ok update's new ChangeKey is what the state holds now.
	ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq -r '.contacts[] | "\(.ItemId.Id) \(.ItemId.ChangeKey)"' | sort >"$D/outlook.txt"
	sqlite3 "$DB" "select exchange_id || ' ' || exchange_version from pairs where exchange_id is not null and exchange_id != '$stale'" |
		sort >"$D/state.txt"
	run comm -23 "$D/state.txt" "$D/outlook.txt"
	assert_output ""
}

@test "Outlook deletes: their ChangeKeys read in one GetItem, the items deleted in one DeleteItem, per write_batch" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	sed -i '/^\[server ex1\]/a write_batch = 2' "$D/oisync.conf"
	n=$(pair_ops delete)
	[ "$n" -ge 4 ]
	# The first was edited in Outlook since (edit beats delete: a conflict); the third is gone already (done).
	edited=$(jq -r 'select(.type == "op") | .id' "$D/many.jsonl" | sed -n 1p)
	gone=$(jq -r 'select(.type == "op") | .id' "$D/many.jsonl" | sed -n 3p)
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$edited\",\"set\":{\"Department\":\"Edited\"}}" >/dev/null
	ews_ctl "$D" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$gone\"}" >/dev/null
	ews_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/many.jsonl"
	assert_failure 1
	assert_output --partial "$((n - 1)) ok, 0 already done, 1 conflicts, 0 failed"
	# Per two items one GetItem and one DeleteItem (each batch has one to delete), nothing else.
	b=$(((n + 1) / 2))
	run ews_ctl "$D" stats
	assert_equal "$(jq -c '[.operations.GetItem, .operations.DeleteItem, (.operations | length)]' <<<"$output")" "[$b,$b,2]"
	# Only the edited one is left of them.
	run ews_ctl "$D" "dump?mailbox=alice@firm.example"
	left=$(jq -r '.contacts[].ItemId.Id' <<<"$output")
	for id in $(jq -r 'select(.type == "op") | .id' "$D/many.jsonl"); do
		if [ "$id" = "$edited" ]; then grep -qx "$id" <<<"$left"; else ! grep -qx "$id" <<<"$left"; fi
	done
}

# commits: how many transactions the last oisync-apply -v committed to the state.
commits() {
	sed -n 's/.*the state: \([0-9]*\) commits.*/\1/p' <<<"$output"
}

@test "links and unlinks (state only) commit together: one sync to disk for a run of them, not one each" {
	jq -c 'select(.type == "changeset" or .action == "link")' "$D/cs.jsonl" >"$D/links.jsonl"
	n=$(ops_in "$D/links.jsonl")
	[ "$n" -ge 3 ]
	run oisync-apply -v "$D/links.jsonl"
	assert_success
	assert_output --partial "$n ok, 0 already done, 0 conflicts, 0 failed"
	many=$(commits)
	[ "$(sqlite3 "$DB" "select count(*) from pairs where exchange_id is not null and interaction_id is not null")" -eq "$n" ]
	# The same with one link, on a new state: as many commits.
	rm -f "$DB" "$DB"-*
	head -n 2 "$D/links.jsonl" >"$D/one.jsonl"
	run oisync-apply -v "$D/one.jsonl"
	assert_success
	assert_output --partial "1 ok, 0 already done"
	[ "$(commits)" -eq "$many" ]
	[ "$many" -le 3 ]
}

@test "links among ops that are sent are recorded together too: the first sync's links cost one commit" {
	run oisync-apply -v "$D/cs.jsonl"
	assert_success
	all=$(commits)
	# Reconcile mixes the links with the creates; without the links, one commit fewer.
	grep -v '"action":"link"' "$D/cs.jsonl" >"$D/nolinks.jsonl"
	[ "$(ops_in "$D/nolinks.jsonl")" -lt "$(ops_in "$D/cs.jsonl")" ]
	ews_ctl "$D" reset "{\"seed\": \"${DEMO_SEEDS[0]}\"}" >/dev/null
	ia_ctl "$D" reset "{\"seed\": \"${DEMO_SEEDS[1]}\"}" >/dev/null
	rm -f "$DB" "$DB"-*
	run oisync-apply -v "$D/nolinks.jsonl"
	assert_success
	[ "$(commits)" -eq $((all - 1)) ]
}

# outlook_people PREFIX N [ADDRESS]: N new Outlook contacts of alice's,
# PREFIX1..PREFIXN, each with its own e-mail address (or all with ADDRESS,
# in the case of each one's number: the same address to InterAction); then
# the change set of what is new ($D/new.jsonl); prints its InterAction creates.
outlook_people() {
	local i mail
	for i in $(seq "$2"); do
		mail=${3:-$1$i@people.example}
		[ -z "${3:-}" ] || { [ $((i % 2)) = 1 ] && mail=${mail^^} || mail=${mail,,}; }
		ews_ctl "$D" create "{\"mailbox\":\"alice@firm.example\",\"contact\":{\"GivenName\":\"$1\",\"Surname\":\"$1$i\",\"EmailAddresses\":{\"EmailAddress1\":\"$mail\"}}}" >/dev/null
	done
	{ oisync-extract exchange --mailbox alice@firm.example && oisync-extract interaction --user alice; } |
		oisync-transform | oisync-reconcile --server ex1 --account alice@firm.example --user alice >"$D/new.jsonl"
	jq -c 'select(.type == "op" and .action == "create" and .target == "interaction")' "$D/new.jsonl" | wc -l
}

# firm_with ADDRESS: how many InterAction firm contacts have that e-mail address (any case).
firm_with() {
	ia_ctl "$D" dump | jq --arg a "${1,,}" '[.contacts[] | select([.emails[] | ascii_downcase] | index($a))] | length'
}

@test "InterAction writes go write_concurrency at once, never more: the requests of one by one, each op its own answer" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	sed -i '/^\[interaction\]/a write_concurrency = 4' "$D/oisync.conf"
	[ "$(outlook_people Wide 12)" = 12 ]
	ia_ctl "$D" stats/reset '{}' >/dev/null
	# The first four requests wait until all four are in flight: a client that sent fewer at once would time out there.
	ia_ctl "$D" barrier '{"parties": 4, "timeout_s": 60}' >/dev/null
	run oisync-apply "$D/new.jsonl"
	assert_success
	assert_output --partial "12 ok, 0 already done, 0 conflicts, 0 failed"
	run ia_ctl "$D" stats
	assert_equal "$(jq -c '[.in_flight_max, .barrier_met, .barrier_timeouts]' <<<"$output")" '[4,1,0]'
	# As one by one: per create its tag and its address looked up, the POST, the PUT onto the list.
	assert_equal "$(jq -c '.requests | [.["GET /api/v1/contacts"], .["POST /api/v1/contacts"], .["PUT /api/v1/users/{uid}/contacts/{id}"]]' <<<"$output")" '[24,12,12]'
	for i in $(seq 12); do [ "$(firm_with "wide$i@people.example")" = 1 ]; done
	# Every op's own answer is in the state: the id of its own contact.
	assert_equal "$(sqlite3 "$DB" "select count(distinct interaction_id) from pairs where exchange_id in
		(select exchange_id from pairs) and interaction_id is not null and op_id like 'sha256:%'" )" \
		"$(sqlite3 "$DB" "select count(*) from pairs where interaction_id is not null and op_id like 'sha256:%'")"
	# write_concurrency = 1: one at a time.
	sed -i 's/^write_concurrency = 4$/write_concurrency = 1/' "$D/oisync.conf"
	[ "$(outlook_people Narrow 3)" = 3 ]
	ia_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/new.jsonl"
	assert_success
	assert_equal "$(ia_ctl "$D" stats | jq -c '[.in_flight_max, .requests["POST /api/v1/contacts"]]')" '[1,3]'
}

@test "a busy InterAction mid-batch: one wait for the batch, then half as many at once; nothing lost, nothing made twice" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	sed -i '/^\[interaction\]/a write_concurrency = 4' "$D/oisync.conf"
	[ "$(outlook_people Busy 12)" = 12 ]
	ia_ctl "$D" stats/reset '{}' >/dev/null
	# The 15th request (an e-mail look-up, after the 12 tag look-ups) is told to come back in a second.
	ia_ctl "$D" faults '{"http_status": {"code": 429, "retry_after": 1, "skip": 14}}' >/dev/null
	OISYNC_TEST_SLEEP_LOG="$D/waits" run oisync-apply -v "$D/new.jsonl"
	assert_success
	assert_output --partial "12 ok, 0 already done, 0 conflicts, 0 failed"
	assert_output --partial "[interaction] is busy: 2 requests at once from now on"
	# One wait, the server's, for the whole batch; the one request throttled sent again, no other.
	assert_equal "$(cat "$D/waits")" 1000
	run ia_ctl "$D" stats
	assert_equal "$(jq -c '[.status["429"], .requests["GET /api/v1/contacts"], .requests["POST /api/v1/contacts"], .in_flight_max <= 4]' <<<"$output")" '[1,25,12,true]'
	for i in $(seq 12); do [ "$(firm_with "busy$i@people.example")" = 1 ]; done
}

@test "an InterAction that stays busy mid-batch stops the run with 75; the rerun makes what is missing, nothing twice" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	sed -i '/^\[interaction\]/a write_concurrency = 4' "$D/oisync.conf"
	sed -i '/^\[interaction\]/,/^\[/ s/^retries = .*/retries = 1/' "$D/oisync.conf"
	[ "$(outlook_people Stuck 12)" = 12 ]
	ia_ctl "$D" stats/reset '{}' >/dev/null
	# Past the look-ups, in the creates: every request answered 503.
	ia_ctl "$D" faults '{"http_status": {"code": 503, "rate": 1.0, "skip": 30}}' >/dev/null
	OISYNC_TEST_SLEEP_LOG="$D/waits" run oisync-apply "$D/new.jsonl"
	assert_failure 75
	made=$(ia_ctl "$D" stats | jq '.requests["POST /api/v1/contacts"]')
	# The creates stop at the first refusal: at most those in flight with it were sent.
	[ "$made" -ge 6 ] && [ "$made" -le 10 ]
	ia_ctl "$D" faults '{}' >/dev/null
	run oisync-apply "$D/new.jsonl"
	assert_success
	for i in $(seq 12); do [ "$(firm_with "stuck$i@people.example")" = 1 ]; done
	# Each person once on alice's list, and in the state.
	assert_equal "$(ia_ctl "$D" dump | jq '[.lists.alice[] | select(.id as $id | true)] | length')" \
		"$(sqlite3 "$DB" "select count(*) from pairs where kind = 'contact' and interaction_id is not null")"
}

@test "two creates of one batch with one e-mail address (in two cases) make one firm contact: the second finds the first's" {
	run oisync-apply "$D/cs.jsonl"
	assert_success
	sed -i '/^\[interaction\]/a write_concurrency = 8' "$D/oisync.conf"
	[ "$(outlook_people Twin 2 twin@people.example)" = 2 ]
	ia_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/new.jsonl"
	[ "$(firm_with twin@people.example)" = 1 ]
	# As one by one: the second create adopts the first's contact, which its pair cannot also hold (exit 1, the next run matches it).
	assert_failure 1
	assert_output --partial "is already paired as"
	assert_equal "$(ia_ctl "$D" stats | jq '.requests["POST /api/v1/contacts"]')" 1
}
