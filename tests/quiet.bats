#!/usr/bin/env bats
# quiet.bats - a settled account with nothing new is committed by oisync-extract alone.

load e2e_helper

setup_file() { e2e_setup_file; }
teardown_file() { e2e_teardown_file; }

setup() {
	e2e_setup
	# The stages oisync-run starts, each start logged: which ran, and how often.
	mkdir -p "$D/bin"
	local s
	for s in extract transform reconcile apply; do
		printf '#!/bin/sh\necho %s >>"%s/started"\nexec "%s" "$@"\n' \
			"$s" "$D" "$OISYNC_BUILD/bin/oisync-$s" >"$D/bin/oisync-$s"
		chmod +x "$D/bin/oisync-$s"
	done
	ln -s "$OISYNC_BUILD/bin/oisync" "$D/bin/oisync"
	export OISYNC_BIN="$D/bin"
}
teardown() { e2e_teardown; }

# The sanitizers see the quiet commit and the quiet pass in the first test,
# the calendar's due time, a failing read in the pass, its usage errors and
# the failure records in theirs; the others only vary what the driver and
# the state decide, and run in the plain pass.
plain_only() {
	! sanitized_build || skip "plain pass only: the tests that are not skipped run this code under the sanitizers"
}

DB() { echo "$D/state/ex1/$1@firm.example.db"; }
sync() { : >"$D/started"; run oisync-run -j 1 ex1; }
started() { sort "$D/started" | uniq -c | awk '{printf "%s%s:%s", sep, $2, $1; sep=" "}'; echo; }
meta() { sqlite3 "$(DB "$1")" "select value from meta where key = '$2'"; }
changes_kept() { find "$D/state/changes" -name '*.jsonl' | wc -l; }

# settle: runs until both users are settled (the first sync's writes come
# back as changes once); fails if that takes more than three.
settle() {
	local i
	for i in 1 2 3; do
		sync
		assert_success
		if [ -n "$(sqlite3 "$(DB alice)" "select 1 from meta where key = 'settled'")" ] &&
			[ -n "$(sqlite3 "$(DB bob)" "select 1 from meta where key = 'settled'")" ]; then
			return 0
		fi
	done
	false
}

@test "settled accounts with nothing new: one extract for all at -j 1, one request per folder per side, no change set" {
	sync
	assert_success
	# A first sync has work: it is never settled by it.
	[ -z "$(meta alice settled)" ]
	settle
	gen=$(meta alice generation) runs=$(sqlite3 "$(DB alice)" 'select count(*) from runs') kept=$(changes_kept)
	ews_ctl "$D" stats/reset '{}' >/dev/null
	ia_ctl "$D" stats/reset '{}' >/dev/null

	sync
	assert_success
	assert_line "oisync-run: alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new, no change set"
	assert_line "oisync-run: bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new, no change set"
	# One quiet pass read and committed both: its libraries loaded once, not per user.
	assert_equal "$(started)" "extract:1"
	assert_equal "$(changes_kept)" "$kept"
	# The read is committed as apply commits one: a new generation, a run row, still settled.
	assert_equal "$(meta alice generation)" "$((gen + 1))"
	assert_equal "$(sqlite3 "$(DB alice)" 'select count(*) from runs')" "$((runs + 1))"
	assert_equal "$(sqlite3 "$(DB alice)" 'select outcome from runs order by id desc limit 1')" "ok"
	[ -n "$(sqlite3 "$(DB alice)" "select 1 from meta where key = 'settled'")" ]
	run ews_ctl "$D" stats
	assert_equal "$(jq -cS '.operations' <<<"$output")" '{"SyncFolderItems":2}'
	run ia_ctl "$D" stats
	assert_equal "$(jq -cS '.requests' <<<"$output")" '{"GET /api/v1/users/{uid}/changes":2}'
}

@test "the quiet pass runs one extract per slot: -j 2 starts two for two users" {
	plain_only
	sync
	settle
	: >"$D/started"
	run oisync-run -j 2 ex1
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	assert_line --partial "bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	assert_equal "$(started)" "extract:2"
}

@test "an edit after a quiet run goes through reconcile and moves; the run after it is not quiet yet" {
	plain_only
	sync
	settle
	sync
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Okafor)\",\"set\":{\"JobTitle\":\"Chief Financial Officer\"}}"
	sync
	assert_success
	assert_line --regexp "alice@firm.example: ok: 0 create, 1 update, 0 delete, 0 conflicts; change set .*-alice.jsonl"
	assert_line --partial "bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	# The quiet pass stopped at alice's first record; her pipeline read her again.
	assert_equal "$(started)" "apply:1 extract:2 reconcile:1 transform:1"
	run ia_ctl "$D" dump
	assert_equal "$(jq -r --arg id "$(ia_id Okafor)" '.contacts[] | select(.id == $id) | .job_title' <<<"$output")" "Chief Financial Officer"
	# Its update comes back in InterAction's change feed: that run reconciles, and settles.
	[ -z "$(meta alice settled)" ]
	sync
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; change set"
	[ -n "$(sqlite3 "$(DB alice)" "select 1 from meta where key = 'settled'")" ]
}

@test "settled until a time that has come, or with an op left unfolded: the run reconciles" {
	plain_only
	sync
	settle
	sqlite3 "$(DB alice)" "update meta set value = '2000-01-01T00:00:00Z' where key = 'settled'"
	sync
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; change set"
	assert_line --partial "bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	# Reconciled to no op and nothing due: settled with no end again.
	assert_equal "$(sqlite3 "$(DB alice)" "select quote(value) from meta where key = 'settled'")" "''"

	sqlite3 "$(DB alice)" "insert into applied (op_id, status, op, folded) values ('sha256:x', 'pending', '{}', 0)"
	sync
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; change set"
}

@test "a calendar is settled until its next open meeting ends" {
	sed -i '/^\[user alice\]/a calendar = on' "$D/users.conf"
	printf 'calendar_future_days = 500\n' >>"$OISYNC_CONF"
	"$PYTHON" "$ROOT/tests/clients/exchangelib_meetings.py" "$(cat "$D/ews.url")/EWS/Exchange.asmx" \
		"$D/secrets/ews-credentials" create >/dev/null
	sync
	assert_success
	settle
	# The earliest end among alice's InterAction appointments not yet activities.
	want=$(ia_ctl "$D" dump | jq -r --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		'[.appointments[] | select(.owner == "alice" and .status != "activity" and .end > $now) | .end] | min')
	[ "$want" != null ]
	assert_equal "$(meta alice settled)" "$(date -u -d "$want" +%Y-%m-%dT%H:%M:%SZ)"
	sync
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
}

@test "a run whose read fails is recorded as failed in the state, and oisync status says so" {
	sync
	assert_success
	ews_ctl "$D" faults '{"http_status": {"code": 500, "rate": 1}}' >/dev/null
	sync
	ews_ctl "$D" faults '{}' >/dev/null
	assert_failure 69
	assert_line --partial "alice@firm.example: failed (exit 69)"
	run sqlite3 "$(DB alice)" "select outcome, counts from runs order by id desc limit 1"
	assert_output 'failed|{"stage":"extract","exit":69}'
	run oisync status --json
	assert_equal "$(jq -r '.. | objects | select(.mailbox? == "alice@firm.example") | .outcome' <<<"$output" | head -n 1)" failed
	# The next run that gets through is recorded as it went.
	sync
	assert_success
	assert_equal "$(sqlite3 "$(DB alice)" "select outcome from runs order by id desc limit 1")" ok
}

@test "--commit-quiet reads a whole account from its checkpoints, and a dry run never commits" {
	run oisync-extract exchange --mailbox alice@firm.example --commit-quiet
	assert_failure 64
	assert_output --partial "--commit-quiet reads an account's enabled folders from their checkpoints"
	run oisync-extract account --user alice --full --commit-quiet
	assert_failure 64
	run oisync-extract account --user alice --lock-fd 3
	assert_failure 64
	sync
	settle
	gen=$(meta alice generation)
	: >"$D/started"
	run oisync-run -j 1 --dry-run ex1
	assert_success
	assert_equal "$(meta alice generation)" "$gen"
	assert_equal "$(started)" "apply:2 extract:2 reconcile:2 transform:2"
}

@test "a settled user whose read fails in the quiet pass is failed and recorded, and not read again" {
	sync
	settle
	ews_ctl "$D" faults '{"http_status": {"code": 500, "rate": 1}}' >/dev/null
	sync
	ews_ctl "$D" faults '{}' >/dev/null
	assert_failure 69
	assert_line --partial "alice@firm.example: failed (exit 69)"
	assert_line --partial "bob@firm.example: failed (exit 69)"
	assert_equal "$(started)" "extract:1"
	run sqlite3 "$(DB alice)" "select outcome, counts from runs order by id desc limit 1"
	assert_output 'failed|{"stage":"extract","exit":69}'
	# The failure voids nothing: the next run is quiet again.
	sync
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
}

@test "a user another run holds is passed over by the quiet pass and reported locked; the other commits" {
	plain_only
	sync
	settle
	exec {held}<>"$D/state/ex1/alice@firm.example.lock"
	flock -n "$held"
	gen=$(meta alice generation)
	sync
	exec {held}>&-
	assert_failure 75
	assert_line --partial "alice@firm.example: locked by another run"
	assert_line --partial "alice@firm.example: failed (exit 75), try again later"
	assert_line --partial "bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	assert_equal "$(meta alice generation)" "$gen"
}

@test "a quiet pass cut short: a user it committed but never reported is synced again, nothing lost or doubled" {
	plain_only
	sync
	settle
	gen=$(meta bob generation)
	contacts=$(ia_ctl "$D" dump | jq '.contacts | length')
	# The pass's reader goes away after its first line: alice is committed
	# and reported; bob is committed too, but his line never arrives.
	printf '#!/bin/bash\necho extract >>"%s/started"\nif [ "$1" = quiet ]; then "%s" "$@" | head -n 1; exit 137; fi\nexec "%s" "$@"\n' \
		"$D" "$OISYNC_BUILD/bin/oisync-extract" "$OISYNC_BUILD/bin/oisync-extract" >"$D/bin/oisync-extract"
	sync
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	assert_line --partial "bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	# bob's pipeline read him again from the checkpoints the pass committed, and found nothing.
	assert_equal "$(started)" "extract:2"
	assert_equal "$(meta bob generation)" "$((gen + 2))"
	assert_equal "$(ia_ctl "$D" dump | jq '.contacts | length')" "$contacts"
	# A pass that dies before a word: every user goes through the pipeline, quietly.
	printf '#!/bin/bash\necho extract >>"%s/started"\n[ "$1" != quiet ] || exit 70\nexec "%s" "$@"\n' \
		"$D" "$OISYNC_BUILD/bin/oisync-extract" >"$D/bin/oisync-extract"
	sync
	assert_success
	assert_line --partial "alice@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	assert_line --partial "bob@firm.example: ok: 0 create, 0 update, 0 delete, 0 conflicts; nothing new"
	assert_equal "$(started)" "extract:3"
}

@test "oisync-extract quiet: usage, and a bad line of user ids" {
	run oisync-extract quiet
	assert_failure 64
	assert_output --partial "quiet needs --server NAME"
	run oisync-extract quiet --server ex1 --user alice
	assert_failure 64
	run oisync-extract quiet --server nosuch </dev/null
	assert_failure 78
	run oisync-extract quiet --server ex1 <<<$'alice\tbob'
	assert_failure 65
	assert_output --partial "stdin line 1"
	# A user the pass cannot commit (never synced, or not this server's) goes to the pipeline, with no request.
	run oisync-extract quiet --server ex1 <<<$'alice\nnobody'
	assert_success
	assert_output $'alice\tpipeline\t0\t0\t0\t0\nnobody\tpipeline\t0\t0\t0\t0'
}

@test "a run that stops in transform or reconcile is recorded as failed in the state, naming the stage" {
	plain_only
	sync
	assert_success
	ews_ctl "$D" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Okafor)\",\"set\":{\"JobTitle\":\"Treasurer\"}}"
	printf '#!/bin/sh\ncat >/dev/null\nexit 65\n' >"$D/bin/oisync-transform"
	sync
	assert_failure 65
	assert_line --partial "alice@firm.example: failed (exit 65)"
	run sqlite3 "$(DB alice)" "select outcome, counts from runs order by id desc limit 1"
	assert_output 'failed|{"stage":"transform","exit":65}'
	rm "$D/bin/oisync-transform"
	ln -s "$OISYNC_BUILD/bin/oisync-transform" "$D/bin/oisync-transform"
	printf '#!/bin/sh\ncat >/dev/null\nexit 70\n' >"$D/bin/oisync-reconcile"
	sync
	assert_failure 70
	run sqlite3 "$(DB alice)" "select outcome, counts from runs order by id desc limit 1"
	assert_output 'failed|{"stage":"reconcile","exit":70}'
	run oisync status --json
	assert_equal "$(jq -r '.. | objects | select(.mailbox? == "alice@firm.example") | .outcome' <<<"$output" | head -n 1)" failed
	# Nothing was lost: the edit is still to come, and comes.
	rm "$D/bin/oisync-reconcile"
	ln -s "$OISYNC_BUILD/bin/oisync-reconcile" "$D/bin/oisync-reconcile"
	sync
	assert_success
	assert_line --regexp "alice@firm.example: ok: 0 create, 1 update, 0 delete, 0 conflicts; change set"
}

@test "oisync-apply --failed: usage" {
	run oisync-apply --failed transform:65
	assert_failure 64
	assert_output --partial "--failed, --server and --account go together"
	run oisync-apply --failed bogus:65 --server ex1 --account alice@firm.example
	assert_failure 64
	assert_output --partial "a stage of extract, transform or reconcile"
	run oisync-apply --failed reconcile:0 --server ex1 --account alice@firm.example
	assert_failure 64
	run oisync-apply --failed reconcile:65 --server ex1 --account alice@firm.example x.jsonl
	assert_failure 64
	run oisync-apply --failed reconcile:65 --server ex1 --account alice@firm.example
	assert_success
	run sqlite3 "$(DB alice)" "select outcome, counts from runs order by id desc limit 1"
	assert_output 'failed|{"stage":"reconcile","exit":65}'
}
