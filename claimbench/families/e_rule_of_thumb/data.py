"""The typed data of section E that its experiments store with a case and its report parts read.

A case's ``data`` is JSON in the stored run; these classes are the part of it the report reads,
written by the experiments (``as_data``, beside keys of their own that other readers use) and read
back by the report (``from_data``: None for a case that carries other data). Fields that older runs
did not store are None, and ``as_data`` leaves them out, as those runs did. Standard library only,
Python 3.8+.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional


@dataclass(frozen=True)
class SpeedUp:
    """k workers on one kind of work (``work``: "cpu", "sleep", a real-I/O case, or a control's):
    each way's speed-up over sequential (sequential 1.0) and, where the run stored one, its interval
    [low, high] per way other than sequential; ``not_run``: the ways this runtime lacks, and why
    (None in runs stored before, whose evidence says it)."""
    k: int
    work: str
    speedup: Dict[str, float]
    speedup_ci: Optional[Dict[str, List[float]]] = None
    not_run: Optional[Dict[str, str]] = None

    def as_data(self) -> dict:
        out = {"k": self.k, "work": self.work, "speedup": dict(self.speedup)}
        if self.speedup_ci is not None:
            out["speedup_ci"] = {w: list(ci) for w, ci in self.speedup_ci.items()}
        if self.not_run:
            out["not_run"] = dict(self.not_run)
        return out

    @classmethod
    def from_data(cls, data) -> Optional["SpeedUp"]:
        fields = _speedup_fields(data)
        return None if fields is None else cls(**fields)


@dataclass(frozen=True)
class IoSpeedUp(SpeedUp):
    """io-bound-favours-threads, one case (sleeps or real I/O): the speed-ups, the share of the
    sequential run's wall time spent on the CPU, and the CPU time processes spend over the threads'
    [median, low, high] (None in runs stored before CPU time was measured)."""
    cpu_share: Optional[float] = None
    cpu_cost: Optional[List[float]] = None

    def as_data(self) -> dict:
        out = SpeedUp.as_data(self)
        if self.cpu_share is not None:
            out["cpu_share"] = self.cpu_share
        if self.cpu_cost is not None:
            out["cpu_cost"] = list(self.cpu_cost)
        return out

    @classmethod
    def from_data(cls, data) -> Optional["IoSpeedUp"]:
        fields = _speedup_fields(data)
        if fields is None:
            return None
        try:
            share, cost = data.get("cpu_share"), data.get("cpu_cost")
            return cls(cpu_share=None if share is None else float(share),
                       cpu_cost=None if cost is None else [float(x) for x in cost], **fields)
        except (TypeError, ValueError):
            return None


def _speedup_fields(data) -> Optional[dict]:
    """SpeedUp's fields from a stored dict, or None where it has not that shape."""
    if not isinstance(data, dict) or not isinstance(data.get("speedup"), dict) \
            or "k" not in data or "work" not in data:
        return None
    try:
        cis, not_run = data.get("speedup_ci"), data.get("not_run")
        return {"k": int(data["k"]), "work": str(data["work"]),
                "speedup": {str(w): float(v) for w, v in data["speedup"].items() if v is not None},
                "speedup_ci": {str(w): list(ci) for w, ci in cis.items()} if isinstance(cis, dict) else None,
                "not_run": {str(w): str(r) for w, r in not_run.items()} if isinstance(not_run, dict) else None}
    except (TypeError, ValueError):
        return None
