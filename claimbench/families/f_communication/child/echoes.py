"""IPC round trips: a worker answering over a Pipe, a Queue, a SharedMemory block, a Value and an
Array, holders of a Semaphore; and the plants posing as shared objects (private copies, a
per-process semaphore)."""
from __future__ import annotations

import os
import time

from ....core.workloads import CHILD_WAIT_S


def pipe_echo(conn) -> None:
    """Worker: receive a message on a Pipe end, answer it transformed."""
    if conn.poll(CHILD_WAIT_S):
        msg = conn.recv()
        conn.send({"n": msg["n"] + 1, "text": msg["text"][::-1], "pid": os.getpid()})
    conn.close()


def queue_echo(inbox, outbox) -> None:
    """Worker: take one message from a Queue, put the answer on another."""
    msg = inbox.get(timeout=CHILD_WAIT_S)
    outbox.put({"n": msg["n"] + 1, "text": msg["text"][::-1], "pid": os.getpid()})


def attach_shared_memory(name: str):
    """Open an existing SharedMemory block without making this process its owner."""
    from multiprocessing import shared_memory
    try:
        return shared_memory.SharedMemory(name=name, track=False)  # 3.13+
    except TypeError:
        return shared_memory.SharedMemory(name=name)


def shared_memory_echo(name: str, length: int) -> None:
    """Worker: read ``length`` bytes at the start of a block, write them reversed after them."""
    shm = attach_shared_memory(name)
    try:
        data = bytes(shm.buf[:length])
        shm.buf[length:2 * length] = data[::-1]
    finally:
        shm.close()


def value_array_update(value, array) -> None:
    """Worker: add one to a shared Value, double every item of a shared Array."""
    with value.get_lock():
        value.value += 1
    with array.get_lock():
        for i in range(len(array)):
            array[i] *= 2


def hold_semaphore(semaphore, barrier, lock, holders, peak, hold_s: float) -> None:
    """Worker: start with the others, hold the semaphore ``hold_s``, count holders meanwhile."""
    barrier.wait(CHILD_WAIT_S)
    if not semaphore.acquire(timeout=CHILD_WAIT_S):
        return
    try:
        with lock:
            holders.value += 1
            peak.value = max(peak.value, holders.value)
        time.sleep(hold_s)
        with lock:
            holders.value -= 1
    finally:
        semaphore.release()


class PrivateValue:
    """Plant: a "shared" Value that is a plain object, so every process has a copy of its own
    (copied by fork, or pickled for spawn): a child's change never reaches the parent."""

    def __init__(self, typecode: str, value):
        self.value = value

    def get_lock(self):
        return _NoLock()


class PrivateArray(list):
    """Plant: a "shared" Array that is a plain list, a private copy in each process."""

    def __init__(self, typecode: str, items):
        super().__init__(items)

    def get_lock(self):
        return _NoLock()


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


class PlantedContext:
    """A multiprocessing context with some of its factories swapped for planted ones
    (``Value=PrivateValue``, ``Semaphore=threading.Semaphore``); the rest is the real context's."""

    def __init__(self, ctx, **planted):
        self._ctx = ctx
        self._planted = planted

    def __getattr__(self, name: str):
        planted = self.__dict__.get("_planted", {})
        if name in planted:
            return planted[name]
        return getattr(self.__dict__["_ctx"], name)
