#!/usr/bin/env bash
# respite - GET /v1/agents, GET /v1/agents/{id}, breaks, /healthz, /metrics.
#
# The metrics are checked against values computed by hand (MODEL.md) for a
# scripted day whose event times are fixed relative to T, the clock at the
# start of the script.  "now" at each query is T plus a few seconds; every
# expected value below holds for any delay under a minute.

. "$(dirname "$0")/lib.sh"
require_tools
setup

T=$(date +%s)
# The local day starts 3 h before T, so every event below is "today".
DAY_START=$(date -u -d "@$((T - 10800))" +%H:%M)
write_config "[server]
max_clock_skew = 60
[model]
timezone = UTC
day_starts_at = $DAY_START"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# at MINUTES_AGO: RFC 3339 for T - MINUTES_AGO min.
at() {
	rfc3339 $((T - $1 * 60))
}
# at_ms MINUTES_AGO: epoch milliseconds.
at_ms() {
	echo $(((T - $1 * 60) * 1000))
}

# ---- a scripted shift for agent m1 (team sup)
#
#  T-90 login                         T-27 assigned phone t3
#  T-85 assigned phone t1             T-22 handled phone t3 (300 s)
#  T-80 handled phone t1 (300 s)      T-19 assigned email t4
#  T-70 flagged chat, severity 1.0    T-16 received chat, severity 0.3
#  T-50 break start                   T-13 assigned phone t5 (open call)
#  T-40 break end (10 min)            T-10 flagged phone, severity 0.6
#  T-38 assigned chat t2
#  T-30 flagged chat, severity 0.8
#  T-30 handled chat t2 (480 s)
#
# Expected at now = T + d (d < 60 s):
#  open_tickets 2 (5 assigned, 3 handled)
#  tickets_last_hour 2 (T-30 chat, T-22 phone), weighted 1.0 + 1.5 = 2.5
#  occupancy: 8 + 5 min handled over 50 min present (10 before the
#    break, 40 after) = 0.26
#  continuous_work_min: since the break end, 40; the last event is 10 min
#    old, but a phone call (t5) is open, so that quiet is not a break
#  hostile_last_hour 2 (T-30, T-10; T-70 is older, 0.3 is not hostile)
#  hostility_exposure 1.0*2^(-70/30) + 0.8*2^(-30/30) + 0.6*2^(-10/30)
#  minutes_on_break_today 10, worked_today_min 40 + 40 = 80
#  strain: intensity 2.5/12 -> 0, occupancy 0.26 -> 0, continuous
#    40/120 * 20 = 6.67, exposure 1.0746/2 * 25 = 13.43: 20, level ok
{
	echo "{\"type\":\"agent.login\",\"agent\":\"m1\",\"team\":\"sup\",\"ts\":\"$(at 90)\",\"id\":\"m1-1\"}"
	echo "{\"type\":\"ticket.assigned\",\"agent\":\"m1\",\"channel\":\"phone\",\"ticket\":\"t1\",\"ts\":$(at_ms 85)}"
	echo "{\"type\":\"ticket.handled\",\"agent\":\"m1\",\"channel\":\"phone\",\"ticket\":\"t1\",\"duration_s\":300,\"ts\":\"$(at 80)\"}"
	echo "{\"type\":\"message.flagged\",\"agent\":\"m1\",\"channel\":\"chat\",\"severity\":1.0,\"ts\":\"$(at 70)\"}"
	echo "{\"type\":\"agent.break_start\",\"agent\":\"m1\",\"ts\":\"$(at 50)\"}"
	echo "{\"type\":\"agent.break_end\",\"agent\":\"m1\",\"ts\":$(at_ms 40)}"
	echo "{\"type\":\"ticket.assigned\",\"agent\":\"m1\",\"channel\":\"chat\",\"ticket\":\"t2\",\"ts\":\"$(at 38)\"}"
	echo "{\"type\":\"message.flagged\",\"agent\":\"m1\",\"channel\":\"chat\",\"ticket\":\"t2\",\"severity\":0.8,\"categories\":[\"insult\"],\"ts\":\"$(at 30)\"}"
	echo "{\"type\":\"ticket.handled\",\"agent\":\"m1\",\"channel\":\"chat\",\"ticket\":\"t2\",\"duration_s\":480,\"ts\":\"$(at 30)\"}"
	echo "{\"type\":\"ticket.assigned\",\"agent\":\"m1\",\"channel\":\"phone\",\"ticket\":\"t3\",\"ts\":\"$(at 27)\"}"
	echo "{\"type\":\"ticket.handled\",\"agent\":\"m1\",\"channel\":\"phone\",\"ticket\":\"t3\",\"duration_s\":300,\"ts\":\"$(at 22)\"}"
	echo "{\"type\":\"ticket.assigned\",\"agent\":\"m1\",\"channel\":\"email\",\"ticket\":\"t4\",\"ts\":\"$(at 19)\"}"
	echo "{\"type\":\"message.received\",\"agent\":\"m1\",\"channel\":\"chat\",\"severity\":0.3,\"text\":\"thanks\",\"lang\":\"en\",\"ts\":\"$(at 16)\"}"
	echo "{\"type\":\"ticket.assigned\",\"agent\":\"m1\",\"channel\":\"phone\",\"ticket\":\"t5\",\"ts\":\"$(at 13)\"}"
	echo "{\"type\":\"message.flagged\",\"agent\":\"m1\",\"channel\":\"phone\",\"ticket\":\"t5\",\"severity\":0.6,\"ts\":\"$(at 10)\"}"
} >"$TMPD/m1.ndjson"
post_events "@$TMPD/m1.ndjson" -H 'Content-Type: application/x-ndjson'
reply_is 202 '{"accepted":15,"duplicates":0}' "m1's shift: 15 events accepted"

# A hot agent (team hot), working since a login at T-125: 39 phone calls
# of 170 s, each assigned just before it is handled at T-118, T-115, ..
# T-64, then a 60-s call handled at T-61 (outside the hour), then T-55,
# T-52 .. T-1; three severe messages in the last 4 minutes.  No gap is
# 5 min long, so the stretch began at the login.
#  last hour: 19 calls (T-55 .. T-1): weighted 28.5 -> intensity 1 -> 30
#  occupancy 19 * 170 s / 3600 s = 0.8972 -> (0.8972 - 0.6) / 0.35 * 25 = 21.23
#  continuous 125 min -> 20;  exposure ~2.8 -> 25
#  strain 96.2 -> 96, critical
hot_call() {	# MINUTES_AGO DURATION
	echo "{\"type\":\"ticket.assigned\",\"agent\":\"hot1\",\"channel\":\"phone\",\"ts\":\"$(rfc3339 $((T - $1 * 60 - $2)))\"}"
	[ "$1" = 1 ] && for s in 180 170 160; do
		echo "{\"type\":\"message.flagged\",\"agent\":\"hot1\",\"channel\":\"phone\",\"severity\":1,\"ts\":\"$(rfc3339 $((T - s)))\"}"
	done
	echo "{\"type\":\"ticket.handled\",\"agent\":\"hot1\",\"channel\":\"phone\",\"duration_s\":$2,\"ts\":\"$(at "$1")\"}"
}
{
	echo "{\"type\":\"agent.login\",\"agent\":\"hot1\",\"team\":\"hot\",\"ts\":\"$(at 125)\"}"
	for m in $(seq 118 -3 64); do hot_call "$m" 170; done
	hot_call 61 60
	for m in $(seq 55 -3 1); do hot_call "$m" 170; done
} >"$TMPD/hot1.ndjson"
post_events "@$TMPD/hot1.ndjson" -H 'Content-Type: application/x-ndjson'
reply_is 202 '{"accepted":82,"duplicates":0}' "hot1's shift: 82 events accepted"

# Two agents with the same break, one in UTC (the [model] default) and
# one at UTC-2, whose local day began at T-1h: the break is not "today"
# for the second.
for a in tzu:UTC tzw:Etc/GMT+2; do
	post_events "[{\"type\":\"agent.login\",\"agent\":\"${a%%:*}\",\"team\":\"tz\",\"tz\":\"${a#*:}\",\"ts\":\"$(at 100)\"},
	 {\"type\":\"agent.break_start\",\"agent\":\"${a%%:*}\",\"ts\":\"$(at 90)\"},
	 {\"type\":\"agent.break_end\",\"agent\":\"${a%%:*}\",\"ts\":\"$(at 80)\"},
	 {\"type\":\"ticket.assigned\",\"agent\":\"${a%%:*}\",\"channel\":\"chat\",\"ts\":\"$(at 1)\"}]"
done
post_events '{"type":"agent.login","agent":"noteam"}'
status_is 202 "an agent without a team"

# ---- GET /v1/agents/{id}

req GET /v1/agents/m1
Q=$(date +%s)
status_is 200 "GET /v1/agents/m1: 200"
jq_is '[.agent, .team, .status, .updated_at]' "[\"m1\",\"sup\",\"working\",\"$(at 10)\"]" \
    "m1: agent, team, status working, updated_at = newest event"
jq_is 'keys' '["agent","factors","level","metrics","open_suggestions","status","strain","team","updated_at"]' \
    "the agent object has the documented keys"
jq_is '.metrics | keys' '["continuous_work_min","hostile_last_hour","hostility_exposure","minutes_on_break_today","occupancy_last_hour","open_tickets","tickets_last_hour","weighted_load_last_hour","worked_today_min"]' \
    "metrics has the documented keys (and worked_today_min)"
jq_is '.metrics.open_tickets' 2 "open_tickets = 5 assigned - 3 handled = 2"
jq_is '.metrics.tickets_last_hour' 2 "tickets_last_hour = 2"
num_near "$(jqb .metrics.weighted_load_last_hour)" 2.5 1e-9 "weighted_load_last_hour = chat 1.0 + phone 1.5"
num_near "$(jqb .metrics.occupancy_last_hour)" 0.26 1e-9 "occupancy_last_hour = 13 min / 50 min present"
jq_is '.metrics.continuous_work_min' 40 "continuous_work_min = 40 (since the 10-min break; an open call bridges the quiet)"
jq_is '.metrics.hostile_last_hour' 2 "hostile_last_hour = 2 (0.3 is not hostile, T-70 is too old)"
d=$((Q - T))
want=$(awk -v d="$d" 'BEGIN { h = 1800; print (1.0 * 2^(-(4200 + d) / h) + 0.8 * 2^(-(1800 + d) / h) + 0.6 * 2^(-(600 + d) / h)) }')
num_near "$(jqb .metrics.hostility_exposure)" "$want" 0.003 "hostility_exposure ~ $want (half-life 30 min)"
jq_is '.metrics.minutes_on_break_today' 10 "minutes_on_break_today = 10"
jq_is '.metrics.worked_today_min' 80 "worked_today_min = 80"
jq_is '[.strain, .level]' '[20,"ok"]' "strain 20, level ok"
jq_is '[.factors.intensity.position, .factors.occupancy.points]' '[0,0]' "intensity and occupancy below their lower bounds score 0"
num_near "$(jqb .factors.continuous.points)" 6.6667 0.001 "continuous factor: 40/120 of 20 points"
num_near "$(jqb .factors.exposure.value)" "$want" 0.003 "exposure factor value = hostility_exposure"
num_near "$(jqb '.factors | [.[].points] | add')" "$(awk -v w="$want" 'BEGIN { print 20 / 3 + w / 2 * 25 }')" 0.05 \
    "the factors' points add up to the strain"
jq_is '.open_suggestions | map(.kind)' '["recovery_break"]' "open_suggestions holds the recovery break the 0.8 message raised"

req GET /v1/agents/hot1
status_is 200 "GET /v1/agents/hot1: 200"
jq_is '[.metrics.tickets_last_hour, .metrics.open_tickets, .metrics.hostile_last_hour, .metrics.continuous_work_min]' \
    '[19,0,3,125]' "hot1: 19 calls last hour, none open, 3 hostile, 125 min continuous"
num_near "$(jqb .metrics.weighted_load_last_hour)" 28.5 1e-9 "hot1: weighted load 19 * 1.5"
num_near "$(jqb .metrics.occupancy_last_hour)" "$(awk 'BEGIN { print 19 * 170 / 3600 }')" 1e-6 "hot1: occupancy 19 * 170 s / 1 h"
jq_is '[.strain, .level, .factors.intensity.position, .factors.exposure.position]' '[96,"critical",1,1]' \
    "hot1: strain 96, critical (intensity and exposure saturate)"

req GET /v1/agents/tzu
jq_is '.metrics.minutes_on_break_today' 10 "UTC agent: the break 90-80 min ago is today (day began 3 h ago)"
req GET /v1/agents/tzw
jq_is '.metrics.minutes_on_break_today' 0 "UTC-2 agent (tz on login): the same break was before its local day began"

req GET /v1/agents/noteam
jq_is '[.team, .status, .metrics.open_tickets]' '[null,"working",0]' "an agent without a team: team null"

# A late event counts in the windows it falls into.
post_events "[{\"type\":\"agent.login\",\"agent\":\"late1\",\"ts\":\"$(at 30)\"},
 {\"type\":\"ticket.handled\",\"agent\":\"late1\",\"channel\":\"chat\",\"duration_s\":60,\"ts\":\"$(at 2)\"}]"
post_events "{\"type\":\"ticket.handled\",\"agent\":\"late1\",\"channel\":\"phone\",\"duration_s\":120,\"ts\":\"$(at 20)\"}"
req GET /v1/agents/late1
jq_is '[.metrics.tickets_last_hour, .metrics.weighted_load_last_hour, .updated_at]' \
    "[2,2.5,\"$(at 2)\"]" "a late event counts in the last hour; updated_at stays the newest"

req GET /v1/agents/nobody
error_is 404 not_found - - "an unknown agent: 404 not_found"
req GET /v1/agents/bad%20id
error_is 404 not_found - - "an impossible agent id: 404 not_found"
req GET "/v1/agents/$(head -c 65 /dev/zero | tr '\0' a)"
error_is 404 not_found - - "a 65-char agent id: 404 not_found"
req POST /v1/agents/m1 '{}'
error_is 405 method_not_allowed - - "POST /v1/agents/m1: 405"
header_is Allow "GET, HEAD" "405 on an agent: Allow: GET, HEAD"
req GET /v1/agents/m1/nothing
error_is 404 not_found - - "/v1/agents/m1/nothing: 404"

# ---- GET /v1/agents with filters

req GET /v1/agents
status_is 200 "GET /v1/agents: 200"
jq_is '[.agents[].agent]' '["hot1","late1","m1","noteam","tzu","tzw"]' "all agents, sorted by id"
jq_is '[.agents[] | keys] | unique' '[["agent","level","status","strain","team","updated_at"]]' \
    "list entries have agent, team, status, strain, level, updated_at"
jq_is '.agents[] | select(.agent == "m1") | [.team, .status, .strain, .level, .updated_at]' \
    "[\"sup\",\"working\",20,\"ok\",\"$(at 10)\"]" "m1 in the list agrees with GET /v1/agents/m1"
req GET '/v1/agents?team=sup'
jq_is '[.agents[].agent]' '["m1"]' "?team=sup: m1 only"
req GET '/v1/agents?team=tz'
jq_is '[.agents[].agent]' '["tzu","tzw"]' "?team=tz: tzu, tzw"
req GET '/v1/agents?team=nosuch'
reply_is 200 '{"agents":[],"next_cursor":null}' "?team=nosuch: an empty list"
req GET '/v1/agents?level=critical'
jq_is '[.agents[].agent]' '["hot1"]' "?level=critical: hot1"
req GET '/v1/agents?level=high'
reply_is 200 '{"agents":[],"next_cursor":null}' "?level=high: none"
req GET '/v1/agents?level=ok&team=sup'
jq_is '[.agents[].agent]' '["m1"]' "?level=ok&team=sup: m1"
req GET '/v1/agents?level=critical&team=sup'
reply_is 200 '{"agents":[],"next_cursor":null}' "?level=critical&team=sup: none"
req GET '/v1/agents?team=bad%20team'
error_is 400 invalid_request - team "?team=bad%20team: 400 invalid_request, field team"
req GET '/v1/agents?team='
error_is 400 invalid_request - team "?team= (empty): 400 invalid_request, field team"
req GET "/v1/agents?team=$(head -c 65 /dev/zero | tr '\0' t)"
error_is 400 invalid_request - team "?team= 65 chars: 400 invalid_request, field team"
req GET '/v1/agents?level=panic'
error_is 400 invalid_request - level "?level=panic: 400 invalid_request, field level"
req GET '/v1/agents?level=OK'
error_is 400 invalid_request - level "?level=OK (case matters): 400, field level"
req POST /v1/agents '{}'
error_is 405 method_not_allowed - - "POST /v1/agents: 405"

# ---- GET /v1/agents in pages (limit, cursor)

req GET /v1/agents
jq_is .next_cursor null "one page holds them all (limit 1000): next_cursor null"
all=$(jqb '[.agents[].agent]')
got='[]'
cur=
pages=0
while :; do
	req GET "/v1/agents?limit=2${cur:+&cursor=$cur}"
	[ "$STATUS" = 200 ] || break
	pages=$((pages + 1))
	[ "$(jqr '.agents | length <= 2')" = true ] || break
	got=$(jq -cn --argjson a "$got" --argjson b "$(jqb '[.agents[].agent]')" '$a + $b')
	cur=$(jqr '.next_cursor // empty')
	[ -n "$cur" ] && [ "$pages" -lt 20 ] || break
done
is "$got" "$all" "pages of limit=2 cover every agent exactly once, in id order"
is "$pages" 3 "... in 3 pages for 6 agents"
jq_is .next_cursor null "... the last page's next_cursor is null"
req GET '/v1/agents?limit=5&team=tz'
jq_is '[[.agents[].agent], .next_cursor]' '[["tzu","tzw"],null]' "?team=tz&limit=5: one page"
req GET '/v1/agents?limit=1&team=tz'
jq_is '[.agents[].agent]' '["tzu"]' "?team=tz&limit=1: tzu ..."
req GET "/v1/agents?limit=1&team=tz&cursor=$(jqr .next_cursor)"
jq_is '[[.agents[].agent], .next_cursor]' '[["tzw"],null]' "... then tzw, and the end"
req GET '/v1/agents?level=critical&limit=1'
jq_is '[[.agents[].agent], .next_cursor]' '[["hot1"],null]' "?level=critical&limit=1: hot1, no next page"
req GET '/v1/agents?limit=5000'
status_is 200 "limit=5000 (the most): 200"
for bad in 0 5001 -1 abc 1x 99999999999999999999 ''; do
	req GET "/v1/agents?limit=$bad"
	error_is 400 invalid_request - limit "limit=$bad: 400 invalid_request, field limit"
done
for bad in zz 6 '%00' "$(printf 'ab%.0s' $(seq 1 70))"; do
	req GET "/v1/agents?cursor=$bad"
	error_is 400 invalid_request - cursor "cursor=${bad:0:12}: 400 invalid_request, field cursor"
done

# ---- POST /v1/agents/{id}/break

post_events '{"type":"agent.login","agent":"brk","team":"b"}'
req POST /v1/agents/brk/break '{"action":"start"}'
status_is 200 "break start: 200"
jq_is '[.agent, .team, .status, (.metrics | type), (.factors | type)]' '["brk","b","on_break","object","object"]' \
    "break start replies with the full agent object, status on_break"
req GET /v1/agents/brk
jq_is .status '"on_break"' "GET after break start: on_break"
req POST /v1/agents/brk/break '{"action":"start"}'
error_is 409 conflict - action "break start while on break: 409 conflict"
req POST /v1/agents/brk/break '{"action":"end"}'
status_is 200 "break end: 200"
jq_is .status '"working"' "break end: status working"
req POST /v1/agents/brk/break '{"action":"end"}'
error_is 409 conflict - action "break end while not on break: 409 conflict"
req POST /v1/agents/brk/break '{"action":"pause"}'
error_is 400 invalid_request - action "action pause: 400 invalid_request, field action"
req POST /v1/agents/brk/break '{}'
error_is 400 invalid_request - action "no action: 400 invalid_request, field action"
req POST /v1/agents/brk/break '{"action":1}'
error_is 400 invalid_request - action "action not a string: 400, field action"
req POST /v1/agents/brk/break '{"action":'
error_is 400 bad_json - - "a broken body: 400 bad_json"
req POST /v1/agents/ghost/break '{"action":"start"}'
error_is 404 not_found - - "break for an unknown agent: 404 not_found"
req GET /v1/agents/brk/break
error_is 405 method_not_allowed - - "GET on /break: 405"
header_is Allow POST "405 on /break: Allow: POST"
post_events '{"type":"agent.logout","agent":"brk"}'
req POST /v1/agents/brk/break '{"action":"start"}'
error_is 409 conflict - action "break start for an offline agent: 409 conflict"
req GET /v1/agents/brk
jq_is .status '"offline"' "a logged-out agent is offline"
if have_sqlite3; then
	is "$(db_query "SELECT group_concat(type) FROM (SELECT type FROM events WHERE agent = 'brk' ORDER BY seq)")" \
	    "1,3,4,2" "the API breaks are stored as agent.break_start/end events"
else
	skip "the API breaks are stored as events" "sqlite3 is not installed"
fi

# ---- /healthz and /metrics

req GET /healthz
reply_is 200 "{\"status\":\"ok\",\"db\":\"ok\",\"version\":\"$($RESPITED -V 2>/dev/null | awk '{ print $2 }')\"}" \
    "GET /healthz: {status: ok, db: ok, version}"
is "$(header_get Content-Type)" "application/json; charset=utf-8" "healthz is JSON"
is "$(curl -sS -I -o /dev/null -w '%{http_code}/%{size_download}' "$BASE/healthz")" \
    "200/0" "HEAD /healthz: 200, no body"
req POST /healthz '{}'
error_is 405 method_not_allowed - - "POST /healthz: 405"

# A known number of rejects, then read the counters.
post_events '{"type":"agent.login"}'
post_events '{"type":"agent.login","agent":"x y"}'
req GET /metrics
status_is 200 "GET /metrics: 200"
like "$(header_get Content-Type)" '^text/plain' "metrics are text/plain"
metric() {
	printf '%s\n' "$BODY" | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "absent" }'
}
# agent.login: m1, hot1, tzu, tzw, noteam, late1, brk = 7
is "$(metric 'respite_events_ingested_total{type="agent.login"}')" 7 "respite_events_ingested_total{type=\"agent.login\"} = 7"
is "$(metric 'respite_events_ingested_total{type="ticket.handled"}')" 44 "respite_events_ingested_total{type=\"ticket.handled\"} = 3 + 39 + 2"
is "$(metric 'respite_events_ingested_total{type="agent.break_start"}')" 4 "break_start counted from events and the API (4)"
is "$(metric 'respite_rejects_total{code="invalid_event"}')" 2 "respite_rejects_total{code=\"invalid_event\"} = 2"
is "$(metric 'respite_rejects_total{code="conflict"}')" 3 "respite_rejects_total{code=\"conflict\"} = 3"
is "$(metric 'respite_rejects_total{code="not_found"}')" 5 "respite_rejects_total{code=\"not_found\"} = 5"
is "$(metric 'respite_rejects_total{code="invalid_request"}')" 19 "respite_rejects_total{code=\"invalid_request\"} = 8 + 11 (limit, cursor)"
inf=$(metric 'respite_commit_seconds_bucket{le="+Inf"}')
cnt=$(metric 'respite_commit_seconds_count')
if [ "$inf" != absent ] && [ "$inf" = "$cnt" ] && [ "$cnt" -ge 5 ]; then
	ok "respite_commit_seconds_bucket{le=\"+Inf\"} = respite_commit_seconds_count = $cnt"
else
	not_ok "respite_commit_seconds histogram" "+Inf $inf, count $cnt"
fi
printf '%s\n' "$BODY" | awk '/^respite_commit_seconds_bucket/ { v = $2 + 0; if (v < prev) bad = 1; prev = v; n++ } END { exit bad || n < 2 }'
check "respite_commit_seconds_bucket is cumulative" $?
is "$(metric 'respite_http_requests_total{route="/v1/events",status="202"}')" 9 \
    "respite_http_requests_total{route=\"/v1/events\",status=\"202\"} = 9"
is "$(metric 'respite_http_requests_total{route="/v1/agents/{id}",status="404"}')" 3 \
    "respite_http_requests_total for /v1/agents/{id} 404 = 3"
printf '%s\n' "$BODY" | grep -v '^#' | grep -v '^$' | grep -qv '^respite_'
check "every metric name starts with respite_" $((!$?))
printf '%s\n' "$BODY" | grep -q '^# TYPE respite_commit_seconds histogram$'
check "respite_commit_seconds is declared a histogram" $?

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

done_testing
