# state_helper.bash - account states made with the sqlite3 CLI, for suites that feed reconcile by hand.
# Callers set T (the test folder) and ACCOUNT and SYNC_ID; REPO is the source tree.

REPO="${REPO:-$BATS_TEST_DIRNAME/..}"

# The schema as lib/state_schema.c writes it: its migrations' SQL, run in order.
schema_sql() {
	/usr/bin/python3 - "$REPO/lib/state_schema.c" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
start = src.index('migrations[] = {') + len('migrations[] = {')
body = re.sub(r'/\*.*?\*/', '', src[start:src.index('};', start)], flags=re.S)
entries, cur = [], []
for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|,', body):
    if m.group(0) == ',':
        if cur:
            entries.append(''.join(cur))
        cur = []
    else:
        cur.append(bytes(m.group(1), 'utf-8').decode('unicode_escape'))
if cur:
    entries.append(''.join(cur))
for e in entries:
    print(e)
print('PRAGMA user_version = %d;' % len(entries))
EOF
}

# make_state: an account state with the sync id; more SQL (pairs) on stdin.
make_state() {
	local db="$T/state/ex1/$ACCOUNT.db"
	mkdir -p "$T/state/ex1"
	{ schema_sql; echo "INSERT INTO meta VALUES ('sync_id', '$SYNC_ID');"; cat; } | sqlite3 "$db"
}

# pair ID EX_ID EX_VERSION IA_ID IA_VERSION BASE_JSON: a contact pair; KIND=appointment for another kind
pair() {
	printf "INSERT INTO pairs (pair_id, kind, exchange_id, exchange_version, interaction_id, interaction_version, base, base_hash) VALUES ('%s', '%s', '%s', '%s', '%s', '%s', '%s', 'sha256:x');\n" "$1" "${KIND:-contact}" "$2" "$3" "$4" "$5" "$6"
}
