"""The report's opening: the summary line (verdict counts, controls as planted) and the forest plot
(every timing claim's effect against its threshold), from typed decisions and from older runs'
threshold texts; and where they sit in report.md and report.html."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from claimbench.core import records
from claimbench.core.decision import ABOVE, BELOW
from claimbench.core.runtime import fingerprint
from claimbench.report import builder, forest
from claimbench.report.parts import summary

NAN = float("nan")
INF = float("inf")


def timing(claim, case, verdict, effect, low, high, threshold="> 1.5", decision=None, role="claim",
           effect_name="ratio"):
    return dict(claim=claim, case=case, verdict=verdict, expected=verdict, expected_reason="", outcome="passed",
                effect=effect, ci_low=low, ci_high=high, effect_name=effect_name, threshold=threshold,
                evidence="e", rounds=7, data={}, role=role, decision=decision, control="")


def behaviour(claim, verdict, role="claim", control="", expected=None):
    return dict(claim=claim, case="", verdict=verdict, expected=expected or verdict, expected_reason="",
                outcome="passed", effect=NAN, ci_low=NAN, ci_high=NAN, effect_name="", threshold="",
                evidence="seen", rounds=0, data={}, role=role, decision=None, control=control)


def decision(effect, threshold, direction=ABOVE, null=None):
    return {"effect": list(effect), "threshold": threshold, "direction": direction, "null": null,
            "outcome": "inside", "inside_null": False, "gate": "", "confidence": 0.95}


def save(results, run_id, session, cases):
    records.save_record(results, run_id, session, dict(
        scale={"name": "quick", "unit_s": 0.01}, runtime=dict(fingerprint().as_dict()),
        started="2024-01-01T00:00:00+00:00", wall_s=1.0, verdicts=cases))


class Session:
    """What builder.claims_frame reads of a stored session."""
    runtime = {"tag": "t"}

    def __init__(self, cases):
        self.verdicts = cases


def claims_of(cases):
    """The claims frame as the builder makes it, from plain cases."""
    return builder.claims_frame([Session(cases)])


def cases_of(cases):
    return pd.DataFrame([dict(c, role=c.get("role") or "claim") for c in cases])


# ---------------------------------------------------------------- the summary line
def test_the_verdict_line_counts_every_verdict_and_names_those_that_do_not_hold():
    claims = pd.DataFrame({"claim": ["a", "b", "c", "d", "e"],
                           "verdict": ["holds", "holds", "partly", "inconclusive", "holds"],
                           "expected": ["holds", "holds", "partly", "holds", "machine-dependent"]})
    line = summary.verdict_line(claims)
    assert line.startswith("**5 claims: 3 hold, 1 partly, 0 refuted, 1 inconclusive**")
    assert "(partly: c; inconclusive: d)" in line
    assert summary.counts(["holds", "refuted", "refuted"]) == {"holds": 1, "partly": 0, "refuted": 2,
                                                                "inconclusive": 0}
    assert summary.verdict_line(claims.iloc[:1]).startswith("**1 claim: 1 holds, 0 partly, 0 refuted, 0 inconclusive**")
    assert summary.expectation_line(claims) == "not as this runtime expects: d (inconclusive, expected holds)"
    assert summary.expectation_line(claims.iloc[:3]) == "every verdict is the one this runtime expects"


def test_controls_in_the_run_itself_are_counted_as_planted_or_not(tmp_path):
    save(tmp_path, "20240101T000000Z", "timing", [
        behaviour("a", "holds"), behaviour("b", "holds"),
        behaviour("a", "refuted", role="control", control="x"),
        behaviour("b", "refuted", role="control", control="y"),
        behaviour("b", "holds", role="control", control="z", expected="refuted"),
        behaviour("b", "inconclusive", role="control", control="w", expected="inconclusive")])  # untestable
    ctx = builder.context(tmp_path, quiet=True)
    line = summary.controls_line(ctx)
    assert line.startswith("controls 2 of 3 as planted") and line.endswith("in this run")
    assert "not as planted: b [] holds" in line


def test_controls_of_a_controls_run_name_that_run_and_its_table(tmp_path):
    save(tmp_path, "20240101T000000Z", "timing", [behaviour("a", "holds")])
    save(tmp_path, "20240102T000000Z-controls", "controls-timing",
         [behaviour("a", "refuted", role="control", control="x")])
    ctx = builder.context(tmp_path, quiet=True)
    assert summary.controls_line(ctx) == "controls 1 of 1 as planted, from controls run 20240102T000000Z-controls"
    (tmp_path / "controls.md").write_text("# Controls\n", encoding="utf-8")
    assert summary.controls_line(ctx) == ("controls 1 of 1 as planted ([controls.md](controls.md)), from controls "
                                          "run 20240102T000000Z-controls")


def test_without_controls_the_line_says_where_they_are_or_that_none_ran(tmp_path):
    save(tmp_path, "20240101T000000Z", "timing", [behaviour("a", "holds")])
    ctx = builder.context(tmp_path, quiet=True)
    assert summary.controls_line(ctx) == "controls not run"
    (tmp_path / "controls.md").write_text("# Controls\n", encoding="utf-8")
    assert summary.controls_line(ctx) == ("controls: none in this run; their table is controls.md "
                                          "([controls.md](controls.md))")


# ---------------------------------------------------------------- the forest's axis
def test_toward_claim_puts_the_claims_side_above_one_whatever_the_sign_and_direction():
    assert forest.toward_claim(3.0, 1.5, ABOVE) == 2.0
    assert forest.toward_claim(0.01, 0.1, BELOW) == pytest.approx(10.0)
    assert forest.toward_claim(0.75, 1.5, ABOVE) == 0.5
    assert forest.toward_claim(-0.1, -0.5, ABOVE) == pytest.approx(5.0)    # −0.1 lies above −0.5
    assert forest.toward_claim(-1.0, -0.5, ABOVE) == pytest.approx(0.5)
    assert forest.toward_claim(-0.2, 0.5, BELOW) == INF                     # past zero, on the claim's side
    assert forest.toward_claim(-0.2, 0.5, ABOVE) == 0.0
    assert math.isnan(forest.toward_claim(1.0, 0.0, ABOVE))


@pytest.mark.parametrize("text, bounds", [
    ("> 1.25", [forest.Bound(1.25, ABOVE)]),
    ("< 0.1 (halfway, on a log scale, from a hundredth of a thread's cost to all of it)", [forest.Bound(0.1, BELOW)]),
    ("> √10 ≈ 3.16 (halfway, on a log scale, from a thread's cost to ten times it)", [forest.Bound(3.16, ABOVE)]),
    ("> 0.5 and processes/threads CPU time > 1.25", [forest.Bound(0.5, ABOVE)]),
    ("≥ 2", [forest.Bound(2.0, ABOVE)]),
    ("within 1 ± 0.1", [forest.Bound(1.1, BELOW), forest.Bound(0.9, ABOVE)]),
    ("within ±0.5 steps at every n", [forest.Bound(0.5, BELOW), forest.Bound(-0.5, ABOVE)]),
    ("within [0.5, 2.5] steps (the claim: 1)", [forest.Bound(2.5, BELOW), forest.Bound(0.5, ABOVE)]),
    ("shared memory / best of Pipe and Queue > 1.5", []),  # bounds another quantity than the effect
    ("", []),
])
def test_older_runs_threshold_texts(text, bounds):
    got = forest.bounds_of_text(text)
    assert [(b.direction, pytest.approx(b.threshold)) for b in got] == [(b.direction, b.threshold) for b in bounds]


# ---------------------------------------------------------------- the forest's frame
def test_the_forest_frame_from_typed_decisions():
    cases = [
        timing("cost", "fork", "holds", 30.0, 20.0, 40.0, decision=decision((30.0, 20.0, 40.0), 3.16,
                                                                            null=[1.0, 0.8, 1.1])),
        timing("cost", "spawn", "holds", 600.0, 400.0, 800.0, decision=decision((600.0, 400.0, 800.0), 3.16)),
        timing("cheap", "-", "holds", 0.01, 0.005, 0.02, decision=decision((0.01, 0.005, 0.02), 0.1, BELOW)),
        # the stored effect (a crossover in bytes) is not what was judged: the decision's effect is
        timing("ranks", "above", "holds", 6e6, 8e4, INF, threshold="shared memory / best > 1.5",
               decision=decision((2.1, 1.6, 2.4), 1.5), effect_name="crossover payload (bytes)"),
        timing("ranks", "below", "refuted", 1.0, 0.9, 1.1, role="related",
               decision=decision((1.0, 0.9, 1.1), 1.5)),  # a related finding: not in the forest
        behaviour("shares", "holds"),
    ]
    frame, left_out = forest.forest_frame(cases_of(cases), claims_of(cases))
    assert left_out == []
    assert list(frame["claim"]) == ["cost", "cost", "cheap", "ranks"]
    assert list(frame["headline"]) == [True, False, True, True]
    assert list(frame["source"]) == ["decision"] * 4
    cost = frame.iloc[0]
    assert cost["margin"] == pytest.approx(30 / 3.16) and cost["margin_low"] == pytest.approx(20 / 3.16)
    assert cost["null_factor"] == pytest.approx(1.25)  # the null's far end: 1 / 0.8
    assert cost["cases"] == 2 and cost["claim_verdict"] == "holds"
    assert math.isnan(frame.iloc[1]["null_factor"])
    cheap = frame.iloc[2]
    assert (cheap["direction"], cheap["margin"]) == (BELOW, pytest.approx(10.0))
    assert (cheap["margin_low"], cheap["margin_high"]) == (pytest.approx(5.0), pytest.approx(20.0))
    ranks = frame.iloc[3]
    assert (ranks["effect"], ranks["threshold"], ranks["figure"]) == (2.1, 1.5, "2.1 [1.6, 2.4] > 1.5")


def test_the_forest_frame_from_an_older_runs_cases():
    cases = [
        timing("cost", "fork", "holds", 29.5, 17.6, 37.6, threshold="> √10 ≈ 3.16 (halfway)"),
        timing("seq", "n2", "holds", 1.007, 1.006, 1.009, threshold="within 1 ± 0.1"),
        timing("pool", "k1", "refuted", 0.7, 0.6, 0.8, threshold="within ±0.5 steps at every n"),
        timing("io", "sleep", "holds", 0.98, 0.95, 0.99, threshold="> 0.5 and CPU time > 1.25"),
        timing("io", "file", "refuted", 0.05, 0.02, 0.07, threshold="> 0.5 and CPU time > 1.25"),
        timing("ranks", "above", "holds", 6e6, 8e4, 6e7, threshold="shared memory / best of Pipe and Queue > 1.5",
               effect_name="crossover payload (bytes)"),
    ]
    frame, left_out = forest.forest_frame(cases_of(cases), claims_of(cases))
    assert list(frame["claim"]) == ["cost", "seq", "pool", "io", "io"]
    assert set(frame["source"]) == {"threshold text"}
    assert frame["null_factor"].isna().all()
    by = {(r["claim"], r["case"]): r for r in frame.to_dict("records")}
    assert by["cost", "fork"]["threshold"] == 3.16 and by["cost", "fork"]["margin"] == pytest.approx(29.5 / 3.16)
    # a band is shown by the bound that decided it: the nearer for a hold, the one missed for a refutation
    assert (by["seq", "n2"]["threshold"], by["seq", "n2"]["direction"]) == (1.1, BELOW)
    assert (by["pool", "k1"]["threshold"], by["pool", "k1"]["direction"]) == (0.5, BELOW)
    assert by["pool", "k1"]["margin_high"] < 1  # refuted: wholly left of the threshold
    assert by["io", "file"]["margin_high"] < 1 < by["io", "sleep"]["margin_low"]
    assert by["io", "sleep"]["claim_verdict"] == "partly" and by["io", "file"]["verdict"] == "refuted"
    assert [c for c, _ in left_out] == ["ranks"] and "bounds another quantity" in left_out[0][1]


def test_the_forest_is_drawn(tmp_path):
    cases = [timing("cost", "fork", "holds", 30.0, 20.0, 40.0, decision=decision((30.0, 20.0, 40.0), 3.16,
                                                                                 null=[1.0, 0.8, 1.1])),
             timing("cost", "spawn", "refuted", 2.0, 1.5, 2.5, decision=decision((2.0, 1.5, 2.5), 3.16)),
             timing("below", "-", "holds", -0.1, -0.2, 0.01, threshold="within ±0.5 steps")]
    frame, _ = forest.forest_frame(cases_of(cases), claims_of(cases))
    path = forest.plot_forest(frame, tmp_path / "forest.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


# ---------------------------------------------------------------- in the report
def test_the_report_opens_with_the_summary_the_forest_and_the_contents(tmp_path):
    save(tmp_path, "20240101T000000Z", "timing", [
        timing("fake-timing", "k2", "holds", 1.9, 1.8, 2.0, decision=decision((1.9, 1.8, 2.0), 1.5)),
        timing("fake-old", "k2", "refuted", 0.9, 0.8, 1.0, threshold="> 1.25")])
    save(tmp_path, "20240101T000000Z", "behaviour", [behaviour("fake-behaviour", "holds")])
    builder.build(tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8").splitlines()
    assert md[0] == "# claimbench report — run 20240101T000000Z"
    assert md[2] == "## What holds here"
    assert md[4].startswith("**3 claims: 2 hold, 0 partly, 1 refuted, 0 inconclusive** (refuted: fake-old); "
                            "controls not run")
    figure = next(i for i, line in enumerate(md) if line.startswith("![") and line.endswith("](figures/forest.png)"))
    contents = md.index("**Contents**")
    assert figure < contents < md.index("## Verdicts")
    assert "- [Verdicts](#verdicts)" in md and "- [What holds here](#what-holds-here)" not in md
    assert (tmp_path / "figures" / forest.FIGURE).read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.index("<h2 id='what-holds-here'>") < page.index("figures/forest.png") \
        < page.index("<nav class='toc'>") < page.index("<h2 id='verdicts'>")
    assert "<a href='#verdicts'>Verdicts</a>" in page
