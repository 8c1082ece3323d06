"""Section C in the report: what creating a unit of work and handing control or data to one cost (a table
and a log-scale figure), and many concurrent waits (wall time against T and memory per wait, against N)."""
from __future__ import annotations

import statistics

from ...core.labels import COROUTINES, PROCESSES, THREADS, bytes_label, fmt_bytes, fmt_seconds
from ...core.runtime import START_METHODS
from ...report import plots
from ...report.document import Figure, Para, Section, Table
from .data import PayloadRoundTrips, RoundTrips, UnitCosts, WaitLadder


ASYNC, THREAD, PROCESS = plots.WAY_COLOURS["asyncio"], plots.WAY_COLOURS["threads"], plots.WAY_COLOURS["processes"]
INTERPRETER = plots.WAY_COLOURS["subinterpreters"]


def case_data(ctx, claim, shape):
    """[(case, data)] of a claim's cases that carry data of this shape (a class of .data), read into it."""
    read = ((c.case, shape.from_data(c.data)) for c in ctx.cases_of(claim).itertuples())
    return [(case, data) for case, data in read if data is not None]


def _pool(vals):
    """(median, low, high) of one thing measured in several cases, from their [(median, [low, high] or
    None)]: the median of the medians, the widest interval; None where no case measured it."""
    if not vals:
        return None
    med = statistics.median(v for v, _ in vals)
    return med, min((i[0] for _, i in vals if i), default=med), max((i[1] for _, i in vals if i), default=med)


def creation_bars(ctx):
    procs = case_data(ctx, "process-creation-expensive", UnitCosts)
    coros = case_data(ctx, "coroutine-creation-negligible", UnitCosts)
    rows = procs + coros
    spec = [("coroutine, created and awaited", "coroutine", ASYNC),
            ("asyncio tasks, created in a batch", "tasks-batch", ASYNC),
            ("asyncio task, one at a time", "task", ASYNC),
            ("threads, started in a batch", "threads-batch", THREAD),
            ("thread, one at a time", "thread", THREAD),
            # process-creation-expensive's related finding, Python 3.14+ (its control's key is another)
            ("sub-interpreter, created, run and closed", "interpreter", INTERPRETER)]
    spec += [(f"process ({m})", "process-" + m, PROCESS) for m in START_METHODS]
    bars = [(label, _pool([(d.per_unit_s[key], d.interval_s.get(key)) for _, d in rows if key in d.per_unit_s]),
             colour) for label, key, colour in spec]
    return [(label, v, colour) for label, v, colour in bars if v is not None]


def creation_figure(ctx, bars):
    fig, (ax,) = plots.figure(width=8.2, height=0.5 * len(bars) + 1.6)
    thread = next((v[0] for label, v, _ in bars if label.startswith("thread, one")), None)
    ys = list(range(len(bars)))[::-1]
    for y, (label, (med, lo, hi), colour) in zip(ys, bars):
        ax.barh(y, med, color=colour, alpha=0.8, height=0.6)
        ax.errorbar(med, y, xerr=[[med - lo], [hi - med]], fmt="none", ecolor="#333333", capsize=3, linewidth=1)
        text = fmt_seconds(med)
        if thread:
            text += f"  ({_ratio(med / thread)} a thread)"
        ax.text(hi * 1.15, y, text, va="center", fontsize=8.5)
    ax.set_yticks(ys)
    ax.set_yticklabels([label for label, _, _ in bars])
    ax.set_xscale("log")
    lo = min(v[1] for _, v, _ in bars)
    hi = max(v[2] for _, v, _ in bars)
    ax.set_xlim(lo / 3, hi * 30)
    ax.set_xlabel("seconds per unit, start to finish of a no-op (log scale)")
    ax.set_title("What one unit of concurrency costs to create and run")
    ax.grid(axis="x", which="major", alpha=0.3)
    return plots.save(fig, ctx.figure_path("creation-cost.png"))


def _ratio(x: float) -> str:
    """``28×`` or ``1/12 of``: how a cost compares with a thread's."""
    if x >= 10:
        return f"{x:,.0f}×"
    if x >= 0.5:
        return f"{x:.2g}×"
    return f"1/{1 / x:,.0f} of"


def handoff_figure(ctx):
    pings = case_data(ctx, "coroutine-switch-cheaper", RoundTrips)
    trips = sorted((d for _, d in case_data(ctx, "threads-efficient", PayloadRoundTrips)),
                   key=lambda d: d.payload_bytes)
    if not pings and not trips:
        return None
    fig, axes = plots.figure(ncols=2, width=5.2, height=4.2)
    ax = axes[0]
    if pings:
        bars = []
        for name, colour in (("coroutines", ASYNC), ("threads", THREAD), ("processes", PROCESS)):
            pooled = _pool([(d.round_trip_s[name], d.interval_s.get(name)) for _, d in pings
                            if name in d.round_trip_s])
            if pooled:
                bars.append((name,) + pooled + (colour,))
        xs = range(len(bars))
        ax.bar(xs, [b[1] * 1e6 for b in bars], color=[b[4] for b in bars], alpha=0.8, width=0.6)
        ax.errorbar(list(xs), [b[1] * 1e6 for b in bars],
                    yerr=[[(b[1] - b[2]) * 1e6 for b in bars], [(b[3] - b[1]) * 1e6 for b in bars]],
                    fmt="none", ecolor="#333333", capsize=3)
        for x, b in zip(xs, bars):
            ax.text(x, b[3] * 1e6 * 1.03, fmt_seconds(b[1]), ha="center", va="bottom", fontsize=9)
        ax.set_xticks(list(xs))
        ax.set_xticklabels([f"two {b[0]}" for b in bars])
        ax.set_ylabel("one round trip (µs)")
        ax.set_ylim(0, max(b[3] for b in bars) * 1e6 * 1.2)
        ax.set_title("Ping-pong: control there and back")
        ax.grid(axis="y", alpha=0.3)
    ax = axes[1]
    if trips:
        sizes = [d.payload_bytes for d in trips]
        for name, colour, label in (("thread", THREAD, "worker thread (queue.Queue)"),
                                    ("process", PROCESS, "worker process (multiprocessing.Queue)")):
            ys = [d.round_trip_s[name] for d in trips]
            lo = [y - d.interval_s.get(name, [y, y])[0] for y, d in zip(ys, trips)]
            hi = [d.interval_s.get(name, [y, y])[1] - y for y, d in zip(ys, trips)]
            ax.errorbar(sizes, ys, yerr=[lo, hi], fmt="o-", color=colour, capsize=3, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([bytes_label(s) for s in sizes])
        ax.minorticks_off()
        ax.set_xlabel("payload sent (the answer is its length)")
        ax.set_ylabel("seconds per request and response")
        ax.set_title("Handing data to a worker")
        ax.grid(alpha=0.3, which="major")
        ax.legend(fontsize=8.5)
    else:
        ax.axis("off")
    return plots.save(fig, ctx.figure_path("handoff.png"))


def costs(ctx):
    bars = creation_bars(ctx)
    handoff = handoff_figure(ctx)
    if not bars and handoff is None:
        return None
    s = Section("What concurrency costs")
    if bars:
        s.add(Figure(creation_figure(ctx, bars),
                     "Start to finish of a unit that does nothing, per unit (median, sequential 95% interval), "
                     f"timed in a small sandbox interpreter. Runtime {ctx.runtime.get('tag')}."))
        thread = next((v[0] for label, v, _ in bars if label.startswith("thread, one")), None)
        if thread:
            s.add(Table(("unit", "cost", "against a thread"),
                        [(label, fmt_seconds(v[0]), _ratio(v[0] / thread)) for label, v, _ in bars]))
    if handoff is not None:
        s.add(Figure(handoff, "Left: one round trip of a token between two coroutines (asyncio.Queue), two "
                              "threads (queue.Queue) and two processes (a Pipe). Right: a request carrying the "
                              "payload and its answer, to a worker thread and to a worker process (medians, "
                              "sequential 95% intervals)."))
        s.add(Para("A thread receives a reference to the payload, whatever its size; a process receives a "
                   "pickled copy through a pipe, so its round trip grows with the payload."))
    return s


COLOURS = {COROUTINES: plots.WAY_COLOURS["asyncio"], THREADS: plots.WAY_COLOURS["threads"],
           PROCESSES: plots.WAY_COLOURS["processes"]}


def ladders(ctx):
    """({way: [WaitPoint], by N}, {way: why it stops}, unit_s) from the claim's cases."""
    points, stops, unit_s = {}, {}, None
    for c in ctx.cases_of("coroutines-handle-more-tasks").itertuples():
        waits = WaitLadder.from_data(getattr(c, "data", None))
        if waits is None:
            continue
        points.update(waits.ladder)
        stops.update({w: why for w, why in waits.stop.items() if why})
        unit_s = waits.unit_s
    return points, stops, unit_s


def many_waits(ctx):
    points, stops, unit_s = ladders(ctx)
    if not points:
        return None
    order = [w for w in (COROUTINES, THREADS, PROCESSES) if w in points]
    fig, (left, right) = plots.figure(ncols=2, width=5.4, height=4.3)
    all_n = sorted({p.n for w in order for p in points[w]})
    left.axhline(1.0, color="#999999", linestyle="--", label="ideal: T (all waits overlap)")
    for way in order:
        pts = points[way]
        left.plot([p.n for p in pts], [p.wall_over_t for p in pts], "o-", color=COLOURS[way], label=way)
        mem = [p for p in pts if p.bytes_per_unit]
        if mem:
            right.plot([p.n for p in mem], [p.bytes_per_unit for p in mem], "o-", color=COLOURS[way], label=way)
            last = mem[-1]
            right.annotate(fmt_bytes(last.bytes_per_unit), (last.n, last.bytes_per_unit),
                           textcoords="offset points", xytext=(6, 4), fontsize=8.5, color=COLOURS[way])
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(all_n)
        ax.set_xticklabels([f"{n:,}" for n in all_n])
        ax.minorticks_off()
        ax.set_xlabel("concurrent waits N")
        ax.grid(alpha=0.3, which="major")
    left.set_ylabel("wall time / T")
    left.set_title("N waits of T, started as fast as each way can")
    left.legend(fontsize=8.5)
    right.set_ylabel("memory per wait (bytes)")
    right.set_title("Memory per wait, all N waiting at once")
    right.legend(fontsize=8.5)
    path = plots.save(fig, ctx.figure_path("many-waits.png"))
    s = Section("Many concurrent waits")
    s.add(Figure(path, f"One measurement per N (T = {unit_s} s), each in a process forked for it alone. Memory: "
                       "growth of that process's RSS (coroutines, threads), sum of the children's USS "
                       f"(processes). Runtime {ctx.runtime.get('tag')}."))
    rows = []
    for way in order:
        for p in points[way]:
            rows.append((way, f"{p.n:,}", f"{p.wall_over_t:.3g}",
                         fmt_bytes(p.bytes_per_unit) if p.bytes_per_unit else "not read"))
    s.add(Table(("way", "N", "wall time / T", "memory per wait"), rows))
    if stops:
        s.add(Para("Where the ladder stops: " + "; ".join(stops[w] for w in order if w in stops) + "."))
    return s


PARTS = (costs, many_waits)  # the report's parts of this family, in order
