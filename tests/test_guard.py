"""Stray processes (claimbench/core/guard.py) and experiments that never reach a verdict (claimbench/plugin/no_verdict.py).

The end-to-end checks run the plugin (-p claimbench.plugin) beside a fake ``experiments/``
in a temporary folder and run pytest there in a subprocess, as tests/test_wiring.py does.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from claimbench import claims
from claimbench.core import claim_table, guard, records, runtime as rt, verdicts
from claimbench.plugin import no_verdict

ROOT = Path(__file__).resolve().parent.parent


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


# ---------------------------------------------------------------- the ledger
def test_a_leaked_child_is_found_killed_and_reported():
    ledger = guard.ChildLedger()
    leaked = subprocess.Popen(["sleep", "60"])
    try:
        ledger.note("tests/test_x.py::test_leaks")
        killed = ledger.finish(grace_s=0.1)
        assert killed == [f"pid {leaked.pid} (sleep 60), alive at the end of tests/test_x.py::test_leaks"]
        leaked.wait(timeout=5)  # psutil has reaped it already: the status is lost, the process is gone
        assert gone(leaked.pid)
    finally:
        if leaked.poll() is None:
            leaked.kill()
            leaked.wait()


def test_a_child_started_outside_any_test_is_reported_too():
    ledger = guard.ChildLedger()
    leaked = subprocess.Popen(["sleep", "60"])
    try:
        (line,) = ledger.finish(grace_s=0.1)
        assert line.endswith("started outside any test") and str(leaked.pid) in line
        leaked.wait(timeout=5)
    finally:
        if leaked.poll() is None:
            leaked.kill()
            leaked.wait()


def test_children_that_end_in_time_are_not_strays():
    ledger = guard.ChildLedger()
    quick = subprocess.Popen(["sleep", "0.2"])
    ledger.note("t")
    assert ledger.finish(grace_s=5) == []
    assert quick.wait(timeout=5) == 0


def test_a_reused_pid_is_not_taken_for_the_child_seen():
    me = psutil.Process()
    ledger = guard.ChildLedger()
    ledger.seen[(me.pid, me.create_time() + 1)] = guard.Sighting(me.pid, me.create_time() + 1, "old", "t")
    assert ledger.survivors() == []


def test_an_orphaned_grandchild_stays_a_descendant_of_a_subreaper():
    # pytest here is a subreaper (conftest registers the guard): the grandchild whose parent
    # exits is re-parented to this process, so the per-test reaper can still see it.
    if not guard.become_subreaper():
        pytest.skip("no PR_SET_CHILD_SUBREAPER here")
    out = subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True,
                         timeout=10).stdout
    orphan = psutil.Process(int(out.split()[0]))
    try:
        assert orphan.ppid() == os.getpid()
        ledger = guard.ChildLedger()
        (line,) = ledger.finish(grace_s=0.1)
        assert str(orphan.pid) in line
        assert gone(orphan.pid)
    finally:
        if not gone(orphan.pid):
            orphan.kill()


# ---------------------------------------------------------------- the run-level sweep
def test_kill_session_kills_what_a_session_left_behind():
    leader = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60 & echo started"], start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert leader.stdout.readline().strip() == "started"
    leader.wait(timeout=10)
    left = guard.session_members(leader.pid)
    assert len(left) == 2 and all("sleep" in " ".join(p.cmdline()) for p in left)
    lines = guard.kill_session(leader.pid, grace_s=0.5)
    assert len(lines) == 2 and all("sleep 60" in ln for ln in lines)
    assert all(gone(p.pid) for p in left)
    assert guard.kill_session(leader.pid) == []


def test_kill_session_refuses_our_own_session():
    with pytest.raises(ValueError):
        guard.kill_session(os.getsid(0))
    with pytest.raises(ValueError):
        guard.kill_session(1)


# ---------------------------------------------------------------- cases for tests that never judged
def a_claim_id() -> str:
    return next(iter(claims.REGISTRY))


class Marker:
    def __init__(self, *args):
        self.args = args


class Item:
    def __init__(self, claim_id=None, case="", props=()):
        self.nodeid = "experiments/test_fake.py::test_it" + (f"[{case}]" if case else "")
        self.user_properties = list(props)
        self.callspec = SimpleNamespace(id=case) if case else None
        self._claim = claim_id

    def get_closest_marker(self, name):
        return Marker(self._claim) if name == "claim" and self._claim else None


def report(when="call", failed=True, longrepr=None, props=()):
    return SimpleNamespace(when=when, failed=failed, longrepr=longrepr, user_properties=list(props))


def crash(message):
    return SimpleNamespace(reprcrash=SimpleNamespace(message=message))


def test_a_timeout_gets_an_inconclusive_failed_case():
    cid = a_claim_id()
    here = rt.fingerprint()
    case = no_verdict.case_for(Item(cid, "k2"), report(longrepr=crash("Failed: Timeout (>300.0s) from pytest-timeout.")),
                             here)
    assert case["claim"] == cid and case["case"] == "k2"
    assert case["verdict"] == verdicts.INCONCLUSIVE and case["outcome"] == verdicts.FAILED
    assert case["evidence"] == "no verdict: the experiment timed out (Failed: Timeout (>300.0s) from pytest-timeout.)"
    assert case["expected"] == claims.get(cid).expectation(here, "k2").verdict
    assert case["data"] == {"error": "Failed: Timeout (>300.0s) from pytest-timeout.", "phase": "call"}
    # It is stored exactly like a judged case.
    assert set(verdicts.Verdict.__dataclass_fields__) <= set(case)
    json.dumps(case)


def test_a_setup_error_and_a_crash_say_so():
    cid = a_claim_id()
    here = rt.fingerprint()
    setup = no_verdict.case_for(Item(cid), report("setup", longrepr=crash("OSError: no fork here")), here)
    assert setup["evidence"] == "no verdict: the experiment could not be set up (OSError: no fork here)"
    call = no_verdict.case_for(Item(cid), report(longrepr="Traceback…\nE   ValueError: bad\n\nfile.py:3: ValueError"),
                             here)
    assert call["evidence"] == "no verdict: the experiment failed before it reached a verdict (ValueError: bad)"


@pytest.mark.parametrize("item, rep", [
    (Item(None), report()),                                               # not a claim's test
    (Item("no-such-claim"), report()),                                    # an unknown claim
    (Item(a_claim_id()), report(failed=False)),                           # passed
    (Item(a_claim_id()), report("teardown")),                             # teardown is after judging
    (Item(a_claim_id(), props=[(claim_table.PROPERTY, "{}")]), report()),        # judged, then failed
    (Item(a_claim_id()), report(props=[(claim_table.PROPERTY, "{}")])),
])
def test_no_extra_case_where_there_is_nothing_to_add(item, rep):
    assert no_verdict.case_for(item, rep, rt.fingerprint()) is None


@pytest.mark.parametrize("longrepr, line", [
    (crash("AssertionError: x\nmore"), "AssertionError: x"),
    ("plain text\nlast line", "last line"),
    ("", "no error text"),
    (None, "no error text"),
])
def test_error_line(longrepr, line):
    assert no_verdict.error_line(longrepr) == line


# ---------------------------------------------------------------- end to end, in a throw-away project
EXPERIMENT = '''
import subprocess

import pytest

from claimbench import verdicts

CLAIM = {claim!r}


@pytest.mark.claim(CLAIM)
@pytest.mark.timeout(1)
def test_hangs_on_a_child(judge):
    subprocess.Popen(["sleep", "60"]).wait()


@pytest.mark.claim(CLAIM)
@pytest.mark.parametrize("n", [2], ids=["n2"])
def test_breaks(n, judge):
    raise ValueError("broken experiment")


@pytest.mark.claim(CLAIM)
def test_orphans_a_grandchild(judge):
    subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 &"])
    judge(verdicts.observed(CLAIM, "", verdicts.HOLDS, "judged"))


@pytest.mark.claim(CLAIM)
@pytest.mark.behaviour  # it times nothing, so it may run under xdist (timing claims are refused there)
def test_after_the_others(judge):
    judge(verdicts.observed(CLAIM, "", verdicts.HOLDS, "the run went on"))
'''

CARELESS_CONFTEST = '''
import subprocess

import pytest


@pytest.fixture(scope="session", autouse=True)
def starts_a_process_after_the_last_test():
    yield
    subprocess.Popen(["sleep", "60"])  # only the session guard can see this one
'''


def holds_here_claim() -> str:
    here = rt.fingerprint()
    for cid, claim in claims.REGISTRY.items():
        if all(claim.expectation(here, c).testable and claim.expectation(here, c).verdict == verdicts.HOLDS
               for c in (None, "n2")):
            return cid
    pytest.skip("no registered claim is expected to hold on this runtime")


def project(tmp_path: Path, experiment: str, conftest: str = "") -> Path:
    folder = tmp_path / "project"
    (folder / "experiments").mkdir(parents=True)
    # A project of its own that uses the plugin (-p claimbench.plugin in run_pytest, as the
    # installed entry point would load it) with the notes' claims.
    (folder / "pytest.ini").write_text("[pytest]\nclaimbench_claims = claimbench.claims\n", encoding="utf-8")
    (folder / "experiments" / "test_fake.py").write_text(textwrap.dedent(experiment), encoding="utf-8")
    if conftest:
        (folder / "experiments" / "conftest.py").write_text(textwrap.dedent(conftest), encoding="utf-8")
    return folder


def run_pytest(folder: Path, *args: str):
    """Run pytest as its own session; returns (exit status, output, processes of that session still alive)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    cmd = [sys.executable, "-m", "pytest", "experiments", "-q", "-p", "no:cacheprovider", "-p", "claimbench.plugin",
           "--claimbench-scale", "quick", "--claimbench-results-dir", "results", "--claimbench-run-id", "r1",
           "--claimbench-session-name", "s1", "--claimbench-store", *args]
    proc = subprocess.Popen(cmd, cwd=str(folder), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=120)
        left = [" ".join(p.cmdline()) for p in guard.session_members(proc.pid)]
    finally:
        guard.kill_session(proc.pid, grace_s=0.1)
    return proc.returncode, output, left


def test_timeouts_and_errors_become_inconclusive_rows_and_the_run_goes_on(tmp_path):
    claim = holds_here_claim()
    folder = project(tmp_path, EXPERIMENT.format(claim=claim))
    t0 = time.monotonic()
    status, output, left = run_pytest(folder, "-p", "no:xdist")
    assert status == 1, output
    assert time.monotonic() - t0 < 60
    assert left == [], f"processes of the run outlived it: {left}"
    assert "2 failed, 2 passed" in output and "Timeout" in output, output

    rec = records.load_record(folder / "results" / "runs" / "r1" / "s1.json")
    by_test = {v["nodeid"].split("::")[1]: v for v in rec.verdicts}
    assert set(by_test) == {"test_hangs_on_a_child", "test_breaks[n2]", "test_orphans_a_grandchild",
                            "test_after_the_others"}
    hung = by_test["test_hangs_on_a_child"]
    assert (hung["verdict"], hung["outcome"]) == ("inconclusive", "failed")
    assert hung["evidence"].startswith("no verdict: the experiment timed out (Failed: Timeout (>1.0s)")
    broke = by_test["test_breaks[n2]"]
    assert (broke["case"], broke["verdict"], broke["outcome"]) == ("n2", "inconclusive", "failed")
    assert "ValueError: broken experiment" in broke["evidence"]
    assert by_test["test_after_the_others"]["verdict"] == "holds"
    # The hung child and the orphaned grandchild were killed at their tests' ends, and said so.
    # (Counted in the teardown error sections: the short summary repeats the message as far as the terminal is wide.)
    for test in ("test_hangs_on_a_child", "test_orphans_a_grandchild"):
        section = output.split("ERROR at teardown of " + test, 1)[1].split("\n__", 1)[0]
        assert "child processes outlived the test and were killed" in section and "(sleep 60)" in section, output
    assert output.count("ERROR at teardown of") == 2, output


@pytest.mark.parametrize("mode", [("-p", "no:xdist"), ("-n", "2")], ids=["serial", "xdist"])
def test_a_process_outliving_the_session_fails_the_run(tmp_path, mode):
    claim = holds_here_claim()
    folder = project(tmp_path, EXPERIMENT.format(claim=claim), CARELESS_CONFTEST)
    status, output, left = run_pytest(folder, "-k", "after_the_others", *mode)
    assert "1 passed" in output, output
    assert status == 1, output
    assert left == []
    assert "processes that outlived the session (killed)" in output
    assert "(sleep 60), started outside any test" in output
