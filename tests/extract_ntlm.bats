#!/usr/bin/env bats
# extract_ntlm.bats - oisync-extract exchange with auth = ntlm against the fake EWS
# server's NTLM (tests/fakes/ews/ews_ntlm.py; the fake itself: tests/fakes/ews_ntlm.bats).

load helper

# Secrets exist only at run time, in 0600 files, never on a command line.
setup() {
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf 'svc-oisync:%s\n' "$pw" >cred
	printf '%s\n' "$pw" >ews.secret
	printf 'wrong-%s\n' "$pw" >bad.secret
	start_fake EWS ews/ews_server.py --seed "$FAKES/ews/seed_example.json" \
		--data-dir "$T/data" --credentials-file "$T/cred" --verbose
	EWS_URL="http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
}

teardown() {
	stop_fake EWS
}

conf() { # SECRET_FILE
	write_conf server.auth=ntlm 'server.username=FIRM\svc-oisync' "server.secret_file=$T/$1"
}

extract() {
	"$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$ALICE" --folder contacts \
		>out.jsonl 2>err.log
}

fake_stat() { fake_ctl EWS stats | jq -r ".$1"; }

@test "oisync-extract exchange with auth = ntlm reads the mailbox; wrong password exits 77" {
	conf ews.secret
	run extract
	assert_success
	run jq -s '[.[] | select(.type == "contact")] | length' out.jsonl
	assert_output 2
	run jq -s -r '.[-1] | .type + " " + (.full | tostring)' out.jsonl
	assert_output 'checkpoint true'
	# One handshake for the whole run: the connection stays authenticated.
	run fake_stat auth_challenges
	assert_output 1
	run fake_stat auth_failures
	assert_output 0

	# Dropped connections: curl opens a new one and redoes the handshake.
	fake_ctl EWS faults '{"drop": {"next": 2}}' >/dev/null
	fake_ctl EWS stats/reset '{}' >/dev/null
	run extract
	assert_success
	run jq -s '[.[] | select(.type == "contact")] | length' out.jsonl
	assert_output 2
	run fake_stat auth_challenges
	[ "$output" -ge 2 ]
	fake_ctl EWS faults '{}' >/dev/null

	conf bad.secret
	run extract
	assert_failure 77
	[ ! -s out.jsonl ]
	grep -q 'authentication failed' err.log
	run grep -cFf ews.secret err.log EWS.log
	assert_output $'err.log:0\nEWS.log:0'
}
