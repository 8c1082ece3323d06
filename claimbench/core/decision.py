"""A timing decision as numbers: the effect's interval against its threshold and its run's own null.

``decide(effect, threshold, direction, null)`` is the one rule every comparative timing
experiment decides by (CLAIMS.md, "Deciding"):

- the effect's interval must lie wholly on one side of the threshold (``stats.above``/``below``);
- and beyond what two identical ways showed in the same rounds: the A/A null, the baseline way
  measured twice as two instances built apart. Two identical pools can differ by some per cent;
  an effect is only as sure as that. The null's far end from 1 (``null_factor``: the larger of
  its high end and the reciprocal of its low end) widens the effect's interval on both sides,
  and the widened interval must clear the threshold too. Where the raw interval clears it and
  the widened one does not, the decision straddles, ``inside_null`` says why, and measuring
  on may settle it (both intervals narrow with more rounds); at the budget it is inconclusive,
  "inside this run's own null".

A ``Decision`` is stored with its case (``as_dict``): effect interval, threshold, direction,
null interval, outcome: the report and the matrix read these numbers, never the evidence's text.
Pure, standard library only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Optional, Sequence

from . import stats
from .verdicts import from_decision, INCONCLUSIVE

ABOVE = "above"  # the claim holds when the effect is above the threshold
BELOW = "below"  # the claim holds when the effect is below it
DIRECTIONS = (ABOVE, BELOW)


def null_factor(null: Optional[stats.Interval]) -> float:
    """How far from 1 two identical ways came in this run (≥ 1): the null interval's far end."""
    if null is None:
        return 1.0
    if not (null.low > 0 and math.isfinite(null.low) and math.isfinite(null.high)):
        return math.inf
    return max(1.0, null.high, 1.0 / null.low)


def widened(effect: stats.Interval, null: Optional[stats.Interval]) -> stats.Interval:
    """The effect's interval stretched by the null's far end on both sides (a ratio's offset)."""
    f = null_factor(null)
    if f == 1.0:
        return effect
    if math.isinf(f):
        return stats.Interval(effect.median, -math.inf, math.inf, effect.n, effect.confidence)
    low = effect.low / f if effect.low > 0 else effect.low * f
    return stats.Interval(effect.median, low, effect.high * f, effect.n, effect.confidence)


@dataclass(frozen=True)
class Decision:
    """One judged effect: what decided it, as numbers."""

    effect: stats.Interval
    threshold: float
    direction: str
    null: Optional[stats.Interval]
    outcome: str          # stats.INSIDE (the claim's side), OUTSIDE, STRADDLES
    inside_null: bool     # the threshold alone would have decided; the run's own null did not let it
    gate: str = ""        # why nothing could be decided whatever the effect (the machine cannot show it now)

    def __str__(self) -> str:
        return self.outcome

    @property
    def reason(self) -> str:
        """Why an undecided case is undecided, in words; "" for a decided one."""
        if self.gate:
            return self.gate
        if self.inside_null:
            return ("inside this run's own null: two identical ways differed by up to "
                    f"{stats.fmt(null_factor(self.null))}× "
                    f"(A/A {self.null}), as much as the effect's distance from its threshold")
        return ""

    def null_words(self) -> str:
        """"; A/A null 1.01 [0.98, 1.03]" for evidence; "" without a null."""
        return f"; A/A null (the baseline twice) {self.null}" if self.null is not None else ""

    def as_dict(self) -> dict:
        def iv(i: Optional[stats.Interval]):
            return None if i is None else [i.median, i.low, i.high]
        return {"effect": iv(self.effect), "threshold": self.threshold, "direction": self.direction,
                "null": iv(self.null), "outcome": self.outcome, "inside_null": self.inside_null,
                "gate": self.gate, "confidence": self.effect.confidence}

    def gated(self, outcome: str, why: str) -> "Decision":
        """The same numbers, with ``outcome`` set by a gate (nothing is decided: ``why``)."""
        return replace(self, outcome=outcome, gate=why, inside_null=False)

    def verdict(self) -> str:
        """holds, refuted or inconclusive: a gated decision is inconclusive even where settled."""
        return INCONCLUSIVE if self.gate else from_decision(self.outcome)


def decide(effect: stats.Interval, threshold: float, direction: str = ABOVE,
           null: Optional[stats.Interval] = None) -> Decision:
    """The effect against ``threshold`` (the claim holds ``direction`` it) and beyond the null."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction is one of {DIRECTIONS}, not {direction!r}")
    side = stats.above if direction == ABOVE else stats.below
    raw = side(effect, threshold)
    outcome = side(widened(effect, null), threshold) if null is not None else raw
    return Decision(effect, float(threshold), direction, null, outcome,
                    inside_null=raw != stats.STRADDLES and outcome == stats.STRADDLES)


def nearest(parts: Sequence[Decision]) -> Decision:
    """The part whose effect lies nearest its threshold (of a band that holds, the nearer end)."""
    return min(parts, key=lambda d: abs(d.effect.median - d.threshold))


def shown(parts: Sequence[Decision], outcome=None,
          held: Callable[[Sequence[Decision]], Decision] = lambda parts: parts[0]) -> Decision:
    """The part whose numbers a case decided in parts stores and shows, given the case's outcome
    (default: every part must hold, ``stats.all_of``): the first part that refuted it; where it is undecided, the first
    part that sits inside its own null (that is the reason), else the first still undecided; where it
    holds, ``held(parts)`` (default the first part; ``nearest`` for a band's two ends)."""
    outcome = stats.all_of([p.outcome for p in parts]) if outcome is None else outcome_of(outcome)
    if outcome == stats.OUTSIDE:
        return next((p for p in parts if p.outcome == stats.OUTSIDE), parts[0])
    if outcome == stats.STRADDLES:
        return next((p for p in parts if p.inside_null),
                    next((p for p in parts if p.outcome == stats.STRADDLES), parts[0]))
    return held(parts)


def outcome_of(decision) -> str:
    """A decision's outcome, whether it is a ``Decision`` or already an outcome string."""
    return decision.outcome if isinstance(decision, Decision) else decision
