"""The interpreter matrix's model: its columns (the newest stored run of each runtime), one row per
(claim, runtime), how a cell stands to the first column's, and the frames its figures draw.

The matrix part (``claimbench/report/parts/matrix.py``) lays these out as tables and figures;
``claimbench/report/compare.py`` builds its machines matrix from the same columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import pandas as pd

from ..core import claim_table as book, records
from .. import claims
from ..core.verdicts import INCONCLUSIVE, MACHINE_DEPENDENT

DIFFERS = "≠"
MISSING = "—"
EFFECTS_FIGURE = "matrix-effects.png"

# Kinds of difference from the first column.
SAME, EXPECTED, UNEXPLAINED, UNSETTLED, NOT_RUN = "same", "expected", "unexplained", "unsettled", "not run"
MEASURED = "machine-dependent"


@dataclass
class Column:
    """One runtime of the matrix: the cases of its newest stored run."""

    tag: str
    run_id: str = ""
    runtime: dict = field(default_factory=dict)
    scale: dict = field(default_factory=dict)
    wall_s: float = 0.0
    cases: List[dict] = field(default_factory=list)
    note: str = ""  # why it has no cases


def version_key(tag: str) -> Tuple:
    """``3.13t-nogil-fork`` sorts after ``3.13-gil-fork`` and after ``3.9-…``."""
    m = re.match(r"^(\d+)\.(\d+)(t?)", tag)
    return (int(m.group(1)), int(m.group(2)), m.group(3), tag) if m else (999, 0, "", tag)


def _by_tag(all_runs: Sequence[records.RunRecord]) -> Dict[str, List[records.RunRecord]]:
    out: Dict[str, List[records.RunRecord]] = {}
    for rec in all_runs:
        out.setdefault(str(rec.runtime.get("tag", "")), []).append(rec)
    return out


def columns(all_runs: Sequence[records.RunRecord], manifest: Optional[dict] = None,
            first_tag: str = "") -> List[Column]:
    """The newest run of each runtime tag, in the manifest's order (or ``first_tag``, then by version)."""
    by_tag = _by_tag(all_runs)
    if manifest:
        tags = list(manifest["tags"])
        wanted = {r.get("tag"): r for r in manifest.get("runs", ()) if isinstance(r, dict)}
    else:
        tags = sorted(by_tag, key=lambda t: (t != first_tag, version_key(t)))
        wanted = {}
    out = []
    for tag in tags:
        want = wanted.get(tag, {})
        # The run the last matrix made for this runtime, where it is stored; else the newest of the tag.
        run = records.latest(by_tag.get(tag, []), want.get("run_id", "")) if want.get("run_id") else []
        run = run or records.latest(by_tag.get(tag, []))
        if not run or (want.get("run_id") and run[0].run_id < want["run_id"]):
            note = "no run stored"
            if want.get("run_id"):
                note = f"run {want['run_id']} stored nothing (verify exit status {want.get('exitstatus')})"
            out.append(Column(tag, run_id=want.get("run_id", ""), note=note))
            continue
        out.append(Column(tag, run_id=run[0].run_id, runtime=run[0].runtime, scale=run[0].scale,
                          wall_s=sum(r.wall_s for r in run if r.wall_s == r.wall_s),
                          cases=[v for r in run for v in r.verdicts]))
    return out


# ---------------------------------------------------------------- the claim table
def claim_frame(cols: Sequence[Column]) -> pd.DataFrame:
    """One row per (claim, runtime): verdict, expectation, the headline effect, and the
    cases' own verdicts where they disagree (``k2 inconclusive, k3 refuted``)."""
    rows = []
    for col in cols:
        for r in book.claim_rows(col.cases):
            cs = [c for c in col.cases if c["claim"] == r.claim and book.role_of(c) == "claim"]
            reasons = [c.get("expected_reason", "") for c in cs]
            mixed = len({c["verdict"] for c in cs}) > 1
            rows.append({"claim": r.claim, "tag": col.tag, "verdict": r.verdict, "expected": r.expected,
                         "outcome": r.outcome, "effect": r.effect, "ci_low": r.ci_low, "ci_high": r.ci_high,
                         "effect_name": r.effect_name, "reason": next((x for x in reasons if x), ""),
                         "threshold": next((c.get("threshold", "") for c in cs
                                            if c.get("effect_name") == r.effect_name and c.get("threshold")), ""),
                         # the typed decision's threshold, where the case stored one (older runs: None)
                         "threshold_number": next((threshold_of(c) for c in cs
                                                   if c.get("effect_name") == r.effect_name and c.get("decision")),
                                                  None),
                         "cases": ", ".join(f"{c.get('case') or '-'} {c['verdict']}" for c in cs)
                         if mixed else ""})
    frame = pd.DataFrame(rows, columns=["claim", "tag", "verdict", "expected", "outcome", "effect", "ci_low",
                                        "ci_high", "effect_name", "reason", "threshold", "threshold_number",
                                        "cases"])
    order = {cid: i for i, cid in enumerate(claims.REGISTRY)}
    rank = frame["claim"].map(lambda c: order.get(c, len(order)))
    return frame.assign(_rank=rank).sort_values(["_rank", "claim"], kind="stable").drop(columns="_rank")


def difference(first: Optional[dict], other: Optional[dict]) -> str:
    """How a runtime's cell stands to the first column's (rows of ``claim_frame`` as dicts)."""
    if first is None or other is None:
        return NOT_RUN if (first is None) != (other is None) else SAME
    if first["verdict"] == other["verdict"]:
        return SAME
    if first["expected"] != other["expected"]:
        return EXPECTED
    if MACHINE_DEPENDENT in (first["expected"], other["expected"]):
        return MEASURED  # the expectation says the measurement decides, on each runtime anew
    if INCONCLUSIVE in (first["verdict"], other["verdict"]):
        return UNSETTLED
    return UNEXPLAINED


# ---------------------------------------------------------------- the effects frame
def threshold_of(case: dict) -> Optional[float]:
    """The number a case was judged against: its typed decision's, else (a run stored before cases
    kept their decision as numbers) read from the threshold's text."""
    decision = case.get("decision")
    if isinstance(decision, dict) and decision.get("threshold") is not None:
        return float(decision["threshold"])
    return threshold_value(case.get("threshold", ""))


def threshold_value(text: str) -> Optional[float]:
    """The number a threshold's text compares with, for runs stored without a typed decision:
    ``> 1.5`` → 1.5, ``shared memory / … > 1.5`` → 1.5."""
    m = re.search(r"[<>≤≥]=?\s*([0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)\s*$", str(text or "").strip())
    return float(m.group(1)) if m else None


def _number_or(number, fallback):
    return float(number) if number is not None and number == number else fallback


def effects_frame(frame: pd.DataFrame, tags: Sequence[str]) -> pd.DataFrame:
    """The timing claims' headline effects per runtime, and whether the cell differs from the
    first column (``kind`` as in the table: expected, machine-dependent, unsettled, unexplained)."""
    cells = {(r["claim"], r["tag"]): r for r in frame.to_dict("records")}
    rows = []
    for cid in dict.fromkeys(frame["claim"]):
        first = cells.get((cid, tags[0]))
        for i, tag in enumerate(tags):
            cell = cells.get((cid, tag))
            if cell is None or not (cell["effect"] == cell["effect"]) or cell["effect"] is None:
                continue
            rows.append({"claim": cid, "tag": tag, "effect": float(cell["effect"]),
                         "ci_low": float(cell["ci_low"]), "ci_high": float(cell["ci_high"]),
                         "verdict": cell["verdict"], "effect_name": cell["effect_name"],
                         "threshold": _number_or(cell.get("threshold_number"),
                                                 threshold_value(cell.get("threshold", ""))),
                         "kind": difference(first, cell) if i else SAME})
    return pd.DataFrame(rows, columns=["claim", "tag", "effect", "ci_low", "ci_high", "verdict", "effect_name",
                                       "threshold", "kind"])
