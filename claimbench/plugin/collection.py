"""Collection: every experiment names a known claim, -k finds it by its id, its benchmark entries are
grouped by claim, time limits stretch with T, and timing claims are refused under pytest-xdist."""
from __future__ import annotations

from pathlib import Path

import pytest

from .. import claims
from .session import _is_xdist_worker, active


XDIST_TIMING = ("a timing claim does not run under pytest-xdist (-n): side by side the tests would time each "
                "other; run the timing claims without -n, and -n only with -m behaviour")


def pytest_runtest_setup(item):
    refused = item.get_closest_marker("claimbench_refused")
    if refused is not None:
        pytest.fail(refused.args[0], pytrace=False)


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
            problems.append(f"{item.nodeid}: no @pytest.mark.claim(id)")
            continue
        try:
            claims.get(marker.args[0])
        except claims.UnknownClaim as exc:
            problems.append(f"{item.nodeid}: {exc.args[0]}")
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
