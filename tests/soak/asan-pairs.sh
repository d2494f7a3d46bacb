#!/bin/bash
# respite - the suite under load (issue 20): N pairs of `make check`
# under AddressSanitizer and UBSan, the two of a pair at once, each in a
# build directory of its own below DIR (default ./asan-pairs), so that
# every suite runs beside another on a loaded machine.
#
#   tests/soak/asan-pairs.sh [-d DIR] N
#
# Prints a line per suite (its TAP totals) and, for a failing one, its
# failed tests, whose logs it keeps as DIR/fail-PAIR-SUITE-TEST.log; at
# the end "N suites, N clean in a row at the end, N failed".  Exits 1 if
# any suite failed.  TESTS, if set, narrows each suite as make check's
# TESTS does.  Not in make check or CI: a pair takes 6-7 minutes on 2
# cores once built, 20-30 beside other builds.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$PWD/asan-pairs
if [ "${1:-}" = "-d" ]; then
	dir=$2
	shift 2
fi
n=${1:?usage: asan-pairs.sh [-d DIR] N}
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
for s in a b; do
	if [ ! -f "$dir/$s/Makefile" ]; then
		mkdir -p "$dir/$s" && (cd "$dir/$s" &&
		    "$top/configure" -q --enable-werror --enable-sanitizers) ||
		    { echo "asan-pairs: configure failed in $dir/$s" >&2; exit 1; }
	fi
done
suites=0 failed=0 streak=0
for i in $(seq 1 "$n"); do
	for s in a b; do
		(cd "$dir/$s" && make -j2 check ${TESTS:+TESTS="$TESTS"} \
		    >"$dir/check-$i-$s.log" 2>&1) &
	done
	wait
	for s in a b; do
		log=$dir/check-$i-$s.log
		suites=$((suites + 1))
		echo "pair $i suite $s: $(grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$log" | tr -s ' ' | tr '\n' ' ')"
		if grep -qE '^# (FAIL|ERROR): *[1-9]' "$log" ||
		    ! grep -q '^# PASS:' "$log"; then
			failed=$((failed + 1))
			streak=0
			grep -E '^(FAIL|ERROR):' "$log"
			for t in $(grep -lE '^:test-result: (FAIL|ERROR)' \
			    $(find "$dir/$s" -name '*.trs') 2>/dev/null); do
				cp "${t%.trs}.log" "$dir/fail-$i-$s-$(basename "${t%.trs}").log"
			done
		else
			streak=$((streak + 1))
		fi
	done
done
echo "$suites suites, $streak clean in a row at the end, $failed failed"
[ "$failed" -eq 0 ]
