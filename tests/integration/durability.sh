#!/usr/bin/env bash
# respite - the kill -9 test.
#
# Four concurrent writers (bash loops around curl) POST batches of 1-50
# events with unique ids and record every id acknowledged with 202.  The
# daemon is killed with SIGKILL at a random moment 1-3 s in, restarted
# on the same database, and then:
#   - every acknowledged id is stored (sqlite3, and through the API: a
#     re-POST of each acknowledged id must come back as a duplicate);
#   - every batch is stored whole or not at all (sqlite3);
#   - PRAGMA integrity_check says ok (sqlite3).
# Three kill cycles, with the default synchronous = full.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[storage]
synchronous = full"
WRITERS=4
CYCLES=3

# writer CYCLE W DEADLINE_S: post batches until the daemon is gone or
# the deadline (epoch seconds) passes.  Files: attempts.W ("KEY N" before
# each request), acked.W (ids of each batch answered 202 with
# {"accepted":N,"duplicates":0}), anomalies.W (anything else).
writer() {
	local c=$1 w=$2 deadline=$3 b=0 n i key body ids code out
	local dir=$TMPD/c$c
	while [ "${EPOCHSECONDS:-$(date +%s)}" -lt "$deadline" ]; do
		b=$((b + 1))
		n=$((RANDOM % 50 + 1))
		key="c$c-w$w-b$b"
		body='['
		ids=
		for ((i = 0; i < n; i++)); do
			body+="{\"id\":\"$key-e$i\",\"type\":\"ticket.assigned\",\"agent\":\"dw$w\",\"channel\":\"email\",\"ticket\":\"$key\"},"
			ids+="$key-e$i"$'\n'
		done
		body="${body%,}]"
		echo "$key $n" >>"$dir/attempts.$w"
		code=$(curl -sS --max-time 10 -o "$dir/out.$w" -w '%{http_code}' \
		    -H 'Content-Type: application/json' --data-binary "$body" \
		    "$BASE/v1/events" 2>/dev/null)
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

# repost_acked FILE: re-POST every id in FILE (as an agent.login of agent
# "recheck"), 500 at a time; prints "ACCEPTED DUPLICATES" summed.
repost_acked() {
	local acc=0 dup=0 body= k=0 id
	flush() {
		[ $k -gt 0 ] || return
		post_events "[${body%,}]"
		if [ "$STATUS" = 202 ]; then
			acc=$((acc + $(jqr .accepted)))
			dup=$((dup + $(jqr .duplicates)))
		else
			acc=$((acc + k))	# counts as not stored
		fi
		body=
		k=0
	}
	while IFS= read -r id; do
		body+="{\"id\":\"$id\",\"type\":\"agent.login\",\"agent\":\"recheck\"},"
		k=$((k + 1))
		[ $k -ge 500 ] && flush
	done <"$1"
	flush
	echo "$acc $dup"
}

total_acked=0
for c in $(seq 1 $CYCLES); do
	mkdir "$TMPD/c$c"
	start_daemon || bail_out "cycle $c: respited did not start: $(tail -n 5 "$LOG")"
	deadline=$(( $(date +%s) + $(slow 8) ))
	pids=
	for w in $(seq 1 $WRITERS); do
		: >"$TMPD/c$c/acked.$w"
		: >"$TMPD/c$c/attempts.$w"
		writer "$c" "$w" "$deadline" &
		pids="$pids $!"
		bg_register $!
	done
	# The random moment: 1.000 to 2.999 s after the writers start.
	ms=$((1000 + RANDOM % 2000))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill9_daemon
	for p in $pids; do
		wait_exit "$p" 15 || kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done

	cat "$TMPD/c$c"/acked.* >"$TMPD/c$c/acked"
	cat "$TMPD/c$c"/attempts.* >"$TMPD/c$c/attempts"
	nacked=$(wc -l <"$TMPD/c$c/acked" | tr -d ' ')
	nbatches=$(wc -l <"$TMPD/c$c/attempts" | tr -d ' ')
	total_acked=$((total_acked + nacked))
	diag "cycle $c: killed after $ms ms; $nbatches batches sent, $nacked events acknowledged"
	if [ "$nacked" -gt 0 ]; then
		ok "cycle $c: the writers got acknowledgements before the kill ($nacked events)"
	else
		not_ok "cycle $c: the writers got acknowledgements before the kill"
	fi
	if cat "$TMPD/c$c"/anomalies.* >/dev/null 2>&1; then
		not_ok "cycle $c: every reply was a full 202 or no reply" \
		    "$(head -n 5 "$TMPD/c$c"/anomalies.*)"
	else
		ok "cycle $c: every reply was a full 202 or no reply"
	fi

	# The database as the kill left it.
	if have_sqlite3; then
		is "$(db_query 'PRAGMA integrity_check')" ok \
		    "cycle $c: PRAGMA integrity_check after kill -9 is ok"
		A=$TMPD/c$c/check.db
		sqlite3 "$A" "CREATE TABLE acked(id TEXT PRIMARY KEY)" \
		    "CREATE TABLE att(key TEXT PRIMARY KEY, n INTEGER)" \
		    ".import $TMPD/c$c/acked acked" ".separator ' '" \
		    ".import $TMPD/c$c/attempts att" 2>"$TMPD/c$c/import.err"
		res=$(sqlite3 -cmd '.timeout 5000' "$A" "ATTACH '$DB' AS r" \
		    "SELECT count(*) FROM acked WHERE id NOT IN (SELECT id FROM r.events WHERE id IS NOT NULL)" 2>&1)
		is "$res" 0 "cycle $c: sqlite3: all $nacked acknowledged ids are stored"
		res=$(sqlite3 -cmd '.timeout 5000' "$A" "ATTACH '$DB' AS r" \
		    "SELECT count(*) FROM att LEFT JOIN (SELECT ticket, count(*) AS c FROM r.events WHERE ticket LIKE 'c$c-%' GROUP BY ticket) s ON s.ticket = att.key WHERE coalesce(s.c, 0) NOT IN (0, att.n)" 2>&1)
		is "$res" 0 "cycle $c: sqlite3: every batch is stored whole or not at all"
		res=$(sqlite3 -cmd '.timeout 5000' "$A" "ATTACH '$DB' AS r" \
		    "SELECT count(*) FROM r.events WHERE ticket LIKE 'c$c-%' AND ticket NOT IN (SELECT key FROM att)" 2>&1)
		is "$res" 0 "cycle $c: sqlite3: nothing is stored that was not sent"
	else
		skip "cycle $c: PRAGMA integrity_check" "sqlite3 is not installed"
		skip "cycle $c: sqlite3: acknowledged ids stored" "sqlite3 is not installed"
		skip "cycle $c: sqlite3: batches whole or not at all" "sqlite3 is not installed"
		skip "cycle $c: sqlite3: nothing stored that was not sent" "sqlite3 is not installed"
	fi

	# Restart on the same database; ask the daemon itself.
	n=$(log_lines)
	if start_daemon; then
		ok "cycle $c: the daemon restarts on the killed database"
	else
		not_ok "cycle $c: the daemon restarts on the killed database" \
		    "$(tail -n "+$((n + 1))" "$LOG")"
		break
	fi
	set -- $(repost_acked "$TMPD/c$c/acked")
	if [ "$1" = 0 ] && [ "$2" = "$nacked" ]; then
		ok "cycle $c: API: re-POSTing the $nacked acknowledged ids gives $nacked duplicates"
	else
		not_ok "cycle $c: API: every acknowledged id is a duplicate after the restart" \
		    "accepted (= lost) $1, duplicates $2 of $nacked"
	fi
	kill9_daemon
done

# Nothing acknowledged in an earlier cycle was lost by a later kill.
if have_sqlite3; then
	cat "$TMPD"/c*/acked >"$TMPD/all.acked"
	A=$TMPD/all.db
	sqlite3 "$A" "CREATE TABLE acked(id TEXT PRIMARY KEY)" ".import $TMPD/all.acked acked"
	res=$(sqlite3 "$A" "ATTACH '$DB' AS r" \
	    "SELECT count(*) FROM acked WHERE id NOT IN (SELECT id FROM r.events WHERE id IS NOT NULL)" 2>&1)
	is "$res" 0 "all cycles: the $total_acked acknowledged ids are all still stored"
	is "$(db_query 'PRAGMA integrity_check')" ok "the final database passes integrity_check"
else
	skip "all cycles: acknowledged ids still stored" "sqlite3 is not installed"
	skip "final integrity_check" "sqlite3 is not installed"
fi

done_testing
