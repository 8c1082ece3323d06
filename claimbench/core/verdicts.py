"""From decisions to verdicts, and from verdicts to test outcomes."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Optional

from . import stats

HOLDS = "holds"
REFUTED = "refuted"
PARTLY = "partly"
INCONCLUSIVE = "inconclusive"
VERDICTS = (HOLDS, PARTLY, REFUTED, INCONCLUSIVE)
# An expectation, never a verdict: the answer hinges on hardware the suite cannot know in
# advance (how a disk serialises fsync). The case is reported and explained; it neither
# passes nor fails on its verdict, and its evidence names the measured property that decided it.
MACHINE_DEPENDENT = "machine-dependent"

# What a judged case is to its claim (claimbench/core/roles.py reads it from the test's markers).
CLAIM = "claim"      # answers the notes' own sentence: it makes the claim's verdict
RELATED = "related"  # a neighbouring fact the experiment found: its own verdict, beside the claim's
CONTROL = "control"  # the experiment run on a planted counterpart: must come out as planted
ROLES = (CLAIM, RELATED, CONTROL)

# Test outcomes, named as pytest names them.
PASSED = "passed"
XFAILED = "xfailed"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass(frozen=True)
class Expectation:
    """What a claim should come out as on a given runtime, and why.

    ``testable`` is False where the machine cannot test the claim at all
    (one usable core for a parallelism claim): the test is skipped with ``reason``.
    """

    verdict: str
    reason: str = ""
    testable: bool = True


@dataclass(frozen=True)
class Verdict:
    """One measured case of one claim: the effect, its interval and the verdict."""

    claim: str
    case: str
    verdict: str
    effect: float
    ci_low: float
    ci_high: float
    effect_name: str
    threshold: str
    evidence: str
    rounds: int = 0
    data: dict = field(default_factory=dict)
    # The decision as numbers (decision.Decision.as_dict: effect interval, threshold, direction,
    # A/A null, outcome), for a case decided by the shared rule; None for others and older runs.
    decision: Optional[dict] = None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Verdict":
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


def from_decision(decision: str) -> str:
    """Map a threshold decision onto a verdict."""
    return {stats.INSIDE: HOLDS, stats.OUTSIDE: REFUTED}.get(decision, INCONCLUSIVE)


def measured(claim: str, case: str, interval: stats.Interval, decision,
             effect_name: str, threshold: str, evidence: str, data: Optional[dict] = None,
             verdict: Optional[str] = None) -> Verdict:
    """A Verdict for an effect with an interval; ``verdict`` overrides the decision.

    ``decision`` is an outcome (``stats.INSIDE`` ...) or a ``decision.Decision``, whose numbers are
    stored with the case, whose verdict is the default, and whose reason (a gate, the null) opens
    the evidence where it left the case undecided.
    """
    typed = decision.as_dict() if hasattr(decision, "as_dict") else None
    if typed is not None:
        verdict = verdict or decision.verdict()
        reason = decision.reason
        if reason and verdict == INCONCLUSIVE and reason not in evidence:
            evidence = f"{reason[0].upper() + reason[1:]}. {evidence}"
        evidence += decision.null_words() if decision.null_words() not in evidence else ""
    return Verdict(
        claim=claim, case=case,
        verdict=verdict or from_decision(decision),
        effect=interval.median, ci_low=interval.low, ci_high=interval.high,
        effect_name=effect_name, threshold=threshold, evidence=evidence,
        rounds=interval.n, data=dict(data or {}), decision=typed,
    )


def decided(claim: str, case: str, decision, effect_name: str, evidence: str, data: Optional[dict] = None,
            verdict: Optional[str] = None) -> Verdict:
    """A Verdict from a ``decision.Decision``: its effect, its threshold (said once, where it was
    decided) and its verdict; ``verdict`` overrides it."""
    sign = {"above": ">", "below": "<"}.get(decision.direction, "?")
    return measured(claim, case, decision.effect, decision, effect_name, f"{sign} {stats.fmt(decision.threshold)}",
                    evidence, data=data, verdict=verdict)


def observed(claim: str, case: str, verdict: str, evidence: str,
             data: Optional[dict] = None, effect: float = float("nan"),
             effect_name: str = "", threshold: str = "") -> Verdict:
    """A Verdict for a behaviour (no timing): what was seen decides it."""
    return Verdict(claim=claim, case=case, verdict=verdict, effect=effect,
                   ci_low=effect, ci_high=effect, effect_name=effect_name,
                   threshold=threshold, evidence=evidence, rounds=0, data=dict(data or {}))


def combine(verdicts: Iterable[str]) -> str:
    """One verdict from the verdicts of a claim's parts.

    All hold → holds; all refuted → refuted; a mix of the two (or any
    part that is itself partly) → partly; anything unsettled → inconclusive.
    """
    vs = list(verdicts)
    if MACHINE_DEPENDENT in vs:  # expectations only: one case that hangs on the machine makes the claim so,
        known = set(vs) - {MACHINE_DEPENDENT}  # unless the other cases already mix: then it is partly anyway
        return PARTLY if PARTLY in known or {HOLDS, REFUTED} <= known else MACHINE_DEPENDENT
    if not vs or INCONCLUSIVE in vs:
        return INCONCLUSIVE
    kinds = set(vs)
    if kinds == {HOLDS}:
        return HOLDS
    if kinds == {REFUTED}:
        return REFUTED
    return PARTLY


def outcome(verdict: str, expectation: Expectation, strict: bool = False) -> str:
    """The test outcome for a verdict on this runtime.

    pass when it matches the expectation; xfail when the runtime is expected to
    refute the claim and does; skip when the machine cannot test it or the
    evidence is inconclusive (fail instead under ``strict``); fail otherwise.
    """
    if not expectation.testable:
        return SKIPPED
    if verdict == INCONCLUSIVE:
        return FAILED if strict else SKIPPED
    if expectation.verdict == MACHINE_DEPENDENT:
        return PASSED
    if verdict != expectation.verdict:
        return FAILED
    if verdict == REFUTED:
        return XFAILED
    return PASSED
