#!/usr/bin/env bats
# apply_calendar.bats - oisync-apply's appointment ops on Exchange against the fake EWS
# server: created, updated and deleted in the calendar as the canonical data says, read
# back the same, and never a meeting request, update or cancellation mailed to anyone.

load helper

# A fixed window around the appointments, so what is read does not depend on today.
WINDOW=(--window-start 2026-11-01 --window-end 2027-01-01T00:00:00Z)

setup_file() {
	ews_fake_for_file svc-oisync <<'EOF' || return 1
{"service_accounts": {"svc-oisync": {"impersonate": ["*"]}},
 "mailboxes": {"alice@firm.example": {"contacts": [], "calendar": []}}}
EOF
}

teardown_file() {
	stop_fake EWS
}

setup() {
	ews_fake_test
}

fake() { ctl EWS "$@"; }

# The calendar item oisync created with op id $1, as the fake holds it.
stored() {
	fake "dump?mailbox=$ALICE&folder=calendar" |
		jq -c --arg op "$1" '.calendar[] | select(any(.ExtendedProperties[]?; .PropertyName == "oisync-op-id" and .Value == $op))'
}

# What the fake was asked to mail: its meeting-mail counters.
mail() { fake stats | jq -cS '.meeting_mail'; }

# canonical_of OP_ID: the appointment that op created, read back by extract and transformed.
canonical_of() {
	"$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$ALICE" --folder calendar "${WINDOW[@]}" \
		>out.jsonl 2>extract.log
	jq -c --arg t "$1" 'select(.op_tag == $t)' out.jsonl | "$BIN/oisync-transform" | jq -cS '.data'
}

# op ACTION OP_ID PAIR DATA [KEY=JSON...]: an appointment op on Exchange.
op() {
	local o
	o=$(jq -cn --arg a "$1" --arg id "$2" --arg p "$3" --argjson d "$4" \
		'{type:"op",op_id:$id,action:$a,target:"exchange",kind:"appointment",pair:$p,id:null,if_version:null,data:$d,reason:"test"}')
	shift 4
	local kv
	for kv in "$@"; do
		o=$(jq -c --arg k "${kv%%=*}" --argjson v "${kv#*=}" '.[$k] = $v' <<<"$o")
	done
	printf '%s\n' "$o"
}

# A New York partners' meeting with everything Exchange writes, and what it cannot: the
# organizer (the mailbox owner is), an InterAction series and original start, the activity type.
MEETING='{"subject":"Partners'"'"' meeting","start":"2026-11-10T19:00:00Z","end":"2026-11-10T20:00:00Z",
 "time_zone":"America/New_York","location":"Board room","notes":"Agenda:\n1. Budget & <fees>",
 "organizer":"bob@firm.example",
 "attendees":[{"email":"bob@firm.example","name":"Bob Roe","role":"required"},
  {"email":"carol@client.example","name":"Carol Poe","role":"optional"},
  {"email":"room1@firm.example","name":"Board room","role":"resource"}],
 "categories":["Clients","Firm"],"private":true,"show_as":"tentative","ical_uid":"ia-uid-0001",
 "series":"a-000001","original_start":"2026-11-09T19:00:00Z","activity_type":"Meeting"}'

@test "create: a meeting in the calendar with every field Exchange writes; nobody is mailed" {
	run apply_ops "$(op create op-cal-1 p1 "$MEETING")"
	assert_success
	run jq -c '[.status, (.id | length > 0), (.version | length > 0)]' results.jsonl
	assert_output '["ok",true,true]'
	# Where Outlook shows each field.
	run jq -cS '{Subject, Start, End, StartTimeZone, EndTimeZone, Location, Body, Categories, Sensitivity,
		LegacyFreeBusyStatus, UID, IsAllDayEvent, RequiredAttendees, OptionalAttendees, Resources, Organizer}' <<<"$(stored op-cal-1)"
	assert_output '{"Body":"Agenda:\n1. Budget & <fees>","Categories":["Clients","Firm"],"End":"2026-11-10T20:00:00Z","EndTimeZone":"Eastern Standard Time","IsAllDayEvent":null,"LegacyFreeBusyStatus":"Tentative","Location":"Board room","OptionalAttendees":[{"EmailAddress":"carol@client.example","Name":"Carol Poe"}],"Organizer":null,"RequiredAttendees":[{"EmailAddress":"bob@firm.example","Name":"Bob Roe"}],"Resources":[{"EmailAddress":"room1@firm.example","Name":"Board room"}],"Sensitivity":"Private","Start":"2026-11-10T19:00:00Z","StartTimeZone":"Eastern Standard Time","Subject":"Partners'"'"' meeting","UID":"ia-uid-0001"}'
	# One CreateItem, and it asked Exchange to mail no one.
	run jq -c '.operations.CreateItem' <<<"$(fake stats)"
	assert_output 1
	run mail
	assert_output '{"CreateItem SendMeetingInvitations=SendToNone":1}'
	# Read back: the same canonical data, but the organizer is the mailbox's owner and an
	# InterAction occurrence is a single Outlook item.
	run canonical_of op-cal-1
	assert_output "$(jq -cS '.organizer = "alice@firm.example" | del(.series, .original_start, .activity_type)' <<<"$MEETING")"
}

@test "all day in Sydney: Exchange holds Sydney's midnights, and reads back the dates" {
	data='{"subject":"Christmas Day","start":"2026-12-25","end":"2026-12-26","all_day":true,"time_zone":"Australia/Sydney","show_as":"free"}'
	run apply_ops "$(op create op-cal-2 p2 "$data")"
	assert_success
	run jq -r .status results.jsonl
	assert_output ok
	run jq -cS '{Start, End, IsAllDayEvent, StartTimeZone, LegacyFreeBusyStatus}' <<<"$(stored op-cal-2)"
	assert_output '{"End":"2026-12-25T13:00:00Z","IsAllDayEvent":"true","LegacyFreeBusyStatus":"Free","Start":"2026-12-24T13:00:00Z","StartTimeZone":"AUS Eastern Standard Time"}'
	# Exchange gives an item written without a UID one of its own.
	uid=$(jq -r .UID <<<"$(stored op-cal-2)")
	[ -n "$uid" ]
	run canonical_of op-cal-2
	assert_output "$(jq -cS --arg uid "$uid" '.organizer = "alice@firm.example" | .ical_uid = $uid' <<<"$data")"
}

@test "update: the named fields set and cleared, the times moved together; nobody is mailed; a stale version conflicts" {
	run apply_ops "$(op create op-cal-3 p3 "$MEETING")"
	assert_success
	id=$(jq -r .id results.jsonl)
	v1=$(jq -r .version results.jsonl)
	# Moved a day later and made all-day in New York; no room, Carol required now, no notes.
	new=$(jq -c '.start = "2026-11-11" | .end = "2026-11-12" | .all_day = true | del(.location, .notes, .private)
		| .attendees = [{"email":"carol@client.example","name":"Carol Poe","role":"required"}] | .show_as = "oof"' <<<"$MEETING")
	run apply_ops "$(op update op-cal-4 p3 "$new" "id=\"$id\"" "if_version=\"$v1\"" \
		'fields=["start","end","all_day","location","notes","private","attendees","show_as","organizer","series"]')"
	assert_success
	run jq -c '[.status, .id == "'"$id"'", .version != "'"$v1"'"]' results.jsonl
	assert_output '["ok",true,true]'
	# New York's midnights (UTC-5 in November); the room and the optional list are gone.
	run jq -cS '{Start, End, IsAllDayEvent, Location, Body, Sensitivity, LegacyFreeBusyStatus, RequiredAttendees,
		OptionalAttendees, Resources, Subject}' <<<"$(stored op-cal-3)"
	assert_output '{"Body":null,"End":"2026-11-12T05:00:00Z","IsAllDayEvent":"true","LegacyFreeBusyStatus":"OOF","Location":null,"OptionalAttendees":null,"RequiredAttendees":[{"EmailAddress":"carol@client.example","Name":"Carol Poe"}],"Resources":null,"Sensitivity":"Normal","Start":"2026-11-11T05:00:00Z","Subject":"Partners'"'"' meeting"}'
	run mail
	assert_output '{"CreateItem SendMeetingInvitations=SendToNone":1,"UpdateItem SendMeetingInvitationsOrCancellations=SendToNone":1}'
	run canonical_of op-cal-3
	assert_output "$(jq -cS '.organizer = "alice@firm.example" | del(.series, .original_start, .activity_type)' <<<"$new")"
	# The first version is stale now: the update is a conflict and changes nothing.
	run apply_ops "$(op update op-cal-5 p3 '{"subject":"Overwritten","start":"2026-11-11","all_day":true}' "id=\"$id\"" \
		"if_version=\"$v1\"" 'fields=["subject"]')"
	run jq -r .status results.jsonl
	assert_output conflict
	run jq -r .Subject <<<"$(stored op-cal-3)"
	assert_output "Partners' meeting"
	# Only what Exchange cannot write: no request, the version stays.
	v2=$(jq -r .ItemId.ChangeKey <<<"$(stored op-cal-3)")
	fake stats/reset '{}' >/dev/null
	run apply_ops "$(op update op-cal-6 p3 "$new" "id=\"$id\"" "if_version=\"$v2\"" 'fields=["organizer","series","original_start","activity_type"]')"
	assert_success
	run jq -c '[.status, .version]' results.jsonl
	assert_output "[\"ok\",\"$v2\"]"
	run jq -c '.operations | keys' <<<"$(fake stats)"
	assert_output '[]'
}

@test "delete: the item goes to Deleted Items with no cancellation mailed; a stale version conflicts" {
	run apply_ops "$(op create op-cal-7 p4 "$MEETING")"
	assert_success
	id=$(jq -r .id results.jsonl)
	v1=$(jq -r .version results.jsonl)
	fake edit "{\"mailbox\":\"$ALICE\",\"id\":\"$id\",\"set\":{\"Location\":\"Room 2\"}}" >/dev/null
	# Edited in Outlook since: edit beats delete.
	run apply_ops "$(op delete op-cal-8 p4 {} "id=\"$id\"" "if_version=\"$v1\"")"
	run jq -r .status results.jsonl
	assert_output conflict
	[ -n "$(stored op-cal-7)" ]
	v2=$(jq -r .ItemId.ChangeKey <<<"$(stored op-cal-7)")
	run apply_ops "$(op delete op-cal-9 p4 {} "id=\"$id\"" "if_version=\"$v2\"")"
	assert_success
	run jq -r .status results.jsonl
	assert_output ok
	[ -z "$(stored op-cal-7)" ]
	run jq -r '.operations.DeleteItem' <<<"$(fake stats)"
	assert_output 1
	run mail
	assert_output '{"CreateItem SendMeetingInvitations=SendToNone":1,"DeleteItem SendMeetingCancellations=SendToNone":1}'
}

@test "a create whose reply was lost is found by its op id in the calendar, not sent twice" {
	o=$(op create op-cal-10 p5 '{"subject":"Lost reply","start":"2026-12-01T12:00:00Z","end":"2026-12-01T13:00:00Z"}')
	run apply_ops "$o"
	assert_success
	id=$(jq -r .id results.jsonl)
	# As if apply died between sending the create and recording the answer.
	sqlite3 "apply-state/ex1/$ALICE.db" "UPDATE applied SET status = 'pending', new_id = NULL, new_version = NULL, folded = 0 WHERE op_id = 'op-cal-10'; DELETE FROM pairs WHERE pair_id = 'p5'"
	fake stats/reset '{}' >/dev/null
	run apply_ops "$o"
	assert_success
	run jq -c '.operations' <<<"$(fake stats)"
	assert_output '{"FindItem":1}'
	run jq -c '[.status, .id == "'"$id"'"]' results.jsonl
	assert_output '["ok",true]'
	run jq '[.calendar[] | select(.Subject == "Lost reply")] | length' <<<"$(fake "dump?mailbox=$ALICE&folder=calendar")"
	assert_output 1
}

@test "data Exchange cannot hold fails the op, and nothing is created" {
	run apply_ops "$(op create op-cal-11 p6 '{"subject":"Bad","start":"2026-12-25T00:00:00Z","all_day":true}')"
	assert_failure
	run jq -r .status results.jsonl
	assert_output failed
	run cat apply.log
	assert_output --partial "all-day appointment: start '2026-12-25T00:00:00Z' is not a YYYY-MM-DD date"
	run jq -c '.operations | (has("CreateItem"))' <<<"$(fake stats)"
	assert_output false
}

@test "--dry-run names a meeting by its subject and start, and deletes rather than unlists it" {
	{
		printf '{"type":"changeset","account":"%s","server":"ex1","created":"2026-11-24T10:00:00Z","state":0}\n' "$ALICE"
		op create op-cal-9 p9 "$MEETING"
		op delete op-cal-10 p10 null id='"AAMk1"' if_version='"ck1"' | jq -c 'del(.data)'
	} >changes.jsonl
	run "$BIN/oisync-apply" -c "$T/oisync.conf" --state "$T/apply-state" --dry-run changes.jsonl
	assert_success
	assert_line "would create appointment in Outlook: Partners' meeting (2026-11-10T19:00:00Z) - test"
	assert_line --partial "would delete appointment in Outlook: AAMk1"
	[ "$(fake stats | jq '.operations.CreateItem // 0')" -eq 0 ]
}
