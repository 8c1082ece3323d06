"""A verdict row for an experiment that never reached its verdict.

An experiment that errors in set-up, raises, or hits its time limit (pytest-timeout:
``timeout`` in pytest.ini) before it hands a verdict to ``judge`` would otherwise
leave no row at all, and its claim would vanish from the table. Instead it gets a
case with verdict ``inconclusive`` and the error's last line as the reason.

Its outcome is ``failed``, and the pytest report stays failed: an experiment that
cannot finish is a defect of the experiment (or a hung child), not evidence either
way, and skipping it would hide that. pytest goes on with the next test, so one
timeout costs one claim, not the run; the run exits non-zero and the report shows
the claim as inconclusive / failed with the reason. (The fixtures' teardown has
already killed any child the test left behind.)

Duck-typed on pytest's item and report: no pytest import here.
"""
from __future__ import annotations

from typing import Optional

from ..core import claim_table, roles, verdicts
from .. import claims
from ..core.runtime import Runtime

TIMEOUT_MARK = "Timeout"  # pytest-timeout's failure message starts "Timeout (>300.0s) ..."


def error_line(longrepr) -> str:
    """The one line that says what went wrong: the exception line of the report."""
    crash = getattr(longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if message and message.strip():
        return message.strip().splitlines()[0]
    text = str(longrepr or "").strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("E "):
            return ln[1:].strip()
    return lines[-1] if lines else "no error text"


def reason(phase: str, line: str) -> str:
    if line.startswith(NEVER_JUDGED):
        return "no verdict: " + NEVER_JUDGED[len("the test "):]
    if TIMEOUT_MARK in line:
        what = "timed out"
    elif phase == "setup":
        what = "could not be set up"
    else:
        what = "failed before it reached a verdict"
    return f"no verdict: the experiment {what} ({line})"


def has_case(user_properties) -> bool:
    return any(name == claim_table.PROPERTY for name, _ in user_properties)


def claim_of(item) -> Optional[str]:
    marker = item.get_closest_marker("claim")
    return marker.args[0] if marker is not None and marker.args else None


NEVER_JUDGED = "the test ended without a verdict: it never called judge.measured or judge.observed"


def never_judged(item, report) -> bool:
    """A claim's test whose call passed without handing a verdict to the judge: it checks nothing."""
    if report.when != "call" or not report.passed or getattr(report, "wasxfail", None) is not None:
        return False
    claim_id = claim_of(item)
    return claim_id is not None and claim_id in claims.REGISTRY and not has_case(item.user_properties)


def case_for(item, report, runtime: Runtime) -> Optional[dict]:
    """The inconclusive case for a failed set-up or call of a claim's test that judged nothing, else None."""
    if not report.failed or report.when not in ("setup", "call"):
        return None
    claim_id = claim_of(item)
    if claim_id is None or claim_id not in claims.REGISTRY:
        return None
    if has_case(item.user_properties) or has_case(report.user_properties):
        return None
    callspec = getattr(item, "callspec", None)
    case_id = callspec.id if callspec else ""
    role = roles.of(item)
    try:
        expectation = role.resolve(runtime, claims.get(claim_id).expectation(runtime, case_id or None))
    except Exception as exc:  # the expectation itself may be what broke
        expectation = verdicts.Expectation(verdicts.INCONCLUSIVE, f"expectation failed: {exc}")
    line = error_line(report.longrepr)
    v = verdicts.observed(claim_id, case_id, verdicts.INCONCLUSIVE, reason(report.when, line),
                          data={"error": line, "phase": report.when})
    case = role.stamp(v.as_dict())
    case.update(expected=expectation.verdict, expected_reason=expectation.reason,
                outcome=verdicts.FAILED, nodeid=item.nodeid)
    return case
