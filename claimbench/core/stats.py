"""Statistics for verdicts: distribution-free intervals and threshold decisions.

Pure functions, no I/O, standard library only, so that every interpreter of the
matrix (3.8 … 3.13t) can compute its own verdicts without scipy. One piece of
state: the level intervals are computed at when none is passed (95 %, or the
stopping rule's per-look level while a measurement decides: see stopping.py).
"""
from __future__ import annotations

import contextvars
import math
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional, Sequence

CONFIDENCE = 0.95  # what every verdict promises; one look of the stopping rule may need more (stopping.py)

# The level intervals are computed at when no level is passed. ``Interleaved.until_settled`` sets
# its per-look level here and leaves it for the rest of the test, so that the interval an
# experiment reports after the loop is the one that decided; the plugin resets it after each test
# (plugin/reaper.py's confidence_per_test). A context variable, so that a thread or an asyncio task
# sees its own.
_level: "contextvars.ContextVar[float]" = contextvars.ContextVar("claimbench_confidence", default=CONFIDENCE)


def current_confidence() -> float:
    """The level an interval gets when none is passed: 95 %, or the stopping rule's per-look level."""
    return _level.get()


def set_confidence(level: float) -> "contextvars.Token[float]":
    """Compute intervals at ``level`` from now on in this context; ``reset_confidence`` undoes it."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"a confidence level lies strictly between 0 and 1, not {level!r}")
    return _level.set(level)


def reset_confidence(token: "contextvars.Token[float]") -> None:
    _level.reset(token)


@contextmanager
def confidence(level: float) -> Iterator[float]:
    """``with stats.confidence(0.99):`` intervals inside are computed at 99 %."""
    token = set_confidence(level)
    try:
        yield level
    finally:
        reset_confidence(token)

# The three answers a decision can give; verdicts.py maps them onto the claim.
INSIDE = "inside"        # the interval lies entirely on the claim's side
OUTSIDE = "outside"      # the interval lies entirely on the other side
STRADDLES = "straddles"  # noise could still flip it: measure more or say inconclusive


@dataclass(frozen=True)
class Interval:
    """A point estimate (the median) with its confidence interval, and the level it was computed at."""

    median: float
    low: float
    high: float
    n: int
    confidence: float = CONFIDENCE

    def __str__(self) -> str:
        return f"{fmt(self.median)} [{fmt(self.low)}, {fmt(self.high)}]"


def fmt_effect(effect, low, high) -> str:
    """``1.5 [1.3, 1.7]``: an effect and its interval as the tables show them; "" where there is none."""
    if effect is None or effect != effect:
        return ""
    return f"{fmt(effect)} [{fmt(low)}, {fmt(high)}]"


def fmt(x: float) -> str:
    """Three significant figures: effects are ratios, not timings."""
    if x != x:  # NaN
        return "nan"
    if x == 0 or 0.01 <= abs(x) < 1000:
        return f"{x:.3g}"
    return f"{x:.2e}"


def median_rank_bounds(n: int, confidence: Optional[float] = None):
    """1-based ranks (lo, hi) of order statistics bracketing the median.

    Distribution-free: P(x_(lo) <= median <= x_(hi)) >= confidence (the current
    level when None). Returns None when n is too small for that confidence
    (n < 6 at 95%).
    """
    return _rank_bounds(n, current_confidence() if confidence is None else confidence)


@lru_cache(maxsize=4096)  # at every look of every experiment, and thousands of times in tests/test_stopping.py
def _rank_bounds(n: int, confidence: float):
    alpha = (1.0 - confidence) / 2.0
    best = None
    # Exact integers, summed as j grows: 2.0 ** n overflows from n = 1024 on, and
    # recomputing the sum for every j is quadratic (minutes for a few thousand samples).
    outcomes = 2 ** n
    below = 0       # sum of comb(n, i) for i < j
    term = 1        # comb(n, j - 1)
    for j in range(1, n // 2 + 1):
        # P(median < x_(j)) = P(fewer than j samples below the median) = cdf(j-1)
        below += term
        if below / outcomes <= alpha:
            best = j
        else:
            break
        term = term * (n - j + 1) // j
    if best is None:
        return None
    return best, n - best + 1


def median_interval(samples: Sequence[float], confidence: Optional[float] = None) -> Interval:
    """Median with a distribution-free interval from order statistics.

    At ``confidence``, or the current level when None (see ``current_confidence``).
    With fewer samples than the confidence needs, the interval is infinite on
    both sides, so no decision can be taken from it.
    """
    level = current_confidence() if confidence is None else confidence
    xs = sorted(map(float, samples))
    if not xs:
        raise ValueError("median_interval needs at least one sample")
    half = len(xs) // 2
    med = xs[half] if len(xs) % 2 else (xs[half - 1] + xs[half]) / 2  # statistics.median, without sorting again
    bounds = median_rank_bounds(len(xs), level)
    if bounds is None:
        return Interval(med, -math.inf, math.inf, len(xs), level)
    lo, hi = bounds
    return Interval(med, xs[lo - 1], xs[hi - 1], len(xs), level)


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]):
    """Round-by-round ratios a_i / b_i of two variants measured side by side."""
    if len(numerators) != len(denominators):
        raise ValueError(f"paired samples differ in length: {len(numerators)} vs {len(denominators)}")
    return [a / b for a, b in zip(numerators, denominators) if b > 0]


def ratio_interval(numerators: Sequence[float], denominators: Sequence[float],
                   confidence: Optional[float] = None) -> Interval:
    """Median of paired ratios with its interval: the effect of most claims."""
    return median_interval(paired_ratios(numerators, denominators), confidence)


def scaled_interval(interval: Interval, factor: float) -> Interval:
    """The same interval divided by a constant (measured → measured/ideal)."""
    return Interval(interval.median / factor, interval.low / factor, interval.high / factor, interval.n,
                    interval.confidence)


def above(interval: Interval, threshold: float) -> str:
    """Is the effect above threshold? INSIDE if the whole interval is."""
    if interval.low > threshold:
        return INSIDE
    if interval.high < threshold:
        return OUTSIDE
    return STRADDLES


def below(interval: Interval, threshold: float) -> str:
    """Is the effect below threshold? INSIDE if the whole interval is."""
    flipped = above(interval, threshold)
    return {INSIDE: OUTSIDE, OUTSIDE: INSIDE}.get(flipped, STRADDLES)


def within(interval: Interval, low: float, high: float) -> str:
    """Is the effect inside [low, high]? OUTSIDE only if the interval misses the band."""
    if interval.low >= low and interval.high <= high:
        return INSIDE
    if interval.high < low or interval.low > high:
        return OUTSIDE
    return STRADDLES


def all_of(decisions: Sequence[str]) -> str:
    """A claim that needs every part: INSIDE when all parts are, OUTSIDE as soon as one is
    (that part alone refutes it), STRADDLES otherwise."""
    ds = list(decisions)
    if OUTSIDE in ds:
        return OUTSIDE
    return INSIDE if ds and all(d == INSIDE for d in ds) else STRADDLES
