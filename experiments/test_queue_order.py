"""Section F: what order a multiprocessing Queue delivers items in."""
from __future__ import annotations

import multiprocessing
import queue

import pytest

from claimbench import probes, verdicts

ITEMS = 5000  # per producer: enough for several producers' feeder threads to overlap
WAIT_S = 20.0


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("queue-keeps-order")
@pytest.mark.parametrize("producers", [1, 3], ids=["one-producer", "three-producers"])
def test_queue_order(producers, judge):
    """False if a producer's items come out of the queue in another order than it put them."""
    ctx = multiprocessing.get_context()
    q = ctx.Queue()
    procs = [ctx.Process(target=probes.produce, args=(q, i, ITEMS)) for i in range(producers)]
    for p in procs:
        p.start()
    received = []
    try:
        # Read while they write: a producer cannot exit before its items leave its feeder thread.
        for _ in range(producers * ITEMS):
            received.append(tuple(q.get(timeout=WAIT_S)))
    except queue.Empty:
        pass
    killed = probes.settle(procs)
    r = probes.order_report(received, producers, ITEMS)
    if r["received"] < r["expected"]:
        verdict = verdicts.INCONCLUSIVE
    else:
        verdict = verdicts.HOLDS if r["per_producer_fifo"] else verdicts.REFUTED
    if producers == 1:
        what = "one producer put 0…{} and the reader got {} items {}".format(
            ITEMS - 1, r["received"], "in exactly that order" if r["per_producer_fifo"] else "out of order")
    else:
        what = ("{} producers put 0…{} each; the reader got {} items, each producer's {}, and the merged "
                "stream changed producer {} times (interleaving is free)").format(
            producers, ITEMS - 1, r["received"], "in its order" if r["per_producer_fifo"] else "NOT in its order",
            r["switches"])
    if killed:
        what += "; " + "; ".join(killed)
    judge(verdicts.observed("queue-keeps-order", "", verdict, what, data=r))
