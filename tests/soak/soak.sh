#!/usr/bin/env bash
# respite - the soak test (`make soak`; not in `make check` or CI).
#
# One hour (SOAK_SECONDS) of a simulated 500-agent, 10-team shift replayed
# at ten times its speed (`respitectl simulate` + `respitectl replay
# --speed 10`: ten hours of shift), into respited with synchronous=full,
# while the readers of a real floor come and go: a stream subscriber per
# team (curl -N, reconnecting when dropped), and every 2 s a lead's reads
# (teams, a team's agents, open suggestions, /metrics; every 10 s an
# agent's history and an accepted suggestion), each on a new connection.
#
# Every SOAK_INTERVAL (10) seconds respited's resident set (VmRSS) and
# open descriptors (/proc/PID/fd) are sampled, with its connections and
# stream subscribers and the events stored (from /metrics).  The curve is
# written as CSV (SOAK_OUT, default ./soak.csv) and summed up: start,
# end and largest RSS and descriptor count, and the RSS slope over the
# second half of the run (least squares, KiB a minute).  It fails if
#   - the RSS slope over the second half exceeds SOAK_MAX_SLOPE_KIB_MIN
#     (default 32 KiB a minute, i.e. under 2 MiB an hour: the model's
#     memory is bounded by agents and windows, not by events; the hour
#     measured 16), or
#   - the RSS ever exceeds SOAK_MAX_RSS_MIB (default 64), or
#   - with the load gone, respited holds more descriptors than it did
#     before it (+2: the WAL and its index may open meanwhile).
# The first 10 minutes are the warm-up (the agents' state and SQLite's
# cache fill; RSS goes from about 5 to 9.5 MiB) and not judged by the
# slope; a run shorter than 20 minutes is judged by the other two only.
#
# Usage: soak.sh BUILDDIR [SRCDIR]; SOAK_SECONDS=300 for a short run.

BUILD=${1:?usage: soak.sh BUILDDIR [SRCDIR]}
SRC=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
RESPITED=${RESPITED:-$BUILD/respited}
RESPITECTL=${RESPITECTL:-$BUILD/respitectl}
TOP_SRCDIR=$SRC
. "$SRC/tests/integration/lib.sh"
require_tools
setup

SECONDS_RUN=${SOAK_SECONDS:-3600}
INTERVAL=${SOAK_INTERVAL:-10}
AGENTS=${SOAK_AGENTS:-500}
TEAMS=${SOAK_TEAMS:-10}
SPEED=${SOAK_SPEED:-10}
MAX_SLOPE=${SOAK_MAX_SLOPE_KIB_MIN:-32}
MAX_RSS=${SOAK_MAX_RSS_MIB:-64}
OUT=${SOAK_OUT:-$PWD/soak.csv}

# The shift: SPEED x SECONDS_RUN of it, at most 24 h, starting so long
# ago that no event is ever ahead of the clock when it is sent; the last
# ones arrive nearly live.
hours=$(( (SECONDS_RUN * SPEED + 3599) / 3600 ))
[ "$hours" -gt 24 ] && hours=24
[ "$hours" -lt 1 ] && hours=1
span=$((hours * 3600))
start=$(( $(date +%s) - span + span / SPEED - 60 ))
$RESPITECTL simulate --agents "$AGENTS" --teams "$TEAMS" --hours "$hours" \
    --seed 11 --start "$(rfc3339 "$start")" >"$TMPD/shift.ndjson" \
    2>"$TMPD/sim.err" || bail_out "simulate failed: $(cat "$TMPD/sim.err")"
# (Its warning that the shift ends in the future is expected: the
# replay sends each event well after its time.)
diag "$(grep -v 'ends in the future' "$TMPD/sim.err")"

write_config "[storage]
synchronous = full
[stream]
buffer = 256K"
start_daemon || bail_out "respited did not start"
PID=$DAEMON_PID

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status" 2>/dev/null; }
nfds() { ls "/proc/$PID/fd" 2>/dev/null | wc -l | tr -d ' '; }
metric() {	# metric NAME: the sum of a metric's samples
	curl -s --max-time 5 "$BASE/metrics" 2>/dev/null |
	    awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { print s + 0 }'
}

# The quiet baseline: no client yet.
sleep 1
fds0=$(nfds)
rss0=$(rss_kb)
diag "baseline: RSS $rss0 KiB, $fds0 descriptors"

# ---- the readers of the floor

STOP=$TMPD/stop
teams=$(cd "$TMPD" && grep -o '"team":"[^"]*"' shift.ndjson | sort -u |
    sed 's/.*:"\(.*\)"/\1/')
LOOPS=
for t in $teams; do
	(
		while [ ! -e "$STOP" ]; do
			curl -sS -N --max-time "$((SECONDS_RUN + 60))" \
			    "$BASE/v1/stream?team=$t" >/dev/null 2>&1 &
			echo $! >"$TMPD/curl.$t"
			wait $!
			sleep 1
		done
	) &
	bg_register $!
	LOOPS="$LOOPS $!"
done
(
	i=0
	while [ ! -e "$STOP" ]; do
		i=$((i + 1))
		t=$(echo "$teams" | sed -n "$(( i % $(echo "$teams" | wc -l) + 1 ))p")
		curl -s --max-time 10 "$BASE/v1/teams" >/dev/null
		curl -s --max-time 10 "$BASE/v1/agents?team=$t" >/dev/null
		curl -s --max-time 10 "$BASE/v1/suggestions?status=open&limit=100" \
		    >"$TMPD/open.json"
		curl -s --max-time 10 "$BASE/metrics" >/dev/null
		if [ $((i % 5)) = 0 ]; then
			a=$(printf 'agent-%03d' $(( (i / 5) % AGENTS + 1 )))
			curl -s --max-time 10 "$BASE/v1/agents/$a/history" >/dev/null
			id=$(jq -r '[.suggestions[] | select(.audience == "agent")][0].id // empty' \
			    "$TMPD/open.json" 2>/dev/null)
			[ -n "$id" ] && curl -s --max-time 10 -XPOST \
			    -H 'Content-Type: application/json' \
			    -d '{"action":"accept"}' "$BASE/v1/suggestions/$id" >/dev/null
		fi
		sleep 2
	done
) &
bg_register $!
LOOPS="$LOOPS $!"

for i in $(seq 1 100); do
	[ "$(metric respite_sse_subscribers)" -ge "$(echo "$teams" | wc -w)" ] && break
	sleep 0.1
done
diag "$(metric respite_sse_subscribers) stream subscribers"

# ---- the shift

$RESPITECTL replay -q --speed "$SPEED" --url "$BASE" "$TMPD/shift.ndjson" \
    >"$TMPD/replay.out" 2>&1 &
REPLAY=$!
bg_register $REPLAY

echo "t_s,rss_kib,fds,connections,subscribers,events" >"$OUT"
t0=$(date +%s)
next=$t0
while :; do
	now=$(date +%s)
	t=$((now - t0))
	echo "$t,$(rss_kb),$(nfds),$(metric respite_http_connections),$(metric respite_sse_subscribers),$(metric respite_events_ingested_total)" >>"$OUT"
	[ "$t" -ge "$SECONDS_RUN" ] && break
	kill -0 "$PID" 2>/dev/null || break
	next=$((next + INTERVAL))
	while [ "$(date +%s)" -lt "$next" ]; do sleep 0.5; done
done

# ---- the end: stop the load, let it settle, the quiet figures

touch "$STOP"
if kill -0 "$REPLAY" 2>/dev/null; then
	kill "$REPLAY" 2>/dev/null
	replay_state="stopped at the time limit"
else
	replay_state="finished: $(tail -n 1 "$TMPD/replay.out")"
fi
wait "$REPLAY" 2>/dev/null
# The stream loops end once their curl does; the reads loop by itself.
for f in "$TMPD"/curl.*; do
	kill "$(cat "$f")" 2>/dev/null
done
for p in $LOOPS; do
	wait_exit "$p" 30 || kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
for i in $(seq 1 50); do
	[ "$(metric respite_sse_subscribers)" = 0 ] &&
	    [ "$(metric respite_http_connections)" -le 1 ] && break
	sleep 0.1
done
kill -0 "$PID" 2>/dev/null
check "respited ran through the soak" $?
fds1=$(nfds)
rss1=$(rss_kb)
events=$(metric respite_events_ingested_total)
diag "replay $replay_state"
diag "after the load: RSS $rss1 KiB, $fds1 descriptors, $events events stored"

# ---- the summary

awk -F, -v maxslope="$MAX_SLOPE" -v maxrss="$MAX_RSS" \
    -v fds0="$fds0" -v fds1="$fds1" -v rss1="$rss1" '
BEGIN { n = 0 }
NR == 1 { next }
{ t[n] = $1; r[n] = $2; f[n] = $3; n++ }
END {
	if (n < 4) { print "too few samples"; exit 2 }
	rmax = 0; fmax = 0
	for (i = 0; i < n; i++) {
		if (r[i] > rmax) rmax = r[i]
		if (f[i] > fmax) fmax = f[i]
	}
	# Least squares over the second half, but not the first 10
	# minutes (the warm-up: the agents and the caches fill), KiB a
	# minute; too short a run is not judged by it.
	from = t[n - 1] / 2 > 600 ? t[n - 1] / 2 : 600
	sx = sy = sxx = sxy = m = 0
	for (i = 0; i < n; i++) {
		if (t[i] < from) continue
		x = t[i] / 60; sx += x; sy += r[i]; sxx += x * x; sxy += x * r[i]; m++
	}
	slope = m >= 6 ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : "n/a"
	# And over everything after the warm-up, for the record.
	sx = sy = sxx = sxy = m = 0
	for (i = 0; i < n; i++) {
		if (t[i] < 600) continue
		x = t[i] / 60; sx += x; sy += r[i]; sxx += x * x; sxy += x * r[i]; m++
	}
	slope_all = m >= 6 ? sprintf("%.1f", (m * sxy - sx * sy) / (m * sxx - sx * sx)) : "n/a"
	printf "samples %d over %d s\n", n, t[n - 1]
	printf "RSS KiB: start %d, end %d, max %d, after the load %d\n", r[0], r[n - 1], rmax, rss1
	if (slope == "n/a")
		printf "RSS slope KiB/min: not judged, a run this short has no second half after the 10-minute warm-up (limit %d)\n", maxslope
	else
		printf "RSS slope KiB/min: second half %.1f, after the warm-up %s (limit %d)\n", slope, slope_all, maxslope
	printf "descriptors: start %d, end %d, max %d; quiet before %d, after %d\n", f[0], f[n - 1], fmax, fds0, fds1
	bad = 0
	if (slope != "n/a" && slope > maxslope) { print "FAIL: RSS grows"; bad = 1 }
	if (rmax > maxrss * 1024) { print "FAIL: RSS above " maxrss " MiB"; bad = 1 }
	if (fds1 > fds0 + 2) { print "FAIL: descriptors grow"; bad = 1 }
	exit bad
}' "$OUT" >"$TMPD/summary"
rc=$?
sed 's/^/# /' "$TMPD/summary"
diag "curve: $OUT"
# The curve, a line a minute (every sample if fewer than 60).
awk -F, -v iv="$INTERVAL" 'NR == 1 || (NR - 2) % (60 / iv < 1 ? 1 : int(60 / iv)) == 0' "$OUT" |
    column -t -s, | sed 's/^/#   /'
check "RSS flat (slope within $MAX_SLOPE KiB/min, below $MAX_RSS MiB) and no descriptors leaked" $rc

stop_daemon TERM 30
is "$DAEMON_RC" 0 "respited stops cleanly after the soak"
# Not done_testing: `make soak` must fail when a test did.
echo "1..$_tap_n"
[ "$_tap_failed" -eq 0 ]
