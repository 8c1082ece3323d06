"""Interleaved measurement: the variants a claim compares, timed side by side.

Each round runs every variant once, in an order that rotates from round to
round, so drift in the machine (a noisy neighbour, thermal change) lands on all
variants alike and per-round ratios cancel it. Wall-clock time only: CPU-time
timers miss sleeping threads and child processes.
"""
from __future__ import annotations

import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import stats, stopping
from .scales import Scale


class Measured(float):
    """A quantity a variant measured itself (a rate, a count) instead of its wall time."""


class Seconds(Measured):
    """What a variant returns when it timed itself (to leave its set-up out)."""


Variant = Callable[[], object]


class Interleaved:
    """Samples of several variants, one per variant per round.

    The wall time around the call is the sample, unless the variant returns
    ``Seconds`` (the time it measured itself, when its set-up must not count)
    or another ``Measured`` quantity (say, iterations per second).

    ``confidence`` is the level of its intervals: None (the current level,
    95 % outside the stopping rule) until ``until_settled`` sets its per-look level.
    """

    def __init__(self, variants: Dict[str, Variant]):
        if not variants:
            raise ValueError("nothing to measure")
        self.variants = dict(variants)
        self.samples: Dict[str, List[float]] = {name: [] for name in variants}
        self.rounds = 0
        self.confidence: Optional[float] = None
        self.looks: Tuple[int, ...] = ()  # the rounds until_settled looks at

    def round(self, only: Optional[Sequence[str]] = None) -> Dict[str, float]:
        """One sample of every variant (of ``only`` these, where given), in an order that rotates
        from round to round; returns them."""
        names = [n for n in self.variants if only is None or n in only]
        shift = self.rounds % len(names)
        got = {}
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            own = self.variants[name]()
            elapsed = time.perf_counter() - t0
            got[name] = float(own) if isinstance(own, Measured) else elapsed
            self.samples[name].append(got[name])
        self.rounds += 1
        return got

    def run(self, rounds: int) -> None:
        for _ in range(rounds):
            self.round()

    def warm_up(self, rounds: int) -> None:
        """Rounds that are run and thrown away (fresh workers, idle CPUs waking up)."""
        kept, self.samples = self.samples, {name: [] for name in self.variants}
        self.run(rounds)
        self.samples, self.rounds = kept, self.rounds - rounds

    def until_settled(self, decide: Callable[["Interleaved"], str], scale: Scale,
                      benchmark=None, warmup_rounds: int = 0) -> str:
        """Measure ``scale.min_rounds``, then a batch more while ``decide`` straddles, up to ``max_rounds``.

        Every look computes its intervals at one per-look level, chosen from the
        planned looks so that all of them together give a decisive verdict on an
        effect sitting on its threshold at most 5 % of the time (stopping.py).
        The level is set for ``decide``'s intervals (``m.ratio``, ``m.interval``,
        ``stats.median_interval``, ``stats.ratio_interval``) and stays set after
        the loop, so the interval the experiment then reports is the one that
        decided; the root conftest puts 95 % back after each test.

        With a pytest-benchmark fixture the first rounds go through
        ``benchmark.pedantic`` (one benchmark round = one interleaved round),
        so the stored run has raw timings for ``--benchmark-compare``; the
        per-variant samples go into ``extra_info``, with the looks and their level.
        """
        self.warm_up(warmup_rounds)
        if benchmark is not None:
            benchmark.pedantic(self.round, rounds=scale.min_rounds, iterations=1)
        self.run(max(0, scale.min_rounds - self.rounds))  # a disabled benchmark runs once
        self.looks, self.confidence = stopping.schedule_level(self.rounds, scale.batch_rounds, scale.max_rounds)
        stats.set_confidence(self.confidence)  # left set on purpose: see the docstring
        decision = stats.STRADDLES
        for look in self.looks:  # exactly the looks the level was chosen for
            self.run(look - self.rounds)
            decision = decide(self)
            if decision != stats.STRADDLES:
                break
        if benchmark is not None:
            benchmark.extra_info["rounds"] = self.rounds
            benchmark.extra_info["samples_s"] = {k: list(v) for k, v in self.samples.items()}
            benchmark.extra_info["looks"] = list(self.looks)
            benchmark.extra_info["confidence_per_look"] = self.confidence
            from .bench_variants import split
            split(benchmark, self.samples)  # one pytest-benchmark entry per variant (bench_variants.py)
        return decision

    def median_s(self, name: str) -> float:
        return stats.median_interval(self.samples[name], self.confidence).median

    def ratio(self, numerator: str, denominator: str) -> stats.Interval:
        return stats.ratio_interval(self.samples[numerator], self.samples[denominator], self.confidence)

    def interval(self, name: str) -> stats.Interval:
        return stats.median_interval(self.samples[name], self.confidence)


def worst(decisions) -> str:
    """A multi-part decision: settled only when every part is."""
    ds = list(decisions)
    return stats.STRADDLES if stats.STRADDLES in ds else stats.INSIDE
