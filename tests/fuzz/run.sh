#!/bin/sh
# run.sh BUILD SECONDS TARGET... - run each libFuzzer target of BUILD (make fuzz)
# for SECONDS, one after the other, from its corpus tests/fuzz/corpus/TARGET/.
# New inputs go to BUILD/fuzz/TARGET/corpus (merge the useful ones into the
# corpus by hand: see tests/fuzz/README), a crash to BUILD/fuzz/TARGET/.
# Ends with one line per target: runs, corpus, crashes.
set -u
cd "$(dirname "$0")/../.."
build=$1 seconds=$2
shift 2
summary=""
failed=0
for t in "$@"; do
	work="$build/fuzz/$t"
	mkdir -p "$work/corpus" "tests/fuzz/corpus/$t"
	log="$work/log"
	echo "== $t: $seconds s"
	# -close_fd_mask=2: the library's own messages on bad input stay out of
	# the way; libFuzzer and the sanitizers report on a copy of stderr.
	"$build/tests/fuzz/$t.fuzz" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		-close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$work/" \
		"$work/corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
	st=$?
	grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|==[0-9]+==|SUMMARY|stat::number_of_executed_units)' "$log" | tail -n 6
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n 1)
	crashes=$(ls "$work" | grep -cE '^(crash|leak|timeout|oom)-')
	[ "$st" -eq 0 ] || failed=1
	summary="$summary$t: exit $st, ${runs:-?} runs, ${corp:-corp: ?}, $crashes crash files
"
done
printf '== summary\n%s' "$summary"
exit "$failed"
