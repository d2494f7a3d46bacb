#!/usr/bin/env bash
# respite - the trend (API.md "trend", MODEL.md "Weeks, not only shifts"):
# 35 past days replayed through POST /v1/events with their own timestamps
# (working hours of days gone by, far from the wall clock's minute):
# calm, alike every day, the trend is ok with no signals; the same four
# weeks then a last week of 11-hour days with hostile messages, the trend
# is high (long_days, hostile_exposure) with the reasons; an agent with
# 5 days has too few for a baseline (ok); 404 for an agent never seen;
# a lead's read is audited; respitectl trend; a restart gives the same.
# wellbeing_check: raised once for the hard agent, when its first long day
# closed (the turn to high; not again while it stays high), stamped with
# that day's end, to the lead, with the reasons; none for the calm one;
# none more after a restart; an agent high, then ok, then high again 5
# days later (across a restart) gets one, not two; in aggregate privacy
# mode, to the agent
# alone (not on its lead's stream); the lead's wellbeing_checks raised
# before aggregate mode was switched on are withheld from the lead
# afterwards (list, stream replay, answers: 403), an admin still sees them.

. "$(dirname "$0")/lib.sh"
require_tools
setup
have_python || skip_all "python3 is needed to write the days"
if [ -z "${RESPITECTL:-}" ]; then
	RESPITECTL=$(dirname "$RESPITED")/respitectl
fi

TOKENS=$TMPD/tokens
T_ADMIN=rsp_admin-$RANDOM$RANDOM
T_LEAD1=rsp_lead1-$RANDOM$RANDOM
cat >"$TOKENS" <<EOT
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_LEAD1") lead:t1 lead-one
EOT
asreq() {
	local t=$1 m=$2 p=$3 b=${4:-}
	req "$m" "$p" "$b" -H "Authorization: Bearer $t"
}
# The streams from their start (Last-Event-ID: 0), read for 2 seconds.
sse() {
	curl -sS -N --max-time 2 -H "Authorization: Bearer $1" \
	    -H "Last-Event-ID: 0" "$BASE$2" 2>/dev/null
}
write_config "[auth]
tokens_file = $TOKENS
rate = 0"

# NDAYS days up to yesterday (the agent's local day in Berlin, from
# 04:00), 09:00 to 16:00 local with a break from 12:00 to 12:30 and a
# ticket every 12 minutes; with HARD, the last 7 days run from 08:00 to
# 19:00 with 3 hostile messages each.  JSON arrays of 2000 events.
cat >"$TMPD/trend.py" <<'PY'
import datetime, json, sys
from zoneinfo import ZoneInfo
agent, team, ndays, hard = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "hard"
twice = sys.argv[4] == "twice"
# twice: 12 days ago hostile, 11 to 9 a 6.5-hour stretch (high: the
# turn), 4 days ago both (high again, 5 days later).
stretch = {11, 10, 9, 4} if twice else set()
hostile = {12, 4} if twice else set()
berlin = ZoneInfo("Europe/Berlin")
today = (datetime.datetime.now(berlin) - datetime.timedelta(hours=4)).date()
def ms(d, h, m):
    t = datetime.datetime(d.year, d.month, d.day, h, m, tzinfo=berlin)
    return int(t.timestamp() * 1000)
evs = []
for ago in range(ndays, 0, -1):
    d = today - datetime.timedelta(days=ago)
    long = hard and ago <= 7
    start, end = (8, 19) if long else (9, 16)
    if ago in stretch:
        start, end = (8, 15)
    evs.append({"type": "agent.login", "agent": agent, "team": team,
                "tz": "Europe/Berlin", "ts": ms(d, start, 0)})
    n = 0
    t = ms(d, start, 0)
    while t + 600000 <= ms(d, end, 0) - 60000:
        if ago not in stretch and ms(d, 12, 0) - 720000 < t < ms(d, 12, 30):
            t += 720000
            continue
        tk = "%s-%s-%d" % (agent, d.isoformat(), n)
        evs.append({"type": "ticket.assigned", "agent": agent, "ts": t + 60000,
                    "ticket": tk, "channel": "chat"})
        if (long and n % 15 == 3) or (ago in hostile and n < 6):
            evs.append({"type": "message.flagged", "agent": agent,
                        "ts": t + 120000, "ticket": tk, "channel": "chat",
                        "severity": 0.9})
        evs.append({"type": "ticket.handled", "agent": agent, "ts": t + 540000,
                    "ticket": tk, "channel": "chat", "duration_s": 300})
        n += 1
        t += 720000
    if ago not in stretch:
        evs.append({"type": "agent.break_start", "agent": agent, "ts": ms(d, 12, 0)})
        evs.append({"type": "agent.break_end", "agent": agent, "ts": ms(d, 12, 30)})
    evs.append({"type": "agent.logout", "agent": agent, "ts": ms(d, end, 0)})
evs.sort(key=lambda e: e["ts"])
for i in range(0, len(evs), 2000):
    print(json.dumps(evs[i:i + 2000]))
PY
python3 "$TMPD/trend.py" calm t1 35 calm >"$TMPD/calm.json" &&
python3 "$TMPD/trend.py" hard t1 35 hard >"$TMPD/hard.json" &&
python3 "$TMPD/trend.py" newbie t1 5 calm >"$TMPD/newbie.json" &&
python3 "$TMPD/trend.py" twice t1 40 twice >"$TMPD/twice.json"
check "35 past days of events written" $?
# twice's days in two parts: up to 4 days ago 04:30 (a logout then closes
# the day before by event time), and the rest, posted after a restart.
python3 - "$TMPD/twice.json" "$TMPD/twice1.json" "$TMPD/twice2.json" <<'PY'
import datetime, json, sys
from zoneinfo import ZoneInfo
b = ZoneInfo("Europe/Berlin")
today = (datetime.datetime.now(b) - datetime.timedelta(hours=4)).date()
d = today - datetime.timedelta(days=4)
cut = int(datetime.datetime(d.year, d.month, d.day, 4, 30, tzinfo=b).timestamp() * 1000)
evs = [e for line in open(sys.argv[1]) for e in json.loads(line)]
one = [e for e in evs if e["ts"] < cut]
one.append({"type": "agent.logout", "agent": "twice", "ts": cut})
for name, part in ((sys.argv[2], one), (sys.argv[3], [e for e in evs if e["ts"] >= cut])):
    with open(name, "w") as f:
        for i in range(0, len(part), 2000):
            f.write(json.dumps(part[i:i + 2000]) + "\n")
PY
check "twice's days split at 4 days ago" $?

start_daemon || bail_out "respited did not start"
for a in calm hard newbie twice1; do
	i=0
	while read -r batch; do
		i=$((i + 1))
		printf '%s\n' "$batch" >"$TMPD/batch.json"
		asreq "$T_ADMIN" POST /v1/events "@$TMPD/batch.json"
		[ "$STATUS" = 202 ] || break
	done <"$TMPD/$a.json"
	status_is 202 "$a's days replayed"
done

# ---- the calm agent: every day alike, nothing out of the ordinary
asreq "$T_ADMIN" GET /v1/agents/calm/days
jq_is '.days | length' 27 "calm: 27 past days in the days' default span"
asreq "$T_ADMIN" GET /v1/agents/calm/trend
status_is 200 "GET /v1/agents/calm/trend"
jq_is '.' '{"agent":"calm","window_days":7,"baseline_days":28,"risk":"ok","signals":[]}' \
    "calm: risk ok, 28 baseline days, no signals"

# ---- the hard agent: a last week of long, hostile days
asreq "$T_ADMIN" GET /v1/agents/hard/trend
status_is 200 "GET /v1/agents/hard/trend"
HARD=$BODY
jq_is '[.window_days, .baseline_days, .risk]' '[7,28,"high"]' \
    "hard: risk high against 28 baseline days"
jq_is '[.signals[].name] | sort' '["hostile_exposure","long_days"]' \
    "... for its long days and the hostile messages"
jq_is '.signals[] | select(.name == "long_days") | [.value, .baseline, .reason]' \
    '[7,0,"7 of the last 7 days with 10+ hours worked (usual: 0)"]' \
    "long_days: 7 days of 10+ hours, with its reason"
jq_is '.signals[] | select(.name == "hostile_exposure") | [.value, .baseline, .reason]' \
    '[28,0,"28 hostile messages in the last 7 days (usual: 0)"]' \
    "hostile_exposure: 28 messages, with its reason"

# ---- wellbeing_check: one, on the turn to high
# The end of the local day AGO days ago: 04:00 Berlin the day after.
day_end() {
	python3 -c "
import datetime
from zoneinfo import ZoneInfo
b = ZoneInfo('Europe/Berlin')
today = (datetime.datetime.now(b) - datetime.timedelta(hours=4)).date()
d = today - datetime.timedelta(days=$1 - 1)
print(datetime.datetime(d.year, d.month, d.day, 4, 0, tzinfo=b).astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))"
}
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check&agent=hard'
status_is 200 "GET /v1/suggestions?kind=wellbeing_check&agent=hard"
jq_is '[.suggestions[] | [.agent, .team, .audience, .status, .created_at]]' \
    "[[\"hard\",\"t1\",\"lead\",\"open\",\"$(day_end 7)\"]]" \
    "hard: one wellbeing_check, to the lead, stamped with its first long day's end"
jq_is '.suggestions[0].reason' \
    '"1 of the last 7 days with 10+ hours worked (usual: 0)"' \
    "... with the trend's reasons"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check&agent=twice'
jq_is '[.suggestions[] | .created_at]' "[\"$(day_end 9)\"]" \
    "twice: high 9 days ago (its first part): one"
jq_is '.suggestions[0].reason' '"6 hostile messages in the last 7 days (usual: 0); 3 of the last 7 days with a stretch of 6+ hours without a break (usual: 0)"' \
    "... the reasons of both signals"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check&agent=calm'
jq_is '.suggestions' '[]' "calm: no wellbeing_check"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check'
WB=$(jqb '.suggestions')
is "$(sse "$T_LEAD1" '/v1/stream?team=t1' | grep -c '"kind":"wellbeing_check"')" 2 \
    "both on the lead's stream of t1"
is "$(sse "$T_ADMIN" '/v1/stream?agent=hard' | grep -c wellbeing_check)" 0 \
    "... not on hard's own"


asreq "$T_ADMIN" GET /v1/agents/newbie/trend
jq_is '[.baseline_days, .risk, .signals]' '[0,"ok",[]]' \
    "newbie (5 days): no baseline, risk ok, no signals"
asreq "$T_ADMIN" GET /v1/agents/nobody-at-all/trend
error_is 404 not_found - - "an agent never seen: 404"

# ---- a lead of the team: allowed, audited
since=$(now_ms)
asreq "$T_LEAD1" GET /v1/agents/hard/trend
status_is 200 "a lead of t1 reads hard's trend"
got=
for i in $(seq 1 "$(slow 50)"); do
	asreq "$T_ADMIN" GET "/v1/audit?who=lead-one&since=$since"
	got=$(jqr '.audit[0].what // empty')
	[ -n "$got" ] && break
	sleep 0.1	# the audit row is written with the next group commit
done
is "$got" "GET /v1/agents/hard/trend" "... and that read is audited"

# ---- respitectl trend
out=$($RESPITECTL trend --url "$BASE" --token-file <(echo "$T_ADMIN") hard)
check "respitectl trend hard: exit 0" $?
like "$out" "hard: risk high" "... the risk"
like "$out" "long_days +7 +0 +7 of the last 7 days with 10\\+ hours worked" \
    "... a row a signal: value, usual, reason"
out=$($RESPITECTL trend --url "$BASE" --token-file <(echo "$T_ADMIN") calm)
like "$out" "nothing out of the ordinary" "respitectl trend calm"
out=$($RESPITECTL trend --url "$BASE" --token-file <(echo "$T_ADMIN") \
    --json hard)
is "$(printf '%s' "$out" | jq -c .)" "$(printf '%s' "$HARD" | jq -c .)" \
    "respitectl trend --json: the API's reply"

# ---- a restart gives the same answer
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
start_daemon || bail_out "respited did not restart"
asreq "$T_ADMIN" GET /v1/agents/hard/trend
is "$(jqb .)" "$(printf '%s' "$HARD" | jq -c .)" "after a restart: the same trend"
asreq "$T_ADMIN" GET /v1/agents/calm/trend
jq_is '[.risk, .baseline_days]' '["ok",28]' "... and calm's"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check'
is "$(jqb '.suggestions')" "$WB" "... and still the same wellbeing_checks"
while read -r batch; do
	printf '%s\n' "$batch" >"$TMPD/batch.json"
	asreq "$T_ADMIN" POST /v1/events "@$TMPD/batch.json"
	[ "$STATUS" = 202 ] || break
done <"$TMPD/twice2.json"
status_is 202 "twice's last 4 days replayed after the restart"
asreq "$T_ADMIN" GET /v1/agents/twice/days
jq_is '[.days[] | select(.hostile > 0) | .hostile]' '[6,6]' \
    "... its two hostile days stored"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check&agent=twice'
jq_is '[.suggestions[] | .created_at]' "[\"$(day_end 9)\"]" \
    "twice: high again 4 days ago, 5 days after the first: one, not two (remembered across the restart)"
id=$(jqr '.suggestions[0].id')
asreq "$T_LEAD1" POST "/v1/suggestions/$id" '{"action":"snooze","minutes":5}'
jq_is '.status' '"snoozed"' "the lead snoozes twice's wellbeing_check"
asreq "$T_LEAD1" POST "/v1/suggestions/$id" '{"action":"dismiss"}'
jq_is '[.status, .snoozes]' '["dismissed",1]' "... then dismisses it"
asreq "$T_ADMIN" GET "/v1/suggestions?kind=wellbeing_check&agent=hard"
id=$(jqr '.suggestions[0].id')
asreq "$T_LEAD1" POST "/v1/suggestions/$id" '{"action":"accept"}'
jq_is '[.status, .kind]' '["accepted","wellbeing_check"]' \
    "the lead accepts hard's"
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

# ---- the same database, aggregate privacy mode switched on since
# The wellbeing_checks raised for the lead before are one person's trend:
# a lead in aggregate mode no longer sees them, in a list, a stream
# replayed from its start or an answer; an admin still does.
write_config "[auth]
tokens_file = $TOKENS
rate = 0
[privacy]
lead_view = aggregate"
start_daemon || bail_out "respited did not restart in aggregate mode"
asreq "$T_LEAD1" GET '/v1/suggestions?kind=wellbeing_check'
jq_is '.suggestions' '[]' \
    "switched to aggregate: the lead's old wellbeing_checks are withheld"
asreq "$T_LEAD1" GET '/v1/suggestions?team=t1'
jq_is '[.suggestions[] | select(.kind == "wellbeing_check")] | length' 0 \
    "... from the lead's whole list too"
is "$(sse "$T_LEAD1" '/v1/stream?team=t1' | grep -c wellbeing_check)" 0 \
    "... and from the lead's stream replayed from its start"
asreq "$T_LEAD1" POST "/v1/suggestions/$id" '{"action":"dismiss"}'
status_is 403 "... and the lead may not answer one (it was open to the lead before)"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check'
jq_is '.suggestions | length' 2 "... an admin still lists both"
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

# ---- aggregate privacy mode: the agent's own, not the lead's
rm -f "$DB" "$DB-wal" "$DB-shm"
T_HARD=rsp_hard-$RANDOM$RANDOM
echo "sha256:$(hash "$T_HARD") agent:hard hard-desktop" >>"$TOKENS"
write_config "[auth]
tokens_file = $TOKENS
rate = 0
[privacy]
lead_view = aggregate"
start_daemon || bail_out "respited did not start in aggregate mode"
while read -r batch; do
	printf '%s\n' "$batch" >"$TMPD/batch.json"
	asreq "$T_ADMIN" POST /v1/events "@$TMPD/batch.json"
	[ "$STATUS" = 202 ] || break
done <"$TMPD/hard.json"
status_is 202 "aggregate: hard's days replayed into a new database"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check'
jq_is '[.suggestions[] | [.agent, .audience, .created_at]]' \
    "[[\"hard\",\"agent\",\"$(day_end 7)\"]]" \
    "aggregate: the same wellbeing_check, to the agent"
asreq "$T_HARD" GET '/v1/suggestions?agent=hard&kind=wellbeing_check'
jq_is '[.suggestions[].audience]' '["agent"]' "... which hard sees"
asreq "$T_LEAD1" GET '/v1/suggestions?kind=wellbeing_check'
jq_is '.suggestions' '[]' "... and its lead does not"
asreq "$T_ADMIN" GET '/v1/suggestions?kind=wellbeing_check'
id=$(jqr '.suggestions[0].id')
asreq "$T_LEAD1" POST "/v1/suggestions/$id" '{"action":"dismiss"}'
status_is 403 "... nor may answer it"
asreq "$T_HARD" POST "/v1/suggestions/$id" '{"action":"dismiss"}'
jq_is '.status' '"dismissed"' "hard dismisses its own"
is "$(sse "$T_LEAD1" '/v1/stream?team=t1' | grep -c wellbeing_check)" 0 \
    "... nor on the team's stream"
is "$(sse "$T_HARD" '/v1/stream?agent=hard' | grep -c wellbeing_check)" 2 \
    "... but on hard's own stream (raised, dismissed)"
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
done_testing
