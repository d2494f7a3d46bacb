#!/usr/bin/env bash
# respite - suggestions, teams and history over HTTP, on a real respited.
#
# A scripted shift with explicit past times: four agents of team "sup"
# work 55 minutes ending now (a message every 2 minutes), so each has a
# micro break created 50 minutes after the login; in team "t1" an agent
# at high strain with 4 open tickets gets a rebalancing suggestion for
# the lead.  Then the answers (accept, snooze twice and a refused third,
# dismiss), every refusal, the list filters and cursor pagination, the
# team figures, the history buckets, and a restart that keeps every
# suggestion and continues the id sequence.  No sleeps: time moves with
# event times (a snoozed suggestion reopens when a later event arrives).

. "$(dirname "$0")/lib.sh"
require_tools
setup

T=$(date +%s)
# Not on a whole minute: bob's event at T+5 min would then find carol and
# dave idle for exactly 5 minutes, a natural break that expires their
# micro breaks (1 run in 60 failed so).  A second ahead is well within
# max_clock_skew.
[ $((T % 60)) -eq 0 ] && T=$((T + 1))
W0=$((T / 60 * 60))		# the current whole minute
L=$((W0 - 55 * 60))		# sup's login, 55 minutes ago
B=$((W0 - 40 * 60))		# t1 starts 40 minutes ago

write_config "[server]
max_clock_skew = 600
[model]
timezone = UTC"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# counts_match DESC: the counts of /metrics, kept as things change, agree
# with a count of the database (suggestions) and of the API (agents).
counts_match() {
	local m d
	req GET /metrics
	m=$(printf '%s\n' "$BODY" | sed -n 's/^respite_suggestions{kind="\([^"]*\)",status="\([^"]*\)"} \([0-9]*\)$/\1 \2 \3/p' | sort)
	d=$(db_query "SELECT kind || ' ' || status || ' ' || count(*) FROM suggestions GROUP BY kind, status" | sort)
	is "$m" "$d" "$1: respite_suggestions{kind,status} = a count of the database"
	m=$(printf '%s\n' "$BODY" | sed -n 's/^respite_agents{status="\([^"]*\)"} \([0-9]*\)$/\1 \2/p' | awk '$2 > 0' | sort)
	req GET '/v1/agents?limit=5000'
	d=$(jqr '.agents | group_by(.status) | map("\(.[0].status) \(length)") | .[]' | sort)
	is "$m" "$d" "$1: respite_agents{status} = GET /v1/agents"
}


# ev TYPE AGENT EPOCH_S [JSON_FIELDS]: one NDJSON event line.
ev() {
	printf '{"type":"%s","agent":"%s","ts":%s%s}\n' "$1" "$2" \
	    "$(($3 * 1000))" "${4:+,$4}"
}

# ---- team sup: four agents, 55 minutes of work ending now
#
# Login at L, a chat message every 2 minutes (L+2 .. L+54) and one at T.
# Continuous work is 50 minutes at L+50 (an event, a whole minute): one
# micro break each, created at L+50; the next rule (rest, 110 min) is an
# hour away.
{
	for a in alice bob carol dave; do
		ev agent.login "$a" "$L" '"team":"sup"'
		for m in $(seq 2 2 54); do
			ev message.received "$a" $((L + m * 60)) '"channel":"chat"'
		done
		ev message.received "$a" "$T" '"channel":"chat"'
	done
} >"$TMPD/sup.ndjson"
# In one write with a GET of the suggestions behind it (a pipeline): the
# GET is read as soon as the 202 is out, before any timer, and must still
# find what the events raised stored (the outbox is written before a read).
if have_python; then
	{
		printf 'POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n' \
		    "$(wc -c <"$TMPD/sup.ndjson")"
		cat "$TMPD/sup.ndjson"
		printf 'GET /v1/suggestions?team=sup HTTP/1.1\r\nHost: localhost\r\n\r\n'
	} >"$TMPD/pipe"
	BODY=$(timeout 20 python3 "$(dirname "$0")/rawhttp.py" send 127.0.0.1 \
	    "$PORT" 2 <"$TMPD/pipe")
	PIPE=$BODY
	STATUS=$(jqr '.responses[0].status')
	BODY=$(jqr '.responses[0].body')
	reply_is 202 '{"accepted":116,"duplicates":0}' "team sup: 116 events accepted"
	BODY=$PIPE
	jq_is '[.responses[1].status, (.responses[1].body | fromjson |
	    .suggestions | map(.agent) | sort)]' \
	    '[200,["alice","bob","carol","dave"]]' \
	    "... and a GET pipelined behind them finds their four micro breaks stored"
else
	post_events "@$TMPD/sup.ndjson" -H 'Content-Type: application/x-ndjson'
	reply_is 202 '{"accepted":116,"duplicates":0}' "team sup: 116 events accepted"
	skip "a GET pipelined behind the events" "python3 is not installed"
fi

# ---- team t1: a rebalancing suggestion for the lead
#
# hi: phone calls back to back from B (assigned B+2(k-1), handled B+2k,
# 120 s, k = 1..20) and 3 chat tickets left open.  At B+26: 13 calls x
# 1.5 / 12 -> intensity 30, occupancy 26/26 -> 25, continuous 26 -> 4.33:
# 59.  At the whole minute B+27: occupancy 26/27 = 0.963 -> 25 (capped),
# continuous 4.5: 59.5, rounded half up 60, high.  10 minutes later
# (B+37) hi has 4 open tickets, the team median of [4, 1, 0, 3] is 2:
# ok1 (phone, 1 open) takes min(4 - 2, 3) = 2.  ok2 holds none but works
# email only; ok3 holds 3.
{
	ev agent.login hi "$B" '"team":"t1"'
	for t in c1 c2 c3; do
		ev ticket.assigned hi "$B" "\"channel\":\"chat\",\"ticket\":\"$t\""
	done
	for k in $(seq 1 20); do
		ev ticket.assigned hi $((B + (k - 1) * 120)) "\"channel\":\"phone\",\"ticket\":\"h$k\""
		ev ticket.handled hi $((B + k * 120)) "\"channel\":\"phone\",\"ticket\":\"h$k\",\"duration_s\":120"
	done
	ev agent.login ok1 "$B" '"team":"t1"'
	ev ticket.assigned ok1 "$B" '"channel":"phone","ticket":"p1"'
	ev ticket.assigned ok1 "$B" '"channel":"phone","ticket":"p2"'
	ev ticket.handled ok1 $((B + 1800)) '"channel":"phone","ticket":"p1","duration_s":60'
	ev agent.login ok2 "$B" '"team":"t1"'
	ev ticket.assigned ok2 $((B + 600)) '"channel":"email","ticket":"e1"'
	ev ticket.handled ok2 $((B + 1200)) '"channel":"email","ticket":"e1","duration_s":300'
	ev agent.login ok3 "$B" '"team":"t1"'
	for t in q1 q2 q3; do
		ev ticket.assigned ok3 "$B" "\"channel\":\"phone\",\"ticket\":\"$t\""
	done
} >"$TMPD/t1.unsorted"
# In time order, as a helpdesk sends them (jq's sort_by is stable).
jq -c -s 'sort_by(.ts) | .[]' "$TMPD/t1.unsorted" >"$TMPD/t1.ndjson"
post_events "@$TMPD/t1.ndjson" -H 'Content-Type: application/x-ndjson'
reply_is 202 '{"accepted":55,"duplicates":0}' "team t1: 55 events accepted"

# ---- the micro break, in the shape of API.md

req GET "/v1/suggestions?agent=alice&status=open"
status_is 200 "GET /v1/suggestions?agent=alice&status=open: 200"
jq_is '.suggestions | length' 1 "alice has one open suggestion"
jq_is '.next_cursor' null "one page: next_cursor null"
jq_is '.suggestions[0] | [.kind, .agent, .team, .status, .priority, .minutes, .audience]' \
    '["micro_break","alice","sup","open","normal",5,"agent"]' \
    "alice: micro_break, team sup, open, normal, 5 minutes, audience agent"
jq_is '.suggestions[0].created_at' "\"$(rfc3339 $((L + 3000)))\"" \
    "created_at is the login + 50 min"
jq_is '.suggestions[0].reason' '"50 minutes of work without a break"' \
    "the reason names the figure"
jq_check '.suggestions[0].id | test("^s-[0-9]{6}$")' "id is \"s-\" and 6 digits"
jq_check '.suggestions[0] | (has("id") and has("kind") and has("agent") and
    has("team") and has("created_at") and has("status") and has("priority")
    and has("minutes") and has("reason") and has("audience"))' \
    "every field of API.md is there"
A_ID=$(jqr '.suggestions[0].id')
req GET /v1/agents/alice
jq_is "[.open_suggestions[] | .id]" "[\"$A_ID\"]" \
    "GET /v1/agents/alice lists it in open_suggestions"

req GET "/v1/suggestions?kind=rebalance"
jq_is '.suggestions | length' 1 "one rebalancing suggestion"
jq_is '.suggestions[0] | [.kind, .agent, .team, .from, .to, .move, .audience, .status]' \
    '["rebalance",null,"t1","hi","ok1",{"tickets":2},"lead","open"]' \
    "rebalance: from hi to ok1, move 2 tickets, audience lead"
jq_is '.suggestions[0].created_at' "\"$(rfc3339 $((B + 37 * 60)))\"" \
    "rebalance created 10 minutes after hi turned high"
R_ID=$(jqr '.suggestions[0].id')

idof() {	# idof AGENT: the id of the agent's micro break
	curl -sS "$BASE/v1/suggestions?agent=$1&kind=micro_break" |
	    jq -r '.suggestions[0].id'
}
B_ID=$(idof bob)
C_ID=$(idof carol)
D_ID=$(idof dave)

# ---- accept: the break starts

req POST "/v1/suggestions/$A_ID" '{"action":"accept"}'
status_is 200 "accept: 200"
jq_is '[.id, .status, .kind]' "[\"$A_ID\",\"accepted\",\"micro_break\"]" \
    "accept: the updated suggestion, status accepted"
jq_check '.answered_at | type == "string"' "accept: answered_at is set"
req GET /v1/agents/alice
jq_is '[.status, (.open_suggestions | length)]' '["on_break",0]' \
    "alice is on_break after accepting, nothing open"
req POST "/v1/suggestions/$A_ID" '{"action":"dismiss"}'
error_is 409 conflict - action "answering an accepted suggestion again: 409"

# ---- snooze twice, priority rises, a third is refused
#
# Snoozed for 1 minute at now; a later event of bob (ts 3 minutes ahead:
# max_clock_skew is 10 min) brings his time past it and it reopens; the
# second snooze runs from bob's time (T+3 min); an event 5 minutes ahead
# reopens it with priority high.

req POST "/v1/suggestions/$B_ID" '{"action":"snooze","minutes":1}'
status_is 200 "snooze: 200"
jq_is '[.status, .snoozes, .priority]' '["snoozed",1,"normal"]' \
    "snooze: status snoozed, once"
jq_check '.snoozed_until | type == "string"' "snooze: snoozed_until is set"
req GET "/v1/suggestions?agent=bob&status=snoozed"
jq_is "[.suggestions[].id]" "[\"$B_ID\"]" "listed with status=snoozed"
req POST "/v1/suggestions/$B_ID" '{"action":"snooze"}'
error_is 409 conflict - action "snoozing a snoozed suggestion: 409"

post_events "$(ev message.received bob $((T + 180)) '"channel":"chat"')"
status_is 202 "bob: an event 3 minutes ahead"
req GET "/v1/suggestions?agent=bob"
jq_is '.suggestions[0] | [.id, .status, .priority]' "[\"$B_ID\",\"open\",\"normal\"]" \
    "reopened after the first snooze, priority still normal"
req POST "/v1/suggestions/$B_ID" '{"action":"snooze","minutes":1}'
status_is 200 "second snooze: 200"
jq_is '[.status, .snoozes]' '["snoozed",2]' "second snooze: snoozed, twice"
post_events "$(ev message.received bob $((T + 300)) '"channel":"chat"')"
req GET "/v1/suggestions?agent=bob"
jq_is '.suggestions[0] | [.id, .status, .priority]' "[\"$B_ID\",\"open\",\"high\"]" \
    "reopened after the second snooze with priority high"
req POST "/v1/suggestions/$B_ID" '{"action":"snooze","minutes":1}'
error_is 409 conflict - action "a third snooze: 409 conflict"
req GET "/v1/suggestions?agent=bob"
jq_is '.suggestions[0].status' '"open"' "still open after the refused snooze"

# ---- dismiss

req POST "/v1/suggestions/$C_ID" '{"action":"dismiss"}'
status_is 200 "dismiss: 200"
jq_is '[.id, .status]' "[\"$C_ID\",\"dismissed\"]" "dismiss: status dismissed"
req GET /v1/agents/carol
jq_is '[.status, (.open_suggestions | length)]' '["working",0]' \
    "carol keeps working, nothing open"

counts_match "raised, accepted, snoozed, dismissed, expired"

# ---- refusals

req POST /v1/suggestions/s-999999 '{"action":"accept"}'
error_is 404 not_found - - "an unknown id: 404"
req POST /v1/suggestions/nonsense '{"action":"accept"}'
error_is 404 not_found - - "a malformed id: 404"
req POST "/v1/suggestions/$C_ID" '{"action":"accept"}'
error_is 409 conflict - action "an already answered suggestion: 409"
req POST "/v1/suggestions/$D_ID" '{"action":"later"}'
error_is 400 invalid_request - action "a bad action: 400 with field action"
req POST "/v1/suggestions/$D_ID" '{}'
error_is 400 invalid_request - action "no action: 400 with field action"
for m in 0 31 -1 '"5"' 2.5; do
	req POST "/v1/suggestions/$D_ID" "{\"action\":\"snooze\",\"minutes\":$m}"
	error_is 400 invalid_request - minutes "snooze minutes $m: 400 with field minutes"
done
req POST "/v1/suggestions/$D_ID" '{"action":'
error_is 400 bad_json - - "a body that is not JSON: 400 bad_json"
req GET "/v1/suggestions/$D_ID"
error_is 405 method_not_allowed - - "GET on a suggestion: 405"
req GET "/v1/suggestions?agent=dave"
jq_is '.suggestions[0].status' '"open"' "dave's is untouched by the refusals"

# ---- filters

count() {	# count QUERY: how many suggestions the query lists
	curl -sS "$BASE/v1/suggestions?$1" | jq '.suggestions | length'
}
is "$(count '')" 5 "5 suggestions in all"
is "$(count 'team=sup')" 4 "team=sup: 4"
is "$(count 'team=t1')" 1 "team=t1: 1"
is "$(count 'team=nobody')" 0 "an unknown team: none"
is "$(count 'kind=micro_break')" 4 "kind=micro_break: 4"
is "$(count 'kind=rest_break')" 0 "kind=rest_break: 0"
is "$(count 'status=open')" 3 "status=open: 3 (bob, dave, the rebalance)"
is "$(count 'status=accepted')" 1 "status=accepted: 1"
is "$(count 'status=dismissed')" 1 "status=dismissed: 1"
is "$(count 'audience=lead')" 1 "audience=lead: 1"
is "$(count 'audience=agent')" 4 "audience=agent: 4"
is "$(count 'audience=agent&team=sup&status=open')" 2 "filters combine: 2"
is "$(count "since=$(rfc3339 $((W0 - 240)))")" 1 \
    "since 4 minutes ago (RFC 3339): the rebalance only"
is "$(count "since=$(((W0 - 240) * 1000))")" 1 "since as epoch milliseconds: the same"
is "$(count "since=$(rfc3339 $((L + 3000)))")" 5 "since the micro breaks: all 5"
req GET "/v1/suggestions?kind=team_overload&status=open"
jq_is '.' '{"suggestions":[],"next_cursor":null}' "an empty list: [] and next_cursor null"
req GET "/v1/suggestions"
jq_check '[.suggestions[].id] == ([.suggestions[].id] | sort | reverse)' \
    "newest first"

for bad in status=pending kind=coffee_break audience=everyone since=yesterday \
    limit=0 limit=1001 limit=ten cursor=abc 'agent=a%20b' 'team=t%21'; do
	req GET "/v1/suggestions?$bad"
	error_is 400 invalid_request - "${bad%%=*}" "?$bad: 400 with field ${bad%%=*}"
done

# ---- pagination: limit=1 walks every suggestion once

req GET "/v1/suggestions?limit=1000"
all=$(jqb '[.suggestions[].id]')
seen='[]'
cursor=
pages=0
while :; do
	req GET "/v1/suggestions?limit=1${cursor:+&cursor=$cursor}"
	[ "$STATUS" = 200 ] || break
	pages=$((pages + 1))
	seen=$(jq -c -n --argjson s "$seen" --argjson p "$(jqb '[.suggestions[].id]')" '$s + $p')
	cursor=$(jqr '.next_cursor // empty')
	if [ -z "$cursor" ] || [ "$pages" -ge 20 ]; then
		break
	fi
done
is "$pages" 5 "limit=1: 5 pages"
is "$seen" "$all" "limit=1: every suggestion once, in order, until next_cursor is null"
req GET "/v1/suggestions?limit=2&team=sup"
jq_is '.suggestions | length' 2 "limit=2&team=sup: a page of 2"
c2=$(jqr '.next_cursor')
req GET "/v1/suggestions?limit=2&team=sup&cursor=$c2"
jq_is '[(.suggestions | length), .next_cursor]' '[2,null]' \
    "the filter holds across pages: 2 more, then null"

# ---- teams

req GET /v1/teams
status_is 200 "GET /v1/teams: 200"
jq_is '[.teams[].team]' '["sup","t1"]' "two teams, by name"
jq_is '.teams[0] | keys' \
    '["agents","hostile_last_hour","levels","open_lead_suggestions","open_tickets","status","strain","team"]' \
    "a team's fields"
jq_is '.teams[0] | [.agents, .status, .open_tickets, .open_lead_suggestions, .hostile_last_hour]' \
    '[4,{"working":3,"on_break":1,"offline":0},0,0,0]' \
    "sup: 4 agents, 3 working and 1 on break, no tickets"
jq_is '.teams[0].strain | keys' '["max","mean","p50","p90"]' "strain: mean, p50, p90, max"
jq_is '.teams[0].levels | keys' '["critical","elevated","high","ok"]' "levels: ok .. critical"
jq_check '.teams[0] | (.levels | add) == (.status.working + .status.on_break)' \
    "levels count the agents present"
req GET /v1/teams/t1
status_is 200 "GET /v1/teams/t1: 200"
jq_is '[.team, .agents, .status.working, .open_tickets, .open_lead_suggestions]' \
    '["t1",4,4,7,1]' "t1: 4 working, 7 open tickets (3+1+0+3), 1 open lead suggestion"
jq_check '.strain.max >= 60 and .levels.high + .levels.critical >= 1 and
    .strain.p50 <= .strain.p90 and .strain.p90 <= .strain.max and
    .strain.mean <= .strain.max' "t1: hi's strain is the max, p50 <= p90 <= max"
req GET /v1/teams/nobody
error_is 404 not_found - - "an unknown team: 404"

# ---- history

req GET /v1/agents/alice/history
status_is 200 "GET /v1/agents/alice/history: 200"
jq_is '[.agent, .step_s, (.buckets | length)]' '["alice",900,32]' \
    "default: 8 hours in 15-minute buckets"
jq_is '.buckets[0] | keys' '["factors","level","metrics","strain","t"]' "a bucket: t, strain, level, metrics, factors"
jq_check '.buckets[-1].metrics | has("continuous_work_min") and has("hostility_exposure") and has("open_tickets")' \
    "bucket metrics"
req GET "/v1/agents/alice/history?from=$(rfc3339 "$L")&to=$(rfc3339 $((L + 3000)))&step=600"
status_is 200 "history with from, to, step: 200"
jq_is '[.step_s, (.buckets | length), .buckets[0].t, .buckets[4].t]' \
    "[600,5,\"$(rfc3339 $((L + 600)))\",\"$(rfc3339 $((L + 3000)))\"]" \
    "from/to/step: 5 buckets of 10 minutes, each stamped at its end"
jq_is '[.buckets[] | .metrics.continuous_work_min]' '[10,20,30,40,50]' \
    "continuous work in the buckets: 10, 20 .. 50"
for bad in step=abc step=10 step=; do
	req GET "/v1/agents/alice/history?$bad"
	error_is 400 invalid_request - step "history ?$bad: 400 with field step"
done
req GET "/v1/agents/alice/history?from=$(rfc3339 "$T")&to=$(rfc3339 $((T - 60)))"
error_is 400 invalid_request - from "history with from after to: 400"
req GET /v1/agents/nobody/history
error_is 404 not_found - - "history of an unknown agent: 404"

# ---- restart: same ids, same statuses; ids continue

req GET "/v1/suggestions?limit=1000"
before=$(jqb '[.suggestions[] | {id, kind, agent, status, priority, created_at, snoozes}]')
max_before=$(jqr '[.suggestions[].id] | max')
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
req GET "/v1/suggestions?limit=1000"
after=$(jqb '[.suggestions[] | {id, kind, agent, status, priority, created_at, snoozes}]')
is "$after" "$before" "after a restart: the same suggestions, ids and statuses"
counts_match "after a restart"
req GET /v1/agents/dave
jq_is "[.open_suggestions[] | .id]" "[\"$D_ID\"]" "dave's open suggestion is restored"
req POST "/v1/suggestions/$C_ID" '{"action":"accept"}'
error_is 409 conflict - action "an answered suggestion is still answered after the restart"
req POST "/v1/suggestions/$D_ID" '{"action":"snooze","minutes":5}'
jq_is '[.id, .status]' "[\"$D_ID\",\"snoozed\"]" "a restored suggestion can be answered"

# A severe message with no ticket: a recovery break at once, with the
# next id (none is reused).
post_events "[$(ev agent.login erin "$T" '"team":"sup"'),
 $(ev message.flagged erin "$T" '"channel":"chat","severity":0.9')]"
status_is 202 "erin: a severe message"
req GET "/v1/suggestions?agent=erin"
jq_is '.suggestions[0] | [.kind, .status, .created_at]' \
    "[\"recovery_break\",\"open\",\"$(rfc3339 "$T")\"]" "erin: a recovery break at once"
new_id=$(jqr '.suggestions[0].id')
is "$new_id" "$(printf 's-%06d' $((10#${max_before#s-} + 1)))" \
    "the id sequence continues after the restart ($max_before, then $new_id)"

# The lead accepts the rebalancing: no break starts for anyone.
req POST "/v1/suggestions/$R_ID" '{"action":"accept"}'
status_is 200 "the lead accepts the rebalance: 200"
jq_is '[.id, .status, .from, .to]' "[\"$R_ID\",\"accepted\",\"hi\",\"ok1\"]" \
    "rebalance accepted"
req GET /v1/agents/hi
jq_is '.status' '"working"' "accepting a lead suggestion starts no break"
req GET /v1/teams/t1
jq_is '.open_lead_suggestions' 0 "t1: no open lead suggestion left"
counts_match "after more answers"

# ---- retention: answered suggestions deleted, the counts follow

# ---- ids and created_at disagree: the list and its cursor follow the ids
# Five agents of team pg, each raising a recovery break by a severe
# message, posted one after the other with event times out of order (as a
# late or replayed feed does): the ids go by release, created_at by event
# time.  Pages of two must give the full list, ids falling, none twice.
for p in 1:0 2:600 3:300 4:900 5:60; do
	post_events "[$(ev agent.login "pg${p%%:*}" $((T - ${p#*:})) '"team":"pg"'),
 $(ev message.flagged "pg${p%%:*}" $((T - ${p#*:})) '"channel":"chat","severity":0.9')]"
done
req GET '/v1/suggestions?team=pg'
full=$(jqb '[.suggestions[].id]')
jq_check '(.suggestions | length) == 5 and ([.suggestions[].created_at] |
    . != (sort | reverse))' \
    "pg: five suggestions, newest id first, created_at out of that order"
jq_check '[.suggestions[].id] == ([.suggestions[].id] | sort | reverse)' \
    "pg: GET /v1/suggestions lists by id, newest first"
pages='[]' cursor= n=0
while [ "$n" -lt 10 ]; do
	n=$((n + 1))
	req GET "/v1/suggestions?team=pg&limit=2${cursor:+&cursor=$cursor}"
	[ "$STATUS" = 200 ] || break
	pages=$(printf '%s' "$pages" | jq -c --argjson b "$BODY" \
	    '. + [$b.suggestions[].id]')
	cursor=$(jqr '.next_cursor // empty')
	[ -n "$cursor" ] || break
done
is "$pages" "$full" "pg: pages of two, cursor by cursor, give each suggestion once ($n pages)"

stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
closed=$(db_query "SELECT count(*) FROM suggestions WHERE status NOT IN ('open', 'snoozed')")
db_query "UPDATE suggestions SET written = 0 WHERE status NOT IN ('open', 'snoozed')" >/dev/null
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
for i in $(seq 1 $(( $(slow 10) * 10 ))); do
	left=$(db_query "SELECT count(*) FROM suggestions WHERE status NOT IN ('open', 'snoozed')")
	[ "$left" -lt "$closed" ] && break
	sleep 0.1
done
check "retention deleted answered suggestions ($closed, then $left)" $(( left >= closed ))
counts_match "after retention"
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
done_testing
