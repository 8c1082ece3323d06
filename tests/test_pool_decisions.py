"""The Pool experiments' own decisions (experiments/test_pool.py), driven by synthetic rounds and planted
pools: holds, refuted and inconclusive each reached (issue 19, finding 8: test_pool was never driven so).

pool-capacity-limits-throughput sets one way against an ideal count of T, so it has no null; its effect
is signed (measured − ideal), and a test fails if the two were swapped. pool-join-needs-close's joins run
with a time limit: a join that does not return refutes (finding 9).
"""
from __future__ import annotations

import math
import multiprocessing
import threading
from multiprocessing.pool import Pool, ThreadPool

import pytest

from claimbench.core import scales, stats, verdicts, ways
from claimbench.core.measure import Interleaved
from claimbench.families.d_examples import child as pool_child
from claimbench.families.d_examples.decide import (band_outcome, deciding, NOTES_HIGH_STEPS, NOTES_LOW_STEPS,
                                                   staircase_decision, staircase_parts, staircase_verdict,
                                                   STEP_TOLERANCE)
from synthetic_rounds import Capture, experiment, steady, straddling, synthetic

H, R, I = verdicts.HOLDS, verdicts.REFUTED, verdicts.INCONCLUSIVE
QUICK = scales.SCALES["quick"]
T = QUICK.unit_s


# ---------------------------------------------------------------- the staircase
def staircase(monkeypatch, k, steps_off=lambda n, i: 0.0, make=pool_child.real_pool):
    """Run test_pool_staircase on synthetic rounds: n tasks take ceil(n/k)·T plus ``steps_off(n, i)``
    steps of T (and a little jitter)."""
    pool = experiment("test_pool")
    points = pool.staircase_points(k)
    jitter = {n: steady(1.0, 0.01, seed=n) for n in points}
    synthetic(monkeypatch, {f"n{n}": (lambda i, n=n: (math.ceil(n / k) + steps_off(n, i)) * T * jitter[n](i))
                            for n in points})
    judge = Capture()
    pool.test_pool_staircase(k=k, make=make, unit_s=T, scale=QUICK, benchmark=None, judge=judge)
    return judge.verdicts[0]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_a_pool_on_its_staircase_holds(monkeypatch, k):
    v = staircase(monkeypatch, k)
    assert v.verdict == H and v.decision["null"] is None
    assert abs(v.effect) < 0.1 and v.decision["threshold"] in (-STEP_TOLERANCE, STEP_TOLERANCE)


def test_a_point_a_step_slow_refutes_with_a_positive_effect(monkeypatch):
    # n = 3 on Pool(2) a step over its ideal: refuted, and shown as +1 step (measured − ideal, not the reverse)
    v = staircase(monkeypatch, 2, lambda n, i: 1.0 if n == 3 else 0.0)
    assert v.verdict == R
    assert v.effect == pytest.approx(1.0, abs=0.1) and v.decision["threshold"] == STEP_TOLERANCE
    assert "n = 3" in v.evidence


def test_a_pool_with_twice_the_workers_is_a_step_below(monkeypatch):
    # the control's plant: Pool(1) with 2 workers runs n = 2 and 3 a step sooner than ceil(n/1)·T
    v = staircase(monkeypatch, 1, lambda n, i: {2: -1.0, 3: -1.0}.get(n, 0.0), make=pool_child.twice_the_workers)
    assert v.verdict == R
    assert v.effect == pytest.approx(-1.0, abs=0.1) and v.decision["threshold"] == -STEP_TOLERANCE


def test_a_point_on_half_a_step_is_inconclusive(monkeypatch):
    v = staircase(monkeypatch, 2, lambda n, i: straddling(STEP_TOLERANCE, 0.6)(i) if n == 5 else 0.0)
    assert v.verdict == I and "n = 5" in v.evidence


def test_the_staircase_decision_one_point_off_settles_it():
    ok, off, open_ = (stats.Interval(x, x - 0.05, x + 0.05, 9) for x in (0.0, 1.0, 0.5))
    parts = staircase_parts({1: ok, 2: off, 3: ok})
    assert staircase_verdict(band_outcome(p) for p in parts.values()) == R
    assert deciding(parts[2]).threshold == STEP_TOLERANCE
    parts = staircase_parts({1: ok, 2: open_})
    assert staircase_decision(band_outcome(p) for p in parts.values()) == stats.STRADDLES


# ---------------------------------------------------------------- the notes' Pool(4) with 5 tasks
@pytest.mark.parametrize("extra_steps,expected", [
    (1.0, H),                     # the notes: one step more than one task
    (0.0, R),                     # no capacity limit (one worker more, the control's plant)
    (4.0, R),                     # no parallelism
    (-1.0, R),                    # swapped (one task's time over five's): would be -1, refuted, not held
    (None, I),                    # on the band's lower edge
])
def test_the_notes_example(monkeypatch, extra_steps, expected):
    pool = experiment("test_pool")
    extra = straddling(NOTES_LOW_STEPS, 0.6) if extra_steps is None else (lambda i: extra_steps)

    def base(i):  # one task's wall time, round by round: 3·T (a fresh pool's hand-over) with a little jitter
        return 3 * T * (1 + 0.01 * ((7 * i) % 3 - 1))
    synthetic(monkeypatch, {"one-task": base, "notes": lambda i: base(i) + extra(i) * T})
    judge = Capture()
    pool.test_pool_notes_example(make=pool_child.real_pool, unit_s=T, scale=QUICK, benchmark=None, judge=judge)
    v = judge.verdicts[0]
    assert v.verdict == expected
    assert v.decision["threshold"] in (NOTES_LOW_STEPS, NOTES_HIGH_STEPS) and v.decision["null"] is None
    if extra_steps is not None:
        assert v.effect == pytest.approx(extra_steps, abs=0.05)


def test_one_worker_more_is_a_process_pool():
    """The control's plant answers the question asked of a process pool: a real Pool, with k + 1 worker
    processes (not a ThreadPool), every one up before timing."""
    ctx = multiprocessing.get_context()
    pool = pool_child.ready_pool(pool_child.one_worker_more, ctx, 4)
    try:
        assert isinstance(pool, Pool) and not isinstance(pool, ThreadPool)
        assert pool._processes == 5 and len([p for p in pool._pool if p.is_alive()]) == 5
    finally:
        pool.terminate()
        pool.join()


# ---------------------------------------------------------------- the staircase's Pool, built per batch
class FakePool:
    _processes = 2

    def __init__(self, log):
        self.log = log
        log.append("built")

    def terminate(self):
        self.log.append("terminated")

    def join(self):
        self.log.append("joined")


def test_the_staircase_pool_is_built_off_the_clock_shared_by_the_points_and_rebuilt_per_batch():
    pool = experiment("test_pool")
    log, used = [], []
    shared = pool.OnePoolPerBatch(lambda: FakePool(log))
    with Interleaved({f"n{n}": shared.variant(lambda p, n=n: used.append((n, id(p)))) for n in (1, 2, 3)}) as m:
        m.run(7)
    # 7 rounds, rebuilt every 3: three pools, each shared by the three points and closed once
    assert log.count("built") == 3 == shared.built and log.count("terminated") == 3 and log.count("joined") == 3
    assert len({p for _, p in used[:9]}) == 1 and len(used) == 21
    assert log[-2:] == ["terminated", "joined"] and shared.pool is None


# ---------------------------------------------------------------- join() with a time limit
class PlantedPool:
    """A pool without processes: join() on it raises, returns or hangs, as planted."""

    def __init__(self, running="raise", stopped="return"):
        self.running, self.stopped, self.is_stopped = running, stopped, False
        self.release = threading.Event()

    def apply_async(self, fn, args=()):
        class Done:
            @staticmethod
            def get(timeout=None):
                return fn(*args)
        return Done()

    def close(self):
        self.is_stopped = True

    terminate = close

    def join(self):
        what = self.stopped if self.is_stopped else self.running
        if what == "raise":
            raise ValueError("Pool is still running")
        if what == "hang":
            self.release.wait()


def join_verdict(monkeypatch, running, stopped):
    pool = experiment("test_pool")
    made = []

    def pool_of(k, ctx=None, make=None):
        made.append(PlantedPool(running, stopped))
        return made[-1]
    judge = Capture()
    monkeypatch.setattr(pool_child, "JOIN_LIMIT_S", 0.2)
    try:
        pool.test_pool_join_needs_close(way=ways.WAYS["processes"], pool_of=pool_of, judge=judge)
    finally:
        for p in made:
            p.release.set()
    return judge.verdicts[0]


@pytest.mark.parametrize("running,stopped,expected,said", [
    ("raise", "return", H, "join() after terminate() returned"),
    ("return", "return", R, "join() returned on a running pool"),
    ("raise", "hang", R, "did not return within 0.2 s"),       # a hang refutes, it is not waited out
    ("hang", "return", R, "neither raised nor returned"),
])
def test_join_needs_close(monkeypatch, running, stopped, expected, said):
    v = join_verdict(monkeypatch, running, stopped)
    assert v.verdict == expected and said in v.evidence
    assert v.data["join_limit_s"] == 0.2


def test_join_within_sees_a_hang_and_what_join_raised():
    assert pool_child.join_within(PlantedPool("return"), 1.0) == (True, None)
    returned, raised = pool_child.join_within(PlantedPool("raise"), 1.0)
    assert returned and isinstance(raised, ValueError)
    hung = PlantedPool("hang")
    assert pool_child.join_within(hung, 0.05) == (False, None)
    hung.release.set()
