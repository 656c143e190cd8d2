#!/usr/bin/env bats
# interaction.bats - contract tests of the InterAction reference server
# (tests/fakes/interaction/interaction_server.py) against man/oisync-interaction-api.7.

load ../helper

SERVER="$FAKES/interaction/interaction_server.py"
SEED="$FAKES/interaction/seed_example.json"
MANPAGE="$ROOT/man/oisync-interaction-api.7"

rand() {
	head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# One server for the file, reset before every test; a test that needs other
# flags or a restart starts its own (start_server). Secrets are made at run
# time and kept in 0600 files, never on a command line: curl reads the
# Authorization header and the token form from files.
setup_file() {
	(umask 077
	 printf 'oisync:%s\ntoken:%s\n' "$(rand)" "$(rand)" >"$BATS_FILE_TMPDIR/clients")
	start_fake IA interaction/interaction_server.py --seed "$SEED" \
		--clients-file "$BATS_FILE_TMPDIR/clients"
}

teardown_file() {
	stop_fake IA
}

setup() {
	T=$BATS_TEST_TMPDIR
	CLIENTS_FILE="$BATS_FILE_TMPDIR/clients"
	SECRET=$(sed -n 's/^oisync://p' "$CLIENTS_FILE")
	TOKEN=$(sed -n 's/^token://p' "$CLIENTS_FILE")
	(umask 077
	 printf 'Authorization: Bearer %s\n' "$TOKEN" >"$T/auth.hdr"
	 printf 'grant_type=client_credentials&client_id=oisync&client_secret=%s' \
		"$SECRET" >"$T/token.form")
	use_server IA
	reset_fake IA
}

teardown() {
	stop_server
}

# use_server NAME: PORT, HOST and BASE point at fake NAME.
use_server() {
	local port="${1}_PORT"
	PORT=${!port}
	HOST="http://127.0.0.1:$PORT"
	BASE="$HOST/api/v1"
}

# start_server [ARGS...]: a server of the test's own, with $SEED and the
# clients file; PORT, HOST and BASE point at it.
start_server() {
	start_fake SOLO interaction/interaction_server.py --seed "$SEED" \
		--clients-file "$CLIENTS_FILE" "$@"
	use_server SOLO
}

stop_server() {
	stop_fake SOLO
}

# api METHOD PATH [CURL ARGS...]: authorized request; sets CODE and BODY,
# headers in $T/headers.
api() {
	local m=$1 p=$2
	shift 2
	CODE=$(curl -sS -X "$m" -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H @"$T/auth.hdr" "$@" "$BASE$p")
	BODY=$(<"$T/body")
}

# raw METHOD URL [CURL ARGS...]: no Authorization header.
raw() {
	local m=$1 u=$2
	shift 2
	CODE=$(curl -sS -X "$m" -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$u")
	BODY=$(<"$T/body")
}

# header NAME: value of a response header of the last request (the first
# of that name); read by the shell, as a test makes hundreds of requests.
header() {
	local name value
	while IFS=: read -r name value; do
		if [ "${name,,}" = "${1,,}" ]; then
			value=${value%$'\r'}
			printf '%s\n' "${value#"${value%%[! ]*}"}"
			return
		fi
	done <"$T/headers"
}

jqb() {
	jq -r "$@" <<<"$BODY"
}

expect() { # STATUS [ERROR_CODE]
	[ "$CODE" = "$1" ] || { echo "want HTTP $1, got $CODE: $BODY" >&2; return 1; }
	if [ -n "${2:-}" ]; then
		assert_equal "$(jqb '"\(.error.code) \(.error.message|type) \(.error.message|length > 0)"')" \
			"$2 string true"
	fi
}

# fake ENDPOINT JSON: POST to a control endpoint.
fake() {
	raw POST "$HOST/_fake/$1" --json "$2"
}

full_cursor() { # USER: cursor of a full read
	api GET "/users/$1/contacts?limit=500"
	expect 200
	jqb .cursor
}

feed() { # USER CURSOR [LIMIT]
	api GET "/users/$1/changes?cursor=$2&limit=${3:-100}"
}

@test "--help describes the options and the control endpoints" {
	run "$PYTHON" "$SERVER" --help
	assert_success
	assert_output --partial "--port-file"
	assert_output --partial "--clients-file"
	assert_output --partial "/_fake/faults"
	assert_output --partial "token:STATIC"
}

@test "port file, 127.0.0.1 only, clean stop on SIGTERM" {
	start_server
	[[ "$PORT" =~ ^[0-9]+$ ]]
	run ss -ltnH "sport = :$PORT"
	assert_output --partial "127.0.0.1:$PORT"
	kill -TERM "$SOLO_PID"
	st=0
	wait "$SOLO_PID" || st=$?
	SOLO_PID=
	assert_equal "$st" 0
	[ ! -e "$T/SOLO.port" ]
}

@test "client credentials give a bearer token the API accepts" {
	raw POST "$HOST/oauth/token" --data @"$T/token.form"
	expect 200
	assert_equal "$(jqb .token_type)" Bearer
	assert_equal "$(jqb .expires_in)" 3600
	(umask 077; printf 'Authorization: Bearer %s\n' "$(jqb .access_token)" >"$T/issued.hdr")
	raw GET "$BASE/users" -H @"$T/issued.hdr"
	expect 200
	assert_equal "$(jqb '[.users[].id]|join(",")')" "alice,bob"
	# Basic client authentication works too.
	(umask 077; printf 'Authorization: Basic %s\n' "$(printf 'oisync:%s' "$SECRET" | base64 -w0)" \
		>"$T/basic.hdr")
	raw POST "$HOST/oauth/token" -H @"$T/basic.hdr" --data grant_type=client_credentials
	expect 200
}

@test "bad credentials, grant type, missing and unknown tokens are refused" {
	raw POST "$HOST/oauth/token" --data 'grant_type=client_credentials&client_id=oisync&client_secret=wrong'
	expect 401 invalid_client
	raw POST "$HOST/oauth/token" --data 'grant_type=password&client_id=oisync'
	expect 400 unsupported_grant_type
	raw GET "$BASE/users"
	expect 401 unauthorized
	assert_equal "$(header WWW-Authenticate)" 'Bearer realm="interaction"'
	raw GET "$BASE/users" -H 'Authorization: Bearer not-a-token'
	expect 401 unauthorized
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
}

@test "issued tokens expire after --token-ttl on the fake's clock; static tokens do not; reset forgets them" {
	start_server --token-ttl 120
	raw POST "$HOST/oauth/token" --data @"$T/token.form"
	expect 200
	assert_equal "$(jqb .expires_in)" 120
	(umask 077; printf 'Authorization: Bearer %s\n' "$(jqb .access_token)" >"$T/issued.hdr")
	raw GET "$BASE/users" -H @"$T/issued.hdr"
	expect 200
	# Time moves on the fake's clock, not by sleeping: half the life, then past it.
	fake clock '{"advance_s": 60}'
	expect 200
	raw GET "$BASE/users" -H @"$T/issued.hdr"
	expect 200
	fake clock '{"advance_s": 61}'
	raw GET "$BASE/users" -H @"$T/issued.hdr"
	expect 401 unauthorized
	api GET /users
	expect 200
	# A reset forgets the tokens it issued.
	raw POST "$HOST/oauth/token" --data @"$T/token.form"
	(umask 077; printf 'Authorization: Bearer %s\n' "$(jqb .access_token)" >"$T/issued.hdr")
	raw GET "$BASE/users" -H @"$T/issued.hdr"
	expect 200
	reset_fake SOLO
	raw GET "$BASE/users" -H @"$T/issued.hdr"
	expect 401 unauthorized
}

@test "list paging: limit, next token, one cursor for the whole read" {
	api GET "/users/alice/contacts?limit=2"
	expect 200
	assert_equal "$(jqb '[.contacts[].id]|join(",")')" "c-000001,c-000002"
	next=$(jqb .next)
	cursor=$(jqb .cursor)
	[ "$next" != null ]
	# A change between pages does not move the read's cursor.
	fake edit '{"contact_id":"c-000003","set":{"job_title":"CFO"}}'
	expect 200
	api GET "/users/alice/contacts?limit=2&page=$next"
	expect 200
	assert_equal "$(jqb '[.contacts[].id]|join(",")')" "c-000003"
	assert_equal "$(jqb .next)" null
	assert_equal "$(jqb .cursor)" "$cursor"
	assert_equal "$(jqb '.contacts[0].job_title')" CFO
	# The change made during the read comes through the feed from that cursor.
	feed alice "$cursor"
	expect 200
	assert_equal "$(jqb '[.changes[].contact.id]|join(",")')" "c-000003"
	# Default limit; limits above 500 are capped; bad input refused.
	api GET /users/alice/contacts
	assert_equal "$(jqb '.contacts|length')" 3
	api GET "/users/alice/contacts?limit=9999"
	expect 200
	api GET "/users/alice/contacts?limit=0"
	expect 400 bad_request
	api GET "/users/alice/contacts?page=garbage"
	expect 400 bad_request
	api GET "/users/bob/contacts?page=$next"
	expect 400 bad_request
	api GET /users/nobody/contacts
	expect 404 not_found
}

@test "user view merges the user's per-user fields; firm view has none" {
	api GET /users/alice/contacts/c-000001
	expect 200
	assert_equal "$(header ETag)" '"3"'
	assert_equal "$(jqb 'keys_unsorted|join(",")')" \
		"id,version,kind,title,first_name,middle_name,last_name,suffix,company_name,job_title,department,assistant,emails,phones,addresses,mailing_address,web_site,custom,categories,goes_by,my_notes,private,external_refs,updated_at"
	assert_equal "$(jqb '.emails|keys_unsorted|join(",")')" "business,home,other"
	assert_equal "$(jqb '.phones|keys_unsorted|join(",")')" \
		"direct,company,mobile,home,other,business_fax,home_fax,assistant,pager"
	assert_equal "$(jqb '.addresses.home|keys_unsorted|join(",")')" \
		"street,city,state,postal_code,country"
	assert_equal "$(jqb .goes_by)" Annie
	assert_equal "$(jqb '.categories|join(",")')" "Clients,VIP"
	assert_equal "$(jqb .private)" false
	assert_equal "$(jqb .custom[0])" "key client"
	api GET /contacts/c-000001
	expect 200
	assert_equal "$(jqb 'has("goes_by") or has("categories") or has("my_notes") or has("private")')" false
	assert_equal "$(jqb .first_name)" Ann
	api GET /contacts/c-999999
	expect 404 not_found
	api GET /users/alice/contacts/c-000004
	expect 404 not_found
}

@test "per-user fields are isolated between two users; firm fields are shared" {
	api PATCH /users/alice/contacts/c-000001 -H 'If-Match: "3"' \
		--json '{"goes_by":"Annie L.","my_notes":"alice only","categories":["X"],"private":true}'
	expect 200
	assert_equal "$(jqb .version)" 4
	api GET /users/bob/contacts/c-000001
	assert_equal "$(jqb .goes_by)" Ann
	assert_equal "$(jqb .my_notes)" "Alice's client"
	assert_equal "$(jqb '.categories|join(",")')" Referrals
	assert_equal "$(jqb .private)" false
	# Alice's per-user change is not Bob's: his view version stays
	assert_equal "$(jqb .version)" 3
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: 3' --json '{"job_title":"Senior Partner"}'
	expect 200
	assert_equal "$(jqb .version)" 4
	api GET /users/alice/contacts/c-000001
	assert_equal "$(jqb .job_title)" "Senior Partner"
	assert_equal "$(jqb .goes_by)" "Annie L."
	assert_equal "$(jqb .version)" 5
}

# view_version USER ID: the user view's version; its ETag must agree.
view_version() {
	api GET "/users/$1/contacts/$2"
	expect 200
	[ "$(header ETag)" = "\"$(jqb .version)\"" ] ||
		{ echo "ETag $(header ETag) is not version $(jqb .version)" >&2; return 1; }
	jqb .version
}

firm_version() { # ID
	api GET "/contacts/$1"
	expect 200
	[ "$(header ETag)" = "\"$(jqb .version)\"" ] || return 1
	jqb .version
}

@test "a per-user change by bob leaves alice's view version alone; her If-Match PATCH succeeds" {
	va=$(view_version alice c-000001)
	assert_equal "$va" 3
	assert_equal "$(view_version bob c-000001)" 3
	fake edit '{"user":"bob","contact_id":"c-000001","set":{"my_notes":"bob only"}}'
	expect 200
	assert_equal "$(jqb .version)" 4
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: "4"' --json '{"categories":["B"],"private":true}'
	expect 200
	assert_equal "$(jqb .version)" 5
	assert_equal "$(header ETag)" '"5"'
	# Neither Alice's view nor the firm contact moved.
	assert_equal "$(view_version alice c-000001)" "$va"
	assert_equal "$(firm_version c-000001)" 3
	api GET /users/alice/contacts/c-000001
	assert_equal "$(jqb .updated_at)" 2026-11-20T09:00:00Z
	assert_equal "$(jqb .my_notes)" "met at the tax conference"
	api GET /users/bob/contacts/c-000001
	[[ "$(jqb .updated_at)" > 2026-11-20T09:00:00Z ]]
	api PATCH /users/alice/contacts/c-000001 -H "If-Match: \"$va\"" --json '{"my_notes":"alice again"}'
	expect 200
	assert_equal "$(jqb .version)" $((va + 1))
	assert_equal "$(header ETag)" "\"$((va + 1))\""
	assert_equal "$(jqb .my_notes)" "alice again"
	# ... and her If-Match on DELETE too.
	api DELETE /users/alice/contacts/c-000001 -H "If-Match: $((va + 1))"
	expect 204
	assert_equal "$(view_version bob c-000001)" 5
}

@test "a firm change raises both users' view versions and shows in both feeds" {
	# Give the users different view versions: firm 3, Alice +0, Bob +1.
	fake edit '{"user":"bob","contact_id":"c-000001","set":{"goes_by":"A."}}'
	ca=$(full_cursor alice)
	cb=$(full_cursor bob)
	assert_equal "$(view_version alice c-000001)" 3
	assert_equal "$(view_version bob c-000001)" 4
	# A firm change through Alice's list, with her view version.
	api PATCH /users/alice/contacts/c-000001 -H 'If-Match: 3' --json '{"job_title":"Of Counsel"}'
	expect 200
	assert_equal "$(jqb .version)" 4
	assert_equal "$(firm_version c-000001)" 4
	assert_equal "$(view_version bob c-000001)" 5
	# A firm change through /contacts, with the firm version; a view version
	# that is not the firm version is refused there, naming both numbers.
	api PATCH /contacts/c-000001 -H 'If-Match: 5' --json '{"department":"Private Client"}'
	expect 412 version_mismatch
	assert_equal "$(header ETag)" '"4"'
	[[ "$(jqb .error.message)" == *"version 4, not 5"* ]]
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"department":"Private Client"}'
	expect 200
	assert_equal "$(jqb .version)" 5
	assert_equal "$(view_version alice c-000001)" 5
	assert_equal "$(view_version bob c-000001)" 6
	feed alice "$ca"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.version,.contact.job_title,.contact.department]]')" \
		'[["upsert","c-000001",5,"Of Counsel","Private Client"]]'
	feed bob "$cb"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.version,.contact.job_title,.contact.goes_by]]')" \
		'[["upsert","c-000001",6,"Of Counsel","A."]]'
	# The versions in the feed are the ones If-Match wants.
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: 6' --json '{"goes_by":"Ann"}'
	expect 200
	assert_equal "$(jqb .version)" 7
}

@test "bob's per-user change raises bob's version and shows only in bob's feed" {
	ca=$(full_cursor alice)
	cb=$(full_cursor bob)
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: 3' --json '{"categories":["Referrals","Tax"]}'
	expect 200
	assert_equal "$(jqb .version)" 4
	assert_equal "$(view_version bob c-000001)" 4
	assert_equal "$(view_version alice c-000001)" 3
	assert_equal "$(firm_version c-000001)" 3
	feed bob "$cb"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.version,.contact.categories]]')" \
		'[["upsert","c-000001",4,["Referrals","Tax"]]]'
	feed alice "$ca"
	expect 200
	assert_equal "$(jqb -c .changes)" '[]'
	# Bob's old version is stale now: 412 naming both numbers.
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: 3' --json '{"goes_by":"X"}'
	expect 412 version_mismatch
	assert_equal "$(header ETag)" '"4"'
	[[ "$(jqb .error.message)" == *"version 4, not 3"* ]]
	# A request that changes nothing keeps the version.
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: 4' --json '{"categories":["Referrals","Tax"]}'
	expect 200
	assert_equal "$(jqb .version)" 4
}

@test "per-user version: 0 on add, 1 when PUT adds with fields, starts over after removal" {
	assert_equal "$(firm_version c-000004)" 1
	api PUT /users/alice/contacts/c-000004
	expect 201
	assert_equal "$(jqb .version)" 1
	assert_equal "$(header ETag)" '"1"'
	api PUT /users/alice/contacts/c-000004 --json '{"goes_by":"U"}'
	expect 200
	assert_equal "$(jqb .version)" 2
	api PUT /users/alice/contacts/c-000004 --json '{"goes_by":"U"}'
	expect 200
	assert_equal "$(jqb .version)" 2
	raw GET "$HOST/_fake/dump"
	assert_equal "$(jqb '.lists.alice["c-000004"].version')" 1
	assert_equal "$(jqb '.contacts["c-000004"].version')" 1
	api DELETE /users/alice/contacts/c-000004 -H 'If-Match: "2"'
	expect 204
	api PUT /users/alice/contacts/c-000004 --json '{"categories":["V"]}'
	expect 201
	assert_equal "$(jqb .version)" 2
	assert_equal "$(jqb .goes_by)" ""
	api DELETE /users/alice/contacts/c-000004
	expect 204
	api PUT /users/alice/contacts/c-000004
	expect 201
	assert_equal "$(jqb .version)" 1
	# Bob held it all along, untouched by Alice's per-user data.
	assert_equal "$(view_version bob c-000004)" 1
}

@test "full read then feed: firm changes reach every holder, per-user ones only their user" {
	ca=$(full_cursor alice)
	cb=$(full_cursor bob)
	feed alice "$ca"
	expect 200
	assert_equal "$(jqb '.changes|length')" 0
	assert_equal "$(jqb .more)" false
	fake edit '{"user":"alice","contact_id":"c-000001","set":{"last_name":"Lee-Park","my_notes":"n"}}'
	expect 200
	assert_equal "$(jqb .my_notes)" n
	feed alice "$ca"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.last_name,.contact.my_notes]]')" \
		'[["upsert","c-000001","Lee-Park","n"]]'
	ca2=$(jqb .cursor)
	feed bob "$cb"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.my_notes]]')" \
		'[["upsert","c-000001","Alice'"'"'s client"]]'
	cb2=$(jqb .cursor)
	# A per-user change is seen by that user only.
	fake edit '{"user":"bob","contact_id":"c-000001","set":{"goes_by":"Annie B"}}'
	feed alice "$ca2"
	assert_equal "$(jqb '.changes|length')" 0
	feed bob "$cb2"
	assert_equal "$(jqb -c '[.changes[].contact.goes_by]')" '["Annie B"]'
	# A change to a contact not on the list is not seen.
	fake edit '{"contact_id":"c-000004","set":{"web_site":"https://umbrella.example"}}'
	feed alice "$ca2"
	assert_equal "$(jqb '.changes|length')" 0
}

@test "membership: add and remove show in the feed; removal never deletes the firm contact" {
	c=$(full_cursor alice)
	api PUT /users/alice/contacts/c-000004 --json '{"categories":["Vendors"]}'
	expect 201
	assert_equal "$(jqb .categories[0])" Vendors
	api PUT /users/alice/contacts/c-000004
	expect 200
	feed alice "$c"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id]]')" '[["upsert","c-000004"]]'
	c=$(jqb .cursor)
	api DELETE /users/alice/contacts/c-000003
	expect 204
	[ -z "$BODY" ]
	api DELETE /users/alice/contacts/c-000003
	expect 404 not_found
	fake remove '{"user":"alice","contact_id":"c-000002"}'
	expect 200
	feed alice "$c"
	assert_equal "$(jqb -c '.changes')" \
		'[{"op":"delete","kind":"contact","id":"c-000003","reason":"removed_from_list"},{"op":"delete","kind":"contact","id":"c-000002","reason":"removed_from_list"}]'
	c=$(jqb .cursor)
	api GET /contacts/c-000003
	expect 200
	api GET /contacts/c-000002
	expect 200
	# Adding back starts over with empty per-user data.
	fake add '{"user":"alice","contact_id":"c-000002"}'
	expect 201
	feed alice "$c"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.goes_by]]')" '[["upsert","c-000002",""]]'
	# /_fake/add creates a firm contact and lists it.
	fake add '{"user":"bob","contact":{"first_name":"Zed","goes_by":"Z"}}'
	expect 201
	id=$(jqb .id)
	[[ "$id" =~ ^c-[0-9]{6}$ ]]
	api GET "/users/bob/contacts/$id"
	assert_equal "$(jqb .goes_by)" Z
	# A firm contact deleted in InterAction shows as reason "deleted".
	c=$(full_cursor bob)
	fake delete "{\"contact_id\":\"$id\"}"
	expect 200
	feed bob "$c"
	assert_equal "$(jqb -c '.changes')" "[{\"op\":\"delete\",\"kind\":\"contact\",\"id\":\"$id\",\"reason\":\"deleted\"}]"
}

@test "feed collapses changes of one contact and pages with more" {
	c=$(full_cursor alice)
	for t in A B C; do
		fake edit "{\"user\":\"alice\",\"contact_id\":\"c-000002\",\"set\":{\"job_title\":\"$t\"}}"
	done
	fake edit '{"contact_id":"c-000003","set":{"job_title":"D"}}'
	fake edit '{"contact_id":"c-000001","set":{"job_title":"E"}}'
	feed alice "$c"
	assert_equal "$(jqb -c '[.changes[].contact|[.id,.job_title]]')" \
		'[["c-000002","C"],["c-000003","D"],["c-000001","E"]]'
	feed alice "$c" 2
	assert_equal "$(jqb -c '[.changes[].contact.id]')" '["c-000002","c-000003"]'
	assert_equal "$(jqb .more)" true
	feed alice "$(jqb .cursor)" 2
	assert_equal "$(jqb -c '[.changes[].contact.id]')" '["c-000001"]'
	assert_equal "$(jqb .more)" false
	last=$(jqb .cursor)
	feed alice "$last"
	assert_equal "$(jqb '.changes|length')" 0
	assert_equal "$(jqb .cursor)" "$last"
}

@test "cursors: missing 400, malformed or another user's 410, too old 410" {
	start_server --cursor-retention 2
	api GET /users/alice/changes
	expect 400 cursor_required
	feed alice 'not-a-cursor'
	expect 410 cursor_expired
	cb=$(full_cursor bob)
	feed alice "$cb"
	expect 410 cursor_expired
	c=$(full_cursor alice)
	fake edit '{"contact_id":"c-000001","set":{"title":"Prof."}}'
	feed alice "$c"
	expect 200
	fake edit '{"contact_id":"c-000001","set":{"title":"Dr."}}'
	fake edit '{"contact_id":"c-000001","set":{"title":"Ms."}}'
	feed alice "$c"
	expect 410 cursor_expired
	c=$(full_cursor alice)
	feed alice "$c"
	expect 200
	api GET "/users/nobody/changes?cursor=$c"
	expect 404 not_found
}

@test "If-Match: quoted or bare version; 412 on mismatch; 428 without it" {
	api PATCH /contacts/c-000002 --json '{"job_title":"GC"}'
	expect 428 precondition_required
	api PATCH /users/alice/contacts/c-000002 --json '{"job_title":"GC"}'
	expect 428 precondition_required
	api PATCH /contacts/c-000002 -H 'If-Match: "7"' --json '{"job_title":"GC"}'
	expect 412 version_mismatch
	api GET /contacts/c-000002
	assert_equal "$(jqb .job_title)" "General Counsel"
	api PATCH /contacts/c-000002 -H 'If-Match: "1"' --json '{"job_title":"GC"}'
	expect 200
	assert_equal "$(jqb .version)" 2
	assert_equal "$(header ETag)" '"2"'
	api PATCH /contacts/c-000002 -H 'If-Match: 2' --json '{"job_title":"CEO"}'
	expect 200
	assert_equal "$(jqb .version)" 3
	api PATCH /contacts/c-000002 -H 'If-Match: W/"3"' --json '{"job_title":"CEO"}'
	expect 200
	assert_equal "$(jqb .version)" 3   # nothing changed: no new version
	api PATCH /contacts/c-000002 -H 'If-Match: abc' --json '{"job_title":"X"}'
	expect 400 bad_request
	api DELETE /users/alice/contacts/c-000002 -H 'If-Match: "1"'
	expect 412 version_mismatch
	api DELETE /users/alice/contacts/c-000002 -H 'If-Match: "3"'
	expect 204
}

@test "PATCH merges nested objects key by key; empty or null clears" {
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json \
		'{"emails":{"home":null,"other":"ann@other.example"},"phones":{"mobile":""},"addresses":{"business":{"city":"Boston"},"home":{"city":"Salem"}},"suffix":null,"custom":["a"],"mailing_address":"home"}'
	expect 200
	assert_equal "$(jqb -c .emails)" '{"business":"Ann.Lee@acme.example","home":"","other":"ann@other.example"}'
	assert_equal "$(jqb .phones.mobile)" ""
	assert_equal "$(jqb .phones.direct)" "+1 212 555 0100"
	assert_equal "$(jqb -c .addresses.business)" \
		'{"street":"1 Main St\nFloor 20","city":"Boston","state":"NY","postal_code":"10001","country":"United States"}'
	assert_equal "$(jqb .addresses.home.city)" Salem
	assert_equal "$(jqb .suffix)" ""
	assert_equal "$(jqb -c .custom)" '["a","","",""]'
	assert_equal "$(jqb .mailing_address)" home
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"addresses":{"business":null},"emails":""}'
	expect 200
	assert_equal "$(jqb -c .addresses.business)" '{"street":"","city":"","state":"","postal_code":"","country":""}'
	assert_equal "$(jqb -c .emails)" '{"business":"","home":"","other":""}'
}

@test "bad bodies: unknown field named, bad JSON, wrong types, per-user field on a firm route" {
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"shoe_size":"9"}'
	expect 400 bad_request
	[[ "$(jqb .error.message)" == *"'shoe_size'"* ]]
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"phones":{"car":"1"}}'
	expect 400 bad_request
	[[ "$(jqb .error.message)" == *"'phones.car'"* ]]
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"first_name":'
	expect 400 bad_request
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"first_name":7}'
	expect 400 bad_request
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"goes_by":"A"}'
	expect 400 bad_request
	[[ "$(jqb .error.message)" == *"'goes_by'"* ]]
	api POST /contacts --json '{"categories":["A"]}'
	expect 400 bad_request
	api POST /contacts --json '["not","an","object"]'
	expect 400 bad_request
	api PUT /users/alice/contacts/c-000004 --json '{"first_name":"X"}'
	expect 400 bad_request
	api GET /contacts/c-000001
	assert_equal "$(jqb .version)" 3
	api GET /nowhere
	expect 404 not_found
	api DELETE /contacts/c-000001
	expect 405 method_not_allowed
	assert_equal "$(header Allow)" "GET, PATCH"
}

@test "POST /contacts with external_refs; search by e-mail and external_ref; 409 on a taken ref" {
	api POST /contacts --json '{"first_name":"Eve","last_name":"Stone","emails":{"home":"Eve@Stone.example"},"external_refs":["oisync:op:1"]}'
	expect 201
	id=$(jqb .id)
	assert_equal "$id" c-000005
	assert_equal "$(jqb .version)" 1
	assert_equal "$(header Location)" "/api/v1/contacts/$id"
	assert_equal "$(jqb -c .external_refs)" '["oisync:op:1"]'
	api GET '/contacts?email=eve%40stone.EXAMPLE'
	expect 200
	assert_equal "$(jqb -c '[.contacts[].id]')" "[\"$id\"]"
	api GET '/contacts?email=D.OKAFOR@mail.example'
	assert_equal "$(jqb -c '[.contacts[].id]')" '["c-000003"]'
	api GET '/contacts?email=nobody@nowhere.example'
	expect 200
	assert_equal "$(jqb -c .contacts)" '[]'
	api GET '/contacts?external_ref=oisync%3Aop%3A1'
	assert_equal "$(jqb -c '[.contacts[].id]')" "[\"$id\"]"
	api GET '/contacts?external_ref=oisync:op:2'
	assert_equal "$(jqb -c .contacts)" '[]'
	api GET /contacts
	expect 400 bad_request
	api POST /contacts --json '{"first_name":"Eve","external_refs":["oisync:op:1"]}'
	expect 409 already_exists
	[[ "$(jqb .error.message)" == *"$id"* ]]
	# The new contact is on nobody's list until PUT.
	api GET "/users/alice/contacts/$id"
	expect 404 not_found
}

@test "faults: 429 with Retry-After, 503, latency, dropped and truncated replies" {
	fake faults '{"http_status":{"code":429,"next":1,"retry_after":2}}'
	expect 200
	api GET /users
	expect 429 rate_limited
	assert_equal "$(header Retry-After)" 2
	api GET /users
	expect 200
	fake faults '{"http_status":{"code":503,"next":2}}'
	api GET /users
	expect 503 unavailable
	api GET /users
	expect 503
	api GET /users
	expect 200
	fake faults '{"drop":{"next":1}}'
	run curl -sS -H @"$T/auth.hdr" "$BASE/users"
	assert_equal "$status" 52   # empty reply from server
	fake faults '{"truncate":{"next":1}}'
	run curl -sS -H @"$T/auth.hdr" "$BASE/users"
	assert_equal "$status" 18   # partial file
	# drop after doing the request: the write happened, the reply was lost
	fake faults '{"drop":{"next":1,"after":true}}'
	run curl -sS -H @"$T/auth.hdr" -X PATCH -H 'If-Match: 1' --json '{"job_title":"Y"}' "$BASE/contacts/c-000002"
	assert_equal "$status" 52
	api GET /contacts/c-000002
	assert_equal "$(jqb .job_title)" Y
	# Latency is counted, not timed: one request held back 50 ms.
	fake faults '{"latency_ms":50}'
	api GET /users
	expect 200
	raw GET "$HOST/_fake/stats"
	assert_equal "$(jqb -c '[.delayed, .delayed_ms]')" '[1,50]'
	fake faults '{}'
	raw GET "$HOST/_fake/faults"
	assert_equal "$(jqb -c .faults)" '{}'
	fake faults '{"http_status":{"code":418}}'
	expect 400 bad_request
}

@test "stats count requests per route and method; dump shows the state" {
	api GET /users
	api GET /users/alice/contacts/c-000001
	api GET /users/bob/contacts/c-000001
	raw POST "$HOST/oauth/token" --data @"$T/token.form"
	raw GET "$HOST/_fake/stats"
	expect 200
	assert_equal "$(jqb '.requests["GET /api/v1/users/{uid}/contacts/{id}"]')" 2
	assert_equal "$(jqb '.requests["GET /api/v1/users"]')" 1
	assert_equal "$(jqb '.requests["POST /oauth/token"]')" 1
	assert_equal "$(jqb .total)" 4
	raw POST "$HOST/_fake/stats/reset"
	expect 200
	raw GET "$HOST/_fake/dump"
	expect 200
	assert_equal "$(jqb '.contacts["c-000001"].version')" 3
	assert_equal "$(jqb '.lists.alice["c-000001"].goes_by')" Annie
	assert_equal "$(jqb '.lists.alice["c-000001"].version')" 0
	assert_equal "$(jqb '.users|length')" 2
	raw GET "$HOST/_fake/stats"
	assert_equal "$(jqb .total)" 0
}

@test "--data-dir keeps the state across restarts; cursors stay valid" {
	start_server --data-dir "$T/data"
	c=$(full_cursor alice)
	fake edit '{"user":"alice","contact_id":"c-000002","set":{"my_notes":"kept"}}'
	expect 200
	[ -f "$T/data/state.json" ]
	stop_server
	# The seed is ignored once a state exists.
	start_server --data-dir "$T/data"
	api GET /users/alice/contacts/c-000002
	assert_equal "$(jqb .my_notes)" kept
	# Both counters survive: firm 1, Alice's per-user 1.
	assert_equal "$(jqb .version)" 2
	assert_equal "$(firm_version c-000002)" 1
	feed alice "$c"
	expect 200
	assert_equal "$(jqb -c '[.changes[].contact.id]')" '["c-000002"]'
	ls -A "$T/data" >"$T/files"
	assert_equal "$(cat "$T/files")" state.json
	# A reset starts over from the seed, on disk too.
	reset_fake SOLO
	run grep -c kept "$T/data/state.json"
	assert_output 0
	feed alice "$c"
	expect 410 cursor_expired
}

@test "reset: the seed again, a new generation; faults, stats and clock as at start" {
	c=$(full_cursor alice)
	fake edit '{"contact_id":"c-000001","set":{"job_title":"Reset me"}}'
	expect 200
	fake faults '{"http_status":{"code":503,"next":5}}'
	raw GET "$HOST/_fake/clock"
	before=$(jqb .now)
	fake clock '{"advance_s": 86400}'
	reset_fake IA
	# No fault left; the old cursor is of another generation.
	api GET /contacts/c-000001
	expect 200
	[ "$(jqb .job_title)" != "Reset me" ]
	feed alice "$c"
	expect 410 cursor_expired
	raw GET "$HOST/_fake/faults"
	assert_equal "$(jqb -c .faults)" '{}'
	raw GET "$HOST/_fake/stats"
	assert_equal "$(jqb -c '[.total, .faults_fired.http_status]')" '[2,0]'
	# The day added is gone: the clock is back within the hour.
	raw GET "$HOST/_fake/clock"
	jq -en --arg a "$(jqb .now)" --arg b "$before" '($a | fromdate) - ($b | fromdate) < 3600'
	# A seed that cannot be loaded is refused and changes nothing.
	echo '{"users": [{"id": ""}]}' >"$T/bad.json"
	fake reset "{\"seed\": \"$T/bad.json\"}"
	expect 400 bad_request
	fake reset '{"seed": "relative.json"}'
	expect 400 bad_request
	api GET /users
	assert_equal "$(jqb '[.users[].id]|join(",")')" "alice,bob"
}

@test "the clock: updated_at, the change log and the Date header follow POST /_fake/clock" {
	fake clock '{"set": "2031-05-06T07:08:00Z"}'
	expect 200
	[[ "$(jqb .now)" == 2031-05-06T07:08:* ]]
	fake edit '{"contact_id":"c-000001","set":{"job_title":"Timed"}}'
	api GET /contacts/c-000001
	[[ "$(jqb .updated_at)" == 2031-05-06T07:08:* ]]
	[[ "$(header Date)" == "Tue, 06 May 2031 07:08:"* ]]
	fake clock '{"advance_s": -86400}'
	fake edit '{"contact_id":"c-000001","set":{"job_title":"Earlier"}}'
	raw GET "$HOST/_fake/dump"
	assert_equal "$(jqb -r '[.log[-2:][].at[:16]] | join(" ")')" "2031-05-06T07:08 2031-05-05T07:08"
	fake clock '{"advance_s": "soon"}'
	expect 400 bad_request
	fake clock '{"set": "tomorrow"}'
	expect 400 bad_request
}

@test "--data-dir upgrades a state file of format 1 (one version per contact)" {
	start_server --data-dir "$T/data"
	api PATCH /users/alice/contacts/c-000001 -H 'If-Match: 3' --json '{"goes_by":"Ann"}'
	expect 200
	stop_server
	# Format 1: no per-user versions, the contact's version counted everything.
	jq '.format = "oisync-interaction-fake/1" | .contacts["c-000001"].version = 4
	    | .lists |= map_values(map_values(del(.version, .updated_at)))' \
		"$T/data/state.json" >"$T/old.json"
	mv "$T/old.json" "$T/data/state.json"
	start_server --data-dir "$T/data"
	# Every view keeps the version its client last saw.
	assert_equal "$(view_version alice c-000001)" 4
	assert_equal "$(view_version bob c-000001)" 4
	api PATCH /users/bob/contacts/c-000001 -H 'If-Match: 4' --json '{"my_notes":"b"}'
	expect 200
	assert_equal "$(view_version alice c-000001)" 4
	raw GET "$HOST/_fake/dump"
	assert_equal "$(jqb .format)" oisync-interaction-fake/2
	assert_equal "$(jqb '.lists.bob["c-000001"].version')" 1
}

@test "HTTP/1.1 keep-alive with exact Content-Length" {
	run curl -sS -v -H @"$T/auth.hdr" "$BASE/users" "$BASE/users/alice/contacts/c-000001"
	assert_success
	assert_output --partial "Re-using existing connection"
	api GET /users
	assert_equal "$(header Content-Length)" "$(wc -c <"$T/body")"
	api DELETE /users/alice/contacts/c-000001
	expect 204
}

# ---------------------------------------------------------------- appointments

@test "activity types come from the seed; defaults without" {
	api GET /activity-types
	expect 200
	assert_equal "$(jqb -c '[.types[]|[.id,.name,.appointment]]')" \
		'[["meeting","Meeting",true],["call","Call",true],["email","E-mail",false]]'
	jq 'del(.appointments) | .activity_types = [{"id":"mtg","name":"Client meeting","appointment":true},{"id":"note","name":"Note"}]' \
		"$SEED" >"$T/seed.json"
	reset_fake IA "$T/seed.json"
	api GET /activity-types
	assert_equal "$(jqb -c '[.types[]|[.id,.appointment]]')" '[["mtg",true],["note",false]]'
	# a type is given by id or name and stored by name; not usable ones are 400
	api POST /users/alice/appointments --json '{"type":"mtg","start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	expect 201
	assert_equal "$(jqb .type)" "Client meeting"
	api POST /users/alice/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	assert_equal "$(jqb .type)" "Client meeting"
	api POST /users/alice/appointments --json '{"type":"Note","start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	expect 400 bad_request
	[[ "$(jqb .error.message)" == *"'Note'"* ]]
}

@test "appointments: create, read, PATCH with If-Match (only keys sent change), DELETE" {
	api POST /users/alice/appointments --json '{"subject":"Kick-off","type":"Call","start":"2099-05-04T10:00:00+02:00","end":"2099-05-04T11:00:00+02:00","time_zone":"Europe/Berlin","notes":"agenda","categories":["Clients"],"external_refs":["oisync:op:a1"],"owner":"bob","status":"activity"}'
	expect 201
	id=$(jqb .id)
	assert_equal "$id" a-000004
	assert_equal "$(header Location)" "/api/v1/appointments/$id"
	assert_equal "$(header ETag)" '"1"'
	assert_equal "$(jqb 'keys_unsorted|join(",")')" \
		"id,version,status,type,subject,start,end,all_day,time_zone,location,notes,organizer,organizer_contact_id,organizer_user_id,attendees,categories,private,show_as,ical_uid,series,original_start,owner,external_refs,updated_at"
	# times are kept in UTC; owner and status are the server's
	assert_equal "$(jqb -c '[.version,.status,.type,.start,.end,.owner,.show_as,.private,.series]')" \
		'[1,"appointment","Call","2099-05-04T08:00:00Z","2099-05-04T09:00:00Z","alice","busy",false,""]'
	api GET "/appointments/$id"
	expect 200
	assert_equal "$(header ETag)" '"1"'
	assert_equal "$(jqb .notes)" agenda
	api PATCH "/appointments/$id" --json '{"location":"Room 1"}'
	expect 428 precondition_required
	api PATCH "/appointments/$id" -H 'If-Match: "2"' --json '{"location":"Room 1"}'
	expect 412 version_mismatch
	assert_equal "$(header ETag)" '"1"'
	[[ "$(jqb .error.message)" == *"version 1, not 2"* ]]
	api PATCH "/appointments/$id" -H 'If-Match: "1"' --json '{"location":"Room 1","show_as":"tentative"}'
	expect 200
	assert_equal "$(jqb -c '[.version,.location,.show_as,.notes,.subject,.categories]')" \
		'[2,"Room 1","tentative","agenda","Kick-off",["Clients"]]'
	assert_equal "$(header ETag)" '"2"'
	# nothing changed: the version stays
	api PATCH "/appointments/$id" -H 'If-Match: W/"2"' --json '{"location":"Room 1"}'
	expect 200
	assert_equal "$(jqb .version)" 2
	# all-day: dates, end exclusive
	api PATCH "/appointments/$id" -H 'If-Match: 2' --json '{"all_day":true,"start":"2099-05-04","end":"2099-05-05"}'
	expect 200
	assert_equal "$(jqb -c '[.version,.all_day,.start,.end]')" '[3,true,"2099-05-04","2099-05-05"]'
	api DELETE "/appointments/$id" -H 'If-Match: 2'
	expect 412 version_mismatch
	api DELETE "/appointments/$id" -H 'If-Match: 3'
	expect 204
	api GET "/appointments/$id"
	expect 404 not_found
	api DELETE /appointments/a-000002
	expect 204
	api DELETE /appointments/a-000002
	expect 404 not_found
	api POST /users/carol/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	expect 404 not_found
}

@test "appointments: bad bodies are 400 naming the field; nothing is written" {
	ok='"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"'
	for body in '{"subject":"x"}' "{$ok,\"shoe_size\":1}" "{$ok,\"attendees\":[{\"email\":\"a@b\",\"phone\":\"1\"}]}" \
		"{$ok,\"attendees\":[{\"role\":\"chair\"}]}" "{$ok,\"show_as\":\"away\"}" "{$ok,\"private\":\"yes\"}" \
		'{"start":"2099-01-01T11:00:00Z","end":"2099-01-01T10:00:00Z"}' \
		'{"start":"2099-01-01 10:00","end":"2099-01-01T11:00:00Z"}' \
		'{"start":"2099-01-01T10:00:00","end":"2099-01-01T11:00:00Z"}' \
		'{"all_day":true,"start":"2099-01-01","end":"2099-01-01"}' \
		'{"all_day":true,"start":"2099-01-01T00:00:00Z","end":"2099-01-02"}' '[1]'; do
		api POST /users/alice/appointments --json "$body"
		expect 400 bad_request || { echo "body: $body" >&2; return 1; }
	done
	api POST /users/alice/appointments --json "{$ok,\"shoe_size\":1}"
	[[ "$(jqb .error.message)" == *"'shoe_size'"* ]]
	api POST /users/alice/appointments --json "{$ok,\"attendees\":[{\"email\":\"a@b\",\"phone\":\"1\"}]}"
	[[ "$(jqb .error.message)" == *"'attendees[0].phone'"* ]]
	api PATCH /appointments/a-000002 -H 'If-Match: 1' --json '{"end":"2000-01-01T00:00:00Z"}'
	expect 400 bad_request
	api GET /users/alice/appointments
	assert_equal "$(jqb -c '[.appointments[]|[.id,.version,.end]]')" \
		'[["a-000001",1,"2026-11-02T15:00:00Z"],["a-000002",1,"2099-03-02T09:30:00Z"]]'
}

@test "appointment listing: range overlap, paging, one cursor for the whole read" {
	api GET /users/alice/appointments
	expect 200
	assert_equal "$(jqb -c '[.appointments[]|[.id,.status,.owner]]')" \
		'[["a-000001","appointment","alice"],["a-000002","appointment","alice"]]'
	assert_equal "$(jqb .next)" null
	api GET "/users/alice/appointments?start=2026-11-02T14:30:00Z&end=2026-11-03T00:00:00Z"
	assert_equal "$(jqb -c '[.appointments[].id]')" '["a-000001"]'
	# [start, end): one that ends at the range's start, or starts at its end, is out
	api GET "/users/alice/appointments?start=2026-11-02T15:00:00Z&end=2099-03-02T09:00:00Z"
	assert_equal "$(jqb -c '.appointments')" '[]'
	api GET "/users/alice/appointments?start=2026-11-02T00:00:00Z"
	assert_equal "$(jqb -c '[.appointments[].id]')" '["a-000001","a-000002"]'
	api GET "/users/alice/appointments?end=2030-01-01T00:00:00Z"
	assert_equal "$(jqb -c '[.appointments[].id]')" '["a-000001"]'
	# dates are midnight UTC; an all-day one overlaps its days
	api GET "/users/bob/appointments?start=2026-11-10T12:00:00Z&end=2026-11-10T13:00:00Z"
	assert_equal "$(jqb -c '[.appointments[].id]')" '["a-000003"]'
	api GET "/users/bob/appointments?start=2026-11-11&end=2026-11-12"
	assert_equal "$(jqb -c '.appointments')" '[]'
	# activities are listed too
	api POST /appointments/a-000001/complete -H 'If-Match: 1'
	expect 200
	api GET "/users/alice/appointments?limit=1"
	assert_equal "$(jqb -c '[.appointments[]|[.id,.status]]')" '[["a-000001","activity"]]'
	next=$(jqb .next)
	cursor=$(jqb .cursor)
	[ "$next" != null ]
	api PATCH /appointments/a-000002 -H 'If-Match: 1' --json '{"subject":"moved"}'
	expect 200
	api GET "/users/alice/appointments?limit=1&page=$next"
	expect 200
	assert_equal "$(jqb -c '[.appointments[]|[.id,.subject]]')" '[["a-000002","moved"]]'
	assert_equal "$(jqb .next)" null
	assert_equal "$(jqb .cursor)" "$cursor"
	feed alice "$cursor"
	assert_equal "$(jqb -c '[.changes[]|[.op,.appointment.id,.appointment.version]]')" '[["upsert","a-000002",2]]'
	api GET "/users/bob/appointments?page=$next"
	expect 400 bad_request
	api GET "/users/alice/appointments?page=garbage"
	expect 400 bad_request
	api GET "/users/alice/appointments?limit=0"
	expect 400 bad_request
	api GET "/users/alice/appointments?start=yesterday"
	expect 400 bad_request
	api GET "/users/alice/appointments?start=2027-01-01T00:00:00Z&end=2026-01-01T00:00:00Z"
	expect 400 bad_request
	api GET /users/carol/appointments
	expect 404 not_found
}

@test "complete: a past appointment becomes an activity; 409 not_past for a future one" {
	c=$(full_cursor alice)
	api POST /appointments/a-000002/complete -H 'If-Match: 1'
	expect 409 not_past
	api GET /appointments/a-000002
	assert_equal "$(jqb -c '[.status,.version]')" '["appointment",1]'
	api POST /appointments/a-000001/complete
	expect 428 precondition_required
	api POST /appointments/a-000001/complete -H 'If-Match: 2'
	expect 412 version_mismatch
	api POST /appointments/a-000001/complete -H 'If-Match: "1"'
	expect 200
	assert_equal "$(jqb -c '[.status,.version,.subject]')" '["activity",2,"Tax review"]'
	assert_equal "$(header ETag)" '"2"'
	# completing an activity again changes nothing
	api POST /appointments/a-000001/complete -H 'If-Match: "2"'
	expect 200
	assert_equal "$(jqb .version)" 2
	feed alice "$c"
	assert_equal "$(jqb -c '[.changes[]|[.op,.appointment.id,.appointment.status]]')" '[["upsert","a-000001","activity"]]'
	api GET /appointments/a-000001/complete
	expect 405 method_not_allowed
}

@test "reopen: an activity moved back into the future is an appointment again; 409 not_future for a past one" {
	api POST /appointments/a-000001/complete -H 'If-Match: "1"'
	expect 200
	api POST /appointments/a-000001/reopen -H 'If-Match: "2"'
	expect 409 not_future
	c=$(full_cursor alice)
	api PATCH /appointments/a-000001 -H 'If-Match: "2"' --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	expect 200
	api POST /appointments/a-000001/reopen
	expect 428 precondition_required
	api POST /appointments/a-000001/reopen -H 'If-Match: "3"'
	expect 200
	assert_equal "$(jqb -c '[.status,.version]')" '["appointment",4]'
	# reopening an appointment changes nothing
	api POST /appointments/a-000001/reopen -H 'If-Match: "4"'
	expect 200
	assert_equal "$(jqb .version)" 4
	feed alice "$c"
	# the feed reports the item once, as it is now
	assert_equal "$(jqb -c '[.changes[]|[.op,.appointment.status,.appointment.version]]')" '[["upsert","appointment",4]]'
}

@test "attendees are matched to firm contacts by e-mail; contact_id is the server's" {
	api GET /appointments/a-000001
	assert_equal "$(jqb -c '[.attendees[]|[.email,.role,.contact_id]]')" \
		'[["ann.lee@ACME.example","required","c-000001"],["guest@nowhere.example","optional",null]]'
	api POST /users/alice/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z","attendees":[{"email":"D.Okafor@mail.example","name":"Dana"},{"email":"x@y.example","contact_id":"c-000002"},{"name":"Room 4","role":"resource"}]}'
	expect 201
	assert_equal "$(jqb -c '[.attendees[]|[.email,.name,.role,.contact_id]]')" \
		'[["D.Okafor@mail.example","Dana","required","c-000003"],["x@y.example","","required",null],["","Room 4","resource",null]]'
	# a contact created later matches on the next write
	api POST /contacts --json '{"first_name":"X","emails":{"home":"x@y.example"}}'
	xid=$(jqb .id)
	api PATCH /appointments/a-000004 -H 'If-Match: 1' --json '{"subject":"with X"}'
	assert_equal "$(jqb -c '[.attendees[]|.contact_id]')" "[\"c-000003\",\"$xid\",null]"
}

@test "attendees and the organizer who are firm users are matched to them; user_id is the server's" {
	api POST /users/alice/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z","organizer":"ALICE@firm.example","attendees":[{"email":"bob@firm.example","user_id":"carol"},{"email":"x@y.example"}]}'
	expect 201
	assert_equal "$(jqb -c '[.organizer_user_id, .organizer_contact_id, [.attendees[]|[.email,.user_id,.contact_id]]]')" \
		'["alice",null,[["bob@firm.example","bob",null],["x@y.example",null,null]]]'
	# read-only, as id and version are: ignored on writes
	api PATCH "/appointments/$(jqb .id)" -H 'If-Match: 1' --json '{"organizer_user_id":"bob","attendees":[{"email":"bob@firm.example","user_id":"x"}]}'
	expect 200
	assert_equal "$(jqb -c '[.version, .organizer_user_id, .attendees[0].user_id]')" '[2,"alice","bob"]'
}

@test "appointments by external_ref; a ref names one appointment (409)" {
	api POST /users/bob/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z","external_refs":["oisync:op:77"]}'
	expect 201
	id=$(jqb .id)
	api GET '/appointments?external_ref=oisync%3Aop%3A77'
	expect 200
	assert_equal "$(jqb -c '[.appointments[]|[.id,.owner]]')" "[[\"$id\",\"bob\"]]"
	api GET '/appointments?external_ref=oisync:op:78'
	assert_equal "$(jqb -c .appointments)" '[]'
	api GET /appointments
	expect 400 bad_request
	api POST /users/alice/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z","external_refs":["oisync:op:77"]}'
	expect 409 already_exists
	[[ "$(jqb .error.message)" == *"$id"* ]]
	api PATCH /appointments/a-000001 -H 'If-Match: 1' --json '{"external_refs":["oisync:op:77"]}'
	expect 409 already_exists
	api PATCH "/appointments/$id" -H 'If-Match: 1' --json '{"external_refs":["oisync:op:77","x"]}'
	expect 200
}

@test "the owner's feed carries appointment upserts and deletes with kind; other users' do not" {
	ca=$(full_cursor alice)
	cb=$(full_cursor bob)
	api POST /users/alice/appointments --json '{"subject":"n","start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	id=$(jqb .id)
	api PATCH /appointments/a-000002 -H 'If-Match: 1' --json '{"notes":"x"}'
	api PATCH /appointments/a-000002 -H 'If-Match: 2' --json '{"notes":"y"}'
	api DELETE /appointments/a-000001
	expect 204
	api PATCH /users/alice/contacts/c-000002 -H 'If-Match: 1' --json '{"goes_by":"C."}'
	api DELETE /users/alice/contacts/c-000003
	feed alice "$ca"
	expect 200
	assert_equal "$(jqb -c '[.changes[]|[.op,.kind,(.appointment // .contact).id // .id,(.appointment // .contact).version,.reason]]')" \
		"[[\"upsert\",null,\"$id\",1,null],[\"upsert\",null,\"a-000002\",3,null],[\"delete\",\"appointment\",\"a-000001\",null,\"deleted\"],[\"upsert\",null,\"c-000002\",2,null],[\"delete\",\"contact\",\"c-000003\",null,\"removed_from_list\"]]"
	assert_equal "$(jqb '.changes[1].appointment.notes')" y
	feed alice "$ca" 2
	assert_equal "$(jqb -c '[.more,(.changes|length)]')" '[true,2]'
	feed alice "$(jqb -r .cursor)" 2
	assert_equal "$(jqb -c '[.changes[].id]')" '["a-000001",null]'
	feed bob "$cb"
	assert_equal "$(jqb -c .changes)" '[]'
	api DELETE /appointments/a-000003
	feed bob "$cb"
	assert_equal "$(jqb -c .changes)" '[{"op":"delete","kind":"appointment","id":"a-000003","reason":"deleted"}]'
}

@test "--data-dir keeps appointments and their feed across restarts" {
	start_server --data-dir "$T/data"
	c=$(full_cursor alice)
	api PATCH /appointments/a-000002 -H 'If-Match: 1' --json '{"location":"kept"}'
	expect 200
	stop_server
	start_server --data-dir "$T/data"
	api GET /appointments/a-000002
	assert_equal "$(jqb -c '[.version,.location]')" '[2,"kept"]'
	feed alice "$c"
	assert_equal "$(jqb -c '[.changes[].appointment.id]')" '["a-000002"]'
	api POST /users/alice/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z"}'
	assert_equal "$(jqb .id)" a-000004
}

# ---------------------------------------------------------------- rights, private contacts

# as_oisync: later api calls use a token issued to the client "oisync", whose
# rights the seed restricts (the static token is no client: no rights apply).
as_oisync() {
	raw POST "$HOST/oauth/token" --data @"$T/token.form"
	expect 200
	(umask 077; printf 'Authorization: Bearer %s\n' "$(jqb .access_token)" >"$T/auth.hdr")
}

@test "rights: a write changing a read-only field of the client is 403 field_forbidden; nothing written" {
	as_oisync
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"job_title":"Head","custom":["x"]}'
	expect 403 field_forbidden
	assert_equal "$(jqb .error.field)" custom
	[[ "$(jqb .error.message)" == *"'custom'"* ]]
	api PATCH /users/alice/contacts/c-000001 -H 'If-Match: 3' --json '{"goes_by":"X","web_site":"https://new.example"}'
	expect 403 field_forbidden
	assert_equal "$(jqb .error.field)" web_site
	api GET /users/alice/contacts/c-000001
	assert_equal "$(jqb -c '[.version,.goes_by,.job_title,.web_site,.custom[0]]')" \
		'[3,"Annie","Partner","https://acme.example","key client"]'
	# sending a field's current value changes nothing: allowed
	api PATCH /users/alice/contacts/c-000001 -H 'If-Match: 3' --json '{"web_site":"https://acme.example","custom":["key client"],"job_title":"Head"}'
	expect 200
	assert_equal "$(jqb .version)" 4
	# creates: a non-empty read-only field is a change
	api POST /contacts --json '{"first_name":"Z","emails":{"home":"z@z.example"},"custom":["a"]}'
	expect 403 field_forbidden
	api POST /users/alice/contacts --json '{"first_name":"Z","emails":{"home":"z@z.example"},"web_site":"z.example"}'
	expect 403 field_forbidden
	api GET '/contacts?email=z@z.example'
	assert_equal "$(jqb -c .contacts)" '[]'
	api POST /contacts --json '{"first_name":"Z","custom":[]}'
	expect 201
	# the rights are the client's: the static token is not "oisync"
	(umask 077; printf 'Authorization: Bearer %s\n' "$TOKEN" >"$T/auth.hdr")
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"custom":["x"]}'
	expect 200
}

@test "rights: \"*\" holds for every client; dotted nested fields and per-user fields" {
	jq '.rights = {"*":{"read_only_fields":["emails.business","addresses.business.city","goes_by"]}}' \
		"$SEED" >"$T/seed.json"
	reset_fake IA "$T/seed.json"
	api PATCH /contacts/c-000001 -H 'If-Match: 3' --json '{"emails":{"home":"new@home.example"}}'
	expect 200
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"emails":{"business":"b@acme.example"}}'
	expect 403 field_forbidden
	assert_equal "$(jqb .error.field)" emails.business
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"emails":null}'
	expect 403 field_forbidden
	assert_equal "$(jqb .error.field)" emails.business
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"addresses":{"business":{"city":"Boston","state":"MA"}}}'
	expect 403 field_forbidden
	assert_equal "$(jqb .error.field)" addresses.business.city
	api PATCH /contacts/c-000001 -H 'If-Match: 4' --json '{"addresses":{"business":{"state":"MA"}}}'
	expect 200
	api PUT /users/alice/contacts/c-000004 --json '{"goes_by":"U"}'
	expect 403 field_forbidden
	assert_equal "$(jqb .error.field)" goes_by
	api GET /users/alice/contacts/c-000004
	expect 404 not_found
	api PUT /users/alice/contacts/c-000004 --json '{"my_notes":"n"}'
	expect 201
	raw GET "$HOST/_fake/dump"
	assert_equal "$(jqb -c '[.contacts["c-000001"].version,.contacts["c-000001"].emails.business]')" '[5,"Ann.Lee@acme.example"]'
	jq '.rights = {"oisync":{"read_only_fields":["shoe_size"]}}' "$SEED" >"$T/bad.json"
	run "$PYTHON" "$SERVER" --port 0 --seed "$T/bad.json"
	assert_equal "$status" 78
	assert_output --partial "shoe_size"
}

@test "private contacts: hidden from other users (GET and search with as_user, PUT, attendees)" {
	ca=$(full_cursor alice)
	api POST /users/bob/contacts --json '{"first_name":"Pat","emails":{"business":"pat@secret.example"},"private":true,"goes_by":"P","external_refs":["oisync:op:p1"]}'
	expect 201
	id=$(jqb .id)
	assert_equal "$(header Location)" "/api/v1/users/bob/contacts/$id"
	assert_equal "$(jqb -c '[.version,.private,.goes_by,.first_name]')" '[2,true,"P","Pat"]'
	assert_equal "$(header ETag)" '"2"'
	api GET "/contacts/$id?as_user=alice"
	expect 404 not_found
	api GET "/contacts/$id?as_user=bob"
	expect 200
	api GET "/contacts/$id?as_user=nobody"
	expect 404 not_found
	api GET "/contacts?email=PAT@secret.example&as_user=alice"
	expect 200
	assert_equal "$(jqb -c .contacts)" '[]'
	api GET "/contacts?external_ref=oisync:op:p1&as_user=alice"
	assert_equal "$(jqb -c .contacts)" '[]'
	api GET "/contacts?email=pat@secret.example&as_user=bob"
	assert_equal "$(jqb -c '[.contacts[].id]')" "[\"$id\"]"
	api PUT "/users/alice/contacts/$id"
	expect 404 not_found
	fake add "{\"user\":\"alice\",\"contact_id\":\"$id\"}"
	expect 404 not_found
	api GET /users/alice/contacts
	assert_equal "$(jqb -c '[.contacts[].id]')" '["c-000001","c-000002","c-000003"]'
	fake edit "{\"user\":\"bob\",\"contact_id\":\"$id\",\"set\":{\"job_title\":\"CFO\"}}"
	expect 200
	feed alice "$ca"
	assert_equal "$(jqb -c .changes)" '[]'
	# an attendee matches only a contact the appointment's owner may see
	api POST /users/alice/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z","attendees":[{"email":"pat@secret.example"}]}'
	assert_equal "$(jqb '.attendees[0].contact_id')" null
	api POST /users/bob/appointments --json '{"start":"2099-01-01T10:00:00Z","end":"2099-01-01T11:00:00Z","attendees":[{"email":"pat@secret.example"}]}'
	assert_equal "$(jqb '.attendees[0].contact_id')" "$id"
	# without as_user the service user sees every firm contact
	api GET "/contacts/$id"
	expect 200
	# a contact created without private is everyone's
	api POST /users/bob/contacts --json '{"first_name":"Open","emails":{"business":"open@x.example"}}'
	expect 201
	api GET "/contacts?email=open@x.example&as_user=alice"
	assert_equal "$(jqb '.contacts|length')" 1
	# the owner clearing the flag makes it an ordinary contact
	api PATCH "/users/bob/contacts/$id" -H 'If-Match: 3' --json '{"private":false}'
	expect 200
	api GET "/contacts/$id?as_user=alice"
	expect 200
}

@test "private contacts: visible to the owner's proxies, in their lists and feeds" {
	cb=$(full_cursor bob)
	# bob is alice's proxy (seed "proxy_for":["alice"])
	api GET /users
	assert_equal "$(jqb -c '[.users[]|[.id,.proxy_for]]')" '[["alice",[]],["bob",["alice"]]]'
	fake add '{"user":"alice","contact":{"first_name":"Quinn","emails":{"home":"q@q.example"},"private":true}}'
	expect 201
	id=$(jqb .id)
	api GET "/contacts/$id?as_user=bob"
	expect 200
	api GET "/contacts?email=q@q.example&as_user=bob"
	assert_equal "$(jqb -c '[.contacts[].id]')" "[\"$id\"]"
	api PUT "/users/bob/contacts/$id" --json '{"my_notes":"for alice"}'
	expect 201
	api PATCH "/users/alice/contacts/$id" -H 'If-Match: 2' --json '{"job_title":"Owner"}'
	expect 200
	feed bob "$cb"
	assert_equal "$(jqb -c '[.changes[]|[.op,.contact.id,.contact.job_title]]')" "[[\"upsert\",\"$id\",\"Owner\"]]"
	api GET "/users/alice/contacts/$id"
	assert_equal "$(jqb .private)" true
}

@test "private contacts from the seed; a list entry others may not see is refused; kept by --data-dir" {
	jq '.contacts += [{"id":"c-000009","first_name":"Sealed","emails":{"business":"s@s.example"},"private_owner":"bob"}]
	    | .lists.bob += [{"id":"c-000009","private":true}]' "$SEED" >"$T/seed.json"
	SEED="$T/seed.json" start_server --data-dir "$T/data"
	api GET '/contacts?email=s@s.example&as_user=alice'
	assert_equal "$(jqb -c .contacts)" '[]'
	stop_server
	SEED="$T/seed.json" start_server --data-dir "$T/data"
	api GET '/contacts/c-000009?as_user=alice'
	expect 404 not_found
	api GET '/contacts/c-000009?as_user=bob'
	expect 200
	stop_server
	jq '.lists.alice += [{"id":"c-000009"}]' "$T/seed.json" >"$T/bad.json"
	run "$PYTHON" "$SERVER" --port 0 --seed "$T/bad.json"
	assert_equal "$status" 78
	assert_output --partial "private"
}

@test "man page EXAMPLES match the server" {
	[ -f "$MANPAGE" ] || skip "no man page"
	run "$PYTHON" - "$MANPAGE" "$PORT" "$CLIENTS_FILE" <<'EOF'
# Send every request of the man page's EXAMPLES in order and compare the reply:
# status line, the headers shown, and the JSON shown (a subset of the reply:
# objects may leave keys out; "<...>" strings match any string).
import http.client, json, re, sys
man, port, clients = sys.argv[1], int(sys.argv[2]), sys.argv[3]
secret = [l.split(":", 1)[1].strip() for l in open(clients) if l.startswith("oisync:")][0]
text = open(man).read()
ex = text.split("\n.SH EXAMPLES", 1)[1].split("\n.SH ", 1)[0]
def unescape(s):
    return (s.replace("\\-", "-").replace("\\e", "\\").replace("\\(dq", '"')
             .replace("\\&", "").replace("\\(aq", "'"))
blocks = [unescape(b) for b in re.findall(r"\n\.EX\n(.*?)\n\.EE", ex, re.S)]
def split(block):
    head, _, body = block.partition("\n\n")
    lines = head.split("\n")
    return lines[0], [l.split(":", 1) for l in lines[1:]], body
def match(want, got, where):
    if isinstance(want, str) and want.startswith("<") and want.endswith(">"):
        assert isinstance(got, str), where
        return
    if isinstance(want, dict):
        assert isinstance(got, dict), "%s: want an object, got %r" % (where, got)
        for k, v in want.items():
            assert k in got, "%s: no key %s" % (where, k)
            match(v, got[k], where + "." + k)
        return
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), \
            "%s: want %d items, got %r" % (where, len(want), got)
        for i, (w, g) in enumerate(zip(want, got)):
            match(w, g, "%s[%d]" % (where, i))
        return
    assert want == got, "%s: want %r, got %r" % (where, want, got)
vars = {"<secret>": secret}
n = 0
import socket
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
conn.connect()
conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
i = 0
while i < len(blocks):
    if not re.match(r"(GET|POST|PUT|PATCH|DELETE) ", blocks[i]):
        i += 1
        continue
    req, resp = blocks[i], blocks[i + 1]
    i += 2
    for k, v in vars.items():
        req = req.replace(k, v)
    line, headers, body = split(req)
    method, path = line.split()[:2]
    conn.request(method, path, body=body.encode() if body else None,
                 headers={k.strip(): v.strip() for k, v in headers})
    r = conn.getresponse()
    got_body = r.read().decode()
    sline, want_headers, want_body = split(resp)
    where = "example %d (%s %s)" % (n + 1, method, path)
    want_status = int(sline.split()[1])
    assert r.status == want_status, "%s: status %d, want %d: %s" % (where, r.status, want_status, got_body)
    for k, v in want_headers:
        if k.lower() in ("content-length",):
            continue
        assert r.getheader(k.strip()) == v.strip(), "%s: header %s: %r" % (where, k, r.getheader(k.strip()))
    if want_body.strip():
        got = json.loads(got_body)
        match(json.loads(want_body), got, where)
        for key, name in (("access_token", "<token>"), ("cursor", "<cursor>"), ("next", "<page>")):
            if isinstance(got, dict) and isinstance(got.get(key), str):
                vars[name] = got[key]
    else:
        assert got_body == "", "%s: want no body, got %r" % (where, got_body)
    n += 1
print("%d examples checked" % n)
assert n >= 10, "too few examples found"
EOF
	echo "$output"
	assert_success
}
