"""What the workers run, and how long anyone waits on them (the wait bounds, settle, stop_worker).

Importable by name, so spawn and forkserver children (and sub-interpreters) can load it; nothing
here imports pytest or the report."""
from __future__ import annotations

import os
import socket
import time
from collections import namedtuple
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spawn and forkserver children import this module: typing costs them time
    from typing import List, Sequence, Tuple

SLEEP = "sleep"
CPU = "cpu"
HTTP_GET = "http-get"      # GET http://<target> (target: "host:port/path"), HTTP/1.0
FILE_READ = "file-read"    # read the file at target to its end
FILE_WRITE = "file-write"  # write ``amount`` bytes to a new file at target (the page cache keeps them)
FILE_FSYNC = "file-fsync"  # the same, then fsync: until the disk has them
# ---------------------------------------------------------------- how long a wait may last
# Every wait is bounded, so a lost peer never leaves a child or a test hanging; a run that goes well
# reaches none of these. Each is named for what it waits for.
IO_TIMEOUT_S = 30.0     # a request or a file operation: one that takes longer has hung, and raises
CHILD_WAIT_S = 60.0     # a child (process, thread, sub-interpreter) waiting for its parent's word or next item
REPORT_WAIT_S = 20.0    # a test waiting for what a child reports, answers or acknowledges, or for its end
JOIN_TIMEOUT_S = 120.0  # a way's workers (ways.py) getting through a whole batch of jobs
# CHILD_WAIT_S for a concurrent.interpreters Queue, whose get() truncates its timeout to whole seconds.
INTERPRETER_QUEUE_WAIT_S = max(1, int(CHILD_WAIT_S))


class Job(namedtuple("Job", "kind amount target", defaults=("",))):
    """One unit of work: sleep ``amount`` seconds, spin ``amount`` loop iterations, or an
    I/O operation on ``target`` (a URL without its scheme, a file's path).

    A named tuple, not a dataclass: every spawned child imports this module, and dataclasses
    (with inspect) would add 10 ms or more to each one's start."""

    __slots__ = ()


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


def sleep_when_told(ready, go, done, seconds: float, leave=None) -> None:
    """Say ready, wait for go, sleep ``seconds``, say done, and wait for leave: a process whose
    sleep starts when its parent says, so how long the sleeps of several take together leaves
    their start-up out, and their exit too (a forked child of a large process takes milliseconds
    of CPU to tear down, which would delay a sibling still sleeping on two CPUs)."""
    ready.release()
    if not go.acquire(timeout=CHILD_WAIT_S):
        raise RuntimeError(f"no go within {CHILD_WAIT_S} s")
    time.sleep(seconds)
    done.release()
    if leave is not None:
        leave.acquire(timeout=CHILD_WAIT_S)


def spin(iterations: int) -> int:
    """Pure-Python CPU work: holds the GIL where there is one."""
    total = 0
    for i in range(int(iterations)):
        total += i & 7
    return total


def _host_port_path(target: str) -> Tuple[str, int, str]:
    host_port, _, path = target.partition("/")
    host, _, port = host_port.rpartition(":")
    return host, int(port), "/" + path


def _http_request(host: str, port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode("ascii")


def _check_http(response: bytes, target: str) -> int:
    status = response.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or not status[0].startswith(b"HTTP/1.") or status[1] != b"200":
        raise OSError(f"GET {target} answered {response[:40]!r}")
    return len(response)


def http_get(target: str) -> int:
    """GET ``target`` over a fresh connection (HTTP/1.0: the server closes it); bytes received."""
    host, port, path = _host_port_path(target)
    with socket.create_connection((host, port), timeout=IO_TIMEOUT_S) as sock:
        sock.sendall(_http_request(host, port, path))
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return _check_http(b"".join(chunks), target)


async def http_get_async(target: str) -> int:
    """``http_get`` on the event loop: asyncio.open_connection, no client library."""
    import asyncio  # here, not at the top: a spawned child that only sleeps would pay ~80 ms for it
    host, port, path = _host_port_path(target)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), IO_TIMEOUT_S)
    try:
        writer.write(_http_request(host, port, path))
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), IO_TIMEOUT_S)
    finally:
        writer.close()
    return _check_http(response, target)


def read_file(path: str) -> int:
    with open(path, "rb") as f:
        return len(f.read())


def write_file(path: str, size: int, sync: bool = False) -> None:
    """Write ``size`` bytes to a new file at ``path`` (an old one is removed first: rewriting a
    truncated file makes some filesystems start writing it out at once)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    with open(path, "wb") as f:
        f.write(b"x" * int(size))
        if sync:
            f.flush()
            os.fsync(f.fileno())


def run_job(job: Job) -> None:
    if job.kind == SLEEP:
        time.sleep(job.amount)
    elif job.kind == CPU:
        spin(int(job.amount))
    elif job.kind == HTTP_GET:
        http_get(job.target)
    elif job.kind == FILE_READ:
        read_file(job.target)
    elif job.kind in (FILE_WRITE, FILE_FSYNC):
        write_file(job.target, int(job.amount), sync=job.kind == FILE_FSYNC)
    else:
        raise ValueError(f"unknown job kind {job.kind!r}")


def run_jobs(jobs: Sequence[Job]) -> None:
    for job in jobs:
        run_job(job)


async def run_job_async(job: Job) -> None:
    import asyncio
    if job.kind == SLEEP:
        await asyncio.sleep(job.amount)
    elif job.kind == HTTP_GET:
        await http_get_async(job.target)
    else:
        # CPU work blocks the event loop: that is the point of comparing. So does file
        # I/O: asyncio has no file API (the usual answer, a thread, is the threads way).
        run_job(job)


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


def settle(processes, timeout_s: float = 10.0) -> List[str]:
    """Join every process within ``timeout_s`` overall; kill the ones that overstay.

    Returns a line for each one killed, so an experiment can put it in its evidence.
    """
    deadline = time.monotonic() + timeout_s
    killed = []
    for p in processes:
        if p.pid is None:
            continue
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(5)
            killed.append(f"{p.pid} killed after {timeout_s} s")
    return killed


def stop_worker(worker, queues=(), timeout_s: float = 10.0) -> List[str]:
    """End a queue-fed worker that has been told to stop (its stop item sent): join it within
    ``timeout_s``, killing a process that overstays (``settle``; a thread cannot be killed, only
    joined), then close those of ``queues`` that have a feeder thread (multiprocessing's) and wait
    for it, so that none outlives the worker. Returns settle's line for a process killed."""
    if hasattr(worker, "kill"):
        killed = settle([worker], timeout_s)
    else:
        worker.join(timeout_s)
        killed = []
    for q in queues:
        if hasattr(q, "join_thread"):
            q.close()
            q.join_thread()
    return killed
