"""A counting thread's pace beside a neighbour, gated by the yardstick of a shared GIL: the decision that
sleep-releases-gil (section D) and gil-released-on-io-wait (section E) share; each family names its threshold."""
from __future__ import annotations

from typing import Optional

from ..core import stats
from ..core.decision import ABOVE, decide, Decision


def yardstick_gate(yardstick: stats.Interval, threshold: float, seen: str) -> str:
    """Why nothing is decided when a CPU-bound neighbour (the yardstick of a shared GIL) did not slow the
    counter below ``threshold``: the run cannot see a shared GIL, so a pace above it means nothing."""
    if seen == stats.OUTSIDE:
        return ("not testable now: beside a CPU-bound thread (the yardstick of a shared GIL) the counter kept "
                f"{yardstick} of its pace, above {threshold}: this run cannot see a shared GIL")
    return (f"beside a CPU-bound thread (the yardstick of a shared GIL) the counter kept {yardstick} of its pace: "
            f"not settled below {threshold} within the round budget, so nothing is decided")


def pace_decision(pace: stats.Interval, yardstick: stats.Interval, threshold: float,
                  null: Optional[stats.Interval] = None) -> Decision:
    """The pace above ``threshold`` beyond the A/A null (the counter alone, twice); gated (inconclusive:
    settled where the yardstick is clearly above, measured on while it straddles) until the yardstick
    lies below the threshold (its own interval, as cpu-bound-favours-processes gates on its capacity:
    a gate asks whether the machine can show the effect now, it decides nothing of the claim)."""
    d = decide(pace, threshold, ABOVE, null)
    seen = stats.below(yardstick, threshold)
    if seen != stats.INSIDE:
        return d.gated(seen, yardstick_gate(yardstick, threshold, seen))
    return d
