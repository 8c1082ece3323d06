"""`make report` rebuilds the run README cites (issue 20): the last whole `claimbench verify` that
wrote the report names its run in results/reference-run; `claimbench report` without --run-id
rebuilds that one, not the newest run of the interpreter (after `make matrix`, the matrix's), and
says in one line which run it picked and why."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from claimbench.commands import cli, preflight
from claimbench.core import records
from claimbench.core.runtime import fingerprint
from claimbench.report import builder

ROOT = Path(__file__).resolve().parents[1]
TAG = fingerprint().tag
VERIFY_RUN = "20261126T100000Z-" + TAG
MATRIX_RUN = "20261126T110000Z-" + TAG      # the matrix's run of the same interpreter, newer
OTHER_RUN = "20261126T120000Z-3.99-gil-fork"  # the matrix's last runtime, newest of all


def case(claim, verdict):
    return {"claim": claim, "case": "", "verdict": verdict, "expected": verdict, "expected_reason": "",
            "outcome": "passed", "effect": math.nan, "ci_low": math.nan, "ci_high": math.nan, "effect_name": "",
            "evidence": "seen", "role": "claim", "control": "", "rounds": 0, "data": {}}


def store(results, run_id, tag=TAG, session="behaviour"):
    records.save_record(results, run_id, session, {
        "scale": {"name": "quick", "unit_s": 0.01}, "runtime": dict(fingerprint().as_dict(), tag=tag),
        "verdicts": [case("process-own-pid", "holds")], "started": "2026-11-26T00:00:00", "wall_s": 1.0})


@pytest.fixture
def results(tmp_path):
    folder = tmp_path / "results"
    store(folder, VERIFY_RUN)
    store(folder, MATRIX_RUN)
    store(folder, OTHER_RUN, tag="3.99-gil-fork")
    return folder


def pick(results, run_id=""):
    run, why = builder.pick_run(records.load_runs(results)[0], results, run_id, TAG)
    return run[0].run_id, why


def test_without_a_reference_the_newest_run_of_this_interpreter(results):
    assert pick(results) == (MATRIX_RUN, f"the newest run of this interpreter ({TAG})")


def test_the_reference_run_comes_first_and_a_newer_one_is_named(results):
    builder.write_reference_run(results, VERIFY_RUN)
    assert (results / "reference-run").read_text(encoding="utf-8") == VERIFY_RUN + "\n"
    run_id, why = pick(results)
    assert run_id == VERIFY_RUN
    assert "the reference run" in why and str(results / "reference-run") in why and MATRIX_RUN in why
    assert pick(results, OTHER_RUN) == (OTHER_RUN, "asked for (--run-id)")


def test_a_reference_that_is_not_stored_falls_back_and_says_so(results):
    builder.write_reference_run(results, "20200101T000000Z-gone")
    run_id, why = pick(results)
    assert run_id == MATRIX_RUN and "20200101T000000Z-gone" in why and "not stored" in why


def test_claimbench_report_rebuilds_the_reference_run_and_says_why(results, capsys):
    builder.write_reference_run(results, VERIFY_RUN)
    assert cli.main(["report", "--results-dir", str(results)]) == 0
    out = capsys.readouterr().out
    picked = [ln for ln in out.splitlines() if ln.startswith("report: run ")]
    assert len(picked) == 1 and picked[0].startswith(f"report: run {VERIFY_RUN}: the reference run")
    assert (results / "report.md").read_text(encoding="utf-8").startswith(
        f"# claimbench report — run {VERIFY_RUN}")
    assert cli.main(["report", "--results-dir", str(results), "--run-id", MATRIX_RUN]) == 0
    assert f"report: run {MATRIX_RUN}: asked for (--run-id)" in capsys.readouterr().out
    assert builder.reference_run(results) == VERIFY_RUN  # a report of another run leaves the reference


@pytest.fixture
def verify_stores(monkeypatch):
    """verify's pytest sessions, each storing one record of the run instead of running pytest."""
    def session(cmd):
        store(Path(cmd[cmd.index("--claimbench-results-dir") + 1]), cmd[cmd.index("--claimbench-run-id") + 1],
              session=cmd[cmd.index("--claimbench-session-name") + 1])
        return 0
    monkeypatch.setattr(cli, "run_session", session)
    monkeypatch.setattr(preflight, "require_python", lambda python, modules=(): python)


@pytest.mark.parametrize("args, written", [
    ([], True),                                  # a whole run that wrote the report: the reference
    (["--no-report"], False),                    # as the matrix's and stability's runs are
    (["-k", "pool"], False),                     # a part of the claims
    (["--sessions", "timing"], False),
])
def test_verify_names_its_run_the_reference_when_it_wrote_the_report_of_a_whole_run(
        tmp_path, verify_stores, args, written, capsys):
    results = tmp_path / "results"
    assert cli.main(["verify", "--results-dir", str(results), "--run-id", "20261126T130000Z-mine"] + args) == 0
    assert builder.reference_run(results) == ("20261126T130000Z-mine" if written else "")


def test_the_committed_reference_run_is_the_one_readme_cites():
    cited = builder.reference_run(ROOT / "results")
    assert cited and f"run `{cited}`" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert (ROOT / "results" / "report.md").read_text(encoding="utf-8").startswith(
        f"# claimbench report — run {cited}\n")
    assert (ROOT / "results" / "runs" / cited).is_dir()
