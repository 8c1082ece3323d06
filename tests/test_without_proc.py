"""A platform without /proc, pagemap or a child subreaper (macOS), faked: what needs them is
untestable with its reason, or falls back, and nothing raises."""
from __future__ import annotations

import builtins
import io
import os

import pytest

from claimbench import claims
from claimbench.core import guard, libc, pagemap, provenance, runtime as rt, verdicts, ways
from claimbench.core.runtime import Runtime

MACOS = Runtime(
    python_version="3.13.1", implementation="CPython", build="synthetic", executable="/usr/bin/python3",
    gil_enabled=True, free_threaded_build=False, default_start_method="spawn",
    start_methods=("spawn", "fork", "forkserver"), cpu_count=8, affinity_cpus=None, process_cpu_count=8,
    cgroup_cpu_quota=None, usable_cpus=8, load_average=(1.0, 1.0, 1.0), platform="macOS-14.5-arm64-arm-64bit",
    has_subinterpreters=False, physical_cores=None, hardware_threads_per_core=None, physical_frames=None)


@pytest.fixture
def no_proc(monkeypatch):
    """``sys.platform`` says darwin, and nothing under /proc or /sys opens."""
    monkeypatch.setattr(rt.sys, "platform", "darwin")
    real_open, real_exists, real_listdir = builtins.open, os.path.exists, os.listdir

    def refuse(path):
        return str(path).startswith(("/proc", "/sys"))

    def fake_open(path, *a, **k):
        if refuse(path):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)  # pathlib opens through io.open
    monkeypatch.setattr(os.path, "exists", lambda p: False if refuse(p) else real_exists(p))
    monkeypatch.setattr(os, "listdir", lambda p=".": (_ for _ in ()).throw(FileNotFoundError(str(p)))
                        if refuse(p) else real_listdir(p))
    pagemap.pagemap_frames_readable.cache_clear()
    libc.nontemporal_threshold.cache_clear()  # both are read once per process
    yield
    pagemap.pagemap_frames_readable.cache_clear()
    libc.nontemporal_threshold.cache_clear()


def test_shared_memory_frames_are_untestable_with_the_reason():
    e = claims.get("shared-memory-one-physical-copy").expectation(MACOS, None)
    assert not e.testable and "Linux-only" in e.reason
    assert claims.get("shared-memory-one-physical-copy").expectation(MACOS, "writes-visible").testable


@pytest.mark.parametrize("claim_id", sorted(claims.REGISTRY))
def test_every_expectation_answers_on_macos(claim_id):
    for case in (None, "k2", "processes-spawn", "above-crossover"):
        e = claims.REGISTRY[claim_id].expectation(MACOS, case)
        assert e.verdict in verdicts.VERDICTS and (e.testable or e.reason)


def test_no_subreaper_is_false_not_an_error(no_proc):
    assert guard.become_subreaper() is False


def test_no_pagemap_says_why(no_proc):
    assert pagemap.pagemap_frames_readable() == (False, "no /proc/self/pagemap on this platform")
    assert rt.physical_frames() is None  # off Linux: not asked


def test_the_fingerprint_without_proc(no_proc):
    fp = rt.fingerprint()
    assert fp.physical_frames is None and fp.nontemporal_copy_bytes is None
    assert libc.nontemporal_threshold() is None
    assert provenance.filesystem_of("/tmp") is None


def test_cpu_seconds_fall_back_to_psutil(no_proc, monkeypatch):
    import psutil

    class Times:
        user, system = 1.5, 0.25

    with monkeypatch.context() as m:  # undone before the guard's own psutil looks at this test's children
        m.setattr(psutil, "Process", lambda pid: type("P", (), {"cpu_times": lambda self: Times()})())
        assert ways.process_cpu_s(os.getpid()) == 1.75
