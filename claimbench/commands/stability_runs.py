"""The runs of a stability study as the summary sees them, and the rates of wrong verdicts (pure).

A **wrong** verdict is a settled one (holds, partly, refuted) against a settled expectation on
that run's runtime: refuted where holds is expected, holds where refuted is, partly against
either. A case expected ``machine-dependent`` is never wrong, and neither is an inconclusive
one: inconclusive verdicts are counted apart. Per claim and run: the run is *wrong* when the
claim's verdict or one of the claim's own cases (not its related findings, not its controls) is
wrong, so a wrong case hidden behind an inconclusive claim counts; else *inconclusive* when the
claim's verdict is; a run that gave the claim no verdict is *missing* and left out of n. Each
rate comes with its 95 % Wilson score interval (``claimbench.commands.wilson``).

Controls (cases of role ``control``; a verify run holds none, a run with ``-m control`` does):
how many ran (their plant is settled) and how many did not come out as planted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

from ..core import claim_table as book, records, verdicts
from .wilson import wilson

QUIET = "quiet"
ONE_CPU = "one-cpu"
HOG = "hog"
CONDITIONS = (QUIET, ONE_CPU, HOG)
LABELS = {QUIET: "quiet", ONE_CPU: "one CPU", HOG: "CPU hog"}
MISSING = "missing"  # the claim has no verdict in that run (the run broke off, or the claim did not run)
SETTLED = (verdicts.HOLDS, verdicts.PARTLY, verdicts.REFUTED)
REASON_CHARS = 160  # an inconclusive claim's reason, as the tables show it


@dataclass(frozen=True)
class ConditionRun:
    """One verify run of the study: its condition, each claim's verdict and each case's."""

    condition: str
    run_id: str
    verdicts: Dict[str, str]                               # claim -> verdict (combined over its cases)
    reasons: Dict[str, str] = field(default_factory=dict)  # claim -> why, for inconclusive ones
    usable_cpus: Optional[int] = None
    exit_status: Optional[int] = None
    cases: Dict[str, str] = field(default_factory=dict)    # "claim [case]" -> verdict
    expected: Dict[str, str] = field(default_factory=dict)  # claim or "claim [case]" -> expected on that runtime
    roles: Dict[str, str] = field(default_factory=dict)    # "claim [case]" -> related or control (claim: absent)


def case_key(case: dict) -> str:
    """``claim [case]``; a case without an id is named by its test."""
    name = case.get("case") or str(case.get("nodeid", "")).split("::")[-1] or "-"
    return f"{case['claim']} [{name}]"


def condition_run(condition: str, run_id: str, recs: Sequence[records.RunRecord],
                  exit_status: Optional[int] = None) -> ConditionRun:
    """A ConditionRun from the stored sessions of one verify run."""
    cases = [c for rec in recs for c in rec.verdicts]
    rows = book.claim_rows(cases) if cases else []
    reasons = {}
    for row in rows:
        if row.verdict == verdicts.INCONCLUSIVE:
            why = next((c.get("evidence", "") for c in cases
                        if c["claim"] == row.claim and c["verdict"] == verdicts.INCONCLUSIVE), "")
            reasons[row.claim] = why if len(why) <= REASON_CHARS else why[:REASON_CHARS - 1] + "…"
    expected = {r.claim: r.expected for r in rows}
    expected.update({case_key(c): c.get("expected", "") for c in cases})
    cpus = next((rec.runtime.get("usable_cpus") for rec in recs if "usable_cpus" in rec.runtime), None)
    return ConditionRun(condition=condition, run_id=run_id, verdicts={r.claim: r.verdict for r in rows},
                        reasons=reasons, usable_cpus=cpus, exit_status=exit_status,
                        cases={case_key(c): c["verdict"] for c in cases}, expected=expected,
                        roles={case_key(c): book.role_of(c) for c in cases if book.role_of(c) != verdicts.CLAIM})


def is_wrong(verdict: Optional[str], expected: Optional[str]) -> bool:
    """A settled verdict against a settled expectation (never one expected machine-dependent)."""
    return verdict in SETTLED and expected in SETTLED and verdict != expected


def rate(k: int, n: int) -> dict:
    """k of n with its 95 % Wilson interval, as the summary stores it."""
    low, high = wilson(k, n)
    return {"k": k, "n": n, "low": low, "high": high}


def cases_of(claim: str, keys: Iterable[str]) -> List[str]:
    return [k for k in keys if k.startswith(claim + " [")]


def own_cases(run: ConditionRun, claim: str) -> List[str]:
    """The claim's own cases in ``run``: not its related findings, not its controls."""
    return [k for k in cases_of(claim, run.cases) if run.roles.get(k, verdicts.CLAIM) == verdicts.CLAIM]


def outcome_of(run: ConditionRun, claim: str) -> str:
    """wrong, inconclusive, right or missing: what ``run`` made of ``claim`` against its expectation."""
    verdict = run.verdicts.get(claim)
    if verdict is None:
        return MISSING
    if is_wrong(verdict, run.expected.get(claim)) or any(
            is_wrong(run.cases[k], run.expected.get(k)) for k in own_cases(run, claim)):
        return "wrong"
    return verdicts.INCONCLUSIVE if verdict == verdicts.INCONCLUSIVE else "right"


def claim_rates(claim: str, runs: Sequence[ConditionRun]) -> dict:
    """The claim's rates over ``runs`` (one condition's): runs, missing, wrong and inconclusive
    (and how many of those its expectation called untestable there)."""
    outcomes = [outcome_of(r, claim) for r in runs]
    judged = len(runs) - outcomes.count(MISSING)
    out = {"runs": len(runs), "missing": outcomes.count(MISSING),
           "wrong": rate(outcomes.count("wrong"), judged),
           "inconclusive": rate(outcomes.count(verdicts.INCONCLUSIVE), judged),
           # of the inconclusive ones, those the expectation on that runtime called untestable (one CPU)
           "untestable": sum(1 for r, o in zip(runs, outcomes) if o == verdicts.INCONCLUSIVE
                             and r.expected.get(claim) == verdicts.INCONCLUSIVE)}
    ran, off = controls_of(runs, claim)
    if ran:
        out["controls"] = {"ran": ran, "not_as_planted": off}
    return out


def wrong_cases(claim: str, runs: Sequence[ConditionRun]) -> Dict[str, dict]:
    """Each case of ``claim`` (its own and its related findings) that was wrong in some run: its rate."""
    keys: List[str] = []
    for r in runs:
        keys.extend(k for k in cases_of(claim, r.cases)
                    if k not in keys and r.roles.get(k, verdicts.CLAIM) != verdicts.CONTROL)
    out = {}
    for key in keys:
        held = [r for r in runs if key in r.cases]
        k = sum(1 for r in held if is_wrong(r.cases[key], r.expected.get(key)))
        if k:
            role = next((r.roles[key] for r in held if key in r.roles), verdicts.CLAIM)
            out[key] = dict(rate(k, len(held)), role=role)
    return out


def as_planted(verdict: str, planted: Optional[str]) -> Optional[bool]:
    """Whether a control came out as planted; None where it could not run (no settled plant)."""
    if planted in (None, "", verdicts.INCONCLUSIVE):
        return None
    return verdict == planted and verdict != verdicts.INCONCLUSIVE


def controls_of(runs: Sequence[ConditionRun], claim: str = "") -> tuple:
    """(controls that ran, of them not as planted) over ``runs``; of one claim, or of all."""
    ran = off = 0
    for r in runs:
        for key, role in r.roles.items():
            if role != verdicts.CONTROL or (claim and not key.startswith(claim + " [")) or key not in r.cases:
                continue
            planted = as_planted(r.cases[key], r.expected.get(key))
            if planted is not None:
                ran += 1
                off += not planted
    return ran, off


def controls_off(runs: Sequence[ConditionRun]) -> Dict[str, int]:
    """Each control that did not come out as planted in some run of ``runs``: in how many."""
    out: Dict[str, int] = {}
    for r in runs:
        for key, role in r.roles.items():
            if role == verdicts.CONTROL and key in r.cases \
                    and as_planted(r.cases[key], r.expected.get(key)) is False:
                out[key] = out.get(key, 0) + 1
    return out
