"""Stray processes at the scale of a session and of a run.

The per-test fixture (``no_stray_children`` in conftest.py) kills whatever a test
leaves among this process's descendants. Two kinds of stray get past it: a
grandchild whose parent has exited (it is re-parented to init, so it is no longer
our descendant) and a process started outside any test. Here:

- ``become_subreaper()`` (Linux) makes the pytest process the "subreaper" of its
  descendants: an orphaned grandchild is re-parented to it instead of to init, so
  it stays a descendant and the per-test reaper finds it;
- ``ChildLedger`` remembers every child process seen at the end of a test (its
  pid *and* start time, so a reused pid is not taken for it) and, at the end of
  the session, kills the ones still alive and any descendant still alive;
- ``SessionGuard`` is its pytest wiring: an xdist worker hands what it found to
  the controller, which fails the run (exit status 1) and names each process;
- ``kill_session(sid)`` is the run-level sweep: ``cli.run_session`` starts each
  pytest session as its own Unix session, so once pytest has exited (or was
  interrupted) anything still in that session is left over, wherever it was
  re-parented to.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, Iterator, List, Set, Tuple

import psutil
import pytest

from . import children

OUTSIDE_TESTS = "(outside any test)"
WORKER_KEY = "claimbench_strays"  # the key in an xdist worker's workeroutput


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def become_subreaper() -> bool:
    """Orphaned descendants are re-parented to this process, not to init. False where unsupported.

    Not inherited by forked children, so experiments' children behave as usual; an
    orphan that ends on its own stays a zombie child of this process until it exits.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


@dataclass(frozen=True)
class Sighting:
    """A child process seen alive, and the test that was running when it was seen."""

    pid: int
    create_time: float
    cmdline: str
    nodeid: str

    def describe(self) -> str:
        where = ("started outside any test" if self.nodeid == OUTSIDE_TESTS
                 else "alive at the end of " + self.nodeid)
        return f"pid {self.pid} ({self.cmdline[:80] or '?'}), {where}"


def _sighting(proc: psutil.Process, nodeid: str) -> Tuple[Tuple[int, float], Sighting]:
    with proc.oneshot():
        created = proc.create_time()
        cmdline = " ".join(proc.cmdline())
    return (proc.pid, created), Sighting(proc.pid, created, cmdline, nodeid)


def _alive_as_seen(s: Sighting) -> psutil.Process:
    """The process of a sighting if it is still running; None if it ended or its pid was reused."""
    try:
        proc = psutil.Process(s.pid)
        if proc.create_time() != s.create_time or proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except psutil.Error:
        return None


class ChildLedger:
    """Every child process seen at the end of a test; at the end, the ones that outlived the session."""

    def __init__(self, pid: int = 0):
        self.pid = pid  # whose children (default: this process)
        self.seen: Dict[Tuple[int, float], Sighting] = {}

    def note(self, nodeid: str) -> None:
        for proc in children.living_children(self.pid):
            try:
                key, sighting = _sighting(proc, nodeid)
            except psutil.Error:
                continue
            self.seen.setdefault(key, sighting)

    def survivors(self) -> List[Tuple[psutil.Process, Sighting]]:
        """Noted processes still alive, then descendants alive now that were never noted."""
        out = []
        for s in self.seen.values():
            proc = _alive_as_seen(s)
            if proc is not None:
                out.append((proc, s))
        for proc in children.living_children(self.pid):
            try:
                key, s = _sighting(proc, OUTSIDE_TESTS)
            except psutil.Error:
                continue
            if key not in self.seen:
                out.append((proc, s))
        return out

    def finish(self, grace_s: float = 1.0) -> List[str]:
        """Wait ``grace_s`` for survivors to end, kill the rest; what was killed, one line each."""
        survivors = self.survivors()
        if survivors:
            _, alive = psutil.wait_procs([p for p, _ in survivors], timeout=grace_s)
            still = {p.pid for p in alive}
            survivors = [(p, s) for p, s in survivors if p.pid in still]
        for proc, _ in survivors:
            try:
                proc.kill()
            except psutil.Error:
                pass
        psutil.wait_procs([p for p, _ in survivors], timeout=5)
        return [s.describe() for _, s in survivors]


class SessionGuard:
    """pytest plugin: the ledger of one session, on each xdist worker and on the controller."""

    def __init__(self, config):
        self.config = config
        self.ledger = ChildLedger()
        self.strays: List[str] = []
        self.subreaper = become_subreaper()

    # First among the teardown hooks: the runner's own impl finalises the fixtures,
    # and the test's children must be noted before the fixtures reap them.
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item, nextitem):
        self.ledger.note(item.nodeid)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        """xdist controller: what a worker found."""
        self.strays.extend(getattr(node, "workeroutput", {}).get(WORKER_KEY, []))

    # Last: after the runner has torn down session fixtures and xdist has stopped its workers.
    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        self.strays.extend(self.ledger.finish())
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller reports and fails the run
            workeroutput[WORKER_KEY] = list(self.strays)
            return
        if self.strays and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if not self.strays:
            return
        terminalreporter.section("claimbench: processes that outlived the session (killed)", red=True)
        for line in self.strays:
            terminalreporter.write_line(line)
        terminalreporter.write_line("the run fails: every experiment must stop the processes it starts")


# ---------------------------------------------------------------- the run-level sweep
def session_members(sid: int) -> List[psutil.Process]:
    """Processes alive in Unix session ``sid`` (never this process or its ancestors)."""
    mine = {os.getpid()}
    try:
        mine.update(p.pid for p in psutil.Process().parents())
    except psutil.Error:
        pass
    out = []
    for pid in psutil.pids():
        if pid in mine:
            continue
        try:
            if os.getsid(pid) != sid:
                continue
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc)
        except (OSError, psutil.Error):
            continue
    return out


def sessions_of_tree(pid: int) -> Set[int]:
    """The Unix sessions of ``pid``'s living descendants (a verify run starts one per pytest session)."""
    out: Set[int] = set()
    try:
        tree = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return out
    for p in tree:
        try:
            out.add(os.getsid(p.pid))
        except OSError:
            pass
    out.discard(os.getsid(0))
    return out


@contextmanager
def signals_deferred(*signums: int) -> Iterator[None]:
    """Hold back SIGINT/SIGTERM while a clean-up runs, so a second Ctrl-C cannot cut it short."""
    signums = signums or (signal.SIGINT, signal.SIGTERM)
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signums)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def kill_session(sid: int, grace_s: float = 2.0) -> List[str]:
    """Kill what is left in Unix session ``sid`` (a pytest session started with start_new_session).

    The session leader is gone by now, so whatever remains was left behind. SIGTERM
    first, then SIGKILL after ``grace_s``. Returns one line per process.
    """
    if sid <= 1 or sid == os.getsid(0):
        raise ValueError(f"refusing to sweep session {sid}: it is not a session this process started")
    with signals_deferred():
        left = session_members(sid)
        lines = [children.describe([p]) for p in left]
        children.stop(left, grace_s)
    return lines
