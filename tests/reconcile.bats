#!/usr/bin/env bats
# reconcile.bats - oisync-reconcile on fixture records and states made with the sqlite3 CLI.

load helper
load state_helper
bats_require_minimum_version 1.5.0

DATA="$BATS_TEST_DIRNAME/data/reconcile"
REPO="$BATS_TEST_DIRNAME/.."
ACCOUNT=alice@firm.example
SYNC_ID=6f1c0000-0000-4000-8000-000000000001
NOW=2026-11-24T10:00:00Z

setup() {
	unset OISYNC_CONF
	T="$BATS_TEST_TMPDIR"
	cd "$T"
	mkdir -p state
}

reconcile() {
	"$BIN/oisync-reconcile" --state "$T/state" --server ex1 --now "$NOW" "$@"
}

ann_bob_state() {
	{
		pair p-ann e-ann ck-ann-1 i-ann 7 '{"company":"Acme","emails":[{"address":"ann@acme.example","kind":"work"}],"first":"Ann","last":"Lee"}'
		pair p-bob e-bob ck-bob-1 i-bob 5 '{"first":"Bob","last":"Roe"}'
	} | make_state
}

# ops ACTION [TARGET]: how many ops of that kind the change set in out.jsonl holds
ops() {
	jq -s --arg a "$1" --arg t "${2:-}" '[.[] | select(.type == "op" and .action == $a and ($t == "" or .target == $t))] | length' out.jsonl
}

@test "first sync links by e-mail and by name and company, creates the rest both ways" {
	reconcile "$DATA/first-exchange.jsonl" "$DATA/first-interaction.jsonl" >out.jsonl
	run jq -r 'select(.type == "changeset") | [.first_sync, .counts.link, .counts.create, .counts.delete, .user] | @tsv' out.jsonl
	assert_output "$(printf 'true\t2\t2\t0\talice')"
	run jq -r 'select(.action == "link") | .ids.exchange + "=" + .ids.interaction' out.jsonl
	assert_line "e-ann=i-ann"
	assert_line "e-carl=i-carl"
	run jq -r 'select(.action == "create") | .target + ":" + .data.first' out.jsonl
	assert_line "interaction:Bob"
	assert_line "exchange:Dana"
	# Ann's InterAction mobile flows to Outlook; Outlook's birthday stays off InterAction.
	run jq -c 'select(.action == "update" and .ids.exchange == "e-ann") | [.target, .fields]' out.jsonl
	assert_output '["exchange",["phones.mobile"]]'
	# Checkpoints come last, in input order.
	run jq -r 'select(.type == "checkpoint") | .side' out.jsonl
	assert_output "$(printf 'exchange\ninteraction')"
	run tail -n 1 out.jsonl
	assert_output --partial '"type":"checkpoint","side":"interaction"'
}

@test "a stream cut before its checkpoint neither deletes nor creates toward that side" {
	ann_bob_state
	# Outlook's stream has a delete and a new item but no checkpoint.
	run --separate-stderr reconcile "$DATA/paired-exchange-deletes.jsonl" "$DATA/paired-interaction-incremental.jsonl"
	assert_success
	echo "$output" >out.jsonl
	[ "$(ops delete)" -eq 0 ]
	[ "$(ops create exchange)" -eq 0 ]     # i-new: Outlook was not read to the end
	[ "$(ops create interaction)" -eq 1 ]  # e-new: InterAction was
	[ "$(ops update exchange)" -eq 1 ]     # Ann's job title: updates need no checkpoint
	[[ "$stderr" == *"not created in Outlook"* ]]
	run jq -r 'select(.type == "checkpoint") | .side' out.jsonl
	assert_output interaction
}

@test "a full snapshot missing a paired item deletes it on the other side" {
	ann_bob_state
	reconcile "$DATA/paired-exchange-full.jsonl" "$DATA/paired-interaction-incremental.jsonl" >out.jsonl
	run jq -c 'select(.action == "delete") | [.target, .id, .if_version, .pair]' out.jsonl
	assert_output '["interaction","i-bob","5","p-bob"]'
	run jq -r 'select(.type == "changeset") | .first_sync' out.jsonl
	assert_output false
	run jq -c 'select(.action == "update") | [.target, .id, .if_version, .fields]' out.jsonl
	assert_output '["exchange","e-ann","ck-ann-1",["job_title"]]'
	[ "$(ops create exchange)" -eq 1 ]
}

@test "an update says what its target held and when its source changed; a conflict names the field the target loses" {
	ann_bob_state
	# InterAction made Ann CFO (its record says when); Outlook had no job title: nothing is replaced.
	reconcile "$DATA/paired-exchange-full.jsonl" "$DATA/paired-interaction-incremental.jsonl" >out.jsonl
	run jq -c 'select(.action == "update") | [.target, .fields, .old, .conflicts, .source_modified]' out.jsonl
	assert_output '["exchange",["job_title"],{},null,"2026-11-02T09:00:00Z"]'
	# Outlook made her CEO before that: newest-wins takes InterAction's, and Outlook's CEO is what loses.
	jq -c 'if .id == "e-ann" then .version = "ck-ann-2" | .data.job_title = "CEO" else . end' \
		"$DATA/paired-exchange-full.jsonl" >ex.jsonl
	reconcile ex.jsonl "$DATA/paired-interaction-incremental.jsonl" >out.jsonl
	run jq -c 'select(.action == "update") | [.target, .fields, .old, .conflicts, .source_modified]' out.jsonl
	assert_output '["exchange",["job_title"],{"job_title":"CEO"},["job_title"],"2026-11-02T09:00:00Z"]'
	# Each is written after op_id's digest, before reason, in the same order every time.
	run jq -r 'select(.action == "update") | keys_unsorted | join(",")' out.jsonl
	assert_output "type,op_id,action,target,kind,pair,id,if_version,data,fields,ids,versions,old,conflicts,source_modified,reason"
}

@test "an unknown mailbox sync id matches as on a first sync and deletes nothing" {
	ann_bob_state
	sed "s/$SYNC_ID/99999999-0000-4000-8000-000000000009/" "$DATA/paired-exchange-full.jsonl" >ex.jsonl
	reconcile ex.jsonl "$DATA/paired-interaction-incremental.jsonl" >out.jsonl
	run jq -r 'select(.type == "changeset") | .first_sync' out.jsonl
	assert_output true
	[ "$(ops delete)" -eq 0 ]
	run jq -r 'select(.action == "link") | .ids.exchange + "=" + .ids.interaction' out.jsonl
	assert_output "e-ann=i-ann"
}

@test "the mass-delete guard holds deletes back, drops that side's checkpoint and exits 1" {
	for i in $(seq -w 1 12); do
		pair "p-$i" "e-$i" "ck-$i" "i-$i" 1 "{\"first\":\"N$i\"}"
	done | make_state
	cat >in.jsonl <<EOF
{"type":"checkpoint","side":"exchange","account":"$ACCOUNT","folder":"contacts","token":"ews-2","complete":true,"full":true}
{"type":"checkpoint","side":"interaction","account":"$ACCOUNT","folder":"contacts","token":"ia-2","complete":true,"full":false}
EOF
	run --separate-stderr reconcile in.jsonl
	assert_failure 1
	echo "$output" >out.jsonl
	[ "$(ops delete)" -eq 0 ]
	[[ "$stderr" == *"held back 12 deletes"* ]]
	[[ "$stderr" == *"--allow-mass-delete"* ]]
	run jq -r 'select(.type == "checkpoint") | .side' out.jsonl
	assert_output interaction

	run --separate-stderr reconcile --allow-mass-delete in.jsonl
	assert_success
	echo "$output" >out.jsonl
	[ "$(ops delete interaction)" -eq 12 ]
	run jq -r 'select(.type == "checkpoint") | .side' out.jsonl
	assert_output "$(printf 'exchange\ninteraction')"
}

# many_pairs N: contact pairs p-0001.. of e-0001/i-0001.., the Exchange
# contacts checkpoint written at generation 3, and two pairs that act
# unreported: p-half has no InterAction item yet, p-made's Outlook item was
# made by the apply of generation 4 (an incremental read must report it).
many_pairs() {
	{
		for i in $(seq -f %04g 1 "$1"); do
			pair "p-$i" "e-$i" "ck-$i" "i-$i" 1 "{\"first\":\"N$i\"}"
		done
		echo "INSERT INTO checkpoints (side, folder, token, generation) VALUES ('exchange', 'contacts', 'ews-1', 3);"
		echo "INSERT INTO pairs (pair_id, kind, exchange_id, exchange_version, base, base_hash) VALUES ('p-half', 'contact', 'e-half', 'ck-h', '{\"first\":\"Half\"}', 'sha256:x');"
		echo "INSERT INTO pairs (pair_id, kind, exchange_id, exchange_version, interaction_id, interaction_version, base, base_hash, exchange_made) VALUES ('p-made', 'contact', 'e-made', 'ck-m', 'i-made', '1', '{\"first\":\"Made\"}', 'sha256:x', 4);"
	} | make_state
}

# checkpoints EXCHANGE_FULL: both sides' contacts checkpoints, complete; InterAction's incremental
checkpoints() {
	cat <<EOF
{"type":"checkpoint","side":"exchange","account":"$ACCOUNT","folder":"contacts","token":"ews-2","complete":true,"full":$1}
{"type":"checkpoint","side":"interaction","account":"$ACCOUNT","folder":"contacts","token":"ia-2","complete":true,"full":false}
EOF
}

@test "an incremental read reads from the state only the pairs it names and those that act unreported" {
	many_pairs 300
	{
		echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-0150\",\"version\":\"ck-150b\",\"op\":\"upsert\",\"data\":{\"first\":\"Changed\"}}"
		checkpoints false
	} >in.jsonl
	run --separate-stderr reconcile --stats in.jsonl
	assert_success
	echo "$output" >out.jsonl
	# 3 of 302: the changed item's, the half pair's and the one apply made.
	[[ "$stderr" == *"pairs read: 3 contact of 302, 0 appointment of 0"* ]]
	run jq -c 'select(.type == "op") | [.action, .target, .pair]' out.jsonl
	assert_output "$(printf '%s\n' '["update","interaction","p-0150"]' '["create","interaction","p-half"]' '["delete","interaction","p-made"]')"

	# A full read reads them all: a pair it does not report is deleted.
	sed 's/"full":false}/"full":true}/' in.jsonl >full.jsonl
	run --separate-stderr reconcile --stats --allow-mass-delete full.jsonl
	assert_success
	[[ "$stderr" == *"pairs read: 302 contact of 302"* ]]
}

@test "a full read holds only the pairs that may act: the rest are compared as text and passed over unparsed" {
	many_pairs 300
	{
		for i in $(seq -f %04g 1 300); do
			case $i in
			0150) data='{"first":"Changed"}' ;;      # edited in Outlook: its pair acts
			0077) data='{"first":"N0077","x":1.5}' ;; # no longer the base's text (a key no unit reads): held, merged, no op
			*[05]) data="{ \"first\" : \"N$i\" }" ;; # the base's value in other spacing: canonical text, passed over
			*) data="{\"first\":\"N$i\"}" ;;
			esac
			echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-$i\",\"version\":\"ck-$i\",\"op\":\"upsert\",\"data\":$data}"
			echo "{\"id\":\"i-$i\",\"type\":\"contact\",\"side\":\"interaction\",\"account\":\"$ACCOUNT\",\"user\":\"alice\",\"version\":\"1\",\"op\":\"upsert\",\"data\":{\"first\":\"N$i\"}}"
		done
		echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-half\",\"version\":\"ck-h\",\"op\":\"upsert\",\"data\":{\"first\":\"Half\"}}"
		echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-made\",\"version\":\"ck-m\",\"op\":\"upsert\",\"data\":{\"first\":\"Made\"}}"
		echo "{\"type\":\"contact\",\"side\":\"interaction\",\"account\":\"$ACCOUNT\",\"id\":\"i-made\",\"version\":\"1\",\"op\":\"upsert\",\"data\":{\"first\":\"Made\"}}"
		checkpoints true | sed 's/"full":false}/"full":true}/'
	} >full.jsonl
	run --separate-stderr reconcile --stats full.jsonl
	assert_success
	echo "$output" >out.jsonl
	# Held: p-0150 (edited), p-0077 (its text moved) and p-half (no InterAction item); 299 passed over.
	[[ "$stderr" == *"pairs read: 3 contact of 302, 0 appointment of 0; settled, passed over: 299"* ]]
	run jq -c 'select(.type == "op") | [.action, .target, .pair]' out.jsonl
	assert_output "$(printf '%s\n' '["update","interaction","p-0150"]' '["create","interaction","p-half"]')"

	# Every item as its base: nothing held, no op; one item gone from the full read: that pair alone.
	sed -e 's/"Changed"/"N0150"/' -e 's/,"x":1.5//' full.jsonl >same.jsonl
	run --separate-stderr reconcile --stats same.jsonl
	assert_success
	[[ "$stderr" == *"pairs read: 1 contact of 302, 0 appointment of 0; settled, passed over: 301"* ]]
	grep -v '"id":"i-0042"' same.jsonl >gone.jsonl
	run --separate-stderr reconcile --stats gone.jsonl
	assert_success
	echo "$output" >out.jsonl
	[[ "$stderr" == *"pairs read: 2 contact of 302, 0 appointment of 0; settled, passed over: 300"* ]]
	[ "$(ops delete exchange)" = 1 ]
}

@test "the mass-delete guard counts every pair of the state, read or not" {
	many_pairs 100
	{
		for i in $(seq -f %04g 1 21); do
			echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-$i\",\"op\":\"delete\"}"
		done
		echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-made\",\"version\":\"ck-m\",\"op\":\"upsert\",\"data\":{\"first\":\"Made\"}}"
		checkpoints false
	} >in.jsonl
	# 21 deletes, more than 20 % of the 102 pairs, though only 23 were read.
	run --separate-stderr reconcile --stats in.jsonl
	assert_failure 1
	[[ "$stderr" == *"held back 21 deletes, more than 20 of 102 pairs"* ]]
	[[ "$stderr" == *"pairs read: 23 contact of 102"* ]]
}

@test "a bad line exits 65 naming FILE:LINE and writes nothing" {
	run --separate-stderr reconcile "$DATA/first-exchange.jsonl" "$DATA/bad-line.jsonl"
	assert_failure 65
	assert_output ""
	[[ "$stderr" == *"bad-line.jsonl:2: "* ]]
	printf '{"type":"contact",\n' >cut.jsonl
	run --separate-stderr reconcile cut.jsonl
	assert_failure 65
	assert_output ""
	[[ "$stderr" == *"cut.jsonl:1: "* ]]
}

@test "records of two accounts exit 65" {
	run --separate-stderr reconcile "$DATA/two-accounts.jsonl"
	assert_failure 65
	assert_output ""
	[[ "$stderr" == *"two-accounts.jsonl:2: "*"bob@firm.example"* ]]
	run --separate-stderr reconcile --account carol@firm.example "$DATA/first-exchange.jsonl"
	assert_failure 65
	[[ "$stderr" == *"first-exchange.jsonl:1: "* ]]
}

@test "output is byte-identical across two runs with --now" {
	ann_bob_state
	reconcile "$DATA/paired-exchange-full.jsonl" "$DATA/paired-interaction-incremental.jsonl" >one.jsonl
	reconcile "$DATA/paired-exchange-full.jsonl" "$DATA/paired-interaction-incremental.jsonl" >two.jsonl
	cmp one.jsonl two.jsonl
	# Same records in another order: the same ops (checkpoints follow the input order).
	cat "$DATA/paired-interaction-incremental.jsonl" "$DATA/paired-exchange-full.jsonl" | reconcile >three.jsonl
	cmp <(grep -v '"type":"checkpoint"' one.jsonl) <(grep -v '"type":"checkpoint"' three.jsonl)
	run jq -r 'select(.type == "changeset") | .created' one.jsonl
	assert_output "$NOW"
}

@test "each op_id is the digest of the op without op_id and its words for people (reason, old, conflicts, source_modified)" {
	reconcile "$DATA/first-exchange.jsonl" "$DATA/first-interaction.jsonl" >out.jsonl
	# The words for people are there to be left out: an update says what it replaces.
	[ "$(jq -c 'select(.type == "op" and .action == "update") | has("old")' out.jsonl | sort -u)" = true ]
	jq -c 'select(.type == "op")' out.jsonl | while read -r op; do
		want=$(printf '%s' "$op" | jq -cS 'del(.op_id, .reason, .old, .conflicts, .source_modified)' | tr -d '\n' | sha256sum | cut -d' ' -f1)
		got=$(printf '%s' "$op" | jq -r '.op_id')
		[ "$got" = "sha256:$want" ]
	done
}

@test "a damaged state is an error (65), never a fresh start" {
	mkdir -p state/ex1
	printf 'this is not a database, not at all, and long enough to be read as one' >"state/ex1/$ACCOUNT.db"
	run --separate-stderr reconcile "$DATA/first-exchange.jsonl"
	assert_failure 65
	assert_output ""
}

@test "a pair whose base is not JSON is an error (65) naming the pair, on a full read and an incremental one" {
	ann_bob_state
	sqlite3 "state/ex1/$ACCOUNT.db" "update pairs set base = 'not json' where pair_id = 'p-bob'"
	run --separate-stderr reconcile "$DATA/first-exchange.jsonl"
	assert_failure 65
	assert_output ""
	[[ "$stderr" == *'pair "p-bob" has a damaged base'* ]]
	{
		echo "{\"type\":\"contact\",\"side\":\"exchange\",\"account\":\"$ACCOUNT\",\"id\":\"e-bob\",\"version\":\"ck-bob-2\",\"op\":\"upsert\",\"data\":{\"first\":\"Bob\",\"last\":\"Roe\"}}"
		checkpoints false
	} >in.jsonl
	run --separate-stderr reconcile in.jsonl
	assert_failure 65
	[[ "$stderr" == *'pair "p-bob" has a damaged base'* ]]
}

@test "usage: --help, --version, a bad option, a missing state folder" {
	run "$BIN/oisync-reconcile" --version
	assert_success
	assert_output --regexp '^oisync-reconcile \(oisync\) [0-9]'
	run "$BIN/oisync-reconcile" --help
	assert_success
	assert_output --partial "--allow-mass-delete"
	run "$BIN/oisync-reconcile" --no-such-option
	assert_failure 64
	run "$BIN/oisync-reconcile" --conflict loudest-wins
	assert_failure 64
	run "$BIN/oisync-reconcile" --server ex1 "$DATA/first-exchange.jsonl"
	assert_failure 64
}

# Scale, not speed: bench/reconcile times this input against jq.
@test "10,000 contacts on each side: each pair linked once, nothing created" {
	/usr/bin/python3 - <<'EOF' >big.jsonl
import json
for side, p in (("exchange", "e"), ("interaction", "i")):
    for n in range(10000):
        d = {"first": "F%d" % n, "last": "L%d" % (n % 97), "emails": [{"address": "u%d@x.example" % n, "kind": "work"}]}
        print(json.dumps({"type": "contact", "side": side, "account": "alice@firm.example",
                          "id": "%s%05d" % (p, n), "version": "1", "op": "upsert", "data": d}))
    print(json.dumps({"type": "checkpoint", "side": side, "account": "alice@firm.example",
                      "folder": "contacts", "token": "t", "complete": True, "full": True}))
EOF
	reconcile big.jsonl >out.jsonl
	run jq -r 'select(.type == "changeset") | .counts.link' out.jsonl
	assert_output 10000
	# Each Exchange contact with the InterAction contact of the same number.
	run jq -r 'select(.type == "op") | "\(.action) \(.ids.exchange) \(.ids.interaction)"' out.jsonl
	[ "${#lines[@]}" -eq 10000 ]
	[ "$(printf '%s\n' "${lines[@]}" | awk '$1 != "link" || $2 !~ /^e[0-9]+$/ || substr($2, 2) != substr($3, 2)' | wc -l)" -eq 0 ]
}
