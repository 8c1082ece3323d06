"""What one pytest session knows (scale, runtime, judged cases, progress) and the plain questions every
part of the plugin asks of pytest's config: is claimbench on, does this session store, is it an xdist worker."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..core import claim_table, provenance, records, runtime as rt, scales
from . import progress


def active(config) -> bool:
    """Whether this project asked for claimbench (its ini file names the modules of its claims)."""
    return bool(config.getini("claimbench_claims"))


class Session:
    """What one pytest session knows: scale, runtime, and the judged cases."""

    def __init__(self, config):
        self.config = config
        self.scale = scales.get_scale(config.getoption("scale"))
        self.runtime = rt.fingerprint()
        self.results_dir = Path(config.getoption("results_dir"))
        self.started = datetime.now(timezone.utc)
        self.t0 = time.perf_counter()
        self.run_id = config.getoption("run_id") or records.run_id_for(records.run_id_at(self.started),
                                                                      self.runtime.tag)
        self.name = config.getoption("session_name") or "pytest"
        self.strict = config.getoption("strict_verdicts")
        self.cases = {}  # nodeid -> stored case dict
        self.durations = {}  # nodeid -> seconds of set-up, call and teardown
        self.bench = None  # benchmark_files.BenchmarkFile, where this session stores raw timings
        self.storage_folder = "benchmarks"  # this kind of run's storage folder (benchmark_storage.py)
        self.report = None  # the report written at the end, where the ini file asks for one
        self.total = 0      # the session's tests, once collected (0 where unknown: under xdist)
        self.progress = progress.Progress(
            {} if _is_xdist_worker(config) or not _wants_progress(config)
            else progress.previous_durations(self.results_dir, self.name, self.scale.name))

    def pytest_runtest_logreport(self, report):
        """Collect judged cases; under xdist these reports come from the workers."""
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        for name, value in getattr(report, "user_properties", ()):
            if name == claim_table.PROPERTY:
                first = report.nodeid not in self.cases
                self.cases[report.nodeid] = json.loads(value)
                if first and _wants_progress(self.config) and not _is_xdist_worker(self.config):
                    self._say(self.progress.line(report.nodeid, self.cases[report.nodeid],
                                                 self.durations[report.nodeid], self.total))

    def pytest_collection_finish(self, session):
        self.total = len(session.items)
        self.progress.select(item.nodeid for item in session.items)
        timing = [i for i in session.items if i.get_closest_marker("claim") is not None
                  and i.get_closest_marker("behaviour") is None]
        if timing and _wants_progress(self.config) and not _is_xdist_worker(self.config):
            line = progress.busy_line(self.runtime.usable_cpus, (self.runtime.load_average or (0.0,))[0],
                                      progress.other_busy_processes())
            if line:
                self._say(line)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        """A line every ~10 s while a case runs (minutes at --scale seed)."""
        if not _wants_progress(self.config) or _is_xdist_worker(self.config):
            yield
            return
        with progress.Heartbeat(self._say, item.nodeid):
            yield

    def _say(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            tw = getattr(reporter, "_tw", None)  # after the test's own progress letter, a new line
            if tw is not None and getattr(tw, "width_of_current_line", 0):
                tw.line()
            reporter.write_line(line)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        """Ctrl-C mid-benchmark leaves one without timings, on which pytest-benchmark's own
        session-finish crashes (and skips ours); an interrupted run stores nothing, so drop them."""
        bench_session = getattr(self.config, "_benchmarksession", None)
        if exitstatus == pytest.ExitCode.INTERRUPTED and bench_session is not None:
            del bench_session.benchmarks[:]
        yield

    def fingerprint(self) -> dict:
        d = self.runtime.as_dict()
        d["executable"] = records.portable_path(d["executable"])
        d["unit_s"] = self.scale.unit_s
        d["scale"] = self.scale.name
        # Where the run came from: the filesystem its results went to, the project's commit.
        d["results_filesystem"] = provenance.filesystem_of(self.results_dir)
        d["commit"] = provenance.git_commit(self.config.rootpath)
        return d


def stores(config) -> bool:
    """Whether this session writes its run record: when asked (--store, or the ini's
    claimbench_store or claimbench_report), never under --no-store."""
    if config.getoption("no_store", False):
        return False
    return bool(config.getoption("store", False) or config.getini("claimbench_store")
                or config.getini("claimbench_report"))


def _wants_progress(config) -> bool:
    """A line per judged case (claimbench/plugin/progress.py), unless --no-progress."""
    return not config.getoption("no_progress", False)


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _benchmarks_active(config) -> bool:
    if config.getoption("benchmark_disable", False) or config.getoption("benchmark_skip", False):
        return False
    return config.getoption("dist", "no") == "no" and not _is_xdist_worker(config)
