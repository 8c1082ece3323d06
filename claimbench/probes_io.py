"""What the I/O and transfer experiments run: a loopback HTTP server with a set latency,
and the receiving ends of Pipe, Queue and shared-memory transfers.

Importable by name, so spawn and forkserver children find it; standard library
only, Python 3.8+. The server binds 127.0.0.1 on an ephemeral port, nothing else.
"""
from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from .workloads import CHILD_WAIT_S

# Every wait a child makes is bounded, so a lost parent never leaves it hanging.
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
def transfer_sink(byte_pipes, queue, queue_ack, shm_ctl, shm_name: Optional[str]) -> None:
    """One receiving process for every mechanism, so that they share its CPU and its
    wake-ups. Acknowledges each payload on the channel's own connection:

    - each of ``byte_pipes``: the payload's bytes themselves (empty bytes: stop);
    - ``queue``: the payload put on a multiprocessing.Queue, acknowledged on ``queue_ack``;
    - ``shm_ctl``: the length of a payload written into the SharedMemory block named
      ``shm_name``; the sink copies it out (0: stop). None where there is no block.

    Every receiver ends with the whole payload in a bytes object of its own, as ``recv_bytes``
    and ``get`` hand it over: a receiver that looked at the block in place would be credited
    with a copy it never made.
    """
    from multiprocessing.connection import wait

    from .probes import attach_shared_memory
    block = attach_shared_memory(shm_name) if shm_ctl is not None else None
    reader = queue._reader  # the Queue's receiving end, to wait on it beside the pipes
    open_ends = set(byte_pipes) | {reader} | ({shm_ctl} if shm_ctl is not None else set())
    try:
        while open_ends:
            ready = wait(list(open_ends), CHILD_WAIT_S)
            if not ready:
                break
            for end in ready:
                if end is reader:
                    if queue.get(timeout=CHILD_WAIT_S) is None:
                        open_ends.discard(reader)
                        continue
                    queue_ack.send_bytes(b"k")
                elif end is shm_ctl:
                    n = int(shm_ctl.recv_bytes())
                    if not n:
                        open_ends.discard(shm_ctl)
                        continue
                    # Copied out and dropped at once, as the other receivers drop theirs: a copy
                    # kept until the next message would charge its free to the next transfer.
                    got = len(bytes(block.buf[:n]))
                    if got != n:
                        raise RuntimeError("the block held {} bytes, not {}".format(got, n))
                    shm_ctl.send_bytes(b"k")
                else:
                    if not end.recv_bytes():
                        open_ends.discard(end)
                        continue
                    end.send_bytes(b"k")
    finally:
        if block is not None:
            block.close()


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "serve-http":
    serve_http(float(sys.argv[2]))
