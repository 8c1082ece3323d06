"""Setting a session up: markers, the claims' registry, the start method, the fork server's preload,
the session guard, and where pytest-benchmark stores and compares this kind of run."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from ..core import guard, loopback, records, roles, runtime as rt, scales
from .. import claims
from . import benchmark_files, benchmark_storage
from .session import _benchmarks_active, active, Session, stores


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "claim(id): the claim of ../shared/CLAIMS.md this experiment tests")
    config.addinivalue_line("markers", "behaviour: a claim about what happens, not how long (runs under xdist)")
    config.addinivalue_line("markers", "claimbench_refused(why): set by the plugin: the test fails in set-up with why")
    for line in roles.MARKERS:
        config.addinivalue_line("markers", line)
    config.addinivalue_line("markers", "ways(*names_or_controls, per={}): the ways of running work to parametrize "
                            "`way` with; a control (roles.control with a ways.PlantedWay) runs the test on its "
                            "plant beside them; per={argname: values} parametrizes those arguments with `way`")
    if not active(config):
        return
    try:
        claims.use(config.getini("claimbench_claims"))
    except (ImportError, ValueError) as exc:
        raise pytest.UsageError(f"claimbench_claims: {exc}") from None
    try:
        if config.getoption("start_method"):
            rt.choose_start_method(config.getoption("start_method"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    # A fork server (one per pytest process) imports the children's code once, not every child:
    # tens of ms each, as an application preloads its own modules. The sandboxes that time a
    # process's start (claimbench/families/c_cost/child/) are interpreters of their own, not this.
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
