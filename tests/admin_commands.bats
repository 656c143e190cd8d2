#!/usr/bin/env bats
# admin_commands.bats - the oisync admin command: users, config KEY, check, exit statuses.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
	printf '%s' \
		$'[global]\nstate_dir = .\n' \
		$'[server ex1]\nurl = https://ex1/EWS/Exchange.asmx\nusername = FIRM\\svc\nsecret_file = ex1.secret\n' \
		$'[server ex2]\nurl = https://ex2/EWS/Exchange.asmx\nauth = negotiate\n' \
		$'[interaction]\nurl = https://ia/api\nsecret_env = OISYNC_TEST_IA\n' \
		$'[defaults]\nconflict = exchange-wins\n' >oisync.conf
	printf '%s' \
		$'[user alice]\nmailbox = alice@x\nserver = ex1\n' \
		$'[user bob]\nmailbox = bob@x\nserver = ex2\nenabled = no\n' \
		$'[user carol]\nmailbox = carol@x\nserver = ex1\n' >users.conf
	printf 'pw\n' >ex1.secret
	chmod 600 ex1.secret
	printf '[global]\nstate_dir = .\nfrob = 1\n' >bad.conf
	export OISYNC_TEST_IA=token
}

# is STATUS STDOUT ARG...: oisync ARG... exits STATUS and prints exactly STDOUT
# (trailing newlines and all) on standard output; standard error is not read.
is() {
	local want_status=$1 want_out=$2 st=0
	shift 2
	"$BIN/oisync" "$@" >out 2>/dev/null || st=$?
	if [ "$st" -ne "$want_status" ] || ! printf '%s' "$want_out" | cmp -s - out; then
		printf 'oisync %s\n  got:  %d "%s"\n  want: %d "%s"\n' "$*" "$st" "$(cat out)" "$want_status" "$want_out"
		return 1
	fi
}

@test "oisync users: every user, one server's, the enabled ones; an unknown server is 78" {
	is 0 $'alice\talice@x\tex1\tyes\nbob\tbob@x\tex2\tno\ncarol\tcarol@x\tex1\tyes\n' -c oisync.conf users
	is 0 $'alice\talice@x\tex1\tyes\ncarol\tcarol@x\tex1\tyes\n' -c oisync.conf users --server ex1 --enabled
	is 0 $'alice\talice@x\tex1\tyes\ncarol\tcarol@x\tex1\tyes\n' -c oisync.conf users --enabled
	is 78 '' -c oisync.conf users --server ex9
}

@test "oisync config KEY: a value, the servers; 1 when not set, 64 for no or an unknown key, 78 for an unknown server" {
	is 0 $'https://ex1/EWS/Exchange.asmx\n' -c oisync.conf config server.ex1.url
	is 0 $'negotiate\n' -c oisync.conf config server.ex2.auth
	is 78 '' -c oisync.conf config server.ex9.url
	is 0 $'https://ia/api\n' -c oisync.conf config interaction.url
	is 0 $'exchange-wins\n' -c oisync.conf config defaults.conflict
	is 0 $'ex1\nex2\n' -c oisync.conf config servers
	is 1 '' -c oisync.conf config server.ex1.ca_file
	is 64 '' -c oisync.conf config colour
	is 64 '' -c oisync.conf config
}

@test "oisync check --offline: the configuration only, ok with a summary; a bad or missing configuration is 78" {
	# No server here answers: --offline asks none (admin_sync.bats checks the servers' side).
	is 0 $'oisync.conf: ok: 2 servers, 3 users (2 enabled)\n' -c oisync.conf check --offline
	is 78 '' -c bad.conf users
	is 78 '' -c missing.conf check
	is 78 '' -c missing.conf check --offline
	is 64 '' -c oisync.conf check --offline --frob
}

@test "oisync: an unknown command or option, or none, is 64; --version and --help" {
	is 64 '' -c oisync.conf frob
	is 64 '' --frob
	is 64 ''
	is 0 "oisync (oisync) $(sed -n 's/^VERSION *= *//p' "$ROOT/Makefile")"$'\n' --version
	run "$BIN/oisync" --help
	assert_success
}

@test "oisync check reports a secret it cannot use: one others may read, one not in the environment" {
	# Before any server is asked: these servers do not exist.
	chmod 644 ex1.secret
	is 78 '' -c oisync.conf check
	is 78 '' -c oisync.conf check --offline
	chmod 600 ex1.secret
	unset OISYNC_TEST_IA
	is 78 '' -c oisync.conf check
}
