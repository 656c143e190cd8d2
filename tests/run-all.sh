#!/usr/bin/env bash
# run-all.sh BUILD_DIR... - run every test once and end with the one line
# "N passed, N failed".
#
# What runs C code runs once per build folder (plain, then ASan+UBSan): the
# unit tests, the fuzz corpus replays and tests/*.bats. The suites that test
# only the fakes and their real clients (tests/fakes/*.bats) run once.
# bats runs files side by side (--jobs, with GNU parallel) since most of a
# suite's time is spent waiting on child processes; TESTS_JOBS overrides the
# number (1 runs one file at a time). Each phase's wall time is printed so a
# slow phase shows; no test reads a clock.
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
jobs=${TESTS_JOBS:-$(($(nproc) * 2))}

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

phase_start=$SECONDS
phase() { # NAME: print the wall time of the phase that just ended
	echo "== $1: $((SECONDS - phase_start)) s"
	phase_start=$SECONDS
}

# bats SUITE... with OISYNC_BUILD set by the caller; the log is $1.
run_bats() { # LOG SUITE...
	local log=$1 st
	shift
	local par=()
	# Longest files first, so the last file started is a short one.
	# shellcheck disable=SC2046
	set -- $(ls -S "$@")
	if [ "$jobs" -gt 1 ] && command -v parallel >/dev/null; then
		par=(--jobs "$jobs" --no-parallelize-within-files)
	fi
	bats --tap "${par[@]}" "$@" >"$log" 2>&1
	st=$?
	grep -vE '^ok ' "$log" | head -200
	echo "bats: $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
	tally "$log" "$st"
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
for build in "$@"; do
	[ -d "$build" ] || { echo "run-all: no build folder '$build'" >&2; exit 2; }
	name=$(basename "$build")
	echo "== unit tests ($build)"
	for t in "$build"/tests/unit/*.t; do
		[ -x "$t" ] || continue
		log="$logs/$name-$(basename "$t").log"
		"$t" >"$log" 2>&1
		st=$?
		grep -E '^(not ok|#)' "$log" | head -50
		echo "$(basename "$t"): $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
		tally "$log" "$st"
	done
	echo "== fuzz corpus replay ($build)"
	for t in "$build"/tests/fuzz/*.replay; do
		[ -x "$t" ] || continue
		fuzz=$(basename "$t" .replay)
		log="$logs/$name-$fuzz.log"
		"$t" "tests/fuzz/corpus/$fuzz" >"$log" 2>&1
		st=$?
		grep -E '^(not ok|#)|ERROR|SUMMARY' "$log" | head -50
		echo "$fuzz: $(grep -c '^ok ' "$log") ok, $(grep -c '^not ok ' "$log") not ok"
		tally "$log" "$st"
	done
	phase "unit tests and fuzz replays ($build)"
	echo "== bats suites ($build)"
	OISYNC_BUILD="$(cd "$build" && pwd)" run_bats "$logs/$name-bats.log" tests/*.bats
	phase "bats suites ($build)"
done
if compgen -G 'tests/fakes/*.bats' >/dev/null; then
	echo "== the fakes and their real clients"
	OISYNC_BUILD="$(cd "$1" && pwd)" run_bats "$logs/fakes-bats.log" tests/fakes/*.bats
	phase "bats suites of the fakes"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
