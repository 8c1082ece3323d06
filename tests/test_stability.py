"""claimbench.commands.stability: the summariser on synthetic runs, RUNS, the hog, the report part."""
from __future__ import annotations

import json
import subprocess
import sys

import psutil
import pytest

from claimbench.commands import cli, stability
from claimbench.commands.stability import ConditionRun, HOG, ONE_CPU, QUIET, summarise
from claimbench.core import records
from claimbench.report.parts import stability as stability_part

NEEDS_2 = "not testable here: needs 2 usable CPUs, this process may use 1"


def quiet(i, **verdicts):
    return ConditionRun(QUIET, f"b-quiet{i}", dict(verdicts), usable_cpus=2, exit_status=0)


def one_cpu(reasons=None, usable_cpus=1, **verdicts):
    return ConditionRun(ONE_CPU, "b-onecpu", dict(verdicts), dict(reasons or {}), usable_cpus, 0)


def hog(**verdicts):
    return ConditionRun(HOG, "b-hog", dict(verdicts), usable_cpus=2, exit_status=0)


# ---------------------------------------------------------------- RUNS
@pytest.mark.parametrize("value, runs", [("1", 1), ("5", 5), (" 12 ", 12), (3, 3)])
def test_parse_runs(value, runs):
    assert stability.parse_runs(value) == runs


@pytest.mark.parametrize("value", ["0", "x", "", "-1", "2.5", "1e3", "00"])
def test_parse_runs_rejects(value):
    with pytest.raises(stability.BadRuns) as err:
        stability.parse_runs(value)
    assert "RUNS must be a positive integer" in str(err.value) and repr(value) in str(err.value)


@pytest.mark.parametrize("runs", ["0", "x"])
def test_bad_runs_is_one_line_and_exit_2(runs, capsys, tmp_path):
    assert cli.main(["stability", "--runs", runs, "--results-dir", str(tmp_path)]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("claimbench: error: RUNS"), err
    assert list(tmp_path.iterdir()) == []


def test_unknown_scale_is_one_line(capsys, tmp_path):
    assert cli.main(["stability", "--runs", "1", "--scale", "bogus", "--results-dir", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


# ---------------------------------------------------------------- the summariser
def test_identical_quiet_runs_agree():
    s = summarise([quiet(i, a="holds", b="partly") for i in range(5)] +
                  [one_cpu(a="holds", b="partly"), hog(a="holds", b="partly")])
    assert s.ok and s.problems == []
    assert s.agreement() == (2, 2)
    assert [c.quiet for c in s.claims] == [{"holds": 5}, {"partly": 5}]
    assert s.lines()[0] == "Quiet runs: 2 of 2 claims gave the same verdict in all 5 runs (100%)."
    assert s.lines()[-1] == "Targets met."


def test_quiet_disagreement_is_counted_and_flagged():
    s = summarise([quiet(0, a="holds"), quiet(1, a="inconclusive"), quiet(2, a="holds")])
    (a,) = s.claims
    assert a.quiet == {"holds": 2, "inconclusive": 1}
    assert not a.stable and s.agreement() == (0, 1)
    assert s.problems == ["a: quiet: not the same verdict in every quiet run (holds ×2, inconclusive ×1)"]


def test_a_claim_missing_from_a_quiet_run_is_not_stable():
    s = summarise([quiet(0, a="holds", b="holds"), quiet(1, a="holds")])
    assert [c.quiet for c in s.claims] == [{"holds": 2}, {"holds": 1, "missing": 1}]
    assert s.agreement() == (1, 2)


def test_one_cpu_inconclusive_with_its_reason_is_fine():
    s = summarise([quiet(0, par="holds", seq="holds"), quiet(1, par="holds", seq="holds"),
                   one_cpu({"par": NEEDS_2}, par="inconclusive", seq="holds")])
    assert s.ok
    par = s.claims[0]
    assert par.one_cpu == "inconclusive" and par.one_cpu_reason == NEEDS_2
    assert ("Under one usable CPU: 1 claims as in the quiet runs, 1 inconclusive, 0 with a wrong verdict "
            "(of the claim or of one of its cases).") in s.lines()


def test_refuted_under_one_cpu_is_a_problem():
    s = summarise([quiet(0, par="holds"), quiet(1, par="holds"), one_cpu(par="refuted")])
    assert not s.ok
    (problem,) = s.problems
    assert problem.startswith("par: one-cpu: refuted under one CPU, holds in the quiet runs")
    assert "untestable below 2 usable CPUs" in problem
    assert s.lines()[1].startswith("Under one usable CPU: 0 claims as in the quiet runs, 0 inconclusive, 1 with")


def test_refuted_under_one_cpu_is_fine_where_the_quiet_runs_refute_too():
    assert summarise([quiet(0, free="refuted"), one_cpu(free="refuted")]).ok


def test_another_settled_verdict_under_one_cpu_is_a_problem():
    s = summarise([quiet(0, a="holds"), one_cpu(a="partly")])
    assert s.problems == ["a: one-cpu: partly under one CPU, holds in the quiet runs"]


def test_the_one_cpu_run_must_have_had_one_cpu():
    s = summarise([quiet(0, a="holds"), one_cpu(usable_cpus=2, a="holds")])
    assert s.problems == ["the one-CPU run had 2 usable CPUs, not 1"]


@pytest.mark.parametrize("under_hog, ok", [("holds", True), ("inconclusive", True), ("refuted", False),
                                           ("partly", False), ("missing", False)])
def test_hog_may_only_make_a_claim_inconclusive(under_hog, ok):
    verdicts = {"a": under_hog} if under_hog != "missing" else {}
    s = summarise([quiet(0, a="holds", b="holds"), quiet(1, a="holds", b="holds"), hog(b="holds", **verdicts)])
    assert s.ok is ok
    if under_hog == "missing":
        assert s.problems == ["a: hog: no verdict beside the CPU hog"]
    elif not ok:
        assert s.problems == [f"a: hog: {under_hog} beside the CPU hog, holds in the quiet runs"]


def test_hog_verdict_seen_in_some_quiet_run_is_not_wrong():
    s = summarise([quiet(0, a="holds"), quiet(1, a="inconclusive"), hog(a="holds")])
    assert [p for p in s.problems if "hog" in p] == []


def test_a_wrong_case_is_found_where_the_claim_only_looks_inconclusive():
    # Beside the hog, case k2 refutes a claim every quiet run held; k3 is inconclusive, so the
    # claim as a whole "only" turns inconclusive. The case is still a wrong verdict.
    q = [ConditionRun(QUIET, f"q{i}", {"cpu": "holds"}, cases={"cpu [k2]": "holds", "cpu [k3]": "holds"})
         for i in range(2)]
    h = ConditionRun(HOG, "h", {"cpu": "inconclusive"}, cases={"cpu [k2]": "refuted", "cpu [k3]": "inconclusive"},
                     expected={"cpu": "holds", "cpu [k2]": "holds", "cpu [k3]": "holds"})
    s = summarise(q + [h])
    assert s.problems == ["cpu: hog: case [k2] refuted beside the CPU hog, holds in the quiet runs"]
    assert s.lines()[2].endswith("1 with a wrong verdict (of the claim or of one of its cases).")


def test_cases_that_settle_differently_in_quiet_runs_are_flagged():
    q = [ConditionRun(QUIET, "q0", {"c": "partly"}, cases={"c [1KiB]": "refuted", "c [64KiB]": "holds"}),
         ConditionRun(QUIET, "q1", {"c": "partly"}, cases={"c [1KiB]": "refuted", "c [64KiB]": "refuted"}),
         ConditionRun(QUIET, "q2", {"c": "partly"}, cases={"c [1KiB]": "inconclusive", "c [64KiB]": "holds"})]
    assert summarise(q).problems == [
        "c: quiet: case [64KiB] settled differently in the quiet runs (holds ×2, refuted ×1)"]


def test_a_machine_dependent_case_on_its_threshold_may_settle_either_way():
    md = {"c [task]": "machine-dependent"}
    q = [ConditionRun(QUIET, "q0", {"c": "holds"}, cases={"c [task]": "holds"}, expected=md),
         ConditionRun(QUIET, "q1", {"c": "holds"}, cases={"c [task]": "refuted"}, expected=md),
         ConditionRun(QUIET, "q2", {"c": "holds"}, cases={"c [task]": "inconclusive"}, expected=md)]
    assert summarise(q).ok


def test_the_last_study_is_summarised_again_from_its_stored_runs(tmp_path, capsys):
    assert cli.main(["stability", "--summary-only", "--results-dir", str(tmp_path)]) == 2
    assert "no readable summary" in capsys.readouterr().err
    (tmp_path / stability.SUBDIR).mkdir()
    (tmp_path / stability.SUBDIR / stability.SUMMARY_JSON).write_text(json.dumps(
        {"base_id": "b", "quiet_runs": 1, "scale": "quick", "wall_s": 3.0, "runs": []}))
    summary = stability.resummarise(tmp_path)
    assert not summary.ok and (tmp_path / stability.SUMMARY_MD).is_file()  # no stored runs: a problem, said


def test_a_settled_verdict_that_meets_the_expectation_is_not_wrong():
    # The quiet runs settled nothing (too noisy), the hog run settled on what the claim expects.
    s = summarise([quiet(0, a="inconclusive"), quiet(1, a="inconclusive"),
                   ConditionRun(HOG, "h", {"a": "holds"}, expected={"a": "holds"})])
    assert [p for p in s.problems if "hog" in p] == []
    # Under one CPU, a claim whose expectation there differs from the quiet runs' verdict.
    s = summarise([quiet(0, b="holds"), ConditionRun(ONE_CPU, "o", {"b": "partly"}, usable_cpus=1,
                                                     expected={"b": "partly"})])
    assert s.ok


def test_a_run_that_stored_nothing_is_a_problem():
    broken = ConditionRun(QUIET, "b-quiet2", {}, exit_status=130)
    s = summarise([quiet(0, a="holds"), broken])
    assert "quiet run b-quiet2 stored no verdicts (exit status 130)" in s.problems


def test_claims_follow_the_given_order():
    s = summarise([quiet(0, c="holds", a="holds", b="holds")], order=["a", "b"])
    assert [c.claim for c in s.claims] == ["a", "b", "c"]


def test_condition_run_from_stored_records(tmp_path):
    def case(claim, case_id, verdict, evidence="seen"):
        return dict(claim=claim, case=case_id, verdict=verdict, expected="holds", outcome="passed",
                    evidence=evidence)
    rt = {"usable_cpus": 1, "tag": "t"}
    scale = {"name": "quick", "unit_s": 0.01}
    records.save_record(tmp_path, "r", "timing", dict(scale=scale, runtime=rt, verdicts=[
        case("par", "k2", "inconclusive", NEEDS_2), case("par", "k4", "inconclusive", NEEDS_2),
        case("seq", "", "holds")]))
    records.save_record(tmp_path, "r", "behaviour", dict(scale=scale, runtime=rt, verdicts=[
        case("mix", "a", "holds"), case("mix", "b", "refuted")]))
    recs, errors = records.load_runs(tmp_path)
    assert errors == []
    run = stability.condition_run(ONE_CPU, "r", recs, exit_status=0)
    assert run.verdicts == {"par": "inconclusive", "seq": "holds", "mix": "partly"}
    assert run.reasons == {"par": NEEDS_2}
    assert run.usable_cpus == 1
    assert run.cases == {"par [k2]": "inconclusive", "par [k4]": "inconclusive", "seq [-]": "holds",
                         "mix [a]": "holds", "mix [b]": "refuted"}
    assert run.expected["mix"] == "holds" and run.expected["par [k2]"] == "holds"


def test_markdown_and_json_say_the_same(tmp_path):
    s = summarise([quiet(0, a="holds", b="holds"), quiet(1, a="holds", b="inconclusive"),
                   one_cpu({"a": NEEDS_2}, a="inconclusive", b="refuted"), hog(a="holds", b="holds")])
    stability.write_summary(s, tmp_path, "quick", "b", 12.0)
    md = (tmp_path / "stability.md").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "stability" / "summary.json").read_text(encoding="utf-8"))
    assert data["ok"] is False and data["agreement"] == [1, 2] and data["scale"] == "quick"
    assert data["problems"] == s.problems and len(s.problems) == 2
    for p in s.problems:
        assert p in md
    assert f"| a | holds ×2 | inconclusive ({NEEDS_2}) | holds | - |" in md
    assert [p.name for p in tmp_path.rglob("*tmp*")] == []
    assert stability_part.load_summary(tmp_path)["lines"] == s.lines()


# ---------------------------------------------------------------- the report part
class Ctx:
    def __init__(self, results_dir):
        self.results_dir = results_dir


def test_report_part_is_absent_without_a_summary(tmp_path):
    assert stability_part.build(Ctx(tmp_path)) is None
    (tmp_path / "stability").mkdir()
    (tmp_path / "stability" / "summary.json").write_text("{not json", encoding="utf-8")
    assert stability_part.build(Ctx(tmp_path)) is None


def test_report_part_shows_the_summary(tmp_path):
    s = summarise([quiet(0, a="holds"), quiet(1, a="holds"), one_cpu({"a": NEEDS_2}, a="inconclusive"),
                   hog(a="holds")])
    stability.write_summary(s, tmp_path, "default", "b", 3.0)
    section = stability_part.build(Ctx(tmp_path))
    assert section.title == "Stability of the verdicts"
    table = [b for b in section.blocks if hasattr(b, "rows")][0]
    assert list(table.rows) == [("a", "holds ×2", f"inconclusive ({NEEDS_2})", "holds", "-")]


# ---------------------------------------------------------------- the runner's pieces
def test_plan_runs_quiet_first_and_the_hog_last():
    assert stability.plan("b", 2) == [(QUIET, "b-quiet1"), (QUIET, "b-quiet2"), (ONE_CPU, "b-onecpu"),
                                      (HOG, "b-hog")]


def test_verify_command_is_make_verify_into_its_own_run(tmp_path):
    cmd = stability.verify_command("/py", "quick", tmp_path / "stability", "b-quiet1")
    assert cmd[:4] == [sys.executable, "-m", "claimbench", "verify"]
    assert cmd[cmd.index("--run-id") + 1] == "b-quiet1" and cmd[cmd.index("--python") + 1] == "/py"
    assert cmd[cmd.index("--results-dir") + 1] == str((tmp_path / "stability").resolve())
    pinned, _ = stability.pinned(cmd, 0)
    assert pinned[-len(cmd):] == cmd


def test_the_hog_spins_and_is_stopped_even_on_ctrl_c():
    cpu = stability.usable_cpu_ids()[-1]
    with pytest.raises(KeyboardInterrupt):
        with stability.cpu_hog(cpu) as proc:
            hog_pid = proc.pid
            assert psutil.Process(hog_pid).cpu_affinity() == [cpu]
            raise KeyboardInterrupt
    assert proc.returncode is not None
    assert not psutil.pid_exists(hog_pid) or psutil.Process(hog_pid).status() == psutil.STATUS_ZOMBIE


def test_the_hog_stops_by_itself_when_its_parent_is_gone(tmp_path):
    # A parent that starts the hog and dies without stopping it (as if SIGKILLed).
    script = ("import os, subprocess, sys\n"
              f"p = subprocess.Popen([sys.executable, '-c', {stability.HOG_CODE!r}, str(os.getpid())],\n"
              "                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
              "print(p.pid, flush=True)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30).stdout
    hog_pid = int(out.split()[0])
    try:
        gone, alive = psutil.wait_procs([psutil.Process(hog_pid)], timeout=5)
    except psutil.NoSuchProcess:
        return
    for p in alive:
        p.kill()
    assert alive == [], "the hog outlived its parent"
