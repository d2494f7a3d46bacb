#!/usr/bin/env bash
# respite - numeric query parameters of every route (issue 13, item 1):
# each is range-checked, and a number out of range or that would overflow
# is 400 invalid_request with its field, answered at once.  Once,
# GET /v1/agents/ID/history?step=9223372036854775807 wrapped step * 1000
# negative and its bucket loop never ended: respited stalled for good.
# Also the history's limits (span, step, buckets) and a window without
# events (qsort(NULL, 0) under UBSan, item 12).

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

post_events '{"type": "agent.login", "agent": "alice", "team": "t1"}'
status_is 202 "alice logs in"

# bad PATH FIELD DESC [CURL ARGS...]: a GET that must be 400
# invalid_request naming FIELD within 2 s (scaled) plus five times what
# a /healthz just before took (on a loaded machine every request is
# slower: issue 20), the daemon alive.  A loop on the number would take
# far longer.
bad() {
	local path=$1 field=$2 desc=$3 t0 t1 base
	shift 3
	t0=$(now_ms)
	req GET /healthz
	t1=$(now_ms)
	base=$((t1 - t0))
	t0=$(now_ms)
	req GET "$path" "" "$@"
	t1=$(now_ms)
	error_is 400 invalid_request - "$field" "$desc"
	if [ $((t1 - t0)) -gt $(($(slow 2) * 1000 + 5 * base)) ]; then
		not_ok "$desc: answered at once" \
		    "took $((t1 - t0)) ms (/healthz just before: $base ms)"
	fi
}

H=/v1/agents/alice/history
MAX=9223372036854775807

# ---- the attack URLs of the report
bad "$H?step=$MAX" step "history step=INT64_MAX: 400 step"
bad "$H?to=$MAX&step=60" to "history to=INT64_MAX: 400 to"
bad "$H?from=$MAX" from "history from=INT64_MAX: 400 from"
bad "$H?step=9223372036854775808" step "history step=INT64_MAX+1: 400 step"
bad "$H?step=99999999999999999999999" step "history step with 23 digits: 400 step"
bad "$H?step=-9223372036854775808" step "history step=INT64_MIN: 400 step"
bad "$H?step=-60" step "history negative step: 400 step"
bad "$H?step=0" step "history step=0: 400 step"
bad "$H?step=59" step "history step below 60 s: 400 step"
bad "$H?step=86401" step "history step above a day: 400 step"
bad "$H?step=%2B60" step "history step=+60: 400 step"
bad "$H?step=%2060" step "history step with a leading space: 400 step"
bad "$H?step=0x3c" step "history step in hex: 400 step"
bad "$H?step=60.0" step "history step with a fraction: 400 step"
bad "$H?step=1e3" step "history step with an exponent: 400 step"
bad "$H?step=" step "history empty step: 400 step"
bad "$H?from=-1" from "history from=-1: 400 from"
bad "$H?to=-1" to "history to=-1: 400 to"
bad "$H?to=0" to "history to=0 (nothing before it): 400 to"
bad "$H?to=253402300800000" to "history to after 9999: 400 to"
bad "$H?to=1969-12-31T23:59:59Z" to "history to in 1969 (RFC 3339): 400 to"
bad "$H?from=0000-01-01T00:00:00Z" from "history from in year 0: 400 from"
bad "$H?from=1970-01-01T00:30:00%2B01:00" from \
    "history from before 1970 by its offset: 400 from"
bad "$H?from=1772445600000&to=1772445600000" from "history from = to: 400 from"
# More than 31 days, and more than 2000 buckets.
bad "$H?from=1772445600000&to=$((1772445600000 + 32 * 86400000))&step=86400" \
    from "history over 31 days: 400 from"
bad "$H?from=1772445600000&to=$((1772445600000 + 2001 * 60000))&step=60" \
    step "history with 2001 buckets: 400 step"

# ---- the same bounds hold at their edges
req GET "$H?from=1772445600000&to=$((1772445600000 + 2000 * 60000))&step=60"
status_is 200 "history with 2000 buckets of 60 s: 200"
jq_is '[.step_s, (.buckets | length)]' '[60,2000]' "... 2000 buckets"
req GET "$H?from=1772445600000&to=$((1772445600000 + 31 * 86400000))&step=86400"
status_is 200 "history over 31 days in steps of a day: 200"
jq_is '[.step_s, (.buckets | length)]' '[86400,31]' "... 31 buckets"
req GET "$H?step=000000000000000000000000900"
status_is 200 "history step with leading zeros: 200"
jq_is '.step_s' 900 "... read as 900"
# No stored event in the window (1971): qsort(NULL, 0) was undefined.
req GET "$H?from=1971-01-01T00:00:00Z&to=1971-01-01T01:00:00Z&step=600"
status_is 200 "history of a window without events: 200"
jq_is '[(.buckets | length), .buckets[0].strain, .from]' \
    '[6,0,"1971-01-01T00:00:00Z"]' "... six empty buckets from 1971"
req GET "$H?from=0&to=3600000&step=3600"
status_is 200 "history of the first hour of 1970: 200"

# ---- GET /v1/suggestions
S=/v1/suggestions
bad "$S?limit=$MAX" limit "suggestions limit=INT64_MAX: 400 limit"
bad "$S?limit=99999999999999999999" limit "suggestions limit that overflows: 400 limit"
bad "$S?limit=0" limit "suggestions limit=0: 400 limit"
bad "$S?limit=1001" limit "suggestions limit above 1000: 400 limit"
bad "$S?limit=-1" limit "suggestions limit=-1: 400 limit"
bad "$S?cursor=s-99999999999999999999" cursor "suggestions cursor that overflows: 400 cursor"
bad "$S?cursor=s-0" cursor "suggestions cursor s-0: 400 cursor"
bad "$S?since=$MAX" since "suggestions since=INT64_MAX: 400 since"
bad "$S?since=-1" since "suggestions since=-1: 400 since"
bad "$S?since=1900-01-01T00:00:00Z" since "suggestions since in 1900: 400 since"
req GET "$S?limit=1000&since=0"
status_is 200 "suggestions limit=1000&since=0: 200"

# ---- GET /v1/audit
A=/v1/audit
bad "$A?limit=$MAX" limit "audit limit=INT64_MAX: 400 limit"
bad "$A?limit=1001" limit "audit limit above 1000: 400 limit"
bad "$A?cursor=9223372036854775808" cursor "audit cursor that overflows: 400 cursor"
bad "$A?cursor=0" cursor "audit cursor=0: 400 cursor"
bad "$A?cursor=-5" cursor "audit cursor=-5: 400 cursor"
bad "$A?since=$MAX" since "audit since=INT64_MAX: 400 since"
req GET "$A?limit=1&cursor=$MAX"
status_is 200 "audit cursor=INT64_MAX: 200"

# ---- GET /v1/stream
bad "/v1/stream?agent=alice&last_event_id=9223372036854775808" last_event_id \
    "stream last_event_id that overflows: 400 last_event_id"
bad "/v1/stream?agent=alice&last_event_id=-1" last_event_id \
    "stream last_event_id=-1: 400 last_event_id"
bad "/v1/stream?agent=alice" Last-Event-ID \
    "stream Last-Event-ID that overflows: 400 Last-Event-ID" \
    -H 'Last-Event-ID: 99999999999999999999'

# ---- still serving
req GET /healthz
status_is 200 "/healthz still answers"
req GET "$H?step=60"
status_is 200 "history with step=60 still works"

stop_daemon
done_testing
