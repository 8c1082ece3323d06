"""Related findings: what the experiments found next to the notes' sentences, each with its own verdict."""
from __future__ import annotations

from ... import claims
from ..document import Para, Section, Table
from ...core.verdicts import RELATED


def build(ctx):
    if not len(ctx.cases):
        return None
    related = ctx.cases[ctx.cases["role"] == RELATED]
    if not len(related):
        return None
    s = Section("Related findings", order=14)
    s.add(Para("Facts an experiment finds beside the notes' own sentence. Each has its own verdict and "
               "expectation; they change a claim's verdict only where they contradict its sentence."))
    order = {cid: i for i, cid in enumerate(claims.REGISTRY)}
    found = sorted(related.itertuples(), key=lambda r: (order.get(r.claim, len(order)), str(r.case)))
    rows = [(r.claim, r.case or "-", r.verdict, r.expected, r.evidence) for r in found]
    return s.add(Table(("claim", "finding", "verdict", "expected", "evidence"), rows,
                       fold=f"{len(rows)} related findings: "
                            + ", ".join(f"{n} {v}" for v, n in counted(r[2] for r in rows))))


def counted(verdicts):
    """[(verdict, how many)], most first."""
    out = {}
    for v in verdicts:
        out[v] = out.get(v, 0) + 1
    return sorted(out.items(), key=lambda kv: -kv[1])
