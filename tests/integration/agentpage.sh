#!/usr/bin/env bash
# respite - the agent's page at /agent (docs/agent-page.md) and GET /v1/me.
#
# First with curl: /v1/me per role, the files of the page (types, the
# Content-Security-Policy, no-cache, ETag, no token needed), the web app
# manifest (valid JSON, its icons served as PNG), HEAD and 405.
#
# Then in a real browser, as web.sh does it (Debian's chromium, headless,
# driven by playwright-core installed once into a cache outside the
# tree; skipped with a message when chromium, node, npm or the npm
# registry is missing), through agentpage.mjs: a wrong token shows an
# error; the token in the address's fragment is taken out of the address
# bar; with the notifications permission granted a hostile message
# raises a notification (through the service worker, with its action
# buttons) on the open page; Snooze honours respited's limit
# (snooze_max_times = 1: after one snooze the suggestion comes back
# without Snooze, and respited refuses another); Start break accepts it,
# the agent is on_break, the countdown runs and ends with "Welcome back"
# and the break ended in respited; the page resumes after respited
# restarts (a new suggestion reaches it); with notifications denied the
# page says so, counts in the title and still works, in German by the
# browser's language; Dismiss on a notification reaches the page through
# the service worker; a revoked token gets the form and a clear error.
# Last, the token never appears in respited's log.
#
# Event times are the time of receipt, or a fixed offset from it (a
# snooze's end): nothing depends on where the wall clock falls.  The
# screenshot web-agent.png (the README's) goes to $RESPITE_WEB_SHOTS,
# else the current directory.

. "$(dirname "$0")/lib.sh"
require_tools
setup
SRC=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

T_ALICE=rsp_alice-$RANDOM$RANDOM$RANDOM
T_ADMIN=rsp_admin-$RANDOM$RANDOM$RANDOM
T_INGEST=rsp_ingest-$RANDOM$RANDOM$RANDOM
T_LEAD=rsp_lead-$RANDOM$RANDOM$RANDOM
cat >"$TMPD/tokens" <<EOT
sha256:$(hash "$T_ALICE") agent:alice alice-browser
sha256:$(hash "$T_ADMIN") admin ops
sha256:$(hash "$T_INGEST") ingest helpdesk
sha256:$(hash "$T_LEAD") lead:t1,t2 lead
EOT
write_config "[server]
max_clock_skew = 900
[auth]
rate = 0
[advice]
snooze_default_min = 1
snooze_max_times = 1"
start_daemon || bail_out "respited did not start: $(tail -n 5 "$LOG")"

as() {	# as TOKEN METHOD PATH [BODY]
	local tk=$1
	shift
	req "$1" "$2" "${3:-}" -H "Authorization: Bearer $tk"
}

# ---- GET /v1/me, each role
as "$T_ALICE" GET /v1/me
reply_is 200 '{"role":"agent","agent":"alice"}' "/v1/me: agent:alice"
as "$T_LEAD" GET /v1/me
reply_is 200 '{"role":"lead","teams":["t1","t2"]}' "/v1/me: lead:t1,t2"
as "$T_INGEST" GET /v1/me
reply_is 200 '{"role":"ingest"}' "/v1/me: ingest"
as "$T_ADMIN" GET /v1/me
reply_is 200 '{"role":"admin"}' "/v1/me: admin"
req GET /v1/me
error_is 401 unauthorized - - "/v1/me without a token: 401 unauthorized"
as rsp_wrong GET /v1/me
error_is 401 unauthorized - - "/v1/me with a wrong token: 401 unauthorized"

# ---- the files, with curl
req GET /agent
status_is 200 "GET /agent answers 200 without a token"
header_is Content-Type "text/html; charset=utf-8" "GET /agent: text/html"
header_is Cache-Control "no-cache" "GET /agent: Cache-Control: no-cache"
is "$(header_get Content-Security-Policy)" \
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" \
    "GET /agent: the lead page's Content-Security-Policy"
header_is X-Content-Type-Options nosniff "GET /agent: nosniff"
like "$BODY" '<script src="agent.js" defer></script>' "GET /agent loads agent.js"
like "$BODY" '<link rel="manifest" href="agent.webmanifest">' \
    "GET /agent links its web app manifest"
if printf '%s' "$BODY" | grep -Eq '<script>|<style|style=|https?://'; then
	not_ok "GET /agent: no inline script or style, no other host"
else
	ok "GET /agent: no inline script or style, no other host"
fi
if grep -Eq 'https?://[A-Za-z0-9]' "$SRC/daemon/www/agent.js" "$SRC/daemon/www/agent-sw.js" \
    "$SRC/daemon/www/agent.css" "$SRC/daemon/www/common.js" \
    "$SRC/daemon/www/common.css"; then
	not_ok "agent.js, agent-sw.js, agent.css, common.js, common.css name no other host"
else
	ok "agent.js, agent-sw.js, agent.css, common.js, common.css name no other host"
fi
ETAG=$(header_get ETag)
req GET /agent.html
is "$STATUS $(header_get ETag)" "200 $ETAG" "GET /agent.html is the same file"
req GET /agent "" -H "If-None-Match: $ETAG"
is "$STATUS ${#BODY}" "304 0" "GET /agent with its ETag: 304"
for f in agent.js:text/javascript agent-sw.js:text/javascript \
    agent.css:text/css agent.webmanifest:application/manifest+json \
    agent-192.png:image/png agent-512.png:image/png \
    agent-maskable.png:image/png; do
	req GET "/${f%%:*}"
	is "$STATUS $(header_get Content-Type | sed 's/;.*//') $(header_get Cache-Control)" \
	    "200 ${f#*:} no-cache" "GET /${f%%:*}: ${f#*:}, no-cache"
done
req GET /agent.webmanifest
jq_check '.name and .short_name and .start_url == "/agent" and
    .scope == "/agent" and .display == "standalone" and
    any(.icons[]; .sizes == "192x192") and any(.icons[]; .sizes == "512x512")' \
    "the manifest is valid JSON with start_url, scope, display and 192/512 icons"
bad=
n=0
for icon in $(jqr '.icons[] | select(.type == "image/png") | .src'); do
	code=$(curl -s -o "$TMPD/icon.png" -w '%{http_code}' "$BASE$icon")
	magic=$(head -c 4 "$TMPD/icon.png" | od -An -tx1 | tr -d ' \n')
	[ "$code $magic" = "200 89504e47" ] || bad="$bad $icon($code $magic)"
	n=$((n + 1))
done
is "${bad:-none} $n" "none 3" "the manifest's three PNG icons are served as PNGs"
HEAD=$(curl -sS -I --max-time 5 "$BASE/agent" | tr -d '\r')
like "$HEAD" "^HTTP/1.1 200" "HEAD /agent answers 200"
req POST /agent '{}'
is "$STATUS $(header_get Allow)" "405 GET, HEAD" "POST /agent is 405 with Allow: GET, HEAD"
as "$T_ADMIN" GET /agent/x
error_is 404 not_found - - "GET /agent/x is the API's JSON 404"

# alice at work in t1, before the page opens.
as "$T_INGEST" POST /v1/events '{"type":"agent.login","agent":"alice","team":"t1"}'
status_is 202 "alice logs in"

# ---- in a browser
browser_setup "the agent's page in a real browser"
export T_ALICE T_ADMIN T_INGEST

# agentpage.mjs in the background, stopping and starting the daemon when
# it asks; each of its lines becomes a TAP line.
rm -f "$SYNC"/*
timeout -k 10 "$(slow 300)" node "$SRC/tests/integration/agentpage.mjs" \
    >"$TMPD/page.out" 2>"$TMPD/page.err" &
pid=$!
bg_register "$pid"
while running "$pid"; do
	if [ -f "$SYNC/stop" ] && [ ! -f "$SYNC/stop.done" ]; then
		stop_daemon || diag "respited did not stop cleanly: $DAEMON_RC"
		touch "$SYNC/stop.done"
	fi
	if [ -f "$SYNC/start" ] && [ ! -f "$SYNC/start.done" ]; then
		start_daemon || diag "respited did not come back"
		touch "$SYNC/start.done"
	fi
	if [ -f "$SYNC/revoke" ] && [ ! -f "$SYNC/revoke.done" ]; then
		grep -v alice-browser "$TMPD/tokens" >"$TMPD/tokens.new" &&
		    mv "$TMPD/tokens.new" "$TMPD/tokens"
		touch "$SYNC/revoke.done"
	fi
	sleep 0.1
done
wait "$pid"
rc=$?
while IFS=$'\t' read -r kind desc why; do
	case $kind in
	PASS) ok "$desc" ;;
	FAIL) not_ok "$desc" "$why" ;;
	esac
done <"$TMPD/page.out"
if [ "$rc" -ne 0 ]; then
	not_ok "agentpage.mjs ran to its end (exit $rc)" \
	    "$(tail -n 15 "$TMPD/page.err")"
fi

# The token went in the address's fragment and in headers only.
if grep -qF "$T_ALICE" "$LOG"; then
	not_ok "the agent's token never appears in respited's log"
else
	ok "the agent's token never appears in respited's log ($(log_lines) lines)"
fi

done_testing
