#!/usr/bin/env bash
# respite - a stream lives no longer than its right to be read (API.md
# "Authentication"): `respitectl token revoke` and SIGHUP end the revoked
# lead's open streams at once and later items do not reach it; a change
# of role or of the privacy mode by a reload ends that lead's streams
# while others' go on; and one token holds at most [server]
# max_streams_per_token streams (one more is 429 rate_limited, room again
# once one closes).
#
# Streams are read by `curl -N` in the background into files; every wait
# polls with a bound.

. "$(dirname "$0")/lib.sh"
require_tools
setup

TOKENS=$TMPD/tokens
T_ADMIN=rsp_admin-$RANDOM$RANDOM
T_LEAD1=rsp_lead1-$RANDOM$RANDOM
T_LEAD2=rsp_lead2-$RANDOM$RANDOM
T_LEAD3=rsp_lead3-$RANDOM$RANDOM
T_ALICE=rsp_alice-$RANDOM$RANDOM

conf() {	# conf [LEAD_VIEW]
	write_config "[auth]
tokens_file = $TOKENS
rate = 0
[server]
max_streams_per_token = 3
[privacy]
lead_view = ${1:-individual}
min_group = 1"
}
cat >"$TOKENS" <<EOT
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_LEAD1") lead:t1 lead-one
sha256:$(hash "$T_LEAD2") lead:t1 lead-two
sha256:$(hash "$T_LEAD3") lead:t1 lead-three
sha256:$(hash "$T_ALICE") agent:alice alice-desktop
EOT
conf
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# sse_start NAME TOKEN PATH: read a stream into $TMPD/NAME.sse in the
# background; its pid in PID_NAME.
sse_start() {
	: >"$TMPD/$1.sse"
	curl -sS -N --max-time "$(slow 120)" -D "$TMPD/$1.hdr" \
	    -o "$TMPD/$1.sse" -H "Authorization: Bearer $2" "$BASE$3" \
	    2>/dev/null &
	eval "PID_$1=$!"
	bg_register $!
}
sse_wait() {	# sse_wait NAME PATTERN [SECONDS]
	local i limit
	limit=$(( $(slow "${3:-10}") * 20 ))
	for i in $(seq 1 "$limit"); do
		grep -Eq -- "$2" "$TMPD/$1.sse" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
alive() {	# alive NAME: is NAME's curl still reading?
	local p
	eval "p=\$PID_$1"
	running "$p"
}
ended() {	# ended NAME SECONDS: NAME's stream ends within SECONDS
	local p
	eval "p=\$PID_$1"
	wait_exit "$p" "$2"
}
login() {	# login AGENT: post its login (team t1) as admin
	req POST /v1/events "{\"id\":\"l-$1\",\"type\":\"agent.login\",\"agent\":\"$1\",\"team\":\"t1\"}" \
	    -H "Authorization: Bearer $T_ADMIN"
	[ "$STATUS" = 202 ] || diag "login $1: HTTP $STATUS $BODY"
}
hup() {	# hup: SIGHUP and wait for the reload to finish
	local n
	n=$(log_lines)
	kill -HUP "$DAEMON_PID"
	wait_log "reloaded " 5 "$n" || diag "no reload in the log"
}

# ---- a token revoked
sse_start lead1 "$T_LEAD1" '/v1/stream?team=t1'
sse_start admin "$T_ADMIN" '/v1/stream?team=t1'
sse_wait lead1 '^retry: 3000' && sse_wait admin '^retry: 3000'
check "the lead's and the admin's streams are open" $?
login anna
sse_wait lead1 '"agent":"anna"'
check "... the lead's receives a live item" $?
$RESPITECTL -c "$CONF" token revoke lead-one >/dev/null 2>&1
check "respitectl token revoke lead-one" $?
t0=$(now_ms)
hup
ended lead1 2
check "after revoke and SIGHUP the revoked lead's stream ends within 2 s" $?
diag "ended $(( $(now_ms) - t0 )) ms after the signal"
login bert
sse_wait admin '"agent":"bert"'
check "the admin's stream goes on and receives the next item" $?
check_fail "... which the revoked lead's did not" \
    grep -q '"agent":"bert"' "$TMPD/lead1.sse"
req GET '/v1/stream?team=t1' "" -H "Authorization: Bearer $T_LEAD1" --max-time 2
error_is 401 unauthorized - - "the revoked lead cannot open another: 401"

# ---- a token revoked by the file alone (the watch, no SIGHUP)
sse_start lead3 "$T_LEAD3" '/v1/stream?team=t1'
sse_wait lead3 '^retry: 3000'
check "another lead's stream is open" $?
grep -v lead-three "$TOKENS" >"$TOKENS.new" && mv "$TOKENS.new" "$TOKENS"
ended lead3 6
check "a token removed from the file: its stream ends with the file's reload" $?

# ---- a role changed
sse_start alice "$T_ALICE" '/v1/stream?agent=alice'
sse_start lead2 "$T_LEAD2" '/v1/stream?team=t1'
sse_wait lead2 '^retry: 3000' && sse_wait alice '^retry: 3000'
check "lead-two's and alice's streams are open" $?
sed -i "s/ lead:t1 lead-two/ lead:t2 lead-two/" "$TOKENS"
hup
ended lead2 2
check "lead-two's role changed to lead:t2: its stream ends" $?
alive alice
check "... alice's (unchanged token) goes on" $?
sed -i "s/ lead:t2 lead-two/ lead:t1 lead-two/" "$TOKENS"
hup

# ---- the privacy mode changed
sse_start lead2b "$T_LEAD2" '/v1/stream?team=t1'
sse_wait lead2b '^retry: 3000'
check "lead-two's new stream is open" $?
conf aggregate
hup
ended lead2b 2
check "switched to lead_view = aggregate: the lead's stream ends within 2 s" $?
alive alice && alive admin
check "... the agent's and the admin's go on" $?
n=$(grep -c '^id: ' "$TMPD/lead2b.sse")
login carl
sse_wait admin '"agent":"carl"'
check "... the admin's receives the next item" $?
is "$(grep -c '^id: ' "$TMPD/lead2b.sse")" "$n" \
    "... the ended lead stream received nothing more"
sse_start lead2c "$T_LEAD2" '/v1/stream?team=t1'
sse_wait lead2c '^retry: 3000'
check "in aggregate mode the lead may open a team stream again" $?
conf individual
hup
ended lead2c 2
check "switched back to individual: the lead's stream ends again" $?

# ---- max_streams_per_token (3 here)
kill_child TERM "$PID_alice"
for i in 1 2 3; do
	sse_start "m$i" "$T_LEAD2" '/v1/stream?team=t1'
done
ok_n=0
for i in 1 2 3; do
	sse_wait "m$i" '^retry: 3000' && ok_n=$((ok_n + 1))
done
is "$ok_n" 3 "one token opens max_streams_per_token (3) streams"
req GET '/v1/stream?team=t1' "" -H "Authorization: Bearer $T_LEAD2" --max-time 5
error_is 429 rate_limited - - "... one more is 429 rate_limited"
req GET '/v1/stream?agent=alice' "" -H "Authorization: Bearer $T_ALICE" --max-time 2
is "$STATUS" 200 "another token still gets a stream"
kill_child TERM "$PID_m1"
got=
for i in $(seq 1 "$(( $(slow 5) * 10 ))"); do
	got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
	    -H "Authorization: Bearer $T_LEAD2" "$BASE/v1/stream?team=t1")
	[ "$got" = 200 ] && break	# read until curl's timeout
	sleep 0.1
done
is "$got" 200 "once one is closed, a new one opens"
req GET /metrics
like "$BODY" 'respite_http_requests_total\{route="/v1/stream",status="429"\} [1-9]' \
    "/metrics counts the 429"

stop_daemon
check "respited stops cleanly with streams open" $?
done_testing
