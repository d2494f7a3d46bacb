#!/usr/bin/env bash
# respite - the shape of a hostile load, with tests/integration/load.py
# (python3, standard library) holding the connections:
#
#   - max_connections holds: with max_connections = 2100, of 2150 idle
#     connections the 50 oldest are closed to admit the newest (no 503:
#     the refusal when none is idle is in http.sh); once ten close a new
#     client gets in, and /metrics counts the connections and the
#     evictions;
#   - 2,000 idle connections, 50 slowloris clients (a request head one
#     byte a second), 20 slow readers (200 pipelined requests for a 55 KB
#     file, replies never read) and 10 stream subscribers that never
#     read: a normal client's requests (another process, every 20 ms:
#     reads, small POSTs, new connections) are answered with p99 under
#     250 ms (a few ms when idle), every one under 500 ms; the slowloris
#     clients and slow readers are closed at request_timeout, the idle
#     ones are kept;
#   - then batches of 250 status changes (about 33 KB of stream items
#     each) sixteen times a second: the silent subscribers are dropped
#     as slow readers, without stalling the loop (the normal client's
#     slowest answer stays under 500 ms), while one that reads gets every
#     item;
#   - out of file descriptors (respited under a limit of 128 open files,
#     350 connections): it pauses accepting instead of spinning (little
#     CPU, one log line), keeps answering the clients it has, and takes
#     the waiting ones once descriptors are free.
# Latency bounds are multiplied by RESPITE_TEST_SLOW (valgrind).

. "$(dirname "$0")/lib.sh"
require_tools
setup
have_python || skip_all "python3 is needed to hold the connections"
LOADPY=$(dirname "$0")/load.py

# Room for 2,200 connections on both sides: the daemon inherits our limit.
if [ "$(ulimit -Sn)" != unlimited ] && [ "$(ulimit -Sn)" -lt 4096 ]; then
	ulimit -Sn 4096 2>/dev/null || ulimit -Sn "$(ulimit -Hn)" 2>/dev/null
fi
nofile=$(ulimit -Sn)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt 2400 ]; then
	skip_all "the open files limit ($nofile, hard $(ulimit -Hn)) is below the 2,400 this test needs"
fi

write_config "[server]
max_connections = 2100
idle_timeout = 300
header_timeout = 300
request_timeout = 8
[stream]
buffer = 256K"
start_daemon || bail_out "respited did not start"

# The same probe with nothing else going on: the bounds below add five
# times its p99 and slowest answer, so that a loaded machine (issue 20:
# every answer slower, load or not) does not fail what is meant to catch
# a stalled loop.
python3 "$LOADPY" probe "$PORT" 2 >"$TMPD/base.json" 2>"$TMPD/base.err"
base_p99=$(jq -r '.p99_ms // 0 | floor' "$TMPD/base.json" 2>/dev/null || echo 0)
base_max=$(jq -r '.max_ms // 0 | floor' "$TMPD/base.json" 2>/dev/null || echo 0)
diag "the probe alone: p99 $base_p99 ms, slowest $base_max ms"

# ---- max_connections holds

n0=$(log_lines)
python3 "$LOADPY" maxconn "$PORT" 2150 "$(slow 10)" >"$TMPD/maxconn.json" \
    2>"$TMPD/maxconn.err"
BODY=$(cat "$TMPD/maxconn.json")
diag "max_connections: $BODY"
jq_is '[.refused, .admitted, .closed, .closed_oldest, .other]' '[0,2100,50,true,[]]' \
    "max_connections 2100: of 2150 idle connections the 50 oldest are closed to admit the newest, none refused"
jq_is '.metrics.respite_http_connections' 2091 \
    "... ten close, a new client gets in: /metrics counts 2091 connections"
jq_check '.metrics.respite_http_connections_evicted_total >= 50' \
    "... and at least 50 evictions"

# ---- the shape: idle, slowloris, slow readers, silent streams

n0=$(log_lines)
# The flood lasts longer when slow: it must outrun the kernel's buffers.
flood_s=$((RESPITE_TEST_SLOW > 2 ? 7 * RESPITE_TEST_SLOW / 2 : 7))
python3 "$LOADPY" shape "$PORT" 2000 50 20 10 9 "$flood_s" >"$TMPD/shape.json" \
    2>"$TMPD/shape.err"
BODY=$(cat "$TMPD/shape.json")
diag "shape: $(jqb '{setup_s, probe: (.probe | del(.by_kind)), probe_flood: (.probe_flood | del(.by_kind)), flood, metrics, idle_open, slowloris_closed, slowloris_closed_after_s, slow_readers_closed, reader}')"
diag "probe by kind, ms: $(jqb '.probe.by_kind | map_values({n, p50: (.p50_ms * 10 | round / 10), p99: (.p99_ms * 10 | round / 10), max: (.max_ms * 10 | round / 10)})')"
diag "... during the flood: $(jqb '.probe_flood.by_kind | map_values({n, p50: (.p50_ms * 10 | round / 10), p99: (.p99_ms * 10 | round / 10), max: (.max_ms * 10 | round / 10)})')"
# On an idle machine the p99 is a few milliseconds (the README's figure,
# under 50 ms); the bound here is 250 ms, because this suite must pass on
# a loaded machine (issue 20: two plain suites at once on two cores gave
# 57 and 73 ms, two ASan suites at once 335 ms against the 300 of a
# 150 ms bound; three helpers and two ASan suites beside a plain one,
# load average 15, 286 ms), plus five times the probe's own figures
# alone: what it catches is a stalled loop, not scheduling.
p99_limit=$((250 * RESPITE_TEST_SLOW + 5 * ${base_p99:-0}))
max_limit=$((500 * RESPITE_TEST_SLOW + 5 * ${base_max:-0}))
# (the probe asks every 20 ms for a set time: on a loaded machine it asks
# fewer times, 15 in 9 s beside two ASan suites at load 13; what matters
# is that none fails)
min_probes=$((RESPITE_TEST_SLOW > 2 ? 5 : 20))
jq_check ".probe.requests >= $min_probes and .probe.nerrors == 0" \
    "a normal client's requests are all answered among 2,000 idle connections, 50 slowloris, 20 slow readers, 10 silent streams ($(jqr .probe.requests))"
jq_check ".probe.p99_ms < $p99_limit" \
    "... p99 $(jqr '.probe.p99_ms * 10 | round / 10') ms < $p99_limit ms"
jq_check ".probe.max_ms < $max_limit" \
    "... the slowest $(jqr '.probe.max_ms * 10 | round / 10') ms < $max_limit ms"
jq_is .idle_open 2000 "the 2,000 idle connections stay open (idle_timeout 300 s)"
jq_is .slowloris_closed 50 "the 50 slowloris clients are closed"
jq_check '.slowloris_closed_after_s[0] >= 7 and .slowloris_closed_after_s[1] <= 12' \
    "... at request_timeout (8 s; closed after $(jqb .slowloris_closed_after_s) s)"
jq_is .slow_readers_closed 20 "the 20 slow readers are closed (write timeout)"
jq_check '.flood.batches >= 20 and (.flood.errors | length) == 0' \
    "the flood: batches of 250 status changes, all stored ($(jqr .flood.batches))"
jq_is .metrics.respite_sse_subscribers 1 "the 10 streams that never read are dropped, the reading one stays"
got=$(tail -n "+$((n0 + 1))" "$LOG" | grep -c "dropped, a slow reader")
if [ "$RESPITE_TEST_SLOW" -le 2 ]; then
	is "$got" 10 "... each logged as a slow reader"
else
	# So slow a flood may leave a stream without progress for the whole
	# write timeout first.
	skip "... each logged as a slow reader ($got)" "too slow to tell from a write timeout"
fi
jq_check ".probe_flood.requests >= $min_probes and .probe_flood.nerrors == 0 and .probe_flood.max_ms < $max_limit" \
    "... without stalling the loop: the normal client's slowest answer during the flood $(jqr '.probe_flood.max_ms * 10 | round / 10') ms < $max_limit ms (p99 $(jqr '.probe_flood.p99_ms * 10 | round / 10') ms)"
jq_check '.reader.status == 200 and .reader.closed == false and
    .reader.items == .probe.events_posted + .probe_flood.events_posted + .flood.events' \
    "the reading subscriber got every item ($(jqr .reader.items))"
req GET /healthz
status_is 200 "respited is healthy after the load"
stop_daemon
is "$DAEMON_RC" 0 "respited stops cleanly after the load"

# ---- out of file descriptors

if have prlimit && prlimit --nofile=128:128 true 2>/dev/null; then
	real=$RESPITED
	RESPITED="prlimit --nofile=128:128 -- $real"
	start_daemon || bail_out "respited did not start with 128 open files"
	RESPITED=$real
	n0=$(log_lines)
	python3 "$LOADPY" emfile "$PORT" 350 3 >"$TMPD/emfile.json" \
	    2>"$TMPD/emfile.err" &
	py=$!
	bg_register $py
	# Our clock ticks of CPU between 1 s and 3 s into the flood.
	ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }
	sleep 1
	c0=$(ticks)
	sleep 2
	c1=$(ticks)
	wait $py
	BODY=$(cat "$TMPD/emfile.json")
	diag "emfile: $BODY"
	hz=$(getconf CLK_TCK)
	cpu=$(( (c1 - c0) * 100 / (2 * hz) ))
	if [ "$cpu" -le $((30 * RESPITE_TEST_SLOW)) ]; then
		ok "out of descriptors: respited does not spin ($cpu % CPU)"
	else
		not_ok "out of descriptors: respited does not spin" "$cpu % CPU over 2 s"
	fi
	# Once an episode: the flood, and maybe the backlog taken after it.
	got=$(tail -n "+$((n0 + 1))" "$LOG" | grep -c "pausing new connections")
	if [ "$got" -ge 1 ] && [ "$got" -le 3 ]; then
		ok "out of descriptors: logged once an episode ($got), not once a try"
	else
		not_ok "out of descriptors: logged once an episode" "$got lines"
	fi
	jq_check ".probe.requests > 20 and (.probe.errors | length) == 0 and .probe.p99_ms < $p99_limit" \
	    "out of descriptors: a client already connected is answered (p99 $(jqr '.probe.p99_ms * 10 | round / 10') ms)"
	jq_check ".new_connection_served_after_s != null and .new_connection_served_after_s < $((5 * RESPITE_TEST_SLOW))" \
	    "out of descriptors: once some close, a new client is served ($(jqr .new_connection_served_after_s) s)"
	like "$(tail -n "+$((n0 + 1))" "$LOG")" "accepting connections again" \
	    "... and the log says so"
	req GET /metrics
	like "$BODY" "respite_http_accept_pauses_total [1-9]" "/metrics counts the pauses"
	stop_daemon
	is "$DAEMON_RC" 0 "respited stops cleanly after running out of descriptors"
else
	skip "out of file descriptors" "no prlimit(1), or it cannot set RLIMIT_NOFILE"
fi

done_testing
