#!/usr/bin/env python3
"""A webhook receiver on 127.0.0.1 for tests/integration/sinks.sh.

Records every request as one JSON line (method, path, headers, body) in
LOG, flushed at once, and answers 200 - or, to stage trouble, 503 to the
first --fail requests, a given --status to all, or only after --delay
seconds.  Writes its port to PORTFILE once it listens.
"""
import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("portfile")
    ap.add_argument("log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0)
    args = ap.parse_args()
    state = {"n": 0}
    out = open(args.log, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            state["n"] += 1
            if args.delay > 0:
                time.sleep(args.delay)
            code = 503 if state["n"] <= args.fail else args.status
            rec = {"n": state["n"], "method": "POST", "path": self.path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body, "answered": code}
            out.write(json.dumps(rec) + "\n")
            out.flush()
            reply = b"ok\n"
            try:
                self.send_response(code)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass

        def log_message(self, fmt, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    with open(args.portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(args.portfile + ".tmp", args.portfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
