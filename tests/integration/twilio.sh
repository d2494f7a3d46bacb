#!/usr/bin/env bash
# respite - the Twilio TaskRouter adapter over real HTTP (API.md "The phone
# channel"): a respited with the twilio plugin gets the shift of
# tests/data/webhooks/twilio/ (form bodies, moved to the last half hour),
# each signed as Twilio signs (X-Twilio-Signature; computed here in Python,
# independently of the adapter's C) for the configured public URL.  The
# agents, their teams, phone and chat contacts, breaks and the logout land
# as API.md says; the wrap-up and completion of one reservation are one
# ticket.handled; a redelivery is a duplicate; a missing or wrong
# signature (or one for another URL) is 401 and stores nothing; without
# url respited refuses to start; and nothing of a callback's other fields
# (the caller's number) reaches the database.

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${PLUGIN_DIR:-}" ]; then
	for _d in ./plugins/.libs ../plugins/.libs; do
		[ -f "$_d/twilio.so" ] && PLUGIN_DIR=$(cd "$_d" && pwd)
	done
fi
[ -n "${PLUGIN_DIR:-}" ] && [ -f "$PLUGIN_DIR/twilio.so" ] ||
    skip_all "no built twilio plugin (PLUGIN_DIR is set by make check)"
have_python || skip_all "python3 is needed to sign the callbacks"
have_sqlite3 || skip_all "sqlite3 is needed to read the stored events"

DATA=$TOP_SRCDIR/tests/data/webhooks/twilio
TOKEN=twilio-auth-token-$RANDOM
PUBLIC=https://respite.example/v1/webhooks/twilio
T0=1772443800			# the first callback of the files

twilio_config() {
	write_config "[plugins]
dir = $PLUGIN_DIR
load = twilio
[plugin.twilio]
$1"
}

# shifted FILE: its body with Timestamp and TimestampMs moved by $SHIFT s.
shifted() {
	python3 - "$1" "$SHIFT" <<'EOF'
import sys, urllib.parse
body = open(sys.argv[1]).read()
shift = int(sys.argv[2])
out = []
for k, v in urllib.parse.parse_qsl(body, keep_blank_values=True):
    if k == "Timestamp":
        v = str(int(v) + shift)
    elif k == "TimestampMs":
        v = str(int(v) + shift * 1000)
    out.append((k, v))
sys.stdout.write(urllib.parse.urlencode(out))
EOF
}

# signature URL TOKEN FILE: X-Twilio-Signature as Twilio computes it.
signature() {
	python3 - "$@" <<'EOF'
import base64, hashlib, hmac, sys, urllib.parse
url, token, path = sys.argv[1:4]
params = urllib.parse.parse_qsl(open(path, "rb").read().decode(),
    keep_blank_values=True)
data = url + "".join(k + v for k, v in sorted(params, key=lambda p: p[0]))
print(base64.b64encode(hmac.new(token.encode(), data.encode(),
    hashlib.sha1).digest()).decode())
EOF
}

# post FILE [URL [TOKEN]]: posted as TaskRouter does, signed for URL.
post() {
	req POST /v1/webhooks/twilio "@$1" \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    -H "X-Twilio-Signature: $(signature "${2:-$PUBLIC}" \
	    "${3:-$TOKEN}" "$1")"
}

events_count() {
	db_query "SELECT count(*) FROM events"
}

# ---- configuration

twilio_config "secret = $TOKEN"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
rc=$?
like "$OUT" "plugin.twilio.*url: expected the public URL Twilio calls" \
    "-t without url: refused, naming the key"
is "$rc" 1 "-t without url: exit 1"
twilio_config "secret = $TOKEN
url = $PUBLIC"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
is "$?" 0 "-t with secret and url: exit 0"
like "$OUT" "webhooks need X-Twilio-Signature" "-t says how callbacks are checked"

# ---- the shift

start_daemon || bail_out "respited did not start"
NOW=$(date +%s)
SHIFT=$(( NOW - 1800 - T0 ))	# 01 is 30 min ago, 11 25 min later
for f in "$DATA"/*.form; do
	shifted "$f" >"$TMPD/$(basename "$f")"
done
S=$TMPD

post "$S/01-alice-available.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "Offline -> Available: a login"
post "$S/02-alice-accepted.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "reservation.accepted (voice): accepted"
post "$S/02-alice-accepted.form"
reply_is 202 '{"accepted":0,"duplicates":1,"ignored":0}' "the same callback again: a duplicate"
post "$S/03-alice-wrapup.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "reservation.wrapup: handled"
post "$S/04-alice-completed.form"
reply_is 202 '{"accepted":0,"duplicates":1,"ignored":0}' \
    "reservation.completed after the wrap-up: the same ticket.handled, a duplicate"
post "$S/05-alice-break.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "Available -> Break"
req GET /v1/agents/alice
jq_is .status '"on_break"' "alice is on a break"
post "$S/06-alice-back.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "Break -> Available"
post "$S/07-juergen-accepted-chat.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "a chat reservation accepted"
post "$S/08-juergen-completed-chat.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "... and completed without a wrap-up"
post "$S/09-task-created.form"
jq_is '[.accepted, .ignored]' '[0,1]' "task.created: ignored"

req GET /v1/agents/alice
jq_is '[.status, .team]' '["working","phone-de"]' \
    "alice is working, in the team of her worker attributes"
jq_is .metrics.tickets_last_hour 1 "alice handled one call in the last hour"
req GET /v1/agents/juergen-2Eweiss-40acme-2Eexample
jq_is .team '"Chat.Team"' "a Flex identity as agent, team from team_name"
is "$(db_query "SELECT channel, duration_s, ticket LIKE 'WT%' FROM events WHERE id = 'twilio:WR7c92cf1eee8d99cc85f8355a3d6e4b86:handled'")" \
    "1|312.5|1" "the call: channel phone, 312.5 s from accepted to wrap-up, ticket the TaskSid"
is "$(db_query "SELECT count(*) FROM events WHERE type = 6")" 2 \
    "two ticket.handled: one for each reservation"
is "$(db_query "SELECT ts FROM events WHERE id = 'twilio:WR7c92cf1eee8d99cc85f8355a3d6e4b86:assigned'")" \
    "$(( (T0 + SHIFT + 60) * 1000 + 250 ))" "ts from TimestampMs"

# ---- signatures

n=$(events_count)
req POST /v1/webhooks/twilio "@$S/10-alice-unavailable.form" \
    -H 'Content-Type: application/x-www-form-urlencoded'
error_is 401 unauthorized - - "no X-Twilio-Signature: 401"
post "$S/10-alice-unavailable.form" "$PUBLIC" wrong-token
error_is 401 unauthorized - - "signed with another auth token: 401"
post "$S/10-alice-unavailable.form" "http://127.0.0.1:$PORT/v1/webhooks/twilio"
error_is 401 unauthorized - - "signed for another URL than [plugin.twilio] url: 401"
sed 's/WorkerActivityName=Unavailable/WorkerActivityName=Offline/' \
    "$S/10-alice-unavailable.form" >"$TMPD/forged.form"
req POST /v1/webhooks/twilio "@$TMPD/forged.form" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Twilio-Signature: $(signature "$PUBLIC" "$TOKEN" "$S/10-alice-unavailable.form")"
error_is 401 unauthorized - - "a parameter changed after signing: 401"
is "$(events_count)" "$n" "the refused callbacks stored nothing"
like "$(cat "$LOG")" "webhook twilio: .*X-Twilio-Signature" "the log says why"

post "$S/10-alice-unavailable.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "Available -> Unavailable"
req GET /v1/agents/alice
jq_is .status '"on_break"' "an unavailable activity is a break (no contacts)"
post "$S/11-alice-offline.form"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "-> Offline"
req GET /v1/agents/alice
jq_is .status '"offline"' "Offline is a logout"

# Twilio's URL with a query string (?token=, say) signs it too.
req POST "/v1/webhooks/twilio?x=1" "@$S/09-task-created.form" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Twilio-Signature: $(signature "$PUBLIC?x=1" "$TOKEN" "$S/09-task-created.form")"
jq_is .ignored 1 "a query string is part of the signed URL"
stop_daemon
check "respited stops cleanly with the twilio adapter" $?

# ---- nothing else of a callback is stored

found=
for f in "$DB" "$DB-wal"; do
	[ -f "$f" ] && grep -aq '15005550006\|Acme Support\|alice@acme' "$f" &&
	    found="$found $f"
done
is "$found" "" "the caller's number, the workspace and the email are in no database file"

done_testing
