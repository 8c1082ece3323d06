"""The end of a session: a row for a test that never reached its verdict, the run stored, the report
written where the ini asks, the statuses and the verdict table in the terminal."""
from __future__ import annotations

import time

import pytest

from ..core import claim_table, records, verdicts
from .. import claims
from ..core import control_table
from . import judging, no_verdict
from .fixtures import _store_case
from .session import _is_xdist_worker, _wants_progress, Session, stores


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A claim's test that errors or times out before judging still gets its row (claimbench/plugin/no_verdict.py)."""
    report = (yield).get_result()
    cb = getattr(item.config, "_claimbench", None)
    if cb is not None and no_verdict.never_judged(item, report):
        report.outcome, report.longrepr = "failed", f"{no_verdict.claim_of(item)}: {no_verdict.NEVER_JUDGED}"
    case = no_verdict.case_for(item, report, cb.runtime) if cb is not None else None
    if case is not None:
        _store_case(item, case)
        report.user_properties.append(item.user_properties[-1])


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    cb = getattr(config, "_claimbench", None)
    if cb is None or _is_xdist_worker(config):
        return
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    bench_file = None
    if cb.bench is not None:
        from pytest_benchmark.utils import get_machine_id
        bench_file = cb.bench.store(get_machine_id(), interrupted)
    if cb.cases and not interrupted and stores(config):
        payload = judging.record_payload(cb.scale, cb.fingerprint(), cb.cases, cb.durations, cb.started.isoformat(),
                                         time.perf_counter() - cb.t0, exitstatus, bench_file)
        records.save_record(cb.results_dir, cb.run_id, cb.name, payload)
        if config.getini("claimbench_report"):
            _write_report(cb)


def _write_report(cb: Session) -> None:
    """The report of this session's run, for a project that asks for one in its ini file (it needs
    pandas and matplotlib: ``pip install 'claimbench[report]'``; without them, one line says so)."""
    try:
        from ..report import builder as report
    except ImportError as exc:
        cb.report = f"not written: {exc} (pip install 'claimbench[report]')"
        return
    report.build(cb.results_dir, cb.run_id)
    cb.report = cb.results_dir / "report.html"


INCONCLUSIVE_PREFIX = "inconclusive: "


def _inconclusive(report) -> str:
    """The reason of a claim's test that came out inconclusive (skipped by its judge), else ""."""
    if not report.skipped or not isinstance(report.longrepr, tuple) or len(report.longrepr) != 3:
        return ""
    message = str(report.longrepr[2])
    message = message[len("Skipped: "):] if message.startswith("Skipped: ") else message
    return message[len(INCONCLUSIVE_PREFIX):] if message.startswith(INCONCLUSIVE_PREFIX) else ""


def pytest_report_teststatus(report, config):
    """An inconclusive verdict has a status of its own ("I", "N inconclusive"), apart from the
    platform's skips."""
    if getattr(config, "_claimbench", None) is None:
        return None
    # A judged test's progress line stands for its letter (claimbench/plugin/progress.py).
    lined = report.when == "call" and _wants_progress(config) and any(
        name == claim_table.PROPERTY for name, _ in getattr(report, "user_properties", ()))
    if _inconclusive(report):
        return "inconclusive", "" if lined else "I", "INCONCLUSIVE"
    if lined:
        if hasattr(report, "wasxfail"):
            category = "xfailed" if report.skipped else "xpassed"
        else:
            category = report.outcome
        return category, "", category.upper()
    return None


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Outermost wrapper, printing after everything else: the summary ends with the verdicts.
    yield
    cb = getattr(config, "_claimbench", None)
    if cb is None or not cb.cases:
        return
    undecided = terminalreporter.stats.get("inconclusive", [])
    if undecided:
        terminalreporter.section("claimbench: inconclusive")
        for report in undecided:
            terminalreporter.write_line(f"INCONCLUSIVE {report.nodeid} - {_inconclusive(report)}")
    cases = list(cb.cases.values())
    rows = claim_table.claim_rows(cases, claims.REGISTRY)
    planted = claim_table.cases_of_role(cases, verdicts.CONTROL)
    if rows:
        terminalreporter.section(f"claimbench verdicts — {cb.runtime.tag} (T = {cb.scale.unit_s} s, {cb.scale.name})")
        terminalreporter.write_line(claim_table.text_table(rows))
    if planted:
        terminalreporter.section(f"claimbench controls — {cb.runtime.tag} (T = {cb.scale.unit_s} s, {cb.scale.name})")
        for r in control_table.rows(planted, {}):
            note = "" if r.as_planted else "  (untestable here)" if not r.ran else "  <- not as planted"
            terminalreporter.write_line(f"{r.claim} [{r.case}]: {r.verdict} (planted {r.expected}){note}")
    terminalreporter.write_line(f"session wall time: {time.perf_counter() - cb.t0:.1f} s")
    if getattr(cb, "report", None):
        terminalreporter.write_line(f"report: {cb.report}")
