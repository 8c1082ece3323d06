"""Child processes: find the ones an experiment left behind, and kill them."""
from __future__ import annotations

import os
import time
from typing import List

import psutil

# Long-lived helpers that multiprocessing itself starts once per interpreter and
# stops at exit; they are not leaks of an experiment.
STDLIB_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


def _is_helper(proc: psutil.Process) -> bool:
    try:
        cmdline = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return True
    return any(h in cmdline for h in STDLIB_HELPERS)


def living_children(pid: int = 0) -> List[psutil.Process]:
    """Descendants of ``pid`` (default: this process) that are alive and not stdlib helpers."""
    try:
        me = psutil.Process(pid or os.getpid())
        kids = me.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    alive = []
    for k in kids:
        try:
            if k.status() != psutil.STATUS_ZOMBIE and not _is_helper(k):
                alive.append(k)
        except psutil.NoSuchProcess:
            pass
    return alive


def describe(procs) -> str:
    parts = []
    for p in procs:
        try:
            parts.append(f"{p.pid} ({' '.join(p.cmdline())[:80]})")
        except psutil.Error:
            parts.append(str(p.pid))
    return ", ".join(parts)


def reap_strays(grace_s: float = 1.0, pid: int = 0) -> List[str]:
    """Wait ``grace_s`` for stray children to end, then kill them. Returns what was killed."""
    deadline = time.monotonic() + grace_s
    strays = living_children(pid)
    while strays and time.monotonic() < deadline:
        time.sleep(0.05)
        strays = living_children(pid)
    killed = describe(strays).split(", ") if strays else []
    stop(strays)
    return killed


def stop(procs, grace_s: float = 0.0) -> None:
    """SIGTERM and ``grace_s`` to exit cleanly (if grace_s > 0), then SIGKILL for the rest."""
    alive = list(procs)
    if grace_s > 0:
        for p in alive:
            try:
                p.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(alive, timeout=grace_s)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)
