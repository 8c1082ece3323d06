"""Speed-up against workers: CPU-bound and sleep-bound work, with the ideal line."""
from __future__ import annotations

import math

from .. import plots
from ..document import Figure, Para, Section

PANELS = (
    ("cpu-bound-favours-processes", "cpu", "CPU-bound (workers started before timing)"),
    ("io-bound-favours-threads", "sleep", "sleep-bound (waits of T)"),
)


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def series_of(ctx, claim, work):
    """{way: [(k, speed-up, low, high)]} from the cases of one claim, k = 1 being 1 by definition; the
    interval is the speed-up's (sequential / that way) where the run stored one, else the point."""
    out = {}
    for c in ctx.claim_cases_of(claim).itertuples():
        data = getattr(c, "data", None) if isinstance(getattr(c, "data", None), dict) else {}
        if data.get("work") != work or "speedup" not in data:
            continue
        cis = data.get("speedup_ci") if isinstance(data.get("speedup_ci"), dict) else {}
        for way, v in data["speedup"].items():
            if way != "sequential":
                lo, hi = (cis.get(way) or [v, v])[:2]
                lo, hi = (lo if _finite(lo) else v), (hi if _finite(hi) else v)
                out.setdefault(way, [(1, 1.0, 1.0, 1.0)]).append((data["k"], v, lo, hi))
    return {w: sorted(pts) for w, pts in out.items()}


def build(ctx):
    panels = [(claim, work, title, series_of(ctx, claim, work)) for claim, work, title in PANELS]
    panels = [p for p in panels if p[3]]
    if not panels:
        return None
    usable = int(ctx.runtime.get("usable_cpus") or 1)
    fig, axes = plots.figure(ncols=len(panels), width=5.5, height=4.3)
    for ax, (claim, work, title, series) in zip(axes, panels):
        ks = sorted({p[0] for pts in series.values() for p in pts})
        ideal = [min(k, usable) if work == "cpu" else k for k in ks]
        ax.plot(ks, ideal, "--", color="#999999", label="ideal" + (" (min(k, {} CPUs))".format(usable)
                                                                    if work == "cpu" else " (k)"))
        for i, (way, pts) in enumerate(sorted(series.items())):
            # ways side by side at each k, so their intervals do not hide one another
            x = [p[0] + (i - (len(series) - 1) / 2) * 0.06 for p in pts]
            y = [p[1] for p in pts]
            err = [[max(0.0, p[1] - p[2]) for p in pts], [max(0.0, p[3] - p[1]) for p in pts]]
            ax.errorbar(x, y, yerr=err, fmt="o-", capsize=3, color=plots.WAY_COLOURS.get(way), label=way)
        ax.set_xlabel("workers k")
        ax.set_ylabel("speed-up over sequential")
        ax.set_title(title)
        ax.set_xticks(ks)
        ax.grid(alpha=0.3)
        ax.legend()
    path = plots.save(fig, ctx.figure_path("speedup.png"))
    s = Section("Speed-up against workers", order=35)
    s.add(Figure(path, "Medians of this run with their intervals ({}; {} usable CPUs). CPU-bound: fixed work of 2·T (at least 40 ms) split over k; "
                       "sleep-bound: k waits of T over k workers, one each. Threads and processes run on executors started "
                       "before timing.".format(ctx.runtime.get("tag"), usable)))
    s.add(Para("With the GIL, threads stay near 1× on CPU-bound work while processes approach the number of "
               "usable CPUs; on waits, every way reaches about k×."))
    return s
