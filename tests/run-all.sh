#!/usr/bin/env bash
# run-all.sh BUILD_DIR... - run every test once and end with the one line
# "N passed, N failed".
#
# What runs C code runs once per build folder (plain, then ASan+UBSan): the
# unit tests, the fuzz corpus replays and tests/*.bats. The suites that test
# only the fakes and their real clients (tests/fakes/*.bats) run once.
# The bats runs (one per build, one for the fakes) go side by side, each
# running files side by side (--jobs, with GNU parallel), so that the machine
# is busy to the end rather than waiting on one run's last file; TESTS_JOBS
# sets the files at once per run (1: one at a time, and the runs one after
# the other). Each run's wall time is printed so a slow one shows; no test
# reads a clock.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
jobs=${TESTS_JOBS:-$(nproc)}

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

# bats SUITE... with OISYNC_BUILD set by the caller, into the log $1; the
# exit status is bats'.
run_bats_quiet() { # LOG SUITE...
	local log=$1
	shift
	local par=()
	# Longest files first, so the last file started is a short one.
	# shellcheck disable=SC2046
	set -- $(ls -S "$@")
	if [ "$jobs" -gt 1 ] && command -v parallel >/dev/null; then
		par=(--jobs "$jobs" --no-parallelize-within-files)
	fi
	bats --tap "${par[@]}" "$@" >"$log" 2>&1
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
done

# bats_run NAME BUILD SUITE...: one bats run in the background; its log,
# exit status and wall time land in $logs/NAME.*.
bats_run() {
	local name=$1 build=$2 start=$SECONDS
	shift 2
	(
		OISYNC_BUILD="$(cd "$build" && pwd)" run_bats_quiet "$logs/$name.log" "$@"
		echo $? >"$logs/$name.status"
		echo $((SECONDS - start)) >"$logs/$name.seconds"
	) &
	[ "$jobs" -gt 1 ] || wait
}
runs=()
for build in "$@"; do
	bats_run "bats-$(basename "$build")" "$build" tests/*.bats
	runs+=("bats-$(basename "$build")")
done
if compgen -G 'tests/fakes/*.bats' >/dev/null; then
	bats_run bats-fakes "$1" tests/fakes/*.bats
	runs+=(bats-fakes)
fi
wait
for r in "${runs[@]}"; do
	echo "== $r: $(cat "$logs/$r.seconds") s"
	grep -vE '^ok ' "$logs/$r.log" | head -200
	echo "bats: $(grep -c '^ok ' "$logs/$r.log") ok, $(grep -c '^not ok ' "$logs/$r.log") not ok"
	tally "$logs/$r.log" "$(cat "$logs/$r.status")"
done
phase "bats suites, side by side"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
