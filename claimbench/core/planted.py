"""Planted counterparts for the controls: things that pose as what a claim is about, and are not.

A control runs a claim's experiment on one of these, where the claim is known to be false
(claimbench/core/roles.py). The most common plant swaps the unit of work: a "process" that is a
thread of this process, or a "thread" that is a forked process. Each one keeps the API the
experiment uses, so the experiment itself does not change.

Measuring core: standard library only, importable by children on every runtime.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Optional


class ThreadProcess(threading.Thread):
    """A "process" that is a thread of this process: multiprocessing.Process's API on a thread.

    It shares this process's PID and memory, and it cannot be killed: kill() and terminate()
    do nothing, as they could do nothing to a thread.
    """

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, daemon=True):
        super().__init__(target=self._run_target, name=name, daemon=True)
        self._planted_call = (target, tuple(args), dict(kwargs or {}))
        self._failed = False

    def _run_target(self):
        target, args, kwargs = self._planted_call
        try:
            if target is not None:
                target(*args, **kwargs)
        except BaseException:
            self._failed = True
            raise

    @property
    def pid(self) -> Optional[int]:
        return os.getpid() if self.ident is not None else None

    @property
    def exitcode(self) -> Optional[int]:
        if self.ident is None or self.is_alive():
            return None
        return 1 if self._failed else 0

    def kill(self) -> None:
        pass

    def terminate(self) -> None:
        pass

    def close(self) -> None:
        pass


class ThreadsAsProcesses:
    """A multiprocessing context whose processes are threads (and whose queues are queue.Queue)."""

    Process = ThreadProcess
    Barrier = threading.Barrier
    Event = threading.Event

    @staticmethod
    def Queue(maxsize: int = 0):
        return queue.Queue(maxsize)

    @staticmethod
    def get_start_method() -> str:
        return "threads posing as processes"


THREADS_AS_PROCESSES = ThreadsAsProcesses()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# What runs as "a thread" in an experiment: a thread, or the plant below.
THREAD, FORKED_PROCESS = "thread", "forked-process"


def forked_process_as_thread(target, args=(), daemon=True):
    """A "thread" that is a forked process: threading.Thread's API, its own copy of memory.

    Fork keeps the caller's module state (as a thread would see it) without pickling the
    target, so only the address space differs. ``None`` where fork is not offered.
    """
    if not can_fork():
        return None
    return multiprocessing.get_context("fork").Process(target=target, args=args, daemon=daemon)


# ---------------------------------------------------------------- a wait that keeps the GIL
_LIBC = None
GIL_KEEPING_CHUNK_S = 0.5  # usleep may refuse a second or more


def gil_keeping_sleep_unavailable() -> Optional[str]:
    """Why this runtime cannot plant a wait that keeps the GIL, or None."""
    import sys
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    if not gil:
        return "no GIL on this runtime: a C call that keeps the thread attached stops no other thread"
    try:
        _libc()
    except (OSError, AttributeError) as exc:
        return f"no libc usleep to call through ctypes.PyDLL: {exc}"
    return None


def _libc():
    global _LIBC
    if _LIBC is None:
        import ctypes
        lib = ctypes.PyDLL(None)  # PyDLL: the GIL stays held for the whole call
        lib.usleep.argtypes = [ctypes.c_uint]
        _LIBC = lib
    return _LIBC


def gil_keeping_sleep(seconds: float) -> None:
    """time.sleep, but through ctypes.PyDLL, which keeps the GIL while the C call waits.

    Between chunks of at most half a second the interpreter may hand the GIL over once, as
    it would after any C call; inside a chunk no other thread runs Python code.
    """
    lib = _libc()
    left = seconds
    while left > 0:
        chunk = min(left, GIL_KEEPING_CHUNK_S)
        lib.usleep(int(chunk * 1e6))
        left -= chunk


# ---------------------------------------------------------------- threads that take turns: a planted GIL
class OneAtATimeThreadPool(ThreadPoolExecutor):
    """A thread pool whose workers run one call at a time, behind one lock that no call releases.

    A planted GIL that is never given up, not even to wait: where the real GIL lets threads
    overlap their waits, and a free-threaded build lets them run Python code in parallel,
    these threads do neither. Every submitted call (``map`` submits each) takes the lock.
    """

    def __init__(self, max_workers: int):
        super().__init__(max_workers=max_workers)
        self._turn = threading.Lock()

    def submit(self, fn, *args, **kwargs):
        return super().submit(self._in_turn, fn, args, kwargs)

    def _in_turn(self, fn, args, kwargs):
        with self._turn:
            return fn(*args, **kwargs)


# A pool posing as another way of running work: the slot's name, and the way it really is.
# "thread-pool-as-interpreters" stands in an InterpreterPoolExecutor's slot (which is itself a
# ThreadPoolExecutor whose workers each run an interpreter of their own): threads in one interpreter.
POSING_POOLS = {"thread-pool": "threads", "process-pool": "processes", "thread-pool-as-interpreters": "threads"}


def started_pool(name: str, workers: int):
    """A started executor for an experiment's slot: a real way (``ways.started_executor``), a pool
    posing as another way (POSING_POOLS), or threads taking turns behind one lock."""
    from . import ways
    if name in POSING_POOLS:
        return ways.started_executor(POSING_POOLS[name], workers)
    if name == "threads-taking-turns":
        return ways.started(OneAtATimeThreadPool(workers), workers)
    return ways.started_executor(name, workers)
