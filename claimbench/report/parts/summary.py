"""The report's opening: what holds here, in one line, and every timing claim's effect in one figure.

The line counts the claims' verdicts (holds / partly / refuted / inconclusive) and the controls that
came out as planted: the run's own control cases where it has them (a project that runs its controls
with its claims), else the newest ``make controls`` run of this runtime the report reads, else where
the controls table is, else "controls not run". The forest plot (``report/forest.py``) follows it;
the table of contents comes after this section (it is the document's ``lead``).
"""
from __future__ import annotations

import os
from typing import List

from ... import claims
from .. import forest
from ...core import control_table
from ..document import Figure, Para, Section
from ...core.verdicts import CONTROL, HOLDS, INCONCLUSIVE, MACHINE_DEPENDENT, PARTLY, REFUTED

TITLE = "What holds here"
COUNTED = (HOLDS, PARTLY, REFUTED, INCONCLUSIVE)
WORDS = {HOLDS: ("holds", "hold"), PARTLY: ("partly", "partly"), REFUTED: ("refuted", "refuted"),
         INCONCLUSIVE: ("inconclusive", "inconclusive")}


def counts(verdicts) -> dict:
    """{verdict: how many claims}: the four verdicts always, anything else as it comes."""
    out = {v: 0 for v in COUNTED}
    for v in verdicts:
        out[v] = out.get(v, 0) + 1
    return out


def verdict_line(claims_frame) -> str:
    """``**26 claims: 24 hold, 1 partly, 0 refuted, 1 inconclusive** (partly: a; inconclusive: b)``."""
    n = counts(claims_frame["verdict"]) if len(claims_frame) else counts(())
    total = sum(n.values())
    said = ", ".join(f"{n[v]} {WORDS[v][0 if n[v] == 1 else 1]}" for v in COUNTED)
    said += "".join(f", {k} {v}" for v, k in n.items() if v not in COUNTED)
    line = f"**{total} claim{'' if total == 1 else 's'}: {said}**"
    named = [f"{v}: {', '.join(claims_frame.loc[claims_frame['verdict'] == v, 'claim'])}"
             for v in (PARTLY, REFUTED, INCONCLUSIVE) if n[v]]
    return line + (f" ({'; '.join(named)})" if named else "")


def expectation_line(claims_frame) -> str:
    """Whether each verdict is the one this runtime expects (a machine-dependent one is whatever it
    measured)."""
    if not len(claims_frame):
        return ""
    off = [r for r in claims_frame.itertuples() if r.expected not in (r.verdict, MACHINE_DEPENDENT)]
    if not off:
        return "every verdict is the one this runtime expects"
    return "not as this runtime expects: " + ", ".join(f"{r.claim} ({r.verdict}, expected {r.expected})"
                                                      for r in off)


def _link(ctx, name: str) -> str:
    """A link from the report (written beside the figures' folder) to ``name`` in the results folder."""
    return os.path.relpath(ctx.results_dir / name, ctx.figures_dir.parent)


def _planted(rows: List[control_table.ControlRow]) -> str:
    ran = [r for r in rows if r.ran]
    good = [r for r in ran if r.as_planted]
    text = f"controls {len(good)} of {len(ran)} as planted"
    off = [f"{r.claim} [{r.case}] {r.verdict}" for r in ran if not r.as_planted]
    return text + (f" (not as planted: {'; '.join(off)})" if off else "")


def controls_line(ctx) -> str:
    own = [c for rec in ctx.run for c in rec.verdicts if c.get("role") == CONTROL]
    if own:
        return _planted(control_table.rows(own, claims.REGISTRY)) + " in this run"
    table = ctx.results_dir / "controls.md"
    where = f" ([controls.md]({_link(ctx, 'controls.md')}))" if table.is_file() else ""
    if ctx.control_run:
        head = ctx.control_run[0]
        return f"{_planted(ctx.controls)}{where}, from controls run {head.run_id}"
    if where:
        return "controls: none in this run; their table is controls.md" + where
    return "controls not run"


def build(ctx):
    if not len(ctx.claims):
        return None
    s = Section(TITLE, order=0, lead=True)
    parts = [verdict_line(ctx.claims), controls_line(ctx), expectation_line(ctx.claims)]
    s.add(Para("; ".join(p for p in parts if p) + "."))
    frame, left_out = forest.forest_frame(ctx.cases, ctx.claims)
    if len(frame):
        path = forest.plot_forest(frame, ctx.figure_path(forest.FIGURE))
        nulls = frame["null_factor"].notna().any()
        grey = ("; grey: the run's A/A null around the threshold, which an interval must clear (two identical "
                "ways measured side by side)" if nulls else "")
        s.add(Figure(path, "Every timing claim: its first case's effect and interval as a multiple of its threshold "
                           "(log scale), turned so that the claim's side is always to the right of 1; the colour is "
                           f"the claim's verdict, the ticks its other cases'{grey}. The numbers on the right are the "
                           "effect [CI] as measured and the threshold it was judged against."))
    if left_out:
        s.add(Para("Not in the figure: " + "; ".join(f"{c} ({why})" for c, why in left_out) + "."))
    return s
