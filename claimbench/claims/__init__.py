"""The claim registry: one entry per claim id of CLAIMS.md that has an experiment.

The notes' claims live in families, one package per CLAIMS.md section
(``claimbench/families/c_cost/`` …); each family's ``claims`` module holds a
``CLAIMS`` tuple, found here by name, so adding a family never edits this file.
An entry holds the notes' words, an English statement and the expectation as a
function of the runtime; the experiment lives in ``experiments/`` and names the
claim with ``@pytest.mark.claim(id)``. Another project names its own module of
``CLAIMS`` (``use``). Expectations read only the runtime's fingerprint.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

from ..core.runtime import Runtime
from ..core.verdicts import Expectation

Expect = Callable[[Runtime, Optional[str]], Expectation]


@dataclass(frozen=True)
class Claim:
    id: str
    quote: str        # the notes' own words
    statement: str    # what is tested, in English
    expect: Expect    # (runtime, case or None for the whole claim) -> Expectation
    section: str      # the CLAIMS.md section letter
    note: str = ""    # a remark the report prints beside the verdict
    no_control: str = ""  # why no planted counterpart can be run (rare: say it in the controls table)

    def expectation(self, runtime: Runtime, case: Optional[str] = None) -> Expectation:
        return self.expect(runtime, case)


FAMILIES = "claimbench.families"


def family_module_names(submodule: str = "claims") -> List[str]:
    """The names of the notes' families' ``submodule`` modules (``claims``, ``child``, ``report``)
    that exist, in section order; nothing but the (empty) family packages is imported."""
    families = importlib.import_module(FAMILIES)
    names = (f"{FAMILIES}.{info.name}.{submodule}"
             for info in sorted(pkgutil.iter_modules(families.__path__), key=lambda m: m.name) if info.ispkg)
    return [name for name in names if importlib.util.find_spec(name) is not None]


def family_modules(submodule: str = "claims"):
    """The notes' families' ``submodule`` modules, imported, in section order."""
    return [importlib.import_module(name) for name in family_module_names(submodule)]


def _discover() -> Dict[str, Claim]:
    found: Dict[str, Claim] = {}
    for module in family_modules():
        for claim in getattr(module, "CLAIMS", ()):
            if claim.id in found:
                raise ValueError(f"claim {claim.id!r} registered twice")
            found[claim.id] = claim
    return found


REGISTRY: Dict[str, Claim] = _discover()
BUILTIN: Dict[str, Claim] = dict(REGISTRY)  # the notes' claims, whatever a project uses


def use(modules: Sequence[str]) -> None:
    """Make REGISTRY the claims of ``modules``: each names a module with a ``CLAIMS`` tuple of
    ``Claim``; ``claimbench.claims`` stands for the notes' own. The pytest plugin calls it with its
    ini key ``claimbench_claims``, so another tutorial's claims live in their own project."""
    found: Dict[str, Claim] = {}
    for name in modules:
        if name == __name__:
            entries = list(BUILTIN.values())
        else:
            entries = getattr(importlib.import_module(name), "CLAIMS", None)
            if entries is None:
                raise ValueError(f"module {name!r} has no CLAIMS tuple")
        for claim in entries:
            if not isinstance(claim, Claim):
                raise ValueError(f"{claim!r} in {name}.CLAIMS is not a claimbench Claim")
            if claim.id in found:
                raise ValueError(f"claim {claim.id!r} registered twice")
            found[claim.id] = claim
    REGISTRY.clear()
    REGISTRY.update(found)


class UnknownClaim(KeyError):
    pass


def get(claim_id: str) -> Claim:
    try:
        return REGISTRY[claim_id]
    except KeyError:
        raise UnknownClaim(f"unknown claim id {claim_id!r} (not among this project's claims: "
                           f"{', '.join(sorted(REGISTRY)) or 'none'})") from None
