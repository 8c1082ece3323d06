"""claimbench.core.claim_table: judged cases → one row per claim, and the terminal table."""
from __future__ import annotations

import json
import math

import pytest

from claimbench.core import claim_table
from claimbench.core.verdicts import HOLDS, INCONCLUSIVE, PARTLY, REFUTED

NAN = float("nan")


def case(claim, case_id, verdict, expected=None, outcome="passed", effect=NAN, ci=(NAN, NAN),
         effect_name="", evidence="", **extra):
    d = dict(claim=claim, case=case_id, verdict=verdict, expected=expected or verdict, outcome=outcome,
             effect=effect, ci_low=ci[0], ci_high=ci[1], effect_name=effect_name, evidence=evidence)
    d.update(extra)
    return d


def stored(cases):
    """As the cases come back from a run file."""
    return json.loads(json.dumps(cases, allow_nan=True))


def row_of(rows, claim):
    (row,) = [r for r in rows if r.claim == claim]
    return row


def test_one_row_per_claim_in_first_seen_order():
    rows = claim_table.claim_rows([case("b", "1", HOLDS), case("a", "", HOLDS), case("b", "2", HOLDS)])
    assert [r.claim for r in rows] == ["b", "a"]
    assert [r.cases for r in rows] == [2, 1]


def test_rows_follow_the_given_order_then_first_seen():
    cs = [case("x", "", HOLDS), case("b", "", HOLDS), case("a", "", HOLDS), case("y", "", HOLDS)]
    assert [r.claim for r in claim_table.claim_rows(cs, order=["a", "b", "c"])] == ["a", "b", "x", "y"]


def test_no_cases_no_rows():
    assert claim_table.claim_rows([]) == []


@pytest.mark.parametrize("parts, combined", [
    ([HOLDS, HOLDS], HOLDS),
    ([REFUTED, REFUTED], REFUTED),
    ([HOLDS, REFUTED], PARTLY),
    ([HOLDS, PARTLY], PARTLY),
    ([HOLDS, INCONCLUSIVE], INCONCLUSIVE),
])
def test_verdict_and_expected_combine_over_cases(parts, combined):
    cs = [case("c", str(i), v, expected=v) for i, v in enumerate(parts)]
    (row,) = claim_table.claim_rows(cs)
    assert row.verdict == combined
    assert row.expected == combined


def test_verdict_and_expected_combine_independently():
    (row,) = claim_table.claim_rows([case("c", "net", HOLDS, expected=HOLDS),
                              case("c", "file", HOLDS, expected=REFUTED, outcome="failed")])
    assert (row.verdict, row.expected, row.outcome) == (HOLDS, PARTLY, "failed")


@pytest.mark.parametrize("outcomes, combined", [
    (["passed", "passed"], "passed"),
    (["passed", "xfailed"], "passed"),
    (["xfailed", "xfailed"], "xfailed"),
    (["passed", "skipped"], "skipped"),
    (["xfailed", "skipped"], "skipped"),
    (["passed", "skipped", "failed"], "failed"),
    (["failed", "xfailed"], "failed"),
])
def test_claim_outcome(outcomes, combined):
    assert claim_table.claim_outcome(outcomes) == combined
    (row,) = claim_table.claim_rows([case("c", str(i), HOLDS, outcome=o) for i, o in enumerate(outcomes)])
    assert row.outcome == combined


def test_missing_outcome_counts_as_passed():
    c = case("c", "", HOLDS)
    del c["outcome"]
    assert claim_table.claim_rows([c])[0].outcome == "passed"


def test_headline_is_the_first_case_with_an_interval():
    cs = stored([
        case("c", "seen", HOLDS),                                          # behaviour: no interval
        case("c", "k2", HOLDS, effect=1.9, ci=(1.8, 2.0), effect_name="speed-up"),
        case("c", "k4", HOLDS, effect=3.7, ci=(3.5, 3.9), effect_name="speed-up"),
    ])
    (row,) = claim_table.claim_rows(cs)
    assert (row.effect, row.ci_low, row.ci_high, row.effect_name) == (1.9, 1.8, 2.0, "speed-up")


def test_headline_falls_back_to_the_first_case():
    (row,) = claim_table.claim_rows(stored([case("c", "a", HOLDS, evidence="x"), case("c", "b", HOLDS)]))
    assert math.isnan(row.effect) and math.isnan(row.ci_low) and math.isnan(row.ci_high)
    assert row.effect_name == ""


def test_evidence_of_a_single_case_is_its_own():
    (row,) = claim_table.claim_rows([case("c", "", HOLDS, evidence="2 tasks took 4.01 s")])
    assert row.evidence == "2 tasks took 4.01 s"


def test_evidence_of_several_cases_is_one_line_each():
    (row,) = claim_table.claim_rows(stored([
        case("c", "k2", HOLDS, effect=1.93, ci=(1.85, 2.01), effect_name="speed-up", evidence="ignored"),
        case("c", "", REFUTED, evidence="ignored"),
    ]))
    assert row.evidence == "k2: 1.93 [1.85, 2.01] holds; -: refuted"


def test_case_line():
    assert claim_table.case_line(case("c", "spawn", HOLDS)) == "spawn: holds"
    assert claim_table.case_line({"claim": "c", "case": "n2", "verdict": REFUTED, "effect": 0.5,
                           "ci_low": 0.25, "ci_high": 1.0}) == "n2: 0.5 [0.25, 1] refuted"
    assert claim_table.case_line({"claim": "c", "verdict": HOLDS, "effect": None}) == "-: holds"


# ---------------------------------------------------------------- text_table
def test_text_table_has_headers_rule_and_rows():
    rows = claim_table.claim_rows(stored([
        case("first-claim", "", HOLDS, effect=1.93, ci=(1.85, 2.01), effect_name="speed-up"),
        case("second", "", REFUTED, outcome="xfailed"),
    ]))
    lines = claim_table.text_table(rows).splitlines()
    assert len(lines) == 4
    assert lines[0].split() == ["claim", "verdict", "expected", "outcome", "effect", "[sequential", "95%", "CI]"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split() == ["first-claim", "holds", "holds", "passed", "1.93", "[1.85,", "2.01]", "speed-up"]
    assert lines[3].split() == ["second", "refuted", "refuted", "xfailed", "-"]
    # Columns line up: each verdict starts where the header's does.
    col = lines[0].index("verdict")
    assert lines[2][col:].startswith("holds") and lines[3][col:].startswith("refuted")


def test_text_table_rows_end_without_padding():
    rows = claim_table.claim_rows([case("a-much-longer-claim-id", "", HOLDS), case("b", "", HOLDS)])
    for line in claim_table.text_table(rows).splitlines()[2:]:
        assert line == line.rstrip()


def test_text_table_without_rows_is_just_the_header():
    lines = claim_table.text_table([]).splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "claim"
