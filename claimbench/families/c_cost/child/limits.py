"""How far the many-waits experiment may climb: each way's ladder of N, and how many more child
processes this machine allows (pure helpers, and the one reading the system)."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence


def ladder(caps: Dict[str, int], steps: Sequence[int]) -> Dict[str, List[int]]:
    """{way: the steps of N it runs}: each way climbs ``steps`` up to its cap."""
    return {way: [n for n in steps if n <= cap] for way, cap in caps.items()}


def process_limit(nproc_soft: Optional[int], running: int, pids_max: Optional[int],
                  nofile_soft: Optional[int], open_fds: int) -> Optional[int]:
    """How many more child processes this process may have at once, as the machine says.

    The user's process limit (RLIMIT_NPROC, counted over all their processes and
    threads), the cgroup's pids.max, and open files: multiprocessing keeps one
    sentinel descriptor per live child. None where none of them is limited.
    """
    limits = []
    if nproc_soft is not None and nproc_soft >= 0:
        limits.append(nproc_soft - running)
    if pids_max is not None:
        limits.append(pids_max - running)
    if nofile_soft is not None and nofile_soft >= 0:
        limits.append(nofile_soft - open_fds)
    return max(0, min(limits)) if limits else None


def machine_process_limit() -> Optional[int]:
    """``process_limit`` for this process, read from the system (Linux; None elsewhere)."""
    try:
        import resource
        nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, AttributeError, ValueError):
        return None
    inf = getattr(resource, "RLIM_INFINITY", -1)
    nproc = None if nproc == inf else nproc
    nofile = None if nofile == inf else nofile
    pids_max = None
    try:
        text = open("/sys/fs/cgroup/pids.max").read().strip()
        pids_max = None if text == "max" else int(text)
    except (OSError, ValueError):
        pass
    try:
        import psutil
        me = psutil.Process()
        running = sum(p.num_threads() for p in psutil.process_iter() if _same_user(p, me))
        open_fds = me.num_fds()
    except Exception:
        running, open_fds = 0, 0
    return process_limit(nproc, running, pids_max, nofile, open_fds)


def _same_user(p, me) -> bool:
    try:
        return p.uids().real == me.uids().real
    except Exception:
        return False
