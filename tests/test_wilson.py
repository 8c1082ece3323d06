"""claimbench.commands.wilson: the Wilson score interval against published values."""
from __future__ import annotations

import pytest

from claimbench.commands.wilson import wilson, z_of


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score interval without
# continuity correction), and the values the stability study quotes.
@pytest.mark.parametrize("k, n, low, high", [
    (0, 20, 0.0, 0.1611),
    (1, 15, 0.0119, 0.2982),
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (1, 29, 0.0061, 0.1718),
    (5, 10, 0.2366, 0.7634),
    (0, 1, 0.0, 0.7935),
])
def test_known_values(k, n, low, high):
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_ends_are_exact():
    assert wilson(0, 20)[0] == 0.0
    assert wilson(20, 20)[1] == 1.0


def test_symmetric_in_k_and_n_minus_k():
    for k, n in [(0, 5), (1, 15), (3, 7), (81, 263)]:
        low, high = wilson(k, n)
        mirror = wilson(n - k, n)
        assert mirror == pytest.approx((1 - high, 1 - low), abs=1e-12)


def test_holds_the_observed_share_and_narrows_with_n():
    for k, n in [(1, 3), (2, 9), (40, 100)]:
        low, high = wilson(k, n)
        assert low < k / n < high
    assert wilson(10, 100)[1] - wilson(10, 100)[0] < wilson(1, 10)[1] - wilson(1, 10)[0]


def test_a_higher_confidence_is_wider():
    low95, high95 = wilson(3, 12)
    low99, high99 = wilson(3, 12, confidence=0.99)
    assert low99 < low95 and high99 > high95
    assert z_of(0.95) == pytest.approx(1.959964, abs=1e-6)


def test_no_runs_say_nothing():
    assert wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("k, n", [(3, 2), (-1, 5), (1, -1), (1.5, 3), (True, 3)])
def test_bad_counts(k, n):
    with pytest.raises(ValueError):
        wilson(k, n)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
def test_bad_confidence(confidence):
    with pytest.raises(ValueError):
        wilson(1, 3, confidence=confidence)
