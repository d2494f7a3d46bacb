#!/usr/bin/env bash
# respite - the lead's web page (docs/web.md).
#
# First with curl: the files respited serves at / (types, ETag and 304,
# no-cache, the Content-Security-Policy, HEAD, 405, no token needed even
# when the API wants one) and the factors in /v1/agents/{id}/history that
# its chart draws.
#
# Then in a real browser: Debian's chromium, headless, driven by
# playwright-core from the npm registry (installed once into a cache
# outside the tree: $RESPITE_WEB_CACHE, else ~/.cache/respite-web-test)
# through web.mjs, against respited fed with a replayed shift (respitectl
# simulate | respitectl replay, plus an overloaded agent that raises a
# rebalancing): the table shows the agents and levels of GET /v1/agents,
# sorting, the agent's chart, a break and hostile messages change rows
# live, accepting the lead suggestion changes it in the API, phone size,
# German labels, offline and back; the Weeks view (35 past days of hi
# and ok4 replayed first: hi's days and trend as /v1/agents/hi/days and
# /trend say, reached from hi's wellbeing_check, German reasons on a
# German page) and the team's weeks; then with tokens (the prompt on 401,
# refused tokens, sessionStorage) and in aggregate privacy mode (no rows,
# and why; the team's weeks without the days of fewer than min_group
# agents).  The browser part is skipped with a message when chromium,
# node or npm is missing or the npm registry cannot be reached.
#
# Screenshots go to the build directory ($RESPITE_WEB_SHOTS, else the
# current one): web-team.png (the README's), web-phone.png,
# web-aggregate.png, web-weeks.png.

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${RESPITECTL:-}" ]; then
	case "$RESPITED" in
	*/respited) RESPITECTL=$(dirname "$RESPITED")/respitectl ;;
	*) RESPITECTL=respitectl ;;
	esac
fi
C=$RESPITECTL
have "$C" || [ -x "$C" ] || bail_out "no respitectl to test (set RESPITECTL)"
SRC=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

# The shift ends a few minutes ahead (max_clock_skew allows it): every
# agent's `now` is its newest event, so the figures hold still while the
# browser looks at them.
#
# Nothing the test asserts may depend on where the wall clock falls: the
# simulated shift is made once at a fixed anchor (ANCHOR, 8 hours ending
# at 14:00 UTC) and moved to end at F, so its events are the same
# relative to F whatever the time of day (the simulator's daily curves
# and time zones would otherwise change it); its agents lose their time
# zones and the working day starts an hour before the shift (day_starts_at
# in UTC), so no 04:00 falls inside it.
T=$(date +%s)
F=$((T / 60 * 60 + 300))	# the shift's end
B=$((F - 40 * 60))		# hi's and ok4's start
ANCHOR=1795413600		# 2026-11-23T06:00:00Z, the simulation's start
BASECONF="[server]
max_clock_skew = 900
[model]
timezone = UTC
day_starts_at = $(date -u -d "@$((F - 9 * 3600))" +%H:%M)"
write_config "$BASECONF"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

ev() {	# ev TYPE AGENT EPOCH_S [JSON_FIELDS]
	printf '{"type":"%s","agent":"%s","ts":%s%s}\n' "$1" "$2" \
	    "$(($3 * 1000))" "${4:+,$4}"
}
# In team-a hi, who takes phone calls back to back holding three chats
# (high, from intensity), and ok4, idle: a rebalancing from hi to ok4 for
# the lead.  They are replayed first, alone in the team, so ok4 is the only
# teammate the tickets can go to; then two simulated teams of eight (their
# team-a members arrive behind the team's clock, each judged on its own
# events).  Whatever the simulated agents raise, hi's rebalancing is there.
{
	ev agent.login hi "$B" '"team":"team-a"'
	for t in c1 c2 c3; do
		ev ticket.assigned hi "$B" "\"channel\":\"chat\",\"ticket\":\"$t\""
	done
	for k in $(seq 1 20); do
		ev ticket.assigned hi $((B + (k - 1) * 120)) "\"channel\":\"phone\",\"ticket\":\"h$k\""
		ev ticket.handled hi $((B + k * 120)) "\"channel\":\"phone\",\"ticket\":\"h$k\",\"duration_s\":120"
	done
	ev agent.login ok4 "$B" '"team":"team-a"'
	ev ticket.assigned ok4 $((B + 600)) '"channel":"phone","ticket":"o1"'
	ev ticket.handled ok4 $((B + 900)) '"channel":"phone","ticket":"o1","duration_s":300'
	ev message.received ok4 "$F" '"channel":"email"'
} | jq -c -s 'sort_by(.ts) | .[]' >"$TMPD/shift.ndjson"
$C simulate --agents 16 --teams 2 --hours 8 --seed 7 --open-end \
    --start "$(rfc3339 "$ANCHOR")" 2>"$TMPD/simulate.err" |
    jq -c --argjson d $((F - 8 * 3600 - ANCHOR)) \
    'del(.tz) | .ts = ((.ts | fromdateiso8601) + $d) * 1000' \
    >>"$TMPD/shift.ndjson"
# The weeks before it (the Weeks view): 35 working days of hi and ok4,
# each 1 to 8 hours after the day's start (D, [model] day_starts_at, UTC
# here), a ticket every 12 minutes, a 30-minute break; hi's last 7 days
# run 11 hours with 3 hostile messages each (its trend: high, a
# wellbeing_check for the lead).  Replayed before the shift.
D=$((F - 9 * 3600))
have_python || bail_out "python3 is needed to write the past weeks"
python3 - "$D" >"$TMPD/weeks.ndjson" <<'PY'
import json, sys
day0 = int(sys.argv[1])
evs = []
for agent in ("hi", "ok4"):
    for ago in range(35, 0, -1):
        d = day0 - ago * 86400
        long = agent == "hi" and ago <= 7
        start, end = d + 3600, d + (12 if long else 8) * 3600
        brk = d + 4 * 3600
        evs.append({"type": "agent.login", "agent": agent, "team": "team-a",
                    "ts": start})
        t, n = start, 0
        while t + 600 <= end - 60:
            if brk - 720 < t < brk + 1800:
                t += 720
                continue
            tk = "w-%s-%d-%d" % (agent, ago, n)
            evs.append({"type": "ticket.assigned", "agent": agent,
                        "ts": t + 60, "ticket": tk, "channel": "chat"})
            if long and n % 15 == 3:
                evs.append({"type": "message.flagged", "agent": agent,
                            "ts": t + 120, "ticket": tk, "channel": "chat",
                            "severity": 0.9})
            evs.append({"type": "ticket.handled", "agent": agent,
                        "ts": t + 540, "ticket": tk, "channel": "chat",
                        "duration_s": 300})
            n += 1
            t += 720
        evs.append({"type": "agent.break_start", "agent": agent, "ts": brk})
        evs.append({"type": "agent.break_end", "agent": agent, "ts": brk + 1800})
        evs.append({"type": "agent.logout", "agent": agent, "ts": end})
evs.sort(key=lambda e: e["ts"])
for e in evs:
    e["ts"] *= 1000
    print(json.dumps(e))
PY
$C replay -q --url "$BASE" "$TMPD/weeks.ndjson" >/dev/null 2>"$TMPD/replay.err"
check "35 past days of hi and ok4 replay ($(wc -l <"$TMPD/weeks.ndjson") events)" $?
$C replay -q --url "$BASE" "$TMPD/shift.ndjson" >/dev/null 2>>"$TMPD/replay.err"
check "the shift replays ($(wc -l <"$TMPD/shift.ndjson") events)" $?
req GET /v1/agents/hi/trend
jq_check '.risk == "high" and ([.signals[].name] | index("long_days")) != null' \
    "the weeks: hi's trend is high, with long days"
req GET '/v1/suggestions?agent=hi&kind=wellbeing_check'
jq_check '[.suggestions[] | select(.audience == "lead")] | length == 1' \
    "the weeks: one wellbeing_check for hi's lead"
req GET '/v1/suggestions?team=team-a&audience=lead&status=open'
jq_check 'any(.suggestions[]; .kind == "rebalance" and .from == "hi" and
    .to == "ok4" and .move.tickets > 0)' \
    "the shift raised a rebalancing of tickets from hi to ok4 for team-a's lead"

# ---- the files, with curl

req GET /
status_is 200 "GET / answers 200 (no token)"
header_is Content-Type "text/html; charset=utf-8" "GET /: text/html"
header_is Cache-Control "no-cache" "GET /: Cache-Control: no-cache (not no-store)"
like "$(header_get Content-Security-Policy)" "^default-src 'self'(;|$)" \
    "GET /: Content-Security-Policy: default-src 'self'"
header_is X-Content-Type-Options nosniff "GET /: X-Content-Type-Options: nosniff"
ETAG=$(header_get ETag)
like "$ETAG" '^"[0-9]+-[0-9]+"$' "GET /: an ETag"
like "$BODY" '<script src="app.js" defer></script>' "GET /: the page loads app.js"
if printf '%s' "$BODY" | grep -Eq '<script>|<style|style='; then
	not_ok "GET /: no inline script or style (the CSP forbids them)"
else
	ok "GET /: no inline script or style (the CSP forbids them)"
fi
LEN=$(wc -c <"$TMPD/req.body")
req GET /index.html
is "$STATUS $(header_get ETag)" "200 $ETAG" "GET /index.html is the same file"
for f in app.js:text/javascript common.js:text/javascript app.css:text/css \
    common.css:text/css icon.svg:image/svg+xml; do
	req GET "/${f%%:*}"
	is "$STATUS $(header_get Content-Type | sed 's/;.*//') $(header_get Cache-Control)" \
	    "200 ${f#*:} no-cache" "GET /${f%%:*}: ${f#*:}, no-cache"
done
req GET / "" -H "If-None-Match: $ETAG"
is "$STATUS $(header_get ETag) ${#BODY}" "304 $ETAG 0" \
    "If-None-Match with the ETag: 304, no body"
req GET / "" -H 'If-None-Match: "0-0"'
status_is 200 "If-None-Match with another tag: 200"
HEAD=$(curl -sS -I --max-time 5 "$BASE/" | tr -d '\r')
like "$HEAD" "^HTTP/1.1 200" "HEAD / answers 200"
like "$HEAD" "Content-Length: $LEN" "HEAD /: the Content-Length of GET"
req POST / '{}'
is "$STATUS $(header_get Allow)" "405 GET, HEAD" "POST / is 405 with Allow: GET, HEAD"
req GET /nothing.html
error_is 404 not_found - - "another path is still a JSON 404"

# The chart's data: each bucket's factors add up to its strain.
req GET '/v1/agents/hi/history?step=600'
jq_check '(.buckets | length) > 0 and all(.buckets[];
    (.factors | keys) == ["continuous", "exposure", "intensity", "occupancy"]
    and ((.factors | [.[].points] | add) - .strain | fabs) <= 0.5001)' \
    "history: every bucket has the four factors, their points adding up to the strain"

# ---- in a browser

browser_setup "the page in a real browser"
export END_MS=$((F * 1000)) TEAM=team-a

# web PHASE: web.mjs PHASE in the background, stopping and starting the
# daemon when it asks; each of its lines becomes a TAP line.
web() {
	local phase=$1 pid rc kind desc why
	rm -f "$SYNC/stop" "$SYNC/stop.done" "$SYNC/start" "$SYNC/start.done"
	timeout -k 10 "$(slow 300)" node "$SRC/tests/integration/web.mjs" \
	    "$phase" >"$TMPD/web-$phase.out" 2>"$TMPD/web-$phase.err" &
	pid=$!
	bg_register "$pid"
	while running "$pid"; do
		if [ -f "$SYNC/stop" ] && [ ! -f "$SYNC/stop.done" ]; then
			stop_daemon || diag "respited did not stop cleanly: $DAEMON_RC"
			touch "$SYNC/stop.done"
		fi
		if [ -f "$SYNC/start" ] && [ ! -f "$SYNC/start.done" ]; then
			start_daemon || diag "respited did not come back"
			touch "$SYNC/start.done"
		fi
		sleep 0.1
	done
	wait "$pid"
	rc=$?
	while IFS=$'\t' read -r kind desc why; do
		case $kind in
		PASS) ok "$desc" ;;
		FAIL) not_ok "$desc" "$why" ;;
		esac
	done <"$TMPD/web-$phase.out"
	if [ "$rc" -ne 0 ]; then
		not_ok "web.mjs $phase ran to its end (exit $rc)" \
		    "$(tail -n 15 "$TMPD/web-$phase.err")"
	fi
}

web open
[ -n "$DAEMON_PID" ] || start_daemon || bail_out "respited did not start again"

# Tokens: the page stays public, the API does not.
TOKEN_LEAD=$($C token --file "$TMPD/tokens" add --role lead:team-a --label lead-a 2>/dev/null)
TOKEN_AGENT=$($C token --file "$TMPD/tokens" add --role agent:agent-001 --label agent-1 2>/dev/null)
TOKEN_INGEST=$($C token --file "$TMPD/tokens" add --role ingest --label feeder 2>/dev/null)
export TOKEN_LEAD TOKEN_AGENT TOKEN_INGEST
stop_daemon
start_daemon || bail_out "respited did not start with tokens: $(tail -n 5 "$LOG")"
req GET /
status_is 200 "with tokens: GET / still needs none"
req GET /v1/teams
status_is 401 "with tokens: GET /v1/teams without one is 401"
web tokens

write_config "$BASECONF
[privacy]
lead_view = aggregate"
stop_daemon
start_daemon || bail_out "respited did not start in aggregate mode: $(tail -n 5 "$LOG")"
web aggregate

done_testing
