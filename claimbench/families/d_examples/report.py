"""Section D in the report: the notes' printed figures beside this machine's, and the Pool staircase
(measured time against ceil(n/k)·T for several k)."""
from __future__ import annotations

import math

from ...core.stats import fmt
from ...report import plots
from ...report.document import Figure, Para, Section, Table
from .data import NotesFigure, Staircase

NOTES_T_S = 2.0
# NotesFigure.key -> (what the notes ran, the time they printed)
NOTES = {
    "sequential-2": ("one process, 2 tasks of 2 s one after another", 4.00621485710144),
    "processes-2": ("2 processes, each a 2 s task", 2.0279181003570557),
    "pool4-5tasks": ("Pool(4), 5 tasks of 2 s, close, join", 4.12725305557251),
    "threads-2": ("2 threads, each a 2 s task", 2.0085318088531494),
}
NOTES_ORDER = 20  # right after the verdicts and the remarks on them, before the other families' parts


def notes_figures(ctx):
    """The notes' printed times beside this run's, for the same experiments (scaled to T = 2 s)."""
    if not len(ctx.cases) or "data" not in ctx.cases:
        return None
    unit_s = ctx.scale.get("unit_s") or NOTES_T_S
    default_method = ctx.runtime.get("default_start_method")
    found = {}
    for case in ctx.cases.itertuples():
        figure = NotesFigure.from_data(case.data)
        if figure is None or figure.key not in NOTES:
            continue
        # Of the start methods, the notes' run used the platform default.
        if figure.start_method and figure.start_method != default_method:
            continue
        found[figure.key] = (figure.shown_s, case.claim)
    if not found:
        return None
    s = Section("The notes' figures beside this machine's", order=NOTES_ORDER)
    s.add(Para(f"The same experiments as the notes' examples, re-implemented. This run used T = {unit_s} s "
               "(the notes: 2 s); the scaled column multiplies this machine's time by 2 s / T, so it "
               "is only exact at --scale seed, where T = 2 s."))
    rows = []
    for key, (what, notes_s) in NOTES.items():
        if key not in found:
            continue
        median_s, claim = found[key]
        scaled = median_s * NOTES_T_S / unit_s
        rows.append((what, claim, f"{notes_s:.4f}", fmt(median_s), f"{scaled:.4f}", fmt(scaled / notes_s)))
    s.add(Table(("experiment", "claim", "notes (s)", "this machine (s)", "scaled to T = 2 s", "scaled / notes"), rows))
    return s


def staircase(ctx):
    """Pool(k) with n tasks of T: the measured wall times against the steps of ceil(n/k)·T."""
    cases = ctx.claim_cases_of("pool-capacity-limits-throughput")
    series = [s for s in (Staircase.from_data(c.data) for c in cases.itertuples()) if s is not None]
    if not series:
        return None
    fig, (ax,) = plots.figure(width=7, height=4.5)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    for colour, stairs in zip(colours, sorted(series, key=lambda s: s.k)):
        k, unit_s, pts = stairs.k, stairs.unit_s, stairs.points
        ns = list(range(1, max(p.n for p in pts) + 1))
        ax.step(ns, [math.ceil(n / k) for n in ns], where="mid", color=colour, alpha=0.35, linewidth=2)
        xs = [p.n for p in pts]
        ys = [p.median_s / unit_s for p in pts]
        lo = [max(0.0, (p.median_s - p.low_s) / unit_s) for p in pts]
        hi = [max(0.0, (p.high_s - p.median_s) / unit_s) for p in pts]
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", color=colour, capsize=3,
                    label=f"Pool({k}): measured (sequential 95% CI)")
    ax.set_xlabel("tasks n")
    ax.set_ylabel("wall time / T")
    ax.set_title("Pool(k) with n tasks of T: measured against ceil(n/k)·T (shaded steps)")
    ax.grid(alpha=0.3)
    ax.legend()
    path = plots.save(fig, ctx.figure_path("pool-staircase.png"))
    s = Section("The Pool staircase")
    s.add(Figure(path, f"Pool(k) running n tasks of T = {series[0].unit_s} s: dots are this machine (median, "
                       f"sequential 95% interval), steps are ceil(n/k)·T. Runtime {ctx.runtime.get('tag')}."))
    return s


PARTS = (notes_figures, staircase)  # the report's parts of this family, in order
