"""The order variants run in within a round: a Williams design, so no variant's slot carries a bias.

What one variant leaves behind (a CPU's clock, warm caches, GIL state, a pool's threads still
spinning down) lands on whichever runs next. A fixed rotation gives each variant the same
predecessor in most rounds, and that carry-over becomes a bias of its slot. A Williams design
lists n orders (2n for odd n) in which every variant follows every other equally often
(first-order carry-over balanced); the rounds walk through its rows, each cycle of rows in a
seeded random order, and the variants are assigned to the design's positions by the same seed.

Pure functions, standard library only.
"""
from __future__ import annotations

import random
from collections import Counter
from typing import Dict, List, Sequence, Tuple


def williams_rows(n: int) -> List[List[int]]:
    """The rows of a Williams design for ``n`` treatments: each ordered pair (a, b), a != b, is
    adjacent (a right before b) equally often over the rows: once for even n, twice for odd n."""
    if n < 1:
        raise ValueError("a design needs at least one variant")
    if n == 1:
        return [[0]]
    first, lo, hi = [0], 1, n - 1
    while len(first) < n:  # 0, 1, n-1, 2, n-2, ...
        first.append(lo)
        lo += 1
        if len(first) < n:
            first.append(hi)
            hi -= 1
    rows = [[(x + i) % n for x in first] for i in range(n)]
    if n % 2:
        rows += [list(reversed(r)) for r in rows]
    return rows


class BalancedOrder:
    """The order of ``names`` in round r: a row of a Williams design, rows shuffled per cycle by ``seed``."""

    def __init__(self, names: Sequence[str], seed: int):
        self.names = list(names)
        self.seed = seed
        rng = random.Random(seed)
        self._labels = list(self.names)
        rng.shuffle(self._labels)  # which variant sits at which position of the design
        self._rows = williams_rows(len(self.names))
        self._rng = rng
        self._cycle: List[int] = []
        self._cycle_of = -1

    @property
    def cycle_length(self) -> int:
        """Rounds in one full cycle of the design: over each, every predecessor count is equal."""
        return len(self._rows)

    def __call__(self, round_index: int) -> List[str]:
        cycle, at = divmod(round_index, len(self._rows))
        if cycle != self._cycle_of:
            # A fresh cycle: its rows in an order drawn from the seed and the cycle's number alone,
            # so that round r's order does not depend on which rounds were asked for before.
            rows = list(range(len(self._rows)))
            random.Random(f"{self.seed}:{cycle}").shuffle(rows)
            self._cycle, self._cycle_of = rows, cycle
        return [self._labels[i] for i in self._rows[self._cycle[at]]]


def predecessors(orders: Sequence[Sequence[str]]) -> Dict[Tuple[str, str], int]:
    """How often each variant ran right after each other within a round: (before, after) -> count."""
    counts: Counter = Counter()
    for order in orders:
        for a, b in zip(order, order[1:]):
            counts[(a, b)] += 1
    return dict(counts)


def subset_order(order: Sequence[str], only: Sequence[str]) -> List[str]:
    """The round's order kept for the variants in ``only``."""
    keep = set(only)
    return [n for n in order if n in keep]
