#!/usr/bin/env bash
# respite - aggregate privacy mode against differencing (MODEL.md
# "Privacy modes", issue 13 item 3).  A lead compared the team figures
# before and after one agent went offline and recovered that agent's
# strain.  Here, with exactly min_group (5) agents working:
#
#   - the lead's figures are a snapshot taken at the aggregate_refresh_min
#     boundary: an agent logging off, and every later read, change nothing
#     until the next boundary (the admin, meanwhile, sees the change);
#   - at the next boundary four are working: every figure is withheld, so
#     no pair of reads isolates the one who left;
#   - no max and no p90, ever; hostile_last_hour and open_tickets are
#     withheld for a team with one working agent;
#   - a restart keeps the same snapshot (it is of the boundary, not of the
#     start);
#   - the lead's team stream carries no per-agent item: no status change,
#     no level, and nothing of a hostile burst that raises a recovery
#     break (which the agent's own stream receives).
# Event times are far ahead of the wall clock (max_clock_skew 1 day), so
# the model's clock is theirs and no wall-clock position can flip a check.

. "$(dirname "$0")/lib.sh"
require_tools
setup

TOKENS=$TMPD/tokens
T_ADMIN=rsp_admin-$RANDOM$RANDOM
T_INGEST=rsp_ingest-$RANDOM$RANDOM
T_LEAD=rsp_lead-$RANDOM$RANDOM
cat >"$TOKENS" <<EOT
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_INGEST") ingest helpdesk
sha256:$(hash "$T_LEAD") lead:t1,t2 lead-one
EOT
asreq() {
	local t=$1 m=$2 p=$3 b=${4:-}
	req "$m" "$p" "$b" -H "Authorization: Bearer $t"
}
ingest() {
	post_events "$1" -H "Authorization: Bearer $T_INGEST"
	status_is 202 "$2"
}

write_config "[server]
max_clock_skew = 86400
[auth]
tokens_file = $TOKENS
rate = 0
[privacy]
lead_view = aggregate
min_group = 5
aggregate_refresh_min = 15"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

R=$((15 * 60 * 1000))
B1=$(( ($(now_ms) / R + 9) * R ))	# a boundary 2 hours ahead or more
B2=$((B1 + R))
MIN=60000

# ev TYPE AGENT MS [EXTRA JSON]
ev() {
	printf '{"type":"%s","agent":"%s","ts":%s%s}' "$1" "$2" "$3" "${4:+,$4}"
}

# Before B1: five agents of t1 at work, a1 with hostile messages and
# tickets; t2 has one agent working with hostile messages and tickets.
T=$((B1 - 10 * MIN))
evs=
for a in a1 a2 a3 a4 a5; do
	evs="$evs$(ev agent.login $a $T '"team":"t1"'),"
	evs="$evs$(ev ticket.assigned $a $((T + 1000)) "\"ticket\":\"k-$a\",\"channel\":\"chat\""),"
done
evs="$evs$(ev message.received a1 $((T + 2000)) '"channel":"chat","ticket":"k-a1","severity":0.6'),"
evs="$evs$(ev message.received a1 $((T + 3000)) '"channel":"chat","ticket":"k-a1","severity":0.6'),"
evs="$evs$(ev agent.login solo $T '"team":"t2"'),"
evs="$evs$(ev ticket.assigned solo $((T + 1000)) '"ticket":"k-solo","channel":"chat"'),"
evs="$evs$(ev message.received solo $((T + 2000)) '"channel":"chat","ticket":"k-solo","severity":0.6'),"
evs="$evs$(ev agent.login off1 $T '"team":"t2"'),"
evs="$evs$(ev agent.logout off1 $((T + 1000)))"
ingest "[$evs]" "the shift before the boundary is taken"

# The lead's stream of t1, open from here on.
curl -sS -N --max-time "$(slow 60)" -o "$TMPD/lead.sse" \
    -H "Authorization: Bearer $T_LEAD" "$BASE/v1/stream?team=t1" \
    2>"$TMPD/lead.err" &
bg_register $!
curl -sS -N --max-time "$(slow 60)" -o "$TMPD/a2.sse" \
    -H "Authorization: Bearer $T_ADMIN" "$BASE/v1/stream?agent=a2" \
    2>"$TMPD/a2.err" &
bg_register $!
sleep 0.5

# An event just after B1 crosses it: the snapshot is of the model before.
ingest "[$(ev ticket.assigned a2 $((B1 + MIN)) '"ticket":"k-a2b","channel":"chat"')]" \
    "an event after the boundary"
asreq "$T_LEAD" GET /v1/teams/t1
status_is 200 "the lead reads t1"
S1=$(jqb 'del(.open_lead_suggestions)')
jq_is '.as_of' "\"$(rfc3339 $((B1 / 1000)))\"" "figures as of the boundary B1"
jq_is '[.agents, .status.working, (.strain | keys)]' '[5,5,["mean","p50"]]' \
    "5 working: mean and p50 only, no max, no p90"
jq_check '.hostile_last_hour == 2 and .open_tickets == 5' \
    "hostile messages and open tickets over the five (the ticket after B1 not yet)"
asreq "$T_LEAD" GET /v1/teams
jq_check '[.teams[].strain | select(. != null) | (has("max") or has("p90"))] | any | not' \
    "no team of the list has max or p90"

# a1 logs off: the admin sees it at once, the lead does not.
ingest "[$(ev agent.logout a1 $((B1 + 2 * MIN)))]" "a1 logs off"
asreq "$T_ADMIN" GET /v1/teams/t1
jq_is '.status.working' 4 "admin: 4 working now"
asreq "$T_LEAD" GET /v1/teams/t1
is "$(jqb 'del(.open_lead_suggestions)')" "$S1" \
    "lead: the figures are unchanged after a1 logged off"
ingest "[$(ev ticket.assigned a3 $((B2 - 1000)) '"ticket":"k-a3b","channel":"chat"')]" \
    "more work a second before the next boundary"
asreq "$T_LEAD" GET /v1/teams/t1
is "$(jqb 'del(.open_lead_suggestions)')" "$S1" \
    "lead: unchanged until the next boundary"

# A hostile burst on a2 raises a recovery break: its own stream has it.
ingest "[$(ev message.flagged a2 $((B2 - 500)) '"channel":"chat","severity":0.95')]" \
    "a hostile burst on a2"
for i in $(seq 1 "$(slow 100)"); do
	grep -q recovery_break "$TMPD/a2.sse" && break
	sleep 0.05
done
grep -q recovery_break "$TMPD/a2.sse"
check "a2's own stream receives the recovery break" $?

# A second team: one agent working.
asreq "$T_LEAD" GET /v1/teams/t2
jq_is '[.status.working, .hostile_last_hour, .open_tickets, .strain, .levels]' \
    '[1,null,null,null,null]' \
    "t2, one working agent: hostile_last_hour and open_tickets withheld"
like "$(jqr .suppressed)" "min_group" "... and the reply says why"
asreq "$T_ADMIN" GET /v1/teams/t2
jq_check '.hostile_last_hour >= 1 and .open_tickets >= 1' \
    "admin: t2's figures exist"

# Restart inside the period: the same snapshot, not one of the restart.
stop_daemon
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
asreq "$T_LEAD" GET /v1/teams/t1
is "$(jqb 'del(.open_lead_suggestions)')" "$S1" \
    "after a restart: the snapshot of B1, unchanged"

# Cross B2: four working, every figure withheld.
ingest "[$(ev ticket.assigned a4 $((B2 + MIN)) '"ticket":"k-a4b","channel":"chat"')]" \
    "an event after the next boundary"
asreq "$T_LEAD" GET /v1/teams/t1
jq_is '[.as_of, .status.working, .strain, .levels, .hostile_last_hour, .open_tickets]' \
    "[\"$(rfc3339 $((B2 / 1000)))\",4,null,null,null,null]" \
    "at B2: four working, every figure withheld"

# The lead's stream: nothing about one agent, ever.
N=$(grep -cE '^event: (agent|level)' "$TMPD/lead.sse")
is "$N" 0 "the lead's stream carried no agent or level item"
N=$(grep -c 'recovery_break\|"agent":"a' "$TMPD/lead.sse")
is "$N" 0 "... and nothing of a2's recovery break or any agent"
stop_daemon
done_testing
