"""claimbench.core.stats: intervals and threshold decisions on synthetic samples."""
from __future__ import annotations

import math

import pytest

from claimbench.core import stats
from claimbench.core.stats import INSIDE, Interval, OUTSIDE, STRADDLES


def binom_cdf(k: int, n: int) -> float:
    """P(X <= k), X ~ Binomial(n, 1/2), computed here independently of stats."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


# ---------------------------------------------------------------- median_rank_bounds
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5])
def test_rank_bounds_none_below_six_at_95(n):
    assert stats.median_rank_bounds(n) is None


@pytest.mark.parametrize("n, expected", [(6, (1, 6)), (10, (2, 9)), (20, (6, 15))])
def test_rank_bounds_known_values(n, expected):
    assert stats.median_rank_bounds(n) == expected


@pytest.mark.parametrize("n", [6, 7, 10, 15, 20, 33, 50, 1023, 1024, 1500])
def test_rank_bounds_are_the_tightest_with_95_coverage(n):
    lo, hi = stats.median_rank_bounds(n)
    assert hi == n - lo + 1
    # Coverage P(x_(lo) <= median <= x_(hi)) = 1 - 2·P(X <= lo-1) must reach 95 % ...
    assert 1 - 2 * binom_cdf(lo - 1, n) >= 0.95
    # ... and one rank further in would not.
    assert 1 - 2 * binom_cdf(lo, n) < 0.95


def test_median_interval_of_many_samples():
    # Thousands of samples (per-task latencies) must neither overflow nor take long.
    iv = stats.median_interval(range(10001))
    assert iv.median == 5000
    lo, hi = stats.median_rank_bounds(10001)
    assert (iv.low, iv.high) == (lo - 1, hi - 1)
    assert 4800 < iv.low < 5000 < iv.high < 5200


def test_rank_bounds_lower_confidence_needs_fewer_samples():
    # At 90 % (alpha/2 = 0.05) n = 5 is enough: P(X <= 0) = 1/32 < 0.05.
    assert stats.median_rank_bounds(5, confidence=0.90) == (1, 5)


# ---------------------------------------------------------------- median_interval
def test_median_interval_orders_and_brackets():
    samples = [9.0, 1.0, 5.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 10.0]
    iv = stats.median_interval(samples)
    assert iv.n == 10
    assert iv.median == 5.5
    # Ranks (2, 9) of the sorted samples.
    assert (iv.low, iv.high) == (2.0, 9.0)
    assert iv.low <= iv.median <= iv.high


def test_median_interval_six_samples_spans_min_to_max():
    iv = stats.median_interval([3, 1, 2, 6, 5, 4])
    assert (iv.low, iv.median, iv.high) == (1.0, 3.5, 6.0)


@pytest.mark.parametrize("samples, median", [([1.0], 1.0), ([1.0, 2.0], 1.5),
                                             ([4.0, 2.0, 3.0, 1.0, 5.0], 3.0)])
def test_median_interval_infinite_for_tiny_n(samples, median):
    iv = stats.median_interval(samples)
    assert iv.low == -math.inf and iv.high == math.inf
    assert iv.median == median
    assert iv.n == len(samples)


def test_median_interval_rejects_no_samples():
    with pytest.raises(ValueError):
        stats.median_interval([])


def test_interval_str_uses_three_significant_figures():
    assert str(Interval(1.23456, 1.0, 2.0, 6)) == "1.23 [1, 2]"
    assert stats.fmt(float("nan")) == "nan"
    assert stats.fmt(123456.0) == "1.23e+05"
    assert stats.fmt(0.001234) == "1.23e-03"


# ---------------------------------------------------------------- ratios
def test_paired_ratios_round_by_round():
    assert stats.paired_ratios([2.0, 6.0, 9.0], [1.0, 3.0, 3.0]) == [2.0, 2.0, 3.0]


def test_paired_ratios_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="3 vs 2"):
        stats.paired_ratios([1.0, 2.0, 3.0], [1.0, 2.0])


def test_paired_ratios_drop_zero_denominators():
    assert stats.paired_ratios([1.0, 2.0, 3.0], [0.0, 1.0, 0.0]) == [2.0]
    assert stats.paired_ratios([1.0], [0.0]) == []


def test_ratio_interval_of_paired_samples():
    num = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    den = [1.0, 1.0, 2.0, 2.0, 4.0, 4.0]   # ratios 2, 4, 3, 4, 2.5, 3
    iv = stats.ratio_interval(num, den)
    assert iv.n == 6
    assert iv.median == 3.0
    assert (iv.low, iv.high) == (2.0, 4.0)


def test_ratio_interval_counts_only_usable_pairs():
    iv = stats.ratio_interval([1.0] * 7, [1.0] * 6 + [0.0])
    assert iv.n == 6
    assert (iv.median, iv.low, iv.high) == (1.0, 1.0, 1.0)


def test_scaled_interval_divides_everything_but_n():
    iv = stats.scaled_interval(Interval(4.0, 2.0, 8.0, 9), 2.0)
    assert iv == Interval(2.0, 1.0, 4.0, 9)


# ---------------------------------------------------------------- decisions
def iv(low, high):
    return Interval((low + high) / 2, low, high, 10)


@pytest.mark.parametrize("interval, expected", [
    (iv(1.1, 1.5), INSIDE),          # wholly above
    (iv(0.5, 0.9), OUTSIDE),         # wholly below
    (iv(0.9, 1.1), STRADDLES),       # across
    (iv(1.0, 1.5), STRADDLES),       # low touches the threshold
    (iv(0.5, 1.0), STRADDLES),       # high touches the threshold
    (Interval(2.0, -math.inf, math.inf, 3), STRADDLES),  # too few samples
])
def test_above(interval, expected):
    assert stats.above(interval, 1.0) == expected


@pytest.mark.parametrize("interval, expected", [
    (iv(0.5, 0.9), INSIDE),
    (iv(1.1, 1.5), OUTSIDE),
    (iv(0.9, 1.1), STRADDLES),
    (iv(0.5, 1.0), STRADDLES),
    (iv(1.0, 1.5), STRADDLES),
    (Interval(0.0, -math.inf, math.inf, 3), STRADDLES),
])
def test_below(interval, expected):
    assert stats.below(interval, 1.0) == expected


@pytest.mark.parametrize("interval, expected", [
    (iv(0.95, 1.05), INSIDE),        # inside the band
    (iv(0.9, 1.1), INSIDE),          # the band's edges count as inside
    (iv(1.2, 1.5), OUTSIDE),         # wholly above the band
    (iv(0.1, 0.8), OUTSIDE),         # wholly below the band
    (iv(0.8, 1.0), STRADDLES),       # across the low edge
    (iv(1.0, 1.3), STRADDLES),       # across the high edge
    (iv(0.5, 1.5), STRADDLES),       # wider than the band
    (iv(0.5, 0.9), STRADDLES),       # touches the low edge from outside
    (iv(1.1, 1.5), STRADDLES),       # touches the high edge from outside
    (Interval(1.0, -math.inf, math.inf, 3), STRADDLES),
])
def test_within(interval, expected):
    assert stats.within(interval, 0.9, 1.1) == expected


# ---------------------------------------------------------------- the level intervals are computed at
def test_intervals_carry_their_level():
    samples = list(range(20))
    assert stats.median_interval(samples).confidence == stats.CONFIDENCE
    wide = stats.median_interval(samples, 0.99)
    assert wide.confidence == 0.99
    assert (wide.low, wide.high) == (samples[3], samples[16])  # ranks (4, 17) at 99 %, (6, 15) at 95 %
    assert stats.scaled_interval(wide, 2.0).confidence == 0.99
    assert stats.ratio_interval([2.0] * 8, [1.0] * 8, 0.99).confidence == 0.99


def test_the_current_level_is_the_default_and_is_restored():
    assert stats.current_confidence() == stats.CONFIDENCE
    with stats.confidence(0.99):
        assert stats.current_confidence() == 0.99
        assert stats.median_interval(range(20)) == stats.median_interval(range(20), 0.99)
        assert stats.median_rank_bounds(20) == (4, 17)
        # An explicit level still wins.
        assert stats.median_interval(range(20), 0.95).confidence == 0.95
    assert stats.current_confidence() == stats.CONFIDENCE
    assert stats.median_rank_bounds(20) == (6, 15)


@pytest.mark.parametrize("level", [0.0, 1.0, 95])
def test_a_level_lies_between_0_and_1(level):
    with pytest.raises(ValueError):
        stats.set_confidence(level)


def test_median_of_even_and_odd_counts():
    assert stats.median_interval([4.0, 1.0, 3.0, 2.0]).median == 2.5
    assert stats.median_interval([5.0, 1.0, 3.0]).median == 3.0
