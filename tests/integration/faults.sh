#!/usr/bin/env bash
# respite - storage faults.  Whatever makes a commit fail, the requests of
# the failing group get 503 `unavailable`, nothing of them is stored, the
# daemon keeps running and serving reads, /healthz says `failing`, and
# it recovers by itself once the cause is gone:
#   - a full disk: a small tmpfs mounted for the test (needs root);
#   - a file-size limit (RLIMIT_FSIZE, `ulimit -f`), lifted with prlimit;
#   - the database made read-only under the running daemon: `chattr +i`
#     on the database and its WAL (open descriptors cannot write an
#     immutable file; chmod does not stop root, and Linux keeps a file
#     open for writing writable across a read-only remount);
# and at start-up, a clear error and exit 1, not a crash, for:
#   - a database it cannot write (immutable file; read-only bind mount);
#   - a corrupt database file.
# What cannot be staged here (no root, no tmpfs, no chattr, no prlimit)
# is skipped with the reason.

. "$(dirname "$0")/lib.sh"
require_tools
setup

MNT=$TMPD/mnt
RO=$TMPD/ro
mkdir -p "$MNT" "$RO"
_faults_cleanup() {
	umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	umount "$RO" 2>/dev/null || umount -l "$RO" 2>/dev/null
	chattr -R -i "$TMPD" 2>/dev/null
}
trap '_faults_cleanup; cleanup' EXIT

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

# fill PREFIX: post 200-event batches until one gets 503 (at most 40);
# sets FULL to the number of the batch that failed (0: none did) and
# leaves that batch in $TMPD/full.json.
fill() {
	local n
	FULL=0
	for n in $(seq 1 40); do
		batch "$1$n" 200 >"$TMPD/full.json"
		post_events "@$TMPD/full.json"
		if [ "$STATUS" = 503 ]; then
			FULL=$n
			return
		fi
		[ "$STATUS" = 000 ] && return	# the daemon is gone
	done
}

# failing_checks WHAT: the replies while commits fail.
failing_checks() {
	is "$(jqr .error.code)" unavailable "$1: ... with code unavailable"
	running "$DAEMON_PID"
	check "$1: ... and respited keeps running" $?
	req GET /healthz
	is "$STATUS $(jqr .db)" "503 failing" "$1: /healthz says the database is failing"
	req GET /v1/agents
	status_is 200 "$1: reads still work while writes fail"
}

# recovered_checks WHAT FROM_LINE: the same batch again, once the cause
# is gone.
recovered_checks() {
	post_events "@$TMPD/full.json"
	status_is 202 "$1: once the cause is gone the same batch is stored"
	is "$(jqr .accepted) $(jqr .duplicates)" "200 0" \
	    "$1: ... all of it new: nothing of the failed request had been stored"
	req GET /healthz
	is "$STATUS $(jqr .db)" "200 ok" "$1: /healthz is ok again"
	tail -n "+$(($2 + 1))" "$LOG" | grep -q "commits succeed again"
	check "$1: the recovery is logged" $?
}

# stopped_checks WHAT: a clean stop, a sound database.
stopped_checks() {
	stop_daemon
	is "$DAEMON_RC" 0 "$1: respited stops cleanly after the fault"
	if have sqlite3; then
		is "$(db_query 'PRAGMA integrity_check')" ok \
		    "$1: integrity_check is ok after the fault"
	else
		skip "$1: integrity_check" "no sqlite3"
	fi
}

# start_fails WHAT PATTERN LOGDESC: respited, started on $CONF, must exit 1
# within 10 s ("WHAT: exit 1") and log a line matching PATTERN (LOGDESC).
start_fails() {
	local n pid rc
	n=$(log_lines)
	$RESPITED -f -c "$CONF" 2>>"$LOG" &
	pid=$!
	if wait_exit $pid 10; then
		wait $pid
		rc=$?
		is "$rc" 1 "$1: exit 1"
		like "$(tail -n "+$((n + 1))" "$LOG")" "$2" "$3"
	else
		kill_child 9 "$pid"
		not_ok "$1: exit 1" "still running"
		skip "... and the log names the file" "no exit"
	fi
}

# ---- a full disk: a 1 MiB tmpfs

if mount -t tmpfs -o size=1m tmpfs "$MNT" 2>/dev/null; then
	DB=$MNT/respite.db
	write_config
	start_daemon || bail_out "respited did not start on the tmpfs"
	batch ok 50 >"$TMPD/ok.json"
	post_events "@$TMPD/ok.json"
	status_is 202 "disk full: a batch is stored while there is room"
	# Fill the file system, leaving no room for the WAL to grow.
	dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
	n0=$(log_lines)
	fill full
	[ "$FULL" -gt 0 ]
	check "disk full: 503 (after $FULL batches)" $?
	tail -n "+$((n0 + 1))" "$LOG" | grep -Eq "database or disk is full|No space left on device"
	check "disk full: the log names the cause (disk is full)" $?
	failing_checks "disk full"
	rm -f "$MNT/filler"
	recovered_checks "disk full" "$n0"
	stopped_checks "disk full"
else
	skip "disk full on a tmpfs" "cannot mount a tmpfs (not root?)"
fi

# ---- a file-size limit: RLIMIT_FSIZE of 256 KiB, then lifted

# start_fsize: respited with a 256 KiB file-size limit (WAL included).
start_fsize() {
	local real=$RESPITED
	RESPITED="prlimit --fsize=262144:unlimited -- $real"
	start_daemon
	local rc=$?
	RESPITED=$real
	return $rc
}

if have prlimit && prlimit --fsize=1000000 true 2>/dev/null; then
	DB=$TMPD/fsize/respite.db
	write_config
	start_fsize || bail_out "respited did not start with a file-size limit"
	n0=$(log_lines)
	fill fsize
	# No reply: the daemon is gone (kill -0 would still see a zombie).
	if [ "$STATUS" = 000 ]; then
		wait "$DAEMON_PID" 2>/dev/null
		rc=$?
		DAEMON_PID=
		# 128 + SIGXFSZ: the default action of the signal a write
		# past the limit raises is to end the process.
		todo_not_ok "file-size limit: respited survives the limit (exit status $rc after $FULL batches)" \
		    "respited.c must ignore SIGXFSZ (then write() fails with EFBIG)"
		# Go on with SIGXFSZ ignored, as respited should do itself.
		trap '' XFSZ
		start_fsize || bail_out "respited did not restart with a file-size limit"
		trap - XFSZ
		n0=$(log_lines)
		fill fsize2
	else
		ok "file-size limit: respited survives the limit"
	fi
	[ "$FULL" -gt 0 ]
	check "file-size limit: 503 (after $FULL batches)" $?
	tail -n "+$((n0 + 1))" "$LOG" | grep -q "File too large"
	check "file-size limit: the log names the cause (File too large)" $?
	failing_checks "file-size limit"
	prlimit --pid "$DAEMON_PID" --fsize=unlimited
	recovered_checks "file-size limit" "$n0"
	stopped_checks "file-size limit"
else
	skip "file-size limit" "no prlimit(1), or it cannot set RLIMIT_FSIZE"
fi

# ---- the database made read-only under the running daemon: chattr +i

mkdir -p "$TMPD/imm"
: >"$TMPD/imm/probe"
if have chattr && chattr +i "$TMPD/imm/probe" 2>/dev/null; then
	chattr -i "$TMPD/imm/probe"
	DB=$TMPD/imm/respite.db
	write_config
	start_daemon || bail_out "respited did not start for the read-only test"
	batch ro 50 >"$TMPD/ok.json"
	post_events "@$TMPD/ok.json"
	status_is 202 "read-only: a batch is stored while the database is writable"
	n0=$(log_lines)
	chattr +i "$DB" "$DB-wal"
	fill ro
	[ "$FULL" = 1 ]
	check "read-only: the first batch after chattr +i gets 503" $?
	tail -n "+$((n0 + 1))" "$LOG" | grep -q "Operation not permitted"
	check "read-only: the log names the cause (Operation not permitted)" $?
	failing_checks "read-only"
	chattr -i "$DB" "$DB-wal"
	recovered_checks "read-only" "$n0"
	stopped_checks "read-only"

	# At start-up: an immutable database file.
	chattr +i "$DB"
	start_fails "read-only at start (immutable file)" \
	    "$DB: cannot open for writing" \
	    "... and the log names the file and says it cannot be written"
	chattr -i "$DB"
else
	skip "database made read-only while running" "chattr +i is not possible here (not root, or the file system has no immutable flag)"
	skip "read-only at start (immutable file)" "chattr +i is not possible here"
fi

# At start-up: the database's directory on a read-only bind mount.
mkdir -p "$TMPD/rosrc"
cp "$TMPD/imm/respite.db" "$TMPD/rosrc/" 2>/dev/null
if mount --bind "$TMPD/rosrc" "$RO" 2>/dev/null &&
    mount -o remount,ro,bind "$RO" 2>/dev/null; then
	for what in "an existing database" "a new database"; do
		if [ "$what" = "a new database" ]; then
			DB=$RO/new.db
		else
			DB=$RO/respite.db
		fi
		write_config
		start_fails "read-only mount at start, $what" \
		    "$DB: .*(Read-only file system|cannot open for writing)" \
		    "... and the log names the file and the cause"
	done
else
	skip "read-only mount at start" "cannot remount a bind mount read-only here"
fi

# ---- a corrupt database file: a clear error at start-up, not a crash

DB=$TMPD/corrupt.db
head -c 8192 /dev/urandom >"$DB"
write_config
start_fails "a corrupt database file" "corrupt\.db" "... and the log names the file"

done_testing
