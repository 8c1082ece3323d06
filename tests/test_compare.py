"""claimbench diff and merge on stored runs: synthetic records in a temporary results folder."""
from __future__ import annotations

import math

import pytest

from claimbench.commands import cli
from claimbench.core import claim_table, records
from claimbench.report import compare


def case(claim, verdict, effect=math.nan, lo=math.nan, hi=math.nan, name="", expected="holds", reason=""):
    return {"claim": claim, "case": "", "verdict": verdict, "expected": expected, "expected_reason": reason,
            "outcome": "passed", "effect": effect, "ci_low": lo, "ci_high": hi, "effect_name": name,
            "evidence": "", "role": "claim", "control": "", "threshold": "> 1.1"}


def store(results, run_id, cases, tag="3.11-gil-fork", cpus=2, usable=2, scale="default"):
    records.save_record(results, run_id, "timing", {
        "scale": {"name": scale, "unit_s": 0.025},
        "runtime": {"tag": tag, "cpu_count": cpus, "usable_cpus": usable, "physical_cores": cpus,
                    "python_version": "3.11.7", "gil_enabled": True, "default_start_method": "fork"},
        "verdicts": cases, "started": "2026-11-26T00:00:00", "wall_s": 1.0, "exitstatus": 0})


@pytest.fixture
def two_runs(tmp_path):
    a = [case("cpu-bound-favours-processes", "holds", 1.5, 1.3, 1.7, "threads / processes"),
         case("process-own-pid", "holds"),
         case("threads-efficient", "holds", 3.0, 2.5, 3.5, "ratio")]
    b = [case("cpu-bound-favours-processes", "inconclusive", 1.0, 0.9, 1.1, "threads / processes",
              expected="inconclusive", reason="needs 2 usable CPUs, this process may use 1"),
         case("process-own-pid", "holds"),
         case("threads-efficient", "holds", 3.2, 2.8, 3.6, "ratio")]
    store(tmp_path, "20261126T000001Z-3.11-gil-fork", a)
    store(tmp_path, "20261126T000002Z-onecpu", b, usable=1)
    return tmp_path


def test_noise():
    def row(e, lo, hi, name="r"):
        return claim_table.ClaimRow("c", "holds", "holds", "passed", e, lo, hi, name, "", 1)
    assert compare.noise(row(1.5, 1.3, 1.7), row(1.0, 0.9, 1.1)) == compare.BEYOND
    assert compare.noise(row(1.5, 1.3, 1.7), row(1.6, 1.5, 1.8)) == compare.WITHIN
    assert compare.noise(row(1.5, 1.3, 1.7), row(1.6, 1.5, math.inf)) == compare.WITHIN  # unbounded: cannot tell
    assert compare.noise(row(1.5, 1.3, 1.7), row(1.6, 1.5, 1.8, "other")) == compare.NOT_COMPARABLE
    assert compare.noise(row(math.nan, math.nan, math.nan, ""), row(math.nan, math.nan, math.nan, "")) == ""


def test_diff_finds_runs_by_id_prefix_and_folder(two_runs, capsys):
    assert cli.main(["diff", "20261126T000001Z", str(two_runs / "runs" / "20261126T000002Z-onecpu"),
                     "--results-dir", str(two_runs), "--markdown", str(two_runs / "diff.md")]) == 0
    out = capsys.readouterr().out
    assert "1 verdict changed; 1 effect apart beyond noise" in out
    md = (two_runs / "diff.md").read_text()
    assert "Verdicts that changed: cpu-bound-favours-processes" in md


def test_diff_bad_run_is_one_line(two_runs, capsys):
    assert cli.main(["diff", "nope", "2026", "--results-dir", str(two_runs)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("claimbench: error: no run 'nope'") and len(err.strip().splitlines()) == 1
    assert cli.main(["diff", "2026", "2026", "--results-dir", str(two_runs)]) == 2
    assert "names 2 runs" in capsys.readouterr().err


def test_merge_explains_the_one_cpu_column(two_runs, capsys):
    assert cli.main(["merge", "20261126T000001Z", "20261126T000002Z", "--out", str(two_runs)]) == 0
    out = capsys.readouterr().out
    assert "2-cores-3.11-gil-fork" in out and "2-cores-1-usable-3.11-gil-fork" in out
    assert "1 cells differ from the first column, 0 without a reason" in out
    md = (two_runs / compare.MACHINES_MD).read_text()
    assert "expected inconclusive on 2-cores-1-usable-3.11-gil-fork: needs 2 usable CPUs" in md
    assert str(two_runs) not in md  # no absolute path of this machine
    assert cli.main(["merge", "20261126T000001Z", "--out", str(two_runs)]) == 2


def test_labels_are_unique_or_given(two_runs):
    run = compare.find_run("20261126T000001Z", two_runs)
    labelled = compare.label_runs([run, run])
    assert [r.label for r in labelled] == ["2-cores-3.11-gil-fork", "2-cores-3.11-gil-fork-2"]
    assert [r.label for r in compare.label_runs([run, run], ["a", "b"])] == ["a", "b"]
    with pytest.raises(compare.CompareError):
        compare.label_runs([run, run], ["a"])


def test_merge_skips_folders_without_runs_only_when_asked(two_runs, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["merge", "20261126T000001Z", str(empty), "20261126T000002Z", "--out", str(two_runs)]
    assert cli.main(args) == 2
    assert cli.main(args + ["--skip-missing", "--labels", "a,b,c"]) == 0
    out = capsys.readouterr().out
    assert "left out: no run" in out and "a (20261126T000001Z-3.11-gil-fork), c (20261126T000002Z-onecpu)" in out


def test_the_report_has_a_diff_part_when_asked(two_runs, capsys):
    assert cli.main(["report", "--results-dir", str(two_runs), "--run-id", "20261126T000002Z-onecpu",
                     "--compare-with", "20261126T000001Z"]) == 0
    md = (two_runs / "report.md").read_text()
    assert "## Compared with another run" in md and "| cpu-bound-favours-processes | inconclusive" in md
    assert cli.main(["report", "--results-dir", str(two_runs), "--run-id", "20261126T000002Z-onecpu"]) == 0
    assert "Compared with another run" not in (two_runs / "report.md").read_text()
