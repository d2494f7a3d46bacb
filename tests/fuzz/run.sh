#!/usr/bin/env bash
# respite - run the libFuzzer targets for a bounded time (`make fuzz`).
#
#   run.sh OUTDIR SRCDIR SECONDS JOBS TARGET...
#
# OUTDIR holds the targets (OUTDIR/fuzz_TARGET, built with
# --enable-fuzzing); SRCDIR is tests/fuzz of the source tree, with the
# seed corpora (corpus/TARGET/, only read) and the dictionaries.  Each
# target runs for SECONDS with OUTDIR/work/TARGET/corpus (new inputs,
# kept between runs) and its seeds, JOBS targets at a time.  Prints TAP,
# one test a target with its runs, speed and coverage, then "# PASS: N"
# and "# FAIL: N" (as .ci/run counts them).  Exits 1 if any target
# crashed, leaked, timed out or failed a check: its input is in
# OUTDIR/work/TARGET/artifacts/, and `OUTDIR/fuzz_TARGET FILE` replays it.
set -u

if [ $# -lt 5 ]; then
	echo "usage: $0 OUTDIR SRCDIR SECONDS JOBS TARGET..." >&2
	exit 2
fi
out=$1 src=$2 secs=$3 jobs=$4
shift 4
case $secs in ''|*[!0-9]*) echo "$0: SECONDS must be a number" >&2; exit 2 ;; esac
case $jobs in ''|*[!0-9]*|0) echo "$0: JOBS must be a number > 0" >&2; exit 2 ;; esac

# UBSan aborts (the build has -fno-sanitize-recover), with a stack.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

dict_of() {
	case $1 in
	config) echo "$src/config.dict" ;;
	http) echo "$src/http.dict" ;;
	sse) echo "$src/sse.dict" ;;
	*) echo "$src/json.dict" ;;
	esac
}

# fuzz_one TARGET: run it; write the TAP verdict to work/TARGET/result.
fuzz_one() {
	local t=$1 dir="$out/work/$1" bin="$out/fuzz_$1" rc stats n
	local runs speed cov corp crash
	rm -rf "$dir/artifacts"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz_$t: $bin is missing" >"$dir/result"
		return
	fi
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
	    -dict="$(dict_of "$t")" "$dir/corpus" "$src/corpus/$t" \
	    >"$dir/fuzz.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$dir/fuzz.log" | tail -n 1)
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$dir/fuzz.log" | tail -n 1)
	stats="$secs s, ${runs:-?} runs, ${speed:-?} exec/s, cov ${cov:-?}, corpus ${corp:-?}"
	crash=$(find "$dir/artifacts" -type f | head -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		echo "ok - fuzz_$t: $stats" >"$dir/result"
	else
		{
			echo "not ok - fuzz_$t: exit $rc${crash:+, input $crash}"
			grep -E '^(==[0-9]+==ERROR|SUMMARY|.*check failed|.*runtime error)' \
			    "$dir/fuzz.log" | head -n 5 | sed 's/^/# /'
			echo "# log: $dir/fuzz.log"
		} >"$dir/result"
	fi
}

running=0
for t in "$@"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	fuzz_one "$t" &
	running=$((running + 1))
done
wait

n=0 pass=0 fail=0
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	r=$(cat "$out/work/$t/result" 2>/dev/null || echo "not ok - fuzz_$t: no result")
	case $r in
	ok*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
	# Number the verdict line; diagnostics follow as they are.
	printf '%s\n' "$r" | sed "1s/^\(not ok\|ok\) -/\1 $n -/"
done
echo "# PASS: $pass"
echo "# FAIL: $fail"
[ "$fail" -eq 0 ]
