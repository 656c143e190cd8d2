#!/usr/bin/env bats
# e2e_calendar.bats - meetings a real EWS client writes, through oisync-run, into InterAction.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	# Calendar sync for alice only; a window wide enough for next March's series.
	sed -i '/^\[user alice\]/a calendar = on' "$D/users.conf"
	printf 'calendar_future_days = 500\nappointment_types = Calls -> Call\n' >>"$D/oisync.conf"
}
teardown() { e2e_teardown; }

meetings() { # create|edit
	"$PYTHON" "$ROOT/tests/clients/exchangelib_meetings.py" "$(cat "$D/ews.url")/EWS/Exchange.asmx" \
		"$D/secrets/ews-credentials" "$1"
}

# alice's InterAction appointments and activities, as the reference server holds them
ia_appointments() {
	ia_ctl "$D" dump | jq -c '[.appointments[] | select(.owner == "alice")] | sort_by(.start, .subject)'
}

# appointment SUBJECT: the one InterAction item with that subject (fails on none or several)
appointment() {
	ia_appointments | jq -ce --arg s "$1" '[.[] | select(.subject == $s)] | if length == 1 then .[0] else error("\(length) items") end'
}

@test "a real client's meetings reach InterAction at the right instants, typed, linked, completed; edits follow; a third run is quiet" {
	meetings create >"$D/want.json"
	run oisync-run -j 1 ex1
	assert_success
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed"

	# A meeting with attendees, in New York time: its UTC instants, its zone, the default type.
	run jq -r '[.start, .end, .time_zone, .type, .status] | join(" ")' <<<"$(appointment "Acme kickoff")"
	assert_output "$(jq -r '.["Acme kickoff"] | [.start, .end, .time_zone, "Meeting", "appointment"] | join(" ")' "$D/want.json")"
	# Participants: the firm contact matched by e-mail is linked; nobody is created for the stranger.
	firm_before=$(ia_ctl "$D" dump | jq '.contacts | length')
	run jq -r '.attendees[] | [.email, .contact_id // "-", .user_id // "-"] | join(" ")' <<<"$(appointment "Acme kickoff")"
	assert_line --regexp '^erik.nilsson@nordvik.example c-[0-9]+ -$'
	assert_line "bob@firm.example - bob"
	assert_line "visitor@elsewhere.example - -"
	run jq -r '[.organizer, .organizer_user_id] | join(" ")' <<<"$(appointment "Acme kickoff")"
	assert_output "alice@firm.example alice"
	# The stranger is kept in the notes, after the meeting's own.
	run jq -r .notes <<<"$(appointment "Acme kickoff")"
	assert_output "$(printf 'Scope and fees.\n\nOther attendees (not in InterAction):\nA Visitor <visitor@elsewhere.example>')"

	# The all-day event keeps its Sydney date: no UTC shift to the day before.
	run jq -r '[.all_day, .start, .end, .time_zone] | join(" ")' <<<"$(appointment "Sydney offsite")"
	assert_output "$(jq -r '.["Sydney offsite"] | [true, .start, .end, .time_zone] | join(" ")' "$D/want.json")"

	# The Berlin series across the change to summer time: three occurrences (one
	# moved, one deleted), each at its own UTC instant, tied to one series.
	run jq -cS '[.[] | select(.subject == "Berlin jour fixe") | {start, original_start, time_zone}]' <<<"$(ia_appointments)"
	assert_output "$(jq -cS '.["Berlin jour fixe"] | .time_zone as $z | .occurrences | map(. + {time_zone: $z})' "$D/want.json")"
	run jq -r '[.[] | select(.subject == "Berlin jour fixe") | .series] | (unique | length), (.[0] != "")' <<<"$(ia_appointments)"
	assert_output $'1\ntrue'

	# The private meeting stays in Outlook.
	run jq -r '.[] | select(.subject == "Doctor") | .id' <<<"$(ia_appointments)"
	assert_output ""

	# Yesterday's call is a completed activity of the type its category maps to.
	run jq -r '[.start, .status, .type] | join(" ")' <<<"$(appointment "Yesterday's call")"
	assert_output "$(jq -r '.["Yesterday'"'"'s call"] | [.start, .status, .type] | join(" ")' "$D/want.json")"

	# Edits in Outlook move over; an edit in InterAction stays there (the calendar follows Outlook).
	meetings edit
	kickoff=$(appointment "Acme kickoff" | jq -r .id)
	ia_ctl "$D" appointment-edit "{\"id\":\"$kickoff\",\"set\":{\"location\":\"Acme HQ, 5th floor\"}}" >/dev/null
	run oisync-run -j 1 ex1
	assert_success
	run jq -r '[.subject, .location] | join(" | ")' <<<"$(appointment "Acme kickoff (agenda)")"
	assert_output "Acme kickoff (agenda) | Acme HQ, 5th floor"
	run jq -r '.[] | select(.subject == "Sydney offsite") | .id' <<<"$(ia_appointments)"
	assert_output ""
	assert_equal "$(ia_ctl "$D" dump | jq '.contacts | length')" "$firm_before"

	# A quiet third run: no op, one change-tracking request per folder per side.
	ews_ctl "$D" stats >"$D/ews0.json"
	ia_ctl "$D" stats >"$D/ia0.json"
	run oisync-run -j 1 ex1
	assert_success
	assert_line --partial "0 created, 0 updated, 0 deleted"
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
	ews_ctl "$D" stats >"$D/ews1.json"
	ia_ctl "$D" stats >"$D/ia1.json"
	# alice's contacts and calendar and bob's contacts: one SyncFolderItems each;
	# InterAction's one change feed per user carries both of alice's folders.
	run jq -cnS --slurpfile a "$D/ews0.json" --slurpfile b "$D/ews1.json" \
		'$b[0].operations | with_entries(.value -= ($a[0].operations[.key] // 0) | select(.value != 0))'
	assert_output '{"SyncFolderItems":3}'
	run jq -cnS --slurpfile a "$D/ia0.json" --slurpfile b "$D/ia1.json" \
		'$b[0].requests | with_entries(.value -= ($a[0].requests[.key] // 0) | select(.value != 0))'
	assert_output '{"GET /api/v1/users/{uid}/changes":2}'
}

@test "the demo shows alice's meetings on both sides after each sync, one becoming an activity; Exchange Online beside" {
	! sanitized_build || skip "plain pass only: what the demo prints is not memory; the test above runs its code under the sanitizers"
	run bash "$ROOT/scripts/demo.sh" "$OISYNC_BUILD"
	assert_success
	# After the first sync: yesterday's call is an activity of its mapped type, the private meeting stays home.
	assert_line --regexp "^  [0-9T:-]+Z  Call with Meridian  \[activity, Call, 0 linked\]$"
	assert_line --regexp "^  [0-9T:-]+Z  Acme kickoff  \[appointment, Meeting, 1 linked\]$"
	refute_line --regexp "Doctor  \["
	# After the second: the lunch moved to yesterday is an activity now; the third run does nothing.
	assert_line --regexp "^  [0-9T:-]+Z  Partners' lunch  \[activity, Meeting, 0 linked\]$"
	assert_line --partial "ex1: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	# The Graph server's users, with the same InterAction: synced, carol's edit
	# carried over, and the third run does nothing there either.
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 1 updated, 0 deleted, 0 conflicts"
	assert_line --partial "online: 2 users, 2 ok, 0 failed; 0 created, 0 updated, 0 deleted, 0 conflicts"
	assert_line --regexp "^carol@firm.example: 3 Outlook contacts, 3 on InterAction user carol's list$"
	assert_line --regexp "^  Sofia Lindqvist +yes +yes +General Counsel$"
}

@test "calendar switched off and on again: pairs kept, nothing twice; with the state lost, meetings re-match by UID" {
	day() { date -u -d "$1" +%Y-%m-%d; }
	meeting() { # SUBJECT DAY
		ews_ctl "$D" create "{\"mailbox\":\"alice@firm.example\",\"folder\":\"calendar\",\"item\":{\"Subject\":\"$1\",\"Start\":\"$(day "$2")T15:00:00Z\",\"End\":\"$(day "$2")T16:00:00Z\"}}" | jq -r .id
	}
	calendar() { sed -i "/^\[user alice\]/,/^\[/ s/^calendar = .*/calendar = $1/" "$D/users.conf"; }
	subjects() { ia_appointments | jq -r 'map(.subject) | join(", ")'; }
	first=$(meeting "Budget" "+2 days")
	meeting "Review" "+3 days" >/dev/null
	run oisync-run -j 1 ex1
	assert_success
	assert_equal "$(subjects)" "Budget, Review"

	# Off: nothing of the calendar moves, and nothing of it is deleted.
	calendar off
	meeting "Offsite" "+4 days" >/dev/null
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$first\",\"set\":{\"Subject\":\"Budget (final)\"}}" >/dev/null
	run oisync-run -j 1 ex1
	assert_success
	assert_equal "$(subjects)" "Budget, Review"

	# On again: the pairs kept carry the edit, the new meeting is made once.
	calendar on
	run oisync-run -j 1 ex1
	assert_success
	assert_equal "$(subjects)" "Budget (final), Review, Offsite"

	# The state lost (a new sync host): a first sync of everything, linking by UID, creating nothing.
	rm -f "$D/state/ex1/alice@firm.example.db"*
	run oisync-run -j 1 ex1
	assert_success
	assert_equal "$(subjects)" "Budget (final), Review, Offsite"
	run jq -r 'select(.type == "op" and .kind == "appointment") | [.action, .reason] | join(" ")' "$(last_changes alice)"
	assert_equal "$(grep -c '^link matched Outlook and InterAction items by same iCalendar UID' <<<"$output")" 3
	refute_output --partial create
	run oisync-run -j 1 ex1
	assert_success
	[ "$(ops_in "$(last_changes alice)")" -eq 0 ]
}
