#!/usr/bin/env bash
# respite - cluster mode's replication (daemon/replica.c) on a real
# 3-server NATS cluster (nats-lib.sh) with three respited nodes a, b, c:
# events posted to a are answered once JetStream acknowledged them and
# applied on every node from the stream, with the same agents, strain
# and suggestion ids; a batch re-posted to b is all duplicates and
# stored once everywhere; a webhook goes through the stream too; a node
# stopped while events came in catches up at its restart, and a new
# node replays the stream from its start to the same state; with every
# NATS server down a write is 503 `unavailable` and nothing is applied.
# /healthz's cluster object and the respite_cluster_* metrics.  Skipped
# where nats-server or libnats is missing (CI installs both).  No
# sleeps on the wall clock: polls with bounds, and event times.

. "$(dirname "$0")/lib.sh"

require_tools
setup

. "$(dirname "$0")/nats-lib.sh"
nats_require
nats_up

ACK_MS=2000
# The freshdesk adapter and the lexicon classifier, where built: a
# webhook goes through the stream as its events, classified first.
WEBHOOK=
PLUGINS=
FRESHDESK_KEY=freshdesk-shared-secret
if [ -n "${PLUGIN_DIR:-}" ] && [ -f "$PLUGIN_DIR/freshdesk.so" ] &&
    [ -f "$PLUGIN_DIR/lexicon.so" ]; then
	WEBHOOK=1
	PLUGINS="[plugins]
dir = $PLUGIN_DIR
load = lexicon freshdesk
[plugin.lexicon]
data = ${LEXICON_DATA:-$TOP_SRCDIR/plugins/lexicon}
[plugin.freshdesk]
secret = $FRESHDESK_KEY"
fi
# The webhook sink on every node, to one receiver: only the leader sends.
SINK=
if [ -n "$WEBHOOK" ] && [ -f "$PLUGIN_DIR/webhook.so" ] && have_python; then
	SINK=1
	python3 "$TOP_SRCDIR/tests/integration/sink-receiver.py" \
	    "$TMPD/recv.port" "$TMPD/recv.log" &
	bg_register $!
	for i in $(seq 1 100); do
		[ -s "$TMPD/recv.port" ] && break
		sleep 0.05
	done
	: >>"$TMPD/recv.log"
	PLUGINS="${PLUGINS/load = lexicon freshdesk/load = lexicon freshdesk webhook}
[plugin.webhook]
url = http://127.0.0.1:$(cat "$TMPD/recv.port")/hook"
fi


# node_start X: write X's configuration (with $PLUGINS) and start it.
node_start() {
	cluster_node_start "$1" "$PLUGINS"
}

# node_stop X: stop X (TERM) and wait for it.
node_stop() {
	node_use "$1"
	stop_daemon TERM 10
	NPID[$1]=
}

# wait_all_applied SEQ: a, b and c applied SEQ (one failing test if not).
wait_all_applied() {
	local n
	for n in a b c; do
		wait_applied "$n" "$1" || not_ok "$n applied to $1"
	done
}

# state X: what must be equal on every node: agents with status, strain,
# level, metrics and factors, and every suggestion with its id, kind,
# agent and status.
state() {
	local a
	node_use "$1"
	req GET '/v1/agents?limit=5000'
	jqr '.agents[] | "\(.agent) \(.team) \(.status) \(.strain) \(.level)"' | sort
	# Each agent's metrics and factors, to the last digit: at the
	# node's model clock, not the wall clock's millisecond.
	for a in $(jqr '.agents[].agent' | sort); do
		req GET "/v1/agents/$a"
		jqr '"\(.agent) \(.metrics | tostring) \(.factors | tostring)"'
	done
	req GET '/v1/suggestions?limit=1000'
	jqr '.suggestions[] | "\(.id) \(.kind) \(.agent) \(.status) \(.created_at)"' | sort
}

# same_state X Y DESC: one test that X's state equals Y's, both read at
# one applied sequence.  A read answers at its node's model clock (the
# minute of the last tick applied), so two nodes at one applied_seq
# answer alike; a tick applied between the two reads moves one on, and
# then both are read again.
same_state() {
	local i q sx sy
	for i in 1 2 3 4 5 6; do
		q=$(applied "$1")
		sx=$(state "$1")
		[ -n "$q" ] && [ "$(applied "$1")" = "$q" ] || continue
		wait_applied "$2" "$q" || break
		sy=$(state "$2")
		[ "$(applied "$2")" = "$q" ] && break
	done
	is "$sy" "$sx" "$3"
}

# applied_state X: what the stream changed on X, not what the wall clock moves
# (a read's strain is at the node's clock): agents with their status,
# the suggestions with theirs, the events stored.
applied_state() {
	node_use "$1"
	req GET '/v1/agents?limit=5000'
	jqr '.agents[] | "\(.agent) \(.team) \(.status)"' | sort
	req GET '/v1/suggestions?limit=1000'
	jqr '.suggestions[] | "\(.id) \(.kind) \(.agent) \(.status) \(.created_at)"' | sort
	db_query 'SELECT count(*) FROM events'
}

T=$(date +%s)
[ $((T % 60)) -eq 0 ] && T=$((T + 1))
W0=$((T / 60 * 60))
L=$((W0 - 55 * 60))

# ev TYPE AGENT EPOCH_S [JSON_FIELDS]: one NDJSON event line.
ev() {
	printf '{"type":"%s","agent":"%s","ts":%s%s}\n' "$1" "$2" \
	    "$(($3 * 1000))" "${4:+,$4}"
}

for n in a b c; do
	node_start "$n" || bail_out "node $n did not start"
done
ok "three respited nodes with [cluster] started"

node_use a
like "$(cat "$LOG")" "cluster: node a applies the stream from sequence 1" \
    "a new node applies the stream from its start"
req GET /healthz
status_is 200 "/healthz 200 once caught up"
jq_is '.status' '"ok"' "status ok"
jq_is '.cluster.node' '"a"' "cluster.node"
jq_is '.cluster | [.applied_seq, .stream_seq] | map(type)' '["number","number"]' \
    "cluster.applied_seq and stream_seq are numbers"
jq_check '.cluster | has("leader")' "cluster.leader is there (a name or null)"

# ---- ingest on a: 55 minutes of work for four agents, ids on each
{
	for a in alice bob carol dave; do
		ev agent.login "$a" "$L" "\"team\":\"sup\",\"id\":\"$a-login\""
		for m in $(seq 2 2 54); do
			ev message.received "$a" $((L + m * 60)) \
			    "\"channel\":\"chat\",\"id\":\"$a-m$m\""
		done
		ev message.received "$a" "$T" \
		    "\"channel\":\"chat\",\"id\":\"$a-now\""
	done
} >"$TMPD/shift.ndjson"
# erin: 50 minutes of continuous work are reached at the next whole
# minute, after her last event: only the minute tick raises her micro
# break.  At least 15 s before that minute (more on a slow machine, at
# most 45: two ASan suites at load 18 took longer than 15 s to post and
# replicate them, and the tick after came first), so her events come
# first.
margin=$(( 15 * RESPITE_TEST_SLOW ))
[ "$margin" -gt 45 ] && margin=45
Tn=$(date +%s)
if [ $(( 60 - Tn % 60 )) -lt "$margin" ]; then
	sleep $(( 61 - Tn % 60 ))
	Tn=$(date +%s)
fi
NEXT=$(( (Tn / 60 + 1) * 60 ))
EL=$(( NEXT - 50 * 60 ))
{
	ev agent.login erin "$EL" '"team":"sup","id":"erin-login"'
	for m in $(seq 2 2 48); do
		ev message.received erin $((EL + m * 60)) \
		    "\"channel\":\"chat\",\"id\":\"erin-m$m\""
	done
	ev message.received erin "$Tn" '"channel":"chat","id":"erin-now"'
} >>"$TMPD/shift.ndjson"
NEV=$(wc -l <"$TMPD/shift.ndjson")
node_use a
post_events "@$TMPD/shift.ndjson" -H 'Content-Type: application/x-ndjson'
status_is 202 "a: the shift is acknowledged (202)"
jq_is '.' "{\"accepted\":$NEV,\"duplicates\":0}" "a: every event accepted"
req GET /healthz
SEQ=$(jqr '.cluster.stream_seq')
# The stream holds the leader's ticks too (one a minute, one at start),
# and the position of its sinks (one publish in flight at a time).
[ "$SEQ" -ge "$NEV" ] && [ "$SEQ" -le $((NEV + 10)) ] &&
    ok "a: the stream holds one message per event ($SEQ)" ||
    not_ok "a: the stream holds one message per event ($SEQ, $NEV events)"

for n in a b c; do
	wait_applied "$n" "$SEQ" && ok "$n applied the stream to $SEQ" ||
	    not_ok "$n applied the stream to $SEQ"
done
SA=$(state a)
like "$SA" "s-[0-9]+ micro_break alice open" "a: the shift raised suggestions"
unlike_erin() {
	case "$1" in *"micro_break erin"*) return 1 ;; esac
	return 0
}
unlike_erin "$SA" && ok "a: no micro break for erin before the tick" ||
    not_ok "a: no micro break for erin before the tick"
same_state a b "b: the same agents, strain, suggestions and ids as a"
same_state a c "c: the same agents, strain, suggestions and ids as a"
for n in a b c; do
	node_use "$n"
	is "$(db_query 'SELECT count(*) FROM events')" "$NEV" \
	    "$n: every event stored once"
	# At least SEQ, at most what the node applied by now: the leader's
	# ticks and its sinks' position may have come meanwhile.
	STORED=$(db_query "SELECT value FROM cluster WHERE key = 'applied_seq'")
	NOW_SEQ=$(applied "$n")
	[ -n "$STORED" ] && [ "$STORED" -ge "$SEQ" ] &&
	    [ "$STORED" -le "${NOW_SEQ:-0}" ] &&
	    ok "$n: the sequence applied is stored with them ($STORED)" ||
	    not_ok "$n: the sequence applied is stored with them" \
	    "stored ${STORED:-none}, expected $SEQ to ${NOW_SEQ:-?}"
	is "$(db_query "SELECT count(*) FROM events WHERE received < 0")" 0 \
	    "$n: received times carried"
done
node_use a
A_RCV=$(db_query "SELECT group_concat(received) FROM events ORDER BY seq")
node_use c
is "$(db_query "SELECT group_concat(received) FROM events ORDER BY seq")" \
    "$A_RCV" "c: the received times are a's"

# ---- duplicates: the same batch re-posted to b
node_use b
post_events "@$TMPD/shift.ndjson" -H 'Content-Type: application/x-ndjson'
status_is 202 "b: the re-posted batch is acknowledged"
jq_is '.' "{\"accepted\":0,\"duplicates\":$NEV}" "b: all duplicates"
# One new event and one repeated, to c before it could have applied the
# new one: the repeat is recognised by JetStream's duplicate window.
node_use c
post_events '{"type":"message.received","agent":"alice","channel":"chat","id":"x-1","ts":'$((T * 1000))'}'
status_is 202 "c: a new event"
node_use b
post_events '[{"type":"message.received","agent":"alice","channel":"chat","id":"x-1","ts":'$((T * 1000))'},
{"type":"message.received","agent":"bob","channel":"chat","id":"x-2","ts":'$((T * 1000))'}]'
jq_is '.' '{"accepted":1,"duplicates":1}' "b: the event just posted to c is a duplicate"
SEQ=$((SEQ + 2))
for n in a b c; do
	wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
	node_use "$n"
	is "$(db_query 'SELECT count(*) FROM events')" $((NEV + 2)) \
	    "$n: stored once ($((NEV + 2)) events)"
done

# ---- a webhook: classified on the node it reached, then published
if [ -n "$WEBHOOK" ]; then
	CANARY=CANARY-cl-7f3a
	printf '%s' '{"freshdesk_webhook": {"respite_event": "message.received",
 "ticket_id": "7001", "ticket_source": "Email", "ticket_agent_email": "tom@acme.example",
 "ticket_latest_public_comment": "Bob : <div>You are all idiots, I know where you live. '"$CANARY"'</div>"}}' >"$TMPD/fd.json"
	node_use b
	req POST /v1/webhooks/freshdesk "@$TMPD/fd.json" -H "X-Respite-Secret: $FRESHDESK_KEY"
	reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "b: a freshdesk webhook through the stream"
	node_use c
	req POST /v1/webhooks/freshdesk "@$TMPD/fd.json" -H "X-Respite-Secret: $FRESHDESK_KEY"
	reply_is 202 '{"accepted":0,"duplicates":1,"ignored":0}' "c: the same webhook is a duplicate"
	SEQ=$((SEQ + 1))
	for n in a b c; do
		wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
		node_use "$n"
		is "$(db_query "SELECT count(*) FROM events WHERE agent = 'tom@acme.example' AND severity > 0")" 1 \
		    "$n: the webhook's event stored once, with the severity b's classifier gave"
		if grep -rqs "$CANARY" "$TMPD/$n.db"* "$TMPD/$n.log" "$TMPD"/nats/*/store; then
			not_ok "$n: the message text is nowhere (database, log, stream)"
		else
			ok "$n: the message text is nowhere (database, log, stream)"
		fi
	done
	same_state a c "c: the same state as a after the webhook"
else
	skip "the webhook through the stream" "no built freshdesk and lexicon plugins (PLUGIN_DIR)"
fi

req GET /metrics
like "$BODY" "respite_cluster_applied_seq [1-9][0-9]*" "/metrics: respite_cluster_applied_seq"
like "$BODY" "respite_cluster_lag 0" "/metrics: respite_cluster_lag"
like "$BODY" "respite_cluster_acks_pending 0" "/metrics: respite_cluster_acks_pending"
like "$BODY" 'respite_cluster_publish_seconds_count [1-9]' "/metrics: respite_cluster_publish_seconds"
like "$BODY" 'respite_cluster_leader [01]' "/metrics: respite_cluster_leader"
L1=0
for n in a b c; do
	node_use "$n"
	req GET /metrics
	L1=$((L1 + $(printf '%s\n' "$BODY" | sed -n 's/^respite_cluster_leader //p')))
done
is "$L1" 1 "exactly one node counts itself leader"

# ---- the clock through the log: the leader's tick of the minute NEXT,
# read from the stream, raises erin's micro break on every node, with the
# same id and time.
EB=
for i in $(seq 1 $(( ($(slow 1) * (NEXT + 20 - $(date +%s))) * 5 ))); do
	node_use a
	req GET '/v1/suggestions?agent=erin'
	EB=$(jqr '.suggestions[] | select(.kind == "micro_break") | .created_at')
	[ -n "$EB" ] && break
	[ "$(date +%s)" -gt $((NEXT + 20 + 20 * RESPITE_TEST_SLOW)) ] && break
	sleep 0.2
done
is "$EB" "$(date -u -d "@$NEXT" +%Y-%m-%dT%H:%M:%SZ)" \
    "a: the tick of the next minute raised erin's micro break, at that minute"
req GET /healthz
SEQ=$(jqr '.cluster.applied_seq')
for n in b c; do
	wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
done
same_state a b "b: the same suggestions after the tick (ids, times)"
same_state a c "c: the same suggestions after the tick (ids, times)"
node_use b
req GET /metrics
like "$BODY" 'respite_cluster_ticks_total [1-9]' "b: applied ticks from the stream"

# ---- answers through the stream (issue 16): a dismissal on b, an
# accept on c (it starts the break), a snooze on a: each reply already
# shows it (applied on the answering node), and every node has the same
# statuses and ids; a second answer to the dismissed one, on another
# node, is 409 everywhere alike.
node_use a
req GET '/v1/suggestions?status=open&limit=1000'
ED=$(jqr '[.suggestions[] | select(.agent == "erin")][0].id // empty')
BA=$(jqr '[.suggestions[] | select(.agent == "bob")][0].id // empty')
CS=$(jqr '[.suggestions[] | select(.agent == "carol")][0].id // empty')
if [ -n "$ED" ] && [ -n "$BA" ] && [ -n "$CS" ]; then
	for step in "b $ED dismiss dismissed" "c $BA accept accepted" \
	    "a $CS snooze snoozed"; do
		set -- $step
		node_use "$1"
		req POST "/v1/suggestions/$2" "{\"action\":\"$3\"}"
		status_is 200 "$1: $3 of $2 answered"
		jq_is '.id' "\"$2\"" "$1: the reply is suggestion $2"
		jq_is '.status' "\"$4\"" "$1: the reply shows it $4 (applied here)"
		req GET /healthz
		SEQ=$(jqr '.cluster.applied_seq')
		for n in a b c; do
			[ "$n" = "$1" ] && continue
			wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
			node_use "$n"
			req GET "/v1/suggestions?limit=1000"
			is "$(jqr ".suggestions[] | select(.id == \"$2\") | .status")" \
			    "$4" "$n: $2 is $4 there too (same id)"
		done
	done
	node_use a
	req GET /v1/agents/bob
	jq_is '.status' '"on_break"' "a: bob's accepted break started on a too"
	node_use c
	req POST "/v1/suggestions/$ED" '{"action":"accept"}'
	error_is 409 conflict - action "c: answering the suggestion b dismissed is 409"
	req GET /healthz
	SEQ=$(jqr '.cluster.applied_seq')
	for n in a b; do
		wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
	done
	same_state a b "b: the same suggestions, statuses and ids as a after the answers"
	same_state a c "c: the same suggestions, statuses and ids as a after the answers"
	node_use b
	is "$(db_query "SELECT count(*) FROM events WHERE agent = 'bob' AND id IS NULL")" 1 \
	    "b: the accepted break's event stored once (made by each node, not published)"
else
	not_ok "open suggestions of erin, bob and carol to answer ($ED $BA $CS)"
fi

# ---- a break started on b, ended on c: through the stream, answered
# once the answering node applied it (its reply shows it)
for step in "b start on_break" "c end working"; do
	set -- $step
	node_use "$1"
	req POST /v1/agents/alice/break "{\"action\":\"$2\"}"
	status_is 200 "$1: break $2 answered"
	jq_is '.status' "\"$3\"" "$1: the reply shows alice $3 (applied here)"
	req GET /healthz
	SEQ=$(jqr '.cluster.applied_seq')
	for n in a b c; do
		wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
		node_use "$n"
		req GET /v1/agents/alice
		jq_is '.status' "\"$3\"" "$n: alice is $3"
	done
done
same_state a b "b: the same state as a after the break"
same_state a c "c: the same state as a after the break"

# ---- side effects once: the sinks run on the leader only
if [ -n "$SINK" ]; then
	node_use a
	req GET '/v1/suggestions?limit=1000'
	NS=$(jqr '.suggestions | length')
	for i in $(seq 1 $(( $(slow 10) * 10 ))); do
		[ "$(jq -r '.body' "$TMPD/recv.log" | jq -r 'select(.type == "suggestion.raised") | .suggestion.id' | sort -u | wc -l)" -ge "$NS" ] && break
		sleep 0.1
	done
	RAISED=$(jq -r '.body' "$TMPD/recv.log" | jq -r 'select(.type == "suggestion.raised") | .suggestion.id' | sort)
	is "$(printf '%s\n' "$RAISED" | sort -u | grep -c .)" "$NS" \
	    "the webhook sink got every suggestion raised ($NS)"
	is "$(printf '%s\n' "$RAISED" | uniq -d | grep -c .)" 0 \
	    "each once, from the leader alone (not once a node)"
else
	skip "sinks on the leader only" "no built webhook plugin or python3"
fi

# ---- restart: c stops, events come in, c catches up.  Before it, gina
# gets an insult during a call: her recovery break waits, a candidate,
# for the call to end (MODEL.md), and c stops while it waits.
TG=$(date +%s)
node_use a
post_events '[{"type":"agent.login","agent":"gina","id":"g-1","ts":'$(((TG - 120) * 1000))'},
{"type":"ticket.assigned","agent":"gina","channel":"phone","ticket":"call-g","id":"g-2","ts":'$(((TG - 60) * 1000))'},
{"type":"message.flagged","agent":"gina","channel":"phone","ticket":"call-g","severity":0.9,"categories":["insult"],"id":"g-3","ts":'$((TG * 1000))'}]'
status_is 202 "a: an insult for gina during her call"
wait_all_applied "$(stream_seq_now)"
node_use c
req GET '/v1/suggestions?agent=gina'
jq_is '.suggestions | length' 0 "c: gina's recovery break waits for her call to end"
node_stop c
is "$DAEMON_RC" 0 "c stops cleanly"
node_use a
post_events '[{"type":"message.received","agent":"carol","channel":"chat","id":"r-1","ts":'$((T * 1000))'},
{"type":"message.flagged","agent":"carol","channel":"chat","severity":0.9,"categories":["insult"],"id":"r-2","ts":'$((T * 1000))'}]'
status_is 202 "a: two events while c is down"
req GET /healthz
SEQ=$(jqr '.cluster.stream_seq')
wait_applied b "$SEQ" || not_ok "b applied to $SEQ"
node_use c
CSEQ=$(db_query "SELECT value FROM cluster WHERE key = 'applied_seq'")
node_start c || bail_out "c did not restart"
like "$(tail -n 20 "$LOG")" "applies the stream from sequence $((CSEQ + 1)) \([1-9][0-9]* to catch up\)" \
    "c restarts after the sequence it stored ($CSEQ)"
wait_applied c "$SEQ" && ok "c caught up to $SEQ" || not_ok "c caught up to $SEQ"
same_state a c "c: the same state as a after catching up"
same_state a b "b: the same state as a"
# gina's call ends: the break that waited is released on every node,
# the restarted c too, with one id (c restored the candidate it stored).
node_use b
post_events '[{"type":"ticket.handled","agent":"gina","channel":"phone","ticket":"call-g","duration_s":90,"id":"g-4","ts":'$(((TG + 30) * 1000))'}]'
status_is 202 "b: gina's call ends"
wait_all_applied "$(stream_seq_now)"
node_use a
req GET '/v1/suggestions?agent=gina'
GID=$(jqr '.suggestions[] | select(.kind == "recovery_break") | .id')
like "$GID" '^s-[0-9]+$' "a: gina's recovery break released when her call ended ($GID)"
node_use c
req GET '/v1/suggestions?agent=gina'
jq_is '[.suggestions[] | select(.kind == "recovery_break") | .id]' "[\"$GID\"]" \
    "c, restarted while it waited: the same recovery break, the same id"
jq_check '[.suggestions[] | select(.kind == "recovery_break")][0].reason | test("severity 0.90")' \
    "c: its reason is the insult's (the candidate, not raised anew)"
same_state a c "c: the same state as a after gina's break"

# ---- a brand-new node replays the stream from its start
node_start d || bail_out "d did not start"
wait_applied d "$SEQ" && ok "d replayed the stream to $SEQ" || not_ok "d replayed to $SEQ"
node_use a
NA=$(db_query 'SELECT count(*) FROM events')
node_use d
is "$(db_query 'SELECT count(*) FROM events')" "$NA" "d: every event stored once ($NA)"
same_state a d "d: the same agents, strain, suggestions and ids"
node_stop d

# ---- failover: the leader node killed (SIGKILL): another node holds
# the lease within 15 s (lease_ms 3 s here).  The next suggestion (a
# severe message, posted right after the kill: a recovery break at once,
# while no node holds the lease) is raised once, with the same id on
# every node, and the new leader's sinks send it once: it resumes from
# the last change the old one confirmed.
leader_of() {
	node_use "$1"
	req GET /healthz
	jqr '.cluster.leader // empty'
}
LEAD=
for i in $(seq 1 $(( $(slow 15) * 10 ))); do
	LEAD=$(leader_of a)
	[ -n "$LEAD" ] && break
	sleep 0.1
done
case "$LEAD" in
a|b|c)
	ok "a leader holds the lease before the kill ($LEAD)"
	SURV=
	for n in a b c; do
		[ "$n" != "$LEAD" ] && SURV="$SURV $n"
	done
	node_use "$LEAD"
	t0=$(now_ms)
	kill9_daemon
	NPID[$LEAD]=
	set -- $SURV
	node_use "$1"
	post_events "[$(ev agent.login frank "$T" '"team":"sup","id":"frank-login"'),
 $(ev message.flagged frank "$T" '"channel":"chat","severity":0.95,"id":"frank-hostile"')]"
	status_is 202 "$1: a severe message for frank right after the leader's kill"
	NEWL=
	for i in $(seq 1 $(( $(slow 15) * 10 ))); do
		l1=
		for n in $SURV; do
			l=$(leader_of "$n")
			if [ -z "$l" ] || [ "$l" = "$LEAD" ] ||
			    { [ -n "$l1" ] && [ "$l" != "$l1" ]; }; then
				l1=
				break
			fi
			l1=$l
		done
		[ -n "$l1" ] && NEWL=$l1 && break
		sleep 0.1
	done
	FAILOVER_MS=$(( $(now_ms) - t0 ))
	diag "leader failover: $LEAD killed, $NEWL holds the lease after $FAILOVER_MS ms (lease_ms 3000)"
	[ -n "$NEWL" ] && [ "$FAILOVER_MS" -le $(( $(slow 15) * 1000 )) ] &&
	    ok "a new leader ($NEWL) within 15 s ($FAILOVER_MS ms)" ||
	    not_ok "a new leader within 15 s (${NEWL:-none} after $FAILOVER_MS ms)"
	set -- $SURV
	node_use "$1"
	req GET /healthz
	SEQ=$(jqr '.cluster.stream_seq')
	FIDS=
	for n in $SURV; do
		wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
		node_use "$n"
		req GET '/v1/suggestions?agent=frank'
		FIDS="$FIDS$(jqr '[.suggestions[] | select(.kind == "recovery_break") | .id] | join(",")') "
	done
	set -- $FIDS
	[ $# -eq 2 ] && [ "$1" = "$2" ] && case "$1" in *,*|"") false ;; *) true ;; esac &&
	    ok "one recovery break for frank, the same id on both nodes ($1)" ||
	    not_ok "one recovery break for frank, the same id on both nodes ($FIDS)"
	FID=$1
	if [ -n "$SINK" ]; then
		n=0
		for i in $(seq 1 $(( $(slow 10) * 10 ))); do
			n=$(jq -r '.body' "$TMPD/recv.log" | jq -r --arg id "$FID" \
			    'select(.type == "suggestion.raised" and .suggestion.id == $id) | .suggestion.id' | wc -l)
			[ "$n" -ge 1 ] && break
			sleep 0.1
		done
		is "$n" 1 "the new leader's sink sent frank's recovery break (raised with no leader) once"
	fi
	# The killed node back: it catches up and sends nothing again.
	node_start "$LEAD" || bail_out "$LEAD did not restart after SIGKILL"
	wait_applied "$LEAD" "$SEQ" && ok "$LEAD restarted after SIGKILL caught up to $SEQ" ||
	    not_ok "$LEAD restarted after SIGKILL caught up to $SEQ"
	same_state "$NEWL" "$LEAD" "$LEAD: the same state as the new leader"
	if [ -n "$SINK" ]; then
		is "$(jq -r '.body' "$TMPD/recv.log" | jq -r --arg id "$FID" \
		    'select(.type == "suggestion.raised" and .suggestion.id == $id) | .suggestion.id' | wc -l)" 1 \
		    "frank's recovery break still sent once after $LEAD's restart"
	fi
	;;
*)
	not_ok "a leader holds the lease before the kill (none known to a)"
	;;
esac

# ---- one NATS server killed (SIGKILL: the stream's leader) during a
# stream of single-event POSTs to a (cluster-writer.py): every event
# answered 202 is on every node; the longest pause between two 202s is
# reported.
if have_python; then
	VICTIM=1
	for n in 1 2 3; do
		l=$(curl -s --max-time "$(slow 2)" "http://127.0.0.1:${_nats_mport[$n]}/jsz?streams=true" |
		    jq -r '.account_details[]?.stream_detail[]? | select(.name == "RESPITE") | .cluster.leader // empty' 2>/dev/null | head -n 1)
		case "$l" in n[123]) VICTIM=${l#n}; break ;; esac
	done
	node_use a
	python3 "$TOP_SRCDIR/tests/integration/cluster-writer.py" "$BASE" \
	    "${_nats_pids[$VICTIM]}" "$TMPD/acked.txt" "$T" "$(slow 60)" \
	    >"$TMPD/writer.out" 2>&1
	diag "NATS server n$VICTIM (the stream's leader) killed during single-event POSTs: $(cat "$TMPD/writer.out")"
	nats_kill "$VICTIM" KILL
	like "$(cat "$TMPD/writer.out")" "killed yes" "the server was killed mid-stream"
	NACK=$(wc -l <"$TMPD/acked.txt")
	[ "$NACK" -ge 300 ] && ok "writes went on after the kill ($NACK answered 202)" ||
	    not_ok "writes went on after the kill ($NACK answered 202)"
	PAUSE=$(sed -n 's/.*longest_pause_ms \([0-9]*\).*/\1/p' "$TMPD/writer.out")
	diag "longest ingest pause when a NATS server died: ${PAUSE} ms"
	node_use a
	req GET /healthz
	SEQ=$(jqr '.cluster.stream_seq')
	sort "$TMPD/acked.txt" >"$TMPD/acked.sorted"
	for n in a b c; do
		wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
		node_use "$n"
		db_query "SELECT id FROM events WHERE id LIKE 'k-%'" | sort >"$TMPD/have.$n"
		is "$(comm -23 "$TMPD/acked.sorted" "$TMPD/have.$n" | wc -l)" 0 \
		    "$n: every event answered 202 is there ($NACK)"
	done
	nats_restart "$VICTIM" || bail_out "NATS server $VICTIM did not restart"
else
	skip "a NATS server killed during writes" "python3 is not installed"
fi

# ---- side effects once across the failover and the server's death:
# every suggestion raised anywhere was sent, and once.
if [ -n "$SINK" ]; then
	node_use "${NEWL:-a}"
	req GET '/v1/suggestions?limit=1000'
	NS=$(jqr '.suggestions | length')
	for i in $(seq 1 $(( $(slow 10) * 10 ))); do
		[ "$(jq -r '.body' "$TMPD/recv.log" | jq -r 'select(.type == "suggestion.raised") | .suggestion.id' | sort -u | wc -l)" -ge "$NS" ] && break
		sleep 0.1
	done
	RAISED=$(jq -r '.body' "$TMPD/recv.log" | jq -r 'select(.type == "suggestion.raised") | .suggestion.id' | sort)
	is "$(printf '%s\n' "$RAISED" | sort -u | grep -c .)" "$NS" \
	    "every suggestion raised was sent by a leader ($NS), none skipped"
	is "$(printf '%s\n' "$RAISED" | uniq -d | tr '\n' ' ')" "" \
	    "none sent twice (by two leaders or one)"
fi

# ---- no answer at all: every server stopped (SIGSTOP), the connection
# stays up: 503 once ack_timeout_ms passed, nothing applied meanwhile.
# The publish sits in the connection and may be stored once the servers
# go on: the client's retry with the same id is then a duplicate, and
# the event is stored once (docs/cluster.md).
node_use a
before=$(applied_state a)
nbefore=$(db_query 'SELECT count(*) FROM events')
for n in 1 2 3; do
	kill -STOP "${_nats_pids[$n]}"
done
STALL='{"type":"message.received","agent":"alice","channel":"chat","id":"stall-1","ts":'$((T * 1000))'}'
t0=$(now_ms)
post_events "$STALL"
t1=$(now_ms)
error_is 503 unavailable - - "servers stopped: 503 unavailable"
diag "the 503 came in $((t1 - t0)) ms (ack_timeout_ms $ACK_MS): $(jqr .error.message)"
[ $((t1 - t0)) -ge $((ACK_MS - 100)) ] && [ $((t1 - t0)) -le $(( $(slow 2) * ACK_MS + 1000 )) ] &&
    ok "after ack_timeout_ms, not before" || not_ok "after ack_timeout_ms ($((t1 - t0)) ms)"
is "$(db_query 'SELECT count(*) FROM events')" "$nbefore" "nothing stored meanwhile"
is "$(applied_state a)" "$before" "nothing applied meanwhile"
for n in 1 2 3; do
	kill -CONT "${_nats_pids[$n]}"
done
got=
for i in $(seq 1 $(( $(slow 15) * 2 ))); do
	post_events "$STALL"
	if [ "$STATUS" = 202 ]; then
		got=$(jqb '.accepted + .duplicates')
		break
	fi
	sleep 0.5
done
is "$got" 1 "the client's retry once the servers go on: 202 (accepted or duplicate)"
node_use a
req GET /healthz
SEQ=$(jqr '.cluster.stream_seq')
for n in a b c; do
	wait_applied "$n" "$SEQ" || not_ok "$n applied to $SEQ"
	node_use "$n"
	is "$(db_query "SELECT count(*) FROM events WHERE id = 'stall-1'")" 1 \
	    "$n: the retried event stored once"
done

# ---- JetStream without a quorum (two of three servers killed): the
# node may still be connected, no ack comes: 503 past ack_timeout_ms.
# Then every server down: 503 at once.  Nothing applied either time.
node_use a
before=$(applied_state a)
nbefore=$(db_query 'SELECT count(*) FROM events')
for k in "2 3" "1"; do
	for n in $k; do
		nats_kill "$n" KILL
	done
	node_use a
	t0=$(now_ms)
	post_events '{"type":"message.flagged","agent":"alice","channel":"chat","severity":1,"id":"down-'"${k% *}"'","ts":'$((T * 1000))'}'
	t1=$(now_ms)
	error_is 503 unavailable - - "servers $k killed: 503 unavailable (API.md's error)"
	diag "the 503 came in $((t1 - t0)) ms (ack_timeout_ms $ACK_MS): $(jqr .error.message)"
	[ $((t1 - t0)) -le $(( $(slow 2) * ACK_MS + 1000 )) ] &&
	    ok "within ack_timeout_ms (plus slack)" ||
	    not_ok "within ack_timeout_ms ($((t1 - t0)) ms)"
	is "$(db_query 'SELECT count(*) FROM events')" "$nbefore" "nothing stored"
	is "$(applied_state a)" "$before" "nothing applied to the model"
done
req GET /healthz
status_is 200 "/healthz stays 200 while NATS is down (reads still answer)"

for n in a b c; do
	node_stop "$n"
	is "$DAEMON_RC" 0 "$n stops cleanly with NATS down"
done
nats_stop
done_testing
