"""Section F's thresholds and decisions: each threshold one named constant, with one line why.

ipc-throughput-ranks sets shared memory's rate against the better of a Pipe and a Queue, size by size,
and its related finding a concurrent.interpreters Queue's round trip against the same two: ratios of
two ways, so each clears the run's own A/A null, a Pipe measured twice as two channels built apart
(core/decision.py). Experiments and tests import these; claims.py holds the expectations, data.py the
crossover's arithmetic and the stored shape.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

from ...core import stats
from ...core.decision import ABOVE, decide, Decision
from ...core.verdicts import combine, from_decision, INCONCLUSIVE
from . import data as crossover

# ---------------------------------------------------------------- ipc-throughput-ranks
# Shared memory "wins" a payload size when it moves bytes at least half as fast again as the better of
# Pipe and Queue: a stated margin, halfway between a tie (1) and twice as fast (2).
WINS = 1.5
# Payloads below the crossover are fixed in advance, not chosen by their own intervals: those under
# 64 KiB, a Pipe's kernel buffer, which one write and one read move whole.
BELOW_UNDER = 64 << 10


def size_decision(effect: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """Shared memory's rate over the better of Pipe and Queue at one size above WINS, beyond the A/A
    null at that size (a second Pipe over the first)."""
    return decide(effect, WINS, ABOVE, null)


def crossover_of(sizes: Sequence[int], effects: Sequence[stats.Interval],
                 nulls: Sequence[Optional[stats.Interval]]) -> crossover.Crossover:
    """The sweep's crossover, each size decided against WINS and its own null."""
    return crossover.find(sizes, effects, WINS,
                          decisions=[size_decision(e, n) for e, n in zip(effects, nulls)])


def above_verdict(c: crossover.Crossover) -> str:
    """holds: the sweep has a winning tail (its largest size a decided win); refuted: the largest size
    is decided no win; else inconclusive."""
    return crossover.above_verdict(c)


def below_points(c: crossover.Crossover) -> Tuple[crossover.SizeEffect, ...]:
    """The sizes under BELOW_UNDER: the related finding's, fixed before anything is measured."""
    return tuple(p for p in c.points if p.size < BELOW_UNDER)


def below_verdict(c: crossover.Crossover) -> str:
    """Does shared memory win under BELOW_UNDER? Each decided size votes (one whose interval straddles
    votes for neither): all wins hold, no wins refute, a mix is partly; none decided is inconclusive."""
    votes = [from_decision(p.decision) for p in below_points(c) if p.decision != stats.STRADDLES]
    return combine(votes) if votes else INCONCLUSIVE


def below_shown(c: crossover.Crossover) -> crossover.SizeEffect:
    """The size to show for the below finding: the first that votes as the finding came out, else the first."""
    points = below_points(c) or c.points[:1]
    verdict = below_verdict(c)
    return next((p for p in points if from_decision(p.decision) == verdict), points[0])


def copy_out_decision(effect: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """The related finding: shared memory with the receiver copying the payload out of the block, over
    the better of Pipe and Queue, at the largest size: against the same WINS, beyond the same null."""
    return decide(effect, WINS, ABOVE, null)


# ---------------------------------------------------------------- related: a sub-interpreter's queue
# A concurrent.interpreters Queue "hands a payload over faster" than the better of a Pipe and a
# multiprocessing Queue when a round trip is half as fast again: a stated margin, halfway between a tie
# and twice as fast, as for shared memory above.
FASTER = 1.5


def faster_decision(best_over_interpreter_queue: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """The better of Pipe and Queue's round-trip time over the interpreter queue's above FASTER, beyond
    the A/A null (a second Pipe over the first)."""
    return decide(best_over_interpreter_queue, FASTER, ABOVE, null)
