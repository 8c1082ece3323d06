"""claimbench stability: wrong and inconclusive rates with Wilson intervals, controls, several runs
per condition, a selection passed to every run (synthetic runs; nothing is measured)."""
from __future__ import annotations

import contextlib
import json
import sys

import pytest

from claimbench.commands import cli, stability, stability_runs
from claimbench.commands.stability import ConditionRun, HOG, ONE_CPU, QUIET, summarise
from claimbench.commands.stability_runs import claim_rates, is_wrong, outcome_of, wrong_cases
from claimbench.core import records
from claimbench.report.parts import stability as stability_part

H, R, P, I, MD = "holds", "refuted", "partly", "inconclusive", "machine-dependent"


def run(condition, i, verdicts, cases=None, expected=None, roles=None, cpus=2):
    return ConditionRun(condition, f"b-{condition}{i}", dict(verdicts), usable_cpus=cpus, exit_status=0,
                        cases=dict(cases or {}), expected=dict(expected or {}), roles=dict(roles or {}))


def rate_of(k, n):
    return stability_runs.rate(k, n)


# ---------------------------------------------------------------- what is wrong
@pytest.mark.parametrize("verdict, expected, wrong", [
    (R, H, True), (H, R, True), (P, H, True), (H, P, True), (P, R, True), (R, P, True),
    (H, H, False), (R, R, False), (P, P, False),
    (I, H, False), (I, R, False),                  # inconclusive is never wrong: it is counted apart
    (H, MD, False), (R, MD, False),                # machine-dependent: no verdict was expected
    (H, I, False), (H, "", False), (H, None, False), ("missing", H, False),
])
def test_what_is_wrong(verdict, expected, wrong):
    assert is_wrong(verdict, expected) is wrong


def test_rates_over_twenty_quiet_runs():
    runs = [run(QUIET, i, {"a": H}, expected={"a": H}) for i in range(17)]
    runs += [run(QUIET, 17, {"a": R}, expected={"a": H})]
    runs += [run(QUIET, i, {"a": I}, expected={"a": H}) for i in (18, 19)]
    r = claim_rates("a", runs)
    assert r["runs"] == 20 and r["missing"] == 0 and r["untestable"] == 0
    assert (r["wrong"]["k"], r["wrong"]["n"]) == (1, 20)
    assert (r["inconclusive"]["k"], r["inconclusive"]["n"]) == (2, 20)
    assert r["wrong"]["low"] == pytest.approx(0.00888, abs=5e-5)
    assert r["wrong"]["high"] == pytest.approx(0.2361, abs=5e-5)
    assert stability_part.fmt_rate(r["wrong"]) == "1/20 [0.00888, 0.236]"
    assert stability_part.fmt_rate(rate_of(0, 20)) == "0/20 [0, 0.161]"
    assert stability_part.fmt_rate(rate_of(1, 15)) == "1/15 [0.0119, 0.298]"
    assert stability_part.fmt_rate(rate_of(0, 0)) == "-"


def test_a_wrong_case_behind_an_inconclusive_claim_is_wrong_not_inconclusive():
    r = run(HOG, 1, {"cpu": I}, cases={"cpu [k2]": R, "cpu [k3]": I},
            expected={"cpu": H, "cpu [k2]": H, "cpu [k3]": H})
    assert outcome_of(r, "cpu") == "wrong"
    rates = claim_rates("cpu", [r])
    assert rates["wrong"]["k"] == 1 and rates["inconclusive"]["k"] == 0
    assert list(wrong_cases("cpu", [r])) == ["cpu [k2]"]


def test_a_related_finding_against_its_expectation_is_listed_but_does_not_make_the_claim_wrong():
    r = run(QUIET, 1, {"c": H}, cases={"c [own]": H, "c [sentinel]": R},
            expected={"c": H, "c [own]": H, "c [sentinel]": H}, roles={"c [sentinel]": "related"})
    assert outcome_of(r, "c") == "right"
    (case,) = wrong_cases("c", [r, r]).items()
    assert case[0] == "c [sentinel]" and case[1]["role"] == "related" and (case[1]["k"], case[1]["n"]) == (2, 2)


def test_a_machine_dependent_case_is_never_wrong():
    runs = [run(QUIET, i, {"c": H}, cases={"c [task]": v}, expected={"c": MD, "c [task]": MD})
            for i, v in enumerate((H, R, I))]
    assert [outcome_of(r, "c") for r in runs] == ["right"] * 3
    assert claim_rates("c", runs)["wrong"]["k"] == 0 and wrong_cases("c", runs) == {}


def test_a_run_without_the_claim_is_missing_not_in_n():
    runs = [run(QUIET, 1, {"a": H}, expected={"a": H}), run(QUIET, 2, {}, expected={})]
    r = claim_rates("a", runs)
    assert r["missing"] == 1 and r["wrong"]["n"] == 1 and r["inconclusive"]["n"] == 1


def test_untestable_under_one_cpu_is_inconclusive_and_said():
    r = run(ONE_CPU, 1, {"par": I}, cases={"par [k2]": I}, expected={"par": I, "par [k2]": I}, cpus=1)
    rates = claim_rates("par", [r])
    assert rates["inconclusive"]["k"] == 1 and rates["untestable"] == 1 and rates["wrong"]["k"] == 0


# ---------------------------------------------------------------- controls
def controls_run(i, verdict):
    return run(QUIET, i, {"c": H}, cases={"c [own]": H, "c [control-plant]": verdict, "c [control-none]": I},
               expected={"c": H, "c [own]": H, "c [control-plant]": R, "c [control-none]": I},
               roles={"c [control-plant]": "control", "c [control-none]": "control"})


def test_controls_not_as_planted_are_counted():
    runs = [controls_run(1, R), controls_run(2, H), controls_run(3, I)]
    assert stability_runs.controls_of(runs) == (3, 2)  # the untestable control did not run
    assert stability_runs.controls_off(runs) == {"c [control-plant]": 2}
    s = summarise(runs)
    assert s.controls() == {QUIET: {"ran": 3, "not_as_planted": 2, "cases": {"c [control-plant]": 2}}}
    assert "Controls, quiet: 3 ran, 2 not as planted (c [control-plant] ×2)." in s.lines()
    (c,) = s.claims
    assert c.rates[QUIET]["controls"] == {"ran": 3, "not_as_planted": 2}
    assert c.rates[QUIET]["wrong"]["k"] == 0  # a control is not the claim's own case
    assert c.wrong_cases == {}


def test_without_controls_nothing_is_said_of_them():
    s = summarise([run(QUIET, 1, {"a": H}, expected={"a": H})])
    assert s.controls() == {} and not any(line.startswith("Controls") for line in s.lines())


# ---------------------------------------------------------------- several runs per condition
def study():
    q = [run(QUIET, i, {"a": H, "b": H}, expected={"a": H, "b": H}) for i in range(1, 5)]
    o = [run(ONE_CPU, i, {"a": H, "b": v}, expected={"a": H, "b": H}, cpus=1) for i, v in enumerate((H, I, R), 1)]
    h = [run(HOG, i, {"a": R, "b": H}, expected={"a": H, "b": H}) for i in (1, 2)]
    return summarise(q + o + h)


def test_rates_per_condition():
    s = study()
    a, b = s.claims
    assert {c: (r["wrong"]["k"], r["wrong"]["n"]) for c, r in a.rates.items()} == {
        QUIET: (0, 4), ONE_CPU: (0, 3), HOG: (2, 2)}
    assert {c: (r["inconclusive"]["k"], r["inconclusive"]["n"]) for c, r in b.rates.items()} == {
        QUIET: (0, 4), ONE_CPU: (1, 3), HOG: (0, 2)}
    assert b.rates[ONE_CPU]["wrong"]["k"] == 1
    assert s.runs_per_condition() == {QUIET: 4, ONE_CPU: 3, HOG: 2}
    assert b.one_cpu == "holds ×1, inconclusive ×1, refuted ×1" and a.hog == "refuted ×2"


def test_a_problem_seen_in_several_runs_is_said_once_with_how_many():
    s = study()
    assert "a: hog: refuted beside the CPU hog, holds in the quiet runs (2 of 2 runs)" in s.problems
    assert [p for p in s.problems if p.startswith("b: one-cpu")] == [
        "b: one-cpu: refuted under one CPU, holds in the quiet runs: its expectation should return untestable "
        "below 2 usable CPUs (1 of 3 runs)"]


def test_the_lines_say_the_rates():
    lines = study().lines()
    assert lines[1].startswith("Under one usable CPU (3 runs): 1 claims as in the quiet runs, 1 inconclusive, 1 with")
    assert lines[2].startswith("Beside a CPU hog on one core (2 runs): 1 claims as in the quiet runs, 0 incon")
    assert ("Against the expectation, quiet (4 runs): wrong verdicts: none (0/4 for each claim: at most 0.49 "
            "at 95 %); inconclusive: none (0/4 for each claim: at most 0.49 at 95 %).") in lines
    assert ("Against the expectation, one CPU (3 runs): wrong verdicts: b 1/3 [0.0615, 0.792]; "
            "inconclusive: b 1/3 [0.0615, 0.792].") in lines
    assert "Against the expectation, CPU hog (2 runs): wrong verdicts: a 2/2 [0.342, 1]; inconclusive: none " \
           "(0/2 for each claim: at most 0.658 at 95 %)." in lines
    assert lines[-1] == "2 problem(s): see below."


def test_markdown_json_and_report_show_the_rates(tmp_path):
    s = study()
    stability.write_summary(s, tmp_path, "quick", "b", 5.0, stability.Study(4, 3, 2, pytest_args=("-k", "a")))
    md = (tmp_path / "stability.md").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "stability" / "summary.json").read_text(encoding="utf-8"))
    assert data["runs_per_condition"] == {QUIET: 4, ONE_CPU: 3, HOG: 2} and data["pytest_args"] == ["-k", "a"]
    assert data["claims"][0]["rates"][HOG]["wrong"] == dict(rate_of(2, 2))
    header = ("| claim | quiet (4 runs): wrong | quiet: inconclusive | one CPU (3 runs): wrong | one CPU: inconclusive"
              " | CPU hog (2 runs): wrong | CPU hog: inconclusive |")
    assert header in md
    assert "| a | 0/4 [0, 0.49] | 0/4 [0, 0.49] | 0/3 [0, 0.561] | 0/3 [0, 0.561] | 2/2 [0.342, 1] | 0/2 [0, 0.658] |" \
        in md
    assert "- a [" not in md and "Cases with a wrong verdict" not in md  # no cases in these runs
    assert "only -k a" in md.splitlines()[0]

    class Ctx:
        results_dir = tmp_path
    section = stability_part.build(Ctx())
    tables = [b for b in section.blocks if hasattr(b, "rows")]
    assert len(tables) == 2 and tables[1].headers == tuple(header.strip("| ").split(" | "))
    assert tables[1].rows[0] == ("a", "0/4 [0, 0.49]", "0/4 [0, 0.49]", "0/3 [0, 0.561]", "0/3 [0, 0.561]",
                                 "2/2 [0.342, 1]", "0/2 [0, 0.658]")
    assert "; only `-k a`. A verdict is wrong" in section.blocks[0].text
    assert "(4 quiet runs, 3 under one usable CPU, 2 beside a CPU hog on one core at scale quick" in section.blocks[0].text


def test_wrong_cases_are_listed_in_markdown_and_report(tmp_path):
    h = run(HOG, 1, {"cpu": I}, cases={"cpu [k2]": R}, expected={"cpu": H, "cpu [k2]": H})
    s = summarise([run(QUIET, 1, {"cpu": H}, cases={"cpu [k2]": H}, expected={"cpu": H, "cpu [k2]": H}), h])
    stability.write_summary(s, tmp_path, "quick", "b", 1.0)
    md = (tmp_path / "stability.md").read_text(encoding="utf-8")
    assert "- cpu [k2]: hog 1/1 [0.207, 1]" in md


def test_an_old_summary_without_rates_still_shows(tmp_path):
    (tmp_path / "stability").mkdir()
    (tmp_path / "stability" / "summary.json").write_text(json.dumps({
        "format": "claimbench-stability/1", "quiet_runs": 1, "lines": ["x"],
        "claims": [{"claim": "a", "quiet": {"holds": 1}, "one_cpu": "", "hog": "", "problems": []}],
        "runs": [{"condition": "quiet", "run_id": "b-quiet1"}]}), encoding="utf-8")

    class Ctx:
        results_dir = tmp_path
    section = stability_part.build(Ctx())
    assert len([b for b in section.blocks if hasattr(b, "rows")]) == 1
    assert "1 quiet run " in section.blocks[0].text


def test_only_chosen_conditions_need_a_quiet_run():
    h = run(HOG, 1, {"a": H}, expected={"a": H})
    assert summarise([h], conditions=(HOG,)).ok
    assert summarise([h]).problems == ["no quiet run to compare with"]
    assert summarise([h], conditions=(HOG,)).lines()[0] == "Quiet runs: not run."


def test_condition_run_keeps_the_roles(tmp_path):
    def case(name, verdict, expected, role=None):
        c = dict(claim="c", case=name, verdict=verdict, expected=expected, outcome="passed", evidence="e")
        return dict(c, role=role) if role else c
    records.save_record(tmp_path, "r", "timing", dict(scale={"name": "quick"}, runtime={"usable_cpus": 2}, verdicts=[
        case("own", H, H, "claim"), case("sentinel", R, H, "related"), case("control-x", H, R, "control")]))
    recs, _ = records.load_runs(tmp_path)
    r = stability.condition_run(QUIET, "r", recs)
    assert r.roles == {"c [sentinel]": "related", "c [control-x]": "control"}
    assert r.verdicts == {"c": H}
    assert stability_runs.controls_of([r]) == (1, 1)
    assert list(wrong_cases("c", [r])) == ["c [sentinel]"] and outcome_of(r, "c") == "right"


# ---------------------------------------------------------------- the command line and the runner
def test_plan_with_several_runs_and_chosen_conditions():
    assert stability.plan("b", 2, 2, 1) == [(QUIET, "b-quiet1"), (QUIET, "b-quiet2"), (ONE_CPU, "b-onecpu1"),
                                            (ONE_CPU, "b-onecpu2"), (HOG, "b-hog")]
    assert stability.plan("b", 3, conditions=(QUIET,)) == [(QUIET, "b-quiet1"), (QUIET, "b-quiet2"),
                                                          (QUIET, "b-quiet3")]
    assert stability.plan("b", stability.Study(1, 1, 3, (HOG,))) == [(HOG, "b-hog1"), (HOG, "b-hog2"),
                                                                     (HOG, "b-hog3")]


def test_verify_command_passes_the_selection_on(tmp_path):
    cmd = stability.verify_command("/py", "quick", tmp_path, "b-quiet1", "timing",
                                   ("-k", "cpu-bound-favours-processes"))
    assert cmd[cmd.index("--sessions") + 1] == "timing" and cmd[cmd.index("--") + 1:] == [
        "-k", "cpu-bound-favours-processes"]
    args = (getattr(cli, "parse", None) or cli.parser().parse_args)(cmd[3:])  # verify itself takes it so
    assert args.func is cli.cmd_verify and args.no_report and args.sessions == "timing"
    assert args.pytest_args == ["-k", "cpu-bound-favours-processes"] and args.run_id == "b-quiet1"


@pytest.mark.parametrize("argv, words", [
    (["--conditions", "quiet,bogus"], "--conditions: unknown condition 'bogus'"),
    (["--conditions", ""], "--conditions: none given"),
    (["--one-cpu-runs", "x"], "--one-cpu-runs must be a positive integer"),
    (["--hog-runs", "0"], "--hog-runs must be a positive integer"),
    (["--hog-runs", "1.5"], "--hog-runs must be a positive integer"),
    (["--runs", "2.0"], "RUNS must be a positive integer"),
    (["--sessions", "both"], "--sessions: unknown session 'both'"),
])
def test_bad_options_are_one_line_and_exit_2(argv, words, capsys, tmp_path):
    assert cli.main(["stability", "--results-dir", str(tmp_path)] + argv) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("claimbench: error: " + words), err
    assert list(tmp_path.iterdir()) == []


def test_the_study_the_command_line_asks_for():
    def study_of(*argv):
        return stability.study_of(cli.parser().parse_args(["stability"] + list(argv)))
    assert study_of() == stability.Study(5, 1, 1, (QUIET, ONE_CPU, HOG), (), "")
    assert study_of("--runs", "20", "--one-cpu-runs", "5", "--hog-runs", "5") == stability.Study(20, 5, 5)
    assert study_of("--runs", "20", "--conditions", "hog, quiet", "--", "-k", "cpu-bound-favours-processes") == \
        stability.Study(20, 1, 1, (QUIET, HOG), ("-k", "cpu-bound-favours-processes"), "timing")
    assert study_of("--sessions", "behaviour,timing", "--", "-k", "x").sessions == "timing,behaviour"


def test_the_runner_runs_each_planned_run_with_the_selection(tmp_path, monkeypatch):
    ran = []

    def fake_child(cmd, preexec=None):
        run_id = cmd[cmd.index("--run-id") + 1]
        ran.append((run_id, cmd))
        records.save_record(tmp_path / "stability", run_id, "timing", dict(
            scale={"name": "quick"}, runtime={"usable_cpus": 1 if "onecpu" in run_id else 2},
            verdicts=[dict(claim="a", case="k", verdict=H, expected=H, outcome="passed", evidence="e")]))
        return 0

    hogs = []

    @contextlib.contextmanager
    def fake_hog(cpu, python=sys.executable):
        hogs.append(cpu)

        class Proc:
            pid = 0
        yield Proc()
    monkeypatch.setattr(stability, "run_child", fake_child)
    monkeypatch.setattr(stability, "cpu_hog", fake_hog)
    s = stability.run_study(stability.Study(2, 1, 2, pytest_args=("-k", "a"), sessions="timing"), "quick", tmp_path,
                            base_id="b")
    assert [r for r, _ in ran] == ["b-quiet1", "b-quiet2", "b-onecpu", "b-hog1", "b-hog2"]
    assert all(c[-3:] == ["--", "-k", "a"] and "--no-report" in c for _, c in ran)
    assert len(hogs) == 2
    assert s.ok and s.runs_per_condition() == {QUIET: 2, ONE_CPU: 1, HOG: 2}
    data = json.loads((tmp_path / "stability" / "summary.json").read_text(encoding="utf-8"))
    assert data["pytest_args"] == ["-k", "a"] and data["sessions"] == "timing" and data["base_id"] == "b"
    # Summarised again from what it stored: the same runs, also the numbered hog runs.
    again = stability.resummarise(tmp_path)
    assert again.runs_per_condition() == s.runs_per_condition() and again.ok
    assert json.loads((tmp_path / "stability" / "summary.json").read_text(encoding="utf-8"))["pytest_args"] == [
        "-k", "a"]


def test_the_command_hands_the_study_to_the_runner(tmp_path, monkeypatch, capsys):
    got = []

    def fake_study(study, scale, results_dir, python):
        got.append(study)
        return summarise([run(QUIET, 1, {"a": H}, expected={"a": H})])
    monkeypatch.setattr(stability, "run_study", fake_study)
    monkeypatch.setattr(stability, "refresh_main_report", lambda results_dir: None)
    argv = ["stability", "--runs", "20", "--conditions", "quiet", "--results-dir", str(tmp_path), "--scale", "quick",
            "--", "-k", "cpu-bound-favours-processes"]
    assert cli.main(argv) == 0
    assert got == [stability.Study(20, 1, 1, (QUIET,), ("-k", "cpu-bound-favours-processes"), "timing")]
    assert "claimbench stability" in capsys.readouterr().out
