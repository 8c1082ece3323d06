"""Controls and related findings: roles from markers, the controls table, and where they show."""
from __future__ import annotations

import csv
import functools
import io
import json
import math

from claimbench import claims
from claimbench.core import claim_table, records, roles, verdicts
from claimbench.core.runtime import fingerprint
from claimbench.report import builder as report
from claimbench.core import control_table

NAN = float("nan")


class FakeMark:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class FakeItem:
    name = "test_something"

    def __init__(self, **marks):
        self.marks = marks

    def get_closest_marker(self, name):
        return self.marks.get(name)


def case(claim, verdict, expected, role="claim", control="", case_id="", effect=NAN):
    return dict(claim=claim, case=case_id, verdict=verdict, expected=expected, expected_reason="planted: x",
                outcome="passed", effect=effect, ci_low=effect, ci_high=effect, effect_name="",
                evidence="seen", rounds=0, data={}, role=role, control=control)


# ---------------------------------------------------------------- roles
def test_an_unmarked_case_answers_the_claim():
    assert roles.of(FakeItem()) == roles.Role(verdicts.CLAIM)


def test_a_related_finding_is_read_from_its_marker():
    assert roles.of(FakeItem(related=FakeMark(why="x"))).role == verdicts.RELATED


def test_a_control_carries_its_name_and_plant():
    role = roles.of(FakeItem(control=FakeMark(name="thread-pool", expect=verdicts.REFUTED, why="a thread pool")))
    assert (role.role, role.control) == (verdicts.CONTROL, "thread-pool")
    e = role.expectation(fingerprint())
    assert e.verdict == verdicts.REFUTED and "a thread pool" in e.reason


def test_a_control_may_expect_what_the_runtime_says():
    expect = lambda rt: verdicts.Expectation(verdicts.HOLDS, "runtime says so")  # noqa: E731
    role = roles.of(FakeItem(control=FakeMark(name="x", expect=expect, why="")))
    assert role.expectation(fingerprint()).verdict == verdicts.HOLDS


def test_the_claim_and_related_roles_have_no_planted_expectation():
    assert roles.Role(verdicts.CLAIM).expectation(fingerprint()) is None
    assert roles.Role(verdicts.RELATED).expectation(fingerprint()) is None


def test_control_and_related_params_carry_marks_and_ids():
    p = roles.control("thread-pool", 1, 2, why="w")
    assert p.id == "control-thread-pool" and p.values == (1, 2)
    assert [m.name for m in p.marks] == ["control"]
    r = roles.related("sentinel", 3, why="w")
    assert r.id == "sentinel" and [m.name for m in r.marks] == ["related"]


# ---------------------------------------------------------------- verdicts and the claim table
def test_a_machine_dependent_expectation_neither_passes_nor_fails_on_its_verdict():
    e = verdicts.Expectation(verdicts.MACHINE_DEPENDENT, "the disk decides")
    assert verdicts.outcome(verdicts.HOLDS, e) == verdicts.PASSED
    assert verdicts.outcome(verdicts.REFUTED, e) == verdicts.PASSED
    assert verdicts.outcome(verdicts.INCONCLUSIVE, e) == verdicts.SKIPPED


def test_one_machine_dependent_case_makes_the_claims_expectation_so():
    assert verdicts.combine([verdicts.HOLDS, verdicts.MACHINE_DEPENDENT]) == verdicts.MACHINE_DEPENDENT


def test_related_findings_and_controls_stay_out_of_the_claims_verdict():
    cases = [case("c", "holds", "holds"),
             case("c", "refuted", "refuted", role="related", case_id="sentinel"),
             case("c", "refuted", "refuted", role="control", control="x", case_id="control-x")]
    (row,) = claim_table.claim_rows(cases)
    assert (row.verdict, row.cases) == ("holds", 1)


def test_a_run_of_controls_alone_has_no_claim_rows():
    assert claim_table.claim_rows([case("c", "refuted", "refuted", role="control", control="x")]) == []


def test_cases_stored_before_roles_count_as_the_claims():
    old = case("c", "holds", "holds")
    del old["role"]
    assert claim_table.role_of(old) == verdicts.CLAIM and len(claim_table.claim_rows([old])) == 1


# ---------------------------------------------------------------- the controls table
class Registry(dict):
    pass


def registry(**no_control):
    r = Registry()
    for cid in ("a", "b", "c"):
        r[cid] = claims.Claim(id=cid, quote="", statement="", expect=None, section="A",
                              no_control=no_control.get(cid, ""))
    return r


def test_every_claim_gets_a_row_and_controls_are_checked_against_their_plant():
    cases = [case("a", "refuted", "refuted", role="control", control="x", case_id="control-x", effect=1.0),
             case("b", "holds", "refuted", role="control", control="y", case_id="control-y"),
             case("a", "holds", "holds")]
    table = control_table.rows(cases, registry(c="nothing can be planted"))
    assert [(r.claim, r.control) for r in table] == [("a", "x"), ("b", "y"), ("c", "-")]
    assert [r.as_planted for r in table] == [True, False, False]
    assert table[2].evidence == "nothing can be planted" and not table[2].ran
    line = control_table.summary(table)
    assert "2 of 3 claims" in line and "1 of 2 controls" in line and "b [control-y]" in line
    assert "Without a control that ran: c" in line


def test_an_inconclusive_control_is_not_as_planted():
    (row, _, _) = control_table.rows([case("a", "inconclusive", "refuted", role="control", control="x")],
                                     registry())
    assert row.ran and not row.as_planted


def test_controls_csv_has_the_columns_the_issue_names():
    table = control_table.rows([case("a", "refuted", "refuted", role="control", control="x", effect=0.5)],
                               registry())
    rows = list(csv.DictReader(io.StringIO(control_table.csv_text(table))))
    assert tuple(rows[0]) == ("claim", "case", "control", "expected", "verdict", "effect", "ci_low", "ci_high",
                              "evidence")
    assert float(rows[0]["effect"]) == 0.5 and rows[1]["effect"] == ""


# ---------------------------------------------------------------- stored runs and the report
def _save(results, run_id, session, verdicts_):
    runtime = dict(fingerprint().as_dict(), unit_s=0.01, scale="quick")
    records.save_record(results, run_id, session, dict(
        scale={"name": "quick", "unit_s": 0.01}, runtime=runtime, started="", wall_s=1.0, verdicts=verdicts_))


def test_a_controls_run_is_never_the_latest_run_of_the_claims(tmp_path):
    _save(tmp_path, "20240101T000000Z", "timing", [case("a", "holds", "holds")])
    _save(tmp_path, "20240102T000000Z-controls", "controls-timing",
          [case("a", "refuted", "refuted", role="control", control="x")])
    loaded, _ = records.load_runs(tmp_path)
    assert {r.run_id for r in records.latest(loaded)} == {"20240101T000000Z"}
    assert {r.run_id for r in records.latest(loaded, controls=True)} == {"20240102T000000Z-controls"}
    assert {r.run_id for r in records.latest(loaded, "20240102T000000Z-controls")} == {"20240102T000000Z-controls"}


def test_the_report_links_each_verdict_to_its_controls(tmp_path):
    claim_id = next(iter(claims.REGISTRY))
    _save(tmp_path, "20240101T000000Z", "timing", [
        case(claim_id, "holds", "holds"),
        case(claim_id, "refuted", "refuted", role="related", case_id="a-neighbouring-fact")])
    _save(tmp_path, "20240102T000000Z-controls", "controls-timing",
          [case(claim_id, "refuted", "refuted", role="control", control="planted-x", case_id="control-planted-x")])
    report.build(tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"[as planted (1/1)](#control-{claim_id})" in md
    assert f'<a id="control-{claim_id}"></a>' in md
    assert f"href='#control-{claim_id}'" in html and f"id='control-{claim_id}'" in html
    assert "## Related findings" in md and "a-neighbouring-fact" in md
    assert "## Controls" in md and "planted-x" in md


def test_without_a_controls_run_the_report_says_how_to_get_one(tmp_path):
    claim_id = next(iter(claims.REGISTRY))
    _save(tmp_path, "20240101T000000Z", "timing", [case(claim_id, "holds", "holds")])
    report.build(tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "not run (make controls)" in md and "## Controls" not in md


def test_nan_effects_stay_blank_in_the_markdown():
    table = control_table.rows([case("a", "refuted", "refuted", role="control", control="x")], registry())
    assert "nan" not in control_table.markdown_text(table, [])
    assert math.isnan(table[0].effect)


# ---------------------------------------------------------------- every claim has a control
COLLECT = """
import json, pytest
class Claims:
    def pytest_collection_finish(self, session):
        found, cases = {}, []
        for item in session.items:
            claim = item.get_closest_marker("claim")
            role = "control" if item.get_closest_marker("control") else "other"
            found.setdefault(role, set()).add(claim.args[0] if claim else None)
            callspec = getattr(item, "callspec", None)
            cases.append([item.nodeid.split("[")[0], callspec.id if callspec else "", role])
        print("CLAIMS=" + json.dumps({k: sorted(v, key=str) for k, v in found.items()}))
        print("CASES=" + json.dumps(cases))
pytest.main(["experiments", "--collect-only", "-q", "-p", "no:cacheprovider"], plugins=[Claims()])
"""


@functools.lru_cache(maxsize=None)
def collected() -> dict:
    """What COLLECT prints of the experiments, by its line's name (CLAIMS, CASES)."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", COLLECT], cwd=str(root), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
    lines = [line.split("=", 1) for line in done.stdout.splitlines() if line.startswith(("CLAIMS=", "CASES="))]
    assert len(lines) == 2, done.stdout[-2000:]
    return {name: json.loads(value) for name, value in lines}


def test_every_claim_has_a_control_or_says_why_it_cannot():
    """A check that cannot fail is a defect: every claim's experiment also runs on a planted counterpart."""
    found = collected()["CLAIMS"]
    with_control = set(found.get("control", []))
    missing = [c for c, claim in claims.REGISTRY.items() if c not in with_control and not claim.no_control]
    assert missing == [], f"claims without a control (or a no_control reason): {missing}"
    assert set(found.get("other", [])) == set(claims.REGISTRY), "every claim has its own cases too"


def test_controls_are_cases_of_the_experiment_they_control():
    """A control is a parameter of its claim's own experiment, beside the real cases
    (``@pytest.mark.ways(..., control(...))`` or a parametrize list), with the id ``control-<name>…``;
    never a twin test that runs on a planted counterpart alone."""
    cases = collected()["CASES"]
    with_real_cases = {test for test, _, role in cases if role != "control"}
    controls = [(test, case) for test, case, role in cases if role == "control"]
    assert controls
    assert [c for c in controls if c[0] not in with_real_cases] == [], "a test of controls alone"
    assert [c for c in controls if not c[1].startswith(roles.CONTROL_PREFIX)] == [], "a control's id"


def test_a_control_this_runtime_cannot_test_did_not_run_here():
    """No sub-interpreters, one CPU: the control is untestable (expected inconclusive), not missed."""
    (row, _, _) = control_table.rows([case("a", "inconclusive", "inconclusive", role="control", control="x")],
                                     registry())
    assert not row.ran and not row.as_planted
    assert "0 of 0 controls" in control_table.summary([row])


def test_a_control_gated_by_the_machine_is_untestable_now_not_failed():
    """A control whose experiment a gate settled (real processes showed no parallel capacity then)
    says nothing of its plant: it counts as untestable now, not as 'not as planted'; an inconclusive
    control without a gate still fails (controls are strict)."""
    from claimbench.core import control_table
    from claimbench.core.roles import Role
    from claimbench.core import stats, verdicts
    from claimbench.core.decision import ABOVE, decide
    from claimbench.plugin.judging import Judgement
    claim = claims.get("cpu-bound-favours-processes")
    import dataclasses
    here = dataclasses.replace(fingerprint(), gil_enabled=True, usable_cpus=2)
    role = Role(verdicts.CONTROL, control="thread-pool-as-processes-k2", why="planted")
    d = decide(stats.Interval(0.9, 0.8, 1.0, 7), 1.0, ABOVE).gated(stats.OUTSIDE, "not testable now: no capacity")
    j = Judgement(claim, "control-thread-pool-as-processes-k2", role, here)
    judged = j.judge(verdicts.measured(claim.id, "", d.effect, d, "ratio", "> 1", "seen"))
    assert judged.outcome == verdicts.SKIPPED
    row, = control_table.rows([judged.case], {claim.id: claim})
    assert row.untestable_now and not row.ran and "Untestable now" in control_table.summary([row])
    plain = decide(stats.Interval(1.0, 0.8, 1.2, 7), 1.0, ABOVE)
    assert j.judge(verdicts.measured(claim.id, "", plain.effect, plain, "ratio", "> 1", "seen")).outcome \
        == verdicts.FAILED
