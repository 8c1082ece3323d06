"""Handing work and data to a worker thread and to a worker process."""
from __future__ import annotations

import multiprocessing
import queue
import threading

import pytest

from claimbench.core import stats
from claimbench.core.labels import bytes_label, fmt_seconds
from claimbench.core.measure import Interleaved, Seconds
from claimbench.core.roles import control
from claimbench.families.c_cost.child import length_worker, round_trips
from claimbench.families.c_cost.data import PayloadRoundTrips

# "Efficient": a thread's round trip must be a quarter cheaper at least, so that a
# difference inside the noise of microsecond round trips does not count.
CHEAPER = 1.25
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
        self.unit.join(10)
        if isinstance(self.unit, multiprocessing.Process):
            if self.unit.is_alive():
                self.unit.kill()
                self.unit.join()
            for q in (self.inbox, self.outbox):
                q.close()
                q.join_thread()


@pytest.fixture
def workers(request):
    """{"thread": a worker thread, "process": a worker process}; the control's "thread" is a process."""
    made = {}
    planted = request.node.get_closest_marker("control") is not None
    try:
        made["thread"] = Worker("process" if planted else "thread")
        made["process"] = Worker("process")
        yield made
    finally:
        for w in made.values():
            w.close()


@pytest.mark.claim("threads-efficient")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("size", PAYLOADS + [
    control("process-as-thread", 10 << 10, why="the 'worker thread' is a worker process, its queue a "
                                               "multiprocessing.Queue")],
    ids=lambda size: bytes_label(size) if isinstance(size, int) else None)
def test_threads_efficient(size, workers, scale, benchmark, judge):
    """False if a request/response round trip to a worker thread is not at least a quarter cheaper
    than to a worker process, for this payload."""
    payload = b"x" * size
    n = _rounds(size)
    for w in workers.values():  # both have started and answer
        round_trips(w.inbox, w.outbox, payload, 2)
    m = Interleaved({kind: (lambda w=w: Seconds(round_trips(w.inbox, w.outbox, payload, n)))
                     for kind, w in workers.items()})

    def effect(m):
        return m.ratio("process", "thread")

    decision = m.until_settled(lambda m: stats.above(effect(m), CHEAPER), scale, benchmark)
    e = effect(m)
    judge.measured(
        e, decision, "process round trip / thread round trip",
        "> {}".format(CHEAPER),
        "a {} payload in, its length back: worker thread (queue.Queue) {}, worker process "
        "(multiprocessing.Queue) {} ({}× as long; medians of {} rounds of {} round trips)".format(
            bytes_label(size), fmt_seconds(m.median_s("thread")), fmt_seconds(m.median_s("process")),
            stats.fmt(e.median), m.rounds, n),
        data=PayloadRoundTrips(payload_bytes=size,
                               round_trip_s={"thread": m.median_s("thread"), "process": m.median_s("process")},
                               interval_s={n: [m.interval(n).low, m.interval(n).high]
                                           for n in ("thread", "process")}).as_data())
