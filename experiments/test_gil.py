"""The GIL and waiting: sleeping threads, and threads blocked in I/O.

Every case measures a counting thread's pace beside other threads, relative to its pace
alone, and also beside a neighbour that never waits (a CPU-bound thread: the yardstick of
a GIL shared with one Python thread). The controls plant a wait that keeps the GIL — a C
call through ``ctypes.PyDLL``, which never releases it — or a "wait" that polls in Python.

Each effect is a ratio of two ways, so the baseline way is measured twice in the same rounds (one
sleeping thread twice; the counter alone twice): the A/A null every decision must clear
(core/decision.py). Thresholds and decisions: sleep-releases-gil's in
claimbench/families/d_examples/decide.py, gil-released-on-io-wait's in
claimbench/families/e_rule_of_thumb/decide.py.
"""
from __future__ import annotations

import os
import select
import socket
import sys
import threading
import time

import pytest

from claimbench.core import planted, stats, verdicts, workloads
from claimbench.core.measure import Interleaved, Measured
from claimbench.core.roles import control
from claimbench.core.runtime import Runtime
from claimbench.core.workloads import Job
from claimbench.families.d_examples.data import NotesFigure
from claimbench.families.d_examples.decide import sleepers_decision, sleepers_pace_decision, SLEEPERS_PACE, \
    sleepers_threshold
from claimbench.families.e_rule_of_thumb.decide import wait_pace_decision, WAIT_PACE

# The sleepers beside the counter nap T at a time, so a nap that keeps the GIL (T ≥ 10 ms, the
# switch interval 5 ms) holds the counter for longer than it lets it run.
SLEEPERS = 4
# The counting window spans at least this many switch intervals: over two (T = 10 ms against 5 ms)
# the pace beside a thread sharing the GIL jumps between about ½ and 1 from round to round, and a
# polling control could not be told from a released wait (issue 19: control-poll inconclusive).
SWITCH_INTERVALS = 6


def counting_window(unit_s: float) -> float:
    return max(unit_s, SWITCH_INTERVALS * sys.getswitchinterval())


def _gil_kept(runtime: Runtime) -> verdicts.Expectation:
    """A planted GIL-keeping wait must refute; where there is no GIL, nothing can be kept."""
    why = planted.gil_keeping_sleep_unavailable() if runtime.gil_enabled else \
        "no GIL on this runtime: a C call that keeps the thread attached stops no other thread"
    if why:
        return verdicts.Expectation(verdicts.INCONCLUSIVE, why, testable=False)
    return verdicts.Expectation(verdicts.REFUTED, "planted: the wait is a C call through ctypes.PyDLL, "
                                                  "which keeps the GIL for the whole call")


def _gil_shared(runtime: Runtime) -> verdicts.Expectation:
    if not runtime.gil_enabled:
        return verdicts.Expectation(verdicts.INCONCLUSIVE, "no GIL on this runtime: a thread running Python "
                                                           "code shares nothing with the counter", testable=False)
    return verdicts.Expectation(verdicts.REFUTED, "planted: the 'waiter' polls a flag and a clock in a Python "
                                                  "loop instead of blocking, so it runs Python code and shares "
                                                  "the GIL")


def _gil_kept_param(*values, name="gil-kept"):
    return control(name, *values, expect=_gil_kept, why="a wait through ctypes.PyDLL keeps the GIL")


@pytest.mark.claim("sleep-releases-gil")
@pytest.mark.parametrize("k,sleep", [
    pytest.param(2, time.sleep, id="threads-k2"),
    pytest.param(8, time.sleep, id="threads-k8"),
    _gil_kept_param(8, planted.gil_keeping_sleep, name="gil-kept-k8"),
])
def test_sleeping_threads_overlap(k, sleep, unit_s, scale, benchmark, judge):
    """False if k threads sleeping T take closer to k times as long as one thread sleeping T than to as long.

    One sleeping thread, measured in the same round, is the yardstick: it pays the
    same thread start-up and wake-up latency, so a busy machine cannot pass for a held GIL.
    Measured twice (two threads started apart), it is the run's own null.
    """
    from claimbench.core.ways import run_threads
    if sleep is time.sleep:
        jobs = [Job(workloads.SLEEP, unit_s)] * k
        m = Interleaved({"threads": lambda: run_threads(jobs, k),
                         "one-thread": lambda: run_threads(jobs[:1], 1)}, null="one-thread")
    else:
        m = Interleaved({"threads": lambda: _threads_calling(sleep, unit_s, k),
                         "one-thread": lambda: _threads_calling(sleep, unit_s, 1)}, null="one-thread")
    threshold = sleepers_threshold(k)

    def decision(m):
        return sleepers_decision(m.ratio("threads", "one-thread"), k, m.null_ratio())

    m.until_settled(decision, scale, benchmark)
    d = decision(m)
    judge.measured(
        d.effect, d, "k threads / one thread, each sleeping T",
        f"< {stats.fmt(threshold)} (halfway between 1 and {k})",
        f"{k} threads each sleeping T = {unit_s} s{'' if sleep is time.sleep else ' through ctypes.PyDLL (GIL kept)'} "
        f"finished in {stats.fmt(m.median_s('threads'))} s; one such thread in {stats.fmt(m.median_s('one-thread'))} s",
        data={"k": k, "unit_s": unit_s, "median_s": m.median_s("threads"),
              **(NotesFigure("threads-2", m.median_s("threads")).as_data() if k == 2 and sleep is time.sleep
                 else {})})


def _threads_calling(fn, seconds: float, k: int) -> None:
    threads = [threading.Thread(target=fn, args=(seconds,), daemon=True) for _ in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60 + 10 * seconds)


def _pace_beside(make_neighbours, seconds: float) -> Measured:
    """The main thread's counting pace while ``make_neighbours()`` threads run; they stop after."""
    stop = threading.Event()
    threads = make_neighbours(stop)
    for t in threads:
        t.start()
    try:
        time.sleep(0)  # let them reach their wait
        return Measured(workloads.count_for(seconds))
    finally:
        stop.set()
        for t in threads:
            t.join(30)


def _nappers(n: int, nap_s: float, nap=time.sleep):
    def make(stop):
        def napping():
            while not stop.is_set():
                nap(nap_s)
        return [threading.Thread(target=napping, daemon=True) for _ in range(n)]
    return make


def _spinner(stop):
    def spin():
        while not stop.is_set():
            workloads.spin(10_000)
    return [threading.Thread(target=spin, daemon=True)]


def paces(m, beside: str):
    """(pace beside the neighbour, pace beside a CPU-bound thread (the yardstick), the A/A null): each
    over the pace alone, round by round."""
    return m.ratio(beside, "alone"), m.ratio("beside-spinner", "alone"), m.null_ratio()


def pace_variants(beside: str, neighbours, unit_s: float) -> Interleaved:
    """The counter alone (twice: the null), beside ``neighbours`` (named ``beside``), and beside a
    CPU-bound thread, each counting for ``counting_window(T)``."""
    window = counting_window(unit_s)
    return Interleaved({
        "alone": lambda: Measured(workloads.count_for(window)),
        beside: lambda: _pace_beside(neighbours, window),
        "beside-spinner": lambda: _pace_beside(_spinner, window),
    }, null="alone")


def _yardstick_line(yardstick: stats.Interval) -> str:
    return f"; beside a CPU-bound thread (the yardstick of a shared GIL): {yardstick}"


@pytest.mark.claim("sleep-releases-gil")
@pytest.mark.parametrize("nap", [
    pytest.param(time.sleep, id="cpu-pace"),
    _gil_kept_param(planted.gil_keeping_sleep, name="gil-kept-cpu-pace"),
])
def test_cpu_thread_keeps_pace_beside_sleepers(nap, unit_s, scale, benchmark, judge):
    """False if a CPU-bound thread slows below ¾ of its pace while four other threads sleep."""
    m = pace_variants("beside-sleepers", _nappers(SLEEPERS, unit_s, nap), unit_s)

    def decision(m):
        return sleepers_pace_decision(*paces(m, "beside-sleepers"))

    m.until_settled(decision, scale, benchmark)
    d = decision(m)
    _, yardstick, _ = paces(m, "beside-sleepers")
    judge.measured(
        d.effect, d, "pace beside sleepers / pace alone",
        f"> {SLEEPERS_PACE} (halfway between 1, GIL released, and ½, GIL shared)",
        f"a counting thread ran at {stats.fmt(d.effect.median)} of its solo pace while {SLEEPERS} threads slept"
        f"{'' if nap is time.sleep else ' through ctypes.PyDLL (GIL kept)'} in naps of T{_yardstick_line(yardstick)}",
        data={"alone_per_s": m.median_s("alone"), "beside_per_s": m.median_s("beside-sleepers"),
              "yardstick": [yardstick.median, yardstick.low, yardstick.high]})


def _loopback_pair():
    """A connected TCP pair on 127.0.0.1 (ephemeral port): a real socket, not a socketpair."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client = socket.create_connection(server.getsockname(), timeout=30)
        peer, _ = server.accept()
    finally:
        server.close()
    return peer, client


class _Flag:
    raised = False


def _poll_until(flag: _Flag, seconds: float) -> None:
    """The planted 'wait': look at a flag and a clock in a Python loop until either says go.

    Nothing in the loop releases the GIL (a poll that makes a system call each time, such as
    a non-blocking recv, would hand it over at every call and be half a wait)."""
    deadline = time.perf_counter() + seconds
    while not flag.raised and time.perf_counter() < deadline:
        pass


def waiter(kind: str, seconds: float):
    """neighbours(stop): a thread blocked in one kind of wait, released when ``stop`` is set."""
    def make(stop):
        if kind == "sleep":
            return [threading.Thread(target=time.sleep, args=(seconds,), daemon=True)]
        if kind == "gil-kept-sleep":
            return _nappers(1, seconds / 2, planted.gil_keeping_sleep)(stop)
        if kind == "poll":
            flag = _Flag()
            wait = lambda: _poll_until(flag, 60)  # noqa: E731
            release = lambda: setattr(flag, "raised", True)  # noqa: E731
            close = ()
        elif kind in ("recv", "select"):
            peer, client = _loopback_pair()
            wait = {"recv": lambda: peer.recv(1), "select": lambda: select.select([peer], [], [], 60)}[kind]
            release = lambda: client.sendall(b"x")  # noqa: E731
            close = (peer.close, client.close)
        elif kind == "pipe-read":
            r, w = os.pipe()
            wait = lambda: os.read(r, 1)  # noqa: E731
            release = lambda: os.write(w, b"x")  # noqa: E731
            close = (lambda: os.close(r), lambda: os.close(w))
        else:
            raise ValueError(f"unknown wait {kind!r}")

        def blocked():
            wait()

        def releaser():
            stop.wait()
            release()
            blocked_thread.join(30)
            for c in close:
                c()
        blocked_thread = threading.Thread(target=blocked, daemon=True)
        return [blocked_thread, threading.Thread(target=releaser, daemon=True)]
    return make



@pytest.mark.claim("gil-released-on-io-wait")
@pytest.mark.parametrize("kind", [
    "sleep", "recv", "select", "pipe-read",
    control("poll", "poll", expect=_gil_shared,
            why="the 'waiter' polls a flag and a clock in a Python loop instead of blocking"),
    control("gil-kept", "gil-kept-sleep", expect=_gil_kept,
            why="the wait is a C call through ctypes.PyDLL, which keeps the GIL"),
])
def test_gil_released_while_waiting(kind, unit_s, scale, benchmark, judge):
    """False if a thread blocked in this wait slows another thread running Python code below ¾ of its pace,
    the halfway point to sharing the GIL with a thread that never waits."""
    m = pace_variants("beside-waiter", waiter(kind, 2 * counting_window(unit_s)), unit_s)  # outlasts the window

    def decision(m):
        return wait_pace_decision(*paces(m, "beside-waiter"))

    m.until_settled(decision, scale, benchmark)
    d = decision(m)
    _, yardstick, _ = paces(m, "beside-waiter")
    waiting = {"poll": "polling a flag and a clock in Python", "gil-kept-sleep": "sleeping through ctypes.PyDLL"}.get(
        kind, "blocked in " + kind)
    judge.measured(
        d.effect, d, "pace beside waiter / pace alone",
        f"> {WAIT_PACE} (halfway between 1, GIL released, and ½, GIL shared)",
        f"counting pace beside a thread {waiting}: {stats.fmt(d.effect.median)} of the solo pace"
        f"{_yardstick_line(yardstick)}",
        data={"kind": kind, "yardstick": [yardstick.median, yardstick.low, yardstick.high]})
