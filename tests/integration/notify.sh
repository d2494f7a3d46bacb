#!/usr/bin/env bash
# respite - respite-notify against a real respited and a real D-Bus
# notification server, headless.
#
# The script re-runs itself inside a throw-away session bus
# (dbus-run-session with session-bus.conf, which can start nothing by
# itself) and starts python3-dbusmock's notification server on it: every
# Notify and CloseNotification respite-notify sends is recorded there,
# and "clicking" an action is the server's ActionInvoked signal
# (notify-mock.py does both).  Then, with a real respited:
#
#   - a hostile message raises a recovery break; its popup (app name,
#     summary, body, actions, urgency, category, no expiry);
#   - Snooze 10 min through D-Bus: snoozed in the API, popup closed; it
#     reopens (event time moves on) and shows again; after the second
#     snooze no Snooze button and urgency critical;
#   - respited's snooze_max_times reaches the popup (snoozes_left): at 1,
#     no Snooze after one snooze; a Snooze refused with 409 (the limit
#     lowered meanwhile) shows the popup again without Snooze;
#   - Start break: accepted and on_break in the API, a quiet countdown,
#     "Welcome back" and the break's end (working again);
#   - a suggestion dismissed elsewhere (curl) closes its popup;
#   - respited restarted: "gone" and "back" in the log, a suggestion
#     raised while the stream was down shown exactly once, none twice;
#   - quiet time: a break taken through the helpdesk withdraws the popup,
#     its end brings it back;
#   - a notification server that hangs in Notify: the stream goes on;
#   - the notification server replaced by one without actions: the popup
#     comes back with a body that says how to answer with respitectl;
#   - a second respite-notify configured by file with level_notices and
#     lang = de: a gentle notice, in German, when an agent's strain level
#     rises to high; lang = fr is a configuration error;
#   - --once: exits when its popup is closed (under valgrind if there is
#     one); with tokens, the agent's own works, another's or none is 77;
#     with no respited, no notification server or no session bus, 69 and
#     one clear line;
#   - the systemd user unit passes systemd-analyze verify.
#
# Event times move forward with explicit ts (max_clock_skew 3600), never
# with sleeps; waits poll the mock, the API or a log with a bound.  A
# break minute lasts 2 s here (RESPITE_NOTIFY_MINUTE_MS).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify-lib.sh"

require_tools
setup
unset DISPLAY WAYLAND_DISPLAY
export RESPITE_NOTIFY_MINUTE_MS=2000
export XDG_CONFIG_HOME=$TMPD/config	# no notify.conf of the user's

NOTIFY_PID=
NLOG=$TMPD/notify.log
: >"$NLOG"

# shows ID: how many popups (new ones, not updates) suggestion ID got.
shows() {
	calls_jq "map(select(.method == \"Notify\" and .replaces == 0 and
	    .hints[\"x-respite-id\"] == \"$1\")) | length"
}

# last_show ID: the last Notify call for suggestion ID.
last_show() {
	calls_jq "map(select(.method == \"Notify\" and
	    .hints[\"x-respite-id\"] == \"$1\")) | last"
}

# wait_shows ID N: until suggestion ID got N popups.
wait_shows() {
	wait_calls "map(select(.method == \"Notify\" and .replaces == 0 and
	    .hints[\"x-respite-id\"] == \"$1\")) | length == $2" "${3:-10}"
}

# wait_closed NID: until notification NID was closed.
wait_closed() {
	wait_calls "any(.[]; .method == \"CloseNotification\" and .id == $1)" \
	    "${2:-10}"
}

# wait_nlog PATTERN [SECONDS]: poll respite-notify's log.
wait_nlog() {
	local i limit
	limit=$(( $(slow "${2:-10}") * 10 ))
	for i in $(seq 1 "$limit"); do
		grep -Eq -- "$1" "$NLOG" && return 0
		sleep 0.1
	done
	return 1
}

# wait_api PATH FILTER [SECONDS]: poll GET PATH until jq FILTER is true.
wait_api() {
	local i limit
	limit=$(( $(slow "${3:-10}") * 10 ))
	for i in $(seq 1 "$limit"); do
		req GET "$1"
		jqb "$2" | grep -qx true && return 0
		sleep 0.1
	done
	return 1
}

sugg() {	# sugg ID: GET /v1/suggestions filtered to ID, into BODY
	req GET "/v1/suggestions?agent=ann&limit=1000"
	BODY=$(jqb ".suggestions[] | select(.id == \"$1\")")
}

notify_start() {
	echo "=== start $(date -u +%H:%M:%S.%N)" >>"$NLOG"
	$RESPITE_NOTIFY --url "$BASE" --agent ann -v "$@" 2>>"$NLOG" &
	NOTIFY_PID=$!
	bg_register "$NOTIFY_PID"
}

# ev TYPE EPOCH_S [JSON_FIELDS]: one NDJSON event line for ann.
ev() {
	printf '{"type":"%s","agent":"ann","ts":%s%s}\n' "$1" \
	    "$(($2 * 1000))" "${3:+,$3}"
}

post() {	# post EVENT_LINES...: post them as NDJSON
	printf '%s\n' "$@" >"$TMPD/ev.ndjson"
	post_events "@$TMPD/ev.ndjson" -H 'Content-Type: application/x-ndjson'
}

on_fail_show_logs() {
	if [ "$_tap_failed" -gt 0 ]; then
		diag "respite-notify's log:"
		tail -n 40 "$NLOG" | sed 's/^/#   /'
	fi
}
trap 'on_fail_show_logs; cleanup' EXIT

TOKENS=$TMPD/tokens	# none yet: open mode until the token tests
write_config "[server]
max_clock_skew = 3600
[auth]
tokens_file = $TOKENS"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
mock_start "actions body body-markup" ||
    bail_out "the mock notification server did not start: $(tail -n 5 "$TMPD/mock.log")"

T=$(date +%s)
M=60	# a minute of event time

# ---- a recovery break, shown

post "$(ev agent.login $((T - M)) '"team":"sup"')" \
    "$(ev message.flagged "$T" '"channel":"chat","severity":0.9,"categories":["insult"]')"
status_is 202 "login and a hostile message accepted"
req GET "/v1/suggestions?agent=ann&status=open"
S1=$(jqr '.suggestions[0].id')
MIN=$(jqr '.suggestions[0].minutes')
is "$(jqr '.suggestions[0].kind')" recovery_break "respited raised a recovery break ($S1, $MIN min)"

notify_start
if wait_shows "$S1" 1; then
	ok "the open suggestion is shown at start-up"
else
	not_ok "the open suggestion is shown at start-up" "calls: $(calls_jq .)"
fi
N=$(last_show "$S1")
is "$(jq -r .app <<<"$N")" respite "app name respite"
is "$(jq -r .summary <<<"$N")" "Time for a $MIN-minute break" "summary: Time for a $MIN-minute break"
like "$(jq -r .body <<<"$N")" '^A customer was hostile to you just now\. Take a moment' \
    "body: the reason in plain words"
is "$(jq -c .actions <<<"$N")" '["start","Start break","snooze","Snooze 10 min","dismiss","Dismiss"]' \
    "actions: Start break, Snooze 10 min, Dismiss"
is "$(jq -c '[.hints.urgency, .hints.category, .hints["x-respite-id"]]' <<<"$N")" \
    "[1,\"x-respite.break\",\"$S1\"]" "urgency normal for a high priority, category x-respite.break"
is "$(jq -c '[.timeout, (.icon | length > 0)]' <<<"$N")" '[0,true]' \
    "never expires by itself; has an icon"
NID=$(jq -r .id <<<"$N")

# ---- snooze twice; after the second no Snooze button

mockctl action "$NID" snooze
if wait_api "/v1/suggestions?agent=ann" \
    "any(.suggestions[]; .id == \"$S1\" and .status == \"snoozed\" and .snoozes == 1)"; then
	ok "Snooze 10 min: snoozed through the API"
else
	not_ok "Snooze 10 min: snoozed through the API" "body: $BODY"
fi
wait_closed "$NID"
check "the snoozed popup is closed" $?
sugg "$S1"
num_near "$(jqr 'def t: sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
    (.snoozed_until | t) - (.updated_at | t)')" 600 1 \
    "snoozed for 10 minutes"

post "$(ev message.received $((T + 11 * M)) '"channel":"chat"')"
wait_shows "$S1" 2
check "it reopens after the snooze and is shown again" $?
N=$(last_show "$S1")
is "$(jq -c .actions <<<"$N")" '["start","Start break","snooze","Snooze 10 min","dismiss","Dismiss"]' \
    "after one snooze it can be snoozed once more"
mockctl action "$(jq -r .id <<<"$N")" snooze
wait_api "/v1/suggestions?agent=ann" \
    "any(.suggestions[]; .id == \"$S1\" and .status == \"snoozed\" and .snoozes == 2)"
check "second snooze: snoozed twice" $?
post "$(ev message.received $((T + 22 * M)) '"channel":"chat"')"
wait_shows "$S1" 3
check "reopened once more: shown a third time" $?
N=$(last_show "$S1")
is "$(jq -c .actions <<<"$N")" '["start","Start break","dismiss","Dismiss"]' \
    "after the second snooze: no Snooze button"
sugg "$S1"
is "$(jq -c '.hints.urgency' <<<"$N")/$(jqr .priority)" 2/urgent \
    "priority urgent after two snoozes: urgency critical"

# ---- Start break: accepted, on_break, countdown, Welcome back, break end

mockctl action "$(jq -r .id <<<"$N")" start
wait_api "/v1/suggestions?agent=ann" \
    "any(.suggestions[]; .id == \"$S1\" and .status == \"accepted\")"
check "Start break: accepted through the API" $?
if wait_calls 'any(.[]; .method == "Notify" and .hints.category == "x-respite.countdown")'; then
	CD=$(calls_jq '[.[] | select(.method == "Notify" and .hints.category == "x-respite.countdown")] | first')
	is "$(jq -c '[.summary, .hints.urgency, .actions]' <<<"$CD")" \
	    "[\"On a break: $MIN minute$([ "$MIN" = 1 ] || echo s) left\",0,[\"end\",\"End break now\"]]" \
	    "a quiet countdown: minutes left, urgency low"
	is "$(jq -c '[.hints.transient, .hints["suppress-sound"]]' <<<"$CD")" '[true,true]' \
	    "the countdown is transient and silent"
else
	not_ok "a countdown notification" "calls: $(calls_jq .)"
	skip "the countdown is transient and silent" "no countdown"
fi
# The break lasts seconds here: on a loaded machine it may be over before
# this poll, so the status change streamed to respite-notify counts too.
wait_api /v1/agents/ann '.status == "on_break"' 1 ||
    wait_nlog "agent ann is on a break" 3
check "Start break: ann is on_break through the API" $?
wait_nlog "break started: $MIN minutes"
check "the countdown runs while ann is on_break" $?
if wait_calls 'any(.[]; .method == "Notify" and .summary == "Welcome back")'; then
	W=$(calls_jq '[.[] | select(.method == "Notify" and .summary == "Welcome back")] | last')
	is "$(jq -r .body <<<"$W")" "Your $MIN-minute break is over." "Welcome back when the break is over"
else
	not_ok "Welcome back when the break is over" "calls: $(calls_jq .)"
fi
wait_api /v1/agents/ann '.status == "working"'
check "the end of the break was posted: ann is working again" $?
CDID=$(jq -r .id <<<"${CD:-null}")
wait_calls "any(.[]; .method == \"CloseNotification\" and .id == ${CDID:-0})"
check "the countdown was closed" $?
is "$(shows "$S1")" 3 "the accepted suggestion was not shown again"

# ---- answered elsewhere: its popup closes

post "$(ev message.flagged $((T + 23 * M)) '"channel":"chat","severity":0.95')"
req GET "/v1/suggestions?agent=ann&status=open"
S2=$(jqr '.suggestions[0].id')
like "$S2" '^s-[0-9]+$' "a second hostile message: a new suggestion $S2"
wait_shows "$S2" 1
check "$S2 is shown" $?
N2=$(jq -r .id <<<"$(last_show "$S2")")
req POST "/v1/suggestions/$S2" '{"action":"dismiss"}'
status_is 200 "dismissed elsewhere (curl)"
wait_closed "$N2"
check "a suggestion answered elsewhere closes its notification" $?

# ---- respited restarts: gone, back, nothing missed, nothing twice

stop_daemon TERM
check "respited stopped" $?
wait_nlog "respited at .* is gone"
check "respite-notify says respited is gone" $?
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
# Raised at once, before respite-notify reconnects (at least 1.5 s).
# The dismissed kind has a 20-minute cooldown: event time jumps past it.
post "$(ev message.flagged $((T + 44 * M)) '"channel":"chat","severity":0.95')"
req GET "/v1/suggestions?agent=ann&status=open"
S3=$(jqr '.suggestions[0].id')
like "$S3" '^s-[0-9]+$' "after the restart a third suggestion $S3"
wait_nlog "respited is back after [0-9]+ s; resuming after event [0-9]+"
check "respite-notify says respited is back and resumes with Last-Event-ID" $?
wait_shows "$S3" 1
check "the suggestion raised while the stream was down is shown" $?
# Let the replay and the fetch after the reconnect both arrive.
wait_nlog "open suggestion\(s\) for agent ann" 5 >/dev/null
sleep 0.5
is "$(shows "$S3")/$(shows "$S2")/$(shows "$S1")" 1/1/3 \
    "after the reconnect nothing is shown twice ($S3 once, $S2 once, $S1 three times)"

# ---- quiet time: a break withdraws the popup, its end brings it back

N3=$(jq -r .id <<<"$(last_show "$S3")")
post "$(ev agent.break_start $((T + 45 * M)))"
wait_closed "$N3"
check "quiet time: a break taken elsewhere withdraws the popup" $?
sugg "$S3"
is "$(jqr .status)" open "(the suggestion itself is still open)"
post "$(ev agent.break_end $((T + 46 * M)))"
wait_shows "$S3" 2
check "quiet time over: the still open suggestion is shown again" $?

# ---- a hung notification server does not hold up the stream
#
# Notify now takes 60 s and the whole mock with it.  While the presenter
# waits in that call, the main loop goes on reading the stream: a break
# and its end are logged at once (and the popup's close and show queued
# meanwhile are merged into one show).  Then the server is killed (a
# user restarting a stuck notification daemon): the pending call fails,
# and respite-notify says the server is gone.

mockctl hang 60
n0=$(grep -c "showing $S3" "$NLOG")
post "$(ev agent.break_start $((T + 47 * M)))" "$(ev agent.break_end $((T + 48 * M)))"
wait_nlog "showing $S3" 5 >/dev/null
for i in $(seq 1 50); do
	[ "$(grep -c "showing $S3" "$NLOG")" -gt "$n0" ] && break
	sleep 0.1
done
sleep 0.3	# the presenter is now inside the hung Notify call
n1=$(grep -c "agent ann is working" "$NLOG")
t0=$(now_ms)
post "$(ev agent.break_start $((T + 49 * M)))" "$(ev agent.break_end $((T + 50 * M)))"
for i in $(seq 1 50); do
	[ "$(grep -c "agent ann is working" "$NLOG")" -gt "$n1" ] && break
	sleep 0.1
done
ms=$(( $(now_ms) - t0 ))
if [ "$(grep -c "agent ann is working" "$NLOG")" -gt "$n1" ]; then
	ok "with the notification server hung, the stream still flows (a break and its end seen in $ms ms)"
else
	not_ok "with the notification server hung, the stream still flows"
fi

# ---- a notification server without actions

mock_stop
wait_nlog "notification server gone"
check "respite-notify notices the notification server is gone" $?
mock_start "body" || bail_out "the mock did not restart"
wait_nlog "notification server back: .*actions: no"
check "... and back, without actions" $?
if wait_calls "any(.[]; .method == \"Notify\" and .hints[\"x-respite-id\"] == \"$S3\" and
    (.actions | length) == 0 and (.body | test(\"respitectl accept $S3\")))"; then
	ok "without actions: no buttons, the body says how to answer"
else
	not_ok "without actions: no buttons, the body says how to answer" \
	    "calls: $(calls_jq .)"
fi
like "$(jq -r .body <<<"$(last_show "$S3")")" \
    "respitectl accept $S3 \\(start the break\\), respitectl snooze $S3 .* or respitectl dismiss $S3\\.$" \
    "the body names respitectl accept, snooze and dismiss"
running "$NOTIFY_PID"
check "nothing crashed" $?

kill -TERM "$NOTIFY_PID"
wait_exit "$NOTIFY_PID" 5
check "SIGTERM stops respite-notify" $?
wait "$NOTIFY_PID"
is "$?" 0 "... with status 0"
NOTIFY_PID=

# ---- level notices (level_notices = true in a configuration file)
#
# Agent hi takes phone calls back to back for 40 minutes with 3 chats
# left open (the rebalancing scenario of suggestions.sh): strain reaches
# high, and a second respite-notify, configured by file, says so gently.

printf '[notify]\nurl = %s\nagent = hi\nlang = fr\n' "$BASE" >"$TMPD/notify-fr.conf"
OUT=$($RESPITE_NOTIFY -c "$TMPD/notify-fr.conf" --once 2>&1)
is "$?" 78 "lang = fr: a configuration error (78)"
like "$OUT" 'notify-fr.conf:4: lang: expected auto, en or de, got "fr"' \
    "... that names the file, the line and the choices"

# In German (lang = de; the locale says English): the notice's words.
printf '# respite-notify for agent hi\n[notify]\nurl = %s\nagent = hi\nlevel_notices = true\nlang = de\n' \
    "$BASE" >"$TMPD/notify-hi.conf"
HLOG=$TMPD/notify-hi.log
$RESPITE_NOTIFY -c "$TMPD/notify-hi.conf" -v 2>"$HLOG" &
HI_PID=$!
bg_register "$HI_PID"
for i in $(seq 1 $(( $(slow 10) * 10 ))); do
	grep -q "open suggestion(s) for agent hi" "$HLOG" && break
	sleep 0.1
done
hev() {	# hev TYPE EPOCH_S [JSON_FIELDS]: an event of agent hi
	printf '{"type":"%s","agent":"hi","ts":%s%s}\n' "$1" \
	    "$(($2 * 1000))" "${3:+,$3}"
}
B=$(( $(date +%s) - 40 * M ))
{
	hev agent.login "$B" '"team":"t1"'
	for t in c1 c2 c3; do
		hev ticket.assigned "$B" "\"channel\":\"chat\",\"ticket\":\"$t\""
	done
	for k in $(seq 1 20); do
		hev ticket.assigned $((B + (k - 1) * 120)) "\"channel\":\"phone\",\"ticket\":\"h$k\""
		hev ticket.handled $((B + k * 120)) "\"channel\":\"phone\",\"ticket\":\"h$k\",\"duration_s\":120"
	done
} >"$TMPD/hi.ndjson"
post_events "@$TMPD/hi.ndjson" -H 'Content-Type: application/x-ndjson'
status_is 202 "agent hi: 40 minutes of back-to-back calls"
if wait_calls 'any(.[]; .method == "Notify" and .hints.category == "x-respite.level")'; then
	L=$(calls_jq '[.[] | select(.method == "Notify" and .hints.category == "x-respite.level")] | last')
	like "$(jq -r '.summary + " / " + .body' <<<"$L")" \
	    '^Ihre Belastung ist hoch / Ihr Belastungswert ist [0-9]+ von 100\. Teilen Sie sich' \
	    "level_notices: a gentle notice when the level rises to high, in German with lang = de"
	is "$(jq -c '[.hints.urgency, .actions]' <<<"$L")" '[0,[]]' \
	    "... urgency low, no buttons"
else
	not_ok "level_notices: a gentle notice when the level rises to high" \
	    "$(tail -n 5 "$HLOG")"
	skip "... urgency low, no buttons" "no notice"
fi
is "$(calls_jq 'map(select(.method == "Notify" and .hints.category ==
    "x-respite.level")) | length')" 1 "one notice (ann's respite-notify has them off)"
kill_child TERM "$HI_PID"
wait "$HI_PID"

# ---- respited's snooze_max_times: sent as snoozes_left and honoured

# snooze_conf N: [advice] snooze_max_times = N, applied by SIGHUP.
snooze_conf() {
	local n
	write_config "[server]
max_clock_skew = 3600
[auth]
tokens_file = $TOKENS
[advice]
snooze_max_times = $1"
	n=$(log_lines)
	kill -HUP "$DAEMON_PID"
	wait_log "reloaded" 5 "$n"
}
# notify_for AGENT: a respite-notify of AGENT's own (its pid in SN_PID).
notify_for() {
	echo "=== start $1 $(date -u +%H:%M:%S.%N)" >>"$NLOG"
	$RESPITE_NOTIFY --url "$BASE" --agent "$1" -v 2>>"$NLOG" &
	SN_PID=$!
	bg_register "$SN_PID"
}
# raise AGENT EPOCH_S: a login and a hostile message; the new suggestion's
# id in SID.
raise() {
	printf '{"type":"agent.login","agent":"%s","team":"sup","ts":%s}\n{"type":"message.flagged","agent":"%s","channel":"chat","severity":0.9,"categories":["insult"],"ts":%s}\n' \
	    "$1" "$((($2 - M) * 1000))" "$1" "$(($2 * 1000))" >"$TMPD/ev.ndjson"
	post_events "@$TMPD/ev.ndjson" -H 'Content-Type: application/x-ndjson'
	req GET "/v1/suggestions?agent=$1&status=open"
	SID=$(jqr '.suggestions[0].id')
}
SNOOZE_ACTIONS='["start","Start break","snooze","Snooze 10 min","dismiss","Dismiss"]'
NO_SNOOZE_ACTIONS='["start","Start break","dismiss","Dismiss"]'

mock_stop
mock_start "actions body body-markup" || bail_out "the mock did not restart"
snooze_conf 1
check "snooze_max_times = 1 applied by SIGHUP" $?
TS=$(date +%s)
raise tom "$TS"
is "$(jqr '.suggestions[0].snoozes_left')" 1 "tom's suggestion $SID: snoozes_left 1 in the API"
ST=$SID
notify_for tom
TOM_PID=$SN_PID
wait_shows "$ST" 1
check "tom's suggestion is shown" $?
N=$(last_show "$ST")
is "$(jq -c .actions <<<"$N")" "$SNOOZE_ACTIONS" "one snooze left: Snooze offered"
mockctl action "$(jq -r .id <<<"$N")" snooze
wait_api "/v1/suggestions?agent=tom" \
    "any(.suggestions[]; .id == \"$ST\" and .status == \"snoozed\" and .snoozes == 1 and .snoozes_left == 0)"
check "snoozed once: snoozes_left 0" $?
printf '{"type":"message.received","agent":"tom","channel":"chat","ts":%s}\n' \
    "$(((TS + 11 * M) * 1000))" >"$TMPD/ev.ndjson"
post_events "@$TMPD/ev.ndjson" -H 'Content-Type: application/x-ndjson'
wait_shows "$ST" 2
check "it reopens and is shown again" $?
is "$(jq -c .actions <<<"$(last_show "$ST")")" "$NO_SNOOZE_ACTIONS" \
    "snooze_max_times = 1: after one snooze no Snooze button"
req GET /v1/agents/tom
is "$(jqb "[.open_suggestions[]? | select(.id == \"$ST\") | .snoozes_left]")" "[0]" \
    "the agent object says snoozes_left 0 too"
kill_child TERM "$TOM_PID"
wait "$TOM_PID" 2>/dev/null

# A 409 on Snooze (the limit went down to 0 while the popup was up):
# shown again without Snooze, still open.
raise sam "$TS"
SS=$SID
notify_for sam
SAM_PID=$SN_PID
wait_shows "$SS" 1
check "sam's suggestion is shown" $?
N=$(last_show "$SS")
is "$(jq -c .actions <<<"$N")" "$SNOOZE_ACTIONS" "with Snooze"
snooze_conf 0
check "snooze_max_times = 0 applied by SIGHUP" $?
mockctl action "$(jq -r .id <<<"$N")" snooze
wait_nlog "$SS: cannot snooze .*showing it again without Snooze"
check "Snooze refused (409): said in the log" $?
wait_calls "map(select(.method == \"Notify\" and
    .hints[\"x-respite-id\"] == \"$SS\")) | length == 2"
check "the popup is shown again" $?
is "$(jq -c .actions <<<"$(last_show "$SS")")" "$NO_SNOOZE_ACTIONS" \
    "... without Snooze"
sugg_of() { req GET "/v1/suggestions?agent=$1&limit=1000"; BODY=$(jqb ".suggestions[] | select(.id == \"$2\")"); }
sugg_of sam "$SS"
is "$(jqr '[.status, .snoozes] | @tsv')" "$(printf 'open\t0')" "still open, never snoozed"
kill_child TERM "$SAM_PID"
wait "$SAM_PID" 2>/dev/null
# Back to the configuration of the tests below.
write_config "[server]
max_clock_skew = 3600
[auth]
tokens_file = $TOKENS"
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reloaded" 5 "$n"

# ---- --once

mock_stop
mock_start "actions body" || bail_out "the mock did not restart"
VG=
if have valgrind && ! ldd "$RESPITE_NOTIFY" 2>/dev/null | grep -q libasan; then
	VG="valgrind -q --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite
	    --log-file=$TMPD/valgrind.log"
fi
echo "=== --once $(date -u +%H:%M:%S.%N)" >>"$NLOG"
$VG $RESPITE_NOTIFY --once --url "$BASE" --agent ann 2>>"$NLOG" &
ONCE_PID=$!
bg_register "$ONCE_PID"
if wait_shows "$S3" 1 "$( [ -n "$VG" ] && echo 40 || echo 10 )"; then
	ok "--once shows the open suggestion"
	mockctl closed "$(jq -r .id <<<"$(last_show "$S3")")" 2
	if wait_exit "$ONCE_PID" "$( [ -n "$VG" ] && echo 30 || echo 5 )"; then
		wait "$ONCE_PID"
		is "$?" 0 "--once exits 0 once its popup is closed${VG:+ (valgrind: no errors, no definite leaks)}"
	else
		not_ok "--once exits 0 once its popup is closed"
		kill_child TERM "$ONCE_PID"
	fi
	[ -n "$VG" ] && [ -s "$TMPD/valgrind.log" ] && diag "$(head -n 40 "$TMPD/valgrind.log")"
else
	not_ok "--once shows the open suggestion" "calls: $(calls_jq .)"
	skip "--once exits 0 once its popup is closed" "nothing shown"
	kill_child TERM "$ONCE_PID"
fi
sugg "$S3"
is "$(jqr .status)" open "closing a popup is no answer: still open"

# ---- tokens: the agent's own works, another's or none is refused

T_ANN=rsp_ann-$RANDOM$RANDOM
T_BOB=rsp_bob-$RANDOM$RANDOM
{
	printf 'sha256:%s agent:ann ann-desktop\n' \
	    "$(printf '%s' "$T_ANN" | sha256sum | cut -d' ' -f1)"
	printf 'sha256:%s agent:bob bob-desktop\n' \
	    "$(printf '%s' "$T_BOB" | sha256sum | cut -d' ' -f1)"
} >"$TOKENS"
(umask 077; echo "$T_ANN" >"$TMPD/ann.token"; echo "$T_BOB" >"$TMPD/bob.token")
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reload: 2 tokens" 5 "$n"
check "respited now wants tokens" $?
$RESPITE_NOTIFY --once --url "$BASE" --agent ann \
    --token-file "$TMPD/ann.token" 2>>"$NLOG" &
ONCE_PID=$!
bg_register "$ONCE_PID"
if wait_shows "$S3" 2; then	# the second time on this server
	ok "--token-file with ann's token: shown"
	mockctl closed "$(jq -r .id <<<"$(last_show "$S3")")" 2
	wait_exit "$ONCE_PID" 5 && wait "$ONCE_PID"
	is "$?" 0 "... and done"
else
	not_ok "--token-file with ann's token: shown" "$(tail -n 5 "$NLOG")"
	skip "... and done" "not shown"
	kill_child TERM "$ONCE_PID"
fi
out=$(JOURNAL_STREAM= $RESPITE_NOTIFY --once --url "$BASE" --agent ann \
    --token-file "$TMPD/bob.token" 2>&1 >/dev/null)
is "$?" 77 "another agent's token: exit 77"
like "$out" '^respite-notify: respited refused the token for the stream \(HTTP 403' \
    "... and says so in one line"
out=$(JOURNAL_STREAM= $RESPITE_NOTIFY --once --url "$BASE" --agent ann 2>&1 >/dev/null)
is "$?/$out" "77/respite-notify: respited refused the token for the stream (HTTP 401 Unauthorized); check token_file" \
    "no token: exit 77"

once_fails() {	# once_fails DESC PATTERN ENV...: --once exits 69, one line
	local desc=$1 pat=$2 out rc t0 ms
	shift 2
	t0=$(now_ms)
	out=$(env "$@" "$RESPITE_NOTIFY" --once --url "${ONCE_URL:-$BASE}" \
	    --agent ann 2>&1 >/dev/null)
	rc=$?
	ms=$(( $(now_ms) - t0 ))
	if [ "$rc" = 69 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	    printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		ok "$desc: exit 69 and one line ($ms ms): $out"
	else
		not_ok "$desc: exit 69 and one line" "exit $rc after $ms ms" \
		    "stderr: $out"
	fi
}

ONCE_URL=http://127.0.0.1:1 once_fails "--once, respited unreachable" \
    '^respite-notify: cannot reach respited at http://127\.0\.0\.1:1: ' \
    JOURNAL_STREAM=
mock_stop
once_fails "--once, no notification server" \
    '^respite-notify: no notification server: ' JOURNAL_STREAM=
once_fails "--once, no session bus" \
    '^respite-notify: no D-Bus session bus: ' -u DBUS_SESSION_BUS_ADDRESS \
    JOURNAL_STREAM= XDG_RUNTIME_DIR="$TMPD/nowhere" DISPLAY=

# ---- the systemd user unit

UNIT=$(dirname "$RESPITE_NOTIFY")/systemd/respite-notify.service
if [ ! -f "$UNIT" ]; then
	skip "systemd-analyze --user verify respite-notify.service" \
	    "no unit built (configure --without-systemduserunitdir?)"
elif ! have systemd-analyze; then
	skip "systemd-analyze --user verify respite-notify.service" \
	    "systemd-analyze is not installed (Debian: systemd)"
else
	mkdir -p "$TMPD/units" "$TMPD/run"
	like "$(grep '^ExecStart=' "$UNIT")" '^ExecStart=/[^@]*/respite-notify$' \
	    "the unit starts respite-notify by its installed path"
	# The program it names is installed only by make install: point it
	# at the one built.  --man=no: the man page is not installed yet.
	sed "s|^ExecStart=.*|ExecStart=$RESPITE_NOTIFY|" "$UNIT" \
	    >"$TMPD/units/respite-notify.service"
	out=$(cd "$TMPD/units" && XDG_RUNTIME_DIR=$TMPD/run \
	    systemd-analyze --user verify --man=no ./respite-notify.service 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		ok "systemd-analyze --user verify respite-notify.service: clean"
	else
		not_ok "systemd-analyze --user verify respite-notify.service: clean" "$out"
	fi
	like "$(grep -E '^(WantedBy|Restart)=' "$UNIT" | tr '\n' ' ')" \
	    'Restart=on-failure WantedBy=graphical-session.target' \
	    "Restart=on-failure, WantedBy=graphical-session.target"
fi

done_testing
