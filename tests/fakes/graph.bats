#!/usr/bin/env bats
# graph.bats - the Microsoft Graph fake (tests/fakes/graph) against Microsoft's
# documentation, with curl: tokens (secret and certificate), contacts, extended
# properties, delta and its 410, events and calendar views, $batch, throttling,
# access, faults and the control endpoints. tests/fakes/graph_sdk.bats runs the
# real clients (Microsoft's Graph SDK and MSAL) against it.

load ../helper

SERVER="$FAKES/graph/graph_server.py"
READER=2d8f9b7c-1e3a-4c5d-8e6f-7a8b9c0d1e2f
BOB=bob@firm.example
CAROL=carol@firm.example
# The op-id tag of an item (a named property in PS_PUBLIC_STRINGS).
TAG="String {00020329-0000-0000-c000-000000000046} Name oisync-op-id"

# One fake for the file: the example seed, the app's certificate (a key pair made
# here by openssl, the private key 0600) registered, and an app that may only
# read contacts. Both apps share the file's secret.
setup_file() {
	local f=$BATS_FILE_TMPDIR
	(
		umask 077
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$f/app.key" -out "$f/app.pem" \
			-subj /CN=oisync-app -days 2 2>/dev/null
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$f/other.key" -out "$f/other.pem" \
			-subj /CN=stranger -days 2 2>/dev/null
	) || return 1
	jq --rawfile pem "$f/app.pem" --arg app "$GRAPH_CLIENT_ID" --arg reader "$READER" \
		'.apps[$app].certificates = [$pem]
		 | .apps[$reader] = {"displayName": "reader", "mailboxes": "*", "roles": ["Contacts.Read"]}' \
		"$FAKES/graph/seed_example.json" >"$f/seed.json" || return 1
	# Not a pipe: the fake's PID and ports must be this shell's.
	graph_fake_for_file "$GRAPH_CLIENT_ID" "$READER" <"$f/seed.json"
}

teardown_file() {
	stop_fake GRAPH
}

setup() {
	graph_fake_test
	get_token "$GRAPH_CLIENT_ID" auth.hdr
}

teardown() {
	stop_fake SOLO
}

# form CLIENT [SECRET]: the client-credentials form, in a 0600 file (a secret is
# never on a command line); its name.
form() {
	local secret=${2-$(cat "$BATS_FILE_TMPDIR/graph.secret")}
	printf 'grant_type=client_credentials&client_id=%s&scope=%s&client_secret=%s' "$1" \
		'https%3A%2F%2Fgraph.microsoft.com%2F.default' "$secret" >"$T/form"
	echo "$T/form"
}

# token_request [CURL ARGS...]: POST the tenant's token endpoint; CODE and BODY.
token_request() {
	CODE=$(curl -sS -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		"$GRAPH_URL/$GRAPH_TENANT/oauth2/v2.0/token" "$@")
	BODY=$(<"$T/body")
}

# get_token CLIENT FILE: a token of CLIENT (the file's secret), as the header
# line "Authorization: Bearer ..." in $T/FILE.
get_token() {
	token_request --data-binary @"$(form "$1")"
	[ "$CODE" = 200 ] || { echo "no token: $BODY" >&2; return 1; }
	printf 'Authorization: Bearer %s\n' "$(jq -r .access_token <<<"$BODY")" >"$T/$2"
}

# api METHOD PATH [CURL ARGS...]: a Graph request (PATH after /v1.0) with the
# token in $T/${AUTH:-auth.hdr}; CODE, BODY, and the headers in $T/headers.
api() {
	local m=$1 p=$2
	shift 2
	CODE=$(curl -sS -g -X "$m" -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H @"$T/${AUTH:-auth.hdr}" "$@" "$GRAPH_URL/v1.0$p")
	BODY=$(<"$T/body")
}

# post METHOD PATH JSON: a request with a JSON body.
post() {
	api "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3" "${@:4}"
}

# link URL [CURL ARGS...]: GET an absolute link (nextLink, deltaLink).
link() {
	local u=$1
	shift
	CODE=$(curl -sS -g -o "$T/body" -D "$T/headers" -w '%{http_code}' -H @"$T/auth.hdr" "$@" "$u")
	BODY=$(<"$T/body")
}

jqb() {
	jq -r "$@" <<<"$BODY"
}

header() { # NAME: a response header of the last request
	sed -n "s/^$1: *//Ip" "$T/headers" | tr -d '\r' | head -1
}

expect() { # STATUS [ERROR_CODE]
	[ "$CODE" = "$1" ] || { echo "want HTTP $1, got $CODE: $BODY" >&2; return 1; }
	if [ -n "${2:-}" ]; then
		assert_equal "$(jqb '.error.code')" "$2"
		assert_equal "$(jqb '.error.innerError["request-id"] | length > 0')" true
	fi
}

ctl() { # PATH [JSON]
	fake_ctl GRAPH "$@"
}

b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}

# assertion ALG CERT KEY [AUD] [EXP_OFFSET]: a client assertion of the app signed
# with KEY, naming CERT by its thumbprint (x5t for RS256, x5t#S256 for PS256).
assertion() {
	local alg=$1 cert=$2 key=$3 aud=${4:-$GRAPH_URL/$GRAPH_TENANT/oauth2/v2.0/token}
	local now exp hdr claims input sig thumb name=x5t digest=-sha1
	local -a pss=()
	now=$(date +%s)
	exp=$((now + ${5:-600}))
	if [ "$alg" = PS256 ]; then
		name='x5t#S256' digest=-sha256
		pss=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32)
	fi
	# The thumbprints of the file's certificates, computed once.
	[ -s "$cert$digest" ] ||
		openssl x509 -in "$cert" -outform DER | openssl dgst "$digest" -binary | b64url >"$cert$digest"
	thumb=$(<"$cert$digest")
	hdr=$(printf '{"alg":"%s","typ":"JWT","%s":"%s"}' "$alg" "$name" "$thumb" | b64url)
	claims=$(printf '{"aud":"%s","iss":"%s","sub":"%s","jti":"%s","nbf":%d,"exp":%d}' \
		"$aud" "$GRAPH_CLIENT_ID" "$GRAPH_CLIENT_ID" "$RANDOM$RANDOM" "$now" "$exp" | b64url)
	input="$hdr.$claims"
	sig=$(printf '%s' "$input" | openssl dgst -sha256 "${pss[@]}" -sign "$key" -binary | b64url)
	printf '%s.%s' "$input" "$sig"
}

# assert_token ASSERTION: the token endpoint's answer to a client assertion.
assert_token() {
	printf 'grant_type=client_credentials&client_id=%s&scope=%s&client_assertion_type=%s&client_assertion=%s' \
		"$GRAPH_CLIENT_ID" 'https%3A%2F%2Fgraph.microsoft.com%2F.default' \
		'urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer' "$1" >"$T/aform"
	token_request --data-binary @"$T/aform"
}

contact_id() { # GIVEN: the id of alice's contact with that givenName
	api GET "/users/$ALICE/contacts" --url-query '$top=100' --url-query '$select=givenName'
	jqb --arg g "$1" '.value[] | select(.givenName == $g) | .id'
}

@test "--help describes the options, the seed and the control endpoints" {
	run "$PYTHON" "$SERVER" --help
	assert_success
	assert_output --partial "--tls-cert"
	assert_output --partial "CLIENT_ID:SECRET"
	assert_output --partial "/_fake/expire-delta"
}

@test "port files, 127.0.0.1 only, HTTPS with the certificate, a bad seed stops it (78)" {
	start_fake SOLO graph/graph_server.py --seed "$FAKES/graph/seed_example.json" \
		--tls-cert "$BATS_FILE_TMPDIR/graph-tls.pem" --tls-key "$BATS_FILE_TMPDIR/graph-tls.key" \
		--tls-port-file "$T/tls.port"
	run ss -ltnH "sport = :$SOLO_PORT"
	assert_output --partial "127.0.0.1:$SOLO_PORT"
	run curl -sS --cacert "$BATS_FILE_TMPDIR/graph-tls.pem" \
		"https://127.0.0.1:$(cat "$T/tls.port")/$GRAPH_TENANT/v2.0/.well-known/openid-configuration"
	assert_success
	assert_equal "$(jq -r .token_endpoint <<<"$output")" \
		"https://127.0.0.1:$(cat "$T/tls.port")/$GRAPH_TENANT/oauth2/v2.0/token"
	kill -TERM "$SOLO_PID"
	wait "$SOLO_PID" || true
	[ ! -e "$T/tls.port" ]
	echo '{"users": {"x@y": {"contacts": [{"nope": 1}]}}}' >"$T/bad.json"
	run "$PYTHON" "$SERVER" --port 0 --seed "$T/bad.json"
	assert_equal "$status" 78
	assert_output --partial "nope"
}

@test "token: client secret in the form or by Basic; Bearer with expires_in" {
	token_request --data-binary @"$(form "$GRAPH_CLIENT_ID")"
	expect 200
	assert_equal "$(jqb '[.token_type, .expires_in, .ext_expires_in, (.access_token | split(".") | length)] | @tsv')" \
		"$(printf 'Bearer\t3599\t3599\t3')"
	assert_equal "$(header Cache-Control)" "no-store, no-cache"
	(umask 077; printf 'grant_type=client_credentials&client_id=%s&scope=https%%3A%%2F%%2Fgraph.microsoft.com%%2F.default' \
		"$GRAPH_CLIENT_ID" >"$T/basic.form"
	 printf 'user = "%s:%s"\n' "$GRAPH_CLIENT_ID" "$(cat "$BATS_FILE_TMPDIR/graph.secret")" >"$T/basic.cfg")
	token_request --data-binary @"$T/basic.form" -K "$T/basic.cfg"
	expect 200
	run ctl stats
	assert_equal "$(jq -c ".tokens_issued[\"$GRAPH_CLIENT_ID\"]" <<<"$output")" 3
}

@test "token: wrong secret, unknown app, bad scope, grant or tenant, missing parameter" {
	token_request --data-binary @"$(form "$GRAPH_CLIENT_ID" wrong)"
	expect 401
	assert_equal "$(jqb '[.error, .error_codes[0], (.error_description | startswith("AADSTS7000215:"))] | @tsv')" \
		"$(printf 'invalid_client\t7000215\ttrue')"
	token_request --data-binary @"$(form 99999999-0000-0000-0000-000000000000)"
	expect 400
	assert_equal "$(jqb .error)" unauthorized_client
	sed 's/scope=[^&]*/scope=https%3A%2F%2Fgraph.microsoft.com%2FContacts.Read/' "$(form "$GRAPH_CLIENT_ID")" >"$T/f2"
	token_request --data-binary @"$T/f2"
	expect 400
	assert_equal "$(jqb .error_codes[0])" 1002012
	sed 's/scope=[^&]*/scope=https%3A%2F%2Fmanagement.azure.com%2F.default/' "$(form "$GRAPH_CLIENT_ID")" >"$T/f2"
	token_request --data-binary @"$T/f2"
	assert_equal "$CODE $(jqb .error)" "400 invalid_resource"
	sed 's/grant_type=client_credentials/grant_type=password/' "$(form "$GRAPH_CLIENT_ID")" >"$T/f2"
	token_request --data-binary @"$T/f2"
	assert_equal "$CODE $(jqb .error)" "400 unsupported_grant_type"
	sed 's/scope=[^&]*&//' "$(form "$GRAPH_CLIENT_ID")" >"$T/f2"
	token_request --data-binary @"$T/f2"
	assert_equal "$CODE $(jqb .error_codes[0])" "400 900144"
	CODE=$(curl -sS -o "$T/body" -w '%{http_code}' --data-binary @"$(form "$GRAPH_CLIENT_ID")" \
		"$GRAPH_URL/contoso.example/oauth2/v2.0/token")
	assert_equal "$CODE $(jq -r .error_codes[0] "$T/body")" "400 90002"
	# The tenant may be named by one of its domains.
	CODE=$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$(form "$GRAPH_CLIENT_ID")" \
		"$GRAPH_URL/firm.example/oauth2/v2.0/token")
	assert_equal "$CODE" 200
}

@test "token: a certificate's client assertion, RS256 with x5t and PS256 with x5t#S256" {
	local f=$BATS_FILE_TMPDIR
	assert_token "$(assertion RS256 "$f/app.pem" "$f/app.key")"
	expect 200
	printf 'Authorization: Bearer %s\n' "$(jqb .access_token)" >"$T/cert.hdr"
	AUTH=cert.hdr api GET "/users/$ALICE/contacts" --url-query '$top=1'
	expect 200
	assert_token "$(assertion PS256 "$f/app.pem" "$f/app.key")"
	expect 200
	# The audience may name the real login host too.
	assert_token "$(assertion RS256 "$f/app.pem" "$f/app.key" \
		"https://login.microsoftonline.com/$GRAPH_TENANT/oauth2/v2.0/token")"
	expect 200
}

@test "token: an assertion of another certificate, tampered, stale or for another audience is refused" {
	local f=$BATS_FILE_TMPDIR a
	assert_token "$(assertion RS256 "$f/other.pem" "$f/other.key")"
	assert_equal "$CODE $(jqb .error) $(jqb .error_codes[0])" "401 invalid_client 700027"
	# The right certificate named, signed with another key.
	a=$(assertion RS256 "$f/app.pem" "$f/app.key")
	assert_token "${a%.*}.$(assertion RS256 "$f/app.pem" "$f/other.key" | sed 's/.*\.//')"
	assert_equal "$CODE $(jqb .error_codes[0])" "401 700027"
	assert_equal "$(jqb '.error_description | contains("signature validation")')" true
	assert_token "$(assertion RS256 "$f/app.pem" "$f/app.key" "" -900)"
	assert_equal "$CODE $(jqb .error_codes[0])" "401 700024"
	assert_token "$(assertion RS256 "$f/app.pem" "$f/app.key" "https://elsewhere.example/token")"
	assert_equal "$CODE $(jqb .error)" "401 invalid_client"
	assert_token "not-a-jwt"
	assert_equal "$CODE $(jqb .error)" "400 invalid_request"
}

@test "Graph: no token, an unknown one and an expired one get 401 InvalidAuthenticationToken" {
	printf 'X-None: 1\n' >"$T/none.hdr"
	AUTH=none.hdr api GET "/users/$ALICE/contacts"
	expect 401 InvalidAuthenticationToken
	assert_equal "$(jqb .error.message)" "Access token is empty."
	[[ "$(header WWW-Authenticate)" == Bearer* ]]
	printf 'Authorization: Bearer %s\n' "a.b.c" >"$T/bad.hdr"
	AUTH=bad.hdr api GET "/users/$ALICE/contacts"
	expect 401 InvalidAuthenticationToken
	ctl clock '{"advance_s": 3600}' >/dev/null
	api GET "/users/$ALICE/contacts"
	expect 401 InvalidAuthenticationToken
	assert_equal "$(jqb .error.message)" "Lifetime validation failed, the token is expired."
}

@test "access: 404 ErrorInvalidUser, 403 for a mailbox the policy leaves out or a role the app lacks" {
	api GET "/users/nobody@firm.example/contacts"
	expect 404 ErrorInvalidUser
	api GET "/users/$CAROL/contacts"
	expect 403 ErrorAccessDenied
	assert_equal "$(jqb '.error.message | contains("AccessPolicy")')" true
	api GET "/users/$BOB/contacts"
	expect 200
	# A user by object id, and the OData key syntax, name the same mailbox.
	api GET "/users/$ALICE"
	id=$(jqb .id)
	api GET "/users/$id/contacts" --url-query '$select=id'
	expect 200
	api GET "/users('$ALICE')/contacts" --url-query '$select=id'
	expect 200
	get_token "$READER" reader.hdr
	AUTH=reader.hdr api GET "/users/$CAROL/contacts"
	expect 200
	AUTH=reader.hdr post POST "/users/$CAROL/contacts" '{"givenName": "No"}'
	expect 403 ErrorAccessDenied
	AUTH=reader.hdr api GET "/users/$CAROL/events"
	expect 403 ErrorAccessDenied
	api GET "/me/contacts"
	expect 400 BadRequest
}

@test "contacts: \$top, \$select and @odata.nextLink page through a folder" {
	for i in 1 2 3 4 5; do
		ctl create "{\"mailbox\": \"$ALICE\", \"item\": {\"givenName\": \"P$i\"}}" >/dev/null
	done
	api GET "/users/$ALICE/contacts" --url-query '$top=3' --url-query '$select=givenName,surname'
	expect 200
	assert_equal "$(jqb '.value | length')" 3
	assert_equal "$(jqb '.value[0] | keys_unsorted | join(",")')" "@odata.etag,givenName,id,surname"
	local names n=1
	names=$(jqb '[.value[].givenName] | join(",")')
	while next=$(jqb '."@odata.nextLink" // empty') && [ -n "$next" ]; do
		[[ "$next" == "$GRAPH_URL/v1.0/users/"*'$skip='* ]]
		link "$next"
		expect 200
		names+=",$(jqb '[.value[].givenName] | join(",")')"
		n=$((n + 1))
	done
	assert_equal "$n" 3
	assert_equal "$names" "Ann,Bo,P1,P2,P3,P4,P5"
	api GET "/users/$ALICE/contacts" --url-query '$select=nope'
	expect 400 RequestBroker--ParseUri
}

@test "contacts: POST, GET, PATCH with If-Match, 412 for a stale etag, DELETE" {
	post POST "/users/$ALICE/contacts" '{"givenName": "Uma", "middleName": "Q", "surname": "Ng",
		"nickName": "U", "title": "Dr.", "generation": "Jr.", "fileAs": "Ng, Uma",
		"companyName": "Old Co", "jobTitle": "CFO", "department": "Finance",
		"assistantName": "Al", "emailAddresses": [{"address": "uma@ng.example"}],
		"businessPhones": ["+1 1"], "homePhones": ["+1 2"], "mobilePhone": "+1 3",
		"businessAddress": {"street": "1 St", "city": "Oslo", "countryOrRegion": "Norway"},
		"homeAddress": {"city": "Bergen"}, "otherAddress": {}, "businessHomePage": "https://ng.example",
		"birthday": "1990-12-10T12:00:00.000+00:00", "personalNotes": "n", "categories": ["VIP"]}'
	expect 201
	local id etag ck
	id=$(jqb .id) etag=$(jqb '."@odata.etag"') ck=$(jqb .changeKey)
	assert_equal "$etag" "W/\"$ck\""
	assert_equal "$(jqb '[.displayName, .emailAddresses[0].name, .birthday, .businessAddress.city, .homeAddress.city] | @tsv')" \
		"$(printf 'Uma Q Ng Jr.\tuma@ng.example\t1990-12-10T12:00:00Z\tOslo\tBergen')"
	api GET "/users/$ALICE/contacts/$id"
	expect 200
	assert_equal "$(jqb '[.jobTitle, .mobilePhone, .parentFolderId != null, (.createdDateTime | test("Z$"))] | @tsv')" \
		"$(printf 'CFO\t+1 3\ttrue\ttrue')"
	post PATCH "/users/$ALICE/contacts/$id" '{"companyName": "New Co", "businessAddress": {"city": "Rome"}}' \
		-H "If-Match: $etag"
	expect 200
	assert_equal "$(jqb '[.companyName, (.businessAddress | tojson), .changeKey != "'"$ck"'"] | @tsv')" \
		"$(printf 'New Co\t{"city":"Rome"}\ttrue')"
	post PATCH "/users/$ALICE/contacts/$id" '{"companyName": "Stale Co"}' -H "If-Match: $etag"
	expect 412 ErrorIrresolvableConflict
	api DELETE "/users/$ALICE/contacts/$id" -H "If-Match: $etag"
	expect 412 ErrorIrresolvableConflict
	post PATCH "/users/$ALICE/contacts/$id" '{"nope": 1}'
	expect 400 RequestBodyRead
	assert_equal "$(jqb '.error.message | contains("nope")')" true
	post PATCH "/users/$ALICE/contacts/$id" '{"emailAddresses": [{"address": "a"}, {"address": "b"}, {"address": "c"}, {"address": "d"}]}'
	expect 400
	api DELETE "/users/$ALICE/contacts/$id"
	expect 204
	api GET "/users/$ALICE/contacts/$id"
	expect 404 ErrorItemNotFound
	api GET "/users/$ALICE/contacts/not-an-id!"
	expect 400 ErrorInvalidIdMalformed
	# A contact folder: made, listed, holding its own contacts.
	post POST "/users/$ALICE/contactFolders" '{"displayName": "Firm"}'
	expect 201
	local fid
	fid=$(jqb .id)
	post POST "/users/$ALICE/contactFolders" '{"displayName": "firm"}'
	expect 409 ErrorFolderExists
	post POST "/users/$ALICE/contactFolders/$fid/contacts" '{"givenName": "In", "surname": "Folder"}'
	expect 201
	assert_equal "$(jqb .parentFolderId)" "$fid"
	api GET "/users/$ALICE/contactFolders" --url-query "\$filter=displayName eq 'Firm'"
	assert_equal "$(jqb '.value[0].id')" "$fid"
}

@test "extended properties: POST and PATCH carry them, \$expand shows one, \$filter finds the item" {
	post POST "/users/$ALICE/contacts" "{\"givenName\": \"Tagged\", \"singleValueExtendedProperties\": [{\"id\": \"$TAG\", \"value\": \"op-1\"}]}"
	expect 201
	local id
	id=$(jqb .id)
	api GET "/users/$ALICE/contacts/$id"
	assert_equal "$(jqb 'has("singleValueExtendedProperties")')" false
	api GET "/users/$ALICE/contacts/$id" --url-query "\$expand=singleValueExtendedProperties(\$filter=id eq '$TAG')"
	expect 200
	assert_equal "$(jqb -c '.singleValueExtendedProperties')" "[{\"id\":\"$TAG\",\"value\":\"op-1\"}]"
	# The GUID's case does not matter.
	api GET "/users/$ALICE/contacts" --url-query \
		"\$filter=singleValueExtendedProperties/Any(ep: ep/id eq '${TAG/c000/C000}' and ep/value eq 'op-1')"
	expect 200
	assert_equal "$(jqb '[.value[].id] | join(",")')" "$id"
	post PATCH "/users/$ALICE/contacts/$id" "{\"singleValueExtendedProperties\": [{\"id\": \"$TAG\", \"value\": \"op-2\"}]}"
	expect 200
	api GET "/users/$ALICE/contacts" --url-query \
		"\$filter=singleValueExtendedProperties/any(x: x/id eq '$TAG' and x/value eq 'op-1')"
	assert_equal "$(jqb '.value | length')" 0
	api GET "/users/$ALICE/contacts" --url-query "\$filter=emailAddresses/any(a: a/address eq 'ANN@acme.example')" \
		--url-query '$select=givenName'
	assert_equal "$(jqb '[.value[].givenName] | join(",")')" Ann
	api GET "/users/$ALICE/contacts/$id" --url-query '$expand=singleValueExtendedProperties'
	expect 400
	api GET "/users/$ALICE/contacts" --url-query "\$filter=givenName eq"
	expect 400 ErrorInvalidUrlQueryFilter
}

@test "contacts delta: pages of odata.maxpagesize, \$select kept in the tokens, then only the changes" {
	local -a got=()
	api GET "/users/$ALICE/contactFolders/contacts/contacts/delta" --url-query '$select=givenName' \
		-H 'Prefer: odata.maxpagesize=1'
	expect 200
	assert_equal "$(header Preference-Applied)" "odata.maxpagesize=1"
	got+=("$(jqb -c '.value[0] | keys_unsorted')")
	next=$(jqb '."@odata.nextLink"')
	[[ "$next" == *'/contactFolders/contacts/contacts/delta?$skiptoken='* ]]
	link "$next" -H 'Prefer: odata.maxpagesize=1'
	expect 200
	got+=("$(jqb -c '.value[0] | keys_unsorted')")
	delta=$(jqb '."@odata.deltaLink"')
	[[ "$delta" == *'$deltatoken='* ]]
	assert_equal "${got[*]}" '["@odata.type","@odata.etag","givenName","id"] ["@odata.type","@odata.etag","givenName","id"]'
	# Nothing changed: an empty round.
	link "$delta"
	expect 200
	assert_equal "$(jqb '.value | length')" 0
	delta=$(jqb '."@odata.deltaLink"')
	# The owner edits one, adds one and deletes one, as in Outlook.
	ann=$(contact_id Ann) bo=$(contact_id Bo)
	ctl edit "{\"mailbox\": \"$ALICE\", \"id\": \"$ann\", \"set\": {\"jobTitle\": \"CEO\", \"businessAddress.city\": \"Boston\"}}" >/dev/null
	new=$(ctl create "{\"mailbox\": \"$ALICE\", \"item\": {\"givenName\": \"Cy\"}}" | jq -r .id)
	ctl delete "{\"mailbox\": \"$ALICE\", \"id\": \"$bo\"}" >/dev/null
	link "$delta"
	expect 200
	assert_equal "$(jqb -c '[.value[] | [.id, .givenName, .["@removed"].reason]]')" \
		"[[\"$ann\",\"Ann\",null],[\"$new\",\"Cy\",null],[\"$bo\",null,\"deleted\"]]"
	assert_equal "$(jqb '.value[2]["@odata.type"]')" "#microsoft.graph.contact"
	api GET "/users/$ALICE/contactFolders/contacts/contacts/delta" --url-query "\$filter=givenName eq 'Ann'"
	expect 400 ErrorInvalidUrlQuery
}

@test "delta: an expired, unknown or reset token gets 410 syncStateNotFound and the initial query" {
	api GET "/users/$ALICE/contactFolders/contacts/contacts/delta" --url-query '$select=givenName'
	delta=$(jqb '."@odata.deltaLink"')
	run ctl expire-delta "{\"mailbox\": \"$ALICE\"}"
	assert_equal "$(jq .expired <<<"$output")" 1
	link "$delta"
	expect 410 syncStateNotFound
	assert_equal "$(header Location)" "$GRAPH_URL/v1.0/users/$ALICE/contactFolders/contacts/contacts/delta?\$select=givenName"
	link "$GRAPH_URL/v1.0/users/$ALICE/contactFolders/contacts/contacts/delta?\$deltatoken=nothing"
	expect 410 syncStateNotFound
	api GET "/users/$ALICE/calendarView/delta" --url-query startDateTime=2026-03-01T00:00:00Z \
		--url-query endDateTime=2026-03-08T00:00:00Z
	delta=$(jqb '."@odata.deltaLink"')
	reset_fake GRAPH
	get_token "$GRAPH_CLIENT_ID" auth.hdr
	link "$delta"
	expect 410 syncStateNotFound
}

@test "calendarView delta: the first request's window, occurrences, exceptions and cancellations" {
	api GET "/users/$ALICE/calendarView/delta" --url-query startDateTime=2026-03-16T00:00:00Z \
		--url-query endDateTime=2026-04-01T00:00:00 -H 'Prefer: odata.maxpagesize=3'
	expect 200
	local all="" pages=1
	all=$(jqb -c '.value[]')
	while next=$(jqb '."@odata.nextLink" // empty') && [ -n "$next" ]; do
		[[ "$next" != *startDateTime* ]]
		link "$next" -H 'Prefer: odata.maxpagesize=3'
		all+=$'\n'$(jqb -c '.value[]')
		pages=$((pages + 1))
	done
	delta=$(jqb '."@odata.deltaLink"')
	assert_equal "$pages" 2
	run jq -r '[.type, .subject, .start.dateTime, .start.timeZone, .originalStart // "-"] | @tsv' <<<"$all"
	assert_output "$(printf '%s\n' \
		$'occurrence\tTeam call\t2026-03-16T08:00:00.0000000\tUTC\t2026-03-16T08:00:00Z' \
		$'singleInstance\tLunch with Ann\t2026-03-18T12:00:00.0000000\tUTC\t-' \
		$'occurrence\tTeam call\t2026-03-19T08:00:00.0000000\tUTC\t2026-03-19T08:00:00Z' \
		$'exception\tTeam call (moved)\t2026-03-23T10:00:00.0000000\tUTC\t2026-03-23T08:00:00Z' \
		$'occurrence\tTeam call\t2026-03-26T08:00:00.0000000\tUTC\t2026-03-26T08:00:00Z')"
	master=$(jq -r 'select(.type == "occurrence") | .seriesMasterId' <<<"$all" | sort -u)
	[ "$(wc -l <<<"$master")" = 1 ]
	# The iCalUId differs per occurrence.
	[ "$(jq -r 'select(.seriesMasterId) | .iCalUId' <<<"$all" | sort -u | wc -l)" = 4 ]
	# The owner moves the 19 March occurrence and deletes the 26 March one.
	occ19=$(jq -r 'select(.originalStart == "2026-03-19T08:00:00Z") | .id' <<<"$all")
	occ26=$(jq -r 'select(.originalStart == "2026-03-26T08:00:00Z") | .id' <<<"$all")
	ctl edit "{\"mailbox\": \"$ALICE\", \"id\": \"$occ19\", \"set\": {\"location\": {\"displayName\": \"Room 2\"}}}" >/dev/null
	ctl delete "{\"mailbox\": \"$ALICE\", \"id\": \"$occ26\"}" >/dev/null
	link "$delta" -H 'Prefer: odata.maxpagesize=50'
	expect 200
	run jqb -c ".value[] | select(.id == \"$occ19\" or .id == \"$occ26\") | [.type, .location.displayName, .[\"@removed\"].reason]"
	assert_line '["exception","Room 2",null]'
	assert_line '[null,null,"deleted"]'
	api GET "/users/$ALICE/calendarView/delta" --url-query startDateTime=2026-03-16T00:00:00Z \
		--url-query endDateTime=2026-04-01T00:00:00Z --url-query '$select=subject'
	expect 400 ErrorInvalidUrlQuery
	api GET "/users/$ALICE/calendarView/delta"
	expect 400
}

@test "time zones: Prefer outlook.timezone with Windows and IANA names, a series kept at 09:00 Berlin" {
	local q=(--url-query startDateTime=2026-03-26T00:00:00Z --url-query endDateTime=2026-04-03T00:00:00Z
		--url-query '$select=start,end,originalStartTimeZone')
	api GET "/users/$ALICE/calendarView" "${q[@]}" -H 'Prefer: outlook.timezone="W. Europe Standard Time"'
	expect 200
	assert_equal "$(header Preference-Applied)" 'outlook.timezone="W. Europe Standard Time"'
	# Before and after the change to summer time (29 March): 09:00 local both times.
	assert_equal "$(jqb '[.value[].start.dateTime[11:16]] | join(",")')" "09:00,09:00"
	assert_equal "$(jqb '.value[0].originalStartTimeZone')" "W. Europe Standard Time"
	api GET "/users/$ALICE/calendarView" "${q[@]}" -H 'Prefer: outlook.timezone="America/New_York"'
	assert_equal "$(jqb '[.value[] | .start.dateTime[11:16] + " " + .start.timeZone] | join(",")')" \
		"04:00 America/New_York,03:00 America/New_York"
	api GET "/users/$ALICE/calendarView" "${q[@]}"
	assert_equal "$(jqb '[.value[] | .start.dateTime + " " + .start.timeZone] | join(",")')" \
		"2026-03-26T08:00:00.0000000 UTC,2026-04-02T07:00:00.0000000 UTC"
	api GET "/users/$ALICE/calendarView" "${q[@]}" -H 'Prefer: outlook.timezone="Mars/Olympus"'
	expect 400 TimeZoneNotSupportedException
}

@test "events: a weekly series made, an occurrence edited into an exception, one deleted, instances" {
	post POST "/users/$ALICE/calendar/events" '{"subject": "Board", "body": {"contentType": "html", "content": "<p>Agenda</p>"},
		"start": {"dateTime": "2026-06-01T10:00:00", "timeZone": "Pacific Standard Time"},
		"end": {"dateTime": "2026-06-01T11:00:00", "timeZone": "Pacific Standard Time"},
		"sensitivity": "private", "showAs": "tentative", "categories": ["Board"],
		"location": {"displayName": "HQ"}, "organizer": {"emailAddress": {"name": "Alice", "address": "alice@firm.example"}},
		"attendees": [{"type": "required", "emailAddress": {"address": "ann@acme.example"}},
		              {"type": "optional", "emailAddress": {"name": "Bo", "address": "bo@globex.example"}},
		              {"type": "resource", "emailAddress": {"name": "Room 1", "address": "room1@firm.example"}}],
		"recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
		               "range": {"type": "numbered", "startDate": "2026-06-01", "numberOfOccurrences": 3}}}'
	expect 201
	local id ck
	id=$(jqb .id) ck=$(jqb .changeKey)
	assert_equal "$(jqb '[.type, .bodyPreview, .sensitivity, .showAs, .isOrganizer, ([.attendees[].type] | join("+")), .recurrence.range.recurrenceTimeZone, .recurrence.pattern.firstDayOfWeek] | @tsv')" \
		"$(printf 'seriesMaster\tAgenda\tprivate\ttentative\ttrue\trequired+optional+resource\tPacific Standard Time\tsunday')"
	[[ "$(jqb .iCalUId)" == 040000008200E00074C5B7101A82E008* ]]
	api GET "/users/$ALICE/events/$id/instances" --url-query startDateTime=2026-06-01T00:00:00Z \
		--url-query endDateTime=2026-07-01T00:00:00Z
	expect 200
	assert_equal "$(jqb '[.value[] | .start.dateTime[0:16]] | join(",")')" \
		"2026-06-01T17:00,2026-06-08T17:00,2026-06-15T17:00"
	occ2=$(jqb '.value[1].id') occ3=$(jqb '.value[2].id')
	post PATCH "/users/$ALICE/events/$occ2" '{"subject": "Board (moved)", "start": {"dateTime": "2026-06-09T10:00:00", "timeZone": "Pacific Standard Time"}, "end": {"dateTime": "2026-06-09T11:00:00", "timeZone": "Pacific Standard Time"}}'
	expect 200
	assert_equal "$(jqb '[.id == "'"$occ2"'", .type, .seriesMasterId == "'"$id"'", .subject, .originalStart] | @tsv')" \
		"$(printf 'true\texception\ttrue\tBoard (moved)\t2026-06-08T17:00:00Z')"
	api GET "/users/$ALICE/events/$id"
	[ "$(jqb .changeKey)" != "$ck" ]
	api DELETE "/users/$ALICE/events/$occ3"
	expect 204
	api GET "/users/$ALICE/events/$occ3"
	expect 404 ErrorItemNotFound
	api GET "/users/$ALICE/calendarView" --url-query startDateTime=2026-06-01T00:00:00Z \
		--url-query endDateTime=2026-07-01T00:00:00Z --url-query "\$filter=subject ne 'Lunch'" \
		-H 'Prefer: outlook.timezone="Pacific Standard Time"'
	assert_equal "$(jqb '[.value[] | .type + " " + .start.dateTime[0:16]] | join(",")')" \
		"occurrence 2026-06-01T10:00,exception 2026-06-09T10:00"
	# /events lists the master, not its occurrences.
	api GET "/users/$ALICE/events" --url-query "\$filter=subject eq 'Board'" --url-query '$select=type'
	assert_equal "$(jqb '[.value[].type] | join(",")')" seriesMaster
	run ctl "dump?mailbox=$ALICE"
	assert_equal "$(jq -c --arg id "$id" '.events[] | select(.id == $id) | [.exceptions[0].originalStart, .cancelledOccurrences]' <<<"$output")" \
		'["2026-06-08T17:00:00Z",["2026-06-15T17:00:00Z"]]'
}

@test "events: daily all-day series, floating in every zone; bad times, enums and zones are 400" {
	post POST "/users/$ALICE/events" '{"subject": "Offsite", "isAllDay": true,
		"start": {"dateTime": "2026-07-06T00:00:00", "timeZone": "W. Europe Standard Time"},
		"end": {"dateTime": "2026-07-07T00:00:00", "timeZone": "W. Europe Standard Time"},
		"recurrence": {"pattern": {"type": "daily", "interval": 2},
		               "range": {"type": "endDate", "startDate": "2026-07-06", "endDate": "2026-07-10"}}}'
	expect 201
	api GET "/users/$ALICE/calendarView" --url-query startDateTime=2026-07-01T00:00:00Z \
		--url-query endDateTime=2026-07-31T00:00:00Z -H 'Prefer: outlook.timezone="Tokyo Standard Time"'
	assert_equal "$(jqb '[.value[] | select(.isAllDay) | .start.dateTime + "/" + .end.dateTime[0:10]] | join(",")')" \
		"2026-07-06T00:00:00.0000000/2026-07-07,2026-07-08T00:00:00.0000000/2026-07-09,2026-07-10T00:00:00.0000000/2026-07-11"
	local s='"start": {"dateTime": "2026-07-06T10:00:00", "timeZone": "UTC"}'
	post POST "/users/$ALICE/events" "{\"isAllDay\": true, $s, \"end\": {\"dateTime\": \"2026-07-07T10:00:00\", \"timeZone\": \"UTC\"}}"
	expect 400
	post POST "/users/$ALICE/events" "{$s, \"end\": {\"dateTime\": \"2026-07-06T09:00:00\", \"timeZone\": \"UTC\"}}"
	expect 400 ErrorCalendarEndDateIsEarlierThanStartDate
	post POST "/users/$ALICE/events" "{$s, \"end\": {\"dateTime\": \"2026-07-06T11:00:00\", \"timeZone\": \"UTC\"}, \"sensitivity\": \"secret\"}"
	expect 400 RequestBodyRead
	post POST "/users/$ALICE/events" "{$s, \"end\": {\"dateTime\": \"2026-07-06T11:00:00\", \"timeZone\": \"Nowhere\"}}"
	expect 400 TimeZoneNotSupportedException
	post POST "/users/$ALICE/events" "{$s, \"end\": {\"dateTime\": \"2026-07-06T11:00:00\", \"timeZone\": \"UTC\"}, \"attendees\": [{\"type\": \"boss\", \"emailAddress\": {\"address\": \"x@y\"}}]}"
	expect 400
	post POST "/users/$ALICE/events" "{$s, \"end\": {\"dateTime\": \"2026-07-06T11:00:00\", \"timeZone\": \"UTC\"}, \"recurrence\": {\"pattern\": {\"type\": \"weekly\", \"daysOfWeek\": [\"funday\"]}, \"range\": {\"type\": \"noEnd\", \"startDate\": \"2026-07-06\"}}}"
	expect 400 ErrorPropertyValidationFailure
	post POST "/users/$ALICE/events" '{"subject": "no times"}'
	expect 400
}

@test "\$batch: statuses per request, dependsOn and 424, at most 20, ids unique, bodies typed" {
	post POST '/$batch' "{\"requests\": [
		{\"id\": \"1\", \"method\": \"POST\", \"url\": \"/users/$ALICE/contacts\", \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": {\"givenName\": \"Batch\"}},
		{\"id\": \"2\", \"dependsOn\": [\"1\"], \"method\": \"GET\", \"url\": \"/users/$ALICE/contacts?\$top=50&\$select=givenName\"},
		{\"id\": \"3\", \"method\": \"POST\", \"url\": \"users/$ALICE/contacts\", \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": {\"nope\": 1}},
		{\"id\": \"4\", \"dependsOn\": [\"3\"], \"method\": \"GET\", \"url\": \"/users/$ALICE/contacts\"},
		{\"id\": \"5\", \"method\": \"GET\", \"url\": \"/users/$CAROL/contacts\"},
		{\"id\": \"6\", \"method\": \"GET\", \"url\": \"/v1.0/users/$ALICE/contacts\"}]}"
	expect 200
	assert_equal "$(jqb -c '[.responses[] | [.id, .status, .body.error.code]]')" \
		'[["1",201,null],["2",200,null],["3",400,"RequestBodyRead"],["4",424,"FailedDependency"],["5",403,"ErrorAccessDenied"],["6",400,"BadRequest"]]'
	assert_equal "$(jqb '.responses[1].body.value | map(.givenName) | index("Batch") != null')" true
	post POST '/$batch' "{\"requests\": $(jq -nc '[range(21) | {id: tostring, method: "GET", url: "/users/alice@firm.example/contacts"}]')}"
	expect 400 BadRequest
	post POST '/$batch' '{"requests": [{"id": "a", "method": "GET", "url": "/users/alice@firm.example"}, {"id": "A", "method": "GET", "url": "/users/alice@firm.example"}]}'
	expect 400 BadRequest
	post POST '/$batch' '{"requests": [{"id": "1", "method": "POST", "url": "/users/alice@firm.example/contacts", "body": {}}]}'
	expect 400 BadRequest
	post POST '/$batch' '{"requests": [{"id": "1", "dependsOn": ["2"], "method": "GET", "url": "/users/alice@firm.example"}, {"id": "2", "dependsOn": ["1"], "method": "GET", "url": "/users/alice@firm.example"}]}'
	expect 400 BadRequest
	post POST '/$batch' "{\"requests\": $(jq -nc '[range(20) | {id: tostring, method: "GET", url: "/users/alice@firm.example/contacts?$select=id"}]')}"
	expect 200
	assert_equal "$(jqb '[.responses[].status] | unique | join(",")')" 200
	# Without dependsOn the batch runs 4 at a time: 4 of alice's slots, never more.
	run ctl stats
	assert_equal "$(jq -c '[.mailbox_inflight_max["alice@firm.example"], .mailbox_throttled]' <<<"$output")" '[4,{}]'
}

@test "\$batch: a throttled inner request gets its own 429 and Retry-After (batch_item)" {
	ctl faults '{"batch_item": {"skip": 1, "retry_after": 9}}' >/dev/null
	post POST '/$batch' "{\"requests\": [
		{\"id\": \"a\", \"method\": \"GET\", \"url\": \"/users/$ALICE/contacts?\$select=id\"},
		{\"id\": \"b\", \"method\": \"GET\", \"url\": \"/users/$ALICE/contacts?\$select=id\"},
		{\"id\": \"c\", \"dependsOn\": [\"b\"], \"method\": \"GET\", \"url\": \"/users/$ALICE/events?\$select=id\"}]}"
	expect 200
	assert_equal "$(jqb -c '[.responses[] | [.id, .status, .headers["Retry-After"], .body.error.code]]')" \
		'[["a",200,null,null],["b",429,"9","TooManyRequests"],["c",424,null,"FailedDependency"]]'
}

@test "throttling: 429 and 503 with Retry-After, dropped connections and truncated bodies by fault" {
	ctl faults '{"http_status": {"code": 429, "retry_after": 5}}' >/dev/null
	api GET "/users/$ALICE/contacts"
	expect 429 TooManyRequests
	assert_equal "$(header Retry-After)" 5
	api GET "/users/$ALICE/contacts"
	expect 200
	ctl faults '{"http_status": {"code": 503, "retry_after": 2, "next": 2}}' >/dev/null
	api GET "/users/$ALICE/contacts"
	expect 503 serviceNotAvailable
	assert_equal "$(header Retry-After)" 2
	post POST '/$batch' "{\"requests\": [{\"id\": \"1\", \"method\": \"GET\", \"url\": \"/users/$ALICE\"}]}"
	expect 503
	ctl faults '{"drop": {}}' >/dev/null
	run curl -sS -H @"$T/auth.hdr" "$GRAPH_URL/v1.0/users/$ALICE/contacts"
	assert_equal "$status" 52
	ctl faults '{"truncate": {}}' >/dev/null
	run curl -sS -H @"$T/auth.hdr" "$GRAPH_URL/v1.0/users/$ALICE/contacts"
	assert_equal "$status" 18
	ctl faults '{"http_status": {"code": 503, "retry_after": 1}}' >/dev/null
	token_request --data-binary @"$(form "$GRAPH_CLIENT_ID")"
	assert_equal "$CODE $(jqb .error)" "503 temporarily_unavailable"
	run ctl stats
	assert_equal "$(jq -c '.faults_fired' <<<"$output")" '{"drop":1,"http_status":4,"truncate":1,"batch_item":0}'
}

@test "throttling: the 5th request in flight to one mailbox gets 429 MailboxConcurrency; another mailbox's goes on" {
	ctl barrier '{"parties": 5, "timeout_s": 20}' >/dev/null
	local i
	for i in 1 2 3 4; do
		curl -sS -o "$T/held$i" -w '%{http_code}' -H @"$T/auth.hdr" \
			"$GRAPH_URL/v1.0/users/$ALICE/contacts?\$select=id" >"$T/code$i" &
	done
	# The four are in flight (each waits at the barrier, counted) before the fifth goes.
	for i in $(seq 1 200); do
		[ "$(ctl stats | jq '.mailbox_inflight["alice@firm.example"] // 0')" = 4 ] && break
		sleep 0.05
	done
	api GET "/users/$ALICE/contacts"
	expect 429 ApplicationThrottled
	assert_equal "$(jqb .error.message)" "Application is over its MailboxConcurrency limit."
	assert_equal "$(header Retry-After)" 1
	# Bob's mailbox has its own limit: his request is the barrier's fifth party.
	api GET "/users/$BOB/contacts"
	expect 200
	wait
	assert_equal "$(cat "$T"/code1 "$T"/code2 "$T"/code3 "$T"/code4)" 200200200200
	run ctl stats
	assert_equal "$(jq -c '[.mailbox_inflight_max, .mailbox_throttled, .barrier_met, .mailbox_inflight]' <<<"$output")" \
		'[{"alice@firm.example":4,"bob@firm.example":1},{"alice@firm.example":1},1,{}]'
}

@test "the sync folder: a mail folder under msgfolderroot, a tagged message found by its tag" {
	post POST "/users/$ALICE/mailFolders" '{"displayName": "InterAction Sync"}'
	expect 201
	fid=$(jqb .id)
	api GET "/users/$ALICE/mailFolders/msgfolderroot"
	assert_equal "$(jqb .id)" "$(ctl "dump?mailbox=$ALICE" | jq -r --arg f "$fid" '.mailFolders[] | select(.id == $f) | .parentFolderId')"
	post POST "/users/$ALICE/mailFolders" '{"displayName": "interaction sync"}'
	expect 409 ErrorFolderExists
	api GET "/users/$ALICE/mailFolders" --url-query "\$filter=displayName eq 'InterAction Sync'"
	assert_equal "$(jqb '[.value[].id] | join(",")')" "$fid"
	api GET "/users/$ALICE/mailFolders" --url-query '$top=50'
	assert_equal "$(jqb '[.value[].displayName] | sort | join(",")')" \
		"Archive,Deleted Items,Drafts,Inbox,InterAction Sync,Junk Email,Outbox,Sent Items"
	post POST "/users/$ALICE/mailFolders/$fid/messages" "{\"subject\": \"oisync state\", \"body\": {\"contentType\": \"text\", \"content\": \"{}\"}, \"singleValueExtendedProperties\": [{\"id\": \"$TAG\", \"value\": \"sync-1\"}]}"
	expect 201
	mid=$(jqb .id)
	assert_equal "$(jqb '[.isDraft, .parentFolderId == "'"$fid"'"] | @tsv')" "$(printf 'true\ttrue')"
	api GET "/users/$ALICE/mailFolders/$fid/messages" --url-query \
		"\$filter=singleValueExtendedProperties/Any(ep: ep/id eq '$TAG' and ep/value eq 'sync-1')" \
		--url-query "\$expand=singleValueExtendedProperties(\$filter=id eq '$TAG')"
	assert_equal "$(jqb '[.value[] | .id + " " + .singleValueExtendedProperties[0].value] | join(",")')" "$mid sync-1"
	post PATCH "/users/$ALICE/messages/$mid" '{"body": {"contentType": "text", "content": "{\"generation\": 2}"}}'
	expect 200
	api DELETE "/users/$ALICE/mailFolders/$fid/messages/$mid"
	expect 204
}

@test "control: dump, create, edit and delete are the owner's; reset brings the seed back" {
	run ctl create "{\"mailbox\": \"$ALICE\", \"kind\": \"event\", \"item\": {\"subject\": \"Call\", \"start\": {\"dateTime\": \"2026-05-01T09:00:00\", \"timeZone\": \"UTC\"}, \"end\": {\"dateTime\": \"2026-05-01T09:30:00\", \"timeZone\": \"UTC\"}, \"isCancelled\": true}}"
	assert_success
	id=$(jq -r .id <<<"$output")
	api GET "/users/$ALICE/events/$id"
	assert_equal "$(jqb '[.isCancelled, .subject] | @tsv')" "$(printf 'true\tCall')"
	run ctl edit "{\"mailbox\": \"$ALICE\", \"id\": \"$id\", \"set\": {\"subject\": \"Call (new)\", \"location.displayName\": \"Room\"}}"
	assert_success
	assert_equal "$(jq -r .changeKey <<<"$output")" "$(api GET "/users/$ALICE/events/$id"; jqb .changeKey)"
	api GET "/users/$ALICE/events/$id"
	assert_equal "$(jqb '[.subject, .location.displayName] | @tsv')" "$(printf 'Call (new)\tRoom')"
	run ctl create '{"mailbox": "nobody@firm.example", "item": {}}'
	assert_failure
	run ctl edit "{\"mailbox\": \"$ALICE\", \"id\": \"$id\", \"set\": {\"nope\": 1}}"
	assert_failure
	run ctl "dump?mailbox=$ALICE"
	assert_equal "$(jq -r '[(.contactFolders[0].contacts | length), (.events | length), .userPrincipalName] | @tsv' <<<"$output")" \
		"$(printf '2\t3\talice@firm.example')"
	ctl delete "{\"mailbox\": \"$ALICE\", \"id\": \"$id\"}" >/dev/null
	api GET "/users/$ALICE/events/$id"
	expect 404
	ctl create "{\"mailbox\": \"$ALICE\", \"item\": {\"givenName\": \"Temp\"}}" >/dev/null
	reset_fake GRAPH
	api GET "/users/$ALICE/contacts"
	expect 401 InvalidAuthenticationToken
	get_token "$GRAPH_CLIENT_ID" auth.hdr
	api GET "/users/$ALICE/contacts" --url-query '$select=givenName'
	assert_equal "$(jqb '[.value[].givenName] | join(",")')" "Ann,Bo"
}

@test "stats: requests per route, statuses, tokens, and the per-mailbox maxima" {
	api GET "/users/$ALICE/contacts"
	api GET "/users/$ALICE/contactFolders/contacts/contacts/delta"
	api GET "/users/nobody@firm.example/contacts"
	run ctl stats
	assert_equal "$(jq -c '[.requests["GET /users/{id}/contacts"], .requests["GET /users/{id}/contactFolders/{id}/contacts/delta"], .requests["POST /{tenant}/oauth2/v2.0/token"], .status["404"], .mailbox_inflight_max["alice@firm.example"], .tokens_issued["'"$GRAPH_CLIENT_ID"'"]]' <<<"$output")" \
		'[2,1,1,1,1,1]'
}
