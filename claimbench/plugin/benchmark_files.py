"""pytest-benchmark's raw timings of one session, kept whole: pytest-benchmark writes them to a
private file first (``results/.tmp/``), and at the end that file is renamed into its storage as
``benchmarks[-kind]/<machine-id>/NNNN_<run-id>.json`` (benchmark_storage.py), or dropped (nothing timed, an interrupted run),
so a killed run never leaves half a file where ``--benchmark-compare`` looks. No pytest here.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Tuple


def version_tuple(version: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


class BenchmarkFile:
    def __init__(self, results_dir, run_id: str, folder: str = "benchmarks", pid: Optional[int] = None):
        self.results_dir = Path(results_dir)
        self.run_id = run_id
        self.folder = folder  # this kind of run's storage folder (benchmark_storage.folder)
        self.tmp = self.results_dir / ".tmp" / f"benchmark-{pid or os.getpid()}.json"

    def target(self, pytest_benchmark_version: str):
        """What to give pytest-benchmark as ``--benchmark-json``: before 5.3 (the 3.8 and 3.9 pins
        of the matrix) an open file, later a path."""
        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        if version_tuple(pytest_benchmark_version) < (5, 3):
            return open(str(self.tmp), "wb")
        return self.tmp

    def discard(self) -> None:
        if self.tmp.exists():
            self.tmp.unlink()

    def store(self, machine_id: str, interrupted: bool = False) -> Optional[Path]:
        """Rename the timings into pytest-benchmark's storage, numbered after the files there; None
        (and no file) for an interrupted run, or an empty file (< 5.3 leaves one when nothing ran)."""
        if not self.tmp.exists():
            return None
        if interrupted or not self.tmp.stat().st_size:
            self.tmp.unlink()
            return None
        folder = self.results_dir / self.folder / machine_id
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name.split("_")[0]) for p in folder.glob("*_*.json") if p.name.split("_")[0].isdigit()]
        target = folder / f"{max(numbers, default=0) + 1:04d}_{self.run_id}.json"
        os.replace(str(self.tmp), str(target))
        return target
