"""Section B of CLAIMS.md: what a crash takes down with it."""
from __future__ import annotations

from ...claims import Claim
from ...core.runtime import Runtime
from ...core.verdicts import Expectation, HOLDS, INCONCLUSIVE

# The neighbours of thread-crash-kills-process, each with its own sentence and expectation.
THREAD_CRASH_RELATED = {
    "exception": "an uncaught Python exception ends only its thread: threading.excepthook fires, "
                 "the process goes on",
    "os-exit": "os._exit() in any thread ends the whole process with the status it asked for: an exit, not a crash",
}


def _posix(verdict: str, reason: str = "", related=None):
    """Crashes by signal (SIGSEGV, SIGABRT, SIGKILL) are tested on POSIX systems only."""
    def expect(runtime: Runtime, case=None) -> Expectation:
        if runtime.platform.startswith("Windows"):
            return Expectation(INCONCLUSIVE, "deaths by signal are POSIX behaviour", testable=False)
        return Expectation(verdict, (related or {}).get(case or "", reason))
    return expect


CLAIMS = (
    Claim(
        id="process-crash-isolated",
        section="B",
        quote="一个子进程崩溃不会影响到其他子进程",
        statement="A child process that dies (uncaught exception, os._exit, segmentation fault, abort, "
                  "SIGKILL) leaves its sibling and its parent running, whatever the start method; its exit "
                  "code tells how it died.",
        expect=_posix(HOLDS, "a process's death releases only its own address space"),
    ),
    Claim(
        id="thread-crash-kills-process",
        section="B",
        quote="任何一个线程崩溃都可能造成整个进程的崩溃",
        statement="A crash of one thread can take its whole process down: a real fault (a segmentation "
                  "fault, an abort) in any thread ends the process.",
        expect=_posix(HOLDS, "a fault signal (SIGSEGV, SIGABRT) is delivered to the whole process, and its "
                             "default action ends every thread", related=THREAD_CRASH_RELATED),
        note="The notes say 可能 (may): one fault that ends the process makes the sentence true. An uncaught "
             "Python exception is not such a crash: it ends only its thread (a related finding).",
    ),
)
