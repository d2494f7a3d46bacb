#!/bin/sh
# respite - the cluster demo behind `make demo-cluster` (not a test).
#
# Three NATS servers with JetStream (a cluster "respite-demo": clients on
# 127.0.0.1:4222-4224, routes on 6222-6224, monitoring on 8222-8224) and
# three respited nodes a, b, c with [cluster] (http://127.0.0.1:7878,
# 7879, 7880), all with their files in BUILDDIR/state-cluster (made
# anew).  The demo's shift (`make demo`'s: 24 agents in 3 teams over the
# last 8 hours, seed 1) is replayed into node a only; nodes b and c show
# the same agents and suggestions, with the same ids.  Then it prints
# where to look and keeps everything running in the foreground: Ctrl-C
# stops the nodes, then the servers.
#
# usage: cluster-demo.sh BUILDDIR
# Environment: DEMO_AGENTS (24), DEMO_TEAMS (3), DEMO_HOURS (8),
# DEMO_SEED (1), DEMO_PORT (7878: node a's; b and c on the next two).
set -u

build=${1:-.}
cd "$build" || exit 1
build=$(pwd)
state=$build/state-cluster
agents=${DEMO_AGENTS:-24}
teams=${DEMO_TEAMS:-3}
hours=${DEMO_HOURS:-8}
seed=${DEMO_SEED:-1}
pa=${DEMO_PORT:-7878}
pb=$((pa + 1))
pc=$((pa + 2))

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

for t in curl jq; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "demo-cluster: $t is needed" >&2
		exit 1
	}
done
for p in respited respitectl; do
	if [ ! -x "./$p" ]; then
		echo "demo-cluster: ./$p is not built; run make first" >&2
		exit 1
	fi
done
if ! command -v nats-server >/dev/null 2>&1; then
	echo "demo-cluster: nats-server is not installed (Debian: apt-get install nats-server)" >&2
	exit 1
fi
if ./respited -t -c /dev/stdin 2>&1 <<EOF | grep -q 'without NATS'
[cluster]
nats = nats://127.0.0.1:4222
node = a
EOF
then
	echo "demo-cluster: respited was built without NATS support (libnats-dev, then ./configure)" >&2
	exit 1
fi
# Every port free: curl's exit status 7 is "connection refused".
for port in 4222 4223 4224 6222 6223 6224 8222 8223 8224 $pa $pb $pc; do
	curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" 2>/dev/null
	if [ $? -ne 7 ]; then
		echo "demo-cluster: something already listens on 127.0.0.1:$port; stop it first" >&2
		exit 1
	fi
done

rm -rf "$state"
mkdir -p "$state"
pids=
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The NATS cluster: one configuration and store a server.
for n in 1 2 3; do
	mkdir -p "$state/nats$n"
	routes=
	for m in 1 2 3; do
		[ "$m" = "$n" ] && continue
		routes="$routes${routes:+, }\"nats-route://127.0.0.1:622$((m + 1))\""
	done
	cat >"$state/nats$n/nats.conf" <<EOF
server_name: n$n
listen: 127.0.0.1:422$((n + 1))
http: 127.0.0.1:822$((n + 1))
jetstream { store_dir: "$state/nats$n/store" }
cluster {
	name: respite-demo
	listen: 127.0.0.1:622$((n + 1))
	routes: [ $routes ]
}
EOF
	nats-server -c "$state/nats$n/nats.conf" >"$state/nats$n/log" 2>&1 &
	pids="$! $pids"
done
for n in 1 2 3; do
	i=0
	until curl -s --max-time 1 "http://127.0.0.1:822$((n + 1))/healthz" 2>/dev/null | grep -q '"ok"'; do
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			echo "demo-cluster: NATS server n$n did not come up; see $state/nats$n/log" >&2
			exit 1
		fi
		sleep 0.1
	done
done
echo "== NATS: 3 servers with JetStream on 127.0.0.1:4222-4224"

# The nodes.
i=0
for node in a b c; do
	port=$((pa + i))
	i=$((i + 1))
	cat >"$state/$node.conf" <<EOF
[server]
listen = 127.0.0.1:$port
[storage]
path = $state/$node.db
[auth]
tokens_file = $state/tokens
[cluster]
nats = nats://127.0.0.1:4222, nats://127.0.0.1:4223, nats://127.0.0.1:4224
node = $node
EOF
	./respited -f -c "$state/$node.conf" 2>"$state/$node.log" &
	pids="$! $pids"
done
i=0
for node in a b c; do
	port=$((pa + i))
	i=$((i + 1))
	j=0
	# Ours, not another respited that took the port meanwhile.
	until [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null |
	    jq -r '.cluster.node // empty' 2>/dev/null)" = "$node" ]; do
		j=$((j + 1))
		if [ "$j" -gt 300 ]; then
			echo "demo-cluster: node $node on :$port did not come up; see $state/$node.log" >&2
			exit 1
		fi
		sleep 0.1
	done
done
echo "== respited: nodes a, b, c on http://127.0.0.1:$pa, $pb, $pc"

echo
echo "== simulating $agents agents in $teams teams over the last $hours hours, replaying into node a"
./respitectl simulate --agents "$agents" --teams "$teams" --hours "$hours" \
    --seed "$seed" --open-end --tz-spread >"$state/demo-shift.ndjson" || exit 1
./respitectl replay --url http://127.0.0.1:$pa - <"$state/demo-shift.ndjson" || exit 1
rm -f "$state/demo-shift.ndjson"

# Let b and c apply what a published.
seq=$(curl -s http://127.0.0.1:$pa/healthz | jq -r '.cluster.stream_seq')
for port in $pb $pc; do
	i=0
	until [ "$(curl -s "http://127.0.0.1:$port/healthz" | jq -r '.cluster.applied_seq')" -ge "$seq" ] 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt 300 ] && break
		sleep 0.1
	done
done

echo
for port in $pa $pb $pc; do
	printf 'node on :%s  ' "$port"
	curl -s "http://127.0.0.1:$port/healthz" | jq -c '.cluster'
done
echo
for port in $pa $pc; do
	echo "== curl -s 'http://127.0.0.1:$port/v1/suggestions?limit=5' (node $( [ "$port" = "$pa" ] && echo a || echo c))"
	curl -s "http://127.0.0.1:$port/v1/suggestions?limit=5" |
	    jq -r '.suggestions[] | [.id, .created_at, .agent, .kind, .status] | @tsv'
	echo
done

cat <<EOF
Three respited nodes keep running on the NATS cluster (Ctrl-C stops all).
Any node answers any read; try:
  curl -s http://127.0.0.1:$pb/v1/agents | jq .        (node b: a's events)
  curl -s http://127.0.0.1:$pc/healthz | jq .cluster   (leader, sequences)
  curl -s http://127.0.0.1:$pa/metrics | grep respite_cluster
  ./respitectl dismiss --url http://127.0.0.1:$pc s-000001, then
      ./respitectl suggestions --url http://127.0.0.1:$pa (answers go
      through the stream too)
  kill the leader's respited (pid in: pgrep -af 'state-cluster/LEADER.conf'):
      another node takes the lease within a few seconds
Files (configurations, databases, logs, NATS stores): $state
EOF
wait
