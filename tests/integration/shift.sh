#!/usr/bin/env bash
# respite - a simulated day of 200 agents, replayed: the suggestions are
# plausible (never more than max_per_hour to one agent in any 60 minutes;
# every agent who works 6 hours without a pause gets a rest break) and
# deterministic (the same file replayed into a second, fresh daemon gives
# the same suggestions, ids aside).

. "$(dirname "$0")/lib.sh"
require_tools
setup
have_python || skip_all "python3 is needed to analyse the shift"

if [ -z "${RESPITECTL:-}" ]; then
	RESPITECTL=$(dirname "$RESPITED")/respitectl
fi
[ -x "$RESPITECTL" ] || have "$RESPITECTL" ||
    bail_out "no respitectl (set RESPITECTL)"

SHIFT=$TMPD/shift.ndjson
$RESPITECTL simulate --agents 200 --teams 4 --hours 10 --seed 42 \
    --start 2026-03-02T06:00:00Z >"$SHIFT" 2>"$TMPD/sim.err"
check "simulate 200 agents x 10 h" $?
diag "$(cat "$TMPD/sim.err")"

# suggestions FILE: every suggestion of the running daemon, all pages.
suggestions() {
	local out=$1 cursor="" url
	: >"$out"
	while :; do
		url="$BASE/v1/suggestions?limit=1000"
		[ -n "$cursor" ] && url="$url&cursor=$cursor"
		curl -sS "$url" >"$TMPD/page" || return 1
		jq -c '.suggestions[]' "$TMPD/page" >>"$out"
		cursor=$(jq -r '.next_cursor // empty' "$TMPD/page")
		[ -z "$cursor" ] && return 0
	done
}

# run_day NAME: replay the shift into a fresh daemon, save its suggestions.
run_day() {
	local name=$1
	rm -f "$DB" "$DB-wal" "$DB-shm"
	write_config
	start_daemon || bail_out "respited did not start"
	$RESPITECTL replay -q --url "$BASE" "$SHIFT" >"$TMPD/replay.$name" 2>&1
	check "replay $name: $(tail -n 1 "$TMPD/replay.$name")" $?
	suggestions "$TMPD/sugg.$name"
	check "$name: all suggestions read" $?
	stop_daemon
}

run_day first
run_day second

n=$(wc -l <"$TMPD/sugg.first")
[ "$n" -gt 0 ]
check "the day raised suggestions ($n)" $?

python3 - "$SHIFT" "$TMPD/sugg.first" "$TMPD/sugg.second" >"$TMPD/analysis" <<'PY'
import json, sys
from datetime import datetime

def t(s):
    return datetime.strptime(s.replace("Z", "+0000").replace(".", ".")[:19] + "+0000",
                             "%Y-%m-%dT%H:%M:%S%z").timestamp()

events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
first = [json.loads(l) for l in open(sys.argv[2])]
second = [json.loads(l) for l in open(sys.argv[3])]

# 1. at most 4 agent suggestions per agent in any 60 minutes
worst = 0
by_agent = {}
for s in first:
    if s["audience"] == "agent":
        by_agent.setdefault(s["agent"], []).append(t(s["created_at"]))
for a, ts in by_agent.items():
    ts.sort()
    j = 0
    for i in range(len(ts)):
        while ts[i] - ts[j] >= 3600:
            j += 1
        worst = max(worst, i - j + 1)
print("max_per_hour", worst)

# 2. agents who worked 6 h straight (no break event, logged in >= 6 h)
login, logout, paused = {}, {}, set()
for e in events:
    a = e["agent"]
    if e["type"] == "agent.login":
        login.setdefault(a, t(e["ts"]))
    elif e["type"] == "agent.logout":
        logout[a] = t(e["ts"])
    elif e["type"] == "agent.break_start":
        paused.add(a)
last = max(t(e["ts"]) for e in events)
straight = [a for a in login if a not in paused and
            logout.get(a, last) - login[a] >= 6 * 3600]
rest = {s["agent"] for s in first if s["kind"] == "rest_break"}
missing = sorted(a for a in straight if a not in rest)
print("straight", len(straight))
print("missing_rest", " ".join(missing) if missing else "-")

# 3. determinism
key = lambda s: (s["created_at"], s["kind"], s["agent"] or "", s["team"] or "",
                 s["status"], s["priority"], s["reason"], s["minutes"])
a = sorted(map(key, first)); b = sorted(map(key, second))
print("identical", "yes" if a == b else "no %d %d" % (len(a), len(b)))
kinds = {}
for s in first:
    kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
print("kinds", json.dumps(kinds, sort_keys=True))
PY
check "the suggestions can be analysed" $?
diag "$(cat "$TMPD/analysis")"

worst=$(sed -n 's/^max_per_hour //p' "$TMPD/analysis")
[ -n "$worst" ] && [ "$worst" -le 4 ]
check "no agent gets more than 4 suggestions in any 60 minutes (worst: $worst)" $?
straight=$(sed -n 's/^straight //p' "$TMPD/analysis")
[ "${straight:-0}" -gt 0 ]
check "the day has agents who work 6 h without a pause ($straight)" $?
is "$(sed -n 's/^missing_rest //p' "$TMPD/analysis")" "-" \
    "every one of them gets a rest break"
is "$(sed -n 's/^identical //p' "$TMPD/analysis")" "yes" \
    "replaying the same file into a fresh daemon gives the same suggestions"
kinds=$(sed -n 's/^kinds //p' "$TMPD/analysis")
for k in micro_break rest_break recovery_break; do
	echo "$kinds" | grep -q "\"$k\""
	check "the day raised a $k" $?
done

done_testing
