"""Section E in the report: speed-up against workers (CPU-bound and sleep-bound work, with the ideal
line), the rule of thumb with real I/O (a crawler and file operations), and in the interpreter
matrix the CPU-bound speed-up on each runtime (``MATRIX_FIGURES``, ``MATRIX_NOTES``)."""
from __future__ import annotations

import math

from ...core.stats import fmt
from ...core.verdicts import MACHINE_DEPENDENT
from ...report import plots
from ...report.document import Figure, Para, Section, Table
from .data import IoSpeedUp, SpeedUp

CPU_CLAIM = "cpu-bound-favours-processes"


PANELS = (
    (CPU_CLAIM, "cpu", "CPU-bound (workers started before timing)"),
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


# ---------------------------------------------------------------- in the interpreter matrix
MATRIX_FIGURE = "matrix-cpu-speedup.png"


def speedup_frame(cols):
    """(runtime, way, k, speed-up) from the CPU-bound claim's cases in the matrix's columns (each with
    ``tag`` and ``cases``); k = 1 is 1 by definition."""
    import pandas as pd

    rows = []
    for col in cols:
        for c in col.cases:
            s = SpeedUp.from_data(c.get("data")) if c.get("claim") == CPU_CLAIM else None
            if s is None or s.work != "cpu":
                continue
            rows += [{"tag": col.tag, "way": way, "k": s.k, "speedup": value}
                     for way, value in s.speedup.items() if way != "sequential"]
    frame = pd.DataFrame(rows, columns=["tag", "way", "k", "speedup"])
    if len(frame):
        ones = frame[["tag", "way"]].drop_duplicates().assign(k=1, speedup=1.0)
        frame = pd.concat([ones, frame], ignore_index=True).sort_values(["tag", "way", "k"], kind="stable")
    return frame


def plot_speedup(frame, tags, usable_cpus: int, path):
    """One panel per way, one line per runtime: the speed-up against k, the ideal min(k, CPUs) dashed."""
    ways = [w for w in ("threads", "processes", "subinterpreters") if w in set(frame["way"])]
    ways += sorted(set(frame["way"]) - set(ways))
    fig, axes = plots.figure(ncols=len(ways), width=4.6, height=4.2)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
    top = max(float(frame["speedup"].max()), float(usable_cpus)) * 1.15
    ks = sorted(set(frame["k"]))
    for ax, way in zip(axes, ways):
        ax.plot(ks, [min(k, usable_cpus) for k in ks], "--", color="#999999",
                label=f"ideal: min(k, {usable_cpus} CPUs)")
        for i, tag in enumerate(tags):
            pts = frame[(frame["tag"] == tag) & (frame["way"] == way)]
            if len(pts):
                ax.plot(pts["k"], pts["speedup"], "o-", color=colours[i % len(colours)], label=tag)
        ax.set_title(way)
        ax.set_xlabel("workers k")
        ax.set_xticks(ks)
        ax.set_ylim(0, top)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("CPU-bound speed-up over sequential")
    return plots.save(fig, path)


def matrix_speedup(ctx, cols):
    """The CPU-bound speed-up against workers, one line per runtime of the matrix."""
    speed = speedup_frame(cols)
    if not len(speed):
        return []
    usable = min(int(c.runtime.get("usable_cpus") or 1) for c in cols if c.runtime)
    path = plot_speedup(speed, [c.tag for c in cols], usable, ctx.figure_path(MATRIX_FIGURE))
    return [Figure(path, "CPU-bound work (2·T or 40 ms, split over k workers already started), speed-up over "
                         f"sequential, one line per runtime; {usable} usable CPUs.")]


def not_run_of(case: dict) -> str:
    """The ways a CPU-bound case could not run, and why ("" where it ran them all): from its typed
    data, or from its evidence in runs stored before the data said it."""
    s = SpeedUp.from_data(case.get("data"))
    if s is not None and s.not_run:
        return "; ".join(f"{way} ({why})" for way, why in s.not_run.items())
    evidence = str(case.get("evidence", ""))
    return evidence.split("not run:", 1)[1].strip() if "not run:" in evidence else ""


def matrix_not_run(ctx, cols):
    """The ways of the speed-up figure that some runtime lacks (sub-interpreters before 3.14)."""
    missing = [not_run_of(c) for col in cols for c in col.cases if c.get("claim") == CPU_CLAIM]
    missing = [m for m in missing if m]
    return [Para("Not run everywhere: " + missing[0])] if missing else []


MATRIX_FIGURES = (matrix_speedup,)  # drawn in the interpreter matrix, after its effects figure
MATRIX_NOTES = (matrix_not_run,)  # said at the end of the interpreter matrix
