"""What creating a unit costs, timed in the sandbox: a thread, an asyncio task, a coroutine, a
process (per start method) and a sub-interpreter, started (or created) and ended one at a time or
in a batch; and the plants posing as them (a thread in a coroutine, threads as sub-interpreters)."""
from __future__ import annotations

import multiprocessing
import threading
import time

from ....core.workloads import CHILD_WAIT_S


def noop() -> None:
    return None


async def noop_coroutine() -> None:
    return None


def thread_cost(count: int) -> float:
    """Seconds per thread started and joined, one at a time."""
    t0 = time.perf_counter()
    for _ in range(count):
        t = threading.Thread(target=noop)
        t.start()
        t.join()
    return (time.perf_counter() - t0) / count


def threads_batch_cost(count: int) -> float:
    """Seconds per thread when ``count`` are started together, then all joined."""
    t0 = time.perf_counter()
    threads = [threading.Thread(target=noop) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter() - t0) / count


def task_cost(count: int) -> float:
    """Seconds per asyncio task created and awaited, one at a time (the loop's set-up left out)."""
    import asyncio

    async def main():
        t0 = time.perf_counter()
        for _ in range(count):
            await asyncio.ensure_future(noop_coroutine())
        return time.perf_counter() - t0
    return asyncio.run(main()) / count


def tasks_batch_cost(count: int) -> float:
    """Seconds per asyncio task when ``count`` are created together and gathered."""
    import asyncio

    async def main():
        t0 = time.perf_counter()
        await asyncio.gather(*[asyncio.ensure_future(noop_coroutine()) for _ in range(count)])
        return time.perf_counter() - t0
    return asyncio.run(main()) / count


def awaited_one_at_a_time(coroutine_function, count: int) -> float:
    """Seconds per coroutine of ``coroutine_function`` created and awaited, one at a time (the loop's set-up left out)."""
    import asyncio

    async def main():
        t0 = time.perf_counter()
        for _ in range(count):
            await coroutine_function()
        return time.perf_counter() - t0
    return asyncio.run(main()) / count


def coroutine_cost(count: int) -> float:
    """Seconds per bare coroutine object created and awaited to completion."""
    return awaited_one_at_a_time(noop_coroutine, count)


def process_cost(start_method: str, count: int) -> float:
    """Seconds per process started and joined, one at a time, with ``start_method``."""
    ctx = multiprocessing.get_context(start_method)
    t0 = time.perf_counter()
    for _ in range(count):
        p = ctx.Process(target=noop)
        p.start()
        p.join(CHILD_WAIT_S)
        if p.is_alive():
            p.kill()
            p.join()
            raise RuntimeError(f"a no-op {start_method} process did not end within {CHILD_WAIT_S} s")
    return (time.perf_counter() - t0) / count


async def thread_in_disguise() -> None:
    """Planted: a "coroutine" that starts and joins a thread inside it."""
    t = threading.Thread(target=noop)
    t.start()
    t.join()


def thread_in_coroutine_cost(count: int) -> float:
    """Planted (a control): seconds per "coroutine" that is a thread in disguise."""
    return awaited_one_at_a_time(thread_in_disguise, count)


def interpreter_cost(count: int, interpreters=None) -> float:
    """Seconds per sub-interpreter created, run a no-op in and closed, one at a time.

    ``interpreters`` is Python 3.14+'s concurrent.interpreters (imported here, never at the top:
    the sandbox runs on 3.8 too), or a plant with its create() / exec() / close().
    """
    if interpreters is None:
        from concurrent import interpreters  # 3.14+
    t0 = time.perf_counter()
    for _ in range(count):
        interp = interpreters.create()
        try:
            interp.exec("pass")
        finally:
            interp.close()
    return (time.perf_counter() - t0) / count


class ThreadInterpreter:
    """Planted: an "interpreter" that is a thread of this interpreter. exec() runs the code in a
    thread started and joined for it, in a namespace of its own; close() has nothing to free."""

    def exec(self, code: str) -> None:
        t = threading.Thread(target=exec, args=(code, {}))
        t.start()
        t.join(CHILD_WAIT_S)
        if t.is_alive():
            raise RuntimeError(f"a planted interpreter's thread did not end within {CHILD_WAIT_S} s")

    def close(self) -> None:
        pass


class ThreadsAsInterpreters:
    """Planted (a control): concurrent.interpreters' create() whose interpreters are threads."""
    create = ThreadInterpreter


def thread_as_interpreter_cost(count: int) -> float:
    """Planted (a control): seconds per "sub-interpreter" that is a thread started and joined."""
    return interpreter_cost(count, ThreadsAsInterpreters)


CREATORS = {
    "thread-in-coroutine": thread_in_coroutine_cost,
    "interpreter": interpreter_cost,
    "thread-as-interpreter": thread_as_interpreter_cost,
    "thread": thread_cost,
    "threads-batch": threads_batch_cost,
    "task": task_cost,
    "tasks-batch": tasks_batch_cost,
    "coroutine": coroutine_cost,
}


def creation_cost(what: str, count: int) -> float:
    """Seconds per unit of ``what``: a key of CREATORS, or ``process-<start method>``."""
    if what.startswith("process-"):
        return process_cost(what[len("process-"):], count)
    return CREATORS[what](count)
