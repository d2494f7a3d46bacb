#!/usr/bin/env bash
# respite - start-up reads only the last 36 h of events (issue 15,
# daemon/rebuild.c), and what an agent brings from before them through
# bounded queries.  Several days of events for a few agents are stored,
# then respited restarts, and GET /v1/agents, each /v1/agents/{id}
# (status, metrics, open_tickets, factors, open suggestions) and
# /v1/suggestions must be the very same before and after.  Among them:
# an agent logged in 40 h ago and working since (no event names its team
# after the login), tickets assigned days ago and never handled (one of
# them handled after the cut), a break and a live contact across the cut.
#
# Event times are whole hours before the start of the test (T), none
# within an hour of the cut (T - 36 h), and every agent's newest event is 4
# min ahead of T (max_clock_skew is 5 min): "now" for each agent is its
# newest event whatever the wall clock says, and the cut never falls
# near an event wherever the clock is.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

T=$(date +%s)
H=3600
D=86400
N=0
EVENTS=$TMPD/events

# ev OFFSET_S TYPE AGENT [JSON MEMBERS]: one event at T + OFFSET_S.
ev() {
	N=$((N + 1))
	printf '{"id":"s-%d","type":"%s","agent":"%s","ts":"%s"%s}\n' "$N" \
	    "$2" "$3" "$(rfc3339 $((T + $1)))" "${4:+,$4}" >>"$EVENTS"
}

# post: the events written so far, as one NDJSON batch.
post() {
	post_events "@$EVENTS" -H 'Content-Type: application/x-ndjson'
	status_is 202 "$1"
	: >"$EVENTS"
}

: >"$EVENTS"
# ---- three days ago and two days ago: all before the cut
for day in 3 2; do
	b=$((-day * D))
	ev $b agent.login steady '"team":"t1","tz":"Europe/Berlin"'
	ev $((b + 600)) ticket.assigned steady '"ticket":"d'$day'-1","channel":"email"'
	ev $((b + 900)) message.flagged steady '"channel":"chat","severity":0.8'
	ev $((b + 1800)) ticket.handled steady '"ticket":"d'$day'-1","channel":"email","duration_s":300'
	ev $((b + 8 * H)) agent.logout steady
	ev $((b + 60)) agent.login oldtix '"team":"t1"'
	ev $((b + 120)) ticket.assigned oldtix '"ticket":"old-'$day'a","channel":"email"'
	ev $((b + 180)) ticket.assigned oldtix '"ticket":"old-'$day'b","channel":"email"'
	ev $((b + 240)) message.flagged oldtix '"channel":"email","severity":0.9'
	ev $((b + 4 * H)) agent.logout oldtix
	post "day -$day stored"
done

# ---- before the cut, on into the window
ev $((-40 * H)) agent.login longin '"team":"t2","tz":"America/New_York"'
for k in 39 37; do
	ev $((-k * H)) ticket.assigned longin '"ticket":"l'$k'","channel":"email"'
	ev $((-k * H + 600)) ticket.handled longin '"ticket":"l'$k'","channel":"email","duration_s":500'
done
ev $((-39 * H)) agent.login night '"team":"t2"'
ev $((-38 * H)) ticket.assigned night '"ticket":"n1","channel":"chat"'
ev $((-38 * H + 300)) message.flagged night '"channel":"chat","severity":0.7'
ev $((-38 * H + 400)) agent.break_start night
post "the hours before the cut stored"

# ---- the window: yesterday and today
ev $((-34 * H)) agent.break_end night
ev $((-33 * H)) ticket.handled night '"ticket":"n1","channel":"chat","duration_s":900'
ev $((-32 * H)) agent.logout night
for k in 33 31 29 27 25 23 21 19 17 15 13 11 9 7 5 3; do
	ev $((-k * H)) ticket.assigned longin '"ticket":"l'$k'","channel":"email"'
	ev $((-k * H + 600)) message.received longin '"channel":"email","severity":0.2'
	ev $((-k * H + 1200)) ticket.handled longin '"ticket":"l'$k'","channel":"email","duration_s":700'
done
b=$((-26 * H))
ev $b agent.login steady '"team":"t1","tz":"Europe/Berlin"'
ev $((b + 600)) ticket.assigned steady '"ticket":"y-1","channel":"phone"'
ev $((b + 1500)) ticket.handled steady '"ticket":"y-1","channel":"phone","duration_s":800'
ev $((b + 2 * H)) agent.break_start steady
ev $((b + 2 * H + 900)) agent.break_end steady
ev $((b + 8 * H)) agent.logout steady
post "yesterday stored"

ev $((-3 * H)) agent.login steady '"team":"t1","tz":"Europe/Berlin"'
# Busy: an event every 4 min (natural_break_min is 5) for 3 h, so the
# advisor raises breaks while it goes.
i=0
for t in $(seq $((-3 * H + 240)) 240 -240); do
	i=$((i + 1))
	ev "$t" ticket.assigned steady '"ticket":"t-'$i'","channel":"chat"'
	if [ $((i % 5)) = 0 ]; then
		ev $((t + 60)) message.flagged steady '"channel":"chat","severity":0.85'
	fi
	ev $((t + 120)) ticket.handled steady '"ticket":"t-'$i'","channel":"chat","duration_s":110'
done
ev 240 ticket.assigned steady '"ticket":"t-last","channel":"phone"'
ev $((-2 * H)) agent.login oldtix '"team":"t1"'
ev $((-1 * H)) ticket.handled oldtix '"ticket":"old-3a","channel":"email","duration_s":600'
ev $((-1800)) ticket.assigned oldtix '"ticket":"new-1","channel":"email"'
ev 240 message.received oldtix '"channel":"email","severity":0.1'
ev $((-1 * H)) agent.login night
ev $((-1800)) message.flagged night '"channel":"phone","severity":0.95'
ev 240 ticket.assigned night '"ticket":"n2","channel":"phone"'
ev 240 message.received longin '"channel":"email","severity":0.3'
post "today stored"

AGENTS="longin night oldtix steady"
snapshot() {
	local a
	req GET /v1/agents
	printf '%s\n' "$BODY" >"$TMPD/$1.agents"
	for a in $AGENTS; do
		req GET "/v1/agents/$a"
		printf '%s\n' "$BODY" >"$TMPD/$1.$a"
	done
	req GET '/v1/suggestions?limit=500'
	printf '%s\n' "$BODY" >"$TMPD/$1.suggestions"
}
snapshot before

BODY=$(cat "$TMPD/before.agents")
jq_is '[.agents[].agent]' '["longin","night","oldtix","steady"]' \
    "four agents in the model"
BODY=$(cat "$TMPD/before.longin")
jq_is '[.status, .team]' '["working","t2"]' \
    "longin, logged in 40 h ago with work since: working in t2"
BODY=$(cat "$TMPD/before.oldtix")
jq_is '.metrics.open_tickets' 4 \
    "oldtix: 4 assigned days ago, 1 handled today, 1 new: 4 open"
BODY=$(cat "$TMPD/before.suggestions")
n=$(jqb '.suggestions | length')
[ "${n:-0}" -gt 0 ]
check "the busy afternoon raised suggestions ($n)" $?

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
wait_log "state rebuilt: 4 agents"
check "the restart rebuilds the 4 agents of the window" $?
line=$(grep "state rebuilt" "$LOG" | tail -n 1)
stored=$(db_query "SELECT count(*) FROM events")
read_ev=$(printf '%s\n' "$line" | sed -n 's/.*(\([0-9]*\) events of the last 36 h.*/\1/p')
old=$(db_query "SELECT count(*) FROM events WHERE ts < ($T - 36 * 3600) * 1000")
is "$read_ev" "$((stored - old))" \
    "start-up read the events of the last 36 h only ($read_ev of $stored)"

snapshot after
# The level is compared on its own too: a restart carries on the level's
# hysteresis from the newest level the daemon published (the stream
# table); without that an agent whose strain sat in the band under a
# threshold came back a level lower.
nolevel='del(.level?, .agents[]?.level)'
for f in agents $AGENTS suggestions; do
	if cmp -s <(jq -S "$nolevel" "$TMPD/before.$f") \
	    <(jq -S "$nolevel" "$TMPD/after.$f"); then
		ok "$f: the same after the restart"
	else
		not_ok "$f: the same after the restart" \
		    "$(diff <(jq -S . "$TMPD/before.$f") \
		    <(jq -S . "$TMPD/after.$f") | head -n 20)"
	fi
done
if cmp -s "$TMPD/before.agents" "$TMPD/after.agents"; then
	ok "the levels are the same after the restart"
else
	not_ok "the levels are the same after the restart" \
	    "$(diff <(jq -S '[.agents[] | {agent, level, strain}]' \
	    "$TMPD/before.agents") <(jq -S '[.agents[] | {agent, level, strain}]' \
	    "$TMPD/after.agents"))"
fi
BODY=$(cat "$TMPD/after.longin")
jq_is '[.status, .team]' '["working","t2"]' \
    "after the restart longin is still working, in t2"
BODY=$(cat "$TMPD/after.oldtix")
jq_is '.metrics.open_tickets' 4 \
    "after the restart the tickets assigned days ago still count"

# An event from three days ago, sent again, is still a duplicate: the
# UNIQUE id of the events table, whatever start-up read.
post_events "{\"id\":\"s-2\",\"type\":\"ticket.assigned\",\"agent\":\"steady\",\"ticket\":\"d3-1\",\"channel\":\"email\",\"ts\":\"$(rfc3339 $((T - 3 * D + 600)))\"}"
reply_is 202 '{"accepted":0,"duplicates":1}' \
    "an event of three days ago sent again: a duplicate"
req GET /v1/agents/oldtix
jq_is '.metrics.open_tickets' 4 "... and nothing changed"

# An agent busy for an hour two days ago, with a break suggestion still
# open: start-up does not rebuild it (idle 36 h), and its suggestion
# expires as it would have had the agent been rebuilt and forgotten.
b=$((-2 * D + 2 * H))
ev $b agent.login gone '"team":"t3"'
i=0
for t in $(seq $((b + 240)) 240 $((b + 3600))); do
	i=$((i + 1))
	ev "$t" ticket.assigned gone '"ticket":"g-'$i'","channel":"chat"'
	ev $((t + 120)) ticket.handled gone '"ticket":"g-'$i'","channel":"chat","duration_s":100'
done
post "an hour of work two days ago stored"
req GET '/v1/suggestions?agent=gone'
jq_is '[.suggestions[] | [.kind, .status]]' '[["micro_break","open"]]' \
    "gone has a micro break open"
stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
req GET '/v1/suggestions?agent=gone'
jq_is '[.suggestions[] | [.kind, .status]]' '[["micro_break","expired"]]' \
    "after the restart it expired: gone was idle for 36 h"
req GET /v1/agents/gone
jq_is '[.status, .team, .open_suggestions]' '["offline","t3",[]]' \
    "... and gone reads as a forgotten agent"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

done_testing
