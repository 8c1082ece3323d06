"""Section F: what order a multiprocessing Queue delivers items in."""
from __future__ import annotations

import queue
from contextlib import ExitStack

import pytest

from claimbench.core import subinterpreters, verdicts, workloads
from claimbench.core.roles import control, related
from claimbench.core.ways import PlantedWay
from claimbench.core.workloads import REPORT_WAIT_S
from claimbench.families.f_communication.child import interpreter_queues, order

ITEMS = 2000  # per producer: enough for several producers' feeder threads to overlap
PRODUCERS = [pytest.param(1, id="one-producer"), pytest.param(3, id="three-producers")]


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("queue-keeps-order")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("two-queues-as-one", PlantedWay(plant=order.TwoQueuesPosingAsOne),
                          why="the 'queue' spreads each producer's items over two Queues and reads them back "
                              "alternately, the second queue first"))
@pytest.mark.parametrize("producers", PRODUCERS)
def test_queue_order(producers, way, judge):
    """False if a producer's items come out of the queue in another order than it put them. The control's
    plant makes its 'queue' of the context's."""
    ctx = way.context()
    judge(queue_order(ctx, way.plant(ctx) if way.planted else ctx.Queue(), producers))


# Per sub-interpreter: each one starts a little after the one before (a thread, a call into its
# interpreter), so each puts for longer than that, tens of milliseconds, for their puts to overlap.
INTERPRETER_ITEMS = 20000
INTERPRETER_PRODUCERS = [
    related("interpreter-queue-one-producer", subinterpreters.create_queue, 1,
            why="a concurrent.interpreters Queue (3.14+), put to from a sub-interpreter"),
    related("interpreter-queue-three-producers", subinterpreters.create_queue, 3,
            why="a concurrent.interpreters Queue (3.14+), put to from three sub-interpreters at once"),
] + [control("two-interpreter-queues-as-one", interpreter_queues.two_queues_posing_as_one, n,
             id=f"control-two-interpreter-queues-as-one-{p.id}",
             why="the 'queue' spreads each producer's items over two interpreters queues and reads them "
                 "back alternately, the second queue first") for p, n in zip(PRODUCERS, (1, 3))]


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("queue-keeps-order")
@pytest.mark.parametrize("make_queue, producers", INTERPRETER_PRODUCERS)
def test_interpreter_queue_order(make_queue, producers, judge):
    """False if a sub-interpreter's items come out of a concurrent.interpreters Queue in another
    order than it put them."""
    judge(interpreter_queue_order(make_queue(), producers))


def interpreter_queue_order(q, producers: int) -> verdicts.Verdict:
    """Each producer a thread of its own sub-interpreter; this (the main) interpreter reads."""
    received = []
    with ExitStack() as stack:
        interps = [stack.enter_context(subinterpreters.interpreter()) for _ in range(producers)]
        for interp in interps:  # imported before any starts, so that they put at about the same time
            interp.exec("import claimbench.families.f_communication.child")
        threads = [interp.call_in_thread(order.produce, q, i, INTERPRETER_ITEMS) for i, interp in enumerate(interps)]
        try:
            for _ in range(producers * INTERPRETER_ITEMS):
                received.append(tuple(q.get(timeout=int(REPORT_WAIT_S))))
        except queue.Empty:
            pass
        for t in threads:
            t.join(REPORT_WAIT_S)
        stuck = sum(t.is_alive() for t in threads)
        if stuck:  # an interpreter cannot be closed while it runs: leave it, and say so
            stack.pop_all()
    r = order.order_report(received, producers, INTERPRETER_ITEMS)
    verdict = order_verdict(r, producers)
    last = INTERPRETER_ITEMS - 1
    if producers == 1:
        what = f"one sub-interpreter put 0…{last} on a concurrent.interpreters Queue and the main interpreter got " \
               f"{r['received']} items {'in exactly that order' if r['per_producer_fifo'] else 'out of order'}"
    else:
        what = (f"{producers} sub-interpreters put 0…{last} each on one concurrent.interpreters Queue; the main "
                f"interpreter got {r['received']} items, each producer's "
                f"{'in its order' if r['per_producer_fifo'] else 'NOT in its order'}, and the merged stream changed "
                f"producer {r['switches']} times (interleaving is free)")
    if stuck:
        what += f"; {stuck} producer(s) still running after {REPORT_WAIT_S} s, their interpreters left open"
    return verdicts.observed("queue-keeps-order", "", verdict, what, data=r)


def order_verdict(r: dict, producers: int) -> str:
    if r["received"] < r["expected"]:
        return verdicts.INCONCLUSIVE
    if producers > 1 and r["switches"] < producers:
        return verdicts.INCONCLUSIVE  # one producer after another: their order was never put to the test
    return verdicts.HOLDS if r["per_producer_fifo"] else verdicts.REFUTED


def queue_order(ctx, q, producers: int) -> verdicts.Verdict:
    together = ctx.Barrier(producers)  # however long each takes to start, they put at the same time
    procs = [ctx.Process(target=order.produce, args=(q, i, ITEMS, together)) for i in range(producers)]
    for p in procs:
        p.start()
    received = []
    try:
        # Read while they write: a producer cannot exit before its items leave its feeder thread.
        for _ in range(producers * ITEMS):
            received.append(tuple(q.get(timeout=REPORT_WAIT_S)))
    except queue.Empty:
        pass
    killed = workloads.settle(procs)
    r = order.order_report(received, producers, ITEMS)
    r["start_method"] = ctx.get_start_method()
    verdict = order_verdict(r, producers)
    if producers == 1:
        what = f"one {ctx.get_start_method()} producer put 0…{ITEMS - 1} and the reader got {r['received']} items " \
               f"{'in exactly that order' if r['per_producer_fifo'] else 'out of order'}"
    else:
        kept = "in its order" if r["per_producer_fifo"] else "NOT in its order"
        what = (f"{producers} {ctx.get_start_method()} producers put 0…{ITEMS - 1} each; the reader got "
                f"{r['received']} items, each producer's {kept}, and the merged stream changed producer "
                f"{r['switches']} times (interleaving is free)")
    if killed:
        what += "; " + "; ".join(killed)
    return verdicts.observed("queue-keeps-order", "", verdict, what, data=r)
