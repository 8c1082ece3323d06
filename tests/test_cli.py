"""claimbench.commands.cli and claimbench.core.scales: bad input is one clear line and exit 2, nothing runs."""
from __future__ import annotations

import sys

import pytest

from claimbench.commands import cli, sessions
from claimbench.core import records, scales
from cli_lines import one_error_line


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail loudly if the CLI tries to start a pytest session or build a report."""
    started = []

    def refuse(cmd):
        started.append(cmd)
        raise AssertionError(f"a pytest session was started: {cmd}")

    monkeypatch.setattr(cli, "run_session", refuse)
    monkeypatch.setattr(sessions.subprocess, "Popen", refuse)
    return started


# ---------------------------------------------------------------- scales
def test_known_scales():
    for name, scale in scales.SCALES.items():
        assert scales.get_scale(name) is scale
        assert scale.name == name
        assert scale.min_rounds >= 6, "fewer than 6 rounds gives no 95% interval"
        assert scale.min_rounds <= scale.max_rounds and scale.batch_rounds >= 1
    assert scales.DEFAULT_SCALE in scales.SCALES


def test_unknown_scale_lists_the_scales():
    with pytest.raises(scales.UnknownScale) as err:
        scales.get_scale("bogus")
    message = str(err.value)
    assert "'bogus'" in message
    for name in scales.SCALES:
        assert name in message
    assert isinstance(err.value, ValueError)


# ---------------------------------------------------------------- parse_strict
@pytest.mark.parametrize("value, strict", [
    ("", False), ("0", False), ("no", False), ("false", False),
    ("1", True), ("yes", True), ("true", True),
])
def test_parse_strict(value, strict):
    assert cli.parse_strict(value) is strict


@pytest.mark.parametrize("value", ["2", "maybe", "-1", "11"])
def test_parse_strict_rejects(value):
    with pytest.raises(cli.CliError) as err:
        cli.parse_strict(value)
    assert repr(value) in str(err.value)


# ---------------------------------------------------------------- main
def test_verify_unknown_scale(capsys, nothing_runs, tmp_path):
    assert cli.main(["verify", "--scale", "bogus", "--results-dir", str(tmp_path)]) == 2
    line = one_error_line(capsys)
    assert "bogus" in line and all(name in line for name in scales.SCALES)
    assert nothing_runs == []
    assert list(tmp_path.iterdir()) == []


def test_verify_bad_strict(capsys, nothing_runs, tmp_path):
    assert cli.main(["verify", "--strict", "maybe", "--results-dir", str(tmp_path)]) == 2
    assert "STRICT" in one_error_line(capsys)
    assert nothing_runs == []
    assert list(tmp_path.iterdir()) == []


def test_report_without_runs(capsys, tmp_path):
    assert cli.main(["report", "--results-dir", str(tmp_path)]) == 2
    line = one_error_line(capsys)
    assert "no stored run" in line
    assert list(tmp_path.iterdir()) == []


def test_report_of_an_unknown_run(capsys, tmp_path):
    assert cli.main(["report", "--results-dir", str(tmp_path / "missing"), "--run-id", "nope"]) == 2
    assert "nope" in one_error_line(capsys)


def test_sessions_split_timing_and_behaviour(tmp_path):
    timing, behaviour = cli.sessions("py", "quick", tmp_path, "r1", True, ["-k", "pool"])
    for cmd in (timing, behaviour):
        assert cmd[:4] == ["py", "-m", "pytest", "experiments"]
        assert cmd[cmd.index("--claimbench-scale") + 1] == "quick"
        assert cmd[cmd.index("--claimbench-run-id") + 1] == "r1"
        assert "--claimbench-strict" in cmd
        assert cmd[-2:] == ["-k", "pool"]
    assert timing[timing.index("-m", 3) + 1] == "not behaviour and not control" and "no:xdist" in timing
    assert behaviour[behaviour.index("-m", 3) + 1] == "behaviour and not control" and "-n" in behaviour
    assert timing[timing.index("--claimbench-session-name") + 1] != behaviour[behaviour.index("--claimbench-session-name") + 1]
    assert "--claimbench-strict" not in cli.sessions("py", "quick", tmp_path, "r1", False, [])[0]


def test_controls_sessions_take_only_the_planted_counterparts(tmp_path):
    timing, behaviour = cli.sessions("py", "quick", tmp_path, "r1-controls", False, [], controls=True)
    assert timing[timing.index("-m", 3) + 1] == "not behaviour and control"
    assert behaviour[behaviour.index("-m", 3) + 1] == "behaviour and control"
    names = [cmd[cmd.index("--claimbench-session-name") + 1] for cmd in (timing, behaviour)]
    assert all(n.startswith(records.CONTROLS_SESSION_PREFIX) for n in names)


def _controls_run(results, cases):
    from claimbench.core.runtime import fingerprint
    records.save_record(results, "r1-controls", "controls-timing", dict(
        scale={"name": "quick", "unit_s": 0.01}, runtime=dict(fingerprint().as_dict(), unit_s=0.01, scale="quick"),
        started="", wall_s=1.0, verdicts=cases))


def _control_case(claim_id, verdict, expected="refuted"):
    return dict(claim=claim_id, case="control-x", verdict=verdict, expected=expected, expected_reason="planted",
                outcome="passed", effect=float("nan"), ci_low=float("nan"), ci_high=float("nan"), effect_name="",
                evidence="seen", rounds=0, data={}, role="control", control="x")


def test_controls_pass_only_when_every_claim_has_one_as_planted(tmp_path, capsys):
    from claimbench import claims
    every = [_control_case(c, "refuted") for c in claims.REGISTRY]
    _controls_run(tmp_path, every)
    assert cli.write_controls(tmp_path, "r1-controls", 0.0, "quick") == 0
    assert (tmp_path / "controls.md").is_file() and (tmp_path / "controls.csv").is_file()
    assert "25 of 25 claims" in capsys.readouterr().out.replace(str(len(claims.REGISTRY)), "25")


def test_controls_fail_when_one_is_missing_or_comes_out_against_its_plant(tmp_path):
    from claimbench import claims
    ids = list(claims.REGISTRY)
    _controls_run(tmp_path, [_control_case(c, "refuted") for c in ids[1:]])
    assert cli.write_controls(tmp_path, "r1-controls", 0.0, "quick") == 1
    other = tmp_path / "other"
    _controls_run(other, [_control_case(c, "refuted") for c in ids[1:]] + [_control_case(ids[0], "holds")])
    assert cli.write_controls(other, "r1-controls", 0.0, "quick") == 1


def test_an_inconclusive_control_fails_whatever_strict_says(tmp_path):
    """A control is always strict (issue 19): one that could not refute has not shown that the
    experiment can come out otherwise, so it fails the run, and controls.md says which."""
    from claimbench import claims
    ids = list(claims.REGISTRY)
    _controls_run(tmp_path, [_control_case(c, "refuted") for c in ids[1:]] + [_control_case(ids[0], "inconclusive")])
    assert cli.write_controls(tmp_path, "r1-controls", 0.0, "quick") == 1
    assert "Not as planted" in (tmp_path / "controls.md").read_text(encoding="utf-8")
    _controls_run(tmp_path, [_control_case(c, "refuted") for c in ids])
    assert cli.write_controls(tmp_path, "r1-controls", 0.0, "quick") == 0


def test_sessions_can_be_only_one_and_carry_the_start_method(tmp_path):
    (timing,) = cli.sessions("py", "quick", tmp_path, "r1", False, [], start_method="spawn", only=("timing",))
    assert timing[timing.index("--claimbench-start-method") + 1] == "spawn"
    assert "no:xdist" in timing
    (behaviour,) = cli.sessions("py", "quick", tmp_path, "r1", False, [], only=("behaviour",))
    assert "--claimbench-start-method" not in behaviour and "-n" in behaviour


@pytest.mark.parametrize("args,word", [(["--start-method", "vfork"], "vfork"),
                                       (["--sessions", "timing,lunch"], "lunch")])
def test_verify_bad_start_method_or_session(capsys, nothing_runs, tmp_path, args, word):
    assert cli.main(["verify", "--results-dir", str(tmp_path)] + args) == 2
    assert word in one_error_line(capsys)
    assert nothing_runs == []
    assert list(tmp_path.iterdir()) == []


def test_a_run_id_carries_the_runtime_tag_of_its_interpreter_and_start_method():
    from claimbench.core import runtime
    tag = runtime.fingerprint().tag
    assert sessions.runtime_tag_of(sys.executable) == tag
    assert sessions.runtime_tag_of(sys.executable, "spawn") == tag.rsplit("-", 1)[0] + "-spawn"
    assert sessions.runtime_tag_of("/no/such/python") == ""
    assert records.run_id_for("20261126T000000Z", tag).endswith("Z-" + tag)
    assert records.run_id_for("20261126T000000Z", "") == "20261126T000000Z"


def test_a_control_this_runtime_cannot_test_is_not_missing(tmp_path):
    """A sub-interpreter control on 3.11 (expected inconclusive, skipped) beside the claims' own controls."""
    from claimbench import claims
    every = [_control_case(c, "refuted") for c in claims.REGISTRY]
    untestable = dict(_control_case(next(iter(claims.REGISTRY)), "inconclusive", expected="inconclusive"),
                      case="control-y", control="y", outcome="skipped")
    _controls_run(tmp_path, every + [untestable])
    assert cli.write_controls(tmp_path, "r1-controls", 0.0, "quick") == 0
