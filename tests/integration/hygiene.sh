#!/usr/bin/env bash
# respite - memory and file hygiene (issue 13 items 8 and 12): message
# text is wiped from respited's memory once a request is handled (a scan
# of its writable mappings for a canary text finds nothing, while it
# finds the canary of a request still being received), respited is not
# dumpable (no core file on SIGSEGV) unless RESPITED_DUMPABLE=1, whose
# core then holds no canary either; and the database, its WAL and its
# shared-memory file are 0600, older looser ones tightened at start.

. "$(dirname "$0")/lib.sh"
require_tools
setup

have_python || skip_all "python3 is needed for the memory scan"
HERE=$(cd "$(dirname "$0")" && pwd)
MEMSCAN="python3 $HERE/memscan.py"

config() {
	if [ -n "${PLUGIN_DIR:-}" ] && [ -f "$PLUGIN_DIR/lexicon.so" ]; then
		write_config "[plugins]
dir = $PLUGIN_DIR
load = lexicon
[plugin.lexicon]
data = ${LEXICON_DATA:-$TOP_SRCDIR/plugins/lexicon}"
	else
		write_config
	fi
}
config

# Cores land in the daemon's working directory when core_pattern is a
# plain name; a pipe (systemd-coredump, apport) cannot be checked here.
cd "$TMPD" || bail_out "cd $TMPD"
core_ok=0
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
if [ -n "$pattern" ] && [ "${pattern#|}" = "$pattern" ] &&
    [ "${pattern#/}" = "$pattern" ] && ulimit -c unlimited 2>/dev/null; then
	core_ok=1
fi
cores() {
	find "$TMPD" -maxdepth 1 -name 'core*' -type f 2>/dev/null
}

T=$(date +%s)
ts() { rfc3339 $((T - $1)); }
CANARY=zq$(LC_ALL=C tr -dc 'a-z' </dev/urandom | head -c 14)

# scan_until N DESC: scan until the canary is found N times (N=0: gone;
# N=some: at least once); retries while the daemon lets go of a
# connection.  Sets SCAN (the scanner's output).
scan_until() {
	local i rc
	for i in $(seq 1 "$(slow 30)"); do
		SCAN=$($MEMSCAN "$DAEMON_PID" "$CANARY" 2>&1)
		rc=$?
		if [ $rc = 77 ]; then
			skip "$2" "$(echo "$SCAN" | head -n 1)"
			return 0
		fi
		case "$1:$(echo "$SCAN" | head -n 1)" in
		0:0|some:[1-9]*)
			ok "$2"
			return 0 ;;
		esac
		sleep 0.1
	done
	not_ok "$2" "canary $CANARY counted: $SCAN"
}

# ---- RESPITED_DUMPABLE=1: memory can be read (and a core written)

RESPITED_DUMPABLE=1 start_daemon ||
    bail_out "respited did not start: $(tail -n 5 "$LOG")"
wait_log "RESPITED_DUMPABLE=1: core dumps are allowed" 2
check "RESPITED_DUMPABLE=1 is logged" $?

# The scanner sees text a request still holds: the body is half sent.
exec 5<>"/dev/tcp/127.0.0.1/$PORT" || bail_out "cannot connect"
printf 'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"type":"message.received","agent":"memo","channel":"chat","text":"%s you idiot' \
    "$CANARY" >&5
scan_until some "the scan finds the canary of a request being received"
exec 5>&-
scan_until 0 "and not once that connection is closed"

post_events "[{\"type\":\"agent.login\",\"agent\":\"memo\",\"team\":\"hy\",\"ts\":\"$(ts 600)\"},
 {\"type\":\"message.received\",\"agent\":\"memo\",\"channel\":\"chat\",
 \"ts\":\"$(ts 60)\",\"text\":\"$CANARY you stupid idiot, $CANARY\"}]"
status_is 202 "a message with the canary: 202"
scan_until 0 "the canary is wiped once the request is handled"

# Keep-alive: two requests on one connection (the body buffer stays).
printf '{"type":"message.received","agent":"memo","channel":"chat","ts":"%s","text":"%s again"}' \
    "$(ts 50)" "$CANARY" >"$TMPD/ev.json"
printf '{"type":"message.received","agent":"memo","channel":"email","ts":"%s","text":"and %s"}' \
    "$(ts 40)" "$CANARY" >"$TMPD/ev2.json"
code=$(curl -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' \
    --data-binary "@$TMPD/ev.json" "$BASE/v1/events" --next \
    -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' \
    --data-binary "@$TMPD/ev2.json" "$BASE/v1/events")
is "$code" "202 202 " "two canary messages on one connection: 202 202"
scan_until 0 "both are wiped"

# A refused batch is wiped too.
post_events "[{\"type\":\"message.received\",\"agent\":\"memo\",\"channel\":\"chat\",
 \"ts\":\"$(ts 30)\",\"text\":\"$CANARY\"},{\"type\":\"nope\"}]"
status_is 400 "a refused batch with the canary: 400"
scan_until 0 "a refused batch's text is wiped"

if [ $core_ok = 1 ]; then
	kill -SEGV "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	core=$(cores | head -n 1)
	if [ -n "$core" ]; then
		ok "RESPITED_DUMPABLE=1: SIGSEGV leaves a core"
		n=$(grep -c -a -- "$CANARY" "$core")
		is "$n" 0 "the core holds no canary"
		rm -f "$core"
	else
		# ASan (disable_coredump) and hard limits leave none.
		skip "RESPITED_DUMPABLE=1: SIGSEGV leaves a core" "no core written here"
		skip "the core holds no canary" "no core written here"
	fi
else
	skip "RESPITED_DUMPABLE=1: SIGSEGV leaves a core" "core_pattern is '$pattern' or ulimit -c refused"
	skip "the core holds no canary" "core_pattern is '$pattern' or ulimit -c refused"
	kill9_daemon
fi

# ---- by default: not dumpable

rm -f "$DB" "$DB-wal" "$DB-shm"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
# A process of the same user without CAP_SYS_PTRACE may read the
# environment of a dumpable process, not of a non-dumpable one.  As
# root, run respited and the reader as nobody.
as_user=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
	stop_daemon
	rm -f "$DB" "$DB-wal" "$DB-shm"
	chmod 0711 "$TMPD"
	mkdir -m 0700 "$TMPD/nobody" && chown 65534 "$TMPD/nobody"
	sed "s|^path = .*|path = $TMPD/nobody/respite.db|" "$CONF" >"$TMPD/nobody.conf"
	chmod 0644 "$TMPD/nobody.conf"
	$as_user $RESPITED -f -c "$TMPD/nobody.conf" 2>>"$LOG" &
	DAEMON_PID=$!
	wait_healthy || bail_out "respited did not start as nobody: $(tail -n 3 "$LOG")"
fi
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null 2>&1; then
	$as_user sleep 30 >/dev/null 2>&1 &
	ctl=$!
	# setpriv may not have dropped to nobody yet: wait until it is sleep.
	for _i in $(seq 1 50); do
		[ "$(readlink "/proc/$ctl/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
		sleep 0.1
	done
	$as_user cat "/proc/$ctl/environ" >/dev/null 2>&1
	check "control: a dumpable process's environ can be read by its user" $?
	kill_child TERM "$ctl"; wait "$ctl" 2>/dev/null
	check_fail "respited is not dumpable (its user cannot read /proc/PID/environ)" \
	    $as_user cat "/proc/$DAEMON_PID/environ"
else
	skip "respited is not dumpable" "run as root without setpriv"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	stop_daemon
	chmod 0700 "$TMPD"
	start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
fi

unit=${TOP_SRCDIR:-$HERE/../..}/systemd/respited.service.in
if [ -f "$unit" ]; then
	grep -qx 'LimitCORE=0' "$unit"
	check "the unit sets LimitCORE=0" $?
else
	skip "the unit sets LimitCORE=0" "no $unit"
fi

# ---- the database, the WAL and the shared-memory index are 0600

post_events "{\"type\":\"agent.login\",\"agent\":\"perm\",\"team\":\"hy\",\"ts\":\"$(ts 300)\"}"
status_is 202 "an event: 202"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	is "$(stat -c %a "$f" 2>&1)" 600 "$(basename "$f") is created 0600"
done

if [ $core_ok = 1 ]; then
	kill -SEGV "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	is "$(cores | wc -l)" 0 "by default SIGSEGV leaves no core"
else
	skip "by default SIGSEGV leaves no core" "core_pattern is '$pattern' or ulimit -c refused"
	kill9_daemon
fi

# Files an older respited left 0644 (or 0664): tightened, said once.
chmod 0644 "$DB"
[ -f "$DB-wal" ] && chmod 0664 "$DB-wal"
[ -f "$DB-shm" ] && chmod 0644 "$DB-shm"
n=$(log_lines)
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
wait_log "storage: readable by others, now owner only: .*respite.db \\(was 0644\\)" 2 "$n"
check "the tightening is logged" $?
is "$(tail -n "+$((n + 1))" "$LOG" | grep -c "readable by others")" 1 "in one line"
req GET /v1/agents/perm
status_is 200 "the data is still there"
for f in "$DB" "$DB-wal" "$DB-shm"; do
	is "$(stat -c %a "$f" 2>&1)" 600 "$(basename "$f") is 0600 again"
done
n=$(log_lines)
stop_daemon
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
req GET /healthz
is "$(tail -n "+$((n + 1))" "$LOG" | grep -c "readable by others")" 0 "nothing to tighten the next time"
stop_daemon
check "SIGTERM: exit 0" $?

done_testing
