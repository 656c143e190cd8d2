#!/usr/bin/env bats
# ews_calendar.bats - the fake EWS calendar and folders answer like Exchange 2016 (curl, exchangelib).
# One server for the file, reset before every test.

load ../helper

SEED="$FAKES/ews/seed_example.json"

# Secrets exist only at run time, in 0600 files, never on a command line.
setup_file() {
	local pw
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	(umask 077
	 printf 'svc-oisync:s3cret-%s\n' "$pw" >"$BATS_FILE_TMPDIR/cred"
	 printf 'user = "svc-oisync:s3cret-%s"\n' "$pw" >"$BATS_FILE_TMPDIR/curl-svc")
	start_fake EWS ews/ews_server.py --seed "$SEED" --credentials-file "$BATS_FILE_TMPDIR/cred" \
		--auth basic
}

teardown_file() {
	stop_fake EWS
}

setup() {
	cp "$BATS_FILE_TMPDIR/curl-svc" "$BATS_TEST_TMPDIR/"
	URL="http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
	CTL="http://127.0.0.1:$EWS_PORT/_fake"
	reset_fake EWS
}

jget() { "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

SHAPE='<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/><t:FieldURI FieldURI="calendar:Start"/><t:FieldURI FieldURI="calendar:End"/><t:FieldURI FieldURI="calendar:OriginalStart"/><t:FieldURI FieldURI="calendar:CalendarItemType"/><t:FieldURI FieldURI="calendar:UID"/></t:AdditionalProperties></m:ItemShape>'
# view MAX START END - a CalendarView FindItem on alice's calendar (MAX empty: no limit)
view() {
	local max=""
	[ -n "$1" ] && max=" MaxEntriesReturned=\"$1\""
	soap "<m:FindItem Traversal=\"Shallow\">$SHAPE<m:CalendarView$max StartDate=\"$2\" EndDate=\"$3\"/><m:ParentFolderIds><t:DistinguishedFolderId Id=\"${4:-calendar}\"/></m:ParentFolderIds></m:FindItem>"
}

# A weekly series (Mon/Thu 09:00 Berlin, 8 times from 16 March 2026) with the 23 March
# occurrence moved and the 30 March one deleted, made through the control endpoint.
SERIES='{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Team call","Start":"2026-03-16T09:00:00","End":"2026-03-16T09:30:00","StartTimeZone":"W. Europe Standard Time","EndTimeZone":"W. Europe Standard Time","Location":"Room 1","Recurrence":{"Pattern":{"Type":"WeeklyRecurrence","Interval":"1","DaysOfWeek":"Monday Thursday","FirstDayOfWeek":"Monday"},"Range":{"Type":"NumberedRecurrence","StartDate":"2026-03-16","NumberOfOccurrences":"8"}},"DeletedOccurrences":["2026-03-30T07:00:00Z"],"ModifiedOccurrences":[{"OriginalStart":"2026-03-23T08:00:00Z","Subject":"Team call (moved)","Start":"2026-03-23T10:00:00Z","End":"2026-03-23T10:30:00Z"}]}}'

@test "exchangelib: single, all-day and a weekly series with an exception and a deletion round-trip" {
	run timeout 60 "$PYTHON" "$CLIENTS/exchangelib_calendar.py" "$URL" "$BATS_FILE_TMPDIR/cred"
	assert_success
	assert_output --partial 'exchangelib calendar ok'
	ids=$(printf '%s\n' "$output" | grep '^{')
	curl -s "$CTL/dump?mailbox=$ALICE&folder=calendar" >"$BATS_TEST_TMPDIR/dump"
	# what the fake stores is what exchangelib wrote
	run "$PYTHON" - "$BATS_TEST_TMPDIR/dump" "$ids" <<'EOF'
import json, sys
dump = json.load(open(sys.argv[1]))
ids = json.loads(sys.argv[2])
items = {c["ItemId"]["Id"]: c for c in dump["calendar"]}
assert ids["single"] not in items, "the deleted single is gone"
m = items[ids["master"]]
assert (m["Subject"], m["Start"], m["End"], m["StartTimeZone"]) == (
    "Team call", "2026-03-16T08:00:00Z", "2026-03-16T08:30:00Z", "W. Europe Standard Time"), m
assert m["Recurrence"]["Pattern"]["DaysOfWeek"] == "Monday Thursday", m["Recurrence"]
assert m["Recurrence"]["Range"] == {"Type": "NumberedRecurrence", "StartDate": "2026-03-16",
                                    "NumberOfOccurrences": "8"}, m["Recurrence"]
assert m["DeletedOccurrences"] == ["2026-03-30T07:00:00Z"], m
x = m["ModifiedOccurrences"][0]
assert (x["ItemId"]["Id"], x["OriginalStart"], x["Start"], x["Subject"]) == (
    ids["exception"], "2026-03-23T08:00:00Z", "2026-03-23T10:00:00Z", "Team call (moved)"), x
a = items[ids["allday"]]
# exchangelib's all-day end is the last day; on the wire EWS's End is exclusive
assert (a["IsAllDayEvent"], a["Start"], a["End"]) == (
    "true", "2026-03-06T00:00:00Z", "2026-03-07T00:00:00Z"), a
print("stored as written")
EOF
	assert_success
	assert_output 'stored as written'
}

@test "exchangelib's single meeting is stored with attendees, zone and op id" {
	run timeout 60 "$PYTHON" - "$URL" "$BATS_FILE_TMPDIR/cred" "$CLIENTS" <<'EOF'
import sys
sys.path.insert(0, sys.argv[3])
import exchangelib_calendar  # registers the op id extended property
from exchangelib import (Account, Attendee, BASIC, Build, CalendarItem, Configuration,
                         Credentials, EWSDateTime, EWSTimeZone, IMPERSONATION, Mailbox, Version)
secret = dict(l.rstrip("\n").split(":", 1) for l in open(sys.argv[2]))["svc-oisync"]
acc = Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
              config=Configuration(service_endpoint=sys.argv[1],
                                   credentials=Credentials("svc-oisync", secret),
                                   auth_type=BASIC, version=Version(build=Build(15, 1))),
              autodiscover=False)
tz = EWSTimeZone("Europe/Berlin")
it = CalendarItem(folder=acc.calendar, subject="Lunch", start=EWSDateTime(2026, 7, 1, 12, 0, tzinfo=tz),
                  end=EWSDateTime(2026, 7, 1, 13, 0, tzinfo=tz), op_id="op-9",
                  required_attendees=[Attendee(mailbox=Mailbox(email_address="bob@firm.example",
                                                               name="Bob"), response_type="Accept")])
it.save(send_meeting_invitations="SendToNone")
print(it.id)
EOF
	assert_success
	id=$output
	run bash -c "curl -s '$CTL/dump?mailbox=$ALICE&folder=calendar'"
	assert_output --partial "$id"
	assert_output --partial '"StartTimeZone": "W. Europe Standard Time"'
	assert_output --partial '"Start": "2026-07-01T10:00:00Z"'
	assert_output --partial '"EmailAddress": "bob@firm.example"'
	assert_output --partial '"ResponseType": "Accept"'
	assert_output --partial '"PropertyName": "oisync-op-id"'
	assert_output --partial '"Value": "op-9"'
}

@test "CalendarView expands a series: occurrences, the exception, no deleted one, singles" {
	fake_ctl EWS create "$SERIES" >/dev/null
	fake_ctl EWS create '{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Lunch","Start":"2026-03-20T11:00:00Z","End":"2026-03-20T12:00:00Z"}}' >/dev/null
	run view "" 2026-03-01T00:00:00Z 2026-05-01T00:00:00Z
	assert_output 200
	run xget './/t:CalendarItem/t:CalendarItemType'
	assert_output "$(printf 'Occurrence\nOccurrence\nSingle\nException\nOccurrence\nOccurrence\nOccurrence\nOccurrence')"
	run xget './/t:CalendarItem/t:Start'
	assert_output --partial '2026-03-23T10:00:00Z'
	refute_output --partial '2026-03-30T07:00:00Z'
	assert_output --partial '2026-04-02T07:00:00Z'     # 09:00 Berlin after the DST change
	run xget './/t:CalendarItem/t:OriginalStart'
	assert_output --partial '2026-03-23T08:00:00Z'
	run xget './/m:RootFolder' TotalItemsInView
	assert_output 8
	[ "$(xget './/t:CalendarItem/t:ItemId' Id | sort -u | wc -l)" -eq 8 ]
}

@test "CalendarView limits: MaxEntriesReturned, two years, end before start, not a calendar" {
	fake_ctl EWS create "$SERIES" >/dev/null
	run view 3 2026-03-01T00:00:00Z 2026-05-01T00:00:00Z
	assert_output 200
	run xget './/m:RootFolder' IncludesLastItemInRange
	assert_output false
	run xget './/m:RootFolder' TotalItemsInView
	assert_output 7
	run xget './/t:CalendarItem/t:Start'
	assert_output "$(printf '2026-03-16T08:00:00Z\n2026-03-19T08:00:00Z\n2026-03-23T10:00:00Z')"
	run view 7 2026-03-01T00:00:00Z 2026-05-01T00:00:00Z
	run xget './/m:RootFolder' IncludesLastItemInRange
	assert_output true
	run view "" 2026-01-01T00:00:00Z 2028-01-01T00:00:01Z
	run xget './/m:ResponseCode'
	assert_output ErrorCalendarViewRangeTooBig
	run view "" 2026-01-01T00:00:00Z 2028-01-01T00:00:00Z
	run xget './/m:ResponseCode'
	assert_output NoError
	run view "" 2026-05-01T00:00:00Z 2026-03-01T00:00:00Z
	run xget './/m:ResponseCode'
	assert_output ErrorCalendarEndDateIsEarlierThanStartDate
	run view "" 2026-03-01T00:00:00Z 2026-05-01T00:00:00Z contacts
	run xget './/m:ResponseCode'
	assert_output ErrorCalendarFolderIsInvalidForCalendarView
	# two daily series: 1460 entries in two years, over Exchange's find count limit
	local daily='{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Daily","Start":"2026-01-01T08:00:00Z","End":"2026-01-01T08:15:00Z","Recurrence":{"Pattern":{"Type":"DailyRecurrence","Interval":"1"},"Range":{"Type":"NoEndRecurrence","StartDate":"2026-01-01"}}}}'
	fake_ctl EWS create "$daily" >/dev/null
	fake_ctl EWS create "$daily" >/dev/null
	run view "" 2026-01-01T00:00:00Z 2028-01-01T00:00:00Z
	run xget './/m:ResponseCode'
	assert_output ErrorExceededFindCountLimit
	run view 500 2026-01-01T00:00:00Z 2028-01-01T00:00:00Z
	run xget './/m:RootFolder' IncludesLastItemInRange
	assert_output false
	run xget './/m:RootFolder' TotalItemsInView
	assert_output 1467    # 2 x 730 days, and the 7 of the weekly series
}

@test "GetItem: occurrence ids, OccurrenceItemId, RecurringMasterItemId and bad ids" {
	master=$(fake_ctl EWS create "$SERIES" | jget 'd["id"]')
	get() { soap "<m:GetItem>$SHAPE<m:ItemIds>$1</m:ItemIds></m:GetItem>"; }
	run get "<t:OccurrenceItemId RecurringMasterId=\"$master\" InstanceIndex=\"2\"/><t:OccurrenceItemId RecurringMasterId=\"$master\" InstanceIndex=\"3\"/><t:OccurrenceItemId RecurringMasterId=\"$master\" InstanceIndex=\"5\"/><t:OccurrenceItemId RecurringMasterId=\"$master\" InstanceIndex=\"9\"/><t:ItemId Id=\"bm90LWFuLWlk\"/><t:ItemId Id=\"${master%????}AAAA\"/>"
	assert_output 200
	run xget './/m:ResponseCode'
	assert_output "$(printf 'NoError\nNoError\nErrorCalendarOccurrenceIsDeletedFromRecurrence\nErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange\nErrorInvalidIdMalformed\nErrorItemNotFound')"
	run xget './/t:CalendarItem/t:CalendarItemType'
	assert_output "$(printf 'Occurrence\nException')"
	occ=$(xget './/t:CalendarItem/t:ItemId' Id | head -1)
	run get "<t:ItemId Id=\"$occ\"/><t:RecurringMasterItemId OccurrenceId=\"$occ\"/><t:RecurringMasterItemId OccurrenceId=\"$master\"/>"
	run xget './/m:ResponseCode'
	assert_output "$(printf 'NoError\nNoError\nErrorCalendarCannotUseIdForOccurrenceId')"
	run xget './/t:CalendarItem/t:ItemId' Id
	assert_output "$(printf '%s\n%s' "$occ" "$master")"
	# the master, with everything a full read needs
	soap "<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id=\"$master\"/></m:ItemIds></m:GetItem>" >/dev/null
	run xget './/t:CalendarItem/t:Recurrence/t:WeeklyRecurrence/t:DaysOfWeek'
	assert_output 'Monday Thursday'
	run xget './/t:CalendarItem/t:DeletedOccurrences/t:DeletedOccurrence/t:Start'
	assert_output 2026-03-30T07:00:00Z
	run xget './/t:CalendarItem/t:ModifiedOccurrences/t:Occurrence/t:OriginalStart'
	assert_output 2026-03-23T08:00:00Z
	run xget './/t:CalendarItem/t:StartTimeZone' Id
	assert_output 'W. Europe Standard Time'
	run xget './/t:CalendarItem/t:LastOccurrence/t:Start'
	assert_output 2026-04-09T07:00:00Z
}

@test "SyncFolderItems on the calendar: masters and singles; series changes update the master" {
	sync() {
		local st=""
		[ -n "${1:-}" ] && st="<m:SyncState>$1</m:SyncState>"
		soap "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId>$st<m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>" >/dev/null
	}
	master=$(fake_ctl EWS create "$SERIES" | jget 'd["id"]')
	single=$(fake_ctl EWS create '{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Lunch","Start":"2026-03-20T11:00:00Z","End":"2026-03-20T12:00:00Z"}}' | jget 'd["id"]')
	sync
	run xget './/m:Changes/t:Create/t:CalendarItem/t:ItemId' Id
	assert_output "$(printf '%s\n%s' "$master" "$single")"
	state=$(xget './/m:SyncState')
	# delete one occurrence through EWS: the master changes
	occ=$(curl -s "$CTL/dump?mailbox=$ALICE&folder=calendar" >/dev/null; soap "<m:GetItem>$SHAPE<m:ItemIds><t:OccurrenceItemId RecurringMasterId=\"$master\" InstanceIndex=\"1\"/></m:ItemIds></m:GetItem>" >/dev/null; xget './/t:CalendarItem/t:ItemId' Id)
	run soap "<m:DeleteItem DeleteType=\"MoveToDeletedItems\" SendMeetingCancellations=\"SendToNone\"><m:ItemIds><t:ItemId Id=\"$occ\"/></m:ItemIds></m:DeleteItem>"
	run xget './/m:ResponseCode'
	assert_output NoError
	fake_ctl EWS edit "{\"mailbox\":\"$ALICE\",\"id\":\"$single\",\"set\":{\"Location\":\"Canteen\"}}" >/dev/null
	sync "$state"
	run xget './/m:Changes/t:Update/t:CalendarItem/t:ItemId' Id
	assert_output "$(printf '%s\n%s' "$master" "$single")"
	state=$(xget './/m:SyncState')
	fake_ctl EWS delete "{\"mailbox\":\"$ALICE\",\"id\":\"$single\"}" >/dev/null
	sync "$state"
	run xget './/m:Changes/t:Delete/t:ItemId' Id
	assert_output "$single"
	run bash -c "curl -s '$CTL/dump?mailbox=$ALICE&folder=calendar' | grep -c 2026-03-16T08:00:00Z"
	assert_output 2    # the master's Start and its DeletedOccurrences entry
}

@test "UpdateItem on an occurrence makes an exception with the occurrence's id; bad values fail" {
	master=$(fake_ctl EWS create "$SERIES" | jget 'd["id"]')
	soap "<m:GetItem>$SHAPE<m:ItemIds><t:OccurrenceItemId RecurringMasterId=\"$master\" InstanceIndex=\"2\"/></m:ItemIds></m:GetItem>" >/dev/null
	occ=$(xget './/t:CalendarItem/t:ItemId' Id)
	ck=$(xget './/t:CalendarItem/t:ItemId' ChangeKey)
	upd() { soap "<m:UpdateItem ConflictResolution=\"AutoResolve\" SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange><t:ItemId Id=\"$occ\" ChangeKey=\"$ck\"/><t:Updates><t:SetItemField><t:FieldURI FieldURI=\"$1\"/><t:CalendarItem>$2</t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"; }
	run upd calendar:Location '<t:Location>Room 9</t:Location>'
	run xget './/m:ResponseCode'
	assert_output NoError
	run xget './/m:Items/t:CalendarItem/t:ItemId' Id
	assert_output "$occ"
	ck=$(xget './/m:Items/t:CalendarItem/t:ItemId' ChangeKey)
	run upd calendar:End '<t:End>2026-03-01T00:00:00Z</t:End>'
	run xget './/m:ResponseCode'
	assert_output ErrorCalendarEndDateIsEarlierThanStartDate
	run soap "<m:CreateItem SendMeetingInvitations=\"SendToNone\"><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>x</t:Subject><t:Start>2026-03-01T10:00:00Z</t:Start><t:End>2026-03-01T11:00:00Z</t:End><t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Funday</t:DaysOfWeek></t:WeeklyRecurrence><t:NoEndRecurrence><t:StartDate>2026-03-01</t:StartDate></t:NoEndRecurrence></t:Recurrence></t:CalendarItem></m:Items></m:CreateItem>"
	run xget './/m:ResponseCode'
	assert_output ErrorCalendarInvalidDayForWeeklyRecurrence
	run soap "<m:CreateItem SendMeetingInvitations=\"SendToNone\"><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"contacts\"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>x</t:Subject></t:CalendarItem></m:Items></m:CreateItem>"
	run xget './/m:ResponseCode'
	assert_output ErrorCannotCreateCalendarItemInNonCalendarFolder
	run curl -s "$CTL/dump?mailbox=$ALICE&folder=calendar"
	assert_output --partial '"Location": "Room 9"'
}

@test "monthly and yearly patterns, NoEnd and EndDate ranges expand as in Outlook" {
	fake_ctl EWS create '{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Last weekday","Start":"2026-01-30T17:00:00Z","End":"2026-01-30T18:00:00Z","StartTimeZone":"GMT Standard Time","Recurrence":{"Pattern":{"Type":"RelativeMonthlyRecurrence","Interval":"1","DaysOfWeek":"Weekday","DayOfWeekIndex":"Last"},"Range":{"Type":"NoEndRecurrence","StartDate":"2026-01-01"}}}}' >/dev/null
	fake_ctl EWS create '{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Day 31","Start":"2026-01-31T08:00:00Z","End":"2026-01-31T09:00:00Z","Recurrence":{"Pattern":{"Type":"AbsoluteMonthlyRecurrence","Interval":"1","DayOfMonth":"31"},"Range":{"Type":"EndDateRecurrence","StartDate":"2026-01-31","EndDate":"2026-04-30"}}}}' >/dev/null
	fake_ctl EWS create '{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Anniversary","Start":"2026-06-15T08:00:00Z","End":"2026-06-15T09:00:00Z","Recurrence":{"Pattern":{"Type":"AbsoluteYearlyRecurrence","DayOfMonth":"15","Month":"June"},"Range":{"Type":"NumberedRecurrence","StartDate":"2026-06-15","NumberOfOccurrences":"3"}}}}' >/dev/null
	view "" 2026-01-01T00:00:00Z 2027-12-31T00:00:00Z
	run "$PYTHON" - "$BATS_TEST_TMPDIR/out" <<'EOF'
import sys, xml.etree.ElementTree as ET
t = "{http://schemas.microsoft.com/exchange/services/2006/types}"
got = {}
for ci in ET.parse(sys.argv[1]).getroot().iter(t + "CalendarItem"):
    got.setdefault(ci.find(t + "Subject").text, []).append(ci.find(t + "Start").text[:16])
print(got["Last weekday"][:5])
print(got["Day 31"])
print(got["Anniversary"])
EOF
	assert_line --index 0 "['2026-01-30T17:00', '2026-02-27T17:00', '2026-03-31T16:00', '2026-04-30T16:00', '2026-05-29T16:00']"
	assert_line --index 1 "['2026-01-31T08:00', '2026-02-28T08:00', '2026-03-31T08:00', '2026-04-30T08:00']"
	assert_line --index 2 "['2026-06-15T08:00', '2027-06-15T08:00']"
}

@test "folders: GetFolder, FindFolder Deep with a DisplayName restriction, CreateFolder, a message" {
	cf() { soap "<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id=\"msgfolderroot\"/></m:ParentFolderId><m:Folders><t:Folder><t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>$1</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>"; }
	run cf 'InterAction Sync'
	run xget './/m:ResponseCode'
	assert_output NoError
	fid=$(xget './/m:Folders/t:Folder/t:FolderId' Id)
	run cf 'interaction sync'
	run xget './/m:ResponseCode'
	assert_output ErrorFolderExists
	ff() { soap "<m:FindFolder Traversal=\"$1\"><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>$2<m:ParentFolderIds><t:DistinguishedFolderId Id=\"${3:-msgfolderroot}\"/></m:ParentFolderIds></m:FindFolder>"; }
	ff Shallow ''
	run xget './/t:Folders/*/t:DisplayName'
	assert_output "$(printf 'Contacts\nCalendar\nDeleted Items\nInbox\nInterAction Sync')"
	ff Deep '<m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURIOrConstant><t:Constant Value="InterAction Sync"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>' root
	run xget './/t:Folders/t:Folder/t:FolderId' Id
	assert_output "$fid"
	soap "<m:GetFolder><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape></m:FolderShape><m:FolderIds><t:FolderId Id=\"$fid\"/><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds></m:GetFolder>" >/dev/null
	run xget './/t:Folder/t:DisplayName'
	assert_output 'InterAction Sync'
	run xget './/t:CalendarFolder/t:FolderClass'
	assert_output IPF.Appointment
	run soap "<m:CreateItem MessageDisposition=\"SaveOnly\"><m:SavedItemFolderId><t:FolderId Id=\"$fid\"/></m:SavedItemFolderId><m:Items><t:Message><t:Subject>oisync last sync</t:Subject><t:Body BodyType=\"Text\">state</t:Body><t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"oisync-op-id\" PropertyType=\"String\"/><t:Value>sync-1</t:Value></t:ExtendedProperty></t:Message></m:Items></m:CreateItem>"
	mid=$(xget './/m:Items/t:Message/t:ItemId' Id)
	[ -n "$mid" ]
	soap "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>Default</t:BaseShape><t:AdditionalProperties><t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"oisync-op-id\" PropertyType=\"String\"/></t:AdditionalProperties></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned=\"10\" Offset=\"0\" BasePoint=\"Beginning\"/><m:ParentFolderIds><t:FolderId Id=\"$fid\"/></m:ParentFolderIds></m:FindItem>" >/dev/null
	run xget './/t:Message/t:ExtendedProperty/t:Value'
	assert_output sync-1
	run xget './/t:Message/t:ItemId' Id
	assert_output "$mid"
}

@test "stats count the meeting-mail attribute each write carried, by operation and value" {
	create() { soap "<m:CreateItem$1><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>x</t:Subject><t:Start>2026-03-01T10:00:00Z</t:Start><t:End>2026-03-01T11:00:00Z</t:End></t:CalendarItem></m:Items></m:CreateItem>" >/dev/null; }
	create ' SendMeetingInvitations="SendToNone"'
	id=$(xget './/m:Items/t:CalendarItem/t:ItemId' Id)
	create ' SendMeetingInvitations="SendToAllAndSaveCopy"'
	create ''
	soap "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange><t:ItemId Id=\"$id\"/><t:Updates><t:SetItemField><t:FieldURI FieldURI=\"calendar:Location\"/><t:CalendarItem><t:Location>Room 2</t:Location></t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>" >/dev/null
	soap "<m:DeleteItem DeleteType=\"MoveToDeletedItems\" SendMeetingCancellations=\"SendToNone\"><m:ItemIds><t:ItemId Id=\"$id\"/></m:ItemIds></m:DeleteItem>" >/dev/null
	run xget './/m:ResponseCode'
	assert_output NoError
	run bash -c "curl -s '$CTL/stats' | jq -cS '.meeting_mail'"
	assert_output '{"CreateItem SendMeetingInvitations=SendToAllAndSaveCopy":1,"CreateItem SendMeetingInvitations=SendToNone":1,"DeleteItem SendMeetingCancellations=SendToNone":1,"UpdateItem SendMeetingInvitationsOrCancellations=SendToNone":1}'
}
