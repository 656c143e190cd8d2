#!/usr/bin/env bats
# extract_calendar.bats - oisync-extract exchange's calendar window against the fake EWS server.

load helper

CONF_BASE=(server.getitem_batch=4)
DB_REL="state/ex1/alice@firm.example.db"
# A fixed window, so what is inside does not depend on today's date.
WINDOW=(--window-start 2026-11-01 --window-end 2027-01-01T00:00:00Z)

# One fake for the file, put back to its seed before every test by
# reset_fake (data, faults, stats, clock): starting a fake costs a Python
# process, a reset one request. Its files (seed, credentials, data folder) are
# the file's; each test has its own folder for the configuration and the
# state. No test here needs a fresh process.
setup_file() {
	# In the window 2026-11-01 .. 2027-01-01: a single, an all-day event, and a
	# weekly series (Mondays 14:00 New York, 10 from 2026-10-19) whose
	# 2026-11-09 occurrence moved to Tuesday, whose 2026-11-16 one is deleted,
	# and whose 2026-10-19 one moved to 2026-10-20 (outside). Outside: "Old".
	ews_fake_for_file svc-oisync <<'EOF' || return 1
{"service_accounts": {"svc-oisync": {"impersonate": ["*"]}},
 "mailboxes": {
  "alice@firm.example": {
   "contacts": [{"GivenName": "Jane", "Surname": "Doe", "DisplayName": "Jane Doe"}],
   "calendar": [
    {"Subject": "Lunch with Jane", "Start": "2026-12-01T12:00:00Z", "End": "2026-12-01T13:00:00Z",
     "Location": "Cafe Luna", "Categories": ["Clients"], "Body": "Bring the draft."},
    {"Subject": "Firm holiday", "Start": "2026-12-24T00:00:00Z", "End": "2026-12-25T00:00:00Z",
     "IsAllDayEvent": "true", "LegacyFreeBusyStatus": "Free"},
    {"Subject": "Old", "Start": "2025-01-01T12:00:00Z", "End": "2025-01-01T13:00:00Z"},
    {"Subject": "Partners' meeting", "Start": "2026-10-19T14:00:00", "End": "2026-10-19T15:00:00",
     "StartTimeZone": "Eastern Standard Time",
     "Recurrence": {"Pattern": {"Type": "WeeklyRecurrence", "Interval": "1", "DaysOfWeek": "Monday",
                                "FirstDayOfWeek": "Sunday"},
                    "Range": {"Type": "NumberedRecurrence", "StartDate": "2026-10-19",
                              "NumberOfOccurrences": "10"}},
     "ModifiedOccurrences": [
      {"OriginalStart": "2026-11-09T19:00:00Z", "Start": "2026-11-10T19:00:00Z", "End": "2026-11-10T20:00:00Z",
       "Subject": "Partners' meeting (moved)"},
      {"OriginalStart": "2026-10-19T18:00:00Z", "Start": "2026-10-20T18:00:00Z", "End": "2026-10-20T19:00:00Z",
       "Subject": "Partners' meeting (outside)"}],
     "DeletedOccurrences": ["2026-11-16T19:00:00Z"]}]}}}
EOF
	first_migration >"$BATS_FILE_TMPDIR/schema.sql"
}

teardown_file() {
	stop_fake EWS
}

setup() {
	ews_fake_test
}

fake() { ctl EWS "$@"; }

extract() { # [OPTION...]
	"$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$ALICE" "$@" >out.jsonl 2>err.log
}

calendar_dump() { fake "dump?mailbox=$ALICE&folder=calendar"; }
master_id() { calendar_dump | jq -r '.calendar[] | select(.Subject == "Partners'"'"' meeting") | .ItemId.Id'; }
checkpoint() { jq -c "select(.type == \"checkpoint\" and .folder == \"$1\")" out.jsonl; }
token_of() { jq -r "select(.type == \"checkpoint\" and .folder == \"$1\") | .token" out.jsonl; }
ops() { fake stats | jq -cS '.operations'; }


# The state database as apply leaves it: the schema's first migration (taken
# from lib/state_schema.c; later ones run on open) plus committed tokens.
commit_token() { # FOLDER TOKEN
	mkdir -p state/ex1
	if [ ! -f "$DB_REL" ]; then
		# Schema 1: the first reader migrates it forward, as it would an old state.
		{ cat "$BATS_FILE_TMPDIR/schema.sql"; echo 'PRAGMA user_version = 1;'; } | sqlite3 "$DB_REL"
	fi
	local q=${2//\'/\'\'}
	sqlite3 "$DB_REL" "INSERT OR REPLACE INTO checkpoints (side, folder, token, updated)
		VALUES ('exchange', '$1', '$q', '2026-11-24T10:00:00Z');"
}

# Commit what the last extract ended with, as apply would.
commit_all() {
	local f
	for f in $(jq -r 'select(.type == "checkpoint") | .folder' out.jsonl); do
		commit_token "$f" "$(token_of "$f")"
	done
}

@test "the window: singles, an all-day event, a series expanded into occurrences and an exception, nothing outside" {
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	# Items first, the checkpoint last.
	run jq -r '.type' out.jsonl
	assert_line --index 9 checkpoint
	[ "$(jq -s length out.jsonl)" -eq 10 ]
	run jq -r 'select(.type == "appointment") | [.data.Start, .data.CalendarItemType, .data.Subject] | join(" ")' out.jsonl
	assert_output - <<'EOF'
2026-11-02T19:00:00Z Occurrence Partners' meeting
2026-11-10T19:00:00Z Exception Partners' meeting (moved)
2026-11-23T19:00:00Z Occurrence Partners' meeting
2026-11-30T19:00:00Z Occurrence Partners' meeting
2026-12-01T12:00:00Z Single Lunch with Jane
2026-12-07T19:00:00Z Occurrence Partners' meeting
2026-12-14T19:00:00Z Occurrence Partners' meeting
2026-12-21T19:00:00Z Occurrence Partners' meeting
2026-12-24T00:00:00Z Single Firm holiday
EOF
	# Envelope of each item.
	run jq -c 'select(.type == "appointment") | [.side, .account, .folder, .op, (.id | length > 0),
		(.version | length > 0), (.modified | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$"))] | tostring' out.jsonl
	[ "$(sort -u <<<"$output")" = '"[\"exchange\",\"alice@firm.example\",\"calendar\",\"upsert\",true,true,true]"' ]
	# Each occurrence and the exception carry their series' master id and original start.
	master=$(master_id)
	[ -n "$master" ]
	run jq -r 'select(.data.CalendarItemType == "Occurrence" or .data.CalendarItemType == "Exception")
		| [.data.RecurringMasterId == "'"$master"'", .data.OriginalStart, .data.StartTimeZone.Id] | map(tostring) | join(" ")' out.jsonl
	assert_output - <<'EOF'
true 2026-11-02T19:00:00Z Eastern Standard Time
true 2026-11-09T19:00:00Z Eastern Standard Time
true 2026-11-23T19:00:00Z Eastern Standard Time
true 2026-11-30T19:00:00Z Eastern Standard Time
true 2026-12-07T19:00:00Z Eastern Standard Time
true 2026-12-14T19:00:00Z Eastern Standard Time
true 2026-12-21T19:00:00Z Eastern Standard Time
EOF
	# Singles have no series; the all-day event says so; native fields come through.
	run jq -c 'select(.data.CalendarItemType == "Single") | [.data.Subject, .data.IsAllDayEvent, .data.End,
		.data.LegacyFreeBusyStatus, .data.Location, .data.Categories, .data.Body, has("RecurringMasterId")]' out.jsonl
	assert_output - <<'EOF'
["Lunch with Jane","false","2026-12-01T13:00:00Z","Busy","Cafe Luna",["Clients"],"Bring the draft.",false]
["Firm holiday","true","2026-12-25T00:00:00Z","Free",null,null,null,false]
EOF
	# Ids are unique, and the singles' are the server's.
	[ "$(jq -r 'select(.type == "appointment") | .id' out.jsonl | sort -u | wc -l)" -eq 9 ]
	want=$(calendar_dump | jq -c '[.calendar[] | select(.Subject == "Lunch with Jane") | [.ItemId.Id, .ItemId.ChangeKey]]')
	assert_equal "$(jq -sc '[.[] | select(.data.Subject == "Lunch with Jane") | [.id, .version]]' out.jsonl)" "$want"
	# The checkpoint: complete, a full snapshot of the window it names.
	run checkpoint calendar
	assert_output --regexp '^\{"type":"checkpoint","side":"exchange","account":"alice@firm.example","folder":"calendar","token":".+","complete":true,"full":true,"window":\{"start":"2026-11-01T00:00:00Z","end":"2027-01-01T00:00:00Z"\}\}$'
	run jq -r '.start + " " + .end + " " + (.sync | length > 0 | tostring)' <<<"$(token_of calendar)"
	assert_output "2026-11-01T00:00:00Z 2027-01-01T00:00:00Z true"
}

@test "--folder calendar reads the calendar alone, even with calendar off" {
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	run jq -r '.folder' out.jsonl
	refute_line contacts
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 9 ]
	run ops
	assert_output '{"FindItem":1,"GetItem":4,"SyncFolderItems":1}'
}

@test "calendar off in the configuration: only contacts; on: contacts, then the calendar" {
	run extract "${WINDOW[@]}"
	assert_success
	run jq -r 'select(.type == "checkpoint") | .folder' out.jsonl
	assert_output contacts
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 0 ]
	write_conf defaults.calendar=on
	run extract "${WINDOW[@]}"
	assert_success
	run jq -r 'select(.type == "checkpoint") | .folder' out.jsonl
	assert_output - <<'EOF'
contacts
calendar
EOF
	# Contacts and their checkpoint come first.
	run jq -r '.type' out.jsonl
	assert_line --index 1 checkpoint
	# A user's own setting wins over [defaults].
	write_conf defaults.calendar=on user.calendar=off
	run extract "${WINDOW[@]}"
	assert_success
	run jq -r 'select(.type == "checkpoint") | .folder' out.jsonl
	assert_output contacts
	write_conf user.calendar=on
	run extract "${WINDOW[@]}"
	assert_success
	[ "$(jq -s 'map(select(.type == "checkpoint")) | length' out.jsonl)" -eq 2 ]
}

@test "a second run with nothing changed sends one SyncFolderItems per folder and emits only checkpoints" {
	write_conf defaults.calendar=on
	run extract "${WINDOW[@]}"
	assert_success
	commit_all
	fake stats/reset '{}' >/dev/null
	run extract "${WINDOW[@]}" --stats
	assert_success
	run ops
	assert_output '{"SyncFolderItems":2}'
	# Nothing to infer: both checkpoints say full:false, and there is nothing else.
	run jq -c '[.type, .folder, .complete, .full]' out.jsonl
	assert_output - <<'EOF'
["checkpoint","contacts",true,false]
["checkpoint","calendar",true,false]
EOF
	# The calendar token keeps the window it read.
	run jq -r '.start + " " + .end' <<<"$(token_of calendar)"
	assert_output "2026-11-01T00:00:00Z 2027-01-01T00:00:00Z"
	run grep -c 'exchange calendar: 1 requests .* 0 items, 0 views' err.log
	assert_output 1
}

@test "a change in the calendar reads the whole window again: edits show, deletions are absent" {
	run extract --folder calendar "${WINDOW[@]}"
	commit_all
	lunch=$(calendar_dump | jq -r '.calendar[] | select(.Subject == "Lunch with Jane") | .ItemId.Id')
	holiday=$(calendar_dump | jq -r '.calendar[] | select(.Subject == "Firm holiday") | .ItemId.Id')
	fake edit "{\"mailbox\":\"$ALICE\",\"id\":\"$lunch\",\"set\":{\"Location\":\"Cafe Sol\"}}" >/dev/null
	fake delete "{\"mailbox\":\"$ALICE\",\"id\":\"$holiday\"}" >/dev/null
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	assert_equal "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" 8
	run jq -r --arg id "$lunch" 'select(.id == $id) | .data.Location' out.jsonl
	assert_output "Cafe Sol"
	run jq -r --arg id "$holiday" 'select(.id == $id) | .id' out.jsonl
	assert_output ""
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
}

@test "an item moved out of the window is still reported, where it went; a cancelled meeting is a delete" {
	run extract --folder calendar "${WINDOW[@]}"
	commit_all
	lunch=$(calendar_dump | jq -r '.calendar[] | select(.Subject == "Lunch with Jane") | .ItemId.Id')
	holiday=$(calendar_dump | jq -r '.calendar[] | select(.Subject == "Firm holiday") | .ItemId.Id')
	fake edit "{\"mailbox\":\"$ALICE\",\"id\":\"$lunch\",\"set\":{\"Start\":\"2027-03-01T12:00:00Z\",\"End\":\"2027-03-01T13:00:00Z\"}}" >/dev/null
	fake edit "{\"mailbox\":\"$ALICE\",\"id\":\"$holiday\",\"set\":{\"IsCancelled\":\"true\"}}" >/dev/null
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	# Moved out: reported with its new time, for reconcile to leave alone rather than delete.
	run jq -r --arg id "$lunch" 'select(.id == $id) | [.op, .data.Start] | join(" ")' out.jsonl
	assert_output "upsert 2027-03-01T12:00:00Z"
	run jq -r --arg id "$holiday" 'select(.id == $id) | [.op, .reason] | join(" ")' out.jsonl
	assert_output "delete cancelled"
	# The series' master, changed or not, is never an item of its own.
	run jq -r 'select(.type == "appointment" and .data.CalendarItemType == "RecurringMaster") | .id' out.jsonl
	assert_output ""
}

@test "the window moving reads it again though nothing changed" {
	run extract --folder calendar "${WINDOW[@]}"
	commit_all
	fake stats/reset '{}' >/dev/null
	run extract --folder calendar --window-start 2026-11-15 --window-end 2027-01-01
	assert_success
	run jq -c 'select(.type == "checkpoint") | [.full, .window.start]' out.jsonl
	assert_output '[true,"2026-11-15T00:00:00Z"]'
	# 11-02 and 11-10 are now outside.
	assert_equal "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" 7
	run ops
	assert_output --partial '"FindItem":1'
	# The configured window (calendar_history_days/calendar_future_days) is a window too.
	commit_all
	# The window is counted from the day of the run: the day before the
	# extract or the day after it (a run across midnight UTC), never another.
	before=$(configured_window)
	run extract --folder calendar
	assert_success
	after=$(configured_window)
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
	run jq -r 'select(.type == "checkpoint") | .window.start + " " + .window.end' out.jsonl
	[ "$output" = "$before" ] || [ "$output" = "$after" ] ||
		{ echo "window $output, expected $before or $after"; false; }
}

# configured_window: the window calendar_history_days = 30 and
# calendar_future_days = 181 give today, from midnight UTC.
configured_window() {
	local today
	today=$(date -u +%s)
	printf '%s %s\n' "$(date -u -d "@$((today - today % 86400 - 30 * 86400))" +%Y-%m-%dT%H:%M:%SZ)" \
		"$(date -u -d "@$((today - today % 86400 + 181 * 86400))" +%Y-%m-%dT%H:%M:%SZ)"
}

@test "a view holding more than the server returns is split in halves until each fits, items once" {
	# At most 3 entries a view: the 9 items need several slices.
	sed -i 's/^getitem_batch = 4$/getitem_batch = 4\ncalendar_view_max = 3/' oisync.conf
	grep -q '^calendar_view_max = 3$' oisync.conf
	run extract --folder calendar "${WINDOW[@]}" --stats
	assert_success
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 9 ]
	[ "$(jq -r 'select(.type == "appointment") | .id' out.jsonl | sort -u | wc -l)" -eq 9 ]
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
	views=$(fake stats | jq '.operations.FindItem')
	[ "$views" -gt 3 ]
	# A window over two years is read in slices of at most two years.
	write_conf
	fake stats/reset '{}' >/dev/null
	run extract --folder calendar --window-start 2024-01-01 --window-end 2029-01-01
	assert_success
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 12 ]
	run fake stats
	assert_output --partial '"FindItem": 3'
	refute_output --partial ErrorCalendarViewRangeTooBig
}

@test "a sync state the server rejects means a full read, with a warning" {
	run extract --folder calendar "${WINDOW[@]}"
	commit_token calendar '{"v":1,"sync":"bm90IGEgc3luYyBzdGF0ZQ==","start":"2026-11-01T00:00:00Z","end":"2027-01-01T00:00:00Z"}'
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	grep -q 'calendar sync state rejected by the server; reading the whole calendar' err.log
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
	# A token this version did not write is no SyncState to trust either.
	commit_token calendar 'H4sIAAAAAAAEAO29B2AcSZY'
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	grep -q 'committed calendar token is not one this version wrote' err.log
	assert_equal "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" 9
}

@test "failures emit no checkpoint: a truncated body (69), throttling that does not stop (75)" {
	fake faults '{"truncate": {"next": 10}}' >/dev/null
	run extract --folder calendar "${WINDOW[@]}"
	assert_failure 69
	run checkpoint calendar
	assert_output ""
	fake faults '{}' >/dev/null
	fake faults '{"server_busy": {"next": 10, "backoff_ms": 20}}' >/dev/null
	run extract --folder calendar "${WINDOW[@]}"
	assert_failure 75
	grep -q 'still throttled' err.log
	run checkpoint calendar
	assert_output ""
	# Busy for a while, then through: everything, once.
	fake faults '{"server_busy": {"next": 2, "backoff_ms": 20}}' >/dev/null
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 9 ]
}

@test "bad windows are usage errors; no progress line off a terminal" {
	run extract --folder calendar --window-start 2026-12-01 --window-end 2026-11-01
	assert_failure 64
	run extract --folder calendar --window-start tomorrow
	assert_failure 64
	grep -q "window-start 'tomorrow' is not an RFC 3339" err.log
	run "$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$ALICE" --folder tasks
	assert_failure 64
	run extract --folder calendar "${WINDOW[@]}"
	assert_success
	run grep -c $'\r' err.log
	assert_output 0
}

@test "on a terminal a progress line counts the items, and is cleared at the end" {
	fake faults '{"latency_ms": 150}' >/dev/null
	# script(1) gives the run a terminal; stdout still goes to the file.
	run script -qec "'$BIN/oisync-extract' -c '$T/oisync.conf' exchange --mailbox $ALICE --folder calendar \
		--window-start 2026-11-01 --window-end 2027-01-01 >out.jsonl" typescript
	assert_success
	[ "$(jq -s 'map(select(.type == "appointment")) | length' out.jsonl)" -eq 9 ]
	grep -aq $'\roisync-extract: alice@firm.example: calendar: [0-9]* of ~9 items' typescript
	# The last line drawn is cleared at the end.
	grep -aq $'items\033\\[K\r\033\\[K$' typescript
}
