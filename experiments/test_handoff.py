"""Handing control back and forth: two coroutines, two threads, two processes."""
from __future__ import annotations

import multiprocessing

import pytest

from claimbench.core import stats
from claimbench.core.labels import fmt_seconds
from claimbench.core.measure import Interleaved, Seconds
from claimbench.core.roles import control
from claimbench.families.c_cost.child import coroutine_ping_pong, pipe_echo_loop, pipe_ping_pong, thread_ping_pong
from claimbench.families.c_cost.data import RoundTrips

# "Cheaper": by a quarter at least, so that a difference inside this machine's
# round-to-round noise on microsecond round trips does not count.
CHEAPER = 1.25
# Round trips per sample: a few milliseconds of each.
ROUND_TRIPS = 300


@pytest.fixture
def echo_process():
    """A process answering every object on a Pipe; its start-up is not measured."""
    here, there = multiprocessing.Pipe()
    p = multiprocessing.Process(target=pipe_echo_loop, args=(there,), daemon=True)
    p.start()
    there.close()
    try:
        pipe_ping_pong(here, 10)  # it has started and answers
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


@pytest.mark.claim("coroutine-switch-cheaper")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("other,mine", [
    pytest.param("threads", coroutine_ping_pong, id="threads"),
    pytest.param("processes", coroutine_ping_pong, id="processes"),
    control("threads-as-coroutines", "threads", thread_ping_pong,
            why="the 'coroutines' hand over through queue.Queue between two threads"),
])
def test_coroutine_switch_cheaper(other, mine, request, scale, benchmark, judge):
    """False if a round trip between two coroutines is not at least a quarter cheaper than
    between two threads (two processes)."""
    if other == "processes":
        conn = request.getfixturevalue("echo_process")
        theirs = lambda: Seconds(pipe_ping_pong(conn, ROUND_TRIPS))  # noqa: E731
    else:
        theirs = lambda: Seconds(thread_ping_pong(ROUND_TRIPS))  # noqa: E731
    m = Interleaved({"coroutines": lambda: Seconds(mine(ROUND_TRIPS)), other: theirs})

    def effect(m):
        return m.ratio(other, "coroutines")

    decision = m.until_settled(lambda m: stats.above(effect(m), CHEAPER), scale, benchmark)
    e = effect(m)
    judge.measured(
        e, decision, "{} round trip / coroutines round trip".format(other),
        "> {}".format(CHEAPER),
        "one round trip (there and back) between two coroutines through {}: {}; between two {} "
        "through {}: {} ({}× as long; medians of {} rounds of {} round trips)".format(
            "asyncio.Queue" if mine is coroutine_ping_pong else "queue.Queue (planted: they are threads)",
            fmt_seconds(m.median_s("coroutines")), other, HOW[other], fmt_seconds(m.median_s(other)),
            stats.fmt(e.median), m.rounds, ROUND_TRIPS),
        data={**RoundTrips(round_trip_s={"coroutines": m.median_s("coroutines"), other: m.median_s(other)},
                           interval_s={n: [m.interval(n).low, m.interval(n).high]
                                       for n in ("coroutines", other)}).as_data(),
              "how": HOW[other]})
