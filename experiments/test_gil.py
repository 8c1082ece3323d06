"""The GIL and waiting: sleeping threads, and threads blocked in I/O."""
from __future__ import annotations

import os
import select
import socket
import threading
import time

import pytest

from claimbench import stats, verdicts, workloads
from claimbench.measure import Interleaved, Measured, worst
from claimbench.workloads import Job

# A CPU thread's pace beside a waiting thread, relative to its pace alone: 1 if
# the wait released the GIL, near 0 if it held it. Halfway between: 0.5.
PACE_THRESHOLD = 0.5


@pytest.mark.claim("sleep-releases-gil")
@pytest.mark.parametrize("k", [2, 8], ids=lambda k: "threads-k{}".format(k))
def test_sleeping_threads_overlap(k, unit_s, scale, benchmark, judge):
    """False if k threads sleeping T take closer to k times as long as one thread sleeping T than to as long.

    One sleeping thread, measured in the same round, is the yardstick: it pays the
    same thread start-up and wake-up latency, so a busy machine cannot pass for a held GIL.
    """
    from claimbench.ways import run_threads
    jobs = [Job(workloads.SLEEP, unit_s)] * k
    m = Interleaved({"threads": lambda: run_threads(jobs, k),
                     "one-thread": lambda: run_threads(jobs[:1], 1)})
    threshold = (1 + k) / 2  # halfway between 1 (GIL released) and k (held)

    def effect(m):
        return m.ratio("threads", "one-thread")

    decision = m.until_settled(lambda m: stats.below(effect(m), threshold), scale, benchmark)
    judge(verdicts.measured(
        "sleep-releases-gil", "", effect(m), decision, "k threads / one thread, each sleeping T",
        "< {} (halfway between 1 and {})".format(threshold, k),
        "{} threads each sleeping T = {} s finished in {} s; one such thread in {} s".format(
            k, unit_s, stats.fmt(m.median_s("threads")), stats.fmt(m.median_s("one-thread"))),
        data={"k": k, "unit_s": unit_s, "median_s": m.median_s("threads"),
              "notes_figure": "threads-2" if k == 2 else None}))


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


def _sleepers(n: int, nap_s: float):
    def make(stop):
        def nap():
            while not stop.is_set():
                time.sleep(nap_s)
        return [threading.Thread(target=nap, daemon=True) for _ in range(n)]
    return make


def _spinner(stop):
    def spin():
        while not stop.is_set():
            workloads.spin(10_000)
    return [threading.Thread(target=spin, daemon=True)]


@pytest.mark.claim("sleep-releases-gil")
def test_cpu_thread_keeps_pace_beside_sleepers(unit_s, scale, benchmark, judge):
    """False if a CPU-bound thread slows to less than half its pace while four other threads sleep."""
    m = Interleaved({
        "alone": lambda: Measured(workloads.count_for(unit_s)),
        "beside-sleepers": lambda: _pace_beside(_sleepers(4, unit_s / 20), unit_s),
    })

    def effect(m):
        return m.ratio("beside-sleepers", "alone")

    decision = m.until_settled(lambda m: stats.above(effect(m), PACE_THRESHOLD), scale, benchmark)
    judge(verdicts.measured(
        "sleep-releases-gil", "cpu-pace", effect(m), decision, "pace beside sleepers / pace alone",
        "> {}".format(PACE_THRESHOLD),
        "a counting thread ran at {} of its solo pace while 4 threads slept in naps of T/20".format(
            stats.fmt(effect(m).median)),
        data={"alone_per_s": m.median_s("alone"), "beside_per_s": m.median_s("beside-sleepers")}))


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


def waiter(kind: str, seconds: float):
    """neighbours(stop): a thread blocked in one kind of wait, released when ``stop`` is set."""
    def make(stop):
        if kind == "sleep":
            return [threading.Thread(target=time.sleep, args=(seconds,), daemon=True)]
        if kind in ("recv", "select"):
            peer, client = _loopback_pair()
            wait = (lambda: peer.recv(1)) if kind == "recv" else (lambda: select.select([peer], [], [], 60))
            release = lambda: client.sendall(b"x")  # noqa: E731
            close = (peer.close, client.close)
        elif kind == "pipe-read":
            r, w = os.pipe()
            wait = lambda: os.read(r, 1)  # noqa: E731
            release = lambda: os.write(w, b"x")  # noqa: E731
            close = (lambda: os.close(r), lambda: os.close(w))
        else:
            raise ValueError("unknown wait {!r}".format(kind))

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
@pytest.mark.parametrize("kind", ["sleep", "recv", "select", "pipe-read"])
def test_gil_released_while_waiting(kind, unit_s, scale, benchmark, judge):
    """False if a thread blocked in this wait stops another thread from running Python code."""
    neighbours = waiter(kind, 2 * unit_s)  # the wait outlasts the counting window
    variants = {
        "alone": lambda: Measured(workloads.count_for(unit_s)),
        "beside-waiter": lambda: _pace_beside(neighbours, unit_s),
    }
    if kind == "sleep":
        # The control: a neighbour that never waits. It shows the measurement can see the GIL.
        variants["beside-spinner"] = lambda: _pace_beside(_spinner, unit_s)
    m = Interleaved(variants)

    def effect(m):
        return m.ratio("beside-waiter", "alone")

    decision = m.until_settled(lambda m: stats.above(effect(m), PACE_THRESHOLD), scale, benchmark)
    evidence = "counting pace beside a thread blocked in {}: {} of the solo pace".format(
        kind, stats.fmt(effect(m).median))
    data = {"kind": kind}
    if kind == "sleep":
        control = m.ratio("beside-spinner", "alone")
        evidence += "; beside a CPU-bound thread instead: {} (the control)".format(control)
        data["control_ratio"] = control.median
    judge(verdicts.measured("gil-released-on-io-wait", "", effect(m), decision,
                            "pace beside waiter / pace alone", "> {}".format(PACE_THRESHOLD), evidence, data=data))
