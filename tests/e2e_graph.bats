#!/usr/bin/env bats
# e2e_graph.bats - Exchange Online over Microsoft Graph, end to end: oisync-run
# on a [server online] of type graph, beside the EWS server, with the same
# InterAction, the same users file and the same state folder.

load e2e_helper

GRAPH_SEED="$BATS_TEST_DIRNAME/data/demo/graph_seed.json"

setup_file() { e2e_graph_setup_file "$GRAPH_SEED"; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	# carol and dave are on Exchange Online; alice and bob stay on Exchange Server.
	printf '\n[user carol]\nmailbox = carol@firm.example\nserver = online\nenabled = yes\n' >>"$D/users.conf"
	printf '\n[user dave]\nmailbox = dave@firm.example\nserver = online\nenabled = yes\n' >>"$D/users.conf"
}

teardown() { e2e_teardown; }

# plain_only WHERE: skip under the sanitizers a test whose code runs under them
# elsewhere (WHERE says where), so make check stays under ten minutes on two
# cores (tests/helper.bash, sanitized_build). The Graph backend's reads,
# writes and faults run under ASan, with the leak check on, in
# extract_graph.bats; apply's batches here and in crash.bats.
plain_only() {
	! sanitized_build || skip "plain pass only: $1 runs this code under the sanitizers"
}

# gstat KEY: a counter of the Graph fake's /_fake/stats requests, 0 when absent.
gstat() {
	graph_ctl "$D" stats | jq --arg k "$1" '.requests[$k] // 0'
}

# The id of the Graph contact with this surname in MAILBOX.
graph_id() { # MAILBOX SURNAME
	graph_ctl "$D" "dump?mailbox=$1" |
		jq -r --arg s "$2" '[.contactFolders[].contacts[] | select(.surname == $s) | .id][0]'
}

@test "Graph: a first sync of two Exchange Online mailboxes, then a quiet run of one delta request each" {
	plain_only "extract_graph.bats"
	run oisync-run online
	assert_success
	assert_line --partial "online: 2 users, 2 ok, 0 failed"
	holdings >"$D/h1.json"
	# Same people on both sides: carol's Ivan Petrov is the firm's c-000005, linked, not made twice.
	run jq -c '[.mailboxes["carol@firm.example"], .mailboxes["dave@firm.example"]] |
		map([(.outlook | map(.name)), (.interaction | map(.name))])' "$D/h1.json"
	assert_output '[[["Hana Sato","Ivan Petrov","Sofia Lindqvist"],["Hana Sato","Ivan Petrov","Sofia Lindqvist"]],[["Ben Cole","Liam Murphy"],["Ben Cole","Liam Murphy"]]]'
	[ "$(jq .firm_contacts "$D/h1.json")" -eq 15 ]
	# The mailbox's sync record, in its folder, as over EWS.
	run graph_ctl "$D" "dump?mailbox=carol@firm.example"
	assert_equal "$(jq -r '.mailFolders[] | select(.displayName == "InterAction Sync") | .messages[0].subject' <<<"$output")" \
		"InterAction sync: last successful sync $(jq -r '.mailFolders[] | select(.displayName == "InterAction Sync") | .messages[0].singleValueExtendedProperties[] | select(.id | test("oisync-last-sync")) | .value' <<<"$output")"

	# The second run sees the contacts it made, with the display names Graph
	# gave them (InterAction has none): it records them, and changes no server.
	run oisync-run online
	assert_success
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	# Then nothing changed: each mailbox costs its delta round and nothing else
	# (no token request: the run's first one is kept in the state folder).
	graph_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-run online
	assert_success
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	run graph_ctl "$D" stats
	assert_equal "$(jq -c '.requests | to_entries | map(select(.key | startswith("GET") or startswith("POST") or startswith("PATCH") or startswith("DELETE"))) | from_entries' <<<"$output")" \
		'{"GET /users/{id}/contactFolders/{id}/contacts/delta":2}'
}

@test "Graph: Exchange Server and Exchange Online side by side, one InterAction" {
	plain_only "e2e.bats with extract_graph.bats"
	run oisync-run ex1
	assert_success
	run oisync-run online
	assert_success
	holdings >"$D/h.json"
	# Everyone's lists match their mailboxes, and no firm contact was made twice
	# (bob's and dave's Ben Cole is one firm contact).
	run jq -r '.mailboxes[] | [(.outlook|map(.email)|sort), (.interaction|map(.email)|sort)] | (.[0] == .[1])' "$D/h.json"
	assert_output $'true\ntrue\ntrue\ntrue'
	run ia_ctl "$D" dump
	assert_equal "$(jq '[.contacts[] | select(.last_name == "Cole")] | length' <<<"$output")" 1
	assert_equal "$(jq '[.contacts[] | select(.last_name == "Lindqvist")] | length' <<<"$output")" 1
}

@test "Graph: edits in Outlook and in InterAction cross over; a deletion in Outlook leaves the firm contact" {
	plain_only "extract_graph.bats with the batch test below"
	run oisync-run online
	assert_success
	graph_ctl "$D" edit "{\"mailbox\":\"carol@firm.example\",\"id\":\"$(graph_id carol@firm.example Lindqvist)\",\"set\":{\"jobTitle\":\"General Counsel\"}}" >/dev/null
	graph_ctl "$D" delete "{\"mailbox\":\"dave@firm.example\",\"id\":\"$(graph_id dave@firm.example Murphy)\"}" >/dev/null
	ia_ctl "$D" edit "{\"user\":\"carol\",\"contact_id\":\"$(ia_id Petrov)\",\"set\":{\"job_title\":\"Chairman\"}}" >/dev/null
	run oisync-run online
	assert_success
	assert_line --partial "carol@firm.example: ok: 0 create, 2 update, 0 delete"
	assert_line --partial "dave@firm.example: ok: 0 create, 0 update, 1 delete"
	holdings >"$D/h.json"
	assert_equal "$(jq -r '.mailboxes["carol@firm.example"] | [.outlook[], .interaction[]] | map(select(.name == "Sofia Lindqvist" or .name == "Ivan Petrov") | "\(.name): \(.job)") | unique | join(", ")' "$D/h.json")" \
		"Ivan Petrov: Chairman, Sofia Lindqvist: General Counsel"
	assert_equal "$(jq -c '.mailboxes["dave@firm.example"] | [(.outlook|map(.name)), (.interaction|map(.name))]' "$D/h.json")" \
		'[["Ben Cole"],["Ben Cole"]]'
	run ia_ctl "$D" dump
	assert_equal "$(jq '[.contacts[] | select(.last_name == "Murphy")] | length' <<<"$output")" 1
	# And a third run has nothing to do.
	run oisync-run online
	assert_success
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
}

@test "Graph: an expired delta link is a warning and a full read, never a duplicate or a deletion" {
	plain_only "extract_graph.bats (410)"
	run oisync-run online
	assert_success
	want=$(holdings)
	graph_ctl "$D" expire-delta '{}' >/dev/null
	run oisync-run online
	assert_success
	assert_output --partial "delta link rejected by Microsoft Graph (expired); reading the whole folder"
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	[ "$(holdings)" = "$want" ]
}

@test "Graph: oisync check gets a token and opens each enabled mailbox, the EWS server's too; one out of the app's scope is named, exit 77" {
	plain_only "exit_status.bats (oisync check)"
	run oisync check
	assert_success
	assert_line "user carol: mailbox carol@firm.example on [server online] opens"
	assert_line "user dave: mailbox dave@firm.example on [server online] opens"
	# The EWS server's users are opened too, and each user's InterAction list read.
	assert_line "user alice: mailbox alice@firm.example on [server ex1] opens"
	assert_line "user carol: InterAction list exists"
	# The fake's app may open carol's and dave's mailboxes only, as an
	# application access policy or RBAC for Applications scopes it: erin's
	# is in the tenant, out of the app's scope.
	jq '.users["erin@firm.example"] = {"displayName": "Erin Gray"}' "$GRAPH_SEED" >"$D/graph_seed.json"
	graph_ctl "$D" reset "{\"seed\": \"$D/graph_seed.json\"}" >/dev/null
	# InterAction knows her: her list is not what is wrong.
	jq '.users += [{"id": "erin", "name": "Erin Gray", "email": "erin@firm.example"}]' "${DEMO_SEEDS[1]}" >"$D/ia_seed.json"
	ia_ctl "$D" reset "{\"seed\": \"$D/ia_seed.json\"}" >/dev/null
	printf '\n[user erin]\nmailbox = erin@firm.example\nserver = online\nenabled = yes\n' >>"$D/users.conf"
	run oisync check
	assert_failure 77
	assert_output --partial "the app may not open mailbox erin@firm.example (an application access policy or RBAC for Applications must include it, and the app needs the permissions oisync.conf(5) lists)"
	assert_line --partial "user erin: mailbox erin@firm.example on [server online] cannot be used"
	# A wrong client secret: no token, and the check says so.
	sed -i '/^\[user erin\]/,$ s/^enabled = yes$/enabled = no/' "$D/users.conf"
	(umask 077; echo wrong >"$D/secrets/graph.secret")
	run oisync check
	assert_failure 77
	assert_output --partial "invalid_client"
	# A mailbox the tenant does not have is the users file's mistake.
	sed -i '/^\[user erin\]/,$ s/^enabled = no$/enabled = yes/; /^\[user erin\]/,$ s/^mailbox = .*/mailbox = nobody@firm.example/' "$D/users.conf"
	cp "$E2E_FAKES/secrets/graph.secret" "$D/secrets/graph.secret"
	run oisync check
	assert_failure 78
	assert_output --partial "mailbox nobody@firm.example is not one of the tenant's"
}

# carol's InterAction appointments and activities: [subject, start, status, participants linked]
carol_appointments() {
	ia_ctl "$D" dump | jq -c '[.appointments[] | select(.owner == "carol")] | sort_by(.start, .subject) |
		map([.subject, .start, .status, ([.attendees[]? | select(.contact_id or .user_id)] | length)])'
}

# event MAILBOX SUBJECT START END [JSON_EXTRA]: an event made in Outlook; its id
event() {
	graph_ctl "$D" create "{\"mailbox\":\"$1\",\"kind\":\"event\",\"item\":{\"subject\":\"$2\",
		\"start\":{\"dateTime\":\"$3\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"$4\",\"timeZone\":\"UTC\"}${5:+,$5}}}" | jq -r .id
}

@test "Graph calendar: meetings become appointments and activities; an edit, a move out of the window, a deletion follow" {
	day() { date -u -d "$1" +%Y-%m-%d; }
	sed -i '/^\[user carol\]/a calendar = on' "$D/users.conf"
	kickoff=$(event carol@firm.example "Kickoff" "$(day '+2 days')T15:00:00" "$(day '+2 days')T16:00:00" \
		'"attendees":[{"type":"required","emailAddress":{"name":"Ivan Petrov","address":"ivan@volga.example"}}]')
	event carol@firm.example "Debrief" "$(day yesterday)T09:00:00" "$(day yesterday)T09:30:00" >/dev/null
	review=$(event carol@firm.example "Review" "$(day '+5 days')T10:00:00" "$(day '+5 days')T11:00:00")
	drop=$(event carol@firm.example "Drinks" "$(day '+6 days')T18:00:00" "$(day '+6 days')T19:00:00")
	run oisync-run online
	assert_success
	assert_equal "$(carol_appointments)" \
		"[[\"Debrief\",\"$(day yesterday)T09:00:00Z\",\"activity\",0],[\"Kickoff\",\"$(day '+2 days')T15:00:00Z\",\"appointment\",1],[\"Review\",\"$(day '+5 days')T10:00:00Z\",\"appointment\",0],[\"Drinks\",\"$(day '+6 days')T18:00:00Z\",\"appointment\",0]]"

	# In Outlook: the kickoff renamed, the review moved a year out (past the
	# window: it leaves the sync, kept on both sides), the drinks deleted.
	graph_ctl "$D" edit "{\"mailbox\":\"carol@firm.example\",\"id\":\"$kickoff\",\"set\":{\"subject\":\"Kickoff (Volga)\"}}" >/dev/null
	graph_ctl "$D" edit "{\"mailbox\":\"carol@firm.example\",\"id\":\"$review\",\"set\":{\"start\":{\"dateTime\":\"$(day '+400 days')T10:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"$(day '+400 days')T11:00:00\",\"timeZone\":\"UTC\"}}}" >/dev/null
	graph_ctl "$D" delete "{\"mailbox\":\"carol@firm.example\",\"id\":\"$drop\"}" >/dev/null
	run oisync-run online
	assert_success
	assert_equal "$(carol_appointments)" \
		"[[\"Debrief\",\"$(day yesterday)T09:00:00Z\",\"activity\",0],[\"Kickoff (Volga)\",\"$(day '+2 days')T15:00:00Z\",\"appointment\",1],[\"Review\",\"$(day '+5 days')T10:00:00Z\",\"appointment\",0]]"
	# The calendar's second round was a delta, not the window read again.
	graph_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-run online
	assert_success
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	run graph_ctl "$D" stats
	assert_equal "$(jq '.requests["GET /users/{id}/calendarView/delta"]' <<<"$output")" 1
}

@test "Graph writes go 20 to a \$batch: 25 contacts made in dave's Outlook in 4 round trips, an edit in between a conflict, none twice" {
	for i in $(seq -w 1 25); do
		ia_ctl "$D" add "{\"user\":\"dave\",\"contact\":{\"first_name\":\"Test$i\",\"last_name\":\"Person\",\"emails\":{\"business\":\"t$i@batch.example\"}}}" >/dev/null
	done
	sed -i '/^\[user carol\]/,/^\[/ s/^enabled = yes$/enabled = no/' "$D/users.conf"
	run oisync-run online
	assert_success
	assert_line --partial "dave@firm.example: ok: 26 create"
	run graph_ctl "$D" stats
	# Looking for the 25 tags takes two batches (20 + 5), making them two more
	# (with Ben Cole's update); one at a time, the 25 creates would take 50 round trips.
	assert_equal "$(jq -c '[.batch.batches, .batch.requests, (.requests["POST /users/{id}/contacts"] // 0)]' <<<"$output")" '[4,51,25]'
	assert_equal "$(graph_ctl "$D" "dump?mailbox=dave@firm.example" | jq '[.contactFolders[].contacts[]] | length')" 27
	run oisync-run online
	assert_success
	run oisync-run online
	assert_success
	assert_line --partial "online: 1 users, 1 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"

	# Three InterAction edits go to Outlook in one batch. Between reconcile and
	# apply, Outlook's owner edits one of them: inside the batch its update is a
	# 412, a conflict; the others land; the next run merges the two edits.
	for id in $(ia_ctl "$D" dump | jq -r '.contacts | to_entries[] | select(.value.first_name | test("^Test0[123]$")) | .key'); do
		ia_ctl "$D" edit "{\"user\":\"dave\",\"contact_id\":\"$id\",\"set\":{\"job_title\":\"Batched\"}}" >/dev/null
	done
	{ oisync-extract exchange --mailbox dave@firm.example --server online && oisync-extract interaction --user dave; } |
		oisync-transform | oisync-reconcile --server online --account dave@firm.example --user dave >"$D/cs.jsonl"
	assert_equal "$(jq -s '[.[] | select(.type == "op" and .action == "update")] | length' "$D/cs.jsonl")" 3
	oid=$(graph_ctl "$D" "dump?mailbox=dave@firm.example" | jq -r '[.contactFolders[].contacts[] | select(.givenName == "Test02")][0].id')
	graph_ctl "$D" edit "{\"mailbox\":\"dave@firm.example\",\"id\":\"$oid\",\"set\":{\"mobilePhone\":\"+1 555 0102\"}}" >/dev/null
	graph_ctl "$D" stats/reset '{}' >/dev/null
	run oisync-apply "$D/cs.jsonl"
	assert_failure 1
	assert_output --partial "2 ok, 0 already done, 1 conflicts, 0 failed"
	assert_equal "$(graph_ctl "$D" stats | jq -c '[.batch.batches, .batch.requests]')" '[1,3]'
	run oisync-run online
	assert_success
	run graph_ctl "$D" "dump?mailbox=dave@firm.example"
	assert_equal "$(jq -c '[.contactFolders[].contacts[] | select(.givenName | test("^Test0[123]$")) | [.givenName, .jobTitle, .mobilePhone]] | sort' <<<"$output")" \
		'[["Test01","Batched",null],["Test02","Batched","+1 555 0102"],["Test03","Batched",null]]'
}

@test "Graph: deleting the InterAction Sync folder makes the next run match afresh; a lost state re-matches; nothing twice" {
	plain_only "syncinfo.bats with extract_graph.bats"
	sed -i '/^\[user dave\]/,/^\[/ s/^enabled = yes$/enabled = no/' "$D/users.conf"
	db="$D/state/online/carol@firm.example.db"
	run oisync-run online
	assert_success
	run oisync-run online
	assert_success
	want=$(holdings)
	# The user deletes the folder; a quiet run finds out when it next writes the record.
	folder=$(graph_ctl "$D" "dump?mailbox=carol@firm.example" | jq -r '.mailFolders[] | select(.displayName == "InterAction Sync") | .messages[0].id')
	graph_ctl "$D" delete "{\"mailbox\":\"carol@firm.example\",\"id\":\"$folder\"}" >/dev/null
	sqlite3 "$db" "update meta set value = '2000-01-01T00:00:00Z' where key = 'syncinfo_written'"
	run oisync-run online
	assert_success
	assert_output --partial '"InterAction Sync" folder is gone: the next run matches Outlook and InterAction afresh'
	run oisync-run online
	assert_success
	grep -q '"first_sync":true' "$(last_changes carol)"
	[ "$(server_ops_in "$(last_changes carol)")" -eq 0 ]
	[ "$(holdings)" = "$want" ]
	# The state lost: the full read finds the sync record again, and matches by content.
	rm -f "$db"*
	run oisync-run online
	assert_success
	[ "$(server_ops_in "$(last_changes carol)")" -eq 0 ]
	[ "$(holdings)" = "$want" ]
}

@test "Graph: a mailbox moved from Exchange Server to Exchange Online, its user moved to [server online], is linked again, never duplicated" {
	plain_only "syncinfo.bats with extract_graph.bats"
	# alice synced over EWS; then her mailbox moves: Exchange Online holds the
	# same contacts (new ids, the EWS op-id tags kept), and the users file says so.
	run oisync-run -u alice ex1
	assert_success
	ia_before=$(ia_ctl "$D" dump | jq -c '[.contacts | length, (.lists.alice | length)]')
	ews_ctl "$D" "dump?mailbox=alice@firm.example" | jq -c '[.contacts[] | {givenName: .GivenName, surname: .Surname,
		companyName: .CompanyName, jobTitle: .JobTitle, personalNotes: .Body, categories: (.Categories // []),
		emailAddresses: [.EmailAddresses // {} | to_entries[] | {address: .value}],
		businessPhones: [.PhoneNumbers.BusinessPhone // empty], mobilePhone: .PhoneNumbers.MobilePhone,
		businessAddress: ((.PhysicalAddresses.Business // {}) | {city: .City, countryOrRegion: .CountryOrRegion} |
			with_entries(select(.value != null)))} | with_entries(select(.value != null))]' >"$D/moved.json"
	jq --slurpfile c "$D/moved.json" '.users["alice@firm.example"] = {"displayName": "Alice Smith", "contacts": $c[0]} |
		.apps[].mailboxes += ["alice@firm.example"]' "$GRAPH_SEED" >"$D/graph_moved.json"
	graph_ctl "$D" reset "{\"seed\": \"$D/graph_moved.json\"}" >/dev/null
	sed -i '/^\[user alice\]/,/^\[/ s/^server = ex1$/server = online/' "$D/users.conf"
	run oisync-run -u alice online
	assert_success
	grep -q '"first_sync":true' "$(last_changes alice)"
	# Linked by content: nothing made on either side, nothing deleted.
	[ "$(server_ops_in "$(last_changes alice)")" -eq 0 ] || { cat "$(last_changes alice)"; false; }
	assert_equal "$(ia_ctl "$D" dump | jq -c '[.contacts | length, (.lists.alice | length)]')" "$ia_before"
	assert_equal "$(graph_ctl "$D" "dump?mailbox=alice@firm.example" | jq '[.contactFolders[].contacts[]] | length')" \
		"$(jq length "$D/moved.json")"
}
