"""The typed data of section C that its experiments store with a case and its report parts read.

A case's ``data`` is JSON in the stored run; these classes are its shape, written by the
experiments (``as_data``) and read back by the report (``from_data``: None for a case that
carries other data, or was stored before this shape). An experiment may store more keys beside
them (a start method, a style, the verdict's own medians): the report does not read those, and
``from_data`` leaves them out. Standard library only, Python 3.8+.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, List, Optional


def _seconds(stored) -> Dict[str, float]:
    """{name: seconds} as stored; TypeError for another shape."""
    if not isinstance(stored, dict):
        raise TypeError("not a dict of seconds")
    return {str(name): float(s) for name, s in stored.items()}


def _intervals(stored) -> Dict[str, List[float]]:
    """{name: [low, high]} as stored; a name stored with no interval is left out (so is a case's missing
    ``interval_s``): the report then draws that name without error bars."""
    if stored is None:
        return {}
    if not isinstance(stored, dict):
        raise TypeError("not a dict of intervals")
    return {str(name): [float(x) for x in i] for name, i in stored.items() if i}


@dataclass(frozen=True)
class UnitCosts:
    """process-creation-expensive and coroutine-creation-negligible, one case: the seconds per unit
    created and run to its end (``thread``, ``task``, ``process-fork``, ``tasks-batch``, ``interpreter``, …),
    medians with their sequential 95% intervals ``[low, high]``."""
    per_unit_s: Dict[str, float]
    interval_s: Dict[str, List[float]]

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data) -> Optional["UnitCosts"]:
        if not isinstance(data, dict) or "per_unit_s" not in data:
            return None
        try:
            return cls(per_unit_s=_seconds(data["per_unit_s"]), interval_s=_intervals(data.get("interval_s")))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class RoundTrips:
    """coroutine-switch-cheaper, one case: the seconds of one round trip of a token between two coroutines
    and between two threads or two processes (``coroutines``, ``threads``, ``processes``), medians with their
    sequential 95% intervals ``[low, high]``."""
    round_trip_s: Dict[str, float]
    interval_s: Dict[str, List[float]]

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data) -> Optional["RoundTrips"]:
        if not isinstance(data, dict) or "round_trip_s" not in data:
            return None
        try:
            return cls(round_trip_s=_seconds(data["round_trip_s"]), interval_s=_intervals(data.get("interval_s")))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class PayloadRoundTrips:
    """threads-efficient, one payload: the seconds of a request carrying ``payload_bytes`` and its answer,
    to a worker thread and to a worker process (``thread``, ``process``), medians with their sequential 95%
    intervals ``[low, high]``."""
    payload_bytes: int
    round_trip_s: Dict[str, float]
    interval_s: Dict[str, List[float]]

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data) -> Optional["PayloadRoundTrips"]:
        if not isinstance(data, dict) or "payload_bytes" not in data or "round_trip_s" not in data:
            return None
        try:
            return cls(payload_bytes=int(data["payload_bytes"]), round_trip_s=_seconds(data["round_trip_s"]),
                       interval_s=_intervals(data.get("interval_s")))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class WaitPoint:
    """One rung of a way's ladder: N waits of T, their wall time (also over T), and the memory per wait
    where it was read (None where it was not: the key is then absent from the stored data)."""
    n: int
    wall_s: float
    wall_over_t: float
    bytes_per_unit: Optional[float] = None

    def as_data(self) -> dict:
        data = asdict(self)
        if self.bytes_per_unit is None:
            del data["bytes_per_unit"]
        return data

    @classmethod
    def from_data(cls, data) -> "WaitPoint":
        """The stored point; KeyError, TypeError or ValueError for another shape."""
        per_unit = data.get("bytes_per_unit")
        return cls(n=int(data["n"]), wall_s=float(data["wall_s"]), wall_over_t=float(data["wall_over_t"]),
                   bytes_per_unit=None if per_unit is None else float(per_unit))


@dataclass(frozen=True)
class WaitLadder:
    """coroutines-handle-more-tasks, one case: T, each way's ladder of N (its points, by N; none for the
    control) and why the way set against coroutines stops where it does ("" where nothing stops it early)."""
    unit_s: float
    ladder: Dict[str, List[WaitPoint]]
    stop: Dict[str, str]

    def as_data(self) -> dict:
        return {"unit_s": self.unit_s, "ladder": {way: [p.as_data() for p in pts] for way, pts in self.ladder.items()},
                "stop": dict(self.stop)}

    @classmethod
    def from_data(cls, data) -> Optional["WaitLadder"]:
        if not isinstance(data, dict) or "ladder" not in data or "unit_s" not in data:
            return None
        try:
            ladder = {str(way): sorted((WaitPoint.from_data(p) for p in pts), key=lambda p: p.n)
                      for way, pts in (data["ladder"] or {}).items()}
            stop = {str(way): why for way, why in (data.get("stop") or {}).items() if isinstance(why, str)}
            return cls(unit_s=float(data["unit_s"]), ladder=ladder, stop=stop)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
