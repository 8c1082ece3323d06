"""pytest-benchmark entries that speak the claims: one per variant of an interleaved measurement.

pytest-benchmark times what ``benchmark.pedantic`` runs: here one interleaved round of every
variant, summed (sequential + threads + processes), which is not what any claim compares. After
a measurement, ``split`` replaces that entry by one entry per variant, built from the variant's
own samples (one per round), named ``test_x[k2-threads]``, with ``variant`` among its params and
the claim as its group: ``--benchmark-compare`` lists threads and processes as rows of their own,
``--benchmark-compare-fail=median:10%`` checks each, ``--benchmark-group-by=param:variant`` and
the histogram see them apart. Works with pytest-benchmark 4.0 to 5.x (the matrix's pins).
"""
from __future__ import annotations

import copy
import json
from typing import Dict, Sequence


def variant_name(name: str, variant: str) -> str:
    """``test_x[k2]`` + threads → ``test_x[k2-threads]``; ``test_x`` + threads → ``test_x[threads]``."""
    variant = variant.replace("/", "-").replace(" ", "_")
    if name.endswith("]") and "[" in name:
        return f"{name[:-1]}-{variant}]"
    return f"{name}[{variant}]"


def plain_params(params) -> dict:
    """Params as JSON keeps them: a value JSON cannot hold (a Way object) becomes its str()."""
    out = {}
    for k, v in (params or {}).items():
        try:
            json.dumps(v)
            out[k] = v
        except (TypeError, ValueError):
            out[k] = str(getattr(v, "name", v))
    return out


def split(benchmark, samples: Dict[str, Sequence[float]], group: str = "") -> int:
    """Replace ``benchmark``'s summed entry by one per variant of ``samples``; the entries made.

    Does nothing where the fixture is disabled or made no entry (``--benchmark-disable``,
    under xdist), or where this pytest-benchmark keeps its entries elsewhere.
    """
    stats = getattr(benchmark, "stats", None)
    add = getattr(benchmark, "_add_stats", None)
    entries = getattr(add, "__self__", None)
    if stats is None or not isinstance(entries, list) or stats not in entries:
        return 0
    from pytest_benchmark.stats import Metadata

    made = []
    for variant, values in samples.items():
        values = [float(v) for v in values if v == v]
        if not values:
            continue
        fixture = copy.copy(benchmark)
        fixture.name = variant_name(benchmark.name, variant)
        fixture.fullname = variant_name(benchmark.fullname, variant)
        fixture.group = group or benchmark.group
        fixture.params = dict(plain_params(benchmark.params), variant=variant)
        fixture.param = f"{benchmark.param}-{variant}" if benchmark.param else variant
        fixture.extra_info = {k: v for k, v in benchmark.extra_info.items() if k != "samples_s"}
        fixture.extra_info["variant"] = variant
        entry = Metadata(fixture, iterations=1, options=dict(stats.options))
        for v in values:
            entry.stats.update(v)
        made.append(entry)
    if made:
        entries.remove(stats)
        entries.extend(made)
    return len(made)
