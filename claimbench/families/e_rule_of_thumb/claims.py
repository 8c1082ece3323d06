"""Section E of CLAIMS.md: CPU-bound → processes, I/O-bound → threads."""
from __future__ import annotations

from ...claims import Claim
from ...claims.expect import about_subinterpreters, needs_cpus, with_gil
from ...core.runtime import Runtime
from ...core.verdicts import Expectation, HOLDS, INCONCLUSIVE, MACHINE_DEPENDENT, PARTLY, REFUTED


# ---------------------------------------------------------------- cpu-bound-favours-processes
# Thresholds and decisions: decide.py beside this file.

# The related finding on sub-interpreters (3.14+: InterpreterPoolExecutor against a thread pool)
# and its control (about_subinterpreters: their case ids say "interpreter") are judged against the
# same threshold and the same parallel capacity as the claim, with sub-interpreters in the processes' place.
NO_SUBINTERPRETERS = "no sub-interpreters on this runtime (concurrent.interpreters and InterpreterPoolExecutor " \
                     "need Python 3.14+)"


def _subinterpreters(runtime: Runtime) -> Expectation:
    """Sub-interpreters against threads on CPU-bound work: a runtime without them cannot test it;
    where threads run Python code in parallel (no GIL) sub-interpreters have nothing to win."""
    if not runtime.has_subinterpreters:
        return Expectation(INCONCLUSIVE, NO_SUBINTERPRETERS, testable=False)
    untestable = needs_cpus(2, runtime)
    if untestable:
        return untestable
    if not runtime.gil_enabled:
        return Expectation(REFUTED, "no GIL on this runtime: threads run Python code in parallel too, as "
                                    "sub-interpreters do")
    return Expectation(HOLDS, "each sub-interpreter has a GIL of its own, so they run Python code in "
                              "parallel, where the threads take turns on one GIL")


def _cpu_bound(runtime: Runtime, case=None) -> Expectation:
    if about_subinterpreters(case):
        return _subinterpreters(runtime)
    untestable = needs_cpus(2, runtime)
    if untestable:
        return untestable
    if not runtime.gil_enabled:
        return Expectation(REFUTED, "no GIL on this runtime: threads run Python code in parallel too")
    return Expectation(HOLDS, "the GIL lets one thread run Python code at a time")


# ---------------------------------------------------------------- io-bound-favours-threads
def _io_bound(runtime: Runtime, case=None) -> Expectation:
    if case is None:
        return Expectation(PARTLY, "holds for network waits; cached file I/O is not waiting at all")
    if case.startswith("file-cached"):
        return Expectation(REFUTED, "cached file operations are memory copies, not waits")
    if case == "file-fsync":
        return Expectation(MACHINE_DEPENDENT, "fsync waits for the disk, and how far a disk overlaps concurrent "
                                              "flushes (one journal commit at a time, or a deep queue) the suite "
                                              "cannot know in advance: the evidence gives the overlap measured")
    return Expectation(HOLDS)


CLAIMS = (
    Claim(
        id="cpu-bound-favours-processes",
        section="E",
        quote="CPU密集型使用多进程",
        statement="Fixed CPU-bound work split over k workers finishes sooner on k processes than on k threads.",
        expect=_cpu_bound,
        note="Related finding (Python 3.14+): k sub-interpreters (InterpreterPoolExecutor, each interpreter "
             "with a GIL of its own) against k threads, judged as processes are: expected to finish more "
             "than halfway to the machine's parallel capacity sooner with the GIL, and not on a free-threaded build, where threads run in "
             "parallel too. Untestable where the runtime has no sub-interpreters.",
    ),
    Claim(
        id="io-bound-favours-threads",
        section="E",
        quote="IO密集型使用多线程（文件操作、爬虫）",
        statement="Work that waits is sped up by threads at least halfway to as much as the waits allow, "
                  "and processes spend at least a quarter more CPU time on it than threads do.",
        expect=_io_bound,
    ),
    Claim(
        id="gil-released-on-io-wait",
        section="E",
        quote="Python遇到等待会释放GIL",
        statement="A thread blocked in a wait (sleep, socket recv, select, pipe read) lets another thread run "
                  "Python code at more than ¾ of its pace alone: closer to its full pace than to the half it "
                  "keeps beside a thread that shares the GIL.",
        expect=with_gil(HOLDS, "a blocking call releases the GIL before it waits in the kernel"),
    ),
)
