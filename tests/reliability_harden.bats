#!/usr/bin/env bats
# reliability_harden.bats - hostile input: U+0000 inside JSON strings is refused, never
# truncated, by every stage and on every reply; apply describes a malformed op without crashing.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }
bats_require_minimum_version 1.5.0

setup() {
	e2e_setup
	cd "$D"
}
teardown() { e2e_teardown; }

UPSERT='{"type":"contact","side":"interaction","account":"alice@firm.example","folder":"contacts","id":"c-1","op":"upsert"'

@test "transform refuses a value holding U+0000 with 65 naming the line, instead of cutting it short" {
	printf '%s\n' "$UPSERT"',"data":{"first_name":"Ann"}}' \
		"$UPSERT"',"data":{"first_name":"Tara\u0000hidden"}}' >in.jsonl
	run oisync-transform in.jsonl
	assert_failure 65
	assert_output --partial 'in.jsonl:2: "data.first_name" contains a NUL character (\u0000)'
	refute_output --partial 'Tara'
}

@test "transform refuses a key holding U+0000 (json-c would cut the key short)" {
	printf '%s\n' "$UPSERT"',"data":{"first_name":"Ann","x\u0000y":1}}' >in.jsonl
	run oisync-transform in.jsonl
	assert_failure 65
	assert_output --partial 'in.jsonl:1: a key contains a NUL character (\u0000)'
}

@test "an escaped backslash before u0000 is plain text, not U+0000" {
	printf '%s\n' "$UPSERT"',"data":{"first_name":"C:\\\\u0000"}}' >in.jsonl
	run oisync-transform in.jsonl
	assert_success
}

@test "reconcile refuses an account holding U+0000 with 65 naming the line, not taking it for alice" {
	oisync-extract interaction --user alice | oisync-transform >ia.jsonl
	{ head -n 3 ia.jsonl; head -n 1 ia.jsonl | jq -c '.account = "alice@firm.example\u0000evil"'; tail -n +4 ia.jsonl; } >bad.jsonl
	run oisync-reconcile --server ex1 --account alice@firm.example --user alice bad.jsonl
	assert_failure 65
	assert_output --partial 'bad.jsonl:4: "account" contains a NUL character (\u0000)'
}

@test "apply refuses an update whose value holds U+0000 with 65 before any server call" {
	hdr='{"type":"changeset","account":"alice@firm.example","server":"ex1","user":"alice","state":0}'
	id=$(ia_id Nilsson)
	op=$(jq -c -n --arg id "$id" '{type:"op",op_id:"sha256:nul",action:"update",target:"interaction",kind:"contact",pair:"p-x",id:$id,if_version:null,data:{first:"Erik",last:"Nilsson",job_title:"Partner\u0000evil"},fields:["job_title"],reason:"test"}')
	printf '%s\n%s\n' "$hdr" "$op" >cs.jsonl
	before=$(ia_ctl "$D" dump | jq -c --arg id "$id" '.contacts[$id]')
	run oisync-apply cs.jsonl
	assert_failure 65
	assert_output --partial 'cs.jsonl:2: "data.job_title" contains a NUL character (\u0000)'
	[ "$(ia_ctl "$D" dump | jq -c --arg id "$id" '.contacts[$id]')" = "$before" ]
}

@test "apply refuses a header whose account holds U+0000 with 65, creating no state" {
	printf '%s\n' '{"type":"changeset","account":"alice@firm.example\u0000evil","server":"ex1","user":"alice","state":0}' >cs.jsonl
	run oisync-apply cs.jsonl
	assert_failure 65
	assert_output --partial 'cs.jsonl:1: "account" contains a NUL character (\u0000)'
	[ ! -e "$D/state/ex1/alice@firm.example.db" ]
}

@test "apply --dry-run refuses a link op without data, id or pair with 65 naming the line, instead of crashing" {
	printf '%s\n%s\n' '{"type":"changeset","account":"alice@firm.example","server":"ex1","user":"alice","state":0}' \
		'{"type":"op","op_id":"sha256:l","action":"link","kind":"contact"}' >cs.jsonl
	run oisync-apply --dry-run cs.jsonl
	assert_failure 65
	assert_output --partial 'cs.jsonl:2: an op needs "pair"'
}

@test "an update whose data is a string is refused with 65 before any server call" {
	id=$(ia_id Nilsson)
	printf '%s\n%s\n' '{"type":"changeset","account":"alice@firm.example","server":"ex1","user":"alice","state":0}' \
		"{\"type\":\"op\",\"op_id\":\"sha256:s\",\"action\":\"update\",\"target\":\"interaction\",\"kind\":\"contact\",\"pair\":\"p-s\",\"id\":\"$id\",\"if_version\":null,\"data\":\"job_title\",\"fields\":[\"job_title\"],\"reason\":\"test\"}" >cs.jsonl
	before=$(ia_ctl "$D" dump | jq -c --arg id "$id" '.contacts[$id]')
	run oisync-apply cs.jsonl
	assert_failure 65
	assert_output --partial 'cs.jsonl:2: "data" must be an object'
	[ "$(ia_ctl "$D" dump | jq -c --arg id "$id" '.contacts[$id]')" = "$before" ]
}

@test "extract refuses an InterAction reply holding U+0000 instead of reading a cut-short value" {
	id=$(ia_id Nilsson)
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$id\",\"set\":{\"job_title\":\"Partner\\u0000evil\"}}" >/dev/null
	run oisync-extract interaction --user alice
	assert_failure 69
	assert_output --partial 'a string holds a NUL character (\u0000)'
	refute_output --partial '"job_title":"Partner"'
}

@test "a configuration line holding a NUL byte is refused (78), not cut short" {
	printf '[user carol]\nmailbox = carol@firm.example\0evil\nserver = ex1\n' >>users.conf
	run oisync-extract interaction --user carol
	assert_failure 78
	assert_output --partial 'users.conf:'
	assert_output --partial 'the line contains a NUL character'
}
