#!/usr/bin/env bash
# respite - the test harness itself (issue 20).  start_daemon takes a
# /healthz 200 for respited's only when respited holds the listening
# socket of its port.  Another server that took the port free_port found
# (two suites at once; in cluster mode respited connects to NATS before
# it binds) answers /healthz too; respited then exits with "Address
# already in use" and start_daemon moves it to another port.  And the
# harness signals and waits for its own children only: bash reaps a child
# that ended at once, and on a busy machine its PID soon belongs to
# another suite's process (a NATS server killed twice, the second kill
# hitting another suite's respited).

. "$(dirname "$0")/lib.sh"
require_tools
setup

have_python || skip_all "python3 is needed for the other server"

# Another HTTP server on respited's port that answers /healthz with 200.
mkdir "$TMPD/www" && echo ok >"$TMPD/www/healthz"
(cd "$TMPD/www" && exec python3 -m http.server --bind 127.0.0.1 "$PORT" \
    >/dev/null 2>&1) &
bg_register $!
for i in $(seq 1 $(( $(slow 5) * 10 ))); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
	    "$BASE/healthz" 2>/dev/null)" = 200 ] && break
	sleep 0.1
done
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/healthz")" \
    200 "another server answers /healthz on respited's port"
taken=$PORT

write_config
start_daemon
check "start_daemon starts respited" $?
[ "$PORT" != "$taken" ]
check "... on another port than the one taken (port $taken, now $PORT)" $?
like "$(cat "$LOG")" "listen 127\.0\.0\.1:$taken: Address already in use" \
    "respited said why it could not use the first"
_holds_port "$DAEMON_PID" "$PORT"
check "respited holds the listening socket of its port" $?
_holds_port "$DAEMON_PID" "$taken"
check "... and not the other server's" $((1 - $?))
req GET /v1/agents
status_is 200 "GET /v1/agents is answered by respited"
stop_daemon TERM
is "$DAEMON_RC" 0 "respited stops cleanly"

# A PID that is not this script's child stands for one that ended and
# now belongs to another suite's process: the harness neither waits for
# it nor signals it.
(sleep 300 >/dev/null 2>&1 & echo $! >"$TMPD/other.pid")
other=$(cat "$TMPD/other.pid")
kill -0 "$other" 2>/dev/null
check "another process (pid $other, not a child of this script) runs" $?
running "$other"
check "running: it is not this script's" $((1 - $?))
kill_child TERM "$other"
sleep 0.2
kill -0 "$other" 2>/dev/null
check "kill_child leaves it alone" $?
t0=$(now_ms)
wait_exit "$other" 5
check "wait_exit does not wait for it" $?
[ $(( $(now_ms) - t0 )) -lt 2000 ]
check "... at once ($(( $(now_ms) - t0 )) ms)" $?
kill "$other" 2>/dev/null
sleep 1 &
child=$!
running "$child"
check "running: a child of this script, before it ends" $?
wait_exit "$child" 5
check "wait_exit: until it ends" $?
running "$child"
check "running: not after it ended" $((1 - $?))

done_testing
