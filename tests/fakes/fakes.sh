# fakes.sh - start the fake EWS server and the InterAction reference server on
# free ports, write a configuration that points oisync at them, stop them.
# Sourced by scripts/demo.sh and the end-to-end bats suites.
#
#   fakes_start DIR EWS_SEED IA_SEED   servers up, DIR/oisync.conf written
#   fakes_stop DIR                     both servers stopped
#   ews_ctl DIR PATH [JSON]            call the EWS fake's /_fake/ endpoint
#   ia_ctl DIR PATH [JSON]             call the InterAction fake's /_fake/ endpoint
#   wait_port FILE PID                 the port a starting server wrote to FILE
#
# Secrets are made at run time, written with mode 0600 and never printed.

FAKES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}

_fakes_secret() {
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

# wait_port FILE PID: the port a server wrote to FILE, once it listens; fails
# when the server died first, or after 30 s (a loaded machine starts slowly).
wait_port() {
	local i
	for i in $(seq 1 300); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

fakes_start() {
	local dir=$1 ews_seed=$2 ia_seed=$3
	mkdir -p "$dir/ews-data" "$dir/ia-data" "$dir/state" "$dir/secrets"
	chmod 700 "$dir/secrets"
	(
		umask 077
		_fakes_secret >"$dir/secrets/ews.secret"
		_fakes_secret >"$dir/secrets/interaction.secret"
		printf 'svc-oisync:%s\n' "$(cat "$dir/secrets/ews.secret")" >"$dir/secrets/ews-credentials"
		printf 'oisync:%s\n' "$(cat "$dir/secrets/interaction.secret")" >"$dir/secrets/ia-clients"
	)
	# fd 3 closed: a bats suite that starts the fakes in setup_file would wait on it.
	"$PYTHON" "$FAKES_DIR/ews/ews_server.py" --port 0 --port-file "$dir/ews.port" \
		--seed "$ews_seed" --data-dir "$dir/ews-data" \
		--credentials-file "$dir/secrets/ews-credentials" 2>>"$dir/ews.log" 3>&- &
	echo $! >"$dir/ews.pid"
	"$PYTHON" "$FAKES_DIR/interaction/interaction_server.py" --port 0 --port-file "$dir/ia.port" \
		--seed "$ia_seed" --data-dir "$dir/ia-data" \
		--clients-file "$dir/secrets/ia-clients" 2>>"$dir/ia.log" 3>&- &
	echo $! >"$dir/ia.pid"
	local ews_port ia_port
	ews_port=$(wait_port "$dir/ews.port" "$(cat "$dir/ews.pid")") ||
		{ echo "fakes: the EWS fake did not start (see $dir/ews.log)" >&2; return 1; }
	ia_port=$(wait_port "$dir/ia.port" "$(cat "$dir/ia.pid")") ||
		{ echo "fakes: the InterAction fake did not start (see $dir/ia.log)" >&2; return 1; }
	cat >"$dir/oisync.conf" <<CONF
; written by tests/fakes/fakes.sh for the bundled fake servers
[global]
state_dir = state
users_file = users.conf
phone_region = US

[server ex1]
url = http://127.0.0.1:$ews_port/EWS/Exchange.asmx
auth = basic
access = impersonation
username = svc-oisync
secret_file = secrets/ews.secret
retries = 3

[interaction]
url = http://127.0.0.1:$ia_port/api/v1
client_id = oisync
secret_file = secrets/interaction.secret
retries = 3

[defaults]
conflict = newest-wins
CONF
	cat >"$dir/users.conf" <<USERS
[user alice]
mailbox = alice@firm.example
server = ex1
enabled = yes

[user bob]
mailbox = bob@firm.example
server = ex1
enabled = yes
USERS
	echo "http://127.0.0.1:$ews_port" >"$dir/ews.url"
	echo "http://127.0.0.1:$ia_port" >"$dir/ia.url"
}

fakes_stop() {
	local dir=$1 f pid
	for f in "$dir/ews.pid" "$dir/ia.pid"; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
		rm -f "$f"
	done
	return 0
}

# _fakes_ctl BASE PATH [JSON]: GET (or POST the JSON to) BASE/_fake/PATH, BASE
# being http://HOST:PORT; the reply's body on stdout. An HTTP status of 400 or
# more fails (22, as curl --fail-with-body), the body still printed. Spoken
# through bash's /dev/tcp rather than by curl: the suites make thousands of
# these calls, and curl costs 25 ms of CPU to start. One request per
# connection (Connection: close), so the body is all that follows the head.
_fakes_ctl() {
	local base=$1 path=$2 body=${3:-} method=GET hostport fd line status
	local LC_ALL=C # ${#body}, the Content-Length, counts bytes
	hostport=${base#http://}
	[ -z "$body" ] || method=POST
	exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 7
	local request='%s /_fake/%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n'
	request+='Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s'
	# shellcheck disable=SC2059
	printf "$request" "$method" "$path" "$hostport" "${#body}" "$body" >&"$fd"
	IFS=' ' read -r _ status _ <&"$fd"
	while IFS= read -r line <&"$fd" && [ -n "${line%$'\r'}" ]; do :; done
	cat <&"$fd"
	exec {fd}<&-
	case "$status" in
	[123]??) return 0 ;;
	'') echo "fakes: $base closed the connection without a reply to /_fake/$path" >&2; return 52 ;;
	*) return 22 ;;
	esac
}

ews_ctl() { _fakes_ctl "$(cat "$1/ews.url")" "$2" "${3:-}"; }
ia_ctl() { _fakes_ctl "$(cat "$1/ia.url")" "$2" "${3:-}"; }
