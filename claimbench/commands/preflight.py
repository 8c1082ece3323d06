"""Checks before a run starts, each failing with one line: the interpreter, the dependencies.

Standard library only: it runs on whichever interpreter the user pointed at.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import List, Optional, Sequence

# What a verify run imports in the interpreter that runs the claims (requirements-runtime.txt).
RUN_MODULES = ("pytest", "xdist", "pytest_benchmark", "pytest_timeout", "psutil")
FIX = "make venv installs requirements.txt"
# What the report and the commands import beyond the measuring core: claimbench's [report] extra.
REPORT_MODULES = ("pandas", "matplotlib", "numpy")
REPORT_FIX = "pip install 'claimbench[report]'"


def fix(modules: Sequence[str], python: str = "") -> str:
    """How to get ``modules``: the [report] extra for the report's; `make venv` where the project has
    that target (this repository); else pip install claimbench (into ``python`` where named)."""
    if any(m.split(".")[0] in REPORT_MODULES for m in modules):
        return REPORT_FIX
    from . import project
    if project.has_make_target(Path.cwd(), "venv"):
        return FIX
    return f"{python + ' -m ' if python else ''}pip install claimbench"


class NotReady(RuntimeError):
    """The one line the user sees."""


def missing_modules(python: str, modules: Sequence[str] = RUN_MODULES, timeout_s: float = 60) -> List[str]:
    code = ("import importlib.util as u, sys\n"
            "print(' '.join(n for n in sys.argv[1:] if u.find_spec(n) is None))")
    try:
        out = subprocess.run([python, "-c", code] + list(modules), capture_output=True, text=True,
                             timeout=timeout_s, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise NotReady(f"cannot run the interpreter {python}: {exc}") from None
    return out.split()


def require_python(python: str, modules: Sequence[str] = RUN_MODULES) -> str:
    """The interpreter's path, if it exists and has ``modules``; else NotReady with one line."""
    path: Optional[str] = shutil.which(python)
    if not python or path is None:
        raise NotReady(f"no interpreter {python!r}: give a path or a name on PATH")
    missing = missing_modules(path, modules)
    if missing:
        raise NotReady(f"{path} lacks {', '.join(missing)} ({fix(missing, path)})")
    return path


def results_folder(value) -> Path:
    """RESULTS / --results-dir: a folder name; an empty one would scatter runs into the current folder."""
    if not str(value).strip():
        raise NotReady(f"RESULTS must name a folder, not {str(value)!r}")
    return Path(value)


def missing_dependency(exc: ImportError) -> Optional[str]:
    """One line for a third-party module missing in this interpreter; None for anything else (a bug)."""
    name = getattr(exc, "name", None) or ""
    if not isinstance(exc, ModuleNotFoundError) or not name or name.split(".")[0] == "claimbench":
        return None
    import sys
    return f"this interpreter ({sys.executable}) lacks the module {name.split('.')[0]!r}: {fix([name])}"
