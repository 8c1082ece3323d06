"""What the I/O and transfer experiments run: a loopback HTTP server with a set latency,
and the receiving ends of Pipe, Queue and shared-memory transfers.

Importable by name, so spawn and forkserver children find it; standard library
only, Python 3.8+. The server binds 127.0.0.1 on an ephemeral port, nothing else.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Every wait a child makes is bounded, so a lost parent never leaves it hanging.
CHILD_WAIT_S = 60.0
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
    sys.stdout.write("{}\n".format(server.server_address[1]))
    sys.stdout.flush()
    try:
        sys.stdin.read()  # the parent closes our stdin (or dies): time to stop
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- transfer sink
def transfer_sink(pipe, queue, queue_ack, shm_ctl, shm_name: str) -> None:
    """One receiving process for all three mechanisms, so that they share its CPU and its
    wake-ups. Acknowledges each payload on the channel's own connection:

    - ``pipe``: the payload's bytes themselves (empty bytes: stop);
    - ``queue``: the payload put on a multiprocessing.Queue, acknowledged on ``queue_ack``;
    - ``shm_ctl``: the length of a payload written into the SharedMemory block; the sink
      looks at its last byte in place, nothing is copied (0: stop).
    """
    from multiprocessing.connection import wait

    from .probes import attach_shared_memory
    block = attach_shared_memory(shm_name)
    reader = queue._reader  # the Queue's receiving end, to wait on it beside the pipes
    open_ends = {pipe, reader, shm_ctl}
    try:
        while open_ends:
            ready = wait(list(open_ends), CHILD_WAIT_S)
            if not ready:
                break
            for end in ready:
                if end is pipe:
                    if not pipe.recv_bytes():
                        open_ends.discard(pipe)
                        continue
                    pipe.send_bytes(b"k")
                elif end is reader:
                    if queue.get(timeout=CHILD_WAIT_S) is None:
                        open_ends.discard(reader)
                        continue
                    queue_ack.send_bytes(b"k")
                else:
                    n = int(shm_ctl.recv_bytes())
                    if not n:
                        open_ends.discard(shm_ctl)
                        continue
                    view = block.buf[:n]
                    view[n - 1]  # the bytes are there, in place
                    view.release()
                    shm_ctl.send_bytes(b"k")
    finally:
        block.close()


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "serve-http":
    serve_http(float(sys.argv[2]))
