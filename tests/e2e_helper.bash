# e2e_helper.bash - shared setup of the end-to-end suites: both fakes with the
# demo data, a configuration pointing at them, the built executables on PATH.
load helper

# Under ASan, LeakSanitizer's check at each process's exit costs about a third
# of the sanitizer pass's CPU, and an end-to-end run starts a dozen processes
# per user. These suites drive the same stage code that the unit tests, the
# fuzz replays and the per-stage suites (extract_*, transform, reconcile,
# apply) already run with the leak check on; here ASan and UBSan check every
# access and every undefined operation, and only the exit-time leak scan is off.
case ":$ASAN_OPTIONS:" in
*:detect_leaks=*) ;;
*) export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" ;;
esac

DEMO_SEEDS=("$ROOT/tests/data/demo/ews_seed.json" "$ROOT/tests/data/demo/interaction_seed.json")

# A file whose setup_file calls e2e_setup_file starts both fakes once; each
# test's e2e_setup then puts them back as they started (POST /_fake/reset,
# from the seeds it names) and gives the test its own copy of the
# configuration and an empty state folder. A Python fake costs a quarter of a
# second of CPU to start, and most end-to-end tests are shorter than that.
e2e_setup_file() {
	export E2E_FAKES="$BATS_FILE_TMPDIR/fakes"
	mkdir -p "$E2E_FAKES"
	fakes_start "$E2E_FAKES" "${DEMO_SEEDS[@]}"
}

# e2e_graph_setup_file GRAPH_SEED: e2e_setup_file, and the Graph fake beside the
# others, seeded with GRAPH_SEED, as [server online] (fakes_add_graph). Each
# test's e2e_setup resets it too; its users are on ex1 until graph_users moves them.
e2e_graph_setup_file() {
	export E2E_GRAPH_SEED
	E2E_GRAPH_SEED=$(realpath "$1")
	e2e_setup_file
	fakes_add_graph "$E2E_FAKES" "$E2E_GRAPH_SEED"
}

# graph_users [USER...]: these users (default: all) on [server online].
graph_users() {
	local u
	if [ $# -eq 0 ]; then
		sed -i 's/^server = ex1$/server = online/' "$D/users.conf"
		return
	fi
	for u in "$@"; do
		sed -i "/^\[user $u\]/,/^\[/ s/^server = ex1\$/server = online/" "$D/users.conf"
	done
}

e2e_teardown_file() {
	fakes_stop "$E2E_FAKES"
}

e2e_setup() { # [EWS_SEED IA_SEED [GRAPH_SEED]]
	export PATH="$OISYNC_BUILD/bin:$ROOT/scripts:$PATH"
	D="$BATS_TEST_TMPDIR/run"
	mkdir -p "$D"
	local ews_seed ia_seed
	ews_seed=$(realpath "${1:-${DEMO_SEEDS[0]}}")
	ia_seed=$(realpath "${2:-${DEMO_SEEDS[1]}}")
	if [ -n "${E2E_FAKES:-}" ]; then
		ews_ctl "$E2E_FAKES" reset "{\"seed\": \"$ews_seed\"}" >/dev/null
		ia_ctl "$E2E_FAKES" reset "{\"seed\": \"$ia_seed\"}" >/dev/null
		cp -R "$E2E_FAKES/oisync.conf" "$E2E_FAKES/users.conf" "$E2E_FAKES/secrets" \
			"$E2E_FAKES/ews.url" "$E2E_FAKES/ia.url" "$D/"
		if [ -n "${E2E_GRAPH_SEED:-}" ]; then
			graph_ctl "$E2E_FAKES" reset "{\"seed\": \"$(realpath "${3:-$E2E_GRAPH_SEED}")\"}" >/dev/null
			cp "$E2E_FAKES/graph.url" "$D/"
		fi
		mkdir -p "$D/state"
	else
		fakes_start "$D" "$ews_seed" "$ia_seed"
		[ -z "${3:-}" ] || fakes_add_graph "$D" "$(realpath "$3")"
	fi
	export OISYNC_CONF="$D/oisync.conf"
}

e2e_teardown() {
	[ -n "${E2E_FAKES:-}" ] || fakes_stop "$D"
}

# holdings: both sides as JSON (see tests/fakes/holdings.py).
holdings() {
	local graph=()
	[ ! -f "$D/graph.url" ] || graph=(--graph "$(cat "$D/graph.url")")
	"$PYTHON" "$ROOT/tests/fakes/holdings.py" "$(cat "$D/ews.url")" "$(cat "$D/ia.url")" "${graph[@]}" --json
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

# The latest change set oisync-run saved for a user on SERVER (default: any server).
last_changes() { # USER [SERVER]
	if [ -n "${2:-}" ]; then
		ls -1t "$D/state/changes/$2/"*"-$1.jsonl" | head -n 1
	else
		ls -1t "$D/state/changes/"*/*"-$1.jsonl" | head -n 1
	fi
}
