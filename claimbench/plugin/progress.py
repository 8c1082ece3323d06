"""A line per judged case while a run goes on: which case, its verdict, its rounds and seconds,
how many of the session's cases are done, and about how long the rest will take, from the
durations the last comparable run stored (``duration_s`` of each case)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

from ..core import records


def previous_durations(results_dir: Path, session: str, scale: str) -> Dict[str, float]:
    """{nodeid: seconds} of the newest stored session of this name at this scale; {} where none.

    Reads that session's files only, newest run first (run ids begin with their start), until
    one is of this scale: a session's start-up does not parse every stored run."""
    for path in sorted(records.runs_dir(results_dir).glob("*/{}.json".format(session)), reverse=True):
        try:
            rec = records.load_record(path)
        except records.CorruptRecord:
            continue
        if (rec.scale or {}).get("name") == scale:
            return {v["nodeid"]: float(v["duration_s"]) for v in rec.verdicts
                    if v.get("nodeid") and isinstance(v.get("duration_s"), (int, float))}
    return {}


def fmt_left(seconds: float) -> str:
    if seconds >= 90:
        return "{:.0f} min".format(seconds / 60)
    return "{:.0f} s".format(seconds)


class Progress:
    """Counts the cases judged so far and words a line for each."""

    def __init__(self, previous: Optional[Dict[str, float]] = None):
        self.previous = dict(previous or {})
        self.done = set()

    def left_s(self) -> Optional[float]:
        """Seconds the cases not done yet took last time; None without a last time."""
        if not self.previous:
            return None
        return sum(s for nodeid, s in self.previous.items() if nodeid not in self.done)

    def line(self, nodeid: str, case: dict, seconds: float, total: int = 0) -> str:
        self.done.add(nodeid)
        where = "[{}/{}]".format(len(self.done), total) if total else "[{}]".format(len(self.done))
        name = case.get("claim", "?") + (" [{}]".format(case["case"]) if case.get("case") else "")
        rounds = ", {} rounds".format(case["rounds"]) if case.get("rounds") else ""
        left = self.left_s()
        tail = "" if left is None else "; about {} left (as long as last time)".format(fmt_left(left))
        return "claimbench {} {}: {}{}, {:.1f} s{}".format(where, name, case.get("verdict", "?"), rounds, seconds, tail)
