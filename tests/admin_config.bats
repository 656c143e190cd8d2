#!/usr/bin/env bats
# admin_config.bats - oisync config KEY prints any setting oisync.conf(5) documents.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
	write_conf server.calendar_view_max=250 defaults.calendar=on user.calendar=off \
		interaction.client_id=oisync
}

# Every key the manual documents, as oisync config spells it: global keys bare,
# the rest as server.ex1.KEY, interaction.KEY, defaults.KEY and user.alice.KEY.
documented_keys() {
	awk '
		/^\.SS \[global\]/ { p = ""; next }
		/^\.SS \[server/ { p = "server.ex1."; next }
		/^\.SS \[interaction\]/ { p = "interaction."; next }
		/^\.SS \[defaults\]/ { p = "defaults."; next }
		/^\.S[HS]/ { p = "-"; next }
		p != "-" && prev == ".TP" && /^\.BR? / {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z_]+$/) print p $i
			if (p == "defaults.") for (i = 2; i <= NF; i++) if ($i ~ /^[a-z_]+$/) print "user.alice." $i
		}
		{ prev = $1 }
	' "$ROOT/man/oisync.conf.5"
	printf 'user.alice.%s\n' mailbox server enabled
}

@test "every key oisync.conf(5) documents is known to oisync config" {
	documented_keys >keys
	# The manual is the list: a parse that finds almost nothing proves nothing.
	[ "$(wc -l <keys)" -ge 40 ]
	grep -qx 'server.ex1.calendar_view_max' keys
	while read -r key; do
		run "$BIN/oisync" -c oisync.conf config "$key"
		[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || {
			echo "oisync config $key: exit $status: $output"
			return 1
		}
	done <keys
}

@test "oisync config prints values as the file spells them, resolved for a user" {
	run "$BIN/oisync" -c oisync.conf config server.ex1.calendar_view_max
	assert_success
	assert_output 250
	run "$BIN/oisync" -c oisync.conf config server.ex1.access
	assert_output impersonation
	run "$BIN/oisync" -c oisync.conf config defaults.calendar
	assert_output yes
	run "$BIN/oisync" -c oisync.conf config user.alice.calendar
	assert_output no
	run "$BIN/oisync" -c oisync.conf config user.alice.conflict
	assert_output newest-wins
	run "$BIN/oisync" -c oisync.conf config user.alice.mailbox
	assert_output "$ALICE"
	run "$BIN/oisync" -c oisync.conf config state_dir
	assert_output "$T/state"
}

@test "oisync config: a key for the other kind of section is unknown (64); an unknown server or user is 78" {
	run "$BIN/oisync" -c oisync.conf config interaction.tenant
	assert_failure 64
	assert_output --partial "unknown key 'interaction.tenant'"
	run "$BIN/oisync" -c oisync.conf config interaction.getitem_batch
	assert_failure 64
	run "$BIN/oisync" -c oisync.conf config server.ex2.url
	assert_failure 78
	assert_output --partial 'no [server ex2]'
	run "$BIN/oisync" -c oisync.conf config user.carol.mailbox
	assert_failure 78
	run "$BIN/oisync" -c oisync.conf config interaction.token_url
	assert_failure 1
}
