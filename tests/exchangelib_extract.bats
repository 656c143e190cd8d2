#!/usr/bin/env bats
# exchangelib_extract.bats - what exchangelib writes, oisync-extract reads back exactly, and the other way round.
#
# Debian's exchangelib (a real EWS client) writes, into the fake EWS server, a
# contact and appointments carrying every property behind a canonical field of
# oisync-records(5) (tests/clients/exchangelib_write_all.py). The real binaries
# then read them: the native data must hold exactly what was written, and
# oisync-transform must make every canonical field of it. Last, a contact
# oisync-apply creates from full canonical data is read back with exchangelib.

load helper

UF=00062004-0000-0000-C000-000000000046
# The window the appointments lie in; fixed, so the result does not depend on today.
WINDOW=(--window-start 2026-03-01 --window-end 2026-05-01T00:00:00Z)

# One fake and one exchangelib write for the whole file (exchangelib takes a
# second or two); every step's exit status is kept for the tests to check.
setup_file() {
	F="$BATS_FILE_TMPDIR"
	cd "$F" || return 1
	umask 077
	# Secrets are written at run time to 0600 files, never committed (doc/ARCHITECTURE.md, "Tests").
	secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf 'svc-oisync:%s\n' "$secret" >credentials
	printf '%s\n' "$secret" >ews.secret
	printf '%s\n' '{"service_accounts": {"svc-oisync": {"impersonate": ["*"]}},
 "mailboxes": {"alice@firm.example": {"contacts": [], "calendar": []}}}' >seed.json
	start_fake EWS ews/ews_server.py --seed seed.json --credentials-file credentials
	echo "$EWS_PID" >fake.pid
	url="http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
	printf '%s\n' "$url" >url
	T=$F EWS_URL=$url write_conf "global.users_file=$F/users.conf"

	# bats runs setup_file with -e: "|| echo" keeps a failure for the tests to report.
	"$PYTHON" "$CLIENTS/exchangelib_write_all.py" "$url" credentials write >write.out 2>write.err \
		&& echo 0 >write.status || echo $? >write.status
	tail -n 1 write.out >write.last
	head -n 1 write.out >ids.json
	"$BIN/oisync-extract" -c "$F/oisync.conf" exchange --mailbox "$ALICE" --folder contacts --full \
		>contacts.jsonl 2>contacts.err && echo 0 >contacts.status || echo $? >contacts.status
	"$BIN/oisync-transform" --region US contacts.jsonl >canonical.jsonl 2>transform.err \
		&& echo 0 >transform.status || echo $? >transform.status
	"$BIN/oisync-extract" -c "$F/oisync.conf" exchange --mailbox "$ALICE" --folder calendar \
		"${WINDOW[@]}" >calendar.jsonl 2>calendar.err && echo 0 >calendar.status || echo $? >calendar.status
	return 0
}

teardown_file() {
	[ -s "$BATS_FILE_TMPDIR/fake.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/fake.pid")" 2>/dev/null
	return 0
}

setup() {
	F="$BATS_FILE_TMPDIR"
	cd "$F" || return 1
}

# step_ok NAME: the setup_file step NAME exited 0 (else its standard error is shown).
step_ok() {
	[ "$(cat "$1.status")" = 0 ] || { echo "$1 exited $(cat "$1.status"):"; cat "$1.err"; false; }
}

id_of() { jq -r --arg k "$1" '.[$k]' ids.json; } # single, allday, master, exception, contact, uid
contact() { jq -c 'select(.type == "contact") | .data' contacts.jsonl; }
# appt ID: the native data of the appointment record with that id
appt() { jq -c --arg id "$1" 'select(.type == "appointment" and .id == $id) | .data' calendar.jsonl; }

@test "exchangelib writes every property and reads back what it wrote" {
	step_ok write
	run cat write.err
	assert_output ''
	assert_equal "$(cat write.last)" "exchangelib write-all ok"
	run jq -r 'keys | join(" ")' ids.json
	assert_output 'allday contact exception master master_uid single uid'
}

@test "extract --full: one contact, then a full checkpoint" {
	step_ok contacts
	run jq -c '[.type, .op, .full]' contacts.jsonl
	assert_output - <<'EOF'
["contact","upsert",null]
["checkpoint",null,true]
EOF
	assert_equal "$(jq -r 'select(.type == "contact") | .id' contacts.jsonl)" "$(id_of contact)"
}

@test "contact data: every name, company and text property as exchangelib wrote it" {
	run jq -c '[.GivenName, .MiddleName, .Surname, .Generation, .Nickname, .DisplayName,
		.FileAs, .CompanyName, .JobTitle, .Department, .AssistantName, .BusinessHomePage,
		.PostalAddressIndex, .Birthday, .Sensitivity, .Categories]' <<<"$(contact)"
	assert_output '["Ann","B.","Lee","III","Annie","Dr. Ann B. Lee III","Lee, Ann","Lee & <Sons>","Chief Executive","Operations","Bo Day","https://lee.example/?a=1&b=2","Home","1970-06-15T11:59:00Z","Private",["Clients","VIP b"]]'
	# The body keeps its line breaks and tab exactly.
	run jq -r '.Body' <<<"$(contact)"
	assert_output "$(printf 'Met at the 2024 IP conference.\nPrefers e-mail.\n\tIndented line.')"
	# The prefix (0x3A45) both as the extended property and as Exchange shows it.
	run jq -c '[.ExtendedProperties["0x3A45"], .CompleteName.Title, .CompleteName.Suffix]' <<<"$(contact)"
	assert_output '["Dr.","Dr.","III"]'
}

@test "contact data: User Fields 1-4 as Outlook's named properties" {
	run jq -c --arg s "$UF" '.ExtendedProperties | [.[$s + ":0x804F"], .[$s + ":0x8050"],
		.[$s + ":0x8051"], .[$s + ":0x8052"], length]' <<<"$(contact)"
	assert_output '["Matter 2024-001","two","three","four",5]'
}

@test "contact data: e-mail addresses 1-3 and every phone kind" {
	run jq -cS '.EmailAddresses' <<<"$(contact)"
	assert_output '{"EmailAddress1":"ann.lee@lee.example","EmailAddress2":"ann@home.example","EmailAddress3":"ann.other@mail.example"}'
	run jq -cS '.PhoneNumbers' <<<"$(contact)"
	assert_output '{"AssistantPhone":"+1 212 555 0108","BusinessFax":"+1 212 555 0106","BusinessPhone":"+1 212-555-0100 ext. 12","BusinessPhone2":"+1 212 555 0102","HomeFax":"+1 212 555 0107","HomePhone":"+12125550104","HomePhone2":"+1-212-555-0105","MobilePhone":"(212) 555-0103","OtherTelephone":"+44 20 7946 0110","Pager":"+1 212 555 0109"}'
}

@test "contact data: business, home and other addresses with two-line streets" {
	run jq -cS '.PhysicalAddresses' <<<"$(contact)"
	assert_output '{"Business":{"City":"New York","CountryOrRegion":"United States","PostalCode":"10001","State":"NY","Street":"1 Main Street\nSuite 400"},"Home":{"City":"Paris","CountryOrRegion":"France","PostalCode":"75002","State":"Ile-de-France","Street":"12 Rue de la Paix\nApt 3"},"Other":{"City":"Berlin","CountryOrRegion":"Germany","PostalCode":"10115","State":"Berlin","Street":"9 Side Road\nUnit B"}}'
}

@test "transform makes every canonical contact field with the right value" {
	step_ok transform
	run cat transform.err
	assert_output ''
	data=$(jq -cS 'select(.type == "contact") | .data' canonical.jsonl)
	# Every field of oisync-records(5), "CANONICAL CONTACT DATA", is there.
	run jq -r 'keys | join(" ")' <<<"$data"
	assert_output 'addresses assistant birthday categories company custom department display emails file_as first job_title last mailing_address middle nickname notes phones prefix private suffix web'
	run jq -c '[.prefix, .first, .middle, .last, .suffix, .nickname, .display, .file_as, .company,
		.job_title, .department, .assistant, .web, .birthday, .mailing_address, .private,
		.categories, .custom]' <<<"$data"
	assert_output '["Dr.","Ann","B.","Lee","III","Annie","Dr. Ann B. Lee III","Lee, Ann","Lee & <Sons>","Chief Executive","Operations","Bo Day","https://lee.example/?a=1&b=2","1970-06-15","home",true,["Clients","VIP b"],["Matter 2024-001","two","three","four"]]'
	run jq -r '.notes' <<<"$data"
	assert_output "$(printf 'Met at the 2024 IP conference.\nPrefers e-mail.\n\tIndented line.')"
	run jq -c '.emails' <<<"$data"
	assert_output '[{"address":"ann.lee@lee.example","kind":"work"},{"address":"ann@home.example","kind":"home"},{"address":"ann.other@mail.example","kind":"other"}]'
	# Phones in E.164 (region US for the one without a country code), the extension as ;ext=.
	run jq -c '.phones' <<<"$data"
	assert_output '{"assistant":"+12125550108","business":"+12125550100;ext=12","business2":"+12125550102","business_fax":"+12125550106","home":"+12125550104","home2":"+12125550105","home_fax":"+12125550107","mobile":"+12125550103","other":"+442079460110","pager":"+12125550109"}'
	# Country names become ISO 3166-1 alpha-2.
	run jq -c '.addresses' <<<"$data"
	assert_output '{"business":{"city":"New York","country":"US","postal_code":"10001","region":"NY","street":"1 Main Street\nSuite 400"},"home":{"city":"Paris","country":"FR","postal_code":"75002","region":"Ile-de-France","street":"12 Rue de la Paix\nApt 3"},"other":{"city":"Berlin","country":"DE","postal_code":"10115","region":"Berlin","street":"9 Side Road\nUnit B"}}'
}

@test "extract of the calendar window: the meeting, the all-day event, 5 occurrences and the exception" {
	step_ok calendar
	run jq -c 'select(.type == "checkpoint") | [.folder, .complete, .full, .window]' calendar.jsonl
	assert_output '["calendar",true,true,{"start":"2026-03-01T00:00:00Z","end":"2026-05-01T00:00:00Z"}]'
	run jq -r 'select(.type == "appointment") | [.op, .data.CalendarItemType, .data.Start, .data.Subject] | join(" ")' calendar.jsonl
	assert_output - <<'EOF'
upsert Single 2026-03-03T19:00:00Z Budget review
upsert Single 2026-03-06T00:00:00Z Firm holiday
upsert Occurrence 2026-03-10T14:00:00Z Partners' meeting
upsert Occurrence 2026-03-17T14:00:00Z Partners' meeting
upsert Exception 2026-03-25T15:00:00Z Partners' meeting (moved)
upsert Occurrence 2026-03-31T14:00:00Z Partners' meeting
upsert Occurrence 2026-04-07T14:00:00Z Partners' meeting
upsert Occurrence 2026-04-14T14:00:00Z Partners' meeting
EOF
	# The master itself is not a record; every id is distinct.
	run jq -s -r --arg m "$(id_of master)" '[.[] | select(.type == "appointment") | .id] | [(unique | length), (index($m) != null)] | @text' calendar.jsonl
	assert_output '[8,false]'
}

@test "appointment data: every property behind a canonical field of the meeting" {
	d=$(appt "$(id_of single)")
	# subject, start, end (UTC), all_day, time_zone (Windows name), location, private, show_as, ical_uid
	run jq -c '[.Subject, .Start, .End, .IsAllDayEvent, .StartTimeZone.Id, .EndTimeZone.Id,
		.Location, .Sensitivity, .LegacyFreeBusyStatus, .UID, .CalendarItemType, .Categories,
		has("RecurringMasterId"), has("OriginalStart")]' <<<"$d"
	assert_output '["Budget review","2026-03-03T19:00:00Z","2026-03-03T20:30:00Z","false","Eastern Standard Time","Eastern Standard Time","Room 4","Private","Tentative","oisync-write-all-0001@firm.example","Single",["Clients","Billing"],false,false]'
	run jq -r '.Body' <<<"$d"
	assert_output "$(printf 'Bring the figures.\nAnd the draft.')"
	# organizer and attendees (required, optional, resource), each an array
	run jq -c '[.Organizer.Mailbox.EmailAddress,
		(.RequiredAttendees, .OptionalAttendees, .Resources | map([.Mailbox.EmailAddress, .Mailbox.Name, .ResponseType]))]' <<<"$d"
	assert_output '["alice@firm.example",[["bob@firm.example","Bob Smith","Accept"]],[["carol@firm.example","Carol Jones","Tentative"]],[["room4@firm.example","Room 4","Unknown"]]]'
}

@test "appointment data: the all-day event runs from midnight to midnight" {
	run jq -c '[.Subject, .IsAllDayEvent, .Start, .End, .LegacyFreeBusyStatus, .Sensitivity,
		.StartTimeZone.Id, .CalendarItemType]' <<<"$(appt "$(id_of allday)")"
	assert_output '["Firm holiday","true","2026-03-06T00:00:00Z","2026-03-07T00:00:00Z","Free","Normal","UTC","Single"]'
}

@test "appointment data: occurrences and the exception carry the series id, UID and original start" {
	master=$(id_of master)
	uid=$(id_of master_uid)
	run jq -r --arg m "$master" --arg u "$uid" 'select(.type == "appointment" and .data.IsRecurring == "true")
		| .data | [.CalendarItemType, .RecurringMasterId == $m, .UID == $u, .OriginalStart, .Start, .End,
		.StartTimeZone.Id, .Location] | map(tostring) | join(" ")' calendar.jsonl
	assert_output - <<'EOF'
Occurrence true true 2026-03-10T14:00:00Z 2026-03-10T14:00:00Z 2026-03-10T15:00:00Z Eastern Standard Time Board room
Occurrence true true 2026-03-17T14:00:00Z 2026-03-17T14:00:00Z 2026-03-17T15:00:00Z Eastern Standard Time Board room
Exception true true 2026-03-24T14:00:00Z 2026-03-25T15:00:00Z 2026-03-25T16:00:00Z Eastern Standard Time Board room
Occurrence true true 2026-03-31T14:00:00Z 2026-03-31T14:00:00Z 2026-03-31T15:00:00Z Eastern Standard Time Board room
Occurrence true true 2026-04-07T14:00:00Z 2026-04-07T14:00:00Z 2026-04-07T15:00:00Z Eastern Standard Time Board room
Occurrence true true 2026-04-14T14:00:00Z 2026-04-14T14:00:00Z 2026-04-14T15:00:00Z Eastern Standard Time Board room
EOF
	# The exception is the one exchangelib made, under the id exchangelib saw.
	run jq -r '.Subject' <<<"$(appt "$(id_of exception)")"
	assert_output "Partners' meeting (moved)"
}

@test "transform maps exchangelib's appointments to canonical data" {
	"$BIN/oisync-transform" --region US calendar.jsonl >calendar.canonical.jsonl
	canon() { jq -cS --arg id "$1" 'select(.type == "appointment" and .id == $id) | .data' calendar.canonical.jsonl; }
	# The meeting: every canonical field Exchange carries, attendees by role.
	run canon "$(id_of single)"
	assert_output '{"attendees":[{"email":"bob@firm.example","name":"Bob Smith","role":"required"},{"email":"carol@firm.example","name":"Carol Jones","role":"optional"},{"email":"room4@firm.example","name":"Room 4","role":"resource"}],"categories":["Billing","Clients"],"end":"2026-03-03T20:30:00Z","ical_uid":"oisync-write-all-0001@firm.example","location":"Room 4","notes":"Bring the figures.\nAnd the draft.","organizer":"alice@firm.example","private":true,"show_as":"tentative","start":"2026-03-03T19:00:00Z","subject":"Budget review","time_zone":"America/New_York"}'
	# The all-day event: its dates, end exclusive (its UID is the server's own).
	run jq -c 'del(.ical_uid)' <<<"$(canon "$(id_of allday)")"
	assert_output '{"all_day":true,"end":"2026-03-07","organizer":"alice@firm.example","show_as":"free","start":"2026-03-06","subject":"Firm holiday","time_zone":"Etc/UTC"}'
	# Occurrences and the exception: their series (the master's id) and original start.
	run jq -r --arg m "$(id_of master)" 'select(.type == "appointment" and .data.series != null) | .data
		| [.series == $m, .original_start, .start, .end, .time_zone, .subject] | map(tostring) | join(" ")' calendar.canonical.jsonl
	assert_output - <<'EOF2'
true 2026-03-10T14:00:00Z 2026-03-10T14:00:00Z 2026-03-10T15:00:00Z America/New_York Partners' meeting
true 2026-03-17T14:00:00Z 2026-03-17T14:00:00Z 2026-03-17T15:00:00Z America/New_York Partners' meeting
true 2026-03-24T14:00:00Z 2026-03-25T15:00:00Z 2026-03-25T16:00:00Z America/New_York Partners' meeting (moved)
true 2026-03-31T14:00:00Z 2026-03-31T14:00:00Z 2026-03-31T15:00:00Z America/New_York Partners' meeting
true 2026-04-07T14:00:00Z 2026-04-07T14:00:00Z 2026-04-07T15:00:00Z America/New_York Partners' meeting
true 2026-04-14T14:00:00Z 2026-04-14T14:00:00Z 2026-04-14T15:00:00Z America/New_York Partners' meeting
EOF2
	# Every record hashed; the checkpoint passes unchanged.
	run jq -r 'select(.type == "appointment") | .hash | startswith("sha256:")' calendar.canonical.jsonl
	refute_output --partial false
	assert_equal "$(jq -cS 'select(.type == "checkpoint")' calendar.canonical.jsonl)" "$(jq -cS 'select(.type == "checkpoint")' calendar.jsonl)"
}

# A contact with full canonical data, as reconcile would ask for it.
FULL='{"prefix":"Ms.","first":"Zoe","middle":"K.","last":"Park","suffix":"Jr.","nickname":"Zee","display":"Ms. Zoe K. Park Jr.","file_as":"Park, Zoe","company":"Park & <Partners>","job_title":"Counsel","department":"Litigation","assistant":"Max Roe","web":"https://park.example/?q=1&r=2","notes":"first line\nsecond line\ttab","emails":[{"address":"zoe@park.example","kind":"work"},{"address":"zoe@home.example","kind":"home"},{"address":"zk@other.example","kind":"other"}],"phones":{"business":"+12125550200;ext=7","business2":"+12125550202","mobile":"+12125550203","home":"+12125550204","home2":"+12125550205","business_fax":"+12125550206","home_fax":"+12125550207","assistant":"+12125550208","pager":"+12125550209","other":"+442079460210"},"addresses":{"business":{"street":"5 Wall St\nFloor 9","city":"New York","region":"NY","postal_code":"10005","country":"US"},"home":{"street":"3 Quai\nBat C","city":"Lyon","region":"Rhone","postal_code":"69002","country":"FR"},"other":{"street":"1 Ring\nHof 2","city":"Vienna","region":"Wien","postal_code":"1010","country":"AT"}},"mailing_address":"other","birthday":"1980-02-29","categories":["Clients","Zeta z"],"custom":["c1","c2","c3","c4"],"private":true}'

@test "exchangelib reads back every field of a contact oisync-apply created" {
	T="$BATS_TEST_TMPDIR"
	{
		printf '{"type":"changeset","account":"%s","server":"ex1","created":"2026-11-24T10:00:00Z","state":0}\n' "$ALICE"
		printf '{"type":"op","op_id":"op-elx-1","action":"create","target":"exchange","kind":"contact","pair":"p1","id":null,"if_version":null,"data":%s,"reason":"test"}\n' "$FULL"
	} >"$T/changes.jsonl"
	"$BIN/oisync-apply" -c "$F/oisync.conf" --state "$T/apply-state" "$T/changes.jsonl" \
		>"$T/results.jsonl" 2>"$T/apply.log"
	run cat "$T/apply.log"
	assert_output 'oisync-apply: alice@firm.example: 1 ok, 0 already done, 0 conflicts, 0 failed'
	run jq -r '.status' "$T/results.jsonl"
	assert_output ok
	id=$(jq -r '.id' "$T/results.jsonl")
	run "$PYTHON" "$CLIENTS/exchangelib_write_all.py" "$(cat url)" credentials read "$id"
	assert_success
	got=$output
	run jq -c '[.prefix, .complete_name_title, .given_name, .middle_name, .surname, .generation,
		.nickname, .display_name, .file_as, .company_name, .job_title, .department, .assistant_name,
		.business_homepage, .birthday, .postal_address_index, .sensitivity, .categories,
		.user_field_1, .user_field_2, .user_field_3, .user_field_4, .op_id]' <<<"$got"
	assert_output '["Ms.","Ms.","Zoe","K.","Park","Jr.","Zee","Ms. Zoe K. Park Jr.","Park, Zoe","Park & <Partners>","Counsel","Litigation","Max Roe","https://park.example/?q=1&r=2","1980-02-29","Other","Private",["Clients","Zeta z"],"c1","c2","c3","c4","op-elx-1"]'
	run jq -r '.body' <<<"$got"
	assert_output "$(printf 'first line\nsecond line\ttab')"
	run jq -c '.emails' <<<"$got"
	assert_output '{"EmailAddress1":"zoe@park.example","EmailAddress2":"zoe@home.example","EmailAddress3":"zk@other.example"}'
	run jq -c '.phones' <<<"$got"
	assert_output '{"AssistantPhone":"+1 212-555-0208","BusinessFax":"+1 212-555-0206","BusinessPhone":"+1 212-555-0200 ext. 7","BusinessPhone2":"+1 212-555-0202","HomeFax":"+1 212-555-0207","HomePhone":"+1 212-555-0204","HomePhone2":"+1 212-555-0205","MobilePhone":"+1 212-555-0203","OtherTelephone":"+44 20 7946 0210","Pager":"+1 212-555-0209"}'
	run jq -c '.addresses' <<<"$got"
	assert_output '{"Business":{"city":"New York","country":"US","state":"NY","street":"5 Wall St\nFloor 9","zipcode":"10005"},"Home":{"city":"Lyon","country":"FR","state":"Rhone","street":"3 Quai\nBat C","zipcode":"69002"},"Other":{"city":"Vienna","country":"AT","state":"Wien","street":"1 Ring\nHof 2","zipcode":"1010"}}'
}
