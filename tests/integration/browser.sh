#!/usr/bin/env bash
# respite - browsers are not trusted to keep pages apart (API.md
# "Authentication"): a request from another origin (Origin) or one the
# browser calls cross-site (Sec-Fetch-Site) is 403 and changes nothing,
# the daemon's own origin and [server] allow_origins pass (the latter
# with CORS headers and a preflight), a link from another site to the
# page still opens it, and in open mode only a loopback Host is served
# (DNS rebinding).  curl sends neither header, like any non-browser.

. "$(dirname "$0")/lib.sh"
require_tools
setup

write_config "[server]
allow_origins = https://Intranet.example:8443, http://tools.example"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

ev() {	# ev ID: one login event
	printf '{"id":"%s","type":"agent.login","agent":"%s","team":"t1"}' "$1" "$1"
}
stored() {	# stored ID: is event ID in the database?
	[ "$(db_query "SELECT count(*) FROM events WHERE agent = '$1'")" = 1 ]
}

# ---- another site's page
post_events "$(ev evil1)" -H 'Content-Type: text/plain' \
    -H 'Origin: http://evil.example' -H 'Sec-Fetch-Site: cross-site'
error_is 403 forbidden - - "a cross-site text/plain POST /v1/events: 403 forbidden"
post_events "$(ev evil2)" -H 'Origin: http://evil.example'
error_is 403 forbidden - - "Origin of another site: 403"
post_events "$(ev evil3)" -H 'Sec-Fetch-Site: cross-site'
error_is 403 forbidden - - "Sec-Fetch-Site: cross-site: 403"
post_events "$(ev evil4)" -H 'Origin: null'
error_is 403 forbidden - - "Origin: null (a sandboxed frame): 403"
post_events "$(ev evil5)" -H "Origin: https://127.0.0.1:$PORT"
error_is 403 forbidden - - "our host and port but https: another origin, 403"
post_events "$(ev evil6)" -H "Origin: http://localhost:$PORT" \
    -H "Host: 127.0.0.1:$PORT"
error_is 403 forbidden - - "Origin localhost for Host 127.0.0.1: another origin, 403"
req GET /v1/agents "" -H 'Origin: http://evil.example'
error_is 403 forbidden - - "a read from another site: 403"
is "$(header_get Access-Control-Allow-Origin)" "" "... with no CORS header"
req OPTIONS /v1/events "" -H 'Origin: http://evil.example' \
    -H 'Access-Control-Request-Method: POST'
error_is 403 forbidden - - "a preflight from another site: 403"
is "$(header_get Access-Control-Allow-Origin)" "" "... with no CORS header"
req GET /healthz "" -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: no-cors'
status_is 403 "every route: /healthz from another site's page too"
n=0
for id in evil1 evil2 evil3 evil4 evil5 evil6; do
	stored $id && n=$((n + 1))
done
is "$n" 0 "nothing of the refused requests was stored"
req GET /v1/agents
jq_is '.agents | length' 0 "... and no agent was made"

# ---- the daemon's own page and other clients
post_events "$(ev own1)" -H "Origin: http://127.0.0.1:$PORT" \
    -H 'Sec-Fetch-Site: same-origin'
status_is 202 "our own origin (the page's POST): accepted"
req GET /v1/agents "" -H 'Sec-Fetch-Site: same-origin' -H 'Sec-Fetch-Mode: cors'
status_is 200 "the page's same-origin GET: 200"
jq_is '[.agents[].agent]' '["own1"]' "... and its event was stored"
post_events "$(ev own2)" -H "Origin: http://LOCALHOST:$PORT" \
    -H "Host: localhost:$PORT"
status_is 202 "origin compared without case: accepted"
req GET / "" -H 'Sec-Fetch-Site: none' -H 'Sec-Fetch-Mode: navigate' \
    -H 'Sec-Fetch-Dest: document'
status_is 200 "the page, typed in: 200"
req GET / "" -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: navigate' \
    -H 'Sec-Fetch-Dest: document'
status_is 200 "the page, from a link on another site: 200 (it holds no data)"
req GET /app.js "" -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: no-cors' \
    -H 'Sec-Fetch-Dest: script'
status_is 403 "... but not as another site's <script>"
req GET /v1/agents "" -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: navigate' \
    -H 'Sec-Fetch-Dest: document'
status_is 403 "... nor the API from a link on another site"
post_events "$(ev curl1)"
status_is 202 "curl (no Origin, no Sec-Fetch-Site): accepted"

# ---- [server] allow_origins
post_events "$(ev listed1)" -H 'Origin: https://intranet.example:8443' \
    -H 'Sec-Fetch-Site: cross-site'
status_is 202 "an origin of allow_origins: accepted, even cross-site"
header_is Access-Control-Allow-Origin https://intranet.example:8443 \
    "... with Access-Control-Allow-Origin"
header_is Vary Origin "... and Vary: Origin"
req GET /v1/agents "" -H 'Origin: http://tools.example'
status_is 200 "the second origin of the list: 200"
header_is Access-Control-Allow-Origin http://tools.example "... with CORS"
req GET /v1/agents "" -H 'Origin: http://tools.example:80'
status_is 200 "... also with its default port written out"
req OPTIONS /v1/events "" -H 'Origin: https://intranet.example:8443' \
    -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization, content-type'
status_is 200 "a preflight of a listed origin: 200"
like "$(header_get Access-Control-Allow-Headers)" 'Authorization.*Content-Type' \
    "... allowing Authorization and Content-Type"
like "$(header_get Access-Control-Allow-Methods)" POST "... and POST"
req GET /v1/agents "" -H 'Origin: https://intranet.example'
error_is 403 forbidden - - "a listed host on another port: 403"
post_events "$(ev listed2)"
is "$(header_get Access-Control-Allow-Origin)" "" \
    "no CORS headers without an Origin (kept per request, not per connection)"

# ---- DNS rebinding (open mode)
req GET /v1/agents "" -H 'Host: evil.example'
error_is 403 forbidden - - "open mode: Host evil.example (DNS rebinding): 403"
req GET /v1/agents "" -H "Host: evil.example:$PORT"
error_is 403 forbidden - - "... with our port too"
post_events "$(ev rebind1)" -H "Host: evil.example:$PORT" \
    -H "Origin: http://evil.example:$PORT" -H 'Sec-Fetch-Site: same-origin'
error_is 403 forbidden - - "... also 'same-origin' as the rebound page sees it"
check_fail "... and nothing was stored" stored rebind1
req GET /v1/agents "" -H 'Host: 127.0.0.1.evil.example'
status_is 403 "a name starting like 127.0.0.1: 403"
for h in "localhost:$PORT" "LocalHost" "127.0.0.1:$PORT" "127.8.9.10:$PORT" \
    "[::1]:$PORT" "[::1]"; do
	req GET /v1/agents "" -H "Host: $h"
	status_is 200 "open mode: Host $h: 200"
done

# ---- with tokens, any Host (the listener may be on the network)
TOKENS=$TMPD/tokens
T=rsp_admin-$RANDOM$RANDOM
printf 'sha256:%s admin ops\n' "$(printf '%s' "$T" | sha256sum | cut -d' ' -f1)" >"$TOKENS"
n=$(log_lines)
kill -HUP "$DAEMON_PID"
wait_log "reloaded" 5 "$n" || diag "no reload in the log"
req GET /v1/agents "" -H 'Host: respite.example' -H "Authorization: Bearer $T"
status_is 200 "with tokens: Host respite.example served"
req GET /v1/agents "" -H 'Host: respite.example' -H "Authorization: Bearer $T" \
    -H 'Origin: http://evil.example'
error_is 403 forbidden - - "... but not from another origin, token or not"
req GET /v1/agents "" -H "Host: respite.example:$PORT" -H "Authorization: Bearer $T" \
    -H "Origin: http://respite.example:$PORT"
status_is 200 "... from its own origin: 200"

stop_daemon
check "respited stops cleanly" $?
done_testing
