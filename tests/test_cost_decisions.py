"""Section C's decisions (claimbench/families/c_cost/decide.py), driven with synthetic rounds through the
experiments themselves: holds, refuted and inconclusive each reached, an effect inside its run's own
null left inconclusive, and the effect's direction fixed (a swapped numerator and denominator fails).
Also the cost thresholds as CLAIMS.md reads them, and the asyncio-task finding's expectation per Python
version.
"""
from __future__ import annotations

import dataclasses

import pytest

from claimbench import claims
from claimbench.core import runtime, scales, stats, verdicts, ways
from claimbench.families.c_cost import decide as dec
from synthetic_rounds import Capture, experiment, steady, straddling, synthetic

H, R, I = verdicts.HOLDS, verdicts.REFUTED, verdicts.INCONCLUSIVE
QUICK = scales.SCALES["quick"]
T = QUICK.unit_s
HERE = runtime.fingerprint()


def alternating(value: float, low: float, high: float):
    """``value`` times low and high in turn: a twin whose A/A ratio spans [low, high]."""
    return lambda i: value * (low if i % 2 else high)


def judged(capture: Capture):
    """(verdict, the stored Verdict) of an experiment that judged one case."""
    return capture.verdict, capture.verdicts[0]


# ---------------------------------------------------------------- the thresholds
def test_the_thresholds_are_claims_md_margins():
    # "much" (much dearer, much more): 1.5x; "faster", "more efficient": 1.25x; "negligible": a tenth
    assert (dec.EXPENSIVE, dec.MORE) == (1.5, 1.5)
    assert (dec.SWITCH_FASTER, dec.MORE_EFFICIENT) == (1.25, 1.25)
    assert dec.NEGLIGIBLE == 0.1
    # each text names its own number, and each claim's statement the number it is judged by
    for value, text in ((dec.EXPENSIVE, dec.EXPENSIVE_TEXT), (dec.NEGLIGIBLE, dec.NEGLIGIBLE_TEXT),
                        (dec.SWITCH_FASTER, dec.SWITCH_FASTER_TEXT), (dec.MORE_EFFICIENT, dec.MORE_EFFICIENT_TEXT),
                        (dec.MORE, dec.MORE_TEXT)):
        assert str(value) in text
    for claim, value in (("process-creation-expensive", "1.5"), ("coroutines-handle-more-tasks", "1.5"),
                         ("coroutine-switch-cheaper", "1.25"), ("threads-efficient", "1.25"),
                         ("coroutine-creation-negligible", "a tenth")):
        assert value in claims.get(claim).statement


def test_a_decision_reads_its_direction():
    effect = stats.ratio_interval([2.0, 2.1, 1.9, 2.0, 2.05, 1.95, 2.0], [1.0] * 7)
    assert dec.creation_decision(effect).outcome == stats.INSIDE
    assert dec.negligible_decision(effect).outcome == stats.OUTSIDE  # 2x a thread is no tenth of one
    tiny = stats.ratio_interval([0.01] * 7, [1.0] * 7)
    assert dec.negligible_decision(tiny).outcome == stats.INSIDE
    assert dec.creation_decision(tiny).outcome == stats.OUTSIDE


# ---------------------------------------------------------------- the four ratio claims
@dataclasses.dataclass(frozen=True)
class RatioClaim:
    """One of section C's ratio claims as its experiment decides it: ``other`` timed against
    ``baseline`` (``steady`` rounds, ``also`` for the experiment's other variants), judged against
    ``threshold`` in ``direction``; ``run(module, judge)`` calls the experiment as pytest would."""
    module: str
    baseline: str
    other: str
    threshold: float
    direction: str
    run: object
    also: tuple = ()
    straddle_width: float = 0.4


RATIO_CLAIMS = {
    "process-creation-expensive": RatioClaim(
        "test_creation_cost", "thread", "process", dec.EXPENSIVE, "above", also=(("task", 1e-6),),
        straddle_width=0.6,
        run=lambda m, judge: m.test_process_creation_expensive(way=ways.WAYS["processes-fork"], sandbox=None,
                                                               scale=QUICK, benchmark=None, judge=judge)),
    "coroutine-creation-negligible": RatioClaim(
        "test_creation_cost", "thread", "coroutine", dec.NEGLIGIBLE, "below", straddle_width=0.6,
        run=lambda m, judge: m.test_coroutine_creation_negligible(unit="coroutine", sandbox=None, scale=QUICK,
                                                                  benchmark=None, judge=judge)),
    "coroutine-switch-cheaper[threads]": RatioClaim(
        "test_handoff", "coroutines", "threads", dec.SWITCH_FASTER, "above",
        run=lambda m, judge: m.test_coroutine_switch_cheaper(other="threads", mine=m.coroutine_ping_pong,
                                                             scale=QUICK, benchmark=None, judge=judge)),
    "coroutine-switch-cheaper[processes]": RatioClaim(
        "test_handoff", "coroutines", "processes", dec.SWITCH_FASTER, "above",
        run=lambda m, judge: m.test_coroutine_switch_cheaper(other="processes", mine=m.coroutine_ping_pong,
                                                             scale=QUICK, benchmark=None, judge=judge)),
    "threads-efficient": RatioClaim(
        "test_round_trip", "thread", "process", dec.MORE_EFFICIENT, "above",
        run=lambda m, judge: m.test_threads_efficient(size=100, thread_as="thread", scale=QUICK, benchmark=None,
                                                      judge=judge)),
}

# (claim, other / baseline, the verdict): clearly the claim's side, near 1, the ratio swapped (so a
# swapped numerator and denominator fails), and straddling the threshold (None).
RATIO_CASES = [
    ("process-creation-expensive", 20.0, H), ("process-creation-expensive", 1.1, R),
    ("process-creation-expensive", 1 / 20.0, R),  # a process twenty times cheaper than a thread
    ("process-creation-expensive", None, I),
    ("coroutine-creation-negligible", 0.002, H), ("coroutine-creation-negligible", 0.9, R),
    ("coroutine-creation-negligible", 20.0, R),  # a coroutine twenty times dearer than a thread
    ("coroutine-creation-negligible", None, I),
] + [(claim, value, expected) for claim in ("coroutine-switch-cheaper[threads]", "coroutine-switch-cheaper[processes]")
     for value, expected in ((4.0, H), (1.0, R), (1 / 4.0, R), (None, I))] + [
    ("threads-efficient", 3.0, H), ("threads-efficient", 1.0, R),
    ("threads-efficient", 1 / 3.0, R),  # the process three times quicker than the thread
    ("threads-efficient", None, I),
]


def run_ratio_claim(monkeypatch, c: RatioClaim, rounds: dict):
    synthetic(monkeypatch, dict({name: steady(value) for name, value in c.also}, **rounds))
    judge = Capture()
    c.run(experiment(c.module), judge)
    return judged(judge)


@pytest.mark.parametrize("claim,other_over_baseline,expected", RATIO_CASES)
def test_a_ratio_claim_reaches_each_verdict_and_keeps_its_direction(monkeypatch, claim, other_over_baseline,
                                                                    expected):
    c = RATIO_CLAIMS[claim]
    ratio = straddling(c.threshold, c.straddle_width) if other_over_baseline is None else steady(other_over_baseline)
    verdict, v = run_ratio_claim(monkeypatch, c, {c.baseline: steady(1e-5), c.other: lambda i: 1e-5 * ratio(i)})
    assert verdict == expected
    assert v.decision["threshold"] == c.threshold and v.decision["direction"] == c.direction
    if other_over_baseline is not None:  # the effect is the other over the baseline, not the reverse
        assert v.effect == pytest.approx(other_over_baseline, rel=0.05)


# A ratio on the claim's side of its threshold, but the baseline's two instances (or the other way's, for the
# round trips: its echo processes) differed from each other by more: inside the run's own null, undecided.
INSIDE_NULL = {
    "process-creation-expensive": (2e-5, "thread-again", alternating(1e-5, 0.7, 1.6)),
    "coroutine-creation-negligible": (0.07e-5, "thread-again", alternating(1e-5, 0.7, 1.6)),
    "coroutine-switch-cheaper[processes]": (1.5e-5, "processes-again", alternating(1.5e-5, 0.75, 1.4)),
    "threads-efficient": (1.5e-5, "process-again", alternating(1.5e-5, 0.75, 1.4)),
}


@pytest.mark.parametrize("claim", sorted(INSIDE_NULL))
def test_a_ratio_inside_its_own_null_is_inconclusive(monkeypatch, claim):
    c = RATIO_CLAIMS[claim]
    other_s, twin, twin_rounds = INSIDE_NULL[claim]
    verdict, v = run_ratio_claim(monkeypatch, c, {c.baseline: steady(1e-5), c.other: steady(other_s),
                                                  twin: twin_rounds})
    assert verdict == I and v.decision["inside_null"]
    assert "own null" in v.evidence and "A/A" in v.evidence


def test_a_run_inside_its_null_measures_on_to_the_budget_before_giving_up(monkeypatch):
    c = RATIO_CLAIMS["process-creation-expensive"]
    _, v = run_ratio_claim(monkeypatch, c, {c.baseline: steady(1e-5), c.other: steady(2e-5),
                                            "thread-again": alternating(1e-5, 0.7, 1.6)})
    assert v.rounds == QUICK.with_budget(2).max_rounds


@pytest.mark.parametrize("interpreter_over_thread,expected", [(50.0, H), (1.0, R), (1 / 50.0, R)])
def test_interpreter_creation(monkeypatch, interpreter_over_thread, expected):
    cost = experiment("test_creation_cost")
    synthetic(monkeypatch, {"thread": steady(1e-5), "interpreter": steady(1e-5 * interpreter_over_thread),
                            "process": steady(1e-3)})
    judge = Capture()
    cost.test_interpreter_creation(judge=judge, interpreter="interpreter", runtime=HERE, sandbox=None, scale=QUICK,
                                   benchmark=None)
    verdict, v = judged(judge)
    assert verdict == expected and v.effect == pytest.approx(interpreter_over_thread, rel=0.05)


def test_the_handoff_null_is_the_way_compared_against():
    handoff = experiment("test_handoff")
    assert isinstance(handoff.theirs("processes"), handoff.Built)  # an echo process, built and rebuilt
    assert callable(handoff.theirs("threads"))  # a peer thread of its own every sample




def test_the_round_trip_workers_are_built_and_the_process_is_the_null():
    rt = experiment("test_round_trip")
    assert isinstance(rt.worker_variant(kind="process", payload=b"x", n=1), rt.Built)
    with rt.started("thread") as w:  # a real worker thread answers with the payload's length
        assert rt.round_trips(w.inbox, w.outbox, payload=b"xyz", rounds=3) >= 0
        assert w.unit.is_alive()
    assert not w.unit.is_alive()


# ---------------------------------------------------------------- coroutines-handle-more-tasks
class FakeSandbox:
    def request(self, **req):
        return {"limit": None}


def many_waits(monkeypatch, memory, time, twin_time=None, other=None, mine=None):
    """Run the experiment on fake measurements: ``memory(i)`` and ``time(i)`` are the way compared
    against over coroutines in round i (its memory per wait, its overhead per wait); ``twin_time(i)`` the
    twin's time over the way's, where given. Returns the Capture."""
    waits = experiment("test_many_waits")
    other = other or waits.THREADS
    rounds = {}

    def index(self, what):
        key = (self.name, what)
        rounds[key] = rounds.get(key, -1) + 1
        return rounds[key]

    def fake_wall(self):
        if self.name == waits.COROUTINES or self.name not in (other, waits.twin_name(other)):
            per = 1.0  # the coroutines, and every rung of the ladder
        else:
            i = index(self, "wall")
            per = time(i) * (twin_time(i) if twin_time and self.name != other else 1.0)
        return self.unit_s + 1e-6 * self.n * per

    def fake_memory(self):
        if self.name == waits.COROUTINES or self.name not in (other, waits.twin_name(other)):
            return 1e3
        return 1e3 * memory(index(self, "memory"))

    monkeypatch.setattr(waits.Waits, "wall", fake_wall)
    monkeypatch.setattr(waits.Waits, "memory", fake_memory)
    judge = Capture()
    waits.test_coroutines_handle_more_tasks(other=other, mine=mine or waits.COROUTINES, sandbox=FakeSandbox(),
                                            unit_s=T, scale=QUICK, benchmark=None, judge=judge)
    return judge


@pytest.mark.parametrize("memory_ratio,time_ratio,expected", [
    (17.0, 5.0, H), (1.0, 5.0, R), (17.0, 1.0, R),
    (1 / 17.0, 5.0, R), (17.0, 1 / 5.0, R),  # coroutines dearer in one part: refuted, whatever the other
    (None, 5.0, I), (17.0, None, I)])
def test_coroutines_handle_more_tasks(monkeypatch, memory_ratio, time_ratio, expected):
    memory = straddling(dec.MORE, 0.6) if memory_ratio is None else steady(memory_ratio, 0.0)
    time = straddling(dec.MORE, 0.6) if time_ratio is None else steady(time_ratio, 0.0)
    verdict, v = judged(many_waits(monkeypatch, memory, time))
    assert verdict == expected and v.decision["threshold"] == dec.MORE


def test_many_waits_shows_the_part_that_decided(monkeypatch):
    # holds: the memory part, threads / coroutines (not the reverse)
    verdict, v = judged(many_waits(monkeypatch, steady(17.0, 0.0), steady(5.0, 0.0)))
    assert verdict == H and "memory" in v.effect_name and v.effect == pytest.approx(17.0)
    # refuted by the time part alone: that part's numbers are stored
    verdict, v = judged(many_waits(monkeypatch, steady(17.0, 0.0), steady(1.0, 0.0)))
    assert verdict == R and "time overhead" in v.effect_name and v.effect == pytest.approx(1.0)


def test_many_waits_inside_its_own_null_is_inconclusive(monkeypatch):
    # Threads need twice the coroutines' time overhead, but two measurements of threads differed by 1.6x.
    verdict, v = judged(many_waits(monkeypatch, steady(17.0, 0.0), steady(2.0, 0.0),
                                   twin_time=alternating(1.0, 0.7, 1.6)))
    assert verdict == I and v.decision["inside_null"] and "time overhead" in v.effect_name
    assert "own null" in v.evidence


def test_many_waits_control_is_refuted(monkeypatch):
    waits = experiment("test_many_waits")
    verdict, _ = judged(many_waits(monkeypatch, steady(1.0, 0.0), steady(1.0, 0.0), mine=waits.THREADS))
    assert verdict == R


def test_many_waits_parts_and_the_part_shown():
    clear, tie = stats.Interval(17.0, 16.0, 18.0, 7), stats.Interval(1.0, 0.95, 1.05, 7)
    on_it = stats.Interval(1.5, 1.2, 1.8, 7)
    assert dec.many_waits_decision(clear, clear) == stats.INSIDE
    assert dec.many_waits_decision(clear, tie) == stats.OUTSIDE
    assert dec.many_waits_decision(on_it, tie) == stats.OUTSIDE  # one refuted part settles it
    assert dec.many_waits_decision(on_it, clear) == stats.STRADDLES
    parts = dec.many_waits_parts(clear, tie)
    assert dec.shown_part(parts, stats.OUTSIDE) is parts[1]
    parts = dec.many_waits_parts(on_it, clear)
    assert dec.shown_part(parts, stats.STRADDLES) is parts[0]


# ---------------------------------------------------------------- the asyncio-task finding's expectation
@pytest.mark.parametrize("version,expected", [
    ("3.8.18", verdicts.REFUTED), ("3.9.18", verdicts.REFUTED), ("3.10.13", verdicts.REFUTED),
    ("3.11.7", verdicts.MACHINE_DEPENDENT), ("3.12.1", verdicts.MACHINE_DEPENDENT),
    ("3.13.0", verdicts.HOLDS), ("3.14.0", verdicts.HOLDS), ("3.15.2", verdicts.HOLDS)])
def test_the_task_finding_follows_the_python_version(version, expected):
    claim = claims.get("coroutine-creation-negligible")
    here = dataclasses.replace(HERE, python_version=version)
    e = claim.expectation(here, "task")
    assert e.verdict == expected and e.testable
    # the notes' own case does not depend on the version
    assert claim.expectation(here, "coroutine").verdict == verdicts.HOLDS
    if expected == verdicts.MACHINE_DEPENDENT:
        assert "3.11 and 3.12" in e.reason
    if expected == verdicts.HOLDS:
        assert "gh-110829" in e.reason  # Thread.join() joins the OS thread from 3.13 on
