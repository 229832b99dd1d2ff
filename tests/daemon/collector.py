#!/usr/bin/env python3
"""A local HTTPS audit collector for the forwarding tests.

Serves on 127.0.0.1 (a free port, written to PORTFILE).  It first answers
--fail503 requests with 503, then drops the next --drop connections without
answering, then accepts: each accepted body (a JSON array of records) is
appended as one line to OUT, and every Authorization header it saw to
AUTHFILE.  It stops by itself after --lifetime seconds.
"""
import argparse
import http.server
import json
import socket
import ssl
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--cert", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--portfile", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--authfile", required=True)
ap.add_argument("--fail503", type=int, default=0)
ap.add_argument("--drop", type=int, default=0)
ap.add_argument("--lifetime", type=int, default=300)
args = ap.parse_args()

state = {"n503": args.fail503, "ndrop": args.drop}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            with open(args.authfile, "a") as f:
                f.write(self.headers.get("Authorization", "") + "\n")
            if state["n503"] > 0:
                state["n503"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            if state["ndrop"] > 0:
                state["ndrop"] -= 1
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            records = json.loads(body)
            with open(args.out, "a") as f:
                f.write(json.dumps([r["seq"] for r in records]) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(args.cert, args.key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(args.portfile, "w") as f:
    f.write(str(server.server_address[1]))
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
