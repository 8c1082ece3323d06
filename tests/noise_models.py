"""Simulated machines for the stopping rule: noise as real machines make it, and no time passing.

A CPU-bound comparison as experiments/test_rule_of_thumb.py runs it, on the real machinery:
``threads`` (the baseline, measured twice as two instances built apart: ``null="threads"``) and
``processes``, both ``Built`` variants, in ``Interleaved``'s balanced order, rebuilt every
``REBUILD_EVERY`` rounds, through ``Interleaved.until_settled`` and ``decision.decide``. Only the
variants are simulated: a ``Machine`` hands each build an instance and each call a time
(``measure.Seconds``), drawn from a noise model:

- base noise: every call lognormal, the threads steady (0.5 %: a GIL-bound pool takes turns on
  one core), the processes not (10 %); the A/A null is then narrow, as the 2-core reference's is;
- carryover: a call right after one particular variant (the baseline's instance) runs 8 % slower;
- per-instance offsets: every built instance is 5–15 % slower or faster for its whole lifetime;
- a fading second CPU: a slow regime lasting several rounds (a Markov chain over rounds) in which
  the parallel variant, and only it, runs 1.6× slower (two CPUs' worth of work on about one);
- heavy tails: now and then (3 % of calls) a processes call takes 3–10 times as long.

"The true effect" is the median of the per-round ratio threads/processes over the machine's
states under a balanced order (every variant after every other equally often): what the rule
estimates, and what it would get right if the rounds were independent. ``Noise.median_bias`` is
that median over the ratio of the ways' own costs, so that a case can put the true effect exactly
on its threshold (test_noise.py checks it against long runs). Seeded: every rate is deterministic.
"""
from __future__ import annotations

import math
import random
from contextlib import contextmanager
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Callable, Dict, Optional, Tuple

from claimbench.core import decision, stats
from claimbench.core.measure import Built, Interleaved, Seconds, twin_name
from claimbench.core.scales import SCALES, Scale

THREADS, PROCESSES, SEQUENTIAL = "threads", "processes", "sequential"
TWIN = twin_name(THREADS)
WAY_OF = {THREADS: THREADS, TWIN: THREADS, PROCESSES: PROCESSES, SEQUENTIAL: SEQUENTIAL}

THRESHOLD = 1.5        # the CPU-bound claim's on a 2-core machine: halfway between 1 and a capacity of 2
NULL_THRESHOLD = 1.25  # a case with no effect at all (true ratio 1), judged against a 1.25 margin
ON, NULL = "on-threshold", "no-effect"
POSITIONS = (ON, NULL)
BOUND = {ON: 0.05, NULL: 0.01}  # wrong decisive verdicts the rule may give (issue 19, item 6)
VERDICTS = ("holds", "refuted", "inconclusive")


@dataclass(frozen=True)
class Noise:
    """One machine's noise. Factors multiply a call's time; every call also gets lognormal noise."""

    name: str
    sigma: Tuple[Tuple[str, float], ...] = ((THREADS, 0.005), (PROCESSES, 0.10), (SEQUENTIAL, 0.005))
    carry_after: Optional[str] = None      # a call right after this variant (the same round) ...
    carry_factor: float = 1.0              # ... takes this much longer
    offset: Tuple[float, float] = (0.0, 0.0)  # each instance 1 + U(lo, hi) slower, or as much faster
    fade_start: float = 0.0                # chance per round that the second CPU fades ...
    fade_end: float = 1.0                  # ... and that a fade ends
    fade_factor: float = 1.0               # the parallel variant's slow-down while it lasts
    outlier_chance: float = 0.0            # per call of the processes
    outlier_range: Tuple[float, float] = (3.0, 10.0)  # an outlier's factor, log-uniform

    def sigma_of(self, way: str) -> float:
        return dict(self.sigma)[way]

    @property
    def fade_share(self) -> float:
        """The stationary share of faded rounds."""
        return self.fade_start / (self.fade_start + self.fade_end) if self.fade_start else 0.0

    def slowed_processes(self) -> Tuple[float, Tuple[float, ...]]:
        """(share of rounds, log factors) in which the processes' calls are slowed: a model's one
        asymmetric nuisance. Offsets strike threads and processes alike: log(ratio) stays symmetric."""
        if self.carry_factor != 1.0:
            # With three variants a balanced order puts a given variant right after a given other in
            # one round in three; only a processes call after the carrier counts (the carrier is a threads one).
            assert self.carry_after in (THREADS, TWIN), "the carrier must be a threads instance"
            return 1.0 / 3.0, (math.log(self.carry_factor),)
        if self.fade_factor != 1.0:
            return self.fade_share, (math.log(self.fade_factor),)
        if self.outlier_chance:
            lo, hi = (math.log(x) for x in self.outlier_range)
            return self.outlier_chance, tuple(lo + (hi - lo) * (i + 0.5) / 200 for i in range(200))
        return 0.0, ()

    def median_bias(self) -> float:
        """The true effect (the per-round ratio's median under a balanced order) over the ways' cost ratio.

        The rounds in which the processes are slowed make log(ratio) a mixture of normals (the
        slow-down log-uniform for outliers: a midpoint sum); its median is found by bisection.
        """
        nuisances = (self.carry_factor != 1.0, self.fade_factor != 1.0, bool(self.outlier_chance))
        assert sum(nuisances) <= 1, "one asymmetric nuisance per model"
        share, logs = self.slowed_processes()
        if not share:
            return 1.0
        s = math.hypot(self.sigma_of(THREADS), self.sigma_of(PROCESSES))
        unit = NormalDist()

        def cdf(x):
            return (1 - share) * unit.cdf(x / s) + share * sum(unit.cdf((x + u) / s) for u in logs) / len(logs)
        lo, hi = -5.0, 5.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cdf(mid) < 0.5 else (lo, mid)
        return math.exp((lo + hi) / 2)


MODELS = {
    "carryover": Noise("carryover", carry_after=THREADS, carry_factor=1.08),
    "instance-offsets": Noise("instance-offsets", offset=(0.05, 0.15)),
    # A fade starts in about one round in 33 and lasts 6-7 rounds on average (1.5-2 s at the default
    # scale): one round in six is faded.
    "fading-cpu": Noise("fading-cpu", fade_start=0.03, fade_end=0.15, fade_factor=1.6),
    "heavy-tails": Noise("heavy-tails", outlier_chance=0.03),
}


def independent_fades(noise: Noise) -> Noise:
    """The same share of faded rounds, each round's state drawn afresh: no persistence."""
    share = noise.fade_share
    return replace(noise, name=noise.name + "-independent", fade_start=share, fade_end=1.0 - share)


class Instance:
    __slots__ = ("way", "label", "offset")

    def __init__(self, way: str, label: str, offset: float):
        self.way, self.label, self.offset = way, label, offset


class Machine:
    """The hardware under one simulated run: the time each call of its variants takes.

    ``cost`` is each way's time without noise: processes 1, sequential 2 (the same work on one of
    two CPUs), threads as the case puts them.
    """

    def __init__(self, noise: Noise, rng: random.Random, threads_cost: float):
        self.noise, self.rng = noise, rng
        self.cost = {THREADS: threads_cost, PROCESSES: 1.0, SEQUENTIAL: 2.0}
        self.sigma = {way: noise.sigma_of(way) for way in self.cost}
        self.m: Optional[Interleaved] = None
        self.last: Tuple[int, str] = (-1, "")  # (round, variant) of the latest call
        self.fade_round = -1
        self.faded = False

    def variant(self, label: str) -> Built:
        """A Built variant: a new instance per build, its own offset for its lifetime (prime: nothing to warm)."""
        return Built(lambda: self._instance(label), self._call, prime=False)

    def plain(self, label: str) -> Callable[[], Seconds]:
        """A variant without an instance (sequential runs in the test's own process)."""
        instance = Instance(WAY_OF[label], label, 1.0)
        return lambda: self._call(instance)

    @contextmanager
    def _instance(self, label: str):
        lo, hi = self.noise.offset
        offset = 1.0
        if hi > 0:
            offset = 1.0 + self.rng.uniform(lo, hi)
            if self.rng.random() < 0.5:
                offset = 1.0 / offset
        yield Instance(WAY_OF[label], label, offset)

    def _fade(self, at: int) -> bool:
        """The second CPU's state in round ``at``: a Markov chain, started from its stationary share."""
        n = self.noise
        if self.fade_round < 0:
            self.faded, self.fade_round = self.rng.random() < n.fade_share, 0
        while self.fade_round < at:
            self.faded = (self.rng.random() >= n.fade_end) if self.faded else (self.rng.random() < n.fade_start)
            self.fade_round += 1
        return self.faded

    def _call(self, instance: Instance) -> Seconds:
        n, rng = self.noise, self.rng
        at = self.m.rounds  # the round being run
        before = self.last[1] if self.last[0] == at else None
        self.last = (at, instance.label)
        t = self.cost[instance.way] * instance.offset * math.exp(rng.gauss(0.0, self.sigma[instance.way]))
        if before is not None and before == n.carry_after:
            t *= n.carry_factor
        if n.fade_factor != 1.0 and instance.way == PROCESSES and self._fade(at):
            t *= n.fade_factor
        if n.outlier_chance and instance.way == PROCESSES and rng.random() < n.outlier_chance:
            lo, hi = n.outlier_range
            t *= math.exp(rng.uniform(math.log(lo), math.log(hi)))
        return Seconds(t)


def measured(noise: Noise, threads_cost: float, rng: random.Random, null: bool = True,
             sequential: bool = False) -> Interleaved:
    """The comparison's ``Interleaved`` on a fresh simulated machine (sequential too, where asked)."""
    machine = Machine(noise, rng, threads_cost)
    variants: Dict[str, object] = {SEQUENTIAL: machine.plain(SEQUENTIAL)} if sequential else {}
    variants.update({THREADS: machine.variant(THREADS), PROCESSES: machine.variant(PROCESSES)})
    m = Interleaved(variants, null=THREADS if null else None, seed=rng.getrandbits(32))
    if null:
        m.variants[TWIN] = machine.variant(TWIN)  # its own label, so that carryover can tell it from the baseline
    machine.m = m
    return m


def comparison(noise: Noise, scale: Scale, threads_cost: float, threshold: float, rng: random.Random,
               null: bool = True) -> str:
    """One simulated run of the comparison against a fixed threshold: its verdict."""
    m = measured(noise, threads_cost, rng, null)

    def decide(m):
        return decision.decide(m.ratio(THREADS, PROCESSES), threshold, decision.ABOVE, m.null_ratio())
    m.until_settled(decide, scale)
    return decide(m).verdict()


def scale_of(name: str, budget: int) -> Scale:
    return SCALES[name].with_budget(budget) if budget > 1 else SCALES[name]


def seeded(*parts) -> random.Random:
    return random.Random("-".join(str(p) for p in parts))


def verdicts(noise: Noise, scale_name: str, budget: int, position: str, runs: int,
             null: bool = True) -> Dict[str, int]:
    """Counts of verdicts over ``runs`` seeded runs with the true effect at ``position``."""
    bias = noise.median_bias()
    if position == ON:
        cost, threshold = THRESHOLD / bias, THRESHOLD
    else:
        cost, threshold = 1.0 / bias, NULL_THRESHOLD
    rng = seeded(noise.name, scale_name, f"x{budget}", position)
    scale = scale_of(scale_name, budget)
    counts = dict.fromkeys(VERDICTS, 0)
    for _ in range(runs):
        counts[comparison(noise, scale, cost, threshold, rng, null)] += 1
    return counts


def wrong(counts: Dict[str, int], position: str) -> int:
    """On the threshold any decisive verdict is wrong; with no effect, holds is."""
    return counts["holds"] + counts["refuted"] if position == ON else counts["holds"]


def wilson(k: int, n: int, z: float = 1.959964) -> Tuple[float, float]:
    """Wilson's 95 % interval for a rate of k in n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_words(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / n:.2%} [{lo:.2%}, {hi:.2%}]"


def plain_95(planned, overall=stats.CONFIDENCE) -> float:
    """A stand-in for stopping.per_look_confidence without the correction: 95 % at every look."""
    return 0.95


def rotation(self, names, round_index):
    """A stand-in for Interleaved.order: the fixed rotation it used before the Williams design."""
    shift = round_index % len(names)
    names = list(names)
    return names[shift:] + names[:shift]
