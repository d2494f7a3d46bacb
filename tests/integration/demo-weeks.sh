#!/usr/bin/env bash
# respite - the past weeks `make demo` seeds (tests/demo-weeks.sh, run by
# tests/demo.sh before its shift): 3 weeks of simulated weekdays for the
# demo's agents give each of them days to show (weekdays only, none from
# the shift's time on: every agent is offline again), a trend with a
# baseline, the time zones of the shift, team days; agent-001's late
# last week turns its trend high, with a wellbeing_check; a second run
# adds nothing (the same events, all duplicates); and it stays fast.

. "$(dirname "$0")/lib.sh"
require_tools
setup
if [ -z "${RESPITECTL:-}" ]; then
	RESPITECTL=$(dirname "$RESPITED")/respitectl
fi
C=$RESPITECTL
SRC=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

grep -q 'tests/demo-weeks.sh' "$SRC/tests/demo.sh"
check "make demo (tests/demo.sh) seeds the past weeks" $?

write_config ""
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

END=$(date +%s)
START=$((END / 3600 * 3600 - 8 * 3600))
$C simulate --agents 6 --teams 2 --hours 8 --seed 1 --open-end --tz-spread \
    --start "$(rfc3339 "$START")" >"$TMPD/shift.ndjson" 2>/dev/null
check "the demo's shift simulated" $?

t0=$(date +%s.%N)
OUT=$(sh "$SRC/tests/demo-weeks.sh" "$C" "$BASE" 3 6 2 "$END" "$START" \
    "$TMPD/shift.ndjson" 2>&1)
rc=$?
t1=$(date +%s.%N)
is "$rc" 0 "demo-weeks.sh ran ($OUT)"
diag "3 weeks of 6 agents seeded in $(echo "$t1 - $t0" | bc) s"

req GET /v1/agents
jq_check '(.agents | length) == 6 and all(.agents[]; .status == "offline")' \
    "six agents, all offline again: nothing reaches into the shift"
bad=
for a in $(jqr '.agents[].agent'); do
	want=$(jq -r --arg a "$a" 'select(.type == "agent.login" and .agent == $a) | .tz' \
	    "$TMPD/shift.ndjson" | head -n 1)
	req GET "/v1/agents/$a/days"
	n=$(jqr '.days | length')
	tz=$(jqr .tz)
	wk=$(jqr '[.days[].date | strptime("%Y-%m-%d") | mktime | strftime("%u") | tonumber | select(. > 5)] | length')
	# An agent far east has its Monday start on a local Tuesday and so
	# on: allow that, not whole weekends.
	[ "$n" -ge 12 ] && [ "$n" -le 16 ] && [ "$tz" = "$want" ] &&
	    [ "$wk" -le 1 ] || bad="$bad $a:$n:$tz/$want:$wk"
	req GET "/v1/agents/$a/trend"
	[ "$(jqr .baseline_days)" -ge 7 ] || bad="$bad $a:baseline=$(jqr .baseline_days)"
done
is "$bad" "" "each agent: 12 to 16 working days, in its zone of the shift, a baseline for its trend"
req GET /v1/agents/agent-001/trend
jq_check '.risk == "high" and any(.signals[]; .name == "long_days")' \
    "agent-001, late on the last week's weekdays: its trend is high, with long days"
req GET '/v1/suggestions?agent=agent-001&kind=wellbeing_check'
jq_check '(.suggestions | length) == 1 and .suggestions[0].audience == "lead"' \
    "agent-001: one wellbeing_check, for its lead"
req GET /v1/agents/agent-002/days
jq_check 'all(.days[]; .worked_min < 600)' "the others' days stay short"
req GET /v1/teams/team-a/days
jq_check '(.days | length) >= 12 and all(.days[]; .agents >= 1 and .worked_min > 0)' \
    "team days: team-a's weeks"

OUT=$(sh "$SRC/tests/demo-weeks.sh" "$C" "$BASE" 3 6 2 "$END" "$START" \
    "$TMPD/shift.ndjson" 2>&1)
like "$OUT" '\(0 accepted, [0-9]+ duplicates\)' "a second run adds nothing ($OUT)"

done_testing
