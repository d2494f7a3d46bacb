# respite - clients that ask for large replies and never read them
# (unsent.sh, issue 21 item 4): standard library only; prints one JSON
# object.
#
#   unsent.py load PORT N
#       N agents (agent-000000...), in NDJSON batches of 10,000, spread
#       over 50 teams.
#   unsent.py hold PORT PID N SECONDS PATH...
#   unsent.py probe PORT N
#       N connections, each with a tiny receive buffer, each asking for
#       every PATH (pipelined) and reading nothing; after SECONDS (and at
#       least five probes of /healthz, each given 60 s), the
#       daemon's VmRSS (kB, /proc/PID/status) and a fresh client's
#       GET /healthz times (ms) meanwhile; then the connections close.
#   unsent.py get PORT PATH
#       one GET, the reply read whole (Content-Length, chunked, or to
#       the close): {"status", "framing", "body_len", "ms", "body"}.
import json
import os, socket, sys, time


def connect(port, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        # Before connect(): the window the daemon may fill stays small.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    # lib.sh's multiplier: a loaded machine or a sanitizer build.
    s.settimeout(30 * int(os.environ.get("RESPITE_TEST_SLOW", "1") or 1))
    s.connect(("127.0.0.1", port))
    return s


def read_reply(s):
    """One reply: (status, headers, body, framing)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed in the head")
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in buf:
                d = s.recv(65536)
                if not d:
                    raise EOFError("closed in a chunk size")
                buf += d
            line, buf = buf.split(b"\r\n", 1)
            n = int(line.split(b";")[0], 16)
            while len(buf) < n + 2:
                d = s.recv(65536)
                if not d:
                    raise EOFError("closed in a chunk")
                buf += d
            if buf[n:n + 2] != b"\r\n":
                raise ValueError("a chunk without its CRLF")
            body += buf[:n]
            buf = buf[n + 2:]
            if n == 0:
                return status, hdrs, body, "chunked"
    if "content-length" in hdrs:
        n = int(hdrs["content-length"])
        while len(buf) < n:
            d = s.recv(65536)
            if not d:
                raise EOFError("closed in the body")
            buf += d
        return status, hdrs, buf[:n], "length"
    while True:
        d = s.recv(65536)
        if not d:
            return status, hdrs, buf, "close"
        buf += d


def vmrss(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return -1


def healthz_ms(port):
    t0 = time.time()
    try:
        s = connect(port)
        s.settimeout(60)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                  b"Connection: close\r\n\r\n")
        st, _, _, _ = read_reply(s)
        s.close()
    except (OSError, EOFError, ValueError):
        return -1
    return round((time.time() - t0) * 1000.0, 1) if st == 200 else -1


def cmd_load(port, n):
    s = connect(port)
    t = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time() * 1000) - 60000
    done = 0
    while done < n:
        k = min(10000, n - done)
        lines = []
        for i in range(done, done + k):
            lines.append('{"type":"agent.login","agent":"agent-%06d",'
                         '"team":"team-%02d","ts":%d}' % (i, i % 50, t))
        body = ("\n".join(lines) + "\n").encode()
        s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/x-ndjson\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        st, _, b, _ = read_reply(s)
        if st != 202:
            print(json.dumps({"error": "HTTP %d: %s" % (st, b[:200])}))
            return
        done += k
    print(json.dumps({"agents": done}))


def cmd_hold(port, pid, n, secs, paths):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(n + 64, hard), hard))
    rss0 = vmrss(pid)
    req = b"".join(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n"
                   % p.encode() for p in paths)
    conns = []
    for _ in range(n):
        s = connect(port, rcvbuf=4096)
        s.sendall(req)
        conns.append(s)
    t0 = time.time()
    peak, hz = rss0, []
    # At least five probes, however slow the machine.
    while time.time() - t0 < secs or len(hz) < 5:
        peak = max(peak, vmrss(pid))
        hz.append(healthz_ms(port))
        time.sleep(0.1)
    rss = vmrss(pid)
    peak = max(peak, rss)
    for s in conns:
        s.close()
    ok = [h for h in hz if h >= 0]
    print(json.dumps({"clients": n, "rss_before_kb": rss0, "rss_kb": rss,
                      "rss_peak_kb": peak, "held_kb": peak - rss0,
                      "healthz": len(hz), "healthz_failed": len(hz) - len(ok),
                      "healthz_max_ms": max(ok) if ok else -1,
                      "healthz_median_ms":
                      sorted(ok)[len(ok) // 2] if ok else -1}))


def cmd_probe(port, n):
    """The median of n /healthz probes with nothing held: the baseline."""
    hz = []
    for _ in range(n):
        hz.append(healthz_ms(port))
        time.sleep(0.05)
    ok = sorted(h for h in hz if h >= 0)
    print(json.dumps({"healthz": n, "healthz_failed": n - len(ok),
                      "healthz_median_ms": ok[len(ok) // 2] if ok else -1}))


def cmd_get(port, path):
    s = connect(port)
    t0 = time.time()
    s.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path.encode())
    st, hdrs, body, framing = read_reply(s)
    ms = (time.time() - t0) * 1000.0
    s.close()
    print(json.dumps({"status": st, "framing": framing,
                      "body_len": len(body), "ms": round(ms, 1),
                      "body": body.decode("utf-8", "replace")}))


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "load":
        cmd_load(port, int(sys.argv[3]))
    elif cmd == "hold":
        cmd_hold(port, int(sys.argv[3]), int(sys.argv[4]),
                 float(sys.argv[5]), sys.argv[6:])
    elif cmd == "get":
        cmd_get(port, sys.argv[3])
    elif cmd == "probe":
        cmd_probe(port, int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
