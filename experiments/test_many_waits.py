"""Many concurrent waits: coroutines against threads and processes, in time and memory.

Each measurement runs in a process forked from a sandbox interpreter for it alone,
so its memory growth is its own: coroutines and threads are the growth of that
process's RSS while all N wait at once; processes are the sum of their own USS.
Time is the wall time from the first unit started to the last one done, for N
waits of T each, started as fast as the way allows.

The way the claim compares against (threads, processes) is measured twice, as the run's own null
(its memory and its time overhead, each with its own records). Every sample already runs in a
process forked for it alone, its units started anew, so each sample is an instance built apart:
there is nothing that lives across rounds to rebuild.
"""
from __future__ import annotations

import pytest

from claimbench.core import stats, verdicts
from claimbench.core.labels import COROUTINES, fmt_bytes, fmt_seconds, PROCESSES, THREADS
from claimbench.core.measure import Interleaved, Seconds, twin_name
from claimbench.core.roles import control
from claimbench.core.sandbox import Sandbox
from claimbench.families.c_cost import child as cost_child
from claimbench.families.c_cost.child.limits import ladder
from claimbench.families.c_cost.child.waits import per_unit_overhead_s
from claimbench.families.c_cost.data import WaitLadder, WaitPoint
from claimbench.families.c_cost.decide import many_waits_decision, many_waits_parts, MORE_TEXT, shown_part

# N for the verdict's rounds: each way where its per-wait figure is precise (coroutines need
# a thousand for their RSS growth to span many pages) and cheap enough to repeat. Threads and
# processes cost more per wait at larger N (see the plot), so small N favours them.
VERDICT_N = {COROUTINES: 1000, THREADS: 100, PROCESSES: 10}
STEPS = (10, 100, 1000, 10000)

COST_CHILD = cost_child.__name__  # the sandbox runs this family's child code as -m


def caps(scale, machine_limit):
    """({way: largest N timed}, {way: largest N whose memory is read}, {way: why it stops there})."""
    wall = {COROUTINES: 10000, THREADS: 10000 if scale.unit_s >= 1 else 1000, PROCESSES: 1000 if scale.unit_s >= 1 else 100}
    memory = {COROUTINES: 10000, THREADS: 10000 if scale.unit_s >= 1 else 1000, PROCESSES: wall[PROCESSES]}
    why = {THREADS: "", PROCESSES: f"processes stop at {wall[PROCESSES]:,} for this scale's time budget"}
    if wall[THREADS] < 10000:
        why[THREADS] = "below the seed scale threads stop at 1 000 (10 000 take seconds here)"
    elif memory[THREADS] < wall[THREADS]:
        why[THREADS] = "the memory of 10 000 threads is not read: parking them all takes ≈3 s here"
    if machine_limit is not None and machine_limit < wall[PROCESSES]:
        wall[PROCESSES] = memory[PROCESSES] = max([n for n in STEPS if n <= machine_limit] or [0])
        why[PROCESSES] = f"processes stop at {wall[PROCESSES]:,}: the machine allows {machine_limit:,} more"
    return wall, memory, why


@pytest.fixture
def sandbox():
    with Sandbox(COST_CHILD) as sb:
        yield sb


class Waits:
    """One way at one N: each call times N waits of T and reads their memory, both in fresh processes.
    ``name``: the variant it is (the way, or its A/A twin), for what it records."""

    def __init__(self, sandbox, way: str, n: int, unit_s: float, name: str = ""):
        self.sandbox, self.way, self.n, self.unit_s = sandbox, way, n, unit_s
        self.name = name or way
        self.bytes_per_unit = []
        self.walls = []

    @property
    def overhead_s(self) -> list:
        """What each wait cost beyond T, round by round."""
        return [per_unit_overhead_s(wall, self.unit_s, self.n) for wall in self.walls]

    def __call__(self):
        wall = self.wall()
        self.walls.append(wall)
        self.bytes_per_unit.append(self.memory())
        return Seconds(wall)

    def wall(self) -> float:
        return self.sandbox.request(op="waits-wall", way=self.way, n=self.n, wait_s=self.unit_s, fresh=True)["wall_s"]

    def memory(self) -> float:
        return self.sandbox.request(op="waits-memory", way=self.way, n=self.n, fresh=True)["bytes_per_unit"]


def climb(sandbox, way: str, wall_steps, memory_steps, unit_s: float, measured=None) -> list:
    """One measurement per step of N: the points of the plot (``WaitPoint``). ``measured``: the verdict's
    rounds of this way (a ``Waits``), whose medians stand for its own N instead of one more measurement."""
    points = []
    probe = Waits(sandbox, way, 0, unit_s)
    for n in wall_steps:
        probe.n = n
        known = measured is not None and measured.n == n and measured.walls
        wall_s = stats.median_interval(measured.walls).median if known else probe.wall()
        bytes_per_unit = None
        if n in memory_steps:
            bytes_per_unit = stats.median_interval(measured.bytes_per_unit).median if known else probe.memory()
        points.append(WaitPoint(n, wall_s, wall_s / unit_s, bytes_per_unit))
    return points


@pytest.mark.claim("coroutines-handle-more-tasks")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("other,mine", [
    pytest.param(THREADS, COROUTINES, id=THREADS),
    pytest.param(PROCESSES, COROUTINES, id=PROCESSES),
    control("threads-as-coroutines", THREADS, THREADS, why="the 'coroutines' are threads, each waiting in its own"),
])
def test_coroutines_handle_more_tasks(other, mine, sandbox, unit_s, scale, benchmark, judge):
    """False if threads (processes) need less than 1.5 times (MORE) the memory, or the time overhead,
    per concurrent wait that coroutines need."""
    machine_limit = sandbox.request(op="process-limit")["limit"]
    wall_caps, memory_caps, why = caps(scale, machine_limit)
    planted = mine != COROUTINES
    twin = twin_name(other)
    units = {COROUTINES: Waits(sandbox, mine, VERDICT_N[mine], unit_s, COROUTINES),
             other: Waits(sandbox, other, VERDICT_N[other], unit_s),
             twin: Waits(sandbox, other, VERDICT_N[other], unit_s, twin)}  # the same way again, records of its own
    m = Interleaved({COROUTINES: units[COROUTINES], other: units[other]}, null=other, twin=units[twin])

    def effects(m):
        """(memory, time, memory's null, time's null): the way compared against over coroutines, and
        over itself measured again."""
        memory = stats.ratio_interval(units[other].bytes_per_unit, units[COROUTINES].bytes_per_unit)
        time = stats.ratio_interval(units[other].overhead_s, units[COROUTINES].overhead_s)
        memory_null = stats.ratio_interval(units[twin].bytes_per_unit, units[other].bytes_per_unit)
        time_null = stats.ratio_interval(units[twin].overhead_s, units[other].overhead_s)
        return memory, time, memory_null, time_null

    decision = m.until_settled(lambda m: many_waits_decision(*effects(m)), scale, benchmark)
    memory, time, memory_null, time_null = effects(m)
    parts = many_waits_parts(memory, time, memory_null, time_null)
    shown = shown_part(parts, decision)

    # The ladder for the plot: one measurement per N, each way up to its cap.
    ways_here = [] if planted else [COROUTINES, other] if other == THREADS else [other]
    walls = ladder({w: wall_caps[w] for w in ways_here}, STEPS)
    mems = ladder({w: memory_caps[w] for w in ways_here}, STEPS)
    points = {w: climb(sandbox, w, walls[w], mems[w], unit_s, units.get(w)) for w in ways_here}
    stop = why[other]
    top = points[other][-1] if points.get(other) else None
    next_n = next((n for n in STEPS if top and n > top.n), None)
    if other == PROCESSES and next_n:
        allowed = "" if machine_limit is None else f"the machine would allow {machine_limit:,} more; "
        stop += f" ({allowed}{next_n:,} would take ≈{fmt_seconds(top.wall_s * next_n / top.n)} at this rate)"

    def side(way):
        u = units[way]
        label = way + (" (planted: threads)" if planted and way == COROUTINES else "")
        return (f"{label}: {u.n} waits of T in {stats.fmt(m.median_s(way) / unit_s)} T, "
                f"{fmt_bytes(stats.median_interval(u.bytes_per_unit).median)} and "
                f"{fmt_seconds(stats.median_interval(u.overhead_s).median)} of overhead each")

    def rung(p):
        memory = "" if p.bytes_per_unit is None else ", " + fmt_bytes(p.bytes_per_unit) + " each"
        return f"{p.n}: {stats.fmt(p.wall_over_t)} T{memory}"

    ladder_text = "; ".join(f"{w} at N = {', '.join(rung(p) for p in pts)}" for w, pts in points.items())
    time_shown = shown is parts[1]
    judge.measured(
        shown.effect, shown,
        f"{other} / coroutines {'time overhead' if time_shown else 'memory'} per wait", MORE_TEXT,
        f"{side(COROUTINES)}; {side(other)} (medians of {m.rounds} rounds): {other} need {stats.fmt(memory.median)}× "
        f"the memory and {stats.fmt(time.median)}× the time overhead per wait "
        f"[{stats.fmt(time.low)}, {stats.fmt(time.high)}] (A/A of {other} measured twice: memory {memory_null}, time "
        f"overhead {time_null}). Ladder: {ladder_text}. {stop}",
        data={**WaitLadder(unit_s, points, {other: stop}).as_data(),
              "verdict_n": {COROUTINES: VERDICT_N[COROUTINES], other: VERDICT_N[other]},
              "bytes_per_unit": {w: stats.median_interval(units[w].bytes_per_unit).median for w in (COROUTINES, other)},
              "overhead_s": {w: stats.median_interval(units[w].overhead_s).median for w in (COROUTINES, other)},
              "memory_ratio": [memory.median, memory.low, memory.high],
              "time_ratio": [time.median, time.low, time.high],
              "machine_process_limit": machine_limit,
              "memory_measure": {COROUTINES: "RSS growth", THREADS: "RSS growth", PROCESSES: "sum of USS"}},
        verdict=verdicts.from_decision(decision))
