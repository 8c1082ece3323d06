"""The pytest plugin in projects of its own (pytester, in subprocesses: the plugin sets the claim
registry of the process it runs in)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CLAIMS_MODULE = '''
from claimbench.claims import Claim
from claimbench.claims.expect import always

CLAIMS = (Claim(id="sum-adds-up", section="x", quote="sum([1, 2]) == 3", statement="sum adds",
                expect=always("holds", "arithmetic")),)
'''

TESTS = '''
import pytest
from claimbench import verdicts


@pytest.mark.claim("sum-adds-up")
@pytest.mark.parametrize("total", [3, 4, None], ids=["right", "wrong", "unsure"])
def test_sum(total, judge):
    verdict = {3: verdicts.HOLDS, 4: verdicts.REFUTED, None: verdicts.INCONCLUSIVE}[total]
    judge.observed(verdict, "sum([1, 2]) gave {}".format(total))


def test_plain():
    assert True
'''


@pytest.fixture
def project(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    pytester.makepyfile(my_claims=CLAIMS_MODULE, test_sums=TESTS)
    return pytester


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "claimbench.plugin", "-p", "no:cacheprovider", "-p", "no:xdist",
                                         "--benchmark-disable", *args)


def test_off_unless_the_ini_names_claims(project):
    project.makeini("[pytest]\n")
    result = run(project, "-k", "plain")
    result.assert_outcomes(passed=1, deselected=3)
    assert not (project.path / "results").exists()  # an unrelated project's run stores nothing


def test_a_project_of_its_own_gets_verdicts_statuses_and_a_report(project):
    project.makeini("[pytest]\nclaimbench_claims = my_claims\nclaimbench_experiments =\n"
                    "claimbench_report = true\npythonpath = .\n")
    result = run(project)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*INCONCLUSIVE test_sums.py::test_sum?unsure?*", "*claimbench verdicts*",
                                 "sum-adds-up*", "report: *report.html", "*1 failed, 2 passed, 1 inconclusive*"])
    assert (project.path / "results" / "report.html").is_file()
    assert list((project.path / "results" / "runs").glob("*/pytest.json"))


def test_a_claim_id_selects_its_tests(project):
    project.makeini("[pytest]\nclaimbench_claims = my_claims\npythonpath = .\n")
    result = run(project, "-k", "sum-adds-up and right", "--claimbench-no-store")
    result.assert_outcomes(passed=1, deselected=3)


def test_a_claims_module_that_is_not_there_is_one_usage_error(project):
    project.makeini("[pytest]\nclaimbench_claims = no_such_module\n")
    result = run(project)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*claimbench_claims: No module named 'no_such_module'*"])


def test_plain_pytest_stores_only_when_asked(project):
    project.makeini("[pytest]\nclaimbench_claims = my_claims\nclaimbench_experiments =\npythonpath = .\n")
    run(project, "-k", "right")
    assert not (project.path / "results").exists()
    run(project, "-k", "right", "--claimbench-store")
    assert list((project.path / "results" / "runs").glob("*/pytest.json"))


UNJUDGED = '''
import pytest


@pytest.mark.claim("sum-adds-up")
@pytest.mark.behaviour
def test_forgets_the_judge(judge):
    assert sum([1, 2]) == 3
'''


def test_a_claim_test_that_never_judges_fails_with_one_line(project):
    project.makepyfile(test_unjudged=UNJUDGED)
    project.makeini("[pytest]\nclaimbench_claims = my_claims\nclaimbench_experiments =\npythonpath = .\n")
    result = run(project, "test_unjudged.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*sum-adds-up: the test ended without a verdict: it never called judge.measured*"])


def test_timing_claims_under_xdist_are_refused_in_one_line(project):
    pytest.importorskip("xdist")
    project.makeini("[pytest]\nclaimbench_claims = my_claims\nclaimbench_experiments =\npythonpath = .\n")
    result = project.runpytest_subprocess("-p", "claimbench.plugin", "-p", "no:cacheprovider", "--benchmark-disable",
                                          "-n", "2", "-k", "sum")
    assert result.ret != 0
    out = result.stdout.str() + result.stderr.str()
    assert "a timing claim does not run under pytest-xdist (-n)" in out and "INTERNALERROR" not in out


def test_the_plugins_options_are_prefixed():
    """Installed, the plugin adds options to every pytest project in the environment: all of them
    begin --claimbench- (pytest-benchmark's begin --benchmark-), none is a bare --scale or --store."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "pytest", "--help", "-p", "claimbench.plugin", "-p", "no:cacheprovider"],
                          cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    section = done.stdout.split("claimbench:", 1)[1].split("\n\n", 1)[0]
    options = [ln.split()[0].split("=")[0] for ln in section.splitlines() if ln.startswith("  --")]
    assert options and all(o.startswith("--claimbench-") for o in options), options
