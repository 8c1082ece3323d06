"""The claimbench pytest plugin: options, ini keys, markers, fixtures, the verdict table, storing.

Loaded by the ``pytest11`` entry point once claimbench is installed (and by this repository's
root conftest.py where it is not). It stays inert unless the project's ini file names its claims:

    [pytest]
    claimbench_claims = claimbench.claims          # this repository's: the notes' claims
    # or: claimbench_claims = my_tutorial_claims   # a module with a CLAIMS tuple of Claim(...)

No statistics and no workloads here: those live in the rest of the package.
"""
from __future__ import annotations

import json
import multiprocessing
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..core import book, children, guard, loopback, provenance, records, roles, runtime as rt, scales, stats, verdicts
from .. import claims
from ..report import control_table
from . import benchmark_files, benchmark_storage, judging, progress, unjudged

BUILTIN = "claimbench.claims"


def active(config) -> bool:
    """Whether this project asked for claimbench (its ini file names the modules of its claims)."""
    return bool(config.getini("claimbench_claims"))


# ---------------------------------------------------------------- options
def pytest_addoption(parser):
    group = parser.getgroup("claimbench")
    group.addoption("--claimbench-scale", dest="scale", default=scales.DEFAULT_SCALE,
                    help="time unit T and round budget: {} (default: %(default)s)".format(
                        ", ".join(scales.SCALES)))
    group.addoption("--claimbench-results-dir", dest="results_dir", default="results",
                    help="where runs are stored (default: %(default)s)")
    group.addoption("--claimbench-run-id", dest="run_id", default="",
                    help="group several sessions into one run (default: a new id)")
    group.addoption("--claimbench-session-name", dest="session_name", default="",
                    help="name of this session's record inside the run (default: pytest)")
    group.addoption("--claimbench-strict", dest="strict_verdicts", action="store_true", default=False,
                    help="an inconclusive verdict fails the test instead of skipping it")
    group.addoption("--claimbench-store", dest="store", action="store_true", default=False,
                    help="write a run record and the raw timings into the results folder, as `claimbench "
                         "verify` does (plain pytest stores only when asked, like --benchmark-autosave)")
    group.addoption("--claimbench-no-store", dest="no_store", action="store_true", default=False,
                    help="write no run record, even where the ini asks for one (verdicts are still printed)")
    parser.addini("claimbench_store", type="bool", default=False,
                  help="every session stores its run record (as --store); claimbench_report implies it")
    parser.addini("claimbench_claims", type="linelist", default=[],
                  help="modules whose CLAIMS tuples are this project's claims (claimbench.claims: the "
                       "notes' own); claimbench stays off where none is named")
    parser.addini("claimbench_experiments", type="linelist", default=["experiments"],
                  help="folders (from the rootdir) whose every test must name a claim with @pytest.mark.claim")
    parser.addini("claimbench_report", type="bool", default=False,
                  help="write the report (report.md, report.html, verdicts.csv) into the results folder "
                       "at the end of each session")
    group.addoption("--claimbench-no-progress", dest="no_progress", action="store_true", default=False,
                    help="no line per judged case (its verdict, rounds, seconds and the time left)")
    group.addoption("--claimbench-start-method", dest="start_method", default="",
                    help="the start method of every experiment that uses the default one (pools, "
                         "executors): fork, forkserver or spawn (default: the platform's)")


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
            if name == book.PROPERTY:
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


XDIST_TIMING = ("a timing claim does not run under pytest-xdist (-n): side by side the tests would time each "
                "other; run the timing claims without -n, and -n only with -m behaviour")


def pytest_runtest_setup(item):
    refused = item.get_closest_marker("claimbench_refused")
    if refused is not None:
        pytest.fail(refused.args[0], pytrace=False)


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _benchmarks_active(config) -> bool:
    if config.getoption("benchmark_disable", False) or config.getoption("benchmark_skip", False):
        return False
    return config.getoption("dist", "no") == "no" and not _is_xdist_worker(config)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "claim(id): the claim of ../shared/CLAIMS.md this experiment tests")
    config.addinivalue_line("markers", "behaviour: a claim about what happens, not how long (runs under xdist)")
    config.addinivalue_line("markers", "claimbench_refused(why): set by the plugin: the test fails in set-up with why")
    for line in roles.MARKERS:
        config.addinivalue_line("markers", line)
    config.addinivalue_line("markers", "ways(*names): the ways of running work to parametrize `way` with")
    if not active(config):
        return
    try:
        claims.use(config.getini("claimbench_claims"))
    except (ImportError, ValueError) as exc:
        raise pytest.UsageError("claimbench_claims: {}".format(exc)) from None
    try:
        if config.getoption("start_method"):
            rt.choose_start_method(config.getoption("start_method"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    # A fork server (one per pytest process) imports the children's code once, not every child:
    # tens of ms each, as an application preloads its own modules. The sandboxes that time a
    # process's start (claimbench/families/c_cost/child.py) are interpreters of their own, not this.
    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.set_forkserver_preload(["claimbench.core.workloads"] + claims.family_module_names("child"))
    try:
        config._claimbench = Session(config)
        config.pluginmanager.register(config._claimbench, "claimbench-session")
    except scales.UnknownScale as exc:
        raise pytest.UsageError(str(exc)) from None
    # Session-level: children that escaped the per-test reaper fail the run (claimbench/core/guard.py).
    config.pluginmanager.register(guard.SessionGuard(config), "claimbench-guard")
    loopback.install()  # a server binding anything but 127.0.0.1:0 raises (claimbench/core/loopback.py)
    # Raw timings go to a private file first and are renamed into the
    # pytest-benchmark storage at the end, so a killed run never leaves half a file.
    if _benchmarks_active(config):
        _storage_of_its_kind(config, config._claimbench)
    if _benchmarks_active(config) and not config.getoption("benchmark_json", None) and stores(config):
        import pytest_benchmark
        cb = config._claimbench
        cb.bench = benchmark_files.BenchmarkFile(cb.results_dir, cb.run_id, cb.storage_folder)
        config.option.benchmark_json = cb.bench.target(pytest_benchmark.__version__)


def _storage_of_its_kind(config, cb) -> None:
    """pytest-benchmark's storage is this kind of run's folder (benchmark_storage.py), where it is the
    results folder's usual one; stored files of older formats there are migrated first."""
    cb.storage_folder = benchmark_storage.folder(cb.scale.name, benchmark_storage.is_controls(config.option.markexpr))
    given = str(config.getoption("benchmark_storage", "") or "")
    path = Path(given[len("file://"):] if given.startswith("file://") else given)
    usual = records.benchmarks_dir(cb.results_dir)
    if not given or (Path(str(config.rootpath)) / path).resolve() == usual.resolve() or path.resolve() == usual.resolve():
        config.option.benchmark_storage = str(cb.results_dir / cb.storage_folder)
    if config.getoption("benchmark_compare", None) or stores(config):
        benchmark_storage.migrate(cb.results_dir)


# ---------------------------------------------------------------- collection
def pytest_collection_modifyitems(session, config, items):
    """Every experiment names a registered claim (an unknown id is a collection error), and
    ``-k <claim id>`` selects a claim's tests."""
    if not active(config):
        return
    problems = []
    folders = [Path(str(config.rootpath)) / f for f in config.getini("claimbench_experiments")]
    experiments = [item for item in items
                   if item.get_closest_marker("claim") is not None
                   or any(f in Path(str(item.fspath)).parents for f in folders)]
    for item in experiments:
        marker = item.get_closest_marker("claim")
        if marker is None or not marker.args:
            problems.append("{}: no @pytest.mark.claim(id)".format(item.nodeid))
            continue
        try:
            claims.get(marker.args[0])
        except claims.UnknownClaim as exc:
            problems.append("{}: {}".format(item.nodeid, exc.args[0]))
            continue
        item.extra_keyword_matches.add(marker.args[0])
        if item.get_closest_marker("benchmark") is None:
            # pytest-benchmark groups an experiment's entries (one per variant) under its claim.
            item.add_marker(pytest.mark.benchmark(group=marker.args[0]))
    if problems:
        raise pytest.UsageError("experiments that name no known claim:\n  " + "\n  ".join(problems))
    if _is_xdist_worker(config):  # each timing claim is refused (fails in set-up) with one line
        for item in experiments:
            if item.get_closest_marker("behaviour") is None:
                item.add_marker(pytest.mark.claimbench_refused(XDIST_TIMING))
    cb = getattr(config, "_claimbench", None)
    if cb is not None and cb.scale.timeout_factor != 1:
        _stretch_time_limits(config, experiments, cb.scale.timeout_factor)
    if cb is not None and cb.bench is not None \
            and not any("benchmark" in getattr(i, "fixturenames", ()) for i in items):
        _drop_benchmark_file(config, cb)


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_json(config, benchmarks, output_json):
    """claimbench's facts of the run (scale, T, runtime tag, run id, kind) beside pytest-benchmark's,
    not in machine_info: two runs of one machine have the same machine_info, and compare without a warning."""
    cb = getattr(config, "_claimbench", None)
    if cb is not None:
        output_json["claimbench"] = benchmark_storage.facts(cb.scale.name, cb.scale.unit_s, cb.runtime.tag, cb.run_id,
                                                            benchmark_storage.is_controls(config.option.markexpr))


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_compare_machine_info(config, benchmarksession, machine_info, compared_benchmark):
    """Comparing runs of different scales compares different T: say so before any figure is read."""
    cb = getattr(config, "_claimbench", None)
    ours = {"scale": cb.scale.name, "unit_s": cb.scale.unit_s} if cb is not None else {}
    theirs = benchmark_storage.facts_of(compared_benchmark)
    if ours and ours.get("scale") != theirs.get("scale"):
        benchmarksession.logger.warning(
            "claimbench: comparing scale {} (T = {} s) with a run of {}: every timing here scales with T, so "
            "the differences are the scales', not regressions".format(
                ours.get("scale"), ours.get("unit_s"),
                "scale {} (T = {} s)".format(theirs.get("scale"), theirs.get("unit_s")) if theirs
                else "unknown scale (stored without claimbench's facts)"))


def _stretch_time_limits(config, experiments, factor: float) -> None:
    """An experiment's time limit (its own or pytest.ini's) is set for a small T; at T = 2 s it is `factor` times it."""
    try:
        default = float(config.getini("timeout") or 0)
    except ValueError:
        default = 0.0
    for item in experiments:
        marker = item.get_closest_marker("timeout")
        base = float(marker.args[0]) if marker is not None and marker.args else default
        if base > 0:
            item.add_marker(pytest.mark.timeout(base * factor), append=False)  # before its own: closest


def _drop_benchmark_file(config, cb) -> None:
    """Nothing here is timed (unit tests, behaviour claims): write no benchmark file at all."""
    bs = getattr(config, "_benchmarksession", None)
    target = getattr(bs, "json", None)
    if bs is not None:
        bs.json = None
    if hasattr(target, "close"):  # older pytest-benchmark opened the file already
        target.close()
    cb.bench.discard()
    cb.bench = None


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def cb_session(pytestconfig) -> Session:
    cb = getattr(pytestconfig, "_claimbench", None)
    if cb is None:
        pytest.fail("claimbench is off in this project: name its claims' module in the ini file "
                    "(claimbench_claims = ...)", pytrace=False)
    return cb


@pytest.fixture(scope="session")
def scale(cb_session) -> scales.Scale:
    return cb_session.scale


@pytest.fixture(scope="session")
def unit_s(scale) -> float:
    """T, the time unit of this scale (2 s in the notes)."""
    return scale.unit_s


@pytest.fixture(scope="session")
def runtime(cb_session) -> rt.Runtime:
    return cb_session.runtime


def _case_id(item) -> str:
    callspec = getattr(item, "callspec", None)
    return callspec.id if callspec else ""


def _store_case(item, case: dict) -> None:
    item.user_properties.append((book.PROPERTY, json.dumps(case, allow_nan=True)))


class Judge:
    """The ``judge`` fixture: a case's ``judging.Judgement`` (from the test's claim marker, its
    parameters and its role), turned into pytest's outcome and stored with the test's report."""

    def __init__(self, item, session: Session):
        self.item = item
        self.claim = claims.get(item.get_closest_marker("claim").args[0])
        self.case = _case_id(item)
        self.session = session
        self.role = roles.of(item)
        self.judgement = judging.Judgement(self.claim, self.case, self.role, session.runtime, session.strict,
                                           item.nodeid)
        self.expectation = self.judgement.expectation

    def skip_untestable(self) -> None:
        untestable = self.judgement.untestable()
        if untestable is not None:
            _store_case(self.item, untestable.case)
            pytest.skip(untestable.summary)

    def measured(self, *args, **kwargs) -> None:
        """``verdicts.measured`` for this test's claim and case (from its marker and parameters)."""
        self(verdicts.measured(self.claim.id, self.case, *args, **kwargs))

    def observed(self, *args, **kwargs) -> None:
        """``verdicts.observed`` for this test's claim and case (from its marker and parameters)."""
        self(verdicts.observed(self.claim.id, self.case, *args, **kwargs))

    def decided(self, decision, *, effect_name: str, evidence: str, data=None, verdict=None) -> None:
        """``verdicts.decided``: a ``decide(...)`` result, its threshold said once where it was decided."""
        self(verdicts.decided(self.claim.id, self.case, decision, effect_name, evidence, data=data, verdict=verdict))

    def __call__(self, verdict: verdicts.Verdict) -> None:
        judged = self.judgement.judge(verdict)
        _store_case(self.item, judged.case)
        if judged.outcome == verdicts.XFAILED:
            pytest.xfail(judged.summary)
        elif judged.outcome == verdicts.SKIPPED:
            pytest.skip("inconclusive: " + judged.summary)
        elif judged.outcome == verdicts.FAILED:
            pytest.fail(judged.summary, pytrace=False)


@pytest.fixture
def judge(request, cb_session):
    """``judge(verdict)``: pass, xfail, skip or fail by the claim's expectation here."""
    j = Judge(request.node, cb_session)
    j.skip_untestable()
    return j


@pytest.fixture(autouse=True)
def no_stray_children(pytestconfig):
    """Every test reaps its children; one still alive after the test is killed and is an error."""
    yield
    if getattr(pytestconfig, "_claimbench", None) is None:
        return
    killed = children.reap_strays(grace_s=2.0)
    if killed:
        pytest.fail("child processes outlived the test and were killed: " + "; ".join(killed), pytrace=False)


@pytest.fixture(autouse=True)
def confidence_per_test():
    """until_settled leaves its per-look level set for the test's report (claimbench/core/stopping.py); no next test inherits it."""
    token = stats.set_confidence(stats.CONFIDENCE)
    yield
    stats.reset_confidence(token)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A claim's test that errors or times out before judging still gets its row (claimbench/plugin/unjudged.py)."""
    report = (yield).get_result()
    cb = getattr(item.config, "_claimbench", None)
    if cb is not None and unjudged.never_judged(item, report):
        report.outcome, report.longrepr = "failed", "{}: {}".format(unjudged.claim_of(item), unjudged.NEVER_JUDGED)
    case = unjudged.case_for(item, report, cb.runtime) if cb is not None else None
    if case is not None:
        _store_case(item, case)
        report.user_properties.append(item.user_properties[-1])


# ---------------------------------------------------------------- reporting
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
        cb.report = "not written: {} (pip install 'claimbench[report]')".format(exc)
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
        name == book.PROPERTY for name, _ in getattr(report, "user_properties", ()))
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
            terminalreporter.write_line("INCONCLUSIVE {} - {}".format(report.nodeid, _inconclusive(report)))
    cases = list(cb.cases.values())
    rows = book.claim_rows(cases, claims.REGISTRY)
    planted = book.cases_of_role(cases, verdicts.CONTROL)
    if rows:
        terminalreporter.section("claimbench verdicts — {} (T = {} s, {})".format(
            cb.runtime.tag, cb.scale.unit_s, cb.scale.name))
        terminalreporter.write_line(book.text_table(rows))
    if planted:
        terminalreporter.section("claimbench controls — {} (T = {} s, {})".format(
            cb.runtime.tag, cb.scale.unit_s, cb.scale.name))
        for r in control_table.rows(planted, {}):
            terminalreporter.write_line("{} [{}]: {} (planted {}){}".format(
                r.claim, r.case, r.verdict, r.expected,
                "" if r.as_planted else "  (untestable here)" if not r.ran else "  <- not as planted"))
    terminalreporter.write_line("session wall time: {:.1f} s".format(time.perf_counter() - cb.t0))
    if getattr(cb, "report", None):
        terminalreporter.write_line("report: {}".format(cb.report))
