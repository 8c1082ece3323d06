"""Section F: what order a multiprocessing Queue delivers items in."""
from __future__ import annotations

import multiprocessing
import queue

import pytest

from claimbench import probes, verdicts

ITEMS = 2000  # per producer: enough for several producers' feeder threads to overlap
WAIT_S = 20.0
PRODUCERS = [pytest.param(1, id="one-producer"), pytest.param(3, id="three-producers")]


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("queue-keeps-order")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn")
@pytest.mark.parametrize("producers", PRODUCERS)
def test_queue_order(producers, way, judge):
    """False if a producer's items come out of the queue in another order than it put them."""
    ctx = multiprocessing.get_context(way.start_method)
    judge(queue_order(ctx, ctx.Queue(), producers))


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("queue-keeps-order")
@pytest.mark.control(name="two-queues-as-one",
                     why="the 'queue' spreads each producer's items over two Queues and reads them back "
                         "alternately, the second queue first")
@pytest.mark.parametrize("producers", PRODUCERS)
def test_control_queue_order(producers, judge):
    ctx = multiprocessing.get_context()
    judge(queue_order(ctx, probes.TwoQueuesPosingAsOne(ctx), producers))


def queue_order(ctx, q, producers: int) -> verdicts.Verdict:
    together = ctx.Barrier(producers)  # however long each takes to start, they put at the same time
    procs = [ctx.Process(target=probes.produce, args=(q, i, ITEMS, together)) for i in range(producers)]
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
    r["start_method"] = ctx.get_start_method()
    if r["received"] < r["expected"]:
        verdict = verdicts.INCONCLUSIVE
    elif producers > 1 and r["switches"] < producers:
        verdict = verdicts.INCONCLUSIVE  # one producer after another: their order was never put to the test
    else:
        verdict = verdicts.HOLDS if r["per_producer_fifo"] else verdicts.REFUTED
    if producers == 1:
        what = "one {} producer put 0…{} and the reader got {} items {}".format(
            ctx.get_start_method(), ITEMS - 1, r["received"],
            "in exactly that order" if r["per_producer_fifo"] else "out of order")
    else:
        what = ("{} {} producers put 0…{} each; the reader got {} items, each producer's {}, and the merged "
                "stream changed producer {} times (interleaving is free)").format(
            producers, ctx.get_start_method(), ITEMS - 1, r["received"],
            "in its order" if r["per_producer_fifo"] else "NOT in its order", r["switches"])
    if killed:
        what += "; " + "; ".join(killed)
    return verdicts.observed("queue-keeps-order", "", verdict, what, data=r)
