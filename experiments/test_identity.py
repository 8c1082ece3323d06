"""Section A: who a worker is (PIDs, native thread ids) and what cpu_count() counts."""
from __future__ import annotations

import multiprocessing
import os
import queue
import threading

import pytest

from claimbench.core import labels, planted, runtime as rt, sandbox, verdicts, workloads
from claimbench.core.roles import control, related
from claimbench.core.ways import PlantedWay
from claimbench.core.workloads import REPORT_WAIT_S
from claimbench.families.a_concepts import child as concepts

WORKERS = 3


def _collect(report, n: int) -> list:
    got = []
    for _ in range(n):
        try:
            got.append(report.get(timeout=REPORT_WAIT_S))
        except queue.Empty:
            break
    return got


# ---------------------------------------------------------------- process-own-pid
@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("process-own-pid")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("threads-as-processes", PlantedWay(make_context=lambda: planted.THREADS_AS_PROCESSES),
                          why="the 'processes' are threads of the test process, so they all report its PID"))
def test_processes_have_their_own_pids(way, judge):
    """False if processes alive at the same time share a PID, or share the parent's."""
    ctx = way.context()
    method = ctx.get_start_method()
    barrier, report = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=concepts.report_identity, args=(barrier, report)) for _ in range(WORKERS)]
    try:
        for p in procs:
            p.start()
        seen = _collect(report, WORKERS)
    finally:
        killed = workloads.settle(procs)
    me = os.getpid()
    pids = sorted(s["pid"] for s in seen)
    ppids = sorted({s["ppid"] for s in seen})
    if len(seen) < WORKERS:
        verdict = verdicts.INCONCLUSIVE
    elif len(set(pids)) == WORKERS and me not in pids:
        verdict = verdicts.HOLDS
    else:
        verdict = verdicts.REFUTED
    if ppids == [me]:
        parent_note = "their OS parent is this process"
    elif method == "forkserver":
        parent_note = f"their OS parent is {', '.join(map(str, ppids))} (the fork server), not this process"
    else:
        parent_note = f"their OS parents are {', '.join(map(str, ppids))}"
    what = (f"{len(seen)} workers ({method}) alive at once reported PIDs {', '.join(map(str, pids))} "
            f"(this process: {me}); {parent_note}" + ("; " + "; ".join(killed) if killed else ""))
    judge.observed(verdict, what,
                            data={"start_method": method, "parent": me, "workers": seen})


@pytest.mark.behaviour
@pytest.mark.timeout(30)
@pytest.mark.claim("process-own-pid")
@pytest.mark.parametrize("kind", [
    pytest.param(planted.THREAD, id="threads"),
    control("process-as-thread", planted.FORKED_PROCESS,
            why="the 'threads' are forked processes, each with a PID of its own"),
])
def test_threads_share_the_pid(kind, judge):
    """False if threads alive at the same time have PIDs of their own, or share a native id."""
    if kind == planted.THREAD:
        barrier, report = threading.Barrier(WORKERS), queue.Queue()
        workers = [threading.Thread(target=concepts.report_identity, args=(barrier, report), daemon=True)
                   for _ in range(WORKERS)]
    else:
        if not planted.can_fork():
            pytest.skip("fork is not offered here, and the plant needs it")
        fork = multiprocessing.get_context("fork")
        barrier, report = fork.Barrier(WORKERS), fork.Queue()
        workers = [planted.forked_process_as_thread(concepts.report_identity, args=(barrier, report))
                   for _ in range(WORKERS)]
    try:
        for t in workers:
            t.start()
        seen = _collect(report, WORKERS)
    finally:
        for t in workers:
            t.join(REPORT_WAIT_S)
        workloads.settle(workers if kind != planted.THREAD else [])
    me, main_native = os.getpid(), concepts.native_id()
    pids = {s["pid"] for s in seen}
    natives = sorted(s["native_id"] for s in seen)
    if len(seen) < WORKERS:
        verdict = verdicts.INCONCLUSIVE
    elif pids == {me} and len(set(natives + [main_native])) == WORKERS + 1:
        verdict = verdicts.HOLDS
    else:
        verdict = verdicts.REFUTED
    who = "threads" if kind == planted.THREAD else "forked processes posing as threads"
    what = (f"{len(seen)} {who} alive at once reported PIDs {', '.join(map(str, sorted(pids)))} (this process: {me}) "
            f"and native ids {', '.join(map(str, natives))} (main thread {main_native}); the notes print such threads "
            "as 子进程 (child processes), but threads of one process share its PID")
    judge.observed(verdict, what,
                            data={"pid": me, "main_native_id": main_native, "workers": seen, "way": kind})


# ---------------------------------------------------------------- cpu-count-is-cores
SMT_THREADS = 2  # the plant: two hardware threads per core, as Intel Hyper-Threading and AMD SMT run


@pytest.mark.behaviour
@pytest.mark.timeout(30)
@pytest.mark.claim("cpu-count-is-cores")
@pytest.mark.parametrize("plant", [
    pytest.param(None, id="physical-cores"),
    control("smt-topology", SMT_THREADS,
            why="a planted sysfs topology in which each core runs two hardware threads: "
                "cpu_count() is twice the cores there"),
    control("one-thread-per-core", 1, expect=verdicts.HOLDS,
            why="a planted sysfs topology in which each core runs one hardware thread: "
                "cpu_count() is the cores there"),
])
def test_cpu_count_counts_the_cores(plant, judge, tmp_path):
    """False if cpu_count() is not the number of physical cores the kernel's topology groups the CPUs into."""
    count = multiprocessing.cpu_count()  # the notes' call (os.cpu_count() underneath)
    if plant is None:
        root, second_reader = rt.SYSFS_CPU, concepts.psutil_physical_cores()
    else:
        if plant > 1 and count < 2:
            pytest.skip("one logical CPU cannot be planted as hardware threads sharing a core")
        # A machine like this one, cpu_count() CPUs, whose cores run `plant` of them each.
        root, second_reader = concepts.plant_cpu_topology(tmp_path / "cpu", count, plant), None
    topology = rt.cpu_topology(root)
    verdict, what = concepts.cores_verdict(count, topology, second_reader)
    if plant is not None:
        what = "planted topology: " + what
    judge.observed(verdict, what, data={
        "cpu_count": count, "os_cpu_count": os.cpu_count(), "psutil_physical_cores": second_reader,
        # a planted topology lives in a temporary folder of this machine: stored as what it is
        "topology": topology.as_dict() if topology else None,
        "sysfs": str(root) if plant is None else "planted (a temporary cpu/ folder)"})


def _cpus(r: dict) -> str:
    pcc = r["process_cpu_count"] if r["process_cpu_count"] is not None else "n/a"
    quota = r["cgroup_quota"] if r["cgroup_quota"] is not None else "none"
    return f"cpu_count() {r['cpu_count']}, affinity {r['affinity']}, process_cpu_count() {pcc}, cgroup quota {quota}"


def _pinned_report(tmp_path):
    """A child pinned to one CPU: its cpu_report, or None and why not."""
    cpu = min(os.sched_getaffinity(0))
    done = sandbox.one_shot(concepts.narrowed_cpu_report, cpu, timeout_s=30, cwd=str(tmp_path))
    found = sandbox.json_lines(done.stdout)
    if found:
        return found[0], f"a child pinned to CPU {cpu}: {_cpus(found[0])}"
    return None, (f"the pinned child reported nothing (exit code {labels.describe_exitcode(done.returncode)}): "
                  f"{done.stderr.strip()[-200:]}")


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("cpu-count-is-cores")
@pytest.mark.parametrize("view", [
    related("affinity", "affinity", why="cpu_count() against the CPUs this process may run on (sched_getaffinity)"),
    related("pinned-child", "pinned-child", why="a child pinned to one CPU: cpu_count() still counts the machine"),
    related("process-cpu-count", "process-cpu-count",
            why="os.process_cpu_count() (3.13+) in a child pinned to one CPU: it follows the affinity"),
    related("cgroup-quota", "cgroup-quota", why="cpu_count() against the CPUs a cgroup quota allows"),
])
def test_what_this_process_may_use(view, judge, tmp_path):
    """Related findings: False if cpu_count() (or, for process-cpu-count, os.process_cpu_count()) is not what the process may use."""
    here = concepts.cpu_report()
    count = here["cpu_count"]
    data = {"here": here}
    if view == "affinity":
        usable = here["affinity"]
        what = f"this process: {_cpus(here)}; its affinity mask allows {usable} CPU(s)"
        shown = count
    elif view == "cgroup-quota":
        quota = here["cgroup_quota"]
        usable = rt.usable_cpus(None, quota, count)
        what = f"this process: {_cpus(here)}; the quota allows {usable} CPU(s) at once"
        shown = count
    else:
        pinned, what = _pinned_report(tmp_path)
        data["pinned"] = pinned
        usable = pinned["usable"] if pinned else None
        shown = None if pinned is None else (pinned["process_cpu_count"] if view == "process-cpu-count"
                                             else pinned["cpu_count"])
        if pinned is not None:
            call = "os.process_cpu_count()" if view == "process-cpu-count" else "cpu_count()"
            what += f"; it may use {usable}, and {call} says {shown}"
    if usable is None or shown is None:
        verdict = verdicts.INCONCLUSIVE
    else:
        verdict = verdicts.HOLDS if shown == usable else verdicts.REFUTED
    judge.observed(verdict, what, data=data)
