#!/usr/bin/env bash
# respite - the model is deterministic in cluster mode too (issue 16):
# the demo's shift (`make demo`: respitectl simulate --agents 24 --teams
# 3 --hours 8 --seed 1 --open-end --tz-spread, 4,818 events) replayed
# into a single node and into node a of a cluster (three NATS servers,
# nodes a and b) gives the same suggestions (kind, agent, created_at) on
# the single node, on a and on b, and the same agents with their strain.
# Only what the replayed events raised is compared: suggestions made
# before the shift's end (the hour that began before the replay); the
# minute timers after it run on each one's own clock.  Skipped where
# nats-server or libnats is missing (CI installs both).

. "$(dirname "$0")/lib.sh"

require_tools
setup

. "$(dirname "$0")/nats-lib.sh"
nats_require
if [ -z "${RESPITECTL:-}" ]; then
	RESPITECTL=$(dirname "$RESPITED")/respitectl
fi
[ -x "$RESPITECTL" ] || skip_all "respitectl is not built"
nats_up


# node_start X [CLUSTER]: X with [cluster] if CLUSTER is 1.
node_start() {
	local cl=
	[ -n "${NPORT[$1]:-}" ] || NPORT[$1]=$(free_port)
	node_use "$1"
	[ -f "$LOG" ] || : >"$LOG"
	[ "${2:-0}" = 1 ] && cl="[cluster]
nats = $NATS_URLS
node = $1
replicas = 3
ack_timeout_ms = 5000
lease_ms = 3000"
	write_config "[model]
timezone = UTC
$cl"
	if start_daemon; then
		NPID[$1]=$DAEMON_PID
		bg_register "$DAEMON_PID"
		return 0
	fi
	diag "node $1 did not start; its log:"
	tail -n 15 "$LOG" | sed 's/^/#   /'
	return 1
}

node_start s 0 || bail_out "the single node did not start"
node_start a 1 || bail_out "node a did not start"
node_start b 1 || bail_out "node b did not start"
ok "a single node and cluster nodes a and b started"

NOW=$(date +%s)
END=$((NOW / 3600 * 3600))
START=$((END - 8 * 3600))
"$RESPITECTL" simulate --agents 24 --teams 3 --hours 8 --seed 1 --open-end \
    --tz-spread --start "$(rfc3339 "$START")" >"$TMPD/shift.ndjson" 2>/dev/null
rc=$?
check "the demo's shift simulated ($(wc -l <"$TMPD/shift.ndjson") events)" "$rc"

for n in s a; do
	node_use "$n"
	t0=$(now_ms)
	"$RESPITECTL" replay -q --url "$BASE" "$TMPD/shift.ndjson" >"$TMPD/replay.$n" 2>&1
	rc=$?
	check "replayed into $n ($(( $(now_ms) - t0 )) ms)" "$rc"
done

# Node b applies what a published.
node_use a
req GET /healthz
SEQ=$(jqr '.cluster.stream_seq')
for i in $(seq 1 $(( $(slow 30) * 10 ))); do
	node_use b
	req GET /healthz
	[ "$(jqr '.cluster.applied_seq // 0')" -ge "$SEQ" ] && break
	sleep 0.1
done
# (At least: the leader's minute tick may come after a's read.)
B_SEQ=$(jqr '.cluster.applied_seq // 0')
[ "$B_SEQ" -ge "$SEQ" ] && ok "b applied the stream to $SEQ ($B_SEQ)" ||
    not_ok "b applied the stream to $SEQ" "b is at $B_SEQ"

# suggestions X: kind, agent and time of what the shift raised.
suggestions() {
	node_use "$1"
	req GET '/v1/suggestions?limit=1000'
	printf '%s' "$BODY" | jq -r --arg until "$(rfc3339 "$END")" '.suggestions[] |
	    select(.created_at < $until) | "\(.kind) \(.agent) \(.team) \(.created_at)"' | sort
}
SS=$(suggestions s)
NS=$(printf '%s\n' "$SS" | grep -c .)
[ "$NS" -ge 10 ] && ok "the shift raised suggestions on the single node ($NS)" ||
    not_ok "the shift raised suggestions on the single node ($NS)"
is "$(suggestions a)" "$SS" "a: the same suggestions as the single node (kind, agent, created_at)"
is "$(suggestions b)" "$SS" "b: the same suggestions as the single node"
node_use a
is "$(db_query 'SELECT count(*) FROM events')" "$(wc -l <"$TMPD/shift.ndjson")" \
    "a: every event of the shift stored once"

for n in s a b; do
	node_use "$n"
	stop_daemon TERM 10
	is "$DAEMON_RC" 0 "$n stops cleanly"
done
nats_stop
done_testing
