"""The notes' first two examples: tasks one after another, and two processes."""
from __future__ import annotations

import pytest

from claimbench import stats, verdicts, workloads
from claimbench.measure import Interleaved
from claimbench.workloads import Job

# ±10 % of n·T: a sleep overshoots by microseconds, so anything wider is not "adding up".
SEQUENTIAL_TOLERANCE = 0.10


@pytest.mark.claim("sequential-adds-up")
@pytest.mark.parametrize("n", [2, 5], ids=lambda n: "n{}".format(n))
def test_sequential_adds_up(n, unit_s, scale, benchmark, judge):
    """False if n tasks of T, one after another, take clearly more or less than n·T."""
    ideal_s = n * unit_s
    m = Interleaved({"sequential": lambda: [workloads.notes_task(unit_s) for _ in range(n)]})

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


@pytest.mark.claim("processes-run-in-parallel")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn")
def test_processes_run_in_parallel(way, unit_s, scale, benchmark, judge):
    """False if n processes sleeping T take closer to n·T than to T once their start-up is paid."""
    n = 2
    sleep_jobs = [Job(workloads.SLEEP, unit_s)] * n
    idle_jobs = [Job(workloads.SLEEP, 0.0)] * n
    m = Interleaved({"processes": lambda: way.run(sleep_jobs, n),
                     "startup": lambda: way.run(idle_jobs, n)})
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
            n, way.start_method, unit_s, stats.fmt(m.median_s("processes")), stats.fmt(m.median_s("startup"))),
        data={"n": n, "unit_s": unit_s, "start_method": way.start_method,
              "median_s": m.median_s("processes"), "startup_s": m.median_s("startup"),
              "notes_figure": "processes-2"}))
