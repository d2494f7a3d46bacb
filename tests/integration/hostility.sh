#!/usr/bin/env bash
# respite - the trained classifier plugin (plugins/hostility, issue 19):
# `respited -t` and start-up refuse a missing, truncated or damaged
# weights file with a message that says which (never a crash); the
# daemon with it (and the lexicon, lexicon = yes) counts an abusive
# message and not a friendly one, and keeps the text out of the log and
# the database; `respitectl classify` shows the score and what weighed
# most.

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${PLUGIN_DIR:-}" ] || [ ! -f "$PLUGIN_DIR/hostility.so" ]; then
	skip_all "no built plugins (PLUGIN_DIR is set by make check)"
fi
: "${LEXICON_DATA:=$TOP_SRCDIR/plugins/lexicon}"
WEIGHTS=$TOP_SRCDIR/plugins/hostility/hostility.weights

hostility_config() {
	write_config "[log]
level = debug
[plugins]
dir = $PLUGIN_DIR
load = hostility
[plugin.hostility]
$1"
}

check_config() {
	OUT=$($RESPITED -t -c "$CONF" 2>&1)
	RC=$?
}

# ---- respited -t

hostility_config "weights = $WEIGHTS
lexicon = yes
lexicon_data = $LEXICON_DATA"
check_config
is "$RC" 0 "-t with the shipped weights and the lexicon: exit 0"

hostility_config "weights = $TMPD/none.weights"
check_config
is "$RC" 1 "-t with no weights file: exit 1"
like "$OUT" "none.weights: No such file or directory" \
    "-t with no weights file: names it"

head -c 100000 "$WEIGHTS" >"$TMPD/short.weights"
hostility_config "weights = $TMPD/short.weights"
check_config
is "$RC" 1 "-t with truncated weights: exit 1"
like "$OUT" "short.weights: truncated: 100000 bytes, but its header promises" \
    "-t with truncated weights: says so"

cp "$WEIGHTS" "$TMPD/bad.weights"
printf 'XXXX' | dd of="$TMPD/bad.weights" bs=1 seek=70000 conv=notrunc \
    2>/dev/null
hostility_config "weights = $TMPD/bad.weights"
check_config
is "$RC" 1 "-t with damaged weights: exit 1"
like "$OUT" "bad.weights: damaged: CRC-32 of its weights is [0-9a-f]{8}, its header says [0-9a-f]{8}" \
    "-t with damaged weights: says so"

printf 'hello' >"$TMPD/tiny.weights"
hostility_config "weights = $TMPD/tiny.weights"
check_config
like "$OUT" "tiny.weights: truncated: 5 bytes, shorter than the 32-byte header" \
    "-t with a 5-byte file: says so"

hostility_config "weights = $WEIGHTS
lexicon = maybe"
check_config
like "$OUT" "lexicon: expected yes or no, got \"maybe\"" \
    "-t with lexicon = maybe: says so"
hostility_config "threshold = 0.3"
check_config
like "$OUT" "unknown key \"threshold\" \(known: weights, lexicon, lexicon_data\)" \
    "-t with an unknown key: says which keys exist"

# A damaged file stops start-up itself, not only -t.
hostility_config "weights = $TMPD/bad.weights"
$RESPITED -f -c "$CONF" >"$TMPD/start.log" 2>&1
is "$?" 1 "start-up with damaged weights: exit 1"
like "$(cat "$TMPD/start.log")" "damaged: CRC-32" \
    "start-up with damaged weights: the reason is in the log"

# ---- the daemon

hostility_config "weights = $WEIGHTS
lexicon = yes
lexicon_data = $LEXICON_DATA"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
wait_log "plugin hostility: loaded: weights of [0-9]+ bytes .*models: de en.*with the lexicon" 1
check "the log says what was loaded" $?

T=$(date +%s)
ts() { rfc3339 $((T - $1)); }
CANARY="CANARY-19c4"

post_events "[{\"type\":\"agent.login\",\"agent\":\"alice\",\"team\":\"de1\",\"ts\":\"$(ts 600)\"},
 {\"type\":\"agent.login\",\"agent\":\"bob\",\"team\":\"de1\",\"ts\":\"$(ts 600)\"}]"
status_is 202 "logins: 202"
post_events "{\"type\":\"message.received\",\"agent\":\"alice\",\"channel\":\"chat\",
 \"ts\":\"$(ts 60)\",\"lang\":\"de\",\"text\":\"$CANARY Du bist ein Vollidiot, halt die Fresse\"}"
status_is 202 "an abusive German message: 202"
post_events "{\"type\":\"message.received\",\"agent\":\"bob\",\"channel\":\"email\",
 \"ts\":\"$(ts 50)\",\"lang\":\"de\",\"text\":\"$CANARY Vielen Dank für Ihre Hilfe, schönen Tag noch\"}"
status_is 202 "a friendly German message: 202"
req GET /v1/agents/alice
jq_is '.metrics.hostile_last_hour' 1 "the abusive message counts"
req GET /v1/agents/bob
jq_is '.metrics.hostile_last_hour' 0 "the friendly one does not"
if have_sqlite3; then
	is "$(db_query "SELECT categories & 1 FROM events WHERE agent = 'alice' AND severity IS NOT NULL")" \
	    "1" "stored: the lexicon's category insult"
else
	skip "stored categories" "sqlite3 is not installed"
fi

# SIGHUP with damaged weights: the plugin keeps the old ones.
hostility_config "weights = $TMPD/bad.weights
lexicon = yes
lexicon_data = $LEXICON_DATA"
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reload: .*\[plugin\.hostility\]: .*bad.weights: damaged: CRC-32.*keeps its old settings" 5 "$n"
check "SIGHUP with damaged weights: the plugin keeps the old ones" $?
post_events "{\"type\":\"message.received\",\"agent\":\"bob\",\"channel\":\"chat\",
 \"ts\":\"$(ts 40)\",\"lang\":\"de\",\"text\":\"Sie sind ein inkompetentes Arschloch\"}"
req GET /v1/agents/bob
jq_is '.metrics.hostile_last_hour' 1 "and still classifies with them"

stop_daemon
check "respited stops cleanly with the plugin loaded" $?
canary_nowhere "$CANARY"

# ---- respitectl classify

OUT=$($RESPITECTL classify --weights "$WEIGHTS" --lang de "Du bist ein Vollidiot" 2>&1)
is "$?" 0 "classify: exit 0"
like "$OUT" "^severity 0\.[5-9][0-9]: hostile" "classify: the severity and the verdict"
like "$OUT" "model de: severity" "classify: which model judged"
like "$OUT" "idiot" "classify: the insult is among what weighed most"
OUT=$($RESPITECTL classify --weights "$WEIGHTS" --json --top 3 "Thank you for your help" 2>&1)
like "$OUT" "\"hostile\": ?false" "classify --json: not hostile"
like "$(printf '%s' "$OUT" | jq '.weighed_most | length')" "^3$" "classify --top 3: three features"
OUT=$(printf 'Sie Idiot\n' | $RESPITECTL classify --weights "$WEIGHTS" --lexicon "$LEXICON_DATA" - 2>&1)
like "$OUT" "lexicon: severity 0\.[0-9]+, categories insult" "classify - --lexicon: reads stdin, shows the lexicon"
OUT=$($RESPITECTL classify --weights "$TMPD/bad.weights" "x" 2>&1)
is "$?" 1 "classify with damaged weights: exit 1"
like "$OUT" "damaged" "classify with damaged weights: says so"

# ---- the Python side computes what tests/data/hostility-features.txt
# holds (the unit test holds the C side to the same file)

if command -v python3 >/dev/null 2>&1; then
	OUT=$(python3 "$TOP_SRCDIR/plugins/hostility/train/check_features.py" \
	    --check "$TOP_SRCDIR/tests/data/hostility-features.txt" 2>&1)
	is "$?" 0 "features.py computes the committed features${OUT:+: $OUT}"
else
	skip "features.py against the committed features" "no python3"
fi

done_testing
