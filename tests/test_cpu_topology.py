"""Physical cores from sysfs topology trees (synthetic, in tmp_path), and cpu-count-is-cores' decision."""
from __future__ import annotations

import dataclasses

import pytest

from claimbench.core import runtime, verdicts
from claimbench.core.runtime import cpu_topology, CpuTopology, Runtime
from claimbench.families.a_concepts import child as concepts


def write(root, files: dict):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize("logical, threads, cores, per_core", [
    (2, 1, 2, 1),
    (4, 2, 2, 2),
    (3, 2, 2, 2),  # the last core runs one
    (1, 1, 1, 1),
    (8, 4, 2, 4),
])
def test_planted_trees_count_as_planted(tmp_path, logical, threads, cores, per_core):
    topo = cpu_topology(concepts.plant_cpu_topology(tmp_path / "cpu", logical, threads))
    assert (topo.logical_cpus, topo.physical_cores, topo.threads_per_core) == (logical, cores, per_core)
    assert topo.grouped_by == "core_cpus_list"


def test_older_kernels_group_by_thread_siblings(tmp_path):
    root = write(tmp_path, {"online": "0-3\n", **{f"cpu{c}/topology/thread_siblings_list": s
                                                  for c, s in enumerate(["0,2", "1,3", "0,2", "1,3"])}})
    topo = cpu_topology(root)
    assert (topo.physical_cores, topo.threads_per_core, topo.grouped_by) == (2, 2, "thread_siblings_list")


def test_without_sibling_lists_the_ids_group_cores(tmp_path):
    # Two packages, each with core 0: the same core id on two packages is two cores.
    files = {"online": "0-3\n"}
    for cpu, (package, core) in enumerate([(0, 0), (0, 0), (1, 0), (1, 0)]):
        files[f"cpu{cpu}/topology/physical_package_id"] = f"{package}\n"
        files[f"cpu{cpu}/topology/core_id"] = f"{core}\n"
    topo = cpu_topology(write(tmp_path, files))
    assert (topo.physical_cores, topo.threads_per_core) == (2, 2)
    assert "core_id" in topo.grouped_by


def test_offline_cpus_are_not_counted(tmp_path):
    # CPUs 0-3, two threads a core, with CPU 3 offline: its core still runs CPU 2.
    root = concepts.plant_cpu_topology(tmp_path / "cpu", 4, 2)
    (root / "online").write_text("0-2\n")
    topo = cpu_topology(root)
    assert (topo.logical_cpus, topo.physical_cores, topo.threads_per_core) == (3, 2, 2)


def test_no_topology_is_none(tmp_path):
    assert cpu_topology(tmp_path / "missing") is None
    assert cpu_topology(write(tmp_path, {"online": "0-1\n"})) is None  # no cpuN/topology at all


def test_cores_verdict_reaches_every_verdict():
    one_each = CpuTopology(logical_cpus=4, physical_cores=4, threads_per_core=1, grouped_by="x")
    smt = CpuTopology(logical_cpus=8, physical_cores=4, threads_per_core=2, grouped_by="x")
    assert concepts.cores_verdict(4, one_each, 4)[0] == verdicts.HOLDS
    verdict, what = concepts.cores_verdict(8, smt, 4)
    assert verdict == verdicts.REFUTED and "hardware threads" in what
    assert concepts.cores_verdict(2, one_each)[0] == verdicts.REFUTED  # e.g. PYTHON_CPU_COUNT=2
    assert concepts.cores_verdict(4, one_each, 2)[0] == verdicts.INCONCLUSIVE  # the two readers disagree
    assert concepts.cores_verdict(4, None)[0] == verdicts.INCONCLUSIVE


def test_fingerprint_carries_the_topology_and_old_runs_still_load():
    here = runtime.fingerprint()
    topo = cpu_topology()
    assert here.physical_cores == (topo.physical_cores if topo else None)
    assert here.hardware_threads_per_core == (topo.threads_per_core if topo else None)
    stored = here.as_dict()
    for key in ("physical_cores", "hardware_threads_per_core"):
        del stored[key]  # a run stored before these fields existed
    old = Runtime.from_dict(stored)
    assert old.physical_cores is None and old.hardware_threads_per_core is None
    assert dataclasses.replace(old, hardware_threads_per_core=None) == old
