#!/usr/bin/env bats
# graph_sdk.bats - real Microsoft Graph clients against the Graph fake: Microsoft's
# JavaScript SDK (@microsoft/microsoft-graph-client, its default middleware: auth,
# retry, redirect, telemetry) with MSAL for Node (@azure/msal-node) getting the app's
# client-credentials token, by secret and by certificate. Both are pinned by
# package-lock.json and installed by `make deps`; tests/clients/graph_sdk.js runs them.
#
# The SDK sends its token to https hosts only, so it talks to the fake's HTTPS port,
# trusting the certificate made at run time (NODE_EXTRA_CA_CERTS); MSAL is given the
# fake's authority and its metadata, so it asks nothing of the network but the
# token. Loading the SDK and MSAL costs node a second of CPU: setup_file runs the
# steps of several tests in two node processes (one before the owner's edits, one
# after) and the tests assert on their lines; the tests of certificates and
# concurrency start node themselves.

load ../helper

# setup_file: the fake for the file (the example seed, the app's certificate made
# here and registered), then the two runs whose lines the first tests read.
setup_file() {
	local f=$BATS_FILE_TMPDIR
	if [ ! -e "$ROOT/node_modules/@microsoft/microsoft-graph-client/package.json" ] ||
		[ ! -e "$ROOT/node_modules/@azure/msal-node/package.json" ]; then
		echo "the Graph SDK or MSAL is not installed: run make deps" >&2
		return 1
	fi
	(
		umask 077
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$f/app.key" -out "$f/app.pem" \
			-subj /CN=oisync-app -days 2 2>/dev/null
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$f/other.key" -out "$f/other.pem" \
			-subj /CN=stranger -days 2 2>/dev/null
	) || return 1
	jq --rawfile pem "$f/app.pem" --arg app "$GRAPH_CLIENT_ID" '.apps[$app].certificates = [$pem]' \
		"$FAKES/graph/seed_example.json" >"$f/seed.json" || return 1
	graph_fake_for_file <"$f/seed.json" || return 1
	export GRAPH_TLS_PORT
	# Run 1: a token; a contact's life; a first delta round of the contacts and of
	# a calendar view holding the seed's weekly series; a $batch.
	sdk_file "$f/run1" \
		mark token + token \
		+ mark crud + create-contact Uma Test + read-contact @id + find-tag Uma-Test \
		+ update-contact @id "New Co" @etag + ?update-contact @id "Stale Co" @etag~1 \
		+ delete-contact @id + ?read-contact @id \
		+ mark delta + create-contact Dee Delta + delta \
		+ mark calendar + calendar-delta 2026-03-16T00:00:00Z 2026-04-01T00:00:00Z "W. Europe Standard Time" \
		+ mark batch + batch + batch-versioned || return 1
	fake_ctl GRAPH stats >"$f/run1.stats"
	# The owner's changes in Outlook, between the rounds.
	local ann bo s19 s26
	ann=$(dumped '.contactFolders[0].contacts[] | select(.givenName == "Ann") | .id')
	bo=$(dumped '.contactFolders[0].contacts[] | select(.givenName == "Bo") | .id')
	fake_ctl GRAPH edit "{\"mailbox\": \"$ALICE\", \"id\": \"$ann\", \"set\": {\"companyName\": \"Acme Holdings\"}}" >/dev/null &&
		fake_ctl GRAPH delete "{\"mailbox\": \"$ALICE\", \"id\": \"$bo\"}" >/dev/null &&
		fake_ctl GRAPH create "{\"mailbox\": \"$ALICE\", \"item\": {\"givenName\": \"Cy\", \"surname\": \"New\"}}" >/dev/null || return 1
	s19=$(steps_of run1 calendar | jq -r '.events[]? | select(.originalStart == "2026-03-19T08:00:00Z") | .id')
	s26=$(steps_of run1 calendar | jq -r '.events[]? | select(.originalStart == "2026-03-26T08:00:00Z") | .id')
	fake_ctl GRAPH edit "{\"mailbox\": \"$ALICE\", \"id\": \"$s19\", \"set\": {\"subject\": \"Team call (room 2)\"}}" >/dev/null &&
		fake_ctl GRAPH delete "{\"mailbox\": \"$ALICE\", \"id\": \"$s26\"}" >/dev/null || return 1
	# Run 2: the next rounds, from the deltaLinks of run 1.
	sdk_file "$f/run2" \
		mark delta + delta "$(steps_of run1 delta | jq -r 'select(.delta) | .delta')" \
		+ mark calendar + calendar-delta - - "W. Europe Standard Time" \
		"$(steps_of run1 calendar | jq -r 'select(.delta) | .delta')" || return 1
}

teardown_file() {
	stop_fake GRAPH
}

setup() {
	graph_fake_test
}

# sdk [ENV=VALUE...] -- STEP...: the client, for alice's mailbox on the fake's HTTPS
# port, as the app with the file's secret unless the ENVs say otherwise; its stderr
# goes to $BATS_TEST_TMPDIR/node.err (or the file's).
sdk() {
	local -a vars=()
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	env GRAPH_URL="https://127.0.0.1:$GRAPH_TLS_PORT" GRAPH_TENANT="$GRAPH_TENANT" \
		GRAPH_CLIENT_ID="$GRAPH_CLIENT_ID" GRAPH_SECRET_FILE="$BATS_FILE_TMPDIR/graph.secret" \
		GRAPH_MAILBOX="$ALICE" NODE_EXTRA_CA_CERTS="$BATS_FILE_TMPDIR/graph-tls.pem" \
		GRAPH_DEBUG=1 "${vars[@]}" timeout 120 node "$CLIENTS/graph_sdk.js" "$@" \
		2>>"${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/node.err"
}

# sdk_file BASE STEP...: a run of setup_file, its lines in BASE.out.
sdk_file() {
	local base=$1
	shift
	sdk -- "$@" >"$base.out" || {
		echo "the client failed; its lines and stderr:" >&2
		cat "$base.out" "$BATS_FILE_TMPDIR/node.err" >&2
		return 1
	}
}

# steps_of RUN MARK: the lines of RUN (run1, run2) after "mark MARK", to the next mark.
steps_of() {
	awk -v m="{\"mark\":\"$2\"}" '$0 == m {on = 1; next} /^\{"mark":/ {on = 0} on' \
		"$BATS_FILE_TMPDIR/$1.out"
}

dumped() { # JQ: of alice's mailbox as the fake holds it
	fake_ctl GRAPH "dump?mailbox=$ALICE" | jq -r "$1"
}

@test "MSAL: a client-credentials token from the fake's endpoint, with no discovery request" {
	run steps_of run1 token
	# MSAL counts the lifetime down from its own clock: at most the fake's 3599 s, never a
	# second more (no test may depend on how fast the machine is, so no lower bound but > 0).
	run jq -c '[.token_type, (.expires_in_s > 0 and .expires_in_s <= 3599)]' <<<"$output"
	assert_output '["Bearer",true]'
	run jq -c '[.requests | to_entries[] | select(.key | test("oauth2|well-known")) | .key]' \
		"$BATS_FILE_TMPDIR/run1.stats"
	assert_output '["POST /{tenant}/oauth2/v2.0/token"]'
	assert_equal "$(jq ".tokens_issued[\"$GRAPH_CLIENT_ID\"]" "$BATS_FILE_TMPDIR/run1.stats")" 1
}

@test "SDK: a contact made with an op-id tag, read, found by the tag, updated with If-Match, 412, deleted" {
	run steps_of run1 crud
	local made id etag
	made=$(sed -n 1p <<<"$output")
	id=$(jq -r .id <<<"$made") etag=$(jq -r .etag <<<"$made")
	assert_equal "$(jq -r .displayName <<<"$made")" "Uma Test"
	assert_equal "$(sed -n 2p <<<"$output")" \
		"{\"id\":\"$id\",\"etag\":$(jq .etag <<<"$made"),\"givenName\":\"Uma\",\"surname\":\"Test\",\"displayName\":\"Uma Test\",\"companyName\":\"Old Co\",\"jobTitle\":\"Partner\",\"email\":[\"uma@example.com\"],\"businessPhones\":[\"+1 212 555 0100\"],\"city\":\"New York\",\"birthday\":\"1990-12-10T12:00:00Z\",\"categories\":[\"Clients\"],\"tag\":\"Uma-Test\"}"
	assert_equal "$(sed -n 3p <<<"$output")" "{\"ids\":[\"$id\"],\"names\":[\"Uma Test\"]}"
	assert_equal "$(sed -n 4p <<<"$output" | jq -r --arg old "$etag" '[.companyName, .etag != $old] | @tsv')" \
		"$(printf 'New Co\ttrue')"
	assert_equal "$(sed -n 5p <<<"$output")" '{"step":"update-contact","error":"ErrorIrresolvableConflict","status":412}'
	assert_equal "$(sed -n 6p <<<"$output")" "{\"deleted\":\"$id\"}"
	assert_equal "$(sed -n 7p <<<"$output")" '{"step":"read-contact","error":"ErrorItemNotFound","status":404}'
}

@test "SDK: contacts delta to completion, then the owner's edit, addition and deletion in the next round" {
	run steps_of run1 delta
	local first
	first=$(sed -n 2p <<<"$output")
	# Dee Delta, made in the same run before the round, is in it: 3 entries, 2 pages of 2.
	assert_equal "$(jq -c '[.pages, [.changes[] | [.name, .company, .removed]]]' <<<"$first")" \
		'[2,[["Ann Lee","Acme Corp",false],["Bo Chen","Globex",false],["Dee Delta","Old Co",false]]]'
	# Batch Made, made by run 1's $batch after the round, comes in the next.
	run steps_of run2 delta
	assert_equal "$(jq -c '[.pages, [.changes[] | [.name, .company, .removed]]]' <<<"$output")" \
		'[2,[["Ann Lee","Acme Holdings",false],["Batch Made",null,false],["Cy New",null,false],[null,null,true]]]'
	[[ "$(jq -r .delta <<<"$output")" == "https://127.0.0.1:$GRAPH_TLS_PORT/v1.0/users/"*'$deltatoken='* ]]
}

@test "SDK: a calendarView delta over a recurring series, in the Prefer zone, and the next round" {
	run steps_of run1 calendar
	assert_equal "$(jq -c '.pages' <<<"$output")" 2
	run jq -r '.events[] | [.type, .subject, .start.dateTime, .start.timeZone, .originalStart // "-"] | @tsv' <<<"$output"
	assert_output "$(printf '%s\n' \
		$'occurrence\tTeam call\t2026-03-16T09:00:00.0000000\tW. Europe Standard Time\t2026-03-16T08:00:00Z' \
		$'singleInstance\tLunch with Ann\t2026-03-18T13:00:00.0000000\tW. Europe Standard Time\t-' \
		$'occurrence\tTeam call\t2026-03-19T09:00:00.0000000\tW. Europe Standard Time\t2026-03-19T08:00:00Z' \
		$'exception\tTeam call (moved)\t2026-03-23T11:00:00.0000000\tW. Europe Standard Time\t2026-03-23T08:00:00Z' \
		$'occurrence\tTeam call\t2026-03-26T09:00:00.0000000\tW. Europe Standard Time\t2026-03-26T08:00:00Z')"
	run steps_of run2 calendar
	# The owner made the 19th an exception and deleted the 26th: the series changed,
	# so its instances come again (the 19th as an exception), and the 26th as removed.
	run jq -r '.events[] | if .removed then "removed" else [.type, .subject, .originalStart] | @tsv end' <<<"$output"
	assert_line "$(printf 'exception\tTeam call (room 2)\t2026-03-19T08:00:00Z')"
	assert_line removed
	refute_line --partial "2026-03-26T08:00:00Z"
}

@test "SDK: a \$batch with dependsOn; a step named with the version is refused, as the documentation says" {
	run steps_of run1 batch
	assert_equal "$(sed -n 1p <<<"$output" | jq -c '[.responses["1"].status, .responses["2"].status, (.responses["2"].names | index("Batch Made") != null), .responses["3"]]')" \
		'[201,200,true,{"status":404,"code":"ErrorItemNotFound"}]'
	assert_equal "$(sed -n 2p <<<"$output")" \
		"{\"sent\":\"/v1.0/users/alice%40firm.example/contacts\",\"status\":400,\"code\":\"BadRequest\",\"message\":\"Resource not found for the segment 'v1.0'.\"}"
}

@test "SDK: 8 requests at once to one mailbox; the fake keeps 4 in flight, the RetryHandler retries the 429s" {
	fake_ctl GRAPH faults '{"latency_ms": 300}' >/dev/null
	run sdk -- parallel 8
	assert_success
	assert_output '{"statuses":[200,200,200,200,200,200,200,200]}'
	run fake_ctl GRAPH stats
	assert_equal "$(jq '.mailbox_inflight_max["alice@firm.example"]' <<<"$output")" 4
	[ "$(jq '.mailbox_throttled["alice@firm.example"]' <<<"$output")" -ge 1 ]
	[ "$(jq '.status["429"]' <<<"$output")" -ge 1 ]
}

@test "MSAL: a certificate's client assertion, with the SHA-1 thumbprint (RS256) or the SHA-256 one (PS256)" {
	local f=$BATS_FILE_TMPDIR
	run sdk GRAPH_SECRET_FILE= GRAPH_CERT_FILE="$f/app.pem" GRAPH_KEY_FILE="$f/app.key" -- \
		token + find-tag nothing
	assert_success
	# The lifetime is MSAL's countdown, as in the secret's test above: bounded, not exact.
	assert_equal "$(sed -n 1p <<<"$output" | jq -c '[.token_type, (.expires_in_s > 0 and .expires_in_s <= 3599)]')" '["Bearer",true]'
	assert_equal "$(sed -n 2p <<<"$output")" '{"ids":[],"names":[]}'
	run sdk GRAPH_SECRET_FILE= GRAPH_CERT_FILE="$f/app.pem" GRAPH_KEY_FILE="$f/app.key" \
		GRAPH_CERT_ALG=PS256 -- token
	assert_success
	assert_equal "$(jq -r .token_type <<<"$output")" Bearer
	run sdk GRAPH_SECRET_FILE= GRAPH_CERT_FILE="$f/other.pem" GRAPH_KEY_FILE="$f/other.key" -- token
	assert_failure
	assert_output '{"step":"token","error":"invalid_client"}'
	run fake_ctl GRAPH stats
	assert_equal "$(jq -c "[.tokens_issued[\"$GRAPH_CLIENT_ID\"], .token_failures]" <<<"$output")" '[2,1]'
}
