#!/usr/bin/env bats
# transform.bats - oisync-transform: canonical data and hashes, pass-through, bad input, options.

load helper
bats_require_minimum_version 1.5.0

TRANSFORM="$OISYNC_BUILD/bin/oisync-transform"
DATA="$BATS_TEST_DIRNAME/data/transform"

setup() {
	cd "$BATS_TEST_TMPDIR"
	# No configuration unless a test writes one (transform runs without).
	unset OISYNC_CONF
}

# Same JSON values, whatever the key order and spacing.
same_json() { # FILE FILE
	diff <(jq -cS . "$1") <(jq -cS . "$2")
}

@test "an Outlook and an InterAction record of one person give the same data and hash" {
	run "$TRANSFORM" "$DATA/same-person.jsonl"
	assert_success
	printf '%s\n' "$output" >out.jsonl
	same_json out.jsonl "$DATA/same-person.out.jsonl"
	ex=$(jq -cS 'select(.side == "exchange" and .op == "upsert") | .data' out.jsonl)
	ia=$(jq -cS 'select(.side == "interaction" and .op == "upsert") | .data' out.jsonl)
	assert [ -n "$ex" ]
	assert_equal "$ex" "$ia"
	assert_equal "$(jq -r 'select(.op == "upsert") | .hash' out.jsonl | sort -u | wc -l)" 1
	assert_equal "$(jq -r 'select(.op == "upsert") | .hash' out.jsonl | head -1 | cut -c1-7)" "sha256:"
}

@test "the hash is the SHA-256 of the data's canonical text" {
	"$TRANSFORM" "$DATA/same-person.jsonl" >out.jsonl
	# jq -cS sorts keys and drops spaces: the canonical text of string-only data.
	for id in AAMkADex1 ia-1001; do
		want=$(jq -r --arg id "$id" 'select(.id == $id) | .hash' out.jsonl)
		got=$(jq -cjS --arg id "$id" 'select(.id == $id) | .data' out.jsonl | sha256sum | cut -d' ' -f1)
		assert_equal "sha256:$got" "$want"
	done
}

@test "unknown keys are kept; the native data is replaced" {
	run "$TRANSFORM" "$DATA/same-person.jsonl"
	assert_success
	printf '%s\n' "$output" >out.jsonl
	assert_equal "$(jq -c 'select(.id == "AAMkADex1") | .["x-extract"]' out.jsonl)" '{"batch":1}'
	assert_equal "$(jq -r 'select(.id == "ia-1001") | .user' out.jsonl)" alice
	assert_equal "$(jq -r 'select(.id == "AAMkADex1") | .modified' out.jsonl)" 2026-11-20T09:00:00Z
	assert_equal "$(jq -c 'select(.id == "AAMkADex1") | .data | has("GivenName")' out.jsonl)" false
}

@test "checkpoints, syncinfo, deletes and transformed contacts and appointments pass unchanged" {
	run "$TRANSFORM" "$DATA/passthrough.jsonl"
	assert_success
	printf '%s\n' "$output" >out.jsonl
	same_json out.jsonl "$DATA/passthrough.jsonl"
}

@test "an Outlook appointment is mapped to canonical data: the same meeting from both sides gives one hash" {
	run "$TRANSFORM" "$DATA/appointments.jsonl"
	assert_success
	printf '%s\n' "$output" >out.jsonl
	# A New York meeting with attendees of two roles, and Christmas Day all day in Sydney,
	# whose Exchange times are Sydney's midnights in UTC (2026-12-24T13:00:00Z).
	run jq -cS 'select(.side == "exchange") | .data' out.jsonl
	assert_output - <<'EOF2'
{"attendees":[{"email":"bob@firm.example","name":"Bob Roe","role":"required"},{"email":"room1@firm.example","name":"Board room","role":"resource"}],"categories":["Clients"],"end":"2026-11-10T20:00:00Z","ical_uid":"040000008200E00074C5B7101A82E008","location":"Board room","notes":"Agenda attached","organizer":"alice@firm.example","private":true,"show_as":"tentative","start":"2026-11-10T19:00:00Z","subject":"Partners' meeting","time_zone":"America/New_York"}
{"all_day":true,"end":"2026-12-26","organizer":"alice@firm.example","show_as":"oof","start":"2026-12-25","subject":"Christmas Day","time_zone":"Australia/Sydney"}
EOF2
	# InterAction's record of each gives the same data and hash.
	for pair in AAMkADap2:a-000002 AAMkADap3:a-000003; do
		ex=$(jq -cS --arg id "${pair%%:*}" 'select(.id == $id) | [.data, .hash]' out.jsonl)
		ia=$(jq -cS --arg id "${pair#*:}" 'select(.id == $id) | [.data, .hash]' out.jsonl)
		assert [ -n "$ex" ]
		assert_equal "$ex" "$ia"
	done
	# The hash is the SHA-256 of the canonical text, as for contacts.
	want=$(jq -r 'select(.id == "AAMkADap3") | .hash' out.jsonl)
	got=$(jq -cjS 'select(.id == "AAMkADap3") | .data' out.jsonl | sha256sum | cut -d' ' -f1)
	assert_equal "sha256:$got" "$want"
}

@test "transform twice is transform once" {
	"$TRANSFORM" "$DATA/same-person.jsonl" >once.jsonl
	"$TRANSFORM" once.jsonl >twice.jsonl
	cmp once.jsonl twice.jsonl
	"$TRANSFORM" "$DATA/passthrough.jsonl" | "$TRANSFORM" >twice.jsonl
	"$TRANSFORM" "$DATA/passthrough.jsonl" >once.jsonl
	cmp once.jsonl twice.jsonl
}

@test "stdin, '-' and several files are read in turn" {
	"$TRANSFORM" "$DATA/same-person.jsonl" "$DATA/passthrough.jsonl" >files.jsonl
	cat "$DATA/passthrough.jsonl" | "$TRANSFORM" "$DATA/same-person.jsonl" - >mixed.jsonl
	cmp files.jsonl mixed.jsonl
	"$TRANSFORM" <"$DATA/same-person.jsonl" >stdin.jsonl
	"$TRANSFORM" "$DATA/same-person.jsonl" >named.jsonl
	cmp stdin.jsonl named.jsonl
}

@test "a bad JSON line stops with 65 naming FILE:LINE; records before it are written" {
	run --separate-stderr "$TRANSFORM" "$DATA/bad-json.jsonl"
	assert_failure 65
	assert_equal "$(printf '%s\n' "$output" | jq -r .token)" t1
	[[ "$stderr" == *"bad-json.jsonl:2: "* ]]
	run --separate-stderr "$TRANSFORM" <"$DATA/bad-json.jsonl"
	assert_failure 65
	[[ "$stderr" == *"stdin:2: "* ]]
}

@test "a Graph record is mapped by its backend: the same person as from EWS, the same units" {
	# Ann Lee of same-person.jsonl as Microsoft Graph sends her.
	jq -c 'select(.id == "AAMkADex1")' "$DATA/same-person.jsonl" >ews.jsonl
	jq -c '.id = "AAMkGraph1" | .backend = "graph" | .data = {
		givenName: .data.GivenName, surname: .data.Surname, companyName: .data.CompanyName,
		jobTitle: .data.JobTitle, emailAddresses: [{address: .data.EmailAddresses.EmailAddress1}]}' ews.jsonl >graph.jsonl
	# Only what both carry is compared: the EWS record may hold more than the five units above.
	run "$TRANSFORM" graph.jsonl
	assert_success
	assert_equal "$(jq -r .backend <<<"$output")" graph
	assert_equal "$(jq -c '.data | {first, last, company, job_title, email: .emails[0]}' <<<"$output")" \
		"$("$TRANSFORM" ews.jsonl | jq -c '.data | {first, last, company, job_title, email: .emails[0]}')"
	assert_equal "$(jq -c '.data | has("givenName")' <<<"$output")" false
}

@test "a record naming a backend this build lacks, or one of the other side, stops with 65 naming FILE:LINE" {
	printf '%s\n' '{"type":"contact","side":"exchange","account":"a@x","id":"1","op":"upsert","data":{}}' \
		'{"type":"contact","side":"exchange","backend":"owa","account":"a@x","id":"2","op":"upsert","data":{"x":1}}' >b.jsonl
	run --separate-stderr "$TRANSFORM" b.jsonl
	assert_failure 65
	[[ "$stderr" == *"b.jsonl:2: \"backend\" \"owa\" names no backend of the exchange side" ]]
	assert_equal "$(wc -l <<<"$output")" 1
	printf '%s\n' '{"type":"contact","side":"interaction","backend":"graph","account":"a@x","id":"2","op":"upsert","data":{}}' >c.jsonl
	run --separate-stderr "$TRANSFORM" c.jsonl
	assert_failure 65
	[[ "$stderr" == *"c.jsonl:1: \"backend\" \"graph\" names no backend of the interaction side" ]]
}

@test "a record with a bad envelope stops with 65 naming FILE:LINE" {
	run --separate-stderr "$TRANSFORM" "$DATA/bad-record.jsonl"
	assert_failure 65
	[[ "$stderr" == "oisync-transform: "*"bad-record.jsonl:2: \"data\" must be an object" ]]
	printf '{"type":"nonsense","side":"exchange"}\n' >unknown.jsonl
	run --separate-stderr "$TRANSFORM" unknown.jsonl
	assert_failure 65
	[[ "$stderr" == *"unknown.jsonl:1: "* ]]
}

@test "an over-long line is refused with 65 under --max-line" {
	head -1 "$DATA/same-person.jsonl" >short.jsonl
	sed -n 2p "$DATA/same-person.jsonl" >long.jsonl
	run --separate-stderr "$TRANSFORM" --max-line 100 long.jsonl
	assert_failure 65
	[[ "$stderr" == *"long.jsonl:1: "*"100 bytes"* ]]
	run "$TRANSFORM" --max-line 1000 long.jsonl
	assert_success
}

@test "invalid UTF-8 is refused with 65" {
	printf '{"type":"contact","side":"exchange","account":"a@x","id":"1","op":"upsert","data":{"GivenName":"Jos\xe9"}}\n' >latin1.jsonl
	run --separate-stderr "$TRANSFORM" latin1.jsonl
	assert_failure 65
	[[ "$stderr" == *"latin1.jsonl:1: invalid UTF-8"* ]]
	assert_equal "$output" ""
}

@test "a bad birthday is dropped with a warning naming the record" {
	run --separate-stderr "$TRANSFORM" "$DATA/birthday.jsonl"
	assert_success
	[[ "$stderr" == *'birthday.jsonl:1: contact "AAMkADbday": birthday "sometime in May"'* ]]
	assert_equal "$(printf '%s\n' "$output" | jq -c .data | head -1)" '{"first":"Ann"}'
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.birthday | tail -1)" 1980-05-17
}

@test "phone region: --region, then the configuration's phone_region, else US" {
	# 020 1234 5678 is valid in London and in Essen, and no US number.
	printf '{"type":"contact","side":"interaction","account":"a@x","id":"1","op":"upsert","data":{"phones":{"home":"020 1234 5678","mobile":"(212) 555-0100"}}}\n' >in.jsonl
	run "$TRANSFORM" in.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -c .data.phones)" '{"home":"020 1234 5678","mobile":"+12125550100"}'
	printf '[global]\nstate_dir = %s/state\nphone_region = gb\n' "$PWD" >oisync.conf
	run "$TRANSFORM" -c oisync.conf in.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.phones.home)" +442012345678
	OISYNC_CONF=oisync.conf run "$TRANSFORM" in.jsonl
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.phones.home)" +442012345678
	run "$TRANSFORM" -c oisync.conf --region de in.jsonl
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.phones.home)" +492012345678
}

@test "phone region: the contact's address country, then the account's user's phone_region, then the firm's" {
	printf '[global]\nstate_dir = %s/state\nphone_region = US\n[server ex1]\nurl = http://127.0.0.1:9/EWS/Exchange.asmx\nauth = none\n[interaction]\nurl = http://127.0.0.1:9/\nauth = none\n' "$PWD" >oisync.conf
	printf '[user carl]\nmailbox = carl@firm.example\nphone_region = de\n[user ann]\nmailbox = ann@firm.example\n' >users.conf
	rec() { # ACCOUNT ID DATA
		printf '{"type":"contact","side":"interaction","account":"%s","id":"%s","op":"upsert","data":%s}\n' "$@"
	}
	{
		# Carl's region is Germany: his contacts' national numbers are German.
		rec Carl@Firm.example 1 '{"phones":{"home":"020 1234 5678"}}'
		# Ann has none of her own: the firm's, US.
		rec ann@firm.example 2 '{"phones":{"home":"020 1234 5678","mobile":"(212) 555-0100"}}'
		# A London office in Ann's list is read as London, not as the US.
		rec ann@firm.example 3 '{"addresses":{"business":{"city":"London","country":"United Kingdom"}},"phones":{"mobile":"020 7946 0018"}}'
		# Business address before home.
		rec carl@firm.example 4 '{"addresses":{"home":{"country":"FR"},"business":{"country":"UK"}},"phones":{"mobile":"020 1234 5678"}}'
		# Placeholders stay as typed; white space only is empty.
		rec ann@firm.example 5 '{"phones":{"other":"(555) 555-5555","mobile":"000-000-0000","home":"   "}}'
		# An account no user has: the firm's region.
		rec nobody@firm.example 6 '{"phones":{"home":"(212) 555-0100"}}'
	} >in.jsonl
	run "$TRANSFORM" -c oisync.conf in.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -c '[.id, .data.phones]' | tr '\n' ' ')" \
		'["1",{"home":"+492012345678"}] ["2",{"home":"020 1234 5678","mobile":"+12125550100"}] ["3",{"mobile":"+442079460018"}] ["4",{"mobile":"+442012345678"}] ["5",{"mobile":"000-000-0000","other":"(555) 555-5555"}] ["6",{"home":"+12125550100"}] '
	# --region stands for the user's and the firm's, never for the contact's own country.
	run "$TRANSFORM" -c oisync.conf --region gb in.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -c '[.id, .data.phones]' | sed -n '1p;3p' | tr '\n' ' ')" \
		'["1",{"home":"+442012345678"}] ["3",{"mobile":"+442079460018"}] '
	# Idempotent: the output transformed again is the same.
	printf '%s\n' "$output" | jq -c 'del(.hash)' >again.jsonl
	run "$TRANSFORM" -c oisync.conf --region gb again.jsonl
	assert_equal "$(printf '%s\n' "$output" | jq -c .data)" "$(jq -c .data again.jsonl)"
}

@test "libphonenumber's module opens only for a number to parse; without it, exit 70 naming it" {
	# A copy of the stage with no lib/oisync/oisync-phone.so beside it.
	mkdir bin
	cp "$TRANSFORM" bin/
	printf '{"type":"contact","side":"interaction","account":"a@x","id":"1","op":"upsert","data":{"phones":{"mobile":"+12125550100"}}}\n' >e164.jsonl
	run bin/oisync-transform e164.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.phones.mobile)" +12125550100
	# So are the common North American forms, read in the US, valid or not.
	printf '{"type":"contact","side":"interaction","account":"a@x","id":"1","op":"upsert","data":{"phones":{"mobile":"(212) 555-0100","home":"1-212-555-0101","other":"(555) 555-5555"}}}\n' >national.jsonl
	run bin/oisync-transform national.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -c .data.phones)" '{"home":"+12125550101","mobile":"+12125550100","other":"(555) 555-5555"}'
	# An extension is the library's to read.
	printf '{"type":"contact","side":"interaction","account":"a@x","id":"1","op":"upsert","data":{"phones":{"mobile":"212-555-0100 x42"}}}\n' >ext.jsonl
	run bin/oisync-transform ext.jsonl
	assert_failure 70
	assert_output --partial oisync-phone.so
	# Where make install puts it, it is found.
	mkdir -p lib/oisync
	cp "$OISYNC_BUILD/lib/oisync/oisync-phone.so" lib/oisync/
	run bin/oisync-transform ext.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.phones.mobile)" "+12125550100;ext=42"
}

@test "a configuration asked for must load (78); bad options are usage errors (64)" {
	run "$TRANSFORM" -c missing.conf </dev/null
	assert_failure 78
	OISYNC_CONF=missing.conf run "$TRANSFORM" </dev/null
	assert_failure 78
	run "$TRANSFORM" --region USA </dev/null
	assert_failure 64
	run "$TRANSFORM" --max-line 12x </dev/null
	assert_failure 64
	run "$TRANSFORM" --log-format xml </dev/null
	assert_failure 64
	run "$TRANSFORM" --no-such-option </dev/null
	assert_failure 64
}

@test "a missing input file fails with 66" {
	run --separate-stderr "$TRANSFORM" no-such.jsonl
	assert_failure 66
	[[ "$stderr" == *"cannot open 'no-such.jsonl'"* ]]
}

@test "a write failure fails with 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -74 bash -c '"$0" "$1" >/dev/full' "$TRANSFORM" "$DATA/same-person.jsonl"
	[[ "$output" == *"cannot write output"* ]]
}

@test "--log-format json writes errors as JSON lines" {
	run --separate-stderr "$TRANSFORM" --log-format json "$DATA/bad-json.jsonl"
	assert_failure 65
	assert_equal "$(printf '%s\n' "$stderr" | jq -r .level)" error
	[[ "$(printf '%s\n' "$stderr" | jq -r .msg)" == *"bad-json.jsonl:2: "* ]]
}

@test "--help and --version" {
	run "$TRANSFORM" --help
	assert_success
	assert_output --partial "usage: oisync-transform"
	for opt in --config --region --max-line --verbose --log-format --help --version; do
		assert_output --partial -- "$opt"
	done
	run "$TRANSFORM" -h
	assert_success
	run "$TRANSFORM" --version
	assert_success
	assert_output --regexp '^oisync-transform \(oisync\) [0-9]+\.[0-9]+'
	run "$TRANSFORM" -V
	assert_success
}

@test "empty input gives empty output" {
	run "$TRANSFORM" </dev/null
	assert_success
	assert_output ""
}

@test "the example of oisync-transform(1) holds" {
	printf '%s\n' '{"type":"contact","side":"exchange","account":"alice@firm.example","id":"AAMkAD1","op":"upsert","data":{"GivenName":"Ann ","Surname":"Lee","EmailAddresses":{"EmailAddress1":"SMTP:Ann.Lee@Acme.Example"},"PhoneNumbers":{"BusinessPhone":"(212) 555-0100"}}}' >in.jsonl
	run "$TRANSFORM" --region US in.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -c .data)" \
		'{"emails":[{"address":"ann.lee@acme.example","kind":"work"}],"first":"Ann","last":"Lee","phones":{"business":"+12125550100"}}'
	assert_equal "$(printf '%s\n' "$output" | jq -c 'del(.data, .hash)')" "$(jq -c 'del(.data)' in.jsonl)"
}

@test "InterAction's Goes By equal to the first name, once normalized, is no nickname" {
	printf '%s\n' '{"type":"contact","side":"interaction","account":"a@x","id":"1","op":"upsert","data":{"first_name":"Jose\u0301 ","last_name":"Lee","goes_by":"Jos\u00e9"}}' \
		'{"type":"contact","side":"exchange","account":"a@x","id":"2","op":"upsert","data":{"GivenName":"Jos\u00e9","Surname":"Lee"}}' \
		'{"type":"contact","side":"interaction","account":"a@x","id":"3","op":"upsert","data":{"first_name":"Jose","goes_by":" Pepe"}}' >in.jsonl
	run "$TRANSFORM" in.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -r .hash | head -2 | sort -u | wc -l)" 1
	assert_equal "$(printf '%s\n' "$output" | jq -r .data.nickname | tail -1)" Pepe
}

# A contact of each kind with only a display name, from EWS (DisplayName) and Graph (displayName).
display_only() { # SIDE-BACKEND ID DISPLAY
	case "$1" in
	ews) jq -cn --arg id "$2" --arg d "$3" '{type:"contact",side:"exchange",account:"a@x",folder:"contacts",id:$id,version:"1",op:"upsert",data:{DisplayName:$d}}' ;;
	graph) jq -cn --arg id "$2" --arg d "$3" '{type:"contact",side:"exchange",backend:"graph",account:"a@x",folder:"contacts",id:$id,version:"1",op:"upsert",data:{displayName:$d}}' ;;
	esac
}

@test "a display-only name is split; an organisation, a couple, a mailbox and a placeholder never become a person" {
	for be in ews graph; do
		display_only $be $be-org "Smith & Jones LLP"
		display_only $be $be-couple "John and Jane Smith"
		display_only $be $be-role "Accounts Payable"
		display_only $be $be-tbd "TBD"
		display_only $be $be-person "Dr. Maria de la Cruz-López, PhD"
	done >in.jsonl
	run "$TRANSFORM" in.jsonl
	assert_success
	printf '%s\n' "$output" >out.jsonl
	for be in ews graph; do
		assert_equal "$(jq -c --arg id $be-person 'select(.id == $id) | .data | [.prefix, .first, .last, .suffix, .entity]' out.jsonl)" \
			'["Dr.","Maria","de la Cruz-López","PhD",null]'
		assert_equal "$(jq -c --arg id $be-org 'select(.id == $id) | .data | [.display, .company, .entity]' out.jsonl)" \
			'["Smith & Jones LLP","Smith & Jones LLP","organization"]'
		assert_equal "$(jq -r --arg id $be-couple 'select(.id == $id) | .data.entity' out.jsonl)" couple
		assert_equal "$(jq -r --arg id $be-role 'select(.id == $id) | .data.entity' out.jsonl)" role
		assert_equal "$(jq -r --arg id $be-tbd 'select(.id == $id) | .data.entity' out.jsonl)" placeholder
	done
	# No one but the person has a name part.
	assert_equal "$(jq -r 'select(.data | has("prefix") or has("first") or has("middle") or has("last") or has("suffix") or has("nickname")) | .id' out.jsonl | sort | tr '\n' ' ')" \
		"ews-person graph-person "
	# Transform's output transformed again is the same: the split is idempotent.
	run "$TRANSFORM" out.jsonl
	assert_success
	assert_equal "$output" "$(cat out.jsonl)"

	# Reconcile creates the person and the organisation in InterAction (a company), nothing else.
	{
		cat out.jsonl
		echo '{"type":"checkpoint","side":"exchange","account":"a@x","folder":"contacts","token":"t1","complete":true,"full":true}'
		echo '{"type":"checkpoint","side":"interaction","account":"a@x","folder":"contacts","token":"c1","complete":true,"full":true}'
	} >both.jsonl
	mkdir state
	run --separate-stderr "$BIN/oisync-reconcile" --state state --server ex1 --now 2026-11-24T10:00:00Z both.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -r 'select(.action == "create" and .target == "interaction") | .pair' | wc -l)" 4
	assert_equal "$(printf '%s\n' "$output" | jq -r 'select(.action == "create") | [.data.entity // "person", .data.last // .data.company] | @tsv' | sort -u)" \
		"$(printf 'organization\tSmith & Jones LLP\nperson\tde la Cruz-López')"
	for id in ews-couple ews-role ews-tbd graph-couple graph-role graph-tbd; do
		grep -q "not created in InterAction (.*, not a person): exchange \"$id\"" <<<"$stderr"
	done
	assert_equal "$(grep -c 'not created in InterAction (.*, not a person)' <<<"$stderr")" 6
}

# An Exchange contact (EWS raw record) with EmailAddress1 and, when given, PidLidEmail1OriginalDisplayName.
ews_email() { # ID GIVEN SURNAME ADDRESS [SMTP-ON-ITEM]
	jq -cn --arg id "$1" --arg g "$2" --arg s "$3" --arg a "$4" --arg smtp "${5:-}" \
		'{type:"contact",side:"exchange",account:"a@x",folder:"contacts",id:$id,version:"1",op:"upsert",
		  data:({GivenName:$g,Surname:$s,EmailAddresses:{EmailAddress1:$a}}
			+ (if $smtp == "" then {} else {ExtendedProperties:{"00062004-0000-0000-C000-000000000046:0x8084":$smtp}} end))}'
}
ia_email() { # ID FIRST LAST ADDRESS
	jq -cn --arg id "$1" --arg f "$2" --arg l "$3" --arg a "$4" \
		'{type:"contact",side:"interaction",account:"a@x",user:"alice",folder:"contacts",id:$id,version:"1",op:"upsert",
		  data:{first_name:$f,last_name:$l,emails:{business:$a}}}'
}

@test "an Exchange X.500 address becomes the SMTP address the item carries; an invalid one is kept, marked, and never matched on" {
	x500="/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=5f2a0c1e-ann.lee"
	{
		ews_email ex-gal Ann Lee "EX:$x500" "Ann.Lee@Firm.Example"
		ews_email ex-x500 Bob Roe "/o=ExchangeLabs/cn=Recipients/cn=bob"
		ews_email ex-typo Cy Doe "n/a"
		ia_email ia-ann Annie Lee-Smith ann.lee@firm.example
		ia_email ia-typo Dee Fox "N/A"
		ia_email ia-x500 Eve Roe "/o=ExchangeLabs/cn=Recipients/cn=bob"
	} >in.jsonl
	run "$TRANSFORM" in.jsonl
	assert_success
	printf '%s\n' "$output" >out.jsonl
	assert_equal "$(jq -c 'select(.id == "ex-gal") | .data.emails' out.jsonl)" '[{"address":"ann.lee@firm.example","kind":"work"}]'
	assert_equal "$(jq -c 'select(.id == "ex-x500") | .data.emails' out.jsonl)" \
		'[{"address":"/o=exchangelabs/cn=recipients/cn=bob","invalid":true,"kind":"work"}]'
	assert_equal "$(jq -c 'select(.id == "ex-typo") | .data.emails' out.jsonl)" '[{"address":"n/a","invalid":true,"kind":"work"}]'
	assert_equal "$(jq -c 'select(.id == "ia-typo") | .data.emails' out.jsonl)" '[{"address":"n/a","invalid":true,"kind":"work"}]'
	# Transform's output transformed again is the same.
	run "$TRANSFORM" out.jsonl
	assert_success
	assert_equal "$output" "$(cat out.jsonl)"

	# Reconcile links Ann by her resolved address; the same "n/a" or X.500 value on both sides links no one.
	{
		cat out.jsonl
		echo '{"type":"checkpoint","side":"exchange","account":"a@x","folder":"contacts","token":"t1","complete":true,"full":true}'
		echo '{"type":"checkpoint","side":"interaction","account":"a@x","folder":"contacts","token":"c1","complete":true,"full":true}'
	} >both.jsonl
	mkdir state
	run --separate-stderr "$BIN/oisync-reconcile" --state state --server ex1 --now 2026-11-24T10:00:00Z both.jsonl
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jq -r 'select(.action == "link") | .ids.exchange + "=" + .ids.interaction')" "ex-gal=ia-ann"
	assert_equal "$(printf '%s\n' "$output" | jq -r 'select(.action == "create") | .target + ":" + (.data.first // "")' | sort | tr '\n' ' ')" \
		"exchange:Dee exchange:Eve interaction:Bob interaction:Cy "
	# What is created keeps the invalid address and its mark.
	assert_equal "$(printf '%s\n' "$output" | jq -c 'select(.action == "create" and .data.first == "Cy") | .data.emails')" \
		'[{"address":"n/a","invalid":true,"kind":"work"}]'
}

@test "phone_format = as-typed: each valid number's typed text travels in phones_typed" {
	printf '[global]\nstate_dir = %s/state\nphone_format = as-typed\n' "$PWD" >oisync.conf
	printf '{"type":"contact","side":"interaction","account":"a@x","id":"1","op":"upsert","data":{"phones":{"home":"(212) 555-0100","mobile":"+12125550199","other":"(555) 555-5555"}}}\n' >in.jsonl
	run "$TRANSFORM" -c oisync.conf in.jsonl
	assert_success
	# The E.164 value is what reconcile compares; the text only where it differs, and only for a valid number.
	assert_equal "$(printf '%s\n' "$output" | jq -c '[.data.phones, .data.phones_typed]')" \
		'[{"home":"+12125550100","mobile":"+12125550199","other":"(555) 555-5555"},{"+12125550100":"(212) 555-0100"}]'
	# The default format keeps no text.
	printf '[global]\nstate_dir = %s/state\n' "$PWD" >oisync.conf
	run "$TRANSFORM" -c oisync.conf in.jsonl
	assert_equal "$(printf '%s\n' "$output" | jq -c '.data | has("phones_typed")')" false
}
