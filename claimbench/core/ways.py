"""The ways to run work, defined once: sequential, threads, processes per start
method, asyncio, and sub-interpreters where the runtime has them.

Each way splits a list of jobs over k workers (worker i takes jobs i, i+k, …)
and returns when all are done. Children are always joined with a timeout and
killed if they overstay, so no experiment can leave a process behind.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

from . import workloads
from .runtime import START_METHODS
from .workloads import JOIN_TIMEOUT_S, Job


class WorkerFailed(RuntimeError):
    pass


def chunks(jobs: Sequence[Job], workers: int) -> List[List[Job]]:
    return [list(jobs[i::workers]) for i in range(workers) if jobs[i::workers]]


def run_sequential(jobs: Sequence[Job], workers: int = 1) -> None:
    workloads.run_jobs(jobs)


def run_threads(jobs: Sequence[Job], workers: int) -> None:
    threads = [threading.Thread(target=workloads.run_jobs, args=(c,), daemon=True)
               for c in chunks(jobs, workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT_S)
        if t.is_alive():
            raise WorkerFailed(f"a worker thread is still running after {JOIN_TIMEOUT_S} s")


def reap(processes, timeout_s: float = JOIN_TIMEOUT_S) -> None:
    """Join every process; kill the ones that overstay (workloads.settle), then complain."""
    killed = workloads.settle(processes, timeout_s)
    if killed:
        raise WorkerFailed(f"{len(killed)} worker process(es) killed after {timeout_s} s")


def run_processes(jobs: Sequence[Job], workers: int, start_method: Optional[str] = None) -> None:
    ctx = multiprocessing.get_context(start_method)
    procs = [ctx.Process(target=workloads.run_jobs, args=(c,), daemon=True)
             for c in chunks(jobs, workers)]
    try:
        for p in procs:
            p.start()
    finally:
        reap([p for p in procs if p.pid is not None])
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    if bad:
        raise WorkerFailed(f"worker processes exited with {bad}")


def sleepers_told_to_start(n: int, seconds: float, start_method: Optional[str] = None,
                           one_after_another: bool = False) -> Tuple[float, float]:
    """(start-up, span): n processes sleeping ``seconds``, started and told to sleep at once.

    Start-up runs from the first start() until all n are ready; span from go until all n
    have slept, so how long the sleeps take together is not blurred by start-up noise (tens of ms
    for spawn). ``one_after_another``: planted, each process starts only when the one before
    has slept (its start-up then falls inside the span, as in a pool of one).
    """
    ctx = multiprocessing.get_context(start_method)
    ready, go, done, leave = (ctx.Semaphore(0) for _ in range(4))
    procs = [ctx.Process(target=workloads.sleep_when_told, args=(ready, go, done, seconds, leave), daemon=True)
             for _ in range(n)]
    started = []

    def wait(sem, what):
        """Acquire ``sem``; a sleeper that died (or all of them gone without a word) ends the wait."""
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while not sem.acquire(timeout=0.05):
            died = [p.exitcode for p in started if p.exitcode not in (None, 0)]
            if not died and all(p.exitcode is not None for p in started):
                if sem.acquire(timeout=1.0):  # the last word, racing with its sender's exit
                    return
                died = [p.exitcode for p in started]
            if died or time.monotonic() > deadline:
                why = f"exit codes {died}" if died else f"{JOIN_TIMEOUT_S} s"
                raise WorkerFailed(f"a sleeper process was not {what} ({why})")

    try:
        t_start = time.perf_counter()
        t_go = None
        for batch in ([p] for p in procs) if one_after_another else [procs]:
            for p in batch:
                p.start()
                started.append(p)
            for _ in batch:
                wait(ready, "ready")
            if t_go is None:
                t_go = time.perf_counter()
                for _ in procs:
                    go.release()
            for _ in batch:
                wait(done, "done")
            if one_after_another:
                leave.release()  # the next one starts when this one has ended
        t_done = time.perf_counter()
    finally:
        for _ in range(len(procs)):
            go.release()
            leave.release()
        reap(started)
    return t_go - t_start, t_done - t_go


def run_asyncio(jobs: Sequence[Job], workers: int) -> None:
    async def main():
        await asyncio.gather(*(workloads.run_jobs_async(c) for c in chunks(jobs, workers)))
    asyncio.run(main())


def run_subinterpreters(jobs: Sequence[Job], workers: int) -> None:
    from concurrent.futures import InterpreterPoolExecutor  # 3.14+
    with InterpreterPoolExecutor(max_workers=workers) as pool:
        list(pool.map(workloads.run_jobs, chunks(jobs, workers)))


def executor_for(name: str, workers: int):
    """A concurrent.futures executor of ``workers`` for way ``name``, not started yet."""
    if name == "threads":
        return ThreadPoolExecutor(max_workers=workers)
    if name.startswith("processes"):
        method = WAYS[name].start_method
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    if name == "subinterpreters":
        from concurrent.futures import InterpreterPoolExecutor  # 3.14+
        return InterpreterPoolExecutor(max_workers=workers)
    raise ValueError(f"no executor for way {name!r}")


@contextmanager
def started(pool, workers: int):
    """``pool`` (any concurrent.futures executor) with all ``workers`` up; shut down on the way out.

    For claims about throughput: workers are started (and warmed) before any timing,
    since what a start costs is a claim of its own (process-creation-expensive).
    """
    try:
        # Tasks that overlap in time make the executor start every worker.
        list(pool.map(workloads.run_job, [Job(workloads.SLEEP, 0.02)] * workers, timeout=JOIN_TIMEOUT_S))
        yield pool
    finally:
        pool.shutdown(wait=True)


def started_executor(name: str, workers: int):
    """The executor of way ``name`` with all ``workers`` up (a context manager)."""
    return started(executor_for(name, workers), workers)


def run_on(pool, jobs: Sequence[Job], workers: int) -> None:
    """Split ``jobs`` over a started executor's workers, as the other ways split them."""
    list(pool.map(workloads.run_jobs, chunks(jobs, workers), timeout=JOIN_TIMEOUT_S))


def worker_pids(pool) -> List[int]:
    """PIDs of an executor's worker processes, as the executor lists them; none for a thread pool.

    ProcessPoolExecutor keeps ``_processes`` ({pid: Process}) on every CPython from 3.8 to 3.14.
    Looking among this process's children instead would miss a forkserver's workers.
    """
    processes = getattr(pool, "_processes", None) or {}
    for _ in range(5):
        try:
            return list(processes)
        except RuntimeError:  # the executor's manager thread added or removed one meanwhile
            continue
    return list(dict(processes))


def process_cpu_s(pid: int) -> float:
    """CPU seconds process ``pid`` has run, to the nanosecond where Linux keeps schedstat.

    psutil's cpu_times counts clock ticks (10 ms here), coarser than one round's dispatch work,
    so it is only the fallback. schedstat is kept per thread: an executor's worker runs one.
    """
    try:
        total_ns = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total_ns += int(f.read().split()[0])
        return total_ns / 1e9
    except (OSError, ValueError, IndexError):
        import psutil
        times = psutil.Process(pid).cpu_times()
        return times.user + times.system


class CpuClock:
    """CPU seconds spent by this process and by an executor's worker processes, start() to stop().

    Wall time says how soon work is done; this says what doing it cost, wherever it ran: a
    process pool's workers and the threads that feed them count as much as this thread.
    """

    def __init__(self, pool=None):
        self.pool = pool
        self._workers_s: dict = {}
        self._own_s = 0.0

    def _workers(self) -> dict:
        return {pid: process_cpu_s(pid) for pid in worker_pids(self.pool)}

    def start(self) -> None:
        self._workers_s = self._workers()
        self._own_s = time.process_time()  # read last: the reads above are not the work

    def stop(self) -> float:
        own_s = time.process_time() - self._own_s  # read first, for the same reason
        # A worker started meanwhile counts from nothing.
        workers_s = sum(s - self._workers_s.get(pid, 0.0) for pid, s in self._workers().items())
        return own_s + workers_s


def _start_method_missing(method: Optional[str]) -> Optional[str]:
    if method and method not in multiprocessing.get_all_start_methods():
        return f"start method {method!r} is not offered on this platform"
    return None


@dataclass(frozen=True)
class Way:
    name: str
    run: Callable[[Sequence[Job], int], None]
    start_method: Optional[str] = None

    planted = False  # the real thing; a control's stand-in is a PlantedWay
    plant = None

    def context(self):
        """The multiprocessing context of this way's start method (the default where it names none)."""
        return multiprocessing.get_context(self.start_method)

    def unavailable(self) -> Optional[str]:
        """Why this runtime cannot offer this way, or None."""
        missing = _start_method_missing(self.start_method)
        if missing:
            return missing
        if self.name == "subinterpreters":
            try:
                from concurrent.futures import InterpreterPoolExecutor  # noqa: F401
            except ImportError:
                return "concurrent.futures.InterpreterPoolExecutor needs Python 3.14+"
        return None


@dataclass(frozen=True)
class PlantedWay:
    """A control's stand-in for a way: ``@pytest.mark.ways("processes-fork", …, control(name,
    PlantedWay(...), why=...))`` runs the same experiment on it. It answers what an experiment asks of
    its way (``context()``, ``start_method``, ``planted``) from the plant, and carries whatever else
    the experiment swaps in for the real thing (``plant``: a planted reader, pool maker, block …)."""

    plant: Any = None
    make_context: Optional[Callable[[], Any]] = None  # a planted context; None: start_method's real one
    start_method: Optional[str] = None                # None: the platform's default

    planted = True

    def context(self):
        if self.make_context is not None:
            return self.make_context()
        return multiprocessing.get_context(self.start_method)

    def unavailable(self) -> Optional[str]:
        return _start_method_missing(self.start_method)


def _processes_with(method: Optional[str]) -> Callable[[Sequence[Job], int], None]:
    def run(jobs: Sequence[Job], workers: int) -> None:
        run_processes(jobs, workers, method)
    return run


WAYS = {
    "sequential": Way("sequential", run_sequential),
    "threads": Way("threads", run_threads),
    "processes": Way("processes", _processes_with(None)),  # the runtime's default start method
    "processes-fork": Way("processes-fork", _processes_with("fork"), "fork"),
    "processes-forkserver": Way("processes-forkserver", _processes_with("forkserver"), "forkserver"),
    "processes-spawn": Way("processes-spawn", _processes_with("spawn"), "spawn"),
    "asyncio": Way("asyncio", run_asyncio),
    "subinterpreters": Way("subinterpreters", run_subinterpreters),
}
START_METHOD_WAYS = tuple("processes-" + m for m in START_METHODS)


def available(names: Sequence[str]) -> List[Way]:
    return [WAYS[n] for n in names if WAYS[n].unavailable() is None]


def missing(names: Sequence[str]) -> dict:
    """{name: reason} for the ways this runtime lacks: evidence, not a silent omission."""
    return {n: WAYS[n].unavailable() for n in names if WAYS[n].unavailable()}
