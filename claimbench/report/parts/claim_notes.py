"""Remarks the registry attaches to claims (``Claim.note``), beside their verdicts."""
from __future__ import annotations

from ... import claims
from ..document import Section, Table


def build(ctx):
    rows = []
    for r in ctx.claims.itertuples():
        c = claims.REGISTRY.get(r.claim)
        if c is not None and c.note:
            rows.append((r.claim, r.verdict, c.note))
    if not rows:
        return None
    return Section("Remarks on claims", order=15).add(Table(("claim", "verdict", "remark"), rows))
