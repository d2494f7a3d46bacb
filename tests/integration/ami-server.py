#!/usr/bin/env python3
"""A small Asterisk Manager Interface server for tests/integration/asterisk.sh.

Asterisk is not packaged in Debian 12; this speaks enough of AMI as
Asterisk 20 does (the banner, Action: Login with a response, Action: Ping,
CRLF lines, a blank line after each message) to replay transcripts
(tests/data/ami/*.ami: AMI messages, "#" comment lines dropped, each
"Timestamp: @SECONDS" made BASE + SECONDS with six decimals, as
timestampevents = yes writes it).

    ami-server.py PORTFILE SECRET BASE SESSION...

It listens on 127.0.0.1 (a free port, written to PORTFILE) and serves one
client at a time.  A login with another secret is answered "Response:
Error" / "Authentication failed" and the connection closed, as Asterisk
does.  Each accepted login takes the next SESSION (the last repeats):
FILE[,FILE...]:MODE[:STATUS], MODE "drop@N" (send the first N messages,
then close: a connection lost mid-shift), "close" (all, then close) or
"open" (all, then answer pings until the client goes).  With STATUS (a
transcript of QueueMember messages), the client's first action after the
login must be QueueStatus, answered as Asterisk does (Response: Success,
the QueueMember events with its ActionID, QueueStatusComplete) before the
messages; without, a QueueStatus is answered with no members.  Before a
close, what the client sent is read to its end (a close with unread data
would be a reset that loses what was sent).  PORTFILE.log gets a line
for each step, for the test to wait on.
"""
import os
import select
import socket
import sys


def load(paths, base):
    msgs = []
    for path in paths:
        cur = []
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith("#"):
                    continue
                if line == "":
                    if cur:
                        msgs.append(cur)
                    cur = []
                    continue
                if line.startswith("Timestamp: @"):
                    line = "Timestamp: %.6f" % (base + float(line[12:]))
                cur.append(line)
        if cur:
            msgs.append(cur)
    return msgs


def wire(lines):
    return ("".join(l + "\r\n" for l in lines) + "\r\n").encode()


def read_message(conn, buf):
    """The next message's headers (dict), and the rest of buf; None at EOF."""
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
        data = conn.recv(4096)
        if not data:
            return None, buf
        buf += data
    sep = b"\r\n\r\n" if b"\r\n\r\n" in buf else b"\n\n"
    head, buf = buf.split(sep, 1)
    h = {}
    for line in head.decode(errors="replace").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    return h, buf


def queue_status(conn, aid, members):
    conn.sendall(wire(["Response: Success", "ActionID: " + aid,
                       "EventList: start",
                       "Message: Queue status will follow"]))
    for m in members:
        conn.sendall(wire(m + ["ActionID: " + aid]))
    conn.sendall(wire(["Event: QueueStatusComplete", "ActionID: " + aid,
                       "EventList: Complete",
                       "ListItems: %d" % len(members)]))


def drain_close(conn):
    """Close once the client has nothing more to say (1 s at most)."""
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(1.0)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


def main():
    portfile, secret, base = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sessions = sys.argv[4:]
    log = open(portfile + ".log", "a", buffering=1)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    used = 0
    while True:
        conn, _ = srv.accept()
        log.write("connect\n")
        conn.sendall(b"Asterisk Call Manager/9.0.0\r\n")
        h, buf = read_message(conn, b"")
        if h is None or h.get("action", "").lower() != "login":
            log.write("no login\n")
            conn.close()
            continue
        aid = h.get("actionid", "")
        if h.get("secret") != secret:
            conn.sendall(wire(["Response: Error", "ActionID: " + aid,
                               "Message: Authentication failed"]))
            log.write("login refused\n")
            conn.close()
            continue
        conn.sendall(wire(["Response: Success", "ActionID: " + aid,
                           "Message: Authentication accepted"]))
        conn.sendall(wire(["Event: FullyBooted", "Privilege: system,all",
                           "Uptime: 3600", "LastReload: 3600",
                           "Status: Fully Booted"]))
        spec = sessions[min(used, len(sessions) - 1)]
        used += 1
        status = None
        files, mode = spec.rsplit(":", 1)
        if mode not in ("open", "close") and not mode.startswith("drop@"):
            status = mode
            files, mode = files.rsplit(":", 1)
        if status is not None:
            h, buf = read_message(conn, buf)
            if h is None or h.get("action", "").lower() != "queuestatus":
                log.write("session %d: no QueueStatus\n" % used)
                conn.close()
                continue
            members = load([status], base)
            queue_status(conn, h.get("actionid", ""), members)
            log.write("session %d status %d\n" % (used, len(members)))
        msgs = load(files.split(","), base)
        n = int(mode[5:]) if mode.startswith("drop@") else len(msgs)
        for m in msgs[:n]:
            conn.sendall(wire(m))
        log.write("session %d sent %d\n" % (used, n))
        if mode != "open":
            drain_close(conn)
            log.write("session %d closed\n" % used)
            continue
        while True:
            r, _, _ = select.select([conn], [], [], 1.0)
            if not r:
                continue
            h, buf = read_message(conn, buf)
            if h is None:
                break
            if h.get("action", "").lower() == "ping":
                conn.sendall(wire(["Response: Success",
                                   "ActionID: " + h.get("actionid", ""),
                                   "Ping: Pong", "Timestamp: 0.000000"]))
            elif h.get("action", "").lower() == "queuestatus":
                queue_status(conn, h.get("actionid", ""), [])
        conn.close()
        log.write("session %d gone\n" % used)


if __name__ == "__main__":
    main()
