#!/usr/bin/env bash
# respite - the kill -9 test.
#
# Twenty rounds (DURABILITY_ROUNDS) on one database with the default
# synchronous = full.  In each, four concurrent writers (bash loops around
# curl) POST batches of 1-30 ticket events plus one hostile message
# (message.flagged, severity 0.9, which raises a recovery break for its
# agent), all with unique ids, and record every id acknowledged with 202.
# At a random moment 0.3-1.5 s in, the open suggestions are read
# (GET /v1/suggestions?status=open) and the daemon is killed with
# SIGKILL at once.  Then:
#   - PRAGMA integrity_check says ok (sqlite3);
#   - every acknowledged id is stored, every batch is stored whole or not
#     at all, and nothing is stored that was not sent (sqlite3);
#   - the daemon restarts on the killed database (this start is the next
#     round's), and through the API: a re-POST of every acknowledged id
#     comes back as a duplicate, and every suggestion that was open before
#     the kill is open again, with the same id, kind, agent and time.
# At the end, nothing acknowledged in any round was lost by a later kill.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[storage]
synchronous = full"
WRITERS=4
ROUNDS=${DURABILITY_ROUNDS:-20}

# writer ROUND W DEADLINE_S: post batches until the daemon is gone or
# the deadline (epoch seconds) passes.  Files: attempts.W ("KEY N" before
# each request), acked.W (ids of each batch answered 202 with
# {"accepted":N,"duplicates":0}), anomalies.W (anything else).
writer() {
	local r=$1 w=$2 deadline=$3 b=0 n i key body ids code out
	local dir=$TMPD/r$r
	while [ "${EPOCHSECONDS:-$(date +%s)}" -lt "$deadline" ]; do
		b=$((b + 1))
		n=$((RANDOM % 30 + 1))
		key="r$r-w$w-b$b"
		body='['
		ids=
		for ((i = 0; i < n; i++)); do
			body+="{\"id\":\"$key-e$i\",\"type\":\"ticket.assigned\",\"agent\":\"dw$w\",\"channel\":\"email\",\"ticket\":\"$key\"},"
			ids+="$key-e$i"$'\n'
		done
		# Four hostile agents a writer and round: each gets a
		# recovery break with its first message.
		body+="{\"id\":\"$key-h\",\"type\":\"message.flagged\",\"agent\":\"h$r-$w-$((b % 4))\",\"channel\":\"email\",\"ticket\":\"$key\",\"severity\":0.9,\"categories\":[\"insult\"]}]"
		ids+="$key-h"$'\n'
		n=$((n + 1))
		echo "$key $n" >>"$dir/attempts.$w"
		code=$(curl -sS --max-time "$(slow 10)" -o "$dir/out.$w" \
		    -w '%{http_code}' -H 'Content-Type: application/json' \
		    --data-binary "$body" "$BASE/v1/events" 2>/dev/null)
		case "$code" in
		202)
			out=$(cat "$dir/out.$w")
			if [ "$out" = "{\"accepted\":$n,\"duplicates\":0}" ]; then
				printf '%s' "$ids" >>"$dir/acked.$w"
			else
				echo "$key 202 $out" >>"$dir/anomalies.$w"
			fi
			;;
		000)
			break	# the daemon is gone
			;;
		*)
			echo "$key HTTP $code $(cat "$dir/out.$w")" >>"$dir/anomalies.$w"
			;;
		esac
	done
}

# repost_acked FILE: re-POST every id in FILE as an agent.login of agent
# "recheck", as NDJSON, 5000 a request; prints "ACCEPTED DUPLICATES"
# summed (a request that fails counts all its ids as accepted, i.e. lost).
repost_acked() {
	local acc=0 dup=0 f k
	rm -f "$TMPD"/repost.*
	awk -v d="$TMPD" '{ f = sprintf("%s/repost.%05d", d, int((NR - 1) / 5000))
	    printf "{\"id\":\"%s\",\"type\":\"agent.login\",\"agent\":\"recheck\"}\n", $0 >f }' "$1"
	for f in "$TMPD"/repost.*; do
		[ -f "$f" ] || continue
		k=$(wc -l <"$f" | tr -d ' ')
		post_events "@$f" -H 'Content-Type: application/x-ndjson'
		if [ "$STATUS" = 202 ]; then
			acc=$((acc + $(jqr .accepted)))
			dup=$((dup + $(jqr .duplicates)))
		else
			acc=$((acc + k))
		fi
	done
	echo "$acc $dup"
}

# open_suggestions: every open suggestion, one "id kind agent created_at"
# line each, sorted; all pages.
open_suggestions() {
	local cursor= q
	while :; do
		q="/v1/suggestions?status=open&limit=1000"
		[ -n "$cursor" ] && q="$q&cursor=$cursor"
		curl -sS --max-time "$(slow 10)" "$BASE$q" 2>/dev/null >"$TMPD/sugg.json" ||
		    return 1
		jq -r '.suggestions[] | "\(.id) \(.kind) \(.agent) \(.created_at)"' \
		    "$TMPD/sugg.json" || return 1
		cursor=$(jq -r '.next_cursor // empty' "$TMPD/sugg.json")
		[ -n "$cursor" ] || break
	done | sort
}

# verify_api ROUND: after the restart that followed ROUND's kill.
verify_api() {
	local r=$1 nacked lost
	nacked=$(wc -l <"$TMPD/r$r/acked" | tr -d ' ')
	set -- $(repost_acked "$TMPD/r$r/acked")
	if [ "$1" = 0 ] && [ "$2" = "$nacked" ]; then
		ok "round $r: API: re-POSTing the $nacked acknowledged ids gives $nacked duplicates"
	else
		not_ok "round $r: API: every acknowledged id is a duplicate after the restart" \
		    "accepted (= lost) $1, duplicates $2 of $nacked"
	fi
	open_suggestions >"$TMPD/r$r/open.after"
	lost=$(comm -23 "$TMPD/r$r/open.before" "$TMPD/r$r/open.after")
	nsugg=$(wc -l <"$TMPD/r$r/open.before" | tr -d ' ')
	if [ -z "$lost" ] && [ "$nsugg" -gt 0 ]; then
		ok "round $r: API: the $nsugg suggestions open before the kill are open after the restart"
	elif [ "$nsugg" = 0 ]; then
		not_ok "round $r: API: open suggestions before the kill" \
		    "none was open: the writers raised no suggestion"
	else
		not_ok "round $r: API: the suggestions open before the kill are open after the restart" \
		    "missing or changed:" "$(printf '%s\n' "$lost" | head -n 10)" \
		    "after: $(wc -l <"$TMPD/r$r/open.after") open"
	fi
}

total_acked=0
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"
for r in $(seq 1 "$ROUNDS"); do
	mkdir "$TMPD/r$r"
	deadline=$(( $(date +%s) + $(slow 8) ))
	pids=
	for w in $(seq 1 $WRITERS); do
		: >"$TMPD/r$r/acked.$w"
		: >"$TMPD/r$r/attempts.$w"
		writer "$r" "$w" "$deadline" &
		pids="$pids $!"
		bg_register $!
	done
	# The random moment: 0.300 to 1.499 s after the writers start
	# (scaled when slow); the suggestions are read just before.
	ms=$(( (300 + RANDOM % 1200) * RESPITE_TEST_SLOW ))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	open_suggestions >"$TMPD/r$r/open.before"
	kill9_daemon
	for p in $pids; do
		wait_exit "$p" 15 || kill_child 9 "$p"
		wait "$p" 2>/dev/null
	done

	cat "$TMPD/r$r"/acked.* >"$TMPD/r$r/acked"
	cat "$TMPD/r$r"/attempts.* >"$TMPD/r$r/attempts"
	nacked=$(wc -l <"$TMPD/r$r/acked" | tr -d ' ')
	nbatches=$(wc -l <"$TMPD/r$r/attempts" | tr -d ' ')
	total_acked=$((total_acked + nacked))
	diag "round $r: killed after $ms ms; $nbatches batches sent, $nacked events acknowledged, $(wc -l <"$TMPD/r$r/open.before") suggestions open"
	if [ "$nacked" -gt 0 ]; then
		ok "round $r: the writers got acknowledgements before the kill ($nacked events)"
	else
		not_ok "round $r: the writers got acknowledgements before the kill"
	fi
	if cat "$TMPD/r$r"/anomalies.* >/dev/null 2>&1; then
		not_ok "round $r: every reply was a full 202 or no reply" \
		    "$(head -n 5 "$TMPD/r$r"/anomalies.*)"
	else
		ok "round $r: every reply was a full 202 or no reply"
	fi

	# The database as the kill left it.
	if have_sqlite3; then
		is "$(db_query 'PRAGMA integrity_check')" ok \
		    "round $r: PRAGMA integrity_check after kill -9 is ok"
		A=$TMPD/r$r/check.db
		sqlite3 "$A" "CREATE TABLE acked(id TEXT PRIMARY KEY)" \
		    "CREATE TABLE att(key TEXT PRIMARY KEY, n INTEGER)" \
		    ".import $TMPD/r$r/acked acked" ".separator ' '" \
		    ".import $TMPD/r$r/attempts att" 2>"$TMPD/r$r/import.err"
		res=$(sqlite3 -cmd '.timeout 5000' "$A" "ATTACH '$DB' AS r" \
		    "SELECT count(*) FROM acked WHERE id NOT IN (SELECT id FROM r.events WHERE id IS NOT NULL)" \
		    "SELECT count(*) FROM att LEFT JOIN (SELECT ticket, count(*) AS c FROM r.events WHERE ticket LIKE 'r$r-%' GROUP BY ticket) s ON s.ticket = att.key WHERE coalesce(s.c, 0) NOT IN (0, att.n)" \
		    "SELECT count(*) FROM r.events WHERE ticket LIKE 'r$r-%' AND ticket NOT IN (SELECT key FROM att)" 2>&1)
		is "$(echo $res)" "0 0 0" \
		    "round $r: sqlite3: all $nacked acknowledged ids are stored, every batch whole or not at all, nothing that was not sent"
	else
		skip "round $r: PRAGMA integrity_check" "sqlite3 is not installed"
		skip "round $r: sqlite3: acknowledged ids and whole batches stored" "sqlite3 is not installed"
	fi

	# Restart on the same database; ask the daemon itself.
	n=$(log_lines)
	if start_daemon; then
		ok "round $r: the daemon restarts on the killed database"
	else
		not_ok "round $r: the daemon restarts on the killed database" \
		    "$(tail -n "+$((n + 1))" "$LOG")"
		break
	fi
	verify_api "$r"
done
stop_daemon
is "$DAEMON_RC" 0 "respited stops cleanly after $ROUNDS kills"

# Nothing acknowledged in an earlier round was lost by a later kill.
if have_sqlite3; then
	cat "$TMPD"/r*/acked >"$TMPD/all.acked"
	A=$TMPD/all.db
	sqlite3 "$A" "CREATE TABLE acked(id TEXT PRIMARY KEY)" ".import $TMPD/all.acked acked"
	res=$(sqlite3 "$A" "ATTACH '$DB' AS r" \
	    "SELECT count(*) FROM acked WHERE id NOT IN (SELECT id FROM r.events WHERE id IS NOT NULL)" 2>&1)
	is "$res" 0 "all rounds: the $total_acked acknowledged ids are all still stored"
	is "$(db_query 'PRAGMA integrity_check')" ok "the final database passes integrity_check"
else
	skip "all rounds: acknowledged ids still stored" "sqlite3 is not installed"
	skip "final integrity_check" "sqlite3 is not installed"
fi

done_testing
