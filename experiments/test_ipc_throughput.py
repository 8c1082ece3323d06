"""Bytes per second between two processes: Pipe, Queue and a SharedMemory block, 1 KiB to 64 MiB;
and, as a related finding, a sub-interpreter's queue against Pipe and Queue.

The receiver *has* a payload when it can read any byte of it without another transfer: for Pipe and
Queue the bytes object received; for shared memory the block, every page of it touched in place (one
byte read a page). Related findings: the receiver copying the payload out of the block (at the largest
payload: decided by the C library's copy routine), and the payloads under 64 KiB (fixed in advance).
Each size's effect is a ratio of two ways, so a second Pipe, a channel of its own built apart from the
first, is measured beside it: the A/A null every size's decision clears. Thresholds and decisions:
claimbench/families/f_communication/decide.py.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import time
from multiprocessing import shared_memory

import pytest

from claimbench.core import stats, verdicts
from claimbench.core.labels import bytes_label, fmt_bytes, fmt_seconds
from claimbench.core.measure import Interleaved, Seconds, twin_name
from claimbench.core.order import subset_order
from claimbench.core.roles import control, related
from claimbench.core.workloads import stop_worker
from claimbench.families.f_communication import data as crossover
from claimbench.families.f_communication.child import interpreter_queues, throughput
from claimbench.families.f_communication.decide import (above_verdict, below_points, below_shown, below_verdict,
                                                        BELOW_UNDER, copy_out_decision, crossover_of,
                                                        faster_decision, FASTER, WINS)

CLAIM = "ipc-throughput-ranks"
# Every power of 4 from 1 KiB to 64 MiB: where shared memory starts to win is measured, not assumed.
SIZES = [1 << (10 + 2 * i) for i in range(9)]
LARGEST = SIZES[-1]
# The related finding's payloads, fixed in advance: those under 64 KiB (1, 4 and 16 KiB).
BELOW_SIZES = [s for s in SIZES if s < BELOW_UNDER]
# Transfers per sample: about 1 MiB's worth (a millisecond or more), at most 64, at least one.
BYTES_PER_SAMPLE = 1 << 20
MECHANISMS = ("pipe", "queue", "shared-memory")
# The A/A null: a second Pipe, to the same receiving process over a connection of its own, measured
# where the verdicts are decided: the largest payload (the claim, the copy out) and those under 64 KiB
# (below). The sizes between place the crossover, each decided by its own interval.
PIPE_AGAIN = twin_name("pipe")
NULL_SIZES = BELOW_SIZES + [LARGEST]
# The related finding: the receiver copies the payload out of the block (measured at the largest
# payload only, where the C library's copy routine decides it: one 64 MiB transfer more a round).
COPY_OUT = "shared-memory-copy"
COPY_OUT_SIZES = (LARGEST,)
# A round moves about 400 MiB, nearly all of it at 16 and 64 MiB. Every size is measured up to the
# first look, and after that only the sizes whose verdict still waits on them, up to twice the scale's
# budget (the stopping rule's level covers all those looks). The Queue is measured at every size in the
# first six rounds, the fewest in which losing every one to the Pipe is no chance (1 in 64); after them,
# where it lost every one, the Pipe is the better of the two and the Queue (half a second a round at
# 64 MiB: a pickle and a feeder thread) is measured no more.
FULL_ROUNDS = 6


def _transfers(size: int) -> int:
    return max(1, min(64, BYTES_PER_SAMPLE // size))


def mechanisms_at(size: int, planted: bool = False):
    """What a round measures at ``size``: Pipe, Queue, shared memory, where the verdicts are decided
    the second Pipe (the null), and where the related finding is measured (not in the plant, which
    shares no block) the copy out."""
    return MECHANISMS + ((PIPE_AGAIN,) if size in NULL_SIZES else ()) + (
        (COPY_OUT,) if size in COPY_OUT_SIZES and not planted else ())


class Channels:
    """One receiving process for every mechanism (so they share its CPU and its wake-ups),
    acknowledging every payload once it has it: Pipe and Queue in a bytes object of its own, the
    shared-memory block with every page touched in place (or, for the related finding, copied out).

    ``pipe_as_shared_memory``: the control's plant: the "shared-memory" channel is another
    Pipe that carries the payload itself, and no block is shared.
    """

    def __init__(self, size: int, pipe_as_shared_memory: bool = False):
        ctx = multiprocessing.get_context()
        self.planted = pipe_as_shared_memory
        self.block = None if self.planted else shared_memory.SharedMemory(create=True, size=size)
        self.pipe, pipe_far = ctx.Pipe()
        self.pipe_again, again_far = ctx.Pipe()  # the null: a Pipe channel of its own, built apart
        self.queue = ctx.Queue()
        self.queue_ack, queue_far = ctx.Pipe()
        self.shm_ctl, shm_far = ctx.Pipe()
        self.copy_ctl, copy_far = (None, None) if self.planted else ctx.Pipe()
        byte_pipes = [pipe_far, again_far] + ([shm_far] if self.planted else [])
        self.proc = ctx.Process(target=throughput.transfer_sink, daemon=True, args=(
            byte_pipes, self.queue, queue_far, None if self.planted else shm_far, copy_far,
            None if self.planted else self.block.name))
        self.proc.start()
        for far in (pipe_far, again_far, queue_far, shm_far, copy_far):
            if far is not None:
                far.close()

    def send(self, mechanism: str, payload: bytes) -> None:
        if mechanism in ("pipe", PIPE_AGAIN) or (mechanism == "shared-memory" and self.planted):
            ack = {"pipe": self.pipe, PIPE_AGAIN: self.pipe_again}.get(mechanism, self.shm_ctl)
            ack.send_bytes(payload)
        elif mechanism == "queue":
            self.queue.put(payload)
            ack = self.queue_ack
        else:
            ack = self.copy_ctl if mechanism == COPY_OUT else self.shm_ctl
            self.block.buf[:len(payload)] = payload
            ack.send_bytes(str(len(payload)).encode())
        if not ack.poll(60):
            raise RuntimeError(f"the {mechanism} receiver did not acknowledge within 60 s")
        ack.recv_bytes()

    def close(self) -> None:
        stop_shm = b"" if self.planted else b"0"
        stops = [lambda: self.pipe.send_bytes(b""), lambda: self.pipe_again.send_bytes(b""),
                 lambda: self.queue.put(None), lambda: self.shm_ctl.send_bytes(stop_shm)]
        if self.copy_ctl is not None:
            stops.append(lambda: self.copy_ctl.send_bytes(b"0"))
        for send in stops:
            try:
                send()
            except OSError:
                pass
        stop_worker(self.proc, (self.queue,))
        for c in (self.pipe, self.pipe_again, self.queue_ack, self.shm_ctl, self.copy_ctl):
            if c is not None:
                c.close()
        if self.block is not None:
            self.block.close()
            self.block.unlink()


def _variant(channels: Channels, mechanism: str, size: int, transfers: int = 0, payload: bytes = b""):
    """A sample: seconds per transfer of a ``size`` payload through ``mechanism``, over
    ``transfers`` of them (the sweep's count for the size where none is given). ``payload``: the
    bytes to send, where the caller shares one among the mechanisms (64 MiB made once, not five times)."""
    payload = payload or b"x" * size
    n = transfers or _transfers(size)

    def sample():
        t0 = time.perf_counter()
        for _ in range(n):
            channels.send(mechanism, payload)
        return Seconds((time.perf_counter() - t0) / n)
    return sample


def _key(size: int, mechanism: str) -> str:
    return f"{bytes_label(size)}/{mechanism}"


class SizeBySize(Interleaved):
    """Interleaved rounds of a sweep: each round measures every size in ``focus`` (all of them until
    the first look narrows it), the sizes in the balanced order Interleaved gives any variants (a
    seeded Williams design: each size follows each other equally often), and each size's mechanisms
    in a balanced order of their own. What a 64 MiB transfer leaves behind (caches, a CPU's clock) so
    lands on every size and every mechanism alike.

    Past the full rounds, a size measures the better of Pipe and Queue only where the full rounds
    left it open: where the Queue was slower than the Pipe in every full round, the Pipe is the
    better one, and the Queue is not measured again. The second Pipe (the null) is always measured
    with the Pipe.
    """

    def __init__(self, channels: Channels, full_rounds: int = FULL_ROUNDS, seed=None):
        self.mechanisms = {s: mechanisms_at(s, channels.planted) for s in SIZES}
        payloads = {s: b"x" * s for s in SIZES}
        super().__init__({_key(s, mech): _variant(channels, mech, s, payload=payloads[s])
                          for s in SIZES for mech in self.mechanisms[s]}, seed=seed)
        self.full_rounds = full_rounds  # rounds that measure every size; later ones only ``focus``
        self.focus = set(SIZES)
        self.best = {s: [] for s in SIZES}  # per round measured: the better of Pipe and Queue (s)
        self.dropped = {}  # {size: "queue" where it is no longer measured, else None}

    def _queue_slower(self, size: int):
        pipe, queue = (self.samples[_key(size, m)][:self.full_rounds] for m in ("pipe", "queue"))
        if len(pipe) < 6:  # fewer than six rounds: the Pipe could lead in all of them by chance (> 3 %)
            return None
        return "queue" if all(q > p for p, q in zip(pipe, queue)) else None

    def round(self, only=None) -> dict:
        full = self.rounds < self.full_rounds
        by_label = {bytes_label(s): s for s in SIZES}
        sizes = [by_label[label] for label in self.order(list(by_label), self.rounds)]
        sizes = [s for s in sizes if full or s in self.focus] or sizes
        got = {}
        for s in sizes:
            if not full and s not in self.dropped:
                self.dropped[s] = self._queue_slower(s)
            names = [_key(s, mech) for mech in self.mechanisms[s]]
            kept = [n for n in names if full or n != _key(s, self.dropped.get(s) or "")]
            measured = {}
            for name in subset_order(self.order(names, self.rounds), kept):
                got[name] = float(self.variants[name]())
                self.samples[name].append(got[name])
                measured[name.split("/", 1)[1]] = got[name]
            self.best[s].append(min(x for mech, x in measured.items() if mech in ("pipe", "queue")))
        self.rounds += 1
        return got


def shared_memory_wins(m: SizeBySize, size: int, mechanism: str = "shared-memory") -> stats.Interval:
    """Shared memory's rate over the better of Pipe and Queue, paired round by round."""
    return stats.ratio_interval(m.best[size], m.samples[_key(size, mechanism)], m.confidence)


def null_at(m: SizeBySize, size: int):
    """The A/A null at ``size``: the second Pipe's time over the first's, paired round by round (None
    where it is not measured)."""
    if PIPE_AGAIN not in m.mechanisms[size]:
        return None
    return stats.ratio_interval(m.samples[_key(size, PIPE_AGAIN)], m.samples[_key(size, "pipe")], m.confidence)


def find_crossover(m: SizeBySize) -> crossover.Crossover:
    return crossover_of(SIZES, [shared_memory_wins(m, s) for s in SIZES], [null_at(m, s) for s in SIZES])


def settled(m: SizeBySize, parts=("above", "below")) -> str:
    """Measure on while the verdict of a part still to be judged is not decided (and, past the full
    rounds, only the sizes that part waits for: the largest (above), the sizes under 64 KiB that
    straddle (below)). The copy-out finding is judged on the rounds these took."""
    c = find_crossover(m)
    undecided = [part for part in parts if VERDICT_OF[part](c) == verdicts.INCONCLUSIVE]
    m.focus = ({LARGEST} if "above" in undecided else set()) | (
        {p.size for p in below_points(c) if p.decision == stats.STRADDLES} if "below" in undecided else set())
    return stats.STRADDLES if undecided else stats.INSIDE


VERDICT_OF = {"above": above_verdict, "below": below_verdict}


@dataclasses.dataclass(frozen=True)
class Sweep:
    crossover: crossover.Crossover
    rates: dict        # {size: {mechanism: [median, low, high] bytes/s}}
    rounds: int
    planted: bool
    copy_out: object = None  # the related finding's Decision at the largest size (None in the plant)


def run_sweep(scale, benchmark, pipe_as_shared_memory: bool = False, parts=("above", "below")) -> Sweep:
    channels = Channels(max(SIZES), pipe_as_shared_memory)
    try:
        # Every receiver has started and answers, and every page of the block is mapped on both sides.
        for mech in mechanisms_at(SIZES[0], pipe_as_shared_memory):
            channels.send(mech, b"x" * SIZES[0])
        for mech in mechanisms_at(LARGEST, pipe_as_shared_memory):
            if mech.startswith("shared-memory"):
                channels.send(mech, b"x" * LARGEST)
        m = SizeBySize(channels)
        # Twice the round budget: a focus round is cheap (the Pipe twice and the block, a fifth of a
        # second at 64 MiB), where a full round is not.
        m.until_settled(lambda m: settled(m, parts), scale.with_budget(2), benchmark)
    finally:
        channels.close()
    rates = {}
    for s in SIZES:
        rates[s] = {}
        for mech in m.mechanisms[s]:
            i = m.interval(_key(s, mech))
            rates[s][mech] = [s / i.median, s / i.high, s / i.low]
    copy_out = None if pipe_as_shared_memory else copy_out_decision(
        shared_memory_wins(m, LARGEST, COPY_OUT), null_at(m, LARGEST))
    return Sweep(find_crossover(m), rates, m.rounds, pipe_as_shared_memory, copy_out)


_SWEEPS = {}  # the claim's case and its related findings judge the same sweep


def sweep_for(scale, benchmark) -> Sweep:
    if scale.name not in _SWEEPS:
        _SWEEPS[scale.name] = run_sweep(scale, benchmark)
    return _SWEEPS[scale.name]


def _size(x) -> str:
    return f"beyond {bytes_label(SIZES[-1])}" if x is None else fmt_bytes(x)


def crossover_words(c: crossover.Crossover) -> str:
    if c.estimate is None:
        return f"no crossover within the sweep: shared memory is not {WINS}× the better of Pipe and Queue up to " \
               f"{bytes_label(SIZES[-1])}"
    return f"crossover {_size(c.estimate)} [{_size(c.low)}, {_size(c.high)}] (where the medians of shared memory's " \
           f"rate over the better of Pipe and Queue rise past {WINS} for good [where the upper, and the lower, ends " \
           "of their intervals do])"


def ratios_words(points) -> str:
    return ", ".join(f"{bytes_label(p.size)} {p.effect}" for p in points)


def nulls_words(points) -> str:
    return ", ".join(f"{bytes_label(p.size)} {p.decided.null}" for p in points if p.decided is not None)


def sweep_data(sw: Sweep) -> dict:
    """The claim's case data: the sweep as the report reads it, with each size's decision and null,
    and whether the channel was planted."""
    c = sw.crossover
    sweep = crossover.ThroughputSweep(
        sizes=SIZES, threshold=WINS, rounds=sw.rounds,
        bytes_per_s={s: {mech: crossover.Spread(*r) for mech, r in rates.items()} for s, rates in sw.rates.items()},
        ratio={p.size: crossover.Spread(p.effect.median, p.effect.low, p.effect.high) for p in c.points},
        crossover=crossover.CrossoverSpan.of(c))
    return dict(sweep.as_data(), planted=sw.planted, decision={str(p.size): p.decision for p in c.points},
                null={str(p.size): [p.decided.null.median, p.decided.null.low, p.decided.null.high]
                      for p in c.points if p.decided is not None and p.decided.null is not None})


RECEIVER = ("each receiver holding the payload: Pipe and Queue a bytes object, shared memory every page "
            "touched in place")


def judge_above(sw: Sweep, judge) -> None:
    """The headline effect is the crossover payload; the decision stored with it is the largest size's,
    which decides the verdict (holds: a decided win there; refuted: decided no win)."""
    c = sw.crossover
    verdict = above_verdict(c)
    largest = bytes_label(SIZES[-1])
    if c.winning:
        where = f"{largest} only" if len(c.winning) == 1 else \
            f"every payload from {bytes_label(c.winning[0].size)} to {largest}"
        head = f"shared memory wins at {where}: {ratios_words(c.winning)}"
    else:
        head = f"shared memory wins at no run of payloads up to {largest}: {ratios_words(c.points[-3:])}"
    rates = sw.rates[SIZES[-1]]
    nan, inf = float("nan"), float("inf")
    effect = stats.Interval(nan if c.estimate is None else c.estimate, nan if c.low is None else c.low,
                            inf if c.high is None else c.high, sw.rounds)  # high None: not within the sweep
    fastest_first = ", ".join(f"{mech} {fmt_bytes(r[0])}/s" for mech, r in
                              sorted(rates.items(), key=lambda kv: -kv[1][0]) if mech in MECHANISMS)
    planted = "; the shared-memory channel is a Pipe (planted)" if sw.planted else ""
    judge.measured(
        effect, c.largest.decided, "crossover payload (bytes)", f"shared memory / best of Pipe and Queue > {WINS}",
        f"{head}; {crossover_words(c)}; at {largest}: {fastest_first} ({sw.rounds} rounds, {RECEIVER}{planted}); "
        f"decided at {largest}",
        data=sweep_data(sw), verdict=verdict)


def judge_below(sw: Sweep, judge) -> None:
    c = sw.crossover
    below = below_points(c)
    shown = below_shown(c)
    judge.measured(
        shown.effect, shown.decided,
        f"shared memory / best of Pipe and Queue at {bytes_label(shown.size)}", f"> {WINS}",
        f"under {bytes_label(BELOW_UNDER)} (fixed in advance), shared memory over the better of Pipe and Queue: "
        f"{ratios_words(below)} (A/A null of two Pipes: {nulls_words(below)}); {crossover_words(c)}",
        data={"sizes": [p.size for p in below], "threshold": WINS,
              "ratio": {str(p.size): [p.effect.median, p.effect.low, p.effect.high] for p in below},
              "decision": {str(p.size): p.decision for p in below}},
        verdict=below_verdict(c))


def judge_copy_out(sw: Sweep, judge) -> None:
    d = sw.copy_out
    rates = sw.rates[LARGEST]
    copied = ", ".join(f"{mech} {fmt_bytes(rates[mech][0])}/s" for mech in (COPY_OUT, "pipe", "queue"))
    judge.measured(
        d.effect, d, f"shared memory copied out / best of Pipe and Queue at {bytes_label(LARGEST)}",
        f"> {WINS}",
        f"at {bytes_label(LARGEST)}, the receiver copying the payload out of the block into a bytes object of its own "
        f"(the sender's copy in and this one, against the kernel's two copies of a Pipe): {copied}; touched in place: "
        f"{sw.crossover.largest.effect} ({sw.rounds} rounds)",
        data={"payload_bytes": LARGEST, "threshold": WINS,
              "bytes_per_s": {mech: rates[mech] for mech in (COPY_OUT, "shared-memory", "pipe", "queue")}})


JUDGES = {"above": judge_above, "below": judge_below, "copy-out": judge_copy_out}


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(120)
@pytest.mark.parametrize("part, pipe_as_shared_memory", [
    pytest.param("above", False, id="above-crossover"),
    related("below-crossover", "below", False,
            why="payloads under 64 KiB, fixed in advance, where announcing the payload costs as much as "
                "copying it"),
    related("copy-out", "copy-out", False,
            why="the receiver copies the payload out of the block: two memcpy against the kernel's two "
                "copies, decided by the C library's copy routine"),
    control("pipe-as-shared-memory", "above", True,
            why="the 'shared memory' channel sends the payload through a Pipe and shares no block: it cannot "
                "beat the better of Pipe and Queue by half as much again at any size"),
])
def test_ipc_throughput_ranks(part, pipe_as_shared_memory, scale, benchmark, judge):
    """False if, up to 64 MiB, no run of the largest payloads has shared memory moving bytes at least
    1.5× as fast as the better of a Pipe and a Queue. The claim's case and its related findings judge
    one sweep; the control sweeps its planted channel alone."""
    if pipe_as_shared_memory:
        sweep = run_sweep(scale, benchmark, pipe_as_shared_memory=True, parts=("above",))
    else:
        sweep = sweep_for(scale, benchmark)
    JUDGES[part](sweep, judge)


# ---------------------------------------------------------------- related: a sub-interpreter's queue
# A concurrent.interpreters Queue (3.14+) against the better of a Pipe and a multiprocessing Queue: a
# round trip each (the payload there, its length back), against FASTER (decide.py), beyond the A/A null
# of the Pipe and a second Pipe channel.
ROUND_TRIP_SIZES = (1 << 10, 1 << 20)
INTERPRETER_QUEUE = "interpreter-queue"
ROUND_TRIP_MECHANISMS = ("pipe", "queue", INTERPRETER_QUEUE)
# What a sample's round trips move: 16 at 1 KiB (a millisecond through a Pipe), two at 1 MiB.
ROUND_TRIP_BYTES = 16 << 10


def _round_trips(size: int) -> int:
    return max(2, min(16, ROUND_TRIP_BYTES // size))


# The plants: what poses as the sub-interpreter and its two queues.
PLANTS = {None: interpreter_queues.InterpreterWorker,
          "process": interpreter_queues.ProcessWorkerAsInterpreter,
          "thread": interpreter_queues.ThreadWorkerAsInterpreter}


def over_interpreter_queue(m: Interleaved) -> stats.Interval:
    """The better of Pipe and Queue, round by round, over the interpreter queue: time ratios
    (above 1: the interpreter queue is faster)."""
    best = [min(p, q) for p, q in zip(m.samples["pipe"], m.samples["queue"])]
    return stats.ratio_interval(best, m.samples[INTERPRETER_QUEUE], m.confidence)


def interpreter_queue_round_trips(size: int, channels, worker, scale, benchmark, judge) -> None:
    payload = b"x" * size
    n = _round_trips(size)
    m = Interleaved({"pipe": _variant(channels, "pipe", size, n), "queue": _variant(channels, "queue", size, n),
                     INTERPRETER_QUEUE: lambda: Seconds(interpreter_queues.acknowledged(worker, payload, n))},
                    null="pipe", twin=_variant(channels, PIPE_AGAIN, size, n))

    def decision(m):
        return faster_decision(over_interpreter_queue(m), m.null_ratio())

    m.until_settled(decision, scale, benchmark)
    d = decision(m)
    medians = {mech: m.median_s(mech) for mech in ROUND_TRIP_MECHANISMS}
    interpreter_queue = {"process": "'interpreter queue' (a multiprocessing Queue to another process)",
                         "thread": "'interpreter queue' (a queue.Queue to a thread of this interpreter)"}.get(
        worker.kind, "concurrent.interpreters Queue (to a sub-interpreter's thread)")
    judge.measured(
        d.effect, d, "best of Pipe and Queue / interpreter queue (round-trip time)", f"> {FASTER}",
        f"a {bytes_label(size)} payload there, its length back: Pipe {fmt_seconds(medians['pipe'])}, multiprocessing "
        f"Queue {fmt_seconds(medians['queue'])} (to one process), {interpreter_queue} "
        f"{fmt_seconds(medians[INTERPRETER_QUEUE])} "
        f"(medians of {m.rounds} rounds of {n} round trips)",
        data={"payload_bytes": size, "worker": worker.kind, "round_trip_s": medians,
              "interval_s": {k: [m.interval(k).low, m.interval(k).high] for k in ROUND_TRIP_MECHANISMS}})


@pytest.fixture
def round_trip_ends(plant, judge):
    """The Pipe (twice: the null) and Queue ends of one receiving process, and the (planted) interpreter's worker
    (after ``judge``, which skips a case this runtime cannot test)."""
    channels = Channels(1)  # the block stays unused: the Pipes and the Queue only
    worker = None
    try:
        worker = PLANTS[plant]()
        for mech in ("pipe", PIPE_AGAIN, "queue"):  # every receiver has started and answers
            channels.send(mech, b"x")
        interpreter_queues.acknowledged(worker, b"x", 1)
        yield channels, worker
    finally:
        if worker is not None:
            worker.close()
        channels.close()


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(120)
@pytest.mark.parametrize("size, plant", [
    related(f"{INTERPRETER_QUEUE}-{bytes_label(s)}", s, None,
            why="a concurrent.interpreters Queue (3.14+) to a sub-interpreter, against a Pipe and a "
                "multiprocessing Queue to a process: a round trip each") for s in ROUND_TRIP_SIZES] + [
    control("process-queue-as-interpreter-queue", 1 << 10, "process",
            why="the 'interpreter queue' is a multiprocessing Queue to a child process: it cannot beat the "
                "better of a Pipe and a Queue to a process by half as much again"),
    control("thread-queue-as-interpreter-queue", 1 << 20, "thread", expect=verdicts.HOLDS,
            why="the 'interpreter queue' is a queue.Queue to a thread of this interpreter: it hands over a "
                "reference, where a Pipe or a Queue copies 1 MiB through the kernel into another process"),
])
def test_interpreter_queue_round_trip(size, plant, round_trip_ends, scale, benchmark, judge):
    """False if a round trip through a concurrent.interpreters Queue is not at least 1.5× as fast as
    the better of a Pipe and a multiprocessing Queue to another process, for this payload."""
    channels, worker = round_trip_ends
    interpreter_queue_round_trips(size, channels, worker, scale, benchmark, judge)
