#!/usr/bin/env bash
# Take docs/respite-notify.png: a real notification from respite-notify,
# shown by a real notification daemon (dunst) on a virtual X server.
#
#   docs/screenshot-notify.sh BUILDDIR [OUT.png]
#
# Needs (Debian) dunst, xvfb, imagemagick, dbus, curl, jq.  Everything
# runs on a private session bus and display; nothing of the desktop the
# script is started from is touched.  A maintainer's tool, not a test.
set -eu

build=$(cd "${1:?usage: $0 BUILDDIR [OUT.png]}" && pwd)
out=${2:-$(cd "$(dirname "$0")" && pwd)/respite-notify.png}
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${RESPITE_SHOT_IN_BUS:-}" ]; then
	export RESPITE_SHOT_IN_BUS=1
	exec dbus-run-session \
	    --config-file="$here/../tests/integration/session-bus.conf" -- \
	    bash "$0" "$build" "$out"
fi

tmp=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null; rm -rf "$tmp"' EXIT
unset WAYLAND_DISPLAY

Xvfb -displayfd 3 -screen 0 1024x640x24 -nolisten tcp 3>"$tmp/display" &
pids="$pids $!"
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
export DISPLAY=:$(cat "$tmp/display")

cat >"$tmp/dunstrc" <<'EOF'
[global]
    font = DejaVu Sans 11
    width = 460
    height = 200
    origin = top-right
    offset = 24x24
    padding = 14
    horizontal_padding = 16
    frame_width = 1
    frame_color = "#8aa4b8"
    corner_radius = 8
    format = "<b>%s</b>\n%b"
    markup = full
    icon_position = off
    show_indicators = yes
[urgency_normal]
    background = "#f5f7f8"
    foreground = "#1d2b36"
    timeout = 0
EOF
dunst -config "$tmp/dunstrc" >"$tmp/dunst.log" 2>&1 &
pids="$pids $!"
gdbus wait --session --timeout 10 org.freedesktop.Notifications

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '[server]\nlisten = 127.0.0.1:%s\nmax_clock_skew = 600\n[storage]\npath = %s/db\n' \
    "$port" "$tmp" >"$tmp/respite.conf"
"$build/respited" -f -c "$tmp/respite.conf" 2>"$tmp/respited.log" &
pids="$pids $!"
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
	sleep 0.1
done

# alice has worked 55 minutes without a pause: a micro break.
now=$(date +%s)
login=$((now - 55 * 60))
{
	printf '{"type":"agent.login","agent":"alice","team":"support","ts":%s}\n' \
	    $((login * 1000))
	for m in $(seq 2 2 54) 55; do
		printf '{"type":"message.received","agent":"alice","channel":"chat","ts":%s}\n' \
		    $(((login + m * 60) * 1000))
	done
} >"$tmp/events.ndjson"
curl -s -H 'Content-Type: application/x-ndjson' \
    --data-binary "@$tmp/events.ndjson" "http://127.0.0.1:$port/v1/events" >/dev/null

XDG_CONFIG_HOME=$tmp "$build/respite-notify" --url "http://127.0.0.1:$port" \
    --agent alice 2>"$tmp/notify.log" &
pids="$pids $!"
for _ in $(seq 100); do
	[ "$(dunstctl count displayed 2>/dev/null)" -ge 1 ] 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
import -window root -crop 512x132+508+4 +repage "$out"
echo "wrote $out"
