"""The claim table: the cases a session judged, folded into one row per claim, and its text form.

Also the name a judged case travels under in a pytest report (PROPERTY) and a case's role. Used by
the pytest wiring (collect, print the table) and by the report; it knows nothing of pytest and
nothing of pandas.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List

from . import stats
from .verdicts import CLAIM, combine

# The name under which a judged case travels in a pytest report's user_properties
# (xdist serialises those from its workers to the controller).
PROPERTY = "claimbench_case"


@dataclass(frozen=True)
class ClaimRow:
    claim: str
    verdict: str
    expected: str
    outcome: str
    effect: float
    ci_low: float
    ci_high: float
    effect_name: str
    evidence: str
    cases: int


def role_of(case: dict) -> str:
    """claim, related or control; runs stored before roles existed hold only the claim's cases."""
    return case.get("role") or CLAIM


def cases_of_role(cases: Iterable[dict], role: str) -> List[dict]:
    return [c for c in cases if role_of(c) == role]


def claim_outcome(outcomes: Iterable[str]) -> str:
    """A claim fails if any case failed; passes if all that ran passed or xfailed."""
    os_ = list(outcomes)
    for worst in ("failed", "skipped"):
        if worst in os_:
            return worst
    if all(o == "xfailed" for o in os_):
        return "xfailed"
    return "passed"


def case_line(case: dict) -> str:
    """``k2: 1.93 [1.85, 2.01] holds`` — one case in a claim's evidence."""
    figure = stats.fmt_effect(case.get("effect"), case.get("ci_low"), case.get("ci_high"))
    figure = " " + figure if figure else ""
    return f"{case.get('case') or '-'}:{figure} {case['verdict']}"


def claim_rows(cases: List[dict], order: Iterable[str] = ()) -> List[ClaimRow]:
    """Aggregate judged cases (dicts as stored) into one row per claim.

    Rows follow ``order`` (the registry's order of claim ids), then first-seen order.
    """
    by_claim: Dict[str, List[dict]] = {}
    for c in cases:
        if role_of(c) == CLAIM:  # related findings and controls have verdicts of their own
            by_claim.setdefault(c["claim"], []).append(c)
    rows = []
    for claim, cs in by_claim.items():
        verdict = combine(c["verdict"] for c in cs)
        expected = combine(c["expected"] for c in cs)
        # The headline figure is the first case measured with an interval.
        head = next((c for c in cs if c.get("ci_low") == c.get("ci_low") and c.get("effect_name")), cs[0])
        evidence = "; ".join(case_line(c) for c in cs) if len(cs) > 1 else cs[0].get("evidence", "")
        rows.append(ClaimRow(
            claim=claim, verdict=verdict, expected=expected,
            outcome=claim_outcome(c.get("outcome", "passed") for c in cs),
            effect=head.get("effect", float("nan")), ci_low=head.get("ci_low", float("nan")),
            ci_high=head.get("ci_high", float("nan")), effect_name=head.get("effect_name", ""),
            evidence=evidence, cases=len(cs)))
    rank = {cid: i for i, cid in enumerate(order)}
    return sorted(rows, key=lambda r: rank.get(r.claim, len(rank)))


def text_table(rows: List[ClaimRow]) -> str:
    """The verdict table as plain text for a terminal."""
    headers = ("claim", "verdict", "expected", "outcome", "effect [sequential 95% CI]")
    body = []
    for r in rows:
        if r.effect is None or r.effect != r.effect:
            fig = "-"
        else:
            fig = f"{stats.fmt(r.effect)} [{stats.fmt(r.ci_low)}, {stats.fmt(r.ci_high)}] {r.effect_name}"
        body.append((r.claim, r.verdict, r.expected, r.outcome, fig))
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(headers)]
    line = "  ".join("{:<%d}" % w for w in widths)
    out = [line.format(*headers), line.format(*("-" * w for w in widths))]
    out += [line.format(*b).rstrip() for b in body]
    return "\n".join(out)
