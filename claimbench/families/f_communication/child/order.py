"""Queue order: producers putting numbered items, the plant (two queues posing as one), and how the
merged stream came out."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from ....core.workloads import CHILD_WAIT_S


def produce(q, producer: int, items: int, together=None) -> None:
    """Worker: put (producer, 0), (producer, 1), … on the queue, once every producer has
    reached the ``together`` Barrier (None: at once)."""
    if together is not None:
        together.wait(CHILD_WAIT_S)
    for i in range(items):
        q.put((producer, i))


class TwoQueuesPosingAsOne:
    """Plant: a "queue" that spreads each producer's items over two Queues (item i to queue
    i % 2) and reads them back alternately, the second queue first: order breaks."""

    def __init__(self, ctx):
        self._queues = (ctx.Queue(), ctx.Queue())
        self._puts = 0
        self._gets = 0

    def put(self, item) -> None:
        self._queues[self._puts % 2].put(item)
        self._puts += 1

    def get(self, block: bool = True, timeout: Optional[float] = None):
        q = self._queues[1 - self._gets % 2]
        self._gets += 1
        return q.get(block, timeout)


def order_report(received: Sequence[Tuple[int, int]], producers: int, items: int) -> dict:
    """How the merged stream of several producers came out.

    ``per_producer_fifo``: each producer's items arrived in the order it put
    them, none missing; ``switches``: how often the stream changed producer.
    """
    seen: Dict[int, List[int]] = {p: [] for p in range(producers)}
    for producer, i in received:
        seen.setdefault(producer, []).append(i)
    fifo = all(seen.get(p) == list(range(items)) for p in range(producers)) and len(seen) == producers
    switches = sum(1 for a, b in zip(received, received[1:]) if a[0] != b[0])
    return {"per_producer_fifo": fifo, "switches": switches, "received": len(received),
            "expected": producers * items}
