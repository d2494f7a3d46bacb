#!/usr/bin/env bash
# respite - cluster mode's sinks across a restart (issue 16, "Side
# effects once"): the suggestion changes no leader confirmed are durable
# on every node, so a node restarted while it held some sends them, once
# and in order, when it is the next leader; those a leader confirmed are
# never sent again, also after a restart.  Each webhook carries
# X-Respite-Delivery, the same on every node for the same change.
#
# Two respited nodes on a 3-server NATS cluster (nats-lib.sh): b with the
# webhook sink, a without sinks (so while a holds the lease nothing
# confirms b's changes).  b leads first and sends X; the lease moves to
# a; Y is raised and dismissed (two changes b keeps unconfirmed); b is
# killed (SIGKILL) and restarted, a stopped, and b as leader sends
# exactly Y's two changes.  Then both with a webhook, a leading: a is
# killed while its POST of Z waits for a retry, and b sends Z (a leader
# confirms a change once its sinks delivered it).
# Skipped where nats-server, libnats, the webhook plugin or python3 is
# missing.  No sleeps on the wall clock: polls with bounds.

. "$(dirname "$0")/lib.sh"

require_tools
setup

[ -n "${PLUGIN_DIR:-}" ] && [ -f "$PLUGIN_DIR/webhook.so" ] ||
    skip_all "no built webhook plugin (PLUGIN_DIR)"
have_python || skip_all "python3 is not installed (the webhook receiver)"
. "$(dirname "$0")/nats-lib.sh"
nats_require
nats_up

RECV=$TMPD/recv.log
python3 "$TOP_SRCDIR/tests/integration/sink-receiver.py" \
    "$TMPD/recv.port" "$RECV" &
bg_register $!
for i in $(seq 1 100); do
	[ -s "$TMPD/recv.port" ] && break
	sleep 0.05
done
: >>"$RECV"
SINK="[plugins]
dir = $PLUGIN_DIR
load = webhook
[plugin.webhook]
url = http://127.0.0.1:$(cat "$TMPD/recv.port")/hook
on = all
audience = all"

# node_start X [SINK]: write X's configuration (with the webhook sink
# if SINK is given) and start it.
node_start() {
	cluster_node_start "$1" "${2:-}"
}

node_stop() {
	node_use "$1"
	stop_daemon TERM 10
	NPID[$1]=
}

# hget X PATH JQ: one value from node X's reply to GET PATH.
hget() {
	node_use "$1"
	req GET "$2"
	jqr "$3"
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local what=$1 limit i
	limit=$(( $(slow "$2") * 10 ))
	shift 2
	for i in $(seq 1 "$limit"); do
		"$@" && return 0
		sleep 0.1
	done
	diag "waited in vain for $what"
	return 1
}

leader_is() {
	[ "$(hget "$1" /healthz '.cluster.leader // empty')" = "$2" ]
}

# unconfirmed X: respite_cluster_sink_unconfirmed of X.
unconfirmed() {
	node_use "$1"
	req GET /metrics
	printf '%s\n' "$BODY" | sed -n 's/^respite_cluster_sink_unconfirmed //p'
}

unconfirmed_is() {
	[ "$(unconfirmed "$1")" = "$2" ]
}

# sent: every webhook received, one line each: "ID CHANGE DELIVERY".
sent() {
	jq -r '"\(.headers["x-respite-suggestion"]) \(.headers["x-respite-change"]) \(.headers["x-respite-delivery"] // "-")"' "$RECV"
}

sent_count_is() {
	[ "$(sent | grep -c .)" = "$1" ]
}

# delivery_of X ID TIME_KEY: the delivery id of suggestion ID's change as
# node X's API shows it: the id, the status and TIME_KEY (created_at for
# the change that raised it, updated_at for the last) in epoch ms.
delivery_of() {
	node_use "$1"
	req GET "/v1/suggestions?limit=1000"
	jqr ".suggestions[] | select(.id == \"$2\")" | python3 -c '
import datetime, json, sys
s = json.load(sys.stdin)
key, status = sys.argv[1], sys.argv[2] or s["status"]
t = datetime.datetime.strptime(s[key].replace("Z", "+0000"),
    "%Y-%m-%dT%H:%M:%S.%f%z" if "." in s[key] else "%Y-%m-%dT%H:%M:%S%z")
print("%s.%s.%d" % (s["id"], status, round(t.timestamp() * 1000)))' "$3" "${4:-}"
}

# severe AGENT: a login and a severe message now: a recovery break at once.
severe() {
	local t=$(( $(date +%s) * 1000 ))
	post_events "[{\"type\":\"agent.login\",\"agent\":\"$1\",\"team\":\"sup\",\"id\":\"$1-login\",\"ts\":$t},
{\"type\":\"message.flagged\",\"agent\":\"$1\",\"channel\":\"chat\",\"severity\":0.95,\"id\":\"$1-hostile\",\"ts\":$t}]"
}

# recovery X AGENT: the id of AGENT's recovery break on X.
recovery() {
	hget "$1" "/v1/suggestions?agent=$2" \
	    '[.suggestions[] | select(.kind == "recovery_break") | .id] | join(",")'
}

# ---- b first: it takes the free lease, and sends X (frank's break).
node_start b "$SINK" || bail_out "node b did not start"
wait_for "b holding the lease" 15 leader_is b b &&
    ok "b holds the lease" || not_ok "b holds the lease"
node_start a || bail_out "node a did not start"
node_use a
severe frank
status_is 202 "a: a severe message for frank"
SEQ=$(stream_seq_now a)
wait_applied b "$SEQ" || not_ok "b applied $SEQ"
X=$(recovery b frank)
case "$X" in s-*[0-9]) ok "b: frank's recovery break ($X)" ;;
*) not_ok "b: frank's recovery break ($X)" ;; esac
wait_for "the webhook of X" 15 sent_count_is 1 &&
    ok "b, the leader, sent X" || not_ok "b, the leader, sent X"
wait_for "b's confirmation of X read back" 15 unconfirmed_is b 0 &&
    ok "b read its confirmation back: nothing unconfirmed" ||
    not_ok "b read its confirmation back ($(unconfirmed b) unconfirmed)"
is "$(sent)" "$X raised $(delivery_of a "$X" created_at open)" \
    "X sent with the delivery id a's copy gives (id.status.ms)"

# ---- the lease to a (no sinks): b stopped until a holds it, then back.
node_stop b
is "$DAEMON_RC" 0 "b stops cleanly"
wait_for "a holding the lease" 15 leader_is a a &&
    ok "a holds the lease" || not_ok "a holds the lease"
node_start b "$SINK" || bail_out "node b did not restart"
wait_for "b seeing a lead" 15 leader_is b a &&
    ok "b restarted and sees a lead" || not_ok "b sees a lead"
is "$(unconfirmed b)" 0 "b: X confirmed before its restart, not kept"

# ---- Y (gina's break) raised and dismissed while a leads: b keeps both
# changes, unconfirmed.
node_use a
severe gina
status_is 202 "a: a severe message for gina"
SEQ=$(stream_seq_now a)
wait_applied a "$SEQ"
Y=$(recovery a gina)
case "$Y" in s-*[0-9]) ok "a: gina's recovery break ($Y)" ;;
*) not_ok "a: gina's recovery break ($Y)" ;; esac
node_use a
req POST "/v1/suggestions/$Y" '{"action":"dismiss"}'
status_is 200 "a: Y dismissed"
SEQ=$(stream_seq_now a)
wait_applied b "$SEQ" || not_ok "b applied $SEQ"
is "$(unconfirmed b)" 2 "b keeps Y's two changes, unconfirmed (a has no sinks)"
is "$(sent | grep -c .)" 1 "nothing sent while a leads"
DY1=$(delivery_of a "$Y" created_at open)
DY2=$(delivery_of a "$Y" updated_at)

# ---- b killed (SIGKILL) and restarted: it rebuilds the two changes
# from its database.
node_use b
kill9_daemon
NPID[b]=
node_start b "$SINK" || bail_out "node b did not restart"
like "$(tail -n 20 "$LOG")" "cluster: node b keeps 2 suggestion changes no leader confirmed \(from its database\)" \
    "b: the unconfirmed changes rebuilt at start-up (logged)"
is "$(unconfirmed b)" 2 "b: 2 unconfirmed changes after its restart"

# ---- a stopped: b leads and sends exactly Y's two changes, in order.
node_stop a
is "$DAEMON_RC" 0 "a stops cleanly"
wait_for "b holding the lease" 15 leader_is b b &&
    ok "b holds the lease again" || not_ok "b holds the lease again"
node_use b
wait_log "runs the sinks from the last position a leader confirmed \(2 changes to send\)" 10 &&
    ok "b: 2 changes to send as leader" ||
    not_ok "b: 2 changes to send as leader ($(grep -o 'confirmed ([0-9]* changes' "$LOG" | tail -n 1))"
wait_for "the webhooks of Y" 15 sent_count_is 3
is "$(sent)" "$X raised $(delivery_of b "$X" created_at open)
$Y raised $DY1
$Y answered $DY2" \
    "b sent Y raised, then Y answered, once each, with a's delivery ids; X not again"
wait_for "b's confirmation of Y read back" 15 unconfirmed_is b 0 &&
    ok "b read its confirmation of Y back" ||
    not_ok "b read its confirmation of Y back ($(unconfirmed b) unconfirmed)"

# ---- b restarted once more, alone: what it confirmed is not sent again.
node_stop b
node_use b
from=$(log_lines)
node_start b "$SINK" || bail_out "node b did not restart"
is "$(unconfirmed b)" 0 "b: nothing unconfirmed after a restart that followed its confirmation"
wait_for "b holding the lease" 15 leader_is b b ||
    not_ok "b holds the lease after its last restart"
node_use b
wait_log "runs the sinks from the last position a leader confirmed \(0 changes to send\)" 10 "$from" &&
    ok "b: 0 changes to send" || not_ok "b: 0 changes to send"
is "$(sent | grep -c .)" 3 "nothing sent twice"

node_stop b
is "$DAEMON_RC" 0 "b stops cleanly"

# ---- The leader killed while it delivers: a leader confirms a change
# only once its webhook delivered it (or gave up), so a leader killed
# (SIGKILL) while its POST waits for a retry leaves it to the next one,
# which sends it again with the same X-Respite-Delivery.  A second
# receiver answers the first POST 503; the retry would come after 60 s.
RECV2=$TMPD/recv2.log
python3 "$TOP_SRCDIR/tests/integration/sink-receiver.py" --fail 1 \
    "$TMPD/recv2.port" "$RECV2" &
bg_register $!
for i in $(seq 1 100); do
	[ -s "$TMPD/recv2.port" ] && break
	sleep 0.05
done
: >>"$RECV2"
SINK2="[plugins]
dir = $PLUGIN_DIR
load = webhook
[plugin.webhook]
url = http://127.0.0.1:$(cat "$TMPD/recv2.port")/hook
on = all
audience = all
retry_delay = 60"

# recv2: "ID DELIVERY ANSWER" a line, of every POST the second got.
recv2() {
	jq -r '"\(.headers["x-respite-suggestion"]) \(.headers["x-respite-delivery"] // "-") \(.answered)"' "$RECV2"
}

recv2_has() {
	recv2 | grep -q -- "$1"
}

node_start a "$SINK2" || bail_out "node a did not restart"
wait_for "a holding the lease" 15 leader_is a a &&
    ok "a (now with the webhook) holds the lease" ||
    not_ok "a (now with the webhook) holds the lease"
node_start b "$SINK2" || bail_out "node b did not restart"
wait_for "b seeing a lead" 15 leader_is b a ||
    not_ok "b sees a lead"
node_use a
severe henry
status_is 202 "a: a severe message for henry"
SEQ=$(stream_seq_now a)
wait_applied a "$SEQ"
Z=$(recovery a henry)
case "$Z" in s-*[0-9]) ok "a: henry's recovery break ($Z)" ;;
*) not_ok "a: henry's recovery break ($Z)" ;; esac
DZ=$(delivery_of a "$Z" created_at open)
wait_for "a's first POST of Z" 15 recv2_has " 503$" &&
    ok "a posted Z, answered 503 (its retry 60 s later)" ||
    not_ok "a posted Z, answered 503"
SEQ=$(stream_seq_now a)
wait_applied b "$SEQ" || not_ok "b applied $SEQ"
is "$(unconfirmed b)" 1 "b keeps Z unconfirmed: a's webhook has not delivered it"
node_use a
t_kill=$(now_ms)
kill9_daemon
NPID[a]=
wait_for "b holding the lease" 15 leader_is b b &&
    ok "a killed (SIGKILL): b holds the lease" ||
    not_ok "a killed (SIGKILL): b holds the lease"
node_use b
wait_log "runs the sinks from the last position a leader confirmed \(1 changes to send\)" 10 &&
    ok "b: 1 change to send as leader" ||
    not_ok "b: 1 change to send as leader ($(grep -o 'confirmed ([0-9]* changes' "$LOG" | tail -n 1))"
wait_for "b's POST of Z" 15 recv2_has " 200$" &&
    diag "Z delivered by b $(( $(now_ms) - t_kill )) ms after a's SIGKILL (lease_ms 3000)" ||
    not_ok "b delivered Z"
is "$(recv2)" "$Z $DZ 503
$Z $DZ 200" \
    "Z posted by a (503), then delivered by b, with the same X-Respite-Delivery"
wait_for "b's confirmation of Z read back" 15 unconfirmed_is b 0 &&
    ok "b confirmed Z once delivered" ||
    not_ok "b confirmed Z once delivered ($(unconfirmed b) unconfirmed)"

node_stop b
is "$DAEMON_RC" 0 "b stops cleanly"
nats_stop
done_testing
