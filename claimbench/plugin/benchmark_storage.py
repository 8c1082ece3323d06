"""Where pytest-benchmark's stored runs go, so that ``pytest --benchmark-compare`` compares like with like.

pytest-benchmark's ``--benchmark-compare`` (no value) compares with the newest file of its storage,
and warns whenever the stored ``machine_info`` differs from this machine's. So:

- each kind of run has a storage folder of its own: ``benchmarks/`` for verify runs at the default
  scale, ``benchmarks-quick/``, ``benchmarks-seed/`` for the other scales, ``benchmarks-controls[-scale]/``
  for controls: the newest file there is the newest run of the same kind and scale;
- ``machine_info`` holds machine facts only; claimbench's facts of a run (scale, T, runtime tag,
  run id) go into the file's top-level ``claimbench`` entry (``facts``);
- a file stored in an older format is migrated (``migrate``): claimbench's facts moved out of
  ``machine_info``, every entry's ``variant`` among its params, a parameter that JSON could not hold
  (``UNSERIALIZABLE[Way(name='processes-fork', ...)]``) as its name, the file moved to its kind's folder;
  one from before entries were split per variant (no variant anywhere) is removed. No pytest here.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import List, Optional, Set

from ..core import records
from ..core.scales import DEFAULT_SCALE

FORMAT = 2


def folder(scale: str, controls: bool = False) -> str:
    """The storage folder's name for a run of ``scale`` (controls or not)."""
    return "benchmarks" + ("-controls" if controls else "") + ("" if scale in (DEFAULT_SCALE, "", None) else "-" + scale)


def is_controls(markexpr: str) -> bool:
    """A run of the controls: ``-m control``, or ``-m "not behaviour and control"`` as ``claimbench
    controls`` runs them (``control`` selected, not negated)."""
    return re.search(r"(?<!not )\bcontrol\b", markexpr or "") is not None


def facts(scale: str, unit_s: float, runtime_tag: str, run_id: str, controls: bool) -> dict:
    return {"format": FORMAT, "scale": scale, "unit_s": unit_s, "runtime_tag": runtime_tag, "run_id": run_id,
            "kind": "controls" if controls else "verify"}


def facts_of(stored: dict) -> dict:
    """claimbench's facts of a stored run, in this format or the older one (inside machine_info)."""
    return (stored or {}).get("claimbench") or ((stored or {}).get("machine_info") or {}).get("claimbench") or {}


_WAY_NAME = re.compile(r"^UNSERIALIZABLE\[.*?name='([^']+)'")


def _plain(value):
    if isinstance(value, str):
        m = _WAY_NAME.match(value)
        if m:
            return m.group(1)
    return value


def migrated(data: dict, run_id: str) -> Optional[dict]:
    """``data`` in this format; None where it cannot be (entries that are not one per variant)."""
    benches = data.get("benchmarks") or []
    if any("variant" not in (b.get("params") or {}) and "variant" not in (b.get("extra_info") or {})
           for b in benches):
        return None
    out = dict(data)
    machine = dict(out.get("machine_info") or {})
    old = machine.pop("claimbench", None) or {}
    out["machine_info"] = machine
    controls = run_id.endswith("-controls") or old.get("kind") == "controls"
    out["claimbench"] = dict(facts(old.get("scale", DEFAULT_SCALE), old.get("unit_s"), old.get("runtime_tag", ""),
                                   old.get("run_id", run_id), controls), **{k: v for k, v in (out.get("claimbench") or
                                                                                             {}).items() if v})
    out["claimbench"]["format"] = FORMAT
    fixed = []
    for b in benches:
        b = dict(b)
        params = {k: _plain(v) for k, v in (b.get("params") or {}).items()}
        params.setdefault("variant", (b.get("extra_info") or {}).get("variant"))
        b["params"] = params
        fixed.append(b)
    out["benchmarks"] = fixed
    return out


# Beside the storage folders: the stored files already found in this format, so a storing session
# reads only the files stored since (the folders grow with every run). Not committed (.gitignore).
CHECKED = ".benchmarks-format"
STORED = "benchmarks*/*/[0-9][0-9][0-9][0-9]_*.json"


def _checked(root: Path) -> Set[str]:
    """The files (relative to ``root``) found in this format before; none where the list is missing,
    unreadable or of another format."""
    try:
        data = json.loads((root / CHECKED).read_text(encoding="utf-8"))
        return set(data["files"]) if data.get("format") == FORMAT else set()
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def migrate(results_dir: Path) -> List[str]:
    """Bring every stored file under ``results_dir``'s storage folders to this format, in its kind's
    folder; one line per file changed, moved or removed. Written atomically: a killed migration
    leaves each file either as it was or as it is now. Files found in this format before are not
    read again (``CHECKED``)."""
    lines = []
    root = Path(results_dir)
    checked = _checked(root)
    now_checked = set()
    for path in sorted(root.glob(STORED)):
        rel = path.relative_to(root).as_posix()
        if rel in checked:
            now_checked.add(rel)
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue  # records.unreadable_benchmarks reports it; never changed here
        if not isinstance(data, dict):
            continue
        if (data.get("claimbench") or {}).get("format") == FORMAT:
            now_checked.add(rel)
            continue
        run_id = path.stem.split("_", 1)[1]
        new = migrated(data, run_id)
        if new is None:
            path.unlink()
            lines.append(f"{path}: removed (stored before entries were one per variant)")
            continue
        f = new["claimbench"]
        target_dir = root / folder(f.get("scale") or DEFAULT_SCALE, f.get("kind") == "controls") / path.parent.name
        target = path if target_dir == path.parent else next_number_path(target_dir, run_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        records.atomic_write_text(target, json.dumps(new, indent=4))
        if target != path:
            path.unlink()
        now_checked.add(target.relative_to(root).as_posix())
        lines.append(f"{path}: migrated{'' if target == path else ' to ' + str(target)}")
    if now_checked != checked and root.is_dir():
        try:
            records.atomic_write_text(root / CHECKED, json.dumps({"format": FORMAT, "files": sorted(now_checked)}))
        except OSError:
            pass  # only a saving: the next session reads them again
    return lines


def next_number_path(directory: Path, run_id: str) -> Path:
    numbers = [int(p.name.split("_")[0]) for p in directory.glob("*_*.json") if p.name.split("_")[0].isdigit()]
    return directory / f"{max(numbers, default=0) + 1:04d}_{run_id}.json"
