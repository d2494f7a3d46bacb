#!/usr/bin/env bash
# respite - systemd: the units (systemd-analyze verify, and a security
# exposure of 2.0 or lower), socket activation through
# systemd-socket-activate (no PID 1 needed), and what respited tells the
# service manager through NOTIFY_SOCKET: READY=1, STATUS=, WATCHDOG=1
# from its loop, RELOADING=1 on SIGHUP and STOPPING=1 on SIGTERM.  A
# small python3 receiver stands in for systemd.  Each part is skipped,
# with the reason, when its tool is missing.

. "$(dirname "$0")/lib.sh"
require_tools
setup

UNITDIR=${RESPITED_UNITDIR:-}
# The daemon itself: the last word of $RESPITED (which may be a wrapper).
set -- $RESPITED
eval "BIN=\${$#}"
export SYSTEMD_COLORS=0 SYSTEMD_PAGER= SYSTEMD_LOG_LEVEL=err

# ---------------------------------------------------------------- units

if [ -z "$UNITDIR" ] || [ ! -f "$UNITDIR/respited.service" ]; then
	skip "units made from their templates" "no generated units (set RESPITED_UNITDIR; make check does)"
else
	grep -n '@[a-z_]*@' "$UNITDIR/respited.service" "$UNITDIR/respited.socket" >"$TMPD/at" 2>&1
	is "$(cat "$TMPD/at")" "" "units made from their templates: no @VARIABLE@ left"
	grep -Eq '^ExecStart=/[^ ]*/respited -f$' "$UNITDIR/respited.service"
	check "respited.service runs the installed respited -f" $?
	mkdir -p "$TMPD/units"
	# The same units, but running the respited under test, which exists
	# (verify checks that ExecStart= is executable).
	sed "s|^ExecStart=[^ ]*/respited |ExecStart=$BIN |" \
	    "$UNITDIR/respited.service" >"$TMPD/units/respited.service"
	cp "$UNITDIR/respited.socket" "$TMPD/units/respited.socket"
fi

if [ ! -f "$TMPD/units/respited.service" ]; then
	skip "systemd-analyze verify" "no units"
	skip "systemd-analyze security" "no units"
elif ! have systemd-analyze; then
	skip "systemd-analyze verify" "systemd-analyze is not installed (Debian: systemd)"
	skip "systemd-analyze security" "systemd-analyze is not installed (Debian: systemd)"
else
	# --man=no: the man pages named in Documentation= are not installed
	# yet when make check runs.
	out=$(cd "$TMPD/units" && systemd-analyze verify --man=no \
	    ./respited.service ./respited.socket 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && printf '%s\n' "$out" |
	    grep -Eqi 'failed to (initialize|set ?up|create) manager|unrecognized option'; then
		skip "systemd-analyze verify" "cannot run here: $(printf '%s' "$out" | head -n 1)"
	elif [ $rc -eq 0 ] && [ -z "$out" ]; then
		ok "systemd-analyze verify: respited.service and respited.socket are clean"
	else
		not_ok "systemd-analyze verify: respited.service and respited.socket are clean" \
		    "exit status $rc" "$out"
	fi

	out=$(systemd-analyze security --offline=true \
	    "$TMPD/units/respited.service" 2>&1)
	rc=$?
	level=$(printf '%s\n' "$out" | sed -n \
	    's/.*Overall exposure level for respited\.service: \([0-9.]*\).*/\1/p')
	if [ -z "$level" ] && printf '%s\n' "$out" | grep -q -- "--offline"; then
		skip "systemd-analyze security" "this systemd-analyze has no --offline (systemd < 250)"
	elif [ -z "$level" ]; then
		not_ok "systemd-analyze security --offline=true respited.service" \
		    "exit status $rc, no overall exposure level in:" "$out"
	elif awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
		ok "systemd-analyze security --offline=true: exposure $level (2.0 or lower)"
	else
		not_ok "systemd-analyze security: exposure 2.0 or lower" \
		    "got $level:" "$(printf '%s\n' "$out" | grep '✗')"
	fi
fi

# ---------------------------------------------------------------- daemon

if [ "${RESPITE_LIBSYSTEMD:-}" != 1 ]; then
	skip "socket activation and sd_notify" "respited was built without libsystemd"
	done_testing
fi

# ---- socket activation

CONF_PORT=$(free_port)
write_config
sed -i "s/^listen = .*/listen = 127.0.0.1:$CONF_PORT/" "$CONF"

# start_activated ADDRESS: respited under systemd-socket-activate, which
# binds ADDRESS and execs the daemon in the same process on the first
# connection.  Sets DAEMON_PID.
start_activated() {
	echo "=== activated on $1 $(date -u +%H:%M:%S.%N)" >>"$LOG"
	systemd-socket-activate -l "$1" $RESPITED -f -c "$CONF" 2>>"$LOG" &
	DAEMON_PID=$!
}

if ! have systemd-socket-activate; then
	skip "socket activation" "systemd-socket-activate is not installed (Debian: systemd)"
else
	n=$(log_lines)
	start_activated "127.0.0.1:$PORT"
	if wait_healthy; then
		ok "socket-activated respited answers /healthz on the passed socket"
		_started=1
	else
		not_ok "socket-activated respited answers /healthz on the passed socket"
	fi
	tail -n "+$((n + 1))" "$LOG" | grep -Eq "socket activation: 1 socket from the service manager; the listen addresses of the configuration are ignored"
	check "it logs that it adopted the socket and ignores 'listen'" $?
	tail -n "+$((n + 1))" "$LOG" | grep -q "listening on http://127.0.0.1:$PORT\$"
	check "it names the adopted socket's address" $?
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
	    "http://127.0.0.1:$CONF_PORT/healthz" 2>/dev/null)
	is "$code" 000 "the configured listen port stays unbound"
	post_events '{"id":"sd-1","type":"agent.login","agent":"sd1","team":"sd"}'
	status_is 202 "events through the passed socket"
	stop_daemon TERM
	is "$DAEMON_RC" 0 "SIGTERM: exit status 0"

	# Open mode must look at the socket, not at `listen`: the config
	# says loopback, the passed socket is not, there are no tokens.
	WILD_PORT=$(free_port)
	n=$(log_lines)
	start_activated "0.0.0.0:$WILD_PORT"
	pid=$DAEMON_PID
	# Poke it, so that systemd-socket-activate starts the daemon.
	for i in $(seq 1 "$(slow 50)"); do
		curl -s -o /dev/null --max-time 1 \
		    "http://127.0.0.1:$WILD_PORT/healthz" 2>/dev/null
		running "$pid" || break
		sleep 0.1
	done
	if running "$pid"; then
		not_ok "a passed socket on 0.0.0.0 without tokens: refuses to start" \
		    "still running"
		kill_child 9 "$pid"
		wait "$pid" 2>/dev/null
	else
		wait "$pid"
		rc=$?
		if [ $rc -ne 0 ] && tail -n "+$((n + 1))" "$LOG" |
		    grep -q "refusing to run open to the network"; then
			ok "a passed socket on 0.0.0.0 without tokens: refuses to start (exit $rc)"
		else
			not_ok "a passed socket on 0.0.0.0 without tokens: refuses to start" \
			    "exit status $rc" "$(tail -n 5 "$LOG")"
		fi
	fi
	DAEMON_PID=
	sed -i "s/^listen = .*/listen = 127.0.0.1:$PORT/" "$CONF"
fi

# ---- sd_notify

if ! have_python; then
	skip "sd_notify" "python3 is not installed (the NOTIFY_SOCKET receiver)"
	done_testing
fi

SOCK=$TMPD/notify.sock
NOTES=$TMPD/notify.log
# One line per assignment, as the daemon sent them; "--" between
# datagrams.
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b"\n") + b"\n--\n")' "$SOCK" "$NOTES" &
bg_register $!
for i in $(seq 1 50); do
	[ -S "$SOCK" ] && break
	sleep 0.1
done
[ -S "$SOCK" ] || bail_out "the notify receiver did not start"
: >"$NOTES"

# wait_note PATTERN [COUNT] [SECONDS]: until COUNT lines match.
wait_note() {
	local i limit want=${2:-1}
	limit=$(( $(slow "${3:-5}") * 10 ))
	for i in $(seq 1 "$limit"); do
		[ "$(grep -Ec -- "$1" "$NOTES")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# notes_after PATTERN: the lines after the first that matches PATTERN.
notes_after() {
	awk -v p="$1" 'f { print } $0 ~ p { f = 1 }' "$NOTES"
}

export NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=1000000
unset WATCHDOG_PID
start_daemon || bail_out "respited did not start with NOTIFY_SOCKET: $(tail -n 5 "$LOG")"
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_note '^READY=1$'
check "READY=1 once it listens" $?
grep -Eq "^STATUS=listening on 127\.0\.0\.1:$PORT; [0-9]+ agents?\$" "$NOTES"
check "STATUS= names the address and the number of agents" $?
wait_note '^WATCHDOG=1$' 3 5
check "WATCHDOG=1 again and again (WATCHDOG_USEC=1 s: every 0.5 s)" $?
grep -q "watchdog: keep-alive every 500 ms" "$LOG"
check "the log says how often it feeds the watchdog" $?

: >"$NOTES"
kill -HUP "$DAEMON_PID"
wait_note '^READY=1$'
notes_after '^RELOADING=1$' | grep -q '^READY=1$'
check "SIGHUP: RELOADING=1, then READY=1 when the reload is done" $?
req GET /healthz
status_is 200 "still answering after the reload"

: >"$NOTES"
pid=$DAEMON_PID
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit status 0"
grep -q '^STOPPING=1$' "$NOTES"
check "SIGTERM: STOPPING=1" $?

# The watchdog is someone else's (WATCHDOG_PID is not us): no pings.
# service_new() sends the first WATCHDOG=1 before READY=1, so seeing
# READY=1 without one before it is enough.
: >"$NOTES"
export NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=1000000 WATCHDOG_PID=1
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
wait_note '^READY=1$'
if [ "$(sed -n '1,/^READY=1$/p' "$NOTES" | grep -c '^WATCHDOG=1$')" = 0 ]; then
	ok "WATCHDOG_PID of another process: no WATCHDOG=1"
else
	not_ok "WATCHDOG_PID of another process: no WATCHDOG=1" "$(cat "$NOTES")"
fi
stop_daemon TERM
is "$DAEMON_RC" 0 "... and it stops cleanly"

done_testing
