"""pytest-benchmark's hooks: claimbench's facts beside a stored run, and a word when scales differ."""
from __future__ import annotations

import pytest

from . import benchmark_storage


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_json(config, benchmarks, output_json):
    """claimbench's facts of the run (scale, T, runtime tag, run id, kind) beside pytest-benchmark's,
    not in machine_info: two runs of one machine have the same machine_info, and compare without a warning."""
    cb = getattr(config, "_claimbench", None)
    if cb is not None:
        output_json["claimbench"] = benchmark_storage.facts(cb.scale.name, cb.scale.unit_s, cb.runtime.tag, cb.run_id,
                                                            benchmark_storage.is_controls(config.option.markexpr))


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_compare_machine_info(config, benchmarksession, machine_info, compared_benchmark):
    """Comparing runs of different scales compares different T: say so before any figure is read."""
    cb = getattr(config, "_claimbench", None)
    ours = {"scale": cb.scale.name, "unit_s": cb.scale.unit_s} if cb is not None else {}
    theirs = benchmark_storage.facts_of(compared_benchmark)
    if ours and ours.get("scale") != theirs.get("scale"):
        other = f"scale {theirs.get('scale')} (T = {theirs.get('unit_s')} s)" if theirs \
            else "unknown scale (stored without claimbench's facts)"
        benchmarksession.logger.warning(
            f"claimbench: comparing scale {ours.get('scale')} (T = {ours.get('unit_s')} s) with a run of {other}: every "
            "timing here scales with T, so the differences are the scales', not regressions")
