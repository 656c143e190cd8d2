#!/usr/bin/env bats
# admin_users.bats - oisync users: the users file as the driver reads it.

load helper
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
	write_conf
	printf '\n[user bob]\nmailbox = bob@firm.example\nserver = ex1\nenabled = yes\n' >>users.conf
	printf '\n[user carol]\nmailbox = carol@firm.example\nserver = ex1\nenabled = no\n' >>users.conf
}

@test "oisync users: one tab-separated line per user; --enabled keeps the enabled ones" {
	run "$BIN/oisync" -c oisync.conf users
	assert_success
	assert_output "$(printf 'alice\t%s\tex1\tyes\nbob\tbob@firm.example\tex1\tyes\ncarol\tcarol@firm.example\tex1\tno' "$ALICE")"
	run "$BIN/oisync" -c oisync.conf users --server ex1 --enabled
	assert_success
	assert_output "$(printf 'alice\t%s\tex1\tyes\nbob\tbob@firm.example\tex1\tyes' "$ALICE")"
	[ ! -e state ] # listing makes nothing
}

@test "oisync users --lockfile: a fifth column, each account's lock file, made 0600 when missing" {
	run "$BIN/oisync" -c oisync.conf users --enabled --lockfile
	assert_success
	assert_output "$(printf 'alice\t%s\tex1\tyes\t%s\nbob\tbob@firm.example\tex1\tyes\t%s' \
		"$ALICE" "$T/state/ex1/$ALICE.lock" "$T/state/ex1/bob@firm.example.lock")"
	[ "$(stat -c %a "state/ex1/$ALICE.lock")" = 600 ]
	[ "$(stat -c %a state/ex1/bob@firm.example.lock)" = 600 ]
	# The same path as oisync lockfile names, the one oisync-apply --lock-fd checks.
	[ "$("$BIN/oisync" -c oisync.conf lockfile bob@firm.example)" = "$T/state/ex1/bob@firm.example.lock" ]
}

@test "oisync users --lockfile: a lock file that cannot be made leaves its column empty, lists the rest, exits 74" {
	mkdir -p "state/ex1/$ALICE.lock" # a folder where the file goes
	run --separate-stderr "$BIN/oisync" -c oisync.conf users --enabled --lockfile
	assert_failure 74
	assert_output "$(printf 'alice\t%s\tex1\tyes\t\nbob\tbob@firm.example\tex1\tyes\t%s' \
		"$ALICE" "$T/state/ex1/bob@firm.example.lock")"
	[[ "$stderr" == *"cannot open lock '$T/state/ex1/$ALICE.lock'"* ]]
}

@test "oisync-run: the user whose lock file cannot be made fails with 74; the next user still syncs" {
	mkdir -p "state/ex1/$ALICE.lock"
	# No server answers (a closed port): bob gets as far as his extract, and fails there, not before.
	(umask 077; head -c 12 /dev/urandom | base64 >ews.secret)
	OISYNC_BIN=$BIN run "$ROOT/scripts/oisync-run" -c oisync.conf ex1
	assert_failure 74
	assert_line --partial "$ALICE: failed (exit 74)"
	assert_line --partial "bob@firm.example: failed (exit 69)"
	assert_line --partial "ex1: 2 users, 0 ok, 2 failed"
}

# A users file as an administrator keeps it: comments, blank lines, odd
# spacing, a trailing comment on the key, a CRLF section, a user without "enabled".
edit_fixture() {
	printf '%s' \
		$'; firm users, kept by hand\n' \
		$'[user alice]   ; the partner\n' \
		$'mailbox = alice@firm.example\n' \
		$'server = ex1\n' \
		$'\n' \
		$'# bob is on leave\n' \
		$'[ user bob ]\n' \
		$'  mailbox=bob@firm.example\n' \
		$'enabled:yes ; back in May\n' \
		$'server = ex1\n' \
		$'[user carol]\r\n' \
		$'mailbox = carol@firm.example\r\n' \
		$'enabled = no\r\n' \
		$'server = ex1\r\n' >users.conf
	chmod 640 users.conf
}

@test "oisync users disable/enable: only the enabled key changes, every other byte stays; mode kept" {
	edit_fixture
	cp users.conf before.conf
	run "$BIN/oisync" -c oisync.conf users disable alice bob
	assert_success
	assert_output "$T/users.conf: 2 users disabled"
	run diff before.conf users.conf
	assert_output $'2a3\n> enabled = no\n9c10\n< enabled:yes ; back in May\n---\n> enabled:no ; back in May'
	[ "$(stat -c %a users.conf)" = 640 ]
	run "$BIN/oisync" -c oisync.conf users --enabled
	assert_output ''
	# enable --all puts every value back to yes; the added line stays, now yes.
	run "$BIN/oisync" -c oisync.conf users enable --all
	assert_success
	assert_output "$T/users.conf: 3 users enabled"
	run "$BIN/oisync" -c oisync.conf users --enabled
	assert_equal "${#lines[@]}" 3
	grep -q $'^enabled = yes\r$' users.conf # carol's CRLF kept
	grep -q '^enabled:yes ; back in May$' users.conf
	# Nothing to change writes nothing.
	touch -d '2000-01-01' users.conf
	run "$BIN/oisync" -c oisync.conf users enable alice
	assert_output "$T/users.conf: 0 users enabled"
	[ "$(stat -c %Y users.conf)" = "$(date -d 2000-01-01 +%s)" ]
	[ "$(ls -A | grep -c users.conf)" = 1 ] # no temporary file left behind
}

@test "oisync users disable: an unknown user is 64 and changes nothing; ids and --all are not both; none is 64" {
	edit_fixture
	cp users.conf before.conf
	run --separate-stderr "$BIN/oisync" -c oisync.conf users disable alice dave
	assert_failure 64
	[[ "$stderr" == *"no [user dave] in '$T/users.conf'"* ]]
	cmp before.conf users.conf
	run "$BIN/oisync" -c oisync.conf users disable
	assert_failure 64
	run "$BIN/oisync" -c oisync.conf users disable --all alice
	assert_failure 64
	cmp before.conf users.conf
}

@test "oisync users disable: a last line without its newline is changed and still has none" {
	printf '[user alice]\nmailbox = alice@firm.example\nserver = ex1\n[user bob]\nmailbox = bob@firm.example\nenabled = yes' >users.conf
	run "$BIN/oisync" -c oisync.conf users disable bob
	assert_success
	[ "$(tail -c 13 users.conf)" = $'\nenabled = no' ]
	run "$BIN/oisync" -c oisync.conf users disable alice
	assert_success
	cmp users.conf <(printf '[user alice]\nenabled = no\nmailbox = alice@firm.example\nserver = ex1\n[user bob]\nmailbox = bob@firm.example\nenabled = no')
}
