"""Section E of CLAIMS.md: CPU-bound → processes, I/O-bound → threads."""
from __future__ import annotations

from typing import List

from ...claims import Claim
from ...claims.expect import needs_cpus, with_gil
from ...core import stats
from ...core.stats import all_of
from ...core.runtime import Runtime
from ...core.verdicts import Expectation, from_decision, HOLDS, INCONCLUSIVE, MACHINE_DEPENDENT, PARTLY, REFUTED


# ---------------------------------------------------------------- cpu-bound-favours-processes
# Processes must beat threads by 10 % to count as favoured; where threads run in
# parallel (no GIL) the two tie or threads win, well below that.
FAVOURS_PROCESSES = 1.10
# The machine must show parallel capacity (real processes beat one process by the same 10 %)
# for either answer to mean anything: the CPUs may be usable yet busy with another program.
PARALLEL_CAPACITY = FAVOURS_PROCESSES


# The related finding on sub-interpreters (3.14+: InterpreterPoolExecutor against a thread pool)
# and its control: their case ids begin with these. They are judged against the same threshold and
# the same parallel capacity as the claim, with sub-interpreters in the processes' place.
SUBINTERPRETER_CASES = ("subinterpreters-", "control-thread-pool-as-interpreters")
NO_SUBINTERPRETERS = "no sub-interpreters on this runtime (concurrent.interpreters and InterpreterPoolExecutor " \
                     "need Python 3.14+)"


def about_subinterpreters(case) -> bool:
    return any((case or "").startswith(c) for c in SUBINTERPRETER_CASES)


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


def cpu_bound_decision(threads_over_processes: stats.Interval, sequential_over_processes: stats.Interval) -> str:
    """Threads' time over processes' above FAVOURS_PROCESSES, once real processes have shown that the
    machine runs work in parallel now (sequential over processes above PARALLEL_CAPACITY).

    Without that capacity the decision is settled too (OUTSIDE), and cpu_bound_verdict makes it
    inconclusive: processes that cannot run in parallel say nothing about the rule.
    """
    capacity = stats.above(sequential_over_processes, PARALLEL_CAPACITY)
    if capacity != stats.INSIDE:
        return capacity
    return stats.above(threads_over_processes, FAVOURS_PROCESSES)


def cpu_bound_verdict(threads_over_processes: stats.Interval, sequential_over_processes: stats.Interval) -> str:
    if stats.above(sequential_over_processes, PARALLEL_CAPACITY) != stats.INSIDE:
        return INCONCLUSIVE
    return from_decision(cpu_bound_decision(threads_over_processes, sequential_over_processes))


# ---------------------------------------------------------------- io-bound-favours-threads
# Threads must get at least halfway to the ideal k-fold speed-up on waits: halfway between
# waits that do not overlap at all (speed-up / k = 1/k, near 0) and waits that all overlap (1).
IDEAL_FRACTION = 0.5
# "More efficient": processes must spend at least a quarter more CPU time on the same work than
# threads, wherever it ran (this process and the pool's workers). A tie (1) is not "more
# efficient"; a quarter is the margin the suite's other efficiency claims ask (threads-efficient).
THREADS_CHEAPER = 1.25


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


def io_bound_parts(overlap: stats.Interval, cost: stats.Interval) -> List[str]:
    """[threads' speed-up / k above IDEAL_FRACTION, processes' CPU / threads' CPU above THREADS_CHEAPER]."""
    return [stats.above(overlap, IDEAL_FRACTION), stats.above(cost, THREADS_CHEAPER)]


def io_bound_decision(overlap: stats.Interval, cost: stats.Interval) -> str:
    """Both parts must hold; one that is refuted settles the case."""
    return all_of(io_bound_parts(overlap, cost))


def io_bound_shortfall(overlap: stats.Interval, cost: stats.Interval) -> str:
    """What refuted the case, in words; empty unless a part is refuted."""
    too_little, no_cheaper = (d == stats.OUTSIDE for d in io_bound_parts(overlap, cost))
    return "; ".join(
        ([f"threads overlap too little of it ({stats.fmt(overlap.median)} of the ideal, needed > {IDEAL_FRACTION})"]
         if too_little else []) +
        ([f"threads are not cheaper (processes spend {stats.fmt(cost.median)}× their CPU, needed > "
          f"{THREADS_CHEAPER}×)"] if no_cheaper else []))


CLAIMS = (
    Claim(
        id="cpu-bound-favours-processes",
        section="E",
        quote="CPU密集型使用多进程",
        statement="Fixed CPU-bound work split over k workers finishes sooner on k processes than on k threads.",
        expect=_cpu_bound,
        note="Related finding (Python 3.14+): k sub-interpreters (InterpreterPoolExecutor, each interpreter "
             "with a GIL of its own) against k threads, judged as processes are: expected to finish more "
             "than 10 % sooner with the GIL, and not on a free-threaded build, where threads run in "
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
