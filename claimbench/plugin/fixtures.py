"""The fixtures experiments ask for: the session, scale, T, the runtime, and the judge."""
from __future__ import annotations

import json

import pytest

from ..core import claim_table, runtime as rt, scales, verdicts
from .. import claims
from ..core import roles
from . import judging
from .session import Session


@pytest.fixture(scope="session")
def cb_session(pytestconfig) -> Session:
    cb = getattr(pytestconfig, "_claimbench", None)
    if cb is None:
        pytest.fail("claimbench is off in this project: name its claims' module in the ini file "
                    "(claimbench_claims = ...)", pytrace=False)
    return cb


@pytest.fixture(scope="session")
def scale(cb_session) -> scales.Scale:
    return cb_session.scale


@pytest.fixture(scope="session")
def unit_s(scale) -> float:
    """T, the time unit of this scale (2 s in the notes)."""
    return scale.unit_s


@pytest.fixture(scope="session")
def runtime(cb_session) -> rt.Runtime:
    return cb_session.runtime


def _case_id(item) -> str:
    callspec = getattr(item, "callspec", None)
    return callspec.id if callspec else ""


def _store_case(item, case: dict) -> None:
    item.user_properties.append((claim_table.PROPERTY, json.dumps(case, allow_nan=True)))


class Judge:
    """The ``judge`` fixture: a case's ``judging.Judgement`` (from the test's claim marker, its
    parameters and its role), turned into pytest's outcome and stored with the test's report."""

    def __init__(self, item, session: Session):
        self.item = item
        self.claim = claims.get(item.get_closest_marker("claim").args[0])
        self.case = _case_id(item)
        self.session = session
        self.role = roles.of(item)
        self.judgement = judging.Judgement(self.claim, self.case, self.role, session.runtime, session.strict,
                                           item.nodeid)
        self.expectation = self.judgement.expectation

    def skip_untestable(self) -> None:
        untestable = self.judgement.untestable()
        if untestable is not None:
            _store_case(self.item, untestable.case)
            pytest.skip(untestable.summary)

    def measured(self, *args, **kwargs) -> None:
        """``verdicts.measured`` for this test's claim and case (from its marker and parameters)."""
        self(verdicts.measured(self.claim.id, self.case, *args, **kwargs))

    def observed(self, *args, **kwargs) -> None:
        """``verdicts.observed`` for this test's claim and case (from its marker and parameters)."""
        self(verdicts.observed(self.claim.id, self.case, *args, **kwargs))

    def decided(self, decision, *, effect_name: str, evidence: str, data=None, verdict=None) -> None:
        """``verdicts.decided``: a ``decide(...)`` result, its threshold said once where it was decided."""
        self(verdicts.decided(self.claim.id, self.case, decision, effect_name, evidence, data=data, verdict=verdict))

    def __call__(self, verdict: verdicts.Verdict) -> None:
        judged = self.judgement.judge(verdict)
        _store_case(self.item, judged.case)
        if judged.outcome == verdicts.XFAILED:
            pytest.xfail(judged.summary)
        elif judged.outcome == verdicts.SKIPPED:
            pytest.skip("inconclusive: " + judged.summary)
        elif judged.outcome == verdicts.FAILED:
            pytest.fail(judged.summary, pytrace=False)


@pytest.fixture
def judge(request, cb_session):
    """``judge(verdict)``: pass, xfail, skip or fail by the claim's expectation here."""
    j = Judge(request.node, cb_session)
    j.skip_untestable()
    return j
