#!/usr/bin/env bash
# respite - POST /v1/events: formats, replies, every error code with its
# index and field, limits, batch atomicity, duplicates, HTTP framing.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[server]
max_body = 20K
max_batch = 5
max_clock_skew = 60"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

T=$(date +%s)

# str N [CHAR]: N times CHAR (default a).
str() {
	head -c "$1" /dev/zero | tr '\0' "${2:-a}"
}

# in_db SQL EXPECTED DESC: a query on the database, or a skip.
in_db() {
	if have_sqlite3; then
		is "$(db_query "$1")" "$2" "$3"
	else
		skip "$3" "sqlite3 is not installed"
	fi
}

LOGIN='{"type":"agent.login","agent":"okfirst"}'

# bad_event DESC CODE FIELD EVENT: [LOGIN, EVENT] is refused with CODE at
# index 1 and FIELD ("-" for none).
bad_event() {
	post_events "[$LOGIN, $4]"
	error_is 400 "$2" 1 "$3" "$1"
}

# ---- accepted formats: 202 with exactly {"accepted", "duplicates"}

post_events '{"type":"agent.login","agent":"single1","team":"t1"}'
reply_is 202 '{"accepted":1,"duplicates":0}' "a single object: 202 {accepted:1, duplicates:0}"
is "$(header_get Content-Type)" "application/json; charset=utf-8" "202 is application/json; charset=utf-8"
jq_is 'keys' '["accepted","duplicates"]' "the 202 body has exactly accepted and duplicates"

post_events '[{"type":"agent.login","agent":"arr1"},{"type":"agent.login","agent":"arr2"},{"type":"agent.logout","agent":"arr1"}]'
reply_is 202 '{"accepted":3,"duplicates":0}' "an array of 3: accepted 3"

post_events '[]'
reply_is 202 '{"accepted":0,"duplicates":0}' "an empty array: accepted 0"

printf '%s\n\n%s\n   \n%s' '{"type":"agent.login","agent":"nd1"}' \
    '{"type":"agent.login","agent":"nd2"}' '{"type":"agent.login","agent":"nd3"}' \
    >"$TMPD/ok.ndjson"
post_events "@$TMPD/ok.ndjson" -H 'Content-Type: application/x-ndjson'
reply_is 202 '{"accepted":3,"duplicates":0}' "NDJSON with blank lines and no final newline: accepted 3"

printf '%s\r\n%s\r\n' '{"type":"agent.login","agent":"crlf1"}' \
    '{"type":"agent.login","agent":"crlf2"}' >"$TMPD/crlf.ndjson"
post_events "@$TMPD/crlf.ndjson" -H 'Content-Type: application/x-ndjson'
reply_is 202 '{"accepted":2,"duplicates":0}' "NDJSON with CRLF line ends: accepted 2"

post_events '{"type":"agent.login","agent":"unk1","colour":"blue","extra":{"a":[1,2]}}'
reply_is 202 '{"accepted":1,"duplicates":0}' "unknown fields are ignored"

# ---- valid edge values are accepted

A64=$(str 64 A)
ID128=$(str 128 i)
post_events "[{\"type\":\"agent.login\",\"agent\":\"$A64\",\"team\":\"Te.am_1@x-$(str 54 z)\",\"id\":\"$ID128\",\"tz\":\"Europe/Berlin\"},
 {\"type\":\"agent.login\",\"agent\":\"A.b_c@d-9\",\"tz\":\"UTC\"},
 {\"type\":\"ticket.handled\",\"agent\":\"edge1\",\"channel\":\"other\",\"duration_s\":0},
 {\"type\":\"message.flagged\",\"agent\":\"edge1\",\"channel\":\"social\",\"severity\":0,\"categories\":[\"insult\",\"threat\",\"profanity\",\"identity_attack\",\"harassment\",\"other\"]},
 {\"type\":\"message.received\",\"agent\":\"edge1\",\"channel\":\"messaging\",\"severity\":1,\"lang\":\"de-AT\",\"text\":\"hello\",\"ticket\":\"$(str 128 t)\"}]"
reply_is 202 '{"accepted":5,"duplicates":0}' "edge values (64-char agent, 128-char id, duration 0, severity 0 and 1, all categories, de-AT, zones) are accepted"

TEXTMARK=sEcReTtExTmArK
post_events "{\"type\":\"message.received\",\"agent\":\"edge2\",\"channel\":\"chat\",\"text\":\"$TEXTMARK$(str $((16384 - ${#TEXTMARK})) x)\"}"
reply_is 202 '{"accepted":1,"duplicates":0}' "text of exactly 16 KiB on message.received is accepted"

# ---- timestamps

ts_off=$(TZ=Etc/GMT-2 date -d "@$((T - 3600))" +%Y-%m-%dT%H:%M:%S+02:00)
post_events "{\"type\":\"agent.login\",\"agent\":\"tsoff\",\"ts\":\"$ts_off\"}"
reply_is 202 '{"accepted":1,"duplicates":0}' "ts as RFC 3339 with a +02:00 offset"
req GET /v1/agents/tsoff
jq_is '.updated_at' "\"$(rfc3339 $((T - 3600)))\"" "the offset is applied: updated_at is the same instant in UTC"

post_events "{\"type\":\"agent.login\",\"agent\":\"tsms\",\"ts\":$(((T - 1800) * 1000 + 250))}"
reply_is 202 '{"accepted":1,"duplicates":0}' "ts as integer epoch milliseconds"
req GET /v1/agents/tsms
want=$(rfc3339 $((T - 1800)))
jq_is '.updated_at' "\"${want%Z}.250Z\"" "epoch ms keep their milliseconds in updated_at"

post_events "{\"type\":\"agent.login\",\"agent\":\"tsfrac\",\"ts\":\"$(date -u -d "@$((T - 600))" +%Y-%m-%dT%H:%M:%S).5z\"}"
reply_is 202 '{"accepted":1,"duplicates":0}' "ts with a fraction and a lower-case z"

post_events "{\"type\":\"agent.login\",\"agent\":\"tsskew\",\"ts\":$(((T + 30) * 1000))}"
reply_is 202 '{"accepted":1,"duplicates":0}' "ts 30 s ahead, within max_clock_skew (60 s): accepted"

before=$(now_ms)
post_events '{"type":"agent.login","agent":"tsnone"}'
after=$(now_ms)
req GET /v1/agents/tsnone
got=$(jqr '.updated_at')
got_ms=$(( $(date -d "$got" +%s%N) / 1000000 ))
if [ "$got_ms" -ge $((before - 1000)) ] && [ "$got_ms" -le $((after + 1000)) ]; then
	ok "no ts: the time of receipt is used"
else
	not_ok "no ts: the time of receipt is used" "updated_at $got not within [$before, $after] ms"
fi

# ---- bad_json

post_events '{"type":"agent.login","agent":"bj1"'
error_is 400 bad_json - - "a truncated object: 400 bad_json, no index"
post_events '[{"type":"agent.login","agent":"bj2"}, {nope}]'
error_is 400 bad_json - - "a syntax error inside an array: bad_json"
post_events '{"type":"agent.login","agent":"bj3"} trailing'
error_is 400 bad_json - - "trailing garbage after the object: bad_json"
post_events '' -H 'Content-Type: application/json' --data-binary ''
error_is 400 bad_json - - "an empty body: bad_json"
printf '%s\n\n%s\n\n%s\n%s\n' '{"type":"agent.login","agent":"bj4"}' \
    '{"type":"agent.login","agent":"bj5"}' '{"type":"agent.login",' \
    '{"type":"agent.login","agent":"bj6"}' >"$TMPD/bad.ndjson"
post_events "@$TMPD/bad.ndjson" -H 'Content-Type: application/x-ndjson'
error_is 400 bad_json 2 - "NDJSON: a broken third non-empty line is bad_json index 2"
# A body that is JSON but not an object or array is not bad JSON.
post_events '"just a string"'
error_is 400 invalid_event - - "a top-level JSON string: invalid_event, not bad_json"
post_events '42'
error_is 400 invalid_event - - "a top-level JSON number: invalid_event, not bad_json"

# ---- invalid_event, field by field

bad_event "an event that is not an object" invalid_event - '17'
bad_event "type missing" invalid_event type '{"agent":"x"}'
bad_event "type not a string" invalid_event type '{"type":5,"agent":"x"}'
bad_event "unknown type: unknown_type, field type" unknown_type type '{"type":"agent.dance","agent":"x"}'
bad_event "agent missing" invalid_event agent '{"type":"agent.login"}'
bad_event "agent empty" invalid_event agent '{"type":"agent.login","agent":""}'
bad_event "agent with a space" invalid_event agent '{"type":"agent.login","agent":"a b"}'
bad_event "agent with a slash" invalid_event agent '{"type":"agent.login","agent":"a/b"}'
bad_event "agent of 65 chars" invalid_event agent "{\"type\":\"agent.login\",\"agent\":\"$(str 65)\"}"
bad_event "agent not a string" invalid_event agent '{"type":"agent.login","agent":7}'
bad_event "team with a bad char" invalid_event team '{"type":"agent.login","agent":"x","team":"sup port"}'
bad_event "team of 65 chars" invalid_event team "{\"type\":\"agent.login\",\"agent\":\"x\",\"team\":\"$(str 65)\"}"
bad_event "team empty" invalid_event team '{"type":"agent.login","agent":"x","team":""}'
bad_event "id of 129 chars" invalid_event id "{\"type\":\"agent.login\",\"agent\":\"x\",\"id\":\"$(str 129)\"}"
bad_event "id empty" invalid_event id '{"type":"agent.login","agent":"x","id":""}'
bad_event "id not a string" invalid_event id '{"type":"agent.login","agent":"x","id":12}'
bad_event "ts not a date" invalid_event ts '{"type":"agent.login","agent":"x","ts":"yesterday"}'
bad_event "ts without a zone" invalid_event ts '{"type":"agent.login","agent":"x","ts":"2026-11-22T10:15:00"}'
bad_event "ts on 30 February" invalid_event ts '{"type":"agent.login","agent":"x","ts":"2026-02-30T10:15:00Z"}'
bad_event "ts a fraction of a ms number" invalid_event ts '{"type":"agent.login","agent":"x","ts":1.5}'
bad_event "ts negative" invalid_event ts '{"type":"agent.login","agent":"x","ts":-1}'
bad_event "ts a boolean" invalid_event ts '{"type":"agent.login","agent":"x","ts":true}'
# Ahead of now, not of T: the script may be past T + 60 s here when loaded.
ahead=$(( $(date +%s) + 120 ))
bad_event "ts 120 s ahead (epoch ms) beyond max_clock_skew 60 s" invalid_event ts \
    "{\"type\":\"agent.login\",\"agent\":\"x\",\"ts\":$((ahead * 1000))}"
bad_event "ts 120 s ahead (RFC 3339) beyond max_clock_skew" invalid_event ts \
    "{\"type\":\"agent.login\",\"agent\":\"x\",\"ts\":\"$(rfc3339 "$ahead")\"}"
for t in ticket.assigned message.received; do
	bad_event "channel missing for $t" invalid_event channel "{\"type\":\"$t\",\"agent\":\"x\"}"
done
bad_event "channel missing for ticket.handled" invalid_event channel '{"type":"ticket.handled","agent":"x","duration_s":5}'
bad_event "channel missing for message.flagged" invalid_event channel '{"type":"message.flagged","agent":"x","severity":0.5}'
bad_event "channel not a channel" invalid_event channel '{"type":"ticket.assigned","agent":"x","channel":"fax"}'
bad_event "channel in the wrong case" invalid_event channel '{"type":"ticket.assigned","agent":"x","channel":"Phone"}'
bad_event "ticket of 129 chars" invalid_event ticket "{\"type\":\"ticket.assigned\",\"agent\":\"x\",\"channel\":\"chat\",\"ticket\":\"$(str 129)\"}"
bad_event "duration_s missing for ticket.handled" invalid_event duration_s '{"type":"ticket.handled","agent":"x","channel":"chat"}'
bad_event "duration_s negative" invalid_event duration_s '{"type":"ticket.handled","agent":"x","channel":"chat","duration_s":-1}'
bad_event "duration_s a string" invalid_event duration_s '{"type":"ticket.handled","agent":"x","channel":"chat","duration_s":"5"}'
bad_event "severity missing for message.flagged" invalid_event severity '{"type":"message.flagged","agent":"x","channel":"chat"}'
bad_event "severity above 1" invalid_event severity '{"type":"message.flagged","agent":"x","channel":"chat","severity":1.01}'
bad_event "severity negative" invalid_event severity '{"type":"message.flagged","agent":"x","channel":"chat","severity":-0.1}'
bad_event "categories not an array" invalid_event categories '{"type":"message.flagged","agent":"x","channel":"chat","severity":0.9,"categories":"insult"}'
bad_event "categories with an unknown kind" invalid_event categories '{"type":"message.flagged","agent":"x","channel":"chat","severity":0.9,"categories":["insult","rudeness"]}'
bad_event "text on agent.login" invalid_event text '{"type":"agent.login","agent":"x","text":"hi"}'
bad_event "text on message.flagged" invalid_event text '{"type":"message.flagged","agent":"x","channel":"chat","severity":0.9,"text":"hi"}'
bad_event "text not a string" invalid_event text '{"type":"message.received","agent":"x","channel":"chat","text":5}'
post_events "{\"type\":\"message.received\",\"agent\":\"x\",\"channel\":\"chat\",\"text\":\"$(str 16385 x)\"}"
error_is 400 invalid_event 0 text "text longer than 16 KiB"
bad_event "lang of one letter" invalid_event lang '{"type":"message.received","agent":"x","channel":"chat","lang":"d"}'
bad_event "lang with punctuation" invalid_event lang '{"type":"message.received","agent":"x","channel":"chat","lang":"en_GB!"}'
bad_event "tz not a zone" invalid_event tz '{"type":"agent.login","agent":"x","tz":"Mars/Olympus"}'
bad_event "tz escaping the zone database" invalid_event tz '{"type":"agent.login","agent":"x","tz":"../../etc/passwd"}'

# The first bad event is the one reported.
post_events '[{"type":"agent.login","agent":"f0"},{"type":"agent.login","agent":"f1"},{"type":"agent.login"},{"type":"nope","agent":"f3"}]'
error_is 400 invalid_event 2 agent "two bad events: the first (index 2) is reported"

printf '%s\n\n%s\n%s\n' '{"type":"agent.login","agent":"nv1"}' \
    '{"type":"agent.login","agent":"nv2"}' \
    '{"type":"ticket.assigned","agent":"nv3","channel":"pigeon"}' >"$TMPD/inv.ndjson"
post_events "@$TMPD/inv.ndjson" -H 'Content-Type: application/x-ndjson'
error_is 400 invalid_event 2 channel "NDJSON: an invalid third event has index 2 and its field"

# ---- batch atomicity: nothing of a refused batch is stored

post_events '[{"type":"agent.login","agent":"atom1","id":"atom-e1"},
 {"type":"ticket.assigned","agent":"atom2","channel":"fax","id":"atom-e2"},
 {"type":"agent.login","agent":"atom3","id":"atom-e3"}]'
error_is 400 invalid_event 1 channel "a batch with a bad event in the middle is refused"
agent_listed atom1 || agent_listed atom3
check "none of the refused batch's agents exists (GET /v1/agents)" $((!$?))
req GET /v1/agents/atom1
error_is 404 not_found - - "GET /v1/agents/atom1 after the refused batch: 404"
in_db "SELECT count(*) FROM events WHERE agent LIKE 'atom%' OR id LIKE 'atom-%'" 0 \
    "sqlite3: no event of the refused batch is in the database"
post_events '[{"type":"agent.login","agent":"atom1","id":"atom-e1"},
 {"type":"ticket.assigned","agent":"atom2","channel":"chat","id":"atom-e2"},
 {"type":"agent.login","agent":"atom3","id":"atom-e3"}]'
reply_is 202 '{"accepted":3,"duplicates":0}' "the corrected batch with the same ids is new, not duplicates"

# ---- duplicates: within a batch and across requests; the first stands

post_events '[{"type":"agent.login","agent":"dupa","team":"first","id":"dup-1"},
 {"type":"agent.login","agent":"dupa","team":"second","id":"dup-1"},
 {"type":"agent.login","agent":"dupb","id":"dup-2"}]'
reply_is 202 '{"accepted":2,"duplicates":1}' "a repeated id within one batch: accepted 2, duplicates 1"
req GET /v1/agents/dupa
jq_is '.team' '"first"' "within a batch the first event of an id stands"
post_events '[{"type":"agent.login","agent":"dupc","id":"dup-2"},{"type":"agent.login","agent":"dupd","id":"dup-3"}]'
reply_is 202 '{"accepted":1,"duplicates":1}' "an id of an earlier request: accepted 1, duplicates 1"
agent_listed dupc
check "the duplicate was not applied (agent dupc does not exist)" $((!$?))
post_events '{"type":"agent.login","agent":"dupe","team":"third","id":"dup-1"}'
reply_is 202 '{"accepted":0,"duplicates":1}' "a single duplicate: accepted 0, duplicates 1"
req GET /v1/agents/dupa
jq_is '.team' '"first"' "across requests the first event of an id stands"
in_db "SELECT count(*), min(team) FROM events WHERE id = 'dup-1'" "1|first" \
    "sqlite3: one row for id dup-1, the first one"
post_events '{"type":"ticket.assigned","agent":"noid","channel":"chat"}'
post_events '{"type":"ticket.assigned","agent":"noid","channel":"chat"}'
reply_is 202 '{"accepted":1,"duplicates":0}' "events without an id are never duplicates"
req GET /v1/agents/noid
jq_is '.metrics.open_tickets' 2 "both id-less events were applied (open_tickets 2)"

printf '%s\n%s\n' '{"type":"agent.login","agent":"ndd","id":"dup-nd"}' \
    '{"type":"agent.logout","agent":"ndd","id":"dup-nd"}' >"$TMPD/dup.ndjson"
post_events "@$TMPD/dup.ndjson" -H 'Content-Type: application/x-ndjson'
reply_is 202 '{"accepted":1,"duplicates":1}' "NDJSON: a repeated id within the body is a duplicate"
req GET /v1/agents/ndd
jq_is '.status' '"working"' "NDJSON: the first event of the id stands (status working)"

# ---- limits: max_body (20K) and max_batch (5)

{
	printf '['
	for i in $(seq 1 5); do
		[ $i -gt 1 ] && printf ','
		printf '{"type":"agent.login","agent":"big%d","team":"%s"}' $i "$(str 60 t)"
	done
	printf ',{"type":"message.received","agent":"big9","channel":"chat","text":"%s"}]' "$(str 22000 x)"
} >"$TMPD/big.json"
post_events "@$TMPD/big.json"
error_is 413 too_large - - "a body over max_body (Content-Length): 413 too_large"
agent_listed big1
check "nothing of the oversized body was stored" $((!$?))
post_events "@$TMPD/big.json" -H 'Transfer-Encoding: chunked'
error_is 413 too_large - - "a chunked body over max_body: 413 too_large"

six='['
for i in 1 2 3 4 5 6; do
	six="$six{\"type\":\"agent.login\",\"agent\":\"mb$i\"}"
	[ $i -lt 6 ] && six="$six,"
done
six="$six]"
post_events "$six"
error_is 413 too_large - - "6 events with max_batch 5: 413 too_large"
agent_listed mb1
check "nothing of the too-large batch was stored" $((!$?))
post_events "${six%,\{*}]"
reply_is 202 '{"accepted":5,"duplicates":0}' "exactly max_batch (5) events: accepted"
printf '%s\n' "$six" | jq -c '.[]' | sed 's/mb/mn/' >"$TMPD/six.ndjson"
post_events "@$TMPD/six.ndjson" -H 'Content-Type: application/x-ndjson'
error_is 413 too_large - - "NDJSON with 6 events: 413 too_large"

# ---- HTTP framing: chunked, Expect: 100-continue, methods, paths

jq -c -n '[range(0;5) | {type:"agent.login", agent:"chunk\(.)", team:("c" * 40)}]' \
    >"$TMPD/chunk.json"
post_events "@$TMPD/chunk.json" -H 'Transfer-Encoding: chunked'
reply_is 202 '{"accepted":5,"duplicates":0}' "a chunked upload is accepted"
agent_listed chunk4
check "the chunked events are stored" $?

# A large body (under max_body) sent only after "100 Continue": curl waits
# up to 30 s for it, so a quick reply proves the daemon sent it.
jq -c -n '[range(0;5) | {type:"agent.login", agent:"exp\(.)", team:"e", pad:("p" * 3500)}]' \
    >"$TMPD/expect.json"
# Scaled with the load, but under curl's 30 s.
EXPECT_MS=$(( $(slow 3) * 1000 ))
[ "$EXPECT_MS" -gt 25000 ] && EXPECT_MS=25000
t0=$(now_ms)
post_events "@$TMPD/expect.json" -H 'Expect: 100-continue' --expect100-timeout 30
t1=$(now_ms)
reply_is 202 '{"accepted":5,"duplicates":0}' "Expect: 100-continue with a ~18 KB body: 202"
if [ $((t1 - t0)) -lt "$EXPECT_MS" ]; then
	ok "the daemon answered 100 Continue (no 30 s wait: $((t1 - t0)) ms)"
else
	not_ok "the daemon answered 100 Continue" "took $((t1 - t0)) ms"
fi
t0=$(now_ms)
post_events "@$TMPD/big.json" -H 'Expect: 100-continue' --expect100-timeout 30
t1=$(now_ms)
error_is 413 too_large - - "Expect: 100-continue with a body over max_body: 413 at once"
if [ $((t1 - t0)) -lt "$EXPECT_MS" ]; then
	ok "the 413 came before the body was sent ($((t1 - t0)) ms)"
else
	not_ok "the 413 came before the body was sent" "took $((t1 - t0)) ms"
fi

req GET /v1/events
error_is 405 method_not_allowed - - "GET /v1/events: 405 method_not_allowed"
header_is Allow POST "the 405 has Allow: POST"
req PUT /v1/events '{"type":"agent.login","agent":"put1"}'
error_is 405 method_not_allowed - - "PUT /v1/events: 405"
header_is Allow POST "PUT: Allow: POST"

req GET /v1/nothing
error_is 404 not_found - - "an unknown path: JSON 404 not_found"
is "$(header_get Content-Type)" "application/json; charset=utf-8" "the 404 is application/json"
req POST /v1/events/ '{"type":"agent.login","agent":"slash1"}'
error_is 404 not_found - - "POST /v1/events/ (trailing slash): 404"

# ---- privacy: message text is never stored

if have_sqlite3; then
	db_query 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
fi
cat "$DB"* 2>/dev/null | grep -qa "$A64"
check "control: a stored agent id is found in the database files" $?
if cat "$DB"* 2>/dev/null | grep -qa "$TEXTMARK"; then
	not_ok "message text is not in the database files"
else
	ok "message text is not in the database files"
fi
in_db "SELECT count(*) FROM events WHERE agent = 'edge2'" 1 "the message.received event itself is stored"

# ---- broken JSON whose error text is no UTF-8 (tests/fuzz/corpus/event/
# crash-error-not-utf8): jansson's message ends inside a character, and
# the error body once stopped the daemon

req POST /v1/events $'{"type":"agent.login","agent":"a","x":"\\u00e\xd2\xa3"}'
error_is 400 bad_json - - "JSON whose error text cuts a UTF-8 character: 400 bad_json"
req POST /v1/events $'{"type":"agent.login","agent":"a"}\n{"x":"\\u00e\xd2\xa3"}' \
    -H 'Content-Type: application/x-ndjson'
error_is 400 bad_json 1 - "the same as NDJSON: 400 bad_json, index 1"

# ---- the daemon is still fine after all this

req GET /healthz
reply_is 200 "{\"status\":\"ok\",\"db\":\"ok\",\"version\":$(jqb .version)}" "healthz is ok at the end"
stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

done_testing
