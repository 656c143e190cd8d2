#!/usr/bin/env bats
# exit_status.bats - every exit status each man page lists, caused here as it
# happens in use, one test per executable and status: "PROG exits N: ...".
# The first test reads the EXIT STATUS sections of man/*.1, so a status added
# to a man page without its test here (or tested here but not documented)
# fails the suite.

load e2e_helper
bats_require_minimum_version 1.5.0

ALICE=alice@firm.example
BOB=bob@firm.example

# One pair of fakes for the whole file; each test has its own state folder.
setup_file() {
	export D="$BATS_FILE_TMPDIR/run"
	mkdir -p "$D"
	fakes_start "$D" "$ROOT/tests/data/demo/ews_seed.json" "$ROOT/tests/data/demo/interaction_seed.json"
	# Alice's first change set, with a contact to send to InterAction: apply's
	# failures below stop before or at its first server op, so it serves them all.
	PATH="$OISYNC_BUILD/bin:$PATH"
	new_outlook_contact Shared
	OISYNC_CONF="$D/oisync.conf" changes >"$D/alice.jsonl"
	[ "$(server_ops_in "$D/alice.jsonl")" -gt 0 ]
}
teardown_file() {
	fakes_stop "$D"
}

setup() {
	export LC_ALL=C
	export PATH="$OISYNC_BUILD/bin:$ROOT/scripts:$PATH"
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
	umask 077
	# The file's configuration with absolute paths and this test's state folder;
	# one retry, so that a failing server fails the test quickly.
	sed -e "s|^state_dir = .*|state_dir = $T/state|" -e "s|^users_file = |users_file = $D/|" \
		-e "s|^secret_file = |secret_file = $D/|" -e 's|^retries = .*|retries = 1|' \
		"$D/oisync.conf" >oisync.conf
	export OISYNC_CONF="$T/oisync.conf"
	HOLDER= FAULTS=
}

teardown() {
	release_lock
	if [ -n "${FAULTS:-}" ]; then
		ews_ctl "$D" faults '{}' >/dev/null
		ia_ctl "$D" faults '{}' >/dev/null
	fi
}

# fault ews|ia JSON: inject faults into one fake (see tests/fakes); teardown clears them.
fault() {
	FAULTS=1
	"${1}_ctl" "$D" faults "$2" >/dev/null
}

# The statuses the EXIT STATUS section of a man page lists: each .TP item's tag.
documented() { # MAN_PAGE
	awk '/^\.SH "?EXIT STATUS"?$/ { on = 1; next }
	     /^\.SH/ { on = 0 }
	     on && tag { sub(/^\.B /, ""); print; tag = 0; next }
	     on && /^\.TP/ { tag = 1 }' "$1"
}

# The statuses this file has a test for, for one executable.
tested() { # PROG
	sed -n "s/^@test \"$1 exits \([0-9]*\): .*/\1/p" "$BATS_TEST_FILENAME"
}

# Alice's (or another user's) change set, computed by the stages as oisync-run does.
changes() { # [ID MAILBOX]
	local id=${1:-alice} mailbox=${2:-$ALICE}
	{ oisync-extract exchange --mailbox "$mailbox" && oisync-extract interaction --user "$id"; } |
		oisync-transform | oisync-reconcile --server ex1 --account "$mailbox" --user "$id"
}

# A contact new in alice's Outlook, so that her next change set sends something to a server.
new_outlook_contact() { # SURNAME
	ews_ctl "$D" create "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Exit\",\"Surname\":\"$1\",\"EmailAddresses\":{\"EmailAddress1\":\"$1@exit.example\"}}}" >/dev/null
}

# A wrong secret for both servers in this test's configuration, as after a password change.
wrong_secrets() {
	printf 'not-the-secret\n' >wrong.secret
	sed -i -e "s|$D/secrets/ews.secret|$T/wrong.secret|" -e "s|$D/secrets/interaction.secret|$T/wrong.secret|" oisync.conf
}

# A mass-delete guard that holds back any delete (the default is 20% and at least 10 items).
strict_guard() {
	sed -i '/^\[defaults\]/a mass_delete_percent = 0\nmass_delete_min = 0' oisync.conf
}

# A user removes a contact from her InterAction list: the next run deletes it in Outlook.
remove_from_ia_list() { # ID
	local id
	id=$(ia_ctl "$D" dump | jq -r --arg u "$1" '.lists[$u] | keys[0]')
	ia_ctl "$D" remove "{\"user\":\"$1\",\"contact_id\":\"$id\"}" >/dev/null
}

# hold_lock FILE: another run holds an account's lock until release_lock. The
# holder says so once flock(1) has the lock; nothing here waits on a clock.
hold_lock() {
	mkdir -p "$(dirname "$1")"
	mkfifo "$T/locked" "$T/release"
	(flock "$1" sh -c 'echo held >"$1"; read -r _ <"$2"' sh "$T/locked" "$T/release" ||
		echo failed >"$T/locked") </dev/null >/dev/null 2>&1 3>&- &
	HOLDER=$!
	local said
	read -r said <"$T/locked"
	[ "$said" = held ]
	run flock -n "$1" true
	assert_failure
}

release_lock() {
	[ -n "${HOLDER:-}" ] || return 0
	kill -0 "$HOLDER" 2>/dev/null && echo >"$T/release"
	wait "$HOLDER" || true
	HOLDER=
}

@test "every status of every man page's EXIT STATUS has its test here, and every test a documented status" {
	local page prog code
	for page in "$ROOT"/man/*.1; do
		prog=$(basename "$page" .1)
		run documented "$page"
		assert_success
		[ -n "$output" ] || fail "$page: no .TP list under EXIT STATUS"
		for code in $output; do
			[[ "$code" =~ ^[0-9]+$ ]] || fail "$page: EXIT STATUS item '$code' is not a status"
			grep -qE "^@test \"$prog exits $code: " "$BATS_TEST_FILENAME" ||
				fail "$prog: exit $code is documented but has no test"
		done
		for code in $(tested "$prog"); do
			grep -qx "$code" <<<"$output" || fail "$prog: exit $code is tested but not in $page"
		done
	done
	# Every executable has a man page, so none escapes the check above.
	for prog in "$OISYNC_BUILD"/bin/* "$ROOT/scripts/oisync-run"; do
		[ -f "$ROOT/man/$(basename "$prog").1" ] || fail "$(basename "$prog") has no man page"
	done
}

# ---- oisync-extract ---------------------------------------------------------------

@test "oisync-extract exits 0: records and checkpoint written" {
	run --separate-stderr oisync-extract exchange --mailbox "$ALICE"
	assert_success
	assert_line --partial '"type":"contact"'
	assert_line --partial '"type":"checkpoint"'
}

@test "oisync-extract exits 64: an unknown option, a mailbox that is no SMTP address" {
	run oisync-extract exchange --mailbox "$ALICE" --no-such-option
	assert_failure 64
	run oisync-extract exchange --mailbox alice
	assert_failure 64
	assert_output --partial "not an SMTP address"
}

@test "oisync-extract exits 64: account without --user, or with a mailbox or URL of its own" {
	run oisync-extract account
	assert_failure 64
	assert_output --partial "account needs --user ID"
	run oisync-extract account --user alice --mailbox "$ALICE"
	assert_failure 64
	assert_output --partial "not --mailbox or --url"
	run oisync-extract account --user alice --url http://127.0.0.1:9/
	assert_failure 64
}

@test "oisync-extract exits 78: account for a user the users file does not have" {
	run oisync-extract account --user nobody
	assert_failure 78
	assert_output --partial "InterAction user 'nobody' is not in the users file"
}

@test "oisync-extract exits 65: the state database is damaged" {
	mkdir -p state/ex1
	printf 'this is not a database, not at all, and long enough to be read as one' >"state/ex1/$ALICE.db"
	run --separate-stderr oisync-extract exchange --mailbox "$ALICE"
	assert_failure 65
	assert_output ""
	[[ "$stderr" == *"is not an SQLite database"* ]]
}

@test "oisync-extract exits 69: the server sends a broken reply" {
	fault ews '{"http_status":{"code":500,"next":10}}'
	run --separate-stderr oisync-extract exchange --mailbox "$ALICE"
	assert_failure 69
	refute_output --partial '"checkpoint"'
	[[ "$stderr" == *"broken reply"* ]]
}

@test "oisync-extract exits 74: standard output cannot be written" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c 'oisync-extract exchange --mailbox "$0" >/dev/full' "$ALICE"
	assert_failure 74
	assert_output --partial "cannot write output"
}

@test "oisync-extract exits 75: the server stays busy after the last retry" {
	fault ews '{"server_busy":{"next":10,"backoff_ms":10}}'
	run --separate-stderr oisync-extract exchange --mailbox "$ALICE"
	assert_failure 75
	refute_output --partial '"checkpoint"'
	[[ "$stderr" == *"still throttled"* ]]
}

@test "oisync-extract exits 77: the server refuses the credentials (HTTP 401)" {
	wrong_secrets
	run --separate-stderr oisync-extract exchange --mailbox "$ALICE"
	assert_failure 77
	[[ "$stderr" == *"HTTP 401"* ]]
	run --separate-stderr oisync-extract interaction --user alice
	assert_failure 77
}

@test "oisync-extract exits 78: no such server section" {
	run oisync-extract exchange --mailbox "$ALICE" --server nosuch
	assert_failure 78
	assert_output --partial "no [server nosuch]"
}

@test "oisync-extract exits 78: a server's type names no Exchange backend" {
	sed -i '/^\[server ex1\]/a type = interaction' oisync.conf
	run oisync-extract exchange --mailbox "$ALICE"
	assert_failure 78
	assert_output --partial "type 'interaction' names no backend of the exchange side"
	run oisync-extract account --user alice
	assert_failure 78
	sed -i 's/^type = interaction$/type = owa/' oisync.conf
	run oisync-extract exchange --mailbox "$ALICE"
	assert_failure 78
	assert_output --partial "type 'owa' names no backend of the exchange side"
	# A Graph server's sign-in is checked with the file.
	sed -i 's/^type = owa$/type = graph/' oisync.conf
	run oisync-extract exchange --mailbox "$ALICE"
	assert_failure 78
	assert_output --partial "[server ex1] has no 'tenant'"
}

# ---- oisync-transform -------------------------------------------------------------

@test "oisync-transform exits 0: every record read and written" {
	run --separate-stderr oisync-transform "$ROOT/tests/data/transform/same-person.jsonl"
	assert_success
	[ "${#lines[@]}" -eq 5 ]
}

@test "oisync-transform exits 64: an unknown option" {
	run oisync-transform --no-such-option </dev/null
	assert_failure 64
}

@test "oisync-transform exits 65: a bad input line, named" {
	run --separate-stderr oisync-transform "$ROOT/tests/data/transform/bad-json.jsonl"
	assert_failure 65
	[[ "$stderr" == *"bad-json.jsonl:2: "* ]]
}

@test "oisync-transform exits 66: an input file that cannot be opened" {
	run oisync-transform no-such.jsonl
	assert_failure 66
	assert_output --partial "cannot open 'no-such.jsonl'"
}

@test "oisync-transform exits 74: the output cannot be written" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c 'oisync-transform "$0" >/dev/full' "$ROOT/tests/data/transform/same-person.jsonl"
	assert_failure 74
	assert_output --partial "cannot write output"
}

@test "oisync-transform exits 78: the configuration named by -c cannot be read" {
	run oisync-transform -c missing.conf </dev/null
	assert_failure 78
	assert_output --partial "missing.conf"
}

# ---- oisync-reconcile -------------------------------------------------------------

@test "oisync-reconcile exits 0: the change set is written" {
	run --separate-stderr changes
	assert_success
	assert_line --index 0 --partial '"type":"changeset"'
}

@test "oisync-reconcile exits 1: the mass-delete guard holds deletes back" {
	strict_guard
	oisync-run -u bob ex1
	remove_from_ia_list bob
	run --separate-stderr changes bob "$BOB"
	assert_failure 1
	assert_line --index 0 --partial '"type":"changeset"'
	refute_output --partial '"action":"delete"'
	[[ "$stderr" == *"--allow-mass-delete"* ]]
}

@test "oisync-reconcile exits 64: an unknown option, no state folder to work with" {
	run oisync-reconcile --no-such-option </dev/null
	assert_failure 64
	unset OISYNC_CONF
	run oisync-reconcile --server ex1 --account "$ALICE" </dev/null
	assert_failure 64
	assert_output --partial "no state folder"
}

@test "oisync-reconcile exits 65: a bad input line, named" {
	printf '{"type":"contact",\n' >cut.jsonl
	run --separate-stderr oisync-reconcile --server ex1 cut.jsonl
	assert_failure 65
	assert_output ""
	[[ "$stderr" == *"cut.jsonl:1: "* ]]
}

@test "oisync-reconcile exits 66: an input file that cannot be opened" {
	run oisync-reconcile --server ex1 no-such.jsonl
	assert_failure 66
	assert_output --partial "cannot open 'no-such.jsonl'"
}

@test "oisync-reconcile exits 74: standard output cannot be written" {
	[ -w /dev/full ] || skip "no /dev/full"
	oisync-extract exchange --mailbox "$ALICE" >alice.jsonl
	run bash -c 'oisync-reconcile --server ex1 "$0" >/dev/full' alice.jsonl
	assert_failure 74
	assert_output --partial "cannot write output"
}

@test "oisync-reconcile exits 78: the configuration is bad" {
	run oisync-reconcile -c missing.conf --server ex1 --account "$ALICE" </dev/null
	assert_failure 78
	assert_output --partial "missing.conf"
}

# ---- oisync-apply -----------------------------------------------------------------

@test "oisync-apply exits 0: every op succeeded, checkpoints committed" {
	new_outlook_contact Zero
	changes >cs.jsonl
	[ "$(server_ops_in cs.jsonl)" -gt 0 ]
	run --separate-stderr oisync-apply cs.jsonl
	assert_success
	refute_output --partial '"status":"failed"'
	[ -n "$(sqlite3 "state/ex1/$ALICE.db" 'select token from checkpoints')" ]
}

@test "oisync-apply exits 1: an op's item moved on since it was read (a conflict)" {
	oisync-run -u alice ex1
	ews_ctl "$D" edit "{\"mailbox\":\"$ALICE\",\"id\":\"$(ews_id "$ALICE" Nilsson)\",\"set\":{\"JobTitle\":\"General Counsel\"}}" >/dev/null
	changes >cs.jsonl
	grep -q '"action":"update","target":"interaction"' cs.jsonl
	# A user edits the same contact in InterAction before apply runs.
	ia_ctl "$D" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Nilsson)\",\"set\":{\"department\":\"Legal\"}}" >/dev/null
	run --separate-stderr oisync-apply cs.jsonl
	assert_failure 1
	assert_line --partial '"status":"conflict"'
	[[ "$stderr" == *"checkpoints not committed"* ]]
}

@test "oisync-apply exits 64: a bad --wait, an unknown option, a file that cannot be opened" {
	run oisync-apply --wait soon </dev/null
	assert_failure 64
	run oisync-apply --no-such-option </dev/null
	assert_failure 64
	run oisync-apply no-such.jsonl
	assert_failure 64
	assert_output --partial "cannot open 'no-such.jsonl'"
}

@test "oisync-apply exits 65: a bad input line, named; nothing is applied" {
	new_outlook_contact Sixtyfive
	changes >cs.jsonl
	k=$(grep -nE '"action":"(create|update|delete)"' cs.jsonl | head -n 1 | cut -d: -f1)
	{ head -n "$k" cs.jsonl; echo '{"type":"op","op_id":"x"'; tail -n +$((k + 1)) cs.jsonl; } >bad.jsonl
	run --separate-stderr oisync-apply bad.jsonl
	assert_failure 65
	[[ "$stderr" == *"bad.jsonl:$((k + 1)): "* ]]
	[ ! -e "state/ex1/$ALICE.db" ] || [ "$(sqlite3 "state/ex1/$ALICE.db" "select count(*) from applied")" -eq 0 ]
}

@test "oisync-apply exits 69: the servers answer with errors" {
	fault ews '{"http_status":{"code":500,"next":100}}'
	fault ia '{"http_status":{"code":500,"next":100}}'
	run --separate-stderr oisync-apply "$D/alice.jsonl"
	assert_failure 69
	[[ "$stderr" == *"checkpoints not committed"* ]]
}

@test "oisync-apply exits 74: the state cannot be written" {
	# The state folder is a file.
	: >not-a-folder
	run oisync-apply --state "$T/not-a-folder" "$D/alice.jsonl"
	assert_failure 74
	assert_output --partial "cannot create state folder"
}

@test "oisync-apply exits 75: another run holds the account's lock" {
	hold_lock "state/ex1/$ALICE.lock"
	run --separate-stderr oisync-apply "$D/alice.jsonl"
	assert_failure 75
	assert_output ""
	[[ "$stderr" == *"locked by another run"* ]]
	[ ! -e "state/ex1/$ALICE.db" ]
}

@test "oisync-apply exits 77: the servers refuse the credentials" {
	wrong_secrets
	run --separate-stderr oisync-apply "$D/alice.jsonl"
	assert_failure 77
	# Whichever server the first op goes to, it refused the credentials.
	[[ "$stderr" =~ (authentication failed|refused the credentials) ]]
}

@test "oisync-apply exits 78: the configuration cannot be read" {
	run oisync-apply -c missing.conf "$D/alice.jsonl"
	assert_failure 78
	assert_output --partial "missing.conf"
	[ ! -e "state/ex1/$ALICE.db" ]
}

# ---- oisync (admin) ---------------------------------------------------------------

@test "oisync exits 0: users listed, configuration checked" {
	run oisync users --server ex1 --enabled
	assert_success
	assert_line "$(printf 'alice\t%s\tex1\tyes' "$ALICE")"
	run oisync check
	assert_success
}

@test "oisync exits 1: config KEY that is not set" {
	run oisync config interaction.token_url
	assert_failure 1
	assert_output ""
}

@test "oisync exits 64: an unknown command" {
	run oisync frobnicate
	assert_failure 64
	assert_output --partial "unknown command 'frobnicate'"
}

@test "oisync exits 66: show cannot open the change set" {
	run oisync show "$T/nosuch.jsonl"
	assert_failure 66
	assert_output --partial "cannot open '$T/nosuch.jsonl'"
}

@test "oisync exits 74: standard output cannot be written; status --html cannot write the page" {
	run oisync status --html "$T/no/such/folder/status.html"
	assert_failure 74
	assert_output --partial "cannot create '$T/no/such/folder/status.html."
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c 'oisync users >/dev/full'
	assert_failure 74
	assert_output --partial "cannot write output"
}

# graph_user: this test's own Graph fake as [server online] (type graph), with
# carol's mailbox on it in a users file of the test's own: what check opens.
graph_user() {
	fakes_add_graph "$T" "$ROOT/tests/data/demo/graph_seed.json" || return 1
	cp "$D/users.conf" users.conf
	sed -i "s|^users_file = .*|users_file = $T/users.conf|" oisync.conf
	printf '\n[user carol]\nmailbox = carol@firm.example\nserver = online\nenabled = yes\n' >>users.conf
}

@test "oisync exits 65: check --deep finds a user's state damaged" {
	# A state the runs would open (cleanly closed: no check then), scribbled in its middle.
	run oisync-run -u alice ex1
	assert_success
	run oisync check --deep
	assert_success
	assert_line "user alice: state of mailbox $ALICE on [server ex1] intact"
	db="state/ex1/$ALICE.db"
	[ ! -s "$db-wal" ]
	size=$(stat -c %s "$db")
	head -c 4096 /dev/zero | tr '\0' Z | dd of="$db" bs=1 seek=$((size / 2)) conv=notrunc status=none
	run oisync check --deep
	assert_failure 65
	assert_output --partial "user alice: the state of mailbox $ALICE on [server ex1] is damaged"
}

@test "oisync exits 69: check cannot reach an Exchange Online server" {
	graph_user
	fakes_stop "$T"
	run oisync check
	assert_failure 69
	assert_line --partial "user carol: mailbox carol@firm.example on [server online] cannot be used"
}

@test "oisync exits 75: check is throttled longer than max_backoff" {
	graph_user
	graph_ctl "$T" faults '{"http_status": {"code": 429, "retry_after": 3600, "next": 10}}' >/dev/null
	run oisync check
	fakes_stop "$T"
	assert_failure 75
	assert_output --partial "throttled"
}

@test "oisync exits 77: check is refused the app's token" {
	graph_user
	echo wrong >"$T/secrets/graph.secret"
	run oisync check
	fakes_stop "$T"
	assert_failure 77
	assert_output --partial "invalid_client"
}

@test "oisync exits 78: a configuration that cannot be read; a secret readable by others" {
	run oisync -c missing.conf users
	assert_failure 78
	assert_output --partial "missing.conf"
	cp "$D/secrets/ews.secret" open.secret
	chmod 644 open.secret
	sed -i "s|$D/secrets/ews.secret|$T/open.secret|" oisync.conf
	run oisync check
	assert_failure 78
}

# ---- oisync-run -------------------------------------------------------------------

@test "oisync-run exits 0: every user synced" {
	run oisync-run -u bob ex1
	assert_success
	assert_line --partial "$BOB: ok:"
}

@test "oisync-run exits 1: the mass-delete guard held deletes back" {
	strict_guard
	oisync-run -u bob ex1
	remove_from_ia_list bob
	run oisync-run -u bob ex1
	assert_failure 1
	assert_line --partial "$BOB: failed (exit 1)"
	assert_output --partial "--allow-mass-delete"
}

@test "oisync-run exits 64: an unknown option, an option without its value, a bad --wait, no server" {
	run oisync-run --no-such-option ex1
	assert_failure 64
	for opt in -c --config -u --user --wait; do
		run oisync-run "$opt"
		assert_failure 64
		assert_output --partial "option '$opt' needs a value"
	done
	# Refused before any user is synced, not by each user's apply.
	run oisync-run --wait soon ex1
	assert_failure 64
	refute_output --partial "$ALICE"
	run oisync-run
	assert_failure 64
}

@test "oisync-run exits 65: a user's state is damaged" {
	mkdir -p state/ex1
	printf 'this is not a database, not at all, and long enough to be read as one' >"state/ex1/$ALICE.db"
	run oisync-run -u alice ex1
	assert_failure 65
	assert_line --partial "$ALICE: failed (exit 65)"
}

@test "oisync-run exits 69: a server answers with errors" {
	fault ia '{"http_status":{"code":500,"next":100}}'
	run oisync-run -u alice ex1
	assert_failure 69
	assert_line --partial "$ALICE: failed (exit 69)"
}

@test "oisync-run exits 74: a user's state cannot be written" {
	# The state folder is a file; the change sets go elsewhere.
	sed -i "/^state_dir = /a changes_dir = $T/changes" oisync.conf
	: >state
	run oisync-run -u alice ex1
	assert_failure 74
	assert_line --partial "$ALICE: failed (exit 74)"
}

@test "oisync-run exits 75: another run holds a user's lock" {
	hold_lock "state/ex1/$ALICE.lock"
	run oisync-run -u alice ex1
	assert_failure 75
	assert_line --partial "$ALICE: failed (exit 75)"
}

@test "oisync-run exits 77: the server refuses the credentials" {
	wrong_secrets
	run oisync-run -u alice ex1
	assert_failure 77
	assert_line --partial "$ALICE: failed (exit 77)"
}

@test "oisync-run exits 78: no such server in the configuration" {
	run oisync-run nosuch
	assert_failure 78
	assert_output --partial "no [server nosuch]"
}
