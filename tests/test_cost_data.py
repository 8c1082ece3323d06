"""Section C's typed case data: the dicts stored today read back into its classes and are written out
again unchanged (the keys the report does not read stay beside them); data of another shape reads as None."""
from __future__ import annotations

import pytest

from claimbench.families.c_cost.data import PayloadRoundTrips, RoundTrips, UnitCosts, WaitLadder, WaitPoint

# As stored by a run of the experiments (3.11-gil-fork), with the keys that only the evidence keeps.
PROCESS_FORK = {"interval_s": {"process-fork": [0.0055, 0.0069], "task": [1.6e-05, 2.1e-05],
                               "thread": [0.000135, 0.000164]},
                "per_unit_s": {"process-fork": 0.0063, "task": 1.7e-05, "thread": 0.00016},
                "start_method": "fork", "style": "one at a time"}
TASKS_BATCH = {"interval_s": {"tasks-batch": [1.19e-05, 1.38e-05], "threads-batch": [0.000123, 0.000137]},
               "per_unit_s": {"tasks-batch": 1.28e-05, "threads-batch": 0.000131}, "style": "batch"}
PING_PONG = {"how": "a Pipe to an echo process",
             "interval_s": {"coroutines": [1.02e-05, 1.1e-05], "processes": [7.4e-05, 7.9e-05]},
             "round_trip_s": {"coroutines": 1.04e-05, "processes": 7.6e-05}}
PAYLOAD = {"interval_s": {"process": [0.00087, 0.00116], "thread": [4.06e-05, 6.01e-05]},
           "payload_bytes": 1048576, "round_trip_s": {"process": 0.0009, "thread": 4.27e-05}}
LADDER = {"bytes_per_unit": {"coroutines": 1286.144, "threads": 21012.48},
          "ladder": {"coroutines": [{"bytes_per_unit": 8192.0, "n": 10, "wall_over_t": 1.07, "wall_s": 0.02675},
                                    {"n": 10000, "wall_over_t": 13.9, "wall_s": 0.3485}],
                     "threads": [{"bytes_per_unit": 64716.8, "n": 10, "wall_over_t": 1.13, "wall_s": 0.0283}]},
          "machine_process_limit": 19996,
          "memory_measure": {"coroutines": "RSS growth", "processes": "sum of USS", "threads": "RSS growth"},
          "overhead_s": {"coroutines": 2.47e-05, "threads": 0.000145},
          "stop": {"threads": "below the seed scale threads stop at 1 000 (10 000 take seconds here)"},
          "time_ratio": [5.9, 5.29, 6.64], "unit_s": 0.025, "verdict_n": {"coroutines": 1000, "threads": 100}}
CONTROL_LADDER = {"ladder": {}, "stop": {"threads": ""}, "unit_s": 0.01, "verdict_n": {"coroutines": 100}}


@pytest.mark.parametrize("shape,stored", [
    (UnitCosts, PROCESS_FORK), (UnitCosts, TASKS_BATCH), (RoundTrips, PING_PONG), (PayloadRoundTrips, PAYLOAD),
    (WaitLadder, LADDER), (WaitLadder, CONTROL_LADDER)])
def test_a_stored_dict_round_trips(shape, stored):
    data = shape.from_data(stored)
    assert isinstance(data, shape)
    written = data.as_data()
    assert written == {k: stored[k] for k in written}  # what the class holds, unchanged
    assert {**written, **{k: v for k, v in stored.items() if k not in written}} == stored  # as the experiment writes


def test_what_the_report_reads():
    ladder = WaitLadder.from_data(LADDER)
    assert [p.n for p in ladder.ladder["coroutines"]] == [10, 10000]
    assert ladder.ladder["coroutines"][1] == WaitPoint(10000, 0.3485, 13.9)  # its memory not read
    assert "bytes_per_unit" not in ladder.ladder["coroutines"][1].as_data()
    assert PayloadRoundTrips.from_data(PAYLOAD).interval_s["thread"] == [4.06e-05, 6.01e-05]
    no_intervals = UnitCosts.from_data({"per_unit_s": {"thread": 1e-4}})
    assert no_intervals.interval_s == {}


@pytest.mark.parametrize("shape", [UnitCosts, RoundTrips, PayloadRoundTrips, WaitLadder])
@pytest.mark.parametrize("other", [
    None, {}, [1, 2], "text", {"k": 4, "unit_s": 0.01, "points": []},  # nothing, or section D's staircase
    {"per_unit_s": "fast", "round_trip_s": [1], "payload_bytes": "big", "ladder": {"threads": [{"n": 10}]},
     "unit_s": 0.01}])
def test_data_of_another_shape_reads_as_none(shape, other):
    assert shape.from_data(other) is None


def test_each_class_reads_only_its_own_shape():
    assert RoundTrips.from_data(PROCESS_FORK) is None
    assert UnitCosts.from_data(PING_PONG) is None
    assert PayloadRoundTrips.from_data(PING_PONG) is None
    assert WaitLadder.from_data(PAYLOAD) is None
