"""The claimbench pytest plugin's entry: the hooks and fixtures pytest looks for here by name.

Loaded by the ``pytest11`` entry point once claimbench is installed (and by this repository's
root conftest.py where it is not). It stays inert unless the project's ini file names its claims:

    [pytest]
    claimbench_claims = claimbench.claims          # this repository's: the notes' claims
    # or: claimbench_claims = my_tutorial_claims   # a module with a CLAIMS tuple of Claim(...)

pytest finds a plugin's hooks and fixtures by name on this module; each lives in the module of its job:
options (the --claimbench-… options and ini keys), session (what a session knows), configure,
collection, bench_hooks (pytest-benchmark's), fixtures (scale, T, runtime, judge), reaper (children
left behind), reporting (the stored run, statuses, the terminal's tables). No statistics and no
workloads here: those live in the rest of the package.
"""
from __future__ import annotations

from .bench_hooks import pytest_benchmark_compare_machine_info, pytest_benchmark_update_json
from .collection import pytest_collection_modifyitems, pytest_runtest_setup
from .configure import pytest_configure
from .fixtures import cb_session, judge, runtime, scale, unit_s
from .options import pytest_addoption
from .reaper import confidence_per_test, no_stray_children
from .reporting import (pytest_report_teststatus, pytest_runtest_makereport, pytest_sessionfinish,
                        pytest_terminal_summary)

BUILTIN = "claimbench.claims"
__all__ = ["pytest_addoption", "pytest_benchmark_compare_machine_info", "pytest_benchmark_update_json",
           "pytest_collection_modifyitems", "pytest_configure", "pytest_report_teststatus", "pytest_runtest_makereport",
           "pytest_runtest_setup", "pytest_sessionfinish", "pytest_terminal_summary", "cb_session", "confidence_per_test",
           "judge", "no_stray_children", "runtime", "scale", "unit_s"]
