#!/usr/bin/env bash
# respite - the Asterisk Manager Interface client (API.md "The phone
# channel"; the first source plugin, ABI 1.3) against a small AMI server
# (tests/integration/ami-server.py) replaying transcripts in Asterisk 20's
# event syntax (tests/data/ami/), moved to the last half hour:
# - a wrong secret: the login is refused, a clear log line, /healthz says
#   "down", nothing stored; a SIGHUP with the right one connects at once;
# - the shift: logins (one for two queues), calls (a transferred call is a
#   new contact of the second agent), a break paused in two queues as one,
#   a logout from the last queue; unrelated events ignored;
# - the connection dropped mid-shift: a log line, "down", a reconnect, and
#   the whole transcript replayed stores nothing twice; replayed once more
#   after another drop, nothing again;
# - /healthz stays 200 with "plugins": {"asterisk": {"ami": "up"}};
# - respited restarted: it asks for the queues' status (QueueStatus), so
#   a member in two queues leaving one is no logout.

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${PLUGIN_DIR:-}" ]; then
	for _d in ./plugins/.libs ../plugins/.libs; do
		[ -f "$_d/asterisk.so" ] && PLUGIN_DIR=$(cd "$_d" && pwd)
	done
fi
[ -n "${PLUGIN_DIR:-}" ] && [ -f "$PLUGIN_DIR/asterisk.so" ] ||
    skip_all "no built asterisk plugin (PLUGIN_DIR is set by make check)"
have_python || skip_all "python3 is needed for the AMI server"
have_sqlite3 || skip_all "sqlite3 is needed to read the stored events"

DATA=$TOP_SRCDIR/tests/data/ami
SECRET=ami-secret-$RANDOM
T0=$(( $(date +%s) - 1800 ))

# ami_start SESSION...: the AMI server, its port in $AMI_PORT.
ami_start() {
	local i
	AMI_FILE=$TMPD/ami.port
	rm -f "$AMI_FILE" "$AMI_FILE.log"
	python3 "$TOP_SRCDIR/tests/integration/ami-server.py" "$AMI_FILE" \
	    "$SECRET" "$T0" "$@" 2>>"$TMPD/ami.err" &
	AMI_PID=$!
	bg_register "$AMI_PID"
	for i in $(seq 1 100); do
		[ -s "$AMI_FILE" ] && break
		sleep 0.1
	done
	AMI_PORT=$(cat "$AMI_FILE" 2>/dev/null)
	[ -n "$AMI_PORT" ] || bail_out "the AMI server did not start"
}

ami_stop() {
	kill_child TERM "$AMI_PID"
	wait "$AMI_PID" 2>/dev/null
}

# ami_wait PATTERN [SECONDS]: until the server's log has PATTERN.
ami_wait() {
	local i
	for i in $(seq 1 $(( $(slow "${2:-20}") * 10 ))); do
		grep -q "$1" "$AMI_FILE.log" 2>/dev/null && return 0
		sleep 0.1
	done
	diag "the AMI server's log has no \"$1\": $(tr '\n' '|' <"$AMI_FILE.log")"
	return 1
}

# events_wait N [SECONDS]: until N events are stored.
events_wait() {
	local i n
	for i in $(seq 1 $(( $(slow "${2:-20}") * 10 ))); do
		n=$(db_query "SELECT count(*) FROM events" 2>/dev/null)
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	diag "$n events stored, expected $1"
	return 1
}

# health_wait STATE: until /healthz says the link is STATE.
health_wait() {
	local i
	for i in $(seq 1 $(( $(slow 20) * 10 ))); do
		req GET /healthz
		[ "$(jqr .plugins.asterisk.ami)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

asterisk_config() {
	write_config "[plugins]
dir = $PLUGIN_DIR
load = asterisk
[plugin.asterisk]
ami = 127.0.0.1:$AMI_PORT
username = respite
secret = $1
team = phone-1"
}

# ---- configuration

AMI_PORT=5038
write_config "[plugins]
dir = $PLUGIN_DIR
load = asterisk
[plugin.asterisk]
username = respite
secret = x"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
rc=$?
is "$rc" 1 "-t without ami: exit 1"
like "$OUT" "ami: expected HOST:PORT" "... naming the key"
asterisk_config "$SECRET"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
is "$?" 0 "-t with ami, username and secret: exit 0 (and no connection)"

# ---- a wrong secret

ami_start "$DATA/shift.ami:drop@9" "$DATA/shift.ami:close" \
    "$DATA/shift.ami,$DATA/later.ami:open"
asterisk_config "wrong-$SECRET"
start_daemon || bail_out "respited did not start"
ami_wait "login refused"
check "the AMI server refused the login" $?
wait_log "AMI login to 127.0.0.1:$AMI_PORT as respite refused \(Authentication failed\)" 10
check "the log says the login was refused and what to check" $?
req GET /healthz
status_is 200 "/healthz stays 200 while the link is down"
jq_is .plugins.asterisk '{"ami":"down"}' "/healthz: plugins.asterisk.ami is down"
is "$(db_query "SELECT count(*) FROM events")" 0 "nothing stored"

# ---- the right one, by SIGHUP: connects at once, the shift drops midway

asterisk_config "$SECRET"
kill -HUP "$DAEMON_PID"
ami_wait "session 1 closed"
check "reloaded with the right secret: logged in, 9 messages, dropped" $?
events_wait 5
check "the first part of the shift: 5 events (2 logins, a call, a break)" $?
wait_log "AMI link to 127.0.0.1:$AMI_PORT lost: closed by Asterisk; retrying in 1 s" 10
check "the drop is one clear log line" $?
ami_wait "session 2 closed"
check "reconnected; the whole shift replayed" $?
events_wait 11
check "after the replay: 11 events, none twice" $?
ami_wait "session 3 sent"
check "reconnected again; replayed again, and the rest of the shift" $?
events_wait 12
check "12 events: the replay stored nothing, the logout is new" $?
health_wait up
check "/healthz: ami up again" $?
req GET /healthz
status_is 200 "/healthz 200 with the link up"
wait_log "AMI link up: 127.0.0.1:$AMI_PORT as respite" 5
check "the log says the link is up" $?

q() { db_query "$1"; }
is "$(q "SELECT count(*) FROM events WHERE type = 1")" 2 \
    "two logins: alice in two queues is one"
is "$(q "SELECT agent, team FROM events WHERE type = 2 ORDER BY ts")" \
    "Bob.Builder|phone-1
Alice.Example|phone-1" "logouts from the last queue only (alice's sales queue was not her last)"
is "$(q "SELECT count(*) FROM events WHERE type = 3")|$(q "SELECT count(*) FROM events WHERE type = 4")" \
    "1|1" "one break start and one end: paused in two queues is one break"
is "$(q "SELECT agent, ticket, duration_s FROM events WHERE type = 6 ORDER BY ts")" \
    "Alice.Example|1772443850.42|312.0
Bob.Builder|1772444890.57|95.0
Alice.Example|1772444890.57|240.0" \
    "handled: TalkTime each; the transferred call is a contact of each agent"
is "$(q "SELECT count(*) FROM events WHERE type = 5 AND channel = 1")" 3 \
    "three phone contacts assigned"
is "$(q "SELECT id FROM events WHERE type = 5 ORDER BY ts LIMIT 1")" \
    "asterisk:1772443850.42:Alice Example:AgentConnect" \
    "call ids: Linkedid, MemberName, event"
is "$(q "SELECT ts FROM events WHERE type = 5 ORDER BY ts LIMIT 1")" \
    "$(( (T0 + 60) * 1000 + 250 ))" "ts from the event's Timestamp"
is "$(q "SELECT count(*) FROM events WHERE id LIKE 'asterisk:Alice Example:QueueMemberPause:%'")" 2 \
    "other ids: MemberName, event, Timestamp"
req GET /v1/agents/Alice.Example
jq_is '[.status, .team, .metrics.tickets_last_hour]' '["offline","phone-1",2]' \
    "alice: 2 calls handled, in [plugin.asterisk] team, offline after her last queue"
req GET /v1/agents/Bob.Builder
jq_is .status '"offline"' "bob: offline after leaving his queue"

# ---- the server goes away: down, and up again when it is back

ami_stop
health_wait down
check "/healthz: down once Asterisk is gone" $?
stop_daemon
check "respited stops cleanly with the link retrying" $?
if grep -q "Secret\|$SECRET" "$LOG"; then
	not_ok "the secret is not in the log"
else
	ok "the secret is not in the log"
fi
like "$(grep -c 'AMI link to' "$LOG")" '^[2-9]' "each lost link is logged"

# ---- respited restarted: the members' state comes from QueueStatus

ami_start "$DATA/restart.ami:open:$DATA/status.ami"
asterisk_config "$SECRET"
start_daemon || bail_out "respited did not restart"
ami_wait "session 1 status 2"
check "after a restart respited asks Asterisk for the queues' status" $?
events_wait 13
check "bob's pause after the restart is stored (13 events)" $?
is "$(q "SELECT count(*) FROM events WHERE type = 2")" 2 \
    "alice leaving one of the two queues the status named is no logout"
ami_stop
stop_daemon

done_testing
