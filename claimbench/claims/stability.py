"""Section B of CLAIMS.md: what a crash takes down with it."""
from __future__ import annotations

from . import Claim
from ..runtime import Runtime
from ..verdicts import HOLDS, INCONCLUSIVE, PARTLY, Expectation


def _posix(verdict: str, reason: str = ""):
    """Crashes by signal (SIGSEGV, SIGABRT, SIGKILL) are tested on POSIX systems only."""
    def expect(runtime: Runtime, case=None) -> Expectation:
        if runtime.platform.startswith("Windows"):
            return Expectation(INCONCLUSIVE, "deaths by signal are POSIX behaviour", testable=False)
        return Expectation(verdict, reason)
    return expect


CLAIMS = (
    Claim(
        id="process-crash-isolated",
        section="B",
        quote="一个子进程崩溃不会影响到其他子进程",
        statement="A child process that dies (uncaught exception, os._exit, segmentation fault, abort, "
                  "SIGKILL) leaves its sibling and its parent running; its exit code tells how it died.",
        expect=_posix(HOLDS, "a process's death releases only its own address space"),
    ),
    Claim(
        id="thread-crash-kills-process",
        section="B",
        quote="任何一个线程崩溃都可能造成整个进程的崩溃",
        statement="A crashing thread takes its whole process down.",
        expect=_posix(PARTLY, "a hard fault (SIGSEGV) or os._exit ends the whole process; an uncaught "
                              "Python exception ends only its thread"),
    ),
)
