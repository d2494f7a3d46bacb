#!/usr/bin/env bash
# respite - tokens and roles (API.md "Authentication"): open mode only on
# loopback with no tokens, 401 without or with a bad token, 403 outside
# the role (also through filters, streams and suggestions, and whether or
# not the agent exists), the audit of leads' and admins' reads, rate
# limits with Retry-After, tokens revoked by editing the file, the
# aggregate privacy mode, and a repeated read audited once per
# [privacy] audit_repeat_min.

. "$(dirname "$0")/lib.sh"
require_tools
setup

TOKENS=$TMPD/tokens
T_ADMIN=rsp_admin-$RANDOM$RANDOM
T_INGEST=rsp_ingest-$RANDOM$RANDOM
T_ALICE=rsp_alice-$RANDOM$RANDOM
T_LEAD1=rsp_lead1-$RANDOM$RANDOM
T_LEAD2=rsp_lead2-$RANDOM$RANDOM

asreq() {
	local t=$1 m=$2 p=$3 b=${4:-}
	req "$m" "$p" "$b" -H "Authorization: Bearer $t"
}

write_config "[auth]
tokens_file = $TOKENS
rate = 0"

# ---- open mode
start_daemon || bail_out "respited did not start"
grep -q "OPEN MODE" "$LOG"
check "no tokens on loopback: open mode, said loudly in the log" $?
post_events '[{"id":"o1","type":"agent.login","agent":"alice","team":"t1"},
 {"id":"o2","type":"agent.login","agent":"bob","team":"t2"},
 {"id":"o3","type":"message.flagged","agent":"alice","channel":"chat","severity":0.95},
 {"id":"o4","type":"message.flagged","agent":"bob","channel":"chat","severity":0.95}]'
status_is 202 "open mode: no token needed"
req GET /v1/me
reply_is 200 '{"role":"admin"}' "open mode: GET /v1/me is admin"
stop_daemon

# ---- tokens
cat >"$TOKENS" <<EOT
# respite tokens
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_INGEST") ingest helpdesk
sha256:$(hash "$T_ALICE") agent:alice alice-desktop
sha256:$(hash "$T_LEAD1") lead:t1 lead-one
sha256:$(hash "$T_LEAD2") lead:t2,t3 lead-two
EOT
start_daemon || bail_out "respited did not start with tokens"
grep -q "auth: 5 tokens" "$LOG"
check "the tokens are loaded (5)" $?

req GET /v1/agents
status_is 401 "no token: 401"
is "$(jqr .error.code)" unauthorized "... code unauthorized"
echo "$HEADERS" | grep -qi '^WWW-Authenticate: Bearer'
check "... with WWW-Authenticate: Bearer" $?
asreq rsp_nonsense GET /v1/agents
status_is 401 "an unknown token: 401"
req GET /healthz
status_is 200 "/healthz needs no token"
req GET /metrics
status_is 200 "/metrics needs no token"

# ingest
asreq "$T_INGEST" POST /v1/events '{"id":"i1","type":"ticket.assigned","agent":"alice","channel":"chat","ticket":"T1"}'
status_is 202 "ingest: may post events"
asreq "$T_INGEST" GET /v1/agents
status_is 403 "ingest: may not read agents"
is "$(jqr .error.code)" forbidden "... code forbidden"
asreq "$T_INGEST" GET /v1/suggestions
status_is 403 "ingest: may not read suggestions"

# agent:alice
asreq "$T_ALICE" GET /v1/agents/alice
status_is 200 "agent:alice reads alice"
asreq "$T_ALICE" GET /v1/agents/bob
status_is 403 "agent:alice may not read bob"
asreq "$T_ALICE" GET /v1/agents/nobody-at-all
status_is 403 "... nor an agent that does not exist (no existence leak)"
asreq "$T_ALICE" GET /v1/agents/bob/history
status_is 403 "... nor bob's history"
asreq "$T_ALICE" GET /v1/agents
is "$STATUS $(jqb '[.agents[].agent]')" '200 ["alice"]' \
    "agent:alice listing agents sees only alice"
asreq "$T_ALICE" POST /v1/events '{"type":"agent.logout","agent":"bob"}'
status_is 403 "agent:alice may not post events"
asreq "$T_ALICE" GET '/v1/suggestions?agent=bob'
status_is 403 "agent:alice may not list bob's suggestions"
asreq "$T_ALICE" GET '/v1/suggestions?team=t2'
status_is 403 "... nor a team's"
asreq "$T_ALICE" GET /v1/suggestions
is "$STATUS $(jqb '[.suggestions[].agent] | unique')" '200 ["alice"]' \
    "agent:alice's suggestion list holds only alice's"
bob_sugg=$(curl -s -H "Authorization: Bearer $T_ADMIN" \
    "$BASE/v1/suggestions?agent=bob" | jq -r '.suggestions[0].id // empty')
[ -n "$bob_sugg" ]
check "bob has a suggestion (recovery break)" $?
asreq "$T_ALICE" POST "/v1/suggestions/$bob_sugg" '{"action":"dismiss"}'
status_is 403 "agent:alice may not answer bob's suggestion"
asreq "$T_ALICE" GET /v1/teams
status_is 403 "agent:alice may not read team figures"
asreq "$T_ALICE" POST /v1/agents/bob/break '{"action":"start"}'
status_is 403 "agent:alice may not start bob's break"
asreq "$T_ALICE" POST /v1/agents/alice/break '{"action":"start"}'
status_is 200 "agent:alice starts her own break"
asreq "$T_ALICE" GET '/v1/stream?agent=bob'
status_is 403 "agent:alice may not subscribe to bob's stream"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
    -H "Authorization: Bearer $T_ALICE" "$BASE/v1/stream?agent=alice")
is "$code" 200 "agent:alice subscribes to her own stream"
asreq "$T_ALICE" GET /v1/audit
status_is 403 "agent:alice may not read the audit log"

# lead:t1
asreq "$T_LEAD1" GET /v1/agents
is "$STATUS $(jqb '[.agents[].agent]')" '200 ["alice"]' \
    "lead:t1 lists only team t1"
asreq "$T_LEAD1" GET '/v1/agents?team=t2'
status_is 403 "lead:t1 may not filter on team t2"
asreq "$T_LEAD1" GET /v1/agents/bob
status_is 403 "lead:t1 may not read bob (t2)"
asreq "$T_LEAD1" GET /v1/agents/alice
status_is 200 "lead:t1 reads alice (t1)"
asreq "$T_LEAD1" GET '/v1/suggestions?agent=bob'
status_is 403 "lead:t1 may not list bob's suggestions"
asreq "$T_LEAD1" GET /v1/suggestions
is "$STATUS $(jqb '[.suggestions[].team] | unique')" '200 ["t1"]' \
    "lead:t1 sees suggestions of t1 only"
asreq "$T_LEAD1" GET /v1/teams
is "$STATUS $(jqb '[.teams[].team]')" '200 ["t1"]' "lead:t1 sees team t1 only"
asreq "$T_LEAD1" GET /v1/teams/t2
status_is 403 "lead:t1 may not read team t2"
asreq "$T_LEAD1" GET '/v1/stream?team=t2'
status_is 403 "lead:t1 may not subscribe to team t2"
asreq "$T_LEAD1" POST /v1/agents/alice/break '{"action":"end"}'
status_is 403 "lead:t1 may not end alice's break"
asreq "$T_LEAD2" GET /v1/teams
is "$STATUS $(jqb '[.teams[].team]')" '200 ["t2"]' \
    "lead:t2,t3 sees its teams (t2; t3 has nobody)"
asreq "$T_LEAD2" GET /v1/suggestions
is "$STATUS $(jqb '[.suggestions[].team] | unique')" '200 ["t2"]' \
    "lead:t2,t3 sees suggestions of its teams"

# GET /v1/me: who each token is (API.md "Who am I")
asreq "$T_INGEST" GET /v1/me
reply_is 200 '{"role":"ingest"}' "GET /v1/me as ingest"
asreq "$T_ALICE" GET /v1/me
reply_is 200 '{"role":"agent","agent":"alice"}' "GET /v1/me as agent:alice"
asreq "$T_LEAD1" GET /v1/me
reply_is 200 '{"role":"lead","teams":["t1"]}' "GET /v1/me as lead:t1"
asreq "$T_LEAD2" GET /v1/me
reply_is 200 '{"role":"lead","teams":["t2","t3"]}' "GET /v1/me as lead:t2,t3"
asreq "$T_ADMIN" GET /v1/me
reply_is 200 '{"role":"admin"}' "GET /v1/me as admin"
req GET /v1/me
error_is 401 unauthorized - - "GET /v1/me without a token: 401 unauthorized"
echo "$HEADERS" | grep -qi '^WWW-Authenticate: Bearer'
check "... with WWW-Authenticate: Bearer" $?
asreq rsp_nonsense GET /v1/me
error_is 401 unauthorized - - "GET /v1/me with an unknown token: 401 unauthorized"
asreq "$T_ALICE" DELETE /v1/me
is "$STATUS $(header_get Allow)" "405 GET, HEAD" "DELETE /v1/me: 405 with Allow: GET, HEAD"

# audit
got=
for i in $(seq 1 30); do
	asreq "$T_ADMIN" GET '/v1/audit?who=lead-one'
	got=$(jqb '[.audit[] | select(.agent == "alice")] | length')
	[ "${got:-0}" -ge 1 ] && break
	sleep 0.1
done
[ "${got:-0}" -ge 1 ]
check "the audit log records lead-one reading alice" $?
is "$(jqr '[.audit[] | select(.agent == "alice")][0].what')" \
    "GET /v1/agents/alice" "... with what was read"
asreq "$T_ADMIN" GET '/v1/audit?who=alice-desktop'
is "$(jqb '.audit | length')" 0 "an agent reading its own data is not audited"

# ---- the role matrix: every route, each role (issues 13 and 21)
#
# row DESC METHOD PATH BODY NONE INGEST AGENT LEAD ADMIN: the status of
# the request without a token, and with the tokens of ingest,
# agent:alice, lead:t1 and admin.  A role that may use a route gets its
# answer (a 400 or 404 after the check is still "allowed"); one that may
# not gets 403 before anything of the request is looked at.  Streams are
# read for a second (curl then prints the 200 it got).
matrix_code() {
	local t=$1 m=$2 p=$3 b=$4
	local -a h=()
	[ -n "$t" ] && h=(-H "Authorization: Bearer $t")
	if [ -n "$b" ]; then
		curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X "$m" \
		    "${h[@]}" -H 'Content-Type: application/json' \
		    --data-binary "$b" "$BASE$p"
	else
		curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X "$m" \
		    "${h[@]}" "$BASE$p"
	fi
}
row() {
	local desc=$1 m=$2 p=$3 b=$4 got t
	shift 4
	got=
	for t in "" "$T_INGEST" "$T_ALICE" "$T_LEAD1" "$T_ADMIN"; do
		got="$got $(matrix_code "$t" "$m" "$p" "$b")"
	done
	is "$got" " $*" "roles (none ingest agent lead admin): $desc"
}
row "GET /healthz" GET /healthz "" 200 200 200 200 200
row "GET /metrics" GET /metrics "" 200 200 200 200 200
row "GET / (the web page)" GET / "" 200 200 200 200 200
row "GET /app.js" GET /app.js "" 200 200 200 200 200
row "GET /agent (the agent's page)" GET /agent "" 200 200 200 200 200
row "GET /v1/me" GET /v1/me "" 401 200 200 200 200
row "POST /v1/me" POST /v1/me '{}' 401 405 405 405 405
row "POST /v1/events" POST /v1/events \
    '{"id":"mx1","type":"agent.login","agent":"mx","team":"t9"}' \
    401 202 403 403 202
row "GET /v1/agents" GET /v1/agents "" 401 403 200 200 200
# An agent's list is narrowed to itself: another team's filter is empty.
row "GET /v1/agents?team=t2" GET '/v1/agents?team=t2' "" \
    401 403 200 403 200
row "GET /v1/agents/alice" GET /v1/agents/alice "" 401 403 200 200 200
row "GET /v1/agents/bob" GET /v1/agents/bob "" 401 403 403 403 200
row "GET /v1/agents/alice/history" GET /v1/agents/alice/history "" \
    401 403 200 200 200
row "GET /v1/agents/bob/history" GET /v1/agents/bob/history "" \
    401 403 403 403 200
row "GET /v1/agents/alice/days" GET /v1/agents/alice/days "" \
    401 403 200 200 200
row "GET /v1/agents/bob/days" GET /v1/agents/bob/days "" \
    401 403 403 403 200
row "GET /v1/agents/nobody-at-all/days" GET /v1/agents/nobody-at-all/days \
    "" 401 403 403 403 404
row "GET /v1/agents/alice/days?from=bad" GET '/v1/agents/alice/days?from=bad' \
    "" 401 403 400 400 400
row "POST /v1/agents/alice/days" POST /v1/agents/alice/days '{}' \
    401 405 405 405 405
row "GET /v1/agents/alice/trend" GET /v1/agents/alice/trend "" \
    401 403 200 200 200
row "GET /v1/agents/bob/trend" GET /v1/agents/bob/trend "" \
    401 403 403 403 200
row "GET /v1/agents/nobody-at-all/trend" GET /v1/agents/nobody-at-all/trend \
    "" 401 403 403 403 404
row "POST /v1/agents/alice/trend" POST /v1/agents/alice/trend '{}' \
    401 405 405 405 405
row "POST /v1/agents/bob/break (bad action)" POST /v1/agents/bob/break \
    '{"action":"nap"}' 401 403 403 403 400
row "GET /v1/suggestions" GET /v1/suggestions "" 401 403 200 200 200
row "GET /v1/suggestions?agent=bob" GET '/v1/suggestions?agent=bob' "" \
    401 403 403 403 200
row "POST /v1/suggestions/{bob's} (bad action)" POST \
    "/v1/suggestions/$bob_sugg" '{"action":"nap"}' 401 403 403 403 400
row "GET /v1/teams" GET /v1/teams "" 401 403 403 200 200
row "GET /v1/teams/t1" GET /v1/teams/t1 "" 401 403 403 200 200
row "GET /v1/teams/t2" GET /v1/teams/t2 "" 401 403 403 403 200
row "GET /v1/teams/t1/days" GET /v1/teams/t1/days "" 401 403 403 200 200
row "GET /v1/teams/t2/days" GET /v1/teams/t2/days "" 401 403 403 403 200
row "GET /v1/stream?agent=alice" GET '/v1/stream?agent=alice' "" \
    401 403 200 200 200
row "GET /v1/stream?agent=bob" GET '/v1/stream?agent=bob' "" \
    401 403 403 403 200
row "GET /v1/stream?team=t1" GET '/v1/stream?team=t1' "" \
    401 403 403 200 200
row "GET /v1/audit" GET /v1/audit "" 401 403 403 403 200
row "POST /v1/webhooks/zendesk (not loaded)" POST /v1/webhooks/zendesk \
    '{}' 401 404 403 403 404
row "POST /v1/webhooks/twilio (not loaded)" POST /v1/webhooks/twilio \
    'EventType=worker.activity.update' 401 404 403 403 404

# revocation by editing the file
grep -v alice-desktop "$TOKENS" >"$TOKENS.new" && mv "$TOKENS.new" "$TOKENS"
got=
for i in $(seq 1 60); do
	asreq "$T_ALICE" GET /v1/agents/alice
	[ "$STATUS" = 401 ] && { got=401; break; }
	sleep 0.1
done
is "$got" 401 "a token removed from the file is refused within seconds"
stop_daemon

# ---- rate limit
# One token back every 100 s: the four requests may take seconds on a
# loaded machine (a rate of 1/s refilled the bucket in between).
write_config "[auth]
tokens_file = $TOKENS
rate = 0.01
burst = 3"
start_daemon || bail_out "respited did not start"
codes=
for i in 1 2 3 4; do
	asreq "$T_ADMIN" GET /v1/teams
	codes="$codes $STATUS"
done
is "$codes" " 200 200 200 429" "rate 0.01/s burst 3: the 4th request is 429"
is "$(jqr .error.code)" rate_limited "... code rate_limited"
echo "$HEADERS" | grep -qi '^Retry-After: [1-9]'
check "... with Retry-After" $?
asreq "$T_LEAD1" GET /v1/teams
status_is 200 "another token has its own bucket"
stop_daemon

# ---- aggregate privacy mode
write_config "[auth]
tokens_file = $TOKENS
rate = 0
[privacy]
lead_view = aggregate
min_group = 5"
start_daemon || bail_out "respited did not start"
asreq "$T_LEAD1" GET /v1/agents
status_is 403 "aggregate: a lead may not list agents"
asreq "$T_LEAD1" GET /v1/agents/alice
status_is 403 "aggregate: a lead may not read an agent"
asreq "$T_LEAD1" GET /v1/agents/alice/days
status_is 403 "aggregate: a lead may not read an agent's days"
asreq "$T_LEAD1" GET /v1/agents/alice/trend
status_is 403 "aggregate: a lead may not read an agent's trend"
asreq "$T_ADMIN" GET /v1/agents/alice/days
status_is 200 "aggregate: admin still reads an agent's days"
asreq "$T_LEAD1" GET /v1/teams/t1
is "$STATUS $(jqb .strain) $(jqb .levels)" "200 null null" \
    "aggregate: fewer than min_group agents, no strain figures"
like "$(jqr .suppressed)" "min_group" "... and the reply says why"
asreq "$T_LEAD1" GET '/v1/suggestions?audience=agent'
status_is 403 "aggregate: a lead may not list agents' suggestions"
asreq "$T_ADMIN" GET /v1/agents/alice
status_is 200 "aggregate: admin still reads agents"
stop_daemon

# ---- a repeated read is audited once per [privacy] audit_repeat_min

# audit_what SINCE WHAT: the number of lead-one's audit records since
# SINCE (epoch ms) whose what is WHAT.
audit_what() {
	asreq "$T_ADMIN" GET "/v1/audit?who=lead-one&since=$1&limit=1000"
	jqb "[.audit[] | select(.what == \"$2\")] | length"
}

# audit_wait SINCE WHAT: wait until lead-one's read WHAT since SINCE is in
# the audit log.  Records are written within a second, in the order of
# the reads: then every read before it is written too.
audit_wait() {
	local i n
	for i in $(seq 1 "$(slow 50)"); do
		n=$(audit_what "$1" "$2")
		[ "${n:-0}" -ge 1 ] && return 0
		sleep 0.1
	done
	return 1
}

write_config "[auth]
tokens_file = $TOKENS
rate = 0"
start_daemon || bail_out "respited did not start"
asreq "$T_INGEST" POST /v1/events '{"id":"r1","type":"agent.login","agent":"carol","team":"t1"}'
status_is 202 "carol joins team t1"
since=$(now_ms)
codes=
for p in alice alice carol carol alice/history; do
	asreq "$T_LEAD1" GET "/v1/agents/$p"
	codes="$codes $STATUS"
done
is "$codes" " 200 200 200 200 200" "lead:t1 reads alice, alice, carol, carol, alice's history"
audit_wait "$since" "GET /v1/agents/alice/history"
check "audit_repeat_min 60 (default): the reads are audited" $?
is "$(audit_what "$since" "GET /v1/agents/alice")" 1 \
    "... two identical reads of alice by a lead: one record"
is "$(audit_what "$since" "GET /v1/agents/carol")" 1 \
    "... a read of another agent (carol): another record, also once"

write_config "[auth]
tokens_file = $TOKENS
rate = 0
[privacy]
audit_repeat_min = 0"
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reloaded" 5 "$n"
check "SIGHUP: audit_repeat_min = 0 is loaded" $?
since=$(now_ms)
for p in alice alice alice/history; do
	asreq "$T_LEAD1" GET "/v1/agents/$p"
done
audit_wait "$since" "GET /v1/agents/alice/history"
check "audit_repeat_min 0: the reads are audited" $?
is "$(audit_what "$since" "GET /v1/agents/alice")" 2 \
    "... each of two identical reads is recorded"
stop_daemon

# ---- never open on the network
write_config
sed -i "s/^listen = .*/listen = 0.0.0.0:$PORT/" "$CONF"
printf '[auth]\ntokens_file = %s/none\n' "$TMPD" >>"$CONF"
n=$(log_lines)
$RESPITED -f -c "$CONF" 2>>"$LOG" &
pid=$!
if wait_exit $pid 10; then
	wait $pid
	is "$?" 1 "no tokens and a non-loopback listener: refuses to start"
	tail -n "+$((n + 1))" "$LOG" | grep -q "refusing to run open"
	check "... and says why" $?
else
	kill_child 9 "$pid"
	not_ok "no tokens and a non-loopback listener: refuses to start"
	skip "... and says why" "it ran"
fi

# ---- respitectl token add/list/revoke and audit, against a live daemon
RESPITECTL=${RESPITECTL:-$(dirname "$RESPITED")/respitectl}
if [ -x "$RESPITECTL" ]; then
	rm -f "$TOKENS"
	write_config "[auth]
tokens_file = $TOKENS
rate = 0"
	# A token file with one admin, made by respitectl, before the start.
	$RESPITECTL -c "$CONF" token add --role admin --label boss \
	    >"$TMPD/boss.tok" 2>"$TMPD/add.err"
	check "respitectl token add: exit 0" $?
	is "$(wc -l <"$TMPD/boss.tok" | tr -d ' ')" 1 \
	    "... prints the token alone on stdout"
	like "$(cat "$TMPD/boss.tok")" "^rsp_" "... a rsp_ token"
	grep -q "$(cat "$TMPD/boss.tok")" "$TOKENS"
	[ $? -ne 0 ]
	check "... and the file holds only its hash" $?
	is "$(stat -c %a "$TOKENS")" 644 "... in a file of hashes, readable by the service user (0644)"
	start_daemon || bail_out "respited did not start"
	asreq "$(cat "$TMPD/boss.tok")" GET /v1/teams
	status_is 200 "the new admin token works"
	req GET /v1/teams
	status_is 401 "... and without it: 401 (no longer open)"
	$RESPITECTL -c "$CONF" token add --role agent:alice --label al \
	    >"$TMPD/al.tok" 2>/dev/null
	got=
	for i in $(seq 1 60); do
		asreq "$(cat "$TMPD/al.tok")" GET /v1/agents/alice
		[ "$STATUS" = 200 ] && { got=200; break; }
		sleep 0.1
	done
	is "$got" 200 "a token added while running works within seconds"
	like "$($RESPITECTL -c "$CONF" token list)" "al +agent:alice" \
	    "respitectl token list shows labels and roles"
	$RESPITECTL -c "$CONF" token add --role admin --label boss \
	    >/dev/null 2>&1
	is "$?" 1 "a label already in use is refused"
	$RESPITECTL -c "$CONF" token add --role root --label x >/dev/null 2>&1
	is "$?" 1 "a bad role is refused"
	asreq "$(cat "$TMPD/boss.tok")" GET /v1/agents/alice
	$RESPITECTL audit --url "$BASE" --token-file "$TMPD/boss.tok" \
	    --who boss >"$TMPD/audit.out" 2>&1
	rc=$?
	got=0
	for i in $(seq 1 30); do
		grep -q "GET /v1/agents/alice" "$TMPD/audit.out" && { got=1; break; }
		sleep 0.1
		$RESPITECTL audit --url "$BASE" --token-file "$TMPD/boss.tok" \
		    --who boss >"$TMPD/audit.out" 2>&1
		rc=$?
	done
	is "$rc:$got" "0:1" "respitectl audit lists the admin's read of alice"
	$RESPITECTL audit --url "$BASE" --token-file "$TMPD/al.tok" \
	    >/dev/null 2>&1
	is "$?" 1 "respitectl audit with an agent token: refused (exit 1)"
	$RESPITECTL -c "$CONF" token revoke al 2>/dev/null
	check "respitectl token revoke" $?
	got=
	for i in $(seq 1 60); do
		asreq "$(cat "$TMPD/al.tok")" GET /v1/agents/alice
		[ "$STATUS" = 401 ] && { got=401; break; }
		sleep 0.1
	done
	is "$got" 401 "a revoked token is refused within seconds"
	stop_daemon
else
	skip "respitectl token and audit" "no respitectl"
fi

done_testing
