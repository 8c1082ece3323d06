"""The notes' first two examples: tasks one after another, and two processes.

Both set one way against T (n·T one after another; T for processes side by side): there is no
second way of running the work to compare with, so no A/A null. Thresholds and decisions:
claimbench/families/d_examples/decide.py.
"""
from __future__ import annotations

import pytest

from claimbench.core import stats, verdicts, ways, workloads
from claimbench.core.measure import Interleaved, Seconds
from claimbench.core.roles import control
from claimbench.core.ways import run_threads
from claimbench.core.workloads import Job
from claimbench.families.d_examples.data import NotesFigure
from claimbench.families.d_examples.decide import (band_outcome, deciding, parallel_decision, parallel_threshold,
                                                   SEQUENTIAL_TOLERANCE, sequential_parts)


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

    def effect(m):
        return stats.scaled_interval(m.interval("sequential"), ideal_s)

    m.until_settled(lambda m: band_outcome(sequential_parts(effect(m))), scale, benchmark)
    parts = sequential_parts(effect(m))
    judge.measured(
        effect(m), deciding(parts), "measured/(n·T)",
        f"within 1 ± {SEQUENTIAL_TOLERANCE}",
        f"{n} tasks of T = {unit_s} s took {stats.fmt(m.median_s('sequential'))} s (median of {m.rounds}); "
        f"n·T = {stats.fmt(ideal_s)} s",
        data={"n": n, "unit_s": unit_s, "median_s": m.median_s("sequential"),
              **(NotesFigure("sequential-2", m.median_s("sequential")).as_data() if n == 2 else {})},
        verdict=verdicts.from_decision(band_outcome(parts)))


@pytest.mark.claim("processes-run-in-parallel")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("one-after-another", ways.PlantedWay(start_method="fork"),
                          why="each process starts only when the one before has ended"))
def test_processes_run_in_parallel(way, unit_s, scale, benchmark, judge):
    """False if n processes sleeping T take closer to n·T than to T once they have started.

    n processes are started, and once all are ready told at once to sleep T: the span from that
    word until all have slept is what runs in parallel or not; start-up (absolute noise, tens of ms
    for spawn) stays outside it and is reported beside. The control's processes (fork) start one
    after another."""
    start_method, one_after_another = way.start_method, way.planted
    label = start_method + (", one after another (planted)" if one_after_another else "")
    n = 2
    startups = []

    def sleepers():
        startup, span = ways.sleepers_told_to_start(n, unit_s, start_method, one_after_another)
        startups.append(startup)
        return Seconds(span)

    m = Interleaved({"processes": sleepers})
    threshold = parallel_threshold(n)

    def effect(m):
        return stats.scaled_interval(m.interval("processes"), unit_s)

    m.until_settled(lambda m: parallel_decision(effect(m), n), scale, benchmark)
    d = parallel_decision(effect(m), n)
    startup_s = stats.median_interval(startups).median if startups else float("nan")
    judge.measured(
        d.effect, d, "span of the sleeps / T (start-up excluded)",
        f"< {threshold} (halfway between T and {n}·T)",
        f"{n} {label} processes, started, then told at once to sleep T = {unit_s} s: all had slept "
        f"{stats.fmt(m.median_s('processes'))} s later "
        f"(median of {m.rounds}); starting them took {stats.fmt(startup_s)} s before",
        data={"n": n, "unit_s": unit_s, "startup_s": startup_s,
              # the notes timed start-up and sleeps together
              **NotesFigure("processes-2", m.median_s("processes"), start_method=start_method,
                            notes_s=m.median_s("processes") + (startup_s if startups else 0.0)).as_data()})
