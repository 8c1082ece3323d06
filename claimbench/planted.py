"""Planted counterparts for the controls: things that pose as what a claim is about, and are not.

A control runs a claim's experiment on one of these, where the claim is known to be false
(claimbench/roles.py). The most common plant swaps the unit of work: a "process" that is a
thread of this process, or a "thread" that is a forked process. Each one keeps the API the
experiment uses, so the experiment itself does not change.

Measuring core: standard library only, importable by children on every runtime.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import threading
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
    Lock = threading.Lock
    Semaphore = threading.Semaphore

    @staticmethod
    def Queue(maxsize: int = 0):
        return queue.Queue(maxsize)

    @staticmethod
    def get_start_method() -> str:
        return "threads posing as processes"

    @staticmethod
    def Pool(processes: int, **kwargs):
        from multiprocessing.pool import ThreadPool
        return ThreadPool(processes, **kwargs)


THREADS_AS_PROCESSES = ThreadsAsProcesses()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_process_as_thread(target, args=(), daemon=True):
    """A "thread" that is a forked process: threading.Thread's API, its own copy of memory.

    Fork keeps the caller's module state (as a thread would see it) without pickling the
    target, so only the address space differs. ``None`` where fork is not offered.
    """
    if not can_fork():
        return None
    return multiprocessing.get_context("fork").Process(target=target, args=args, daemon=daemon)
