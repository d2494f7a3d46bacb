#!/usr/bin/env bash
# respite - what clients that ask for large replies and never read them
# may hold (issue 21 item 4): GET /v1/agents pages are written an agent
# at a time as the client reads, bounded by [server] max_unsent per
# connection and max_unsent_total over all, so thirty clients asking for
# eight 5,000-agent pages each and reading nothing hold about max_unsent
# each, not the pages (1 MB each), and /healthz stays quick meanwhile.
# A page read whole is the same JSON as before (chunked framing; HTTP/1.0:
# delimited by the close).  Event times are now: nothing depends on where
# the wall clock is in a minute.

. "$(dirname "$0")/lib.sh"
require_tools
setup
have_python || skip_all "python3 is needed for the non-reading clients"

U="python3 $(dirname "$0")/unsent.py"
AGENTS=10000
CLIENTS=30
PAGE="/v1/agents?limit=5000"

write_config "[server]
max_connections = 256"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

out=$($U load "$PORT" "$AGENTS")
is "$(jq -r .agents <<<"$out")" "$AGENTS" "$AGENTS agents posted"

# A page read whole: chunked, complete JSON, a cursor to the second page.
out=$($U get "$PORT" "$PAGE")
is "$(jq -r '[.status, .framing] | @tsv' <<<"$out")" "200	chunked" \
    "a 5,000-agent page: 200, chunked"
jq -r .body <<<"$out" >"$TMPD/page1"
is "$(jq '.agents | length' "$TMPD/page1")" 5000 "... 5,000 agents, valid JSON"
is "$(jq -r '.agents[0].agent' "$TMPD/page1")" agent-000000 "... in id order"
cur=$(jq -r .next_cursor "$TMPD/page1")
like "$cur" '^[0-9a-f]+$' "... and a next_cursor"
out=$($U get "$PORT" "$PAGE&cursor=$cur")
jq -r .body <<<"$out" >"$TMPD/page2"
is "$(jq -r '[(.agents | length), .agents[0].agent, (.next_cursor | tostring)] | @tsv' \
    "$TMPD/page2")" "5000	agent-005000	null" \
    "the second page: the other 5,000, next_cursor null"

# The same page as a buffered reply would be: every agent object equal to
# what GET /v1/agents/{id} lists (a small page is sent whole).
req GET "/v1/agents?limit=3"
# (strain and level move with the clock: the fields that do not)
F='[.agents[] | [.agent, .team, .status, .updated_at, (keys | length)]]'
jq -c "$F" <<<"$BODY" >"$TMPD/small"
is "$(jq -c '.agents |= .[0:3]' "$TMPD/page1" | jq -c "$F")" "$(cat "$TMPD/small")" \
    "the first three agents of the piecewise page equal a small page's"

# HTTP/1.0 has no chunked framing: the body ends at the close.
body10=$(curl -s -0 --max-time "$(slow 30)" "$BASE$PAGE" | jq '.agents | length')
is "$body10" 5000 "HTTP/1.0: the page delimited by the close, 5,000 agents"

# Thirty clients, eight pipelined pages each, reading nothing.
# /healthz with nothing held, for the bound below: on a loaded machine
# (issue 20) every answer is slower, held or not.
base=$($U probe "$PORT" 11 | jq -r .healthz_median_ms)
bound=$(awk -v b="$base" -v s="$(slow 500)" 'BEGIN { printf "%d", s + 5 * (b > 0 ? b : 0) }')
paths=
for i in 1 2 3 4 5 6 7 8; do paths="$paths $PAGE"; done
# shellcheck disable=SC2086
out=$($U hold "$PORT" "$DAEMON_PID" "$CLIENTS" 3 $paths)
diag "held: $out"
held=$(jq -r .held_kb <<<"$out")
# 240 pages of ~1 MB each if they were built whole; each client may hold
# max_unsent (64 KiB) plus one agent and the kernel's buffers.  Sanitizer
# builds keep freed memory in quarantine: the bound is for plain builds.
if [ "${RESPITE_SANITIZERS:-0}" = 1 ] || ldd "$RESPITED" 2>/dev/null | grep -q libasan; then
	skip "RSS bound (a sanitizer build keeps freed memory)"
else
	check_ok "$CLIENTS clients x 8 pages unread hold < 10 MB (held ${held} kB)" \
	    test "$held" -lt 10240
fi
# The median, not the slowest: on a loaded machine (two sanitizer suites
# at once) one probe may wait for the scheduler; a loop blocked by the
# unread replies makes every probe slow (1.2 s at 100,000 agents before).
hz=$(jq -r .healthz_median_ms <<<"$out")
check_ok "/healthz meanwhile answered, median ${hz} ms (< $bound: $(slow 500) + 5 x ${base} ms with nothing held), slowest $(jq -r .healthz_max_ms <<<"$out") ms" \
    awk -v h="$hz" -v m="$bound" 'BEGIN { exit !(h >= 0 && h < m) }'
is "$(jq -r .healthz_failed <<<"$out")" 0 "... no /healthz failed"

# Poll until nothing is counted unsent; the count in $left.
unsent_settles() {
	local i
	for i in $(seq 1 "$(slow 50)"); do
		req GET /metrics
		left=$(awk '/^respite_http_unsent_bytes /{ print $2 }' <<<"$BODY")
		[ "$left" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}
# Each of them had up to max_unsent queued when it went: a connection
# freed with its output unsent must leave the count (libevent keeps that
# buffer from being drained; this once leaked the bytes for good).
unsent_settles
is "${left:-?}" 0 "once the non-reading clients have gone, nothing is left unsent"
req GET /metrics
like "$(grep '^respite_http_unsent_bytes ' <<<"$BODY")" '^respite_http_unsent_bytes [0-9]+$' \
    "/metrics: respite_http_unsent_bytes"
like "$(grep '^respite_http_unsent_waits_total ' <<<"$BODY")" \
    '^respite_http_unsent_waits_total [0-9]+$' \
    "/metrics: respite_http_unsent_waits_total"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

# max_unsent_total at its minimum: the pieces wait for each other, and a
# reader still gets every page whole.
write_config "[server]
max_connections = 256
max_unsent = 4096
max_unsent_total = 4096"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
# shellcheck disable=SC2086
out=$($U hold "$PORT" "$DAEMON_PID" 5 1 $PAGE $PAGE)
diag "held (4 KiB total): $out"
# KNOWN BUG (issue 21, seen in both suites of an ASan pair on
# 2026-12-06, never in a plain build): at this minimum a reply in pieces
# can stall after the holding clients have gone (4133 bytes stay counted
# unsent, one connection is still open at shutdown).  Until it is found,
# these checks report a failure as TODO (XFAIL), not as a pass.
out=$($U get "$PORT" "$PAGE")
jq -r .body <<<"$out" >"$TMPD/page1b"
# The same agents in the same order (strain and level move with the
# clock between the two runs: not compared).
check_ok "with max_unsent_total = 4096 a page still reads back whole: the same 5,000 agents" \
    cmp -s <(jq -c '[.agents[] | .agent], .next_cursor' "$TMPD/page1") \
    <(jq -c '[.agents[] | .agent], .next_cursor' "$TMPD/page1b")
check_ok "... each with the same fields" \
    test "$(jq -c '[.agents[] | keys] | unique' "$TMPD/page1b")" = \
    "$(jq -c '[.agents[] | keys] | unique' "$TMPD/page1")"
req GET /metrics
waits=$(awk '/^respite_http_unsent_waits_total /{ print $2 }' <<<"$BODY")
check_ok "... pieces waited for max_unsent_total (waits ${waits:-none})" \
    test "${waits:-0}" -gt 0
# The daemon hears of the closes as its loop gets to them.
unsent_settles
is "${left:-?}" 0 "once every client has gone, nothing is left unsent"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"
done_testing
