#!/usr/bin/env bash
# run-all.sh BUILD_DIR... - run the C unit tests and the bats suites against
# each build folder and end with the one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0

# Count TAP lines from a log; a run that died without a "not ok" still fails once.
tally() { # LOG EXIT_STATUS
	local ok notok
	ok=$(grep -c '^ok ' "$1")
	notok=$(grep -c '^not ok ' "$1")
	if [ "$2" -ne 0 ] && [ "$notok" -eq 0 ]; then
		notok=1
		echo "not ok - $(basename "$1" .log) exited $2 with no failing test"
	fi
	passed=$((passed + ok))
	failed=$((failed + notok))
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
for build in "$@"; do
	[ -d "$build" ] || { echo "run-all: no build folder '$build'" >&2; exit 2; }
	echo "== unit tests ($build)"
	for t in "$build"/tests/unit/*.t; do
		[ -x "$t" ] || continue
		log="$logs/$(basename "$build")-$(basename "$t").log"
		"$t" >"$log" 2>&1
		st=$?
		grep -E '^(not ok|#)' "$log" | head -50
		echo "$(basename "$t"): $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
		tally "$log" "$st"
	done
	echo "== fuzz corpus replay ($build)"
	for t in "$build"/tests/fuzz/*.replay; do
		[ -x "$t" ] || continue
		name=$(basename "$t" .replay)
		log="$logs/$(basename "$build")-$name.log"
		"$t" "tests/fuzz/corpus/$name" >"$log" 2>&1
		st=$?
		grep -E '^(not ok|#)|ERROR|SUMMARY' "$log" | head -50
		echo "$name: $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
		tally "$log" "$st"
	done
	suites=$(ls tests/*.bats 2>/dev/null)
	# The suites of tests/fakes/ test the fakes alone, not the build: once is enough.
	[ "$build" != "$1" ] || suites="$suites $(ls tests/fakes/*.bats 2>/dev/null)"
	if [ -n "$suites" ]; then
		echo "== bats suites ($build)"
		log="$logs/$(basename "$build")-bats.log"
		# shellcheck disable=SC2086
		OISYNC_BUILD="$(cd "$build" && pwd)" bats --tap $suites >"$log" 2>&1
		st=$?
		grep -vE '^ok ' "$log" | head -200
		echo "bats: $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
		tally "$log" "$st"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
