"""The pytest plugin (claimbench/plugin/__init__.py) end to end, on a tiny synthetic experiment folder.

The plugin (claimbench/plugin/__init__.py) runs beside a fake ``experiments/`` in a temporary
folder and pytest runs there in a subprocess: nothing of the real experiments is
imported or measured, and the variants "time" themselves with ``Seconds``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from claimbench import claims
from claimbench.core import records, runtime as rt, scales, verdicts

ROOT = Path(__file__).resolve().parent.parent

EXPERIMENT = '''
import pytest

from claimbench import stats, verdicts
from claimbench.core.measure import Interleaved, Seconds

CLAIM = {claim!r}


@pytest.mark.claim(CLAIM)
def test_holds(judge):
    judge(verdicts.observed(CLAIM, "", verdicts.HOLDS, "seen it"))


@pytest.mark.claim(CLAIM)
@pytest.mark.parametrize("verdict", ["holds", "refuted", "inconclusive"], ids=["c1", "c2", "c3"])
def test_cases(verdict, judge):
    judge(verdicts.observed(CLAIM, "", verdict, "case says " + verdict))


@pytest.mark.claim(CLAIM)
def test_timed(scale, benchmark, judge):
    m = Interleaved({{"slow": lambda: Seconds(2.0), "fast": lambda: Seconds(1.0)}})
    decision = m.until_settled(lambda m: stats.above(m.ratio("slow", "fast"), 1.5), scale, benchmark)
    judge(verdicts.measured(CLAIM, "", m.ratio("slow", "fast"), decision, "slow/fast", "> 1.5",
                            "fake timings", data={{"rounds": m.rounds}}))
'''

BAD_EXPERIMENT = '''
import pytest


@pytest.mark.claim("no-such-claim-id")
def test_unknown():
    pass


def test_unmarked():
    pass
'''


def holds_here_claim() -> str:
    """A registered claim this runtime expects to hold, whatever the case id."""
    here = rt.fingerprint()
    for cid, claim in claims.REGISTRY.items():
        es = [claim.expectation(here, case) for case in (None, "c1", "c2", "c3")]
        if all(e.testable and e.verdict == verdicts.HOLDS for e in es):
            return cid
    pytest.skip("no registered claim is expected to hold on this runtime")


def project(tmp_path: Path, experiment: str) -> Path:
    folder = tmp_path / "project"
    (folder / "experiments").mkdir(parents=True)
    # A project of its own that uses the plugin (-p claimbench.plugin in run_pytest, as the
    # installed entry point would load it) with the notes' claims.
    (folder / "pytest.ini").write_text("[pytest]\nclaimbench_claims = claimbench.claims\n", encoding="utf-8")
    (folder / "experiments" / "test_fake.py").write_text(textwrap.dedent(experiment), encoding="utf-8")
    return folder


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    for name in [n for n in env if n.startswith("PYTEST_XDIST")]:  # pytest-benchmark switches off on these
        env.pop(name)
    cmd = [sys.executable, "-m", "pytest", "experiments", "-q", "-p", "no:cacheprovider", "-p", "claimbench.plugin", "-p", "no:xdist",
           "--assert=plain",  # nothing to rewrite: saves most of the start-up
           "--claimbench-scale", "quick", "--claimbench-results-dir", "results", "--claimbench-store", *args]
    return subprocess.run(cmd, cwd=str(folder), env=env, capture_output=True, text=True, timeout=120)


def test_judged_cases_are_stored_and_tabled(tmp_path):
    claim = holds_here_claim()
    folder = project(tmp_path, EXPERIMENT.format(claim=claim))
    proc = run_pytest(folder, "--claimbench-run-id", "r1", "--claimbench-session-name", "s1")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output  # c2 is refuted where the claim should hold
    assert "3 passed" in output and "1 failed" in output and "1 inconclusive" in output, output
    assert "INCONCLUSIVE experiments/test_fake.py::test_cases[c3]" in output, output
    assert "claimbench verdicts" in output and claim in output

    rec = records.load_record(folder / "results" / "runs" / "r1" / "s1.json")
    assert rec.scale["name"] == "quick"
    assert rec.runtime["tag"] == rt.fingerprint().tag
    by_case = {(v["nodeid"].split("::")[1].split("[")[0], v["case"]): v for v in rec.verdicts}
    assert {k: (v["verdict"], v["outcome"]) for k, v in by_case.items()} == {
        ("test_holds", ""): ("holds", "passed"),
        ("test_cases", "c1"): ("holds", "passed"),
        ("test_cases", "c2"): ("refuted", "failed"),
        ("test_cases", "c3"): ("inconclusive", "skipped"),
        ("test_timed", ""): ("holds", "passed"),
    }
    assert all(v["claim"] == claim and v["expected"] == "holds" for v in rec.verdicts)
    timed = by_case[("test_timed", "")]
    assert (timed["effect"], timed["ci_low"], timed["ci_high"]) == (2.0, 2.0, 2.0)
    rounds = scales.SCALES["quick"].min_rounds  # settled at the first look
    assert timed["data"] == {"rounds": rounds}

    # The raw timings were renamed into pytest-benchmark's storage; no temporary file is left.
    (bench,) = (folder / "results" / "benchmarks-quick").glob("*/0001_r1.json")  # a quick run's own storage
    # One entry per variant, its statistics from that variant's own samples, grouped by claim.
    entries = {e["params"]["variant"]: e for e in json.loads(bench.read_text(encoding="utf-8"))["benchmarks"]}
    assert sorted(entries) == ["fast", "slow"]
    assert entries["slow"]["name"] == "test_timed[slow]" and entries["slow"]["group"] == claim
    assert (entries["slow"]["stats"]["median"], entries["fast"]["stats"]["median"]) == (2.0, 1.0)
    assert entries["slow"]["stats"]["rounds"] == rounds and entries["slow"]["extra_info"]["rounds"] == rounds
    assert list((folder / "results" / ".tmp").glob("*")) == []


def test_strict_verdicts_fail_the_inconclusive(tmp_path):
    folder = project(tmp_path, EXPERIMENT.format(claim=holds_here_claim()))
    proc = run_pytest(folder, "--claimbench-strict", "--claimbench-no-store", "-k", "c3")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout
    assert not (folder / "results" / "runs").exists()


def test_experiments_must_name_a_registered_claim(tmp_path):
    folder = project(tmp_path, BAD_EXPERIMENT)
    proc = run_pytest(folder, "--claimbench-run-id", "r1")
    output = proc.stdout + proc.stderr
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "no-such-claim-id" in output and "test_unknown" in output
    assert "test_unmarked" in output and "no @pytest.mark.claim" in output
    assert not (folder / "results" / "runs").exists()


def test_unknown_scale_is_a_usage_error(tmp_path):
    folder = project(tmp_path, EXPERIMENT.format(claim=next(iter(claims.REGISTRY))))
    proc = run_pytest(folder, "--claimbench-scale", "bogus")
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR
    assert "unknown scale 'bogus'" in proc.stderr


LIMITS_EXPERIMENT = '''
import pytest

from claimbench import verdicts

CLAIM = {claim!r}


@pytest.mark.claim(CLAIM)
def test_default_limit(request, judge):
    marker = request.node.get_closest_marker("timeout")
    print("LIMIT default", marker.args if marker else None)
    judge(verdicts.observed(CLAIM, "", verdicts.HOLDS, "seen it"))


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(60)
def test_own_limit(request, judge):
    print("LIMIT own", request.node.get_closest_marker("timeout").args)
    judge(verdicts.observed(CLAIM, "", verdicts.HOLDS, "seen it"))
'''


@pytest.mark.parametrize("scale, default, own", [("quick", "None", "(60,)"), ("seed", "(3000.0,)", "(600.0,)")])
def test_time_limits_stretch_with_the_scale(tmp_path, scale, default, own):
    folder = project(tmp_path, LIMITS_EXPERIMENT.format(claim=holds_here_claim()))
    (folder / "pytest.ini").write_text("[pytest]\nclaimbench_claims = claimbench.claims\ntimeout = 300\n", encoding="utf-8")
    proc = run_pytest(folder, "--claimbench-scale", scale, "-s", "--claimbench-no-store")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "LIMIT default " + default in output, output
    assert "LIMIT own " + own in output, output
