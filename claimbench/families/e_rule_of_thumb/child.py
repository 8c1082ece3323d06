"""What section E's real-I/O experiment runs: a loopback HTTP server with a set latency (the notes'
"crawler" fetches from it).

Importable by name, and runnable as ``python -m claimbench.families.e_rule_of_thumb.child
serve-http LATENCY_S``; standard library only, Python 3.8+. The server binds 127.0.0.1 on an
ephemeral port, nothing else.
"""
from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer



LOOPBACK = "127.0.0.1"


# ---------------------------------------------------------------- the "crawler"'s server
class SlowHandler(BaseHTTPRequestHandler):
    """Answers every GET after ``server.latency_s``, with a small body."""

    body = b"ok\n" * 64

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        time.sleep(self.server.latency_s)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


def make_server(latency_s: float) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((LOOPBACK, 0), SlowHandler, bind_and_activate=False)
    # socketserver listens with a backlog of 5: a sixth simultaneous connect is dropped
    # and retried by the client a second later, which is no part of what is measured.
    server.request_queue_size = 128
    server.daemon_threads = True
    try:
        server.server_bind()
        server.server_activate()
    except BaseException:
        server.server_close()
        raise
    server.latency_s = latency_s
    return server


def serve_http(latency_s: float) -> None:
    """Main of the server process: print the port, then serve until the parent closes our stdin."""
    server = make_server(latency_s)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        sys.stdin.read()  # the parent closes our stdin (or dies): time to stop
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "serve-http":
    serve_http(float(sys.argv[2]))
