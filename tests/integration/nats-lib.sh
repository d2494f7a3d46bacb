# respite - a 3-server NATS cluster with JetStream on 127.0.0.1 for the
# cluster tests (sourced after lib.sh and setup, which give TMPD, free_port
# and the cleanup trap).
#
#   nats_require          skip the whole script without libnats (a
#                         build --without-nats) or nats-server
#   nats_start            start servers 1..3 and wait until JetStream
#                         answers on each; sets NATS_URLS (comma-separated)
#                         and NATS_URL1..3
#   nats_kill N [SIG]     signal server N (default KILL) and wait for it
#   nats_restart N        start server N again on its ports and store
#   nats_stop             stop all (also done by cleanup)
#   node_use X            point lib.sh's helpers at respited node X (NPORT, NPID)
#   applied X, wait_applied X SEQ [SECONDS], stream_seq_now [X]
#                         a node's applied and known stream sequences
#   cluster_node_start X [CONFIG]
#                         write node X's configuration (cluster mode on
#                         these servers, then CONFIG) and start it
#
# Each server has a configuration file and a store directory of its own
# under $TMPD/nats/N, free ports for clients, routes and monitoring, and
# logs to $TMPD/nats/N/log.  Readiness is the monitoring port's /healthz
# (JetStream's meta group has a leader and the server is current), polled
# with a bound, never a blind sleep.

NATS_SERVER_BIN=
NATS_URLS=

# The respited nodes of a cluster test: their ports and PIDs by name.
declare -A NPORT NPID

# node_use X: make node X the one lib.sh's helpers talk to.
node_use() {
	CUR=$1
	PORT=${NPORT[$1]}
	CONF=$TMPD/$1.conf
	LOG=$TMPD/$1.log
	DB=$TMPD/$1.db
	BASE=http://127.0.0.1:$PORT
	DAEMON_PID=${NPID[$1]:-}
	_started=1
}

# cluster_node_start X [CONFIG]: node X's configuration (event times up
# to 10 min ahead, UTC days, cluster mode on these servers with an R3
# stream RESPITE, lease_ms 3000, ack_timeout_ms $ACK_MS or 2000), then
# CONFIG (more sections), written and started; its log's end if it does
# not start.
cluster_node_start() {
	[ -n "${NPORT[$1]:-}" ] || NPORT[$1]=$(free_port)
	node_use "$1"
	[ -f "$LOG" ] || : >"$LOG"
	write_config "[server]
max_clock_skew = 600
[model]
timezone = UTC
[cluster]
nats = $NATS_URLS
node = $1
stream = RESPITE
replicas = 3
ack_timeout_ms = ${ACK_MS:-2000}
lease_ms = 3000
${2:-}"
	# A node's first start may move to another port if its own was
	# taken meanwhile (start_daemon); later starts keep their address.
	[ -n "${NPID[$1]:-}" ] || _started=
	if start_daemon; then
		NPID[$1]=$DAEMON_PID
		NPORT[$1]=$PORT
		bg_register "$DAEMON_PID"
		return 0
	fi
	NPID[$1]=$DAEMON_PID
	diag "node $1 did not start; its log:"
	tail -n 15 "$LOG" | sed 's/^/#   /'
	return 1
}

# applied X: node X's applied_seq (empty if it does not answer).
applied() {
	node_use "$1"
	req GET /healthz
	jqr '.cluster.applied_seq // empty'
}

# wait_applied X SEQ [SECONDS]: poll X's /healthz until it applied SEQ
# (bound SECONDS, default 15).
wait_applied() {
	local i limit s
	# No sequence to wait for (the node read it from did not answer):
	# fail now, not after the bound.
	if [ -z "$2" ]; then
		diag "node $1: no sequence to wait for"
		return 1
	fi
	limit=$(( $(slow "${3:-15}") * 10 ))
	for i in $(seq 1 "$limit"); do
		s=$(applied "$1")
		[ -n "$s" ] && [ "$s" -ge "$2" ] && return 0
		sleep 0.1
	done
	diag "node $1 applied ${s:-nothing}, not $2"
	return 1
}

# stream_seq_now [X]: the stream's last sequence as node X (default the
# current one) knows it.
stream_seq_now() {
	[ -z "${1:-}" ] || node_use "$1"
	req GET /healthz
	jqr '.cluster.stream_seq'
}

# js_api SUBJECT [PAYLOAD]: a request to JetStream's API
# ($JS.API.SUBJECT) over a plain NATS connection to server 1, as a tool
# of an operator would; prints the reply.  Needs python3 (have_python).
js_api() {
	[ -f "$TMPD/js_api.py" ] || cat >"$TMPD/js_api.py" <<'PY'
import socket, sys
host, port, subject = sys.argv[1], int(sys.argv[2]), sys.argv[3]
payload = sys.argv[4].encode() if len(sys.argv) > 4 else b""
s = socket.create_connection((host, port), timeout=5)
f = s.makefile("rb")
f.readline()                                    # INFO
s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n'
          b"SUB _INBOX.jsapi 1\r\n"
          + ("PUB $JS.API.%s _INBOX.jsapi %d\r\n" % (subject, len(payload))
             ).encode() + payload + b"\r\n")
while True:
    line = f.readline()
    if not line:
        sys.exit("connection closed")
    if line.startswith(b"PING"):
        s.sendall(b"PONG\r\n")
    elif line.startswith(b"MSG "):
        n = int(line.split()[-1])
        print(f.read(n + 2)[:n].decode())
        break
    elif line.startswith(b"-ERR"):
        sys.exit(line.decode().strip())
PY
	python3 "$TMPD/js_api.py" 127.0.0.1 "${_nats_cport[1]}" "$@"
}

_nats_pids=()
_nats_cport=()
_nats_rport=()
_nats_mport=()

# nats_require [python]: skip the test (skip_all) without what it needs:
# libnats in the build, nats-server, curl, and with "python" python3
# (js_api).
nats_require() {
	if [ "${1:-}" = python ]; then
		have_python ||
		    skip_all "python3 is needed to speak NATS's protocol (js_api)"
	fi
	[ "${RESPITE_NATS:-0}" = 1 ] ||
	    skip_all "built without libnats (--without-nats): no cluster mode"
	NATS_SERVER_BIN=$(command -v nats-server 2>/dev/null) ||
	    skip_all "nats-server is not installed (Debian: apt-get install nats-server; .ci/install-deps does)"
	have curl || skip_all "curl is not installed"
}

# nats_up: nats_start, or bail out; says how long it took.
nats_up() {
	nats_start || bail_out "the NATS cluster did not start"
	diag "3 NATS servers with JetStream ready in $NATS_START_MS ms"
}

_nats_conf() {
	local n=$1 d=$TMPD/nats/$1 i routes=
	for i in 1 2 3; do
		[ "$i" = "$n" ] && continue
		routes="$routes${routes:+, }\"nats-route://127.0.0.1:${_nats_rport[$i]}\""
	done
	mkdir -p "$d/store"
	cat >"$d/nats.conf" <<EOF
server_name: n$n
listen: 127.0.0.1:${_nats_cport[$n]}
http: 127.0.0.1:${_nats_mport[$n]}
jetstream {
	store_dir: "$d/store"
	max_memory_store: 256MB
	max_file_store: 2GB
}
cluster {
	name: respite-test
	listen: 127.0.0.1:${_nats_rport[$n]}
	routes: [ $routes ]
}
EOF
}

_nats_run() {
	local n=$1 d=$TMPD/nats/$1
	"$NATS_SERVER_BIN" -c "$d/nats.conf" >>"$d/log" 2>&1 &
	_nats_pids[$n]=$!
	bg_register "${_nats_pids[$n]}"
}

# _nats_ready N SECONDS: poll server N's /healthz until it says ok.
_nats_ready() {
	local i limit
	limit=$(( $(slow "$2") * 10 ))
	for i in $(seq 1 "$limit"); do
		running "${_nats_pids[$1]}" || return 1
		curl -s --max-time 1 \
		    "http://127.0.0.1:${_nats_mport[$1]}/healthz" 2>/dev/null |
		    grep -q '"ok"' && return 0
		sleep 0.1
	done
	return 1
}

nats_start() {
	local n t0
	t0=$(now_ms)
	# Nine distinct free ports from one python (each start costs ~1 s
	# on a busy machine); free_port one at a time without python.
	local ports
	if have_python; then
		ports=$(python3 -c 'import socket
ss = [socket.socket() for i in range(9)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
	else
		ports=$(for n in 1 2 3 4 5 6 7 8 9; do free_port; done)
	fi
	set -- $ports
	for n in 1 2 3; do
		_nats_cport[$n]=$1
		_nats_rport[$n]=$2
		_nats_mport[$n]=$3
		shift 3
	done
	for n in 1 2 3; do
		_nats_conf "$n"
	done
	for n in 1 2 3; do
		_nats_run "$n"
	done
	for n in 1 2 3; do
		if ! _nats_ready "$n" 20; then
			diag "NATS server $n not ready; its log:"
			tail -n 20 "$TMPD/nats/$n/log" | sed 's/^/#   /'
			return 1
		fi
	done
	NATS_URL1=nats://127.0.0.1:${_nats_cport[1]}
	NATS_URL2=nats://127.0.0.1:${_nats_cport[2]}
	NATS_URL3=nats://127.0.0.1:${_nats_cport[3]}
	NATS_URLS="$NATS_URL1,$NATS_URL2,$NATS_URL3"
	NATS_START_MS=$(( $(now_ms) - t0 ))
	return 0
}

nats_kill() {
	local n=$1 sig=${2:-KILL}
	[ -n "${_nats_pids[$n]:-}" ] || return 0
	# Killed already (cluster-writer.py kills its victim): its PID may
	# be another suite's process by now.
	kill_child "$sig" "${_nats_pids[$n]}"
	wait "${_nats_pids[$n]}" 2>/dev/null
	_nats_pids[$n]=
}

nats_restart() {
	_nats_run "$1"
	_nats_ready "$1" 20
}

nats_stop() {
	local n
	for n in 1 2 3; do
		nats_kill "$n" TERM
	done
}
