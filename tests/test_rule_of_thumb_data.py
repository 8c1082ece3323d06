"""Section E's typed data reads the dicts its experiments store, and nothing else."""
from __future__ import annotations

from claimbench.families.e_rule_of_thumb.data import IoSpeedUp, SpeedUp

# As test_rule_of_thumb_decisions.py stores a CPU-bound case (keys the report does not read included).
CPU = {"k": 2, "work": "cpu", "unit_s": 0.01, "usable_cpus": 2,
       "speedup": {"threads": 0.98, "processes": 1.7, "sequential": 1.0},
       "speedup_ci": {"threads": [0.95, 1.01], "processes": [1.5, 1.9]},
       "median_s": {"sequential": 0.04, "threads": 0.041, "processes": 0.024},
       "parallel_capacity": 1.7, "planted": None}
# As test_real_io.py stores a real-I/O case.
HTTP = {"file_bytes": None, "k": 8, "work": "http", "unit_s": 0.01, "jobs": 8, "cpu_share": 0.05,
        "speedup": {"sequential": 1.0, "threads": 7.1, "processes": 6.8, "asyncio": 7.3},
        "speedup_ci": {"threads": [6.9, 7.3], "processes": [6.5, 7.0], "asyncio": [7.0, 7.5]},
        "median_s": {"sequential": 0.09, "threads": 0.0127, "processes": 0.0132, "asyncio": 0.0123},
        "cpu_per_op_s": {"sequential": 0.0005, "threads": 0.0006, "processes": 0.0011, "asyncio": 0.0004},
        "cpu_cost": [1.8, 1.6, 2.0], "planted": None}
EXTRA = ("unit_s", "usable_cpus", "jobs", "median_s", "cpu_per_op_s", "parallel_capacity", "planted", "file_bytes")


def stored(data: dict, cls) -> dict:
    """What an experiment stores: the class's data with its own keys beside."""
    return {**{k: v for k, v in data.items() if k in EXTRA}, **cls.from_data(data).as_data()}


def test_stored_dicts_round_trip():
    assert stored(CPU, SpeedUp) == CPU
    assert stored(HTTP, IoSpeedUp) == HTTP
    s = SpeedUp.from_data(CPU)
    assert (s.k, s.work, s.speedup["processes"], s.speedup_ci["threads"]) == (2, "cpu", 1.7, [0.95, 1.01])
    r = IoSpeedUp.from_data(HTTP)
    assert (r.k, r.work, r.cpu_share, r.cpu_cost) == (8, "http", 0.05, [1.8, 1.6, 2.0])
    assert SpeedUp.from_data(HTTP).speedup == HTTP["speedup"]  # the sleep curves read I/O-bound cases too


def test_older_runs_leave_out_what_they_did_not_store():
    old = {k: v for k, v in HTTP.items() if k not in ("speedup_ci", "cpu_cost")}
    r = IoSpeedUp.from_data(old)
    assert r.speedup_ci is None and r.cpu_cost is None
    assert stored(old, IoSpeedUp) == old


def test_other_shapes_give_none():
    for data in (None, {}, "cpu", [CPU], {"k": 2, "unit_s": 0.01, "median_s": 0.02},
                 {"k": 2, "work": "cpu", "speedup": 1.7}, {"work": "cpu", "speedup": {"threads": 1.0}},
                 {"k": "two", "work": "cpu", "speedup": {"threads": 1.0}},
                 dict(HTTP, cpu_cost="n/a")):
        assert IoSpeedUp.from_data(data) is None
    for data in (None, {}, {"k": 2, "unit_s": 0.01, "median_s": 0.02}, {"k": 2, "work": "cpu", "speedup": 1.7}):
        assert SpeedUp.from_data(data) is None


def test_the_ipc_figure_draws_open_intervals_without_negative_bars():
    """A way measured in too few rounds for a finite interval (the Queue, dropped after the full
    rounds) has an open interval: its rate's bars are drawn as none, not negative (matplotlib refuses)."""
    import math
    from claimbench.core import stats
    from claimbench.families.f_communication import report
    open_rate = stats.Interval(5.0, -0.0, -0.0, 6)  # size / inf and size / -inf
    assert report._below(5.0, open_rate) == 0.0 and report._above(5.0, open_rate) == 0.0
    closed = stats.Interval(5.0, 4.0, 7.0, 12)
    assert report._below(5.0, closed) == 1.0 and report._above(5.0, closed) == 2.0
    assert report._above(5.0, stats.Interval(5.0, 4.0, math.inf, 12)) == 0.0
