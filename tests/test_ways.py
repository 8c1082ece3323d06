"""claimbench.core.ways: how jobs are split, and which ways a runtime lacks (nothing is started)."""
from __future__ import annotations

import multiprocessing
import os
import sys

import pytest

from claimbench.core import ways
from claimbench.core.ways import Way


def test_chunks_deal_jobs_round_robin():
    assert ways.chunks([1, 2, 3, 4, 5], 2) == [[1, 3, 5], [2, 4]]
    assert ways.chunks([1, 2, 3, 4, 5], 1) == [[1, 2, 3, 4, 5]]
    assert ways.chunks(list(range(6)), 3) == [[0, 3], [1, 4], [2, 5]]


def test_chunks_never_hand_out_empty_work():
    assert ways.chunks([1, 2], 4) == [[1], [2]]
    assert ways.chunks([], 3) == []


def test_chunks_keep_every_job_once():
    jobs = list(range(17))
    for workers in range(1, 20):
        parts = ways.chunks(jobs, workers)
        assert sorted(j for part in parts for j in part) == jobs
        assert len(parts) == min(workers, len(jobs))


def test_way_names_match_their_keys():
    for name, way in ways.WAYS.items():
        assert way.name == name
    for name in ways.START_METHOD_WAYS:
        assert ways.WAYS[name].start_method == name.split("-", 1)[1]


def test_bogus_start_method_is_unavailable():
    way = Way("processes-bogus", ways.run_sequential, "bogus")
    reason = way.unavailable()
    assert reason and "'bogus'" in reason


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_offered_start_methods_are_available(method):
    assert Way("processes-" + method, ways.run_sequential, method).unavailable() is None


def test_ways_without_requirements_are_always_available():
    for name in ("sequential", "threads", "processes", "asyncio"):
        assert ways.WAYS[name].unavailable() is None


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="sub-interpreters exist from 3.14")
def test_subinterpreters_before_314():
    reason = ways.WAYS["subinterpreters"].unavailable()
    assert reason and "3.14" in reason


@pytest.mark.skipif(sys.version_info < (3, 14), reason="sub-interpreters exist from 3.14")
def test_subinterpreters_from_314():
    assert ways.WAYS["subinterpreters"].unavailable() is None


def test_missing_and_available(monkeypatch):
    monkeypatch.setitem(ways.WAYS, "processes-bogus", Way("processes-bogus", ways.run_sequential, "bogus"))
    names = ("threads", "processes-bogus", "subinterpreters", "sequential")
    missing = ways.missing(names)
    available = ways.available(names)
    assert "processes-bogus" in missing and "'bogus'" in missing["processes-bogus"]
    assert "threads" not in missing and "sequential" not in missing
    assert [w.name for w in available] == [n for n in names if n not in missing]
    if sys.version_info < (3, 14):
        assert set(missing) == {"processes-bogus", "subinterpreters"}
    assert all(isinstance(r, str) and r for r in missing.values())


def test_unknown_way_name_is_a_key_error():
    with pytest.raises(KeyError):
        ways.missing(["no-such-way"])


@pytest.mark.parametrize("method", [m for m in ("fork", "forkserver", "spawn")
                                    if m in multiprocessing.get_all_start_methods()])
def test_sleepers_told_at_once_sleep_side_by_side(method):
    t = 0.1
    startup, span = ways.sleepers_told_to_start(2, t, method)
    assert startup > 0
    assert t <= span < 1.5 * t  # both slept at once, start-up left out


def test_sleepers_one_after_another_take_turns():
    t = 0.05
    _, span = ways.sleepers_told_to_start(2, t, None, one_after_another=True)
    assert span >= 2 * t


def _dies(ready, go, done, seconds, leave=None):
    os._exit(3)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the patched target travels by fork")
def test_a_sleeper_that_dies_ends_the_wait_at_once(monkeypatch):
    import time
    monkeypatch.setattr(ways.workloads, "sleep_when_told", _dies)
    t0 = time.monotonic()
    with pytest.raises(ways.WorkerFailed) as err:
        ways.sleepers_told_to_start(2, 0.01, "fork")
    assert "exit codes" in str(err.value) and time.monotonic() - t0 < 5
