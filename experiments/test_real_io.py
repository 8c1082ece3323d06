"""The notes' I/O-bound examples with real I/O: a "crawler" and file operations.

The crawler GETs pages from a ThreadingHTTPServer on 127.0.0.1 (an ephemeral port)
that answers each request after T, in a process of its own, started and stopped
around the test. The file operations read and write real files under the test's
temporary folder: from the page cache, and with fsync. Judged as the sleep cases
of test_rule_of_thumb.py are.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimbench import stats, verdicts, ways, workloads
from claimbench.measure import Interleaved, Seconds
from claimbench.probes_cost import all_of, bytes_label, fmt_seconds
from claimbench.workloads import Job

# As the sleep cases of test_rule_of_thumb.py: threads must get at least halfway to the
# ideal speed-up k …
IDEAL_FRACTION = 0.5
# … and be no slower than processes (10 % slack for noise; processes pay start-up on top).
THREADS_VS_PROCESSES = 0.90

# As the sleep cases' largest k: a crawler runs more workers than there are cores, and a
# file job that the disk cannot overlap shows it plainly at k = 8.
WORKERS = 8
IO_WAYS = ("sequential", "threads", "processes", "asyncio")
HTTP_GETS = 16               # two per worker, as the files
FILES = 16
FILE_BYTES = 64 << 10        # a typical small file: a page of HTML, a config, a log chunk
# fsync'd files are larger, so that what they wait for is the disk, not the file system's
# bookkeeping around each file (that would make them half CPU-bound, not I/O-bound).
FSYNC_BYTES = 1 << 20
ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "http": "{} GETs of a page the server sends after T".format(HTTP_GETS),
    "file-cached-read": "{} reads of {} files the page cache holds".format(FILES, bytes_label(FILE_BYTES)),
    "file-cached-write": "{} writes of new {} files, left to the page cache".format(FILES, bytes_label(FILE_BYTES)),
    "file-fsync": "{} writes of new {} files, each fsync'd".format(FILES, bytes_label(FSYNC_BYTES)),
}


@pytest.fixture
def http_server(unit_s):
    """'127.0.0.1:<port>' of a server answering every GET after T; gone when the test ends."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen([sys.executable, "-m", "claimbench.probes_io", "serve-http", repr(unit_s)],
                            cwd=str(ROOT), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            universal_newlines=True)
    try:
        port = int(proc.stdout.readline())
        yield "127.0.0.1:{}".format(port)
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
        return [Job(workloads.HTTP_GET, 0, "{}/page{}".format(server, i)) for i in range(HTTP_GETS)]
    paths = [str(tmp_path / "file{:02d}".format(i)) for i in range(FILES)]
    if case == "file-cached-read":
        for p in paths:
            workloads.write_file(p, FILE_BYTES)
            workloads.read_file(p)  # now in the page cache
        return [Job(workloads.FILE_READ, 0, p) for p in paths]
    if case == "file-fsync":
        return [Job(workloads.FILE_FSYNC, FSYNC_BYTES, p) for p in paths]
    return [Job(workloads.FILE_WRITE, FILE_BYTES, p) for p in paths]


class Sequential:
    """The sequential way, which also notes its CPU time over its wall time: 1 when the
    work never waits (the other ways' CPU is spread over threads and children)."""

    def __init__(self, way, jobs):
        self.way, self.jobs, self.shares = way, jobs, []

    def __call__(self):
        c0, t0 = time.process_time(), time.perf_counter()
        self.way.run(self.jobs, 1)
        elapsed = time.perf_counter() - t0
        self.shares.append((time.process_time() - c0) / elapsed)
        return Seconds(elapsed)


@pytest.mark.claim("io-bound-favours-threads")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", list(CASES))
def test_io_bound_favours_threads_real_io(case, request, io_dir, unit_s, scale, benchmark, judge):
    """False if threads do not get halfway to a k-fold speed-up on this I/O, or are slower than processes."""
    jobs = jobs_for(case, request, io_dir)
    present = ways.available(IO_WAYS)
    k = WORKERS
    sequential = Sequential(ways.WAYS["sequential"], jobs)
    m = Interleaved({w.name: (sequential if w.name == "sequential" else (lambda w=w: w.run(jobs, k)))
                     for w in present})

    def effects(m):
        return stats.scaled_interval(m.ratio("sequential", "threads"), k), m.ratio("processes", "threads")

    def parts(m):
        ideal, versus = effects(m)
        return [stats.above(ideal, IDEAL_FRACTION), stats.above(versus, THREADS_VS_PROCESSES)]

    # Both parts must hold: one refuted part settles the case.
    decision = m.until_settled(lambda m: all_of(parts(m)), scale, benchmark)
    ideal, versus = effects(m)
    share = stats.median_interval(sequential.shares).median
    names = [w.name for w in present]
    seq_s = m.median_s("sequential")
    speedup = {n: seq_s / m.median_s(n) for n in names}
    judge(verdicts.measured(
        "io-bound-favours-threads", "", ideal, decision, "threads speed-up / k",
        "> {} and processes/threads time > {}".format(IDEAL_FRACTION, THREADS_VS_PROCESSES),
        "{} over {} workers: one operation takes {} one after another, which waits {:.0%} of its time "
        "(CPU {:.0%}); speed-up over sequential {}; processes take {} of threads' time{}".format(
            CASES[case], k, fmt_seconds(seq_s / len(jobs)), max(0.0, 1 - share), min(1.0, share),
            ", ".join("{} {}×".format(n, stats.fmt(speedup[n])) for n in names[1:]), versus,
            "" if decision != stats.OUTSIDE else "; {} (medians of {} rounds)".format(
                "threads overlap too little of it" if stats.above(ideal, IDEAL_FRACTION) == stats.OUTSIDE
                else "processes are faster", m.rounds)),
        data={"k": k, "work": case, "unit_s": unit_s, "jobs": len(jobs), "cpu_share": share,
              "speedup": speedup, "median_s": {n: m.median_s(n) for n in names},
              "file_bytes": (FSYNC_BYTES if case == "file-fsync" else FILE_BYTES) if case.startswith("file") else None}))
