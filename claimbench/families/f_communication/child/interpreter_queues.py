"""The workers behind a concurrent.interpreters Queue (3.14+): ``ack_each`` in a sub-interpreter's
thread, and its plants, a worker process and a thread posing as one; two interpreters queues posing
as one (the order control's plant); and the round trips through a worker's queues."""
from __future__ import annotations

import queue
import sys
import threading

from ....core.subinterpreters import create_queue, interpreter
from ....core.workloads import INTERPRETER_QUEUE_WAIT_S, stop_worker
from .order import TwoQueuesPosingAsOne


def ack_each(inbox, outbox) -> None:
    """Worker (in a sub-interpreter's thread, a process or a thread): answer each payload with
    its length, until None, or until nothing comes for ``INTERPRETER_QUEUE_WAIT_S``."""
    while True:
        try:
            payload = inbox.get(timeout=INTERPRETER_QUEUE_WAIT_S)
        except queue.Empty:  # an interpreters QueueEmpty is a queue.Empty too
            return
        if payload is None:
            return
        outbox.put(len(payload))


class _InterpreterQueues:
    """A context with one thing, ``Queue()``: a new concurrent.interpreters queue."""

    Queue = staticmethod(create_queue)


def two_queues_posing_as_one():
    """The order control's plant: ``TwoQueuesPosingAsOne`` made of two interpreters queues
    (each producer's items alternate between them, and the reader takes the second one first).
    A sub-interpreter receives the plant pickled, the same two queues inside."""
    return TwoQueuesPosingAsOne(_InterpreterQueues)


class InterpreterWorker:
    """``ack_each`` in a thread of a new sub-interpreter, fed through two interpreters queues."""

    kind = "interpreter"

    def __init__(self):
        self._cm = interpreter()
        self.interp = self._cm.__enter__()
        try:
            self.inbox, self.outbox = create_queue(), create_queue()
            self.thread = self.interp.call_in_thread(ack_each, self.inbox, self.outbox)
        except BaseException:
            self._cm.__exit__(*sys.exc_info())
            raise

    def close(self) -> None:
        try:
            self.inbox.put(None)
            stop_worker(self.thread, timeout_s=INTERPRETER_QUEUE_WAIT_S + 5)
        finally:
            self._cm.__exit__(None, None, None)


class ProcessWorkerAsInterpreter:
    """The queue control's plant: the "interpreter" is a child process, its queues
    multiprocessing Queues (each payload pickled through a pipe, a feeder thread, a wake-up of
    another process)."""

    kind = "process"

    def __init__(self, ctx=None):
        import multiprocessing
        ctx = ctx or multiprocessing.get_context()
        self.inbox, self.outbox = ctx.Queue(), ctx.Queue()
        self.proc = ctx.Process(target=ack_each, args=(self.inbox, self.outbox), daemon=True)
        self.proc.start()

    def close(self) -> None:
        try:
            self.inbox.put(None)
        except (OSError, ValueError):
            pass
        stop_worker(self.proc, (self.inbox, self.outbox))


class ThreadWorkerAsInterpreter:
    """A second plant: the "interpreter" is a thread of this interpreter, its queues queue.Queue
    (a reference handed over, no copy, a condition variable's wake-up)."""

    kind = "thread"

    def __init__(self):
        self.inbox, self.outbox = queue.Queue(), queue.Queue()
        self.thread = threading.Thread(target=ack_each, args=(self.inbox, self.outbox), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.inbox.put(None)
        stop_worker(self.thread)


def acknowledged(worker, payload: bytes, n: int) -> float:
    """Seconds per round trip: ``payload`` to the worker, its length back, ``n`` times."""
    import time
    t0 = time.perf_counter()
    for _ in range(n):
        worker.inbox.put(payload)
        if worker.outbox.get(timeout=INTERPRETER_QUEUE_WAIT_S) != len(payload):
            raise RuntimeError(f"the {worker.kind} worker answered a wrong length")
    return (time.perf_counter() - t0) / n
