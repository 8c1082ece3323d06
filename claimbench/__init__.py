"""claimbench: what a tutorial says about processes, threads and coroutines, checked as pytest tests.

The package is four layers, each a subpackage (ARCHITECTURE.md draws them):
``core`` (measuring: what experiments and their child processes import; standard library and
psutil only), ``claims`` (the registry) with ``families`` (the notes' claims, one package per
section of CLAIMS.md), ``plugin`` (pytest), ``report`` (pandas, matplotlib) and ``commands``.

This module stays empty on purpose: child processes import it on their way to their code, and
it must cost them nothing. The names an author of claims uses are found lazily::

    from claimbench import verdicts, stats, roles      # = claimbench.core.verdicts, ...
    from claimbench.core.measure import Interleaved, Seconds
    from claimbench.claims import Claim
"""
from __future__ import annotations

import importlib

# The measuring core's modules an author of claims writes against, reachable as claimbench.<name>.
PUBLIC = ("labels", "measure", "roles", "runtime", "scales", "stats", "verdicts")


def __getattr__(name: str):
    if name in PUBLIC:
        return importlib.import_module("{}.core.{}".format(__name__, name))
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))
