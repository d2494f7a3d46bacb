#!/usr/bin/env bash
# respite - respitectl for a lead: status, agent, suggestions, accept,
# dismiss and snooze against a real respited, with a scripted shift that
# raises suggestions (as in suggestions.sh); then the exit statuses, and
# paging, 503 and the token against a small fake server.
#
# The shift ends a few minutes in the future (max_clock_skew allows it):
# an agent's `now` is the later of the wall clock and its newest event, so
# every figure stays put while the test runs and what respitectl prints
# can be compared with what the API says a moment later.

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
unset RESPITE_URL NO_COLOR

T=$(date +%s)
F=$((T / 60 * 60 + 300))	# the shift's end: a whole minute, 4-5 min ahead
L=$((F - 55 * 60))		# sup's login
B=$((F - 40 * 60))		# t1's start

write_config "[server]
max_clock_skew = 900
[model]
timezone = UTC"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# run ARGS...: respitectl against the daemon; sets OUT, ERR, RC, MS.
run() {
	local t0
	t0=$(now_ms)
	$C "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	MS=$(( $(now_ms) - t0 ))
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

# rc_is N DESC: the exit status of the last run.
rc_is() {
	if [ "$RC" = "$1" ]; then
		ok "$2"
	else
		not_ok "$2" "expected exit $1, got $RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

# api PATH: GET from the daemon, the body on stdout.
api() {
	curl -sS --max-time "$(slow 10)" "$BASE$1"
}

# json_eq A B DESC: two JSON texts are equal as values.
json_eq() {
	if jq -n -e --argjson a "$1" --argjson b "$2" '$a == $b' >/dev/null 2>&1; then
		ok "$3"
	else
		not_ok "$3" "expected: $2" "     got: $1"
	fi
}

# ev TYPE AGENT EPOCH_S [JSON_FIELDS]: one NDJSON event line.
ev() {
	printf '{"type":"%s","agent":"%s","ts":%s%s}\n' "$1" "$2" \
	    "$(($3 * 1000))" "${4:+,$4}"
}

# ---- the shift
#
# Team sup: four agents, a chat message every 2 minutes for 55 minutes:
# a micro break each (continuous work 50 min), strain 9 from continuous
# work alone.  bob also gets three hostile messages (severity 0.9) in the
# last 10 minutes: exposure 2.4, 25 points, a recovery break.
# Team t1 (as in suggestions.sh): hi takes phone calls back to back and
# holds 3 chats, strain about 62 from intensity; a rebalancing from hi to
# ok1 for the lead.  ok2 had nothing to do for the last 20 minutes: a
# natural break, strain 0.  Everyone's newest event is at the end.
{
	for a in alice bob carol dave; do
		ev agent.login "$a" "$L" '"team":"sup"'
		for m in $(seq 2 2 54); do
			ev message.received "$a" $((L + m * 60)) '"channel":"chat"'
		done
	done
	for m in 10 5 1; do
		ev message.flagged bob $((F - m * 60)) '"channel":"chat","severity":0.9'
	done
	for a in alice bob carol dave; do
		ev message.received "$a" "$F" '"channel":"chat"'
	done
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
	ev message.received ok1 "$F" '"channel":"phone","ticket":"p2"'
	ev agent.login ok2 "$B" '"team":"t1"'
	ev ticket.assigned ok2 $((B + 600)) '"channel":"email","ticket":"e1"'
	ev ticket.handled ok2 $((B + 1200)) '"channel":"email","ticket":"e1","duration_s":300'
	ev message.received ok2 "$F" '"channel":"email"'
	ev agent.login ok3 "$B" '"team":"t1"'
	for t in q1 q2 q3; do
		ev ticket.assigned ok3 "$B" "\"channel\":\"phone\",\"ticket\":\"$t\""
	done
	ev message.received ok3 "$F" '"channel":"phone","ticket":"q1"'
} >"$TMPD/shift.unsorted"
jq -c -s 'sort_by(.ts) | .[]' "$TMPD/shift.unsorted" >"$TMPD/shift.ndjson"
N=$(wc -l <"$TMPD/shift.ndjson")
run replay -q --url "$BASE" "$TMPD/shift.ndjson"
rc_is 0 "the scripted shift replays ($N events)"
export RESPITE_URL=$BASE

AGENTS="alice bob carol dave hi ok1 ok2 ok3"
for a in $AGENTS; do
	api "/v1/agents/$a" >"$TMPD/agent-$a.json"
done

# ---- status, piped

run status
rc_is 0 "status exits 0"
if printf '%s' "$OUT" | grep -q $'\033'; then
	not_ok "status piped: no escape codes" "$OUT"
else
	ok "status piped: no escape codes"
fi
diag "$OUT"
like "$(printf '%s\n' "$OUT" | head -n 1)" '^AGENT +TEAM +STATUS +LEVEL +STRAIN +TOP FACTOR +OPEN$' \
    "status: a header line"
ROWS=$(printf '%s\n' "$OUT" | awk 'NR > 1 && NF == 7')
is "$(printf '%s\n' "$ROWS" | wc -l)" 8 "status: one row an agent"
is "$(printf '%s\n' "$ROWS" | awk '{ print $5 }' | sort -s -n -r | tr '\n' ' ')" \
    "$(printf '%s\n' "$ROWS" | awk '{ print $5 }' | tr '\n' ' ')" \
    "status: rows sorted by strain, highest first"
is "$(printf '%s\n' "$ROWS" | awk '{ print $1 }' | tr '\n' ' ')" \
    "hi bob alice carol dave ok1 ok3 ok2 " \
    "status: hi, bob, the sup agents, then t1 (ties by agent id)"
# Each row against the API: team, status, level, strain, top factor, open.
want=$(for a in $AGENTS; do
	jq -r '[.agent, .team, .status, .level, (.strain | tostring),
	    ((.factors | to_entries | max_by(.value.points)) as $m |
	     if $m.value.points > 0 then $m.key else "-" end),
	    (.open_suggestions | length | tostring)] | join(" ")' "$TMPD/agent-$a.json"
done | sort)
got=$(printf '%s\n' "$ROWS" | awk '{ $1 = $1; print }' | sort)
is "$got" "$want" "status: every cell as GET /v1/agents/ID says"
is "$(printf '%s\n' "$ROWS" | awk '$1 == "hi" { print $4, $6 }')" "high intensity" \
    "status: hi is high, top factor intensity"
is "$(printf '%s\n' "$ROWS" | awk '$1 == "bob" { print $6, $7 }')" "exposure 2" \
    "status: bob's top factor is exposure, with 2 open suggestions"
is "$(printf '%s\n' "$ROWS" | awk '$1 == "alice" { print $6, $7 }')" "continuous 1" \
    "status: alice's top factor is continuous work, 1 open"
is "$(printf '%s\n' "$ROWS" | awk '$1 == "ok2" { print $5, $6 }')" "0 -" \
    "status: no strain, no top factor (-)"
like "$OUT" '^team sup: 4 agents \(4 working, 0 on break, 0 offline\); strain mean [0-9.]+, p50 9, p90 34, max 34$' \
    "status: a summary line for team sup"
like "$OUT" '^  [0-9]+ hostile messages? in the last hour, [0-9]+ open tickets?, 1 open lead suggestion$' \
    "status: team t1 has one open lead suggestion"
TEAMS=$(api /v1/teams)
is "$(printf '%s\n' "$OUT" | grep -c '^team ')" "$(printf '%s' "$TEAMS" | jq '.teams | length')" \
    "status: one summary an API team"

run status --team t1
rc_is 0 "status --team t1 exits 0"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1 && NF == 7 { print $1 }' | tr '\n' ' ')" "hi ok1 ok3 ok2 " \
    "status --team t1: its four agents only"
is "$(printf '%s\n' "$OUT" | grep '^team ' | cut -d: -f1)" "team t1" "status --team t1: its summary only"
run status --team nosuch
rc_is 1 "status --team of an unknown team exits 1"
like "$ERR" 'not_found: no team "nosuch"' "... with the server's code and message"

# --json: the API's objects as they are.
run status --json
rc_is 0 "status --json exits 0"
want=$(for a in hi bob alice carol dave ok1 ok3 ok2; do cat "$TMPD/agent-$a.json"; done |
    jq -s -c --argjson t "$TEAMS" '{agents: ., teams: $t.teams}')
json_eq "$OUT" "$want" "status --json: {agents: GET /v1/agents/ID in table order, teams: GET /v1/teams}"
run status --team sup --json
json_eq "$(printf '%s' "$OUT" | jq -c .teams)" "[$(api /v1/teams/sup)]" \
    "status --team --json: teams is [GET /v1/teams/T]"

# On a terminal: the level in colour, unless NO_COLOR.
if script -qec true /dev/null >/dev/null 2>&1; then
	TTYOUT=$(script -qec "$C status --team t1" /dev/null </dev/null)
	if printf '%s' "$TTYOUT" | grep -q $'\033\\[31mhigh'; then
		ok "status on a terminal: high in red"
	else
		not_ok "status on a terminal: high in red" "$TTYOUT"
	fi
	if printf '%s' "$TTYOUT" | grep -q $'\033\\[32mok'; then
		ok "status on a terminal: ok in green"
	else
		not_ok "status on a terminal: ok in green" "$TTYOUT"
	fi
	TTYOUT=$(NO_COLOR=1 script -qec "$C status --team t1" /dev/null </dev/null)
	if printf '%s' "$TTYOUT" | grep -q $'\033\\['; then
		not_ok "NO_COLOR: no colour on a terminal" "$TTYOUT"
	else
		ok "NO_COLOR: no colour on a terminal"
	fi
else
	skip "status on a terminal: high in red" "no script(1)"
	skip "status on a terminal: ok in green" "no script(1)"
	skip "NO_COLOR: no colour on a terminal" "no script(1)"
fi

# ---- agent ID

run agent bob
rc_is 0 "agent bob exits 0"
diag "$OUT"
like "$OUT" "^bob \\(team sup\\): working, strain $(jq .strain "$TMPD/agent-bob.json"), level $(jq -r .level "$TMPD/agent-bob.json")\$" \
    "agent: status, strain and level on the first line"
for f in intensity occupancy continuous exposure; do
	want=$(jq -r --arg f "$f" '.factors[$f] | "\($f) \(.value) \(.position) \(.points)"' "$TMPD/agent-bob.json" |
	    awk '{ printf "%s %.2f %.2f %.2f\n", $1, $2, $3, $4 }')
	is "$(printf '%s\n' "$OUT" | awk -v f="$f" '$1 == f && NF == 4 { $1 = $1; print }')" "$want" \
	    "agent: factor $f with value, position and points"
done
like "$OUT" "^total +$(jq '[.factors[].points] | add' "$TMPD/agent-bob.json" | awk '{ printf "%.2f", $1 }')\$" \
    "agent: the points' total"
missing=$(jq -r '.metrics | to_entries[] |
    "\(.key) \(if (.value | floor) == .value then .value else (.value * 100 | round / 100) end)"' \
    "$TMPD/agent-bob.json" | while read -r k v; do
	printf '%s\n' "$OUT" | awk -v k="$k" -v v="$v" '$1 == k && $2 + 0 == v + 0 { f = 1 }
	    END { exit !f }' || echo "$k=$v"
done)
is "$missing" "" "agent: every metric with its value"
is "$(printf '%s\n' "$OUT" | grep -Eo '^s-[0-9]{6} ' | tr -d ' ' | sort | tr '\n' ' ')" \
    "$(jq -r '.open_suggestions[].id' "$TMPD/agent-bob.json" | sort | tr '\n' ' ')" \
    "agent: its open suggestions"
like "$OUT" 'recovery_break +high +open +' "agent: the recovery break, high, open"
run agent bob --json
json_eq "$OUT" "$(cat "$TMPD/agent-bob.json")" "agent --json equals GET /v1/agents/ID"
run agent ok2
like "$OUT" '^no open suggestions$' "agent: none open, said so"
run agent zed
rc_is 1 "agent of an unknown id exits 1"
like "$ERR" '^respitectl: not_found: no agent "zed"$' "... with the server's code and message"

# ---- suggestions

OPEN=$(api "/v1/suggestions?status=open&limit=50")
run suggestions --open
rc_is 0 "suggestions --open exits 0"
diag "$OUT"
like "$(printf '%s\n' "$OUT" | head -n 1)" '^ID +CREATED +AGENT +KIND +PRIORITY +STATUS +REASON$' \
    "suggestions: a header line"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" \
    "$(printf '%s' "$OPEN" | jq -r '.suggestions[].id' | tr '\n' ' ')" \
    "suggestions --open: the open ones, newest first"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $6 }' | sort -u)" open "suggestions --open: all open"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1' | wc -l)" 6 \
    "six open: four micro breaks, bob's recovery break, the rebalancing"
like "$OUT" '^s-[0-9]{6} +[0-9T:Z-]+ +hi->ok1 +rebalance +[a-z]+ +open +' \
    "suggestions: the rebalancing shows from->to"
run suggestions --open --json
json_eq "$OUT" "$OPEN" "suggestions --open --json equals the API's reply"
run suggestions --team sup --kind micro_break
is "$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $3 }' | sort | tr '\n' ' ')" \
    "alice bob carol dave " "suggestions --team --kind filter"
run suggestions --agent bob --limit 1
rc_is 0 "suggestions --limit 1 exits 0"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1' | wc -l)" 1 "--limit 1: one row"
like "$ERR" 'the first 1 shown; --limit shows more' "--limit: says there are more"
run suggestions --agent bob --limit 1 --json
is "$(printf '%s' "$OUT" | jq -c '[(.suggestions | length), (.next_cursor | type)]')" '[1,"string"]' \
    "--limit 1 --json: one suggestion and the next cursor"
run suggestions --agent nobody
is "$RC $OUT" "0 no suggestions" "no suggestions: said so, exit 0"

ALICE=$(api '/v1/suggestions?agent=alice&kind=micro_break' | jq -r '.suggestions[0].id')
CAROL=$(api '/v1/suggestions?agent=carol&kind=micro_break' | jq -r '.suggestions[0].id')
DAVE=$(api '/v1/suggestions?agent=dave&kind=micro_break' | jq -r '.suggestions[0].id')

# ---- accept, dismiss, snooze

run accept "$ALICE"
rc_is 0 "accept exits 0"
is "$OUT" "$ALICE accepted: micro_break for alice" "accept prints the new status"
is "$(api /v1/agents/alice | jq -r .status)" on_break "accept: alice is on_break (API)"
run accept "$ALICE"
rc_is 1 "accepting again exits 1"
like "$ERR" "cannot accept $ALICE: conflict" "... with a clear conflict message"

run dismiss "$DAVE" --json
rc_is 0 "dismiss --json exits 0"
is "$(printf '%s' "$OUT" | jq -r '[.id, .status] | join(" ")')" "$DAVE dismissed" \
    "dismiss --json prints the updated suggestion"

run snooze "$CAROL" --minutes 1
rc_is 0 "snooze exits 0"
like "$OUT" "^$CAROL snoozed until [0-9T:Z-]+ \\(snoozed 1 time\\): micro_break for carol\$" \
    "snooze prints the status and until when"
post_events "$(ev message.received carol $((F + 120)) '"channel":"chat"')"
run snooze "$CAROL" --minutes 1
rc_is 0 "a second snooze, once it reopened, exits 0"
like "$OUT" "snoozed 2 times" "... snoozed twice"
post_events "$(ev message.received carol $((F + 240)) '"channel":"chat"')"
is "$(api "/v1/suggestions?agent=carol&kind=micro_break" | jq -r '.suggestions[0].status')" open \
    "reopened after the second snooze"
run snooze "$CAROL"
rc_is 1 "a third snooze exits 1"
like "$ERR" "^respitectl: cannot snooze $CAROL: conflict \\(field action\\): " \
    "a third snooze: the conflict and the server's reason"
run accept s-999999
rc_is 1 "an unknown suggestion id exits 1"
like "$ERR" 'not_found' "... named not_found"
run dismiss 'no such/id'
rc_is 1 "an id with odd characters is sent escaped, and not found"

# ---- exit statuses and usage

DEAD=$(free_port)
run status --url "http://127.0.0.1:$DEAD"
rc_is 69 "status with no daemon listening exits 69"
like "$ERR" "cannot reach respited at http://127.0.0.1:$DEAD/v1/agents" "... naming the address"
if [ "$MS" -lt "$(slow 3000)" ]; then ok "... at once ($MS ms)"; else not_ok "... at once" "$MS ms"; fi
RESPITE_URL=http://127.0.0.1:$DEAD run agent bob
rc_is 69 "\$RESPITE_URL names the daemon"
run accept --url "http://127.0.0.1:$DEAD/" s-000001
rc_is 69 "accept with no daemon exits 69"

for args in "agent" "agent a b" "status extra" "status --bogus" "suggestions --limit 0" \
    "suggestions --kind nope" "suggestions --open --status accepted" "snooze" \
    "accept --minutes 3 s-000001" "snooze --minutes x s-000001" "status --url ftp://x" \
    "suggestions --team"; do
	run $args
	rc_is 2 "usage: respitectl $args exits 2"
done
run status -h
rc_is 0 "status -h exits 0"
like "$OUT" '^usage: respitectl status \[--team T\]' "status -h prints its usage"
run -h
like "$OUT" '75 +respited stays unavailable' "-h lists the exit statuses"
for c in status agent suggestions accept dismiss snooze; do
	like "$OUT" "^  $c " "-h lists $c"
done
run status --token-file "$TMPD/nonexistent"
rc_is 1 "a missing token file exits 1"

stop_daemon

# ---- tokens and roles (the same database, now with tokens)

T_ADMIN=rsp_admin-$RANDOM$RANDOM
T_LEAD=rsp_lead-$RANDOM$RANDOM
T_INGEST=rsp_ingest-$RANDOM$RANDOM
printf '%s\n' "$T_ADMIN" >"$TMPD/admin.token"
printf '%s\n' "$T_LEAD" >"$TMPD/lead.token"
printf '%s\n' "$T_INGEST" >"$TMPD/ingest.token"
cat >"$TMPD/tokens" <<EOT
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_LEAD") lead:t1 lead-t1
sha256:$(hash "$T_INGEST") ingest helpdesk
EOT
write_config "[server]
max_clock_skew = 900
[model]
timezone = UTC
[auth]
tokens_file = $TMPD/tokens
rate = 0"
start_daemon || bail_out "respited did not start with tokens: $(tail -n 5 "$LOG")"

run status
rc_is 1 "tokens: status without a token exits 1"
like "$ERR" '^respitectl: unauthorized: .*\(--token-file FILE gives a token\)$' \
    "... saying unauthorized, and how to give a token"
run status --token-file "$TMPD/admin.token"
is "$RC $(printf '%s\n' "$OUT" | awk 'NR > 1 && NF == 7' | wc -l)" "0 8" \
    "an admin token sees every agent"
run status --token-file "$TMPD/lead.token"
rc_is 0 "a lead token: status exits 0"
is "$(printf '%s\n' "$OUT" | awk 'NR > 1 && NF == 7 { print $1 }' | tr '\n' ' ')" "hi ok1 ok3 ok2 " \
    "a lead of t1 sees t1's agents only"
is "$(printf '%s\n' "$OUT" | grep '^team ' | cut -d: -f1)" "team t1" "... and t1's summary only"
run status --team sup --token-file "$TMPD/lead.token"
rc_is 1 "a lead asking for another team exits 1"
like "$ERR" 'forbidden: ' "... forbidden"
run agent bob --token-file "$TMPD/lead.token"
rc_is 1 "a lead reading an agent of another team exits 1"
like "$ERR" "forbidden: .*the token's role does not allow this" "... forbidden, with a hint"
run suggestions --token-file "$TMPD/lead.token" --json
rc_is 0 "a lead lists suggestions"
is "$(printf '%s' "$OUT" | jq -r '[.suggestions[].team] | unique | join(" ")')" t1 \
    "... of its team only"
run status --token-file "$TMPD/ingest.token"
rc_is 1 "an ingest token: status exits 1"
run accept --token-file "$TMPD/nonexistent" s-000001
rc_is 1 "a missing token file exits 1"
stop_daemon

write_config "[server]
max_clock_skew = 900
[model]
timezone = UTC
[auth]
tokens_file = $TMPD/tokens
rate = 0
[privacy]
lead_view = aggregate
min_group = 5"
start_daemon || bail_out "respited did not start in aggregate mode: $(tail -n 5 "$LOG")"
run status --token-file "$TMPD/lead.token"
rc_is 0 "aggregate privacy mode: a lead's status still exits 0"
# The figures are the snapshot of the last aggregate_refresh_min boundary:
# how many of the four it holds depends on when that was.
like "$OUT" '^team t1: ([0-9] agents? \([0-9] working, [0-9] on break, [0-9] offline\)|no figures yet); strain withheld \(.*min_group.*\)$' \
    "aggregate: the team summary, strain withheld below min_group"
is "$(printf '%s\n' "$OUT" | grep -c '^AGENT')" 0 "aggregate: no per-agent rows"
like "$ERR" '^respitectl: no rows for the agents: privacy mode aggregate' "aggregate: says why on stderr"
run status --token-file "$TMPD/lead.token" --json
is "$(printf '%s' "$OUT" | jq -c '[has("agents"), (.teams | map(.team))]')" '[false,["t1"]]' \
    "aggregate --json: the teams only"
# The rebalancing was raised before the mode was switched on, with hi's
# strain in its reason: a lead now gets it worded as aggregate mode words
# it (the work to move, no score), in a list and in a stream replayed
# from its start; an admin still gets the reason as raised.
run suggestions --token-file "$TMPD/lead.token" --kind rebalance --json
is "$(printf '%s' "$OUT" | jq -r '.suggestions[0].reason')" \
    "hi holds more open tickets than most of the team: ok1 takes $(printf '%s' "$OUT" | jq -r '.suggestions[0].move.tickets') of them" \
    "aggregate: a rebalancing raised before the switch, worded without hi's strain"
is "$(curl -sS -N --max-time 2 -H "Authorization: Bearer $T_LEAD" -H 'Last-Event-ID: 0' \
    "$BASE/v1/stream?team=t1" 2>/dev/null | grep '"kind":"rebalance"' | grep -c strain)" 0 \
    "... and so on the lead's stream replayed from its start"
like "$(curl -sS --max-time "$(slow 10)" -H "Authorization: Bearer $T_ADMIN" \
    "$BASE/v1/suggestions?kind=rebalance" | jq -r '.suggestions[0].reason')" '^hi at [a-z]+ strain \([0-9]+\)' \
    "... while an admin gets the reason as raised"
stop_daemon

# ---- paging, 503 and the token, against a small fake server

if have_python; then
	FAKE=$(free_port)
	cat >"$TMPD/fake.py" <<'EOF'
# A stand-in for respited: suggestions in pages of at most 2 whatever the
# limit, 503 for everything else; each request's Authorization header and
# path go to a file.
import http.server, json, sys, urllib.parse
port, logfile = int(sys.argv[1]), sys.argv[2]
ALL = [{"id": "s-%06d" % i, "kind": "micro_break", "agent": "a%d" % i,
        "team": "t", "created_at": "2026-01-05T08:%02d:00Z" % i,
        "status": "open", "priority": "normal", "minutes": 5,
        "reason": "r", "audience": "agent"} for i in range(7, 0, -1)]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def reply(self, code, obj, extra=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.reply(503, {"error": {"code": "unavailable",
                                   "message": "storage is failing"}},
                   [("Retry-After", "0.1")])
    def do_GET(self):
        with open(logfile, "a") as f:
            f.write("%s %s\n" % (self.headers.get("Authorization"), self.path))
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/healthz":
            self.reply(200, {"status": "ok"})
        elif u.path == "/v1/suggestions":
            before = int(q.get("cursor", ["s-999999"])[0][2:])
            n = min(int(q["limit"][0]), 2)
            rest = [s for s in ALL if int(s["id"][2:]) < before]
            page = rest[:n]
            more = len(rest) > n
            self.reply(200, {"suggestions": page,
                             "next_cursor": page[-1]["id"] if more else None})
        else:
            self.reply(503, {"error": {"code": "unavailable",
                                       "message": "storage is failing"}},
                       [("Retry-After", "0.1")])
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
	python3 "$TMPD/fake.py" "$FAKE" "$TMPD/fake.log" 2>>"$LOG" &
	FPID=$!
	bg_register "$FPID"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$FAKE/healthz" && break
		sleep 0.1
	done
	: >"$TMPD/fake.log"
	printf 'l3ad-t0ken\n' >"$TMPD/token"
	run suggestions --url "http://127.0.0.1:$FAKE" --token-file "$TMPD/token" --limit 5
	rc_is 0 "paging: exit 0"
	is "$(printf '%s\n' "$OUT" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" \
	    "s-000007 s-000006 s-000005 s-000004 s-000003 " \
	    "paging: next_cursor is followed up to --limit"
	is "$(grep -c 'cursor=' "$TMPD/fake.log")" 2 "paging: three pages, two with a cursor"
	is "$(head -n 1 "$TMPD/fake.log" | cut -d' ' -f1-2)" "Bearer l3ad-t0ken" \
	    "--token-file sends Authorization: Bearer"
	if grep -q l3ad "$TMPD/out" "$TMPD/err"; then
		not_ok "the token is never printed"
	else
		ok "the token is never printed"
	fi
	run suggestions --url "http://127.0.0.1:$FAKE" --limit 100 --json
	is "$(printf '%s' "$OUT" | jq -c '[.suggestions[].id, .next_cursor]')" \
	    '["s-000007","s-000006","s-000005","s-000004","s-000003","s-000002","s-000001",null]' \
	    "paging --json: the pages joined, next_cursor null at the end"
	run status --url "http://127.0.0.1:$FAKE"
	rc_is 75 "503 after the retries exits 75 (EX_TEMPFAIL)"
	like "$ERR" "retrying in 0.1 s \\(1/3\\)" "503: retried after Retry-After"
	like "$ERR" "stays unavailable: HTTP 503 unavailable \\(storage is failing\\); gave up after 4 attempts" \
	    "503: the server's message and the attempts"
	run replay --url "http://127.0.0.1:$FAKE" --retries 1 -q "$TMPD/shift.ndjson"
	rc_is 75 "replay: 503 after the retries exits 75 too"
	kill_child TERM "$FPID"
	wait "$FPID" 2>/dev/null
else
	skip "paging, 503 and the token" "python3 is not installed"
fi

done_testing
