"""multiprocessing.Pool: capacity, worker reuse, and join() before close().

The timings set one way against an ideal count of T (the staircase against ceil(n/k)·T, the notes'
run against one step more than one task): no second way of running the work, so no A/A null.
Their thresholds and decisions are in claimbench/families/d_examples/decide.py.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import time
from contextlib import contextmanager

import pytest

from claimbench.core import stats, verdicts, ways, workloads
from claimbench.core.measure import Built, Interleaved, Seconds
from claimbench.core.roles import control
from claimbench.families.d_examples import child as pool_child
from claimbench.families.d_examples.data import NotesFigure, StairPoint, Staircase
from claimbench.families.d_examples.decide import (band_outcome, deciding, NOTES_HIGH_STEPS, NOTES_LOW_STEPS,
                                                   notes_parts, staircase_decision, staircase_parts,
                                                   staircase_shown, staircase_verdict, STEP_TOLERANCE)


def staircase_points(k: int):
    """The edges of the staircase: n = 1, k, k+1, 2k, 2k+1 (no duplicates): both ends of the
    first two steps, and the task that starts a third (3k, the third step's far end, would add
    three T to every round and test nothing that 2k does not)."""
    return sorted({1, k, k + 1, 2 * k, 2 * k + 1})


def close_pool(pool) -> None:
    """terminate() and a join that may not hang the test (a planted pool's might)."""
    pool.terminate()
    pool_child.join_within(pool)


@pytest.fixture
def pool_of(request):
    """pool_of(k, ctx=None, make=real_pool): a started Pool (default start method), terminated and joined afterwards."""
    pools = []

    def make_pool(k, ctx=None, make=pool_child.real_pool, **kwargs):
        pool = make(ctx or multiprocessing.get_context(), k, **kwargs)
        pools.append(pool)
        return pool

    yield make_pool
    for pool in pools:
        close_pool(pool)


def steps_off(samples_s, ideal_s: float, unit_s: float) -> stats.Interval:
    """How far from the staircase, in steps of T."""
    return stats.median_interval([(x - ideal_s) / unit_s for x in samples_s])


def run_tasks(pool, n: int, seconds: float) -> None:
    results = [pool.apply_async(workloads.notes_task, (seconds,)) for _ in range(n)]
    for r in results:
        r.get(timeout=60 + 10 * seconds)


class OnePoolPerBatch:
    """One ready Pool that every point of a staircase runs on, as a ``measure.Built`` instance: built off
    the clock (every worker up and warm) and rebuilt every few rounds, so what one pool happens to be
    (where its workers sit) is sampled across the rounds instead of fixed for the test.

    Interleaved builds an instance per Built variant, together, and closes them together: the first
    point to enter a batch builds the pool, the others share it, the last to leave closes it.
    """

    def __init__(self, make):
        self.make, self.pool, self.users, self.built = make, None, 0, 0

    @contextmanager
    def build(self):
        if self.users == 0:
            self.pool = self.make()
            self.built += 1
        self.users += 1
        try:
            yield self.pool
        finally:
            self.users -= 1
            if self.users == 0:
                pool, self.pool = self.pool, None
                close_pool(pool)

    def variant(self, run) -> Built:
        # Not primed point by point (a whole round more per batch): ``warm`` has every worker run a task.
        return Built(self.build, run, prime=False)


def warm(pool, unit_s: float):
    """``pool`` once each of its workers has run a short task (under spawn or forkserver the first task
    imports the task's module in the worker): short sleeps side by side, one a worker (as many as the
    pool runs, a plant's too)."""
    run_tasks(pool, pool._processes, min(unit_s, 0.005))
    return pool


@pytest.mark.claim("pool-capacity-limits-throughput")
@pytest.mark.timeout(600)
@pytest.mark.parametrize("k, make", [
    pytest.param(1, pool_child.real_pool, id="k1"),
    pytest.param(2, pool_child.real_pool, id="k2"),
    pytest.param(4, pool_child.real_pool, id="k4"),
    # k = 1, the fewest tasks per round: the dispatch cost that pushes a plant's point up toward
    # the band is smallest there, and a round is four T.
    control("twice-the-workers", 1, pool_child.twice_the_workers,
            why="a 'Pool(1)' that has 2 workers: at n = 2 and 3 it is a step below ceil(n/1)·T"),
])
def test_pool_staircase(k, make, unit_s, scale, benchmark, judge):
    """False if Pool(k) with n tasks of T is not ceil(n/k)·T at every edge of the staircase.

    No null: each point is set against its ideal ceil(n/k)·T, not against a second way of running it.
    """
    ctx = multiprocessing.get_context()
    points = staircase_points(k)
    ideal = {n: math.ceil(n / k) * unit_s for n in points}
    shared = OnePoolPerBatch(lambda: warm(pool_child.ready_pool(make, ctx, k), unit_s))
    m = Interleaved({f"n{n}": shared.variant(lambda pool, n=n: run_tasks(pool, n, unit_s)) for n in points})

    def parts(m):
        return staircase_parts({n: steps_off(m.samples[f"n{n}"], ideal[n], unit_s) for n in points})

    def decision(m):
        return staircase_decision(band_outcome(ps) for ps in parts(m).values())

    # Dispatch costs are absolute (about a millisecond for 12 tasks over 4 workers on 2 CPUs), so at
    # a small T the furthest point can sit near half a step: allow twice the rounds to settle it.
    m.until_settled(decision, scale.with_budget(2), benchmark)
    ps = parts(m)
    shown = staircase_shown(ps)
    d = deciding(ps[shown])
    judge.measured(
        d.effect, d,
        "(measured − ceil(n/k)·T)/T at the worst n", f"within ±{STEP_TOLERANCE} steps at every n",
        f"Pool({k}) over n = {points}: off the staircase by "
        f"{', '.join(stats.fmt(ps[n][0].effect.median) for n in points)} steps; shown: n = {shown}; "
        f"{shared.built} pools built apart over {m.rounds} rounds, every worker up and warm before timing",
        verdict=staircase_verdict(band_outcome(p) for p in ps.values()),
        data=Staircase(k, unit_s, [StairPoint(n, ideal[n], m.median_s(f"n{n}"), m.interval(f"n{n}").low,
                                              m.interval(f"n{n}").high) for n in points]).as_data())


@pytest.mark.claim("pool-capacity-limits-throughput")
@pytest.mark.timeout(600)
@pytest.mark.parametrize("make", [
    pytest.param(pool_child.real_pool, id="notes-pool4-5tasks"),
    control("one-worker-more", pool_child.one_worker_more,
            why="the notes' run on a 'Pool(4)' that has 5 worker processes: 5 tasks take no longer than one"),
])
def test_pool_notes_example(make, unit_s, scale, benchmark, judge):
    """False if the notes' own run — Pool(4), 5 tasks, close, join — does not take about one T longer than with
    one task.

    No null: the effect is a difference in steps of T against the claim's one step, and every sample
    makes a fresh pool (the notes' program does), so no instance outlives a sample.
    """
    ctx = multiprocessing.get_context()

    def notes(tasks: int) -> Seconds:
        """The notes' program on a fresh pool, timed from the first task handed over (every worker
        up) until all results are in: start-up, which the notes' own timer also spanned, is
        absolute noise (tens of ms a worker under spawn) that would swamp one step of a small T."""
        pool = pool_child.ready_pool(make, ctx, 4)
        try:
            t0 = time.perf_counter()
            results = [pool.apply_async(workloads.notes_task, (unit_s,)) for _ in range(tasks)]
            pool.close()
            for r in results:
                r.get(timeout=60 + 10 * unit_s)
            elapsed = time.perf_counter() - t0
            pool.join()
        finally:
            pool.terminate()
        return Seconds(elapsed)

    # Against the same pool run with one task, which pays the same start-up and the same
    # wait for the first worker.
    m = Interleaved({"notes": lambda: notes(5), "one-task": lambda: notes(1)})

    def effect(m):
        return stats.median_interval([(a - b) / unit_s for a, b in zip(m.samples["notes"], m.samples["one-task"])])

    m.until_settled(lambda m: band_outcome(notes_parts(effect(m))), scale, benchmark)
    parts = notes_parts(effect(m))
    planted = make is not pool_child.real_pool
    judge.measured(
        effect(m), deciding(parts),
        "(wall with 5 tasks − wall with 1 task)/T", f"within [{NOTES_LOW_STEPS}, {NOTES_HIGH_STEPS}] steps (the claim: 1)",
        f"{'planted (5 worker processes) ' if planted else ''}Pool(4) ({ctx.get_start_method()}) with 5 tasks of "
        f"T = {unit_s} s, closed and joined: {stats.fmt(m.median_s('notes'))} s from the first task handed over "
        f"(every worker up) to the last result; with one task: {stats.fmt(m.median_s('one-task'))} s",
        verdict=verdicts.from_decision(band_outcome(parts)),
        data={"unit_s": unit_s, "median_s": m.median_s("notes"), "one_task_s": m.median_s("one-task"),
              "start_method": ctx.get_start_method(),
              **({} if planted else NotesFigure("pool4-5tasks", m.median_s("notes"),
                                                start_method=ctx.get_start_method()).as_data())})


@pytest.mark.behaviour
@pytest.mark.claim("pool-reuses-workers")
@pytest.mark.timeout(120)
@pytest.mark.ways(*ways.START_METHOD_WAYS,
                  control("fresh-process-per-task", ways.PlantedWay(plant=pool_child.fresh_process_per_task), None,
                          why="a 'Pool(k)' that runs each task in a fresh process: its tasks run on more than k PIDs"),
                  control("maxtasksperchild-ignored", ways.PlantedWay(plant=pool_child.ignores_maxtasksperchild), 1,
                          why="a Pool that drops maxtasksperchild=1: its workers are never replaced"),
                  per={"maxtasksperchild": [pytest.param(None, id="reuse"), pytest.param(1, id="maxtasksperchild1")]})
def test_pool_reuses_workers(way, maxtasksperchild, pool_of, unit_s, judge):
    """False if a Pool's tasks run outside its k workers, or maxtasksperchild does not replace them. Each
    control plants a pool (its maker) for the one maxtasksperchild it names."""
    ctx, make = way.context(), way.plant or pool_child.real_pool
    k, tasks = 2, 4  # more tasks than workers: reuse shows; under maxtasksperchild=1, 4 + 2 workers start
    announced = ctx.Queue()
    pool = pool_of(k, ctx=ctx, make=make, maxtasksperchild=maxtasksperchild,
                   initializer=pool_child.announce_worker, initargs=(announced,))
    results = [pool.apply_async(workloads.pid_of_task, (i, unit_s / 4)) for i in range(tasks)]
    task_pids = [r.get(timeout=60)[0] for r in results]
    workers = pool_child.collect_announced(announced, task_pids)
    verdict, what = pool_child.reuse_verdict(task_pids, workers, k, tasks, os.getpid(), maxtasksperchild)
    judge.observed(verdict, f"Pool({k}), {ctx.get_start_method()}: {what}",
                            data={"task_pids": task_pids, "workers": {str(p): pp for p, pp in workers.items()},
                                  "k": k, "maxtasksperchild": maxtasksperchild,
                                  "start_method": ctx.get_start_method()})


@pytest.mark.behaviour
@pytest.mark.claim("pool-join-needs-close")
@pytest.mark.timeout(60)
@pytest.mark.ways(*ways.START_METHOD_WAYS,
                  control("join-returns-while-running", ways.PlantedWay(plant=pool_child.join_returns_while_running),
                          why="a Pool whose join() returns at once on a running pool"))
def test_pool_join_needs_close(way, pool_of, judge):
    """False if join() on a running pool returns, or join() after close()/terminate() does not. The
    control's plant is the pool's maker.

    Each join() runs in a thread of its own, waited for JOIN_LIMIT_S: one that does not return in that
    time is seen as such (and refutes the half that needs it to return), not waited for until the
    test's time limit."""
    ctx, make, limit_s = way.context(), way.plant or pool_child.real_pool, pool_child.JOIN_LIMIT_S
    seen = []
    running = pool_of(1, ctx=ctx, make=make)
    returned, raised = pool_child.join_within(running, limit_s)
    if isinstance(raised, ValueError):
        seen.append(("running", True, f"join() on a running pool raised ValueError: {raised}"))
    elif not returned:
        seen.append(("running", False, f"join() on a running pool neither raised nor returned within {limit_s} s"))
    else:
        seen.append(("running", False, "join() returned on a running pool" if raised is None else
                     f"join() on a running pool raised {type(raised).__name__}, not ValueError: {raised}"))
    for how in ("close", "terminate"):
        pool = pool_of(1, ctx=ctx, make=make)
        pool.apply_async(workloads.noop).get(timeout=30)
        getattr(pool, how)()
        returned, raised = pool_child.join_within(pool, limit_s)
        if not returned:
            seen.append((how, False, f"join() after {how}() did not return within {limit_s} s"))
        elif raised is not None:
            seen.append((how, False, f"join() after {how}() raised {type(raised).__name__}: {raised}"))
        else:
            seen.append((how, True, f"join() after {how}() returned"))
    # The sentence holds only if both halves do: join() refused while running, accepted after close/terminate.
    verdict = verdicts.HOLDS if all(ok for _, ok, _ in seen) else verdicts.REFUTED
    judge.observed(verdict, f"{ctx.get_start_method()}: " + "; ".join(e for _, _, e in seen),
                   data={"start_method": ctx.get_start_method(), "parts": {h: ok for h, ok, _ in seen},
                         "join_limit_s": limit_s})
