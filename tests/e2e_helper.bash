# e2e_helper.bash - shared setup of the end-to-end suites: both fakes with the
# demo data, a configuration pointing at them, the built executables on PATH.
load helper

e2e_setup() { # [EWS_SEED IA_SEED]
	export PATH="$OISYNC_BUILD/bin:$ROOT/scripts:$PATH"
	D="$BATS_TEST_TMPDIR/run"
	mkdir -p "$D"
	fakes_start "$D" "${1:-$ROOT/tests/data/demo/ews_seed.json}" "${2:-$ROOT/tests/data/demo/interaction_seed.json}"
	export OISYNC_CONF="$D/oisync.conf"
}

e2e_teardown() {
	fakes_stop "$D"
}

# holdings: both sides as JSON (see tests/fakes/holdings.py).
holdings() {
	"$PYTHON" "$ROOT/tests/fakes/holdings.py" "$(cat "$D/ews.url")" "$(cat "$D/ia.url")" --json
}

# ops_in FILE: number of op records in a change set.
ops_in() {
	grep -c '"type":"op"' "$1" || true
}

# server_ops_in FILE: ops that change a server (link and unlink only touch the state).
server_ops_in() {
	grep '"type":"op"' "$1" | grep -cE '"action":"(create|update|delete)"' || true
}

# id of the Outlook contact with this surname in MAILBOX.
ews_id() { # MAILBOX SURNAME
	ews_ctl "$D" "dump?mailbox=$1" | jq -r --arg s "$2" '.contacts[] | select(.Surname == $s) | .ItemId.Id'
}

# id of the InterAction firm contact with this last name.
ia_id() { # LAST_NAME
	ia_ctl "$D" dump | jq -r --arg s "$1" '.contacts | to_entries[] | select(.value.last_name == $s) | .key'
}

# The latest change set oisync-run saved for a user.
last_changes() { # USER
	ls -1t "$D/state/changes/ex1/"*"-$1.jsonl" | head -n 1
}
