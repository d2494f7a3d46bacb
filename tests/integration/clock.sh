#!/usr/bin/env bash
# respite - event times far from now (API.md: `ts` more than
# max_clock_skew in the future is rejected; any past time is taken).
#
#   - far future, in every form (RFC 3339 year 9999, epoch ms of year
#     9999, the largest int64, a day ahead): 400 invalid_event, field ts,
#     and nothing of the batch is stored;
#   - far past (epoch 0, 1970 as RFC 3339, a year ago): 202, stored
#     with that time, and the agent's state is sane;
#   - late events (older than the agent's newest) do not move updated_at
#     back, and a late logout does not end today's shift;
#   - an agent last seen a year ago, logged in all that time, whose next
#     event comes now: the advisor's catch-up is bounded (24 h), so the
#     reply comes at once and the daemon stays responsive.
# Clock jumps of the daemon's own wall clock are not staged here.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[server]
max_clock_skew = 60"
start_daemon || bail_out "respited did not start"
T=$(date +%s)

# events_with_agent AGENT: stored events of AGENT (sqlite3), or "?".
stored() {
	if have_sqlite3; then
		db_query "SELECT count(*) FROM events WHERE agent = '$1'"
	else
		echo "?"
	fi
}

# ---- far future: rejected, the whole batch with it

future() {
	post_events "[{\"type\":\"agent.login\",\"agent\":\"$1\"},{\"type\":\"agent.login\",\"agent\":\"$1\",\"ts\":$2}]"
	error_is 400 invalid_event 1 ts "far future: $3: 400 invalid_event, index 1, field ts"
	like "$(jqr .error.message)" "in the future" "far future: $3: the message says why"
	[ "$(stored "$1")" = "?" ] || is "$(stored "$1")" 0 "far future: $3: nothing of the batch is stored"
}
future ff1 '"9999-12-31T23:59:59Z"' "RFC 3339 year 9999"
future ff2 253402300799999 "epoch ms of year 9999"
future ff3 9223372036854775807 "the largest int64 epoch ms"
future ff4 "$(( (T + 86400) * 1000 ))" "a day ahead"
future ff5 "\"$(rfc3339 $((T + 3600)))\"" "an hour ahead (RFC 3339)"
post_events '{"type":"agent.login","agent":"ff6","ts":"10000-01-01T00:00:00Z"}'
error_is 400 invalid_event 0 ts "far future: a five-digit year is not RFC 3339: 400, field ts"
req GET /v1/agents/ff1
status_is 404 "far future: the rejected agent does not exist"

# ---- far past: taken, with its own time

post_events '{"type":"agent.login","agent":"fp1","ts":0}'
reply_is 202 '{"accepted":1,"duplicates":0}' "far past: epoch 0 is accepted"
req GET /v1/agents/fp1
is "$STATUS $(jqr .updated_at)" "200 1970-01-01T00:00:00Z" \
    "far past: the agent's updated_at is 1970-01-01T00:00:00Z"
post_events '{"type":"agent.login","agent":"fp2","ts":"1970-01-01T00:00:00.001Z"}'
reply_is 202 '{"accepted":1,"duplicates":0}' "far past: 1970 as RFC 3339 is accepted"
if have_sqlite3; then
	is "$(db_query "SELECT ts FROM events WHERE agent = 'fp2'")" 1 \
	    "far past: stored with its own time (1 ms)"
else
	skip "far past: stored with its own time" "no sqlite3"
fi
Y=$(( (T - 365 * 86400) * 1000 ))
post_events "{\"type\":\"agent.login\",\"agent\":\"fp3\",\"ts\":$Y}"
reply_is 202 '{"accepted":1,"duplicates":0}' "far past: a year ago is accepted"
req GET /v1/agents/fp3
is "$(jqr .updated_at)" "$(rfc3339 $((Y / 1000)))" "far past: ... with its own time"

# ---- late events do not turn the clock back

post_events '{"type":"agent.login","agent":"late1"}'
req GET /v1/agents/late1
now1=$(jqr .updated_at)
post_events '{"type":"agent.logout","agent":"late1","ts":0}'
reply_is 202 '{"accepted":1,"duplicates":0}' "late: a logout from 1970 is accepted"
req GET /v1/agents/late1
is "$(jqr .updated_at)" "$now1" "late: updated_at stays at the newest event"
is "$(jqr .status)" working "late: a late logout does not end today's shift"

# A late work event from long ago (an implicit login at its time).
post_events '{"type":"agent.login","agent":"late2"}'
post_events '{"type":"ticket.handled","agent":"late2","channel":"chat","duration_s":60,"ts":1000}'
reply_is 202 '{"accepted":1,"duplicates":0}' "late: a ticket.handled from 1970 is accepted"
req GET /v1/agents/late2
got=$(jqr '.metrics.worked_today_min')
if [ "$got" = 0 ] || [ "$got" = null ]; then
	ok "late: a work event from 1970 does not count as work done today"
else
	todo_not_ok "late: a work event from 1970 does not count as work done today (worked_today_min $got)" \
	    "model: a late work event logs an offline agent in at its own time, so it counts as working from 1970 on"
fi

# ---- a year-old shift, then an event now: the catch-up is bounded

body=$(for i in $(seq 1 50); do
	printf '{"type":"agent.login","agent":"old%d","team":"old","ts":%d}\n' "$i" "$Y"
done)
post_events "$body" -H 'Content-Type: application/x-ndjson'
status_is 202 "catch-up: 50 agents of one team logged in a year ago"
t0=$(now_ms)
posted=$t0
post_events '{"type":"ticket.assigned","agent":"old1","channel":"chat"}'
ms=$(( $(now_ms) - t0 ))
status_is 202 "catch-up: an event now for one of them is accepted"
limit=$(slow 3000)
if [ "$ms" -le "$limit" ]; then
	ok "catch-up: the reply came in $ms ms (a year of minutes is not replayed; bound $limit ms)"
else
	not_ok "catch-up: the reply came in $ms ms, more than $limit ms"
fi
t0=$(now_ms)
req GET /healthz
ms=$(( $(now_ms) - t0 ))
is "$STATUS" 200 "catch-up: /healthz answers right after ($ms ms)"
t1=$(now_ms)
req GET /v1/agents/old1
# Between the post and now (not "today's date": that flips at midnight).
u=$(jqr '.updated_at | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601')
if [ -n "$u" ] && [ "$u" -ge $((posted / 1000)) ] && [ "$u" -le $((t1 / 1000 + 1)) ]; then
	ok "catch-up: old1 is updated to now"
else
	not_ok "catch-up: old1 is updated to now" \
	    "updated_at $(jqr .updated_at), posted at $(rfc3339 $((posted / 1000)))"
fi
is "$(jqr .status)" working "catch-up: old1 is working"

stop_daemon
is "$DAEMON_RC" 0 "respited stops cleanly"
n=$(log_lines)
start_daemon
check "respited restarts on a database with events from 1970 to now" $?
req GET /v1/agents/late1
is "$(jqr .updated_at) $(jqr .status)" "$now1 working" \
    "after the restart the late events are replayed in order of receipt: the same state"
stop_daemon

done_testing
