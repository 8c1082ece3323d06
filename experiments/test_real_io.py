"""The notes' I/O-bound rule: waits of three kinds — sleeps, a "crawler", file operations.

The crawler GETs pages from a ThreadingHTTPServer on 127.0.0.1 (an ephemeral port)
that answers each request after T, in a process of its own, started and stopped
around the test. The file operations read and write real files under the test's
temporary folder: from the page cache, and with fsync.

Threads and processes run the work on executors started before timing (what a start
costs is process-creation-expensive's claim): what is timed is the work.

A case holds when both parts of the notes' advice do:
- threads speed the waits up: at least halfway to the ideal k-fold speed-up;
- threads are "more efficient" than processes. On waits, started threads and started
  processes finish in nearly the same wall time (both overlap the waits; they differ by
  microseconds of hand-over per operation against waits of T), so a wall-time comparison
  can only tie. What differs is what the work costs: each way's CPU time is noted beside
  its wall time, wherever it ran (this process, and a process pool's workers), and
  processes must spend at least a quarter more of it than threads (THREADS_CHEAPER).

The controls put a planted pool in the threads' slot: a process pool (it overlaps the
waits but costs what processes cost), and threads that take turns behind one lock.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimbench.core import planted, stats, verdicts, ways, workloads
from claimbench.core.labels import bytes_label, fmt_seconds
from claimbench.core.decision import shown as shown_of
from claimbench.core.measure import Built, Interleaved, Seconds, twin_name
from claimbench.core.roles import control
from claimbench.core.workloads import Job
from claimbench.families.e_rule_of_thumb.data import IoSpeedUp
from claimbench.families.e_rule_of_thumb.decide import (IDEAL_FRACTION, io_bound_decision, io_bound_parts,
                                                        io_bound_shortfall, THREADS_CHEAPER)

CLAIM = "io-bound-favours-threads"
IO_WAYS = ("sequential", "threads", "processes", "asyncio")
# What fills the threads' and the processes' slots: the real pools, or a plant (controls).
REAL = ("threads", "processes")
PLANTS = {
    "process-pool": "a process pool posing as threads (planted)",
    "threads-taking-turns": "threads taking turns behind one lock (planted)",
}

# k waits of T over k workers, one each: the speed-up curve of d_speedup.py (the ideal is k).
SLEEP_WORKERS = [2, 8]
def sleep_waits(k: int) -> int:
    return k
# As the sleep cases' largest k: a crawler runs more workers than there are cores, and a
# file job that the disk cannot overlap shows it plainly at k = 8.
WORKERS = 8
HTTP_GETS = 8                # one per worker: a crawler sends its requests all at once
FILES = 16
FILE_BYTES = 64 << 10        # a typical small file: a page of HTML, a config, a log chunk
# fsync'd files are larger, so that what they wait for is the disk, not the file system's
# bookkeeping around each file (that would make them half CPU-bound, not I/O-bound).
FSYNC_BYTES = 1 << 20
ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "http": f"{HTTP_GETS} GETs of a page the server sends after T",
    "file-cached-read": f"{FILES} reads of {bytes_label(FILE_BYTES)} files the page cache holds",
    "file-cached-write": f"{FILES} writes of new {bytes_label(FILE_BYTES)} files, left to the page cache",
    "file-fsync": f"{FILES} writes of new {bytes_label(FSYNC_BYTES)} files, each fsync'd",
}



class Clocked:
    """A way that times itself and notes the CPU time its work cost, wherever it ran (this process
    and, for a pool, its workers). ``on(pool)`` is one sample on a started pool."""

    def __init__(self, run):
        self.run, self.cpu_s = run, []

    def on(self, pool=None):
        clock = ways.CpuClock(pool)
        clock.start()
        t0 = time.perf_counter()
        self.run(pool)
        elapsed = time.perf_counter() - t0
        self.cpu_s.append(clock.stop())
        return Seconds(elapsed)

    def __call__(self):
        return self.on(None)

    def last(self, n: int):
        """The CPU times of the last ``n`` rounds: those Interleaved kept."""
        return self.cpu_s[len(self.cpu_s) - n:]


def clocked_pool(k: int, jobs) -> Clocked:
    return Clocked(lambda pool: ways.run_on(pool, jobs, k))


def io_bound_case(work: str, jobs, k: int, pools, what: str, unit_s, scale, benchmark, judge, data=None):
    """Run ``jobs`` one after another, on k threads, on k processes and with asyncio; judge the threads.

    The pools are started off the clock and rebuilt every few rounds; two thread pools built apart
    give the run's own null, for the wall time and for the CPU time."""
    threads_as, processes_as = pools
    twin = twin_name("threads")
    clocked = {"sequential": Clocked(lambda pool: ways.run_sequential(jobs)),
               "threads": clocked_pool(k, jobs), twin: clocked_pool(k, jobs), "processes": clocked_pool(k, jobs),
               "asyncio": Clocked(lambda pool: ways.run_asyncio(jobs, k))}
    def on_pool(kind: str, name: str) -> Built:
        return Built(lambda: planted.started_pool(kind, k), clocked[name].on)

    kinds = {"threads": threads_as, "processes": processes_as}
    names = [w.name for w in ways.available(IO_WAYS)]
    variants = {n: on_pool(kinds[n], n) if n in kinds else clocked[n] for n in names}
    # The twin's instance is its own pool, and its CPU record its own too.
    m = Interleaved(variants, null="threads", twin=on_pool(threads_as, twin))

    def cpu(name):
        return clocked[name].last(len(m.samples[name]))

    def effects(m):
        overlap = stats.scaled_interval(m.ratio("sequential", "threads"), k)
        cost = stats.ratio_interval(cpu("processes"), cpu("threads"))
        return overlap, cost, m.null_ratio(), stats.ratio_interval(cpu(twin), cpu("threads"))

    # Twice the rounds: a process pool's CPU time (its workers' and the feeding threads') varies by a
    # tenth or more from round to round, and the CPU part must clear its own null, not just 1.25.
    # A plant in the threads' slot (a process pool) makes the CPU part's own null a process pool's
    # too, about twice as wide again: its control gets twice those rounds (make controls, not verify).
    rounds = scale.with_budget(2) if pools == REAL else scale.with_budget(4)
    decision = m.until_settled(lambda m: io_bound_decision(*effects(m)), rounds, benchmark)
    overlap, cost, null, cost_null = effects(m)
    parts = io_bound_parts(overlap, cost, null, cost_null)
    n = len(m.samples["sequential"])
    seq_s = m.median_s("sequential")
    share = stats.median_interval([c / w for c, w in zip(clocked["sequential"].last(n), m.samples["sequential"])
                                   if w > 0]).median
    speedup = {w: seq_s / m.median_s(w) for w in names}
    ratios = {w: m.ratio("sequential", w) for w in names[1:]}  # each speed-up with its interval
    speedup_ci = {w: [r.low, r.high] for w, r in ratios.items()}
    cpu_per_op_s = {w: stats.median_interval(cpu(w)).median / len(jobs) for w in names}
    planted_slots = {slot: PLANTS[name] for slot, name in zip(REAL, pools) if name in PLANTS}
    shortfall = io_bound_shortfall(overlap, cost) if decision == stats.OUTSIDE else ""
    decided_by = ""
    if work == "file-fsync":
        decided_by = (f"Decided by how far this disk overlaps concurrent fsyncs: {k} threads finished them "
                      f"{stats.fmt(speedup['threads'])}× as fast as one after another, {stats.fmt(overlap.median)} "
                      f"of the ideal {k}× (the claim needs > {IDEAL_FRACTION}). ")
    # The effect shown is the part that decided: the CPU time where only that part refuted the case;
    # where it is undecided, the part inside its null (that is why), else the one still undecided.
    shown = shown_of(parts, decision)
    judge.measured(
        shown.effect, shown,
        "processes CPU time / threads CPU time" if shown is parts[1] else "threads speed-up / k",
        f"> {IDEAL_FRACTION} and processes/threads CPU time > {THREADS_CHEAPER}",
        f"{decided_by}{what} over {k} workers{''.join(f'; {s}: {p}' for s, p in planted_slots.items())}: "
        f"one operation takes {fmt_seconds(seq_s / len(jobs))} one after another, which waits "
        f"{max(0.0, 1 - share):.0%} of its time (CPU {min(1.0, share):.0%}); speed-up over sequential "
        + ", ".join(f"{w} {stats.fmt(speedup[w])}×" for w in names[1:])
        + "; CPU per operation " + ", ".join(f"{w} {fmt_seconds(cpu_per_op_s[w])}" for w in names)
        + f"; processes spend {cost} of threads' CPU time (A/A of two thread pools: wall {null}, CPU {cost_null})"
        + (f"; {shortfall} (medians of {m.rounds} rounds)" if shortfall else ""),
        verdict=verdicts.from_decision(decision),
        data=dict(data or {}, **IoSpeedUp(k, work, speedup, speedup_ci, cpu_share=share,
                                          cpu_cost=[cost.median, cost.low, cost.high]).as_data(),
                  unit_s=unit_s, jobs=len(jobs), median_s={w: m.median_s(w) for w in names},
                  cpu_per_op_s=cpu_per_op_s, planted=planted_slots or None))


# ---------------------------------------------------------------- waits: sleep
SLEEP_CASES = [pytest.param(k, REAL, id=f"sleep-k{k}") for k in SLEEP_WORKERS] + [
    control("process-pool-as-threads", 8, ("process-pool", "processes"),
            why="the 'threads' are a process pool: it overlaps the waits as well, but pays for every hand-over "
                "in pickling, pipes and a second process's CPU, so it is no cheaper than processes"),
    control("threads-taking-turns", 8, ("threads-taking-turns", "processes"),
            why="the 'threads' wait one at a time behind one lock, as threads would if a wait kept the GIL: "
                "their waits do not overlap"),
]


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(600)
@pytest.mark.parametrize("k,pools", SLEEP_CASES)
def test_io_bound_favours_threads_sleep(k, pools, unit_s, scale, benchmark, judge):
    """False if k threads do not get halfway to a k-fold speed-up on waits, or if k processes do not spend
    at least a quarter more CPU time on them than k threads."""
    jobs = [Job(workloads.SLEEP, unit_s)] * sleep_waits(k)
    io_bound_case("sleep", jobs, k, pools, f"{sleep_waits(k)} waits of T = {unit_s} s",
                  unit_s, scale, benchmark, judge)


# ---------------------------------------------------------------- a crawler, file operations
@pytest.fixture
def http_server(unit_s):
    """'127.0.0.1:<port>' of a server answering every GET after T; gone when the test ends."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen([sys.executable, "-m", "claimbench.families.e_rule_of_thumb.child", "serve-http", repr(unit_s)],
                            cwd=str(ROOT), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            universal_newlines=True)
    try:
        port = int(proc.stdout.readline())
        yield f"127.0.0.1:{port}"
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


@pytest.fixture
def io_dir(tmp_path):
    """The test's temporary folder, emptied when the test ends (pytest would keep it)."""
    yield tmp_path
    shutil.rmtree(str(tmp_path), ignore_errors=True)


def jobs_for(case: str, request, tmp_path: Path):
    if case == "http":
        server = request.getfixturevalue("http_server")
        return [Job(workloads.HTTP_GET, 0, f"{server}/page{i}") for i in range(HTTP_GETS)]
    paths = [str(tmp_path / f"file{i:02d}") for i in range(FILES)]
    if case == "file-cached-read":
        for p in paths:
            workloads.write_file(p, FILE_BYTES)
            workloads.read_file(p)  # now in the page cache
        return [Job(workloads.FILE_READ, 0, p) for p in paths]
    if case == "file-fsync":
        return [Job(workloads.FILE_FSYNC, FSYNC_BYTES, p) for p in paths]
    return [Job(workloads.FILE_WRITE, FILE_BYTES, p) for p in paths]


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", list(CASES))
def test_io_bound_favours_threads_real_io(case, request, io_dir, unit_s, scale, benchmark, judge):
    """False if threads do not get halfway to a k-fold speed-up on this I/O, or if processes do not spend
    at least a quarter more CPU time on it than threads."""
    jobs = jobs_for(case, request, io_dir)
    io_bound_case(case, jobs, WORKERS, REAL, CASES[case], unit_s, scale, benchmark, judge,
                  data={"file_bytes": (FSYNC_BYTES if case == "file-fsync" else FILE_BYTES)
                        if case.startswith("file") else None})
