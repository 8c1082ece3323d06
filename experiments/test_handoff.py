"""Handing control back and forth: two coroutines, two threads, two processes.

The way the claim compares against (threads, processes) is measured twice, as the run's own null:
two threads start a peer thread of their own for every sample (so every sample is an instance
built apart); two processes are two echo processes, each started off the clock, primed and rebuilt
every few rounds (measure.Built), so where one happens to run is sampled, not fixed for the test.
"""
from __future__ import annotations

import multiprocessing
from contextlib import contextmanager

import pytest

from claimbench.core import stats
from claimbench.core.labels import fmt_seconds
from claimbench.core.measure import Built, Interleaved, Seconds
from claimbench.core.roles import control
from claimbench.families.c_cost.child.handoffs import (coroutine_ping_pong, pipe_echo_loop, pipe_ping_pong,
                                                       thread_ping_pong)
from claimbench.families.c_cost.data import RoundTrips
from claimbench.families.c_cost.decide import switch_decision, SWITCH_FASTER_TEXT

# Round trips per sample: a few milliseconds of each.
ROUND_TRIPS = 300


@contextmanager
def echo_process():
    """A process answering every object on a Pipe (our end of it); its start-up is not measured."""
    here, there = multiprocessing.Pipe()
    p = multiprocessing.Process(target=pipe_echo_loop, args=(there,), daemon=True)
    p.start()
    there.close()
    try:
        yield here
    finally:
        try:
            here.send(None)
        except OSError:
            pass
        p.join(10)
        if p.is_alive():
            p.kill()
            p.join()
        here.close()


HOW = {"threads": "queue.Queue both ways", "processes": "a Pipe to an echo process"}


def theirs(other: str):
    """The variant of the way compared against: an echo process (built) or two threads."""
    if other == "processes":
        return Built(echo_process, lambda conn: Seconds(pipe_ping_pong(conn, ROUND_TRIPS)))
    return lambda: Seconds(thread_ping_pong(ROUND_TRIPS))


@pytest.mark.claim("coroutine-switch-cheaper")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("other,mine", [
    pytest.param("threads", coroutine_ping_pong, id="threads"),
    pytest.param("processes", coroutine_ping_pong, id="processes"),
    control("threads-as-coroutines", "threads", thread_ping_pong,
            why="the 'coroutines' hand over through queue.Queue between two threads"),
])
def test_coroutine_switch_cheaper(other, mine, scale, benchmark, judge):
    """False if a round trip between two threads (two processes) does not take at least 1.25 times
    (SWITCH_FASTER) as long as between two coroutines."""
    m = Interleaved({"coroutines": lambda: Seconds(mine(ROUND_TRIPS)), other: theirs(other)}, null=other)

    def decision(m):
        return switch_decision(m.ratio(other, "coroutines"), m.null_ratio())

    # Four times the rounds where it straddles: a plant as fast as the threads is refuted only once the effect
    # and the A/A null together sit within 1.25 of 1, and thread handoffs vary with where the two threads run:
    # by a tenth from sample to sample on 3.11 here, from 13 to 60 µs on Debian's 3.14 and 3.15 (one CPU or two,
    # the VM's second vCPU coming and going), where twice the rounds left the control undecided.
    m.until_settled(decision, scale.with_budget(4), benchmark)
    d = decision(m)
    e = d.effect
    through = "asyncio.Queue" if mine is coroutine_ping_pong else "queue.Queue (planted: they are threads)"
    judge.measured(
        e, d, f"{other} round trip / coroutines round trip", SWITCH_FASTER_TEXT,
        f"one round trip (there and back) between two coroutines through {through}: "
        f"{fmt_seconds(m.median_s('coroutines'))}; between two {other} through {HOW[other]}: "
        f"{fmt_seconds(m.median_s(other))} ({stats.fmt(e.median)}× as long; medians of {m.rounds} rounds of "
        f"{ROUND_TRIPS} round trips)",
        data={**RoundTrips(round_trip_s={"coroutines": m.median_s("coroutines"), other: m.median_s(other)},
                           interval_s={n: [m.interval(n).low, m.interval(n).high]
                                       for n in ("coroutines", other)}).as_data(),
              "how": HOW[other]})
