"""Building blocks for expectations that follow the runtime."""
from __future__ import annotations

from typing import Optional

from ..core.runtime import Runtime, START_METHODS
from ..core.verdicts import Expectation, HOLDS, INCONCLUSIVE


def always(verdict: str, reason: str = ""):
    def expect(runtime: Runtime, case=None) -> Expectation:
        return Expectation(verdict, reason)
    return expect


def needs_cpus(n: int, runtime: Runtime):
    """None when the machine has n usable CPUs, else the untestable Expectation."""
    if runtime.usable_cpus >= n:
        return None
    return Expectation(INCONCLUSIVE, f"needs {n} usable CPUs, this process may use {runtime.usable_cpus}",
                       testable=False)


def parallel(verdict: str = HOLDS, reason: str = "", cpus: int = 2):
    """A claim that can only be shown with at least ``cpus`` usable CPUs."""
    def expect(runtime: Runtime, case=None) -> Expectation:
        return needs_cpus(cpus, runtime) or Expectation(verdict, reason)
    return expect


NO_GIL = "no GIL on this runtime: there is nothing to release or to share"


def with_gil(verdict: str, reason: str = "", cases=None):
    """A claim about the GIL: untestable where there is none (for ``cases`` only, when given)."""
    def expect(runtime: Runtime, case=None) -> Expectation:
        about_gil = cases is None or any((case or "").startswith(c) for c in cases)
        if about_gil and not runtime.gil_enabled:
            return Expectation(INCONCLUSIVE, NO_GIL, testable=False)
        return Expectation(verdict, reason)
    return expect


NO_SUBINTERPRETERS = "this runtime has no sub-interpreters (concurrent.interpreters needs Python 3.14+)"


def about_subinterpreters(case) -> bool:
    """Is this case (a related finding, or its control) about sub-interpreters? Their case ids, and
    only theirs, say "interpreter" (subinterpreters-k2, control-thread-as-interpreter …)."""
    return "interpreter" in (case or "")


def needs_subinterpreters(runtime: Runtime):
    """None where this runtime has concurrent.interpreters, else the untestable Expectation."""
    if runtime.has_subinterpreters:
        return None
    return Expectation(INCONCLUSIVE, NO_SUBINTERPRETERS, testable=False)


def start_method_missing(runtime: Runtime, case: Optional[str]) -> Optional[Expectation]:
    """The untestable Expectation for a ``processes-<method>`` case this runtime lacks, else None."""
    method = (case or "").replace("processes-", "", 1)
    if case and case.startswith("processes-") and method in START_METHODS \
            and method not in runtime.start_methods:
        return Expectation(INCONCLUSIVE, f"start method {method!r} is not offered here",
                           testable=False)
    return None


def per_start_method(verdict: str, reason: str = ""):
    def expect(runtime: Runtime, case=None) -> Expectation:
        return start_method_missing(runtime, case) or Expectation(verdict, reason)
    return expect
