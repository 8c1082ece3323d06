"""Section C's thresholds and decisions: each threshold one named constant, with one line why.

None of the cost claims names an ideal that the same rounds could measure, so each threshold is a
stated margin as CLAIMS.md ("Deciding") reads the notes' word: 1.5× for "much", 1.25× for "faster"
and "more efficient", a tenth for "negligible". Every decision also clears the run's own A/A null,
the way the claim compares against measured twice as two instances built apart (core/decision.py).
Experiments and tests import these; claims.py holds the expectations.
"""
from __future__ import annotations

from typing import List, Optional

from ...core import stats
from ...core.decision import ABOVE, BELOW, decide, Decision, shown
from ...core.stats import all_of

# ---------------------------------------------------------------- process-creation-expensive
# 创建代价大 "costly to create" read as "much dearer" than a thread: CLAIMS.md's margin for "much".
EXPENSIVE = 1.5
EXPENSIVE_TEXT = f"> {EXPENSIVE} (much dearer than a thread: CLAIMS.md's margin for \"much\")"


def creation_decision(dearer_over_thread: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """A process's (a sub-interpreter's) start and join over a thread's above EXPENSIVE, beyond the A/A
    null of a thread's cost in two sandboxes built apart."""
    return decide(dearer_over_thread, EXPENSIVE, ABOVE, null)


# ---------------------------------------------------------------- coroutine-creation-negligible
# 完全可以忽略 "completely negligible": an order of magnitude below, a term that does not move the first
# digit of a thread's cost it is added to (halfway, on a log scale, between as dear and a hundredth).
NEGLIGIBLE = 0.1
NEGLIGIBLE_TEXT = f"< {NEGLIGIBLE} (an order of magnitude below a thread's: negligible beside it)"


def negligible_decision(coroutine_over_thread: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """A coroutine's (a task's) create-and-run over a thread's start and join below NEGLIGIBLE, beyond the
    A/A null of a thread's cost in two sandboxes built apart."""
    return decide(coroutine_over_thread, NEGLIGIBLE, BELOW, null)


# ---------------------------------------------------------------- coroutine-switch-cheaper
# 为何比线程还快 "why it is even faster than threads": "faster", CLAIMS.md's margin of a quarter.
SWITCH_FASTER = 1.25
SWITCH_FASTER_TEXT = f"> {SWITCH_FASTER} (faster than threads: CLAIMS.md's margin for \"faster\")"


def switch_decision(theirs_over_coroutines: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """Two threads' (processes') round trip over two coroutines' above SWITCH_FASTER, beyond the A/A null
    of the threads' (two echo processes') round trip measured twice."""
    return decide(theirs_over_coroutines, SWITCH_FASTER, ABOVE, null)


# ---------------------------------------------------------------- threads-efficient
# 多线程优点：效率高 "threads: efficient", against processes: CLAIMS.md's margin for "more efficient".
MORE_EFFICIENT = 1.25
MORE_EFFICIENT_TEXT = f"> {MORE_EFFICIENT} (threads more efficient: CLAIMS.md's margin for \"more efficient\")"


def round_trip_decision(process_over_thread: stats.Interval, null: Optional[stats.Interval] = None) -> Decision:
    """A worker process's request/response round trip over a worker thread's above MORE_EFFICIENT, beyond
    the A/A null of two worker processes built apart."""
    return decide(process_over_thread, MORE_EFFICIENT, ABOVE, null)


# ---------------------------------------------------------------- coroutines-handle-more-tasks
# 可以处理更多的任务 "can handle more tasks", read as "much more" on the same machine: threads and
# processes must need 1.5× the memory and 1.5× the time overhead per wait (CLAIMS.md's margin for "much").
MORE = 1.5
MORE_TEXT = f"> {MORE} for memory and for time overhead per wait (much more: CLAIMS.md's margin for \"much\")"


def many_waits_parts(memory: stats.Interval, time: stats.Interval, memory_null: Optional[stats.Interval] = None,
                     time_null: Optional[stats.Interval] = None) -> List[Decision]:
    """[their memory / coroutines' per wait above MORE, their time overhead / coroutines' above MORE], each
    beyond its A/A null (the way compared against measured twice: its memory, its time overhead)."""
    return [decide(memory, MORE, ABOVE, memory_null), decide(time, MORE, ABOVE, time_null)]


def many_waits_decision(memory: stats.Interval, time: stats.Interval, memory_null: Optional[stats.Interval] = None,
                        time_null: Optional[stats.Interval] = None) -> str:
    """Both parts must hold; one that is refuted settles the case."""
    return all_of([d.outcome for d in many_waits_parts(memory, time, memory_null, time_null)])


def shown_part(parts: List[Decision], outcome: str) -> Decision:
    """The part whose numbers a multi-part case stores (``decision.shown``): the one that refuted it
    (the memory where both did), the one inside its null or undecided, else the first (memory)."""
    return shown(parts, outcome)
