"""Fixtures the experiments share: the ways of running work, as parameters."""
from __future__ import annotations

import pytest

from claimbench.core import ways


def pytest_generate_tests(metafunc):
    """``way``: one test per way named by ``@pytest.mark.ways(...)``; a way this
    runtime lacks is a skipped parameter with its reason, never a silent omission."""
    if "way" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("ways")
    names = marker.args if marker else tuple(ways.WAYS)
    params = []
    for name in names:
        reason = ways.WAYS[name].unavailable()
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(ways.WAYS[name], id=name, marks=marks))
    metafunc.parametrize("way", params)

