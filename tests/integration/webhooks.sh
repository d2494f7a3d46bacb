#!/usr/bin/env bash
# respite - helpdesk webhooks (API.md "POST /v1/webhooks/{adapter}"): a real
# respited with the zammad, chatwoot, zendesk and freshdesk adapters and
# the lexicon loaded.  The vendors' sample payloads of ../shared/data
# (when present) are posted signed as each vendor signs, with the right
# counts, redeliveries are duplicates, bad or missing signatures are 401
# and store nothing, an unknown adapter is 404, other methods 405; our own
# payloads with current times move the agents' metrics (a hostile message
# through a webhook is classified); the ingest token may come as Bearer,
# as the password of Basic authentication or as ?token=; and message text
# sent through webhooks (a canary) is in neither the database nor the log.

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${PLUGIN_DIR:-}" ]; then
	for _d in ./plugins/.libs ../plugins/.libs; do
		[ -f "$_d/zammad.so" ] && PLUGIN_DIR=$(cd "$_d" && pwd)
	done
fi
for _p in zammad chatwoot zendesk freshdesk lexicon; do
	[ -n "${PLUGIN_DIR:-}" ] && [ -f "$PLUGIN_DIR/$_p.so" ] ||
	    skip_all "no built $_p plugin (PLUGIN_DIR is set by make check)"
done
have openssl || skip_all "openssl is needed to sign the payloads"
: "${LEXICON_DATA:=$TOP_SRCDIR/plugins/lexicon}"
OWN=$TOP_SRCDIR/tests/data/webhooks
SAMPLES=${SHARED_DATA:-$TOP_SRCDIR/../shared/data}/webhooks
if [ -f "$SAMPLES/zammad/trigger_default_payload.json" ]; then
	have_samples=1
else
	have_samples=
	diag "no $SAMPLES: the vendors' sample payloads are skipped"
fi

ZAMMAD_KEY="zammad hmac token"
CHATWOOT_KEY=chatwoot-secret
ZENDESK_KEY=zendesk-signing-secret
FRESHDESK_KEY=freshdesk-shared-secret
CANARY=CANARY-wh-5e1d
AGENTS=$TMPD/agents.txt
cat >"$AGENTS" <<EOF
# KEY AGENT [TEAM]
381234567 lena phone-1
EOF

webhook_config() {
	write_config "[log]
level = debug
[plugins]
dir = $PLUGIN_DIR
load = lexicon zammad chatwoot zendesk freshdesk
[plugin.lexicon]
data = $LEXICON_DATA
[plugin.zammad]
secret = $ZAMMAD_KEY
[plugin.chatwoot]
secret = $CHATWOOT_KEY
[plugin.zendesk]
secret = $ZENDESK_KEY
agents = $AGENTS
[plugin.freshdesk]
secret = $FRESHDESK_KEY
$1"
}

# File helpers: payloads are posted from files, byte for byte as signed.
payload() {		# payload TEXT: a new file holding TEXT, printed
	local f
	f=$(mktemp "$TMPD/payload.XXXXXX") || bail_out "mktemp failed"
	printf '%s' "$1" >"$f"
	echo "$f"
}

hex_hmac() {		# hex_hmac ALG KEY < DATA
	openssl dgst "-$1" -hmac "$2" | sed 's/^.*= *//'
}

# post_zammad FILE [KEY]: signed as Zammad does (no KEY: unsigned).
post_zammad() {
	if [ -n "${2-$ZAMMAD_KEY}" ]; then
		req POST /v1/webhooks/zammad "@$1" -H "X-Hub-Signature: sha1=$(
		    hex_hmac sha1 "${2-$ZAMMAD_KEY}" <"$1")"
	else
		req POST /v1/webhooks/zammad "@$1"
	fi
}

# post_chatwoot FILE [AGE_S] [KEY]
post_chatwoot() {
	local ts=$(( $(date +%s) - ${2:-0} ))
	req POST /v1/webhooks/chatwoot "@$1" \
	    -H "X-Chatwoot-Timestamp: $ts" \
	    -H "X-Chatwoot-Signature: sha256=$( { printf '%s.' "$ts"; cat "$1"; } |
	    hex_hmac sha256 "${3:-$CHATWOOT_KEY}")"
}

# post_zendesk FILE [KEY]
post_zendesk() {
	local ts
	ts=$(rfc3339 "$(date +%s)")
	req POST /v1/webhooks/zendesk "@$1" \
	    -H "X-Zendesk-Webhook-Signature-Timestamp: $ts" \
	    -H "X-Zendesk-Webhook-Signature: $( { printf '%s' "$ts"; cat "$1"; } |
	    openssl dgst -sha256 -hmac "${2:-$ZENDESK_KEY}" -binary | base64)"
}

# post_freshdesk FILE [SECRET]
post_freshdesk() {
	req POST /v1/webhooks/freshdesk "@$1" \
	    -H "X-Respite-Secret: ${2:-$FRESHDESK_KEY}"
}

events_count() {
	db_query "SELECT count(*) FROM events"
}

# ---- respited -t

webhook_config
OUT=$($RESPITED -t -c "$CONF" 2>&1)
is "$?" 0 "-t with the four adapters: exit 0"
like "$OUT" "configuration OK" "-t: configuration OK"

write_config "[plugins]
dir = $PLUGIN_DIR
load = zammad"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
like "$OUT" "plugin zammad: no secret set: webhooks are accepted without X-Hub-Signature" \
    "-t: an adapter without a secret warns"

webhook_config "[plugin.chatwoot]
secrte = x"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
like "$OUT" "\[plugin\.chatwoot\]: line [0-9]+: unknown key \"secrte\" \(known: secret, secret_file, agent_field, agents, unmapped, max_age, max_duration\)" \
    "-t: a misspelt adapter key is refused with the known keys"

webhook_config "[plugin.zendesk]
agents = $TMPD/no-such-agents.txt"
OUT=$($RESPITED -t -c "$CONF" 2>&1)
like "$OUT" "agents: .*no-such-agents.txt: No such file or directory" \
    "-t: a missing agents file is named"

# ---- the daemon

webhook_config
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
wait_log "plugin zendesk: adapter loaded" 1
check "the log says the adapters were loaded" $?

req POST /v1/webhooks/nosuch '{}'
error_is 404 not_found - - "an adapter that is not loaded: 404 not_found"
req POST /v1/webhooks/lexicon '{}'
error_is 404 not_found - - "a classifier is no adapter: 404"
req POST /v1/webhooks '{}'
error_is 404 not_found - - "no adapter named: 404"
req POST /v1/webhooks/Zammad '{}'
error_is 404 not_found - - "names are lower case: 404"
req GET /v1/webhooks/zammad
error_is 405 method_not_allowed - - "GET: 405"
header_is Allow POST "... with Allow: POST"

# ---- Zammad

if [ -n "$have_samples" ]; then
	ZS=$SAMPLES/zammad/trigger_default_payload.json
	before=$(events_count)
	post_zammad "$ZS" ""
	error_is 401 unauthorized - - "zammad sample unsigned: 401"
	like "$(jqr .error.message)" "X-Hub-Signature is missing" \
	    "... saying the signature is missing"
	post_zammad "$ZS" "wrong token"
	error_is 401 unauthorized - - "zammad sample with another token: 401"
	is "$(events_count)" "$before" "nothing stored for either"
	wait_log "webhook zammad: .*refused: X-Hub-Signature does not match" 2
	check "the log says why (no body, no text)" $?

	post_zammad "$ZS"
	reply_is 202 '{"accepted":2,"duplicates":0,"ignored":0}' \
	    "zammad sample signed: assigned and the customer's article"
	post_zammad "$ZS"
	reply_is 202 '{"accepted":0,"duplicates":2,"ignored":0}' \
	    "zammad sample again: duplicates"
	req GET "/v1/agents/emma@chrispresso.com"
	jq_is .metrics.open_tickets 1 "the owner by email has the ticket open"
	post_zammad "$SAMPLES/zammad/custom_payload.filled-example.json"
	reply_is 202 '{"accepted":0,"duplicates":0,"ignored":1,"reason":"not Zammad'"'"'s default trigger payload (no \"ticket\" object); a custom payload names no agent"}' \
	    "zammad custom payload: ignored, with the reason"
	F=$(payload "$(head -c 100 "$ZS")")
	post_zammad "$F"
	error_is 400 bad_json - - "zammad: a cut payload, signed: 400 bad_json"
else
	skip "zammad samples" "no shared data"
fi

T=$(date +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
ZAMMAD_LIVE=$(payload '{"ticket": {"id": 900, "number": "39900", "state": "closed",
 "create_article_type": "chat", "created_at": "'"$(iso $((T - 900)))"'",
 "last_owner_update_at": "'"$(iso $((T - 600)))"'", "updated_at": "'"$(iso $((T - 60)))"'",
 "close_at": "'"$(iso $((T - 60)))"'", "owner_id": 7,
 "owner": {"id": 7, "login": "jweiss", "email": "Juergen.Weiss@example.com",
  "firstname": "Jürgen", "lastname": "Weiß"}},
 "article": {"id": 99001, "type": "chat", "sender": "Customer", "internal": false,
  "content_type": "text/html", "created_at": "'"$(iso $((T - 300)))"'",
  "body": "<p>Sie sind ein Vollidiot, ich weiß, wo Sie wohnen! '"$CANARY"'-zammad</p>"}}')
post_zammad "$ZAMMAD_LIVE"
reply_is 202 '{"accepted":3,"duplicates":0,"ignored":0}' \
    "zammad closed chat: assigned, message, handled"
req GET /v1/agents/juergen.weiss@example.com
jq_is .metrics.hostile_last_hour 1 "the customer's article was classified hostile"
jq_is .metrics.tickets_last_hour 1 "the closed ticket counts as handled"
jq_is .metrics.open_tickets 0 "and is no longer open"
jq_check '.metrics.occupancy_last_hour > 0' "its 540 s of chat count as occupancy"
if have_sqlite3; then
	is "$(db_query "SELECT duration_s FROM events WHERE id = 'zammad:39900:closed:$(( (T - 60) * 1000 ))'")" \
	    "540.0" "handled with the chat's span (close - owner change)"
else
	skip "stored duration" "sqlite3 is not installed"
fi

FUTURE=$(payload "$(sed "s/$(iso $((T - 60)))/2099-01-01T00:00:00.000Z/g; s/39900/39901/" "$ZAMMAD_LIVE")")
before=$(events_count)
post_zammad "$FUTURE"
error_is 400 invalid_event 2 ts "an emitted event the API refuses: 400 invalid_event, index and field"
like "$(jqr .error.message)" "is more than 300 s in the future" "... with the API's own message"
is "$(events_count)" "$before" "... and nothing of that payload is stored"

# ---- Chatwoot

if [ -n "$have_samples" ]; then
	CW=$SAMPLES/chatwoot
	post_chatwoot "$CW/message_created.filled-example.json"
	reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' \
	    "chatwoot message_created: a message to the assignee"
	post_chatwoot "$CW/message_created.filled-example.json"
	reply_is 202 '{"accepted":0,"duplicates":1,"ignored":0}' \
	    "chatwoot message_created again: a duplicate"
	post_chatwoot "$CW/conversation_updated.filled-example.json"
	reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' \
	    "chatwoot conversation_updated (assignee_id): assigned"
	post_chatwoot "$CW/conversation_status_changed.filled-example.json"
	reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' \
	    "chatwoot conversation_status_changed (resolved): handled"
	before=$(events_count)
	post_chatwoot "$CW/message_created.filled-example.json" 400
	error_is 401 unauthorized - - "chatwoot signed 400 s ago: 401"
	like "$(jqr .error.message)" "40[0-9] s old, more than max_age \(300 s\)" \
	    "... saying it is too old"
	post_chatwoot "$CW/message_created.filled-example.json" 0 other-secret
	error_is 401 unauthorized - - "chatwoot with another secret: 401"
	is "$(events_count)" "$before" "nothing stored for either"
	post_chatwoot "$CW/message_created.doc-sample.annotated.jsonc"
	error_is 400 bad_json - - "chatwoot's annotated doc sample (not JSON): 400 bad_json"
	like "$(jqr .error.message)" "the payload is not JSON: line 3" "... saying where"
else
	skip "chatwoot samples" "no shared data"
fi

CHATWOOT_LIVE=$(payload '{"event": "message_created", "id": 77001,
 "content": "You useless idiot, I will find you. '"$CANARY"'-chatwoot",
 "message_type": "incoming", "created_at": '"$((T - 120))"', "private": false,
 "conversation": {"id": 4400, "channel": "Channel::Whatsapp",
  "meta": {"assignee": {"id": 12, "name": "Mia", "email": "mia@acme.example"}}}}')
post_chatwoot "$CHATWOOT_LIVE"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "chatwoot: a hostile WhatsApp message"
req GET /v1/agents/mia@acme.example
jq_is .metrics.hostile_last_hour 1 "... classified hostile for its assignee"
req GET "/v1/suggestions?agent=mia@acme.example&kind=recovery_break"
jq_check '.suggestions | length >= 1' "... and a recovery break is suggested"

F=$(payload '{"event": "message_created", "id": 77002, "content": "thanks",
 "message_type": "outgoing", "conversation": {"id": 4400,
  "meta": {"assignee": {"id": 12, "email": "mia@acme.example"}}}}')
post_chatwoot "$F"
reply_is 202 '{"accepted":0,"duplicates":0,"ignored":1,"reason":"not an incoming message (outgoing, activity or template)"}' \
    "chatwoot: an agent's own message is ignored"

# ---- Zendesk

if [ -n "$have_samples" ]; then
	post_zendesk "$SAMPLES/zendesk/trigger_ticket_create_update.json"
	reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' \
	    "zendesk trigger sample: assigned to the assignee by name"
	req GET /v1/agents/Apoorva.Pendse
	jq_is .metrics.open_tickets 1 "Apoorva Pendse has the ticket open"
	post_zendesk "$SAMPLES/zendesk/trigger_ticket_create_update.json"
	jq_is .duplicates 1 "zendesk trigger sample again: a duplicate"
	post_zendesk "$SAMPLES/zendesk/trigger_user_provided_message.json"
	jq_is .ignored 1 "zendesk message-only trigger body: ignored"
	post_zendesk "$SAMPLES/zendesk/trigger_ticket_create_update.json" other
	error_is 401 unauthorized - - "zendesk with another signing secret: 401"
else
	skip "zendesk samples" "no shared data"
fi

ZD_COMMENT=$(payload '{"type": "zen:event-type:ticket.comment_added",
 "id": "it-'"$T"'-1", "time": "'"$(rfc3339 $((T - 100)))"'", "subject": "zen:ticket:5501",
 "detail": {"id": "5501", "assignee_id": "381234567", "created_at": "'"$(rfc3339 $((T - 400)))"'",
  "via": {"channel": "voice"}},
 "event": {"comment": {"id": "1", "is_public": true, "author": {"is_staff": false},
  "body": "Fuck you, you useless moron. '"$CANARY"'-zendesk"}}}')
post_zendesk "$ZD_COMMENT"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "zendesk event webhook: a customer comment"
req GET /v1/agents/lena
jq_is .metrics.hostile_last_hour 1 "... for the agent the agents file maps the Zendesk id to"
jq_is .team '"phone-1"' "... in the team the agents file gives"

# A signed payload's values reach the log at debug level (the "ignored"
# reason quotes event.current): a line break and a forged "<3>" priority
# in it must stay one escaped line (issue 13 item 10).
n=$(log_lines)
ZD_INJECT=$(payload '{"type": "zen:event-type:ticket.status_changed",
 "id": "it-'"$T"'-inject", "time": "'"$(rfc3339 $((T - 90)))"'", "subject": "zen:ticket:5502",
 "detail": {"id": "5502", "assignee_id": "381234567"},
 "event": {"current": "open\n<3>fake line\r\u0007\u202e\u001b[2K", "previous": "new"}}')
post_zendesk "$ZD_INJECT"
jq_is .ignored 1 "zendesk: a status with a line break in it is ignored"
wait_log 'ignored: ticket 5502' 5 "$n"
new_log=$(tail -n "+$((n + 1))" "$LOG")
is "$(printf '%s\n' "$new_log" | grep -c 'fake line')" 1 \
    "log injection: the forged line is part of one line"
like "$(printf '%s\n' "$new_log" | grep 'fake line')" \
    'ignored: ticket 5502: status open\\n<3>fake line\\r\\x07\\u202e\\x1b\[2K is not solved' \
    "log injection: the line break, CR, BEL, RLO and ESC are escaped"
if printf '%s\n' "$new_log" | grep -q "$(printf '\033')"; then
	not_ok "log injection: no raw ESC in the log"
else
	ok "log injection: no raw ESC in the log"
fi
if printf '%s\n' "$new_log" | grep -q '^<3>\|^fake line'; then
	not_ok "log injection: no line starts with the forged text"
else
	ok "log injection: no line starts with the forged text"
fi

# ---- Freshdesk

if [ -n "$have_samples" ]; then
	req POST /v1/webhooks/freshdesk "@$SAMPLES/freshdesk/ticket_created.json"
	error_is 401 unauthorized - - "freshdesk without the shared secret: 401"
	post_freshdesk "$SAMPLES/freshdesk/ticket_created.json" wrong
	error_is 401 unauthorized - - "freshdesk with a wrong shared secret: 401"
	for f in ticket_created note_public status_changed priority_changed; do
		post_freshdesk "$SAMPLES/freshdesk/$f.json"
		jq_is '[.accepted, .duplicates, .ignored]' '[0,0,1]' \
		    "freshdesk sample $f (no agent in it): ignored"
	done
else
	skip "freshdesk samples" "no shared data"
fi
FD_REPLY=$(payload '{"freshdesk_webhook": {"respite_event": "message.received",
 "ticket_id": "7001", "ticket_source": "Email", "ticket_agent_email": "tom@acme.example",
 "ticket_latest_public_comment": "Bob : <div>You are all idiots, I know where you live. '"$CANARY"'-freshdesk</div>"}}')
post_freshdesk "$FD_REPLY"
reply_is 202 '{"accepted":1,"duplicates":0,"ignored":0}' "freshdesk: a customer reply"
post_freshdesk "$FD_REPLY"
reply_is 202 '{"accepted":0,"duplicates":1,"ignored":0}' "freshdesk: the same reply again is a duplicate"

req GET /metrics
like "$BODY" 'respite_http_requests_total\{route="/v1/webhooks/\{adapter\}",status="202"\}' \
    "/metrics counts the webhook route"

stop_daemon
check "respited stops cleanly with the adapters loaded" $?

# ---- tokens: Bearer, Basic (password), ?token=

TOKENS=$TMPD/tokens
T_INGEST=rsp_ingest-$RANDOM$RANDOM
T_LEAD=rsp_lead-$RANDOM$RANDOM
cat >"$TOKENS" <<EOT
sha256:$(hash "$T_INGEST") ingest helpdesk
sha256:$(hash "$T_LEAD") lead:t1 lead-one
EOT
webhook_config "[auth]
tokens_file = $TOKENS
rate = 0
[server]
max_batch = 2"
start_daemon || bail_out "respited did not start with tokens"
F=$(payload '{"event": "message_updated"}')
ts=$(date +%s)
sig="sha256=$( { printf '%s.' "$ts"; cat "$F"; } | hex_hmac sha256 "$CHATWOOT_KEY")"
cw() { req POST "$1" "@$F" -H "X-Chatwoot-Timestamp: $ts" -H "X-Chatwoot-Signature: $sig" "${@:2}"; }
cw /v1/webhooks/chatwoot
error_is 401 unauthorized - - "with tokens: no token, 401"
cw /v1/webhooks/chatwoot -H "Authorization: Bearer $T_INGEST"
jq_is .ignored 1 "ingest token as Bearer: accepted"
cw /v1/webhooks/chatwoot -u "helpdesk:$T_INGEST"
jq_is .ignored 1 "ingest token as the password of Basic authentication: accepted"
cw "/v1/webhooks/chatwoot?token=$T_INGEST"
jq_is .ignored 1 "ingest token as ?token= (for Chatwoot, which sends no headers of ours)"
cw /v1/webhooks/chatwoot -u "helpdesk:wrong"
error_is 401 unauthorized - - "a wrong Basic password: 401"
cw "/v1/webhooks/chatwoot?token=wrong"
error_is 401 unauthorized - - "a wrong ?token=: 401"
cw /v1/webhooks/chatwoot -H "Authorization: Bearer $T_LEAD"
error_is 403 forbidden - - "a lead token may not post webhooks: 403"
req GET "/v1/agents?token=$T_INGEST"
error_is 401 unauthorized - - "?token= is for webhooks only"
F=$(payload "$(sed "s/39900/39902/; s/99001/99002/" "$ZAMMAD_LIVE")")
req POST /v1/webhooks/zammad "@$F" -H "X-Hub-Signature: sha1=$(hex_hmac sha1 "$ZAMMAD_KEY" <"$F")" \
    -H "Authorization: Bearer $T_INGEST"
error_is 413 too_large - - "a payload giving more than max_batch events: 413"
stop_daemon

# ---- message text never reaches the database or the log

canary_nowhere "$CANARY"
if have_sqlite3; then
	is "$(db_query "SELECT count(*) FROM events WHERE type = 7 AND severity >= 0.5 AND (id IN ('zammad:article:99001', 'chatwoot:message:77001', 'zendesk:event:it-$T-1') OR id LIKE 'freshdesk:7001:reply:%')")" \
	    4 "the four canary messages were stored, classified, without their text"
fi

# ---- the installation secret (issue 13 item 6)

is "$(stat -c %a "$TMPD/install-secret")" 600 "install-secret is made with mode 0600"
like "$(cat "$TMPD/install-secret")" '^[0-9a-f]{64}$' "... and holds 64 hex digits"
start_daemon || bail_out "respited did not restart"
post_freshdesk "$FD_REPLY"
stop_daemon
is "$(db_query "SELECT count(DISTINCT id) FROM events WHERE id LIKE 'freshdesk:7001:reply:%'")" 1 \
    "after a restart a message without a vendor id has the same id"
mkdir "$TMPD/other"
sed "s|^path = .*|path = $TMPD/other/respite.db|" "$CONF" >"$TMPD/other.conf"
$RESPITED -t -c "$TMPD/other.conf" >/dev/null 2>&1
[ ! -e "$TMPD/other/install-secret" ]
check "-t makes no install-secret" $?
printf 'garbage\n' >"$TMPD/other/install-secret"
OUT=$($RESPITED -t -c "$TMPD/other.conf" 2>&1)
like "$OUT" "install secret: $TMPD/other/install-secret is corrupt" "-t refuses a corrupt install-secret"

done_testing
