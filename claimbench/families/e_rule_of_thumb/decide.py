"""Section E's thresholds and decisions: each threshold one named constant, with one line why.

CPU-bound → processes is judged against an ideal the same rounds measure (the machine's parallel
capacity now: real processes over sequential); I/O-bound → threads against the ideal k-fold
overlap and a stated margin for "more efficient"; the GIL released on a wait against halfway between
a full pace and a shared GIL's half. Every decision also clears the run's own A/A null
(core/decision.py). Experiments and tests import these; claims.py holds the expectations.
"""
from __future__ import annotations

import math

from typing import List, Optional, Sequence

from ...core import stats
from ...core.decision import ABOVE, decide, Decision
from ...core.stats import all_of
from ...claims.pace import pace_decision

# ---------------------------------------------------------------- cpu-bound-favours-processes
# Nothing is decided unless real processes beat one process by at least this much in the same
# rounds (CLAIMS.md): below it the machine cannot show parallel work now, and neither answer means anything.
MIN_CAPACITY = 1.5


def favours_processes_threshold(capacity: float) -> float:
    """Halfway between no effect (1: threads as fast as processes, no GIL) and the ideal (the
    parallel capacity: threads as slow as one process, a GIL), for threads time / processes time."""
    return (1.0 + capacity) / 2.0


def against_halfway(threads: Sequence[float], processes: Sequence[float], sequential: Sequence[float],
                    real: Optional[Sequence[float]] = None) -> stats.Interval:
    """Round by round, threads / processes over halfway between 1 and the capacity (sequential / real
    processes; ``real`` is ``processes`` unless a plant fills that slot).

    Where the processes are real, that is threads' time over the point halfway between processes' and
    sequential time. Deciding it round by round puts the capacity's own noise into the interval (with
    the capacity's median as a fixed threshold, a noisy sequential way made 9 runs in 10 on the
    threshold decisive in simulation: tests/test_noise.py)."""
    real = processes if real is None else real
    return stats.median_interval([(t / p) / ((1.0 + s / q) / 2.0)
                                  for t, p, s, q in zip(threads, processes, sequential, real) if p > 0 and q > 0])


# ... and its interval's low end must stay near it: rounds where a second CPU fades slow the processes
# and the capacity alike, and a capacity interval reaching well under 1.5 means some did (in simulation,
# tests/test_noise.py: the median gate alone let 6.7 % of runs on the threshold decide, 1.25 here 5.8 %,
# 1.4 4.2 % [3.4, 5.1], 1.45 under 5 % with its whole interval).
STEADY_CAPACITY = 1.45


def unsteady_capacity(capacity: stats.Interval) -> str:
    return (f"not settled: real processes ran {stats.fmt(capacity.median)}× as fast as one process, but in some "
            f"rounds far less (interval {capacity}, its low end under {STEADY_CAPACITY}×): a CPU came and went")


def no_capacity(capacity: stats.Interval, usable_cpus: int) -> str:
    # Rounded down, so that a median just under the gate does not read as the gate (1.496: "1.49", not "1.5").
    below = f"{math.floor(capacity.median * 100) / 100:.2f}" if math.isfinite(capacity.median) else "no"
    return (f"not testable now: real processes reached only {below}× over one process "
            f"(needed ≥ {MIN_CAPACITY}×), so the {usable_cpus} CPUs are busy with other work or share a core")


def cpu_bound_decision(threads: Sequence[float], processes: Sequence[float], sequential: Sequence[float],
                       null: Optional[stats.Interval] = None, usable_cpus: int = 0,
                       capacity_from: Optional[Sequence[float]] = None) -> Decision:
    """Threads' time above halfway between processes' and sequential time (threads / processes above
    halfway to the parallel capacity), beyond the A/A null of two thread pools; gated (inconclusive,
    settled) where real processes' median speed-up over sequential is under MIN_CAPACITY. ``capacity_from``: real processes' times where a plant
    fills the processes' slot (the capacity is always real processes')."""
    real = processes if capacity_from is None else capacity_from
    capacity = stats.ratio_interval(sequential, real)
    d = decide(against_halfway(threads, processes, sequential, real), 1.0, ABOVE, null)
    # The gate reads the capacity's median: its noise is already in the effect's interval (decided
    # round by round against that round's capacity), and asking its whole interval to clear 1.5 as
    # well left a 2-core VM whose processes ran 1.7x faster inconclusive after 48 rounds.
    if capacity.median < MIN_CAPACITY:
        return d.gated(stats.OUTSIDE, no_capacity(capacity, usable_cpus))
    if capacity.low < STEADY_CAPACITY:
        return d.gated(stats.STRADDLES, unsteady_capacity(capacity))
    return d


def cpu_bound_verdict(threads: Sequence[float], processes: Sequence[float], sequential: Sequence[float],
                      null: Optional[stats.Interval] = None, capacity_from: Optional[Sequence[float]] = None) -> str:
    return cpu_bound_decision(threads, processes, sequential, null, capacity_from=capacity_from).verdict()


# ---------------------------------------------------------------- io-bound-favours-threads
# Threads must get at least halfway to the ideal k-fold speed-up on waits: halfway between
# waits that do not overlap at all (speed-up / k = 1/k, near 0) and waits that all overlap (1).
IDEAL_FRACTION = 0.5
# "More efficient" (CLAIMS.md's margin for it): processes must spend at least a quarter more CPU
# time on the same work than threads, wherever it ran (this process and the pool's workers).
THREADS_CHEAPER = 1.25


def io_bound_parts(overlap: stats.Interval, cost: stats.Interval, null: Optional[stats.Interval] = None,
                   cost_null: Optional[stats.Interval] = None) -> List[Decision]:
    """[threads' speed-up / k above IDEAL_FRACTION, processes' CPU / threads' CPU above THREADS_CHEAPER],
    each beyond its A/A null (two thread pools' wall time, and their CPU time)."""
    return [decide(overlap, IDEAL_FRACTION, ABOVE, null), decide(cost, THREADS_CHEAPER, ABOVE, cost_null)]


def io_bound_decision(overlap: stats.Interval, cost: stats.Interval, null: Optional[stats.Interval] = None,
                      cost_null: Optional[stats.Interval] = None) -> str:
    """Both parts must hold; one that is refuted settles the case."""
    return all_of([d.outcome for d in io_bound_parts(overlap, cost, null, cost_null)])


def io_bound_shortfall(overlap: stats.Interval, cost: stats.Interval) -> str:
    """What refuted the case, in words; empty unless a part is refuted."""
    too_little, no_cheaper = (d.outcome == stats.OUTSIDE for d in io_bound_parts(overlap, cost))
    return "; ".join(
        ([f"threads overlap too little of it ({stats.fmt(overlap.median)} of the ideal, needed > {IDEAL_FRACTION})"]
         if too_little else []) +
        ([f"threads are not cheaper (processes spend {stats.fmt(cost.median)}× their CPU, needed > "
          f"{THREADS_CHEAPER}×)"] if no_cheaper else []))


# ---------------------------------------------------------------- gil-released-on-io-wait
# A counting thread's pace beside a thread blocked in a wait, over its pace alone: 1 where the wait
# released the GIL, ½ beside a thread that shares it (one thread at a time), lower where the wait keeps
# it. Halfway between 1 and ½:
WAIT_PACE = 0.75


def wait_pace_decision(pace: stats.Interval, yardstick: stats.Interval,
                       null: Optional[stats.Interval] = None) -> Decision:
    """The pace beside the waiter above WAIT_PACE beyond the A/A null, gated by the yardstick of a shared
    GIL (claims/pace.py, shared with sleep-releases-gil)."""
    return pace_decision(pace, yardstick, WAIT_PACE, null)
