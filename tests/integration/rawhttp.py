# respite - a raw HTTP/1.1 client for the integration tests (http.sh,
# suggestions.sh): standard library only; prints one JSON object.
#
#   rawhttp.py CMD HOST PORT [ARGS]
#
# send N [close]: the bytes of stdin in one write (a pipeline), then N
# replies read ({"responses": [{"status", "headers", "body"}], "closed",
# "error"}); with close, whether the daemon then closes.  The other
# commands are http.sh's cases.
import json, socket, sys, time

HOST = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 0


def conn(timeout=5.0, host=None):
    fam = socket.AF_INET6 if ":" in (host or HOST) else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host or HOST, PORT))
    return s


class Reader:
    def __init__(self, s):
        self.s, self.buf, self.closed, self.error = s, b"", False, None

    def fill(self):
        try:
            d = self.s.recv(65536)
        except socket.timeout:
            self.error = "timeout"
            return False
        except OSError as e:
            self.error = type(e).__name__
            self.closed = True
            return False
        if not d:
            self.closed = True
            return False
        self.buf += d
        return True

    def response(self):
        while b"\r\n\r\n" not in self.buf:
            if not self.fill():
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs = {}
        for l in lines[1:]:
            k, v = l.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        if status == 100:
            return {"status": 100, "headers": hdrs, "body": ""}
        n = int(hdrs.get("content-length", "0"))
        while len(self.buf) < n:
            if not self.fill():
                return None
        body, self.buf = self.buf[:n], self.buf[n:]
        return {"status": status, "headers": hdrs,
                "body": body.decode("utf-8", "replace")}

    def wait_close(self, limit):
        t0 = time.time()
        self.s.settimeout(limit)
        while not self.closed:
            if not self.fill() and self.error == "timeout":
                return None
        return time.time() - t0


def request(s, method, path, body=b"", extra=""):
    s.sendall(("%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n%s\r\n"
               % (method, path, len(body), extra)).encode() + body)


def cmd_send():
    # stdin: raw bytes sent at once; argv[4]: how many replies to read.
    data = sys.stdin.buffer.read()
    s = conn()
    s.sendall(data)
    r = Reader(s)
    out = []
    for _ in range(int(sys.argv[4])):
        x = r.response()
        if x is None:
            break
        out.append(x)
    closed = r.wait_close(3.0) is not None if len(sys.argv) > 5 else None
    return {"responses": out, "closed": closed, "error": r.error}


def peek_open(s):
    """True while s is open with nothing to read."""
    s.setblocking(False)
    try:
        d = s.recv(65536)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        s.setblocking(True)
    return False if not d else None


def cmd_maxconn():
    # max_connections is 3: three streams (busy, never idle), then a
    # fourth connection.  A stream's headers prove it was accepted.
    busy = [conn() for _ in range(3)]
    res = {"admitted": []}
    for s in busy:
        request(s, "GET", "/v1/stream?team=t", b"", "Accept: text/event-stream\r\n")
        x = Reader(s).response()
        res["admitted"].append(x["status"] if x else None)
    s4 = conn()
    r4 = Reader(s4)
    x = r4.response()
    res["fourth"] = x
    res["fourth_closed"] = r4.wait_close(3.0) is not None
    # A real client that sends its request at once.
    s5 = conn()
    request(s5, "GET", "/healthz")
    r5 = Reader(s5)
    res["fifth"] = r5.response()
    res["fifth_error"] = r5.error
    # The three streams are still open.
    res["busy_open"] = [peek_open(s) is not False for s in busy]
    # Close one; a new connection then gets served.
    busy[1].close()
    t0, res["after"] = time.time(), None
    while time.time() - t0 < 3:
        s = conn()
        request(s, "GET", "/healthz")
        x = Reader(s).response()
        s.close()
        if x and x["status"] == 200:
            res["after"] = x
            break
        time.sleep(0.1)
    return res


def cmd_evict():
    # max_connections is 3: three silent connections fill it; a new
    # client is served, and the oldest silent one is closed for it.
    silent = []
    for _ in range(3):
        silent.append(conn())
        time.sleep(0.05)
    time.sleep(0.2)
    s = conn()
    request(s, "GET", "/healthz")
    res = {"new": Reader(s).response()}
    time.sleep(0.2)
    res["silent_open"] = [peek_open(x) is True for x in silent]
    # Another new client: the next silent one goes, not the newer
    # kept-alive one.
    s2 = conn()
    request(s2, "GET", "/healthz")
    res["new2"] = Reader(s2).response()
    time.sleep(0.2)
    res["open_after2"] = [peek_open(x) is True for x in silent + [s]]
    return res


def cmd_headertimeout():
    # header_timeout is 1 s: a silent connection and one with half a
    # head are closed after it; one that made a request stays open
    # (idle_timeout) after its reply.
    silent = conn(timeout=6.0)
    half = conn(timeout=6.0)
    half.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    kept = conn(timeout=6.0)
    request(kept, "GET", "/healthz")
    res = {"kept": Reader(kept).response()}
    t0 = time.time()
    res["silent_closed_after"] = Reader(silent).wait_close(5.0)
    res["half_closed_after"] = Reader(half).wait_close(5.0)
    if res["half_closed_after"] is not None:
        res["half_closed_after"] = time.time() - t0
    time.sleep(max(0.0, 2.5 - (time.time() - t0)))
    res["kept_open"] = peek_open(kept) is True
    return res


def cmd_slow():
    # A sends half a request and stalls; B must still be served at once.
    body = b'{"type":"agent.login","agent":"slow1"}'
    a = conn()
    a.sendall(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n"
               "Content-Type: application/json\r\n\r\n" % len(body)).encode()
              + body[:10])
    t0 = time.time()
    b = conn()
    request(b, "POST", "/v1/events", b'{"type":"agent.login","agent":"fast1"}')
    rb = Reader(b).response()
    request(b, "GET", "/v1/agents/fast1")
    rb2 = Reader(b).response()
    tb = time.time() - t0
    a.sendall(body[10:])
    ra = Reader(a).response()
    return {"b": rb, "b2": rb2, "b_seconds": tb, "a": ra}


def cmd_trickle():
    # One byte every 0.25 s: the read timeout never fires, the request
    # deadline (request_timeout) must.
    s = conn()
    s.settimeout(0.25)
    data = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + b"a" * 1000
    t0 = time.time()
    for i in range(len(data)):
        try:
            s.send(data[i:i + 1])
            d = s.recv(4096)
            if not d:
                return {"closed_after": time.time() - t0}
            return {"reply": d.decode("latin-1")[:200]}
        except socket.timeout:
            pass
        except OSError as e:
            return {"closed_after": time.time() - t0, "error": str(e)}
        if time.time() - t0 > 10:
            break
    return {"closed_after": None}


def cmd_idle():
    # argv[4]: "fresh" (no request) or "after" (after one request).
    s = conn()
    r = Reader(s)
    res = {}
    if sys.argv[4] == "after":
        request(s, "GET", "/healthz")
        res["reply"] = r.response()
    res["closed_after"] = r.wait_close(6.0)
    return res


def cmd_halfclose():
    # The client shuts down its sending side right after the request (as
    # `nc -N` does): the reply must still come, then the close.
    body = b'{"type":"agent.login","agent":"half1"}'
    s = conn()
    request(s, "POST", "/v1/events", body,
            "Content-Type: application/json\r\n")
    s.shutdown(socket.SHUT_WR)
    r = Reader(s)
    x = r.response()
    return {"reply": x, "closed": r.wait_close(3.0) is not None}
def cmd_v6get():
    s = conn(host="::1")
    request(s, "GET", "/healthz")
    return {"reply": Reader(s).response()}


print(json.dumps(globals()["cmd_" + sys.argv[1]]()))
