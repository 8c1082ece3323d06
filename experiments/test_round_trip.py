"""Handing work and data to a worker thread and to a worker process.

Each worker (a thread or a process, with its two queues) is started off the clock, primed and
rebuilt every few rounds (measure.Built), so where one happens to run is sampled, not fixed for the
test. The way the claim compares against, a worker process, is measured twice, as two workers built
apart: the run's own null.
"""
from __future__ import annotations

import multiprocessing
import queue
import threading
from contextlib import contextmanager

import pytest

from claimbench.core import stats
from claimbench.core.labels import bytes_label, fmt_seconds
from claimbench.core.measure import Built, Interleaved, Seconds
from claimbench.core.roles import control
from claimbench.core.workloads import stop_worker
from claimbench.families.c_cost.child.handoffs import length_worker, round_trips
from claimbench.families.c_cost.data import PayloadRoundTrips
from claimbench.families.c_cost.decide import MORE_EFFICIENT_TEXT, round_trip_decision

PAYLOADS = [100, 10 << 10, 1 << 20, 10 << 20]
# Round trips per sample: a few milliseconds for small payloads, one for the largest.
BYTES_PER_SAMPLE = 4 << 20


def _rounds(size: int) -> int:
    return max(1, min(100, BYTES_PER_SAMPLE // size))


class Worker:
    """A worker (thread or process) answering each payload on its inbox with its length."""

    def __init__(self, kind: str):
        if kind == "thread":
            self.inbox, self.outbox = queue.Queue(), queue.Queue()
            self.unit = threading.Thread(target=length_worker, args=(self.inbox, self.outbox), daemon=True)
        else:
            self.inbox, self.outbox = multiprocessing.Queue(), multiprocessing.Queue()
            self.unit = multiprocessing.Process(target=length_worker, args=(self.inbox, self.outbox), daemon=True)
        self.unit.start()

    def close(self) -> None:
        self.inbox.put(None)
        stop_worker(self.unit, (self.inbox, self.outbox))


@contextmanager
def started(kind: str):
    """A started Worker of ``kind``, closed at the end."""
    w = Worker(kind)
    try:
        yield w
    finally:
        w.close()


def worker_variant(kind: str, payload: bytes, n: int) -> Built:
    """n round trips of ``payload`` to a worker of ``kind``, built off the clock and primed (it has
    started and answers)."""
    return Built(lambda: started(kind), lambda w: Seconds(round_trips(w.inbox, w.outbox, payload, n)))


@pytest.mark.claim("threads-efficient")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("size,thread_as", [pytest.param(size, "thread", id=bytes_label(size)) for size in PAYLOADS] + [
    control("process-as-thread", 10 << 10, "process", why="the 'worker thread' is a worker process, its queue a "
                                                          "multiprocessing.Queue")])
def test_threads_efficient(size, thread_as, scale, benchmark, judge):
    """False if a request/response round trip to a worker process does not take at least 1.25 times
    (MORE_EFFICIENT) as long as to a worker thread, for this payload."""
    payload = b"x" * size
    n = _rounds(size)
    m = Interleaved({"thread": worker_variant(thread_as, payload, n), "process": worker_variant("process", payload, n)},
                    null="process")

    def decision(m):
        return round_trip_decision(m.ratio("process", "thread"), m.null_ratio())

    # Twice the rounds where it straddles: a plant as slow as the process is refuted only once the effect and
    # the A/A null together sit within 1.25 of 1, and a worker process's round trips vary by a tenth.
    m.until_settled(decision, scale.with_budget(2), benchmark)
    d = decision(m)
    e = d.effect
    thread_queue = "planted: a worker process, multiprocessing.Queue" if thread_as != "thread" else "queue.Queue"
    judge.measured(
        e, d, "process round trip / thread round trip", MORE_EFFICIENT_TEXT,
        f"a {bytes_label(size)} payload in, its length back: worker thread ({thread_queue}) "
        f"{fmt_seconds(m.median_s('thread'))}, worker process (multiprocessing.Queue) "
        f"{fmt_seconds(m.median_s('process'))} ({stats.fmt(e.median)}× as long; medians of {m.rounds} rounds of {n} "
        "round trips)",
        data=PayloadRoundTrips(payload_bytes=size,
                               round_trip_s={"thread": m.median_s("thread"), "process": m.median_s("process")},
                               interval_s={n: [m.interval(n).low, m.interval(n).high]
                                           for n in ("thread", "process")}).as_data())
