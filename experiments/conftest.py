"""Fixtures the experiments share: the ways of running work, and their controls, as parameters."""
from __future__ import annotations

import itertools

import pytest

from claimbench.core import ways


def pytest_generate_tests(metafunc):
    """``way``: one test per entry of ``@pytest.mark.ways(...)``. An entry is a way's name (a way this
    runtime lacks is a skipped parameter with its reason, never a silent omission) or a control,
    ``roles.control(name, ways.PlantedWay(...), why=...)``: the same experiment on its plant, beside
    the real cases.

    ``per={"argname": [values]}`` parametrizes those arguments together with ``way``: each way runs
    with every combination of them (ids ``<way>-<value>``), and a control either names its own values
    after its stand-in (one case, ``control-<name>``: a plant of one of them) or, naming none, runs
    with every combination too."""
    if "way" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("ways")
    entries = marker.args if marker else tuple(ways.WAYS)
    per = dict(marker.kwargs.get("per", {})) if marker else {}
    argnames = ("way",) + tuple(per)
    combinations = list(itertools.product(*([_as_param(v) for v in values] for values in per.values())))
    params = []
    for entry in entries:
        head = pytest.param(ways.WAYS[entry], id=entry) if isinstance(entry, str) else entry
        skip = _skipped_if_unavailable(head.values[0])
        if len(head.values) == len(argnames):  # a way with no `per`, or a control naming its own values
            params.append(pytest.param(*head.values, id=head.id, marks=list(head.marks) + skip))
            continue
        for combination in combinations:
            params.append(pytest.param(
                *(head.values + tuple(p.values[0] for p in combination)),
                id="-".join([head.id] + [p.id for p in combination]),
                marks=list(head.marks) + [m for p in combination for m in p.marks] + skip))
    metafunc.parametrize(",".join(argnames), params)


def _as_param(value):
    """A ``per`` value as a pytest.param with an id: strings and numbers are their own ids."""
    if isinstance(value, tuple) and hasattr(value, "marks"):  # pytest.param(...)
        if value.id is None:
            raise ValueError(f"give {value!r} in ways(per=...) an id")
        return value
    if not isinstance(value, (str, int)):
        raise ValueError(f"give {value!r} in ways(per=...) an id: pytest.param(value, id=...)")
    return pytest.param(value, id=str(value))


def _skipped_if_unavailable(way) -> list:
    reason = way.unavailable() if hasattr(way, "unavailable") else None
    return [pytest.mark.skip(reason=reason)] if reason else []
