#!/usr/bin/env bats
# ews_managed_api.bats - a second real EWS client against the fake EWS server: the
# npm port of Microsoft's EWS Managed API (ews-javascript-api, installed by `make
# deps` from package-lock.json), run by tests/clients/ews_managed_api.js. Contacts
# (create, Bind, update, delete), SyncFolderItems and a CalendarView, each with
# Basic and with NTLM, by impersonation and by delegate access.
#
# Loading the API costs node a second or more of CPU, so each auth x access
# combination runs every check's steps in ONE node process, in setup_file; each
# test then asserts on its own check's lines of that run (see steps_of) and on
# what the fake stores. Only the tests of refused access start node themselves.

load ../helper

# Each service account has one kind of access to alice and not the other, so a
# step that succeeds proves the client used the kind it was asked for.
SEED='{"service_accounts": {
  "svc-imp": {"impersonate": ["alice@firm.example"], "delegate": []},
  "svc-del": {"impersonate": [], "delegate": ["alice@firm.example"]}},
 "mailboxes": {"alice@firm.example": {"contacts": [], "calendar": []},
               "bob@firm.example": {"contacts": []}}}'

# One fake that offers Basic only and one that offers NTLM only, for the whole
# file: a step that succeeds on the second did authenticate with NTLM.
setup_file() {
	local f=$BATS_FILE_TMPDIR imp del
	if [ ! -e "$ROOT/node_modules/ews-javascript-api/package.json" ]; then
		echo "ews-javascript-api is not installed: run make deps" >&2
		return 1
	fi
	imp=$(_fakes_secret)
	del=$(_fakes_secret)
	# Secrets exist only at run time, in 0600 files, never on a command line.
	(
		umask 077
		printf '%s\n' "$imp" >"$f/svc-imp.secret"
		printf '%s\n' "$del" >"$f/svc-del.secret"
		printf 'not-%s\n' "$imp" >"$f/wrong.secret"
		printf 'svc-imp:%s\nsvc-del:%s\n' "$imp" "$del" >"$f/credentials"
	)
	printf '%s\n' "$SEED" >"$f/seed.json"
	start_fake BASIC ews/ews_server.py --seed "$f/seed.json" --credentials-file "$f/credentials" --auth basic
	start_fake NTLM ews/ews_server.py --seed "$f/seed.json" --credentials-file "$f/credentials" --auth ntlm
	export BASIC_PID BASIC_PORT NTLM_PID NTLM_PORT
	# One after the other, never side by side: two runs on one fake would see each
	# other's writes in their SyncFolderItems windows. Each has its own day for its
	# meeting, so its CalendarView holds that meeting alone.
	combination basic impersonation 04
	combination basic delegate 05
	combination ntlm impersonation 06
	combination ntlm delegate 07
}

teardown_file() {
	stop_fake BASIC
	stop_fake NTLM
}

port_of() { # AUTH
	if [ "$1" = ntlm ]; then echo "$NTLM_PORT"; else echo "$BASIC_PORT"; fi
}

# ewsjs AUTH ACCESS STEP... : run the client for alice's mailbox on AUTH's fake, as
# the account with ACCESS to it (svc-imp impersonates, svc-del is a delegate), or
# as $AS with the password in $SECRET when set; its stderr goes to $ERR (default
# the test's node.err).
ewsjs() {
	local auth=$1 access=$2 account=svc-imp
	shift 2
	[ "$access" = delegate ] && account=svc-del
	account=${AS:-$account}
	EWSJS_URL="http://127.0.0.1:$(port_of "$auth")/EWS/Exchange.asmx" EWSJS_AUTH=$auth \
		EWSJS_USER=$account EWSJS_SECRET_FILE="$BATS_FILE_TMPDIR/${SECRET:-$account.secret}" \
		EWSJS_ACCESS=$access EWSJS_MAILBOX=$ALICE \
		timeout 120 node "$CLIENTS/ews_managed_api.js" "$@" 2>>"${ERR:-$BATS_TEST_TMPDIR/node.err}"
}

ctl() { # AUTH PATH [JSON]: the fake's control endpoint
	local base
	base="http://127.0.0.1:$(port_of "$1")/_fake/$2"
	if [ -n "${3:-}" ]; then
		curl -sS --fail-with-body -H 'Content-Type: application/json' --data-binary "$3" "$base"
	else
		curl -sS --fail-with-body "$base"
	fi
}

# stored AUTH ID [FOLDER]: the item ID as alice's mailbox holds it (EWS-native JSON)
stored() {
	ctl "$1" "dump?mailbox=$ALICE&folder=${3:-contacts}" |
		jq -c --arg id "$2" --arg f "${3:-contacts}" '.[$f][] | select(.ItemId.Id == $id)'
}

new_contact() { # AUTH GIVEN SURNAME: a contact made on the server's side; its id
	ctl "$1" create "{\"mailbox\":\"$ALICE\",\"folder\":\"contacts\",\"item\":{\"GivenName\":\"$2\",\"Surname\":\"$3\",\"CompanyName\":\"Old Co\"}}" |
		jq -r .id
}

# combination AUTH ACCESS DAY: one node process runs the steps of all the checks
# below for AUTH x ACCESS, each check's behind a "mark CHECK", into
# $BATS_FILE_TMPDIR/AUTH-ACCESS.{out,err,rc}. What update and delete change is
# made on the server's side first (with the ChangeKey it had), and for basic x
# impersonation the weekly series of the DST test. Many requests in one process:
# with NTLM each runs after the one whose connection it asked to close (the
# AUTHENTICATE carries "Connection: Close"), Bind then UpdateItem among them.
combination() {
	local auth=$1 access=$2 d=2026-05-$3 c="$BATS_FILE_TMPDIR/$1-$2" upd del
	local -a extra=()
	upd=$(new_contact "$auth" Uma "Update-$auth-$access")
	stored "$auth" "$upd" | jq -r .ItemId.ChangeKey >"$c.update-before"
	printf '%s\n' "$upd" >"$c.update-id"
	del=$(new_contact "$auth" Dan "Delete-$auth-$access")
	printf '%s\n' "$del" >"$c.delete-id"
	if [ "$auth-$access" = basic-impersonation ]; then
		# The series in its own zone (W. Europe: UTC+1, from 29 March UTC+2).
		ctl basic create '{"mailbox":"alice@firm.example","folder":"calendar","item":{"Subject":"Stand-up","Start":"2026-03-23T09:00:00","End":"2026-03-23T09:15:00","StartTimeZone":"W. Europe Standard Time","Recurrence":{"Pattern":{"Type":"WeeklyRecurrence","Interval":"1","DaysOfWeek":"Monday"},"Range":{"Type":"NumberedRecurrence","StartDate":"2026-03-23","NumberOfOccurrences":"3"}}}}' >/dev/null
		extra=(+ mark dst + calendar-view 2026-03-20T00:00:00Z 2026-04-10T00:00:00Z)
	fi
	# The stack of a step that fails goes to the .err file, for steps_of to show.
	EWSJS_DEBUG=1 ERR="$c.err" ewsjs "$auth" "$access" \
		mark create + create-contact Cara "Create-$auth-$access" \
		+ mark read + create-contact Rhea "Read-$auth-$access" + read-contact @id \
		+ mark update + update-contact "$upd" "New Co" \
		+ mark delete + delete-contact "$del" \
		+ mark sync + sync + create-contact Sid "Sync-$auth-$access" + sync @state \
		+ update-contact @id "Sync Co" + sync @state + delete-contact @id + sync @state \
		+ mark calendar + create-meeting "Review $auth $access" "${d}T09:00:00Z" "${d}T10:30:00Z" \
		+ calendar-view "${d}T00:00:00Z" "${d}T23:59:59Z" \
		${extra[@]+"${extra[@]}"} + mark end >"$c.out" && echo 0 >"$c.rc" || echo $? >"$c.rc"
}

# steps_of AUTH ACCESS CHECK: sets $output to the lines CHECK's steps printed in
# AUTH x ACCESS's run: those after "mark CHECK", up to the next mark. The client
# stops at the first step that fails, so that next mark came out only if each of
# CHECK's steps succeeded; else (or if the run died without saying which step
# failed) the test fails with the run's exit status, stdout and stderr.
steps_of() {
	local c="$BATS_FILE_TMPDIR/$1-$2" rc
	rc=$(cat "$c.rc" 2>/dev/null) || rc=unknown
	if output=$(awk -v m="{\"mark\":\"$3\"}" '
			$0 == m { on = 1; next }
			on && /^\{"mark":/ { done = 1; exit }
			on { print }
			END { exit !done }' "$c.out") &&
		{ [ "$rc" = 0 ] || grep -q '^{"error":' "$c.out"; }; then
		return 0
	fi
	{
		echo "the $1 $2 run of ews_managed_api.js did not get through the steps of '$3' (exit status $rc; it stops at the first step that fails)"
		echo '-- its stdout:'
		cat "$c.out"
		echo '-- its stderr:'
		cat "$c.err"
	} >&2
	return 1
}

check_create() { # AUTH ACCESS
	steps_of "$1" "$2" create
	id=$(jq -r .id <<<"$output")
	run jq -r '[.GivenName, .Surname, .DisplayName, .CompanyName, .EmailAddresses.EmailAddress1,
		.PhoneNumbers.BusinessPhone, .Birthday] | join("|")' <<<"$(stored "$1" "$id")"
	assert_output "Cara|Create-$1-$2|Cara Create-$1-$2|Acme Widgets|cara.create-$1-$2@acme.example|+1 212 555 0100|1990-12-10T12:00:00Z"
}

# The client reads back what it wrote: its Birthday (sent with an offset and
# milliseconds) comes back in UTC, as Exchange answers it, and parses.
check_read() { # AUTH ACCESS
	steps_of "$1" "$2" read
	id=$(head -1 <<<"$output" | jq -r .id)
	run jq -r '[.id == $id, .given, .surname, .company, .email1, .birthday, .raw_birthday] | join("|")' \
		--arg id "$id" <<<"$(tail -1 <<<"$output")"
	assert_output "true|Rhea|Read-$1-$2|Acme Widgets|rhea.read-$1-$2@acme.example|1990-12-10T12:00:00.000Z|1990-12-10T12:00:00Z"
}

# Uma, made on the server's side by combination, whose ChangeKey it kept.
check_update() { # AUTH ACCESS
	local c="$BATS_FILE_TMPDIR/$1-$2" id before
	steps_of "$1" "$2" update
	id=$(cat "$c.update-id")
	before=$(cat "$c.update-before")
	run jq -r '[.CompanyName, .JobTitle, .ItemId.ChangeKey != $ck] | join("|")' --arg ck "$before" \
		<<<"$(stored "$1" "$id")"
	assert_output "New Co|Partner|true"
}

# Dan, made on the server's side by combination.
check_delete() { # AUTH ACCESS
	local id
	steps_of "$1" "$2" delete
	id=$(cat "$BATS_FILE_TMPDIR/$1-$2.delete-id")
	run stored "$1" "$id"
	assert_output ''
	run jq -r --arg s "Delete-$1-$2" '.deleteditems[] | select(.Surname == $s) | .GivenName' \
		<<<"$(ctl "$1" "dump?mailbox=$ALICE&folder=deleteditems")"
	assert_output Dan
}

# SyncFolderItems from the state before each of the client's own writes sees
# exactly that write: Create, Update, Delete. Its steps run one after the other in
# their process, and nothing else writes to the fake meanwhile (see setup_file).
check_sync() { # AUTH ACCESS
	local id
	steps_of "$1" "$2" sync
	assert_equal "$(wc -l <<<"$output")" 7
	id=$(sed -n 2p <<<"$output" | jq -r .id)
	for n in 3 5 7; do
		sed -n "${n}p" <<<"$output" | jq -c --arg id "$id" '.changes | map(.id == $id, .type, .given)'
	done >"$BATS_TEST_TMPDIR/changes"
	run cat "$BATS_TEST_TMPDIR/changes"
	assert_output - <<'EOF'
[true,"Create","Sid"]
[true,"Update","Sid"]
[true,"Delete",null]
EOF
}

# A meeting the client made, through a CalendarView around it; each combination
# has its own day, so the view holds that meeting alone.
check_calendar() { # AUTH ACCESS DAY
	local d=2026-05-$3 id
	steps_of "$1" "$2" calendar
	id=$(head -1 <<<"$output" | jq -r .id)
	run jq -c --arg id "$id" '[(.entries | map([.id == $id, .subject, .start, .end, .is_meeting])), .raw_start]' \
		<<<"$(tail -1 <<<"$output")"
	assert_output "[[[true,\"Review $1 $2\",\"${d}T09:00:00.000Z\",\"${d}T10:30:00.000Z\",true]],\"${d}T09:00:00Z\"]"
	run jq -c '[.Start, .End, .Location, (.RequiredAttendees | map(.EmailAddress))]' \
		<<<"$(stored "$1" "$id" calendar)"
	assert_output "[\"${d}T09:00:00Z\",\"${d}T10:30:00Z\",\"Room 4\",[\"bob@firm.example\"]]"
}

@test "basic, impersonation: create a contact" { check_create basic impersonation; }
@test "basic, impersonation: read a contact (Bind) with its birthday" { check_read basic impersonation; }
@test "basic, impersonation: update a contact" { check_update basic impersonation; }
@test "basic, impersonation: delete a contact" { check_delete basic impersonation; }
@test "basic, impersonation: SyncFolderItems sees create, update, delete" { check_sync basic impersonation; }
@test "basic, impersonation: CalendarView shows the meeting it created" { check_calendar basic impersonation 04; }

@test "basic, delegate: create a contact" { check_create basic delegate; }
@test "basic, delegate: read a contact (Bind) with its birthday" { check_read basic delegate; }
@test "basic, delegate: update a contact" { check_update basic delegate; }
@test "basic, delegate: delete a contact" { check_delete basic delegate; }
@test "basic, delegate: SyncFolderItems sees create, update, delete" { check_sync basic delegate; }
@test "basic, delegate: CalendarView shows the meeting it created" { check_calendar basic delegate 05; }

@test "NTLM, impersonation: create a contact" { check_create ntlm impersonation; }
@test "NTLM, impersonation: read a contact (Bind) with its birthday" { check_read ntlm impersonation; }
@test "NTLM, impersonation: update a contact" { check_update ntlm impersonation; }
@test "NTLM, impersonation: delete a contact" { check_delete ntlm impersonation; }
@test "NTLM, impersonation: SyncFolderItems sees create, update, delete" { check_sync ntlm impersonation; }
@test "NTLM, impersonation: CalendarView shows the meeting it created" { check_calendar ntlm impersonation 06; }

@test "NTLM, delegate: create a contact" { check_create ntlm delegate; }
@test "NTLM, delegate: read a contact (Bind) with its birthday" { check_read ntlm delegate; }
@test "NTLM, delegate: update a contact" { check_update ntlm delegate; }
@test "NTLM, delegate: delete a contact" { check_delete ntlm delegate; }
@test "NTLM, delegate: SyncFolderItems sees create, update, delete" { check_sync ntlm delegate; }
@test "NTLM, delegate: CalendarView shows the meeting it created" { check_calendar ntlm delegate 07; }

# The series in its own zone (W. Europe: UTC+1, from 29 March UTC+2), made on the
# server's side by combination, is expanded there, and every time reaches the
# client in UTC.
@test "basic, impersonation: CalendarView of a weekly series across a DST change" {
	steps_of basic impersonation dst
	run jq -r '.entries[] | "\(.subject) \(.start) \(.end)"' <<<"$output"
	assert_output - <<'EOF'
Stand-up 2026-03-23T08:00:00.000Z 2026-03-23T08:15:00.000Z
Stand-up 2026-03-30T07:00:00.000Z 2026-03-30T07:15:00.000Z
Stand-up 2026-04-06T07:00:00.000Z 2026-04-06T07:15:00.000Z
EOF
}

# The other kind of access is refused as Exchange refuses it: impersonation
# without the right is a SOAP fault, a delegate without it an error response.
@test "each account has only the access it was granted, with Basic and with NTLM" {
	for auth in basic ntlm; do
		AS=svc-del run ewsjs "$auth" impersonation sync
		assert_failure
		assert_output '{"error":"ErrorImpersonateUserDenied"}'
		AS=svc-imp run ewsjs "$auth" delegate sync
		assert_failure
		assert_output '{"error":"ErrorAccessDenied"}'
	done
}

@test "a wrong password is refused, with Basic and with NTLM" {
	for auth in basic ntlm; do
		SECRET=wrong.secret run ewsjs "$auth" impersonation sync
		assert_failure
		assert_output '{"error":"401 Unauthorized"}'
	done
	run ctl basic stats
	assert_output --partial '"auth_failures": 1'
	run ctl ntlm stats
	assert_output --partial '"auth_failures": 1'
}
