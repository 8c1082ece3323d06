"""Many concurrent waits, in the sandbox: the wall time of n waits started as fast as a way
(coroutines, threads, processes) allows, their memory per unit, and the overhead per unit."""
from __future__ import annotations

import multiprocessing
import threading
import time

from ....core.labels import COROUTINES, PROCESSES, THREADS
from ....core.workloads import CHILD_WAIT_S, settle


def per_unit_overhead_s(wall_s: float, wait_s: float, n: int) -> float:
    """What each of n concurrent waits of ``wait_s`` cost beyond the wait itself.

    n waits that overlap perfectly take ``wait_s``; whatever the wall time has on
    top (creating, scheduling, joining them) is spread over the n units.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    return max(0.0, wall_s - wait_s) / n


def rss_bytes() -> int:
    import psutil
    return psutil.Process().memory_info().rss


def waits_context():
    """The start method for the processes way: fork where offered (the cheapest, so the
    most generous to processes), else the platform's default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def waits_wall(way: str, n: int, wait_s: float) -> dict:
    """n concurrent waits of ``wait_s``, each started as fast as ``way`` allows; the wall time to all done."""
    if way == COROUTINES:
        import asyncio

        async def main():
            t0 = time.perf_counter()
            await asyncio.gather(*[asyncio.sleep(wait_s) for _ in range(n)])
            return time.perf_counter() - t0
        return {"wall_s": asyncio.run(main())}
    if way == THREADS:
        t0 = time.perf_counter()
        threads = [threading.Thread(target=time.sleep, args=(wait_s,), daemon=True) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(CHILD_WAIT_S)
        return {"wall_s": time.perf_counter() - t0}
    if way == PROCESSES:
        ctx = waits_context()
        t0 = time.perf_counter()
        procs = [ctx.Process(target=time.sleep, args=(wait_s,), daemon=True) for _ in range(n)]
        try:
            for p in procs:
                p.start()
        finally:
            settle(procs, CHILD_WAIT_S)
        return {"wall_s": time.perf_counter() - t0, "start_method": ctx.get_start_method()}
    raise ValueError(f"unknown way {way!r}")


def _parked_process(ready, gate) -> None:
    ready.release()
    gate.wait(CHILD_WAIT_S)


def waits_memory(way: str, n: int, release: bool = False) -> dict:
    """Memory per unit while n units of ``way`` all wait at once (parked on a gate).

    Coroutines and threads: the growth of this process's RSS. Processes: the sum of
    the children's USS (what each holds alone; RSS would count the pages they share
    with the parent again for every child), with their RSS beside it. Run it in a
    fresh process (``fresh``): the threads are not released (``release``), the process
    just ends; thousands of threads woken at once would fight for the GIL for seconds.
    """
    if way == COROUTINES:
        import asyncio

        async def main():
            gate = asyncio.Event()
            started = [0]
            all_in = asyncio.get_running_loop().create_future()

            async def unit():
                started[0] += 1
                if started[0] == n:
                    all_in.set_result(None)
                await gate.wait()
            before = rss_bytes()
            tasks = [asyncio.ensure_future(unit()) for _ in range(n)]
            await all_in
            grown = rss_bytes() - before
            gate.set()
            await asyncio.gather(*tasks)
            return grown
        grown = asyncio.run(main())
        return {"bytes_per_unit": grown / n, "rss_growth_bytes": grown}
    if way == THREADS:
        ready = threading.Semaphore(0)
        gate = threading.Event()

        def unit():
            ready.release()
            gate.wait(CHILD_WAIT_S)
        before = rss_bytes()
        for _ in range(n):
            threading.Thread(target=unit, daemon=True).start()
        for _ in range(n):
            ready.acquire()
        grown = rss_bytes() - before
        if release:
            gate.set()
        return {"bytes_per_unit": grown / n, "rss_growth_bytes": grown}
    if way == PROCESSES:
        import psutil
        ctx = waits_context()
        ready, gate = ctx.Semaphore(0), ctx.Event()
        procs = []
        try:
            for _ in range(n):
                p = ctx.Process(target=_parked_process, args=(ready, gate), daemon=True)
                p.start()
                procs.append(p)
            for _ in range(n):
                if not ready.acquire(timeout=CHILD_WAIT_S):
                    raise RuntimeError("a parked process never reported in")
            uss = rss = 0
            for p in procs:
                info = psutil.Process(p.pid).memory_full_info()
                uss += info.uss
                rss += info.rss
        finally:
            for p in procs:
                p.kill()
            settle(procs, 5)
        return {"bytes_per_unit": uss / n, "uss_total_bytes": uss, "rss_per_unit": rss / n,
                "start_method": ctx.get_start_method()}
    raise ValueError(f"unknown way {way!r}")
