"""claimbench.core.decision: an effect against its threshold and beyond its run's own A/A null."""
from __future__ import annotations

import math

import pytest

from claimbench.core import stats
from claimbench.core.decision import ABOVE, BELOW, decide, null_factor, widened


def iv(m, lo, hi, n=12):
    return stats.Interval(m, lo, hi, n)


def test_without_a_null_the_threshold_alone_decides():
    assert decide(iv(1.5, 1.4, 1.6), 1.25).outcome == stats.INSIDE
    assert decide(iv(1.0, 0.9, 1.1), 1.25).outcome == stats.OUTSIDE
    assert decide(iv(1.3, 1.2, 1.4), 1.25).outcome == stats.STRADDLES
    assert decide(iv(0.05, 0.04, 0.06), 0.1, BELOW).outcome == stats.INSIDE
    assert decide(iv(0.5, 0.4, 0.6), 0.1, BELOW).outcome == stats.OUTSIDE


def test_the_null_widens_the_effect_by_its_far_end():
    assert null_factor(iv(1.0, 0.95, 1.02)) == pytest.approx(1 / 0.95)
    assert null_factor(iv(1.0, 0.99, 1.08)) == pytest.approx(1.08)
    assert null_factor(None) == 1.0 and math.isinf(null_factor(iv(1, -math.inf, math.inf)))
    w = widened(iv(1.5, 1.4, 1.6), iv(1.0, 0.9, 1.1))
    assert (w.low, w.high) == (pytest.approx(1.4 / (1 / 0.9)), pytest.approx(1.6 / 0.9))


def test_an_effect_inside_its_own_null_is_undecided_and_says_why():
    d = decide(iv(1.4, 1.3, 1.5), 1.25, ABOVE, iv(1.0, 0.88, 1.12))
    assert d.outcome == stats.STRADDLES and d.inside_null and "own null" in d.reason
    assert d.verdict() == "inconclusive"
    # the same effect beside a narrow null is decided
    d = decide(iv(1.4, 1.3, 1.5), 1.25, ABOVE, iv(1.0, 0.99, 1.01))
    assert d.outcome == stats.INSIDE and not d.inside_null and d.verdict() == "holds"


def test_a_refutation_needs_the_null_too():
    # a tie (1.0) refutes "1.25x faster" only when two identical ways differ by less than the gap
    assert decide(iv(1.0, 0.97, 1.03), 1.25, ABOVE, iv(1.0, 0.98, 1.02)).outcome == stats.OUTSIDE
    d = decide(iv(1.0, 0.97, 1.03), 1.25, ABOVE, iv(1.0, 0.8, 1.25))
    assert d.outcome == stats.STRADDLES and d.inside_null


def test_a_gate_makes_any_outcome_inconclusive():
    d = decide(iv(1.6, 1.5, 1.7), 1.25).gated(stats.OUTSIDE, "not testable now: one CPU")
    assert d.outcome == stats.OUTSIDE and d.verdict() == "inconclusive" and d.reason == "not testable now: one CPU"
    assert d.as_dict()["gate"] == "not testable now: one CPU"


def test_the_stored_decision_is_numbers():
    d = decide(iv(1.5, 1.4, 1.6), 1.25, ABOVE, iv(1.0, 0.98, 1.02))
    assert d.as_dict() == {"effect": [1.5, 1.4, 1.6], "threshold": 1.25, "direction": "above",
                           "null": [1.0, 0.98, 1.02], "outcome": stats.INSIDE, "inside_null": False, "gate": "",
                           "confidence": stats.CONFIDENCE}
    with pytest.raises(ValueError):
        decide(iv(1, 1, 1), 1.0, "sideways")


def test_the_part_shown_is_the_one_that_decided_or_the_reason_it_did_not():
    from claimbench.core.decision import nearest, shown
    holds_far = decide(iv(3.0, 2.8, 3.2), 1.5)
    holds_near = decide(iv(1.7, 1.6, 1.8), 1.5)
    refuted = decide(iv(1.0, 0.9, 1.1), 1.5)
    straddles = decide(iv(1.5, 1.3, 1.7), 1.5)
    in_null = decide(iv(1.8, 1.6, 2.0), 1.5, null=iv(1.0, 0.8, 1.25))
    assert in_null.inside_null and stats.all_of([holds_far.outcome, in_null.outcome]) == stats.STRADDLES
    assert shown([holds_far, refuted]) is refuted
    assert shown([straddles, in_null]) is in_null  # the null is why it is undecided
    assert shown([holds_far, straddles]) is straddles
    assert shown([holds_far, holds_near]) is holds_far and shown([holds_far, holds_near], held=nearest) is holds_near
    # The case's own outcome where it is given (a case decided otherwise than by its parts alone).
    assert shown([holds_far, refuted], stats.INSIDE) is holds_far
    assert shown([holds_far, holds_near], refuted) is holds_far  # no part refuted: the first
