"""claimbench.core.bench_variants: names and params of the per-variant pytest-benchmark entries."""
from __future__ import annotations

from claimbench.core import bench_variants as bv


def test_variant_name():
    assert bv.variant_name("test_x[k2]", "threads") == "test_x[k2-threads]"
    assert bv.variant_name("test_x", "threads") == "test_x[threads]"
    assert bv.variant_name("m.py::test_x[k2]", "1KiB/pipe") == "m.py::test_x[k2-1KiB-pipe]"


def test_plain_params_keep_what_json_keeps():
    class Way:
        name = "processes-spawn"
    assert bv.plain_params({"k": 2, "way": Way(), "pools": ["a"]}) == {"k": 2, "way": "processes-spawn",
                                                                     "pools": ["a"]}


def test_split_without_an_entry_does_nothing():
    class Disabled:
        stats = None
    assert bv.split(Disabled(), {"a": [1.0]}) == 0
