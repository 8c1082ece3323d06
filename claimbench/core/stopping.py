"""The stopping rule's error budget: how sure each look must be so that all looks together keep 95 %.

``measure.Interleaved.until_settled`` looks at an interval after ``min_rounds`` and again after
each batch, up to ``max_rounds``. Each look at a 95 % interval would be a new chance of a
decisive verdict on an effect that sits exactly on its threshold: looks at 6, 10, 14 and 18
rounds add up to 6.5 %, the default scale's five looks to 7.2 %, twice its budget to 11.8 %.
So every look uses one per-look level, the same for all looks of a schedule (Pocock's idea),
the loosest that keeps the whole schedule at 5 %.

That level is computed exactly, not simulated. A distribution-free median interval is decisive
against a threshold only through how many samples fall below it, and when the true median sits
on the threshold each independent sample falls below with probability 1/2, whatever its
distribution. The chance that some look is decisive is then the chance that a ±1 random walk
leaves a band at one of the looks, which a short dynamic programme over the walk gives exactly.
The same figure bounds the chance that the median is outside the interval at the look the rule
stops at: the reported interval covers the median with 95 % over all the looks.

Pure functions, standard library only (every interpreter of the matrix runs them).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Dict, Optional, Tuple

from . import stats

#: Per-look levels are chosen from these (0.1 % steps), so labels read 96.2 %, not 96.1937 %.
LEVEL_GRID = tuple(pm / 1000.0 for pm in range(950, 1000)) + (0.9995, 0.9999)


def looks(first: int, batch: int, last: int) -> Tuple[int, ...]:
    """Rounds at which the rule looks: ``first``, then every ``batch`` more, the last batch cut at ``last``."""
    if first < 1 or batch < 1:
        raise ValueError(f"looks need first >= 1 and batch >= 1, not {first} and {batch}")
    out = [first]
    while out[-1] < last:
        out.append(min(out[-1] + batch, last))
    return tuple(out)


def false_decision_rate(planned: Tuple[int, ...], confidence: float,
                        p_below: float = 0.5) -> Tuple[float, float]:
    """Exact chance that some look's interval lies wholly above, resp. wholly below, the threshold.

    ``p_below`` is the chance that one sample falls below the threshold (1/2 when the true
    median sits on it, for any continuous distribution). The rule stops at the first decisive
    look, so the two figures are of disjoint events: their sum is the chance of any decision.
    """
    counts: Dict[int, float] = {0: 1.0}  # samples below the threshold -> chance, still undecided
    n = 0
    above = below = 0.0
    for look in planned:
        for _ in range(look - n):
            step: Dict[int, float] = {}
            for k, p in counts.items():
                step[k + 1] = step.get(k + 1, 0.0) + p * p_below
                step[k] = step.get(k, 0.0) + p * (1.0 - p_below)
            counts = step
        n = look
        bounds = stats.median_rank_bounds(n, confidence)
        if bounds is None:
            continue  # an infinite interval decides nothing
        lo, hi = bounds
        for k in list(counts):
            if k <= lo - 1:     # fewer than lo samples below: x_(lo) is above the threshold
                above += counts.pop(k)
            elif k >= hi:       # at least hi samples below: x_(hi) is below the threshold
                below += counts.pop(k)
    return above, below


@lru_cache(maxsize=None)
def per_look_confidence(planned: Tuple[int, ...], overall: float = stats.CONFIDENCE) -> float:
    """The loosest level on ``LEVEL_GRID`` at which all ``planned`` looks together err at most ``1 - overall``.

    A stricter level only narrows every look's decisive region, so the rate falls as the level
    rises and a bisection finds the first level that fits.
    """
    budget = 1.0 - overall

    def fits(level: float) -> bool:
        return sum(false_decision_rate(planned, level)) <= budget

    lo, hi = 0, len(LEVEL_GRID) - 1
    if not fits(LEVEL_GRID[hi]):
        raise ValueError(f"{len(planned)} looks cannot keep {overall:.0%} on this grid")
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(LEVEL_GRID[mid]):
            hi = mid
        else:
            lo = mid + 1
    return LEVEL_GRID[lo]


def fewest_samples(confidence: float) -> int:
    """The smallest n whose interval at ``confidence`` is finite (6 at 95 %)."""
    n = 1
    while stats.median_rank_bounds(n, confidence) is None:
        n += 1
    return n


def schedule_level(first: int, batch: int, last: int,
                   overall: float = stats.CONFIDENCE) -> Tuple[Tuple[int, ...], float]:
    """The looks of one run of the rule, from ``first`` rounds on, and the per-look level they need.

    A look with too few samples for a finite interval at that level decides nothing, and
    waiting a whole batch for the next one costs more than a round or two: the first look
    then moves to the fewest samples the level needs (which may loosen the level again).
    """
    while True:
        planned = looks(first, batch, max(first, last))
        level = per_look_confidence(planned, overall)
        needed = fewest_samples(level)
        if needed <= first:
            return planned, level
        first = needed


def describe(planned: Tuple[int, ...], level: Optional[float] = None) -> str:
    """One line for evidence and logs: the looks and the level each one uses."""
    level = per_look_confidence(planned) if level is None else level
    return f"{len(planned)} looks at rounds {', '.join(str(n) for n in planned)}, each at {format_level(level)}"


def format_level(level: float) -> str:
    """96.2 %, 99.95 %: as many digits as the grid has."""
    text = f"{level * 100:.2f}".rstrip("0").rstrip(".")
    return text + "%"
