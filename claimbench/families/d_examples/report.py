"""Section D in the report: the Pool staircase, measured time against ceil(n/k)·T for several k."""
from __future__ import annotations

import math

from ...report import plots
from ...report.document import Figure, Section
from .data import Staircase


def build(ctx):
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
