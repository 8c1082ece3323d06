"""claimbench.core.runtime: cgroup quotas on fake folders, usable CPUs, the fingerprint."""
from __future__ import annotations

import dataclasses
import json
import multiprocessing
import re
from pathlib import Path

import pytest

from claimbench.core import runtime as rt
from claimbench.core.runtime import Runtime

runtime = rt
ROOT = Path(__file__).resolve().parent.parent


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# ---------------------------------------------------------------- cgroup quota
def test_cgroup_v2_unlimited(tmp_path):
    write(tmp_path, "cpu.max", "max 100000\n")
    assert rt.cgroup_cpu_quota(tmp_path) is None


def test_cgroup_v2_one_and_a_half_cpus(tmp_path):
    write(tmp_path, "cpu.max", "150000 100000\n")
    assert rt.cgroup_cpu_quota(tmp_path) == 1.5


def test_cgroup_v1_quota(tmp_path):
    write(tmp_path, "cpu/cpu.cfs_quota_us", "200000\n")
    write(tmp_path, "cpu/cpu.cfs_period_us", "100000\n")
    assert rt.cgroup_cpu_quota(tmp_path) == 2.0


def test_cgroup_v1_unlimited(tmp_path):
    write(tmp_path, "cpu/cpu.cfs_quota_us", "-1\n")
    write(tmp_path, "cpu/cpu.cfs_period_us", "100000\n")
    assert rt.cgroup_cpu_quota(tmp_path) is None


def test_cgroup_v1_zero_period_is_not_a_crash(tmp_path):
    write(tmp_path, "cpu/cpu.cfs_quota_us", "50000\n")
    write(tmp_path, "cpu/cpu.cfs_period_us", "0\n")
    assert rt.cgroup_cpu_quota(tmp_path) is None


def test_cgroup_missing(tmp_path):
    assert rt.cgroup_cpu_quota(tmp_path) is None
    assert rt.cgroup_cpu_quota(tmp_path / "no" / "such" / "folder") is None


@pytest.mark.parametrize("text", ["garbage\n", "150000\n"])
def test_cgroup_v2_unreadable_falls_back_to_v1(tmp_path, text):
    write(tmp_path, "cpu.max", text)
    assert rt.cgroup_cpu_quota(tmp_path) is None
    write(tmp_path, "cpu/cpu.cfs_quota_us", "300000\n")
    write(tmp_path, "cpu/cpu.cfs_period_us", "100000\n")
    assert rt.cgroup_cpu_quota(tmp_path) == 3.0


# ---------------------------------------------------------------- usable CPUs
@pytest.mark.parametrize("affinity, quota, count, usable", [
    (None, None, 8, 8),
    (4, None, 8, 4),
    (None, 1.5, 8, 1),       # a fractional quota does not buy a second core
    (None, 2.0, 8, 2),
    (None, 0.5, 8, 1),       # never fewer than one
    (2, 3.7, 8, 2),
    (16, 12.0, 8, 8),        # the machine itself is the tightest limit
    (None, None, 0, 1),
])
def test_usable_cpus_is_the_tightest_limit(affinity, quota, count, usable):
    assert rt.usable_cpus(affinity, quota, count) == usable


# ---------------------------------------------------------------- fingerprint
def test_fingerprint_has_every_field():
    fp = rt.fingerprint()
    d = fp.as_dict()
    for f in dataclasses.fields(Runtime):
        assert f.name in d
    assert d["tag"] == fp.tag
    assert isinstance(fp.gil_enabled, bool) and isinstance(fp.free_threaded_build, bool)
    assert fp.default_start_method in fp.start_methods
    assert 1 <= fp.usable_cpus <= fp.cpu_count
    assert fp.python_version.count(".") >= 2
    assert fp.version_tuple == tuple(int(p) for p in fp.python_version.split(".")[:2])


def test_fingerprint_round_trip():
    fp = rt.fingerprint()
    assert Runtime.from_dict(fp.as_dict()) == fp
    # Through a run file: tuples come back as lists, and must be tuples again.
    assert Runtime.from_dict(json.loads(json.dumps(fp.as_dict()))) == fp


def synthetic(**changes) -> Runtime:
    base = dict(python_version="3.13.1", implementation="CPython", build="3.13.1 experimental",
                executable="/usr/bin/python3.13t", gil_enabled=False, free_threaded_build=True,
                default_start_method="forkserver", start_methods=("fork", "spawn", "forkserver"),
                cpu_count=8, affinity_cpus=4, process_cpu_count=4, cgroup_cpu_quota=None,
                usable_cpus=4, load_average=(0.5, 0.4, 0.3), platform="Linux", has_subinterpreters=False)
    base.update(changes)
    return Runtime(**base)


@pytest.mark.parametrize("changes, tag", [
    ({}, "3.13t-nogil-forkserver"),
    (dict(gil_enabled=True), "3.13t-gil-forkserver"),
    (dict(python_version="3.8.20", free_threaded_build=False, gil_enabled=True,
          default_start_method="fork"), "3.8-gil-fork"),
    (dict(python_version="3.14.0rc1", free_threaded_build=False, gil_enabled=True,
          default_start_method="spawn"), "3.14-gil-spawn"),
])
def test_tag_format(changes, tag):
    assert synthetic(**changes).tag == tag


def test_tag_of_this_interpreter():
    assert re.fullmatch(r"\d+\.\d+t?-(gil|nogil)-(fork|spawn|forkserver)", rt.fingerprint().tag)


def test_from_dict_ignores_unknown_keys():
    rt_ = synthetic()
    d = dict(rt_.as_dict(), unit_s=0.025, scale="default")
    assert Runtime.from_dict(d) == rt_
    assert synthetic().version_tuple == (3, 13)


def test_the_platform_start_method_is_one_on_offer():
    assert runtime.platform_start_method() in multiprocessing.get_all_start_methods()
    assert runtime.platform_start_method() not in runtime.other_start_methods()
    assert set(runtime.other_start_methods()) <= set(multiprocessing.get_all_start_methods())


def test_a_chosen_start_method_is_noted_beside_the_platforms(monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "spawn")
    assert runtime.chosen_over("fork") == "fork"  # the run chose spawn over the platform's fork
    assert runtime.chosen_over("spawn") is None
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: None)
    assert runtime.chosen_over("fork") is None


def test_choosing_a_start_method_that_is_not_offered_names_the_ones_that_are():
    with pytest.raises(ValueError) as err:
        runtime.choose_start_method("vfork")
    assert "vfork" in str(err.value) and multiprocessing.get_all_start_methods()[0] in str(err.value)


def test_a_run_under_a_chosen_start_method_says_so_in_its_tag():
    import subprocess
    import sys
    other = runtime.other_start_methods()
    if not other:
        pytest.skip("this platform offers one start method")
    code = (f"from claimbench.core import runtime; runtime.choose_start_method({other[0]!r}); "
            "f = runtime.fingerprint(); print(f.tag, f.platform_start_method)")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, universal_newlines=True,
                         cwd=str(ROOT), check=True).stdout.split()
    assert out[0].endswith("-" + other[0]) and out[1] == runtime.platform_start_method()
