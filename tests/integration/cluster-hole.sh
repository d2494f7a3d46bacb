#!/usr/bin/env bash
# respite - a hole in the stream (daemon/replica.c, replica_msg_cb).  The
# stream has no limits, so a node that receives a sequence more than one
# past the last it had has lost messages on the way (nats.c 3.4.1 drops
# them past a subscription's bound and its ordered consumer does not send
# them again): it must stop rather than apply on without them, and its
# restart must read on from the hole.  A hole the stream itself has
# (a message deleted by hand) is then the first thing the restart sees:
# a warning, and the node goes on, so that it never stops for ever.
# Made here by deleting message 3 through JetStream's API, then a new
# node replaying the stream from its start.  Skipped without nats-server,
# libnats or python3.

. "$(dirname "$0")/lib.sh"

require_tools
setup

. "$(dirname "$0")/nats-lib.sh"
nats_require python
nats_up

cluster_node_start a || bail_out "node a did not start"
for i in 1 2 3 4 5 6; do
	req POST /v1/events "{\"id\":\"h-$i\",\"type\":\"ticket.assigned\",\"agent\":\"ann\",\"team\":\"t1\",\"channel\":\"chat\",\"ticket\":\"h-$i\"}"
	[ "$STATUS" = 202 ] || break
done
status_is 202 "6 events posted to a, one a request"
last=$(stream_seq_now a)
wait_applied a "$last"
check "a applied the stream to its end ($last)" $?
node_use a
stop_daemon TERM 10

# Message 3 is h-3, unless a tick of a's clock came between.
want=6
js_api STREAM.MSG.GET.RESPITE '{"seq":3}' | grep -q '"subject":"respite\.RESPITE\.ev\.' &&
    want=5
reply=$(js_api STREAM.MSG.DELETE.RESPITE '{"seq":3}')
like "$reply" '"success":[[:space:]]*true' "message 3 deleted from the stream"

# b replays from the start: 1, 2, then 4.
if cluster_node_start b; then
	not_ok "b stops at the hole" "it started and stayed up"
	node_use b
	stop_daemon TERM 10
else
	node_use b
	wait_exit "$DAEMON_PID" 15
	wait "$DAEMON_PID" 2>/dev/null
	is "$?" 1 "b stops at the hole, exit status 1 (for systemd's restart)"
fi
like "$(cat "$LOG")" "error cluster: the stream's messages 3 to 3 did not arrive \(dropped on the way\); stopping after sequence 2: a restart reads on from there" \
    "and says which messages did not arrive and where it stopped"
like "$(cat "$LOG")" "cluster: a hole in the stream: stopping" \
    "it stops as on SIGTERM (what came before is committed)"

# Its restart starts at the hole, which the stream has: a warning, on.
cluster_node_start b
check "b restarts" $?
like "$(tail -n 20 "$LOG")" "node b applies the stream from sequence 3" \
    "b's restart reads on from the hole (what came before was stored)"
like "$(tail -n 20 "$LOG")" "warning cluster: the stream has no messages from sequence 3 to 3 \(deleted\): this node goes on from 4" \
    "the stream's own hole, first after the restart: a warning"
wait_applied b "$last"
check "b applies the stream to its end ($last)" $?
req GET /v1/agents/ann
jq_is '.metrics.open_tickets' "$want" \
    "b has ann's $want open tickets of the stream (a deleted event not)"
stop_daemon TERM 10
is "$DAEMON_RC" 0 "b stops cleanly"

nats_stop
done_testing
