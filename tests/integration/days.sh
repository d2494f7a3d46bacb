#!/usr/bin/env bash
# respite - agent days (API.md "days"): past days replayed through
# POST /v1/events with their own timestamps give one record a local day
# (the same whether posted in one batch or in many); from/to and their
# 400s; the access rules (the agent itself, a lead of its team, audited,
# not a lead of another team, not a lead in aggregate mode) and team days
# (summed by date; in aggregate mode no date of fewer than min_group); a
# late event corrects its day without a second row; a restart reads the
# same days back; respitectl days; and the days outlive the events that
# made them ([retention] events_days).

. "$(dirname "$0")/lib.sh"
require_tools
setup
have_python || skip_all "python3 is needed to write the days"
have sqlite3 || skip_all "sqlite3 is needed to look into the database"
if [ -z "${RESPITECTL:-}" ]; then
	RESPITECTL=$(dirname "$RESPITED")/respitectl
fi

TOKENS=$TMPD/tokens
T_ADMIN=rsp_admin-$RANDOM$RANDOM
T_ALICE=rsp_alice-$RANDOM$RANDOM
T_LEAD1=rsp_lead1-$RANDOM$RANDOM
T_LEAD2=rsp_lead2-$RANDOM$RANDOM
cat >"$TOKENS" <<EOT
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_ALICE") agent:alice alice-desktop
sha256:$(hash "$T_LEAD1") lead:t1 lead-one
sha256:$(hash "$T_LEAD2") lead:t2 lead-two
EOT
asreq() {
	local t=$1 m=$2 p=$3 b=${4:-}
	req "$m" "$p" "$b" -H "Authorization: Bearer $t"
}
write_config "[auth]
tokens_file = $TOKENS
rate = 0"

# Four working days, 10 to 7 days ago (so inside the default 28 days
# whatever today is), in Berlin: 09:00 to 17:00 local with a break from
# 12:00 to 12:30, a ticket every 10 minutes (phone and chat in turn) and
# two hostile messages a day.  alice works all four (t1), carol the first
# three (t1), bob the first (t2).  days.py writes the events as JSON
# arrays of BATCH events, one a line, and the dates to $TMPD/dates.
cat >"$TMPD/days.py" <<'PY'
import datetime, json, sys
from zoneinfo import ZoneInfo
agent, team, ndays, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
berlin = ZoneInfo("Europe/Berlin")
today = datetime.datetime.now(datetime.timezone.utc).date()
def ms(d, h, m):
    t = datetime.datetime(d.year, d.month, d.day, h, m, tzinfo=berlin)
    return int(t.timestamp() * 1000)
evs, dates = [], []
for k in range(ndays):
    d = today - datetime.timedelta(days=10 - k)
    dates.append(d.isoformat())
    evs.append({"type": "agent.login", "agent": agent, "team": team,
                "tz": "Europe/Berlin", "ts": ms(d, 9, 0)})
    n = 0
    for i in range(48):
        t = ms(d, 9, 0) + i * 600000
        if ms(d, 12, 0) - 600000 <= t < ms(d, 12, 30):
            continue
        if t >= ms(d, 16, 50):
            break
        ch = "phone" if n % 2 == 0 else "chat"
        tk = "%s-%s-%d" % (agent, d.isoformat(), n)
        evs.append({"type": "ticket.assigned", "agent": agent, "ts": t + 60000,
                    "ticket": tk, "channel": ch})
        if n in (3, 20):
            evs.append({"type": "message.flagged", "agent": agent,
                        "ts": t + 120000, "ticket": tk, "channel": ch,
                        "severity": 0.9})
        evs.append({"type": "ticket.handled", "agent": agent, "ts": t + 360000,
                    "ticket": tk, "channel": ch, "duration_s": 300})
        n += 1
    evs.append({"type": "agent.break_start", "agent": agent, "ts": ms(d, 12, 0)})
    evs.append({"type": "agent.break_end", "agent": agent, "ts": ms(d, 12, 30)})
    evs.append({"type": "agent.logout", "agent": agent, "ts": ms(d, 17, 0)})
evs.sort(key=lambda e: e["ts"])
for i in range(0, len(evs), batch):
    print(json.dumps(evs[i:i + batch]))
with open(sys.argv[5], "w") as f:
    f.write(" ".join(dates) + "\n")
PY
python3 "$TMPD/days.py" alice t1 4 10000 "$TMPD/dates" >"$TMPD/alice.json" &&
python3 "$TMPD/days.py" carol t1 3 5 "$TMPD/dates3" >"$TMPD/carol.json" &&
python3 "$TMPD/days.py" bob t2 1 10000 "$TMPD/dates1" >"$TMPD/bob.json"
check "four past days of events written" $?
read -r D1 D2 D3 D4 <"$TMPD/dates"

start_daemon || bail_out "respited did not start"
asreq "$T_ADMIN" POST /v1/events "@$TMPD/alice.json"
status_is 202 "alice's four days in one batch"
n=0
while read -r batch; do
	asreq "$T_ADMIN" POST /v1/events "$batch"
	[ "$STATUS" = 202 ] || break
	n=$((n + 1))
done <"$TMPD/carol.json"
status_is 202 "carol's three days in $n batches of 5"
asreq "$T_ADMIN" POST /v1/events "@$TMPD/bob.json"
status_is 202 "bob's day"

# ---- the records
asreq "$T_ADMIN" GET /v1/agents/alice/days
status_is 200 "GET /v1/agents/alice/days (default: the last 28 days)"
jq_is '[.days[].date]' "[\"$D1\",\"$D2\",\"$D3\",\"$D4\"]" \
    "one record a day with work, by date"
jq_is '[.agent, .tz]' '["alice","Europe/Berlin"]' "... of alice, in her zone"
jq_is '[.days[] | [.worked_min, .break_min]] | unique' '[[450,30]]' \
    "09:00-17:00 with a 30-minute break: 450 minutes worked, 30 on break"
jq_is '[.days[] | [.handled, .contacts.phone, .contacts.chat,
    .contacts.email, .hostile]] | unique' '[[43,22,21,0,2]]' \
    "43 contacts handled (22 phone, 21 chat), 2 hostile messages"
jq_check 'all(.days[]; .final and .strain_peak >= .strain_mean and
    .strain_mean > 0 and .exposure_peak > 0.5 and
    .longest_stretch_min > 0 and .high_min >= 0 and
    (.suggestions | keys) == ["accepted","dismissed","expired","raised",
    "snoozed"])' "every day final, with strain, exposure, stretch, suggestions"
ALICE=$BODY
asreq "$T_ADMIN" GET /v1/agents/carol/days
is "$(jq -n --argjson a "$ALICE" --argjson b "$BODY" \
    '$b.days == ($a.days[0:3])')" true \
    "carol's days, posted 5 events at a time, equal alice's (one batch)"
asreq "$T_ADMIN" GET "/v1/agents/alice/days?from=$D2&to=$D3"
jq_is '[.from, .to, [.days[].date]]' "[\"$D2\",\"$D3\",[\"$D2\",\"$D3\"]]" \
    "from and to (inclusive) select days"

# ---- bad dates
asreq "$T_ADMIN" GET '/v1/agents/alice/days?from=2026-13-01'
error_is 400 invalid_request - from "from=2026-13-01: 400 invalid_request, field from"
asreq "$T_ADMIN" GET '/v1/agents/alice/days?to=yesterday'
error_is 400 invalid_request - to "to=yesterday: 400, field to"
asreq "$T_ADMIN" GET '/v1/agents/alice/days?from=2026-02-29'
error_is 400 invalid_request - from "from=2026-02-29 (no such day): 400"
asreq "$T_ADMIN" GET '/v1/agents/alice/days?from=2026-12-02&to=2026-12-01'
error_is 400 invalid_request - from "from after to: 400, field from"
asreq "$T_ADMIN" GET '/v1/agents/alice/days?from=2025-01-01&to=2026-02-05'
error_is 400 invalid_request - from "more than 400 days: 400, field from"
asreq "$T_ADMIN" GET '/v1/agents/alice/days?from=2025-01-02&to=2026-02-05'
status_is 200 "exactly 400 days: 200"
asreq "$T_ADMIN" GET '/v1/agents/nobody/days'
error_is 404 not_found - - "an agent never seen: 404"

# ---- access
asreq "$T_ALICE" GET /v1/agents/alice/days
status_is 200 "alice reads her own days"
asreq "$T_ALICE" GET /v1/agents/carol/days
status_is 403 "alice may not read carol's"
asreq "$T_LEAD2" GET /v1/agents/alice/days
status_is 403 "a lead of another team (t2): 403"
since=$(now_ms)
asreq "$T_LEAD1" GET "/v1/agents/alice/days?from=$D1"
status_is 200 "the lead of her team (t1) reads alice's days"
got=
for i in $(seq 1 "$(slow 50)"); do
	asreq "$T_ADMIN" GET "/v1/audit?who=lead-one&since=$since"
	got=$(jqr '.audit[0].what // empty')
	[ -n "$got" ] && break
	sleep 0.1
done
is "$got" "GET /v1/agents/alice/days?from=$D1" "... and that read is audited"

# ---- team days
asreq "$T_LEAD1" GET /v1/teams/t1/days
status_is 200 "lead:t1 reads team t1's days"
jq_is '[.days[] | [.date, .agents, .worked_min, .handled, .hostile]]' \
    "[[\"$D1\",2,900,86,4],[\"$D2\",2,900,86,4],[\"$D3\",2,900,86,4],[\"$D4\",1,450,43,2]]" \
    "summed by date: agents, minutes, contacts, hostile messages"
jq_check 'all(.days[]; has("strain_peak") | not) and
    all(.days[]; .strain_mean > 0)' "a mean strain, no per-agent peaks"
asreq "$T_LEAD1" GET /v1/teams/t2/days
status_is 403 "lead:t1 may not read team t2's days"
asreq "$T_ALICE" GET /v1/teams/t1/days
status_is 403 "an agent may not read team days"
asreq "$T_ADMIN" GET /v1/teams/nosuchteam/days
error_is 404 not_found - - "a team never seen: 404"

# ---- respitectl days
out=$($RESPITECTL days --url "$BASE" --token-file <(echo "$T_ADMIN") \
    --from "$D1" --to "$D4" alice 2>"$TMPD/ctl.err")
check "respitectl days alice: exit 0" $?
like "$out" "DATE +WORKED +BREAKS" "... a table with a header"
like "$out" "$D3 +7h30 +30m +43 +2" "... one row a day: worked, breaks, handled, hostile"
out=$($RESPITECTL days --url "$BASE" --token-file <(echo "$T_ADMIN") \
    --json --from "$D1" --to "$D4" alice)
is "$(printf '%s' "$out" | jq -c '.days')" "$(printf '%s' "$ALICE" |
    jq -c '.days')" "respitectl days --json: the API's reply"
$RESPITECTL days --url "$BASE" --token-file <(echo "$T_ADMIN") \
    --from 2026-02-30 alice >/dev/null 2>"$TMPD/ctl.err"
is "$?" 1 "respitectl days with a bad date: exit 1"
like "$(cat "$TMPD/ctl.err")" "invalid_request" "... with the server's error"

# ---- a restart reads the same days back (the stored ones)
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
is "$(db_query "SELECT count(*) FROM agent_days")" 8 \
    "8 days stored (alice 4, carol 3, bob 1), written when they ended"
start_daemon || bail_out "respited did not restart"
asreq "$T_ADMIN" GET /v1/agents/alice/days
is "$(jqb .days)" "$(printf '%s' "$ALICE" | jq -c .days)" \
    "after a restart: the same records"

# ---- a late event lands in a closed day: corrected, not duplicated
late=$(python3 -c "
import datetime
from zoneinfo import ZoneInfo
d = datetime.date.fromisoformat('$D1')
t = datetime.datetime(d.year, d.month, d.day, 15, 5, tzinfo=ZoneInfo('Europe/Berlin'))
print(int(t.timestamp() * 1000))")
asreq "$T_ADMIN" POST /v1/events "[{\"type\":\"ticket.handled\",\"agent\":\"alice\",
 \"ts\":$late,\"ticket\":\"late-1\",\"channel\":\"email\",\"duration_s\":60}]"
status_is 202 "a late ticket.handled for $D1"
asreq "$T_ADMIN" GET "/v1/agents/alice/days?from=$D1&to=$D1"
jq_is '[.days[] | [.handled, .contacts.email]]' '[[44,1]]' \
    "$D1 now holds it: 44 handled, 1 email"
stop_daemon TERM
is "$(db_query "SELECT count(*) || ' ' || max(handled) FROM agent_days
    WHERE agent = 'alice' AND date = '$D1'")" "1 44" \
    "one stored row for $D1, corrected"

# ---- aggregate privacy mode
write_config "[auth]
tokens_file = $TOKENS
rate = 0
[privacy]
lead_view = aggregate
min_group = 2"
start_daemon || bail_out "respited did not start in aggregate mode"
asreq "$T_LEAD1" GET /v1/teams/t1/days
jq_is '[.days[] | [.date, .agents]]' \
    "[[\"$D1\",2],[\"$D2\",2],[\"$D3\",2]]" \
    "aggregate, min_group 2: the day alice worked alone is left out"
asreq "$T_LEAD1" GET /v1/agents/alice/days
status_is 403 "aggregate: a lead may not read an agent's days"
asreq "$T_ALICE" GET /v1/agents/alice/days
status_is 200 "aggregate: alice still reads her own"
asreq "$T_ADMIN" GET /v1/teams/t1/days
jq_is '[.days[].date]' "[\"$D1\",\"$D2\",\"$D3\",\"$D4\"]" \
    "aggregate: admin sees every day"
asreq "$T_ADMIN" GET /v1/agents/alice/days
ALICE=$BODY
stop_daemon TERM

# ---- the days outlive the events ([retention] events_days)
db_query "UPDATE events SET received = 0" >/dev/null
write_config "[auth]
tokens_file = $TOKENS
rate = 0
[retention]
events_days = 1"
start_daemon || bail_out "respited did not start with events_days = 1"
left=
for i in $(seq 1 $(( $(slow 10) * 20 ))); do
	left=$(db_query "SELECT count(*) FROM events")
	[ "$left" = 0 ] && break
	sleep 0.1
done
is "$left" 0 "events_days = 1: retention deleted every event"
is "$(db_query "SELECT count(*) FROM agent_days")" 8 "... and no agent day"
asreq "$T_ADMIN" GET /v1/agents/alice/days
is "$(jqb .days)" "$(printf '%s' "$ALICE" | jq -c .days)" \
    "alice's days are still served, unchanged"
stop_daemon TERM
start_daemon || bail_out "respited did not restart"
asreq "$T_ADMIN" GET /v1/agents/alice/days
is "$STATUS $(jqb .days)" "200 $(printf '%s' "$ALICE" | jq -c .days)" \
    "... also after a restart with no events left"
stop_daemon TERM
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
done_testing
