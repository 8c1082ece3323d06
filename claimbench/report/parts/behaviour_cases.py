"""What each case of a behaviour claim saw: the verdict table keeps only one line per claim."""
from __future__ import annotations

from ..document import Para, Section, Table
from ...core.verdicts import CLAIM


def _is_behaviour(case) -> bool:
    """A case judged by what happened, not by an interval: no rounds, no effect."""
    effect = getattr(case, "effect", float("nan"))
    return not getattr(case, "rounds", 0) and (effect is None or effect != effect)


def build(ctx):
    if not len(ctx.cases):
        return None
    by_claim = {}
    for case in ctx.cases.itertuples():
        if _is_behaviour(case) and case.role == CLAIM:
            by_claim.setdefault(case.claim, []).append(case)
    rows = [(claim, case.case or "-", case.verdict, case.expected, case.evidence)
            for claim, cases in by_claim.items() if len(cases) > 1
            for case in sorted(cases, key=lambda c: str(getattr(c, "nodeid", "")))]
    if not rows:
        return None
    s = Section("Behaviour claims, case by case", order=40)
    s.add(Para("Claims decided by what happened (no timing), with more than one case: each case's "
               "observation. Exit codes below 0 are deaths by signal (−11 = SIGSEGV, −15 = SIGTERM)."))
    return s.add(Table(("claim", "case", "verdict", "expected", "what was seen"), rows,
                       fold=f"{len(rows)} cases of {len({r[0] for r in rows})} claims"))
