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
from typing import Optional, Tuple


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

    @property
    def version_tuple(self) -> Tuple[int, ...]:
        return tuple(int(p) for p in self.python_version.split(".")[:2])

    @property
    def tag(self) -> str:
        """Short label for a column or a file name: ``3.13t-nogil-fork``."""
        ft = "t" if self.free_threaded_build else ""
        gil = "gil" if self.gil_enabled else "nogil"
        return "{}{}-{}-{}".format(".".join(self.python_version.split(".")[:2]), ft, gil,
                                   self.default_start_method)

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


def fingerprint() -> Runtime:
    count = os.cpu_count() or 1
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    pcc = getattr(os, "process_cpu_count", None)
    quota = cgroup_cpu_quota()
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
        start_methods=tuple(multiprocessing.get_all_start_methods()),
        cpu_count=count,
        affinity_cpus=affinity,
        process_cpu_count=pcc() if pcc else None,
        cgroup_cpu_quota=quota,
        usable_cpus=usable_cpus(affinity, quota, count),
        load_average=load,
        platform=platform.platform(),
        has_subinterpreters=has_subinterpreters(),
    )
