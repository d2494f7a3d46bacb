#!/usr/bin/env bash
# respite - the command line of respited: -h, -V, -t and its errors, -c.
#
# Every configuration error must be one line "FILE:LINE: message" on
# stderr, exit status 1, nothing on stdout.

. "$(dirname "$0")/lib.sh"
require_tools
setup

R=$RESPITED

# run ARGS...: run respited, setting OUT, ERR and RC.
run() {
	$R "$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

# conf_error DESC LINE PATTERN TEXT: `respited -t -c` on TEXT fails with
# exactly one stderr line "FILE:LINE: ..." matching PATTERN, exit 1.
conf_error() {
	local f=$TMPD/bad.conf
	printf '%b' "$4" >"$f"
	run -t -c "$f"
	if [ "$RC" = 1 ] && [ -z "$OUT" ] &&
	    [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] &&
	    printf '%s\n' "$ERR" | grep -Eq -- "^$f:$2: $3\$"; then
		ok "$1"
	else
		not_ok "$1" "expected exit 1 and stderr: $f:$2: $3" \
		    "got exit $RC, stdout [$OUT], stderr [$ERR]"
	fi
}

# ---- -h, -V, bad usage

run -h
is "$RC" 0 "-h exits 0"
like "$OUT" '^usage: respited .*-c FILE' "-h prints the usage on stdout"
is "$ERR" "" "-h prints nothing on stderr"

run -V
is "$RC" 0 "-V exits 0"
like "$OUT" '^respited [0-9]+\.[0-9]+(\.[0-9]+)?' "-V prints the version"

run --version
is "$OUT" "$($R -V)" "--version is -V"

run -Z
is "$RC" 2 "an unknown option exits 2"
like "$ERR" 'usage: respited' "an unknown option prints the usage on stderr"
is "$OUT" "" "an unknown option prints nothing on stdout"

run -t -c "$TMPD/x" extra
is "$RC" 2 "a stray argument exits 2"

# ---- -t with good configurations

write_config "[server]
max_body = 2K
max_batch = 5
max_connections = 3
max_clock_skew = 60
idle_timeout = 1
request_timeout = 5s"
run -t -c "$CONF"
if [ "$RC" = 0 ] && [ "$OUT" = "configuration OK" ] && [ -z "$ERR" ]; then
	ok "-t with a good configuration: exit 0, \"configuration OK\""
else
	not_ok "-t with a good configuration" "exit $RC out [$OUT] err [$ERR]"
fi
[ ! -e "$DB" ]
check "-t does not create the database" $?

cat >"$TMPD/full.conf" <<EOF
; every key, with unit suffixes and comments
[server]
listen = 127.0.0.1:$PORT
listen = [::1]:$PORT
max_body = 4M
max_batch = 10000
max_connections = 1024
max_clock_skew = 5m
idle_timeout = 1h
request_timeout = 30

[storage]
path = $TMPD/sub/dir/respite.db
synchronous = full
commit_max_events = 20000

[log]
level = debug

[model]
timezone = Europe/Berlin
day_starts_at = 04:00
natural_break_min = 5
sustainable_load_per_hour = 12
hostile_threshold = 0.5
exposure_half_life_min = 30
weight_phone = 1.5
weight_chat = 1.0
weight_email = 0.7
weight_social = 1
weight_messaging = 0.9
weight_other = 1
EOF
run -t -c "$TMPD/full.conf"
if [ "$RC" = 0 ] && [ "$OUT" = "configuration OK" ] && [ -z "$ERR" ]; then
	ok "-t accepts every documented key"
else
	not_ok "-t accepts every documented key" "exit $RC out [$OUT] err [$ERR]"
fi
[ ! -e "$TMPD/sub" ]
check "-t creates no storage directory" $?

run -t -c /dev/null
is "$RC/$OUT" "0/configuration OK" "-t accepts an empty file"

# ---- -t with bad configurations: FILE:LINE: message, exit 1

conf_error "unknown key: FILE:LINE, exit 1" 4 \
    'unknown key "bogus_key" in \[server\]' \
    '# comment\n[server]\nmax_batch = 5\nbogus_key = 1\n'
conf_error "unknown section (reported at its first key)" 6 'unknown section \[nosuch\]' \
    '[server]\nmax_batch = 5\n\n; comment\n[nosuch]\nx = 1\n'
conf_error "key outside any section" 1 '.*' 'max_batch = 3\n'
conf_error "bad size value" 3 'max_body: invalid value "lots"' \
    '[log]\n[server]\nmax_body = lots\n'
conf_error "bad size suffix" 2 'max_body: invalid value "2X"' \
    '[server]\nmax_body = 2X\n'
conf_error "bad count (fraction)" 2 'max_batch: invalid value "1.5"' \
    '[server]\nmax_batch = 1.5\n'
conf_error "count out of range (max_batch = 0)" 3 \
    'max_batch: 0 is out of range.*' '[server]\n\nmax_batch = 0\n'
conf_error "size out of range (max_body below 1K)" 2 \
    'max_body: 100 is out of range.*' '[server]\nmax_body = 100\n'
conf_error "real out of range (hostile_threshold)" 6 \
    'hostile_threshold: 1.5 is out of range.*' \
    '[server]\nmax_batch = 2\n[model]\nweight_phone = 2\n\nhostile_threshold = 1.5\n'
conf_error "seconds with a bad unit" 2 'idle_timeout: invalid value "5d"' \
    '[server]\nidle_timeout = 5d\n'
conf_error "bad listen" 2 'listen: expected a numeric HOST:PORT.*' \
    '[server]\nlisten = localhost\n'
conf_error "bad synchronous" 2 'synchronous: expected full or normal.*' \
    '[storage]\nsynchronous = sometimes\n'
conf_error "bad log level" 3 'level: expected error, warning, info or debug.*' \
    '[log]\n\nlevel = loud\n'
conf_error "unknown time zone" 2 'timezone: unknown time zone "Mars/Olympus"' \
    '[model]\ntimezone = Mars/Olympus\n'
conf_error "bad day_starts_at" 2 'day_starts_at: expected HH:MM.*' \
    '[model]\nday_starts_at = 25:00\n'
conf_error "a syntax error" 3 'syntax error.*' \
    '[server]\nmax_batch = 5\nthis is not a key\n'
conf_error "the first of two errors is reported" 2 \
    'max_batch: 0 is out of range.*' \
    '[server]\nmax_batch = 0\nmax_body = 1\n'
# The line and the message must describe the same error: here the first
# error is the syntax error on line 1, the unknown key is on line 4.
conf_error "a syntax error before another error: line and message agree" \
    1 'syntax error.*' 'junk\n[server]\n\nbogus_key = 1\n'

# ---- -c of a file that is missing or unreadable

run -t -c "$TMPD/missing.conf"
if [ "$RC" = 1 ] && [ -z "$OUT" ] &&
    [ "$ERR" = "$TMPD/missing.conf: No such file or directory" ]; then
	ok "-t -c of a missing file: exit 1, names the file and the reason"
else
	not_ok "-t -c of a missing file" "exit $RC out [$OUT] err [$ERR]"
fi

run -f -c "$TMPD/missing.conf"
if [ "$RC" = 1 ] && printf '%s' "$ERR" | grep -q "missing.conf: No such file"; then
	ok "-f -c of a missing file does not start"
else
	not_ok "-f -c of a missing file does not start" "exit $RC err [$ERR]"
fi

run -t -c "$TMPD"
if [ "$RC" = 1 ] && printf '%s' "$ERR" | grep -q "^$TMPD"; then
	ok "-t -c of a directory fails and names it"
else
	not_ok "-t -c of a directory fails and names it" "exit $RC err [$ERR]"
fi

# ---- no -c: the default file, else built-in defaults

default=$($R -h | sed -n 's/.*(default \([^;]*\);.*/\1/p')
if [ -z "$default" ]; then
	not_ok "-h names the default configuration file" "$($R -h)"
elif [ -e "$default" ]; then
	skip "no -c and no default file: built-in defaults" \
	    "$default exists on this machine"
else
	mkdir "$TMPD/state"
	STATE_DIRECTORY=$TMPD/state run -t
	if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q "^configuration OK$" &&
	    printf '%s\n' "$OUT" | grep -q "no configuration file at $default"; then
		ok "no -c and no default file: -t uses the built-in defaults"
	else
		not_ok "no -c and no default file: built-in defaults" \
		    "exit $RC out [$OUT] err [$ERR]"
	fi
fi
if [ -d "$TMPD/state" ]; then
	is "$(ls -A "$TMPD/state")" "" "-t with defaults writes nothing to STATE_DIRECTORY"
else
	skip "-t with defaults writes nothing" "default file exists"
fi

# ---- start-up failures

write_config
if start_daemon; then
	ok "the daemon starts with the written configuration"
	grep -q "listening on http://127.0.0.1:$PORT" "$LOG"
	check "start-up logs \"listening on http://127.0.0.1:$PORT\"" $?
	grep -q "storing in $DB" "$LOG"
	check "start-up logs \"storing in $DB\"" $?

	# A second daemon on the same port must fail, not hang.
	mkdir "$TMPD/second"
	sed "s|^path = .*|path = $TMPD/second/respite.db|" "$CONF" \
	    >"$TMPD/second.conf"
	$R -f -c "$TMPD/second.conf" 2>"$TMPD/second.log" &
	pid2=$!
	bg_register $pid2
	if wait_exit $pid2 5; then
		wait $pid2
		rc2=$?
		if [ $rc2 != 0 ] && grep -q "127.0.0.1:$PORT" "$TMPD/second.log"; then
			ok "a second daemon on a busy port exits non-zero naming the address"
		else
			not_ok "a second daemon on a busy port exits non-zero" \
			    "exit $rc2, log: $(cat "$TMPD/second.log")"
		fi
	else
		kill_child 9 "$pid2"
		not_ok "a second daemon on a busy port exits non-zero" "still running after 5 s"
	fi
	stop_daemon
	is "$DAEMON_RC" 0 "SIGTERM: exit 0"
else
	not_ok "the daemon starts with the written configuration"
	skip "start-up logs the address" "no daemon"
	skip "start-up logs the storage path" "no daemon"
	skip "a second daemon on a busy port" "no daemon"
	skip "SIGTERM: exit 0" "no daemon"
fi

# ---- without -f: detach, and exit 0 only once ready (1 if start-up fails)

# find_daemon NAME: the pid of the process whose command line has "-c NAME".
find_daemon() {
	local d
	for d in /proc/[0-9]*; do
		if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -q -- "-c $1 *$"; then
			echo "${d#/proc/}"
			return
		fi
	done
}

uniq=$(basename "$TMPD").conf
write_config "[server]
max_batch = 10"
cp "$CONF" "$TMPD/$uniq"
(cd "$TMPD" && exec $R -c "$uniq") >"$TMPD/detach.out" 2>"$TMPD/detach.err"
rc=$?
dpid=$(find_daemon "$uniq")
[ -n "$dpid" ] && bg_register "$dpid"
is "$rc" 0 "without -f: the command exits 0 once the daemon is ready"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz")
is "$code" 200 "... and the daemon answers at once, no waiting needed"
grep -q "listening on http://127.0.0.1:$PORT" "$TMPD/detach.err"
check "until ready, the detaching daemon logs to stderr" $?
if [ -n "$dpid" ] && [ "$dpid" != "$$" ]; then
	ok "the detached daemon runs in the background (pid $dpid)"
	# -c was relative and the daemon changed to /: SIGHUP must still
	# find the file.
	sed -i 's/^max_batch = 10/max_batch = 1/' "$TMPD/$uniq"
	kill -HUP "$dpid"
	got=
	for i in $(seq 1 $(( $(slow 5) * 10 ))); do
		BODY=
		req POST /v1/events "[{\"type\":\"agent.login\",\"agent\":\"d$i\"},{\"type\":\"agent.login\",\"agent\":\"e$i\"}]"
		[ "$STATUS" = 413 ] && { got=413; break; }
		sleep 0.1
	done
	is "$got" 413 "SIGHUP reloads a relative -c file after the daemon changed to / (max_batch 1 applies)"
	kill -TERM "$dpid"
	wait_exit "$dpid" 10
	check "the detached daemon exits on SIGTERM" $?
else
	not_ok "the detached daemon runs in the background" "no process with -c $uniq"
	skip "SIGHUP reloads a relative -c file" "no detached daemon"
	skip "the detached daemon exits on SIGTERM" "no detached daemon"
fi

# A detached start that fails (the port is taken) exits 1.
write_config
if start_daemon; then
	sed "s|^path = .*|path = $TMPD/busy.db|" "$CONF" >"$TMPD/busy-$uniq"
	(cd "$TMPD" && exec $R -c "busy-$uniq") >/dev/null 2>"$TMPD/busy.err"
	rc=$?
	is "$rc" 1 "without -f: a start-up failure (port taken) exits 1"
	grep -q "127.0.0.1:$PORT" "$TMPD/busy.err"
	check "... and says why on stderr" $?
	is "$(find_daemon "busy-$uniq")" "" "... and leaves no process behind"
	stop_daemon
else
	skip "without -f: a start-up failure exits 1" "no daemon"
	skip "... and says why" "no daemon"
	skip "... and leaves no process behind" "no daemon"
fi

# A storage path that cannot be created: a clear failure, not a hang.
: >"$TMPD/afile"
write_config
sed -i "s|^path = .*|path = $TMPD/afile/sub/respite.db|" "$CONF"
$R -f -c "$CONF" 2>"$TMPD/bad-storage.log" &
pid3=$!
bg_register $pid3
if wait_exit $pid3 5; then
	wait $pid3
	rc3=$?
	if [ $rc3 != 0 ] && grep -q "afile" "$TMPD/bad-storage.log"; then
		ok "an unusable storage path: exit non-zero, the path is named"
	else
		not_ok "an unusable storage path" "exit $rc3: $(cat "$TMPD/bad-storage.log")"
	fi
else
	kill_child 9 "$pid3"
	not_ok "an unusable storage path" "still running after 5 s"
fi

done_testing
