"""The sub-interpreter findings (concurrent.interpreters, 3.14+): their expectations, their
decisions (holds, refuted and inconclusive each reachable), and the plants that pose as them."""
from __future__ import annotations

import dataclasses
import queue
from types import SimpleNamespace

import pytest

from claimbench import claims
from claimbench.core import scales, subinterpreters, verdicts
from claimbench.core.runtime import fingerprint
from claimbench.families.a_concepts import child as concepts
from claimbench.families.f_communication.child import interpreter_queues, order
from synthetic_rounds import Capture, experiment, steady, straddling, synthetic

H, R, I = verdicts.HOLDS, verdicts.REFUTED, verdicts.INCONCLUSIVE
QUICK = scales.SCALES["quick"]
HERE = fingerprint()
WITH, WITHOUT = (dataclasses.replace(HERE, has_subinterpreters=x) for x in (True, False))

# Every case id of the findings and their controls, by claim.
CASES = {
    "process-memory-isolated": ("subinterpreter", "control-thread-as-interpreter"),
    "ipc-throughput-ranks": ("interpreter-queue-1KiB", "interpreter-queue-1MiB",
                             "control-process-queue-as-interpreter-queue",
                             "control-thread-queue-as-interpreter-queue"),
    "queue-keeps-order": ("interpreter-queue-one-producer", "interpreter-queue-three-producers",
                          "control-two-interpreter-queues-as-one-one-producer",
                          "control-two-interpreter-queues-as-one-three-producers"),
}
EXPECTED = {"process-memory-isolated": H, "ipc-throughput-ranks": R, "queue-keeps-order": H}


# ---------------------------------------------------------------- expectations
@pytest.mark.parametrize("claim_id", sorted(CASES))
def test_untestable_without_subinterpreters(claim_id):
    for case in CASES[claim_id]:
        e = claims.get(claim_id).expectation(WITHOUT, case)
        assert not e.testable and "sub-interpreters" in e.reason, case


@pytest.mark.parametrize("claim_id", sorted(CASES))
def test_expected_with_subinterpreters(claim_id):
    for case in CASES[claim_id]:
        e = claims.get(claim_id).expectation(WITH, case)
        assert e.testable and e.verdict == EXPECTED[claim_id] and e.reason, case


def test_the_claims_own_cases_do_not_need_subinterpreters():
    assert claims.get("process-memory-isolated").expectation(WITHOUT, "processes-spawn").testable
    assert claims.get("queue-keeps-order").expectation(WITHOUT, "processes-spawn-one-producer").testable
    assert claims.get("ipc-throughput-ranks").expectation(WITHOUT, "below-crossover").testable


def test_interpreter_queue_expectation_names_the_polling():
    reason = claims.get("ipc-throughput-ranks").expectation(WITH, "interpreter-queue-1KiB").reason
    assert "10 ms" in reason and "get()" in reason


# ---------------------------------------------------------------- memory
BEFORE = {"counter": 10, "items": ["parent"], "table": {"parent": 1}}
DEFAULTS = {"counter": 0, "items": [], "table": {}}
CHANGED = {"counter": 1, "items": ["worker"], "table": {"worker": 1}}


@pytest.mark.parametrize("seen, main_after, expected", [
    ({"before": DEFAULTS, "after": CHANGED}, BEFORE, H),             # its own module state
    ({"before": BEFORE, "after": CHANGED}, CHANGED, R),              # the main interpreter's objects
    (None, BEFORE, I),                                               # nothing came back
    ({"before": DEFAULTS, "after": DEFAULTS}, BEFORE, I),            # it changed nothing
])
def test_own_state_verdict(seen, main_after, expected):
    assert concepts.own_state_verdict(BEFORE, seen, main_after) == expected


def test_thread_as_interpreter_changes_the_main_interpreters_objects():
    concepts.set_shared_state(**BEFORE)
    try:
        with concepts.thread_as_interpreter() as interp:
            seen = concepts.mutate_in(interp)
        assert seen["before"] == BEFORE
        assert concepts.shared_state() == seen["after"] != BEFORE
        assert concepts.own_state_verdict(BEFORE, seen, concepts.shared_state()) == R
    finally:
        concepts.set_shared_state(**DEFAULTS)


@pytest.mark.skipif(subinterpreters.available() is not None, reason="needs concurrent.interpreters (3.14+)")
def test_a_subinterpreter_starts_from_the_modules_defaults():
    concepts.set_shared_state(**BEFORE)
    try:
        with subinterpreters.interpreter() as interp:
            seen = concepts.mutate_in(interp)
        assert seen["before"] == DEFAULTS and seen["interpreter"] != 0
        assert concepts.shared_state() == BEFORE
    finally:
        concepts.set_shared_state(**DEFAULTS)


def test_available_says_why_not():
    reason = subinterpreters.available()
    assert (reason is None) == HERE.has_subinterpreters
    assert reason is None or "3.14" in reason


# ---------------------------------------------------------------- queues
def test_worker_plants_answer_with_the_length():
    for plant in (interpreter_queues.ThreadWorkerAsInterpreter, interpreter_queues.ProcessWorkerAsInterpreter):
        w = plant()
        try:
            assert interpreter_queues.acknowledged(w, b"x" * 100, 3) >= 0
        finally:
            w.close()


def test_ack_each_returns_on_none():
    inbox, outbox = queue.Queue(), queue.Queue()
    for item in (b"abc", b"", None):
        inbox.put(item)
    interpreter_queues.ack_each(inbox, outbox)
    assert [outbox.get_nowait(), outbox.get_nowait()] == [3, 0] and outbox.empty()


@pytest.mark.parametrize("best_over_interpreter,expected", [(4.0, H), (0.05, R), (None, I)])
def test_interpreter_queue_decision(monkeypatch, best_over_interpreter, expected):
    ipc = experiment("test_ipc_throughput")
    ratio = straddling(ipc.FASTER, 0.4) if best_over_interpreter is None else steady(best_over_interpreter)
    # Pipe and Queue alternate as the better one; the interpreter queue takes best / ratio.
    synthetic(monkeypatch, {"pipe": lambda i: 1e-4 * (1 if i % 2 else 1.3),
                            "queue": lambda i: 1e-4 * (1.3 if i % 2 else 1),
                            ipc.INTERPRETER_QUEUE: lambda i: 1e-4 / ratio(i)})
    judge = Capture()
    ipc.interpreter_queue_round_trips(size=1 << 10, channels=None, worker=SimpleNamespace(kind="interpreter"), scale=QUICK,
                                      benchmark=None, judge=judge)
    assert judge.verdict == expected


def test_order_verdict():
    qo = experiment("test_queue_order")
    in_order = order.order_report([(0, i) for i in range(4)], 1, 4)
    swapped = order.order_report([(0, 1), (0, 0), (0, 3), (0, 2)], 1, 4)
    short = order.order_report([(0, 0)], 1, 4)
    one_after_another = order.order_report([(p, i) for p in range(3) for i in range(4)], 3, 4)
    assert qo.order_verdict(in_order, 1) == H
    assert qo.order_verdict(swapped, 1) == R
    assert qo.order_verdict(short, 1) == I
    assert qo.order_verdict(one_after_another, 3) == I


def test_two_interpreter_queues_posing_as_one_break_the_order():
    if subinterpreters.available() is not None:
        pytest.skip("needs concurrent.interpreters (3.14+)")
    q = interpreter_queues.two_queues_posing_as_one()
    for i in range(4):
        q.put((0, i))
    assert [q.get(timeout=1)[1] for _ in range(4)] == [1, 0, 3, 2]
