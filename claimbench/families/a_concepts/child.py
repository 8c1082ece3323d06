"""What section A's experiments run: module state that a worker changes (processes-memory-isolated,
threads-share-memory, and the same in a sub-interpreter), who a worker is (process-own-pid), and
what the machine's CPUs are (cpu-count-is-cores).

Each function is the body of a child process, thread or sub-interpreter (importable by name, so
spawn and forkserver children find it), or a small pure helper that turns what a child saw into
words. Standard library and psutil only, Python 3.8+.
"""
from __future__ import annotations

import os
import queue
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from ...core import verdicts
from ...core.workloads import CHILD_WAIT_S

if TYPE_CHECKING:
    from pathlib import Path
    from ...core.runtime import CpuTopology


# ---------------------------------------------------------------- memory
# Module state a worker mutates: a global int, a list and a dict.
COUNTER = 0
ITEMS: List[str] = []
TABLE: Dict[str, int] = {}


def set_shared_state(counter: int, items: Sequence[str], table: Dict[str, int]) -> None:
    global COUNTER, ITEMS, TABLE
    COUNTER, ITEMS, TABLE = counter, list(items), dict(table)


def shared_state() -> dict:
    """A copy of the module state, as plain data."""
    return {"counter": COUNTER, "items": list(ITEMS), "table": dict(TABLE)}


def mutate_shared_state(report) -> None:
    """Worker: change the int, the list and the dict in place, and report what it saw."""
    global COUNTER
    before = shared_state()
    COUNTER += 1
    ITEMS.append("worker")
    TABLE["worker"] = os.getpid()
    report.put({"pid": os.getpid(), "before": before, "after": shared_state()})


# ---------------------------------------------------------------- identity
def native_id() -> Optional[int]:
    get = getattr(threading, "get_native_id", None)
    return get() if get else None


def report_identity(barrier, report) -> None:
    """Worker: wait until every sibling is alive, then report who it is."""
    barrier.wait(CHILD_WAIT_S)
    parent = None
    try:
        import multiprocessing
        pp = multiprocessing.parent_process()
        parent = pp.pid if pp is not None else None
    except AttributeError:
        pass
    report.put({"pid": os.getpid(), "ppid": os.getppid(), "native_id": native_id(),
                "thread": threading.current_thread().name, "mp_parent": parent})
    barrier.wait(CHILD_WAIT_S)  # nobody exits before everybody has reported


# ---------------------------------------------------------------- CPUs
# (claimbench.core.runtime is imported where it is used: a spawned child that only crashes needn't load it)
def parse_cpu_list(text: str) -> List[int]:
    """``0-3,8,10-11`` (the kernel's CPU list format) → [0, 1, 2, 3, 8, 10, 11]."""
    from ...core.runtime import parse_cpu_list as parse
    return parse(text)


def online_cpus() -> Optional[int]:
    """CPUs the machine has online, read from the kernel, not from Python."""
    try:
        from ...core.runtime import SYSFS_CPU
        return len(parse_cpu_list((SYSFS_CPU / "online").read_text()))
    except (OSError, ValueError):
        return None


def cpu_report() -> dict:
    """What this process is told about CPUs, and what it may really use."""
    import multiprocessing
    from ...core.runtime import cgroup_cpu_quota, usable_cpus
    count = os.cpu_count() or 1
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    pcc = getattr(os, "process_cpu_count", None)
    quota = cgroup_cpu_quota()
    return {"cpu_count": os.cpu_count(), "mp_cpu_count": multiprocessing.cpu_count(),
            "online": online_cpus(), "affinity": affinity,
            "process_cpu_count": pcc() if pcc else None, "cgroup_quota": quota,
            "usable": usable_cpus(affinity, quota, count)}


def narrowed_cpu_report(cpu: int) -> None:
    """Sandbox body: pin this process to one CPU, then print its cpu_report as JSON."""
    import json
    os.sched_setaffinity(0, {cpu})
    print(json.dumps(cpu_report()), flush=True)


def psutil_physical_cores() -> Optional[int]:
    """psutil's count of physical cores: a second reader of the topology, None where it has none."""
    try:
        import psutil
        return psutil.cpu_count(logical=False)
    except (ImportError, OSError, NotImplementedError):
        return None


def plant_cpu_topology(root: Path, logical_cpus: int, threads_per_core: int) -> Path:
    """Plant a sysfs CPU tree (``<root>/online``, ``cpuN/topology/...``) of ``logical_cpus`` CPUs
    in which each core runs ``threads_per_core`` of them (the last core fewer, if they do not divide)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "online").write_text(f"0-{logical_cpus - 1}\n" if logical_cpus > 1 else "0\n")
    for cpu in range(logical_cpus):
        core = cpu // threads_per_core
        first = core * threads_per_core
        siblings = list(range(first, min(first + threads_per_core, logical_cpus)))
        listed = ",".join(str(c) for c in siblings) + "\n"
        topo = root / f"cpu{cpu}" / "topology"
        topo.mkdir(parents=True, exist_ok=True)
        for name, text in (("core_cpus_list", listed), ("thread_siblings_list", listed),
                           ("core_id", f"{core}\n"), ("physical_package_id", "0\n"), ("die_id", "0\n")):
            (topo / name).write_text(text)
    return root


def cores_verdict(cpu_count: int, topology: Optional[CpuTopology],
                  psutil_cores: Optional[int] = None) -> Tuple[str, str]:
    """Is ``cpu_count()`` the number of physical cores? (verdict, evidence)

    Holds when it equals the cores the topology groups the online CPUs into; refuted when it
    differs (more: it counts hardware threads). A second reader (psutil) that disagrees on the
    cores leaves it inconclusive.
    """
    if topology is None:
        return verdicts.INCONCLUSIVE, "the kernel lists no CPU topology here"
    what = (f"cpu_count() says {cpu_count}; the kernel lists {topology.logical_cpus} online CPUs on "
            f"{topology.physical_cores} physical cores, at most {topology.threads_per_core} hardware thread(s) "
            f"per core (grouped by {topology.grouped_by})")
    if psutil_cores is not None:
        what += f"; psutil.cpu_count(logical=False) says {psutil_cores}"
        if psutil_cores != topology.physical_cores:
            return verdicts.INCONCLUSIVE, what + ": the two readers of the topology disagree"
    if cpu_count == topology.physical_cores:
        return verdicts.HOLDS, what
    if cpu_count == topology.logical_cpus:
        return verdicts.REFUTED, what + ": it counts hardware threads, not cores"
    return verdicts.REFUTED, what + ": it counts neither the cores nor the online CPUs"


# ---------------------------------------------------------------- memory, in a sub-interpreter
def mutate_in(interp) -> dict:
    """``mutate_shared_state`` run inside ``interp`` (a sub-interpreter, or a plant that
    runs it elsewhere): what it saw before and after, and which interpreter it ran in."""
    return interp.call(mutate_shared_state_here)


def mutate_shared_state_here() -> dict:
    """Runs in the other interpreter: this module's state there, changed in place, as it was and is."""
    report = queue.Queue()
    mutate_shared_state(report)
    seen = report.get(timeout=1)
    seen["interpreter"] = interpreter_id()
    return seen


def interpreter_id() -> Optional[int]:
    """The id of the interpreter this runs in (0: the main one); None before 3.14."""
    try:
        from concurrent import interpreters
    except ImportError:
        return None
    return interpreters.get_current().id


def own_state_verdict(main_before: dict, seen: Optional[dict], main_after: dict) -> str:
    """Does the other interpreter keep its module state to itself? Refuted when the main
    interpreter's state changed; holds when it did not and the other one's did; inconclusive when
    nothing came back, or the other one changed nothing (the question was never put)."""
    if seen is None:
        return verdicts.INCONCLUSIVE
    if main_after != main_before:
        return verdicts.REFUTED
    if seen.get("after") == seen.get("before"):
        return verdicts.INCONCLUSIVE
    return verdicts.HOLDS


class ThreadAsInterpreter:
    """The memory control's plant: an "interpreter" whose ``call`` runs the function in a thread
    of this (the main) interpreter, so it changes this interpreter's own objects."""

    id = "thread of the main interpreter"

    def call(self, fn, *args):
        out = queue.Queue()
        t = threading.Thread(target=lambda: out.put(fn(*args)), daemon=True)
        t.start()
        t.join(CHILD_WAIT_S)
        return out.get(timeout=1)


@contextmanager
def thread_as_interpreter():
    yield ThreadAsInterpreter()


