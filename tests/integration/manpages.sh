#!/usr/bin/env bash
# respite - the manual pages: every docs/*.[1-8] passes `mandoc -Tlint`
# at the warning level and renders through man(1) without a warning.
#
# Needs no daemon.  Skipped without mandoc; the man(1) checks are skipped
# without man.  The only messages allowed are the notes about this
# system's manual database (a page we refer to is not installed here),
# which say nothing about the page itself.

. "$(dirname "$0")/lib.sh"

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

have mandoc || skip_all "mandoc is not installed (Debian: apt-get install mandoc)"

shopt -s nullglob
pages=("$TOP_SRCDIR"/docs/*.[1-8])
shopt -u nullglob
[ ${#pages[@]} -gt 0 ] || bail_out "no manual pages in $TOP_SRCDIR/docs"

# The notes allowed in the output of mandoc and man.
harmless='outdated mandoc\.db|referenced manual not found'

# Same output wherever it runs: no terminal width, no pager, no seccomp
# sandbox (which some containers refuse).
export MANWIDTH=80 MANPAGER=cat PAGER=cat MAN_DISABLE_SECCOMP=1

out=$(mktemp "${TMPDIR:-/tmp}/respite-man.XXXXXX") || bail_out "mktemp failed"
trap 'rm -f "$out"' EXIT

# verdict DESC RC MAXRC: ok when the lines in $out are all harmless notes
# and RC is at most MAXRC.
verdict() {
	local bad
	bad=$(grep -Ev -- "$harmless" "$out")
	if [ -n "$bad" ]; then
		not_ok "$1" "$bad"
	elif [ "$2" -gt "$3" ]; then
		not_ok "$1" "exit status $2" "$(cat "$out")"
	else
		ok "$1"
	fi
}

for page in "${pages[@]}"; do
	name=docs/${page##*/}

	# -Tlint writes its messages to stdout, the database notes to stderr.
	# Exit status 2 is "warnings": allowed only for the harmless ones.
	mandoc -Tlint -Wwarning "$page" >"$out" 2>&1
	verdict "mandoc -Tlint -Wwarning $name" $? 2

	if have man; then
		man --warnings -l "$page" 2>"$out" >/dev/null
		verdict "man --warnings -l $name" $? 0
	else
		skip "man --warnings -l $name" "man is not installed"
	fi
done

done_testing
