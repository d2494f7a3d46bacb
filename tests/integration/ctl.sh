#!/usr/bin/env bash
# respite - respitectl: the command line, `simulate` (deterministic, valid,
# the shift the issue describes) and `replay` into a real respited (counts,
# duplicates, errors mapped to file lines, an absent daemon, --speed,
# retries and the token against a small fake server, a recorded shift).

. "$(dirname "$0")/lib.sh"
require_tools
setup

if [ -z "${RESPITECTL:-}" ]; then
	case "$RESPITED" in
	*/respited) RESPITECTL=$(dirname "$RESPITED")/respitectl ;;
	*) RESPITECTL=respitectl ;;
	esac
fi
C=$RESPITECTL
have "$C" || [ -x "$C" ] || bail_out "no respitectl to test (set RESPITECTL)"
SAMPLE=$TOP_SRCDIR/tests/data/sample-shift.ndjson
[ -f "$SAMPLE" ] || bail_out "missing $SAMPLE"
START=2026-01-05T07:00:00Z	# a Monday, in the past

# run ARGS...: run respitectl, setting OUT, ERR, RC and MS (elapsed).
run() {
	local t0
	t0=$(now_ms)
	$C "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	MS=$(( $(now_ms) - t0 ))
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

# run_in FILE ARGS...: the same with stdin from FILE.
run_in() {
	local f=$1 t0
	shift
	t0=$(now_ms)
	$C "$@" <"$f" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	MS=$(( $(now_ms) - t0 ))
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

# replayed_is N A D DESC: exit 0 and the summary "replayed N events (A
# accepted, D duplicates) in S s".
replayed_is() {
	if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -Eq \
	    "^replayed $1 events \\($2 accepted, $3 duplicates\\) in [0-9.]+ s\$"; then
		ok "$4"
	else
		not_ok "$4" "expected exit 0 and: replayed $1 events ($2 accepted, $3 duplicates) in S s" \
		    "got exit $RC, stdout: $OUT" "stderr: $(tail -n 5 "$TMPD/err")"
	fi
}

# rejects: the sum of respite_rejects_total on the daemon.
rejects() {
	curl -s "$BASE/metrics" |
	    awk '/^respite_rejects_total/ { n += $2 } END { print n + 0 }'
}

# ---- the command line

run -V
is "$RC" 0 "-V exits 0"
like "$OUT" '^respitectl [0-9]+\.[0-9]+' "-V prints the version"
run -h
is "$RC" 0 "-h exits 0"
like "$OUT" 'replay' "-h lists replay"
like "$OUT" 'simulate' "-h lists simulate"
run
is "$RC" 2 "no command exits 2"
like "$ERR" '^usage: respitectl' "no command prints the usage on stderr"
run frobnicate
is "$RC" 2 "an unknown command exits 2"
like "$ERR" 'unknown command: frobnicate' "an unknown command is named"
run replay -h
is "$RC" 0 "replay -h exits 0"
like "$OUT" '^usage: respitectl replay .*--speed N' "replay -h prints its usage"
run help simulate
is "$RC" 0 "help simulate exits 0"
like "$OUT" '--agents N' "help simulate lists the options"
run replay
is "$RC" 2 "replay without a file exits 2"
run replay --speed 0 "$SAMPLE"
is "$RC" 2 "replay --speed 0 exits 2"
run replay --speed 10 --fast "$SAMPLE"
is "$RC" 2 "--speed and --fast together exit 2"
run replay --url ftp://x "$SAMPLE"
is "$RC" 2 "a --url that is not http(s) exits 2"
run replay --bogus "$SAMPLE"
is "$RC" 2 "an unknown replay option exits 2"
like "$ERR" 'respitectl replay: unknown option --bogus' "an unknown option is named"
run simulate --agents 0
is "$RC" 2 "simulate --agents 0 exits 2"
run simulate --agents 3 --teams 4
is "$RC" 2 "more teams than agents exits 2"
run simulate --start yesterday
is "$RC" 2 "a --start that is not RFC 3339 exits 2"
like "$ERR" '--start' "the bad --start is named"
run replay "$TMPD/nonexistent.ndjson"
is "$RC" 1 "replay of a missing file exits 1"
like "$ERR" 'nonexistent.ndjson' "the missing file is named"

# ---- simulate: deterministic

SIM=(--agents 40 --teams 4 --hours 8 --start "$START")
run simulate "${SIM[@]}" --seed 5
cp "$TMPD/out" "$TMPD/a.ndjson"
cp "$TMPD/err" "$TMPD/a.err"
is "$RC" 0 "simulate exits 0"
$C simulate "${SIM[@]}" --seed 5 >"$TMPD/b.ndjson" 2>/dev/null
check_ok "the same seed and start give identical bytes" cmp -s "$TMPD/a.ndjson" "$TMPD/b.ndjson"
$C simulate "${SIM[@]}" --seed 6 >"$TMPD/c.ndjson" 2>/dev/null
check_fail "another seed gives another shift" cmp -s "$TMPD/a.ndjson" "$TMPD/c.ndjson"
$C simulate --agents 40 --teams 4 --hours 8 --seed 5 \
    --start 2026-01-05T08:00:00Z >"$TMPD/d.ndjson" 2>/dev/null
check_fail "another start gives another shift" cmp -s "$TMPD/a.ndjson" "$TMPD/d.ndjson"
is "$(jq -r .id "$TMPD/a.ndjson" "$TMPD/c.ndjson" "$TMPD/d.ndjson" | sort | uniq -d | wc -l)" 0 \
    "ids differ between seeds and starts (they can share a daemon)"

A=$TMPD/a.ndjson
N=$(wc -l <"$A")
check_ok "every line is one JSON object" jq -e 'type == "object"' "$A"
is "$(jq -r .ts "$A" | LC_ALL=C sort -c 2>&1 && echo sorted)" sorted "events are sorted by ts"
is "$(jq -r .id "$A" | sort | uniq -d | wc -l)" 0 "every id is unique"
is "$(jq -r 'select(.id | test("^sim-5-[0-9a-f]{8}-[0-9]+$") | not) | .id' "$A" | wc -l)" 0 \
    "ids are sim-SEED-TAG-N"
is "$(jq -r --arg s "$START" --arg e 2026-01-05T15:00:00Z \
    'select(.ts < $s or .ts >= $e) | .ts' "$A" | wc -l)" 0 \
    "every event lies in [start, start + hours)"
is "$(jq -r 'select((.agent | test("^agent-0[0-9][0-9]$")) and (.team | test("^team-[a-d]$")) | not) | .id' "$A" | wc -l)" 0 \
    "agents are agent-NNN, teams team-a..team-d"
is "$(jq -s '[.[] | select(.type == "ticket.handled")] | all(.duration_s >= 1 and .duration_s <= 3600)' "$A")" true \
    "every ticket.handled has a duration_s"
is "$(jq -s '[.[] | select(.type | startswith("ticket.") or startswith("message."))] | all(.channel != null and .ticket != null)' "$A")" true \
    "ticket and message events carry a channel and a ticket"
is "$(jq -s '[.[] | select(.type == "ticket.assigned") | .ticket] | length == (unique | length)' "$A")" true \
    "each ticket is assigned once"
is "$(jq -s '([.[] | select(.type == "ticket.assigned")] | length) == ([.[] | select(.type == "ticket.handled")] | length)' "$A")" true \
    "every assigned ticket is handled within the shift"
is "$(jq -s 'group_by(.ticket) | map(select(.[0].ticket != null)) | all((.[0].type == "ticket.assigned") and (.[-1].type == "ticket.handled"))' "$A")" true \
    "each ticket's events start with assigned and end with handled"

# The summary on stderr: "type=count" for every type, equal to the file.
want=$(jq -r .type "$A" | sort | uniq -c | awk '{ print $2 "=" $1 }' | sort)
got=$(grep -Eo '[a-z]+\.[a-z_]+=[1-9][0-9]*' "$TMPD/a.err" | sort)
is "$got" "$want" "the summary counts events by type as in the output"
like "$(cat "$TMPD/a.err")" "simulated $N events, 40 agents, 4 teams, 8 h" \
    "the summary names events, agents, teams and hours"
is "$(wc -l <"$TMPD/a.err")" 1 "the summary is one line"

# Shift structure: logins with time zones, lunches, short breaks, and
# agents who never pause.
is "$(jq -s '[.[] | select(.type == "agent.login")] | length' "$A")" 40 "every agent logs in once"
is "$(jq -s '[.[] | select(.type == "agent.logout")] | length' "$A")" 40 "every agent logs out once"
is "$(jq -s '[.[] | select(.type == "agent.login") | .tz] | unique | length' "$A")" 4 \
    "logins carry four time zones (one a team)"
check_ok "the zones include Europe/Berlin and Asia/Manila" \
    jq -se '[.[] | select(.type == "agent.login") | .tz] | index("Europe/Berlin") and index("Asia/Manila")' "$A"
BREAKS=$(jq -s -c '[group_by(.agent)[] | . as $ev |
    [$ev[] | select(.type == "agent.break_start") | .ts] as $s |
    [$ev[] | select(.type == "agent.break_end") | .ts] as $e |
    {agent: $ev[0].agent, n: ($s | length),
     len: [range($s | length) | (($e[.] | fromdate) - ($s[.] | fromdate))]}]' "$A")
NEVER=$(printf '%s' "$BREAKS" | jq '[.[] | select(.n == 0)] | length')
if [ "$NEVER" -ge 1 ] && [ "$NEVER" -le 10 ]; then
	ok "some agents never pause ($NEVER of 40)"
else
	not_ok "some agents never pause" "agents without a break: $NEVER"
fi
like "$(cat "$TMPD/a.err")" "; $NEVER never pause;" "the summary counts the agents who never pause"
is "$(printf '%s' "$BREAKS" | jq '[.[] | select(.n > 0) | .len | any(. == 1800)] | all')" true \
    "every agent who pauses takes a 30-minute lunch"
is "$(printf '%s' "$BREAKS" | jq '[.[].len[] | select(. < 1800)] | (length > 0 and all(. >= 300 and . <= 720))')" true \
    "short breaks last 5-12 minutes"

# Channels and handling times.
is "$(jq -s '[.[] | select(.type == "ticket.assigned") | .channel] | unique' -c "$A")" \
    '["chat","email","messaging","phone","social"]' "all five channels appear"
MEANS=$(jq -s -c '[.[] | select(.type == "ticket.handled")] | group_by(.channel) |
    map({key: .[0].channel, value: ((map(.duration_s) | add) / length / 60)}) | from_entries' "$A")
if printf '%s' "$MEANS" | jq -e '.phone > 5 and .phone < 8 and .chat > 6.5 and .chat < 10.5 and
    .email > 3 and .email < 5.5 and .social > 2.2 and .social < 4.5 and .messaging > 2.2 and .messaging < 4.5' >/dev/null; then
	ok "mean handling times per channel are near 6/8/4/3/3 minutes"
else
	not_ok "mean handling times per channel are near 6/8/4/3/3 minutes" "got (min): $MEANS"
fi
is "$(jq -s '[.[] | select(.type == "message.received") | .channel] | unique' -c "$A")" \
    '["chat","email","messaging","social"]' "customer messages on chat, email, messaging and social (not phone)"
is "$(jq -r 'select(.text != null) | .id' "$A" | wc -l)" 0 "no text without --text"

# Hostility: flagged messages with a severity, social the most hostile
# channel, a few agents with far more than the rest.
FLAGGED=$(jq -s '[.[] | select(.type == "message.flagged")] | length' "$A")
if [ "$FLAGGED" -gt 0 ]; then ok "hostile messages are flagged ($FLAGGED)"; else not_ok "hostile messages are flagged"; fi
is "$(jq -s '[.[] | select(.type == "message.flagged")] | all(.severity >= 0.5 and .severity <= 1 and (.categories | length) >= 1)' "$A")" true \
    "flags carry a severity 0.5-1 and categories"
is "$(jq -s '[.[] | select(.type == "message.flagged") | .severity >= 0.8] | any' "$A")" true \
    "some flags are severe (>= 0.8)"
RATES=$(jq -s -c '(map(select(.type == "ticket.assigned")) | group_by(.channel) | map({key: .[0].channel, value: length}) | from_entries) as $n |
    map(select(.type == "message.flagged")) | group_by(.channel) |
    map({key: .[0].channel, value: (length / $n[.[0].channel])}) | from_entries' "$A")
if printf '%s' "$RATES" | jq -e '.social > ([to_entries[] | select(.key != "social") | .value] | max)' >/dev/null; then
	ok "social has the highest flagged rate per contact"
else
	not_ok "social has the highest flagged rate per contact" "flags per contact: $RATES"
fi
AGR=$(jq -s -c '[group_by(.agent)[] | ([.[] | select(.type == "message.flagged")] | length) /
    ([.[] | select(.type == "ticket.assigned")] | length)] | sort | {median: .[length / 2 | floor], max: max}' "$A")
if printf '%s' "$AGR" | jq -e '.max >= 3 * .median' >/dev/null; then
	ok "a few agents get far more hostility than the median agent"
else
	not_ok "a few agents get far more hostility than the median agent" "flags per contact: $AGR"
fi

# Options.
$C simulate "${SIM[@]}" --seed 5 --text >"$TMPD/t.ndjson" 2>/dev/null
is "$(jq -s '[.[] | select(.type == "message.received")] | all(.text != null and (.lang == "en" or .lang == "de"))' "$TMPD/t.ndjson")" true \
    "--text gives every customer message a text and a lang"
is "$(jq -s '[.[] | select(.type == "message.received") | .lang] | unique' -c "$TMPD/t.ndjson")" '["de","en"]' \
    "--text writes English and German"
is "$(jq -c 'del(.id, .ticket, .text, .lang)' "$TMPD/t.ndjson" | cmp -s - <(jq -c 'del(.id, .ticket, .text, .lang)' "$A") && echo same)" same \
    "--text changes the texts and nothing else"
$C simulate "${SIM[@]}" --seed 5 --tz-spread >"$TMPD/z.ndjson" 2>/dev/null
is "$(jq -s '[.[] | select(.type == "agent.login")] | group_by(.team) | any(map(.tz) | unique | length > 1)' "$TMPD/z.ndjson")" true \
    "--tz-spread puts agents of one team in several zones"
$C simulate "${SIM[@]}" --seed 5 --open-end >"$TMPD/o.ndjson" 2>/dev/null
is "$(jq -s '[.[] | select(.type == "agent.logout")] | length' "$TMPD/o.ndjson")" 0 \
    "--open-end: nobody logs out"
is "$(jq -s '([.[] | select(.type == "ticket.assigned")] | length) > ([.[] | select(.type == "ticket.handled")] | length)' "$TMPD/o.ndjson")" true \
    "--open-end: contacts in hand at the end stay open"

# Default start: the shift ends at the start of the current hour.
h0=$(( $(date +%s) / 3600 * 3600 ))
$C simulate --agents 5 --teams 1 --hours 2 >"$TMPD/now.ndjson" 2>/dev/null
h1=$(( $(date +%s) / 3600 * 3600 ))
last=$(jq -r .ts "$TMPD/now.ndjson" | tail -n 1)
first=$(jq -r .ts "$TMPD/now.ndjson" | head -n 1)
last_s=$(date -u -d "$last" +%s)
first_s=$(date -u -d "$first" +%s)
if { [ "$last_s" -lt "$h0" ] && [ "$first_s" -ge $((h0 - 7200)) ]; } ||
    { [ "$last_s" -lt "$h1" ] && [ "$first_s" -ge $((h1 - 7200)) ]; }; then
	ok "by default the shift ends at the start of the current hour"
else
	not_ok "by default the shift ends at the start of the current hour" \
	    "first $first, last $last, hour $(rfc3339 "$h1")"
fi

# Speed: 200 agents x 8 hours.
t0=$(now_ms)
$C simulate --agents 200 --teams 4 --hours 8 --seed 1 --start "$START" >"$TMPD/big.ndjson" 2>/dev/null
ms=$(( $(now_ms) - t0 ))
if [ "$ms" -lt "$(slow 3000)" ]; then
	ok "200 agents x 8 h simulate in $ms ms"
else
	not_ok "200 agents x 8 h simulate in under 3 s" "took $ms ms"
fi

# The sample shift is what the simulator makes.
$C simulate --agents 10 --teams 2 --hours 4 --seed 11 --start 2026-11-23T08:00:00Z \
    >"$TMPD/sample.ndjson" 2>/dev/null
if cmp -s "$TMPD/sample.ndjson" "$SAMPLE"; then
	ok "tests/data/sample-shift.ndjson is the simulator's output"
else
	not_ok "tests/data/sample-shift.ndjson is the simulator's output" \
	    "regenerate it: respitectl simulate --agents 10 --teams 2 --hours 4 --seed 11 --start 2026-11-23T08:00:00Z > tests/data/sample-shift.ndjson"
fi

# ---- replay into a real respited

write_config
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

run replay --url "$BASE" "$A"
replayed_is "$N" "$N" 0 "every simulated event passes the daemon's validation"
is "$(rejects)" 0 "the daemon counted no rejects"
is "$(curl -s "$BASE/v1/agents" | jq '[.agents[] | select(.agent | startswith("agent-"))] | length')" 40 \
    "the daemon knows the 40 simulated agents"
run replay --url "$BASE" "$TMPD/big.ndjson"
replayed_is "$(wc -l <"$TMPD/big.ndjson")" "$(wc -l <"$TMPD/big.ndjson")" 0 \
    "200 agents x 8 h replay with no reject"
diag "$(printf '%s\n' "$OUT")"

SN=$(grep -c . "$SAMPLE")
run replay --fast --url "$BASE" "$SAMPLE"
replayed_is "$SN" "$SN" 0 "replay --fast of the sample shift: accepted == lines ($SN)"
LINES=$(printf '%s\n' "$ERR" | grep -c 'events sent')
if [ "$LINES" -ge 1 ] && [ "$LINES" -le 11 ]; then
	ok "off a terminal, the progress is one line per 10 % ($LINES lines)"
else
	not_ok "off a terminal, the progress is one line per 10 %" "$ERR"
fi
like "$(printf '%s\n' "$ERR" | tail -n 1)" "^$SN of $SN events sent \\(100 %\\), $SN accepted, 0 duplicates, [0-9]+ ev/s, ETA 0 s\$" \
    "the progress line has sent, accepted, duplicates, rate and ETA"
run replay --url "$BASE" --batch 100 "$SAMPLE"
replayed_is "$SN" 0 "$SN" "a second replay: duplicates == lines"
run_in "$SAMPLE" replay --url "$BASE" -q -
replayed_is "$SN" 0 "$SN" "replay - reads stdin"
is "$ERR" "" "-q: nothing on stderr"
RESPITE_URL=$BASE run replay -q "$SAMPLE"
replayed_is "$SN" 0 "$SN" "\$RESPITE_URL names the daemon"

# A bad line stops the replay with the file's line number; blank lines
# are skipped and still counted as lines.
{
	echo '{"id":"bl1","type":"agent.login","agent":"bl-a"}'
	echo
	echo '{"id":"bl2","type":"agent.login","agent":"bl-b"}'
	echo '   '
	echo '{"id":"bl3","type":"agent.login","agent":"bl-c"}'
	echo '{"id":"bl4","type":"agent.login","agent":"bl d"}'
	echo '{"id":"bl5","type":"agent.login","agent":"bl-e"}'
} >"$TMPD/bad.ndjson"
run replay --url "$BASE" --batch 2 "$TMPD/bad.ndjson"
is "$RC" 1 "a refused batch exits 1"
like "$ERR" "bad.ndjson:6: invalid_event \\(field agent\\): agent: must be" \
    "the error names the file line (6), the code, the field and the reason"
like "$ERR" "the 2 events before it are stored" "the error says what was stored"
is "$(curl -s "$BASE/v1/agents" | jq -c '[.agents[].agent | select(startswith("bl-"))]')" '["bl-a","bl-b"]' \
    "the batches before the bad one are stored, the bad batch is not"
printf '%s\n' '{"id":"bj1","type":"agent.login","agent":"bj-a"}' '{"id":"bj2",' >"$TMPD/badjson.ndjson"
run replay --url "$BASE" "$TMPD/badjson.ndjson"
is "$RC" 1 "a line that is not JSON exits 1"
like "$ERR" "badjson.ndjson:2: bad_json" "a line that is not JSON is named with its line"
like "$ERR" "nothing was stored" "... and nothing of its batch is stored"

# Nothing listening: bounded retries, then 69.
DEAD=$(free_port)
run replay --url "http://127.0.0.1:$DEAD" --retries 2 "$SAMPLE"
is "$RC" 69 "no daemon listening: exit 69 (EX_UNAVAILABLE)"
like "$ERR" "cannot reach respited at http://127.0.0.1:$DEAD/v1/events: .*gave up after 3 attempts" \
    "no daemon: a clear message with the URL and the attempts"
if [ "$MS" -lt $(( $(slow 5) * 1000 )) ]; then ok "--retries 2 gives up quickly ($MS ms)"; else not_ok "--retries 2 gives up quickly" "$MS ms"; fi

# --speed keeps the offsets between event times.
T=$(( $(date +%s) - 3600 ))
{
	echo "{\"id\":\"sp1\",\"type\":\"agent.login\",\"agent\":\"speedy\",\"ts\":\"$(rfc3339 "$T")\"}"
	echo "{\"id\":\"sp2\",\"type\":\"agent.break_start\",\"agent\":\"speedy\",\"ts\":\"$(rfc3339 $((T + 1)))\"}"
	echo "{\"id\":\"sp3\",\"type\":\"agent.break_end\",\"agent\":\"speedy\",\"ts\":\"$(rfc3339 $((T + 2)))\"}"
} >"$TMPD/speed.ndjson"
run replay --url "$BASE" --speed 10 "$TMPD/speed.ndjson"
replayed_is 3 3 0 "--speed 10 replays a 3-event file"
if [ "$MS" -ge 150 ] && [ "$MS" -lt "$(slow 1500)" ]; then
	ok "--speed 10 spreads 2 s of event time over ~0.2 s ($MS ms)"
else
	not_ok "--speed 10 spreads 2 s of event time over ~0.2 s" "took $MS ms"
fi
is "$(curl -s "$BASE/v1/agents/speedy" | jq -r .updated_at)" "$(rfc3339 $((T + 2)))" \
    "--speed keeps the events' own times"
run replay --url "$BASE" --speed 1 "$TMPD/speed.ndjson"
if [ "$MS" -ge 1800 ] && [ "$MS" -lt "$(slow 4000)" ]; then
	ok "--speed 1 is real time ($MS ms for 2 s)"
else
	not_ok "--speed 1 is real time" "took $MS ms for 2 s"
fi

# A recorded shift (13,706 events of a bank's call center, 1999).
BANK=${SHARED_DATA:-/nonexistent}/shifts/anonbank-1999-02-07_02-13.ndjson
if [ -f "$BANK" ]; then
	before=$(rejects)
	run replay --url "$BASE" "$BANK"
	replayed_is 13706 13706 0 "the anonbank week (13,706 events) replays with no reject"
	diag "$(printf '%s\n' "$OUT")"
	is "$(rejects)" "$before" "no rejects counted for it"
else
	skip "the anonbank week replays with no reject" "no shared data at $BANK"
	skip "no rejects counted for it" "no shared data"
fi

# ---- status follows the pages of GET /v1/agents (1000 a page)

seq 1 1003 | awk -v ts="$(now_ms)" '{ printf "{\"type\":\"agent.login\",\"agent\":\"pg%04d\",\"team\":\"pages\",\"ts\":%s}\n", $1, ts }' \
    >"$TMPD/pages.ndjson"
post_events "@$TMPD/pages.ndjson" -H 'Content-Type: application/x-ndjson'
status_is 202 "1,003 agents in team pages"
req GET '/v1/agents?team=pages'
jq_is '[(.agents | length), (.next_cursor | type)]' '[1000,"string"]' \
    "GET /v1/agents?team=pages: a page of 1000 and a next_cursor"
run status --url "$BASE" --team pages --json
is "$RC" 0 "status --team pages: exit 0"
is "$(printf '%s' "$OUT" | jq -c '[(.agents | length), ([.agents[].agent] | unique | length)]')" \
    "[1003,1003]" "status lists all 1,003 agents across the pages, each once"

# ---- replay: a line over the limit stops at the limit

if have python3; then
	python3 -c 'import sys
sys.stdout.write("{\"type\":\"agent.login\",\"agent\":\"long1\"}\n")
sys.stdout.write("{\"type\":\"agent.login\",\"agent\":\"" + "x" * (64 << 20) + "\"}\n")' \
	    >"$TMPD/long.ndjson"
	if [ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null; then
		/usr/bin/time -v "$C" replay --url "$BASE" --fast "$TMPD/long.ndjson" \
		    >"$TMPD/out" 2>"$TMPD/err"
		RC=$?
		ERR=$(cat "$TMPD/err")
		rss=$(printf '%s\n' "$ERR" | awk -F: '/Maximum resident set size/ { print $2 + 0 }')
		if [ -n "$rss" ] && [ "$rss" -lt 40000 ]; then
			ok "a 64 MiB line: respitectl stays small (max RSS $rss KiB)"
		else
			not_ok "a 64 MiB line: respitectl stays small" "max RSS ${rss:-?} KiB"
		fi
	else
		run replay --url "$BASE" --fast "$TMPD/long.ndjson"
		skip "a 64 MiB line: respitectl stays small" "no /usr/bin/time -v"
	fi
	isnt_zero=$([ "$RC" -ne 0 ] && echo 1 || echo 0)
	is "$isnt_zero" 1 "a line over the limit: replay fails ($RC)"
	like "$ERR" "long.ndjson:2: line longer than 1 MiB" "... naming the file and line 2"
	rm -f "$TMPD/long.ndjson"
else
	skip "a 64 MiB line" "python3 is not installed"
fi

stop_daemon

# ---- retries and the token, against a small fake server

if have_python; then
	FAKE=$(free_port)
	cat >"$TMPD/fake.py" <<'EOF'
# A stand-in for respited: 503 for the first FAILS posts, then 202; it
# writes each request's Authorization header to a file.
import http.server, json, sys
port, fails, hdrfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
state = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def reply(self, code, obj, extra=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.reply(200, {"status": "ok"})
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(hdrfile, "a") as f:
            f.write("%s %s\n" % (self.headers.get("Authorization"),
                                 self.headers.get("Content-Type")))
        state["n"] += 1
        if state["n"] <= fails:
            self.reply(503, {"error": {"code": "unavailable",
                                       "message": "commit failed"}},
                       [("Retry-After", "0.1")])
            return
        n = len([l for l in body.split(b"\n") if l.strip()])
        self.reply(202, {"accepted": n, "duplicates": 0})
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
	python3 "$TMPD/fake.py" "$FAKE" 2 "$TMPD/hdr" 2>>"$LOG" &
	FPID=$!
	bg_register "$FPID"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$FAKE/" && break
		sleep 0.1
	done
	printf 's3cr3t-tok\n' >"$TMPD/token"
	run replay --url "http://127.0.0.1:$FAKE/" --token "$TMPD/token" --retries 3 "$SAMPLE"
	replayed_is "$SN" "$SN" 0 "two 503s are retried, then the replay completes"
	like "$ERR" "HTTP 503 unavailable; retrying in 0.1 s \\(1/3\\)" "a retry is announced with Retry-After's delay"
	is "$(head -n 1 "$TMPD/hdr")" "Bearer s3cr3t-tok application/x-ndjson" \
	    "--token sends Authorization: Bearer; the body is application/x-ndjson"
	if grep -q s3cr3t "$TMPD/out" "$TMPD/err"; then
		not_ok "the token is never printed"
	else
		ok "the token is never printed"
	fi
	kill_child TERM "$FPID"
	wait "$FPID" 2>/dev/null
	python3 "$TMPD/fake.py" "$FAKE" 1000 "$TMPD/hdr" 2>>"$LOG" &
	FPID=$!
	bg_register "$FPID"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$FAKE/" && break
		sleep 0.1
	done
	run replay --url "http://127.0.0.1:$FAKE" --retries 1 "$SAMPLE"
	is "$RC" 75 "a daemon that stays at 503 gives exit 75 (EX_TEMPFAIL) after the retries"
	kill_child TERM "$FPID"
	wait "$FPID" 2>/dev/null
	printf '\n' >"$TMPD/empty-token"
	run replay --url "http://127.0.0.1:$FAKE" --token "$TMPD/empty-token" "$SAMPLE"
	is "$RC" 1 "an empty token file exits 1"
else
	for d in "503s are retried" "Retry-After" "--token" "the token is never printed" \
	    "503 gives 69" "an empty token file"; do
		skip "$d" "python3 is not installed"
	done
fi

done_testing
