"""What a case of an experiment is to its claim: the claim's own case, a related finding, or a control.

An experiment marks them where it parametrizes:

    @pytest.mark.parametrize("reader", [
        pytest.param(communication.endless_reader, id="notes-reader"),
        related("sentinel", communication.sentinel_reader, why="a sentinel ends a changed reader cleanly"),
        control("reader-that-exits", communication.self_ending_reader, why="a reader that returns by itself"),
    ])

A **control** runs the experiment on a planted counterpart where the claim is known to be false
(or true, for a claim this runtime is expected to refute), and must come out as planted: it is
what shows that the experiment can tell. A **related finding** is a neighbouring fact the
experiment finds on the way; it has its own verdict and expectation (the claim's ``expect`` with
the case id) and does not make the claim's verdict. Everything unmarked answers the notes' sentence.

``-m control`` selects the controls, ``-m "not control"`` the rest (`make controls`, `make verify`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

from .runtime import Runtime
from .verdicts import CLAIM, CONTROL, Expectation, REFUTED, RELATED

CONTROL_PREFIX = "control-"

# What a control must come out as: a verdict, or one that follows the runtime.
Planted = Union[str, Callable[[Runtime], Expectation]]


@dataclass(frozen=True)
class Role:
    role: str = CLAIM
    control: str = ""            # the planted counterpart's name
    expect: Optional[Planted] = None
    why: str = ""                # what was planted, and why the claim must fail (or hold) there

    def resolve(self, runtime: Runtime, claims_own: Expectation) -> Expectation:
        """What this case must come out as: its plant for a control, else the claim's expectation.
        A control of a case the machine cannot test is untestable too."""
        planted = self.expectation(runtime)
        return planted if planted is not None and claims_own.testable else claims_own

    def stamp(self, case: dict) -> dict:
        """``case`` (a stored verdict) with this role on it."""
        return dict(case, role=self.role, control=self.control)

    def expectation(self, runtime: Runtime) -> Optional[Expectation]:
        """A control's own expectation; None for the claim's cases and related findings."""
        if self.role != CONTROL:
            return None
        if callable(self.expect):
            return self.expect(runtime)
        return Expectation(self.expect or REFUTED, "planted: " + self.why)


def control(name: str, *values, expect: Planted = REFUTED, why: str, id: str = ""):
    """A ``pytest.param`` that runs the experiment on a planted counterpart named ``name``."""
    import pytest
    return pytest.param(*values, id=id or CONTROL_PREFIX + name,
                        marks=pytest.mark.control(name=name, expect=expect, why=why))


def related(case: str, *values, why: str = ""):
    """A ``pytest.param`` whose verdict is a related finding, not the claim's."""
    import pytest
    return pytest.param(*values, id=case, marks=pytest.mark.related(why=why))


def of(item) -> Role:
    """The role of a collected test item, from its ``control`` / ``related`` markers."""
    marker = item.get_closest_marker("control")
    if marker is not None:
        kw = dict(marker.kwargs)
        name = kw.get("name") or (marker.args[0] if marker.args else item.name)
        return Role(CONTROL, control=name, expect=kw.get("expect", REFUTED), why=kw.get("why", ""))
    if item.get_closest_marker("related") is not None:
        return Role(RELATED)
    return Role(CLAIM)


MARKERS = (
    "control(name, expect='refuted', why=''): this case runs the experiment on a planted counterpart "
    "and must come out as planted",
    "related(why=''): this case is a related finding with its own verdict, not the claim's",
)
