#!/usr/bin/env python3
# respite - single-event POSTs to one respited while a NATS server is
# killed (cluster.sh, tests/bench/nats-bench.sh).
#
#   cluster-writer.py BASE_URL VICTIM_PID ACKED_FILE TS_S BOUND_S
#
# Posts one message.received event a request (ids k-1, k-2, ... for agent
# gina at TS_S), one after another over a keep-alive connection; after
# 100 answered 202 it sends SIGKILL to VICTIM_PID (a nats-server), and
# stops once 200 more were answered 202, or after BOUND_S seconds.
# Writes the ids answered 202 to ACKED_FILE, one a line, and prints
# "posted N acked N failed N killed yes|no longest_pause_ms N": the
# longest time between two 202s in a row.
import http.client
import json
import os
import signal
import sys
import time
import urllib.parse

base, victim, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t, bound = int(sys.argv[4]), int(sys.argv[5])
u = urllib.parse.urlparse(base)
conn = None
acked, failed, last_ok, pause, killed_at, after = [], 0, None, 0.0, None, 0
start = time.monotonic()
i = 0
while time.monotonic() - start < bound:
    i += 1
    if killed_at is None and len(acked) >= 100:
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
    if after >= 200:
        break
    body = json.dumps({"type": "message.received", "agent": "gina",
                       "channel": "chat", "id": "k-%d" % i, "ts": t * 1000})
    try:
        if conn is None:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("POST", "/v1/events", body,
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        status = r.status
    except Exception:
        conn = None
        status = 0
    now = time.monotonic()
    if status == 202:
        if last_ok is not None and now - last_ok > pause:
            pause = now - last_ok
        last_ok = now
        acked.append("k-%d" % i)
        if killed_at is not None:
            after += 1
    else:
        failed += 1
        # A 503 comes at once while the stream has no leader: a client
        # retries after a moment, not in a tight loop.
        time.sleep(0.05)
with open(out, "w") as f:
    for a in acked:
        f.write(a + "\n")
print("posted %d acked %d failed %d killed %s longest_pause_ms %d" % (
    i, len(acked), failed, "yes" if killed_at is not None else "no",
    int(pause * 1000)))
