"""Bytes per second between two processes: Pipe, Queue and a SharedMemory block, 1 KiB to 64 MiB;
and, as a related finding, a sub-interpreter's queue against Pipe and Queue."""
from __future__ import annotations

import dataclasses
import multiprocessing
import time
from multiprocessing import shared_memory

import pytest

from claimbench.core import stats, verdicts
from claimbench.core.labels import bytes_label, fmt_bytes, fmt_seconds
from claimbench.core.measure import Interleaved, Seconds
from claimbench.core.roles import control, related
from claimbench.families.f_communication import child as communication, data as crossover
from claimbench.families.f_communication.child import transfer_sink

CLAIM = "ipc-throughput-ranks"
# Shared memory "wins" a size when it moves bytes at least half as fast again as the better of
# Pipe and Queue: halfway between a tie (1) and twice as fast (2).
WINS = 1.5
# Every power of 4 from 1 KiB to 64 MiB: where shared memory starts to win is measured, not assumed.
SIZES = [1 << (10 + 2 * i) for i in range(9)]
# Transfers per sample: about 1 MiB's worth (a millisecond or more), at most 64, at least one.
BYTES_PER_SAMPLE = 1 << 20
MECHANISMS = ("pipe", "queue", "shared-memory")
# A round moves about 250 MiB, nearly all of it at 16 and 64 MiB: every size is measured up to
# the first look; after that only the sizes whose interval still straddles the threshold, up to
# twice the scale's budget (the stopping rule's level covers all those looks).
FULL_BATCHES = 0


def _transfers(size: int) -> int:
    return max(1, min(64, BYTES_PER_SAMPLE // size))


class Channels:
    """One receiving process for the three mechanisms (so they share its CPU and its wake-ups),
    acknowledging every payload once it holds all of it in a bytes object of its own.

    ``pipe_as_shared_memory``: the control's plant: the "shared-memory" channel is a second
    Pipe that carries the payload itself, and no block is shared.
    """

    def __init__(self, size: int, pipe_as_shared_memory: bool = False):
        ctx = multiprocessing.get_context()
        self.planted = pipe_as_shared_memory
        self.block = None if self.planted else shared_memory.SharedMemory(create=True, size=size)
        self.pipe, pipe_far = ctx.Pipe()
        self.queue = ctx.Queue()
        self.queue_ack, queue_far = ctx.Pipe()
        self.shm_ctl, shm_far = ctx.Pipe()
        byte_pipes = [pipe_far, shm_far] if self.planted else [pipe_far]
        self.proc = ctx.Process(target=transfer_sink, daemon=True, args=(
            byte_pipes, self.queue, queue_far, None if self.planted else shm_far,
            None if self.planted else self.block.name))
        self.proc.start()
        for far in (pipe_far, queue_far, shm_far):
            far.close()

    def send(self, mechanism: str, payload: bytes) -> None:
        if mechanism == "pipe":
            self.pipe.send_bytes(payload)
            ack = self.pipe
        elif mechanism == "queue":
            self.queue.put(payload)
            ack = self.queue_ack
        elif self.planted:
            self.shm_ctl.send_bytes(payload)
            ack = self.shm_ctl
        else:
            self.block.buf[:len(payload)] = payload
            self.shm_ctl.send_bytes(str(len(payload)).encode())
            ack = self.shm_ctl
        if not ack.poll(60):
            raise RuntimeError("the {} receiver did not acknowledge within 60 s".format(mechanism))
        ack.recv_bytes()

    def close(self) -> None:
        stop_shm = b"" if self.planted else b"0"
        for send in (lambda: self.pipe.send_bytes(b""), lambda: self.queue.put(None),
                     lambda: self.shm_ctl.send_bytes(stop_shm)):
            try:
                send()
            except OSError:
                pass
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.queue.close()
        self.queue.join_thread()
        for c in (self.pipe, self.queue_ack, self.shm_ctl):
            c.close()
        if self.block is not None:
            self.block.close()
            self.block.unlink()


def _variant(channels: Channels, mechanism: str, size: int, transfers: int = 0):
    """A sample: seconds per transfer of a ``size`` payload through ``mechanism``, over
    ``transfers`` of them (the sweep's count for the size where none is given)."""
    payload = b"x" * size
    n = transfers or _transfers(size)

    def sample():
        t0 = time.perf_counter()
        for _ in range(n):
            channels.send(mechanism, payload)
        return Seconds((time.perf_counter() - t0) / n)
    return sample


def _key(size: int, mechanism: str) -> str:
    return "{}/{}".format(bytes_label(size), mechanism)


class SizeBySize(Interleaved):
    """Interleaved rounds of a sweep: each round measures every size, sizes in an order that
    rotates from round to round, and each size's mechanisms in an order that rotates too.

    One flat rotation of every (size, mechanism) would give each variant the same predecessor
    in nearly every round (the 1 KiB Pipe would always follow the 64 MiB transfer).

    Past the full rounds, a focus size measures the better of Pipe and Queue only where the
    full rounds left it open: where one of the two was slower in every full round, the other
    is the better one, and the slower one (the Queue, copying 64 MiB through a pickle and a
    feeder thread, half a second a round) is not measured again.
    """

    def __init__(self, channels: Channels, full_rounds: int = 0):
        self.sizes = {s: Interleaved({mech: _variant(channels, mech, s) for mech in MECHANISMS}) for s in SIZES}
        super().__init__({_key(s, mech): self.sizes[s].variants[mech] for s in SIZES for mech in MECHANISMS})
        self.full_rounds = full_rounds  # rounds that measure every size; later ones only ``focus``
        self.focus = set(SIZES)
        self.best = {s: [] for s in SIZES}  # per round measured: the better of Pipe and Queue (s)
        self.dropped = {}  # {size: the one of Pipe and Queue no longer measured}

    def _slower(self, size: int):
        pipe, queue = (self.samples[_key(size, m)][:self.full_rounds] for m in ("pipe", "queue"))
        if len(pipe) < 6:  # fewer than six rounds: one side could lead in all of them by chance (> 3 %)
            return None
        if all(q > p for p, q in zip(pipe, queue)):
            return "queue"
        if all(p > q for p, q in zip(pipe, queue)):
            return "pipe"
        return None

    def round(self) -> None:
        full = self.rounds < self.full_rounds
        sizes = [s for s in self.sizes if full or s in self.focus] or list(self.sizes)
        shift = self.rounds % len(sizes)
        for s in sizes[shift:] + sizes[:shift]:
            if not full and s not in self.dropped:
                self.dropped[s] = self._slower(s)
            measured = self.sizes[s].round(only=[m for m in MECHANISMS if full or m != self.dropped.get(s)])
            for mech, x in measured.items():
                self.samples[_key(s, mech)].append(x)
            self.best[s].append(min(x for m, x in measured.items() if m != "shared-memory"))
        self.rounds += 1


def shared_memory_wins(m: SizeBySize, size: int) -> stats.Interval:
    """Shared memory's rate over the better of Pipe and Queue, paired round by round."""
    return stats.ratio_interval(m.best[size], m.samples[_key(size, "shared-memory")])


def find_crossover(m: SizeBySize) -> crossover.Crossover:
    return crossover.find(SIZES, [shared_memory_wins(m, s) for s in SIZES], WINS)


def settled(m: SizeBySize, parts=("above", "below")) -> str:
    """Measure on while the verdict of a part still to be judged is not decided (and, past the full
    rounds, only the sizes that are not decided either)."""
    c = find_crossover(m)
    undecided = [part for part in parts if VERDICT_OF[part](c) == verdicts.INCONCLUSIVE]
    # What each undecided part waits for: the largest size (above), the sizes below the
    # crossover that straddle (below).
    m.focus = ({c.largest.size} if "above" in undecided else set()) | (
        {p.size for p in c.below if p.decision == stats.STRADDLES} if "below" in undecided else set())
    return stats.STRADDLES if undecided else stats.INSIDE


VERDICT_OF = {"above": crossover.above_verdict, "below": crossover.below_verdict}


@dataclasses.dataclass(frozen=True)
class Sweep:
    crossover: crossover.Crossover
    rates: dict        # {size: {mechanism: [median, low, high] bytes/s}}
    rounds: int
    planted: bool


def run_sweep(scale, benchmark, pipe_as_shared_memory: bool = False, parts=("above", "below")) -> Sweep:
    channels = Channels(max(SIZES), pipe_as_shared_memory)
    try:
        # Every receiver has started and answers, and every page of the block is mapped on both sides.
        for mech in MECHANISMS:
            channels.send(mech, b"x" * SIZES[0])
        channels.send("shared-memory", b"x" * SIZES[-1])
        m = SizeBySize(channels, full_rounds=scale.min_rounds + FULL_BATCHES * scale.batch_rounds)
        # Twice the round budget: at 64 MiB shared memory sits within a tenth of its threshold on
        # the machines seen so far (1.5-1.7x against 1.5x), and a focus round there is cheap (the
        # Pipe and the block, a fifth of a second), where a full round is not.
        m.until_settled(lambda m: settled(m, parts), scale.with_budget(2), benchmark)
    finally:
        channels.close()
    rates = {}
    for s in SIZES:
        rates[s] = {}
        for mech in MECHANISMS:
            i = m.interval(_key(s, mech))
            rates[s][mech] = [s / i.median, s / i.high, s / i.low]
    return Sweep(find_crossover(m), rates, m.rounds, pipe_as_shared_memory)


_SWEEPS = {}  # the claim's case and its related finding judge the same sweep


def sweep_for(scale, benchmark) -> Sweep:
    if scale.name not in _SWEEPS:
        _SWEEPS[scale.name] = run_sweep(scale, benchmark)
    return _SWEEPS[scale.name]


def _size(x) -> str:
    return "beyond {}".format(bytes_label(SIZES[-1])) if x is None else fmt_bytes(x)


def crossover_words(c: crossover.Crossover) -> str:
    if c.estimate is None:
        return "no crossover within the sweep: shared memory is not {}× the better of Pipe and Queue up to {}".format(
            WINS, bytes_label(SIZES[-1]))
    return "crossover {} [{}, {}] (where the medians of shared memory's rate over the better of Pipe and Queue " \
           "rise past {} for good [where the upper, and the lower, ends of their intervals do])".format(
               _size(c.estimate), _size(c.low), _size(c.high), WINS)


def ratios_words(points) -> str:
    return ", ".join("{} {}".format(bytes_label(p.size), p.effect) for p in points)


def sweep_data(sw: Sweep) -> dict:
    """The claim's case data: the sweep as the report reads it, with each size's decision and
    whether the channel was planted."""
    c = sw.crossover
    sweep = crossover.ThroughputSweep(
        sizes=SIZES, threshold=WINS, rounds=sw.rounds,
        bytes_per_s={s: {mech: crossover.Spread(*r) for mech, r in rates.items()} for s, rates in sw.rates.items()},
        ratio={p.size: crossover.Spread(p.effect.median, p.effect.low, p.effect.high) for p in c.points},
        crossover=crossover.CrossoverSpan.of(c))
    return dict(sweep.as_data(), planted=sw.planted, decision={str(p.size): p.decision for p in c.points})


def judge_above(sw: Sweep, judge) -> None:
    c = sw.crossover
    verdict = crossover.above_verdict(c)
    if c.winning:
        head = "shared memory wins at {}: {}".format(
            "{} only".format(bytes_label(SIZES[-1])) if len(c.winning) == 1 else "every payload from {} to {}".format(
                bytes_label(c.winning[0].size), bytes_label(SIZES[-1])), ratios_words(c.winning))
    else:
        head = "shared memory wins at no run of payloads up to {}: {}".format(
            bytes_label(SIZES[-1]), ratios_words(c.points[-3:]))
    rates = sw.rates[SIZES[-1]]
    nan, inf = float("nan"), float("inf")
    effect = stats.Interval(nan if c.estimate is None else c.estimate, nan if c.low is None else c.low,
                            inf if c.high is None else c.high, sw.rounds)  # high None: not within the sweep
    judge.measured(
        effect, stats.INSIDE, "crossover payload (bytes)", "shared memory / best of Pipe and Queue > {}"
        .format(WINS),
        "{}; {}; at {}: {} ({} rounds, each receiver copying the whole payload out)".format(
            head, crossover_words(c), bytes_label(SIZES[-1]),
            ", ".join("{} {}/s".format(mech, fmt_bytes(r[0])) for mech, r in
                      sorted(rates.items(), key=lambda kv: -kv[1][0])), sw.rounds),
        data=sweep_data(sw), verdict=verdict)


def judge_below(sw: Sweep, judge) -> None:
    c = sw.crossover
    below = c.below
    verdict = crossover.below_verdict(c)
    if below:
        what = "below the crossover's interval, shared memory over the better of Pipe and Queue: {}".format(
            ratios_words(below))
    else:
        what = "no payload of the sweep lies below the crossover's interval; at {}: {}".format(
            bytes_label(SIZES[0]), c.points[0].effect)
    judge.measured(
        c.points[0].effect, stats.INSIDE,
        "shared memory / best of Pipe and Queue at {}".format(bytes_label(SIZES[0])), "> {}".format(WINS),
        "{}; {}".format(what, crossover_words(c)),
        data={"sizes": [p.size for p in below], "threshold": WINS,
              "ratio": {str(p.size): [p.effect.median, p.effect.low, p.effect.high] for p in below}},
        verdict=verdict)


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(120)
@pytest.mark.parametrize("part", [
    pytest.param("above", id="above-crossover"),
    related("below-crossover", "below",
            why="payloads below the crossover, where announcing the payload costs as much as copying it"),
])
def test_ipc_throughput_ranks(part, scale, benchmark, judge):
    """False if, up to 64 MiB, no run of the largest payloads has shared memory moving bytes at least
    1.5× as fast as the better of a Pipe and a Queue."""
    sw = sweep_for(scale, benchmark)
    (judge_above if part == "above" else judge_below)(sw, judge)


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(120)
@pytest.mark.parametrize("plant", [control(
    "pipe-as-shared-memory", True,
    why="the 'shared memory' channel sends the payload through a Pipe and shares no block: it cannot "
        "beat the better of Pipe and Queue by half as much again at any size")])
def test_control_ipc_throughput_ranks(plant, scale, benchmark, judge):
    judge_above(run_sweep(scale, benchmark, pipe_as_shared_memory=plant, parts=("above",)), judge)


# ---------------------------------------------------------------- related: a sub-interpreter's queue
# A concurrent.interpreters Queue (3.14+) "hands a payload over faster" than the better of a Pipe
# and a multiprocessing Queue when a round trip (the payload there, its length back) is half as
# fast again: halfway between a tie and twice as fast, as for shared memory above.
FASTER = 1.5
ROUND_TRIP_SIZES = (1 << 10, 1 << 20)
INTERPRETER_QUEUE = "interpreter-queue"
ROUND_TRIP_MECHANISMS = ("pipe", "queue", INTERPRETER_QUEUE)
# What a sample's round trips move: 16 at 1 KiB (a millisecond through a Pipe), two at 1 MiB.
ROUND_TRIP_BYTES = 16 << 10


def _round_trips(size: int) -> int:
    return max(2, min(16, ROUND_TRIP_BYTES // size))


# The plants: what poses as the sub-interpreter and its two queues.
PLANTS = {None: communication.InterpreterWorker,
          "process": communication.ProcessWorkerAsInterpreter,
          "thread": communication.ThreadWorkerAsInterpreter}


def over_interpreter_queue(m: Interleaved) -> stats.Interval:
    """The better of Pipe and Queue, round by round, over the interpreter queue: time ratios
    (above 1: the interpreter queue is faster)."""
    best = [min(p, q) for p, q in zip(m.samples["pipe"], m.samples["queue"])]
    return stats.ratio_interval(best, m.samples[INTERPRETER_QUEUE], m.confidence)


def interpreter_queue_round_trips(size: int, channels, worker, scale, benchmark, judge) -> None:
    payload = b"x" * size
    n = _round_trips(size)
    m = Interleaved({"pipe": _variant(channels, "pipe", size, n), "queue": _variant(channels, "queue", size, n),
                     INTERPRETER_QUEUE: lambda: Seconds(communication.acknowledged(worker, payload, n))})
    decision = m.until_settled(lambda m: stats.above(over_interpreter_queue(m), FASTER), scale, benchmark)
    e = over_interpreter_queue(m)
    medians = {mech: m.median_s(mech) for mech in ROUND_TRIP_MECHANISMS}
    judge.measured(
        e, decision, "best of Pipe and Queue / interpreter queue (round-trip time)", "> {}".format(FASTER),
        "a {} payload there, its length back: Pipe {}, multiprocessing Queue {} (to one process), {} {} "
        "(medians of {} rounds of {} round trips)".format(
            bytes_label(size), fmt_seconds(medians["pipe"]), fmt_seconds(medians["queue"]),
            {"process": "'interpreter queue' (a multiprocessing Queue to another process)",
             "thread": "'interpreter queue' (a queue.Queue to a thread of this interpreter)"}.get(
                worker.kind, "concurrent.interpreters Queue (to a sub-interpreter's thread)"),
            fmt_seconds(medians[INTERPRETER_QUEUE]), m.rounds, n),
        data={"payload_bytes": size, "worker": worker.kind, "round_trip_s": medians,
              "interval_s": {k: [m.interval(k).low, m.interval(k).high] for k in ROUND_TRIP_MECHANISMS}})


@pytest.fixture
def round_trip_ends(plant, judge):
    """The Pipe and Queue ends of one receiving process, and the (planted) interpreter's worker
    (after ``judge``, which skips a case this runtime cannot test)."""
    channels = Channels(1)  # the block stays unused: Pipe and Queue only
    worker = None
    try:
        worker = PLANTS[plant]()
        for mech in ("pipe", "queue"):  # every receiver has started and answers
            channels.send(mech, b"x")
        communication.acknowledged(worker, b"x", 1)
        yield channels, worker
    finally:
        if worker is not None:
            worker.close()
        channels.close()


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(120)
@pytest.mark.parametrize("size, plant", [
    related("{}-{}".format(INTERPRETER_QUEUE, bytes_label(s)), s, None,
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
