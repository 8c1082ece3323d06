"""Every timing experiment's own decision, driven by synthetic measurements: holds, refuted and
inconclusive must each be reachable (a branch that can never be taken is a defect)."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from claimbench.core import scales, verdicts
from synthetic_rounds import Capture, experiment, steady, straddling, synthetic

H, R, I = verdicts.HOLDS, verdicts.REFUTED, verdicts.INCONCLUSIVE
QUICK = scales.SCALES["quick"]
T = QUICK.unit_s


# ---------------------------------------------------------------- sleep-releases-gil, gil-released-on-io-wait
@pytest.mark.parametrize("threads_over_one,expected", [(1.02, H), (8.0, R), (4.5, I)])
def test_sleeping_threads_overlap(monkeypatch, threads_over_one, expected):
    gil = experiment("test_gil")
    sample = straddling(threads_over_one, 0.6) if expected == I else steady(threads_over_one)
    synthetic(monkeypatch, {"threads": lambda i: T * sample(i), "one-thread": steady(T)})
    judge = Capture()
    gil.test_sleeping_threads_overlap(8, time.sleep, T, QUICK, None, judge)
    assert judge.verdict == expected


# pace beside the neighbour / pace alone, and the yardstick (beside a CPU-bound thread)
PACES = {
    "released": (0.98, 0.55, H),
    "shared": (0.52, 0.55, R),
    "unsettled": (None, 0.55, I),        # the pace straddles the threshold
    "blind yardstick": (0.98, 0.97, I),  # this run cannot see a shared GIL: nothing decided
}


@pytest.mark.parametrize("scenario", list(PACES))
@pytest.mark.parametrize("test,beside", [("test_gil_released_while_waiting", "beside-waiter"),
                                         ("test_cpu_thread_keeps_pace_beside_sleepers", "beside-sleepers")])
def test_pace_decisions(monkeypatch, test, beside, scenario):
    gil = experiment("test_gil")
    pace, yardstick, expected = PACES[scenario]
    synthetic(monkeypatch, {
        "alone": steady(1e6),
        beside: (lambda i: 1e6 * straddling(gil.PACE_THRESHOLD, 0.4)(i)) if pace is None else
        (lambda i: 1e6 * steady(pace)(i)),
        "beside-spinner": lambda i: 1e6 * steady(yardstick)(i)})
    judge = Capture()
    if test == "test_gil_released_while_waiting":
        gil.test_gil_released_while_waiting("sleep", T, QUICK, None, judge)
    else:
        gil.test_cpu_thread_keeps_pace_beside_sleepers(time.sleep, T, QUICK, None, judge)
    assert judge.verdict == expected


# ---------------------------------------------------------------- sequential-adds-up, processes-run-in-parallel
@pytest.mark.parametrize("over_ideal,expected", [(1.01, H), (0.2, R), (1.5, R), (None, I)])
def test_sequential_adds_up(monkeypatch, over_ideal, expected):
    seq = experiment("test_sequential")
    n = 2
    sample = straddling(1 + seq.SEQUENTIAL_TOLERANCE, 0.15) if over_ideal is None else steady(over_ideal, 0.005)
    synthetic(monkeypatch, {"sequential": lambda i: n * T * sample(i)})
    judge = Capture()
    seq.test_sequential_adds_up(n, seq.one_after_another, T, QUICK, None, judge)
    assert judge.verdict == expected


@pytest.mark.parametrize("span_over_t,expected", [(1.0, H), (2.0, R), (None, I)])
def test_processes_run_in_parallel(monkeypatch, span_over_t, expected):
    seq = experiment("test_sequential")
    span = straddling(1.5, 0.6) if span_over_t is None else steady(span_over_t, 0.01)
    synthetic(monkeypatch, {"processes": lambda i: T * span(i)})
    judge = Capture()
    seq.processes_in_parallel("fork", "fork", T, QUICK, None, judge)
    assert judge.verdict == expected


# ---------------------------------------------------------------- the cost claims
class FakeSandbox:
    def request(self, **req):
        return {"per_unit_s": 1.0, "limit": None}


@pytest.mark.parametrize("process_over_thread,expected", [(20.0, H), (1.1, R), (None, I)])
def test_process_creation_expensive(monkeypatch, process_over_thread, expected):
    cost = experiment("test_creation_cost")
    ratio = straddling(cost.EXPENSIVE, 0.6) if process_over_thread is None else steady(process_over_thread)
    synthetic(monkeypatch, {"thread": steady(1e-5), "task": steady(1e-6),
                            "process": lambda i: 1e-5 * ratio(i)})
    judge = Capture()
    cost.process_creation("fork", "process-fork", FakeSandbox(), QUICK, None, judge)
    assert judge.verdict == expected


@pytest.mark.parametrize("coroutine_over_thread,expected", [(0.002, H), (0.9, R), (None, I)])
def test_coroutine_creation_negligible(monkeypatch, coroutine_over_thread, expected):
    cost = experiment("test_creation_cost")
    ratio = straddling(cost.NEGLIGIBLE, 0.6) if coroutine_over_thread is None else steady(coroutine_over_thread)
    synthetic(monkeypatch, {"thread": steady(1e-5), "coroutine": lambda i: 1e-5 * ratio(i)})
    judge = Capture()
    cost.test_coroutine_creation_negligible("coroutine", FakeSandbox(), QUICK, None, judge)
    assert judge.verdict == expected


@pytest.mark.parametrize("theirs_over_coroutines,expected", [(4.0, H), (1.0, R), (None, I)])
def test_coroutine_switch_cheaper(monkeypatch, theirs_over_coroutines, expected):
    handoff = experiment("test_handoff")
    ratio = straddling(handoff.CHEAPER, 0.4) if theirs_over_coroutines is None else steady(theirs_over_coroutines)
    synthetic(monkeypatch, {"coroutines": steady(1e-5), "threads": lambda i: 1e-5 * ratio(i)})
    judge = Capture()
    handoff.test_coroutine_switch_cheaper("threads", handoff.coroutine_ping_pong, None, QUICK, None, judge)
    assert judge.verdict == expected


@pytest.mark.parametrize("process_over_thread,expected", [(3.0, H), (1.0, R), (None, I)])
def test_threads_efficient(monkeypatch, process_over_thread, expected):
    rt = experiment("test_round_trip")
    monkeypatch.setattr(rt, "round_trips", lambda *a, **k: 0.0)
    ratio = straddling(rt.CHEAPER, 0.4) if process_over_thread is None else steady(process_over_thread)
    synthetic(monkeypatch, {"thread": steady(1e-4), "process": lambda i: 1e-4 * ratio(i)})
    workers = {"thread": SimpleNamespace(inbox=None, outbox=None), "process": SimpleNamespace(inbox=None, outbox=None)}
    judge = Capture()
    rt.test_threads_efficient(100, workers, QUICK, None, judge)
    assert judge.verdict == expected


@pytest.mark.parametrize("memory_ratio,time_ratio,expected", [
    (17.0, 5.0, H), (1.0, 5.0, R), (17.0, 1.0, R), (None, 5.0, I)])
def test_coroutines_handle_more_tasks(monkeypatch, memory_ratio, time_ratio, expected):
    waits = experiment("test_many_waits")
    memory = straddling(waits.MORE, 0.6) if memory_ratio is None else steady(memory_ratio)
    calls = {}

    def fake_wall(self):
        return self.unit_s + 1e-3 * self.n * (1.0 if self.way == waits.COROUTINES else time_ratio)

    def fake_memory(self):
        i = calls[self.way] = calls.get(self.way, -1) + 1
        return 1e3 * (1.0 if self.way == waits.COROUTINES else memory(i))

    monkeypatch.setattr(waits.Waits, "wall", fake_wall)
    monkeypatch.setattr(waits.Waits, "memory", fake_memory)
    judge = Capture()
    waits.test_coroutines_handle_more_tasks(waits.THREADS, waits.COROUTINES, FakeSandbox(), T, QUICK, None, judge)
    assert judge.verdict == expected
