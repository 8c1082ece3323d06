"""What the workers run. Importable by name, so spawn and forkserver children
(and sub-interpreters) can load it; nothing here imports pytest or the report."""
from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Sequence, Tuple

SLEEP = "sleep"
CPU = "cpu"


@dataclass(frozen=True)
class Job:
    """One unit of work: sleep ``amount`` seconds, or spin ``amount`` loop iterations."""

    kind: str
    amount: float


def notes_task(seconds: float) -> int:
    """The notes' long_time_task: sleep, then compute 8**20. Returns the worker's PID."""
    time.sleep(seconds)
    8 ** 20
    return os.getpid()


def pid_of_task(i: int, seconds: float = 0.0) -> Tuple[int, int]:
    """(worker PID, task number): what the notes print as 子进程: PID - 任务i."""
    if seconds:
        time.sleep(seconds)
    return os.getpid(), i


def noop() -> None:
    return None


def spin(iterations: int) -> int:
    """Pure-Python CPU work: holds the GIL where there is one."""
    total = 0
    for i in range(int(iterations)):
        total += i & 7
    return total


def run_job(job: Job) -> None:
    if job.kind == SLEEP:
        time.sleep(job.amount)
    elif job.kind == CPU:
        spin(int(job.amount))
    else:
        raise ValueError("unknown job kind {!r}".format(job.kind))


def run_jobs(jobs: Sequence[Job]) -> None:
    for job in jobs:
        run_job(job)


async def run_job_async(job: Job) -> None:
    if job.kind == SLEEP:
        await asyncio.sleep(job.amount)
    else:
        run_job(job)  # CPU work blocks the event loop: that is the point of comparing


async def run_jobs_async(jobs: Sequence[Job]) -> None:
    for job in jobs:
        await run_job_async(job)


def calibrate_spin(seconds: float, probe_iterations: int = 200_000) -> int:
    """Iterations of ``spin`` that take about ``seconds`` on one core here.

    Best of three probes, so a hiccup does not inflate the work size.
    """
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        spin(probe_iterations)
        best = min(best, time.perf_counter() - t0)
    return max(1, int(probe_iterations * seconds / best))


def count_for(seconds: float) -> float:
    """Pure-Python iterations per second over ``seconds``: the pace of a CPU-bound thread."""
    deadline = time.perf_counter() + seconds
    t0 = time.perf_counter()
    n = 0
    while True:
        for _ in range(1000):
            n += 1
        if time.perf_counter() >= deadline:
            break
    return n / (time.perf_counter() - t0)
