"""Drive a timing experiment's own decision with synthetic measurements.

``Synthetic(monkeypatch, {variant: sample(round) ...})`` replaces what
``Interleaved.round`` measures with the given samples, so an experiment function
of ``experiments/`` can be called as it is (with a ``Capture`` for its judge) and
its verdict read back: the way to show that holds, refuted and inconclusive are
each reachable, without timing anything.
"""
from __future__ import annotations

import importlib.util
import itertools
import random
import sys
from pathlib import Path
from typing import Callable, Dict, List

from claimbench.core import measure, verdicts

ROOT = Path(__file__).resolve().parent.parent


def experiment(name: str):
    """The module ``experiments/<name>.py``, imported by path (it is a test module, not a package)."""
    key = "claimbench_experiments_" + name
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, str(ROOT / "experiments" / (name + ".py")))
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


Sample = Callable[[int], float]


def synthetic(monkeypatch, samples: Dict[str, Sample]) -> None:
    """Every round appends ``samples[variant](round)`` for each variant instead of running it (no
    instance is built). The A/A twin of a null's baseline draws from the baseline's own samples
    unless ``samples`` names it."""
    def round_(self, only=None):
        for name in self.variants:
            if only is not None and name not in only:
                continue
            sample = samples.get(name) or samples[self.null]
            value = sample(self.rounds)
            self.samples[name].append(float(value))
        self.rounds += 1
    monkeypatch.setattr(measure.Interleaved, "round", round_)


def steady(value: float, spread: float = 0.02, seed: int = 1) -> Sample:
    """``value`` with a little multiplicative noise: a clear effect."""
    rng = random.Random(seed)
    return lambda i: value * (1 + rng.uniform(-spread, spread))


def straddling(value: float, spread: float = 0.5) -> Sample:
    """Alternately ``spread`` below and above ``value``: no budget can settle which side it is on."""
    return lambda i: value * (1 - spread if i % 2 else 1 + spread)


class Capture:
    """A judge that keeps the verdicts it is given."""

    def __init__(self):
        self.verdicts: List[verdicts.Verdict] = []

    def __call__(self, verdict: verdicts.Verdict) -> None:
        self.verdicts.append(verdict)

    def measured(self, *args, **kwargs) -> None:
        self(verdicts.measured("", "", *args, **kwargs))

    def observed(self, *args, **kwargs) -> None:
        self(verdicts.observed("", "", *args, **kwargs))

    def decided(self, decision, **kwargs) -> None:
        self(verdicts.decided("", "", decision, **kwargs))

    @property
    def verdict(self) -> str:
        assert len(self.verdicts) == 1, self.verdicts
        return self.verdicts[0].verdict


OUTCOMES = (verdicts.HOLDS, verdicts.REFUTED, verdicts.INCONCLUSIVE)


def counter():
    """A fresh round counter, for samples that need their own (several variants share ``i``)."""
    return itertools.count()
