"""How stable the verdicts are: repeated quiet runs, one usable CPU, a CPU hog (``make stability``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..document import Para, Section, Table

# Where `make stability` stores its study (claimbench.commands.stability writes it, this part reads it).
SUBDIR = "stability"
SUMMARY_JSON = "summary.json"
SUMMARY_MD = "stability.md"


def load_summary(results_dir: Path) -> Optional[dict]:
    """The stored summary for the report, or None (absent, or not readable: then the report says nothing)."""
    path = Path(results_dir) / SUBDIR / SUMMARY_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == "claimbench-stability/1" else None


def build(ctx):
    data = load_summary(ctx.results_dir)
    if data is None:
        return None
    s = Section("Stability of the verdicts", order=85)
    s.add(Para("From `make stability` ({} quiet runs at scale {}, then one under one usable CPU and one "
               "beside a CPU hog on one core; runs {}, written {}; stored in {}/, summary in {}).".format(
                   data.get("quiet_runs"), data.get("scale", "?"), data.get("base_id", "?"),
                   data.get("written", "?"), SUBDIR, SUMMARY_MD)))
    for line in data.get("lines", []):
        s.add(Para(line))
    rows = []
    for c in data.get("claims", []):
        quiet = ", ".join("{} ×{}".format(v, n) for v, n in c.get("quiet", {}).items())
        one = c.get("one_cpu", "")
        if c.get("one_cpu_reason"):
            one += " ({})".format(c["one_cpu_reason"])
        rows.append((c.get("claim"), quiet, one, c.get("hog", ""), "; ".join(c.get("problems", [])) or "-"))
    s.add(Table(("claim", "quiet runs", "one CPU", "CPU hog", "problems"), rows))
    return s
