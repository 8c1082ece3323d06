"""The runtime fingerprint: the facts a verdict depends on, stored with every run."""
from __future__ import annotations

import math
import multiprocessing
import os
import platform
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Runtime:
    python_version: str
    implementation: str
    build: str
    executable: str
    gil_enabled: bool
    free_threaded_build: bool
    default_start_method: str
    start_methods: Tuple[str, ...]
    cpu_count: int
    affinity_cpus: Optional[int]
    process_cpu_count: Optional[int]
    cgroup_cpu_quota: Optional[float]
    usable_cpus: int
    load_average: Tuple[float, ...]
    platform: str
    has_subinterpreters: bool
    # From the kernel's CPU topology (Linux sysfs); None where there is none, and in runs stored before.
    physical_cores: Optional[int] = None
    hardware_threads_per_core: Optional[int] = None  # the most that any one core runs (2+: SMT)
    # The same from another source, /proc/cpuinfo (siblings / cpu cores per package), so that the
    # expectation of cpu-count-is-cores does not read what its verdict reads; None where it lacks them.
    cpuinfo_threads_per_core: Optional[int] = None
    # The platform's own default start method, where a run chose another (--start-method);
    # None where the run used the platform's (and in runs stored before).
    platform_start_method: Optional[str] = None
    # Why this process cannot read its pages' physical frames ("" where it can; None: not asked,
    # as in runs stored before, and off Linux).
    physical_frames: Optional[str] = None
    # The C library (``glibc 2.43``) and the size from which its memcpy stores past the cache
    # (claimbench/core/libc.py); None where it does not say, and in runs stored before.
    libc: Optional[str] = None
    nontemporal_copy_bytes: Optional[int] = None
    # The CPU's model and the kernel (claimbench/core/provenance.py); None where unknown.
    cpu_model: Optional[str] = None
    kernel: Optional[str] = None

    @property
    def version_tuple(self) -> Tuple[int, ...]:
        return tuple(int(p) for p in self.python_version.split(".")[:2])

    @property
    def tag(self) -> str:
        """Short label for a column or a file name: ``3.13t-nogil-fork``."""
        ft = "t" if self.free_threaded_build else ""
        gil = "gil" if self.gil_enabled else "nogil"
        return f"{'.'.join(self.python_version.split('.')[:2])}{ft}-{gil}-{self.default_start_method}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["tag"] = self.tag
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Runtime":
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        known["start_methods"] = tuple(known.get("start_methods", ()))
        known["load_average"] = tuple(known.get("load_average", ()))
        return cls(**known)


SYSFS_CPU = Path("/sys/devices/system/cpu")


def parse_cpu_list(text: str) -> List[int]:
    """``0-3,8,10-11`` (the kernel's CPU list format) → [0, 1, 2, 3, 8, 10, 11]."""
    cpus: List[int] = []
    for part in text.strip().split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            cpus.extend(range(int(lo), int(hi) + 1))
        else:
            cpus.append(int(part))
    return cpus


@dataclass(frozen=True)
class CpuTopology:
    """The online CPUs the kernel lists, grouped into the physical cores that run them."""

    logical_cpus: int
    physical_cores: int
    threads_per_core: int  # the most hardware threads any one core runs: 2 or more is SMT
    grouped_by: str        # the sysfs files that told which CPUs share a core

    def as_dict(self) -> dict:
        return asdict(self)


def _cores_by_siblings(root: Path, online: List[int], name: str) -> Optional[Dict[object, set]]:
    """Each online CPU's core, as the set of its sibling CPUs in ``topology/<name>``."""
    cores: Dict[object, set] = {}
    for cpu in online:
        try:
            siblings = frozenset(parse_cpu_list((root / f"cpu{cpu}" / "topology" / name).read_text()))
        except (OSError, ValueError):
            return None
        cores.setdefault(siblings & frozenset(online) or frozenset([cpu]), set()).add(cpu)
    return cores


def _cores_by_ids(root: Path, online: List[int]) -> Optional[Dict[object, set]]:
    """Each online CPU's core, as its (package, die, core) ids."""
    cores: Dict[object, set] = {}
    for cpu in online:
        topo = root / f"cpu{cpu}" / "topology"
        try:
            package = int((topo / "physical_package_id").read_text())
            core = int((topo / "core_id").read_text())
        except (OSError, ValueError):
            return None
        try:
            die = int((topo / "die_id").read_text())
        except (OSError, ValueError):
            die = 0  # older kernels: one die per package
        cores.setdefault((package, die, core), set()).add(cpu)
    return cores


def cpu_topology(root: Path = SYSFS_CPU) -> Optional[CpuTopology]:
    """Physical cores and hardware threads per core from sysfs; None where the topology is missing.

    CPUs that share a core list each other in ``core_cpus_list`` (``thread_siblings_list`` on
    kernels before 5.7); without either, distinct (package, die, core) ids are the cores.
    """
    try:
        online = parse_cpu_list((root / "online").read_text())
    except (OSError, ValueError):
        return None
    if not online:
        return None
    for name in ("core_cpus_list", "thread_siblings_list"):
        cores = _cores_by_siblings(root, online, name)
        if cores is not None:
            grouped_by = name
            break
    else:
        cores = _cores_by_ids(root, online)
        grouped_by = "physical_package_id, die_id, core_id"
    if not cores:
        return None
    return CpuTopology(logical_cpus=len(online), physical_cores=len(cores),
                       threads_per_core=max(len(cpus) for cpus in cores.values()), grouped_by=grouped_by)


def cpuinfo_threads_per_core(path: Path = Path("/proc/cpuinfo")) -> Optional[int]:
    """Hardware threads per core as /proc/cpuinfo states them: ``siblings`` (threads in a package)
    over ``cpu cores`` (cores in it), the most of any package; None where it does not say (ARM, macOS)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    best = None
    for block in text.split("\n\n"):
        fields = dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in block.splitlines()))
        try:
            siblings, cores = int(fields["siblings"]), int(fields["cpu cores"])
        except (KeyError, ValueError):
            continue
        if cores > 0:
            best = max(best or 0, max(1, siblings // cores))
    return best


def cgroup_cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> Optional[float]:
    """CPUs allowed by the cgroup quota (v2 ``cpu.max`` or v1 cfs files); None if unlimited."""
    try:
        text = (root / "cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
        return None
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 else None
    except (OSError, ValueError, ZeroDivisionError):
        return None


def gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def free_threaded_build() -> bool:
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def usable_cpus(affinity: Optional[int], quota: Optional[float], count: int) -> int:
    """What this process may really run on at once: the tightest of the limits."""
    limits = [count]
    if affinity:
        limits.append(affinity)
    if quota:
        limits.append(max(1, math.floor(quota)))
    return max(1, min(limits))


def has_subinterpreters() -> bool:
    try:
        import concurrent.interpreters  # noqa: F401  (3.14+)
    except ImportError:
        return False
    return True


# Every start method there is (a platform offers some of them: multiprocessing.get_all_start_methods()).
START_METHODS = ("fork", "forkserver", "spawn")
# What an interpreter runs to say what it is (the matrix, a run id's tag): its fingerprint as JSON.
FINGERPRINT_SCRIPT = "import json; from claimbench.core import runtime; print(json.dumps(runtime.fingerprint().as_dict()))"


def physical_frames() -> Optional[str]:
    """"" where this process can read its pages' physical frames (/proc/self/pagemap), else why
    not; None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    from .pagemap import pagemap_frames_readable
    readable, why_not = pagemap_frames_readable()
    return "" if readable else why_not


def platform_start_method() -> str:
    """The start method this platform and Python use when no one has chosen one (fork on Linux
    before 3.14, forkserver from 3.14, spawn on macOS and Windows), whatever was chosen since."""
    default = getattr(multiprocessing.context._default_context, "_default_context", None)
    return default.get_start_method() if default is not None else multiprocessing.get_start_method()


def other_start_methods() -> List[str]:
    """The start methods this platform offers besides its default (`make test` runs the timing
    claims under each)."""
    default = platform_start_method()
    return [m for m in START_METHODS
            if m != default and m in multiprocessing.get_all_start_methods()]


def chosen_over(platform_method: str) -> Optional[str]:
    """``platform_method`` where this process set another start method, else None."""
    chosen = multiprocessing.get_start_method(allow_none=True)
    return platform_method if chosen and chosen != platform_method else None


def choose_start_method(method: str) -> None:
    """Make ``method`` this process's default start method: every experiment that uses the default
    context (pools, executors, Process) then starts its processes so. Raises ValueError for a method
    this platform does not offer."""
    offered = multiprocessing.get_all_start_methods()
    if method not in offered:
        raise ValueError(f"start method {method!r} is not offered here: choose one of {', '.join(offered)}")
    multiprocessing.set_start_method(method, force=True)


def fingerprint() -> Runtime:
    count = os.cpu_count() or 1
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    pcc = getattr(os, "process_cpu_count", None)
    quota = cgroup_cpu_quota()
    topology = cpu_topology()
    from . import provenance
    from .libc import copy_facts
    libc, nontemporal = copy_facts()
    try:
        load = tuple(round(x, 2) for x in os.getloadavg())
    except OSError:
        load = ()
    return Runtime(
        python_version=platform.python_version(),
        implementation=platform.python_implementation(),
        build=" ".join(sys.version.split()),
        executable=sys.executable,
        gil_enabled=gil_enabled(),
        free_threaded_build=free_threaded_build(),
        default_start_method=multiprocessing.get_start_method(allow_none=True)
        or multiprocessing.get_context().get_start_method(),
        platform_start_method=chosen_over(platform_start_method()),
        physical_frames=physical_frames(),
        start_methods=tuple(multiprocessing.get_all_start_methods()),
        cpu_count=count,
        affinity_cpus=affinity,
        process_cpu_count=pcc() if pcc else None,
        cgroup_cpu_quota=quota,
        usable_cpus=usable_cpus(affinity, quota, count),
        load_average=load,
        platform=platform.platform(),
        has_subinterpreters=has_subinterpreters(),
        physical_cores=topology.physical_cores if topology else None,
        hardware_threads_per_core=topology.threads_per_core if topology else None,
        cpuinfo_threads_per_core=cpuinfo_threads_per_core(),
        libc=libc,
        nontemporal_copy_bytes=nontemporal,
        cpu_model=provenance.cpu_model(),
        kernel=provenance.kernel(),
    )
