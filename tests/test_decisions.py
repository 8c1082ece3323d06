"""Every timing experiment's own decision, driven by synthetic measurements: holds, refuted and
inconclusive must each be reachable (a branch that can never be taken is a defect)."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from claimbench.core import order, scales, verdicts, ways
from claimbench.core.measure import Seconds
from claimbench.families.d_examples.decide import (parallel_threshold, SEQUENTIAL_TOLERANCE, SLEEPERS_PACE,
                                                   sleepers_threshold)
from claimbench.families.e_rule_of_thumb.decide import WAIT_PACE
from claimbench.families.f_communication.decide import FASTER, WINS
from synthetic_rounds import Capture, experiment, steady, straddling, synthetic

H, R, I = verdicts.HOLDS, verdicts.REFUTED, verdicts.INCONCLUSIVE
QUICK = scales.SCALES["quick"]
T = QUICK.unit_s


# ---------------------------------------------------------------- sleep-releases-gil, gil-released-on-io-wait
# Each effect is a ratio of two ways: the baseline (one sleeping thread; the counter alone) is measured
# twice, and a twin drawn wide puts a clear effect inside the run's own null.
def sleepers(monkeypatch, k, threads_over_one, expected, twin=None):
    gil = experiment("test_gil")
    sample = straddling(sleepers_threshold(k), 0.6) if threads_over_one is None else steady(threads_over_one)
    synthetic(monkeypatch, dict({"threads": lambda i: T * sample(i), "one-thread": steady(T)},
                                **({"one-thread-again": twin} if twin else {})))
    judge = Capture()
    gil.test_sleeping_threads_overlap(k=k, sleep=time.sleep, unit_s=T, scale=QUICK, benchmark=None, judge=judge)
    assert judge.verdict == expected, judge.verdicts
    return judge.verdicts[0]


@pytest.mark.parametrize("k", [2, 8])
@pytest.mark.parametrize("threads_over_one,expected", [(1.02, H), (None, I)])
def test_sleeping_threads_overlap(monkeypatch, k, threads_over_one, expected):
    v = sleepers(monkeypatch, k, threads_over_one, expected)
    assert v.decision["threshold"] == sleepers_threshold(k) == (1 + k) / 2
    assert v.decision["null"] is not None  # the A/A null is stored with the case


@pytest.mark.parametrize("k", [2, 8])
def test_sleeping_threads_that_take_turns_are_refuted(monkeypatch, k):
    # k threads taking k times as long as one: refuted. Swapped (one thread over k) this would hold.
    v = sleepers(monkeypatch, k, float(k), R)
    assert v.effect == pytest.approx(k, rel=0.05)


def test_sleeping_threads_inside_their_own_null_are_inconclusive(monkeypatch):
    # 1.02 clears 1.5 (k = 2), but two single sleeping threads differed by up to 1/0.6 ≈ 1.7x
    v = sleepers(monkeypatch, 2, 1.02, I, twin=lambda i: T * straddling(1.0, 0.4)(i))
    assert v.decision["inside_null"] and "own null" in v.evidence


# pace beside the neighbour / pace alone, and the yardstick (beside a CPU-bound thread)
PACES = {
    "released": (0.98, 0.55, H),
    "shared": (0.52, 0.55, R),           # swapped (alone over beside) this would be 1.9: holds
    "unsettled": (None, 0.55, I),        # the pace straddles the threshold
    "blind yardstick": (0.98, 0.97, I),  # this run cannot see a shared GIL: nothing decided
    "inside own null": (0.85, 0.3, I),   # 0.85 clears 0.75, but two solo counters differed by up to 1.4x
}
PACE_TESTS = [("test_gil_released_while_waiting", "beside-waiter", WAIT_PACE),
              ("test_cpu_thread_keeps_pace_beside_sleepers", "beside-sleepers", SLEEPERS_PACE)]


@pytest.mark.parametrize("scenario", list(PACES))
@pytest.mark.parametrize("test,beside,threshold", PACE_TESTS)
def test_pace_decisions(monkeypatch, test, beside, threshold, scenario):
    gil = experiment("test_gil")
    pace, yardstick, expected = PACES[scenario]
    twin = {"alone-again": lambda i: 1e6 * straddling(1.0, 0.3)(i)} if scenario == "inside own null" else {}
    synthetic(monkeypatch, dict({
        "alone": steady(1e6),
        beside: (lambda i: 1e6 * straddling(threshold, 0.4)(i)) if pace is None else
        (lambda i: 1e6 * steady(pace)(i)),
        "beside-spinner": lambda i: 1e6 * steady(yardstick)(i)}, **twin))
    judge = Capture()
    if test == "test_gil_released_while_waiting":
        gil.test_gil_released_while_waiting(kind="sleep", unit_s=T, scale=QUICK, benchmark=None, judge=judge)
    else:
        gil.test_cpu_thread_keeps_pace_beside_sleepers(nap=time.sleep, unit_s=T, scale=QUICK, benchmark=None,
                                                        judge=judge)
    assert judge.verdict == expected
    v = judge.verdicts[0]
    assert v.decision["threshold"] == threshold == 0.75 and v.decision["null"] is not None
    if pace is not None:
        assert v.effect == pytest.approx(pace, rel=0.05)  # beside over alone, not the other way round
    if scenario == "blind yardstick":
        assert "cannot see a shared GIL" in v.evidence
    if scenario == "inside own null":
        assert v.decision["inside_null"] and "own null" in v.evidence


# ---------------------------------------------------------------- sequential-adds-up, processes-run-in-parallel
# One way against T (no second way, no null): the band's two ends are two one-sided decisions.
@pytest.mark.parametrize("over_ideal,expected", [(1.01, H), (0.2, R), (1.5, R), (1.105, R), (0.905, H), (None, I)])
def test_sequential_adds_up(monkeypatch, over_ideal, expected):
    # 1.105 is refuted and 0.905 holds: ideal over measured (1/1.105 = 0.905) would swap them.
    seq = experiment("test_sequential")
    n = 2
    sample = straddling(1 + SEQUENTIAL_TOLERANCE, 0.15) if over_ideal is None else steady(over_ideal, 0.001)
    synthetic(monkeypatch, {"sequential": lambda i: n * T * sample(i)})
    judge = Capture()
    seq.test_sequential_adds_up(n=n, run=seq.one_after_another, unit_s=T, scale=QUICK, benchmark=None, judge=judge)
    assert judge.verdict == expected
    v = judge.verdicts[0]
    assert v.decision["null"] is None and v.decision["threshold"] in (1 - SEQUENTIAL_TOLERANCE,
                                                                     1 + SEQUENTIAL_TOLERANCE)
    if over_ideal is not None:
        assert v.effect == pytest.approx(over_ideal, rel=0.01)
    if over_ideal in (0.2, 1.5):  # the end that refuted is the one shown
        assert v.decision["threshold"] == (1 - SEQUENTIAL_TOLERANCE if over_ideal < 1 else 1 + SEQUENTIAL_TOLERANCE)


@pytest.mark.parametrize("span_over_t,expected", [(1.0, H), (2.0, R), (None, I)])
def test_processes_run_in_parallel(monkeypatch, span_over_t, expected):
    # 2.0 is refuted: T over the span (0.5) would hold.
    seq = experiment("test_sequential")
    span = straddling(parallel_threshold(2), 0.6) if span_over_t is None else steady(span_over_t, 0.01)
    synthetic(monkeypatch, {"processes": lambda i: T * span(i)})
    judge = Capture()
    seq.test_processes_run_in_parallel(way=ways.WAYS["processes-fork"], unit_s=T, scale=QUICK, benchmark=None,
                                       judge=judge)
    assert judge.verdict == expected
    assert judge.verdicts[0].decision["threshold"] == 1.5 and judge.verdicts[0].decision["null"] is None


# ---------------------------------------------------------------- ipc-throughput-ranks
class FakeChannels:
    """What run_sweep opens, with nothing behind it: the samples come from ``ipc_sweep``'s rates."""

    def __init__(self, size, pipe_as_shared_memory=False):
        self.planted = pipe_as_shared_memory

    def send(self, mechanism, payload):
        pass

    def close(self):
        pass


def ipc_sweep(monkeypatch, wins, below=None, copy_out=2.5, null=None, planted=False):
    """Run the sweep on synthetic rates: per transfer the Pipe takes size/1 GB/s, the Queue twice that,
    the second Pipe the Pipe's (``null(i)`` times it, where given); shared memory the Pipe's over
    ``wins(size, i)`` (over ``below(i)`` under 64 KiB, where given), the copy out the Pipe's over
    ``copy_out``. Returns the module and the sweep, with the sizes it measured in order, per round."""
    ipc = experiment("test_ipc_throughput")
    seen = []

    def variant(channels, mechanism, size, transfers=0, payload=b""):
        count = [0]

        def sample():
            i, count[0] = count[0], count[0] + 1
            seen.append((i, size, mechanism))
            pipe = size / 1e9 * (1 + 0.01 * ((i * 7 + size) % 3))
            ratio = {"pipe": 1.0, "queue": 0.5, "pipe-again": 1.0 / null(i) if null else 1.0,
                     "shared-memory-copy": copy_out,
                     "shared-memory": below(i) if below and size < (64 << 10) else wins(size, i)}[mechanism]
            return Seconds(pipe / ratio)
        return sample

    monkeypatch.setattr(ipc, "Channels", FakeChannels)
    monkeypatch.setattr(ipc, "_variant", variant)
    monkeypatch.setattr(ipc, "_SWEEPS", {})
    return ipc, ipc.run_sweep(scale=QUICK, benchmark=None, pipe_as_shared_memory=planted), seen


def rising(size, i):
    """Shared memory as fast as the Pipe up to 64 KiB, then faster and faster: 3x at 64 MiB."""
    return 1.0 if size <= (64 << 10) else min(3.0, 1.0 + size / (8 << 20))


def judged(ipc, sw, part):
    judge = Capture()
    ipc.JUDGES[part](sw, judge)
    return judge.verdicts[0]


def test_ipc_above_holds_and_below_is_refuted_when_shared_memory_wins_large_payloads(monkeypatch):
    ipc, sw, _ = ipc_sweep(monkeypatch, rising)
    above = judged(ipc, sw, "above")
    assert above.verdict == H and above.decision["threshold"] == WINS and above.decision["null"] is not None
    assert above.decision["effect"][0] == pytest.approx(3.0, rel=0.05)  # best over shared memory's time
    assert judged(ipc, sw, "below").verdict == R
    assert judged(ipc, sw, "copy-out").verdict == H
    assert sw.rounds == QUICK.min_rounds  # settled at the first look


def test_ipc_shared_memory_slower_than_a_pipe_is_refuted_not_held(monkeypatch):
    # Shared memory three times as slow: swapped (its time over the best) this would hold.
    ipc, sw, _ = ipc_sweep(monkeypatch, lambda size, i: 1 / 3)
    assert judged(ipc, sw, "above").verdict == R


def test_ipc_a_pipe_posing_as_shared_memory_is_refuted(monkeypatch):
    ipc, sw, seen = ipc_sweep(monkeypatch, lambda size, i: 1.0, planted=True)
    assert judged(ipc, sw, "above").verdict == R
    assert sw.copy_out is None and not any(m == "shared-memory-copy" for _, _, m in seen)


def test_ipc_a_largest_payload_on_the_threshold_is_inconclusive(monkeypatch):
    ipc, sw, seen = ipc_sweep(monkeypatch, lambda size, i: straddling(WINS, 0.5)(i) if size == 64 << 20 else 1.0)
    assert judged(ipc, sw, "above").verdict == I
    assert sw.rounds == 2 * QUICK.max_rounds  # measured on to the budget, the largest payload alone
    # the Queue, slower than the Pipe in each of the six full rounds, is measured no more after them
    assert max(i for i, size, m in seen if m == "queue") == ipc.FULL_ROUNDS - 1
    assert max(i for i, size, m in seen if size == 64 << 20 and m == "pipe-again") == sw.rounds - 1
    assert max(i for i, size, m in seen if size == 1 << 20) == QUICK.min_rounds - 1  # not in focus after
    assert not any(m == "pipe-again" for _, size, m in seen if size not in ipc.NULL_SIZES)


def test_ipc_a_win_inside_its_own_null_is_inconclusive(monkeypatch):
    # 3x clears 1.5, but the two Pipes differed by up to 1/0.4 = 2.5x at every payload
    ipc, sw, _ = ipc_sweep(monkeypatch, rising, null=straddling(1.0, 0.6))
    v = judged(ipc, sw, "above")
    assert v.verdict == I and v.decision["inside_null"] and "own null" in v.evidence


@pytest.mark.parametrize("small,expected", [(1.0, R), (2.0, H), (None, I)])
def test_ipc_below_the_crossover(monkeypatch, small, expected):
    below = straddling(WINS, 0.5) if small is None else (lambda i: small)
    ipc, sw, _ = ipc_sweep(monkeypatch, rising, below=below)
    v = judged(ipc, sw, "below")
    assert v.verdict == expected
    assert v.data["sizes"] == [1 << 10, 4 << 10, 16 << 10]  # fixed in advance, whatever was measured


@pytest.mark.parametrize("copy_out,expected", [(2.5, H), (1.0, R), (WINS, I)])
def test_ipc_copy_out(monkeypatch, copy_out, expected):
    ipc, sw, _ = ipc_sweep(monkeypatch, rising, copy_out=copy_out)
    v = judged(ipc, sw, "copy-out")
    assert v.verdict == expected and v.decision["null"] is not None


def test_ipc_sweep_order_is_balanced_for_sizes_and_mechanisms(monkeypatch):
    """No special order of its own: over whole cycles of the designs (18 rounds for 9 sizes, 10 for the 5
    mechanisms at 64 MiB, 4 for the 4 elsewhere) each size follows each other equally often, and so does
    each mechanism within a size."""
    ipc = experiment("test_ipc_throughput")
    _, _, seen = ipc_sweep(monkeypatch, rising)
    seen.clear()
    m = ipc.SizeBySize(FakeChannels(0), full_rounds=180, seed=7)
    m.run(180)
    rounds = {}
    for i, size, mech in seen:
        rounds.setdefault(i, []).append((size, mech))
    size_orders = [[s for j, (s, _) in enumerate(r) if j == 0 or r[j - 1][0] != s] for r in rounds.values()]
    counts = order.predecessors(size_orders)
    assert len(counts) == 9 * 8 and set(counts.values()) == {20}
    for size in ipc.SIZES:
        mechs = [[mech for s, mech in r if s == size] for r in rounds.values()]
        n = len(ipc.mechanisms_at(size))
        assert len(set(order.predecessors(mechs).values())) == 1 and len(order.predecessors(mechs)) == n * (n - 1)


def test_interpreter_queue_inside_its_own_null_is_inconclusive(monkeypatch):
    ipc = experiment("test_ipc_throughput")
    synthetic(monkeypatch, {"pipe": steady(1e-4), "queue": steady(2e-4), "interpreter-queue": steady(0.25e-4),
                            "pipe-again": lambda i: 1e-4 * straddling(1.0, 0.8)(i)})
    judge = Capture()
    ipc.interpreter_queue_round_trips(size=1 << 10, channels=None, worker=SimpleNamespace(kind="interpreter"), scale=QUICK,
                                      benchmark=None, judge=judge)
    v = judge.verdicts[0]
    assert v.verdict == I and v.decision["inside_null"] and v.decision["threshold"] == FASTER


# ---------------------------------------------------------------- how the unit tests call the experiments
def test_the_unit_tests_call_experiments_by_keyword():
    """A test of experiments/ called from here passes every argument by name, so reordering its parameters
    (a fixture added, a parameter moved) cannot hand a value to the wrong one."""
    import ast
    from pathlib import Path
    positional = []
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                   and getattr(node.value.func, "id", None) == "experiment" for t in node.targets
                   if isinstance(t, ast.Name)}
        positional += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                       if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                       and isinstance(node.func.value, ast.Name) and node.func.value.id in modules
                       and node.func.attr.startswith("test_") and node.args]
    assert positional == []
