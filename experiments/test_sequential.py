"""The notes' first two examples: tasks one after another, and two processes."""
from __future__ import annotations

import pytest

from claimbench import stats, verdicts, workloads
from claimbench.measure import Interleaved
from claimbench.roles import control
from claimbench.ways import run_threads
from claimbench.workloads import Job

# ±10 % of n·T: a sleep overshoots by microseconds, so anything wider is not "adding up".
SEQUENTIAL_TOLERANCE = 0.10


def one_after_another(n: int, unit_s: float) -> None:
    for _ in range(n):
        workloads.notes_task(unit_s)


def side_by_side(n: int, unit_s: float) -> None:
    """Planted: the n tasks run at once, in n threads."""
    run_threads([Job(workloads.SLEEP, unit_s)] * n, n)


@pytest.mark.claim("sequential-adds-up")
@pytest.mark.parametrize("n,run", [
    pytest.param(2, one_after_another, id="n2"),
    pytest.param(5, one_after_another, id="n5"),
    control("side-by-side", 5, side_by_side, why="the 'one after another' tasks run at once, in threads"),
])
def test_sequential_adds_up(n, run, unit_s, scale, benchmark, judge):
    """False if n tasks of T, one after another, take clearly more or less than n·T."""
    ideal_s = n * unit_s
    m = Interleaved({"sequential": lambda: run(n, unit_s)})

    def decide(m):
        return stats.within(effect(m), 1 - SEQUENTIAL_TOLERANCE, 1 + SEQUENTIAL_TOLERANCE)

    def effect(m):
        return stats.scaled_interval(m.interval("sequential"), ideal_s)

    decision = m.until_settled(decide, scale, benchmark)
    e = effect(m)
    judge(verdicts.measured(
        "sequential-adds-up", "", e, decision, "measured/(n·T)",
        "within 1 ± {}".format(SEQUENTIAL_TOLERANCE),
        "{} tasks of T = {} s took {} s (median of {}); n·T = {} s".format(
            n, unit_s, stats.fmt(m.median_s("sequential")), m.rounds, stats.fmt(ideal_s)),
        data={"n": n, "unit_s": unit_s, "median_s": m.median_s("sequential"),
              "notes_figure": "sequential-2" if n == 2 else None}))


def one_process_after_another(way):
    """Planted: the way's processes, each started only when the one before has ended."""
    def run(jobs, workers):
        for job in jobs:
            way.run([job], 1)
    return run


@pytest.mark.claim("processes-run-in-parallel")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn")
def test_processes_run_in_parallel(way, unit_s, scale, benchmark, judge):
    """False if n processes sleeping T take closer to n·T than to T once their start-up is paid."""
    processes_in_parallel(way.run, way.start_method, unit_s, scale, benchmark, judge)


@pytest.mark.claim("processes-run-in-parallel")
@pytest.mark.ways("processes-fork")
@pytest.mark.control(name="one-after-another", why="each process starts only when the one before has ended")
def test_processes_run_in_parallel_control(way, unit_s, scale, benchmark, judge):
    processes_in_parallel(one_process_after_another(way), way.start_method + ", one after another (planted)",
                          unit_s, scale, benchmark, judge)


def processes_in_parallel(run, start_method, unit_s, scale, benchmark, judge):
    n = 2
    sleep_jobs = [Job(workloads.SLEEP, unit_s)] * n
    idle_jobs = [Job(workloads.SLEEP, 0.0)] * n
    m = Interleaved({"processes": lambda: run(sleep_jobs, n),
                     "startup": lambda: run(idle_jobs, n)})
    # Halfway between the claim (T) and its negation (n·T).
    threshold = (1 + n) / 2

    def effect(m):
        net = [(a - b) / unit_s for a, b in zip(m.samples["processes"], m.samples["startup"])]
        return stats.median_interval(net)

    # Start-up noise is absolute (tens of ms for spawn), so at a small T it needs more rounds.
    decision = m.until_settled(lambda m: stats.below(effect(m), threshold), scale.with_budget(2), benchmark)
    e = effect(m)
    judge(verdicts.measured(
        "processes-run-in-parallel", "", e, decision, "(wall − start-up)/T",
        "< {} (halfway between T and {}·T)".format(threshold, n),
        "{} {} processes sleeping T = {} s: {} s wall, of which {} s start-up and join".format(
            n, start_method, unit_s, stats.fmt(m.median_s("processes")), stats.fmt(m.median_s("startup"))),
        data={"n": n, "unit_s": unit_s, "start_method": start_method,
              "median_s": m.median_s("processes"), "startup_s": m.median_s("startup"),
              "notes_figure": "processes-2"}))
