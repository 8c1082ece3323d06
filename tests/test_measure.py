"""claimbench.core.measure.Interleaved with fake variants, decisions and benchmark fixtures."""
from __future__ import annotations

import pytest

from claimbench.core import order, stats
from claimbench.core.measure import Built, Interleaved, Seconds, twin_name, worst
from claimbench.core.scales import Scale

# Looks at 8, 12, 16, 20, each at 96.2 % (claimbench/core/stopping.py): 8 samples give a finite interval at that level.
SCALE = Scale("test", unit_s=0.001, min_rounds=8, max_rounds=20, batch_rounds=4)


def recording(names, calls, returns=None):
    """Variants that append their name to ``calls`` and return ``returns``."""
    def make(name):
        def variant():
            calls.append(name)
            return returns
        return variant
    return {name: make(name) for name in names}


def instant(value=0.5):
    return {"a": lambda: Seconds(value), "b": lambda: Seconds(value * 2)}


class FakeBenchmark:
    """pytest-benchmark's fixture, as far as until_settled uses it."""

    def __init__(self, calls_target_once=False):
        self.calls_target_once = calls_target_once
        self.extra_info = {}
        self.pedantic_calls = []

    def pedantic(self, target, rounds=1, iterations=1, **kwargs):
        self.pedantic_calls.append((rounds, iterations))
        # A disabled pytest-benchmark (--benchmark-disable, xdist) runs the target once.
        for _ in range(1 if self.calls_target_once else rounds * iterations):
            target()


class Decide:
    """A fake decision: the answers given in order, then the last one forever."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.seen_rounds = []

    def __call__(self, m: Interleaved) -> str:
        self.seen_rounds.append(m.rounds)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


# ---------------------------------------------------------------- rounds
def test_nothing_to_measure_is_an_error():
    with pytest.raises(ValueError):
        Interleaved({})


def test_every_variant_runs_once_a_round():
    calls = []
    m = Interleaved(recording("abc", calls), seed=3)
    m.run(4)
    assert sorted(calls[:3]) == sorted(calls[3:6]) == list("abc")
    assert m.rounds == 4
    assert {k: len(v) for k, v in m.samples.items()} == {"a": 4, "b": 4, "c": 4}


def _orders(names, rounds, seed):
    calls = []
    m = Interleaved(recording(names, calls), seed=seed)
    m.run(rounds)
    n = len(names)
    return [calls[i:i + n] for i in range(0, len(calls), n)]


@pytest.mark.parametrize("names", ["ab", "abc", "abcd", "abcde", "abcdef"])
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_the_order_is_balanced_over_every_full_budget(names, seed):
    """Over the rounds of a full budget (48: the CPU-bound claim's, twice the default's 24) every
    variant follows every other equally often, give or take the one cycle of the design that
    the budget cuts short; over whole cycles exactly equally. A rotation of one fixed cycle
    (abc, bca, cab: 'a' always after 'c') fails this: its counts are 0 and 32 of 48."""
    counts = order.predecessors(_orders(names, 48, seed))
    pairs = [(a, b) for a in names for b in names if a != b]
    got = [counts.get(p, 0) for p in pairs]
    cycle = len(order.williams_rows(len(names)))
    assert max(got) - min(got) <= 2, counts
    whole = order.predecessors(_orders(names, 4 * cycle, seed))
    assert len({whole.get(p, 0) for p in pairs}) == 1, whole


def test_a_cyclic_rotation_would_fail_the_balance_check():
    rotation = [list("abc"[i % 3:] + "abc"[:i % 3]) for i in range(48)]
    counts = order.predecessors(rotation)
    assert counts.get(("c", "a"), 0) == 32 and counts.get(("a", "c"), 0) == 0


def test_the_order_is_reproducible_from_its_seed():
    assert _orders("abcd", 12, 7) == _orders("abcd", 12, 7)
    assert _orders("abcd", 12, 7) != _orders("abcd", 12, 8)


def test_a_seed_is_drawn_and_kept_when_none_is_given():
    a, b = Interleaved(instant()), Interleaved(instant())
    assert isinstance(a.seed, int) and (a.seed != b.seed or a.seed == b.seed)  # kept, whatever it is
    bench = FakeBenchmark()
    a.until_settled(Decide(stats.INSIDE), SCALE, bench)
    assert bench.extra_info["order_seed"] == a.seed


# ---------------------------------------------------------------- the A/A null and built instances
def test_the_null_measures_the_baseline_twice():
    m = Interleaved({"base": lambda: Seconds(2.0), "other": lambda: Seconds(3.0)}, null="base", seed=1)
    assert list(m.variants) == ["base", "other", twin_name("base")]
    m.run(8)
    assert m.null_ratio() == stats.Interval(1.0, 1.0, 1.0, 8)
    assert Interleaved(instant()).null_ratio() is None
    with pytest.raises(ValueError):
        Interleaved(instant(), null="nosuch")


class Instances:
    """A fake pool: each build is a new instance, numbered; closing is recorded."""

    def __init__(self):
        self.built, self.closed, self.runs = [], [], []

    def build(self, tag):
        from contextlib import contextmanager

        @contextmanager
        def cm():
            inst = (tag, len(self.built))
            self.built.append(inst)
            try:
                yield inst
            finally:
                self.closed.append(inst)
        return cm

    def run(self, inst):
        self.runs.append(inst)
        return Seconds(1.0 + inst[1] * 0.01)


def test_built_variants_are_rebuilt_apart_and_closed():
    pools = Instances()
    m = Interleaved({"a": Built(pools.build("a"), pools.run), "b": Built(pools.build("b"), pools.run)},
                    null="a", seed=2, rebuild_every=3)
    m.until_settled(Decide(stats.INSIDE), SCALE)  # 8 rounds: instances built before rounds 1, 4 and 7
    assert m.builds == 3
    assert len(pools.built) == 9  # a, b and a's twin, three times: the twin is an instance of its own
    assert len({i for i in pools.built if i[0] == "a"}) == 6
    assert sorted(pools.closed) == sorted(pools.built)  # every instance closed, the last ones by until_settled
    # each new instance ran once unclocked (primed) before its rounds: 3 builds x 3 variants
    assert len(pools.runs) == 8 * 3 + 9


def test_a_failing_build_closes_what_it_built():
    pools = Instances()

    def broken():
        raise RuntimeError("no pool")
    m = Interleaved({"a": Built(pools.build("a"), pools.run), "b": Built(broken, pools.run)})
    with pytest.raises(RuntimeError):
        m.run(1)
    assert pools.closed == pools.built


def test_single_variant_is_called_once_per_round():
    calls = []
    m = Interleaved(recording("a", calls))
    m.run(3)
    assert calls == ["a", "a", "a"]


def test_seconds_returned_by_a_variant_is_the_sample():
    m = Interleaved({"own": lambda: Seconds(123.5), "wall": lambda: 123.5})
    m.run(2)
    assert m.samples["own"] == [123.5, 123.5]
    # A plain number is not a self-measurement: the wall time around the call is used.
    assert all(0 <= s < 123.5 for s in m.samples["wall"])


def test_medians_and_ratios_come_from_the_samples():
    seq = iter([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    m = Interleaved({"x": lambda: Seconds(next(seq) * 2), "y": lambda: Seconds(1.0)})
    m.run(6)
    assert m.median_s("x") == 7.0
    assert m.interval("x") == stats.Interval(7.0, 2.0, 12.0, 6)
    assert m.ratio("x", "y") == stats.Interval(7.0, 2.0, 12.0, 6)


# ---------------------------------------------------------------- until_settled
def test_until_settled_stops_at_min_rounds_when_settled():
    decide = Decide(stats.INSIDE)
    m = Interleaved(instant())
    assert m.until_settled(decide, SCALE) == stats.INSIDE
    assert m.rounds == SCALE.min_rounds
    assert decide.seen_rounds == [SCALE.min_rounds]


def test_until_settled_adds_batches_while_straddling():
    decide = Decide(stats.STRADDLES, stats.STRADDLES, stats.OUTSIDE)
    m = Interleaved(instant())
    assert m.until_settled(decide, SCALE) == stats.OUTSIDE
    assert decide.seen_rounds == [8, 12, 16]
    assert m.rounds == 16


def test_until_settled_gives_up_at_max_rounds():
    decide = Decide(stats.STRADDLES)
    m = Interleaved(instant())
    scale = Scale("odd", unit_s=0.001, min_rounds=6, max_rounds=12, batch_rounds=4)
    assert m.until_settled(decide, scale) == stats.STRADDLES
    # The last batch is cut short so the budget is never exceeded.
    assert decide.seen_rounds == [6, 10, 12]
    assert m.rounds == 12
    assert all(len(s) == 12 for s in m.samples.values())


@pytest.mark.parametrize("calls_target_once", [False, True], ids=["enabled", "disabled"])
def test_until_settled_with_a_benchmark_reaches_min_rounds(calls_target_once):
    bench = FakeBenchmark(calls_target_once)
    calls = []
    m = Interleaved(recording("ab", calls, returns=Seconds(0.25)))
    assert m.until_settled(Decide(stats.INSIDE), SCALE, bench) == stats.INSIDE
    assert bench.pedantic_calls == [(SCALE.min_rounds, 1)]
    assert m.rounds == SCALE.min_rounds
    assert len(calls) == 2 * SCALE.min_rounds
    assert bench.extra_info["rounds"] == SCALE.min_rounds
    assert bench.extra_info["samples_s"] == {"a": [0.25] * 8, "b": [0.25] * 8}
    assert bench.extra_info["looks"] == [8, 12, 16, 20]
    assert bench.extra_info["confidence_per_look"] == m.confidence == 0.962


def test_until_settled_benchmark_extra_info_counts_the_extra_batches():
    bench = FakeBenchmark()
    m = Interleaved(instant())
    m.until_settled(Decide(stats.STRADDLES, stats.INSIDE), SCALE, bench)
    assert m.rounds == 12
    assert bench.extra_info["rounds"] == 12
    assert {k: len(v) for k, v in bench.extra_info["samples_s"].items()} == {"a": 12, "b": 12}
    # extra_info holds copies: later rounds do not change what was stored.
    m.run(1)
    assert len(bench.extra_info["samples_s"]["a"]) == 12


def test_worst():
    assert worst([stats.INSIDE, stats.OUTSIDE]) == stats.INSIDE
    assert worst([stats.INSIDE, stats.STRADDLES]) == stats.STRADDLES


def test_warm_up_rounds_run_but_are_not_kept():
    calls = []
    m = Interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")})
    m.warm_up(3)
    assert len(calls) == 6
    assert m.rounds == 0 and m.samples == {"a": [], "b": []}
    m.run(2)
    assert m.rounds == 2 and len(m.samples["a"]) == 2


# ---------------------------------------------------------------- the stopping rule's level
def test_intervals_outside_the_stopping_rule_are_at_95():
    m = Interleaved(instant())
    m.run(8)
    assert m.confidence is None
    assert m.interval("a").confidence == m.ratio("b", "a").confidence == stats.CONFIDENCE


def test_until_settled_decides_and_reports_at_its_per_look_level():
    seen = []

    def decide(m):
        # The ways experiments compute their intervals: all at the level of this look.
        seen.extend([m.ratio("b", "a").confidence, m.interval("a").confidence,
                     stats.median_interval(m.samples["a"]).confidence,
                     stats.ratio_interval(m.samples["b"], m.samples["a"]).confidence])
        return stats.STRADDLES if m.rounds < 12 else stats.INSIDE

    m = Interleaved(instant())
    assert m.until_settled(decide, SCALE) == stats.INSIDE
    assert m.looks == (8, 12, 16, 20) and m.confidence == 0.962
    assert set(seen) == {0.962}
    # After the loop the level stays, so the interval an experiment reports is the one that decided.
    assert stats.current_confidence() == 0.962
    assert stats.ratio_interval(m.samples["b"], m.samples["a"]) == m.ratio("b", "a")
    assert m.ratio("b", "a").confidence == 0.962


def test_until_settled_moves_the_first_look_to_a_finite_interval():
    # Five looks from round 6 need 96.5 % each, which 6 samples cannot give: the first look is at 7.
    decide = Decide(stats.STRADDLES)
    m = Interleaved(instant())
    m.until_settled(decide, Scale("few", unit_s=0.001, min_rounds=6, max_rounds=20, batch_rounds=4))
    assert decide.seen_rounds == [7, 11, 15, 19, 20]
    assert list(m.looks) == decide.seen_rounds and m.confidence == 0.965


def test_a_clear_effect_settles_at_the_first_look():
    m = Interleaved({"a": lambda: Seconds(1.0), "b": lambda: Seconds(2.0)})
    assert m.until_settled(lambda m: stats.above(m.ratio("b", "a"), 1.5), SCALE) == stats.INSIDE
    assert m.rounds == SCALE.min_rounds
