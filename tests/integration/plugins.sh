#!/usr/bin/env bash
# respite - plugins: loading the lexicon and example plugins built by
# `make check`, classification in the ingest path (hostile_last_hour,
# exposure and a recovery break rise from text alone), an explicit
# severity winning, message text never reaching the database or the log
# (a canary string), reloading a site file on SIGHUP, and start-up (and
# `respited -t`) refusing a plugin of another ABI version and a plugin
# whose init fails, each with a clear message.

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${PLUGIN_DIR:-}" ] || [ ! -f "$PLUGIN_DIR/lexicon.so" ] ||
    [ ! -f "$PLUGIN_DIR/example.so" ]; then
	skip_all "no built plugins (PLUGIN_DIR is set by make check)"
fi
: "${LEXICON_DATA:=$TOP_SRCDIR/plugins/lexicon}"

SITE=$TMPD/site.txt
echo "# site terms" >"$SITE"

plugins_config() {
	write_config "[log]
level = debug
[plugins]
dir = $PLUGIN_DIR
load = lexicon, example
[plugin.lexicon]
data = $LEXICON_DATA
site = $SITE
$1"
}

# check_config DESC: respited -t; sets OUT and RC.
check_config() {
	OUT=$($RESPITED -t -c "$CONF" 2>&1)
	RC=$?
}

# ---- respited -t loads and initialises the plugins

plugins_config
check_config
is "$RC" 0 "-t with lexicon and example: exit 0"
like "$OUT" "configuration OK" "-t with lexicon and example: configuration OK"

plugins_config "[plugin.example]
severity = lots"
check_config
is "$RC" 1 "-t with a failing plugin init: exit 1"
like "$OUT" "\[plugin\.example\]: severity: expected a number from 0 to 1, got \"lots\"" \
    "-t with a failing plugin init: the plugin's own message"

plugins_config "[plugin.lexicon]
allow = $TMPD/no-such-allow-list.txt"
check_config
is "$RC" 1 "-t with a missing lexicon allow-list: exit 1"
like "$OUT" "no-such-allow-list.txt: No such file or directory" \
    "-t with a missing lexicon allow-list: names the file"

plugins_config "[plugin.lexicon]
colour = red"
check_config
like "$OUT" "unknown key \"colour\" \(known: data, languages, site, allow\)" \
    "-t with an unknown lexicon key: says which keys exist"

if [ -n "${TEST_PLUGIN_DIR:-}" ] && [ -f "$TEST_PLUGIN_DIR/wrongabi.so" ]; then
	write_config "[plugins]
dir = $TEST_PLUGIN_DIR
load = wrongabi"
	check_config
	is "$RC" 1 "-t with a plugin of another ABI version: exit 1"
	like "$OUT" "plugin wrongabi: .*wrongabi.so was built for plugin ABI version 99, but this respited .* speaks version 1" \
	    "-t with a plugin of another ABI version: names the plugin and both versions"
	n=$(log_lines)
	timeout "$(slow 10)" $RESPITED -f -c "$CONF" 2>>"$LOG"
	is "$?" 1 "start-up with a plugin of another ABI version: exit 1"
	wait_log "built for plugin ABI version 99" 1 "$n"
	check "start-up with a plugin of another ABI version: the message is in the log" $?
else
	skip "a plugin of another ABI version is refused" "no TEST_PLUGIN_DIR"
fi

# ABI 1.3 added the source kind in two reserved slots: a plugin built
# for 1.2 still loads; a source needs its start().
if [ -n "${TEST_PLUGIN_DIR:-}" ] && [ -f "$TEST_PLUGIN_DIR/oldminor.so" ]; then
	write_config "[plugins]
dir = $TEST_PLUGIN_DIR
load = oldminor"
	check_config
	is "$RC" 0 "-t with a plugin built for ABI 1.2: loads (exit 0)"
	write_config "[plugins]
dir = $TEST_PLUGIN_DIR
load = nostart"
	check_config
	is "$RC" 1 "-t with a source without start(): exit 1"
	like "$OUT" "plugin nostart: .*nostart.so: a source without its start callback" \
	    "-t with a source without start(): names the callback"
else
	skip "ABI 1.2 plugins load; a source needs start()" "no TEST_PLUGIN_DIR"
fi

plugins_config "[plugin.example]
word ="
n=$(log_lines)
timeout "$(slow 10)" $RESPITED -f -c "$CONF" 2>>"$LOG"
is "$?" 1 "start-up with a failing plugin init: exit 1"
wait_log "\[plugin\.example\]: word: must not be empty" 1 "$n"
check "start-up with a failing plugin init: the plugin's message is in the log" $?

write_config "[plugins]
dir = $PLUGIN_DIR
load = nosuch"
check_config
like "$OUT" "plugin nosuch: cannot load .*nosuch.so" \
    "-t with a plugin that is not there: says so"

# ---- the daemon with lexicon and example

plugins_config
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
wait_log "plugin lexicon: classifier loaded" 1
check "the log says the lexicon was loaded" $?

T=$(date +%s)
ts() { rfc3339 $((T - $1)); }

post_events "[{\"type\":\"agent.login\",\"agent\":\"alice\",\"team\":\"de1\",\"ts\":\"$(ts 600)\"},
 {\"type\":\"agent.login\",\"agent\":\"bob\",\"team\":\"de1\",\"ts\":\"$(ts 600)\"}]"
status_is 202 "logins: 202"

req GET /v1/agents/alice
jq_is '.metrics.hostile_last_hour' 0 "alice starts with no hostile messages"

post_events "{\"type\":\"message.received\",\"agent\":\"alice\",\"channel\":\"chat\",
 \"ts\":\"$(ts 60)\",\"lang\":\"de\",\"text\":\"Sie sind ein Vollidiot, ich weiß, wo Sie wohnen!\"}"
status_is 202 "an abusive German message: 202"

req GET /v1/agents/alice
jq_is '.metrics.hostile_last_hour' 1 "the classified message counts in hostile_last_hour"
jq_check '.metrics.hostility_exposure > 0.8' "and raises hostility_exposure (> 0.8)"

req GET "/v1/suggestions?agent=alice&kind=recovery_break"
jq_check '.suggestions | length >= 1' "a recovery_break is suggested to alice"

if have_sqlite3; then
	is "$(db_query "SELECT severity >= 0.85, categories & 3 FROM events WHERE agent = 'alice' AND severity IS NOT NULL")" \
	    "1|3" "stored: severity >= 0.85, categories insult and threat"
else
	skip "stored severity and categories" "sqlite3 is not installed"
fi

post_events "{\"type\":\"message.received\",\"agent\":\"bob\",\"channel\":\"email\",
 \"ts\":\"$(ts 50)\",\"text\":\"Thank you so much, that helped a lot.\"}"
status_is 202 "a friendly English message: 202"
post_events "{\"type\":\"message.received\",\"agent\":\"bob\",\"channel\":\"email\",
 \"ts\":\"$(ts 40)\",\"text\":\"you absolute idiot\",\"severity\":0.1}"
status_is 202 "an insult with an explicit severity: 202"
post_events "{\"type\":\"message.received\",\"agent\":\"bob\",\"channel\":\"chat\",
 \"ts\":\"$(ts 30)\",\"text\":\"what a rotten deal\"}"
status_is 202 "a message with the example plugin's word: 202"
req GET /v1/agents/bob
jq_is '.metrics.hostile_last_hour' 1 "bob: only the example plugin's word counts"
if have_sqlite3; then
	is "$(db_query "SELECT group_concat(round(severity, 2), ' ') FROM (SELECT severity FROM events WHERE agent = 'bob' AND severity IS NOT NULL ORDER BY seq)")" \
	    "0.0 0.1 0.9" "stored severities: friendly 0, explicit 0.1 wins, example plugin 0.9"
else
	skip "stored severities" "sqlite3 is not installed"
fi

# ---- issue 21 item 1: a 160-byte customer message killed respited
BANGS=$(printf 'a!%.0s' $(seq 80))
post_events "{\"type\":\"message.received\",\"agent\":\"bob\",\"channel\":\"chat\",
 \"ts\":\"$(ts 25)\",\"text\":\"$BANGS\"}"
status_is 202 "\"a!\" 80 times through the lexicon: 202"
req GET /healthz
status_is 200 "and respited is still up"

# ---- message text never reaches the database or the log

CANARY="CANARY-7f3a"
post_events "[{\"type\":\"message.received\",\"agent\":\"carol\",\"channel\":\"chat\",
 \"ts\":\"$(ts 20)\",\"text\":\"$CANARY insult you idiot\"},
 {\"type\":\"message.received\",\"agent\":\"carol\",\"channel\":\"chat\",
 \"ts\":\"$(ts 19)\",\"lang\":\"de\",\"text\":\"${CANARY}-de du Arschloch\",\"severity\":0.3}]"
status_is 202 "canary messages: 202"
post_events "[{\"type\":\"message.received\",\"agent\":\"carol\",\"channel\":\"chat\",
 \"text\":\"${CANARY}-bad\"},{\"type\":\"nope\",\"agent\":\"carol\"}]"
status_is 400 "a refused batch with a canary: 400"
req GET /v1/agents/carol
jq_is '.metrics.hostile_last_hour' 1 "the canary insult counted for carol"

# ---- SIGHUP reloads the lexicon's site file

echo "insult 0.9 flibbertigibbet+" >"$SITE"
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "plugin lexicon: reloaded" 5 "$n"
check "SIGHUP: the lexicon is reloaded" $?
post_events "{\"type\":\"message.received\",\"agent\":\"dave\",\"channel\":\"chat\",
 \"ts\":\"$(ts 10)\",\"text\":\"Flibbertigibbets, all of you\"}"
req GET /v1/agents/dave
jq_is '.metrics.hostile_last_hour' 1 "a site term added at run time counts after SIGHUP"

echo "insult 7 broken" >"$SITE"
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reload: .*\[plugin\.lexicon\]: .*site.txt:1: .*the weight must be a number from 0 to 1; the plugin keeps its old settings" 5 "$n"
check "SIGHUP with a broken site file: the lexicon keeps its old terms" $?
post_events "{\"type\":\"message.received\",\"agent\":\"erin\",\"channel\":\"chat\",
 \"ts\":\"$(ts 5)\",\"text\":\"flibbertigibbet\"}"
req GET /v1/agents/erin
jq_is '.metrics.hostile_last_hour' 1 "and still classifies with them"

stop_daemon
check "respited stops cleanly with plugins loaded" $?

canary_nowhere "$CANARY"
if have_sqlite3; then
	like "$(sqlite3 "$DB" .dump | wc -l)" "^[0-9]+$" "sqlite3 .dump ran"
fi

done_testing
