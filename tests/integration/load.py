#!/usr/bin/env python3
# respite - the load-shape helper of tests/integration/load.sh (standard
# library only).  It holds many connections to a respited on 127.0.0.1
# and prints one JSON object with what it saw:
#
#   load.py maxconn PORT N WAIT_S
#       open N idle connections; count those refused (503 unavailable,
#       none while some are idle) and those closed for newer ones
#       then closed) and those admitted (nothing happens); then close ten
#       admitted ones and read /metrics on a new connection.
#   load.py shape PORT IDLE SLOW READERS STUCK QUIET_S FLOOD_S
#       IDLE idle connections, SLOW slowloris clients (a request head one
#       byte a second), READERS slow readers (pipelined requests, replies
#       never read), STUCK stream subscribers that never read and one
#       that does, while a probe (another process: `load.py probe`) makes
#       requests for QUIET_S and times them; then FLOOD_S more of them
#       while batches of status changes flood the streams.
#   load.py probe PORT SECONDS [KEEPALIVE_ONLY]
#       requests every 20 ms, rotating: GET /healthz, GET /v1/agents/ID,
#       POST /v1/events (status changes of team "load", so the streams
#       have something to send), and GET /healthz on a new connection;
#       prints the latencies.
#   load.py emfile PORT N SECONDS
#       open one keep-alive connection, then N idle ones (more than the
#       daemon has descriptors for); probe on the first connection for
#       SECONDS; then close all but 40 of the idle ones and time how long
#       a new connection takes to be served.
import json
import os
import resource
import select
import socket
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connect(port, rcvbuf=None, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((HOST, port))
    return s


def open_many(port, n):
    """n connections; pauses now and then so the backlog never overflows."""
    out = []
    for i in range(n):
        out.append(connect(port))
        if i % 200 == 199:
            time.sleep(0.02)
    return out


def peek_state(s):
    """'open' (nothing to read), 'closed' (EOF/reset) or the bytes read."""
    s.setblocking(False)
    try:
        d = s.recv(65536)
    except BlockingIOError:
        return "open"
    except OSError:
        return "closed"
    finally:
        s.setblocking(True)
    if not d:
        return "closed"
    return d


def read_response(s, buf=b""):
    """One HTTP response on a blocking socket: (status, body, rest)."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    n = 0
    for l in lines[1:]:
        k, _, v = l.partition(":")
        if k.strip().lower() == "content-length":
            n = int(v.strip())
    while len(buf) < n:
        d = s.recv(65536)
        if not d:
            raise EOFError("connection closed in the body")
        buf += d
    return status, buf[:n], buf[n:]


def request_bytes(method, path, body=b"", ctype="application/json"):
    h = "%s %s HTTP/1.1\r\nHost: localhost\r\n" % (method, path)
    if body:
        h += "Content-Type: %s\r\nContent-Length: %d\r\n" % (ctype, len(body))
    return (h + "\r\n").encode() + body


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    i = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[i]


# ------------------------------------------------------------ maxconn

def cmd_maxconn(port, n, wait_s):
    raise_nofile(n + 16)
    conns = open_many(port, n)
    # Wait until the count of refusals stops changing.
    refused, bad, seen = 0, [], {}
    t0 = time.time()
    last_change = t0
    while time.time() - t0 < wait_s:
        for i, s in enumerate(conns):
            if i in seen:
                continue
            st = peek_state(s)
            if st == "open":
                continue
            seen[i] = st
            last_change = time.time()
        if seen and time.time() - last_change > 1.0:
            break
        time.sleep(0.1)
    closed = []
    for i, st in seen.items():
        if isinstance(st, bytes) and st.startswith(b"HTTP/1.1 503") and \
                b'"code":"unavailable"' in st:
            refused += 1
        elif st == "closed":
            closed.append(i)
        else:
            bad.append(repr(st)[:120])
    # Closed without a word: the oldest idle ones, to admit new ones.
    closed.sort()
    res = {"opened": n, "refused": refused, "admitted": n - len(seen),
           "closed": len(closed),
           "closed_oldest": closed == list(range(len(closed))),
           "other": bad[:5]}
    # Close ten admitted ones: a new client then gets in.
    admitted = [s for i, s in enumerate(conns) if i not in seen]
    for s in admitted[:10]:
        s.close()
    # Until the daemon has seen them go (the count includes this client).
    want = res["admitted"] - 10 + 1
    t0 = time.time()
    while time.time() - t0 < wait_s:
        try:
            res["metrics"] = metrics(port)
            if res["metrics"]["respite_http_connections"] <= want:
                break
        except (OSError, EOFError):
            pass
        time.sleep(0.1)
    for s in conns:
        s.close()
    return res


# ------------------------------------------------------------ probe

class KeepAlive:
    def __init__(self, port):
        self.port = port
        self.s = None
        self.buf = b""

    def do(self, data):
        if self.s is None:
            self.s = connect(self.port)
            self.buf = b""
        self.s.sendall(data)
        st, body, self.buf = read_response(self.s, self.buf)
        return st, body


def cmd_probe(port, seconds, keepalive_only=False):
    ka = KeepAlive(port)
    lat = {"healthz": [], "agent": [], "post": [], "new_conn": []}
    errors = []
    t_end = time.time() + seconds
    i = 0
    nposted = 0
    while time.time() < t_end:
        kind = ["healthz", "agent", "post", "new_conn"][i % 4]
        if keepalive_only and kind == "new_conn":
            kind = "healthz"
        i += 1
        t0 = time.perf_counter()
        try:
            if kind == "healthz":
                st, _ = ka.do(request_bytes("GET", "/healthz"))
            elif kind == "agent":
                st, _ = ka.do(request_bytes("GET", "/v1/agents/load-1"))
                if st == 404:
                    st = 200  # before the first POST
            elif kind == "post":
                ev = []
                for a in range(1, 11):
                    ev.append({"type": "agent.login", "agent": "load-%d" % a,
                               "team": "load"})
                    ev.append({"type": "agent.logout",
                               "agent": "load-%d" % a})
                st, _ = ka.do(request_bytes(
                    "POST", "/v1/events", json.dumps(ev).encode()))
                if st == 202:
                    st = 200
                    nposted += len(ev)
            else:
                s = connect(port)
                s.sendall(request_bytes("GET", "/healthz"))
                st, _, _ = read_response(s)
                s.close()
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            errors.append("%s: %s" % (kind, e))
            ka.s = None
            st = None
        dt = (time.perf_counter() - t0) * 1000.0
        if st == 200:
            lat[kind].append(dt)
        elif st is not None:
            errors.append("%s: HTTP %s" % (kind, st))
        time.sleep(0.02)
    allv = [x for v in lat.values() for x in v]
    res = {"requests": len(allv), "errors": errors[:10],
           "nerrors": len(errors), "events_posted": nposted,
           "p50_ms": pct(allv, 50), "p99_ms": pct(allv, 99),
           "max_ms": max(allv) if allv else None,
           "by_kind": {k: {"n": len(v), "p50_ms": pct(v, 50),
                           "p99_ms": pct(v, 99),
                           "max_ms": max(v) if v else None}
                       for k, v in lat.items()}}
    return res


# ------------------------------------------------------------ shape

def metrics(port):
    """The respite_http_* and respite_sse_* gauges and counters."""
    s = connect(port)
    s.sendall(request_bytes("GET", "/metrics"))
    st, body, _ = read_response(s)
    s.close()
    if st != 200:
        raise EOFError("GET /metrics: HTTP %d" % st)
    out = {}
    for line in body.decode().splitlines():
        if line.startswith(("respite_http_conn", "respite_http_accept",
                            "respite_sse")):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


class SSEReader(threading.Thread):
    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.s = connect(port, timeout=None)
        self.s.sendall(request_bytes("GET", path))
        self.items = 0
        self.last_id = None
        self.closed = False
        self.status = None
        self.stop = False

    def run(self):
        buf = b""
        poll = select.poll()
        poll.register(self.s, select.POLLIN)
        try:
            while not self.stop:
                if not poll.poll(200):
                    continue
                d = self.s.recv(65536)
                if not d:
                    self.closed = True
                    return
                if self.status is None:
                    buf += d
                    if b"\r\n\r\n" not in buf:
                        continue
                    head, d = buf.split(b"\r\n\r\n", 1)
                    self.status = int(head.split(b" ")[1])
                    buf = b"\n"
                # Count "id: " at line starts; keep the last line's
                # beginning for the next chunk.
                tail = buf[-64:]
                buf = tail + d
                self.items += buf.count(b"\nid: ") - tail.count(b"\nid: ")
                i = buf.rfind(b"\nid: ")
                if i >= 0:
                    j = buf.find(b"\n", i + 1)
                    if j > 0:
                        self.last_id = int(buf[i + 5:j])
        except OSError:
            self.closed = True


class Flood(threading.Thread):
    """Batches of 250 status changes of team "load" (125 agents log in
    and out), sixteen a second: about 4 MB of stream items a second, so
    a subscriber that never reads falls behind its buffer and every
    kernel buffer within seconds, while one that reads keeps up."""

    def __init__(self, port, seconds):
        super().__init__(daemon=True)
        self.port, self.seconds = port, seconds
        self.batches = self.events = 0
        self.errors = []
        ev = []
        for a in range(1, 126):
            ev.append({"type": "agent.login", "agent": "flood-%d" % a,
                       "team": "load"})
            ev.append({"type": "agent.logout", "agent": "flood-%d" % a})
        self.n = len(ev)
        self.req = request_bytes("POST", "/v1/events", json.dumps(ev).encode())

    def run(self):
        ka = KeepAlive(self.port)
        t_end = time.time() + self.seconds
        while time.time() < t_end:
            t0 = time.time()
            try:
                st, body = ka.do(self.req)
                if st == 202:
                    self.batches += 1
                    self.events += self.n
                else:
                    self.errors.append("HTTP %s %s" % (st, body[:100]))
            except Exception as e:  # noqa: BLE001
                self.errors.append(str(e))
                ka.s = None
            time.sleep(max(0.0, 0.0625 - (time.time() - t0)))


def cmd_shape(port, n_idle, n_slow, n_readers, n_stuck, quiet_s, flood_s):
    raise_nofile(n_idle + n_slow + n_readers + n_stuck + 64)
    res = {}
    t_setup = time.time()
    idle = open_many(port, n_idle)
    # Slowloris: a request head one byte a second, never finished.
    head = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 200
    slow = [connect(port) for _ in range(n_slow)]
    slow_pos = [0] * n_slow
    slow_closed = [None] * n_slow
    # Slow readers: 200 pipelined requests for the web page's script,
    # replies never read, with a small receive buffer.
    readers = []
    for _ in range(n_readers):
        s = connect(port, rcvbuf=4096)
        s.sendall(request_bytes("GET", "/app.js") * 200)
        readers.append(s)
    # Stream subscribers that never read (small receive buffer), and one
    # that reads everything.
    stuck = []
    for _ in range(n_stuck):
        s = connect(port, rcvbuf=4096)
        s.sendall(request_bytes("GET", "/v1/stream?team=load"))
        stuck.append(s)
    reader = SSEReader(port, "/v1/stream?team=load")
    reader.start()
    res["setup_s"] = round(time.time() - t_setup, 2)
    t0 = time.time()

    def probe_while(seconds, other=None):
        # The probe, in a process of its own so that this one's work does
        # not count against the daemon; meanwhile the slowloris bytes.
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                              "probe", str(port), str(seconds)],
                             stdout=subprocess.PIPE)
        if other is not None:
            other.start()
        while p.poll() is None:
            for i, s in enumerate(slow):
                if slow_closed[i] is not None:
                    continue
                try:
                    if slow_pos[i] < len(head):
                        s.send(head[slow_pos[i]:slow_pos[i] + 1])
                        slow_pos[i] += 1
                    if peek_state(s) != "open":
                        slow_closed[i] = time.time() - t0
                except OSError:
                    slow_closed[i] = time.time() - t0
            time.sleep(1.0)
        if other is not None:
            other.join()
        return json.loads(p.stdout.read().decode())

    # The quiet phase: the probe against the idle, the slowloris, the slow
    # readers and the silent subscribers.
    res["probe"] = probe_while(quiet_s)
    # The flood: the silent subscribers fall behind and are dropped.
    flood = Flood(port, flood_s)
    res["probe_flood"] = probe_while(flood_s, flood)
    res["flood"] = {"batches": flood.batches, "events": flood.events,
                    "errors": flood.errors[:5]}
    time.sleep(0.5)
    res["metrics"] = metrics(port)
    res["idle_open"] = sum(1 for s in idle if peek_state(s) == "open")
    res["slowloris_closed"] = sum(1 for x in slow_closed if x is not None)
    closed_at = [x for x in slow_closed if x is not None]
    res["slowloris_closed_after_s"] = [round(min(closed_at), 1),
                                       round(max(closed_at), 1)] \
        if closed_at else None
    res["slowloris_bytes_sent"] = max(slow_pos) if slow_pos else 0

    def gone(s):
        # Read what comes; closed if EOF or reset follows.  respited may
        # have closed with replies still in its send buffer, which come
        # (then the FIN) as this reads: open only if nothing comes for
        # half a second.
        s.settimeout(0.5)
        try:
            while True:
                d = s.recv(1 << 20)
                if not d:
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True
    res["slow_readers_closed"] = sum(1 for s in readers if gone(s))
    res["stuck_streams_closed"] = sum(1 for s in stuck if gone(s))
    reader.stop = True
    reader.join(2)
    res["reader"] = {"status": reader.status, "items": reader.items,
                     "last_id": reader.last_id, "closed": reader.closed}
    for s in idle + slow + readers + stuck:
        s.close()
    return res


# ------------------------------------------------------------ emfile

def cmd_emfile(port, n, seconds):
    raise_nofile(n + 16)
    ka = KeepAlive(port)
    ka.do(request_bytes("GET", "/healthz"))
    conns = open_many(port, n)
    time.sleep(0.5)
    res = {"probe": cmd_probe_on(ka, seconds)}
    # Free descriptors in the daemon: close all but 40 (the daemon then
    # accepts those still in its backlog and has room to spare).
    keep = conns[n - 40:]
    for s in conns[:n - 40]:
        s.close()
    t0 = time.time()
    served = None
    while time.time() - t0 < 10:
        try:
            s = connect(port, timeout=2.0)
            s.sendall(request_bytes("GET", "/healthz"))
            st, _, _ = read_response(s)
            s.close()
            if st == 200:
                served = time.time() - t0
                break
        except (OSError, EOFError):
            pass
        time.sleep(0.05)
    res["new_connection_served_after_s"] = \
        round(served, 2) if served is not None else None
    for s in keep:
        s.close()
    return res


def cmd_probe_on(ka, seconds):
    v, errors = [], []
    t_end = time.time() + seconds
    while time.time() < t_end:
        t0 = time.perf_counter()
        try:
            st, _ = ka.do(request_bytes("GET", "/healthz"))
            if st == 200:
                v.append((time.perf_counter() - t0) * 1000.0)
            else:
                errors.append("HTTP %s" % st)
        except Exception as e:  # noqa: BLE001
            errors.append(str(e))
            break
        time.sleep(0.02)
    return {"requests": len(v), "errors": errors[:5],
            "p50_ms": pct(v, 50), "p99_ms": pct(v, 99),
            "max_ms": max(v) if v else None}


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    a = sys.argv[3:]
    if cmd == "maxconn":
        res = cmd_maxconn(port, int(a[0]), float(a[1]))
    elif cmd == "probe":
        res = cmd_probe(port, float(a[0]), len(a) > 1 and a[1] == "1")
    elif cmd == "shape":
        res = cmd_shape(port, int(a[0]), int(a[1]), int(a[2]), int(a[3]),
                        float(a[4]), float(a[5]))
    elif cmd == "emfile":
        res = cmd_emfile(port, int(a[0]), float(a[1]))
    else:
        sys.exit("unknown command " + cmd)
    if res is not None:
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
