"""claimbench.core.verdicts: decisions → verdicts → test outcomes."""
from __future__ import annotations

import json
import math

import pytest

from claimbench.core import stats, verdicts
from claimbench.core.stats import Interval
from claimbench.core.verdicts import (Expectation, FAILED, HOLDS, INCONCLUSIVE, PARTLY, PASSED, REFUTED, SKIPPED,
                                      Verdict, XFAILED)


@pytest.mark.parametrize("decision, verdict", [
    (stats.INSIDE, HOLDS),
    (stats.OUTSIDE, REFUTED),
    (stats.STRADDLES, INCONCLUSIVE),
    ("anything else", INCONCLUSIVE),
])
def test_from_decision(decision, verdict):
    assert verdicts.from_decision(decision) == verdict


def test_measured_takes_the_interval_and_the_decision():
    iv = Interval(1.9, 1.8, 2.1, 12)
    v = verdicts.measured("c", "k2", iv, stats.INSIDE, "ratio", "> 1.5", "why", data={"k": 2})
    assert (v.claim, v.case, v.verdict) == ("c", "k2", HOLDS)
    assert (v.effect, v.ci_low, v.ci_high, v.rounds) == (1.9, 1.8, 2.1, 12)
    assert (v.effect_name, v.threshold, v.evidence, v.data) == ("ratio", "> 1.5", "why", {"k": 2})


def test_measured_verdict_overrides_the_decision():
    iv = Interval(1.0, 0.9, 1.1, 6)
    assert verdicts.measured("c", "", iv, stats.INSIDE, "e", "t", "", verdict=PARTLY).verdict == PARTLY
    assert verdicts.measured("c", "", iv, stats.STRADDLES, "e", "t", "").verdict == INCONCLUSIVE


def test_measured_copies_the_data():
    data = {"a": 1}
    v = verdicts.measured("c", "", Interval(1, 1, 1, 6), stats.INSIDE, "e", "t", "", data=data)
    data["a"] = 2
    assert v.data == {"a": 1}
    assert verdicts.measured("c", "", Interval(1, 1, 1, 6), stats.INSIDE, "e", "t", "").data == {}


def test_observed_has_no_interval_unless_given_an_effect():
    v = verdicts.observed("c", "spawn", REFUTED, "saw it", data={"pids": [1, 2]})
    assert (v.claim, v.case, v.verdict, v.evidence, v.rounds) == ("c", "spawn", REFUTED, "saw it", 0)
    assert math.isnan(v.effect) and math.isnan(v.ci_low) and math.isnan(v.ci_high)
    assert v.data == {"pids": [1, 2]}
    w = verdicts.observed("c", "", HOLDS, "", effect=3.0, effect_name="count")
    assert (w.effect, w.ci_low, w.ci_high, w.effect_name) == (3.0, 3.0, 3.0, "count")


# ---------------------------------------------------------------- combine
@pytest.mark.parametrize("parts, combined", [
    ([HOLDS], HOLDS),
    ([HOLDS, HOLDS, HOLDS], HOLDS),
    ([REFUTED], REFUTED),
    ([REFUTED, REFUTED], REFUTED),
    ([HOLDS, REFUTED], PARTLY),
    ([REFUTED, HOLDS, HOLDS], PARTLY),
    ([PARTLY], PARTLY),
    ([HOLDS, PARTLY], PARTLY),
    ([REFUTED, PARTLY], PARTLY),
    ([INCONCLUSIVE], INCONCLUSIVE),
    ([HOLDS, INCONCLUSIVE], INCONCLUSIVE),
    ([REFUTED, PARTLY, INCONCLUSIVE], INCONCLUSIVE),
    ([], INCONCLUSIVE),
])
def test_combine(parts, combined):
    assert verdicts.combine(parts) == combined


def test_combine_takes_any_iterable():
    assert verdicts.combine(v for v in (HOLDS, HOLDS)) == HOLDS


# ---------------------------------------------------------------- outcome
@pytest.mark.parametrize("verdict", verdicts.VERDICTS)
@pytest.mark.parametrize("strict", [False, True])
def test_outcome_untestable_is_skipped_whatever_the_verdict(verdict, strict):
    untestable = Expectation(INCONCLUSIVE, "needs 2 CPUs", testable=False)
    assert verdicts.outcome(verdict, untestable, strict=strict) == SKIPPED


@pytest.mark.parametrize("expected", [HOLDS, REFUTED, PARTLY])
def test_outcome_inconclusive_skips_or_fails_under_strict(expected):
    assert verdicts.outcome(INCONCLUSIVE, Expectation(expected)) == SKIPPED
    assert verdicts.outcome(INCONCLUSIVE, Expectation(expected), strict=True) == FAILED


@pytest.mark.parametrize("verdict, expected", [
    (HOLDS, REFUTED), (REFUTED, HOLDS), (PARTLY, HOLDS), (HOLDS, PARTLY), (REFUTED, PARTLY),
])
def test_outcome_mismatch_fails(verdict, expected):
    assert verdicts.outcome(verdict, Expectation(expected)) == FAILED
    assert verdicts.outcome(verdict, Expectation(expected), strict=True) == FAILED


def test_outcome_refuted_as_expected_is_xfailed():
    assert verdicts.outcome(REFUTED, Expectation(REFUTED)) == XFAILED


@pytest.mark.parametrize("verdict", [HOLDS, PARTLY])
def test_outcome_holds_or_partly_as_expected_passes(verdict):
    assert verdicts.outcome(verdict, Expectation(verdict)) == PASSED
    assert verdicts.outcome(verdict, Expectation(verdict), strict=True) == PASSED


# ---------------------------------------------------------------- round trip
def sample_verdict(**changes) -> Verdict:
    base = dict(claim="c", case="k2", verdict=HOLDS, effect=1.9, ci_low=1.8, ci_high=2.1,
                effect_name="ratio", threshold="> 1.5", evidence="e", rounds=8,
                data={"k": 2, "samples": [1.0, 2.0], "nested": {"x": None}})
    base.update(changes)
    return Verdict(**base)


def test_verdict_round_trip():
    v = sample_verdict()
    assert Verdict.from_dict(v.as_dict()) == v


def test_verdict_round_trip_through_json():
    v = sample_verdict()
    assert Verdict.from_dict(json.loads(json.dumps(v.as_dict()))) == v


def test_verdict_from_dict_ignores_what_the_judge_adds():
    d = dict(sample_verdict().as_dict(), expected=HOLDS, outcome=PASSED, nodeid="x::y", runtime="3.11")
    assert Verdict.from_dict(d) == sample_verdict()


def test_verdict_round_trip_keeps_nan():
    v = verdicts.observed("c", "", HOLDS, "seen")
    back = Verdict.from_dict(json.loads(json.dumps(v.as_dict(), allow_nan=True)))
    assert math.isnan(back.effect) and math.isnan(back.ci_low) and math.isnan(back.ci_high)
    assert back.as_dict().keys() == v.as_dict().keys()
    assert (back.claim, back.verdict, back.evidence) == ("c", HOLDS, "seen")
