"""claimbench: what a tutorial says about processes, threads and coroutines, checked as pytest tests.

The package is four layers, each a subpackage (ARCHITECTURE.md draws them):
``core`` (measuring: what experiments and their child processes import; standard library and
psutil only), ``claims`` (the registry) with ``families`` (the notes' claims, one package per
section of CLAIMS.md), ``plugin`` (pytest), ``report`` (pandas, matplotlib) and ``commands``.

This module stays empty on purpose: child processes import it on their way to their code, and
it must cost them nothing. The names an author of claims uses are found lazily, from one import::

    from claimbench import Claim, always, control, related, Interleaved, Seconds, Built, decide, ABOVE, BELOW
    from claimbench import HOLDS, REFUTED, verdicts, stats   # modules of the core too

README's "Claims of your own" walks through a project that uses only these.
"""
from __future__ import annotations

import importlib

# The measuring core's modules an author of claims writes against, reachable as claimbench.<name>.
PUBLIC = ("labels", "measure", "roles", "runtime", "scales", "stats", "verdicts")


# What an author of claims writes with, each from the one module that holds it.
NAMES = {
    "Claim": "claims", "always": "claims.expect", "parallel": "claims.expect", "with_gil": "claims.expect",
    "control": "core.roles", "related": "core.roles",
    "Interleaved": "core.measure", "Seconds": "core.measure", "Measured": "core.measure", "Built": "core.measure",
    "decide": "core.decision", "ABOVE": "core.decision", "BELOW": "core.decision", "Decision": "core.decision",
    "HOLDS": "core.verdicts", "REFUTED": "core.verdicts", "PARTLY": "core.verdicts",
    "INCONCLUSIVE": "core.verdicts", "MACHINE_DEPENDENT": "core.verdicts", "Expectation": "core.verdicts",
}
__all__ = sorted(NAMES) + list(PUBLIC)


def __getattr__(name: str):
    if name in PUBLIC:
        return importlib.import_module(f"{__name__}.core.{name}")
    if name in NAMES:
        return getattr(importlib.import_module(f"{__name__}.{NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
