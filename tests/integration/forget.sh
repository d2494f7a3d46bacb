#!/usr/bin/env bash
# respite - agents idle past the model's windows are forgotten (issue 21
# item 3): not rebuilt at start-up, which reads the last 36 h of events
# (advise_forget(): test_advise's test_forget_idle), so [server]
# max_agents counts live agents; a forgotten agent reads as a fresh agent
# with no recent event (offline, strain 0, its last team, updated_at its
# newest stored event), and a restart keeps the same agents.  Event times are days in the past
# or now: nothing here depends on where the wall clock is in a minute.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[server]
max_agents = 2"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

NOW=$(date +%s)
OLD=$((NOW - 3 * 86400))
TS_OLD=$(rfc3339 "$OLD")
TS_OLD1=$(rfc3339 $((OLD + 60)))
TS=$(rfc3339 "$NOW")
post_events "[{\"type\":\"agent.login\",\"agent\":\"old1\",\"team\":\"t1\",\"ts\":\"$TS_OLD\"},
{\"type\":\"ticket.assigned\",\"agent\":\"old1\",\"ticket\":\"k1\",\"channel\":\"email\",\"ts\":\"$TS_OLD1\"},
{\"type\":\"agent.login\",\"agent\":\"old2\",\"ts\":\"$TS_OLD\"}]"
status_is 202 "two agents whose last events are 3 days old"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
# Start-up reads the last 36 h of events only (daemon/rebuild.c): an
# agent idle for longer is not rebuilt, which is forgetting it.
wait_log "state rebuilt: 0 agents"
check "start-up forgets both: neither is rebuilt (logged)" $?

req GET /v1/agents
status_is 200 "GET /v1/agents: 200"
jq_is '.agents' '[]' "no agent listed: both were forgotten"

req GET /v1/agents/old1
status_is 200 "a forgotten agent: 200"
jq_is '[.agent, .team, .status, .strain, .level]' \
    '["old1","t1","offline",0,"ok"]' \
    "... a fresh agent: offline, strain 0, ok, in its last team"
jq_is '.updated_at' "\"$TS_OLD1\"" "... updated_at is its newest stored event"
jq_is '[.metrics.open_tickets, .metrics.worked_today_min, .open_suggestions]' \
    '[0,0,[]]' "... no recent work, no open suggestion"
req GET /v1/agents/old2
jq_is '[.team, .status]' '[null,"offline"]' "an agent with no team: team null"
req GET /v1/agents/old1/history
status_is 200 "the history of a forgotten agent: 200 (from stored events)"
req GET /v1/agents/never
status_is 404 "an agent never seen: still 404"

post_events "[{\"type\":\"agent.login\",\"agent\":\"n1\",\"ts\":\"$TS\"},
{\"type\":\"agent.login\",\"agent\":\"n2\",\"ts\":\"$TS\"}]"
status_is 202 "max_agents 2 counts live agents: two new ones fit"
post_events "[{\"type\":\"agent.login\",\"agent\":\"old1\",\"ts\":\"$TS\"}]"
status_is 507 "a forgotten agent coming back is a new agent: 507 at the limit"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
req GET /v1/agents
jq_is '[.agents[].agent]' '["n1","n2"]' "after a restart: the same agents (n1, n2)"
req GET /v1/agents/old1
jq_is '.status' '"offline"' "... and old1 forgotten still"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

done_testing
