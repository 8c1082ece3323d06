"""Bytes per second between processes: Pipe, Queue and SharedMemory against payload size."""
from __future__ import annotations

from .. import plots
from ..document import Figure, Section
from ..probes_cost import bytes_label

MECHANISMS = (("shared-memory", "#9467bd"), ("pipe", "#1f77b4"), ("queue", "#d62728"))


def build(ctx):
    judged, swept = {}, {}
    for c in ctx.cases_of("ipc-throughput-ranks").itertuples():
        data = c.data if isinstance(c.data, dict) else {}
        if "payload_bytes" not in data:
            continue
        judged[data["payload_bytes"]] = data
        for size, rates in (data.get("sweep") or {}).items():
            swept[int(size)] = rates
    if not judged:
        return None
    fig, (ax,) = plots.figure(width=7.4, height=4.6)
    for mech, colour in MECHANISMS:
        every = sorted([(s, d["bytes_per_s"][mech]) for s, d in judged.items()] +
                       [(s, r[mech]) for s, r in swept.items() if mech in r])
        ax.plot([s for s, _ in every], [r for _, r in every], "-", color=colour, alpha=0.6)
        xs = sorted(judged)
        ys = [judged[s]["bytes_per_s"][mech] for s in xs]
        spans = [judged[s].get("bytes_per_s_interval", {}).get(mech, [y, y]) for s, y in zip(xs, ys)]
        ax.errorbar(xs, ys, yerr=[[y - lo for y, (lo, _) in zip(ys, spans)], [hi - y for y, (_, hi) in zip(ys, spans)]],
                    fmt="o", color=colour, capsize=3, label=mech)
        ax.plot(sorted(swept), [swept[s][mech] for s in sorted(swept)], ".", color=colour, alpha=0.6)
    ticks = sorted(set(judged) | set(swept))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(ticks)
    ax.set_xticklabels([bytes_label(t) for t in ticks], fontsize=8.5)
    ax.minorticks_off()
    ax.set_xlabel("payload per transfer")
    ax.set_ylabel("bytes per second (sent and acknowledged)")
    ax.set_title("Moving bytes to another process")
    ax.grid(alpha=0.3, which="major")
    ax.legend()
    path = plots.save(fig, ctx.figure_path("ipc-throughput.png"))
    s = Section("Inter-process throughput", order=38)
    s.add(Figure(path, "Large dots: the judged payloads (median, 95% interval); small dots: payloads swept on "
                       "the way, a few rounds each, no verdict. A transfer ends when the receiving process has "
                       "acknowledged the bytes; for shared memory it includes the sender's copy into the block. "
                       "Runtime {}.".format(ctx.runtime.get("tag"))))
    return s
