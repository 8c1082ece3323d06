"""The command line as a pytest user types it (issue 20): pytest's own arguments pass through
without ``--``, --strict is a flag, every option says what it does, its choices and its default,
--version, a closed pipe ends quietly, every bad reference is one line and exit 2, diff names the
kind of each run and has --fail-on-change, and messages name `make` only where there is a Makefile."""
from __future__ import annotations

import argparse
import math
import subprocess
import sys
from pathlib import Path

import pytest

from claimbench.commands import cli, preflight, project
from claimbench.core import records, scales
from cli_lines import one_error_line

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sessions_run(monkeypatch):
    """The pytest sessions a command starts, recorded instead of run (each "passes")."""
    started = []

    def record(cmd):
        started.append(cmd)
        return 0

    monkeypatch.setattr(cli, "run_session", record)
    monkeypatch.setattr(preflight, "require_python", lambda python, modules=(): python)
    return started


def verify(tmp_path, *args):
    return cli.main(["verify", "--results-dir", str(tmp_path / "r"), "--no-report"] + list(args))


def after_our_options(cmd):
    """What follows the session's own options: what the user passed to pytest."""
    return cmd[cmd.index("--claimbench-session-name") + 2:]


# ---------------------------------------------------------------- pytest's arguments pass through
@pytest.mark.parametrize("args, scale, to_pytest", [
    (["-k", "pool", "-x"], scales.DEFAULT_SCALE, ["-k", "pool", "-x"]),
    (["-k", "pool", "--scale", "quick", "-x", "experiments/test_pool.py"], "quick",
     ["-k", "pool", "-x", "experiments/test_pool.py"]),
    (["--lf", "--durations=3", "-m", "not slow"], scales.DEFAULT_SCALE, ["--lf", "--durations=3", "-m", "not slow"]),
    (["--", "-k", "pool"], scales.DEFAULT_SCALE, ["-k", "pool"]),         # as before: after --
    (["-x", "--", "--scale", "x"], scales.DEFAULT_SCALE, ["-x", "--scale", "x"]),  # after --, pytest's
])
def test_verify_passes_what_it_does_not_know_to_pytest_in_order(tmp_path, sessions_run, args, scale, to_pytest):
    assert verify(tmp_path, *args) == 0
    assert len(sessions_run) == 2
    for cmd in sessions_run:
        assert after_our_options(cmd) == to_pytest
        assert cmd[cmd.index("--claimbench-scale") + 1] == scale


def test_controls_and_matrix_pass_pytest_arguments_too(tmp_path, sessions_run):
    assert cli.main(["controls", "--results-dir", str(tmp_path), "-k", "pool", "-x"]) in (0, 1)
    assert all(after_our_options(cmd) == ["-k", "pool", "-x"] for cmd in sessions_run)
    args = cli.parse(["matrix", "--pythons", "3.11", "-k", "pool", "-x", "--strict"])
    assert args.pytest_args == ["-k", "pool", "-x"] and args.strict == "1"


def test_other_commands_refuse_unknown_arguments_in_one_line(capsys, tmp_path):
    assert cli.main(["report", "--results-dir", str(tmp_path), "-k", "pool"]) == 2
    assert "unrecognized arguments: -k pool" in one_error_line(capsys)
    assert cli.main(["diff", "a"]) == 2
    assert "B" in one_error_line(capsys)


# ---------------------------------------------------------------- --strict
@pytest.mark.parametrize("args, strict", [
    ([], False), (["--strict"], True), (["--strict=1"], True), (["--strict=0"], False), (["--strict="], False),
    (["--strict", "-k", "pool"], True), (["--strict", "1"], True), (["--strict", "0"], False),
])
def test_strict_is_a_flag_that_still_takes_make_strict(tmp_path, sessions_run, args, strict):
    assert verify(tmp_path, *args) == 0
    assert all(("--claimbench-strict" in cmd) is strict for cmd in sessions_run)


@pytest.mark.parametrize("value", ["2", "maybe", "-1", "yes"])
def test_strict_takes_only_0_or_1(capsys, tmp_path, sessions_run, value):
    assert verify(tmp_path, "--strict=" + value) == 2
    line = one_error_line(capsys)
    assert "STRICT" in line and repr(value) in line
    assert sessions_run == []


# ---------------------------------------------------------------- --help, --version
def subparsers():
    p = cli.parser()
    action = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


@pytest.mark.parametrize("command", ["verify", "controls", "report", "matrix", "diff", "merge"])
def test_every_option_has_help_and_says_its_default(command):
    for action in subparsers()[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, (command, action.dest)
        if action.option_strings:
            assert "default" in action.help, (command, action.option_strings)


def test_help_shows_the_choices_and_defaults():
    help_text = subparsers()["verify"].format_help()
    assert "{" + ",".join(scales.SCALES) + "}" in help_text
    assert f"(default: {scales.DEFAULT_SCALE})" in help_text
    assert "{fork,forkserver,spawn}" in help_text and "PYTEST-ARGS" in help_text
    assert "(default: quick)" in subparsers()["controls"].format_help()
    for command in ("verify", "controls", "matrix"):
        scale = next(a for a in subparsers()[command]._actions if a.dest == "scale")
        assert list(scale.choices) == list(scales.SCALES)


def test_help_goes_through_main(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["verify", "--help"])
    assert done.value.code == 0
    assert "--strict [0|1]" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out == f"claimbench {cli.installed_version()}"
    assert out.split()[1][0].isdigit()


def test_version_falls_back_to_pyproject(monkeypatch):
    import importlib.metadata as md

    def not_installed(name):
        raise md.PackageNotFoundError(name)

    monkeypatch.setattr(md, "version", not_installed)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{cli.installed_version()}"' in text


# ---------------------------------------------------------------- runs to compare
def case(claim, verdict, effect=math.nan, lo=math.nan, hi=math.nan, name="", role="claim"):
    return {"claim": claim, "case": "", "verdict": verdict, "expected": "holds", "expected_reason": "",
            "outcome": "passed", "effect": effect, "ci_low": lo, "ci_high": hi, "effect_name": name,
            "evidence": "", "role": role, "control": "", "threshold": "> 1.1"}


def store(results, run_id, cases, session="timing"):
    records.save_record(results, run_id, session, {
        "scale": {"name": "default", "unit_s": 0.025},
        "runtime": {"tag": "3.11-gil-fork", "cpu_count": 2, "usable_cpus": 2, "physical_cores": 2,
                    "python_version": "3.11.7", "gil_enabled": True, "default_start_method": "fork"},
        "verdicts": cases, "started": "2026-11-26T00:00:00", "wall_s": 1.0, "exitstatus": 0})


@pytest.fixture
def runs(tmp_path):
    store(tmp_path, "20261126T000001Z-3.11-gil-fork", [case("process-own-pid", "holds"),
                                                       case("threads-efficient", "holds", 3.0, 2.5, 3.5, "ratio")])
    store(tmp_path, "20261126T000002Z-3.11-gil-fork", [case("process-own-pid", "holds"),
                                                       case("threads-efficient", "refuted", 1.0, 0.9, 1.1, "ratio")])
    store(tmp_path, "20261126T000003Z-3.11-gil-fork", [case("process-own-pid", "holds"),
                                                       case("threads-efficient", "holds", 3.1, 2.6, 3.6, "ratio")])
    store(tmp_path, "20261126T000004Z-3.11-gil-fork-controls",
          [case("process-own-pid", "refuted", role="control")], session="controls-timing")
    return tmp_path


def diff(runs, a, b, *more):
    return cli.main(["diff", a, b, "--results-dir", str(runs)] + list(more))


# ---------------------------------------------------------------- diff
def test_diff_names_the_kind_of_each_run_and_warns_when_they_differ(runs, capsys):
    assert diff(runs, "20261126T000001Z", "20261126T000004Z") == 0
    out, err = capsys.readouterr()
    assert "A: verify run 20261126T000001Z-3.11-gil-fork" in out
    assert "B: controls run 20261126T000004Z-3.11-gil-fork-controls" in out
    warning = err.strip().splitlines()
    assert len(warning) == 1 and "warning" in warning[0] and "B is a controls run" in warning[0]
    assert diff(runs, "20261126T000001Z", "20261126T000003Z") == 0
    out, err = capsys.readouterr()
    assert "B: verify run" in out and err == ""


def test_diff_fail_on_change(runs, capsys):
    assert diff(runs, "20261126T000001Z", "20261126T000002Z") == 0
    assert diff(runs, "20261126T000001Z", "20261126T000002Z", "--fail-on-change") == 1
    assert diff(runs, "20261126T000001Z", "20261126T000003Z", "--fail-on-change") == 0
    out = capsys.readouterr().out
    assert "1 verdict changed" in out and "0 verdicts changed" in out


def test_diff_into_a_closed_pipe_ends_quietly(runs):
    """`claimbench diff A B | head -3`: the reader is gone before a line is written."""
    proc = subprocess.Popen([sys.executable, "-m", "claimbench", "diff", "20261126T000001Z", "20261126T000002Z",
                             "--results-dir", str(runs)], cwd=str(ROOT), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 141)
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err, err


def test_report_compare_with_an_unknown_run_is_one_line(runs, capsys):
    before = sorted(p.name for p in runs.iterdir())
    assert cli.main(["report", "--results-dir", str(runs), "--compare-with", "nosuch"]) == 2
    assert "nosuch" in one_error_line(capsys)
    assert sorted(p.name for p in runs.iterdir()) == before  # no report written


# ---------------------------------------------------------------- `make` only where there is a Makefile
@pytest.mark.parametrize("makefile, has", [
    ("verify: venv\n\t$(PY) -m claimbench verify\n", True),
    (".PHONY: verify test\nunit test verify: venv\n\ttrue\n", True),
    ("VERIFY := 1\nverify_all:\n\ttrue\n", False),
    ("all:\n\tclaimbench verify\n", False),
])
def test_has_make_target(tmp_path, makefile, has):
    (tmp_path / "Makefile").write_text(makefile, encoding="utf-8")
    assert project.has_make_target(tmp_path, "verify") is has
    assert project.how_to("verify", "claimbench verify", tmp_path) == ("make verify" if has else "claimbench verify")


def test_a_project_without_a_makefile_is_not_told_make(tmp_path, monkeypatch, sessions_run, capsys):
    (tmp_path / "experiments").mkdir()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["verify", "--no-report"]) == 0
    out = capsys.readouterr().out
    assert "claimbench verify wall time" in out and "make" not in out
    assert project.how_to("controls", "claimbench controls") == "claimbench controls"
    assert preflight.fix(["psutil"], "/p/python") == "/p/python -m pip install claimbench"
    assert preflight.fix(["psutil"]) == "pip install claimbench"
    assert preflight.fix(["pandas"]) == "pip install 'claimbench[report]'"


def test_this_project_is_told_make(tmp_path, sessions_run, capsys):
    assert verify(tmp_path) == 0
    assert "make verify wall time" in capsys.readouterr().out
    assert preflight.fix(["psutil"]) == preflight.FIX


def test_a_missing_pandas_says_the_report_extra(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "pandas", None)

    def needs_pandas(args):
        import pandas  # noqa: F401
    monkeypatch.setattr(cli, "cmd_report", needs_pandas)
    assert cli.main(["report", "--results-dir", str(tmp_path)]) == 2
    assert "pip install 'claimbench[report]'" in one_error_line(capsys)
