"""Comparing stored runs: ``claimbench diff A B`` (two runs, claim by claim) and
``claimbench merge DIR...`` (the machines matrix: one column per machine's run).

A run is named by a results folder (its newest run of the claims), a run folder
(``results/runs/<run-id>``), or a run id (or the unique start of one) in ``--results-dir``.

The diff puts each claim's verdict and headline effect [95% CI] side by side, marks a verdict
that changed, and says of each pair of effects whether it lies beyond noise: their intervals
apart (beyond noise), overlapping (within noise), or not comparable (different effects, or one
without an interval). The merge is the interpreter matrix's table with machines for columns
(claimbench/report/parts/matrix.py): a cell that differs from the first column is explained by
the claim's expectation on that machine (one usable CPU, no GIL, another C library …) or
listed as unexplained. Main venv only (pandas, matplotlib through m_matrix).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from ..core import claim_table as book, records, stats
from .. import claims
from ..core.records import RunRecord

MACHINES_MD = "machines.md"
MACHINES_FIGURE = "machines-effects.png"
BEYOND, WITHIN, NOT_COMPARABLE = "beyond noise", "within noise", "not comparable"
VERIFY, CONTROLS = "verify", "controls"  # what kind of run a Run is


class CompareError(Exception):
    """One line for the user, exit status 2."""


@dataclass
class Run:
    """The records of one stored run, and where they came from."""

    label: str
    source: str
    records: List[RunRecord]

    @property
    def run_id(self) -> str:
        return self.records[0].run_id

    @property
    def runtime(self) -> dict:
        return self.records[0].runtime

    @property
    def cases(self) -> List[dict]:
        return [v for r in self.records for v in r.verdicts]

    @property
    def scale(self) -> dict:
        return self.records[0].scale

    @property
    def kind(self) -> str:
        """"controls" for a run of `claimbench controls` (its sessions are named controls-…, its id ends
        in -controls), else "verify": a run of the claims (verify, the matrix's, a plain pytest run)."""
        return CONTROLS if all(records.is_controls(r) for r in self.records) else VERIFY


# ---------------------------------------------------------------- naming runs
def shown_path(path: Path) -> str:
    """A path as results may show it: relative to here where it is below, else its last two parts."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.join(path.parent.name, path.name)


def _load(paths) -> List[RunRecord]:
    out = []
    for p in sorted(paths):
        try:
            out.append(records.load_record(p))
        except records.CorruptRecord as exc:
            raise CompareError(str(exc)) from None
    return out


def find_run(ref: str, results_dir: Path) -> Run:
    """The run ``ref`` names (a results folder, a run folder, or a run id in ``results_dir``)."""
    path = Path(ref)
    if path.is_dir() and (path / "runs").is_dir():
        recs, errors = records.load_runs(path)
        run = records.latest(recs)
        if not run:
            why = f" ({errors[0]})" if errors else ""
            raise CompareError(f"{ref}: no run of the claims stored there{why}")
        return Run("", shown_path(path), run)
    if path.is_dir() and list(path.glob("*.json")):
        run = _load(path.glob("*.json"))
        if run:
            return Run("", shown_path(path), run)
    recs, _ = records.load_runs(results_dir)
    ids = records.run_ids(recs)
    matching = [i for i in ids if i == ref] or [i for i in ids if i.startswith(ref)]
    if len(matching) == 1:
        return Run("", shown_path(records.runs_dir(results_dir) / matching[0]), records.latest(recs, matching[0]))
    if len(matching) > 1:
        raise CompareError(f"{ref!r} names {len(matching)} runs in {results_dir} ({', '.join(matching[:3])}, …): "
                           "give more of the id")
    raise CompareError(f"no run {ref!r}: give a results folder, a run folder or a run id of {results_dir}")


def machine_label(runtime: dict) -> str:
    """``16-cores-3.12-gil-fork``, ``2-cores-1-usable-3.11-gil-fork``: the machine and the runtime."""
    cores = runtime.get("physical_cores") or runtime.get("cpu_count") or "?"
    usable = runtime.get("usable_cpus")
    limited = f"-{usable}-usable" if usable and runtime.get("cpu_count") and usable < runtime["cpu_count"] else ""
    return f"{cores}-cores{limited}-{runtime.get('tag', '?')}"


def label_runs(runs: Sequence[Run], labels: Sequence[str] = ()) -> List[Run]:
    """Each run with a label of its own: the one given, else its machine label (made unique)."""
    if labels and len(labels) != len(runs):
        raise CompareError(f"--labels names {len(labels)} runs, {len(runs)} were given")
    out, seen = [], {}
    for i, run in enumerate(runs):
        label = labels[i] if labels else machine_label(run.runtime)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}-{seen[label]}"
        out.append(Run(label, run.source, run.records))
    return out


# ---------------------------------------------------------------- diff
def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not math.isnan(x)


def noise(a: Optional[book.ClaimRow], b: Optional[book.ClaimRow]) -> str:
    """Whether two headline effects differ beyond noise: their intervals apart, or overlapping."""
    if a is not None and b is not None and not a.effect_name and not b.effect_name:
        return ""  # behaviour claims: no effect on either side
    if a is None or b is None or a.effect_name != b.effect_name or not a.effect_name:
        return NOT_COMPARABLE
    if not all(_finite(x) for x in (a.effect, b.effect, a.ci_low, a.ci_high, b.ci_low, b.ci_high)):
        return NOT_COMPARABLE
    return BEYOND if a.ci_high < b.ci_low or b.ci_high < a.ci_low else WITHIN


def _effect(row: Optional[book.ClaimRow]) -> str:
    if row is None:
        return "—"
    return stats.fmt_effect(row.effect, row.ci_low, row.ci_high)


def diff_rows(a: Run, b: Run) -> List[list]:
    """claim, A verdict, A effect, B verdict, B effect, verdict change, effects (beyond/within noise)."""
    rows_a = {r.claim: r for r in book.claim_rows(a.cases, claims.REGISTRY)}
    rows_b = {r.claim: r for r in book.claim_rows(b.cases, claims.REGISTRY)}
    order = list(dict.fromkeys(list(rows_a) + list(rows_b)))
    out = []
    for cid in order:
        ra, rb = rows_a.get(cid), rows_b.get(cid)
        va, vb = (ra.verdict if ra else "—"), (rb.verdict if rb else "—")
        out.append([cid, va, _effect(ra), vb, _effect(rb), "changed" if va != vb else "", noise(ra, rb)])
    return out


def kind_warning(a: Run, b: Run) -> str:
    """One line where the two runs are of different kinds (a controls run against a verify run); "" else."""
    if a.kind == b.kind:
        return ""
    side = {a.kind: "A", b.kind: "B"}
    return (f"{side[CONTROLS]} is a controls run (the claims' planted counterparts) and {side[VERIFY]} a verify run "
            "(the claims): their verdicts are of different cases, so a changed verdict is no change of a claim")


def diff_notes(a: Run, b: Run) -> List[str]:
    """What to know before reading the diff: different kinds of run (first), scales, runtimes."""
    notes = [kind_warning(a, b)] if kind_warning(a, b) else []
    if a.scale.get("name") != b.scale.get("name"):
        notes.append(f"the runs are of different scales ({a.scale.get('name')} T = {a.scale.get('unit_s')} s, "
                     f"{b.scale.get('name')} T = {b.scale.get('unit_s')} s): timings scale with T, ratios mostly do "
                     "not")
    if a.runtime.get("tag") != b.runtime.get("tag"):
        notes.append(f"different runtimes: {a.runtime.get('tag')} and {b.runtime.get('tag')}")
    return notes


DIFF_HEADERS = ("claim", "A", "A effect [95% CI]", "B", "B effect [95% CI]", "verdict", "effects")


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    line = "  ".join("{:<%d}" % w for w in widths)
    return "\n".join([line.format(*headers), line.format(*("-" * w for w in widths))]
                     + [line.format(*[str(x) for x in r]).rstrip() for r in rows])


def diff_markdown(a: Run, b: Run, rows: Sequence[list]) -> str:
    from .document import Para, Section, Table, to_markdown
    s = Section("Diff", order=1)
    s.add(Para(f"A: {a.kind} run {a.run_id} ({a.runtime.get('tag')}, {a.source}); B: {b.kind} run {b.run_id} "
               f"({b.runtime.get('tag')}, {b.source})."))
    for note in diff_notes(a, b):
        s.add(Para(f"Note: {note}."))
    s.add(Table(DIFF_HEADERS, rows))
    changed = [r[0] for r in rows if r[5]]
    beyond = [r[0] for r in rows if r[6] == BEYOND]
    s.add(Para(f"Verdicts that changed: {', '.join(changed) or 'none'}. Effects apart beyond noise (95% intervals "
               f"that do not overlap): {', '.join(beyond) or 'none'}."))
    return to_markdown("claimbench diff", [s], Path.cwd())


def merge_columns(runs: Sequence[Run]):
    from .matrix_model import Column
    return [Column(r.label, run_id=r.run_id, runtime=r.runtime, scale=r.scale,
                   wall_s=sum(x.wall_s for x in r.records if x.wall_s == x.wall_s), cases=r.cases,
                   note=r.source) for r in runs]


def machines_section(runs: Sequence[Run], figure_path: Optional[Path]):
    """The machines matrix as a report Section (and its figure where ``figure_path`` is given)."""
    from .document import Figure, Para, Section, Table
    from .parts import matrix as matrix_part

    cols = merge_columns(runs)
    labels = [c.tag for c in cols]
    s = Section("Machines matrix", order=85)
    s.add(Para("Each column is one machine's stored run of the claims (made by `claimbench merge`). A cell is the "
               f"claim's verdict and its headline effect [95% CI]; {matrix_part.DIFFERS} marks a verdict that differs "
               f"from the first column ({labels[0]}), and the last column says whether the claim's expectation on "
               "that machine explains it."))
    rows = []
    for r in runs:
        rt = r.runtime
        rows.append([r.label, rt.get("cpu_model") or "—", rt.get("physical_cores") or "—", rt.get("cpu_count"),
                     rt.get("usable_cpus"), rt.get("python_version"),
                     "off" if rt.get("gil_enabled") is False else "on", rt.get("default_start_method"),
                     rt.get("libc") or "—", r.run_id, f"{r.scale.get('name')} (T = {r.scale.get('unit_s')} s)",
                     r.source])
    s.add(Table(("machine", "CPU", "physical cores", "logical CPUs", "usable CPUs", "Python", "GIL", "start method",
                 "C library", "run", "scale", "from"), rows))
    frame = matrix_part.claim_frame(cols)
    headers, table_rows, found = matrix_part.table(frame, labels)
    s.add(Table(headers, table_rows))
    unexplained = [f for f in found if f[2] == matrix_part.UNEXPLAINED]
    if unexplained:
        s.add(Para("Verdicts that change across machines with no reason in the claims' expectations: " + "; ".join(
            f"{cid} ({why})" for cid, _, _, why in unexplained) + "."))
    else:
        s.add(Para("No claim changes its verdict across these machines without a reason in its "
                   + ("expectation (inconclusive cells aside)." if any(f[2] == matrix_part.UNSETTLED for f in found)
                      else "expectation.")))
    effects = matrix_part.effects_frame(frame, labels)
    if figure_path is not None and len(effects):
        path = matrix_part.plot_effects(effects, labels, figure_path)
        s.add(Figure(path, "Each timing claim's headline effect and its 95% interval on each machine; dashed: the "
                           "claim's threshold; red diamonds: verdicts that differ from the first column "
                           f"({labels[0]})."))
    return s, found
