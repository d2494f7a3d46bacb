# respite - shared helpers for the integration tests.
#
# Sourced by every tests/integration/*.sh script (which are bash).  It
# runs the real `respited -f` on a temporary directory and a free port on
# 127.0.0.1, talks to it over HTTP with curl, reads replies with jq, and
# prints TAP for automake's tap-driver.sh.  Nothing here sleeps blindly:
# every wait polls /healthz, a log line or a process with a bound.
#
# Environment (set by `make check`, see Makefile.am):
#   RESPITED     the daemon to run; may be a command with a wrapper, e.g.
#                'valgrind --error-exitcode=1 --leak-check=full ./respited'
#   TOP_SRCDIR   the source tree
#   SHARED_DATA  shared test data (unused by most scripts)
# Optional:
#   RESPITE_TEST_SLOW  multiplier for every bounded wait (default 1; set
#                      automatically to 10 when RESPITED runs valgrind, to 2 in a
#                      build with sanitizers; then times the load average a
#                      core, rounded up, at most 8)
#   RESPITE_KEEP_TMP   1: keep the temporary directory after the run
#   RESPITE_VALGRIND   1: run every respited under valgrind memcheck
#                      (`make check-valgrind`).  Each run writes its own
#                      log; done_testing stops a daemon still running with
#                      SIGTERM (so its leaks are counted) and adds one test
#                      that fails on any memcheck error or definite or
#                      indirect leak in any run of the script.
#   RESPITE_VALGRIND_KEEP  a directory to copy the failing valgrind logs to
#   RESPITED_WRAPPER   a command put before respited, e.g. "strace -f -o
#                      /tmp/st" (RESPITE_VALGRIND sets its own)
#
# Conventions: TAP output goes to stdout; everything else (curl, the
# daemon) goes to stderr or files.  Never `set -e`: a failed request is a
# failed test, not a dead script.

# No proxy may stand between us and 127.0.0.1.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY
export LC_ALL=C

if [ -z "${RESPITED:-}" ]; then
	# Run by hand from the build directory.
	for _c in ./respited ../respited ../../respited; do
		if [ -x "$_c" ]; then
			RESPITED=$(cd "$(dirname "$_c")" && pwd)/respited
			break
		fi
	done
fi
: "${RESPITED:=respited}"
: "${RESPITE_TEST_SLOW:=}"
# valgrind: one log a process (%p) in a directory of this script's own;
# --errors-for-leak-kinds makes definite and indirect leaks errors, so
# --error-exitcode also reports them in the exit status.
_vg_dir=
if [ "${RESPITE_VALGRIND:-0}" = 1 ] && [ -z "${RESPITED_WRAPPER:-}" ]; then
	_vg_dir=$(mktemp -d "${TMPDIR:-/tmp}/respite-vg.XXXXXX") ||
	    { echo "Bail out! mktemp failed"; exit 1; }
	# Sticky and open to all, as /tmp: hygiene.sh runs respited as
	# nobody too, and valgrind writes its log as that user.
	chmod 1777 "$_vg_dir"
	RESPITED_WRAPPER="valgrind --tool=memcheck --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--error-exitcode=97 --num-callers=30 --log-file=$_vg_dir/%p.log"
	if [ -n "${TOP_SRCDIR:-}" ] && [ -f "$TOP_SRCDIR/tests/valgrind.supp" ]; then
		RESPITED_WRAPPER="$RESPITED_WRAPPER --suppressions=$TOP_SRCDIR/tests/valgrind.supp"
	fi
fi
if [ -n "${RESPITED_WRAPPER:-}" ]; then
	RESPITED="$RESPITED_WRAPPER $RESPITED"
fi
if [ -z "$RESPITE_TEST_SLOW" ]; then
	case "$RESPITED" in
	*valgrind*) RESPITE_TEST_SLOW=10 ;;
	*) RESPITE_TEST_SLOW=1 ;;
	esac
	# ASan and UBSan make respited two to three times slower; their
	# pass is there to find memory errors, not to judge latency.
	if [ -n "${RESPITE_SANITIZED:-}" ] && [ "$RESPITE_TEST_SLOW" = 1 ]; then
		RESPITE_TEST_SLOW=2
	fi
	# A loaded machine (issue 20: other suites, builds): every wait
	# scaled by the load average a core, rounded up, 1 to 8.  The
	# bounds are there to catch a stalled or spinning daemon, which
	# stays far past them; an idle machine keeps the tight ones.
	# (One line: Debian's awk, mawk, refuses a line break after "+".)
	_load=$(awk -v n="$(nproc 2>/dev/null || echo 1)" \
	    '{ f = int($1 / n + 0.999); print (f < 1 ? 1 : f > 8 ? 8 : f) }' \
	    /proc/loadavg 2>/dev/null)
	case "$_load" in
	[1-8]) ;;
	*) _load=1 ;;
	esac
	RESPITE_TEST_LOAD=$_load
	RESPITE_TEST_SLOW=$((RESPITE_TEST_SLOW * _load))
fi
export RESPITE_TEST_SLOW

# ---------------------------------------------------------------- TAP

_tap_n=0
_tap_failed=0

# ok DESC: a passing test.
ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

# not_ok DESC [DIAG...]: a failing test, with diagnostic lines.
not_ok() {
	local desc=$1
	shift
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $desc"
	for _l in "$@"; do
		diag "$_l"
	done
}

# todo DESC REASON: a known failure (a daemon bug reported upstream).
todo_not_ok() {
	_tap_n=$((_tap_n + 1))
	echo "not ok $_tap_n - $1 # TODO $2"
}

# skip DESC REASON
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# diag MSG: a TAP comment (shown in the .log file).
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# skip_all REASON: nothing can run here.
skip_all() {
	echo "1..0 # SKIP $*"
	[ -n "$_vg_dir" ] && rm -rf "$_vg_dir"
	exit 0
}

# bail_out REASON: stop everything (the harness marks it an error).
bail_out() {
	echo "Bail out! $*"
	exit 1
}

# done_testing: the trailing plan (after the valgrind check, if any).
done_testing() {
	if [ -n "$_vg_dir" ]; then
		valgrind_check
		# Scripts without setup have no cleanup trap.
		[ "${RESPITE_KEEP_TMP:-0}" = 1 ] || rm -rf "$_vg_dir"
	fi
	echo "1..$_tap_n"
	exit 0
}

# valgrind_check: stop a daemon still running (SIGTERM, so memcheck
# writes its leak report), then one test over every log of this script:
# a finished run must end in "ERROR SUMMARY: 0 errors"; a run killed
# with SIGKILL has no summary, and must hold no error report.
valgrind_check() {
	local f runs=0 killed=0 bad= pat
	if [ -n "$DAEMON_PID" ] && running "$DAEMON_PID"; then
		stop_daemon TERM 60 >/dev/null 2>&1
	fi
	# The first line of each kind of memcheck report.
	pat='== (Invalid (read|write|free)|Mismatched free|Conditional jump|Use of uninitialised|Syscall param|Source and destination overlap|Argument .* of function|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly) lost|Process terminating)'
	for f in "$_vg_dir"/*.log; do
		[ -f "$f" ] || continue
		# valgrind -V and other runs that never started respited.
		grep -q 'Command: .*respited' "$f" || continue
		runs=$((runs + 1))
		if grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
			continue
		elif grep -q 'ERROR SUMMARY:' "$f" || grep -Eq -- "$pat" "$f"; then
			bad="$bad $f"
		else
			killed=$((killed + 1))
		fi
	done
	[ "$runs" -gt 0 ] || return 0
	if [ -z "$bad" ]; then
		ok "valgrind: no memcheck errors and no definite or indirect leaks in $runs runs of respited ($killed killed before their summary)"
		return
	fi
	not_ok "valgrind: memcheck errors or leaks in respited"
	for f in $bad; do
		diag "--- $f"
		sed -n '/^==[0-9]*== Command:/p' "$f" | head -n 1 | sed 's/^/# /'
		grep -Ev '^==[0-9]+== *$' "$f" | sed -n '/Copyright\|Using Valgrind\|Command:\|Parent PID/!p' |
		    head -n 80 | sed 's/^/# /'
	done
	if [ -n "${RESPITE_VALGRIND_KEEP:-}" ]; then
		mkdir -p "$RESPITE_VALGRIND_KEEP" && cp $bad "$RESPITE_VALGRIND_KEEP/"
	fi
}

# check DESC STATUS: ok if STATUS is 0.  For `cmd; check "desc" $?`.
check() {
	if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1"; fi
}

# check_ok DESC CMD...: ok if CMD succeeds.
check_ok() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		ok "$desc"
	else
		not_ok "$desc" "command failed: $*"
	fi
}

# check_fail DESC CMD...: ok if CMD fails.
check_fail() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		not_ok "$desc" "command succeeded: $*"
	else
		ok "$desc"
	fi
}

# is GOT EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "expected: $2" "     got: $1"
	fi
}

# like GOT PATTERN DESC: GOT matches the grep -E pattern.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3" "expected to match: $2" "got: $1"
	fi
}

# num_near GOT EXPECTED TOLERANCE DESC: |GOT - EXPECTED| <= TOLERANCE.
num_near() {
	if awk -v g="$1" -v e="$2" -v t="$3" 'BEGIN {
	    if (g == "" || g !~ /^-?[0-9.eE+-]+$/) exit 1
	    d = g - e; if (d < 0) d = -d; exit !(d <= t) }'; then
		ok "$4"
	else
		not_ok "$4" "expected: $2 (+/- $3)" "     got: $1"
	fi
}

# ---------------------------------------------------------------- tools

have() {
	command -v "$1" >/dev/null 2>&1
}

# require_tools: skip the whole script without curl or jq.
require_tools() {
	have curl || skip_all "curl is not installed"
	have jq || skip_all "jq is not installed"
	case "$RESPITED" in
	*/*) ;;
	*) have "$RESPITED" || skip_all "no respited to test (set RESPITED)" ;;
	esac
	# The first word is the daemon or its wrapper.
	set -- $RESPITED
	have "$1" || [ -x "$1" ] || bail_out "cannot run $1"
}

have_python() {
	have python3
}

have_sqlite3() {
	have sqlite3
}

# now_ms: the wall clock in epoch milliseconds.
now_ms() {
	local t
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# rfc3339 EPOCH_SECONDS: "2026-11-22T10:15:00Z".
rfc3339() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# slow N: N scaled by RESPITE_TEST_SLOW.
slow() {
	echo $(($1 * RESPITE_TEST_SLOW))
}

# ---------------------------------------------------------------- setup

TMPD=
PORT=
CONF=
LOG=
DB=
DAEMON_PID=
DAEMON_RC=
BASE=
_bg_pids=
_started=

# free_port: print a TCP port on 127.0.0.1 that nobody listens on now.
free_port() {
	if have_python; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
		return
	fi
	# No python: probe random ports below the ephemeral range (where
	# client sockets live) until one refuses connections.  start_daemon
	# still retries elsewhere if the port turns out to be taken.
	local p i lo=32768
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for i in $(seq 1 50); do
		p=$((10000 + RANDOM % (lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	bail_out "no free port found"
}

# setup: a temporary directory, a port, default paths; cleanup on exit.
setup() {
	TMPD=$(mktemp -d "${TMPDIR:-/tmp}/respite-it.XXXXXX") ||
	    bail_out "mktemp failed"
	# The daemon names its configuration by its real path.
	TMPD=$(cd "$TMPD" && pwd -P)
	PORT=$(free_port)
	CONF=$TMPD/respite.conf
	LOG=$TMPD/respited.log
	DB=$TMPD/respite.db
	BASE=http://127.0.0.1:$PORT
	: >"$LOG"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# _pstat PID: PSTAT holds the fields of /proc/PID/stat after "PID (comm)":
# [0] the state (R, S, Z...), [1] the parent, [19] the start time (clock
# ticks after boot).  Returns 1 if there is no such process.
PSTAT=()
_pstat() {
	local s
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	# shellcheck disable=SC2206
	PSTAT=(${s##*) })
}

# _pstart PID: the start time of process PID, or nothing if there is no
# such process.
_pstart() {
	_pstat "$1" && echo "${PSTAT[19]}"
}

# _our_child PID: PID is a child of this script's shell, not a PID that
# another process took over after ours ended.
_our_child() {
	_pstat "$1" && { [ "${PSTAT[1]}" = "$$" ] || [ "${PSTAT[1]}" = "$BASHPID" ]; }
}

# bg_register PID: a helper process to kill at cleanup, with its start
# time: on a busy machine (pid_max 32768 here) the PID of a helper that
# ended long ago soon belongs to another process, which cleanup must not
# kill (issue 20: two suites at once killed each other's make and
# compilers so).
bg_register() {
	_bg_pids="$_bg_pids $1:$(_pstart "$1")"
}

cleanup() {
	local p
	for p in $_bg_pids; do
		[ -n "${p#*:}" ] && [ "$(_pstart "${p%%:*}")" = "${p#*:}" ] &&
		    kill -9 "${p%%:*}" 2>/dev/null
	done
	if [ -n "$DAEMON_PID" ] && _our_child "$DAEMON_PID"; then
		kill -9 "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	if [ "$_tap_failed" -gt 0 ] && [ -s "$LOG" ]; then
		diag "last lines of the daemon log ($LOG):"
		tail -n 30 "$LOG" | sed 's/^/#   /'
	fi
	if [ -n "$TMPD" ] && [ "${RESPITE_KEEP_TMP:-0}" != 1 ]; then
		rm -rf "$TMPD"
	fi
	if [ -n "$_vg_dir" ] && [ "${RESPITE_KEEP_TMP:-0}" != 1 ]; then
		rm -rf "$_vg_dir"
	fi
}

# write_config [TEXT]: the base configuration plus TEXT (more sections;
# a section may repeat, e.g. another [server] with max_batch).
write_config() {
	{
		echo "# written by $(basename "$0")"
		echo "[server]"
		echo "listen = 127.0.0.1:$PORT"
		echo "[storage]"
		echo "path = $DB"
		echo "synchronous = normal"
		echo "[log]"
		echo "level = info"
		# Never the machine's tokens file: open mode unless a test
		# writes its own.
		echo "[auth]"
		echo "tokens_file = $TMPD/tokens"
		if [ $# -gt 0 ]; then
			printf '%s\n' "$1"
		fi
	} >"$CONF"
}

# hash TOKEN: its SHA-256 in hex, as a tokens file's "sha256:" entry holds.
hash() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------- daemon

# start_daemon [ARGS...]: start respited -f -c $CONF and wait for
# /healthz.  Returns non-zero if it did not come up.
start_daemon() {
	local try n new
	for try in 1 2 3; do
		DAEMON_RC=
		n=$(log_lines)
		echo "=== start $(date -u +%H:%M:%S.%N)" >>"$LOG"
		$RESPITED -f -c "$CONF" "$@" 2>>"$LOG" &
		DAEMON_PID=$!
		if wait_healthy; then
			_started=1
			return 0
		fi
		# Lost the race for the port free_port found?  Take another
		# (only before the first successful start: later restarts
		# must keep their address).
		if [ -z "$_started" ] && ! running "$DAEMON_PID" &&
		    tail -n "+$((n + 1))" "$LOG" | grep -q "Address already in use"; then
			wait "$DAEMON_PID" 2>/dev/null
			new=$(free_port)
			diag "port $PORT was taken; trying $new"
			sed -i "s/:$PORT\$/:$new/" "$CONF"
			PORT=$new
			BASE=http://127.0.0.1:$PORT
			continue
		fi
		return 1
	done
	return 1
}

# _holds_port PID PORT: process PID holds a listening TCP socket on PORT
# (its inode in /proc/net/tcp{,6} is one of PID's descriptors).  True
# without /proc/net/tcp: then nothing can be told.
_holds_port() {
	local hex ino f inodes
	[ -r /proc/net/tcp ] || return 0
	hex=$(printf ':%04X' "$2")
	inodes=$(awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	for ino in $inodes; do
		for f in "/proc/$1/fd/"*; do
			[ "$(readlink "$f" 2>/dev/null)" = "socket:[$ino]" ] &&
			    return 0
		done
	done
	return 1
}

# wait_healthy [SECONDS]: poll /healthz until 200 (default 10 s) from
# respited itself: a 200 counts only once DAEMON_PID holds the listening
# socket of PORT.  Another process may have taken the port free_port
# found while respited was starting (in cluster mode it connects to NATS
# before it binds): its answer is not respited's (issue 20), and
# respited then exits with "Address already in use", which start_daemon
# answers with another port.
wait_healthy() {
	local limit code i
	limit=$(( $(slow "${1:-10}") * 10 ))
	for i in $(seq 1 "$limit"); do
		if ! running "$DAEMON_PID"; then
			diag "respited exited during start-up"
			return 1
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
		    "$BASE/healthz" 2>/dev/null)
		[ "$code" = 200 ] && _holds_port "$DAEMON_PID" "$PORT" &&
		    return 0
		sleep 0.1
	done
	diag "respited not healthy after ${1:-10} s"
	return 1
}

# wait_exit PID SECONDS: poll until PID is gone.  Returns 1 on timeout.
# PID is one of this script's children: bash reaps a child that ended at
# once, and on a busy machine its PID soon belongs to another suite's
# process, which kill -0 would find alive and a kill would hit (issue
# 20: a NATS server killed twice, the second time after its PID had
# become another suite's respited).
wait_exit() {
	local i limit
	limit=$(( $(slow "$2") * 20 ))
	for i in $(seq 1 "$limit"); do
		running "$1" || return 0
		sleep 0.05
	done
	return 1
}

# running PID: PID is this script's child and has not ended.
running() {
	_our_child "$1" && [ "${PSTAT[0]}" != Z ]
}

# kill_child SIG PID: signal PID if it is still this script's child.
kill_child() {
	_our_child "$2" && kill "-$1" "$2" 2>/dev/null
}

# stop_daemon [SIGNAL] [SECONDS]: signal respited (default TERM) and wait
# for it to exit (default bound 10 s).  Sets DAEMON_RC (its exit status,
# or "timeout") and STOP_MS (milliseconds from the signal to the exit).
stop_daemon() {
	local sig=${1:-TERM} bound=${2:-10} t0
	DAEMON_RC=
	STOP_MS=
	[ -n "$DAEMON_PID" ] || return 1
	t0=$(now_ms)
	kill_child "$sig" "$DAEMON_PID"
	if wait_exit "$DAEMON_PID" "$bound"; then
		STOP_MS=$(( $(now_ms) - t0 ))
		wait "$DAEMON_PID"
		DAEMON_RC=$?
		# Not the 0 it should be after TERM or INT: say why now, while
		# its last lines are the log's (a sanitizer's report, a fatal).
		if [ "$DAEMON_RC" != 0 ] && [ "$sig" != KILL ]; then
			diag "respited exited with $DAEMON_RC after SIG$sig; its log's last lines:"
			tail -n 40 "$LOG" | sed 's/^/#   /'
		fi
	else
		STOP_MS=$(( $(now_ms) - t0 ))
		DAEMON_RC=timeout
		kill_child 9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
	fi
	DAEMON_PID=
	[ "$DAEMON_RC" = 0 ]
}

# kill9_daemon: SIGKILL, no questions asked.
kill9_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill_child 9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

# wait_log PATTERN [SECONDS] [FROM_LINE]: poll the daemon log for a grep -E
# pattern (in lines after FROM_LINE).  Returns 1 on timeout.
wait_log() {
	local i limit from=${3:-0}
	limit=$(( $(slow "${2:-5}") * 10 ))
	for i in $(seq 1 "$limit"); do
		tail -n "+$((from + 1))" "$LOG" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# log_lines: the number of lines in the daemon log now.
log_lines() {
	wc -l <"$LOG" | tr -d ' '
}

# ---------------------------------------------------------------- HTTP

STATUS=
BODY=
HEADERS=
CURL_RC=

# req METHOD PATH [BODY] [CURL ARGS...]: one request.  BODY is sent as is
# ("" for none; "@FILE" reads a file).  Content-Type is application/json
# unless the extra arguments set one.  Sets STATUS (000 when no reply),
# BODY, HEADERS and CURL_RC.
req() {
	local method=$1 path=$2 data=${3:-} ct=1 a out hdr
	shift 2
	[ $# -gt 0 ] && shift
	for a in "$@"; do
		case "$a" in
		[Cc]ontent-[Tt]ype:*) ct=0 ;;
		esac
	done
	out=$TMPD/req.body
	hdr=$TMPD/req.headers
	: >"$out"
	: >"$hdr"
	set -- -sS --max-time "$(slow 10)" -o "$out" -D "$hdr" \
	    -w '%{http_code}' -X "$method" "$@"
	if [ -n "$data" ]; then
		set -- "$@" --data-binary "$data"
		[ $ct = 1 ] && set -- "$@" -H 'Content-Type: application/json'
	fi
	STATUS=$(curl "$@" "$BASE$path" 2>"$TMPD/req.err")
	CURL_RC=$?
	BODY=$(cat "$out")
	HEADERS=$(tr -d '\r' <"$hdr")
}

# post_events BODY [CURL ARGS...]
post_events() {
	req POST /v1/events "$@"
}

# jqb FILTER: apply jq -c FILTER to $BODY (prints "" if not JSON).
jqb() {
	printf '%s' "$BODY" | jq -c "$1" 2>/dev/null
}

# jqr FILTER: the same with raw strings.
jqr() {
	printf '%s' "$BODY" | jq -r "$1" 2>/dev/null
}

# status_is CODE DESC
status_is() {
	if [ "$STATUS" = "$1" ]; then
		ok "$2"
	else
		not_ok "$2" "expected HTTP $1, got $STATUS" "body: $BODY" \
		    "$(cat "$TMPD/req.err" 2>/dev/null)"
	fi
}

# body_is JSON DESC: the body equals JSON (as JSON values: key order and
# spacing do not matter).
body_is() {
	if jq -n -e --argjson a "$1" --argjson b "$BODY" '$a == $b' \
	    >/dev/null 2>&1; then
		ok "$2"
	else
		not_ok "$2" "expected: $1" "     got: $BODY (HTTP $STATUS)"
	fi
}

# reply_is CODE JSON DESC: status and exact body.
reply_is() {
	if [ "$STATUS" != "$1" ]; then
		not_ok "$3" "expected HTTP $1 $2" "     got HTTP $STATUS $BODY"
		return
	fi
	body_is "$2" "$3"
}

# jq_is FILTER EXPECTED DESC: jq -c FILTER on the body prints EXPECTED.
jq_is() {
	local got
	got=$(jqb "$1")
	if [ "$got" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "$1: expected $2" "$1:      got $got" \
		    "body: $BODY (HTTP $STATUS)"
	fi
}

# jq_check FILTER DESC: jq -e FILTER on the body is true.
jq_check() {
	if printf '%s' "$BODY" | jq -e "$1" >/dev/null 2>&1; then
		ok "$2"
	else
		not_ok "$2" "not true: $1" "body: $BODY (HTTP $STATUS)"
	fi
}

# error_is STATUS CODE INDEX FIELD DESC: a JSON error reply of API.md.
# INDEX and FIELD are "-" when they must be absent.
error_is() {
	local want got idx fld
	[ "$3" = - ] && idx=null || idx=$3
	[ "$4" = - ] && fld=null || fld="\"$4\""
	want="$1 [\"$2\",$idx,$fld,\"string\",[\"error\"]]"
	got="$STATUS $(jqb '[.error.code, .error.index, .error.field,
	    (.error.message | type), keys]')"
	if [ "$got" = "$want" ]; then
		ok "$5"
	else
		not_ok "$5" "expected: $want" "     got: $got" "body: $BODY"
	fi
}

# header_is NAME VALUE DESC: a reply header (case-insensitive name).
header_get() {
	printf '%s\n' "$HEADERS" | awk -v n="$1" 'BEGIN { n = tolower(n) }
	    { i = index($0, ":"); if (i > 0 && tolower(substr($0, 1, i - 1)) == n) {
	    v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v; exit } }'
}

header_is() {
	is "$(header_get "$1")" "$2" "$3"
}

# agent_exists ID: GET /v1/agents lists ID (does not touch STATUS/BODY).
agent_listed() {
	curl -sS --max-time "$(slow 10)" "$BASE/v1/agents" 2>/dev/null |
	    jq -e --arg a "$1" 'any(.agents[]; .agent == $a)' >/dev/null
}

# db_query SQL: sqlite3 on the database (waits up to 5 s on locks).
db_query() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>&1
}

# canary_nowhere CANARY: three tests that message text marked CANARY is
# in no log line, in no database file (grep -a and strings: the text may
# sit in free pages or the WAL) and not in sqlite3's .dump (skipped
# without sqlite3).  Run after stop_daemon, so every page is written.
canary_nowhere() {
	local f found=
	if grep -q "$1" "$LOG"; then
		not_ok "the canary is not in the log" "$(grep "$1" "$LOG" | head -3)"
	else
		ok "the canary is not in the log"
	fi
	for f in "$DB" "$DB-wal" "$DB-shm" "$DB-journal"; do
		[ -f "$f" ] || continue
		if grep -aq "$1" "$f" || strings -a "$f" | grep -q "$1"; then
			found="$found $f"
		fi
	done
	is "$found" "" "the canary is in no database file (grep -a and strings)"
	if ! have_sqlite3; then
		skip "the canary is not in sqlite3 .dump" "sqlite3 is not installed"
	elif db_query .dump | grep -q "$1"; then
		not_ok "the canary is not in sqlite3 .dump"
	else
		ok "the canary is not in sqlite3 .dump"
	fi
}

# browser_setup WHAT: Debian's chromium and playwright-core (installed
# once into a cache with npm) for a script's browser half, or one skip
# of WHAT saying what is missing, and the end of the script.  Exports
# what the .mjs side reads (browser-lib.mjs): BASE CHROMIUM TMPD SHOT_DIR
# SYNC WEB_CACHE SLOW.
browser_setup() {
	local what=$1 cache lock
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
	if [ ! -x "$CHROMIUM" ]; then
		_browser_skip "$what" "no $CHROMIUM (Debian package chromium)"
	elif ! have node; then
		_browser_skip "$what" "no node (Node.js) to drive the browser"
	elif ! have npm; then
		_browser_skip "$what" "no npm to install playwright-core"
	fi
	cache=${RESPITE_WEB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/respite-web-test}
	if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
		cache=${TMPDIR:-/tmp}/respite-web-test-$(id -u)
		mkdir -p "$cache" ||
		    _browser_skip "$what" "no cache directory for playwright-core"
	fi
	if [ ! -f "$cache/node_modules/playwright-core/package.json" ]; then
		diag "installing playwright-core into $cache (once)"
		[ -f "$cache/package.json" ] ||
		    echo '{"private": true}' >"$cache/package.json"
		lock=
		have flock && lock="flock $cache/.lock"
		if ! (cd "$cache" && $lock timeout 300 npm install --no-audit \
		    --no-fund --loglevel=error --fetch-retries=1 \
		    --fetch-timeout=60000 playwright-core@1) \
		    >"$TMPD/npm.log" 2>&1; then
			diag "$(tail -n 5 "$TMPD/npm.log")"
			_browser_skip "$what" \
			    "cannot install playwright-core from the npm registry"
		fi
	fi
	SYNC=$TMPD/sync
	mkdir -p "$SYNC"
	SHOT_DIR=${RESPITE_WEB_SHOTS:-$(pwd)}
	export BASE CHROMIUM TMPD SHOT_DIR SYNC
	export WEB_CACHE=$cache SLOW=$RESPITE_TEST_SLOW
}

_browser_skip() {
	diag "the browser part is skipped: $2"
	skip "$1" "$2"
	done_testing
}
