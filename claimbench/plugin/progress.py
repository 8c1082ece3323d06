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
    for path in sorted(records.runs_dir(results_dir).glob(f"*/{session}.json"), reverse=True):
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
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


class Progress:
    """Counts the cases judged so far and words a line for each."""

    def __init__(self, previous: Optional[Dict[str, float]] = None):
        self.previous = dict(previous or {})
        self.done = set()

    def select(self, nodeids) -> None:
        """Only the selected cases count towards the time left (``-k`` selects a few of many)."""
        chosen = set(nodeids)
        self.previous = {n: s for n, s in self.previous.items() if n in chosen}

    def left_s(self) -> Optional[float]:
        """Seconds the cases not done yet took last time; None without a last time."""
        if not self.previous:
            return None
        return sum(s for nodeid, s in self.previous.items() if nodeid not in self.done)

    def line(self, nodeid: str, case: dict, seconds: float, total: int = 0) -> str:
        self.done.add(nodeid)
        where = f"[{len(self.done)}/{total}]" if total else f"[{len(self.done)}]"
        name = case.get("claim", "?") + (f" [{case['case']}]" if case.get("case") else "")
        rounds = f", {case['rounds']} rounds" if case.get("rounds") else ""
        left = self.left_s()
        tail = "" if left is None else f"; about {fmt_left(left)} left (as long as last time)"
        return f"claimbench {where} {name}: {case.get('verdict', '?')}{rounds}, {seconds:.1f} s{tail}"


def still_running(nodeid: str, seconds: float) -> str:
    """The line said every ~10 s while one case runs (minutes at --scale seed)."""
    return f"claimbench: {nodeid} still running ({seconds:.0f} s)"


class Heartbeat:
    """Says ``still_running`` every ``every_s`` seconds from a daemon thread until stopped; a wait, not
    a spinner: the thread sleeps between lines, so it does not disturb what the case times."""

    def __init__(self, say, nodeid: str, every_s: float = 10.0):
        import threading
        self.say, self.nodeid, self.every_s = say, nodeid, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="claimbench-heartbeat", daemon=True)

    def _run(self) -> None:
        import time
        t0 = time.monotonic()
        while not self._stop.wait(self.every_s):
            self.say(still_running(self.nodeid, time.monotonic() - t0))

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5.0)


def busy_line(usable_cpus: int, load_1min: float, others) -> str:
    """Before a timing run, one line where the machine is busy: what, and what it means; "" if quiet.

    ``others``: (name, pid, CPU %) of other processes using CPU now, busiest first."""
    busy = [o for o in others if o[2] >= 20.0]
    if load_1min < 0.5 * usable_cpus and not busy:
        return ""
    what = ", ".join(f"{n} (pid {pid}, {pct:.0f} % CPU)" for n, pid, pct in busy[:3]) or "no one process"
    return (f"claimbench: the machine is busy before this timing run (load {load_1min:.2f} on {usable_cpus} usable "
            f"CPUs; {what}): verdicts that need free CPUs will more often come out inconclusive (the capacity gate "
            "and the run's own null see the noise), not decided the other way")


def other_busy_processes(sample_s: float = 0.3):
    """(name, pid, CPU %) of the other processes using CPU over a short sample, busiest first."""
    import os
    import time
    try:
        import psutil
    except ImportError:
        return []
    mine = {os.getpid()}
    try:
        mine |= {c.pid for c in psutil.Process().children(recursive=True)}
    except psutil.Error:
        pass
    procs = []
    for p in psutil.process_iter(["name"]):
        if p.pid in mine:
            continue
        try:
            p.cpu_percent(None)
            procs.append(p)
        except psutil.Error:
            pass
    time.sleep(sample_s)
    out = []
    for p in procs:
        try:
            pct = p.cpu_percent(None)
        except psutil.Error:
            continue
        if pct > 0:
            out.append((p.info.get("name") or "?", p.pid, pct))
    return sorted(out, key=lambda o: -o[2])
