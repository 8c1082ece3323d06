"""Many concurrent waits: wall time against T and memory per wait, against N."""
from __future__ import annotations

from .. import plots
from ..document import Figure, Para, Section, Table
from ..labels import COROUTINES, PROCESSES, THREADS, fmt_bytes

COLOURS = {COROUTINES: plots.WAY_COLOURS["asyncio"], THREADS: plots.WAY_COLOURS["threads"],
           PROCESSES: plots.WAY_COLOURS["processes"]}


def ladders(ctx):
    """({way: [points]}, {way: why it stops}, unit_s) from the claim's cases."""
    points, stops, unit_s = {}, {}, None
    for c in ctx.cases_of("coroutines-handle-more-tasks").itertuples():
        data = getattr(c, "data", None) if isinstance(getattr(c, "data", None), dict) else {}
        for way, pts in (data.get("ladder") or {}).items():
            points[way] = sorted(pts, key=lambda p: p["n"])
        stops.update({w: why for w, why in (data.get("stop") or {}).items() if why})
        unit_s = data.get("unit_s", unit_s)
    return points, stops, unit_s


def build(ctx):
    points, stops, unit_s = ladders(ctx)
    if not points:
        return None
    order = [w for w in (COROUTINES, THREADS, PROCESSES) if w in points]
    fig, (left, right) = plots.figure(ncols=2, width=5.4, height=4.3)
    all_n = sorted({p["n"] for w in order for p in points[w]})
    left.axhline(1.0, color="#999999", linestyle="--", label="ideal: T (all waits overlap)")
    for way in order:
        pts = points[way]
        left.plot([p["n"] for p in pts], [p["wall_over_t"] for p in pts], "o-", color=COLOURS[way], label=way)
        mem = [p for p in pts if p.get("bytes_per_unit")]
        if mem:
            right.plot([p["n"] for p in mem], [p["bytes_per_unit"] for p in mem], "o-", color=COLOURS[way],
                       label=way)
            last = mem[-1]
            right.annotate(fmt_bytes(last["bytes_per_unit"]), (last["n"], last["bytes_per_unit"]),
                           textcoords="offset points", xytext=(6, 4), fontsize=8.5, color=COLOURS[way])
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(all_n)
        ax.set_xticklabels(["{:,}".format(n) for n in all_n])
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
    s = Section("Many concurrent waits", order=37)
    s.add(Figure(path, "One measurement per N (T = {} s), each in a process forked for it alone. Memory: "
                       "growth of that process's RSS (coroutines, threads), sum of the children's USS "
                       "(processes). Runtime {}.".format(unit_s, ctx.runtime.get("tag"))))
    rows = []
    for way in order:
        for p in points[way]:
            rows.append((way, "{:,}".format(p["n"]), "{:.3g}".format(p["wall_over_t"]),
                         fmt_bytes(p["bytes_per_unit"]) if p.get("bytes_per_unit") else "not read"))
    s.add(Table(("way", "N", "wall time / T", "memory per wait"), rows))
    if stops:
        s.add(Para("Where the ladder stops: " + "; ".join(stops[w] for w in order if w in stops) + "."))
    return s
