"""Section A of CLAIMS.md: what processes and threads are (memory, identity, CPUs)."""
from __future__ import annotations

from typing import Optional

from . import Claim
from ._expect import always
from ..runtime import Runtime
from ..verdicts import HOLDS, INCONCLUSIVE, PARTLY, Expectation

START_METHODS = ("fork", "forkserver", "spawn")


def start_method_missing(runtime: Runtime, case: Optional[str]) -> Optional[Expectation]:
    """The untestable Expectation for a ``processes-<method>`` case this runtime lacks, else None."""
    method = (case or "").replace("processes-", "", 1)
    if case and case.startswith("processes-") and method in START_METHODS \
            and method not in runtime.start_methods:
        return Expectation(INCONCLUSIVE, "start method {!r} is not offered here".format(method),
                           testable=False)
    return None


def per_start_method(verdict: str, reason: str = ""):
    def expect(runtime: Runtime, case=None) -> Expectation:
        return start_method_missing(runtime, case) or Expectation(verdict, reason)
    return expect


def _cpu_count(runtime: Runtime, case=None) -> Expectation:
    # The difference shows where the process is already limited, or where a child
    # can be pinned to fewer CPUs than the machine has.
    can_narrow = runtime.affinity_cpus is not None and runtime.cpu_count >= 2
    if can_narrow or runtime.usable_cpus < runtime.cpu_count:
        return Expectation(PARTLY, "cpu_count() counts the machine's CPUs, not the ones this process may use")
    return Expectation(INCONCLUSIVE, "one CPU and no affinity to narrow: cpu_count() and the usable "
                                     "CPUs cannot differ here", testable=False)


CLAIMS = (
    Claim(
        id="process-memory-isolated",
        section="A",
        quote="进程是资源分配的最小单元，独立内存",
        statement="A child process that changes a global int, a list and a dict leaves the parent's "
                  "objects unchanged, whatever the start method.",
        expect=per_start_method(HOLDS, "each process has its own address space"),
    ),
    Claim(
        id="threads-share-memory",
        section="A",
        quote="线程……共享内存",
        statement="A thread that changes a global int, a list and a dict changes the main thread's objects.",
        expect=always(HOLDS, "threads of one process share its address space"),
    ),
    Claim(
        id="process-own-pid",
        section="A",
        quote="print('子进程: {} - 任务{}'.format(os.getpid(), i))",
        statement="Processes running at once have distinct PIDs; threads running at once share their "
                  "process's PID and have distinct native thread ids.",
        expect=per_start_method(HOLDS),
        note="The notes' thread example prints 子进程: Thread-14 - 任务1: it calls its threads "
             "子进程 (child processes), but they are threads of one process and share its PID.",
    ),
    Claim(
        id="cpu-count-is-cores",
        section="A",
        quote="print(\"CPU内核数:{}\".format(cpu_count()))",
        statement="cpu_count() is the number of CPU cores this program can use.",
        expect=_cpu_count,
        note="cpu_count() reports the machine's online CPUs; what a process may use is narrower under "
             "an affinity mask or a cgroup quota (os.process_cpu_count(), 3.13+, follows the affinity).",
    ),
)
