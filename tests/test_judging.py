"""claimbench.plugin.judging: a case judged against its expectation, and a session's record, without pytest."""
from __future__ import annotations

import math
from types import SimpleNamespace

from claimbench import claims
from claimbench.claims.expect import always, parallel
from claimbench.core import stats, verdicts
from claimbench.core.roles import Role
from claimbench.core.verdicts import CONTROL, RELATED
from claimbench.plugin.judging import Judgement, record_payload

RT = SimpleNamespace(usable_cpus=1, gil_enabled=True)
HOLDS = claims.Claim(id="c", section="x", quote="", statement="", expect=always(verdicts.HOLDS, "because"))
NEEDS_TWO = claims.Claim(id="p", section="x", quote="", statement="", expect=parallel(verdicts.HOLDS, "two CPUs"))


def test_a_verdict_as_expected_passes_and_is_stored_with_its_expectation():
    j = Judgement(HOLDS, "k2", Role(), RT, nodeid="t::x[k2]")
    judged = j.judge(verdicts.measured("c", "", stats.Interval(1.5, 1.3, 1.7, 7), "outside", "ratio", "> 1.1", "seen",
                                       verdict=verdicts.HOLDS))
    assert judged.outcome == verdicts.PASSED
    assert judged.case["case"] == "k2" and judged.case["expected"] == "holds" and judged.case["nodeid"] == "t::x[k2]"
    assert judged.case["role"] == "claim" and "expected holds — because" in judged.summary


def test_against_the_expectation_fails_and_inconclusive_skips_unless_strict():
    j = Judgement(HOLDS, "", Role(), RT)
    assert j.judge(verdicts.observed("c", "", verdicts.REFUTED, "no")).outcome == verdicts.FAILED
    assert j.judge(verdicts.observed("c", "", verdicts.INCONCLUSIVE, "?")).outcome == verdicts.SKIPPED
    strict = Judgement(HOLDS, "", Role(), RT, strict=True)
    assert strict.judge(verdicts.observed("c", "", verdicts.INCONCLUSIVE, "?")).outcome == verdicts.FAILED


def test_a_control_refuted_as_planted_passes():
    j = Judgement(HOLDS, "control-x", Role(CONTROL, control="x", why="planted"), RT)
    judged = j.judge(verdicts.observed("c", "", verdicts.REFUTED, "as planted"))
    assert judged.outcome == verdicts.PASSED and judged.case["role"] == "control" and judged.case["control"] == "x"
    assert judged.summary.startswith("control of c [control-x]")


def test_a_control_is_always_strict():
    """An inconclusive control fails even without STRICT, and says so; an untestable one is skipped."""
    j = Judgement(HOLDS, "control-x", Role(CONTROL, control="x", why="planted"), RT, strict=False)
    judged = j.judge(verdicts.observed("c", "", verdicts.INCONCLUSIVE, "could not tell"))
    assert judged.outcome == verdicts.FAILED and "not as planted" in judged.summary
    untestable = Judgement(NEEDS_TWO, "control-x", Role(CONTROL, control="x", why="planted"), RT).untestable()
    assert untestable.outcome == verdicts.SKIPPED


def test_a_typed_decision_is_stored_with_the_case():
    from claimbench.core import decision
    d = decision.decide(stats.Interval(1.5, 1.45, 1.55, 7), 1.35, decision.ABOVE, stats.Interval(1.0, 0.99, 1.02, 7))
    judged = Judgement(HOLDS, "k2", Role(), RT).judge(
        verdicts.measured("c", "", d.effect, d, "ratio", "> 1.35", "seen"))
    assert judged.outcome == verdicts.PASSED
    assert judged.case["decision"]["threshold"] == 1.35 and judged.case["decision"]["null"] == [1.0, 0.99, 1.02]
    assert judged.case["decision"]["direction"] == "above" and judged.case["decision"]["outcome"] == stats.INSIDE
    assert "A/A null" in judged.case["evidence"]


def test_an_untestable_case_is_a_skipped_inconclusive_record():
    j = Judgement(NEEDS_TWO, "", Role(RELATED), RT)
    untestable = j.untestable()
    assert untestable.outcome == verdicts.SKIPPED and untestable.case["verdict"] == verdicts.INCONCLUSIVE
    assert "not testable here: needs 2 usable CPUs" in untestable.summary
    assert Judgement(HOLDS, "", Role(), RT).untestable() is None


def test_a_verdict_for_another_claim_is_refused():
    try:
        Judgement(HOLDS, "", Role(), RT).judge(verdicts.observed("other", "", verdicts.HOLDS, ""))
    except ValueError as exc:
        assert "other" in str(exc)
    else:
        raise AssertionError("no error")


def test_record_payload():
    scale = SimpleNamespace(name="quick", unit_s=0.01)
    payload = record_payload(scale, {"tag": "t"}, {"a::b": {"claim": "c"}}, {"a::b": 1.23456}, "2026",
                             2.5, 1, None)
    assert payload["scale"] == {"name": "quick", "unit_s": 0.01} and payload["exitstatus"] == 1
    assert payload["verdicts"] == [{"claim": "c", "duration_s": 1.235}] and payload["benchmark_file"] is None
    assert not math.isnan(payload["wall_s"])
