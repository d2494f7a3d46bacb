#!/usr/bin/env bash
# respite - storage faults: a full disk gives 503 `unavailable` to the
# requests of the failing group, stores nothing of them, keeps the daemon
# running, and it recovers when space returns; a corrupt database file is
# a clear error at start-up.  (A file system turned read-only under a
# running daemon cannot be staged here: Linux refuses to remount a file
# system read-only while the daemon holds its files open for writing.)
# The full disk is a small tmpfs mounted for the test (needs root; the
# test skips otherwise).

. "$(dirname "$0")/lib.sh"
require_tools
setup

MNT=$TMPD/mnt
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=1m tmpfs "$MNT" 2>/dev/null; then
	skip_all "cannot mount a tmpfs (not root?)"
fi
_faults_cleanup() {
	umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
}
trap '_faults_cleanup; cleanup' EXIT

DB=$MNT/respite.db
write_config
start_daemon || bail_out "respited did not start on the tmpfs"

# batch PREFIX N: N agent.login events with ids PREFIX-1..N (long ids
# make the database grow fast).
batch() {
	local i sep="" pad
	pad=$(printf 'x%.0s' $(seq 1 100))
	printf '['
	for i in $(seq 1 "$2"); do
		printf '%s{"id":"%s-%d-%s","type":"agent.login","agent":"a%d","team":"t"}' \
		    "$sep" "$1" "$i" "$pad" "$((i % 50))"
		sep=,
	done
	printf ']'
}

batch ok 50 >"$TMPD/ok.json"
post_events "@$TMPD/ok.json"
status_is 202 "a batch is stored while there is room"

# Fill the file system, leaving no room for the write-ahead log to grow.
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
full=0
for n in $(seq 1 40); do
	batch full$n 200 >"$TMPD/full.json"
	post_events "@$TMPD/full.json"
	if [ "$STATUS" = 503 ]; then
		full=$n
		break
	fi
done
[ "$full" -gt 0 ]
check "a full disk gives 503 (after $full batches)" $?
is "$(jqr .error.code)" unavailable "... with code unavailable"
kill -0 "$DAEMON_PID" 2>/dev/null
check "... and respited keeps running" $?
req GET /healthz
is "$STATUS $(jqr .db)" "503 failing" "/healthz says the database is failing"
req GET /v1/agents
status_is 200 "reads still work while writes fail"

# Space returns.
rm -f "$MNT/filler"
post_events "@$TMPD/full.json"
status_is 202 "after space returns the same batch is stored"
is "$(jqr .accepted) $(jqr .duplicates)" "200 0" \
    "... all of it new: nothing of the failed request had been stored"
req GET /healthz
is "$STATUS $(jqr .db)" "200 ok" "/healthz is ok again"
grep -q "commits succeed again" "$LOG"
check "the recovery is logged" $?

stop_daemon
is "$DAEMON_RC" 0 "respited stops cleanly after the faults"
if have sqlite3; then
	is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok \
	    "integrity_check is ok after the faults"
else
	skip "integrity_check" "no sqlite3"
fi

# A corrupt database file: a clear error at start-up, not a crash.
DB=$TMPD/corrupt.db
head -c 8192 /dev/urandom >"$DB"
write_config
n=$(log_lines)
$RESPITED -f -c "$CONF" 2>>"$LOG" &
pid=$!
if wait_exit $pid 10; then
	wait $pid
	rc=$?
	[ "$rc" = 1 ]
	check "a corrupt database file: exit 1 (got $rc)" $?
	tail -n "+$((n + 1))" "$LOG" | grep -q "corrupt.db"
	check "... and the log names the file" $?
else
	kill -9 $pid
	not_ok "a corrupt database file: exit 1" "still running"
	skip "... and the log names the file" "no exit"
fi

done_testing
