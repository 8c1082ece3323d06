"""Section E in the report: speed-up against workers (CPU-bound and sleep-bound work, with the ideal
line), and the rule of thumb with real I/O (a crawler and file operations)."""
from __future__ import annotations

import math

from ...core.stats import fmt
from ...core.verdicts import MACHINE_DEPENDENT
from ...report import plots
from ...report.document import Figure, Para, Section, Table
from .data import IoSpeedUp, SpeedUp


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
        s = SpeedUp.from_data(getattr(c, "data", None))
        if s is None or s.work != work:
            continue
        cis = s.speedup_ci or {}
        for way, v in s.speedup.items():
            if way != "sequential":
                lo, hi = (cis.get(way) or [v, v])[:2]
                lo, hi = (lo if _finite(lo) else v), (hi if _finite(hi) else v)
                out.setdefault(way, [(1, 1.0, 1.0, 1.0)]).append((s.k, v, lo, hi))
    return {w: sorted(pts) for w, pts in out.items()}


def speed_up(ctx):
    panels = [(claim, work, title, series_of(ctx, claim, work)) for claim, work, title in PANELS]
    panels = [p for p in panels if p[3]]
    if not panels:
        return None
    usable = int(ctx.runtime.get("usable_cpus") or 1)
    fig, axes = plots.figure(ncols=len(panels), width=5.5, height=4.3)
    for ax, (claim, work, title, series) in zip(axes, panels):
        ks = sorted({p[0] for pts in series.values() for p in pts})
        ideal = [min(k, usable) if work == "cpu" else k for k in ks]
        ax.plot(ks, ideal, "--", color="#999999", label="ideal" + (f" (min(k, {usable} CPUs))"
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
    s = Section("Speed-up against workers")
    s.add(Figure(path, f"Medians of this run with their intervals ({ctx.runtime.get('tag')}; {usable} usable CPUs). "
                       "CPU-bound: fixed work of 2·T (at least 40 ms) split over k; "
                       "sleep-bound: k waits of T over k workers, one each. Threads and processes run on executors started "
                       "before timing."))
    s.add(Para("With the GIL, threads stay near 1× on CPU-bound work while processes approach the number of "
               "usable CPUs; on waits, every way reaches about k×."))
    return s


WAYS = ("threads", "processes", "asyncio")
WORKS = ("http", "file-cached-read", "file-cached-write", "file-fsync")


def real_io(ctx):
    rows = {}
    for c in ctx.claim_cases_of("io-bound-favours-threads").itertuples():
        r = IoSpeedUp.from_data(getattr(c, "data", None))
        if r is not None and r.work in WORKS:
            verdict = c.verdict if getattr(c, "expected", "") != MACHINE_DEPENDENT else \
                f"{c.verdict} (machine-dependent)"
            rows[r.work] = (r, verdict)
    if not rows:
        return None
    works = [w for w in WORKS if w in rows]
    k = rows[works[0]][0].k
    fig, (ax,) = plots.figure(width=8.6, height=4.4)
    width = 0.8 / len(WAYS)
    lowest = 1.0
    for i, way in enumerate(WAYS):
        xs = [j + (i - (len(WAYS) - 1) / 2) * width for j in range(len(works))]
        ys = [rows[w][0].speedup.get(way, float("nan")) for w in works]
        lowest = min([lowest] + [y for y in ys if y == y])
        # Bars grow from 1 (as fast as sequential): up is faster, down is slower.
        ax.bar(xs, [y - 1 for y in ys], bottom=1, width=width, color=plots.WAY_COLOURS.get(way), alpha=0.85,
               label=way)
    ax.axhline(k, color="#999999", linestyle="--", label=f"ideal ({k} workers)")
    ax.axhline(k / 2, color="#999999", linestyle=":", label="halfway: the claim's threshold")
    ax.axhline(1, color="#555555", linewidth=0.8)
    ax.set_yscale("log", base=2)
    ticks = [2.0 ** e for e in range(-8, 4) if 2.0 ** e >= lowest / 2 and 2.0 ** e <= 2 * k]
    ax.set_yticks(ticks)
    ax.set_yticklabels([(f"1/{1 / t:g}" if t < 1 else f"{t:g}") for t in ticks])
    ax.set_ylim(lowest / 1.6, k * 1.5)
    ax.minorticks_off()
    ax.set_xticks(range(len(works)))
    ax.set_xticklabels([f"{w}\nwaits {_waits(rows[w][0]):.0%}" for w in works])
    ax.set_ylabel("speed-up over sequential")
    ax.set_title(f"Real I/O over {k} workers")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    path = plots.save(fig, ctx.figure_path("real-io.png"))
    s = Section("I/O-bound work with real I/O")
    s.add(Figure(path, "Medians of this run. Under each case: the share of the sequential run's wall time spent "
                       f"off the CPU, i.e. waiting. Runtime {ctx.runtime.get('tag')}."))
    s.add(Table(("case", "verdict", "waits", "threads", "processes", "asyncio", "processes/threads CPU"),
                [(w, rows[w][1], f"{_waits(rows[w][0]):.0%}")
                 + tuple(fmt(rows[w][0].speedup.get(way, float("nan"))) + "×" for way in WAYS)
                 + (_cpu_cost(rows[w][0]),) for w in works]))
    s.add(Para("Speed-ups over sequential; the last column is the CPU time processes spend on the same work "
               "over the threads' (this process and the pool's workers, median of paired rounds, 95% interval): "
               "the claim asks for a quarter more. How far fsyncs overlap depends on the disk, so that case is "
               "machine-dependent: its verdict is reported, never expected. asyncio runs file operations in its "
               "one thread (it has no file API), so they block its loop."))
    return s


def _waits(r: IoSpeedUp) -> float:
    """The share of the sequential run's wall time spent off the CPU (0 where the run did not note it)."""
    return max(0.0, 1 - (r.cpu_share if r.cpu_share is not None else 1))


def _cpu_cost(r: IoSpeedUp) -> str:
    cost = r.cpu_cost
    if not cost:  # runs stored before CPU time was measured
        return "-"
    median, low, high = (fmt(x) for x in cost)
    return f"{median}× [{low}, {high}]"


PARTS = (speed_up, real_io)  # the report's parts of this family, in order
