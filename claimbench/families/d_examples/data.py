"""The typed data of section D that its experiment stores with a case and its report part reads.

A case's ``data`` is JSON in the stored run; these classes are its shape, written by the
experiment (``as_data``) and read back by the report (``from_data``: None for a case that
carries other data, or was stored before this shape). Standard library only, Python 3.8+.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import List, Optional


@dataclass(frozen=True)
class StairPoint:
    """n tasks of T on Pool(k): the ideal ceil(n/k)·T and the measured median with its interval."""
    n: int
    ideal_s: float
    median_s: float
    low_s: float
    high_s: float


@dataclass(frozen=True)
class Staircase:
    """pool-capacity-limits-throughput, one Pool(k): the points of its staircase."""
    k: int
    unit_s: float
    points: List[StairPoint]

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data) -> Optional["Staircase"]:
        if not isinstance(data, dict) or not data.get("points") or "k" not in data:
            return None
        try:
            points = [StairPoint(**{f: p[f] for f in ("n", "ideal_s", "median_s", "low_s", "high_s")})
                      for p in data["points"]]
            return cls(k=int(data["k"]), unit_s=float(data["unit_s"]), points=sorted(points, key=lambda p: p.n))
        except (KeyError, TypeError, ValueError):
            return None
