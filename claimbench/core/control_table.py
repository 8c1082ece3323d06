"""The controls table: every claim's planted counterparts and whether they came out as planted.

Built from a stored run's control cases (``make controls``); written as
``controls.csv`` and ``controls.md``. Plain Python beside the claim table (``claim_table``): the
pytest plugin (in every runtime's venv), the report and the commands use it, and it needs no pandas.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List

from . import claim_table as book, records, stats
from .verdicts import CONTROL, INCONCLUSIVE

COLUMNS = ("claim", "case", "control", "expected", "verdict", "effect", "ci_low", "ci_high", "evidence")
NO_CONTROL = "-"


@dataclass(frozen=True)
class ControlRow:
    claim: str
    case: str
    control: str       # the planted counterpart's name; NO_CONTROL where none ran
    expected: str      # what it was planted to come out as
    verdict: str
    effect: float
    ci_low: float
    ci_high: float
    evidence: str
    # Gated: the machine could not show what the experiment needs at that moment (real processes
    # without parallel capacity), whatever the plant: untestable now, as a claim's case would be.
    untestable_now: bool = False

    @property
    def ran(self) -> bool:
        """A control this runtime could run: none is planted to come out inconclusive, so one whose
        expectation is inconclusive is one the runtime cannot test (no sub-interpreters, one CPU);
        one whose experiment was gated by the machine (no parallel capacity then) did not run either."""
        return self.control != NO_CONTROL and self.expected != INCONCLUSIVE and not self.untestable_now

    @property
    def as_planted(self) -> bool:
        return self.ran and self.verdict == self.expected and self.verdict != INCONCLUSIVE

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


def _number(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def gated(case: dict) -> bool:
    """An inconclusive case whose decision a gate settled (the machine, not the plant, decided it)."""
    return case.get("verdict") == INCONCLUSIVE and bool((case.get("decision") or {}).get("gate"))


def rows(cases: Iterable[dict], registry) -> List[ControlRow]:
    """One row per control case, claims in registry order; a claim with none gets one row saying why."""
    by_claim: Dict[str, List[dict]] = {}
    for c in book.cases_of_role(cases, CONTROL):
        by_claim.setdefault(c["claim"], []).append(c)
    out = []
    for claim_id in list(registry) + [c for c in by_claim if c not in registry]:
        found = sorted(by_claim.get(claim_id, []), key=lambda c: c.get("case", ""))
        for c in found:
            out.append(ControlRow(
                claim=claim_id, case=c.get("case", ""), control=c.get("control") or c.get("case", ""),
                expected=c.get("expected", ""), verdict=c.get("verdict", ""), effect=_number(c.get("effect")),
                ci_low=_number(c.get("ci_low")), ci_high=_number(c.get("ci_high")),
                evidence=f"{c.get('expected_reason', '')} — {c.get('evidence', '')}".strip(" —"),
                untestable_now=gated(c)))
        if not found:
            claim = registry.get(claim_id)
            why = getattr(claim, "no_control", "") or "no control ran in this run"
            out.append(ControlRow(claim_id, "", NO_CONTROL, "", "", math.nan, math.nan, math.nan, why))
    return out


def summary(table: List[ControlRow]) -> str:
    """'25 of 25 claims have a control, and all 31 came out as planted.'"""
    claims = list(dict.fromkeys(r.claim for r in table))
    with_control = {r.claim for r in table if r.ran}
    ran = [r for r in table if r.ran]
    planted = [r for r in ran if r.as_planted]
    missing = [c for c in claims if c not in with_control]
    line = (f"{len(with_control)} of {len(claims)} claims have a control that ran; "
            f"{len(planted)} of {len(ran)} controls came out as planted.")
    off = [f"{r.claim} [{r.case}]: {r.verdict} (planted {r.expected})" for r in ran if not r.as_planted]
    if off:
        line += " Not as planted: " + "; ".join(off) + "."
    now = [f"{r.claim} [{r.case}]" for r in table if r.untestable_now]
    if now:
        line += " Untestable now (the machine could not show what the experiment needs): " + "; ".join(now) + "."
    if missing:
        line += " Without a control that ran: " + ", ".join(missing) + "."
    return line


def _fig(x: float) -> str:
    return "" if x != x else stats.fmt(x)


def csv_text(table: List[ControlRow]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in table:
        d = r.as_dict()
        for k in ("effect", "ci_low", "ci_high"):
            d[k] = "" if d[k] != d[k] else repr(d[k])
        w.writerow(d)
    return buf.getvalue()


def _md_cell(x: str) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def markdown_text(table: List[ControlRow], run: List[records.RunRecord]) -> str:
    head = run[0] if run else None
    lines = ["# Controls: every verdict able to come out otherwise", ""]
    if head is not None:
        lines += [f"Run {head.run_id} on {head.runtime.get('tag', '?')} (T = {head.scale.get('unit_s')} s, scale "
                  f"{head.scale.get('name')}).", ""]
    lines += ["Each control runs a claim's experiment on a planted counterpart where the claim is known to be "
              "false (or true, where this runtime is expected to refute it): it must come out as planted, "
              "or the experiment cannot tell.", "", summary(table), "",
              "| claim | case | control | expected | verdict | as planted | effect [CI] | evidence |",
              "|---|---|---|---|---|---|---|---|"]
    for r in table:
        fig = "" if r.effect != r.effect else f"{_fig(r.effect)} [{_fig(r.ci_low)}, {_fig(r.ci_high)}]"
        mark = ("yes" if r.as_planted else "**no**") if r.ran else "-"
        lines.append("| " + " | ".join(_md_cell(x) for x in (
            r.claim, r.case, r.control, r.expected, r.verdict, mark, fig, r.evidence)) + " |")
    return "\n".join(lines) + "\n"


def write(results_dir: Path, run: List[records.RunRecord], registry, out_dir: Path = None) -> List[ControlRow]:
    """controls.csv and controls.md for the control cases of ``run``."""
    out_dir = Path(out_dir or results_dir)
    table = rows([c for rec in run for c in rec.verdicts], registry)
    records.atomic_write_text(out_dir / "controls.csv", csv_text(table))
    records.atomic_write_text(out_dir / "controls.md", markdown_text(table, run))
    return table
