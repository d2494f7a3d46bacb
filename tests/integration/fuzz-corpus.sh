#!/usr/bin/env bash
# respite - the fuzz targets over their seed corpora: one test a target.
#
# Each tests/fuzz/fuzz_NAME runs once over every file of
# tests/fuzz/corpus/NAME/: the hand-made seeds and the inputs of every
# crash the fuzzers found (crash-*), so a fixed bug stays fixed.  In the
# normal and sanitizer builds the targets have tests/fuzz/replay.c as
# main(); built with --enable-fuzzing they are libFuzzer binaries, which
# run the files named once each, the same way.  Needs no daemon.
#
# Environment (set by `make check`): FUZZ_DIR, the built targets;
# FUZZ_TARGETS, their names; TOP_SRCDIR.

. "$(dirname "$0")/lib.sh"

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${FUZZ_DIR:=$PWD/tests/fuzz}"
if [ -z "${FUZZ_TARGETS:-}" ]; then
	FUZZ_TARGETS=$(cd "$TOP_SRCDIR/tests/fuzz/corpus" && ls)
fi

log=$(mktemp "${TMPDIR:-/tmp}/respite-fuzz-corpus.XXXXXX") ||
    bail_out "mktemp failed"
trap 'rm -f "$log"' EXIT

shopt -s nullglob
for t in $FUZZ_TARGETS; do
	bin="$FUZZ_DIR/fuzz_$t"
	files=("$TOP_SRCDIR/tests/fuzz/corpus/$t"/*)
	if [ ! -x "$bin" ]; then
		not_ok "fuzz_$t: corpus" "$bin is not built"
		continue
	fi
	if [ ${#files[@]} -eq 0 ]; then
		not_ok "fuzz_$t: corpus" "no seeds in tests/fuzz/corpus/$t"
		continue
	fi
	if "$bin" "${files[@]}" >"$log" 2>&1; then
		ok "fuzz_$t: ${#files[@]} inputs"
	else
		not_ok "fuzz_$t: corpus" "exit status $?" \
		    "$(grep -E 'replay: |Running: |ERROR|SUMMARY|check failed|runtime error' "$log" | tail -n 8)"
	fi
done
shopt -u nullglob

done_testing
