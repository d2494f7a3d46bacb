#!/usr/bin/env bash
# respite - the cluster row of `make bench` (tests/bench/run.sh): three
# NATS servers with JetStream on 127.0.0.1 (tests/integration/nats-lib.sh),
# then 100,000 publishes of 200 bytes with ids to a fresh R3 stream through
# daemon/cluster.c (tests/cluster/cluster-link bench) against nats.c's
# js_PublishAsync alone (tests/bench/nats-ceiling), alternating, twice
# each; the best of each.  Then respited itself in cluster mode: N events
# (ids, 1,000 agents) posted to node a in requests of 100 by 4 clients
# (tests/bench/loadgen), each answered once JetStream acknowledged all
# 100, and the catch-up of a new node b replaying those N events from
# the stream (from its start to /healthz's applied_seq = N).  Then a new
# node c replaying CN events (1,000,000; CLUSTER_CATCHUP_N scales it)
# published straight to a stream of their own by nats-ceiling events;
# the leader of a and b killed (SIGKILL) and the time until the other
# holds the lease (lease_ms 5000, the default); and the longest pause
# between two 202s of single-event POSTs to the survivor while the
# stream's leader among the NATS servers is killed
# (tests/integration/cluster-writer.py).  Prints:
#
#   bench-row nats OURS CEILING        (messages a second)
#   bench-row nats skipped REASON
#   bench-row nats-cluster INGEST CATCHUP   (events a second)
#   bench-row nats-catchup CN RATE          (events, events a second)
#   bench-row nats-failover MS              (leader failover)
#   bench-row nats-pause MS                 (ingest pause, a server died)
#
#   nats-bench.sh BUILDDIR SRCDIR [N]

B=$1
S=$2
N=${3:-100000}
. "$S/tests/integration/lib.sh"

skip_row() {
	echo "bench-row nats skipped $*"
	exit 0
}

command -v nats-server >/dev/null 2>&1 || skip_row "nats-server is not installed"
[ -x "$B/tests/bench/nats-ceiling" ] && [ -x "$B/tests/cluster/cluster-link" ] ||
    skip_row "built without libnats"
setup
# nats-lib.sh's skip_all would print TAP: check by hand above.
. "$S/tests/integration/nats-lib.sh"
NATS_SERVER_BIN=$(command -v nats-server)
nats_start >&2 || skip_row "the NATS cluster did not start"

best_ours=0
best_ceil=0
for round in 1 2; do
	r=$("$B/tests/bench/nats-ceiling" "$NATS_URLS" "$N" "CEIL$round" |
	    sed -n 's/^RATE \([0-9]*\) .*/\1/p')
	echo "nats-bench: round $round: nats.c alone ${r:-failed} msg/s" >&2
	[ -n "$r" ] && [ "$r" -gt "$best_ceil" ] && best_ceil=$r
	r=$("$B/tests/cluster/cluster-link" "$NATS_URLS" bench "$N" "OURS$round" \
	    2>/dev/null | sed -n 's/^RATE \([0-9]*\) .*/\1/p')
	echo "nats-bench: round $round: cluster_publish ${r:-failed} msg/s" >&2
	[ -n "$r" ] && [ "$r" -gt "$best_ours" ] && best_ours=$r
done
echo "bench-row nats $best_ours $best_ceil"

# respited in cluster mode: ingest through the stream, and a catch-up.
cluster_node() {	# cluster_node NAME [STREAM]: configuration, start
	local n=$1 port st=${2:-RESPITEBENCH}
	port=$(free_port)
	mkdir -p "$TMPD/$n"
	cat >"$TMPD/$n/conf" <<EOF
[server]
listen = 127.0.0.1:$port
max_clock_skew = 600
[storage]
path = $TMPD/$n/db
synchronous = normal
[auth]
tokens_file = $TMPD/tokens
[log]
level = warning
[cluster]
nats = $NATS_URLS
node = $n
stream = $st
replicas = 3
EOF
	"$B/respited" -f -c "$TMPD/$n/conf" 2>>"$TMPD/$n/log" &
	bg_register $!
	eval "PID_$n=$!"
	eval "PORT_$n=$port"
}
# applied_of PORT: the node's applied_seq, or empty.
applied_of() {
	curl -s --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null |
	    jq -r '.cluster.applied_seq // empty' 2>/dev/null
}
if [ -x "$B/tests/bench/loadgen" ]; then
	now=$(( $(date +%s) * 1000 ))
	awk -v n="$N" -v t="$now" 'BEGIN { for (i = 0; i < n; i++)
	    printf "{\"type\":\"message.received\",\"agent\":\"ag%d\",\"team\":\"t%d\",\"channel\":\"chat\",\"id\":\"e-%d\",\"ts\":%d}\n",
	    i % 1000, i % 20, i, t }' >"$TMPD/events.ndjson"
	cluster_node a
	for i in $(seq 1 200); do
		[ -n "$(applied_of "$PORT_a")" ] && break
		sleep 0.1
	done
	L=$("$B/tests/bench/loadgen" -a "127.0.0.1:$PORT_a" \
	    -e "$TMPD/events.ndjson" -b 100 -c 4 -n $((N / 100)) -d 120 \
	    -t 30 2>>"$TMPD/loadgen.err")
	echo "nats-bench: cluster ingest: $L" >&2
	ingest=$(printf '%s\n' "$L" | sed -n 's/.* eps=\([0-9]*\) .*/\1/p')
	accepted=$(printf '%s\n' "$L" | sed -n 's/.* accepted=\([0-9]*\) .*/\1/p')
	if [ "${accepted:-0}" != "$N" ]; then
		echo "nats-bench: only ${accepted:-0} of $N accepted" >&2
		ingest=failed
	fi
	# A new node replays the stream: from its exec to applied_seq = N.
	t0=$(now_ms)
	cluster_node b
	catchup=failed
	for i in $(seq 1 3000); do
		s=$(applied_of "$PORT_b")
		if [ -n "$s" ] && [ "$s" -ge "$N" ]; then
			catchup=$(( N * 1000 / ($(now_ms) - t0) ))
			break
		fi
		sleep 0.1
	done
	echo "nats-bench: catch-up of a new node: $catchup events/s" >&2
	echo "bench-row nats-cluster $ingest $catchup"

	# A new node replaying CN events of a stream of their own.
	CN=${CLUSTER_CATCHUP_N:-1000000}
	r=$("$B/tests/bench/nats-ceiling" "$NATS_URLS" "$CN" RESPITECATCH \
	    events | sed -n 's/^RATE \([0-9]*\) .*/\1/p')
	echo "nats-bench: $CN events published for the catch-up (${r:-failed} msg/s)" >&2
	big=failed
	if [ -n "$r" ]; then
		t0=$(now_ms)
		cluster_node c RESPITECATCH
		for i in $(seq 1 36000); do
			s=$(applied_of "$PORT_c")
			if [ -n "$s" ] && [ "$s" -ge "$CN" ]; then
				big=$(( CN * 1000 / ($(now_ms) - t0) ))
				break
			fi
			kill -0 "$PID_c" 2>/dev/null || break
			sleep 0.1
		done
		kill "$PID_c" 2>/dev/null
		wait "$PID_c" 2>/dev/null
	fi
	echo "nats-bench: catch-up of a new node, $CN events: $big events/s" >&2
	echo "bench-row nats-catchup $CN $big"

	# Failover: the leader of a and b killed.
	leader_of() {
		curl -s --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null |
		    jq -r '.cluster.leader // empty' 2>/dev/null
	}
	fo=failed
	for i in $(seq 1 300); do
		l=$(leader_of "$PORT_a")
		[ -n "$l" ] && break
		sleep 0.1
	done
	case "$l" in
	a) victim=$PID_a survivor=b sport=$PORT_b ;;
	b) victim=$PID_b survivor=a sport=$PORT_a ;;
	*) victim= ;;
	esac
	if [ -n "$victim" ]; then
		t0=$(now_ms)
		kill -9 "$victim"
		for i in $(seq 1 600); do
			if [ "$(leader_of "$sport")" = "$survivor" ]; then
				fo=$(( $(now_ms) - t0 ))
				break
			fi
			sleep 0.05
		done
	fi
	echo "nats-bench: leader failover ($l killed): $fo ms" >&2
	echo "bench-row nats-failover $fo"

	# A NATS server (the stream's leader) killed during single-event POSTs.
	pause=failed
	if [ -n "$victim" ] && command -v python3 >/dev/null 2>&1; then
		vs=1
		for n in 1 2 3; do
			l=$(curl -s --max-time 2 "http://127.0.0.1:${_nats_mport[$n]}/jsz?streams=true" |
			    jq -r '.account_details[]?.stream_detail[]? | select(.name == "RESPITEBENCH") | .cluster.leader // empty' 2>/dev/null | head -n 1)
			case "$l" in n[123]) vs=${l#n}; break ;; esac
		done
		W=$(python3 "$S/tests/integration/cluster-writer.py" \
		    "http://127.0.0.1:$sport" "${_nats_pids[$vs]}" \
		    "$TMPD/acked.txt" "$(date +%s)" 120 2>&1)
		echo "nats-bench: NATS server n$vs killed during single-event POSTs: $W" >&2
		case "$W" in
		*"killed yes"*)
			pause=$(printf '%s\n' "$W" | sed -n 's/.*longest_pause_ms \([0-9]*\).*/\1/p') ;;
		esac
		nats_kill "$vs" KILL
	fi
	echo "bench-row nats-pause $pause"
	kill "$PID_a" "$PID_b" 2>/dev/null
	wait "$PID_a" "$PID_b" 2>/dev/null
fi
nats_stop
