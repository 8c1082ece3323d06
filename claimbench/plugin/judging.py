"""Judging a case and building a run's record: plain classes and functions, no pytest.

``Judgement`` holds what a test's case is to be judged against here: the claim's expectation
on this runtime for that case, or its plant for a control (``roles.Role.resolve``). Given a
``Verdict`` it says the test's outcome (passed, xfailed, skipped, failed), the case as stored,
and the one line the test reports. ``record_payload`` is the stored record of a session. The
pytest plugin (claimbench/plugin/__init__.py) only turns these into pytest's outcomes and files.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from ..core import records, stats, verdicts
from ..core.roles import Role


@dataclass(frozen=True)
class Outcome:
    """A judged case: the test's outcome, the case as stored, and what the test says."""

    outcome: str
    case: dict
    summary: str


class Judgement:
    """The expectation one case of one claim is judged against on ``runtime``."""

    def __init__(self, claim, case: str, role: Role, runtime, strict: bool = False, nodeid: str = ""):
        self.claim, self.case, self.role, self.strict, self.nodeid = claim, case, role, strict, nodeid
        self.expectation = role.resolve(runtime, claim.expectation(runtime, case or None))

    def stored(self, verdict: verdicts.Verdict, outcome: str) -> dict:
        case = self.role.stamp(verdict.as_dict())
        case.update(expected=self.expectation.verdict, expected_reason=self.expectation.reason,
                    outcome=outcome, nodeid=self.nodeid)
        return case

    def untestable(self) -> Optional[Outcome]:
        """Where this runtime cannot test the case: its inconclusive, skipped record; else None."""
        if self.expectation.testable:
            return None
        reason = "not testable here: " + self.expectation.reason
        v = verdicts.observed(self.claim.id, self.case, verdicts.INCONCLUSIVE, reason)
        return Outcome(verdicts.SKIPPED, self.stored(v, verdicts.SKIPPED), f"{self.claim.id}: {reason}")

    def judge(self, verdict: verdicts.Verdict) -> Outcome:
        if verdict.claim != self.claim.id:
            raise ValueError(f"verdict for {verdict.claim!r} given to the judge of {self.claim.id!r}")
        if not verdict.case and self.case:
            verdict = verdicts.Verdict(**dict(verdict.as_dict(), case=self.case))
        control = self.role.role == verdicts.CONTROL
        # A control is always strict: one that could not refute (inconclusive) has not shown that the
        # experiment can come out otherwise, whatever STRICT says for the claims' own cases.
        # ... unless a gate settled it: the machine could not show what the experiment needs then (real
        # processes without parallel capacity), whatever the plant; that is untestable now, a skip.
        gated = verdict.verdict == verdicts.INCONCLUSIVE and bool((verdict.decision or {}).get("gate"))
        outcome = verdicts.outcome(verdict.verdict, self.expectation, self.strict or (control and not gated))
        if control and outcome == verdicts.XFAILED:
            outcome = verdicts.PASSED  # refuted as planted: the control did its job
        figure = ""
        if verdict.effect == verdict.effect:  # not nan
            effect, low, high = (stats.fmt(x) for x in (verdict.effect, verdict.ci_low, verdict.ci_high))
            figure = f" ({verdict.effect_name or 'effect'} = {effect} [{low}, {high}])"
        strict = "not as planted (a control is always strict): " if control and outcome == verdicts.FAILED else ""
        reason = " — " + self.expectation.reason if self.expectation.reason else ""
        summary = (f"{strict}{'control of ' if control else ''}{self.claim.id} [{verdict.case}]: "
                   f"{verdict.verdict}{figure}; expected {self.expectation.verdict}{reason}. {verdict.evidence}")
        return Outcome(outcome, self.stored(verdict, outcome), summary)


def record_payload(scale, runtime: dict, cases: Dict[str, dict], durations: Dict[str, float], started: str,
                   wall_s: float, exitstatus: int, benchmark_file: Optional[str]) -> dict:
    """A session's stored record: its scale, runtime, every judged case (with what it took, set-up
    to teardown, for the estimates of the time left), and where its raw timings went."""
    return {
        "scale": {"name": scale.name, "unit_s": scale.unit_s},
        "runtime": runtime,
        "verdicts": [dict(case, duration_s=round(durations.get(nodeid, 0.0), 3)) for nodeid, case in cases.items()],
        "started": started,
        "wall_s": wall_s,
        "exitstatus": int(exitstatus),
        "benchmark_file": records.portable_path(str(benchmark_file)) if benchmark_file else None,
    }
