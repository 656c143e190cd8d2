# fakes.sh - start the fake EWS server and the InterAction reference server on
# free ports, write a configuration that points oisync at them, stop them; and
# the Microsoft Graph fake beside them. Sourced by scripts/demo.sh and the
# end-to-end bats suites.
#
#   fakes_start DIR EWS_SEED IA_SEED   servers up, DIR/oisync.conf written
#   graph_start DIR SEED [ARG...]      the Graph fake up (HTTP and HTTPS), its
#                                      app's secret made; DIR/graph.* name it
#   fakes_add_graph DIR SEED [SERVER]  the Graph fake up, and DIR/oisync.conf's
#                                      [server SERVER] (online) of type graph on it
#   fakes_stop DIR                     every server started stopped
#   ews_ctl DIR PATH [JSON]            call the EWS fake's /_fake/ endpoint
#   ia_ctl DIR PATH [JSON]             call the InterAction fake's /_fake/ endpoint
#   graph_ctl DIR PATH [JSON]          call the Graph fake's /_fake/ endpoint
#   graph_tls_cert DIR                 DIR/graph-tls.pem and .key (openssl, P-256)
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

# The tenant and the app of the Graph fake's seeds (graph/seed_example.json).
GRAPH_TENANT=${GRAPH_TENANT:-6f1e0c5a-3b0d-4c8e-9f4a-0a1b2c3d4e5f}
GRAPH_CLIENT_ID=${GRAPH_CLIENT_ID:-0c3b5a1e-7d2f-4e8a-9b6c-1a2b3c4d5e6f}

# graph_tls_cert DIR: a self-signed certificate for 127.0.0.1 (DIR/graph-tls.pem)
# and its key (DIR/graph-tls.key, 0600), made at run time: the Graph fake's HTTPS,
# which a client trusts by that certificate (curl --cacert, NODE_EXTRA_CA_CERTS).
graph_tls_cert() {
	(
		umask 077
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$1/graph-tls.key" -out "$1/graph-tls.pem" -days 2 \
			-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	) && chmod 644 "$1/graph-tls.pem"
}

# graph_start DIR SEED [ARG...]: the Graph fake (tests/fakes/graph) on free ports,
# for the app GRAPH_CLIENT_ID with a client secret made at run time
# (DIR/secrets/graph.secret, and the credentials file DIR/secrets/graph-credentials);
# ARGs go to graph_server.py. Written: DIR/graph.url (http://127.0.0.1:PORT),
# DIR/graph.https_url, DIR/graph-tls.pem (the HTTPS certificate), DIR/graph.pid.
graph_start() {
	local dir=$1 seed=$2 port tls
	shift 2
	mkdir -p "$dir/secrets"
	chmod 700 "$dir/secrets"
	(
		umask 077
		_fakes_secret >"$dir/secrets/graph.secret"
		printf '%s:%s\n' "$GRAPH_CLIENT_ID" "$(cat "$dir/secrets/graph.secret")" \
			>"$dir/secrets/graph-credentials"
	)
	graph_tls_cert "$dir/secrets" || { echo "fakes: openssl made no certificate" >&2; return 1; }
	mv "$dir/secrets/graph-tls.pem" "$dir/graph-tls.pem"
	rm -f "$dir/graph.port" "$dir/graph.tls-port"
	# fd 3 closed: a bats suite that starts the fake in setup_file would wait on it.
	"$PYTHON" "$FAKES_DIR/graph/graph_server.py" --port 0 --port-file "$dir/graph.port" \
		--seed "$seed" --credentials-file "$dir/secrets/graph-credentials" \
		--tls-cert "$dir/graph-tls.pem" --tls-key "$dir/secrets/graph-tls.key" \
		--tls-port-file "$dir/graph.tls-port" "$@" 2>>"$dir/graph.log" 3>&- &
	echo $! >"$dir/graph.pid"
	port=$(wait_port "$dir/graph.port" "$(cat "$dir/graph.pid")") ||
		{ echo "fakes: the Graph fake did not start (see $dir/graph.log)" >&2; return 1; }
	tls=$(cat "$dir/graph.tls-port")
	echo "http://127.0.0.1:$port" >"$dir/graph.url"
	echo "https://127.0.0.1:$tls" >"$dir/graph.https_url"
}

# fakes_add_graph DIR SEED [SERVER]: after fakes_start DIR, the Graph fake seeded
# with SEED, and a [server SERVER] (default online) of type graph on it appended
# to DIR/oisync.conf before [interaction] (so [defaults] stays last, for tests that
# append to it): Exchange Online beside the EWS server, the same InterAction.
# The users file is left alone: a user is on the new server once its section
# says server = SERVER.
fakes_add_graph() {
	local dir=$1 seed=$2 server=${3:-online} url
	graph_start "$dir" "$seed" || return 1
	url=$(cat "$dir/graph.url")
	awk -v s="[server $server]
type = graph
url = $url/v1.0
token_url = $url/$GRAPH_TENANT/oauth2/v2.0/token
tenant = $GRAPH_TENANT
client_id = $GRAPH_CLIENT_ID
secret_file = secrets/graph.secret
retries = 3
" '$0 == "[interaction]" { print s } { print }' "$dir/oisync.conf" >"$dir/oisync.conf.new" &&
		mv "$dir/oisync.conf.new" "$dir/oisync.conf"
}

fakes_stop() {
	local dir=$1 f pid
	for f in "$dir/ews.pid" "$dir/ia.pid" "$dir/graph.pid"; do
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
graph_ctl() { _fakes_ctl "$(cat "$1/graph.url")" "$2" "${3:-}"; }
