# respite - what the respite-notify scripts share (sourced after lib.sh):
# find respite-notify, re-run the script inside a throw-away session bus
# (dbus-run-session with session-bus.conf, which can start nothing by
# itself), and drive python3-dbusmock's notification server on it (every
# Notify and CloseNotification respite-notify sends is recorded there;
# "clicking" an action is its ActionInvoked signal, notify-mock.py).
# Skips the whole script, with the Debian package to install, when a
# part is missing.

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3		# Debian's, which has dbusmock (not a venv's)

if [ -z "${RESPITE_NOTIFY:-}" ]; then
	for _c in ./respite-notify ../respite-notify ../../respite-notify; do
		if [ -x "$_c" ]; then
			RESPITE_NOTIFY=$(cd "$(dirname "$_c")" && pwd)/respite-notify
			break
		fi
	done
fi

if [ -z "${RESPITE_NOTIFY_IN_BUS:-}" ]; then
	[ -n "${RESPITE_NOTIFY:-}" ] && [ -x "$RESPITE_NOTIFY" ] ||
	    skip_all "respite-notify was not built (configure found no libnotify or libsoup 3)"
	have dbus-run-session ||
	    skip_all "dbus-run-session is not installed (Debian: dbus)"
	have gdbus || skip_all "gdbus is not installed (Debian: libglib2.0-bin)"
	[ -x "$PY" ] && "$PY" -c 'import dbusmock, dbus' 2>/dev/null ||
	    skip_all "python3-dbusmock is not installed (Debian: python3-dbusmock)"
	export RESPITE_NOTIFY RESPITE_NOTIFY_IN_BUS=1
	# dbus-daemon may say "Failed to set fd limit" in a sandbox: harmless.
	exec timeout 300 dbus-run-session \
	    --config-file="$HERE/session-bus.conf" -- bash "$0" "$@"
fi

# respite-notify speaks the locale's language: English here, whatever
# the machine's locale (a German test sets [notify] lang or LC_ALL).
export LC_ALL=C.UTF-8

MOCK_PID=

mockctl() {
	"$PY" "$HERE/notify-mock.py" "$@"
}

# mock_start CAPS: a fresh notification server (ids from 1 again).
mock_start() {
	"$PY" -m dbusmock --template notification_daemon \
	    -p "{\"capabilities\": \"$1\"}" >>"$TMPD/mock.log" 2>&1 &
	MOCK_PID=$!
	bg_register "$MOCK_PID"
	gdbus wait --session --timeout "$(slow 10)" \
	    org.freedesktop.Notifications
}

mock_stop() {
	[ -n "$MOCK_PID" ] || return 0
	kill_child TERM "$MOCK_PID"
	wait "$MOCK_PID" 2>/dev/null
	MOCK_PID=
}

# calls_jq FILTER: jq -c FILTER over the array of the mock's calls.
calls_jq() {
	mockctl calls 2>/dev/null | jq -s -c "$1" 2>/dev/null
}

# wait_calls FILTER [SECONDS]: poll until FILTER (over the calls) is true.
wait_calls() {
	local i limit
	limit=$(( $(slow "${2:-10}") * 10 ))
	for i in $(seq 1 "$limit"); do
		[ "$(calls_jq "$1")" = true ] && return 0
		sleep 0.1
	done
	return 1
}
