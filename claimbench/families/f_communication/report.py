"""Bytes per second between processes: Pipe, Queue and SharedMemory against payload size, and the
crossover size from which shared memory wins."""
from __future__ import annotations

import math

from ...report import plots
from ...report.document import Figure, Para, Section
from ...core.labels import bytes_label, fmt_bytes
from ...core.stats import fmt
from .data import ThroughputSweep

CLAIM_ID = "ipc-throughput-ranks"
MECHANISMS = (("shared-memory", "#9467bd"), ("pipe", "#1f77b4"), ("queue", "#d62728"))


def _sweep(ctx):
    """The sweep of the claim's own case (controls sweep a planted channel): None in runs before the sweep."""
    for c in ctx.claim_cases_of(CLAIM_ID).itertuples():
        sweep = ThroughputSweep.from_data(getattr(c, "data", None))
        if sweep is not None:
            return c, sweep
    return None, None


def _size(x) -> str:
    return "beyond the sweep" if x is None or not math.isfinite(x) else fmt_bytes(x)


def crossover_text(sweep: ThroughputSweep) -> str:
    c, threshold = sweep.crossover, sweep.threshold
    if c.estimate is None:
        return f"Shared memory never stays {threshold}× as fast as the better of Pipe and Queue up to " \
               f"{bytes_label(max(sweep.sizes))}: no crossover within the sweep."
    first = c.first_win
    win = f"; {_span(first, max(sweep.sizes))} a decided win" if first else \
        "; no run of the largest payloads is a decided win yet"
    return (f"Shared memory moves bytes at least {threshold}× as fast as the better of Pipe and Queue from a "
            f"crossover of about {_size(c.estimate)} (interval {_size(c.low)} to {_size(c.high)}){win}.")


def _span(first: int, last: int) -> str:
    if first == last:
        return f"the largest payload, {bytes_label(last)}, is"
    return f"every payload from {bytes_label(first)} to {bytes_label(last)} is"


def _below(m: float, y) -> float:
    """The error bar under a rate: none where its interval is open (a way measured in too few rounds
    for a finite one, as the Queue dropped after the full rounds)."""
    return m - y.low if 0 < y.low <= m else 0.0


def _above(m: float, y) -> float:
    return y.high - m if m <= y.high < float("inf") else 0.0


def build(ctx):
    case, sweep = _sweep(ctx)
    if sweep is None:
        return None
    sizes = sorted(sweep.ratio)
    fig, (ax, bx) = plots.figure(ncols=2, width=5.6, height=4.4)
    for mech, colour in MECHANISMS:
        ys = [sweep.bytes_per_s[s][mech] for s in sizes]
        med = [y.median for y in ys]
        ax.errorbar(sizes, med, yerr=[[_below(m, y) for m, y in zip(med, ys)], [_above(m, y) for m, y in zip(med, ys)]],
                    fmt="o-", color=colour, capsize=3, alpha=0.85, label=mech)
    largest = sizes[-1]
    copied = sweep.bytes_per_s[largest].get("shared-memory-copy")
    if copied is not None:  # the related finding, measured at the largest payload only
        ax.errorbar([largest], [copied.median], yerr=[[_below(copied.median, copied)], [_above(copied.median, copied)]],
                    fmt="s", color="#9467bd", mfc="none", capsize=3, label="shared memory, copied out")
    ax.set_ylabel("bytes per second (the receiver has the whole payload)")
    ax.set_title("Moving bytes to another process")
    ax.set_yscale("log")
    ax.legend(fontsize=8.5)

    ratio = [sweep.ratio[s] for s in sizes]
    med = [r.median for r in ratio]
    bx.errorbar(sizes, med, yerr=[[m - r.low for m, r in zip(med, ratio)], [r.high - m for m, r in zip(med, ratio)]],
                fmt="o-", color="#9467bd", capsize=3, label="shared memory / best of Pipe and Queue")
    bx.axhline(sweep.threshold, color="#999999", linestyle=":", label=f"a win: {sweep.threshold}×")
    bx.axhline(1, color="#555555", linewidth=0.8)
    c = sweep.crossover
    if c.estimate is not None:
        low = c.low or sizes[0]
        high = c.high
        high = sizes[-1] if high is None or not math.isfinite(high) else high
        bx.axvspan(low, high, color="#9467bd", alpha=0.12, label="crossover interval")
        bx.axvline(c.estimate, color="#9467bd", linestyle="--", linewidth=1)
    bx.set_yscale("log", base=2)
    bx.set_ylabel("ratio of bytes per second")
    bx.set_title("Where shared memory starts to win")
    bx.legend(fontsize=8)
    for axis in (ax, bx):
        axis.set_xscale("log", base=2)
        axis.set_xticks(sizes)
        axis.set_xticklabels([bytes_label(s) for s in sizes], fontsize=7.5, rotation=45)
        axis.minorticks_off()
        axis.set_xlabel("payload per transfer")
        axis.grid(alpha=0.3, which="major")
    path = plots.save(fig, ctx.figure_path("ipc-throughput.png"))
    s = Section("Inter-process throughput")
    ratios = ", ".join(f"{bytes_label(s)} {fmt(r.median)}" for s, r in zip(sizes, ratio))
    s.add(Para(f"{crossover_text(sweep)} Claim: {case.verdict} (expected {getattr(case, 'expected', '')}). Below the "
               f"crossover: see the related findings. Ratios at each payload: {ratios}."))
    rounds = "?" if sweep.rounds is None else sweep.rounds
    s.add(Figure(path, "Left: bytes per second through each mechanism (median and interval of "
                       f"{rounds} interleaved rounds). "
                       "Right: shared memory's rate over the better of Pipe and Queue, round by round; the band is "
                       "the crossover's interval, the dashed line its estimate. A transfer ends when the receiving "
                       "process has the whole payload and has acknowledged it: for Pipe and Queue in a bytes object "
                       "of its own; for shared memory the sender's copy into the block and the receiver touching "
                       "every page of it in place (the open square: copied out instead, a related finding). "
                       f"Runtime {ctx.runtime.get('tag')}."))
    return s
