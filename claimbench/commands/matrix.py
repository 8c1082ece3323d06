"""The interpreter matrix: every claim on each runtime, one runtime after another.

Each interpreter gets its own virtual environment, ``.venvs/<version>/``, made
from ``requirements-runtime.txt`` (the experiments' needs only) and kept until
that file or the interpreter changes. The claims run there through
``python -m claimbench verify --python <that venv's python> --no-report``, from
the repository root, so the experiments import this package from the tree.
The runs are stored like any other (``results/runs/<run-id>/``, run id
``<time>-<runtime tag>``); ``results/matrix.json`` names the runtimes of the
last matrix, and the report's matrix part (``claimbench/report/parts/matrix.py``, pandas,
main venv only) turns the newest run of each into ``results/matrix.md`` and a
section of ``results/report.html``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Sequence

from . import interpreters, preflight, project
from ..core import records, runtime, scales
from .interpreters import Interpreter

ROOT = Path.cwd()  # the project being checked: commands run from its root
REQUIREMENTS = ROOT / "requirements-runtime.txt"
VENVS = ROOT / ".venvs"
MARKER = ".claimbench-runtime.json"   # what a venv was made from
from ..core.records import MANIFEST, MANIFEST_FORMAT, read_manifest  # noqa: E402,F401  (the report reads it too)
MATRIX_MD = "matrix.md"
RUNTIME_BINDS_ENV = "CLAIMBENCH_RUNTIME_BINDS"  # read by tools/debian-runtimes

# Asked of each venv's python from the repository root: its runtime fingerprint.
# It also shows, before any measuring, that the package imports on that runtime.
FINGERPRINT = runtime.FINGERPRINT_SCRIPT


class MatrixError(Exception):
    """One line for the user, exit status 2."""


# ---------------------------------------------------------------- pure
def venv_marker(interp: Interpreter, requirements_text: str) -> dict:
    """What a runtime venv is made from; a venv whose marker differs is made again."""
    return {"base": interp.path, "version": interp.tag,
            "requirements_sha256": hashlib.sha256(requirements_text.encode("utf-8")).hexdigest()}


def venv_is_current(marker_text: str, wanted: dict) -> bool:
    try:
        return json.loads(marker_text) == wanted
    except ValueError:
        return False


def verify_command(main_python: str, venv_python: str, scale: str, strict: str, results_dir: Path,
                   run_id: str, pytest_args: Sequence[str] = (), start_method: str = "") -> List[str]:
    """The one `claimbench verify` of a runtime: run by the main venv, measured by ``venv_python``."""
    cmd = [main_python, "-m", "claimbench", "verify", "--python", venv_python, "--scale", scale,
           "--strict=" + strict, "--results-dir", str(results_dir), "--run-id", run_id, "--no-report"]
    if start_method:
        cmd += ["--start-method", start_method]
    if pytest_args:
        cmd += ["--"] + list(pytest_args)
    return cmd


def check_distinct(runtimes: Sequence[dict]) -> None:
    """Two interpreters that are the same runtime (3.11.2 and 3.11.7) would share one column."""
    seen = {}
    for fp in runtimes:
        tag = fp["tag"]
        if tag in seen:
            raise MatrixError(f"PYTHONS: {seen[tag]} and {fp['executable']} are both runtime {tag}; name only one of "
                              "them")
        seen[tag] = fp["executable"]


def manifest(runs: Sequence[dict], scale: str, wall_s: float, left_out: Sequence[str] = ()) -> dict:
    return {"format": MANIFEST_FORMAT, "scale": scale, "wall_s": round(wall_s, 1),
            "tags": [r["tag"] for r in runs], "runs": list(runs), "left_out": list(left_out)}


def read_left_out(path: str) -> List[str]:
    """The lines of LEFT_OUT (what the default matrix wanted and could not have, and why)."""
    if not path:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- one runtime's venv
def _run_quiet(cmd: List[str], what: str, timeout_s: float = 900) -> str:
    try:
        done = subprocess.run(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=timeout_s)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MatrixError(f"{what}: {exc}") from None
    if done.returncode != 0:
        lines = [line for line in done.stdout.strip().splitlines() if line.strip()]
        tail = lines[-1:] or [f"exit status {done.returncode}"]
        raise MatrixError(f"{what}: {tail[0].strip()}")
    return done.stdout


HOST_PYTHON = "host-python"  # in the venv of a runtime of its own root: runs its python from here


def venv_python(venv: Path, interp: Interpreter = None) -> Path:
    """The python of a runtime's venv as this machine runs it: for a runtime of its own root (a
    Debian chroot) the wrapper beside the venv's bin/ that runs it there."""
    if interp is not None and interp.runner:
        return venv / HOST_PYTHON
    return venv / "bin" / "python"


def host_python_script(runner: str, venv: Path) -> str:
    return "#!/bin/sh\n# this venv's python, run in its runtime's root by {0}\nexec {0} {1} \"$@\"\n".format(
        shlex.quote(str(Path(runner).resolve())), shlex.quote(str(Path(venv).resolve() / "bin" / "python")))


def ensure_venv(interp: Interpreter, venvs_dir: Path = VENVS, requirements: Path = REQUIREMENTS) -> Path:
    """``.venvs/<version>/`` with requirements-runtime.txt installed; made once, again only when stale."""
    venv = (Path(venvs_dir) / interp.tag).resolve()
    python = venv_python(venv, interp)
    wanted = venv_marker(interp, requirements.read_text(encoding="utf-8"))
    marker = venv / MARKER
    if marker.exists() and python.exists() and venv_is_current(marker.read_text(), wanted):
        return python
    print(f"claimbench matrix: making {venv} from {interp.path} ({requirements.name})", flush=True)
    if venv.exists():
        shutil.rmtree(str(venv))
    _run_quiet([interp.path, "-m", "venv", str(venv)], f"cannot make a virtual environment with {interp.path}")
    if interp.runner:
        records.atomic_write_text(python, host_python_script(interp.runner, venv))
        python.chmod(0o755)
    _run_quiet([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                "-r", str(requirements)], f"cannot install {requirements.name} for Python {interp.tag}")
    records.atomic_write_json(marker, wanted)
    return python


def fingerprint_of(python: Path, start_method: str = "") -> dict:
    """The runtime's fingerprint; with ``start_method``, as a run that chooses it stores it."""
    out = _run_quiet([str(python), "-c", FINGERPRINT], f"the package does not import on {python}", 120)
    fp = json.loads(out.strip().splitlines()[-1])
    if start_method and start_method != fp.get("default_start_method"):
        if start_method not in fp.get("start_methods", ()):
            raise MatrixError(f"start method {start_method} is not offered by {python}")
        chosen = dataclasses.replace(runtime.Runtime.from_dict(fp), default_start_method=start_method,
                                     platform_start_method=fp.get("default_start_method"))
        fp = chosen.as_dict()
    return fp


# ---------------------------------------------------------------- the command
def add_arguments(p) -> None:
    p.add_argument("--pythons", default="", help="interpreters: 3.11 3.13t debian:3.14 3.11@spawn /path/to/python "
                                                 "(default: every series found)")
    from .options import add_results_dir, add_scale, add_strict
    add_scale(p, scales.DEFAULT_SCALE)
    add_strict(p, "verdict")
    add_results_dir(p, "matrix.md and the report are written")
    p.add_argument("--venvs", default=str(VENVS), metavar="DIR", help="where each runtime's venv lives "
                                                                     "(default: %(default)s)")
    p.add_argument("--left-out", default="", metavar="FILE",
                   help="a file of lines, each a runtime wanted and not had and why (tools/freethreaded and "
                        "tools/debian-runtimes write it; default: none)")
    p.add_argument("--report-only", action="store_true",
                   help="measure nothing: rebuild matrix.md and the report from the last matrix's stored runs "
                        "(default: measure)")


def cmd_matrix(args) -> int:
    from .sessions import CliError, new_run_id, parse_strict, run_session

    scales.get_scale(args.scale)
    strict = "1" if parse_strict(args.strict) else "0"
    try:
        results_dir = preflight.results_folder(args.results_dir).resolve()
    except preflight.NotReady as exc:
        raise CliError(str(exc))
    t0 = time.perf_counter()
    if args.report_only:
        last = read_manifest(results_dir)
        if not last or not last.get("runs"):
            raise CliError(f"no matrix stored in {results_dir} ({project.how_to('matrix', 'claimbench matrix')} makes "
                           "one)")
        return write_matrix(results_dir, last["runs"][0]["run_id"], last["wall_s"], last["scale"])
    try:
        chosen = interpreters.select(args.pythons)
    except interpreters.NotFound as exc:
        raise CliError(str(exc))
    print("claimbench matrix: " + ", ".join(c.describe() for c in chosen), flush=True)
    if any(c.runner for c in chosen):
        # A runtime of its own root sees the project; a results folder elsewhere is mounted there too.
        os.environ[RUNTIME_BINDS_ENV] = str(results_dir)
    try:
        pythons = [ensure_venv(c, Path(args.venvs)) for c in chosen]
        runtimes = [fingerprint_of(p, c.start_method) for c, p in zip(chosen, pythons)]
        check_distinct(runtimes)
    except MatrixError as exc:
        raise CliError(str(exc))

    runs, worst = [], 0
    for interp, python, fp in zip(chosen, pythons, runtimes):
        run_id = records.run_id_for(new_run_id(), fp["tag"])
        print(f"\n=== claimbench matrix: {fp['tag']} ({interp.path}) — run {run_id}", flush=True)
        rc = run_session(verify_command(sys.executable, str(python), args.scale, strict, results_dir, run_id,
                                        args.pytest_args, interp.start_method))
        worst = max(worst, rc)
        runs.append({"tag": fp["tag"], "run_id": run_id, "python": records.portable_path(str(interp.path)),
                     "version": interp.tag, "name": interp.name,
                     "exitstatus": rc})
        time.sleep(1.0)  # run ids are stamped to the second
    wall_s = time.perf_counter() - t0
    records.atomic_write_json(results_dir / MANIFEST, manifest(runs, args.scale, wall_s, read_left_out(args.left_out)))
    return max(worst, write_matrix(results_dir, runs[0]["run_id"], wall_s, args.scale))


def write_matrix(results_dir: Path, first_run_id: str, wall_s: float, scale: str) -> int:
    """results/matrix.md, and the report with its matrix part: the report of the results folder's
    reference run where it names one (the matrix leaves the report README cites as it was, its matrix
    part renewed), else of the matrix's first runtime."""
    from ..report import builder as report
    from ..report.document import Para, to_markdown
    from ..report.parts import matrix as matrix_part

    try:
        ctx = report.build(results_dir, "" if report.reference_run(results_dir) else first_run_id)
    except report.NoRuns as exc:
        print("claimbench: " + str(exc), file=sys.stderr)
        return 1
    section = matrix_part.build(ctx)
    if section is None:
        print("claimbench: no run of the matrix was stored", file=sys.stderr)
        return 1
    section.blocks.insert(0, Para(f"Made by `{project.how_to('matrix', 'claimbench matrix')}` in {wall_s:.0f} s at "
                                  f"scale {scale}."))
    records.atomic_write_text(results_dir / MATRIX_MD, to_markdown("claimbench matrix", [section], results_dir))
    print("\n" + matrix_part.text_table(ctx))
    print(f"matrix: {results_dir / MATRIX_MD}\nreport: {results_dir / 'report.html'}")
    print(f"{project.how_to('matrix', 'claimbench matrix')} wall time: {wall_s:.1f} s (scale {scale}; the report's "
          "seconds not counted)")
    return 0
