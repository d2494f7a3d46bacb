#!/usr/bin/env bash
# respite - sinks: the webhook and log plugins on a real respited, with
# receivers on 127.0.0.1 (tests/integration/sink-receiver.py) that
# answer, are down, or are slow.
#
#   - respited -t refuses a bad [plugin.webhook] with the key to fix;
#   - a hostile message raises a recovery break: the JSON receiver gets
#     {"type":"suggestion.raised","suggestion":{...}} signed with the
#     secret and with the configured headers, the Slack receiver gets
#     {"text":"alice: take a N-minute break (...)"}, the log sink writes
#     one line, and no message text (a canary) reaches any of them;
#   - answers go to the log sink (on = all) but not to the webhook
#     (on = raised, the default); a replayed change older than max_age
#     is not posted;
#   - a receiver that is down: retries with back-off, the API answers
#     meanwhile, and the change arrives once the receiver is up;
#   - a slow receiver: each attempt times out, the loop never waits, and
#     the change is given up after the retries, saying so;
#   - a bounded queue drops the oldest changes and says so; the daemon
#     counts the drops (respite_sink_dropped_total{sink}) and logs them
#     at most once a minute; shutdown counts what was not delivered;
#   - the secret, a header and the Slack url come from files and systemd
#     credentials (secret_file, header_file, url_file; issue 13 item 9),
#     and -t names a file it cannot read without quoting any secret.

. "$(dirname "$0")/lib.sh"
require_tools
setup
have_python || skip_all "python3 is needed for the receivers"
if [ -z "${PLUGIN_DIR:-}" ] || [ ! -f "$PLUGIN_DIR/webhook.so" ] ||
    [ ! -f "$PLUGIN_DIR/log.so" ]; then
	skip_all "no built sink plugins (PLUGIN_DIR is set by make check)"
fi
: "${LEXICON_DATA:=$TOP_SRCDIR/plugins/lexicon}"
RECEIVER=$TOP_SRCDIR/tests/integration/sink-receiver.py
SECRET=s3cret-for-signing
CANARY=CANARY-7731-XQ

# receiver NAME [PORT] [ARGS...]: start a receiver; its port goes to
# $TMPD/NAME.port, each request it gets is a line of $TMPD/NAME.log.
receiver() {
	local name=$1 port=${2:-0} i
	shift
	[ $# -gt 0 ] && shift
	rm -f "$TMPD/$name.port"
	: >>"$TMPD/$name.log"
	python3 "$RECEIVER" "$TMPD/$name.port" "$TMPD/$name.log" \
	    --port "$port" "$@" &
	bg_register $!
	for i in $(seq 1 100); do
		[ -s "$TMPD/$name.port" ] && return 0
		sleep 0.05
	done
	bail_out "receiver $name did not start"
}
rport() { cat "$TMPD/$1.port"; }
rcount() { wc -l <"$TMPD/$1.log" | tr -d ' '; }
# wait_recv NAME N [SECONDS]: until NAME has had N requests.
wait_recv() {
	local i limit
	limit=$(( $(slow "${3:-5}") * 20 ))
	for i in $(seq 1 "$limit"); do
		[ "$(rcount "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# rjq NAME N FILTER: FILTER over request N (1-based) of NAME.
rjq() {
	sed -n "${2}p" "$TMPD/$1.log" | jq -r "$3"
}
# rbody NAME N FILTER: FILTER over the JSON body of request N.
rbody() {
	rjq "$1" "$2" .body | jq -r "$3"
}

sinks_config() {
	write_config "[log]
level = debug
[plugins]
dir = $PLUGIN_DIR
load = lexicon webhook log
[plugin.lexicon]
data = $LEXICON_DATA
[plugin.log]
on = all
[plugin.webhook]
$1"
}

# reload_sinks SECTION: the [plugin.webhook] SECTION by SIGHUP; sets n to
# the log line the reload starts at.  Returns 1 if it was not reloaded.
reload_sinks() {
	sinks_config "$1"
	n=$(log_lines)
	kill -HUP "$DAEMON_PID"
	wait_log "reloaded" 5 "$n"
}

check_config() {
	OUT=$($RESPITED -t -c "$CONF" 2>&1)
	RC=$?
}

# hostile AGENT [SECONDS_AGO]: one message severe enough for a recovery
# break (an explicit severity, no text).
hostile() {
	printf '{"type":"message.received","agent":"%s","channel":"chat","severity":0.95,"ts":%s}' \
	    "$1" "$(( $(now_ms) - ${2:-0} * 1000 ))"
}

# fast_get PATH: GET within 0.5 s (the loop is not waiting on a sink).
fast_get() {
	local t
	t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
	    --max-time 5 "$BASE$1")
	[ "${t%% *}" = 200 ] && awk -v t="${t#* }" -v m="$(slow 1)" \
	    'BEGIN { exit !(t < 0.5 * m) }'
}

# ---- respited -t checks the section

sinks_config ""
check_config
is "$RC" 1 "-t: a webhook sink without url: exit 1"
like "$OUT" "\[plugin\.webhook\]: no url: give at least one" "... saying so"

sinks_config "url = ftp://example.com/x"
check_config
like "$OUT" "line [0-9]+: url: expected http:// or https://" \
    "-t: an ftp:// url is refused"

sinks_config "url = https://example.com/x teams"
check_config
like "$OUT" "url: expected json or slack, got \"teams\"" \
    "-t: an unknown format after the url is refused"

sinks_config "url = https://example.com/x
header = no colon here"
check_config
like "$OUT" "header: expected \"Name: value\"" "-t: a bad header is refused"

sinks_config "url = https://example.com/x
on = sometimes"
check_config
like "$OUT" "on: unknown word \"sometimes\"" "-t: a bad 'on' is refused"

sinks_config "url = https://example.com/x
retries = many"
check_config
like "$OUT" "retries: expected a whole number from 0 to 100, got \"many\"" \
    "-t: a bad retries is refused"

sinks_config "url = https://example.com/x
urls = https://example.com/y"
check_config
like "$OUT" "unknown key \"urls\" \(known: url, on, audience, header" \
    "-t: an unknown key is refused with the known keys"

sinks_config "url = https://example.com/x
url = https://example.com/x slack"
check_config
like "$OUT" "url: https://example.com/... is given twice" \
    "-t: the same url twice is refused"

write_config "[plugins]
dir = $PLUGIN_DIR
load = log
[plugin.log]
audience = bosses"
check_config
like "$OUT" "\[plugin\.log\]: audience: unknown word \"bosses\"" \
    "-t: the log sink checks its section too"

sinks_config "url = https://example.com/x"
check_config
is "$RC" 0 "-t: a good section: exit 0"

# Secrets from files (issue 13 item 9): checked by -t, never quoted.
CREDS=$TMPD/credentials
mkdir -p "$CREDS"
printf '%s\n' "$SECRET" >"$CREDS/webhook-secret"
printf 'X-Api-Key: key-from-file\n' >"$TMPD/header.txt"
printf 'not a header SECRET-HDR-99\n' >"$TMPD/bad-header.txt"
printf 'ftp://hooks.example.com/SECRET-URL-99\n' >"$TMPD/bad-url.txt"
sinks_config "url = https://example.com/x
secret = x
secret_file = $CREDS/webhook-secret"
check_config
is "$RC" 1 "-t: secret and secret_file both set: exit 1"
like "$OUT" "\[plugin\.webhook\]: secret and secret_file are both set: keep one" \
    "... saying which keys"
sinks_config "url = https://example.com/x
secret_file = $TMPD/no-such-secret"
check_config
like "$OUT" "secret_file: cannot read $TMPD/no-such-secret: No such file or directory" \
    "-t: a secret_file that cannot be read is named"
sinks_config "url = https://example.com/x
secret_file = webhook-secret"
OUT=$(env -u CREDENTIALS_DIRECTORY $RESPITED -t -c "$CONF" 2>&1)
like "$OUT" "secret_file: \"webhook-secret\" is not an absolute path, so it names a systemd credential, but \\\$CREDENTIALS_DIRECTORY is not set" \
    "-t: a credential name without \$CREDENTIALS_DIRECTORY is refused"
OUT=$(CREDENTIALS_DIRECTORY=$CREDS $RESPITED -t -c "$CONF" 2>&1)
is "$?" 0 "-t: ... and found in \$CREDENTIALS_DIRECTORY"
sinks_config "url = https://example.com/x
header_file = $TMPD/bad-header.txt"
check_config
like "$OUT" "header_file: the first line of $TMPD/bad-header.txt is not \"Name: value\"" \
    "-t: a bad header_file is refused"
sinks_config "url_file = $TMPD/bad-url.txt"
check_config
like "$OUT" "url_file: the first line of $TMPD/bad-url.txt is not http:// or https://" \
    "-t: a bad url_file is refused"
if printf '%s\n' "$OUT" | grep -q 'SECRET-'; then
	not_ok "-t quotes no line of a secret file"
else
	ok "-t quotes no line of a secret file"
fi

# ---- delivery: JSON (signed) and Slack, and the log line

receiver json
receiver slack
# The signing secret and the Slack url as systemd credentials, one more
# header from a file.
printf 'http://127.0.0.1:%s/services/T0/B0/PATHSECRET slack\n' \
    "$(rport slack)" >"$CREDS/slack-url"
sinks_config "url = http://127.0.0.1:$(rport json)/hook
url_file = slack-url
secret_file = webhook-secret
header = Authorization: Bearer tok-1
header_file = $TMPD/header.txt
retry_delay = 0.2"
export CREDENTIALS_DIRECTORY=$CREDS
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
unset CREDENTIALS_DIRECTORY
wait_log "plugin webhook: sink loaded" 1
check "the log says the webhook sink was loaded" $?
wait_log "plugin log: sink loaded" 1
check "the log says the log sink was loaded" $?

post_events "{\"type\":\"message.received\",\"agent\":\"alice\",\"team\":\"de1\",
 \"channel\":\"chat\",\"lang\":\"de\",
 \"text\":\"Sie sind ein Vollidiot $CANARY, ich weiß, wo Sie wohnen!\"}"
status_is 202 "a hostile message: 202"
req GET "/v1/suggestions?agent=alice&kind=recovery_break"
ID=$(jqb '.suggestions[0].id' | tr -d '"')
like "$ID" "^s-[0-9]+$" "alice has a recovery break ($ID)"

wait_recv json 1
check "the JSON receiver got a POST" $?
is "$(rjq json 1 .path)" /hook "... at the configured path"
is "$(rjq json 1 '.headers["content-type"]')" application/json \
    "... as application/json"
is "$(rjq json 1 '.headers.authorization')" "Bearer tok-1" \
    "... with the configured header"
is "$(rjq json 1 '.headers["x-api-key"]')" "key-from-file" \
    "... and the header of header_file"
is "$(rjq json 1 '.headers["x-respite-suggestion"]')" "$ID" \
    "... X-Respite-Suggestion names it"
is "$(rjq json 1 '.headers["x-respite-change"]')" raised \
    "... X-Respite-Change: raised"
like "$(rjq json 1 '.headers["x-respite-delivery"]')" "^$ID\.open\.[0-9]{13}\$" \
    "... X-Respite-Delivery: id.status.ms"
is "$(rbody json 1 .type)" suggestion.raised "body: type suggestion.raised"
is "$(rbody json 1 '.suggestion | [.id, .kind, .agent, .team, .status, .audience] | join(" ")')" \
    "$ID recovery_break alice de1 open agent" \
    "body: the suggestion as the API shows it"
req GET "/v1/suggestions?agent=alice&kind=recovery_break"
is "$(rbody json 1 '.suggestion' | jq -cS .)" \
    "$(jqb '.suggestions[0]' | jq -cS .)" \
    "body: the same object GET /v1/suggestions returns"
sig_ok=$(rjq json 1 . | python3 -c '
import hashlib, hmac, json, sys
r = json.load(sys.stdin)
h = r["headers"]
mac = hmac.new(sys.argv[1].encode(), (h["x-respite-timestamp"] + "." +
    r["body"]).encode(), hashlib.sha256).hexdigest()
print("ok" if h["x-respite-signature"] == "sha256=" + mac else "bad")' "$SECRET")
is "$sig_ok" ok "X-Respite-Signature is HMAC-SHA256 of timestamp.body (secret_file, a credential)"
ts=$(rjq json 1 '.headers["x-respite-timestamp"]')
num_near "$ts" "$(date +%s)" 60 "X-Respite-Timestamp is now (epoch seconds)"

wait_recv slack 1
check "the Slack receiver got a POST" $?
like "$(rbody slack 1 .text)" \
    "^alice: take a [0-9]+-minute break \(a hostile message of severity 0\.[0-9]+ " \
    "slack: {\"text\": \"alice: take a N-minute break (...)\"}"
is "$(rbody slack 1 'keys | join(",")')" text "slack: text is the only key"
is "$(rjq slack 1 '.headers["x-respite-delivery"]')" \
    "$(rjq json 1 '.headers["x-respite-delivery"]')" \
    "slack: the same X-Respite-Delivery for the same change"

wait_log "plugin log: $ID raised recovery_break high agent=alice team=de1: alice: take a [0-9]+-minute break" 2
check "the log sink wrote one line for it" $?

not_in() {	# not_in FILE... : the canary is in none of them
	! grep -q "$CANARY" "$@"
}
not_in "$TMPD/json.log" "$TMPD/slack.log" "$LOG"
check "no message text (canary) in the posts or the log" $?
! grep -q PATHSECRET "$LOG"
check "the log names the Slack url without its secret path" $?
like "$(grep 'posting to' "$LOG" | tail -n 1)" \
    "posting to http://127.0.0.1:[0-9]+/\.\.\. \(slack\)" \
    "... but by scheme and host"

# ---- answers: logged (on = all), not posted (on = raised)

n=$(log_lines)
req POST "/v1/suggestions/$ID" '{"action":"accept"}'
status_is 200 "alice accepts"
wait_log "plugin log: $ID answered recovery_break .*recovery break $ID accepted" 2 "$n"
check "the log sink logs the answer" $?
sleep 0.3
is "$(rcount json) $(rcount slack)" "1 1" "the webhook does not post answers (on = raised)"

# ---- max_age: a change from a replayed past is not posted

n=$(log_lines)
post_events "$(hostile oldtimer 7200)"
status_is 202 "a hostile message two hours old: 202"
wait_log "plugin log: s-[0-9]+ raised recovery_break .*agent=oldtimer" 2 "$n"
check "the log sink logs it" $?
wait_log "plugin webhook: s-[0-9]+ raised is older than max_age; not posted" 2 "$n"
check "the webhook sink skips it: older than max_age" $?
is "$(rcount json)" 1 "nothing posted for it"

# ---- a receiver that is down: back-off, the loop goes on, delivery later

DOWN=$(free_port)
# (100 tries, 0.4 s apart at most: the receiver below may take seconds to
# start on a loaded machine, and the change must still be waiting for it)
reload_sinks "url = http://127.0.0.1:$DOWN/down
retries = 100
retry_delay = 0.2
retry_max_delay = 0.4"
check "SIGHUP: reloaded with a url where nothing listens" $?
post_events "$(hostile bob)"
status_is 202 "a hostile message for bob: 202"
wait_log "plugin webhook: http://127.0.0.1:$DOWN/\.\.\.: .*Couldn't connect.*; retrying s-[0-9]+ raised in 0\.2s" 3 "$n"
check "the sink says it will retry, with the delay" $?
fast_get /v1/agents/bob
check "the API answers at once meanwhile" $?
receiver down "$DOWN"
wait_recv down 1 5
check "the change arrives once the receiver is up" $?
is "$(rbody down 1 '.suggestion.agent + " " + .suggestion.kind')" \
    "bob recovery_break" "... bob's recovery break"
wait_log "plugin webhook: http://127.0.0.1:$DOWN/\.\.\.: delivering again" 3 "$n"
check "the sink says it delivers again" $?

# ---- a slow receiver: attempts time out, the loop never waits

receiver slow 0 --delay 3
reload_sinks "url = http://127.0.0.1:$(rport slow)/slow
timeout = 0.5
retries = 1
retry_delay = 0.1"
check "SIGHUP: reloaded with a slow receiver" $?
post_events "$(hostile carol)"
status_is 202 "a hostile message for carol: 202"
ok=1
for i in 1 2 3 4 5; do
	fast_get /v1/agents/carol || ok=0
	sleep 0.1
done
check "while the receiver stalls, GETs answer within 0.5 s" $((1 - ok))
wait_log "plugin webhook: http://127.0.0.1:[0-9]+/\.\.\.: gave up on s-[0-9]+ raised after 2 attempts: .*(timed out|Timeout)" 5 "$n"
check "after the retries it gives up, saying why" $?
wait_log "sink webhook: 1 suggestion change dropped \(1 since start\)" 3 "$n"
check "the daemon counts the change given up as dropped and logs it with the count" $?

# ---- a bounded queue, and shutdown

DEAD=$(free_port)
reload_sinks "url = http://127.0.0.1:$DEAD/dead
queue = 2
retries = 50
retry_delay = 30"
check "SIGHUP: reloaded with a url that stays down" $?
post_events "[$(hostile dave),$(hostile erin),$(hostile frank),$(hostile gina)]"
status_is 202 "hostile messages for four agents: 202"
wait_log "plugin webhook: http://127.0.0.1:$DEAD/\.\.\.: queue full \(2\); dropping the oldest" 3 "$n"
check "the queue is bounded and says so" $?
req GET /metrics
is "$(printf '%s\n' "$BODY" | awk '$1 == "respite_sink_dropped_total{sink=\"webhook\"}" { print $2 }')" 2 \
    "/metrics: respite_sink_dropped_total{sink=\"webhook\"} 2 (one given up, one dropped from the queue)"
is "$(printf '%s\n' "$BODY" | awk '$1 == "respite_sink_dropped_total{sink=\"log\"}" { print $2 }')" 0 \
    "/metrics: respite_sink_dropped_total{sink=\"log\"} 0"
post_events "[$(hostile hank),$(hostile ivan)]"
status_is 202 "two more hostile messages: 202"
for i in $(seq 1 50); do
	req GET /metrics
	[ "$(printf '%s\n' "$BODY" | awk '$1 == "respite_sink_dropped_total{sink=\"webhook\"}" { print $2 }')" = 4 ] && break
	sleep 0.1
done
is "$(printf '%s\n' "$BODY" | awk '$1 == "respite_sink_dropped_total{sink=\"webhook\"}" { print $2 }')" 4 \
    "... two more dropped: 4"
is "$(tail -n "+$((n + 1))" "$LOG" | grep -c "sink webhook: .* dropped")" 0 \
    "... not logged again within the minute of the last line"
fast_get /v1/agents/gina
check "the API answers" $?
n=$(log_lines)
t0=$(now_ms)
stop_daemon
is "$DAEMON_RC" 0 "respited stops cleanly with changes still queued"
check "... at once (not waiting for the receiver)" \
    $(( $(now_ms) - t0 > $(slow 5) * 1000 ))
wait_log "plugin webhook: http://127.0.0.1:$DEAD/\.\.\.: 3 suggestion changes not delivered \(shutdown\)" 1 "$n"
check "... and counts what was not delivered (the one tried, 2 queued)" $?

done_testing
