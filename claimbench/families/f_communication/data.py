"""Where one way of doing a thing starts to win over a sweep of sizes: the crossover, with its interval.

Given, for each size of a sweep (ascending), the interval of an effect (say, shared memory's
bytes/s over the best of Pipe and Queue) and a threshold the effect must exceed to count as a
win, a size is a win when its whole interval lies above the threshold. The crossover is where
the sweep rises past the threshold for good:

- ``estimate``: where the medians do;
- ``low``: where the intervals' upper ends do;
- ``high``: where their lower ends do, just below the first size of the *winning tail* (the
  longest run of the largest sizes, each a win).

So the sweep falls in three parts: below the interval, sizes that (as far as their intervals
tell) are no win; the interval itself, too close to tell; the winning tail. Sizes are
interpolated on a log scale between the two sizes of the sweep that bracket a crossing; a
crossing below the smallest size is the smallest size, one the sweep never reaches is None.
Each size's decision is the effect's interval against the threshold, or the one given
(``find(decisions=...)``: decide.py's, which also clears the run's own null). Pure functions,
standard library only.

``ThroughputSweep`` is the data of ipc-throughput-ranks's case that its experiment stores
(``as_data``) and its report part reads back (``from_data``: None for a case that carries other
data, or was stored before this shape). Python 3.8+.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ...core import stats
from ...core.verdicts import HOLDS, INCONCLUSIVE, REFUTED


@dataclass(frozen=True)
class SizeEffect:
    """One size of the sweep: its effect with interval, and the decision against the threshold."""

    size: int
    effect: stats.Interval
    decision: str  # stats.INSIDE: a win; OUTSIDE: not a win; STRADDLES: too close to tell
    decided: Any = None  # the typed decision (core.decision.Decision) where one was given


@dataclass(frozen=True)
class Crossover:
    threshold: float
    points: Tuple[SizeEffect, ...]      # ascending size
    estimate: Optional[float]           # None: the medians never stay above the threshold
    low: Optional[float]                # None: not even the upper ends stay above it
    high: Optional[float]               # None: the sweep has no winning tail

    @property
    def winning(self) -> Tuple[SizeEffect, ...]:
        """The winning tail: the largest sizes, each a decided win."""
        tail: List[SizeEffect] = []
        for p in reversed(self.points):
            if p.decision != stats.INSIDE:
                break
            tail.insert(0, p)
        return tuple(tail)

    @property
    def largest(self) -> SizeEffect:
        return self.points[-1]


def last_crossing(sizes: Sequence[int], values: Sequence[float], threshold: float) -> Optional[float]:
    """The size from which ``values`` stay above ``threshold`` to the end of the sweep.

    Log-interpolated between the last size at or below the threshold and the next one;
    the smallest size when every value is above; None when the last one is not.
    """
    if len(sizes) != len(values) or not sizes:
        raise ValueError("one value per size, at least one size")
    k = len(values)
    while k > 0 and values[k - 1] > threshold:
        k -= 1
    if k == len(values):
        return None
    if k == 0:
        return float(sizes[0])
    a, b = values[k - 1], values[k]
    if not (math.isfinite(a) and math.isfinite(b)) or b <= a:
        return float(sizes[k])
    f = (threshold - a) / (b - a)
    lo, hi = math.log(sizes[k - 1]), math.log(sizes[k])
    return math.exp(lo + f * (hi - lo))


def find(sizes: Sequence[int], effects: Sequence[stats.Interval], threshold: float,
         decisions: Optional[Sequence[Any]] = None) -> Crossover:
    """The crossover of a sweep: per-size decisions, the point where the medians cross, and its interval.

    ``decisions``: one typed decision per size (its ``outcome`` is the size's decision), where the
    caller decides more than the interval against the threshold (the run's own null)."""
    if len(sizes) != len(effects) or not sizes:
        raise ValueError("one effect per size, at least one size")
    if list(sizes) != sorted(sizes):
        raise ValueError("sizes must ascend")
    if decisions is not None and len(decisions) != len(sizes):
        raise ValueError("one decision per size")
    points = tuple(SizeEffect(s, e, stats.above(e, threshold)) if decisions is None else
                   SizeEffect(s, e, decisions[i].outcome, decisions[i])
                   for i, (s, e) in enumerate(zip(sizes, effects)))
    estimate = last_crossing(sizes, [e.median for e in effects], threshold)
    low = last_crossing(sizes, [e.high for e in effects], threshold)
    high = last_crossing(sizes, [e.low for e in effects], threshold)
    # The ends are crossings of other curves: keep them on either side of the estimate.
    if estimate is not None:
        low = estimate if low is None else min(low, estimate)
        high = None if high is None else max(high, estimate)
    return Crossover(threshold, points, estimate, low, high)


def above_verdict(c: Crossover) -> str:
    """Does the effect win above the crossover? holds: the sweep has a winning tail; refuted:
    even the largest size's interval lies below the threshold; else inconclusive."""
    if c.winning:
        return HOLDS
    if c.largest.decision == stats.OUTSIDE:
        return REFUTED
    return INCONCLUSIVE


# ---------------------------------------------------------------- the sweep's data, as stored
class Spread(NamedTuple):
    """A median with its interval: stored as the list [median, low, high]."""
    median: float
    low: float
    high: float


def _spread(x) -> Spread:
    median, low, high = x
    return Spread(float(median), float(low), float(high))


def _optional(x, kind):
    return None if x is None else kind(x)


def _number(x):
    """x itself, if it is a number (not converted: the report prints what was stored)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"not a number: {x!r}")
    return x


@dataclass(frozen=True)
class CrossoverSpan:
    """The crossover as stored: its estimate and interval in bytes (None: not within the sweep),
    and the first size of the winning tail (None: the sweep has none)."""
    estimate: Optional[float]
    low: Optional[float]
    high: Optional[float]
    first_win: Optional[int]

    @classmethod
    def of(cls, c: Crossover) -> "CrossoverSpan":
        return cls(c.estimate, c.low, c.high, c.winning[0].size if c.winning else None)


@dataclass(frozen=True)
class ThroughputSweep:
    """ipc-throughput-ranks, one sweep of payload sizes: each mechanism's bytes per second and
    shared memory's rate over the better of Pipe and Queue, per size, and the crossover.

    Per-size dicts have int keys here and str keys in the stored JSON."""
    sizes: List[int]
    threshold: float                                # the ratio shared memory must exceed to win
    rounds: Optional[int]                           # None: not stored
    bytes_per_s: Dict[int, Dict[str, Spread]]       # {size: {mechanism: bytes/s}}
    ratio: Dict[int, Spread]                        # {size: shared memory / best of Pipe and Queue}
    crossover: CrossoverSpan

    def as_data(self) -> dict:
        data = {
            "sizes": list(self.sizes), "threshold": self.threshold,
            "bytes_per_s": {str(s): {m: list(r) for m, r in rates.items()} for s, rates in self.bytes_per_s.items()},
            "ratio": {str(s): list(r) for s, r in self.ratio.items()},
            "crossover": {"estimate": self.crossover.estimate, "low": self.crossover.low,
                          "high": self.crossover.high, "first_win": self.crossover.first_win},
        }
        if self.rounds is not None:
            data["rounds"] = self.rounds
        return data

    @classmethod
    def from_data(cls, data) -> Optional["ThroughputSweep"]:
        if not isinstance(data, dict) or not all(k in data for k in ("ratio", "bytes_per_s", "crossover")):
            return None
        try:
            c = data["crossover"]
            return cls(
                sizes=[int(s) for s in data["sizes"]], threshold=_number(data["threshold"]),
                rounds=_optional(data.get("rounds"), int),
                bytes_per_s={int(s): {m: _spread(r) for m, r in rates.items()}
                             for s, rates in data["bytes_per_s"].items()},
                ratio={int(s): _spread(r) for s, r in data["ratio"].items()},
                crossover=CrossoverSpan(*(_optional(c.get(k), _number) for k in ("estimate", "low", "high")),
                                        _optional(c.get("first_win"), int)))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
