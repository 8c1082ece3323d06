"""A run's pytest sessions: how they are built and run, and the run's id. Used by the commands
(cli, matrix, stability); imports none of them, and nothing of the report.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

from ..core import records

EXIT_USAGE = 2
PYTEST_NO_TESTS = 5


class CliError(Exception):
    """One line for the user, exit status 2."""


def new_run_id() -> str:
    return records.run_id_at()


def runtime_tag_of(python: str, start_method: str = "") -> str:
    """The runtime tag a run with ``python`` (and ``start_method``, where one is chosen) will
    store, for its run id: from this process where it is that interpreter, else by asking it
    (runtime.FINGERPRINT_SCRIPT); "" where it cannot say (the run itself then reports why)."""
    import dataclasses
    import json
    from ..core import runtime
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        here = runtime.fingerprint()
    else:
        try:
            done = subprocess.run([python, "-c", runtime.FINGERPRINT_SCRIPT], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, universal_newlines=True, timeout=60)
            here = runtime.Runtime.from_dict(json.loads(done.stdout.strip().splitlines()[-1]))
        except (OSError, subprocess.SubprocessError, ValueError, IndexError, TypeError):
            return ""
    if start_method:
        here = dataclasses.replace(here, default_start_method=start_method)
    return here.tag


def parse_strict(value: str) -> bool:
    if value in ("", "0", "no", "false"):
        return False
    if value in ("1", "yes", "true"):
        return True
    raise CliError(f"STRICT must be 1 or 0, not {value!r}")


def sessions(python: str, scale: str, results_dir: Path, run_id: str, strict: bool,
             extra: List[str], controls: bool = False, start_method: str = "",
             only: Tuple[str, ...] = (), experiments: str = "experiments") -> List[List[str]]:
    """The pytest sessions of one run: timing claims serially, behaviour claims under xdist.

    A verify run takes the claims' cases and related findings; a controls run (``controls``)
    only the planted counterparts (claimbench/core/roles.py).
    """
    common = [python, "-m", "pytest", experiments, "-q", "--claimbench-scale", scale,
              "--claimbench-results-dir", str(results_dir), "--claimbench-run-id", run_id,
              "--benchmark-storage", str(results_dir / "benchmarks"), "--claimbench-store"]
    if strict:
        common.append("--claimbench-strict")
    if start_method:
        common += ["--claimbench-start-method", start_method]
    which, prefix = ("control", records.CONTROLS_SESSION_PREFIX + "-") if controls else ("not control", "")
    timing = common + ["-m", "not behaviour and " + which, "-p", "no:xdist",
                       "--claimbench-session-name", prefix + "timing"] + extra
    behaviour = common + ["-m", "behaviour and " + which, "-n", "auto",
                          "--claimbench-session-name", prefix + "behaviour"] + extra
    return [cmd for name, cmd in (("timing", timing), ("behaviour", behaviour)) if name in only] if only else \
        [timing, behaviour]


def run_session(cmd: List[str]) -> int:
    """Run one pytest session in its own process group; on Ctrl-C stop the whole group."""
    proc = subprocess.Popen(cmd, start_new_session=True)  # in the project's root: where this runs
    try:
        rc = proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        raise
    finally:
        # Whatever is still in the session pytest led was left behind (claimbench/core/guard.py).
        from ..core import guard
        left = guard.kill_session(proc.pid)
        if left:
            print("claimbench: killed processes the pytest session left behind: " + "; ".join(left),
                  file=sys.stderr)
    return max(rc, 1) if left else rc


