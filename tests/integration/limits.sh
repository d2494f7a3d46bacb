#!/usr/bin/env bash
# respite - [server] max_agents and max_teams (issue 21 item 3): a batch
# that would create one agent or team too many is refused whole with 507
# limit_reached, the index and field of the first one; nothing of it is
# stored or applied, and the log and /metrics say so.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[server]
max_agents = 3
max_teams = 2"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

TS=$(rfc3339 "$(date +%s)")
ev() {	# ev AGENT [TEAM]
	if [ -n "${2:-}" ]; then
		printf '{"type":"agent.login","agent":"%s","team":"%s","ts":"%s"}' "$1" "$2" "$TS"
	else
		printf '{"type":"agent.login","agent":"%s","ts":"%s"}' "$1" "$TS"
	fi
}

post_events "[$(ev a1 t1),$(ev a2 t1)]"
status_is 202 "two agents in one team: accepted"

# a3 is the third agent (allowed), a4 the fourth: index 2 (a1 again
# creates nothing).
post_events "[$(ev a3),$(ev a1),$(ev a4),$(ev a5)]"
status_is 507 "a batch creating a fourth agent: 507"
jq_is .error.code "\"limit_reached\"" "code limit_reached"
jq_is .error.index 2 "index of the first agent too many"
jq_is .error.field "\"agent\"" "field agent"
req GET /v1/agents/a3
status_is 404 "nothing of the refused batch was applied (a3 unknown)"

post_events "[$(ev a3 t2),$(ev a1 t3)]"
status_is 507 "a batch creating a third team: 507"
jq_is .error.index 1 "index of the first team too many"
jq_is .error.field "\"team\"" "field team"
req GET /v1/agents/a3
status_is 404 "nothing of it was applied"

post_events "[$(ev a3 t2),$(ev a2 t2)]"
status_is 202 "the third agent and the second team: accepted"
post_events "[$(ev a1 t2)]"
status_is 202 "known agents and teams are never refused"

req GET /metrics
printf '%s\n' "$BODY" | grep -q '^respite_rejects_total{code="limit_reached"} 2$'
check "/metrics counts the two refusals" $?
grep -q "limit reached: max_agents (3)" "$LOG"
check "the log says max_agents was reached" $?
grep -q "limit reached: max_teams (2)" "$LOG"
check "the log says max_teams was reached" $?

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

done_testing
