"""Scales: the time unit T and how many rounds a claim may spend on a verdict.

Every effect and threshold in the experiments is relative to T, so a verdict
must not change between scales; only the noise does, and the round budget
absorbs it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    name: str
    unit_s: float      # T: the length of one task of the notes (2 s in the notes)
    min_rounds: int    # the first look; 6 is the least that gives a 95% distribution-free interval
    max_rounds: int    # per-claim budget when the interval straddles the threshold
    batch_rounds: int  # rounds added each time the interval still straddles
    # More looks need a stricter level per look (claimbench/core/stopping.py), and a stricter level
    # more samples for a finite interval: until_settled moves the first look to those when
    # min_rounds has fewer. tests/test_stopping.py checks every scale and budget in use.
    timeout_factor: float = 1.0  # experiments' time limits are set for T ≤ 25 ms; stretched at larger T


    def with_budget(self, factor: int) -> "Scale":
        """The same T with ``factor`` times the round budget, for a claim whose noise is absolute."""
        return replace(self, max_rounds=self.max_rounds * factor)


SCALES = {
    # Quick: looks at 6, 10, 14, 18 rounds would need 96.9 % each, which 6 samples cannot give;
    # looks at 7, 11, 15, 18 need 96.5 %, which 7 can.
    "quick": Scale("quick", unit_s=0.01, min_rounds=7, max_rounds=18, batch_rounds=4),
    "default": Scale("default", unit_s=0.025, min_rounds=7, max_rounds=24, batch_rounds=4),
    "seed": Scale("seed", unit_s=2.0, min_rounds=6, max_rounds=10, batch_rounds=2, timeout_factor=10.0),
}
DEFAULT_SCALE = "default"


class UnknownScale(ValueError):
    pass


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise UnknownScale(f"unknown scale {name!r}: choose one of {', '.join(SCALES)}") from None
