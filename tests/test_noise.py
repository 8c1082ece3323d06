"""The stopping rule under realistic noise (issue 19, item 6): simulated machines, the real machinery.

Each noise model of noise_models.py (carryover, per-instance offsets, a fading second CPU, heavy
tails) drives the CPU-bound comparison through the real ``Interleaved.until_settled`` (balanced
order, rebuilt instances, per-look level) and ``decision.decide`` (the A/A null's widening):
threads, the baseline measured twice, against processes, at every budget experiments use of the
quick and default scales. 2000 seeded runs per case:

- the true effect exactly on the threshold (1.5): any decisive verdict is wrong, at most 5 %;
- no effect (true ratio 1, threshold 1.25): holds is wrong, at most 1 %.

A bound is met when the Wilson 95 % interval of the rate lies wholly under it: shown, not merely
estimated. Each part of the machinery is shown to matter (the "teeth" tests at the end): without
the per-look level, in the fixed rotation the order had before, or without the null, the same
machinery errs clearly above 5 % (the rate's whole interval above it), so the bound test fails.

One model breaks the bound, marked xfail (strict): a fade of the second CPU lasts several rounds
and slows only the processes, so the rounds are not independent, and neither the null (two thread
pools) nor the order sees it; a fade that covers a whole run no look inside that run can tell. What
keeps fades from deciding the CPU-bound claim is the claim's own threshold, halfway to the capacity
measured in the same rounds (it fades too): test_the_claims_capacity_threshold_keeps_a_fading_cpu_
from_deciding. About 35 s on one core.

``PYTHONPATH=.:tests python tests/test_noise.py`` prints the table behind README's paragraph on the
stopping rule.
"""
from __future__ import annotations

import pytest

from claimbench.core import stats, stopping
from claimbench.core.decision import ABOVE, decide
from claimbench.core.measure import Interleaved
from claimbench.core.order import BalancedOrder, predecessors
from claimbench.families.e_rule_of_thumb.decide import cpu_bound_decision

from noise_models import (BOUND, MODELS, NULL, ON, POSITIONS, PROCESSES, SEQUENTIAL, THREADS, TWIN, VERDICTS,
                          independent_fades, measured, plain_95, rate_words, rotation, scale_of, seeded, verdicts,
                          wilson, wrong)
from test_stopping import BUDGETS

RUNS = 2000
SCALE_NAMES = ("quick", "default")
SCHEDULES = [(name, budget) for name in SCALE_NAMES for budget in BUDGETS]
SCHEDULE_IDS = [f"{name}-x{budget}" for name, budget in SCHEDULES]

FADES_BREAK_IT = pytest.mark.xfail(strict=True, reason=(
    "a fade of the second CPU lasts several rounds and slows only the processes: the rounds are not "
    "independent, the null and the order cannot see it, and 18-23 % of the runs on the threshold "
    "come out decisive (issue 19, item 6's report); the claim's capacity threshold is what protects it"))


def cases():
    for model in MODELS:
        for name, budget in SCHEDULES:
            for position in POSITIONS:
                marks = [FADES_BREAK_IT] if model == "fading-cpu" and position == ON else []
                yield pytest.param(model, name, budget, position, marks=marks,
                                   id=f"{model}-{name}-x{budget}-{position}")


def check(noise, name, budget, position, runs=RUNS, null=True):
    """(wrong, runs, words): how many runs gave a wrong decisive verdict, and what they all gave."""
    counts = verdicts(noise, name, budget, position, runs, null)
    k = wrong(counts, position)
    words = (f"{noise.name} {name} x{budget} {position}: wrong {rate_words(k, runs)} (bound {BOUND[position]:.0%}); "
             f"{counts}")
    return k, runs, words


def shown_under(k, runs, bound):
    return wilson(k, runs)[1] <= bound


def shown_over(k, runs, bound):
    return wilson(k, runs)[0] > bound


@pytest.mark.parametrize("model, name, budget, position", list(cases()))
def test_wrong_verdicts_stay_under_the_bound(model, name, budget, position):
    """2000 seeded runs of one noise model at one budget, the true effect on the threshold or absent:
    the rate of wrong decisive verdicts, Wilson's 95 % interval and all, under the bound."""
    k, runs, words = check(MODELS[model], name, budget, position)
    assert shown_under(k, runs, BOUND[position]), words


# ---------------------------------------------------------------- the simulation itself
def test_the_true_effect_is_the_median_the_machinery_sees():
    """``median_bias`` against long runs of the same machines through ``Interleaved`` (5000 rounds):
    the per-round ratio's median is the threads' cost times the bias, within 1 %."""
    for noise in MODELS.values():
        m = measured(noise, 1.5, seeded("long", noise.name))
        m.run(5000)
        m.close()
        median = stats.median_interval(stats.paired_ratios(m.samples[THREADS], m.samples[PROCESSES]), 0.95).median
        assert median == pytest.approx(1.5 * noise.median_bias(), rel=0.01), noise.name


def test_a_balanced_order_of_three_puts_each_variant_after_another_one_round_in_three():
    """What the carryover model's true effect assumes (and the rotation breaks: two rounds in three)."""
    names = [THREADS, PROCESSES, TWIN]
    design = BalancedOrder(names, seed=1)
    assert predecessors([design(r) for r in range(6 * 50)])[(THREADS, PROCESSES)] == 100
    assert predecessors([rotation(None, names, r) for r in range(6 * 50)])[(THREADS, PROCESSES)] == 200


@pytest.mark.parametrize("budget", BUDGETS)
def test_without_the_null_independent_noise_errs_at_the_exact_rate(budget):
    """Heavy tails are independent from round to round: with no null to widen the effect, the
    simulated rate on the threshold is the exact one of stopping.py (within three standard errors),
    so the harness measures what the rule promises."""
    scale = scale_of("default", budget)
    planned, level = stopping.schedule_level(scale.min_rounds, scale.batch_rounds, scale.max_rounds)
    exact = sum(stopping.false_decision_rate(planned, level))
    k, runs, words = check(MODELS["heavy-tails"], "default", budget, ON, null=False)
    assert abs(k / runs - exact) <= 3 * (exact * (1 - exact) / runs) ** 0.5, f"{words}; exact {exact:.2%}"


# ---------------------------------------------------------------- why fades break it
@pytest.mark.parametrize("name, budget", SCHEDULES, ids=SCHEDULE_IDS)
def test_fades_do_no_harm_when_rounds_are_independent(name, budget):
    """The fading CPU's share of slow rounds (one in six, 1.6×), each round's state drawn afresh:
    the bound holds, so what breaks it with real fades is their persistence, not their size."""
    k, runs, words = check(independent_fades(MODELS["fading-cpu"]), name, budget, ON)
    assert shown_under(k, runs, BOUND[ON]), words


CLAIM_CASES = {
    # threads halfway between processes (1) and sequential (2) with both CPUs there: any verdict is wrong
    "on-threshold": (1.5, ("holds", "refuted"), BOUND[ON]),
    # threads as slow as sequential (a GIL): the claim holds, and refuted is the wrong verdict of issue 19's
    # finding 1 (a fading second CPU refuting it)
    "gil": (2.0, ("refuted",), BOUND[NULL]),
}


def claims_decision(m):
    """The CPU-bound claim's own: threshold halfway to the capacity sequential/processes shows in the
    same rounds, nothing decided under 1.5× (families/e_rule_of_thumb/decide.py)."""
    return cpu_bound_decision(m.samples[THREADS], m.samples[PROCESSES], m.samples[SEQUENTIAL], m.null_ratio(), 2)


def fixed_threshold_decision(m):
    return decide(m.ratio(THREADS, PROCESSES), 1.5, ABOVE, m.null_ratio())


def claim_check(case, decide_by, name="default", budget=2, runs=RUNS):
    """(wrong, runs, words) for the CPU-bound claim's comparison, sequential included, on the fading CPU."""
    threads_cost, wrong_verdicts, bound = CLAIM_CASES[case]
    rng = seeded("claim", case, name, budget)
    counts = dict.fromkeys(VERDICTS, 0)
    for _ in range(runs):
        m = measured(MODELS["fading-cpu"], threads_cost, rng, sequential=True)
        m.until_settled(decide_by, scale_of(name, budget))
        counts[decide_by(m).verdict()] += 1
    k = sum(counts[v] for v in wrong_verdicts)
    return k, runs, f"{case} ({decide_by.__name__}): wrong {rate_words(k, runs)} (bound {bound:.0%}); {counts}"


@pytest.mark.parametrize("case", list(CLAIM_CASES))
def test_the_claims_capacity_threshold_keeps_a_fading_cpu_from_deciding(case):
    """The CPU-bound claim's own decision on the fading CPU, at the budget the claim runs (the
    default scale's, doubled): wrong verdicts stay under the bounds, the truth being the machine with
    both CPUs there. A fade slows the processes and the capacity alike, so the threshold follows it
    (checked: on the threshold 0 of 2000 decisive; threads as slow as sequential 0 refuted, 90 %
    holds, the rest inconclusive). With the threshold fixed instead, test below, the fade refutes."""
    k, runs, words = claim_check(case, claims_decision)
    assert shown_under(k, runs, CLAIM_CASES[case][2]), words


# ---------------------------------------------------------------- teeth
def test_without_the_per_look_level_the_bound_fails(monkeypatch):
    """With ``stopping.per_look_confidence`` giving a plain 95 % at every look (no correction for
    looking again), heavy tails on the default scale's doubled budget (13 looks) come out decisive
    on the threshold clearly more than 5 % of the time, so test_wrong_verdicts_stay_under_the_bound
    [heavy-tails-default-x2-on-threshold] fails (checked: 7.0 % [6.0 %, 8.2 %]; with the
    correction 2.7 % [2.1 %, 3.5 %]). quick x2 and default x1 fail that test too (5.4 %, 5.2 %).

    The other models barely notice: where the A/A null is as wide as the carryover or the offsets
    make it, widening the effect by it is stricter than the per-look level.
    """
    monkeypatch.setattr(stopping, "per_look_confidence", plain_95)
    k, runs, words = check(MODELS["heavy-tails"], "default", 2, ON)
    assert shown_over(k, runs, BOUND[ON]), words


@pytest.mark.parametrize("name, budget", [("quick", 2), ("default", 1), ("default", 2)],
                         ids=["quick-x2", "default-x1", "default-x2"])
def test_in_a_fixed_rotation_carryover_breaks_the_bound(monkeypatch, name, budget):
    """With ``Interleaved.order`` the fixed rotation it had before the Williams design, the processes
    follow the threads (and pay their carryover) in two rounds of three, not one, and the twin never
    does, so the null does not see it: the carryover case comes out decisive on the threshold
    clearly more than 5 % of the time, so test_wrong_verdicts_stay_under_the_bound
    [carryover-*-on-threshold] fails at every budget (checked: 5.9 % [4.95 %, 7.0 %] at quick x1,
    9.2 % at quick x2, 7.1 % at default x1, 14.2 % at default x2; in the balanced order 0 %)."""
    monkeypatch.setattr(Interleaved, "order", rotation)
    k, runs, words = check(MODELS["carryover"], name, budget, ON)
    assert shown_over(k, runs, BOUND[ON]), words


def test_with_a_fixed_threshold_a_fading_cpu_refutes_a_gil_builds_claim():
    """Threads as slow as sequential (a GIL), judged against a fixed 1.5 instead of halfway to the
    capacity measured in the same rounds: runs mostly inside a fade refute the claim, more than 1 %
    of the time, so test_the_claims_capacity_threshold_keeps_a_fading_cpu_from_deciding[gil] fails
    (checked: 7.7 % [6.6 %, 9.0 %]): the wrong verdict of issue 19's finding 1."""
    k, runs, words = claim_check("gil", fixed_threshold_decision)
    assert shown_over(k, runs, CLAIM_CASES["gil"][2]), words


def test_without_the_null_instance_offsets_break_the_bound():
    """With ``null=None`` (no twin, no widening), per-instance offsets make the rounds on one
    instance alike, so the per-round interval is too narrow: decisive on the threshold clearly
    more than 5 % of the time, so test_wrong_verdicts_stay_under_the_bound
    [instance-offsets-*-on-threshold] fails (checked: 18.9-25.4 % at every budget; with the null 0.5-1.5 %)."""
    k, runs, words = check(MODELS["instance-offsets"], "quick", 1, ON, null=False)
    assert shown_over(k, runs, BOUND[ON]), words


if __name__ == "__main__":
    # The table behind README's paragraph on the stopping rule: PYTHONPATH=.:tests python tests/test_noise.py
    models = dict(MODELS, **{"fading-cpu-independent": independent_fades(MODELS["fading-cpu"])})
    for label, noise in models.items():
        for name, budget in SCHEDULES:
            row = []
            for position in POSITIONS:
                counts = verdicts(noise, name, budget, position, RUNS)
                row.append(f"{position} {rate_words(wrong(counts, position), RUNS)}")
            print(f"{label:24} {name:7} x{budget}  {' | '.join(row)}", flush=True)
