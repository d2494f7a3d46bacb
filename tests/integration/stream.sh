#!/usr/bin/env bash
# respite - GET /v1/stream (Server-Sent Events): the reply head, an agent's
# and a team's subscribers seeing a login and a break as `event: agent`,
# ids increasing, a resume with Last-Event-ID after a restart getting
# exactly what was missed, the 400s and the 405, SIGTERM ending open
# streams within 5 s, and max_subscribers (503, reloaded on SIGHUP).
#
# Streams are read by `curl -N` in the background into files; every wait
# polls those files with a bound.

. "$(dirname "$0")/lib.sh"
require_tools
setup

conf() {	# conf MAX_SUBSCRIBERS
	write_config "[stream]
max_subscribers = $1
buffer = 256K"
}
conf 10
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# sse_start NAME PATH [CURL ARGS...]: read a stream into $TMPD/NAME.sse
# (its head into NAME.hdr) in the background; its pid in SSE_PID_NAME.
sse_start() {
	local name=$1 path=$2
	shift 2
	: >"$TMPD/$name.sse"
	: >"$TMPD/$name.hdr"
	curl -sS -N --max-time "$(slow 120)" -D "$TMPD/$name.hdr" \
	    -o "$TMPD/$name.sse" "$@" "$BASE$path" 2>"$TMPD/$name.err" &
	eval "SSE_PID_$name=$!"
	bg_register $!
}

# sse_wait NAME PATTERN [SECONDS]: poll NAME's stream for a grep -E
# pattern (default bound 10 s).  Returns 1 on timeout.
sse_wait() {
	local i limit
	limit=$(( $(slow "${3:-10}") * 20 ))
	for i in $(seq 1 "$limit"); do
		grep -Eq -- "$2" "$TMPD/$1.sse" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# sse_events NAME: the stream's events, one JSON object a line:
# {"id": N, "event": "...", "data": {...}}.
sse_events() {
	awk '
	/^id: / { id = substr($0, 5) }
	/^event: / { ev = substr($0, 8) }
	/^data: / { data = data substr($0, 7) }
	/^$/ {
		if (data != "")
			printf "{\"id\":%s,\"event\":\"%s\",\"data\":%s}\n",
			    id, ev, data
		id = ""; ev = ""; data = ""
	}' "$TMPD/$1.sse"
}

# sse_jq NAME FILTER: jq -c FILTER over the array of NAME's events.
sse_jq() {
	sse_events "$1" | jq -s -c "$2" 2>/dev/null
}

sse_hdr() {	# sse_hdr NAME HEADER: a header of NAME's reply
	tr -d '\r' <"$TMPD/$1.hdr" | awk -v n="$2" 'BEGIN { n = tolower(n) }
	    { i = index($0, ":"); if (i > 0 && tolower(substr($0, 1, i - 1)) == n) {
	    v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v; exit } }'
}

# ---- subscribing: the reply head and the first line

sse_start alice '/v1/stream?agent=alice'
sse_start team '/v1/stream?team=support-de'
sse_start bob '/v1/stream?agent=bob'
for s in alice team bob; do
	sse_wait $s '^retry: 3000$' || not_ok "$s: subscribed" \
	    "$(cat "$TMPD/$s.err")"
done
is "$(head -n 1 "$TMPD/alice.hdr" | tr -d '\r')" "HTTP/1.1 200 OK" \
    "an agent not seen yet may be subscribed to: 200"
is "$(sse_hdr alice Content-Type)" "text/event-stream; charset=utf-8" \
    "Content-Type: text/event-stream; charset=utf-8"
is "$(sse_hdr alice Cache-Control)" "no-store" "Cache-Control: no-store"
is "$(sse_hdr alice Connection)" "close" "Connection: close"
is "$(sse_hdr alice Content-Length)" "" "no Content-Length"
is "$(head -c 13 "$TMPD/alice.sse" | od -An -c | tr -s ' ')" \
    "$(printf 'retry: 3000\n\n' | od -An -c | tr -s ' ')" \
    "the stream starts with retry: 3000 and a blank line"

# ---- a login and a break, live

post_events '{"type":"agent.login","agent":"alice","team":"support-de"}'
status_is 202 "alice logs in"
sse_wait alice '^event: agent$'
check "alice's subscriber gets an event: agent" $?
sse_wait team '^event: agent$'
check "the team's subscriber gets it too" $?
is "$(sse_jq alice '[.[] | select(.event == "agent")][0].data |
    [.agent, .team, .status]')" '["alice","support-de","working"]' \
    "its data: {\"agent\":\"alice\",\"team\":\"support-de\",\"status\":\"working\"}"
is "$(sse_jq team '[.[] | select(.event == "agent")][0].data |
    [.agent, .team, .status]')" '["alice","support-de","working"]' \
    "the team's copy is the same"

post_events '{"type":"agent.break_start","agent":"alice"}'
status_is 202 "alice starts a break"
sse_wait alice '"status":"on_break"'
check "alice's subscriber sees status on_break" $?
sse_wait team '"status":"on_break"'
check "so does the team's" $?
post_events '{"type":"agent.login","agent":"bob","team":"support-fr"}'
sse_wait bob '"status":"working"'
check "bob's subscriber sees bob's login" $?
is "$(sse_jq bob '[.[] | .data.agent] | unique')" '["bob"]' \
    "bob's subscriber sees nothing of alice"
is "$(sse_jq team '[.[] | .data.agent] | unique')" '["alice"]' \
    "the team's subscriber sees nothing of another team"
is "$(sse_jq alice '[.[].id] | . == (sort | unique) and length >= 2')" \
    true "ids increase"
is "$(sse_jq alice '[.[] | select(.event == "agent") | .data.status]')" \
    '["working","on_break"]' "alice's statuses in order: working, on_break"
is "$(sse_jq team '[.[].id]')" "$(sse_jq alice '[.[].id]')" \
    "the team's subscriber got the same items with the same ids"
is "$(grep -c '^data: ' "$TMPD/alice.sse")" "$(sse_jq alice 'length')" \
    "each data is one line"

# ---- bad requests

req GET '/v1/stream'
error_is 400 invalid_request - agent "no agent or team: 400 invalid_request"
req GET '/v1/stream?agent=alice&team=support-de'
error_is 400 invalid_request - team "both agent and team: 400"
req GET '/v1/stream?agent=al%20ice'
error_is 400 invalid_request - agent "agent with a space: 400, field agent"
req GET '/v1/stream?team='
error_is 400 invalid_request - team "an empty team: 400, field team"
req GET "/v1/stream?agent=$(printf 'a%.0s' $(seq 1 65))"
error_is 400 invalid_request - agent "an agent of 65 chars: 400"
for v in abc -1 +1 1.5 99999999999999999999; do
	req GET '/v1/stream?agent=alice' '' -H "Last-Event-ID: $v"
	error_is 400 invalid_request - Last-Event-ID \
	    "Last-Event-ID \"$v\": 400, field Last-Event-ID"
done
req GET '/v1/stream?agent=alice&last_event_id=x'
error_is 400 invalid_request - last_event_id \
    "?last_event_id=x: 400, field last_event_id"
req POST '/v1/stream?agent=alice' '{}'
error_is 405 method_not_allowed - - "POST: 405"
is "$(header_get Allow)" "GET" "the 405 says Allow: GET"

# ?last_event_id= for clients that cannot set headers.
first=$(sse_jq alice '.[0].id')
sse_start qs "/v1/stream?agent=alice&last_event_id=$first"
sse_wait qs '"status":"on_break"'
check "?last_event_id= resumes too" $?
is "$(sse_jq qs '[.[].id]')" "$(sse_jq alice "[.[].id | select(. > $first)]")" \
    "?last_event_id=N replays exactly the items after N"
kill_child TERM "$SSE_PID_qs"

# ---- SIGTERM with open streams, a restart, a resume

last=$(sse_jq alice '.[-1].id')
seen=$(sse_jq alice '.')
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM with open streams: exit status 0"
if [ -n "$STOP_MS" ] && [ "$STOP_MS" -lt $(( $(slow 5) * 1000 )) ]; then
	ok "SIGTERM with open streams: exited within $(slow 5) s (${STOP_MS} ms)"
else
	not_ok "SIGTERM with open streams: exited within $(slow 5) s" \
	    "took ${STOP_MS} ms"
fi
wait_exit "$SSE_PID_alice" 5 && wait_exit "$SSE_PID_team" 5
check "the streams ended with the daemon" $?

start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
# Missed while nobody listened.
post_events '{"type":"agent.break_end","agent":"alice"}'
status_is 202 "alice ends her break (nobody subscribed)"
post_events '{"type":"agent.logout","agent":"alice"}'
status_is 202 "alice logs out (nobody subscribed)"

sse_start resumed '/v1/stream?agent=alice' -H "Last-Event-ID: $last"
sse_start full '/v1/stream?agent=alice' -H "Last-Event-ID: 0"
sse_wait resumed '"status":"offline"'
check "the resumed stream gets the logout" $?
sse_wait full '"status":"offline"'
check "a stream from Last-Event-ID 0 gets it too" $?
if have_sqlite3; then
	want=$(db_query "SELECT json_object('id', seq, 'event', event,
	    'data', json(data)) FROM stream WHERE agent = 'alice' AND
	    seq > $last ORDER BY seq" | jq -s -c '.')
	max=$(printf '%s' "$want" | jq '.[-1].id')
	is "$(sse_jq resumed "[.[] | select(.id <= $max)]")" "$want" \
	    "the resume after the restart gets exactly the stored items after $last"
else
	skip "the resume gets exactly the stored items" "no sqlite3"
fi
is "$(sse_jq resumed '[.[] | select(.event == "agent") | .data.status]')" \
    '["working","offline"]' "what was missed: working, offline"
is "$(sse_jq resumed "[.[] | select(.id <= $last)] | length")" 0 \
    "nothing from before Last-Event-ID again"
is "$(sse_jq full "[.[] | select(.id <= $last)]")" "$seen" \
    "the stored items are the ones sent live before the restart"
is "$(sse_jq full "[.[] | select(.id > $last)]")" "$(sse_jq resumed '.')" \
    "resumed and full replays agree"
kill_child TERM "$SSE_PID_resumed"; kill_child TERM "$SSE_PID_full"

# ---- max_subscribers, reloaded on SIGHUP

# probe AGENT: subscribe for a second; prints the HTTP status.
probe() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
	    "$BASE/v1/stream?agent=$1" 2>/dev/null
}

# probe_until STATUS: probe until the answer is STATUS (bounded).
probe_until() {
	local i
	for i in $(seq 1 "$(slow 10)"); do
		[ "$(probe probe)" = "$1" ] && return 0
	done
	return 1
}

conf 1
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reloaded" 5 "$n"
check "SIGHUP with max_subscribers = 1" $?
wait_exit "$SSE_PID_resumed" 5 && wait_exit "$SSE_PID_full" 5
probe_until 200
check "the clients killed before are gone: there is room for one" $?
sse_start one '/v1/stream?agent=carol'
sse_wait one '^retry: 3000$'
check "one subscriber is admitted" $?
req GET '/v1/stream?agent=dave'
error_is 503 unavailable - - "a second one gets 503 unavailable"
kill_child TERM "$SSE_PID_one"
wait_exit "$SSE_PID_one" 5
probe_until 200
check "a client that left is removed: its place is free again" $?
conf 10
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reloaded" 5 "$n"
sse_start two '/v1/stream?agent=erin'
sse_start three '/v1/stream?team=support-fr'
sse_wait two '^retry: 3000$' && sse_wait three '^retry: 3000$'
check "after SIGHUP with max_subscribers = 10, more are admitted" $?

stop_daemon TERM
is "$DAEMON_RC" 0 "the daemon stops cleanly with streams open"

done_testing
