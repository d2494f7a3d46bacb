#!/usr/bin/env bash
# respite - limits of POST /v1/events on what a client may send:
#   - a JSON array is counted before it is parsed (issue 21, item 7):
#     max_batch + 1 elements is 413, and a 4 MiB [{},{},...] no longer
#     costs 330 MB of memory before its 413;
#   - ts before 1970 is refused in either form (issue 13, item 11);
#   - duration_s has no upper bound (issue 13): a real SpotifyCares
#     thread handled after 26 hours made its whole batch 400.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# vmhwm: the daemon's peak resident memory so far, in kB.
vmhwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null
}

# ---- a JSON array: max_batch (10000) elements counted first
python3 -c 'import sys; sys.stdout.write("[" + ",".join(["{}"] * 10001) + "]")' \
    >"$TMPD/10001.json" 2>/dev/null ||
    awk 'BEGIN { printf "["; for (i = 0; i < 10001; i++) printf "%s{}", (i ? "," : ""); printf "]" }' \
    >"$TMPD/10001.json"
post_events "@$TMPD/10001.json"
error_is 413 too_large - - "an array of max_batch + 1 elements: 413 too_large"
# Valid events, 10001 of them, the same.
awk 'BEGIN { printf "["; for (i = 0; i < 10001; i++) printf "%s{\"type\":\"agent.login\",\"agent\":\"a%d\"}", (i ? "," : ""), i; printf "]" }' \
    >"$TMPD/10001ok.json"
post_events "@$TMPD/10001ok.json"
error_is 413 too_large - - "10001 valid events in an array: 413 too_large"
req GET /v1/agents/a0
status_is 404 "... and none of them was stored"
# Commas inside strings and nested values are not elements.
post_events '[{"type": "agent.login", "agent": "c1", "id": "x,\",[{,"}, {"type": "agent.login", "agent": "c2", "extra": [1, 2, {"a": ","}]}]'
reply_is 202 '{"accepted": 2, "duplicates": 0}' "an array with commas in strings and nested values: 2 events"

# 4 MiB of [{},{},...] (max_body): 413 before parsing, little memory.
# Not under the sanitizers: ASan's quarantine keeps freed buffers
# resident, and receiving 4 MiB there outlasts request_timeout.
if [ -n "${RESPITE_SANITIZED:-}" ]; then
	skip "4 MiB array" "sanitizer build (memory and time not representative)"
	skip "4 MiB array memory" "sanitizer build"
elif [ -r "/proc/$DAEMON_PID/status" ]; then
	awk 'BEGIN { n = int((4 * 1048576 - 2) / 3); printf "["; for (i = 0; i < n; i++) printf "%s{}", (i ? "," : ""); printf "]" }' \
	    >"$TMPD/4m.json"
	before=$(vmhwm)
	post_events "@$TMPD/4m.json"
	error_is 413 too_large - - "a 4 MiB array of {}: 413 too_large"
	after=$(vmhwm)
	diag "respited VmHWM: $before kB before the 4 MiB array, $after kB after (+$(( (after - before) / 1024 )) MB)"
	if [ $((after - before)) -lt $((64 * 1024)) ]; then
		ok "the 4 MiB array raised peak memory by less than 64 MB"
	else
		not_ok "the 4 MiB array raised peak memory by less than 64 MB" \
		    "VmHWM $before kB -> $after kB"
	fi
else
	skip "4 MiB array" "no /proc/PID/status"
	skip "4 MiB array memory" "no /proc/PID/status"
fi

# ---- ts before 1970, either form
post_events '{"type": "agent.login", "agent": "p1", "ts": "1969-12-31T23:59:59Z"}'
error_is 400 invalid_event 0 ts "ts in 1969 (RFC 3339): 400 invalid_event ts"
post_events '{"type": "agent.login", "agent": "p1", "ts": "0000-01-01T00:00:00Z"}'
error_is 400 invalid_event 0 ts "ts in year 0: 400 invalid_event ts"
post_events '[{"type": "agent.login", "agent": "p1"}, {"type": "agent.login", "agent": "p1", "ts": "1970-01-01T00:59:59+01:00"}]'
error_is 400 invalid_event 1 ts "ts before 1970 by its offset: 400, index 1"
post_events '{"type": "agent.login", "agent": "p1", "ts": -1}'
error_is 400 invalid_event 0 ts "ts -1: 400 invalid_event ts"
req GET /v1/agents/p1
status_is 404 "... and nothing of them was stored"
post_events '{"type": "agent.login", "agent": "p2", "ts": "1970-01-01T00:00:00Z"}'
status_is 202 "ts at the epoch itself: 202"

# ---- duration_s without an upper bound
post_events '{"type": "ticket.handled", "agent": "d1", "channel": "email", "duration_s": 1e300}'
status_is 202 "duration_s 1e300: 202"
post_events '{"type": "ticket.handled", "agent": "d1", "channel": "email", "duration_s": -0.5}'
error_is 400 invalid_event 0 duration_s "duration_s -0.5: 400 invalid_event duration_s"
req GET /v1/agents/d1
jq_check '.metrics.occupancy_last_hour >= 0 and .metrics.occupancy_last_hour <= 1' \
    "an agent with a huge duration: occupancy within 0..1"

SPOTIFY=${SHARED_DATA:-/nonexistent}/shifts/twcs-spotifycares-2017-11-30_12-03.ndjson
if [ -r "$SPOTIFY" ] && grep -q '"duration_s": 92982' "$SPOTIFY"; then
	grep -m 1 '"duration_s": 92982' "$SPOTIFY" >"$TMPD/line.ndjson"
	post_events "@$TMPD/line.ndjson" -H 'Content-Type: application/x-ndjson'
	reply_is 202 '{"accepted": 1, "duplicates": 0}' \
	    "the SpotifyCares line with duration_s 92982: 202"
	n=$(grep -c . "$SPOTIFY")
	post_events "@$SPOTIFY" -H 'Content-Type: application/x-ndjson'
	reply_is 202 "{\"accepted\": $((n - 1)), \"duplicates\": 1}" \
	    "the whole SpotifyCares trace ($n lines, durations up to 3 days): 202"
	req GET /v1/agents/SpotifyCares.LO
	jq_check '.metrics.occupancy_last_hour >= 0 and .metrics.occupancy_last_hour <= 1' \
	    "... SpotifyCares.LO's occupancy within 0..1"
else
	skip "SpotifyCares line" "$SPOTIFY is absent (shared data not installed)"
	skip "SpotifyCares trace" "$SPOTIFY is absent"
	skip "SpotifyCares occupancy" "$SPOTIFY is absent"
fi

req GET /healthz
status_is 200 "/healthz still answers"

stop_daemon
done_testing
