"""Section A of CLAIMS.md: what processes and threads are (memory, identity, CPUs)."""
from __future__ import annotations

from ...claims import Claim
from ...claims.expect import (about_subinterpreters, always, needs_subinterpreters, per_start_method,
                              start_method_missing)
from ...core.runtime import Runtime, usable_cpus
from ...core.verdicts import Expectation, HOLDS, INCONCLUSIVE, REFUTED



def _memory_isolated(runtime: Runtime, case=None) -> Expectation:
    """Each start method's child process; and, as a related finding, a sub-interpreter (3.14+)."""
    if about_subinterpreters(case):
        return needs_subinterpreters(runtime) or Expectation(
            HOLDS, "a sub-interpreter imports its modules afresh: their globals are its own objects, "
                   "apart from the main interpreter's, though both live in one process")
    return start_method_missing(runtime, case) or Expectation(HOLDS, "each process has its own address space")


def _cores(runtime: Runtime) -> Expectation:
    """The claim's own case, expected from another source than its verdict reads: /proc/cpuinfo's
    ``siblings`` and ``cpu cores`` (the verdict groups the CPUs by the sysfs topology). Where
    cpuinfo does not say (ARM, runs stored before), the sysfs figure stands in, and the reason says so."""
    threads, source = runtime.cpuinfo_threads_per_core, "/proc/cpuinfo (siblings / cpu cores)"
    if threads is None:
        threads, source = runtime.hardware_threads_per_core, "the sysfs topology (cpuinfo does not say)"
    if threads is None:
        return Expectation(INCONCLUSIVE, "neither /proc/cpuinfo nor the kernel's topology (sysfs "
                                         "/sys/devices/system/cpu/cpuN/topology) say how many hardware threads a "
                                         "core runs, so the cores cannot be counted", testable=False)
    if threads == 1:
        return Expectation(HOLDS, f"every core runs one hardware thread ({source}), so the online CPUs are the "
                                  "cores; in a VM, the cores the guest is shown")
    return Expectation(REFUTED, f"cores run {threads} hardware threads (SMT, {source}): cpu_count() counts "
                                "hardware threads, not cores")


def _what_this_process_may_use(runtime: Runtime, case: str) -> Expectation:
    """The related findings: cpu_count() against the CPUs this process may use."""
    if case == "affinity":
        if runtime.affinity_cpus is None:
            return Expectation(INCONCLUSIVE, "no sched_getaffinity on this platform", testable=False)
        if runtime.affinity_cpus == runtime.cpu_count:
            return Expectation(HOLDS, "this process may run on every CPU, so the two agree")
        return Expectation(REFUTED, f"the affinity mask allows {runtime.affinity_cpus} of {runtime.cpu_count} "
                                    "CPUs, and cpu_count() ignores it")
    if case == "cgroup-quota":
        if runtime.cgroup_cpu_quota is None:
            return Expectation(INCONCLUSIVE, "no cgroup CPU quota here", testable=False)
        allowed = usable_cpus(None, runtime.cgroup_cpu_quota, runtime.cpu_count)
        if allowed >= runtime.cpu_count:
            return Expectation(HOLDS, "the quota allows every CPU")
        return Expectation(REFUTED, f"the quota allows {allowed} of {runtime.cpu_count} CPUs, and cpu_count() ignores it")
    can_pin = runtime.affinity_cpus is not None and runtime.affinity_cpus >= 2 and runtime.platform.startswith("Linux")
    if not can_pin:
        return Expectation(INCONCLUSIVE, "a child cannot be pinned to fewer CPUs than this process has "
                                         "(one CPU, or no sched_setaffinity)", testable=False)
    if case == "process-cpu-count":
        if runtime.version_tuple < (3, 13):
            return Expectation(INCONCLUSIVE, "os.process_cpu_count() is new in Python 3.13", testable=False)
        return Expectation(HOLDS, "os.process_cpu_count() counts the CPUs of the affinity mask")
    return Expectation(REFUTED, "cpu_count() counts the machine, not the CPUs a pinned process may use")


RELATED_CPU_CASES = ("affinity", "pinned-child", "process-cpu-count", "cgroup-quota")


def _cpu_count(runtime: Runtime, case=None) -> Expectation:
    if case in RELATED_CPU_CASES:
        return _what_this_process_may_use(runtime, case)
    return _cores(runtime)


CLAIMS = (
    Claim(
        id="process-memory-isolated",
        section="A",
        quote="进程是资源分配的最小单元，独立内存",
        statement="A child process that changes a global int, a list and a dict leaves the parent's "
                  "objects unchanged, whatever the start method.",
        expect=_memory_isolated,
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
        statement="cpu_count() is the number of physical CPU cores (not hardware threads).",
        expect=_cpu_count,
        note="cpu_count() reports the machine's online logical CPUs: the cores where each runs one hardware "
             "thread, twice the cores under SMT. What a process may use is a separate question (related "
             "findings): narrower under an affinity mask or a cgroup quota; os.process_cpu_count() (3.13+) "
             "follows the affinity.",
    ),
)
