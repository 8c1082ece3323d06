"""Endless readers: the notes' ``while True: q.get(True)`` reader and the plants posing as it, the
readers that end by themselves (a sentinel, an Event), a writer flooding its queue, a daemonic reader
in a sandbox; and ``drain``, the parent's side."""
from __future__ import annotations

import queue
import signal
import time

from ....core.workloads import CHILD_WAIT_S


def endless_reader(q, ack) -> None:
    """Worker: the notes' reader — ``while True: q.get(True)`` — acknowledging each item."""
    while True:
        ack.put(q.get(True))


def self_ending_reader(q, ack) -> None:
    """Plant: a reader that reads one item, acknowledges it and returns by itself."""
    ack.put(q.get(True))


def sigterm_deaf_reader(q, ack) -> None:
    """Plant: the notes' endless reader, ignoring SIGTERM, so that terminate() cannot end it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    endless_reader(q, ack)


def sentinel_reader(q, ack, sentinel=None) -> None:
    """Worker: read until the sentinel arrives, then return."""
    while True:
        item = q.get(timeout=CHILD_WAIT_S)
        if item == sentinel:
            return
        ack.put(item)


def event_reader(q, stop, ack) -> None:
    """Worker: read while the stop Event is clear, waking now and then to look at it."""
    deadline = time.monotonic() + CHILD_WAIT_S
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            ack.put(q.get(timeout=0.02))
        except queue.Empty:
            pass


def flooding_writer(q, items: int, item_bytes: int, all_put) -> None:
    """Worker: put more items than the pipe holds, say so, then never finish on its own.

    ``put`` only hands an item to the queue's feeder thread; whatever that
    thread has not yet written to the pipe dies with the process.
    """
    filler = "x" * item_bytes
    for i in range(items):
        q.put((i, filler))
    all_put.set()
    time.sleep(CHILD_WAIT_S)


def _report_exitcode(process) -> None:
    import json
    print(json.dumps({"reader_exitcode": process.exitcode}), flush=True)


def daemon_reader_sandbox() -> None:
    """Sandbox body: start an endless daemonic reader and return without joining it.

    A finalizer that multiprocessing runs after its own exit handler prints the
    reader's exit code, so the caller sees how the reader was ended.
    """
    import json
    import multiprocessing
    from multiprocessing import util
    ctx = multiprocessing.get_context()
    q, ack = ctx.Queue(), ctx.Queue()
    reader = ctx.Process(target=endless_reader, args=(q, ack), daemon=True)
    reader.start()
    q.put("A")
    ack.get(timeout=CHILD_WAIT_S)
    # Priority -100 runs after multiprocessing has terminated and joined its daemonic children.
    util.Finalize(None, _report_exitcode, args=(reader,), exitpriority=-100)
    print(json.dumps({"reader_pid": reader.pid, "reader_alive": reader.is_alive()}), flush=True)


def drain(q, timeout_s: float) -> list:
    """Everything that arrives on ``q`` until it stays empty for ``timeout_s``."""
    got = []
    while True:
        try:
            got.append(q.get(timeout=timeout_s))
        except queue.Empty:
            return got
