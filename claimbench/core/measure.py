"""Interleaved measurement: the variants a claim compares, timed side by side.

Each round runs every variant once. The order within a round follows a Williams design
(order.py): every variant follows every other equally often, so what one leaves behind
(a CPU's clock, caches, GIL state) is no bias of any slot; drift in the machine (a noisy
neighbour, thermal change) lands on all variants alike and per-round ratios cancel it.

Two things make a comparison's noise visible instead of fixed:

- ``Built`` variants run on an instance (a pool, an executor, a server, a sandbox) that is
  built outside the clock and rebuilt every ``rebuild_every`` rounds, so what one instance
  happens to be (where its threads sit) is sampled across the rounds, not an offset fixed
  for the whole test that no per-round interval sees;
- ``null=`` names the baseline way: it is measured twice in every round, as two instances
  built apart (``twin_name``), and ``null_ratio`` is their A/A ratio: what two identical
  ways differ by in this run. ``decision.decide`` widens an effect by it.

Wall-clock time only: CPU-time timers miss sleeping threads and child processes.
"""
from __future__ import annotations

import os
import random
import time
from contextlib import ExitStack
from typing import Any, Callable, ContextManager, Dict, List, Optional, Sequence, Tuple

from . import stats, stopping
from .decision import outcome_of
from .order import BalancedOrder, subset_order
from .scales import Scale

# Instances of Built variants are rebuilt after this many rounds: at the default scale's first
# look (7 rounds) that is three instances of each, so an instance's offset is sampled.
REBUILD_EVERY = 3


def twin_name(name: str) -> str:
    """The A/A twin of a baseline variant: the same way, another instance."""
    return name + "-again"


class Measured(float):
    """A quantity a variant measured itself (a rate, a count) instead of its wall time."""


class Seconds(Measured):
    """What a variant returns when it timed itself (to leave its set-up out)."""


Variant = Callable[[], object]


class Built:
    """A variant that runs on an instance: ``build()`` is a context manager giving the instance
    (a started pool, a server), ``run(instance)`` one sample's work on it.

    The instance is built outside the clock, used for a few rounds, then closed and built anew
    (``Interleaved.rebuild_every``). Where ``prime`` is set, each new instance runs the work once
    unclocked first (workers started, modules imported, caches warm), as a warm-up round would.
    """

    def __init__(self, build: Callable[[], ContextManager[Any]], run: Callable[[Any], object], prime: bool = True):
        self.build, self.run, self.prime = build, run, prime


class Interleaved:
    """Samples of several variants, one per variant per round.

    The wall time around the call is the sample, unless the variant returns
    ``Seconds`` (the time it measured itself, when its set-up must not count)
    or another ``Measured`` quantity (say, iterations per second).

    ``null`` names the baseline variant measured twice (its twin: ``twin_name``; ``twin``, where
    given, is the twin's variant, else the baseline's own again); ``seed`` fixes
    the order of the rounds (drawn at random where None, and kept in ``seed`` and the benchmark's
    ``extra_info``). Use it as a context manager, or let ``until_settled`` close the instances of
    ``Built`` variants.

    ``confidence`` is the level of its intervals: None (the current level,
    95 % outside the stopping rule) until ``until_settled`` sets its per-look level.
    """

    def __init__(self, variants: Dict[str, Any], null: Optional[str] = None, seed: Optional[int] = None,
                 rebuild_every: int = REBUILD_EVERY, twin: Any = None):
        if not variants:
            raise ValueError("nothing to measure")
        variants = dict(variants)
        if null is not None:
            if null not in variants:
                raise ValueError(f"the null's baseline {null!r} is not a variant")
            # The same way again; a Built twin gets an instance of its own. ``twin`` gives it where the
            # baseline's variant keeps state of its own (a clock's record) that the twin must not share.
            variants[twin_name(null)] = variants[null] if twin is None else twin
        self.null = null
        self.variants: Dict[str, Any] = variants
        self.samples: Dict[str, List[float]] = {name: [] for name in variants}
        self.rounds = 0
        self.confidence: Optional[float] = None
        self.looks: Tuple[int, ...] = ()  # the rounds until_settled looks at
        self.seed = int.from_bytes(os.urandom(4), "little") if seed is None else int(seed)
        self.rebuild_every = max(1, int(rebuild_every))
        self.builds = 0  # instances built so far, per Built variant
        self._orders: Dict[Tuple[str, ...], BalancedOrder] = {}
        self._stack: Optional[ExitStack] = None
        self._instances: Dict[str, Any] = {}
        self._used = 0  # rounds run on the present instances

    # ------------------------------------------------------------ instances
    @property
    def built(self) -> List[str]:
        return [n for n, v in self.variants.items() if isinstance(v, Built)]

    def _build(self) -> None:
        stack = ExitStack()
        # Each its own instance (a baseline and its twin are built apart), in an order drawn anew
        # for each build: the last one built is the youngest, whose workers may run differently.
        names = self.built
        random.Random(f"{self.seed}:build:{self.builds}").shuffle(names)
        try:
            for name in names:
                self._instances[name] = stack.enter_context(self.variants[name].build())
            for name in names:
                if self.variants[name].prime:
                    self.variants[name].run(self._instances[name])
        except BaseException:
            stack.close()
            self._instances = {}
            raise
        self._stack, self._used = stack, 0
        self.builds += 1

    def close(self) -> None:
        """Close every instance (a later round builds new ones)."""
        stack, self._stack, self._instances = self._stack, None, {}
        if stack is not None:
            stack.close()

    def rebuild(self) -> None:
        self.close()
        self._build()

    def __enter__(self) -> "Interleaved":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, name: str) -> object:
        v = self.variants[name]
        return v.run(self._instances[name]) if isinstance(v, Built) else v()

    # ------------------------------------------------------------ rounds
    def order(self, names: Sequence[str], round_index: int) -> List[str]:
        """The order of ``names`` in round ``round_index``: a row of their Williams design."""
        key = tuple(names)
        if key not in self._orders:
            self._orders[key] = BalancedOrder(key, self.seed)
        return self._orders[key](round_index)

    def round(self, only: Optional[Sequence[str]] = None) -> Dict[str, float]:
        """One sample of every variant (of ``only`` these, where given), in the design's order for
        this round; returns them. Instances are built (or rebuilt) first where due, off the clock."""
        if self.built and (self._stack is None or self._used >= self.rebuild_every):
            self.rebuild()
        names = list(self.variants)
        order = self.order(names, self.rounds)
        if only is not None:
            order = subset_order(order, only)
        got = {}
        for name in order:
            t0 = time.perf_counter()
            own = self._call(name)
            elapsed = time.perf_counter() - t0
            got[name] = float(own) if isinstance(own, Measured) else elapsed
            self.samples[name].append(got[name])
        self.rounds += 1
        self._used += 1
        return got

    def run(self, rounds: int) -> None:
        for _ in range(rounds):
            self.round()

    def warm_up(self, rounds: int) -> None:
        """Rounds that are run and thrown away (fresh workers, idle CPUs waking up)."""
        kept, self.samples = self.samples, {name: [] for name in self.variants}
        self.run(rounds)
        self.samples, self.rounds = kept, self.rounds - rounds

    def until_settled(self, decide: Callable[["Interleaved"], object], scale: Scale,
                      benchmark=None, warmup_rounds: int = 0) -> str:
        """Measure ``scale.min_rounds``, then a batch more while ``decide`` straddles, up to ``max_rounds``.

        ``decide`` returns an outcome (``stats.INSIDE``, ``OUTSIDE``, ``STRADDLES``) or a
        ``decision.Decision``; the outcome is returned.

        Every look computes its intervals at one per-look level, chosen from the
        planned looks so that all of them together give a decisive verdict on an
        effect sitting on its threshold at most 5 % of the time (stopping.py).
        The level is set for ``decide``'s intervals (``m.ratio``, ``m.interval``,
        ``stats.median_interval``, ``stats.ratio_interval``) and stays set after
        the loop, so the interval the experiment then reports is the one that
        decided; the plugin puts 95 % back after each test.

        With a pytest-benchmark fixture the first rounds go through
        ``benchmark.pedantic`` (one benchmark round = one interleaved round),
        so the stored run has raw timings for ``--benchmark-compare``; the
        per-variant samples go into ``extra_info``, with the looks, their level,
        the order's seed and the null's baseline. Instances of ``Built`` variants
        are closed at the end.
        """
        try:
            self.warm_up(warmup_rounds)
            if benchmark is not None:
                benchmark.pedantic(self.round, rounds=scale.min_rounds, iterations=1)
            self.run(max(0, scale.min_rounds - self.rounds))  # a disabled benchmark runs once
            self.looks, self.confidence = stopping.schedule_level(self.rounds, scale.batch_rounds, scale.max_rounds)
            stats.set_confidence(self.confidence)  # left set on purpose: see the docstring
            decision = stats.STRADDLES
            for look in self.looks:  # exactly the looks the level was chosen for
                self.run(look - self.rounds)
                decision = outcome_of(decide(self))
                if decision != stats.STRADDLES:
                    break
        finally:
            self.close()
        if benchmark is not None:
            benchmark.extra_info["rounds"] = self.rounds
            benchmark.extra_info["samples_s"] = {k: list(v) for k, v in self.samples.items()}
            benchmark.extra_info["looks"] = list(self.looks)
            benchmark.extra_info["confidence_per_look"] = self.confidence
            benchmark.extra_info["order_seed"] = self.seed
            if self.null is not None:
                benchmark.extra_info["null"] = [self.null, twin_name(self.null)]
            from .bench_variants import split
            split(benchmark, self.samples)  # one pytest-benchmark entry per variant (bench_variants.py)
        return decision

    def null_ratio(self) -> Optional[stats.Interval]:
        """The A/A ratio: the baseline's twin over the baseline, paired round by round (None without a null)."""
        if self.null is None:
            return None
        return self.ratio(twin_name(self.null), self.null)

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
