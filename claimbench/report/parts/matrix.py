"""The interpreter matrix part: lays out the matrix model (``claimbench/report/matrix_model.py``) as
the report's tables and figures: one row per claim, one column per runtime, the effects per runtime;
then what the families draw of their own claims across the runtimes (``MATRIX_FIGURES`` and
``MATRIX_NOTES`` of ``claimbench/families/<family>/report.py``: the CPU-bound speed-up against
workers, one line per runtime).

Columns are the runs of the last ``make matrix`` (results/matrix.json), in its
order, or, without one, the newest stored run of every runtime tag, the reported
run's first. A cell that differs from the first column is
marked ≠, and each difference is explained by the claim's expectation on that
runtime — or listed as having no reason, which is a finding to look into.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import pandas as pd

from ...core import stats
from ... import claims
from ..document import Figure, Para, Section, Table
from ...core.verdicts import INCONCLUSIVE, MACHINE_DEPENDENT
from ..matrix_model import (DIFFERS, EFFECTS_FIGURE, EXPECTED, MEASURED, MISSING, NOT_RUN, SAME, UNEXPLAINED,
                            UNSETTLED, Column, claim_frame, columns, difference, effects_frame, threshold_of,
                            threshold_value, version_key)

# The model's names, as the matrix's callers and tests have read them from here.
__all__ = ["DIFFERS", "MISSING", "EFFECTS_FIGURE", "SAME", "EXPECTED", "UNEXPLAINED",
           "UNSETTLED", "NOT_RUN", "MEASURED", "Column", "version_key", "columns", "claim_frame", "difference",
           "threshold_of", "threshold_value", "effects_frame",
           "cell_text", "table", "runtime_rows", "start_method_lines", "related_rows",
           "plot_effects", "family_blocks", "matrix_columns", "text_table", "build"]


def cell_text(cell: Optional[dict], mark: bool) -> str:
    """``refuted 0.94 [0.9, 0.98] ≠``: the verdict first (the HTML colours by it), the effect, the mark.

    The cases' own verdicts are named where they explain the cell: an inconclusive or
    marked one (a claim that is ``partly`` alike everywhere keeps its cell short).
    """
    if cell is None:
        return MISSING
    figure = stats.fmt_effect(cell["effect"], cell["ci_low"], cell["ci_high"])
    text = cell["verdict"] + (" " + figure if figure else "")
    notes = ["expected " + cell["expected"]] if cell["verdict"] != cell["expected"] else []
    if cell.get("cases") and (mark or cell["verdict"] == INCONCLUSIVE):
        notes.append(cell["cases"])
    if notes:
        text += f" ({'; '.join(notes)})"
    return text + (" " + DIFFERS if mark else "")


def table(frame: pd.DataFrame, tags: Sequence[str]) -> Tuple[List[str], List[list], List[Tuple[str, str, str, str]]]:
    """Headers, rows, and every difference from the first column as (claim, tag, kind, why)."""
    cells = {(r["claim"], r["tag"]): r for r in frame.to_dict("records")}
    claim_ids = list(dict.fromkeys(frame["claim"]))
    rows, found = [], []
    for cid in claim_ids:
        first = cells.get((cid, tags[0]))
        row = [cid]
        whys = []
        for i, tag in enumerate(tags):
            cell = cells.get((cid, tag))
            kind = difference(first, cell) if i else SAME
            row.append(cell_text(cell, kind != SAME))
            if kind == SAME:
                continue
            if kind == EXPECTED:
                why = f"expected {cell['expected']} on {tag}{': ' + cell['reason'] if cell['reason'] else ''}"
            elif kind == MEASURED:
                cases = ": " + cell["cases"] if cell.get("cases") else ""
                why = (f"machine-dependent: the measured ratio decides on each runtime "
                       f"({cell['verdict']} on {tag}{cases})")
            elif kind == UNEXPLAINED:
                why = (f"no reason: {cell['verdict']} on {tag}, {first['verdict']} on {tags[0]}, the same expectation "
                       f"({cell['expected']})")
            elif kind == UNSETTLED:
                why = f"unsettled: inconclusive on {tag if cell['verdict'] == INCONCLUSIVE else tags[0]}"
            else:
                why = f"not run on {tag if cell is None else tags[0]}"
            whys.append(why)
            found.append((cid, tag, kind, why))
        effect_name = next((cells[(cid, t)]["effect_name"] for t in tags if (cid, t) in cells), "")
        rows.append(row + [effect_name, "; ".join(dict.fromkeys(whys))])
    return ["claim"] + list(tags) + ["effect is", "why it differs"], rows, found


def runtime_rows(cols: Sequence[Column]) -> List[list]:
    out = []
    for c in cols:
        rt = c.runtime
        if not rt:
            out.append([c.tag, MISSING, MISSING, MISSING, MISSING, MISSING, c.run_id, c.note])
            continue
        out.append([c.tag, rt.get("python_version"), "off" if rt.get("gil_enabled") is False else "on",
                    "yes" if rt.get("free_threaded_build") else "no", rt.get("default_start_method"),
                    f"{rt.get('usable_cpus')} of {rt.get('cpu_count')}", c.run_id,
                    f"scale {c.scale.get('name')} (T = {c.scale.get('unit_s')} s), {c.wall_s:.0f} s; "
                    f"{rt.get('executable')}"])
    return out


# ---------------------------------------------------------------- start methods
def start_method_lines(cols: Sequence[Column], found) -> List[str]:
    """Where a verdict goes with the runtime's default start method: for each method beside the
    first column's, the claims whose verdict differs there from the first column on every runtime of
    that method and on none of the first's method (inconclusive cells aside), with the reason."""
    method_of = {c.tag: c.runtime.get("default_start_method") for c in cols if c.runtime}
    first = method_of.get(cols[0].tag) if cols else None
    by_method: Dict[str, List[str]] = {}
    for tag, method in method_of.items():
        by_method.setdefault(method, []).append(tag)
    if len(by_method) < 2:
        return []
    differs: Dict[str, Dict[str, str]] = {}
    for cid, tag, kind, why in found:
        if kind not in (UNSETTLED, NOT_RUN):
            differs.setdefault(cid, {})[tag] = why
    lines = []
    for method, tags in by_method.items():
        if method == first:
            continue
        same_method = [t for t in by_method[first] if t != cols[0].tag]
        hang = [cid for cid, where in differs.items()
                if all(t in where for t in tags) and not any(t in where for t in same_method)]
        said = (f"the verdicts that differ from every {first} runtime's: "
                + "; ".join(f"{cid} ({differs[cid][tags[0]]})" for cid in hang)
                if hang else f"no claim's verdict differs from the {first} runtimes'")
        lines.append(f"on the runtimes that use {method} ({', '.join(tags)}), {said}.")
    return lines


# ---------------------------------------------------------------- related findings per runtime
def related_rows(cols: Sequence[Column]) -> Tuple[List[str], List[list]]:
    """One row per related finding (claim, case), one cell per runtime: its verdict and effect
    [CI], or why it could not be tested there (sub-interpreters before 3.14, one CPU …)."""
    tags = [c.tag for c in cols]
    cells: Dict[Tuple[str, str], Dict[str, str]] = {}
    for col in cols:
        for c in col.cases:
            if c.get("role") != "related":
                continue
            figure = stats.fmt_effect(c.get("effect"), c.get("ci_low"), c.get("ci_high"))
            untestable = c.get("outcome") == "skipped" and c.get("expected") == INCONCLUSIVE
            text = "untestable" if untestable else c["verdict"] + (" " + figure if figure else "") + (
                f" (expected {c.get('expected')})" if c.get("expected") not in (c["verdict"], MACHINE_DEPENDENT)
                else "")
            cells.setdefault((c["claim"], c.get("case") or "-"), {})[col.tag] = text
    order = {cid: i for i, cid in enumerate(claims.REGISTRY)}
    keys = sorted(cells, key=lambda k: (order.get(k[0], len(order)), k[1]))
    return ["claim", "finding"] + tags, [[k[0], k[1]] + [cells[k].get(t, MISSING) for t in tags] for k in keys]


# ---------------------------------------------------------------- the effects plot
# ---------------------------------------------------------------- the effects plot
def plot_effects(frame: pd.DataFrame, tags: Sequence[str], path):
    """One panel per timing claim: its effect and 95% interval on each runtime, the threshold
    dashed, and the cells that differ from the first column in red."""
    import math

    from .. import plots
    import matplotlib.pyplot as plt

    claim_ids = list(dict.fromkeys(frame["claim"]))
    ncols = 3
    nrows = max(1, math.ceil(len(claim_ids) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 0.32 * len(tags) * nrows + 1.4 * nrows),
                             squeeze=False)
    y_of = {tag: len(tags) - 1 - i for i, tag in enumerate(tags)}
    for ax, cid in zip(axes.flat, claim_ids):
        part = frame[frame["claim"] == cid]
        values = [v for v in list(part["effect"]) + list(part["ci_low"]) + list(part["ci_high"])
                  if v == v and v > 0 and math.isfinite(v)]
        log = bool(values) and max(values) / min(values) > 20
        lo_all, hi_all = (min(values), max(values)) if values else (0.0, 1.0)
        for r in part.to_dict("records"):
            y = y_of[r["tag"]]
            differs = r["kind"] != SAME
            colour = "#d62728" if differs else "#1f77b4"
            lo = r["ci_low"] if r["ci_low"] == r["ci_low"] and math.isfinite(r["ci_low"]) else r["effect"]
            hi = r["ci_high"] if r["ci_high"] == r["ci_high"] and math.isfinite(r["ci_high"]) else hi_all
            if log:
                lo = max(lo, lo_all / 2)
            ax.plot([lo, hi], [y, y], "-", color=colour, lw=2, alpha=0.7)
            ax.plot([r["effect"]], [y], "D" if differs else "o", color=colour, ms=6)
        threshold = next((t for t in part["threshold"] if t == t and t is not None), None)
        # A threshold far off the effects is about another quantity (ipc-throughput-ranks: its effect is
        # the crossover payload, its threshold a ratio at each payload): not drawn.
        if threshold is not None and threshold > 0 and lo_all / 30 <= threshold <= hi_all * 30:
            ax.axvline(threshold, ls="--", color="#999999", lw=1)
        if log:
            ax.set_xscale("log")
        ax.set_yticks(range(len(tags)))
        ax.set_yticklabels(list(reversed(tags)), fontsize=7)
        ax.set_ylim(-0.6, len(tags) - 0.4)
        ax.set_title(cid, fontsize=9)
        ax.set_xlabel(next(iter(part["effect_name"]), ""), fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(alpha=0.3, axis="x")
    for ax in list(axes.flat)[len(claim_ids):]:
        ax.axis("off")
    return plots.save(fig, path)


# ---------------------------------------------------------------- the part
def family_blocks(hook: str, ctx, cols: Sequence[Column]) -> list:
    """What the families' report modules add to the matrix under ``hook`` (``MATRIX_FIGURES``,
    ``MATRIX_NOTES``): each entry, given the report's context and the columns, gives blocks."""
    out = []
    for module in claims.family_modules("report"):
        for make in getattr(module, hook, ()):
            out.extend(make(ctx, cols) or ())
    return out


def matrix_columns(ctx) -> List[Column]:
    from ...core.records import read_manifest

    manifest = read_manifest(ctx.results_dir)
    cols = columns(ctx.all_runs, manifest, first_tag=str(ctx.runtime.get("tag", "")))
    return cols if manifest or len(cols) > 1 else []


def text_table(ctx) -> str:
    """The verdicts alone, for a terminal."""
    cols = matrix_columns(ctx)
    if not cols:
        return ""
    tags = [c.tag for c in cols]
    headers, rows, _ = table(claim_frame(cols), tags)
    body = [[r[0]] + [c.split(" ")[0] + (" " + DIFFERS if c.endswith(DIFFERS) else "") for c in r[1:len(tags) + 1]]
            for r in rows]
    head = headers[:len(tags) + 1]
    widths = [max([len(head[i])] + [len(b[i]) for b in body]) for i in range(len(head))]
    line = "  ".join("{:<%d}" % w for w in widths)
    return "\n".join([line.format(*head), line.format(*("-" * w for w in widths))]
                     + [line.format(*b).rstrip() for b in body])


def build(ctx):
    cols = matrix_columns(ctx)
    if not cols:
        return None
    tags = [c.tag for c in cols]
    s = Section("Interpreter matrix", order=80)
    s.add(Para("Each column is the newest stored run of one runtime (version, GIL, default start method). A cell is "
               f"the claim's verdict and its headline effect [sequential 95% CI]; {DIFFERS} marks a verdict that "
               f"differs from the first column ({tags[0]}), and the last column says whether the claim's expectation "
               "on that runtime explains it."))
    s.add(Table(("runtime", "Python", "GIL", "free-threaded build", "start method", "usable CPUs", "run", "notes"),
                runtime_rows(cols)))
    headers, rows, found = table(claim_frame(cols), tags)
    s.add(Table(headers, rows, nowrap=True))
    unexplained = [f for f in found if f[2] == UNEXPLAINED]
    if unexplained:
        s.add(Para("Verdicts that change across runtimes with no reason in the claims' expectations: " + "; ".join(
            f"{cid} ({why})" for cid, _, _, why in unexplained) + "."))
    else:
        aside = " (inconclusive cells aside)" if any(f[2] == UNSETTLED for f in found) else ""
        s.add(Para(f"No claim changes its verdict across these runtimes without a reason in its expectation{aside}."))
    methods = start_method_lines(cols, found)
    if methods:
        s.add(Para("Start methods. The first column's runtime starts processes with "
                   f"{cols[0].runtime.get('default_start_method')} by default; " + " ".join(methods)
                   + " The behaviour claims run every "
                   "case under fork, forkserver and spawn on every runtime, and `make test` runs the timing claims "
                   "under each start method too; `PYTHONS=\"3.11@spawn\"` adds a column of one runtime under "
                   "another default."))
    rel_headers, rel_rows = related_rows(cols)
    if rel_rows:
        s.add(Para("Related findings on each runtime (what the experiments find beside the notes' sentences, "
                   "among them sub-interpreters where the runtime has them): each cell is the finding's verdict "
                   "and effect [CI], or untestable where the runtime cannot test it."))
        s.add(Table(rel_headers, rel_rows, nowrap=True,
                    fold=f"{len(rel_rows)} related findings on {len(tags)} runtimes"))
    effects = effects_frame(claim_frame(cols), tags)
    if len(effects):
        path = plot_effects(effects, tags, ctx.figure_path(EFFECTS_FIGURE))
        s.add(Figure(path, "Each timing claim's headline effect and its 95% interval on each runtime (log scale "
                           "where the effects span more than 20×); dashed: the claim's threshold; red diamonds: "
                           f"verdicts that differ from the first column ({tags[0]}), each explained in the table."))
    for block in family_blocks("MATRIX_FIGURES", ctx, cols):
        s.add(block)
    from ...core.records import read_manifest
    left_out = (read_manifest(ctx.results_dir) or {}).get("left_out") or []
    if left_out:
        s.add(Para("Wanted and not in the matrix: " + "; ".join(str(x) for x in left_out) + "."))
    for block in family_blocks("MATRIX_NOTES", ctx, cols):
        s.add(block)
    return s
