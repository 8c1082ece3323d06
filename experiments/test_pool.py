"""multiprocessing.Pool: capacity, worker reuse, and join() before close()."""
from __future__ import annotations

import math
import multiprocessing

import pytest

from claimbench import children, stats, verdicts, workloads
from claimbench.measure import Interleaved, worst

# Effects are errors in steps of T: (measured − ceil(n/k)·T)/T. Half a step is
# halfway to the nearest alternative (one step more or less than the staircase).
STEP_TOLERANCE = 0.5
NOTES_LOW_STEPS, NOTES_HIGH_STEPS = 0.5, 2.5


def staircase_points(k: int):
    """The edges of the staircase: n = 1, k, k+1, 2k, 2k+1, 3k (no duplicates)."""
    return sorted({1, k, k + 1, 2 * k, 2 * k + 1, 3 * k})


@pytest.fixture
def pool_of(request):
    """pool_of(k): a started Pool of the default start method, closed and joined afterwards."""
    pools = []

    def make(k, **kwargs):
        pool = multiprocessing.get_context().Pool(k, **kwargs)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.terminate()
        pool.join()


def steps_off(samples_s, ideal_s: float, unit_s: float) -> stats.Interval:
    """How far from the staircase, in steps of T."""
    return stats.median_interval([(x - ideal_s) / unit_s for x in samples_s])


def run_tasks(pool, n: int, seconds: float) -> None:
    results = [pool.apply_async(workloads.notes_task, (seconds,)) for _ in range(n)]
    for r in results:
        r.get(timeout=60 + 10 * seconds)


@pytest.mark.claim("pool-capacity-limits-throughput")
@pytest.mark.timeout(600)
@pytest.mark.parametrize("k", [1, 2, 4], ids=lambda k: "k{}".format(k))
def test_pool_staircase(k, pool_of, unit_s, scale, benchmark, judge):
    """False if Pool(k) with n tasks of T is not ceil(n/k)·T at every edge of the staircase."""
    pool = pool_of(k)
    run_tasks(pool, k, 0)  # all workers up before timing
    points = staircase_points(k)
    ideal = {n: math.ceil(n / k) * unit_s for n in points}
    m = Interleaved({"n{}".format(n): (lambda n=n: run_tasks(pool, n, unit_s)) for n in points})

    def effects(m):
        return {n: steps_off(m.samples["n{}".format(n)], ideal[n], unit_s) for n in points}

    def decide(m):
        return worst(stats.within(e, -STEP_TOLERANCE, STEP_TOLERANCE) for e in effects(m).values())

    # Dispatch costs are absolute (about a millisecond for 12 tasks over 4 workers on 2 CPUs), so at
    # a small T the furthest point can sit near half a step: allow twice the rounds to settle it.
    m.until_settled(decide, scale.with_budget(2), benchmark)
    es = effects(m)
    per_point = {n: verdicts.from_decision(stats.within(e, -STEP_TOLERANCE, STEP_TOLERANCE))
                 for n, e in es.items()}
    far = max(points, key=lambda n: abs(es[n].median))
    judge(verdicts.measured(
        "pool-capacity-limits-throughput", "", es[far], "",
        "(measured − ceil(n/k)·T)/T at the worst n", "within ±{} steps at every n".format(STEP_TOLERANCE),
        "Pool({}) over n = {}: off the staircase by {} steps; furthest at n = {}".format(
            k, points, ", ".join("{}".format(stats.fmt(es[n].median)) for n in points), far),
        verdict=verdicts.combine(per_point.values()),
        data={"k": k, "unit_s": unit_s, "points": [
            {"n": n, "ideal_s": ideal[n], "median_s": m.median_s("n{}".format(n)),
             "low_s": m.interval("n{}".format(n)).low, "high_s": m.interval("n{}".format(n)).high}
            for n in points]}))


@pytest.mark.claim("pool-capacity-limits-throughput")
@pytest.mark.timeout(600)
def test_pool_notes_example(unit_s, scale, benchmark, judge):
    """False if the notes' own run — Pool(4), 5 tasks, close, join — does not take about one T longer than with one task."""
    ctx = multiprocessing.get_context()

    def notes(tasks: int) -> None:
        pool = ctx.Pool(4)
        try:
            for _ in range(tasks):
                pool.apply_async(workloads.notes_task, (unit_s,))
            pool.close()
            pool.join()
        finally:
            pool.terminate()

    # Against the same pool run with one task, which pays the same start-up and the same
    # wait for the first worker: 5 tasks on 4 workers add one step. The alternatives add
    # none (no capacity limit) or four (no parallelism); the band stops halfway to each.
    m = Interleaved({"notes": lambda: notes(5), "one-task": lambda: notes(1)})

    def effect(m):
        return stats.median_interval([(a - b) / unit_s for a, b in zip(m.samples["notes"], m.samples["one-task"])])

    decision = m.until_settled(lambda m: stats.within(effect(m), NOTES_LOW_STEPS, NOTES_HIGH_STEPS),
                               scale, benchmark)
    judge(verdicts.measured(
        "pool-capacity-limits-throughput", "notes-pool4-5tasks", effect(m), decision,
        "(wall with 5 tasks − wall with 1 task)/T", "within [{}, {}] steps (the claim: 1)".format(
            NOTES_LOW_STEPS, NOTES_HIGH_STEPS),
        "Pool(4) with 5 tasks of T = {} s, closed and joined: {} s wall; with one task: {} s".format(
            unit_s, stats.fmt(m.median_s("notes")), stats.fmt(m.median_s("one-task"))),
        data={"unit_s": unit_s, "median_s": m.median_s("notes"), "one_task_s": m.median_s("one-task"),
              "notes_figure": "pool4-5tasks"}))


def _worker_pids() -> set:
    return {p.pid for p in children.living_children()}


@pytest.mark.behaviour
@pytest.mark.claim("pool-reuses-workers")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("maxtasksperchild", [None, 1], ids=["reuse", "maxtasksperchild1"])
def test_pool_reuses_workers(maxtasksperchild, pool_of, unit_s, judge):
    """False if a Pool's tasks run outside its k workers, or maxtasksperchild does not replace them."""
    k, tasks = 2, 6
    before = _worker_pids()
    pool = pool_of(k, maxtasksperchild=maxtasksperchild)
    results = [pool.apply_async(workloads.pid_of_task, (i, unit_s / 4)) for i in range(tasks)]
    task_pids = [r.get(timeout=60)[0] for r in results]
    distinct = len(set(task_pids))
    if maxtasksperchild is None:
        workers = _worker_pids() - before
        ok = set(task_pids) <= workers and distinct <= k
        evidence = "{} tasks ran on {} distinct PIDs, all among the pool's {} workers {}".format(
            tasks, distinct, len(workers), sorted(workers))
    else:
        ok = distinct == tasks
        evidence = "with maxtasksperchild=1, {} tasks ran on {} distinct PIDs: each worker replaced after one task".format(
            tasks, distinct)
    judge(verdicts.observed("pool-reuses-workers", "", verdicts.HOLDS if ok else verdicts.REFUTED, evidence,
                            data={"task_pids": task_pids, "k": k}))


@pytest.mark.behaviour
@pytest.mark.claim("pool-join-needs-close")
@pytest.mark.timeout(60)
def test_pool_join_needs_close(pool_of, judge):
    """False if join() on a running pool returns, or join() after close()/terminate() does not."""
    seen = []
    running = pool_of(1)
    try:
        running.join()
        seen.append(("running", False, "join() returned on a running pool"))
    except ValueError as exc:
        seen.append(("running", True, "join() on a running pool raised ValueError: {}".format(exc)))
    for how in ("close", "terminate"):
        pool = pool_of(1)
        pool.apply_async(workloads.noop).get(timeout=30)
        getattr(pool, how)()
        pool.join()
        seen.append((how, True, "join() after {}() returned".format(how)))
    verdict = verdicts.combine(verdicts.HOLDS if ok else verdicts.REFUTED for _, ok, _ in seen)
    judge(verdicts.observed("pool-join-needs-close", "", verdict, "; ".join(e for _, _, e in seen)))
