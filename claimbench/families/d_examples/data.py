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


@dataclass(frozen=True)
class NotesFigure:
    """One of the notes' printed examples, run again (``key``: which, as ``report.NOTES`` names them):
    this machine's median and, where the experiment times less than the notes' own timer spanned,
    ``notes_s`` (what that timer would have shown); the start method the case ran under."""
    key: str
    median_s: float
    notes_s: Optional[float] = None
    start_method: Optional[str] = None

    @property
    def shown_s(self) -> float:
        """The time to set beside the notes' figure."""
        return self.median_s if self.notes_s is None else self.notes_s

    def as_data(self) -> dict:
        """The keys an experiment stores with its case (beside keys of its own)."""
        out = {"notes_figure": self.key, "median_s": self.median_s}
        out.update({k: v for k, v in (("notes_s", self.notes_s), ("start_method", self.start_method))
                    if v is not None})
        return out

    @classmethod
    def from_data(cls, data) -> Optional["NotesFigure"]:
        if not isinstance(data, dict) or not isinstance(data.get("notes_figure"), str):
            return None
        try:
            notes_s = data.get("notes_s")
            return cls(key=data["notes_figure"], median_s=float(data["median_s"]),
                       notes_s=None if notes_s is None else float(notes_s), start_method=data.get("start_method"))
        except (KeyError, TypeError, ValueError):
            return None
