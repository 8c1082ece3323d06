"""Section A: a process has its own memory; threads share their process's memory."""
from __future__ import annotations

import multiprocessing
import os
import queue
import threading

import pytest

from claimbench.core import labels, planted, subinterpreters, verdicts, workloads
from claimbench.core.roles import control, related
from claimbench.core.ways import PlantedWay
from claimbench.core.workloads import REPORT_WAIT_S
from claimbench.families.a_concepts import child as concepts

# What the parent sets before it starts a worker; the worker adds one, appends, inserts.
PARENT_STATE = {"counter": 10, "items": ["parent"], "table": {"parent": 1}}


def _state(s: dict) -> str:
    return f"counter {s['counter']}, list {s['items']}, dict {s['table']}"


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("process-memory-isolated")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("threads-as-processes", PlantedWay(make_context=lambda: planted.THREADS_AS_PROCESSES),
                          why="the 'child process' is a thread of the parent, so it changes the parent's own "
                              "objects"))
def test_child_process_changes_stay_in_the_child(way, judge):
    """False if the parent sees a change a child process made to a global int, list or dict."""
    ctx = way.context()
    concepts.set_shared_state(**PARENT_STATE)
    report = ctx.Queue()
    p = ctx.Process(target=concepts.mutate_shared_state, args=(report,))
    p.start()
    try:
        seen = report.get(timeout=REPORT_WAIT_S)
    except queue.Empty:
        seen = None
    killed = workloads.settle([p])
    parent = concepts.shared_state()
    if seen is None:
        killed_words = "; " + "; ".join(killed) if killed else ""
        verdict, what = verdicts.INCONCLUSIVE, \
            f"the child reported nothing (exit code {labels.describe_exitcode(p.exitcode)}{killed_words})"
    else:
        changed = seen["after"] != seen["before"]
        verdict = verdicts.HOLDS if parent == PARENT_STATE and changed else (
            verdicts.REFUTED if parent != PARENT_STATE else verdicts.INCONCLUSIVE)
        start = "the parent's values" if seen["before"] == PARENT_STATE else \
            "the module's defaults (it imported the module afresh)"
        what = (f"{ctx.get_start_method()} child {seen['pid']} started from {start} and changed them to "
                f"{_state(seen['after'])}; the parent {'still' if parent == PARENT_STATE else 'now'} has "
                f"{_state(parent)}")
    judge.observed(verdict, what,
                            data={"start_method": ctx.get_start_method(), "child": seen, "parent": parent})


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("process-memory-isolated")
@pytest.mark.parametrize("make", [
    related("subinterpreter", subinterpreters.interpreter,
            why="a sub-interpreter (concurrent.interpreters, 3.14+) imports its modules afresh, in the same "
                "process: its module globals are its own"),
    control("thread-as-interpreter", concepts.thread_as_interpreter,
            why="the 'interpreter' runs the change in a thread of the main interpreter, so it changes the "
                "main interpreter's own objects"),
])
def test_subinterpreter_changes_stay_in_it(make, judge):
    """False if the main interpreter sees a change that a sub-interpreter made to a module's global
    int, list or dict."""
    concepts.set_shared_state(**PARENT_STATE)
    with make() as interp:
        seen = concepts.mutate_in(interp)
    main = concepts.shared_state()
    verdict = concepts.own_state_verdict(PARENT_STATE, seen, main)
    start = "the main interpreter's values" if seen["before"] == PARENT_STATE else \
        "the module's defaults (it imported the module afresh)"
    where = "in this same process" if seen["pid"] == os.getpid() else f"in process {seen['pid']}"
    what = f"interpreter {seen['interpreter']} ({where}) started from {start}: {_state(seen['before'])}, and " \
           f"changed them to {_state(seen['after'])}; the main interpreter " \
           f"{'still' if main == PARENT_STATE else 'now'} has {_state(main)}"
    judge.observed(verdict, what, data={"other": seen, "main": main, "main_before": PARENT_STATE})


@pytest.mark.behaviour
@pytest.mark.timeout(30)
@pytest.mark.claim("threads-share-memory")
@pytest.mark.parametrize("kind", [
    pytest.param("thread", id="threads"),
    control("process-as-thread", "forked-process",
            why="the 'thread' is a forked process: it changes its own copy of the objects"),
])
def test_thread_changes_are_seen_by_the_main_thread(kind, judge):
    """False if the main thread does not see a change a thread made to a global int, list or dict."""
    concepts.set_shared_state(**PARENT_STATE)
    if kind == "thread":
        report = queue.Queue()
        t = threading.Thread(target=concepts.mutate_shared_state, args=(report,), daemon=True)
    else:
        report = multiprocessing.get_context("fork").Queue() if planted.can_fork() else None
        t = planted.forked_process_as_thread(concepts.mutate_shared_state, args=(report,))
        if t is None:
            pytest.skip("fork is not offered here, and the plant needs it")
    t.start()
    t.join(REPORT_WAIT_S)
    main = concepts.shared_state()
    try:
        seen = report.get(timeout=REPORT_WAIT_S if kind != "thread" else 1)
    except queue.Empty:
        seen = None
    if seen is None:
        verdict, what = verdicts.INCONCLUSIVE, f"the thread reported nothing (alive: {t.is_alive()})"
    else:
        verdict = verdicts.HOLDS if main == seen["after"] != PARENT_STATE else verdicts.REFUTED
        what = (f"a thread changed {_state(seen['before'])} to {_state(seen['after'])}; the main thread now has "
                f"{_state(main)}")
    workloads.settle([t] if kind != "thread" else [])
    judge.observed(verdict, what,
                            data={"way": kind, "thread": seen, "main": main})
