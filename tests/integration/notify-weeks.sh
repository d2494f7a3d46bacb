#!/usr/bin/env bash
# respite - respite-notify and the agent's weeks (issue 15), against a
# real respited and a real D-Bus notification server, headless (the
# setup of notify.sh: a throw-away session bus, python3-dbusmock).
#
# 35 past days of agent wes replayed (UTC, working hours of days gone
# by), its last week 11-hour days with hostile messages: its trend turns
# high and, in aggregate privacy mode, the wellbeing_check goes to wes.
#
#   - the wellbeing_check's popup: "How are your weeks going?", the
#     trend's reasons, one OK button (no Start break, no Snooze), calm
#     urgency; OK accepts it in the API and starts no break (wes stays
#     working, no countdown);
#   - without action buttons, the body says how to close it;
#   - respite-notify --summary prints wes's own week: each of its days of
#     the last 7 in /v1/agents/wes/days with the worked time, the sums,
#     and the trend with the reasons of /trend; it needs no notification
#     server or session bus; 69 with no respited, 64 with --once.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify-lib.sh"

require_tools
setup
unset DISPLAY WAYLAND_DISPLAY
export XDG_CONFIG_HOME=$TMPD/config	# no notify.conf of the user's
have_python || skip_all "python3 is needed to write the days"

NOTIFY_PID=
NLOG=$TMPD/notify.log
: >"$NLOG"

last_show() {
	calls_jq "map(select(.method == \"Notify\" and
	    .hints[\"x-respite-id\"] == \"$1\")) | last"
}
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
unlike() {	# unlike TEXT ERE DESC
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		not_ok "$3" "matches /$2/: $1"
	else
		ok "$3"
	fi
}
notify_start() {	# notify_start AGENT [OPTIONS]
	local agent=$1
	shift
	echo "=== start $(date -u +%H:%M:%S.%N)" >>"$NLOG"
	$RESPITE_NOTIFY --url "$BASE" --agent "$agent" -v "$@" 2>>"$NLOG" &
	NOTIFY_PID=$!
	bg_register "$NOTIFY_PID"
}
notify_stop() {
	[ -n "$NOTIFY_PID" ] || return 0
	kill_child TERM "$NOTIFY_PID"
	wait "$NOTIFY_PID" 2>/dev/null
	NOTIFY_PID=
}
on_fail_show_logs() {
	if [ "$_tap_failed" -gt 0 ]; then
		diag "respite-notify's log:"
		tail -n 40 "$NLOG" | sed 's/^/#   /'
	fi
}
trap 'on_fail_show_logs; cleanup' EXIT

write_config "[server]
max_clock_skew = 3600
[model]
timezone = UTC
[privacy]
lead_view = aggregate"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# 35 days up to yesterday of wes and vic (UTC, days from 04:00), 09:00
# to 16:00 with a break from 12:00 to 12:30 and a ticket every 12
# minutes; the last 7 days from 08:00 to 19:00 with 3 hostile messages
# each.
python3 - >"$TMPD/wes.json" <<'PY'
import datetime, json
utc = datetime.timezone.utc
today = (datetime.datetime.now(utc) - datetime.timedelta(hours=4)).date()
def ms(d, h, m):
    return int(datetime.datetime(d.year, d.month, d.day, h, m,
                                 tzinfo=utc).timestamp() * 1000)
evs = []
for ago, agent in [(a, w) for a in range(35, 0, -1) for w in ("wes", "vic")]:
    d = today - datetime.timedelta(days=ago)
    long = ago <= 7
    start, end = (8, 19) if long else (9, 16)
    evs.append({"type": "agent.login", "agent": agent, "team": "t1",
                "ts": ms(d, start, 0)})
    n, t = 0, ms(d, start, 0)
    while t + 600000 <= ms(d, end, 0) - 60000:
        if ms(d, 12, 0) - 720000 < t < ms(d, 12, 30):
            t += 720000
            continue
        tk = "%s-%s-%d" % (agent, d.isoformat(), n)
        evs.append({"type": "ticket.assigned", "agent": agent,
                    "ts": t + 60000, "ticket": tk, "channel": "chat"})
        if long and n % 15 == 3:
            evs.append({"type": "message.flagged", "agent": agent,
                        "ts": t + 120000, "ticket": tk, "channel": "chat",
                        "severity": 0.9})
        evs.append({"type": "ticket.handled", "agent": agent,
                    "ts": t + 540000, "ticket": tk, "channel": "chat",
                    "duration_s": 300})
        n += 1
        t += 720000
    evs.append({"type": "agent.break_start", "agent": agent, "ts": ms(d, 12, 0)})
    evs.append({"type": "agent.break_end", "agent": agent, "ts": ms(d, 12, 30)})
    evs.append({"type": "agent.logout", "agent": agent, "ts": ms(d, end, 0)})
evs.sort(key=lambda e: e["ts"])
for i in range(0, len(evs), 2000):
    print(json.dumps(evs[i:i + 2000]))
PY
check "35 past days of wes and vic written" $?
okp=0
while IFS= read -r batch; do
	printf '%s' "$batch" >"$TMPD/batch.json"
	post_events "@$TMPD/batch.json"
	[ "$STATUS" = 202 ] || okp=1
done <"$TMPD/wes.json"
is "$okp" 0 "the days posted (202)"
T=$(date +%s)
post_events "[{\"type\":\"agent.login\",\"agent\":\"wes\",\"team\":\"t1\",\"ts\":$((T * 1000))},
    {\"type\":\"agent.login\",\"agent\":\"vic\",\"team\":\"t1\",\"ts\":$((T * 1000))}]"
status_is 202 "wes and vic log in now"
req GET /v1/agents/wes/trend
jq_check '.risk == "high"' "wes's trend is high"
REASONS=$(jqr '[.signals[].reason] | join("; ")')
req GET '/v1/suggestions?agent=wes&kind=wellbeing_check&status=open'
jq_check '(.suggestions | length) == 1 and .suggestions[0].audience == "agent"' \
    "one open wellbeing_check, to wes (aggregate mode)"
W=$(jqr '.suggestions[0].id')
WREASON=$(jqr '.suggestions[0].reason')

# ---- the popup

mock_start "actions body" ||
    bail_out "the mock notification server did not start: $(tail -n 5 "$TMPD/mock.log")"
notify_start wes
if wait_calls "any(.[]; .method == \"Notify\" and .hints[\"x-respite-id\"] == \"$W\")"; then
	ok "the wellbeing_check is shown"
else
	not_ok "the wellbeing_check is shown" "calls: $(calls_jq .)"
fi
N=$(last_show "$W")
is "$(jq -r .summary <<<"$N")" "How are your weeks going?" \
    "summary: How are your weeks going?"
is "$(jq -c .actions <<<"$N")" '["ok","OK"]' \
    "actions: OK alone (no Start break, no Snooze)"
BODYTXT=$(jq -r .body <<<"$N")
first=${WREASON%%; *}
case $BODYTXT in
*"- $first"*) ok "body: the trend's reasons, one a line" ;;
*) not_ok "body: the trend's reasons, one a line" "$BODYTXT / $WREASON" ;;
esac
unlike "$BODYTXT" "break|respitectl" "body: nothing about a break, no respitectl with buttons"
is "$(jq -r '.hints.urgency' <<<"$N") $(jq -r '.hints.category' <<<"$N")" \
    "1 x-respite.wellbeing" "urgency normal, category x-respite.wellbeing"

mockctl action "$(jq -r .id <<<"$N")" ok
if wait_api "/v1/suggestions?agent=wes&kind=wellbeing_check" \
    ".suggestions[0].status == \"accepted\""; then
	ok "OK: accepted in the API"
else
	not_ok "OK: accepted in the API" "$BODY"
fi
sleep 1	# a break would have been asked for at once
req GET /v1/agents/wes
is "$(jqr .status)" working "OK: no break started (wes is still working)"
is "$(calls_jq 'map(select(.method == "Notify" and .hints.category == "x-respite.countdown")) | length')" \
    0 "OK: no countdown"
unlike "$(cat "$NLOG")" "break started|accepted break" "OK: no break in the log"
notify_stop
mock_stop

# ---- without action buttons: how to close it

req GET '/v1/suggestions?agent=vic&kind=wellbeing_check&status=open'
V=$(jqr '.suggestions[0].id')
mock_start "body" || bail_out "the mock did not start again"
notify_start vic
if wait_calls "any(.[]; .method == \"Notify\" and .hints[\"x-respite-id\"] == \"$V\")"; then
	N=$(last_show "$V")
	is "$(jq -c .actions <<<"$N")" '[]' "no actions: no buttons"
	like "$(jq -r .body <<<"$N")" "To close this, run: respitectl accept $V\\.\$" \
	    "no actions: the body says how to close it"
else
	not_ok "no actions: vic's wellbeing_check ($V) is shown" "calls: $(calls_jq .)"
fi
notify_stop
mock_stop

# ---- --summary

OUT=$(env -u DBUS_SESSION_BUS_ADDRESS "$RESPITE_NOTIFY" --url "$BASE" \
    --agent wes --summary 2>"$TMPD/summary.err")
is "$?" 0 "--summary: exit 0, with no session bus at all"
like "$OUT" "^Your week, wes \\(UTC\\), the last 7 days up to " \
    "--summary: the agent's own week"
req GET /v1/agents/wes/days
# "DATE=H:MM" for each day of the last 7 (up to .to), as --summary shows it:
# the 6 days before today at least (today has work only if a minute went
# by since the login).
WEEK=$(printf '%s' "$BODY" | jq -r '(.to | strptime("%Y-%m-%d") | mktime) as $to |
    .days[] | select($to - (.date | strptime("%Y-%m-%d") | mktime) < 7 * 86400) |
    "\(.date)=\(.worked_min / 60 | floor):\(.worked_min % 60 | tostring |
    if length < 2 then "0" + . else . end)"')
n=0
missing=
for line in $WEEK; do
	n=$((n + 1))
	printf '%s\n' "$OUT" | grep -E " ${line%%=*} +${line#*=} " >/dev/null ||
	    missing="$missing $line"
done
if [ "$n" -ge 6 ] && [ -z "$missing" ]; then
	ok "--summary: each of the $n days of the last 7 in /days, with its worked time"
else
	not_ok "--summary: each of the $n days of the last 7 in /days, with its worked time" \
	    "missing:$missing in $OUT"
fi
like "$OUT" "together" "--summary: the week's sums"
like "$OUT" "Trend, the last 7 completed days against your own usual: high" \
    "--summary: the trend's risk"
miss=
IFS=';' read -ra RS <<<"$REASONS"
for r in "${RS[@]}"; do
	r=${r# }
	printf '%s\n' "$OUT" | grep -Fq -- "  - $r" || miss="$miss [$r]"
done
is "$miss" "" "--summary: the trend's reasons (${#RS[@]})"
# In German (LANG, as a German desktop sets it): the same week and trend,
# each signal said from its figures, not the API's English reason.
OUT=$(env -u DBUS_SESSION_BUS_ADDRESS -u LC_ALL LANG=de_DE.UTF-8 \
    "$RESPITE_NOTIFY" --url "$BASE" --agent wes --summary 2>"$TMPD/summary.err")
is "$?" 0 "--summary in German: exit 0"
like "$OUT" "^Ihre Woche, wes \\(UTC\\), die letzten 7 Tage bis " \
    "--summary in German: the agent's own week"
like "$OUT" "zusammen" "--summary in German: the week's sums"
like "$OUT" "gemessen an Ihrem Üblichen: hoch" "--summary in German: the trend's risk"
NSIG=$(printf '%s\n' "$OUT" | grep -c '^  - ')
is "$NSIG" "${#RS[@]}" "--summary in German: one line per signal"
if printf '%s\n' "$OUT" | grep -Eq 'usual|hostile messages|of the last'; then
	not_ok "--summary in German: no English left" "got: $OUT"
else
	ok "--summary in German: no English left"
fi
"$RESPITE_NOTIFY" --url http://127.0.0.1:1 --agent wes --summary \
    >/dev/null 2>"$TMPD/summary.err"
rc=$?
is "$rc $(wc -l <"$TMPD/summary.err")" "69 1" \
    "--summary with no respited: 69 and one line ($(cat "$TMPD/summary.err"))"
"$RESPITE_NOTIFY" --url "$BASE" --agent wes --summary --once \
    >/dev/null 2>&1
is "$?" 64 "--summary with --once: a usage error (64)"
"$RESPITE_NOTIFY" --url "$BASE" --agent nobody --summary >"$TMPD/nobody.out" 2>&1
is "$? $(cat "$TMPD/nobody.out")" "0 respited has no days of agent nobody yet." \
    "--summary for an agent respited has not seen: says so"

done_testing
