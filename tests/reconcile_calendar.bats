#!/usr/bin/env bats
# reconcile_calendar.bats - the calendar's rules of oisync-reconcile(1), one scenario per rule.

load helper
load state_helper
bats_require_minimum_version 1.5.0

ACCOUNT=alice@firm.example
SYNC_ID=6f1c0000-0000-4000-8000-000000000001
NOW=2026-11-24T10:00:00Z
# The window both sides read: 30 days back, 180 ahead.
TOKEN='{"v":1,"sync":"s1","start":"2026-10-25T00:00:00Z","end":"2027-05-24T00:00:00Z"}'

FUTURE='"start":"2026-12-01T15:00:00Z","end":"2026-12-01T16:00:00Z"'
PAST='"start":"2026-11-23T15:00:00Z","end":"2026-11-23T16:00:00Z"'
LONG_AGO='"start":"2026-09-01T15:00:00Z","end":"2026-09-01T16:00:00Z"'

setup() {
	unset OISYNC_CONF
	T="$BATS_TEST_TMPDIR"
	cd "$T"
	mkdir -p state
	conf
}

# conf [DEFAULTS_LINE...]: the configuration reconcile reads, with [defaults] lines.
conf() {
	{
		printf '[global]\nstate_dir = %s/state\n[server ex1]\nurl = http://127.0.0.1:9/EWS\nauth = none\n' "$T"
		printf '[defaults]\nappointment_types = Clients -> Client Meeting\n'
		printf '%s\n' "$@"
	} >oisync.conf
}

reconcile() {
	"$BIN/oisync-reconcile" -c oisync.conf --server ex1 --now "$NOW" "$@"
}

# appt SIDE ID DATA: an upsert record of the calendar (DATA: the canonical object's inside)
appt() {
	printf '{"type":"appointment","side":"%s","account":"%s","folder":"calendar","id":"%s","version":"v-%s","op":"upsert","modified":"2026-11-20T09:00:00Z","data":{%s}}\n' \
		"$1" "$ACCOUNT" "$2" "$2" "$3"
}

gone() {
	printf '{"type":"appointment","side":"%s","account":"%s","folder":"calendar","id":"%s","op":"delete"}\n' "$1" "$ACCOUNT" "$2"
}

# cp SIDE FULL: the side's calendar checkpoint for the window above
cp_cal() {
	jq -cn --arg side "$1" --arg a "$ACCOUNT" --arg tok "$TOKEN" --argjson full "$2" \
		'{type: "checkpoint", side: $side, account: $a, folder: "calendar", token: $tok, complete: true, full: $full}'
}

syncinfo() {
	printf '{"type":"syncinfo","side":"exchange","account":"%s","sync_id":"%s","last_sync":"2026-11-20T10:00:00Z"}\n' "$ACCOUNT" "$SYNC_ID"
}

# a paired meeting: pair p-m, Outlook e-m, InterAction i-m, base DATA
paired() {
	KIND=appointment pair p-m e-m v-e-m i-m v-i-m "{$1}" | make_state
}

# ops [JQ_FILTER]: the ops of out.jsonl as compact "action target fields reason" lines
ops() {
	jq -r 'select(.type == "op") | [.action, (.target // "-"), ((.fields // []) | join(",")), .reason] | join(" | ")' out.jsonl
}

@test "a new Outlook meeting becomes an InterAction appointment of the default type" {
	{ appt exchange e-1 '"subject":"Budget",'"$FUTURE"; cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .target, .kind, .data.subject, .data.activity_type, .data.status]' out.jsonl
	assert_output '["create","interaction","appointment","Budget","Meeting",null]'
}

@test "a category mapped by appointment_types sets the type" {
	{ appt exchange e-1 '"subject":"Acme review","categories":["Clients"],'"$FUTURE"; cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -r 'select(.type == "op") | .data.activity_type' out.jsonl
	assert_output "Client Meeting"
}

@test "a meeting that has ended is created as a completed activity" {
	{ appt exchange e-1 '"subject":"Yesterday",'"$PAST"; cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .target, .data.status]' out.jsonl
	assert_output '["create","interaction","activity"]'
}

@test "by default an InterAction-only appointment is not created in Outlook; two-way creates it" {
	{ appt interaction i-1 '"subject":"Call","activity_type":"Call",'"$FUTURE"; cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output ""
	conf 'calendar_direction = two-way'
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .target, .data.subject]' out.jsonl
	assert_output '["create","exchange","Call"]'
}

@test "private meetings are skipped unless private = sync" {
	{ appt exchange e-1 '"subject":"Doctor","private":true,'"$FUTURE"; cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output ""
	conf 'private = sync'
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .data.private]' out.jsonl
	assert_output '["create",true]'
}

@test "a paired meeting made private leaves the sync, kept dormant and deleted nowhere; made public again it comes back" {
	paired '"subject":"Lunch",'"$FUTURE"
	{ syncinfo; appt exchange e-m '"subject":"Lunch","private":true,'"$FUTURE"; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "link | - |  | made private in Outlook: left the sync, kept on both sides"
	run jq -r 'select(.type == "op") | .data.retired' out.jsonl
	assert_output "made private in Outlook"
	# Dormant: still private, and edited in InterAction, two-way: nothing moves either way.
	rm -f state/ex1/*.db
	paired '"subject":"Lunch","retired":"made private in Outlook",'"$FUTURE"
	conf 'calendar_direction = two-way'
	{ syncinfo; appt exchange e-m '"subject":"Lunch","private":true,'"$FUTURE"; appt interaction i-m '"subject":"Lunch (moved room)",'"$FUTURE"
	  cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output ""
	# Public again: back in the sync, and the pair loses its mark.
	{ syncinfo; appt exchange e-m '"subject":"Lunch","location":"Cafe",'"$FUTURE"; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .target, .fields, .data.retired]' out.jsonl
	assert_output '["update","interaction",["location"],null]'
}
@test "a future meeting deleted in Outlook removes its InterAction appointment" {
	paired '"subject":"Lunch",'"$FUTURE"
	{ syncinfo; gone exchange e-m; cp_cal exchange false; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "delete | interaction |  | deleted in Outlook"
}

@test "a meeting deleted in Outlook never removes a completed activity or a past meeting: the pair stays, dormant" {
	paired '"subject":"Lunch","status":"activity",'"$PAST"
	{ syncinfo; gone exchange e-m; cp_cal exchange false; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "link | - |  | deleted in Outlook; the InterAction activity stays: left the sync, kept on both sides"
	rm -f state/ex1/*.db
	paired '"subject":"Lunch",'"$PAST"
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "link | - |  | deleted in Outlook; the InterAction record of a past meeting stays: left the sync, kept on both sides"
}

@test "a dormant activity is never copied back into Outlook: not when edited in InterAction, not when a full read lacks its meeting" {
	conf 'calendar_direction = two-way'
	paired '"subject":"Lunch","status":"activity","retired":"deleted in Outlook",'"$PAST"
	{ syncinfo; appt interaction i-m '"subject":"Lunch","notes":"went well","status":"activity",'"$PAST" | jq -c '.version = "v2"'
	  cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	# The edit is recorded (its version, for the day the meeting comes back), never written to Outlook.
	run ops
	assert_output "link | - |  | edited in InterAction while out of the sync: recorded, not synced"
	run jq -c 'select(.type == "op") | [.versions.interaction, .data.notes, .data.retired]' out.jsonl
	assert_output '["v2","went well","deleted in Outlook"]'
	# Deleted in InterAction as well: forgotten.
	{ syncinfo; gone interaction i-m; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "unlink | - |  | deleted in InterAction after it left the sync: forgotten"
}

@test "an occurrence deleted and then restored under a new id wakes its dormant pair; no second activity" {
	KIND=appointment pair p-o e-o1 v-e-o1 i-o v-i-o '{"subject":"Weekly","ical_uid":"U1","original_start":"2026-11-23T15:00:00Z","status":"activity","retired":"deleted in Outlook","start":"2026-11-23T15:00:00Z","end":"2026-11-23T16:00:00Z"}' | make_state
	{ syncinfo; appt exchange e-o9 '"subject":"Weekly","ical_uid":"U1","original_start":"2026-11-23T15:00:00Z",'"$PAST"
	  cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.pair, .action, .ids.exchange, .ids.interaction, .data.retired, .data.status]' out.jsonl
	assert_output '["p-o","link","e-o9","i-o",null,"activity"]'
}
@test "a full read of the window deletes what it lacks inside the window, never what the window left behind" {
	{
		KIND=appointment pair p-in e-in v-e-in i-in v-i-in "{\"subject\":\"Inside\",$FUTURE}"
		KIND=appointment pair p-old e-old v-e-old i-old v-i-old "{\"subject\":\"Old\",\"status\":\"activity\",$LONG_AGO}"
	} | make_state
	{ syncinfo; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -r 'select(.type == "op") | .pair + " " + .action' out.jsonl
	assert_output "p-in delete"
}

@test "a meeting moved out of the window leaves the sync, deleted nowhere and not moved; back inside it comes back" {
	paired '"subject":"Lunch","ical_uid":"U1",'"$FUTURE"
	{ syncinfo; appt exchange e-m '"subject":"Lunch","ical_uid":"U1","start":"2027-08-01T15:00:00Z","end":"2027-08-01T16:00:00Z"'; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "link | - |  | moved out of the calendar window: left the sync, kept on both sides"
	# Dormant: a full read without it deletes nothing; moved back, it comes back with its new time.
	rm -f state/ex1/*.db
	paired '"subject":"Lunch","ical_uid":"U1","retired":"moved out of the calendar window",'"$FUTURE"
	{ syncinfo; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output ""
	{ syncinfo; appt exchange e-m '"subject":"Lunch","ical_uid":"U1","start":"2026-12-02T15:00:00Z","end":"2026-12-02T16:00:00Z"'
	  cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .target, .fields, .data.retired]' out.jsonl
	assert_output '["update","interaction",["start","end"],null]'
}
@test "a meeting that ended since the last run is completed into an activity, with no change on either side" {
	paired '"subject":"Lunch",'"$PAST"
	{ syncinfo; cp_cal exchange false; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "update | interaction | status | the meeting is over: recorded as an InterAction activity"
	run jq -r 'select(.type == "op") | .data.status' out.jsonl
	assert_output "activity"
	# Once the base records it, nothing more.
	rm -f state/ex1/*.db
	paired '"subject":"Lunch","status":"activity",'"$PAST"
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output ""
}

@test "an activity moved back into the future is an appointment again" {
	paired '"subject":"Lunch","status":"activity",'"$PAST"
	{ syncinfo; appt exchange e-m '"subject":"Lunch",'"$FUTURE"; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "update | interaction | start,end,status | changed in Outlook: start, end"
	run jq -c 'select(.type == "op") | [.data.start, .data.status]' out.jsonl
	assert_output '["2026-12-01T15:00:00Z",null]'
}

@test "a category change re-types the InterAction appointment" {
	paired '"subject":"Review","activity_type":"Meeting",'"$FUTURE"
	{ syncinfo; appt exchange e-m '"subject":"Review","categories":["Clients"],'"$FUTURE"; cp_cal exchange true; cp_cal interaction false; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .target, .fields, .data.activity_type]' out.jsonl
	assert_output '["update","interaction",["categories","activity_type"],"Client Meeting"]'
}

@test "both sides changed one field: the policy settles it, Outlook wins by default, the loser is in the reason" {
	paired '"subject":"Lunch","location":"Room 1",'"$FUTURE"
	{
		syncinfo
		printf '%s\n' "$(appt exchange e-m '"subject":"Lunch","location":"Room 2",'"$FUTURE")"
		appt interaction i-m '"subject":"Lunch","location":"Room 3",'"$FUTURE" | jq -c '.modified = "2026-11-22T09:00:00Z"'
		cp_cal exchange true; cp_cal interaction false
	} >in.jsonl
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "update | interaction | location | changed in Outlook: location; conflict on location: Outlook kept (exchange-wins)"
	# Two-way: newest-wins, and InterAction's edit is the newer one.
	conf 'calendar_direction = two-way'
	reconcile in.jsonl >out.jsonl
	run ops
	assert_output "update | exchange | location | changed in InterAction: location; conflict on location: InterAction kept (newest-wins)"
}

@test "switched back on, the calendar re-matches by iCalendar UID and original start, then by subject and start" {
	# No appointment pair (the calendar was off, or its pairs are gone): a first sync of the calendar.
	KIND=contact pair p-c e-c v-e-c i-c v-i-c '{"first":"Ann","last":"Lee"}' | make_state
	{
		syncinfo
		appt exchange e-o1 '"subject":"Weekly","ical_uid":"UID-1","original_start":"2026-12-01T15:00:00Z",'"$FUTURE"
		appt exchange e-o2 '"subject":"Weekly","ical_uid":"UID-1","original_start":"2026-12-08T15:00:00Z","start":"2026-12-08T15:00:00Z","end":"2026-12-08T16:00:00Z"'
		appt exchange e-s '"subject":"Lunch",'"$FUTURE"
		appt interaction i-o2 '"subject":"Weekly","ical_uid":"UID-1","original_start":"2026-12-08T15:00:00Z","start":"2026-12-08T15:00:00Z","end":"2026-12-08T16:00:00Z"'
		appt interaction i-o1 '"subject":"Weekly","ical_uid":"UID-1","original_start":"2026-12-01T15:00:00Z",'"$FUTURE"
		appt interaction i-s '"subject":"lunch",'"$FUTURE"
		cp_cal exchange true; cp_cal interaction true
	} >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -r 'select(.type == "op") | [.action, .ids.exchange, .ids.interaction, .reason] | join(" ")' out.jsonl
	assert_line "link e-o1 i-o1 matched Outlook and InterAction items by same iCalendar UID"
	assert_line "link e-o2 i-o2 matched Outlook and InterAction items by same iCalendar UID"
	assert_line "link e-s i-s matched Outlook and InterAction items by same subject and start; conflict on subject: Outlook kept (exchange-wins)"
	assert_equal "$(ops | grep -c create)" 0
}

@test "each occurrence of a series is its own item: an exception changes only its occurrence" {
	{
		KIND=appointment pair p-o1 e-o1 v-e-o1 i-o1 v-i-o1 "{\"subject\":\"Weekly\",\"series\":\"M\",\"original_start\":\"2026-12-01T15:00:00Z\",$FUTURE}"
		KIND=appointment pair p-o2 e-o2 v-e-o2 i-o2 v-i-o2 '{"subject":"Weekly","series":"M","original_start":"2026-12-08T15:00:00Z","start":"2026-12-08T15:00:00Z","end":"2026-12-08T16:00:00Z"}'
	} | make_state
	{
		syncinfo
		appt exchange e-o1 '"subject":"Weekly","series":"M","original_start":"2026-12-01T15:00:00Z",'"$FUTURE"
		appt exchange e-o2 '"subject":"Weekly","series":"M","original_start":"2026-12-08T15:00:00Z","start":"2026-12-08T17:00:00Z","end":"2026-12-08T18:00:00Z"'
		cp_cal exchange true; cp_cal interaction false
	} >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -r 'select(.type == "op") | [.pair, .action, (.fields | join(","))] | join(" ")' out.jsonl
	assert_output "p-o2 update start,end"
}

@test "a deleted occurrence removes only its own item" {
	{
		KIND=appointment pair p-o1 e-o1 v-e-o1 i-o1 v-i-o1 "{\"subject\":\"Weekly\",\"series\":\"M\",\"original_start\":\"2026-12-01T15:00:00Z\",$FUTURE}"
		KIND=appointment pair p-o2 e-o2 v-e-o2 i-o2 v-i-o2 '{"subject":"Weekly","series":"M","original_start":"2026-12-08T15:00:00Z","start":"2026-12-08T15:00:00Z","end":"2026-12-08T16:00:00Z"}'
	} | make_state
	{
		syncinfo
		appt exchange e-o1 '"subject":"Weekly","series":"M","original_start":"2026-12-01T15:00:00Z",'"$FUTURE"
		cp_cal exchange true; cp_cal interaction false
	} >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -r 'select(.type == "op") | [.pair, .action, .target] | join(" ")' out.jsonl
	assert_output "p-o2 delete interaction"
}

@test "contacts and calendar in one change set: each folder's checkpoint held back only for its own deletes" {
	{
		KIND=contact pair p-c e-c v-e-c i-c v-i-c '{"first":"Ann","last":"Lee"}'
		for i in $(seq 1 12); do
			KIND=appointment pair "p-$i" "e-$i" "v-e-$i" "i-$i" "v-i-$i" "{\"subject\":\"M$i\",$FUTURE}"
		done
	} | make_state
	{ syncinfo; cp_cal exchange true; cp_cal interaction false;
	  printf '{"type":"checkpoint","side":"exchange","account":"%s","folder":"contacts","token":"t","complete":true,"full":false}\n' "$ACCOUNT"; } >in.jsonl
	run -1 reconcile in.jsonl
	printf '%s\n' "$output" | grep '^{' >out.jsonl
	run jq -r 'select(.type == "checkpoint") | .side + " " + .folder' out.jsonl
	assert_output "$(printf 'interaction calendar\nexchange contacts')"
}

@test "the contact list's category filter leaves meetings alone: their categories choose the type" {
	conf 'categories = Firm'
	{ appt exchange e-1 '"subject":"Acme review","categories":["Clients"],'"$FUTURE"; cp_cal exchange true; cp_cal interaction true; } >in.jsonl
	reconcile in.jsonl >out.jsonl
	run jq -c 'select(.type == "op") | [.action, .data.activity_type]' out.jsonl
	assert_output '["create","Client Meeting"]'
}
