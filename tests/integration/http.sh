#!/usr/bin/env bash
# respite - the HTTP/1.1 server: keep-alive, pipelining, malformed and
# oversized requests, max_connections, slow clients, timeouts, IPv6.
#
# Raw-socket cases use a small python3 client (standard library only);
# without python3 they are skipped.

. "$(dirname "$0")/lib.sh"
require_tools
setup

PY=$(dirname "$0")/rawhttp.py

# py CMD ARGS...: run the raw client against the daemon; sets BODY.
py() {
	local c=$1
	shift
	BODY=$(timeout 20 python3 "$PY" "$c" 127.0.0.1 "$PORT" "$@" 2>"$TMPD/py.err")
	[ -n "$BODY" ] || BODY='{"python_error": true}'
	STATUS=py
}

# raw N [close]: send the file $TMPD/rq at once, read N replies (and
# whether the daemon then closes).  Not in a pipeline: it sets BODY.
raw() {
	py send "$@" <"$TMPD/rq"
}

write_config "[server]
max_connections = 3
idle_timeout = 10
request_timeout = 2
max_body = 64K"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

# ---- keep-alive: several requests over one connection (curl)

out=$(curl -sS -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
    -w '%{http_code}:%{num_connects} ' "$BASE/healthz" "$BASE/v1/agents" \
    "$BASE/healthz" "$BASE/nope" 2>&1)
is "$out" "200:1 200:0 200:0 404:0 " "keep-alive: 4 requests, one connection"
out=$(curl -sS -o /dev/null -w '%{http_code}:%{num_connects} ' \
    -H 'Content-Type: application/json' \
    -d '{"type":"agent.login","agent":"ka1"}' "$BASE/v1/events" \
    --next -o /dev/null -w '%{http_code}:%{num_connects} ' \
    "$BASE/v1/agents/ka1" 2>&1)
is "$out" "202:1 200:0 " "keep-alive: a POST then a GET on the same connection"
out=$(curl -sS -o /dev/null -o /dev/null -w '%{http_code}:%{num_connects} ' \
    -H 'Connection: close' "$BASE/healthz" "$BASE/healthz" 2>&1)
is "$out" "200:1 200:1 " "Connection: close: the daemon closes, the next request reconnects"

if ! have_python; then
	for t in pipelining half_close malformed oversized max_connections slow_client \
	    request_timeout idle_timeout ipv6 header_timeout; do
		skip "$t" "python3 is not installed"
	done
	stop_daemon
	done_testing
fi

# ---- pipelining: three requests in one write, three replies in order

ev='{"type":"agent.login","agent":"pipe1","team":"p"}'
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nPOST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%sGET /v1/agents/pipe1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
    ${#ev} "$ev" >"$TMPD/rq"
raw 3 close
jq_is '[.responses[].status]' '[200,202,200]' "pipelining: three replies, in order"
jq_is '.responses[1].body | fromjson' '{"accepted":1,"duplicates":0}' "pipelining: the POST's 202 body"
jq_is '.responses[2].body | fromjson | [.agent, .team]' '["pipe1","p"]' \
    "pipelining: the GET after the POST sees its event"
jq_is '[.responses[2].headers.connection, .closed]' '["close",true]' \
    "pipelining: Connection: close on the last request closes after it"

printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGARBAGE\r\n\r\n' >"$TMPD/rq"
raw 3 close
jq_is '[.responses[].status, .closed]' '[200,200,400,true]' \
    "pipelining: a bad third request gets its own 400 after two good replies, then close"

# ---- a client that shuts down its sending side after the request

py halfclose
jq_is '[.reply.status, (.reply.body | fromjson), .closed]' \
    '[202,{"accepted":1,"duplicates":0},true]' \
    "half-close: the request is answered after the client's FIN, then closed"
req GET /v1/agents/half1
status_is 200 "... and its event was stored"

# ---- malformed requests: 400 with a JSON error, then close

# bad_req DESC STATUS CODE: send $TMPD/rq, expect one JSON error and a close.
bad_req() {
	raw 1 close
	local got
	got=$(jqb '[.responses[0].status, (.responses[0].body | fromjson? | .error.code),
	    .responses[0].headers["content-type"], .closed]')
	if [ "$got" = "[$2,\"$3\",\"application/json; charset=utf-8\",true]" ]; then
		ok "$1"
	else
		not_ok "$1" "expected [$2,\"$3\",json,closed]" "got $got" "$BODY"
	fi
}

printf 'GARBAGE\r\n\r\n' >"$TMPD/rq"
bad_req "a request line without a target: 400 invalid_request" 400 invalid_request
printf 'GET /healthz\r\n\r\n' >"$TMPD/rq"
bad_req "a request line without a version: 400" 400 invalid_request
printf 'GET healthz HTTP/1.1\r\n\r\n' >"$TMPD/rq"
bad_req "a target not starting with /: 400" 400 invalid_request
printf 'GET /healthz HTTP/2.0\r\n\r\n' >"$TMPD/rq"
bad_req "HTTP/2.0 in the request line: 505 (JSON, issue 13)" 505 invalid_request
printf 'GET /healthz HTTP/3.1\r\n\r\n' >"$TMPD/rq"
bad_req "HTTP/3.1 in the request line: 505 (JSON)" 505 invalid_request
printf 'GET /healthz HTTP/11.0\r\n\r\n' >"$TMPD/rq"
bad_req "a malformed HTTP version: 400" 400 invalid_request
printf 'GET /a b HTTP/1.1\r\n\r\n' >"$TMPD/rq"
bad_req "a space in the target: 400" 400 invalid_request
printf 'GET /healthz HTTP/1.1\r\nNoColonHere\r\n\r\n' >"$TMPD/rq"
bad_req "a header without a colon: 400" 400 invalid_request
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n' >"$TMPD/rq"
bad_req "obsolete header folding: 400" 400 invalid_request
printf 'POST /v1/events HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' >"$TMPD/rq"
bad_req "Content-Length and chunked together: 400" 400 invalid_request
printf 'POST /v1/events HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n12345' >"$TMPD/rq"
bad_req "two different Content-Lengths: 400" 400 invalid_request
printf 'POST /v1/events HTTP/1.1\r\nContent-Length: -1\r\n\r\n' >"$TMPD/rq"
bad_req "a negative Content-Length: 400" 400 invalid_request
printf 'POST /v1/events HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n' >"$TMPD/rq"
bad_req "an unsupported transfer-coding: 400 (JSON)" 400 invalid_request
printf 'POST /v1/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n' >"$TMPD/rq"
bad_req "a malformed chunked body: 400" 400 invalid_request
printf 'GET /%%zz HTTP/1.1\r\n\r\n' >"$TMPD/rq"
bad_req "bad percent-encoding in the path: 400" 400 invalid_request

# ---- oversized head: 413 too_large (JSON)

{
	printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: '
	head -c 20000 /dev/zero | tr '\0' a
	printf '\r\n\r\n'
} >"$TMPD/rq"
bad_req "a 20 KB header: 413 too_large" 413 too_large
{
	printf 'GET /healthz HTTP/1.1\r\n'
	for i in $(seq 1 70); do printf 'X-H%d: v\r\n' "$i"; done
	printf '\r\n'
} >"$TMPD/rq"
bad_req "70 header fields: 413 too_large" 413 too_large
{
	printf 'GET /%s HTTP/1.1\r\n\r\n' "$(head -c 17000 /dev/zero | tr '\0' a)"
} >"$TMPD/rq"
bad_req "a 17 KB request target: 413 too_large" 413 too_large

# The daemon is unharmed.
req GET /healthz
status_is 200 "healthz after the malformed requests"

# ---- max_connections = 3: a new connection takes an idle one's slot

py evict
jq_is '.new.status' 200 "3 silent connections fill max_connections 3: a new /healthz still gets 200"
jq_is '.silent_open' '[false,true,true]' "... the oldest silent connection was closed for it"
jq_is '[.new2.status, .open_after2]' '[200,[false,false,true,true]]' \
    "... another new client: the next oldest idle one goes"
req GET /metrics
like "$BODY" 'respite_http_connections_evicted_total [2-9]' "/metrics counts the evictions"

# ---- max_connections = 3, none idle: 503

py maxconn
jq_is '.admitted' '[200,200,200]' "3 streams admitted (max_connections 3)"
jq_is '[.fourth.status, (.fourth.body | fromjson | .error.code), .fourth_closed]' \
    '[503,"unavailable",true]' "no connection idle: the 4th gets 503 unavailable (JSON) and is closed"
jq_is '.fourth.headers["content-type"]' '"application/json; charset=utf-8"' "the 503 is JSON"
jq_is '[.fifth.status, (.fifth.body | fromjson | .error.code)]' '[503,"unavailable"]' \
    "a client that sends its request at once also reads the 503"
jq_is '.busy_open' '[true,true,true]' "the 3 streams stay open"
got=$(grep -c "connection refused: max_connections" "$LOG")
is "$got" 1 "the refusals are logged once, not once each"
jq_is '.after.status' 200 "after closing one, a new connection is served"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/healthz" 2>/dev/null)
is "$code" 200 "all slots free again once the clients are gone"

# ---- a slow client does not block others

py slow
jq_is '[.b.status, .b2.status, (.b2.body | fromjson | .agent)]' '[202,200,"fast1"]' \
    "while a client stalls mid-body, another is served"
if [ "$(jqr '.b_seconds < 1')" = true ]; then
	ok "the other client waited less than 1 s ($(jqr .b_seconds) s)"
else
	not_ok "the other client waited less than 1 s" "$BODY"
fi
jq_is '[.a.status, (.a.body | fromjson)]' '[202,{"accepted":1,"duplicates":0}]' \
    "the slow client's request completes when the rest arrives"

# ---- request_timeout = 2: a trickling request is cut off

py trickle
got=$(jqr '.closed_after')
if awk -v g="$got" 'BEGIN { exit !(g != "null" && g >= 1.5 && g <= 4) }'; then
	ok "a request trickling one byte at a time is closed after request_timeout (${got} s)"
else
	not_ok "a trickling request is closed after request_timeout (2 s)" "$BODY"
fi

# half a request, then silence: closed after request_timeout too
printf 'POST /v1/events HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"ty' >"$TMPD/rq"
raw 1 close
jq_is '[.responses, .closed]' '[[],true]' "a stalled request body is closed without a reply after request_timeout"

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM with clients gone: exit 0"

# ---- idle_timeout = 1 (and IPv6, if this machine has ::1)

V6=no
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	V6=yes
fi
extra=
[ $V6 = yes ] && extra="listen = [::1]:$PORT"
write_config "[server]
$extra
idle_timeout = 1"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"

py idle fresh
got=$(jqr '.closed_after')
if awk -v g="$got" 'BEGIN { exit !(g != "null" && g >= 0.5 && g <= 3) }'; then
	ok "an idle new connection is closed after idle_timeout 1 s (${got} s)"
else
	not_ok "an idle connection is closed after idle_timeout" "$BODY"
fi
py idle after
got=$(jqr '.closed_after')
if [ "$(jqr '.reply.status')" = 200 ] &&
    awk -v g="$got" 'BEGIN { exit !(g != "null" && g >= 0.5 && g <= 3) }'; then
	ok "a kept-alive connection is closed 1 s after its last reply (${got} s)"
else
	not_ok "a kept-alive connection is closed after idle_timeout" "$BODY"
fi

if [ $V6 = yes ]; then
	grep -q "listening on http://\[::1\]:$PORT" "$LOG"
	check "the daemon logs listening on http://[::1]:$PORT" $?
	code=$(curl -sS -g -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/healthz" 2>/dev/null)
	is "$code" 200 "GET /healthz over IPv6 [::1]"
	out=$(curl -sS -g -H 'Content-Type: application/json' \
	    -d '{"type":"agent.login","agent":"six"}' "http://[::1]:$PORT/v1/events" 2>&1)
	is "$out" '{"accepted":1,"duplicates":0}' "POST /v1/events over IPv6"
	req GET /v1/agents/six
	status_is 200 "the IPv6 event is visible over IPv4"
else
	for t in "listen [::1] logged" "healthz over IPv6" "POST over IPv6" "IPv6 event visible"; do
		skip "$t" "no IPv6 loopback on this machine"
	done
fi

stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

# ---- header_timeout = 1: a new connection's first head, or it is closed

write_config "[server]
header_timeout = 1
idle_timeout = 30"
start_daemon || bail_out "respited did not restart: $(tail -n 5 "$LOG")"
py headertimeout
jq_is '.kept.status' 200 "header_timeout 1 s: a request at once is answered"
got=$(jqr '.silent_closed_after')
if awk -v g="$got" 'BEGIN { exit !(g != "null" && g >= 0.5 && g <= 3) }'; then
	ok "a silent new connection is closed after header_timeout 1 s (${got} s), not idle_timeout 30 s"
else
	not_ok "a silent new connection is closed after header_timeout" "$BODY"
fi
got=$(jqr '.half_closed_after')
if awk -v g="$got" 'BEGIN { exit !(g != "null" && g <= 3) }'; then
	ok "half a first head is closed after header_timeout too (${got} s)"
else
	not_ok "half a first head is closed after header_timeout" "$BODY"
fi
jq_is .kept_open true "a kept-alive connection that made a request stays open past it"
req GET /metrics
like "$BODY" 'respite_http_header_timeouts_total [2-9]' "/metrics counts the header timeouts"
stop_daemon
is "$DAEMON_RC" 0 "SIGTERM: exit 0"

done_testing
