"""Section A: who a worker is (PIDs, native thread ids) and how many CPUs it is told it has."""
from __future__ import annotations

import multiprocessing
import os
import queue
import threading

import pytest

from claimbench import probes, verdicts

WORKERS = 3
WAIT_S = 20.0


def _collect(report, n: int) -> list:
    got = []
    for _ in range(n):
        try:
            got.append(report.get(timeout=WAIT_S))
        except queue.Empty:
            break
    return got


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("process-own-pid")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn")
def test_processes_have_their_own_pids(way, judge):
    """False if processes alive at the same time share a PID, or share the parent's."""
    ctx = multiprocessing.get_context(way.start_method)
    barrier, report = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=probes.report_identity, args=(barrier, report)) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    seen = _collect(report, WORKERS)
    killed = probes.settle(procs)
    me = os.getpid()
    pids = sorted(s["pid"] for s in seen)
    ppids = sorted({s["ppid"] for s in seen})
    if len(seen) < WORKERS:
        verdict = verdicts.INCONCLUSIVE
    elif len(set(pids)) == WORKERS and me not in pids:
        verdict = verdicts.HOLDS
    else:
        verdict = verdicts.REFUTED
    parent_note = "their OS parent is this process" if ppids == [me] else \
        "their OS parent is {} (the fork server), not this process".format(
            ", ".join(map(str, ppids))) if way.start_method == "forkserver" else \
        "their OS parents are {}".format(", ".join(map(str, ppids)))
    what = "{} {} children alive at once reported PIDs {} (parent {}); {}{}".format(
        len(seen), way.start_method, ", ".join(map(str, pids)), me, parent_note,
        "; " + "; ".join(killed) if killed else "")
    judge(verdicts.observed("process-own-pid", "", verdict, what,
                            data={"start_method": way.start_method, "parent": me, "workers": seen}))


@pytest.mark.behaviour
@pytest.mark.timeout(30)
@pytest.mark.claim("process-own-pid")
@pytest.mark.ways("threads")
def test_threads_share_the_pid(way, judge):
    """False if threads alive at the same time have PIDs of their own, or share a native id."""
    barrier, report = threading.Barrier(WORKERS), queue.Queue()
    threads = [threading.Thread(target=probes.report_identity, args=(barrier, report), daemon=True)
               for _ in range(WORKERS)]
    for t in threads:
        t.start()
    seen = _collect(report, WORKERS)
    for t in threads:
        t.join(WAIT_S)
    me, main_native = os.getpid(), probes.native_id()
    pids = {s["pid"] for s in seen}
    natives = sorted(s["native_id"] for s in seen)
    if len(seen) < WORKERS:
        verdict = verdicts.INCONCLUSIVE
    elif pids == {me} and len(set(natives + [main_native])) == WORKERS + 1:
        verdict = verdicts.HOLDS
    else:
        verdict = verdicts.REFUTED
    what = ("{} threads alive at once all reported PID {} (this process's {}) and native ids {} "
            "(main thread {}); the notes print such threads as 子进程 (child processes), "
            "but they are threads of one process").format(
        len(seen), ", ".join(map(str, sorted(pids))), me, ", ".join(map(str, natives)), main_native)
    judge(verdicts.observed("process-own-pid", "", verdict, what,
                            data={"pid": me, "main_native_id": main_native, "workers": seen}))


def _cpus(r: dict) -> str:
    return "cpu_count() {cpu_count}, online {online}, affinity {affinity}, process_cpu_count() {pcc}, " \
           "cgroup quota {quota}".format(pcc=r["process_cpu_count"] if r["process_cpu_count"] is not None else "n/a",
                                         quota=r["cgroup_quota"] if r["cgroup_quota"] is not None else "none", **r)


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("cpu-count-is-cores")
def test_cpu_count_counts_the_machine(judge, tmp_path):
    """False if cpu_count() is not the machine's CPU count, or always equals what the process may use."""
    here = probes.cpu_report()
    # counts the machine: the kernel's list of online CPUs
    machine = verdicts.HOLDS if here["online"] in (None, here["cpu_count"]) else verdicts.REFUTED
    halves = [machine]
    narrowed = None
    what_narrowed = "no affinity to narrow on this platform"
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2:
        cpu = min(os.sched_getaffinity(0))
        done = probes.run_sandbox("narrowed_cpu_report({})".format(cpu), timeout_s=30, cwd=str(tmp_path))
        found = probes.json_lines(done.stdout)
        narrowed = found[0] if found else None
        what_narrowed = "a child pinned to CPU {}: {}".format(cpu, _cpus(narrowed)) if narrowed else \
            "the pinned child reported nothing (exit code {}): {}".format(
                probes.describe_exitcode(done.returncode), done.stderr.strip()[-200:])
    # counts what this process may use: as started, and pinned to one CPU
    views = [here] + ([narrowed] if narrowed else [])
    if any(v["cpu_count"] > v["usable"] for v in views):
        halves.append(verdicts.REFUTED)
    elif narrowed is None:
        halves.append(verdicts.INCONCLUSIVE)
    else:
        halves.append(verdicts.HOLDS)
    what = "this process: {}, so it may use {}; {}".format(
        _cpus(here), here["usable"], what_narrowed)
    if narrowed:
        what += ", so it may use {} while cpu_count() still says {}".format(narrowed["usable"], narrowed["cpu_count"])
    judge(verdicts.observed("cpu-count-is-cores", "", verdicts.combine(halves), what,
                            data={"here": here, "narrowed": narrowed, "halves": halves}))
