"""Sub-interpreters (``concurrent.interpreters``, Python 3.14+): what runs inside them, and the
plants that pose as them for the controls.

Importable by name: a function handed to ``Interpreter.call`` reaches the other interpreter by
its module and name, and that interpreter imports this module afresh, with module state of its
own. ``concurrent.interpreters`` is imported lazily, inside the functions that need it: the
module itself imports on every runtime the measuring core supports (3.8+). Every wait is
bounded; an interpreters queue's ``get(timeout=)`` counts whole seconds (it calls ``int()`` on
the timeout), so every timeout given one is a whole number of seconds, at least one.
"""
from __future__ import annotations

import queue
import sys
import threading
from contextlib import contextmanager
from typing import Optional

from .workloads import CHILD_WAIT_S

# What a worker waits for its next payload (whole seconds: see the module's docstring).
WAIT_S = max(1, int(CHILD_WAIT_S))


def available() -> Optional[str]:
    """None where this runtime has ``concurrent.interpreters``, else why not."""
    try:
        import concurrent.interpreters  # noqa: F401  (3.14+)
    except ImportError:
        return "concurrent.interpreters needs Python 3.14+"
    return None


@contextmanager
def interpreter():
    """A new sub-interpreter that finds this process's modules (it is given this interpreter's
    sys.path); closed on the way out, whatever happened inside."""
    from concurrent import interpreters  # 3.14+
    interp = interpreters.create()
    try:
        interp.prepare_main(path=tuple(sys.path))
        interp.exec("import sys; sys.path[:] = list(path); del path")
        yield interp
    finally:
        interp.close()


def create_queue():
    from concurrent import interpreters  # 3.14+
    return interpreters.create_queue()


# ---------------------------------------------------------------- memory
def mutate_in(interp) -> dict:
    """``probes.mutate_shared_state`` run inside ``interp`` (a sub-interpreter, or a plant that
    runs it elsewhere): what it saw before and after, and which interpreter it ran in."""
    return interp.call(mutate_shared_state_here)


def mutate_shared_state_here() -> dict:
    """Runs in the other interpreter: probes' module state, changed in place, as it was and is."""
    from . import probes
    report = queue.Queue()
    probes.mutate_shared_state(report)
    seen = report.get(timeout=1)
    seen["interpreter"] = interpreter_id()
    return seen


def interpreter_id() -> Optional[int]:
    """The id of the interpreter this runs in (0: the main one); None before 3.14."""
    try:
        from concurrent import interpreters
    except ImportError:
        return None
    return interpreters.get_current().id


def own_state_verdict(main_before: dict, seen: Optional[dict], main_after: dict) -> str:
    """Does the other interpreter keep its module state to itself? Refuted when the main
    interpreter's state changed; holds when it did not and the other one's did; inconclusive when
    nothing came back, or the other one changed nothing (the question was never put)."""
    from . import verdicts
    if seen is None:
        return verdicts.INCONCLUSIVE
    if main_after != main_before:
        return verdicts.REFUTED
    if seen.get("after") == seen.get("before"):
        return verdicts.INCONCLUSIVE
    return verdicts.HOLDS


class ThreadAsInterpreter:
    """The memory control's plant: an "interpreter" whose ``call`` runs the function in a thread
    of this (the main) interpreter, so it changes this interpreter's own objects."""

    id = "thread of the main interpreter"

    def call(self, fn, *args):
        out = queue.Queue()
        t = threading.Thread(target=lambda: out.put(fn(*args)), daemon=True)
        t.start()
        t.join(WAIT_S)
        return out.get(timeout=1)


@contextmanager
def thread_as_interpreter():
    yield ThreadAsInterpreter()


# ---------------------------------------------------------------- queues
def ack_each(inbox, outbox) -> None:
    """Worker (in a sub-interpreter's thread, a process or a thread): answer each payload with
    its length, until None, or until nothing comes for ``WAIT_S``."""
    while True:
        try:
            payload = inbox.get(timeout=WAIT_S)
        except queue.Empty:  # an interpreters QueueEmpty is a queue.Empty too
            return
        if payload is None:
            return
        outbox.put(len(payload))


class _InterpreterQueues:
    """A context with one thing, ``Queue()``: a new concurrent.interpreters queue."""

    Queue = staticmethod(create_queue)


def two_queues_posing_as_one():
    """The order control's plant: ``probes.TwoQueuesPosingAsOne`` made of two interpreters queues
    (each producer's items alternate between them, and the reader takes the second one first).
    A sub-interpreter receives the plant pickled, the same two queues inside."""
    from .probes import TwoQueuesPosingAsOne
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
            self.thread.join(WAIT_S + 5)
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
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(10)
        for q in (self.inbox, self.outbox):
            q.close()
            q.join_thread()


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
        self.thread.join(10)


def acknowledged(worker, payload: bytes, n: int) -> float:
    """Seconds per round trip: ``payload`` to the worker, its length back, ``n`` times."""
    import time
    t0 = time.perf_counter()
    for _ in range(n):
        worker.inbox.put(payload)
        if worker.outbox.get(timeout=WAIT_S) != len(payload):
            raise RuntimeError("the {} worker answered a wrong length".format(worker.kind))
    return (time.perf_counter() - t0) / n
