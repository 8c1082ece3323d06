"""Stored runs: one JSON file per pytest session, written atomically.

A run (``make verify``) may take several sessions (serial timing claims, then
behaviour claims under xdist); they share a ``run_id`` and the report merges
them. A file that is not valid JSON or not one of ours is named in one clear
error and skipped — never overwritten, never fatal to the report.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Set, Tuple

FORMAT = "claimbench-run/1"


class CorruptRecord(ValueError):
    """A file in results/ that cannot be read as a claimbench run."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename it into place.

    A run killed half-way leaves either the old file or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are for every reader
        os.replace(tmp, str(path))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=1, sort_keys=True, allow_nan=True) + "\n")


@dataclass(frozen=True)
class RunRecord:
    path: Path
    run_id: str
    session: str
    scale: dict
    runtime: dict
    verdicts: List[dict]
    started: str
    wall_s: float


def runs_dir(results_dir: Path) -> Path:
    return Path(results_dir) / "runs"


def record_path(results_dir: Path, run_id: str, session: str) -> Path:
    return runs_dir(results_dir) / run_id / f"{session}.json"


def save_record(results_dir: Path, run_id: str, session: str, payload: dict) -> Path:
    path = record_path(results_dir, run_id, session)
    body = dict(payload, format=FORMAT, run_id=run_id, session=session)
    atomic_write_json(path, body)
    return path


def load_record(path: Path) -> RunRecord:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRecord(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CorruptRecord(f"{path}: not a claimbench run (no \"format\": \"{FORMAT}\")")
    try:
        return RunRecord(path=Path(path), run_id=str(data["run_id"]), session=str(data["session"]),
                         scale=dict(data["scale"]), runtime=dict(data["runtime"]),
                         verdicts=list(data["verdicts"]), started=str(data.get("started", "")),
                         wall_s=float(data.get("wall_s", float("nan"))))
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptRecord(f"{path}: claimbench run with a missing or bad field ({exc})") from None


def load_runs(results_dir: Path) -> Tuple[List[RunRecord], List[str]]:
    """All readable records under results/runs, and one error line per unreadable file."""
    records, errors = [], []
    for path in sorted(runs_dir(results_dir).glob("*/*.json")):
        try:
            records.append(load_record(path))
        except CorruptRecord as exc:
            errors.append(str(exc))
    return records, errors


def run_ids(records: Iterable[RunRecord]) -> List[str]:
    return sorted({r.run_id for r in records})


CONTROLS_SESSION_PREFIX = "controls"


def is_controls(record: RunRecord) -> bool:
    """A session of `make controls`: planted counterparts only, never "the latest run" of the claims."""
    return record.session.startswith(CONTROLS_SESSION_PREFIX)


def latest(records: List[RunRecord], run_id: str = "", runtime_tag: str = "",
           controls: bool = False) -> List[RunRecord]:
    """The records of one run: the given id; else the newest of ``runtime_tag`` (3.11-gil-fork), if any; else the newest.

    The tag keeps `make report` after `make matrix` on the main interpreter's newest run, not on
    whichever interpreter the matrix ran last. Without an id, runs of `make controls` are chosen
    only when ``controls`` asks for them, and then only they are.
    """
    if not run_id:
        records = [r for r in records if is_controls(r) == controls]
    ids = run_ids(records)
    if not ids:
        return []
    if not run_id and runtime_tag:
        own = run_ids(r for r in records if r.runtime.get("tag") == runtime_tag)
        run_id = own[-1] if own else ""
    chosen = run_id or ids[-1]
    return [r for r in records if r.run_id == chosen]


# ---------------------------------------------------------------- a run's files; pytest-benchmark's
def benchmarks_dir(results_dir: Path) -> Path:
    """The storage of verify runs at the default scale; other kinds sit beside it (benchmarks-quick/,
    benchmarks-controls/...: claimbench/plugin/benchmark_storage.py)."""
    return Path(results_dir) / "benchmarks"


def files_of_run(results_dir: Path, run_id: str) -> Set[Path]:
    """The files a run stored: its session records, and its raw timings (``<machine>/NNNN_<run-id>.json``)."""
    found = set(runs_dir(results_dir).joinpath(run_id).glob("*.json"))
    found.update(Path(results_dir).glob(f"benchmarks*/*/[0-9][0-9][0-9][0-9]_{run_id}.json"))
    return found


def discard(paths: Iterable[Path]) -> None:
    """Remove the files an interrupted run stored (so half a run never becomes "the latest run")."""
    for path in paths:
        try:
            Path(path).unlink()
            Path(path).parent.rmdir()  # only once empty
        except OSError:
            pass


def unreadable_benchmarks(results_dir: Path) -> List[str]:
    """One line per file of pytest-benchmark's storage that it could not compare against; never changed."""
    errors = []
    for path in sorted(Path(results_dir).glob("benchmarks*/*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            errors.append(f"{path}: not a readable JSON file ({exc})")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
            errors.append(f"{path}: not a pytest-benchmark file (no \"benchmarks\" list)")
    return errors


def leftover_temp_files(results_dir: Path, run_id: str) -> List[Path]:
    """Temporary files a killed session of ``run_id`` can leave: its atomic writes' temp files, and
    raw-timing files in ``.tmp/`` whose writer process is gone."""
    found = list(runs_dir(results_dir).joinpath(run_id).glob(".*.tmp"))
    for path in Path(results_dir).joinpath(".tmp").glob("benchmark-*.json"):
        pid = path.stem.split("-")[-1]
        if pid.isdigit() and not _alive(int(pid)):
            found.append(path)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------- the last matrix's runtimes
MANIFEST = "matrix.json"              # under the results dir: the runtimes of the last matrix
MANIFEST_FORMAT = "claimbench-matrix/1"


def read_manifest(results_dir: Path):
    """The last matrix's runtimes, or None where there is none (or it is not ours)."""
    try:
        data = json.loads((Path(results_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("tags"), list):
        return None
    return data


# ---------------------------------------------------------------- run ids
def run_id_at(when=None) -> str:
    """A run's id: its start in UTC, ``20261126T063111Z`` (now, where ``when`` is not given)."""
    from datetime import datetime, timezone
    return (when or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def run_id_for(stamp: str, runtime_tag: str) -> str:
    """``20261125T160251Z-3.13t-nogil-fork``: sorts by time, says which runtime."""
    return f"{stamp}-{runtime_tag}" if runtime_tag else stamp


# ---------------------------------------------------------------- paths in stored results
def portable_path(path: str) -> str:
    """``path`` as a stored result may keep it: relative to the project (the working directory)
    where it lies inside, ``~/...`` inside the home folder, else as it is. A committed result then
    names no folder of the machine that made it."""
    import os
    if not path or not os.path.isabs(path):
        return path
    here = os.getcwd()
    if path == here or path.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, here)
    home = os.path.expanduser("~")
    if home not in ("", "/") and path.startswith(home.rstrip(os.sep) + os.sep):
        return "~" + path[len(home.rstrip(os.sep)):]
    return path
