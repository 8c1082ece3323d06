"""Every case of every claim with its evidence: what each verdict row of the report links to."""
from __future__ import annotations

from ... import claims
from ..document import Anchor, Para, Section, Table
from ...core.stats import fmt_effect
from ...core.verdicts import CONTROL

ANCHOR = "evidence-"


def anchor(claim: str) -> str:
    return ANCHOR + claim


def build(ctx):
    if not len(ctx.cases):
        return None
    cases = ctx.cases[ctx.cases["role"] != CONTROL]  # the controls have their own section
    order = {cid: i for i, cid in enumerate(claims.REGISTRY)}
    found = sorted(cases.itertuples(), key=lambda r: (order.get(r.claim, len(order)), r.role != "claim",
                                                      str(getattr(r, "nodeid", ""))))
    rows, seen = [], set()
    for r in found:
        figure = fmt_effect(getattr(r, "effect", None), r.ci_low, r.ci_high)
        first = r.claim not in seen
        seen.add(r.claim)
        rows.append((Anchor(r.claim, anchor(r.claim)) if first else "", r.case or "-",
                     "finding" if r.role == "related" else "claim", r.verdict, r.expected, figure,
                     getattr(r, "rounds", 0) or "", r.evidence))
    s = Section("Evidence, case by case", order=95)
    s.add(Para("Each case of each claim as it was judged: the claim's own cases first, then its related "
               "findings; the claim names in the verdict table link here."))
    return s.add(Table(("claim", "case", "answers", "verdict", "expected", "effect [CI]", "rounds", "evidence"), rows,
                       fold=f"{len(rows)} cases of {len(seen)} claims"))
