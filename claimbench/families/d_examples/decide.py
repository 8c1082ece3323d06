"""Section D's thresholds and decisions: each threshold one named constant (or the function of k that
places it), with one line why.

Two kinds of decision live here. sleep-releases-gil compares two ways of running work (k sleeping
threads against one; a counting thread beside sleepers against it alone) and clears the run's own
A/A null (the baseline way twice, core/decision.py). The other timings set one way against T or an
ideal count of T (n·T, ceil(n/k)·T): there is no second way, so no null; their band is two one-sided
decisions (``band``), the one that decides is the one shown. Experiments and tests import these;
claims.py holds the expectations.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence

from ...core import stats, verdicts
from ...core.decision import ABOVE, BELOW, decide, Decision, nearest, shown
from ...core.stats import all_of
from ...claims.pace import pace_decision


# ---------------------------------------------------------------- a band: two one-sided decisions
def band(effect: stats.Interval, low: float, high: float) -> List[Decision]:
    """[below ``high``, above ``low``]: the effect inside the band holds, outside either end refutes."""
    return [decide(effect, high, BELOW), decide(effect, low, ABOVE)]


def band_outcome(parts: Sequence[Decision]) -> str:
    return all_of([d.outcome for d in parts])


def deciding(parts: Sequence[Decision]) -> Decision:
    """The end of a band to show: the one that refuted, else one still undecided, else the nearer end."""
    return shown(parts, held=nearest)


# ---------------------------------------------------------------- sequential-adds-up
# n tasks one after another against n·T, a stated margin of ±10 %: a sleep overshoots by microseconds, so
# a wider miss is not "adding up" (the alternatives, all at once or a task more, are ≥ 20 % off at n ≤ 5).
SEQUENTIAL_TOLERANCE = 0.10


def sequential_parts(measured_over_ideal: stats.Interval) -> List[Decision]:
    return band(measured_over_ideal, 1 - SEQUENTIAL_TOLERANCE, 1 + SEQUENTIAL_TOLERANCE)


# ---------------------------------------------------------------- processes-run-in-parallel
def parallel_threshold(n: int) -> float:
    """The span of n processes' sleeps of T, in T: halfway between the claim (1: side by side) and its
    negation (n: one after another)."""
    return (1 + n) / 2


def parallel_decision(span_over_t: stats.Interval, n: int) -> Decision:
    return decide(span_over_t, parallel_threshold(n), BELOW)


# ---------------------------------------------------------------- pool-capacity-limits-throughput
# Errors in steps of T, (measured − ceil(n/k)·T)/T: half a step is halfway to the nearest alternative
# (one step more or less than the staircase).
STEP_TOLERANCE = 0.5
# The notes' run (Pool(4), 5 tasks) against the same pool with one task: the claim adds one step; the
# alternatives add none (no capacity limit) or four (no parallelism); the band stops halfway to each.
NOTES_LOW_STEPS, NOTES_HIGH_STEPS = 0.5, 2.5


def stair_parts(steps_off: stats.Interval) -> List[Decision]:
    return band(steps_off, -STEP_TOLERANCE, STEP_TOLERANCE)


def staircase_parts(steps_off: Dict[int, stats.Interval]) -> Dict[int, List[Decision]]:
    """Each point n of the staircase: its error in steps against ±STEP_TOLERANCE."""
    return {n: stair_parts(e) for n, e in steps_off.items()}


def staircase_decision(decisions: Iterable[str]) -> str:
    """The staircase's decision from its points': off at one point settles it, else all must settle."""
    ds = list(decisions)
    if stats.OUTSIDE in ds:
        return stats.OUTSIDE
    return stats.STRADDLES if stats.STRADDLES in ds else stats.INSIDE


def staircase_verdict(decisions: Iterable[str]) -> str:
    """Refuted when any point is off the staircase: ceil(n/k)·T must hold at every n."""
    return verdicts.from_decision(staircase_decision(decisions))


def staircase_shown(parts: Dict[int, List[Decision]]) -> int:
    """The point to show: the first one off the staircase, else the first undecided, else the furthest."""
    for outcome in (stats.OUTSIDE, stats.STRADDLES):
        for n, ps in parts.items():
            if band_outcome(ps) == outcome:
                return n
    return max(parts, key=lambda n: abs(parts[n][0].effect.median))


def notes_parts(extra_steps: stats.Interval) -> List[Decision]:
    return band(extra_steps, NOTES_LOW_STEPS, NOTES_HIGH_STEPS)


# ---------------------------------------------------------------- sleep-releases-gil
def sleepers_threshold(k: int) -> float:
    """k threads sleeping T over one thread sleeping T: halfway between 1 (the GIL released: they
    overlap) and k (held: they take turns)."""
    return (1 + k) / 2


def sleepers_decision(threads_over_one: stats.Interval, k: int, null: Optional[stats.Interval] = None) -> Decision:
    return decide(threads_over_one, sleepers_threshold(k), BELOW, null)


# A counting thread's pace beside sleepers over its pace alone: 1 where they released the GIL, ½ beside
# a thread that shares it (one thread at a time), lower where a nap keeps it. Halfway between 1 and ½:
SLEEPERS_PACE = 0.75


def sleepers_pace_decision(pace: stats.Interval, yardstick: stats.Interval,
                           null: Optional[stats.Interval] = None) -> Decision:
    return pace_decision(pace, yardstick, SLEEPERS_PACE, null)
